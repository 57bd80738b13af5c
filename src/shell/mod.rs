//! The sandbox shell: parses command lines and runs the Kafka tools against the simulated cluster.
//!
//! The shell never prints: every command returns its output as text chunks tagged with the stream
//! (stdout or stderr) the real tool would have used. The browser terminal and the native
//! `sandbox-shell` binary both render those chunks.
//!
//! # One cluster, several terminals
//!
//! A [`Sandbox`] owns one simulated [`crate::engine::Cluster`], the in-memory file system, every
//! running tool and N terminals, each with its own mode and prompt, history, `$?`, variables,
//! foreground tool and jobs. The API the UI drives:
//!
//! ```text
//! Sandbox::new(brokers: u32, seed: u64) -> Sandbox
//! open_terminal(&mut self) -> Option<TermId>          close_terminal(&mut self, TermId)
//! run(&mut self, TermId, line: &str) -> Vec<Chunk>    a line as typed (command or tool stdin)
//! eof(&mut self, TermId) -> Vec<Chunk>                Ctrl-D
//! interrupt(&mut self, TermId) -> Vec<Chunk>          Ctrl-C
//! advance(&mut self, ms: u64) -> Vec<(TermId, Vec<Chunk>)>   simulated time passes (UI clock)
//! take_output(&mut self, TermId) -> Vec<Chunk>        output a terminal got while not driven
//! mode(&self, TermId) -> Mode    prompt(&self, TermId) -> &'static str
//! complete(&self, TermId, line: &str) -> Vec<String>  history(&self, TermId) -> &[String]
//! transcript(&self) -> &[Input]   Sandbox::replay(brokers, seed, &[Input]) -> Sandbox
//! cluster(&self) -> &Cluster      now_ms(&self) -> i64    set_interactive(&mut self, bool)
//! set_limits(&mut self, WorkLimits)                   bounds on one input's work (fuzzing)
//! world().export() -> String                          what `sim export` prints
//! ```
//!
//! `run` returns what that terminal shows while the line runs, including what its background
//! jobs print meanwhile. Output other terminals' processes produce while this one makes time pass
//! waits in their outbox ([`Sandbox::take_output`], or the next [`Sandbox::advance`]).
//! Every input (terminal + line, Ctrl-D, Ctrl-C, advance, open/close) is recorded in the
//! transcript, so a replay from the seed rebuilds the session exactly.
//!
//! [`Shell`] is the single-terminal convenience (`Shell::new(brokers, seed)`, `run(line)`,
//! `eof()`, `interrupt()`, `advance(ms)`, `mode()`, `prompt()`) used by the tests, the
//! `sandbox-shell` binary and the first UI.
//!
//! # Tools that run across time
//!
//! A tool that lives on (console consumer, interactive producer, perf tests, background jobs) is a
//! [`Process`] ([`process`]): polled after every slice of simulated time, fed stdin lines, sent
//! signals. In the foreground the shell keeps time running while the process says it is busy
//! (bounded), then hands the terminal back: [`Mode::ToolInput`] if it reads the terminal,
//! [`Mode::Running`] if not (Ctrl-C stops it). A scripted session (not interactive) waits for a
//! foreground process to end, at most [`session::SCRIPT_WAIT_MS`] of simulated time.
//! `tools::execute(session, request, stdin) -> Exec` is where each tool meets the engine.
//!
//! Layout:
//! - [`sandbox`]: [`Sandbox`], [`World`] (shared state), terminals, [`Shell`];
//! - [`session`]: one terminal's shell at work ([`Session`]: lists, pipelines, redirections,
//!   builtins, jobs, the foreground process);
//! - [`process`]: the [`Process`] trait;
//! - [`parse`]: the shell language (quotes, pipes, lists, `&`, redirections, here-documents);
//! - [`builtins`]: `echo`, `printf`, `seq`, `cat`, `sleep`, `true`, `false`, ...;
//! - [`jobs`]: background jobs as bash shows them (`[1]+  Running ...`);
//! - [`jopt`]: jopt-simple's option parsing and help tables, as Kafka's tools use them;
//! - [`tools`]: one module per Kafka tool (and `sim`, `kcat`): options, client-side validation, a
//!   typed request per command, and its execution against the engine.

pub mod builtins;
pub mod jobs;
pub mod jopt;
pub mod parse;
pub mod process;
pub mod regex;
pub mod sandbox;
pub mod session;
pub mod tools;

pub use process::{Exec, ProcCx, ProcId, ProcState, Process, Signal};
pub use sandbox::{Input, Sandbox, Shell, TermId, WorkLimits, World};
pub use session::Session;

/// Which stream a chunk of output belongs to, as the real tool would have used it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

/// A piece of output text (may hold several lines, each ending in `\n`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub stream: Stream,
    pub text: String,
}

impl Chunk {
    pub fn out(text: impl Into<String>) -> Chunk {
        Chunk { stream: Stream::Out, text: text.into() }
    }
    pub fn err(text: impl Into<String>) -> Chunk {
        Chunk { stream: Stream::Err, text: text.into() }
    }
}

/// What a command produced: its output and its exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub chunks: Vec<Chunk>,
    pub status: i32,
}

impl Outcome {
    pub fn ok(chunks: Vec<Chunk>) -> Outcome {
        Outcome { chunks, status: 0 }
    }
    pub fn fail(chunks: Vec<Chunk>, status: i32) -> Outcome {
        Outcome { chunks, status }
    }
    /// `text` on stdout, status 0.
    pub fn stdout(text: impl Into<String>) -> Outcome {
        Outcome::single(Stream::Out, text.into(), 0)
    }
    /// `text` on stderr with `status`.
    pub fn stderr(text: impl Into<String>, status: i32) -> Outcome {
        Outcome::single(Stream::Err, text.into(), status)
    }
    /// One copy of the one-chunk vector's construction for the ~70 call sites of the two above.
    #[inline(never)]
    fn single(stream: Stream, text: String, status: i32) -> Outcome {
        Outcome { chunks: vec![Chunk { stream, text }], status }
    }
}

/// `out.push_str(&format!(...))` without the temporary String, one non-inlined copy for every
/// call site (`push_fmt(&mut out, format_args!(...))`).
#[inline(never)]
pub(crate) fn push_fmt(out: &mut String, args: std::fmt::Arguments<'_>) {
    let _ = std::fmt::Write::write_fmt(out, args);
}

/// The terminal-facing state the UI shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Waiting for a command: prompt `$ `.
    Command,
    /// Inside a multi-line command (here-document, open quote): prompt `> `.
    Continuation,
    /// A foreground tool reads the terminal: prompt `>` (the console producer's own prompt).
    ToolInput,
    /// A foreground tool runs and does not read the terminal (a console consumer): no prompt
    /// until it ends or Ctrl-C stops it.
    Running,
}

/// The limit of the history kept (bash's default HISTSIZE).
pub const HISTORY_MAX: usize = 500;
/// Files in the in-memory file system are limited, like everything a learner can grow.
pub const FILE_BYTES_MAX: usize = 1024 * 1024;
pub const FILES_MAX: usize = 64;

pub const HELP: &str = "\
Kafka sandbox shell: a simulated Kafka 3.9 cluster (KRaft mode) in your browser.

Kafka tools (with or without .sh, with any path prefix):
  kafka-topics                 create, list, describe, alter and delete topics
  kafka-console-producer       write records, one per line
  kafka-console-consumer       read records
  kafka-consumer-groups        list, describe and reset consumer groups
  kafka-configs                describe and alter topic and broker configs
  kafka-leader-election        preferred and unclean leader elections
  kafka-get-offsets            earliest and latest offsets per partition
  kafka-producer-perf-test     produce a load and report throughput
  kafka-consumer-perf-test     consume a load and report throughput
  kcat (kafkacat)              librdkafka's command-line client

Sandbox controls:
  sim status                   the brokers and what they are doing
  sim advance <duration>       let simulated time pass (500ms, 10s, 5m)
  sim crash|stop|start <id>    fail or restart a broker
  sim isolate <id> / sim heal  cut a broker off the network, and mend it
  sim slow <id> <delay>        slow a broker's replication down (sim heal undoes it)
  sim time / sim seed          the simulated clock and the session's seed
  sim reset [--brokers N] [--seed S]
  sim export                   a docker-compose file and this session's commands

Shell: help [command], history, clear, jobs, fg, kill %N, echo, printf, seq, cat, sleep.
";

/// The help for one command (`help <command>`).
pub fn help(command: &str) -> Option<String> {
    if let Some(tool) = tools::Tool::from_command(command) {
        return Some(tools::summary(tool));
    }
    builtins::help(command)
}

