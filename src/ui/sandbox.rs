//! The UI's one door into the simulation: a thin adapter around [`crate::shell::Sandbox`], the
//! one simulated cluster shared by every terminal tab.
//!
//! The UI numbers its tabs itself (ids from 1, never reused, recorded in the UI transcript); the
//! shell numbers its terminals the same way but independently, so this adapter keeps the map.
//! Everything that changes the simulation arrives here as a [`super::transcript::Entry`]
//! (through [`super::session::Session`]), so it is recorded and replays.

use std::collections::BTreeMap;

use super::transcript::TermId;
use crate::engine::Cluster;
use crate::shell::{self, Chunk, Mode};

/// Why the sandbox refused an operation (only a bug in the caller gets one: the session checks
/// entries before they arrive here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SandboxError {
    NoSuchTerminal(TermId),
    TerminalExists(TermId),
    TooManyTerminals,
}

pub struct Sandbox {
    inner: shell::Sandbox,
    /// UI tab id -> the shell's terminal id.
    terms: BTreeMap<TermId, shell::TermId>,
}

impl Sandbox {
    /// A sandbox with `brokers` brokers simulated from `seed`, and no terminal yet.
    pub fn new(brokers: u32, seed: u64) -> Sandbox {
        Sandbox { inner: shell::Sandbox::new(brokers, seed), terms: BTreeMap::new() }
    }

    pub fn brokers(&self) -> u32 {
        self.inner.brokers()
    }

    pub fn seed(&self) -> u64 {
        self.inner.seed()
    }

    /// The simulated cluster, read-only, for the cluster views.
    pub fn cluster(&self) -> &Cluster {
        self.inner.cluster()
    }

    /// The shell sandbox, read-only (lesson goals observe it).
    pub fn shell(&self) -> &shell::Sandbox {
        &self.inner
    }

    /// The cluster's events from `cursor` on (see [`shell::Sandbox::events_since`]).
    pub fn events_since(&mut self, cursor: &mut u64) -> Vec<crate::engine::Event> {
        self.inner.events_since(cursor)
    }

    /// Opens terminal session `term`.
    pub fn open(&mut self, term: TermId) -> Result<(), SandboxError> {
        if self.terms.contains_key(&term) {
            return Err(SandboxError::TerminalExists(term));
        }
        let id = self.inner.open_terminal().ok_or(SandboxError::TooManyTerminals)?;
        self.terms.insert(term, id);
        Ok(())
    }

    /// Closes terminal session `term` (its foreground tool and jobs end with it).
    pub fn close(&mut self, term: TermId) -> Result<(), SandboxError> {
        let id = self.terms.remove(&term).ok_or(SandboxError::NoSuchTerminal(term))?;
        self.inner.close_terminal(id);
        Ok(())
    }

    fn id(&self, term: TermId) -> Result<shell::TermId, SandboxError> {
        self.terms.get(&term).copied().ok_or(SandboxError::NoSuchTerminal(term))
    }

    /// A line typed into terminal `term`: what it printed. (What other terminals printed
    /// meanwhile comes from [`Sandbox::take_background_output`].)
    pub fn run(&mut self, term: TermId, line: &str) -> Result<Vec<Chunk>, SandboxError> {
        let id = self.id(term)?;
        Ok(self.inner.run(id, line))
    }

    /// Ctrl-D in terminal `term`.
    pub fn eof(&mut self, term: TermId) -> Result<Vec<Chunk>, SandboxError> {
        let id = self.id(term)?;
        Ok(self.inner.eof(id))
    }

    /// Ctrl-C in terminal `term`.
    pub fn interrupt(&mut self, term: TermId) -> Result<Vec<Chunk>, SandboxError> {
        let id = self.id(term)?;
        Ok(self.inner.interrupt(id))
    }

    /// Lets `ms` of simulated time pass for the whole cluster; returns what each terminal's
    /// running tools printed meanwhile.
    pub fn advance(&mut self, ms: u64) -> Vec<(TermId, Chunk)> {
        let printed = self.inner.advance(ms);
        let mut out = Vec::new();
        for (id, chunks) in printed {
            if let Some(term) = self.tab_of(id) {
                out.extend(chunks.into_iter().map(|c| (term, c)));
            }
        }
        out
    }

    fn tab_of(&self, id: shell::TermId) -> Option<TermId> {
        self.terms.iter().find(|(_, v)| **v == id).map(|(k, _)| *k)
    }

    /// Output terminals produced while they were not the one being driven, per terminal.
    pub fn take_background_output(&mut self) -> Vec<(TermId, Chunk)> {
        let mut out = Vec::new();
        let terms: Vec<(TermId, shell::TermId)> = self.terms.iter().map(|(k, v)| (*k, *v)).collect();
        for (term, id) in terms {
            out.extend(self.inner.take_output(id).into_iter().map(|c| (term, c)));
        }
        out
    }

    pub fn complete(&self, term: TermId, line: &str) -> Vec<String> {
        self.id(term).map(|id| self.inner.complete(id, line)).unwrap_or_default()
    }

    pub fn prompt(&self, term: TermId) -> &'static str {
        self.id(term).map(|id| self.inner.prompt(id)).unwrap_or("$ ")
    }

    pub fn mode(&self, term: TermId) -> Mode {
        self.id(term).map(|id| self.inner.mode(id)).unwrap_or(Mode::Command)
    }

    pub fn history(&self, term: TermId) -> Vec<String> {
        self.id(term).map(|id| self.inner.history(id).to_vec()).unwrap_or_default()
    }

    /// The simulated clock, in milliseconds.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.inner.now_ms()).unwrap_or(0)
    }
}
