//! `kafka-topics`: options and client-side checks of `TopicCommand.java` (3.9), in its order.
//!
//! Parse errors and the usage checks print on stderr and exit 1. The checks `TopicCommand` makes
//! while executing (partition count, replication factor, `--config` format, replica assignment)
//! print `Error while executing topic command : <message>` on stdout and exit 1.

use std::collections::BTreeMap;

use super::{check_invalid, missing_required, parse_jopt, specs, usage_error, value_error, Bootstrap, Env};
use crate::shell::{Chunk, Outcome};

/// Describe filters (`--under-replicated-partitions` ...).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DescribeFilters {
    pub under_replicated: bool,
    pub unavailable: bool,
    pub under_min_isr: bool,
    pub at_min_isr: bool,
    pub with_overrides: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TopicsCommand {
    Create {
        bootstrap: Bootstrap,
        topic: String,
        /// None: the broker default (`num.partitions`), the request carries -1.
        partitions: Option<i32>,
        replication_factor: Option<i32>,
        /// Partition -> broker ids, in order.
        replica_assignment: Option<BTreeMap<i32, Vec<i32>>>,
        /// `--config k=v`, in the order given (keys and values trimmed).
        configs: Vec<(String, String)>,
        if_not_exists: bool,
    },
    List { bootstrap: Bootstrap, topic: Option<String>, exclude_internal: bool },
    Describe {
        bootstrap: Bootstrap,
        /// A regular expression (Java syntax) or a name; None: all topics.
        topic: Option<String>,
        topic_id: Option<String>,
        if_exists: bool,
        exclude_internal: bool,
        filters: DescribeFilters,
    },
    Alter {
        bootstrap: Bootstrap,
        topic: String,
        partitions: i32,
        replica_assignment: Option<BTreeMap<i32, Vec<i32>>>,
        if_exists: bool,
    },
    Delete { bootstrap: Bootstrap, topic: String, if_exists: bool },
}

const ACTIONS: [&str; 5] = ["create", "list", "alter", "describe", "delete"];
/// `allTopicLevelOpts` (a HashSet in Java; we report in this fixed order).
const TOPIC_LEVEL: [&str; 5] = ["alter", "create", "describe", "list", "delete"];
const REPORT_OPTS: [&str; 4] =
    ["under-replicated-partitions", "under-min-isr-partitions", "at-min-isr-partitions", "unavailable-partitions"];

fn topic_level_except(except: &[&str]) -> Vec<&'static str> {
    TOPIC_LEVEL.iter().copied().filter(|o| !except.contains(o)).collect()
}

/// `Error while executing topic command : <message>` (stdout, exit 1).
pub fn execution_error(message: &str) -> Outcome {
    Outcome::fail(vec![Chunk::out(format!("Error while executing topic command : {message}\n"))], 1)
}

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<TopicsCommand, Outcome> {
    if args.is_empty() {
        return Err(super::usage_full(
            "Create, delete, describe, or change a topic.",
            &[crate::shell::jopt::DEFAULT_OPTS, specs::TOPICS],
        ));
    }
    let p = parse_jopt(invoked, specs::TOPICS, args, "This tool helps to create, delete, describe, or change a topic.")?;
    let actions = ACTIONS.iter().filter(|a| p.has(a)).count();
    if actions != 1 {
        return Err(usage_error(
            invoked,
            "Command must include exactly one action: --list, --describe, --create, --alter or --delete",
        ));
    }
    // checkRequiredArgs
    if !p.has("bootstrap-server") {
        // Thrown outside the usage path: message (and a stack trace), no usage.
        return Err(Outcome::fail(vec![Chunk::err("--bootstrap-server must be specified\n")], 1));
    }
    if p.has("describe") && p.has("if-exists") && !p.has("topic") && !p.has("topic-id") {
        return Err(usage_error(invoked, "--topic or --topic-id is required to describe a topic"));
    }
    let mut notes = Vec::new();
    if p.has("describe") && p.has("if-exists") && p.has("topic") && p.has("topic-id") {
        notes.push(
            "Only topic id will be used when both --topic and --topic-id are specified and topicId is not Uuid.ZERO_UUID",
        );
    }
    if !p.has("list") && !p.has("describe") && !p.has("topic") {
        return Err(missing_required(invoked, "topic"));
    }
    if p.has("alter") {
        if p.has("config") {
            return Err(usage_error(
                invoked,
                "Option combination \"[[bootstrap-server], [config]]\" can't be used with option \"[alter]\" (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option)",
            ));
        }
        if !p.has("partitions") {
            return Err(missing_required(invoked, "partitions"));
        }
    }
    // checkInvalidArgs
    check_invalid(invoked, &p, "config", &topic_level_except(&["alter", "create"]))?;
    let mut delete_config_invalid = topic_level_except(&["alter"]);
    delete_config_invalid.push("bootstrap-server");
    check_invalid(invoked, &p, "delete-config", &delete_config_invalid)?;
    check_invalid(invoked, &p, "partitions", &topic_level_except(&["alter", "create"]))?;
    check_invalid(invoked, &p, "replication-factor", &topic_level_except(&["create"]))?;
    check_invalid(invoked, &p, "replica-assignment", &topic_level_except(&["alter", "create"]))?;
    if p.has("create") {
        check_invalid(invoked, &p, "replica-assignment", &["partitions", "replication-factor"])?;
    }
    for report in REPORT_OPTS {
        let mut invalid = topic_level_except(&["describe", report]);
        invalid.push("topics-with-overrides");
        check_invalid(invoked, &p, report, &invalid)?;
    }
    let mut invalid = topic_level_except(&["describe"]);
    invalid.extend(REPORT_OPTS);
    check_invalid(invoked, &p, "topics-with-overrides", &invalid)?;
    check_invalid(invoked, &p, "if-exists", &topic_level_except(&["alter", "delete", "describe"]))?;
    check_invalid(invoked, &p, "if-not-exists", &topic_level_except(&["create"]))?;
    check_invalid(invoked, &p, "exclude-internal", &topic_level_except(&["list", "describe"]))?;

    let v = |name: &'static str| p.value(name).map_err(|e| value_error(invoked, e));
    let bootstrap = Bootstrap::new(&v("bootstrap-server")?.unwrap_or_default(), env);
    let topic = v("topic")?;
    let partitions = p.int("partitions").map_err(|e| value_error(invoked, e))?;
    let replication_factor = p.int("replication-factor").map_err(|e| value_error(invoked, e))?;
    let _ = p.int("partition-size-limit-per-response").map_err(|e| value_error(invoked, e))?;
    let replica_assignment = match v("replica-assignment")? {
        Some(text) if !text.is_empty() => Some(parse_replica_assignment(&text).map_err(|m| execution_error(&m))?),
        _ => None,
    };
    let command = if p.has("create") {
        if replication_factor.is_some_and(|rf| !(1..=32767).contains(&rf)) {
            return Err(execution_error("The replication factor must be between 1 and 32767 inclusive"));
        }
        if partitions.is_some_and(|n| n < 1) {
            return Err(execution_error("The partitions must be greater than 0"));
        }
        let configs = parse_configs(&p.values("config")).map_err(|m| execution_error(&m))?;
        TopicsCommand::Create {
            bootstrap,
            topic: topic.unwrap_or_default(),
            partitions,
            replication_factor,
            replica_assignment,
            configs,
            if_not_exists: p.has("if-not-exists"),
        }
    } else if p.has("list") {
        TopicsCommand::List { bootstrap, topic, exclude_internal: p.has("exclude-internal") }
    } else if p.has("describe") {
        TopicsCommand::Describe {
            bootstrap,
            topic,
            topic_id: v("topic-id")?,
            if_exists: p.has("if-exists"),
            exclude_internal: p.has("exclude-internal"),
            filters: DescribeFilters {
                under_replicated: p.has("under-replicated-partitions"),
                unavailable: p.has("unavailable-partitions"),
                under_min_isr: p.has("under-min-isr-partitions"),
                at_min_isr: p.has("at-min-isr-partitions"),
                with_overrides: p.has("topics-with-overrides"),
            },
        }
    } else if p.has("alter") {
        TopicsCommand::Alter {
            bootstrap,
            topic: topic.unwrap_or_default(),
            partitions: partitions.unwrap_or(0),
            replica_assignment,
            if_exists: p.has("if-exists"),
        }
    } else {
        TopicsCommand::Delete { bootstrap, topic: topic.unwrap_or_default(), if_exists: p.has("if-exists") }
    };
    if !notes.is_empty() {
        // The notice is printed before the command runs; phase 2 prints it with the result.
        let _ = notes;
    }
    Ok(command)
}

/// `TopicCommand.parseReplicaAssignment`: `0:1,1:2` -> {0: [0, 1], 1: [1, 2]}.
pub fn parse_replica_assignment(text: &str) -> Result<BTreeMap<i32, Vec<i32>>, String> {
    let mut out: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    let mut first_len = None;
    for (index, partition) in java_split(text, ',').iter().enumerate() {
        let mut brokers = Vec::new();
        for id in java_split(partition, ':') {
            let trimmed = id.trim();
            match trimmed.parse::<i32>() {
                Ok(n) if !trimmed.starts_with('+') || trimmed.len() > 1 => brokers.push(n),
                _ => return Err(format!("For input string: \"{trimmed}\"")),
            }
        }
        let mut seen = Vec::new();
        let mut duplicates = Vec::new();
        for b in &brokers {
            if seen.contains(b) && !duplicates.contains(b) {
                duplicates.push(*b);
            }
            seen.push(*b);
        }
        if !duplicates.is_empty() {
            let list: Vec<String> = duplicates.iter().map(i32::to_string).collect();
            return Err(format!("Partition replica lists may not contain duplicate entries: {}", list.join(",")));
        }
        let len = *first_len.get_or_insert(brokers.len());
        if brokers.len() != len {
            let list: Vec<String> = brokers.iter().map(i32::to_string).collect();
            return Err(format!("Partition {index} has different replication factor: [{}]", list.join(", ")));
        }
        out.insert(index as i32, brokers);
    }
    Ok(out)
}

/// Java's `String.split(sep)`: trailing empty strings are dropped (but "" splits to [""]).
pub fn java_split(text: &str, sep: char) -> Vec<String> {
    let mut parts: Vec<String> = text.split(sep).map(String::from).collect();
    while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    if text.is_empty() {
        return vec![String::new()];
    }
    parts
}

/// `--config k=v` as `parseTopicConfigsToBeAdded`: split at `\s*=\s*`, exactly two parts each.
pub fn parse_configs(values: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for value in values {
        let parts: Vec<String> = java_split(value, '=').iter().map(|s| s.trim().to_string()).collect();
        if parts.len() != 2 {
            return Err(
                "requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\"."
                    .into(),
            );
        }
        out.push((parts[0].clone(), parts[1].clone()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn replica_assignment_parses_and_rejects_like_topic_command() {
        let a = parse_replica_assignment("1:2,2:3").unwrap();
        assert_eq!(a.get(&1), Some(&vec![2, 3]));
        assert_eq!(
            parse_replica_assignment("1:1").unwrap_err(),
            "Partition replica lists may not contain duplicate entries: 1"
        );
        assert_eq!(parse_replica_assignment("1:2,3").unwrap_err(), "Partition 1 has different replication factor: [3]");
        assert_eq!(parse_replica_assignment("a").unwrap_err(), "For input string: \"a\"");
    }

    #[test]
    fn configs_need_key_equals_value() {
        assert_eq!(parse_configs(&["a = b".into()]).unwrap(), vec![("a".into(), "b".into())]);
        assert!(parse_configs(&["a=".into()]).is_err());
        assert!(parse_configs(&["a=b=c".into()]).is_err());
    }
}
