//! The simulated cluster.
//!
//! Everything in here is deterministic: time is simulated (milliseconds since the cluster started),
//! randomness comes from one seeded portable RNG, and all collections are ordered. Nothing here
//! may use a web crate, the wall clock or the OS's randomness (a test in `tests/purity.rs` checks).
//!
//! Map of the module:
//! - [`cluster`]: the [`Cluster`] (event loop, network, faults, read-only state);
//! - [`controller`]: the KRaft controller (sessions, fencing, elections, admin operations);
//! - [`broker`]: replication, HW, ISR, produce handling, consumer fetch and list-offsets;
//! - [`producer`]: producer clients (accumulator, partitioners, retries, timeouts);
//! - [`cleaner`]: the log cleaner (compaction); [`retention`]: segment deletion by time and size;
//! - [`consumer`]: consumer clients (group membership, fetch, positions, commits);
//! - [`group`]: the group coordinator (classic protocol, `__consumer_offsets`, group admin);
//! - [`txn`]: transactions (coordinator, `__transaction_state`, markers, the transactional client);
//! - [`assignor`]: the consumer group assignors (range, roundrobin, sticky, cooperative-sticky);
//! - [`ids`] and [`msg`]: the ids and messages every node shares (leaf modules);
//! - [`log`], [`config`], [`placement`], [`partitioner`], [`rng`], [`error`], [`event`],
//!   [`invariants`], [`violation`], [`digest`].
//!
//! ARCHITECTURE.md's table "Engine modules" says what each module may import; a test holds it.

pub mod app;
pub mod assignor;
pub mod broker;
pub mod budget;
pub mod cleaner;
pub mod client_config;
pub mod cluster;
pub mod config;
pub mod consumer;
pub mod controller;
pub mod digest;
pub mod error;
pub mod event;
pub mod javafmt;
pub mod group;
pub mod ids;
pub mod idle;
pub mod invariants;
pub mod log;
pub mod msg;
pub(crate) mod node;
pub mod partitioner;
pub mod placement;
pub mod producer;
pub mod retention;
pub mod rng;
pub mod txn;
pub mod violation;
pub mod workload;

pub use cleaner::{CleanReport, CleanerPass, LogToClean};
pub use retention::DeletionReason;
pub use broker::{FetchRequest, FetchResponse, Isolation, OffsetSpec};
pub use cluster::{BrokerId, BrokerStatus, Cluster, ClusterConfig, PartitionMeta, ProcessState, TopicMeta, NET_LATENCY_MS, ROUND_TRIP_MS, WALL_CLOCK_EPOCH_MS};
pub use config::{ConfigEntry, ConfigSource};
pub use controller::{AlterOp, ConfigResource, ElectionType, NewTopic, PartitionDescription, TopicDescription};
pub use error::{ErrorCode, KafkaError};
pub use event::{ElectionKind, Event, EventKind};
pub use invariants::Violation;
pub use log::{Header, Record, RecordRef};
pub use partitioner::PartitionerKind;
pub use producer::{ProducerConfig, ProducerId, ProducerRecord, ProducerWarning, SendId, SendResult};
pub use consumer::{ConsumerConfig, ConsumerId, ConsumerInfo, ConsumerLog, ConsumerRecord, MemberState, OffsetReset, Returned, RETURNED_RANGES_MAX};
pub use group::{CommittedOffset, GroupDescription, GroupListing, GroupState, MemberDescription};
pub use assignor::{Strategy, TopicPartition};
pub use log::{CompletedTxn, ControlType, ProducerBatchInfo};
pub use app::{AppSpec, AppStatus, Guarantee};
pub use txn::{TransactionDescription, TransactionListing, TransactionState, TxnClientState};
