//! Seeds for the swarm tests, the same knobs for every swarm:
//! - `SWARM_SEEDS=a,b,c` runs exactly those seeds;
//! - `SWARM_COUNT=N` runs seeds 1..=N (default: what CI runs), plus the named regression seeds.
//!
//! Every seed runs even after one fails; a failure prints its seed (in the panic message and in
//! the summary), and the summary line `SWARM <name> runs=<n> violations=<k> seeds=<list>` is what
//! `make soak` tabulates.

#![allow(dead_code)]

/// The seeds to run: `SWARM_SEEDS` exactly, or 1..=`SWARM_COUNT` (default `default_count`) and
/// the `regressions` beyond that range.
pub fn seeds(default_count: u64, regressions: &[u64]) -> Vec<u64> {
    if let Some(list) = explicit_seeds() {
        return list;
    }
    let count = std::env::var("SWARM_COUNT").ok().map_or(default_count, |s| s.trim().parse().expect("SWARM_COUNT must be a number"));
    let mut seeds: Vec<u64> = (1..=count).collect();
    seeds.extend(regressions.iter().copied().filter(|s| *s > count));
    seeds
}

/// `SWARM_SEEDS`, parsed.
pub fn explicit_seeds() -> Option<Vec<u64>> {
    let list = std::env::var("SWARM_SEEDS").ok()?;
    Some(list.split(',').filter(|s| !s.trim().is_empty()).map(|s| s.trim().parse().expect("SWARM_SEEDS is a comma-separated list of numbers")).collect())
}

/// Whether the run covers the default range (aggregate checks such as "the schedules produced
/// records" only make sense over many seeds).
pub fn is_broad_run() -> bool {
    explicit_seeds().is_none()
}

/// Runs `run` for every seed, catching each failure, then prints the summary line and fails
/// with the failing seeds if any. Returns the results of the seeds that passed.
pub fn run_all<T>(name: &str, seeds: &[u64], mut run: impl FnMut(u64) -> T) -> Vec<T> {
    let mut failed = Vec::new();
    let mut results = Vec::new();
    for &seed in seeds {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(seed))) {
            Ok(r) => results.push(r),
            Err(_) => {
                eprintln!("swarm {name}: seed {seed} FAILED (rerun: SWARM_SEEDS={seed})");
                failed.push(seed);
            }
        }
    }
    let list: Vec<String> = failed.iter().map(u64::to_string).collect();
    eprintln!("SWARM {name} runs={} violations={} seeds={}", seeds.len(), failed.len(), if list.is_empty() { "-".to_string() } else { list.join(",") });
    assert!(failed.is_empty(), "swarm {name}: {} of {} seeds failed: {}", failed.len(), seeds.len(), list.join(","));
    results
}
