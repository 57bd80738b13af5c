//! Lessons as data: the Kafka introduction, step by step, with goals the sandbox checks.
//!
//! A [`Lesson`] is a list of [`Step`]s. Each step tells a short story (`narrative`), offers the
//! exact command lines to run (`commands`, each in a named terminal), says what the UI should
//! highlight (`look_at`), and carries a [`Goal`]: a predicate over the sandbox's state (topics,
//! partitions, brokers, groups, files) and its history (commands run, output printed, events seen),
//! which, when unmet, says in words which condition is missing. `solution` is the input that
//! reaches the goal from the state the previous steps left behind: the UI shows it on request
//! ("show solution" fills the terminal without running it) and `sandbox-shell lessons --verify`
//! replays it.
//!
//! Everything here is `'static` data compiled into the binary: no parsing at start-up, nothing
//! to get out of sync with a file. Module map:
//! - [`catalog`]: the lessons themselves ([`catalog::LESSONS`]);
//! - [`goal`]: the goal predicates and their evaluation;
//! - [`history`]: what happened in a sandbox that its state alone does not show;
//! - [`run`]: a lesson running in a sandbox (reset step, reset lesson, verification);
//! - [`progress`]: the learner's progress (kept as JSON) and deep links (`#/lesson/<id>/step/<n>`).

pub mod catalog;
pub mod commands;
pub mod goal;
mod observe_groups;
pub mod history;
pub mod progress;
pub mod run;

pub use catalog::LESSONS;
pub use goal::{Goal, Observed};
pub use history::History;
pub use progress::{format_link, parse_link, LinkError, Progress, Route};
pub use run::{check_path, parse_path, verify_all, verify_lesson, LessonRun, Verdict};

use crate::shell::TermId;

/// One lesson: a slug (`id`, used in deep links and saved progress), a title, a one-line summary
/// and its steps. Challenges have goals but no walkthrough in their narrative.
#[derive(Debug)]
pub struct Lesson {
    pub id: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    /// A challenge: goals and hints, no walkthrough (its solution is still there for `--verify`).
    pub challenge: bool,
    /// Brokers of the lesson's fresh sandbox.
    pub brokers: u32,
    /// Input run on the fresh sandbox before the first step (what earlier lessons left behind,
    /// so each lesson can start on its own). Shown to the learner as "this lesson starts with".
    pub setup: &'static [Action],
    pub steps: &'static [Step],
}

/// One step of a lesson.
#[derive(Debug)]
pub struct Step {
    pub title: &'static str,
    /// Short paragraphs; commands are quoted with backticks.
    pub narrative: &'static [&'static str],
    /// The command lines the step offers (clickable in the UI, also typeable).
    pub commands: &'static [Command],
    /// What the UI should highlight while the step is open.
    pub look_at: &'static [LookAt],
    /// What the goal asks, in plain words (the UI shows it beside the goal's tick).
    pub goal_text: &'static str,
    pub goal: Goal,
    pub hints: &'static [&'static str],
    /// The input that reaches the goal from the end of the previous step.
    pub solution: &'static [Action],
    /// Near misses that must leave the goal unmet (a failed command, a cheat, a skipped record):
    /// `--verify` runs each from the step's start.
    pub wrong: &'static [WrongPath],
}

/// A near miss: what it gets wrong, in words, and its input from the step's start.
#[derive(Debug)]
pub struct WrongPath {
    pub what: &'static str,
    pub inputs: &'static [Action],
}

/// A command line offered by a step, to be run in terminal `term` (1 is the first tab).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Command {
    pub term: TermId,
    pub line: &'static str,
}

/// One input of a solution or a setup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A line typed at a terminal (a command, or a line for the tool reading the terminal).
    Line { term: TermId, text: &'static str },
    /// Ctrl-D at a terminal.
    Eof { term: TermId },
    /// Ctrl-C at a terminal.
    Interrupt { term: TermId },
    /// Let simulated time pass (the UI's clock does this by itself).
    Wait { ms: u64 },
}

/// What the UI highlights: a topic, one partition, a broker, a consumer group (a trailing `*`
/// matches any suffix), a terminal, or the event log ("What just happened").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookAt {
    Topic(&'static str),
    Partition(&'static str, i32),
    Broker(u32),
    Group(&'static str),
    Terminal(TermId),
    Events,
}

/// The lesson with this id.
pub fn lesson(id: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.id == id)
}

impl Action {
    /// How the UI shows this input in a "show solution" listing.
    pub fn display(&self) -> String {
        match self {
            Action::Line { term, text } => format!("[terminal {term}] {text}"),
            Action::Eof { term } => format!("[terminal {term}] Ctrl-D"),
            Action::Interrupt { term } => format!("[terminal {term}] Ctrl-C"),
            Action::Wait { ms } => format!("(wait {} s)", *ms as f64 / 1000.0),
        }
    }
}
