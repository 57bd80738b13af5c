//! What a broker holds: its process state, its disk (one replica log per partition), its view of
//! the metadata image (topics, configs, partitions, as metadata records told it), the follower's
//! fetchers and the leader's purgatories. The handlers are in `broker` (issue 21: the broker is a
//! node; only it writes this state, through a `Ctx`).

use std::collections::BTreeMap;
use std::rc::Rc;
use crate::engine::config::TopicSettings;
use crate::engine::ids::{BrokerId, Tp};
use crate::engine::log::PartitionLog;
use crate::engine::assignor::TopicPartition;
use crate::engine::msg::{FetchPart, Isolation, PartitionMeta};

/// `broker.heartbeat.interval.ms`.
pub const BROKER_HEARTBEAT_INTERVAL_MS: i64 = 2_000;
/// `replica.lag.time.max.ms`.
pub const REPLICA_LAG_TIME_MAX_MS: i64 = 30_000;
/// `replica.fetch.wait.max.ms`: long-poll time of follower fetches.
pub const REPLICA_FETCH_WAIT_MAX_MS: i64 = 500;
/// `replica.socket.timeout.ms`: a follower resends a fetch that got no answer after this.
pub const REPLICA_FETCH_TIMEOUT_MS: i64 = 30_000;
/// `replica.fetch.max.bytes` (per partition).
pub const REPLICA_FETCH_MAX_BYTES: u64 = 1_048_576;
/// `replica.fetch.response.max.bytes` (whole fetch response, every partition together).
pub const REPLICA_FETCH_RESPONSE_MAX_BYTES: u64 = 10 * 1_048_576;
/// `replica.fetch.backoff.ms`: a partition whose fetch failed sits out this long; a fetcher with
/// no partition ready waits this long (or until one is ready).
pub const REPLICA_FETCH_BACKOFF_MS: i64 = 1_000;
/// The leader resends an unanswered AlterPartition after this.
pub const ALTER_PARTITION_RETRY_MS: i64 = 1_000;

/// Process state of a broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProcessState {
    Running,
    /// Controlled shutdown in progress (leadership being moved away).
    ShuttingDown,
    /// Killed (kill -9): the disk survives.
    Crashed,
    /// Stopped after a controlled shutdown.
    Stopped,
}

/// A broker's local replica of one partition. The log is on disk and survives crashes; the
/// rest is process memory.
#[derive(Clone, Debug)]
pub struct Replica {
    pub log: PartitionLog,
    pub(crate) vol: ReplicaVolatile,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct FollowerProgress {
    pub leo: i64,
    pub last_caught_up_ms: i64,
    pub last_fetch_ms: i64,
    pub last_fetch_leader_leo: i64,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct ReplicaVolatile {
    /// Leader epoch this replica last acted on (its role is in the broker's metadata view).
    pub leader_epoch: i32,
    pub is_leader: bool,
    pub epoch_start_offset: i64,
    pub followers: BTreeMap<BrokerId, FollowerProgress>,
    pub pending_isr: Option<(Vec<BrokerId>, i64)>,
    /// Follower: the leader it fetches from has been validated (truncation done) for this epoch.
    pub truncated_for_epoch: Option<i32>,
}

/// A follower FetchRequest the leader holds in its purgatory (`DelayedFetch`): nothing to return
/// yet for any of its partitions. `parts` is sorted by partition.
#[derive(Clone, Debug)]
pub(crate) struct ParkedFetch {
    pub follower: BrokerId,
    pub fetch_id: u64,
    pub parts: Vec<FetchPart>,
}

/// Follower side: the `ReplicaFetcherThread` for one source broker (`num.replica.fetchers=1`):
/// every partition this broker replicates from that leader goes in one FetchRequest.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fetcher {
    /// Partitions fetched from this leader -> the time from which they may be fetched (later than
    /// now while backing off after an error).
    pub parts: BTreeMap<Tp, i64>,
    /// The request in flight: its id and what it asked for (sorted by partition).
    pub in_flight: Option<(u64, Vec<FetchPart>)>,
    /// When a backoff wake-up is scheduled (no partition was ready to fetch).
    pub backoff_until_ms: Option<i64>,
    /// A slow broker (`sim slow`): when its held next fetch may go out.
    pub slow_until_ms: Option<i64>,
}

#[derive(Clone, Debug)]
pub(crate) struct PendingProduce {
    pub producer: u32,
    pub req_id: u64,
    pub required_offset: i64,
    pub base_offset: i64,
    pub append_time: i64,
}

/// A consumer fetch parked on a leader until data arrives or its wait expires.
#[derive(Clone, Debug)]
pub(crate) struct ParkedConsumerFetch {
    pub consumer: u32,
    pub req_id: u64,
    pub parts: Vec<(TopicPartition, i64)>,
    pub isolation: Isolation,
    pub max_partition_bytes: u64,
}

/// One broker: process state, its disk (replica logs) and its metadata view.
#[derive(Clone, Debug)]
pub(crate) struct Broker {
    pub id: BrokerId,
    pub process: ProcessState,
    pub isolated: bool,
    pub incarnation: u64,
    pub replicas: BTreeMap<Tp, Replica>,
    /// This broker's view of the metadata image (may be stale).
    pub view: BTreeMap<Tp, PartitionMeta>,
    pub view_topics: BTreeMap<u32, Rc<str>>,
    /// The topics' configs as the broker last learned them (from their metadata records).
    pub view_settings: BTreeMap<u32, TopicSettings>,
    pub view_version: u64,
    /// Leader: follower fetches waiting for data (`replica.fetch.wait.max.ms`).
    pub parked_fetches: Vec<ParkedFetch>,
    /// Follower: one fetcher per leader broker it replicates from.
    pub fetchers: BTreeMap<BrokerId, Fetcher>,
    pub purgatory: BTreeMap<Tp, Vec<PendingProduce>>,
    /// Leader: consumer fetches waiting for data (`fetch.max.wait.ms`).
    pub parked_consumer_fetches: Vec<ParkedConsumerFetch>,
    pub shutdown_deadline_ms: Option<i64>,
    /// A slow broker (slow disk or link): every replica fetch it sends waits this long first.
    /// 0 = normal. Its heartbeats and client traffic are not slowed, so it stays registered.
    pub slow_ms: i64,
}

impl Broker {
    /// A broker process just started for the first time: running, empty disk, no metadata yet.
    pub(crate) fn fresh(id: BrokerId) -> Broker {
        Broker {
            id,
            process: ProcessState::Running,
            isolated: false,
            incarnation: 1,
            replicas: BTreeMap::new(),
            view: BTreeMap::new(),
            view_topics: BTreeMap::new(),
            view_settings: BTreeMap::new(),
            view_version: 0,
            parked_fetches: Vec::new(),
            fetchers: BTreeMap::new(),
            purgatory: BTreeMap::new(),
            parked_consumer_fetches: Vec::new(),
            shutdown_deadline_ms: None,
            slow_ms: 0,
        }
    }
}
