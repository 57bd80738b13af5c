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

use super::cluster::Cluster;
use super::error::{ErrorCode, KResult, KafkaError};

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

impl Cluster {
    /// Refuses a change that would take the cluster past [`PARTITIONS_MAX`] partitions.
    pub(crate) fn check_partition_budget(&self, adding: usize) -> KResult<()> {
        let held: usize = self.ctl.topics.values().map(|t| t.partitions.len()).sum();
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
    /// compaction and deleted topics free space), at most once per [`RECOUNT_INTERVAL_MS`].
    pub(crate) fn check_log_budget(&mut self, bytes: u64) -> KResult<()> {
        let max = if self.budget.log_bytes_max == 0 { LOG_BYTES_MAX } else { self.budget.log_bytes_max };
        if self.budget.log_bytes.saturating_add(bytes) > max && self.now_ms >= self.budget.recount_at_ms {
            self.budget.log_bytes = self.log_bytes_held();
            self.budget.recount_at_ms = self.now_ms + RECOUNT_INTERVAL_MS;
        }
        if self.budget.log_bytes.saturating_add(bytes) > max {
            return Err(KafkaError::new(
                ErrorCode::POLICY_VIOLATION,
                format!("The sandbox's brokers hold at most {} MiB of records and are full: delete topics or lower retention.bytes/retention.ms to make room.", max >> 20),
            ));
        }
        self.budget.log_bytes += bytes;
        Ok(())
    }

    /// Bytes of distinct batches in every replica's log.
    fn log_bytes_held(&self) -> u64 {
        let mut seen = std::collections::BTreeSet::new();
        let mut total = 0;
        for b in self.brokers.values() {
            for r in b.replicas.values() {
                for batch in r.log.all_batches() {
                    if seen.insert(std::rc::Rc::as_ptr(batch) as usize) {
                        total += batch.size_bytes() as u64;
                    }
                }
            }
        }
        total
    }

    /// Starts a new action's event budget of `max_events` (the shell calls it for every input,
    /// with [`EVENTS_PER_ACTION_MAX`] unless its limits say less).
    pub fn begin_action(&mut self, max_events: u64) {
        self.budget.armed = true;
        self.budget.action_events_max = max_events.min(EVENTS_PER_ACTION_MAX);
        self.budget.action_events = 0;
        self.budget.action_spent = false;
    }

    /// A smaller bound on bytes held in logs (tests reach it without holding 512 MiB).
    pub fn set_log_bytes_max(&mut self, bytes: u64) {
        self.budget.log_bytes_max = bytes;
    }

    /// Whether the current action ran out of events (simulated time stopped early).
    pub fn action_budget_spent(&self) -> bool {
        self.budget.action_spent
    }

    /// Counts one event against the action; false once the budget is spent.
    pub(crate) fn charge_event(&mut self) -> bool {
        if !self.budget.armed {
            return true;
        }
        if self.budget.action_events >= self.budget.action_events_max {
            self.budget.action_spent = true;
            return false;
        }
        self.budget.action_events += 1;
        true
    }
}
