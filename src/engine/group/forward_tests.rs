//! FindCoordinator's auto-creation of `__consumer_offsets` (KRaft 3.9's
//! `AutoTopicCreationManager`): the serving broker decides from its own metadata view that the
//! topic is missing, forwards CreateTopics with the topic's settings to the active controller and
//! answers COORDINATOR_NOT_AVAILABLE; it sends no other while one is in flight. Each test is named
//! after the bug it guards.

use super::*;
#[cfg(target_arch = "wasm32")]
use crate::browser_test as test;
use crate::engine::cluster::{Cluster, ClusterConfig, Ev, Msg, NET_LATENCY_MS};
use crate::engine::controller::ConfigResource;
use std::cmp::Reverse;

fn settled(overrides: &[(&str, &str)]) -> Cluster {
    let broker_overrides = overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut c = Cluster::new(ClusterConfig { broker_overrides, ..ClusterConfig::new(3, 5) }).expect("valid cluster");
    c.advance(2_000);
    c
}

/// The brokers whose forwarded CreateTopics are on the wire, in queue order.
fn forwards_on_the_wire(c: &Cluster) -> Vec<BrokerId> {
    let mut from: Vec<(i64, u64, BrokerId)> = c
        .queue
        .iter()
        .filter_map(|Reverse(s)| match &s.ev {
            Ev::Deliver { from: Some(b), msg: Msg::CreateTopicsForward { .. }, .. } => Some((s.time_ms, s.seq, *b)),
            _ => None,
        })
        .collect();
    from.sort();
    from.into_iter().map(|(_, _, b)| b).collect()
}

/// A broker other than the active controller.
fn not_the_controller(c: &Cluster) -> BrokerId {
    let active = c.quorum_leader().expect("a controller");
    (1..=3).find(|b| *b != active).expect("three brokers")
}

#[test]
fn find_coordinator_forwards_the_offsets_topic_instead_of_creating_it() {
    let mut c = settled(&[]);
    assert_eq!(c.find_coordinator_on(1, "g"), Err(ErrorCode::COORDINATOR_NOT_AVAILABLE));
    assert!(!c.topic_exists(OFFSETS_TOPIC), "the broker writes nothing of the controller's");
    assert_eq!(forwards_on_the_wire(&c), vec![1]);
    c.advance(NET_LATENCY_MS);
    let d = c.describe_topic(OFFSETS_TOPIC).expect("created when the forward arrived");
    assert_eq!((d.partitions.len(), d.partitions[0].replicas.len()), (OFFSETS_PARTITIONS as usize, 3));
    let configs = c.describe_configs(&ConfigResource::Topic(OFFSETS_TOPIC.into())).expect("configs");
    let value = |name: &str| configs.iter().find(|e| e.name == name).map(|e| e.value.clone());
    assert_eq!(value("cleanup.policy").as_deref(), Some("compact"));
    assert_eq!(value("segment.bytes").as_deref(), Some(OFFSETS_SEGMENT_BYTES));
    assert_eq!(value("compression.type").as_deref(), Some("producer"));
    assert_eq!(c.find_coordinator_on(1, "g"), Err(ErrorCode::COORDINATOR_NOT_AVAILABLE), "broker 1 has not seen the records yet");
    c.advance(NET_LATENCY_MS);
    let p = crate::engine::assignor::coordinator_partition("g", OFFSETS_PARTITIONS);
    let leader = c.partition_meta(OFFSETS_TOPIC, p).and_then(|m| m.leader).expect("led");
    assert_eq!(c.find_coordinator_on(1, "g"), Ok(leader));
    assert!(forwards_on_the_wire(&c).is_empty());
}

#[test]
fn retried_find_coordinator_does_not_forward_again_while_one_is_in_flight() {
    let mut c = settled(&[]);
    for _ in 0..3 {
        assert_eq!(c.find_coordinator_on(1, "g"), Err(ErrorCode::COORDINATOR_NOT_AVAILABLE));
        assert_eq!(c.find_coordinator_on(1, "other"), Err(ErrorCode::COORDINATOR_NOT_AVAILABLE));
    }
    assert_eq!(c.find_coordinator_on(2, "g"), Err(ErrorCode::COORDINATOR_NOT_AVAILABLE));
    assert_eq!(forwards_on_the_wire(&c), vec![1, 2], "one per broker: each has its own in-flight set");
}

/// `offsets.topic.replication.factor` 4 on three brokers: the controller refuses the topic. Its
/// answer clears the mark, so the next FindCoordinator asks again (as Kafka's completion
/// handler does); before the answer nothing is re-sent.
#[test]
fn a_refused_offsets_topic_is_asked_again_once_the_controller_answered() {
    let mut c = settled(&[("offsets.topic.replication.factor", "4")]);
    let _ = c.find_coordinator_on(1, "g");
    c.advance(NET_LATENCY_MS);
    assert!(!c.topic_exists(OFFSETS_TOPIC), "INVALID_REPLICATION_FACTOR");
    let _ = c.find_coordinator_on(1, "g");
    assert!(forwards_on_the_wire(&c).is_empty(), "the answer is still on its way");
    c.advance(NET_LATENCY_MS);
    assert_eq!(c.find_coordinator_on(1, "g"), Err(ErrorCode::COORDINATOR_NOT_AVAILABLE));
    assert_eq!(forwards_on_the_wire(&c), vec![1]);
}

/// A forward the network dropped gets no answer: the mark lapses after the channel's retry
/// timeout, and the broker asks again.
#[test]
fn a_lost_forward_lapses_after_the_channel_retry_timeout() {
    let mut c = settled(&[]);
    let b = not_the_controller(&c);
    let _ = c.find_coordinator_on(b, "g");
    c.isolate(b).expect("isolated");
    c.advance(NET_LATENCY_MS);
    c.heal();
    assert!(!c.topic_exists(OFFSETS_TOPIC), "the forward was dropped");
    let _ = c.find_coordinator_on(b, "g");
    assert!(forwards_on_the_wire(&c).is_empty(), "still in flight for the broker");
    c.advance(CONTROLLER_REQUEST_RETRY_TIMEOUT_MS);
    let _ = c.find_coordinator_on(b, "g");
    assert_eq!(forwards_on_the_wire(&c), vec![b]);
}

/// A broker that cannot reach the active controller forwards nothing (and marks nothing): the
/// next FindCoordinator after the cut heals sends it.
#[test]
fn a_broker_cut_off_from_the_controller_forwards_once_it_reaches_it() {
    let mut c = settled(&[]);
    let b = not_the_controller(&c);
    c.isolate(b).expect("isolated");
    assert_eq!(c.find_coordinator_on(b, "g"), Err(ErrorCode::COORDINATOR_NOT_AVAILABLE));
    assert!(forwards_on_the_wire(&c).is_empty());
    c.heal();
    let _ = c.find_coordinator_on(b, "g");
    assert_eq!(forwards_on_the_wire(&c), vec![b]);
}

/// The forward's controller failed over before answering: the new active controller gets the
/// request at once (Kafka's channel resends to it), without waiting for the mark to lapse.
#[test]
fn a_forward_lost_with_its_controller_goes_to_the_new_one() {
    let mut c = settled(&[]);
    let b = not_the_controller(&c);
    let old = c.quorum_leader().expect("a controller");
    let _ = c.find_coordinator_on(b, "g");
    c.crash(old).expect("crashed");
    assert!(c.run_while(CONTROLLER_REQUEST_RETRY_TIMEOUT_MS / 2, |c| c.quorum_leader().is_some_and(|l| l != old)), "a new controller");
    assert!(!c.topic_exists(OFFSETS_TOPIC), "the forward died with its controller");
    assert_eq!(c.find_coordinator_on(b, "g"), Err(ErrorCode::COORDINATOR_NOT_AVAILABLE));
    assert_eq!(forwards_on_the_wire(&c), vec![b]);
}
