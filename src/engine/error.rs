//! Typed errors, named and numbered as Kafka's protocol names them (`Errors.java`).
//!
//! Every engine operation returns `Result<_, KafkaError>`. The `message` is the exact text the
//! Kafka tools print for that situation (e.g. `Topic 'test' already exists.`); when Kafka has no
//! specific text, it is the protocol error's generic description.

use std::fmt;

macro_rules! error_codes {
    ($($name:ident = $code:expr, $text:expr;)*) => {
        /// Kafka protocol error codes (subset the simulator can produce).
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ErrorCode { $($name,)* }

        impl ErrorCode {
            /// Kafka's constant name, e.g. `TOPIC_ALREADY_EXISTS`.
            pub fn name(self) -> &'static str {
                match self { $(ErrorCode::$name => stringify!($name),)* }
            }
            /// Kafka's numeric protocol code.
            pub fn code(self) -> i16 {
                match self { $(ErrorCode::$name => $code,)* }
            }
            /// The generic description from `Errors.java`.
            pub fn default_message(self) -> &'static str {
                match self { $(ErrorCode::$name => $text,)* }
            }
        }
    };
}

error_codes! {
    UNKNOWN_SERVER_ERROR = -1, "The server experienced an unexpected error when processing the request.";
    OFFSET_OUT_OF_RANGE = 1, "The requested offset is not within the range of offsets maintained by the server.";
    CORRUPT_MESSAGE = 2, "This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.";
    UNKNOWN_TOPIC_OR_PARTITION = 3, "This server does not host this topic-partition.";
    LEADER_NOT_AVAILABLE = 5, "There is no leader for this topic-partition as we are in the middle of a leadership election.";
    NOT_LEADER_OR_FOLLOWER = 6, "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.";
    REQUEST_TIMED_OUT = 7, "The request timed out.";
    BROKER_NOT_AVAILABLE = 8, "The broker is not available.";
    MESSAGE_TOO_LARGE = 10, "The request included a message larger than the max message size the server will accept.";
    NETWORK_EXCEPTION = 13, "The server disconnected before a response was received.";
    OFFSET_METADATA_TOO_LARGE = 12, "The metadata field of the offset request was too large.";
    COORDINATOR_LOAD_IN_PROGRESS = 14, "The coordinator is loading and hence can't process requests.";
    COORDINATOR_NOT_AVAILABLE = 15, "The coordinator is not available.";
    NOT_COORDINATOR = 16, "This is not the correct coordinator.";
    INVALID_TOPIC_EXCEPTION = 17, "The request attempted to perform an operation on an invalid topic.";
    RECORD_LIST_TOO_LARGE = 18, "The request included message batch larger than the configured segment size on the server.";
    NOT_ENOUGH_REPLICAS = 19, "Messages are rejected since there are fewer in-sync replicas than required.";
    NOT_ENOUGH_REPLICAS_AFTER_APPEND = 20, "Messages are written to the log, but to fewer in-sync replicas than required.";
    INVALID_REQUIRED_ACKS = 21, "Produce request specified an invalid value for required acks.";
    ILLEGAL_GENERATION = 22, "Specified group generation id is not valid.";
    INCONSISTENT_GROUP_PROTOCOL = 23, "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list.";
    INVALID_GROUP_ID = 24, "The configured groupId is invalid.";
    UNKNOWN_MEMBER_ID = 25, "The coordinator is not aware of this member.";
    INVALID_SESSION_TIMEOUT = 26, "The session timeout is not within the range allowed by the broker (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms).";
    REBALANCE_IN_PROGRESS = 27, "The group is rebalancing, so a rejoin is needed.";
    INVALID_TIMESTAMP = 32, "The timestamp of the message is out of acceptable range.";
    TOPIC_ALREADY_EXISTS = 36, "Topic with this name already exists.";
    INVALID_PARTITIONS = 37, "Number of partitions is below 1.";
    INVALID_REPLICATION_FACTOR = 38, "Replication factor is below 1 or larger than the number of available brokers.";
    INVALID_REPLICA_ASSIGNMENT = 39, "Replica assignment is invalid.";
    INVALID_CONFIG = 40, "Configuration is invalid.";
    NOT_CONTROLLER = 41, "This is not the correct controller for this cluster.";
    INVALID_REQUEST = 42, "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.";
    POLICY_VIOLATION = 44, "Request parameters do not satisfy the configured policy.";
    OUT_OF_ORDER_SEQUENCE_NUMBER = 45, "The broker received an out of order sequence number.";
    DUPLICATE_SEQUENCE_NUMBER = 46, "The broker received a duplicate sequence number.";
    INVALID_PRODUCER_EPOCH = 47, "Producer attempted to produce with an old epoch.";
    INVALID_TXN_STATE = 48, "The producer attempted a transactional operation in an invalid state.";
    INVALID_PRODUCER_ID_MAPPING = 49, "The producer attempted to use a producer id which is not currently assigned to its transactional id.";
    INVALID_TRANSACTION_TIMEOUT = 50, "The transaction timeout is larger than the maximum value allowed by the broker (as configured by transaction.max.timeout.ms).";
    CONCURRENT_TRANSACTIONS = 51, "The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing.";
    TRANSACTION_COORDINATOR_FENCED = 52, "Indicates that the transaction coordinator sending a WriteTxnMarker is no longer the current coordinator for a given producer.";
    NON_EMPTY_GROUP = 68, "The group is not empty.";
    GROUP_ID_NOT_FOUND = 69, "The group id does not exist.";
    TOPIC_DELETION_DISABLED = 73, "Topic deletion is disabled.";
    FENCED_LEADER_EPOCH = 74, "The leader epoch in the request is older than the epoch on the broker.";
    UNKNOWN_LEADER_EPOCH = 75, "The leader epoch in the request is newer than the epoch on the broker.";
    STALE_BROKER_EPOCH = 77, "Broker epoch has changed.";
    OFFSET_NOT_AVAILABLE = 78, "The leader high watermark has not caught up from a recent leader election so the offsets cannot be guaranteed to be monotonically increasing.";
    MEMBER_ID_REQUIRED = 79, "The group member needs to have a valid member id before actually entering a consumer group.";
    PREFERRED_LEADER_NOT_AVAILABLE = 80, "The preferred leader was not available.";
    ELIGIBLE_LEADERS_NOT_AVAILABLE = 83, "Eligible topic partition leaders are not available.";
    ELECTION_NOT_NEEDED = 84, "Leader election not needed for topic partition.";
    GROUP_SUBSCRIBED_TO_TOPIC = 86, "Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.";
    INVALID_RECORD = 87, "This record has failed the validation on broker and hence will be rejected.";
    PRODUCER_FENCED = 90, "There is a newer producer with the same transactionalId which fences the current one.";
    UNKNOWN_TOPIC_ID = 100, "This server does not host this topic ID.";
    BROKER_ID_NOT_REGISTERED = 102, "The given broker ID was not registered.";
    TRANSACTIONAL_ID_NOT_FOUND = 105, "The transactionalId could not be found.";
}

impl ErrorCode {
    /// Whether Kafka's client treats the error as retriable (`RetriableException` subclasses).
    pub fn is_retriable(self) -> bool {
        matches!(
            self,
            ErrorCode::UNKNOWN_TOPIC_OR_PARTITION
                | ErrorCode::LEADER_NOT_AVAILABLE
                | ErrorCode::NOT_LEADER_OR_FOLLOWER
                | ErrorCode::REQUEST_TIMED_OUT
                | ErrorCode::NETWORK_EXCEPTION
                | ErrorCode::NOT_ENOUGH_REPLICAS
                | ErrorCode::NOT_ENOUGH_REPLICAS_AFTER_APPEND
                | ErrorCode::CORRUPT_MESSAGE
                | ErrorCode::FENCED_LEADER_EPOCH
                | ErrorCode::UNKNOWN_LEADER_EPOCH
                | ErrorCode::OFFSET_NOT_AVAILABLE
                | ErrorCode::NOT_CONTROLLER
                | ErrorCode::COORDINATOR_LOAD_IN_PROGRESS
                | ErrorCode::COORDINATOR_NOT_AVAILABLE
                | ErrorCode::NOT_COORDINATOR
                | ErrorCode::CONCURRENT_TRANSACTIONS
        )
    }
}

/// An error with Kafka's code and the exact message the tools print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaError {
    pub code: ErrorCode,
    pub message: String,
}

impl KafkaError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> KafkaError {
        KafkaError { code, message: message.into() }
    }
    /// The error with its protocol-level generic description.
    pub fn of(code: ErrorCode) -> KafkaError {
        KafkaError { code, message: code.default_message().to_string() }
    }
}

impl fmt::Display for KafkaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

impl std::error::Error for KafkaError {}

pub type KResult<T> = Result<T, KafkaError>;
