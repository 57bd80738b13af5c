//! `sim export`: what a learner needs to rerun the session on a real cluster. A
//! `docker-compose.yml` for a KRaft cluster of `apache/kafka:3.9.0` containers, one per sandbox
//! broker, each in combined mode (broker and controller), with the external listener of broker
//! `i` on `localhost:909(1+i)` as in the sandbox, the sandbox's static broker settings
//! (replication factor and min ISR of the internal topics) and its dynamic broker configs as
//! `KAFKA_*` environment settings; then the session's commands since the last `sim reset`, with
//! what an interactive tool read from the terminal turned into a here-document, and the
//! sandbox-only lines (`sim ...`, `docker-compose up`) left as comments.

use crate::engine::{Cluster, ConfigResource, ConfigSource};

/// The sandbox's commands kept for export (the oldest are dropped beyond this).
pub const COMMANDS_MAX: usize = 5_000;
/// Lines typed into one interactive tool kept for export.
pub const TOOL_LINES_MAX: usize = 10_000;

/// One command line of the session, and what its foreground tool read from the terminal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoggedCommand {
    pub text: String,
    /// Lines typed while the command's tool read the terminal (None: it never did).
    pub typed: Option<Vec<String>>,
}

/// The cluster id every exported compose file uses (any 22-character base64 UUID will do).
const CLUSTER_ID: &str = "4L6g3nShT-eMCtK--X86sw";

/// Commands worth rerunning: the Kafka tools and kcat (with their shell plumbing). Other
/// builtins (history, jobs, clear, ...) are left out; `sim` and `docker` lines become comments.
fn classify(text: &str) -> Option<bool> {
    let first = text.split_whitespace().next().unwrap_or("");
    if text.split_whitespace().take(2).eq(["sim", "export"]) {
        return None;
    }
    let tool = super::Tool::from_command(first);
    if matches!(tool, Some(super::Tool::Sim) | Some(super::Tool::DockerCompose)) {
        return Some(false);
    }
    let mentions_tool = text.split(|c: char| c.is_whitespace() || c == '|' || c == ';' || c == '&').any(|w| {
        matches!(super::Tool::from_command(w), Some(t) if t != super::Tool::Sim && t != super::Tool::DockerCompose)
    });
    mentions_tool.then_some(true)
}

/// The compose file and the commands, as `sim export` prints them.
pub fn export(cluster: &Cluster, brokers: u32, commands: &[LoggedCommand]) -> String {
    let mut out = String::new();
    out.push_str("# docker-compose.yml: a real Kafka 3.9 cluster (KRaft, combined mode) shaped like this sandbox.\n");
    crate::shell::push_fmt(&mut out, format_args!("# {brokers} broker(s); clients reach broker i at localhost:909(1+i), as in the sandbox.\n"));
    out.push_str("# Start it with `docker compose up -d`; the commands of this session follow the file.\n");
    out.push_str("services:\n");
    let voters: Vec<String> = (1..=brokers).map(|id| format!("{id}@kafka-{id}:29093")).collect();
    let shared = shared_settings(cluster);
    for id in 1..=brokers {
        let port = 9091 + id;
        crate::shell::push_fmt(&mut out, format_args!("  kafka-{id}:\n"));
        out.push_str("    image: apache/kafka:3.9.0\n");
        crate::shell::push_fmt(&mut out, format_args!("    hostname: kafka-{id}\n"));
        crate::shell::push_fmt(&mut out, format_args!("    container_name: kafka-{id}\n"));
        crate::shell::push_fmt(&mut out, format_args!("    ports:\n      - \"{port}:{port}\"\n"));
        out.push_str("    environment:\n");
        let mut env: Vec<(String, String)> = vec![
            ("KAFKA_NODE_ID".into(), id.to_string()),
            ("KAFKA_PROCESS_ROLES".into(), "broker,controller".into()),
            ("KAFKA_LISTENERS".into(), format!("INTERNAL://:19092,EXTERNAL://:{port},CONTROLLER://:29093")),
            ("KAFKA_ADVERTISED_LISTENERS".into(), format!("INTERNAL://kafka-{id}:19092,EXTERNAL://localhost:{port}")),
            ("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP".into(), "CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT".into()),
            ("KAFKA_INTER_BROKER_LISTENER_NAME".into(), "INTERNAL".into()),
            ("KAFKA_CONTROLLER_LISTENER_NAMES".into(), "CONTROLLER".into()),
            ("KAFKA_CONTROLLER_QUORUM_VOTERS".into(), voters.join(",")),
            ("CLUSTER_ID".into(), CLUSTER_ID.into()),
            // With any KAFKA_* variable set the image ignores its default server.properties.
            ("KAFKA_LOG_DIRS".into(), "/tmp/kraft-combined-logs".into()),
        ];
        env.extend(shared.iter().cloned());
        if let Ok(entries) = cluster.describe_configs(&ConfigResource::Broker(Some(id as i32))) {
            for e in entries.into_iter().filter(|e| e.source == ConfigSource::DynamicBrokerConfig) {
                env.push((env_name(&e.name), e.value));
            }
        }
        for (k, v) in env {
            crate::shell::push_fmt(&mut out, format_args!("      {k}: {}\n", yaml_scalar(&v)));
        }
    }
    out.push_str("\n# The session's commands (run them where the Kafka 3.9 tools are installed; in the\n");
    out.push_str("# apache/kafka image they are /opt/kafka/bin/<tool>.sh). Sandbox-only lines are comments.\n");
    for command in commands {
        match classify(&command.text) {
            None => {}
            Some(false) => {
                for line in command.text.lines() {
                    crate::shell::push_fmt(&mut out, format_args!("# (sandbox) {line}\n"));
                }
            }
            Some(true) => {
                out.push_str(&command.text);
                match &command.typed {
                    Some(lines) if !command.text.contains("<<") => {
                        out.push_str(" <<'EOF'\n");
                        for line in lines {
                            out.push_str(line);
                            out.push('\n');
                        }
                        out.push_str("EOF\n");
                    }
                    _ => out.push('\n'),
                }
            }
        }
    }
    out
}

/// Static broker settings of the sandbox and its cluster-wide dynamic defaults, for every broker.
fn shared_settings(cluster: &Cluster) -> Vec<(String, String)> {
    let mut env = Vec::new();
    for name in ["offsets.topic.replication.factor", "transaction.state.log.replication.factor", "transaction.state.log.min.isr"] {
        if let Some(value) = cluster.static_broker_config(name) {
            env.push((env_name(name), value));
        }
    }
    if let Ok(entries) = cluster.describe_configs(&ConfigResource::Broker(None)) {
        for e in entries.into_iter().filter(|e| e.source == ConfigSource::DynamicDefaultBrokerConfig) {
            env.push((env_name(&e.name), e.value));
        }
    }
    env
}

/// `log.retention.ms` -> `KAFKA_LOG_RETENTION_MS` (the image's convention: dots become `_`,
/// dashes `__`, underscores `___`).
fn env_name(config: &str) -> String {
    let mut out = String::from("KAFKA_");
    for c in config.chars() {
        match c {
            '.' => out.push('_'),
            '-' => out.push_str("__"),
            '_' => out.push_str("___"),
            c => out.push(c.to_ascii_uppercase()),
        }
    }
    out
}

/// Values quoted so YAML keeps them strings (`3` would otherwise be a number; compose wants
/// strings in `environment`).
fn yaml_scalar(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn config_names_map_to_the_images_environment_names() {
        assert_eq!(env_name("offsets.topic.replication.factor"), "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR");
        assert_eq!(env_name("a_b-c"), "KAFKA_A___B__C");
    }

    #[test]
    fn only_tool_lines_are_rerun_and_sandbox_lines_become_comments() {
        assert_eq!(classify("kafka-topics --list"), Some(true));
        assert_eq!(classify("echo a | kcat -P -b localhost:9092 -t t"), Some(true));
        assert_eq!(classify("sim crash 1"), Some(false));
        assert_eq!(classify("docker-compose up"), Some(false));
        assert_eq!(classify("history"), None);
    }
}
