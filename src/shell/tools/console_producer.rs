//! `kafka-console-producer` (3.9: `core/.../kafka/tools/ConsoleProducer.scala`): options, the
//! checks of `ProducerConfig`, and the reader properties of `LineMessageReader`.

use std::collections::BTreeMap;

use super::{key_values, missing_required, parse_jopt, specs, usage_error, value_error, Bootstrap, Env};
use crate::shell::Outcome;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerCommand {
    pub bootstrap: Bootstrap,
    pub topic: String,
    pub sync: bool,
    /// `none` unless given; `gzip` if `--compression-codec` has no value.
    pub compression: String,
    /// `--request-required-acks` (default "-1"), overridden by `--producer-property acks=`.
    pub acks: String,
    pub request_timeout_ms: i32,
    pub linger_ms: i64,
    pub max_block_ms: i64,
    pub retries: i32,
    /// `--property` values for the line reader (parse.key, key.separator, null.marker, ...).
    pub reader: BTreeMap<String, String>,
    /// `--producer-property` values.
    pub producer: BTreeMap<String, String>,
}

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<ProducerCommand, Outcome> {
    let p = parse_jopt(
        invoked,
        specs::CONSOLE_PRODUCER,
        args,
        "This tool helps to read data from standard input and publish it to Kafka.",
    )?;
    // `--bootstrap-server` is `requiredUnless("broker-list")`: checked by jopt-simple at parse time.
    if !p.has("bootstrap-server") && !p.has("broker-list") {
        return Err(usage_error(invoked, "Missing required option(s) [bootstrap-server]"));
    }
    if !p.has("topic") {
        return Err(missing_required(invoked, "topic"));
    }
    let v = |name: &'static str| p.value(name).map_err(|e| value_error(invoked, e));
    let topic = v("topic")?.unwrap_or_default();
    let hosts = if p.has("bootstrap-server") { v("bootstrap-server")? } else { v("broker-list")? }.unwrap_or_default();
    if !valid_host_ports(&hosts) {
        return Err(usage_error(invoked, "Please provide valid host:port like host1:9091,host2:9092\n "));
    }
    let compression = if p.has("compression-codec") {
        match v("compression-codec")? {
            Some(c) if !c.is_empty() => c,
            _ => "gzip".into(),
        }
    } else {
        "none".into()
    };
    let num = |name: &'static str, default: i64| -> Result<i64, Outcome> {
        Ok(p.long(name).map_err(|e| value_error(invoked, e))?.unwrap_or(default))
    };
    let int = |name: &'static str, default: i32| -> Result<i32, Outcome> {
        Ok(p.int(name).map_err(|e| value_error(invoked, e))?.unwrap_or(default))
    };
    let _ = int("batch-size", 16384)?;
    let retries = int("message-send-max-retries", 3)?;
    let _ = num("retry-backoff-ms", 100)?;
    let linger_ms = num("timeout", 1000)?;
    let request_timeout_ms = int("request-timeout-ms", 1500)?;
    let _ = num("metadata-expiry-ms", 300000)?;
    let max_block_ms = num("max-block-ms", 60000)?;
    let _ = num("max-memory-bytes", 33554432)?;
    let _ = int("max-partition-memory-bytes", 16384)?;
    let _ = int("socket-buffer-size", 102400)?;
    let producer = key_values(&p.values("producer-property"));
    let acks = producer.get("acks").cloned().unwrap_or(v("request-required-acks")?.unwrap_or_else(|| "-1".into()));
    Ok(ProducerCommand {
        bootstrap: Bootstrap::new(&hosts, env),
        topic,
        sync: p.has("sync"),
        compression,
        acks,
        request_timeout_ms,
        linger_ms,
        max_block_ms,
        retries,
        reader: key_values(&p.values("property")),
        producer,
    })
}

/// `ToolsUtils.validatePortOrDie`: every comma-separated entry needs a numeric port after its
/// last `:` (Utils.getPort).
pub fn valid_host_ports(list: &str) -> bool {
    let entries: Vec<&str> = if list.contains(',') { list.split(',').collect() } else { vec![list] };
    !entries.is_empty()
        && entries.iter().all(|e| match e.rsplit_once(':') {
            Some((host, port)) => !host.is_empty() && !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()),
            None => false,
        })
}

/// One record read by `LineMessageReader`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineRecord {
    pub key: Option<String>,
    pub value: Option<String>,
    pub headers: Vec<(String, Option<String>)>,
}

/// Splits one input line per the reader properties; `line_number` counts from 1.
pub fn read_line(props: &BTreeMap<String, String>, line: &str, line_number: usize) -> Result<LineRecord, String> {
    let get = |k: &str, d: &str| props.get(k).cloned().unwrap_or_else(|| d.to_string());
    let parse_key = get("parse.key", "false").eq_ignore_ascii_case("true");
    let parse_headers = get("parse.headers", "false").eq_ignore_ascii_case("true");
    let ignore_error = get("ignore.error", "false").eq_ignore_ascii_case("true");
    let key_sep = get("key.separator", "\t");
    let headers_delim = get("headers.delimiter", "\t");
    let headers_sep = get("headers.separator", ",");
    let header_key_sep = get("headers.key.separator", ":");
    let null_marker = props.get("null.marker").cloned();
    let nullify = |s: &str| if null_marker.as_deref() == Some(s) { None } else { Some(s.to_string()) };
    let mut rest = line.to_string();
    let mut headers = Vec::new();
    if parse_headers {
        match rest.find(&headers_delim) {
            Some(i) => {
                let h = rest[..i].to_string();
                rest = rest[i + headers_delim.len()..].to_string();
                for pair in h.split(&headers_sep).filter(|p| !p.is_empty()) {
                    match pair.find(&header_key_sep) {
                        Some(j) => headers.push((pair[..j].to_string(), nullify(&pair[j + header_key_sep.len()..]))),
                        None => headers.push((pair.to_string(), None)),
                    }
                }
            }
            None if !ignore_error => {
                return Err(format!("No headers delimiter found on line number {line_number}: '{line}'"))
            }
            None => {}
        }
    }
    let mut key = None;
    if parse_key {
        match rest.find(&key_sep) {
            Some(i) => {
                key = nullify(&rest[..i]);
                rest = rest[i + key_sep.len()..].to_string();
            }
            None if !ignore_error => return Err(format!("No key separator found on line number {line_number}: '{line}'")),
            None => {}
        }
    }
    Ok(LineRecord { key, value: nullify(&rest), headers })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn key_separator_splits_at_first_occurrence() {
        let props = key_values(&["parse.key=true".into(), "key.separator=:".into(), "null.marker=NULL".into()]);
        let r = read_line(&props, "user1:a:b", 1).unwrap();
        assert_eq!((r.key.as_deref(), r.value.as_deref()), (Some("user1"), Some("a:b")));
        assert_eq!(read_line(&props, "k:NULL", 1).unwrap().value, None);
        assert_eq!(read_line(&props, "nokey", 3).unwrap_err(), "No key separator found on line number 3: 'nokey'");
    }

    #[test]
    fn host_ports_need_numeric_ports() {
        assert!(valid_host_ports("localhost:9092,broker2:9092"));
        assert!(!valid_host_ports("localhost"));
        assert!(!valid_host_ports("localhost:x"));
    }
}
