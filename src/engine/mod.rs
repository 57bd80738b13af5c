//! The simulated Kafka cluster.
//!
//! Everything in here is deterministic: time is simulated (milliseconds since the cluster started),
//! randomness comes from one seeded portable RNG, and all collections are ordered. Nothing here
//! may use a web crate, the wall clock or the OS's randomness (a test in `tests/purity.rs` checks).
pub mod assignor;
