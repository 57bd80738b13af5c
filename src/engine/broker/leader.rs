//! The leader's side of a broker (`ReplicaManager`, `Partition` as leader): produce with acks and
//! `min.insync.replicas`, idempotent duplicates, follower fetches served with long polls
//! (`DelayedFetch`), the high watermark over the ISR, the produce purgatory (`DelayedProduce`),
//! ISR expansion and shrinking by AlterPartition. Every handler reads and writes only its own
//! `Broker` and works through a `Ctx`.

use std::rc::Rc;
use crate::engine::error::{ErrorCode, KResult, KafkaError};
use crate::engine::event::EventKind;
use crate::engine::ids::{BrokerId, Tp};
use crate::engine::log::{Batch, RecordsData};
use crate::engine::msg::{Dest, Ev, FetchPart, FetchResult, Msg};
use crate::engine::node::{Ctx, Local, Observation, WALL_CLOCK_EPOCH_MS};
use super::state::*;

/// A ProduceRequest for one partition, as the leader receives it.
pub(crate) struct Produce {
    pub producer: u32,
    pub req_id: u64,
    pub tp: Tp,
    pub data: Rc<RecordsData>,
    pub acks: i16,
    pub timeout_ms: i64,
}

impl Broker {
    /// The leader's own invariants for `tp` (checked at handler boundaries in debug builds).
    fn assert_leader_invariants(&self, tp: Tp) {
        if let Some(r) = self.replicas.get(&tp) {
            debug_assert!(r.log.high_watermark <= r.log.log_end_offset, "broker {} {tp:?}: HW above LEO", self.id);
            debug_assert!(!r.vol.is_leader || !r.vol.followers.contains_key(&self.id), "broker {} {tp:?}: a leader never follows itself", self.id);
        }
    }

    /// An AlterPartition answer. A rejected change clears the pending state. An accepted one
    /// arrives as metadata: until the view holds the committed epoch, the leader keeps its
    /// maximal ISR (Kafka's leader moves to the committed state the response carries; here the
    /// view is that state, so dropping the pending ISR before it would compute the HW over the
    /// old, smaller ISR while the controller committed the larger one).
    pub(crate) fn on_alter_partition_done(&mut self, tp: Tp, committed_epoch: Option<i32>) {
        let view_epoch = self.view.get(&tp).map_or(-1, |m| m.partition_epoch);
        if committed_epoch.is_none_or(|e| view_epoch >= e) {
            if let Some(r) = self.replicas.get_mut(&tp) {
                r.vol.pending_isr = None;
            }
        }
    }

    // ----- produce -----

    /// A ProduceRequest for one partition: validated, deduplicated (idempotence), appended, then
    /// answered at once (acks 0/1) or when the HW passes it (acks=all, the produce purgatory).
    pub(crate) fn on_produce(&mut self, ctx: &mut Ctx, req: Produce) {
        let name = self.topic_name(req.tp.topic);
        let log_append_time = match self.check_produce(&req, &name) {
            Ok(t) => t,
            Err(e) => return self.refuse_produce(ctx, &req, &name, e),
        };
        match self.answer_duplicate(ctx, &req, &name) {
            Ok(true) => return,
            Ok(false) => {}
            Err(e) => return self.refuse_produce(ctx, &req, &name, e),
        }
        if let Err(e) = ctx.reserve_log_bytes(u64::from(req.data.size_bytes)) {
            return self.refuse_produce(ctx, &req, &name, e);
        }
        self.append_produce(ctx, req, name, log_append_time);
    }

    fn refuse_produce(&self, ctx: &mut Ctx, req: &Produce, name: &Rc<str>, e: KafkaError) {
        ctx.emit(EventKind::WriteRefused { topic: name.clone(), partition: req.tp.partition, broker: self.id, error: e.code, reason: e.message.clone() });
        if req.acks != 0 {
            ctx.send(Some(self.id), Dest::Client(req.producer), Msg::ProduceResp { req_id: req.req_id, result: Err(e) });
        }
    }

    /// The checks before an append; Ok(whether the topic stamps LogAppendTime).
    fn check_produce(&self, req: &Produce, name: &str) -> KResult<bool> {
        let tp = req.tp;
        let Some(settings) = self.topic_settings(tp.topic) else { return Err(KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION)) };
        let (Some(pm), Some(r)) = (self.view.get(&tp), self.replicas.get(&tp)) else {
            return Err(KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER));
        };
        if !r.vol.is_leader || pm.leader != Some(self.id) {
            return Err(KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER));
        }
        if req.data.size_bytes as i64 > settings.max_message_bytes {
            return Err(KafkaError::new(ErrorCode::MESSAGE_TOO_LARGE, "The request included a message larger than the max message size the server will accept.".to_string()));
        }
        if settings.cleanup_compact && req.data.index.iter().any(|ri| ri.key_len < 0) {
            return Err(KafkaError::new(ErrorCode::INVALID_RECORD, format!("Compacted topic cannot accept message without key in topic partition {}-{}", name, tp.partition)));
        }
        let effective_min_isr = (settings.min_insync_replicas as usize).min(pm.replicas.len());
        if req.acks == -1 && pm.isr.len() < effective_min_isr {
            // The broker logs its own "size of the current ISR" text, but the response carries no
            // custom message (ReplicaManager), so the client shows the error code's default.
            return Err(KafkaError::of(ErrorCode::NOT_ENOUGH_REPLICAS));
        }
        Ok(settings.log_append_time)
    }

    /// Idempotence: a retried batch the log already has answers with its original offsets.
    /// Ok(true) when it was such a duplicate (answered or parked).
    fn answer_duplicate(&mut self, ctx: &mut Ctx, req: &Produce, name: &Rc<str>) -> KResult<bool> {
        let (tp, l) = (req.tp, self.id);
        let Some(r) = self.replicas.get(&tp) else { return Err(KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER)) };
        let tp_text = format!("{}-{}", name, tp.partition);
        let Some((first, last)) = r.log.producer_state.validate_client_batch(&req.data.producer, req.data.len(), r.log.log_end_offset, &tp_text)? else {
            return Ok(false);
        };
        let hw = r.log.high_watermark;
        ctx.emit(EventKind::DuplicateBatch { topic: name.clone(), partition: tp.partition, broker: l, producer_id: req.data.producer.producer_id, base_offset: first });
        if req.acks == 1 || (req.acks == -1 && last < hw) {
            ctx.send(Some(l), Dest::Client(req.producer), Msg::ProduceResp { req_id: req.req_id, result: Ok((first, -1)) });
        } else if req.acks == -1 {
            self.park_produce(ctx, req, PendingProduce { producer: req.producer, req_id: req.req_id, required_offset: last + 1, base_offset: first, append_time: -1 });
        }
        Ok(true)
    }

    /// acks=all: the answer waits in the purgatory until the HW reaches the batch's end, or the
    /// request's timeout.
    fn park_produce(&mut self, ctx: &mut Ctx, req: &Produce, pending: PendingProduce) {
        self.purgatory.entry(req.tp).or_default().push(pending);
        ctx.timer(req.timeout_ms.max(0), Ev::ProduceExpire { leader: self.id, incarnation: self.incarnation, tp: req.tp, req_id: req.req_id });
    }

    /// Appends the checked batch at the log end in the leader's epoch and answers per acks.
    fn append_produce(&mut self, ctx: &mut Ctx, req: Produce, name: Rc<str>, log_append_time: bool) {
        let (l, tp, now) = (self.id, req.tp, ctx.now_ms);
        let roll = self.roll_policy(tp);
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        let (epoch, base) = (r.vol.leader_epoch, r.log.log_end_offset);
        let append_time = log_append_time.then_some(WALL_CLOCK_EPOCH_MS + now);
        let data = Rc::clone(&req.data);
        let batch = Rc::new(if data.producer.control.is_some() { Batch::control(base, epoch, data) } else { Batch::new(base, epoch, append_time, data) });
        let count = if batch.is_control() { 1 } else { req.data.len() as i64 };
        let control = batch.is_control().then_some(batch.data.producer);
        if r.log.append(batch, roll, WALL_CLOCK_EPOCH_MS + now) {
            ctx.emit(EventKind::SegmentRolled { topic: name.clone(), partition: tp.partition, broker: l, base_offset: base });
        }
        ctx.emit(EventKind::RecordAppended { topic: name, partition: tp.partition, broker: l, base_offset: base, count, leader_epoch: epoch });
        if let Some(info) = control {
            ctx.local(l, Local::MarkerAppended { tp, info, offset: base });
        }
        let append_ts = append_time.unwrap_or(-1);
        match req.acks {
            0 => {}
            1 => ctx.send(Some(l), Dest::Client(req.producer), Msg::ProduceResp { req_id: req.req_id, result: Ok((base, append_ts)) }),
            _ => {
                let pending = PendingProduce { producer: req.producer, req_id: req.req_id, required_offset: base + count, base_offset: base, append_time: append_ts };
                self.park_produce(ctx, &req, pending);
            }
        }
        self.wake_parked_fetches(ctx, tp);
        self.maybe_advance_hw(ctx, tp);
        self.assert_leader_invariants(tp);
    }

    /// A parked acks=all produce timed out.
    pub(crate) fn on_produce_expire(&mut self, ctx: &mut Ctx, incarnation: u64, tp: Tp, req_id: u64) {
        if self.incarnation != incarnation {
            return;
        }
        let Some(list) = self.purgatory.get_mut(&tp) else { return };
        let Some(pos) = list.iter().position(|p| p.req_id == req_id) else { return };
        let p = list.remove(pos);
        ctx.send(Some(self.id), Dest::Client(p.producer), Msg::ProduceResp { req_id, result: Err(KafkaError::of(ErrorCode::REQUEST_TIMED_OUT)) });
    }

    // ----- high watermark and ISR -----

    /// The HW `tp` may advance to: min LEO over the (maximal) ISR, only while
    /// |ISR| >= min(min.insync, RF); None when it stays.
    fn next_high_watermark(&self, tp: Tp) -> Option<i64> {
        let settings = self.topic_settings(tp.topic)?;
        let (pm, r) = (self.view.get(&tp)?, self.replicas.get(&tp)?);
        if !r.vol.is_leader || pm.isr.len() < (settings.min_insync_replicas as usize).min(pm.replicas.len()) {
            return None;
        }
        let pending: &[BrokerId] = r.vol.pending_isr.as_ref().map_or(&[], |p| &p.0);
        let in_isr = |f: &BrokerId| pm.isr.contains(f) || pending.contains(f);
        let hw = r.vol.followers.iter().filter(|(f, _)| in_isr(f)).fold(r.log.log_end_offset, |hw, (_, fp)| hw.min(fp.leo));
        (hw > r.log.high_watermark).then_some(hw)
    }

    /// Leader: moves the HW when the ISR's LEOs allow; completes parked produces and tells the
    /// consumer-fetch purgatory.
    pub(crate) fn maybe_advance_hw(&mut self, ctx: &mut Ctx, tp: Tp) {
        let Some(hw) = self.next_high_watermark(tp) else { return };
        let (l, name) = (self.id, self.topic_name(tp.topic));
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        r.log.high_watermark = hw;
        ctx.observe(Observation::HighWatermarkAdvanced { broker: l, tp, hw });
        ctx.emit(EventKind::HighWatermarkAdvanced { topic: name, partition: tp.partition, broker: l, high_watermark: hw });
        self.complete_produces(ctx, tp);
        self.wake_consumer_fetches(ctx, tp);
    }

    /// Answers the parked acks=all produces the HW now covers (NOT_ENOUGH_REPLICAS_AFTER_APPEND
    /// when the ISR shrank below `min.insync.replicas` meanwhile).
    fn complete_produces(&mut self, ctx: &mut Ctx, tp: Tp) {
        let Some(hw) = self.replicas.get(&tp).map(|r| r.log.high_watermark) else { return };
        let min_isr = self.topic_settings(tp.topic).map_or(1, |t| t.min_insync_replicas as usize);
        let (isr_len, rf) = self.view.get(&tp).map_or((0, 1), |pm| (pm.isr.len(), pm.replicas.len()));
        let Some(list) = self.purgatory.get_mut(&tp) else { return };
        let mut done = Vec::new();
        list.retain(|p| {
            let covered = p.required_offset <= hw;
            if covered {
                done.push(p.clone());
            }
            !covered
        });
        for p in done {
            let result = if isr_len >= min_isr.min(rf) { Ok((p.base_offset, p.append_time)) } else { Err(KafkaError::of(ErrorCode::NOT_ENOUGH_REPLICAS_AFTER_APPEND)) };
            ctx.send(Some(self.id), Dest::Client(p.producer), Msg::ProduceResp { req_id: p.req_id, result });
        }
    }

    /// A follower caught up to the HW (and the leader's epoch start): ask the controller to add
    /// it to the ISR (AlterPartition), unless that request is pending and recent.
    fn maybe_expand_isr(&mut self, ctx: &mut Ctx, tp: Tp, follower: BrokerId) {
        let now = ctx.now_ms;
        let Some(pm) = self.view.get(&tp).filter(|pm| !pm.isr.contains(&follower)) else { return };
        let Some(r) = self.replicas.get(&tp) else { return };
        let Some(fp) = r.vol.followers.get(&follower) else { return };
        if fp.leo < r.log.high_watermark || fp.leo < r.vol.epoch_start_offset {
            return;
        }
        if r.vol.pending_isr.as_ref().is_some_and(|(p, sent)| p.contains(&follower) && now - sent < ALTER_PARTITION_RETRY_MS) {
            return;
        }
        // Eligibility as the leader sees it: not fenced in its view is approximated by the
        // controller's check on AlterPartition.
        let mut new_isr = pm.isr.clone();
        for x in r.vol.pending_isr.iter().flat_map(|(p, _)| p).chain([&follower]) {
            if !new_isr.contains(x) {
                new_isr.push(*x);
            }
        }
        let (le, pe) = (pm.leader_epoch, pm.partition_epoch);
        self.request_isr(ctx, tp, le, pe, new_isr);
    }

    /// Records `new_isr` as pending and sends AlterPartition to the active controller.
    fn request_isr(&mut self, ctx: &mut Ctx, tp: Tp, leader_epoch: i32, partition_epoch: i32, new_isr: Vec<BrokerId>) {
        let l = self.id;
        if let Some(r) = self.replicas.get_mut(&tp) {
            r.vol.pending_isr = Some((new_isr.clone(), ctx.now_ms));
        }
        if let Some(c) = ctx.quorum_leader() {
            ctx.send(Some(l), Dest::Controller(c), Msg::AlterPartition { broker: l, tp, leader_epoch, partition_epoch, new_isr });
        }
    }

    /// Periodic `isr-expiration`: followers not caught up within `replica.lag.time.max.ms` leave.
    pub(crate) fn on_isr_check(&mut self, ctx: &mut Ctx, incarnation: u64) {
        if self.incarnation != incarnation || !self.is_up() {
            return;
        }
        let (l, now) = (self.id, ctx.now_ms);
        ctx.timer(REPLICA_LAG_TIME_MAX_MS / 2, Ev::BrokerIsrCheck { broker: l, incarnation });
        let mut requests = Vec::new();
        for (tp, r) in self.replicas.iter().filter(|(_, r)| r.vol.is_leader) {
            let Some(pm) = self.view.get(tp) else { continue };
            if pm.leader != Some(l) || r.vol.pending_isr.as_ref().is_some_and(|(_, s)| now - s < ALTER_PARTITION_RETRY_MS) {
                continue;
            }
            let leo = r.log.log_end_offset;
            let lagging = |f: &BrokerId| r.vol.followers.get(f).is_none_or(|fp| fp.leo != leo && now - fp.last_caught_up_ms > REPLICA_LAG_TIME_MAX_MS);
            let out: Vec<BrokerId> = pm.isr.iter().copied().filter(|f| *f != l).filter(lagging).collect();
            if !out.is_empty() {
                let new_isr: Vec<BrokerId> = pm.isr.iter().copied().filter(|b| !out.contains(b)).collect();
                requests.push((*tp, pm.leader_epoch, pm.partition_epoch, new_isr));
            }
        }
        for (tp, le, pe, new_isr) in requests {
            self.request_isr(ctx, tp, le, pe, new_isr);
        }
    }

    // ----- follower fetches served -----

    /// A follower's FetchRequest: each partition is validated and moves the follower's progress
    /// (ISR, HW); the answer goes at once if any partition has data or an error
    /// (`fetch.min.bytes=1`), else the request waits up to `replica.fetch.wait.max.ms`.
    pub(crate) fn on_replica_fetch(&mut self, ctx: &mut Ctx, follower: BrokerId, fetch_id: u64, parts: Vec<FetchPart>) {
        let mut immediate = Vec::with_capacity(parts.len());
        let mut respond_now = false;
        for p in &parts {
            let checked = self.check_replica_fetch(ctx, follower, p);
            respond_now |= checked.is_some() || p.offset < self.replicas.get(&p.tp).map_or(p.offset, |r| r.log.log_end_offset);
            immediate.push(checked);
            self.assert_leader_invariants(p.tp);
        }
        self.finish_replica_fetch(ctx, follower, fetch_id, parts, immediate, respond_now);
    }

    /// The FetchRequest after its partitions: answered now (`fetch.min.bytes=1`: any partition
    /// has data or an error), or parked up to `replica.fetch.wait.max.ms`.
    fn finish_replica_fetch(&mut self, ctx: &mut Ctx, follower: BrokerId, fetch_id: u64, parts: Vec<FetchPart>, immediate: Vec<Option<FetchResult>>, respond_now: bool) {
        if respond_now {
            return self.answer_fetch(ctx, follower, fetch_id, &parts, Some(immediate));
        }
        debug_assert!(parts.windows(2).all(|w| w[0].tp < w[1].tp), "fetch partitions are sorted");
        self.parked_fetches.push(ParkedFetch { follower, fetch_id, parts });
        ctx.timer(REPLICA_FETCH_WAIT_MAX_MS, Ev::FetchExpire { leader: self.id, incarnation: self.incarnation, fetch_id });
    }

    /// One partition of a follower fetch as it arrives: an immediate answer (error, diverging
    /// epoch, out of range), or None after recording the follower's position (its fetch offset
    /// is its LEO) and updating ISR and HW.
    fn check_replica_fetch(&mut self, ctx: &mut Ctx, follower: BrokerId, p: &FetchPart) -> Option<FetchResult> {
        let (tp, offset, now) = (p.tp, p.offset, ctx.now_ms);
        let Some(r) = self.replicas.get_mut(&tp) else { return Some(FetchResult::Error(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION)) };
        if let Some(refused) = refuse_replica_fetch(r, p) {
            return Some(refused);
        }
        // The fetch offset tells the leader the follower's LEO.
        let leader_leo = r.log.log_end_offset;
        if let Some(fp) = r.vol.followers.get_mut(&follower) {
            if offset >= leader_leo {
                fp.last_caught_up_ms = now;
            } else if offset >= fp.last_fetch_leader_leo {
                fp.last_caught_up_ms = fp.last_caught_up_ms.max(fp.last_fetch_ms);
            }
            fp.leo = offset;
            fp.last_fetch_ms = now;
            fp.last_fetch_leader_leo = leader_leo;
        }
        self.maybe_expand_isr(ctx, tp, follower);
        self.maybe_advance_hw(ctx, tp);
        None
    }

    /// Leader: the FetchResponse, every partition of the request in order. `immediate` holds the
    /// answers decided on arrival; the others (and all of a parked request) read the log now.
    /// Each partition returns at most `replica.fetch.max.bytes`, the response at most
    /// `replica.fetch.response.max.bytes`.
    fn answer_fetch(&self, ctx: &mut Ctx, follower: BrokerId, fetch_id: u64, parts: &[FetchPart], immediate: Option<Vec<Option<FetchResult>>>) {
        let mut budget = REPLICA_FETCH_RESPONSE_MAX_BYTES;
        let mut out = Vec::with_capacity(parts.len());
        for (i, p) in parts.iter().enumerate() {
            let result = match immediate.as_ref().and_then(|v| v[i].clone()) {
                Some(result) => result,
                None => self.read_for_follower(p, &mut budget),
            };
            out.push((p.tp, result));
        }
        ctx.send(Some(self.id), Dest::Broker(follower), Msg::FetchResp { leader: self.id, fetch_id, parts: out });
    }

    /// One partition of a follower's fetch read now, within the response's byte `budget`. A
    /// partition's first batch is returned even when larger while nothing else filled the
    /// response, so a big batch never blocks replication.
    fn read_for_follower(&self, p: &FetchPart, budget: &mut u64) -> FetchResult {
        let r = match self.replicas.get(&p.tp) {
            None => return FetchResult::Error(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION),
            Some(r) if !r.vol.is_leader => return FetchResult::Error(ErrorCode::NOT_LEADER_OR_FOLLOWER),
            Some(r) if r.vol.leader_epoch != p.leader_epoch => return FetchResult::Error(ErrorCode::FENCED_LEADER_EPOCH),
            Some(r) if p.offset > r.log.log_end_offset || p.offset < r.log.log_start_offset => {
                return FetchResult::OutOfRange { log_start_offset: r.log.log_start_offset, log_end_offset: r.log.log_end_offset };
            }
            Some(r) => r,
        };
        let mut bytes = 0u64;
        let mut batches = Vec::new();
        let response_empty = *budget == REPLICA_FETCH_RESPONSE_MAX_BYTES;
        for bt in r.log.batches_from(p.offset, r.log.log_end_offset) {
            let size = bt.size_bytes() as u64;
            let fits = bytes + size <= REPLICA_FETCH_MAX_BYTES.min(*budget);
            if !fits && !(batches.is_empty() && (response_empty || size <= *budget)) {
                break;
            }
            bytes += size;
            batches.push(bt.clone());
        }
        *budget = budget.saturating_sub(bytes);
        FetchResult::Data { batches, high_watermark: r.log.high_watermark, log_start_offset: r.log.log_start_offset }
    }

    /// A parked follower fetch's wait ended: it is answered with what there is.
    pub(crate) fn on_fetch_expire(&mut self, ctx: &mut Ctx, incarnation: u64, fetch_id: u64) {
        if self.incarnation != incarnation {
            return;
        }
        let Some(pos) = self.parked_fetches.iter().position(|p| p.fetch_id == fetch_id) else { return };
        let p = self.parked_fetches.remove(pos);
        self.answer_fetch(ctx, p.follower, p.fetch_id, &p.parts, None);
    }

    /// New data on the leader (or a change of role): answer every parked follower fetch that
    /// asks for `tp` (`DelayedFetch.tryComplete`).
    pub(crate) fn wake_parked_fetches(&mut self, ctx: &mut Ctx, tp: Tp) {
        if self.parked_fetches.is_empty() {
            return;
        }
        let mut woken = Vec::new();
        self.parked_fetches.retain(|p| {
            let asks = p.parts.binary_search_by(|x| x.tp.cmp(&tp)).is_ok();
            if asks {
                woken.push(p.clone());
            }
            !asks
        });
        for p in woken {
            self.answer_fetch(ctx, p.follower, p.fetch_id, &p.parts, None);
        }
    }
}

/// The answer to a follower's fetch of a partition this broker holds, when it cannot be served:
/// not the leader, a fenced or unknown epoch, a diverging epoch (KIP-320), or out of range.
fn refuse_replica_fetch(r: &Replica, p: &FetchPart) -> Option<FetchResult> {
    if !r.vol.is_leader {
        return Some(FetchResult::Error(ErrorCode::NOT_LEADER_OR_FOLLOWER));
    }
    if p.leader_epoch < r.vol.leader_epoch {
        return Some(FetchResult::Error(ErrorCode::FENCED_LEADER_EPOCH));
    }
    if p.leader_epoch > r.vol.leader_epoch {
        return Some(FetchResult::Error(ErrorCode::UNKNOWN_LEADER_EPOCH));
    }
    let offset = p.offset;
    if let Some(e) = p.last_epoch {
        match r.log.end_offset_for_epoch(e) {
            Some((found, end)) if found == e && end >= offset => {}
            Some((found, end)) => return Some(FetchResult::Diverging { epoch: found, end_offset: end.min(offset) }),
            None => return Some(FetchResult::Diverging { epoch: -1, end_offset: r.log.log_start_offset.min(offset) }),
        }
    }
    if offset > r.log.log_end_offset || offset < r.log.log_start_offset {
        return Some(FetchResult::OutOfRange { log_start_offset: r.log.log_start_offset, log_end_offset: r.log.log_end_offset });
    }
    None
}
