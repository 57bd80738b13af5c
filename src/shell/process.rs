//! Running tools: a tool that lives across simulated time (a console consumer waiting for records,
//! an interactive producer, a background perf test) is a [`Process`].
//!
//! The sandbox polls every live process after each slice of simulated time (see
//! [`crate::shell::World::advance`]); a process does its work against the cluster, writes output
//! through its [`ProcCx`], and answers whether it is still [`ProcState::Busy`] (the shell keeps
//! time running while a foreground process is busy), [`ProcState::Idle`] (waiting for input or for
//! something to happen: control returns to the person at the terminal) or has
//! [`ProcState::Exited`].
//!
//! Lines of stdin (typed at the terminal for a foreground process, or a pipe / here-document given
//! all at once) arrive through [`Process::input`] and [`Process::eof`]; Ctrl-C and `kill` arrive
//! through [`Process::signal`].

use crate::engine::Cluster;

use super::{Chunk, Outcome};

/// Identifies a process in the sandbox (never reused within a sandbox).
pub type ProcId = u64;

/// Where a process stands after a poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcState {
    /// Work in flight (sends not yet acknowledged, records still to print): keep time running.
    Busy,
    /// Waiting for input or for the cluster to change.
    Idle,
    /// The process ended with this exit status.
    Exited(i32),
}

/// Signals a process can receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C at the terminal (exit status 130 by convention).
    Interrupt,
    /// `kill %N` (SIGTERM, exit status 143).
    Terminate,
    /// `kill -9 %N` (SIGKILL, exit status 137): the process dies at once. No shutdown hook runs,
    /// so it prints nothing and its clients close nothing (no commit, no LeaveGroup).
    Kill,
}

impl Signal {
    /// The exit status a process killed by this signal reports (128 + signal number).
    pub fn status(self) -> i32 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
            Signal::Kill => 137,
        }
    }

    /// `kill`'s signal from a number or name (`9`, `KILL`, `SIGKILL`); None if unknown here.
    pub fn parse(spec: &str) -> Option<Signal> {
        let name = spec.strip_prefix("SIG").unwrap_or(spec);
        match name.to_ascii_uppercase().as_str() {
            "2" | "INT" => Some(Signal::Interrupt),
            "15" | "TERM" => Some(Signal::Terminate),
            "9" | "KILL" => Some(Signal::Kill),
            _ => None,
        }
    }

    /// How bash reports a job this signal ended (`[1]+  Killed   ...`).
    pub fn job_status(self) -> &'static str {
        match self {
            Signal::Interrupt => "Interrupt",
            Signal::Terminate => "Terminated",
            Signal::Kill => "Killed",
        }
    }
}

/// What a process may touch while it runs: the cluster and its own output streams.
pub struct ProcCx<'a> {
    pub cluster: &'a mut Cluster,
    /// Output produced during this call, in order; the sandbox routes it (terminal, file, pipe).
    pub out: &'a mut Vec<Chunk>,
    /// The session is driven from a terminal (prompts such as the producer's `>` are shown).
    pub interactive: bool,
    /// The process is a background job (`cmd &`): nobody waits for it.
    pub background: bool,
}

impl ProcCx<'_> {
    pub fn stdout(&mut self, text: impl Into<String>) {
        self.out.push(Chunk::out(text));
    }
    pub fn stderr(&mut self, text: impl Into<String>) {
        self.out.push(Chunk::err(text));
    }
    pub fn now_ms(&self) -> i64 {
        self.cluster.now_ms()
    }
}

/// A tool that runs across simulated time.
pub trait Process {
    /// Called once when the process starts and after every slice of simulated time.
    fn poll(&mut self, cx: &mut ProcCx<'_>) -> ProcState;

    /// One line of stdin (without its newline).
    fn input(&mut self, _cx: &mut ProcCx<'_>, _line: &str) {}

    /// End of stdin (Ctrl-D, or the end of a pipe / here-document).
    fn eof(&mut self, _cx: &mut ProcCx<'_>) {}

    /// Ctrl-C or `kill`: the process may print its last words; returns its exit status.
    fn signal(&mut self, _cx: &mut ProcCx<'_>, signal: Signal) -> i32 {
        signal.status()
    }

    /// True if the process reads the terminal when nothing is piped to it (the console producer,
    /// `kcat -P`): typed lines then go to [`Process::input`].
    fn reads_stdin(&self) -> bool {
        false
    }

    /// The prompt the terminal shows while this process reads it (the console producer prints
    /// `>`; kcat prints nothing).
    fn prompt(&self) -> &'static str {
        ">"
    }

    /// Simulated time a foreground process may keep the shell busy before control returns to the
    /// terminal anyway (a bound, so that nothing runs unbounded).
    fn busy_limit_ms(&self) -> i64 {
        BUSY_LIMIT_MS
    }
}

/// Default bound on how long a foreground process may stay busy in one go.
pub const BUSY_LIMIT_MS: i64 = 120_000;

/// What executing a validated request gives: a finished command, or a process that runs on.
pub enum Exec {
    Done(Outcome),
    Spawn(Box<dyn Process>),
}

impl From<Outcome> for Exec {
    fn from(outcome: Outcome) -> Exec {
        Exec::Done(outcome)
    }
}

impl std::fmt::Debug for Exec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exec::Done(outcome) => f.debug_tuple("Done").field(outcome).finish(),
            Exec::Spawn(_) => f.write_str("Spawn(..)"),
        }
    }
}
