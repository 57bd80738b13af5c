//! Idle-time benchmark (issue 19 item 2): `sim advance 30d` on 100 partitions RF 3 with a
//! consumer group idle on them (it consumed every record, committed and left), then a year on
//! the same cluster; prints wall time, simulated events run and simulated time skipped.
//!
//! `cargo run --release --example bench_idle [days]` (default 30).

use kafka_sandbox::shell::Shell;
use std::time::Instant;

fn run(shell: &mut Shell, line: &str) {
    let out = shell.run(line);
    if let Some(err) = out.iter().find(|c| c.text.contains("rror")) {
        panic!("{line}: {}", err.text);
    }
}

fn main() {
    let days: i64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(30);
    let mut shell = Shell::new(3, 1);
    run(&mut shell, "kafka-topics --bootstrap-server localhost:9092 --create --topic t --partitions 100 --replication-factor 3");
    run(&mut shell, "kafka-producer-perf-test --topic t --num-records 1000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092");
    run(&mut shell, "kafka-console-consumer --bootstrap-server localhost:9092 --topic t --group g --from-beginning --max-messages 1000 > /dev/null");
    for (label, line) in [("sim advance {days}d", format!("sim advance {days}d")), ("sim advance 365d", "sim advance 365d".to_string())] {
        let skipped = shell.cluster().idle_skipped_ms();
        let started = Instant::now();
        run(&mut shell, &line);
        let wall_s = started.elapsed().as_secs_f64();
        let c = shell.cluster();
        println!(
            "{:<18} 100 partitions RF 3 + idle group: {:.3} s, {:.1} simulated days skipped, (windows, jumps) so far {:?}",
            label.replace("{days}", &days.to_string()),
            wall_s,
            (c.idle_skipped_ms() - skipped) as f64 / 86_400_000.0,
            c.idle_windows_and_jumps()
        );
    }
}
