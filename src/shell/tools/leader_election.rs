//! `kafka-leader-election` (3.9: `tools/.../LeaderElectionCommand.java`): options, `validate()`,
//! and the election against the engine with the tool's exact lines.
//!
//! Everything the tool throws ends in `mainNoExit`: the message, then `Utils.stackTrace(e)` on
//! stderr, exit 1; we print the stack trace's first line (the exception), not its frames.

use std::collections::BTreeMap;

use super::{parse_jopt, specs, Bootstrap, Env};
use crate::engine::{ElectionType, ErrorCode};
use crate::shell::{Chunk, Outcome, Session};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElectionCommand {
    pub bootstrap: Bootstrap,
    /// Every option given, with its values in order (flags map to an empty list).
    pub options: BTreeMap<String, Vec<String>>,
}

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<ElectionCommand, Outcome> {
    let p = parse_jopt(invoked, specs::LEADER_ELECTION, args, "This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.")?;
    check(invoked, &p)?;
    let mut options = BTreeMap::new();
    for spec in specs::LEADER_ELECTION.iter() {
        if p.has(spec.name) {
            options.insert(spec.name.to_string(), p.values(spec.name));
        }
    }
    let bootstrap = p.values("bootstrap-server").into_iter().chain(p.values("broker-list")).next().unwrap_or_default();
    Ok(ElectionCommand { bootstrap: Bootstrap::new(&bootstrap, env), options })
}

/// A Throwable caught by `mainNoExit`: its message, then its stack trace's first line.
pub fn thrown(class: &str, message: &str) -> Outcome {
    Outcome::stderr(format!("{message}\n{class}: {message}\n"), 1)
}

const FAILED: &str = "org.apache.kafka.server.common.AdminCommandFailedException";

/// `LeaderElectionCommandOptions.validate` (option names as `OptionSpec.options().get(0)`
/// gives them: without dashes), then the election type's enum conversion.
fn check(_invoked: &str, p: &crate::shell::jopt::Parsed) -> Result<(), Outcome> {
    let mut missing = Vec::new();
    if !p.has("bootstrap-server") {
        missing.push("bootstrap-server");
    }
    if !p.has("election-type") {
        missing.push("election-type");
    }
    if !missing.is_empty() {
        return Err(thrown(FAILED, &format!("Missing required option(s): {}", missing.join(", "))));
    }
    let sources = p.count(&["topic", "all-topic-partitions", "path-to-json-file"]);
    if sources != 1 {
        return Err(thrown(FAILED, "One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file"));
    }
    if p.has("topic") && !p.has("partition") {
        return Err(thrown(FAILED, "Missing required option(s): partition"));
    }
    if p.has("partition") && !p.has("topic") {
        return Err(thrown(FAILED, "Option partition is only allowed if topic is used"));
    }
    match p.value("election-type") {
        Ok(Some(t)) if ["preferred", "unclean"].contains(&t.to_ascii_lowercase().as_str()) => {}
        Ok(Some(t)) => return Err(thrown("joptsimple.OptionArgumentConversionException", &format!("Cannot parse argument '{t}' of option election-type"))),
        Ok(None) => {}
        Err(e) => return Err(thrown("joptsimple.OptionException", &e.0)),
    }
    if p.has("partition") {
        if let Err(e) = p.int("partition") {
            let _ = e;
            let value = p.values("partition").first().cloned().unwrap_or_default();
            return Err(thrown("joptsimple.OptionArgumentConversionException", &format!("Cannot parse argument '{value}' of option partition")));
        }
    }
    if p.has("path-to-json-file") {
        // The file system of the sandbox has no JSON election files worth the parser yet.
    }
    Ok(())
}

/// Java's `HashMap`/`HashSet` iteration order for `TopicPartition` keys inserted in `items`'
/// order: bucket `(h ^ h >>> 16) & (capacity - 1)` with `h = 31 * (31 + partition) +
/// topic.hashCode()`; a resize keeps each bucket's relative order.
pub fn topic_partition_hash_order(items: &mut [(String, i32)]) {
    let mut capacity = 16usize;
    while items.len() as f64 > capacity as f64 * 0.75 {
        capacity *= 2;
    }
    let bucket = |(topic, partition): &(String, i32)| {
        let h = 31i32.wrapping_mul(31i32.wrapping_add(*partition)).wrapping_add(crate::engine::assignor::java_string_hash_code(topic)) as u32;
        ((h ^ (h >> 16)) as usize) & (capacity - 1)
    };
    items.sort_by_key(|item| bucket(item));
}

pub fn execute(session: &mut Session<'_>, command: &ElectionCommand) -> Outcome {
    let kind = command.options.get("election-type").and_then(|v| v.last()).map(|t| t.to_ascii_uppercase()).unwrap_or_default();
    let election = if kind == "UNCLEAN" { ElectionType::Unclean } else { ElectionType::Preferred };
    if command.options.contains_key("path-to-json-file") {
        return Outcome::stderr("kafka-leader-election: --path-to-json-file is not simulated in the sandbox; use --topic/--partition or --all-topic-partitions\n", 1);
    }
    let single = match (command.options.get("topic").and_then(|v| v.last()), command.options.get("partition").and_then(|v| v.last())) {
        (Some(t), Some(p)) => Some(vec![(t.clone(), p.parse::<i32>().unwrap_or(0))]),
        _ => None,
    };
    if !command.bootstrap.reachable() {
        // default.api.timeout.ms is the tool's 30 s here.
        session.advance_ms(30_000);
        let message = "Timeout waiting for election results";
        return Outcome::fail(
            vec![
                Chunk::out(format!("{message}\n")),
                Chunk::err(format!("{message}\n{FAILED}: {message}\nCaused by: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: electLeaders\n")),
            ],
            1,
        );
    }
    let all = single.is_none();
    let results = match session.cluster_mut().elect_leaders(election, single) {
        Ok(results) => results,
        Err(e) => {
            let message = "Timeout waiting for election results";
            let _ = e;
            return Outcome::fail(vec![Chunk::out(format!("{message}\n")), Chunk::err(format!("{message}\n{FAILED}: {message}\n"))], 1);
        }
    };
    let mut succeeded = Vec::new();
    let mut noop = Vec::new();
    let mut failed = Vec::new();
    for ((topic, partition), result) in results {
        match result {
            Ok(_) => succeeded.push((topic, partition)),
            Err(e) if e.code == ErrorCode::ELECTION_NOT_NEEDED => {
                // With every partition asked for, the controller leaves these out of its answer.
                if !all {
                    noop.push((topic, partition));
                }
            }
            Err(e) => {
                let message = match e.code {
                    ErrorCode::UNKNOWN_TOPIC_OR_PARTITION if !session.cluster().topic_exists(&topic) => format!("No such topic as {topic}"),
                    ErrorCode::UNKNOWN_TOPIC_OR_PARTITION => format!("No such partition as {topic}-{partition}"),
                    code => code.default_message().to_string(),
                };
                failed.push(((topic, partition), format!("{}: {message}", super::exception_class(e.code))));
            }
        }
    }
    let joined = |items: &mut Vec<(String, i32)>| {
        topic_partition_hash_order(items);
        items.iter().map(|(t, p)| format!("{t}-{p}")).collect::<Vec<_>>().join(", ")
    };
    let mut out = String::new();
    if !succeeded.is_empty() {
        crate::shell::push_fmt(&mut out, format_args!("Successfully completed leader election ({kind}) for partitions {}\n", joined(&mut succeeded)));
    }
    if !noop.is_empty() {
        crate::shell::push_fmt(&mut out, format_args!("Valid replica already elected for partitions {}\n", joined(&mut noop)));
    }
    if failed.is_empty() {
        return Outcome::stdout(out).without_empty();
    }
    let mut keys: Vec<(String, i32)> = failed.iter().map(|(k, _)| k.clone()).collect();
    topic_partition_hash_order(&mut keys);
    for key in &keys {
        if let Some((_, error)) = failed.iter().find(|(k, _)| k == key) {
            crate::shell::push_fmt(&mut out, format_args!("Error completing leader election ({kind}) for partition: {}-{}: {error}\n", key.0, key.1));
        }
    }
    let message = format!("{} replica(s) could not be elected", failed.len());
    Outcome::fail(vec![Chunk::out(out), Chunk::err(format!("{message}\n{FAILED}: {message}\n"))], 1)
}
