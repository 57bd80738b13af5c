//! Transactions: the transaction coordinator, `__transaction_state`, transaction markers, the
//! transactional producer's client side, transactional offset commits, and producer id blocks.
//!
//! **Coordinator.** A `transactional.id` belongs to partition `abs(hash) % 50` of
//! `__transaction_state` (created on the first FindCoordinator with replication factor
//! `transaction.state.log.replication.factor` and `min.insync.replicas` =
//! `transaction.state.log.min.isr`); the partition's leader is its coordinator. As for groups,
//! each broker keeps a *shard* per partition it leads: the transactions' metadata (producer id,
//! epoch, state, partitions, timeout). Every state change is written to the partition first
//! (acks=all) and applied when committed; a new leader reloads the shard from its replica and
//! resumes the markers of transactions it finds in PrepareCommit/PrepareAbort.
//!
//! **Protocol.** InitProducerId bumps the epoch (fencing older instances: their
//! AddPartitionsToTxn/EndTxn get PRODUCER_FENCED; an open transaction of theirs is aborted first,
//! the new instance retrying on CONCURRENT_TRANSACTIONS meanwhile). AddPartitionsToTxn must
//! precede the first batch to a partition; AddOffsetsToTxn adds the group's `__consumer_offsets`
//! partition, then TxnOffsetCommit goes to the group coordinator, which writes the offsets as a
//! transactional batch and applies them only when the COMMIT marker arrives. EndTxn writes
//! PrepareCommit/PrepareAbort, answers, then writes one control batch (one offset, never shown to
//! consumers) to each partition via its leader, and finally CompleteCommit/CompleteAbort.
//! Ongoing transactions older than their timeout are aborted (with an epoch bump) by a check
//! every 10 s (`transaction.abort.timed.out.transaction.cleanup.interval.ms`).
//!
//! **Producer ids.** Brokers hand out ids from blocks of 1000 the controller allocates
//! (`AllocateProducerIds`); a restarted broker asks for a new block.
//!
//! Simplifications: markers are written by the coordinator calling the partition leader's append
//! directly when the two brokers can reach each other (retried every 100 ms otherwise, and after
//! 30 s without an answer); KIP-890 (epoch bump per transaction, partition verification) is not
//! modelled; a transactional offset commit still pending when its group coordinator moves is lost
//! (the loader keeps only offsets of committed transactions); the cleaner keeps markers forever.

use super::assignor::{coordinator_partition, TopicPartition};
use super::cluster::*;
use super::error::{ErrorCode, KResult, KafkaError};
use super::event::EventKind;
use super::group::{CommittedOffset, OFFSETS_TOPIC};
use super::log::{ControlType, ProducerBatchInfo, RecordsData};
use super::producer::ProducerId;
use super::node::Ctx;
use std::rc::Rc;

pub const TXN_TOPIC: &str = "__transaction_state";
/// `transaction.state.log.num.partitions`.
pub const TXN_PARTITIONS: i32 = 50;
/// `transaction.state.log.segment.bytes`.
pub const TXN_SEGMENT_BYTES: &str = "104857600";
/// `transaction.max.timeout.ms`.
pub const TXN_MAX_TIMEOUT_MS: i64 = 900_000;
/// `transaction.abort.timed.out.transaction.cleanup.interval.ms`.
pub const TXN_ABORT_CHECK_INTERVAL_MS: i64 = 10_000;
/// Producer ids per block the controller hands a broker.
pub const PRODUCER_ID_BLOCK_SIZE: i64 = 1000;
/// How long the coordinator waits before resending a marker that failed.
pub const MARKER_RETRY_MS: i64 = 100;
/// How long it waits for a marker's answer before resending it.
pub const MARKER_TIMEOUT_MS: i64 = 30_000;
pub(crate) use super::ids::{TXN_LOG_CLIENT, TXN_MARKER_CLIENT};
pub(crate) use super::msg::{TxnEv, TxnMsg};

mod client;
mod coordinator;
pub(crate) mod state;
pub(crate) use coordinator::TxnShared;
pub use state::{TransactionDescription, TransactionListing, TransactionState, TxnClientState};
pub(crate) use state::*;


impl Cluster {
    // ----- public API: transactional producer -----

    fn txn_client(&mut self, p: ProducerId) -> KResult<(&mut super::producer::Producer, i64, i16)> {
        let prod = self.producers.get_mut(&p).filter(|x| !x.closed_flag()).ok_or_else(|| KafkaError::new(ErrorCode::INVALID_REQUEST, format!("Unknown producer {p}.")))?;
        if prod.txn.is_none() {
            return Err(illegal("Transactional method invoked on a non-transactional producer.".into()));
        }
        let (pid, epoch) = prod.idem.as_ref().map_or((-1, -1), |i| (i.producer_id, i.epoch));
        Ok((prod, pid, epoch))
    }

    /// `initTransactions`, started: the result arrives through [`Cluster::take_transaction_result`].
    pub fn start_init_transactions(&mut self, p: ProducerId) -> KResult<()> {
        let (prod, _, _) = self.txn_client(p)?;
        let t = prod.txn.as_mut().expect("checked");
        if t.state != TxnClientState::Uninitialized {
            return Err(t.transition_error(TxnClientState::Initializing));
        }
        t.state = TxnClientState::Initializing;
        t.op = Some(TxnOp::Init);
        t.result = None;
        self.producer_poll(p);
        Ok(())
    }

    /// `beginTransaction` (local: nothing is sent until the first record or offsets).
    pub fn begin_transaction(&mut self, p: ProducerId) -> KResult<()> {
        let (prod, pid, epoch) = self.txn_client(p)?;
        let t = prod.txn.as_mut().expect("checked");
        t.maybe_fail(pid, epoch)?;
        if t.state != TxnClientState::Ready {
            return Err(t.transition_error(TxnClientState::InTransaction));
        }
        t.state = TxnClientState::InTransaction;
        t.started = false;
        Ok(())
    }

    /// `sendOffsetsToTransaction`, started.
    pub fn start_send_offsets_to_transaction(&mut self, p: ProducerId, offsets: Vec<(TopicPartition, i64)>, group: &str) -> KResult<()> {
        let (prod, pid, epoch) = self.txn_client(p)?;
        let t = prod.txn.as_mut().expect("checked");
        t.maybe_fail(pid, epoch)?;
        if t.state != TxnClientState::InTransaction {
            return Err(illegal(format!("Cannot send offsets if a transaction is not in progress (currentState= {})", t.state.java_name())));
        }
        if t.op.is_some() {
            return Err(illegal("Cannot attempt operation `sendOffsetsToTransaction` because the previous call has not completed".into()));
        }
        t.offsets = Some(PendingOffsets { group: group.to_string(), offsets, added: false });
        t.op = Some(TxnOp::SendOffsets);
        t.result = None;
        self.producer_poll(p);
        Ok(())
    }

    /// `commitTransaction` / `abortTransaction`, started (flushes pending records first).
    pub fn start_end_transaction(&mut self, p: ProducerId, commit: bool) -> KResult<()> {
        let (prod, pid, epoch) = self.txn_client(p)?;
        let t = prod.txn.as_mut().expect("checked");
        let target = if commit { TxnClientState::CommittingTransaction } else { TxnClientState::AbortingTransaction };
        if commit || t.state == TxnClientState::FatalError {
            t.maybe_fail(pid, epoch)?;
        }
        let ok = match commit {
            true => t.state == TxnClientState::InTransaction,
            false => matches!(t.state, TxnClientState::InTransaction | TxnClientState::AbortableError),
        };
        if !ok {
            return Err(t.transition_error(target));
        }
        t.state = target;
        t.op = Some(TxnOp::End { commit });
        t.result = None;
        if !commit {
            t.pending_add.clear();
            t.offsets = None;
            // Records not sent yet are dropped with the transaction.
            let e = KafkaError::new(ErrorCode::INVALID_TXN_STATE, "Failing batch since transaction was aborted");
            prod.fail_unsent(&e);
        }
        prod.flushing_for_txn(true);
        self.producer_poll(p);
        Ok(())
    }

    /// The outcome of the last started transactional call, once known.
    pub fn take_transaction_result(&mut self, p: ProducerId) -> Option<KResult<()>> {
        self.producers.get_mut(&p).and_then(|x| x.txn.as_mut()).and_then(|t| t.result.take())
    }

    /// The transactional client state (`TransactionManager` state), if the producer is transactional.
    pub fn transaction_client_state(&self, p: ProducerId) -> Option<TxnClientState> {
        self.producers.get(&p).and_then(|x| x.txn.as_ref()).map(|t| t.state)
    }

    /// The producer id and epoch the producer uses (-1, -1 before it has one).
    pub fn producer_identity(&self, p: ProducerId) -> Option<(i64, i16)> {
        self.producers.get(&p).and_then(|x| x.idem.as_ref()).map(|i| (i.producer_id, i.epoch))
    }

    fn wait_transaction(&mut self, p: ProducerId, what: &str) -> KResult<()> {
        let limit = self.producers.get(&p).map_or(60_000, |x| x.config.max_block_ms);
        let done = self.run_while(limit, |c| c.producers.get(&p).and_then(|x| x.txn.as_ref()).is_none_or(|t| t.result.is_some()));
        match self.take_transaction_result(p) {
            Some(r) => r,
            None if done => Err(KafkaError::new(ErrorCode::INVALID_REQUEST, format!("Unknown producer {p}."))),
            None => Err(KafkaError::new(ErrorCode::REQUEST_TIMED_OUT, format!("Timeout expired after {limit}ms while awaiting {what}"))),
        }
    }

    /// `initTransactions` (blocks in simulated time up to `max.block.ms`).
    pub fn init_transactions(&mut self, p: ProducerId) -> KResult<()> {
        self.start_init_transactions(p)?;
        self.wait_transaction(p, "InitProducerId")
    }

    /// `sendOffsetsToTransaction` (blocking).
    pub fn send_offsets_to_transaction(&mut self, p: ProducerId, offsets: Vec<(TopicPartition, i64)>, group: &str) -> KResult<()> {
        self.start_send_offsets_to_transaction(p, offsets, group)?;
        self.wait_transaction(p, "AddOffsetsToTxn")
    }

    /// `commitTransaction` (blocking).
    pub fn commit_transaction(&mut self, p: ProducerId) -> KResult<()> {
        self.start_end_transaction(p, true)?;
        self.wait_transaction(p, "EndTxn(true)")
    }

    /// `abortTransaction` (blocking).
    pub fn abort_transaction(&mut self, p: ProducerId) -> KResult<()> {
        self.start_end_transaction(p, false)?;
        self.wait_transaction(p, "EndTxn(false)")
    }

    // ----- client state machine -----

    /// A transaction-protocol answer reached producer `producer`.
    pub(crate) fn txn_client_receive(&mut self, producer: ProducerId, msg: TxnMsg) {
        let Some(p) = self.producers.get_mut(&producer) else { return };
        if p.on_txn_answer(msg, self.now_ms) {
            self.producer_poll(producer);
        }
    }

    // ----- broker side: router glue (issue 21: moves to cluster/ at consolidation) -----

    /// Runs `f` on broker `b`'s transaction coordinator with its host's read-only state, a `Ctx`
    /// that reaches the brokers `b` reaches, and what the coordinators share; then routes the
    /// outputs in order. None if there is no such broker.
    pub(crate) fn with_txn_coordinator<R>(&mut self, b: BrokerId, f: impl FnOnce(&mut TxnCoordinator, &Broker, &mut Ctx, &mut TxnShared) -> R) -> Option<R> {
        let reachable: Vec<BrokerId> = self.brokers.keys().copied().filter(|l| self.brokers_connected(b, *l)).collect();
        let controller_reachable = self.ctl.active.is_some_and(|c| self.brokers_connected(b, c));
        let host = self.brokers.get(&b)?;
        let tc = self.txns.coordinators.entry(b).or_insert_with(|| TxnCoordinator::new(b));
        let mut shared = TxnShared { next_pid_block: &mut self.txns.next_pid_block, controller_reachable, tick_scheduled: &mut self.txns.tick_scheduled };
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id).with_reachable(&reachable);
        let r = f(tc, host, &mut ctx, &mut shared);
        let outputs = ctx.into_outputs();
        self.route(outputs);
        Some(r)
    }

    /// A transaction-protocol request arrived at broker `b`.
    pub(crate) fn txn_broker_receive(&mut self, b: BrokerId, msg: TxnMsg) {
        match msg {
            TxnMsg::FindCoordinator { producer, req_id, key, group } => {
                let result = if group { self.find_coordinator_on(b, &key) } else { self.find_txn_coordinator_on(b, &key) };
                self.txn_reply(b, producer, TxnMsg::FindCoordinatorResp { req_id, result });
            }
            TxnMsg::InitProducerId { producer, req_id, txn_id: None, .. } => {
                self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.on_init_idempotent(host, ctx, sh, producer, req_id));
            }
            TxnMsg::InitProducerId { producer, req_id, txn_id: Some(id), timeout_ms } => {
                self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.on_init_producer_id(host, ctx, sh, producer, req_id, &id, timeout_ms));
            }
            TxnMsg::AddPartitions { producer, req_id, txn_id, pid, epoch, parts } => {
                self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.on_add_partitions(host, ctx, sh, producer, req_id, &txn_id, pid, epoch, parts));
            }
            TxnMsg::AddOffsets { producer, req_id, txn_id, pid, epoch, group } => {
                if !self.ctl.by_name.contains_key(OFFSETS_TOPIC) {
                    if self.ctl.active.is_some_and(|c| self.brokers_connected(b, c)) {
                        let _ = self.create_offsets_topic();
                    }
                    self.txn_reply(b, producer, TxnMsg::Resp { req_id, result: Err(KafkaError::of(ErrorCode::COORDINATOR_NOT_AVAILABLE)) });
                    return;
                }
                let parts = vec![(OFFSETS_TOPIC.to_string(), coordinator_partition(&group, super::group::OFFSETS_PARTITIONS))];
                self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.on_add_partitions(host, ctx, sh, producer, req_id, &txn_id, pid, epoch, parts));
            }
            TxnMsg::EndTxn { producer, req_id, txn_id, pid, epoch, commit } => {
                self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.on_end_txn(host, ctx, sh, producer, req_id, &txn_id, pid, epoch, commit));
            }
            TxnMsg::TxnOffsetCommit { producer, req_id, pid, epoch, group, offsets, .. } => {
                if let Err(e) = self.handle_txn_offset_commit(b, producer, req_id, pid, epoch, &group, offsets) {
                    self.txn_reply(b, producer, TxnMsg::Resp { req_id, result: Err(KafkaError::of(e)) });
                }
            }
            _ => {}
        }
    }

    pub(crate) fn txn_reply(&mut self, b: BrokerId, client: u32, msg: TxnMsg) {
        self.net_send(Some(b), Dest::Client(client), Msg::Txn(Box::new(msg)));
    }

    /// FindCoordinator for a transactional id served by broker `b` (its metadata view), creating
    /// `__transaction_state` on first use.
    pub(crate) fn find_txn_coordinator_on(&mut self, b: BrokerId, txn_id: &str) -> Result<BrokerId, ErrorCode> {
        let p = coordinator_partition(txn_id, TXN_PARTITIONS);
        if let Some(found) = super::group::coordinator_in_view(&self.brokers[&b], TXN_TOPIC, p) {
            return found;
        }
        if !self.ctl.by_name.contains_key(TXN_TOPIC) && self.ctl.active.is_some_and(|c| self.brokers_connected(b, c)) {
            let rf = self.broker_int("transaction.state.log.replication.factor").clamp(1, i16::MAX as i64) as i16;
            let min_isr = self.broker_int("transaction.state.log.min.isr").max(1).to_string();
            let req = super::controller::NewTopic::new(TXN_TOPIC, TXN_PARTITIONS, rf)
                .config("compression.type", "uncompressed")
                .config("cleanup.policy", "compact")
                .config("min.insync.replicas", &min_isr)
                .config("segment.bytes", TXN_SEGMENT_BYTES)
                .config("unclean.leader.election.enable", "false");
            let _ = self.create_topic_now(&req);
        }
        Err(ErrorCode::COORDINATOR_NOT_AVAILABLE)
    }

    /// Makes sure `b` coordinates transaction partition `p` and has loaded it; the shard id.
    pub(crate) fn txn_shard(&mut self, b: BrokerId, p: i32) -> Result<u64, ErrorCode> {
        self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.load(host, ctx, sh, p)).unwrap_or(Err(ErrorCode::NOT_COORDINATOR))
    }

    /// A write to `__transaction_state` (or a transactional offset commit) finished.
    pub(crate) fn txn_append_done(&mut self, req_id: u64, result: Result<(i64, i64), KafkaError>) {
        if let Some(oa) = self.txns.offset_appends.remove(&req_id) {
            return self.txn_offsets_written(oa, result);
        }
        let owner = self.txns.coordinators.iter().find(|(_, tc)| tc.appends.contains_key(&req_id)).map(|(b, _)| *b);
        if let Some(b) = owner {
            self.with_txn_coordinator(b, |tc, host, ctx, _| tc.on_append_done(host, ctx, req_id, result));
        }
    }

    /// A marker's append finished on its partition's leader.
    pub(crate) fn txn_marker_done(&mut self, req_id: u64, result: Result<(i64, i64), KafkaError>) {
        let owner = self.txns.coordinators.iter().find(|(_, tc)| tc.markers.contains_key(&req_id)).map(|(b, _)| *b);
        if let Some(b) = owner {
            self.with_txn_coordinator(b, |tc, host, ctx, _| tc.on_marker_done(host, ctx, req_id, result));
        }
    }

    pub(crate) fn txn_timer(&mut self, ev: TxnEv) {
        match ev {
            TxnEv::Tick => {
                self.schedule(TXN_ABORT_CHECK_INTERVAL_MS, Ev::Txn(TxnEv::Tick));
                let hosts: Vec<BrokerId> = self.txns.coordinators.keys().copied().filter(|b| self.broker_up(*b)).collect();
                for b in hosts {
                    self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.on_abort_check(host, ctx, sh));
                }
            }
            TxnEv::MarkerRetry { broker, partition, shard_id, txn_id } => {
                self.with_txn_coordinator(broker, |tc, host, ctx, sh| tc.on_marker_retry(host, ctx, sh, partition, shard_id, &txn_id));
            }
        }
    }
    // ----- transactional offset commits (group coordinator side) -----

    #[allow(clippy::too_many_arguments)]
    fn handle_txn_offset_commit(&mut self, b: BrokerId, client: u32, req_id: u64, pid: i64, epoch: i16, group: &str, offsets: Vec<(TopicPartition, i64)>) -> Result<(), ErrorCode> {
        if group.is_empty() {
            return Err(ErrorCode::INVALID_GROUP_ID);
        }
        let (p, sid) = self.group_shard(b, group)?;
        let now = self.now_ms;
        let mut data = RecordsData::new();
        let mut committed = Vec::new();
        for (tp, offset) in offsets {
            let key = super::group::records::encode_key(&super::group::records::RecordKey::Offset { group: group.to_string(), tp: tp.clone() });
            let v = super::group::records::OffsetValue { offset, leader_epoch: -1, metadata: String::new(), commit_timestamp_ms: now };
            data.push(now, Some(&key), Some(&super::group::records::encode_offset(&v)), Vec::new());
            committed.push((tp, CommittedOffset { offset, metadata: String::new(), commit_timestamp_ms: now }));
        }
        if data.is_empty() {
            self.txn_reply(b, client, TxnMsg::Resp { req_id, result: Ok(()) });
            return Ok(());
        }
        data.producer = ProducerBatchInfo { producer_id: pid, producer_epoch: epoch, base_sequence: -1, transactional: true, control: None, coordinator_epoch: -1 };
        let wid = self.next_id();
        self.txns.offset_appends.insert(wid, OffsetsAppend { broker: b, partition: p, shard_id: sid, producer_id: pid, group: group.to_string(), offsets: committed, client, req_id });
        // The partition the group coordinator's shard was loaded from (its host's view).
        let idx = self.groups.coordinators.get(&b).and_then(|gc| gc.shard(p, sid)).map_or(u32::MAX, |s| s.topic);
        self.handle_produce(b, TXN_LOG_CLIENT, wid, Tp { topic: idx, partition: p }, Rc::new(data), -1, super::group::OFFSETS_COMMIT_TIMEOUT_MS);
        Ok(())
    }

    /// A transactional offset commit was written (group coordinator side): its offsets wait for
    /// the transaction's marker.
    fn txn_offsets_written(&mut self, oa: OffsetsAppend, result: Result<(i64, i64), KafkaError>) {
        let result = match result {
            Ok(_) => {
                let key = (oa.broker, oa.partition, oa.shard_id);
                let list = self.txns.group_pending.entry(key).or_default().entry(oa.producer_id).or_default();
                for (tp, o) in oa.offsets {
                    list.push((oa.group.clone(), tp, o));
                }
                Ok(())
            }
            Err(e) => Err(KafkaError::of(coordinator::map_append_error(e.code))),
        };
        self.txn_reply(oa.broker, oa.client, TxnMsg::Resp { req_id: oa.req_id, result });
    }

    /// A marker was appended to `__consumer_offsets` partition `p` on leader `l`: the producer's
    /// pending transactional offsets become committed (or are dropped).
    pub(crate) fn on_offsets_marker(&mut self, l: BrokerId, p: i32, pid: i64, commit: bool) {
        let Some(sid) = self.groups.coordinators.get(&l).and_then(|gc| gc.shards.get(&p)).map(|s| s.id) else { return };
        let Some(pending) = self.txns.group_pending.get_mut(&(l, p, sid)).and_then(|m| m.remove(&pid)) else { return };
        if !commit {
            return;
        }
        let now = self.now_ms;
        let Some(shard) = self.groups.coordinators.get_mut(&l).and_then(|gc| gc.shards.get_mut(&p)) else { return };
        for (group, tp, o) in pending {
            shard.groups.entry(group.clone()).or_insert_with(|| super::group::Group::new(&group, now)).offsets.insert(tp, o);
        }
    }

    // ----- admin -----

    /// ListTransactions on every broker (the coordinators' loaded transactions), sorted by
    /// coordinator then transactional id.
    pub fn list_transactions(&mut self) -> KResult<Vec<TransactionListing>> {
        let mut out = Vec::new();
        let Some(&idx) = self.ctl.by_name.get(TXN_TOPIC) else { return Ok(out) };
        let parts = self.ctl.topics.get(&idx).map_or(0, |t| t.partitions.len()) as i32;
        for p in 0..parts {
            let Some(l) = self.ctl.topics[&idx].partitions[p as usize].leader else { continue };
            if !self.client_reaches(l) {
                continue;
            }
            let Ok(sid) = self.txn_shard(l, p) else { continue };
            let Some(s) = self.txns.coordinators.get_mut(&l).and_then(|tc| tc.shard(p, sid)) else { continue };
            for (id, m) in &s.txns {
                out.push(TransactionListing { transactional_id: id.clone(), coordinator: l, producer_id: m.producer_id, state: m.state });
            }
        }
        out.sort_by(|a, b| (a.coordinator, &a.transactional_id).cmp(&(b.coordinator, &b.transactional_id)));
        Ok(out)
    }

    /// DescribeTransactions for one transactional id.
    pub fn describe_transaction(&mut self, txn_id: &str) -> KResult<TransactionDescription> {
        let not_found = || KafkaError::of(ErrorCode::TRANSACTIONAL_ID_NOT_FOUND);
        let Some(&idx) = self.ctl.by_name.get(TXN_TOPIC) else { return Err(not_found()) };
        let p = coordinator_partition(txn_id, TXN_PARTITIONS);
        let Some(l) = self.ctl.topics.get(&idx).and_then(|t| t.partitions.get(p as usize)).and_then(|m| m.leader) else {
            return Err(KafkaError::of(ErrorCode::COORDINATOR_NOT_AVAILABLE));
        };
        if !self.client_reaches(l) {
            return Err(KafkaError::of(ErrorCode::COORDINATOR_NOT_AVAILABLE));
        }
        let sid = self.txn_shard(l, p).map_err(KafkaError::of)?;
        let s = self.txns.coordinators.get_mut(&l).and_then(|tc| tc.shard(p, sid)).ok_or_else(not_found)?;
        let m = s.txns.get(txn_id).ok_or_else(not_found)?;
        Ok(TransactionDescription {
            coordinator: l,
            transactional_id: txn_id.to_string(),
            producer_id: m.producer_id,
            producer_epoch: m.epoch,
            state: m.state,
            timeout_ms: m.timeout_ms,
            start_time_ms: if m.start_ms >= 0 && m.state != TransactionState::Empty { Some(m.start_ms) } else { None },
            partitions: m.partitions.iter().map(|(t, p)| TopicPartition { topic: t.clone(), partition: *p }).collect(),
        })
    }

    /// The last stable offset of a partition on its leader.
    pub fn last_stable_offset(&self, topic: &str, partition: i32) -> KResult<i64> {
        let idx = *self.ctl.by_name.get(topic).ok_or_else(|| KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION))?;
        let l = self.ctl.topics[&idx].partitions.get(partition as usize).and_then(|m| m.leader).ok_or_else(|| KafkaError::of(ErrorCode::LEADER_NOT_AVAILABLE))?;
        let r = self.brokers[&l].replicas.get(&Tp { topic: idx, partition }).ok_or_else(|| KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER))?;
        Ok(r.log.last_stable_offset())
    }

    /// Marker bookkeeping after a leader appended a control batch (events, group offsets).
    pub(crate) fn on_marker_appended(&mut self, l: BrokerId, tp: Tp, info: &ProducerBatchInfo, offset: i64) {
        let name = self.topic_name(tp.topic);
        let commit = info.control == Some(ControlType::Commit);
        self.events.push(self.now_ms, EventKind::TxnMarkerWritten { topic: name.clone(), partition: tp.partition, broker: l, producer_id: info.producer_id, offset, commit });
        if &*name == OFFSETS_TOPIC {
            self.on_offsets_marker(l, tp.partition, info.producer_id, commit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn txn_metadata_round_trips_through_its_record() {
        let mut partitions = BTreeSet::new();
        partitions.insert(("out".to_string(), 2));
        partitions.insert(("__consumer_offsets".to_string(), 12));
        let m = TxnMeta { producer_id: 1000, epoch: 3, timeout_ms: 60_000, state: TransactionState::PrepareCommit, partitions, start_ms: 5, update_ms: 9 };
        assert_eq!(decode_meta(&encode_meta(&m)), Some(m));
        assert_eq!(decode_meta(b"garbage"), None);
    }
}
