//! The web app's entry point, built for wasm32 by trunk.

#[cfg(target_arch = "wasm32")]
fn main() {
    kafka_sandbox::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The web app runs in a browser: `make serve`. For a terminal, run `sandbox-shell`.");
    std::process::exit(2);
}
