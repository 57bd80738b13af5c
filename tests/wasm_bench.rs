//! The engine's produce-and-fetch benchmark in headless Chromium: the same workload as
//! `examples/bench_engine.rs` (`engine::workload`), timed with the page's clock. Run by
//! `make bench` (feature `wasm-bench`); it prints `wasm produce+fetch: ...` lines.
#![cfg(all(target_arch = "wasm32", feature = "wasm-bench"))]

use kafka_sandbox::engine::workload::{ProduceFetch, VALUE_BYTES};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const RECORDS: usize = 1_000_000;
const RUNS: usize = 3;

#[wasm_bindgen_test]
fn wasm_produce_and_fetch_throughput() {
    let perf = web_sys::window().expect("a window").performance().expect("performance");
    let mut seconds = Vec::new();
    for _ in 0..RUNS {
        let mut w = ProduceFetch::setup(RECORDS).expect("setup");
        let start_ms = perf.now();
        assert_eq!(w.produce().expect("produce"), RECORDS);
        let (fetched, value_bytes) = w.fetch().expect("fetch");
        seconds.push((perf.now() - start_ms) / 1e3);
        assert_eq!((fetched, value_bytes), (RECORDS, (RECORDS * VALUE_BYTES) as u64));
    }
    seconds.sort_by(f64::total_cmp);
    let median_s = seconds[RUNS / 2];
    console_log!("wasm produce+fetch: {median_s:.3} s ({:.0} records/s) median of {RUNS}", RECORDS as f64 / median_s);
}
