//! Times one rebalance per strategy: 100 consumers over 600 partitions, on one topic and on six
//! topics of 100 partitions, both from scratch and after one member left (sticky paths that keep
//! ownership), plus an unequal-subscription case that exercises the sticky general builder.
//! Run with `cargo run --release --example bench_assignor`.

use std::collections::BTreeMap;
use std::time::Instant;

use kafka_sandbox::engine::assignor::{assign, Member, Strategy};

fn members(count: usize, topics: &[&str]) -> Vec<Member> {
    (0..count).map(|i| Member::new(format!("consumer-bench-{i}-{:08x}", i * 2_654_435_761 % 4_294_967_291), topics)).collect()
}

fn time(label: &str, strategy: Strategy, members: &[Member], parts: &BTreeMap<String, i32>) {
    let runs = 20u32;
    let mut best_ms = f64::MAX;
    let mut total_ms = 0.0;
    for _ in 0..runs {
        let start = Instant::now();
        let result = assign(strategy, members, parts).expect("assignment succeeds");
        let ms = start.elapsed().as_secs_f64() * 1e3;
        std::hint::black_box(result);
        best_ms = best_ms.min(ms);
        total_ms += ms;
    }
    println!("{label:<34} {:<20} best {best_ms:>8.3} ms  mean {:>8.3} ms", strategy.name(), total_ms / f64::from(runs));
}

fn main() {
    let single: BTreeMap<String, i32> = [("orders".to_string(), 600)].into_iter().collect();
    let six: BTreeMap<String, i32> = (0..6).map(|t| (format!("topic-{t}"), 100)).collect();
    let six_names: Vec<String> = six.keys().cloned().collect();
    let six_refs: Vec<&str> = six_names.iter().map(String::as_str).collect();

    for (label, parts, topics) in [("100 x 600, 1 topic", &single, vec!["orders"]), ("100 x 600, 6 topics", &six, six_refs.clone())] {
        let group = members(100, &topics);
        for s in Strategy::ALL {
            time(&format!("{label}, fresh"), s, &group, parts);
        }
        // Rebalance after one member leaves: everyone else owns its previous share.
        for s in [Strategy::Sticky, Strategy::CooperativeSticky] {
            let previous = assign(s, &group, parts).expect("assignment succeeds");
            let rejoined: Vec<Member> = group[1..]
                .iter()
                .map(|m| {
                    let mut m = m.clone();
                    m.subscription.owned_partitions = previous[&m.member_id].clone();
                    m.subscription.generation = Some(1);
                    m
                })
                .collect();
            time(&format!("{label}, one left"), s, &rejoined, parts);
        }
    }

    // Unequal subscriptions (general sticky builder): member i subscribes to topics i%6 and (i+1)%6.
    let unequal: Vec<Member> = (0..100)
        .map(|i| Member::new(format!("consumer-u-{i}"), &[six_refs[i % 6], six_refs[(i + 1) % 6]]))
        .collect();
    for s in Strategy::ALL {
        time("100 x 600, unequal subscriptions", s, &unequal, &six);
    }
}
