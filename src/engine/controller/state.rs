//! What the KRaft controller holds: the metadata image (topics, partitions, configs), broker
//! registrations and sessions, the quorum's voters and which of them is active. The handlers are
//! in `controller.rs` and its files (`quorum.rs`, `elections.rs`, `admin.rs`).

use super::super::config::TopicSettings;
use super::super::ids::{BrokerId, Tp};
use super::super::msg::PartitionMeta;
use std::collections::BTreeMap;
use std::rc::Rc;

/// `broker.session.timeout.ms`.
pub const BROKER_SESSION_TIMEOUT_MS: i64 = 9_000;
/// `controller.quorum.election.timeout.ms`.
pub const CONTROLLER_ELECTION_TIMEOUT_MS: i64 = 1_000;
/// How often the active controller checks sessions and leaderless partitions.
pub const CONTROLLER_TICK_MS: i64 = 500;
/// `unclean.leader.election.interval.ms` (KRaft periodic unclean election check).
pub const UNCLEAN_ELECTION_INTERVAL_MS: i64 = 300_000;

#[derive(Clone, Debug)]
pub struct TopicMeta {
    pub name: Rc<str>,
    pub id: String,
    pub idx: u32,
    pub internal: bool,
    pub configs: BTreeMap<String, String>,
    pub settings: TopicSettings,
    pub partitions: Vec<PartitionMeta>,
}

#[derive(Clone, Debug)]
pub(crate) struct BrokerReg {
    pub incarnation: u64,
    pub fenced: bool,
    pub in_controlled_shutdown: bool,
    pub last_heartbeat_ms: i64,
}

/// Producer ids per block the controller hands a broker (`ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE`).
pub const PRODUCER_ID_BLOCK_SIZE: i64 = 1000;

/// The KRaft controller's state. The metadata log is replicated on the quorum, so one image is
/// shared by whichever voter is active; it only changes while a controller has a majority.
#[derive(Clone, Debug)]
pub(crate) struct Controller {
    pub voters: Vec<BrokerId>,
    pub active: Option<BrokerId>,
    pub election_due_ms: Option<i64>,
    pub topics: BTreeMap<u32, TopicMeta>,
    pub by_name: BTreeMap<String, u32>,
    pub next_topic_idx: u32,
    pub regs: BTreeMap<BrokerId, BrokerReg>,
    /// The controllers' server.properties (static broker configs): the lowest layer under the
    /// dynamic ones when topic settings and broker switches resolve.
    pub static_configs: BTreeMap<String, String>,
    pub dynamic_broker_configs: BTreeMap<String, String>,
    /// Per-broker dynamic configs (`kafka-configs --entity-name <id>`): DYNAMIC_BROKER_CONFIG.
    /// Described and kept; topic settings still resolve from the cluster-wide layers only.
    pub per_broker_configs: BTreeMap<BrokerId, BTreeMap<String, String>>,
    pub version: u64,
    pub next_unclean_check_ms: i64,
    /// When the next automatic preferred-leader election runs: set `leader.imbalance.check.interval.seconds`
    /// after the controller first sees a partition led by another than its preferred replica
    /// (KRaft's `maybeScheduleNextBalancePartitionLeaders`), cleared when it runs.
    pub balance_leaders_at_ms: Option<i64>,
    /// (tp, leader epoch) -> leader, for the one-leader-per-epoch invariant.
    pub epoch_leaders: BTreeMap<(Tp, i32), BrokerId>,
    /// The first id of the next producer id block (`ProducerIdControlManager`'s
    /// `nextProducerBlock`, written as a `ProducerIdsRecord` when a block is handed out).
    pub next_producer_id: i64,
}

impl Controller {
    /// A formed cluster's controller: `brokers` all registered and unfenced, the voters the first
    /// min(3, n) brokers, the first voter active.
    pub(crate) fn new(brokers: &[BrokerId], static_configs: BTreeMap<String, String>, first_unclean_check_ms: i64) -> Controller {
        let regs = brokers.iter().map(|&id| (id, BrokerReg { incarnation: 1, fenced: false, in_controlled_shutdown: false, last_heartbeat_ms: 0 })).collect();
        let voters: Vec<BrokerId> = brokers.iter().copied().take(3).collect();
        Controller {
            active: voters.first().copied(),
            voters,
            election_due_ms: None,
            topics: BTreeMap::new(),
            by_name: BTreeMap::new(),
            next_topic_idx: 0,
            regs,
            static_configs,
            dynamic_broker_configs: BTreeMap::new(),
            per_broker_configs: BTreeMap::new(),
            version: 0,
            next_unclean_check_ms: first_unclean_check_ms,
            balance_leaders_at_ms: None,
            epoch_leaders: BTreeMap::new(),
            next_producer_id: 0,
        }
    }

    /// A broker config as this controller resolves it: the dynamic cluster-wide value, else
    /// server.properties, else the built-in default.
    fn broker_config(&self, name: &str) -> Option<String> {
        let own = self.dynamic_broker_configs.get(name).or_else(|| self.static_configs.get(name)).cloned();
        own.or_else(|| super::super::config::broker_config_def(name).map(|(d, _)| d.default.to_string()))
    }

    pub(crate) fn broker_bool(&self, name: &str) -> bool {
        self.broker_config(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    pub(crate) fn broker_int(&self, name: &str) -> i64 {
        self.broker_config(name).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
    }

    /// A topic's settings from its overrides over the broker layers.
    pub(crate) fn topic_settings_for(&self, overrides: &BTreeMap<String, String>) -> TopicSettings {
        TopicSettings::resolve(overrides, &self.dynamic_broker_configs, &self.static_configs)
    }

    /// Registered, unfenced and not in controlled shutdown.
    pub(crate) fn broker_active(&self, b: BrokerId) -> bool {
        self.regs.get(&b).is_some_and(|r| !r.fenced && !r.in_controlled_shutdown)
    }

    pub(crate) fn partition(&self, tp: Tp) -> Option<&PartitionMeta> {
        self.topics.get(&tp.topic)?.partitions.get(usize::try_from(tp.partition).ok()?)
    }

    pub(crate) fn majority(&self) -> usize {
        self.voters.len() / 2 + 1
    }
}

impl Controller {
    /// The controller's own invariants on one partition it just changed (debug builds): the
    /// leader is in the ISR (an unclean election makes the ISR the new leader alone), the ISR is
    /// within the replicas, and the leader is the one recorded for its epoch (one leader per
    /// partition epoch).
    pub(crate) fn debug_check_partition(&self, tp: Tp) {
        let Some(pm) = self.partition(tp) else { return };
        debug_assert!(pm.isr.iter().all(|b| pm.replicas.contains(b)), "{tp:?}: ISR {:?} outside the replicas {:?}", pm.isr, pm.replicas);
        if let Some(l) = pm.leader {
            debug_assert!(pm.isr.contains(&l), "{tp:?}: leader {l} not in the ISR {:?}", pm.isr);
            let recorded = self.epoch_leaders.get(&(tp, pm.leader_epoch));
            debug_assert_eq!(recorded, Some(&l), "{tp:?}: epoch {} has another leader", pm.leader_epoch);
        }
    }
}
