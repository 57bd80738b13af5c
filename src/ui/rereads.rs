//! Records a consumer group read more than once: after a rebalance that came before a commit
//! (the partition's new owner starts again from the last committed offset), after a reset of the
//! group's offsets to an earlier one, or after a consumer of a group that commits nothing starts
//! again from the log's start. The log view marks those cells ("read twice").
//!
//! The engine reports, per consumer and partition, the stretches of offsets its `poll` returned
//! (`Cluster::returned`, closed consumers included), so nothing here is guessed: per group and
//! partition this keeps what the group has read (by any of its consumers) and, per consumer, how
//! far into its stretches it has been looked at. A new stretch is marked where it overlaps what
//! the group had read before, then added to it. A consumer that started and finished within one
//! action is seen as well as one seen reading.
//!
//! Bounded: at most [`RANGES_MAX`] ranges of read and of twice-read offsets per group and
//! partition (adjacent ones merged, the lowest dropped), one mark per consumer and partition; the
//! engine keeps at most `RETURNED_RANGES_MAX` stretches per consumer and partition, so a consumer
//! that jumped about more often than that within one action is seen only by its newest ones.
//! Work per action grows with the consumers created, never with the records.
//!
//! Pure (no DOM): only `crate::engine` and the groups view; `tests/ui_model.rs` runs it natively.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::groups::PartitionKey;
use crate::engine::{Cluster, ConsumerId, Returned};

/// Ranges of read (and of twice-read) offsets kept per group and partition.
pub const RANGES_MAX: usize = 16;

/// One group's reading of one partition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Reading {
    /// Offsets the group's consumers returned, as sorted, disjoint `[from, to)` ranges.
    read: Vec<(i64, i64)>,
    /// Per consumer: the number of its stretches begun and the end of its newest, at the last look.
    seen: BTreeMap<ConsumerId, (u64, i64)>,
    /// Offsets read at least twice, as sorted, disjoint `[from, to)` ranges.
    twice: Vec<(i64, i64)>,
}

/// Adds `[from, to)` to sorted, disjoint `ranges`, merging, keeping at most [`RANGES_MAX`].
fn add_range(ranges: &mut Vec<(i64, i64)>, from: i64, to: i64) {
    if from >= to {
        return;
    }
    ranges.push((from, to));
    ranges.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges.drain(..) {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let excess = merged.len().saturating_sub(RANGES_MAX);
    merged.drain(..excess);
    *ranges = merged;
}

impl Reading {
    fn add_twice(&mut self, from: i64, to: i64) {
        add_range(&mut self.twice, from, to);
    }

    /// A stretch one consumer returned: marked where the group had read it already.
    fn stretch(&mut self, from: i64, to: i64) {
        let overlaps: Vec<(i64, i64)> = self.read.iter().map(|(a, b)| (from.max(*a), to.min(*b))).filter(|(a, b)| a < b).collect();
        for (a, b) in overlaps {
            self.add_twice(a, b);
        }
        add_range(&mut self.read, from, to);
    }

    /// Takes in what `consumer` returned so far: only the stretches (or the part of the newest
    /// one) not seen at the last look.
    fn consumer(&mut self, consumer: ConsumerId, returned: &Returned) {
        let (seen_started, seen_end) = self.seen.get(&consumer).copied().unwrap_or((0, i64::MIN));
        let first = returned.started - returned.ranges.len() as u64;
        for (i, (from, to)) in returned.ranges.iter().enumerate() {
            let number = first + i as u64 + 1;
            if number < seen_started {
                continue;
            }
            let from = if number == seen_started { (*from).max(seen_end) } else { *from };
            self.stretch(from, *to);
        }
        if let Some((_, end)) = returned.ranges.last() {
            self.seen.insert(consumer, (returned.started, *end));
        }
    }
}

/// A partition's twice-read offsets by group, for the log view.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Twice {
    /// (group, sorted `[from, to)` ranges).
    pub groups: Vec<(Rc<str>, Vec<(i64, i64)>)>,
}

impl Twice {
    /// The groups that read `offset` more than once.
    pub fn groups_at(&self, offset: i64) -> Vec<Rc<str>> {
        self.groups.iter().filter(|(_, ranges)| ranges.iter().any(|(a, b)| (*a..*b).contains(&offset))).map(|(g, _)| g.clone()).collect()
    }
}

#[derive(Debug, Default)]
pub struct Rereads {
    readings: BTreeMap<(Rc<str>, PartitionKey), Reading>,
}

impl Rereads {
    /// Looks at what the groups' consumers returned after an action. `fresh`: the session was
    /// rebuilt (start over). The snapshot and the groups view are not needed: the engine says it.
    pub fn observe(&mut self, cluster: &Cluster, fresh: bool) {
        if fresh {
            self.readings.clear();
        }
        for c in cluster.all_consumer_ids() {
            let Some(group) = cluster.consumer_info(c).and_then(|i| i.group_id) else { continue };
            let group: Rc<str> = Rc::from(group.as_str());
            for (tp, returned) in cluster.returned(c) {
                let key = (group.clone(), (Rc::from(tp.topic.as_str()), tp.partition));
                self.readings.entry(key).or_default().consumer(c, &returned);
            }
        }
    }

    /// What was read twice on one partition, by group.
    pub fn of(&self, topic: &str, partition: i32) -> Twice {
        let groups = self
            .readings
            .iter()
            .filter(|((_, (t, p)), r)| &**t == topic && *p == partition && !r.twice.is_empty())
            .map(|((g, _), r)| (g.clone(), r.twice.clone()))
            .collect();
        Twice { groups }
    }

    pub fn clear(&mut self) {
        self.readings.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn ranges_merge_and_stay_bounded() {
        let mut r = Reading::default();
        r.add_twice(3, 5);
        r.add_twice(1, 3);
        r.add_twice(4, 9);
        r.add_twice(7, 7);
        assert_eq!(r.twice, vec![(1, 9)], "adjacent and overlapping ranges merge; empty ones are dropped");
        for i in 0..(RANGES_MAX as i64 + 5) {
            r.add_twice(100 + 10 * i, 101 + 10 * i);
        }
        assert_eq!(r.twice.len(), RANGES_MAX);
        assert_eq!(r.twice.last(), Some(&(100 + 10 * (RANGES_MAX as i64 + 4), 101 + 10 * (RANGES_MAX as i64 + 4))), "the newest kept");
    }

    #[test]
    fn a_consumer_is_taken_in_once_per_stretch() {
        let mut r = Reading::default();
        let mut returned = Returned { ranges: vec![(0, 3)], started: 1 };
        r.consumer(1, &returned);
        returned.ranges = vec![(0, 5)];
        r.consumer(1, &returned);
        assert!(r.twice.is_empty(), "the same stretch going on reads nothing twice");
        // It sought back to 2 and read to 6; the oldest stretch was dropped by the engine.
        returned.ranges = vec![(2, 6)];
        returned.started = 2;
        r.consumer(1, &returned);
        assert_eq!(r.twice, vec![(2, 5)]);
        assert_eq!(r.read, vec![(0, 6)]);
        r.consumer(1, &returned);
        assert_eq!(r.twice, vec![(2, 5)], "looking again adds nothing");
    }
}
