//! Named safety properties checked by tests after every event.
//!
//! - `OneLeaderPerEpoch`: no two brokers act as leader of a partition in the same leader epoch,
//!   and whoever acts as leader in epoch e is the broker the controller elected for e.
//! - `HwWithinIsrLeo`: a leader's high watermark is <= the LEO of every ISR member, and every
//!   replica's HW is <= its own LEO.
//! - `DenseOffsets`: batches in every replica's log are in offset order and never overlap; they
//!   are contiguous from the log start offset except below the partition's compaction point
//!   (the highest cleaner checkpoint any replica reached), where whole cleaned-away batches
//!   leave gaps.
//! - `CommittedNeverChanges`: every batch ever below a leader's HW (the ledger) is still, the
//!   same object, at the same offset on the current leader (reset only by unclean elections),
//!   except that below the compaction point the leader may hold a cleaned copy (a subset of
//!   its records, same offsets, same content) or nothing, and below its log start offset
//!   nothing.
//! - `ReplicasAgreeBelowHw`: below its own HW, every replica holds exactly the committed batches,
//!   with the same compaction and retention allowances: replicas may differ in which records
//!   they still hold, never in the content of an offset both hold.
//! - `CleanerKeepsLatestPerKey` (checked after each cleaning pass, see `cleaner.rs`): the latest
//!   committed record of every key below the cleaner point is still held.

use std::collections::BTreeMap;
use super::cluster::*;
use super::log::{Batch, PartitionLog};
pub use super::violation::Violation;
use super::violation::offset_or_none;
use std::rc::Rc;

/// A named safety property (stateright's `Property::always`): a check over the read-only
/// cluster, the detail of the first breach it finds.
pub(crate) struct Property {
    pub name: &'static str,
    check: fn(&Cluster) -> Result<(), String>,
}

/// The properties `check_invariants` runs, in this order (the first breach is reported).
pub(crate) const PROPERTIES: &[Property] = &[
    Property { name: "OneLeaderPerEpoch", check: one_leader_per_epoch },
    Property { name: "HwWithinIsrLeo", check: hw_within_own_leo },
    Property { name: "DenseOffsets", check: dense_offsets },
    Property { name: "ReplicasAgreeBelowHw", check: replicas_agree_below_hw },
    Property { name: "HwWithinIsrLeo", check: hw_within_isr_leo },
    Property { name: "CommittedNeverChanges", check: committed_never_changes },
];

/// Every named property over `c`: the first violation recorded by an observer check
/// ([`cleaner_keeps_latest_per_key`]), else the first breach of [`PROPERTIES`].
pub(crate) fn check_all(c: &Cluster) -> Result<(), Violation> {
    if let Some(v) = c.violations.first() {
        return Err(v.clone());
    }
    for p in PROPERTIES {
        (p.check)(c).map_err(|detail| Violation { property: p.name, detail })?;
    }
    Ok(())
}

/// `orders-0`: a partition as Kafka names it, for violation details.
fn label(c: &Cluster, tp: &Tp) -> String {
    format!("{}-{}", c.topic_name(tp.topic), tp.partition)
}

/// Every replica of every broker, with its broker.
fn replicas(c: &Cluster) -> impl Iterator<Item = (&Broker, &Tp, &Replica)> {
    c.brokers.values().flat_map(|b| b.replicas.iter().map(move |(tp, r)| (b, tp, r)))
}

/// The highest cleaner point any replica of `tp` reached (0: never compacted).
fn compacted_upto(c: &Cluster, tp: &Tp) -> i64 {
    c.cleaner.compacted_upto.get(tp).copied().unwrap_or(0)
}

/// `OneLeaderPerEpoch`: no two running brokers lead a partition in one epoch, and whoever
/// leads in epoch e is the broker the controller elected for e.
fn one_leader_per_epoch(c: &Cluster) -> Result<(), String> {
    let mut acting: BTreeMap<(Tp, i32), BrokerId> = BTreeMap::new();
    for (b, tp, r) in replicas(c).filter(|(b, _, r)| r.vol.is_leader && c.broker_up(b.id)) {
        let epoch = r.vol.leader_epoch;
        if let Some(other) = acting.insert((*tp, epoch), b.id) {
            return Err(format!("{} epoch {epoch} led by {other} and {}", label(c, tp), b.id));
        }
        if let Some(elected) = c.ctl.epoch_leaders.get(&(*tp, epoch)).filter(|e| **e != b.id) {
            return Err(format!("{} epoch {epoch} elected {elected} but {} acts as leader", label(c, tp), b.id));
        }
    }
    Ok(())
}

/// `HwWithinIsrLeo`, each replica's part: its HW is at most its own LEO.
fn hw_within_own_leo(c: &Cluster) -> Result<(), String> {
    match replicas(c).find(|(_, _, r)| r.log.high_watermark > r.log.log_end_offset) {
        Some((b, tp, r)) => Err(format!("broker {} {} HW {} > LEO {}", b.id, label(c, tp), r.log.high_watermark, r.log.log_end_offset)),
        None => Ok(()),
    }
}

/// `DenseOffsets`: batches in offset order, never overlapping, contiguous from the log start
/// offset except below the partition's compaction point, where cleaned-away batches leave gaps.
fn dense_offsets(c: &Cluster) -> Result<(), String> {
    for (b, tp, r) in replicas(c) {
        dense_log(&r.log, compacted_upto(c, tp)).map_err(|detail| format!("broker {} {} {detail}", b.id, label(c, tp)))?;
    }
    Ok(())
}

fn dense_log(log: &PartitionLog, compacted_upto: i64) -> Result<(), String> {
    let mut next = None;
    for bt in log.all_batches() {
        if let Some(n) = next {
            if bt.base_offset < n || (bt.base_offset > n && bt.base_offset > compacted_upto) {
                return Err(format!("gap/overlap at {} (expected {n})", bt.base_offset));
            }
        } else if bt.base_offset > log.log_start_offset && bt.base_offset > compacted_upto {
            return Err(format!("first batch {} above log start {}", bt.base_offset, log.log_start_offset));
        }
        next = Some(bt.next_offset());
    }
    // A truncation point inside a compacted stretch leaves the LEO past the last batch.
    let end = next.unwrap_or(log.log_end_offset);
    if end != log.log_end_offset && !(end < log.log_end_offset && log.log_end_offset <= compacted_upto) {
        return Err(format!("LEO {} != end of batches {}", log.log_end_offset, offset_or_none(next)));
    }
    Ok(())
}

/// `ReplicasAgreeBelowHw`: below its own HW every replica holds exactly the committed batches
/// (compaction and retention allowances aside), unless an unclean election tainted it.
fn replicas_agree_below_hw(c: &Cluster) -> Result<(), String> {
    if !c.track_invariants {
        return Ok(());
    }
    for (b, tp, r) in replicas(c).filter(|(b, tp, _)| !c.unclean_tainted.contains(&(**tp, b.id))) {
        let Some(ledger) = c.ledger.get(tp) else { continue };
        let hw = r.log.high_watermark;
        agrees_with_ledger(ledger, &r.log, hw, compacted_upto(c, tp)).map_err(|detail| format!("broker {} {} HW {hw}: {detail}", b.id, label(c, tp)))?;
    }
    Ok(())
}

/// Every partition's acting leader as the controller elected it: (tp, leader, its replica,
/// the partition's metadata). Leaders that are down or not (yet) acting in the elected epoch
/// are skipped.
fn acting_leaders(c: &Cluster) -> impl Iterator<Item = (Tp, BrokerId, &Replica, &PartitionMeta)> {
    let parts = c.ctl.topics.values().flat_map(|t| t.partitions.iter().enumerate().map(move |(p, pm)| (Tp { topic: t.idx, partition: p as i32 }, pm)));
    parts.filter_map(move |(tp, pm)| {
        let l = pm.leader?;
        let lr = c.brokers.get(&l)?.replicas.get(&tp)?;
        (c.broker_up(l) && lr.vol.is_leader && lr.vol.leader_epoch == pm.leader_epoch).then_some((tp, l, lr, pm))
    })
}

/// `HwWithinIsrLeo`, the leader's part: its HW is at most the LEO of every ISR member.
fn hw_within_isr_leo(c: &Cluster) -> Result<(), String> {
    for (tp, l, lr, pm) in acting_leaders(c) {
        for m in &pm.isr {
            let Some(mr) = c.brokers.get(m).and_then(|b| b.replicas.get(&tp)) else { continue };
            if lr.log.high_watermark > mr.log.log_end_offset {
                return Err(format!("{}: leader {l} HW {} > LEO {} of ISR member {m}", label(c, &tp), lr.log.high_watermark, mr.log.log_end_offset));
            }
        }
    }
    Ok(())
}

/// `CommittedNeverChanges`: the acting leader holds every committed batch (the ledger), the same
/// object at the same offset, with the compaction and retention allowances.
fn committed_never_changes(c: &Cluster) -> Result<(), String> {
    if !c.track_invariants {
        return Ok(());
    }
    for (tp, l, lr, _) in acting_leaders(c) {
        let Some(ledger) = c.ledger.get(&tp) else { continue };
        agrees_with_ledger(ledger, &lr.log, i64::MAX, compacted_upto(c, &tp)).map_err(|detail| format!("{}: leader {l}: {detail}", label(c, &tp)))?;
    }
    Ok(())
}

/// `CleanerKeepsLatestPerKey`, the observer check the Cluster runs after each cleaning pass of
/// broker `b`'s replica of `tp`: for every key, the last committed record of that key below the
/// cleaner point (and at or above the log start offset) is still held, or a newer record of the
/// key is, unless it is a tombstone (which may go after its horizon).
pub(crate) fn cleaner_keeps_latest_per_key(c: &Cluster, b: BrokerId, tp: Tp, cleaner_point: i64) -> Option<Violation> {
    let ledger = c.ledger.get(&tp)?;
    let log = &c.brokers.get(&b)?.replicas.get(&tp)?.log;
    let latest = latest_committed_per_key(ledger, log, cleaner_point);
    // The newest offset the replica holds per key (anywhere in its log): a replica that
    // copied an already-compacted leader may lack the record itself but then holds a newer one.
    let held_pairs = log.records_from(log.log_start_offset, log.log_end_offset).filter_map(|r| r.key.map(|k| (k, r.offset))).collect();
    let newest_held = last_per_key(held_pairs);
    let held = |k: &[u8]| newest_held.binary_search_by(|e| e.0.cmp(k)).ok().map(|i| newest_held[i].1);
    let (k, offset) = latest.into_iter().find(|(k, (offset, tombstone))| !tombstone && held(k).is_none_or(|h| h < *offset)).map(|(k, (o, _))| (k, o))?;
    Some(Violation {
        property: "CleanerKeepsLatestPerKey",
        detail: format!(
            "broker {b} {}: latest record of key '{}' at offset {offset} (below cleaner point {cleaner_point}) was removed; the newest it holds is {}",
            label(c, &tp),
            String::from_utf8_lossy(k),
            offset_or_none(held(k))
        ),
    })
}

/// Per key, the last committed record below `cleaner_point` that the log still has to account
/// for: (offset, is a tombstone), ascending by key. Aborted records are never the latest of
/// their key (the cleaner removes them).
fn latest_committed_per_key<'a>(ledger: &'a [Rc<Batch>], log: &PartitionLog, cleaner_point: i64) -> Vec<(&'a [u8], (i64, bool))> {
    // Per-record keys can be many (thousands): sorted vectors rather than a map, and no
    // B-tree code in the bundle.
    let mut latest = Vec::new();
    for bt in ledger.iter().take_while(|bt| bt.base_offset < cleaner_point).filter(|bt| !log.is_aborted_data(bt)) {
        for r in bt.records().filter(|r| r.offset < cleaner_point && r.offset >= log.log_start_offset) {
            if let Some(k) = r.key {
                latest.push((k, (r.offset, r.value.is_none())));
            }
        }
    }
    last_per_key(latest)
}

/// `pairs` (in offset order) reduced to the last pair of each key, ascending by key: what
/// inserting them one by one into an ordered map would leave. A stable sort by key keeps each
/// key's pairs in offset order, so the last of a run is the newest.
fn last_per_key<T>(mut pairs: Vec<(&[u8], T)>) -> Vec<(&[u8], T)> {
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let mut out: Vec<(&[u8], T)> = Vec::with_capacity(pairs.len());
    for pair in pairs {
        match out.last_mut() {
            Some(last) if last.0 == pair.0 => *last = pair,
            _ => out.push(pair),
        }
    }
    debug_assert!(out.windows(2).all(|w| w[0].0 < w[1].0), "strictly ascending keys");
    out
}

/// Compares a replica's log with the committed ledger for the batches that end at or below
/// `upto`: each must be held as the same object; below `compacted_upto` a cleaned copy (same
/// span, a subset of the records with identical content) or no batch at all is allowed, and
/// below the log start offset nothing is required. Batches the ledger does not know may not
/// appear in that range either.
fn agrees_with_ledger(ledger: &[Rc<Batch>], log: &PartitionLog, upto: i64, compacted_upto: i64) -> Result<(), String> {
    let mut it = log.all_batches().peekable();
    for committed in ledger {
        if committed.next_offset() > upto {
            break;
        }
        if committed.next_offset() <= log.log_start_offset {
            while it.peek().is_some_and(|b| b.next_offset() <= committed.next_offset()) {
                it.next();
            }
            continue;
        }
        let cleanable = committed.next_offset() <= compacted_upto;
        match it.peek() {
            Some(bt) if Rc::ptr_eq(bt, committed) => {
                it.next();
            }
            Some(bt) if bt.base_offset < committed.base_offset => {
                return Err(format!("holds batch {}..{} the ledger does not have", bt.base_offset, bt.next_offset()));
            }
            Some(bt) if bt.base_offset == committed.base_offset && cleanable => {
                if bt.next_offset() != committed.next_offset() {
                    return Err(format!("cleaned batch at {} changed its span", bt.base_offset));
                }
                // Every record still held equals the committed record at that offset.
                let mut theirs = committed.records();
                for r in bt.records() {
                    if !theirs.by_ref().any(|c| c == r) {
                        return Err(format!("offset {} differs from the committed record", r.offset));
                    }
                }
                it.next();
            }
            // Wholly removed by the cleaner: allowed below the compaction point.
            _ if cleanable => {}
            other => {
                return Err(format!("disagrees at offset {} (has {})", committed.base_offset, offset_or_none(other.map(|b| b.base_offset))));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;
    use crate::engine::controller::NewTopic;
    use crate::engine::producer::state::{ProducerConfig, ProducerRecord};

    /// Three brokers, topic `t` (one partition, RF 3) holding `batches` one-record batches,
    /// replicated everywhere; and the partition.
    fn cluster(batches: usize) -> (Cluster, Tp) {
        let mut c = Cluster::new(ClusterConfig::new(3, 5)).expect("valid");
        c.create_topic(NewTopic::new("t", 1, 3)).expect("created");
        c.advance(3_000);
        let p = c.create_producer(ProducerConfig::default()).expect("producer");
        for i in 0..batches {
            c.send(p, ProducerRecord::new("t", Some(b"k"), Some(format!("v{i}").as_bytes()))).expect("sent");
            c.flush(p).expect("flushed");
        }
        c.advance(3_000);
        assert_eq!(c.check_invariants(), Ok(()), "the untouched cluster holds every property");
        let tp = Tp { topic: c.ctl.by_name["t"], partition: 0 };
        (c, tp)
    }

    fn replica(c: &mut Cluster, b: BrokerId, tp: Tp) -> &mut Replica {
        c.brokers.get_mut(&b).and_then(|br| br.replicas.get_mut(&tp)).expect("every broker holds t-0")
    }

    #[test]
    fn a_replica_hw_past_its_own_leo_breaks_hw_within_isr_leo() {
        let (mut c, tp) = cluster(0);
        replica(&mut c, 2, tp).log.high_watermark = 1;
        assert_eq!(c.check_invariants(), Err(Violation { property: "HwWithinIsrLeo", detail: "broker 2 t-0 HW 1 > LEO 0".into() }));
    }

    /// Two followers acting as leaders of an epoch nobody was elected for, then one acting in the
    /// elected leader's epoch: both break OneLeaderPerEpoch (brokers are checked in id order).
    #[test]
    fn two_replicas_leading_one_epoch_break_one_leader_per_epoch() {
        let (mut c, tp) = cluster(0);
        let pm = &c.ctl.topics[&tp.topic].partitions[0];
        let (leader, epoch) = (pm.leader.expect("elected"), pm.leader_epoch);
        let f: Vec<BrokerId> = (1..=3).filter(|b| *b != leader).collect();
        for b in &f {
            let r = replica(&mut c, *b, tp);
            (r.vol.is_leader, r.vol.leader_epoch) = (true, epoch + 1);
        }
        let next = epoch + 1;
        assert_eq!(c.check_invariants(), Err(Violation { property: "OneLeaderPerEpoch", detail: format!("t-0 epoch {next} led by {} and {}", f[0], f[1]) }));
        replica(&mut c, f[1], tp).vol.is_leader = false;
        replica(&mut c, f[0], tp).vol.leader_epoch = epoch;
        let detail = if f[0] < leader { format!("t-0 epoch {epoch} elected {leader} but {} acts as leader", f[0]) } else { format!("t-0 epoch {epoch} led by {leader} and {}", f[0]) };
        assert_eq!(c.check_invariants(), Err(Violation { property: "OneLeaderPerEpoch", detail }));
    }

    /// A follower missing its first batch breaks DenseOffsets, which is reported before the
    /// disagreement with the ledger it also is.
    #[test]
    fn a_missing_first_batch_breaks_dense_offsets_first() {
        let (mut c, tp) = cluster(2);
        let leader = c.ctl.topics[&tp.topic].partitions[0].leader.expect("elected");
        let follower = (1..=3).find(|b| *b != leader).expect("a follower");
        replica(&mut c, follower, tp).log.segments[0].batches.remove(0);
        assert_eq!(c.check_invariants(), Err(Violation { property: "DenseOffsets", detail: format!("broker {follower} t-0 first batch 1 above log start 0") }));
    }

    /// The leader losing a committed batch (a new object in its place, same bytes) is caught by
    /// the ledger checks: ReplicasAgreeBelowHw for its own replica, CommittedNeverChanges for
    /// the partition's leader (alone once the replica is exempt, as after an unclean election).
    #[test]
    fn a_leader_replacing_a_committed_batch_breaks_the_ledger_properties() {
        let (mut c, tp) = cluster(2);
        let leader = c.ctl.topics[&tp.topic].partitions[0].leader.expect("elected");
        let batches = &mut replica(&mut c, leader, tp).log.segments[0].batches;
        let b = &batches[1];
        let copy = Batch { base_offset: b.base_offset, leader_epoch: b.leader_epoch, last_offset_delta: b.last_offset_delta, log_append_time_ms: b.log_append_time_ms, delete_horizon_ms: b.delete_horizon_ms, data: b.data.clone() };
        batches[1] = Rc::new(copy);
        let detail = "disagrees at offset 1 (has 1)";
        assert_eq!(c.check_invariants(), Err(Violation { property: "ReplicasAgreeBelowHw", detail: format!("broker {leader} t-0 HW 2: {detail}") }));
        c.unclean_tainted.insert((tp, leader));
        assert_eq!(c.check_invariants(), Err(Violation { property: "CommittedNeverChanges", detail: format!("t-0: leader {leader}: {detail}") }));
        c.track_invariants = false;
        assert_eq!(c.check_invariants(), Ok(()), "without the ledger only the structural properties run");
    }

    /// A violation an observer check recorded (CleanerKeepsLatestPerKey) is reported first.
    #[test]
    fn a_recorded_violation_comes_before_the_properties() {
        let (mut c, tp) = cluster(0);
        replica(&mut c, 1, tp).log.high_watermark = 1;
        c.violations.push(Violation { property: "CleanerKeepsLatestPerKey", detail: "x".into() });
        assert_eq!(c.check_invariants().map_err(|v| v.property), Err("CleanerKeepsLatestPerKey"));
    }
}
