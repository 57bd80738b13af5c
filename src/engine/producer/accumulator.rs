//! The record accumulator as the producer node's own methods: choosing a partition and adding a
//! record to that partition's open batch act on the producer's state only, through a [`Ctx`]
//! (the seeded RNG for the partitioners, the producer's wake-ups).

use super::super::error::{ErrorCode, KafkaError};
use super::super::ids::{ProducerId, SendId};
use super::super::log::RecordsData;
use super::super::node::Ctx;
use super::super::partitioner::{self, PartitionerKind};
use super::state::{PBatch, Producer, ProducerRecord, SendResult, Waiting};

/// What the producer does after the application's `send`.
pub(crate) enum AfterSend {
    /// Nothing now (the batch lingers, or a metadata request is already asked for).
    Nothing,
    /// The partition's batch is full: drain it.
    Drain((String, i32)),
    /// The topic is unknown: a Sender pass asks for its metadata.
    Poll,
}

impl Producer {
    /// The application's `send` (producer `id`): the record goes to its partition's open batch,
    /// or waits for its topic's metadata. Returns the send's id and what to do next.
    pub(crate) fn send(&mut self, id: ProducerId, record: ProducerRecord, ctx: &mut Ctx) -> (SendId, AfterSend) {
        let send_id = self.next_send_id;
        self.next_send_id += 1;
        self.pending += 1;
        if self.topics.contains_key(&record.topic) {
            // Only a full batch needs sending now; linger expiry wakes the producer otherwise.
            let next = self.accumulate(id, send_id, record, ctx).map_or(AfterSend::Nothing, AfterSend::Drain);
            return (send_id, next);
        }
        let topic = record.topic.clone();
        self.waiting.push_back(Waiting { send_id, record, created_ms: ctx.now_ms });
        // Only the first record for an unknown topic starts a metadata request; the others wait
        // for its answer (polling on every send made a burst of sends quadratic).
        let next = if self.metadata_wanted.insert(topic) { AfterSend::Poll } else { AfterSend::Nothing };
        (send_id, next)
    }

    /// Partitions of `topic` that have a leader, as the producer's metadata says.
    pub(super) fn available_partitions(&self, topic: &str) -> Vec<i32> {
        self.topics.get(topic).map_or_else(Vec::new, |t| t.leaders.iter().enumerate().filter(|(_, l)| l.is_some()).map(|(i, _)| i as i32).collect())
    }

    /// The send's result is a failure (the record never reaches a batch).
    fn fail_send(&mut self, send_id: SendId, e: KafkaError) -> Option<(String, i32)> {
        self.results.push_back((send_id, SendResult::Failed(e)));
        self.pending -= 1;
        None
    }

    /// The partition for `record` of a topic with `n` partitions, and whether the sticky
    /// partitioner chose it (it then moves on once the batch is ready).
    fn choose_partition(&mut self, record: &ProducerRecord, n: i32, ctx: &mut Ctx) -> Result<(i32, bool), KafkaError> {
        let kind = self.config.partitioner;
        let partition = match (record.partition, &record.key) {
            (Some(x), _) if x >= n => {
                let why = format!("Partition {x} of topic {} with partition count {n} is not present in metadata after {} ms.", record.topic, self.config.max_block_ms);
                return Err(KafkaError::new(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, why));
            }
            (Some(x), _) => x,
            (None, Some(k)) if matches!(kind, PartitionerKind::Default | PartitionerKind::Murmur2) => partitioner::murmur2_partition(k, n),
            (None, Some(k)) if kind == PartitionerKind::ConsistentRandom => partitioner::crc32_partition(k, n),
            (None, Some(k)) if kind == PartitionerKind::Xxhash => partitioner::xxhash_partition(k, n),
            _ => {
                let avail = self.available_partitions(&record.topic);
                let st = self.sticky.entry(record.topic.clone()).or_default();
                match kind {
                    PartitionerKind::RoundRobin => st.round_robin(&avail, n),
                    PartitionerKind::ConsistentRandom => {
                        let r = ctx.rng.below(if avail.is_empty() { n as u64 } else { avail.len() as u64 }) as usize;
                        if avail.is_empty() { r as i32 } else { avail[r] }
                    }
                    _ => return Ok((st.peek(ctx.rng, &avail, n), true)),
                }
            }
        };
        Ok((partition, false))
    }

    /// Appends the record to its partition's open batch (producer `id`); returns the queue key if
    /// that batch is now full (ready to send).
    pub(crate) fn accumulate(&mut self, id: ProducerId, send_id: SendId, record: ProducerRecord, ctx: &mut Ctx) -> Option<(String, i32)> {
        let n = self.topics.get(&record.topic).map_or(0, |t| t.leaders.len() as i32);
        if n == 0 {
            return self.fail_send(send_id, KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION));
        }
        let (partition, sticky_used) = match self.choose_partition(&record, n, ctx) {
            Ok(chosen) => chosen,
            Err(e) => return self.fail_send(send_id, e),
        };
        if let Some(t) = self.txn.as_mut() {
            let (pid, epoch) = self.idem.as_ref().map_or((-1, -1), |i| (i.producer_id, i.epoch));
            if let Err(e) = t.add_partition(&(record.topic.clone(), partition), pid, epoch) {
                return self.fail_send(send_id, e);
            }
            self.wake(id, ctx.now_ms, ctx);
        }
        self.append(id, send_id, record, partition, sticky_used, n, ctx)
    }

    /// Adds the record to the open batch of (topic, `partition`), opening one if needed; the
    /// queue key when that batch is full.
    #[allow(clippy::too_many_arguments)]
    fn append(&mut self, id: ProducerId, send_id: SendId, record: ProducerRecord, partition: i32, sticky_used: bool, n: i32, ctx: &mut Ctx) -> Option<(String, i32)> {
        let now = ctx.now_ms;
        // CreateTime: the producer's wall clock.
        let ts = record.timestamp_ms.unwrap_or(ctx.wall_clock_ms());
        let (batch_size, linger) = (self.config.batch_size, self.config.linger_ms);
        let qkey = (record.topic.clone(), partition);
        let q = match self.queues.get_mut(&qkey) {
            Some(q) => q,
            None => self.queues.entry(qkey).or_default(),
        };
        let need_new = match q.batches.back() {
            None => true,
            Some(b) => b.frozen.is_some() || !b.data.accepts_timestamp(ts) || (b.data.size_with(ts, record.key.as_deref(), record.value.as_deref(), &record.headers) > batch_size && !b.data.is_empty()),
        };
        if need_new {
            q.batches.push_back(PBatch { data: RecordsData::new(), frozen: None, send_ids: Vec::new(), created_ms: now, attempts: 0, retry_at_ms: 0, inflight: None });
        }
        let b = q.batches.back_mut().expect("just ensured");
        let size = b.data.push(ts, record.key.as_deref(), record.value.as_deref(), record.headers);
        b.send_ids.push(send_id);
        let full = b.data.size_bytes >= batch_size;
        let created = b.created_ms;
        if sticky_used {
            let avail = self.available_partitions(&record.topic);
            let st = self.sticky.entry(record.topic.clone()).or_default();
            // The switch waits until the batch is ready to send (full or lingered).
            let ready = full || now - created >= linger;
            st.update(ctx.rng, size as u64, batch_size as u64, ready, &avail, n);
        }
        if need_new && !full {
            self.wake(id, created + linger, ctx);
        }
        full.then_some((record.topic, partition))
    }
}
