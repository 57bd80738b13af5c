//! The lesson panel's logic, without the DOM: what a lesson's inputs become in the UI's
//! transcript, and the goal tracker fed from the UI session.
//!
//! A lesson opened at step `n` is a fresh session (the lesson's seed and brokers) whose transcript
//! is exactly what [`LessonRun::at_step`] gave its own sandbox: the setup, the solutions of the
//! steps before `n`, and the waits in between, converted to [`Entry`]s by [`entries_for`]. So the
//! learner's session is an ordinary transcript (it autosaves, undoes and shares like any other),
//! and "reset step" / "reset lesson" are that same construction again.
//!
//! [`LessonTracker`] keeps the UI session's own [`History`]: every terminal's output (from
//! [`Session::take_printed`]) and the cluster's events through its own cursor. A rebuilt session
//! (undo, reset, load) has a new [`Session::id`]: the tracker then starts over on it.

use crate::lessons::{self, Action, Goal, History, Lesson, LessonRun, Observed};
use crate::shell::TermId as ShellTermId;

use super::codec::SavedSession;
use super::session::Session;
use super::transcript::{Entry, TermId, TERMINALS_OPEN_MAX, TERM_FIRST};

/// localStorage key of the learner's [`lessons::Progress`] (JSON).
pub const KEY_PROGRESS: &str = "kafka-sandbox.lesson-progress";
/// localStorage key of the lesson position the autosaved session belongs to (`<id>/<step>`):
/// a reload on the same deep link keeps the learner's session instead of rebuilding it.
pub const KEY_POSITION: &str = "kafka-sandbox.lesson-position";

/// A lesson's inputs as UI transcript entries: terminals are opened in order as the inputs name
/// them (tab ids and the lessons' terminal numbers both count from 1), waits become clock
/// advances (zero waits vanish).
pub fn entries_for(inputs: &[Action]) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut next: TermId = TERM_FIRST + 1;
    let mut open = |entries: &mut Vec<Entry>, term: ShellTermId| {
        let term = term as TermId;
        while next <= term && (next as usize) <= TERMINALS_OPEN_MAX {
            entries.push(Entry::Open { term: next });
            next += 1;
        }
    };
    for action in inputs {
        match *action {
            Action::Line { term, text } => {
                open(&mut entries, term);
                entries.push(Entry::Run { term: term as TermId, line: text.to_string() });
            }
            Action::Eof { term } => {
                open(&mut entries, term);
                entries.push(Entry::Eof { term: term as TermId });
            }
            Action::Interrupt { term } => {
                open(&mut entries, term);
                entries.push(Entry::Interrupt { term: term as TermId });
            }
            Action::Wait { ms } if ms > 0 => {
                super::transcript::push_merging(&mut entries, Entry::Advance { ms });
            }
            Action::Wait { .. } => {}
        }
    }
    entries
}

/// The session a lesson starts step `step` (from 0) from: "reset step"; step 0 is "reset lesson".
pub fn saved_at_step(lesson: &'static Lesson, step: usize) -> SavedSession {
    let run = LessonRun::at_step(lesson, step);
    SavedSession::new(lessons::run::LESSON_SEED, lesson.brokers, entries_for(run.inputs()))
}

/// The position key stored under [`KEY_POSITION`].
pub fn position_key(id: &str, step: usize) -> String {
    format!("{id}/{step}")
}

/// The goal tracker: the UI session's history, fed after every action.
#[derive(Default)]
pub struct LessonTracker {
    session_id: u64,
    events_cursor: u64,
    history: History,
}

impl LessonTracker {
    pub fn new() -> LessonTracker {
        LessonTracker::default()
    }

    /// Takes in what happened in `session` since the last call. A session rebuilt meanwhile
    /// starts a fresh history whose current step begins now (output goals look forward).
    pub fn sync(&mut self, session: &mut Session) {
        let rebuilt = session.id() != self.session_id;
        if rebuilt {
            self.session_id = session.id();
            self.events_cursor = 0;
            self.history = History::new();
        }
        let events = session.events_since(&mut self.events_cursor);
        let output: Vec<(ShellTermId, Vec<crate::shell::Chunk>)> = session.take_printed().into_iter().map(|(term, chunk)| (term as ShellTermId, vec![chunk])).collect();
        self.history.sync(session.shell(), &events, &output);
        if rebuilt {
            self.history.mark_step();
        }
    }

    /// A new step starts: output goals look only at what is printed from now on.
    pub fn mark_step(&mut self) {
        self.history.mark_step();
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// The goal against `session` (call [`LessonTracker::sync`] first).
    pub fn check(&self, session: &Session, goal: &Goal) -> Result<(), String> {
        goal.check(&Observed { sandbox: session.shell(), history: &self.history })
    }

    /// The step can no longer be met in `session`: the panel then offers "Reset step" with why.
    pub fn blocked(&self, session: &Session, goal: &Goal) -> bool {
        goal.blocked(&Observed { sandbox: session.shell(), history: &self.history })
    }
}

/// Splits narrative text at backticks: (text, is_code) pieces, rendered as text nodes and
/// `<code>` (never as HTML).
pub fn code_spans(text: &str) -> Vec<(&str, bool)> {
    text.split('`').enumerate().filter(|(_, s)| !s.is_empty()).map(|(i, s)| (s, i % 2 == 1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn entries_open_terminals_in_order_and_merge_waits() {
        let inputs = [
            Action::Line { term: 1, text: "a" },
            Action::Wait { ms: 200 },
            Action::Wait { ms: 300 },
            Action::Line { term: 3, text: "b" },
            Action::Eof { term: 2 },
            Action::Wait { ms: 0 },
            Action::Interrupt { term: 1 },
        ];
        assert_eq!(
            entries_for(&inputs),
            vec![
                Entry::Run { term: 1, line: "a".into() },
                Entry::Advance { ms: 500 },
                Entry::Open { term: 2 },
                Entry::Open { term: 3 },
                Entry::Run { term: 3, line: "b".into() },
                Entry::Eof { term: 2 },
                Entry::Interrupt { term: 1 },
            ]
        );
    }

    #[wasm_bindgen_test]
    fn a_reset_step_session_restores_and_its_goal_is_unmet_then_met_by_the_solution() {
        let lesson = lessons::lesson("log-not-queue").expect("lesson");
        let saved = saved_at_step(lesson, 1);
        let mut session = Session::restore(&saved).expect("a lesson transcript restores");
        let mut tracker = LessonTracker::new();
        tracker.sync(&mut session);
        let goal = &lesson.steps[1].goal;
        assert_eq!(tracker.check(&session, goal), Err("Topic `greetings` does not exist yet".to_string()));
        for entry in entries_for(lesson.steps[1].solution) {
            session.act(entry).expect("solution entries are valid");
            tracker.sync(&mut session);
        }
        session.act(Entry::Advance { ms: 2_000 }).expect("advance");
        tracker.sync(&mut session);
        assert_eq!(tracker.check(&session, goal), Ok(()));
    }

    #[wasm_bindgen_test]
    fn output_goals_see_tool_output_not_typed_lines() {
        let mut session = Session::new(1, 3);
        let mut tracker = LessonTracker::new();
        tracker.sync(&mut session);
        let goal = Goal::Output { term: 1, text: "needle" };
        session.act(Entry::Run { term: 1, line: "true needle".into() }).expect("run");
        tracker.sync(&mut session);
        assert_eq!(tracker.check(&session, &goal), Err("Terminal 1 has not shown `needle` yet".to_string()));
        session.act(Entry::Run { term: 1, line: "echo needle".into() }).expect("run");
        tracker.sync(&mut session);
        assert_eq!(tracker.check(&session, &goal), Ok(()));
        // Undo rebuilds the session: the tracker starts over, looking forward.
        assert!(session.undo());
        tracker.sync(&mut session);
        assert!(tracker.check(&session, &goal).is_err());
    }

    #[wasm_bindgen_test]
    fn narrative_code_spans() {
        assert_eq!(code_spans("Run `sim status` now"), vec![("Run ", false), ("sim status", true), (" now", false)]);
        assert_eq!(code_spans("<b>x</b>"), vec![("<b>x</b>", false)]);
    }
}
