//! `kafka-console-producer` (3.9: `core/.../kafka/tools/ConsoleProducer.scala`): options, the
//! checks of `ProducerConfig`, and the reader properties of `LineMessageReader`.

use std::collections::BTreeMap;

use super::{key_values, missing_required, parse_jopt, specs, usage_error, value_error, Bootstrap, Env};
use crate::engine::{Header, KafkaError, ProducerConfig, ProducerId, ProducerRecord, ProducerWarning, SendId, SendResult};
use crate::shell::process::{ProcCx, ProcState, Process, Signal};
use crate::shell::Outcome;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerCommand {
    pub bootstrap: Bootstrap,
    pub topic: String,
    pub sync: bool,
    /// `none` unless given; `gzip` if `--compression-codec` has no value.
    pub compression: String,
    /// `acks` after merging `--request-required-acks` (default "-1") and `--producer-property`.
    pub acks: String,
    /// `--property` values for the line reader (parse.key, key.separator, null.marker, ...).
    pub reader: BTreeMap<String, String>,
    /// `--producer-property` values merged with the flags that map to producer configs.
    pub producer: BTreeMap<String, String>,
}

/// (flag, producer config, the flag's default): `ConsoleProducer.producerProps`' merges.
const MERGED_FLAGS: [(&str, &str, &str); 10] = [
    ("timeout", "linger.ms", "1000"),
    ("request-required-acks", "acks", "-1"),
    ("request-timeout-ms", "request.timeout.ms", "1500"),
    ("message-send-max-retries", "retries", "3"),
    ("retry-backoff-ms", "retry.backoff.ms", "100"),
    ("max-memory-bytes", "buffer.memory", "33554432"),
    ("batch-size", "batch.size", "16384"),
    ("max-partition-memory-bytes", "batch.size", "16384"),
    ("metadata-expiry-ms", "metadata.max.age.ms", "300000"),
    ("max-block-ms", "max.block.ms", "60000"),
];

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
    // jopt-simple's own checks: each flag's type, whether given or not.
    for name in ["batch-size", "message-send-max-retries", "request-timeout-ms", "max-partition-memory-bytes", "socket-buffer-size"] {
        let _ = int(name, 0)?;
    }
    for name in ["retry-backoff-ms", "timeout", "metadata-expiry-ms", "max-block-ms", "max-memory-bytes"] {
        let _ = num(name, 0)?;
    }
    let mut producer = key_values(&p.values("producer-property"));
    // `CommandLineUtils.maybeMergeOptions`: a flag given on the command line overrides the
    // property; a flag left at its default only fills a property not set otherwise.
    for (flag, config, default) in MERGED_FLAGS {
        if p.has(flag) {
            producer.insert(config.to_string(), v(flag)?.unwrap_or_default());
        } else {
            producer.entry(config.to_string()).or_insert_with(|| default.to_string());
        }
    }
    let acks = producer.get("acks").cloned().unwrap_or_else(|| "-1".into());
    Ok(ProducerCommand {
        bootstrap: Bootstrap::new(&hosts, env),
        topic,
        sync: p.has("sync"),
        compression,
        acks,
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

// ---------------------------------------------------------------- execution

/// The producer settings the tool's options and `--producer-property` give, or the
/// `ConfigException` `ProducerConfig` throws for them.
pub fn producer_config(command: &ProducerCommand) -> Result<ProducerConfig, KafkaError> {
    let mut config = ProducerConfig::console();
    let explicit_delivery = command.producer.contains_key("delivery.timeout.ms");
    apply_producer_props(&mut config, &command.producer)?;
    // KafkaProducer raises delivery.timeout.ms to linger + request timeout when left unset.
    if !explicit_delivery {
        config.delivery_timeout_ms = config.delivery_timeout_ms.max(config.linger_ms + config.request_timeout_ms);
    }
    Ok(config)
}

/// Producer properties given as `key=value` pairs (`--producer-property`, `--producer-props`),
/// applied over `config`: numbers parsed and range-checked as `ProducerConfig` does (its
/// `ConfigException` message otherwise); properties the engine does not model are ignored.
pub fn apply_producer_props(config: &mut ProducerConfig, props: &BTreeMap<String, String>) -> Result<(), KafkaError> {
    use crate::engine::client_config::{parse_number, PRODUCER_NUMBERS};
    for (key, value) in props {
        let number = parse_number(PRODUCER_NUMBERS, key, value)?;
        match (key.as_str(), number) {
            ("acks", _) => config.acks = parse_acks(value),
            ("linger.ms", Some(n)) => config.linger_ms = n,
            ("retries", Some(n)) => config.retries = n as u32,
            ("request.timeout.ms", Some(n)) => config.request_timeout_ms = n,
            ("delivery.timeout.ms", Some(n)) => config.delivery_timeout_ms = n,
            ("max.block.ms", Some(n)) => config.max_block_ms = n,
            ("retry.backoff.ms", Some(n)) => config.retry_backoff_ms = n,
            ("retry.backoff.max.ms", Some(n)) => config.retry_backoff_max_ms = n,
            ("batch.size", Some(n)) => config.batch_size = n as u32,
            ("client.id", _) => config.client_id = value.clone(),
            ("enable.idempotence", _) => config.enable_idempotence = Some(value.trim().eq_ignore_ascii_case("true")),
            ("max.in.flight.requests.per.connection", Some(n)) => config.max_in_flight = n as u32,
            ("transactional.id", _) => config.transactional_id = Some(value.clone()),
            ("transaction.timeout.ms", Some(n)) => config.transaction_timeout_ms = n,
            _ => {}
        }
    }
    Ok(())
}

fn parse_acks(text: &str) -> i16 {
    match text.trim() {
        "all" | "-1" => -1,
        "0" => 0,
        "1" => 1,
        _ => -1,
    }
}

/// `kafka-console-producer` as a process: one record per line of stdin, sent as it is read and
/// not awaited (unless `--sync`); errors reported the way `ErrorLoggingCallback` logs them when a
/// record's callback fires; ends at end of input once every send has its answer
/// (`producer.close()`).
pub struct ConsoleProducer {
    command: ProducerCommand,
    config: ProducerConfig,
    /// `ProducerConfig`'s `ConfigException`: the tool dies at start, before reading a line.
    config_error: Option<String>,
    producer: Option<ProducerId>,
    line_number: usize,
    /// Key/value descriptions of sends awaiting their result (for the error line).
    pending: BTreeMap<SendId, (String, String)>,
    eof: bool,
    /// Set when the tool dies (reader error, failed `--sync` send): exit status once flushed.
    exit_status: Option<i32>,
    /// Set when no bootstrap address reaches the sandbox (see [`Unreachable`]).
    unreachable: Option<Unreachable>,
}

/// `reconnect.backoff.ms` and `reconnect.backoff.max.ms` (ExponentialBackoff, factor 2, jitter 0.2).
const RECONNECT_BACKOFF_MS: i64 = 50;
const RECONNECT_BACKOFF_MAX_MS: i64 = 1_000;

/// A console producer whose bootstrap list names no sandbox broker. On `localhost`/`127.0.0.1`
/// (a wrong port) every connection attempt is refused: NetworkClient logs the two WARN lines
/// of each failed attempt, retrying after the exponential reconnect backoff, for as long as the
/// tool runs; each record blocks `send` for `max.block.ms` waiting for metadata, then fails with
/// `Topic <t> not present in metadata after <n> ms.` through ErrorLoggingCallback. Other host
/// names do not resolve: the producer cannot be constructed and the tool exits at once.
pub(super) struct Unreachable {
    /// (address, node id) of the refusing bootstrap brokers, tried in turn.
    pub(super) nodes: Vec<(String, i32)>,
    pub(super) next_attempt_ms: i64,
    attempts: u32,
    /// Lines read whose `send` waits for metadata: (key, value description), blocked since.
    waiting: std::collections::VecDeque<(String, String)>,
    blocked_since_ms: Option<i64>,
    rng: u64,
}

impl Unreachable {
    /// The refusing bootstrap brokers of `bootstrap`: `localhost`/`127.0.0.1` addresses (a wrong
    /// port); other names do not resolve and are left out.
    pub(super) fn new(bootstrap: &super::Bootstrap) -> Unreachable {
        let nodes = bootstrap
            .addresses
            .iter()
            .enumerate()
            .filter(|(_, a)| a.rsplit_once(':').is_some_and(|(h, _)| h.eq_ignore_ascii_case("localhost") || h == "127.0.0.1"))
            .map(|(i, a)| (a.clone(), -(i as i32) - 1))
            .collect();
        Unreachable { nodes, next_attempt_ms: 0, attempts: 0, waiting: Default::default(), blocked_since_ms: None, rng: 0x5EED }
    }

    /// `Couldn't resolve server` for each address: what the client logs before its constructor
    /// fails with `No resolvable bootstrap urls given in bootstrap.servers`.
    pub(super) fn resolve_warnings(bootstrap: &super::Bootstrap, now_ms: i64) -> String {
        let mut text = String::new();
        for address in &bootstrap.addresses {
            let host = address.rsplit_once(':').map_or(address.as_str(), |(h, _)| h);
            crate::shell::push_fmt(&mut text, format_args!(
                "{} WARN Couldn't resolve server {address} from bootstrap.servers as DNS resolution failed for {host} (org.apache.kafka.clients.ClientUtils)\n",
                super::log_time(now_ms)
            ));
        }
        text
    }

    fn jitter(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        0.8 + 0.4 * ((z >> 11) as f64 / (1u64 << 53) as f64)
    }

    /// The WARN lines of the connection attempts due by now; `client` is the log prefix's
    /// inside, e.g. `Producer clientId=console-producer`.
    pub(super) fn attempts_until(&mut self, now_ms: i64, client: &str, out: &mut String) {
        while self.next_attempt_ms <= now_ms && !self.nodes.is_empty() {
            let at = self.next_attempt_ms;
            let (address, node) = self.nodes[self.attempts as usize % self.nodes.len()].clone();
            let (host, port) = address.rsplit_once(':').unwrap_or((address.as_str(), ""));
            let time = super::log_time(at);
            crate::shell::push_fmt(out, format_args!(
                "{time} WARN [{client}] Connection to node {node} ({host}/127.0.0.1:{port}) could not be established. Node may not be available. (org.apache.kafka.clients.NetworkClient)\n"
            ));
            crate::shell::push_fmt(out, format_args!(
                "{time} WARN [{client}] Bootstrap broker {host}:{port} (id: {node} rack: null) disconnected (org.apache.kafka.clients.NetworkClient)\n"
            ));
            let base = (RECONNECT_BACKOFF_MS << self.attempts.min(10)).min(RECONNECT_BACKOFF_MAX_MS);
            self.attempts += 1;
            let backoff = ((base as f64) * self.jitter()) as i64;
            self.next_attempt_ms = at + backoff.max(1);
        }
    }
}

impl ConsoleProducer {
    pub fn new(command: ProducerCommand) -> ConsoleProducer {
        let (config, config_error) = match producer_config(&command) {
            Ok(config) => (config, None),
            Err(e) => (ProducerConfig::console(), Some(e.message)),
        };
        let unreachable = (!command.bootstrap.reachable()).then(|| Unreachable::new(&command.bootstrap));
        ConsoleProducer { command, config, config_error, producer: None, line_number: 0, pending: BTreeMap::new(), eof: false, exit_status: None, unreachable }
    }

    /// The unreachable-bootstrap variant of `poll` (see [`Unreachable`]).
    fn poll_unreachable(&mut self, cx: &mut ProcCx<'_>) -> ProcState {
        let client = format!("Producer clientId={}", self.config.client_id);
        let max_block_ms = self.config.max_block_ms;
        let topic = self.command.topic.clone();
        let now = cx.now_ms();
        let u = self.unreachable.as_mut().expect("called when unreachable");
        if u.nodes.is_empty() {
            // No address resolves: KafkaProducer's constructor throws, main prints the trace.
            let mut text = Unreachable::resolve_warnings(&self.command.bootstrap, now);
            text.push_str("org.apache.kafka.common.KafkaException: Failed to construct kafka producer\n");
            text.push_str("Caused by: org.apache.kafka.common.config.ConfigException: No resolvable bootstrap urls given in bootstrap.servers\n");
            cx.stderr(text);
            return ProcState::Exited(1);
        }
        if u.next_attempt_ms == 0 {
            u.next_attempt_ms = now;
            u.rng ^= now as u64;
        }
        let mut out = String::new();
        loop {
            // The next event: a connection attempt, or the blocked send giving up.
            let give_up_ms = u.blocked_since_ms.map(|since| since + max_block_ms);
            match give_up_ms {
                Some(at) if at <= now && at <= u.next_attempt_ms => {
                    u.attempts_until(at, &client, &mut out);
                    let (key, value) = u.waiting.pop_front().expect("blocked on a record");
                    crate::shell::push_fmt(&mut out, format_args!(
                        "{} ERROR Error when sending message to topic {topic} with key: {key}, value: {value} with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\norg.apache.kafka.common.errors.TimeoutException: Topic {topic} not present in metadata after {max_block_ms} ms.\n",
                        super::log_time(at)
                    ));
                    u.blocked_since_ms = if u.waiting.is_empty() { None } else { Some(at) };
                }
                _ => {
                    u.attempts_until(now, &client, &mut out);
                    break;
                }
            }
        }
        if !out.is_empty() {
            cx.stderr(out);
        }
        if !u.waiting.is_empty() {
            return ProcState::Busy;
        }
        if self.eof || self.exit_status.is_some() {
            return ProcState::Exited(self.exit_status.unwrap_or(0));
        }
        ProcState::Idle
    }

    fn producer(&mut self, cx: &mut ProcCx<'_>) -> Option<ProducerId> {
        if self.producer.is_none() {
            match cx.cluster.create_producer(self.config.clone()) {
                Ok(id) => self.producer = Some(id),
                Err(e) if e.code == crate::engine::ErrorCode::INVALID_CONFIG => {
                    // ProducerConfig's validation throws before KafkaProducer's constructor wraps.
                    cx.stderr(format!("org.apache.kafka.common.config.ConfigException: {}\n", e.message));
                    self.exit_status = Some(1);
                }
                Err(e) => {
                    cx.stderr(format!("org.apache.kafka.common.KafkaException: {}\n", e.message));
                    self.exit_status = Some(1);
                }
            }
        }
        self.producer
    }

    fn collect(&mut self, cx: &mut ProcCx<'_>) {
        let Some(id) = self.producer else { return };
        for warning in cx.cluster.take_producer_warnings(id) {
            cx.stderr(warning_line(cx.now_ms(), &self.config.client_id, warning));
        }
        for (send, result) in cx.cluster.take_send_results(id) {
            let described = self.pending.remove(&send);
            if let SendResult::Failed(error) = result {
                let (key, value) = described.unwrap_or_else(|| ("null".into(), "null".into()));
                if self.command.sync {
                    cx.stderr(format!(
                        "java.util.concurrent.ExecutionException: {}: {}\n",
                        super::exception_class(error.code),
                        error.message
                    ));
                    self.exit_status.get_or_insert(1);
                } else {
                    cx.stderr(format!(
                        "{} ERROR Error when sending message to topic {} with key: {key}, value: {value} with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n{}: {}\n",
                        super::log_time(cx.now_ms()),
                        self.command.topic,
                        super::exception_class(error.code),
                        error.message
                    ));
                }
            }
        }
    }
}

/// A producer client's WARN line as the tools' log4j layout prints it.
pub fn warning_line(now_ms: i64, client_id: &str, warning: ProducerWarning) -> String {
    let (line, logger) = match warning {
        ProducerWarning::MetadataIssue { correlation_id, topic, error } => (
            format!(
                "The metadata response from the cluster reported a recoverable issue with correlation id {correlation_id} : {{{topic}={}}}",
                error.name()
            ),
            "org.apache.kafka.clients.NetworkClient",
        ),
        ProducerWarning::Retrying { correlation_id, topic, partition, attempts_left, error, message } => (
            format!(
                "Got error produce response with correlation id {correlation_id} on topic-partition {topic}-{partition}, retrying ({attempts_left} attempts left). Error: {}{}",
                error.name(),
                message.map_or_else(String::new, |m| format!(". Error Message: {m}"))
            ),
            "org.apache.kafka.clients.producer.internals.Sender",
        ),
    };
    format!("{} WARN [Producer clientId={client_id}] {line} ({logger})\n", super::log_time(now_ms))
}

fn describe_bytes(field: &Option<String>) -> String {
    match field {
        None => "null".into(),
        Some(text) => format!("{} bytes", text.len()),
    }
}

impl Process for ConsoleProducer {
    fn poll(&mut self, cx: &mut ProcCx<'_>) -> ProcState {
        if let Some(message) = self.config_error.take() {
            cx.stderr(format!("org.apache.kafka.common.config.ConfigException: {message}\n"));
            return ProcState::Exited(1);
        }
        if self.unreachable.is_some() {
            return self.poll_unreachable(cx);
        }
        self.collect(cx);
        let pending = self.producer.map_or(0, |id| cx.cluster.pending_sends(id));
        let closing = self.eof || self.exit_status.is_some();
        // Without --sync, ConsoleProducer sends asynchronously (ErrorLoggingCallback) and reads
        // the next line at once: the prompt comes back while records wait in the accumulator
        // (linger.ms = --timeout). --sync waits for each record's acknowledgement, and
        // `producer.close()` at the end waits for every send.
        if pending > 0 && (closing || self.command.sync) {
            return ProcState::Busy;
        }
        if closing {
            if let Some(id) = self.producer.take() {
                let _ = cx.cluster.close_producer(id);
            }
            return ProcState::Exited(self.exit_status.unwrap_or(0));
        }
        ProcState::Idle
    }

    fn input(&mut self, cx: &mut ProcCx<'_>, line: &str) {
        if self.exit_status.is_some() || self.eof {
            return;
        }
        // --sync: the shell only hands over the next line once the previous send is answered
        // (`poll` is Busy until then).
        self.line_number += 1;
        let record = match read_line(&self.command.reader, line, self.line_number) {
            Ok(record) => record,
            Err(message) => {
                cx.stderr(format!("org.apache.kafka.common.KafkaException: {message}\n"));
                self.exit_status = Some(1);
                return;
            }
        };
        if let Some(u) = self.unreachable.as_mut() {
            u.waiting.push_back((describe_bytes(&record.key), describe_bytes(&record.value)));
            u.blocked_since_ms.get_or_insert(cx.cluster.now_ms());
            return;
        }
        let Some(id) = self.producer(cx) else { return };
        let mut produced = ProducerRecord::new(
            &self.command.topic,
            record.key.as_deref().map(str::as_bytes),
            record.value.as_deref().map(str::as_bytes),
        );
        produced.headers = record
            .headers
            .iter()
            .map(|(k, v)| Header { key: k.clone(), value: v.as_ref().map(|v| v.as_bytes().to_vec()) })
            .collect();
        match cx.cluster.send(id, produced) {
            Ok(send) => {
                self.pending.insert(send, (describe_bytes(&record.key), describe_bytes(&record.value)));
            }
            Err(error) => {
                cx.stderr(format!(
                    "{} ERROR Error when sending message to topic {} with key: {}, value: {} with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n{}: {}\n",
                    super::log_time(cx.now_ms()),
                    self.command.topic,
                    describe_bytes(&record.key),
                    describe_bytes(&record.value),
                    super::exception_class(error.code),
                    error.message
                ));
            }
        }
    }

    fn eof(&mut self, _cx: &mut ProcCx<'_>) {
        self.eof = true;
    }

    fn signal(&mut self, cx: &mut ProcCx<'_>, signal: Signal) -> i32 {
        // ConsoleProducer (3.9) has no shutdown hook: the JVM exits, records not sent yet are
        // lost (those already on the wire still reach the broker).
        if let Some(id) = self.producer.take() {
            self.collect(cx);
            let _ = cx.cluster.close_producer_now(id);
        }
        signal.status()
    }

    fn reads_stdin(&self) -> bool {
        true
    }
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

    /// ConsoleProducer without --sync reads the next line at once (the send is not awaited);
    /// with --sync each line waits for its acknowledgement. Ctrl-D still waits for every send.
    #[test]
    fn prompt_returns_before_the_acknowledgement_unless_sync() {
        let mut sh = crate::shell::Shell::new(3, 1);
        sh.run("kafka-topics --create --topic t --bootstrap-server localhost:9092");
        sh.run("kafka-console-producer --topic t --bootstrap-server localhost:9092");
        let t0 = sh.now_ms();
        sh.run("first");
        sh.run("second");
        assert_eq!(sh.now_ms(), t0, "no time passes while lines are typed");
        sh.eof();
        assert!(sh.now_ms() >= t0 + 1_000, "close waits out linger.ms (--timeout 1000) and the acks");
        assert_eq!(sh.last_status(), 0);
        sh.run("kafka-console-producer --topic t --bootstrap-server localhost:9092 --sync");
        let t1 = sh.now_ms();
        sh.run("third");
        assert!(sh.now_ms() > t1, "--sync awaits the acknowledgement before the next line");
        sh.eof();
        assert_eq!(sh.last_status(), 0);
    }

    #[test]
    fn host_ports_need_numeric_ports() {
        assert!(valid_host_ports("localhost:9092,broker2:9092"));
        assert!(!valid_host_ports("localhost"));
        assert!(!valid_host_ports("localhost:x"));
    }
}
