//! The transaction coordinator as a node ([`TxnCoordinator`], one per broker): InitProducerId,
//! AddPartitionsToTxn/AddOffsetsToTxn, EndTxn, the markers, the abort of timed-out transactions,
//! and `__transaction_state` loading and writes. Its handlers read and write only its own shards,
//! read their host broker's replicas and metadata view (never the controller's state), and act
//! through a [`Ctx`] whose reachable brokers are the ones the host can reach (for markers).
//! Producer ids come in blocks the coordinator asks the active controller for by message
//! (`AllocateProducerIds`, as KRaft's `RPCProducerIdManager`). What the coordinators still share
//! through the Cluster is in [`TxnShared`].

use super::state::*;
use super::{TxnEv, TxnMsg, MARKER_RETRY_MS, MARKER_TIMEOUT_MS, TXN_ABORT_CHECK_INTERVAL_MS, TXN_MARKER_CLIENT, TXN_LOG_CLIENT, TXN_MAX_TIMEOUT_MS, TXN_PARTITIONS, TXN_TOPIC};
use crate::engine::assignor::coordinator_partition;
use crate::engine::cluster::{Broker, BrokerId, Dest, Ev, Msg, Tp};
use crate::engine::error::{ErrorCode, KafkaError};
use crate::engine::group::{coordinator_in_view, topic_in_view, txn_log_append_error, TopicForward, OFFSETS_COMMIT_TIMEOUT_MS};
use crate::engine::msg::CreatableTopic;
use crate::engine::log::{ControlType, PartitionLog, ProducerBatchInfo, RecordsData};
use crate::engine::node::Ctx;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// What the transaction coordinators share through the Cluster: the one abort-check timer.
pub(crate) struct TxnShared<'a> {
    pub tick_scheduled: &'a mut bool,
}

/// `ProducerIdManager.PidPrefetchThreshold`, in tenths: the next block is asked for once this
/// much of the current one is handed out.
const PID_PREFETCH_TENTHS: i64 = 9;
/// `ProducerIdManager.RetryBackoffMs`: no new request this long after an error answer.
const PID_RETRY_BACKOFF_MS: i64 = 50;
/// An AllocateProducerIds request unanswered this long was lost on the way (a round trip takes
/// a few ms): the next InitProducerId asks again, as the broker's channel to the controller
/// resends a request whose connection dropped.
const PID_REQUEST_RESEND_MS: i64 = 1_000;

/// Replays a transaction log partition (later records win, null values delete).
fn replay_txn_log(log: &PartitionLog) -> BTreeMap<String, TxnMeta> {
    let mut txns: BTreeMap<String, TxnMeta> = BTreeMap::new();
    for bt in log.all_batches() {
        for rec in bt.records() {
            let Some(key) = rec.key.and_then(|k| std::str::from_utf8(k).ok()) else { continue };
            match rec.value.and_then(decode_meta) {
                Some(m) => {
                    txns.insert(key.to_string(), m);
                }
                None => {
                    txns.remove(key);
                }
            }
        }
    }
    txns
}

/// Whether `from -> to` is a transition `TransactionMetadata` allows (checked on every write).
fn legal_transition(from: TransactionState, to: TransactionState) -> bool {
    use TransactionState::*;
    match to {
        Empty => matches!(from, Empty | CompleteCommit | CompleteAbort),
        Ongoing => matches!(from, Ongoing | Empty | CompleteCommit | CompleteAbort),
        PrepareCommit | PrepareAbort => matches!(from, Ongoing),
        CompleteCommit => matches!(from, PrepareCommit),
        CompleteAbort => matches!(from, PrepareAbort),
        Dead => matches!(from, Empty | CompleteCommit | CompleteAbort),
        PrepareEpochFence => matches!(from, Ongoing),
    }
}

/// A control batch (COMMIT or ABORT marker) of producer `meta`, stamped `now_wall_ms`.
fn marker_batch(meta: &TxnMeta, commit: bool, coordinator_epoch: i32, now_wall_ms: i64) -> RecordsData {
    let mut data = RecordsData::new();
    data.first_timestamp = now_wall_ms;
    data.max_timestamp = now_wall_ms;
    // A control record: key (version, type) 4 bytes, value (version, coordinator epoch) 6.
    data.size_bytes += 1 + 1 + 1 + 1 + 4 + 1 + 6 + 1;
    data.producer = ProducerBatchInfo {
        producer_id: meta.producer_id,
        producer_epoch: meta.epoch,
        base_sequence: -1,
        transactional: true,
        control: Some(if commit { ControlType::Commit } else { ControlType::Abort }),
        coordinator_epoch,
    };
    data
}

impl Txns {
    /// Broker `b`'s transaction coordinator (created on first use) and what the coordinators
    /// share, borrowed together for one handler call.
    pub(crate) fn coordinator(&mut self, b: BrokerId) -> (&mut TxnCoordinator, TxnShared<'_>) {
        let tc = self.coordinators.entry(b).or_insert_with(|| TxnCoordinator::new(b));
        (tc, TxnShared { tick_scheduled: &mut self.tick_scheduled })
    }
}

impl TxnCoordinator {
    /// Whether request `req_id` is one of this coordinator's writes to `__transaction_state`.
    pub(crate) fn owns_append(&self, req_id: u64) -> bool {
        self.appends.contains_key(&req_id)
    }

    /// Whether request `req_id` is one of this coordinator's markers.
    pub(crate) fn owns_marker(&self, req_id: u64) -> bool {
        self.markers.contains_key(&req_id)
    }

    fn reply(&self, ctx: &mut Ctx, client: u32, msg: TxnMsg) {
        ctx.send(Some(self.broker), Dest::Client(client), Msg::Txn(Box::new(msg)));
    }

    fn retry_timer(&self, ctx: &mut Ctx, delay_ms: i64, p: i32, sid: u64, txn_id: &str) {
        ctx.timer(delay_ms, Ev::Txn(TxnEv::MarkerRetry { broker: self.broker, partition: p, shard_id: sid, txn_id: txn_id.to_string() }));
    }

    pub(crate) fn shard(&mut self, p: i32, sid: u64) -> Option<&mut TxnShard> {
        self.shards.get_mut(&p).filter(|s| s.id == sid)
    }

    // ----- loading -----

    /// Makes sure the host coordinates transaction partition `p` and has loaded it; the shard
    /// id. A fresh load resumes the markers of transactions in PrepareCommit/PrepareAbort.
    pub(crate) fn load(&mut self, host: &Broker, ctx: &mut Ctx, shared: &mut TxnShared, p: i32) -> Result<u64, ErrorCode> {
        debug_assert_eq!(host.id, self.broker, "a coordinator reads only its own host");
        let leading = topic_in_view(host, TXN_TOPIC).and_then(|idx| {
            let tp = Tp { topic: idx, partition: p };
            host.replicas.get(&tp).filter(|r| r.vol.is_leader && host.view.get(&tp).is_some_and(|m| m.leader == Some(self.broker))).map(|r| (idx, r))
        });
        let Some((idx, r)) = leading else {
            self.shards.remove(&p);
            return Err(ErrorCode::NOT_COORDINATOR);
        };
        let (epoch, inc) = (r.vol.leader_epoch, host.incarnation);
        if let Some(s) = self.shards.get(&p).filter(|s| s.incarnation == inc && s.leader_epoch == epoch) {
            return Ok(s.id);
        }
        let txns = replay_txn_log(&r.log);
        let id = ctx.next_id();
        let resume: Vec<String> = txns.iter().filter(|(_, m)| matches!(m.state, TransactionState::PrepareCommit | TransactionState::PrepareAbort)).map(|(k, _)| k.clone()).collect();
        let markers_left = txns
            .iter()
            .filter(|(_, m)| matches!(m.state, TransactionState::PrepareCommit | TransactionState::PrepareAbort))
            .map(|(k, m)| (k.clone(), (m.state == TransactionState::PrepareCommit, m.partitions.clone())))
            .collect();
        self.shards.insert(p, TxnShard { id, topic: idx, incarnation: inc, leader_epoch: epoch, txns, writing: BTreeSet::new(), markers_left });
        if !*shared.tick_scheduled {
            *shared.tick_scheduled = true;
            ctx.timer(TXN_ABORT_CHECK_INTERVAL_MS, Ev::Txn(TxnEv::Tick));
        }
        for k in resume {
            self.send_markers(host, ctx, p, id, &k);
        }
        Ok(id)
    }

    fn shard_for(&mut self, host: &Broker, ctx: &mut Ctx, shared: &mut TxnShared, txn_id: &str) -> Result<(i32, u64), ErrorCode> {
        if txn_id.is_empty() {
            return Err(ErrorCode::INVALID_REQUEST);
        }
        let p = coordinator_partition(txn_id, TXN_PARTITIONS);
        self.load(host, ctx, shared, p).map(|id| (p, id))
    }

    // ----- FindCoordinator and the transaction log topic -----

    /// FindCoordinator for transactional id `txn_id`, answered from the host's metadata view:
    /// the leader of its `__transaction_state` partition. A host that does not know the topic
    /// asks the controller to create it (KafkaApis' `getOrCreateInternalTopic`) and answers
    /// COORDINATOR_NOT_AVAILABLE.
    pub(crate) fn on_find_coordinator(&mut self, host: &Broker, ctx: &mut Ctx, txn_id: &str, topic: impl FnOnce() -> CreatableTopic) -> Result<BrokerId, ErrorCode> {
        debug_assert_eq!(host.id, self.broker, "a coordinator reads only its own host");
        let p = coordinator_partition(txn_id, TXN_PARTITIONS);
        if let Some(found) = coordinator_in_view(host, TXN_TOPIC, p) {
            return found;
        }
        self.forward_txn_topic(host, ctx, topic);
        Err(ErrorCode::COORDINATOR_NOT_AVAILABLE)
    }

    /// Forwards CreateTopics for `__transaction_state` (`topic`: its partitions, replication
    /// factor and configs, as `AutoTopicCreationManager.creatableTopic` makes it) to the active
    /// controller when the host reaches it, unless one is in flight (`inflightTopics`).
    fn forward_txn_topic(&mut self, host: &Broker, ctx: &mut Ctx, topic: impl FnOnce() -> CreatableTopic) {
        let Some(c) = ctx.quorum_leader().filter(|c| ctx.reaches(*c)) else { return };
        TopicForward::send_unless_in_flight(&mut self.topic_forward, host, ctx, c, TXN_LOG_CLIENT, topic);
    }

    /// The controller answered CreateTopics `req_id`: if it was this host's, it is no longer in
    /// flight (a creation that failed is asked again by the next FindCoordinator). Whether it was.
    pub(crate) fn on_create_topics_answer(&mut self, req_id: u64) -> bool {
        TopicForward::take_answered(&mut self.topic_forward, req_id)
    }

    // ----- producer ids -----

    /// `RPCProducerIdManager.generateProducerId`: the next id of the host's block (asking the
    /// controller for the next block once 90% of it is handed out), else of the block fetched
    /// ahead; with neither, COORDINATOR_LOAD_IN_PROGRESS (the client retries) while the block is
    /// asked for. A broker starts with no block: its first InitProducerId waits for one.
    pub(crate) fn allocate_producer_id(&mut self, host: &Broker, ctx: &mut Ctx) -> Result<i64, ErrorCode> {
        if self.pids.incarnation != host.incarnation {
            // A restarted broker's manager is new: its old blocks are not reused.
            self.pids = PidManager { incarnation: host.incarnation, ..PidManager::default() };
        }
        if self.pids.current.is_none_or(|b| b.next >= b.first + b.len) {
            self.pids.current = self.pids.next.take().or(self.pids.current);
        }
        let Some(block) = self.pids.current.as_mut().filter(|b| b.next < b.first + b.len) else {
            self.request_producer_ids(ctx);
            return Err(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS);
        };
        let id = block.next;
        block.next += 1;
        if id == block.first + block.len * PID_PREFETCH_TENTHS / 10 {
            self.request_producer_ids(ctx);
        }
        debug_assert!(self.pids.current.is_some_and(|b| b.next <= b.first + b.len), "a block hands out only its own ids");
        Ok(id)
    }

    /// `maybeRequestNextBlock`: AllocateProducerIds to the active controller, unless a block
    /// is already fetched ahead, a request is in flight, or an error answer's backoff runs. The
    /// broker's channel holds a request until a controller is reachable: here the next
    /// InitProducerId's retry sends it.
    fn request_producer_ids(&mut self, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        let m = &mut self.pids;
        let in_flight = m.request_sent_ms.is_some_and(|t| now - t < PID_REQUEST_RESEND_MS);
        if m.next.is_some() || in_flight || now < m.backoff_until_ms {
            return;
        }
        let Some(c) = ctx.quorum_leader().filter(|c| ctx.reaches(*c)) else { return };
        m.request_sent_ms = Some(now);
        ctx.send(Some(self.broker), Dest::Controller(c), Msg::AllocateProducerIds { broker: self.broker, incarnation: m.incarnation });
    }

    /// The controller's answer (`handleAllocateProducerIdsResponse`): a valid block waits as
    /// the next one; an error or a block not after the current one starts the backoff.
    pub(crate) fn on_producer_ids(&mut self, host: &Broker, ctx: &mut Ctx, result: Result<(i64, i64), ErrorCode>) {
        let m = &mut self.pids;
        if m.incarnation != host.incarnation {
            return;
        }
        m.request_sent_ms = None;
        let after_current = |first: i64| m.current.is_none_or(|b| first >= b.first + b.len);
        match result {
            Ok((first, len)) if first >= 0 && len > 0 && after_current(first) => m.next = Some(PidBlock { first, len, next: first }),
            _ => m.backoff_until_ms = ctx.now_ms + PID_RETRY_BACKOFF_MS,
        }
    }

    /// InitProducerId without a transactional id (an idempotent producer).
    pub(crate) fn on_init_idempotent(&mut self, host: &Broker, ctx: &mut Ctx, producer: u32, req_id: u64) {
        let result = self.allocate_producer_id(host, ctx).map(|pid| (pid, 0)).map_err(KafkaError::of);
        self.reply(ctx, producer, TxnMsg::InitProducerIdResp { req_id, result });
    }

    // ----- writes -----

    /// Writes a transaction's new metadata to its partition (acks=all); `then` runs on success.
    #[allow(clippy::too_many_arguments)]
    fn write(&mut self, ctx: &mut Ctx, p: i32, sid: u64, txn_id: &str, meta: TxnMeta, then: Then) {
        let req_id = ctx.next_id();
        let mut topic = u32::MAX;
        if let Some(s) = self.shard(p, sid) {
            debug_assert!(s.txns.get(txn_id).is_none_or(|old| legal_transition(old.state, meta.state)), "{txn_id}: illegal transition to {:?}", meta.state);
            s.writing.insert(txn_id.to_string());
            topic = s.topic;
        }
        let mut data = RecordsData::new();
        data.push(ctx.now_ms, Some(txn_id.as_bytes()), Some(&encode_meta(&meta)), Vec::new());
        self.appends.insert(req_id, TxnAppend { partition: p, shard_id: sid, txn_id: txn_id.to_string(), meta, then });
        let tp = Tp { topic, partition: p };
        ctx.direct(self.broker, Msg::Produce { producer: TXN_LOG_CLIENT, req_id, tp, data: Rc::new(data), acks: -1, timeout_ms: OFFSETS_COMMIT_TIMEOUT_MS });
    }

    /// The coordinator's own write finished.
    pub(crate) fn on_append_done(&mut self, host: &Broker, ctx: &mut Ctx, req_id: u64, result: Result<(i64, i64), KafkaError>) {
        let Some(a) = self.appends.remove(&req_id) else { return };
        let (p, sid) = (a.partition, a.shard_id);
        let Some(s) = self.shard(p, sid) else { return };
        s.writing.remove(&a.txn_id);
        match result {
            Err(e) => self.on_write_failed(ctx, a, KafkaError::of(txn_log_append_error(e.code))),
            Ok(_) => {
                debug_assert!(s.txns.get(&a.txn_id).is_none_or(|old| legal_transition(old.state, a.meta.state)), "{}: illegal transition to {:?}", a.txn_id, a.meta.state);
                s.txns.insert(a.txn_id.clone(), a.meta.clone());
                self.on_written(host, ctx, a);
            }
        }
    }

    fn on_write_failed(&mut self, ctx: &mut Ctx, a: TxnAppend, e: KafkaError) {
        match a.then {
            Then::ReplyInit { client, req_id } => self.reply(ctx, client, TxnMsg::InitProducerIdResp { req_id, result: Err(e) }),
            Then::Reply { client, req_id } | Then::Markers { reply: Some((client, req_id)) } => self.reply(ctx, client, TxnMsg::Resp { req_id, result: Err(e) }),
            Then::Nothing if e.code == ErrorCode::COORDINATOR_NOT_AVAILABLE && matches!(a.meta.state, TransactionState::CompleteCommit | TransactionState::CompleteAbort) => {
                // Kafka's marker channel re-queues a failed CompleteCommit/CompleteAbort write
                // (TransactionMarkerChannelManager.tryAppendToLog): without the retry the
                // transaction stays in PrepareCommit for ever.
                if let Some(s) = self.shard(a.partition, a.shard_id) {
                    s.markers_left.insert(a.txn_id.clone(), (a.meta.state == TransactionState::CompleteCommit, BTreeSet::new()));
                }
                self.retry_timer(ctx, MARKER_RETRY_MS, a.partition, a.shard_id, &a.txn_id);
            }
            _ => {}
        }
    }

    fn on_written(&mut self, host: &Broker, ctx: &mut Ctx, a: TxnAppend) {
        let meta = a.meta;
        match a.then {
            Then::ReplyInit { client, req_id } => self.reply(ctx, client, TxnMsg::InitProducerIdResp { req_id, result: Ok((meta.producer_id, meta.epoch)) }),
            Then::Reply { client, req_id } => self.reply(ctx, client, TxnMsg::Resp { req_id, result: Ok(()) }),
            Then::Markers { reply } => {
                if let Some((client, req_id)) = reply {
                    self.reply(ctx, client, TxnMsg::Resp { req_id, result: Ok(()) });
                }
                let commit = meta.state == TransactionState::PrepareCommit;
                if let Some(s) = self.shard(a.partition, a.shard_id) {
                    s.markers_left.insert(a.txn_id.clone(), (commit, meta.partitions));
                }
                self.send_markers(host, ctx, a.partition, a.shard_id, &a.txn_id);
            }
            Then::Nothing => {}
        }
    }

    // ----- requests -----

    /// InitProducerId with a transactional id (answered with an error at once, or once written).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn on_init_producer_id(&mut self, host: &Broker, ctx: &mut Ctx, shared: &mut TxnShared, client: u32, req_id: u64, txn_id: &str, timeout_ms: i64) {
        if let Err(e) = self.init_producer_id(host, ctx, shared, client, req_id, txn_id, timeout_ms) {
            self.reply(ctx, client, TxnMsg::InitProducerIdResp { req_id, result: Err(KafkaError::of(e)) });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn init_producer_id(&mut self, host: &Broker, ctx: &mut Ctx, shared: &mut TxnShared, client: u32, req_id: u64, txn_id: &str, timeout_ms: i64) -> Result<(), ErrorCode> {
        if timeout_ms <= 0 || timeout_ms > TXN_MAX_TIMEOUT_MS {
            return Err(ErrorCode::INVALID_TRANSACTION_TIMEOUT);
        }
        let (p, sid) = self.shard_for(host, ctx, shared, txn_id)?;
        let now = ctx.now_ms;
        let s = self.shard(p, sid).ok_or(ErrorCode::NOT_COORDINATOR)?;
        if s.writing.contains(txn_id) {
            return Err(ErrorCode::CONCURRENT_TRANSACTIONS);
        }
        let fresh = |producer_id, epoch| TxnMeta { producer_id, epoch, timeout_ms, state: TransactionState::Empty, partitions: BTreeSet::new(), start_ms: -1, update_ms: now };
        let meta = match s.txns.get(txn_id).cloned() {
            None => fresh(self.allocate_producer_id(host, ctx)?, 0),
            Some(m) => match m.state {
                TransactionState::PrepareCommit | TransactionState::PrepareAbort | TransactionState::PrepareEpochFence => return Err(ErrorCode::CONCURRENT_TRANSACTIONS),
                TransactionState::Ongoing => {
                    // Fence the old instance: bump the epoch and abort its transaction first.
                    self.fence_and_abort(ctx, p, sid, txn_id, m);
                    return Err(ErrorCode::CONCURRENT_TRANSACTIONS);
                }
                _ if m.epoch >= i16::MAX - 1 => fresh(self.allocate_producer_id(host, ctx)?, 0),
                _ => fresh(m.producer_id, m.epoch + 1),
            },
        };
        self.write(ctx, p, sid, txn_id, meta, Then::ReplyInit { client, req_id });
        Ok(())
    }

    fn fence_and_abort(&mut self, ctx: &mut Ctx, p: i32, sid: u64, txn_id: &str, m: TxnMeta) {
        let meta = TxnMeta { epoch: m.epoch.saturating_add(1), state: TransactionState::PrepareAbort, update_ms: ctx.now_ms, ..m };
        self.write(ctx, p, sid, txn_id, meta, Then::Markers { reply: None });
    }

    /// Checks a request's producer id and epoch against the transaction (`PRODUCER_FENCED` for
    /// an older epoch, `INVALID_PRODUCER_ID_MAPPING` for an unknown id).
    fn check(&mut self, host: &Broker, ctx: &mut Ctx, shared: &mut TxnShared, txn_id: &str, pid: i64, epoch: i16) -> Result<(i32, u64, TxnMeta), ErrorCode> {
        let (p, sid) = self.shard_for(host, ctx, shared, txn_id)?;
        let s = self.shard(p, sid).ok_or(ErrorCode::NOT_COORDINATOR)?;
        let Some(m) = s.txns.get(txn_id).cloned() else { return Err(ErrorCode::INVALID_PRODUCER_ID_MAPPING) };
        if m.producer_id != pid {
            return Err(ErrorCode::INVALID_PRODUCER_ID_MAPPING);
        }
        if m.epoch != epoch {
            return Err(ErrorCode::PRODUCER_FENCED);
        }
        if s.writing.contains(txn_id) {
            return Err(ErrorCode::CONCURRENT_TRANSACTIONS);
        }
        Ok((p, sid, m))
    }

    /// AddPartitionsToTxn (AddOffsetsToTxn adds the group's `__consumer_offsets` partition).
    /// Partitions must exist in the host's metadata view.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn on_add_partitions(&mut self, host: &Broker, ctx: &mut Ctx, shared: &mut TxnShared, client: u32, req_id: u64, txn_id: &str, pid: i64, epoch: i16, parts: Vec<(String, i32)>) {
        if let Err(e) = self.add_partitions(host, ctx, shared, client, req_id, txn_id, pid, epoch, parts) {
            self.reply(ctx, client, TxnMsg::Resp { req_id, result: Err(KafkaError::of(e)) });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add_partitions(&mut self, host: &Broker, ctx: &mut Ctx, shared: &mut TxnShared, client: u32, req_id: u64, txn_id: &str, pid: i64, epoch: i16, parts: Vec<(String, i32)>) -> Result<(), ErrorCode> {
        let (p, sid, m) = self.check(host, ctx, shared, txn_id, pid, epoch)?;
        if matches!(m.state, TransactionState::PrepareCommit | TransactionState::PrepareAbort | TransactionState::PrepareEpochFence) {
            return Err(ErrorCode::CONCURRENT_TRANSACTIONS);
        }
        let known = |(t, part): &(String, i32)| topic_in_view(host, t).is_some_and(|idx| *part >= 0 && host.view.contains_key(&Tp { topic: idx, partition: *part }));
        if !parts.iter().all(known) {
            return Err(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
        }
        if m.state == TransactionState::Ongoing && parts.iter().all(|x| m.partitions.contains(x)) {
            self.reply(ctx, client, TxnMsg::Resp { req_id, result: Ok(()) });
            return Ok(());
        }
        let mut meta = m;
        if meta.state != TransactionState::Ongoing {
            meta.start_ms = ctx.now_ms;
            meta.partitions.clear();
        }
        meta.state = TransactionState::Ongoing;
        meta.update_ms = ctx.now_ms;
        meta.partitions.extend(parts);
        self.write(ctx, p, sid, txn_id, meta, Then::Reply { client, req_id });
        Ok(())
    }

    /// EndTxn: PrepareCommit/PrepareAbort is written, answered, then the markers go out.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn on_end_txn(&mut self, host: &Broker, ctx: &mut Ctx, shared: &mut TxnShared, client: u32, req_id: u64, txn_id: &str, pid: i64, epoch: i16, commit: bool) {
        let r = self.check(host, ctx, shared, txn_id, pid, epoch).and_then(|(p, sid, m)| match (m.state, commit) {
            (TransactionState::Ongoing, _) => {
                let state = if commit { TransactionState::PrepareCommit } else { TransactionState::PrepareAbort };
                let meta = TxnMeta { state, update_ms: ctx.now_ms, ..m };
                self.write(ctx, p, sid, txn_id, meta, Then::Markers { reply: Some((client, req_id)) });
                Ok(())
            }
            (TransactionState::CompleteCommit, true) | (TransactionState::CompleteAbort, false) => {
                self.reply(ctx, client, TxnMsg::Resp { req_id, result: Ok(()) });
                Ok(())
            }
            (TransactionState::PrepareCommit, true) | (TransactionState::PrepareAbort, false) => Err(ErrorCode::CONCURRENT_TRANSACTIONS),
            _ => Err(ErrorCode::INVALID_TXN_STATE),
        });
        if let Err(e) = r {
            self.reply(ctx, client, TxnMsg::Resp { req_id, result: Err(KafkaError::of(e)) });
        }
    }

    // ----- markers -----

    /// Writes the markers still missing for a transaction (each partition's leader, as the
    /// host's metadata view names it, appends a control batch); when none is left, writes
    /// CompleteCommit/CompleteAbort.
    fn send_markers(&mut self, host: &Broker, ctx: &mut Ctx, p: i32, sid: u64, txn_id: &str) {
        let Some(s) = self.shard(p, sid) else { return };
        let Some((commit, left)) = s.markers_left.get(txn_id).cloned() else { return };
        let Some(meta) = s.txns.get(txn_id).cloned() else { return };
        let coordinator_epoch = s.leader_epoch;
        if left.is_empty() {
            s.markers_left.remove(txn_id);
            let state = if commit { TransactionState::CompleteCommit } else { TransactionState::CompleteAbort };
            let done = TxnMeta { state, partitions: BTreeSet::new(), update_ms: ctx.now_ms, ..meta };
            return self.write(ctx, p, sid, txn_id, done, Then::Nothing);
        }
        // Forget earlier attempts for this transaction: their answers no longer matter.
        self.markers.retain(|_, m| !(m.partition == p && m.shard_id == sid && m.txn_id == txn_id));
        let mut unreachable = false;
        for tp in left {
            let Some(idx) = topic_in_view(host, &tp.0) else {
                // Deleted topic: nothing to mark.
                if let Some((_, l)) = self.shard(p, sid).and_then(|s| s.markers_left.get_mut(txn_id)) {
                    l.remove(&tp);
                }
                continue;
            };
            let itp = Tp { topic: idx, partition: tp.1 };
            let Some(l) = host.view.get(&itp).and_then(|m| m.leader).filter(|l| ctx.reaches(*l)) else {
                unreachable = true;
                continue;
            };
            let data = marker_batch(&meta, commit, coordinator_epoch, ctx.wall_clock_ms());
            let req_id = ctx.next_id();
            self.markers.insert(req_id, MarkerWrite { partition: p, shard_id: sid, txn_id: txn_id.to_string(), tp });
            ctx.direct(l, Msg::Produce { producer: TXN_MARKER_CLIENT, req_id, tp: itp, data: Rc::new(data), acks: -1, timeout_ms: MARKER_TIMEOUT_MS });
        }
        let again = if unreachable { MARKER_RETRY_MS } else { MARKER_TIMEOUT_MS };
        self.retry_timer(ctx, again, p, sid, txn_id);
        // All markers may have been for deleted topics.
        if self.shard(p, sid).and_then(|s| s.markers_left.get(txn_id)).is_some_and(|(_, l)| l.is_empty()) {
            self.send_markers(host, ctx, p, sid, txn_id);
        }
    }

    /// A marker's append finished on its partition's leader.
    pub(crate) fn on_marker_done(&mut self, host: &Broker, ctx: &mut Ctx, req_id: u64, result: Result<(i64, i64), KafkaError>) {
        let Some(m) = self.markers.remove(&req_id) else { return };
        if result.is_err() {
            return self.retry_timer(ctx, MARKER_RETRY_MS, m.partition, m.shard_id, &m.txn_id);
        }
        let Some(s) = self.shard(m.partition, m.shard_id) else { return };
        let Some((_, left)) = s.markers_left.get_mut(&m.txn_id) else { return };
        left.remove(&m.tp);
        if left.is_empty() {
            self.send_markers(host, ctx, m.partition, m.shard_id, &m.txn_id);
        }
    }

    /// The marker retry timer: markers still missing are resent; with none left, the failed
    /// Complete write is.
    pub(crate) fn on_marker_retry(&mut self, host: &Broker, ctx: &mut Ctx, shared: &mut TxnShared, p: i32, sid: u64, txn_id: &str) {
        if self.load(host, ctx, shared, p) != Ok(sid) {
            return;
        }
        let due = self.shard(p, sid).is_some_and(|s| s.markers_left.get(txn_id).is_some_and(|(_, l)| !l.is_empty() || !s.writing.contains(txn_id)));
        if due {
            self.send_markers(host, ctx, p, sid, txn_id);
        }
    }

    /// The periodic check: ongoing transactions older than their timeout are aborted (with an
    /// epoch bump), if this broker still coordinates them.
    pub(crate) fn on_abort_check(&mut self, host: &Broker, ctx: &mut Ctx, shared: &mut TxnShared) {
        let now = ctx.now_ms;
        let mut expired = Vec::new();
        for (p, s) in self.shards.iter().filter(|(_, s)| s.incarnation == host.incarnation) {
            for (id, m) in &s.txns {
                if m.state == TransactionState::Ongoing && !s.writing.contains(id) && now > m.start_ms + m.timeout_ms {
                    expired.push((*p, s.id, id.clone(), m.clone()));
                }
            }
        }
        for (p, sid, id, m) in expired {
            if self.load(host, ctx, shared, p) == Ok(sid) {
                self.fence_and_abort(ctx, p, sid, &id, m);
            }
        }
    }
}
