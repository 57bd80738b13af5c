//! Transaction coordinator liveness when its broker is cut off from the network for less than
//! its session timeout (so it stays the coordinator). Two bugs wedged a transactional id in
//! PrepareCommit for ever (every later InitProducerId got CONCURRENT_TRANSACTIONS):
//! - the coordinator's writes to its own `__transaction_state` partition complete inside its
//!   broker (Kafka's append callback), but the engine sent the completion as a network reply,
//!   which the isolation dropped (the group coordinator had the same bug, issue 19 item 8);
//! - a CompleteCommit/CompleteAbort write that failed (timed out while isolated) was never
//!   retried; Kafka's marker channel re-queues it (TransactionMarkerChannelManager.tryAppendToLog,
//!   COORDINATOR_NOT_AVAILABLE).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use kafka_sandbox::engine::*;

fn txn_producer(c: &mut Cluster, id: &str) -> ProducerId {
    let cfg = ProducerConfig { transactional_id: Some(id.to_string()), ..Default::default() };
    c.create_producer(cfg).expect("transactional producer")
}

/// Commits one transaction, cutting the coordinator off `delay_ms` after the commit starts
/// (while its PrepareCommit write may be pending) for 7 s; returns whether a new instance of
/// the same transactional id can initialise within its max.block.ms after the heal.
fn new_instance_initialises_after_isolating_the_coordinator(delay_ms: i64) -> bool {
    let mut c = Cluster::new(ClusterConfig::new(3, 7)).expect("valid cluster");
    c.create_topic(NewTopic::new("out", 1, 3)).expect("topic");
    let p = txn_producer(&mut c, "tx");
    c.init_transactions(p).expect("first init");
    let coordinator = c.describe_transaction("tx").expect("described").coordinator;
    c.begin_transaction(p).expect("begin");
    let mut r = ProducerRecord::new("out", Some(b"k"), Some(b"v"));
    r.partition = Some(0);
    c.send(p, r).expect("send");
    c.flush(p).expect("flush");
    c.start_end_transaction(p, true).expect("commit starts");
    c.advance(delay_ms);
    c.isolate(coordinator).expect("isolate");
    // Shorter than broker.session.timeout.ms (9 s): the broker is not fenced, so it stays the
    // coordinator; longer than the write's 5 s timeout.
    c.advance(7_000);
    c.heal();
    c.advance(30_000);
    let q = txn_producer(&mut c, "tx");
    c.init_transactions(q).is_ok()
}

#[test]
fn isolating_the_transaction_coordinator_mid_write_does_not_wedge_the_transactional_id() {
    let stuck: Vec<i64> = (0..40).filter(|&d| !new_instance_initialises_after_isolating_the_coordinator(d)).collect();
    assert!(stuck.is_empty(), "a new instance could not initialise after isolating the coordinator {stuck:?} ms into the commit");
}
