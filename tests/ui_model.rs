//! The cluster views' pure logic (snapshot, diff, layout, partition log view, invariant monitor,
//! watch), run natively against the real engine: these modules use only `crate::engine`, so they
//! are compiled here from their sources in `src/ui` (the `ui` module itself is wasm-only).

// These tests also run in headless Chromium under `wasm-pack test`.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// `crate::engine` inside the included modules.
pub use kafka_sandbox::engine;
/// `crate::lessons` inside the included modules (the look-at style sheet).
pub use kafka_sandbox::lessons;

#[allow(dead_code)]
#[path = "../src/ui/groups.rs"]
pub mod groups;
#[allow(dead_code)]
#[path = "../src/ui/layout.rs"]
pub mod layout;
#[allow(dead_code)]
#[path = "../src/ui/look.rs"]
pub mod look;
#[allow(dead_code)]
#[path = "../src/ui/logview.rs"]
pub mod logview;
#[allow(dead_code)]
#[path = "../src/ui/monitor.rs"]
pub mod monitor;
#[allow(dead_code)]
#[path = "../src/ui/snapshot.rs"]
pub mod snapshot;
#[allow(dead_code)]
#[path = "../src/ui/watch.rs"]
pub mod watch;
/// The included modules as the app names them.
mod ui {
    pub use super::{layout, logview, monitor, snapshot, watch};
}

use std::rc::Rc;

use engine::*;
use ui::layout::{layout, Filter, Mode, Role, TILES_PER_COLUMN_MAX};
use ui::monitor::Monitor;
use ui::snapshot::{diff, BrokerState, Change, LogMarks, Snapshot};
use ui::watch::Watch;

fn cluster(brokers: u32) -> Cluster {
    Cluster::new(ClusterConfig::new(brokers, 1)).expect("valid cluster")
}

fn produce(c: &mut Cluster, topic: &str, keys: &[&str]) {
    let p = c.create_producer(ProducerConfig::default()).unwrap();
    for (i, k) in keys.iter().enumerate() {
        c.send(p, ProducerRecord::new(topic, Some(k.as_bytes()), Some(format!("v{i}").as_bytes()))).unwrap();
    }
    c.flush(p).unwrap();
    c.take_send_results(p);
    c.advance(1000);
}

#[test]
fn a_small_topic_shows_one_tile_per_replica_with_one_leader_per_partition() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("t", 3, 3)).unwrap();
    c.advance(100);
    let l = layout(&Snapshot::capture(&c), &Filter::default());
    assert_eq!(l.mode, Mode::Tiles);
    assert_eq!(l.columns.len(), 3);
    assert_eq!(l.rows.len(), 3);
    for col in &l.columns {
        assert_eq!(col.tiles.len(), 3, "RF 3 on 3 brokers: every broker has every partition");
        assert_eq!((col.leaders, col.in_sync, col.out_of_sync), (1, 2, 0));
        assert_eq!(col.summary(), "1 leader, 2 followers");
        assert!(col.cells.is_empty());
    }
    assert_eq!(l.under_replicated, 0);
    assert_eq!(l.columns.iter().filter(|c| c.broker.controller).count(), 1, "one active controller");
}

#[test]
fn crashing_a_leader_moves_leadership_and_shrinks_the_isr_in_the_view() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("t", 1, 3)).unwrap();
    c.advance(100);
    let before = Snapshot::capture(&c);
    let old = before.partition("t", 0).unwrap().leader.expect("a leader");
    c.crash(old).unwrap();
    c.advance(10_000);
    let after = Snapshot::capture(&c);
    let p = after.partition("t", 0).unwrap();
    let new = p.leader.expect("a new leader");
    assert_ne!(new, old);
    assert!(!p.isr.contains(&old) && p.isr.len() == 2, "ISR shrank: {:?}", p.isr);
    let changes = diff(&before, &after);
    assert!(changes.contains(&Change::BrokerState { broker: old, from: BrokerState::Alive, to: BrokerState::Crashed }), "{changes:?}");
    assert!(changes.iter().any(|c| matches!(c, Change::LeaderChanged { from: Some(f), to: Some(t), unclean: false, .. } if *f == old && *t == new)));
    assert!(changes.iter().any(|c| matches!(c, Change::IsrChanged { to, .. } if to.len() == 2)));
    let l = layout(&after, &Filter::default());
    let crashed = l.columns.iter().find(|c| c.broker.id == old).unwrap();
    assert_eq!(crashed.broker.state, BrokerState::Crashed);
    assert!(crashed.broker.fenced);
    assert_eq!(crashed.tiles[0].role, Role::OutOfSync);
    assert!(crashed.tiles[0].under_replicated);
    let leader = l.columns.iter().find(|c| c.broker.id == new).unwrap();
    assert_eq!(leader.tiles[0].role, Role::Leader);
    assert_eq!(l.under_replicated, 1);
    let text = changes.iter().map(Change::describe).collect::<Vec<_>>().join("\n");
    assert!(text.contains(&format!("Broker {old}: alive → crashed")), "{text}");
    assert!(text.contains(&format!("t-0: leader broker {old} → broker {new}")), "{text}");
    assert!(text.contains("t-0: ISR shrank"), "{text}");
}

#[test]
fn the_tutorials_120_partition_topic_folds_into_an_aligned_heat_map() {
    let mut c = cluster(5);
    c.create_topic(NewTopic::new("big", 120, 3)).unwrap();
    c.create_topic(NewTopic::new("small", 2, 3)).unwrap();
    c.advance(100);
    let snapshot = Snapshot::capture(&c);
    let l = layout(&snapshot, &Filter::default());
    assert_eq!(l.mode, Mode::HeatMap, "72 replicas per broker > {TILES_PER_COLUMN_MAX}");
    assert_eq!(l.rows.len(), 122);
    for col in &l.columns {
        assert_eq!(col.cells.len(), 122, "one cell per partition in every column");
        assert_eq!(col.cells.iter().filter(|c| c.role.is_some()).count(), col.replicas());
        assert!(col.tiles.is_empty());
    }
    assert_eq!(l.columns.iter().map(|c| c.leaders).sum::<usize>(), 122);
    assert_eq!(l.columns.iter().map(|c| c.replicas()).sum::<usize>(), 366);
    // Row 120 is small-0 in every column; exactly 3 columns hold it.
    assert_eq!(l.rows[120], (Rc::from("small"), 0));
    assert_eq!(l.columns.iter().filter(|c| c.cells[120].role.is_some()).count(), 3);
    // Filtering one small topic unfolds the view into tiles again.
    let only = layout(&snapshot, &Filter { topic: Some("small".into()), show_internal: false });
    assert_eq!(only.mode, Mode::Tiles);
    assert_eq!(only.rows.len(), 2);
}

#[test]
fn six_hundred_partitions_lay_out_and_unchanged_columns_compare_equal() {
    let mut c = cluster(5);
    c.create_topic(NewTopic::new("huge", 600, 3)).unwrap();
    c.advance(100);
    let a = layout(&Snapshot::capture(&c), &Filter::default());
    c.advance(100);
    let b = layout(&Snapshot::capture(&c), &Filter::default());
    assert_eq!(a.mode, Mode::HeatMap);
    assert_eq!(a.rows.len(), 600);
    assert_eq!(a.columns.iter().map(|c| c.replicas()).sum::<usize>(), 1800);
    assert_eq!(a.columns, b.columns, "nothing changed: equal columns, no re-render");
}

#[test]
fn internal_topics_are_folded_unless_asked_for() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("__consumer_offsets", 2, 3)).unwrap();
    c.create_topic(NewTopic::new("t", 1, 3)).unwrap();
    c.advance(100);
    let s = Snapshot::capture(&c);
    assert!(s.topic("__consumer_offsets").unwrap().internal);
    let folded = layout(&s, &Filter::default());
    assert_eq!(folded.rows, vec![(Rc::from("t"), 0)]);
    assert_eq!(folded.hidden_internal, 1);
    assert_eq!(folded.topics, vec![Rc::<str>::from("t")]);
    let shown = layout(&s, &Filter { topic: None, show_internal: true });
    assert_eq!(shown.rows.len(), 3);
    assert_eq!(shown.hidden_internal, 0);
}

#[test]
fn the_log_view_shows_keyed_records_who_holds_them_and_the_high_watermark() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("t", 1, 3).config("min.insync.replicas", "1")).unwrap();
    c.advance(100);
    produce(&mut c, "t", &["a", "b", "a"]);
    let v = ui::logview::build(&c, "t", 0, None).unwrap();
    assert_eq!(v.records.len(), 3);
    assert_eq!((v.from, v.to, v.high_watermark), (0, 3, Some(3)));
    assert_eq!(v.records[0].key.as_deref(), Some("a"));
    assert_eq!(v.records[1].value.as_deref(), Some("v1"));
    assert_eq!(v.records[0].key_hue, v.records[2].key_hue, "one key, one colour");
    assert_ne!(v.records[0].key_hue, v.records[1].key_hue);
    assert!(v.records.iter().all(|r| r.committed && r.held_by.len() == 3));
    assert_eq!(v.replicas.iter().filter(|r| r.role == Role::Leader).count(), 1);
    assert!(v.replicas.iter().all(|r| r.marks == Some(LogMarks { log_start: 0, high_watermark: 3, log_end: 3 })));
    assert!(v.replicas.iter().all(|r| r.segments == vec![0]));
    assert_eq!((v.cleaner_point, v.group_offsets.len()), (None, 0), "hooks empty until wired");

    // A follower down: new records are held by two replicas only.
    let follower = v.replicas.iter().find(|r| r.role != Role::Leader).unwrap().broker;
    c.crash(follower).unwrap();
    c.advance(10_000);
    produce(&mut c, "t", &["c"]);
    let v = ui::logview::build(&c, "t", 0, None).unwrap();
    let last = v.records.last().unwrap();
    assert_eq!(last.offset, 3);
    assert_eq!(last.held_by.len(), 2);
    assert!(!last.held_by.contains(&follower));
    assert!(last.committed, "the shrunk ISR has it: below the HW");
    let crashed = v.replicas.iter().find(|r| r.broker == follower).unwrap();
    assert_eq!(crashed.role, Role::OutOfSync);
    assert_eq!(crashed.marks.unwrap().log_end, 3, "its disk kept what it had");
    // A window in the past.
    let w = ui::logview::build(&c, "t", 0, Some(2)).unwrap();
    assert_eq!((w.from, w.to, w.records.len()), (0, 2, 2));
}

#[test]
fn key_colours_are_stable() {
    assert_eq!(ui::logview::key_hue(b"a"), ui::logview::key_hue(b"a"));
    assert_eq!(ui::logview::key_hue(b""), (0x811c_9dc5u32 % 360) as u16);
    assert_eq!(ui::logview::shorten("abcdef", 4), "abc…");
    assert_eq!(ui::logview::shorten("abc", 4), "abc");
}

fn one_partition(leader: Option<i32>, isr: Vec<i32>, marks: [(i64, i64); 3], id: &str, now_ms: i64) -> Snapshot {
    use ui::snapshot::{PartitionView, TopicView};
    Snapshot {
        now_ms,
        brokers: Vec::new(),
        topics: vec![TopicView {
            name: Rc::from("t"),
            id: Rc::from(id),
            internal: false,
            partitions: vec![PartitionView {
                partition: 0,
                replicas: vec![1, 2, 3],
                isr,
                leader,
                leader_epoch: 0,
                recovering: false,
                marks: marks.iter().map(|(hw, leo)| Some(LogMarks { log_start: 0, high_watermark: *hw, log_end: *leo })).collect(),
            }],
        }],
    }
}

#[test]
fn the_monitor_reports_acknowledged_records_gone_after_an_unclean_election() {
    let mut m = Monitor::default();
    let s1 = one_partition(Some(1), vec![1, 2], [(10, 12), (10, 10), (4, 4)], "A", 100);
    m.observe(&s1, &[], Ok(()));
    assert_eq!(m.losses().count(), 0);
    // Brokers 1 and 2 die; 3 (out of sync, 4 records) becomes leader uncleanly.
    let s2 = one_partition(Some(3), vec![3], [(10, 12), (10, 10), (4, 4)], "A", 200);
    let changes = diff(&s1, &s2);
    assert!(changes.iter().any(|c| matches!(c, Change::LeaderChanged { unclean: true, .. })), "{changes:?}");
    m.observe(&s2, &changes, Ok(()));
    let losses: Vec<_> = m.losses().cloned().collect();
    assert_eq!(losses.len(), 1);
    assert_eq!((losses[0].from, losses[0].to, losses[0].records()), (4, 10, 6));
    assert_eq!(losses[0].describe(), "t-0: 6 acknowledged records lost (offsets 4..9) after an unclean leader election");
    // Seen once: the next observation does not report it again.
    m.observe(&s2, &[], Ok(()));
    assert_eq!(m.losses().count(), 1);
    m.clear_losses();
    assert_eq!(m.losses().count(), 0);
}

#[test]
fn the_monitor_is_quiet_for_clean_elections_and_recreated_topics() {
    let mut m = Monitor::default();
    let s1 = one_partition(Some(1), vec![1, 2, 3], [(10, 12), (10, 10), (10, 11)], "A", 100);
    m.observe(&s1, &[], Ok(()));
    // A clean election: broker 2 was in the ISR and has everything below the HW.
    let s2 = one_partition(Some(2), vec![2, 3], [(10, 12), (10, 10), (10, 11)], "A", 200);
    m.observe(&s2, &diff(&s1, &s2), Ok(()));
    assert_eq!(m.losses().count(), 0);
    // The topic deleted and created again under its name: a new id, a new history.
    let s3 = one_partition(Some(1), vec![1, 2, 3], [(0, 0), (0, 0), (0, 0)], "B", 300);
    m.observe(&s3, &diff(&s2, &s3), Ok(()));
    assert_eq!(m.losses().count(), 0);
}

#[test]
fn the_monitor_raises_the_engines_violations_with_an_explanation() {
    let mut m = Monitor::default();
    let s = one_partition(Some(1), vec![1], [(0, 0), (0, 0), (0, 0)], "A", 5);
    m.observe(&s, &[], Err(Violation { property: "CommittedNeverChanges", detail: "t-0: lost".into() }));
    let a = m.alarm().unwrap();
    assert_eq!((a.property.as_str(), a.detail.as_str(), a.since_ms), ("CommittedNeverChanges", "t-0: lost", 5));
    assert!(a.explanation.contains("acknowledged to acks=all producers"));
    m.observe(&s, &[], Ok(()));
    assert!(m.alarm().is_none());
}

#[test]
fn the_watch_logs_notable_changes_and_bounds_the_flows() {
    let mut c = cluster(3);
    let mut w = Watch::new(&c);
    c.create_topic(NewTopic::new("t", 20, 3)).unwrap();
    c.advance(100);
    w.observe(&c, false);
    assert!(w.log().iter().any(|l| l.change == Change::TopicCreated { topic: Rc::from("t"), partitions: 20 }));
    let keys: Vec<String> = (0..400).map(|i| format!("k{i}")).collect();
    let p = c.create_producer(ProducerConfig::default()).unwrap();
    for k in &keys {
        c.send(p, ProducerRecord::new("t", Some(k.as_bytes()), Some(b"v"))).unwrap();
    }
    c.flush(p).unwrap();
    c.advance(5);
    w.observe(&c, false);
    c.advance(1000);
    w.observe(&c, false);
    let flows = w.flows();
    assert!(!flows.is_empty(), "replication was seen");
    assert!(flows.len() <= ui::watch::FLOWS_PER_ACTION_MAX * ui::watch::FLOW_GENERATIONS as usize);
    assert!(flows.windows(2).all(|f| f[0].seq < f[1].seq), "keys increase");
    assert!(w.log().iter().all(|l| !l.change.is_traffic()), "traffic is animated, not logged");
    assert!(w.monitor().alarm().is_none());
    // Log entries are keyed by seq in the DOM: unique and increasing, also across a fresh start.
    let last_seq = w.log().back().map(|l| l.seq).expect("something was logged");
    assert!(w.log().iter().zip(w.log().iter().skip(1)).all(|(a, b)| a.seq < b.seq), "log keys increase");
    // A fresh observation (after undo) forgets the log.
    w.observe(&c, true);
    assert!(w.log().is_empty());
    c.create_topic(NewTopic::new("u", 1, 3)).unwrap();
    c.advance(100);
    w.observe(&c, false);
    assert!(w.log().front().is_some_and(|l| l.seq > last_seq), "a key is never reused after undo");
}


// ----- consumer groups view -----

fn group_consumer(c: &mut Cluster, group: &str, topic: &str) -> ConsumerId {
    let cfg = ConsumerConfig {
        client_id: "console-consumer".into(),
        auto_offset_reset: OffsetReset::Earliest,
        enable_auto_commit: false,
        ..ConsumerConfig::group(group)
    };
    let id = c.create_consumer(cfg).unwrap();
    c.subscribe(id, &[topic]).unwrap();
    id
}

/// Advances `ms` in 100 ms slices, polling `consumers` (their application loop) and letting the
/// watch look after every slice, as the UI does after every play tick.
fn poll_watching(c: &mut Cluster, w: &mut Watch, consumers: &[ConsumerId], ms: i64) {
    let end = c.now_ms() + ms;
    while c.now_ms() < end {
        let until = (c.now_ms() + 100).min(end);
        c.run_until(until, |_| {});
        for &id in consumers {
            let _ = c.poll(id);
        }
        w.observe(c, false);
    }
}

#[test]
fn two_members_split_the_partitions_and_the_lag_is_high_watermark_minus_committed() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("orders", 4, 3)).unwrap();
    c.advance(100);
    let mut w = Watch::new(&c);
    let a = group_consumer(&mut c, "billing", "orders");
    let b = group_consumer(&mut c, "billing", "orders");
    poll_watching(&mut c, &mut w, &[a, b], 8_000);
    let view = w.groups();
    let g = view.group("billing").expect("the group is shown");
    assert_eq!(g.state, GroupState::Stable);
    assert_eq!(g.members.len(), 2);
    assert!(g.generation >= 1);
    assert_eq!(g.assignment_strategy, "range");
    let mut owned: Vec<usize> = g.members.iter().map(|m| m.assignment.len()).collect();
    owned.sort_unstable();
    assert_eq!(owned, vec![2, 2], "range gives each member two of the four partitions");
    assert_eq!(g.members[0].client_id, "console-consumer");
    assert!(g.members.iter().any(|m| m.assignment_text() == "orders: 0-1") && g.members.iter().any(|m| m.assignment_text() == "orders: 2-3"));
    assert_eq!(g.partitions.len(), 4);
    assert!(g.partitions.iter().all(|p| p.committed.is_none() && p.lag().is_none() && p.owner.is_some()), "nothing committed yet: no lag (the tool prints -)");
    let log: Vec<String> = w.log().iter().map(|l| l.change.describe()).collect();
    assert!(log.iter().any(|l| l.starts_with("Group billing appeared")), "{log:?}");
    assert!(log.iter().any(|l| l.starts_with("Group billing: rebalanced, generation") && l.ends_with("2 members")), "{log:?}");

    // Commit where they are, then produce 10 without consuming: lag is exactly what was produced.
    c.commit_sync(a, None).unwrap();
    c.commit_sync(b, None).unwrap();
    c.advance(500);
    let p = c.create_producer(ProducerConfig::default()).unwrap();
    for i in 0..10 {
        c.send(p, ProducerRecord::new("orders", None, Some(format!("v{i}").as_bytes()))).unwrap();
    }
    c.flush(p).unwrap();
    c.take_send_results(p);
    c.advance(1_000);
    let digest = c.digest();
    w.observe(&c, false);
    assert_eq!(c.digest(), digest, "looking at the groups changes nothing in the run");
    let view = w.groups();
    let g = view.group("billing").unwrap();
    assert_eq!(g.total_lag, 10, "{:?}", g.partitions);
    for p in &g.partitions {
        let hw = Snapshot::capture(&c).partition("orders", p.partition).unwrap().leader.and_then(|l| Snapshot::capture(&c).partition("orders", p.partition).unwrap().marks_of(l)).unwrap().high_watermark;
        assert_eq!(p.high_watermark, Some(hw));
        assert_eq!(p.committed, Some(0));
        assert_eq!(p.lag(), Some(hw));
    }
    assert!(g.history.samples.len() >= 2);
    assert_eq!(g.history.samples.last().unwrap().total, 10);
    assert!(!g.chart_top().is_empty() && g.chart_top().len() <= groups::CHART_TOP_PARTITIONS);
    // Polling and committing brings the lag back to zero.
    poll_watching(&mut c, &mut w, &[a, b], 1_000);
    c.commit_sync(a, None).unwrap();
    c.commit_sync(b, None).unwrap();
    c.advance(500);
    w.observe(&c, false);
    assert_eq!(w.groups().group("billing").unwrap().total_lag, 0);
    let on_p: Vec<_> = w.groups().on_partition("orders", 0);
    assert_eq!(on_p.len(), 1);
    assert_eq!(on_p[0].0.as_ref(), "billing");
}

#[test]
fn a_member_leaving_is_a_rebalance_in_the_log() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("t", 2, 1)).unwrap();
    c.advance(100);
    let mut w = Watch::new(&c);
    let a = group_consumer(&mut c, "g", "t");
    let b = group_consumer(&mut c, "g", "t");
    poll_watching(&mut c, &mut w, &[a, b], 8_000);
    let generation = w.groups().group("g").unwrap().generation;
    c.close_consumer(b).unwrap();
    poll_watching(&mut c, &mut w, &[a], 5_000);
    let g = w.groups().group("g").unwrap().clone();
    assert_eq!(g.members.len(), 1);
    assert!(g.generation > generation);
    assert_eq!(g.members[0].assignment_text(), "t: 0-1");
    let log: Vec<String> = w.log().iter().map(|l| l.change.describe()).collect();
    assert!(log.iter().any(|l| l == &format!("Group g: rebalance started (generation {generation} ends)")), "{log:?}");
    assert!(log.iter().any(|l| l == &format!("Group g: rebalanced, generation {}, 1 member", g.generation)), "{log:?}");
}

#[test]
fn six_hundred_partitions_fold_to_the_laggiest_rows_and_the_history_stays_bounded() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("big", 600, 1)).unwrap();
    c.advance(100);
    let mut w = Watch::new(&c);
    let a = group_consumer(&mut c, "mon", "big");
    poll_watching(&mut c, &mut w, &[a], 6_000);
    c.commit_sync(a, None).unwrap();
    c.advance(200);
    let keys: Vec<String> = (0..300).map(|i| format!("k{i}")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    produce(&mut c, "big", &keys);
    // Many looks over a long time: the history keeps at most LAG_SAMPLES_MAX samples.
    for _ in 0..(groups::LAG_SAMPLES_MAX + 30) {
        c.advance(300);
        w.observe(&c, false);
    }
    let view = w.groups();
    let g = view.group("mon").unwrap();
    assert_eq!(g.partitions.len(), 600);
    assert_eq!(g.total_lag, 300);
    assert_eq!(g.history.samples.len(), groups::LAG_SAMPLES_MAX);
    assert!(g.history.samples.windows(2).all(|s| s[1].at_ms - s[0].at_ms >= groups::LAG_SAMPLE_SPACING_MS));
    let (rows, folded) = g.rows_shown();
    assert!(folded);
    assert_eq!(rows.len(), groups::PARTITION_ROWS_MAX);
    let max_lag = g.partitions.iter().filter_map(|p| p.lag()).max().unwrap();
    assert_eq!(rows[0].lag(), Some(max_lag), "the laggiest first");
    assert!(rows.windows(2).all(|r| r[0].lag() >= r[1].lag()));
    assert_eq!(g.chart_top().len(), groups::CHART_TOP_PARTITIONS);
    // A rebuilt session (undo, load) starts the history over.
    w.observe(&c, true);
    assert_eq!(w.groups().group("mon").unwrap().history.samples.len(), 1);
}

#[test]
fn partition_ranges_read_like_the_assignment() {
    let t: Rc<str> = Rc::from("t");
    let u: Rc<str> = Rc::from("u");
    let keys = vec![(t.clone(), 0), (t.clone(), 1), (t.clone(), 2), (t.clone(), 5), (u.clone(), 3)];
    assert_eq!(groups::ranges_text(&keys), "t: 0-2, 5; u: 3");
    assert_eq!(groups::ranges_text(&[]), "");
}

// ----- lesson look-at style sheet -----

use lessons::LookAt;


fn look_rows() -> Vec<(Rc<str>, i32)> {
    let (a, b): (Rc<str>, Rc<str>) = (Rc::from("alpha"), Rc::from("test"));
    vec![(a.clone(), 0), (a, 1), (b.clone(), 0), (b.clone(), 1), (b, 2)]
}

#[test]
fn tiles_are_picked_by_their_label_prefix_with_the_colon() {
    let (boxes, cells) = look::selectors(&[LookAt::Partition("test", 1), LookAt::Broker(2)], &look_rows(), false);
    assert_eq!(boxes, vec![r#".tile[aria-label^="test-1:"]"#.to_string(), r#".broker[aria-label="Broker 2"]"#.to_string()]);
    assert!(cells.is_empty());
}

#[test]
fn a_topic_in_the_heat_map_is_its_contiguous_rows() {
    let (boxes, cells) = look::selectors(&[LookAt::Topic("test")], &look_rows(), true);
    assert!(boxes.is_empty());
    assert_eq!(cells, vec![".heat .c:nth-child(n+3):nth-child(-n+5)".to_string()]);
    let (boxes, _) = look::selectors(&[LookAt::Topic("test")], &look_rows(), false);
    assert_eq!(boxes.len(), 3);
    assert!(look::selectors(&[LookAt::Topic("absent")], &look_rows(), true).1.is_empty(), "a topic not created yet highlights nothing");
}

#[test]
fn group_patterns_and_escaping() {
    let (boxes, _) = look::selectors(&[LookAt::Group("console-consumer-*"), LookAt::Group("a\"b")], &[], false);
    assert_eq!(boxes, vec![r#".group-card[data-group^="console-consumer-"]"#.to_string(), r#".group-card[data-group="a\"b"]"#.to_string()]);
    assert_eq!(look::css(&[], &look_rows(), false), "");
}
