//! `consumer_perf` options (3.9 declarations) and its first client-side checks. The tool's remaining
//! semantics (what to describe, alter or elect) are carried to the engine as parsed options.

use std::collections::BTreeMap;

use super::{parse_jopt, specs, Bootstrap, Env};
use crate::shell::Outcome;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerPerfCommand {
    pub bootstrap: Bootstrap,
    /// Every option given, with its values in order (flags map to an empty list).
    pub options: BTreeMap<String, Vec<String>>,
}

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<ConsumerPerfCommand, Outcome> {
    let p = parse_jopt(invoked, specs::CONSUMER_PERF, args, "This tool is used to verify the consumer performance.")?;
    check(invoked, &p)?;
    let mut options = BTreeMap::new();
    for spec in specs::CONSUMER_PERF {
        if p.has(spec.name) {
            options.insert(spec.name.to_string(), p.values(spec.name));
        }
    }
    let bootstrap = p.values("bootstrap-server").into_iter().chain(p.values("broker-list")).next().unwrap_or_default();
    Ok(ConsumerPerfCommand { bootstrap: Bootstrap::new(&bootstrap, env), options })
}

/// `ConsumerPerfOptions` checks.
fn check(invoked: &str, p: &crate::shell::jopt::Parsed) -> Result<(), Outcome> {
    for required in ["topic", "messages"] {
        if !p.has(required) {
            return Err(super::missing_required(invoked, required));
        }
    }
    if !p.has("bootstrap-server") && !p.has("broker-list") {
        return Err(super::missing_required(invoked, "bootstrap-server"));
    }
    p.long("messages").map_err(|e| super::value_error(invoked, e))?;
    Ok(())
}
