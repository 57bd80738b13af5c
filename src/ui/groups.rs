//! The consumer groups view, as data: every group the coordinators hold, its members and their
//! partitions, each partition's committed offset against the high watermark (the lag), and the
//! lag over simulated time.
//!
//! Read-only: [`build`] uses [`Cluster::peek_groups`] (no FindCoordinator, no time passes) and the
//! consumers' own read accessors (`consumer_ids`, `consumer_info`, `position`), and takes the
//! high watermarks from the [`Snapshot`] the watch just captured, so looking never changes the
//! run. Lag is `high watermark - committed offset`, as `kafka-consumer-groups --describe`
//! computes it (its LOG-END-OFFSET is the latest offset a read_uncommitted consumer can see, the
//! high watermark); a partition without a commit has no lag (the tool prints `-`).
//!
//! [`GroupsWatch`] keeps the view and each group's [`LagHistory`] across actions, and says what
//! changed between two looks ([`GroupChange`]: a group appeared, a rebalance started or
//! completed, the group emptied or went away, its coordinator moved) for the "what just happened"
//! log.
//!
//! Bounded for 600 partitions: a history keeps at most [`LAG_SAMPLES_MAX`] samples, one per
//! [`LAG_SAMPLE_SPACING_MS`] of simulated time at most, and each sample is an `Rc` (a new sample
//! costs one allocation; the history is cloned as a vector of pointers). The view shows at most
//! [`PARTITION_ROWS_MAX`] partition rows (the laggiest when it folds) and the chart draws the
//! total and the [`CHART_TOP_PARTITIONS`] laggiest partitions.
//!
//! Pure (no DOM): only `crate::engine` and the snapshot are used, so `tests/ui_model.rs` runs it
//! natively.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::snapshot::Snapshot;
use crate::engine::{BrokerId, Cluster, GroupState, TopicPartition};

/// Samples kept per group for the lag chart.
pub const LAG_SAMPLES_MAX: usize = 120;
/// Simulated time between two kept samples (the newest sample always shows the present: it is
/// replaced until this much time has passed since the one before it).
pub const LAG_SAMPLE_SPACING_MS: i64 = 250;
/// Partition rows the groups panel lists per group; beyond this it lists the laggiest.
pub const PARTITION_ROWS_MAX: usize = 12;
/// Partitions drawn in the lag chart besides the total.
pub const CHART_TOP_PARTITIONS: usize = 3;
/// Characters of a member's assignment text.
pub const ASSIGNMENT_CHARS_MAX: usize = 160;

pub type PartitionKey = (Rc<str>, i32);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberView {
    pub member_id: String,
    pub client_id: String,
    pub host: String,
    /// Assigned partitions, by topic then partition.
    pub assignment: Vec<PartitionKey>,
}

impl MemberView {
    /// `test: 0-49, 51; other: 2` (cut at [`ASSIGNMENT_CHARS_MAX`]).
    pub fn assignment_text(&self) -> String {
        if self.assignment.is_empty() {
            return "no partitions".to_string();
        }
        let text = ranges_text(&self.assignment);
        super::logview::shorten(&text, ASSIGNMENT_CHARS_MAX)
    }
}

/// Partitions as per-topic ranges: `a: 0-2, 5; b: 1`. `keys` sorted by topic then partition.
pub fn ranges_text(keys: &[PartitionKey]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < keys.len() {
        let topic = &keys[i].0;
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(topic);
        out.push_str(": ");
        let mut first = true;
        while i < keys.len() && keys[i].0 == *topic {
            let start = keys[i].1;
            let mut end = start;
            while i + 1 < keys.len() && keys[i + 1].0 == *topic && keys[i + 1].1 == end + 1 {
                end += 1;
                i += 1;
            }
            if !first {
                out.push_str(", ");
            }
            first = false;
            if end == start {
                out.push_str(&start.to_string());
            } else {
                out.push_str(&format!("{start}-{end}"));
            }
            i += 1;
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionLag {
    pub topic: Rc<str>,
    pub partition: i32,
    /// The group's committed offset (None: nothing committed, `-` in the tool).
    pub committed: Option<i64>,
    /// The partition leader's high watermark (None: no leader, or the topic is gone).
    pub high_watermark: Option<i64>,
    /// The member that owns the partition now (index into [`GroupView::members`]).
    pub owner: Option<usize>,
    /// How far the owning consumer has read (its position: the next offset it returns).
    pub position: Option<i64>,
}

impl PartitionLag {
    pub fn lag(&self) -> Option<i64> {
        Some((self.high_watermark? - self.committed?).max(0))
    }
}

/// One point of a group's lag chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LagSample {
    pub at_ms: i64,
    pub total: i64,
    /// Lag per partition, indexed like [`LagHistory::keys`] at the time (shorter when partitions
    /// were added later; -1 where the partition had no lag).
    pub lags: Box<[i64]>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LagHistory {
    /// Every partition the group ever had a lag on, in the order first seen (a column index).
    pub keys: Vec<PartitionKey>,
    pub samples: Vec<Rc<LagSample>>,
}

impl LagHistory {
    fn column(&mut self, key: &PartitionKey, index: &mut BTreeMap<PartitionKey, usize>) -> usize {
        if let Some(i) = index.get(key) {
            return *i;
        }
        self.keys.push(key.clone());
        index.insert(key.clone(), self.keys.len() - 1);
        self.keys.len() - 1
    }

    /// Adds the present as the newest sample (replacing the newest if it is too close to the one
    /// before it).
    fn record(&mut self, at_ms: i64, partitions: &[PartitionLag], total: i64, index: &mut BTreeMap<PartitionKey, usize>) {
        let mut lags = vec![-1; self.keys.len()];
        for p in partitions {
            let Some(lag) = p.lag() else { continue };
            let c = self.column(&(p.topic.clone(), p.partition), index);
            if c >= lags.len() {
                lags.resize(c + 1, -1);
            }
            lags[c] = lag;
        }
        let sample = Rc::new(LagSample { at_ms, total, lags: lags.into_boxed_slice() });
        let n = self.samples.len();
        let replace_newest = n >= 2 && at_ms - self.samples[n - 2].at_ms < LAG_SAMPLE_SPACING_MS;
        match self.samples.last() {
            Some(last) if **last == *sample => {}
            Some(last) if last.at_ms == at_ms || replace_newest => self.samples[n - 1] = sample,
            _ => self.samples.push(sample),
        }
        if self.samples.len() > LAG_SAMPLES_MAX {
            let excess = self.samples.len() - LAG_SAMPLES_MAX;
            self.samples.drain(..excess);
        }
        debug_assert!(self.samples.windows(2).all(|w| w[0].at_ms < w[1].at_ms), "samples move forward in time");
        debug_assert!(self.samples.len() <= LAG_SAMPLES_MAX);
    }

    /// The lag of column `c` over the samples (None where unknown).
    pub fn series(&self, c: usize) -> impl Iterator<Item = (i64, Option<i64>)> + '_ {
        self.samples.iter().map(move |s| (s.at_ms, s.lags.get(c).copied().filter(|l| *l >= 0)))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupView {
    pub id: Rc<str>,
    pub state: GroupState,
    /// `consumer`, or empty for a group that only holds offsets (`kafka-consumer-groups
    /// --reset-offsets` or `kcat` commits).
    pub protocol_type: String,
    pub assignment_strategy: String,
    pub generation: i32,
    pub coordinator: BrokerId,
    pub members: Vec<MemberView>,
    /// Committed or assigned partitions, by topic then partition.
    pub partitions: Vec<PartitionLag>,
    pub total_lag: i64,
    pub history: LagHistory,
}

impl GroupView {
    /// The partition rows to list: every one up to [`PARTITION_ROWS_MAX`], else the laggiest
    /// (highest lag first; ties in topic and partition order). The flag says it folded.
    pub fn rows_shown(&self) -> (Vec<&PartitionLag>, bool) {
        if self.partitions.len() <= PARTITION_ROWS_MAX {
            return (self.partitions.iter().collect(), false);
        }
        let mut rows: Vec<&PartitionLag> = self.partitions.iter().collect();
        rows.sort_by_key(|p| std::cmp::Reverse(p.lag().unwrap_or(-1)));
        rows.truncate(PARTITION_ROWS_MAX);
        (rows, true)
    }

    /// The history columns of the [`CHART_TOP_PARTITIONS`] laggiest partitions now (lag > 0).
    pub fn chart_top(&self) -> Vec<(usize, &PartitionKey)> {
        let Some(last) = self.history.samples.last() else { return Vec::new() };
        let mut columns: Vec<(usize, i64)> = last.lags.iter().copied().enumerate().filter(|(_, l)| *l > 0).collect();
        columns.sort_by_key(|(c, l)| (std::cmp::Reverse(*l), *c));
        columns.into_iter().take(CHART_TOP_PARTITIONS).filter_map(|(c, _)| Some((c, self.history.keys.get(c)?))).collect()
    }

    /// The group's committed offset on one partition.
    pub fn committed_on(&self, topic: &str, partition: i32) -> Option<&PartitionLag> {
        // Sorted by topic then partition: a binary search (the logs' heat map asks for each of
        // 600 partitions on every render).
        let i = self.partitions.binary_search_by(|p| (&*p.topic, p.partition).cmp(&(topic, partition))).ok()?;
        self.partitions.get(i)
    }

    /// The group name matches a lesson's pattern (`console-consumer-*`: a prefix).
    pub fn matches(&self, pattern: &str) -> bool {
        match pattern.strip_suffix('*') {
            Some(prefix) => self.id.starts_with(prefix),
            None => &*self.id == pattern,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct GroupsView {
    pub now_ms: i64,
    /// By group id.
    pub groups: Vec<GroupView>,
}

impl GroupsView {
    pub fn group(&self, id: &str) -> Option<&GroupView> {
        self.groups.iter().find(|g| &*g.id == id)
    }

    /// Every group's committed offset and owner's position on one partition (for the log view).
    pub fn on_partition(&self, topic: &str, partition: i32) -> Vec<(Rc<str>, Option<i64>, Option<i64>)> {
        self.groups
            .iter()
            .filter_map(|g| g.committed_on(topic, partition).map(|p| (g.id.clone(), p.committed, p.position)))
            .collect()
    }
}

/// Something that happened to a group between two looks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupChange {
    Appeared { group: Rc<str>, state: GroupState, coordinator: BrokerId },
    RebalanceStarted { group: Rc<str>, generation: i32 },
    /// A new generation: who has which partitions now.
    Rebalanced { group: Rc<str>, generation: i32, members: usize },
    Emptied { group: Rc<str> },
    Gone { group: Rc<str> },
    CoordinatorMoved { group: Rc<str>, from: BrokerId, to: BrokerId },
}

impl GroupChange {
    pub fn describe(&self) -> String {
        match self {
            GroupChange::Appeared { group, state, coordinator } => {
                format!("Group {group} appeared ({}, coordinator broker {coordinator})", state.name())
            }
            GroupChange::RebalanceStarted { group, generation } => {
                format!("Group {group}: rebalance started (generation {generation} ends)")
            }
            GroupChange::Rebalanced { group, generation, members } => format!(
                "Group {group}: rebalanced, generation {generation}, {members} member{}",
                if *members == 1 { "" } else { "s" }
            ),
            GroupChange::Emptied { group } => format!("Group {group}: Empty (no members; committed offsets kept)"),
            GroupChange::Gone { group } => format!("Group {group} gone (deleted, expired or its coordinator unavailable)"),
            GroupChange::CoordinatorMoved { group, from, to } => {
                format!("Group {group}: coordinator broker {from} → broker {to}")
            }
        }
    }

    /// A rebalance pauses consumption: worth a warning colour in the log.
    pub fn is_warning(&self) -> bool {
        matches!(self, GroupChange::RebalanceStarted { .. } | GroupChange::Gone { .. })
    }
}

/// What changed from `before` to `after` (both sorted by id).
pub fn diff(before: &GroupsView, after: &GroupsView) -> Vec<GroupChange> {
    let mut out = Vec::new();
    for g in &after.groups {
        let Some(a) = before.group(&g.id) else {
            out.push(GroupChange::Appeared { group: g.id.clone(), state: g.state, coordinator: g.coordinator });
            continue;
        };
        if a.coordinator != g.coordinator {
            out.push(GroupChange::CoordinatorMoved { group: g.id.clone(), from: a.coordinator, to: g.coordinator });
        }
        let rebalancing = |s: GroupState| matches!(s, GroupState::PreparingRebalance | GroupState::CompletingRebalance);
        if g.state == GroupState::PreparingRebalance && a.state != GroupState::PreparingRebalance {
            out.push(GroupChange::RebalanceStarted { group: g.id.clone(), generation: a.generation });
        }
        if g.generation != a.generation && !rebalancing(g.state) && g.state != GroupState::Empty {
            out.push(GroupChange::Rebalanced { group: g.id.clone(), generation: g.generation, members: g.members.len() });
        }
        if g.state == GroupState::Empty && a.state != GroupState::Empty {
            out.push(GroupChange::Emptied { group: g.id.clone() });
        }
    }
    for a in &before.groups {
        if after.group(&a.id).is_none() {
            out.push(GroupChange::Gone { group: a.id.clone() });
        }
    }
    out
}

fn key(tp: &TopicPartition, names: &mut BTreeMap<String, Rc<str>>) -> PartitionKey {
    let topic = match names.get(&tp.topic) {
        Some(t) => t.clone(),
        None => {
            let t: Rc<str> = Rc::from(tp.topic.as_str());
            names.insert(tp.topic.clone(), t.clone());
            t
        }
    };
    (topic, tp.partition)
}

/// The groups as they are now (histories empty: [`GroupsWatch`] carries them over).
pub fn build(cluster: &Cluster, snapshot: &Snapshot) -> GroupsView {
    // Topic names shared with the snapshot where possible (one Rc per topic).
    let mut names: BTreeMap<String, Rc<str>> = snapshot.topics.iter().map(|t| (t.name.to_string(), t.name.clone())).collect();
    // How far each group's open consumers have read: (group, partition) -> position.
    let mut positions: BTreeMap<(String, PartitionKey), i64> = BTreeMap::new();
    for c in cluster.consumer_ids() {
        let Some(info) = cluster.consumer_info(c) else { continue };
        let Some(group) = info.group_id else { continue };
        for tp in &info.assignment {
            if let Some(p) = cluster.position(c, tp) {
                let k = (group.clone(), key(tp, &mut names));
                let e = positions.entry(k).or_insert(p);
                *e = (*e).max(p);
            }
        }
    }
    let hw = |k: &PartitionKey| {
        let p = snapshot.partition(&k.0, k.1)?;
        p.leader.and_then(|l| p.marks_of(l)).map(|m| m.high_watermark)
    };
    let mut groups: Vec<GroupView> = cluster
        .peek_groups()
        .into_iter()
        .map(|(d, offsets)| {
            let members: Vec<MemberView> = d
                .members
                .iter()
                .map(|m| {
                    let mut assignment: Vec<PartitionKey> = m.assignment.iter().map(|tp| key(tp, &mut names)).collect();
                    assignment.sort();
                    assignment.dedup();
                    MemberView { member_id: m.member_id.clone(), client_id: m.client_id.clone(), host: m.host.clone(), assignment }
                })
                .collect();
            let mut rows: BTreeMap<PartitionKey, PartitionLag> = BTreeMap::new();
            for (tp, offset) in &offsets {
                let k = key(tp, &mut names);
                rows.insert(
                    k.clone(),
                    PartitionLag { topic: k.0.clone(), partition: k.1, committed: Some(*offset), high_watermark: hw(&k), owner: None, position: None },
                );
            }
            for (i, m) in members.iter().enumerate() {
                for k in &m.assignment {
                    let row = rows.entry(k.clone()).or_insert_with(|| PartitionLag {
                        topic: k.0.clone(),
                        partition: k.1,
                        committed: None,
                        high_watermark: hw(k),
                        owner: None,
                        position: None,
                    });
                    row.owner = Some(i);
                }
            }
            for (k, row) in rows.iter_mut() {
                row.position = positions.get(&(d.group_id.clone(), k.clone())).copied();
            }
            let partitions: Vec<PartitionLag> = rows.into_values().collect();
            let total_lag = partitions.iter().filter_map(PartitionLag::lag).sum();
            GroupView {
                id: Rc::from(d.group_id.as_str()),
                state: d.state,
                protocol_type: d.protocol_type,
                assignment_strategy: d.assignment_strategy,
                generation: d.generation,
                coordinator: d.coordinator,
                members,
                partitions,
                total_lag,
                history: LagHistory::default(),
            }
        })
        .collect();
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    // Two coordinators cannot both hold a group (one leader per __consumer_offsets partition).
    groups.dedup_by(|a, b| a.id == b.id);
    GroupsView { now_ms: snapshot.now_ms, groups }
}

/// The groups view across actions: histories carried over, changes found.
#[derive(Debug, Default)]
pub struct GroupsWatch {
    view: Rc<GroupsView>,
    /// Per group: partition key -> history column.
    columns: BTreeMap<Rc<str>, BTreeMap<PartitionKey, usize>>,
}

impl GroupsWatch {
    /// Looks at the groups after an action; returns what changed. `fresh`: the session was
    /// rebuilt (histories and changes start over).
    pub fn observe(&mut self, cluster: &Cluster, snapshot: &Snapshot, fresh: bool) -> Vec<GroupChange> {
        let mut next = build(cluster, snapshot);
        if fresh {
            self.columns.clear();
        }
        let changes = if fresh { Vec::new() } else { diff(&self.view, &next) };
        for g in &mut next.groups {
            let history = if fresh { None } else { self.view.group(&g.id).map(|old| old.history.clone()) };
            g.history = history.unwrap_or_default();
            let index = self.columns.entry(g.id.clone()).or_default();
            g.history.record(next.now_ms, &g.partitions, g.total_lag, index);
        }
        self.columns.retain(|id, _| next.group(id).is_some());
        if *self.view != next {
            self.view = Rc::new(next);
        }
        changes
    }

    pub fn view(&self) -> Rc<GroupsView> {
        self.view.clone()
    }
}
