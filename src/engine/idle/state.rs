//! What the idle skip keeps between runs (the Cluster holds it; `idle.rs` acts on it).

/// The skip's switch and when a cluster that was no candidate is looked at again.
#[derive(Clone, Debug)]
pub(crate) struct IdleSkip {
    pub enabled: bool,
    pub retry_at_ms: i64,
    /// Simulated time jumped over so far, windows tried and jumps made (benchmarks read them).
    pub skipped_ms: i64,
    pub windows: u64,
    pub jumps: u64,
}

impl Default for IdleSkip {
    fn default() -> Self {
        IdleSkip { enabled: true, retry_at_ms: 0, skipped_ms: 0, windows: 0, jumps: 0 }
    }
}
