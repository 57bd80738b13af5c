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
pub use super::violation::Violation;
use super::violation::offset_or_none;
use std::rc::Rc;

impl Cluster {
    /// Checks every named property; the first violation found is returned.
    /// `orders-0`: a partition as Kafka names it, for violation details.
    pub(crate) fn tp_label(&self, tp: &Tp) -> String {
        format!("{}-{}", self.topic_name(tp.topic), tp.partition)
    }

    pub fn check_invariants(&self) -> Result<(), Violation> {
        if let Some(v) = self.violations.first() {
            return Err(v.clone());
        }
        let v = |property: &'static str, detail: String| Err(Violation { property, detail });
        // OneLeaderPerEpoch
        let mut acting: BTreeMap<(Tp, i32), BrokerId> = BTreeMap::new();
        for b in self.brokers.values() {
            if !self.broker_up(b.id) {
                continue;
            }
            for (tp, r) in &b.replicas {
                if !r.vol.is_leader {
                    continue;
                }
                let key = (*tp, r.vol.leader_epoch);
                if let Some(other) = acting.insert(key, b.id) {
                    return v("OneLeaderPerEpoch", format!("{tpl} epoch {} led by {other} and {}", r.vol.leader_epoch, b.id, tpl = self.tp_label(tp)));
                }
                if let Some(elected) = self.ctl.epoch_leaders.get(&key) {
                    if *elected != b.id {
                        return v("OneLeaderPerEpoch", format!("{tpl} epoch {} elected {elected} but {} acts as leader", r.vol.leader_epoch, b.id, tpl = self.tp_label(tp)));
                    }
                }
            }
        }
        for b in self.brokers.values() {
            for (tp, r) in &b.replicas {
                let log = &r.log;
                if log.high_watermark > log.log_end_offset {
                    return v("HwWithinIsrLeo", format!("broker {} {tpl} HW {} > LEO {}", b.id, log.high_watermark, log.log_end_offset, tpl = self.tp_label(tp)));
                }
                // DenseOffsets
                let compacted_upto = self.cleaner.compacted_upto.get(tp).copied().unwrap_or(0);
                let mut next = None;
                for bt in log.all_batches() {
                    if let Some(n) = next {
                        if bt.base_offset < n || (bt.base_offset > n && bt.base_offset > compacted_upto) {
                            return v("DenseOffsets", format!("broker {} {tpl} gap/overlap at {} (expected {n})", b.id, bt.base_offset, tpl = self.tp_label(tp)));
                        }
                    } else if bt.base_offset > log.log_start_offset && bt.base_offset > compacted_upto {
                        return v("DenseOffsets", format!("broker {} {tpl} first batch {} above log start {}", b.id, bt.base_offset, log.log_start_offset, tpl = self.tp_label(tp)));
                    }
                    next = Some(bt.next_offset());
                }
                // A truncation point inside a compacted stretch leaves the LEO past the last batch.
                let end = next.unwrap_or(log.log_end_offset);
                if end != log.log_end_offset && !(end < log.log_end_offset && log.log_end_offset <= compacted_upto) {
                    return v("DenseOffsets", format!("broker {} {tpl} LEO {} != end of batches {}", b.id, log.log_end_offset, offset_or_none(next), tpl = self.tp_label(tp)));
                }
                if !self.track_invariants || self.unclean_tainted.contains(&(*tp, b.id)) {
                    continue;
                }
                // ReplicasAgreeBelowHw
                if let Some(ledger) = self.ledger.get(tp) {
                    if let Err(detail) = agrees_with_ledger(ledger, log, log.high_watermark, compacted_upto) {
                        return v("ReplicasAgreeBelowHw", format!("broker {} {tpl} HW {}: {detail}", b.id, log.high_watermark, tpl = self.tp_label(tp)));
                    }
                }
            }
        }
        // HwWithinIsrLeo (leader HW vs ISR members) and CommittedNeverChanges (leader holds ledger).
        for t in self.ctl.topics.values() {
            for (p, pm) in t.partitions.iter().enumerate() {
                let tp = Tp { topic: t.idx, partition: p as i32 };
                let Some(l) = pm.leader else { continue };
                let Some(lr) = self.brokers.get(&l).and_then(|b| b.replicas.get(&tp)) else { continue };
                if !self.broker_up(l) || !lr.vol.is_leader || lr.vol.leader_epoch != pm.leader_epoch {
                    continue;
                }
                for m in &pm.isr {
                    let Some(mr) = self.brokers.get(m).and_then(|b| b.replicas.get(&tp)) else { continue };
                    if lr.log.high_watermark > mr.log.log_end_offset {
                        return v("HwWithinIsrLeo", format!("{}-{p}: leader {l} HW {} > LEO {} of ISR member {m}", t.name, lr.log.high_watermark, mr.log.log_end_offset));
                    }
                }
                if self.track_invariants {
                    if let Some(ledger) = self.ledger.get(&tp) {
                        let compacted_upto = self.cleaner.compacted_upto.get(&tp).copied().unwrap_or(0);
                        if let Err(detail) = agrees_with_ledger(ledger, &lr.log, i64::MAX, compacted_upto) {
                            return v("CommittedNeverChanges", format!("{}-{p}: leader {l}: {detail}", t.name));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Number of committed (ledger) records of a partition, for tests.
    ///
    /// (The end offset of the committed ledger; compaction and retention do not change it.)
    pub fn committed_end_offset(&self, topic: &str, partition: i32) -> Option<i64> {
        let idx = *self.ctl.by_name.get(topic)?;
        Some(self.ledger.get(&Tp { topic: idx, partition }).and_then(|l| l.last()).map_or(0, |b| b.next_offset()))
    }
}

/// Compares a replica's log with the committed ledger for the batches that end at or below
/// `upto`: each must be held as the same object; below `compacted_upto` a cleaned copy (same
/// span, a subset of the records with identical content) or no batch at all is allowed, and
/// below the log start offset nothing is required. Batches the ledger does not know may not
/// appear in that range either.
fn agrees_with_ledger(ledger: &[Rc<super::log::Batch>], log: &super::log::PartitionLog, upto: i64, compacted_upto: i64) -> Result<(), String> {
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
