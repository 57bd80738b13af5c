//! The log at the centre, as data: every partition of the topic in view drawn as its log, a row
//! of the newest offset cells (newest at the right) coloured by key, with the log start, the high
//! watermark and the log end marked; each replica's copy as a lane under it (followers are seen
//! catching up); consumer groups' committed offsets and positions as markers, the partition
//! tinted by the member that owns it; and the records lost with a leader as ghosts.
//!
//! Beyond [`STRIPS_MAX`] partitions the rows fold into a heat map: one cell per partition,
//! shaded by its records (or by its group lag while a group lags), which opens that partition.
//!
//! Cost: at most [`STRIPS_MAX`] × [`CELLS_MAX`] records are read from the engine per render (a
//! window of the newest cells); the heat map reads only the snapshot's marks.
//!
//! Pure (no DOM): only `crate::engine`, the snapshot, the groups view and the ghosts are used.

use std::rc::Rc;

use super::ghosts::{Ghost, Ghosts};
use super::groups::GroupsView;
use super::layout::Role;
use super::logview::{key_hue, shorten};
use super::rereads::{Rereads, Twice};
use super::snapshot::{PartitionView, Snapshot};
use crate::engine::{BrokerId, Cluster};

/// Offset cells drawn per partition (the newest).
pub const CELLS_MAX: i64 = 16;
/// Partitions drawn as logs; beyond this the topic folds into a heat map.
pub const STRIPS_MAX: usize = 12;
/// Characters of a key shown in a cell.
pub const KEY_CHARS_MAX: usize = 6;
/// Shades of the heat map (0 = empty).
pub const HEAT_LEVELS: u8 = 5;

/// `1 partition`, `3 partitions`: a count with its noun.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub offset: i64,
    /// The key, cut to [`KEY_CHARS_MAX`] characters (None: a null key).
    pub key: Option<String>,
    pub key_hue: Option<u16>,
    pub value: Option<String>,
    /// Below the high watermark.
    pub committed: bool,
    /// The groups that read this record more than once.
    pub read_twice_by: Vec<Rc<str>>,
}

/// One replica's copy: the offsets `[log_start, log_end)` it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    pub broker: BrokerId,
    pub role: Role,
    pub log_start: i64,
    pub log_end: i64,
    /// Records behind the leader's log end (0 for the leader).
    pub behind: i64,
}

/// A consumer group on this partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    pub group: Rc<str>,
    pub committed: Option<i64>,
    /// The owning member's position (the next offset it reads).
    pub position: Option<i64>,
    /// High watermark minus committed offset.
    pub lag: Option<i64>,
    /// The owning member's client id, and its tint.
    pub owner: Option<(String, u16)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strip {
    pub topic: Rc<str>,
    pub partition: i32,
    pub leader: Option<BrokerId>,
    pub log_start: i64,
    pub high_watermark: i64,
    pub log_end: i64,
    /// The cells' window: offsets `[from, to)`.
    pub from: i64,
    pub to: i64,
    pub cells: Vec<Cell>,
    pub lanes: Vec<Lane>,
    pub markers: Vec<Marker>,
    /// The newest ghosts (at most [`CELLS_MAX`]), and how many records were lost in all.
    pub ghosts: Vec<Ghost>,
    pub lost: super::ghosts::LostCount,
    /// Offsets read more than once, by group.
    pub twice: Twice,
}

impl Strip {
    /// Where `offset` falls in the window, in cells from its left edge (clamped to it).
    pub fn slot(&self, offset: i64) -> i64 {
        (offset.clamp(self.from, self.to)) - self.from
    }

    /// The owner's tint: the first group's owning member.
    pub fn owner(&self) -> Option<&(String, u16)> {
        self.markers.iter().find_map(|m| m.owner.as_ref())
    }

    /// One sentence for screen readers.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "Partition {}: leader {}, offsets {} to {}, high watermark {}",
            self.partition,
            self.leader.map_or_else(|| "none".to_string(), |l| format!("broker {l}")),
            self.log_start,
            self.log_end,
            self.high_watermark
        );
        for l in self.lanes.iter().filter(|l| l.behind > 0) {
            text.push_str(&format!("; broker {} is {} behind", l.broker, plural(usize::try_from(l.behind).unwrap_or(0), "record")));
        }
        for m in &self.markers {
            if let Some(c) = m.committed {
                text.push_str(&format!("; group {} committed {c}, lag {}", m.group, m.lag.unwrap_or(0)));
            }
        }
        if self.lost.records > 0 {
            text.push_str(&format!("; {} lost", self.lost.text()));
        }
        for (group, ranges) in &self.twice.groups {
            let offsets: Vec<String> = ranges.iter().map(|(a, b)| if b - a == 1 { a.to_string() } else { format!("{a} to {}", b - 1) }).collect();
            text.push_str(&format!("; group {group} read offsets {} twice", offsets.join(", ")));
        }
        text
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeatCell {
    pub partition: i32,
    pub records: i64,
    /// The highest group lag on the partition.
    pub lag: i64,
    /// Shade 0..[`HEAT_LEVELS`].
    pub level: u8,
    pub offline: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Strips(Vec<Strip>),
    /// Shaded by lag (`true`) or by records.
    HeatMap { cells: Vec<HeatCell>, by_lag: bool },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicLogs {
    pub topic: Rc<str>,
    pub partitions: usize,
    pub body: Body,
}

/// The topic to draw: the one the learner filtered on, else one a lesson step points at, else the
/// selected partition's, else the first topic that is not internal.
pub fn topic_in_view(snapshot: &Snapshot, wanted: &[&str]) -> Option<Rc<str>> {
    wanted
        .iter()
        .find_map(|w| snapshot.topic(w).map(|t| t.name.clone()))
        .or_else(|| snapshot.topics.iter().find(|t| !t.internal).map(|t| t.name.clone()))
}

/// A member's tint, from its client id (stable everywhere).
pub fn member_hue(client_id: &str) -> u16 {
    // Offset from the key hues' origin so that a member and a key seldom share a colour by chance.
    (key_hue(client_id.as_bytes()) + 180) % 360
}

/// Builds the view of `topic`.
pub fn build(cluster: &Cluster, snapshot: &Snapshot, topic: &str, groups: &GroupsView, ghosts: &Ghosts, rereads: &Rereads) -> Option<TopicLogs> {
    let t = snapshot.topic(topic)?;
    let body = if t.partitions.len() > STRIPS_MAX {
        heat_map(&t.partitions, topic, groups)
    } else {
        Body::Strips(t.partitions.iter().map(|p| strip(cluster, &t.name, p, groups, ghosts, rereads)).collect())
    };
    Some(TopicLogs { topic: t.name.clone(), partitions: t.partitions.len(), body })
}

fn markers(topic: &str, partition: i32, high_watermark: i64, groups: &GroupsView) -> Vec<Marker> {
    groups
        .groups
        .iter()
        .filter_map(|g| {
            let p = g.committed_on(topic, partition)?;
            let owner = p.owner.and_then(|i| g.members.get(i)).map(|m| (m.client_id.clone(), member_hue(&m.client_id)));
            let lag = p.committed.map(|c| (high_watermark - c).max(0));
            Some(Marker { group: g.id.clone(), committed: p.committed, position: p.position, lag, owner })
        })
        .collect()
}

fn lanes(p: &PartitionView) -> Vec<Lane> {
    let leader_end = p.leader_log_end();
    p.replicas
        .iter()
        .zip(&p.marks)
        .filter_map(|(b, m)| {
            let m = (*m)?;
            let role = match p.leader {
                None => Role::Offline,
                Some(l) if l == *b => Role::Leader,
                Some(_) if p.isr.contains(b) => Role::InSync,
                Some(_) => Role::OutOfSync,
            };
            let behind = if role == Role::Leader { 0 } else { leader_end.map_or(0, |e| (e - m.log_end).max(0)) };
            Some(Lane { broker: *b, role, log_start: m.log_start, log_end: m.log_end, behind })
        })
        .collect()
}

fn strip(cluster: &Cluster, topic: &Rc<str>, p: &PartitionView, groups: &GroupsView, ghosts: &Ghosts, rereads: &Rereads) -> Strip {
    let lanes = lanes(p);
    // The leader's log, or else the longest copy (an offline partition still shows its records).
    let reference = p.leader.or_else(|| lanes.iter().max_by_key(|l| (l.log_end, std::cmp::Reverse(l.broker))).map(|l| l.broker));
    let log = reference.and_then(|b| cluster.replica_log(b, topic, p.partition));
    let (log_start, high_watermark, log_end) = log.map_or((0, 0, 0), |l| (l.log_start_offset, l.high_watermark, l.log_end_offset));
    let from = (log_end - CELLS_MAX).max(log_start);
    let twice = rereads.of(topic, p.partition);
    let mut cells = Vec::new();
    if let Some(log) = log {
        for r in log.records_from(from, log_end) {
            if r.offset < from || r.offset >= log_end {
                continue;
            }
            let text = |b: Option<&[u8]>, max: usize| b.map(|b| shorten(&String::from_utf8_lossy(b), max));
            cells.push(Cell {
                offset: r.offset,
                key: text(r.key, KEY_CHARS_MAX),
                key_hue: r.key.map(key_hue),
                value: text(r.value, 24),
                committed: r.offset < high_watermark,
                read_twice_by: twice.groups_at(r.offset),
            });
        }
    }
    debug_assert!(cells.len() as i64 <= CELLS_MAX);
    Strip {
        topic: topic.clone(),
        partition: p.partition,
        leader: p.leader,
        log_start,
        high_watermark,
        log_end,
        from,
        to: log_end,
        cells,
        lanes,
        markers: markers(topic, p.partition, high_watermark, groups),
        ghosts: {
            let all = ghosts.of(topic, p.partition);
            all[all.len().saturating_sub(CELLS_MAX as usize)..].iter().map(|g| (*g).clone()).collect()
        },
        lost: ghosts.lost(topic, p.partition),
        twice,
    }
}

fn heat_map(partitions: &[PartitionView], topic: &str, groups: &GroupsView) -> Body {
    let mut cells: Vec<HeatCell> = partitions
        .iter()
        .map(|p| {
            let marks = p.leader.and_then(|l| p.marks_of(l));
            let records = marks.map_or(0, |m| m.log_end - m.log_start);
            let hw = marks.map_or(0, |m| m.high_watermark);
            let lag = markers(topic, p.partition, hw, groups).iter().filter_map(|m| m.lag).max().unwrap_or(0);
            HeatCell { partition: p.partition, records, lag, level: 0, offline: p.offline() }
        })
        .collect();
    let by_lag = cells.iter().any(|c| c.lag > 0);
    let measure = |c: &HeatCell| if by_lag { c.lag } else { c.records };
    let top = cells.iter().map(measure).max().unwrap_or(0);
    for c in &mut cells {
        c.level = level(measure(c), top);
    }
    Body::HeatMap { cells, by_lag }
}

/// Keyboard moves in the heat map (a grid `columns` wide, `count` cells): the cell the arrow
/// keys, Home and End go to from `index`; None for other keys or off the grid's edge.
pub fn heat_step(index: usize, count: usize, columns: usize, key: &str) -> Option<usize> {
    let columns = columns.max(1);
    let to = match key {
        "ArrowLeft" => index.checked_sub(1)?,
        "ArrowRight" => index + 1,
        "ArrowUp" => index.checked_sub(columns)?,
        "ArrowDown" => index + columns,
        "Home" => 0,
        "End" => count.checked_sub(1)?,
        _ => return None,
    };
    (to < count).then_some(to)
}

/// A heat-map cell's accessible name.
pub fn heat_label(c: &HeatCell) -> String {
    let state = if c.offline { ", offline" } else { "" };
    format!("partition {}: {}, lag {}{state}", c.partition, plural(usize::try_from(c.records).unwrap_or(0), "record"), c.lag)
}

/// The shade of `value` on a scale to `top`: 0 for nothing, else 1..=[`HEAT_LEVELS`].
pub fn level(value: i64, top: i64) -> u8 {
    if value <= 0 || top <= 0 {
        return 0;
    }
    let steps = i64::from(HEAT_LEVELS);
    u8::try_from(((value * steps + top - 1) / top).clamp(1, steps)).expect("a few levels")
}

/// Partitions listed one by one in the description; beyond, a count.
pub const DESCRIBED_PARTITIONS_MAX: usize = 12;

/// The cluster in words, for screen readers: brokers, every topic's leaders and ISRs (or counts
/// at scale), groups and their lag.
pub fn describe_cluster(snapshot: &Snapshot, groups: &GroupsView) -> String {
    let brokers: Vec<String> = snapshot
        .brokers
        .iter()
        .map(|b| {
            let mut words = format!("broker {} {}", b.id, b.state.name());
            if b.isolated {
                words.push_str(" and cut off");
            }
            if b.controller {
                words.push_str(", the controller");
            }
            words
        })
        .collect();
    let mut text = format!("{}: {}.", plural(snapshot.brokers.len(), "broker"), brokers.join("; "));
    for t in snapshot.topics.iter().filter(|t| !t.internal) {
        text.push_str(&format!(" Topic {}, {}", t.name, plural(t.partitions.len(), "partition")));
        if t.partitions.len() <= DESCRIBED_PARTITIONS_MAX {
            for p in &t.partitions {
                let leader = p.leader.map_or_else(|| "no leader".to_string(), |l| format!("leader {l}"));
                let isr: Vec<String> = p.isr.iter().map(|b| b.to_string()).collect();
                text.push_str(&format!("; partition {} {leader}, in-sync replicas {}", p.partition, isr.join(" ")));
            }
        } else {
            let under = t.partitions.iter().filter(|p| p.under_replicated()).count();
            let offline = t.partitions.iter().filter(|p| p.offline()).count();
            text.push_str(&format!(", {under} under-replicated, {offline} offline"));
        }
        text.push('.');
    }
    for g in &groups.groups {
        text.push_str(&format!(" Group {}: {}, {}, total lag {}.", g.id, g.state.name(), plural(g.members.len(), "member"), g.total_lag));
    }
    text
}
