//! Ghosts: records a leader had (and may have acknowledged) that the partition's next leader does
//! not hold, so they are gone for good. The log view keeps drawing them, struck through, with a
//! label that says what happened ("acked with acks=1 only, lost when broker 1 crashed").
//!
//! How: per partition, [`Ghosts::observe`] remembers the newest [`MEMORY_RECORDS`] offsets of the
//! leader's log as the batches themselves (`Rc`s: no copy), with the leader and its high
//! watermark. When the partition's leader epoch changes and a leader exists again, every
//! remembered batch the new leader does not hold (same base offset and leader epoch: Kafka's
//! log-matching rule) becomes ghosts; its records are decoded only then. A record at or above the
//! last high watermark seen was never committed: only an `acks=1` (or `acks=0`) producer was told
//! it was written. One below it was committed, and only an unclean election can lose it.
//!
//! Cost per action: only new batches are looked at, and only on the leader; the check runs for
//! a partition whose leader epoch changed. Bounded: [`MEMORY_RECORDS`] per partition,
//! [`GHOSTS_MAX`] ghosts in all (the oldest go first).
//!
//! Pure (no DOM): only `crate::engine` and the snapshot are used.

use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use super::logview::{key_hue, shorten, CELL_CHARS_MAX};
use super::snapshot::{BrokerState, Snapshot};
use crate::engine::log::{Batch, PartitionLog};
use crate::engine::{BrokerId, Cluster};

/// Newest offsets remembered per partition (what a lost tail can be recognised from).
pub const MEMORY_RECORDS: i64 = 64;
/// Ghosts kept in all.
pub const GHOSTS_MAX: usize = 64;

/// A record that was in a leader's log and is in no leader's log any more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ghost {
    pub topic: Rc<str>,
    pub partition: i32,
    pub offset: i64,
    pub key: Option<String>,
    pub value: Option<String>,
    pub key_hue: Option<u16>,
    /// Below the high watermark when last seen: committed (acknowledged to acks=all too).
    pub committed: bool,
    /// The leader that held it.
    pub leader: BrokerId,
    /// What became of that leader: "crashed", "was stopped", "was cut off the network", ...
    pub fate: &'static str,
    /// The leader that does not hold it.
    pub new_leader: BrokerId,
    pub at_ms: i64,
}

impl Ghost {
    /// `acked with acks=1 only, lost when broker 1 crashed`: the cell's label.
    pub fn label(&self) -> String {
        let how = if self.committed {
            "committed (acked even to acks=all), lost in an unclean election"
        } else {
            "acked with acks=1 only (never reached the high watermark), lost"
        };
        format!("{how} when broker {} {} and broker {} took over", self.leader, self.fate, self.new_leader)
    }

    /// The DOM id of the ghost's lane in the log view (the monitor links to it).
    pub fn anchor(&self) -> String {
        anchor(&self.topic, self.partition)
    }
}

/// The DOM id of a partition's ghost lane.
pub fn anchor(topic: &str, partition: i32) -> String {
    let safe: String = topic.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    format!("ghosts-{safe}-{partition}")
}

#[derive(Clone, Debug, Default)]
struct Seen {
    epoch: i32,
    leader: Option<BrokerId>,
    /// The leader's high watermark and log end when last seen.
    high_watermark: i64,
    log_end: i64,
    /// Offsets below this are remembered (or older than the memory).
    next: i64,
    batches: VecDeque<Rc<Batch>>,
}

/// How many records a partition lost (more than the ghosts drawn when it was many).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LostCount {
    pub records: i64,
    /// The loss reached past what was remembered: at least `records`.
    pub at_least: bool,
}

impl LostCount {
    /// `3 records`, `at least 64 records`.
    pub fn text(&self) -> String {
        let n = super::topiclogs::plural(usize::try_from(self.records).unwrap_or(0), "record");
        if self.at_least { format!("at least {n}") } else { n }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Ghosts {
    /// (topic id, partition) -> what its leader's log ended with.
    seen: BTreeMap<(Rc<str>, i32), Seen>,
    ghosts: VecDeque<Ghost>,
    /// (topic, partition) -> records lost there since the last clear.
    lost: BTreeMap<(Rc<str>, i32), LostCount>,
}

fn holds(log: &PartitionLog, batch: &Batch) -> bool {
    log.batches_from(batch.base_offset, batch.base_offset + 1)
        .next()
        .is_some_and(|b| b.base_offset == batch.base_offset && b.leader_epoch == batch.leader_epoch)
}

fn fate(snapshot: &Snapshot, broker: BrokerId) -> &'static str {
    match snapshot.brokers.iter().find(|b| b.id == broker) {
        Some(b) if b.state == BrokerState::Crashed => "crashed",
        Some(b) if b.state == BrokerState::Stopped || b.state == BrokerState::ShuttingDown => "was stopped",
        Some(b) if b.isolated || b.fenced => "was cut off",
        _ => "lost its leadership",
    }
}

impl Ghosts {
    pub fn reset(&mut self) {
        *self = Ghosts::default();
    }

    /// Every ghost, oldest first.
    pub fn all(&self) -> impl Iterator<Item = &Ghost> {
        self.ghosts.iter()
    }

    /// The ghosts of one partition, by offset.
    pub fn of(&self, topic: &str, partition: i32) -> Vec<&Ghost> {
        let mut out: Vec<&Ghost> = self.ghosts.iter().filter(|g| &*g.topic == topic && g.partition == partition).collect();
        out.sort_by_key(|g| g.offset);
        out
    }

    pub fn clear(&mut self) {
        self.ghosts.clear();
        self.lost.clear();
    }

    /// Per partition with ghosts, in the order they were lost: its newest ghost and the count.
    pub fn by_partition(&self) -> Vec<(Ghost, LostCount)> {
        let mut out: Vec<(Ghost, LostCount)> = Vec::new();
        for g in &self.ghosts {
            match out.iter_mut().find(|(x, _)| x.topic == g.topic && x.partition == g.partition) {
                Some((newest, _)) => *newest = g.clone(),
                None => out.push((g.clone(), self.lost(&g.topic, g.partition))),
            }
        }
        out
    }

    /// Records lost on a partition (the ghosts kept may be fewer).
    pub fn lost(&self, topic: &str, partition: i32) -> LostCount {
        self.lost.iter().find(|((t, p), _)| &**t == topic && *p == partition).map(|(_, c)| *c).unwrap_or_default()
    }

    /// Looks at every partition's leader after an action.
    pub fn observe(&mut self, cluster: &Cluster, snapshot: &Snapshot) {
        let mut seen = BTreeMap::new();
        for t in &snapshot.topics {
            for p in &t.partitions {
                let key = (t.id.clone(), p.partition);
                let mut s = self.seen.remove(&key).unwrap_or_else(|| Seen { epoch: p.leader_epoch, ..Seen::default() });
                let leader_log = p.leader.and_then(|l| Some((l, cluster.replica_log(l, &t.name, p.partition)?)));
                if let Some((leader, log)) = leader_log {
                    if s.epoch != p.leader_epoch {
                        self.check(&mut s, (&t.name, p.partition), (leader, log), snapshot);
                    }
                    s.epoch = p.leader_epoch;
                    s.leader = Some(leader);
                    s.high_watermark = log.high_watermark;
                    s.log_end = log.log_end_offset;
                    remember(&mut s, log);
                }
                seen.insert(key, s);
            }
        }
        // Deleted topics are forgotten with their ids.
        self.seen = seen;
    }

    /// A new leader: the remembered batches it lacks become ghosts.
    fn check(&mut self, s: &mut Seen, (topic, partition): (&Rc<str>, i32), (leader, log): (BrokerId, &PartitionLog), snapshot: &Snapshot) {
        let old_leader = s.leader.unwrap_or(leader);
        let (kept, lost): (VecDeque<Rc<Batch>>, Vec<Rc<Batch>>) = {
            let mut kept = VecDeque::new();
            let mut lost = Vec::new();
            for b in s.batches.drain(..) {
                if b.base_offset < log.log_start_offset || holds(log, &b) {
                    kept.push_back(b);
                } else {
                    lost.push(b);
                }
            }
            (kept, lost)
        };
        let fate = fate(snapshot, old_leader);
        if let Some(first) = lost.first() {
            let count = self.lost.entry((topic.clone(), partition)).or_default();
            // The new leader's log ends before the first lost batch: everything from its end to
            // where the old leader's ended is gone, remembered or not. Otherwise the remembered
            // ones are all that is known (and older ones may be gone too if the oldest is).
            if log.log_end_offset <= first.base_offset && s.log_end > log.log_end_offset {
                count.records += s.log_end - log.log_end_offset;
            } else {
                count.records += lost.iter().map(|b| b.records().count() as i64).sum::<i64>();
                count.at_least |= first.base_offset > log.log_start_offset && kept.front().is_none_or(|k| k.base_offset > first.base_offset);
            }
        }
        for b in &lost {
            for r in b.records() {
                if self.ghosts.len() >= GHOSTS_MAX {
                    self.ghosts.pop_front();
                }
                let text = |bytes: Option<&[u8]>| bytes.map(|v| shorten(&String::from_utf8_lossy(v), CELL_CHARS_MAX));
                self.ghosts.push_back(Ghost {
                    topic: topic.clone(),
                    partition,
                    offset: r.offset,
                    key: text(r.key),
                    value: text(r.value),
                    key_hue: r.key.map(key_hue),
                    committed: r.offset < s.high_watermark,
                    leader: old_leader,
                    fate,
                    new_leader: leader,
                    at_ms: snapshot.now_ms,
                });
            }
        }
        s.next = kept.back().map_or(log.log_start_offset, |b| b.next_offset());
        s.batches = kept;
    }
}

/// Adds the leader's batches appended since the last look, keeping the newest [`MEMORY_RECORDS`].
fn remember(s: &mut Seen, log: &PartitionLog) {
    let from = s.next.max(log.log_end_offset - MEMORY_RECORDS).max(log.log_start_offset);
    if from < log.log_end_offset {
        for b in log.batches_from(from, log.log_end_offset) {
            // Only batches not remembered yet: `next` is a batch boundary once anything is.
            if b.next_offset() > s.next {
                s.batches.push_back(b.clone());
            }
        }
    }
    s.next = s.next.max(log.log_end_offset);
    while s.batches.len() > 1 && s.batches[1].base_offset <= log.log_end_offset - MEMORY_RECORDS {
        s.batches.pop_front();
    }
}
