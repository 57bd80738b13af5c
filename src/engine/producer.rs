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

pub use super::ids::{ProducerId, SendId};

mod accumulator;
use accumulator::AfterSend;
mod metadata;
mod sender;
pub(crate) mod state;
#[cfg(test)]
use sender::exponential_backoff_ms;
pub use state::{ProducerConfig, ProducerRecord, ProducerWarning, SendResult};
pub(crate) use state::*;

// ----- router glue and views (issue 21: moves to cluster/ at consolidation)
impl Cluster {
    /// Runs `f` on producer `id` with a [`Ctx`] (the brokers a client reaches now), then routes
    /// its outputs in order. None when the producer is gone.
    pub(crate) fn with_producer<R>(&mut self, id: ProducerId, f: impl FnOnce(&mut Producer, &mut Ctx) -> R) -> Option<R> {
        let reachable = self.client_reachable_brokers();
        let p = self.producers.get_mut(&id)?;
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id).with_reachable(&reachable);
        let r = f(p, &mut ctx);
        let outputs = ctx.into_outputs();
        self.route(outputs);
        Some(r)
    }

    /// The producer's Sender runs a pass: metadata, expiry, sending ready batches.
    pub(crate) fn producer_poll(&mut self, producer: ProducerId) {
        self.with_producer(producer, |p, ctx| p.poll(producer, ctx));
    }

    /// A message reached producer `producer`.
    pub(crate) fn producer_receive(&mut self, producer: ProducerId, msg: Msg) {
        match msg {
            Msg::MetadataResp { req_id, topics } => {
                self.with_producer(producer, |p, ctx| {
                    if p.on_metadata_answer(producer, req_id, topics, ctx) {
                        p.poll(producer, ctx);
                    }
                });
            }
            Msg::ProduceResp { req_id, result } => {
                self.with_producer(producer, |p, ctx| p.on_produce_answer(producer, req_id, result, ctx));
            }
            Msg::Txn(m) => self.txn_client_receive(producer, *m),
            _ => {}
        }
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

    pub(crate) fn producer_mut(&mut self, id: ProducerId) -> KResult<&mut Producer> {
        self.producers
            .get_mut(&id)
            .filter(|p| !p.closed)
            .ok_or_else(|| unknown_producer(id))
    }

    /// Queues a record. Its result arrives later through [`Cluster::take_send_results`].
    pub fn send(&mut self, producer: ProducerId, record: ProducerRecord) -> KResult<SendId> {
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
        let p = self.producers.get_mut(&producer).filter(|p| !p.closed).ok_or_else(|| unknown_producer(producer))?;
        if size > 1_048_576 {
            return Err(KafkaError::new(
                ErrorCode::MESSAGE_TOO_LARGE,
                format!("The message is {size} bytes when serialized which is larger than 1048576, which is the value of the max.request.size configuration."),
            ));
        }
        // Adding a record reaches no broker: the Ctx of the common path lists none (no
        // allocation per record); a full batch or a metadata request then runs with one.
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id);
        let (send_id, next) = p.send(producer, record, &mut ctx);
        let outputs = ctx.into_outputs();
        self.route(outputs);
        match next {
            AfterSend::Nothing => {}
            AfterSend::Drain(key) => {
                self.with_producer(producer, |p, ctx| p.service_queue(producer, &key, ctx));
            }
            AfterSend::Poll => self.producer_poll(producer),
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

    /// The process running the producer died: nothing more is sent or retried (an open
    /// transaction stays open until the coordinator aborts it).
    pub fn crash_producer(&mut self, producer: ProducerId) {
        self.producers.remove(&producer);
    }
}

fn unknown_producer(id: ProducerId) -> KafkaError {
    KafkaError::new(ErrorCode::INVALID_REQUEST, format!("Unknown producer {id}."))
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
