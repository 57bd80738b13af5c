//! Consumer groups: coordinator, rebalances, commits, failover, admin calls.

// These tests also run in headless Chromium under `wasm-pack test` (same code, same digests).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use kafka_sandbox::engine::*;
use std::collections::BTreeMap;

fn cluster(n: u32, seed: u64) -> Cluster {
    Cluster::new(ClusterConfig::new(n, seed)).expect("valid cluster")
}

fn check(c: &mut Cluster) {
    if let Err(v) = c.check_invariants() {
        panic!("seed {} t={}: {v}", c.seed(), c.now_ms());
    }
    if let Err(v) = c.check_group_invariants() {
        panic!("seed {} t={}: {v}", c.seed(), c.now_ms());
    }
}

/// Advances `ms` in 100 ms slices, polling every consumer in between (an application's poll
/// loop), checking every invariant after every event. Returns the records each consumer got.
fn run_polling(c: &mut Cluster, consumers: &[ConsumerId], ms: i64) -> BTreeMap<ConsumerId, Vec<ConsumerRecord>> {
    let mut got: BTreeMap<ConsumerId, Vec<ConsumerRecord>> = BTreeMap::new();
    let end = c.now_ms() + ms;
    while c.now_ms() < end {
        let until = (c.now_ms() + 100).min(end);
        c.run_until(until, check);
        for &id in consumers {
            if let Ok(recs) = c.poll(id) {
                got.entry(id).or_default().extend(recs);
            }
        }
    }
    got
}

fn produce(c: &mut Cluster, topic: &str, n: usize) {
    let p = c.create_producer(ProducerConfig::default()).expect("producer");
    for i in 0..n {
        let v = format!("m{i}");
        c.send(p, ProducerRecord::new(topic, None, Some(v.as_bytes()))).expect("send");
    }
    c.flush(p).expect("flush");
    for (_, r) in c.take_send_results(p) {
        assert!(matches!(r, SendResult::Delivered { .. }), "{r:?}");
    }
}

fn console(group: &str) -> ConsumerConfig {
    ConsumerConfig { client_id: "console-consumer".into(), auto_offset_reset: OffsetReset::Earliest, ..ConsumerConfig::group(group) }
}

fn tp(t: &str, p: i32) -> TopicPartition {
    TopicPartition::new(t, p)
}

#[test]
fn second_consumer_on_one_partition_topic_sits_idle() {
    let mut c = cluster(3, 7);
    c.create_topic(NewTopic::new("test", 1, 1)).unwrap();
    produce(&mut c, "test", 10);
    let a = c.create_consumer(console("consumer-1")).unwrap();
    c.subscribe(a, &["test"]).unwrap();
    let got = run_polling(&mut c, &[a], 5_000);
    assert_eq!(got[&a].len(), 10, "the first consumer reads everything from the beginning");
    assert_eq!(got[&a][0].value.as_deref(), Some(&b"m0"[..]));
    let b = c.create_consumer(console("consumer-1")).unwrap();
    c.subscribe(b, &["test"]).unwrap();
    run_polling(&mut c, &[a, b], 10_000);
    let d = c.describe_group("consumer-1").unwrap();
    assert_eq!(d.state, GroupState::Stable);
    assert_eq!(d.assignment_strategy, "range");
    assert_eq!(d.members.len(), 2);
    let mut counts: Vec<usize> = d.members.iter().map(|m| m.assignment.len()).collect();
    counts.sort();
    assert_eq!(counts, vec![0, 1], "one member owns test-0, the other is idle");
    for m in &d.members {
        assert!(m.member_id.starts_with("console-consumer-"), "{}", m.member_id);
        assert_eq!(m.member_id.len(), "console-consumer-".len() + 36);
        assert_eq!(m.host, "/127.0.0.1");
    }
    // Both generations of auto-commit landed: the committed offset is the log end.
    let offsets = c.list_group_offsets("consumer-1").unwrap();
    assert_eq!(offsets[&tp("test", 0)].offset, 10);
}

#[test]
fn range_splits_a_100_partition_topic_50_50() {
    let mut c = cluster(3, 11);
    c.create_topic(NewTopic::new("test", 100, 1)).unwrap();
    produce(&mut c, "test", 1000);
    let a = c.create_consumer(console("consumer-1")).unwrap();
    c.subscribe(a, &["test"]).unwrap();
    let b = c.create_consumer(console("consumer-1")).unwrap();
    c.subscribe(b, &["test"]).unwrap();
    let got = run_polling(&mut c, &[a, b], 10_000);
    let total: usize = got.values().map(|v| v.len()).sum();
    assert_eq!(total, 1000, "every record read exactly once by the group");
    let ia = c.consumer_info(a).unwrap();
    let ib = c.consumer_info(b).unwrap();
    assert_eq!(ia.assignment.len(), 50);
    assert_eq!(ib.assignment.len(), 50);
    assert_eq!(ia.generation, ib.generation);
    // Range: the member with the smaller id gets partitions 0..50.
    let (first, second) = if ia.member_id < ib.member_id { (ia, ib) } else { (ib, ia) };
    assert_eq!(first.assignment[0], tp("test", 0));
    assert_eq!(first.assignment[49], tp("test", 49));
    assert_eq!(second.assignment[0], tp("test", 50));
}

#[test]
fn new_group_waits_for_the_initial_rebalance_delay() {
    let mut c = cluster(1, 3);
    c.create_topic(NewTopic::new("t", 2, 1)).unwrap();
    let a = c.create_consumer(console("g")).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    run_polling(&mut c, &[a], 2_500);
    assert_eq!(c.describe_group("g").unwrap().state, GroupState::PreparingRebalance);
    run_polling(&mut c, &[a], 1_000);
    let d = c.describe_group("g").unwrap();
    assert_eq!(d.state, GroupState::Stable, "3 s after the first join the group is stable");
    assert_eq!(d.generation, 1);
}

#[test]
fn offsets_topic_is_created_on_first_use_with_kafka_configs() {
    let mut c = cluster(3, 5);
    assert!(c.list_groups().unwrap().is_empty(), "a fresh cluster has no groups");
    assert!(!c.topic_names().contains(&"__consumer_offsets".to_string()));
    c.create_topic(NewTopic::new("t", 1, 1)).unwrap();
    let a = c.create_consumer(console("my-group")).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    run_polling(&mut c, &[a], 5_000);
    let d = c.describe_topic("__consumer_offsets").unwrap();
    assert!(d.internal);
    assert_eq!(d.partitions.len(), 50);
    assert_eq!(d.partitions[0].replicas.len(), 3);
    let cfg = &c.topic_meta("__consumer_offsets").unwrap().configs;
    assert_eq!(cfg.get("cleanup.policy").map(String::as_str), Some("compact"));
    assert_eq!(cfg.get("segment.bytes").map(String::as_str), Some("104857600"));
    assert_eq!(cfg.get("compression.type").map(String::as_str), Some("producer"));
    // The coordinator is the leader of partition 12 (abs("my-group".hashCode()) % 50).
    let coord = c.group_coordinator("my-group").unwrap();
    assert_eq!(Some(coord), c.partition_meta("__consumer_offsets", 12).unwrap().leader);
    let l = c.list_groups().unwrap();
    assert_eq!(l.len(), 1);
    assert_eq!((l[0].group_id.as_str(), l[0].state, l[0].protocol_type.as_str()), ("my-group", GroupState::Stable, "consumer"));
}

/// KRaft 3.9: the consumer's metadata request for a missing topic makes a broker forward
/// CreateTopics to the active controller; the topic exists once the forward arrived, a network
/// latency after `subscribe`, never at once (the bug: the creation wrote the controller's state
/// synchronously).
#[test]
fn consumer_auto_creation_is_forwarded_so_the_topic_exists_a_latency_after_subscribe() {
    let mut c = cluster(3, 5);
    c.advance(2_000);
    let a = c.create_consumer(console("g")).unwrap();
    c.subscribe(a, &["fresh"]).unwrap();
    let logs = c.take_consumer_logs(a);
    assert!(logs.iter().any(|l| matches!(l, ConsumerLog::MetadataIssue { topic, error: ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, .. } if topic == "fresh")), "{logs:?}");
    assert!(!c.topic_exists("fresh"), "the broker only forwarded the creation");
    c.advance(NET_LATENCY_MS);
    assert_eq!(c.describe_topic("fresh").unwrap().partitions.len(), 1, "num.partitions");
}

/// `allow.auto.create.topics=false`, or an invalid name: the broker forwards nothing; the invalid
/// name is INVALID_TOPIC_EXCEPTION, which the next poll throws.
#[test]
fn consumer_metadata_forwards_no_creation_when_not_allowed_or_invalid() {
    let mut c = cluster(3, 5);
    c.advance(2_000);
    let a = c.create_consumer(ConsumerConfig { allow_auto_create_topics: false, ..console("g") }).unwrap();
    c.subscribe(a, &["kept-out"]).unwrap();
    let b = c.create_consumer(console("h")).unwrap();
    c.subscribe(b, &["bad:name"]).unwrap();
    let logs = c.take_consumer_logs(b);
    assert!(logs.iter().any(|l| matches!(l, ConsumerLog::MetadataIssue { error: ErrorCode::INVALID_TOPIC_EXCEPTION, .. })), "{logs:?}");
    c.advance(1_000);
    assert!(!c.topic_exists("kept-out") && !c.topic_exists("bad:name"));
    assert_eq!(c.poll(b).unwrap_err().code, ErrorCode::INVALID_TOPIC_EXCEPTION);
}

#[test]
fn commits_are_records_in_the_offsets_partition() {
    let mut c = cluster(3, 9);
    c.create_topic(NewTopic::new("t", 1, 3)).unwrap();
    produce(&mut c, "t", 5);
    let a = c.create_consumer(ConsumerConfig { enable_auto_commit: false, ..console("my-group") }).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    let got = run_polling(&mut c, &[a], 5_000);
    assert_eq!(got[&a].len(), 5);
    c.commit_sync(a, None).unwrap();
    let leader = c.partition_meta("__consumer_offsets", 12).unwrap().leader.unwrap();
    let leo = c.replica_log(leader, "__consumer_offsets", 12).unwrap().log_end_offset;
    assert!(leo >= 2, "group metadata and the commit were written");
    c.run_until(c.now_ms() + 1_000, check);
    for b in c.partition_meta("__consumer_offsets", 12).unwrap().replicas.clone() {
        let l = c.replica_log(b, "__consumer_offsets", 12).unwrap();
        assert_eq!(l.log_end_offset, leo, "replicated to broker {b}");
    }
}

/// `__consumer_offsets` is a compacted topic like any other: once its segments roll, the cleaner
/// keeps only the latest commit per (group, partition) key, and the committed offset survives.
#[test]
fn the_offsets_topic_compacts_to_the_latest_commit_per_key() {
    let mut c = cluster(3, 9);
    c.create_topic(NewTopic::new("t", 1, 3)).unwrap();
    produce(&mut c, "t", 5);
    let a = c.create_consumer(ConsumerConfig { enable_auto_commit: false, ..console("my-group") }).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    run_polling(&mut c, &[a], 5_000);
    // Segments of 100 ms and a cleaner that starts at 1% dirty, as the tutorial's compacted topic.
    let offsets = ConfigResource::Topic("__consumer_offsets".into());
    c.alter_configs(&offsets, &[AlterOp::Set("segment.ms".into(), "100".into()), AlterOp::Set("min.cleanable.dirty.ratio".into(), "0.01".into())]).unwrap();
    let tp0 = tp("t", 0);
    for round in 0..30 {
        c.commit_sync(a, Some([(tp0.clone(), 1 + round % 5)].into_iter().collect())).unwrap();
        c.run_until(c.now_ms() + 200, check);
    }
    c.commit_sync(a, Some([(tp0.clone(), 4)].into_iter().collect())).unwrap();
    let leader = c.partition_meta("__consumer_offsets", 12).unwrap().leader.unwrap();
    let before = c.replica_log(leader, "__consumer_offsets", 12).map(|l| l.records_from(l.log_start_offset, l.log_end_offset).count()).unwrap();
    assert!(before >= 31, "one record per commit before cleaning: {before}");
    // The cleaner's backoff is 15 s; a later write rolls the segment that holds the last commit.
    c.run_until(c.now_ms() + 20_000, check);
    c.commit_sync(a, Some([(tp0.clone(), 4)].into_iter().collect())).unwrap();
    c.run_until(c.now_ms() + 20_000, check);
    let log = c.replica_log(leader, "__consumer_offsets", 12).unwrap();
    let after = log.records_from(log.log_start_offset, log.log_end_offset).count();
    assert!(after <= 4, "compacted to the latest commit (and group metadata) per key: {before} -> {after}");
    assert!(log.log_end_offset as usize > after, "offsets keep their gaps");
    assert_eq!(c.committed(a).unwrap().get(&tp0), Some(&4), "the latest commit survives cleaning");
}

#[test]
fn restart_after_commit_resumes_from_the_committed_offset() {
    let mut c = cluster(3, 13);
    c.create_topic(NewTopic::new("t", 1, 1)).unwrap();
    produce(&mut c, "t", 10);
    let cfg = ConsumerConfig { enable_auto_commit: false, max_poll_records: 3, ..console("app") };
    let a = c.create_consumer(cfg.clone()).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    // Poll until the first batch of 3 arrives, "process" it, commit only those.
    let mut first = Vec::new();
    for _ in 0..100 {
        c.run_until(c.now_ms() + 100, check);
        first = c.poll(a).unwrap();
        if !first.is_empty() {
            break;
        }
    }
    assert_eq!(first.len(), 3);
    c.commit_sync(a, Some([(tp("t", 0), 3)].into_iter().collect())).unwrap();
    // The next record's processing fails: the app dies before committing it.
    let failed = c.poll(a).unwrap();
    assert_eq!(failed[0].offset, 3);
    c.crash_consumer(a).unwrap();
    // The restarted app is a new member; it waits for the crashed one's session to expire.
    let b = c.create_consumer(cfg).unwrap();
    c.subscribe(b, &["t"]).unwrap();
    let got = run_polling(&mut c, &[b], 60_000);
    let offsets: Vec<i64> = got[&b].iter().map(|r| r.offset).collect();
    assert_eq!(offsets, (3..10).collect::<Vec<_>>(), "re-reads the failed record, skips nothing");
    assert!(c.take_consumer_logs(b).contains(&ConsumerLog::SettingOffsetToCommitted { tp: tp("t", 0), offset: 3 }));
}

#[test]
fn crashed_member_is_removed_after_the_session_timeout() {
    let mut c = cluster(3, 17);
    c.create_topic(NewTopic::new("t", 4, 1)).unwrap();
    let a = c.create_consumer(console("g")).unwrap();
    let b = c.create_consumer(console("g")).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    c.subscribe(b, &["t"]).unwrap();
    // The second join extends the new group's initial delay by another 3 s.
    run_polling(&mut c, &[a, b], 8_000);
    assert_eq!(c.consumer_info(a).unwrap().assignment.len(), 2);
    c.crash_consumer(b).unwrap();
    run_polling(&mut c, &[a], 40_000);
    assert_eq!(c.describe_group("g").unwrap().members.len(), 2, "still there before 45 s");
    run_polling(&mut c, &[a], 10_000);
    let d = c.describe_group("g").unwrap();
    assert_eq!(d.members.len(), 1);
    assert_eq!(d.state, GroupState::Stable);
    assert_eq!(c.consumer_info(a).unwrap().assignment.len(), 4);
}

#[test]
fn close_leaves_at_once_and_the_group_becomes_empty() {
    let mut c = cluster(1, 19);
    c.create_topic(NewTopic::new("t", 1, 1)).unwrap();
    produce(&mut c, "t", 3);
    let a = c.create_consumer(console("g")).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    run_polling(&mut c, &[a], 5_000);
    c.close_consumer(a).unwrap();
    c.advance(100);
    let d = c.describe_group("g").unwrap();
    assert_eq!(d.state, GroupState::Empty);
    assert!(d.members.is_empty());
    assert_eq!(c.list_group_offsets("g").unwrap()[&tp("t", 0)].offset, 3, "close commits the positions");
    assert!(c.poll(a).is_err(), "a closed consumer refuses calls");
}

#[test]
fn reset_and_delete_need_an_inactive_group() {
    let mut c = cluster(3, 23);
    c.create_topic(NewTopic::new("t", 2, 1)).unwrap();
    produce(&mut c, "t", 20);
    let a = c.create_consumer(console("g")).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    run_polling(&mut c, &[a], 6_000);
    let before = c.list_group_offsets("g").unwrap();
    let reset: std::collections::BTreeMap<TopicPartition, i64> = [(tp("t", 0), 0)].into_iter().collect();
    let e = c.alter_group_offsets("g", &reset).unwrap_err();
    assert_eq!(e.message, "Assignments can only be reset if the group 'g' is inactive, but the current state is Stable.");
    assert_eq!(c.list_group_offsets("g").unwrap(), before, "no offset changes on error");
    let del = c.delete_groups(&["g".to_string(), "nope".to_string()]);
    assert_eq!(del[0].1.as_ref().unwrap_err().code, ErrorCode::NON_EMPTY_GROUP);
    assert_eq!(del[1].1.as_ref().unwrap_err().code, ErrorCode::GROUP_ID_NOT_FOUND);
    let r = c.delete_group_offsets("g", &[tp("t", 0)]).unwrap();
    assert_eq!(r[0].1.as_ref().unwrap_err().code, ErrorCode::GROUP_SUBSCRIBED_TO_TOPIC);
    c.close_consumer(a).unwrap();
    c.advance(100);
    c.alter_group_offsets("g", &reset).unwrap();
    assert_eq!(c.list_group_offsets("g").unwrap()[&tp("t", 0)].offset, 0);
    // The next consumer of the group starts from the reset offset.
    let b = c.create_consumer(console("g")).unwrap();
    c.subscribe(b, &["t"]).unwrap();
    let got = run_polling(&mut c, &[b], 6_000);
    let end0 = c.list_offsets("t", 0, OffsetSpec::Latest).unwrap().0;
    assert_eq!(got[&b].iter().filter(|r| r.partition == 0).count() as i64, end0);
    assert_eq!(got[&b].iter().filter(|r| r.partition == 1).count(), 0, "partition 1 continues from its committed end");
    c.close_consumer(b).unwrap();
    c.advance(100);
    let r = c.delete_group_offsets("g", &[tp("t", 1)]).unwrap();
    assert!(r[0].1.is_ok());
    assert!(!c.list_group_offsets("g").unwrap().contains_key(&tp("t", 1)));
    assert!(c.delete_groups(&["g".to_string()])[0].1.is_ok());
    assert_eq!(c.describe_group("g").unwrap().state, GroupState::Dead);
    assert!(c.list_groups().unwrap().is_empty());
}

#[test]
fn unknown_group_describes_as_dead() {
    let mut c = cluster(1, 29);
    let d = c.describe_group("ghost").unwrap();
    assert_eq!(d.state, GroupState::Dead);
    assert!(d.members.is_empty());
    assert!(c.list_group_offsets("ghost").unwrap().is_empty());
}

#[test]
fn offset_reset_none_fails_poll_with_kafkas_text() {
    let mut c = cluster(1, 31);
    c.create_topic(NewTopic::new("t", 1, 1)).unwrap();
    let a = c.create_consumer(ConsumerConfig { auto_offset_reset: OffsetReset::None, ..ConsumerConfig::group("g") }).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    let mut err = None;
    for _ in 0..100 {
        c.advance(100);
        if let Err(e) = c.poll(a) {
            err = Some(e);
            break;
        }
    }
    assert_eq!(err.expect("poll fails").message, "Undefined offset with no reset policy for partitions: [t-0]");
}

#[test]
fn latest_reset_skips_old_records_and_reads_new_ones() {
    let mut c = cluster(1, 37);
    c.create_topic(NewTopic::new("t", 1, 1)).unwrap();
    produce(&mut c, "t", 5);
    let a = c.create_consumer(ConsumerConfig { auto_offset_reset: OffsetReset::Latest, ..ConsumerConfig::group("g") }).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    let got = run_polling(&mut c, &[a], 5_000);
    assert!(got.get(&a).is_none_or(|v| v.is_empty()));
    produce(&mut c, "t", 2);
    let got = run_polling(&mut c, &[a], 1_000);
    let offs: Vec<i64> = got[&a].iter().map(|r| r.offset).collect();
    assert_eq!(offs, vec![5, 6]);
}

#[test]
fn coordinator_failover_keeps_committed_offsets_and_members() {
    let mut c = cluster(3, 41);
    c.create_topic(NewTopic::new("t", 3, 3)).unwrap();
    produce(&mut c, "t", 30);
    let a = c.create_consumer(console("my-group")).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    run_polling(&mut c, &[a], 12_000);
    let before = c.list_group_offsets("my-group").unwrap();
    assert_eq!(before.values().map(|o| o.offset).sum::<i64>(), 30);
    let coord = c.group_coordinator("my-group").unwrap();
    let gen_before = c.consumer_info(a).unwrap().generation;
    c.crash(coord).unwrap();
    run_polling(&mut c, &[a], 20_000);
    let new_coord = c.group_coordinator("my-group").unwrap();
    assert_ne!(new_coord, coord);
    assert_eq!(c.list_group_offsets("my-group").unwrap().values().map(|o| o.offset).collect::<Vec<_>>(), before.values().map(|o| o.offset).collect::<Vec<_>>());
    let d = c.describe_group("my-group").unwrap();
    assert_eq!(d.state, GroupState::Stable);
    assert_eq!(d.members.len(), 1);
    assert_eq!(c.consumer_info(a).unwrap().coordinator, Some(new_coord), "the client rediscovered the coordinator");
    assert_eq!(c.consumer_info(a).unwrap().generation, gen_before, "the group resumed without a rebalance");
    produce(&mut c, "t", 3);
    let got = run_polling(&mut c, &[a], 3_000);
    assert_eq!(got[&a].len(), 3);
}

#[test]
fn poll_timeout_makes_the_member_leave_and_rejoin_on_next_poll() {
    let mut c = cluster(1, 43);
    c.create_topic(NewTopic::new("t", 1, 1)).unwrap();
    let a = c.create_consumer(ConsumerConfig { max_poll_interval_ms: 10_000, ..console("g") }).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    run_polling(&mut c, &[a], 5_000);
    assert_eq!(c.describe_group("g").unwrap().members.len(), 1);
    c.advance(12_000);
    assert!(c.take_consumer_logs(a).contains(&ConsumerLog::PollTimeoutExpired));
    assert_eq!(c.describe_group("g").unwrap().state, GroupState::Empty);
    run_polling(&mut c, &[a], 5_000);
    assert_eq!(c.describe_group("g").unwrap().state, GroupState::Stable);
}

#[test]
fn cooperative_sticky_moves_only_some_partitions() {
    let mut c = cluster(1, 47);
    c.create_topic(NewTopic::new("t", 6, 1)).unwrap();
    let coop = ConsumerConfig { partition_assignment_strategy: vec![Strategy::CooperativeSticky], ..console("g") };
    let a = c.create_consumer(coop.clone()).unwrap();
    c.subscribe(a, &["t"]).unwrap();
    run_polling(&mut c, &[a], 5_000);
    let before = c.consumer_info(a).unwrap().assignment;
    assert_eq!(before.len(), 6);
    let b = c.create_consumer(coop).unwrap();
    c.subscribe(b, &["t"]).unwrap();
    run_polling(&mut c, &[a, b], 5_000);
    let ia = c.consumer_info(a).unwrap();
    let ib = c.consumer_info(b).unwrap();
    assert_eq!((ia.assignment.len(), ib.assignment.len()), (3, 3));
    assert!(ia.assignment.iter().all(|tp| before.contains(tp)), "a kept three of its partitions");
    let logs = c.take_consumer_logs(a);
    let revocations: Vec<usize> = logs.iter().filter_map(|l| if let ConsumerLog::Assigned { revoked, .. } = l { Some(revoked.len()) } else { None }).collect();
    assert_eq!(revocations.iter().sum::<usize>(), 3, "only the moved partitions were revoked: {logs:?}");
    assert_eq!(c.describe_group("g").unwrap().assignment_strategy, "cooperative-sticky");
}

#[test]
fn deleting_a_topic_drops_its_committed_offsets() {
    let mut c = cluster(1, 53);
    c.create_topic(NewTopic::new("test", 1, 1)).unwrap();
    produce(&mut c, "test", 4);
    let a = c.create_consumer(console("consumer-1")).unwrap();
    c.subscribe(a, &["test"]).unwrap();
    run_polling(&mut c, &[a], 6_000);
    c.close_consumer(a).unwrap();
    assert_eq!(c.list_group_offsets("consumer-1").unwrap()[&tp("test", 0)].offset, 4);
    c.delete_topic("test").unwrap();
    assert!(c.list_group_offsets("consumer-1").unwrap().is_empty());
    c.create_topic(NewTopic::new("test", 100, 1)).unwrap();
    produce(&mut c, "test", 1);
    let b = c.create_consumer(console("consumer-1")).unwrap();
    c.subscribe(b, &["test"]).unwrap();
    let got = run_polling(&mut c, &[b], 6_000);
    assert_eq!(got[&b].len(), 1, "the new topic is read from the beginning");
}

#[test]
fn manual_assign_without_group_reads_a_partition_from_an_offset() {
    let mut c = cluster(1, 59);
    c.create_topic(NewTopic::new("t", 2, 1)).unwrap();
    produce(&mut c, "t", 10);
    // Keyless records stick to one random partition: read the one that got them.
    let (full, other) = if c.list_offsets("t", 1, OffsetSpec::Latest).unwrap().0 > 0 { (1, 0) } else { (0, 1) };
    let a = c.create_consumer(ConsumerConfig { client_id: "console-consumer".into(), ..Default::default() }).unwrap();
    c.assign(a, &[tp("t", full)]).unwrap();
    c.seek(a, &tp("t", full), 0).unwrap();
    let got = run_polling(&mut c, &[a], 1_000);
    assert!(got[&a].iter().all(|r| r.partition == full));
    assert!(!got[&a].is_empty());
    assert!(c.subscribe(a, &["t"]).is_err());
    assert_eq!(c.seek(a, &tp("t", other), 0).unwrap_err().message, format!("No current assignment for partition t-{other}"));
    assert!(c.list_groups().unwrap().is_empty(), "no group without group.id");
}

#[test]
fn same_seed_same_group_history() {
    let run = || {
        let mut c = cluster(3, 61);
        c.create_topic(NewTopic::new("t", 5, 2)).unwrap();
        produce(&mut c, "t", 50);
        let ids: Vec<ConsumerId> = (0..3).map(|_| c.create_consumer(console("g")).unwrap()).collect();
        for &id in &ids {
            c.subscribe(id, &["t"]).unwrap();
        }
        run_polling(&mut c, &ids, 8_000);
        let d = c.describe_group("g").unwrap();
        (d.members.iter().map(|m| (m.member_id.clone(), m.assignment.clone())).collect::<Vec<_>>(), c.digest())
    };
    assert_eq!(run(), run());
}

/// A group whose committed offset fell behind the log start (retention deleted the segments)
/// resets as `auto.offset.reset` says: earliest to the new log start, none fails the poll with
/// an out-of-range error and leaves the committed offset alone.
#[test]
fn committed_offset_behind_retention_resets_as_configured() {
    let mut config = ClusterConfig::new(1, 41);
    config.broker_overrides.push(("log.retention.check.interval.ms".into(), "1000".into()));
    let mut c = Cluster::new(config).unwrap();
    c.create_topic(NewTopic::new("r", 1, 1).config("retention.ms", "5000").config("segment.ms", "100")).unwrap();
    c.advance(100);
    let p = c.create_producer(ProducerConfig::default()).unwrap();
    for i in 0..5 {
        c.send(p, ProducerRecord::new("r", Some(b"k".as_slice()), Some(i.to_string().as_bytes()))).unwrap();
        c.flush(p).unwrap();
        c.advance(150);
    }
    // The group commits offset 2, then goes away.
    let a = c.create_consumer(ConsumerConfig { enable_auto_commit: false, ..console("g") }).unwrap();
    c.subscribe(a, &["r"]).unwrap();
    for _ in 0..100 {
        c.advance(100);
        let _ = c.poll(a);
        if !c.consumer_info(a).unwrap().assignment.is_empty() {
            break;
        }
    }
    c.commit_sync(a, Some([(tp("r", 0), 2)].into_iter().collect())).unwrap();
    c.close_consumer(a).unwrap();
    c.advance(31_000);
    assert_eq!(c.list_offsets("r", 0, OffsetSpec::Earliest).unwrap().0, 5, "retention moved the log start");
    // auto.offset.reset=none: the fetch at 2 is out of range and poll throws.
    let n = c.create_consumer(ConsumerConfig { enable_auto_commit: false, auto_offset_reset: OffsetReset::None, ..console("g") }).unwrap();
    c.subscribe(n, &["r"]).unwrap();
    let mut err = None;
    for _ in 0..200 {
        c.advance(100);
        if let Err(e) = c.poll(n) {
            err = Some(e);
            break;
        }
    }
    let e = err.expect("poll fails");
    assert_eq!(e.code, ErrorCode::OFFSET_OUT_OF_RANGE, "{}", e.message);
    c.close_consumer(n).unwrap();
    c.advance(100);
    // earliest: the member resets to the log start and reads what is produced next.
    let m = c.create_consumer(ConsumerConfig { enable_auto_commit: false, ..console("g") }).unwrap();
    c.subscribe(m, &["r"]).unwrap();
    c.send(p, ProducerRecord::new("r", Some(b"k".as_slice()), Some(b"new".as_slice()))).unwrap();
    c.flush(p).unwrap();
    let mut got = Vec::new();
    for _ in 0..200 {
        c.advance(100);
        got.extend(c.poll(m).unwrap().into_iter().map(|r| r.offset));
        if !got.is_empty() {
            break;
        }
    }
    assert_eq!(got, vec![5], "reset to the log start offset 5, not the committed 2");
}

#[test]
fn returned_reports_the_stretches_poll_returned_bounded_and_kept_after_close() {
    let mut c = cluster(1, 61);
    c.create_topic(NewTopic::new("t", 1, 1)).unwrap();
    produce(&mut c, "t", 6);
    let a = c.create_consumer(ConsumerConfig { client_id: "console-consumer".into(), max_poll_records: 2, ..Default::default() }).unwrap();
    c.assign(a, &[tp("t", 0)]).unwrap();
    c.seek(a, &tp("t", 0), 0).unwrap();
    assert!(c.returned(a).is_empty(), "nothing returned yet");
    let got = run_polling(&mut c, &[a], 1_000);
    assert_eq!(got[&a].len(), 6);
    assert_eq!(c.returned(a), vec![(tp("t", 0), Returned { ranges: vec![(0, 6)], started: 1 })], "polls that go on extend one stretch");
    // Each seek back starts a new stretch; only the newest RETURNED_RANGES_MAX are kept.
    for from in [4, 3, 2, 1, 0] {
        c.seek(a, &tp("t", 0), from).unwrap();
        run_polling(&mut c, &[a], 2_000);
    }
    let ranges: Vec<(i64, i64)> = (0..RETURNED_RANGES_MAX as i64).rev().map(|from| (from, 6)).collect();
    assert_eq!(c.returned(a), vec![(tp("t", 0), Returned { ranges, started: 6 })]);
    c.close_consumer(a).unwrap();
    assert!(c.all_consumer_ids().contains(&a) && !c.consumer_ids().contains(&a));
    assert_eq!(c.returned(a)[0].1.started, 6, "a closed consumer keeps what it returned");
}
