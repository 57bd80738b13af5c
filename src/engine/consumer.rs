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
//! `cluster/views.rs`), as is the [`ClientView`] its metadata and ListOffsets requests read.
//!
//! Simplifications (noted for the report): partition counts and leaders come from the
//! controller's metadata image at the moment the client needs them (no client metadata cache or
//! MetadataRequest: the `Ctx`'s `ClientView` answers at once), ListOffsets for a reset is
//! answered at once, and a request to a broker that crashed fails at the client's next step
//! instead of after a TCP timeout.

use super::cluster::*;
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

// ----- the consumer's auto-creation request (issue 21: the "internal" helper converts and moves it)
impl Cluster {
    /// The client's first metadata request for a subscribed topic the cluster does not know.
    /// Its `allowAutoTopicCreation` is `allow.auto.create.topics`; a broker with
    /// `auto.create.topics.enable` then creates the topic with the broker defaults
    /// (`num.partitions`, `default.replication.factor`) and answers LEADER_NOT_AVAILABLE, which
    /// the client logs as a WARN and retries; the next metadata refresh finds the leaders.
    /// Otherwise the answer is UNKNOWN_TOPIC_OR_PARTITION and the member simply owns nothing of
    /// it (logged once here; the real client repeats the WARN on each metadata refresh).
    pub(crate) fn consumer_metadata_for_missing_topic(&mut self, c: ConsumerId, topic: &str) {
        // Matches the console producer's first metadata request after ApiVersions; the
        // consumer's FindCoordinator goes first, hence 2.
        const CORRELATION_ID: u64 = 2;
        let allow = self.consumers.get(&c).is_some_and(|x| x.config.allow_auto_create_topics);
        let broker_allows = self.broker_bool("auto.create.topics.enable");
        let forwarded = self.ctl.active.is_some_and(|active| {
            self.brokers.keys().any(|&b| self.client_reaches(b) && self.brokers_connected(b, active))
        });
        // KRaft (3.9): the broker forwards CreateTopics to the controller and answers
        // UNKNOWN_TOPIC_OR_PARTITION meanwhile (`AutoTopicCreationManager.sendCreateTopicRequest`),
        // as for the producer; LEADER_NOT_AVAILABLE is the ZooKeeper mode's answer. (The creation
        // itself is still made at once here, not with the forward's delay.)
        let error = if allow && broker_allows {
            if forwarded {
                let req = super::controller::NewTopic { name: topic.to_string(), ..Default::default() };
                match self.create_topic_now(&req) {
                    Err(e) if e.code == ErrorCode::INVALID_TOPIC_EXCEPTION => ErrorCode::INVALID_TOPIC_EXCEPTION,
                    _ => ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
                }
            } else {
                ErrorCode::UNKNOWN_TOPIC_OR_PARTITION
            }
        } else if super::controller::topic_name_error(topic).is_some() {
            ErrorCode::INVALID_TOPIC_EXCEPTION
        } else {
            ErrorCode::UNKNOWN_TOPIC_OR_PARTITION
        };
        if let Some(x) = self.consumers.get_mut(&c) {
            x.logs.push(ConsumerLog::MetadataIssue { correlation_id: CORRELATION_ID, topic: topic.to_string(), error });
            if error == ErrorCode::INVALID_TOPIC_EXCEPTION {
                // `Metadata.maybeThrowAnyException`: the next poll throws.
                x.pending_error = Some(KafkaError::new(ErrorCode::INVALID_TOPIC_EXCEPTION, format!("Invalid topics: [{topic}]")));
            }
        }
    }
}
