//! Consumer group benchmarks (native, wall clock): a rebalance of 100 consumers over the
//! tutorial's 600 partitions (from the first JoinGroup to every member Stable, the simulated
//! 3 s initial delay included), and a group describe with committed offsets and log end offsets
//! for 600 partitions. Run: `cargo run --release --example bench_groups`.

use kafka_sandbox::engine::*;
use std::time::Instant;

fn main() {
    // The median of 5 fresh runs (the machine is shared; single runs are noisy).
    let mut results: Vec<(f64, f64)> = (0..5).map(|_| once()).collect();
    results.sort_by(|a, b| a.0.total_cmp(&b.0));
    let rebalance = results[2].0;
    results.sort_by(|a, b| a.1.total_cmp(&b.1));
    let describe = results[2].1;
    println!("rebalance_100_consumers_600_partitions_ms {rebalance:.3}");
    println!("describe_group_600_partitions_ms {describe:.3}");
}

fn once() -> (f64, f64) {
    let mut c = Cluster::new(ClusterConfig { track_invariants: false, ..ClusterConfig::new(3, 1) }).unwrap();
    c.set_events_enabled(false);
    c.create_topic(NewTopic::new("test", 600, 1)).unwrap();
    c.group_coordinator("bench").unwrap();
    let ids: Vec<ConsumerId> = (0..100).map(|_| c.create_consumer(ConsumerConfig::group("bench")).unwrap()).collect();
    let steps0 = c.steps();
    let t0 = Instant::now();
    for &id in &ids {
        c.subscribe(id, &["test"]).unwrap();
    }
    let stable = c.run_while(60_000, |c| ids.iter().all(|id| c.consumer_info(*id).is_some_and(|i| i.state == MemberState::Stable && i.generation >= 1)));
    let rebalance = t0.elapsed();
    let steps_rebalance = c.steps() - steps0;
    assert!(stable, "the group did not stabilise");
    let owned: usize = ids.iter().map(|id| c.consumer_info(*id).unwrap().assignment.len()).sum();
    assert_eq!(owned, 600);
    // Commit something for every partition, then describe (group + offsets + log end offsets).
    c.advance(500);
    for &id in &ids {
        let _ = c.poll(id);
        c.commit_async(id, None).unwrap();
    }
    c.advance(1_000);
    let runs = 200;
    let t1 = Instant::now();
    let mut rows = 0;
    for _ in 0..runs {
        let d = c.describe_group("bench").unwrap();
        let offsets = c.list_group_offsets("bench").unwrap();
        for tp in offsets.keys() {
            let _ = c.list_offsets(&tp.topic, tp.partition, OffsetSpec::Latest);
        }
        rows += d.members.len() + offsets.len();
    }
    let describe = t1.elapsed() / runs;
    assert_eq!(rows / runs as usize, 700, "100 members and 600 committed offsets per describe");
    let _ = steps_rebalance;
    (rebalance.as_secs_f64() * 1e3, describe.as_secs_f64() * 1e3)
}
