//! What happened in a sandbox that its current state does not show: the text each terminal
//! printed, the commands run with their exit status and output, writes the brokers refused,
//! leaders that moved, writes committed while brokers were down.
//!
//! The engine's events are drained by whoever drives the sandbox (the UI animates them), so the
//! driver hands them here, along with every terminal's output, once per input
//! ([`History::sync`]). Commands are noticed from the shell's own history and finish when their
//! terminal is back at the prompt: only then is their exit status known, and goals count a
//! command only once it has succeeded. Everything is bounded: output keeps the last
//! [`OUTPUT_BYTES_MAX`] bytes per terminal, [`COMMANDS_MAX`] commands are kept, facts are sets
//! keyed by topic.

use std::collections::{BTreeMap, BTreeSet};

use std::collections::VecDeque;

use crate::engine::{Cluster, Event, EventKind, ProcessState};
use crate::shell::{Chunk, Mode, Sandbox, TermId};

/// Output bytes kept per terminal (the oldest go first).
pub const OUTPUT_BYTES_MAX: usize = 256 * 1024;
/// Topics tracked per fact (beyond that new topics are not recorded).
pub const TOPICS_MAX: usize = 1_000;
/// Commands kept (the oldest go first).
pub const COMMANDS_MAX: usize = 500;

/// A command line a terminal ran, as the lesson saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandRun {
    pub term: TermId,
    pub line: String,
    /// Exit status once it ended; None while it runs (or when its end went unseen).
    pub status: Option<i32>,
    pub ended: bool,
    /// Counts commands from the session's start: the step's commands are those from
    /// [`History::step_first_command`] on.
    pub seq: u64,
    /// The terminal's output positions when it started and ended (None while it runs).
    out_from: usize,
    out_to: Option<usize>,
}

/// Output of one terminal: a bounded tail plus how many bytes were ever written, so that a
/// position ("where the step started") survives the tail being trimmed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Tail {
    text: String,
    /// Bytes written before `text` starts.
    dropped: usize,
}

impl Tail {
    fn total(&self) -> usize {
        self.dropped + self.text.len()
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        if self.text.len() > OUTPUT_BYTES_MAX {
            let mut cut = self.text.len() - OUTPUT_BYTES_MAX;
            while !self.text.is_char_boundary(cut) {
                cut += 1;
            }
            self.text.drain(..cut);
            self.dropped += cut;
        }
        debug_assert!(self.text.len() <= OUTPUT_BYTES_MAX + 3);
    }

    /// The text written since byte position `from` (as much of it as is kept).
    fn since(&self, from: usize) -> &str {
        self.between(from, self.total())
    }

    /// The text written between positions `from` and `to` (as much of it as is kept).
    fn between(&self, from: usize, to: usize) -> &str {
        let boundary = |pos: usize| {
            let mut i = pos.saturating_sub(self.dropped).min(self.text.len());
            while !self.text.is_char_boundary(i) {
                i += 1;
            }
            i
        };
        let (start, end) = (boundary(from), boundary(to));
        &self.text[start..end.max(start)]
    }
}

/// What History remembers of a terminal's shell history, to notice new command lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Seen {
    len: usize,
    last: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    output: BTreeMap<TermId, Tail>,
    /// Output positions when the current step started.
    step_marks: BTreeMap<TermId, usize>,
    /// (topic, error name) of every refused write.
    refused: BTreeSet<(String, String)>,
    /// Topics whose partitions saw a leader elected after the first one (leader epoch > 0).
    leader_moved: BTreeSet<String>,
    /// Brokers down (crashed or stopped) as the events tell.
    down: BTreeSet<i32>,
    /// Per topic: the most brokers that were down while its high watermark advanced.
    committed_with_down: BTreeMap<String, u32>,
    /// Topics where a replica threw records away (leader-epoch truncation).
    truncated: BTreeSet<String>,
    /// Simulated time of the last event seen (time going back means the cluster was reset).
    last_event_ms: i64,
    commands: VecDeque<CommandRun>,
    next_command: u64,
    /// The first command of the current step.
    step_first_command: u64,
    seen: BTreeMap<TermId, Seen>,
}

impl History {
    pub fn new() -> History {
        History::default()
    }

    /// Everything one input (or a stretch of time) produced: the terminals' output, the cluster's
    /// events, and the commands the shell started or finished meanwhile.
    pub fn sync(&mut self, sandbox: &Sandbox, events: &[Event], output: &[(TermId, Vec<Chunk>)]) {
        let marks: BTreeMap<TermId, usize> = self.output.iter().map(|(t, tail)| (*t, tail.total())).collect();
        for (term, chunks) in output {
            self.record_output(*term, chunks);
        }
        self.record_events(events, sandbox.cluster());
        for term in sandbox.terminals() {
            self.notice_commands(sandbox, term, marks.get(&term).copied().unwrap_or(0));
        }
    }

    fn total(&self, term: TermId) -> usize {
        self.output.get(&term).map_or(0, Tail::total)
    }

    /// New lines in `term`'s shell history start commands; a terminal back at its prompt ends the
    /// one that ran. `mark`: where the terminal's output stood before this input.
    fn notice_commands(&mut self, sandbox: &Sandbox, term: TermId, mark: usize) {
        let lines = sandbox.history(term);
        let seen = self.seen.entry(term).or_default();
        let fresh = if lines.len() > seen.len {
            lines.len() - seen.len
        } else if lines.last() != seen.last.as_ref() {
            1 // the shell's history is full: it drops its oldest line for each new one
        } else {
            0
        };
        *seen = Seen { len: lines.len(), last: lines.last().cloned() };
        let at_prompt = matches!(sandbox.mode(term), Mode::Command | Mode::Continuation);
        let total = self.total(term);
        if fresh > 0 {
            // Whatever ran before ended unseen (a terminal runs one foreground command at a time).
            self.end_running(term, None, mark);
        }
        let start = lines.len() - fresh;
        for line in &lines[start..] {
            if self.commands.len() >= COMMANDS_MAX {
                self.commands.pop_front();
            }
            let seq = self.next_command;
            self.next_command += 1;
            self.commands.push_back(CommandRun { term, line: line.clone(), status: None, ended: false, seq, out_from: mark, out_to: None });
        }
        if at_prompt {
            self.end_running(term, Some(sandbox.last_status(term)), total);
        }
    }

    fn end_running(&mut self, term: TermId, status: Option<i32>, out_to: usize) {
        for c in self.commands.iter_mut().rev().filter(|c| c.term == term && !c.ended) {
            c.ended = true;
            c.status = status;
            c.out_to = Some(out_to);
        }
    }

    /// The commands of the current step, in order.
    pub fn step_commands(&self) -> impl Iterator<Item = &CommandRun> {
        let first = self.step_first_command;
        self.commands.iter().filter(move |c| c.seq >= first)
    }

    /// What a command printed (so far, if it still runs).
    pub fn command_output(&self, c: &CommandRun) -> &str {
        match self.output.get(&c.term) {
            Some(tail) => tail.between(c.out_from, c.out_to.unwrap_or_else(|| tail.total())),
            None => "",
        }
    }

    /// Output a terminal showed (stdout and stderr alike: the learner sees both).
    pub fn record_output(&mut self, term: TermId, chunks: &[Chunk]) {
        let tail = self.output.entry(term).or_default();
        for chunk in chunks {
            tail.push(&chunk.text);
        }
    }

    /// Events drained from the cluster, in order, and the cluster they came from (its brokers'
    /// state after the events, to stay right across `sim reset`).
    pub fn record_events(&mut self, events: &[Event], cluster: &Cluster) {
        if cluster.now_ms() < self.last_event_ms {
            // A fresh cluster (`sim reset`): every broker starts up.
            self.down.clear();
        }
        self.last_event_ms = cluster.now_ms();
        for event in events {
            match &event.kind {
                EventKind::Truncated { topic, from, to, .. } if to < from => {
                    if self.truncated.len() < TOPICS_MAX {
                        self.truncated.insert(topic.to_string());
                    }
                }
                EventKind::WriteRefused { topic, error, .. } => {
                    if self.refused.len() < TOPICS_MAX {
                        self.refused.insert((topic.to_string(), error.name().to_string()));
                    }
                }
                EventKind::LeaderElected { topic, leader_epoch, .. } if *leader_epoch > 0 => {
                    if self.leader_moved.len() < TOPICS_MAX {
                        self.leader_moved.insert(topic.to_string());
                    }
                }
                EventKind::BrokerCrashed { broker } | EventKind::BrokerStopped { broker } => {
                    self.down.insert(*broker);
                }
                EventKind::BrokerStarted { broker } => {
                    self.down.remove(broker);
                }
                EventKind::HighWatermarkAdvanced { topic, .. } => {
                    let down = self.down.len() as u32;
                    if let Some(max) = self.committed_with_down.get_mut(topic.as_ref()) {
                        *max = (*max).max(down);
                    } else if self.committed_with_down.len() < TOPICS_MAX {
                        self.committed_with_down.insert(topic.to_string(), down);
                    }
                }
                _ => {}
            }
        }
        self.down = cluster.broker_status().iter().filter(|b| !matches!(b.process, ProcessState::Running)).map(|b| b.id).collect();
    }

    /// A new step starts: output goals look only at what is printed from now on.
    pub fn mark_step(&mut self) {
        self.step_marks = self.output.iter().map(|(t, tail)| (*t, tail.total())).collect();
        self.step_first_command = self.next_command;
    }

    /// What terminal `term` printed since the step started.
    pub fn output_since_step(&self, term: TermId) -> &str {
        match self.output.get(&term) {
            Some(tail) => tail.since(self.step_marks.get(&term).copied().unwrap_or(0)),
            None => "",
        }
    }

    /// Terminals that printed anything.
    pub fn terminals(&self) -> Vec<TermId> {
        self.output.keys().copied().collect()
    }

    pub fn write_refused(&self, topic: &str, error: &str) -> bool {
        self.refused.contains(&(topic.to_string(), error.to_string()))
    }

    /// A replica of `topic` truncated records (what a leader had accepted was thrown away).
    pub fn truncated(&self, topic: &str) -> bool {
        self.truncated.contains(topic)
    }

    pub fn leader_moved(&self, topic: &str) -> bool {
        self.leader_moved.contains(topic)
    }

    /// The most brokers that were down while `topic` committed a write (0 if it never did).
    pub fn committed_with_brokers_down(&self, topic: &str) -> Option<u32> {
        self.committed_with_down.get(topic).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn output_since_step_survives_trimming() {
        let mut h = History::new();
        h.record_output(1, &[Chunk::out("before\n")]);
        h.mark_step();
        h.record_output(1, &[Chunk::err("after\n")]);
        assert_eq!(h.output_since_step(1), "after\n");
        let big = "x".repeat(OUTPUT_BYTES_MAX);
        h.record_output(1, &[Chunk::out(big.clone())]);
        assert_eq!(h.output_since_step(1).len(), OUTPUT_BYTES_MAX);
        assert_eq!(h.output_since_step(2), "");
    }

    #[test]
    fn commits_remember_how_many_brokers_were_down() {
        let mut h = History::new();
        let cluster = Cluster::new(crate::engine::ClusterConfig::new(3, 1)).expect("3 brokers");
        let ev = |kind| Event { time_ms: 0, kind };
        let hw = || EventKind::HighWatermarkAdvanced { topic: "t".into(), partition: 0, broker: 1, high_watermark: 1 };
        h.record_events(&[ev(hw()), ev(EventKind::BrokerCrashed { broker: 2 }), ev(EventKind::BrokerStopped { broker: 3 }), ev(hw())], &cluster);
        assert_eq!(h.committed_with_brokers_down("t"), Some(2));
        // The cluster (all brokers running) resynchronises the set after each batch.
        h.record_events(&[ev(hw())], &cluster);
        assert_eq!(h.committed_with_brokers_down("t"), Some(2));
        assert_eq!(h.committed_with_brokers_down("u"), None);
    }
}
