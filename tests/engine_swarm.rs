//! Swarm test: many seeded random fault schedules (crash, controlled stop, start, isolate, slow, heal)
//! while producing with acks=all to an RF 3, min.insync.replicas=2 topic on 3 to 5 brokers,
//! with every invariant checked after every event; then a liveness phase (heal and restart
//! everything: the cluster must converge, all replicas back in the ISR, every acknowledged record
//! readable at its offset). No acknowledged record may be lost.
//!
//! The compacted variant does the same on a `cleanup.policy=compact` topic with small segments,
//! tombstones and a cleaner that runs every 300 ms: every acknowledged record must either be
//! readable at its offset or superseded by a later record of its key (or a tombstone).
//!
//! `SWARM_RUNS=n` sets the number of schedules (default 2500); `SWARM_SEED=s` reruns one seed
//! (`SWARM_COMPACTED=1` for the compacted variant).

// These tests also run in headless Chromium under `wasm-pack test` (same code, same digests).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use kafka_sandbox::engine::rng::Rng;
use kafka_sandbox::engine::*;
use std::collections::BTreeMap;

fn checked_run(c: &mut Cluster, ms: i64, seed: u64) {
    let until = c.now_ms() + ms;
    c.run_until(until, |c| {
        if let Err(v) = c.check_invariants() {
            if std::env::var("SWARM_DEBUG").is_ok() {
                for e in c.drain_events() {
                    eprintln!("{:>7} {:?}", e.time_ms, e.kind);
                }
            }
            panic!("seed {seed}: invariant violated at t={}: {v}\nrerun: SWARM_SEED={seed} cargo test --test engine_swarm", c.now_ms());
        }
    });
}

fn run_schedule(seed: u64) -> usize {
    run_schedule_with(seed, false).0
}

/// Returns (acknowledged records, acknowledged records compaction removed).
fn run_schedule_with(seed: u64, compacted: bool) -> (usize, usize) {
    let mut rng = Rng::new(seed ^ 0x5eed);
    let brokers = 3 + rng.below(3) as u32;
    let partitions = 1 + rng.below(2) as i32;
    let mut config = ClusterConfig::new(brokers, seed);
    if compacted {
        config.broker_overrides.push(("log.cleaner.backoff.ms".into(), "300".into()));
    }
    let mut c = Cluster::new(config).unwrap();
    let debug = std::env::var("SWARM_DEBUG").is_ok();
    c.set_events_enabled(debug);
    let mut topic = NewTopic::new("swarm", partitions, 3).config("min.insync.replicas", "2");
    if compacted {
        topic = topic
            .config("cleanup.policy", "compact")
            .config("segment.ms", "400")
            .config("segment.bytes", "600")
            .config("min.cleanable.dirty.ratio", "0.01")
            .config("delete.retention.ms", &(rng.below(2000)).to_string());
    }
    c.create_topic(topic).unwrap();
    let p = c
        .create_producer(ProducerConfig { acks: -1, request_timeout_ms: 1500, delivery_timeout_ms: 8000, linger_ms: 2, ..Default::default() })
        .unwrap();
    type Sent = (Option<Vec<u8>>, Option<Vec<u8>>);
    let mut values: BTreeMap<SendId, Sent> = BTreeMap::new();
    let mut acked: Vec<(i32, i64, Sent)> = Vec::new();
    // Every tombstone sent (acknowledged or not: an unacknowledged one may still be committed).
    let mut tombstones_sent: Vec<(SendId, Vec<u8>)> = Vec::new();
    let mut acked_ids: Vec<SendId> = Vec::new();
    let mut collect = |c: &mut Cluster, values: &mut BTreeMap<SendId, Sent>| {
        for (id, r) in c.take_send_results(p) {
            let v = values.remove(&id).expect("known send");
            if let SendResult::Delivered { partition, offset, .. } = r {
                acked.push((partition, offset, v));
                acked_ids.push(id);
            }
        }
    };
    let rounds = 40 + rng.below(40);
    let mut next = 0u64;
    for _ in 0..rounds {
        for _ in 0..rng.below(4) {
            let mut v = Some(format!("s{seed}-{next}").into_bytes());
            next += 1;
            let key = if compacted || rng.chance(1, 2) { Some(format!("k{}", rng.below(7)).into_bytes()) } else { None };
            if compacted && rng.chance(1, 6) {
                v = None; // a tombstone
            }
            let id = c.send(p, ProducerRecord::new("swarm", key.as_deref(), v.as_deref())).unwrap();
            if let (Some(k), None) = (&key, &v) {
                tombstones_sent.push((id, k.clone()));
            }
            values.insert(id, (key, v));
        }
        let b = 1 + rng.below(brokers as u64) as i32;
        match rng.below(20) {
            0 => c.crash(b).unwrap(),
            1 => c.shutdown(b).unwrap(),
            2 | 3 => c.start(b).unwrap(),
            4 => c.isolate(b).unwrap(),
            5 | 6 => c.heal(),
            // A slow follower: mildly, or far past replica.lag.time.max.ms (ISR shrink/expand).
            7 => c.slow(b, [500, 5_000, 40_000][rng.below(3) as usize]).unwrap(),
            _ => {}
        }
        checked_run(&mut c, 100 + rng.below(1500) as i64, seed);
        collect(&mut c, &mut values);
    }
    // Liveness: heal, restart everything, let it converge.
    c.heal();
    for b in 1..=brokers as i32 {
        c.start(b).unwrap();
    }
    checked_run(&mut c, 35_000, seed);
    // Brokers that were still in controlled shutdown have stopped by now: start them too.
    for b in 1..=brokers as i32 {
        c.start(b).unwrap();
    }
    checked_run(&mut c, 45_000, seed);
    c.flush(p).unwrap();
    collect(&mut c, &mut values);
    checked_run(&mut c, 5_000, seed);
    if debug {
        for e in c.drain_events() {
            eprintln!("{:>7} {:?}", e.time_ms, e.kind);
        }
        for part in 0..partitions {
            for b in 1..=brokers as i32 {
                if let Some(l) = c.replica_log(b, "swarm", part) {
                    eprintln!("p{part} broker {b}: leo {} hw {} epochs {:?}", l.log_end_offset, l.high_watermark, l.epochs);
                }
            }
        }
        eprintln!("{:?}", c.broker_status());
    }
    for part in 0..partitions {
        let pm = c.partition_meta("swarm", part).unwrap().clone();
        assert!(pm.leader.is_some(), "seed {seed}: partition {part} has no leader after liveness phase: {pm:?}\nrerun: SWARM_SEED={seed} cargo test --test engine_swarm");
        let mut isr = pm.isr.clone();
        isr.sort();
        let mut reps = pm.replicas.clone();
        reps.sort();
        assert_eq!(isr, reps, "seed {seed}: partition {part} ISR did not converge: {pm:?}\nrerun: SWARM_SEED={seed} cargo test --test engine_swarm");
    }
    let mut logs: BTreeMap<i32, BTreeMap<i64, Sent>> = BTreeMap::new();
    for part in 0..partitions {
        let f = c.fetch(&FetchRequest::new("swarm", part, 0)).unwrap_or_else(|e| panic!("seed {seed}: fetch failed: {e}"));
        let m = logs.entry(part).or_default();
        for r in f.records() {
            m.insert(r.offset, (r.key.map(|k| k.to_vec()), r.value.map(|v| v.to_vec())));
        }
    }
    let mut cleaned_away = 0;
    for ((part, off, v), id) in acked.iter().zip(&acked_ids) {
        let log = &logs[part];
        let got = log.get(off);
        if compacted && got.is_none() {
            // Compaction may remove a record once a later record of its key exists; a tombstone
            // may go once its delete horizon passed.
            let superseded = log.range(off + 1..).any(|(_, r)| r.0 == v.0)
                || tombstones_sent.iter().any(|(tid, k)| tid >= id && Some(k) == v.0.as_ref());
            assert!(superseded, "seed {seed}: acknowledged record {part}-{off} ({v:?}) removed but not superseded\nrerun: SWARM_COMPACTED=1 SWARM_SEED={seed} cargo test --test engine_swarm");
            cleaned_away += 1;
            continue;
        }
        assert_eq!(
            got,
            Some(v),
            "seed {seed}: acknowledged record {}-{off} ({:?}) lost\nrerun: SWARM_SEED={seed} cargo test --test engine_swarm",
            part,
            v
        );
    }
    (acked.len(), cleaned_away)
}

/// Schedules per run: thousands natively; fewer in the browser, where the same code runs slower.
const DEFAULT_RUNS: u64 = if cfg!(target_arch = "wasm32") { 300 } else { 2500 };

#[test]
fn swarm_acks_all_min_isr_2_never_loses_acknowledged_records() {
    if let Ok(s) = std::env::var("SWARM_SEED") {
        let seed: u64 = s.trim().parse().expect("SWARM_SEED must be a number");
        assert!(run_schedule(seed) > 0);
        return;
    }
    let runs: u64 = std::env::var("SWARM_RUNS").ok().and_then(|s| s.trim().parse().ok()).unwrap_or(DEFAULT_RUNS);
    let mut acked = 0;
    for seed in 1..=runs {
        acked += run_schedule(seed);
    }
    // The schedules must actually exercise acknowledged writes.
    assert!(acked as u64 > runs * 10, "only {acked} acknowledged records in {runs} runs");
}

#[test]
fn swarm_compacted_topic_keeps_latest_per_key_under_faults() {
    let compacted_only = std::env::var("SWARM_COMPACTED").is_ok();
    if let Ok(s) = std::env::var("SWARM_SEED") {
        if compacted_only {
            let seed: u64 = s.trim().parse().expect("SWARM_SEED must be a number");
            assert!(run_schedule_with(seed, true).0 > 0);
        }
        return;
    }
    let runs: u64 = std::env::var("SWARM_RUNS").ok().and_then(|s| s.trim().parse().ok()).unwrap_or(DEFAULT_RUNS / 5);
    let (mut acked, mut cleaned) = (0, 0);
    for seed in 1..=runs {
        let (a, r) = run_schedule_with(seed, true);
        acked += a;
        cleaned += r;
    }
    assert!(acked as u64 > runs * 10, "only {acked} acknowledged records in {runs} runs");
    // The cleaner must actually have removed records.
    assert!(cleaned as u64 > runs, "compaction removed only {cleaned} acknowledged records in {runs} runs");
}
