//! Exactly-once building blocks: the idempotent producer (producer ids, sequences, the broker's
//! duplicate cache), transactions (coordinator, markers, LSO, read_committed, fencing, timeouts,
//! offsets in transactions).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use kafka_sandbox::engine::log::{Batch, PartitionLog, RecordsData, RollPolicy};
use kafka_sandbox::engine::*;
use std::rc::Rc;

fn cluster(n: u32, seed: u64) -> Cluster {
    Cluster::new(ClusterConfig::new(n, seed)).expect("valid cluster")
}

/// Invariants are checked every [`CHECK_EVERY_STEPS`] events and at the end of each run: a full
/// check walks every replica of every partition (the 50 `__consumer_offsets` and 50
/// `__transaction_state` ones included), which made checking after every event 90% of this
/// file's run time. A violation persists until a later event repairs it, and the properties
/// guard replication, which tests/engine_swarm.rs checks after every event.
const CHECK_EVERY_STEPS: u64 = 8;

fn checked(c: &mut Cluster, ms: i64) {
    let until = c.now_ms() + ms;
    let check = |c: &Cluster| {
        if let Err(v) = c.check_invariants() {
            panic!("invariant violated at t={}: {v}", c.now_ms());
        }
    };
    c.run_until(until, |c| {
        if c.steps() % CHECK_EVERY_STEPS == 0 {
            check(c);
        }
    });
    check(c);
}

fn values(c: &Cluster, topic: &str, partition: i32, isolation: Isolation) -> Vec<(i64, String)> {
    let mut req = FetchRequest::new(topic, partition, 0);
    req.isolation = isolation;
    let resp = c.fetch(&req).expect("fetch");
    resp.records().map(|r| (r.offset, String::from_utf8_lossy(r.value.unwrap_or_default()).into_owned())).collect()
}

fn txn_producer(c: &mut Cluster, id: &str) -> ProducerId {
    let cfg = ProducerConfig { transactional_id: Some(id.to_string()), ..Default::default() };
    c.create_producer(cfg).expect("transactional producer")
}

fn send(c: &mut Cluster, p: ProducerId, topic: &str, partition: i32, value: &str) {
    let mut r = ProducerRecord::new(topic, Some(b"k"), Some(value.as_bytes()));
    r.partition = Some(partition);
    c.send(p, r).expect("send");
}

// ----- configuration -----

#[test]
fn idempotence_is_on_by_default_and_silently_off_on_implicit_conflicts() {
    assert_eq!(ProducerConfig::default().resolve_idempotence(), Ok(true));
    let acks1 = ProducerConfig { acks: 1, ..Default::default() };
    assert_eq!(acks1.resolve_idempotence(), Ok(false));
    let no_retries = ProducerConfig { retries: 0, ..Default::default() };
    assert_eq!(no_retries.resolve_idempotence(), Ok(false));
    let inflight = ProducerConfig { max_in_flight: 6, ..Default::default() };
    assert_eq!(inflight.resolve_idempotence(), Ok(false));
}

#[test]
fn explicit_idempotence_with_conflicting_configs_is_a_config_exception() {
    let e = ProducerConfig { acks: 1, enable_idempotence: Some(true), ..Default::default() }.resolve_idempotence().unwrap_err();
    assert_eq!(e.message, "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.");
    let e = ProducerConfig { retries: 0, enable_idempotence: Some(true), ..Default::default() }.resolve_idempotence().unwrap_err();
    assert_eq!(e.message, "Must set retries to non-zero when using the idempotent producer.");
    let e = ProducerConfig { max_in_flight: 6, enable_idempotence: Some(true), ..Default::default() }.resolve_idempotence().unwrap_err();
    assert_eq!(e.message, "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.");
}

#[test]
fn transactions_without_idempotence_are_refused() {
    let mut c = cluster(3, 1);
    let cfg = ProducerConfig { transactional_id: Some("tx".into()), enable_idempotence: Some(false), ..Default::default() };
    let e = c.create_producer(cfg).unwrap_err();
    assert_eq!(e.message, "Cannot set a transactional.id without also enabling idempotence.");
    // acks=1 silently turns idempotence off, which then conflicts with transactional.id.
    let cfg = ProducerConfig { transactional_id: Some("tx".into()), acks: 1, ..Default::default() };
    assert_eq!(c.create_producer(cfg).unwrap_err().message, "Cannot set a transactional.id without also enabling idempotence.");
    // Transactional calls on a plain producer.
    let p = c.create_producer(ProducerConfig::default()).unwrap();
    assert_eq!(c.begin_transaction(p).unwrap_err().message, "Transactional method invoked on a non-transactional producer.");
}

// ----- the broker's producer state -----

fn pbatch(base: i64, pid: i64, epoch: i16, seq: i32, n: usize) -> Rc<Batch> {
    let mut d = RecordsData::new();
    for i in 0..n {
        d.push(0, Some(b"k"), Some(format!("v{i}").as_bytes()), Vec::new());
    }
    d.producer = ProducerBatchInfo { producer_id: pid, producer_epoch: epoch, base_sequence: seq, ..Default::default() };
    Rc::new(Batch::new(base, 0, None, Rc::new(d)))
}

const ROLL: RollPolicy = RollPolicy { segment_bytes: 1 << 30, segment_ms: i64::MAX / 2, segment_jitter_ms: 0 };

#[test]
fn a_retried_batch_matches_one_of_the_last_five_and_gets_its_original_offsets() {
    let mut log = PartitionLog::new(0);
    for i in 0..7 {
        log.append(pbatch(i * 2, 7, 0, (i * 2) as i32, 2), ROLL, 0);
    }
    let st = &log.producer_state;
    let info = |seq| ProducerBatchInfo { producer_id: 7, producer_epoch: 0, base_sequence: seq, ..Default::default() };
    // Batches 2..6 are cached (sequences 4..13); the newest one and an older cached one match.
    assert_eq!(st.validate_client_batch(&info(12), 2, 14, "t-0"), Ok(Some((12, 13))));
    assert_eq!(st.validate_client_batch(&info(4), 2, 14, "t-0"), Ok(Some((4, 5))));
    // Sequence 2 fell out of the cache: it is out of order.
    let e = st.validate_client_batch(&info(2), 2, 14, "t-0").unwrap_err();
    assert_eq!(e.code, ErrorCode::OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert_eq!(e.message, "Out of order sequence number for producer 7 at offset 14 in partition t-0: 2 (incoming seq. number), 13 (current end sequence number)");
    // A gap is out of order too; the next sequence is fine.
    assert!(st.validate_client_batch(&info(15), 1, 14, "t-0").is_err());
    assert_eq!(st.validate_client_batch(&info(14), 1, 14, "t-0"), Ok(None));
    // An unknown producer may start anywhere.
    let other = ProducerBatchInfo { producer_id: 8, producer_epoch: 0, base_sequence: 42, ..Default::default() };
    assert_eq!(st.validate_client_batch(&other, 1, 14, "t-0"), Ok(None));
}

#[test]
fn an_older_epoch_is_refused_and_a_new_epoch_must_start_at_zero() {
    let mut log = PartitionLog::new(0);
    log.append(pbatch(0, 3, 2, 0, 1), ROLL, 0);
    let st = &log.producer_state;
    let old = ProducerBatchInfo { producer_id: 3, producer_epoch: 1, base_sequence: 1, ..Default::default() };
    let e = st.validate_client_batch(&old, 1, 1, "t-0").unwrap_err();
    assert_eq!(e.code, ErrorCode::INVALID_PRODUCER_EPOCH);
    assert_eq!(e.message, "Epoch of producer 3 at offset 1 in t-0 is 1, which is smaller than the last seen epoch 2");
    let newer = ProducerBatchInfo { producer_id: 3, producer_epoch: 3, base_sequence: 5, ..Default::default() };
    let e = st.validate_client_batch(&newer, 1, 1, "t-0").unwrap_err();
    assert_eq!(e.code, ErrorCode::OUT_OF_ORDER_SEQUENCE_NUMBER);
    let fresh = ProducerBatchInfo { producer_id: 3, producer_epoch: 3, base_sequence: 0, ..Default::default() };
    assert_eq!(st.validate_client_batch(&fresh, 1, 1, "t-0"), Ok(None));
}

#[test]
fn truncation_rebuilds_the_producer_state_from_the_log() {
    let mut log = PartitionLog::new(0);
    log.append(pbatch(0, 1, 0, 0, 2), ROLL, 0);
    log.append(pbatch(2, 1, 0, 2, 2), ROLL, 0);
    log.truncate_to(2, 0);
    let info = ProducerBatchInfo { producer_id: 1, producer_epoch: 0, base_sequence: 2, ..Default::default() };
    // The truncated batch is no longer a duplicate: it is appended again.
    assert_eq!(log.producer_state.validate_client_batch(&info, 2, 2, "t-0"), Ok(None));
}

// ----- lost acknowledgements: duplicates with idempotence off, none with it on -----

/// Sends one record, lets every replica copy it, then kills the leader before its answer gets
/// out: the producer times out and retries on the new leader.
fn lost_ack_scenario(idempotent: bool) -> (Vec<(i64, String)>, Vec<(SendId, SendResult)>) {
    let mut c = cluster(3, 11);
    c.create_topic(NewTopic::new("t", 1, 3).config("min.insync.replicas", "2")).unwrap();
    let cfg = ProducerConfig { enable_idempotence: Some(idempotent), request_timeout_ms: 3_000, ..Default::default() };
    let p = c.create_producer(cfg).unwrap();
    c.send(p, ProducerRecord::new("t", Some(b"k"), Some(b"once"))).unwrap();
    let leader = c.describe_topic("t").unwrap().partitions[0].leader.unwrap();
    // Run until every replica has the record, then crash the leader at once.
    let copied = c.run_while(10_000, |c| c.broker_ids().iter().all(|b| c.replica_log(*b, "t", 0).is_some_and(|l| l.log_end_offset >= 1)));
    assert!(copied);
    assert!(c.take_send_results(p).is_empty(), "the acknowledgement has not arrived yet");
    c.crash(leader).unwrap();
    c.flush(p).unwrap();
    checked(&mut c, 20_000);
    c.start(leader).unwrap();
    checked(&mut c, 40_000);
    (values(&c, "t", 0, Isolation::ReadUncommitted), c.take_send_results(p))
}

#[test]
fn without_idempotence_a_lost_ack_and_a_retry_duplicate_the_record() {
    let (recs, results) = lost_ack_scenario(false);
    assert_eq!(recs, vec![(0, "once".to_string()), (1, "once".to_string())]);
    assert_eq!(results.len(), 1);
    assert!(matches!(results[0].1, SendResult::Delivered { offset: 1, .. }), "{results:?}");
}

#[test]
fn with_idempotence_the_retry_gets_the_original_offset_and_no_duplicate() {
    let (recs, results) = lost_ack_scenario(true);
    assert_eq!(recs, vec![(0, "once".to_string())]);
    assert!(matches!(results[0].1, SendResult::Delivered { offset: 0, .. }), "{results:?}");
}

// ----- transactions -----

#[test]
fn commit_and_abort_write_markers_that_take_offsets_and_read_committed_skips_aborted_data() {
    let mut c = cluster(3, 2);
    c.create_topic(NewTopic::new("out", 1, 3)).unwrap();
    let p = txn_producer(&mut c, "tx-1");
    c.init_transactions(p).unwrap();
    c.begin_transaction(p).unwrap();
    for v in ["a", "b", "c"] {
        send(&mut c, p, "out", 0, v);
    }
    c.commit_transaction(p).unwrap();
    c.begin_transaction(p).unwrap();
    for v in ["x", "y"] {
        send(&mut c, p, "out", 0, v);
    }
    // Records still in the accumulator are dropped by an abort (Kafka's abortUndrainedBatches):
    // flush so these reach the log and the abort marker has data to cancel.
    c.flush(p).unwrap();
    c.abort_transaction(p).unwrap();
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "out", 0, "d");
    c.commit_transaction(p).unwrap();
    checked(&mut c, 1_000);
    let all: Vec<(i64, String)> = [(0, "a"), (1, "b"), (2, "c"), (4, "x"), (5, "y"), (7, "d")].iter().map(|(o, v)| (*o, v.to_string())).collect();
    assert_eq!(values(&c, "out", 0, Isolation::ReadUncommitted), all);
    let committed: Vec<(i64, String)> = [(0, "a"), (1, "b"), (2, "c"), (7, "d")].iter().map(|(o, v)| (*o, v.to_string())).collect();
    assert_eq!(values(&c, "out", 0, Isolation::ReadCommitted), committed);
    assert_eq!(c.last_stable_offset("out", 0).unwrap(), 9);
    assert_eq!(c.list_offsets("out", 0, OffsetSpec::Latest).unwrap().0, 9);
    let d = c.describe_transaction("tx-1").unwrap();
    assert_eq!(d.state, TransactionState::CompleteCommit);
    assert_eq!(d.producer_epoch, 0);
    assert!(d.partitions.is_empty());
    let l = c.list_transactions().unwrap();
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].transactional_id, "tx-1");
    assert_eq!(c.describe_transaction("nope").unwrap_err().code, ErrorCode::TRANSACTIONAL_ID_NOT_FOUND);
}

#[test]
fn an_open_transaction_holds_back_the_last_stable_offset() {
    let mut c = cluster(3, 3);
    c.create_topic(NewTopic::new("out", 1, 3)).unwrap();
    let plain = c.create_producer(ProducerConfig::default()).unwrap();
    let p = txn_producer(&mut c, "tx-open");
    c.init_transactions(p).unwrap();
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "out", 0, "pending");
    c.flush(p).unwrap();
    send(&mut c, plain, "out", 0, "plain");
    c.flush(plain).unwrap();
    checked(&mut c, 1_000);
    assert_eq!(values(&c, "out", 0, Isolation::ReadUncommitted).len(), 2);
    assert_eq!(values(&c, "out", 0, Isolation::ReadCommitted), vec![]);
    assert_eq!(c.last_stable_offset("out", 0).unwrap(), 0);
    let d = c.describe_transaction("tx-open").unwrap();
    assert_eq!(d.state, TransactionState::Ongoing);
    assert_eq!(d.partitions, vec![TopicPartition { topic: "out".into(), partition: 0 }]);
    assert!(d.start_time_ms.is_some());
    c.commit_transaction(p).unwrap();
    checked(&mut c, 1_000);
    assert_eq!(values(&c, "out", 0, Isolation::ReadCommitted), vec![(0, "pending".to_string()), (1, "plain".to_string())]);
}

#[test]
fn a_new_instance_fences_the_zombie_and_aborts_its_transaction() {
    let mut c = cluster(3, 4);
    c.create_topic(NewTopic::new("out", 1, 3)).unwrap();
    let old = txn_producer(&mut c, "app");
    c.init_transactions(old).unwrap();
    c.begin_transaction(old).unwrap();
    send(&mut c, old, "out", 0, "zombie");
    c.flush(old).unwrap();
    let new = txn_producer(&mut c, "app");
    c.init_transactions(new).unwrap();
    assert_eq!(c.producer_identity(new).unwrap().1, 2, "epoch bumped for the fence, then for the new instance");
    let e = c.commit_transaction(old).unwrap_err();
    assert_eq!(e.code, ErrorCode::PRODUCER_FENCED);
    assert_eq!(e.message, "There is a newer producer with the same transactionalId which fences the current one.");
    // Later calls keep failing with the fenced error.
    let e = c.begin_transaction(old).unwrap_err();
    assert_eq!(e.code, ErrorCode::PRODUCER_FENCED);
    assert!(e.message.starts_with("Producer with transactionalId 'app' and (producerId="), "{}", e.message);
    c.begin_transaction(new).unwrap();
    send(&mut c, new, "out", 0, "fresh");
    c.commit_transaction(new).unwrap();
    checked(&mut c, 1_000);
    assert_eq!(values(&c, "out", 0, Isolation::ReadCommitted), vec![(2, "fresh".to_string())]);
}

#[test]
fn the_coordinator_aborts_a_transaction_past_its_timeout() {
    let mut c = cluster(3, 5);
    c.create_topic(NewTopic::new("out", 1, 3)).unwrap();
    let cfg = ProducerConfig { transactional_id: Some("slow".into()), transaction_timeout_ms: 5_000, ..Default::default() };
    let p = c.create_producer(cfg).unwrap();
    c.init_transactions(p).unwrap();
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "out", 0, "late");
    c.flush(p).unwrap();
    checked(&mut c, 20_000);
    assert_eq!(c.describe_transaction("slow").unwrap().state, TransactionState::CompleteAbort);
    assert_eq!(values(&c, "out", 0, Isolation::ReadCommitted), vec![]);
    assert_eq!(c.last_stable_offset("out", 0).unwrap(), 2);
    assert_eq!(c.commit_transaction(p).unwrap_err().code, ErrorCode::PRODUCER_FENCED);
}

#[test]
fn offsets_sent_in_a_transaction_count_only_when_it_commits() {
    let mut c = cluster(3, 6);
    c.create_topic(NewTopic::new("out", 1, 3)).unwrap();
    let p = txn_producer(&mut c, "ctp");
    c.init_transactions(p).unwrap();
    let tp = TopicPartition { topic: "in".into(), partition: 0 };
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "out", 0, "x");
    c.send_offsets_to_transaction(p, vec![(tp.clone(), 5)], "g").unwrap();
    c.abort_transaction(p).unwrap();
    checked(&mut c, 500);
    assert_eq!(c.coordinator_offsets("g").unwrap_or_default().get(&tp), None);
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "out", 0, "y");
    c.send_offsets_to_transaction(p, vec![(tp.clone(), 7)], "g").unwrap();
    c.commit_transaction(p).unwrap();
    checked(&mut c, 500);
    assert_eq!(c.coordinator_offsets("g").unwrap().get(&tp), Some(&7));
}

#[test]
fn abort_drops_records_still_in_the_accumulator() {
    let mut c = cluster(3, 9);
    c.create_topic(NewTopic::new("out", 1, 3)).unwrap();
    let p = txn_producer(&mut c, "drop");
    c.init_transactions(p).unwrap();
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "out", 0, "never");
    c.abort_transaction(p).unwrap();
    match &c.take_send_results(p)[0].1 {
        SendResult::Failed(e) => assert_eq!(e.message, "Failing batch since transaction was aborted"),
        other => panic!("{other:?}"),
    }
    checked(&mut c, 500);
    assert_eq!(values(&c, "out", 0, Isolation::ReadUncommitted), vec![]);
}

#[test]
fn transactional_calls_in_the_wrong_state_get_kafkas_errors() {
    let mut c = cluster(3, 7);
    c.create_topic(NewTopic::new("out", 1, 3)).unwrap();
    let p = txn_producer(&mut c, "st");
    let e = c.begin_transaction(p).unwrap_err();
    assert_eq!(e.message, "TransactionalId st: Invalid transition attempted from state UNINITIALIZED to state IN_TRANSACTION");
    send(&mut c, p, "out", 0, "early");
    c.flush(p).unwrap();
    let r = c.take_send_results(p);
    match &r[0].1 {
        SendResult::Failed(e) => assert_eq!(e.message, "Cannot add partition out-0 to transaction before completing a call to initTransactions"),
        other => panic!("{other:?}"),
    }
    c.init_transactions(p).unwrap();
    send(&mut c, p, "out", 0, "outside");
    c.flush(p).unwrap();
    match &c.take_send_results(p)[0].1 {
        SendResult::Failed(e) => assert_eq!(e.message, "Cannot add partition out-0 to transaction while in state  READY"),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.commit_transaction(p).unwrap_err().message, "TransactionalId st: Invalid transition attempted from state READY to state COMMITTING_TRANSACTION");
    let e = c.send_offsets_to_transaction(p, vec![], "g").unwrap_err();
    assert_eq!(e.message, "Cannot send offsets if a transaction is not in progress (currentState= READY)");
    // A transaction with nothing in it commits without talking to the coordinator.
    c.begin_transaction(p).unwrap();
    c.commit_transaction(p).unwrap();
}

#[test]
fn transactions_survive_a_coordinator_crash() {
    let mut c = cluster(3, 8);
    c.create_topic(NewTopic::new("out", 1, 3)).unwrap();
    let p = txn_producer(&mut c, "tx-crash");
    c.init_transactions(p).unwrap();
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "out", 0, "v1");
    c.flush(p).unwrap();
    let coord = c.describe_transaction("tx-crash").unwrap().coordinator;
    c.crash(coord).unwrap();
    c.commit_transaction(p).unwrap();
    checked(&mut c, 15_000);
    c.start(coord).unwrap();
    checked(&mut c, 30_000);
    assert_eq!(values(&c, "out", 0, Isolation::ReadCommitted), vec![(0, "v1".to_string())]);
    let d = c.describe_transaction("tx-crash").unwrap();
    assert_eq!(d.state, TransactionState::CompleteCommit);
}

// ----- the consume-transform-produce app under crashes -----

fn all_values(c: &Cluster, topic: &str, isolation: Isolation) -> std::collections::BTreeMap<String, u32> {
    let mut m = std::collections::BTreeMap::new();
    for p in 0..3 {
        for (_, v) in values(c, topic, p, isolation) {
            *m.entry(v).or_insert(0) += 1;
        }
    }
    m
}

/// Copies 300 records (fed in six lots) through an app that is crashed five times shortly
/// after new input arrives, with a broker killed and restarted every other time; returns how often each expected output value appears
/// (read_committed) and the app's status.
fn crashing_app(guarantee: Guarantee, seed: u64) -> (Vec<u32>, AppStatus) {
    let mut c = cluster(3, seed);
    c.create_topic(NewTopic::new("in", 3, 3).config("min.insync.replicas", "2")).unwrap();
    c.create_topic(NewTopic::new("out", 3, 3).config("min.insync.replicas", "2")).unwrap();
    let feed = c.create_producer(ProducerConfig::default()).unwrap();
    // 50 records now and 50 more each round, so crashes find the app busy.
    let mut fed = 0;
    let mut feed_more = |c: &mut Cluster| {
        for i in fed..fed + 50 {
            c.send(feed, ProducerRecord::new("in", Some(format!("k{i}").as_bytes()), Some(format!("r{i}").as_bytes()))).unwrap();
        }
        fed += 50;
        c.flush(feed).unwrap();
    };
    feed_more(&mut c);
    let spec = AppSpec { name: "copier".into(), from: "in".into(), to: "out".into(), group: "copiers".into(), guarantee };
    c.app_start(spec.clone()).unwrap();
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut rand = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    for round in 0..5 {
        feed_more(&mut c);
        checked(&mut c, rand(400) as i64);
        c.app_crash("copier").unwrap();
        if round % 2 == 1 {
            let b = 1 + rand(3) as i32;
            c.crash(b).unwrap();
            checked(&mut c, 12_000);
            c.start(b).unwrap();
        }
        checked(&mut c, 1_000);
        c.app_start(spec.clone()).unwrap();
        // Let the group forget the crashed member and the new instance get going.
        checked(&mut c, 50_000 + rand(2_000) as i64);
    }
    checked(&mut c, 120_000);
    let out = all_values(&c, "out", Isolation::ReadCommitted);
    let counts = (0..300).map(|i| out.get(&format!("R{i}")).copied().unwrap_or(0)).collect();
    let status = c.app_list().into_iter().next().unwrap();
    (counts, status)
}

#[test]
fn exactly_once_app_crashed_repeatedly_outputs_every_record_once() {
    for seed in [1, 2, 3] {
        let (counts, status) = crashing_app(Guarantee::ExactlyOnce, seed);
        let wrong: Vec<(usize, u32)> = counts.iter().copied().enumerate().filter(|(_, n)| *n != 1).collect();
        assert!(wrong.is_empty(), "seed {seed}: records not seen exactly once: {wrong:?} ({status:?})");
        assert_eq!(status.state, "running");
        assert_eq!(status.instance, 6);
    }
}

#[test]
fn at_least_once_app_never_loses_but_duplicates_after_crashes() {
    let mut duplicated = 0;
    for seed in [1, 2, 3] {
        let (counts, _) = crashing_app(Guarantee::AtLeastOnce, seed);
        assert!(counts.iter().all(|n| *n >= 1), "seed {seed}: a record is missing");
        duplicated += counts.iter().filter(|n| **n > 1).count();
    }
    assert!(duplicated > 0, "crashes between produce and commit duplicate records");
}

#[test]
fn at_most_once_app_never_duplicates_but_loses_records_after_crashes() {
    let mut missing = 0;
    for seed in [1, 2, 3] {
        let (counts, _) = crashing_app(Guarantee::AtMostOnce, seed);
        assert!(counts.iter().all(|n| *n <= 1), "seed {seed}: a record was duplicated");
        missing += counts.iter().filter(|n| **n == 0).count();
    }
    assert!(missing > 0, "crashes between commit and produce lose records");
}

// ----- max.in.flight.requests.per.connection -----

/// Sends ten one-record batches to one partition (acks=all) and returns the simulated time
/// until all are acknowledged and the offsets they got, in send order.
fn pipelined(max_in_flight: u32, idempotent: bool) -> (i64, Vec<i64>) {
    let mut c = cluster(3, 21);
    c.create_topic(NewTopic::new("t", 1, 3)).unwrap();
    let cfg = ProducerConfig { max_in_flight, enable_idempotence: Some(idempotent), batch_size: 1, linger_ms: 0, ..Default::default() };
    let p = c.create_producer(cfg).unwrap();
    // Metadata and the producer id first, so only the produce requests are timed.
    send(&mut c, p, "t", 0, "warm-up");
    c.flush(p).unwrap();
    c.take_send_results(p);
    let start = c.now_ms();
    let ids: Vec<SendId> = (0..10).map(|i| {
        let mut r = ProducerRecord::new("t", None, Some(format!("v{i}").as_bytes()));
        r.partition = Some(0);
        c.send(p, r).unwrap()
    }).collect();
    assert!(c.run_while(10_000, |c| c.pending_sends(p) == 0));
    let took = c.now_ms() - start;
    let results: std::collections::BTreeMap<SendId, SendResult> = c.take_send_results(p).into_iter().collect();
    let offsets = ids.iter().map(|id| match results[id] { SendResult::Delivered { offset, .. } => offset, ref other => panic!("{other:?}") }).collect();
    (took, offsets)
}

#[test]
fn up_to_max_in_flight_requests_per_connection_go_out_at_once_and_keep_their_order() {
    let in_order: Vec<i64> = (1..=10).collect();
    let (one, offsets) = pipelined(1, true);
    assert_eq!(offsets, in_order);
    let (five, offsets) = pipelined(5, true);
    assert_eq!(offsets, in_order);
    let (five_plain, offsets) = pipelined(5, false);
    assert_eq!(offsets, in_order);
    // One request per 4 ms round trip (produce, replica fetch, HW, response) against five at
    // once: ten batches take 40 ms one by one, 12 ms pipelined.
    assert_eq!((one, five, five_plain), (40, 12, 12));
}

// ----- the log cleaner and transactions -----

#[test]
fn cleaning_removes_aborted_records_keeps_markers_and_never_lets_them_supersede() {
    let mut config = ClusterConfig::new(3, 31);
    config.broker_overrides.push(("log.cleaner.backoff.ms".into(), "200".into()));
    let mut c = Cluster::new(config).unwrap();
    c.create_topic(NewTopic::new("kv", 1, 3).config("cleanup.policy", "compact").config("segment.ms", "100").config("min.cleanable.dirty.ratio", "0.01")).unwrap();
    let p = txn_producer(&mut c, "kv-tx");
    c.init_transactions(p).unwrap();
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "kv", 0, "committed");
    c.commit_transaction(p).unwrap();
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "kv", 0, "aborted");
    c.flush(p).unwrap();
    c.abort_transaction(p).unwrap();
    // Offsets 0-3: data, marker, aborted data, marker; later appends roll them into older
    // segments the cleaner may clean.
    checked(&mut c, 500);
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "kv", 0, "next");
    c.commit_transaction(p).unwrap();
    checked(&mut c, 3_000);
    let cleaned = c.last_clean_report(c.describe_topic("kv").unwrap().partitions[0].leader.unwrap(), "kv", 0).expect("the leader cleaned the log");
    assert!(cleaned.cleaner_point >= 4, "{cleaned:?}");
    // The aborted record is gone and did not count as the newest of its key: the committed one
    // stays until a committed record supersedes it in a later pass.
    let after = values(&c, "kv", 0, Isolation::ReadUncommitted);
    assert_eq!(after[0], (0, "committed".to_string()), "{after:?}");
    assert!(!after.iter().any(|(_, v)| v == "aborted"), "{after:?}");
    assert_eq!(values(&c, "kv", 0, Isolation::ReadCommitted), after);
    // Markers keep their offsets: the log end and the last stable offset are unchanged.
    assert_eq!(c.last_stable_offset("kv", 0).unwrap(), 6);
}

/// The control batches (base offsets) a replica of `topic-partition` holds.
fn markers(c: &Cluster, broker: BrokerId, topic: &str, partition: i32) -> Vec<i64> {
    let log = c.replica_log(broker, topic, partition).expect("replica");
    log.segments.iter().flat_map(|s| s.batches.iter()).filter(|b| b.is_control()).map(|b| b.base_offset).collect()
}

/// Kafka drops a transaction marker once no data of its transaction is left and the marker's
/// delete horizon (delete.retention.ms after the pass that found it empty) has passed; a marker
/// whose transaction still has data stays.
#[test]
fn an_empty_transactions_marker_is_removed_after_its_delete_horizon() {
    let mut config = ClusterConfig::new(3, 31);
    config.broker_overrides.push(("log.cleaner.backoff.ms".into(), "200".into()));
    let mut c = Cluster::new(config).unwrap();
    c.create_topic(
        NewTopic::new("kv", 1, 3)
            .config("cleanup.policy", "compact")
            .config("segment.ms", "100")
            .config("min.cleanable.dirty.ratio", "0.01")
            .config("delete.retention.ms", "1000"),
    )
    .unwrap();
    let p = txn_producer(&mut c, "kv-tx");
    c.init_transactions(p).unwrap();
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "kv", 0, "committed");
    c.commit_transaction(p).unwrap();
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "kv", 0, "aborted");
    c.flush(p).unwrap();
    c.abort_transaction(p).unwrap();
    checked(&mut c, 500);
    let leader = c.describe_topic("kv").unwrap().partitions[0].leader.unwrap();
    assert_eq!(markers(&c, leader, "kv", 0), vec![1, 3], "commit and abort markers");
    // Later transactions roll segments and wake the cleaner; within delete.retention.ms of the
    // first pass that found the aborted transaction empty, its marker stays.
    c.begin_transaction(p).unwrap();
    send(&mut c, p, "kv", 0, "next");
    c.commit_transaction(p).unwrap();
    checked(&mut c, 600);
    assert!(values(&c, "kv", 0, Isolation::ReadUncommitted).iter().all(|(_, v)| v != "aborted"), "aborted data cleaned");
    assert!(markers(&c, leader, "kv", 0).contains(&3), "the horizon has not passed yet");
    for round in 0..6 {
        c.begin_transaction(p).unwrap();
        send(&mut c, p, "kv", 0, &format!("more-{round}"));
        c.commit_transaction(p).unwrap();
        checked(&mut c, 600);
    }
    let left = markers(&c, leader, "kv", 0);
    assert!(!left.contains(&3), "the aborted transaction's marker went after its horizon: {left:?}");
    let log_end = c.replica_log(leader, "kv", 0).unwrap().log_end_offset;
    assert!(left.contains(&(log_end - 1)), "the last transaction's marker (its data is kept) stays: {left:?}");
    // Offsets never move: the log end and the last stable offset are what they were.
    assert_eq!(c.last_stable_offset("kv", 0).unwrap(), log_end);
    let committed = values(&c, "kv", 0, Isolation::ReadCommitted);
    assert_eq!(committed, values(&c, "kv", 0, Isolation::ReadUncommitted));
    assert_eq!(committed.last().map(|(_, v)| v.as_str()), Some("more-5"));
}

/// (producer id, epoch, base sequence) of every data batch a replica holds.
fn producer_stamps(c: &Cluster, broker: BrokerId, topic: &str) -> Vec<(i64, i16, i32)> {
    let log = c.replica_log(broker, topic, 0).expect("replica");
    log.segments.iter().flat_map(|s| s.batches.iter()).filter(|b| !b.is_control()).map(|b| (b.data.producer.producer_id, b.data.producer.producer_epoch, b.data.producer.base_sequence)).collect()
}

/// KIP-360 (Kafka 2.5+): when a batch fails for good, an idempotent producer keeps its producer
/// id and bumps its epoch itself, starting its sequences again at 0; it does not ask for a new id.
#[test]
fn an_idempotent_producer_bumps_its_epoch_after_a_batch_fails_for_good() {
    let mut c = cluster(3, 5);
    c.create_topic(NewTopic::new("t", 1, 3).config("min.insync.replicas", "3")).unwrap();
    let cfg = ProducerConfig { delivery_timeout_ms: 3_000, request_timeout_ms: 1_000, linger_ms: 0, ..Default::default() };
    let p = c.create_producer(cfg).unwrap();
    send(&mut c, p, "t", 0, "one");
    c.flush(p).unwrap();
    assert!(matches!(c.take_send_results(p)[0].1, SendResult::Delivered { .. }));
    // A follower dies: acks=all with min ISR 3 is refused (NOT_ENOUGH_REPLICAS, retriable)
    // until the delivery timeout fails the batch for good.
    let leader = c.describe_topic("t").unwrap().partitions[0].leader.unwrap();
    let follower = c.describe_topic("t").unwrap().partitions[0].replicas.iter().copied().find(|b| *b != leader).unwrap();
    c.crash(follower).unwrap();
    checked(&mut c, 12_000);
    send(&mut c, p, "t", 0, "lost");
    checked(&mut c, 5_000);
    let failed = c.take_send_results(p);
    assert!(matches!(failed[0].1, SendResult::Failed(_)), "{failed:?}");
    c.start(follower).unwrap();
    checked(&mut c, 15_000);
    send(&mut c, p, "t", 0, "two");
    c.flush(p).unwrap();
    assert!(matches!(c.take_send_results(p)[0].1, SendResult::Delivered { .. }));
    let stamps = producer_stamps(&c, leader, "t");
    assert_eq!(stamps.len(), 2, "{stamps:?}");
    let ((pid0, epoch0, seq0), (pid1, epoch1, seq1)) = (stamps[0], stamps[1]);
    assert_eq!((seq0, seq1), (0, 0), "sequences start again at 0 under the new epoch");
    assert_eq!(pid1, pid0, "same producer id");
    assert_eq!(epoch1, epoch0 + 1, "epoch bumped by the client");
}
