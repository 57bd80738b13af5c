//! The sandbox: one simulated cluster shared by several terminals.
//!
//! [`Sandbox`] owns the [`World`] (the cluster, the in-memory file system, every running process
//! and the per-terminal output waiting to be shown) and the terminals' own state ([`Term`]: mode,
//! history, variables, jobs, foreground process). Every input is recorded in the transcript
//! ([`Sandbox::transcript`]) so that [`Sandbox::replay`] rebuilds the same session from its seed.
//!
//! [`Shell`] is the single-terminal convenience the tests, `sandbox-shell` and the first UI use.

use std::collections::BTreeMap;

use crate::engine::{Cluster, ClusterConfig};

use super::jobs;
use super::parse::AndOr;
use super::process::{ProcCx, ProcId, ProcState, Process, Signal};
use super::session::Session;
use super::{Chunk, Mode, Stream};

/// Identifies a terminal (tab) of the sandbox; never reused within a sandbox.
pub type TermId = u32;

/// Terminals a sandbox may have open at once.
pub const TERMS_MAX: usize = 16;
pub use crate::engine::cluster::BROKERS_MAX;
/// Processes alive at once across all terminals (jobs are bounded per terminal too).
pub const PROCS_MAX: usize = 64;
/// Output chunks kept per terminal while nobody collects them (oldest dropped first).
pub const OUTBOX_CHUNKS_MAX: usize = 20_000;
/// Simulated time between two polls of the running processes while time advances freely.
pub const SLICE_MS: i64 = 100;
/// Finer slices while a foreground process is busy (so a producer's acks return promptly).
pub const BUSY_SLICE_MS: i64 = 5;
/// One `advance` call may move simulated time by at most this much (a year).
pub const ADVANCE_MS_MAX: u64 = 365 * 86_400_000;
/// Transcript entries kept (older ones are dropped; replay then needs the kept suffix's start).
pub const TRANSCRIPT_MAX: usize = 100_000;

/// Bounds on the work one input may cause, beyond the fixed limits above. The defaults are the
/// product's (a learner may let a year pass); the fuzz test sets small ones
/// ([`WorkLimits::small`]) so that a mutated `sim advance 99999s` or `--num-records 10000000`
/// costs milliseconds instead of seconds, while every tool still runs against the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkLimits {
    /// The most simulated time one `sim advance`, `sleep` or UI `advance` moves.
    pub advance_ms_max: u64,
    /// The most simulated time the shell keeps running for one foreground or pipeline process
    /// (its busy limit and the scripted wait are cut to this).
    pub wait_ms_max: i64,
    /// The most records one perf test (producer or consumer) handles.
    pub perf_records_max: i64,
    /// Processes alive at once (at most [`PROCS_MAX`]): every live process is polled in every
    /// slice of simulated time, and each live client keeps the engine busy too.
    pub procs_max: usize,
}

impl Default for WorkLimits {
    fn default() -> WorkLimits {
        WorkLimits { advance_ms_max: ADVANCE_MS_MAX, wait_ms_max: i64::MAX, perf_records_max: i64::MAX, procs_max: PROCS_MAX }
    }
}

impl WorkLimits {
    /// Small bounds for fuzzing: a few simulated seconds and a few thousand records per line.
    pub fn small() -> WorkLimits {
        WorkLimits { advance_ms_max: 5_000, wait_ms_max: 5_000, perf_records_max: 2_000, procs_max: 4 }
    }
}

/// One recorded input of the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Open(TermId),
    Close(TermId),
    /// A line typed at a terminal.
    Line(TermId, String),
    /// Ctrl-D.
    Eof(TermId),
    /// Ctrl-C.
    Interrupt(TermId),
    /// Simulated time passed (the UI clock).
    Advance(u64),
    Interactive(bool),
}

/// Where one output stream of a process goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sink {
    Terminal(Stream),
    Null,
    File(String),
    /// The stdin of the next command of a pipeline.
    Capture,
}

/// A live process and where its output goes.
pub(crate) struct Slot {
    pub term: TermId,
    pub process: Box<dyn Process>,
    /// [stdout sink, stderr sink].
    pub sinks: [Sink; 2],
    /// Prepended to every terminal line (`[1] ` for background jobs of scripted sessions).
    pub prefix: String,
    /// Started with `&` and not brought back by `fg`: it runs on without holding the terminal.
    pub background: bool,
    pub captured: String,
    pub state: ProcState,
}

/// Everything the terminals share.
pub struct World {
    pub(crate) cluster: Cluster,
    pub(crate) brokers: u32,
    pub(crate) seed: u64,
    pub(crate) files: BTreeMap<String, String>,
    pub(crate) procs: BTreeMap<ProcId, Slot>,
    next_proc: ProcId,
    /// Processes that ended and whose terminal has not collected them: status, captured stdout.
    pub(crate) exited: BTreeMap<ProcId, (i32, String)>,
    pub(crate) outbox: BTreeMap<TermId, Vec<Chunk>>,
    pub(crate) interactive: bool,
    /// `sim consumer` applications (they run on simulated time like processes, in no terminal).
    pub(crate) apps: super::tools::sim_consumer::Apps,
    pub(crate) limits: WorkLimits,
    /// The session's command lines since the last reset, for `sim export`: (sequence, terminal,
    /// command).
    pub(crate) commands: std::collections::VecDeque<(u64, TermId, super::tools::export::LoggedCommand)>,
    next_command: u64,
}

fn new_cluster(brokers: u32, seed: u64) -> Cluster {
    let brokers = brokers.clamp(1, BROKERS_MAX);
    Cluster::new(ClusterConfig { track_invariants: false, ..ClusterConfig::new(brokers, seed) })
        .expect("1..=BROKERS_MAX brokers is within the engine's limits")
}

impl World {
    fn new(brokers: u32, seed: u64) -> World {
        let brokers = brokers.clamp(1, BROKERS_MAX);
        World {
            cluster: new_cluster(brokers, seed),
            brokers,
            seed,
            files: BTreeMap::new(),
            procs: BTreeMap::new(),
            next_proc: 1,
            exited: BTreeMap::new(),
            outbox: BTreeMap::new(),
            interactive: true,
            apps: Default::default(),
            limits: WorkLimits::default(),
            commands: std::collections::VecDeque::new(),
            next_command: 0,
        }
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    pub fn cluster_mut(&mut self) -> &mut Cluster {
        &mut self.cluster
    }

    pub fn brokers(&self) -> u32 {
        self.brokers
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn now_ms(&self) -> i64 {
        self.cluster.now_ms()
    }

    /// A fresh cluster (`sim reset`): every process is killed, files stay.
    pub(crate) fn reset(&mut self, brokers: u32, seed: u64) {
        let ids: Vec<ProcId> = self.procs.keys().copied().collect();
        for id in ids {
            self.procs.remove(&id);
            self.exited.insert(id, (Signal::Terminate.status(), String::new()));
        }
        self.apps.clear();
        self.brokers = brokers.clamp(1, BROKERS_MAX);
        self.seed = seed;
        self.cluster = new_cluster(self.brokers, seed);
        self.commands.clear();
    }

    /// Logs a command line typed at `term` (for `sim export`); returns its sequence number.
    pub(crate) fn log_command(&mut self, term: TermId, text: &str) -> u64 {
        if self.commands.len() >= super::tools::export::COMMANDS_MAX {
            self.commands.pop_front();
        }
        let seq = self.next_command;
        self.next_command += 1;
        self.commands.push_back((seq, term, super::tools::export::LoggedCommand { text: text.to_string(), typed: None }));
        seq
    }

    /// Logs a line typed into the foreground tool of command `seq`.
    pub(crate) fn log_typed(&mut self, seq: u64, line: &str) {
        if let Some((_, _, command)) = self.commands.iter_mut().rev().find(|(s, _, _)| *s == seq) {
            let typed = command.typed.get_or_insert_with(Vec::new);
            if typed.len() < super::tools::export::TOOL_LINES_MAX {
                typed.push(line.to_string());
            }
        }
    }

    /// `sim export`'s text.
    pub fn export(&self) -> String {
        let commands: Vec<_> = self.commands.iter().map(|(_, _, c)| c.clone()).collect();
        super::tools::export::export(&self.cluster, self.brokers, &commands)
    }

    /// Registers a process for `term`; returns its id, or None when too many run already.
    pub(crate) fn spawn(&mut self, term: TermId, process: Box<dyn Process>, sinks: [Sink; 2], prefix: String, background: bool) -> Option<ProcId> {
        if self.procs.len() >= PROCS_MAX.min(self.limits.procs_max) {
            return None;
        }
        let id = self.next_proc;
        self.next_proc += 1;
        self.procs.insert(id, Slot { term, process, sinks, prefix, background, captured: String::new(), state: ProcState::Busy });
        Some(id)
    }

    /// Runs `f` on a live process with its context, routes what it printed, and retires it if it
    /// exited. Returns its state (None if it is not alive).
    fn with_proc(&mut self, id: ProcId, f: impl FnOnce(&mut dyn Process, &mut ProcCx<'_>) -> Option<ProcState>) -> Option<ProcState> {
        let mut slot = self.procs.remove(&id)?;
        let mut out = Vec::new();
        let mut cx = ProcCx { cluster: &mut self.cluster, out: &mut out, interactive: self.interactive, background: slot.background };
        if let Some(state) = f(slot.process.as_mut(), &mut cx) {
            slot.state = state;
        }
        self.route(&mut slot, out);
        match slot.state {
            ProcState::Exited(status) => {
                self.exited.insert(id, (status, std::mem::take(&mut slot.captured)));
            }
            _ => {
                self.procs.insert(id, slot);
            }
        }
        Some(slot_state_of(&self.procs, &self.exited, id))
    }

    pub(crate) fn poll(&mut self, id: ProcId) -> Option<ProcState> {
        self.with_proc(id, |p, cx| Some(p.poll(cx)))
    }

    pub(crate) fn input(&mut self, id: ProcId, line: &str) {
        self.with_proc(id, |p, cx| {
            p.input(cx, line);
            Some(p.poll(cx))
        });
    }

    pub(crate) fn eof(&mut self, id: ProcId) {
        self.with_proc(id, |p, cx| {
            p.eof(cx);
            Some(p.poll(cx))
        });
    }

    pub(crate) fn signal(&mut self, id: ProcId, signal: Signal) {
        self.with_proc(id, |p, cx| {
            let printed = cx.out.len();
            let status = p.signal(cx, signal);
            if signal == Signal::Kill {
                // SIGKILL runs no shutdown hook: whatever the tool would say last is never said.
                cx.out.truncate(printed);
            }
            Some(ProcState::Exited(status))
        });
    }

    /// The state of a process (exited ones until collected).
    pub(crate) fn state(&self, id: ProcId) -> Option<ProcState> {
        if let Some(slot) = self.procs.get(&id) {
            return Some(slot.state);
        }
        self.exited.get(&id).map(|(status, _)| ProcState::Exited(*status))
    }

    pub(crate) fn reads_stdin(&self, id: ProcId) -> bool {
        self.procs.get(&id).is_some_and(|s| s.process.reads_stdin())
    }

    /// The prompt a stdin-reading process shows (`>` for the console producer).
    pub(crate) fn tool_prompt(&self, id: ProcId) -> &'static str {
        self.procs.get(&id).map_or(">", |s| s.process.prompt())
    }

    pub(crate) fn busy_limit_ms(&self, id: ProcId) -> i64 {
        self.procs.get(&id).map_or(0, |s| s.process.busy_limit_ms()).min(self.limits.wait_ms_max)
    }

    pub fn limits(&self) -> WorkLimits {
        self.limits
    }

    /// Collects an exited process: its status and captured stdout.
    pub(crate) fn reap(&mut self, id: ProcId) -> Option<(i32, String)> {
        self.exited.remove(&id)
    }

    fn route(&mut self, slot: &mut Slot, chunks: Vec<Chunk>) {
        for chunk in chunks {
            let sink = match chunk.stream {
                Stream::Out => slot.sinks[0].clone(),
                Stream::Err => slot.sinks[1].clone(),
            };
            match sink {
                Sink::Terminal(stream) => {
                    let text = if slot.prefix.is_empty() {
                        chunk.text
                    } else {
                        chunk.text.split_inclusive('\n').map(|l| format!("{}{l}", slot.prefix)).collect()
                    };
                    self.print(slot.term, Chunk { stream, text });
                }
                Sink::Null => {}
                Sink::Capture => {
                    if slot.captured.len() + chunk.text.len() <= super::FILE_BYTES_MAX {
                        slot.captured.push_str(&chunk.text);
                    }
                }
                Sink::File(path) => {
                    if let Err(message) = self.append_file(&path, &chunk.text) {
                        self.print(slot.term, Chunk::err(message));
                    }
                }
            }
        }
    }

    /// Queues output for a terminal (bounded: the oldest chunks go first).
    pub(crate) fn print(&mut self, term: TermId, chunk: Chunk) {
        let outbox = self.outbox.entry(term).or_default();
        if outbox.len() >= OUTBOX_CHUNKS_MAX {
            outbox.remove(0);
        }
        outbox.push(chunk);
    }

    pub(crate) fn take_outbox(&mut self, term: TermId) -> Vec<Chunk> {
        self.outbox.remove(&term).unwrap_or_default()
    }

    /// Polls every live process once, in id order.
    pub(crate) fn poll_all(&mut self) {
        let ids: Vec<ProcId> = self.procs.keys().copied().collect();
        for id in ids {
            self.poll(id);
        }
        for (term, chunk) in self.apps.poll(&mut self.cluster) {
            self.print(term, chunk);
        }
    }

    /// Lets `ms` of simulated time pass in slices of `slice_ms`, polling every process after
    /// each slice. Without processes the cluster jumps in one go.
    pub(crate) fn advance(&mut self, ms: i64, slice_ms: i64) {
        let until = self.cluster.now_ms().saturating_add(ms.max(0));
        let slice_ms = slice_ms.max(1);
        while self.cluster.now_ms() < until {
            if self.procs.is_empty() && !self.apps.any_running() {
                let rest = until - self.cluster.now_ms();
                self.cluster.advance(rest);
                break;
            }
            let step = slice_ms.min(until - self.cluster.now_ms());
            self.cluster.advance(step);
            self.poll_all();
        }
    }

    pub(crate) fn read_file(&self, path: &str) -> Option<String> {
        if path == "/dev/null" {
            return Some(String::new());
        }
        self.files.get(&normalize_path(path)).cloned()
    }

    pub(crate) fn write_file(&mut self, path: &str, content: String) -> Result<(), String> {
        let key = normalize_path(path);
        if key.is_empty() || key.ends_with('/') {
            return Err(format!("bash: {path}: Is a directory\n"));
        }
        if content.len() > super::FILE_BYTES_MAX {
            return Err(format!("bash: {path}: File too large\n"));
        }
        if !self.files.contains_key(&key) && self.files.len() >= super::FILES_MAX {
            return Err(format!("bash: {path}: No space left on device\n"));
        }
        self.files.insert(key, content);
        Ok(())
    }

    pub(crate) fn append_file(&mut self, path: &str, text: &str) -> Result<(), String> {
        let mut content = self.read_file(path).unwrap_or_default();
        content.push_str(text);
        self.write_file(path, content)
    }
}

fn slot_state_of(procs: &BTreeMap<ProcId, Slot>, exited: &BTreeMap<ProcId, (i32, String)>, id: ProcId) -> ProcState {
    match procs.get(&id) {
        Some(slot) => slot.state,
        None => exited.get(&id).map_or(ProcState::Exited(0), |(s, _)| ProcState::Exited(*s)),
    }
}

pub(crate) fn normalize_path(path: &str) -> String {
    path.trim_start_matches("./").to_string()
}

/// What the shell of one terminal keeps for itself.
#[derive(Default)]
pub struct Term {
    /// Lines of a command still being typed (here-document, open quote).
    pub(crate) pending: String,
    pub(crate) history: Vec<String>,
    pub(crate) vars: BTreeMap<String, String>,
    pub(crate) last_status: i32,
    pub(crate) jobs: jobs::Jobs,
    pub(crate) foreground: Option<Foreground>,
    /// The rest of a command line, run once the foreground process ends.
    pub(crate) deferred: Vec<AndOr>,
    /// The export log's sequence number of the last command typed here.
    pub(crate) last_command: Option<u64>,
}

/// The process in the terminal's foreground.
#[derive(Clone, Debug)]
pub(crate) struct Foreground {
    pub proc: ProcId,
    /// It reads the terminal (lines typed go to it; Ctrl-D ends its input).
    pub reads_terminal: bool,
    /// The command line, for `jobs`/`fg`.
    pub text: String,
}

/// One simulated cluster and the terminals attached to it.
pub struct Sandbox {
    world: World,
    terms: BTreeMap<TermId, Term>,
    next_term: TermId,
    transcript: Vec<Input>,
    events: EventLog,
}

/// Cluster events kept for their several readers (the UI's views, lesson goals), each of which
/// keeps its own cursor: draining the engine's buffer directly would hide events from the others.
pub const EVENT_LOG_MAX: usize = 10_000;

#[derive(Default)]
struct EventLog {
    /// The sequence number the next event gets; the kept ones are the `events.len()` before it.
    next_seq: u64,
    events: std::collections::VecDeque<crate::engine::Event>,
}

impl Sandbox {
    /// A sandbox with a fresh cluster of `brokers` brokers (clamped to 1..=9) simulated from
    /// `seed`, and no terminal yet.
    pub fn new(brokers: u32, seed: u64) -> Sandbox {
        Sandbox { world: World::new(brokers, seed), terms: BTreeMap::new(), next_term: 1, transcript: Vec::new(), events: EventLog::default() }
    }

    /// Rebuilds a session from its seed and transcript.
    pub fn replay(brokers: u32, seed: u64, inputs: &[Input]) -> Sandbox {
        let mut sandbox = Sandbox::new(brokers, seed);
        for input in inputs {
            match input {
                Input::Open(_) => {
                    sandbox.open_terminal();
                }
                Input::Close(t) => sandbox.close_terminal(*t),
                Input::Line(t, line) => {
                    sandbox.run(*t, line);
                }
                Input::Eof(t) => {
                    sandbox.eof(*t);
                }
                Input::Interrupt(t) => {
                    sandbox.interrupt(*t);
                }
                Input::Advance(ms) => {
                    sandbox.advance(*ms);
                }
                Input::Interactive(on) => sandbox.set_interactive(*on),
            }
        }
        sandbox
    }

    fn record(&mut self, input: Input) {
        if self.transcript.len() >= TRANSCRIPT_MAX {
            self.transcript.remove(0);
        }
        self.transcript.push(input);
    }

    /// Every input so far, in order.
    pub fn transcript(&self) -> &[Input] {
        &self.transcript
    }

    /// Read access to the cluster (for the UI's views).
    pub fn cluster(&self) -> &Cluster {
        &self.world.cluster
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn brokers(&self) -> u32 {
        self.world.brokers
    }

    pub fn seed(&self) -> u64 {
        self.world.seed
    }

    pub fn now_ms(&self) -> i64 {
        self.world.cluster.now_ms()
    }

    /// Bounds the work one input may cause (not recorded in the transcript: a replay must set
    /// the same limits first).
    pub fn set_limits(&mut self, limits: WorkLimits) {
        self.world.limits = limits;
    }

    /// Marks the session as scripted (stdin not a terminal): tools then behave as with a pipe.
    pub fn set_interactive(&mut self, interactive: bool) {
        self.record(Input::Interactive(interactive));
        self.world.interactive = interactive;
    }

    /// Opens a terminal (None when [`TERMS_MAX`] are open).
    pub fn open_terminal(&mut self) -> Option<TermId> {
        if self.terms.len() >= TERMS_MAX {
            return None;
        }
        let id = self.next_term;
        self.next_term += 1;
        self.record(Input::Open(id));
        self.terms.insert(id, Term::default());
        Some(id)
    }

    /// Closes a terminal: its processes are killed (SIGHUP), its pending output dropped.
    pub fn close_terminal(&mut self, term: TermId) {
        if self.terms.remove(&term).is_none() {
            return;
        }
        self.record(Input::Close(term));
        let ids: Vec<ProcId> = self.world.procs.iter().filter(|(_, s)| s.term == term).map(|(id, _)| *id).collect();
        for id in ids {
            self.world.procs.remove(&id);
        }
        self.world.outbox.remove(&term);
    }

    pub fn terminals(&self) -> Vec<TermId> {
        self.terms.keys().copied().collect()
    }

    fn session(&mut self, term: TermId) -> Option<Session<'_>> {
        let t = self.terms.get_mut(&term)?;
        Some(Session::new(&mut self.world, t, term))
    }

    /// Runs one line as typed at `term` and returns what the terminal shows meanwhile.
    pub fn run(&mut self, term: TermId, line: &str) -> Vec<Chunk> {
        if !self.terms.contains_key(&term) {
            return Vec::new();
        }
        self.record(Input::Line(term, line.to_string()));
        let out = self.session(term).map(|mut s| s.run(line)).unwrap_or_default();
        self.settle_others(term);
        out
    }

    /// Ctrl-D at `term`.
    pub fn eof(&mut self, term: TermId) -> Vec<Chunk> {
        if !self.terms.contains_key(&term) {
            return Vec::new();
        }
        self.record(Input::Eof(term));
        let out = self.session(term).map(|mut s| s.eof()).unwrap_or_default();
        self.settle_others(term);
        out
    }

    /// Ctrl-C at `term`.
    pub fn interrupt(&mut self, term: TermId) -> Vec<Chunk> {
        if !self.terms.contains_key(&term) {
            return Vec::new();
        }
        self.record(Input::Interrupt(term));
        let out = self.session(term).map(|mut s| s.interrupt()).unwrap_or_default();
        self.settle_others(term);
        out
    }

    /// Simulated time passes (the UI clock): running tools do their work. Returns, per terminal,
    /// what it printed meanwhile (terminals with nothing new are left out).
    pub fn advance(&mut self, ms: u64) -> Vec<(TermId, Vec<Chunk>)> {
        let ms = ms.min(ADVANCE_MS_MAX).min(self.world.limits.advance_ms_max);
        self.record(Input::Advance(ms));
        self.world.advance(ms as i64, SLICE_MS);
        self.settle_others(0);
        let mut out = Vec::new();
        for term in self.terminals() {
            let chunks = self.world.take_outbox(term);
            if !chunks.is_empty() {
                out.push((term, chunks));
            }
        }
        out
    }

    /// Output a terminal produced while it was not the one being driven (its background jobs,
    /// or its foreground tool while another terminal advanced time).
    pub fn take_output(&mut self, term: TermId) -> Vec<Chunk> {
        self.world.take_outbox(term)
    }

    /// After time moved: every terminal other than `except` notices its processes' ends (and
    /// runs the rest of a command line its foreground process held up).
    fn settle_others(&mut self, except: TermId) {
        for term in self.terminals() {
            if term == except {
                continue;
            }
            if let Some(mut session) = self.session(term) {
                let chunks = session.notice();
                for chunk in chunks {
                    self.world.print(term, chunk);
                }
            }
        }
    }

    pub fn mode(&self, term: TermId) -> Mode {
        match self.terms.get(&term) {
            Some(t) => mode_of(t, &self.world),
            None => Mode::Command,
        }
    }

    /// The prompt to show before the next line.
    pub fn prompt(&self, term: TermId) -> &'static str {
        match self.mode(term) {
            Mode::Command => "$ ",
            Mode::Continuation => "> ",
            Mode::ToolInput => {
                let fg = self.terms.get(&term).and_then(|t| t.foreground.as_ref());
                fg.map_or(">", |fg| self.world.tool_prompt(fg.proc))
            }
            Mode::Running => "",
        }
    }

    /// Tab completion: the candidates for the last word of `line`.
    pub fn complete(&self, _term: TermId, line: &str) -> Vec<String> {
        let cluster = &self.world.cluster;
        let groups = cluster.peek_groups();
        let names = super::tools::CompletionNames {
            files: self.world.files.keys().map(String::as_str).collect(),
            topics: cluster.topic_names(),
            groups: groups.iter().map(|(g, _)| g.group_id.clone()).collect(),
            transactional_ids: Vec::new(),
        };
        super::tools::complete(line, &names)
    }

    pub fn history(&self, term: TermId) -> &[String] {
        self.terms.get(&term).map_or(&[], |t| t.history.as_slice())
    }

    /// The exit status of the last command at `term` (`$?`).
    pub fn last_status(&self, term: TermId) -> i32 {
        self.terms.get(&term).map_or(0, |t| t.last_status)
    }

    /// The cluster's events from `cursor` on (the UI animates them; lessons keep the facts their
    /// goals need); moves `cursor` past them. A reader that fell more than [`EVENT_LOG_MAX`] events
    /// behind misses the oldest. Reading changes nothing a replay depends on, so it is not recorded.
    pub fn events_since(&mut self, cursor: &mut u64) -> Vec<crate::engine::Event> {
        let log = &mut self.events;
        for event in self.world.cluster.drain_events() {
            if log.events.len() == EVENT_LOG_MAX {
                log.events.pop_front();
            }
            log.events.push_back(event);
            log.next_seq += 1;
        }
        let first_seq = log.next_seq - log.events.len() as u64;
        let start = (*cursor).max(first_seq);
        *cursor = log.next_seq;
        log.events.iter().skip((start - first_seq) as usize).cloned().collect()
    }
}

pub(crate) fn mode_of(t: &Term, world: &World) -> Mode {
    if let Some(fg) = &t.foreground {
        if !matches!(world.state(fg.proc), None | Some(ProcState::Exited(_))) {
            return if fg.reads_terminal { Mode::ToolInput } else { Mode::Running };
        }
    }
    if !t.pending.is_empty() {
        Mode::Continuation
    } else {
        Mode::Command
    }
}

/// A sandbox with one terminal: the convenience the tests, `sandbox-shell` and the first UI use.
pub struct Shell {
    sandbox: Sandbox,
    term: TermId,
}

impl Shell {
    /// A shell bound to a fresh cluster of `brokers` brokers, simulated from `seed`.
    pub fn new(brokers: u32, seed: u64) -> Shell {
        let mut sandbox = Sandbox::new(brokers, seed);
        let term = sandbox.open_terminal().expect("a new sandbox has room for a terminal");
        Shell { sandbox, term }
    }

    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    pub fn sandbox_mut(&mut self) -> &mut Sandbox {
        &mut self.sandbox
    }

    pub fn term(&self) -> TermId {
        self.term
    }

    pub fn brokers(&self) -> u32 {
        self.sandbox.brokers()
    }

    pub fn seed(&self) -> u64 {
        self.sandbox.seed()
    }

    pub fn cluster(&self) -> &Cluster {
        self.sandbox.cluster()
    }

    pub fn set_interactive(&mut self, interactive: bool) {
        self.sandbox.set_interactive(interactive);
    }

    pub fn set_limits(&mut self, limits: WorkLimits) {
        self.sandbox.set_limits(limits);
    }

    pub fn last_status(&self) -> i32 {
        self.sandbox.last_status(self.term)
    }

    pub fn history(&self) -> &[String] {
        self.sandbox.history(self.term)
    }

    /// Simulated time in ms.
    pub fn now_ms(&self) -> u64 {
        self.sandbox.now_ms().max(0) as u64
    }

    pub fn mode(&self) -> Mode {
        self.sandbox.mode(self.term)
    }

    pub fn prompt(&self) -> &'static str {
        self.sandbox.prompt(self.term)
    }

    pub fn run(&mut self, line: &str) -> Vec<Chunk> {
        self.sandbox.run(self.term, line)
    }

    pub fn eof(&mut self) -> Vec<Chunk> {
        self.sandbox.eof(self.term)
    }

    pub fn interrupt(&mut self) -> Vec<Chunk> {
        self.sandbox.interrupt(self.term)
    }

    /// Simulated time passes; returns what the terminal printed meanwhile.
    pub fn advance(&mut self, ms: u64) -> Vec<Chunk> {
        self.sandbox.advance(ms).into_iter().flat_map(|(_, chunks)| chunks).collect()
    }

    /// Output produced by background jobs since the last collection.
    pub fn take_background_output(&mut self) -> Vec<Chunk> {
        self.sandbox.take_output(self.term)
    }

    pub fn complete(&self, line: &str) -> Vec<String> {
        self.sandbox.complete(self.term, line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    /// Prints `tick N` every second of simulated time, exits after `count` ticks.
    struct Ticker {
        next_ms: i64,
        left: u32,
    }

    impl Process for Ticker {
        fn poll(&mut self, cx: &mut ProcCx<'_>) -> ProcState {
            while self.left > 0 && cx.now_ms() >= self.next_ms {
                self.left -= 1;
                cx.stdout(format!("tick at {}\n", self.next_ms));
                self.next_ms += 1000;
            }
            if self.left == 0 {
                ProcState::Exited(0)
            } else {
                ProcState::Idle
            }
        }
    }

    fn text(chunks: &[Chunk]) -> String {
        chunks.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn terminals_share_one_cluster_and_file_system() {
        let mut sandbox = Sandbox::new(3, 7);
        let a = sandbox.open_terminal().expect("room");
        let b = sandbox.open_terminal().expect("room");
        assert_ne!(a, b);
        assert!(sandbox.run(a, "echo hello > greeting").is_empty());
        assert_eq!(text(&sandbox.run(b, "cat greeting")), "hello\n");
        sandbox.run(a, "sleep 2");
        assert_eq!(sandbox.now_ms(), 2000);
        assert_eq!(text(&sandbox.run(b, "sim time")), "2000 ms\n");
        // Each terminal has its own history and `$?`.
        sandbox.run(b, "false");
        assert_eq!(sandbox.last_status(b), 1);
        assert_eq!(sandbox.last_status(a), 0);
        assert_eq!(sandbox.history(a), &["echo hello > greeting".to_string(), "sleep 2".to_string()]);
    }

    #[test]
    fn a_process_prints_to_its_own_terminal_as_time_advances() {
        let mut sandbox = Sandbox::new(1, 1);
        let a = sandbox.open_terminal().expect("room");
        let b = sandbox.open_terminal().expect("room");
        let sinks = [Sink::Terminal(Stream::Out), Sink::Terminal(Stream::Err)];
        let id = sandbox.world.spawn(b, Box::new(Ticker { next_ms: 1000, left: 3 }), sinks, String::new(), false).expect("spawn");
        sandbox.terms.get_mut(&b).expect("b").foreground = Some(Foreground { proc: id, reads_terminal: false, text: "ticker".into() });
        assert_eq!(sandbox.mode(b), Mode::Running);
        assert_eq!(sandbox.prompt(b), "");
        let out = sandbox.advance(2500);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].0, b);
        assert_eq!(text(&out[0].1), "tick at 1000\ntick at 2000\n");
        // Time moved by terminal a reaches b's process too; b shows it when asked.
        sandbox.run(a, "sleep 1");
        assert_eq!(text(&sandbox.take_output(b)), "tick at 3000\n");
        assert_eq!(sandbox.mode(b), Mode::Command);
    }

    #[test]
    fn interrupt_stops_the_foreground_process_with_status_130() {
        let mut sandbox = Sandbox::new(1, 1);
        let t = sandbox.open_terminal().expect("room");
        let sinks = [Sink::Terminal(Stream::Out), Sink::Terminal(Stream::Err)];
        let id = sandbox.world.spawn(t, Box::new(Ticker { next_ms: 1000, left: 100 }), sinks, String::new(), false).expect("spawn");
        sandbox.terms.get_mut(&t).expect("t").foreground = Some(Foreground { proc: id, reads_terminal: false, text: "ticker".into() });
        sandbox.advance(1000);
        assert_eq!(text(&sandbox.interrupt(t)), "^C");
        assert_eq!(sandbox.mode(t), Mode::Command);
        assert_eq!(sandbox.last_status(t), 130);
        assert!(sandbox.advance(5000).is_empty());
    }

    #[test]
    fn replaying_the_transcript_rebuilds_the_session() {
        let mut sandbox = Sandbox::new(3, 42);
        let a = sandbox.open_terminal().expect("room");
        let b = sandbox.open_terminal().expect("room");
        sandbox.run(a, "echo one > f");
        sandbox.advance(1500);
        sandbox.run(b, "cat <<EOF >> f");
        sandbox.run(b, "two");
        sandbox.run(b, "EOF");
        sandbox.close_terminal(a);
        let replayed = Sandbox::replay(3, 42, sandbox.transcript());
        assert_eq!(replayed.transcript(), sandbox.transcript());
        assert_eq!(replayed.now_ms(), 1500);
        assert_eq!(replayed.terminals(), vec![b]);
        assert_eq!(replayed.world().files, sandbox.world().files);
        assert_eq!(replayed.world().files.get("f").map(String::as_str), Some("one\ntwo\n"));
    }

    #[test]
    fn terminals_are_bounded_and_closed_ones_ignore_input() {
        let mut sandbox = Sandbox::new(3, 1);
        let ids: Vec<_> = (0..TERMS_MAX).map(|_| sandbox.open_terminal().expect("room")).collect();
        assert_eq!(sandbox.open_terminal(), None);
        sandbox.close_terminal(ids[0]);
        assert!(sandbox.run(ids[0], "echo x").is_empty());
        assert!(sandbox.open_terminal().is_some());
    }
}

#[cfg(test)]
mod event_log_tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    /// Guards the bug where one reader (the UI) drained the engine's events and another (lesson
    /// goals) never saw them: every reader keeps its own cursor.
    #[test]
    fn two_readers_each_see_every_event() {
        let mut sandbox = Sandbox::new(3, 1);
        let term = sandbox.open_terminal().expect("a terminal");
        let (mut ui, mut lessons) = (0u64, 0u64);
        sandbox.run(term, "kafka-topics --bootstrap-server localhost:9092 --create --topic t --partitions 2 --replication-factor 3");
        let seen_by_ui = sandbox.events_since(&mut ui);
        assert!(!seen_by_ui.is_empty());
        assert!(sandbox.events_since(&mut ui).is_empty(), "a cursor moves past what it read");
        assert_eq!(sandbox.events_since(&mut lessons), seen_by_ui);
        sandbox.run(term, "sim crash 1");
        let more = sandbox.events_since(&mut lessons);
        assert!(!more.is_empty());
        assert_eq!(sandbox.events_since(&mut ui), more);
    }
}

#[cfg(test)]
mod completion_tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    /// Tab completion offers the session's own topics and groups after the flags that take them.
    #[test]
    fn completes_the_sessions_topics_and_groups() {
        let mut sandbox = Sandbox::new(3, 1);
        let term = sandbox.open_terminal().expect("a terminal");
        sandbox.run(term, "kafka-topics --bootstrap-server localhost:9092 --create --topic orders");
        sandbox.run(term, "kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --group billing --timeout-ms 5000");
        assert_eq!(sandbox.complete(term, "kafka-console-producer --bootstrap-server localhost:9092 --topic o"), vec!["orders"]);
        assert_eq!(sandbox.complete(term, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group "), vec!["billing"]);
        assert!(sandbox.complete(term, "kafka-topics --topic ").contains(&"__consumer_offsets".to_string()));
    }
}
