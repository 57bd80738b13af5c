//! Reads from a leader's log for consumers: the read itself (`UnifiedLog.read` up to the high
//! watermark, or the last stable offset for read_committed), which the shell's synchronous reads
//! share, and the broker's purgatory of consumer fetches waiting for data (`DelayedFetch`).
//! A broker serves a partition when its own metadata view names it the leader: a stale leader
//! serves until its metadata says otherwise, as in Kafka.

use crate::engine::error::{ErrorCode, KResult, KafkaError};
use crate::engine::ids::{BrokerId, Tp};
use crate::engine::msg::{Dest, Ev, FetchRequest, FetchResponse, GroupEv, GroupMsg, Isolation, Msg, OffsetSpec};
use crate::engine::node::Ctx;
use super::state::*;

/// Reads `req` from leader `leader`'s replica: at most `max_records` and (past the first batch)
/// `max_bytes`, up to the high watermark (read_committed: the last stable offset).
pub(crate) fn read_replica(r: &Replica, leader: BrokerId, req: &FetchRequest) -> KResult<FetchResponse> {
    let log = &r.log;
    // Out of range is judged against the log end (`UnifiedLog.read`): an offset between the
    // high watermark and the log end (a new leader's HW catching up) reads as empty.
    if req.offset < log.log_start_offset || req.offset > log.log_end_offset {
        return Err(KafkaError::new(
            ErrorCode::OFFSET_OUT_OF_RANGE,
            format!("Fetch position FetchPosition{{offset={}}} is out of range for partition {}-{}", req.offset, req.topic, req.partition),
        ));
    }
    let read_committed = req.isolation == Isolation::ReadCommitted;
    let lso = log.last_stable_offset();
    let upto = if read_committed { lso } else { log.high_watermark };
    let (batches, end) = read_window(r, req, upto);
    let end = end.max(req.offset);
    Ok(FetchResponse {
        batches,
        first_offset: req.offset,
        end_offset: end,
        high_watermark: log.high_watermark,
        log_start_offset: log.log_start_offset,
        last_stable_offset: lso,
        leader,
        leader_epoch: r.vol.leader_epoch,
        aborted: if read_committed { log.aborted_txns(req.offset, end) } else { Vec::new() },
    })
}

/// The batches of `[req.offset, upto)` within the request's limits, and the offset the answer
/// ends at.
fn read_window(r: &Replica, req: &FetchRequest, upto: i64) -> (Vec<std::rc::Rc<crate::engine::log::Batch>>, i64) {
    let (mut batches, mut records, mut bytes, mut end) = (Vec::new(), 0usize, 0u64, req.offset);
    for bt in r.log.batches_from(req.offset, upto).filter(|_| req.offset < upto) {
        if records >= req.max_records || (!batches.is_empty() && bytes + bt.size_bytes() as u64 > req.max_bytes) {
            break;
        }
        let lo = bt.base_offset.max(req.offset);
        let hi = bt.next_offset().min(upto);
        let room = req.max_records - records;
        if bt.is_dense() {
            let take = ((hi - lo).max(0) as usize).min(room);
            records += take;
            end = lo + take as i64;
        } else {
            // A compacted batch: count the records it still holds in the window; a batch that is
            // wholly inside the window moves the end past its last offset (gaps included), so the
            // next fetch continues after it.
            let mut take = 0usize;
            end = hi;
            for rec in bt.records().filter(|rec| rec.offset >= lo && rec.offset < hi) {
                if take == room {
                    end = rec.offset;
                    break;
                }
                take += 1;
            }
            records += take;
        }
        bytes += bt.size_bytes() as u64;
        batches.push(bt.clone());
    }
    (batches, end)
}

/// ListOffsets on a leader's replica: earliest (log start), latest (HW) or by timestamp, as
/// (offset, timestamp), (-1, -1) when no record is that late. OFFSET_NOT_AVAILABLE while a new
/// leader's HW has not reached its epoch's start (except for earliest).
pub(crate) fn list_offset(r: &Replica, spec: OffsetSpec) -> KResult<(i64, i64)> {
    let log = &r.log;
    if log.high_watermark < r.vol.epoch_start_offset && spec != OffsetSpec::Earliest {
        return Err(KafkaError::of(ErrorCode::OFFSET_NOT_AVAILABLE));
    }
    Ok(match spec {
        OffsetSpec::Earliest => (log.log_start_offset, -1),
        OffsetSpec::Latest => (log.high_watermark, -1),
        OffsetSpec::Timestamp(ts) => log.offset_for_timestamp(ts, log.high_watermark).unwrap_or((-1, -1)),
    })
}

impl Broker {
    /// The replica of `topic`-`partition` this broker serves clients from: its view names it the
    /// leader and the replica acts as leader in that epoch.
    fn leading_replica(&self, topic: &str, partition: i32) -> KResult<&Replica> {
        let idx = self.topic_idx(topic).ok_or_else(|| KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION))?;
        let tp = Tp { topic: idx, partition };
        let pm = self.view.get(&tp).ok_or_else(|| KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION))?;
        let leader = pm.leader.ok_or_else(|| KafkaError::of(ErrorCode::LEADER_NOT_AVAILABLE))?;
        let serving = self.replicas.get(&tp).filter(|r| leader == self.id && r.vol.is_leader && r.vol.leader_epoch == pm.leader_epoch);
        serving.ok_or_else(|| KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER))
    }

    /// A consumer's read of one partition here, as this broker's metadata view sees it.
    fn read_for_consumer(&self, req: &FetchRequest) -> KResult<FetchResponse> {
        read_replica(self.leading_replica(&req.topic, req.partition)?, self.id, req)
    }

    /// Partitions of `topic` in this broker's view (0 when it does not know the topic): what its
    /// metadata answer tells a client.
    pub(crate) fn partition_count(&self, topic: &str) -> i32 {
        self.topic_idx(topic).map_or(0, |idx| self.leaders_of(idx).len() as i32)
    }

    /// The partition's leader in this broker's view.
    pub(crate) fn leader_of(&self, topic: &str, partition: i32) -> Option<BrokerId> {
        let idx = self.topic_idx(topic)?;
        self.view.get(&Tp { topic: idx, partition })?.leader
    }

    /// ListOffsets here (None on an error: not the leader, or a new leader's HW not yet past its
    /// epoch's start for latest and by-timestamp lookups, OFFSET_NOT_AVAILABLE).
    pub(crate) fn list_offset_here(&self, topic: &str, partition: i32, spec: OffsetSpec) -> Option<i64> {
        list_offset(self.leading_replica(topic, partition).ok()?, spec).ok().map(|(offset, _)| offset)
    }

    /// Every partition of a consumer fetch read now; whether any has data or an error.
    fn consumer_fetch_parts(&self, f: &ParkedConsumerFetch) -> (Vec<(crate::engine::assignor::TopicPartition, KResult<FetchResponse>)>, bool) {
        let mut out = Vec::with_capacity(f.parts.len());
        let mut any = false;
        for (tp, offset) in &f.parts {
            let req = FetchRequest { topic: tp.topic.clone(), partition: tp.partition, offset: *offset, max_records: usize::MAX, max_bytes: f.max_partition_bytes, isolation: f.isolation };
            let r = self.read_for_consumer(&req);
            any |= r.as_ref().map_or(true, |resp| resp.end_offset > resp.first_offset);
            out.push((tp.clone(), r));
        }
        (out, any)
    }

    fn answer_consumer_fetch(&self, ctx: &mut Ctx, f: &ParkedConsumerFetch, parts: Vec<(crate::engine::assignor::TopicPartition, KResult<FetchResponse>)>) {
        ctx.send(Some(self.id), Dest::Client(f.consumer), Msg::Group(Box::new(GroupMsg::FetchResp { req_id: f.req_id, parts })));
    }

    /// A consumer's FetchRequest: answered now when any partition has data or an error (or the
    /// consumer waits for nothing), else parked up to its `fetch.max.wait.ms`.
    pub(crate) fn on_consumer_fetch(&mut self, ctx: &mut Ctx, f: ParkedConsumerFetch, max_wait_ms: i64) {
        let (parts, any) = self.consumer_fetch_parts(&f);
        if any || max_wait_ms <= 0 {
            return self.answer_consumer_fetch(ctx, &f, parts);
        }
        ctx.timer(max_wait_ms, Ev::Group(GroupEv::FetchExpire { broker: self.id, req_id: f.req_id }));
        self.parked_consumer_fetches.push(f);
    }

    /// A parked consumer fetch's wait is over: answered with what there is.
    pub(crate) fn on_consumer_fetch_expire(&mut self, ctx: &mut Ctx, req_id: u64) {
        let Some(pos) = self.parked_consumer_fetches.iter().position(|p| p.req_id == req_id) else { return };
        let f = self.parked_consumer_fetches.remove(pos);
        if !self.is_up() {
            return;
        }
        let (parts, _) = self.consumer_fetch_parts(&f);
        self.answer_consumer_fetch(ctx, &f, parts);
    }

    /// The high watermark of `tp` advanced here: answer the consumer fetches parked on it.
    pub(crate) fn wake_consumer_fetches(&mut self, ctx: &mut Ctx, tp: Tp) {
        if self.parked_consumer_fetches.is_empty() {
            return;
        }
        let name = self.topic_name(tp.topic);
        let mut woken = Vec::new();
        self.parked_consumer_fetches.retain(|p| {
            let asks = p.parts.iter().any(|(t, _)| t.partition == tp.partition && *t.topic == *name);
            if asks {
                woken.push(p.clone());
            }
            !asks
        });
        for f in woken {
            let (parts, _) = self.consumer_fetch_parts(&f);
            self.answer_consumer_fetch(ctx, &f, parts);
        }
    }
}
