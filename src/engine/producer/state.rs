//! What a producer client holds: its config, the accumulator's queues, in-flight batches, the
//! idempotent and transactional state. The Cluster keeps a `Producer` per client; its handlers
//! (`accumulator.rs`, `metadata.rs`, `sender.rs`) act on it, and the Cluster's client API and
//! router glue (`cluster/views.rs`) call them.

use super::super::error::{ErrorCode, KResult, KafkaError};
use super::super::ids::{BrokerId, ProducerId, SendId};
use super::super::msg::Ev;
use super::super::node::Ctx;
use super::super::log::{record_size_bytes, Header, RecordsData, BATCH_OVERHEAD_BYTES};
use super::super::partitioner::{PartitionerKind, StickyState};
use super::super::txn::state::TxnClient;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;

/// Producer settings (Java names in the docs).
#[derive(Clone, Debug)]
pub struct ProducerConfig {
    /// `acks`: 0, 1 or -1 (all).
    pub acks: i16,
    /// `retries` (Java default Integer.MAX_VALUE; console producer 3).
    pub retries: u32,
    /// `retry.backoff.ms` (100): the first retry's backoff, doubled per retry (KIP-580)...
    pub retry_backoff_ms: i64,
    /// ... up to `retry.backoff.max.ms` (1000).
    pub retry_backoff_max_ms: i64,
    pub request_timeout_ms: i64,
    pub delivery_timeout_ms: i64,
    pub linger_ms: i64,
    pub batch_size: u32,
    /// `max.block.ms`: how long a send waits for topic metadata.
    pub max_block_ms: i64,
    pub partitioner: PartitionerKind,
    pub client_id: String,
    /// `enable.idempotence`: None = not set by the user (on unless conflicting settings turn it
    /// off silently); Some(true) = explicitly on (conflicts are a ConfigException).
    pub enable_idempotence: Option<bool>,
    /// `max.in.flight.requests.per.connection` (5): produce requests on the wire per broker.
    pub max_in_flight: u32,
    /// `transactional.id`.
    pub transactional_id: Option<String>,
    /// `transaction.timeout.ms` (60000).
    pub transaction_timeout_ms: i64,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            acks: -1,
            retries: i32::MAX as u32,
            retry_backoff_ms: 100,
            retry_backoff_max_ms: 1000,
            request_timeout_ms: 30_000,
            delivery_timeout_ms: 120_000,
            linger_ms: 5,
            batch_size: 16_384,
            max_block_ms: 60_000,
            partitioner: PartitionerKind::Default,
            client_id: "producer-1".to_string(),
            enable_idempotence: None,
            max_in_flight: 5,
            transactional_id: None,
            transaction_timeout_ms: 60_000,
        }
    }
}

impl ProducerConfig {
    /// `ProducerConfig.postProcessAndValidateIdempotenceConfigs`: whether this producer is
    /// idempotent, or the ConfigException Kafka throws.
    pub fn resolve_idempotence(&self) -> KResult<bool> {
        let explicit = self.enable_idempotence.is_some();
        let mut on = self.enable_idempotence.unwrap_or(true);
        let cfg = |m: &str| Err(KafkaError::new(ErrorCode::INVALID_CONFIG, m.to_string()));
        if on {
            if self.retries == 0 {
                if explicit {
                    return cfg("Must set retries to non-zero when using the idempotent producer.");
                }
                on = false;
            }
            if self.acks != -1 {
                if explicit {
                    return cfg("Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.");
                }
                on = false;
            }
            if self.max_in_flight > 5 {
                if explicit {
                    return cfg("Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.");
                }
                on = false;
            }
        }
        if !on && self.transactional_id.is_some() {
            return cfg("Cannot set a transactional.id without also enabling idempotence.");
        }
        Ok(on)
    }

    /// `ConfigDef`'s range checks on the timeouts, intervals and backoffs (Kafka's messages).
    pub fn check_ranges(&self) -> KResult<()> {
        use super::super::client_config::{check_at_least, PRODUCER_NUMBERS};
        let values = [
            ("request.timeout.ms", self.request_timeout_ms),
            ("delivery.timeout.ms", self.delivery_timeout_ms),
            ("linger.ms", self.linger_ms),
            ("max.block.ms", self.max_block_ms),
            ("retry.backoff.ms", self.retry_backoff_ms),
        ];
        for (name, n) in values {
            let min = PRODUCER_NUMBERS.iter().find(|d| d.0 == name).and_then(|d| d.2);
            check_at_least(name, n, min)?;
        }
        Ok(())
    }

    /// `kafka-console-producer` defaults: acks=-1, retries=3, linger 1000 ms (`--timeout`),
    /// request timeout 1500 ms.
    pub fn console() -> ProducerConfig {
        ProducerConfig { acks: -1, retries: 3, linger_ms: 1000, request_timeout_ms: 1500, client_id: "console-producer".into(), ..Default::default() }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProducerRecord {
    pub topic: String,
    pub partition: Option<i32>,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
    pub timestamp_ms: Option<i64>,
}

impl ProducerRecord {
    pub fn new(topic: &str, key: Option<&[u8]>, value: Option<&[u8]>) -> ProducerRecord {
        ProducerRecord { topic: topic.to_string(), key: key.map(|k| k.to_vec()), value: value.map(|v| v.to_vec()), ..Default::default() }
    }

    /// `KafkaProducer.send`'s checks of the record itself, before it looks at the producer.
    pub(crate) fn check_fields(&self) -> KResult<()> {
        if self.topic.is_empty() {
            return Err(KafkaError::new(ErrorCode::INVALID_TOPIC_EXCEPTION, "Topic name is invalid: the empty string is not allowed"));
        }
        if self.partition.is_some_and(|p| p < 0) {
            return Err(KafkaError::new(
                ErrorCode::INVALID_REQUEST,
                format!("Invalid partition given with record: {} is not in the range [0...).", self.partition.unwrap_or(0)),
            ));
        }
        Ok(())
    }

    /// The serialized size against `max.request.size` (1 MiB), checked once the producer is
    /// known.
    pub(crate) fn check_size(&self) -> KResult<()> {
        let size = record_size_bytes(0, 0, self.key.as_deref(), self.value.as_deref(), &self.headers) as u64 + BATCH_OVERHEAD_BYTES as u64;
        if size > 1_048_576 {
            return Err(KafkaError::new(
                ErrorCode::MESSAGE_TOO_LARGE,
                format!("The message is {size} bytes when serialized which is larger than 1048576, which is the value of the max.request.size configuration."),
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendResult {
    /// offset is -1 for acks=0; timestamp is the log-append time or the record's create time.
    Delivered { partition: i32, offset: i64, timestamp_ms: i64 },
    Failed(KafkaError),
}

/// Things the client logs that the shell may want to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProducerWarning {
    /// `The metadata response from the cluster reported a recoverable issue with correlation id
    /// <n> : {<topic>=<error>}` (3.9 wording).
    MetadataIssue { correlation_id: u64, topic: String, error: ErrorCode },
    /// `Got error produce response with correlation id <n> on topic-partition <tp>, retrying (<k>
    /// attempts left). Error: <error>`.
    /// `Error: <error>. Error Message: <message>` when the response carried a message.
    Retrying { correlation_id: u64, topic: String, partition: i32, attempts_left: u32, error: ErrorCode, message: Option<String> },
}

#[derive(Clone, Debug)]
pub(super) struct Waiting {
    pub(super) send_id: SendId,
    pub(super) record: ProducerRecord,
    pub(super) created_ms: i64,
}

#[derive(Clone, Debug)]
pub(super) struct PBatch {
    pub(super) data: RecordsData,
    /// The batch as sent (producer fields stamped); Some once it went out at least once.
    pub(super) frozen: Option<Rc<RecordsData>>,
    pub(super) send_ids: Vec<SendId>,
    pub(super) created_ms: i64,
    pub(super) attempts: u32,
    pub(super) retry_at_ms: i64,
    /// The request carrying this batch, while one is on the wire.
    pub(super) inflight: Option<InFlight>,
}

impl PBatch {
    /// Stamped with a producer id or epoch other than `(pid, epoch)`: sent before the producer
    /// id was reset.
    pub(super) fn stale(&self, pid: i64, epoch: i16) -> bool {
        self.frozen.as_ref().is_some_and(|d| d.producer.producer_id != pid || d.producer.producer_epoch != epoch)
    }
}

#[derive(Clone, Debug)]
pub(super) struct InFlight {
    pub(super) req_id: u64,
    pub(super) correlation_id: u64,
    pub(super) deadline_ms: i64,
    /// The broker the request went to (named in the timeout's error message).
    pub(super) dest: BrokerId,
}

/// A partition's batches in creation order (= sequence order): the ones on the wire, the ones
/// waiting to be retried and the ones never sent, interleaved as failures leave them.
#[derive(Clone, Debug, Default)]
pub(super) struct PartQueue {
    pub(super) batches: VecDeque<PBatch>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct TopicCache {
    /// The topic's id, as the metadata answer named it (what produce requests carry).
    pub(super) index: u32,
    pub(super) leaders: Vec<Option<BrokerId>>,
}

/// An idempotent producer's identity and sequence numbers.
#[derive(Clone, Debug)]
pub(crate) struct Idem {
    /// -1 until InitProducerId answered.
    pub producer_id: i64,
    pub epoch: i16,
    /// InitProducerId in flight (idempotent-only producers): (request id, sent at).
    pub init_inflight: Option<(u64, i64)>,
    pub init_retry_at_ms: i64,
    /// Next sequence number per partition for this producer id and epoch.
    pub next_seq: BTreeMap<(String, i32), i32>,
}

impl Idem {
    pub(super) fn new() -> Idem {
        Idem { producer_id: -1, epoch: -1, init_inflight: None, init_retry_at_ms: 0, next_seq: BTreeMap::new() }
    }
    /// A batch failed for good: its sequence is unknown to the broker, so later batches start
    /// over at sequence 0 under the next epoch of the same producer id, which the client bumps
    /// itself (KIP-360, `bumpIdempotentProducerEpoch`); at the last epoch it needs a new id.
    pub fn bump_epoch(&mut self) {
        if self.producer_id < 0 || self.epoch >= i16::MAX - 1 {
            self.reset();
            return;
        }
        self.epoch += 1;
        self.next_seq.clear();
    }

    /// Forgets the producer id (the next batch waits for InitProducerId).
    pub fn reset(&mut self) {
        self.producer_id = -1;
        self.epoch = -1;
        self.next_seq.clear();
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Producer {
    pub config: ProducerConfig,
    pub idem: Option<Idem>,
    pub txn: Option<TxnClient>,
    pub(super) topics: BTreeMap<String, TopicCache>,
    pub(super) metadata_inflight: Option<(u64, i64)>,
    pub(super) metadata_retry_at_ms: i64,
    pub(super) metadata_wanted: BTreeSet<String>,
    pub(super) waiting: VecDeque<Waiting>,
    pub(super) queues: BTreeMap<(String, i32), PartQueue>,
    pub(super) sticky: BTreeMap<String, StickyState>,
    pub(super) results: VecDeque<(SendId, SendResult)>,
    pub(super) warnings: Vec<ProducerWarning>,
    pub(super) next_send_id: SendId,
    pub(super) correlation_id: u64,
    pub(super) pending: u64,
    pub(super) flushing: bool,
    pub(super) wake_at: BTreeSet<i64>,
    pub(super) closed: bool,
}

impl Producer {
    pub(crate) fn closed_flag(&self) -> bool {
        self.closed
    }
    pub(crate) fn pending_sends_count(&self) -> u64 {
        self.pending
    }
    /// Registers a wake-up at `at_ms` (not before `now_ms`): the delay of the timer to set, or
    /// None when one for that time is already pending. Past wake-ups are dropped first.
    pub(crate) fn wake_delay(&mut self, now_ms: i64, at_ms: i64) -> Option<i64> {
        let at = at_ms.max(now_ms);
        while self.wake_at.first().is_some_and(|t| *t < now_ms) {
            self.wake_at.pop_first();
        }
        self.wake_at.insert(at).then_some(at - now_ms)
    }
    /// Registers a wake-up of this producer (`id`) at `at_ms` through the context.
    pub(crate) fn wake(&mut self, id: ProducerId, at_ms: i64, ctx: &mut Ctx) {
        if let Some(delay_ms) = self.wake_delay(ctx.now_ms, at_ms) {
            ctx.timer(delay_ms, Ev::ProducerWake { producer: id });
        }
    }
    /// Transactions: commit/abort send every batch at once (like `flush`).
    pub(crate) fn flushing_for_txn(&mut self, on: bool) {
        self.flushing = on;
    }
    /// Fails every record not sent yet (waiting for metadata or in batches never sent).
    pub(crate) fn fail_unsent(&mut self, e: &KafkaError) {
        for w in std::mem::take(&mut self.waiting) {
            self.results.push_back((w.send_id, SendResult::Failed(e.clone())));
            self.pending -= 1;
        }
        let mut failed = Vec::new();
        for q in self.queues.values_mut() {
            // Batches that went out (on the wire or to be retried) keep their fate.
            let (sent, unsent): (VecDeque<PBatch>, VecDeque<PBatch>) = std::mem::take(&mut q.batches).into_iter().partition(|b| b.frozen.is_some());
            q.batches = sent;
            failed.extend(unsent);
        }
        for b in failed {
            for id in b.send_ids {
                self.results.push_back((id, SendResult::Failed(e.clone())));
                self.pending -= 1;
            }
        }
    }
}

impl ProducerConfig {
    /// `KafkaProducer`'s constructor checks: whether the producer is idempotent, or the
    /// ConfigException Kafka throws (in the order it checks).
    pub(crate) fn validate(&self) -> KResult<bool> {
        if !matches!(self.acks, -1 | 0 | 1) {
            return Err(KafkaError::new(
                ErrorCode::INVALID_CONFIG,
                format!("Invalid value {} for configuration acks: String must be one of: all, -1, 0, 1", self.acks),
            ));
        }
        if self.batch_size == 0 {
            return Err(KafkaError::new(ErrorCode::INVALID_CONFIG, "Producer timeouts, linger.ms and batch.size must not be negative."));
        }
        self.check_ranges()?;
        if self.delivery_timeout_ms < self.linger_ms + self.request_timeout_ms {
            return Err(KafkaError::new(
                ErrorCode::INVALID_CONFIG,
                "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms",
            ));
        }
        if self.transactional_id.as_deref() == Some("") {
            return Err(KafkaError::new(ErrorCode::INVALID_CONFIG, "Invalid value  for configuration transactional.id: transactional.id must not be empty"));
        }
        self.resolve_idempotence()
    }
}

// ----- what the Cluster's client API asks of the producer (create, results, flush, close)
impl Producer {
    /// A new producer client, or the ConfigException its config gets.
    pub(crate) fn new(config: ProducerConfig) -> KResult<Producer> {
        let idempotent = config.validate()?;
        let txn = config.transactional_id.clone().map(|t| TxnClient::new(&t, config.transaction_timeout_ms));
        Ok(Producer {
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
        })
    }

    /// Results that arrived since the last call, in completion order.
    pub(crate) fn take_results(&mut self) -> Vec<(SendId, SendResult)> {
        self.results.drain(..).collect()
    }

    /// Client log lines since the last call.
    pub(crate) fn take_warnings(&mut self) -> Vec<ProducerWarning> {
        std::mem::take(&mut self.warnings)
    }

    /// `flush()` starts: every batch goes out now (linger ignored). How long the caller runs
    /// simulated time at most for the pending sends to complete (the delivery timeout or
    /// `max.block.ms`, plus a request and a margin).
    pub(crate) fn begin_flush(&mut self) -> i64 {
        self.flushing = true;
        self.config.delivery_timeout_ms.max(self.config.max_block_ms) + self.config.request_timeout_ms + 1_000
    }

    /// `flush()` returned: batches wait for `linger.ms` again.
    pub(crate) fn end_flush(&mut self) {
        self.flushing = false;
    }

    /// `close()`: later calls with this producer's id fail.
    pub(crate) fn mark_closed(&mut self) {
        debug_assert!(!self.flushing, "a producer closes after its flush");
        self.closed = true;
    }
}
