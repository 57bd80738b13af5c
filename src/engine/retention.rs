//! Retention (the `delete` cleanup policy): `UnifiedLog.deleteOldSegments` in Kafka 3.9.
//!
//! Whole segments only, oldest first, stopping at the first segment that fails the test:
//! - log start offset breach: a segment whose successor starts at or below the log start offset
//!   (any policy);
//! - size: while the log minus the segment still holds at least `retention.bytes` (per partition),
//!   so the log can stay above the limit by up to one segment;
//! - time: `now - largest timestamp in the segment > retention.ms` (-1 = forever).
//!
//! A segment is deleted only if its end (the next segment's base, or the LEO) is <= the high
//! watermark, so the log start offset never passes the HW. The active segment can go too: if
//! every segment qualifies, a new empty active segment is rolled first, and the log start offset
//! becomes the LEO. Non-compacted logs are checked every `log.retention.check.interval.ms`
//! (first 30 s after the broker starts, `log.initial.task.delay.ms`); compacted logs on every
//! iteration of the cleaner thread, where a `compact`-only policy applies just the log start
//! offset rule.

use super::broker::state::Broker;
use super::ids::Tp;
use super::msg::Ev;
use super::node::Ctx;
use super::config::TopicSettings;
use super::event::EventKind;
use super::log::{PartitionLog, Segment};
pub use super::event::DeletionReason;
pub use super::config::LOG_INITIAL_TASK_DELAY_MS;

/// `log.retention.check.interval.ms` default.
pub const RETENTION_CHECK_INTERVAL_MS_DEFAULT: i64 = 300_000;

/// Segments one rule deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deletion {
    pub reason: DeletionReason,
    pub base_offsets: Vec<i64>,
    pub bytes: u64,
    /// The new log start offset, if it moved.
    pub log_start_offset: Option<i64>,
}

/// `LogSegment.largestTimestamp`: the largest record timestamp, or the file's last-modified time
/// (here: creation) when the segment holds none.
pub(crate) fn largest_timestamp(s: &Segment) -> i64 {
    if s.max_timestamp_ms >= 0 {
        s.max_timestamp_ms
    } else {
        s.created_ms
    }
}

/// `deletableSegments` + `deleteSegments` for one predicate.
fn delete_old_segments_by(
    log: &mut PartitionLog,
    now_ms: i64,
    reason: DeletionReason,
    mut predicate: impl FnMut(&Segment, Option<&Segment>) -> bool,
) -> Option<Deletion> {
    let mut count = 0usize;
    for i in 0..log.segments.len() {
        let seg = &log.segments[i];
        let next = log.segments.get(i + 1);
        let last_and_empty = next.is_none() && seg.size_bytes == 0;
        let upper_bound = next.map_or(log.log_end_offset, |n| n.base_offset);
        // Never delete at or past the HW, so the log start offset never exceeds it.
        let hit = log.high_watermark >= upper_bound && predicate(seg, next);
        if hit && !last_and_empty {
            count += 1;
        } else {
            break;
        }
    }
    if count == 0 {
        return None;
    }
    if count == log.segments.len() {
        // There must always be a segment: roll an empty active one first.
        log.roll_empty(now_ms);
    }
    let gone: Vec<Segment> = log.segments.drain(..count).collect();
    debug_assert!(!log.segments.is_empty(), "a log always has an active segment");
    let new_start = log.segments[0].base_offset;
    let moved = log.increment_log_start_offset(new_start);
    Some(Deletion {
        reason,
        base_offsets: gone.iter().map(|s| s.base_offset).collect(),
        bytes: gone.iter().map(|s| s.size_bytes).sum(),
        log_start_offset: moved.then_some(log.log_start_offset),
    })
}

/// `deleteOldSegments`: the log start offset rule always; size and time only when the policy
/// includes `delete`.
pub fn delete_old_segments(log: &mut PartitionLog, settings: &TopicSettings, now_ms: i64) -> Vec<Deletion> {
    let mut out = Vec::new();
    let start = log.log_start_offset;
    out.extend(delete_old_segments_by(log, now_ms, DeletionReason::LogStartOffsetBreach, |_, next| next.is_some_and(|n| n.base_offset <= start)));
    if !settings.cleanup_delete {
        return out;
    }
    let retention_bytes = settings.retention_bytes;
    let size = log.size_bytes() as i64;
    if retention_bytes >= 0 && size >= retention_bytes {
        let mut diff = size - retention_bytes;
        out.extend(delete_old_segments_by(log, now_ms, DeletionReason::RetentionSizeBreach, |s, _| {
            if diff - s.size_bytes as i64 >= 0 {
                diff -= s.size_bytes as i64;
                true
            } else {
                false
            }
        }));
    }
    let retention_ms = settings.retention_ms;
    if retention_ms >= 0 {
        out.extend(delete_old_segments_by(log, now_ms, DeletionReason::RetentionMsBreach, |s, _| now_ms.saturating_sub(largest_timestamp(s)) > retention_ms));
    }
    out
}

impl Broker {
    /// The `kafka-log-retention` task (every `log.retention.check.interval.ms`): retention for
    /// every non-compacted log on the broker.
    pub(crate) fn on_retention_check(&mut self, ctx: &mut Ctx, incarnation: u64, interval_ms: i64) {
        if self.incarnation != incarnation || !self.is_up() {
            return;
        }
        ctx.timer(interval_ms, Ev::LogRetentionCheck { broker: self.id, incarnation });
        let logs: Vec<Tp> = self.replicas.keys().filter(|tp| self.topic_settings(tp.topic).is_some_and(|t| !t.cleanup_compact)).copied().collect();
        for tp in logs {
            self.apply_retention(ctx, tp);
        }
    }

    /// Runs `deleteOldSegments` on one replica and reports what went.
    pub(crate) fn apply_retention(&mut self, ctx: &mut Ctx, tp: Tp) {
        let (b, name) = (self.id, self.topic_name(tp.topic));
        let Some(settings) = self.view_settings.get(&tp.topic) else { return };
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        // Segment and record times are on the wall clock.
        for d in delete_old_segments(&mut r.log, settings, ctx.wall_clock_ms()) {
            ctx.emit(EventKind::SegmentsDeleted { topic: name.clone(), partition: tp.partition, broker: b, base_offsets: d.base_offsets, bytes: d.bytes, reason: d.reason });
            if let Some(lso) = d.log_start_offset {
                ctx.emit(EventKind::LogStartOffsetAdvanced { topic: name.clone(), partition: tp.partition, broker: b, log_start_offset: lso });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;
    use crate::engine::log::{Batch, RecordsData, RollPolicy};
    use std::collections::BTreeMap;
    use std::rc::Rc;

    fn settings(pairs: &[(&str, &str)]) -> TopicSettings {
        let o: BTreeMap<String, String> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        TopicSettings::resolve(&o, &BTreeMap::new(), &BTreeMap::new())
    }

    const R: RollPolicy = RollPolicy { segment_bytes: 1 << 30, segment_ms: i64::MAX / 4, segment_jitter_ms: 0 };

    /// A log of `n` one-record segments (plus the last one active), record i at time `ts[i]`.
    fn log_of(ts: &[i64]) -> PartitionLog {
        let mut log = PartitionLog::new(0);
        for (i, t) in ts.iter().enumerate() {
            if i > 0 {
                log.roll_empty(*t);
            }
            let mut d = RecordsData::new();
            d.push(*t, Some(b"k"), Some(b"0123456789"), Vec::new());
            let base = log.log_end_offset;
            log.append(Rc::new(Batch::new(base, 0, None, Rc::new(d))), R, *t);
        }
        log.high_watermark = log.log_end_offset;
        log
    }

    #[test]
    fn time_retention_deletes_only_wholly_expired_segments() {
        let mut log = log_of(&[0, 100, 200, 300]);
        let s = settings(&[("retention.ms", "150")]);
        let d = delete_old_segments(&mut log, &s, 300);
        // 300 - 0 > 150 and 300 - 100 > 150; 300 - 200 is not.
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].reason, DeletionReason::RetentionMsBreach);
        assert_eq!(d[0].base_offsets, vec![0, 1]);
        assert_eq!(log.log_start_offset, 2);
        assert_eq!(log.segments.len(), 2);
    }

    #[test]
    fn retention_stops_at_the_high_watermark() {
        let mut log = log_of(&[0, 100, 200]);
        log.high_watermark = 1;
        let s = settings(&[("retention.ms", "10")]);
        delete_old_segments(&mut log, &s, 1000);
        assert_eq!(log.log_start_offset, 1, "segment 1 ends at 2 > HW 1");
    }

    #[test]
    fn all_segments_expired_rolls_an_empty_active_segment() {
        let mut log = log_of(&[0, 100]);
        let s = settings(&[("retention.ms", "10")]);
        let d = delete_old_segments(&mut log, &s, 1000);
        assert_eq!(d[0].base_offsets, vec![0, 1]);
        assert_eq!(log.segments.len(), 1);
        assert!(log.segments[0].is_empty());
        assert_eq!((log.log_start_offset, log.log_end_offset), (2, 2));
        // The empty active segment is never deleted.
        assert!(delete_old_segments(&mut log, &s, 5000).is_empty());
    }

    #[test]
    fn size_retention_keeps_the_log_within_one_segment_of_the_limit() {
        let mut log = log_of(&[0, 1, 2, 3, 4, 5]);
        let seg = log.segments[0].size_bytes as i64;
        let limit = seg * 2 + seg / 2;
        let s = settings(&[("retention.bytes", &limit.to_string())]);
        let d = delete_old_segments(&mut log, &s, 10);
        assert_eq!(d[0].reason, DeletionReason::RetentionSizeBreach);
        let size = log.size_bytes() as i64;
        assert!(size >= limit && size - limit < seg, "size {size}, limit {limit}, segment {seg}");
        assert_eq!(log.segments.len(), 3);
        assert_eq!(log.log_start_offset, 3);
    }

    #[test]
    fn compact_only_policy_ignores_time_and_size() {
        let mut log = log_of(&[0, 100, 200]);
        let s = settings(&[("retention.ms", "10"), ("cleanup.policy", "compact")]);
        assert!(delete_old_segments(&mut log, &s, 1000).is_empty());
        let s = settings(&[("retention.ms", "10"), ("cleanup.policy", "compact,delete")]);
        assert!(!delete_old_segments(&mut log, &s, 1000).is_empty());
    }

    #[test]
    fn segments_below_the_log_start_offset_go_under_any_policy() {
        let mut log = log_of(&[0, 100, 200]);
        log.increment_log_start_offset(2);
        let s = settings(&[("cleanup.policy", "compact")]);
        let d = delete_old_segments(&mut log, &s, 1000);
        assert_eq!(d[0].reason, DeletionReason::LogStartOffsetBreach);
        assert_eq!(d[0].base_offsets, vec![0, 1]);
    }
}
