//! The UI's one door into the simulation: a thin adapter around the shell.
//!
//! Today (shell phase 1) every terminal tab is its own [`Shell`], each with its own clock; a clock
//! advance from the header is sent to every shell, and the clock shown is the latest of them.
//! Next, the shell will own ONE cluster shared by several terminal sessions: this module is the
//! only place that changes then (one shared shell/cluster, `open`/`close` become sessions on it,
//! `advance` goes to the cluster once, and a `cluster()` view feeds the cluster panels).
//!
//! Everything that changes the simulation arrives here as a [`super::transcript::Entry`]
//! (through [`super::session::Session`]), so it is recorded and replays.

use std::collections::BTreeMap;

use super::transcript::TermId;
use crate::shell::tools::sim::SimCommand;
use crate::shell::tools::Request;
use crate::shell::{Chunk, Mode, Shell};

/// Why the sandbox refused an operation (only a bug in the caller gets one: the session checks
/// entries before they arrive here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SandboxError {
    NoSuchTerminal(TermId),
    TerminalExists(TermId),
}

pub struct Sandbox {
    brokers: u32,
    seed: u64,
    shells: BTreeMap<TermId, Shell>,
}

impl Sandbox {
    /// A sandbox with `brokers` brokers simulated from `seed`, and no terminal yet.
    pub fn new(brokers: u32, seed: u64) -> Sandbox {
        Sandbox { brokers, seed, shells: BTreeMap::new() }
    }

    pub fn brokers(&self) -> u32 {
        self.brokers
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Opens terminal session `term`.
    pub fn open(&mut self, term: TermId) -> Result<(), SandboxError> {
        if self.shells.contains_key(&term) {
            return Err(SandboxError::TerminalExists(term));
        }
        self.shells.insert(term, Shell::new(self.brokers, self.seed));
        Ok(())
    }

    /// Closes terminal session `term` (its foreground tool and jobs end with it).
    pub fn close(&mut self, term: TermId) -> Result<(), SandboxError> {
        self.shells.remove(&term).map(|_| ()).ok_or(SandboxError::NoSuchTerminal(term))
    }

    fn shell(&mut self, term: TermId) -> Result<&mut Shell, SandboxError> {
        self.shells.get_mut(&term).ok_or(SandboxError::NoSuchTerminal(term))
    }

    /// A line typed into terminal `term`.
    pub fn run(&mut self, term: TermId, line: &str) -> Result<Vec<Chunk>, SandboxError> {
        Ok(self.shell(term)?.run(line))
    }

    /// Ctrl-D in terminal `term`.
    pub fn eof(&mut self, term: TermId) -> Result<Vec<Chunk>, SandboxError> {
        Ok(self.shell(term)?.eof())
    }

    /// Ctrl-C in terminal `term`.
    pub fn interrupt(&mut self, term: TermId) -> Result<Vec<Chunk>, SandboxError> {
        Ok(self.shell(term)?.interrupt())
    }

    /// Lets `ms` of simulated time pass: the `sim advance <ms>ms` command, run through the
    /// shell's request path (not typed, so it stays out of the terminal's history).
    pub fn advance(&mut self, ms: u64) -> Vec<(TermId, Chunk)> {
        let mut out = Vec::new();
        for (term, shell) in self.shells.iter_mut() {
            let outcome = shell.execute(Request::Sim(SimCommand::Advance { ms }), None);
            out.extend(outcome.chunks.into_iter().map(|c| (*term, c)));
        }
        out
    }

    /// Output background jobs produced since the last call, per terminal.
    pub fn take_background_output(&mut self) -> Vec<(TermId, Chunk)> {
        let mut out = Vec::new();
        for (term, shell) in self.shells.iter_mut() {
            out.extend(shell.take_background_output().into_iter().map(|c| (*term, c)));
        }
        out
    }

    pub fn complete(&self, term: TermId, line: &str) -> Vec<String> {
        self.shells.get(&term).map(|s| s.complete(line)).unwrap_or_default()
    }

    pub fn prompt(&self, term: TermId) -> &'static str {
        self.shells.get(&term).map(|s| s.prompt()).unwrap_or("$ ")
    }

    pub fn mode(&self, term: TermId) -> Mode {
        self.shells.get(&term).map(|s| s.mode()).unwrap_or(Mode::Command)
    }

    pub fn history(&self, term: TermId) -> Vec<String> {
        self.shells.get(&term).map(|s| s.history().to_vec()).unwrap_or_default()
    }

    /// The simulated clock (phase 1: the latest clock among the terminals' shells).
    pub fn now_ms(&self) -> u64 {
        self.shells.values().map(|s| s.now_ms()).max().unwrap_or(0)
    }
}
