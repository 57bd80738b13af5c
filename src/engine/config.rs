//! Topic and broker configuration: Kafka 3.9's names, types, defaults and validators
//! (`LogConfig.java`, `TopicConfig.java`, `ConfigDef.java`), with Kafka's exact error texts.
//!
//! Values are kept as the strings the user gave (that is what `--describe` prints); the typed
//! values the engine needs are parsed once into [`TopicSettings`].

use std::collections::BTreeMap;
use super::error::{ErrorCode, KResult, KafkaError};

/// Where a config value comes from (`ConfigEntry.ConfigSource`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConfigSource {
    DynamicTopicConfig,
    DynamicBrokerConfig,
    DynamicDefaultBrokerConfig,
    StaticBrokerConfig,
    DefaultConfig,
}

impl ConfigSource {
    pub fn name(self) -> &'static str {
        match self {
            ConfigSource::DynamicTopicConfig => "DYNAMIC_TOPIC_CONFIG",
            ConfigSource::DynamicBrokerConfig => "DYNAMIC_BROKER_CONFIG",
            ConfigSource::DynamicDefaultBrokerConfig => "DYNAMIC_DEFAULT_BROKER_CONFIG",
            ConfigSource::StaticBrokerConfig => "STATIC_BROKER_CONFIG",
            ConfigSource::DefaultConfig => "DEFAULT_CONFIG",
        }
    }
}

/// One described config entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigEntry {
    pub name: String,
    pub value: String,
    pub source: ConfigSource,
    pub read_only: bool,
    pub sensitive: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigType {
    Boolean,
    Int,
    Long,
    Double,
    String,
    List,
}

impl ConfigType {
    fn java_name(self) -> &'static str {
        match self {
            ConfigType::Boolean => "BOOLEAN",
            ConfigType::Int => "INT",
            ConfigType::Long => "LONG",
            ConfigType::Double => "DOUBLE",
            ConfigType::String => "STRING",
            ConfigType::List => "LIST",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Validator {
    None,
    AtLeast(i64),
    /// Range for doubles with both bounds printed as Java prints the bound objects.
    Between(f64, f64, &'static str, &'static str),
    BetweenInt(i64, i64),
    In(&'static [&'static str]),
    ListIn(&'static [&'static str]),
    /// Gzip style: between min and max, or equal to the default.
    LevelOrDefault(i64, i64, i64),
    ThrottledReplicas,
}

/// A config definition.
#[derive(Clone, Copy, Debug)]
pub struct ConfigDef {
    pub name: &'static str,
    pub ty: ConfigType,
    pub default: &'static str,
    pub validator: Validator,
    /// The broker config that supplies the topic default (`LogConfig` synonyms), if any.
    pub broker_synonym: Option<&'static str>,
}

const COMPRESSION_TYPES: &[&str] = &["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"];
const CLEANUP_POLICIES: &[&str] = &["compact", "delete"];
const TIMESTAMP_TYPES: &[&str] = &["CreateTime", "LogAppendTime"];
pub const LONG_MAX: &str = "9223372036854775807";

/// `log.initial.task.delay.ms`: the first retention check after a broker starts.
pub const LOG_INITIAL_TASK_DELAY_MS: i64 = 30_000;

macro_rules! def {
    ($n:expr, $t:ident, $d:expr, $v:expr, $s:expr) => {
        ConfigDef { name: $n, ty: ConfigType::$t, default: $d, validator: $v, broker_synonym: $s }
    };
}

/// Every topic-level config of Kafka 3.9, sorted by name.
pub static TOPIC_CONFIGS: &[ConfigDef] = &[
    def!("cleanup.policy", List, "delete", Validator::ListIn(CLEANUP_POLICIES), Some("log.cleanup.policy")),
    def!("compression.gzip.level", Int, "-1", Validator::LevelOrDefault(1, 9, -1), None),
    def!("compression.lz4.level", Int, "9", Validator::BetweenInt(1, 17), None),
    def!("compression.type", String, "producer", Validator::In(COMPRESSION_TYPES), Some("compression.type")),
    def!("compression.zstd.level", Int, "3", Validator::BetweenInt(-131072, 22), None),
    def!("delete.retention.ms", Long, "86400000", Validator::AtLeast(0), Some("log.cleaner.delete.retention.ms")),
    def!("file.delete.delay.ms", Long, "60000", Validator::AtLeast(0), Some("log.segment.delete.delay.ms")),
    def!("flush.messages", Long, LONG_MAX, Validator::AtLeast(1), Some("log.flush.interval.messages")),
    def!("flush.ms", Long, LONG_MAX, Validator::AtLeast(0), Some("log.flush.interval.ms")),
    def!("follower.replication.throttled.replicas", List, "", Validator::ThrottledReplicas, None),
    def!("index.interval.bytes", Int, "4096", Validator::AtLeast(0), Some("log.index.interval.bytes")),
    def!("leader.replication.throttled.replicas", List, "", Validator::ThrottledReplicas, None),
    def!("local.retention.bytes", Long, "-2", Validator::AtLeast(-2), Some("log.local.retention.bytes")),
    def!("local.retention.ms", Long, "-2", Validator::AtLeast(-2), Some("log.local.retention.ms")),
    def!("max.compaction.lag.ms", Long, LONG_MAX, Validator::AtLeast(1), Some("log.cleaner.max.compaction.lag.ms")),
    def!("max.message.bytes", Int, "1048588", Validator::AtLeast(0), Some("message.max.bytes")),
    def!("message.downconversion.enable", Boolean, "true", Validator::None, Some("log.message.downconversion.enable")),
    def!("message.format.version", String, "3.0-IV1", Validator::None, Some("log.message.format.version")),
    def!("message.timestamp.after.max.ms", Long, LONG_MAX, Validator::AtLeast(0), Some("log.message.timestamp.after.max.ms")),
    def!("message.timestamp.before.max.ms", Long, LONG_MAX, Validator::AtLeast(0), Some("log.message.timestamp.before.max.ms")),
    def!("message.timestamp.difference.max.ms", Long, LONG_MAX, Validator::AtLeast(0), Some("log.message.timestamp.difference.max.ms")),
    def!("message.timestamp.type", String, "CreateTime", Validator::In(TIMESTAMP_TYPES), Some("log.message.timestamp.type")),
    def!("min.cleanable.dirty.ratio", Double, "0.5", Validator::Between(0.0, 1.0, "0", "1"), Some("log.cleaner.min.cleanable.ratio")),
    def!("min.compaction.lag.ms", Long, "0", Validator::AtLeast(0), Some("log.cleaner.min.compaction.lag.ms")),
    def!("min.insync.replicas", Int, "1", Validator::AtLeast(1), Some("min.insync.replicas")),
    def!("preallocate", Boolean, "false", Validator::None, Some("log.preallocate")),
    def!("remote.log.copy.disable", Boolean, "false", Validator::None, None),
    def!("remote.log.delete.on.disable", Boolean, "false", Validator::None, None),
    def!("remote.storage.enable", Boolean, "false", Validator::None, None),
    def!("retention.bytes", Long, "-1", Validator::None, Some("log.retention.bytes")),
    def!("retention.ms", Long, "604800000", Validator::AtLeast(-1), Some("log.retention.ms")),
    def!("segment.bytes", Int, "1073741824", Validator::AtLeast(14), Some("log.segment.bytes")),
    def!("segment.index.bytes", Int, "10485760", Validator::AtLeast(4), Some("log.index.size.max.bytes")),
    def!("segment.jitter.ms", Long, "0", Validator::AtLeast(0), Some("log.roll.jitter.ms")),
    def!("segment.ms", Long, "604800000", Validator::AtLeast(1), Some("log.roll.ms")),
    def!("unclean.leader.election.enable", Boolean, "false", Validator::None, Some("unclean.leader.election.enable")),
];

/// Broker configs the sandbox knows (name, type, default, dynamically updatable, validator).
pub static BROKER_CONFIGS: &[(ConfigDef, bool)] = &[
    (def!("auto.create.topics.enable", Boolean, "true", Validator::None, None), false),
    (def!("auto.leader.rebalance.enable", Boolean, "true", Validator::None, None), false),
    (def!("broker.heartbeat.interval.ms", Int, "2000", Validator::None, None), false),
    (def!("broker.session.timeout.ms", Int, "9000", Validator::None, None), false),
    (def!("compression.type", String, "producer", Validator::In(COMPRESSION_TYPES), None), true),
    (def!("controller.quorum.election.timeout.ms", Int, "1000", Validator::None, None), false),
    (def!("default.replication.factor", Int, "1", Validator::None, None), false),
    (def!("delete.topic.enable", Boolean, "true", Validator::None, None), false),
    (def!("leader.imbalance.check.interval.seconds", Long, "300", Validator::AtLeast(1), None), false),
    (def!("log.cleaner.backoff.ms", Long, "15000", Validator::AtLeast(0), None), true),
    (def!("log.cleaner.delete.retention.ms", Long, "86400000", Validator::AtLeast(0), None), true),
    (def!("log.cleaner.enable", Boolean, "true", Validator::None, None), false),
    (def!("log.cleaner.max.compaction.lag.ms", Long, LONG_MAX, Validator::AtLeast(1), None), true),
    (def!("log.cleaner.min.compaction.lag.ms", Long, "0", Validator::AtLeast(0), None), true),
    (def!("log.cleaner.min.cleanable.ratio", Double, "0.5", Validator::Between(0.0, 1.0, "0", "1"), None), true),
    (def!("log.cleanup.policy", List, "delete", Validator::ListIn(CLEANUP_POLICIES), None), true),
    (def!("log.message.timestamp.type", String, "CreateTime", Validator::In(TIMESTAMP_TYPES), None), true),
    (def!("log.retention.bytes", Long, "-1", Validator::None, None), true),
    (def!("log.retention.check.interval.ms", Long, "300000", Validator::AtLeast(1), None), false),
    (def!("log.retention.ms", Long, "604800000", Validator::AtLeast(-1), None), true),
    (def!("log.roll.ms", Long, "604800000", Validator::AtLeast(1), None), true),
    (def!("log.segment.bytes", Int, "1073741824", Validator::AtLeast(14), None), true),
    (def!("log.segment.delete.delay.ms", Long, "60000", Validator::AtLeast(0), None), true),
    (def!("message.max.bytes", Int, "1048588", Validator::AtLeast(0), None), true),
    (def!("min.insync.replicas", Int, "1", Validator::AtLeast(1), None), true),
    (def!("num.partitions", Int, "1", Validator::AtLeast(1), None), false),
    (def!("offsets.topic.num.partitions", Int, "50", Validator::AtLeast(1), None), false),
    (def!("offsets.topic.replication.factor", Int, "3", Validator::AtLeast(1), None), false),
    (def!("replica.fetch.wait.max.ms", Int, "500", Validator::None, None), false),
    (def!("replica.lag.time.max.ms", Long, "30000", Validator::None, None), false),
    (def!("transaction.state.log.min.isr", Int, "2", Validator::AtLeast(1), None), false),
    (def!("transaction.state.log.num.partitions", Int, "50", Validator::AtLeast(1), None), false),
    (def!("transaction.state.log.replication.factor", Int, "3", Validator::AtLeast(1), None), false),
    (def!("unclean.leader.election.enable", Boolean, "false", Validator::None, None), true),
];

/// The configs Kafka creates `__consumer_offsets` with (`GroupCoordinator.groupMetadataTopicConfigs`,
/// `offsets.topic.segment.bytes` = 104857600): it compacts like any compacted topic.
pub const CONSUMER_OFFSETS_TOPIC_CONFIGS: &[(&str, &str)] = &[("cleanup.policy", "compact"), ("compression.type", "producer"), ("segment.bytes", "104857600")];

pub fn topic_config_def(name: &str) -> Option<&'static ConfigDef> {
    TOPIC_CONFIGS.iter().find(|d| d.name == name)
}

pub fn broker_config_def(name: &str) -> Option<(&'static ConfigDef, bool)> {
    BROKER_CONFIGS.iter().find(|(d, _)| d.name == name).map(|(d, dy)| (d, *dy))
}

fn invalid(name: &str, value: &str, reason: &str) -> KafkaError {
    KafkaError::new(ErrorCode::INVALID_CONFIG, format!("Invalid value {value} for configuration {name}: {reason}"))
}

/// Java's `Integer.parseInt` / `Long.parseLong` grammar: optional sign, ASCII digits only.
/// None when malformed or outside `i64` (callers check the `int` range themselves).
fn parse_java_integer(s: &str) -> Option<i64> {
    let negative = s.starts_with('-');
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    // Accumulated as a negative number, which reaches i64::MIN.
    let mut v: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_sub(i64::from(b - b'0'))?;
    }
    if negative { Some(v) } else { v.checked_neg() }
}

/// Java's `Double.parseDouble` for the forms people type (decimal, exponent, trailing d/f,
/// `Infinity`, `NaN`).
fn parse_java_double(s: &str) -> Option<f64> {
    let body = s.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(s);
    let unsigned = body.trim_start_matches(['+', '-']);
    if unsigned == "Infinity" || unsigned == "NaN" {
        return match (body.starts_with('-'), unsigned) {
            (_, "NaN") => Some(f64::NAN),
            (true, _) => Some(f64::NEG_INFINITY),
            _ => Some(f64::INFINITY),
        };
    }
    if !unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E' || b == b'+' || b == b'-') {
        return None;
    }
    body.parse::<f64>().ok()
}

/// `Double.toString`: see [`super::javafmt::double_to_string`].
pub fn java_double_to_string(v: f64) -> String {
    super::javafmt::double_to_string(v)
}

/// A parsed config value.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(String),
    List(Vec<String>),
}

/// Parses and validates one value exactly as `ConfigDef.parseValue` does.
pub fn parse_and_validate(def: &ConfigDef, raw: &str) -> KResult<Parsed> {
    let name = def.name;
    let trimmed = raw.trim();
    let parsed = match def.ty {
        ConfigType::Boolean => {
            if trimmed.eq_ignore_ascii_case("true") {
                Parsed::Bool(true)
            } else if trimmed.eq_ignore_ascii_case("false") {
                Parsed::Bool(false)
            } else {
                return Err(invalid(name, raw, "Expected value to be either true or false"));
            }
        }
        ConfigType::Int | ConfigType::Long => {
            let (lo, hi) = if def.ty == ConfigType::Int { (i64::from(i32::MIN), i64::from(i32::MAX)) } else { (i64::MIN, i64::MAX) };
            match parse_java_integer(trimmed) {
                Some(v) if v >= lo && v <= hi => Parsed::Int(v),
                _ => return Err(invalid(name, raw, &format!("Not a number of type {}", def.ty.java_name()))),
            }
        }
        ConfigType::Double => match parse_java_double(trimmed) {
            Some(v) => Parsed::Double(v),
            None => return Err(invalid(name, raw, "Not a number of type DOUBLE")),
        },
        ConfigType::String => Parsed::Str(trimmed.to_string()),
        ConfigType::List => {
            if trimmed.is_empty() {
                Parsed::List(Vec::new())
            } else {
                Parsed::List(trimmed.split(',').map(|s| s.trim().to_string()).collect())
            }
        }
    };
    validate(def, &parsed)?;
    Ok(parsed)
}

fn shown(p: &Parsed) -> String {
    match p {
        Parsed::Bool(b) => b.to_string(),
        Parsed::Int(i) => i.to_string(),
        Parsed::Double(d) => java_double_to_string(*d),
        Parsed::Str(s) => s.clone(),
        Parsed::List(l) => format!("[{}]", l.join(", ")),
    }
}

fn validate(def: &ConfigDef, p: &Parsed) -> KResult<()> {
    let name = def.name;
    match (def.validator, p) {
        (Validator::None, _) => Ok(()),
        (Validator::AtLeast(min), Parsed::Int(v)) => {
            if *v < min {
                Err(invalid(name, &shown(p), &format!("Value must be at least {min}")))
            } else {
                Ok(())
            }
        }
        (Validator::BetweenInt(min, max), Parsed::Int(v)) => {
            if *v < min {
                Err(invalid(name, &shown(p), &format!("Value must be at least {min}")))
            } else if *v > max {
                Err(invalid(name, &shown(p), &format!("Value must be no more than {max}")))
            } else {
                Ok(())
            }
        }
        (Validator::Between(min, max, mins, maxs), Parsed::Double(v)) => {
            if *v < min {
                Err(invalid(name, &shown(p), &format!("Value must be at least {mins}")))
            } else if *v > max {
                Err(invalid(name, &shown(p), &format!("Value must be no more than {maxs}")))
            } else {
                Ok(())
            }
        }
        (Validator::LevelOrDefault(min, max, dflt), Parsed::Int(v)) => {
            if *v > max || (*v < min && *v != dflt) {
                Err(invalid(name, &shown(p), &format!("Value must be between {min} and {max} or equal to {dflt}")))
            } else {
                Ok(())
            }
        }
        (Validator::In(allowed), Parsed::Str(s)) => {
            if allowed.contains(&s.as_str()) {
                Ok(())
            } else {
                Err(invalid(name, s, &format!("String must be one of: {}", allowed.join(", "))))
            }
        }
        (Validator::ListIn(allowed), Parsed::List(items)) => {
            for s in items {
                if !allowed.contains(&s.as_str()) {
                    return Err(invalid(name, s, &format!("String must be one of: {}", allowed.join(", "))));
                }
            }
            Ok(())
        }
        (Validator::ThrottledReplicas, Parsed::List(items)) => {
            let ok = (items.len() == 1 && items[0] == "*")
                || items.iter().all(|s| {
                    let mut it = s.split(':');
                    matches!((it.next(), it.next(), it.next()), (Some(a), Some(b), None)
                        if !a.is_empty() && !b.is_empty() && a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit()))
                });
            if ok {
                Ok(())
            } else {
                Err(invalid(name, &shown(p), &format!("{name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...")))
            }
        }
        _ => Ok(()),
    }
}

/// Validates a whole set of topic overrides (names, then values, then cross-field rules), the
/// way the controller's `LogConfig.validate` does. Returns the overrides as a sorted map.
pub fn validate_topic_configs(configs: &[(String, String)]) -> KResult<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for (k, v) in configs {
        if topic_config_def(k).is_none() {
            return Err(KafkaError::new(ErrorCode::INVALID_CONFIG, format!("Unknown topic config name: {k}")));
        }
        map.insert(k.clone(), v.clone());
    }
    for (k, v) in &map {
        let def = topic_config_def(k).expect("checked above");
        parse_and_validate(def, v)?;
    }
    let min_lag = map.get("min.compaction.lag.ms").and_then(|v| parse_java_integer(v.trim())).unwrap_or(0);
    let max_lag = map.get("max.compaction.lag.ms").and_then(|v| parse_java_integer(v.trim())).unwrap_or(i64::MAX);
    if min_lag > max_lag {
        return Err(KafkaError::new(
            ErrorCode::INVALID_CONFIG,
            format!("conflict topic config setting min.compaction.lag.ms ({min_lag}) > max.compaction.lag.ms ({max_lag})"),
        ));
    }
    Ok(map)
}

/// The typed settings the engine uses for one topic, resolved from overrides, dynamic broker
/// defaults and static defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicSettings {
    pub min_insync_replicas: i32,
    pub unclean_leader_election_enable: bool,
    pub segment_bytes: i64,
    pub segment_ms: i64,
    pub segment_jitter_ms: i64,
    pub retention_ms: i64,
    pub retention_bytes: i64,
    pub cleanup_compact: bool,
    pub cleanup_delete: bool,
    pub max_message_bytes: i64,
    pub log_append_time: bool,
    pub delete_retention_ms: i64,
    pub min_cleanable_dirty_ratio: f64,
    pub min_compaction_lag_ms: i64,
    pub max_compaction_lag_ms: i64,
    pub file_delete_delay_ms: i64,
}

/// Resolves the effective value of a topic config: topic override, then dynamic cluster-wide
/// broker default (through its synonym), then the static broker config, then the default.
pub fn effective_topic_value(
    def: &ConfigDef,
    overrides: &BTreeMap<String, String>,
    dynamic_broker: &BTreeMap<String, String>,
    static_broker: &BTreeMap<String, String>,
) -> (String, ConfigSource) {
    if let Some(v) = overrides.get(def.name) {
        return (v.clone(), ConfigSource::DynamicTopicConfig);
    }
    if let Some(syn) = def.broker_synonym {
        if let Some(v) = dynamic_broker.get(syn) {
            return (v.clone(), ConfigSource::DynamicDefaultBrokerConfig);
        }
        if let Some(v) = static_broker.get(syn) {
            return (v.clone(), ConfigSource::StaticBrokerConfig);
        }
    }
    (def.default.to_string(), ConfigSource::DefaultConfig)
}

impl TopicSettings {
    pub fn resolve(
        overrides: &BTreeMap<String, String>,
        dynamic_broker: &BTreeMap<String, String>,
        static_broker: &BTreeMap<String, String>,
    ) -> TopicSettings {
        let get = |name: &str| -> Parsed {
            let def = topic_config_def(name).expect("known topic config");
            let (v, _) = effective_topic_value(def, overrides, dynamic_broker, static_broker);
            parse_and_validate(def, &v)
                .or_else(|_| parse_and_validate(def, def.default))
                .expect("defaults are valid")
        };
        let int = |name: &str| match get(name) {
            Parsed::Int(i) => i,
            _ => 0,
        };
        let boolean = |name: &str| matches!(get(name), Parsed::Bool(true));
        let policy = match get("cleanup.policy") {
            Parsed::List(l) => l,
            _ => vec!["delete".into()],
        };
        TopicSettings {
            min_insync_replicas: int("min.insync.replicas") as i32,
            unclean_leader_election_enable: boolean("unclean.leader.election.enable"),
            segment_bytes: int("segment.bytes"),
            segment_ms: int("segment.ms"),
            segment_jitter_ms: int("segment.jitter.ms"),
            retention_ms: int("retention.ms"),
            retention_bytes: int("retention.bytes"),
            cleanup_compact: policy.iter().any(|p| p == "compact"),
            cleanup_delete: policy.iter().any(|p| p == "delete"),
            max_message_bytes: int("max.message.bytes"),
            log_append_time: matches!(get("message.timestamp.type"), Parsed::Str(ref s) if s == "LogAppendTime"),
            delete_retention_ms: int("delete.retention.ms"),
            min_cleanable_dirty_ratio: match get("min.cleanable.dirty.ratio") {
                Parsed::Double(d) => d,
                _ => 0.5,
            },
            min_compaction_lag_ms: int("min.compaction.lag.ms"),
            max_compaction_lag_ms: int("max.compaction.lag.ms"),
            file_delete_delay_ms: int("file.delete.delay.ms"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn err(configs: &[(&str, &str)]) -> String {
        let v: Vec<(String, String)> = configs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        validate_topic_configs(&v).unwrap_err().message
    }

    #[test]
    fn config_errors_have_kafkas_exact_text() {
        assert_eq!(err(&[("foo", "1")]), "Unknown topic config name: foo");
        assert_eq!(err(&[("segment.ms", "abc")]), "Invalid value abc for configuration segment.ms: Not a number of type LONG");
        assert_eq!(err(&[("segment.bytes", "1.5")]), "Invalid value 1.5 for configuration segment.bytes: Not a number of type INT");
        assert_eq!(err(&[("segment.bytes", "10")]), "Invalid value 10 for configuration segment.bytes: Value must be at least 14");
        assert_eq!(err(&[("min.insync.replicas", "0")]), "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1");
        assert_eq!(
            err(&[("cleanup.policy", "compact,foo")]),
            "Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete"
        );
        assert_eq!(
            err(&[("unclean.leader.election.enable", "yes")]),
            "Invalid value yes for configuration unclean.leader.election.enable: Expected value to be either true or false"
        );
        assert_eq!(
            err(&[("min.cleanable.dirty.ratio", "2")]),
            "Invalid value 2.0 for configuration min.cleanable.dirty.ratio: Value must be no more than 1"
        );
        assert_eq!(
            err(&[("compression.type", "brotli")]),
            "Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer"
        );
        assert_eq!(
            err(&[("compression.gzip.level", "12")]),
            "Invalid value 12 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1"
        );
        assert_eq!(
            err(&[("min.compaction.lag.ms", "10"), ("max.compaction.lag.ms", "5")]),
            "conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)"
        );
        assert_eq!(err(&[("retention.ms", "-2")]), "Invalid value -2 for configuration retention.ms: Value must be at least -1");
    }

    #[test]
    fn tutorial_compacted_topic_configs_are_valid() {
        let v: Vec<(String, String)> = [
            ("min.cleanable.dirty.ratio", "0.01"),
            ("cleanup.policy", "compact"),
            ("segment.ms", "100"),
            ("delete.retention.ms", "100"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let m = validate_topic_configs(&v).expect("valid");
        let s = TopicSettings::resolve(&m, &BTreeMap::new(), &BTreeMap::new());
        assert!(s.cleanup_compact && !s.cleanup_delete);
        assert_eq!(s.segment_ms, 100);
        assert_eq!(s.min_cleanable_dirty_ratio, 0.01);
    }

    #[test]
    fn scientific_form_has_lower_exps_digits() {
        // Java's computerized scientific notation: `{:e}`'s digits, exponent and sign.
        fn via_lower_exp(v: f64) -> String {
            let s = format!("{v:e}");
            let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
            let m = if m.contains('.') { m.to_string() } else { format!("{m}.0") };
            format!("{m}E{e}")
        }
        let mut rng = crate::engine::rng::Rng::new(5);
        let mut checked = 0;
        while checked < 20_000 {
            let v = f64::from_bits(rng.next_u64());
            if !v.is_finite() || v == 0.0 {
                continue;
            }
            if (1e-3..1e7).contains(&v.abs()) {
                continue;
            }
            assert_eq!(java_double_to_string(v), via_lower_exp(v), "{v:e}");
            checked += 1;
        }
        for v in [1e7, 1e-4, 0.000999, 5e-324, f64::MAX, f64::MIN_POSITIVE, -1e300, 123456789012.0] {
            assert_eq!(java_double_to_string(v), via_lower_exp(v), "{v:e}");
        }
    }

    #[test]
    fn java_integer_grammar_and_long_range() {
        assert_eq!(parse_java_integer("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_java_integer("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_java_integer("9223372036854775808"), None, "one past Long.MAX_VALUE");
        assert_eq!(parse_java_integer("+42"), Some(42));
        assert_eq!(parse_java_integer("-0"), Some(0));
        for bad in ["", "+", "-", "+-1", "1_000", " 1", "1.0", "0x10", "99999999999999999999999999999999999"] {
            assert_eq!(parse_java_integer(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn java_double_formatting() {
        assert_eq!(java_double_to_string(2.0), "2.0");
        assert_eq!(java_double_to_string(1.5), "1.5");
        assert_eq!(java_double_to_string(1e10), "1.0E10");
        assert_eq!(java_double_to_string(-1.25e-5), "-1.25E-5");
        assert_eq!(java_double_to_string(12345678.9), "1.23456789E7");
    }
}
