//! An Apache Kafka 3.9 (KRaft) teaching sandbox.
//!
//! The crate has four layers, each allowed to depend only on the ones before it:
//!
//! - [`engine`]: the simulated cluster. Pure and deterministic: simulated time, one seeded RNG,
//!   ordered maps, no I/O. The same seed and the same commands give byte-identical state on every
//!   platform.
//! - [`shell`]: the Kafka command-line tools (and `sim ...` sandbox controls) run against the engine.
//!   It returns text; it never prints.
//! - [`lessons`]: lessons as data, with goal predicates over engine state and history.
//! - `ui` (browser build only): yew components, the only code that touches the DOM.
//!
//! See ARCHITECTURE.md for the code map and the invariants.

pub mod engine;
pub mod lessons;
pub mod shell;

#[cfg(target_arch = "wasm32")]
pub mod ui;

// Unit tests run natively (`cargo test`) and in headless Chromium (`wasm-pack test`): on wasm32
// each test module has `#[cfg(target_arch = "wasm32")] use crate::browser_test as test;`, so the
// same `#[test]` functions run in both. (The alias keeps web crate names out of `src/engine`.)
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(all(test, target_arch = "wasm32"))]
pub(crate) use wasm_bindgen_test::wasm_bindgen_test as browser_test;
