//! Messages between nodes and the timers they set: what the Cluster's event loop carries and
//! routes. Nodes speak only through these; the types here name ids, logs and assignor types,
//! never a node's state.

use super::assignor::{Member, Strategy, Subscription, TopicPartition};
use super::config::TopicSettings;
use super::error::{ErrorCode, KafkaError};
use super::ids::{BrokerId, Tp};
use super::log::{Batch, CompletedTxn, Record, RecordRef, RecordsData};
use std::collections::BTreeMap;
use std::rc::Rc;

// ---------------------------------------------------------------------------------------------
// Cluster traffic and timers
// ---------------------------------------------------------------------------------------------

/// The controller's record of one partition (the metadata image).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionMeta {
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub leader_epoch: i32,
    pub partition_epoch: i32,
    /// After an unclean election (`LeaderRecoveryState.RECOVERING`).
    pub recovering: bool,
}

/// One topic of a forwarded CreateTopics (Kafka's `CreatableTopic`): None partitions or
/// replication factor take the controller's defaults (`num.partitions`,
/// `default.replication.factor`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatableTopic {
    pub name: String,
    pub partitions: Option<i32>,
    pub replication_factor: Option<i16>,
    pub configs: Vec<(String, String)>,
}

impl CreatableTopic {
    /// A topic with the controller's defaults (what a Metadata request's auto-creation asks).
    pub fn named(name: String) -> CreatableTopic {
        CreatableTopic { name, partitions: None, replication_factor: None, configs: Vec::new() }
    }
}

/// A topic as the metadata log records it: its TopicRecord (id, name) with its ConfigRecords,
/// resolved into the settings a broker acts on (min ISR, segments, retention, cleanup). A broker
/// knows a topic only from these.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TopicRecord {
    pub idx: u32,
    pub name: Rc<str>,
    pub settings: TopicSettings,
}

/// One partition of a follower's FetchRequest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FetchPart {
    pub tp: Tp,
    pub offset: i64,
    pub last_epoch: Option<i32>,
    pub leader_epoch: i32,
}

/// Where a message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Dest {
    Broker(BrokerId),
    /// Whichever broker is the active controller at delivery time (must be the one it was sent to).
    Controller(BrokerId),
    Client(u32),
}

#[derive(Clone, Debug)]
pub(crate) enum FetchResult {
    Data { batches: Vec<Rc<Batch>>, high_watermark: i64, log_start_offset: i64 },
    Diverging { epoch: i32, end_offset: i64 },
    /// OFFSET_OUT_OF_RANGE with the leader's bounds (the follower resets to them).
    OutOfRange { log_start_offset: i64, log_end_offset: i64 },
    #[allow(dead_code)]
    Error(ErrorCode),
}

#[derive(Clone, Debug)]
pub(crate) struct TopicAnswer {
    pub name: String,
    /// The topic's id in the answering broker's metadata (None with an error).
    pub index: Option<u32>,
    pub error: Option<ErrorCode>,
    /// Per partition: leader (None = no leader).
    pub leaders: Vec<Option<BrokerId>>,
}

#[derive(Clone, Debug)]
pub(crate) enum Msg {
    Heartbeat { broker: BrokerId, incarnation: u64, view_version: u64 },
    ControlledShutdown { broker: BrokerId, incarnation: u64 },
    ControlledShutdownDone,
    AlterPartition { broker: BrokerId, tp: Tp, leader_epoch: i32, partition_epoch: i32, new_isr: Vec<BrokerId> },
    /// The controller's answer: the partition epoch it committed, or None (rejected).
    AlterPartitionDone { tp: Tp, committed_epoch: Option<i32> },
    /// A metadata delta (or, `full`, a snapshot): topics added or whose configs changed, topics
    /// deleted, partition states.
    Metadata { from_version: u64, to_version: u64, full: bool, topics: Vec<TopicRecord>, deleted_topics: Vec<u32>, parts: Vec<(Tp, PartitionMeta)> },
    /// A follower's FetchRequest: every partition it replicates from the receiving leader.
    Fetch { follower: BrokerId, fetch_id: u64, parts: Vec<FetchPart> },
    FetchResp { leader: BrokerId, fetch_id: u64, parts: Vec<(Tp, FetchResult)> },
    Produce { producer: u32, req_id: u64, tp: Tp, data: Rc<RecordsData>, acks: i16, timeout_ms: i64 },
    ProduceResp { req_id: u64, result: Result<(i64, i64), KafkaError> },
    MetadataReq { producer: u32, req_id: u64, topics: Vec<String> },
    /// A broker forwards CreateTopics to the active controller (KRaft's
    /// `AutoTopicCreationManager`): topics a Metadata request named that it does not know, with
    /// the defaults, or a coordinator's internal topic with its own settings. `reply`: the
    /// internal client id and request id the controller answers (a coordinator that keeps the
    /// creation in flight until then), None when nobody waits.
    CreateTopicsForward { topics: Vec<CreatableTopic>, reply: Option<(u32, u64)> },
    /// The controller's answer to a forwarded CreateTopics that asked for one (whatever each
    /// topic's outcome: the forwarder only logs it).
    CreateTopicsResp { req_id: u64 },
    /// A broker's transaction coordinator asks the active controller for a block of producer
    /// ids (`AllocateProducerIdsRequest`, from its `RPCProducerIdManager`); the answer is
    /// [`TxnMsg::AllocateProducerIdsResp`].
    AllocateProducerIds { broker: BrokerId, incarnation: u64 },
    MetadataResp { req_id: u64, topics: Vec<TopicAnswer> },
    /// Consumer group and consumer fetch traffic (see [`super::group`]).
    Group(Box<GroupMsg>),
    /// Transaction protocol traffic (see [`super::txn`]).
    Txn(Box<TxnMsg>),
}

#[derive(Clone, Debug)]
pub(crate) enum Ev {
    Deliver { from: Option<BrokerId>, from_incarnation: u64, to: Dest, incarnation: u64, msg: Msg },
    BrokerHeartbeat { broker: BrokerId, incarnation: u64 },
    BrokerIsrCheck { broker: BrokerId, incarnation: u64 },
    ControllerTick,
    FetchExpire { leader: BrokerId, incarnation: u64, fetch_id: u64 },
    FollowerFetchTimeout { broker: BrokerId, incarnation: u64, leader: BrokerId, fetch_id: u64 },
    /// A follower's fetcher had no partition ready: try again.
    FetcherBackoff { broker: BrokerId, incarnation: u64, leader: BrokerId },
    /// A slow broker's held fetch may go out.
    SlowFetchDue { broker: BrokerId, incarnation: u64, leader: BrokerId },
    ProduceExpire { leader: BrokerId, incarnation: u64, tp: Tp, req_id: u64 },
    ShutdownTimeout { broker: BrokerId, incarnation: u64 },
    ProducerWake { producer: u32 },
    /// An iteration of a broker's log cleaner thread (`log.cleaner.backoff.ms` when idle).
    LogCleanerWake { broker: BrokerId, incarnation: u64 },
    /// The broker's `kafka-log-retention` task (`log.retention.check.interval.ms`).
    LogRetentionCheck { broker: BrokerId, incarnation: u64 },
    /// Group coordinator and consumer timers.
    Group(GroupEv),
    /// Transaction coordinator timers.
    Txn(TxnEv),
    /// A sandbox app's poll loop (see [`super::app`]).
    AppTick { name: String, instance: u32 },
}

// ---------------------------------------------------------------------------------------------
// Consumer fetch and list-offsets (the public API of the broker side)
// ---------------------------------------------------------------------------------------------

/// Isolation level of a consumer fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Isolation {
    #[default]
    ReadUncommitted,
    ReadCommitted,
}

/// A consumer fetch for one partition.
#[derive(Clone, Debug)]
pub struct FetchRequest {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub max_records: usize,
    pub max_bytes: u64,
    pub isolation: Isolation,
}

impl FetchRequest {
    pub fn new(topic: &str, partition: i32, offset: i64) -> FetchRequest {
        FetchRequest { topic: topic.to_string(), partition, offset, max_records: usize::MAX, max_bytes: 52_428_800, isolation: Isolation::ReadUncommitted }
    }
}

/// The answer: whole batches (shared with the log) and the window of offsets to use from them.
#[derive(Clone, Debug)]
pub struct FetchResponse {
    pub batches: Vec<Rc<Batch>>,
    /// Records with offsets in `[first_offset, end_offset)` are the answer.
    pub first_offset: i64,
    pub end_offset: i64,
    pub high_watermark: i64,
    pub log_start_offset: i64,
    pub last_stable_offset: i64,
    pub leader: BrokerId,
    pub leader_epoch: i32,
    /// read_committed: the aborted transactions overlapping the answer (their data batches are
    /// not returned by [`FetchResponse::records`]). Empty for read_uncommitted.
    pub aborted: Vec<CompletedTxn>,
}

impl FetchResponse {
    /// Whether a batch belongs to an aborted transaction (read_committed drops it).
    pub fn is_aborted(&self, b: &Batch) -> bool {
        let info = &b.data.producer;
        info.transactional
            && info.control.is_none()
            && self.aborted.iter().any(|t| t.producer_id == info.producer_id && t.first_offset <= b.base_offset && b.base_offset < t.last_offset)
    }
    /// The records of the answer: control batches hold none, and read_committed skips aborted
    /// transactions' batches.
    pub fn records(&self) -> impl Iterator<Item = RecordRef<'_>> {
        let (a, b) = (self.first_offset, self.end_offset);
        self.batches.iter().filter(|bt| !self.is_aborted(bt)).flat_map(|bt| bt.records()).filter(move |r| r.offset >= a && r.offset < b)
    }
    pub fn to_records(&self) -> Vec<Record> {
        self.records().map(|r| r.to_owned_record()).collect()
    }
    pub fn record_count(&self) -> usize {
        self.batches
            .iter()
            .filter(|b| !self.is_aborted(b))
            .map(|b| {
                if b.is_dense() {
                    let lo = b.base_offset.max(self.first_offset);
                    let hi = b.next_offset().min(self.end_offset);
                    (hi - lo).max(0) as usize
                } else {
                    b.records().filter(|r| r.offset >= self.first_offset && r.offset < self.end_offset).count()
                }
            })
            .sum()
    }
}

/// What `list_offsets` looks up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetSpec {
    Earliest,
    /// The high watermark (read_uncommitted).
    Latest,
    /// First offset with timestamp >= this.
    Timestamp(i64),
}

// ---------------------------------------------------------------------------------------------
// Consumer groups (wrapped in `Msg::Group` and `Ev::Group`)
// ---------------------------------------------------------------------------------------------

/// JoinGroup's successful answer.
#[derive(Clone, Debug)]
pub(crate) struct JoinOk {
    pub generation: i32,
    pub protocol: Strategy,
    pub leader: String,
    pub member_id: String,
    /// Only for the leader: every member with its subscription for the selected protocol, in join order.
    pub members: Vec<Member>,
}

/// Messages between consumers and brokers (wrapped in `Msg::Group`).
#[derive(Clone, Debug)]
pub(crate) enum GroupMsg {
    FindCoordinator { consumer: u32, req_id: u64, group: String },
    FindCoordinatorResp { req_id: u64, result: Result<BrokerId, ErrorCode> },
    Join { consumer: u32, req_id: u64, group: String, member_id: String, client_id: String, host: String, session_timeout_ms: i64, rebalance_timeout_ms: i64, protocols: Vec<(Strategy, Subscription)> },
    JoinResp { req_id: u64, result: Result<JoinOk, (ErrorCode, String)> },
    Sync { consumer: u32, req_id: u64, group: String, member_id: String, generation: i32, assignment: Option<BTreeMap<String, Vec<TopicPartition>>> },
    SyncResp { req_id: u64, result: Result<Vec<TopicPartition>, ErrorCode> },
    Heartbeat { consumer: u32, req_id: u64, group: String, member_id: String, generation: i32 },
    HeartbeatResp { req_id: u64, error: Option<ErrorCode> },
    Leave { consumer: u32, req_id: u64, group: String, member_id: String },
    LeaveResp {
        #[allow(dead_code)]
        req_id: u64,
    },
    OffsetCommit { consumer: u32, req_id: u64, group: String, member_id: String, generation: i32, offsets: Vec<(TopicPartition, i64)> },
    OffsetCommitResp { req_id: u64, result: Result<(), ErrorCode> },
    OffsetFetch { consumer: u32, req_id: u64, group: String, partitions: Vec<TopicPartition> },
    OffsetFetchResp { req_id: u64, result: Result<Vec<(TopicPartition, i64)>, ErrorCode> },
    Fetch { consumer: u32, req_id: u64, parts: Vec<(TopicPartition, i64)>, isolation: Isolation, max_wait_ms: i64, max_partition_bytes: u64 },
    FetchResp { req_id: u64, parts: Vec<(TopicPartition, Result<FetchResponse, KafkaError>)> },
}

/// Timers (wrapped in `Ev::Group`).
#[derive(Clone, Debug)]
pub(crate) enum GroupEv {
    /// The join phase of a rebalance ends (delayed join or initial delay).
    JoinDeadline { broker: BrokerId, partition: i32, shard_id: u64, group: String, rebalance_seq: u64 },
    /// A member's session may have expired.
    SessionExpiry { broker: BrokerId, partition: i32, shard_id: u64, group: String, member_id: String, heartbeat_seq: u64 },
    /// A parked consumer fetch's wait is over.
    FetchExpire { broker: BrokerId, req_id: u64 },
    ConsumerWake { consumer: u32 },
}

// ---------------------------------------------------------------------------------------------
// Transactions (wrapped in `Msg::Txn` and `Ev::Txn`)
// ---------------------------------------------------------------------------------------------

/// Messages of the transaction protocol (wrapped in `Msg::Txn`).
#[derive(Clone, Debug)]
pub(crate) enum TxnMsg {
    FindCoordinator { producer: u32, req_id: u64, key: String, group: bool },
    FindCoordinatorResp { req_id: u64, result: Result<BrokerId, ErrorCode> },
    InitProducerId { producer: u32, req_id: u64, txn_id: Option<String>, timeout_ms: i64 },
    InitProducerIdResp { req_id: u64, result: Result<(i64, i16), KafkaError> },
    AddPartitions { producer: u32, req_id: u64, txn_id: String, pid: i64, epoch: i16, parts: Vec<(String, i32)> },
    AddOffsets { producer: u32, req_id: u64, txn_id: String, pid: i64, epoch: i16, group: String },
    EndTxn { producer: u32, req_id: u64, txn_id: String, pid: i64, epoch: i16, commit: bool },
    TxnOffsetCommit {
        producer: u32,
        req_id: u64,
        #[allow(dead_code)]
        txn_id: String, pid: i64, epoch: i16, group: String, offsets: Vec<(TopicPartition, i64)> },
    /// The answer to AddPartitions, AddOffsets, EndTxn and TxnOffsetCommit.
    Resp { req_id: u64, result: Result<(), KafkaError> },
    /// The controller's answer to [`Msg::AllocateProducerIds`]: the block's first id and length.
    AllocateProducerIdsResp { result: Result<(i64, i64), ErrorCode> },
}

/// Timers (wrapped in `Ev::Txn`).
#[derive(Clone, Debug)]
pub(crate) enum TxnEv {
    /// Abort timed-out transactions on every loaded shard.
    Tick,
    /// Resend the markers still missing for a transaction.
    MarkerRetry { broker: BrokerId, partition: i32, shard_id: u64, txn_id: String },
}
