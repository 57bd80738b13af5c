//! The brokers panel's layout, as data: which replicas go in which broker column, what role each
//! plays, and whether the panel shows one tile per replica or folds into a heat map.
//!
//! Pure (no DOM): the component renders a [`Layout`] as it is. Columns are `Rc`s compared by
//! value, so a broker whose replicas did not change is not rendered again.
//!
//! Folding: a column with more than [`TILES_PER_COLUMN_MAX`] replicas is unreadable as tiles, so
//! the whole panel switches to a heat map: each column has one small cell per visible partition,
//! in the same order in every column (a partition is on the same row everywhere), coloured by the
//! role of that broker's replica, or empty where the broker holds none.

use std::rc::Rc;

use super::snapshot::{BrokerView, PartitionView, Snapshot, TopicView};
use crate::engine::BrokerId;

/// Most replica tiles one broker column shows before the panel folds into a heat map. The
/// tutorial's 3-partition topics stay tiles; its 120-partition RF 3 topic (72 replicas per
/// broker on 5 brokers) folds.
pub const TILES_PER_COLUMN_MAX: usize = 40;

/// What the learner asked to see.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Filter {
    /// One topic only (None: every topic).
    pub topic: Option<String>,
    /// Internal topics (`__consumer_offsets`, ...) are folded away unless asked for.
    pub show_internal: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Tiles,
    HeatMap,
}

/// The role of one replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Leader,
    /// A follower in the ISR.
    InSync,
    /// A follower out of the ISR.
    OutOfSync,
    /// The partition has no leader (`Leader: none`).
    Offline,
}

impl Role {
    pub fn class(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::InSync => "in-sync",
            Role::OutOfSync => "out-of-sync",
            Role::Offline => "offline",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::InSync => "follower, in the ISR",
            Role::OutOfSync => "follower, out of the ISR",
            Role::Offline => "offline (no leader)",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tile {
    pub topic: Rc<str>,
    pub partition: i32,
    pub role: Role,
    pub under_replicated: bool,
    /// Records this replica is behind its leader's log end (0 for leaders and offline ones).
    pub lag: i64,
}

/// One heat-map cell: the role of this broker's replica of the partition on that row, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub role: Option<Role>,
    pub under_replicated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub broker: BrokerView,
    /// Tiles mode: this broker's replicas, by topic then partition.
    pub tiles: Vec<Tile>,
    /// Heat-map mode: one cell per row of [`Layout::rows`].
    pub cells: Vec<Cell>,
    pub leaders: usize,
    pub in_sync: usize,
    pub out_of_sync: usize,
    pub offline: usize,
}

impl Column {
    pub fn replicas(&self) -> usize {
        self.leaders + self.in_sync + self.out_of_sync + self.offline
    }

    /// `24 leaders, 48 followers (2 out of ISR)`: the column's summary line.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "{} leader{}, {} follower{}",
            self.leaders,
            if self.leaders == 1 { "" } else { "s" },
            self.in_sync + self.out_of_sync,
            if self.in_sync + self.out_of_sync == 1 { "" } else { "s" }
        );
        if self.out_of_sync > 0 {
            text.push_str(&format!(" ({} out of ISR)", self.out_of_sync));
        }
        if self.offline > 0 {
            text.push_str(&format!(", {} offline", self.offline));
        }
        text
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub mode: Mode,
    pub columns: Vec<Rc<Column>>,
    /// The visible partitions, in row order (heat map rows; tiles are in the same order).
    pub rows: Vec<(Rc<str>, i32)>,
    /// Every topic name, for the filter (internal ones only when shown).
    pub topics: Vec<Rc<str>>,
    /// Internal topics folded away by the filter.
    pub hidden_internal: usize,
    pub under_replicated: usize,
    pub offline: usize,
}

fn visible<'a>(snapshot: &'a Snapshot, filter: &'a Filter) -> impl Iterator<Item = &'a TopicView> + 'a {
    snapshot.topics.iter().filter(move |t| match &filter.topic {
        Some(name) => *t.name == **name,
        None => filter.show_internal || !t.internal,
    })
}

fn role_of(p: &PartitionView, broker: BrokerId) -> Role {
    match p.leader {
        None => Role::Offline,
        Some(l) if l == broker => Role::Leader,
        Some(_) if p.isr.contains(&broker) => Role::InSync,
        Some(_) => Role::OutOfSync,
    }
}

/// Lays the snapshot out under `filter`.
pub fn layout(snapshot: &Snapshot, filter: &Filter) -> Layout {
    let topics: Vec<Rc<str>> =
        snapshot.topics.iter().filter(|t| filter.show_internal || !t.internal).map(|t| t.name.clone()).collect();
    let hidden_internal = if filter.show_internal { 0 } else { snapshot.topics.iter().filter(|t| t.internal).count() };
    let mut rows = Vec::new();
    let mut per_broker: Vec<Vec<(usize, Tile)>> = vec![Vec::new(); snapshot.brokers.len()];
    let (mut under_replicated, mut offline) = (0, 0);
    for t in visible(snapshot, filter) {
        for p in &t.partitions {
            let row = rows.len();
            rows.push((t.name.clone(), p.partition));
            under_replicated += usize::from(p.under_replicated());
            offline += usize::from(p.offline());
            let leader_end = p.leader_log_end();
            for (k, broker) in p.replicas.iter().enumerate() {
                let Some(column) = snapshot.brokers.iter().position(|b| b.id == *broker) else { continue };
                let role = role_of(p, *broker);
                let lag = match (role, leader_end, p.marks.get(k).copied().flatten()) {
                    (Role::InSync | Role::OutOfSync, Some(end), Some(m)) => (end - m.log_end).max(0),
                    _ => 0,
                };
                per_broker[column].push((row, Tile { topic: t.name.clone(), partition: p.partition, role, under_replicated: p.under_replicated(), lag }));
            }
        }
    }
    let fold = per_broker.iter().any(|tiles| tiles.len() > TILES_PER_COLUMN_MAX);
    let mode = if fold { Mode::HeatMap } else { Mode::Tiles };
    let columns = snapshot
        .brokers
        .iter()
        .zip(per_broker)
        .map(|(broker, tiles)| {
            let count = |role: Role| tiles.iter().filter(|(_, t)| t.role == role).count();
            let mut column = Column {
                broker: broker.clone(),
                tiles: Vec::new(),
                cells: Vec::new(),
                leaders: count(Role::Leader),
                in_sync: count(Role::InSync),
                out_of_sync: count(Role::OutOfSync),
                offline: count(Role::Offline),
            };
            match mode {
                Mode::Tiles => column.tiles = tiles.into_iter().map(|(_, t)| t).collect(),
                Mode::HeatMap => {
                    column.cells = vec![Cell { role: None, under_replicated: false }; rows.len()];
                    for (row, tile) in tiles {
                        column.cells[row] = Cell { role: Some(tile.role), under_replicated: tile.under_replicated };
                    }
                }
            }
            debug_assert!(mode == Mode::Tiles || column.cells.len() == rows.len(), "heat-map rows align across columns");
            Rc::new(column)
        })
        .collect();
    Layout { mode, columns, rows, topics, hidden_internal, under_replicated, offline }
}
