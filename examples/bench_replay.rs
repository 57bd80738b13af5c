//! Replaying a 1,000-input learner session (undo and share links rebuild the page this way):
//! two terminals, topics created and described, an interactive producer typing hundreds of lines,
//! a consumer group in the background, time advancing, a broker crashing and coming back. The
//! session is recorded live, then replayed from its seed; prints the replay's wall time (median of
//! 5) and checks that the replay reaches the same cluster state.
//!
//! `cargo run --release --example bench_replay`

use std::time::Instant;

use kafka_sandbox::shell::{Input, Sandbox};

const INPUTS: usize = 1_000;

fn record_session() -> Sandbox {
    let mut s = Sandbox::new(3, 1);
    s.set_interactive(true);
    let t1 = s.open_terminal().expect("terminal 1");
    let t2 = s.open_terminal().expect("terminal 2");
    for i in 0..10 {
        s.run(t1, &format!("kafka-topics --bootstrap-server localhost:9092 --create --topic orders-{i} --partitions 6 --replication-factor 3"));
    }
    s.run(t2, "kafka-console-consumer --bootstrap-server localhost:9092 --topic orders-0 --group billing --from-beginning &");
    s.run(t1, "kafka-console-producer --bootstrap-server localhost:9092 --topic orders-0 --property parse.key=true --property key.separator=:");
    let mut n = 0;
    while s.transcript().len() < INPUTS - 40 {
        n += 1;
        s.run(t1, &format!("customer-{}:order {n}", n % 17));
        if n % 25 == 0 {
            s.advance(500);
        }
        if n % 100 == 0 {
            s.run(t2, "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group billing");
            s.run(t2, "kafka-topics --bootstrap-server localhost:9092 --describe --topic orders-0");
        }
        if n == 300 {
            s.run(t2, "sim crash 2");
        }
        if n == 500 {
            s.run(t2, "sim start 2");
        }
    }
    s.eof(t1);
    while s.transcript().len() < INPUTS {
        s.run(t1, "kafka-topics --bootstrap-server localhost:9092 --list");
    }
    s
}

fn main() {
    let live = record_session();
    let inputs: Vec<Input> = live.transcript().to_vec();
    assert_eq!(inputs.len(), INPUTS);
    let mut times_ms = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let replayed = Sandbox::replay(3, 1, &inputs);
        times_ms.push(started.elapsed().as_secs_f64() * 1e3);
        assert_eq!(replayed.cluster().digest(), live.cluster().digest(), "a replay reaches the same state");
    }
    times_ms.sort_by(f64::total_cmp);
    println!("replay: {INPUTS} inputs, simulated {} ms, {} engine events, median {:.1} ms (target < 100 ms)", live.now_ms(), live.cluster().steps(), times_ms[2]);
}
