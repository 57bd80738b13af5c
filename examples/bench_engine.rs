//! Engine benchmark: produce N records with acks=all to a 3-broker, RF 3 topic and fetch them
//! all back; prints records/second and the engine's memory overhead per stored record.
//!
//! `cargo run --release --example bench_engine [records]` (default 1,000,000).

use kafka_sandbox::engine::*;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let partitions = workload::PARTITIONS;
    let mut w = workload::ProduceFetch::setup(n).unwrap();
    let started = Instant::now();
    let acked = w.produce().unwrap();
    let produced_s = started.elapsed().as_secs_f64();
    assert_eq!(acked, n, "every record acknowledged");
    let fetch_started = Instant::now();
    let (fetched, value_bytes) = w.fetch().unwrap();
    let fetch_s = fetch_started.elapsed().as_secs_f64();
    assert_eq!(fetched, n);
    assert_eq!(value_bytes, (workload::VALUE_BYTES * n) as u64);
    let total_s = produced_s + fetch_s;
    let c = &w.cluster;

    // Memory: every structure the logs hold beyond key and value bytes, over all replicas.
    let mut overhead = 0usize;
    let mut seen = std::collections::BTreeSet::new();
    for b in c.broker_ids() {
        for part in 0..partitions {
            let log = c.replica_log(b, workload::TOPIC, part).unwrap();
            for s in &log.segments {
                overhead += std::mem::size_of::<log::Segment>() + s.batches.capacity() * std::mem::size_of::<usize>();
                for bt in &s.batches {
                    let ptr = std::rc::Rc::as_ptr(bt) as usize;
                    if seen.insert(ptr) {
                        overhead += 16 + std::mem::size_of::<log::Batch>();
                        overhead += 16 + std::mem::size_of::<log::RecordsData>();
                        overhead += bt.data.index.capacity() * std::mem::size_of::<log::RecordIndex>();
                        overhead += bt.data.bytes.capacity() - bt.data.bytes.len();
                    }
                }
            }
        }
    }
    println!("records: {n} (key 8 B, value 100 B), 3 brokers, RF 3, {partitions} partitions, acks=all, min.insync.replicas=2");
    println!("produce+replicate: {:.3} s ({:.0} records/s)", produced_s, n as f64 / produced_s);
    println!("fetch:             {:.3} s ({:.0} records/s)", fetch_s, n as f64 / fetch_s);
    println!("produce+fetch:     {:.3} s ({:.0} records/s)", total_s, n as f64 / total_s);
    println!("simulated time:    {} ms, events: {}", c.now_ms(), c.steps());
    println!("engine overhead:   {:.1} bytes per stored record (all 3 replicas share one copy)", overhead as f64 / n as f64);
}
