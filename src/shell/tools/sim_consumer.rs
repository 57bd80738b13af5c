//! `sim consumer ...`: small processing applications learners can start, break, stop and crash,
//! to see the commit-after-processing pattern at work (Kafka's CLI has no such tool).
//!
//! A sandbox consumer is an application around the engine's consumer client
//! ([`crate::engine::Cluster::create_consumer`], manual commits, `auto.offset.reset=earliest`):
//! it polls, runs an "action" on each record in order, and commits what it processed — after the
//! action (`--commit after`, the default: at-least-once) or before it (`--commit before`:
//! at-most-once). The action fails on a record whose value contains the `--fail-on` text: with
//! `--fail-times N` it succeeds on try N+1, without it it always fails. A failed action is retried
//! in place: the application seeks back to the failed record, waits (1 s, doubling up to 10 s) and
//! polls again, so a record that always fails stops consumption while the lag grows. The way out is
//! Kafka's: stop the consumer (`sim consumer stop`: the group becomes Empty), move the group past the
//! record (`kafka-consumer-groups --reset-offsets --shift-by 1 --execute`), start it again.
//!
//! How many times each record's action failed is kept across restarts (it models the outside
//! world the action talks to), so `--fail-times 1` followed by a crash and a restart shows the
//! record read again and then processed.
//!
//! Applications live in the sandbox's [`World`] (not in a terminal: closing the terminal that
//! started one does not stop it; its lines then go nowhere). The sandbox calls [`Apps::poll`]
//! after every slice of simulated time.

use std::collections::BTreeMap;

use crate::engine::{Cluster, ConsumerConfig, ConsumerId, ConsumerLog, OffsetReset, OffsetSpec, TopicPartition};
use crate::shell::sandbox::{TermId, World};
use crate::shell::{Chunk, Outcome, Session};

/// Sandbox consumers alive (or stopped, kept for restart) at once.
pub const APPS_MAX: usize = 16;
/// First wait after a failed action; doubles on each failure of the same record.
pub const RETRY_BACKOFF_MS: i64 = 1_000;
pub const RETRY_BACKOFF_MS_MAX: i64 = 10_000;
/// Longest `--fail-on` text and name accepted.
pub const TEXT_BYTES_MAX: usize = 200;
/// Characters of a value shown in a processed/failed line.
const VALUE_SHOWN_CHARS_MAX: usize = 60;

pub const HELP: &str = "\
sim consumer: applications that process records and commit offsets (the processing pattern)
  sim consumer start <name> --topic <topic> --group <group> [--fail-on <text>] [--fail-times <n>]
                     [--commit after|before]
                               start a consumer whose action fails on records containing <text>
                               (always, or only the first <n> tries); it commits after the action
                               succeeds (default) or before running it; it reads from the earliest
                               offset when its group has none
  sim consumer start <name> [options]
                               restart a stopped or crashed consumer with the same settings,
                               except the options given (--fail-times 0: the action is fixed)
  sim consumer stop <name>     commit what was processed, leave the group, stop
  sim consumer crash <name>    kill it: no commit, no LeaveGroup (the group waits session.timeout.ms)
  sim consumer list            state, position, committed offset, lag and last error of each
";

/// When a consumer commits relative to its action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitWhen {
    /// After the action succeeded (at-least-once).
    After,
    /// Before the action runs (at-most-once).
    Before,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub topic: String,
    pub group: String,
    pub fail_on: Option<String>,
    /// None: a matching record always fails.
    pub fail_times: Option<u32>,
    pub commit: CommitWhen,
}

/// The options given to `start` (all optional: a restart may give none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StartArgs {
    pub topic: Option<String>,
    pub group: Option<String>,
    pub fail_on: Option<String>,
    pub fail_times: Option<u32>,
    pub commit: Option<CommitWhen>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Start { name: String, args: StartArgs },
    Stop { name: String },
    Crash { name: String },
    List,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppState {
    /// Polling and processing.
    Running,
    /// Its action failed; it will read the record again after a pause.
    Retrying,
    Stopped,
    Crashed,
}

impl AppState {
    pub fn name(self) -> &'static str {
        match self {
            AppState::Running => "running",
            AppState::Retrying => "retrying",
            AppState::Stopped => "stopped",
            AppState::Crashed => "crashed",
        }
    }
}

/// One sandbox consumer.
#[derive(Clone, Debug)]
pub struct App {
    pub spec: Spec,
    /// Where its lines go.
    term: TermId,
    pub state: AppState,
    consumer: Option<ConsumerId>,
    /// Records whose action succeeded, over the app's whole life.
    pub processed: u64,
    pub last_error: Option<String>,
    retry_at_ms: i64,
    /// Failed tries per record (kept across restarts: the outside world remembers).
    failures: BTreeMap<(TopicPartition, i64), u32>,
    /// Next offset to process per partition, as far as this run got (what `stop` commits).
    done: BTreeMap<TopicPartition, i64>,
}

/// Every sandbox consumer of a sandbox, by name.
#[derive(Clone, Debug, Default)]
pub struct Apps {
    by_name: BTreeMap<String, App>,
}

fn fail(message: impl std::fmt::Display) -> Outcome {
    Outcome::stderr(format!("sim consumer: {message}\n"), 1)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= TEXT_BYTES_MAX
        && !name.starts_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// `sim consumer <args>` (args after `consumer`).
pub fn parse(args: &[String]) -> Result<Command, Outcome> {
    let Some(sub) = args.first() else {
        return Err(Outcome::stdout(HELP));
    };
    let name = |what: &str| -> Result<String, Outcome> {
        match args.get(1) {
            Some(n) if valid_name(n) => Ok(n.clone()),
            Some(n) => Err(fail(format!("{what}: invalid name '{n}' (letters, digits, '-', '_', '.')"))),
            None => Err(fail(format!("{what}: which consumer? (sim consumer {what} <name>)"))),
        }
    };
    let no_more = |what: &str, n: usize| -> Result<(), Outcome> {
        match args.get(n) {
            Some(a) => Err(fail(format!("{what}: unexpected argument '{a}'"))),
            None => Ok(()),
        }
    };
    match sub.as_str() {
        "help" | "--help" | "-h" => Err(Outcome::stdout(HELP)),
        "list" => {
            no_more("list", 1)?;
            Ok(Command::List)
        }
        "stop" => {
            let name = name("stop")?;
            no_more("stop", 2)?;
            Ok(Command::Stop { name })
        }
        "crash" => {
            let name = name("crash")?;
            no_more("crash", 2)?;
            Ok(Command::Crash { name })
        }
        "start" => {
            let name = name("start")?;
            let mut a = StartArgs::default();
            let mut i = 2;
            while i < args.len() {
                let flag = args[i].as_str();
                let Some(value) = args.get(i + 1) else {
                    return Err(fail(format!("start: {flag} needs a value")));
                };
                match flag {
                    "--topic" if !value.is_empty() && value.len() <= 249 => a.topic = Some(value.clone()),
                    "--group" if !value.is_empty() && value.len() <= TEXT_BYTES_MAX => a.group = Some(value.clone()),
                    "--fail-on" if !value.is_empty() && value.len() <= TEXT_BYTES_MAX => a.fail_on = Some(value.clone()),
                    "--fail-times" => match value.parse::<u32>() {
                        Ok(n) if n <= 1_000_000 => a.fail_times = Some(n),
                        _ => return Err(fail(format!("start: --fail-times takes a number of tries (0..1000000), not '{value}'"))),
                    },
                    "--commit" => match value.as_str() {
                        "after" => a.commit = Some(CommitWhen::After),
                        "before" => a.commit = Some(CommitWhen::Before),
                        _ => return Err(fail(format!("start: --commit takes 'after' or 'before', not '{value}'"))),
                    },
                    "--topic" | "--group" | "--fail-on" => return Err(fail(format!("start: invalid value for {flag}: '{value}'"))),
                    other => return Err(fail(format!("start: unknown option '{other}' (try: sim consumer help)"))),
                }
                i += 2;
            }
            Ok(Command::Start { name, args: a })
        }
        other => Err(fail(format!("unknown command '{other}' (try: sim consumer help)"))),
    }
}

/// Runs a `sim consumer` command.
pub fn execute(session: &mut Session<'_>, command: &Command) -> Outcome {
    let term = session.id;
    let world = session.world();
    match command {
        Command::Start { name, args } => start(world, term, name, args),
        Command::Stop { name } => stop(world, name),
        Command::Crash { name } => crash(world, name),
        Command::List => Outcome::stdout(list(world)),
    }
}

fn start(world: &mut World, term: TermId, name: &str, args: &StartArgs) -> Outcome {
    let existing = world.apps.by_name.get(name);
    if let Some(app) = existing {
        if matches!(app.state, AppState::Running | AppState::Retrying) {
            return fail(format!("start: '{name}' is already running (sim consumer stop {name} first)"));
        }
    } else if world.apps.by_name.len() >= APPS_MAX {
        return fail(format!("start: at most {APPS_MAX} consumers (sim consumer list)"));
    }
    let previous = existing.map(|a| a.spec.clone());
    let (Some(topic), Some(group)) = (
        args.topic.clone().or_else(|| previous.as_ref().map(|s| s.topic.clone())),
        args.group.clone().or_else(|| previous.as_ref().map(|s| s.group.clone())),
    ) else {
        return fail(format!("start: a new consumer needs --topic <topic> and --group <group> (sim consumer start {name} --topic t --group g)"));
    };
    let spec = Spec {
        topic,
        group,
        fail_on: args.fail_on.clone().or_else(|| previous.as_ref().and_then(|s| s.fail_on.clone())),
        fail_times: if args.fail_on.is_some() { args.fail_times } else { args.fail_times.or_else(|| previous.as_ref().and_then(|s| s.fail_times)) },
        commit: args.commit.or_else(|| previous.as_ref().map(|s| s.commit)).unwrap_or(CommitWhen::After),
    };
    if spec.fail_times.is_some() && spec.fail_on.is_none() {
        return fail("start: --fail-times needs --fail-on <text>");
    }
    let cluster = &mut world.cluster;
    let config = ConsumerConfig {
        group_id: Some(spec.group.clone()),
        client_id: name.to_string(),
        auto_offset_reset: OffsetReset::Earliest,
        enable_auto_commit: false,
        ..ConsumerConfig::default()
    };
    let id = match cluster.create_consumer(config) {
        Ok(id) => id,
        Err(e) => return fail(format!("start: {}", e.message)),
    };
    if let Err(e) = cluster.subscribe(id, &[spec.topic.as_str()]) {
        let _ = cluster.crash_consumer(id);
        return fail(format!("start: {}", e.message));
    }
    let mut text = format!(
        "consumer '{name}' started: group '{}', topic '{}', commits {} the action",
        spec.group,
        spec.topic,
        if spec.commit == CommitWhen::After { "after" } else { "before" }
    );
    match (&spec.fail_on, spec.fail_times) {
        (Some(f), Some(0)) => crate::shell::push_fmt(&mut text, format_args!(", action fixed: no longer fails on values containing '{f}'")),
        (Some(f), Some(n)) => crate::shell::push_fmt(&mut text, format_args!(", action fails {n} time(s) on values containing '{f}'")),
        (Some(f), None) => crate::shell::push_fmt(&mut text, format_args!(", action always fails on values containing '{f}'")),
        _ => {}
    }
    text.push('\n');
    let (failures, processed) = world.apps.by_name.remove(name).map(|a| (a.failures, a.processed)).unwrap_or_default();
    world.apps.by_name.insert(
        name.to_string(),
        App {
            spec,
            term,
            state: AppState::Running,
            consumer: Some(id),
            processed,
            last_error: None,
            retry_at_ms: 0,
            failures,
            done: BTreeMap::new(),
        },
    );
    Outcome::stdout(text)
}

fn stop(world: &mut World, name: &str) -> Outcome {
    let Some(app) = world.apps.by_name.get_mut(name) else {
        return fail(format!("stop: no consumer '{name}' (sim consumer list)"));
    };
    let Some(id) = app.consumer.take().filter(|_| matches!(app.state, AppState::Running | AppState::Retrying)) else {
        return fail(format!("stop: '{name}' is not running"));
    };
    app.state = AppState::Stopped;
    let group = app.spec.group.clone();
    let commit_after = app.spec.commit == CommitWhen::After;
    let done = app.done.clone();
    let cluster = &mut world.cluster;
    let mut text = String::new();
    if commit_after && !done.is_empty() {
        let offsets: BTreeMap<TopicPartition, i64> = done;
        match cluster.commit_sync(id, Some(offsets.clone())) {
            Ok(()) => {
                let list: Vec<String> = offsets.iter().map(|(tp, o)| format!("{}-{} at {o}", tp.topic, tp.partition)).collect();
                crate::shell::push_fmt(&mut text, format_args!("consumer '{name}' committed {}\n", list.join(", ")));
            }
            Err(e) => crate::shell::push_fmt(&mut text, format_args!("consumer '{name}' could not commit: {}\n", e.message)),
        }
    }
    let _ = cluster.close_consumer(id);
    // close() waits for the LeaveGroup round trip: the group is Empty when the command returns.
    world.advance(crate::engine::ROUND_TRIP_MS, 1);
    crate::shell::push_fmt(&mut text, format_args!("consumer '{name}' stopped and left group '{group}'\n"));
    Outcome::stdout(text)
}

fn crash(world: &mut World, name: &str) -> Outcome {
    let Some(app) = world.apps.by_name.get_mut(name) else {
        return fail(format!("crash: no consumer '{name}' (sim consumer list)"));
    };
    let Some(id) = app.consumer.take().filter(|_| matches!(app.state, AppState::Running | AppState::Retrying)) else {
        return fail(format!("crash: '{name}' is not running"));
    };
    app.state = AppState::Crashed;
    let session_timeout_ms = ConsumerConfig::default().session_timeout_ms;
    let _ = world.cluster.crash_consumer(id);
    Outcome::stdout(format!(
        "consumer '{name}' crashed: nothing committed, no LeaveGroup; group '{}' notices after session.timeout.ms ({session_timeout_ms} ms)\n",
        app.spec.group
    ))
}

/// `sim consumer list`: one row per assigned partition (one row with `-` when none).
pub fn list(world: &mut World) -> String {
    let headers = ["NAME", "STATE", "GROUP", "PARTITION", "POSITION", "COMMITTED", "LAG", "PROCESSED", "LAST-ERROR"];
    let mut rows: Vec<[String; 9]> = Vec::new();
    let names: Vec<String> = world.apps.by_name.keys().cloned().collect();
    for name in names {
        let app = &world.apps.by_name[&name];
        let (spec, state, processed, last_error, consumer) =
            (app.spec.clone(), app.state, app.processed, app.last_error.clone().unwrap_or_else(|| "-".into()), app.consumer);
        let cluster = &mut world.cluster;
        let committed = cluster.list_group_offsets(&spec.group).unwrap_or_default();
        let assigned: Vec<TopicPartition> = consumer.and_then(|c| cluster.consumer_info(c)).map(|i| i.assignment).unwrap_or_default();
        let dash = || "-".to_string();
        if assigned.is_empty() {
            rows.push([name.clone(), state.name().into(), spec.group.clone(), dash(), dash(), dash(), dash(), processed.to_string(), last_error.clone()]);
            continue;
        }
        for tp in assigned {
            let position = consumer.and_then(|c| cluster.position(c, &tp));
            let committed_offset = committed.get(&tp).map(|c| c.offset);
            let end = cluster.list_offsets(&tp.topic, tp.partition, OffsetSpec::Latest).ok().map(|(o, _)| o);
            let lag = match (end, committed_offset) {
                (Some(e), Some(c)) => (e - c).max(0).to_string(),
                _ => dash(),
            };
            rows.push([
                name.clone(),
                state.name().into(),
                spec.group.clone(),
                format!("{}-{}", tp.topic, tp.partition),
                position.map_or_else(dash, |p| p.to_string()),
                committed_offset.map_or_else(dash, |c| c.to_string()),
                lag,
                processed.to_string(),
                last_error.clone(),
            ]);
        }
    }
    if rows.is_empty() {
        return "no sandbox consumers (sim consumer start <name> --topic <topic> --group <group>)\n".into();
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let last = cells.len() - 1;
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths.iter()).enumerate() {
            if i == last {
                s.push_str(cell);
            } else {
                super::push_row(&mut s, "", &[(*cell, *w)], "", "  ");
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(headers.to_vec());
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

fn shown(value: &Option<Vec<u8>>) -> String {
    match value {
        None => "null".into(),
        Some(v) => {
            let text = String::from_utf8_lossy(v);
            let mut s: String = text.chars().take(VALUE_SHOWN_CHARS_MAX).collect();
            if text.chars().count() > VALUE_SHOWN_CHARS_MAX {
                s.push_str("...");
            }
            s
        }
    }
}

impl Apps {
    /// True if some consumer runs (the sandbox then advances time in slices).
    pub fn any_running(&self) -> bool {
        self.by_name.values().any(|a| a.consumer.is_some())
    }

    pub fn get(&self, name: &str) -> Option<&App> {
        self.by_name.get(name)
    }

    /// Forgets every consumer (`sim reset`: the cluster they used is gone).
    pub fn clear(&mut self) {
        self.by_name.clear();
    }

    /// One round of every running application: poll, act, commit. Returns the lines to show,
    /// per terminal.
    pub fn poll(&mut self, cluster: &mut Cluster) -> Vec<(TermId, Chunk)> {
        let mut out = Vec::new();
        for (name, app) in self.by_name.iter_mut() {
            let Some(id) = app.consumer else { continue };
            let mut lines = String::new();
            app.poll_once(name, id, cluster, &mut lines);
            if !lines.is_empty() {
                out.push((app.term, Chunk::out(lines)));
            }
        }
        out
    }
}

impl App {
    fn poll_once(&mut self, name: &str, id: ConsumerId, cluster: &mut Cluster, lines: &mut String) {
        let now = cluster.now_ms();
        for log in cluster.take_consumer_logs(id) {
            match log {
                ConsumerLog::Assigned { generation, added, revoked, .. } => {
                    let names = |tps: &[TopicPartition]| tps.iter().map(|tp| format!("{}-{}", tp.topic, tp.partition)).collect::<Vec<_>>().join(", ");
                    for tp in &revoked {
                        self.done.remove(tp);
                    }
                    if !revoked.is_empty() {
                        crate::shell::push_fmt(lines, format_args!("[{name}] partitions revoked: {}\n", names(&revoked)));
                    }
                    if !added.is_empty() {
                        crate::shell::push_fmt(lines, format_args!("[{name}] partitions assigned (generation {generation}): {}\n", names(&added)));
                    }
                }
                ConsumerLog::CommitFailed { error } => {
                    self.last_error = Some(format!("commit failed: {}", error.message));
                    crate::shell::push_fmt(lines, format_args!("[{name}] commit failed: {}\n", error.message));
                }
                _ => {}
            }
        }
        if now < self.retry_at_ms {
            return;
        }
        let records = match cluster.poll(id) {
            Ok(r) => r,
            Err(e) => {
                self.last_error = Some(e.message.clone());
                crate::shell::push_fmt(lines, format_args!("[{name}] poll failed: {}\n", e.message));
                return;
            }
        };
        if records.is_empty() {
            return;
        }
        if self.spec.commit == CommitWhen::Before {
            // At-most-once: the whole batch is marked consumed before any action runs.
            let mut ends: BTreeMap<TopicPartition, i64> = BTreeMap::new();
            for r in &records {
                ends.insert(TopicPartition::new(r.topic.as_str(), r.partition), r.offset + 1);
            }
            let _ = cluster.commit_async(id, Some(ends));
        }
        let mut succeeded: BTreeMap<TopicPartition, i64> = BTreeMap::new();
        let mut failed_at: Option<usize> = None;
        for (i, r) in records.iter().enumerate() {
            let tp = TopicPartition::new(r.topic.as_str(), r.partition);
            let value = shown(&r.value);
            let fails_here = self.spec.fail_on.as_deref().is_some_and(|f| r.value.as_deref().is_some_and(|v| String::from_utf8_lossy(v).contains(f)));
            let key = (tp.clone(), r.offset);
            let tries_failed = self.failures.get(&key).copied().unwrap_or(0);
            if fails_here && self.spec.fail_times.is_none_or(|n| tries_failed < n) {
                let tries_failed = tries_failed + 1;
                self.failures.insert(key, tries_failed);
                let backoff_ms = RETRY_BACKOFF_MS.saturating_mul(1i64 << (tries_failed - 1).min(10)).min(RETRY_BACKOFF_MS_MAX);
                let message = format!("action failed on {}-{} offset {} (try {tries_failed}): '{value}'", tp.topic, tp.partition, r.offset);
                crate::shell::push_fmt(lines, format_args!("[{name}] {message}; reading it again in {backoff_ms} ms\n"));
                self.last_error = Some(message);
                self.retry_at_ms = now + backoff_ms;
                self.state = AppState::Retrying;
                failed_at = Some(i);
                break;
            }
            self.processed += 1;
            self.state = AppState::Running;
            succeeded.insert(tp.clone(), r.offset + 1);
            self.done.insert(tp.clone(), r.offset + 1);
            crate::shell::push_fmt(lines, format_args!("[{name}] processed {}-{} offset {}: '{value}'\n", tp.topic, tp.partition, r.offset));
        }
        if let Some(i) = failed_at {
            // Seek every partition of the batch back to its first record not processed, so the
            // next poll reads the failed record (and what followed it) again.
            let mut rewind: BTreeMap<TopicPartition, i64> = BTreeMap::new();
            for r in &records[i..] {
                rewind.entry(TopicPartition::new(r.topic.as_str(), r.partition)).or_insert(r.offset);
            }
            for (tp, offset) in rewind {
                let _ = cluster.seek(id, &tp, offset);
            }
        }
        if self.spec.commit == CommitWhen::After && !succeeded.is_empty() {
            let _ = cluster.commit_async(id, Some(succeeded));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn start_options_parse_and_bad_ones_are_refused() {
        let c = parse(&args("start app --topic t --group g --fail-on bad --fail-times 2 --commit before")).expect("valid");
        assert_eq!(
            c,
            Command::Start {
                name: "app".into(),
                args: StartArgs { topic: Some("t".into()), group: Some("g".into()), fail_on: Some("bad".into()), fail_times: Some(2), commit: Some(CommitWhen::Before) }
            }
        );
        assert_eq!(parse(&args("start app")).expect("restart form"), Command::Start { name: "app".into(), args: StartArgs::default() });
        for (line, message) in [
            ("start", "sim consumer: start: which consumer? (sim consumer start <name>)\n"),
            ("start app --commit sometimes", "sim consumer: start: --commit takes 'after' or 'before', not 'sometimes'\n"),
            ("start app --topic", "sim consumer: start: --topic needs a value\n"),
            ("start app --speed 3", "sim consumer: start: unknown option '--speed' (try: sim consumer help)\n"),
            ("start a/b", "sim consumer: start: invalid name 'a/b' (letters, digits, '-', '_', '.')\n"),
            ("list x", "sim consumer: list: unexpected argument 'x'\n"),
            ("pause app", "sim consumer: unknown command 'pause' (try: sim consumer help)\n"),
        ] {
            let e = parse(&args(line)).expect_err(line);
            assert_eq!(e.status, 1, "{line}");
            assert_eq!(e.chunks[0].text, message, "{line}");
        }
    }
}
