//! The cases where real Kafka loses acknowledged writes must lose them here too (reference §12.6).

// These tests also run in headless Chromium under `wasm-pack test` (same code, same digests).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use kafka_sandbox::engine::*;

fn setup(configs: &[(&str, &str)]) -> Cluster {
    // Five brokers: the controller quorum (voters 1, 2, 3) keeps a majority while the
    // partition's replicas (3, 4, 5) fail.
    let mut c = Cluster::new(ClusterConfig::new(5, 9)).unwrap();
    let mut t = NewTopic { name: "t".into(), assignment: Some(vec![vec![3, 4, 5]]), ..Default::default() };
    for (k, v) in configs {
        t.configs.push((k.to_string(), v.to_string()));
    }
    c.create_topic(t).unwrap();
    c.advance(100);
    c
}

fn send_one(c: &mut Cluster, p: ProducerId, v: &str) -> SendResult {
    c.send(p, ProducerRecord::new("t", None, Some(v.as_bytes()))).unwrap();
    c.flush(p).unwrap();
    c.take_send_results(p).pop().expect("one result").1
}

fn values(c: &Cluster) -> Vec<String> {
    let f = c.fetch(&FetchRequest::new("t", 0, 0)).unwrap();
    f.records().map(|r| String::from_utf8(r.value.unwrap().to_vec()).unwrap()).collect()
}

fn checked(c: &mut Cluster, ms: i64) {
    let until = c.now_ms() + ms;
    c.run_until(until, |c| c.check_invariants().unwrap_or_else(|v| panic!("{v}")));
}

/// acks=1: the leader acknowledges right after its local append. If it crashes before the
/// followers fetched, a follower becomes leader, and the old leader truncates the record away
/// when it comes back (leader-epoch truncation). The acknowledged write is gone.
#[test]
fn acks_1_leader_crash_before_followers_fetch_loses_the_write() {
    let mut c = setup(&[]);
    let p = c.create_producer(ProducerConfig { acks: 1, linger_ms: 0, ..Default::default() }).unwrap();
    assert!(matches!(send_one(&mut c, p, "safe"), SendResult::Delivered { offset: 0, .. }));
    checked(&mut c, 1000);
    // Run event by event until the ack reached the producer, then crash the leader before the
    // fetch responses carrying the record (same millisecond, later in the queue) leave it.
    c.send(p, ProducerRecord::new("t", None, Some(b"lost"))).unwrap();
    let leader = c.partition_meta("t", 0).unwrap().leader.unwrap();
    assert_eq!(leader, 3);
    assert!(c.run_while(100, |c| c.pending_sends(p) == 0));
    c.crash(leader).unwrap();
    let followers_leo: Vec<i64> = [4, 5].iter().map(|b| c.replica_log(*b, "t", 0).unwrap().log_end_offset).collect();
    assert_eq!(followers_leo, vec![1, 1], "followers have not fetched it");
    let r = c.take_send_results(p);
    assert!(matches!(r[0].1, SendResult::Delivered { offset: 1, .. }), "acks=1 acknowledged it: {r:?}");
    checked(&mut c, 12_000); // fencing after the session timeout, new leader elected
    c.start(leader).unwrap();
    checked(&mut c, 35_000);
    assert_eq!(values(&c), vec!["safe"]);
    assert_eq!(c.replica_log(leader, "t", 0).unwrap().log_end_offset, 1, "old leader truncated its acked record");
}

/// With the same crash but acks=all and min.insync.replicas=2, the write is not lost: it was
/// acknowledged only once the followers had it.
#[test]
fn acks_all_min_isr_2_survives_the_same_crash() {
    let mut c = setup(&[("min.insync.replicas", "2")]);
    let p = c.create_producer(ProducerConfig { acks: -1, linger_ms: 0, ..Default::default() }).unwrap();
    assert!(matches!(send_one(&mut c, p, "kept"), SendResult::Delivered { offset: 0, .. }));
    let leader = c.partition_meta("t", 0).unwrap().leader.unwrap();
    c.crash(leader).unwrap();
    checked(&mut c, 12_000);
    assert_eq!(values(&c), vec!["kept"]);
}

/// Unclean leader election: the only ISR member dies; with `unclean.leader.election.enable`
/// the controller elects an out-of-sync replica, and everything after its log end is lost,
/// including acks=all writes. Offsets are then reused for new records.
#[test]
fn unclean_election_loses_acknowledged_writes() {
    let mut c = setup(&[("unclean.leader.election.enable", "true")]);
    // Idempotence off: with it (Kafka's default), the new leader lacks the lost batch's sequence
    // and refuses 'c' with OUT_OF_ORDER_SEQUENCE_NUMBER (see engine_eos.rs).
    let p = c.create_producer(ProducerConfig { acks: -1, linger_ms: 0, enable_idempotence: Some(false), ..Default::default() }).unwrap();
    assert!(matches!(send_one(&mut c, p, "a"), SendResult::Delivered { .. }));
    checked(&mut c, 1000);
    // Followers 4 and 5 die; after fencing the ISR is just the leader 3.
    c.crash(4).unwrap();
    c.crash(5).unwrap();
    checked(&mut c, 12_000);
    assert_eq!(c.partition_meta("t", 0).unwrap().isr, vec![3]);
    // min.insync.replicas=1 (default): leader 3 acks alone.
    assert!(matches!(send_one(&mut c, p, "b"), SendResult::Delivered { offset: 1, .. }));
    c.crash(3).unwrap();
    c.start(4).unwrap();
    checked(&mut c, 15_000);
    let pm = c.partition_meta("t", 0).unwrap().clone();
    assert_eq!(pm.leader, Some(4), "out-of-sync replica elected uncleanly: {pm:?}");
    assert_eq!(values(&c), vec!["a"], "acknowledged 'b' is lost");
    // Offsets are reused.
    assert!(matches!(send_one(&mut c, p, "c"), SendResult::Delivered { offset: 1, .. }));
    c.start(3).unwrap();
    checked(&mut c, 40_000);
    assert_eq!(values(&c), vec!["a", "c"]);
    assert_eq!(c.replica_log(3, "t", 0).unwrap().log_end_offset, 2, "old leader truncated 'b' and took 'c'");
}

/// Without unclean election the same failure leaves the partition offline (`Leader: none`,
/// ISR = the dead member) and no data is lost once that broker returns.
#[test]
fn clean_only_election_prefers_unavailability() {
    let mut c = setup(&[]);
    let p = c.create_producer(ProducerConfig { acks: -1, linger_ms: 0, ..Default::default() }).unwrap();
    send_one(&mut c, p, "a");
    checked(&mut c, 1000);
    c.crash(4).unwrap();
    c.crash(5).unwrap();
    checked(&mut c, 12_000);
    send_one(&mut c, p, "b");
    c.crash(3).unwrap();
    c.start(4).unwrap();
    checked(&mut c, 15_000);
    let pm = c.partition_meta("t", 0).unwrap().clone();
    assert_eq!((pm.leader, pm.isr.clone()), (None, vec![3]), "Leader: none, Isr: 3");
    assert_eq!(c.fetch(&FetchRequest::new("t", 0, 0)).unwrap_err().code, ErrorCode::LEADER_NOT_AVAILABLE);
    c.start(3).unwrap();
    checked(&mut c, 40_000);
    assert_eq!(values(&c), vec!["a", "b"]);
}

/// min.insync.replicas=1: the ISR shrinks to the leader (followers isolated, then removed after
/// replica.lag.time.max.ms), the leader acks alone with acks=all. If that leader then dies, its
/// writes are only recoverable from its disk: with clean elections the partition waits for it
/// (no loss, but unavailable); with unclean election enabled, an out-of-sync replica takes over
/// and the lone-acked writes are lost. (Real Kafka also loses them if the lone leader's disk or
/// page cache is lost — KIP-966's "last replica standing" — which this simulator does not model:
/// a crash keeps the disk.)
#[test]
fn min_isr_1_lone_leader_acks_then_dies_loses_with_unclean_election() {
    let mut c = setup(&[("min.insync.replicas", "1")]);
    let p = c.create_producer(ProducerConfig { acks: -1, linger_ms: 0, ..Default::default() }).unwrap();
    send_one(&mut c, p, "a");
    checked(&mut c, 1000);
    // The followers stop fetching (crashed); the controller fences them and shrinks the ISR to
    // the leader alone.
    c.crash(4).unwrap();
    c.crash(5).unwrap();
    checked(&mut c, 12_000);
    assert_eq!(c.partition_meta("t", 0).unwrap().isr, vec![3]);
    assert!(matches!(send_one(&mut c, p, "alone"), SendResult::Delivered { offset: 1, .. }), "acks=all with ISR=[leader] and min.isr=1 is acknowledged");
    c.crash(3).unwrap();
    c.start(4).unwrap();
    c.start(5).unwrap();
    checked(&mut c, 15_000);
    assert_eq!(c.partition_meta("t", 0).unwrap().leader, None);
    c.alter_configs(&ConfigResource::Topic("t".into()), &[AlterOp::Set("unclean.leader.election.enable".into(), "true".into())]).unwrap();
    // KRaft runs the dynamic unclean election on its periodic check (5 minutes).
    checked(&mut c, 301_000);
    let pm = c.partition_meta("t", 0).unwrap().clone();
    assert_eq!(pm.leader, Some(4), "{pm:?}");
    assert_eq!(values(&c), vec!["a"], "the lone-acked write is lost");
}
