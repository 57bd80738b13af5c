//! The sandbox's work and memory budget (issue 19 item 3, `engine::budget`): cluster-wide
//! partitions, bytes held in logs, events per action. Each bound ends in an error in Kafka's
//! style, never in unbounded memory or time.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use kafka_sandbox::engine::budget::{EVENTS_PER_ACTION_MAX, PARTITIONS_MAX};
use kafka_sandbox::engine::*;
use kafka_sandbox::shell::{Shell, Stream, WorkLimits};

#[test]
fn partitions_past_the_cluster_wide_budget_are_refused_with_a_policy_violation() {
    let mut c = Cluster::new(ClusterConfig::new(3, 1)).unwrap();
    // One request stays under Kafka's own 10,000-record batch bound; the budget spans requests.
    c.create_topic(NewTopic::new("a", 9_000, 1)).unwrap();
    c.create_topic(NewTopic::new("b", 9_000, 1)).unwrap();
    let e = c.create_topic(NewTopic::new("c", 3_000, 1)).unwrap_err();
    assert_eq!(e.code, ErrorCode::POLICY_VIOLATION);
    assert_eq!(e.message, format!("The sandbox holds at most {PARTITIONS_MAX} partitions in all (it has 18000; this would add 3000)."));
    assert_eq!(c.create_partitions("a", 12_000, None).unwrap_err().code, ErrorCode::POLICY_VIOLATION);
    c.delete_topic("a").unwrap();
    c.create_topic(NewTopic::new("c", 3_000, 1)).unwrap();
}

/// Produces `n` records of 1000 bytes one by one; the errors of those that failed.
fn produce(c: &mut Cluster, p: ProducerId, topic: &str, n: usize) -> Vec<KafkaError> {
    let value = vec![b'x'; 1000];
    for _ in 0..n {
        c.send(p, ProducerRecord::new(topic, None, Some(&value))).unwrap();
        c.flush(p).unwrap();
    }
    c.take_send_results(p)
        .into_iter()
        .filter_map(|(_, r)| match r {
            SendResult::Failed(e) => Some(e),
            _ => None,
        })
        .collect()
}

#[test]
fn a_full_log_budget_refuses_produce_like_a_full_disk_and_deleting_a_topic_frees_it() {
    let mut c = Cluster::new(ClusterConfig::new(3, 1)).unwrap();
    c.set_log_bytes_max(20_000);
    c.create_topic(NewTopic::new("t", 1, 3)).unwrap();
    let p = c.create_producer(ProducerConfig { linger_ms: 0, ..Default::default() }).unwrap();
    let failed = produce(&mut c, p, "t", 30);
    assert!(!failed.is_empty() && failed.len() < 30, "{} of 30 failed", failed.len());
    assert_eq!(failed[0].code, ErrorCode::POLICY_VIOLATION);
    assert!(failed[0].message.starts_with("The sandbox's brokers hold at most 0 MiB of records and are full"), "{}", failed[0].message);
    c.delete_topic("t").unwrap();
    c.advance(2_000);
    c.create_topic(NewTopic::new("u", 1, 3)).unwrap();
    assert!(produce(&mut c, p, "u", 5).is_empty(), "deleting the topic freed the budget");
}

#[test]
fn an_action_past_its_event_budget_stops_the_clock_with_an_error() {
    let mut shell = Shell::new(3, 1);
    // Small enough that the idle skip's first window (125.5 simulated seconds stepped one by
    // one before any jump) spends it: an idle year otherwise costs a few thousand events.
    shell.set_limits(WorkLimits { events_max: 5_000, ..WorkLimits::default() });
    shell.run("kafka-topics --bootstrap-server localhost:9092 --create --topic t --partitions 3 --replication-factor 3");
    let out = shell.run("sim advance 365d");
    let err: String = out.iter().filter(|c| c.stream == Stream::Err).map(|c| c.text.as_str()).collect();
    assert!(err.starts_with("sandbox: this action stopped after 5000 simulated events, the sandbox's work budget for one command; the clock stands at "), "{err}");
    // The next action has a fresh budget.
    let out = shell.run("sim advance 10s");
    assert!(out.iter().all(|c| c.stream != Stream::Err), "{out:?}");
    assert!(EVENTS_PER_ACTION_MAX >= 1_000_000);
}
