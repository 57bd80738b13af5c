//! `kafka-consumer-groups` (3.9: `ConsumerGroupCommandOptions.checkArgs` then the action count of
//! `ConsumerGroupCommand.main`).

use std::collections::BTreeMap;
use super::{push_row, check_invalid, missing_required, parse_jopt, specs, usage_error, value_error, Bootstrap, Env};

use crate::engine::{Cluster, ErrorCode, GroupState, OffsetSpec, TopicPartition};
use crate::shell::{Chunk, Outcome};

/// A `--reset-offsets` scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResetScenario {
    ToOffset(i64),
    ShiftBy(i64),
    ToDatetime(String),
    ByDuration(String),
    ToEarliest,
    ToLatest,
    ToCurrent,
    FromFile(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupsAction {
    List { states: Option<String>, types: Option<String> },
    /// `view`: "offsets" (default), "members" or "state".
    Describe { view: &'static str, verbose: bool },
    Delete,
    ResetOffsets { scenario: Option<ResetScenario>, execute: bool, export: bool, all_topics: bool },
    DeleteOffsets,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupsCommand {
    pub bootstrap: Bootstrap,
    pub groups: Vec<String>,
    pub all_groups: bool,
    /// `--topic` values (`t` or `t:0,1,2` for resets).
    pub topics: Vec<String>,
    pub timeout_ms: i64,
    pub action: GroupsAction,
    /// The dry-run warning the tool prints to stderr before anything else, when it applies.
    pub warning: Option<String>,
}

const SCENARIOS: [&str; 8] =
    ["to-offset", "shift-by", "to-datetime", "by-duration", "to-earliest", "to-latest", "to-current", "from-file"];

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<GroupsCommand, Outcome> {
    let p = parse_jopt(
        invoked,
        specs::CONSUMER_GROUPS,
        args,
        "This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.",
    )?;
    if !p.has("bootstrap-server") {
        return Err(missing_required(invoked, "bootstrap-server"));
    }
    let has_scope = p.has("group") || p.has("all-groups");
    if p.has("describe") {
        if !has_scope {
            return Err(usage_error(
                invoked,
                "Option [describe] takes one of these options: [list], [describe], [delete], [reset-offsets]",
            ));
        }
        if p.count(&["members", "offsets", "state"]) > 1 {
            return Err(usage_error(invoked, "Option [describe] takes at most one of these options: [members], [offsets], [state]"));
        }
        if p.value("state").map_err(|e| value_error(invoked, e))?.is_some() {
            return Err(usage_error(invoked, "Option [describe] does not take a value for [state]"));
        }
    }
    if p.has("delete") {
        if !has_scope {
            return Err(usage_error(invoked, "Option [delete] takes one of these options: [group], [all-groups]"));
        }
        if p.has("topic") {
            return Err(usage_error(
                invoked,
                "The consumer does not support topic-specific offset deletion from a consumer group.",
            ));
        }
    }
    if p.has("delete-offsets") && (!p.has("group") || !p.has("topic")) {
        return Err(usage_error(invoked, "Option [delete-offsets] takes the following options: [group], [all-groups]"));
    }
    let mut warning = None;
    if p.has("reset-offsets") {
        if p.has("dry-run") && p.has("execute") {
            return Err(usage_error(invoked, "Option [reset-offsets] only accepts one of [execute] and [dry-run]"));
        }
        if !p.has("dry-run") && !p.has("execute") {
            warning = Some("WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.".to_string());
        }
        if !has_scope {
            return Err(usage_error(invoked, "Option [reset-offsets] takes one of these options: [group], [all-groups]"));
        }
        for scenario in SCENARIOS {
            let others: Vec<&str> = SCENARIOS.iter().copied().filter(|s| *s != scenario).collect();
            check_invalid(invoked, &p, scenario, &others)?;
        }
    }
    super::check_rules(invoked, &p, &[("group", &["all-groups"]), ("group", &["list"]), ("topic", &["list", "describe"])])?;
    let actions = p.count(&["list", "describe", "delete", "reset-offsets", "delete-offsets"]);
    if actions != 1 {
        return Err(usage_error(
            invoked,
            "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets",
        ));
    }
    let v = |name: &'static str| p.value(name).map_err(|e| value_error(invoked, e));
    let long = |name: &'static str| p.long(name).map_err(|e| value_error(invoked, e));
    let action = if p.has("list") {
        GroupsAction::List {
            states: if p.has("state") { Some(v("state")?.unwrap_or_default()) } else { None },
            types: if p.has("type") { Some(v("type")?.unwrap_or_default()) } else { None },
        }
    } else if p.has("describe") {
        let view = if p.has("members") {
            "members"
        } else if p.has("state") {
            "state"
        } else {
            "offsets"
        };
        GroupsAction::Describe { view, verbose: p.has("verbose") }
    } else if p.has("delete") {
        GroupsAction::Delete
    } else if p.has("delete-offsets") {
        GroupsAction::DeleteOffsets
    } else {
        if !p.has("all-topics") && !p.has("topic") && !p.has("from-file") {
            return Err(usage_error(invoked, "One of the reset scopes should be defined: --all-topics, --topic."));
        }
        let scenario = if p.has("to-offset") {
            Some(ResetScenario::ToOffset(long("to-offset")?.unwrap_or(0)))
        } else if p.has("shift-by") {
            Some(ResetScenario::ShiftBy(long("shift-by")?.unwrap_or(0)))
        } else if p.has("to-datetime") {
            Some(ResetScenario::ToDatetime(v("to-datetime")?.unwrap_or_default()))
        } else if p.has("by-duration") {
            Some(ResetScenario::ByDuration(v("by-duration")?.unwrap_or_default()))
        } else if p.has("to-earliest") {
            Some(ResetScenario::ToEarliest)
        } else if p.has("to-latest") {
            Some(ResetScenario::ToLatest)
        } else if p.has("to-current") {
            Some(ResetScenario::ToCurrent)
        } else if p.has("from-file") {
            Some(ResetScenario::FromFile(v("from-file")?.unwrap_or_default()))
        } else {
            None
        };
        GroupsAction::ResetOffsets { scenario, execute: p.has("execute"), export: p.has("export"), all_topics: p.has("all-topics") }
    };
    Ok(GroupsCommand {
        bootstrap: Bootstrap::new(&v("bootstrap-server")?.unwrap_or_default(), env),
        groups: p.values("group"),
        all_groups: p.has("all-groups"),
        topics: p.values("topic"),
        timeout_ms: long("timeout")?.unwrap_or(5000),
        action,
        warning,
    })
}

/// The order a Java `HashMap<TopicPartition, _>` filled in `tps` order iterates in (the tool's
/// maps from `Collectors.toMap`).
fn java_map_order(tps: &[TopicPartition]) -> Vec<TopicPartition> {
    use crate::engine::assignor::java::{hash_map_order, java_string_hash_code, topic_partition_hash};
    let hashes: Vec<i32> = tps.iter().map(|tp| topic_partition_hash(java_string_hash_code(&tp.topic), tp.partition)).collect();
    hash_map_order(&hashes).into_iter().map(|i| tps[i].clone()).collect()
}

/// Jackson 2.16's location suffix (sources are redacted by default since 2.16).
fn jackson_location(line: usize, column: usize) -> String {
    format!("\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: {line}, column: {column}]")
}

/// One CSV line bound to `CsvUtils.CsvRecordNoGroup` (`with_group` false: topic, partition,
/// offset) or `CsvRecordWithGroup` (group, topic, partition, offset) as Jackson's CsvMapper binds
/// it: missing trailing columns keep their defaults ("", 0), extra columns are an error, numbers
/// must parse. The error is the exception's `toString()`.
fn bind_csv_line(line: &str, with_group: bool) -> Result<(String, TopicPartition, i64), String> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let class = if with_group { "CsvRecordWithGroup" } else { "CsvRecordNoGroup" };
    if line.is_empty() {
        return Err(format!("com.fasterxml.jackson.databind.exc.MismatchedInputException: No content to map due to end-of-input{}", jackson_location(1, 1)));
    }
    let fields: &[&str] = if with_group { &["group", "topic", "partition", "offset"] } else { &["topic", "partition", "offset"] };
    let mut values: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for piece in line.split(',') {
        values.push((start + 1, piece));
        start += piece.len() + 1;
    }
    if values.len() > fields.len() {
        let (column, extra) = values[fields.len()];
        return Err(format!(
            "com.fasterxml.jackson.dataformat.csv.CsvReadException: Too many entries: expected at most {} (value #{} ({} chars) \"{extra}\"){}",
            fields.len(),
            fields.len(),
            extra.chars().count(),
            jackson_location(1, column)
        ));
    }
    let (mut group, mut topic, mut partition, mut offset) = (String::new(), String::new(), 0i32, 0i64);
    for (i, (column, value)) in values.iter().enumerate() {
        let invalid = |ty: &str| {
            format!(
                "com.fasterxml.jackson.databind.exc.InvalidFormatException: Cannot deserialize value of type `{ty}` from String \"{value}\": not a valid `{ty}` value{} (through reference chain: org.apache.kafka.tools.consumer.group.CsvUtils${class}[\"{}\"])",
                jackson_location(1, *column),
                fields[i]
            )
        };
        match fields[i] {
            "group" => group = value.to_string(),
            "topic" => topic = value.to_string(),
            "partition" => partition = if value.is_empty() { 0 } else { value.trim().parse().map_err(|_| invalid("int"))? },
            _ => offset = if value.is_empty() { 0 } else { value.trim().parse().map_err(|_| invalid("long"))? },
        }
    }
    Ok((group, TopicPartition::new(topic.as_str(), partition), offset))
}

/// `parseResetPlan`: the first line decides the format ("topic,partition,offset" for a single
/// `--group`, else "group,topic,partition,offset"); a later duplicate line wins.
fn parse_reset_plan(csv: &str, groups: &[String]) -> Result<BTreeMap<String, BTreeMap<TopicPartition, i64>>, String> {
    // Java's String.split drops trailing empty strings.
    let mut lines: Vec<&str> = csv.split('\n').collect();
    while lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let single_group = groups.len() == 1;
    let old_format = lines.first().is_some_and(|l| bind_csv_line(l, false).is_ok());
    let mut plan: BTreeMap<String, BTreeMap<TopicPartition, i64>> = BTreeMap::new();
    for line in lines {
        if single_group && old_format {
            let (_, tp, offset) = bind_csv_line(line, false)?;
            plan.entry(groups[0].clone()).or_default().insert(tp, offset);
        } else {
            let (group, tp, offset) = bind_csv_line(line, true)?;
            plan.entry(group).or_default().insert(tp, offset);
        }
    }
    Ok(plan)
}

fn error(msg: std::fmt::Arguments<'_>) -> Chunk {
    Chunk::out(format!("\nError: {msg}\n"))
}

const STATES: [&str; 7] = ["PreparingRebalance", "CompletingRebalance", "Stable", "Dead", "Empty", "Assigning", "Reconciling"];

/// Runs the tool against the cluster.
pub fn execute(session: &mut crate::shell::Session<'_>, command: &GroupsCommand) -> Outcome {
    if !command.bootstrap.reachable() {
        let call = match command.action {
            GroupsAction::List { .. } => "listConsumerGroups",
            GroupsAction::Describe { .. } | GroupsAction::ResetOffsets { .. } => "describeConsumerGroups",
            GroupsAction::Delete => "deleteConsumerGroups",
            GroupsAction::DeleteOffsets => "deleteConsumerGroupOffsets",
        };
        return super::admin_unreachable(session, &command.bootstrap, call, |m| {
            Outcome::fail(vec![error(format_args!("Executing consumer group command failed due to org.apache.kafka.common.errors.TimeoutException: {m}"))], 1)
        });
    }
    let mut out: Vec<Chunk> = Vec::new();
    if let Some(w) = &command.warning {
        out.push(Chunk::err(format!("{w}\n")));
    }
    // `--from-file`: the CSV is read where Kafka reads it (only for an inactive group), but the
    // sandbox's file system lives beside the cluster, so take it now.
    let plan_file: Option<Option<String>> = match &command.action {
        GroupsAction::ResetOffsets { scenario: Some(ResetScenario::FromFile(path)), .. } => Some(session.world().read_file(path)),
        _ => None,
    };
    let cluster = session.cluster_mut();
    let status = match &command.action {
        GroupsAction::List { states, types } => list(cluster, &mut out, states.as_deref(), types.as_deref()),
        GroupsAction::Describe { view, verbose } => {
            let groups = target_groups(cluster, command);
            for g in groups {
                describe(cluster, &mut out, &g, view, *verbose);
            }
            0
        }
        GroupsAction::Delete => {
            let groups = target_groups(cluster, command);
            delete(cluster, &mut out, &groups)
        }
        GroupsAction::DeleteOffsets => delete_offsets(cluster, &mut out, command),
        GroupsAction::ResetOffsets { scenario, execute, export, all_topics } => {
            reset(cluster, &mut out, command, scenario.as_ref(), *execute, *export, *all_topics, plan_file.as_ref())
        }
    };
    Outcome { chunks: out, status }
}

fn target_groups(cluster: &mut Cluster, command: &GroupsCommand) -> Vec<String> {
    let mut groups: Vec<String> = if command.all_groups {
        cluster.list_groups().map(|l| l.into_iter().map(|g| g.group_id).collect()).unwrap_or_default()
    } else {
        command.groups.clone()
    };
    groups.sort();
    groups.dedup();
    groups
}

fn list(cluster: &mut Cluster, out: &mut Vec<Chunk>, states: Option<&str>, types: Option<&str>) -> i32 {
    let mut wanted_states = Vec::new();
    if let Some(sv) = states.filter(|s| !s.is_empty()) {
        for s in sv.split(',') {
            match STATES.iter().find(|n| n.eq_ignore_ascii_case(s.trim())) {
                Some(n) => wanted_states.push(*n),
                None => {
                    out.push(error(format_args!("Invalid state list '{sv}'. Valid states are: {}", STATES.join(", "))));
                    return 1;
                }
            }
        }
    }
    let mut wanted_types = Vec::new();
    if let Some(tv) = types.filter(|s| !s.is_empty()) {
        for t in tv.to_ascii_lowercase().split(',') {
            match ["consumer", "classic", "share"].iter().find(|n| **n == t.trim()) {
                Some(n) => wanted_types.push(*n),
                None => {
                    out.push(error(format_args!("Invalid types list '{tv}'. Valid types are: Consumer, Classic, Share")));
                    return 1;
                }
            }
        }
    }
    let listings = match cluster.list_groups() {
        Ok(l) => l,
        Err(e) => {
            out.push(error(format_args!("Executing consumer group command failed due to {}", e.message)));
            return 1;
        }
    };
    let listings: Vec<_> = listings
        .into_iter()
        .filter(|g| g.protocol_type == "consumer" || g.protocol_type.is_empty())
        .filter(|g| wanted_states.is_empty() || wanted_states.contains(&g.state.name()))
        .filter(|g| wanted_types.is_empty() || wanted_types.contains(&g.group_type))
        .collect();
    if states.is_none() && types.is_none() {
        for g in &listings {
            out.push(Chunk::out(format!("{}\n", g.group_id)));
        }
        return 0;
    }
    let w = listings.iter().map(|g| g.group_id.len().max(15)).max().unwrap_or(15) + 10;
    let row = |cells: Vec<&str>| {
        let cells: Vec<(&str, usize)> = cells.iter().enumerate().map(|(i, c)| (*c, if i == 0 { w } else { 20 })).collect();
        let mut line = String::new();
        push_row(&mut line, "", &cells, " ", "\n");
        line
    };
    let mut header = vec!["GROUP"];
    if types.is_some() {
        header.push("TYPE");
    }
    if states.is_some() {
        header.push("STATE");
    }
    out.push(Chunk::out(row(header)));
    for g in &listings {
        let mut cells = vec![g.group_id.as_str()];
        if types.is_some() {
            cells.push("Classic");
        }
        if states.is_some() {
            cells.push(g.state.name());
        }
        out.push(Chunk::out(row(cells)));
    }
    0
}

/// `shouldPrintMemberState`: prints the state notice; whether the table follows.
fn state_notice(out: &mut Vec<Chunk>, group: &str, state: GroupState, rows: usize) -> bool {
    match state {
        GroupState::Dead => out.push(error(format_args!("Consumer group '{group}' does not exist."))),
        GroupState::Empty => out.push(Chunk::err(format!("\nConsumer group '{group}' has no active members.\n"))),
        GroupState::PreparingRebalance | GroupState::CompletingRebalance => {
            out.push(Chunk::err(format!("\nWarning: Consumer group '{group}' is rebalancing.\n")))
        }
        GroupState::Stable => {}
    }
    state != GroupState::Dead && rows > 0
}

fn describe(cluster: &mut Cluster, out: &mut Vec<Chunk>, group: &str, view: &str, verbose: bool) {
    let d = match cluster.describe_group(group) {
        Ok(d) => d,
        Err(e) => {
            out.push(error(format_args!("Executing consumer group command failed due to {}", e.message)));
            return;
        }
    };
    let dash = "-".to_string();
    match view {
        "members" => {
            if !state_notice(out, group, d.state, d.members.len()) && d.state == GroupState::Dead {
                return;
            }
            let mut w = [15usize, 15, 15, 15];
            for m in &d.members {
                w[0] = w[0].max(group.len());
                w[1] = w[1].max(m.member_id.len());
                w[2] = w[2].max(m.host.len());
                w[3] = w[3].max(m.client_id.len());
            }
            let mut text = String::new();
            push_row(&mut text, "\n", &[("GROUP", w[0]), ("CONSUMER-ID", w[1]), ("HOST", w[2]), ("CLIENT-ID", w[3]), ("#PARTITIONS", 15)], " ", " ");
            if verbose {
                text.push_str("ASSIGNMENT");
            }
            text.push('\n');
            for m in &d.members {
                push_row(&mut text, "", &[(group, w[0]), (&m.member_id, w[1]), (&m.host, w[2]), (&m.client_id, w[3]), (&m.assignment.len().to_string(), 15)], " ", " ");
                if verbose {
                    if m.assignment.is_empty() {
                        text.push('-');
                    } else {
                        // 3.9 groups by topic and prints each topic's partitions (sorted as strings),
                        // the groups sorted as strings; the topic name itself is not printed.
                        let mut by_topic: BTreeMap<&str, Vec<String>> = BTreeMap::new();
                        for tp in &m.assignment {
                            by_topic.entry(tp.topic.as_str()).or_default().push(tp.partition.to_string());
                        }
                        let mut groups: Vec<String> = by_topic
                            .into_values()
                            .map(|mut ps| {
                                ps.sort();
                                format!("({})", ps.join(","))
                            })
                            .collect();
                        groups.sort();
                        text.push_str(&groups.join(", "));
                    }
                }
                text.push('\n');
            }
            out.push(Chunk::out(text));
        }
        "state" => {
            if !state_notice(out, group, d.state, 1) {
                return;
            }
            let coordinator = format!("localhost:{}  ({})", 9091 + d.coordinator, d.coordinator);
            let cw = coordinator.len().max(25);
            let mut text = String::new();
            push_row(&mut text, "\n", &[("GROUP", cw), ("COORDINATOR (ID)", 25), ("ASSIGNMENT-STRATEGY", 20), ("STATE", 15), ("#MEMBERS", 0)], " ", "");
            push_row(&mut text, "\n", &[(group, cw), (&coordinator, 25), (&d.assignment_strategy, 20), (d.state.name(), 15), (&d.members.len().to_string(), 0)], " ", "\n");
            out.push(Chunk::out(text));
        }
        _ => {
            let committed = cluster.list_group_offsets(group).unwrap_or_default();
            // Rows: members with partitions (most partitions first), then committed partitions nobody owns.
            let mut members: Vec<&crate::engine::MemberDescription> = d.members.iter().filter(|m| !m.assignment.is_empty()).collect();
            members.sort_by(|a, b| b.assignment.len().cmp(&a.assignment.len()));
            let mut rows: Vec<[String; 9]> = Vec::new();
            let mut assigned: Vec<TopicPartition> = Vec::new();
            let add_rows = |cluster: &mut Cluster, rows: &mut Vec<[String; 9]>, tps: &[TopicPartition], who: (&str, &str, &str)| {
                let mut sorted = tps.to_vec();
                sorted.sort_by_key(|tp| tp.partition);
                for tp in java_map_order(&sorted) {
                    let end = cluster.list_offsets(&tp.topic, tp.partition, OffsetSpec::Latest).ok().map(|(o, _)| o);
                    let cur = committed.get(&tp).map(|o| o.offset);
                    let lag = match (cur, end) {
                        (Some(c), Some(e)) if c != -1 => (e - c).to_string(),
                        _ => "-".into(),
                    };
                    rows.push([
                        group.to_string(),
                        tp.topic.clone(),
                        tp.partition.to_string(),
                        cur.map_or_else(|| "-".into(), |c| c.to_string()),
                        end.map_or_else(|| "-".into(), |e| e.to_string()),
                        lag,
                        who.0.to_string(),
                        who.1.to_string(),
                        who.2.to_string(),
                    ]);
                }
            };
            for m in &members {
                assigned.extend(m.assignment.iter().cloned());
                add_rows(cluster, &mut rows, &m.assignment, (&m.member_id, &m.host, &m.client_id));
            }
            let unassigned: Vec<TopicPartition> = committed.keys().filter(|tp| !assigned.contains(tp)).cloned().collect();
            if !unassigned.is_empty() {
                add_rows(cluster, &mut rows, &unassigned, (&dash, &dash, &dash));
            }
            if !state_notice(out, group, d.state, rows.len()) {
                return;
            }
            let mut w = [15usize, 15, 15, 15];
            for r in &rows {
                w[0] = w[0].max(r[0].len());
                w[1] = w[1].max(r[1].len());
                w[2] = w[2].max(r[6].len());
                w[3] = w[3].max(r[7].len());
            }
            let widths = [w[0], w[1], 10, 15, 15, 15, w[2], w[3], 0];
            let mut text = String::new();
            let mut line = |r: [&str; 9]| {
                let cells: [(&str, usize); 9] = std::array::from_fn(|i| (r[i], widths[i]));
                push_row(&mut text, "\n", &cells, " ", "");
            };
            line(["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"]);
            for r in &rows {
                line([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6], &r[7], &r[8]]);
            }
            // The tool prints no newline after the last row.
            out.push(Chunk::out(text));
        }
    }
}

fn delete(cluster: &mut Cluster, out: &mut Vec<Chunk>, groups: &[String]) -> i32 {
    let results = cluster.delete_groups(groups);
    let ok: Vec<&str> = results.iter().filter(|(_, r)| r.is_ok()).map(|(g, _)| g.as_str()).collect();
    let failed: Vec<(&str, &crate::engine::KafkaError)> = results.iter().filter_map(|(g, r)| r.as_ref().err().map(|e| (g.as_str(), e))).collect();
    if failed.is_empty() {
        out.push(Chunk::out(format!("Deletion of requested consumer groups ('{}') was successful.\n", ok.join(", "))));
        return 0;
    }
    let mut text = "\nError: Deletion of some consumer groups failed:\n".to_string();
    for (g, e) in &failed {
        crate::shell::push_fmt(&mut text, format_args!("* Group '{g}' could not be deleted due to: {}: {}\n", super::exception_class(e.code).replace("NonEmptyGroupException", "GroupNotEmptyException").replace("GroupIdNotFoundException", "GroupIdNotFoundException"), e.message));
    }
    if !ok.is_empty() {
        crate::shell::push_fmt(&mut text, format_args!("\nThese consumer groups were deleted successfully: '{}', '\n", ok.join("'")));
    }
    out.push(Chunk::out(text));
    1
}

fn parse_topic_partitions(cluster: &Cluster, topics: &[String]) -> Vec<TopicPartition> {
    let mut tps = Vec::new();
    for t in topics {
        match t.split_once(':') {
            Some((name, parts)) => {
                for p in parts.split(',').filter_map(|p| p.trim().parse::<i32>().ok()) {
                    tps.push(TopicPartition::new(name, p));
                }
            }
            None => {
                let n = cluster.topic_meta(t).map_or(0, |m| m.partitions.len() as i32);
                for p in 0..n {
                    tps.push(TopicPartition::new(t.as_str(), p));
                }
            }
        }
    }
    tps
}

fn delete_offsets(cluster: &mut Cluster, out: &mut Vec<Chunk>, command: &GroupsCommand) -> i32 {
    let group = command.groups.first().cloned().unwrap_or_default();
    let mut tps = parse_topic_partitions(cluster, &command.topics);
    let mut unknown = Vec::new();
    for t in &command.topics {
        if !t.contains(':') && cluster.topic_meta(t).is_none() {
            unknown.push(t.clone());
        }
    }
    tps.sort();
    tps.dedup();
    let mut text = String::new();
    let mut status = 0;
    let results: Vec<(TopicPartition, Option<String>)> = match cluster.delete_group_offsets(&group, &tps) {
        Ok(r) => {
            let any_err = r.iter().any(|(_, x)| x.is_err()) || !unknown.is_empty();
            if any_err {
                text.push_str("\nError: Encounter some partition level error, see the follow-up details:\n");
                status = 1;
            } else {
                crate::shell::push_fmt(&mut text, format_args!("Request succeed for deleting offsets with topic {} group {group}\n", command.topics.join(", ")));
            }
            r.into_iter().map(|(tp, x)| (tp, x.err().map(|e| e.message))).collect()
        }
        Err(e) => {
            status = 1;
            let msg = match e.code {
                ErrorCode::GROUP_ID_NOT_FOUND => format!("'{group}' does not exist."),
                ErrorCode::NON_EMPTY_GROUP => format!("Deleting offsets of a consumer group '{group}' is forbidden if the group is not empty."),
                ErrorCode::INVALID_GROUP_ID => format!("'{group}' is not valid."),
                _ => format!("Encounter some unknown error: {}", e.code.name()),
            };
            crate::shell::push_fmt(&mut text, format_args!("\nError: {msg}\n"));
            tps.iter().map(|tp| (tp.clone(), Some(e.message.clone()))).collect()
        }
    };
    let mut rows: Vec<(String, String, String)> = results
        .into_iter()
        .map(|(tp, e)| (tp.topic.clone(), tp.partition.to_string(), e.map_or_else(|| "Successful".to_string(), |m| format!("Error: :{m}"))))
        .collect();
    for t in unknown {
        rows.push((t, "Not Provided".into(), "Error: :org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.".into()));
    }
    rows.sort_by(|a, b| format!("{}{}", a.0, a.1).cmp(&format!("{}{}", b.0, b.1)));
    push_row(&mut text, "\n", &[("TOPIC", 30), ("PARTITION", 15), ("STATUS", 15)], " ", "");
    for (t, p, s) in rows {
        push_row(&mut text, "", &[(&t, 30), (&p, 15), (&s, 15)], " ", "");
    }
    out.push(Chunk::out(text));
    status
}

/// Parses `YYYY-MM-DDTHH:mm:SS.sss` (optionally with a zone `Z`/`±HH:mm`; none means UTC) to ms.
fn parse_datetime(s: &str) -> Option<i64> {
    let (date, time) = s.split_once('T')?;
    let d: Vec<i64> = date.split('-').map(|x| x.parse().ok()).collect::<Option<_>>()?;
    if d.len() != 3 {
        return None;
    }
    let (mut time, mut offset_min) = (time.to_string(), 0i64);
    if let Some(t) = time.strip_suffix('Z') {
        time = t.to_string();
    } else if let Some(pos) = time.rfind(['+', '-']) {
        let (t, z) = time.split_at(pos);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let hm: Vec<i64> = z[1..].split(':').map(|x| x.parse().ok()).collect::<Option<_>>()?;
        offset_min = sign * (hm.first()? * 60 + hm.get(1).copied().unwrap_or(0));
        time = t.to_string();
    }
    let (hms, ms) = time.split_once('.').unwrap_or((&time, "0"));
    let t: Vec<i64> = hms.split(':').map(|x| x.parse().ok()).collect::<Option<_>>()?;
    if t.len() != 3 {
        return None;
    }
    let ms: i64 = ms.parse().ok()?;
    let (y, m, day) = (d[0] - i64::from(d[1] <= 2), d[1], d[2]);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + t[0] * 3600 + t[1] * 60 + t[2]) * 1000 + ms) - offset_min * 60_000)
}

/// `java.time.Duration.parse` for the `PnDTnHnMn.nS` forms; milliseconds.
fn parse_duration(s: &str) -> Option<i64> {
    let s = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    let (days_part, time_part) = match s.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut ms = 0f64;
    if !days_part.is_empty() {
        ms += days_part.strip_suffix(['D', 'd'])?.parse::<f64>().ok()? * 86_400_000.0;
    }
    if let Some(mut t) = time_part {
        if t.is_empty() {
            return None;
        }
        for (unit, factor) in [('H', 3_600_000.0), ('M', 60_000.0), ('S', 1000.0)] {
            if let Some(pos) = t.find([unit, unit.to_ascii_lowercase()]) {
                ms += t[..pos].parse::<f64>().ok()? * factor;
                t = &t[pos + 1..];
            }
        }
        if !t.is_empty() {
            return None;
        }
    }
    Some(ms as i64)
}

#[allow(clippy::too_many_arguments)]
fn reset(
    cluster: &mut Cluster,
    out: &mut Vec<Chunk>,
    command: &GroupsCommand,
    scenario: Option<&ResetScenario>,
    execute: bool,
    export: bool,
    all_topics: bool,
    plan_file: Option<&Option<String>>,
) -> i32 {
    let Some(scenario) = scenario else {
        out.push(Chunk::err("Option '[reset-offsets]' requires one of the following scenarios: [to-offset, shift-by, to-datetime, by-duration, to-earliest, to-latest, to-current, from-file]\n".to_string()));
        return 1;
    };
    let groups = target_groups(cluster, command);
    let mut results: Vec<(String, Vec<(TopicPartition, i64)>)> = Vec::new();
    for g in groups {
        let d = match cluster.describe_group(&g) {
            Ok(d) => d,
            Err(e) => {
                out.push(error(format_args!("Executing consumer group command failed due to {}", e.message)));
                return 1;
            }
        };
        if !matches!(d.state, GroupState::Empty | GroupState::Dead) {
            out.push(error(format_args!("Assignments can only be reset if the group '{g}' is inactive, but the current state is {}.", d.state.name())));
            results.push((g, Vec::new()));
            continue;
        }
        let committed = cluster.list_group_offsets(&g).unwrap_or_default();
        let mut partitions: Vec<TopicPartition> = if all_topics { committed.keys().cloned().collect() } else { parse_topic_partitions(cluster, &command.topics) };
        let mut file_plan: BTreeMap<TopicPartition, i64> = BTreeMap::new();
        if let ResetScenario::FromFile(path) = scenario {
            let Some(Some(csv)) = plan_file else {
                out.push(error(format_args!("Executing consumer group command failed due to java.nio.file.NoSuchFileException: {path}")));
                return 1;
            };
            let plan = match parse_reset_plan(csv, &command.groups) {
                Ok(plan) => plan,
                Err(message) => {
                    out.push(error(format_args!("Executing consumer group command failed due to {message}")));
                    return 1;
                }
            };
            match plan.get(&g) {
                Some(p) => file_plan = p.clone(),
                None => {
                    out.push(error(format_args!("No reset plan for group {g} found")));
                    results.push((g, Vec::new()));
                    continue;
                }
            }
            partitions = file_plan.keys().cloned().collect();
        }
        let offset_of = |cluster: &Cluster, tp: &TopicPartition, spec: OffsetSpec| cluster.list_offsets(&tp.topic, tp.partition, spec).ok().map(|(o, _)| o);
        let mut warns = Vec::new();
        let mut clamp = |cluster: &Cluster, tp: &TopicPartition, o: i64| -> i64 {
            let end = offset_of(cluster, tp, OffsetSpec::Latest);
            let start = offset_of(cluster, tp, OffsetSpec::Earliest);
            match (start, end) {
                (_, Some(e)) if o > e => {
                    warns.push(format!("New offset ({o}) is higher than latest offset for topic partition {}-{}. Value will be set to {e}", tp.topic, tp.partition));
                    e
                }
                (Some(s), _) if o < s => {
                    warns.push(format!("New offset ({o}) is lower than earliest offset for topic partition {}-{}. Value will be set to {s}", tp.topic, tp.partition));
                    s
                }
                _ => o,
            }
        };
        let mut planned: Vec<(TopicPartition, i64)> = Vec::new();
        for tp in &partitions {
            let value = match scenario {
                ResetScenario::ToOffset(o) => clamp(cluster, tp, *o),
                ResetScenario::ShiftBy(n) => match committed.get(tp) {
                    Some(c) => clamp(cluster, tp, c.offset + n),
                    None => {
                        out.push(Chunk::err(format!("Cannot shift offset for partition {}-{} since there is no current committed offset\n", tp.topic, tp.partition)));
                        return 1;
                    }
                },
                ResetScenario::ToEarliest => match offset_of(cluster, tp, OffsetSpec::Earliest) {
                    Some(o) => o,
                    None => {
                        out.push(Chunk::err(format!("Error getting starting offset of topic partition: {}-{}\n", tp.topic, tp.partition)));
                        return 1;
                    }
                },
                ResetScenario::ToLatest => match offset_of(cluster, tp, OffsetSpec::Latest) {
                    Some(o) => o,
                    None => {
                        out.push(Chunk::err(format!("Error getting ending offset of topic partition: {}-{}\n", tp.topic, tp.partition)));
                        return 1;
                    }
                },
                ResetScenario::ToCurrent => match committed.get(tp) {
                    Some(c) => c.offset,
                    None => offset_of(cluster, tp, OffsetSpec::Latest).unwrap_or(0),
                },
                ResetScenario::ToDatetime(text) | ResetScenario::ByDuration(text) => {
                    let ts = if matches!(scenario, ResetScenario::ToDatetime(_)) {
                        parse_datetime(text)
                    } else {
                        parse_duration(text).map(|d| cluster.wall_clock_ms() - d)
                    };
                    let Some(ts) = ts else {
                        out.push(error(format_args!("Executing consumer group command failed due to Text '{text}' could not be parsed at index 0")));
                        return 1;
                    };
                    match cluster.list_offsets(&tp.topic, tp.partition, OffsetSpec::Timestamp(ts)) {
                        Ok((o, _)) if o >= 0 => o,
                        Ok(_) => {
                            out.push(Chunk::out(format!("\nWarn: Partition {} from topic {} is empty. Falling back to latest known offset.\n", tp.partition, tp.topic)));
                            offset_of(cluster, tp, OffsetSpec::Latest).unwrap_or(0)
                        }
                        Err(_) => {
                            out.push(Chunk::err(format!("Error getting offset by timestamp of topic partition: {}-{}\n", tp.topic, tp.partition)));
                            return 1;
                        }
                    }
                }
                ResetScenario::FromFile(_) => clamp(cluster, tp, file_plan.get(tp).copied().unwrap_or(0)),
            };
            planned.push((tp.clone(), value));
        }
        for w in warns {
            out.push(Chunk::err(format!("{} WARN {w} (org.apache.kafka.tools.consumer.group.ConsumerGroupCommand)\n", super::log_time(cluster.now_ms()))));
        }
        if execute {
            let map: BTreeMap<TopicPartition, i64> = BTreeMap::from_iter(planned.iter().cloned());
            if let Err(e) = cluster.alter_group_offsets(&g, &map) {
                out.push(error(format_args!("Executing consumer group command failed due to {}", e.message)));
                return 1;
            }
        }
        let order = java_map_order(&planned.iter().map(|(tp, _)| tp.clone()).collect::<Vec<_>>());
        let planned_sorted: Vec<(TopicPartition, i64)> = order.into_iter().map(|tp| { let o = planned.iter().find(|(t, _)| *t == tp).map_or(0, |(_, o)| *o); (tp, o) }).collect();
        results.push((g, planned_sorted));
    }
    if export {
        let mut text = String::new();
        for (g, rows) in &results {
            for (tp, o) in rows {
                if results.len() > 1 {
                    crate::shell::push_fmt(&mut text, format_args!("{g},{},{},{o}\n", tp.topic, tp.partition));
                } else {
                    crate::shell::push_fmt(&mut text, format_args!("{},{},{o}\n", tp.topic, tp.partition));
                }
            }
        }
        out.push(Chunk::out(format!("{text}\n")));
        return 0;
    }
    if !results.is_empty() {
        // 3.9 prints the header and the rows with the same format and no line separators.
        let mut text = String::new();
        push_row(&mut text, "\n", &[("GROUP", 30), ("TOPIC", 30), ("PARTITION", 10), ("NEW-OFFSET", 15)], " ", "");
        for (g, rows) in &results {
            for (tp, o) in rows {
                push_row(&mut text, "", &[(g, 30), (&tp.topic, 30), (&tp.partition.to_string(), 10), (&o.to_string(), 15)], " ", "");
            }
        }
        out.push(Chunk::out(text));
    }
    0
}
