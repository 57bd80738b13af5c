//! Partition logs: immutable record batches shared by every replica that holds them, segments,
//! and the leader-epoch cache.
//!
//! Memory model (the budget is <= 64 bytes of engine overhead per stored record beyond its
//! key and value bytes): a batch packs all keys and values into one `Vec<u8>` and keeps a 16-byte
//! index entry per record ([`RecordIndex`]); headers live out of line only when present. The
//! leader wraps a producer's [`RecordsData`] in a [`Batch`] (offsets, epoch) once, and followers
//! append the very same `Rc<Batch>`: replication copies a pointer, never the bytes.

use std::collections::BTreeMap;
use std::collections::VecDeque;
use std::rc::Rc;

/// `RecordBatch.NO_PRODUCER_ID` and friends.
pub const NO_PRODUCER_ID: i64 = -1;
pub const NO_PRODUCER_EPOCH: i16 = -1;
pub const NO_SEQUENCE: i32 = -1;
/// `ProducerStateEntry.NUM_BATCHES_TO_RETAIN`: the duplicate cache of a producer per partition.
pub const PRODUCER_BATCHES_CACHED: usize = 5;

/// The type of a transaction marker (`ControlRecordType`: ABORT = 0, COMMIT = 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ControlType {
    Abort,
    Commit,
}

/// The producer fields of a v2 batch header: who wrote it (producer id and epoch), its first
/// sequence number, the transactional flag and, for a control batch, the marker it carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerBatchInfo {
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub transactional: bool,
    /// Some for a control batch (a transaction marker): it holds no data records but takes one
    /// offset. `coordinator_epoch` travels with it.
    pub control: Option<ControlType>,
    pub coordinator_epoch: i32,
}

impl Default for ProducerBatchInfo {
    fn default() -> Self {
        ProducerBatchInfo { producer_id: NO_PRODUCER_ID, producer_epoch: NO_PRODUCER_EPOCH, base_sequence: NO_SEQUENCE, transactional: false, control: None, coordinator_epoch: -1 }
    }
}

impl ProducerBatchInfo {
    pub fn has_producer_id(&self) -> bool {
        self.producer_id >= 0
    }
}

/// The sequence of the last record of a batch (sequences wrap at i32::MAX to 0).
pub fn last_sequence(base_sequence: i32, count: usize) -> i32 {
    if base_sequence < 0 {
        return NO_SEQUENCE;
    }
    ((base_sequence as i64 + count.max(1) as i64 - 1) % (i32::MAX as i64 + 1)) as i32
}

/// One of the last batches a producer appended to a partition (`BatchMetadata`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchMetadata {
    pub first_seq: i32,
    pub last_seq: i32,
    pub first_offset: i64,
    pub last_offset: i64,
}

/// A producer's state on one partition (`ProducerStateEntry`), rebuilt from the log's batches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerStateEntry {
    pub producer_epoch: i16,
    /// Oldest first, at most [`PRODUCER_BATCHES_CACHED`].
    pub batches: VecDeque<BatchMetadata>,
    pub current_txn_first_offset: Option<i64>,
    pub coordinator_epoch: i32,
    pub last_timestamp_ms: i64,
}

impl ProducerStateEntry {
    pub fn last_seq(&self) -> i32 {
        self.batches.back().map_or(NO_SEQUENCE, |b| b.last_seq)
    }
}

/// A finished transaction on one partition: its first offset and its marker's offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompletedTxn {
    pub producer_id: i64,
    pub first_offset: i64,
    pub last_offset: i64,
    pub aborted: bool,
}

/// Per-partition producer state: what the producers wrote (for duplicate detection and sequence
/// checks), the open transactions (they hold the last stable offset back) and the finished ones
/// (the aborted ones form the aborted-transactions index read_committed fetches use). Every
/// replica keeps it while appending, so a new leader has it; truncation rebuilds it from the log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProducerState {
    pub producers: BTreeMap<i64, ProducerStateEntry>,
    /// first offset -> producer id of each open transaction.
    pub ongoing: BTreeMap<i64, i64>,
    /// In marker-offset order.
    pub completed: Vec<CompletedTxn>,
}

impl ProducerState {
    /// Updates the state with a batch just appended (`ProducerAppendInfo.append`, replication
    /// origin: no validation).
    pub fn on_append(&mut self, b: &Batch) {
        let info = b.data.producer;
        if !info.has_producer_id() {
            return;
        }
        let e = self.producers.entry(info.producer_id).or_insert_with(|| ProducerStateEntry {
            producer_epoch: info.producer_epoch,
            batches: VecDeque::new(),
            current_txn_first_offset: None,
            coordinator_epoch: -1,
            last_timestamp_ms: -1,
        });
        if info.producer_epoch > e.producer_epoch {
            e.producer_epoch = info.producer_epoch;
            e.batches.clear();
        }
        e.last_timestamp_ms = b.max_timestamp();
        match info.control {
            Some(kind) => {
                e.coordinator_epoch = e.coordinator_epoch.max(info.coordinator_epoch);
                if let Some(first) = e.current_txn_first_offset.take() {
                    self.ongoing.remove(&first);
                    self.completed.push(CompletedTxn { producer_id: info.producer_id, first_offset: first, last_offset: b.base_offset, aborted: kind == ControlType::Abort });
                }
            }
            None => {
                let n = b.data.len();
                if info.base_sequence >= 0 {
                    e.batches.push_back(BatchMetadata { first_seq: info.base_sequence, last_seq: last_sequence(info.base_sequence, n), first_offset: b.base_offset, last_offset: b.last_offset() });
                    while e.batches.len() > PRODUCER_BATCHES_CACHED {
                        e.batches.pop_front();
                    }
                }
                if info.transactional && e.current_txn_first_offset.is_none() {
                    e.current_txn_first_offset = Some(b.base_offset);
                    self.ongoing.insert(b.base_offset, info.producer_id);
                }
            }
        }
    }

    /// The leader's checks on a client's data batch (`UnifiedLog.analyzeAndValidateProducerState`
    /// and `ProducerAppendInfo`): `Ok(Some((first, last)))` for a duplicate of one of the
    /// producer's last five batches (not appended again: the original offsets are the answer),
    /// `Ok(None)` to append, or Kafka's error. `offset` is where the batch would go, `tp` is
    /// `topic-partition`.
    pub fn validate_client_batch(&self, info: &ProducerBatchInfo, count: usize, offset: i64, tp: &str) -> Result<Option<(i64, i64)>, super::error::KafkaError> {
        use super::error::{ErrorCode, KafkaError};
        if !info.has_producer_id() || info.control.is_some() {
            return Ok(None);
        }
        let pid = info.producer_id;
        let Some(e) = self.producers.get(&pid) else {
            // No state (new producer, or expired): any sequence is accepted.
            return Ok(None);
        };
        let last_seq = last_sequence(info.base_sequence, count);
        if info.producer_epoch == e.producer_epoch {
            if let Some(d) = e.batches.iter().find(|b| b.first_seq == info.base_sequence && b.last_seq == last_seq) {
                return Ok(Some((d.first_offset, d.last_offset)));
            }
        }
        if info.producer_epoch < e.producer_epoch {
            return Err(KafkaError::new(
                ErrorCode::INVALID_PRODUCER_EPOCH,
                format!("Epoch of producer {pid} at offset {offset} in {tp} is {}, which is smaller than the last seen epoch {}", info.producer_epoch, e.producer_epoch),
            ));
        }
        if info.base_sequence < 0 {
            // Written by a coordinator for the producer (transactional offsets): no sequence.
        } else if info.producer_epoch != e.producer_epoch {
            if info.base_sequence != 0 && e.producer_epoch != NO_PRODUCER_EPOCH {
                return Err(KafkaError::new(
                    ErrorCode::OUT_OF_ORDER_SEQUENCE_NUMBER,
                    // Kafka's text lacks the space before "at".
                    format!(
                        "Invalid sequence number for new epoch of producer {pid}at offset {offset} in partition {tp}: {} (request epoch), {} (seq. number), {} (current producer epoch)",
                        info.producer_epoch, info.base_sequence, e.producer_epoch
                    ),
                ));
            }
        } else {
            let current = e.last_seq();
            let in_sequence = info.base_sequence as i64 == current as i64 + 1 || (info.base_sequence == 0 && current == i32::MAX);
            if !in_sequence {
                return Err(KafkaError::new(
                    ErrorCode::OUT_OF_ORDER_SEQUENCE_NUMBER,
                    format!("Out of order sequence number for producer {pid} at offset {offset} in partition {tp}: {} (incoming seq. number), {current} (current end sequence number)", info.base_sequence),
                ));
            }
        }
        if e.current_txn_first_offset.is_some() && !info.transactional {
            return Err(KafkaError::new(ErrorCode::INVALID_TXN_STATE, format!("Expected transactional write from producer {pid} at offset {offset} in partition {tp}")));
        }
        Ok(None)
    }

    /// Whether the transactional data batch of `producer_id` at `offset` was committed (None:
    /// its transaction is still open).
    pub fn txn_committed(&self, producer_id: i64, offset: i64) -> Option<bool> {
        self.completed.iter().find(|t| t.producer_id == producer_id && t.first_offset <= offset && offset < t.last_offset).map(|t| !t.aborted)
    }

    /// The first offset of the oldest open transaction.
    pub fn first_unstable_offset(&self) -> Option<i64> {
        self.ongoing.keys().next().copied()
    }
}

/// A record header.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Header {
    pub key: String,
    pub value: Option<Vec<u8>>,
}

/// Per-record index inside a batch: 16 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordIndex {
    /// Timestamp minus the batch's first timestamp (i32 range; larger spreads split batches).
    pub ts_delta: i32,
    /// Byte position of the key in `RecordsData::bytes`.
    pub pos: u32,
    /// Key length, -1 for a null key.
    pub key_len: i32,
    /// Value length, -1 for a null value (tombstone).
    pub value_len: i32,
}

/// The records of one batch as the producer built them (no offsets yet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordsData {
    pub bytes: Vec<u8>,
    pub index: Vec<RecordIndex>,
    /// (record index within the batch, headers), only for records that have headers.
    pub headers: Vec<(u32, Vec<Header>)>,
    pub first_timestamp: i64,
    pub max_timestamp: i64,
    /// Size of the batch in Kafka's v2 on-disk format (61-byte header + varint-encoded records).
    pub size_bytes: u32,
    /// Offset delta of each record, only for batches rewritten by the log cleaner (which keeps
    /// the surviving records' offsets, so deltas have gaps). Empty means dense: delta = index.
    pub offset_deltas: Vec<u32>,
    /// Producer id, epoch, sequence, transactional and control flags of the batch header.
    pub producer: ProducerBatchInfo,
}

/// Kafka's record-batch v2 header size.
pub const BATCH_OVERHEAD_BYTES: u32 = 61;

fn varint_len(v: i64) -> u32 {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    let mut n = 1;
    while z >= 0x80 {
        z >>= 7;
        n += 1;
    }
    n
}

/// The size of one record inside a v2 batch (length prefix included).
pub fn record_size_bytes(offset_delta: i64, ts_delta: i64, key: Option<&[u8]>, value: Option<&[u8]>, headers: &[Header]) -> u32 {
    let mut body = 1 + varint_len(ts_delta) + varint_len(offset_delta);
    body += match key {
        Some(k) => varint_len(k.len() as i64) + k.len() as u32,
        None => 1,
    };
    body += match value {
        Some(v) => varint_len(v.len() as i64) + v.len() as u32,
        None => 1,
    };
    body += varint_len(headers.len() as i64);
    for h in headers {
        body += varint_len(h.key.len() as i64) + h.key.len() as u32;
        body += match &h.value {
            Some(v) => varint_len(v.len() as i64) + v.len() as u32,
            None => 1,
        };
    }
    body + varint_len(body as i64)
}

impl RecordsData {
    pub fn new() -> RecordsData {
        RecordsData { size_bytes: BATCH_OVERHEAD_BYTES, ..Default::default() }
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Whether a record with this timestamp fits the i32 delta encoding of this batch.
    pub fn accepts_timestamp(&self, timestamp_ms: i64) -> bool {
        self.index.is_empty() || i32::try_from(timestamp_ms - self.first_timestamp).is_ok()
    }

    /// The size the batch would have after adding this record.
    pub fn size_with(&self, timestamp_ms: i64, key: Option<&[u8]>, value: Option<&[u8]>, headers: &[Header]) -> u32 {
        let ts_delta = if self.index.is_empty() { 0 } else { timestamp_ms - self.first_timestamp };
        self.size_bytes + record_size_bytes(self.index.len() as i64, ts_delta, key, value, headers)
    }

    /// Appends one record. Returns the record's encoded size.
    pub fn push(&mut self, timestamp_ms: i64, key: Option<&[u8]>, value: Option<&[u8]>, headers: Vec<Header>) -> u32 {
        debug_assert!(self.offset_deltas.is_empty(), "dense pushes only on producer batches");
        let delta = self.index.len() as u32;
        self.push_at(delta, timestamp_ms, key, value, headers)
    }

    /// Appends one record with an explicit offset delta (the cleaner's recopy: deltas must be
    /// strictly increasing). Returns the record's encoded size.
    pub fn push_at(&mut self, offset_delta: u32, timestamp_ms: i64, key: Option<&[u8]>, value: Option<&[u8]>, headers: Vec<Header>) -> u32 {
        let dense = self.offset_deltas.is_empty() && offset_delta as usize == self.index.len();
        if !dense {
            if self.offset_deltas.is_empty() {
                // First gap: materialise the deltas of the records pushed so far.
                self.offset_deltas.extend(0..self.index.len() as u32);
            }
            debug_assert!(self.offset_deltas.last().is_none_or(|&d| d < offset_delta), "offset deltas increase");
            self.offset_deltas.push(offset_delta);
        }
        if self.index.is_empty() {
            self.first_timestamp = timestamp_ms;
            self.max_timestamp = timestamp_ms;
        }
        let ts_delta = (timestamp_ms - self.first_timestamp).clamp(i32::MIN as i64, i32::MAX as i64) as i32;
        let size = record_size_bytes(offset_delta as i64, ts_delta as i64, key, value, &headers);
        let pos = self.bytes.len() as u32;
        if let Some(k) = key {
            self.bytes.extend_from_slice(k);
        }
        if let Some(v) = value {
            self.bytes.extend_from_slice(v);
        }
        if !headers.is_empty() {
            self.headers.push((self.index.len() as u32, headers));
        }
        self.index.push(RecordIndex {
            ts_delta,
            pos,
            key_len: key.map_or(-1, |k| k.len() as i32),
            value_len: value.map_or(-1, |v| v.len() as i32),
        });
        self.max_timestamp = self.max_timestamp.max(timestamp_ms);
        self.size_bytes += size;
        size
    }

    pub fn key(&self, i: usize) -> Option<&[u8]> {
        let r = self.index.get(i)?;
        if r.key_len < 0 {
            return None;
        }
        self.bytes.get(r.pos as usize..r.pos as usize + r.key_len as usize)
    }

    pub fn value(&self, i: usize) -> Option<&[u8]> {
        let r = self.index.get(i)?;
        if r.value_len < 0 {
            return None;
        }
        let start = r.pos as usize + r.key_len.max(0) as usize;
        self.bytes.get(start..start + r.value_len as usize)
    }

    pub fn timestamp(&self, i: usize) -> i64 {
        self.index.get(i).map_or(self.first_timestamp, |r| self.first_timestamp + r.ts_delta as i64)
    }

    /// Offset delta of record `i` from the batch's base offset.
    pub fn offset_delta(&self, i: usize) -> u32 {
        if self.offset_deltas.is_empty() {
            i as u32
        } else {
            self.offset_deltas.get(i).copied().unwrap_or(i as u32)
        }
    }

    pub fn headers(&self, i: usize) -> &[Header] {
        match self.headers.binary_search_by_key(&(i as u32), |(idx, _)| *idx) {
            Ok(pos) => &self.headers[pos].1,
            Err(_) => &[],
        }
    }
}

/// A batch as stored in a log: the producer's records plus the offsets and epoch the leader gave.
///
/// A batch covers the offsets `[base_offset, base_offset + last_offset_delta]` even after the
/// cleaner removed records from it (v2 batches keep their original last offset), so batch
/// boundaries never move; only whole batches that lost every record disappear.
#[derive(Debug)]
pub struct Batch {
    pub base_offset: i64,
    pub leader_epoch: i32,
    /// Offset of the last offset this batch covers, relative to `base_offset`.
    pub last_offset_delta: u32,
    /// Set when the topic uses `LogAppendTime`: every record's timestamp is this.
    pub log_append_time_ms: Option<i64>,
    /// KIP-534: set by the first cleaning pass that saw a tombstone in this batch; a later
    /// pass at or after this time removes the tombstones.
    pub delete_horizon_ms: Option<i64>,
    pub data: Rc<RecordsData>,
}

impl Batch {
    /// A freshly appended batch: offsets `base_offset..base_offset + data.len()`.
    pub fn new(base_offset: i64, leader_epoch: i32, log_append_time_ms: Option<i64>, data: Rc<RecordsData>) -> Batch {
        debug_assert!(!data.is_empty(), "producers never send empty batches");
        let last_offset_delta = (data.len() as u32).saturating_sub(1);
        Batch { base_offset, leader_epoch, last_offset_delta, log_append_time_ms, delete_horizon_ms: None, data }
    }
    /// A control batch (transaction marker): no data records, one offset.
    pub fn control(base_offset: i64, leader_epoch: i32, data: Rc<RecordsData>) -> Batch {
        debug_assert!(data.producer.control.is_some() && data.is_empty(), "a control batch holds only its marker");
        Batch { base_offset, leader_epoch, last_offset_delta: 0, log_append_time_ms: None, delete_horizon_ms: None, data }
    }
    pub fn is_control(&self) -> bool {
        self.data.producer.control.is_some()
    }
    /// Number of records the batch still holds (fewer than its offset span once cleaned).
    pub fn record_count(&self) -> i64 {
        self.data.index.len() as i64
    }
    /// Offset after the last offset the batch covers.
    pub fn next_offset(&self) -> i64 {
        self.base_offset + self.last_offset_delta as i64 + 1
    }
    /// Whether every offset of the span holds a record (never cleaned, or nothing removed).
    pub fn is_dense(&self) -> bool {
        self.data.index.len() as i64 == self.last_offset_delta as i64 + 1
    }
    /// Offset of record `i`.
    pub fn offset_of(&self, i: usize) -> i64 {
        self.base_offset + self.data.offset_delta(i) as i64
    }
    pub fn last_offset(&self) -> i64 {
        self.next_offset() - 1
    }
    pub fn size_bytes(&self) -> u32 {
        self.data.size_bytes
    }
    pub fn max_timestamp(&self) -> i64 {
        self.log_append_time_ms.unwrap_or(self.data.max_timestamp)
    }
    pub fn first_timestamp(&self) -> i64 {
        self.log_append_time_ms.unwrap_or(self.data.first_timestamp)
    }
    pub fn timestamp(&self, i: usize) -> i64 {
        self.log_append_time_ms.unwrap_or_else(|| self.data.timestamp(i))
    }
    /// The records of this batch, with their offsets.
    pub fn records(&self) -> impl Iterator<Item = RecordRef<'_>> {
        (0..self.data.len()).map(move |i| RecordRef {
            offset: self.offset_of(i),
            timestamp_ms: self.timestamp(i),
            log_append_time: self.log_append_time_ms.is_some(),
            leader_epoch: self.leader_epoch,
            key: self.data.key(i),
            value: self.data.value(i),
            headers: self.data.headers(i),
        })
    }
}

/// A borrowed view of one stored record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef<'a> {
    pub offset: i64,
    pub timestamp_ms: i64,
    pub log_append_time: bool,
    pub leader_epoch: i32,
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    pub headers: &'a [Header],
}

/// An owned record (for callers that keep records around).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub offset: i64,
    pub timestamp_ms: i64,
    pub log_append_time: bool,
    pub leader_epoch: i32,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
}

impl RecordRef<'_> {
    pub fn to_owned_record(&self) -> Record {
        Record {
            offset: self.offset,
            timestamp_ms: self.timestamp_ms,
            log_append_time: self.log_append_time,
            leader_epoch: self.leader_epoch,
            key: self.key.map(|k| k.to_vec()),
            value: self.value.map(|v| v.to_vec()),
            headers: self.headers.to_vec(),
        }
    }
}

/// One log segment: a run of batches starting at `base_offset`.
#[derive(Clone, Debug)]
pub struct Segment {
    pub base_offset: i64,
    pub batches: Vec<Rc<Batch>>,
    pub size_bytes: u64,
    /// Max timestamp of the segment's first batch (`LogSegment.rollingBasedTimestamp`):
    /// `segment.ms` rolling and `max.compaction.lag.ms` measure from it. None while empty.
    pub first_batch_timestamp_ms: Option<i64>,
    /// Largest timestamp in the segment (`retention.ms` and `min.compaction.lag.ms` use it), -1
    /// while empty.
    pub max_timestamp_ms: i64,
    /// Simulated time the segment was created (or last rewritten by the cleaner).
    pub created_ms: i64,
}

impl Segment {
    pub(crate) fn new(base_offset: i64, now_ms: i64) -> Segment {
        Segment { base_offset, batches: Vec::new(), size_bytes: 0, first_batch_timestamp_ms: None, max_timestamp_ms: -1, created_ms: now_ms }
    }
    /// Offset after the last offset a batch of this segment covers (the base when empty).
    pub fn next_offset(&self) -> i64 {
        self.batches.last().map_or(self.base_offset, |b| b.next_offset())
    }
    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }
    /// Number of records held.
    pub fn record_count(&self) -> u64 {
        self.batches.iter().map(|b| b.record_count() as u64).sum()
    }
    pub(crate) fn recompute(&mut self) {
        self.size_bytes = self.batches.iter().map(|b| b.size_bytes() as u64).sum();
        self.first_batch_timestamp_ms = self.batches.first().map(|b| b.max_timestamp());
        self.max_timestamp_ms = self.batches.iter().map(|b| b.max_timestamp()).max().unwrap_or(-1);
    }
    /// Adds a batch at the end, keeping the segment's summaries.
    pub(crate) fn push(&mut self, batch: Rc<Batch>) {
        debug_assert!(batch.base_offset >= self.next_offset(), "batches only move forward");
        if self.first_batch_timestamp_ms.is_none() {
            self.first_batch_timestamp_ms = Some(batch.max_timestamp());
        }
        self.size_bytes += batch.size_bytes() as u64;
        self.max_timestamp_ms = self.max_timestamp_ms.max(batch.max_timestamp());
        self.batches.push(batch);
    }
}

/// Segment roll parameters (topic `segment.bytes`, `segment.ms`, jitter).
#[derive(Clone, Copy, Debug)]
pub struct RollPolicy {
    pub segment_bytes: i64,
    pub segment_ms: i64,
    pub segment_jitter_ms: i64,
}

/// One replica's log on one broker's (simulated) disk.
#[derive(Clone, Debug)]
pub struct PartitionLog {
    pub segments: Vec<Segment>,
    pub log_start_offset: i64,
    pub log_end_offset: i64,
    pub high_watermark: i64,
    /// Leader-epoch cache: (epoch, start offset), strictly increasing in both.
    pub epochs: Vec<(i32, i64)>,
    /// The cleaner's checkpoint (`cleaner-offset-checkpoint`): the first dirty offset. Below it
    /// the log has been compacted and may have offset gaps. None until the first pass.
    pub cleaner_checkpoint: Option<i64>,
    /// Producer ids, sequences and transactions seen in this log.
    pub producer_state: ProducerState,
}

impl Default for PartitionLog {
    fn default() -> Self {
        PartitionLog::new(0)
    }
}

impl PartitionLog {
    pub fn new(now_ms: i64) -> PartitionLog {
        PartitionLog {
            segments: vec![Segment::new(0, now_ms)],
            log_start_offset: 0,
            log_end_offset: 0,
            high_watermark: 0,
            epochs: Vec::new(),
            cleaner_checkpoint: None,
            producer_state: ProducerState::default(),
        }
    }

    /// `UnifiedLog.lastStableOffset`: the high watermark, held back by the first offset of any
    /// transaction still open, or finished by a marker the high watermark has not passed yet.
    pub fn last_stable_offset(&self) -> i64 {
        let hw = self.high_watermark;
        let mut lso = hw;
        if let Some(f) = self.producer_state.first_unstable_offset() {
            lso = lso.min(f);
        }
        for t in self.producer_state.completed.iter().rev() {
            if t.last_offset < hw {
                break;
            }
            lso = lso.min(t.first_offset);
        }
        lso
    }

    /// Whether `b` holds data of a transaction that was aborted (its marker is in this log): the
    /// cleaner removes such records and the invariants never count them as a key's latest.
    pub fn is_aborted_data(&self, b: &Batch) -> bool {
        let info = b.data.producer;
        info.transactional && !b.is_control() && self.producer_state.txn_committed(info.producer_id, b.base_offset) == Some(false)
    }

    /// The aborted transactions overlapping `[from, to)` (`collectAbortedTxns`).
    pub fn aborted_txns(&self, from: i64, to: i64) -> Vec<CompletedTxn> {
        self.producer_state.completed.iter().filter(|t| t.aborted && t.last_offset >= from && t.first_offset < to).copied().collect()
    }

    /// Rebuilds the producer state from the batches (after a truncation).
    pub fn rebuild_producer_state(&mut self) {
        let mut st = ProducerState::default();
        for b in self.all_batches() {
            st.on_append(b);
        }
        self.producer_state = st;
    }

    pub fn latest_epoch(&self) -> Option<i32> {
        self.epochs.last().map(|e| e.0)
    }

    /// Records a new leader epoch starting at the current LEO (leader side, or follower when a
    /// batch with a newer epoch arrives).
    pub fn assign_epoch(&mut self, epoch: i32, start_offset: i64) {
        if let Some(&(last, last_start)) = self.epochs.last() {
            if epoch <= last {
                return;
            }
            debug_assert!(start_offset >= last_start);
        }
        self.epochs.push((epoch, start_offset));
    }

    /// OffsetsForLeaderEpoch: (epoch, end offset) for the largest epoch <= `epoch` this replica
    /// knows; the end offset is the start of the next epoch, or the LEO for the latest.
    pub fn end_offset_for_epoch(&self, epoch: i32) -> Option<(i32, i64)> {
        let idx = self.epochs.iter().rposition(|&(e, _)| e <= epoch)?;
        let found = self.epochs[idx].0;
        let end = self.epochs.get(idx + 1).map_or(self.log_end_offset, |n| n.1);
        Some((found, end))
    }

    /// The active (last) segment.
    pub fn active_segment(&self) -> &Segment {
        self.segments.last().expect("a log always has an active segment")
    }

    /// `LogSegment.shouldRoll` for a batch about to be appended: the active segment would exceed
    /// `segment.bytes`, or it is non-empty and the batch's max timestamp is more than
    /// `segment.ms - jitter` past the segment's first batch (wall time since creation when the
    /// first batch had no timestamp). Index-full and offset-overflow rolls cannot happen here.
    pub fn should_roll(&self, batch: &Batch, roll: RollPolicy, now_ms: i64) -> bool {
        let active = self.active_segment();
        let size = active.size_bytes as i64;
        let waited_ms = match active.first_batch_timestamp_ms {
            Some(first) if first >= 0 => batch.max_timestamp().saturating_sub(first),
            _ => now_ms - active.created_ms,
        };
        let reached_roll_ms = waited_ms > roll.segment_ms.saturating_sub(roll.segment_jitter_ms);
        size > roll.segment_bytes.saturating_sub(batch.size_bytes() as i64) || (size > 0 && reached_roll_ms)
    }

    /// Appends a batch whose base offset must be >= the LEO (equal on the leader; a follower
    /// copying a compacted leader may see gaps). Rolls a new segment first when
    /// [`PartitionLog::should_roll`] says so. Returns whether a new segment was rolled.
    pub fn append(&mut self, batch: Rc<Batch>, roll: RollPolicy, now_ms: i64) -> bool {
        debug_assert!(batch.base_offset >= self.log_end_offset, "offsets only move forward");
        let mut rolled = false;
        if self.should_roll(&batch, roll, now_ms) {
            let active = self.segments.last_mut().expect("a log always has an active segment");
            if active.is_empty() {
                // Kafka deletes and recreates an empty active segment instead of rolling.
                *active = Segment::new(batch.base_offset, now_ms);
            } else {
                self.segments.push(Segment::new(batch.base_offset, now_ms));
                rolled = true;
            }
        }
        self.assign_epoch(batch.leader_epoch, batch.base_offset);
        let lone = self.segments.len() == 1;
        let seg = self.segments.last_mut().expect("active segment");
        if seg.is_empty() && seg.base_offset < batch.base_offset && lone {
            // A follower's first batch after a gap: the lone empty segment starts at it.
            seg.base_offset = batch.base_offset;
        }
        self.log_end_offset = batch.next_offset();
        self.producer_state.on_append(&batch);
        seg.push(batch);
        rolled
    }

    /// Rolls a new empty active segment at the LEO (retention does this before deleting every
    /// segment). No-op when the active segment is already empty.
    pub fn roll_empty(&mut self, now_ms: i64) {
        if !self.active_segment().is_empty() {
            let leo = self.log_end_offset;
            self.segments.push(Segment::new(leo, now_ms));
        }
    }

    /// `maybeIncrementLogStartOffset`: raises the log start offset (never above the LEO) and
    /// trims the leader-epoch cache from the start. Returns whether it moved.
    pub fn increment_log_start_offset(&mut self, new_start: i64) -> bool {
        let new_start = new_start.min(self.log_end_offset);
        if new_start <= self.log_start_offset {
            return false;
        }
        self.log_start_offset = new_start;
        // `LeaderEpochFileCache.truncateFromStart`: the last epoch starting below the new log start
        // now starts at it; older ones go.
        if let Some(last_below) = self.epochs.iter().rposition(|&(_, s)| s < new_start) {
            self.epochs.drain(..last_below);
            self.epochs[0].1 = new_start;
        }
        // Segments wholly below the new start stay until the next retention pass
        // (`deleteLogStartOffsetBreachedSegments`); reads below the start are refused meanwhile.
        true
    }

    /// `truncateFullyAndStartAt`: drops every segment and starts empty at `offset`.
    pub fn truncate_fully_and_start_at(&mut self, offset: i64, now_ms: i64) {
        self.segments = vec![Segment::new(offset, now_ms)];
        self.log_start_offset = offset;
        self.log_end_offset = offset;
        self.high_watermark = offset;
        self.epochs.clear();
        self.cleaner_checkpoint = None;
        self.producer_state = ProducerState::default();
    }

    /// Removes every batch containing an offset >= `offset` (a batch straddling it goes whole, as
    /// Kafka truncates at batch boundaries). Returns the new LEO: `offset` itself
    /// (`LocalLog.truncateTo` sets the LEO to the target) unless a straddling batch went, even
    /// when compaction left the batches below it ending earlier.
    pub fn truncate_to(&mut self, offset: i64, now_ms: i64) -> i64 {
        if offset >= self.log_end_offset {
            // Nothing to remove, but epochs that start at or after the point are gone too
            // (`LeaderEpochFileCache.truncateFromEnd`).
            if offset == self.log_end_offset {
                self.epochs.retain(|&(_, start)| start < offset);
            }
            return self.log_end_offset;
        }
        let mut straddled = false;
        loop {
            let n = self.segments.len();
            let seg = self.segments.last_mut().expect("a log always has an active segment");
            while seg.batches.last().is_some_and(|b| b.last_offset() >= offset) {
                straddled |= seg.batches.pop().is_some_and(|b| b.base_offset < offset);
            }
            if seg.batches.is_empty() && n > 1 {
                self.segments.pop();
                continue;
            }
            seg.recompute();
            break;
        }
        let seg = self.segments.last_mut().expect("active segment");
        if seg.batches.is_empty() {
            let base = offset.min(seg.base_offset).max(self.log_start_offset);
            *seg = Segment::new(base, now_ms);
        }
        let end_of_batches = self.segments.last().map_or(offset, |s| s.next_offset());
        self.log_end_offset = if straddled { end_of_batches } else { offset.max(end_of_batches) };
        if self.log_end_offset < self.log_start_offset {
            self.log_start_offset = self.log_end_offset;
        }
        self.high_watermark = self.high_watermark.min(self.log_end_offset);
        let leo = self.log_end_offset;
        self.epochs.retain(|&(_, start)| start < leo);
        // `LogCleanerManager.maybeTruncateCheckpoint`: the checkpoint never points past the log.
        if let Some(cp) = self.cleaner_checkpoint.as_mut() {
            *cp = (*cp).min(leo);
        }
        self.rebuild_producer_state();
        leo
    }

    /// Batches overlapping `[from, to)` in offset order.
    pub fn batches_from(&self, from: i64, to: i64) -> impl Iterator<Item = &Rc<Batch>> {
        let seg_idx = match self.segments.iter().rposition(|s| s.base_offset <= from) {
            Some(i) => i,
            None => 0,
        };
        // Batches are in offset order: skip the first segment's earlier ones by binary search
        // (a linear skip made every follower fetch of a large segment cost its whole length).
        let first = self.segments.get(seg_idx).map_or(0, |s| s.batches.partition_point(|b| b.next_offset() <= from));
        self.segments[seg_idx..]
            .iter()
            .enumerate()
            .flat_map(move |(i, s)| s.batches[if i == 0 { first } else { 0 }..].iter())
            .skip_while(move |b| b.next_offset() <= from)
            .take_while(move |b| b.base_offset < to)
    }

    /// The records with offsets in `[from, to)`, skipping offsets compaction removed.
    pub fn records_from(&self, from: i64, to: i64) -> impl Iterator<Item = RecordRef<'_>> {
        self.batches_from(from, to).flat_map(|b| b.records()).skip_while(move |r| r.offset < from).take_while(move |r| r.offset < to)
    }

    pub fn all_batches(&self) -> impl Iterator<Item = &Rc<Batch>> {
        self.segments.iter().flat_map(|s| s.batches.iter())
    }

    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size_bytes).sum()
    }

    /// The first offset whose timestamp is >= `ts` (ListOffsets by timestamp), if any below LEO.
    pub fn offset_for_timestamp(&self, ts: i64, limit: i64) -> Option<(i64, i64)> {
        for b in self.batches_from(self.log_start_offset, limit) {
            if b.max_timestamp() < ts {
                continue;
            }
            for r in b.records() {
                if r.offset >= limit {
                    return None;
                }
                if r.offset >= self.log_start_offset && r.timestamp_ms >= ts {
                    return Some((r.offset, r.timestamp_ms));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn batch(base: i64, epoch: i32, n: usize, ts: i64) -> Rc<Batch> {
        let mut d = RecordsData::new();
        for i in 0..n {
            d.push(ts, Some(b"k"), Some(format!("v{i}").as_bytes()), Vec::new());
        }
        Rc::new(Batch::new(base, epoch, None, Rc::new(d)))
    }

    const NO_ROLL: RollPolicy = RollPolicy { segment_bytes: 1 << 30, segment_ms: i64::MAX / 2, segment_jitter_ms: 0 };

    #[test]
    fn record_index_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<RecordIndex>(), 16);
    }

    #[test]
    fn append_read_and_truncate_keep_offsets_dense() {
        let mut log = PartitionLog::new(0);
        log.append(batch(0, 0, 3, 10), NO_ROLL, 0);
        log.append(batch(3, 1, 2, 11), NO_ROLL, 0);
        assert_eq!(log.log_end_offset, 5);
        assert_eq!(log.epochs, vec![(0, 0), (1, 3)]);
        assert_eq!(log.end_offset_for_epoch(0), Some((0, 3)));
        assert_eq!(log.end_offset_for_epoch(5), Some((1, 5)));
        let got: Vec<i64> = log.batches_from(4, 5).flat_map(|b| b.records().map(|r| r.offset).collect::<Vec<_>>()).collect();
        assert_eq!(got, vec![3, 4]);
        assert_eq!(log.truncate_to(3, 0), 3);
        assert_eq!(log.epochs, vec![(0, 0)]);
        // A straddled batch goes whole.
        assert_eq!(log.truncate_to(1, 0), 0);
    }

    #[test]
    fn time_roll_measures_from_the_first_batchs_max_timestamp() {
        // LogSegment.rollingBasedTimestamp is the first batch's MAX timestamp.
        let mut log = PartitionLog::new(0);
        let roll = RollPolicy { segment_bytes: 1 << 30, segment_ms: 100, segment_jitter_ms: 0 };
        let mut d = RecordsData::new();
        d.push(0, Some(b"k"), Some(b"v"), Vec::new());
        d.push(50, Some(b"k"), Some(b"v"), Vec::new());
        log.append(Rc::new(Batch::new(0, 0, None, Rc::new(d))), roll, 0);
        assert!(!log.append(batch(2, 0, 1, 150), roll, 0), "150 - 50 is not > 100");
        assert!(log.append(batch(3, 0, 1, 151), roll, 0), "151 - 50 > 100");
        // A batch larger than what is left of segment.bytes rolls; an empty active segment never.
        let small = RollPolicy { segment_bytes: 100, segment_ms: i64::MAX / 2, segment_jitter_ms: 0 };
        assert!(log.append(batch(4, 0, 1, 151), small, 0), "69 + 69 bytes > 100");
        assert_eq!(log.segments.len(), 3);
        assert_eq!(log.segments[2].base_offset, 4);
    }

    #[test]
    fn segments_roll_on_bytes_and_on_time() {
        let mut log = PartitionLog::new(0);
        let roll = RollPolicy { segment_bytes: 200, segment_ms: 100, segment_jitter_ms: 0 };
        log.append(batch(0, 0, 1, 0), roll, 0);
        log.append(batch(1, 0, 1, 50), roll, 0);
        assert_eq!(log.segments.len(), 1);
        log.append(batch(2, 0, 1, 150), roll, 0); // 150 - 0 > 100: time roll
        assert_eq!(log.segments.len(), 2);
        assert_eq!(log.segments[1].base_offset, 2);
        log.append(batch(3, 0, 20, 150), roll, 0); // big: size roll
        assert_eq!(log.segments.len(), 3);
    }
}
