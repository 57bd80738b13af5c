//! `leader_election` options (3.9 declarations) and its first client-side checks. The tool's remaining
//! semantics (what to describe, alter or elect) are carried to the engine as parsed options.

use std::collections::BTreeMap;

use super::{parse_jopt, specs, Bootstrap, Env};
use crate::shell::Outcome;

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
    for spec in specs::LEADER_ELECTION {
        if p.has(spec.name) {
            options.insert(spec.name.to_string(), p.values(spec.name));
        }
    }
    let bootstrap = p.values("bootstrap-server").into_iter().chain(p.values("broker-list")).next().unwrap_or_default();
    Ok(ElectionCommand { bootstrap: Bootstrap::new(&bootstrap, env), options })
}

/// `LeaderElectionCommand.validate`.
fn check(_invoked: &str, p: &crate::shell::jopt::Parsed) -> Result<(), Outcome> {
    let fail = |m: String| Err(Outcome::fail(vec![crate::shell::Chunk::err(format!("{m}\n"))], 1));
    let mut missing = Vec::new();
    if !p.has("bootstrap-server") {
        missing.push("--bootstrap-server");
    }
    if !p.has("election-type") {
        missing.push("--election-type");
    }
    if !missing.is_empty() {
        return fail(format!("Missing required option(s): {}", missing.join(", ")));
    }
    let sources = ["all-topic-partitions", "topic", "path-to-json-file"].iter().filter(|o| p.has(o)).count();
    if sources != 1 {
        return fail("One and only one of the following options is required: --all-topic-partitions, --topic, --path-to-json-file".into());
    }
    if p.has("partition") && !p.has("topic") {
        return fail("Option --partition is only allowed if --topic is used".into());
    }
    if p.has("topic") && !p.has("partition") {
        return fail("Missing required option(s): --partition".into());
    }
    if let Ok(Some(t)) = p.value("election-type") {
        if !["preferred", "unclean"].contains(&t.to_ascii_lowercase().as_str()) {
            return fail(format!("Cannot parse argument '{t}' of option election-type"));
        }
    }
    Ok(())
}
