//! `kcat` / `kafkacat` (edenhill/kcat `kcat.c`): getopt parsing with the optstring
//! `:PCG:LQM:t:p:b:z:o:eED:K:k:H:Od:qvF:X:c:Tuf:ZlVhs:r:Jm:U` and its checks, in its order.
//! Because the optstring starts with `:`, getopt prints nothing itself: an unknown option or a
//! missing argument ends in kcat's `Error: unknown argument` and its usage text (we print the
//! error and a one-line hint).


use std::collections::{BTreeMap, BTreeSet};
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
    /// `-Q`: the `-t topic:partition:timestamp` given after `-Q` (kcat reads `-t` that way only
    /// once the mode is Q).
    pub query: Vec<(String, i32, i64)>,
    /// `-T`: the producer echoes what it reads to stdout.
    pub tee: bool,
    /// `-l`: files are read line by line (delimited messages) instead of one message each.
    pub file_lines: bool,
}

fn usage_error(invoked: &str, reason: &str) -> Outcome {
    Outcome::stderr(format!("Error: {reason}\n\nRun '{invoked} -h' for the full usage.\n"), 1)
}

fn fatal(message: std::fmt::Arguments<'_>) -> Outcome {
    Outcome::stderr(format!("% ERROR: {message}\n"), 1)
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
        query: Vec::new(),
        tee: false,
        file_lines: false,
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
                        return Err(fatal(format_args!("Do not mix modes: -{opt} seen when -{m} already set")));
                    }
                    mode = Some(opt);
                    if opt == 'G' {
                        cmd.rest.push(value);
                    }
                }
                't' if mode == Some('Q') => cmd.query.push(topic_partition_offset(&value)?),
                't' => cmd.topic = Some(value),
                'T' => cmd.tee = true,
                'l' => cmd.file_lines = true,
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
                'H' => {
                    // add_header: `name=value` or `name` (a null value); not `=...` nor empty.
                    if value.is_empty() || value.starts_with('=') {
                        return Err(fatal(format_args!("Expected -H \"name=value..\" or -H \"name\"")));
                    }
                    cmd.headers.push(value)
                }
                'X' => match value.split_once('=') {
                    Some((k, v)) => {
                        cmd.properties.insert(k.to_string(), v.to_string());
                    }
                    None if value == "list" || value == "dump" || value.ends_with("help") => {}
                    None => return Err(fatal(format_args!("Expected -X property=value, not {value}"))),
                },
                'h' => {
                    return Err(Outcome::stdout(format!(
                        "Usage: {invoked} <options> [file1 file2 .. | topic1 topic2 ..]]\nkcat - Apache Kafka producer and consumer tool\n(the sandbox implements -P -C -L -b -t -p -o -e -c -K -k -D -f -J -Z -q -H -X)\n"
                    )))
                }
                'V' => return Err(Outcome::stdout("kcat - Apache Kafka producer and consumer tool\nCopyright (c) 2014-2021, Magnus Edenhill\nVersion 1.7.1 (JSON, Avro, Transactions, IncrementalAssign, JSONVerbose, librdkafka 2.3.0)\n")),
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
    if mode == 'Q' && cmd.query.is_empty() {
        return Err(usage_error(invoked, "-t <topic>:<partition>:<offset_or_timestamp> missing"));
    }
    for (name, value) in &cmd.properties {
        check_rdkafka_range(name, value)?;
    }
    if let Some(p) = cmd.properties.get("partitioner") {
        let known = ["random", "consistent", "consistent_random", "murmur2", "murmur2_random", "fnv1a", "fnv1a_random"];
        if !known.contains(&p.as_str()) {
            return Err(fatal(format_args!("Invalid value \"{p}\" for configuration property \"partitioner\"")));
        }
    }
    Ok(cmd)
}

/// librdkafka's integer ranges (`rdkafka_conf.c`, 2.3) for the timeouts, intervals and
/// backoffs the sandbox models: `rd_kafka_conf_set` refuses a value outside them, and kcat dies
/// with the message (`KC_FATAL`).
const RDKAFKA_RANGES: &[(&str, i64, i64)] = &[
    ("auto.commit.interval.ms", 0, 86_400_000),
    ("delivery.timeout.ms", 0, 2_147_483_647),
    ("fetch.wait.max.ms", 0, 300_000),
    ("heartbeat.interval.ms", 1, 3_600_000),
    ("linger.ms", 0, 900_000),
    ("max.poll.interval.ms", 1, 86_400_000),
    ("message.timeout.ms", 0, 2_147_483_647),
    ("queue.buffering.max.ms", 0, 900_000),
    ("reconnect.backoff.max.ms", 0, 3_600_000),
    ("reconnect.backoff.ms", 0, 3_600_000),
    ("request.timeout.ms", 1, 900_000),
    ("retry.backoff.max.ms", 1, 300_000),
    ("retry.backoff.ms", 1, 300_000),
    ("session.timeout.ms", 1, 3_600_000),
    ("socket.timeout.ms", 10, 300_000),
];

/// `rd_kafka_anyconf_set_prop0` for an integer property: `strtol` (a number prefix; none is
/// "Invalid value"), then the range check.
fn check_rdkafka_range(name: &str, value: &str) -> Result<(), Outcome> {
    let Some(&(_, min, max)) = RDKAFKA_RANGES.iter().find(|r| r.0 == name) else { return Ok(()) };
    let text = value.trim_start();
    let sign_len = usize::from(text.starts_with(['-', '+']));
    let digits = text[sign_len..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(fatal(format_args!("Invalid value for configuration property \"{name}\"")));
    }
    // strtol saturates; the range check then refuses it either way.
    let n = text[..sign_len + digits].parse::<i64>().unwrap_or(if text.starts_with('-') { i64::MIN } else { i64::MAX });
    if n < min || n > max {
        let shown = n.clamp(i64::from(i32::MIN), i64::from(i32::MAX));
        return Err(fatal(format_args!("Configuration property \"{name}\" value {shown} is outside allowed range {min}..{max}")));
    }
    Ok(())
}

/// `add_topparoff`: `topic:partition:offset_or_timestamp` (strtoul/strtoll: a number prefix).
fn topic_partition_offset(text: &str) -> Result<(String, i32, i64), Outcome> {
    let bad = || fatal(format_args!("-t: expected \"topic:partition:offset_or_timestamp\""));
    let (topic, rest) = text.split_once(':').ok_or_else(bad)?;
    let (partition, offset) = rest.split_once(':').ok_or_else(bad)?;
    let number_prefix = |s: &str, signed: bool| -> Option<i64> {
        let s = s.trim_start();
        let (sign, digits) = match s.strip_prefix('-') {
            Some(d) if signed => (-1, d),
            _ => (1, s.strip_prefix('+').unwrap_or(s)),
        };
        let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        if end == 0 {
            return None;
        }
        Some(sign * digits[..end].parse::<i64>().unwrap_or(i64::MAX))
    };
    let partition = number_prefix(partition, false).ok_or_else(bad)?;
    let offset = number_prefix(offset, true).ok_or_else(bad)?;
    Ok((topic.to_string(), partition.clamp(0, i64::from(i32::MAX)) as i32, offset))
}

// ---------------------------------------------------------------- execution

use crate::engine::FetchRequest;
use crate::shell::process::{Exec, ProcCx, ProcState, Process, Signal};
use crate::shell::Session;

/// Records one poll prints at most (the rest come at the next slice of simulated time).
const RECORDS_PER_POLL_MAX: usize = 10_000;

/// Runs a validated kcat command: `-L` and `-Q` at once, `-C` and `-P` as processes. `-G` is the
/// groups engineer's.
pub fn execute(session: &mut Session<'_>, command: KcatCommand) -> Exec {
    let mut prefix = Vec::new();
    if command.auto_mode && !command.quiet {
        let mode = if command.mode == Mode::Consume { "Consumer" } else { "Producer" };
        prefix.push(Chunk::err(format!("% Auto-selecting {mode} mode (use -P or -C to override)\n")));
    }
    if matches!(command.mode, Mode::Produce | Mode::Consume) && !command.bootstrap.reachable() {
        // No bootstrap address reaches the sandbox: librdkafka's error callback reports each
        // failed connection, then ALL_BROKERS_DOWN, which kcat treats as fatal (exitonerror).
        let mut text = String::new();
        for address in &command.bootstrap.addresses {
            let host = address.rsplit_once(':').map_or(address.as_str(), |(h, _)| h);
            let port = address.rsplit_once(':').map_or("9092", |(_, p)| p);
            if host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" {
                crate::shell::push_fmt(&mut text, format_args!(
                    "% ERROR: Local: Broker transport failure: {address}/bootstrap: Connect to ipv4#127.0.0.1:{port} failed: Connection refused (after 0ms in state CONNECT)\n"
                ));
            } else {
                crate::shell::push_fmt(&mut text, format_args!(
                    "% ERROR: Local: Host resolution failure: {address}/bootstrap: Failed to resolve '{address}': Name or service not known (after 0ms in state CONNECT)\n"
                ));
            }
        }
        let n = command.bootstrap.addresses.len();
        crate::shell::push_fmt(&mut text, format_args!("% ERROR: Local: All broker connections are down: {n}/{n} brokers are down: terminating\n"));
        prefix.push(Chunk::err(text));
        return Exec::Done(Outcome::fail(prefix, 1));
    }
    match command.mode {
        Mode::Metadata => {
            let mut outcome = metadata(session, &command);
            prefix.append(&mut outcome.chunks);
            outcome.chunks = prefix;
            Exec::Done(outcome)
        }
        Mode::Consume => Exec::Spawn(Box::new(KcatConsumer::new(command, prefix))),
        Mode::Produce => {
            // File operands: each file is one message (`-l`: its lines are), and stdin is not read.
            let files = command.rest.iter().map(|path| (path.clone(), session.world().read_file(path))).collect();
            Exec::Spawn(Box::new(KcatProducer::new(command, prefix, session, files)))
        }
        Mode::Query => {
            let mut outcome = query(session, &command);
            prefix.append(&mut outcome.chunks);
            outcome.chunks = prefix;
            Exec::Done(outcome)
        }
        Mode::Group => balanced_consumer(command, prefix),
    }
}

/// `metadata_print`: brokers, then topics (all, or `-t`'s), partitions with leader, replicas and
/// ISRs; the answering broker is the first reachable bootstrap address.
fn metadata(session: &Session<'_>, command: &KcatCommand) -> Outcome {
    let cluster = session.cluster();
    let Some((index, broker)) = command.bootstrap.brokers.iter().enumerate().find_map(|(i, b)| b.map(|b| (i, b))) else {
        return Outcome::stderr("% ERROR: Failed to acquire metadata: Local: Broker transport failure\n", 1);
    };
    let address = &command.bootstrap.addresses[index];
    let mut out = format!(
        "Metadata for {} (from broker {broker}: {address}/{broker}):\n",
        command.topic.as_deref().unwrap_or("all topics")
    );
    let statuses = cluster.broker_status();
    let controller = cluster.active_controller();
    let alive: Vec<_> = statuses.iter().filter(|s| s.process == crate::engine::ProcessState::Running && !s.fenced).collect();
    crate::shell::push_fmt(&mut out, format_args!(" {} brokers:\n", alive.len()));
    for s in &alive {
        let suffix = if controller == Some(s.id) { " (controller)" } else { "" };
        crate::shell::push_fmt(&mut out, format_args!("  broker {} at localhost:{}{suffix}\n", s.id, 9091 + s.id));
    }
    let names: Vec<String> = match &command.topic {
        Some(t) => vec![t.clone()],
        None => cluster.topic_names(),
    };
    crate::shell::push_fmt(&mut out, format_args!(" {} topics:\n", names.len()));
    for name in &names {
        match cluster.describe_topic(name) {
            Ok(d) => {
                crate::shell::push_fmt(&mut out, format_args!("  topic \"{name}\" with {} partitions:\n", d.partitions.len()));
                for p in &d.partitions {
                    let list = |v: &[i32]| v.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",");
                    crate::shell::push_fmt(&mut out, format_args!(
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
            Err(_) => crate::shell::push_fmt(&mut out, format_args!("  topic \"{name}\" with 0 partitions: Broker: Unknown topic or partition\n")),
        }
    }
    Outcome::stdout(out)
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
                    crate::shell::push_fmt(&mut info, format_args!(
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
fn balanced_consumer(command: KcatCommand, prefix: Vec<Chunk>) -> Exec {
    Exec::Spawn(Box::new(KcatGroupConsumer::new(command, prefix)))
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
    at_eof: BTreeSet<crate::engine::TopicPartition>,
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
            // librdkafka's consumer default: subscribing never creates topics.
            allow_auto_create_topics: false,
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
            cx.cluster.advance(crate::engine::ROUND_TRIP_MS);
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
            // The first metadata answer after subscribing: librdkafka reports every named topic
            // the cluster lacks as a consumer error (rd_kafka_propagate_consumer_topic_errors,
            // partition left at 0), and kcat's consume_cb makes any consumer error fatal: exit(1)
            // with no consumer close, so the member stays until its session times out.
            let names = cx.cluster.topic_names();
            if let Some(missing) = self.command.rest.iter().find(|t| !t.starts_with('^') && !names.iter().any(|n| n == *t)) {
                cx.stderr(format!("% ERROR: Topic {missing} [0] error: Subscribed topic not available: {missing}: Broker: Unknown topic or partition\n"));
                if let Some(id) = self.consumer.take() {
                    let _ = cx.cluster.crash_consumer(id);
                }
                self.done = Some(1);
                return ProcState::Exited(1);
            }
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

// ---------------------------------------------------------------- -Q

/// `kcat -Q -t topic:partition:timestamp ...`: `rd_kafka_offsets_for_times` then
/// `partition_list_print`: `topic [p] offset N` per entry, in the order given. A timestamp of -1
/// asks for the end offset, -2 for the start; no record at or after the time answers -1.
fn query(session: &mut Session<'_>, command: &KcatCommand) -> Outcome {
    if !command.bootstrap.reachable() {
        return fatal(format_args!("offsets_for_times failed: Local: Timed out"));
    }
    let cluster = session.cluster();
    let mut out = String::new();
    let mut unknown = 0;
    for (topic, partition, timestamp) in &command.query {
        let spec = match *timestamp {
            -1 => crate::engine::OffsetSpec::Latest,
            -2 => crate::engine::OffsetSpec::Earliest,
            ts => crate::engine::OffsetSpec::Timestamp(ts),
        };
        match cluster.list_offsets(topic, *partition, spec) {
            Ok((offset, _)) => crate::shell::push_fmt(&mut out, format_args!("{topic} [{partition}] offset {offset}\n")),
            Err(e) => {
                if e.code == crate::engine::ErrorCode::UNKNOWN_TOPIC_OR_PARTITION {
                    unknown += 1;
                }
                crate::shell::push_fmt(&mut out, format_args!("{topic} [{partition}] offset -1: {}\n", rdkafka_error(e.code)));
            }
        }
    }
    if unknown == command.query.len() {
        return fatal(format_args!("offsets_for_times failed: Local: Unknown partition"));
    }
    Outcome::stdout(out)
}

/// `rd_kafka_err2str` for the errors a produce or offsets request can end in.
pub fn rdkafka_error(code: crate::engine::ErrorCode) -> String {
    use crate::engine::ErrorCode as E;
    match code {
        E::UNKNOWN_TOPIC_OR_PARTITION => "Broker: Unknown topic or partition".into(),
        E::NOT_ENOUGH_REPLICAS => "Broker: Not enough in-sync replicas".into(),
        E::NOT_ENOUGH_REPLICAS_AFTER_APPEND => "Broker: Message(s) written to insufficient number of in-sync replicas".into(),
        E::MESSAGE_TOO_LARGE => "Broker: Message size too large".into(),
        E::RECORD_LIST_TOO_LARGE => "Broker: Message batch larger than configured server segment size".into(),
        E::NOT_LEADER_OR_FOLLOWER => "Broker: Not leader for partition".into(),
        E::LEADER_NOT_AVAILABLE => "Broker: Leader not available".into(),
        E::INVALID_TOPIC_EXCEPTION => "Broker: Invalid topic".into(),
        E::OFFSET_NOT_AVAILABLE => "Broker: Offset not available".into(),
        E::CORRUPT_MESSAGE => "Broker: Corrupt message".into(),
        E::INVALID_RECORD => "Broker: Invalid record in record batch".into(),
        // librdkafka times messages out itself (message.timeout.ms) before the Java-style
        // request timeout surfaces.
        E::REQUEST_TIMED_OUT | E::NETWORK_EXCEPTION => "Local: Message timed out".into(),
        other => format!("Broker: {}", other.name()),
    }
}

// ---------------------------------------------------------------- -P

/// librdkafka's `sticky.partitioning.linger.ms` default (2 x linger.ms of 5 ms): keyless records
/// stick to one random partition this long.
const STICKY_LINGER_MS: i64 = 10;
/// How long a partition count read from metadata is trusted before it is read again.
const METADATA_TTL_MS: i64 = 1_000;
/// librdkafka's `message.timeout.ms` default.
const MESSAGE_TIMEOUT_MS: i64 = 300_000;

/// The `partitioner` property (`consistent_random` unless `-X partitioner=...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Partitioner {
    Random,
    Consistent,
    ConsistentRandom,
    Murmur2,
    Murmur2Random,
    Fnv1a,
    Fnv1aRandom,
}

impl Partitioner {
    fn from_property(name: Option<&str>) -> Partitioner {
        match name {
            Some("random") => Partitioner::Random,
            Some("consistent") => Partitioner::Consistent,
            Some("murmur2") => Partitioner::Murmur2,
            Some("murmur2_random") => Partitioner::Murmur2Random,
            Some("fnv1a") => Partitioner::Fnv1a,
            Some("fnv1a_random") => Partitioner::Fnv1aRandom,
            _ => Partitioner::ConsistentRandom,
        }
    }

    /// The partition a key maps to, or None where librdkafka picks at random: NULL keys for the
    /// `*_random` partitioners, empty keys too for `consistent_random`, everything for `random`.
    fn partition(self, key: Option<&[u8]>, count: i32) -> Option<i32> {
        use crate::engine::partitioner::{crc32, murmur2};
        debug_assert!(count > 0);
        let count_u = count.max(1) as u32;
        let k = key.unwrap_or(&[]);
        match self {
            Partitioner::Random => None,
            Partitioner::Consistent => Some((crc32(k) % count_u) as i32),
            Partitioner::ConsistentRandom if k.is_empty() => None,
            Partitioner::ConsistentRandom => Some((crc32(k) % count_u) as i32),
            Partitioner::Murmur2Random | Partitioner::Fnv1aRandom if key.is_none() => None,
            Partitioner::Murmur2 | Partitioner::Murmur2Random => Some(((murmur2(k) & 0x7fff_ffff) as u32 % count_u) as i32),
            Partitioner::Fnv1a | Partitioner::Fnv1aRandom => Some((fnv1a(k) % count_u) as i32),
        }
    }
}

/// 32-bit FNV-1a (librdkafka's `rd_fnv1a`).
fn fnv1a(data: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in data {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `kcat -P`: reads messages delimited by `-D` (default newline) from stdin, or one message per
/// file operand (the sandbox's files), and produces each as it is read (`-K` splits a key off,
/// `-k` gives a fixed key, `-Z` makes empty keys and values NULL, `-H` adds headers, `-p` picks
/// the partition, `-T` echoes the input, `-c` stops after that many). At end of input it waits
/// for every delivery report; a failed delivery prints `% Delivery failed for message: ...` and
/// makes the exit status 1.
pub struct KcatProducer {
    command: KcatCommand,
    config: crate::engine::ProducerConfig,
    partitioner: Partitioner,
    delimiter: String,
    key_delimiter: Option<String>,
    producer: Option<crate::engine::ProducerId>,
    /// Input read but not yet cut into messages (no delimiter seen yet).
    buffer: String,
    produced: i64,
    eof: bool,
    delivery_failed: bool,
    fatal: bool,
    prefix: Vec<Chunk>,
    /// The partition keyless records stick to and until when.
    sticky: Option<(i32, i64)>,
    /// (partition count, read at ms) of the topic.
    metadata: Option<(i32, i64)>,
    rng: u64,
    /// File operands and their content (None: no such file), produced at the first poll.
    files: Vec<(String, Option<String>)>,
}

impl KcatProducer {
    fn new(command: KcatCommand, prefix: Vec<Chunk>, session: &Session<'_>, files: Vec<(String, Option<String>)>) -> KcatProducer {
        let property = |k: &str| command.properties.get(k).map(String::as_str);
        let number = |k: &str| property(k).and_then(|v| v.trim().parse::<i64>().ok());
        let partitioner = Partitioner::from_property(property("partitioner"));
        let mut config = crate::engine::ProducerConfig {
            client_id: property("client.id").unwrap_or("rdkafka").to_string(),
            linger_ms: 5,
            request_timeout_ms: 30_000,
            delivery_timeout_ms: MESSAGE_TIMEOUT_MS,
            partitioner: match partitioner {
                Partitioner::Murmur2 | Partitioner::Murmur2Random => crate::engine::PartitionerKind::Murmur2,
                _ => crate::engine::PartitionerKind::ConsistentRandom,
            },
            ..crate::engine::ProducerConfig::default()
        };
        if let Some(acks) = property("acks").or(property("request.required.acks")) {
            config.acks = match acks.trim() {
                "0" => 0,
                "1" => 1,
                _ => -1,
            };
        }
        if let Some(ms) = number("linger.ms").or(number("queue.buffering.max.ms")) {
            config.linger_ms = ms.clamp(0, 900_000);
        }
        if let Some(ms) = number("message.timeout.ms").or(number("delivery.timeout.ms")) {
            // librdkafka: 0 is "infinite".
            config.delivery_timeout_ms = if ms == 0 { i64::from(i32::MAX) } else { ms.clamp(0, i64::from(i32::MAX)) };
        }
        if let Some(ms) = number("request.timeout.ms") {
            config.request_timeout_ms = ms.clamp(1, 900_000);
        }
        let rng = session.seed() ^ (session.now_ms() as u64).rotate_left(32) ^ 0x6b63_6174;
        KcatProducer {
            delimiter: parse_delimiter(&command.delimiter),
            key_delimiter: command.key_delimiter.as_deref().map(parse_delimiter),
            command,
            config,
            partitioner,
            producer: None,
            buffer: String::new(),
            produced: 0,
            eof: false,
            delivery_failed: false,
            fatal: false,
            prefix,
            sticky: None,
            metadata: None,
            rng,
            files,
        }
    }

    /// `produce_file` for each operand (or, with `-l`, their lines as delimited input).
    fn produce_files(&mut self, cx: &mut ProcCx<'_>) {
        let files = std::mem::take(&mut self.files);
        let total = files.len();
        let mut good = 0;
        for (path, content) in files {
            match content {
                None => {
                    if !self.command.quiet {
                        cx.stderr(format!("% Failed to open {path}: No such file or directory\n"));
                    }
                }
                Some(text) if self.command.file_lines => {
                    good += 1;
                    self.buffer.push_str(&text);
                }
                Some(text) => {
                    good += 1;
                    if !text.is_empty() {
                        let key = self.command.fixed_key.as_ref().map(|k| k.as_bytes().to_vec());
                        self.produce(cx, key, Some(text.into_bytes()));
                    }
                }
            }
        }
        if good == 0 {
            self.delivery_failed = true;
        } else if good < total && !self.command.quiet {
            cx.stderr(format!("% Failed to produce from {}/{total} files\n", total - good));
        }
        self.eof = true;
        self.drain(cx);
    }

    fn next_random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn partition_count(&mut self, cx: &ProcCx<'_>) -> Option<i32> {
        let now = cx.now_ms();
        if let Some((count, at)) = self.metadata {
            if now - at < METADATA_TTL_MS {
                return Some(count);
            }
        }
        let topic = self.command.topic.as_deref().unwrap_or("");
        let count = cx.cluster.describe_topic(topic).ok().map(|d| d.partitions.len() as i32).filter(|n| *n > 0)?;
        self.metadata = Some((count, now));
        Some(count)
    }

    /// Produces one message (`produce()`); false once the tool has stopped.
    fn produce(&mut self, cx: &mut ProcCx<'_>, key: Option<Vec<u8>>, value: Option<Vec<u8>>) {
        if self.producer.is_none() {
            match cx.cluster.create_producer(self.config.clone()) {
                Ok(id) => self.producer = Some(id),
                Err(e) => {
                    cx.stderr(format!("% ERROR: Failed to create producer: {}\n", e.message));
                    self.fatal = true;
                    return;
                }
            }
        }
        let id = self.producer.expect("created above");
        let topic = self.command.topic.clone().unwrap_or_default();
        let mut record = crate::engine::ProducerRecord::new(&topic, key.as_deref(), value.as_deref());
        record.headers = self
            .command
            .headers
            .iter()
            .map(|h| match h.split_once('=') {
                Some((k, v)) => crate::engine::Header { key: k.to_string(), value: Some(v.as_bytes().to_vec()) },
                None => crate::engine::Header { key: h.clone(), value: None },
            })
            .collect();
        record.partition = match self.command.partition {
            Some(p) if p >= 0 => Some(p),
            _ => match self.partition_count(cx) {
                // The topic is not known yet: the engine's producer fetches metadata (and the
                // broker may auto-create the topic) and partitions with the same scheme.
                None => None,
                Some(count) => match self.partitioner.partition(key.as_deref(), count) {
                    Some(p) => Some(p),
                    None => {
                        let now = cx.now_ms();
                        match self.sticky {
                            Some((p, until)) if now < until && p < count => Some(p),
                            _ => {
                                let p = (self.next_random() % count as u64) as i32;
                                self.sticky = Some((p, now + STICKY_LINGER_MS));
                                Some(p)
                            }
                        }
                    }
                },
            },
        };
        let length = value.as_ref().map_or(0, Vec::len);
        if let Err(e) = cx.cluster.send(id, record) {
            cx.stderr(format!("% ERROR: Failed to produce message ({length} bytes): {}\n", rdkafka_error(e.code)));
            self.fatal = true;
            return;
        }
        self.produced += 1;
    }

    /// Cuts complete messages off the buffer and produces them (all of it at end of input).
    fn drain(&mut self, cx: &mut ProcCx<'_>) {
        loop {
            if self.fatal || self.command.count.is_some_and(|c| self.produced >= c) {
                self.buffer.clear();
                return;
            }
            let message = match self.buffer.find(self.delimiter.as_str()).filter(|_| !self.delimiter.is_empty()) {
                Some(at) => {
                    let message = self.buffer[..at].to_string();
                    self.buffer.drain(..at + self.delimiter.len());
                    message
                }
                None if self.eof && !self.buffer.is_empty() => std::mem::take(&mut self.buffer),
                None => return,
            };
            self.produce_text(cx, &message);
        }
    }

    fn produce_text(&mut self, cx: &mut ProcCx<'_>, message: &str) {
        if message.is_empty() {
            return;
        }
        let mut key: Option<Vec<u8>> = None;
        let mut value: Option<Vec<u8>> = Some(message.as_bytes().to_vec());
        if let Some(delim) = self.key_delimiter.as_deref().filter(|d| !d.is_empty()) {
            if let Some((k, v)) = message.split_once(delim) {
                key = Some(k.as_bytes().to_vec());
                value = Some(v.as_bytes().to_vec());
                if self.command.null_empty {
                    if v.is_empty() {
                        value = None;
                    }
                    if k.is_empty() {
                        key = None;
                    }
                }
            }
        }
        if key.is_none() {
            if let Some(fixed) = &self.command.fixed_key {
                key = Some(fixed.as_bytes().to_vec());
            }
        }
        self.produce(cx, key, value);
        if self.command.tee {
            cx.stdout(message.to_string());
        }
    }

    fn collect(&mut self, cx: &mut ProcCx<'_>) {
        let Some(id) = self.producer else { return };
        let _ = cx.cluster.take_producer_warnings(id);
        let mut errors = String::new();
        for (_, result) in cx.cluster.take_send_results(id) {
            if let crate::engine::SendResult::Failed(e) = result {
                self.delivery_failed = true;
                let text = if self.command.partition.is_some_and(|p| p >= 0) && e.code == crate::engine::ErrorCode::UNKNOWN_TOPIC_OR_PARTITION {
                    "Local: Unknown partition".to_string()
                } else {
                    rdkafka_error(e.code)
                };
                if !self.command.quiet {
                    crate::shell::push_fmt(&mut errors, format_args!("% Delivery failed for message: {text}\n"));
                }
            }
        }
        if !errors.is_empty() {
            cx.stderr(errors);
        }
    }
}

/// `parse_delim`: `\n`, `\t`, `\r`, `\0` escapes and `\xNN` in `-D`/`-K` values.
fn parse_delimiter(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('x') => {
                let hex: String = chars.clone().take(2).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(b) if hex.len() == 2 => {
                        chars.next();
                        chars.next();
                        out.push(char::from(b));
                    }
                    _ => out.push_str("\\x"),
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

impl Process for KcatProducer {
    fn poll(&mut self, cx: &mut ProcCx<'_>) -> ProcState {
        for chunk in std::mem::take(&mut self.prefix) {
            cx.out.push(chunk);
        }
        if !self.files.is_empty() {
            self.produce_files(cx);
        }
        self.collect(cx);
        if self.fatal {
            if let Some(id) = self.producer.take() {
                let _ = cx.cluster.close_producer_now(id);
            }
            return ProcState::Exited(1);
        }
        let pending = self.producer.map_or(0, |id| cx.cluster.pending_sends(id));
        let stopped = self.eof || self.command.count.is_some_and(|c| self.produced >= c);
        if stopped && pending == 0 {
            if let Some(id) = self.producer.take() {
                let _ = cx.cluster.close_producer(id);
            }
            return ProcState::Exited(i32::from(self.delivery_failed));
        }
        if pending > 0 {
            ProcState::Busy
        } else {
            ProcState::Idle
        }
    }

    fn input(&mut self, cx: &mut ProcCx<'_>, line: &str) {
        if self.eof {
            return;
        }
        if self.buffer.len() + line.len() > crate::shell::FILE_BYTES_MAX {
            cx.stderr("% ERROR: Unable to read message: Cannot allocate memory\n");
            self.fatal = true;
            return;
        }
        self.buffer.push_str(line);
        self.buffer.push('\n');
        self.drain(cx);
    }

    fn eof(&mut self, cx: &mut ProcCx<'_>) {
        self.eof = true;
        self.drain(cx);
    }

    fn signal(&mut self, cx: &mut ProcCx<'_>, signal: Signal) -> i32 {
        // SIGINT stops reading; kcat would then wait up to message.timeout.ms (5 min) for the
        // queue to drain, and a second Ctrl-C ends it: the sandbox ends it at once, dropping
        // what was not sent yet.
        if let Some(id) = self.producer.take() {
            self.collect(cx);
            let _ = cx.cluster.close_producer_now(id);
        }
        signal.status()
    }

    fn reads_stdin(&self) -> bool {
        self.command.rest.is_empty()
    }

    fn prompt(&self) -> &'static str {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;
    use crate::shell::Shell;

    fn text(chunks: Vec<Chunk>) -> String {
        chunks.into_iter().map(|c| c.text).collect()
    }

    /// kcat.c: without -P/-C/-L/-Q/-G the mode is Consumer when stdin is a terminal, Producer
    /// otherwise: the tutorial's `kafkacat -b localhost:9092 -t compacted -e` consumes in the
    /// browser terminal, and produces (its stdin: the script) in a scripted session.
    #[test]
    fn kcat_auto_selects_consumer_on_a_terminal_and_producer_otherwise() {
        let mut shell = Shell::new(1, 1);
        shell.run("kafka-topics --bootstrap-server localhost:9092 --create --topic compacted --partitions 1 --replication-factor 1");
        assert_eq!(
            text(shell.run("kafkacat -b localhost:9092 -t compacted -e")),
            "% Auto-selecting Consumer mode (use -P or -C to override)\n% Reached end of topic compacted [0] at offset 0: exiting\n"
        );
        assert_eq!(text(shell.run("echo a | kafkacat -b localhost:9092 -t compacted -e")), "% Auto-selecting Producer mode (use -P or -C to override)\n");
        shell.set_interactive(false);
        assert_eq!(text(shell.run("kafkacat -b localhost:9092 -t compacted -e")), "% Auto-selecting Producer mode (use -P or -C to override)\n");
    }

    /// librdkafka's consistent_random hashes keys with CRC-32, murmur2_random like the Java
    /// producer (values checked with zlib.crc32 and Kafka's Utils.murmur2).
    #[test]
    fn partitioners_map_keys_like_librdkafka() {
        let crc: Vec<_> = ["user1", "user2", "user3", "user4"].iter().map(|k| Partitioner::ConsistentRandom.partition(Some(k.as_bytes()), 4)).collect();
        assert_eq!(crc, vec![Some(1), Some(3), Some(1), Some(2)]);
        let murmur: Vec<_> = ["user1", "user2", "user3", "user4"].iter().map(|k| Partitioner::Murmur2Random.partition(Some(k.as_bytes()), 4)).collect();
        assert_eq!(murmur, vec![Some(2), Some(1), Some(3), Some(1)]);
        // Random for NULL keys; consistent_random also for empty keys, consistent never.
        assert_eq!(Partitioner::Murmur2Random.partition(None, 4), None);
        assert_eq!(Partitioner::ConsistentRandom.partition(Some(b""), 4), None);
        assert_eq!(Partitioner::Consistent.partition(None, 4), Some(0));
    }

    #[test]
    fn query_mode_reads_topic_partition_timestamp_triples() {
        let env = Env { brokers: 3, stdin_piped: false, interactive: true, seed: 1 };
        let args: Vec<String> = ["-Q", "-b", "localhost:9092", "-t", "t:1:-1"].iter().map(|s| s.to_string()).collect();
        let command = parse("kcat", &args, &env).expect("valid");
        assert_eq!(command.query, vec![("t".to_string(), 1, -1)]);
        let bad: Vec<String> = ["-Q", "-b", "localhost:9092", "-t", "t:x:1"].iter().map(|s| s.to_string()).collect();
        assert_eq!(parse("kcat", &bad, &env).unwrap_err().chunks[0].text, "% ERROR: -t: expected \"topic:partition:offset_or_timestamp\"\n");
    }
}
