//! The transactional client (`TransactionManager`) as a node: a producer reacts to the
//! coordinator's answers and decides its next request through a [`Ctx`], reading and writing only
//! its own state. The Cluster routes what it sends (its glue is in `cluster/views.rs`).

use super::super::error::{ErrorCode, KResult, KafkaError};
use super::super::ids::{BrokerId, ProducerId};
use super::super::msg::{Dest, Msg, TxnMsg};
use super::super::node::Ctx;
use super::super::producer::state::Producer;
use super::super::assignor::TopicPartition;
use super::state::{illegal, PendingOffsets, TxnClient, TxnClientState, TxnOp, TxnReq};

/// What a transactional producer sends next.
enum Next {
    Nothing,
    /// The operation completed without a request (EndTxn with nothing added).
    Done,
    Send { req: TxnReq, to_group: bool },
}

/// What an answer does to the producer beyond its transaction state.
#[derive(Default)]
struct Effects {
    /// The new producer id and epoch (InitProducerId answered).
    identity: Option<(i64, i16)>,
    /// The transaction ended: sends stop flushing.
    stop_flushing: bool,
    /// A fatal or abortable error fails every record not sent yet.
    fail_unsent: Option<KafkaError>,
}

fn finish_op(t: &mut TxnClient, r: KResult<()>) {
    t.op = None;
    t.result = Some(r);
}

/// Retries after the backoff; `lose_coordinator` forgets both coordinators first.
fn retry(t: &mut TxnClient, lose_coordinator: bool, retry_at_ms: i64) {
    if lose_coordinator {
        t.coordinator = None;
        t.group_coordinator = None;
    }
    t.retry_at_ms = retry_at_ms;
}

impl TxnClient {
    /// The client's invariants, asserted when a handler returns: a partition waits to join the
    /// transaction or has joined, never both; an operation in progress has no result yet.
    fn check(&self) {
        debug_assert!(self.pending_add.is_disjoint(&self.added), "txn {}: partitions both pending and added", self.id);
        debug_assert!(self.op.is_none() || self.result.is_none(), "txn {}: an operation in progress already has a result", self.id);
    }

    /// `TransactionManager.nextRequest`: the request the client's state calls for now.
    fn next_request(&mut self, pending_sends: u64) -> Next {
        let aborting = self.state == TxnClientState::AbortingTransaction;
        let send = |req, to_group| Next::Send { req, to_group };
        if self.op == Some(TxnOp::Init) {
            send(TxnReq::Init, false)
        } else if !self.pending_add.is_empty() && !aborting && matches!(self.state, TxnClientState::InTransaction | TxnClientState::CommittingTransaction) {
            send(TxnReq::AddPartitions, false)
        } else if self.op == Some(TxnOp::SendOffsets) {
            match &self.offsets {
                Some(o) if !o.added => send(TxnReq::AddOffsets, false),
                Some(_) => send(TxnReq::OffsetCommit, true),
                None => Next::Nothing,
            }
        } else if matches!(self.op, Some(TxnOp::End { .. })) {
            if pending_sends > 0 {
                Next::Nothing
            } else if !self.started {
                // Nothing was added: no EndTxn needed.
                self.state = TxnClientState::Ready;
                self.added.clear();
                finish_op(self, Ok(()));
                Next::Done
            } else {
                send(TxnReq::End, false)
            }
        } else {
            Next::Nothing
        }
    }

    /// The group whose coordinator offset requests go to.
    fn offsets_group(&self) -> String {
        self.offsets.as_ref().map(|o| o.group.clone()).unwrap_or_default()
    }

    /// The request `req` to coordinator `c`: the message, its kind and the partitions it adds.
    fn request(&self, req: TxnReq, producer: ProducerId, req_id: u64, (pid, epoch): (i64, i16)) -> Option<(TxnMsg, Vec<(String, i32)>)> {
        let txn_id = self.id.clone();
        let msg = match req {
            TxnReq::Init => TxnMsg::InitProducerId { producer, req_id, txn_id: Some(txn_id), timeout_ms: self.timeout_ms },
            TxnReq::AddPartitions => {
                let parts: Vec<(String, i32)> = self.pending_add.iter().cloned().collect();
                return Some((TxnMsg::AddPartitions { producer, req_id, txn_id, pid, epoch, parts: parts.clone() }, parts));
            }
            TxnReq::AddOffsets => TxnMsg::AddOffsets { producer, req_id, txn_id, pid, epoch, group: self.offsets_group() },
            TxnReq::OffsetCommit => {
                let o = self.offsets.clone()?;
                TxnMsg::TxnOffsetCommit { producer, req_id, txn_id, pid, epoch, group: o.group, offsets: o.offsets }
            }
            TxnReq::End => {
                let commit = matches!(self.op, Some(TxnOp::End { commit: true }));
                TxnMsg::EndTxn { producer, req_id, txn_id, pid, epoch, commit }
            }
            TxnReq::FindTxn | TxnReq::FindGroup => return None,
        };
        Some((msg, Vec::new()))
    }

    fn on_find_coordinator(&mut self, kind: TxnReq, result: Result<BrokerId, ErrorCode>, retry_at_ms: i64) {
        match result {
            Ok(b) if kind == TxnReq::FindGroup => self.group_coordinator = self.offsets.as_ref().map(|o| (o.group.clone(), b)),
            Ok(b) => self.coordinator = Some(b),
            Err(_) => retry(self, false, retry_at_ms),
        }
    }

    fn on_init_producer_id(&mut self, result: Result<(i64, i16), KafkaError>, retry_at_ms: i64, fx: &mut Effects) {
        match result {
            Ok(identity) => {
                fx.identity = Some(identity);
                self.state = TxnClientState::Ready;
                self.added.clear();
                self.pending_add.clear();
                self.last_error = None;
                finish_op(self, Ok(()));
            }
            Err(e) => match e.code {
                ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE => retry(self, true, retry_at_ms),
                ErrorCode::CONCURRENT_TRANSACTIONS | ErrorCode::COORDINATOR_LOAD_IN_PROGRESS => retry(self, false, retry_at_ms),
                _ => {
                    self.state = TxnClientState::FatalError;
                    self.last_error = Some(e.clone());
                    finish_op(self, Err(e));
                }
            },
        }
    }

    /// AddPartitions, AddOffsets, TxnOffsetCommit or EndTxn succeeded.
    fn on_resp_ok(&mut self, kind: TxnReq, parts: Vec<(String, i32)>, fx: &mut Effects) {
        match kind {
            TxnReq::AddPartitions => {
                for tp in parts {
                    self.pending_add.remove(&tp);
                    self.added.insert(tp);
                }
                self.started = true;
            }
            TxnReq::AddOffsets => {
                if let Some(o) = self.offsets.as_mut() {
                    o.added = true;
                }
                self.started = true;
            }
            TxnReq::OffsetCommit => {
                self.offsets = None;
                finish_op(self, Ok(()));
            }
            TxnReq::End => {
                self.state = TxnClientState::Ready;
                self.added.clear();
                self.started = false;
                finish_op(self, Ok(()));
                fx.stop_flushing = true;
            }
            _ => {}
        }
    }

    /// One of them failed: retry, or enter the fatal (fenced, EndTxn) or abortable error state.
    fn on_resp_err(&mut self, kind: TxnReq, e: KafkaError, retry_at_ms: i64, fx: &mut Effects) {
        let state = match e.code {
            ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE | ErrorCode::REQUEST_TIMED_OUT => return retry(self, true, retry_at_ms),
            ErrorCode::CONCURRENT_TRANSACTIONS | ErrorCode::COORDINATOR_LOAD_IN_PROGRESS | ErrorCode::UNKNOWN_TOPIC_OR_PARTITION => return retry(self, false, retry_at_ms),
            ErrorCode::PRODUCER_FENCED | ErrorCode::INVALID_PRODUCER_EPOCH | ErrorCode::INVALID_PRODUCER_ID_MAPPING | ErrorCode::TRANSACTION_COORDINATOR_FENCED => TxnClientState::FatalError,
            _ if kind == TxnReq::End => TxnClientState::FatalError,
            _ => TxnClientState::AbortableError,
        };
        let e = if e.code == ErrorCode::INVALID_PRODUCER_EPOCH { KafkaError::of(ErrorCode::PRODUCER_FENCED) } else { e };
        self.state = state;
        self.last_error = Some(e.clone());
        self.pending_add.clear();
        if self.op.is_some() {
            finish_op(self, Err(e.clone()));
        }
        fx.fail_unsent = Some(e);
    }
}

impl Producer {
    /// Drives a transactional producer's requests (from its poll): resend after a timeout, back
    /// off, or send what its state calls for to the coordinator it knows (or find it first).
    pub(crate) fn txn_poll(&mut self, id: ProducerId, ctx: &mut Ctx) {
        self.txn_poll_unchecked(id, ctx);
        if let Some(t) = &self.txn {
            t.check();
        }
    }

    fn txn_poll_unchecked(&mut self, id: ProducerId, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        let (timeout, backoff) = (self.config.request_timeout_ms, self.config.retry_backoff_ms);
        let pending_sends = self.pending_sends_count();
        let identity = self.idem.as_ref().map_or((-1, -1), |i| (i.producer_id, i.epoch));
        let Some(t) = self.txn.as_mut() else { return };
        if let Some((_, _, sent, _)) = &t.inflight {
            if now - sent < timeout {
                return;
            }
            // No answer: the coordinator may have moved.
            t.inflight = None;
            t.coordinator = None;
            t.group_coordinator = None;
        }
        if now < t.retry_at_ms {
            let at = t.retry_at_ms;
            return self.wake(id, at, ctx);
        }
        let (req, to_group) = match t.next_request(pending_sends) {
            Next::Nothing => return,
            Next::Done => return self.flushing_for_txn(false),
            Next::Send { req, to_group } => (req, to_group),
        };
        let coordinator = if to_group { t.group_coordinator.as_ref().filter(|(g, _)| *g == t.offsets_group()).map(|(_, b)| *b) } else { t.coordinator };
        let req_id = ctx.next_id();
        let (target, msg, kind, parts) = match coordinator {
            None => {
                let key = if to_group { t.offsets_group() } else { t.id.clone() };
                let Some(b) = ctx.any_reachable() else {
                    t.retry_at_ms = now + backoff;
                    return self.wake(id, now + backoff, ctx);
                };
                (b, TxnMsg::FindCoordinator { producer: id, req_id, key, group: to_group }, if to_group { TxnReq::FindGroup } else { TxnReq::FindTxn }, Vec::new())
            }
            Some(c) => match t.request(req, id, req_id, identity) {
                Some((msg, parts)) => (c, msg, req, parts),
                None => return,
            },
        };
        if !ctx.reaches(target) {
            retry(t, true, now + backoff);
            return self.wake(id, now + backoff, ctx);
        }
        t.inflight = Some((req_id, kind, now, parts));
        ctx.send(None, Dest::Broker(target), Msg::Txn(Box::new(msg)));
        self.wake(id, now + timeout, ctx);
    }

    /// A transaction-protocol answer arrived (InitProducerId for an idempotent-only producer, or
    /// the answer to the transactional request in flight). True when the producer should poll.
    pub(crate) fn on_txn_answer(&mut self, msg: TxnMsg, now_ms: i64) -> bool {
        let retry_at_ms = now_ms + self.config.retry_backoff_ms;
        if let TxnMsg::InitProducerIdResp { req_id, result } = &msg {
            if let Some(i) = self.idem.as_mut().filter(|i| i.init_inflight.is_some_and(|(r, _)| r == *req_id)) {
                i.init_inflight = None;
                match result {
                    Ok((pid, epoch)) => {
                        i.producer_id = *pid;
                        i.epoch = *epoch;
                        i.next_seq.clear();
                    }
                    Err(_) => i.init_retry_at_ms = retry_at_ms,
                }
                return true;
            }
        }
        let Some(t) = self.txn.as_mut() else { return false };
        let (TxnMsg::FindCoordinatorResp { req_id, .. } | TxnMsg::InitProducerIdResp { req_id, .. } | TxnMsg::Resp { req_id, .. }) = &msg else { return false };
        let Some((_, kind, _, parts)) = t.inflight.take_if(|(rid, ..)| *rid == *req_id) else { return false };
        let mut fx = Effects::default();
        match msg {
            TxnMsg::FindCoordinatorResp { result, .. } => t.on_find_coordinator(kind, result, retry_at_ms),
            TxnMsg::InitProducerIdResp { result, .. } => t.on_init_producer_id(result, retry_at_ms, &mut fx),
            TxnMsg::Resp { result: Ok(()), .. } => t.on_resp_ok(kind, parts, &mut fx),
            TxnMsg::Resp { result: Err(e), .. } => t.on_resp_err(kind, e, retry_at_ms, &mut fx),
            _ => {}
        }
        if fx.stop_flushing {
            self.flushing_for_txn(false);
        }
        if let Some(e) = fx.fail_unsent {
            self.fail_unsent(&e);
        }
        if let (Some((pid, epoch)), Some(i)) = (fx.identity, self.idem.as_mut()) {
            i.producer_id = pid;
            i.epoch = epoch;
            i.next_seq.clear();
        }
        if let Some(t) = &self.txn {
            t.check();
        }
        true
    }
}

/// The application's transactional calls (`KafkaProducer`'s API): each checks the client's
/// state and starts the operation; the Cluster then polls the producer. Errors are the ones the
/// Java client throws at once.
impl Producer {
    /// The transactional client with the producer id and epoch it uses (-1, -1 before it has one).
    fn txn_parts(&mut self) -> KResult<(&mut TxnClient, i64, i16)> {
        let (pid, epoch) = self.idem.as_ref().map_or((-1, -1), |i| (i.producer_id, i.epoch));
        let t = self.txn.as_mut().ok_or_else(|| illegal("Transactional method invoked on a non-transactional producer.".into()))?;
        Ok((t, pid, epoch))
    }

    /// `initTransactions`, started.
    pub(crate) fn start_init_transactions(&mut self) -> KResult<()> {
        let (t, _, _) = self.txn_parts()?;
        if t.state != TxnClientState::Uninitialized {
            return Err(t.transition_error(TxnClientState::Initializing));
        }
        t.state = TxnClientState::Initializing;
        t.op = Some(TxnOp::Init);
        t.result = None;
        t.check();
        Ok(())
    }

    /// `beginTransaction` (local: nothing is sent until the first record or offsets).
    pub(crate) fn begin_transaction(&mut self) -> KResult<()> {
        let (t, pid, epoch) = self.txn_parts()?;
        t.maybe_fail(pid, epoch)?;
        if t.state != TxnClientState::Ready {
            return Err(t.transition_error(TxnClientState::InTransaction));
        }
        t.state = TxnClientState::InTransaction;
        t.started = false;
        t.check();
        Ok(())
    }

    /// `sendOffsetsToTransaction`, started.
    pub(crate) fn start_send_offsets_to_transaction(&mut self, offsets: Vec<(TopicPartition, i64)>, group: &str) -> KResult<()> {
        let (t, pid, epoch) = self.txn_parts()?;
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
        t.check();
        Ok(())
    }

    /// `commitTransaction` / `abortTransaction`, started (pending records are flushed first; an
    /// abort drops the records not sent yet).
    pub(crate) fn start_end_transaction(&mut self, commit: bool) -> KResult<()> {
        let (t, pid, epoch) = self.txn_parts()?;
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
            self.fail_unsent(&e);
        }
        self.flushing_for_txn(true);
        Ok(())
    }
}

impl TxnClient {
    /// The outcome of the last started call, once known (taken: a second call sees None).
    pub(crate) fn take_result(&mut self) -> Option<KResult<()>> {
        self.result.take()
    }

    /// Whether the last started call has an outcome waiting.
    pub(crate) fn has_result(&self) -> bool {
        self.result.is_some()
    }
}
