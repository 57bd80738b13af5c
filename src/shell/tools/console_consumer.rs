//! `kafka-console-consumer` (3.9: `tools/.../consumer/ConsoleConsumerOptions.java`): options and
//! the checks of `checkRequiredArgs`, `checkConsumerGroup`, `parseOffset` and the
//! `auto.offset.reset` rule.

use std::collections::BTreeMap;

use super::{key_values, parse_jopt, specs, usage_error, value_error, Bootstrap, Env};
use crate::shell::process::{ProcCx, ProcState, Process, Signal};
use crate::shell::Outcome;

/// Where a `--partition` consumer starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartOffset {
    Earliest,
    Latest,
    At(i64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerCommand {
    pub bootstrap: Bootstrap,
    /// `--topic` or, with `include`, a regular expression.
    pub topic: Option<String>,
    pub include: Option<String>,
    pub partition: Option<i32>,
    pub offset: StartOffset,
    /// The group given (`--group` or `group.id` property); None: `console-consumer-<random>`
    /// without offset commits (unless `enable.auto.commit` is set explicitly).
    pub group: Option<String>,
    pub from_beginning: bool,
    /// `auto.offset.reset` after the precedence rule.
    pub auto_offset_reset: String,
    pub max_messages: Option<i32>,
    pub timeout_ms: Option<i64>,
    pub isolation_level: String,
    pub consumer_props: BTreeMap<String, String>,
    /// `--property` values for the formatter (print.key, key.separator, ...).
    pub formatter_props: BTreeMap<String, String>,
    pub skip_message_on_error: bool,
}

pub fn parse(invoked: &str, args: &[String], env: &Env) -> Result<ConsumerCommand, Outcome> {
    let p = parse_jopt(
        invoked,
        specs::CONSOLE_CONSUMER,
        args,
        "This tool helps to read data from Kafka topics and outputs it to standard output.",
    )?;
    let v = |name: &'static str| p.value(name).map_err(|e| value_error(invoked, e));
    let topic = v("topic")?;
    let include = match v("include")? {
        Some(i) => Some(i),
        None => v("whitelist")?,
    };
    if topic.is_some() as u8 + include.is_some() as u8 != 1 {
        let mut message = "Exactly one of --include/--topic is required. ".to_string();
        if p.has("whitelist") {
            message.push_str("--whitelist is DEPRECATED use --include instead; ignored if --include specified.");
        }
        return Err(usage_error(invoked, &message));
    }
    let partition = p.int("partition").map_err(|e| value_error(invoked, e))?;
    if partition.is_some() {
        if !p.has("topic") {
            return Err(usage_error(invoked, "The topic is required when partition is specified."));
        }
        if p.has("from-beginning") && p.has("offset") {
            return Err(usage_error(invoked, "Options from-beginning and offset cannot be specified together."));
        }
    } else if p.has("offset") {
        return Err(usage_error(invoked, "The partition is required when offset is specified."));
    }
    if !p.has("bootstrap-server") {
        return Err(super::missing_required(invoked, "bootstrap-server"));
    }
    let consumer_props = key_values(&p.values("consumer-property"));
    let mut groups: Vec<String> = Vec::new();
    if let Some(g) = v("group")? {
        groups.push(g);
    }
    if let Some(g) = consumer_props.get("group.id") {
        if !groups.contains(g) {
            groups.push(g.clone());
        }
    }
    if groups.len() > 1 {
        let detected: Vec<String> = groups.iter().map(|g| format!("'{g}'")).collect();
        return Err(usage_error(
            invoked,
            &format!(
                "The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: {}",
                detected.join(", ")
            ),
        ));
    }
    if !groups.is_empty() && partition.is_some() {
        return Err(usage_error(invoked, "Options group and partition cannot be specified together."));
    }
    let from_beginning = p.has("from-beginning");
    let auto_offset_reset = match consumer_props.get("auto.offset.reset") {
        Some(reset) => {
            if from_beginning && reset != "earliest" {
                return Err(usage_error(
                    invoked,
                    &format!(
                        "Can't simultaneously specify --from-beginning and 'auto.offset.reset={reset}', please remove one option"
                    ),
                ));
            }
            reset.clone()
        }
        None if from_beginning => "earliest".into(),
        None => "latest".into(),
    };
    let offset_text = v("offset")?.unwrap_or_else(|| "latest".into());
    let offset = if partition.is_some() && !p.has("offset") && from_beginning {
        StartOffset::Earliest
    } else {
        match offset_text.to_ascii_lowercase().as_str() {
            "earliest" => StartOffset::Earliest,
            "latest" => StartOffset::Latest,
            _ => match offset_text.parse::<i64>() {
                Ok(n) if n >= 0 => StartOffset::At(n),
                _ => {
                    return Err(usage_error(
                        invoked,
                        &format!(
                            "The provided offset value '{offset_text}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."
                        ),
                    ))
                }
            },
        }
    };
    let max_messages = p.int("max-messages").map_err(|e| value_error(invoked, e))?;
    let timeout_ms = p.long("timeout-ms").map_err(|e| value_error(invoked, e))?;
    let isolation_level = consumer_props
        .get("isolation.level")
        .filter(|_| !p.has("isolation-level"))
        .cloned()
        .unwrap_or(v("isolation-level")?.unwrap_or_else(|| "read_uncommitted".into()));
    Ok(ConsumerCommand {
        bootstrap: Bootstrap::new(&v("bootstrap-server")?.unwrap_or_default(), env),
        topic,
        include,
        partition,
        offset,
        group: groups.into_iter().next(),
        from_beginning,
        auto_offset_reset,
        max_messages,
        timeout_ms,
        isolation_level,
        consumer_props,
        formatter_props: key_values(&p.values("property")),
        skip_message_on_error: p.has("skip-message-on-error"),
    })
}

/// Runs `kafka-console-consumer` against the cluster: a process printing records as they arrive
/// while simulated time advances.
pub fn execute(session: &mut crate::shell::Session<'_>, command: ConsumerCommand) -> crate::shell::Exec {
    let _ = session;
    crate::shell::Exec::Spawn(Box::new(ConsoleConsumer::new(command)))
}

/// In a non-interactive run, a consumer with neither `--max-messages` nor `--timeout-ms` stops
/// after this much simulated time without a record (a script cannot press Ctrl-C).
pub const SCRIPT_IDLE_STOP_MS: i64 = 1_000;

/// The running tool.
pub struct ConsoleConsumer {
    command: ConsumerCommand,
    consumer: Option<crate::engine::ConsumerId>,
    started: bool,
    processed: u64,
    last_activity_ms: i64,
    /// When a poll last returned records (or the tool started): `--timeout-ms` is the timeout
    /// of one `consumer.poll`, so the time spent joining the group counts towards it.
    last_records_ms: i64,
    done: Option<i32>,
    /// Set when no bootstrap address reaches the sandbox: the client retries its connections
    /// (WARN lines with the reconnect backoff) and never gets a record.
    unreachable: Option<(super::console_producer::Unreachable, String)>,
}

impl ConsoleConsumer {
    pub fn new(command: ConsumerCommand) -> ConsoleConsumer {
        ConsoleConsumer { command, consumer: None, started: false, processed: 0, last_activity_ms: 0, last_records_ms: 0, done: None, unreachable: None }
    }

    /// A consumer whose bootstrap list names no sandbox broker. Unresolvable host names make the
    /// KafkaConsumer constructor throw (before `run`'s try/finally, so no `Processed a total`
    /// line); `localhost` with a wrong port refuses every connection, and `poll` keeps returning
    /// nothing until `--timeout-ms` or Ctrl-C.
    fn poll_unreachable(&mut self, cx: &mut ProcCx<'_>) -> ProcState {
        let now = cx.now_ms();
        let Some((u, client)) = self.unreachable.as_mut() else { return ProcState::Exited(1) };
        if u.nodes.is_empty() {
            let mut text = super::console_producer::Unreachable::resolve_warnings(&self.command.bootstrap, now);
            crate::shell::push_fmt(&mut text, format_args!(
                "{} ERROR Unknown error when running consumer:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.KafkaException: Failed to construct kafka consumer\nCaused by: org.apache.kafka.common.config.ConfigException: No resolvable bootstrap urls given in bootstrap.servers\n",
                super::log_time(now)
            ));
            cx.stderr(text);
            self.done = Some(1);
            return ProcState::Exited(1);
        }
        if u.next_attempt_ms == 0 {
            u.next_attempt_ms = now;
        }
        let mut out = String::new();
        let timeout_at = self.command.timeout_ms.map(|t| self.last_records_ms + t);
        u.attempts_until(timeout_at.map_or(now, |t| t.min(now)), client, &mut out);
        if !out.is_empty() {
            cx.stderr(out);
        }
        if let Some(at) = timeout_at {
            if now >= at {
                cx.stderr(format!(
                    "{} ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.errors.TimeoutException\n",
                    super::log_time(at)
                ));
                return ProcState::Exited(self.finish(cx, 0));
            }
            return ProcState::Busy;
        }
        if cx.background {
            return ProcState::Idle;
        }
        if now - self.last_activity_ms < SCRIPT_IDLE_STOP_MS {
            return ProcState::Busy;
        }
        if !cx.interactive {
            // A script has nobody to press Ctrl-C (see SCRIPT_IDLE_STOP_MS).
            return ProcState::Exited(self.finish(cx, 0));
        }
        ProcState::Idle
    }

    /// `client.id`, or the tool's default.
    fn client_id(&self) -> String {
        self.command.consumer_props.get("client.id").cloned().unwrap_or_else(|| "console-consumer".into())
    }

    /// The group given, or the tool's own: `console-consumer-` + Random.nextInt(100000).
    fn group_or_random(&self, cx: &mut ProcCx<'_>) -> String {
        match &self.command.group {
            Some(g) => g.clone(),
            None => format!("console-consumer-{}", cx.cluster.random_below(100_000)),
        }
    }

    fn start(&mut self, cx: &mut ProcCx<'_>) -> Result<(), String> {
        use crate::engine::client_config::{parse_number, CONSUMER_NUMBERS};
        use crate::engine::{ConsumerConfig, Isolation, OffsetReset, Strategy, TopicPartition};
        let mut cfg = ConsumerConfig { client_id: self.client_id(), ..Default::default() };
        let explicit_commit = self.command.consumer_props.get("enable.auto.commit").map(|v| v.eq_ignore_ascii_case("true"));
        if self.command.partition.is_none() {
            // The tool's own group commits nothing unless asked to.
            cfg.enable_auto_commit = explicit_commit.unwrap_or(self.command.group.is_some());
            cfg.group_id = Some(self.group_or_random(cx));
        }
        let c = &self.command;
        let props = &c.consumer_props;
        cfg.auto_offset_reset = OffsetReset::parse(&c.auto_offset_reset).ok_or_else(|| {
            format!("Invalid value {} for configuration auto.offset.reset: String must be one of: latest, earliest, none", c.auto_offset_reset)
        })?;
        cfg.isolation_level = if c.isolation_level == "read_committed" { Isolation::ReadCommitted } else { Isolation::ReadUncommitted };
        let mut numbers = BTreeMap::new();
        for (k, v) in props {
            if let Some(n) = parse_number(CONSUMER_NUMBERS, k, v).map_err(|e| e.message)? {
                numbers.insert(k.as_str(), n);
            }
        }
        let num = |k: &str| numbers.get(k).copied();
        if let Some(v) = num("request.timeout.ms") {
            cfg.request_timeout_ms = v;
        }
        if let Some(v) = num("retry.backoff.ms") {
            cfg.retry_backoff_ms = v;
        }
        if let Some(v) = num("fetch.max.wait.ms") {
            cfg.fetch_max_wait_ms = v;
        }
        if let Some(v) = num("default.api.timeout.ms") {
            cfg.default_api_timeout_ms = v;
        }
        if let Some(v) = num("session.timeout.ms") {
            cfg.session_timeout_ms = v;
        }
        if let Some(v) = num("heartbeat.interval.ms") {
            cfg.heartbeat_interval_ms = v;
        }
        if let Some(v) = num("max.poll.interval.ms") {
            cfg.max_poll_interval_ms = v;
        }
        if let Some(v) = num("auto.commit.interval.ms") {
            cfg.auto_commit_interval_ms = v;
        }
        if let Some(v) = num("max.poll.records") {
            cfg.max_poll_records = v as usize;
        }
        if let Some(v) = props.get("allow.auto.create.topics") {
            cfg.allow_auto_create_topics = v.trim().eq_ignore_ascii_case("true");
        }
        if let Some(list) = props.get("partition.assignment.strategy") {
            let mut strategies = Vec::new();
            for name in list.split(',').filter(|s| !s.trim().is_empty()) {
                strategies.push(Strategy::from_name(name).map_err(|_| format!("Class {} cannot be found", name.trim()))?);
            }
            cfg.partition_assignment_strategy = strategies;
        }
        let id = cx.cluster.create_consumer(cfg).map_err(|e| e.message)?;
        self.consumer = Some(id);
        match (c.partition, &c.topic, &c.include) {
            (Some(p), Some(t), _) => {
                let tp = TopicPartition::new(t.as_str(), p);
                cx.cluster.assign(id, std::slice::from_ref(&tp)).map_err(|e| e.message)?;
                match c.offset {
                    StartOffset::Earliest => cx.cluster.seek_to(id, &[tp], OffsetReset::Earliest),
                    StartOffset::Latest => cx.cluster.seek_to(id, &[tp], OffsetReset::Latest),
                    StartOffset::At(o) => cx.cluster.seek(id, &tp, o),
                }
                .map_err(|e| e.message)?;
            }
            (None, Some(t), _) => cx.cluster.subscribe(id, &[t.as_str()]).map_err(|e| e.message)?,
            (_, _, Some(pattern)) => {
                // Pattern subscription, evaluated against the topics that exist now (internal
                // topics excluded, as `exclude.internal.topics` does).
                let re = crate::shell::regex::Regex::new(pattern).map_err(|e| e.0)?;
                let topics: Vec<String> = cx.cluster.topic_names().into_iter().filter(|t| !t.starts_with("__") && re.matches(t)).collect();
                let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
                cx.cluster.subscribe(id, &refs).map_err(|e| e.message)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The client's WARN lines (the tools' log4j config shows WARN and above on stderr); INFO
    /// lines such as offset resets stay hidden, as with the real tool.
    fn print_client_warnings(&mut self, cx: &mut ProcCx<'_>, id: crate::engine::ConsumerId) {
        let group = cx.cluster.consumer_info(id).and_then(|info| info.group_id);
        let client_id = self.client_id();
        let prefix = match group {
            Some(g) => format!("[Consumer clientId={client_id}, groupId={g}]"),
            None => format!("[Consumer clientId={client_id}]"),
        };
        for log in cx.cluster.take_consumer_logs(id) {
            if let crate::engine::ConsumerLog::MetadataIssue { correlation_id, topic, error } = log {
                cx.stderr(format!(
                    "{} WARN {prefix} The metadata response from the cluster reported a recoverable issue with correlation id {correlation_id} : {{{topic}={}}} (org.apache.kafka.clients.NetworkClient)\n",
                    super::log_time(cx.now_ms()),
                    error.name()
                ));
            }
        }
    }

    fn finish(&mut self, cx: &mut ProcCx<'_>, status: i32) -> i32 {
        if let Some(id) = self.consumer.take() {
            let in_group = cx.cluster.consumer_info(id).is_some_and(|info| info.group_id.is_some() && !info.member_id.is_empty());
            let _ = cx.cluster.close_consumer(id);
            if in_group {
                // `KafkaConsumer.close` commits (auto-commit) and waits for the LeaveGroup
                // answer before the tool exits: the group has moved on when the command ends.
                cx.cluster.advance(crate::engine::ROUND_TRIP_MS);
            }
        }
        cx.stderr(format!("Processed a total of {} messages\n", self.processed));
        self.done = Some(status);
        status
    }
}

/// `DefaultMessageFormatter.writeTo` with the formatter properties.
pub fn format_record(props: &BTreeMap<String, String>, r: &crate::engine::ConsumerRecord) -> Vec<u8> {
    let flag = |k: &str, d: bool| props.get(k).map_or(d, |v| v.trim().eq_ignore_ascii_case("true"));
    let (ts, partition, offset, headers, key, value) =
        (flag("print.timestamp", false), flag("print.partition", false), flag("print.offset", false), flag("print.headers", false), flag("print.key", false), flag("print.value", true));
    let sep = props.get("key.separator").cloned().unwrap_or_else(|| "\t".into());
    let line_sep = props.get("line.separator").cloned().unwrap_or_else(|| "\n".into());
    let headers_sep = props.get("headers.separator").cloned().unwrap_or_else(|| ",".into());
    let null_literal = props.get("null.literal").cloned().unwrap_or_else(|| "null".into());
    let bytes = |b: &Option<Vec<u8>>| b.clone().unwrap_or_else(|| null_literal.as_bytes().to_vec());
    let mut out: Vec<u8> = Vec::new();
    let write_sep = |out: &mut Vec<u8>, more: bool| {
        if more {
            out.extend_from_slice(sep.as_bytes());
        }
    };
    if ts {
        let kind = if r.log_append_time { "LogAppendTime" } else { "CreateTime" };
        out.extend_from_slice(format!("{kind}:{}", r.timestamp_ms).as_bytes());
        write_sep(&mut out, offset || partition || headers || key || value);
    }
    if partition {
        out.extend_from_slice(format!("Partition:{}", r.partition).as_bytes());
        write_sep(&mut out, offset || headers || key || value);
    }
    if offset {
        out.extend_from_slice(format!("Offset:{}", r.offset).as_bytes());
        write_sep(&mut out, headers || key || value);
    }
    if headers {
        if r.headers.is_empty() {
            out.extend_from_slice(b"NO_HEADERS");
        } else {
            for (i, h) in r.headers.iter().enumerate() {
                out.extend_from_slice(format!("{}:", h.key).as_bytes());
                out.extend_from_slice(&bytes(&h.value));
                if i + 1 < r.headers.len() {
                    out.extend_from_slice(headers_sep.as_bytes());
                }
            }
        }
        write_sep(&mut out, key || value);
    }
    if key {
        out.extend_from_slice(&bytes(&r.key));
        write_sep(&mut out, value);
    }
    if value {
        out.extend_from_slice(&bytes(&r.value));
        out.extend_from_slice(line_sep.as_bytes());
    }
    out
}

impl Process for ConsoleConsumer {
    fn poll(&mut self, cx: &mut ProcCx<'_>) -> ProcState {
        if let Some(s) = self.done {
            return ProcState::Exited(s);
        }
        if !self.started {
            self.started = true;
            self.last_activity_ms = cx.now_ms();
            self.last_records_ms = cx.now_ms();
            if !self.command.bootstrap.reachable() {
                let group = self.group_or_random(cx);
                let client_id = self.client_id();
                let u = super::console_producer::Unreachable::new(&self.command.bootstrap);
                self.unreachable = Some((u, format!("Consumer clientId={client_id}, groupId={group}")));
            }
            if self.unreachable.is_none() {
                if let Err(message) = self.start(cx) {
                    // ConsumerConfig's checks throw ConfigException before KafkaConsumer wraps.
                    let class = if is_config_exception(&message) { "config.ConfigException" } else { "KafkaException" };
                    cx.stderr(format!("{} ERROR Unknown error when running consumer:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.{class}: {message}\n", super::log_time(cx.now_ms())));
                    return ProcState::Exited(self.finish(cx, 1));
                }
            }
        }
        if self.unreachable.is_some() {
            return self.poll_unreachable(cx);
        }
        let Some(id) = self.consumer else { return ProcState::Exited(self.finish(cx, 1)) };
        let max = self.command.max_messages.filter(|m| *m >= 0).map(|m| m as u64);
        // Idle time counts from when the consumer is ready to read (joined, positions known).
        if let Some(info) = cx.cluster.consumer_info(id) {
            let joining = info.group_id.is_some() && self.command.partition.is_none() && info.state != crate::engine::MemberState::Stable;
            let unresolved = info.assignment.iter().any(|tp| cx.cluster.position(id, tp).is_none());
            if joining || unresolved {
                self.last_activity_ms = cx.now_ms();
            }
        }
        self.print_client_warnings(cx, id);
        match cx.cluster.poll(id) {
            Ok(records) => {
                if !records.is_empty() {
                    self.last_activity_ms = cx.now_ms();
                    self.last_records_ms = cx.now_ms();
                }
                let mut text = Vec::new();
                for r in &records {
                    if max.is_some_and(|m| self.processed >= m) {
                        // Fetched but not printed: seek back so they are not committed.
                        let _ = cx.cluster.seek(id, &crate::engine::TopicPartition::new(r.topic.as_str(), r.partition), r.offset);
                        break;
                    }
                    text.extend(format_record(&self.command.formatter_props, r));
                    self.processed += 1;
                }
                if !text.is_empty() {
                    cx.stdout(String::from_utf8_lossy(&text).into_owned());
                }
            }
            Err(e) => {
                cx.stderr(format!(
                    "{} ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\n{}: {}\n",
                    super::log_time(cx.now_ms()),
                    super::exception_class(e.code),
                    e.message
                ));
                return ProcState::Exited(self.finish(cx, 0));
            }
        }
        if max.is_some_and(|m| self.processed >= m) {
            return ProcState::Exited(self.finish(cx, 0));
        }
        let idle = cx.now_ms() - self.last_activity_ms;
        if let Some(t) = self.command.timeout_ms {
            if cx.now_ms() - self.last_records_ms >= t {
                cx.stderr(format!(
                    "{} ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.errors.TimeoutException\n",
                    super::log_time(cx.now_ms())
                ));
                return ProcState::Exited(self.finish(cx, 0));
            }
            return ProcState::Busy;
        }
        if cx.background {
            // A background job runs until it is killed, printing records as they arrive.
            return ProcState::Idle;
        }
        if !cx.interactive && max.is_none() {
            // A scripted run has nobody to press Ctrl-C: a foreground consumer stops once idle.
            if idle >= SCRIPT_IDLE_STOP_MS {
                return ProcState::Exited(self.finish(cx, 0));
            }
            return ProcState::Busy;
        }
        if max.is_some() && !cx.interactive {
            return ProcState::Busy;
        }
        // At a terminal: keep time running until the consumer has been idle a moment, then hand
        // the clock back (records still print as they arrive).
        if idle < SCRIPT_IDLE_STOP_MS {
            return ProcState::Busy;
        }
        ProcState::Idle
    }

    fn signal(&mut self, cx: &mut ProcCx<'_>, signal: Signal) -> i32 {
        if signal == Signal::Kill {
            // kill -9: no shutdown hook, so no commit, no LeaveGroup and no "Processed a total";
            // the coordinator notices after session.timeout.ms.
            if let Some(id) = self.consumer.take() {
                let _ = cx.cluster.crash_consumer(id);
            }
            self.done = Some(signal.status());
        } else if self.done.is_none() {
            self.finish(cx, signal.status());
        }
        signal.status()
    }
}

/// `ConfigException`'s message shape: "Invalid value <v> for configuration <name>...".
fn is_config_exception(message: &str) -> bool {
    message.starts_with("Invalid value ") && message.contains(" for configuration ")
}
