//! Fuzz test: at least 100,000 random and mutated command lines per run, mutated from a corpus of
//! valid commands (the tutorial's and the transcripts'). No input may panic, and every complete
//! line must be answered (Ctrl-C is sent whenever the shell waits for more input, so the session
//! always returns to the prompt). The seed is printed on failure; `SHELL_FUZZ_SEED=n` replays it.
//!
//! The sandbox runs with [`WorkLimits::small`]: a mutated `sim advance 10990s`, `sleep 39999` or
//! `--num-records 1000000` would otherwise cost seconds of wall time each (that made this test
//! take minutes); with the limits every line still drives the real tools and engine, for at most
//! a few simulated seconds and a few thousand records.

use kafka_sandbox::shell::{Mode, Shell, WorkLimits};

const CORPUS: &[&str] = &[
    "/app/confluent/bin/kafka-consumer-groups --bootstrap-server localhost:9092 --list",
    "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 1 --topic test",
    "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic test",
    "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning",
    "/app/confluent/bin/kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning --group consumer-1",
    "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 100 --topic test",
    "/app/confluent/bin/kafka-console-producer --broker-list localhost:9092 --topic test2 --property \"parse.key=true\" --property \"key.separator=:\"",
    "/app/confluent/bin/kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 1 --topic compacted --config min.cleanable.dirty.ratio=0.01 --config cleanup.policy=compact --config segment.ms=100 --config delete.retention.ms=100",
    "kafkacat -b localhost:9092 -t compacted -e",
    "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092 --list",
    "/app/confluent/bin/kafka-topics --replication-factor x",
    "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092 --describe test",
    "/app/confluent/bin/kafka-topics --config min.insync.replicas=x",
    "/app/confluent/bin/kafka-topics --bootstrap-server localhost:9092  --delete --topic test",
    "docker-compose up",
    "echo 'a:b' | kafka-console-producer --bootstrap-server localhost:9092 --topic t --property parse.key=true",
    "printf '%s\\n' a b c | kcat -b localhost:9092 -t t -P -K:",
    "seq 1 10 | kafka-console-producer --bootstrap-server localhost:9092 --topic t &",
    "cat <<EOF | kafka-console-producer --bootstrap-server localhost:9092 --topic t\na\nb\nEOF",
    "kafka-consumer-groups --bootstrap-server localhost:9092 --reset-offsets --group g --topic t:0,1 --to-offset 5 --execute",
    "kafka-configs --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name t --add-config retention.ms=1000",
    "kafka-leader-election --bootstrap-server localhost:9092 --election-type unclean --topic t --partition 0",
    "kafka-get-offsets --bootstrap-server localhost:9092 --topic t --time -1",
    "kafka-producer-perf-test --topic t --num-records 100 --throughput -1 --record-size 10 --producer-props bootstrap.servers=localhost:9092 acks=all",
    "kcat -b localhost:9092 -C -t t -o beginning -f '%k:%s\\n' -e -J -X partitioner=murmur2_random",
    "sim advance 10s; sim crash 2; sim status && jobs || echo no",
    "sleep 3 & jobs; fg %1; kill %1",
    "echo \"$? ${X}\" > f.txt 2>&1; cat f.txt >> g.txt; cat g.txt",
    "kafka-topics --help",
    "kafka-console-consumer --help",
    "kcat -h",
    "printf 'k1:a\\nk2:b\\n' | kcat -b localhost:9092 -t t -P -K: -X partitioner=murmur2_random -H h=v -p 0",
    "kcat -b localhost:9092 -P -t t -Z -k key -D ';' -c 3 -T",
    "kcat -Q -b localhost:9092 -t t:0:-1 -t t:1:1730883600000",
    "kafka-consumer-perf-test --bootstrap-server localhost:9092 --topic t --messages 50 --timeout 2000 --show-detailed-stats --reporting-interval 100",
    "sim export",
    "sim stop 2; sim start 2",
    "kafka-console-producer --bootstrap-server localhost:9999 --topic t",
];

/// splitmix64: a small seeded generator (no dependencies).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ALPHABET: &[char] = &[
    ' ', '\'', '"', '\\', '$', '?', '|', '&', ';', '<', '>', '(', ')', '#', '-', '=', ':', ',', '%', '\t', '{', '}',
    'a', 'z', '0', '9', 'é', '\u{0}', '*', '`', '\n',
];

fn mutate(rng: &mut Rng, line: &str) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        match rng.below(6) {
            0 if !chars.is_empty() => {
                let i = rng.below(chars.len());
                chars.remove(i);
            }
            1 => {
                let i = rng.below(chars.len() + 1);
                chars.insert(i, ALPHABET[rng.below(ALPHABET.len())]);
            }
            2 if !chars.is_empty() => {
                let i = rng.below(chars.len());
                chars[i] = ALPHABET[rng.below(ALPHABET.len())];
            }
            3 => {
                // Splice a piece of another corpus line.
                let other: Vec<char> = CORPUS[rng.below(CORPUS.len())].chars().collect();
                let a = rng.below(other.len());
                let b = a + rng.below(other.len() - a + 1);
                let i = rng.below(chars.len() + 1);
                for (k, c) in other[a..b].iter().enumerate() {
                    chars.insert(i + k, *c);
                }
            }
            4 if !chars.is_empty() => {
                let i = rng.below(chars.len());
                chars.truncate(i);
            }
            _ => {
                // Drop or duplicate a word.
                let words: Vec<String> = chars.iter().collect::<String>().split(' ').map(String::from).collect();
                let i = rng.below(words.len());
                let mut w = words.clone();
                if rng.below(2) == 0 {
                    w.remove(i);
                } else {
                    w.insert(i, words[i].clone());
                }
                chars = w.join(" ").chars().collect();
            }
        }
    }
    chars.into_iter().collect()
}

fn random_line(rng: &mut Rng) -> String {
    let len = rng.below(40);
    (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len())]).collect()
}

#[test]
fn hundred_thousand_lines_never_panic_and_always_return_to_the_prompt() {
    let seed: u64 = std::env::var("SHELL_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_2024);
    let lines_total = 100_000;
    let result = std::panic::catch_unwind(|| {
        let mut rng = Rng(seed);
        let mut shell = Shell::new(3, 1);
        for n in 0..lines_total {
            if n % 5_000 == 0 {
                shell = Shell::new(1 + rng.below(5) as u32, rng.next());
                shell.set_limits(WorkLimits::small());
            }
            let base = CORPUS[rng.below(CORPUS.len())];
            let line = match rng.below(10) {
                0 => random_line(&mut rng),
                1 => base.to_string(),
                _ => mutate(&mut rng, base),
            };
            // The terminal sends one line at a time.
            for part in line.split('\n') {
                let _ = shell.run(part);
            }
            let _ = shell.prompt();
            let _ = shell.complete(&line);
            if shell.mode() != Mode::Command {
                if rng.below(2) == 0 {
                    let _ = shell.eof();
                }
                let _ = shell.interrupt();
            }
            assert_eq!(shell.mode(), Mode::Command, "line {n} left the shell waiting: {line:?}");
        }
    });
    if result.is_err() {
        panic!("shell fuzz failed with seed {seed} (replay: SHELL_FUZZ_SEED={seed})");
    }
}
