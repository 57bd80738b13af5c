//! What the transaction coordinators and transactional clients hold: `__transaction_state`'s
//! entries per loaded shard, pending writes and markers, producer id blocks, and each
//! transactional producer's `TransactionManager` state. The handlers are in `txn/coordinator.rs`
//! and `txn/client.rs`.

use super::super::assignor::TopicPartition;
use super::super::error::{ErrorCode, KResult, KafkaError};
use super::super::group::state::TopicForward;
use super::super::ids::BrokerId;
use std::collections::{BTreeMap, BTreeSet};

/// `TransactionState` as the Admin client names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TransactionState {
    Empty,
    Ongoing,
    PrepareCommit,
    PrepareAbort,
    CompleteCommit,
    CompleteAbort,
    Dead,
    PrepareEpochFence,
}

impl TransactionState {
    pub fn name(self) -> &'static str {
        match self {
            TransactionState::Empty => "Empty",
            TransactionState::Ongoing => "Ongoing",
            TransactionState::PrepareCommit => "PrepareCommit",
            TransactionState::PrepareAbort => "PrepareAbort",
            TransactionState::CompleteCommit => "CompleteCommit",
            TransactionState::CompleteAbort => "CompleteAbort",
            TransactionState::Dead => "Dead",
            TransactionState::PrepareEpochFence => "PrepareEpochFence",
        }
    }
    pub(super) fn code(self) -> u8 {
        self as u8
    }
    pub(super) fn from_code(c: u8) -> Option<TransactionState> {
        use TransactionState::*;
        [Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, Dead, PrepareEpochFence].get(c as usize).copied()
    }
}

/// One row of ListTransactions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionListing {
    pub transactional_id: String,
    pub coordinator: BrokerId,
    pub producer_id: i64,
    pub state: TransactionState,
}

/// DescribeTransactions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionDescription {
    pub coordinator: BrokerId,
    pub transactional_id: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub state: TransactionState,
    pub timeout_ms: i64,
    /// None unless a transaction has started.
    pub start_time_ms: Option<i64>,
    pub partitions: Vec<TopicPartition>,
}

/// A transaction's metadata on its coordinator (`TransactionMetadata`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TxnMeta {
    pub producer_id: i64,
    pub epoch: i16,
    pub timeout_ms: i64,
    pub state: TransactionState,
    pub partitions: BTreeSet<(String, i32)>,
    pub start_ms: i64,
    pub update_ms: i64,
}

pub(super) fn encode_meta(m: &TxnMeta) -> Vec<u8> {
    let parts: Vec<String> = m.partitions.iter().map(|(t, p)| format!("{t}:{p}")).collect();
    format!("{}|{}|{}|{}|{}|{}|{}", m.producer_id, m.epoch, m.timeout_ms, m.state.code(), m.start_ms, m.update_ms, parts.join(",")).into_bytes()
}

pub(super) fn decode_meta(v: &[u8]) -> Option<TxnMeta> {
    let s = std::str::from_utf8(v).ok()?;
    let f: Vec<&str> = s.split('|').collect();
    if f.len() != 7 {
        return None;
    }
    let mut partitions = BTreeSet::new();
    for tp in f[6].split(',').filter(|x| !x.is_empty()) {
        let (t, p) = tp.rsplit_once(':')?;
        partitions.insert((t.to_string(), p.parse().ok()?));
    }
    Some(TxnMeta {
        producer_id: f[0].parse().ok()?,
        epoch: f[1].parse().ok()?,
        timeout_ms: f[2].parse().ok()?,
        state: TransactionState::from_code(f[3].parse().ok()?)?,
        start_ms: f[4].parse().ok()?,
        update_ms: f[5].parse().ok()?,
        partitions,
    })
}

/// One broker's transactions of one `__transaction_state` partition.
#[derive(Clone, Debug)]
pub(crate) struct TxnShard {
    pub id: u64,
    pub incarnation: u64,
    /// The partition's leader epoch: the coordinator epoch markers carry.
    pub leader_epoch: i32,
    pub txns: BTreeMap<String, TxnMeta>,
    /// `__transaction_state`'s index in the host's metadata view when the shard was loaded.
    pub topic: u32,
    /// Transactions with a state write in flight.
    pub writing: BTreeSet<String>,
    /// Markers still to write per transaction (commit?, partitions).
    pub markers_left: BTreeMap<String, (bool, BTreeSet<(String, i32)>)>,
}

#[derive(Clone, Debug)]
pub(super) enum Then {
    ReplyInit { client: u32, req_id: u64 },
    Reply { client: u32, req_id: u64 },
    /// PrepareCommit/PrepareAbort written: answer (if a client asked) and write the markers.
    Markers { reply: Option<(u32, u64)> },
    Nothing,
}

#[derive(Clone, Debug)]
pub(super) struct TxnAppend {
    pub(super) partition: i32,
    pub(super) shard_id: u64,
    pub(super) txn_id: String,
    pub(super) meta: TxnMeta,
    pub(super) then: Then,
}

#[derive(Clone, Debug)]
pub(super) struct MarkerWrite {
    pub(super) partition: i32,
    pub(super) shard_id: u64,
    pub(super) txn_id: String,
    pub(super) tp: (String, i32),
}

/// One broker's transaction coordinator (a node: its handlers are in `txn/coordinator.rs`): the
/// `__transaction_state` partitions it leads and loaded, its writes and markers in flight, and
/// its producer id block.
#[derive(Clone, Debug)]
pub(crate) struct TxnCoordinator {
    /// The host broker.
    pub broker: BrokerId,
    /// Loaded shards by transaction log partition.
    pub shards: BTreeMap<i32, TxnShard>,
    pub(super) appends: BTreeMap<u64, TxnAppend>,
    pub(super) markers: BTreeMap<u64, MarkerWrite>,
    /// The host's producer id manager (its blocks from the controller).
    pub(super) pids: PidManager,
    /// The host's CreateTopics for `__transaction_state` in flight (`inflightTopics`).
    pub(super) topic_forward: Option<TopicForward>,
}

/// A block of producer ids from the controller (`ProducerIdsBlock`) and the next id to claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PidBlock {
    pub(super) first: i64,
    pub(super) len: i64,
    pub(super) next: i64,
}

/// A broker's `RPCProducerIdManager`: the block ids are claimed from, the next block (fetched
/// ahead), and its AllocateProducerIds request in flight. A new incarnation starts with none.
#[derive(Clone, Debug, Default)]
pub(super) struct PidManager {
    /// The host incarnation these blocks belong to.
    pub(super) incarnation: u64,
    pub(super) current: Option<PidBlock>,
    pub(super) next: Option<PidBlock>,
    /// When the request in flight was sent.
    pub(super) request_sent_ms: Option<i64>,
    /// No request before this time (after an error answer).
    pub(super) backoff_until_ms: i64,
}

impl TxnCoordinator {
    pub(crate) fn new(broker: BrokerId) -> TxnCoordinator {
        TxnCoordinator { broker, shards: BTreeMap::new(), appends: BTreeMap::new(), markers: BTreeMap::new(), pids: PidManager::default(), topic_forward: None }
    }
}

/// All transaction-related state of the cluster.
#[derive(Clone, Debug, Default)]
pub(crate) struct Txns {
    /// The transaction coordinator of each broker that has hosted one.
    pub coordinators: BTreeMap<BrokerId, TxnCoordinator>,
    pub(super) tick_scheduled: bool,
}

// ---------------------------------------------------------------------------------------------
// Client side
// ---------------------------------------------------------------------------------------------

/// `TransactionManager.State`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnClientState {
    Uninitialized,
    Initializing,
    Ready,
    InTransaction,
    CommittingTransaction,
    AbortingTransaction,
    AbortableError,
    FatalError,
}

impl TxnClientState {
    pub fn java_name(self) -> &'static str {
        match self {
            TxnClientState::Uninitialized => "UNINITIALIZED",
            TxnClientState::Initializing => "INITIALIZING",
            TxnClientState::Ready => "READY",
            TxnClientState::InTransaction => "IN_TRANSACTION",
            TxnClientState::CommittingTransaction => "COMMITTING_TRANSACTION",
            TxnClientState::AbortingTransaction => "ABORTING_TRANSACTION",
            TxnClientState::AbortableError => "ABORTABLE_ERROR",
            TxnClientState::FatalError => "FATAL_ERROR",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TxnReq {
    FindTxn,
    FindGroup,
    Init,
    AddPartitions,
    AddOffsets,
    OffsetCommit,
    End,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum TxnOp {
    Init,
    SendOffsets,
    End { commit: bool },
}

#[derive(Clone, Debug)]
pub(super) struct PendingOffsets {
    pub(super) group: String,
    pub(super) offsets: Vec<(TopicPartition, i64)>,
    pub(super) added: bool,
}

/// A transactional producer's `TransactionManager`.
#[derive(Clone, Debug)]
pub(crate) struct TxnClient {
    pub id: String,
    pub timeout_ms: i64,
    pub state: TxnClientState,
    pub last_error: Option<KafkaError>,
    pub(super) coordinator: Option<BrokerId>,
    pub(super) group_coordinator: Option<(String, BrokerId)>,
    pub(super) inflight: Option<(u64, TxnReq, i64, Vec<(String, i32)>)>,
    pub(super) retry_at_ms: i64,
    pub(super) added: BTreeSet<(String, i32)>,
    pub(super) pending_add: BTreeSet<(String, i32)>,
    pub(super) offsets: Option<PendingOffsets>,
    pub(super) op: Option<TxnOp>,
    pub(super) result: Option<KResult<()>>,
    pub(super) started: bool,
}

pub(super) fn illegal(msg: String) -> KafkaError {
    KafkaError::new(ErrorCode::INVALID_TXN_STATE, msg)
}

impl TxnClient {
    pub fn new(id: &str, timeout_ms: i64) -> TxnClient {
        TxnClient {
            id: id.to_string(),
            timeout_ms,
            state: TxnClientState::Uninitialized,
            last_error: None,
            coordinator: None,
            group_coordinator: None,
            inflight: None,
            retry_at_ms: 0,
            added: BTreeSet::new(),
            pending_add: BTreeSet::new(),
            offsets: None,
            op: None,
            result: None,
            started: false,
        }
    }

    pub(super) fn transition_error(&self, to: TxnClientState) -> KafkaError {
        illegal(format!("TransactionalId {}: Invalid transition attempted from state {} to state {}", self.id, self.state.java_name(), to.java_name()))
    }

    /// `maybeFailWithError`.
    pub(super) fn maybe_fail(&self, pid: i64, epoch: i16) -> KResult<()> {
        if !matches!(self.state, TxnClientState::AbortableError | TxnClientState::FatalError) {
            return Ok(());
        }
        let e = self.last_error.clone().unwrap_or_else(|| KafkaError::of(ErrorCode::UNKNOWN_SERVER_ERROR));
        Err(match e.code {
            ErrorCode::PRODUCER_FENCED => KafkaError::new(
                ErrorCode::PRODUCER_FENCED,
                format!("Producer with transactionalId '{}' and (producerId={pid}, epoch={epoch}) has been fenced by another producer with the same transactionalId", self.id),
            ),
            ErrorCode::INVALID_PRODUCER_EPOCH => KafkaError::new(
                ErrorCode::INVALID_PRODUCER_EPOCH,
                format!("Producer with transactionalId '{}' and (producerId={pid}, epoch={epoch}) attempted to produce with an old epoch", self.id),
            ),
            code => KafkaError::new(code, format!("Cannot execute transactional method because we are in an error state: {}", e.message)),
        })
    }

    /// Checks made when a record is partitioned (`maybeAddPartition`); registers the partition.
    pub(crate) fn add_partition(&mut self, tp: &(String, i32), pid: i64, epoch: i16) -> KResult<()> {
        self.maybe_fail(pid, epoch)?;
        if pid < 0 {
            return Err(illegal(format!("Cannot add partition {}-{} to transaction before completing a call to initTransactions", tp.0, tp.1)));
        }
        // A record sent before commitTransaction may reach the accumulator after it (it waited
        // for metadata, which a Java send() does before returning).
        if !matches!(self.state, TxnClientState::InTransaction | TxnClientState::CommittingTransaction) {
            return Err(illegal(format!("Cannot add partition {}-{} to transaction while in state  {}", tp.0, tp.1, self.state.java_name())));
        }
        if !self.added.contains(tp) {
            self.pending_add.insert(tp.clone());
        }
        Ok(())
    }

    pub(crate) fn partition_added(&self, tp: &(String, i32)) -> bool {
        self.added.contains(tp)
    }

    /// A sent batch failed for good: the transaction can only be aborted now.
    pub(crate) fn batch_failed(&mut self, e: &KafkaError) {
        let fatal = matches!(e.code, ErrorCode::PRODUCER_FENCED | ErrorCode::TRANSACTION_COORDINATOR_FENCED);
        if self.state == TxnClientState::FatalError {
            return;
        }
        if fatal {
            self.state = TxnClientState::FatalError;
        } else if matches!(self.state, TxnClientState::InTransaction | TxnClientState::CommittingTransaction) {
            self.state = TxnClientState::AbortableError;
        } else {
            return;
        }
        self.last_error = Some(e.clone());
    }
}
