//! What a consumer client holds: its config, group membership, assignment, positions and
//! fetched records, commits in flight. The Cluster keeps a `Consumer` per client; its handlers
//! (`client.rs`) act on it, and the Cluster's client API and router glue (`cluster/views.rs`)
//! call them.

use super::super::assignor::{self, Strategy, TopicPartition};
use super::super::msg::{FetchResponse, Isolation};
use super::super::error::{ErrorCode, KResult, KafkaError};
use super::super::ids::BrokerId;
use super::super::log::Header;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// `auto.offset.reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetReset {
    Earliest,
    Latest,
    None,
}

impl OffsetReset {
    pub fn parse(s: &str) -> Option<OffsetReset> {
        match s {
            "earliest" => Some(OffsetReset::Earliest),
            "latest" => Some(OffsetReset::Latest),
            "none" => Some(OffsetReset::None),
            _ => None,
        }
    }
}

/// Consumer settings (Java names in the docs).
#[derive(Clone, Debug)]
pub struct ConsumerConfig {
    /// `group.id`; None for a consumer that only uses `assign`.
    pub group_id: Option<String>,
    pub client_id: String,
    /// Shown as HOST by `kafka-consumer-groups`.
    pub host: String,
    pub auto_offset_reset: OffsetReset,
    pub enable_auto_commit: bool,
    pub auto_commit_interval_ms: i64,
    pub session_timeout_ms: i64,
    pub heartbeat_interval_ms: i64,
    pub max_poll_interval_ms: i64,
    pub max_poll_records: usize,
    pub partition_assignment_strategy: Vec<Strategy>,
    pub isolation_level: Isolation,
    pub retry_backoff_ms: i64,
    pub request_timeout_ms: i64,
    pub default_api_timeout_ms: i64,
    pub fetch_max_wait_ms: i64,
    pub max_partition_fetch_bytes: u64,
    pub metadata_max_age_ms: i64,
    /// `allow.auto.create.topics` (Java default true; librdkafka's consumer default false): the
    /// client's metadata request for a subscribed topic that does not exist asks the broker to
    /// create it (when the broker's `auto.create.topics.enable` allows too).
    pub allow_auto_create_topics: bool,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            group_id: None,
            client_id: "consumer".to_string(),
            host: "/127.0.0.1".to_string(),
            auto_offset_reset: OffsetReset::Latest,
            enable_auto_commit: true,
            auto_commit_interval_ms: 5_000,
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms: 300_000,
            max_poll_records: 500,
            partition_assignment_strategy: assignor::DEFAULT_STRATEGIES.to_vec(),
            isolation_level: Isolation::ReadUncommitted,
            retry_backoff_ms: 100,
            request_timeout_ms: 30_000,
            default_api_timeout_ms: 60_000,
            fetch_max_wait_ms: 500,
            max_partition_fetch_bytes: 1_048_576,
            metadata_max_age_ms: 300_000,
            allow_auto_create_topics: true,
        }
    }
}

impl ConsumerConfig {
    /// `ConfigDef`'s range checks on the timeouts, intervals and backoffs (Kafka's messages).
    pub fn check_ranges(&self) -> KResult<()> {
        use super::super::client_config::{check_at_least, CONSUMER_NUMBERS};
        let values = [
            ("auto.commit.interval.ms", self.auto_commit_interval_ms),
            ("default.api.timeout.ms", self.default_api_timeout_ms),
            ("fetch.max.wait.ms", self.fetch_max_wait_ms),
            ("max.poll.interval.ms", self.max_poll_interval_ms),
            ("metadata.max.age.ms", self.metadata_max_age_ms),
            ("request.timeout.ms", self.request_timeout_ms),
            ("retry.backoff.ms", self.retry_backoff_ms),
        ];
        for (name, n) in values {
            let min = CONSUMER_NUMBERS.iter().find(|d| d.0 == name).and_then(|d| d.2);
            check_at_least(name, n, min)?;
        }
        Ok(())
    }

    pub fn group(group_id: &str) -> ConsumerConfig {
        ConsumerConfig { group_id: Some(group_id.to_string()), ..Default::default() }
    }
}

/// A record as `poll` returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerRecord {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub timestamp_ms: i64,
    /// `LogAppendTime` rather than `CreateTime`.
    pub log_append_time: bool,
    pub leader_epoch: i32,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
}

/// What the client logs (INFO/WARN lines the shell may print, and hooks for the UI).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsumerLog {
    /// `Found no committed offset for partition <tp>`.
    FoundNoCommittedOffset { tp: TopicPartition },
    /// `Resetting offset for partition <tp> to position FetchPosition{offset=<n>, ...}.`
    ResettingOffset { tp: TopicPartition, offset: i64 },
    /// `Setting offset for partition <tp> to the committed offset FetchPosition{offset=<n>, ...}`.
    SettingOffsetToCommitted { tp: TopicPartition, offset: i64 },
    /// `Fetch position FetchPosition{offset=<n>...} is out of range for partition <tp>, resetting offset`.
    OffsetOutOfRange { tp: TopicPartition, offset: i64 },
    /// `consumer poll timeout has expired. ...` (the member left the group).
    PollTimeoutExpired,
    /// `The metadata response from the cluster reported a recoverable issue with correlation id
    /// <n> : {<topic>=<error>}` (NetworkClient WARN): a subscribed topic did not exist.
    MetadataIssue { correlation_id: u64, topic: String, error: ErrorCode },
    /// The member received its assignment for a generation.
    Assigned { generation: i32, member_id: String, added: Vec<TopicPartition>, revoked: Vec<TopicPartition> },
    /// A commit failed (asynchronous commits report here).
    CommitFailed { error: KafkaError },
}

/// The member's view of its group membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberState {
    Unjoined,
    /// JoinGroup sent.
    PreparingRebalance,
    /// SyncGroup sent.
    CompletingRebalance,
    Stable,
}

/// A snapshot for tests and the UI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerInfo {
    pub group_id: Option<String>,
    pub member_id: String,
    pub generation: i32,
    pub state: MemberState,
    pub coordinator: Option<BrokerId>,
    pub assignment: Vec<TopicPartition>,
    pub closed: bool,
}

/// Stretches of returned offsets kept per consumer and partition (see [`Returned`]).
pub const RETURNED_RANGES_MAX: usize = 4;

/// The offsets `poll` returned to the application on one partition since the consumer was
/// created, as `[from, to)` stretches in the order returned: a stretch that goes on where the last
/// one ended extends it; a seek, reset or new assignment starts another. Only the newest
/// [`RETURNED_RANGES_MAX`] are kept; `started` counts every stretch ever begun, so a reader can
/// tell which ones it has not seen (`ranges[i]` is stretch number `started - len + i`).
/// A stretch covers the offsets the position moved over, markers and gaps included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Returned {
    pub ranges: Vec<(i64, i64)>,
    pub started: u64,
}

impl Returned {
    /// `poll` moved the position from `from` to `to` returning records.
    pub(crate) fn note(&mut self, from: i64, to: i64) {
        if from >= to {
            return;
        }
        match self.ranges.last_mut() {
            Some(last) if last.1 == from => last.1 = to,
            _ => {
                self.ranges.push((from, to));
                self.started += 1;
                let excess = self.ranges.len().saturating_sub(RETURNED_RANGES_MAX);
                self.ranges.drain(..excess);
            }
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Inflight {
    pub(super) req_id: u64,
    pub(super) broker: BrokerId,
    pub(super) deadline_ms: i64,
}

#[derive(Clone, Debug, Default)]
pub(super) struct PartState {
    pub(super) position: Option<i64>,
    /// Fetched batches not yet returned; records from `cursor` on are next.
    pub(super) buffer: Option<(FetchResponse, i64)>,
    /// Waiting for seekToBeginning/End (resolved at the next step).
    pub(super) pending_reset: Option<OffsetReset>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    None,
    Subscribed(BTreeSet<String>),
    Assigned,
}

#[derive(Clone, Debug)]
pub(super) struct PendingCommit {
    pub(super) id: u64,
    pub(super) offsets: Vec<(TopicPartition, i64)>,
    /// Sent: the request in flight.
    pub(super) inflight: Option<Inflight>,
    pub(super) deadline_ms: i64,
    /// Retry retriable failures (synchronous commits) until the deadline.
    pub(super) retry: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Consumer {
    pub(super) config: ConsumerConfig,
    pub(super) closed: bool,
    pub(super) mode: Mode,
    pub(super) coordinator: Option<BrokerId>,
    pub(super) find_inflight: Option<Inflight>,
    pub(super) coordinator_retry_at_ms: i64,
    pub(super) member_id: String,
    pub(super) generation: i32,
    pub(super) state: MemberState,
    pub(super) is_leader: bool,
    pub(super) protocol: Option<Strategy>,
    pub(super) join_inflight: Option<Inflight>,
    pub(super) sync_inflight: Option<Inflight>,
    pub(super) hb_inflight: Option<Inflight>,
    pub(super) next_heartbeat_ms: i64,
    /// Left the group after a poll timeout: rejoin only on the next poll.
    pub(super) waiting_for_poll: bool,
    pub(super) join_retry_at_ms: i64,
    /// Partition counts the last assignment was computed from (leader: every group topic).
    pub(super) metadata_snapshot: BTreeMap<String, i32>,
    pub(super) next_metadata_check_ms: i64,
    pub(super) assignment: Vec<TopicPartition>,
    pub(super) parts: BTreeMap<TopicPartition, PartState>,
    /// Partitions with buffered data, in arrival order (poll drains them in this order).
    pub(super) ready: VecDeque<TopicPartition>,
    pub(super) offset_fetch_inflight: Option<(Inflight, Vec<TopicPartition>)>,
    pub(super) fetch_inflight: BTreeMap<BrokerId, (Inflight, Vec<(TopicPartition, i64)>)>,
    pub(super) fetch_retry_at_ms: i64,
    pub(super) commits: Vec<PendingCommit>,
    pub(super) commit_results: BTreeMap<u64, KResult<()>>,
    pub(super) last_poll_ms: i64,
    pub(super) next_auto_commit_ms: i64,
    pub(super) pending_error: Option<KafkaError>,
    pub(super) logs: Vec<ConsumerLog>,
    pub(super) wake_at: BTreeSet<i64>,
    /// What poll returned per partition (kept after close: the UI reads it).
    pub(super) returned: BTreeMap<TopicPartition, Returned>,
}

impl ConsumerConfig {
    /// `KafkaConsumer`'s constructor checks, with Kafka's messages, in the order it checks.
    pub(crate) fn validate(&self) -> KResult<()> {
        let invalid = |m: &str| Err(KafkaError::new(ErrorCode::INVALID_CONFIG, m.to_string()));
        if self.heartbeat_interval_ms <= 0 || self.heartbeat_interval_ms >= self.session_timeout_ms {
            return invalid("Heartbeat must be set lower than the session timeout");
        }
        if self.max_poll_records == 0 {
            return invalid("Invalid value 0 for configuration max.poll.records: Value must be at least 1");
        }
        if self.partition_assignment_strategy.is_empty() {
            return invalid("Invalid value  for configuration partition.assignment.strategy: Partition assignor list must not be empty");
        }
        self.check_ranges()?;
        if self.group_id.as_deref() == Some("") {
            return Err(KafkaError::new(ErrorCode::INVALID_GROUP_ID, "The configured groupId is invalid"));
        }
        Ok(())
    }
}

// ----- what the Cluster's client API asks of the consumer (create, views, commits)
impl Consumer {
    /// A new consumer client created at `now_ms`, or the ConfigException its config gets.
    pub(crate) fn new(config: ConsumerConfig, now_ms: i64) -> KResult<Consumer> {
        config.validate()?;
        let next_auto_commit_ms = now_ms + config.auto_commit_interval_ms;
        Ok(Consumer {
            config,
            closed: false,
            mode: Mode::None,
            coordinator: None,
            find_inflight: None,
            coordinator_retry_at_ms: 0,
            member_id: String::new(),
            generation: -1,
            state: MemberState::Unjoined,
            is_leader: false,
            protocol: None,
            join_inflight: None,
            sync_inflight: None,
            hb_inflight: None,
            next_heartbeat_ms: 0,
            waiting_for_poll: false,
            join_retry_at_ms: 0,
            metadata_snapshot: BTreeMap::new(),
            next_metadata_check_ms: 0,
            assignment: Vec::new(),
            parts: BTreeMap::new(),
            ready: VecDeque::new(),
            offset_fetch_inflight: None,
            fetch_inflight: BTreeMap::new(),
            fetch_retry_at_ms: 0,
            commits: Vec::new(),
            commit_results: BTreeMap::new(),
            last_poll_ms: now_ms,
            next_auto_commit_ms,
            pending_error: None,
            logs: Vec::new(),
            wake_at: BTreeSet::new(),
            returned: BTreeMap::new(),
        })
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// The position (next offset to return) of an assigned partition, if known.
    pub(crate) fn position(&self, tp: &TopicPartition) -> Option<i64> {
        self.parts.get(tp)?.position
    }

    /// A snapshot of the membership for tests and the UI.
    pub(crate) fn info(&self) -> ConsumerInfo {
        ConsumerInfo {
            group_id: self.config.group_id.clone(),
            member_id: self.member_id.clone(),
            generation: self.generation,
            state: self.state,
            coordinator: self.coordinator,
            assignment: self.assignment.clone(),
            closed: self.closed,
        }
    }

    /// The offsets `poll` returned, per partition (see [`Returned`]).
    pub(crate) fn returned(&self) -> Vec<(TopicPartition, Returned)> {
        self.returned.iter().map(|(tp, r)| (tp.clone(), r.clone())).collect()
    }

    /// Client log lines since the last call.
    pub(crate) fn take_logs(&mut self) -> Vec<ConsumerLog> {
        std::mem::take(&mut self.logs)
    }

    pub(crate) fn group_id(&self) -> Option<&str> {
        self.config.group_id.as_deref()
    }

    /// `default.api.timeout.ms`: how long a synchronous commit retries.
    pub(crate) fn default_api_timeout_ms(&self) -> i64 {
        self.config.default_api_timeout_ms
    }

    /// `close()` commits the positions first: auto-commit on, in a group it joined.
    pub(crate) fn commits_on_close(&self) -> bool {
        self.config.enable_auto_commit && self.config.group_id.is_some() && self.generation >= 0
    }

    /// What a commit call commits: `offsets`, or the positions of the assigned partitions;
    /// the error Kafka throws when the consumer has no `group.id`.
    pub(crate) fn offsets_to_commit(&self, offsets: Option<BTreeMap<TopicPartition, i64>>) -> KResult<Vec<(TopicPartition, i64)>> {
        if self.config.group_id.is_none() {
            return Err(KafkaError::new(ErrorCode::INVALID_GROUP_ID, "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration."));
        }
        Ok(offsets.map_or_else(|| self.consumed(), |m| m.into_iter().collect()))
    }

    /// Whether commit `id` (from `queue_commit`) has its outcome.
    pub(crate) fn has_commit_result(&self, id: u64) -> bool {
        self.commit_results.contains_key(&id)
    }

    /// A caller collects the outcome of commit `id`: the log then keeps only the failures of
    /// commits nobody waits for (asynchronous ones).
    pub(crate) fn take_commit_result(&mut self, id: u64) -> Option<KResult<()>> {
        let r = self.commit_results.remove(&id)?;
        self.forget_commit_failures();
        Some(r)
    }

    /// A synchronous call reports the outcome itself: drop the logged commit failures.
    pub(crate) fn forget_commit_failures(&mut self) {
        self.logs.retain(|l| !matches!(l, ConsumerLog::CommitFailed { .. }));
    }
}
