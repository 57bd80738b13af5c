//! One terminal's shell at work: the shell language (lists, pipelines, redirections), builtins,
//! jobs and the foreground process, run against the shared [`World`].
//!
//! A [`Session`] borrows the world and one terminal's [`Term`] for the duration of one input
//! (a line, Ctrl-D, Ctrl-C, or noticing what happened while time passed). Everything the
//! terminal shows meanwhile is collected in order in `printed`: the output of each command as it
//! completes, and whatever processes printed to this terminal whenever simulated time moved.

use super::jobs;
use super::parse::{self, AndOr, Command, Connector, Parse, Part, Redirect, Word};
use super::process::{Exec, ProcId, ProcState, Signal};
use super::sandbox::{Foreground, Sink, Term, TermId, World, BUSY_SLICE_MS, SLICE_MS};
use super::{builtins, tools, Chunk, Outcome, Stream, HELP, HISTORY_MAX};

/// A scripted session (no terminal) waits at most this long for a foreground process that does
/// not end by itself (a console consumer without `--max-messages`), then interrupts it.
pub const SCRIPT_WAIT_MS: i64 = 60_000;

pub struct Session<'a> {
    pub(crate) w: &'a mut World,
    pub(crate) t: &'a mut Term,
    pub(crate) id: TermId,
    printed: Vec<Chunk>,
    /// Inside `cmd &`: Some(last) while running a background list; `last` is true for its final
    /// pipeline, whose process becomes the job.
    detached: Option<bool>,
    /// The process a background list left running.
    detached_spawn: Option<ProcId>,
    /// Prefix for a background job's lines (`[N] ` in scripted sessions).
    detached_prefix: String,
}

impl<'a> Session<'a> {
    pub(crate) fn new(w: &'a mut World, t: &'a mut Term, id: TermId) -> Session<'a> {
        Session { w, t, id, printed: Vec::new(), detached: None, detached_spawn: None, detached_prefix: String::new() }
    }

    // ----- what tools may use -----

    pub fn cluster(&self) -> &crate::engine::Cluster {
        &self.w.cluster
    }

    pub fn cluster_mut(&mut self) -> &mut crate::engine::Cluster {
        &mut self.w.cluster
    }

    pub fn world(&mut self) -> &mut World {
        self.w
    }

    pub fn brokers(&self) -> u32 {
        self.w.brokers
    }

    pub fn seed(&self) -> u64 {
        self.w.seed
    }

    pub fn now_ms(&self) -> u64 {
        self.w.cluster.now_ms().max(0) as u64
    }

    pub fn interactive(&self) -> bool {
        self.w.interactive
    }

    pub fn limits(&self) -> super::sandbox::WorkLimits {
        self.w.limits
    }

    pub fn env(&self, stdin_piped: bool) -> tools::Env {
        tools::Env { brokers: self.w.brokers, stdin_piped, interactive: self.w.interactive, seed: self.w.seed }
    }

    /// Lets simulated time pass: every process runs, this terminal's share of their output is
    /// shown now.
    pub fn advance_ms(&mut self, ms: u64) {
        let ms = ms.min(super::sandbox::ADVANCE_MS_MAX).min(self.w.limits.advance_ms_max);
        self.w.advance(ms as i64, SLICE_MS);
        self.after_time_moved();
    }

    fn after_time_moved(&mut self) {
        let now = self.now_ms();
        self.t.jobs.advance(now);
        self.sync_jobs();
        self.flush_outbox();
    }

    fn flush_outbox(&mut self) {
        let chunks = self.w.take_outbox(self.id);
        self.printed.extend(chunks);
    }

    fn emit(&mut self, chunks: Vec<Chunk>) {
        self.printed.extend(chunks);
    }

    fn finish(&mut self) -> Vec<Chunk> {
        self.flush_outbox();
        std::mem::take(&mut self.printed)
    }

    fn foreground_alive(&self) -> Option<Foreground> {
        let fg = self.t.foreground.as_ref()?;
        match self.w.state(fg.proc) {
            Some(ProcState::Busy) | Some(ProcState::Idle) => Some(fg.clone()),
            _ => None,
        }
    }

    // ----- inputs -----

    /// One line as typed.
    pub fn run(&mut self, line: &str) -> Vec<Chunk> {
        self.notice_foreground();
        if let Some(fg) = self.foreground_alive() {
            if fg.reads_terminal {
                if let Some(seq) = self.t.last_command {
                    self.w.log_typed(seq, line);
                }
                self.w.input(fg.proc, line);
                self.settle_foreground();
            }
            // A tool that does not read its terminal leaves typed lines unread.
            return self.finish();
        }
        if self.t.pending.len() + line.len() > parse::INPUT_BYTES_MAX {
            self.t.pending.clear();
            self.t.last_status = 2;
            self.emit(vec![Chunk::err("bash: input too long\n")]);
            return self.finish();
        }
        self.t.pending.push_str(line);
        self.t.pending.push('\n');
        let text = std::mem::take(&mut self.t.pending);
        match parse::parse(&text) {
            Parse::Incomplete => {
                self.t.pending = text;
            }
            Parse::Error(message) => {
                self.remember(&text);
                self.t.last_status = 2;
                self.emit(vec![Chunk::err(format!("bash: {message}\n"))]);
            }
            Parse::Complete(lists) => {
                self.remember(&text);
                let entry = text.trim_end_matches('\n');
                if !entry.trim().is_empty() {
                    self.t.last_command = Some(self.w.log_command(self.id, entry));
                }
                self.run_lists(lists);
                if self.foreground_alive().is_none() {
                    self.sync_jobs();
                    let notes = self.t.jobs.take_notifications();
                    self.emit(notes);
                }
            }
        }
        self.finish()
    }

    /// Ctrl-D: end of input for the foreground tool (or an unfinished multi-line command).
    pub fn eof(&mut self) -> Vec<Chunk> {
        self.notice_foreground();
        if let Some(fg) = self.foreground_alive() {
            if fg.reads_terminal {
                self.w.eof(fg.proc);
                self.settle_foreground();
            }
            return self.finish();
        }
        if !self.t.pending.is_empty() {
            self.t.pending.clear();
            self.t.last_status = 2;
            self.emit(vec![Chunk::err("bash: syntax error: unexpected end of file\n")]);
        }
        self.finish()
    }

    /// Ctrl-C: stops the foreground tool (and the rest of its command line) or drops the line
    /// being typed.
    pub fn interrupt(&mut self) -> Vec<Chunk> {
        self.t.pending.clear();
        self.notice_foreground();
        if let Some(fg) = self.foreground_alive() {
            // The terminal echoes ^C where the cursor is; the tool's last words follow.
            self.flush_outbox();
            self.emit(vec![Chunk::out("^C")]);
            self.t.deferred.clear();
            self.w.signal(fg.proc, Signal::Interrupt);
            self.notice_foreground();
            return self.finish();
        }
        self.t.last_status = 130;
        self.finish()
    }

    /// After time moved elsewhere: notice ended processes and run what they held up.
    pub(crate) fn notice(&mut self) -> Vec<Chunk> {
        self.sync_jobs();
        self.notice_foreground();
        std::mem::take(&mut self.printed)
    }

    fn remember(&mut self, text: &str) {
        let entry = text.trim_end_matches('\n').to_string();
        if entry.trim().is_empty() {
            return;
        }
        if self.t.history.len() >= HISTORY_MAX {
            self.t.history.remove(0);
        }
        self.t.history.push(entry);
    }

    /// Jobs whose process ended become finished jobs (reported before the next prompt).
    fn sync_jobs(&mut self) {
        for id in self.t.jobs.process_ids() {
            if matches!(self.w.state(id), None | Some(ProcState::Exited(_))) {
                let status = self.w.reap(id).map_or(143, |(s, _)| s);
                self.t.jobs.process_ended(id, status);
            }
        }
    }

    /// If the foreground process ended: its status becomes `$?` and the rest of its command line
    /// runs.
    fn notice_foreground(&mut self) {
        let Some(fg) = self.t.foreground.clone() else { return };
        if self.foreground_alive().is_some() {
            return;
        }
        self.t.foreground = None;
        let status = self.w.reap(fg.proc).map_or(143, |(s, _)| s);
        self.t.last_status = status;
        self.flush_outbox();
        let deferred = std::mem::take(&mut self.t.deferred);
        if !deferred.is_empty() {
            self.run_lists(deferred);
        }
    }

    /// Keeps time running while the foreground process is busy (bounded by its limit). A scripted
    /// session also waits for a process that does not read the terminal to end, up to
    /// [`SCRIPT_WAIT_MS`], and then interrupts it.
    fn settle_foreground(&mut self) {
        let Some(fg) = self.foreground_alive() else {
            self.notice_foreground();
            return;
        };
        let start = self.w.now_ms();
        let busy_until = start.saturating_add(self.w.busy_limit_ms(fg.proc));
        let script_until = start.saturating_add(SCRIPT_WAIT_MS.max(self.w.busy_limit_ms(fg.proc)).min(self.w.limits.wait_ms_max));
        loop {
            let now = self.w.now_ms();
            match self.w.state(fg.proc) {
                Some(ProcState::Busy) if now < busy_until => {
                    self.w.advance(BUSY_SLICE_MS, BUSY_SLICE_MS);
                    self.after_time_moved();
                }
                Some(ProcState::Idle) | Some(ProcState::Busy) if !self.w.interactive && !fg.reads_terminal => {
                    if now >= script_until {
                        self.flush_outbox();
                        self.emit(vec![Chunk::err(format!(
                            "sandbox-shell: no terminal to press Ctrl-C: interrupting '{}' after {} s of simulated time\n",
                            fg.text,
                            SCRIPT_WAIT_MS / 1000
                        ))]);
                        self.w.signal(fg.proc, Signal::Interrupt);
                        self.t.deferred.clear();
                        break;
                    }
                    self.w.advance(SLICE_MS, SLICE_MS);
                    self.after_time_moved();
                }
                _ => break,
            }
        }
        self.flush_outbox();
        self.notice_foreground();
    }

    /// Runs a process that is not in the foreground (a pipeline's middle, a background list's
    /// head) until it exits, bounded; returns its status and captured stdout.
    fn wait_exit(&mut self, id: ProcId) -> (i32, String) {
        let until = self.w.now_ms().saturating_add(SCRIPT_WAIT_MS.max(self.w.busy_limit_ms(id)).min(self.w.limits.wait_ms_max));
        while matches!(self.w.state(id), Some(ProcState::Busy) | Some(ProcState::Idle)) {
            if self.w.now_ms() >= until {
                self.w.signal(id, Signal::Interrupt);
                break;
            }
            let slice = if self.w.state(id) == Some(ProcState::Busy) { BUSY_SLICE_MS } else { SLICE_MS };
            self.w.advance(slice, slice);
            self.after_time_moved();
        }
        self.w.reap(id).unwrap_or((143, String::new()))
    }

    // ----- the language -----

    fn run_lists(&mut self, lists: Vec<AndOr>) {
        let mut rest = lists.into_iter();
        while let Some(list) = rest.next() {
            self.run_list(&list);
            if self.foreground_alive().is_some() {
                self.t.deferred.extend(rest);
                return;
            }
        }
    }

    fn run_list(&mut self, list: &AndOr) {
        if list.background {
            self.start_job(list);
            return;
        }
        for (index, (connector, pipeline)) in list.pipelines.iter().enumerate() {
            let run = match connector {
                Connector::First => true,
                Connector::And => self.t.last_status == 0,
                Connector::Or => self.t.last_status != 0,
            };
            if !run {
                continue;
            }
            let outcome = self.run_pipeline(&pipeline.commands, &pipeline.text);
            self.emit(outcome.chunks);
            if self.foreground_alive().is_some() {
                // The rest of this list waits for the foreground process (its status decides).
                let rest: Vec<_> = list.pipelines[index + 1..].to_vec();
                if !rest.is_empty() {
                    self.t.deferred.push(AndOr { pipelines: rest, background: false, text: list.text.clone() });
                }
                return;
            }
            self.t.last_status = outcome.status;
        }
    }

    /// `cmd &`: bash prints `[N] PID`; the job runs on the simulated clock.
    fn start_job(&mut self, list: &AndOr) {
        let now = self.now_ms();
        let sleep_ms = single_sleep(list).and_then(|arg| builtins::parse_duration_s(&arg).ok());
        let kind = match sleep_ms {
            Some(ms) => jobs::JobKind::Sleep { until_ms: now.saturating_add(ms) },
            None => {
                let job_number = self.t.jobs.next_id();
                let saved_printed = std::mem::take(&mut self.printed);
                let saved_prefix = std::mem::replace(
                    &mut self.detached_prefix,
                    if self.w.interactive { String::new() } else { format!("[{job_number}] ") },
                );
                let count = list.pipelines.len();
                for (index, (connector, pipeline)) in list.pipelines.iter().enumerate() {
                    let run = match connector {
                        Connector::First => true,
                        Connector::And => self.t.last_status == 0,
                        Connector::Or => self.t.last_status != 0,
                    };
                    if run {
                        self.detached = Some(index + 1 == count);
                        let outcome = self.run_pipeline(&pipeline.commands, &pipeline.text);
                        self.t.last_status = outcome.status;
                        self.emit(outcome.chunks);
                    }
                }
                self.detached = None;
                self.detached_prefix = saved_prefix;
                let output = std::mem::replace(&mut self.printed, saved_printed);
                match self.detached_spawn.take() {
                    Some(proc) => {
                        // Whatever the list printed before its process started shows now.
                        self.emit(output);
                        jobs::JobKind::Process { proc }
                    }
                    None => jobs::JobKind::Finished { status: self.t.last_status, output },
                }
            }
        };
        let (id, pid) = self.t.jobs.start(list.text.clone(), kind);
        self.t.last_status = 0;
        self.printed.push(Chunk::err(format!("[{id}] {pid}\n")));
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
            "?" => self.t.last_status.to_string(),
            "$" => "1".into(),
            "#" => "0".into(),
            "RANDOM" => "4".into(),
            _ => self.t.vars.get(name).cloned().unwrap_or_default(),
        }
    }

    fn run_command(&mut self, command: &Command, mut stdin: Option<String>, piped_out: bool, text: &str) -> Outcome {
        let words: Vec<String> = command.words.iter().map(|w| self.expand(w)).collect();
        if words.is_empty() {
            for (name, value) in &command.assigns {
                let value = self.expand(value);
                self.t.vars.insert(name.clone(), value);
            }
            return Outcome::default();
        }
        // Input redirections.
        for redirect in &command.redirects {
            match redirect {
                Redirect::Heredoc { body } => stdin = Some(self.expand(body)),
                Redirect::In { source } => {
                    let path = self.expand(source);
                    match self.w.read_file(&path) {
                        Some(content) => stdin = Some(content),
                        None => {
                            return Outcome::stderr(format!("bash: {path}: No such file or directory\n"), 1)
                        }
                    }
                }
                _ => {}
            }
        }
        let sinks = match self.output_sinks(command) {
            Ok(sinks) => sinks,
            Err(outcome) => return outcome,
        };
        let outcome = self.dispatch(&words, stdin, piped_out, text, &sinks);
        self.route(outcome, &sinks)
    }

    /// `>`, `>>`, `2>`, `2>&1`, `>&2`, left to right as sh does; files are created first.
    fn output_sinks(&mut self, command: &Command) -> Result<[Sink; 2], Outcome> {
        let mut sinks = [Sink::Terminal(Stream::Out), Sink::Terminal(Stream::Err)];
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
                        if !*append || self.w.read_file(&path).is_none() {
                            if let Err(message) = self.w.write_file(&path, String::new()) {
                                return Err(Outcome::stderr(message, 1));
                            }
                        }
                        Sink::File(path)
                    };
                    if let Some(slot) = sinks.get_mut((*fd as usize).wrapping_sub(1)) {
                        *slot = sink;
                    }
                }
                Redirect::Dup { fd, to } => {
                    let target = match to {
                        1 | 2 => sinks[(*to - 1) as usize].clone(),
                        _ => continue,
                    };
                    if let Some(slot) = sinks.get_mut((*fd as usize).wrapping_sub(1)) {
                        *slot = target;
                    }
                }
                _ => {}
            }
        }
        Ok(sinks)
    }

    /// A finished command's chunks through its sinks.
    fn route(&mut self, mut outcome: Outcome, sinks: &[Sink; 2]) -> Outcome {
        let default = [Sink::Terminal(Stream::Out), Sink::Terminal(Stream::Err)];
        if *sinks == default {
            return outcome;
        }
        let mut kept = Vec::new();
        for chunk in std::mem::take(&mut outcome.chunks) {
            let sink = match chunk.stream {
                Stream::Out => &sinks[0],
                Stream::Err => &sinks[1],
            };
            match sink {
                Sink::Terminal(stream) => kept.push(Chunk { stream: *stream, text: chunk.text }),
                Sink::Capture => kept.push(chunk),
                Sink::Null => {}
                Sink::File(path) => {
                    if let Err(message) = self.w.append_file(path, &chunk.text) {
                        kept.push(Chunk::err(message));
                        outcome.status = 1;
                    }
                }
            }
        }
        outcome.chunks = kept;
        outcome
    }

    fn dispatch(&mut self, words: &[String], stdin: Option<String>, piped_out: bool, text: &str, sinks: &[Sink; 2]) -> Outcome {
        let name = words[0].as_str();
        let args = &words[1..];
        if let Some(outcome) = self.builtin(name, args, stdin.as_deref()) {
            return outcome;
        }
        let Some(tool) = tools::Tool::from_command(name) else {
            return tools::not_found(name);
        };
        let invoked = tools::invoked_name(name);
        let env = self.env(stdin.is_some());
        let request = match tools::parse(tool, &invoked, args, &env) {
            Err(outcome) => return outcome,
            Ok(request) => request,
        };
        match tools::execute(self, request, stdin.as_deref()) {
            Exec::Done(outcome) => outcome,
            Exec::Spawn(process) => self.spawn(process, stdin, piped_out, text, sinks),
        }
    }

    /// Starts a process: in the foreground (the terminal waits), as a background job, or in the
    /// middle of a pipeline (run to its end, its stdout captured).
    fn spawn(
        &mut self,
        process: Box<dyn super::process::Process>,
        stdin: Option<String>,
        piped_out: bool,
        text: &str,
        sinks: &[Sink; 2],
    ) -> Outcome {
        let reads_stdin = process.reads_stdin();
        let detached = self.detached;
        let reads_terminal = reads_stdin && stdin.is_none() && self.w.interactive && !piped_out && detached.is_none();
        let mut sinks = sinks.clone();
        if piped_out {
            sinks[0] = Sink::Capture;
        }
        let prefix = if detached.is_some() { self.detached_prefix.clone() } else { String::new() };
        let Some(id) = self.w.spawn(self.id, process, sinks, prefix, detached.is_some()) else {
            return Outcome::stderr("bash: fork: retry: Resource temporarily unavailable\n", 254);
        };
        self.w.poll(id);
        if reads_stdin && !reads_terminal {
            // A pipe, a here-document, or no terminal at all: all of stdin at once, then its end.
            for line in stdin.as_deref().unwrap_or("").lines() {
                self.w.input(id, line);
            }
            self.w.eof(id);
        }
        self.flush_outbox();
        if detached == Some(true) && !piped_out {
            self.detached_spawn = Some(id);
            return Outcome::default();
        }
        if piped_out || detached.is_some() {
            let (status, captured) = self.wait_exit(id);
            let chunks = if captured.is_empty() { Vec::new() } else { vec![Chunk::out(captured)] };
            return Outcome { chunks, status };
        }
        self.t.foreground = Some(Foreground { proc: id, reads_terminal, text: text.to_string() });
        self.settle_foreground();
        Outcome { chunks: Vec::new(), status: self.t.last_status }
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
                    match self.w.read_file(path) {
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
            "clear" => Outcome::stdout("\x1b[H\x1b[2J\x1b[3J"),
            "history" => {
                let text: String = self
                    .t
                    .history
                    .iter()
                    .enumerate()
                    .map(|(i, h)| format!("{:>5}  {}\n", i + 1, h))
                    .collect();
                Outcome::stdout(text)
            }
            "help" => match args.first() {
                None => Outcome::stdout(HELP),
                Some(cmd) => match super::help(cmd) {
                    Some(text) => Outcome::stdout(text),
                    None => Outcome::stderr(format!("bash: help: no help topics match `{cmd}'.  Try `help help' or `man -k {cmd}' or `info {cmd}'.\n"), 1),
                },
            },
            "sleep" => match builtins::sleep_ms(args) {
                Ok(ms) => {
                    self.advance_ms(ms);
                    Outcome::default()
                }
                Err(outcome) => outcome,
            },
            "jobs" => {
                self.sync_jobs();
                Outcome::stdout(self.t.jobs.list()).nonempty()
            }
            "fg" => self.fg(args),
            "kill" => {
                let (outcome, killed, signal) = self.t.jobs.kill(args);
                for proc in killed {
                    self.w.signal(proc, signal);
                    self.w.reap(proc);
                }
                self.flush_outbox();
                outcome
            }
            "export" => {
                for arg in args {
                    if let Some((k, v)) = arg.split_once('=') {
                        self.t.vars.insert(k.to_string(), v.to_string());
                    }
                }
                Outcome::default()
            }
            "cd" => Outcome::default(),
            "pwd" => Outcome::stdout("/home/learner\n"),
            "ls" => {
                let names: String = self.w.files.keys().map(|k| format!("{k}\n")).collect();
                Outcome::stdout(names).nonempty()
            }
            "rm" => {
                for path in args.iter().filter(|a| !a.starts_with('-')) {
                    self.w.files.remove(&super::sandbox::normalize_path(path));
                }
                Outcome::default()
            }
            _ => return None,
        };
        Some(outcome)
    }

    /// `fg [%N]`: bash prints the job's command, then waits for it.
    fn fg(&mut self, args: &[String]) -> Outcome {
        self.sync_jobs();
        match self.t.jobs.resolve(args.first().map(String::as_str), "fg") {
            Err(outcome) => outcome,
            Ok(id) => {
                let Some(job) = self.t.jobs.remove(id) else { return Outcome::default() };
                self.emit(vec![Chunk::out(format!("{}\n", job.text))]);
                match job.kind {
                    jobs::JobKind::Sleep { until_ms } => {
                        let wait = until_ms.saturating_sub(self.now_ms());
                        self.advance_ms(wait);
                        Outcome::default()
                    }
                    jobs::JobKind::Finished { status, output } => Outcome { chunks: output, status },
                    jobs::JobKind::Process { proc } => {
                        if let Some(slot) = self.w.procs.get_mut(&proc) {
                            slot.prefix.clear();
                            slot.background = false;
                        }
                        let reads_terminal = self.w.reads_stdin(proc) && self.w.interactive;
                        self.t.foreground = Some(Foreground { proc, reads_terminal, text: job.text.clone() });
                        self.settle_foreground();
                        Outcome { chunks: Vec::new(), status: self.t.last_status }
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
