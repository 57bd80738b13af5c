//! The invariant monitor: after every learner action, the engine's safety properties
//! (`Cluster::check_invariants`) and a detector of acknowledged records that disappeared.
//!
//! The detector needs nothing from the engine beyond the snapshot: per partition (per topic id,
//! so a re-created topic starts over) it remembers the highest high watermark ever seen. Records
//! below a high watermark are on every ISR member and were acknowledged to `acks=all` producers;
//! if the partition's leader later has a log end below that mark, those records are gone. That
//! is expected after an unclean leader election, never otherwise. With `acks=1`, records above the
//! high watermark may have been acknowledged too and can vanish without any high watermark
//! going back, so this detector cannot see that case: the explanation says so.
//!
//! Pure (no DOM); the alarm panel renders [`Monitor::alarm`] and [`Monitor::losses`].

use std::collections::VecDeque;

use std::collections::BTreeMap;
use std::rc::Rc;

use super::snapshot::{Change, Snapshot};
use crate::engine::Violation;

/// Losses kept for the alarm panel (oldest dropped first).
pub const LOSSES_MAX: usize = 20;

/// Why the properties matter, and when breaking them is expected (shown under every alarm).
pub const EXPECTED_WHEN: &str = "Losing acknowledged records is expected with acks=1 (the leader \
acknowledges before any follower has a copy, so a leader crash can take them along) or after an \
unclean leader election (unclean.leader.election.enable=true lets an out-of-sync replica lead, and \
the other replicas truncate to its log). With acks=all, min.insync.replicas of 2 or more and clean \
elections it never happens.";

/// What a named engine property means, for the learner.
pub fn explain(property: &str) -> &'static str {
    match property {
        "OneLeaderPerEpoch" => "Two brokers acted as leader of one partition in the same leader epoch: both could accept \
            writes (split brain). Leader epochs and fencing exist to prevent exactly this; it must never happen.",
        "HwWithinIsrLeo" => "A high watermark got ahead of the log of an in-sync replica: consumers could read records \
            that not every ISR member holds, so a leader change could take them back.",
        "DenseOffsets" => "A replica's log has a gap or an overlap in its offsets: every offset from the log start to \
            the log end must be there exactly once.",
        "CommittedNeverChanges" => "A committed record (below the high watermark, acknowledged to acks=all producers) \
            disappeared or changed on the partition's leader.",
        "ReplicasAgreeBelowHw" => "Replicas diverged below their high watermark: they must hold exactly the same \
            committed records.",
        _ => "A safety property of the replication protocol does not hold.",
    }
}

/// An engine property that does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alarm {
    pub property: String,
    pub detail: String,
    pub explanation: &'static str,
    /// Simulated time the monitor first saw it.
    pub since_ms: i64,
}

/// Acknowledged records that are gone from a partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    pub topic: Rc<str>,
    pub partition: i32,
    /// Offsets `[from, to)` were below a high watermark and are no longer in the leader's log.
    pub from: i64,
    pub to: i64,
    pub at_ms: i64,
    /// An unclean election was seen on this partition in the same action.
    pub after_unclean_election: bool,
}

impl Loss {
    pub fn records(&self) -> i64 {
        self.to - self.from
    }

    pub fn describe(&self) -> String {
        let n = self.records();
        format!(
            "{}-{}: {n} acknowledged record{} lost (offsets {}..{}){}",
            self.topic,
            self.partition,
            if n == 1 { "" } else { "s" },
            self.from,
            self.to - 1,
            if self.after_unclean_election { " after an unclean leader election" } else { "" }
        )
    }
}

#[derive(Clone, Debug, Default)]
pub struct Monitor {
    /// (topic id, partition) -> the highest high watermark seen on its leader.
    hw_max: BTreeMap<(Rc<str>, i32), i64>,
    alarm: Option<Alarm>,
    losses: VecDeque<Loss>,
}

impl Monitor {
    /// Forgets what was seen (a replayed or loaded session starts its own history).
    pub fn reset(&mut self) {
        *self = Monitor::default();
    }

    /// Takes one action's outcome into account: the snapshot after it, what changed, and the
    /// engine's own check.
    pub fn observe(&mut self, snapshot: &Snapshot, changes: &[Change], check: Result<(), Violation>) {
        self.alarm = match check {
            Ok(()) => None,
            Err(v) => {
                let since_ms = match &self.alarm {
                    Some(a) if a.property == v.property => a.since_ms,
                    _ => snapshot.now_ms,
                };
                Some(Alarm { property: v.property.to_string(), detail: v.detail, explanation: explain(v.property), since_ms })
            }
        };
        let mut seen: BTreeMap<(Rc<str>, i32), i64> = BTreeMap::new();
        for t in &snapshot.topics {
            for p in &t.partitions {
                let key = (t.id.clone(), p.partition);
                let before = self.hw_max.get(&key).copied().unwrap_or(0);
                let leader = p.leader.and_then(|l| p.marks_of(l));
                let mut mark = before;
                if let Some(m) = leader {
                    if m.log_end < before {
                        let unclean = changes.iter().any(|c| {
                            matches!(c, Change::LeaderChanged { topic, partition, unclean: true, .. } if *topic == t.name && *partition == p.partition)
                        });
                        self.push_loss(Loss {
                            topic: t.name.clone(),
                            partition: p.partition,
                            from: m.log_end,
                            to: before,
                            at_ms: snapshot.now_ms,
                            after_unclean_election: unclean || p.recovering,
                        });
                        mark = m.log_end;
                    }
                    mark = mark.max(m.high_watermark);
                }
                seen.insert(key, mark);
            }
        }
        // Deleted topics are forgotten with their ids.
        self.hw_max = seen;
    }

    fn push_loss(&mut self, loss: Loss) {
        if self.losses.len() >= LOSSES_MAX {
            self.losses.pop_front();
        }
        self.losses.push_back(loss);
    }

    pub fn alarm(&self) -> Option<&Alarm> {
        self.alarm.as_ref()
    }

    pub fn losses(&self) -> impl Iterator<Item = &Loss> {
        self.losses.iter()
    }

    pub fn clear_losses(&mut self) {
        self.losses.clear();
    }
}
