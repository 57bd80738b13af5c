//! Records a consumer group read more than once: after a rebalance that came before a commit
//! (the partition's new owner starts again from the last committed offset), after a reset of the
//! group's offsets to an earlier one, or after a consumer of a group that commits nothing starts
//! again from the log's start. The log view marks those cells ("read twice").
//!
//! The engine does not report what each poll returned, so this is read from what the views can
//! see after every action: each open consumer's position on each partition it owns, and each
//! group's committed offsets. Per group and partition it keeps the *frontier* (the end of what
//! the group is known to have read) and each consumer's last position; a reader's new stretch
//! `[start, position)` that starts below the frontier was read before. `start` is the consumer's
//! previous position, or for a reader not seen before the group's committed offset at the
//! previous look (where a newly assigned member starts). A reader not seen before, with no
//! committed offset, read from the log start if its position is still below the frontier
//! (`auto.offset.reset=latest` would have put it at or past it); otherwise where it started is
//! unknown and nothing is marked: a mark is never a guess.
//!
//! Bounded: at most [`RANGES_MAX`] ranges per group and partition (adjacent ones merged, the
//! oldest dropped); consumers are forgotten when they no longer own the partition. Work per
//! action grows with the consumers' assignments and the groups' committed offsets, never with
//! the records.
//!
//! Pure (no DOM): only `crate::engine` and the groups view; `tests/ui_model.rs` runs it natively.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::groups::{GroupsView, PartitionKey};
use super::snapshot::Snapshot;
use crate::engine::{Cluster, ConsumerId, GroupState};

/// Ranges of twice-read offsets kept per group and partition.
pub const RANGES_MAX: usize = 16;

/// One group's reading of one partition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Reading {
    /// The end of what the group is known to have read (exclusive).
    frontier: Option<i64>,
    /// The committed offset at the last look.
    committed: Option<i64>,
    /// Each consumer's position at the last look.
    positions: BTreeMap<ConsumerId, i64>,
    /// Offsets read at least twice, as sorted, disjoint `[from, to)` ranges.
    twice: Vec<(i64, i64)>,
    /// The group's generation (0 before any member joined) and whether it had no member, at
    /// the last look.
    generation: i32,
    empty: bool,
}

/// What one look shows of a group on a partition.
struct Look {
    generation: i32,
    /// No member, no rebalance going on.
    empty: bool,
    committed: Option<i64>,
    log_start: i64,
}

impl Reading {
    /// Takes in one look: the commits first (a member that came and went within one action is
    /// seen only through them), then each reader seen.
    fn look(&mut self, now: Look, readers: &[(ConsumerId, i64)]) {
        let previous = self.committed;
        // A member joined since the last look (the generation moved): commits are reading. With
        // the same generation and no member, a commit is the tool's reset, which reads nothing.
        let joined = self.generation != now.generation;
        if let (Some(frontier), Some(before), Some(after), true) = (self.frontier, previous, now.committed, joined && self.empty) {
            // The group was empty: whoever read since started at its committed offset.
            self.add_twice(before, after.min(frontier));
        }
        if let Some(after) = now.committed.filter(|_| joined || !now.empty) {
            self.frontier = Some(self.frontier.map_or(after, |f| f.max(after)));
        }
        self.positions.retain(|c, _| readers.iter().any(|(r, _)| r == c));
        for (c, position) in readers {
            self.reader(*c, *position, (previous, now.committed), now.log_start);
        }
        self.committed = now.committed;
        self.generation = now.generation;
        self.empty = now.empty;
    }

    fn add_twice(&mut self, from: i64, to: i64) {
        if from >= to {
            return;
        }
        self.twice.push((from, to));
        self.twice.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(self.twice.len());
        for (a, b) in self.twice.drain(..) {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        let excess = merged.len().saturating_sub(RANGES_MAX);
        merged.drain(..excess);
        self.twice = merged;
    }

    /// A consumer of the group at `position` now; the group's committed offset at the previous
    /// look and now; `log_start` of the partition.
    fn reader(&mut self, consumer: ConsumerId, position: i64, committed: (Option<i64>, Option<i64>), log_start: i64) {
        let start = match self.positions.get(&consumer) {
            // Moved back (a reset or a new assignment between two looks): what it read since is
            // unknown until the next look.
            Some(before) => Some(*before).filter(|b| *b <= position),
            None => self.frontier.and_then(|f| new_reader_start(position, f, committed, log_start)),
        };
        if let (Some(start), Some(frontier)) = (start, self.frontier) {
            self.add_twice(start, position.min(frontier));
        }
        self.positions.insert(consumer, position);
        self.frontier = Some(self.frontier.map_or(position, |f| f.max(position)));
    }
}

/// Where a consumer not seen before certainly started reading, as far as a mark may say: a new
/// owner starts at the group's committed offset (the later one if a commit came between two
/// looks: it may be the old owner's last); without a commit, `auto.offset.reset` decides, and
/// only a position still below the `frontier` rules out `latest`.
fn new_reader_start(position: i64, frontier: i64, committed: (Option<i64>, Option<i64>), log_start: i64) -> Option<i64> {
    match committed {
        (Some(before), Some(now)) => Some(before.max(now)),
        (Some(before), None) => Some(before),
        (None, Some(now)) => (position < frontier).then_some(now),
        (None, None) => (position < frontier).then_some(log_start),
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
    /// Looks at the groups after an action. `fresh`: the session was rebuilt (start over).
    pub fn observe(&mut self, cluster: &Cluster, snapshot: &Snapshot, groups: &GroupsView, fresh: bool) {
        let mut old = if fresh { BTreeMap::new() } else { std::mem::take(&mut self.readings) };
        let mut seen = readers(cluster, groups);
        for g in &groups.groups {
            let empty = g.members.is_empty() && g.state == GroupState::Empty;
            for row in &g.partitions {
                let key = (g.id.clone(), (row.topic.clone(), row.partition));
                let readers = seen.remove(&key).unwrap_or_default();
                let mut reading = old.remove(&key).unwrap_or_default();
                let log_start = snapshot
                    .partition(&row.topic, row.partition)
                    .and_then(|p| p.leader.and_then(|l| p.marks_of(l)))
                    .map_or(0, |m| m.log_start);
                reading.look(Look { generation: g.generation, empty, committed: row.committed, log_start }, &readers);
                self.readings.insert(key, reading);
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

/// Each open consumer's position on each partition it owns, by group and partition.
fn readers(cluster: &Cluster, groups: &GroupsView) -> BTreeMap<(Rc<str>, PartitionKey), Vec<(ConsumerId, i64)>> {
    let mut seen: BTreeMap<(Rc<str>, PartitionKey), Vec<(ConsumerId, i64)>> = BTreeMap::new();
    for c in cluster.consumer_ids() {
        let Some(info) = cluster.consumer_info(c) else { continue };
        let Some(group) = info.group_id.as_deref().and_then(|g| groups.group(g)) else { continue };
        for tp in &info.assignment {
            let Some(position) = cluster.position(c, tp) else { continue };
            let key = (group.id.clone(), (Rc::from(tp.topic.as_str()), tp.partition));
            seen.entry(key).or_default().push((c, position));
        }
    }
    seen
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
    fn a_new_reader_is_marked_only_where_its_start_is_certain() {
        // Committed at both looks: the later commit is the surest start.
        assert_eq!(new_reader_start(9, 10, (Some(2), Some(4)), 0), Some(4));
        // No commit: below the frontier it must have started at the log start (not latest).
        assert_eq!(new_reader_start(3, 10, (None, None), 1), Some(1));
        // No commit and at or past the frontier: it may have started at the end: unknown.
        assert_eq!(new_reader_start(10, 10, (None, None), 0), None);
        assert_eq!(new_reader_start(12, 10, (None, Some(12)), 0), None);
    }
}
