//! The string and boolean client settings Kafka's `ProducerConfig` and `ConsumerConfig` validate
//! when a client is constructed (`ConfigDef.parse`), with `ConfigException`'s messages: `acks`,
//! `enable.idempotence`, `isolation.level` and the like. The numeric ones (sizes, counts,
//! timeouts) are `engine::client_config`'s. `ConfigDef` checks its keys in definition order and
//! throws at the first bad one, so each table lists its keys in that order.

use std::collections::BTreeMap;

/// How `ConfigDef` parses and checks one value.
#[derive(Clone, Copy)]
enum Check {
    /// `Type.STRING` with `ValidString.in(..)`: the trimmed value must be one of these.
    OneOf(&'static [&'static str]),
    /// `Type.BOOLEAN`: `true` or `false`, any case, surrounding blanks ignored.
    Bool,
}

/// ProducerConfig's keys, in its definition order.
const PRODUCER: &[(&str, Check)] = &[
    ("acks", Check::OneOf(&["all", "-1", "0", "1"])),
    ("compression.type", Check::OneOf(&["none", "gzip", "snappy", "lz4", "zstd"])),
    ("partitioner.adaptive.partitioning.enable", Check::Bool),
    ("partitioner.ignore.keys", Check::Bool),
    ("enable.idempotence", Check::Bool),
];

/// ConsumerConfig's keys, in its definition order.
const CONSUMER: &[(&str, Check)] = &[
    ("enable.auto.commit", Check::Bool),
    ("auto.offset.reset", Check::OneOf(&["latest", "earliest", "none"])),
    ("check.crcs", Check::Bool),
    ("exclude.internal.topics", Check::Bool),
    ("isolation.level", Check::OneOf(&["read_committed", "read_uncommitted"])),
    ("allow.auto.create.topics", Check::Bool),
];

/// The first producer setting `ProducerConfig` refuses, as `ConfigException`'s message.
pub fn check_producer(props: &BTreeMap<String, String>) -> Result<(), String> {
    check(PRODUCER, props)
}

/// The first consumer setting `ConsumerConfig` refuses, as `ConfigException`'s message.
pub fn check_consumer(props: &BTreeMap<String, String>) -> Result<(), String> {
    check(CONSUMER, props)
}

fn check(table: &[(&str, Check)], props: &BTreeMap<String, String>) -> Result<(), String> {
    for (name, rule) in table {
        if let Some(value) = props.get(*name) {
            check_one(name, value, *rule)?;
        }
    }
    Ok(())
}

/// `ConfigException(name, value, message)`: "Invalid value <v> for configuration <name>: <msg>".
/// A type error shows the value as given; a validator error shows the parsed (trimmed) value.
fn check_one(name: &str, value: &str, rule: Check) -> Result<(), String> {
    let invalid = |shown: &str, why: String| Err(format!("Invalid value {shown} for configuration {name}: {why}"));
    let trimmed = value.trim();
    match rule {
        Check::OneOf(valid) if !valid.contains(&trimmed) => invalid(trimmed, format!("String must be one of: {}", valid.join(", "))),
        Check::OneOf(_) => Ok(()),
        Check::Bool if trimmed.eq_ignore_ascii_case("true") || trimmed.eq_ignore_ascii_case("false") => Ok(()),
        Check::Bool => invalid(value, "Expected value to be either true or false".into()),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    use super::*;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn acks_2_is_refused_with_producer_configs_message() {
        assert_eq!(
            check_producer(&props(&[("acks", "2")])),
            Err("Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1".into())
        );
        assert_eq!(check_producer(&props(&[("acks", " all ")])), Ok(()));
    }

    #[test]
    fn idempotence_yes_is_not_a_boolean() {
        assert_eq!(
            check_producer(&props(&[("enable.idempotence", "yes")])),
            Err("Invalid value yes for configuration enable.idempotence: Expected value to be either true or false".into())
        );
        assert_eq!(check_producer(&props(&[("enable.idempotence", "TRUE")])), Ok(()));
    }

    #[test]
    fn the_first_bad_key_in_definition_order_is_reported() {
        let bad = props(&[("enable.idempotence", "yes"), ("acks", "2")]);
        assert!(check_producer(&bad).unwrap_err().contains("configuration acks"));
    }

    #[test]
    fn isolation_level_with_a_dash_is_refused() {
        assert_eq!(
            check_consumer(&props(&[("isolation.level", "read-committed")])),
            Err("Invalid value read-committed for configuration isolation.level: String must be one of: read_committed, read_uncommitted".into())
        );
    }
}
