//! The group coordinator's side of transactions (a node: methods on [`GroupCoordinator`]):
//! TxnOffsetCommit is written to `__consumer_offsets` as a transactional batch of the producer,
//! and its offsets wait (Kafka's `pendingTransactionalOffsetCommits`) until the transaction's
//! marker reaches the partition: COMMIT applies them, ABORT drops them.

use super::records::{self, OffsetValue, RecordKey};
use super::state::{CommittedOffset, Group, GroupCoordinator, TxnOffsetsAppend};
use super::{OFFSETS_COMMIT_TIMEOUT_MS, OFFSETS_PARTITIONS};
use crate::engine::assignor::{coordinator_partition, TopicPartition};
use crate::engine::cluster::{Broker, Dest, Msg, Tp};
use crate::engine::error::{ErrorCode, KafkaError};
use crate::engine::ids::TXN_LOG_CLIENT;
use crate::engine::log::{ProducerBatchInfo, RecordsData};
use crate::engine::msg::TxnMsg;
use crate::engine::node::Ctx;
use std::rc::Rc;

/// A TxnOffsetCommit as the group coordinator receives it.
pub(crate) struct TxnOffsetCommit {
    pub client: u32,
    pub req_id: u64,
    pub producer_id: i64,
    pub epoch: i16,
    pub group: String,
    pub offsets: Vec<(TopicPartition, i64)>,
}

/// The error a client gets when a coordinator's transactional write to its own log failed
/// (`TransactionStateManager`'s mapping; the transaction coordinator uses it too).
pub(crate) fn txn_log_append_error(e: ErrorCode) -> ErrorCode {
    match e {
        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION | ErrorCode::NOT_ENOUGH_REPLICAS | ErrorCode::NOT_ENOUGH_REPLICAS_AFTER_APPEND | ErrorCode::REQUEST_TIMED_OUT => {
            ErrorCode::COORDINATOR_NOT_AVAILABLE
        }
        ErrorCode::NOT_LEADER_OR_FOLLOWER => ErrorCode::NOT_COORDINATOR,
        other => other,
    }
}

impl GroupCoordinator {
    fn txn_reply(&self, ctx: &mut Ctx, client: u32, msg: TxnMsg) {
        ctx.send(Some(self.broker), Dest::Client(client), Msg::Txn(Box::new(msg)));
    }

    /// Whether request `req_id` is one of this coordinator's transactional offset writes.
    pub(crate) fn owns_txn_append(&self, req_id: u64) -> bool {
        self.txn_appends.contains_key(&req_id)
    }

    /// TxnOffsetCommit: the offsets are written as a transactional batch (acks=all) through the
    /// host's log; the answer goes out once the write completes.
    pub(crate) fn on_txn_offset_commit(&mut self, host: &Broker, ctx: &mut Ctx, req: TxnOffsetCommit) {
        let (client, req_id) = (req.client, req.req_id);
        if let Err(e) = self.txn_offset_commit(host, ctx, req) {
            self.txn_reply(ctx, client, TxnMsg::Resp { req_id, result: Err(KafkaError::of(e)) });
        }
    }

    fn txn_offset_commit(&mut self, host: &Broker, ctx: &mut Ctx, req: TxnOffsetCommit) -> Result<(), ErrorCode> {
        if req.group.is_empty() {
            return Err(ErrorCode::INVALID_GROUP_ID);
        }
        let (p, sid) = self.group_shard(host, ctx, &req.group)?;
        let now = ctx.now_ms;
        let mut data = RecordsData::new();
        let mut committed = Vec::new();
        for (tp, offset) in req.offsets {
            let key = records::encode_key(&RecordKey::Offset { group: req.group.clone(), tp: tp.clone() });
            let v = OffsetValue { offset, leader_epoch: -1, metadata: String::new(), commit_timestamp_ms: now };
            data.push(now, Some(&key), Some(&records::encode_offset(&v)), Vec::new());
            committed.push((tp, CommittedOffset { offset, metadata: String::new(), commit_timestamp_ms: now }));
        }
        if data.is_empty() {
            self.txn_reply(ctx, req.client, TxnMsg::Resp { req_id: req.req_id, result: Ok(()) });
            return Ok(());
        }
        data.producer = ProducerBatchInfo { producer_id: req.producer_id, producer_epoch: req.epoch, base_sequence: -1, transactional: true, control: None, coordinator_epoch: -1 };
        let wid = ctx.next_id();
        let pending = TxnOffsetsAppend { partition: p, shard_id: sid, producer_id: req.producer_id, group: req.group, offsets: committed, client: req.client, req_id: req.req_id };
        self.txn_appends.insert(wid, pending);
        // The partition the shard was loaded from (its host's view).
        let topic = self.shard(p, sid).map_or(u32::MAX, |s| s.topic);
        let tp = Tp { topic, partition: p };
        ctx.direct(self.broker, Msg::Produce { producer: TXN_LOG_CLIENT, req_id: wid, tp, data: Rc::new(data), acks: -1, timeout_ms: OFFSETS_COMMIT_TIMEOUT_MS });
        Ok(())
    }

    /// A transactional offset commit was written: its offsets wait for the transaction's marker.
    pub(crate) fn on_txn_offsets_written(&mut self, ctx: &mut Ctx, req_id: u64, result: Result<(i64, i64), KafkaError>) {
        let Some(oa) = self.txn_appends.remove(&req_id) else { return };
        let result = match result {
            Ok(_) => {
                let list = self.txn_pending.entry((oa.partition, oa.shard_id)).or_default().entry(oa.producer_id).or_default();
                list.extend(oa.offsets.into_iter().map(|(tp, o)| (oa.group.clone(), tp, o)));
                Ok(())
            }
            Err(e) => Err(KafkaError::of(txn_log_append_error(e.code))),
        };
        self.txn_reply(ctx, oa.client, TxnMsg::Resp { req_id: oa.req_id, result });
    }

    /// A marker of producer `producer_id` was appended to offsets partition `p` on the host: its
    /// pending transactional offsets become committed (COMMIT) or are dropped (ABORT).
    pub(crate) fn on_offsets_marker(&mut self, ctx: &mut Ctx, p: i32, producer_id: i64, commit: bool) {
        let Some(sid) = self.shards.get(&p).map(|s| s.id) else { return };
        let Some(pending) = self.txn_pending.get_mut(&(p, sid)).and_then(|m| m.remove(&producer_id)) else { return };
        let Some(shard) = self.shards.get_mut(&p).filter(|_| commit) else { return };
        for (group, tp, o) in pending {
            debug_assert_eq!(coordinator_partition(&group, OFFSETS_PARTITIONS), p, "group {group}'s offsets are pending on partition {p}");
            shard.groups.entry(group.clone()).or_insert_with(|| Group::new(&group, ctx.now_ms)).offsets.insert(tp, o);
        }
    }
}
