//! The web app's entry point, built for wasm32 by trunk.

#[cfg(target_arch = "wasm32")]
fn main() {
    kafka_sandbox::ui::start();
}

/// A deliberate panic, for the browser test that proves a real panic in the release bundle ends in
/// the error panel (tests/e2e/run.mjs). Nothing in the page calls it.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn panic_for_tests() {
    panic!("panic_for_tests: a deliberate panic from the browser tests");
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The web app runs in a browser: `make serve`. For a terminal, run `sandbox-shell`.");
    std::process::exit(2);
}
