//! The event stream a UI animates and a lesson explains. Events are aggregated per batch (never
//! per record) and kept in a bounded buffer: the oldest are dropped first and counted.

use super::error::ErrorCode;
use std::collections::VecDeque;
use std::rc::Rc;

/// Maximum number of undrained events kept.
pub const EVENT_BUFFER_MAX: usize = 10_000;

/// What one cleaning pass did, for the UI and the event stream.
#[derive(Clone, Debug, PartialEq)]
pub struct CleanReport {
    /// Simulated time of the pass.
    pub time_ms: i64,
    /// Modelled duration of the pass (bytes read at `cleaner::CLEANER_BYTES_PER_MS`).
    pub duration_ms: i64,
    /// Start of the dirty section this pass cleaned (the old checkpoint).
    pub first_dirty_offset: i64,
    /// The new cleaner point (checkpoint): everything below is compacted.
    pub cleaner_point: i64,
    /// The first uncleanable offset at the time of the pass.
    pub first_uncleanable_offset: i64,
    pub records_read: u64,
    pub records_retained: u64,
    pub records_removed: u64,
    /// Tombstones dropped because their delete horizon had passed.
    pub tombstones_removed: u64,
    pub bytes_read: u64,
    pub bytes_retained: u64,
    pub bytes_removed: u64,
    pub dirty_ratio_before: f64,
    pub dirty_ratio_after: f64,
    pub segments_before: usize,
    pub segments_after: usize,
    /// Chosen because a dirty segment was older than `max.compaction.lag.ms`.
    pub forced_by_max_compaction_lag: bool,
}

/// Why segments were deleted (Kafka's `SegmentDeletionReason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeletionReason {
    LogStartOffsetBreach,
    RetentionSizeBreach,
    RetentionMsBreach,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ElectionKind {
    /// First live ISR member in assignment order.
    Clean,
    /// A live replica outside the ISR (data below the old HW may be lost).
    Unclean,
    /// Leadership moved back to the first replica (preferred leader election).
    Preferred,
    /// Leadership moved away from a broker in controlled shutdown.
    ControlledShutdown,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    TopicCreated { topic: Rc<str>, partitions: i32, replication_factor: i32 },
    TopicDeleted { topic: Rc<str> },
    PartitionsCreated { topic: Rc<str>, total: i32 },
    ConfigChanged { resource: String, name: String, value: Option<String> },
    /// A leader appended a batch.
    RecordAppended { topic: Rc<str>, partition: i32, broker: i32, base_offset: i64, count: i64, leader_epoch: i32 },
    /// A follower appended data fetched from the leader.
    Replicated { topic: Rc<str>, partition: i32, broker: i32, leo: i64 },
    HighWatermarkAdvanced { topic: Rc<str>, partition: i32, broker: i32, high_watermark: i64 },
    IsrShrunk { topic: Rc<str>, partition: i32, from: Vec<i32>, to: Vec<i32> },
    IsrExpanded { topic: Rc<str>, partition: i32, from: Vec<i32>, to: Vec<i32> },
    LeaderElected { topic: Rc<str>, partition: i32, leader: Option<i32>, leader_epoch: i32, kind: ElectionKind },
    /// A follower truncated its log (leader-epoch based) from `from` to `to`.
    Truncated { topic: Rc<str>, partition: i32, broker: i32, from: i64, to: i64 },
    /// An idempotent producer's retried batch matched one the log already has: not appended
    /// again, answered with its original offsets.
    DuplicateBatch { topic: Rc<str>, partition: i32, broker: i32, producer_id: i64, base_offset: i64 },
    /// A transaction marker (control batch) was appended at `offset`.
    TxnMarkerWritten { topic: Rc<str>, partition: i32, broker: i32, producer_id: i64, offset: i64, commit: bool },
    /// A produce request was refused or failed at the broker.
    WriteRefused { topic: Rc<str>, partition: i32, broker: i32, error: ErrorCode, reason: String },
    /// A replica's log rolled a new active segment starting at `base_offset`.
    SegmentRolled { topic: Rc<str>, partition: i32, broker: i32, base_offset: i64 },
    /// Retention deleted whole segments from a replica's log.
    SegmentsDeleted { topic: Rc<str>, partition: i32, broker: i32, base_offsets: Vec<i64>, bytes: u64, reason: DeletionReason },
    /// A replica's log start offset moved forward (retention, or the leader's in a fetch).
    LogStartOffsetAdvanced { topic: Rc<str>, partition: i32, broker: i32, log_start_offset: i64 },
    /// The log cleaner compacted a replica's log (one pass).
    LogCleaned { topic: Rc<str>, partition: i32, broker: i32, report: CleanReport },
    BrokerFenced { broker: i32 },
    BrokerUnfenced { broker: i32 },
    BrokerCrashed { broker: i32 },
    BrokerShutdownRequested { broker: i32 },
    BrokerStopped { broker: i32 },
    BrokerStarted { broker: i32 },
    BrokerIsolated { broker: i32 },
    /// `sim slow`: the broker's replica fetches now wait `delay_ms` each (0: normal again).
    BrokerSlowed { broker: i32, delay_ms: i64 },
    NetworkHealed,
    ControllerElected { broker: i32 },
    /// No controller: the quorum has no reachable majority (metadata is frozen).
    ControllerUnavailable,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub time_ms: i64,
    pub kind: EventKind,
}

/// Bounded FIFO of events.
#[derive(Clone, Debug, Default)]
pub struct EventLog {
    events: VecDeque<Event>,
    pub dropped: u64,
    pub enabled: bool,
}

impl EventLog {
    pub fn new() -> EventLog {
        EventLog { events: VecDeque::new(), dropped: 0, enabled: true }
    }
    pub fn push(&mut self, time_ms: i64, kind: EventKind) {
        if !self.enabled {
            return;
        }
        if self.events.len() >= EVENT_BUFFER_MAX {
            self.events.pop_front();
            self.dropped += 1;
        }
        self.events.push_back(Event { time_ms, kind });
    }
    pub fn drain(&mut self) -> Vec<Event> {
        self.events.drain(..).collect()
    }
    pub fn len(&self) -> usize {
        self.events.len()
    }
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}
