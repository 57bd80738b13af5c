//! The log cleaner: Kafka 3.9's compaction (`LogCleaner.scala`, `LogCleanerManager.scala`,
//! `MemoryRecords.filterTo`), run by every broker on its own replicas.
//!
//! A compacted log is three sections: the clean tail (below the cleaner checkpoint, already
//! compacted), the dirty cleanable section, and the uncleanable head (the active segment, anything
//! at or past the high watermark, and segments younger than `min.compaction.lag.ms`). The cleaner
//! thread wakes, picks the dirtiest log whose dirty ratio exceeds `min.cleanable.dirty.ratio` (or
//! whose oldest dirty segment passed `max.compaction.lag.ms`), builds a map key -> last offset over
//! the dirty section, and recopies every segment from the start of the log up to the end of that
//! section, keeping a record only if no later record of its key is in the map. Offsets never
//! change: removed records leave gaps, batches keep their offset span, and only batches that lost
//! every record disappear. Tombstones (null values) survive the first pass that sees them; that
//! pass stamps their batch with a delete horizon (`now + delete.retention.ms`, KIP-534) and a
//! later pass at or after the horizon drops them. Small cleaned segments are merged
//! (`groupSegmentsBySize`). With nothing to clean the thread sleeps `log.cleaner.backoff.ms`.
//!
//! Cleaning builds NEW batches for the cleaned replica only: replicas share `Rc<Batch>`es, and
//! the other replicas' views must not change. A batch the pass keeps whole is kept as the same
//! shared object.
//!
//! Transactions: nothing at or past the last stable offset is cleaned; the records of aborted
//! transactions are left out of the offset map and removed by the recopy (Kafka's
//! `CleanedTransactionMetadata`: a batch of an aborted transaction is discarded whole).
//!
//! A transaction marker stays while any data of its transaction does; once the transaction is
//! empty the marker gets a delete horizon and a pass after it drops the marker (KIP-534's
//! horizon in the batch, as for tombstones).
//!
//! Simplifications, on purpose: no "last batch of an active producer" retention; the offset
//! map is exact (it compares keys, where Kafka compares MD5 digests) but keeps Kafka's capacity
//! with the default 128 MiB dedupe buffer, so a huge dirty section is cleaned in several passes
//! as in Kafka. Index-size limits of `groupSegmentsBySize` are not modelled (with default
//! `segment.index.bytes` they never bind before `segment.bytes`).

use std::collections::BTreeMap;
use super::cluster::*;
use super::config::TopicSettings;
use super::event::EventKind;
use super::log::{Batch, PartitionLog, RecordsData, Segment};
pub use super::event::CleanReport;

pub(crate) mod state;
pub use state::CleanerPass;
pub(crate) use state::LogCleaner;
use super::node::Ctx;
use std::ops::Range;
use std::rc::Rc;

/// Entries the offset map holds before a pass stops early: Kafka's default
/// `log.cleaner.dedupe.buffer.size` (128 MiB) / 24 bytes per slot x load factor 0.9.
pub const OFFSET_MAP_ENTRIES_MAX: usize = 5_033_164;
/// `log.cleaner.backoff.ms` default.
pub const CLEANER_BACKOFF_MS_DEFAULT: i64 = 15_000;
/// Modelled cleaner throughput (bytes read per simulated millisecond) for a pass's duration.
pub const CLEANER_BYTES_PER_MS: u64 = 100_000;
/// Recent passes kept for the UI.
pub const CLEAN_REPORTS_MAX: usize = 256;


/// `LogToClean`: where a log's dirty section is and how dirty it is.
#[derive(Clone, Debug, PartialEq)]
pub struct LogToClean {
    pub first_dirty_offset: i64,
    /// Segment-aligned first uncleanable offset (`calculateCleanableBytes`).
    pub first_uncleanable_offset: i64,
    pub clean_bytes: u64,
    pub cleanable_bytes: u64,
    pub cleanable_ratio: f64,
    /// A dirty segment's first batch is older than `max.compaction.lag.ms`.
    pub need_compaction_now: bool,
}

impl LogToClean {
    pub fn total_bytes(&self) -> u64 {
        self.clean_bytes + self.cleanable_bytes
    }
    /// `grabFilthiestCompactedLog`'s eligibility test.
    pub fn is_cleanable(&self, min_cleanable_ratio: f64) -> bool {
        (self.need_compaction_now && self.cleanable_bytes > 0) || self.cleanable_ratio > min_cleanable_ratio
    }
}

/// Kafka's `LogSegments.values(from, to)`: indices of the segments overlapping `[from, to)`,
/// starting at the floor segment of `from`.
fn segment_range(log: &PartitionLog, from: i64, to: i64) -> Range<usize> {
    if from >= to {
        return 0..0;
    }
    let start = log.segments.iter().rposition(|s| s.base_offset <= from).unwrap_or(0);
    let end = log.segments.iter().position(|s| s.base_offset >= to).unwrap_or(log.segments.len());
    start..end.max(start)
}

/// `nonActiveLogSegmentsFrom(from)`.
fn non_active_from(log: &PartitionLog, from: i64) -> Range<usize> {
    let active_base = log.active_segment().base_offset;
    if from > active_base {
        return 0..0;
    }
    segment_range(log, from, active_base)
}

/// `cleanableOffsets` + `LogToClean`: the dirty section of a log at `now_ms`. Nothing at or past
/// the last stable offset is cleaned (open transactions hold it below the high watermark).
pub fn log_to_clean(log: &PartitionLog, settings: &TopicSettings, now_ms: i64) -> LogToClean {
    let lso = log.log_start_offset;
    let checkpoint = log.cleaner_checkpoint.unwrap_or(lso);
    let first_dirty = if checkpoint < lso || checkpoint > log.log_end_offset { lso } else { checkpoint };
    let min_lag_ms = settings.min_compaction_lag_ms.max(0);
    // The last stable offset (the high watermark, held back by open transactions).
    let mut first_uncleanable = log.last_stable_offset().min(log.active_segment().base_offset);
    if min_lag_ms > 0 {
        let young = non_active_from(log, first_dirty).find(|&i| log.segments[i].max_timestamp_ms > now_ms.saturating_sub(min_lag_ms));
        if let Some(i) = young {
            first_uncleanable = first_uncleanable.min(log.segments[i].base_offset);
        }
    }
    let uncleanable = first_dirty.max(first_uncleanable);
    // `calculateCleanableBytes`: align down to the segment holding the uncleanable offset.
    let first_uncleanable_segment = non_active_from(log, uncleanable).next().unwrap_or(log.segments.len() - 1);
    let first_uncleanable_offset = log.segments[first_uncleanable_segment].base_offset;
    let size = |r: Range<usize>| -> u64 { log.segments[r].iter().map(|s| s.size_bytes).sum() };
    let clean_bytes = size(segment_range(log, -1, first_dirty));
    let cleanable_bytes = size(segment_range(log, first_dirty.min(first_uncleanable_offset), first_uncleanable_offset));
    let total = clean_bytes + cleanable_bytes;
    let cleanable_ratio = if total == 0 { 0.0 } else { cleanable_bytes as f64 / total as f64 };
    // `maxCompactionDelay`.
    let earliest_dirty_ts = non_active_from(log, first_dirty)
        .filter_map(|i| log.segments[i].first_batch_timestamp_ms)
        .filter(|&t| t > 0)
        .min()
        .unwrap_or(i64::MAX);
    let clean_until_ms = now_ms.saturating_sub(settings.max_compaction_lag_ms.max(0));
    let need_compaction_now = earliest_dirty_ts < clean_until_ms;
    LogToClean { first_dirty_offset: first_dirty, first_uncleanable_offset, clean_bytes, cleanable_bytes, cleanable_ratio, need_compaction_now }
}

/// An exact open-addressing map key -> latest offset (Kafka's `SkimpyOffsetMap`, but comparing
/// keys rather than trusting a digest). Keys are copied once into an arena; the table holds
/// entry numbers (4 bytes a slot) so it stays cache-resident, and the build remembers which entry
/// each visited record hit, so the recopy needs no second hash lookup for the dirty section.
pub struct OffsetMap {
    /// Entry number + 1 per slot, 0 = free. Power-of-two length.
    table: Vec<u32>,
    hashes: Vec<u64>,
    offsets: Vec<i64>,
    /// (position in `keys`, length) per entry.
    key_at: Vec<(u32, u32)>,
    keys: Vec<u8>,
    latest_offset: i64,
    /// Per record visited by [`build_offset_map`] (offset >= start, in log order): its entry,
    /// or `NO_ENTRY` for a keyless record.
    visits: Vec<u32>,
}

const NO_ENTRY: u32 = u32::MAX;

impl Default for OffsetMap {
    fn default() -> Self {
        OffsetMap::new()
    }
}

impl OffsetMap {
    pub fn new() -> OffsetMap {
        OffsetMap { table: vec![0; 1024], hashes: Vec::new(), offsets: Vec::new(), key_at: Vec::new(), keys: Vec::new(), latest_offset: -1, visits: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// The largest offset put or recorded (`latestOffset`), -1 when none.
    pub fn latest_offset(&self) -> i64 {
        self.latest_offset
    }

    pub fn update_latest_offset(&mut self, offset: i64) {
        self.latest_offset = offset;
    }

    fn hash(key: &[u8]) -> u64 {
        twox_hash::XxHash64::oneshot(0x6b61666b61, key)
    }

    /// (slot, entry) for `key`: the entry if present, else the free slot where it would go.
    fn find(&self, key: &[u8], hash: u64) -> (usize, Option<u32>) {
        let mask = self.table.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let e = self.table[i];
            if e == 0 {
                return (i, None);
            }
            let e = e - 1;
            if self.hashes[e as usize] == hash {
                let (pos, len) = self.key_at[e as usize];
                if len as usize == key.len() && &self.keys[pos as usize..pos as usize + key.len()] == key {
                    return (i, Some(e));
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let mut table = vec![0u32; self.table.len() * 2];
        let mask = table.len() - 1;
        for (e, h) in self.hashes.iter().enumerate() {
            let mut i = (*h as usize) & mask;
            while table[i] != 0 {
                i = (i + 1) & mask;
            }
            table[i] = e as u32 + 1;
        }
        self.table = table;
    }

    /// Records `offset` as the latest for `key` (offsets are put in increasing order). Returns
    /// the key's entry number.
    pub fn put(&mut self, key: &[u8], offset: i64) -> u32 {
        if (self.len() + 1) * 2 > self.table.len() {
            self.grow();
        }
        let hash = OffsetMap::hash(key);
        let e = match self.find(key, hash) {
            (_, Some(e)) => {
                self.offsets[e as usize] = offset;
                e
            }
            (slot, None) => {
                let e = self.offsets.len() as u32;
                self.key_at.push((self.keys.len() as u32, key.len() as u32));
                self.keys.extend_from_slice(key);
                self.hashes.push(hash);
                self.offsets.push(offset);
                self.table[slot] = e + 1;
                e
            }
        };
        self.latest_offset = offset;
        e
    }

    /// The latest offset recorded for `key`, -1 if none (`SkimpyOffsetMap.get`).
    pub fn get(&self, key: &[u8]) -> i64 {
        match self.find(key, OffsetMap::hash(key)) {
            (_, Some(e)) => self.offsets[e as usize],
            (_, None) => -1,
        }
    }
}

/// `buildOffsetMap`: maps every key in `[start, end)` to its last offset. Returns the map (its
/// latest offset + 1 is where this pass's cleaning ends: `end`, or earlier if the map filled).
pub fn build_offset_map(log: &PartitionLog, start: i64, end: i64, entries_max: usize, records_read: &mut u64) -> OffsetMap {
    let mut map = OffsetMap::new();
    let dirty = segment_range(log, start, end);
    let n = dirty.len();
    'segments: for (k, i) in dirty.enumerate() {
        let seg = &log.segments[i];
        let next_start = if k + 1 < n { log.segments[i + 1].base_offset } else { end };
        for b in &seg.batches {
            if b.next_offset() <= start {
                continue;
            }
            // Aborted records never supersede anything (`buildOffsetMap` skips them).
            let aborted = log.is_aborted_data(b);
            for j in 0..b.data.len() {
                let offset = b.offset_of(j);
                if offset >= start {
                    match b.data.key(j).filter(|_| !aborted) {
                        Some(key) => {
                            if map.len() < entries_max {
                                let e = map.put(key, offset);
                                map.visits.push(e);
                            } else {
                                break 'segments;
                            }
                        }
                        None => map.visits.push(NO_ENTRY),
                    }
                }
                *records_read += 1;
            }
            if b.last_offset() >= start {
                map.update_latest_offset(b.last_offset());
            }
        }
        // Fast-forward over an offset gap at the end of the segment.
        map.update_latest_offset(next_start - 1);
    }
    map
}

/// `groupSegmentsBySize`: consecutive segments whose summed size fits in `segment.bytes` are
/// cleaned into one (as long as the offsets stay within an i32 of the group's base).
fn group_segments_by_size(segments: &[Segment], segment_bytes_max: i64, first_uncleanable_offset: i64) -> Vec<Range<usize>> {
    let mut groups = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        let start = i;
        let mut size = segments[i].size_bytes as i64;
        i += 1;
        while i < segments.len() {
            let next = &segments[i];
            let last_offset = if i + 1 < segments.len() { segments[i + 1].base_offset - 1 } else { first_uncleanable_offset - 1 };
            let fits = size + next.size_bytes as i64 <= segment_bytes_max
                && (next.size_bytes == 0 || last_offset - segments[i - 1].base_offset <= i32::MAX as i64);
            if !fits {
                break;
            }
            size += next.size_bytes as i64;
            i += 1;
        }
        groups.push(start..i);
    }
    groups
}

/// Counters of one recopy.
#[derive(Default)]
struct Recopy {
    records_read: u64,
    records_retained: u64,
    tombstones_removed: u64,
    bytes_read: u64,
    bytes_retained: u64,
}

/// A transaction marker in the recopy (`CleanedTransactionMetadata.onControlBatchRead` and the
/// control-batch case of `shouldDiscardBatch`): kept while any data of its transaction is kept;
/// once the transaction is empty, the marker gets a delete horizon (`delete.retention.ms` from
/// this pass, as a tombstone does) and a later pass past that horizon drops it. Until then a
/// read_committed consumer that started before the data went still sees the marker.
fn filter_marker(b: &Rc<Batch>, txn_has_data: bool, now_ms: i64, delete_retention_ms: i64, st: &mut Recopy) -> Option<Rc<Batch>> {
    debug_assert!(b.is_control());
    st.bytes_read += b.size_bytes() as u64;
    let kept = if txn_has_data {
        b.clone()
    } else {
        match b.delete_horizon_ms {
            Some(horizon) if now_ms >= horizon => return None,
            Some(_) => b.clone(),
            None => Rc::new(Batch {
                base_offset: b.base_offset,
                leader_epoch: b.leader_epoch,
                last_offset_delta: b.last_offset_delta,
                log_append_time_ms: b.log_append_time_ms,
                delete_horizon_ms: Some(now_ms.saturating_add(delete_retention_ms)),
                data: b.data.clone(),
            }),
        }
    };
    st.bytes_retained += kept.size_bytes() as u64;
    Some(kept)
}

/// `cleanInto` for one batch: the batch to keep (the same object when nothing changes), or
/// None when every record went. `cursor` walks the map's visits (records at or above the first
/// dirty offset and up to the map's latest offset, in log order).
#[allow(clippy::too_many_arguments)]
fn filter_batch(b: &Rc<Batch>, aborted: bool, map: &OffsetMap, first_dirty: i64, cursor: &mut usize, now_ms: i64, delete_retention_ms: i64, st: &mut Recopy, keep: &mut Vec<bool>) -> Option<Rc<Batch>> {
    debug_assert!(!b.is_control(), "markers go through filter_marker");
    let n = b.data.len();
    st.records_read += n as u64;
    st.bytes_read += b.size_bytes() as u64;
    let latest = map.latest_offset();
    if aborted && b.last_offset() <= latest {
        // Discarded whole; its records at or above the first dirty offset had map visits.
        *cursor += (0..n).filter(|&j| b.offset_of(j) >= first_dirty).count();
        return None;
    }
    let retain_deletes = b.delete_horizon_ms.is_none_or(|h| now_ms < h);
    keep.clear();
    let mut kept = 0usize;
    let mut tombstone_kept = false;
    for j in 0..n {
        let offset = b.offset_of(j);
        let is_tombstone = b.data.index[j].value_len < 0;
        let retain = if offset > latest {
            true
        } else {
            match newest_of_key(b, j, map, first_dirty, cursor) {
                // A keyless record in a compacted log is invalid and dropped.
                None => false,
                Some(newest) => {
                    let is_newest = offset >= newest;
                    let retained_value = !is_tombstone || retain_deletes;
                    if is_newest && !retained_value {
                        st.tombstones_removed += 1;
                    }
                    is_newest && retained_value
                }
            }
        };
        if retain {
            kept += 1;
            tombstone_kept |= is_tombstone;
        }
        keep.push(retain);
    }
    st.records_retained += kept as u64;
    if kept == 0 {
        return None;
    }
    let need_horizon = tombstone_kept && b.delete_horizon_ms.is_none();
    if kept == n && !need_horizon {
        st.bytes_retained += b.size_bytes() as u64;
        return Some(b.clone());
    }
    let delete_horizon_ms = if need_horizon { Some(now_ms.saturating_add(delete_retention_ms)) } else { b.delete_horizon_ms };
    let nb = recopy_kept(b, keep, delete_horizon_ms);
    st.bytes_retained += nb.size_bytes() as u64;
    Some(Rc::new(nb))
}

/// The newest offset of record `j`'s key in the map (-1: not in the map; None: no key). Records
/// at or above the first dirty offset read the visit the map recorded for them (`cursor`).
fn newest_of_key(b: &Batch, j: usize, map: &OffsetMap, first_dirty: i64, cursor: &mut usize) -> Option<i64> {
    if b.offset_of(j) < first_dirty {
        return b.data.key(j).map(|k| map.get(k));
    }
    let e = map.visits.get(*cursor).copied().unwrap_or(NO_ENTRY);
    *cursor += 1;
    (e != NO_ENTRY).then(|| map.offsets[e as usize])
}

/// A copy of batch `b` with only the records `keep` marks, same offsets and span.
fn recopy_kept(b: &Batch, keep: &[bool], delete_horizon_ms: Option<i64>) -> Batch {
    let mut data = RecordsData::new();
    data.producer = b.data.producer;
    for (j, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
        data.push_at(b.data.offset_delta(j), b.data.timestamp(j), b.data.key(j), b.data.value(j), b.data.headers(j).to_vec());
    }
    let nb = Batch {
        base_offset: b.base_offset,
        leader_epoch: b.leader_epoch,
        last_offset_delta: b.last_offset_delta,
        log_append_time_ms: b.log_append_time_ms,
        delete_horizon_ms,
        data: Rc::new(data),
    };
    debug_assert_eq!(nb.next_offset(), b.next_offset(), "a cleaned batch keeps its offset span");
    nb
}

/// One cleaning pass over `log` (`Cleaner.doClean`), or None if there is no dirty section.
/// Updates the log's cleaner checkpoint.
pub fn clean_log(log: &mut PartitionLog, settings: &TopicSettings, now_ms: i64, ltc: &LogToClean) -> Option<CleanReport> {
    clean_log_with_capacity(log, settings, now_ms, ltc, OFFSET_MAP_ENTRIES_MAX)
}

/// [`clean_log`] with an explicit offset-map capacity (tests use small ones).
pub fn clean_log_with_capacity(log: &mut PartitionLog, settings: &TopicSettings, now_ms: i64, ltc: &LogToClean, entries_max: usize) -> Option<CleanReport> {
    if ltc.first_dirty_offset >= ltc.first_uncleanable_offset || entries_max == 0 {
        return None;
    }
    let mut indexed = 0u64;
    let map = build_offset_map(log, ltc.first_dirty_offset, ltc.first_uncleanable_offset, entries_max, &mut indexed);
    let end_offset = map.latest_offset() + 1;
    if end_offset <= ltc.first_dirty_offset {
        return None;
    }
    debug_assert!(end_offset <= ltc.first_uncleanable_offset, "never clean the uncleanable section");
    let segments_before = log.segments.len();
    let to_clean = segment_range(log, 0, end_offset);
    debug_assert_eq!(to_clean.start, 0);
    debug_assert!(to_clean.end < log.segments.len(), "the active segment is never cleaned");
    let groups = group_segments_by_size(&log.segments[to_clean.clone()], settings.segment_bytes, ltc.first_uncleanable_offset);
    let mut old = std::mem::take(&mut log.segments);
    let rest = old.split_off(to_clean.end);
    let mut st = Recopy::default();
    let mut cleaned: Vec<Segment> = Vec::with_capacity(groups.len() + rest.len());
    let (mut cursor, mut keep) = (0usize, Vec::new());
    // Producer id -> whether its current transaction kept any data so far in this pass.
    let mut txn_has_data: BTreeMap<i64, bool> = BTreeMap::new();
    for g in groups {
        let mut seg = Segment::new(old[g.start].base_offset, now_ms);
        for s in &old[g] {
            for b in &s.batches {
                let pid = b.data.producer.producer_id;
                if b.is_control() {
                    // Every batch before the marker was seen in this pass (it starts at offset 0).
                    let has_data = txn_has_data.remove(&pid).unwrap_or(false);
                    if let Some(kept) = filter_marker(b, has_data, now_ms, settings.delete_retention_ms, &mut st) {
                        seg.push(kept);
                    }
                    continue;
                }
                let aborted = log.is_aborted_data(b);
                if let Some(kept) = filter_batch(b, aborted, &map, ltc.first_dirty_offset, &mut cursor, now_ms, settings.delete_retention_ms, &mut st, &mut keep) {
                    if kept.data.producer.transactional {
                        txn_has_data.insert(pid, true);
                    }
                    seg.push(kept);
                }
            }
        }
        cleaned.push(seg);
    }
    debug_assert_eq!(cursor, map.visits.len(), "the recopy saw every record the map indexed");
    cleaned.extend(rest);
    log.segments = cleaned;
    log.cleaner_checkpoint = Some(end_offset);
    let after = log_to_clean(log, settings, now_ms);
    Some(pass_report(&st, ltc, &after, end_offset, (segments_before, log.segments.len()), settings, now_ms))
}

/// A pass's report from its counters, the dirty section before (`ltc`) and after it.
fn pass_report(st: &Recopy, ltc: &LogToClean, after: &LogToClean, end_offset: i64, (segments_before, segments_after): (usize, usize), settings: &TopicSettings, now_ms: i64) -> CleanReport {
    let bytes_removed = st.bytes_read.saturating_sub(st.bytes_retained);
    CleanReport {
        time_ms: now_ms,
        duration_ms: (st.bytes_read / CLEANER_BYTES_PER_MS) as i64,
        first_dirty_offset: ltc.first_dirty_offset,
        cleaner_point: end_offset,
        first_uncleanable_offset: ltc.first_uncleanable_offset,
        records_read: st.records_read,
        records_retained: st.records_retained,
        records_removed: st.records_read - st.records_retained,
        tombstones_removed: st.tombstones_removed,
        bytes_read: st.bytes_read,
        bytes_retained: st.bytes_retained,
        bytes_removed,
        dirty_ratio_before: ltc.cleanable_ratio,
        dirty_ratio_after: after.cleanable_ratio,
        segments_before,
        segments_after,
        forced_by_max_compaction_lag: ltc.need_compaction_now && ltc.cleanable_ratio <= settings.min_cleanable_dirty_ratio,
    }
}

/// The topics' settings and names a cleaner thread reads from its broker's metadata.
pub(crate) type TopicLookup<'a> = dyn Fn(u32) -> Option<(&'a TopicSettings, &'a Rc<str>)> + 'a;

impl LogCleaner {
    /// One iteration of the thread (`CleanerThread.doWork`): clean the filthiest compacted log of
    /// its broker if any is eligible (reported as an event and returned), and arm the next
    /// iteration (at once after a pass, after `backoff_ms` otherwise). Retention of compacted
    /// logs, the thread's other duty, is the caller's (see [`LogCleaner::compacted_logs`]).
    pub(crate) fn on_wake(&self, ctx: &mut Ctx, replicas: &mut BTreeMap<Tp, Replica>, topics: &TopicLookup<'_>, enabled: bool, backoff_ms: i64) -> Option<(Tp, CleanerPass)> {
        let pass = if enabled { self.clean_filthiest_log(ctx, replicas, topics) } else { None };
        // The thread loops straight into the next pass (at least 1 ms later, so a busy cleaner
        // can never stall simulated time).
        let next_ms = pass.as_ref().map_or(backoff_ms, |(_, p)| p.report.duration_ms.max(1));
        ctx.timer(next_ms, Ev::LogCleanerWake { broker: self.broker, incarnation: self.incarnation });
        pass
    }

    /// `cleanFilthiestLog`: the pass over the dirtiest cleanable log, if one is eligible.
    fn clean_filthiest_log(&self, ctx: &mut Ctx, replicas: &mut BTreeMap<Tp, Replica>, topics: &TopicLookup<'_>) -> Option<(Tp, CleanerPass)> {
        // Record timestamps, segment times and delete horizons are on the wall clock.
        let wall = ctx.wall_clock_ms();
        let (tp, ltc) = filthiest_log(replicas, topics, wall)?;
        let (settings, name) = topics(tp.topic)?;
        let log = &mut replicas.get_mut(&tp)?.log;
        debug_assert!(log.high_watermark <= log.log_end_offset, "HW <= LEO before a pass");
        let report = clean_log(log, settings, wall, &ltc)?;
        debug_assert!(report.cleaner_point <= log.high_watermark, "only committed data is cleaned");
        debug_assert_eq!(log.cleaner_checkpoint, Some(report.cleaner_point), "the checkpoint is the cleaner point");
        ctx.emit(EventKind::LogCleaned { topic: name.clone(), partition: tp.partition, broker: self.broker, report: report.clone() });
        Some((tp, CleanerPass { broker: self.broker, topic: name.clone(), partition: tp.partition, report }))
    }

    /// `deletableLogs`: the compacted logs whose retention the thread runs after its pass.
    pub(crate) fn compacted_logs(replicas: &BTreeMap<Tp, Replica>, topics: &TopicLookup<'_>) -> Vec<Tp> {
        replicas.keys().filter(|tp| topics(tp.topic).is_some_and(|(s, _)| s.cleanup_compact)).copied().collect()
    }
}

/// `grabFilthiestCompactedLog`: the compacted log with the highest cleanable ratio among the
/// eligible ones, and its dirty section. The first maximal ratio wins (partition order; Kafka's
/// order is a hash map's).
fn filthiest_log(replicas: &BTreeMap<Tp, Replica>, topics: &TopicLookup<'_>, wall_ms: i64) -> Option<(Tp, LogToClean)> {
    let mut best: Option<(Tp, LogToClean)> = None;
    for (tp, r) in replicas {
        let Some((settings, _)) = topics(tp.topic).filter(|(s, _)| s.cleanup_compact) else { continue };
        let ltc = log_to_clean(&r.log, settings, wall_ms);
        if ltc.total_bytes() == 0 || !ltc.is_cleanable(settings.min_cleanable_dirty_ratio) {
            continue;
        }
        if best.as_ref().is_none_or(|(_, x)| ltc.cleanable_ratio > x.cleanable_ratio) {
            best = Some((*tp, ltc));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;
    use crate::engine::log::RollPolicy;
    use crate::engine::rng::Rng;

    fn settings(segment_bytes: i64) -> TopicSettings {
        let mut o = BTreeMap::new();
        o.insert("cleanup.policy".to_string(), "compact".to_string());
        o.insert("segment.bytes".to_string(), segment_bytes.to_string());
        let mut s = TopicSettings::resolve(&o, &BTreeMap::new(), &BTreeMap::new());
        s.delete_retention_ms = 100;
        s
    }

    fn roll(segment_bytes: i64) -> RollPolicy {
        RollPolicy { segment_bytes, segment_ms: i64::MAX / 4, segment_jitter_ms: 0 }
    }

    /// Appends one batch of (key, value) records at time `ts`.
    fn append(log: &mut PartitionLog, recs: &[(&str, Option<&str>)], ts: i64, r: RollPolicy) {
        let mut d = RecordsData::new();
        for (k, v) in recs {
            d.push(ts, Some(k.as_bytes()), v.map(|v| v.as_bytes()), Vec::new());
        }
        let base = log.log_end_offset;
        log.append(Rc::new(Batch::new(base, 0, None, Rc::new(d))), r, ts);
        log.high_watermark = log.log_end_offset;
    }

    fn contents(log: &PartitionLog) -> Vec<(i64, String, Option<String>)> {
        log.records_from(0, i64::MAX)
            .map(|r| (r.offset, String::from_utf8_lossy(r.key.unwrap_or_default()).into_owned(), r.value.map(|v| String::from_utf8_lossy(v).into_owned())))
            .collect()
    }

    #[test]
    fn offset_map_is_exact_and_grows() {
        let mut m = OffsetMap::new();
        for i in 0..10_000i64 {
            m.put(format!("k{}", i % 3000).as_bytes(), i);
        }
        assert_eq!(m.len(), 3000);
        assert_eq!(m.get(b"k0"), 9000);
        assert_eq!(m.get(b"k2999"), 8999);
        assert_eq!(m.get(b"nope"), -1);
        assert_eq!(m.get(b""), -1);
        m.put(b"", 10_001);
        assert_eq!(m.get(b""), 10_001);
        assert_eq!(m.latest_offset(), 10_001);
    }

    #[test]
    fn cleaning_keeps_latest_per_key_and_preserves_offsets() {
        let s = settings(1 << 30);
        let r = roll(1 << 30);
        let mut log = PartitionLog::new(0);
        append(&mut log, &[("a", Some("1")), ("b", Some("1")), ("a", Some("2"))], 0, r);
        append(&mut log, &[("c", Some("1")), ("b", Some("2"))], 1, r);
        log.roll_empty(2);
        append(&mut log, &[("a", Some("3"))], 2, r); // active segment: untouched
        let ltc = log_to_clean(&log, &s, 10);
        assert_eq!(ltc.first_dirty_offset, 0);
        assert_eq!(ltc.first_uncleanable_offset, 5);
        assert_eq!(ltc.cleanable_ratio, 1.0);
        let rep = clean_log(&mut log, &s, 10, &ltc).expect("dirty");
        assert_eq!(
            contents(&log),
            vec![(2, "a".into(), Some("2".into())), (3, "c".into(), Some("1".into())), (4, "b".into(), Some("2".into())), (5, "a".into(), Some("3".into()))]
        );
        assert_eq!((rep.records_read, rep.records_retained, rep.records_removed), (5, 3, 2));
        assert_eq!(rep.cleaner_point, 5);
        assert_eq!(log.cleaner_checkpoint, Some(5));
        assert_eq!(rep.dirty_ratio_after, 0.0);
        // Batches keep their spans: 0..3 and 3..5.
        let spans: Vec<(i64, i64)> = log.all_batches().map(|b| (b.base_offset, b.next_offset())).collect();
        assert_eq!(spans, vec![(0, 3), (3, 5), (5, 6)]);
        assert_eq!(log.log_end_offset, 6);
    }

    #[test]
    fn tombstones_survive_until_the_delete_horizon() {
        let s = settings(1 << 30); // delete.retention.ms = 100
        let r = roll(1 << 30);
        let mut log = PartitionLog::new(0);
        append(&mut log, &[("a", Some("1")), ("a", None)], 0, r);
        log.roll_empty(0);
        append(&mut log, &[("b", Some("1"))], 0, r);
        let ltc = log_to_clean(&log, &s, 50);
        clean_log(&mut log, &s, 50, &ltc).expect("dirty");
        assert_eq!(contents(&log)[0], (1, "a".into(), None), "the first pass keeps the tombstone");
        assert_eq!(log.segments[0].batches[0].delete_horizon_ms, Some(150));
        // A second pass before the horizon keeps it; one at/after the horizon drops it.
        log.roll_empty(140);
        append(&mut log, &[("c", Some("1"))], 140, r);
        let ltc = log_to_clean(&log, &s, 149);
        clean_log(&mut log, &s, 149, &ltc).expect("dirty");
        assert!(contents(&log).iter().any(|c| c.0 == 1));
        log.roll_empty(150);
        append(&mut log, &[("d", Some("1"))], 150, r);
        let ltc = log_to_clean(&log, &s, 150);
        let rep = clean_log(&mut log, &s, 150, &ltc).expect("dirty");
        assert!(!contents(&log).iter().any(|c| c.0 == 1), "past the horizon the tombstone goes");
        assert_eq!(rep.tombstones_removed, 1);
    }

    #[test]
    fn uncleanable_range_stops_at_hw_and_min_lag() {
        let mut s = settings(1 << 30);
        let r = roll(1 << 30);
        let mut log = PartitionLog::new(0);
        append(&mut log, &[("a", Some("1"))], 0, r);
        log.roll_empty(0);
        append(&mut log, &[("a", Some("2"))], 1000, r);
        log.roll_empty(1000);
        append(&mut log, &[("a", Some("3"))], 2000, r);
        assert_eq!(log_to_clean(&log, &s, 2000).first_uncleanable_offset, 2, "active segment");
        log.high_watermark = 1;
        assert_eq!(log_to_clean(&log, &s, 2000).first_uncleanable_offset, 1, "segment holding the HW");
        log.high_watermark = 3;
        s.min_compaction_lag_ms = 1500;
        // Segment 1's largest timestamp 1000 > 2000 - 1500: too young.
        assert_eq!(log_to_clean(&log, &s, 2000).first_uncleanable_offset, 1);
        assert_eq!(log_to_clean(&log, &s, 2501).first_uncleanable_offset, 2);
    }

    #[test]
    fn max_compaction_lag_forces_cleaning() {
        let mut s = settings(1 << 30);
        s.min_cleanable_dirty_ratio = 0.99;
        let r = roll(1 << 30);
        let mut log = PartitionLog::new(0);
        append(&mut log, &[("a", Some("1"))], 10, r);
        log.roll_empty(10);
        append(&mut log, &[("a", Some("2"))], 20, r);
        log.roll_empty(20);
        append(&mut log, &[("b", Some("1"))], 30, r);
        // Segment 0 is clean, segment 1 dirty: ratio 0.5.
        log.cleaner_checkpoint = Some(1);
        let ltc = log_to_clean(&log, &s, 1000);
        assert!(!ltc.is_cleanable(s.min_cleanable_dirty_ratio), "ratio 0.5 < 0.99");
        assert_eq!(ltc.cleanable_ratio, 0.5);
        s.max_compaction_lag_ms = 500;
        // The dirty segment's first batch (20) is older than 1000 - 500.
        let ltc = log_to_clean(&log, &s, 1000);
        assert!(ltc.need_compaction_now && ltc.is_cleanable(s.min_cleanable_dirty_ratio));
        assert!(!log_to_clean(&log, &s, 520).need_compaction_now, "20 is not < 520 - 500");
    }

    #[test]
    fn small_cleaned_segments_are_merged() {
        let s = settings(10_000);
        let r = roll(10_000);
        let mut log = PartitionLog::new(0);
        for i in 0..6 {
            append(&mut log, &[("k", Some(&format!("{i}")))], i, r);
            log.roll_empty(i);
        }
        append(&mut log, &[("z", Some("1"))], 7, r);
        assert_eq!(log.segments.len(), 7);
        let ltc = log_to_clean(&log, &s, 10);
        let rep = clean_log(&mut log, &s, 10, &ltc).expect("dirty");
        assert_eq!((rep.segments_before, rep.segments_after), (7, 2));
        assert_eq!(contents(&log).len(), 2);
    }

    #[test]
    fn a_full_offset_map_cleans_in_several_passes() {
        let s = settings(1 << 30);
        let r = roll(1 << 30);
        let mut log = PartitionLog::new(0);
        for i in 0..4 {
            append(&mut log, &[(&format!("k{i}"), Some("x")), (&format!("k{i}"), Some("y"))], 0, r);
            log.roll_empty(0);
        }
        append(&mut log, &[("z", Some("1"))], 0, r);
        let ltc = log_to_clean(&log, &s, 1);
        let rep = clean_log_with_capacity(&mut log, &s, 1, &ltc, 2).expect("dirty");
        assert_eq!(rep.cleaner_point, 3, "the map filled at the third put");
        let mut passes = 1;
        loop {
            let ltc = log_to_clean(&log, &s, 1);
            if ltc.first_dirty_offset == 8 {
                break;
            }
            clean_log_with_capacity(&mut log, &s, 1, &ltc, 2).expect("dirty");
            passes += 1;
        }
        // Each pass maps two keys' worth of offsets: 0..3, 3..5, 5..7, 7..8.
        assert_eq!(passes, 4);
        let values: Vec<_> = contents(&log).into_iter().filter(|c| c.1 != "z").map(|c| c.2.unwrap()).collect();
        assert_eq!(values, vec!["y"; 4]);
    }

    type Contents = Vec<(i64, String, Option<String>)>;

    /// The model of [`cleaning_matches_a_model_map`]: every record ever appended, by offset
    /// (key, value, time), and the pass being checked.
    struct Model<'a> {
        seed: u64,
        all: &'a BTreeMap<i64, (String, Option<String>, i64)>,
        now: i64,
        delete_retention_ms: i64,
    }

    impl Model<'_> {
        /// One pass from `before` to `after` with cleaner point `cp` (`tomb_seen`: when a pass
        /// first kept each tombstone).
        fn check_pass(&self, before: &Contents, after: &Contents, cp: i64, tomb_seen: &mut BTreeMap<i64, i64>) {
            let seed = self.seed;
            // Nothing at or above the cleaner point is touched.
            let above = |v: &Contents| v.iter().filter(|c| c.0 >= cp).cloned().collect::<Vec<_>>();
            assert_eq!(above(before), above(after), "seed {seed}: head changed");
            // Kept records: offsets increase and match the model exactly.
            for w in after.windows(2) {
                assert!(w[0].0 < w[1].0, "seed {seed}: order");
            }
            for (o, k, v) in after {
                let m = &self.all[o];
                assert_eq!((&m.0, &m.1), (k, v), "seed {seed}: content at {o}");
            }
            let latest = self.check_latest_kept(after, cp, tomb_seen);
            // Superseded records below the cleaner point are gone.
            for (o, _, _) in after.iter().filter(|c| c.0 < cp) {
                assert_eq!(latest.get(self.all[o].0.as_str()), Some(o), "seed {seed}: duplicate kept at {o}");
            }
        }

        /// The latest record per key below the cleaner point is kept (a tombstone at least until
        /// `delete.retention.ms` after the pass that first saw it). Returns those latest offsets.
        fn check_latest_kept(&self, after: &Contents, cp: i64, tomb_seen: &mut BTreeMap<i64, i64>) -> BTreeMap<&str, i64> {
            let seed = self.seed;
            let mut latest: BTreeMap<&str, i64> = BTreeMap::new();
            for (o, (k, _, _)) in self.all.range(..cp) {
                latest.insert(k, *o);
            }
            let held: BTreeMap<i64, ()> = after.iter().map(|c| (c.0, ())).collect();
            for (k, o) in &latest {
                if self.all[o].1.is_some() {
                    assert!(held.contains_key(o), "seed {seed}: latest value of {k} at {o} removed");
                    continue;
                }
                let first = *tomb_seen.entry(*o).or_insert(self.now);
                if self.now < first + self.delete_retention_ms {
                    assert!(held.contains_key(o), "seed {seed}: tombstone of {k} at {o} removed before delete.retention.ms");
                }
            }
            latest
        }
    }

    /// Property test against a model map: seeded random keyed writes with duplicates and
    /// tombstones, random time advances and rolls, and cleaning passes. After every pass:
    /// every key's latest record below the cleaner point is kept (tombstones at least until
    /// `delete.retention.ms` after the pass that first saw them), nothing at or above the
    /// cleaner point changed, and kept records keep their offsets, content and order.
    #[test]
    fn cleaning_matches_a_model_map() {
        for seed in 0..60u64 {
            let mut rng = Rng::new(seed);
            let mut s = settings(200 + rng.below(2000) as i64);
            s.delete_retention_ms = rng.below(300) as i64;
            let r = roll(s.segment_bytes);
            let mut log = PartitionLog::new(0);
            // The model: every record ever appended, by offset.
            let mut all: BTreeMap<i64, (String, Option<String>, i64)> = BTreeMap::new();
            // When a pass first kept each tombstone.
            let mut tomb_seen: BTreeMap<i64, i64> = BTreeMap::new();
            let mut now = 0i64;
            for step in 0..200 {
                now += rng.below(40) as i64;
                let n = 1 + rng.below(4) as usize;
                let mut recs = Vec::new();
                for _ in 0..n {
                    let k = format!("k{}", rng.below(12));
                    let v = if rng.chance(1, 6) { None } else { Some(format!("v{step}")) };
                    recs.push((k, v));
                }
                let base = log.log_end_offset;
                for (i, (k, v)) in recs.iter().enumerate() {
                    all.insert(base + i as i64, (k.clone(), v.clone(), now));
                }
                let view: Vec<(&str, Option<&str>)> = recs.iter().map(|(k, v)| (k.as_str(), v.as_deref())).collect();
                append(&mut log, &view, now, r);
                if rng.chance(1, 8) {
                    log.roll_empty(now);
                }
                if rng.chance(1, 5) {
                    let before = contents(&log);
                    let ltc = log_to_clean(&log, &s, now);
                    let Some(rep) = clean_log(&mut log, &s, now, &ltc) else { continue };
                    let model = Model { seed, all: &all, now, delete_retention_ms: s.delete_retention_ms };
                    model.check_pass(&before, &contents(&log), rep.cleaner_point, &mut tomb_seen);
                }
            }
        }
    }
}
