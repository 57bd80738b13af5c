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
//! time through a [`Ctx`]. This file is its router glue and the application's API.
//!
//! Simplifications (noted for the report): partition counts and leaders come from the
//! controller's metadata image at the moment the client needs them (no client metadata cache or
//! MetadataRequest: the `Ctx`'s [`ClientView`] answers at once), ListOffsets for a reset is
//! answered at once, and a request to a broker that crashed fails at the client's next step
//! instead of after a TCP timeout.

use std::collections::{BTreeMap, BTreeSet};
use super::assignor::TopicPartition;
use super::cluster::*;
use super::error::{ErrorCode, KResult, KafkaError};
use super::ids::CONSUMER_ID_BASE;
use super::msg::{GroupMsg, OffsetSpec};
use super::node::{ClientView, Ctx};
use std::collections::VecDeque;

pub use super::ids::ConsumerId;

mod client;
pub(crate) mod state;
pub use state::{ConsumerConfig, ConsumerInfo, ConsumerLog, ConsumerRecord, MemberState, OffsetReset, Returned, RETURNED_RANGES_MAX};
pub(crate) use state::*;

// ----- router glue and views (issue 21: moves to cluster/ at consolidation)
impl Cluster {
    /// Runs `f` on consumer `c` with a [`Ctx`] (the brokers a client reaches now, and what its
    /// metadata and ListOffsets requests answer: the cluster itself, as [`ClientView`]), then
    /// routes its outputs in order. None when there is no such consumer.
    ///
    /// The view borrows the whole cluster, so the consumer is taken out of its map and the
    /// handler draws request ids and randomness from copies written back after it.
    pub(crate) fn with_consumer<R>(&mut self, c: ConsumerId, f: impl FnOnce(&mut Consumer, &mut Ctx) -> R) -> Option<R> {
        let mut x = self.consumers.remove(&c)?;
        let reachable = self.client_reachable_brokers();
        let (mut rng, mut next_id) = (self.rng.clone(), self.next_id);
        let mut ctx = Ctx::new(self.now_ms, &mut rng, &mut next_id).with_reachable(&reachable).with_view(&*self);
        let r = f(&mut x, &mut ctx);
        let outputs = ctx.into_outputs();
        (self.rng, self.next_id) = (rng, next_id);
        self.consumers.insert(c, x);
        self.route(outputs);
        Some(r)
    }

    /// Consumer `c`'s wake-up timer fired.
    pub(crate) fn consumer_wake(&mut self, c: ConsumerId) {
        self.with_consumer(c, |x, ctx| x.on_wake(c, ctx));
    }

    /// A group-protocol or fetch answer reached consumer `c`.
    pub(crate) fn consumer_receive(&mut self, c: ConsumerId, msg: GroupMsg) {
        self.with_consumer(c, |x, ctx| x.receive(c, msg, ctx));
    }

    pub(crate) fn consumer_step(&mut self, c: ConsumerId) {
        self.with_consumer(c, |x, ctx| x.step(c, ctx));
    }

    /// A number in `0..n` from the cluster's seeded RNG (tools use it, e.g. the console
    /// consumer's `console-consumer-<n>` group id).
    pub fn random_below(&mut self, n: u64) -> u64 {
        self.rng.below(n.max(1))
    }

    pub fn create_consumer(&mut self, config: ConsumerConfig) -> KResult<ConsumerId> {
        let invalid = |m: String| Err(KafkaError::new(ErrorCode::INVALID_CONFIG, m));
        if config.heartbeat_interval_ms <= 0 || config.heartbeat_interval_ms >= config.session_timeout_ms {
            return invalid("Heartbeat must be set lower than the session timeout".to_string());
        }
        if config.max_poll_records == 0 {
            return invalid("Invalid value 0 for configuration max.poll.records: Value must be at least 1".to_string());
        }
        if config.partition_assignment_strategy.is_empty() {
            return invalid("Invalid value  for configuration partition.assignment.strategy: Partition assignor list must not be empty".to_string());
        }
        config.check_ranges()?;
        if config.group_id.as_deref() == Some("") {
            return Err(KafkaError::new(ErrorCode::INVALID_GROUP_ID, "The configured groupId is invalid"));
        }
        let id = CONSUMER_ID_BASE + self.next_consumer_id;
        self.next_consumer_id += 1;
        let now = self.now_ms;
        let next_auto = now + config.auto_commit_interval_ms;
        self.consumers.insert(
            id,
            Consumer {
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
                last_poll_ms: now,
                next_auto_commit_ms: next_auto,
                pending_error: None,
                logs: Vec::new(),
                wake_at: BTreeSet::new(),
                returned: BTreeMap::new(),
            },
        );
        Ok(id)
    }

    pub(crate) fn consumer_ref(&self, c: ConsumerId) -> KResult<&Consumer> {
        self.consumers.get(&c).filter(|x| !x.closed).ok_or_else(consumer_closed)
    }

    pub(crate) fn consumer_mut(&mut self, c: ConsumerId) -> KResult<&mut Consumer> {
        self.consumers.get_mut(&c).filter(|x| !x.closed).ok_or_else(consumer_closed)
    }

    /// `subscribe(topics)`: group management (needs a `group.id`).
    pub fn subscribe(&mut self, c: ConsumerId, topics: &[&str]) -> KResult<()> {
        let set = self.consumer_mut(c)?.subscribe(topics)?;
        let missing: Vec<String> = set.into_iter().filter(|t| ClientView::partition_count(self, t) == 0).collect();
        for topic in &missing {
            self.consumer_metadata_for_missing_topic(c, topic);
        }
        self.consumer_step(c);
        Ok(())
    }

    /// `assign(partitions)`: manual assignment, no group membership.
    pub fn assign(&mut self, c: ConsumerId, partitions: &[TopicPartition]) -> KResult<()> {
        self.consumer_mut(c)?.assign(partitions)?;
        self.consumer_step(c);
        Ok(())
    }

    /// `seek(tp, offset)`: the next poll returns records from `offset`.
    pub fn seek(&mut self, c: ConsumerId, tp: &TopicPartition, offset: i64) -> KResult<()> {
        if offset < 0 {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, "seek offset must not be a negative number"));
        }
        self.consumer_mut(c)?.seek(tp, offset)
    }

    /// `seekToBeginning` / `seekToEnd` (resolved lazily, like Kafka).
    pub fn seek_to(&mut self, c: ConsumerId, tps: &[TopicPartition], reset: OffsetReset) -> KResult<()> {
        self.consumer_mut(c)?.seek_to(tps, reset)?;
        self.consumer_step(c);
        Ok(())
    }

    /// The position (next offset to return) of an assigned partition, if known.
    pub fn position(&self, c: ConsumerId, tp: &TopicPartition) -> Option<i64> {
        self.consumers.get(&c)?.parts.get(tp)?.position
    }

    pub fn consumer_info(&self, c: ConsumerId) -> Option<ConsumerInfo> {
        let x = self.consumers.get(&c)?;
        Some(ConsumerInfo {
            group_id: x.config.group_id.clone(),
            member_id: x.member_id.clone(),
            generation: x.generation,
            state: x.state,
            coordinator: x.coordinator,
            assignment: x.assignment.clone(),
            closed: x.closed,
        })
    }

    /// Every consumer created, closed ones included (their `returned` stays readable).
    pub fn all_consumer_ids(&self) -> Vec<ConsumerId> {
        self.consumers.keys().copied().collect()
    }

    /// The offsets `poll` returned to the application, per partition (see [`Returned`]); a
    /// closed consumer keeps what it returned.
    pub fn returned(&self, c: ConsumerId) -> Vec<(TopicPartition, Returned)> {
        self.consumers.get(&c).map_or_else(Vec::new, |x| x.returned.iter().map(|(tp, r)| (tp.clone(), r.clone())).collect())
    }

    pub fn consumer_ids(&self) -> Vec<ConsumerId> {
        self.consumers.iter().filter(|(_, x)| !x.closed).map(|(id, _)| *id).collect()
    }

    /// Client log lines since the last call.
    pub fn take_consumer_logs(&mut self, c: ConsumerId) -> Vec<ConsumerLog> {
        self.consumers.get_mut(&c).map_or_else(Vec::new, |x| std::mem::take(&mut x.logs))
    }

    /// `poll`: the records fetched so far (at most `max.poll.records`), positions advanced.
    pub fn poll(&mut self, c: ConsumerId) -> KResult<Vec<ConsumerRecord>> {
        self.consumer_mut(c)?;
        self.with_consumer(c, |x, ctx| x.poll(c, ctx)).unwrap_or_else(|| Err(consumer_closed()))
    }

    pub(crate) fn queue_commit(&mut self, c: ConsumerId, offsets: Vec<(TopicPartition, i64)>, retry: bool) -> u64 {
        self.with_consumer(c, |x, ctx| x.queue_commit(c, offsets, retry, ctx)).unwrap_or(0)
    }

    /// `commitAsync`: commits `offsets` (or the current positions). Failures show up as
    /// [`ConsumerLog::CommitFailed`].
    pub fn commit_async(&mut self, c: ConsumerId, offsets: Option<BTreeMap<TopicPartition, i64>>) -> KResult<()> {
        let x = self.consumer_ref(c)?;
        if x.config.group_id.is_none() {
            return Err(KafkaError::new(ErrorCode::INVALID_GROUP_ID, "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration."));
        }
        let offsets = offsets.map_or_else(|| x.consumed(), |m| m.into_iter().collect());
        if !offsets.is_empty() {
            self.queue_commit(c, offsets, false);
        }
        Ok(())
    }

    /// `commitSync`: commits `offsets` (or the current positions) and runs the simulation until
    /// the coordinator answered (retrying retriable errors up to `default.api.timeout.ms`).
    pub fn commit_sync(&mut self, c: ConsumerId, offsets: Option<BTreeMap<TopicPartition, i64>>) -> KResult<()> {
        let x = self.consumer_ref(c)?;
        if x.config.group_id.is_none() {
            return Err(KafkaError::new(ErrorCode::INVALID_GROUP_ID, "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration."));
        }
        let limit = x.config.default_api_timeout_ms + 1_000;
        let offsets = offsets.map_or_else(|| x.consumed(), |m| m.into_iter().collect());
        if offsets.is_empty() {
            return Ok(());
        }
        let id = self.queue_commit(c, offsets, true);
        self.run_while(limit, |cl| cl.consumers.get(&c).is_none_or(|x| x.commit_results.contains_key(&id)));
        let x = self.consumers.get_mut(&c).ok_or_else(|| KafkaError::of(ErrorCode::INVALID_REQUEST))?;
        // This call reported the outcome; the log keeps only asynchronous failures.
        x.logs.retain(|l| !matches!(l, ConsumerLog::CommitFailed { .. }));
        x.commit_results.remove(&id).unwrap_or_else(|| Err(KafkaError::new(ErrorCode::REQUEST_TIMED_OUT, format!("Timeout of {}ms expired before successfully committing offsets", limit - 1_000))))
    }

    /// `committed(partitions)` from the coordinator (admin path, synchronous).
    pub fn committed(&mut self, c: ConsumerId) -> KResult<BTreeMap<TopicPartition, i64>> {
        let group = self.consumer_ref(c)?.config.group_id.clone().ok_or_else(|| KafkaError::of(ErrorCode::INVALID_GROUP_ID))?;
        Ok(self.list_group_offsets(&group)?.into_iter().map(|(tp, o)| (tp, o.offset)).collect())
    }

    /// `close()`: commits the positions (auto-commit), leaves the group, and stops.
    pub fn close_consumer(&mut self, c: ConsumerId) -> KResult<()> {
        let x = self.consumer_ref(c)?;
        if x.config.enable_auto_commit && x.config.group_id.is_some() && x.generation >= 0 {
            let _ = self.commit_sync(c, None);
        }
        self.with_consumer(c, |x, ctx| x.close(c, ctx));
        Ok(())
    }

    /// The client process dies: no LeaveGroup, no commit. The coordinator notices after the
    /// session timeout.
    pub fn crash_consumer(&mut self, c: ConsumerId) -> KResult<()> {
        self.consumer_mut(c)?.shut();
        Ok(())
    }

    /// `commitAsync` whose outcome the caller collects with [`Cluster::take_commit_result`]
    /// (retriable errors are retried up to `default.api.timeout.ms`).
    pub fn commit_tracked(&mut self, c: ConsumerId, offsets: BTreeMap<TopicPartition, i64>) -> KResult<u64> {
        let x = self.consumer_ref(c)?;
        if x.config.group_id.is_none() {
            return Err(KafkaError::new(ErrorCode::INVALID_GROUP_ID, "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration."));
        }
        Ok(self.queue_commit(c, offsets.into_iter().collect(), true))
    }

    /// The outcome of a [`Cluster::commit_tracked`] commit, once known.
    pub fn take_commit_result(&mut self, c: ConsumerId, id: u64) -> Option<KResult<()>> {
        let x = self.consumers.get_mut(&c)?;
        let r = x.commit_results.remove(&id)?;
        x.logs.retain(|l| !matches!(l, ConsumerLog::CommitFailed { .. }));
        Some(r)
    }
}

/// What the cluster tells a client's metadata and ListOffsets requests: its current image (the
/// consumer's simplification, see the module docs).
impl ClientView for Cluster {
    fn partition_count(&self, topic: &str) -> i32 {
        self.ctl.by_name.get(topic).and_then(|i| self.ctl.topics.get(i)).map_or(0, |t| t.partitions.len() as i32)
    }

    fn leader(&self, topic: &str, partition: i32) -> Option<BrokerId> {
        let t = self.ctl.by_name.get(topic).and_then(|i| self.ctl.topics.get(i))?;
        t.partitions.get(usize::try_from(partition).ok()?)?.leader
    }

    fn list_offset(&self, topic: &str, partition: i32, spec: OffsetSpec) -> Option<i64> {
        self.list_offsets(topic, partition, spec).ok().map(|(o, _)| o)
    }
}

fn consumer_closed() -> KafkaError {
    KafkaError::new(ErrorCode::INVALID_REQUEST, "This consumer has already been closed.")
}
