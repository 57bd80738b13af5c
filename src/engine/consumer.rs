//! Consumer clients: simulated nodes speaking the classic group protocol to their coordinator
//! (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch) and
//! fetching from partition leaders over the simulated network.
//!
//! The application's side is [`Cluster::poll`]: it returns the records fetched so far (at most
//! `max.poll.records`), advances the positions, and performs the auto-commit when it is due — like
//! `KafkaConsumer.poll`, auto-commit covers the positions of records returned by *earlier* polls.
//! Between polls the client keeps working as simulated time advances (its "background thread"):
//! heartbeats every `heartbeat.interval.ms`, joins and syncs, position lookups, long-poll fetches.
//! If the application does not poll for `max.poll.interval.ms`, the client leaves the group and
//! rejoins on the next poll.
//!
//! The assignor runs in the group leader's client, with Kafka's algorithms
//! ([`super::assignor`]). With `cooperative-sticky` a member keeps its partitions across a
//! rebalance and only gives up the moved ones, which then triggers a second rebalance.
//!
//! The client itself is the `Consumer` node ([`client`]): it reacts to one answer or wake-up at a
//! time through a `Ctx`. Its router glue and the application's API are the Cluster's (in
//! `cluster/views.rs`), as is the `ClientImage` its metadata and ListOffsets requests read.
//!
//! Simplifications (noted for the report): partition counts and leaders come from the
//! controller's metadata image at the moment the client needs them (no client metadata cache or
//! MetadataRequest: the `Ctx`'s `ClientView` answers at once), ListOffsets for a reset is
//! answered at once, and a request to a broker that crashed fails at the client's next step
//! instead of after a TCP timeout.

use super::error::{ErrorCode, KafkaError};

pub use super::ids::ConsumerId;

mod client;
pub(crate) mod state;
pub use state::{ConsumerConfig, ConsumerInfo, ConsumerLog, ConsumerRecord, MemberState, OffsetReset, Returned, RETURNED_RANGES_MAX};
pub(crate) use state::*;

/// The error of a call on a consumer that is closed or gone.
pub(crate) fn consumer_closed() -> KafkaError {
    KafkaError::new(ErrorCode::INVALID_REQUEST, "This consumer has already been closed.")
}
