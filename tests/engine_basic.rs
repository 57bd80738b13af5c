//! Core engine behaviour: topics, placement, produce/fetch, errors, determinism.

// These tests also run in headless Chromium under `wasm-pack test` (same code, same digests).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use kafka_sandbox::engine::*;

fn cluster(n: u32, seed: u64) -> Cluster {
    Cluster::new(ClusterConfig::new(n, seed)).expect("valid cluster")
}

fn step_checked(c: &mut Cluster, ms: i64) {
    let until = c.now_ms() + ms;
    c.run_until(until, |c| {
        if let Err(v) = c.check_invariants() {
            panic!("invariant violated at t={}: {v}", c.now_ms());
        }
    });
}

fn produce_all(c: &mut Cluster, p: ProducerId, topic: &str, n: usize) -> Vec<(SendId, SendResult)> {
    for i in 0..n {
        c.send(p, ProducerRecord::new(topic, Some(format!("k{i}").as_bytes()), Some(format!("v{i}").as_bytes()))).unwrap();
    }
    c.flush(p).unwrap();
    c.take_send_results(p)
}

#[test]
fn create_describe_produce_fetch_rf3_acks_all() {
    let mut c = cluster(3, 7);
    c.create_topic(NewTopic::new("orders", 3, 3).config("min.insync.replicas", "2")).unwrap();
    let d = c.describe_topic("orders").unwrap();
    assert_eq!(d.partitions.len(), 3);
    assert_eq!(d.id.len(), 22);
    assert_eq!(d.configs.len(), 1);
    assert_eq!(d.configs[0].name, "min.insync.replicas");
    for p in &d.partitions {
        assert_eq!(p.leader, Some(p.replicas[0]));
        assert_eq!(p.isr, p.replicas);
    }
    let prod = c.create_producer(ProducerConfig::default()).unwrap();
    let res = produce_all(&mut c, prod, "orders", 100);
    assert_eq!(res.len(), 100);
    let mut per_partition = [0i64; 3];
    for (_, r) in &res {
        match r {
            SendResult::Delivered { partition, offset, .. } => {
                assert!(*offset >= 0);
                per_partition[*partition as usize] += 1;
            }
            SendResult::Failed(e) => panic!("{e}"),
        }
    }
    step_checked(&mut c, 2000);
    let mut total = 0;
    for p in 0..3 {
        let f = c.fetch(&FetchRequest::new("orders", p, 0)).unwrap();
        assert_eq!(f.high_watermark, per_partition[p as usize]);
        assert_eq!(f.record_count() as i64, per_partition[p as usize]);
        for r in f.records() {
            let k = String::from_utf8(r.key.unwrap().to_vec()).unwrap();
            assert_eq!(kafka_sandbox::engine::partitioner::murmur2_partition(k.as_bytes(), 3), p);
        }
        total += f.record_count();
        assert_eq!(c.list_offsets("orders", p, OffsetSpec::Latest).unwrap().0, per_partition[p as usize]);
    }
    assert_eq!(total, 100);
    c.check_invariants().unwrap();
}

#[test]
fn admin_errors_have_kafkas_exact_messages() {
    let mut c = cluster(3, 1);
    c.create_topic(NewTopic::new("test", 1, 1)).unwrap();
    let e = c.create_topic(NewTopic::new("test", 1, 1)).unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (ErrorCode::TOPIC_ALREADY_EXISTS, "Topic 'test' already exists."));
    assert_eq!(e.code.name(), "TOPIC_ALREADY_EXISTS");
    let e = c.create_topic(NewTopic::new("t4", 1, 4)).unwrap_err();
    assert_eq!(e.code, ErrorCode::INVALID_REPLICATION_FACTOR);
    assert_eq!(
        e.message,
        "Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only 3 broker(s) are registered."
    );
    let e = c.create_topic(NewTopic::new("t0", 0, 1)).unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (ErrorCode::INVALID_PARTITIONS, "Number of partitions was set to an invalid non-positive value."));
    let e = c.create_topic(NewTopic::new("t0", 1, 0)).unwrap_err();
    assert_eq!(e.message, "Replication factor must be larger than 0, or -1 to use the default value.");
    let e = c.create_topic(NewTopic::new("bad name", 1, 1)).unwrap_err();
    assert_eq!(e.code, ErrorCode::INVALID_TOPIC_EXCEPTION);
    let e = c.create_topic(NewTopic::new("x", 1, 1).config("nope", "1")).unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (ErrorCode::INVALID_CONFIG, "Unknown topic config name: nope"));
    c.create_topic(NewTopic::new("a.b", 1, 1)).unwrap();
    let e = c.create_topic(NewTopic::new("a_b", 1, 1)).unwrap_err();
    assert_eq!(e.message, "Topic 'a_b' collides with existing topic: a.b");
    let e = c.create_partitions("test", 1, None).unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (ErrorCode::INVALID_PARTITIONS, "Topic already has 1 partition(s)."));
    c.create_partitions("test", 3, None).unwrap();
    let e = c.create_partitions("test", 2, None).unwrap_err();
    assert_eq!(e.message, "The topic test currently has 3 partition(s); 2 would not be an increase.");
    let e = c.delete_topic("missing").unwrap_err();
    assert_eq!(e.code, ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
    let e = c.fetch(&FetchRequest::new("missing", 0, 0)).unwrap_err();
    assert_eq!(e.code, ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
    let e = c.fetch(&FetchRequest::new("test", 0, 5)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OFFSET_OUT_OF_RANGE);
    let e = c
        .create_topic(NewTopic { name: "m".into(), assignment: Some(vec![vec![1, 1]]), ..Default::default() })
        .unwrap_err();
    assert_eq!(e.message, "The manual partition assignment includes the broker 1 more than once.");
    let e = c.create_topic(NewTopic { name: "m".into(), assignment: Some(vec![vec![9]]), ..Default::default() }).unwrap_err();
    assert_eq!(e.message, "The manual partition assignment includes broker 9, but no such broker is registered.");
    assert!(Cluster::new(ClusterConfig::new(0, 1)).is_err());
    assert!(Cluster::new(ClusterConfig::new(13, 1)).is_err());
}

#[test]
fn delete_then_recreate_gets_a_new_topic_id() {
    let mut c = cluster(1, 3);
    c.create_topic(NewTopic::new("test", 1, 1)).unwrap();
    let id1 = c.describe_topic("test").unwrap().id;
    c.delete_topic("test").unwrap();
    assert!(c.topic_names().is_empty());
    c.create_topic(NewTopic::new("test", 1, 1)).unwrap();
    assert_ne!(c.describe_topic("test").unwrap().id, id1);
}

/// A producer knows a topic's id only from its metadata answers (issue 21): after the topic is
/// deleted and created again, a record sent with the old id's metadata still lands in the new
/// topic (refused under the old id, retried after a metadata refresh).
#[test]
fn producer_sends_to_a_recreated_topic_after_refreshing_its_metadata() {
    let mut c = cluster(1, 3);
    c.create_topic(NewTopic::new("test", 1, 1)).unwrap();
    let p = c.create_producer(ProducerConfig::console()).unwrap();
    c.send(p, ProducerRecord::new("test", None, Some(b"one"))).unwrap();
    c.flush(p).unwrap();
    c.delete_topic("test").unwrap();
    c.create_topic(NewTopic::new("test", 1, 1)).unwrap();
    c.send(p, ProducerRecord::new("test", None, Some(b"two"))).unwrap();
    c.flush(p).unwrap();
    let r = c.take_send_results(p);
    assert!(matches!(r[..], [(_, SendResult::Delivered { offset: 0, .. }), (_, SendResult::Delivered { offset: 0, .. })]), "{r:?}");
    let f = c.fetch(&FetchRequest::new("test", 0, 0)).unwrap();
    assert_eq!(f.records().map(|r| r.value.map(|v| v.to_vec())).collect::<Vec<_>>(), vec![Some(b"two".to_vec())]);
}

/// KRaft (3.9): the broker forwards CreateTopics to the controller and answers
/// UNKNOWN_TOPIC_OR_PARTITION meanwhile (`AutoTopicCreationManager.sendCreateTopicRequest`); the
/// producer warns, retries its metadata request and delivers once the topic's records arrived.
#[test]
fn auto_create_on_produce_reports_unknown_topic_while_the_creation_is_forwarded() {
    let mut c = cluster(1, 3);
    let p = c.create_producer(ProducerConfig::console()).unwrap();
    c.send(p, ProducerRecord::new("test2", None, Some(b"hello"))).unwrap();
    c.flush(p).unwrap();
    let w = c.take_producer_warnings(p);
    assert!(matches!(&w[0], ProducerWarning::MetadataIssue { topic, error: ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, .. } if topic == "test2"), "{w:?}");
    let r = c.take_send_results(p);
    assert!(matches!(r[0].1, SendResult::Delivered { partition: 0, offset: 0, .. }), "{r:?}");
    assert_eq!(c.describe_topic("test2").unwrap().partitions.len(), 1);
}

#[test]
fn a_few_keyless_records_land_on_one_partition() {
    let mut c = cluster(3, 11);
    c.create_topic(NewTopic::new("test", 100, 1)).unwrap();
    let p = c.create_producer(ProducerConfig::console()).unwrap();
    for i in 0..5 {
        c.send(p, ProducerRecord::new("test", None, Some(format!("line {i}").as_bytes()))).unwrap();
    }
    c.flush(p).unwrap();
    let parts: std::collections::BTreeSet<i32> = c
        .take_send_results(p)
        .into_iter()
        .map(|(_, r)| match r {
            SendResult::Delivered { partition, .. } => partition,
            SendResult::Failed(e) => panic!("{e}"),
        })
        .collect();
    assert_eq!(parts.len(), 1);
}

#[test]
fn same_seed_same_digest() {
    fn run(seed: u64) -> u64 {
        let mut c = cluster(3, seed);
        c.create_topic(NewTopic::new("t", 3, 3)).unwrap();
        let p = c.create_producer(ProducerConfig::default()).unwrap();
        produce_all(&mut c, p, "t", 50);
        c.crash(2).unwrap();
        c.advance(12_000);
        produce_all(&mut c, p, "t", 50);
        c.start(2).unwrap();
        c.advance(40_000);
        c.digest()
    }
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

/// A fixed scenario whose digest must never change silently (a wasm run compares with it too).
#[test]
fn golden_digest_for_fixed_scenario() {
    let mut c = cluster(3, 42);
    c.create_topic(NewTopic::new("golden", 2, 3)).unwrap();
    let p = c.create_producer(ProducerConfig::default()).unwrap();
    produce_all(&mut c, p, "golden", 20);
    c.advance(5_000);
    let d = c.digest();
    assert_eq!(d, GOLDEN, "digest changed: {d:#x}");
}

// Changed by the idempotent producer (on by default: InitProducerId first, batches carry producer ids),
// then by KRaft's striped replica placement and epoch-millisecond record timestamps (issue #20).
const GOLDEN: u64 = 0xb2df_e3cb_ff26_cc88;

/// KRaft's automatic preferred-leader election (`auto.leader.rebalance.enable`, on by default):
/// after a broker comes back, the leaderships it lost return to it once it is in the ISR again,
/// `leader.imbalance.check.interval.seconds` (300 s) after the controller saw the imbalance.
#[test]
fn leadership_returns_to_preferred_replicas_after_the_imbalance_check_interval() {
    let mut c = Cluster::new(ClusterConfig::new(3, 7)).unwrap();
    c.create_topic(NewTopic::new("t", 6, 3)).unwrap();
    c.advance(1_000);
    let preferred_led_by = |c: &Cluster, b: i32| (0..6).filter(|p| c.partition_meta("t", *p).unwrap().replicas[0] == b).count();
    let led_by = |c: &Cluster, b: i32| (0..6).filter(|p| c.partition_meta("t", *p).unwrap().leader == Some(b)).count();
    assert_eq!(led_by(&c, 2), preferred_led_by(&c, 2));
    assert!(led_by(&c, 2) > 0);
    c.crash(2).unwrap();
    c.advance(12_000); // fenced after broker.session.timeout.ms: leaders move away
    assert_eq!(led_by(&c, 2), 0);
    c.start(2).unwrap();
    c.advance(30_000); // back in every ISR, but not yet leader again
    assert_eq!(led_by(&c, 2), 0, "no rebalance before the check interval");
    assert!((0..6).all(|p| c.partition_meta("t", p).unwrap().isr.len() == 3));
    c.advance(300_000);
    assert_eq!(led_by(&c, 2), preferred_led_by(&c, 2), "preferred leaders restored");
}

/// With `auto.leader.rebalance.enable=false` leadership stays where the failover put it.
#[test]
fn no_automatic_rebalance_when_disabled() {
    let mut c = Cluster::new(ClusterConfig { broker_overrides: vec![("auto.leader.rebalance.enable".into(), "false".into())], ..ClusterConfig::new(3, 7) }).unwrap();
    c.create_topic(NewTopic::new("t", 6, 3)).unwrap();
    c.advance(1_000);
    c.crash(2).unwrap();
    c.advance(12_000);
    c.start(2).unwrap();
    c.advance(400_000);
    assert!((0..6).all(|p| c.partition_meta("t", p).unwrap().leader != Some(2)));
}

/// Issue #20 item 1: a KRaft controller places replicas with `StripedReplicaPlacer`. On a
/// healthy 3-broker cluster, each block of 3 partitions holds the rotations of one broker order.
#[test]
fn kraft_striped_placement_rotates_one_broker_order_per_block_on_three_brokers() {
    for seed in 1..=20 {
        let mut c = cluster(3, seed);
        c.create_topic(NewTopic::new("striped", 9, 3)).unwrap();
        let d = c.describe_topic("striped").unwrap();
        let replicas: Vec<Vec<i32>> = d.partitions.iter().map(|p| p.replicas.clone()).collect();
        for block in replicas.chunks(3) {
            let order = &block[0];
            for (k, r) in block.iter().enumerate() {
                let rotated: Vec<i32> = (0..3).map(|j| order[(j + k) % 3]).collect();
                assert_eq!(r, &rotated, "seed {seed}: {replicas:?}");
            }
        }
        for p in &d.partitions {
            assert_eq!(p.leader, Some(p.replicas[0]), "seed {seed}");
        }
    }
}

/// Issue #20 item 1: with brokers 4 and 5 of 5 crashed and fenced, no new partition is led by
/// them, they get no replica while three unfenced brokers suffice, and `__consumer_offsets`
/// (created by the first group) is not placed on them either.
#[test]
fn kraft_placement_never_makes_fenced_brokers_four_and_five_leaders() {
    for seed in 1..=10 {
        let mut c = cluster(5, seed);
        c.crash(4).unwrap();
        c.crash(5).unwrap();
        step_checked(&mut c, 15_000);
        let fenced: Vec<i32> = c.broker_status().iter().filter(|b| b.fenced).map(|b| b.id).collect();
        assert_eq!(fenced, vec![4, 5], "seed {seed}");
        c.create_topic(NewTopic::new("after-crash", 6, 3)).unwrap();
        for p in c.describe_topic("after-crash").unwrap().partitions {
            assert!(p.replicas.iter().all(|b| *b <= 3), "seed {seed}: {p:?}");
            assert_eq!(p.isr.len(), 3, "seed {seed}: {p:?}");
        }
        c.create_topic(NewTopic::new("wide", 10, 4)).unwrap();
        for p in c.describe_topic("wide").unwrap().partitions {
            assert!(p.leader.is_some_and(|l| l <= 3) && p.replicas[0] <= 3, "seed {seed}: {p:?}");
            assert_eq!(p.replicas.iter().filter(|b| **b >= 4).count(), 1, "seed {seed}: {p:?}");
        }
        let config = ConsumerConfig { group_id: Some("g".into()), ..Default::default() };
        let consumer = c.create_consumer(config).unwrap();
        c.subscribe(consumer, &["after-crash"]).unwrap();
        for _ in 0..20 {
            let _ = c.poll(consumer);
            step_checked(&mut c, 500);
        }
        let offsets = c.describe_topic("__consumer_offsets").unwrap();
        for p in offsets.partitions {
            assert!(p.leader.is_some_and(|l| l <= 3), "seed {seed}: {p:?}");
        }
    }
}

/// Issue #20 item 16: a slow follower (each of its fetches waits 40 s) leaves the ISR through
/// its leader's AlterPartition after replica.lag.time.max.ms, while it stays registered and
/// unfenced; after `heal` it catches up and rejoins.
#[test]
fn slow_follower_leaves_the_isr_after_replica_lag_time_max_and_rejoins_after_heal() {
    let mut c = cluster(3, 4);
    c.create_topic(NewTopic { name: "slow".into(), assignment: Some(vec![vec![1, 2, 3]]), ..Default::default() }).unwrap();
    step_checked(&mut c, 1_000);
    c.slow(3, 40_000).unwrap();
    let p = c.create_producer(ProducerConfig { acks: 1, ..Default::default() }).unwrap();
    let start = c.now_ms();
    let mut left_at = None;
    while c.now_ms() - start < 60_000 {
        c.send(p, ProducerRecord::new("slow", None, Some(b"tick"))).unwrap();
        step_checked(&mut c, 1_000);
        let isr = c.describe_topic("slow").unwrap().partitions[0].isr.clone();
        if left_at.is_none() && !isr.contains(&3) {
            left_at = Some(c.now_ms() - start);
        }
    }
    let left_at = left_at.expect("the slow follower left the ISR");
    assert!((30_000..=60_000).contains(&left_at), "left after {left_at} ms");
    assert!(c.broker_status().iter().all(|b| !b.fenced), "a slow broker keeps its controller session");
    c.heal();
    step_checked(&mut c, 2_000);
    assert_eq!(c.describe_topic("slow").unwrap().partitions[0].isr, vec![1, 2, 3]);
    // Mildly slow (5 s a fetch, well under 30 s): it lags but stays in sync.
    c.slow(3, 5_000).unwrap();
    for _ in 0..60 {
        c.send(p, ProducerRecord::new("slow", None, Some(b"tick"))).unwrap();
        step_checked(&mut c, 1_000);
        assert_eq!(c.describe_topic("slow").unwrap().partitions[0].isr, vec![1, 2, 3]);
    }
}

/// Issue #20 item 12: producer retries back off exponentially (KIP-580): retry.backoff.ms 100
/// doubling per retry up to retry.backoff.max.ms 1000, each with ±20% jitter. The broker refuses
/// every attempt at once (NOT_ENOUGH_REPLICAS), so the gaps between refusals are the backoffs.
#[test]
fn producer_retries_back_off_exponentially_with_jitter_up_to_the_max() {
    let mut c = cluster(3, 5);
    c.create_topic(NewTopic { name: "strict".into(), assignment: Some(vec![vec![1, 2, 3]]), ..Default::default() }.config("min.insync.replicas", "3")).unwrap();
    c.crash(3).unwrap();
    step_checked(&mut c, 40_000);
    c.drain_events();
    let config = ProducerConfig { retries: 6, enable_idempotence: Some(false), ..Default::default() };
    let p = c.create_producer(config).unwrap();
    c.send(p, ProducerRecord::new("strict", None, Some(b"x"))).unwrap();
    c.flush(p).unwrap();
    let refused: Vec<i64> = c.drain_events().into_iter().filter(|e| matches!(e.kind, EventKind::WriteRefused { .. })).map(|e| e.time_ms).collect();
    assert_eq!(refused.len(), 7, "one send and six retries: {refused:?}");
    let gaps: Vec<i64> = refused.windows(2).map(|w| w[1] - w[0]).collect();
    // Each gap is the backoff plus one produce round trip (a few ms).
    let expected = [(80, 120), (160, 240), (320, 480), (640, 960), (800, 1000), (800, 1000)];
    for (gap, (lo, hi)) in gaps.iter().zip(expected) {
        assert!((lo..=hi + 5).contains(gap), "gaps {gaps:?}");
    }
}

/// Issue #20 item 2: an acks=0 request expects no response: each send completes when it goes
/// out and holds no in-flight slot, so thousands of records never wait for request.timeout.ms.
#[test]
fn acks_zero_completes_when_sent_and_never_stalls_on_in_flight_slots() {
    let mut c = cluster(3, 2);
    c.create_topic(NewTopic::new("fire", 1, 3)).unwrap();
    step_checked(&mut c, 1_000);
    let config = ProducerConfig { acks: 0, enable_idempotence: Some(false), batch_size: 1_000, ..Default::default() };
    let p = c.create_producer(config).unwrap();
    let start = c.now_ms();
    for i in 0..2000 {
        c.send(p, ProducerRecord::new("fire", None, Some(format!("{i:0100}").as_bytes()))).unwrap();
    }
    c.flush(p).unwrap();
    let took = c.now_ms() - start;
    assert!(took < 100, "2000 acks=0 records took {took} ms");
    let results = c.take_send_results(p);
    assert_eq!(results.len(), 2000);
    assert!(results.iter().all(|(_, r)| matches!(r, SendResult::Delivered { offset: -1, .. })));
    step_checked(&mut c, 1_000);
    assert_eq!(c.list_offsets("fire", 0, OffsetSpec::Latest).unwrap().0, 2000);
}
