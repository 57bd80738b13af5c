//! `kafka-topics`: options and client-side checks of `TopicCommand.java` (3.9), in its order.
//!
//! Parse errors and the usage checks print on stderr and exit 1. The checks `TopicCommand` makes
//! while executing (partition count, replication factor, `--config` format, replica assignment)
//! print `Error while executing topic command : <message>` on stdout and exit 1.


use super::{check_invalid, check_rules, missing_required, parse_jopt, specs, usage_error, Bootstrap, Env};
use std::collections::BTreeMap;
use crate::engine::{ConfigResource, ErrorCode, NewTopic};
use crate::shell::regex::Regex;
use crate::shell::{Chunk, Outcome, Session};

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
/// `allTopicLevelOpts` (a HashSet in Java; we report in this fixed order). The invalid-option
/// tables below are spelled out from it (a unit test rebuilds them).
#[cfg(test)]
const TOPIC_LEVEL: [&str; 5] = ["alter", "create", "describe", "list", "delete"];

/// `checkInvalidArgs(option, allTopicLevelOpts -- (...))`, in TopicCommand's order (the lists are
/// `TOPIC_LEVEL` minus the option's own actions, in that order, plus the extra options).
const INVALID_BEFORE_CREATE: &[(&str, &[&str])] = &[
    ("config", &["describe", "list", "delete"]),
    ("delete-config", &["create", "describe", "list", "delete", "bootstrap-server"]),
    ("partitions", &["describe", "list", "delete"]),
    ("replication-factor", &["alter", "describe", "list", "delete"]),
    ("replica-assignment", &["describe", "list", "delete"]),
];
/// The report options (each with `topics-with-overrides`), then the rest.
const INVALID_AFTER_CREATE: &[(&str, &[&str])] = &[
    ("under-replicated-partitions", &["alter", "create", "list", "delete", "topics-with-overrides"]),
    ("under-min-isr-partitions", &["alter", "create", "list", "delete", "topics-with-overrides"]),
    ("at-min-isr-partitions", &["alter", "create", "list", "delete", "topics-with-overrides"]),
    ("unavailable-partitions", &["alter", "create", "list", "delete", "topics-with-overrides"]),
    (
        "topics-with-overrides",
        &["alter", "create", "list", "delete", "under-replicated-partitions", "under-min-isr-partitions", "at-min-isr-partitions", "unavailable-partitions"],
    ),
    ("if-exists", &["create", "list"]),
    ("if-not-exists", &["alter", "describe", "list", "delete"]),
    ("exclude-internal", &["alter", "create", "delete"]),
];

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
    let actions = p.count(&ACTIONS);
    if actions != 1 {
        return Err(usage_error(
            invoked,
            "Command must include exactly one action: --list, --describe, --create, --alter or --delete",
        ));
    }
    // checkRequiredArgs
    if !p.has("bootstrap-server") {
        // Thrown outside the usage path: message (and a stack trace), no usage.
        return Err(Outcome::stderr("--bootstrap-server must be specified\n", 1));
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
    check_rules(invoked, &p, INVALID_BEFORE_CREATE)?;
    if p.has("create") {
        check_invalid(invoked, &p, "replica-assignment", &["partitions", "replication-factor"])?;
    }
    check_rules(invoked, &p, INVALID_AFTER_CREATE)?;

    // `execute` reads --bootstrap-server before its try (a jopt exception reaches mainNoExit:
    // message and stack trace) and the action's options inside it ("Error while executing").
    let bootstrap = p.value("bootstrap-server").map_err(|e| super::parse_failure(invoked, &e.0))?;
    let bootstrap = Bootstrap::new(&bootstrap.unwrap_or_default(), env);
    let v = |name: &'static str| p.value(name).map_err(|e| execution_error(&e.0));
    let topic = v("topic")?;
    let partitions = p.int("partitions").map_err(|e| execution_error(&e.0))?;
    let replication_factor = p.int("replication-factor").map_err(|e| execution_error(&e.0))?;
    let _ = p.int("partition-size-limit-per-response").map_err(|e| execution_error(&e.0))?;
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

// ---------------------------------------------------------------- execution

/// Java's `HashMap` iteration order for String keys, as an ordering of `names`.
///
/// `capacity` is the table's final length. Entries go to bucket `(h ^ h >>> 16) & (cap - 1)`
/// (h = `String.hashCode`); within a bucket they stay in insertion order, which is the order of
/// `names` as given.
pub fn java_hashmap_order(names: &mut [String], capacity: usize) {
    debug_assert!(capacity.is_power_of_two());
    let bucket = |name: &str| {
        let h = crate::engine::assignor::java_string_hash_code(name) as u32;
        ((h ^ (h >> 16)) as usize) & (capacity - 1)
    };
    names.sort_by_key(|n| bucket(n)); // stable: insertion order within a bucket
}

/// The final table length of `new HashMap<>(expected)` after `n` insertions.
pub fn java_hashmap_capacity_sized(expected: usize, n: usize) -> usize {
    let mut capacity = expected.max(1).next_power_of_two();
    while n as f64 > capacity as f64 * 0.75 {
        capacity *= 2;
    }
    capacity
}

/// The final table length of `new HashMap<>()` (default 16) after `n` insertions.
pub fn java_hashmap_capacity_default(n: usize) -> usize {
    let mut capacity = 16;
    while n as f64 > capacity as f64 * 0.75 {
        capacity *= 2;
    }
    capacity
}

/// The order `--describe` prints a topic's non-default configs in.
///
/// The broker builds the DescribeConfigs answer from a Scala `mutable.HashMap` over every topic
/// config (35 in 3.9: a 64-slot table, buckets kept sorted by improved hash), and the admin
/// client's `Config` keeps the entries in a Java `HashMap` (35 entries: 64 slots, insertion order
/// within a bucket). Both tables have 64 slots, so the order is: bucket `h & 63`, then `h` as a
/// signed int, where `h = hashCode ^ (hashCode >>> 16)`.
pub fn describe_config_order(entries: &mut [(String, String)]) {
    let key = |name: &str| {
        let hash = crate::engine::assignor::java_string_hash_code(name);
        let h = hash ^ ((hash as u32) >> 16) as i32;
        ((h as u32 & 63), h)
    };
    entries.sort_by_key(|(name, _)| key(name));
}

/// `IncludeList`: the `--topic` value as a Java regex (commas mean `|`, quotes and spaces
/// dropped); internal topics are left out when excluded.
pub(crate) fn topic_filter(pattern: Option<&str>) -> Result<Option<Regex>, String> {
    let Some(raw) = pattern else { return Ok(None) };
    let cleaned: String = raw.trim().replace(',', "|").replace(' ', "");
    let cleaned = cleaned.trim_start_matches(['"', '\'']).trim_end_matches(['"', '\'']).to_string();
    Regex::new(&cleaned).map(Some).map_err(|e| e.0)
}

fn is_internal(name: &str) -> bool {
    crate::engine::controller::INTERNAL_TOPICS.contains(&name)
}

/// `getTopics`: every topic (internal ones unless excluded), sorted, filtered by `--topic`.
fn get_topics(session: &Session<'_>, topic: Option<&str>, exclude_internal: bool) -> Result<Vec<String>, String> {
    let filter = topic_filter(topic)?;
    let mut names = session.cluster().topic_names();
    names.sort_by(|a, b| crate::engine::assignor::java_string_cmp(a, b));
    Ok(names
        .into_iter()
        .filter(|n| !(exclude_internal && is_internal(n)))
        .filter(|n| filter.as_ref().is_none_or(|r| r.matches(n)))
        .collect())
}

/// `ensureTopicExists`: Java formats the `Optional`, hence `Optional[name]`.
fn ensure_topic_exists(found: &[String], requested: Option<&str>, required: bool) -> Result<(), Outcome> {
    match requested {
        Some(name) if !name.is_empty() && required && found.is_empty() => {
            Err(execution_error(&format!("Topic 'Optional[{name}]' does not exist as expected")))
        }
        _ => Ok(()),
    }
}

fn ids(list: &[i32]) -> String {
    list.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

pub fn execute(session: &mut Session<'_>, command: &TopicsCommand) -> Outcome {
    let bootstrap = match command {
        TopicsCommand::Create { bootstrap, .. }
        | TopicsCommand::List { bootstrap, .. }
        | TopicsCommand::Describe { bootstrap, .. }
        | TopicsCommand::Alter { bootstrap, .. }
        | TopicsCommand::Delete { bootstrap, .. } => bootstrap,
    };
    if !bootstrap.reachable() {
        let call = match command {
            TopicsCommand::Create { .. } => "createTopics",
            TopicsCommand::Describe { topic_id: Some(_), .. } | TopicsCommand::List { .. } => "listTopics",
            _ => "listTopics",
        };
        return super::admin_unreachable(session, bootstrap, call, |m| execution_error(m));
    }
    match command {
        TopicsCommand::Create { topic, partitions, replication_factor, replica_assignment, configs, if_not_exists, .. } => {
            let mut chunks = Vec::new();
            if topic.contains('.') || topic.contains('_') {
                chunks.push(Chunk::out(
                    "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\n",
                ));
            }
            let request = NewTopic {
                name: topic.clone(),
                partitions: if replica_assignment.is_some() { None } else { *partitions },
                replication_factor: if replica_assignment.is_some() { None } else { replication_factor.map(|rf| rf as i16) },
                assignment: replica_assignment.as_ref().map(|a| a.values().cloned().collect()),
                configs: configs.clone(),
                validate_only: false,
            };
            match session.cluster_mut().create_topic(request) {
                Ok(()) => {
                    chunks.push(Chunk::out(format!("Created topic {topic}.\n")));
                    Outcome::ok(chunks)
                }
                Err(e) if e.code == ErrorCode::TOPIC_ALREADY_EXISTS && *if_not_exists => Outcome::ok(chunks),
                Err(e) => {
                    chunks.extend(execution_error(&e.message).chunks);
                    Outcome::fail(chunks, 1)
                }
            }
        }
        TopicsCommand::List { topic, exclude_internal, .. } => match get_topics(session, topic.as_deref(), *exclude_internal) {
            Ok(names) => Outcome::stdout(format!("{}\n", names.join("\n"))),
            Err(m) => execution_error(&m),
        },
        TopicsCommand::Describe { topic, topic_id, if_exists, exclude_internal, filters, .. } => {
            describe(session, topic.as_deref(), topic_id.as_deref(), *if_exists, *exclude_internal, filters)
        }
        TopicsCommand::Alter { topic, partitions, replica_assignment, if_exists, .. } => {
            let topics = match get_topics(session, Some(topic), false) {
                Ok(t) => t,
                Err(m) => return execution_error(&m),
            };
            if let Err(o) = ensure_topic_exists(&topics, Some(topic), !*if_exists) {
                return o;
            }
            for name in &topics {
                let current = session.cluster().describe_topic(name).map(|d| d.partitions.len()).unwrap_or(0) as i32;
                // topicNewPartitions: the assignment lists only the new partitions' replicas.
                let assignment = replica_assignment.as_ref().map(|a| {
                    a.iter().filter(|(p, _)| **p >= current).map(|(_, r)| r.clone()).collect::<Vec<_>>()
                });
                if let Err(e) = session.cluster_mut().create_partitions(name, *partitions, assignment) {
                    return execution_error(&e.message);
                }
            }
            Outcome::default()
        }
        TopicsCommand::Delete { topic, if_exists, .. } => {
            let topics = match get_topics(session, Some(topic), false) {
                Ok(t) => t,
                Err(m) => return execution_error(&m),
            };
            if let Err(o) = ensure_topic_exists(&topics, Some(topic), !*if_exists) {
                return o;
            }
            for name in &topics {
                if let Err(e) = session.cluster_mut().delete_topic(name) {
                    return execution_error(&e.message);
                }
            }
            Outcome::default()
        }
    }
}

fn describe(
    session: &mut Session<'_>,
    topic: Option<&str>,
    topic_id: Option<&str>,
    if_exists: bool,
    exclude_internal: bool,
    filters: &DescribeFilters,
) -> Outcome {
    const ZERO_UUID: &str = "AAAAAAAAAAAAAAAAAAAAAA";
    let mut out = String::new();
    if topic.is_some() && topic_id.is_some() && if_exists {
        out.push_str("Only topic id will be used when both --topic and --topic-id are specified and topicId is not Uuid.ZERO_UUID\n");
    }
    let use_id = topic_id.filter(|id| *id != ZERO_UUID);
    let by_id = use_id.is_some();
    let mut names: Vec<String>;
    if let Some(id) = use_id {
        let found: Vec<String> = session
            .cluster()
            .topic_names()
            .into_iter()
            .filter(|n| !(exclude_internal && is_internal(n)))
            .filter(|n| session.cluster().describe_topic(n).is_ok_and(|d| d.id == id))
            .collect();
        if found.is_empty() && !if_exists {
            return with_prefix(out, execution_error(&format!("TopicId '{id}' does not exist as expected")));
        }
        names = found;
    } else {
        match get_topics(session, topic, exclude_internal) {
            Ok(found) => {
                if let Err(o) = ensure_topic_exists(&found, topic, !if_exists) {
                    return with_prefix(out, o);
                }
                names = found;
            }
            Err(m) => return with_prefix(out, execution_error(&m)),
        }
    }
    // describeTopics(...).allTopicNames() answers in a HashMap sized for the request.
    let capacity = java_hashmap_capacity_sized(names.len(), names.len());
    java_hashmap_order(&mut names, capacity);
    let live: Vec<i32> = session
        .cluster()
        .broker_status()
        .iter()
        .filter(|b| b.process == crate::engine::ProcessState::Running && !b.fenced && !b.isolated)
        .map(|b| b.id)
        .collect();
    let report = filters.under_replicated || filters.unavailable || filters.under_min_isr || filters.at_min_isr;
    for name in names {
        let Ok(d) = session.cluster().describe_topic(&name) else { continue };
        let min_isr: usize = session
            .cluster()
            .describe_configs(&ConfigResource::Topic(name.clone()))
            .ok()
            .and_then(|entries| entries.into_iter().find(|e| e.name == "min.insync.replicas"))
            .and_then(|e| e.value.parse().ok())
            .unwrap_or(1);
        let mut configs: Vec<(String, String)> = d.configs.iter().map(|e| (e.name.clone(), e.value.clone())).collect();
        describe_config_order(&mut configs);
        if !report && (!filters.with_overrides || !configs.is_empty()) {
            if let Some(first) = d.partitions.first() {
                let joined: Vec<String> = configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let id = if d.id == ZERO_UUID { String::new() } else { format!("\tTopicId: {}", d.id) };
                crate::shell::push_fmt(&mut out, format_args!(
                    "Topic: {name}{id}\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}\n",
                    d.partitions.len(),
                    first.replicas.len(),
                    joined.join(",")
                ));
            }
        }
        if filters.with_overrides {
            continue;
        }
        for p in &d.partitions {
            let under_replicated = p.replicas.len() > p.isr.len();
            let under_min_isr = p.leader.is_none() || p.isr.len() < min_isr;
            let at_min_isr = p.isr.len() == min_isr;
            let unavailable = p.leader.is_none_or(|l| !live.contains(&l));
            let print = !report
                || (filters.under_replicated && under_replicated)
                || (filters.under_min_isr && under_min_isr)
                || (filters.at_min_isr && at_min_isr)
                || (filters.unavailable && unavailable);
            if !print {
                continue;
            }
            let leader = p.leader.map_or("none".to_string(), |l| l.to_string());
            // By name, 3.9's admin client uses DescribeTopicPartitions, whose response always
            // carries the ELR lists (empty with ELR off); by id it uses Metadata, which has no
            // ELR fields, so TopicPartitionInfo's are null and print as N/A.
            let elr_text = |list: &Option<Vec<i32>>| match (by_id, list) {
                (true, _) => "N/A".to_string(),
                (false, Some(e)) => ids(e),
                (false, None) => String::new(),
            };
            let (elr, last_known) = (elr_text(&p.elr), elr_text(&p.last_known_elr));
            crate::shell::push_fmt(&mut out, format_args!(
                "\tTopic: {name}\tPartition: {}\tLeader: {leader}\tReplicas: {}\tIsr: {}\tElr: {elr}\tLastKnownElr: {last_known}\n",
                p.id,
                ids(&p.replicas),
                ids(&p.isr)
            ));
        }
    }
    if out.is_empty() {
        return Outcome::default();
    }
    Outcome::stdout(out)
}

fn with_prefix(prefix: String, mut outcome: Outcome) -> Outcome {
    if !prefix.is_empty() {
        outcome.chunks.insert(0, Chunk::out(prefix));
    }
    outcome
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
    fn invalid_option_tables_follow_topic_level_order() {
        let except = |e: &[&str], extra: &[&'static str]| -> Vec<&'static str> {
            let mut v: Vec<&'static str> = TOPIC_LEVEL.iter().copied().filter(|o| !e.contains(o)).collect();
            v.extend_from_slice(extra);
            v
        };
        let reports = ["under-replicated-partitions", "under-min-isr-partitions", "at-min-isr-partitions", "unavailable-partitions"];
        let mut expected: Vec<(&str, Vec<&str>)> = vec![
            ("config", except(&["alter", "create"], &[])),
            ("delete-config", except(&["alter"], &["bootstrap-server"])),
            ("partitions", except(&["alter", "create"], &[])),
            ("replication-factor", except(&["create"], &[])),
            ("replica-assignment", except(&["alter", "create"], &[])),
        ];
        let before: Vec<(&str, Vec<&str>)> = INVALID_BEFORE_CREATE.iter().map(|(u, l)| (*u, l.to_vec())).collect();
        assert_eq!(before, expected);
        expected.clear();
        for report in reports {
            expected.push((report, except(&["describe", report], &["topics-with-overrides"])));
        }
        expected.push(("topics-with-overrides", except(&["describe"], &reports)));
        expected.push(("if-exists", except(&["alter", "delete", "describe"], &[])));
        expected.push(("if-not-exists", except(&["create"], &[])));
        expected.push(("exclude-internal", except(&["list", "describe"], &[])));
        let after: Vec<(&str, Vec<&str>)> = INVALID_AFTER_CREATE.iter().map(|(u, l)| (*u, l.to_vec())).collect();
        assert_eq!(after, expected);
    }

    #[test]
    fn configs_need_key_equals_value() {
        assert_eq!(parse_configs(&["a = b".into()]).unwrap(), vec![("a".into(), "b".into())]);
        assert!(parse_configs(&["a=".into()]).is_err());
        assert!(parse_configs(&["a=b=c".into()]).is_err());
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn java_hashmap_capacity_follows_resize_thresholds() {
        assert_eq!(java_hashmap_capacity_sized(3, 3), 4);
        assert_eq!(java_hashmap_capacity_sized(4, 4), 8);
        assert_eq!(java_hashmap_capacity_sized(1, 1), 2);
        assert_eq!(java_hashmap_capacity_default(12), 16);
        assert_eq!(java_hashmap_capacity_default(13), 32);
        assert_eq!(java_hashmap_capacity_default(35), 64);
    }
}
