//! `kcat` / `kafkacat` (edenhill/kcat `kcat.c`): getopt parsing with the optstring
//! `:PCG:LQM:t:p:b:z:o:eED:K:k:H:Od:qvF:X:c:Tuf:ZlVhs:r:Jm:U` and its checks, in its order.
//! Because the optstring starts with `:`, getopt prints nothing itself: an unknown option or a
//! missing argument ends in kcat's `Error: unknown argument` and its usage text (we print the
//! error and a one-line hint).

use std::collections::BTreeMap;

use super::{Bootstrap, Env};
use crate::shell::{Chunk, Outcome};

/// Options taking an argument, per the optstring.
const WITH_ARG: &str = "GMtpbzoDKkHdFXcfsrm";
const FLAGS: &str = "PCLQeEOqvTuZlVhJU";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Produce,
    Consume,
    Metadata,
    Query,
    Group,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KcatCommand {
    pub bootstrap: Bootstrap,
    pub mode: Mode,
    /// True when kcat chose the mode itself (it then prints `% Auto-selecting ...`).
    pub auto_mode: bool,
    pub topic: Option<String>,
    pub partition: Option<i32>,
    /// `-o`: beginning, end, stored, an absolute or negative relative offset, `s@ts`, `e@ts`.
    pub offset: Option<String>,
    pub exit_at_end: bool,
    pub count: Option<i64>,
    pub key_delimiter: Option<String>,
    pub delimiter: String,
    pub fixed_key: Option<String>,
    pub format: Option<String>,
    pub json: bool,
    pub null_empty: bool,
    pub quiet: bool,
    pub headers: Vec<String>,
    /// `-X prop=val` (librdkafka properties, e.g. partitioner=murmur2_random).
    pub properties: BTreeMap<String, String>,
    /// Topics (balanced consumer) or files (producer) after the options.
    pub rest: Vec<String>,
}

fn usage_error(invoked: &str, reason: &str) -> Outcome {
    Outcome::fail(vec![Chunk::err(format!("Error: {reason}\n\nRun '{invoked} -h' for the full usage.\n"))], 1)
}

fn fatal(message: &str) -> Outcome {
    Outcome::fail(vec![Chunk::err(format!("% ERROR: {message}\n"))], 1)
}

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<KcatCommand, Outcome> {
    let mut mode: Option<char> = None;
    let mut cmd = KcatCommand {
        bootstrap: Bootstrap::new("", env),
        mode: Mode::Consume,
        auto_mode: false,
        topic: None,
        partition: None,
        offset: None,
        exit_at_end: false,
        count: None,
        key_delimiter: None,
        delimiter: "\n".into(),
        fixed_key: None,
        format: None,
        json: false,
        null_empty: false,
        quiet: false,
        headers: Vec::new(),
        properties: BTreeMap::new(),
        rest: Vec::new(),
    };
    let mut brokers_seen = false;
    let mut index = 0;
    // GNU getopt permutes: options may follow operands.
    let mut operands = Vec::new();
    while index < args.len() {
        let arg = &args[index];
        index += 1;
        if arg == "--" {
            operands.extend(args[index..].iter().cloned());
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            operands.push(arg.clone());
            continue;
        }
        let chars: Vec<char> = arg[1..].chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let opt = chars[i];
            i += 1;
            let value = if WITH_ARG.contains(opt) {
                if i < chars.len() {
                    let v: String = chars[i..].iter().collect();
                    i = chars.len();
                    v
                } else if index < args.len() {
                    index += 1;
                    args[index - 1].clone()
                } else {
                    return Err(usage_error(invoked, "unknown argument"));
                }
            } else if FLAGS.contains(opt) {
                String::new()
            } else {
                return Err(usage_error(invoked, "unknown argument"));
            };
            match opt {
                'P' | 'C' | 'L' | 'Q' | 'G' => {
                    if let Some(m) = mode.filter(|m| *m != opt) {
                        return Err(fatal(&format!("Do not mix modes: -{opt} seen when -{m} already set")));
                    }
                    mode = Some(opt);
                    if opt == 'G' {
                        cmd.rest.push(value);
                    }
                }
                't' => cmd.topic = Some(value),
                'p' => match value.parse::<i32>() {
                    Ok(p) => cmd.partition = Some(p),
                    Err(_) => cmd.partition = Some(0),
                },
                'b' => {
                    cmd.bootstrap = Bootstrap::new(&value, env);
                    brokers_seen = true;
                }
                'o' => cmd.offset = Some(value),
                'e' => cmd.exit_at_end = true,
                'c' => cmd.count = Some(value.parse().unwrap_or(0)),
                'D' => cmd.delimiter = value,
                'K' => cmd.key_delimiter = Some(value),
                'k' => cmd.fixed_key = Some(value),
                'f' => cmd.format = Some(value),
                'J' => cmd.json = true,
                'Z' => cmd.null_empty = true,
                'q' => cmd.quiet = true,
                'H' => cmd.headers.push(value),
                'X' => match value.split_once('=') {
                    Some((k, v)) => {
                        cmd.properties.insert(k.to_string(), v.to_string());
                    }
                    None if value == "list" || value == "dump" || value.ends_with("help") => {}
                    None => return Err(fatal(&format!("Expected -X property=value, not {value}"))),
                },
                'h' => {
                    return Err(Outcome::ok(vec![Chunk::out(format!(
                        "Usage: {invoked} <options> [file1 file2 .. | topic1 topic2 ..]]\nkcat - Apache Kafka producer and consumer tool\n(the sandbox implements -P -C -L -b -t -p -o -e -c -K -k -D -f -J -Z -q -H -X)\n"
                    ))]))
                }
                'V' => return Err(Outcome::ok(vec![Chunk::out("kcat - Apache Kafka producer and consumer tool\nCopyright (c) 2014-2021, Magnus Edenhill\nVersion 1.7.1 (JSON, Avro, Transactions, IncrementalAssign, JSONVerbose, librdkafka 2.3.0)\n")])),
                _ => {}
            }
        }
    }
    cmd.rest.extend(operands);
    if !brokers_seen && mode != Some('M') {
        return Err(usage_error(invoked, "-b <broker,..> missing"));
    }
    let mode = match mode {
        Some(m) => m,
        None => {
            cmd.auto_mode = true;
            if env.stdin_piped || !env.interactive {
                'P'
            } else {
                'C'
            }
        }
    };
    cmd.mode = match mode {
        'P' => Mode::Produce,
        'C' => Mode::Consume,
        'L' => Mode::Metadata,
        'Q' => Mode::Query,
        _ => Mode::Group,
    };
    if !"GLQM".contains(mode) && cmd.topic.is_none() {
        return Err(usage_error(invoked, "-t <topic> missing"));
    }
    if mode == 'Q' && cmd.topic.is_none() {
        return Err(usage_error(invoked, "-t <topic>:<partition>:<offset_or_timestamp> missing"));
    }
    if let Some(p) = cmd.properties.get("partitioner") {
        let known = ["random", "consistent", "consistent_random", "murmur2", "murmur2_random", "fnv1a", "fnv1a_random"];
        if !known.contains(&p.as_str()) {
            return Err(fatal(&format!("Invalid value \"{p}\" for configuration property \"partitioner\"")));
        }
    }
    Ok(cmd)
}

// ---------------------------------------------------------------- execution

use crate::engine::FetchRequest;
use crate::shell::process::{Exec, ProcCx, ProcState, Process};
use crate::shell::Session;

/// Records one poll prints at most (the rest come at the next slice of simulated time).
const RECORDS_PER_POLL_MAX: usize = 10_000;

/// Runs a validated kcat command: `-L` at once, `-C` as a process. `-P` and `-Q` are not wired
/// yet; `-G` is the groups engineer's.
pub fn execute(session: &mut Session<'_>, command: &KcatCommand) -> Exec {
    let mut prefix = Vec::new();
    if command.auto_mode && !command.quiet {
        let mode = if command.mode == Mode::Consume { "Consumer" } else { "Producer" };
        prefix.push(Chunk::err(format!("% Auto-selecting {mode} mode (use -P or -C to override)\n")));
    }
    match command.mode {
        Mode::Metadata => {
            let mut outcome = metadata(session, command);
            prefix.append(&mut outcome.chunks);
            outcome.chunks = prefix;
            Exec::Done(outcome)
        }
        Mode::Consume => Exec::Spawn(Box::new(KcatConsumer::new(command.clone(), prefix))),
        Mode::Group => balanced_consumer(command, prefix),
        _ => Exec::Done(Outcome::fail(vec![Chunk::err("kcat: only -L and -C are simulated in the sandbox so far\n")], 1)),
    }
}

/// `metadata_print`: brokers, then topics (all, or `-t`'s), partitions with leader, replicas and
/// ISRs; the answering broker is the first reachable bootstrap address.
fn metadata(session: &Session<'_>, command: &KcatCommand) -> Outcome {
    let cluster = session.cluster();
    let Some((index, broker)) = command.bootstrap.brokers.iter().enumerate().find_map(|(i, b)| b.map(|b| (i, b))) else {
        return Outcome::fail(vec![Chunk::err("% ERROR: Failed to acquire metadata: Local: Broker transport failure\n")], 1);
    };
    let address = &command.bootstrap.addresses[index];
    let mut out = format!(
        "Metadata for {} (from broker {broker}: {address}/{broker}):\n",
        command.topic.as_deref().unwrap_or("all topics")
    );
    let statuses = cluster.broker_status();
    let controller = cluster.active_controller();
    let alive: Vec<_> = statuses.iter().filter(|s| s.process == crate::engine::ProcessState::Running && !s.fenced).collect();
    out.push_str(&format!(" {} brokers:\n", alive.len()));
    for s in &alive {
        let suffix = if controller == Some(s.id) { " (controller)" } else { "" };
        out.push_str(&format!("  broker {} at localhost:{}{suffix}\n", s.id, 9091 + s.id));
    }
    let names: Vec<String> = match &command.topic {
        Some(t) => vec![t.clone()],
        None => cluster.topic_names(),
    };
    out.push_str(&format!(" {} topics:\n", names.len()));
    for name in &names {
        match cluster.describe_topic(name) {
            Ok(d) => {
                out.push_str(&format!("  topic \"{name}\" with {} partitions:\n", d.partitions.len()));
                for p in &d.partitions {
                    let list = |v: &[i32]| v.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",");
                    out.push_str(&format!(
                        "    partition {}, leader {}, replicas: {}, isrs: {}",
                        p.id,
                        p.leader.unwrap_or(-1),
                        list(&p.replicas),
                        list(&p.isr)
                    ));
                    if p.leader.is_none() {
                        out.push_str(", Broker: Leader not available");
                    }
                    out.push('\n');
                }
            }
            Err(_) => out.push_str(&format!("  topic \"{name}\" with 0 partitions: Broker: Unknown topic or partition\n")),
        }
    }
    Outcome::ok(vec![Chunk::out(out)])
}

/// Expands kcat's `-f` escapes (`\n`, `\t`, `\\`) once, at parse time.
fn unescape(format: &str) -> String {
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// `kcat -C`: assign-based reading of every partition (or `-p`'s) from `-o` (default
/// beginning); `-e` reports each partition's end and exits when all are at their end; `-c`
/// stops after that many messages.
pub struct KcatConsumer {
    command: KcatCommand,
    format: String,
    /// (partition, next offset, at end reported) once the start offsets are resolved.
    positions: Option<Vec<(i32, i64, bool)>>,
    printed: i64,
    prefix: Vec<Chunk>,
    done: Option<i32>,
}

impl KcatConsumer {
    fn new(command: KcatCommand, prefix: Vec<Chunk>) -> KcatConsumer {
        let format = match (&command.format, &command.key_delimiter) {
            (Some(f), _) => unescape(f),
            (None, Some(k)) => format!("%k{k}%s{}", command.delimiter),
            (None, None) => format!("%s{}", command.delimiter),
        };
        KcatConsumer { command, format, positions: None, printed: 0, prefix, done: None }
    }

    fn resolve(&mut self, cx: &mut ProcCx<'_>) -> Result<(), String> {
        let topic = self.command.topic.clone().unwrap_or_default();
        let Ok(d) = cx.cluster.describe_topic(&topic) else {
            return Err(format!("% ERROR: Topic {topic} error: Broker: Unknown topic or partition\n"));
        };
        let partitions: Vec<i32> = match self.command.partition {
            Some(p) => vec![p],
            None => d.partitions.iter().map(|p| p.id).collect(),
        };
        let mut positions = Vec::new();
        for p in partitions {
            let earliest = cx.cluster.list_offsets(&topic, p, crate::engine::OffsetSpec::Earliest).map(|r| r.0).unwrap_or(0);
            let latest = cx.cluster.list_offsets(&topic, p, crate::engine::OffsetSpec::Latest).map(|r| r.0).unwrap_or(0);
            let start = match self.command.offset.as_deref() {
                None | Some("beginning") => earliest,
                Some("end") => latest,
                Some("stored") => earliest,
                Some(o) => match o.parse::<i64>() {
                    Ok(n) if n < 0 => (latest + n).max(earliest),
                    Ok(n) => n.clamp(earliest, latest),
                    Err(_) => earliest,
                },
            };
            positions.push((p, start, false));
        }
        self.positions = Some(positions);
        Ok(())
    }

    fn render(&self, topic: &str, partition: i32, r: &crate::engine::RecordRef<'_>) -> String {
        let fields = Fields { topic, partition, offset: r.offset, timestamp_ms: r.timestamp_ms, key: r.key, value: r.value, headers: r.headers };
        render_record(&self.format, self.command.null_empty, &fields)
    }
}

/// What `-f` can print of one message.
struct Fields<'a> {
    topic: &'a str,
    partition: i32,
    offset: i64,
    timestamp_ms: i64,
    key: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
    headers: &'a [crate::engine::Header],
}

/// One message through kcat's format (`%s %S %k %K %t %p %o %T %h %%`).
fn render_record(format: &str, null_empty: bool, r: &Fields<'_>) -> String {
    {
        let (topic, partition) = (r.topic, r.partition);
        let text = |b: Option<&[u8]>| match b {
            Some(b) => String::from_utf8_lossy(b).into_owned(),
            None if null_empty => "NULL".into(),
            None => String::new(),
        };
        let len = |b: Option<&[u8]>| b.map_or(-1, |b| b.len() as i64);
        let mut out = String::new();
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('s') => out.push_str(&text(r.value)),
                Some('S') => out.push_str(&len(r.value).to_string()),
                Some('k') => out.push_str(&text(r.key)),
                Some('K') => out.push_str(&len(r.key).to_string()),
                Some('t') => out.push_str(topic),
                Some('p') => out.push_str(&partition.to_string()),
                Some('o') => out.push_str(&r.offset.to_string()),
                Some('T') => out.push_str(&r.timestamp_ms.to_string()),
                Some('h') => {
                    let headers: Vec<String> = r
                        .headers
                        .iter()
                        .map(|h| format!("{}={}", h.key, h.value.as_deref().map_or_else(|| "NULL".to_string(), |v| String::from_utf8_lossy(v).into_owned())))
                        .collect();
                    out.push_str(&headers.join(","));
                }
                Some('%') => out.push('%'),
                Some(other) => {
                    out.push('%');
                    out.push(other);
                }
                None => out.push('%'),
            }
        }
        out
    }
}

impl Process for KcatConsumer {
    fn poll(&mut self, cx: &mut ProcCx<'_>) -> ProcState {
        for chunk in std::mem::take(&mut self.prefix) {
            cx.out.push(chunk);
        }
        if let Some(status) = self.done {
            return ProcState::Exited(status);
        }
        if self.positions.is_none() {
            if let Err(message) = self.resolve(cx) {
                cx.stderr(message);
                self.done = Some(1);
                return ProcState::Exited(1);
            }
        }
        let topic = self.command.topic.clone().unwrap_or_default();
        let mut positions = self.positions.take().unwrap_or_default();
        let mut out = String::new();
        let mut info = String::new();
        let mut budget = RECORDS_PER_POLL_MAX;
        let count = positions.len();
        'partitions: for i in 0..count {
            let (partition, offset, _) = positions[i];
            let Ok(response) = cx.cluster.fetch(&FetchRequest::new(&topic, partition, offset)) else { continue };
            let mut next = offset;
            for r in response.records() {
                if budget == 0 || self.command.count.is_some_and(|c| self.printed >= c) {
                    break;
                }
                out.push_str(&self.render(&topic, partition, &r));
                next = r.offset + 1;
                budget -= 1;
                self.printed += 1;
                positions[i].2 = false;
                if self.command.count.is_some_and(|c| self.printed >= c) {
                    positions[i].1 = next;
                    self.done = Some(0);
                    break 'partitions;
                }
            }
            // Past the records read (an empty answer: the offset stays, or moves up to the log
            // start when the asked offset was below it).
            positions[i].1 = next.max(response.first_offset.min(response.end_offset));
            if self.command.exit_at_end && positions[i].1 >= response.high_watermark && !positions[i].2 {
                positions[i].2 = true;
                let all = positions.iter().all(|p| p.2);
                if !self.command.quiet {
                    info.push_str(&format!(
                        "% Reached end of topic {topic} [{partition}] at offset {}{}\n",
                        positions[i].1,
                        if all { ": exiting" } else { "" }
                    ));
                }
                if all {
                    self.done = Some(0);
                }
            }
        }
        self.positions = Some(positions);
        if !out.is_empty() {
            cx.stdout(out);
        }
        if !info.is_empty() {
            cx.stderr(info);
        }
        match self.done {
            Some(status) => ProcState::Exited(status),
            None if budget == 0 => ProcState::Busy,
            None => ProcState::Idle,
        }
    }
}

// ---------------------------------------------------------------- -G (balanced consumer)

/// `kcat -G <group> topic...` (`kafkaconsumer_run`): a librdkafka KafkaConsumer in the group
/// (client.id `rdkafka`, `partition.assignment.strategy` range,roundrobin, auto-commit on,
/// `auto.offset.reset` largest unless `-X auto.offset.reset=...`), eager rebalances reported by
/// `rebalance_cb`, `enable.partition.eof` on (a `Reached end` line each time a partition is caught
/// up), `-o` applied to every assigned partition, `-e` exits once every assigned partition is at its
/// end, `-c` after that many messages; `consumer_close` commits and leaves the group.
fn balanced_consumer(command: &KcatCommand, prefix: Vec<Chunk>) -> Exec {
    Exec::Spawn(Box::new(KcatGroupConsumer::new(command.clone(), prefix)))
}

pub struct KcatGroupConsumer {
    command: KcatCommand,
    format: String,
    group: String,
    consumer: Option<crate::engine::ConsumerId>,
    started: bool,
    /// The assignment as the last rebalance_cb saw it.
    assignment: Vec<crate::engine::TopicPartition>,
    /// Partitions whose end was reported and that got no message since.
    at_eof: std::collections::BTreeSet<crate::engine::TopicPartition>,
    received: i64,
    last_activity_ms: i64,
    prefix: Vec<Chunk>,
    done: Option<i32>,
}

impl KcatGroupConsumer {
    fn new(mut command: KcatCommand, prefix: Vec<Chunk>) -> KcatGroupConsumer {
        let format = match (&command.format, &command.key_delimiter) {
            (Some(f), _) => unescape(f),
            (None, Some(k)) => format!("%k{k}%s{}", command.delimiter),
            (None, None) => format!("%s{}", command.delimiter),
        };
        // `-G <group>` put the group first in `rest`; the topics follow.
        let group = if command.rest.is_empty() { String::new() } else { command.rest.remove(0) };
        KcatGroupConsumer {
            command,
            format,
            group,
            consumer: None,
            started: false,
            assignment: Vec::new(),
            at_eof: Default::default(),
            received: 0,
            last_activity_ms: 0,
            prefix,
            done: None,
        }
    }

    fn info(&self, cx: &mut ProcCx<'_>, text: String) {
        if !self.command.quiet {
            cx.stderr(format!("% {text}"));
        }
    }

    fn start(&mut self, cx: &mut ProcCx<'_>) -> Result<(), String> {
        use crate::engine::{ConsumerConfig, OffsetReset, Strategy};
        let props = &self.command.properties;
        let reset = match props.get("auto.offset.reset").map(String::as_str) {
            None | Some("largest" | "latest" | "end") => OffsetReset::Latest,
            Some("smallest" | "earliest" | "beginning") => OffsetReset::Earliest,
            Some("error") => OffsetReset::None,
            Some(other) => return Err(format!("Invalid value \"{other}\" for configuration property \"auto.offset.reset\"")),
        };
        let auto_commit = props.get("enable.auto.commit").is_none_or(|v| v != "false");
        let config = ConsumerConfig {
            group_id: Some(self.group.clone()),
            client_id: props.get("client.id").cloned().unwrap_or_else(|| "rdkafka".into()),
            auto_offset_reset: reset,
            enable_auto_commit: auto_commit,
            partition_assignment_strategy: vec![Strategy::Range, Strategy::RoundRobin],
            ..ConsumerConfig::default()
        };
        let id = cx.cluster.create_consumer(config).map_err(|e| e.message)?;
        self.consumer = Some(id);
        // librdkafka takes `^`-prefixed names as regular expressions over the existing topics.
        let mut topics: Vec<String> = Vec::new();
        for t in &self.command.rest {
            match t.strip_prefix('^') {
                Some(_) => {
                    let re = crate::shell::regex::Regex::new(t).map_err(|e| e.0)?;
                    topics.extend(cx.cluster.topic_names().into_iter().filter(|n| !n.starts_with("__") && re.matches(n)));
                }
                None => topics.push(t.clone()),
            }
        }
        if self.command.rest.is_empty() {
            return Err("Failed to subscribe to 0 topics: Local: Invalid argument or configuration\n".into());
        }
        let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
        cx.cluster.subscribe(id, &refs).map_err(|e| format!("Failed to subscribe to {} topics: {}\n", self.command.rest.len(), e.message))?;
        Ok(())
    }

    /// `rebalance_cb` (eager): the old assignment revoked, the new one assigned, each printed.
    fn rebalanced(&mut self, cx: &mut ProcCx<'_>, id: crate::engine::ConsumerId, member_id: &str, now: Vec<crate::engine::TopicPartition>) {
        use crate::engine::{OffsetReset, OffsetSpec};
        let list = |tps: &[crate::engine::TopicPartition]| tps.iter().map(|tp| format!("{} [{}]", tp.topic, tp.partition)).collect::<Vec<_>>().join(", ");
        if !self.assignment.is_empty() {
            let revoked = std::mem::take(&mut self.assignment);
            self.info(cx, format!("Group {} rebalanced (memberid {member_id}): revoked: {}\n", self.group, list(&revoked)));
        }
        self.info(cx, format!("Group {} rebalanced (memberid {member_id}): assigned: {}\n", self.group, list(&now)));
        self.at_eof.clear();
        match self.command.offset.as_deref() {
            None | Some("stored") => {}
            Some("beginning") => {
                let _ = cx.cluster.seek_to(id, &now, OffsetReset::Earliest);
            }
            Some("end") => {
                let _ = cx.cluster.seek_to(id, &now, OffsetReset::Latest);
            }
            Some(o) => {
                let n = o.parse::<i64>().unwrap_or(0);
                for tp in &now {
                    let target = if n < 0 {
                        let end = cx.cluster.list_offsets(&tp.topic, tp.partition, OffsetSpec::Latest).map_or(0, |r| r.0);
                        let start = cx.cluster.list_offsets(&tp.topic, tp.partition, OffsetSpec::Earliest).map_or(0, |r| r.0);
                        (end + n).max(start)
                    } else {
                        n
                    };
                    let _ = cx.cluster.seek(id, tp, target);
                }
            }
        }
        self.assignment = now;
    }

    fn finish(&mut self, cx: &mut ProcCx<'_>, status: i32) -> i32 {
        if let Some(id) = self.consumer.take() {
            let _ = cx.cluster.close_consumer(id);
            // rd_kafka_consumer_close waits for the LeaveGroup answer, and kcat for the
            // outstanding requests: the group has moved on when the command ends.
            cx.cluster.advance(2 * crate::engine::NET_LATENCY_MS + 1);
        }
        self.done = Some(status);
        status
    }
}

impl Process for KcatGroupConsumer {
    fn poll(&mut self, cx: &mut ProcCx<'_>) -> ProcState {
        use crate::engine::{ConsumerLog, OffsetSpec, TopicPartition};
        for chunk in std::mem::take(&mut self.prefix) {
            cx.out.push(chunk);
        }
        if let Some(status) = self.done {
            return ProcState::Exited(status);
        }
        if !self.started {
            self.started = true;
            if let Err(message) = self.start(cx) {
                cx.stderr(format!("% ERROR: {message}\n"));
                return ProcState::Exited(self.finish(cx, 1));
            }
            self.info(cx, "Waiting for group rebalance\n".into());
            self.last_activity_ms = cx.now_ms();
        }
        let Some(id) = self.consumer else { return ProcState::Exited(self.finish(cx, 1)) };
        let records = match cx.cluster.poll(id) {
            Ok(r) => r,
            Err(e) => {
                cx.stderr(format!("% ERROR: Consumer error: {}\n", e.message));
                return ProcState::Exited(self.finish(cx, 1));
            }
        };
        // The rebalance callback runs inside poll, before the messages it returns.
        for log in cx.cluster.take_consumer_logs(id) {
            if let ConsumerLog::Assigned { member_id, .. } = log {
                let now = cx.cluster.consumer_info(id).map(|i| i.assignment).unwrap_or_default();
                self.rebalanced(cx, id, &member_id, now);
            }
        }
        let mut out = String::new();
        for r in &records {
            if self.command.count.is_some_and(|c| self.received >= c) {
                // Fetched but not delivered: not consumed (nor committed).
                let _ = cx.cluster.seek(id, &TopicPartition::new(r.topic.as_str(), r.partition), r.offset);
                break;
            }
            let fields = Fields {
                topic: &r.topic,
                partition: r.partition,
                offset: r.offset,
                timestamp_ms: r.timestamp_ms,
                key: r.key.as_deref(),
                value: r.value.as_deref(),
                headers: &r.headers,
            };
            out.push_str(&render_record(&self.format, self.command.null_empty, &fields));
            self.at_eof.remove(&TopicPartition::new(r.topic.as_str(), r.partition));
            self.received += 1;
        }
        if !out.is_empty() {
            cx.stdout(out);
        }
        if self.command.count.is_some_and(|c| self.received >= c) {
            return ProcState::Exited(self.finish(cx, 0));
        }
        // enable.partition.eof: one event each time a partition's position reaches its end.
        let mut exiting = false;
        for tp in self.assignment.clone() {
            if self.at_eof.contains(&tp) {
                continue;
            }
            let Some(position) = cx.cluster.position(id, &tp) else { continue };
            let Ok((end, _)) = cx.cluster.list_offsets(&tp.topic, tp.partition, OffsetSpec::Latest) else { continue };
            if position < end {
                continue;
            }
            self.at_eof.insert(tp.clone());
            exiting = self.command.exit_at_end && self.at_eof.len() == self.assignment.len();
            let suffix = if exiting { ": exiting" } else { "" };
            self.info(cx, format!("Reached end of topic {} [{}] at offset {position}{suffix}\n", tp.topic, tp.partition));
            if exiting {
                break;
            }
        }
        if exiting {
            return ProcState::Exited(self.finish(cx, 0));
        }
        // Keep time running while the member joins, looks up its positions or receives messages
        // (as the console consumer does), then hand the terminal back.
        let joining = cx.cluster.consumer_info(id).is_some_and(|i| i.state != crate::engine::MemberState::Stable);
        let unresolved = self.assignment.iter().any(|tp| cx.cluster.position(id, tp).is_none());
        if joining || unresolved || !records.is_empty() {
            self.last_activity_ms = cx.now_ms();
        }
        if cx.now_ms() - self.last_activity_ms < super::console_consumer::SCRIPT_IDLE_STOP_MS {
            return ProcState::Busy;
        }
        ProcState::Idle
    }

    fn signal(&mut self, cx: &mut ProcCx<'_>, signal: crate::shell::process::Signal) -> i32 {
        if self.done.is_none() {
            self.finish(cx, signal.status());
        }
        signal.status()
    }
}
