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
//! Simplifications (noted for the report): partition counts and leaders come from the
//! controller's metadata image at the moment the client needs them (no client metadata cache or
//! MetadataRequest), ListOffsets for a reset is answered at once, and a request to a broker that
//! crashed fails at the client's next step instead of after a TCP timeout.

use std::collections::{BTreeMap, BTreeSet};
use super::assignor::{self, Member, Strategy, Subscription, TopicPartition};
use super::msg::OffsetSpec;
use super::cluster::*;
use super::error::{ErrorCode, KResult, KafkaError};
use super::ids::CONSUMER_ID_BASE;
use super::msg::{FetchResponse, GroupEv, GroupMsg, JoinOk};
use std::collections::VecDeque;

pub use super::ids::ConsumerId;

pub(crate) mod state;
pub use state::{ConsumerConfig, ConsumerInfo, ConsumerLog, ConsumerRecord, MemberState, OffsetReset, Returned, RETURNED_RANGES_MAX};
pub(crate) use state::*;


fn commit_failed() -> String {
    "Commit cannot be completed since the group has already rebalanced and assigned the partitions to another member. This means that the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time message processing. You can address this either by increasing max.poll.interval.ms or by reducing the maximum size of batches returned in poll() with max.poll.records.".to_string()
}

fn tp_string(tp: &TopicPartition) -> String {
    format!("{}-{}", tp.topic, tp.partition)
}

impl Cluster {
    // ----- lifecycle -----

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

    fn consumer_ref(&self, c: ConsumerId) -> KResult<&Consumer> {
        self.consumers.get(&c).filter(|x| !x.closed).ok_or_else(|| KafkaError::new(ErrorCode::INVALID_REQUEST, "This consumer has already been closed."))
    }

    fn consumer_mut(&mut self, c: ConsumerId) -> KResult<&mut Consumer> {
        self.consumers.get_mut(&c).filter(|x| !x.closed).ok_or_else(|| KafkaError::new(ErrorCode::INVALID_REQUEST, "This consumer has already been closed."))
    }

    /// `subscribe(topics)`: group management (needs a `group.id`).
    pub fn subscribe(&mut self, c: ConsumerId, topics: &[&str]) -> KResult<()> {
        let x = self.consumer_mut(c)?;
        if x.config.group_id.is_none() {
            return Err(KafkaError::new(
                ErrorCode::INVALID_GROUP_ID,
                "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration.",
            ));
        }
        if x.mode == Mode::Assigned {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, "Subscription to topics, partitions and pattern are mutually exclusive"));
        }
        if topics.iter().any(|t| t.trim().is_empty()) {
            return Err(KafkaError::new(ErrorCode::INVALID_TOPIC_EXCEPTION, "Topic collection to subscribe to cannot contain null or empty topic"));
        }
        let set: BTreeSet<String> = topics.iter().map(|t| t.to_string()).collect();
        let changed = x.mode != Mode::Subscribed(set.clone());
        x.mode = if set.is_empty() { Mode::None } else { Mode::Subscribed(set.clone()) };
        if changed && x.state != MemberState::Unjoined {
            // A changed subscription makes the member rejoin.
            x.state = MemberState::Unjoined;
        }
        let missing: Vec<String> = set.into_iter().filter(|t| !self.ctl.by_name.contains_key(t)).collect();
        for topic in &missing {
            self.consumer_metadata_for_missing_topic(c, topic);
        }
        self.consumer_step(c);
        Ok(())
    }

    /// The client's first metadata request for a subscribed topic the cluster does not know.
    /// Its `allowAutoTopicCreation` is `allow.auto.create.topics`; a broker with
    /// `auto.create.topics.enable` then creates the topic with the broker defaults
    /// (`num.partitions`, `default.replication.factor`) and answers LEADER_NOT_AVAILABLE, which
    /// the client logs as a WARN and retries; the next metadata refresh finds the leaders.
    /// Otherwise the answer is UNKNOWN_TOPIC_OR_PARTITION and the member simply owns nothing of
    /// it (logged once here; the real client repeats the WARN on each metadata refresh).
    fn consumer_metadata_for_missing_topic(&mut self, c: ConsumerId, topic: &str) {
        // Matches the console producer's first metadata request after ApiVersions; the
        // consumer's FindCoordinator goes first, hence 2.
        const CORRELATION_ID: u64 = 2;
        let allow = self.consumers.get(&c).is_some_and(|x| x.config.allow_auto_create_topics);
        let broker_allows = self.broker_bool("auto.create.topics.enable");
        let forwarded = self.ctl.active.is_some_and(|active| {
            self.brokers.keys().any(|&b| self.client_reaches(b) && self.brokers_connected(b, active))
        });
        let error = if allow && broker_allows {
            if forwarded {
                let req = super::controller::NewTopic { name: topic.to_string(), ..Default::default() };
                match self.create_topic_now(&req) {
                    Err(e) if e.code == ErrorCode::INVALID_TOPIC_EXCEPTION => ErrorCode::INVALID_TOPIC_EXCEPTION,
                    _ => ErrorCode::LEADER_NOT_AVAILABLE,
                }
            } else {
                ErrorCode::LEADER_NOT_AVAILABLE
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

    /// `assign(partitions)`: manual assignment, no group membership.
    pub fn assign(&mut self, c: ConsumerId, partitions: &[TopicPartition]) -> KResult<()> {
        let x = self.consumer_mut(c)?;
        if matches!(x.mode, Mode::Subscribed(_)) {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, "Subscription to topics, partitions and pattern are mutually exclusive"));
        }
        x.mode = Mode::Assigned;
        let new: BTreeSet<TopicPartition> = partitions.iter().cloned().collect();
        x.parts.retain(|tp, _| new.contains(tp));
        for tp in &new {
            x.parts.entry(tp.clone()).or_default();
        }
        x.ready.retain(|tp| new.contains(tp));
        x.assignment = new.into_iter().collect();
        self.consumer_step(c);
        Ok(())
    }

    fn check_assigned(x: &Consumer, tp: &TopicPartition) -> KResult<()> {
        if x.parts.contains_key(tp) {
            Ok(())
        } else {
            Err(KafkaError::new(ErrorCode::INVALID_REQUEST, format!("No current assignment for partition {}", tp_string(tp))))
        }
    }

    /// `seek(tp, offset)`: the next poll returns records from `offset`.
    pub fn seek(&mut self, c: ConsumerId, tp: &TopicPartition, offset: i64) -> KResult<()> {
        if offset < 0 {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, "seek offset must not be a negative number"));
        }
        let x = self.consumer_mut(c)?;
        Self::check_assigned(x, tp)?;
        let p = x.parts.get_mut(tp).expect("checked");
        p.position = Some(offset);
        p.buffer = None;
        p.pending_reset = None;
        x.ready.retain(|t| t != tp);
        Ok(())
    }

    /// `seekToBeginning` / `seekToEnd` (resolved lazily, like Kafka).
    pub fn seek_to(&mut self, c: ConsumerId, tps: &[TopicPartition], reset: OffsetReset) -> KResult<()> {
        let x = self.consumer_mut(c)?;
        for tp in tps {
            Self::check_assigned(x, tp)?;
        }
        for tp in tps {
            let p = x.parts.get_mut(tp).expect("checked");
            p.position = None;
            p.buffer = None;
            p.pending_reset = Some(reset);
            x.ready.retain(|t| t != tp);
        }
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
        let now = self.now_ms;
        let x = self.consumer_mut(c)?;
        x.last_poll_ms = now;
        x.waiting_for_poll = false;
        if let Some(e) = x.pending_error.take() {
            return Err(e);
        }
        if x.config.enable_auto_commit && x.config.group_id.is_some() && now >= x.next_auto_commit_ms {
            x.next_auto_commit_ms = now + x.config.auto_commit_interval_ms;
            let offsets = Self::consumed(x);
            if !offsets.is_empty() {
                self.queue_commit(c, offsets, false);
            }
        }
        let x = self.consumers.get_mut(&c).expect("checked");
        let max = x.config.max_poll_records;
        let mut out = Vec::new();
        while out.len() < max {
            let Some(tp) = x.ready.front().cloned() else { break };
            let Some(p) = x.parts.get_mut(&tp) else {
                x.ready.pop_front();
                continue;
            };
            let exhausted = match (&p.buffer, p.position) {
                (Some((resp, cursor)), Some(pos)) if *cursor == pos => {
                    let mut next = pos;
                    let room = max - out.len();
                    let mut taken = 0;
                    for r in resp.records().filter(|r| r.offset >= pos).take(room) {
                        taken += 1;
                        out.push(ConsumerRecord {
                            topic: tp.topic.clone(),
                            partition: tp.partition,
                            offset: r.offset,
                            timestamp_ms: r.timestamp_ms,
                            log_append_time: r.log_append_time,
                            leader_epoch: r.leader_epoch,
                            key: r.key.map(|k| k.to_vec()),
                            value: r.value.map(|v| v.to_vec()),
                            headers: r.headers.to_vec(),
                        });
                        next = r.offset + 1;
                    }
                    if taken < room {
                        // Everything left was returned: the position moves past what holds no
                        // record for us (transaction markers, aborted batches, compaction gaps).
                        next = next.max(resp.end_offset);
                    }
                    debug_assert!(next <= resp.high_watermark, "positions never pass the high watermark");
                    p.position = Some(next);
                    if taken > 0 {
                        x.returned.entry(tp.clone()).or_default().note(pos, next);
                    }
                    if next >= resp.end_offset {
                        true
                    } else {
                        p.buffer.as_mut().expect("matched").1 = next;
                        false
                    }
                }
                _ => true,
            };
            if exhausted {
                p.buffer = None;
                x.ready.pop_front();
            }
        }
        self.consumer_step(c);
        Ok(out)
    }

    /// Positions of the assigned partitions (what auto-commit and `commitSync()` commit).
    fn consumed(x: &Consumer) -> Vec<(TopicPartition, i64)> {
        x.parts.iter().filter_map(|(tp, p)| p.position.map(|o| (tp.clone(), o))).collect()
    }

    fn queue_commit(&mut self, c: ConsumerId, offsets: Vec<(TopicPartition, i64)>, retry: bool) -> u64 {
        let id = self.next_id();
        let now = self.now_ms;
        if let Some(x) = self.consumers.get_mut(&c) {
            let deadline_ms = now + x.config.default_api_timeout_ms;
            x.commits.push(PendingCommit { id, offsets, inflight: None, deadline_ms, retry });
        }
        self.consumer_step(c);
        id
    }

    /// `commitAsync`: commits `offsets` (or the current positions). Failures show up as
    /// [`ConsumerLog::CommitFailed`].
    pub fn commit_async(&mut self, c: ConsumerId, offsets: Option<BTreeMap<TopicPartition, i64>>) -> KResult<()> {
        let x = self.consumer_ref(c)?;
        if x.config.group_id.is_none() {
            return Err(KafkaError::new(ErrorCode::INVALID_GROUP_ID, "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration."));
        }
        let offsets = offsets.map_or_else(|| Self::consumed(x), |m| m.into_iter().collect());
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
        let offsets = offsets.map_or_else(|| Self::consumed(x), |m| m.into_iter().collect());
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
        let x = self.consumers.get_mut(&c).expect("checked");
        if let (Some(b), Some(g), false) = (x.coordinator, x.config.group_id.clone(), x.member_id.is_empty()) {
            let member_id = x.member_id.clone();
            let req_id = self.next_id;
            self.next_id += 1;
            self.net_send(None, Dest::Broker(b), Msg::Group(Box::new(GroupMsg::Leave { consumer: c, req_id, group: g, member_id })));
        }
        self.shut_consumer(c);
        Ok(())
    }

    /// The client process dies: no LeaveGroup, no commit. The coordinator notices after the
    /// session timeout.
    pub fn crash_consumer(&mut self, c: ConsumerId) -> KResult<()> {
        self.consumer_ref(c)?;
        self.shut_consumer(c);
        Ok(())
    }

    fn shut_consumer(&mut self, c: ConsumerId) {
        if let Some(x) = self.consumers.get_mut(&c) {
            x.closed = true;
            x.parts.clear();
            x.ready.clear();
            x.assignment.clear();
            x.commits.clear();
            x.state = MemberState::Unjoined;
        }
    }

    // ----- the client's state machine -----

    fn wake_consumer_at(&mut self, c: ConsumerId, at_ms: i64) {
        let now = self.now_ms;
        let Some(x) = self.consumers.get_mut(&c) else { return };
        let at = at_ms.max(now);
        while x.wake_at.first().is_some_and(|t| *t < now) {
            x.wake_at.pop_first();
        }
        if x.wake_at.first().is_some_and(|t| *t <= at) && x.wake_at.contains(&at) {
            return;
        }
        if x.wake_at.contains(&at) {
            return;
        }
        x.wake_at.insert(at);
        self.schedule(at - now, Ev::Group(GroupEv::ConsumerWake { consumer: c }));
    }

    pub(crate) fn consumer_wake(&mut self, c: ConsumerId) {
        let now = self.now_ms;
        if let Some(x) = self.consumers.get_mut(&c) {
            x.wake_at.remove(&now);
        }
        self.consumer_step(c);
    }

    fn send_to(&mut self, c: ConsumerId, b: BrokerId, timeout_ms: i64, make: impl FnOnce(u64) -> GroupMsg) -> Inflight {
        let req_id = self.next_id();
        let msg = make(req_id);
        self.net_send(None, Dest::Broker(b), Msg::Group(Box::new(msg)));
        let _ = c;
        Inflight { req_id, broker: b, deadline_ms: self.now_ms + timeout_ms }
    }

    fn any_reachable_broker(&self) -> Option<BrokerId> {
        self.brokers.keys().copied().find(|b| self.client_reaches(*b))
    }

    /// The coordinator is gone or moved: forget it (requests to it fail).
    fn coordinator_unknown(x: &mut Consumer) {
        x.coordinator = None;
        x.hb_inflight = None;
        if x.join_inflight.take().is_some() || x.sync_inflight.take().is_some() {
            x.state = MemberState::Unjoined;
        }
        x.offset_fetch_inflight = None;
        for pc in x.commits.iter_mut() {
            pc.inflight = None;
        }
    }

    fn reset_generation(x: &mut Consumer, reset_member_id: bool) {
        x.generation = -1;
        if reset_member_id {
            x.member_id.clear();
        }
        x.state = MemberState::Unjoined;
        x.is_leader = false;
        // The partitions are lost (no commit: another member may own them now).
        x.assignment.clear();
        x.parts.clear();
        x.ready.clear();
    }

    fn fail_commit(&mut self, c: ConsumerId, idx: usize, e: KafkaError) {
        let Some(x) = self.consumers.get_mut(&c) else { return };
        let pc = x.commits.remove(idx);
        x.commit_results.insert(pc.id, Err(e.clone()));
        x.logs.push(ConsumerLog::CommitFailed { error: e });
    }

    /// Everything the client does on its own: expire requests, find the coordinator, join, sync,
    /// heartbeat, look up positions, send commits and fetches; then schedule its next wake-up.
    /// One step of consumer `c`'s background work: drop dead requests, leave after a poll
    /// timeout, find the coordinator, keep the membership, positions, commits, fetches, and set
    /// the next wake-up.
    pub(crate) fn consumer_step(&mut self, c: ConsumerId) {
        let now = self.now_ms;
        let Some(x) = self.consumers.get(&c) else { return };
        if x.closed {
            return;
        }
        // 1. Requests that can no longer be answered.
        self.consumer_drop_dead_requests(c, now);
        let x = self.consumers.get_mut(&c).expect("exists");
        let group = x.config.group_id.clone();
        let subscribed = matches!(x.mode, Mode::Subscribed(_));
        // 2. max.poll.interval.ms: the member leaves until the application polls again.
        self.consumer_check_poll_interval(c, now, subscribed, &group);
        let x = self.consumers.get_mut(&c).expect("exists");
        let needs_coordinator = group.is_some() && (subscribed || !x.commits.is_empty() || x.parts.values().any(|p| p.position.is_none() && p.pending_reset.is_none()));
        // 3. Coordinator discovery.
        if needs_coordinator && x.coordinator.is_none() && x.find_inflight.is_none() && now >= x.coordinator_retry_at_ms {
            self.consumer_find_coordinator(c, now, group.clone().expect("group mode"));
        }
        // 4. Membership.
        self.consumer_keep_membership(c, now, subscribed, group);
        // 5. Positions: committed offsets (group) or the reset policy.
        self.consumer_resolve_positions(c);
        // 6. Commits.
        self.consumer_send_commits(c);
        // 7. Fetches.
        self.consumer_send_fetches(c);
        // 8. Next wake-up. A step never wakes itself at its own instant: with 0 ms timeouts or
        // backoffs (which Kafka accepts) that would spin without simulated time passing.
        if let Some(next) = self.consumers[&c].next_wake_ms(now, needs_coordinator, subscribed) {
            self.wake_consumer_at(c, next.max(now + 1));
        }
    }

    /// Requests whose deadline passed or whose broker is out of reach are dropped (the
    /// coordinator is then unknown); commits past their deadline fail.
    fn consumer_drop_dead_requests(&mut self, c: ConsumerId, now: i64) {
        let dead = |cl: &Cluster, f: &Inflight| now >= f.deadline_ms || !cl.client_reaches(f.broker);
        let x = &self.consumers[&c];
        let find_dead = x.find_inflight.as_ref().is_some_and(|f| dead(self, f));
        let coord_dead = [&x.join_inflight, &x.sync_inflight, &x.hb_inflight].iter().any(|f| f.as_ref().is_some_and(|f| dead(self, f)))
            || x.offset_fetch_inflight.as_ref().is_some_and(|(f, _)| dead(self, f))
            || x.commits.iter().any(|pc| pc.inflight.as_ref().is_some_and(|f| dead(self, f)))
            || x.coordinator.is_some_and(|b| !self.client_reaches(b));
        let dead_fetches: Vec<BrokerId> = x.fetch_inflight.iter().filter(|(_, (f, _))| dead(self, f)).map(|(b, _)| *b).collect();
        let x = self.consumers.get_mut(&c).expect("exists");
        if find_dead {
            x.find_inflight = None;
            x.coordinator_retry_at_ms = now + x.config.retry_backoff_ms;
        }
        if coord_dead {
            Self::coordinator_unknown(x);
        }
        for b in dead_fetches {
            x.fetch_inflight.remove(&b);
        }
        // Commits past their deadline fail.
        let mut i = 0;
        while i < self.consumers[&c].commits.len() {
            if now >= self.consumers[&c].commits[i].deadline_ms {
                let e = KafkaError::new(ErrorCode::REQUEST_TIMED_OUT, "Timeout expired before successfully committing offsets".to_string());
                self.fail_commit(c, i, e);
            } else {
                i += 1;
            }
        }
    }

    /// `max.poll.interval.ms`: a member the application stopped polling leaves the group.
    fn consumer_check_poll_interval(&mut self, c: ConsumerId, now: i64, subscribed: bool, group: &Option<String>) {
        let x = self.consumers.get_mut(&c).expect("exists");
        if subscribed && x.state != MemberState::Unjoined && !x.waiting_for_poll && now - x.last_poll_ms > x.config.max_poll_interval_ms {
            x.logs.push(ConsumerLog::PollTimeoutExpired);
            x.waiting_for_poll = true;
            let leave = x.coordinator.zip(group.clone()).filter(|_| !x.member_id.is_empty()).map(|(b, g)| (b, g, x.member_id.clone()));
            Self::reset_generation(x, true);
            x.join_inflight = None;
            x.sync_inflight = None;
            x.hb_inflight = None;
            if let Some((b, g, member_id)) = leave {
                let req_id = self.next_id();
                self.net_send(None, Dest::Broker(b), Msg::Group(Box::new(GroupMsg::Leave { consumer: c, req_id, group: g, member_id })));
            }
        }
    }

    /// FindCoordinator to any broker the consumer reaches (or back off).
    fn consumer_find_coordinator(&mut self, c: ConsumerId, now: i64, g: String) {
        match self.any_reachable_broker() {
            Some(b) => {
                let timeout = self.consumers[&c].config.request_timeout_ms;
                let f = self.send_to(c, b, timeout, |req_id| GroupMsg::FindCoordinator { consumer: c, req_id, group: g });
                self.consumers.get_mut(&c).expect("exists").find_inflight = Some(f);
            }
            None => {
                let x = self.consumers.get_mut(&c).expect("exists");
                x.coordinator_retry_at_ms = now + x.config.retry_backoff_ms;
            }
        }
    }

    /// Rejoins after a metadata change or when unjoined, and heartbeats while a member.
    fn consumer_keep_membership(&mut self, c: ConsumerId, now: i64, subscribed: bool, group: Option<String>) {
        let x = self.consumers.get_mut(&c).expect("exists");
        if let (true, Some(b), Some(g)) = (subscribed, x.coordinator, group) {
            // Metadata changes (new partitions) make the member rejoin.
            if x.state == MemberState::Stable && now >= x.next_metadata_check_ms {
                x.next_metadata_check_ms = now + x.config.metadata_max_age_ms;
                let snapshot = x.metadata_snapshot.clone();
                let changed = snapshot.iter().any(|(t, n)| self.partition_count(t) != *n);
                let x = self.consumers.get_mut(&c).expect("exists");
                if changed {
                    x.state = MemberState::Unjoined;
                }
            }
            let x = self.consumers.get_mut(&c).expect("exists");
            if x.state == MemberState::Unjoined && !x.waiting_for_poll && x.join_inflight.is_none() && now >= x.join_retry_at_ms {
                self.start_join(c, b, g.clone());
            }
            let x = self.consumers.get_mut(&c).expect("exists");
            if matches!(x.state, MemberState::CompletingRebalance | MemberState::Stable) && x.hb_inflight.is_none() && now >= x.next_heartbeat_ms && x.generation >= 0 {
                let (member_id, generation, timeout) = (x.member_id.clone(), x.generation, x.config.request_timeout_ms);
                x.next_heartbeat_ms = now + x.config.heartbeat_interval_ms;
                let f = self.send_to(c, b, timeout, |req_id| GroupMsg::Heartbeat { consumer: c, req_id, group: g, member_id, generation });
                self.consumers.get_mut(&c).expect("exists").hb_inflight = Some(f);
            }
        }
    }


    fn partition_count(&self, topic: &str) -> i32 {
        self.ctl.by_name.get(topic).and_then(|i| self.ctl.topics.get(i)).map_or(0, |t| t.partitions.len() as i32)
    }

    /// `onJoinPrepare` then JoinGroup.
    fn start_join(&mut self, c: ConsumerId, b: BrokerId, g: String) {
        let x = self.consumers.get_mut(&c).expect("exists");
        let Mode::Subscribed(topics) = x.mode.clone() else { return };
        // Auto-commit before giving partitions up (both protocols commit here).
        if x.config.enable_auto_commit && x.generation >= 0 {
            let offsets = Self::consumed(x);
            if !offsets.is_empty() {
                let id = self.next_id();
                let x = self.consumers.get_mut(&c).expect("exists");
                let deadline_ms = self.now_ms + x.config.default_api_timeout_ms;
                x.commits.push(PendingCommit { id, offsets, inflight: None, deadline_ms, retry: false });
                self.consumer_send_commits(c);
            }
        }
        let x = self.consumers.get_mut(&c).expect("exists");
        let cooperative = x.protocol.is_some_and(|p| p.is_cooperative()) && x.generation >= 0;
        if !cooperative {
            // Eager: revoke everything before joining.
            x.assignment.clear();
            x.parts.clear();
            x.ready.clear();
        }
        let owned: Vec<TopicPartition> = if cooperative { x.assignment.clone() } else { Vec::new() };
        let protocols: Vec<(Strategy, Subscription)> = x
            .config
            .partition_assignment_strategy
            .iter()
            .map(|s| {
                let sub = Subscription {
                    topics: topics.clone(),
                    owned_partitions: if s.is_cooperative() || *s == Strategy::Sticky { owned.clone() } else { Vec::new() },
                    generation: if s.is_cooperative() { Some(x.generation) } else if *s == Strategy::Sticky && x.generation >= 0 { Some(x.generation) } else { None },
                    group_instance_id: None,
                };
                (*s, sub)
            })
            .collect();
        let (member_id, client_id, host, session, rebalance) =
            (x.member_id.clone(), x.config.client_id.clone(), x.config.host.clone(), x.config.session_timeout_ms, x.config.max_poll_interval_ms);
        x.state = MemberState::PreparingRebalance;
        let timeout = rebalance + 5_000;
        let f = self.send_to(c, b, timeout, |req_id| GroupMsg::Join {
            consumer: c,
            req_id,
            group: g,
            member_id,
            client_id,
            host,
            session_timeout_ms: session,
            rebalance_timeout_ms: rebalance,
            protocols,
        });
        self.consumers.get_mut(&c).expect("exists").join_inflight = Some(f);
    }

    fn consumer_resolve_positions(&mut self, c: ConsumerId) {
        let now = self.now_ms;
        let x = &self.consumers[&c];
        let policy = x.config.auto_offset_reset;
        // seekToBeginning/End first.
        let resets: Vec<(TopicPartition, OffsetReset)> = x.parts.iter().filter_map(|(tp, p)| p.pending_reset.map(|r| (tp.clone(), r))).collect();
        for (tp, r) in resets {
            let spec = if r == OffsetReset::Earliest { OffsetSpec::Earliest } else { OffsetSpec::Latest };
            if let Ok((o, _)) = self.list_offsets(&tp.topic, tp.partition, spec) {
                let p = self.consumers.get_mut(&c).expect("exists").parts.get_mut(&tp).expect("listed");
                p.position = Some(o);
                p.pending_reset = None;
            }
        }
        let x = &self.consumers[&c];
        let missing: Vec<TopicPartition> = x.parts.iter().filter(|(_, p)| p.position.is_none() && p.pending_reset.is_none()).map(|(tp, _)| tp.clone()).collect();
        if missing.is_empty() {
            return;
        }
        match (&x.config.group_id, x.coordinator) {
            (Some(g), Some(b)) => {
                if x.offset_fetch_inflight.is_none() {
                    let g = g.clone();
                    let timeout = x.config.request_timeout_ms;
                    let partitions = missing.clone();
                    let f = self.send_to(c, b, timeout, |req_id| GroupMsg::OffsetFetch { consumer: c, req_id, group: g, partitions });
                    self.consumers.get_mut(&c).expect("exists").offset_fetch_inflight = Some((f, missing));
                }
            }
            (Some(_), None) => {}
            (None, _) => {
                for tp in missing {
                    self.reset_position(c, &tp, policy, None);
                }
            }
        }
        let _ = now;
    }

    /// Applies `auto.offset.reset` to a partition without a valid position.
    fn reset_position(&mut self, c: ConsumerId, tp: &TopicPartition, policy: OffsetReset, out_of_range: Option<i64>) {
        let spec = match policy {
            OffsetReset::Earliest => OffsetSpec::Earliest,
            OffsetReset::Latest => OffsetSpec::Latest,
            OffsetReset::None => {
                let x = self.consumers.get_mut(&c).expect("exists");
                let e = match out_of_range {
                    Some(o) => KafkaError::new(ErrorCode::OFFSET_OUT_OF_RANGE, format!("Fetch position FetchPosition{{offset={o}}} is out of range for partition {}", tp_string(tp))),
                    None => KafkaError::new(ErrorCode::OFFSET_OUT_OF_RANGE, format!("Undefined offset with no reset policy for partitions: [{}]", tp_string(tp))),
                };
                if x.pending_error.is_none() {
                    x.pending_error = Some(e);
                }
                return;
            }
        };
        if let Ok((o, _)) = self.list_offsets(&tp.topic, tp.partition, spec) {
            let x = self.consumers.get_mut(&c).expect("exists");
            if let Some(p) = x.parts.get_mut(tp) {
                p.position = Some(o);
                p.buffer = None;
                x.logs.push(ConsumerLog::ResettingOffset { tp: tp.clone(), offset: o });
            }
        }
    }

    fn consumer_send_commits(&mut self, c: ConsumerId) {
        let x = &self.consumers[&c];
        let (Some(b), Some(g)) = (x.coordinator, x.config.group_id.clone()) else { return };
        let (member_id, generation, timeout) = if matches!(x.mode, Mode::Subscribed(_)) {
            (x.member_id.clone(), x.generation, x.config.request_timeout_ms)
        } else {
            (String::new(), -1, x.config.request_timeout_ms)
        };
        let todo: Vec<usize> = x.commits.iter().enumerate().filter(|(_, pc)| pc.inflight.is_none()).map(|(i, _)| i).collect();
        for i in todo {
            let offsets = self.consumers[&c].commits[i].offsets.clone();
            let (g, member_id) = (g.clone(), member_id.clone());
            let f = self.send_to(c, b, timeout, |req_id| GroupMsg::OffsetCommit { consumer: c, req_id, group: g, member_id, generation, offsets });
            self.consumers.get_mut(&c).expect("exists").commits[i].inflight = Some(f);
        }
    }

    fn consumer_send_fetches(&mut self, c: ConsumerId) {
        let now = self.now_ms;
        let x = &self.consumers[&c];
        if now < x.fetch_retry_at_ms {
            return;
        }
        let mut by_leader: BTreeMap<BrokerId, Vec<(TopicPartition, i64)>> = BTreeMap::new();
        for (tp, p) in &x.parts {
            let (Some(pos), None) = (p.position, &p.buffer) else { continue };
            let Some(l) = self.ctl.by_name.get(&tp.topic).and_then(|i| self.ctl.topics.get(i)).and_then(|t| t.partitions.get(tp.partition as usize)).and_then(|m| m.leader) else { continue };
            if x.fetch_inflight.contains_key(&l) {
                continue;
            }
            by_leader.entry(l).or_default().push((tp.clone(), pos));
        }
        let (isolation, wait, bytes, timeout) = (x.config.isolation_level, x.config.fetch_max_wait_ms, x.config.max_partition_fetch_bytes, x.config.request_timeout_ms);
        for (l, parts) in by_leader {
            if !self.client_reaches(l) {
                continue;
            }
            let sent = parts.clone();
            let f = self.send_to(c, l, timeout + wait, |req_id| GroupMsg::Fetch { consumer: c, req_id, parts, isolation, max_wait_ms: wait, max_partition_bytes: bytes });
            self.consumers.get_mut(&c).expect("exists").fetch_inflight.insert(l, (f, sent));
        }
    }

    // ----- responses -----

    /// A group-protocol or fetch answer reached consumer `c`; the consumer then steps (unless
    /// the answer was stale, or a completed join or sync already stepped it).
    pub(crate) fn consumer_receive(&mut self, c: ConsumerId, msg: GroupMsg) {
        let now = self.now_ms;
        let Some(x) = self.consumers.get_mut(&c) else { return };
        if x.closed {
            return;
        }
        let step = match msg {
            GroupMsg::FindCoordinatorResp { req_id, result } => x.on_find_coordinator_answer(req_id, result, now),
            GroupMsg::JoinResp { req_id, result } => match x.on_join_answer(req_id, result, now) {
                Answer::Stale => false,
                Answer::Handled => true,
                Answer::Joined(ok) => return self.on_join_ok(c, ok),
            },
            GroupMsg::SyncResp { req_id, result } => match x.on_sync_answer(req_id, result) {
                Answer::Stale => false,
                Answer::Handled => true,
                Answer::Joined(assignment) => return self.on_sync_ok(c, assignment),
            },
            GroupMsg::HeartbeatResp { req_id, error } => x.on_heartbeat_answer(req_id, error),
            GroupMsg::OffsetCommitResp { req_id, result } => self.consumer_on_commit_answer(c, req_id, result),
            GroupMsg::OffsetFetchResp { req_id, result } => self.consumer_on_offset_fetch_answer(c, req_id, result),
            GroupMsg::FetchResp { req_id, parts } => self.consumer_on_fetch_answer(c, req_id, parts, now),
            _ => true,
        };
        if step {
            self.consumer_step(c);
        }
    }

    /// OffsetCommit's answer: the commit completes, is retried, or fails. False when stale.
    fn consumer_on_commit_answer(&mut self, c: ConsumerId, req_id: u64, result: Result<(), ErrorCode>) -> bool {
        let Some(x) = self.consumers.get_mut(&c) else { return false };
        let Some(i) = x.commits.iter().position(|pc| is_inflight(&pc.inflight, req_id)) else { return false };
        match result {
            Ok(()) => {
                let pc = x.commits.remove(i);
                x.commit_results.insert(pc.id, Ok(()));
            }
            Err(e) => {
                let retriable = matches!(e, ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE | ErrorCode::COORDINATOR_LOAD_IN_PROGRESS | ErrorCode::REQUEST_TIMED_OUT);
                if matches!(e, ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE) {
                    Self::coordinator_unknown(x);
                }
                if retriable && x.commits[i].retry {
                    x.commits[i].inflight = None;
                } else {
                    let err = match e {
                        ErrorCode::UNKNOWN_MEMBER_ID | ErrorCode::ILLEGAL_GENERATION => KafkaError::new(e, commit_failed()),
                        ErrorCode::REBALANCE_IN_PROGRESS => KafkaError::new(
                            e,
                            "Offset commit cannot be completed since the consumer is undergoing a rebalance for auto partition assignment. You can try completing the rebalance by calling poll() and then retry the operation.",
                        ),
                        other => KafkaError::of(other),
                    };
                    self.fail_commit(c, i, err);
                }
            }
        }
        true
    }

    /// OffsetFetch's answer: positions start at the committed offsets, or reset. False when stale.
    fn consumer_on_offset_fetch_answer(&mut self, c: ConsumerId, req_id: u64, result: Result<Vec<(TopicPartition, i64)>, ErrorCode>) -> bool {
        let Some(x) = self.consumers.get_mut(&c) else { return false };
        let Some((f, _)) = &x.offset_fetch_inflight else { return false };
        if f.req_id != req_id {
            return false;
        }
        x.offset_fetch_inflight = None;
        match result {
            Ok(list) => {
                let policy = x.config.auto_offset_reset;
                for (tp, off) in list {
                    let x = self.consumers.get_mut(&c).expect("exists");
                    let Some(p) = x.parts.get_mut(&tp) else { continue };
                    if p.position.is_some() || p.pending_reset.is_some() {
                        continue;
                    }
                    if off >= 0 {
                        p.position = Some(off);
                        x.logs.push(ConsumerLog::SettingOffsetToCommitted { tp, offset: off });
                    } else {
                        x.logs.push(ConsumerLog::FoundNoCommittedOffset { tp: tp.clone() });
                        self.reset_position(c, &tp, policy, None);
                    }
                }
            }
            Err(e) => {
                if matches!(e, ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE | ErrorCode::COORDINATOR_LOAD_IN_PROGRESS) {
                    Self::coordinator_unknown(x);
                }
            }
        }
        true
    }

    /// A fetch's answer: records are buffered, out-of-range positions reset. False when stale.
    fn consumer_on_fetch_answer(&mut self, c: ConsumerId, req_id: u64, parts: Vec<(TopicPartition, Result<FetchResponse, KafkaError>)>, now: i64) -> bool {
        let Some(x) = self.consumers.get_mut(&c) else { return false };
        let Some((&b, _)) = x.fetch_inflight.iter().find(|(_, (f, _))| f.req_id == req_id) else { return false };
        let (_, sent) = x.fetch_inflight.remove(&b).expect("found");
        let policy = x.config.auto_offset_reset;
        let mut errors = false;
        for (tp, r) in parts {
            let x = self.consumers.get_mut(&c).expect("exists");
            let asked = sent.iter().find(|(t, _)| *t == tp).map(|(_, o)| *o);
            let Some(p) = x.parts.get_mut(&tp) else { continue };
            if p.position != asked || p.buffer.is_some() {
                continue; // seeked meanwhile: stale data
            }
            match r {
                Ok(resp) => {
                    if resp.end_offset > resp.first_offset {
                        let first = resp.first_offset;
                        p.buffer = Some((resp, first));
                        x.ready.push_back(tp);
                    }
                }
                Err(e) if e.code == ErrorCode::OFFSET_OUT_OF_RANGE => {
                    let o = asked.unwrap_or(-1);
                    x.logs.push(ConsumerLog::OffsetOutOfRange { tp: tp.clone(), offset: o });
                    p.position = None;
                    self.reset_position(c, &tp, policy, Some(o));
                }
                Err(_) => errors = true,
            }
        }
        if errors {
            let x = self.consumers.get_mut(&c).expect("exists");
            x.fetch_retry_at_ms = now + x.config.retry_backoff_ms;
        }
        true
    }

    fn on_join_ok(&mut self, c: ConsumerId, ok: JoinOk) {
        let now = self.now_ms;
        let x = self.consumers.get_mut(&c).expect("exists");
        x.member_id = ok.member_id.clone();
        x.generation = ok.generation;
        x.protocol = Some(ok.protocol);
        x.is_leader = ok.leader == ok.member_id;
        x.state = MemberState::CompletingRebalance;
        x.next_heartbeat_ms = now + x.config.heartbeat_interval_ms;
        let Some(b) = x.coordinator else { return };
        let g = x.config.group_id.clone().unwrap_or_default();
        let mut assignment = None;
        let mut snapshot = BTreeMap::new();
        if let Mode::Subscribed(topics) = &x.mode {
            for t in topics {
                snapshot.insert(t.clone(), 0);
            }
        }
        if x.is_leader {
            // The leader assigns with its metadata for every topic any member subscribes to.
            for m in &ok.members {
                for t in &m.subscription.topics {
                    snapshot.insert(t.clone(), 0);
                }
            }
            let ppt: BTreeMap<String, i32> = BTreeMap::from_iter(snapshot.keys().map(|t| (t.clone(), self.partition_count(t))));
            let members: Vec<Member> = ok.members.clone();
            assignment = Some(assignor::assign(ok.protocol, &members, &ppt).unwrap_or_default());
        }
        for (t, n) in snapshot.iter_mut() {
            *n = self.partition_count(t);
        }
        let x = self.consumers.get_mut(&c).expect("exists");
        x.metadata_snapshot = snapshot;
        x.next_metadata_check_ms = now + x.config.metadata_max_age_ms;
        let (member_id, generation, timeout) = (x.member_id.clone(), x.generation, x.config.request_timeout_ms);
        let f = self.send_to(c, b, timeout, |req_id| GroupMsg::Sync { consumer: c, req_id, group: g, member_id, generation, assignment });
        self.consumers.get_mut(&c).expect("exists").sync_inflight = Some(f);
        self.consumer_step(c);
    }

    fn on_sync_ok(&mut self, c: ConsumerId, assignment: Vec<TopicPartition>) {
        let now = self.now_ms;
        let x = self.consumers.get_mut(&c).expect("exists");
        x.state = MemberState::Stable;
        x.next_heartbeat_ms = now + x.config.heartbeat_interval_ms;
        let old: BTreeSet<TopicPartition> = x.assignment.iter().cloned().collect();
        let new: BTreeSet<TopicPartition> = assignment.iter().cloned().collect();
        let revoked: Vec<TopicPartition> = old.difference(&new).cloned().collect();
        let added: Vec<TopicPartition> = new.difference(&old).cloned().collect();
        for tp in &revoked {
            x.parts.remove(tp);
        }
        x.ready.retain(|tp| new.contains(tp));
        for tp in &added {
            x.parts.entry(tp.clone()).or_default();
        }
        x.assignment = new.into_iter().collect();
        x.logs.push(ConsumerLog::Assigned { generation: x.generation, member_id: x.member_id.clone(), added, revoked: revoked.clone() });
        if !revoked.is_empty() && x.protocol.is_some_and(|p| p.is_cooperative()) {
            // Cooperative: the revoked partitions go to their new owner in a follow-up rebalance.
            x.state = MemberState::Unjoined;
        }
        self.consumer_step(c);
    }
}

impl Cluster {
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

/// What an answer to a join or sync does.
enum Answer<T> {
    /// Not the request in flight: ignored.
    Stale,
    /// Handled by the consumer's own state.
    Handled,
    /// Completed: the cluster-side continuation runs with this.
    Joined(T),
}

fn is_inflight(f: &Option<Inflight>, id: u64) -> bool {
    f.as_ref().is_some_and(|f| f.req_id == id)
}

/// A consumer's reactions to its coordinator's answers that touch only its own state.
impl Consumer {
    /// FindCoordinator's answer; false when stale.
    fn on_find_coordinator_answer(&mut self, req_id: u64, result: Result<BrokerId, ErrorCode>, now: i64) -> bool {
        if !is_inflight(&self.find_inflight, req_id) {
            return false;
        }
        self.find_inflight = None;
        match result {
            Ok(b) => {
                self.coordinator = Some(b);
                self.next_heartbeat_ms = now;
            }
            Err(_) => self.coordinator_retry_at_ms = now + self.config.retry_backoff_ms,
        }
        true
    }

    /// JoinGroup's answer: a failure is handled here, a success goes on in the cluster.
    fn on_join_answer(&mut self, req_id: u64, result: Result<JoinOk, (ErrorCode, String)>, now: i64) -> Answer<JoinOk> {
        if !is_inflight(&self.join_inflight, req_id) {
            return Answer::Stale;
        }
        self.join_inflight = None;
        let (e, member_id) = match result {
            Ok(ok) => return Answer::Joined(ok),
            Err(failed) => failed,
        };
        self.state = MemberState::Unjoined;
        match e {
            ErrorCode::MEMBER_ID_REQUIRED => self.member_id = member_id,
            ErrorCode::UNKNOWN_MEMBER_ID | ErrorCode::ILLEGAL_GENERATION => Cluster::reset_generation(self, true),
            ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE | ErrorCode::COORDINATOR_LOAD_IN_PROGRESS => Cluster::coordinator_unknown(self),
            ErrorCode::INCONSISTENT_GROUP_PROTOCOL | ErrorCode::INVALID_SESSION_TIMEOUT | ErrorCode::INVALID_GROUP_ID => {
                self.pending_error = Some(KafkaError::of(e));
                self.waiting_for_poll = true;
            }
            _ => self.join_retry_at_ms = now + self.config.retry_backoff_ms,
        }
        Answer::Handled
    }

    /// SyncGroup's answer: a failure is handled here, the assignment goes on in the cluster.
    fn on_sync_answer(&mut self, req_id: u64, result: Result<Vec<TopicPartition>, ErrorCode>) -> Answer<Vec<TopicPartition>> {
        if !is_inflight(&self.sync_inflight, req_id) {
            return Answer::Stale;
        }
        self.sync_inflight = None;
        let e = match result {
            Ok(assignment) => return Answer::Joined(assignment),
            Err(e) => e,
        };
        self.state = MemberState::Unjoined;
        match e {
            ErrorCode::UNKNOWN_MEMBER_ID => Cluster::reset_generation(self, true),
            ErrorCode::ILLEGAL_GENERATION => Cluster::reset_generation(self, false),
            ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE => Cluster::coordinator_unknown(self),
            _ => {}
        }
        Answer::Handled
    }

    /// Heartbeat's answer; false when stale.
    fn on_heartbeat_answer(&mut self, req_id: u64, error: Option<ErrorCode>) -> bool {
        if !is_inflight(&self.hb_inflight, req_id) {
            return false;
        }
        self.hb_inflight = None;
        match error {
            None => {}
            Some(ErrorCode::REBALANCE_IN_PROGRESS) => {
                if self.state == MemberState::Stable {
                    self.state = MemberState::Unjoined;
                }
            }
            Some(ErrorCode::UNKNOWN_MEMBER_ID) => Cluster::reset_generation(self, true),
            Some(ErrorCode::ILLEGAL_GENERATION) => Cluster::reset_generation(self, false),
            Some(ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE | ErrorCode::COORDINATOR_LOAD_IN_PROGRESS) => Cluster::coordinator_unknown(self),
            Some(_) => {}
        }
        true
    }
}

impl Consumer {
    /// When the consumer must step again: the earliest deadline, retry, heartbeat, metadata
    /// check or poll timeout its state holds (None: nothing pending).
    fn next_wake_ms(&self, now: i64, needs_coordinator: bool, subscribed: bool) -> Option<i64> {
        let x = self;
        let mut next = i64::MAX;
        let mut consider = |t: i64| next = next.min(t);
        for f in [&x.find_inflight, &x.join_inflight, &x.sync_inflight, &x.hb_inflight].into_iter().flatten() {
            consider(f.deadline_ms);
        }
        if let Some((f, _)) = &x.offset_fetch_inflight {
            consider(f.deadline_ms);
        }
        for (f, _) in x.fetch_inflight.values() {
            consider(f.deadline_ms);
        }
        for pc in &x.commits {
            consider(pc.deadline_ms);
            if pc.inflight.is_none() {
                consider(now + x.config.retry_backoff_ms);
            }
        }
        if needs_coordinator && x.coordinator.is_none() {
            consider(x.coordinator_retry_at_ms.max(now + 1));
        }
        if subscribed && x.coordinator.is_some() {
            if matches!(x.state, MemberState::CompletingRebalance | MemberState::Stable) {
                consider(x.next_heartbeat_ms);
                consider(x.next_metadata_check_ms);
            }
            if x.state == MemberState::Unjoined && !x.waiting_for_poll {
                consider(x.join_retry_at_ms.max(now + 1));
            }
            if x.state != MemberState::Unjoined && !x.waiting_for_poll {
                consider(x.last_poll_ms + x.config.max_poll_interval_ms + 1);
            }
        }
        if x.fetch_retry_at_ms > now {
            consider(x.fetch_retry_at_ms);
        }
        if x.parts.values().any(|p| p.position.is_none()) && x.offset_fetch_inflight.is_none() {
            consider(now + x.config.retry_backoff_ms);
        }
        (next != i64::MAX).then_some(next)
    }
}
