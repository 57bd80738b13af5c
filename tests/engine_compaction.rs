//! Log compaction and retention at cluster level: the tutorial's compacted topic, tombstones,
//! keyless records, runtime policy changes, retention moving the log start offset (leader and
//! followers), and the cleaner's schedule.

// These tests also run in headless Chromium under `wasm-pack test` (same code, same digests).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use kafka_sandbox::engine::*;

fn checked(c: &mut Cluster, ms: i64) {
    let until = c.now_ms() + ms;
    c.run_until(until, |c| {
        if let Err(v) = c.check_invariants() {
            panic!("invariant violated at t={}: {v}", c.now_ms());
        }
    });
}

fn send(c: &mut Cluster, p: ProducerId, topic: &str, key: Option<&str>, value: Option<&str>) -> SendResult {
    c.send(p, ProducerRecord::new(topic, key.map(str::as_bytes), value.map(str::as_bytes))).unwrap();
    c.flush(p).unwrap();
    let mut r = c.take_send_results(p);
    assert_eq!(r.len(), 1);
    r.pop().unwrap().1
}

/// (offset, key, value) of everything a consumer reading from `from` sees.
fn read(c: &Cluster, topic: &str, from: i64) -> Vec<(i64, String, Option<String>)> {
    let f = c.fetch(&FetchRequest::new(topic, 0, from)).expect("fetch");
    f.records()
        .map(|r| (r.offset, String::from_utf8_lossy(r.key.unwrap_or_default()).into_owned(), r.value.map(|v| String::from_utf8_lossy(v).into_owned())))
        .collect()
}

fn tutorial_topic(c: &mut Cluster) {
    c.create_topic(
        NewTopic::new("compacted", 1, 1)
            .config("min.cleanable.dirty.ratio", "0.01")
            .config("cleanup.policy", "compact")
            .config("segment.ms", "100")
            .config("delete.retention.ms", "100"),
    )
    .unwrap();
    checked(c, 100);
}

fn leader(c: &Cluster, topic: &str) -> BrokerId {
    c.partition_meta(topic, 0).unwrap().leader.unwrap()
}

#[test]
fn tutorial_compacted_topic_keeps_the_latest_value_per_key() {
    let mut c = Cluster::new(ClusterConfig::new(3, 7)).unwrap();
    tutorial_topic(&mut c);
    // Not idempotent: a fresh broker's first InitProducerId waits ~100 ms for a block of
    // producer ids from the controller, and the six records below must land within segment.ms.
    let p = c.create_producer(ProducerConfig { enable_idempotence: Some(false), ..Default::default() }).unwrap();
    for (k, v) in [("a", "1"), ("b", "1"), ("a", "2"), ("c", "1"), ("a", "3"), ("b", "2")] {
        assert!(matches!(send(&mut c, p, "compacted", Some(k), Some(v)), SendResult::Delivered { .. }));
    }
    // Nothing is cleaned while everything is in the active segment.
    checked(&mut c, 16_000);
    assert_eq!(read(&c, "compacted", 0).len(), 6);
    let l = leader(&c, "compacted");
    assert!(c.last_clean_report(l, "compacted", 0).is_none());
    // A write more than segment.ms later rolls the segment...
    send(&mut c, p, "compacted", Some("d"), Some("1"));
    let log = c.replica_log(l, "compacted", 0).unwrap();
    assert_eq!(log.segments.len(), 2);
    assert_eq!(log.segments[1].base_offset, 6);
    // ...and the cleaner, which sleeps log.cleaner.backoff.ms (15 s) when idle, cleans it
    // within one backoff.
    let rolled_at = c.now_ms();
    assert!(c.run_while(15_000, |c| c.last_clean_report(l, "compacted", 0).is_some()));
    assert!(c.now_ms() - rolled_at <= 15_000);
    let rep = c.last_clean_report(l, "compacted", 0).unwrap().clone();
    assert_eq!((rep.first_dirty_offset, rep.cleaner_point), (0, 6));
    assert_eq!((rep.records_read, rep.records_retained, rep.records_removed), (6, 3, 3));
    assert!(rep.bytes_removed > 0 && rep.dirty_ratio_before == 1.0 && rep.dirty_ratio_after == 0.0);
    // Offsets are preserved (gaps at 0, 1, 2); the active segment's record is untouched.
    assert_eq!(
        read(&c, "compacted", 0),
        vec![
            (3, "c".into(), Some("1".into())),
            (4, "a".into(), Some("3".into())),
            (5, "b".into(), Some("2".into())),
            (6, "d".into(), Some("1".into())),
        ]
    );
    // Reading from a removed offset starts at the next existing one.
    assert_eq!(read(&c, "compacted", 1)[0].0, 3);
    let events = c.drain_events();
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::SegmentRolled { base_offset: 6, .. })));
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::LogCleaned { report, .. } if report.cleaner_point == 6)));
    checked(&mut c, 1000);
}

#[test]
fn tombstones_are_removed_only_after_delete_retention_ms() {
    let mut c = Cluster::new(ClusterConfig::new(3, 9)).unwrap();
    tutorial_topic(&mut c);
    let l = leader(&c, "compacted");
    let p = c.create_producer(ProducerConfig::default()).unwrap();
    send(&mut c, p, "compacted", Some("a"), Some("1"));
    send(&mut c, p, "compacted", Some("a"), None); // tombstone
    checked(&mut c, 200);
    send(&mut c, p, "compacted", Some("b"), Some("1")); // rolls
    assert!(c.run_while(15_000, |c| c.last_clean_report(l, "compacted", 0).is_some()));
    // The first pass keeps the tombstone (and stamps its delete horizon).
    assert_eq!(read(&c, "compacted", 0), vec![(1, "a".into(), None), (2, "b".into(), Some("1".into()))]);
    // After delete.retention.ms, a later pass (needs new dirty data: a write and a roll) drops it.
    checked(&mut c, 200);
    send(&mut c, p, "compacted", Some("c"), Some("1")); // rolls segment [2]
    let passes = c.cleaner_passes().count();
    assert!(c.run_while(15_000, |c| c.cleaner_passes().count() > passes));
    assert_eq!(c.last_clean_report(l, "compacted", 0).unwrap().tombstones_removed, 1);
    assert_eq!(read(&c, "compacted", 0), vec![(2, "b".into(), Some("1".into())), (3, "c".into(), Some("1".into()))]);
}

#[test]
fn keyless_records_are_rejected_on_compacted_topics() {
    let mut c = Cluster::new(ClusterConfig::new(1, 3)).unwrap();
    tutorial_topic(&mut c);
    let p = c.create_producer(ProducerConfig { retries: 0, ..Default::default() }).unwrap();
    match send(&mut c, p, "compacted", None, Some("x")) {
        SendResult::Failed(e) => {
            assert_eq!(e.code, ErrorCode::INVALID_RECORD);
            assert_eq!(e.message, "Compacted topic cannot accept message without key in topic partition compacted-0");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn cleanup_policy_changes_at_runtime() {
    let mut c = Cluster::new(ClusterConfig::new(1, 4)).unwrap();
    c.create_topic(NewTopic::new("t", 1, 1).config("segment.ms", "100").config("min.cleanable.dirty.ratio", "0.01")).unwrap();
    checked(&mut c, 100);
    let p = c.create_producer(ProducerConfig::default()).unwrap();
    for v in ["1", "2", "3"] {
        send(&mut c, p, "t", Some("k"), Some(v));
    }
    checked(&mut c, 200);
    send(&mut c, p, "t", Some("z"), Some("1"));
    checked(&mut c, 31_000);
    assert_eq!(read(&c, "t", 0).len(), 4, "cleanup.policy=delete never compacts");
    c.alter_configs(&ConfigResource::Topic("t".into()), &[AlterOp::Set("cleanup.policy".into(), "compact,delete".into())]).unwrap();
    checked(&mut c, 15_001);
    assert_eq!(read(&c, "t", 0).iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 3]);
    // Bad values get Kafka's errors.
    let e = c.alter_configs(&ConfigResource::Topic("t".into()), &[AlterOp::Set("cleanup.policy".into(), "compact,foo".into())]).unwrap_err();
    assert_eq!(e.message, "Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete");
    let e = c
        .alter_configs(
            &ConfigResource::Topic("t".into()),
            &[AlterOp::Set("min.compaction.lag.ms".into(), "10".into()), AlterOp::Set("max.compaction.lag.ms".into(), "5".into())],
        )
        .unwrap_err();
    assert_eq!(e.message, "conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)");
    let e = c.alter_configs(&ConfigResource::Topic("t".into()), &[AlterOp::Set("min.cleanable.dirty.ratio".into(), "1.5".into())]).unwrap_err();
    assert_eq!(e.message, "Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1");
}

#[test]
fn min_compaction_lag_delays_cleaning() {
    let mut c = Cluster::new(ClusterConfig::new(1, 5)).unwrap();
    c.create_topic(
        NewTopic::new("lag", 1, 1)
            .config("cleanup.policy", "compact")
            .config("segment.ms", "100")
            .config("min.cleanable.dirty.ratio", "0.01")
            .config("min.compaction.lag.ms", "20000"),
    )
    .unwrap();
    checked(&mut c, 100);
    let p = c.create_producer(ProducerConfig::default()).unwrap();
    send(&mut c, p, "lag", Some("k"), Some("1"));
    send(&mut c, p, "lag", Some("k"), Some("2"));
    checked(&mut c, 200);
    send(&mut c, p, "lag", Some("z"), Some("1"));
    // The cleaner wakes at 15 s: the segment's largest timestamp is younger than 20 s.
    checked(&mut c, 16_000);
    assert_eq!(read(&c, "lag", 0).len(), 3);
    // At 30 s it is old enough.
    checked(&mut c, 15_000);
    assert_eq!(read(&c, "lag", 0).len(), 2);
}

#[test]
fn retention_moves_the_log_start_offset_on_leader_and_followers() {
    let mut config = ClusterConfig::new(3, 11);
    config.broker_overrides.push(("log.retention.check.interval.ms".into(), "1000".into()));
    let mut c = Cluster::new(config).unwrap();
    c.create_topic(NewTopic::new("r", 1, 3).config("retention.ms", "5000").config("segment.ms", "100")).unwrap();
    checked(&mut c, 100);
    let p = c.create_producer(ProducerConfig::default()).unwrap();
    for i in 0..5 {
        send(&mut c, p, "r", Some("k"), Some(&i.to_string()));
        checked(&mut c, 150); // one segment per record
    }
    assert_eq!(c.list_offsets("r", 0, OffsetSpec::Earliest).unwrap().0, 0);
    // The first retention check is 30 s after start; then every second. Everything but the
    // active segment (which holds the last record, also expired) goes; the active one too once
    // expired: an empty segment is rolled first and the log start offset becomes the LEO.
    checked(&mut c, 31_000);
    for b in 1..=3 {
        let log = c.replica_log(b, "r", 0).unwrap();
        assert_eq!((log.log_start_offset, log.log_end_offset), (5, 5), "broker {b}");
        assert_eq!(log.segments.len(), 1);
    }
    assert_eq!(c.list_offsets("r", 0, OffsetSpec::Earliest).unwrap().0, 5);
    let e = c.fetch(&FetchRequest::new("r", 0, 2)).unwrap_err();
    assert_eq!(e.code, ErrorCode::OFFSET_OUT_OF_RANGE);
    let events = c.drain_events();
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::SegmentsDeleted { reason: DeletionReason::RetentionMsBreach, .. })));
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::LogStartOffsetAdvanced { log_start_offset: 5, .. })));
}

#[test]
fn a_follower_behind_the_leaders_log_start_restarts_from_it() {
    let mut config = ClusterConfig::new(3, 12);
    config.broker_overrides.push(("log.retention.check.interval.ms".into(), "1000".into()));
    let mut c = Cluster::new(config).unwrap();
    c.create_topic(NewTopic::new("r", 1, 3).config("retention.bytes", "100").config("segment.ms", "100").config("min.insync.replicas", "1")).unwrap();
    checked(&mut c, 100);
    let l = leader(&c, "r");
    let f = c.partition_meta("r", 0).unwrap().replicas.iter().copied().find(|b| *b != l).unwrap();
    c.crash(f).unwrap();
    checked(&mut c, 12_000);
    let p = c.create_producer(ProducerConfig { acks: 1, ..Default::default() }).unwrap();
    for i in 0..6 {
        send(&mut c, p, "r", Some("k"), Some(&format!("value-{i}")));
        checked(&mut c, 150);
    }
    checked(&mut c, 31_000);
    let lso = c.replica_log(l, "r", 0).unwrap().log_start_offset;
    assert!(lso > 0, "size retention deleted old segments");
    c.start(f).unwrap();
    checked(&mut c, 20_000);
    let fl = c.replica_log(f, "r", 0).unwrap();
    let ll = c.replica_log(l, "r", 0).unwrap();
    assert_eq!(fl.log_end_offset, ll.log_end_offset);
    assert!(fl.log_start_offset >= lso, "the follower started over at the leader's log start");
    assert_eq!(c.partition_meta("r", 0).unwrap().isr.len(), 3);
}

#[test]
fn cleaner_backoff_is_a_broker_config() {
    let mut config = ClusterConfig::new(1, 13);
    config.broker_overrides.push(("log.cleaner.backoff.ms".into(), "1000".into()));
    let mut c = Cluster::new(config).unwrap();
    tutorial_topic(&mut c);
    let p = c.create_producer(ProducerConfig::default()).unwrap();
    send(&mut c, p, "compacted", Some("a"), Some("1"));
    send(&mut c, p, "compacted", Some("a"), Some("2"));
    checked(&mut c, 200);
    send(&mut c, p, "compacted", Some("b"), Some("1"));
    let t = c.now_ms();
    assert!(c.run_while(1_000, |c| c.cleaner_passes().count() > 0));
    assert!(c.now_ms() - t <= 1_000);
    let bad = ClusterConfig { broker_overrides: vec![("log.cleaner.backoff.ms".into(), "-1".into())], ..ClusterConfig::new(1, 1) };
    assert_eq!(
        Cluster::new(bad).err().unwrap().message,
        "Invalid value -1 for configuration log.cleaner.backoff.ms: Value must be at least 0"
    );
}
