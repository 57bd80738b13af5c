//! Engine benchmark: produce N records with acks=all to a 3-broker, RF 3 topic and fetch them
//! all back; prints records/second and the engine's memory overhead per stored record.
//!
//! `cargo run --release --example bench_engine [records]` (default 1,000,000).

use kafka_sandbox::engine::*;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let partitions = 3;
    let mut c = Cluster::new(ClusterConfig { brokers: 3, seed: 1, broker_overrides: Vec::new(), track_invariants: false }).unwrap();
    c.set_events_enabled(false);
    c.create_topic(NewTopic::new("bench", partitions, 3).config("min.insync.replicas", "2")).unwrap();
    let p = c.create_producer(ProducerConfig { acks: -1, linger_ms: 5, batch_size: 16_384, ..Default::default() }).unwrap();
    let value = [b'x'; 100];
    let started = Instant::now();
    let mut acked = 0usize;
    let mut key = [0u8; 8];
    let chunk = 20_000;
    let mut sent = 0;
    while sent < n {
        let m = chunk.min(n - sent);
        for i in sent..sent + m {
            key.copy_from_slice(&(i as u64).to_le_bytes());
            let rec = ProducerRecord { topic: "bench".into(), key: Some(key.to_vec()), value: Some(value.to_vec()), ..Default::default() };
            c.send(p, rec).unwrap();
        }
        sent += m;
        c.advance(10);
        acked += c.take_send_results(p).iter().filter(|(_, r)| matches!(r, SendResult::Delivered { .. })).count();
    }
    c.flush(p).unwrap();
    acked += c.take_send_results(p).iter().filter(|(_, r)| matches!(r, SendResult::Delivered { .. })).count();
    let produced_s = started.elapsed().as_secs_f64();
    assert_eq!(acked, n, "every record acknowledged");
    c.advance(1_000);
    let fetch_started = Instant::now();
    let mut fetched = 0usize;
    let mut checksum = 0u64;
    for part in 0..partitions {
        let mut offset = 0;
        loop {
            let f = c.fetch(&FetchRequest { max_bytes: 1 << 20, ..FetchRequest::new("bench", part, offset) }).unwrap();
            let k = f.record_count();
            if k == 0 {
                break;
            }
            for r in f.records() {
                checksum = checksum.wrapping_add(r.value.map_or(0, |v| v.len() as u64));
            }
            fetched += k;
            offset = f.end_offset;
        }
    }
    let fetch_s = fetch_started.elapsed().as_secs_f64();
    assert_eq!(fetched, n);
    assert_eq!(checksum, 100 * n as u64);
    let total_s = produced_s + fetch_s;

    // Memory: every structure the logs hold beyond key and value bytes, over all replicas.
    let mut overhead = 0usize;
    let mut seen = std::collections::BTreeSet::new();
    for b in c.broker_ids() {
        for part in 0..partitions {
            let log = c.replica_log(b, "bench", part).unwrap();
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
