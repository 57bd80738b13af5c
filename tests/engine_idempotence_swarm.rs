//! Swarm test of the idempotent producer: seeded random schedules of leader failovers (crashes,
//! controlled stops, isolations of the leader, often right while a batch is in flight, so its
//! acknowledgement is lost) while one producer with acks=all and retries sends numbered records
//! to explicit partitions of an RF 3, min.insync.replicas=2 topic on 3 to 5 brokers. Every
//! invariant is checked after every event, and after every round the committed part of each
//! partition (below the high watermark) must hold no record twice and the records in the order
//! they were sent. After a liveness phase every acknowledged record must be readable at the
//! offset it was acknowledged with.
//!
//! The producer has 1 to 5 requests in flight per broker (`max.in.flight.requests.per.connection`).
//! With `enable.idempotence=false` (acks=all, retries) the same schedules must, over the seeds,
//! show what Kafka shows: duplicates (a batch whose acknowledgement was lost is appended again by
//! its retry) and reorderings (a failed batch retried after a later one succeeded). Nothing
//! acknowledged may be lost either way.
//!
//! Seeds: `SWARM_SEEDS=a,b,c` or `SWARM_COUNT=n` (see `tests/common`), plus named regression
//! seeds.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use kafka_sandbox::engine::rng::Rng;
use kafka_sandbox::engine::*;
use std::collections::BTreeMap;

mod common;

/// Schedules per variant: fewer in the browser, where the same code runs ~1.2x slower and each
/// test must finish in under 15 s.
const DEFAULT_RUNS: u64 = if cfg!(target_arch = "wasm32") { 200 } else { 1000 };

fn rerun_hint(seed: u64, idempotent: bool) -> String {
    let test = if idempotent { "swarm_idempotent" } else { "swarm_without" };
    format!("rerun: SWARM_SEEDS={seed} cargo test --test engine_idempotence_swarm {test}")
}

fn checked_run(c: &mut Cluster, ms: i64, seed: u64, idempotent: bool) {
    let until = c.now_ms() + ms;
    c.run_until(until, |c| {
        if let Err(v) = c.check_invariants() {
            panic!("seed {seed}: invariant violated at t={}: {v}\n{}", c.now_ms(), rerun_hint(seed, idempotent));
        }
    });
}

/// The record numbers of a partition's log (read_uncommitted, up to the high watermark), with
/// their offsets.
fn numbers(c: &Cluster, partition: i32, seed: u64) -> Option<Vec<(i64, u64)>> {
    let f = c.fetch(&FetchRequest::new("idem", partition, 0)).ok()?;
    let nums = f
        .records()
        .map(|r| {
            let v = String::from_utf8_lossy(r.value.unwrap_or_default()).into_owned();
            let n = v.rsplit('-').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("seed {seed}: foreign value {v}"));
            (r.offset, n)
        })
        .collect();
    Some(nums)
}

/// What one schedule showed.
#[derive(Default, Debug)]
struct Outcome {
    acked: usize,
    /// Records held more than once (over all partitions).
    duplicates: usize,
    /// Adjacent pairs of records held in an order other than the one they were sent in.
    reorders: usize,
}

/// Duplicates and reorderings in one partition's record numbers (numbers grow with send order).
fn disorder(nums: &[(i64, u64)]) -> (usize, usize) {
    let mut seen = std::collections::BTreeSet::new();
    let (mut dups, mut reorders) = (0, 0);
    let mut max_seen = None;
    for (_, n) in nums {
        if !seen.insert(*n) {
            dups += 1;
        } else if max_seen.is_some_and(|m| *n < m) {
            reorders += 1;
        }
        max_seen = max_seen.max(Some(*n));
    }
    (dups, reorders)
}

fn run_schedule(seed: u64, idempotent: bool) -> Outcome {
    let mut rng = Rng::new(seed ^ 0x1de4_u64);
    let brokers = 3 + rng.below(3) as u32;
    let partitions = 1 + rng.below(2) as i32;
    let mut c = Cluster::new(ClusterConfig::new(brokers, seed)).unwrap();
    c.set_events_enabled(std::env::var("IDEM_SWARM_DEBUG").is_ok());
    c.create_topic(NewTopic::new("idem", partitions, 3).config("min.insync.replicas", "2")).unwrap();
    let max_in_flight = 1 + rng.below(5) as u32;
    let cfg = ProducerConfig {
        acks: -1,
        enable_idempotence: Some(idempotent),
        max_in_flight,
        request_timeout_ms: 1_000,
        delivery_timeout_ms: 6_000 + rng.below(6_000) as i64,
        linger_ms: rng.below(4) as i64,
        batch_size: 60 + rng.below(200) as u32,
        ..Default::default()
    };
    let p = c.create_producer(cfg).unwrap();
    let mut sent: BTreeMap<SendId, (i32, u64)> = BTreeMap::new();
    let mut acked: Vec<(i32, i64, u64)> = Vec::new();
    let collect = |c: &mut Cluster, sent: &mut BTreeMap<SendId, (i32, u64)>, acked: &mut Vec<(i32, i64, u64)>| {
        for (id, r) in c.take_send_results(p) {
            let (part, n) = sent.remove(&id).expect("known send");
            if let SendResult::Delivered { partition, offset, .. } = r {
                assert_eq!(partition, part, "seed {seed}: record {n} acknowledged on another partition");
                acked.push((part, offset, n));
            }
        }
    };
    let rounds = 30 + rng.below(30);
    let mut next = 0u64;
    for _ in 0..rounds {
        for _ in 0..rng.below(6) {
            let part = rng.below(partitions as u64) as i32;
            let mut r = ProducerRecord::new("idem", None, Some(format!("s{seed}-{next}").as_bytes()));
            r.partition = Some(part);
            let id = c.send(p, r).unwrap();
            sent.insert(id, (part, next));
            next += 1;
        }
        // Let some batches get on the wire so that faults land while they are in flight.
        checked_run(&mut c, rng.below(12) as i64, seed, idempotent);
        let b = 1 + rng.below(brokers as u64) as i32;
        let part = rng.below(partitions as u64) as i32;
        let leader = c.partition_meta("idem", part).and_then(|m| m.leader);
        match rng.below(16) {
            0 => c.crash(b).unwrap(),
            1 | 2 => {
                if let Some(l) = leader {
                    c.crash(l).unwrap();
                }
            }
            3 => {
                if let Some(l) = leader {
                    c.isolate(l).unwrap();
                }
            }
            4 => c.shutdown(b).unwrap(),
            5..=7 => c.start(b).unwrap(),
            8 => c.isolate(b).unwrap(),
            9 | 10 => c.heal(),
            _ => {}
        }
        checked_run(&mut c, 100 + rng.below(1_200) as i64, seed, idempotent);
        collect(&mut c, &mut sent, &mut acked);
        if idempotent {
            // (A partition without a leader right now is checked in a later round.)
            let logs: Vec<(i32, Vec<(i64, u64)>)> = (0..partitions).filter_map(|part| numbers(&c, part, seed).map(|n| (part, n))).collect();
            for (part, nums) in logs {
                let (d, r) = disorder(&nums);
                if (d, r) != (0, 0) && std::env::var("IDEM_SWARM_DEBUG").is_ok() {
                    for e in c.drain_events() {
                        eprintln!("{:>7} {:?}", e.time_ms, e.kind);
                    }
                }
                assert_eq!((d, r), (0, 0), "seed {seed}: partition {part} holds duplicates/reorderings below its HW at t={}: {nums:?}\n{}", c.now_ms(), rerun_hint(seed, idempotent));
            }
        }
    }
    // Liveness: heal, restart everything, let every send complete.
    c.heal();
    for b in 1..=brokers as i32 {
        c.start(b).unwrap();
    }
    checked_run(&mut c, 35_000, seed, idempotent);
    for b in 1..=brokers as i32 {
        c.start(b).unwrap();
    }
    checked_run(&mut c, 20_000, seed, idempotent);
    c.flush(p).unwrap();
    collect(&mut c, &mut sent, &mut acked);
    assert!(sent.is_empty(), "seed {seed}: {} sends never completed\n{}", sent.len(), rerun_hint(seed, idempotent));
    let mut out = Outcome { acked: acked.len(), ..Default::default() };
    let logs: BTreeMap<i32, Vec<(i64, u64)>> = (0..partitions).map(|part| (part, numbers(&c, part, seed).unwrap_or_else(|| panic!("seed {seed}: partition {part} has no leader after the liveness phase")))).collect();
    for (part, nums) in &logs {
        let (d, r) = disorder(nums);
        out.duplicates += d;
        out.reorders += r;
        let at: BTreeMap<i64, u64> = nums.iter().copied().collect();
        for (p2, off, n) in &acked {
            if p2 == part {
                assert_eq!(at.get(off), Some(n), "seed {seed}: acknowledged record {n} not at {part}-{off}\n{}", rerun_hint(seed, idempotent));
            }
        }
    }
    if idempotent {
        assert_eq!((out.duplicates, out.reorders), (0, 0), "seed {seed}: the idempotent producer duplicated or reordered\n{}", rerun_hint(seed, idempotent));
    }
    out
}

/// Seeds that once broke `HwWithinIsrLeo` beyond what CI runs (issue 19).
const REGRESSIONS: &[u64] = &[20404, 25316];

#[test]
fn swarm_idempotent_producer_never_duplicates_or_reorders_across_failovers() {
    let seeds = common::seeds(DEFAULT_RUNS, REGRESSIONS);
    let acked: usize = common::run_all("idempotence", &seeds, |seed| run_schedule(seed, true).acked).into_iter().sum();
    assert!(acked > if common::is_broad_run() { seeds.len() * 20 } else { 0 }, "only {acked} acknowledged records in {} runs", seeds.len());
}

#[test]
fn swarm_without_idempotence_lost_acks_and_retries_duplicate_records() {
    let seeds = common::seeds(DEFAULT_RUNS, &[]);
    let outcomes = common::run_all("no-idempotence", &seeds, |seed| run_schedule(seed, false));
    let acked: usize = outcomes.iter().map(|o| o.acked).sum();
    let duplicates: usize = outcomes.iter().map(|o| o.duplicates).sum();
    let reorders: usize = outcomes.iter().map(|o| o.reorders).sum();
    assert!(acked > if common::is_broad_run() { seeds.len() * 20 } else { 0 }, "only {acked} acknowledged records in {} runs", seeds.len());
    if common::is_broad_run() {
        assert!(duplicates > 0, "no duplicate in {} schedules without idempotence", seeds.len());
        // With max.in.flight.requests.per.connection > 1 a failed batch retried after a later
        // one succeeded lands behind it.
        assert!(reorders > 0, "no reordering in {} schedules without idempotence", seeds.len());
    }
}
