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
    for spec in specs::CONSUMER_PERF.iter() {
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

// ---------------------------------------------------------------- execution

use crate::engine::{ConsumerConfig, ConsumerId, OffsetReset};
use crate::shell::process::{Exec, ProcCx, ProcState, Process, Signal};
use crate::shell::{Chunk, Session};

/// Polls that return records within one slice of simulated time (a bound on the work of one
/// slice; 500 records each).
const POLLS_PER_SLICE_MAX: u32 = 200;

/// Runs `ConsumerPerformance`: the header, then a subscribed consumer in its group reads until it
/// has `--messages` records or no record came for `--timeout` ms; then the summary line (and the
/// detailed lines every `--reporting-interval` with `--show-detailed-stats`), all in simulated
/// time.
pub fn execute(session: &mut Session<'_>, command: &ConsumerPerfCommand) -> Exec {
    let first = |name: &str| command.options.get(name).and_then(|v| v.first().cloned());
    let mut prefix = String::new();
    if command.options.contains_key("threads") || command.options.contains_key("num-fetch-threads") {
        prefix.push_str("WARNING: option [threads] and [num-fetch-threads] have been deprecated and will be ignored by the test\n");
    }
    let number = |name: &str, default: i64| first(name).and_then(|v| v.parse::<i64>().ok()).unwrap_or(default);
    let reporting_interval_ms = number("reporting-interval", 5_000);
    if reporting_interval_ms <= 0 {
        return Exec::Done(Outcome::fail(
            vec![Chunk::out(prefix), Chunk::err("Reporting interval must be greater than 0.\njava.lang.IllegalArgumentException: Reporting interval must be greater than 0.\n")],
            1,
        )
        .without_empty());
    }
    let detailed = command.options.contains_key("show-detailed-stats");
    if !command.options.contains_key("hide-header") {
        let extra = ", rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";
        if detailed {
            crate::shell::push_fmt(&mut prefix, format_args!("time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec{extra}\n"));
        } else {
            crate::shell::push_fmt(&mut prefix, format_args!("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec{extra}\n"));
        }
    }
    let group = match first("group") {
        Some(g) => g,
        None => format!("perf-consumer-{}", session.cluster_mut().random_below(100_000)),
    };
    Exec::Spawn(Box::new(ConsumerPerf {
        topic: first("topic").unwrap_or_default(),
        group,
        reachable: command.bootstrap.reachable(),
        from_latest: command.options.contains_key("from-latest"),
        fetch_size: number("fetch-size", 1_048_576).max(0) as u64,
        num_messages: number("messages", 0).min(session.limits().perf_records_max),
        timeout_ms: number("timeout", 10_000),
        reporting_interval_ms,
        detailed,
        date_format: first("date-format").unwrap_or_else(|| "yyyy-MM-dd HH:mm:ss:SSS".into()),
        prefix,
        consumer: None,
        start_ms: 0,
        join_start_ms: 0,
        join_ms: 0,
        join_ms_round: 0,
        assigned: false,
        messages: 0,
        bytes: 0,
        last_messages: 0,
        last_bytes: 0,
        last_report_ms: 0,
        last_consumed_ms: 0,
        next_poll_ms: 0,
        started: false,
        done: None,
    }))
}

struct ConsumerPerf {
    topic: String,
    group: String,
    reachable: bool,
    from_latest: bool,
    fetch_size: u64,
    num_messages: i64,
    timeout_ms: i64,
    reporting_interval_ms: i64,
    detailed: bool,
    date_format: String,
    prefix: String,
    consumer: Option<ConsumerId>,
    start_ms: i64,
    join_start_ms: i64,
    join_ms: i64,
    join_ms_round: i64,
    assigned: bool,
    messages: i64,
    bytes: i64,
    last_messages: i64,
    last_bytes: i64,
    last_report_ms: i64,
    last_consumed_ms: i64,
    next_poll_ms: i64,
    started: bool,
    done: Option<i32>,
}

/// Java's `%.4f`.
fn f4(v: f64) -> String {
    super::producer_perf::java_fixed(v, 4)
}

impl ConsumerPerf {
    fn start(&mut self, cx: &mut ProcCx<'_>) -> Result<(), String> {
        let now = cx.now_ms();
        self.start_ms = now;
        self.join_start_ms = now;
        self.last_report_ms = now;
        self.last_consumed_ms = now;
        self.next_poll_ms = now;
        if !self.reachable {
            return Ok(());
        }
        let config = ConsumerConfig {
            group_id: Some(self.group.clone()),
            client_id: "perf-consumer-client".into(),
            auto_offset_reset: if self.from_latest { OffsetReset::Latest } else { OffsetReset::Earliest },
            max_partition_fetch_bytes: self.fetch_size,
            ..ConsumerConfig::default()
        };
        let id = cx.cluster.create_consumer(config).map_err(|e| e.message)?;
        self.consumer = Some(id);
        cx.cluster.subscribe(id, &[self.topic.as_str()]).map_err(|e| e.message)?;
        Ok(())
    }

    /// `SimpleDateFormat` for the patterns letters the tool's default uses.
    fn date(&self, ms: i64) -> String {
        let stamp = super::log_time(ms); // [yyyy-MM-dd HH:mm:ss,SSS]
        let s = &stamp[1..stamp.len() - 1];
        let fields = [("yyyy", &s[0..4]), ("MM", &s[5..7]), ("dd", &s[8..10]), ("HH", &s[11..13]), ("mm", &s[14..16]), ("ss", &s[17..19]), ("SSS", &s[20..23])];
        let mut out = String::new();
        let mut rest = self.date_format.as_str();
        'outer: while !rest.is_empty() {
            for (pattern, value) in fields {
                if let Some(tail) = rest.strip_prefix(pattern) {
                    out.push_str(value);
                    rest = tail;
                    continue 'outer;
                }
            }
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }

    fn progress(&self, now: i64) -> String {
        let elapsed_ms = (now - self.last_report_ms) as f64;
        let total_mb = self.bytes as f64 / (1024.0 * 1024.0);
        let interval_mb = (self.bytes - self.last_bytes) as f64 / (1024.0 * 1024.0);
        let interval_messages = self.messages - self.last_messages;
        let fetch_ms = now - self.last_report_ms - self.join_ms_round;
        let per_fetch = |v: f64| if fetch_ms <= 0 { 0.0 } else { 1000.0 * v / fetch_ms as f64 };
        format!(
            "{}, 0, {}, {}, {}, {}, {}, {}, {}, {}\n",
            self.date(now),
            f4(total_mb),
            f4(1000.0 * interval_mb / elapsed_ms),
            self.messages,
            f4(interval_messages as f64 / elapsed_ms * 1000.0),
            self.join_ms_round,
            fetch_ms,
            f4(per_fetch(interval_mb)),
            f4(per_fetch(interval_messages as f64)),
        )
    }

    fn finish(&mut self, cx: &mut ProcCx<'_>) -> ProcState {
        let now = cx.now_ms();
        let mut out = String::new();
        if self.messages < self.num_messages {
            crate::shell::push_fmt(&mut out, format_args!(
                "WARNING: Exiting before consuming the expected number of messages: timeout ({} ms) exceeded. You can use the --timeout option to increase the timeout.\n",
                self.timeout_ms
            ));
        }
        if let Some(id) = self.consumer.take() {
            let _ = cx.cluster.close_consumer(id);
        }
        if !self.detailed {
            let elapsed_s = (now - self.start_ms) as f64 / 1000.0;
            let fetch_ms = (now - self.start_ms) - self.join_ms;
            let total_mb = self.bytes as f64 / (1024.0 * 1024.0);
            crate::shell::push_fmt(&mut out, format_args!(
                "{}, {}, {}, {}, {}, {}, {}, {}, {}, {}\n",
                self.date(self.start_ms),
                self.date(now),
                f4(total_mb),
                f4(total_mb / elapsed_s),
                self.messages,
                f4(self.messages as f64 / elapsed_s),
                self.join_ms,
                fetch_ms,
                f4(total_mb / (fetch_ms as f64 / 1000.0)),
                f4(self.messages as f64 / (fetch_ms as f64 / 1000.0)),
            ));
        }
        cx.stdout(out);
        self.done = Some(0);
        ProcState::Exited(0)
    }
}

impl Process for ConsumerPerf {
    fn poll(&mut self, cx: &mut ProcCx<'_>) -> ProcState {
        if let Some(status) = self.done {
            return ProcState::Exited(status);
        }
        if !self.started {
            self.started = true;
            if !self.prefix.is_empty() {
                cx.stdout(std::mem::take(&mut self.prefix));
            }
            if let Err(message) = self.start(cx) {
                cx.stderr(format!("{message}\n"));
                self.done = Some(1);
                return ProcState::Exited(1);
            }
        }
        // The loop: `while (messagesRead < numMessages && now - lastConsumed <= timeout)`. A poll
        // with records returns at once and the next follows at once (bounded per slice of
        // simulated time); `poll(100 ms)` without records returns as soon as a fetch brings some,
        // so an empty poll is retried at the next slice.
        let mut polls_left = POLLS_PER_SLICE_MAX;
        loop {
            let now = cx.now_ms();
            if self.messages >= self.num_messages || now - self.last_consumed_ms > self.timeout_ms {
                return self.finish(cx);
            }
            if now < self.next_poll_ms {
                return ProcState::Busy;
            }
            let records = match self.consumer {
                Some(id) => cx.cluster.poll(id).unwrap_or_default(),
                None => Vec::new(),
            };
            if !self.assigned {
                if let Some(info) = self.consumer.and_then(|id| cx.cluster.consumer_info(id)) {
                    if !info.assignment.is_empty() {
                        // onPartitionsAssigned: the join took from the start (or last revoke).
                        self.assigned = true;
                        let elapsed = now - self.join_start_ms;
                        self.join_ms += elapsed;
                        self.join_ms_round += elapsed;
                    }
                }
            }
            if records.is_empty() {
                self.next_poll_ms = now + 1;
                continue;
            }
            self.last_consumed_ms = now;
            let mut out = String::new();
            for record in &records {
                self.messages += 1;
                self.bytes += record.key.as_ref().map_or(0, |k| k.len() as i64) + record.value.as_ref().map_or(0, |v| v.len() as i64);
                if now - self.last_report_ms >= self.reporting_interval_ms {
                    if self.detailed {
                        out.push_str(&self.progress(now));
                    }
                    self.join_ms_round = 0;
                    self.last_report_ms = now;
                    self.last_messages = self.messages;
                    self.last_bytes = self.bytes;
                }
            }
            if !out.is_empty() {
                cx.stdout(out);
            }
            polls_left -= 1;
            if polls_left == 0 {
                self.next_poll_ms = now + 1;
            }
        }
    }

    fn signal(&mut self, cx: &mut ProcCx<'_>, signal: Signal) -> i32 {
        if let Some(id) = self.consumer.take() {
            // kill -9 runs no shutdown hook: no LeaveGroup, the group waits session.timeout.ms.
            let _ = if signal == Signal::Kill { cx.cluster.crash_consumer(id) } else { cx.cluster.close_consumer(id) };
        }
        signal.status()
    }

    fn busy_limit_ms(&self) -> i64 {
        // It always ends: at the latest --timeout ms after the last record.
        self.timeout_ms.clamp(0, 3_600_000) + 60_000
    }
}
