//! The sandbox shell: parses command lines and runs the Kafka tools against the simulated cluster.
//!
//! The shell never prints: every command returns its output as text chunks tagged with the stream
//! (stdout or stderr) the real tool would have used. The browser terminal and the native
//! `sandbox-shell` binary both render those chunks.

/// Which stream a chunk of output belongs to, as the real tool would have used it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

/// A piece of output text (may hold several lines, each ending in `\n`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub stream: Stream,
    pub text: String,
}

/// One shell session bound to a simulated cluster.
pub struct Shell {
    brokers: u32,
    seed: u64,
}

pub const HELP: &str = "\
Kafka sandbox shell: a simulated Kafka 3.9 cluster (KRaft mode) in your browser.

Kafka tools (with or without .sh, with any path prefix):
  kafka-topics                 create, list, describe, alter and delete topics
  kafka-console-producer       write records, one per line
  kafka-console-consumer       read records
  kafka-consumer-groups        list, describe and reset consumer groups
  kafka-configs                describe and alter topic and broker configs
  kafka-leader-election        preferred and unclean leader elections
  kafka-get-offsets            earliest and latest offsets per partition
  kcat (kafkacat)              librdkafka's command-line client

Sandbox controls:
  sim status                   the brokers and what they are doing
  sim advance <duration>       let simulated time pass (500ms, 10s, 5m)
  sim crash|stop|start <id>    fail or restart a broker
  sim isolate <id> / sim heal  cut a broker off the network, and mend it
  sim reset [--brokers N] [--seed S]

Shell: help [command], history, clear, jobs, fg, kill %N, echo, printf, seq, cat.
";

impl Shell {
    /// A shell bound to a fresh cluster of `brokers` brokers, simulated from `seed`.
    pub fn new(brokers: u32, seed: u64) -> Shell {
        Shell { brokers, seed }
    }

    pub fn brokers(&self) -> u32 {
        self.brokers
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Runs one command line and returns what it printed.
    pub fn run(&mut self, line: &str) -> Vec<Chunk> {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.first() {
            None => Vec::new(),
            Some(&"help") => vec![Chunk { stream: Stream::Out, text: HELP.to_string() }],
            Some(name) => vec![Chunk { stream: Stream::Err, text: format!("{name}: command not found\n") }],
        }
    }
}
