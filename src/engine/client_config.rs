//! Client configs as Kafka's `ConfigDef` validates them (`ProducerConfig.java`,
//! `ConsumerConfig.java` in 3.9): the numeric configs the sandbox models, their Java type and
//! their `Range.atLeast` bound, with `ConfigException`'s messages.
//!
//! Every timeout, interval and backoff a learner can set goes through here, so a value Kafka
//! refuses is refused the same way, and a value Kafka accepts (0 ms included) is accepted; the
//! engine's scheduler keeps a 0 ms delay from spinning (see `Cluster::schedule`).

use super::error::{ErrorCode, KafkaError};

/// A `ConfigDef` number type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumType {
    Int,
    Long,
}

/// One numeric client config: name, type, lower bound (None: no validator).
pub type NumDef = (&'static str, NumType, Option<i64>);

use NumType::{Int, Long};

/// `ProducerConfig.CONFIG` (3.9) for the numeric configs the engine models or checks.
pub const PRODUCER_NUMBERS: &[NumDef] = &[
    ("batch.size", Int, Some(0)),
    ("buffer.memory", Long, Some(0)),
    ("delivery.timeout.ms", Int, Some(0)),
    ("linger.ms", Long, Some(0)),
    ("max.block.ms", Long, Some(0)),
    ("max.in.flight.requests.per.connection", Int, Some(1)),
    ("max.request.size", Int, Some(0)),
    ("metadata.max.age.ms", Long, Some(0)),
    ("metadata.max.idle.ms", Long, Some(5000)),
    ("partitioner.availability.timeout.ms", Long, Some(0)),
    ("reconnect.backoff.max.ms", Long, Some(0)),
    ("reconnect.backoff.ms", Long, Some(0)),
    ("request.timeout.ms", Int, Some(0)),
    ("retries", Int, Some(0)),
    ("retry.backoff.max.ms", Long, Some(0)),
    ("retry.backoff.ms", Long, Some(0)),
    ("transaction.timeout.ms", Int, None),
];

/// `ConsumerConfig.CONFIG` (3.9) for the numeric configs the engine models or checks.
/// `session.timeout.ms` and `heartbeat.interval.ms` have no validator: the coordinator's
/// `group.min/max.session.timeout.ms` and the client's "Heartbeat must be set lower than the
/// session timeout" judge them.
pub const CONSUMER_NUMBERS: &[NumDef] = &[
    ("auto.commit.interval.ms", Int, Some(0)),
    ("default.api.timeout.ms", Int, Some(0)),
    ("fetch.max.bytes", Int, Some(0)),
    ("fetch.max.wait.ms", Int, Some(0)),
    ("fetch.min.bytes", Int, Some(0)),
    ("heartbeat.interval.ms", Int, None),
    ("max.partition.fetch.bytes", Int, Some(0)),
    ("max.poll.interval.ms", Int, Some(1)),
    ("max.poll.records", Int, Some(1)),
    ("metadata.max.age.ms", Long, Some(0)),
    ("reconnect.backoff.max.ms", Long, Some(0)),
    ("reconnect.backoff.ms", Long, Some(0)),
    ("request.timeout.ms", Int, Some(0)),
    ("retry.backoff.max.ms", Long, Some(0)),
    ("retry.backoff.ms", Long, Some(0)),
    ("session.timeout.ms", Int, None),
];

/// `new ConfigException(name, value, message)`: "Invalid value <v> for configuration <name>: <m>".
pub fn config_exception(name: &str, value: &str, message: &str) -> KafkaError {
    KafkaError::new(ErrorCode::INVALID_CONFIG, format!("Invalid value {value} for configuration {name}: {message}"))
}

/// Parses and validates `value` for the numeric config `name` of `table`, as `ConfigDef.parse`
/// does: `Integer.parseLong`/`parseInt` of the trimmed text ("Not a number of type INT"), then
/// the range check on the parsed number ("Value must be at least N", naming the number, not the
/// text). `Ok(None)`: not a numeric config of the table.
pub fn parse_number(table: &[NumDef], name: &str, value: &str) -> Result<Option<i64>, KafkaError> {
    let Some(&(_, kind, min)) = table.iter().find(|d| d.0 == name) else { return Ok(None) };
    let parsed = java_parse_long(value.trim()).filter(|n| kind == Long || i32::try_from(*n).is_ok());
    let Some(n) = parsed else {
        let type_name = if kind == Int { "INT" } else { "LONG" };
        return Err(config_exception(name, value, &format!("Not a number of type {type_name}")));
    };
    check_at_least(name, n, min)?;
    Ok(Some(n))
}

/// `Range.atLeast(min).ensureValid`.
pub fn check_at_least(name: &str, n: i64, min: Option<i64>) -> Result<(), KafkaError> {
    match min {
        Some(m) if n < m => Err(config_exception(name, &n.to_string(), &format!("Value must be at least {m}"))),
        _ => Ok(()),
    }
}

/// `Long.parseLong`: an optional sign, then ASCII digits only (no spaces, no `0x`).
fn java_parse_long(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;
    use super::*;

    #[test]
    fn request_timeout_negative_is_refused_with_kafkas_message() {
        let e = parse_number(PRODUCER_NUMBERS, "request.timeout.ms", "-1").unwrap_err();
        assert_eq!(e.message, "Invalid value -1 for configuration request.timeout.ms: Value must be at least 0");
        assert_eq!(parse_number(PRODUCER_NUMBERS, "request.timeout.ms", "0").unwrap(), Some(0));
    }

    #[test]
    fn int_config_out_of_int_range_is_not_a_number_of_type_int() {
        let e = parse_number(PRODUCER_NUMBERS, "request.timeout.ms", "3000000000").unwrap_err();
        assert_eq!(e.message, "Invalid value 3000000000 for configuration request.timeout.ms: Not a number of type INT");
        let e = parse_number(CONSUMER_NUMBERS, "retry.backoff.ms", "1.5").unwrap_err();
        assert_eq!(e.message, "Invalid value 1.5 for configuration retry.backoff.ms: Not a number of type LONG");
    }

    #[test]
    fn range_message_names_the_parsed_number() {
        let e = parse_number(CONSUMER_NUMBERS, "max.poll.interval.ms", " -007 ").unwrap_err();
        assert_eq!(e.message, "Invalid value -7 for configuration max.poll.interval.ms: Value must be at least 1");
        assert_eq!(parse_number(CONSUMER_NUMBERS, "client.id", "x").unwrap(), None);
    }
}
