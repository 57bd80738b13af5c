//! The UI's observer of the cluster: fed once per learner action, it keeps what every view needs.
//!
//! [`Watch::observe`] takes a [`Snapshot`], diffs it against the previous one, appends the
//! notable changes (and consumer groups' rebalances, from [`GroupsWatch`]) to a bounded log
//! ("what just happened"), picks a bounded number of replication
//! flows to animate, and runs the invariant [`Monitor`]. Views read the results as `Rc`s that only
//! change when their content does, so an unchanged panel is not rendered again.
//!
//! After a replay (undo, load) there is no meaningful "before": [`Watch::observe`] with `fresh`
//! takes the snapshot as the new baseline and clears the log and the monitor's history.

use std::collections::VecDeque;
use std::rc::Rc;

use super::ghosts::Ghosts;
use super::groups::{GroupsView, GroupsWatch};
use super::monitor::Monitor;
use super::rereads::Rereads;
use super::snapshot::{diff, Change, Snapshot};
use crate::engine::{BrokerId, Cluster};

/// Changes kept in the "what just happened" log.
pub const LOG_ENTRIES_MAX: usize = 200;
/// Replication flows animated per action (the busiest partitions first).
pub const FLOWS_PER_ACTION_MAX: usize = 12;
/// Actions whose flows stay on screen (an animation outlives the next play tick).
pub const FLOW_GENERATIONS: u64 = 3;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    /// Unique and increasing: the DOM key. The log shows newest first, so without a key every
    /// row's text would change when one entry arrives (40 rows rewritten per new event).
    pub seq: u64,
    pub at_ms: i64,
    pub change: Change,
}

/// Records flowing from a leader to a follower, to animate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// Unique and increasing: the DOM key, so a new flow is a new element and animates once.
    pub seq: u64,
    pub generation: u64,
    pub topic: Rc<str>,
    pub partition: i32,
    pub from: BrokerId,
    pub to: BrokerId,
    pub records: i64,
}

#[derive(Debug, Default)]
pub struct Watch {
    snapshot: Rc<Snapshot>,
    log: Rc<VecDeque<Logged>>,
    flows: Rc<Vec<Flow>>,
    monitor: Monitor,
    ghosts: Ghosts,
    groups: GroupsWatch,
    rereads: Rereads,
    generation: u64,
    next_flow: u64,
    next_logged: u64,
    /// Bumped whenever anything a view shows changed.
    revision: u64,
}

impl Watch {
    pub fn new(cluster: &Cluster) -> Watch {
        let mut w = Watch::default();
        w.observe(cluster, true);
        w
    }

    /// Looks at the cluster after an action. `fresh`: the session was rebuilt (undo, load,
    /// reset), so there is nothing to compare with.
    pub fn observe(&mut self, cluster: &Cluster, fresh: bool) {
        let snapshot = Snapshot::capture(cluster);
        self.generation += 1;
        let changes = if fresh {
            self.monitor.reset();
            self.ghosts.reset();
            if !self.log.is_empty() {
                self.log = Rc::new(VecDeque::new());
            }
            Vec::new()
        } else {
            diff(&self.snapshot, &snapshot)
        };
        self.monitor.observe(&snapshot, &changes, cluster.check_invariants());
        self.ghosts.observe(cluster, &snapshot);

        // Consumer groups: read-only (no simulated time passes), rebalances into the log too.
        let group_changes = self.groups.observe(cluster, &snapshot, fresh);
        self.rereads.observe(cluster, fresh);
        let group_changes: Vec<Change> = group_changes.into_iter().map(Change::Group).collect();
        let notable: Vec<&Change> = changes.iter().chain(group_changes.iter()).filter(|c| !c.is_traffic()).collect();
        if !notable.is_empty() {
            let log = Rc::make_mut(&mut self.log);
            for change in notable {
                if log.len() >= LOG_ENTRIES_MAX {
                    log.pop_front();
                }
                log.push_back(Logged { seq: self.next_logged, at_ms: snapshot.now_ms, change: change.clone() });
                self.next_logged += 1;
            }
        }

        let oldest = self.generation.saturating_sub(FLOW_GENERATIONS - 1);
        let mut flows: Vec<Flow> = self.flows.iter().filter(|f| f.generation >= oldest).cloned().collect();
        let mut traffic: Vec<&Change> = changes.iter().filter(|c| matches!(c, Change::Replicated { .. })).collect();
        // Busiest first; the sort is stable, so ties keep topic and partition order.
        traffic.sort_by_key(|c| match c {
            Change::Replicated { records, .. } => std::cmp::Reverse(*records),
            _ => std::cmp::Reverse(0),
        });
        for c in traffic.into_iter().take(FLOWS_PER_ACTION_MAX) {
            if let Change::Replicated { topic, partition, leader, follower, records } = c {
                flows.push(Flow {
                    seq: self.next_flow,
                    generation: self.generation,
                    topic: topic.clone(),
                    partition: *partition,
                    from: *leader,
                    to: *follower,
                    records: *records,
                });
                self.next_flow += 1;
            }
        }
        debug_assert!(flows.len() <= FLOWS_PER_ACTION_MAX * FLOW_GENERATIONS as usize);
        if *self.flows != flows {
            self.flows = Rc::new(flows);
        }
        if *self.snapshot != snapshot {
            self.snapshot = Rc::new(snapshot);
        }
        self.revision += 1;
    }

    pub fn snapshot(&self) -> Rc<Snapshot> {
        self.snapshot.clone()
    }

    pub fn log(&self) -> Rc<VecDeque<Logged>> {
        self.log.clone()
    }

    pub fn flows(&self) -> Rc<Vec<Flow>> {
        self.flows.clone()
    }

    pub fn groups(&self) -> Rc<GroupsView> {
        self.groups.view()
    }

    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }

    /// Records groups read more than once.
    pub fn rereads(&self) -> &Rereads {
        &self.rereads
    }

    pub fn ghosts(&self) -> &Ghosts {
        &self.ghosts
    }

    pub fn ghosts_mut(&mut self) -> &mut Ghosts {
        &mut self.ghosts
    }

    pub fn monitor_mut(&mut self) -> &mut Monitor {
        &mut self.monitor
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }
}
