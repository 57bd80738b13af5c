//! Compaction benchmark: one cleaning pass over a 1,000,000-record partition with 10,000
//! distinct keys (8-byte keys, 100-byte values, batches of 100 records, 1 MiB segments, the last
//! batch in the active segment). Prints the pass's wall time and what it removed.
//!
//! `cargo run --release --example bench_compaction [records] [keys]`.

use kafka_sandbox::engine::cleaner::{clean_log, log_to_clean};
use kafka_sandbox::engine::config::TopicSettings;
use kafka_sandbox::engine::log::{Batch, PartitionLog, RecordsData, RollPolicy};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let keys: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(10_000).max(1);
    let mut overrides = BTreeMap::new();
    overrides.insert("cleanup.policy".to_string(), "compact".to_string());
    overrides.insert("segment.bytes".to_string(), "1048576".to_string());
    let settings = TopicSettings::resolve(&overrides, &BTreeMap::new(), &BTreeMap::new());
    let roll = RollPolicy { segment_bytes: settings.segment_bytes, segment_ms: settings.segment_ms, segment_jitter_ms: 0 };
    let value = [b'x'; 100];
    let mut log = PartitionLog::new(0);
    let per_batch = 100;
    let mut i = 0usize;
    while i < n {
        let mut d = RecordsData::new();
        for j in i..(i + per_batch).min(n) {
            let key = format!("k{:07}", j % keys);
            d.push(j as i64, Some(key.as_bytes()), Some(&value), Vec::new());
        }
        let base = log.log_end_offset;
        log.append(Rc::new(Batch::new(base, 0, None, Rc::new(d))), roll, i as i64);
        i += per_batch;
    }
    // One more batch in a fresh active segment: everything before it is cleanable.
    log.roll_empty(n as i64);
    let mut d = RecordsData::new();
    d.push(n as i64, Some(b"tail"), Some(&value), Vec::new());
    let base = log.log_end_offset;
    log.append(Rc::new(Batch::new(base, 0, None, Rc::new(d))), roll, n as i64);
    log.high_watermark = log.log_end_offset;
    let segments = log.segments.len();

    if std::env::var("BENCH_PHASES").is_ok() {
        let t = Instant::now();
        let mut read = 0;
        let ltc = log_to_clean(&log, &settings, n as i64 + 1);
        let map = kafka_sandbox::engine::cleaner::build_offset_map(&log, ltc.first_dirty_offset, ltc.first_uncleanable_offset, usize::MAX, &mut read);
        println!("  map build: {:.1} ms ({} keys)", t.elapsed().as_secs_f64() * 1000.0, map.len());
    }
    let started = Instant::now();
    let ltc = log_to_clean(&log, &settings, n as i64 + 1);
    let report = clean_log(&mut log, &settings, n as i64 + 1, &ltc).expect("a dirty log");
    let elapsed = started.elapsed();

    assert_eq!(report.records_read as usize, n);
    assert_eq!(report.records_retained as usize, keys.min(n));
    println!("compaction: {n} records, {keys} keys, {segments} segments -> {} segments", report.segments_after);
    println!(
        "  one pass: {:.1} ms ({:.1} M records/s); removed {} records, {} of {} bytes; dirty ratio {:.3} -> {:.3}",
        elapsed.as_secs_f64() * 1000.0,
        n as f64 / elapsed.as_secs_f64() / 1e6,
        report.records_removed,
        report.bytes_removed,
        report.bytes_read,
        report.dirty_ratio_before,
        report.dirty_ratio_after
    );
    let target_ms = 200.0;
    let ok = elapsed.as_secs_f64() * 1000.0 < target_ms;
    println!("  target < {target_ms} ms: {}", if ok { "met" } else { "NOT met" });
}
