//! Group swarm: seeded random schedules of consumers joining, leaving (close), crashing and
//! brokers crashing, stopping, restarting and being isolated, while a producer writes with
//! acks=all. Every consumer processes a record then commits (commit-after-processing, async).
//! After every event: the group invariants (one owner per partition per generation, committed
//! offsets within the high watermark). After every slice (100 ms): the engine's invariants, and
//! committed offsets never go backwards. At the end (heal, restart, converge): every offset below the
//! committed offset was processed by some consumer (at-least-once: nothing skipped), and the
//! group caught up with the log.
//!
//! Seeds: `SWARM_SEEDS=a,b,c` or `SWARM_COUNT=n` (default 25; see `tests/common`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use kafka_sandbox::engine::rng::Rng;
use kafka_sandbox::engine::*;
use std::collections::{BTreeMap, BTreeSet};

mod common;

struct World {
    c: Cluster,
    seed: u64,
    apps: Vec<ConsumerId>,
    processed: BTreeSet<(i32, i64)>,
    last_committed: BTreeMap<TopicPartition, i64>,
}

impl World {
    fn check(&mut self, ms: i64) {
        let seed = self.seed;
        let end = self.c.now_ms() + ms;
        while self.c.now_ms() < end {
            let until = (self.c.now_ms() + 100).min(end);
            // The group invariants after every step; the engine's own (replication, HW, ISR over
            // every replica, 150 of them for `__consumer_offsets` alone) after every slice: they
            // cost 3/4 of the run per step and `engine_swarm` checks them after every step.
            self.c.run_until(until, |c| {
                if let Err(v) = c.check_group_invariants() {
                    panic!("seed {seed}: invariant violated at t={}: {v}\nrerun: SWARM_SEEDS={seed} cargo test --test groups_swarm", c.now_ms());
                }
            });
            if let Err(v) = self.c.check_invariants() {
                panic!("seed {seed}: invariant violated at t={}: {v}\nrerun: SWARM_SEEDS={seed} cargo test --test groups_swarm", self.c.now_ms());
            }
            let periodic = self.c.now_ms() % 1_000 < 100;
            for &a in &self.apps.clone() {
                let Ok(recs) = self.c.poll(a) else { continue };
                if recs.is_empty() {
                    // Every record poll returned was processed at once, so the positions are
                    // safe to commit; do it now and then so a failed async commit is repaired.
                    if periodic {
                        let _ = self.c.commit_async(a, None);
                    }
                    continue;
                }
                let mut next: std::collections::BTreeMap<TopicPartition, i64> = Default::default();
                for r in &recs {
                    // The action succeeds; only then is the offset committed.
                    self.processed.insert((r.partition, r.offset));
                    next.insert(TopicPartition::new(&r.topic, r.partition), r.offset + 1);
                }
                let _ = self.c.commit_async(a, Some(next));
            }
            if std::env::var("GROUP_SWARM_DEBUG").is_ok() {
                let l = self.c.partition_meta("__consumer_offsets", kafka_sandbox::engine::assignor::coordinator_partition("g", 50)).map(|m| (m.leader, m.leader_epoch, m.isr.clone()));
                eprintln!("t={} coord={:?} offs={:?} apps={:?}", self.c.now_ms(), l, self.c.coordinator_offsets("g").map(|m| m.get(&TopicPartition::new("work", 3)).copied()), self.apps.iter().map(|a| self.c.consumer_info(*a).map(|i| (i.generation, i.state, i.assignment.len()))).collect::<Vec<_>>());
            }
            if let Some(now) = self.c.coordinator_offsets("g") {
                for (tp, o) in now {
                    let prev = self.last_committed.insert(tp.clone(), o).unwrap_or(-1);
                    assert!(o >= prev, "seed {seed}: committed offset of {tp:?} went back from {prev} to {o} at t={}", self.c.now_ms());
                }
            }
        }
    }
}

fn run_schedule(seed: u64) {
    let mut rng = Rng::new(seed ^ 0x6a0b);
    let brokers = 3 + rng.below(3) as u32;
    let partitions = 1 + rng.below(6) as i32;
    let mut c = Cluster::new(ClusterConfig::new(brokers, seed)).unwrap();
    c.set_events_enabled(false);
    c.create_topic(NewTopic::new("work", partitions, 3).config("min.insync.replicas", "2")).unwrap();
    let p = c.create_producer(ProducerConfig { acks: -1, request_timeout_ms: 1500, delivery_timeout_ms: 8000, linger_ms: 2, ..Default::default() }).unwrap();
    let strategies = if rng.chance(1, 2) { assignor::DEFAULT_STRATEGIES.to_vec() } else { vec![Strategy::CooperativeSticky] };
    let cfg = ConsumerConfig {
        enable_auto_commit: false,
        auto_offset_reset: OffsetReset::Earliest,
        session_timeout_ms: 6_000 + rng.below(6_000) as i64,
        heartbeat_interval_ms: 1_000,
        max_poll_records: 1 + rng.below(20) as usize,
        partition_assignment_strategy: strategies,
        client_id: "app".into(),
        ..ConsumerConfig::group("g")
    };
    let mut w = World { c, seed, apps: Vec::new(), processed: BTreeSet::new(), last_committed: BTreeMap::new() };
    let rounds = 30 + rng.below(30);
    let mut n = 0u64;
    for _ in 0..rounds {
        for _ in 0..rng.below(5) {
            let v = format!("v{n}");
            n += 1;
            let _ = w.c.send(p, ProducerRecord::new("work", None, Some(v.as_bytes())));
        }
        let _ = w.c.take_send_results(p);
        let b = 1 + rng.below(brokers as u64) as i32;
        match rng.below(24) {
            0 | 1 | 2 if w.apps.len() < 5 => {
                let a = w.c.create_consumer(cfg.clone()).unwrap();
                w.c.subscribe(a, &["work"]).unwrap();
                w.apps.push(a);
            }
            3 if !w.apps.is_empty() => {
                let a = w.apps.remove(rng.below(w.apps.len() as u64) as usize);
                w.c.crash_consumer(a).unwrap();
            }
            4 if !w.apps.is_empty() => {
                let a = w.apps.remove(rng.below(w.apps.len() as u64) as usize);
                let _ = w.c.close_consumer(a);
            }
            5 => w.c.crash(b).unwrap(),
            6 => w.c.shutdown(b).unwrap(),
            7 | 8 | 9 => w.c.start(b).unwrap(),
            10 => w.c.isolate(b).unwrap(),
            11 | 12 => w.c.heal(),
            _ => {}
        }
        w.check(100 + rng.below(2_000) as i64);
    }
    // Liveness: everything back, one consumer at least, converge.
    w.c.heal();
    for b in 1..=brokers as i32 {
        w.c.start(b).unwrap();
    }
    w.check(35_000);
    for b in 1..=brokers as i32 {
        w.c.start(b).unwrap();
    }
    if w.apps.is_empty() {
        let a = w.c.create_consumer(cfg.clone()).unwrap();
        w.c.subscribe(a, &["work"]).unwrap();
        w.apps.push(a);
    }
    w.c.flush(p).unwrap();
    w.check(90_000);
    let committed = w.c.list_group_offsets("g").unwrap();
    if std::env::var("GROUP_SWARM_DEBUG").is_ok() {
        for a in &w.apps {
            eprintln!("app {a}: {:?} pos3={:?}", w.c.consumer_info(*a), w.c.position(*a, &TopicPartition::new("work", 3)));
        }
        eprintln!("{:?}", w.c.describe_group("g"));
        eprintln!("{:?}", w.c.partition_meta("work", 3));
    }
    for part in 0..partitions {
        let end = w.c.list_offsets("work", part, OffsetSpec::Latest).unwrap().0;
        let got = committed.get(&TopicPartition::new("work", part)).map_or(0, |o| o.offset);
        assert_eq!(got, end, "seed {seed}: partition {part} committed {got}, log end {end}: the group did not catch up");
        for o in 0..got {
            assert!(w.processed.contains(&(part, o)), "seed {seed}: work-{part} offset {o} below the committed {got} was never processed (skipped)");
        }
    }
}

/// Schedules per run: 25 natively; a few in the browser, where one test must finish well within the
/// test runner's ~20 s webdriver poll (a synchronous test blocks the page).
const DEFAULT_RUNS: u64 = if cfg!(target_arch = "wasm32") { 2 } else { 25 };

/// Seeds that kept the group from catching up after healing (issue 19 item 8): the coordinator's
/// write of an assignment completed over the network, so isolating the coordinator lost it and
/// the group sat in CompletingRebalance; members whose session expired while they waited in
/// SyncGroup then never expired again, and one that had died held the next rebalance until the
/// rebalance timeout (`max.poll.interval.ms`). Kafka restarts those sessions when it answers
/// SyncGroup (`GroupCoordinator.propagateAssignment`). 832 passed again before the fixes (other
/// merges changed its schedule) and stays as a guard.
const REGRESSIONS: &[u64] = &[52, 704, 832, 1095, 1115];

#[test]
fn group_swarm_at_least_once_and_one_owner() {
    let seeds = common::seeds(DEFAULT_RUNS, REGRESSIONS);
    common::run_all("groups", &seeds, run_schedule);
}
