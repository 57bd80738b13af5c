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

use std::collections::{BTreeMap, BTreeSet};
use super::assignor::{coordinator_partition, TopicPartition};
use super::cluster::*;
use super::error::{ErrorCode, KResult, KafkaError};
use super::event::EventKind;
use super::group::{CommittedOffset, OFFSETS_TOPIC};
use super::log::{ControlType, ProducerBatchInfo, RecordsData};
use super::producer::ProducerId;
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
pub(crate) mod state;
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

    // ----- broker side -----

    /// A transaction-protocol request arrived at broker `b`.
    pub(crate) fn txn_broker_receive(&mut self, b: BrokerId, msg: TxnMsg) {
        match msg {
            TxnMsg::FindCoordinator { producer, req_id, key, group } => {
                let result = if group { self.find_coordinator_on(b, &key) } else { self.find_txn_coordinator_on(b, &key) };
                self.txn_reply(b, producer, TxnMsg::FindCoordinatorResp { req_id, result });
            }
            TxnMsg::InitProducerId { producer, req_id, txn_id: None, .. } => {
                let result = self.allocate_producer_id(b).map(|pid| (pid, 0)).map_err(KafkaError::of);
                self.txn_reply(b, producer, TxnMsg::InitProducerIdResp { req_id, result });
            }
            TxnMsg::InitProducerId { producer, req_id, txn_id: Some(id), timeout_ms } => {
                if let Err(e) = self.handle_init_producer_id(b, producer, req_id, &id, timeout_ms) {
                    self.txn_reply(b, producer, TxnMsg::InitProducerIdResp { req_id, result: Err(KafkaError::of(e)) });
                }
            }
            TxnMsg::AddPartitions { producer, req_id, txn_id, pid, epoch, parts } => {
                if let Err(e) = self.handle_add_partitions(b, producer, req_id, &txn_id, pid, epoch, parts) {
                    self.txn_reply(b, producer, TxnMsg::Resp { req_id, result: Err(KafkaError::of(e)) });
                }
            }
            TxnMsg::AddOffsets { producer, req_id, txn_id, pid, epoch, group } => {
                if !self.ctl.by_name.contains_key(OFFSETS_TOPIC) {
                    if self.ctl.active.is_some_and(|c| self.brokers_connected(b, c)) {
                        let _ = self.create_offsets_topic();
                    }
                    self.txn_reply(b, producer, TxnMsg::Resp { req_id, result: Err(KafkaError::of(ErrorCode::COORDINATOR_NOT_AVAILABLE)) });
                    return;
                }
                let p = coordinator_partition(&group, super::group::OFFSETS_PARTITIONS);
                let r = self.handle_add_partitions(b, producer, req_id, &txn_id, pid, epoch, vec![(OFFSETS_TOPIC.to_string(), p)]);
                if let Err(e) = r {
                    self.txn_reply(b, producer, TxnMsg::Resp { req_id, result: Err(KafkaError::of(e)) });
                }
            }
            TxnMsg::EndTxn { producer, req_id, txn_id, pid, epoch, commit } => {
                if let Err(e) = self.handle_end_txn(b, producer, req_id, &txn_id, pid, epoch, commit) {
                    self.txn_reply(b, producer, TxnMsg::Resp { req_id, result: Err(KafkaError::of(e)) });
                }
            }
            TxnMsg::TxnOffsetCommit { producer, req_id, pid, epoch, group, offsets, .. } => {
                if let Err(e) = self.handle_txn_offset_commit(b, producer, req_id, pid, epoch, &group, offsets) {
                    self.txn_reply(b, producer, TxnMsg::Resp { req_id, result: Err(KafkaError::of(e)) });
                }
            }
            _ => {}
        }
    }

    fn txn_reply(&mut self, b: BrokerId, client: u32, msg: TxnMsg) {
        self.net_send(Some(b), Dest::Client(client), Msg::Txn(Box::new(msg)));
    }

    /// A producer id from broker `b`'s block (a new block from the controller when needed).
    fn allocate_producer_id(&mut self, b: BrokerId) -> Result<i64, ErrorCode> {
        let inc = self.brokers[&b].incarnation;
        if let Some((i, next, end)) = self.txns.pid_blocks.get_mut(&b) {
            if *i == inc && *next < *end {
                *next += 1;
                return Ok(*next - 1);
            }
        }
        // A broker's first block counts as fetched while the cluster formed (so a producer can
        // get an id while the controller quorum is down, as with a prefetched block); later
        // blocks need the controller.
        let first_block = !self.txns.pid_blocks.contains_key(&b);
        if !first_block && !self.ctl.active.is_some_and(|c| self.brokers_connected(b, c)) {
            return Err(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS);
        }
        let start = self.txns.next_pid_block;
        self.txns.next_pid_block += PRODUCER_ID_BLOCK_SIZE;
        self.txns.pid_blocks.insert(b, (inc, start + 1, start + PRODUCER_ID_BLOCK_SIZE));
        Ok(start)
    }

    pub(crate) fn find_txn_coordinator_on(&mut self, b: BrokerId, txn_id: &str) -> Result<BrokerId, ErrorCode> {
        let p = coordinator_partition(txn_id, TXN_PARTITIONS);
        let br = &self.brokers[&b];
        let idx = br.view_topics.iter().find(|(_, n)| &***n == TXN_TOPIC).map(|(i, _)| *i);
        match idx {
            Some(i) => br.view.get(&Tp { topic: i, partition: p }).and_then(|m| m.leader).ok_or(ErrorCode::COORDINATOR_NOT_AVAILABLE),
            None => {
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
        }
    }

    /// Makes sure `b` coordinates transaction partition `p` and has loaded it; the shard id.
    fn txn_shard(&mut self, b: BrokerId, p: i32) -> Result<u64, ErrorCode> {
        let Some(&idx) = self.ctl.by_name.get(TXN_TOPIC) else { return Err(ErrorCode::NOT_COORDINATOR) };
        let tp = Tp { topic: idx, partition: p };
        let br = &self.brokers[&b];
        let leading = br.replicas.get(&tp).filter(|r| r.vol.is_leader && br.view.get(&tp).is_some_and(|m| m.leader == Some(b)));
        let Some(r) = leading else {
            self.txns.shards.remove(&(b, p));
            return Err(ErrorCode::NOT_COORDINATOR);
        };
        let (epoch, inc) = (r.vol.leader_epoch, br.incarnation);
        if let Some(s) = self.txns.shards.get(&(b, p)) {
            if s.incarnation == inc && s.leader_epoch == epoch {
                return Ok(s.id);
            }
        }
        let mut txns: BTreeMap<String, TxnMeta> = BTreeMap::new();
        for bt in r.log.all_batches() {
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
        let id = self.next_id();
        let resume: Vec<(String, bool, BTreeSet<(String, i32)>)> = txns
            .iter()
            .filter(|(_, m)| matches!(m.state, TransactionState::PrepareCommit | TransactionState::PrepareAbort))
            .map(|(k, m)| (k.clone(), m.state == TransactionState::PrepareCommit, m.partitions.clone()))
            .collect();
        let mut shard = TxnShard { id, incarnation: inc, leader_epoch: epoch, txns, writing: BTreeSet::new(), markers_left: BTreeMap::new() };
        for (k, commit, parts) in &resume {
            shard.markers_left.insert(k.clone(), (*commit, parts.clone()));
        }
        self.txns.shards.insert((b, p), shard);
        if !self.txns.tick_scheduled {
            self.txns.tick_scheduled = true;
            self.schedule(TXN_ABORT_CHECK_INTERVAL_MS, Ev::Txn(TxnEv::Tick));
        }
        for (k, _, _) in resume {
            self.send_markers(b, p, id, &k);
        }
        Ok(id)
    }

    fn txn_shard_for(&mut self, b: BrokerId, txn_id: &str) -> Result<(i32, u64), ErrorCode> {
        if txn_id.is_empty() {
            return Err(ErrorCode::INVALID_REQUEST);
        }
        let p = coordinator_partition(txn_id, TXN_PARTITIONS);
        self.txn_shard(b, p).map(|id| (p, id))
    }

    fn shard(&mut self, b: BrokerId, p: i32, sid: u64) -> Option<&mut TxnShard> {
        self.txns.shards.get_mut(&(b, p)).filter(|s| s.id == sid)
    }

    /// Writes a transaction's new metadata to its partition (acks=all); `then` runs on success.
    fn txn_write(&mut self, b: BrokerId, p: i32, sid: u64, txn_id: &str, meta: TxnMeta, then: Then) {
        let req_id = self.next_id();
        if let Some(s) = self.shard(b, p, sid) {
            s.writing.insert(txn_id.to_string());
        }
        let now = self.now_ms;
        let mut data = RecordsData::new();
        data.push(now, Some(txn_id.as_bytes()), Some(&encode_meta(&meta)), Vec::new());
        self.txns.appends.insert(req_id, TxnAppend { broker: b, partition: p, shard_id: sid, txn_id: txn_id.to_string(), meta, then });
        let idx = self.ctl.by_name.get(TXN_TOPIC).copied().unwrap_or(u32::MAX);
        self.handle_produce(b, TXN_LOG_CLIENT, req_id, Tp { topic: idx, partition: p }, Rc::new(data), -1, super::group::OFFSETS_COMMIT_TIMEOUT_MS);
    }

    /// The coordinator's own write finished.
    pub(crate) fn txn_append_done(&mut self, req_id: u64, result: Result<(i64, i64), KafkaError>) {
        if let Some(oa) = self.txns.offset_appends.remove(&req_id) {
            let result = match result {
                Ok(_) => {
                    let key = (oa.broker, oa.partition, oa.shard_id);
                    let list = self.txns.group_pending.entry(key).or_default().entry(oa.producer_id).or_default();
                    for (tp, o) in oa.offsets {
                        list.push((oa.group.clone(), tp, o));
                    }
                    Ok(())
                }
                Err(e) => Err(KafkaError::of(map_append_error(e.code))),
            };
            self.txn_reply(oa.broker, oa.client, TxnMsg::Resp { req_id: oa.req_id, result });
            return;
        }
        let Some(a) = self.txns.appends.remove(&req_id) else { return };
        let (b, p, sid) = (a.broker, a.partition, a.shard_id);
        let Some(s) = self.shard(b, p, sid) else { return };
        s.writing.remove(&a.txn_id);
        match result {
            Err(e) => {
                let e = KafkaError::of(map_append_error(e.code));
                match a.then {
                    Then::ReplyInit { client, req_id } => self.txn_reply(b, client, TxnMsg::InitProducerIdResp { req_id, result: Err(e) }),
                    Then::Reply { client, req_id } | Then::Markers { reply: Some((client, req_id)) } => self.txn_reply(b, client, TxnMsg::Resp { req_id, result: Err(e) }),
                    Then::Nothing if e.code == ErrorCode::COORDINATOR_NOT_AVAILABLE && matches!(a.meta.state, TransactionState::CompleteCommit | TransactionState::CompleteAbort) => {
                        // Kafka's marker channel re-queues a failed CompleteCommit/CompleteAbort
                        // write (TransactionMarkerChannelManager.tryAppendToLog): without the
                        // retry the transaction stays in PrepareCommit for ever.
                        s.markers_left.insert(a.txn_id.clone(), (a.meta.state == TransactionState::CompleteCommit, BTreeSet::new()));
                        self.schedule(MARKER_RETRY_MS, Ev::Txn(TxnEv::MarkerRetry { broker: b, partition: p, shard_id: sid, txn_id: a.txn_id }));
                    }
                    _ => {}
                }
            }
            Ok(_) => {
                let meta = a.meta.clone();
                s.txns.insert(a.txn_id.clone(), a.meta);
                match a.then {
                    Then::ReplyInit { client, req_id } => self.txn_reply(b, client, TxnMsg::InitProducerIdResp { req_id, result: Ok((meta.producer_id, meta.epoch)) }),
                    Then::Reply { client, req_id } => self.txn_reply(b, client, TxnMsg::Resp { req_id, result: Ok(()) }),
                    Then::Markers { reply } => {
                        if let Some((client, req_id)) = reply {
                            self.txn_reply(b, client, TxnMsg::Resp { req_id, result: Ok(()) });
                        }
                        let commit = meta.state == TransactionState::PrepareCommit;
                        if let Some(s) = self.shard(b, p, sid) {
                            s.markers_left.insert(a.txn_id.clone(), (commit, meta.partitions.clone()));
                        }
                        self.send_markers(b, p, sid, &a.txn_id);
                    }
                    Then::Nothing => {}
                }
            }
        }
    }

    fn handle_init_producer_id(&mut self, b: BrokerId, client: u32, req_id: u64, txn_id: &str, timeout_ms: i64) -> Result<(), ErrorCode> {
        if timeout_ms <= 0 || timeout_ms > TXN_MAX_TIMEOUT_MS {
            return Err(ErrorCode::INVALID_TRANSACTION_TIMEOUT);
        }
        let (p, sid) = self.txn_shard_for(b, txn_id)?;
        let now = self.now_ms;
        let s = self.shard(b, p, sid).expect("just loaded");
        if s.writing.contains(txn_id) {
            return Err(ErrorCode::CONCURRENT_TRANSACTIONS);
        }
        let existing = s.txns.get(txn_id).cloned();
        let meta = match existing {
            None => {
                let pid = self.allocate_producer_id(b)?;
                TxnMeta { producer_id: pid, epoch: 0, timeout_ms, state: TransactionState::Empty, partitions: BTreeSet::new(), start_ms: -1, update_ms: now }
            }
            Some(m) => match m.state {
                TransactionState::PrepareCommit | TransactionState::PrepareAbort | TransactionState::PrepareEpochFence => return Err(ErrorCode::CONCURRENT_TRANSACTIONS),
                TransactionState::Ongoing => {
                    // Fence the old instance: bump the epoch and abort its transaction first.
                    self.fence_and_abort(b, p, sid, txn_id, m);
                    return Err(ErrorCode::CONCURRENT_TRANSACTIONS);
                }
                _ => {
                    let (pid, epoch) = if m.epoch >= i16::MAX - 1 { (self.allocate_producer_id(b)?, 0) } else { (m.producer_id, m.epoch + 1) };
                    TxnMeta { producer_id: pid, epoch, timeout_ms, state: TransactionState::Empty, partitions: BTreeSet::new(), start_ms: -1, update_ms: now }
                }
            },
        };
        self.txn_write(b, p, sid, txn_id, meta, Then::ReplyInit { client, req_id });
        Ok(())
    }

    fn fence_and_abort(&mut self, b: BrokerId, p: i32, sid: u64, txn_id: &str, m: TxnMeta) {
        let now = self.now_ms;
        let meta = TxnMeta { epoch: m.epoch.saturating_add(1), state: TransactionState::PrepareAbort, update_ms: now, ..m };
        self.txn_write(b, p, sid, txn_id, meta, Then::Markers { reply: None });
    }

    /// Checks a request's producer id and epoch against the transaction (`PRODUCER_FENCED` for
    /// an older epoch, `INVALID_PRODUCER_ID_MAPPING` for an unknown id).
    fn txn_check(&mut self, b: BrokerId, txn_id: &str, pid: i64, epoch: i16) -> Result<(i32, u64, TxnMeta), ErrorCode> {
        let (p, sid) = self.txn_shard_for(b, txn_id)?;
        let s = self.shard(b, p, sid).expect("just loaded");
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

    #[allow(clippy::too_many_arguments)]
    fn handle_add_partitions(&mut self, b: BrokerId, client: u32, req_id: u64, txn_id: &str, pid: i64, epoch: i16, parts: Vec<(String, i32)>) -> Result<(), ErrorCode> {
        let (p, sid, m) = self.txn_check(b, txn_id, pid, epoch)?;
        if matches!(m.state, TransactionState::PrepareCommit | TransactionState::PrepareAbort | TransactionState::PrepareEpochFence) {
            return Err(ErrorCode::CONCURRENT_TRANSACTIONS);
        }
        for (t, part) in &parts {
            let known = self.ctl.by_name.get(t).and_then(|i| self.ctl.topics.get(i)).is_some_and(|tm| (*part as usize) < tm.partitions.len() && *part >= 0);
            if !known {
                return Err(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
            }
        }
        if m.state == TransactionState::Ongoing && parts.iter().all(|x| m.partitions.contains(x)) {
            self.txn_reply(b, client, TxnMsg::Resp { req_id, result: Ok(()) });
            return Ok(());
        }
        let now = self.now_ms;
        let mut meta = m.clone();
        if meta.state != TransactionState::Ongoing {
            meta.start_ms = now;
            meta.partitions.clear();
        }
        meta.state = TransactionState::Ongoing;
        meta.update_ms = now;
        meta.partitions.extend(parts);
        self.txn_write(b, p, sid, txn_id, meta, Then::Reply { client, req_id });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_end_txn(&mut self, b: BrokerId, client: u32, req_id: u64, txn_id: &str, pid: i64, epoch: i16, commit: bool) -> Result<(), ErrorCode> {
        let (p, sid, m) = self.txn_check(b, txn_id, pid, epoch)?;
        let now = self.now_ms;
        match (m.state, commit) {
            (TransactionState::Ongoing, _) => {
                let state = if commit { TransactionState::PrepareCommit } else { TransactionState::PrepareAbort };
                let meta = TxnMeta { state, update_ms: now, ..m };
                self.txn_write(b, p, sid, txn_id, meta, Then::Markers { reply: Some((client, req_id)) });
                Ok(())
            }
            (TransactionState::CompleteCommit, true) | (TransactionState::CompleteAbort, false) => {
                self.txn_reply(b, client, TxnMsg::Resp { req_id, result: Ok(()) });
                Ok(())
            }
            (TransactionState::PrepareCommit, true) | (TransactionState::PrepareAbort, false) => Err(ErrorCode::CONCURRENT_TRANSACTIONS),
            _ => Err(ErrorCode::INVALID_TXN_STATE),
        }
    }

    /// Writes the markers still missing for a transaction (each partition's leader appends a
    /// control batch); when none is left, writes CompleteCommit/CompleteAbort.
    fn send_markers(&mut self, c: BrokerId, p: i32, sid: u64, txn_id: &str) {
        let Some(s) = self.shard(c, p, sid) else { return };
        let Some((commit, left)) = s.markers_left.get(txn_id).cloned() else { return };
        let Some(meta) = s.txns.get(txn_id).cloned() else { return };
        let coordinator_epoch = s.leader_epoch;
        if left.is_empty() {
            s.markers_left.remove(txn_id);
            let now = self.now_ms;
            let state = if commit { TransactionState::CompleteCommit } else { TransactionState::CompleteAbort };
            let done = TxnMeta { state, partitions: BTreeSet::new(), update_ms: now, ..meta };
            self.txn_write(c, p, sid, txn_id, done, Then::Nothing);
            return;
        }
        // Forget earlier attempts for this transaction: their answers no longer matter.
        self.txns.markers.retain(|_, m| !(m.coordinator == c && m.partition == p && m.shard_id == sid && m.txn_id == txn_id));
        let mut unreachable = false;
        for tp in left {
            let Some(&idx) = self.ctl.by_name.get(&tp.0) else {
                // Deleted topic: nothing to mark.
                if let Some(s) = self.shard(c, p, sid) {
                    if let Some((_, l)) = s.markers_left.get_mut(txn_id) {
                        l.remove(&tp);
                    }
                }
                continue;
            };
            let itp = Tp { topic: idx, partition: tp.1 };
            let leader = self.brokers[&c].view.get(&itp).and_then(|m| m.leader);
            let Some(l) = leader.filter(|l| self.brokers_connected(c, *l)) else {
                unreachable = true;
                continue;
            };
            let now = self.wall_clock_ms();
            let mut data = RecordsData::new();
            data.first_timestamp = now;
            data.max_timestamp = now;
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
            let req_id = self.next_id();
            self.txns.markers.insert(req_id, MarkerWrite { coordinator: c, partition: p, shard_id: sid, txn_id: txn_id.to_string(), tp });
            self.handle_produce(l, TXN_MARKER_CLIENT, req_id, itp, Rc::new(data), -1, MARKER_TIMEOUT_MS);
        }
        let again = if unreachable { MARKER_RETRY_MS } else { MARKER_TIMEOUT_MS };
        self.schedule(again, Ev::Txn(TxnEv::MarkerRetry { broker: c, partition: p, shard_id: sid, txn_id: txn_id.to_string() }));
        // All markers may have been for deleted topics.
        if self.shard(c, p, sid).and_then(|s| s.markers_left.get(txn_id)).is_some_and(|(_, l)| l.is_empty()) {
            self.send_markers(c, p, sid, txn_id);
        }
    }

    /// A marker's append finished on its partition's leader.
    pub(crate) fn txn_marker_done(&mut self, req_id: u64, result: Result<(i64, i64), KafkaError>) {
        let Some(m) = self.txns.markers.remove(&req_id) else { return };
        match result {
            Ok(_) => {
                let Some(s) = self.shard(m.coordinator, m.partition, m.shard_id) else { return };
                let Some((_, left)) = s.markers_left.get_mut(&m.txn_id) else { return };
                left.remove(&m.tp);
                if left.is_empty() {
                    self.send_markers(m.coordinator, m.partition, m.shard_id, &m.txn_id);
                }
            }
            Err(_) => {
                self.schedule(MARKER_RETRY_MS, Ev::Txn(TxnEv::MarkerRetry { broker: m.coordinator, partition: m.partition, shard_id: m.shard_id, txn_id: m.txn_id }));
            }
        }
    }

    pub(crate) fn txn_timer(&mut self, ev: TxnEv) {
        match ev {
            TxnEv::Tick => {
                self.schedule(TXN_ABORT_CHECK_INTERVAL_MS, Ev::Txn(TxnEv::Tick));
                let now = self.now_ms;
                let mut expired = Vec::new();
                for ((b, p), s) in &self.txns.shards {
                    if !self.broker_up(*b) || self.brokers[b].incarnation != s.incarnation {
                        continue;
                    }
                    for (id, m) in &s.txns {
                        if m.state == TransactionState::Ongoing && !s.writing.contains(id) && now > m.start_ms + m.timeout_ms {
                            expired.push((*b, *p, s.id, id.clone(), m.clone()));
                        }
                    }
                }
                for (b, p, sid, id, m) in expired {
                    // Still the coordinator?
                    if self.txn_shard(b, p) == Ok(sid) {
                        self.fence_and_abort(b, p, sid, &id, m);
                    }
                }
            }
            TxnEv::MarkerRetry { broker, partition, shard_id, txn_id } => {
                if self.txn_shard(broker, partition) != Ok(shard_id) {
                    return;
                }
                // Markers still missing are resent; with none left, the failed Complete write is.
                let due = self.shard(broker, partition, shard_id).is_some_and(|s| s.markers_left.get(&txn_id).is_some_and(|(_, l)| !l.is_empty() || !s.writing.contains(&txn_id)));
                if due {
                    self.send_markers(broker, partition, shard_id, &txn_id);
                }
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
        let idx = self.ctl.by_name.get(OFFSETS_TOPIC).copied().unwrap_or(u32::MAX);
        self.handle_produce(b, TXN_LOG_CLIENT, wid, Tp { topic: idx, partition: p }, Rc::new(data), -1, super::group::OFFSETS_COMMIT_TIMEOUT_MS);
        Ok(())
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
            let Some(s) = self.shard(l, p, sid) else { continue };
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
        let s = self.shard(l, p, sid).ok_or_else(not_found)?;
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

fn map_append_error(e: ErrorCode) -> ErrorCode {
    match e {
        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION | ErrorCode::NOT_ENOUGH_REPLICAS | ErrorCode::NOT_ENOUGH_REPLICAS_AFTER_APPEND | ErrorCode::REQUEST_TIMED_OUT => {
            ErrorCode::COORDINATOR_NOT_AVAILABLE
        }
        ErrorCode::NOT_LEADER_OR_FOLLOWER => ErrorCode::NOT_COORDINATOR,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
