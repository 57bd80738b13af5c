//! `get_offsets` options (3.9 declarations) and its first client-side checks. The tool's remaining
//! semantics (what to describe, alter or elect) are carried to the engine as parsed options.

use std::collections::BTreeMap;

use super::{parse_jopt, specs, Bootstrap, Env};
use crate::shell::Outcome;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetOffsetsCommand {
    pub bootstrap: Bootstrap,
    /// Every option given, with its values in order (flags map to an empty list).
    pub options: BTreeMap<String, Vec<String>>,
}

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<GetOffsetsCommand, Outcome> {
    let p = parse_jopt(invoked, specs::GET_OFFSETS, args, "An interactive shell for getting topic-partition offsets.")?;
    check(invoked, &p)?;
    let mut options = BTreeMap::new();
    for spec in specs::GET_OFFSETS {
        if p.has(spec.name) {
            options.insert(spec.name.to_string(), p.values(spec.name));
        }
    }
    let bootstrap = p.values("bootstrap-server").into_iter().chain(p.values("broker-list")).next().unwrap_or_default();
    Ok(GetOffsetsCommand { bootstrap: Bootstrap::new(&bootstrap, env), options })
}

/// `GetOffsetShell.GetOffsetShellOptions` checks.
fn check(invoked: &str, p: &crate::shell::jopt::Parsed) -> Result<(), Outcome> {
    if !p.has("bootstrap-server") && !p.has("broker-list") {
        return Err(super::usage_error(invoked, "Missing required option(s) [bootstrap-server]"));
    }
    if p.has("topic-partitions") && (p.has("topic") || p.has("partitions")) {
        return Err(super::usage_error(invoked, "--topic-partitions cannot be used with --topic or --partitions"));
    }
    if let Ok(Some(t)) = p.value("time") {
        if !["-1", "-2", "-3", "-4", "-5", "latest", "earliest", "max-timestamp", "earliest-local", "latest-tiered"].contains(&t.as_str())
            && t.parse::<i64>().is_err()
        {
            return Err(super::usage_error(invoked, &format!("Malformed time argument {t}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp")));
        }
    }
    Ok(())
}
