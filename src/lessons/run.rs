//! A lesson running in a sandbox: setup, the learner's (or a solution's) input, goal checks,
//! "reset step" and "reset lesson", and the verification `sandbox-shell lessons --verify` runs.
//!
//! The UI may drive its own [`Sandbox`]; it then keeps a [`History`] fed with the output and the
//! events it sees and checks goals with [`Goal::check`](super::Goal::check). [`LessonRun`] does
//! the same for the native verifier and gives the UI its resets: [`LessonRun::at_step`] rebuilds,
//! on a fresh sandbox, the state in which step `n` starts (setup plus the solutions of the steps
//! before it), so a learner who wandered off can always get back.

use super::goal::Observed;
use super::history::History;
use super::{Action, Lesson, LESSONS};
use crate::shell::{Chunk, Sandbox, TermId};

/// Seed of every lesson's sandbox (lessons explain what they show, so it must not vary).
pub const LESSON_SEED: u64 = 1;
/// Simulated time after each typed line: a person does not type faster.
pub const TYPING_MS: u64 = 200;
/// How long a goal may take to become true after its solution ran (rebalances, compaction).
pub const SETTLE_MS_MAX: u64 = 120_000;
/// Slice in which time passes while waiting for a goal.
pub const SETTLE_SLICE_MS: u64 = 500;

pub struct LessonRun {
    pub lesson: &'static Lesson,
    sandbox: Sandbox,
    history: History,
    step: usize,
    /// How far this run has read the sandbox's event log.
    events_cursor: u64,
    /// Every input this run gave its sandbox, time included (waits merged): replayed in order on
    /// a fresh sandbox of the same seed, it rebuilds the same state. The UI records it as its
    /// transcript when it resets a step.
    inputs: Vec<Action>,
}

impl LessonRun {
    /// "Reset lesson": a fresh sandbox with the lesson's setup done, at its first step.
    pub fn start(lesson: &'static Lesson) -> LessonRun {
        let mut sandbox = Sandbox::new(lesson.brokers, LESSON_SEED);
        sandbox.set_interactive(true);
        let first = sandbox.open_terminal().expect("a fresh sandbox has room for a terminal");
        debug_assert_eq!(first, 1);
        let mut run = LessonRun { lesson, sandbox, history: History::new(), step: 0, events_cursor: 0, inputs: Vec::new() };
        for action in lesson.setup {
            run.apply(action);
        }
        run.settle_quietly();
        run.history.mark_step();
        run
    }

    /// "Reset step": a fresh sandbox in the state step `step` starts from (the setup and the
    /// solutions of the steps before it, each settled). `step` is clamped to the lesson.
    pub fn at_step(lesson: &'static Lesson, step: usize) -> LessonRun {
        let mut run = LessonRun::start(lesson);
        let step = step.min(lesson.steps.len());
        while run.step < step {
            for action in lesson.steps[run.step].solution {
                run.apply(action);
            }
            // A step whose goal is not reached still leaves the learner the state its solution
            // produced: a reset must always give something to work with.
            let _ = run.settle();
            run.next_step();
        }
        run
    }

    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// Every input given to the sandbox so far (lines, Ctrl-D, Ctrl-C, waits), in order.
    pub fn inputs(&self) -> &[Action] {
        &self.inputs
    }

    fn log(&mut self, action: Action) {
        if let (Action::Wait { ms }, Some(Action::Wait { ms: last })) = (action, self.inputs.last_mut()) {
            *last += ms;
            return;
        }
        self.inputs.push(action);
    }

    /// The sandbox and history, for the UI to carry on with.
    pub fn into_parts(self) -> (Sandbox, History) {
        (self.sandbox, self.history)
    }

    /// The current step (from 0; equal to the step count once every step is done).
    pub fn step(&self) -> usize {
        self.step
    }

    /// Moves to the next step: output goals then look at output from now on.
    pub fn next_step(&mut self) {
        if self.step < self.lesson.steps.len() {
            self.step += 1;
        }
        self.history.mark_step();
    }

    fn observe(&mut self, term: TermId, chunks: &[Chunk]) {
        self.history.record_output(term, chunks);
    }

    fn collect(&mut self) {
        let events = self.sandbox.events_since(&mut self.events_cursor);
        self.history.record_events(&events, self.sandbox.cluster());
        for term in self.sandbox.terminals() {
            let chunks = self.sandbox.take_output(term);
            self.observe(term, &chunks);
        }
    }

    fn advance(&mut self, ms: u64) {
        self.log(Action::Wait { ms });
        for (term, chunks) in self.sandbox.advance(ms) {
            self.observe(term, &chunks);
        }
        self.collect();
    }

    /// Opens terminals until `term` exists (lessons name terminals 1, 2, 3 as tabs).
    fn ensure_terminal(&mut self, term: TermId) -> bool {
        while !self.sandbox.terminals().contains(&term) {
            if self.sandbox.open_terminal().is_none_or(|t| t > term) {
                return self.sandbox.terminals().contains(&term);
            }
        }
        true
    }

    /// Runs one input as the learner would, then lets a moment of simulated time pass.
    pub fn apply(&mut self, action: &Action) {
        if !matches!(action, Action::Wait { .. }) {
            self.log(*action);
        }
        match *action {
            Action::Line { term, text } => {
                if self.ensure_terminal(term) {
                    let out = self.sandbox.run(term, text);
                    self.observe(term, &out);
                }
            }
            Action::Eof { term } => {
                if self.ensure_terminal(term) {
                    let out = self.sandbox.eof(term);
                    self.observe(term, &out);
                }
            }
            Action::Interrupt { term } => {
                if self.ensure_terminal(term) {
                    let out = self.sandbox.interrupt(term);
                    self.observe(term, &out);
                }
            }
            Action::Wait { ms } => {
                let mut left = ms;
                while left > 0 {
                    let slice = left.min(SETTLE_SLICE_MS);
                    self.advance(slice);
                    left -= slice;
                }
                return;
            }
        }
        self.collect();
        self.advance(TYPING_MS);
    }

    /// The current step's goal: met, or why not. Done when every step is done.
    pub fn check(&self) -> Result<(), String> {
        match self.lesson.steps.get(self.step) {
            Some(step) => step.goal.check(&Observed { sandbox: &self.sandbox, history: &self.history }),
            None => Ok(()),
        }
    }

    /// Lets simulated time pass until the current goal is met (at most [`SETTLE_MS_MAX`]).
    pub fn settle(&mut self) -> Result<(), String> {
        let mut waited = 0;
        loop {
            let result = self.check();
            if result.is_ok() || waited >= SETTLE_MS_MAX {
                return result;
            }
            self.advance(SETTLE_SLICE_MS);
            waited += SETTLE_SLICE_MS;
        }
    }

    /// After setup: a little time so that what the setup started is under way.
    fn settle_quietly(&mut self) {
        self.advance(1_000);
    }
}

/// The outcome of replaying one lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// `step` counts from 1.
    Failed { step: usize, why: String },
}

/// Replays a lesson's solutions on a fresh sandbox: each step's goal must be unmet before its
/// solution and met after it (time may pass, up to [`SETTLE_MS_MAX`]).
pub fn verify_lesson(lesson: &'static Lesson) -> Verdict {
    let mut run = LessonRun::start(lesson);
    for (i, step) in lesson.steps.iter().enumerate() {
        if run.check().is_ok() {
            return Verdict::Failed { step: i + 1, why: format!("the goal is already met before the step ({})", step.goal.describe()) };
        }
        for action in step.solution {
            run.apply(action);
        }
        if let Err(why) = run.settle() {
            return Verdict::Failed { step: i + 1, why };
        }
        run.next_step();
    }
    Verdict::Passed
}

/// Every lesson, verified.
pub fn verify_all() -> Vec<(&'static str, Verdict)> {
    LESSONS.iter().map(|l| (l.id, verify_lesson(l))).collect()
}
