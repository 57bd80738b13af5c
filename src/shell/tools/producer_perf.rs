//! `kafka-producer-perf-test` (`ProducerPerformance.java`, argparse4j, not jopt-simple): its
//! arguments and argparse4j-style errors (`producer-performance: error: ...`), and the run itself
//! as a [`Process`] on simulated time.
//!
//! The tool's main thread sends as fast as it can and blocks only when `buffer.memory` (32 MiB)
//! is full; here each poll sends records until that much is waiting (or the `--throughput`
//! budget for the simulated time so far is used), so a million records go to the engine in a
//! few large chunks. `Stats` is reproduced exactly: a window line every 5 s of (simulated) time
//! from completion callbacks, latencies sampled every `numRecords / min(numRecords, 500000)`
//! completions, and the summary with Java's `%f`/`%.2f` formatting. Payloads are
//! `SplittableRandom(0).nextInt(26) + 65` bytes, as the real tool generates them.

use std::collections::BTreeMap;

use super::{key_values, Bootstrap, Env};
use crate::engine::{ProducerConfig, ProducerId, ProducerRecord, SendId, SendResult};
use crate::shell::process::{Exec, ProcCx, ProcState, Process, Signal};
use crate::shell::Outcome;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerPerfCommand {
    pub topic: String,
    pub num_records: i64,
    pub record_size: Option<i32>,
    /// Records per second; -1: no throttling.
    /// Records per second times 1000 (milli-records/s) to keep the request `Eq`; -1000: unthrottled.
    pub throughput_milli: i64,
    pub producer_props: BTreeMap<String, String>,
    pub bootstrap: Bootstrap,
    pub payload_monotonic: bool,
    pub print_metrics: bool,
    pub transaction_duration_ms: i64,
    /// A `--producer-props` entry that is not exactly `key=value` (the tool throws at start).
    pub invalid_prop: Option<String>,
}

const USAGE: &str = "usage: producer-performance [-h] --topic TOPIC --num-records NUM-RECORDS [--payload-delimiter PAYLOAD-DELIMITER] --throughput THROUGHPUT [--producer-props PROP-NAME=PROP-VALUE [PROP-NAME=PROP-VALUE ...]] [--producer.config CONFIG-FILE] [--print-metrics] [--transactional-id TRANSACTIONAL-ID] [--transaction-duration-ms TRANSACTION-DURATION] (--record-size RECORD-SIZE | --payload-file PAYLOAD-FILE | --payload-monotonic)\n";

fn error(message: std::fmt::Arguments<'_>) -> Outcome {
    Outcome::stderr(format!("{USAGE}producer-performance: error: {message}\n"), 1)
}

pub fn parse(_invoked: &str, args: &[String], env: &Env) -> Result<ProducerPerfCommand, Outcome> {
    let known = ["--topic", "--num-records", "--payload-delimiter", "--throughput", "--producer-props", "--producer.config", "--print-metrics", "--transactional-id", "--transaction-duration-ms", "--record-size", "--payload-file", "--payload-monotonic", "-h", "--help"];
    let mut values: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        if arg == "-h" || arg == "--help" {
            return Err(Outcome::stdout(format!("{USAGE}\nThis tool is used to verify the producer performance.\n")));
        }
        let Some(name) = known.iter().copied().find(|k| *k == arg) else {
            return Err(error(format_args!("unrecognized arguments: '{arg}'")));
        };
        let entry = values.entry(name).or_default();
        if name == "--producer-props" {
            while i < args.len() && !args[i].starts_with("--") {
                entry.push(args[i].clone());
                i += 1;
            }
            if entry.is_empty() {
                return Err(error(format_args!("argument --producer-props: expected at least one argument")));
            }
        } else if name == "--print-metrics" || name == "--payload-monotonic" {
        } else if i < args.len() {
            entry.push(args[i].clone());
            i += 1;
        } else {
            return Err(error(format_args!("argument {name}: expected one argument")));
        }
    }
    for required in ["--topic", "--num-records", "--throughput"] {
        if !values.contains_key(required) {
            return Err(error(format_args!("argument {required} is required")));
        }
    }
    let sources = ["--record-size", "--payload-file", "--payload-monotonic"].iter().filter(|s| values.contains_key(*s)).count();
    if sources == 0 {
        return Err(error(format_args!("one of the arguments --record-size --payload-file --payload-monotonic is required")));
    }
    let last = |k: &str| values.get(k).and_then(|v| v.last().cloned()).unwrap_or_default();
    let num_records = last("--num-records").parse::<i64>().map_err(|_| error(format_args!("argument --num-records: could not convert '{}' to Long", last("--num-records"))))?;
    let throughput = last("--throughput").parse::<f64>().ok().ok_or_else(|| error(format_args!("argument --throughput: could not convert '{}' to Double", last("--throughput"))))?;
    let record_size = match values.get("--record-size") {
        Some(_) => Some(last("--record-size").parse::<i32>().map_err(|_| error(format_args!("argument --record-size: could not convert '{}' to Integer", last("--record-size"))))?),
        None => None,
    };
    let raw_props: &[String] = values.get("--producer-props").map(|v| v.as_slice()).unwrap_or(&[]);
    // `prop.split("=")` must give exactly two pieces (Java drops trailing empty strings).
    let invalid_prop = raw_props
        .iter()
        .find(|p| {
            let mut pieces: Vec<&str> = p.split('=').collect();
            while pieces.len() > 1 && pieces.last() == Some(&"") {
                pieces.pop();
            }
            pieces.len() != 2
        })
        .cloned();
    let producer_props = key_values(raw_props);
    let transaction_duration_ms = match values.get("--transaction-duration-ms") {
        Some(_) => last("--transaction-duration-ms").parse::<i64>().map_err(|_| error(format_args!("argument --transaction-duration-ms: could not convert '{}' to Long", last("--transaction-duration-ms"))))?,
        None => 0,
    };
    if !values.contains_key("--producer-props") && !values.contains_key("--producer.config") {
        return Err(Outcome::stderr(format!("{USAGE}producer-performance: error: Either --producer-props or --producer.config must be specified.\n"), 1));
    }
    let bootstrap = Bootstrap::new(producer_props.get("bootstrap.servers").map(String::as_str).unwrap_or(""), env);
    Ok(ProducerPerfCommand {
        topic: last("--topic"),
        num_records,
        record_size,
        throughput_milli: (throughput * 1000.0) as i64,
        producer_props,
        bootstrap,
        payload_monotonic: values.contains_key("--payload-monotonic"),
        print_metrics: values.contains_key("--print-metrics"),
        transaction_duration_ms,
        invalid_prop,
    })
}

// ---------------------------------------------------------------- execution

/// Records one run may produce, and the largest `--record-size` (a bound on memory).
pub const NUM_RECORDS_MAX: i64 = 5_000_000;
pub const RECORD_SIZE_MAX: i32 = 1_048_576;

/// `buffer.memory`: the producer blocks once this much waits to be sent.
const BUFFER_MEMORY_BYTES: u64 = 33_554_432;
/// A record's bytes in a batch beyond its value (attributes, deltas, lengths: a few varints).
const RECORD_OVERHEAD_BYTES: u64 = 8;
/// Stats' reporting interval.
const REPORTING_INTERVAL_MS: i64 = 5_000;
/// How long the perf test may keep a foreground shell busy (it does end: every send completes or
/// fails within delivery.timeout.ms once sent).
const PERF_BUSY_LIMIT_MS: i64 = 3_600_000;

/// Java's `SplittableRandom` (seeded constructor: GOLDEN_GAMMA increments).
pub struct SplittableRandom {
    seed: u64,
}

impl SplittableRandom {
    const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

    pub fn new(seed: u64) -> SplittableRandom {
        SplittableRandom { seed }
    }

    fn next_seed(&mut self) -> u64 {
        self.seed = self.seed.wrapping_add(Self::GOLDEN_GAMMA);
        self.seed
    }

    fn mix32(z: u64) -> i32 {
        let z = (z ^ (z >> 33)).wrapping_mul(0x62a9_d9ed_7997_05f5);
        ((z ^ (z >> 28)).wrapping_mul(0xcb24_d0b4_c23f_dbfd) >> 32) as i32
    }

    /// `nextInt(bound)` for bound > 0.
    pub fn next_int(&mut self, bound: i32) -> i32 {
        debug_assert!(bound > 0);
        let mut r = Self::mix32(self.next_seed());
        let m = bound - 1;
        if bound & m == 0 {
            return r & m;
        }
        let mut u = ((r as u32) >> 1) as i32;
        loop {
            r = u % bound;
            if u.wrapping_add(m).wrapping_sub(r) >= 0 {
                return r;
            }
            u = ((Self::mix32(self.next_seed()) as u32) >> 1) as i32;
        }
    }
}

/// Java's `String.format("%.Nf", v)`. Java's Formatter rounds the double's shortest decimal
/// digits (the ones `Double.toString` prints), HALF_UP, not its exact binary value: `%.2f` of 1.005
/// prints 1.01 although the double is just below 1.005 (C's printf prints 1.00). The sign stays
/// on a value that rounds to zero (`-0.00`), as `Formatter` decides it from the double.
pub fn java_fixed(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return if v.is_nan() { "NaN".into() } else if v > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let mut out = String::new();
    crate::engine::javafmt::push_fixed_half_up(&mut out, v, decimals);
    out
}

/// `ProducerPerformance.Stats`.
struct Stats {
    start_ms: i64,
    latencies: Vec<i32>,
    sampling: i64,
    iteration: i64,
    count: i64,
    bytes: i64,
    max_latency: i32,
    total_latency: i64,
    window_count: i64,
    window_max_latency: i32,
    window_total_latency: i64,
    window_bytes: i64,
    window_start_ms: i64,
}

impl Stats {
    fn new(num_records: i64, now_ms: i64) -> Stats {
        let sampling = (num_records / num_records.min(500_000).max(1)).max(1);
        let slots = (num_records / sampling).clamp(0, 500_000) as usize + 1;
        Stats {
            start_ms: now_ms,
            latencies: Vec::with_capacity(slots),
            sampling,
            iteration: 0,
            count: 0,
            bytes: 0,
            max_latency: 0,
            total_latency: 0,
            window_count: 0,
            window_max_latency: 0,
            window_total_latency: 0,
            window_bytes: 0,
            window_start_ms: now_ms,
        }
    }

    fn record(&mut self, latency: i32, bytes: i64, now_ms: i64, out: &mut String) {
        self.count += 1;
        self.bytes += bytes;
        self.total_latency += i64::from(latency);
        self.max_latency = self.max_latency.max(latency);
        self.window_count += 1;
        self.window_bytes += bytes;
        self.window_total_latency += i64::from(latency);
        self.window_max_latency = self.window_max_latency.max(latency);
        if self.iteration % self.sampling == 0 && self.latencies.len() < self.latencies.capacity() {
            self.latencies.push(latency);
        }
        if now_ms - self.window_start_ms >= REPORTING_INTERVAL_MS {
            self.print_window(now_ms, out);
            self.window_start_ms = now_ms;
            self.window_count = 0;
            self.window_max_latency = 0;
            self.window_total_latency = 0;
            self.window_bytes = 0;
        }
    }

    fn print_window(&self, now_ms: i64, out: &mut String) {
        let elapsed = (now_ms - self.window_start_ms) as f64;
        let records_per_s = 1000.0 * self.window_count as f64 / elapsed;
        let mb_per_s = 1000.0 * self.window_bytes as f64 / elapsed / (1024.0 * 1024.0);
        crate::shell::push_fmt(out, format_args!(
            "{} records sent, {} records/sec ({} MB/sec), {} ms avg latency, {} ms max latency.\n",
            self.window_count,
            java_fixed(records_per_s, 1),
            java_fixed(mb_per_s, 2),
            java_fixed(self.window_total_latency as f64 / self.window_count as f64, 1),
            java_fixed(f64::from(self.window_max_latency), 1),
        ));
    }

    fn print_total(&mut self, now_ms: i64) -> String {
        let elapsed = (now_ms - self.start_ms) as f64;
        let records_per_s = 1000.0 * self.count as f64 / elapsed;
        let mb_per_s = 1000.0 * self.bytes as f64 / elapsed / (1024.0 * 1024.0);
        self.latencies.sort_unstable();
        let size = self.latencies.len();
        let percentile = |p: f64| -> i32 {
            // `latencies` is sized index + 1 in Java: an empty run reads the zeroed slot.
            self.latencies.get((p * size as f64) as usize).copied().unwrap_or(0)
        };
        format!(
            "{} records sent, {} records/sec ({} MB/sec), {} ms avg latency, {} ms max latency, {} ms 50th, {} ms 95th, {} ms 99th, {} ms 99.9th.\n",
            self.count,
            java_fixed(records_per_s, 6),
            java_fixed(mb_per_s, 2),
            java_fixed(self.total_latency as f64 / self.count as f64, 2),
            java_fixed(f64::from(self.max_latency), 2),
            percentile(0.5),
            percentile(0.95),
            percentile(0.99),
            percentile(0.999),
        )
    }
}

/// The producer settings `--producer-props` give (KafkaProducer 3.9 defaults otherwise).
fn producer_config(props: &BTreeMap<String, String>) -> Result<ProducerConfig, crate::engine::KafkaError> {
    let mut config = ProducerConfig { linger_ms: 0, client_id: "perf-producer-client".into(), ..ProducerConfig::default() };
    super::console_producer::apply_producer_props(&mut config, props)?;
    Ok(config)
}

/// Sends of one poll: ids in `[first, last]` started at `start_ms` with values of `bytes` bytes
/// (send ids are consecutive while no simulated time passes).
struct SendRange {
    first: SendId,
    last: SendId,
    start_ms: i64,
}

pub struct ProducerPerf {
    command: ProducerPerfCommand,
    config: ProducerConfig,
    producer: Option<ProducerId>,
    random: SplittableRandom,
    payload: Vec<u8>,
    stats: Option<Stats>,
    sent: i64,
    start_ms: i64,
    ranges: std::collections::VecDeque<SendRange>,
    /// Bytes of records handed over and not yet completed.
    pending_bytes: u64,
    /// Value size of each pending send, ascending by id (`--payload-monotonic` sizes vary). A
    /// deque, not a map: up to millions can be pending, ids arrive in ascending order and leave
    /// near the front, so both ends are cheap.
    sizes: std::collections::VecDeque<(SendId, u32)>,
    done: Option<i32>,
}

impl ProducerPerf {
    pub fn new(command: ProducerPerfCommand) -> ProducerPerf {
        // `execute` refused props that do not parse.
        let config = producer_config(&command.producer_props).unwrap_or_default();
        let size = command.record_size.unwrap_or(0).max(0) as usize;
        ProducerPerf {
            command,
            config,
            producer: None,
            random: SplittableRandom::new(0),
            payload: vec![0; size],
            stats: None,
            sent: 0,
            start_ms: 0,
            ranges: std::collections::VecDeque::new(),
            pending_bytes: 0,
            sizes: std::collections::VecDeque::new(),
            done: None,
        }
    }

    fn start_of(&mut self, id: SendId) -> i64 {
        while self.ranges.front().is_some_and(|r| r.last < id) {
            self.ranges.pop_front();
        }
        match self.ranges.iter().find(|r| r.first <= id && id <= r.last) {
            Some(r) => r.start_ms,
            None => self.start_ms,
        }
    }

    fn collect(&mut self, cx: &mut ProcCx<'_>) {
        let Some(id) = self.producer else { return };
        for warning in cx.cluster.take_producer_warnings(id) {
            cx.stderr(super::console_producer::warning_line(cx.now_ms(), &self.config.client_id, warning));
        }
        let now = cx.now_ms();
        let mut out = String::new();
        let mut errors = String::new();
        for (send, result) in cx.cluster.take_send_results(id) {
            let size = self.sizes.binary_search_by(|e| e.0.cmp(&send)).ok().and_then(|i| self.sizes.remove(i));
            let bytes = size.map_or_else(|| self.payload.len() as i64, |(_, size)| i64::from(size));
            self.pending_bytes = self.pending_bytes.saturating_sub(bytes as u64 + RECORD_OVERHEAD_BYTES);
            let started = self.start_of(send);
            match result {
                SendResult::Failed(error) => {
                    // `exception.printStackTrace()`: its first line.
                    crate::shell::push_fmt(&mut errors, format_args!("{}: {}\n", super::exception_class(error.code), error.message));
                }
                _ => {
                    let stats = self.stats.as_mut().expect("stats exist once sending started");
                    stats.record((now - started).clamp(0, i64::from(i32::MAX)) as i32, bytes, now, &mut out);
                    stats.iteration += 1;
                }
            }
        }
        if !errors.is_empty() {
            cx.stderr(errors);
        }
        if !out.is_empty() {
            cx.stdout(out);
        }
    }

    /// Records the throttle lets through by now (`ThroughputThrottler`: about `throughput` per
    /// second since the start; unthrottled when not positive).
    fn allowed_by_now(&self, now_ms: i64) -> i64 {
        if self.command.throughput_milli <= 0 {
            return self.command.num_records;
        }
        // floor(elapsed * milli / 10^6) + 1 without 128-bit arithmetic: milli = q * 10^6 + r.
        // Exact while elapsed * r fits in i64 (292 years of simulated time); beyond, saturating.
        let elapsed_ms = now_ms - self.start_ms;
        let (q, r) = (self.command.throughput_milli / 1_000_000, self.command.throughput_milli % 1_000_000);
        let allowed = elapsed_ms.saturating_mul(q).saturating_add(elapsed_ms.saturating_mul(r) / 1_000_000).saturating_add(1);
        allowed.min(self.command.num_records)
    }

    fn send_some(&mut self, cx: &mut ProcCx<'_>) {
        let Some(producer) = self.producer else { return };
        let now = cx.now_ms();
        let target = self.allowed_by_now(now);
        let mut range: Option<SendRange> = None;
        while self.sent < target && self.pending_bytes < BUFFER_MEMORY_BYTES {
            let monotonic;
            let value: &[u8] = if self.command.record_size.is_some() {
                for byte in self.payload.iter_mut() {
                    *byte = (self.random.next_int(26) + 65) as u8;
                }
                &self.payload
            } else {
                monotonic = self.sent.to_string().into_bytes();
                &monotonic
            };
            let size = value.len();
            let record = ProducerRecord::new(&self.command.topic, None, Some(value));
            match cx.cluster.send(producer, record) {
                Ok(id) => {
                    if self.command.record_size.is_none() {
                        debug_assert!(self.sizes.back().is_none_or(|last| last.0 < id), "send ids ascend");
                        self.sizes.push_back((id, size as u32));
                    }
                    match range.as_mut() {
                        Some(r) if r.last + 1 == id => r.last = id,
                        _ => {
                            if let Some(r) = range.take() {
                                self.ranges.push_back(r);
                            }
                            range = Some(SendRange { first: id, last: id, start_ms: now });
                        }
                    }
                    self.pending_bytes += size as u64 + RECORD_OVERHEAD_BYTES;
                }
                Err(error) => {
                    // KafkaProducer.send throws for a record it cannot take: the tool dies.
                    cx.stderr(format!("Exception in thread \"main\" {}: {}\n", super::exception_class(error.code), error.message));
                    self.done = Some(1);
                    break;
                }
            }
            self.sent += 1;
        }
        if let Some(r) = range {
            self.ranges.push_back(r);
        }
    }
}

impl Process for ProducerPerf {
    fn poll(&mut self, cx: &mut ProcCx<'_>) -> ProcState {
        if let Some(status) = self.done {
            return ProcState::Exited(status);
        }
        if self.producer.is_none() {
            match cx.cluster.create_producer(self.config.clone()) {
                Ok(id) => self.producer = Some(id),
                Err(e) => {
                    // ProducerConfig's own checks throw ConfigException, unwrapped.
                    let class = if e.code == crate::engine::ErrorCode::INVALID_CONFIG { "config.ConfigException" } else { "KafkaException" };
                    cx.stderr(format!("Exception in thread \"main\" org.apache.kafka.common.{class}: {}\n", e.message));
                    self.done = Some(1);
                    return ProcState::Exited(1);
                }
            }
            self.start_ms = cx.now_ms();
            self.stats = Some(Stats::new(self.command.num_records, self.start_ms));
        }
        self.collect(cx);
        self.send_some(cx);
        if let Some(status) = self.done {
            return ProcState::Exited(status);
        }
        let id = self.producer.expect("created above");
        if self.sent >= self.command.num_records && cx.cluster.pending_sends(id) == 0 {
            // `producer.close()`, then `stats.printTotal()`.
            let _ = cx.cluster.close_producer(id);
            self.producer = None;
            let total = self.stats.as_mut().expect("stats exist").print_total(cx.now_ms());
            cx.stdout(total);
            if self.command.print_metrics {
                cx.stderr("kafka-producer-perf-test: --print-metrics: the producer's metrics are not simulated in the sandbox\n");
            }
            self.done = Some(0);
            return ProcState::Exited(0);
        }
        ProcState::Busy
    }

    fn signal(&mut self, cx: &mut ProcCx<'_>, signal: Signal) -> i32 {
        // No shutdown hook: the JVM exits and unsent records are lost.
        if let Some(id) = self.producer.take() {
            let _ = cx.cluster.close_producer_now(id);
        }
        signal.status()
    }

    fn busy_limit_ms(&self) -> i64 {
        PERF_BUSY_LIMIT_MS
    }
}

/// Starts the perf test (or fails the way the tool fails before it sends anything).
pub fn execute(command: ProducerPerfCommand, limits: crate::shell::WorkLimits) -> Exec {
    if command.num_records > limits.perf_records_max {
        return Exec::Done(Outcome::stderr(format!("kafka-producer-perf-test: this sandbox runs at most {} records per test\n", limits.perf_records_max), 1));
    }
    // Explicit limits: the simulation keeps every record in memory.
    if command.num_records > NUM_RECORDS_MAX || command.record_size.is_some_and(|s| s > RECORD_SIZE_MAX) {
        return Exec::Done(Outcome::stderr(format!("kafka-producer-perf-test: the sandbox runs at most {NUM_RECORDS_MAX} records of at most {RECORD_SIZE_MAX} bytes\n"), 1));
    }
    if let Some(prop) = &command.invalid_prop {
        return Exec::Done(Outcome::stderr(format!("Exception in thread \"main\" java.lang.IllegalArgumentException: Invalid property: {prop}\n"), 1));
    }
    if let Err(e) = producer_config(&command.producer_props) {
        return Exec::Done(Outcome::stderr(format!("Exception in thread \"main\" org.apache.kafka.common.config.ConfigException: {}\n", e.message), 1));
    }
    if command.transaction_duration_ms > 0 {
        return Exec::Done(Outcome::stderr("kafka-producer-perf-test: transactions are not simulated in the sandbox\n", 1));
    }
    Exec::Spawn(Box::new(ProducerPerf::new(command)))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    /// The perf test used a copy of the console producer's property parsing that lacked the
    /// idempotence and in-flight settings: `--producer-props enable.idempotence=false` was ignored.
    #[test]
    fn producer_props_honour_idempotence_and_in_flight_like_the_console_producer() {
        let props: BTreeMap<String, String> = [("enable.idempotence", "false"), ("max.in.flight.requests.per.connection", "1"), ("acks", "all")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let config = producer_config(&props).unwrap();
        assert_eq!(config.enable_idempotence, Some(false));
        assert_eq!(config.max_in_flight, 1);
        assert_eq!(config.acks, -1);
        assert_eq!(config.client_id, "perf-producer-client");
    }

    #[test]
    fn java_fixed_rounds_ties_away_from_zero() {
        assert_eq!(java_fixed(0.25, 1), "0.3");
        assert_eq!(java_fixed(-0.25, 1), "-0.3");
        assert_eq!(java_fixed(0.125, 2), "0.13");
        assert_eq!(java_fixed(2.0, 6), "2.000000");
        assert_eq!(java_fixed(1.0 / 3.0, 2), "0.33");
        assert_eq!(java_fixed(f64::INFINITY, 1), "Infinity");
    }

    /// Java's Formatter rounds `Double.toString`'s digits, not the binary value: these doubles lie
    /// just below the tie (1.005 is 1.00499999999999989...), and Java still rounds them up.
    #[test]
    fn java_fixed_rounds_the_shortest_digits_half_up_like_java_formatter() {
        assert_eq!(java_fixed(1.005, 2), "1.01");
        assert_eq!(java_fixed(2.675, 2), "2.68");
        assert_eq!(java_fixed(0.15, 1), "0.2");
        assert_eq!(java_fixed(9.995, 2), "10.00", "the carry runs into the integer part");
        assert_eq!(java_fixed(99.96, 1), "100.0");
        assert_eq!(java_fixed(0.004, 2), "0.00");
        assert_eq!(java_fixed(-0.004, 2), "-0.00", "the sign stays on a value that rounds to zero");
        assert_eq!(java_fixed(-0.0, 1), "-0.0");
        assert_eq!(java_fixed(0.0, 0), "0");
        assert_eq!(java_fixed(2.5, 0), "3");
        assert_eq!(java_fixed(1e21, 2), "1000000000000000000000.00");
        assert_eq!(java_fixed(1234.5678, 6), "1234.567800");
        assert_eq!(java_fixed(1.0 / 3.0, 6), "0.333333");
    }

    #[test]
    fn splittable_random_matches_java() {
        // new SplittableRandom(0).nextInt(26) + 65, ten times (JDK 17).
        let mut r = SplittableRandom::new(0);
        let text: String = (0..10).map(|_| (r.next_int(26) + 65) as u8 as char).collect();
        assert_eq!(text.len(), 10);
        assert!(text.bytes().all(|b| b.is_ascii_uppercase()));
    }
}
