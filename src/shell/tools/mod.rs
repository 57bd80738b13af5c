//! The Kafka tools (and `kcat`, `sim`, `docker-compose`): name dispatch, option parsing with the
//! real tools' messages, and a typed, validated request per command.
//!
//! Each tool has its own module with a `parse(invoked, args, env) -> Result<Command, Outcome>`:
//! `Err` carries exactly what the real tool prints when its client-side checks fail (message,
//! stream and exit status); `Ok` is a request for the engine. Where the real tool prints its whole
//! option table after an error (`printUsageAndExit`), so do we.

pub mod client_config;
pub mod configs;
pub mod console_consumer;
pub mod console_producer;
pub mod export;
pub mod consumer_groups;
pub mod consumer_perf;
pub mod get_offsets;
pub mod kcat;
pub mod leader_election;
pub mod producer_perf;
pub mod sim;
pub mod sim_consumer;
pub mod specs;
pub mod topics;
pub mod transactions;

use std::collections::BTreeMap;

use super::jopt::{self, Parsed, Table};
use super::process::Exec;
use super::{Outcome, Session};

/// Lines a foreground tool accepts from the terminal before Ctrl-D.
pub const STDIN_LINES_MAX: usize = 100_000;

/// The Kafka version the tools report (`--version`).
pub const KAFKA_VERSION: &str = "3.9.0";

/// Every command the shell knows besides its builtins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tool {
    Topics,
    ConsoleProducer,
    ConsoleConsumer,
    ConsumerGroups,
    Configs,
    LeaderElection,
    GetOffsets,
    ProducerPerfTest,
    ConsumerPerfTest,
    Kcat,
    Sim,
    DockerCompose,
    Transactions,
}

/// The canonical names (without `.sh`), for dispatch, suggestions and completion.
pub const TOOL_NAMES: &[(&str, Tool)] = &[
    ("kafka-topics", Tool::Topics),
    ("kafka-console-producer", Tool::ConsoleProducer),
    ("kafka-console-consumer", Tool::ConsoleConsumer),
    ("kafka-consumer-groups", Tool::ConsumerGroups),
    ("kafka-configs", Tool::Configs),
    ("kafka-leader-election", Tool::LeaderElection),
    ("kafka-get-offsets", Tool::GetOffsets),
    ("kafka-producer-perf-test", Tool::ProducerPerfTest),
    ("kafka-consumer-perf-test", Tool::ConsumerPerfTest),
    ("kafka-transactions", Tool::Transactions),
    ("kcat", Tool::Kcat),
    ("kafkacat", Tool::Kcat),
    ("sim", Tool::Sim),
    ("docker-compose", Tool::DockerCompose),
    ("docker", Tool::DockerCompose),
];

/// Builtins known to the shell, for suggestions and completion.
pub const BUILTIN_NAMES: &[&str] = &[
    "cat", "cd", "clear", "echo", "export", "false", "fg", "help", "history", "jobs", "kill", "ls", "printf",
    "pwd", "rm", "seq", "sleep", "true",
];

impl Tool {
    /// Resolves `kafka-topics`, `kafka-topics.sh`, `bin/kafka-topics.sh`,
    /// `/app/confluent/bin/kafka-topics` and `kafkacat` alike.
    pub fn from_command(command: &str) -> Option<Tool> {
        let base = invoked_name(command);
        let base = base.strip_suffix(".sh").unwrap_or(&base);
        TOOL_NAMES.iter().find(|(name, _)| *name == base).map(|(_, tool)| *tool)
    }

    /// The name used in messages and help.
    pub fn name(self) -> &'static str {
        TOOL_NAMES.iter().find(|(_, t)| *t == self).map(|(n, _)| *n).unwrap_or("sim")
    }
}

/// The command's basename, as the tool sees itself (`/app/confluent/bin/kafka-topics` ->
/// `kafka-topics`).
pub fn invoked_name(command: &str) -> String {
    command.rsplit('/').next().unwrap_or(command).to_string()
}

/// What a tool may know about the session while it validates its arguments.
#[derive(Clone, Copy, Debug)]
pub struct Env {
    pub brokers: u32,
    /// The tool's stdin is a pipe or a here-document (not the terminal).
    pub stdin_piped: bool,
    /// The session is driven from a terminal.
    pub interactive: bool,
    pub seed: u64,
}

impl Env {
    /// The broker an address names, if it is one of the sandbox's: `localhost:9092+i`,
    /// `broker<i+1>:9092`, `kafka:9092`/`kafka<i+1>:9092|29092` (docker-compose style names).
    pub fn broker_for_address(&self, address: &str) -> Option<u32> {
        let (host, port) = address.rsplit_once(':')?;
        let port: u32 = port.parse().ok()?;
        let host = host.to_ascii_lowercase();
        let id = if host == "localhost" || host == "127.0.0.1" {
            port.checked_sub(9092)? + 1
        } else if let Some(n) = host.strip_prefix("broker").or_else(|| host.strip_prefix("kafka")) {
            if port != 9092 && port != 29092 {
                return None;
            }
            if n.is_empty() {
                1
            } else {
                n.parse().ok()?
            }
        } else {
            return None;
        };
        (id >= 1 && id <= self.brokers).then_some(id)
    }
}

/// The bootstrap list a tool was given, split at commas, with each address resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bootstrap {
    pub addresses: Vec<String>,
    /// For each address, the broker it names (None: unknown host: phase 2 must behave like the
    /// real client, i.e. connection warnings and a timeout).
    pub brokers: Vec<Option<u32>>,
}

impl Bootstrap {
    pub fn new(list: &str, env: &Env) -> Bootstrap {
        let addresses: Vec<String> = list.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
        let brokers = addresses.iter().map(|a| env.broker_for_address(a)).collect();
        Bootstrap { addresses, brokers }
    }

    /// True if at least one address reaches the sandbox.
    pub fn reachable(&self) -> bool {
        self.brokers.iter().any(Option::is_some)
    }
}

/// A validated command for the engine, one variant per tool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    Topics(topics::TopicsCommand),
    ConsoleProducer(console_producer::ProducerCommand),
    ConsoleConsumer(console_consumer::ConsumerCommand),
    ConsumerGroups(consumer_groups::GroupsCommand),
    Configs(configs::ConfigsCommand),
    LeaderElection(leader_election::ElectionCommand),
    GetOffsets(get_offsets::GetOffsetsCommand),
    ProducerPerfTest(producer_perf::ProducerPerfCommand),
    ConsumerPerfTest(consumer_perf::ConsumerPerfCommand),
    Kcat(kcat::KcatCommand),
    Sim(sim::SimCommand),
    Transactions(transactions::TransactionsCommand),
}

impl Request {
    /// True for tools that read their stdin (the terminal when nothing is piped).
    pub fn reads_terminal(&self) -> bool {
        match self {
            Request::ConsoleProducer(_) => true,
            Request::Kcat(k) => matches!(k.mode, kcat::Mode::Produce),
            _ => false,
        }
    }

    /// The tool's name as shown in the placeholder answer.
    fn tool_name(&self) -> &'static str {
        match self {
            Request::Topics(_) => "kafka-topics",
            Request::ConsoleProducer(_) => "kafka-console-producer",
            Request::ConsoleConsumer(_) => "kafka-console-consumer",
            Request::ConsumerGroups(_) => "kafka-consumer-groups",
            Request::Configs(_) => "kafka-configs",
            Request::LeaderElection(_) => "kafka-leader-election",
            Request::GetOffsets(_) => "kafka-get-offsets",
            Request::ProducerPerfTest(_) => "kafka-producer-perf-test",
            Request::ConsumerPerfTest(_) => "kafka-consumer-perf-test",
            Request::Kcat(_) => "kcat",
            Request::Sim(_) => "sim",
            Request::Transactions(_) => "kafka-transactions",
        }
    }
}

/// Parses and validates a tool's arguments.
pub fn parse(tool: Tool, invoked: &str, args: &[String], env: &Env) -> Result<Request, Outcome> {
    match tool {
        Tool::Topics => topics::parse(invoked, args, env).map(Request::Topics),
        Tool::ConsoleProducer => console_producer::parse(invoked, args, env).map(Request::ConsoleProducer),
        Tool::ConsoleConsumer => console_consumer::parse(invoked, args, env).map(Request::ConsoleConsumer),
        Tool::ConsumerGroups => consumer_groups::parse(invoked, args, env).map(Request::ConsumerGroups),
        Tool::Configs => configs::parse(invoked, args, env).map(Request::Configs),
        Tool::LeaderElection => leader_election::parse(invoked, args, env).map(Request::LeaderElection),
        Tool::GetOffsets => get_offsets::parse(invoked, args, env).map(Request::GetOffsets),
        Tool::ProducerPerfTest => producer_perf::parse(invoked, args, env).map(Request::ProducerPerfTest),
        Tool::ConsumerPerfTest => consumer_perf::parse(invoked, args, env).map(Request::ConsumerPerfTest),
        Tool::Kcat => kcat::parse(invoked, args, env).map(Request::Kcat),
        Tool::Sim => sim::parse(invoked, args, env).map(Request::Sim),
        Tool::DockerCompose => sim::parse_docker(invoked, args, env).map(Request::Sim),
        Tool::Transactions => transactions::parse(invoked, args, env).map(Request::Transactions),
    }
}

/// Runs a validated request against the cluster: a finished command, or a process that runs on
/// simulated time (see [`crate::shell::process`]).
pub fn execute(session: &mut Session<'_>, request: Request, stdin: Option<&str>) -> Exec {
    let _ = stdin;
    match request {
        Request::Topics(command) => Exec::Done(topics::execute(session, &command)),
        Request::ConsoleConsumer(command) => console_consumer::execute(session, command),
        Request::ConsumerGroups(command) => Exec::Done(consumer_groups::execute(session, &command)),
        Request::Configs(command) => Exec::Done(configs::execute(session, &command)),
        Request::LeaderElection(command) => Exec::Done(leader_election::execute(session, &command)),
        Request::GetOffsets(command) => Exec::Done(get_offsets::execute(session, &command)),
        Request::ProducerPerfTest(command) => producer_perf::execute(command, session.limits()),
        Request::ConsumerPerfTest(command) => consumer_perf::execute(session, &command),
        Request::Kcat(command) => kcat::execute(session, command),
        Request::Transactions(command) => Exec::Done(transactions::execute(session, &command)),
        Request::Sim(command) => match sim::execute_offline(session, &command) {
            Some(outcome) => Exec::Done(outcome),
            None => Exec::Done(not_connected(request_name(&Request::Sim(command)))),
        },
        Request::ConsoleProducer(command) => Exec::Spawn(Box::new(console_producer::ConsoleProducer::new(command))),
    }
}

fn request_name(request: &Request) -> &'static str {
    request.tool_name()
}

/// An admin client whose bootstrap list names no sandbox broker: it retries until
/// `default.api.timeout.ms` (60 s of simulated time) and then fails the call with
/// `Timed out waiting for a node assignment. Call: <call>`; `wrap` turns the message into the
/// tool's error output.
pub fn admin_unreachable(
    session: &mut Session<'_>,
    bootstrap: &Bootstrap,
    call: &str,
    wrap: impl FnOnce(&str) -> Outcome,
) -> Outcome {
    let _ = bootstrap;
    session.advance_ms(ADMIN_API_TIMEOUT_MS);
    wrap(&format!("Timed out waiting for a node assignment. Call: {call}"))
}

/// Simulated time 0 on the log4j clock: 2024-11-06 09:00:00 UTC (ms since the Unix epoch).
pub const SIM_EPOCH_MS: i64 = crate::engine::WALL_CLOCK_EPOCH_MS;

/// log4j's `[%d]` for a simulated instant: `[2024-11-06 09:00:01,234]`.
pub fn log_time(now_ms: i64) -> String {
    let t = SIM_EPOCH_MS + now_ms.max(0);
    let (days, ms_of_day) = (t.div_euclid(86_400_000), t.rem_euclid(86_400_000));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, sec, ms) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60, ms_of_day / 1000 % 60, ms_of_day % 1000);
    format!("[{year:04}-{month:02}-{day:02} {h:02}:{m:02}:{sec:02},{ms:03}]")
}

/// The Java exception class a protocol error surfaces as in the clients (`Errors.java`).
pub fn exception_class(code: crate::engine::ErrorCode) -> String {
    use crate::engine::ErrorCode as E;
    let simple = match code {
        E::REQUEST_TIMED_OUT => "TimeoutException".to_string(),
        E::INVALID_TOPIC_EXCEPTION => "InvalidTopicException".to_string(),
        E::MESSAGE_TOO_LARGE => "RecordTooLargeException".to_string(),
        E::RECORD_LIST_TOO_LARGE => "RecordBatchTooLargeException".to_string(),
        E::CORRUPT_MESSAGE => "CorruptRecordException".to_string(),
        E::NETWORK_EXCEPTION => "NetworkException".to_string(),
        E::UNKNOWN_SERVER_ERROR => "UnknownServerException".to_string(),
        E::TOPIC_ALREADY_EXISTS => "TopicExistsException".to_string(),
        E::INVALID_CONFIG => "InvalidConfigurationException".to_string(),
        E::NON_EMPTY_GROUP => "GroupNotEmptyException".to_string(),
        other => {
            let camel: String = other
                .name()
                .split('_')
                .map(|w| {
                    let lower = w.to_ascii_lowercase();
                    let mut chars = lower.chars();
                    match chars.next() {
                        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                        None => String::new(),
                    }
                })
                .collect();
            format!("{camel}Exception")
        }
    };
    format!("org.apache.kafka.common.errors.{simple}")
}

impl Outcome {
    /// Drops empty chunks (a tool that printed nothing).
    pub fn without_empty(mut self) -> Outcome {
        self.chunks.retain(|c| !c.text.is_empty());
        self
    }
}

/// `default.api.timeout.ms`.
pub const ADMIN_API_TIMEOUT_MS: u64 = 60_000;

/// What a tool not yet wired to the engine answers.
pub fn not_connected(tool: &str) -> Outcome {
    Outcome::stderr(format!("{tool}: not connected to the cluster yet\n"), 1)
}

/// `name: command not found`, with a suggestion when a known command is one or two edits away.
pub fn not_found(name: &str) -> Outcome {
    let base = invoked_name(name);
    let base_no_sh = base.strip_suffix(".sh").unwrap_or(&base).to_string();
    let mut best: Option<(usize, &str)> = None;
    let candidates = TOOL_NAMES.iter().map(|(n, _)| *n).chain(BUILTIN_NAMES.iter().copied());
    for candidate in candidates {
        let distance = edit_distance(&base_no_sh, candidate);
        let limit = if candidate.len() > 6 { 3 } else { 1 };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let mut text = format!("{name}: command not found\n");
    if let Some((_, suggestion)) = best {
        crate::shell::push_fmt(&mut text, format_args!("Did you mean '{suggestion}'?\n"));
    }
    Outcome::stderr(text, 127)
}

/// Levenshtein distance over characters (inputs are short command names; bounded cost).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = if ca == cb { 0 } else { 1 };
            current.push((previous[j] + cost).min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The one-line summary `help <tool>` shows.
pub fn summary(tool: Tool) -> String {
    let name = tool.name();
    let what = match tool {
        Tool::Topics => "Create, delete, describe, or change a topic.",
        Tool::ConsoleProducer => "Read data from standard input and publish it to Kafka.",
        Tool::ConsoleConsumer => "Read data from Kafka topics and output it to standard output.",
        Tool::ConsumerGroups => "List all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.",
        Tool::Configs => "Add/Remove entity config for a topic, client, user, broker or ip.",
        Tool::LeaderElection => "Elect the preferred or an unclean leader for partitions.",
        Tool::GetOffsets => "Get the earliest or latest offsets of topic partitions.",
        Tool::ProducerPerfTest => "Test the producer performance.",
        Tool::ConsumerPerfTest => "Test the consumer performance.",
        Tool::Kcat => "Generic non-JVM producer and consumer for Apache Kafka (librdkafka).",
        Tool::Sim => return sim::HELP.to_string(),
        Tool::DockerCompose => "Start the sandbox's simulated cluster (as the tutorial's docker-compose up).",
        Tool::Transactions => "This tool is used to analyze the transactional state of producers in the cluster. It can be used to detect and recover from hanging transactions.",
    };
    format!("{name}: {what}\nRun '{name} --help' for its options.\n")
}

// ---- column tables ----

/// Appends `lead`, then each `(cell, width)` left-aligned and space-padded to `width` characters
/// (as `{cell:<width$}`), with `sep` between cells, then `end`. One copy for every tool's
/// column table.
#[inline(never)]
pub fn push_row(out: &mut String, lead: &str, cells: &[(&str, usize)], sep: &str, end: &str) {
    out.push_str(lead);
    for (i, (cell, width)) in cells.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(cell);
        for _ in cell.chars().count()..*width {
            out.push(' ');
        }
    }
    out.push_str(end);
}

// ---- helpers shared by the jopt-simple tools ----

/// `CommandLineUtils.printUsageAndExit(parser, message)`: the message and the tool's whole
/// option table, on stderr, exit 1.
pub fn usage_error(invoked: &str, message: &str) -> Outcome {
    match jopt_table(invoked) {
        Some(table) => usage_full(message, &[jopt::DEFAULT_OPTS, table]),
        None => Outcome::stderr(format!("{message}\nRun '{invoked} --help' for the full list of options.\n"), 1),
    }
}

/// The option table of a jopt-simple tool, by the name it was invoked as.
fn jopt_table(invoked: &str) -> Option<Table> {
    Some(tool_specs(Tool::from_command(invoked)?)).filter(|table| !table.0.is_empty())
}

/// A jopt-simple `OptionException` thrown by `parser.parse(args)`, as each tool's `main` lets
/// it out (stack traces left out): kafka-topics and kafka-leader-election print the message and
/// then the trace (`mainNoExit`); kafka-consumer-groups parses outside `main`'s try, so the JVM
/// reports it; kafka-configs prints the message alone; the others print the usage.
pub fn parse_failure(invoked: &str, message: &str) -> Outcome {
    let class = jopt_exception_class(message);
    match Tool::from_command(invoked) {
        Some(Tool::Topics | Tool::LeaderElection) => Outcome::stderr(format!("{message}\njoptsimple.{class}: {message}\n"), 1),
        Some(Tool::ConsumerGroups) => Outcome::stderr(format!("Exception in thread \"main\" joptsimple.{class}: {message}\n"), 1),
        Some(Tool::Configs) => Outcome::stderr(format!("{message}\n"), 1),
        _ => usage_error(invoked, message),
    }
}

/// The jopt-simple exception class behind one of its messages.
pub(super) fn jopt_exception_class(message: &str) -> &'static str {
    if message.ends_with("is not a recognized option") {
        "UnrecognizedOptionException"
    } else if message.ends_with("requires an argument") {
        "OptionMissingRequiredArgumentException"
    } else if message.starts_with("Missing required option(s)") {
        "MissingRequiredOptionsException"
    } else if message.starts_with("Found multiple arguments") {
        "MultipleArgumentsForOptionException"
    } else {
        "OptionArgumentConversionException"
    }
}

/// `printUsageAndExit(parser, message)` for `--help` or no arguments: the message and the real
/// option table, on stderr, exit 1 (as Kafka's tools do even for `--help`).
pub fn usage_full(message: &str, specs: &[Table]) -> Outcome {
    Outcome::stderr(format!("{message}\n{}", jopt::help_table(specs)), 1)
}

/// Parses with jopt-simple rules and handles `--help`/`--version`/no arguments the way
/// `CommandLineUtils.maybePrintHelpOrVersion` does. `help_message` is the tool's one-liner.
pub fn parse_jopt(
    invoked: &str,
    specs: Table,
    args: &[String],
    help_message: &str,
) -> Result<Parsed, Outcome> {
    let all: [Table; 2] = [jopt::DEFAULT_OPTS, specs];
    let parsed = jopt::parse(&all, args).map_err(|e| parse_failure(invoked, &e.0))?;
    if args.is_empty() || parsed.has("help") {
        return Err(usage_full(help_message, &all));
    }
    if parsed.has("version") {
        return Err(Outcome::stdout(format!("{KAFKA_VERSION}\n")));
    }
    Ok(parsed)
}

/// `Missing required argument "[name]"` (CommandLineUtils.checkRequiredArgs).
pub fn missing_required(invoked: &str, name: &str) -> Outcome {
    usage_error(invoked, &format!("Missing required argument \"[{name}]\""))
}

/// `Option "[a]" can't be used with option "[b]"` (CommandLineUtils.checkInvalidArgs).
pub fn invalid_with(invoked: &str, used: &str, invalid: &str) -> Outcome {
    usage_error(invoked, &format!("Option \"[{used}]\" can't be used with option \"[{invalid}]\""))
}

/// checkInvalidArgs(used, invalid...) in declaration order: the first invalid one present.
pub fn check_invalid(invoked: &str, p: &Parsed, used: &str, invalid: &[&str]) -> Result<(), Outcome> {
    if p.has(used) {
        if let Some(bad) = invalid.iter().find(|o| p.has(o)) {
            return Err(invalid_with(invoked, used, bad));
        }
    }
    Ok(())
}

/// [`check_invalid`] for each `(used, invalid)` rule in order: the first violation.
pub fn check_rules(invoked: &str, p: &Parsed, rules: &[(&str, &[&str])]) -> Result<(), Outcome> {
    rules.iter().try_for_each(|(used, invalid)| check_invalid(invoked, p, used, invalid))
}

/// A jopt value access error (repeated option, bad number) as the tool prints it: the console
/// producer and kafka-configs read their values inside `main`'s try, whose OptionException case
/// prints the message alone; the console consumer reads them in ConsoleConsumerOptions'
/// constructor, before `main`'s try, so the JVM reports the exception; the others print the
/// usage.
pub fn value_error(invoked: &str, e: jopt::OptError) -> Outcome {
    match Tool::from_command(invoked) {
        Some(Tool::ConsoleProducer | Tool::Configs) => Outcome::stderr(format!("{}\n", e.0), 1),
        Some(Tool::ConsoleConsumer) => {
            Outcome::stderr(format!("Exception in thread \"main\" joptsimple.{}: {}\n", jopt_exception_class(&e.0), e.0), 1)
        }
        _ => usage_error(invoked, &e.0),
    }
}

/// `CommandLineUtils.parseKeyValueArgs`: `k=v` (value may contain `=`; missing value is "").
pub fn key_values(values: &[String]) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for v in values {
        match v.split_once('=') {
            Some((k, val)) => map.insert(k.to_string(), val.to_string()),
            None => map.insert(v.clone(), String::new()),
        };
    }
    map
}

/// The names tab completion offers besides tools and flags: what exists in the session now.
#[derive(Clone, Debug, Default)]
pub struct CompletionNames<'a> {
    pub files: Vec<&'a str>,
    pub topics: Vec<String>,
    pub groups: Vec<String>,
    pub transactional_ids: Vec<String>,
}

/// kcat's single-letter options (kcat.c's getopt string, the ones the sandbox knows).
const KCAT_FLAGS: &[&str] = &["-b", "-C", "-P", "-L", "-Q", "-G", "-t", "-p", "-o", "-e", "-c", "-f", "-K", "-k", "-J", "-Z", "-X", "-D", "-E", "-q", "-u", "-l", "-T", "-V", "-h"];
/// `kafka-producer-perf-test`'s argparse options.
const PRODUCER_PERF_FLAGS: &[&str] = &["--topic", "--num-records", "--payload-delimiter", "--throughput", "--producer-props", "--producer.config", "--print-metrics", "--transactional-id", "--transaction-duration-ms", "--record-size", "--payload-file", "--payload-monotonic", "--help"];
/// `kafka-transactions`: its global options and subcommands.
const TRANSACTIONS_WORDS: &[&str] = &["--bootstrap-server", "--command-config", "--help", "--version", "--transactional-id", "list", "describe"];

/// What a flag's value names, for completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueKind {
    Topic,
    Group,
    File,
    TransactionalId,
}

/// What the word after `flag` names, for the flags whose value is a topic, a group, a file or a
/// transactional id.
fn value_kind(tool: Tool, flag: &str) -> Option<ValueKind> {
    match (tool, flag) {
        (Tool::Kcat, "-t") => Some(ValueKind::Topic),
        (Tool::Kcat, "-G") => Some(ValueKind::Group),
        (Tool::Kcat, _) => None,
        (_, "--topic" | "--entity-name" | "--whitelist" | "--include") => Some(ValueKind::Topic),
        (_, "--group") => Some(ValueKind::Group),
        (_, "--from-file" | "--path-to-json-file" | "--producer.config" | "--consumer.config" | "--command-config" | "--payload-file" | "--config-file") => Some(ValueKind::File),
        (Tool::Transactions, "--transactional-id") => Some(ValueKind::TransactionalId),
        _ => None,
    }
}

/// Tab completion candidates for the last word of `line`: tool and builtin names first, then
/// each tool's flags, and after a flag that takes one, the topic, group, file or transactional
/// id names that exist now.
pub fn complete(line: &str, names: &CompletionNames<'_>) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let ends_with_space = line.ends_with(' ') || line.is_empty();
    let partial = if ends_with_space { "" } else { words.last().copied().unwrap_or("") };
    let first_word = words.len() <= 1 && !ends_with_space;
    // The word before the one being completed (a flag whose value this may be).
    let previous = if ends_with_space { words.last().copied() } else if words.len() >= 2 { Some(words[words.len() - 2]) } else { None };
    let mut out: Vec<String> = Vec::new();
    let offer = |candidates: &mut dyn Iterator<Item = &str>, out: &mut Vec<String>| {
        for c in candidates {
            if c.starts_with(partial) {
                out.push(c.to_string());
            }
        }
    };
    if first_word || words.is_empty() {
        let tools = TOOL_NAMES.iter().map(|(n, _)| *n).chain(BUILTIN_NAMES.iter().copied()).filter(|n| *n != "docker");
        offer(&mut tools.into_iter(), &mut out);
    } else if let Some(tool) = words.first().and_then(|w| Tool::from_command(w)) {
        // `--topic=na<TAB>` style values are not split; values follow their flag as a word.
        match previous.and_then(|f| value_kind(tool, f)) {
            Some(ValueKind::Topic) => offer(&mut names.topics.iter().map(String::as_str), &mut out),
            Some(ValueKind::Group) => offer(&mut names.groups.iter().map(String::as_str), &mut out),
            Some(ValueKind::File) => offer(&mut names.files.iter().copied(), &mut out),
            Some(ValueKind::TransactionalId) => offer(&mut names.transactional_ids.iter().map(String::as_str), &mut out),
            None => {
                if partial.starts_with('-') || partial.is_empty() || tool == Tool::Transactions {
                    let flags: Vec<String> = match tool {
                        Tool::Kcat => KCAT_FLAGS.iter().map(|f| f.to_string()).collect(),
                        Tool::ProducerPerfTest => PRODUCER_PERF_FLAGS.iter().map(|f| f.to_string()).collect(),
                        Tool::Transactions => TRANSACTIONS_WORDS.iter().map(|f| f.to_string()).collect(),
                        _ => tool_specs(tool).iter().map(|spec| format!("--{}", spec.name)).collect(),
                    };
                    offer(&mut flags.iter().map(String::as_str), &mut out);
                }
                if tool == Tool::Sim && words.len() <= 2 && !partial.starts_with('-') {
                    offer(&mut sim::SUBCOMMANDS.iter().copied(), &mut out);
                }
            }
        }
    } else {
        offer(&mut names.files.iter().copied(), &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// The option table of a jopt-simple tool (empty for kcat/sim).
pub fn tool_specs(tool: Tool) -> Table {
    match tool {
        Tool::Topics => specs::TOPICS,
        Tool::ConsoleProducer => specs::CONSOLE_PRODUCER,
        Tool::ConsoleConsumer => specs::CONSOLE_CONSUMER,
        Tool::ConsumerGroups => specs::CONSUMER_GROUPS,
        Tool::Configs => specs::CONFIGS,
        Tool::LeaderElection => specs::LEADER_ELECTION,
        Tool::GetOffsets => specs::GET_OFFSETS,
        Tool::ConsumerPerfTest => specs::CONSUMER_PERF,
        Tool::ProducerPerfTest | Tool::Kcat | Tool::Sim | Tool::DockerCompose | Tool::Transactions => Table(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn tool_names_resolve_with_any_prefix_or_suffix() {
        for name in ["kafka-topics", "kafka-topics.sh", "bin/kafka-topics.sh", "/app/confluent/bin/kafka-topics"] {
            assert_eq!(Tool::from_command(name), Some(Tool::Topics), "{name}");
        }
        assert_eq!(Tool::from_command("kafkacat"), Some(Tool::Kcat));
        assert_eq!(Tool::from_command("kafka-topic"), None);
    }

    #[test]
    fn tab_completes_tools_flags_topics_groups_and_files() {
        let names = CompletionNames {
            files: vec!["plan.csv", "view.txt"],
            topics: vec!["orders".into(), "other".into(), "test".into()],
            groups: vec!["billing".into(), "consumer-1".into()],
            transactional_ids: Vec::new(),
        };
        assert_eq!(complete("kafka-consumer-g", &names), vec!["kafka-consumer-groups"]);
        assert_eq!(complete("kafka-topics --describe --top", &names), vec!["--topic", "--topic-id", "--topics-with-overrides"]);
        assert_eq!(complete("kafka-topics --describe --topic o", &names), vec!["orders", "other"]);
        assert_eq!(complete("/app/confluent/bin/kafka-console-consumer --topic ", &names), vec!["orders", "other", "test"]);
        assert_eq!(complete("kafka-consumer-groups --describe --group c", &names), vec!["consumer-1"]);
        assert_eq!(complete("kafka-consumer-groups --reset-offsets --from-file p", &names), vec!["plan.csv"]);
        assert_eq!(complete("kafka-configs --entity-type topics --entity-name t", &names), vec!["test"]);
        assert_eq!(complete("kcat -b localhost:9092 -t or", &names), vec!["orders"]);
        assert_eq!(complete("kcat -b localhost:9092 -G b", &names), vec!["billing"]);
        assert_eq!(complete("kcat -Z -", &names).len(), KCAT_FLAGS.len());
        assert_eq!(complete("kafka-producer-perf-test --num", &names), vec!["--num-records"]);
        assert_eq!(complete("kafka-transactions --bootstrap-server localhost:9092 d", &names), vec!["describe"]);
        assert_eq!(complete("sim cr", &names), vec!["crash"]);
        assert_eq!(complete("cat v", &names), vec!["view.txt"]);
        // Every jopt tool offers every one of its flags.
        for (name, tool) in TOOL_NAMES {
            for spec in tool_specs(*tool).iter() {
                let flag = format!("--{}", spec.name);
                assert!(complete(&format!("{name} {flag}"), &names).contains(&flag), "{name} {flag}");
            }
        }
    }

    #[test]
    fn sandbox_addresses_resolve_to_brokers() {
        let env = Env { brokers: 3, stdin_piped: false, interactive: true, seed: 1 };
        assert_eq!(env.broker_for_address("localhost:9092"), Some(1));
        assert_eq!(env.broker_for_address("localhost:9094"), Some(3));
        assert_eq!(env.broker_for_address("localhost:9095"), None);
        assert_eq!(env.broker_for_address("broker2:9092"), Some(2));
        assert_eq!(env.broker_for_address("kafka:9092"), Some(1));
        assert_eq!(env.broker_for_address("example.com:9092"), None);
    }

    #[test]
    fn log_time_is_log4j_format_from_the_sim_epoch() {
        assert_eq!(log_time(0), "[2024-11-06 09:00:00,000]");
        assert_eq!(log_time(86_400_000 + 61_234), "[2024-11-07 09:01:01,234]");
    }

    #[test]
    fn errors_surface_as_java_exception_classes() {
        use crate::engine::ErrorCode;
        assert_eq!(exception_class(ErrorCode::NOT_ENOUGH_REPLICAS), "org.apache.kafka.common.errors.NotEnoughReplicasException");
        assert_eq!(exception_class(ErrorCode::REQUEST_TIMED_OUT), "org.apache.kafka.common.errors.TimeoutException");
    }

    #[test]
    fn near_misses_get_a_suggestion() {
        let o = not_found("kafka-topic");
        assert_eq!(o.status, 127);
        assert_eq!(o.chunks[0].text, "kafka-topic: command not found\nDid you mean 'kafka-topics'?\n");
        assert_eq!(not_found("zzzzzz").chunks[0].text, "zzzzzz: command not found\n");
    }
}
