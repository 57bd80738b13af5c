//! `kafka-configs` (3.9: `core/src/main/scala/kafka/admin/ConfigCommand.scala`): options, the
//! checks of `ConfigCommandOptions.checkArgs`, and describe / alter of topic and broker configs
//! against the engine.
//!
//! What goes where, as in ConfigCommand's `main`: an `IllegalArgumentException` or
//! `InvalidConfigurationException` raised by the tool itself prints its message alone on stderr;
//! anything the admin client raises (an `ExecutionException` around the broker's error) prints
//! `Error while executing config command with args '...'` and the stack trace, of which we print
//! the exception line (not the `at ...` frames). Exit status 1 either way.

use super::{parse_jopt, specs, Bootstrap, Env};
use crate::engine::{AlterOp, ConfigEntry, ConfigResource, ConfigSource, ErrorCode, KafkaError};
use crate::shell::{Chunk, Outcome, Session};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigsCommand {
    pub bootstrap: Bootstrap,
    /// The arguments as given (ConfigCommand quotes them in its generic error line).
    pub args: Vec<String>,
    pub alter: bool,
    /// `--all`: every config, not only the dynamic ones.
    pub all: bool,
    /// Entity types in ConfigCommand's order (`--entity-type` values, then the entity flags).
    pub entity_types: Vec<String>,
    /// Entity names; "" stands for a default entity (`--entity-default`, `--broker-defaults`).
    pub entity_names: Vec<String>,
    /// `--add-config` as given (parsed at execution, as the tool does).
    pub add_config: Option<String>,
    /// `--delete-config` names (comma-separated values split, trimmed).
    pub delete_config: Vec<String>,
}

/// Entity flags and the type each implies, in ConfigCommand's declaration order.
const ENTITY_FLAGS: [(&str, &str); 6] =
    [("topic", "topics"), ("client", "clients"), ("user", "users"), ("broker", "brokers"), ("broker-logger", "broker-loggers"), ("ip", "ips")];
const ENTITY_DEFAULT_FLAGS: [(&str, &str); 4] =
    [("client-defaults", "clients"), ("user-defaults", "users"), ("broker-defaults", "brokers"), ("ip-defaults", "ips")];

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<ConfigsCommand, Outcome> {
    let p = parse_jopt(invoked, specs::CONFIGS, args, "This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip or client-metrics")?;
    let mut entity_types: Vec<String> = p.values("entity-type");
    entity_types.extend(ENTITY_FLAGS.iter().chain(ENTITY_DEFAULT_FLAGS.iter()).filter(|(f, _)| p.has(f)).map(|(_, t)| t.to_string()));
    let mut entity_names: Vec<String> = p.values("entity-name");
    if p.has("entity-default") {
        entity_names.push(String::new());
    }
    for (flag, _) in ENTITY_FLAGS {
        entity_names.extend(p.values(flag));
    }
    for (flag, _) in ENTITY_DEFAULT_FLAGS {
        if p.has(flag) {
            entity_names.push(String::new());
        }
    }
    check(invoked, &p, &entity_types, &entity_names)?;
    let add_config = p.value("add-config").map_err(|e| fail(format_args!("{}", e.0)))?;
    let delete_config = p.values("delete-config").iter().flat_map(|v| v.split(',')).map(|s| s.trim().to_string()).collect();
    let bootstrap = p.values("bootstrap-server").into_iter().chain(p.values("bootstrap-controller")).next().unwrap_or_default();
    Ok(ConfigsCommand {
        bootstrap: Bootstrap::new(&bootstrap, env),
        args: args.to_vec(),
        alter: p.has("alter"),
        all: p.has("all"),
        entity_types,
        entity_names,
        add_config,
        delete_config,
    })
}

/// An `IllegalArgumentException` caught by `main`: its message on stderr, exit 1.
fn fail(message: std::fmt::Arguments<'_>) -> Outcome {
    Outcome::stderr(format!("{message}\n"), 1)
}

/// `ConfigCommandOptions.checkArgs`, in its order.
fn check(invoked: &str, p: &crate::shell::jopt::Parsed, types: &[String], names: &[String]) -> Result<(), Outcome> {
    let actions = p.count(&["describe", "alter"]);
    if actions != 1 {
        return Err(super::usage_error(invoked, "Command must include exactly one action: --describe, --alter"));
    }
    super::check_rules(invoked, p, &[("alter", &["describe"]), ("describe", &["alter", "add-config", "delete-config"])])?;
    let mut duplicates: Vec<&str> = Vec::new();
    for (i, t) in types.iter().enumerate() {
        if types[..i].contains(t) {
            duplicates.push(t);
        }
    }
    if !duplicates.is_empty() {
        return Err(fail(format_args!("Duplicate entity type(s) specified: {}", duplicates.join(","))));
    }
    // The allowed types depend on the connection option (checked for presence only later).
    let (allowed, connect): (&[&str], &str) = if p.has("bootstrap-server") || p.has("bootstrap-controller") {
        (&["topics", "clients", "users", "brokers", "ips", "broker-loggers", "client-metrics"], "--bootstrap-server or --bootstrap-controller")
    } else {
        (&["users", "brokers"], "--zookeeper")
    };
    for t in types {
        if !allowed.contains(&t.as_str()) {
            return Err(fail(format_args!("Invalid entity type {t}, the entity type must be one of {} with a {connect} argument", allowed.join(", "))));
        }
    }
    if types.is_empty() {
        return Err(fail(format_args!("At least one entity type must be specified")));
    }
    if types.len() > 1 && !(types.len() == 2 && types.contains(&"users".to_string()) && types.contains(&"clients".to_string())) {
        return Err(fail(format_args!("Only 'users' and 'clients' entity types may be specified together")));
    }
    let specific = ENTITY_FLAGS.iter().chain(ENTITY_DEFAULT_FLAGS.iter()).any(|(f, _)| p.has(f));
    if (p.has("entity-name") || p.has("entity-type") || p.has("entity-default")) && specific {
        return Err(fail(format_args!("{}", "--entity-{type,name,default} should not be used in conjunction with specific entity flags")));
    }
    let has_name = names.iter().any(|n| !n.is_empty());
    let has_default = names.iter().any(String::is_empty);
    let connects = p.count(&["bootstrap-server", "bootstrap-controller", "zookeeper"]);
    if connects == 0 {
        return Err(fail(format_args!("One of the required --bootstrap-server, --boostrap-controller, or --zookeeper arguments must be specified")));
    }
    if connects > 1 {
        return Err(fail(format_args!("Only one of --bootstrap-server, --boostrap-controller, and --zookeeper can be specified")));
    }
    if p.has("all") && p.has("zookeeper") {
        return Err(fail(format_args!("--bootstrap-server must be specified for --all")));
    }
    if has_name && (types.iter().any(|t| t == "brokers" || t == "broker-loggers")) {
        for id in p.values("entity-name").iter().chain(p.values("broker").iter()).chain(p.values("broker-logger").iter()) {
            if id.parse::<i32>().is_err() {
                return Err(fail(format_args!("The entity name for {} must be a valid integer broker id, but it is: {id}", types[0])));
            }
        }
    }
    if p.has("describe") && types.iter().any(|t| t == "broker-loggers") && !has_name {
        return Err(fail(format_args!("an entity name must be specified with --describe of {}", types.join(","))));
    }
    if p.has("alter") {
        if types.iter().any(|t| ["users", "clients", "brokers", "ips"].contains(&t.as_str())) {
            if !has_name && !has_default {
                return Err(fail(format_args!("an entity-name or default entity must be specified with --alter of users, clients, brokers or ips")));
            }
        } else if !has_name {
            return Err(fail(format_args!("an entity name must be specified with --alter of {}", types.join(","))));
        }
        if p.has("add-config") && p.has("add-config-file") {
            return Err(fail(format_args!("Only one of --add-config or --add-config-file must be specified")));
        }
        if !p.has("add-config") && !p.has("add-config-file") && !p.has("delete-config") {
            return Err(fail(format_args!("At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter")));
        }
    }
    Ok(())
}

/// `parseConfigsToBeAdded` for `--add-config`: split at commas outside `[...]`, then each pair at
/// `=` (spaces around it dropped); brackets are removed from values; keys are checked.
pub fn parse_add_config(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for item in split_outside_brackets(text, ',') {
        let parts = split_outside_brackets(&item, '=');
        if parts.len() != 2 {
            return Err("requirement failed: Invalid entity config: all configs to be added must be in the format \"key=val\".".into());
        }
        let key = parts[0].trim_end().trim().to_string();
        let value: String = parts[1].trim_start().chars().filter(|c| *c != '[' && *c != ']').collect();
        let value = value.trim().to_string();
        // `Properties.setProperty`: a later pair with the same key replaces the earlier one.
        pairs.retain(|(k, _): &(String, String)| *k != key);
        pairs.push((key, value));
    }
    for (key, _) in &pairs {
        if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-') {
            return Err(format!("Invalid character found for config key: {key}"));
        }
    }
    Ok(pairs)
}

/// Java's `String.split(sep + "(?=[^\\]]*(?:\\[|$))", -1)`: a separator counts only when the next
/// `]` (if any) comes after a `[`, i.e. outside brackets. Trailing empty strings are kept.
fn split_outside_brackets(text: &str, sep: char) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut parts = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == sep {
            // Lookahead: [^\]]* then `[` or end of input.
            let rest = &chars[i + 1..];
            let outside = match rest.iter().position(|&r| r == ']' || r == '[') {
                None => true,
                Some(j) => rest[j] == '[',
            };
            if outside {
                parts.push(std::mem::take(&mut current));
                continue;
            }
        }
        current.push(c);
    }
    parts.push(current);
    parts
}

/// The generic failure: `Error while executing config command with args '...'` and the
/// exception's first stack-trace line.
fn admin_failure(command: &ConfigsCommand, exception: &str) -> Outcome {
    Outcome::stderr(format!("Error while executing config command with args '{}'\n{exception}\n", command.args.join(" ")), 1)
}

/// A failed `getResourceConfig`. The admin client sends a broker resource's request to that very
/// broker (ConstantNodeIdProvider): for an id no broker has, nothing is ever sent and the tool's
/// `get(30, SECONDS)` times out.
fn resource_failure(session: &mut Session<'_>, command: &ConfigsCommand, entity_type: &str, name: &str, error: &KafkaError) -> Outcome {
    let unknown_broker = entity_type == "brokers" && name.parse::<i32>().is_ok_and(|id| !session.cluster().broker_ids().contains(&id));
    if unknown_broker {
        session.advance_ms(30_000);
        return admin_failure(command, "java.util.concurrent.TimeoutException");
    }
    execution_exception(command, error)
}

fn execution_exception(command: &ConfigsCommand, error: &KafkaError) -> Outcome {
    admin_failure(command, &format!("java.util.concurrent.ExecutionException: {}: {}", super::exception_class(error.code), error_message(error)))
}

/// The message the client-side exception carries: the broker's, or the error's default text.
fn error_message(error: &KafkaError) -> String {
    if error.code == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION {
        // DescribeConfigs answers UNKNOWN_TOPIC_OR_PARTITION without a message (ConfigHelper).
        return ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.default_message().to_string();
    }
    if error.message.is_empty() {
        error.code.default_message().to_string()
    } else {
        error.message.clone()
    }
}

pub fn execute(session: &mut Session<'_>, command: &ConfigsCommand) -> Outcome {
    let entity_type = command.entity_types[0].as_str();
    if !["topics", "brokers"].contains(&entity_type) {
        return fail(format_args!("kafka-configs: entity type '{entity_type}' is not simulated in the sandbox (topics and brokers are)"));
    }
    if !command.bootstrap.reachable() {
        // The first call has a 30 s `get` on a 60 s admin call: the future's own timeout fires.
        let listing = command.entity_names.is_empty() && !command.alter;
        if listing {
            let call = if entity_type == "topics" { "listTopics" } else { "describeCluster" };
            return super::admin_unreachable(session, &command.bootstrap, call, |m| {
                admin_failure(command, &format!("java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: {m}"))
            });
        }
        session.advance_ms(30_000);
        return admin_failure(command, "java.util.concurrent.TimeoutException");
    }
    if command.alter {
        if command.entity_types.len() != command.entity_names.len() {
            return fail(format_args!("An entity name must be specified for every entity type"));
        }
        alter(session, command, entity_type)
    } else {
        describe(session, command, entity_type)
    }
}

fn resource(entity_type: &str, name: &str) -> ConfigResource {
    if entity_type == "topics" {
        ConfigResource::Topic(name.to_string())
    } else if name.is_empty() {
        ConfigResource::Broker(None)
    } else {
        ConfigResource::Broker(name.parse().ok())
    }
}

/// `getResourceConfig`: the entries of one resource, only the dynamic ones unless `all`,
/// sorted by name.
fn resource_config(session: &Session<'_>, entity_type: &str, name: &str, all: bool) -> Result<Vec<ConfigEntry>, KafkaError> {
    let dynamic_source = if entity_type == "topics" {
        ConfigSource::DynamicTopicConfig
    } else if name.is_empty() {
        ConfigSource::DynamicDefaultBrokerConfig
    } else {
        ConfigSource::DynamicBrokerConfig
    };
    let mut entries = session.cluster().describe_configs(&resource(entity_type, name))?;
    if entity_type == "brokers" && name.is_empty() {
        // The default resource lists only the dynamic cluster-wide defaults.
        entries.retain(|e| e.source == ConfigSource::DynamicDefaultBrokerConfig);
    }
    if !all {
        entries.retain(|e| e.source == dynamic_source);
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// `DynamicBrokerConfig.brokerConfigSynonyms`: the broker configs that set the same thing, highest
/// priority first.
fn broker_synonym_names(name: &str) -> Vec<&str> {
    match name {
        "log.roll.ms" | "log.roll.hours" => vec!["log.roll.ms", "log.roll.hours"],
        "log.roll.jitter.ms" | "log.roll.jitter.hours" => vec!["log.roll.jitter.ms", "log.roll.jitter.hours"],
        "log.flush.interval.ms" => vec!["log.flush.interval.ms", "log.flush.scheduler.interval.ms"],
        "log.retention.ms" | "log.retention.minutes" | "log.retention.hours" => {
            vec!["log.retention.ms", "log.retention.minutes", "log.retention.hours"]
        }
        other => vec![other],
    }
}

/// The built-in default of a broker config as DescribeConfigs' DEFAULT_CONFIG layer shows it
/// (`KafkaConfig.defaultValues`; null defaults are absent). `fallback` is the topic config's
/// default, equal to the broker's for the log configs the engine does not list.
fn broker_default(name: &str, fallback: Option<&str>) -> Option<String> {
    match name {
        // Null defaults in ServerLogConfigs: the `.hours` / scheduler synonyms carry the default.
        "log.retention.ms" | "log.retention.minutes" | "log.roll.ms" | "log.roll.jitter.ms" | "log.flush.interval.ms" => None,
        "log.retention.hours" | "log.roll.hours" => Some("168".into()),
        "log.roll.jitter.hours" => Some("0".into()),
        "log.flush.scheduler.interval.ms" => Some(crate::engine::config::LONG_MAX.into()),
        _ => crate::engine::config::broker_config_def(name).map(|(d, _)| d.default.to_string()).or(fallback.map(str::to_string)),
    }
}

/// `ConfigHelper.configSynonyms`: per layer (the broker's own dynamic config, the dynamic
/// cluster default, the static config, the built-in default), every synonym set there; then
/// everything before the first entry named `base` is dropped.
fn broker_layers(session: &Session<'_>, broker: Option<i32>, base: &str, fallback: Option<&str>) -> Vec<(ConfigSource, String, String)> {
    let names = broker_synonym_names(base);
    let mut list = Vec::new();
    for layer in [ConfigSource::DynamicBrokerConfig, ConfigSource::DynamicDefaultBrokerConfig, ConfigSource::StaticBrokerConfig, ConfigSource::DefaultConfig] {
        for name in &names {
            let value = if layer == ConfigSource::DefaultConfig {
                broker_default(name, fallback)
            } else {
                session.cluster().broker_config_synonyms(broker, name).into_iter().find(|(s, _)| *s == layer).map(|(_, v)| v)
            };
            if let Some(value) = value {
                list.push((layer, name.to_string(), value));
            }
        }
    }
    match list.iter().position(|(_, n, _)| n == base) {
        Some(first) => list.split_off(first),
        None => Vec::new(),
    }
}

/// DescribeConfigs' synonyms for one entry, rendered `SOURCE:name=value, ...`.
fn synonyms(session: &Session<'_>, entity_type: &str, entity: &str, entry: &ConfigEntry) -> String {
    let mut list: Vec<(ConfigSource, String, String)> = Vec::new();
    if entity_type == "topics" {
        // `createTopicConfigEntry`: the topic's own value, then its broker synonym's layers.
        if entry.source == ConfigSource::DynamicTopicConfig {
            list.push((ConfigSource::DynamicTopicConfig, entry.name.clone(), entry.value.clone()));
        }
        let Some(def) = crate::engine::config::topic_config_def(&entry.name) else { return String::new() };
        let base = match entry.name.as_str() {
            "compression.gzip.level" | "compression.lz4.level" | "compression.zstd.level" => Some(entry.name.as_str()),
            _ => def.broker_synonym,
        };
        if let Some(base) = base {
            list.extend(broker_layers(session, None, base, Some(def.default)));
        }
    } else {
        // `createBrokerConfigEntry`: the default resource shows only the dynamic default layer.
        let broker = entity.parse::<i32>().ok();
        list = broker_layers(session, broker, &entry.name, None);
        if broker.is_none() {
            list.retain(|(s, _, _)| *s == ConfigSource::DynamicDefaultBrokerConfig);
        }
    }
    list.iter().map(|(source, name, value)| format!("{}:{name}={value}", source.name())).collect::<Vec<_>>().join(", ")
}

fn describe(session: &mut Session<'_>, command: &ConfigsCommand, entity_type: &str) -> Outcome {
    let entities: Vec<String> = match command.entity_names.first() {
        Some(name) => vec![name.clone()],
        None if entity_type == "topics" => {
            // `listTopics(listInternal = true).names()`: a Java HashSet of the names.
            let mut names = session.cluster().topic_names();
            let capacity = super::topics::java_hashmap_capacity_default(names.len());
            super::topics::java_hashmap_order(&mut names, capacity);
            names
        }
        None => {
            let mut ids: Vec<String> = session.cluster().broker_ids().iter().map(|b| b.to_string()).collect();
            ids.push(String::new());
            ids
        }
    };
    let mut out = String::new();
    for entity in &entities {
        let entries = match resource_config(session, entity_type, entity, command.all) {
            Ok(entries) => entries,
            Err(e) => {
                let mut failed = resource_failure(session, command, entity_type, entity, &e);
                if !out.is_empty() {
                    failed.chunks.insert(0, Chunk::out(out));
                }
                return failed;
            }
        };
        if entity.is_empty() {
            crate::shell::push_fmt(&mut out, format_args!("Default configs for {entity_type} in the cluster are:\n"));
        } else {
            let kind = if command.all { "All" } else { "Dynamic" };
            crate::shell::push_fmt(&mut out, format_args!("{kind} configs for {} {entity} are:\n", &entity_type[..entity_type.len() - 1]));
        }
        for entry in &entries {
            crate::shell::push_fmt(&mut out, format_args!(
                "  {}={} sensitive={} synonyms={{{}}}\n",
                entry.name,
                entry.value,
                entry.sensitive,
                synonyms(session, entity_type, entity, entry)
            ));
        }
    }
    Outcome::stdout(out)
}

fn alter(session: &mut Session<'_>, command: &ConfigsCommand, entity_type: &str) -> Outcome {
    let name = command.entity_names[0].clone();
    let mut chunks = Vec::new();
    let added = match command.add_config.as_deref().map(parse_add_config).transpose() {
        Ok(added) => added.unwrap_or_default(),
        Err(message) => return fail(format_args!("{}", message)),
    };
    if let Some((_, v)) = added.iter().find(|(k, _)| k == "message.format.version") {
        chunks.push(Chunk::out(format!(
            "WARNING: The configuration message.format.version={v} is specified. This configuration will be ignored if the version is newer than the inter.broker.protocol.version specified in the broker or if the inter.broker.protocol.version is 3.0 or newer. This configuration is deprecated and it will be removed in Apache Kafka 4.0.\n"
        )));
    }
    let old = match resource_config(session, entity_type, &name, false) {
        Ok(old) => old,
        Err(e) => {
            let mut failed = resource_failure(session, command, entity_type, &name, &e);
            chunks.append(&mut failed.chunks);
            failed.chunks = chunks;
            return failed;
        }
    };
    let invalid: Vec<&str> = command.delete_config.iter().filter(|k| !old.iter().any(|e| &e.name == *k)).map(String::as_str).collect();
    if !invalid.is_empty() {
        chunks.push(Chunk::err(format!("Invalid config(s): {}\n", invalid.join(","))));
        return Outcome::fail(chunks, 1);
    }
    let mut ops: Vec<AlterOp> = added.into_iter().map(|(k, v)| AlterOp::Set(k, v)).collect();
    ops.extend(command.delete_config.iter().map(|k| AlterOp::Delete(k.clone())));
    if let Err(e) = session.cluster_mut().alter_configs(&resource(entity_type, &name), &ops) {
        let mut failed = execution_exception(command, &e);
        chunks.append(&mut failed.chunks);
        failed.chunks = chunks;
        return failed;
    }
    if name.is_empty() {
        chunks.push(Chunk::out(format!("Completed updating default config for {entity_type} in the cluster.\n")));
    } else {
        chunks.push(Chunk::out(format!("Completed updating config for {} {name}.\n", &entity_type[..entity_type.len() - 1])));
    }
    Outcome::ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn add_config_splits_outside_brackets_and_strips_them() {
        assert_eq!(
            parse_add_config("a=1, b = [x,y] ,c=").unwrap(),
            vec![("a".into(), "1".into()), ("b".into(), "x,y".into()), ("c".into(), "".into())]
        );
        assert_eq!(
            parse_add_config("a").unwrap_err(),
            "requirement failed: Invalid entity config: all configs to be added must be in the format \"key=val\"."
        );
        assert_eq!(parse_add_config("a=b=c").unwrap_err(), parse_add_config("a").unwrap_err());
        assert_eq!(parse_add_config("a b=1").unwrap_err(), "Invalid character found for config key: a b");
    }
}
