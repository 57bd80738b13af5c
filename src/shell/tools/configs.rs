//! `configs` options (3.9 declarations) and its first client-side checks. The tool's remaining
//! semantics (what to describe, alter or elect) are carried to the engine as parsed options.

use std::collections::BTreeMap;

use super::{parse_jopt, specs, Bootstrap, Env};
use crate::shell::Outcome;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigsCommand {
    pub bootstrap: Bootstrap,
    /// Every option given, with its values in order (flags map to an empty list).
    pub options: BTreeMap<String, Vec<String>>,
}

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<ConfigsCommand, Outcome> {
    let p = parse_jopt(invoked, specs::CONFIGS, args, "This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip or client-metrics")?;
    check(invoked, &p)?;
    let mut options = BTreeMap::new();
    for spec in specs::CONFIGS {
        if p.has(spec.name) {
            options.insert(spec.name.to_string(), p.values(spec.name));
        }
    }
    let bootstrap = p.values("bootstrap-server").into_iter().chain(p.values("broker-list")).next().unwrap_or_default();
    Ok(ConfigsCommand { bootstrap: Bootstrap::new(&bootstrap, env), options })
}

/// The first checks of `ConfigCommandOptions.checkArgs`.
fn check(invoked: &str, p: &crate::shell::jopt::Parsed) -> Result<(), Outcome> {
    let actions = ["describe", "alter"].iter().filter(|a| p.has(a)).count();
    if actions != 1 {
        return Err(super::usage_error(invoked, "Command must include exactly one action: --describe, --alter"));
    }
    let fail = |m: &str| Err(Outcome::fail(vec![crate::shell::Chunk::err(format!("{m}\n"))], 1));
    let mut types: Vec<String> = p.values("entity-type");
    for (flag, ty) in [("topic", "topics"), ("broker", "brokers"), ("broker-defaults", "brokers"), ("broker-logger", "broker-loggers"), ("user", "users"), ("client", "clients"), ("ip", "ips")] {
        if p.has(flag) {
            types.push(ty.to_string());
        }
    }
    let allowed = ["topics", "clients", "users", "brokers", "broker-loggers", "ips", "client-metrics"];
    for t in &types {
        if !allowed.contains(&t.as_str()) {
            return fail(&format!("Invalid entity type {t}, the entity type must be one of {} with a --bootstrap-server or --bootstrap-controller argument", allowed.join(", ")));
        }
    }
    if types.is_empty() {
        return fail("At least one entity type must be specified");
    }
    let connects = ["bootstrap-server", "bootstrap-controller", "zookeeper"].iter().filter(|o| p.has(o)).count();
    if connects == 0 {
        return fail("One of the required --bootstrap-server, --boostrap-controller, or --zookeeper arguments must be specified");
    }
    if connects > 1 {
        return fail("Only one of --bootstrap-server, --boostrap-controller, and --zookeeper can be specified");
    }
    Ok(())
}
