//! What a sandbox app holds: its spec, its clients and where its poll loop is. The Cluster keeps
//! an `App` per name; the handlers in `app.rs` act on it.

use super::super::assignor::TopicPartition;
use super::super::producer::state::ProducerRecord;
use super::super::ids::{ConsumerId, ProducerId, SendId};
use std::collections::{BTreeMap, BTreeSet};

/// The delivery guarantee of an app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Guarantee {
    AtMostOnce,
    AtLeastOnce,
    ExactlyOnce,
}

impl Guarantee {
    pub fn parse(s: &str) -> Option<Guarantee> {
        match s {
            "at-most-once" => Some(Guarantee::AtMostOnce),
            "at-least-once" => Some(Guarantee::AtLeastOnce),
            "exactly-once" => Some(Guarantee::ExactlyOnce),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Guarantee::AtMostOnce => "at-most-once",
            Guarantee::AtLeastOnce => "at-least-once",
            Guarantee::ExactlyOnce => "exactly-once",
        }
    }
}

/// What `sim app start` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSpec {
    pub name: String,
    pub from: String,
    pub to: String,
    pub group: String,
    pub guarantee: Guarantee,
}

/// An app's line in `sim app list`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppStatus {
    pub spec: AppSpec,
    /// `starting`, `running`, `crashed`, `fenced`.
    pub state: &'static str,
    /// Instances started so far (1 + restarts).
    pub instance: u32,
    /// Records this app consumed / produced (acknowledged), over all instances.
    pub records_in: u64,
    pub records_out: u64,
}

#[derive(Clone, Debug)]
pub(crate) enum Phase {
    /// Exactly-once: waiting for initTransactions.
    Init,
    Idle,
    /// At-most-once: offsets committing; the records go out once it is done.
    CommitFirst { commit: u64, records: Vec<ProducerRecord> },
    /// At-least-once: waiting for acknowledgements, then commit these offsets.
    Sending { sends: BTreeSet<SendId>, records: BTreeMap<SendId, ProducerRecord>, offsets: BTreeMap<TopicPartition, i64> },
    CommitAfter { commit: u64 },
    /// Exactly-once: offsets being added to the transaction, then commit.
    TxnOffsets { count: u64 },
    TxnCommit { count: u64 },
    TxnAbort { rewind: BTreeMap<TopicPartition, i64> },
    /// Fenced by a newer instance, or its clients failed for good.
    Dead(&'static str),
}

#[derive(Clone, Debug)]
pub(crate) struct App {
    pub(super) spec: AppSpec,
    pub(super) instance: u32,
    pub(super) consumer: Option<ConsumerId>,
    pub(super) producer: Option<ProducerId>,
    pub(super) phase: Phase,
    pub(super) crashed: bool,
    pub(super) records_in: u64,
    pub(super) records_out: u64,
    /// First offset of the records in the current transaction per partition (to rewind after an abort).
    pub(super) txn_first: BTreeMap<TopicPartition, i64>,
}
