//! A learner's session: the sandbox, the transcript that built it, and what each terminal shows.
//!
//! [`Session::act`] is the only way the simulation changes: it checks an entry, records it and
//! applies it. Undo replays the transcript minus its last entry into a fresh sandbox; redo
//! applies the undone entry again; restore replays a saved transcript. Live actions and replays
//! run the very same [`Session::apply`], so a restored session looks exactly as it was left.
//!
//! Pure logic, no DOM: the yew reducer ([`super::state`]) wraps it.

use std::rc::Rc;

use super::codec::{self, LoadError, SavedSession, SAVED_JSON_BYTES_MAX};
use super::sandbox::Sandbox;
use super::transcript::{self, Entry, Tabs, TermId, TranscriptError, TERM_FIRST};
use crate::shell::{Chunk, Mode, Stream};

/// Output chunks kept for [`Session::take_printed`] until an observer (the lesson panel) takes
/// them: the oldest go first when nobody reads.
pub const PRINTED_CHUNKS_MAX: usize = 4_096;

/// Each session gets its own id, so an observer notices a rebuilt one (undo, reset, load).
static SESSION_IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Lines kept in one terminal's scrollback: the oldest go first.
pub const SCROLLBACK_LINES_MAX: usize = 5_000;
/// What `clear` prints (cursor home, erase screen, erase scrollback): the terminal empties.
const CLEAR_SEQUENCES: [&str; 3] = ["\x1b[H", "\x1b[2J", "\x1b[3J"];

/// How a scrollback line is styled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// What the learner typed, after the prompt it was typed at.
    Input,
    Out,
    Err,
    /// Output that starts with a record's key (`key_len` bytes), drawn in its key's colour
    /// ([`super::logview::key_hue`], as in the log view); the text stays one plain line.
    Keyed { key_len: usize, hue: u16 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermLine {
    pub kind: LineKind,
    pub text: String,
}

/// One terminal tab as the UI shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Terminal {
    pub id: TermId,
    pub lines: Rc<Vec<TermLine>>,
    pub prompt: &'static str,
    pub mode: Mode,
    /// The shell's history, oldest first (for Up/Down).
    pub history: Rc<Vec<String>>,
    /// The key separator of the keyed consumer this terminal last started, if any: its output
    /// lines get their keys coloured.
    keyed: Option<String>,
}

impl Terminal {
    fn new(id: TermId) -> Terminal {
        Terminal { id, lines: Rc::new(Vec::new()), prompt: "$ ", mode: Mode::Command, history: Rc::new(Vec::new()), keyed: None }
    }

    fn push_line(&mut self, kind: LineKind, text: String) {
        let lines = Rc::make_mut(&mut self.lines);
        lines.push(TermLine { kind, text });
        if lines.len() > SCROLLBACK_LINES_MAX {
            let excess = lines.len() - SCROLLBACK_LINES_MAX;
            lines.drain(..excess);
        }
    }

    /// Appends a chunk of output, one scrollback line per text line.
    pub fn push_chunk(&mut self, chunk: &Chunk) {
        let mut text = chunk.text.as_str();
        let cleaned;
        if text.contains('\x1b') {
            if text.contains("\x1b[2J") {
                Rc::make_mut(&mut self.lines).clear();
            }
            let mut t = text.to_string();
            for seq in CLEAR_SEQUENCES {
                t = t.replace(seq, "");
            }
            cleaned = t;
            text = &cleaned;
        }
        if text.is_empty() {
            return;
        }
        let kind = match chunk.stream {
            Stream::Out => LineKind::Out,
            Stream::Err => LineKind::Err,
        };
        let text = text.strip_suffix('\n').unwrap_or(text);
        for line in text.split('\n') {
            let span = self.keyed.as_deref().filter(|_| kind == LineKind::Out).and_then(|sep| super::logview::key_span(line, sep));
            let kind = match span {
                Some((key_len, Some(hue))) => LineKind::Keyed { key_len, hue },
                _ => kind,
            };
            self.push_line(kind, line.to_string());
        }
    }
}

/// Why an action was not recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActError {
    /// The transcript holds [`transcript::ENTRIES_MAX`] entries.
    Full,
    Invalid(TranscriptError),
    /// The entry would make the saved document larger than [`SAVED_JSON_BYTES_MAX`].
    TooLarge { bytes: usize },
}

impl std::fmt::Display for ActError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ActError::Full => write!(
                f,
                "This session's transcript is full ({} actions). Export it, then reset to go on.",
                transcript::ENTRIES_MAX
            ),
            ActError::Invalid(e) => write!(f, "Not done: {e}."),
            ActError::TooLarge { bytes } => write!(
                f,
                "Not done: this session would grow to {bytes} bytes, more than a saved session may hold ({SAVED_JSON_BYTES_MAX}). Export it, then reset to go on."
            ),
        }
    }
}

pub struct Session {
    seed: u64,
    brokers: u32,
    sandbox: Sandbox,
    transcript: Vec<Entry>,
    /// Entries undone, the next one to redo last.
    redo: Vec<Entry>,
    tabs: Tabs,
    terminals: Vec<Terminal>,
    active: TermId,
    /// The transcript a reset threw away, until the next action: Undo right after Reset brings
    /// the session back (a misclick on Reset must not cost a learner their session).
    before_reset: Option<Vec<Entry>>,
    /// The size of the saved document ([`Session::saved`] as JSON): an action that would take it
    /// over [`SAVED_JSON_BYTES_MAX`] is refused, so whatever the page accepts saves, exports and
    /// loads again.
    json_bytes: usize,
    /// Unique per built session (see [`Session::id`]).
    id: u64,
    /// Every terminal's output since an observer last took it (see [`Session::take_printed`]).
    printed: Vec<(TermId, Chunk)>,
}

impl Session {
    /// A fresh session: `brokers` brokers simulated from `seed`, one terminal.
    pub fn new(seed: u64, brokers: u32) -> Session {
        let mut sandbox = Sandbox::new(brokers, seed);
        sandbox.open(TERM_FIRST).expect("a fresh sandbox has no terminal yet");
        Session {
            seed,
            brokers,
            sandbox,
            transcript: Vec::new(),
            redo: Vec::new(),
            tabs: Tabs::default(),
            terminals: vec![Terminal::new(TERM_FIRST)],
            active: TERM_FIRST,
            before_reset: None,
            json_bytes: codec::encode(&SavedSession::new(seed, brokers, Vec::new())).len(),
            id: SESSION_IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            printed: Vec::new(),
        }
    }

    /// Differs for every session built, including the fresh ones undo, redo and reset replay
    /// into: an observer that sees a new id starts over (cursor 0, [`Session::take_printed`]
    /// then holds the whole replay's output, as far as it is kept).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// What every terminal's tools printed since the last call, in order (not the typed lines: a
    /// goal waiting for `invoice 7` must not be met by typing it).
    pub fn take_printed(&mut self) -> Vec<(TermId, Chunk)> {
        std::mem::take(&mut self.printed)
    }

    /// The cluster's events from `cursor` on (each reader keeps its own cursor).
    pub fn events_since(&mut self, cursor: &mut u64) -> Vec<crate::engine::Event> {
        self.sandbox.events_since(cursor)
    }

    /// The shell sandbox itself, read-only (lesson goals look at it).
    pub fn shell(&self) -> &crate::shell::Sandbox {
        self.sandbox.shell()
    }

    /// Rebuilds a saved session by replaying its transcript (validated first), all at once. The
    /// page replays through [`Replay`] instead, a slice at a time.
    pub fn restore(saved: &SavedSession) -> Result<Session, LoadError> {
        let mut replay = Replay::restore(saved)?;
        replay.step(&mut || false)?;
        Ok(replay.finish())
    }

    pub fn saved(&self) -> SavedSession {
        SavedSession::new(self.seed, self.brokers, self.transcript.clone())
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn brokers(&self) -> u32 {
        self.brokers
    }

    pub fn transcript(&self) -> &[Entry] {
        &self.transcript
    }

    pub fn can_undo(&self) -> bool {
        !self.transcript.is_empty() || self.before_reset.is_some()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn terminals(&self) -> &[Terminal] {
        &self.terminals
    }

    pub fn terminal(&self, term: TermId) -> Option<&Terminal> {
        self.terminals.iter().find(|t| t.id == term)
    }

    pub fn active(&self) -> TermId {
        self.active
    }

    /// The id the next opened terminal gets.
    pub fn next_terminal(&self) -> TermId {
        self.tabs.next
    }

    pub fn now_ms(&self) -> u64 {
        self.sandbox.now_ms()
    }

    pub fn complete(&self, term: TermId, line: &str) -> Vec<String> {
        self.sandbox.complete(term, line)
    }

    /// The simulated cluster, read-only, for the cluster views.
    pub fn cluster(&self) -> &crate::engine::Cluster {
        self.sandbox.cluster()
    }

    /// Makes `term` the terminal that keyboard input and lesson commands go to (not recorded: it
    /// changes what the learner looks at, not the simulation).
    pub fn select(&mut self, term: TermId) {
        if self.terminal(term).is_some() {
            self.active = term;
        }
    }

    /// Records and applies one learner action. A new action forgets what was undone.
    pub fn act(&mut self, entry: Entry) -> Result<(), ActError> {
        self.record(entry)?;
        self.redo.clear();
        self.before_reset = None;
        Ok(())
    }

    fn record(&mut self, entry: Entry) -> Result<(), ActError> {
        let merges = matches!((self.transcript.last(), &entry), (Some(Entry::Advance { .. }), Entry::Advance { .. }));
        if self.transcript.len() >= transcript::ENTRIES_MAX && !merges {
            return Err(ActError::Full);
        }
        let mut tabs = self.tabs.clone();
        tabs.admit(self.transcript.len(), &entry).map_err(ActError::Invalid)?;
        let len_before = self.transcript.len();
        let last_before = if merges { self.transcript.last().cloned() } else { None };
        if !transcript::push_merging(&mut self.transcript, entry.clone()) {
            return Err(ActError::Full);
        }
        let bytes = self.json_bytes_after(len_before, last_before.as_ref());
        if bytes > SAVED_JSON_BYTES_MAX {
            // Taken back: the session could no longer be saved, exported or loaded again.
            match last_before {
                Some(last) if self.transcript.len() == len_before => self.transcript[len_before - 1] = last,
                _ => drop(self.transcript.pop()),
            }
            return Err(ActError::TooLarge { bytes });
        }
        self.json_bytes = bytes;
        self.tabs = tabs;
        self.apply(&entry);
        Ok(())
    }

    /// The saved document's size once an entry is pushed onto a transcript of `len_before`
    /// entries (merged into the last one, `last_before`, when the length did not change).
    fn json_bytes_after(&self, len_before: usize, last_before: Option<&Entry>) -> usize {
        let last = self.transcript.last().map_or(0, codec::entry_json_bytes);
        if self.transcript.len() == len_before {
            self.json_bytes - last_before.map_or(0, codec::entry_json_bytes) + last
        } else {
            // A comma before every entry but the first.
            self.json_bytes + last + usize::from(len_before > 0)
        }
    }

    /// The size of [`Session::saved`] as JSON, kept as entries are recorded.
    pub fn json_bytes(&self) -> usize {
        self.json_bytes
    }

    /// Takes back the last action: replays everything before it into a fresh sandbox, all at
    /// once (the page replays [`Session::undo_replay`] a slice at a time).
    pub fn undo(&mut self) -> bool {
        let Some(mut replay) = self.undo_replay() else { return false };
        // Every entry was admitted once against the same prefix: replay admits it again.
        let replayed = replay.step(&mut || false);
        debug_assert!(replayed.is_ok(), "a recorded prefix replays: {replayed:?}");
        *self = replay.finish();
        true
    }

    /// The replay that undoes the last action (or, right after a reset, brings the session
    /// back); None when there is nothing to undo. `self` is unchanged until the replay finishes,
    /// so a cancelled undo loses nothing.
    pub fn undo_replay(&self) -> Option<Replay> {
        if self.transcript.is_empty() {
            let entries = self.before_reset.clone()?;
            return Some(Replay::new(self.seed, self.brokers, entries, Vec::new(), None));
        }
        let mut entries = self.transcript.clone();
        let last = entries.pop()?;
        let mut redo = self.redo.clone();
        redo.push(last);
        Some(Replay::new(self.seed, self.brokers, entries, redo, Some(self.active)))
    }

    /// The timeline: the session as it was after the first `at` of all its actions (done and
    /// undone), replayed from the seed; the later ones wait to be redone, so moving forward
    /// again brings them back and any new action branches off here (it forgets them, as after
    /// undo). `observe` looks at the cluster before the first action (`fresh`) and after each.
    pub fn seek(&mut self, at: usize, mut observe: impl FnMut(&crate::engine::Cluster, bool)) {
        let mut replay = self.seek_replay(at);
        observe(replay.cluster(), true);
        let replayed = replay.step_observed(&mut || false, &mut observe);
        debug_assert!(replayed.is_ok(), "a recorded prefix replays: {replayed:?}");
        *self = replay.finish();
    }

    /// The replay that moves the timeline to after the first `at` of all actions ([`Session::seek`]
    /// a slice at a time, so a long session never freezes the page); `self` is unchanged until
    /// it finishes, so a cancelled move loses nothing.
    pub fn seek_replay(&self, at: usize) -> Replay {
        let mut all = self.transcript.clone();
        all.extend(self.redo.iter().rev().cloned());
        let later = all.split_off(at.min(all.len()));
        Replay::new(self.seed, self.brokers, all, later.into_iter().rev().collect(), Some(self.active))
    }

    /// Where the timeline stands: (actions done, actions in all including the undone ones).
    pub fn timeline(&self) -> (usize, usize) {
        (self.transcript.len(), self.transcript.len() + self.redo.len())
    }

    /// Does the last undone action again.
    pub fn redo(&mut self) -> bool {
        let Some(entry) = self.redo.pop() else { return false };
        let redo = std::mem::take(&mut self.redo);
        let done = self.record(entry).is_ok();
        self.redo = redo;
        done
    }

    /// Starts over from the same seed and brokers, with an empty transcript.
    pub fn reset(&mut self) {
        let entries = std::mem::take(&mut self.transcript);
        let earlier = self.before_reset.take();
        *self = Session::new(self.seed, self.brokers);
        // Resetting an empty session twice keeps the one worth bringing back.
        self.before_reset = if entries.is_empty() { earlier } else { Some(entries) };
    }

    fn terminal_mut(&mut self, term: TermId) -> Option<&mut Terminal> {
        self.terminals.iter_mut().find(|t| t.id == term)
    }

    fn observe(&mut self, term: TermId, chunk: Chunk) {
        if self.printed.len() >= PRINTED_CHUNKS_MAX {
            self.printed.drain(..PRINTED_CHUNKS_MAX / 4);
        }
        self.printed.push((term, chunk));
    }

    fn route(&mut self, outputs: Vec<(TermId, Chunk)>) {
        for (term, chunk) in outputs {
            self.observe(term, chunk.clone());
            if let Some(t) = self.terminal_mut(term) {
                t.push_chunk(&chunk);
            }
        }
    }

    /// Applies an admitted entry to the sandbox and the terminals.
    fn apply(&mut self, entry: &Entry) {
        let mut outputs: Vec<(TermId, Chunk)> = Vec::new();
        match entry {
            Entry::Run { term, line } => {
                let prompt = self.sandbox.prompt(*term);
                let command = matches!(self.sandbox.mode(*term), Mode::Command);
                if let Some(t) = self.terminal_mut(*term) {
                    t.push_line(LineKind::Input, format!("{prompt}{line}"));
                    if command {
                        t.keyed = super::logview::keyed_output_separator(line);
                    }
                }
                let chunks = self.sandbox.run(*term, line).unwrap_or_default();
                outputs.extend(chunks.into_iter().map(|c| (*term, c)));
                let history = self.sandbox.history(*term);
                if let Some(t) = self.terminal_mut(*term) {
                    if *t.history != history {
                        t.history = Rc::new(history);
                    }
                }
            }
            Entry::Eof { term } => {
                let chunks = self.sandbox.eof(*term).unwrap_or_default();
                outputs.extend(chunks.into_iter().map(|c| (*term, c)));
            }
            Entry::Interrupt { term } => {
                let mode = self.sandbox.mode(*term);
                let prompt = self.sandbox.prompt(*term);
                if matches!(mode, Mode::Command | Mode::Continuation) {
                    // bash echoes ^C after the abandoned line; a running tool (reading input or
                    // not) prints its own, so echoing here too showed ^C twice.
                    if let Some(t) = self.terminal_mut(*term) {
                        t.push_line(LineKind::Input, format!("{prompt}^C"));
                    }
                }
                let chunks = self.sandbox.interrupt(*term).unwrap_or_default();
                outputs.extend(chunks.into_iter().map(|c| (*term, c)));
            }
            Entry::Open { term } => {
                if self.sandbox.open(*term).is_ok() {
                    self.terminals.push(Terminal::new(*term));
                    self.active = *term;
                }
            }
            Entry::Close { term } => {
                if self.sandbox.close(*term).is_ok() {
                    if let Some(index) = self.terminals.iter().position(|t| t.id == *term) {
                        self.terminals.remove(index);
                        if self.active == *term {
                            let neighbour = index.min(self.terminals.len().saturating_sub(1));
                            self.active = self.terminals.get(neighbour).map_or(TERM_FIRST, |t| t.id);
                        }
                    }
                }
            }
            Entry::Advance { ms } => outputs.extend(self.sandbox.advance(*ms)),
        }
        outputs.extend(self.sandbox.take_background_output());
        self.route(outputs);
        for i in 0..self.terminals.len() {
            let id = self.terminals[i].id;
            let (prompt, mode) = (self.sandbox.prompt(id), self.sandbox.mode(id));
            let t = &mut self.terminals[i];
            t.prompt = prompt;
            t.mode = mode;
        }
        debug_assert!(self.terminals.iter().any(|t| t.id == self.active), "the active tab is open");
        debug_assert_eq!(self.terminals.len(), self.tabs.open.len());
    }
}

/// A transcript replayed into a fresh session a slice at a time ([`Replay::step`]), so that the
/// page keeps drawing, shows progress and can cancel while a long session loads or an undo
/// replays. The unit of work is one entry: a single slow entry (a year of simulated time) still
/// runs in one slice.
pub struct Replay {
    session: Session,
    entries: std::vec::IntoIter<Entry>,
    total: usize,
    /// Given back to the session when done: what an undo leaves to redo, the tab to select.
    redo: Vec<Entry>,
    active: Option<TermId>,
}

impl Replay {
    fn new(seed: u64, brokers: u32, entries: Vec<Entry>, redo: Vec<Entry>, active: Option<TermId>) -> Replay {
        let total = entries.len();
        Replay { session: Session::new(seed, brokers), entries: entries.into_iter(), total, redo, active }
    }

    /// The replay of a loaded session: its transcript validated first, nothing run if invalid.
    pub fn restore(saved: &SavedSession) -> Result<Replay, LoadError> {
        transcript::validate(&saved.transcript).map_err(LoadError::Transcript)?;
        Ok(Replay::new(saved.seed, saved.brokers, saved.transcript.clone(), Vec::new(), None))
    }

    /// Replays entries until all are done (true) or `out_of_time` says to stop (false, asked
    /// after each entry: at least one entry per call, so every call makes progress).
    pub fn step(&mut self, out_of_time: &mut dyn FnMut() -> bool) -> Result<bool, LoadError> {
        self.step_observed(out_of_time, &mut |_, _| {})
    }

    /// [`Replay::step`], with `observe` looking at the cluster after each entry (the timeline's
    /// views need every step: ghosts are remembered as they happen).
    pub fn step_observed(&mut self, out_of_time: &mut dyn FnMut() -> bool, observe: &mut dyn FnMut(&crate::engine::Cluster, bool)) -> Result<bool, LoadError> {
        while let Some(entry) = self.entries.next() {
            self.session.act(entry).map_err(|e| match e {
                ActError::Invalid(e) => LoadError::Transcript(e),
                ActError::Full => LoadError::Transcript(TranscriptError::TooManyEntries { entries: self.total }),
                ActError::TooLarge { bytes } => LoadError::TooLarge { bytes, bytes_max: SAVED_JSON_BYTES_MAX },
            })?;
            observe(self.session.cluster(), false);
            if out_of_time() {
                return Ok(self.entries.len() == 0);
            }
        }
        Ok(true)
    }

    /// The cluster as replayed so far.
    pub fn cluster(&self) -> &crate::engine::Cluster {
        self.session.cluster()
    }

    /// (entries replayed, entries in all).
    pub fn progress(&self) -> (usize, usize) {
        (self.total - self.entries.len(), self.total)
    }

    /// The rebuilt session (replay every entry with [`Replay::step`] first).
    pub fn finish(self) -> Session {
        debug_assert_eq!(self.entries.len(), 0, "finished before the end");
        let mut session = self.session;
        session.redo = self.redo;
        if let Some(active) = self.active {
            session.select(active);
        }
        session
    }
}

/// Why a session is being replayed, which says what to do when the replay ends or is cancelled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayPurpose {
    /// An undo: the session shown stays as it was until the replay ends.
    Undo,
    /// A share link or an import, with the message to show once it is loaded.
    Load { message: String },
    /// The learner's own autosaved session, at page load.
    Autosave,
    /// The timeline moved: the views look at every replayed action.
    Seek,
}

/// A replay the page runs a slice at a time, and why.
pub struct ReplayJob {
    pub replay: Replay,
    pub purpose: ReplayPurpose,
}

impl ReplayJob {
    /// The rebuilt session and the message to show about it, if any.
    pub fn finish(self) -> (Session, Option<String>) {
        let message = match self.purpose {
            ReplayPurpose::Load { message } => Some(message),
            ReplayPurpose::Undo | ReplayPurpose::Autosave | ReplayPurpose::Seek => None,
        };
        (self.replay.finish(), message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn run(term: TermId, line: &str) -> Entry {
        Entry::Run { term, line: line.to_string() }
    }

    fn texts(session: &Session, term: TermId) -> Vec<String> {
        session.terminal(term).expect("open").lines.iter().map(|l| l.text.clone()).collect()
    }

    #[wasm_bindgen_test]
    fn a_keyed_consumers_lines_carry_their_keys_colour_and_stay_plain_text() {
        let mut s = Session::new(1, 3);
        s.act(run(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic k --partitions 1 --replication-factor 1")).unwrap();
        s.act(run(1, "printf 'alice:1\\nbob:2\\n' | kafka-console-producer --bootstrap-server localhost:9092 --topic k --property parse.key=true --property key.separator=:")).unwrap();
        s.act(run(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic k --from-beginning --max-messages 2 --property print.key=true")).unwrap();
        s.act(Entry::Advance { ms: 8_000 }).unwrap();
        let lines = &s.terminal(1).unwrap().lines;
        let alice = lines.iter().find(|l| l.text == "alice\t1").expect("the record is printed");
        assert_eq!(alice.kind, LineKind::Keyed { key_len: 5, hue: super::super::logview::key_hue(b"alice") });
        let done = lines.iter().find(|l| l.text.starts_with("Processed a total")).unwrap();
        assert_eq!(done.kind, LineKind::Err);
        s.act(run(1, "echo 'carol\tx'")).unwrap();
        assert_eq!(s.terminal(1).unwrap().lines.last().unwrap().kind, LineKind::Out, "a new command's output is not keyed");
    }

    #[wasm_bindgen_test]
    fn typed_lines_are_echoed_after_their_prompt_and_output_follows() {
        let mut s = Session::new(1, 3);
        s.act(run(1, "echo hi")).unwrap();
        s.act(run(1, "cat nope")).unwrap();
        let lines = &s.terminal(1).unwrap().lines;
        assert_eq!(lines[0], TermLine { kind: LineKind::Input, text: "$ echo hi".into() });
        assert_eq!(lines[1], TermLine { kind: LineKind::Out, text: "hi".into() });
        assert_eq!(lines[3], TermLine { kind: LineKind::Err, text: "cat: nope: No such file or directory".into() });
        assert_eq!(*s.terminal(1).unwrap().history, vec!["echo hi".to_string(), "cat nope".to_string()]);
    }

    #[wasm_bindgen_test]
    fn clear_empties_the_scrollback() {
        let mut s = Session::new(1, 3);
        s.act(run(1, "echo one")).unwrap();
        s.act(run(1, "clear")).unwrap();
        assert_eq!(texts(&s, 1), Vec::<String>::new());
        s.act(run(1, "echo two")).unwrap();
        assert_eq!(texts(&s, 1), vec!["$ echo two", "two"]);
    }

    #[wasm_bindgen_test]
    fn continuation_lines_use_the_continuation_prompt() {
        let mut s = Session::new(1, 3);
        s.act(run(1, "echo 'a")).unwrap();
        assert_eq!(s.terminal(1).unwrap().prompt, "> ");
        s.act(run(1, "b'")).unwrap();
        assert_eq!(texts(&s, 1), vec!["$ echo 'a", "> b'", "a", "b"]);
        assert_eq!(s.terminal(1).unwrap().prompt, "$ ");
    }

    #[wasm_bindgen_test]
    fn interrupt_echoes_caret_c_and_drops_the_pending_line() {
        let mut s = Session::new(1, 3);
        s.act(run(1, "echo 'a")).unwrap();
        s.act(Entry::Interrupt { term: 1 }).unwrap();
        assert_eq!(texts(&s, 1), vec!["$ echo 'a", "> ^C"]);
        assert_eq!(s.terminal(1).unwrap().prompt, "$ ");
    }

    #[wasm_bindgen_test]
    fn one_ctrl_c_on_a_running_tool_prints_caret_c_once() {
        let mut s = Session::new(1, 3);
        s.act(run(1, "kafka-topics --bootstrap-server localhost:9092 --create --topic t")).unwrap();
        s.act(run(1, "kafka-console-consumer --bootstrap-server localhost:9092 --topic t")).unwrap();
        s.act(Entry::Interrupt { term: 1 }).unwrap();
        let carets = texts(&s, 1).iter().filter(|l| l.contains("^C")).count();
        assert_eq!(carets, 1, "{:?}", texts(&s, 1));
    }

    #[wasm_bindgen_test]
    fn the_timeline_goes_back_and_forth_and_a_new_action_branches() {
        let mut s = Session::new(1, 3);
        for line in ["echo one", "echo two", "echo three"] {
            s.act(run(1, line)).unwrap();
        }
        let mut looks = 0;
        s.seek(1, |_, _| looks += 1);
        assert_eq!(looks, 2, "before the first action and after it");
        assert_eq!(s.timeline(), (1, 3));
        assert_eq!(texts(&s, 1), vec!["$ echo one", "one"]);
        s.seek(3, |_, _| {});
        assert_eq!(s.timeline(), (3, 3));
        assert_eq!(texts(&s, 1).last().map(String::as_str), Some("three"));
        s.seek(2, |_, _| {});
        s.act(run(1, "echo branch")).unwrap();
        assert_eq!(s.timeline(), (3, 3));
        assert_eq!(texts(&s, 1).last().map(String::as_str), Some("branch"));
    }

    #[wasm_bindgen_test]
    fn scrollback_is_bounded() {
        let mut s = Session::new(1, 3);
        s.act(run(1, &format!("seq {}", SCROLLBACK_LINES_MAX + 10))).unwrap();
        let lines = texts(&s, 1);
        assert_eq!(lines.len(), SCROLLBACK_LINES_MAX);
        assert_eq!(lines.last().map(String::as_str), Some(&*format!("{}", SCROLLBACK_LINES_MAX + 10)));
    }

    #[wasm_bindgen_test]
    fn tabs_open_close_and_keep_their_own_sessions() {
        let mut s = Session::new(1, 3);
        s.act(Entry::Open { term: s.next_terminal() }).unwrap();
        assert_eq!(s.active(), 2);
        s.act(run(2, "echo two")).unwrap();
        assert_eq!(texts(&s, 1), Vec::<String>::new());
        assert_eq!(texts(&s, 2), vec!["$ echo two", "two"]);
        s.act(Entry::Close { term: 2 }).unwrap();
        assert_eq!(s.active(), 1);
        assert_eq!(s.act(run(2, "ls")), Err(ActError::Invalid(TranscriptError::UnknownTerminal { index: 3, term: 2 })));
        assert_eq!(s.transcript().len(), 3, "a refused action is not recorded");
    }

    #[wasm_bindgen_test]
    fn undo_replays_all_but_the_last_action_and_redo_brings_it_back() {
        let mut s = Session::new(5, 3);
        s.act(run(1, "echo a")).unwrap();
        s.act(Entry::Advance { ms: 1000 }).unwrap();
        s.act(run(1, "echo b")).unwrap();
        let before = texts(&s, 1);
        assert!(s.undo());
        assert_eq!(texts(&s, 1), vec!["$ echo a", "a"]);
        assert_eq!(s.now_ms(), 1000);
        assert!(s.undo());
        assert_eq!(s.now_ms(), 0);
        assert!(s.can_redo());
        assert!(s.redo() && s.redo());
        assert_eq!(texts(&s, 1), before);
        assert!(!s.can_redo());
        assert!(s.undo());
        s.act(run(1, "echo c")).unwrap();
        assert!(!s.can_redo(), "a new action forgets the undone ones");
    }

    #[wasm_bindgen_test]
    fn undo_right_after_reset_brings_the_session_back() {
        let mut s = Session::new(3, 3);
        s.act(run(1, "echo kept")).unwrap();
        s.act(Entry::Open { term: 2 }).unwrap();
        let terminals = s.terminals().to_vec();
        s.reset();
        s.reset();
        assert_eq!(texts(&s, 1), Vec::<String>::new());
        assert!(s.can_undo());
        assert!(s.undo());
        assert_eq!(s.terminals(), &terminals[..]);
        assert_eq!(s.transcript().len(), 2);
        s.reset();
        s.act(run(1, "echo new")).unwrap();
        assert!(s.undo());
        assert!(!s.can_undo(), "after a new action, the reset is final");
        assert_eq!(s.saved().transcript, vec![]);
    }

    #[wasm_bindgen_test]
    fn restore_rebuilds_the_same_terminals() {
        let mut s = Session::new(9, 2);
        s.act(run(1, "echo one")).unwrap();
        s.act(Entry::Open { term: 2 }).unwrap();
        s.act(run(2, "printf 'x\\ny\\n'")).unwrap();
        s.act(Entry::Advance { ms: 250 }).unwrap();
        s.act(Entry::Advance { ms: 250 }).unwrap();
        let restored = Session::restore(&s.saved()).expect("own transcript restores");
        assert_eq!(restored.terminals(), s.terminals());
        assert_eq!(restored.now_ms(), 500);
        assert_eq!(restored.transcript().len(), 4, "the two advances merged");
        assert_eq!((restored.seed(), restored.brokers()), (9, 2));
    }

    #[wasm_bindgen_test]
    fn the_clock_advances_every_terminal() {
        let mut s = Session::new(1, 3);
        s.act(Entry::Open { term: 2 }).unwrap();
        s.act(Entry::Advance { ms: 1500 }).unwrap();
        s.act(run(2, "sim time")).unwrap();
        assert_eq!(texts(&s, 2), vec!["$ sim time", "1500 ms"]);
    }

    /// Issue 19: the page accepted 300 lines of 4 KB (or 43 lines of control characters, six
    /// bytes each once escaped) but refused to reload the saved session, over 1 MB. Now the
    /// action that would take the document over the limit is refused, and all that was
    /// accepted saves, loads and replays.
    #[wasm_bindgen_test]
    fn whatever_the_page_accepts_saves_and_loads_again() {
        for line in ["x".repeat(transcript::LINE_BYTES_MAX), "\u{1}".repeat(transcript::LINE_BYTES_MAX)] {
            let mut s = Session::new(1, 1);
            let refused = (0..300).find_map(|_| s.act(Entry::Run { term: 1, line: format!("# {}", &line[2..]) }).err());
            let Some(ActError::TooLarge { bytes }) = refused else { panic!("refused once over the limit: {refused:?}") };
            assert!(bytes > SAVED_JSON_BYTES_MAX);
            let json = codec::encode(&s.saved());
            assert_eq!(json.len(), s.json_bytes(), "the size is kept exactly");
            assert!(json.len() <= SAVED_JSON_BYTES_MAX && json.len() > SAVED_JSON_BYTES_MAX - 30 * transcript::LINE_BYTES_MAX);
            let loaded = codec::decode(&json, SAVED_JSON_BYTES_MAX).expect("a saved session loads");
            let restored = Session::restore(&loaded).expect("and replays");
            assert_eq!((restored.transcript(), restored.json_bytes()), (s.transcript(), s.json_bytes()));
        }
    }

    #[wasm_bindgen_test]
    fn merged_clock_advances_keep_the_size_exact() {
        let mut s = Session::new(123, 3);
        for ms in [5, 95, 900, 9_000, 90_000] {
            s.act(Entry::Advance { ms }).unwrap();
            s.act(run(1, "echo \"q\"")).unwrap();
            s.act(Entry::Advance { ms }).unwrap();
            s.act(Entry::Advance { ms: ms * 10 }).unwrap();
            assert_eq!(codec::encode(&s.saved()).len(), s.json_bytes());
        }
        assert!(s.undo());
        assert_eq!(codec::encode(&s.saved()).len(), s.json_bytes(), "a replayed session counts again");
    }

    #[wasm_bindgen_test]
    fn a_replay_runs_in_slices_and_ends_where_an_all_at_once_replay_does() {
        let mut s = Session::new(4, 3);
        for i in 0..40 {
            s.act(run(1, &format!("echo {i}"))).unwrap();
        }
        let saved = s.saved();
        let mut replay = Replay::restore(&saved).expect("valid");
        assert_eq!(replay.progress(), (0, 40));
        let mut slices = 0;
        // A budget of three entries a slice: the page's budget is wall-clock time instead.
        loop {
            let mut left = 3;
            slices += 1;
            let done = replay.step(&mut || {
                left -= 1;
                left == 0
            });
            if done.expect("replays") {
                break;
            }
            assert_eq!(replay.progress(), (3 * slices, 40));
        }
        assert_eq!(slices, 14);
        assert_eq!(replay.progress(), (40, 40));
        let sliced = replay.finish();
        assert_eq!(sliced.terminals(), s.terminals());
        assert_eq!(sliced.saved(), saved);
    }

    #[wasm_bindgen_test]
    fn an_undo_replay_leaves_the_session_alone_until_it_finishes() {
        let mut s = Session::new(6, 3);
        s.act(Entry::Open { term: 2 }).unwrap();
        s.act(run(2, "echo a")).unwrap();
        s.act(run(1, "echo b")).unwrap();
        s.select(2);
        let replay = s.undo_replay().expect("something to undo");
        assert_eq!(s.transcript().len(), 3, "cancelling an undo loses nothing");
        assert_eq!(replay.progress(), (0, 2));
        let mut replay = replay;
        assert_eq!(replay.step(&mut || false), Ok(true));
        let undone = replay.finish();
        assert_eq!((undone.transcript().len(), undone.active(), undone.can_redo()), (2, 2, true));
        assert!(Session::new(6, 3).undo_replay().is_none());
    }
}
