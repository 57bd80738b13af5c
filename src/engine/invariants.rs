//! Named safety properties checked by tests after every event.
//!
//! - `OneLeaderPerEpoch`: no two brokers act as leader of a partition in the same leader epoch,
//!   and whoever acts as leader in epoch e is the broker the controller elected for e.
//! - `HwWithinIsrLeo`: a leader's high watermark is <= the LEO of every ISR member, and every
//!   replica's HW is <= its own LEO.
//! - `DenseOffsets`: batches in every replica's log are contiguous from the log start offset.
//! - `CommittedNeverChanges`: every batch ever below a leader's HW (the ledger) is still, the
//!   same object, at the same offset on the current leader (reset only by unclean elections).
//! - `ReplicasAgreeBelowHw`: below its own HW, every replica holds exactly the committed batches.

use super::cluster::*;
use std::collections::BTreeMap;
use std::rc::Rc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub property: &'static str,
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.property, self.detail)
    }
}

impl Cluster {
    /// Checks every named property; the first violation found is returned.
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
                    return v("OneLeaderPerEpoch", format!("{tp:?} epoch {} led by {other} and {}", r.vol.leader_epoch, b.id));
                }
                if let Some(elected) = self.ctl.epoch_leaders.get(&key) {
                    if *elected != b.id {
                        return v("OneLeaderPerEpoch", format!("{tp:?} epoch {} elected {elected} but {} acts as leader", r.vol.leader_epoch, b.id));
                    }
                }
            }
        }
        for b in self.brokers.values() {
            for (tp, r) in &b.replicas {
                let log = &r.log;
                if log.high_watermark > log.log_end_offset {
                    return v("HwWithinIsrLeo", format!("broker {} {tp:?} HW {} > LEO {}", b.id, log.high_watermark, log.log_end_offset));
                }
                // DenseOffsets
                let mut next = None;
                for bt in log.all_batches() {
                    if let Some(n) = next {
                        if bt.base_offset != n {
                            return v("DenseOffsets", format!("broker {} {tp:?} gap/overlap at {} (expected {n})", b.id, bt.base_offset));
                        }
                    } else if bt.base_offset > log.log_start_offset {
                        return v("DenseOffsets", format!("broker {} {tp:?} first batch {} above log start {}", b.id, bt.base_offset, log.log_start_offset));
                    }
                    next = Some(bt.next_offset());
                }
                if next.unwrap_or(log.log_end_offset) != log.log_end_offset {
                    return v("DenseOffsets", format!("broker {} {tp:?} LEO {} != end of batches {:?}", b.id, log.log_end_offset, next));
                }
                if !self.track_invariants || self.unclean_tainted.contains(&(*tp, b.id)) {
                    continue;
                }
                // ReplicasAgreeBelowHw
                if let Some(ledger) = self.ledger.get(tp) {
                    let mut it = log.all_batches();
                    for committed in ledger {
                        if committed.next_offset() > log.high_watermark {
                            break;
                        }
                        match it.next() {
                            Some(bt) if Rc::ptr_eq(bt, committed) => {}
                            other => {
                                return v(
                                    "ReplicasAgreeBelowHw",
                                    format!("broker {} {tp:?} HW {} disagrees at offset {} (has {:?})", b.id, log.high_watermark, committed.base_offset, other.map(|b| b.base_offset)),
                                )
                            }
                        }
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
                        let mut it = lr.log.all_batches();
                        for committed in ledger {
                            match it.next() {
                                Some(bt) if Rc::ptr_eq(bt, committed) => {}
                                other => {
                                    return v(
                                        "CommittedNeverChanges",
                                        format!("{}-{p}: leader {l} lost committed batch at offset {} (has {:?})", t.name, committed.base_offset, other.map(|b| b.base_offset)),
                                    )
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Number of committed (ledger) records of a partition, for tests.
    pub fn committed_end_offset(&self, topic: &str, partition: i32) -> Option<i64> {
        let idx = *self.ctl.by_name.get(topic)?;
        Some(self.ledger.get(&Tp { topic: idx, partition }).and_then(|l| l.last()).map_or(0, |b| b.next_offset()))
    }
}
