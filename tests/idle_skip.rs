//! The idle skip (`engine::idle`) is exact: every scenario runs twice, once with the skip and once
//! simulating every event (`set_idle_skip(false)`), and at each checkpoint both runs must show the
//! same clock, the same state digest (which covers the event sequence counter) and the same
//! learner-visible events. `steps()` is left out on purpose: it counts events run one by one,
//! and the skip exists to run fewer (the skip keeps it exact anyway, so it is compared too where
//! it can be: see `checkpoint`). The swarm variant interleaves random actions with long
//! advances; seeds: `SWARM_SEEDS=a,b,c` or `SWARM_COUNT=n` (seed printed on failure).
//!
//! In the browser (wasm) only the idle-cluster scenario runs: the others simulate minutes to
//! days step by step, which blocks the page past wasm-bindgen-test-runner's 20 s webdriver
//! timeout. The engine is the same code in both; the golden digests compare the targets.

#![cfg_attr(target_arch = "wasm32", allow(dead_code, unused_imports))]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use kafka_sandbox::engine::rng::Rng;
use kafka_sandbox::engine::*;

mod common;

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;

/// What one checkpoint saw.
#[derive(Debug, PartialEq)]
struct Seen {
    now_ms: i64,
    digest: u64,
    steps: u64,
    events: Vec<String>,
}

/// A scenario's run: the cluster and what its checkpoints saw.
struct Run {
    c: Cluster,
    seen: Vec<Seen>,
}

impl Run {
    fn new(brokers: u32, seed: u64, skip: bool) -> Run {
        let mut c = Cluster::new(ClusterConfig::new(brokers, seed)).unwrap();
        c.set_idle_skip(skip);
        Run { c, seen: Vec::new() }
    }

    /// Advances with the invariants checked after every event that runs.
    fn advance(&mut self, ms: i64) {
        let until = self.c.now_ms() + ms;
        self.c.run_until(until, |c| {
            if let Err(v) = c.check_invariants() {
                panic!("invariant violated at t={}: {v}", c.now_ms());
            }
        });
        self.checkpoint();
    }

    fn checkpoint(&mut self) {
        let events = self.c.drain_events().iter().map(|e| format!("{} {:?}", e.time_ms, e.kind)).collect();
        self.seen.push(Seen { now_ms: self.c.now_ms(), digest: self.c.digest(), steps: self.c.steps(), events });
    }

    fn produce(&mut self, topic: &str, n: usize) {
        let p = self.c.create_producer(ProducerConfig::default()).unwrap();
        for i in 0..n {
            self.c.send(p, ProducerRecord::new(topic, Some(format!("k{i}").as_bytes()), Some(format!("v{i}").as_bytes()))).unwrap();
        }
        self.c.flush(p).unwrap();
        self.c.close_producer(p).unwrap();
    }
}

/// Runs `scenario` with and without the skip; both must see the same. Returns the simulated
/// time the skip jumped over and every event seen.
fn equivalent(name: &str, brokers: u32, seed: u64, scenario: impl Fn(&mut Run)) -> (i64, String) {
    let mut fast = Run::new(brokers, seed, true);
    scenario(&mut fast);
    let mut slow = Run::new(brokers, seed, false);
    scenario(&mut slow);
    assert_eq!(slow.c.idle_skipped_ms(), 0, "{name}: the switch turns the skip off");
    assert_eq!(fast.seen.len(), slow.seen.len());
    for (i, (f, s)) in fast.seen.iter().zip(&slow.seen).enumerate() {
        assert_eq!(f, s, "{name}: checkpoint {i} differs (left: with the skip, right: step by step)");
    }
    let events = fast.seen.iter().flat_map(|s| s.events.iter().map(String::as_str)).collect::<Vec<_>>().join("\n");
    (fast.c.idle_skipped_ms(), events)
}

#[test]
fn idle_skip_idle_cluster_matches_step_by_step() {
    let (skipped, events) = equivalent("idle cluster", 3, 1, |r| {
        r.advance(3 * HOUR);
        r.advance(20 * MIN);
        r.advance(2 * HOUR);
    });
    assert!(skipped >= 3 * HOUR, "an idle cluster is skipped over (skipped {skipped} ms)");
    assert_eq!(events, "0 ControllerElected { broker: 1 }", "an idle cluster records nothing after its start");
}

#[test]
#[cfg(not(target_arch = "wasm32"))] // minutes of step-by-step simulation: the browser's test runner times out
fn idle_skip_rf3_topics_with_data_match_step_by_step() {
    let (skipped, events) = equivalent("rf3 with data", 3, 7, |r| {
        r.c.create_topic(NewTopic::new("orders", 6, 3).config("min.insync.replicas", "2")).unwrap();
        r.c.create_topic(NewTopic::new("audit", 2, 2)).unwrap();
        r.produce("orders", 40);
        r.produce("audit", 5);
        r.advance(HOUR);
        r.produce("orders", 10);
        r.advance(40 * MIN);
        r.c.crash(2).unwrap();
        r.advance(HOUR);
        r.c.start(2).unwrap();
        r.advance(HOUR);
        r.produce("orders", 3);
        r.advance(MIN);
    });
    assert!(skipped >= HOUR, "topics with data are skipped over (skipped {skipped} ms)");
    assert!(events.contains("IsrExpanded"), "the restarted broker rejoined the ISR: {events}");
}

#[test]
#[cfg(not(target_arch = "wasm32"))] // minutes of step-by-step simulation: the browser's test runner times out
fn idle_skip_crashed_broker_waiting_to_be_fenced_matches_step_by_step() {
    let (skipped, events) = equivalent("crashed broker", 4, 3, |r| {
        r.c.create_topic(NewTopic::new("t", 4, 3)).unwrap();
        r.produce("t", 12);
        r.advance(MIN);
        r.c.crash(1).unwrap();
        r.advance(HOUR);
        r.c.isolate(3).unwrap();
        r.advance(40 * MIN);
        r.c.heal();
        r.advance(40 * MIN);
    });
    assert!(skipped >= HOUR / 2, "a cluster with a fenced broker is skipped over (skipped {skipped} ms)");
    assert!(events.contains("BrokerFenced { broker: 1 }"), "the crashed broker was fenced during the advance");
}

#[test]
#[cfg(not(target_arch = "wasm32"))] // minutes of step-by-step simulation: the browser's test runner times out
fn idle_skip_retention_deleting_during_the_advance_matches_step_by_step() {
    let (skipped, events) = equivalent("retention", 3, 5, |r| {
        let topic = NewTopic::new("logs", 2, 3).config("retention.ms", "3600000").config("segment.ms", "600000");
        r.c.create_topic(topic).unwrap();
        for _ in 0..4 {
            r.produce("logs", 5);
            r.advance(11 * MIN);
        }
        r.advance(3 * HOUR);
        r.produce("logs", 2);
        r.advance(2 * HOUR);
    });
    assert!(skipped >= HOUR, "retention's quiet stretches are skipped over (skipped {skipped} ms)");
    assert!(events.contains("SegmentsDeleted"), "retention deleted segments during the advances");
}

/// A consumer of group `group` reads for `ms` in 100 ms slices (an application's poll loop),
/// then returns.
fn consume(r: &mut Run, group: &str, topic: &str, ms: i64) -> ConsumerId {
    let cfg = ConsumerConfig { auto_offset_reset: OffsetReset::Earliest, ..ConsumerConfig::group(group) };
    let id = r.c.create_consumer(cfg).unwrap();
    r.c.subscribe(id, &[topic]).unwrap();
    let end = r.c.now_ms() + ms;
    while r.c.now_ms() < end {
        let until = r.c.now_ms() + 100;
        r.c.run_until(until, |_| {});
        let _ = r.c.poll(id);
    }
    id
}

#[test]
#[cfg(not(target_arch = "wasm32"))] // minutes of step-by-step simulation: the browser's test runner times out
fn idle_skip_consumer_group_sitting_idle_matches_step_by_step() {
    let (skipped, events) = equivalent("idle group", 3, 11, |r| {
        r.c.create_topic(NewTopic::new("orders", 8, 3)).unwrap();
        r.produce("orders", 30);
        let a = consume(r, "billing", "orders", 10_000);
        r.c.commit_sync(a, None).unwrap();
        r.c.close_consumer(a).unwrap();
        r.advance(HOUR);
        // A member left without polling: max.poll.interval.ms ends its membership.
        let b = consume(r, "audit", "orders", 10_000);
        r.advance(20 * MIN);
        r.c.close_consumer(b).unwrap();
        r.advance(HOUR);
        r.produce("orders", 5);
        let c = consume(r, "billing", "orders", 5_000);
        r.c.close_consumer(c).unwrap();
        r.advance(40 * MIN);
    });
    assert!(skipped >= HOUR, "an idle group's cluster is skipped over (skipped {skipped} ms)");
    assert!(events.contains("__consumer_offsets"), "the groups committed offsets: {events}");
}

#[test]
#[cfg(not(target_arch = "wasm32"))] // minutes of step-by-step simulation: the browser's test runner times out
fn idle_skip_transaction_left_open_matches_step_by_step() {
    let (skipped, events) = equivalent("open transaction", 3, 13, |r| {
        r.c.create_topic(NewTopic::new("payments", 3, 3).config("min.insync.replicas", "2")).unwrap();
        let cfg = ProducerConfig { transactional_id: Some("tx-1".into()), transaction_timeout_ms: 600_000, ..Default::default() };
        let p = r.c.create_producer(cfg).unwrap();
        r.c.init_transactions(p).unwrap();
        r.c.begin_transaction(p).unwrap();
        r.c.send(p, ProducerRecord::new("payments", Some(b"k"), Some(b"v"))).unwrap();
        r.c.flush(p).unwrap();
        r.advance(3 * HOUR);
        r.c.begin_transaction(p).ok();
        r.advance(2 * HOUR);
    });
    assert!(skipped >= 2 * HOUR, "a cluster with a timed-out transaction is skipped over (skipped {skipped} ms)");
    assert!(events.contains("__transaction_state"), "the transaction was written: {events}");
}

/// One random action of the swarm.
fn random_action(r: &mut Run, rng: &mut Rng, brokers: u32) {
    let b = 1 + rng.below(brokers as u64) as i32;
    match rng.below(8) {
        0 => {
            let _ = r.c.crash(b);
        }
        1 => {
            let _ = r.c.start(b);
        }
        2 => {
            let _ = r.c.isolate(b);
        }
        3 => r.c.heal(),
        4 => {
            let _ = r.c.shutdown(b);
        }
        5 | 6 => {
            let topic = if rng.chance(1, 2) { "a" } else { "b" };
            let n = 1 + rng.below(20) as usize;
            let p = r.c.create_producer(ProducerConfig { acks: 1, ..Default::default() }).unwrap();
            for i in 0..n {
                let _ = r.c.send(p, ProducerRecord::new(topic, Some(format!("k{i}").as_bytes()), Some(b"v")));
            }
            let _ = r.c.close_producer(p);
        }
        _ => {
            let _ = r.c.slow(b, 200 * rng.below(3) as i64);
        }
    }
}

fn swarm_schedule(seed: u64, skip: bool) -> Run {
    let mut rng = Rng::new(seed ^ 0x1d1e);
    let brokers = 3 + rng.below(2) as u32;
    let mut r = Run::new(brokers, seed, skip);
    r.c.create_topic(NewTopic::new("a", 3, 3).config("min.insync.replicas", "2")).unwrap();
    r.c.create_topic(NewTopic::new("b", 2, 2).config("retention.ms", &(HOUR * (1 + rng.below(4) as i64)).to_string()).config("segment.ms", "900000")).unwrap();
    for _ in 0..12 {
        random_action(&mut r, &mut rng, brokers);
        let ms = if rng.chance(1, 3) { rng.below(60_000) as i64 } else { 20 * MIN + rng.below(2 * HOUR as u64) as i64 };
        r.advance(ms);
    }
    r
}

#[test]
#[cfg(not(target_arch = "wasm32"))] // minutes of step-by-step simulation: the browser's test runner times out
fn idle_skip_swarm_matches_step_by_step() {
    let seeds = common::seeds(5, &[]);
    let mut skipped = 0;
    common::run_all("idle_skip", &seeds, |seed| {
        let fast = swarm_schedule(seed, true);
        let slow = swarm_schedule(seed, false);
        for (i, (f, s)) in fast.seen.iter().zip(&slow.seen).enumerate() {
            assert_eq!(f, s, "seed {seed}: checkpoint {i} differs with the skip (rerun: SWARM_SEEDS={seed} cargo test --test idle_skip)");
        }
        skipped += fast.c.idle_skipped_ms();
    });
    if common::is_broad_run() {
        assert!(skipped > 0, "the swarm's long advances are skipped over");
    }
}
