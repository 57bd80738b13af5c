//! The sandbox shell: parses command lines and runs the Kafka tools against the simulated cluster.
//!
//! The shell never prints: every command returns its output as text chunks tagged with the stream
//! (stdout or stderr) the real tool would have used. The browser terminal and the native
//! `sandbox-shell` binary both render those chunks.
//!
//! Layout:
//! - [`parse`]: the shell language (quotes, pipes, lists, `&`, redirections, here-documents);
//! - [`builtins`]: `echo`, `printf`, `seq`, `cat`, `sleep`, `true`, `false`, ...;
//! - [`jobs`]: background jobs as bash shows them (`[1]+  Running ...`);
//! - [`jopt`]: jopt-simple's option parsing and help tables, as Kafka's tools use them;
//! - [`tools`]: one module per Kafka tool (and `sim`, `kcat`): options, client-side validation and a
//!   typed request per command. Phase 1 stops after validation: the engine plugs in at
//!   [`Shell::execute`].
//!
//! Interaction model: [`Shell::run`] takes one line as typed. While a here-document or an open
//! quote waits for more lines, it returns nothing and [`Shell::prompt`] is `> `. When a tool reads
//! its terminal (an interactive `kafka-console-producer`), the following lines are that tool's
//! stdin, [`Shell::eof`] is Ctrl-D and [`Shell::interrupt`] is Ctrl-C.

pub mod builtins;
pub mod jobs;
pub mod jopt;
pub mod parse;
pub mod tools;

use std::collections::BTreeMap;

use parse::{AndOr, Command, Connector, Parse, Part, Redirect, Word};

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
}

/// The limit of the history kept (bash's default HISTSIZE).
pub const HISTORY_MAX: usize = 500;
/// Files in the in-memory file system are limited, like everything a learner can grow.
pub const FILE_BYTES_MAX: usize = 1024 * 1024;
pub const FILES_MAX: usize = 64;

/// A tool that reads lines typed at the terminal until Ctrl-D (phase 1: the console producer).
#[derive(Clone, Debug)]
pub struct Foreground {
    pub request: tools::Request,
    pub lines: Vec<String>,
    pub text: String,
}

/// One shell session bound to a simulated cluster.
pub struct Shell {
    brokers: u32,
    seed: u64,
    /// Lines of a command still being typed (here-document, open quote).
    pending: String,
    history: Vec<String>,
    vars: BTreeMap<String, String>,
    last_status: i32,
    files: BTreeMap<String, String>,
    jobs: jobs::Jobs,
    foreground: Option<Foreground>,
    /// Simulated time known to the shell (the engine will own it in phase 2).
    now_ms: u64,
    /// Output produced by background jobs since the last collection.
    background_output: Vec<Chunk>,
    /// Whether the session is driven by a person at a terminal (prompts, auto-stops differ).
    interactive: bool,
}

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

impl Shell {
    /// A shell bound to a fresh cluster of `brokers` brokers, simulated from `seed`.
    pub fn new(brokers: u32, seed: u64) -> Shell {
        Shell {
            brokers,
            seed,
            pending: String::new(),
            history: Vec::new(),
            vars: BTreeMap::new(),
            last_status: 0,
            files: BTreeMap::new(),
            jobs: jobs::Jobs::default(),
            foreground: None,
            now_ms: 0,
            background_output: Vec::new(),
            interactive: true,
        }
    }

    pub fn brokers(&self) -> u32 {
        self.brokers
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Marks the session as scripted (stdin not a terminal): tools then behave as with a pipe.
    pub fn set_interactive(&mut self, interactive: bool) {
        self.interactive = interactive;
    }

    /// The exit status of the last command (`$?`).
    pub fn last_status(&self) -> i32 {
        self.last_status
    }

    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Simulated time in ms as the shell knows it.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    pub fn mode(&self) -> Mode {
        if self.foreground.is_some() {
            Mode::ToolInput
        } else if !self.pending.is_empty() {
            Mode::Continuation
        } else {
            Mode::Command
        }
    }

    /// The prompt to show before the next line.
    pub fn prompt(&self) -> &'static str {
        match self.mode() {
            Mode::Command => "$ ",
            Mode::Continuation => "> ",
            Mode::ToolInput => ">",
        }
    }

    /// Runs one line as typed and returns what it printed.
    pub fn run(&mut self, line: &str) -> Vec<Chunk> {
        if self.foreground.is_some() {
            return self.feed_stdin(line);
        }
        if self.pending.len() + line.len() > parse::INPUT_BYTES_MAX {
            self.pending.clear();
            self.last_status = 2;
            return vec![Chunk::err("bash: input too long\n")];
        }
        self.pending.push_str(line);
        self.pending.push('\n');
        let text = std::mem::take(&mut self.pending);
        match parse::parse(&text) {
            Parse::Incomplete => {
                self.pending = text;
                Vec::new()
            }
            Parse::Error(message) => {
                self.remember(&text);
                self.last_status = 2;
                vec![Chunk::err(format!("bash: {message}\n"))]
            }
            Parse::Complete(lists) => {
                self.remember(&text);
                let mut out = Vec::new();
                for list in &lists {
                    if self.foreground.is_some() {
                        break;
                    }
                    out.extend(self.run_list(list));
                }
                out.extend(self.jobs.take_notifications());
                out
            }
        }
    }

    fn remember(&mut self, text: &str) {
        let entry = text.trim_end_matches('\n').to_string();
        if entry.trim().is_empty() {
            return;
        }
        if self.history.len() >= HISTORY_MAX {
            self.history.remove(0);
        }
        self.history.push(entry);
    }

    /// A line typed while a foreground tool reads the terminal.
    pub fn feed_stdin(&mut self, line: &str) -> Vec<Chunk> {
        match self.foreground.as_mut() {
            Some(fg) => {
                if fg.lines.len() < tools::STDIN_LINES_MAX {
                    fg.lines.push(line.to_string());
                }
                Vec::new()
            }
            None => self.run(line),
        }
    }

    /// Ctrl-D: end of input for the foreground tool (or an unfinished multi-line command).
    pub fn eof(&mut self) -> Vec<Chunk> {
        if let Some(fg) = self.foreground.take() {
            let outcome = self.finish_foreground(fg);
            self.last_status = outcome.status;
            return outcome.chunks;
        }
        if !self.pending.is_empty() {
            self.pending.clear();
            self.last_status = 2;
            return vec![Chunk::err("bash: syntax error: unexpected end of file\n")];
        }
        Vec::new()
    }

    /// Ctrl-C: stops the foreground tool or drops the line being typed.
    pub fn interrupt(&mut self) -> Vec<Chunk> {
        self.pending.clear();
        if let Some(fg) = self.foreground.take() {
            // Lines already entered were sent as they were typed; SIGINT ends the tool (130).
            let mut outcome = self.finish_foreground(fg);
            outcome.chunks.push(Chunk::out("^C"));
            self.last_status = 130;
            return outcome.chunks;
        }
        self.last_status = 130;
        Vec::new()
    }

    /// Output that background jobs produced as simulated time went by (phase 2: the engine).
    pub fn take_background_output(&mut self) -> Vec<Chunk> {
        std::mem::take(&mut self.background_output)
    }

    /// Tab completion: the candidates for the last word of `line`.
    pub fn complete(&self, line: &str) -> Vec<String> {
        tools::complete(line, &self.files)
    }

    fn finish_foreground(&mut self, fg: Foreground) -> Outcome {
        let stdin = fg.lines.iter().map(|l| format!("{l}\n")).collect::<String>();
        self.execute(fg.request, Some(&stdin))
    }

    fn run_list(&mut self, list: &AndOr) -> Vec<Chunk> {
        if list.background {
            return self.start_job(list);
        }
        let mut out = Vec::new();
        for (connector, pipeline) in &list.pipelines {
            let run = match connector {
                Connector::First => true,
                Connector::And => self.last_status == 0,
                Connector::Or => self.last_status != 0,
            };
            if !run {
                continue;
            }
            let outcome = self.run_pipeline(&pipeline.commands, &pipeline.text);
            self.last_status = outcome.status;
            out.extend(outcome.chunks);
            if self.foreground.is_some() {
                break;
            }
        }
        out
    }

    /// `cmd &`: bash prints `[N] PID`; the job runs on the simulated clock.
    fn start_job(&mut self, list: &AndOr) -> Vec<Chunk> {
        let sleep_ms = single_sleep(list).and_then(|arg| builtins::parse_duration_s(&arg).ok());
        let kind = match sleep_ms {
            Some(ms) => jobs::JobKind::Sleep { until_ms: self.now_ms.saturating_add(ms) },
            None => {
                // Phase 1: anything else runs to completion now; its output is kept for later
                // collection (prefixed `[N] ` for the non-interactive shell).
                let mut saved = std::mem::replace(&mut self.foreground, None);
                let mut out = Vec::new();
                for (connector, pipeline) in &list.pipelines {
                    let run = match connector {
                        Connector::First => true,
                        Connector::And => self.last_status == 0,
                        Connector::Or => self.last_status != 0,
                    };
                    if run {
                        let outcome = self.run_pipeline_detached(&pipeline.commands, &pipeline.text);
                        self.last_status = outcome.status;
                        out.extend(outcome.chunks);
                    }
                }
                std::mem::swap(&mut saved, &mut self.foreground);
                jobs::JobKind::Finished { status: self.last_status, output: out }
            }
        };
        let (id, pid) = self.jobs.start(list.text.clone(), kind);
        self.last_status = 0;
        vec![Chunk::err(format!("[{id}] {pid}\n"))]
    }

    /// Runs a pipeline in a job: tools cannot take over the terminal there.
    fn run_pipeline_detached(&mut self, commands: &[Command], text: &str) -> Outcome {
        let outcome = self.run_pipeline(commands, text);
        if let Some(fg) = self.foreground.take() {
            // A background producer reads no terminal: it gets end of input at once.
            return self.finish_foreground(fg);
        }
        outcome
    }

    fn run_pipeline(&mut self, commands: &[Command], text: &str) -> Outcome {
        let mut stdin: Option<String> = None;
        let mut errors: Vec<Chunk> = Vec::new();
        let mut last = Outcome::default();
        let count = commands.len();
        for (index, command) in commands.iter().enumerate() {
            let piped_out = index + 1 < count;
            let mut outcome = self.run_command(command, stdin.take(), piped_out, text);
            if piped_out {
                // stdout feeds the next command; stderr goes to the terminal.
                let mut next = String::new();
                for chunk in outcome.chunks.drain(..) {
                    match chunk.stream {
                        Stream::Out => next.push_str(&chunk.text),
                        Stream::Err => errors.push(chunk),
                    }
                }
                stdin = Some(next);
                if self.foreground.is_some() {
                    // Only the last command of a pipeline may read the terminal.
                    if let Some(fg) = self.foreground.take() {
                        let o = self.finish_foreground(fg);
                        errors.extend(o.chunks);
                    }
                }
            }
            last = outcome;
        }
        errors.extend(last.chunks);
        Outcome { chunks: errors, status: last.status }
    }

    fn expand(&self, word: &Word) -> String {
        word.iter()
            .map(|part| match part {
                Part::Lit(s) => s.clone(),
                Part::Var(name) => self.var(name),
            })
            .collect()
    }

    fn var(&self, name: &str) -> String {
        match name {
            "?" => self.last_status.to_string(),
            "$" => "1".into(),
            "#" => "0".into(),
            "RANDOM" => "4".into(),
            _ => self.vars.get(name).cloned().unwrap_or_default(),
        }
    }

    fn run_command(&mut self, command: &Command, mut stdin: Option<String>, piped_out: bool, text: &str) -> Outcome {
        let words: Vec<String> = command.words.iter().map(|w| self.expand(w)).collect();
        if words.is_empty() {
            for (name, value) in &command.assigns {
                let value = self.expand(value);
                self.vars.insert(name.clone(), value);
            }
            return Outcome::default();
        }
        // Input redirections.
        for redirect in &command.redirects {
            match redirect {
                Redirect::Heredoc { body } => stdin = Some(self.expand(body)),
                Redirect::In { source } => {
                    let path = self.expand(source);
                    match self.read_file(&path) {
                        Some(content) => stdin = Some(content),
                        None => {
                            return Outcome::fail(vec![Chunk::err(format!("bash: {path}: No such file or directory\n"))], 1)
                        }
                    }
                }
                _ => {}
            }
        }
        let mut outcome = self.dispatch(&words, stdin, piped_out, text);
        self.apply_output_redirects(command, &mut outcome);
        outcome
    }

    /// `>`, `>>`, `2>`, `2>&1`, `>&2` applied to the command's chunks, left to right as sh does.
    fn apply_output_redirects(&mut self, command: &Command, outcome: &mut Outcome) {
        #[derive(Clone, PartialEq)]
        enum Sink {
            Terminal(Stream),
            Null,
            File(String),
        }
        let mut sinks = [Sink::Terminal(Stream::Out), Sink::Terminal(Stream::Err)];
        let mut any = false;
        let mut files_to_create: Vec<(String, bool)> = Vec::new();
        for redirect in &command.redirects {
            match redirect {
                Redirect::Out { fd, target, append } => {
                    let path = self.expand(target);
                    let sink = if path == "/dev/null" {
                        Sink::Null
                    } else if path == "/dev/stderr" {
                        Sink::Terminal(Stream::Err)
                    } else if path == "/dev/stdout" {
                        Sink::Terminal(Stream::Out)
                    } else {
                        files_to_create.push((path.clone(), *append));
                        Sink::File(path)
                    };
                    if let Some(slot) = sinks.get_mut((*fd as usize).wrapping_sub(1)) {
                        *slot = sink;
                        any = true;
                    }
                }
                Redirect::Dup { fd, to } => {
                    let target = match to {
                        1 | 2 => sinks[(*to - 1) as usize].clone(),
                        _ => continue,
                    };
                    if let Some(slot) = sinks.get_mut((*fd as usize).wrapping_sub(1)) {
                        *slot = target;
                        any = true;
                    }
                }
                _ => {}
            }
        }
        if !any {
            return;
        }
        for (path, append) in files_to_create {
            if !append || !self.files.contains_key(&path) {
                if let Err(message) = self.write_file(&path, String::new()) {
                    outcome.chunks = vec![Chunk::err(message)];
                    outcome.status = 1;
                    return;
                }
            }
        }
        let mut kept = Vec::new();
        for chunk in std::mem::take(&mut outcome.chunks) {
            let sink = match chunk.stream {
                Stream::Out => &sinks[0],
                Stream::Err => &sinks[1],
            };
            match sink {
                Sink::Terminal(stream) => kept.push(Chunk { stream: *stream, text: chunk.text }),
                Sink::Null => {}
                Sink::File(path) => {
                    let mut content = self.files.get(path).cloned().unwrap_or_default();
                    content.push_str(&chunk.text);
                    if let Err(message) = self.write_file(path, content) {
                        kept.push(Chunk::err(message));
                        outcome.status = 1;
                    }
                }
            }
        }
        outcome.chunks = kept;
    }

    fn normalize_path(path: &str) -> String {
        path.trim_start_matches("./").to_string()
    }

    pub(crate) fn read_file(&self, path: &str) -> Option<String> {
        if path == "/dev/null" {
            return Some(String::new());
        }
        self.files.get(&Self::normalize_path(path)).cloned()
    }

    pub(crate) fn write_file(&mut self, path: &str, content: String) -> Result<(), String> {
        let key = Self::normalize_path(path);
        if key.is_empty() || key.ends_with('/') {
            return Err(format!("bash: {path}: Is a directory\n"));
        }
        if content.len() > FILE_BYTES_MAX {
            return Err(format!("bash: {path}: File too large\n"));
        }
        if !self.files.contains_key(&key) && self.files.len() >= FILES_MAX {
            return Err(format!("bash: {path}: No space left on device\n"));
        }
        self.files.insert(key, content);
        Ok(())
    }

    fn dispatch(&mut self, words: &[String], stdin: Option<String>, piped_out: bool, text: &str) -> Outcome {
        let name = words[0].as_str();
        let args = &words[1..];
        if let Some(outcome) = self.builtin(name, args, stdin.as_deref()) {
            return outcome;
        }
        let Some(tool) = tools::Tool::from_command(name) else {
            return tools::not_found(name);
        };
        let invoked = tools::invoked_name(name);
        let env = tools::Env { brokers: self.brokers, stdin_piped: stdin.is_some(), interactive: self.interactive, seed: self.seed };
        match tools::parse(tool, &invoked, args, &env) {
            Err(outcome) => outcome,
            Ok(request) => {
                if request.reads_terminal() && stdin.is_none() && self.interactive && !piped_out {
                    self.foreground = Some(Foreground { request, lines: Vec::new(), text: text.to_string() });
                    return Outcome::default();
                }
                let stdin = if request.reads_terminal() && stdin.is_none() { Some(String::new()) } else { stdin };
                self.execute(request, stdin.as_deref())
            }
        }
    }

    /// Runs a validated request. Phase 2 plugs the engine in here; until then every request that
    /// needs the cluster answers that it is not connected.
    pub fn execute(&mut self, request: tools::Request, stdin: Option<&str>) -> Outcome {
        tools::execute_offline(self, request, stdin)
    }

    pub(crate) fn advance_ms(&mut self, ms: u64) {
        self.now_ms = self.now_ms.saturating_add(ms);
        self.jobs.advance(self.now_ms);
    }

    fn builtin(&mut self, name: &str, args: &[String], stdin: Option<&str>) -> Option<Outcome> {
        let outcome = match name {
            "echo" => builtins::echo(args),
            "printf" => builtins::printf(args),
            "seq" => builtins::seq(args),
            "true" | ":" => Outcome::default(),
            "false" => Outcome::fail(Vec::new(), 1),
            "cat" => {
                let mut out = String::new();
                let mut errors = Vec::new();
                if args.is_empty() || args.iter().all(|a| a == "-") {
                    out.push_str(stdin.unwrap_or(""));
                }
                for path in args.iter().filter(|a| a.as_str() != "-") {
                    match self.read_file(path) {
                        Some(content) => out.push_str(&content),
                        None => errors.push(Chunk::err(format!("cat: {path}: No such file or directory\n"))),
                    }
                }
                let status = if errors.is_empty() { 0 } else { 1 };
                let mut chunks = Vec::new();
                if !out.is_empty() {
                    chunks.push(Chunk::out(out));
                }
                chunks.extend(errors);
                Outcome { chunks, status }
            }
            "clear" => Outcome::ok(vec![Chunk::out("\x1b[H\x1b[2J\x1b[3J")]),
            "history" => {
                let text: String = self
                    .history
                    .iter()
                    .enumerate()
                    .map(|(i, h)| format!("{:>5}  {}\n", i + 1, h))
                    .collect();
                Outcome::ok(vec![Chunk::out(text)])
            }
            "help" => match args.first() {
                None => Outcome::ok(vec![Chunk::out(HELP)]),
                Some(cmd) => match help(cmd) {
                    Some(text) => Outcome::ok(vec![Chunk::out(text)]),
                    None => Outcome::fail(
                        vec![Chunk::err(format!("bash: help: no help topics match `{cmd}'.  Try `help help' or `man -k {cmd}' or `info {cmd}'.\n"))],
                        1,
                    ),
                },
            },
            "sleep" => match builtins::sleep_ms(args) {
                Ok(ms) => {
                    self.advance_ms(ms);
                    Outcome::default()
                }
                Err(outcome) => outcome,
            },
            "jobs" => Outcome::ok(vec![Chunk::out(self.jobs.list())]).nonempty(),
            "fg" => self.fg(args),
            "kill" => self.jobs.kill(args),
            "export" => {
                for arg in args {
                    if let Some((k, v)) = arg.split_once('=') {
                        self.vars.insert(k.to_string(), v.to_string());
                    }
                }
                Outcome::default()
            }
            "cd" | "pwd" => {
                if name == "pwd" {
                    Outcome::ok(vec![Chunk::out("/home/learner\n")])
                } else {
                    Outcome::default()
                }
            }
            "ls" => {
                let names: String = self.files.keys().map(|k| format!("{k}\n")).collect();
                Outcome::ok(vec![Chunk::out(names)]).nonempty()
            }
            "rm" => {
                for path in args.iter().filter(|a| !a.starts_with('-')) {
                    self.files.remove(&Self::normalize_path(path));
                }
                Outcome::default()
            }
            _ => return None,
        };
        Some(outcome)
    }

    /// `fg [%N]`: bash prints the job's command, then waits for it.
    fn fg(&mut self, args: &[String]) -> Outcome {
        match self.jobs.resolve(args.first().map(String::as_str), "fg") {
            Err(outcome) => outcome,
            Ok(id) => {
                let Some(job) = self.jobs.remove(id) else { return Outcome::default() };
                let mut chunks = vec![Chunk::out(format!("{}\n", job.text))];
                match job.kind {
                    jobs::JobKind::Sleep { until_ms } => {
                        let wait = until_ms.saturating_sub(self.now_ms);
                        self.advance_ms(wait);
                        Outcome { chunks, status: 0 }
                    }
                    jobs::JobKind::Finished { status, output } => {
                        chunks.extend(output);
                        Outcome { chunks, status }
                    }
                }
            }
        }
    }
}

impl Outcome {
    /// Drops an empty stdout chunk (commands that print nothing).
    fn nonempty(mut self) -> Outcome {
        self.chunks.retain(|c| !c.text.is_empty());
        self
    }
}

/// The duration argument of a list that is exactly `sleep N`.
fn single_sleep(list: &AndOr) -> Option<String> {
    if list.pipelines.len() != 1 {
        return None;
    }
    let commands = &list.pipelines[0].1.commands;
    if commands.len() != 1 || commands[0].words.len() != 2 {
        return None;
    }
    let lit = |w: &Word| match w.as_slice() {
        [Part::Lit(s)] => Some(s.clone()),
        _ => None,
    };
    if lit(&commands[0].words[0])? != "sleep" {
        return None;
    }
    lit(&commands[0].words[1])
}
