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
#[path = "../src/ui/ghosts.rs"]
pub mod ghosts;
#[allow(dead_code)]
#[path = "../src/ui/topiclogs.rs"]
pub mod topiclogs;
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
#[path = "../src/ui/rereads.rs"]
pub mod rereads;
#[allow(dead_code)]
#[path = "../src/ui/watch.rs"]
pub mod watch;
/// The included modules as the app names them.
mod ui {
    pub use super::{ghosts, layout, logview, monitor, snapshot, topiclogs, watch};
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

// ----- the log at the centre: topic logs, markers, ghosts -----

use ui::topiclogs::Body;

fn topic_logs(c: &Cluster, w: &Watch, topic: &str) -> topiclogs::TopicLogs {
    topiclogs::build(c, &w.snapshot(), topic, &w.groups(), w.ghosts(), w.rereads()).expect("the topic is drawn")
}

fn strips(logs: &topiclogs::TopicLogs) -> &[topiclogs::Strip] {
    match &logs.body {
        Body::Strips(s) => s,
        Body::HeatMap { .. } => panic!("drawn as a heat map"),
    }
}

#[test]
fn keyed_records_are_drawn_on_their_partitions_log_with_one_colour_per_key() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("orders", 3, 3)).unwrap();
    c.advance(100);
    produce(&mut c, "orders", &["alice", "bob", "alice", "carol", "alice"]);
    let w = Watch::new(&c);
    let logs = topic_logs(&c, &w, "orders");
    assert_eq!(logs.partitions, 3);
    let cells: Vec<&topiclogs::Cell> = strips(&logs).iter().flat_map(|s| s.cells.iter()).collect();
    assert_eq!(cells.len(), 5, "every record is a cell");
    let alice: Vec<&&topiclogs::Cell> = cells.iter().filter(|c| c.key.as_deref() == Some("alice")).collect();
    assert_eq!(alice.len(), 3);
    // One key, one partition (the default partitioner hashes the key), one colour.
    let home = strips(&logs).iter().find(|s| s.cells.iter().any(|c| c.key.as_deref() == Some("alice"))).unwrap();
    assert_eq!(home.cells.iter().filter(|c| c.key.as_deref() == Some("alice")).count(), 3);
    assert!(alice.iter().all(|c| c.key_hue == alice[0].key_hue && c.committed));
    for s in strips(&logs) {
        assert_eq!((s.from, s.to, s.log_end, s.high_watermark), (0, s.log_end, s.cells.len() as i64, s.cells.len() as i64));
        assert_eq!(s.lanes.len(), 3, "each replica's copy beside the leader's");
        assert!(s.lanes.iter().all(|l| l.log_end == s.log_end && l.behind == 0));
    }
    assert_eq!(topiclogs::plural(1, "partition"), "1 partition");
    assert_eq!(topiclogs::plural(3, "broker"), "3 brokers");
}

#[test]
fn the_window_keeps_the_newest_cells_and_a_lagging_follower_shows_behind() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("t", 1, 3)).unwrap();
    c.advance(100);
    let keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    produce(&mut c, "t", &refs);
    let leader = c.partition_meta("t", 0).unwrap().leader.unwrap();
    let follower = c.partition_meta("t", 0).unwrap().replicas.iter().copied().find(|b| *b != leader).unwrap();
    c.crash(follower).unwrap();
    produce(&mut c, "t", &["late"]);
    let w = Watch::new(&c);
    let logs = topic_logs(&c, &w, "t");
    let s = &strips(&logs)[0];
    assert_eq!((s.from, s.to), (41 - topiclogs::CELLS_MAX, 41), "a window of the newest cells");
    assert_eq!(s.cells.len() as i64, topiclogs::CELLS_MAX);
    assert_eq!(s.cells.last().unwrap().key.as_deref(), Some("late"));
    let lane = s.lanes.iter().find(|l| l.broker == follower).unwrap();
    assert_eq!((lane.log_end, lane.behind), (40, 1), "the crashed follower's copy stops one record short");
    assert!(s.describe().contains(&format!("broker {follower} is 1 record behind")), "{}", s.describe());
}

#[test]
fn a_groups_marker_moves_as_it_consumes_and_its_owner_tints_the_partition() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("orders", 1, 3)).unwrap();
    c.advance(100);
    produce(&mut c, "orders", &["a", "b", "c", "d"]);
    let mut w = Watch::new(&c);
    let consumer = group_consumer(&mut c, "billing", "orders");
    poll_watching(&mut c, &mut w, &[consumer], 8_000);
    c.commit_sync(consumer, None).unwrap();
    c.advance(500);
    w.observe(&c, false);
    let before = strips(&topic_logs(&c, &w, "orders"))[0].markers.clone();
    assert_eq!(before.len(), 1);
    assert_eq!((before[0].committed, before[0].lag), (Some(4), Some(0)));
    let (owner, hue) = before[0].owner.clone().expect("the member owns the partition");
    assert_eq!((owner.as_str(), hue), ("console-consumer", topiclogs::member_hue("console-consumer")));
    produce(&mut c, "orders", &["e", "f"]);
    w.observe(&c, false);
    let lagging = strips(&topic_logs(&c, &w, "orders"))[0].markers[0].clone();
    assert_eq!((lagging.committed, lagging.lag), (Some(4), Some(2)), "lag is the gap between marker and HW");
    poll_watching(&mut c, &mut w, &[consumer], 1_000);
    c.commit_sync(consumer, None).unwrap();
    c.advance(500);
    w.observe(&c, false);
    let after = strips(&topic_logs(&c, &w, "orders"))[0].markers[0].clone();
    assert_eq!((after.committed, after.lag), (Some(6), Some(0)), "the marker moved with the consumer");
}

#[test]
fn the_tutorials_120_partitions_fold_into_a_heat_map_shaded_by_records() {
    let mut c = cluster(5);
    c.create_topic(NewTopic::new("big", 120, 3)).unwrap();
    c.advance(100);
    produce(&mut c, "big", &["x", "x", "x", "y"]);
    let w = Watch::new(&c);
    let logs = topic_logs(&c, &w, "big");
    let Body::HeatMap { cells, by_lag } = &logs.body else { panic!("120 partitions fold") };
    assert!(!by_lag);
    assert_eq!(cells.len(), 120);
    let hot: Vec<_> = cells.iter().filter(|c| c.level > 0).collect();
    assert!(!hot.is_empty() && hot.len() <= 2, "only the partitions with records are shaded: {hot:?}");
    assert!(hot.iter().any(|c| c.level == topiclogs::HEAT_LEVELS), "the busiest is the darkest");
    assert_eq!((topiclogs::level(0, 10), topiclogs::level(1, 10), topiclogs::level(10, 10)), (0, 1, topiclogs::HEAT_LEVELS));
}

/// The challenge's recipe: followers cut off, the acks=1 leader acknowledges alone, crashes; a
/// follower takes over; the records it never got stay on screen as labelled ghosts.
#[test]
fn an_acks_1_leader_crash_leaves_labelled_ghosts() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("fragile", 1, 3)).unwrap();
    c.advance(100);
    produce(&mut c, "fragile", &["kept"]);
    let mut w = Watch::new(&c);
    let leader = c.partition_meta("fragile", 0).unwrap().leader.unwrap();
    for b in c.partition_meta("fragile", 0).unwrap().replicas.clone() {
        if b != leader {
            c.isolate(b).unwrap();
        }
    }
    let p = c.create_producer(ProducerConfig { acks: 1, linger_ms: 0, ..Default::default() }).unwrap();
    for k in ["gone-1", "gone-2"] {
        c.send(p, ProducerRecord::new("fragile", Some(k.as_bytes()), Some(b"v"))).unwrap();
    }
    poll_watching(&mut c, &mut w, &[], 1_000);
    assert!(c.take_send_results(p).iter().all(|(_, r)| matches!(r, SendResult::Delivered { .. })), "acks=1 acknowledged them");
    c.crash(leader).unwrap();
    c.heal();
    poll_watching(&mut c, &mut w, &[], 15_000);
    let new_leader = c.partition_meta("fragile", 0).unwrap().leader.expect("a follower took over");
    assert_ne!(new_leader, leader);
    let ghosts = w.ghosts().of("fragile", 0);
    assert_eq!(ghosts.iter().map(|g| (g.offset, g.key.as_deref())).collect::<Vec<_>>(), vec![(1, Some("gone-1")), (2, Some("gone-2"))]);
    assert_eq!(
        ghosts[0].label(),
        format!("acked with acks=1 only (never reached the high watermark), lost when broker {leader} crashed and broker {new_leader} took over")
    );
    let logs = topic_logs(&c, &w, "fragile");
    assert_eq!(strips(&logs)[0].ghosts.len(), 2, "the log view draws them");
    assert_eq!(ghosts[0].anchor(), "ghosts-fragile-0");
    let lost = w.ghosts().lost("fragile", 0);
    assert_eq!((lost.records, lost.at_least, lost.text()), (2, false, "2 records".to_string()), "the kept record is older than the loss");
    assert_eq!(w.ghosts().by_partition().len(), 1);
    // Looking again reports nothing twice; a clean election that keeps every record makes none.
    w.observe(&c, false);
    assert_eq!(w.ghosts().all().count(), 2);
}

#[test]
fn a_clean_leader_change_with_every_record_replicated_makes_no_ghost() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("t", 1, 3)).unwrap();
    c.advance(100);
    let mut w = Watch::new(&c);
    produce(&mut c, "t", &["a", "b", "c"]);
    w.observe(&c, false);
    let leader = c.partition_meta("t", 0).unwrap().leader.unwrap();
    c.crash(leader).unwrap();
    poll_watching(&mut c, &mut w, &[], 15_000);
    assert_ne!(c.partition_meta("t", 0).unwrap().leader, Some(leader));
    assert_eq!(w.ghosts().all().count(), 0);
}

#[test]
fn the_cluster_is_described_in_words_for_screen_readers() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("orders", 1, 3)).unwrap();
    c.advance(100);
    let w = Watch::new(&c);
    let text = topiclogs::describe_cluster(&w.snapshot(), &w.groups());
    assert!(text.starts_with("3 brokers: broker 1 alive"), "{text}");
    assert!(text.contains("Topic orders, 1 partition; partition 0 leader"), "{text}");
    assert!(text.contains("in-sync replicas 1 2 3") || text.contains("in-sync replicas"), "{text}");
}

/// More records lost than the ghosts remember: the count is still exact (the new leader's log
/// ends before them), the ghosts drawn are the newest, and memory stays bounded.
#[test]
fn a_large_acks_1_loss_is_counted_exactly_and_its_ghosts_stay_bounded() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("fragile", 1, 3)).unwrap();
    c.advance(100);
    let mut w = Watch::new(&c);
    let leader = c.partition_meta("fragile", 0).unwrap().leader.unwrap();
    for b in c.partition_meta("fragile", 0).unwrap().replicas.clone() {
        if b != leader {
            c.isolate(b).unwrap();
        }
    }
    let p = c.create_producer(ProducerConfig { acks: 1, linger_ms: 5, ..Default::default() }).unwrap();
    for i in 0..300 {
        c.send(p, ProducerRecord::new("fragile", Some(format!("k{i}").as_bytes()), Some(b"v"))).unwrap();
        if i % 50 == 0 {
            poll_watching(&mut c, &mut w, &[], 100);
        }
    }
    poll_watching(&mut c, &mut w, &[], 1_000);
    let written = c.replica_log(leader, "fragile", 0).unwrap().log_end_offset;
    assert_eq!(written, 300);
    c.crash(leader).unwrap();
    c.heal();
    poll_watching(&mut c, &mut w, &[], 15_000);
    let lost = w.ghosts().lost("fragile", 0);
    assert_eq!((lost.records, lost.at_least), (300, false));
    let ghosts = w.ghosts().of("fragile", 0);
    assert!(ghosts.len() <= ui::ghosts::GHOSTS_MAX && !ghosts.is_empty());
    assert_eq!(ghosts.last().unwrap().offset, 299, "the newest are kept");
    let logs = topic_logs(&c, &w, "fragile");
    assert_eq!(strips(&logs)[0].ghosts.len() as i64, topiclogs::CELLS_MAX, "a strip draws a window of them");
}

// ----- records a group read twice (issue 18: "a record processed twice is marked") -----

fn twice_cells(c: &Cluster, w: &Watch, topic: &str) -> Vec<(i64, Vec<String>)> {
    strips(&topic_logs(c, w, topic))[0].cells.iter().map(|cell| (cell.offset, cell.read_twice_by.iter().map(|g| g.to_string()).collect())).collect()
}

fn marked(cells: &[(i64, Vec<String>)]) -> Vec<i64> {
    cells.iter().filter(|(_, g)| !g.is_empty()).map(|(o, _)| *o).collect()
}

/// A group reads orders 0..4 and commits 4, then stops; returns the cluster, the watch and the tp.
fn read_and_commit_four() -> (Cluster, Watch, TopicPartition) {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("orders", 1, 3)).unwrap();
    c.advance(100);
    produce(&mut c, "orders", &["a", "b", "c", "d"]);
    let mut w = Watch::new(&c);
    let first = group_consumer(&mut c, "billing", "orders");
    poll_watching(&mut c, &mut w, &[first], 8_000);
    c.commit_sync(first, None).unwrap();
    c.advance(500);
    c.close_consumer(first).unwrap();
    poll_watching(&mut c, &mut w, &[], 1_000);
    (c, w, TopicPartition::new("orders", 0))
}

#[test]
fn a_reset_to_an_earlier_offset_marks_the_records_the_group_reads_again() {
    let (mut c, mut w, tp) = read_and_commit_four();
    assert!(marked(&twice_cells(&c, &w, "orders")).is_empty(), "read once: nothing marked");
    c.alter_group_offsets("billing", &[(tp.clone(), 1)].into_iter().collect()).unwrap();
    poll_watching(&mut c, &mut w, &[], 1_000);
    assert!(marked(&twice_cells(&c, &w, "orders")).is_empty(), "a reset alone reads nothing");
    let second = group_consumer(&mut c, "billing", "orders");
    poll_watching(&mut c, &mut w, &[second], 8_000);
    let cells = twice_cells(&c, &w, "orders");
    assert_eq!(marked(&cells), vec![1, 2, 3], "{cells:?}");
    assert_eq!(cells[1].1, vec!["billing".to_string()]);
    let strip = strips(&topic_logs(&c, &w, "orders"))[0].clone();
    assert!(strip.describe().ends_with("; group billing read offsets 1 to 3 twice"), "{}", strip.describe());
}

#[test]
fn a_new_owner_after_a_rebalance_before_the_commit_marks_what_the_old_owner_had_read() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("orders", 1, 3)).unwrap();
    c.advance(100);
    produce(&mut c, "orders", &["a", "b", "c", "d", "e", "f"]);
    let mut w = Watch::new(&c);
    let tp = TopicPartition::new("orders", 0);
    let old = group_consumer(&mut c, "billing", "orders");
    poll_watching(&mut c, &mut w, &[old], 8_000);
    // It processed all six but committed only the first two, then died.
    c.commit_sync(old, Some([(tp.clone(), 2)].into_iter().collect())).unwrap();
    poll_watching(&mut c, &mut w, &[], 500);
    c.crash_consumer(old).unwrap();
    let new = group_consumer(&mut c, "billing", "orders");
    poll_watching(&mut c, &mut w, &[new], 60_000);
    let cells = twice_cells(&c, &w, "orders");
    assert_eq!(marked(&cells), vec![2, 3, 4, 5], "{cells:?}");
}

#[test]
fn a_group_that_commits_as_it_goes_and_hands_over_cleanly_reads_nothing_twice() {
    let (mut c, mut w, _) = read_and_commit_four();
    produce(&mut c, "orders", &["e", "f"]);
    let next = group_consumer(&mut c, "billing", "orders");
    poll_watching(&mut c, &mut w, &[next], 8_000);
    c.commit_sync(next, None).unwrap();
    poll_watching(&mut c, &mut w, &[next], 1_000);
    let cells = twice_cells(&c, &w, "orders");
    assert_eq!(cells.len(), 6);
    assert!(marked(&cells).is_empty(), "{cells:?}");
    // Another group reading the same records reads them once each: marks are per group.
    let other = group_consumer(&mut c, "audit", "orders");
    poll_watching(&mut c, &mut w, &[other], 8_000);
    assert!(marked(&twice_cells(&c, &w, "orders")).is_empty());
}

/// As the terminal does it: each consumer lives within one action (`sim advance 8s`), never seen
/// reading; only the commits tell.
#[test]
fn a_reset_then_a_consumer_seen_only_through_its_commits_marks_the_records_read_again() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("orders", 1, 3)).unwrap();
    c.advance(100);
    produce(&mut c, "orders", &["a", "b", "c", "d"]);
    let mut w = Watch::new(&c);
    let tp = TopicPartition::new("orders", 0);
    let run_unseen = |c: &mut Cluster| {
        let id = group_consumer(c, "billing", "orders");
        let end = c.now_ms() + 8_000;
        while c.now_ms() < end {
            let until = c.now_ms() + 100;
            c.run_until(until, |_| {});
            let _ = c.poll(id);
        }
        c.commit_sync(id, None).unwrap();
        c.close_consumer(id).unwrap();
        c.advance(1_000);
    };
    run_unseen(&mut c);
    w.observe(&c, false);
    assert!(marked(&twice_cells(&c, &w, "orders")).is_empty());
    c.alter_group_offsets("billing", &[(tp, 1)].into_iter().collect()).unwrap();
    c.advance(500);
    w.observe(&c, false);
    assert!(marked(&twice_cells(&c, &w, "orders")).is_empty(), "a reset alone reads nothing");
    run_unseen(&mut c);
    w.observe(&c, false);
    assert_eq!(marked(&twice_cells(&c, &w, "orders")), vec![1, 2, 3]);
}

/// A consumer of `group` that starts, reads for 8 s and stops within one action (the watch never
/// sees it open); `commit`: it commits what it read before closing.
fn read_within_one_action(c: &mut Cluster, group: &str, topic: &str, commit: bool) {
    let id = group_consumer(c, group, topic);
    let end = c.now_ms() + 8_000;
    while c.now_ms() < end {
        let until = c.now_ms() + 100;
        c.run_until(until, |_| {});
        let _ = c.poll(id);
    }
    if commit {
        c.commit_sync(id, None).unwrap();
    }
    c.close_consumer(id).unwrap();
    c.advance(1_000);
}

/// The gap left by reading positions only: a group that commits nothing, whose consumer started
/// and finished within one action, then a second consumer of the group reading the same offsets
/// again (the offsets lesson's `audit` step).
#[test]
fn a_no_commit_consumer_within_one_action_then_a_second_consumer_of_the_group_reading_the_same_offsets_is_marked() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("orders", 1, 3)).unwrap();
    c.advance(100);
    produce(&mut c, "orders", &["a", "b", "c", "d"]);
    let mut w = Watch::new(&c);
    read_within_one_action(&mut c, "audit", "orders", false);
    w.observe(&c, false);
    assert!(marked(&twice_cells(&c, &w, "orders")).is_empty(), "read once: nothing marked");
    produce(&mut c, "orders", &["e"]);
    w.observe(&c, false);
    read_within_one_action(&mut c, "audit", "orders", false);
    w.observe(&c, false);
    let cells = twice_cells(&c, &w, "orders");
    assert_eq!(marked(&cells), vec![0, 1, 2, 3], "the new record was read once: {cells:?}");
    assert_eq!(cells[0].1, vec!["audit".to_string()]);
    // A third run seen reading, slice by slice, marks the new record too, and nothing else.
    let third = group_consumer(&mut c, "audit", "orders");
    poll_watching(&mut c, &mut w, &[third], 8_000);
    assert_eq!(marked(&twice_cells(&c, &w, "orders")), vec![0, 1, 2, 3, 4]);
}

#[test]
fn a_group_that_commits_as_it_goes_within_one_action_or_seen_reading_reads_nothing_twice() {
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("orders", 1, 3)).unwrap();
    c.advance(100);
    produce(&mut c, "orders", &["a", "b", "c"]);
    let mut w = Watch::new(&c);
    read_within_one_action(&mut c, "billing", "orders", true);
    w.observe(&c, false);
    // Records arrive while the next consumer is seen reading them, look after look.
    let seen = group_consumer(&mut c, "billing", "orders");
    poll_watching(&mut c, &mut w, &[seen], 6_000);
    for key in ["d", "e", "f"] {
        produce(&mut c, "orders", &[key]);
        poll_watching(&mut c, &mut w, &[seen], 300);
    }
    c.commit_sync(seen, None).unwrap();
    c.close_consumer(seen).unwrap();
    poll_watching(&mut c, &mut w, &[], 1_000);
    produce(&mut c, "orders", &["g"]);
    read_within_one_action(&mut c, "billing", "orders", true);
    w.observe(&c, false);
    let cells = twice_cells(&c, &w, "orders");
    assert_eq!(cells.len(), 7);
    assert!(marked(&cells).is_empty(), "{cells:?}");
}

// ----- keys coloured in the terminal as in the log view (issue 18) -----

#[test]
fn a_keyed_consumers_output_lines_take_their_keys_colour_from_the_log_view() {
    use ui::logview::{key_hue, key_span, keyed_output_separator};
    let consumer = "kafka-console-consumer --bootstrap-server localhost:9092 --topic keyed --from-beginning";
    assert_eq!(keyed_output_separator(&format!("{consumer} --property print.key=true")).as_deref(), Some("\t"));
    assert_eq!(keyed_output_separator(&format!("{consumer} --property print.key=true --property key.separator=:")).as_deref(), Some(":"));
    assert_eq!(keyed_output_separator(&format!("/app/confluent/bin/{consumer} --property 'print.key=TRUE'")).as_deref(), Some("\t"));
    assert_eq!(keyed_output_separator(consumer), None, "no keys printed");
    assert_eq!(keyed_output_separator(&format!("{consumer} --property print.key=true --property print.offset=true")), None, "the key is not first");
    assert_eq!(keyed_output_separator("kcat -C -b localhost:9092 -t keyed -K:").as_deref(), Some(":"));
    assert_eq!(keyed_output_separator("kcat -C -b localhost:9092 -t keyed -K '\\t'").as_deref(), Some("\t"));
    assert_eq!(keyed_output_separator("kcat -P -b localhost:9092 -t keyed -K:"), None, "a producer prints no records");
    assert_eq!(keyed_output_separator("echo print.key=true"), None);
    // The same key, the same colour as its cells.
    assert_eq!(key_span("alice\t1", "\t"), Some((5, Some(key_hue(b"alice")))));
    assert_eq!(key_span("bob:2:x", ":"), Some((3, Some(key_hue(b"bob")))));
    assert_eq!(key_span("null\tv", "\t"), Some((4, None)), "a null key has no colour, as in the log view");
    assert_eq!(key_span("Processed a total of 3 messages", "\t"), None);
    let mut c = cluster(3);
    c.create_topic(NewTopic::new("keyed", 1, 3)).unwrap();
    c.advance(100);
    produce(&mut c, "keyed", &["alice"]);
    let w = Watch::new(&c);
    let cell = strips(&topic_logs(&c, &w, "keyed"))[0].cells[0].clone();
    assert_eq!(cell.key_hue, key_span("alice\tv0", "\t").unwrap().1);
}

#[test]
fn the_heat_map_moves_by_arrow_keys_within_its_grid_and_names_each_cell() {
    use topiclogs::{heat_label, heat_step, HeatCell};
    // 120 cells, 10 columns.
    assert_eq!(heat_step(0, 120, 10, "ArrowRight"), Some(1));
    assert_eq!(heat_step(0, 120, 10, "ArrowLeft"), None, "no wrap off the start");
    assert_eq!(heat_step(5, 120, 10, "ArrowDown"), Some(15));
    assert_eq!(heat_step(5, 120, 10, "ArrowUp"), None);
    assert_eq!(heat_step(115, 120, 10, "ArrowDown"), None, "no row below");
    assert_eq!(heat_step(119, 120, 10, "ArrowRight"), None);
    assert_eq!((heat_step(57, 120, 10, "Home"), heat_step(57, 120, 10, "End")), (Some(0), Some(119)));
    assert_eq!(heat_step(3, 120, 0, "ArrowDown"), Some(4), "a grid of unknown width moves one cell");
    assert_eq!(heat_step(3, 120, 10, "a"), None);
    let cell = HeatCell { partition: 7, records: 1, lag: 0, level: 1, offline: true };
    assert_eq!(heat_label(&cell), "partition 7: 1 record, lag 0, offline");
}
