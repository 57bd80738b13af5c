//! Producer clients: metadata, partitioning, the record accumulator (per-partition batches by
//! `batch.size` and `linger.ms`), one in-flight request per partition, acks 0/1/all, retries
//! with `retry.backoff.ms`, `request.timeout.ms` and `delivery.timeout.ms`, and one result per
//! record.
//!
//! **Idempotence** (on by default, as in Kafka 3.x): the producer gets a producer id and epoch
//! (InitProducerId, answered by any broker from its block of ids) before its first batch, and
//! stamps every batch with them and with its partition's next sequence number when the batch is
//! first sent; a retry resends the very same batch. The leader keeps each producer's last five
//! batches per partition and answers a retried one with its original offsets instead of
//! appending it again (see [`super::log::ProducerState`]).
//!
//! **Up to `max.in.flight.requests.per.connection` (5) requests in flight per broker**, as the
//! Java Sender drains: each partition's batches go out in order, several at once, and responses
//! complete whichever batch they answer. With idempotence the sequence numbers keep the order:
//! the broker refuses a batch that skips ahead (OUT_OF_ORDER_SEQUENCE_NUMBER, retried while an
//! earlier batch is unresolved) and answers a retried one it already has with its original
//! offsets; a retried batch goes out again only as the first of its partition in flight.
//! Without idempotence a batch whose acknowledgement is lost (request timeout, leader crash
//! after replicating, NOT_ENOUGH_REPLICAS_AFTER_APPEND) is appended again by its retry: a
//! DUPLICATE; and with more than one request in flight a failed batch retried after a later one
//! succeeded lands behind it: a REORDERING. Both as in Kafka.
//!
//! When a batch that went out fails for good, the idempotent producer bumps its epoch itself
//! (KIP-360, as the 3.x client does: same producer id, epoch + 1, sequences from 0; a new id
//! only after the last epoch). Batches already stamped with the old epoch are resent as they
//! are until they succeed (the broker may hold them) or expire; no batch is stamped with the new
//! epoch before they are resolved. (A leader that has never seen a producer id accepts any
//! sequence, so after a failover a later batch can be written while an earlier one, sent to
//! the old leader, is then refused as out of order until it expires: it fails, nothing is
//! written out of order.)
//!
//! Transactions (`transactional_id`) are driven by [`super::txn`].

use std::collections::{BTreeMap, BTreeSet};
use super::cluster::*;
use super::error::{ErrorCode, KResult, KafkaError};
use super::node::Ctx;
use std::collections::VecDeque;
use std::rc::Rc;

pub use super::ids::{ProducerId, SendId};

mod accumulator;
pub(crate) mod state;
pub use state::{ProducerConfig, ProducerRecord, ProducerWarning, SendResult};
pub(crate) use state::*;


impl Cluster {
    pub(crate) fn wake_producer(&mut self, producer: ProducerId, at_ms: i64) {
        self.wake_producer_at(producer, at_ms);
    }

    /// The producer fields for batch `index` of `key`, about to be sent for the first time (or
    /// stamped again after its producer id was reset), or None while the producer waits for its
    /// id or for the partition to join the transaction. Consumes the batch's sequence numbers.
    fn batch_header(&mut self, producer: ProducerId, key: &(String, i32), index: usize) -> Option<super::log::ProducerBatchInfo> {
        let p = self.producers.get_mut(&producer)?;
        let count = p.queues.get(key).and_then(|q| q.batches.get(index)).map_or(0, |b| b.frozen.as_ref().map_or(b.data.len(), |d| d.len())) as i32;
        let transactional = p.txn.is_some();
        let Some(i) = p.idem.as_mut() else { return Some(Default::default()) };
        if i.producer_id < 0 {
            if !transactional {
                self.request_producer_id(producer);
            }
            return None;
        }
        if let Some(t) = &p.txn {
            if !t.partition_added(key) {
                return None;
            }
        }
        let i = p.idem.as_mut().expect("checked");
        let seq = i.next_seq.entry(key.clone()).or_insert(0);
        let base_sequence = *seq;
        *seq = ((*seq as i64 + count as i64) % (i32::MAX as i64 + 1)) as i32;
        Some(super::log::ProducerBatchInfo { producer_id: i.producer_id, producer_epoch: i.epoch, base_sequence, transactional, control: None, coordinator_epoch: -1 })
    }

    pub fn create_producer(&mut self, config: ProducerConfig) -> KResult<ProducerId> {
        if !matches!(config.acks, -1 | 0 | 1) {
            return Err(KafkaError::new(
                ErrorCode::INVALID_CONFIG,
                format!("Invalid value {} for configuration acks: String must be one of: all, -1, 0, 1", config.acks),
            ));
        }
        if config.batch_size == 0 {
            return Err(KafkaError::new(ErrorCode::INVALID_CONFIG, "Producer timeouts, linger.ms and batch.size must not be negative."));
        }
        config.check_ranges()?;
        if config.delivery_timeout_ms < config.linger_ms + config.request_timeout_ms {
            return Err(KafkaError::new(
                ErrorCode::INVALID_CONFIG,
                "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms",
            ));
        }
        if config.transactional_id.as_deref() == Some("") {
            return Err(KafkaError::new(ErrorCode::INVALID_CONFIG, "Invalid value  for configuration transactional.id: transactional.id must not be empty"));
        }
        let idempotent = config.resolve_idempotence()?;
        let id = self.next_producer_id;
        self.next_producer_id += 1;
        let txn = config.transactional_id.clone().map(|t| super::txn::state::TxnClient::new(&t, config.transaction_timeout_ms));
        self.producers.insert(
            id,
            Producer {
                idem: if idempotent { Some(Idem::new()) } else { None },
                txn,
                config,
                topics: BTreeMap::new(),
                metadata_inflight: None,
                metadata_retry_at_ms: 0,
                metadata_wanted: BTreeSet::new(),
                waiting: VecDeque::new(),
                queues: BTreeMap::new(),
                sticky: BTreeMap::new(),
                results: VecDeque::new(),
                warnings: Vec::new(),
                next_send_id: 1,
                correlation_id: 0,
                pending: 0,
                flushing: false,
                wake_at: BTreeSet::new(),
                closed: false,
            },
        );
        Ok(id)
    }

    fn producer_mut(&mut self, id: ProducerId) -> KResult<&mut Producer> {
        self.producers
            .get_mut(&id)
            .filter(|p| !p.closed)
            .ok_or_else(|| KafkaError::new(ErrorCode::INVALID_REQUEST, format!("Unknown producer {id}.")))
    }

    /// Queues a record. Its result arrives later through [`Cluster::take_send_results`].
    pub fn send(&mut self, producer: ProducerId, record: ProducerRecord) -> KResult<SendId> {
        let now = self.now_ms;
        if record.topic.is_empty() {
            return Err(KafkaError::new(ErrorCode::INVALID_TOPIC_EXCEPTION, "Topic name is invalid: the empty string is not allowed"));
        }
        if record.partition.is_some_and(|p| p < 0) {
            return Err(KafkaError::new(
                ErrorCode::INVALID_REQUEST,
                format!("Invalid partition given with record: {} is not in the range [0...).", record.partition.unwrap_or(0)),
            ));
        }
        let size = super::log::record_size_bytes(0, 0, record.key.as_deref(), record.value.as_deref(), &record.headers) as u64 + super::log::BATCH_OVERHEAD_BYTES as u64;
        let p = self.producer_mut(producer)?;
        if size > 1_048_576 {
            return Err(KafkaError::new(
                ErrorCode::MESSAGE_TOO_LARGE,
                format!("The message is {size} bytes when serialized which is larger than 1048576, which is the value of the max.request.size configuration."),
            ));
        }
        let send_id = p.next_send_id;
        p.next_send_id += 1;
        p.pending += 1;
        let topic = record.topic.clone();
        if p.topics.contains_key(&topic) {
            if let Some(key) = self.accumulate(producer, send_id, record, now) {
                // Only a full batch needs sending now; linger expiry wakes the producer otherwise.
                self.service_queue(producer, &key);
            }
        } else {
            let p = self.producers.get_mut(&producer).expect("exists");
            p.waiting.push_back(Waiting { send_id, record, created_ms: now });
            // Only the first record for an unknown topic starts a metadata request; the others wait
            // for its answer (polling on every send made a burst of sends quadratic).
            if p.metadata_wanted.insert(topic) {
                self.producer_poll(producer);
            }
        }
        Ok(send_id)
    }

    /// Results that arrived since the last call, in completion order.
    pub fn take_send_results(&mut self, producer: ProducerId) -> Vec<(SendId, SendResult)> {
        self.producers.get_mut(&producer).map_or_else(Vec::new, |p| p.results.drain(..).collect())
    }

    /// Client log lines (metadata warnings, retries) since the last call.
    pub fn take_producer_warnings(&mut self, producer: ProducerId) -> Vec<ProducerWarning> {
        self.producers.get_mut(&producer).map_or_else(Vec::new, |p| std::mem::take(&mut p.warnings))
    }

    /// Sends not yet answered.
    pub fn pending_sends(&self, producer: ProducerId) -> u64 {
        self.producers.get(&producer).map_or(0, |p| p.pending)
    }

    /// Sends every batch now (ignoring linger) and runs simulated time until every pending send
    /// has a result (bounded by the delivery timeout plus a margin).
    pub fn flush(&mut self, producer: ProducerId) -> KResult<()> {
        let limit = {
            let p = self.producer_mut(producer)?;
            p.flushing = true;
            p.config.delivery_timeout_ms.max(p.config.max_block_ms) + p.config.request_timeout_ms + 1_000
        };
        self.producer_poll(producer);
        self.run_while(limit, |c| c.producers.get(&producer).is_none_or(|p| p.pending == 0));
        if let Some(p) = self.producers.get_mut(&producer) {
            p.flushing = false;
        }
        Ok(())
    }

    /// Closes the producer (after a flush); later calls with this id fail.
    pub fn close_producer(&mut self, producer: ProducerId) -> KResult<()> {
        self.flush(producer)?;
        if let Some(p) = self.producers.get_mut(&producer) {
            p.closed = true;
        }
        Ok(())
    }

    /// `close(Duration.ZERO)`, or the JVM exiting under a tool on Ctrl-C: the producer is gone
    /// at once; records not yet sent are dropped (their sends never complete), requests already
    /// on the wire still reach the brokers. Unlike [`Cluster::close_producer`] it runs no
    /// simulated time.
    pub fn close_producer_now(&mut self, producer: ProducerId) -> KResult<()> {
        self.producer_mut(producer)?;
        self.producers.remove(&producer);
        Ok(())
    }

    /// Appends the record to its partition's open batch; returns the queue key if that batch is
    /// now full (ready to send). The producer decides (`Producer::accumulate`); the cluster routes
    /// its wake-ups.
    fn accumulate(&mut self, producer: ProducerId, send_id: SendId, record: ProducerRecord, now: i64) -> Option<(String, i32)> {
        debug_assert_eq!(now, self.now_ms, "a producer accumulates at the time of the call");
        let p = self.producers.get_mut(&producer)?;
        let mut ctx = Ctx::new(now, &mut self.rng, &mut self.next_id);
        let full = p.accumulate(producer, send_id, record, &mut ctx);
        let outputs = ctx.into_outputs();
        self.route(outputs);
        full
    }

    fn wake_producer_at(&mut self, producer: ProducerId, at_ms: i64) {
        let now = self.now_ms;
        let Some(p) = self.producers.get_mut(&producer) else { return };
        if let Some(delay_ms) = p.wake_delay(now, at_ms) {
            self.schedule(delay_ms, Ev::ProducerWake { producer });
        }
    }

    /// The producer's state machine: metadata, expiry, sending ready batches.
    pub(crate) fn producer_poll(&mut self, producer: ProducerId) {
        let now = self.now_ms;
        let Some(p) = self.producers.get_mut(&producer) else { return };
        p.wake_at.remove(&now);
        let cfg = p.config.clone();

        // Records waiting for metadata expire after max.block.ms. They wait in creation order, so
        // the expired ones are at the front (a scan of the whole queue here made sending quadratic).
        let mut expired = Vec::new();
        while p.waiting.front().is_some_and(|w| now - w.created_ms >= cfg.max_block_ms) {
            expired.extend(p.waiting.pop_front());
        }
        for w in expired {
            p.results.push_back((
                w.send_id,
                SendResult::Failed(KafkaError::new(ErrorCode::REQUEST_TIMED_OUT, format!("Topic {} not present in metadata after {} ms.", w.record.topic, cfg.max_block_ms))),
            ));
            p.pending -= 1;
        }

        // In-flight requests past request.timeout.ms fail (retriable).
        // Sender 3.9 answers them with `PartitionResponse(REQUEST_TIMED_OUT, "Disconnected from
        // node <id> due to timeout")`.
        let timed_out: Vec<((String, i32), u64, BrokerId)> = p
            .queues
            .iter()
            .flat_map(|(k, q)| q.batches.iter().filter_map(|b| b.inflight.as_ref()).filter(|f| now >= f.deadline_ms).map(|f| (k.clone(), f.req_id, f.dest)))
            .collect();
        for (key, req_id, dest) in timed_out {
            self.batch_failed(producer, &key, req_id, KafkaError::new(ErrorCode::REQUEST_TIMED_OUT, format!("Disconnected from node {dest} due to timeout")));
        }

        // Metadata.
        let p = self.producers.get_mut(&producer).expect("exists");
        if !p.metadata_wanted.is_empty() && p.metadata_inflight.is_none_or(|(_, sent)| now - sent >= cfg.request_timeout_ms) && now >= p.metadata_retry_at_ms {
            let topics: Vec<String> = p.metadata_wanted.iter().cloned().collect();
            let target = self.brokers.keys().copied().find(|b| self.client_reaches(*b));
            let p = self.producers.get_mut(&producer).expect("exists");
            match target {
                Some(b) => {
                    p.correlation_id += 1;
                    let req_id = self.next_id;
                    self.next_id += 1;
                    let p = self.producers.get_mut(&producer).expect("exists");
                    p.metadata_inflight = Some((req_id, now));
                    self.net_send(None, Dest::Broker(b), Msg::MetadataReq { producer, req_id, topics });
                    self.wake_producer_at(producer, now + cfg.request_timeout_ms.max(1));
                }
                None => {
                    p.metadata_retry_at_ms = now + cfg.retry_backoff_ms;
                    self.wake_producer_at(producer, now + cfg.retry_backoff_ms.max(1));
                }
            }
        }

        // Batches: expire, then send the ready ones.
        let keys: Vec<(String, i32)> = self.producers[&producer].queues.keys().cloned().collect();
        for key in keys {
            self.service_queue(producer, &key);
        }
        if self.producers.get(&producer).is_some_and(|p| p.txn.is_some()) {
            self.txn_client_poll(producer);
        }
    }

    /// Schedules a poll now (a transactional producer has partitions to add).
    fn fail_batch(p: &mut Producer, b: PBatch, e: &KafkaError) {
        if let Some(d) = &b.frozen {
            // A batch that went out failed for good: its sequence numbers are lost.
            if let Some(t) = p.txn.as_mut() {
                t.batch_failed(e);
            } else if let Some(i) = p.idem.as_mut() {
                // Only if it carries the current id and epoch (a stale batch's are already gone).
                if !b.stale(i.producer_id, i.epoch) {
                    debug_assert_eq!(d.producer.producer_id, i.producer_id);
                    i.bump_epoch();
                }
            }
        }
        for id in b.send_ids {
            p.results.push_back((id, SendResult::Failed(e.clone())));
            p.pending -= 1;
        }
    }

    /// Requests on the wire from this producer to `dest` (one connection per broker).
    fn inflight_to(p: &Producer, dest: BrokerId) -> usize {
        p.queues.values().flat_map(|q| q.batches.iter()).filter(|b| b.inflight.as_ref().is_some_and(|f| f.dest == dest)).count()
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
    fn service_queue(&mut self, producer: ProducerId, key: &(String, i32)) {
        let now = self.now_ms;
        let p = self.producers.get_mut(&producer).expect("exists");
        let cfg = p.config.clone();
        let Some(q) = p.queues.get_mut(key) else { return };
        // delivery.timeout.ms for batches not on the wire.
        let mut expired = Vec::new();
        let mut i = 0;
        while i < q.batches.len() {
            if q.batches[i].inflight.is_none() && now - q.batches[i].created_ms >= cfg.delivery_timeout_ms {
                expired.extend(q.batches.remove(i));
            } else {
                i += 1;
            }
        }
        for b in expired {
            let n = b.send_ids.len();
            let e = KafkaError::new(
                ErrorCode::REQUEST_TIMED_OUT,
                format!("Expiring {n} record(s) for {}-{}:{} ms has passed since batch creation", key.0, key.1, now - b.created_ms),
            );
            Self::fail_batch(p, b, &e);
        }
        let limit = cfg.max_in_flight.max(1) as usize;
        // Each pass sends one batch; a partition never has more batches on the wire than the
        // connection allows, so this ends. An acks=0 send completes at once and holds no
        // in-flight slot (no response will come to wake the producer): every ready batch goes.
        let queued = self.producers[&producer].queues.get(key).map_or(0, |q| q.batches.len());
        let passes = if cfg.acks == 0 { queued } else { limit };
        for _ in 0..=passes {
            if !self.send_next_batch(producer, key, limit) {
                return;
            }
        }
    }

    /// Sends the first batch of `key` not on the wire if it may go now; schedules the wake-up
    /// it waits for otherwise. Returns whether it sent one.
    fn send_next_batch(&mut self, producer: ProducerId, key: &(String, i32), limit: usize) -> bool {
        let now = self.now_ms;
        let p = self.producers.get_mut(&producer).expect("exists");
        let cfg = p.config.clone();
        let flushing = p.flushing;
        let leader = p.topics.get(&key.0).and_then(|t| t.leaders.get(key.1 as usize).copied().flatten());
        let idem_only = p.idem.as_ref().filter(|_| p.txn.is_none()).map(|i| (i.producer_id, i.epoch));
        let Some(q) = p.queues.get(key) else { return false };
        let Some(index) = q.batches.iter().position(|b| b.inflight.is_none()) else { return false };
        let b = &q.batches[index];
        let more = index + 1 < q.batches.len();
        let frozen = b.frozen.is_some();
        let ready = frozen || b.data.size_bytes >= cfg.batch_size || now - b.created_ms >= cfg.linger_ms || flushing || more;
        let (created_ms, retry_at_ms) = (b.created_ms, b.retry_at_ms);
        if !ready {
            self.wake_producer_at(producer, created_ms + cfg.linger_ms);
            return false;
        }
        if now < retry_at_ms {
            self.wake_producer_at(producer, retry_at_ms);
            return false;
        }
        let Some(l) = leader else {
            // No known leader: refresh metadata and wait.
            p.metadata_wanted.insert(key.0.clone());
            self.wake_producer_at(producer, now + cfg.retry_backoff_ms.max(1));
            return false;
        };
        let earlier_on_wire = q.batches.iter().take(index).any(|x| x.inflight.is_some());
        // A response (or a request timeout, already scheduled) wakes the producer again.
        if p.idem.is_some() && frozen && earlier_on_wire {
            return false;
        }
        if let Some((pid, epoch)) = idem_only {
            // No batch is stamped with the new epoch (or id) while one stamped with the old
            // epoch is unresolved: it could land behind the new one.
            if !frozen && q.batches.iter().any(|x| x.stale(pid, epoch)) {
                return false;
            }
        }
        if Self::inflight_to(p, l) >= limit {
            return false;
        }
        // The producer fields are stamped once, when the batch is first sent (retries resend it).
        let header = if frozen { Some(None) } else { self.batch_header(producer, key, index).map(Some) };
        let Some(header) = header else {
            // Waiting for a producer id or for the partition to join the transaction; the batch
            // still expires after delivery.timeout.ms.
            self.wake_producer_at(producer, created_ms + cfg.delivery_timeout_ms);
            return false;
        };
        let p = self.producers.get_mut(&producer).expect("exists");
        let q = p.queues.get_mut(key).expect("exists");
        let b = q.batches.get_mut(index).expect("index checked");
        let data = match (&mut b.frozen, header) {
            (Some(d), _) => d.clone(),
            (None, h) => {
                let mut d = std::mem::take(&mut b.data);
                d.producer = h.unwrap_or_default();
                // Stored batches keep no spare capacity (memory budget per record).
                d.bytes.shrink_to_fit();
                d.index.shrink_to_fit();
                let d = Rc::new(d);
                b.frozen = Some(d.clone());
                d
            }
        };
        b.attempts += 1;
        let count = data.len();
        p.correlation_id += 1;
        let corr = p.correlation_id;
        let req_id = self.next_id;
        self.next_id += 1;
        let Some(idx) = self.ctl.by_name.get(&key.0).copied() else {
            // Deleted topic: metadata refresh will tell.
            let p = self.producers.get_mut(&producer).expect("exists");
            p.metadata_wanted.insert(key.0.clone());
            let q = p.queues.get_mut(key).expect("exists");
            q.batches[index].inflight = Some(InFlight { req_id, correlation_id: corr, deadline_ms: now, dest: l });
            self.batch_failed(producer, key, req_id, KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION));
            return false;
        };
        let tp = Tp { topic: idx, partition: key.1 };
        let p = self.producers.get_mut(&producer).expect("exists");
        let q = p.queues.get_mut(key).expect("exists");
        if cfg.acks == 0 {
            // Fire and forget: done once sent, offset unknown.
            let b = q.batches.remove(index).expect("index checked");
            for (i, id) in b.send_ids.iter().enumerate() {
                let ts = data.timestamp(i);
                p.results.push_back((*id, SendResult::Delivered { partition: key.1, offset: -1, timestamp_ms: ts }));
            }
            p.pending -= count as u64;
            self.net_send(None, Dest::Broker(l), Msg::Produce { producer, req_id, tp, data, acks: 0, timeout_ms: cfg.request_timeout_ms });
            return true;
        }
        q.batches[index].inflight = Some(InFlight { req_id, correlation_id: corr, deadline_ms: now + cfg.request_timeout_ms, dest: l });
        self.net_send(None, Dest::Broker(l), Msg::Produce { producer, req_id, tp, data, acks: cfg.acks, timeout_ms: cfg.request_timeout_ms });
        self.wake_producer_at(producer, now + cfg.request_timeout_ms.max(1));
        true
    }

    /// The request `req_id` for this partition failed: retry its batch (with backoff and a
    /// metadata refresh) or fail it.
    fn batch_failed(&mut self, producer: ProducerId, key: &(String, i32), req_id: u64, e: KafkaError) {
        let now = self.now_ms;
        let p = self.producers.get_mut(&producer).expect("exists");
        let cfg = p.config.clone();
        let (idempotent, transactional) = (p.idem.is_some(), p.txn.is_some());
        let Some(q) = p.queues.get_mut(key) else { return };
        let Some(index) = q.batches.iter().position(|b| b.inflight.as_ref().is_some_and(|f| f.req_id == req_id)) else { return };
        let b = q.batches.get_mut(index).expect("found");
        let corr = b.inflight.take().map_or(0, |f| f.correlation_id);
        let attempts_left = (cfg.retries + 1).saturating_sub(b.attempts);
        let expired = now - b.created_ms >= cfg.delivery_timeout_ms;
        // TransactionManager.canRetry: OUT_OF_ORDER_SEQUENCE_NUMBER is retried when the batch is
        // not the next in line (an earlier one is unresolved: the broker has not seen it yet),
        // and always by an idempotent (non-transactional) producer.
        let retriable = e.code.is_retriable() || (e.code == ErrorCode::OUT_OF_ORDER_SEQUENCE_NUMBER && idempotent && (index > 0 || !transactional));
        if retriable && attempts_left > 0 && !expired {
            // RecordAccumulator: backoff(attempts() - 1), attempts() being the re-enqueues so far.
            let backoff_ms = exponential_backoff_ms(cfg.retry_backoff_ms, cfg.retry_backoff_max_ms, b.attempts.saturating_sub(1), &mut self.rng);
            b.retry_at_ms = now + backoff_ms;
            // Only the Sender's own timeout response is known to carry an error message.
            let message = (e.code == ErrorCode::REQUEST_TIMED_OUT && e.message.starts_with("Disconnected from node")).then(|| e.message.clone());
            // Sender logs `retries - batch.attempts() - 1`, where attempts() counts re-enqueues
            // (sends - 1): one less than the sends still allowed.
            let attempts_left = attempts_left - 1;
            p.warnings.push(ProducerWarning::Retrying { correlation_id: corr, topic: key.0.clone(), partition: key.1, attempts_left, error: e.code, message });
            if matches!(e.code, ErrorCode::NOT_LEADER_OR_FOLLOWER | ErrorCode::UNKNOWN_TOPIC_OR_PARTITION | ErrorCode::LEADER_NOT_AVAILABLE | ErrorCode::REQUEST_TIMED_OUT | ErrorCode::NETWORK_EXCEPTION) {
                p.metadata_wanted.insert(key.0.clone());
            }
            self.wake_producer_at(producer, now + backoff_ms.max(1));
        } else {
            let b = q.batches.remove(index).expect("found");
            let e = if expired {
                KafkaError::new(
                    ErrorCode::REQUEST_TIMED_OUT,
                    format!("Expiring {} record(s) for {}-{}:{} ms has passed since batch creation", b.send_ids.len(), key.0, key.1, now - b.created_ms),
                )
            } else {
                e
            };
            Self::fail_batch(p, b, &e);
            self.wake_producer_at(producer, now);
        }
    }

    pub(crate) fn producer_receive(&mut self, producer: ProducerId, msg: Msg) {
        let now = self.now_ms;
        match msg {
            Msg::MetadataResp { req_id, topics } => {
                let Some(p) = self.producers.get_mut(&producer) else { return };
                if p.metadata_inflight.map(|m| m.0) != Some(req_id) {
                    return;
                }
                p.metadata_inflight = None;
                let corr = p.correlation_id;
                let mut retry = false;
                for t in topics {
                    match t.error {
                        None => {
                            let complete = t.leaders.iter().all(|l| l.is_some());
                            p.topics.insert(t.name.clone(), TopicCache { leaders: t.leaders });
                            if complete {
                                p.metadata_wanted.remove(&t.name);
                            } else {
                                retry = true;
                            }
                        }
                        Some(e) => {
                            p.warnings.push(ProducerWarning::MetadataIssue { correlation_id: corr, topic: t.name.clone(), error: e });
                            if e == ErrorCode::INVALID_TOPIC_EXCEPTION {
                                // Fail the records waiting for an invalid topic right away.
                                let name = t.name.clone();
                                let mut keep = VecDeque::new();
                                for w in p.waiting.drain(..) {
                                    if w.record.topic == name {
                                        p.results.push_back((w.send_id, SendResult::Failed(KafkaError::new(ErrorCode::INVALID_TOPIC_EXCEPTION, format!("Invalid topics: [{name}]")))));
                                        p.pending -= 1;
                                    } else {
                                        keep.push_back(w);
                                    }
                                }
                                p.waiting = keep;
                                p.metadata_wanted.remove(&name);
                            } else {
                                retry = true;
                            }
                        }
                    }
                }
                if retry {
                    p.metadata_retry_at_ms = now + p.config.retry_backoff_ms;
                    let at = p.metadata_retry_at_ms;
                    self.wake_producer_at(producer, at);
                }
                // Records waiting for metadata of now-known topics get partitioned.
                let p = self.producers.get_mut(&producer).expect("exists");
                let mut ready = Vec::new();
                let mut keep = VecDeque::new();
                for w in p.waiting.drain(..) {
                    if p.topics.contains_key(&w.record.topic) {
                        ready.push(w);
                    } else {
                        keep.push_back(w);
                    }
                }
                p.waiting = keep;
                for w in ready {
                    let _ = self.accumulate(producer, w.send_id, w.record, now);
                }
                self.producer_poll(producer);
            }
            Msg::ProduceResp { req_id, result } => {
                let Some(p) = self.producers.get_mut(&producer) else { return };
                let found = p.queues.iter().find_map(|(k, q)| q.batches.iter().position(|b| b.inflight.as_ref().is_some_and(|f| f.req_id == req_id)).map(|i| (k.clone(), i)));
                let Some((key, index)) = found else { return };
                match result {
                    Ok((base, append_time)) => {
                        let q = p.queues.get_mut(&key).expect("found");
                        let b = q.batches.remove(index).expect("found");
                        let data = b.frozen.as_ref().expect("sent batches are frozen");
                        for (i, id) in b.send_ids.iter().enumerate() {
                            let ts = if append_time >= 0 { append_time } else { data.timestamp(i) };
                            p.results.push_back((*id, SendResult::Delivered { partition: key.1, offset: base + i as i64, timestamp_ms: ts }));
                        }
                        p.pending -= b.send_ids.len() as u64;
                    }
                    Err(e) => self.batch_failed(producer, &key, req_id, e),
                }
                self.producer_poll(producer);
            }
            Msg::Txn(m) => self.txn_client_receive(producer, *m),
            _ => {}
        }
    }
}

impl Cluster {
    /// The process running the producer died: nothing more is sent or retried (an open
    /// transaction stays open until the coordinator aborts it).
    pub fn crash_producer(&mut self, producer: ProducerId) {
        self.producers.remove(&producer);
    }
}

/// Kafka's `ExponentialBackoff(initial, 2, max, 0.2).backoff(attempts)`: `initial * 2^attempts`
/// capped at `max`, times a jitter factor uniform in [0.8, 1.2) from the seeded RNG, capped at
/// `max` again. With `max <= initial` it is `initial` without jitter, as in Kafka. Integer
/// doubling instead of Java's `Math.pow`/`Math.log` keeps it the same natively and in wasm.
pub(crate) fn exponential_backoff_ms(initial_ms: i64, max_ms: i64, attempts: u32, rng: &mut super::rng::Rng) -> i64 {
    let initial = initial_ms.min(max_ms).max(0);
    if max_ms <= initial {
        return initial;
    }
    let term = initial.checked_shl(attempts.min(62)).filter(|t| *t <= max_ms && *t >= initial).unwrap_or(max_ms);
    let unit = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let factor = 0.8 + 0.4 * unit;
    ((factor * term as f64) as i64).min(max_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn producer_retry_backoff_doubles_from_100_ms_with_jitter_up_to_1000_ms() {
        let mut rng = crate::engine::rng::Rng::new(3);
        for _ in 0..200 {
            let b: Vec<i64> = (0..6).map(|a| exponential_backoff_ms(100, 1000, a, &mut rng)).collect();
            assert!((80..120).contains(&b[0]), "{b:?}");
            assert!((160..240).contains(&b[1]), "{b:?}");
            assert!((320..480).contains(&b[2]), "{b:?}");
            assert!((640..960).contains(&b[3]), "{b:?}");
            assert!((800..=1000).contains(&b[4]) && (800..=1000).contains(&b[5]), "{b:?}");
        }
        // The jitter really varies (seeded: the same on every run).
        let mut rng = crate::engine::rng::Rng::new(3);
        let firsts: std::collections::BTreeSet<i64> = (0..50).map(|_| exponential_backoff_ms(100, 1000, 0, &mut rng)).collect();
        assert!(firsts.len() > 10, "{firsts:?}");
    }

    #[test]
    fn producer_retry_backoff_without_room_to_grow_is_constant() {
        let mut rng = crate::engine::rng::Rng::new(3);
        assert_eq!(exponential_backoff_ms(100, 100, 5, &mut rng), 100);
        assert_eq!(exponential_backoff_ms(500, 200, 0, &mut rng), 200);
        assert_eq!(exponential_backoff_ms(0, 1000, 3, &mut rng), 0);
    }
}
