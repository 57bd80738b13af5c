//! `kafka-consumer-groups` (3.9: `ConsumerGroupCommandOptions.checkArgs` then the action count of
//! `ConsumerGroupCommand.main`).

use super::{check_invalid, missing_required, parse_jopt, specs, usage_error, value_error, Bootstrap, Env};
use crate::shell::Outcome;

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
        if ["members", "offsets", "state"].iter().filter(|o| p.has(o)).count() > 1 {
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
    check_invalid(invoked, &p, "group", &["all-groups"])?;
    check_invalid(invoked, &p, "group", &["list"])?;
    check_invalid(invoked, &p, "topic", &["list", "describe"])?;
    let actions = ["list", "describe", "delete", "reset-offsets", "delete-offsets"].iter().filter(|a| p.has(a)).count();
    if actions != 1 {
        return Err(usage_error(
            invoked,
            "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets",
        ));
    }
    let v = |name: &'static str| p.value(name).map_err(|e| value_error(invoked, e));
    let long = |name: &'static str| p.long(name).map_err(|e| value_error(invoked, e));
    let action = if p.has("list") {
        GroupsAction::List { states: v("state")?, types: v("type")? }
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

/// Runs `kafka-consumer-groups` against the cluster (owned by the consumer-groups work; until
/// then the tool says it is not connected).
pub fn execute(session: &mut crate::shell::Session<'_>, command: &GroupsCommand) -> Outcome {
    let _ = (session, command);
    super::not_connected("kafka-consumer-groups")
}
