//! The client settings Kafka's `ProducerConfig` and `ConsumerConfig` validate when a client is
//! constructed (`ConfigDef.parse`), with `ConfigException`'s messages. Only values that are
//! neither timeouts, intervals nor backoffs live here (those are checked with the engine's
//! timers). `ConfigDef` checks its keys in definition order and throws at the first bad one, so
//! each table lists its keys in that order.

use std::collections::BTreeMap;

/// How `ConfigDef` parses and checks one value.
#[derive(Clone, Copy)]
enum Check {
    /// `Type.STRING` with `ValidString.in(..)`: the trimmed value must be one of these.
    OneOf(&'static [&'static str]),
    /// `Type.BOOLEAN`: `true` or `false`, any case, surrounding blanks ignored.
    Bool,
    /// `Type.INT` with `Range.between(min, max)` (`atLeast` when max is `i32::MAX`).
    Int { min: i64, max: i64 },
}

const INT_MAX: i64 = i32::MAX as i64;

/// ProducerConfig's keys, in its definition order.
const PRODUCER: &[(&str, Check)] = &[
    ("retries", Check::Int { min: 0, max: INT_MAX }),
    ("acks", Check::OneOf(&["all", "-1", "0", "1"])),
    ("compression.type", Check::OneOf(&["none", "gzip", "snappy", "lz4", "zstd"])),
    ("batch.size", Check::Int { min: 0, max: INT_MAX }),
    ("partitioner.adaptive.partitioning.enable", Check::Bool),
    ("partitioner.ignore.keys", Check::Bool),
    ("max.in.flight.requests.per.connection", Check::Int { min: 1, max: INT_MAX }),
    ("enable.idempotence", Check::Bool),
];

/// ConsumerConfig's keys, in its definition order.
const CONSUMER: &[(&str, Check)] = &[
    ("enable.auto.commit", Check::Bool),
    ("max.partition.fetch.bytes", Check::Int { min: 0, max: INT_MAX }),
    ("fetch.min.bytes", Check::Int { min: 0, max: INT_MAX }),
    ("fetch.max.bytes", Check::Int { min: 0, max: INT_MAX }),
    ("auto.offset.reset", Check::OneOf(&["latest", "earliest", "none"])),
    ("check.crcs", Check::Bool),
    ("max.poll.records", Check::Int { min: 1, max: INT_MAX }),
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
/// Type errors show the value as given; validator errors show the parsed (trimmed) value.
fn check_one(name: &str, value: &str, rule: Check) -> Result<(), String> {
    let invalid = |shown: &str, why: String| Err(format!("Invalid value {shown} for configuration {name}: {why}"));
    let trimmed = value.trim();
    match rule {
        Check::OneOf(valid) if !valid.contains(&trimmed) => invalid(trimmed, format!("String must be one of: {}", valid.join(", "))),
        Check::OneOf(_) => Ok(()),
        Check::Bool if trimmed.eq_ignore_ascii_case("true") || trimmed.eq_ignore_ascii_case("false") => Ok(()),
        Check::Bool => invalid(value, "Expected value to be either true or false".into()),
        Check::Int { min, max } => match java_parse_int(trimmed) {
            None => invalid(value, "Not a number of type INT".into()),
            Some(n) if n < min => invalid(trimmed, format!("Value must be at least {min}")),
            Some(n) if n > max => invalid(trimmed, format!("Value must be no more than {max}")),
            Some(_) => Ok(()),
        },
    }
}

/// `Integer.parseInt`: an optional sign and decimal digits within 32 bits.
fn java_parse_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i32>().ok().map(i64::from)
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
    fn ints_are_parsed_like_integer_parse_int_and_ranged() {
        let err = |v: &str| check_consumer(&props(&[("max.poll.records", v)])).unwrap_err();
        assert_eq!(err("0"), "Invalid value 0 for configuration max.poll.records: Value must be at least 1");
        assert_eq!(err("ten"), "Invalid value ten for configuration max.poll.records: Not a number of type INT");
        assert_eq!(err("3000000000"), "Invalid value 3000000000 for configuration max.poll.records: Not a number of type INT");
        assert_eq!(check_consumer(&props(&[("max.poll.records", "+5")])), Ok(()));
    }

    #[test]
    fn isolation_level_with_a_dash_is_refused() {
        assert_eq!(
            check_consumer(&props(&[("isolation.level", "read-committed")])),
            Err("Invalid value read-committed for configuration isolation.level: String must be one of: read_committed, read_uncommitted".into())
        );
    }
}
