//! What the cluster views show, copied out of the engine once per learner action.
//!
//! A [`Snapshot`] is plain data (brokers, topics, partitions, and every replica's log marks: log
//! start, high watermark, log end offset), so views compare it cheaply and never hold a borrow of
//! the engine. [`diff`] compares two snapshots and says what changed in between: broker state,
//! leaders, ISRs, records appended and replicated. The UI learns "what just happened" this way
//! rather than from `Cluster::drain_events` (which needs `&mut Cluster`; the shell keeps the
//! cluster to itself and gives the UI read access only).
//!
//! Only `crate::engine` is used here (no DOM, no yew), so `tests/ui_model.rs` runs these
//! functions natively too.

use std::rc::Rc;

use crate::engine::{BrokerId, Cluster, ProcessState};

/// How a broker is doing, as the learner sees it (one word per column header).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BrokerState {
    Alive,
    ShuttingDown,
    Crashed,
    Stopped,
}

impl BrokerState {
    pub fn name(self) -> &'static str {
        match self {
            BrokerState::Alive => "alive",
            BrokerState::ShuttingDown => "shutting down",
            BrokerState::Crashed => "crashed",
            BrokerState::Stopped => "stopped",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerView {
    pub id: BrokerId,
    pub state: BrokerState,
    pub isolated: bool,
    pub fenced: bool,
    pub controller: bool,
    pub voter: bool,
}

impl BrokerView {
    /// The process runs (it may still be fenced or cut off the network).
    pub fn running(&self) -> bool {
        matches!(self.state, BrokerState::Alive | BrokerState::ShuttingDown)
    }
}

/// A replica's log marks (its disk survives a crash, so a crashed broker still has them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LogMarks {
    pub log_start: i64,
    pub high_watermark: i64,
    pub log_end: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionView {
    pub partition: i32,
    /// Assignment order (the first is the preferred leader).
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub leader_epoch: i32,
    /// Led by a replica chosen by an unclean election, still recovering.
    pub recovering: bool,
    /// Log marks per replica, in the order of `replicas` (None: no log on that broker's disk).
    pub marks: Vec<Option<LogMarks>>,
}

impl PartitionView {
    pub fn under_replicated(&self) -> bool {
        self.isr.len() < self.replicas.len()
    }

    /// `Leader: none` in `kafka-topics --describe`.
    pub fn offline(&self) -> bool {
        self.leader.is_none()
    }

    pub fn marks_of(&self, broker: BrokerId) -> Option<LogMarks> {
        let i = self.replicas.iter().position(|b| *b == broker)?;
        self.marks.get(i).copied().flatten()
    }

    /// The leader's log end offset, if the partition has a leader with a log.
    pub fn leader_log_end(&self) -> Option<i64> {
        self.leader.and_then(|l| self.marks_of(l)).map(|m| m.log_end)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicView {
    pub name: Rc<str>,
    /// The topic id: a topic deleted and created again under the same name is another topic.
    pub id: Rc<str>,
    pub internal: bool,
    pub partitions: Vec<PartitionView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub now_ms: i64,
    pub brokers: Vec<BrokerView>,
    /// Sorted by name.
    pub topics: Vec<TopicView>,
}

impl Snapshot {
    /// Copies what the views need out of the cluster.
    pub fn capture(cluster: &Cluster) -> Snapshot {
        let brokers = cluster
            .broker_status()
            .into_iter()
            .map(|s| BrokerView {
                id: s.id,
                state: match s.process {
                    ProcessState::Running => BrokerState::Alive,
                    ProcessState::ShuttingDown => BrokerState::ShuttingDown,
                    ProcessState::Crashed => BrokerState::Crashed,
                    ProcessState::Stopped => BrokerState::Stopped,
                },
                isolated: s.isolated,
                fenced: s.fenced,
                controller: s.is_controller,
                voter: s.is_voter,
            })
            .collect();
        let mut topics = Vec::new();
        for name in cluster.topic_names() {
            let Some(meta) = cluster.topic_meta(&name) else { continue };
            let partitions = meta
                .partitions
                .iter()
                .enumerate()
                .map(|(p, pm)| {
                    let partition = i32::try_from(p).expect("partition counts fit in i32");
                    let marks = pm
                        .replicas
                        .iter()
                        .map(|b| {
                            cluster.replica_log(*b, &name, partition).map(|log| LogMarks {
                                log_start: log.log_start_offset,
                                high_watermark: log.high_watermark,
                                log_end: log.log_end_offset,
                            })
                        })
                        .collect();
                    PartitionView {
                        partition,
                        replicas: pm.replicas.clone(),
                        isr: pm.isr.clone(),
                        leader: pm.leader,
                        leader_epoch: pm.leader_epoch,
                        recovering: pm.recovering,
                        marks,
                    }
                })
                .collect();
            topics.push(TopicView { name: meta.name.clone(), id: Rc::from(meta.id.as_str()), internal: meta.internal, partitions });
        }
        debug_assert!(topics.windows(2).all(|w| w[0].name < w[1].name), "topic_names is sorted");
        Snapshot { now_ms: cluster.now_ms(), brokers, topics }
    }

    pub fn topic(&self, name: &str) -> Option<&TopicView> {
        self.topics.binary_search_by(|t| (*t.name).cmp(name)).ok().map(|i| &self.topics[i])
    }

    pub fn partition(&self, topic: &str, partition: i32) -> Option<&PartitionView> {
        self.topic(topic)?.partitions.get(usize::try_from(partition).ok()?)
    }

    pub fn controller(&self) -> Option<BrokerId> {
        self.brokers.iter().find(|b| b.controller).map(|b| b.id)
    }
}

/// Something that happened between two snapshots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    BrokerState { broker: BrokerId, from: BrokerState, to: BrokerState },
    BrokerIsolated { broker: BrokerId, isolated: bool },
    BrokerFenced { broker: BrokerId, fenced: bool },
    ControllerMoved { from: Option<BrokerId>, to: Option<BrokerId> },
    TopicCreated { topic: Rc<str>, partitions: usize },
    TopicDeleted { topic: Rc<str> },
    /// `unclean`: the new leader was not in the ISR before (records may be lost).
    LeaderChanged { topic: Rc<str>, partition: i32, from: Option<BrokerId>, to: Option<BrokerId>, epoch: i32, unclean: bool },
    IsrChanged { topic: Rc<str>, partition: i32, from: Vec<BrokerId>, to: Vec<BrokerId> },
    /// A leader's log grew by `records`.
    Appended { topic: Rc<str>, partition: i32, broker: BrokerId, records: i64 },
    /// A follower's log grew by `records`, fetched from `leader`.
    Replicated { topic: Rc<str>, partition: i32, leader: BrokerId, follower: BrokerId, records: i64 },
    /// A replica's log end went back (truncation after a leader change).
    Truncated { topic: Rc<str>, partition: i32, broker: BrokerId, from: i64, to: i64 },
    /// A consumer group changed (found by [`super::groups::diff`], not by [`diff`]).
    Group(super::groups::GroupChange),
}

impl Change {
    /// Record traffic (appends and replication): frequent, animated, not listed in the log.
    pub fn is_traffic(&self) -> bool {
        matches!(self, Change::Appended { .. } | Change::Replicated { .. })
    }

    /// One line for the "what just happened" list.
    pub fn describe(&self) -> String {
        fn list(b: &[BrokerId]) -> String {
            b.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",")
        }
        fn who(b: Option<BrokerId>) -> String {
            b.map_or_else(|| "none".to_string(), |b| format!("broker {b}"))
        }
        match self {
            Change::BrokerState { broker, from, to } => format!("Broker {broker}: {} → {}", from.name(), to.name()),
            // One format per change kind, the words picked from a table.
            Change::BrokerIsolated { broker, isolated } => {
                format!("Broker {broker} {}", if *isolated { "cut off the network" } else { "back on the network" })
            }
            Change::BrokerFenced { broker, fenced } => format!("Broker {broker} {}", if *fenced { "fenced by the controller" } else { "unfenced" }),
            Change::ControllerMoved { from, to } => format!("Active controller: {} → {}", who(*from), who(*to)),
            Change::TopicCreated { topic, partitions } => {
                format!("Topic {topic} created ({partitions} partition{})", if *partitions == 1 { "" } else { "s" })
            }
            Change::TopicDeleted { topic } => format!("Topic {topic} deleted"),
            Change::LeaderChanged { topic, partition, from, to, epoch, unclean } => format!(
                "{topic}-{partition}: leader {} → {} (epoch {epoch}){}",
                who(*from),
                who(*to),
                if *unclean { ", UNCLEAN election" } else { "" }
            ),
            Change::IsrChanged { topic, partition, from, to } => {
                let verb = if to.len() < from.len() { "shrank" } else { "changed" };
                let verb = if to.len() > from.len() { "expanded" } else { verb };
                format!("{topic}-{partition}: ISR {verb} {} → {}", list(from), list(to))
            }
            Change::Appended { topic, partition, broker, records } => format!("{topic}-{partition}: broker {broker} appended {records}"),
            Change::Replicated { topic, partition, leader, follower, records } => {
                format!("{topic}-{partition}: {records} replicated {leader} → {follower}")
            }
            Change::Truncated { topic, partition, broker, from, to } => {
                format!("{topic}-{partition}: broker {broker} truncated its log {from} → {to}")
            }
            Change::Group(g) => g.describe(),
        }
    }
}

/// What changed from `before` to `after` (brokers first, then topics in name order).
pub fn diff(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
    let mut out = Vec::new();
    for b in &after.brokers {
        let Some(a) = before.brokers.iter().find(|x| x.id == b.id) else { continue };
        if a.state != b.state {
            out.push(Change::BrokerState { broker: b.id, from: a.state, to: b.state });
        }
        if a.isolated != b.isolated {
            out.push(Change::BrokerIsolated { broker: b.id, isolated: b.isolated });
        }
        if a.fenced != b.fenced {
            out.push(Change::BrokerFenced { broker: b.id, fenced: b.fenced });
        }
    }
    if before.controller() != after.controller() && !before.brokers.is_empty() {
        out.push(Change::ControllerMoved { from: before.controller(), to: after.controller() });
    }
    // Topics: both lists are sorted by name; a new id under an old name is a new topic.
    let (mut i, mut j) = (0, 0);
    while i < before.topics.len() || j < after.topics.len() {
        let (a, b) = (before.topics.get(i), after.topics.get(j));
        match (a, b) {
            (Some(a), Some(b)) if a.name == b.name && a.id == b.id => {
                diff_topic(a, b, &mut out);
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a.name == b.name => {
                out.push(Change::TopicDeleted { topic: a.name.clone() });
                out.push(Change::TopicCreated { topic: b.name.clone(), partitions: b.partitions.len() });
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a.name < b.name => {
                out.push(Change::TopicDeleted { topic: a.name.clone() });
                i += 1;
            }
            (Some(a), None) => {
                out.push(Change::TopicDeleted { topic: a.name.clone() });
                i += 1;
            }
            (_, Some(b)) => {
                out.push(Change::TopicCreated { topic: b.name.clone(), partitions: b.partitions.len() });
                j += 1;
            }
            (None, None) => unreachable!("the loop condition"),
        }
    }
    out
}

fn diff_topic(a: &TopicView, b: &TopicView, out: &mut Vec<Change>) {
    for pb in &b.partitions {
        let Some(pa) = a.partitions.get(usize::try_from(pb.partition).unwrap_or(usize::MAX)) else { continue };
        let topic = &b.name;
        let partition = pb.partition;
        if pa.leader != pb.leader || pa.leader_epoch != pb.leader_epoch {
            if pa.leader != pb.leader {
                let unclean = pb.leader.is_some_and(|l| !pa.isr.contains(&l)) || (pb.recovering && !pa.recovering);
                out.push(Change::LeaderChanged { topic: topic.clone(), partition, from: pa.leader, to: pb.leader, epoch: pb.leader_epoch, unclean });
            }
        }
        if pa.isr != pb.isr {
            out.push(Change::IsrChanged { topic: topic.clone(), partition, from: pa.isr.clone(), to: pb.isr.clone() });
        }
        for (k, broker) in pb.replicas.iter().enumerate() {
            let Some(now) = pb.marks.get(k).copied().flatten() else { continue };
            let was = pa.marks_of(*broker).unwrap_or_default();
            if now.log_end < was.log_end {
                out.push(Change::Truncated { topic: topic.clone(), partition, broker: *broker, from: was.log_end, to: now.log_end });
            } else if now.log_end > was.log_end {
                let records = now.log_end - was.log_end;
                match pb.leader {
                    Some(l) if l == *broker => out.push(Change::Appended { topic: topic.clone(), partition, broker: *broker, records }),
                    Some(l) => out.push(Change::Replicated { topic: topic.clone(), partition, leader: l, follower: *broker, records }),
                    None => {}
                }
            }
        }
    }
}
