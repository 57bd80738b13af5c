//! The session as a transcript: every learner action that changes the simulation, in order.
//!
//! The state of the sandbox is a pure function of (seed, brokers, transcript): replaying the
//! same entries into a fresh shell gives the same terminals, byte for byte. That one fact gives
//! undo and redo (replay minus or plus the last entry), reset, autosave, export and share links
//! for free. So an entry records what the learner DID (a line typed into terminal 2, Ctrl-C, a
//! click on "step"), never what the simulation answered.
//!
//! Pure logic, no DOM: unit tested in the browser test run.

use serde::{Deserialize, Serialize};

/// A terminal tab's id: 1 for the tab every session starts with, then 2, 3, ... in opening order.
/// Ids are never reused within a session, so a replayed transcript addresses the same tabs.
pub type TermId = u32;

/// The terminal a fresh session starts with (never recorded as an `open` entry).
pub const TERM_FIRST: TermId = 1;

/// Entries a transcript may hold. Beyond it the learner is asked to export and reset: replaying
/// (undo) stays fast and a saved session stays loadable.
pub const ENTRIES_MAX: usize = 2_000;
/// Bytes in one typed line (the shell's own input limit is larger; this bounds what we store).
pub const LINE_BYTES_MAX: usize = 4 * 1024;
/// Terminal tabs open at the same time.
pub const TERMINALS_OPEN_MAX: usize = 8;
/// Simulated time one `advance` entry may hold (the shell's `sim advance` accepts up to a year).
pub const ADVANCE_MS_MAX: u64 = 365 * 86_400_000;

/// One learner action. As JSON, an object with the action in `op` and the variant's fields after
/// it: `{"op":"run","term":1,"line":"ls"}`, `{"op":"advance","ms":500}`. Read strictly: a known
/// `op` and exactly that action's fields (range checks beyond the types are [`validate`]'s).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Entry {
    /// A line typed into a terminal and submitted with Enter (a command, a continuation line, or
    /// a line of input for a foreground tool such as the console producer).
    Run { term: TermId, line: String },
    /// Ctrl-D in a terminal.
    Eof { term: TermId },
    /// Ctrl-C in a terminal.
    Interrupt { term: TermId },
    /// A new terminal tab (its id is the next unused one).
    Open { term: TermId },
    /// A terminal tab closed.
    Close { term: TermId },
    /// Simulated time passing, from the clock controls (play, step): `sim advance <ms>ms`.
    Advance { ms: u64 },
}

/// Why a transcript is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TranscriptError {
    TooManyEntries { entries: usize },
    LineTooLong { index: usize, bytes: usize },
    LineHasNewline { index: usize },
    UnknownTerminal { index: usize, term: TermId },
    TerminalNotNext { index: usize, term: TermId, expected: TermId },
    TooManyTerminals { index: usize },
    LastTerminal { index: usize },
    AdvanceOutOfRange { index: usize, ms: u64 },
}

impl std::fmt::Display for TranscriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Entry numbers are shown 1-based, as a person counts them.
        match self {
            TranscriptError::TooManyEntries { entries } => {
                write!(f, "it has {entries} entries (at most {ENTRIES_MAX})")
            }
            TranscriptError::LineTooLong { index, bytes } => {
                write!(f, "entry {} is a line of {bytes} bytes (at most {LINE_BYTES_MAX})", index + 1)
            }
            TranscriptError::LineHasNewline { index } => write!(f, "entry {} holds a line break", index + 1),
            TranscriptError::UnknownTerminal { index, term } => {
                write!(f, "entry {} uses terminal {term}, which is not open", index + 1)
            }
            TranscriptError::TerminalNotNext { index, term, expected } => {
                write!(f, "entry {} opens terminal {term}, expected {expected}", index + 1)
            }
            TranscriptError::TooManyTerminals { index } => {
                write!(f, "entry {} opens more than {TERMINALS_OPEN_MAX} terminals", index + 1)
            }
            TranscriptError::LastTerminal { index } => write!(f, "entry {} closes the last terminal", index + 1),
            TranscriptError::AdvanceOutOfRange { index, ms } => {
                write!(f, "entry {} advances the clock by {ms} ms (1..={ADVANCE_MS_MAX})", index + 1)
            }
        }
    }
}

/// Which terminals are open as a transcript is followed: the one piece of state validation needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tabs {
    pub open: Vec<TermId>,
    pub next: TermId,
}

impl Default for Tabs {
    fn default() -> Self {
        Tabs { open: vec![TERM_FIRST], next: TERM_FIRST + 1 }
    }
}

impl Tabs {
    /// Checks `entry` (the `index`th) against the open tabs and, if it is acceptable, applies it.
    pub fn admit(&mut self, index: usize, entry: &Entry) -> Result<(), TranscriptError> {
        let known = |term: TermId| -> Result<(), TranscriptError> {
            if self.open.contains(&term) {
                Ok(())
            } else {
                Err(TranscriptError::UnknownTerminal { index, term })
            }
        };
        match entry {
            Entry::Run { term, line } => {
                known(*term)?;
                if line.len() > LINE_BYTES_MAX {
                    return Err(TranscriptError::LineTooLong { index, bytes: line.len() });
                }
                if line.contains(['\n', '\r']) {
                    return Err(TranscriptError::LineHasNewline { index });
                }
            }
            Entry::Eof { term } | Entry::Interrupt { term } => known(*term)?,
            Entry::Open { term } => {
                if *term != self.next {
                    return Err(TranscriptError::TerminalNotNext { index, term: *term, expected: self.next });
                }
                if self.open.len() >= TERMINALS_OPEN_MAX {
                    return Err(TranscriptError::TooManyTerminals { index });
                }
                self.open.push(*term);
                self.next += 1;
            }
            Entry::Close { term } => {
                known(*term)?;
                if self.open.len() == 1 {
                    return Err(TranscriptError::LastTerminal { index });
                }
                self.open.retain(|t| t != term);
            }
            Entry::Advance { ms } => {
                if *ms == 0 || *ms > ADVANCE_MS_MAX {
                    return Err(TranscriptError::AdvanceOutOfRange { index, ms: *ms });
                }
            }
        }
        debug_assert!(!self.open.is_empty() && self.open.len() <= TERMINALS_OPEN_MAX);
        Ok(())
    }
}

/// Checks a whole transcript, as loaded from storage, a file or a share link.
pub fn validate(entries: &[Entry]) -> Result<Tabs, TranscriptError> {
    if entries.len() > ENTRIES_MAX {
        return Err(TranscriptError::TooManyEntries { entries: entries.len() });
    }
    let mut tabs = Tabs::default();
    for (index, entry) in entries.iter().enumerate() {
        tabs.admit(index, entry)?;
    }
    Ok(tabs)
}

/// Appends `entry`, merging it into the last entry when both are clock advances: pressing play
/// for a minute is one entry, not six hundred, and one undo takes it back.
/// Returns false (and changes nothing) when the transcript is full.
pub fn push_merging(entries: &mut Vec<Entry>, entry: Entry) -> bool {
    if let (Some(Entry::Advance { ms: last }), Entry::Advance { ms }) = (entries.last_mut(), &entry) {
        if let Some(sum) = last.checked_add(*ms).filter(|sum| *sum <= ADVANCE_MS_MAX) {
            *last = sum;
            return true;
        }
    }
    if entries.len() >= ENTRIES_MAX {
        return false;
    }
    entries.push(entry);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn run(term: TermId, line: &str) -> Entry {
        Entry::Run { term, line: line.to_string() }
    }

    #[wasm_bindgen_test]
    fn advances_merge_into_one_entry() {
        let mut entries = vec![run(1, "help")];
        assert!(push_merging(&mut entries, Entry::Advance { ms: 100 }));
        assert!(push_merging(&mut entries, Entry::Advance { ms: 250 }));
        assert_eq!(entries, vec![run(1, "help"), Entry::Advance { ms: 350 }]);
        assert!(push_merging(&mut entries, run(1, "ls")));
        assert!(push_merging(&mut entries, Entry::Advance { ms: 1 }));
        assert_eq!(entries.len(), 4);
    }

    #[wasm_bindgen_test]
    fn a_full_transcript_refuses_new_entries_but_still_merges_time() {
        let mut entries: Vec<Entry> = (0..ENTRIES_MAX - 1).map(|_| run(1, "true")).collect();
        assert!(push_merging(&mut entries, Entry::Advance { ms: 5 }));
        assert!(!push_merging(&mut entries, run(1, "true")));
        assert!(push_merging(&mut entries, Entry::Advance { ms: 5 }));
        assert_eq!(entries.len(), ENTRIES_MAX);
        assert_eq!(entries.last(), Some(&Entry::Advance { ms: 10 }));
    }

    #[wasm_bindgen_test]
    fn validation_follows_open_and_closed_tabs() {
        let ok = vec![Entry::Open { term: 2 }, run(2, "help"), Entry::Close { term: 1 }, run(2, "ls")];
        assert_eq!(validate(&ok).map(|t| t.open), Ok(vec![2]));
        assert_eq!(validate(&[run(2, "x")]), Err(TranscriptError::UnknownTerminal { index: 0, term: 2 }));
        assert_eq!(
            validate(&[Entry::Open { term: 5 }]),
            Err(TranscriptError::TerminalNotNext { index: 0, term: 5, expected: 2 })
        );
        assert_eq!(validate(&[Entry::Close { term: 1 }]), Err(TranscriptError::LastTerminal { index: 0 }));
        let reopened = vec![Entry::Open { term: 2 }, Entry::Close { term: 2 }, Entry::Open { term: 2 }];
        assert!(matches!(validate(&reopened), Err(TranscriptError::TerminalNotNext { index: 2, .. })));
    }

    #[wasm_bindgen_test]
    fn validation_bounds_lines_terminals_and_time() {
        let long = "x".repeat(LINE_BYTES_MAX + 1);
        assert_eq!(validate(&[run(1, &long)]), Err(TranscriptError::LineTooLong { index: 0, bytes: LINE_BYTES_MAX + 1 }));
        assert_eq!(validate(&[run(1, "a\nb")]), Err(TranscriptError::LineHasNewline { index: 0 }));
        let opens: Vec<Entry> = (2..=TERMINALS_OPEN_MAX as u32 + 1).map(|term| Entry::Open { term }).collect();
        assert_eq!(validate(&opens), Err(TranscriptError::TooManyTerminals { index: TERMINALS_OPEN_MAX - 1 }));
        assert_eq!(validate(&[Entry::Advance { ms: 0 }]), Err(TranscriptError::AdvanceOutOfRange { index: 0, ms: 0 }));
        let many: Vec<Entry> = (0..=ENTRIES_MAX).map(|_| run(1, "true")).collect();
        assert_eq!(validate(&many), Err(TranscriptError::TooManyEntries { entries: ENTRIES_MAX + 1 }));
    }
}
