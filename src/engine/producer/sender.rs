//! The producer's Sender as the producer node's own methods: each wake-up, answer or send runs
//! one pass (`Producer::poll`) that expires what waited too long, asks for metadata and producer
//! ids, and drains ready batches to their leaders; produce answers complete or retry batches.
//! Everything goes through a [`Ctx`] (the brokers the client reaches, request ids, the seeded RNG
//! for backoff jitter, sends and wake-ups); the producer knows topics only from its metadata
//! cache ([`super::metadata`]).

use super::super::error::{ErrorCode, KafkaError};
use super::super::ids::{BrokerId, ProducerId, Tp};
use super::super::log::ProducerBatchInfo;
use super::super::msg::{Dest, Msg, TxnMsg};
use super::super::node::Ctx;
use super::super::rng::Rng;
use super::state::{InFlight, PBatch, Producer, ProducerWarning, SendResult};
use std::rc::Rc;

/// The first batch of a partition not on the wire, as the drain sees it.
struct Unsent {
    index: usize,
    created_ms: i64,
    retry_at_ms: i64,
    /// Sent before (a retry resends it as it is).
    frozen: bool,
    /// Full, lingered, flushing or followed by another batch.
    ready: bool,
}

impl Producer {
    /// One pass of producer `id`'s Sender (a wake-up, an answer, a send, a flush): records
    /// waiting for metadata expire after `max.block.ms`, requests past `request.timeout.ms`
    /// fail, metadata is asked for, ready batches go out; a transactional producer then sends
    /// its next transaction request.
    pub(crate) fn poll(&mut self, id: ProducerId, ctx: &mut Ctx) {
        self.debug_check();
        let now = ctx.now_ms;
        self.wake_at.remove(&now);
        self.expire_waiting(now);
        self.time_out_requests(id, ctx);
        self.request_metadata(id, ctx);
        let keys: Vec<(String, i32)> = self.queues.keys().cloned().collect();
        for key in keys {
            self.service_queue(id, &key, ctx);
        }
        if self.txn.is_some() {
            self.txn_poll(id, ctx);
        }
        self.debug_check();
    }

    /// Records waiting for metadata expire after max.block.ms. They wait in creation order, so
    /// the expired ones are at the front (a scan of the whole queue here made sending quadratic).
    fn expire_waiting(&mut self, now: i64) {
        let max_block_ms = self.config.max_block_ms;
        while self.waiting.front().is_some_and(|w| now - w.created_ms >= max_block_ms) {
            let Some(w) = self.waiting.pop_front() else { break };
            let e = KafkaError::new(ErrorCode::REQUEST_TIMED_OUT, format!("Topic {} not present in metadata after {} ms.", w.record.topic, max_block_ms));
            self.results.push_back((w.send_id, SendResult::Failed(e)));
            self.pending -= 1;
        }
    }

    /// In-flight requests past request.timeout.ms fail (retriable). Sender 3.9 answers them with
    /// `PartitionResponse(REQUEST_TIMED_OUT, "Disconnected from node <id> due to timeout")`.
    fn time_out_requests(&mut self, id: ProducerId, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        let timed_out: Vec<((String, i32), u64, BrokerId)> = self
            .queues
            .iter()
            .flat_map(|(k, q)| q.batches.iter().filter_map(|b| b.inflight.as_ref()).filter(|f| now >= f.deadline_ms).map(|f| (k.clone(), f.req_id, f.dest)))
            .collect();
        for (key, req_id, dest) in timed_out {
            self.batch_failed(id, &key, req_id, KafkaError::new(ErrorCode::REQUEST_TIMED_OUT, format!("Disconnected from node {dest} due to timeout")), ctx);
        }
    }

    /// Producer `id`'s ProduceResponse `req_id`: the batch it answers is delivered or failed,
    /// then the Sender runs a pass. An answer to no batch in flight is ignored.
    pub(crate) fn on_produce_answer(&mut self, id: ProducerId, req_id: u64, result: Result<(i64, i64), KafkaError>, ctx: &mut Ctx) {
        let found = self.queues.iter().find_map(|(k, q)| q.batches.iter().position(|b| b.inflight.as_ref().is_some_and(|f| f.req_id == req_id)).map(|i| (k.clone(), i)));
        let Some((key, index)) = found else { return };
        match result {
            Ok((base, append_time)) => {
                let Some(b) = self.queues.get_mut(&key).and_then(|q| q.batches.remove(index)) else { return };
                let data = b.frozen.as_ref().expect("sent batches are frozen");
                for (i, send_id) in b.send_ids.iter().enumerate() {
                    let ts = if append_time >= 0 { append_time } else { data.timestamp(i) };
                    self.results.push_back((*send_id, SendResult::Delivered { partition: key.1, offset: base + i as i64, timestamp_ms: ts }));
                }
                self.pending -= b.send_ids.len() as u64;
            }
            Err(e) => self.batch_failed(id, &key, req_id, e, ctx),
        }
        self.poll(id, ctx);
    }

    /// Idempotent-only producers: ask any broker the client reaches for a producer id (or wait
    /// for the request in flight, or back off).
    fn request_producer_id(&mut self, id: ProducerId, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        let (timeout_ms, backoff_ms) = (self.config.request_timeout_ms, self.config.retry_backoff_ms);
        let Some(i) = self.idem.as_mut() else { return };
        if let Some((_, sent)) = i.init_inflight.filter(|(_, sent)| now - sent < timeout_ms) {
            return self.wake(id, sent + timeout_ms, ctx);
        }
        if now < i.init_retry_at_ms {
            let at = i.init_retry_at_ms;
            return self.wake(id, at, ctx);
        }
        match ctx.any_reachable() {
            Some(b) => {
                let req_id = ctx.next_id();
                i.init_inflight = Some((req_id, now));
                let msg = TxnMsg::InitProducerId { producer: id, req_id, txn_id: None, timeout_ms: 0 };
                ctx.send(None, Dest::Broker(b), Msg::Txn(Box::new(msg)));
                self.wake(id, now + timeout_ms, ctx);
            }
            None => {
                i.init_retry_at_ms = now + backoff_ms;
                self.wake(id, now + backoff_ms, ctx);
            }
        }
    }

    /// The producer fields for batch `index` of `key`, about to be sent for the first time (or
    /// stamped again after its producer id was reset), or None while the producer waits for its
    /// id or for the partition to join the transaction. Consumes the batch's sequence numbers.
    fn batch_header(&mut self, id: ProducerId, key: &(String, i32), index: usize, ctx: &mut Ctx) -> Option<ProducerBatchInfo> {
        let count = self.queues.get(key).and_then(|q| q.batches.get(index)).map_or(0, |b| b.frozen.as_ref().map_or(b.data.len(), |d| d.len())) as i32;
        let transactional = self.txn.is_some();
        let Some(i) = self.idem.as_ref() else { return Some(Default::default()) };
        if i.producer_id < 0 {
            if !transactional {
                self.request_producer_id(id, ctx);
            }
            return None;
        }
        if self.txn.as_ref().is_some_and(|t| !t.partition_added(key)) {
            return None;
        }
        let i = self.idem.as_mut()?;
        let seq = i.next_seq.entry(key.clone()).or_insert(0);
        let base_sequence = *seq;
        *seq = ((*seq as i64 + count as i64) % (i32::MAX as i64 + 1)) as i32;
        Some(ProducerBatchInfo { producer_id: i.producer_id, producer_epoch: i.epoch, base_sequence, transactional, control: None, coordinator_epoch: -1 })
    }

    /// A batch that failed for good: its sends fail; a batch that went out loses its sequence
    /// numbers (the idempotent producer bumps its epoch, the transactional one aborts).
    fn fail_batch(&mut self, b: PBatch, e: &KafkaError) {
        if let Some(d) = &b.frozen {
            if let Some(t) = self.txn.as_mut() {
                t.batch_failed(e);
            } else if let Some(i) = self.idem.as_mut() {
                // Only if it carries the current id and epoch (a stale batch's are already gone).
                if !b.stale(i.producer_id, i.epoch) {
                    debug_assert_eq!(d.producer.producer_id, i.producer_id);
                    i.bump_epoch();
                }
            }
        }
        for send_id in b.send_ids {
            self.results.push_back((send_id, SendResult::Failed(e.clone())));
            self.pending -= 1;
        }
    }

    /// Requests on the wire from this producer to `dest` (one connection per broker).
    fn inflight_to(&self, dest: BrokerId) -> usize {
        self.queues.values().flat_map(|q| q.batches.iter()).filter(|b| b.inflight.as_ref().is_some_and(|f| f.dest == dest)).count()
    }

    /// Expires the partition's batches not on the wire, then sends batches in order while the
    /// first one not on the wire is ready and the connection to the leader has fewer than
    /// `max.in.flight.requests.per.connection` requests in flight (the Java Sender's drain).
    ///
    /// The idempotent producer keeps the order with sequence numbers, and two rules from
    /// Kafka's `RecordAccumulator.shouldStopDrainBatchesForPartition`: a batch being retried
    /// waits until no earlier batch of its partition is in flight (it must be the first
    /// in-flight sequence), and no new batch is stamped while a batch stamped with a forgotten
    /// producer id is unresolved. Without idempotence nothing holds a retried batch back:
    /// when it failed and a later one succeeded, the retry lands after it (Kafka's reordering).
    pub(crate) fn service_queue(&mut self, id: ProducerId, key: &(String, i32), ctx: &mut Ctx) {
        self.expire_unsent(key, ctx.now_ms);
        let limit = self.config.max_in_flight.max(1) as usize;
        // Each pass sends one batch; a partition never has more batches on the wire than the
        // connection allows, so this ends. An acks=0 send completes at once and holds no
        // in-flight slot (no response will come to wake the producer): every ready batch goes.
        let queued = self.queues.get(key).map_or(0, |q| q.batches.len());
        let passes = if self.config.acks == 0 { queued } else { limit };
        for _ in 0..=passes {
            let Some((index, leader, header)) = self.next_batch_to_send(id, key, limit, ctx) else { return };
            if !self.send_batch(id, key, index, leader, header, ctx) {
                return;
            }
        }
    }

    /// delivery.timeout.ms for the partition's batches not on the wire.
    fn expire_unsent(&mut self, key: &(String, i32), now: i64) {
        let delivery_timeout_ms = self.config.delivery_timeout_ms;
        let Some(q) = self.queues.get_mut(key) else { return };
        let mut expired = Vec::new();
        let mut i = 0;
        while i < q.batches.len() {
            if q.batches[i].inflight.is_none() && now - q.batches[i].created_ms >= delivery_timeout_ms {
                expired.extend(q.batches.remove(i));
            } else {
                i += 1;
            }
        }
        for b in expired {
            let e = expiry_error(&b, key, now);
            self.fail_batch(b, &e);
        }
    }

    /// The first batch of `key` not on the wire, if any.
    fn first_unsent(&self, key: &(String, i32), now: i64) -> Option<Unsent> {
        let q = self.queues.get(key)?;
        let index = q.batches.iter().position(|b| b.inflight.is_none())?;
        let b = &q.batches[index];
        let frozen = b.frozen.is_some();
        let more = index + 1 < q.batches.len();
        let ready = frozen || b.data.size_bytes >= self.config.batch_size || now - b.created_ms >= self.config.linger_ms || self.flushing || more;
        Some(Unsent { index, created_ms: b.created_ms, retry_at_ms: b.retry_at_ms, frozen, ready })
    }

    /// Whether the batch at `index` must wait for the ones before it (Kafka's
    /// `shouldStopDrainBatchesForPartition`); a response or a request timeout, already
    /// scheduled, wakes the producer again.
    fn held_back(&self, key: &(String, i32), index: usize, frozen: bool) -> bool {
        let Some(q) = self.queues.get(key) else { return false };
        if self.idem.is_some() && frozen && q.batches.iter().take(index).any(|x| x.inflight.is_some()) {
            return true;
        }
        // No batch is stamped with the new epoch (or id) while one stamped with the old epoch is
        // unresolved: it could land behind the new one.
        let idem_only = self.idem.as_ref().filter(|_| self.txn.is_none());
        !frozen && idem_only.is_some_and(|i| q.batches.iter().any(|x| x.stale(i.producer_id, i.epoch)))
    }

    /// The batch of `key` that may go out now: its index, its leader and, for a batch sent for
    /// the first time, its producer fields (`Some(None)`: resent as frozen). None while it must
    /// wait (linger, backoff, no leader, ordering, in-flight limit), with a wake-up set.
    fn next_batch_to_send(&mut self, id: ProducerId, key: &(String, i32), limit: usize, ctx: &mut Ctx) -> Option<(usize, BrokerId, Option<ProducerBatchInfo>)> {
        let now = ctx.now_ms;
        let u = self.first_unsent(key, now)?;
        if !u.ready {
            self.wake(id, u.created_ms + self.config.linger_ms, ctx);
            return None;
        }
        if now < u.retry_at_ms {
            self.wake(id, u.retry_at_ms, ctx);
            return None;
        }
        let Some(l) = self.topics.get(&key.0).and_then(|t| t.leaders.get(key.1 as usize).copied().flatten()) else {
            // No known leader: refresh metadata and wait.
            self.metadata_wanted.insert(key.0.clone());
            self.wake(id, now + self.config.retry_backoff_ms.max(1), ctx);
            return None;
        };
        if self.held_back(key, u.index, u.frozen) || self.inflight_to(l) >= limit {
            return None;
        }
        // The producer fields are stamped once, when the batch is first sent (retries resend it).
        let header = if u.frozen { Some(None) } else { self.batch_header(id, key, u.index, ctx).map(Some) };
        let Some(header) = header else {
            // Waiting for a producer id or for the partition to join the transaction; the batch
            // still expires after delivery.timeout.ms.
            self.wake(id, u.created_ms + self.config.delivery_timeout_ms, ctx);
            return None;
        };
        Some((u.index, l, header))
    }

    /// Sends batch `index` of `key` to `l` (freezing it with `header` on its first send); true if
    /// it went out.
    fn send_batch(&mut self, id: ProducerId, key: &(String, i32), index: usize, l: BrokerId, header: Option<ProducerBatchInfo>, ctx: &mut Ctx) -> bool {
        let now = ctx.now_ms;
        let (acks, timeout_ms) = (self.config.acks, self.config.request_timeout_ms);
        // The topic's id as the metadata answer that gave the leader named it.
        let Some(topic) = self.topics.get(&key.0).map(|t| t.index) else { return false };
        let Some(b) = self.queues.get_mut(key).and_then(|q| q.batches.get_mut(index)) else { return false };
        let data = freeze(b, header);
        b.attempts += 1;
        self.correlation_id += 1;
        let correlation_id = self.correlation_id;
        let req_id = ctx.next_id();
        let tp = Tp { topic, partition: key.1 };
        if acks == 0 {
            // Fire and forget: done once sent, offset unknown.
            let Some(b) = self.queues.get_mut(key).and_then(|q| q.batches.remove(index)) else { return false };
            for (i, send_id) in b.send_ids.iter().enumerate() {
                self.results.push_back((*send_id, SendResult::Delivered { partition: key.1, offset: -1, timestamp_ms: data.timestamp(i) }));
            }
            self.pending -= data.len() as u64;
            ctx.send(None, Dest::Broker(l), Msg::Produce { producer: id, req_id, tp, data, acks: 0, timeout_ms });
            return true;
        }
        b.inflight = Some(InFlight { req_id, correlation_id, deadline_ms: now + timeout_ms, dest: l });
        ctx.send(None, Dest::Broker(l), Msg::Produce { producer: id, req_id, tp, data, acks, timeout_ms });
        self.wake(id, now + timeout_ms.max(1), ctx);
        true
    }

    /// The request `req_id` for this partition failed: retry its batch (with backoff and a
    /// metadata refresh) or fail it.
    fn batch_failed(&mut self, id: ProducerId, key: &(String, i32), req_id: u64, e: KafkaError, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        let (retries, delivery_timeout_ms) = (self.config.retries, self.config.delivery_timeout_ms);
        let (idempotent, transactional) = (self.idem.is_some(), self.txn.is_some());
        let Some(q) = self.queues.get_mut(key) else { return };
        let Some(index) = q.batches.iter().position(|b| b.inflight.as_ref().is_some_and(|f| f.req_id == req_id)) else { return };
        let b = &mut q.batches[index];
        let corr = b.inflight.take().map_or(0, |f| f.correlation_id);
        let attempts_left = (retries + 1).saturating_sub(b.attempts);
        let expired = now - b.created_ms >= delivery_timeout_ms;
        // TransactionManager.canRetry: OUT_OF_ORDER_SEQUENCE_NUMBER is retried when the batch is
        // not the next in line (an earlier one is unresolved: the broker has not seen it yet),
        // and always by an idempotent (non-transactional) producer.
        let retriable = e.code.is_retriable() || (e.code == ErrorCode::OUT_OF_ORDER_SEQUENCE_NUMBER && idempotent && (index > 0 || !transactional));
        if retriable && attempts_left > 0 && !expired {
            self.retry_batch(id, key, index, corr, attempts_left, e, ctx);
            return;
        }
        let Some(b) = q.batches.remove(index) else { return };
        let e = if expired { expiry_error(&b, key, now) } else { e };
        self.fail_batch(b, &e);
        self.wake(id, now, ctx);
    }

    /// Batch `index` of `key` (its request `corr` failed with `e`) goes out again after a backoff;
    /// the client logs the retry.
    #[allow(clippy::too_many_arguments)]
    fn retry_batch(&mut self, id: ProducerId, key: &(String, i32), index: usize, corr: u64, attempts_left: u32, e: KafkaError, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        let (initial_ms, max_ms) = (self.config.retry_backoff_ms, self.config.retry_backoff_max_ms);
        let Some(b) = self.queues.get_mut(key).and_then(|q| q.batches.get_mut(index)) else { return };
        // RecordAccumulator: backoff(attempts() - 1), attempts() being the re-enqueues so far.
        let backoff_ms = exponential_backoff_ms(initial_ms, max_ms, b.attempts.saturating_sub(1), ctx.rng);
        b.retry_at_ms = now + backoff_ms;
        // Only the Sender's own timeout response is known to carry an error message.
        let message = (e.code == ErrorCode::REQUEST_TIMED_OUT && e.message.starts_with("Disconnected from node")).then(|| e.message.clone());
        // Sender logs `retries - batch.attempts() - 1`, where attempts() counts re-enqueues
        // (sends - 1): one less than the sends still allowed.
        let attempts_left = attempts_left - 1;
        self.warnings.push(ProducerWarning::Retrying { correlation_id: corr, topic: key.0.clone(), partition: key.1, attempts_left, error: e.code, message });
        if matches!(e.code, ErrorCode::NOT_LEADER_OR_FOLLOWER | ErrorCode::UNKNOWN_TOPIC_OR_PARTITION | ErrorCode::LEADER_NOT_AVAILABLE | ErrorCode::REQUEST_TIMED_OUT | ErrorCode::NETWORK_EXCEPTION) {
            self.metadata_wanted.insert(key.0.clone());
        }
        self.wake(id, now + backoff_ms.max(1), ctx);
    }

    /// The producer's own invariants (debug builds): every pending send is waiting or in a
    /// batch; no connection carries more requests than `max.in.flight.requests.per.connection`;
    /// an idempotent producer's batches of one partition, id and epoch carry increasing
    /// sequence numbers below the partition's next one.
    fn debug_check(&self) {
        if !cfg!(debug_assertions) {
            return;
        }
        let queued: usize = self.queues.values().map(|q| q.batches.iter().map(|b| b.send_ids.len()).sum::<usize>()).sum();
        debug_assert_eq!(self.pending, (self.waiting.len() + queued) as u64, "every pending send is waiting or queued");
        let mut per_broker = std::collections::BTreeMap::new();
        for f in self.queues.values().flat_map(|q| q.batches.iter()).filter_map(|b| b.inflight.as_ref()) {
            *per_broker.entry(f.dest).or_insert(0usize) += 1;
        }
        debug_assert!(per_broker.values().all(|n| *n <= self.config.max_in_flight.max(1) as usize), "in-flight requests per connection {per_broker:?}");
        let Some(i) = self.idem.as_ref().filter(|i| i.producer_id >= 0 && self.txn.is_none()) else { return };
        for (key, q) in &self.queues {
            let seqs: Vec<i32> = q.batches.iter().filter(|b| !b.stale(i.producer_id, i.epoch)).filter_map(|b| b.frozen.as_ref()).map(|d| d.producer.base_sequence).collect();
            let next = i.next_seq.get(key).copied().unwrap_or(0);
            // Sequences wrap at i32::MAX: the check skips a queue near the wrap.
            if seqs.iter().chain([&next]).any(|s| *s > i32::MAX / 2) {
                continue;
            }
            debug_assert!(seqs.windows(2).all(|w| w[0] < w[1]) && seqs.last().is_none_or(|s| *s < next), "sequences of {key:?}: {seqs:?}, next {next}");
        }
    }
}

/// The batch as sent: frozen with `header` on its first send, the same data on a retry.
fn freeze(b: &mut PBatch, header: Option<ProducerBatchInfo>) -> Rc<super::super::log::RecordsData> {
    if let Some(d) = &b.frozen {
        return d.clone();
    }
    let mut d = std::mem::take(&mut b.data);
    d.producer = header.unwrap_or_default();
    // Stored batches keep no spare capacity (memory budget per record).
    d.bytes.shrink_to_fit();
    d.index.shrink_to_fit();
    let d = Rc::new(d);
    b.frozen = Some(d.clone());
    d
}

/// `Expiring <n> record(s) for <tp>:<ms> ms has passed since batch creation`.
fn expiry_error(b: &PBatch, key: &(String, i32), now: i64) -> KafkaError {
    KafkaError::new(
        ErrorCode::REQUEST_TIMED_OUT,
        format!("Expiring {} record(s) for {}-{}:{} ms has passed since batch creation", b.send_ids.len(), key.0, key.1, now - b.created_ms),
    )
}

/// Kafka's `ExponentialBackoff(initial, 2, max, 0.2).backoff(attempts)`: `initial * 2^attempts`
/// capped at `max`, times a jitter factor uniform in [0.8, 1.2) from the seeded RNG, capped at
/// `max` again. With `max <= initial` it is `initial` without jitter, as in Kafka. Integer
/// doubling instead of Java's `Math.pow`/`Math.log` keeps it the same natively and in wasm.
pub(crate) fn exponential_backoff_ms(initial_ms: i64, max_ms: i64, attempts: u32, rng: &mut Rng) -> i64 {
    let initial = initial_ms.min(max_ms).max(0);
    if max_ms <= initial {
        return initial;
    }
    let term = initial.checked_shl(attempts.min(62)).filter(|t| *t <= max_ms && *t >= initial).unwrap_or(max_ms);
    let unit = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let factor = 0.8 + 0.4 * unit;
    ((factor * term as f64) as i64).min(max_ms)
}
