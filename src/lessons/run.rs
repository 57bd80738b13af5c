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

    /// Hands the history `output` (what an input or an advance returned) and what the rest of the sandbox
    /// (other terminals' output, events) produced.
    fn collect(&mut self, mut output: Vec<(TermId, Vec<Chunk>)>) {
        for term in self.sandbox.terminals() {
            let chunks = self.sandbox.take_output(term);
            if !chunks.is_empty() {
                output.push((term, chunks));
            }
        }
        let events = self.sandbox.events_since(&mut self.events_cursor);
        self.history.sync(&self.sandbox, &events, &output);
    }

    fn advance(&mut self, ms: u64) {
        self.log(Action::Wait { ms });
        let output = self.sandbox.advance(ms);
        self.collect(output);
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
        let direct = match *action {
            Action::Line { term, text } => self.ensure_terminal(term).then(|| (term, self.sandbox.run(term, text))),
            Action::Eof { term } => self.ensure_terminal(term).then(|| (term, self.sandbox.eof(term))),
            Action::Interrupt { term } => self.ensure_terminal(term).then(|| (term, self.sandbox.interrupt(term))),
            Action::Wait { ms } => {
                let mut left = ms;
                while left > 0 {
                    let slice = left.min(SETTLE_SLICE_MS);
                    self.advance(slice);
                    left -= slice;
                }
                return;
            }
        };
        self.collect(direct.into_iter().collect());
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

/// How long a near miss is watched after its last input: its goal must stay unmet all along.
pub const WRONG_WATCH_MS: u64 = 30_000;

/// The outcome of replaying one lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every step's solution met its goal and every near miss left it unmet.
    Passed { steps: usize, refused: usize },
    /// `step` counts from 1.
    Failed { step: usize, why: String },
}

/// Replays a lesson's solutions on a fresh sandbox: each step's goal must be unmet before its
/// solution and met after it (time may pass, up to [`SETTLE_MS_MAX`]); each of the step's near
/// misses, run from the step's start on a sandbox of its own, must leave it unmet for
/// [`WRONG_WATCH_MS`].
pub fn verify_lesson(lesson: &'static Lesson) -> Verdict {
    verify_lesson_with(lesson, &mut |_, _, _| {})
}

/// [`verify_lesson`], telling `refused` each near miss refused: its step (from 1), what it
/// gets wrong, and why the goal is unmet after it (what the learner would read).
pub fn verify_lesson_with(lesson: &'static Lesson, refused_why: &mut dyn FnMut(usize, &str, &str)) -> Verdict {
    let mut run = LessonRun::start(lesson);
    let mut refused = 0;
    for (i, step) in lesson.steps.iter().enumerate() {
        if run.check().is_ok() {
            return Verdict::Failed { step: i + 1, why: format!("the goal is already met before the step ({})", step.goal.describe()) };
        }
        for wrong in step.wrong {
            match check_path(lesson, i, wrong.inputs, WRONG_WATCH_MS) {
                (Ok(()), _) => return Verdict::Failed { step: i + 1, why: format!("the near miss \"{}\" meets the goal", wrong.what) },
                (Err(why), _) => {
                    refused_why(i + 1, wrong.what, &why);
                    refused += 1;
                }
            }
        }
        for action in step.solution {
            run.apply(action);
        }
        if let Err(why) = run.settle() {
            return Verdict::Failed { step: i + 1, why };
        }
        run.next_step();
    }
    Verdict::Passed { steps: lesson.steps.len(), refused }
}

/// Runs `inputs` from the start of step `step` (from 0) and watches the goal for `watch_ms`
/// afterwards: met as soon as it is met, else why not at the end. Also returns the run.
pub fn check_path(lesson: &'static Lesson, step: usize, inputs: &[Action], watch_ms: u64) -> (Result<(), String>, LessonRun) {
    let mut run = LessonRun::at_step(lesson, step);
    for action in inputs {
        run.apply(action);
        if run.check().is_ok() {
            return (Ok(()), run);
        }
    }
    let mut waited = 0;
    loop {
        let result = run.check();
        if result.is_ok() || waited >= watch_ms {
            return (result, run);
        }
        run.advance(SETTLE_SLICE_MS);
        waited += SETTLE_SLICE_MS;
    }
}

/// Every lesson, verified.
pub fn verify_all() -> Vec<(&'static str, Verdict)> {
    LESSONS.iter().map(|l| (l.id, verify_lesson(l))).collect()
}

/// A path as `sandbox-shell lessons --check` reads it, in the "show solution" listing's words:
/// one input per line, `[terminal N] ` before it names its terminal (and the next lines', until
/// another is named; terminal 1 at first), `Ctrl-D` / `Ctrl-C` (or `^D` / `^C`) are the keys,
/// `(wait 12 s)` or `(wait 500 ms)` lets time pass; blank lines and lines starting with `# `
/// are skipped; a transcript's `$ ` and `> ` prefixes are accepted. Errors name the line.
pub fn parse_path(text: &'static str) -> Result<Vec<Action>, String> {
    let mut term: TermId = 1;
    let mut actions = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim() == "#" || line.trim_start().starts_with("# ") {
            continue;
        }
        if let Some(wait) = line.trim().strip_prefix("(wait ").and_then(|w| w.strip_suffix(')')) {
            actions.push(Action::Wait { ms: parse_wait(wait).ok_or_else(|| format!("line {}: cannot read the wait `{}` (try `(wait 12 s)`)", n + 1, line.trim()))? });
            continue;
        }
        let mut rest = line;
        if let Some(tail) = line.strip_prefix('[') {
            let (inside, after) = tail.split_once("] ").or_else(|| tail.strip_suffix(']').map(|t| (t, ""))).ok_or_else(|| format!("line {}: `[` without `] `", n + 1))?;
            let number = inside.strip_prefix("terminal ").unwrap_or(inside);
            term = number.trim().parse().ok().filter(|t| (1..=4).contains(t)).ok_or_else(|| format!("line {}: no terminal `{inside}` (terminals 1 to 4)", n + 1))?;
            rest = after;
        }
        actions.push(match rest.trim() {
            "Ctrl-D" | "^D" => Action::Eof { term },
            "Ctrl-C" | "^C" => Action::Interrupt { term },
            // A transcript's `$ ` (a command) and `> ` (a line for the running tool) are dropped.
            _ => Action::Line { term, text: rest.strip_prefix("$ ").or_else(|| rest.strip_prefix("> ")).unwrap_or(rest) },
        });
    }
    Ok(actions)
}

fn parse_wait(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, factor) = if let Some(n) = text.strip_suffix("ms") { (n, 1.0) } else { (text.strip_suffix('s')?, 1000.0) };
    let value: f64 = number.trim().parse().ok()?;
    (value.is_finite() && (0.0..=86_400.0).contains(&(value * factor / 1000.0))).then(|| (value * factor) as u64)
}
