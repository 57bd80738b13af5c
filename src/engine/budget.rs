//! The sandbox's work and memory budget: what one page may hold and what one action may cost,
//! sized so that the page stays well under about 1 GB (wasm32 cannot grow past 4 GB) and a
//! command ends within seconds. Reaching a bound is an error in Kafka's style, never a crash.
//!
//! - Partitions, cluster-wide (internal topics included): about 1.8 KB each with RF 3 in memory,
//!   and every partition costs replication work each simulated second; 20,000 hold ~40 MB.
//! - Bytes of records held in logs (replicas share one copy of a batch): 512 MiB. A produce
//!   beyond it is refused like a broker whose disk is full; the perf test's limits derive from it.
//! - Events per action: a command (or a page replaying one) runs at most 20,000,000 simulated
//!   events, a few seconds natively; then simulated time stops where it is, with an error.

use super::error::{ErrorCode, KResult, KafkaError};
use super::log::PartitionLog;

/// Partitions in the whole cluster, internal topics included.
pub const PARTITIONS_MAX: usize = 20_000;
/// Bytes of record batches held in logs (each batch once, however many replicas hold it).
pub const LOG_BYTES_MAX: u64 = 512 * 1024 * 1024;
/// Events one action may run.
pub const EVENTS_PER_ACTION_MAX: u64 = 10_000_000;
/// How often (simulated ms) a full log is measured again while writes are refused.
const RECOUNT_INTERVAL_MS: i64 = 1_000;

/// The budget's counters, kept by the cluster.
#[derive(Clone, Debug, Default)]
pub(crate) struct Budget {
    /// Bytes of batches appended since the last exact count, plus that count.
    pub log_bytes: u64,
    /// The bound on them ([`LOG_BYTES_MAX`] unless a test sets a smaller one; 0 = that default).
    pub log_bytes_max: u64,
    /// When the held bytes may be counted again (0: whenever the estimate passes the bound).
    pub recount_at_ms: i64,
    /// Whether actions are counted (the shell arms it; engine-only users run unbounded).
    pub armed: bool,
    /// Events run by the current action, the most it may run, whether it ran out.
    pub action_events: u64,
    pub action_events_max: u64,
    pub action_spent: bool,
}

impl Budget {
    /// Refuses a change that would take the cluster from `held` past [`PARTITIONS_MAX`] partitions.
    pub(crate) fn check_partitions(held: usize, adding: usize) -> KResult<()> {
        if held.saturating_add(adding) > PARTITIONS_MAX {
            return Err(KafkaError::new(
                ErrorCode::POLICY_VIOLATION,
                format!("The sandbox holds at most {PARTITIONS_MAX} partitions in all (it has {held}; this would add {adding})."),
            ));
        }
        Ok(())
    }

    /// Whether a batch of `bytes` may be appended: the bytes held stay within [`LOG_BYTES_MAX`].
    /// The running estimate only grows; past the bound the logs are measured exactly (retention,
    /// compaction and deleted topics free space), at most once per [`RECOUNT_INTERVAL_MS`]:
    /// `held_bytes` counts them.
    /// Whether [`Budget::check_log`] of `bytes` at `now_ms` would measure the logs (the router
    /// measures them before a produce handler runs, which cannot see the other brokers).
    pub(crate) fn recount_due(&self, bytes: u64, now_ms: i64) -> bool {
        let max = if self.log_bytes_max == 0 { LOG_BYTES_MAX } else { self.log_bytes_max };
        self.log_bytes.saturating_add(bytes) > max && now_ms >= self.recount_at_ms
    }

    pub(crate) fn check_log(&mut self, bytes: u64, now_ms: i64, held_bytes: impl FnOnce() -> u64) -> KResult<()> {
        let max = if self.log_bytes_max == 0 { LOG_BYTES_MAX } else { self.log_bytes_max };
        if self.recount_due(bytes, now_ms) {
            self.log_bytes = held_bytes();
            self.recount_at_ms = now_ms + RECOUNT_INTERVAL_MS;
        }
        if self.log_bytes.saturating_add(bytes) > max {
            return Err(KafkaError::new(
                ErrorCode::POLICY_VIOLATION,
                format!("The sandbox's brokers hold at most {} MiB of records and are full: delete topics or lower retention.bytes/retention.ms to make room.", max >> 20),
            ));
        }
        self.log_bytes += bytes;
        Ok(())
    }

    /// Starts a new action's event budget of `max_events` (at most [`EVENTS_PER_ACTION_MAX`]).
    pub(crate) fn begin_action(&mut self, max_events: u64) {
        self.armed = true;
        self.action_events_max = max_events.min(EVENTS_PER_ACTION_MAX);
        self.action_events = 0;
        self.action_spent = false;
    }

    /// Counts one event against the action; false once the budget is spent.
    pub(crate) fn charge_event(&mut self) -> bool {
        if !self.armed {
            return true;
        }
        if self.action_events >= self.action_events_max {
            self.action_spent = true;
            return false;
        }
        self.action_events += 1;
        true
    }
}

/// Bytes of distinct batches in these logs (replicas share batches: each counts once).
pub(crate) fn log_bytes_held<'a>(logs: impl Iterator<Item = &'a PartitionLog>) -> u64 {
    let mut seen = std::collections::BTreeSet::new();
    let mut total = 0;
    for log in logs {
        for batch in log.all_batches() {
            if seen.insert(std::rc::Rc::as_ptr(batch) as usize) {
                total += batch.size_bytes() as u64;
            }
        }
    }
    total
}
