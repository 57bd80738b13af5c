//! `sim ...`: the sandbox's controls for what happens outside Kafka (time, faults, reset, export),
//! and `docker-compose up` / `docker compose up`, which the tutorial uses to start its cluster.

use super::Env;
use std::collections::BTreeMap;
use crate::shell::{Outcome, Session};

pub const SUBCOMMANDS: &[&str] =
    &["advance", "app", "consumer", "crash", "export", "heal", "isolate", "reset", "seed", "slow", "start", "status", "stop", "time"];

pub const HELP: &str = "\
sim: control the simulated cluster
  sim status                   the brokers and what they are doing
  sim time                     the simulated clock
  sim seed                     the seed this session was simulated from
  sim advance <duration>       let simulated time pass (500ms, 10s, 5m, 1h)
  sim crash <broker>           kill a broker (no controlled shutdown)
  sim stop <broker>            controlled shutdown of a broker
  sim start <broker>           start a stopped or crashed broker
  sim isolate <broker>         cut a broker off the network
  sim slow <broker> <delay>    slow a broker down: each replica fetch it sends waits <delay>
                               (e.g. 40s); a follower more than 30s behind leaves the ISR
  sim heal                     mend every network cut, make slow brokers normal again
  sim reset [--brokers N] [--seed S]
  sim export                   a docker-compose file and this session's Kafka commands
  sim consumer ...             consumers that process records and commit (sim consumer help)
  sim app start <name> --from <topic> --to <topic> --group <group>
                --guarantee at-most-once|at-least-once|exactly-once
                               start (or restart) an app copying records upper-cased
  sim app crash <name>         kill the app's process
  sim app list                 the apps, their state and records in/out
";

use crate::engine::cluster::BROKERS_MAX;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimCommand {
    Status,
    Time,
    Seed,
    Advance { ms: u64 },
    Crash { broker: u32 },
    Stop { broker: u32 },
    Start { broker: u32 },
    Isolate { broker: u32 },
    Slow { broker: u32, ms: u64 },
    Heal,
    Reset { brokers: Option<u32>, seed: Option<u64> },
    Export,
    /// `docker-compose up` / `docker compose up`.
    ComposeUp,
    /// `sim consumer ...` (see [`super::sim_consumer`]).
    Consumer(super::sim_consumer::Command),
    AppStart(crate::engine::AppSpec),
    AppCrash(String),
    AppList,
}

fn error(message: std::fmt::Arguments<'_>) -> Outcome {
    Outcome::stderr(format!("sim: {message}\n"), 1)
}

/// `500ms`, `10s`, `5m`, `1h`, `2d`; a bare number is milliseconds.
pub fn parse_duration_ms(text: &str) -> Option<u64> {
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok()?;
    let factor = match unit {
        "" | "ms" => 1,
        "s" => 1000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(factor).filter(|ms| *ms <= 365 * 86_400_000)
}

pub fn parse(_invoked: &str, args: &[String], env: &Env) -> Result<SimCommand, Outcome> {
    let Some(sub) = args.first() else {
        return Err(Outcome::stdout(HELP));
    };
    let broker = |what: &str| -> Result<u32, Outcome> {
        let Some(arg) = args.get(1) else {
            return Err(error(format_args!("{what}: which broker? (1..{})", env.brokers)));
        };
        let id = arg.strip_prefix("broker").unwrap_or(arg);
        match id.parse::<u32>() {
            Ok(id) if id >= 1 && id <= env.brokers => Ok(id),
            _ => Err(error(format_args!("{what}: no broker '{arg}' (brokers are 1..{})", env.brokers))),
        }
    };
    let extra = |n: usize| -> Result<(), Outcome> {
        match args.get(n) {
            Some(a) => Err(error(format_args!("{sub}: unexpected argument '{a}'"))),
            None => Ok(()),
        }
    };
    if sub == "consumer" {
        return super::sim_consumer::parse(&args[1..]).map(SimCommand::Consumer);
    }
    let command = match sub.as_str() {
        "status" => SimCommand::Status,
        "time" => SimCommand::Time,
        "seed" => SimCommand::Seed,
        "heal" => SimCommand::Heal,
        "export" => SimCommand::Export,
        "help" | "--help" | "-h" => return Err(Outcome::stdout(HELP)),
        "advance" => {
            let Some(d) = args.get(1) else { return Err(error(format_args!("advance: how long? e.g. sim advance 10s"))) };
            match parse_duration_ms(d) {
                Some(ms) => SimCommand::Advance { ms },
                None => return Err(error(format_args!("advance: invalid duration '{d}' (e.g. 500ms, 10s, 5m, 1h)"))),
            }
        }
        "app" => return parse_app(&args[1..]),
        "crash" => SimCommand::Crash { broker: broker("crash")? },
        "stop" => SimCommand::Stop { broker: broker("stop")? },
        "start" => SimCommand::Start { broker: broker("start")? },
        "isolate" => SimCommand::Isolate { broker: broker("isolate")? },
        "slow" => {
            let broker = broker("slow")?;
            let Some(d) = args.get(2) else { return Err(error(format_args!("slow: how slow? e.g. sim slow {broker} 40s"))) };
            match parse_duration_ms(d) {
                Some(ms) => SimCommand::Slow { broker, ms },
                None => return Err(error(format_args!("slow: invalid delay '{d}' (e.g. 500ms, 10s, 5m)"))),
            }
        }
        "reset" => {
            let (mut brokers, mut seed) = (None, None);
            let mut i = 1;
            while i < args.len() {
                let value = args.get(i + 1);
                match (args[i].as_str(), value) {
                    ("--brokers", Some(v)) => match v.parse::<u32>() {
                        Ok(n) if (1..=BROKERS_MAX).contains(&n) => brokers = Some(n),
                        _ => return Err(error(format_args!("reset: --brokers takes 1..{BROKERS_MAX}, not '{v}'"))),
                    },
                    ("--seed", Some(v)) => match v.parse::<u64>() {
                        Ok(s) => seed = Some(s),
                        _ => return Err(error(format_args!("reset: --seed takes a number, not '{v}'"))),
                    },
                    (flag @ ("--brokers" | "--seed"), None) => return Err(error(format_args!("reset: {flag} needs a value"))),
                    (other, _) => return Err(error(format_args!("reset: unknown option '{other}'"))),
                }
                i += 2;
            }
            SimCommand::Reset { brokers, seed }
        }
        other => return Err(error(format_args!("unknown command '{other}' (try: sim help)"))),
    };
    if matches!(command, SimCommand::Status | SimCommand::Time | SimCommand::Seed | SimCommand::Heal | SimCommand::Export) {
        extra(1)?;
    } else if matches!(command, SimCommand::Slow { .. }) {
        extra(3)?;
    } else if !matches!(command, SimCommand::Reset { .. }) {
        extra(2)?;
    }
    Ok(command)
}

const APP_USAGE: &str = "app start <name> --from <topic> --to <topic> --group <group> --guarantee at-most-once|at-least-once|exactly-once";

fn parse_app(args: &[String]) -> Result<SimCommand, Outcome> {
    match args.first().map(String::as_str) {
        Some("list") if args.len() == 1 => Ok(SimCommand::AppList),
        Some("crash") if args.len() == 2 => Ok(SimCommand::AppCrash(args[1].clone())),
        Some("crash") => Err(error(format_args!("app crash: which app? (sim app crash <name>)"))),
        Some("start") => {
            let Some(name) = args.get(1).filter(|n| !n.starts_with('-')) else { return Err(error(format_args!("usage: sim {APP_USAGE}"))) };
            let (mut from, mut to, mut group, mut guarantee) = (None, None, None, None);
            let mut i = 2;
            while i < args.len() {
                let Some(v) = args.get(i + 1) else { return Err(error(format_args!("app start: {} needs a value", args[i]))) };
                match args[i].as_str() {
                    "--from" => from = Some(v.clone()),
                    "--to" => to = Some(v.clone()),
                    "--group" => group = Some(v.clone()),
                    "--guarantee" => match crate::engine::Guarantee::parse(v) {
                        Some(g) => guarantee = Some(g),
                        None => return Err(error(format_args!("app start: --guarantee takes at-most-once, at-least-once or exactly-once, not '{v}'"))),
                    },
                    other => return Err(error(format_args!("app start: unknown option '{other}'"))),
                }
                i += 2;
            }
            match (from, to, group, guarantee) {
                (Some(from), Some(to), Some(group), Some(guarantee)) => Ok(SimCommand::AppStart(crate::engine::AppSpec { name: name.clone(), from, to, group, guarantee })),
                _ => Err(error(format_args!("usage: sim {APP_USAGE}"))),
            }
        }
        _ => Err(error(format_args!("usage: sim {APP_USAGE} | app crash <name> | app list"))),
    }
}

/// `sim app list`.
pub fn app_table(cluster: &crate::engine::Cluster) -> String {
    let apps = cluster.app_list();
    if apps.is_empty() {
        return "no apps (start one: sim app start <name> --from <topic> --to <topic> --group <group> --guarantee exactly-once)\n".into();
    }
    let rows: Vec<Vec<String>> = apps
        .iter()
        .map(|a| {
            vec![
                a.spec.name.clone(),
                a.spec.guarantee.name().to_string(),
                format!("{} -> {}", a.spec.from, a.spec.to),
                a.spec.group.clone(),
                a.state.to_string(),
                a.instance.to_string(),
                a.records_in.to_string(),
                a.records_out.to_string(),
            ]
        })
        .collect();
    let headers = ["APP", "GUARANTEE", "TOPICS", "GROUP", "STATE", "INSTANCE", "IN", "OUT"];
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.len());
        }
    }
    let mut out = String::new();
    let all = std::iter::once(headers.iter().map(|h| h.to_string()).collect::<Vec<_>>()).chain(rows);
    for r in all {
        let cells: Vec<(&str, usize)> = r.iter().zip(&widths).map(|(c, w)| (c.as_str(), *w)).collect();
        let mut line = String::new();
        super::push_row(&mut line, "", &cells, "  ", "");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `docker-compose up [-d]` and `docker compose up [-d]`.
pub fn parse_docker(invoked: &str, args: &[String], _env: &Env) -> Result<SimCommand, Outcome> {
    let rest: Vec<&str> = args.iter().map(String::as_str).collect();
    let rest = if invoked == "docker" {
        match rest.split_first() {
            Some((&"compose", tail)) => tail.to_vec(),
            _ => {
                return Err(Outcome::stderr("docker: the sandbox has no containers; only 'docker compose up' is simulated\n", 1))
            }
        }
    } else {
        rest
    };
    match rest.first() {
        Some(&"up") if rest[1..].iter().all(|a| *a == "-d" || *a == "--detach") => Ok(SimCommand::ComposeUp),
        _ => Err(Outcome::stderr(format!("{invoked}: only 'up' is simulated in the sandbox\n"), 1)),
    }
}

/// Runs a `sim` command against the cluster.
pub fn execute_offline(shell: &mut Session<'_>, command: &SimCommand) -> Option<Outcome> {
    let ok = |text: String| Some(Outcome::stdout(text));
    let fault = |r: Result<(), crate::engine::KafkaError>, done: String| match r {
        Ok(()) => Some(Outcome::stdout(done)),
        Err(e) => Some(error(format_args!("{}", e.message))),
    };
    match command {
        SimCommand::Seed => ok(format!("{}\n", shell.seed())),
        SimCommand::Time => ok(format!("{} ms\n", shell.now_ms())),
        SimCommand::Advance { ms } => {
            shell.advance_ms(*ms);
            Some(Outcome::default())
        }
        SimCommand::Crash { broker } => {
            let r = shell.cluster_mut().crash(*broker as i32);
            fault(r, format!("broker {broker} crashed (kill -9)\n"))
        }
        SimCommand::Stop { broker } => Some(stop(shell, *broker as i32)),
        SimCommand::Start { broker } => {
            let r = shell.cluster_mut().start(*broker as i32);
            fault(r, format!("broker {broker} is starting\n"))
        }
        SimCommand::Isolate { broker } => {
            let r = shell.cluster_mut().isolate(*broker as i32);
            fault(r, format!("broker {broker} is cut off the network\n"))
        }
        SimCommand::Slow { broker, ms } => {
            let r = shell.cluster_mut().slow(*broker as i32, *ms as i64);
            let text = if *ms == 0 { format!("broker {broker} is back to normal speed\n") } else { format!("broker {broker} is slow: each replica fetch it sends waits {ms} ms\n") };
            fault(r, text)
        }
        SimCommand::Heal => {
            let slow: Vec<i32> = shell.cluster().broker_ids().into_iter().filter(|b| shell.cluster().broker_slow_ms(*b) > 0).collect();
            shell.cluster_mut().heal();
            let mut text = String::from("every network cut is mended\n");
            for b in slow {
                text.push_str(&format!("broker {b} is back to normal speed\n"));
            }
            ok(text)
        }
        SimCommand::Status => ok(status(shell.cluster())),
        SimCommand::Reset { brokers, seed } => {
            let brokers = brokers.unwrap_or(shell.brokers());
            let seed = seed.unwrap_or(shell.seed());
            shell.world().reset(brokers, seed);
            ok(format!("a fresh cluster of {brokers} broker(s), seed {seed}\n"))
        }
        SimCommand::ComposeUp => ok(format!(
            "The sandbox's cluster is already up: {} simulated Kafka 3.9 broker(s) in KRaft mode, at localhost:9092..{}.\n",
            shell.brokers(),
            9091 + shell.brokers()
        )),
        SimCommand::Export => ok(shell.world().export()),
        SimCommand::Consumer(c) => Some(super::sim_consumer::execute(shell, c)),
        SimCommand::AppList => ok(app_table(shell.cluster())),
        SimCommand::AppCrash(name) => {
            let r = shell.cluster_mut().app_crash(name);
            fault(r, format!("app {name} crashed\n"))
        }
        SimCommand::AppStart(spec) => {
            let name = spec.name.clone();
            let r = shell.cluster_mut().app_start(spec.clone());
            let instance = shell.cluster().app_list().iter().find(|a| a.spec.name == name).map_or(1, |a| a.instance);
            let g = spec.guarantee.name();
            fault(r, format!("app {name} started (instance {instance}, {g}): {} -> {} as group {}\n", spec.from, spec.to, spec.group))
        }
    }
}

/// How long `sim stop` waits for a controlled shutdown (the engine's own timeout ends it sooner).
const STOP_WAIT_MS: i64 = 120_000;

/// `sim stop <id>`: a controlled shutdown, run to its end with simulated time passing for every
/// tool (as `kafka-server-stop.sh` waits for the broker process to exit); then what happened:
/// how long it took and where the broker's partition leaderships went.
fn stop(shell: &mut Session<'_>, broker: i32) -> Outcome {
    use crate::engine::ProcessState;
    let process_of = |cluster: &crate::engine::Cluster| cluster.broker_status().into_iter().find(|b| b.id == broker).map(|b| b.process);
    match process_of(shell.cluster()) {
        Some(ProcessState::Running) => {}
        Some(ProcessState::ShuttingDown) => {}
        Some(_) => return Outcome::stdout(format!("broker {broker} is not running\n")),
        None => return error(format_args!("stop: no broker {broker}")),
    }
    let led_before = leaders_of(shell.cluster(), broker);
    if let Err(e) = shell.cluster_mut().shutdown(broker) {
        return error(format_args!("{}", e.message));
    }
    let start = shell.now_ms();
    while process_of(shell.cluster()) == Some(ProcessState::ShuttingDown) && (shell.now_ms() as i64) - (start as i64) < STOP_WAIT_MS {
        shell.advance_ms(10);
    }
    let took = shell.now_ms() - start;
    let mut text = match process_of(shell.cluster()) {
        Some(ProcessState::ShuttingDown) => format!("broker {broker} is still shutting down after {took} ms\n"),
        _ => format!("broker {broker} stopped after a controlled shutdown ({took} ms)\n"),
    };
    let moved: Vec<String> = led_before
        .iter()
        .map(|(topic, partition)| {
            let leader = shell
                .cluster()
                .describe_topic(topic)
                .ok()
                .and_then(|d| d.partitions.into_iter().find(|p| p.id == *partition))
                .and_then(|p| p.leader);
            match leader {
                Some(l) => format!("  {topic}-{partition}: leader {broker} -> {l}\n"),
                None => format!("  {topic}-{partition}: leader {broker} -> none (offline)\n"),
            }
        })
        .collect();
    if moved.is_empty() {
        text.push_str("it led no partition\n");
    } else {
        crate::shell::push_fmt(&mut text, format_args!("it led {} partition(s):\n", moved.len()));
        for line in moved {
            text.push_str(&line);
        }
    }
    Outcome::stdout(text)
}

/// The partitions `broker` leads, in topic then partition order.
fn leaders_of(cluster: &crate::engine::Cluster, broker: i32) -> Vec<(String, i32)> {
    let mut led = Vec::new();
    for name in cluster.topic_names() {
        if let Ok(d) = cluster.describe_topic(&name) {
            for p in d.partitions {
                if p.leader == Some(broker) {
                    led.push((name.clone(), p.id));
                }
            }
        }
    }
    led
}

/// `sim status`: one line per broker.
pub fn status(cluster: &crate::engine::Cluster) -> String {
    use crate::engine::ProcessState;
    let mut leaders: BTreeMap<i32, usize> = BTreeMap::new();
    for name in cluster.topic_names() {
        if let Ok(d) = cluster.describe_topic(&name) {
            for p in d.partitions {
                if let Some(l) = p.leader {
                    *leaders.entry(l).or_default() += 1;
                }
            }
        }
    }
    let mut out = format!("time {} ms\n", cluster.now_ms());
    super::push_row(&mut out, "", &[("BROKER", 8), ("PROCESS", 15), ("FENCED", 8), ("ISOLATED", 10), ("SLOW", 10), ("CONTROLLER", 12), ("LEADERS", 0)], "", "\n");
    for b in cluster.broker_status() {
        let process = match b.process {
            ProcessState::Running => "running",
            ProcessState::ShuttingDown => "shutting down",
            ProcessState::Crashed => "crashed",
            ProcessState::Stopped => "stopped",
        };
        let controller = if b.is_controller { "active" } else if b.is_voter { "voter" } else { "-" };
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        // `sim slow`: each replica fetch the broker sends waits this long.
        let slow_ms = cluster.broker_slow_ms(b.id);
        let slow = if slow_ms > 0 { format!("{slow_ms} ms") } else { "no".to_string() };
        super::push_row(
            &mut out,
            "",
            &[
                (&b.id.to_string(), 8),
                (process, 15),
                (yes_no(b.fenced), 8),
                (yes_no(b.isolated), 10),
                (&slow, 10),
                (controller, 12),
                (&leaders.get(&b.id).copied().unwrap_or(0).to_string(), 0),
            ],
            "",
            "\n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("500ms"), Some(500));
        assert_eq!(parse_duration_ms("10s"), Some(10_000));
        assert_eq!(parse_duration_ms("5m"), Some(300_000));
        assert_eq!(parse_duration_ms("5x"), None);
        assert_eq!(parse_duration_ms("99999999999999999999d"), None);
    }
}
