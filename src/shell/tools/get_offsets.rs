//! `kafka-get-offsets` (3.9: `tools/.../GetOffsetShell.java`): options, topic-partition filters,
//! and ListOffsets against the engine, printed `topic:partition:offset` sorted by
//! `TopicPartition.toString()` (a `TreeMap` with that comparator: `t-10` sorts before `t-2`).
//!
//! Errors end in `mainNoExit`: a `TerseException` prints `Error occurred: <message>`; any other
//! throwable also prints its stack trace (we print its first line). Exit status 1.

use super::{specs, Bootstrap, Env};
use crate::engine::OffsetSpec;
use crate::shell::jopt;
use crate::shell::regex::Regex;
use crate::shell::{Chunk, Outcome, Session};

const USAGE_TEXT: &str = "An interactive shell for getting topic-partition offsets.";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetOffsetsCommand {
    pub bootstrap: Bootstrap,
    pub topic_partitions: Option<String>,
    pub topic: Option<String>,
    pub partitions: Option<String>,
    pub time: String,
    pub exclude_internal: bool,
}

fn terse(message: std::fmt::Arguments<'_>) -> Outcome {
    Outcome::stderr(format!("Error occurred: {message}\n"), 1)
}

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<GetOffsetsCommand, Outcome> {
    let all: [jopt::Table; 2] = [jopt::DEFAULT_OPTS, specs::GET_OFFSETS];
    if args.is_empty() {
        return Err(super::usage_full(USAGE_TEXT, &all));
    }
    // The constructor turns jopt-simple's OptionException into a TerseException.
    let p = jopt::parse(&all, args).map_err(|e| terse(format_args!("{}", e.0)))?;
    if !p.has("bootstrap-server") && !p.has("broker-list") && !p.has("help") && !p.has("version") {
        return Err(terse(format_args!("Missing required option(s) [bootstrap-server]")));
    }
    if p.has("help") {
        return Err(super::usage_full(USAGE_TEXT, &all));
    }
    if p.has("version") {
        return Err(Outcome::stdout(format!("{}\n", super::KAFKA_VERSION)));
    }
    let _ = invoked;
    let one = |name: &'static str| p.value(name).map_err(|e| terse(format_args!("{}", e.0)));
    let hosts = if p.has("bootstrap-server") { one("bootstrap-server")? } else { one("broker-list")? }.unwrap_or_default();
    Ok(GetOffsetsCommand {
        bootstrap: Bootstrap::new(&hosts, env),
        topic_partitions: one("topic-partitions")?,
        topic: one("topic")?,
        partitions: one("partitions")?,
        time: one("time")?.unwrap_or_else(|| "latest".into()),
        exclude_internal: p.has("exclude-internal-topics"),
    })
}

/// Which offset to look up (`parseOffsetSpec`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spec {
    Earliest,
    Latest,
    MaxTimestamp,
    /// No tiered storage in the sandbox: nothing is ever tiered.
    LatestTiered,
    Timestamp(i64),
}

fn parse_offset_spec(text: &str) -> Result<Spec, Outcome> {
    Ok(match text {
        "earliest" | "earliest-local" => Spec::Earliest,
        "latest" => Spec::Latest,
        "max-timestamp" => Spec::MaxTimestamp,
        "latest-tiered" => Spec::LatestTiered,
        _ => match text.parse::<i64>() {
            Err(_) => {
                return Err(terse(format_args!("Malformed time argument {text}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp")))
            }
            Ok(-2) | Ok(-4) => Spec::Earliest,
            Ok(-1) => Spec::Latest,
            Ok(-3) => Spec::MaxTimestamp,
            Ok(-5) => Spec::LatestTiered,
            Ok(ts) => Spec::Timestamp(ts),
        },
    })
}

/// One rule of the topic-partition filter: a topic regex and a partition predicate.
struct Rule {
    topic: Regex,
    /// Lower bound (inclusive) and upper bound (exclusive); a single partition is [p, p + 1).
    lower: i64,
    upper: i64,
    /// `--partitions`: an explicit set (empty = every partition).
    set: Option<Vec<i32>>,
}

impl Rule {
    fn allows(&self, topic: &str, partition: i32) -> bool {
        if !self.topic.matches(topic) {
            return false;
        }
        match &self.set {
            Some(set) => set.is_empty() || set.contains(&partition),
            None => i64::from(partition) >= self.lower && i64::from(partition) < self.upper,
        }
    }
}

fn include_list(pattern: &str) -> Result<Regex, Outcome> {
    match super::topics::topic_filter(Some(pattern)) {
        Ok(Some(regex)) => Ok(regex),
        Ok(None) => Regex::new(".*").map_err(|e| terse(format_args!("{}", e.0))),
        Err(message) => Err(terse(format_args!("{}", message))),
    }
}

/// `TOPIC_PARTITION_PATTERN` = `([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?`, matched whole.
fn parse_rule(spec: &str) -> Result<Rule, Outcome> {
    let invalid = || {
        let message = format!("org.apache.kafka.tools.TerseException: Invalid rule specification: {spec}");
        Outcome::stderr(format!("Error occurred: {message}\njava.lang.RuntimeException: {message}\n"), 1)
    };
    let (topic, partition) = match spec.split_once(':') {
        Some((t, p)) => (t, Some(p)),
        None => (spec, None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let number = |s: &str| -> Result<Option<i64>, Outcome> {
        if s.is_empty() {
            return Ok(None);
        }
        // `Integer.parseInt` of a too-long number throws NumberFormatException: a Throwable.
        s.parse::<i32>().map(|n| Some(i64::from(n))).map_err(|_| {
            Outcome::stderr(format!("Error occurred: For input string: \"{s}\"\njava.lang.NumberFormatException: For input string: \"{s}\"\n"), 1)
        })
    };
    let topic_regex = include_list(if topic.is_empty() { ".*" } else { topic })?;
    let (lower, upper) = match partition {
        None => (0, i64::from(i32::MAX)),
        Some(p) if digits(p) => match number(p)? {
            Some(n) => (n, n + 1),
            None => (0, i64::from(i32::MAX)),
        },
        Some(p) => match p.split_once('-') {
            Some((lo, hi)) if digits(lo) && digits(hi) => {
                (number(lo)?.unwrap_or(0), number(hi)?.unwrap_or(i64::from(i32::MAX)))
            }
            _ => return Err(invalid()),
        },
    };
    if topic.contains(',') {
        return Err(invalid());
    }
    Ok(Rule { topic: topic_regex, lower, upper, set: None })
}

fn rules(command: &GetOffsetsCommand) -> Result<Vec<Rule>, Outcome> {
    if let Some(list) = &command.topic_partitions {
        // Java's `split(",")` drops trailing empty strings.
        let mut specs: Vec<&str> = list.split(',').collect();
        while specs.len() > 1 && specs.last() == Some(&"") {
            specs.pop();
        }
        return specs.into_iter().map(parse_rule).collect();
    }
    let set = match command.partitions.as_deref() {
        None | Some("") => Vec::new(),
        Some(text) => {
            let parsed: Result<Vec<i32>, _> = text.split(',').map(|p| p.parse::<i32>()).collect();
            parsed.map_err(|_| terse(format_args!("--partitions expects a comma separated list of numeric partition ids, but received: {text}")))?
        }
    };
    Ok(vec![Rule { topic: include_list(command.topic.as_deref().unwrap_or(".*"))?, lower: 0, upper: 0, set: Some(set) }])
}

/// The offset of the record with the highest timestamp below the high watermark (the first such
/// record on ties), as ListOffsets' MAX_TIMESTAMP answers; None for an empty partition.
fn max_timestamp_offset(session: &Session<'_>, topic: &str, partition: i32) -> Option<i64> {
    let leader = session.cluster().partition_meta(topic, partition)?.leader?;
    let high_watermark = session.cluster().list_offsets(topic, partition, OffsetSpec::Latest).ok()?.0;
    let log = session.cluster().replica_log(leader, topic, partition)?;
    let mut best: Option<(i64, i64)> = None;
    for batch in log.all_batches() {
        for record in batch.records() {
            if record.offset >= high_watermark {
                break;
            }
            if best.is_none_or(|(ts, _)| record.timestamp_ms > ts) {
                best = Some((record.timestamp_ms, record.offset));
            }
        }
    }
    best.map(|(_, offset)| offset)
}

pub fn execute(session: &mut Session<'_>, command: &GetOffsetsCommand) -> Outcome {
    if command.topic_partitions.is_some() && (command.topic.is_some() || command.partitions.is_some()) {
        return terse(format_args!("--topic-partitions cannot be used with --topic or --partitions"));
    }
    let spec = match parse_offset_spec(&command.time) {
        Ok(spec) => spec,
        Err(outcome) => return outcome,
    };
    let rules = match rules(command) {
        Ok(rules) => rules,
        Err(outcome) => return outcome,
    };
    if !command.bootstrap.reachable() {
        return super::admin_unreachable(session, &command.bootstrap, "listTopics", |m| {
            let message = format!("org.apache.kafka.common.errors.TimeoutException: {m}");
            Outcome::stderr(format!("Error occurred: {message}\njava.util.concurrent.ExecutionException: {message}\n"), 1)
        });
    }
    let mut partitions: Vec<(String, i32)> = Vec::new();
    for topic in session.cluster().topic_names() {
        if command.exclude_internal && crate::engine::controller::INTERNAL_TOPICS.contains(&topic.as_str()) {
            continue;
        }
        let Ok(description) = session.cluster().describe_topic(&topic) else { continue };
        for p in &description.partitions {
            if rules.iter().any(|r| r.allows(&topic, p.id)) {
                partitions.push((topic.clone(), p.id));
            }
        }
    }
    if partitions.is_empty() {
        return terse(format_args!("Could not match any topic-partitions with the specified filters"));
    }
    partitions.sort_by(|a, b| format!("{}-{}", a.0, a.1).cmp(&format!("{}-{}", b.0, b.1)));
    let mut out = String::new();
    let mut errors = String::new();
    for (topic, partition) in &partitions {
        let offset = match spec {
            Spec::Earliest => session.cluster().list_offsets(topic, *partition, OffsetSpec::Earliest).map(|r| Some(r.0)),
            Spec::Latest => session.cluster().list_offsets(topic, *partition, OffsetSpec::Latest).map(|r| Some(r.0)),
            Spec::Timestamp(ts) => session.cluster().list_offsets(topic, *partition, OffsetSpec::Timestamp(ts)).map(|r| Some(r.0)),
            Spec::MaxTimestamp => session.cluster().list_offsets(topic, *partition, OffsetSpec::Latest).map(|_| max_timestamp_offset(session, topic, *partition)),
            Spec::LatestTiered => Ok(None),
        };
        match offset {
            // UNKNOWN_OFFSET (-1): no answer for that partition, nothing printed.
            Ok(Some(offset)) if offset >= 0 => crate::shell::push_fmt(&mut out, format_args!("{topic}:{partition}:{offset}\n")),
            Ok(_) => {}
            Err(e) => crate::shell::push_fmt(&mut errors, format_args!(
                "Skip getting offsets for topic-partition {topic}-{partition} due to error: {}: {}\n",
                super::exception_class(e.code),
                if e.message.is_empty() { e.code.default_message().to_string() } else { e.message.clone() }
            )),
        }
    }
    let mut chunks = Vec::new();
    if !errors.is_empty() {
        chunks.push(Chunk::err(errors));
    }
    if !out.is_empty() {
        chunks.push(Chunk::out(out));
    }
    Outcome::ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn rule_specs_follow_the_topic_partition_pattern() {
        let r = parse_rule("t:1-3").ok().expect("valid");
        assert!(!r.allows("t", 0) && r.allows("t", 1) && r.allows("t", 2) && !r.allows("t", 3));
        let r = parse_rule(":5").ok().expect("valid");
        assert!(r.allows("any", 5) && !r.allows("any", 4));
        let r = parse_rule("t:-2").ok().expect("valid");
        assert!(r.allows("t", 1) && !r.allows("t", 2));
        let r = parse_rule("t").ok().expect("valid");
        assert!(r.allows("t", 99) && !r.allows("tt", 0));
        assert_eq!(parse_rule("t:x").err().expect("invalid").chunks[0].text, "Error occurred: org.apache.kafka.tools.TerseException: Invalid rule specification: t:x\njava.lang.RuntimeException: org.apache.kafka.tools.TerseException: Invalid rule specification: t:x\n");
    }
}
