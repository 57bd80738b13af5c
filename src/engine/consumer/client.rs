//! The consumer client as the consumer node's own methods: its background steps (find the
//! coordinator, join, sync, heartbeat, look up positions, commit, fetch), its reactions to the
//! coordinator's and the leaders' answers, and the application's poll, all through a [`Ctx`]
//! (request ids, the brokers it reaches, what its metadata and ListOffsets requests answer,
//! sends and wake-ups). It reads and writes only its own state.

use super::super::assignor::{self, Member, Strategy, Subscription, TopicPartition};
use super::super::error::{ErrorCode, KResult, KafkaError};
use super::super::ids::{BrokerId, ConsumerId};
use super::super::msg::{Dest, Ev, FetchResponse, GroupEv, GroupMsg, JoinOk, Msg, OffsetSpec};
use super::super::node::Ctx;
use super::state::{Consumer, ConsumerLog, ConsumerRecord, Inflight, MemberState, Mode, OffsetReset, PendingCommit};
use std::collections::{BTreeMap, BTreeSet};

fn commit_failed() -> String {
    "Commit cannot be completed since the group has already rebalanced and assigned the partitions to another member. This means that the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time message processing. You can address this either by increasing max.poll.interval.ms or by reducing the maximum size of batches returned in poll() with max.poll.records.".to_string()
}

pub(super) fn tp_string(tp: &TopicPartition) -> String {
    format!("{}-{}", tp.topic, tp.partition)
}

fn is_inflight(f: &Option<Inflight>, id: u64) -> bool {
    f.as_ref().is_some_and(|f| f.req_id == id)
}

fn offset_spec(r: OffsetReset) -> OffsetSpec {
    if r == OffsetReset::Earliest {
        OffsetSpec::Earliest
    } else {
        OffsetSpec::Latest
    }
}

/// What an answer to a join or sync does.
enum Answer<T> {
    /// Not the request in flight: ignored.
    Stale,
    /// Handled by the consumer's own state.
    Handled,
    /// Completed: the member goes on with this.
    Joined(T),
}

// ----- the application's side -----
impl Consumer {
    /// `subscribe(topics)`: group management (needs a `group.id`); the subscribed set.
    pub(crate) fn subscribe(&mut self, topics: &[&str]) -> KResult<BTreeSet<String>> {
        if self.config.group_id.is_none() {
            return Err(KafkaError::new(
                ErrorCode::INVALID_GROUP_ID,
                "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration.",
            ));
        }
        if self.mode == Mode::Assigned {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, "Subscription to topics, partitions and pattern are mutually exclusive"));
        }
        if topics.iter().any(|t| t.trim().is_empty()) {
            return Err(KafkaError::new(ErrorCode::INVALID_TOPIC_EXCEPTION, "Topic collection to subscribe to cannot contain null or empty topic"));
        }
        let set: BTreeSet<String> = topics.iter().map(|t| t.to_string()).collect();
        let changed = self.mode != Mode::Subscribed(set.clone());
        self.mode = if set.is_empty() { Mode::None } else { Mode::Subscribed(set.clone()) };
        if changed && self.state != MemberState::Unjoined {
            // A changed subscription makes the member rejoin.
            self.state = MemberState::Unjoined;
        }
        Ok(set)
    }

    /// `assign(partitions)`: manual assignment, no group membership.
    pub(crate) fn assign(&mut self, partitions: &[TopicPartition]) -> KResult<()> {
        if matches!(self.mode, Mode::Subscribed(_)) {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, "Subscription to topics, partitions and pattern are mutually exclusive"));
        }
        self.mode = Mode::Assigned;
        let new: BTreeSet<TopicPartition> = partitions.iter().cloned().collect();
        self.parts.retain(|tp, _| new.contains(tp));
        for tp in &new {
            self.parts.entry(tp.clone()).or_default();
        }
        self.ready.retain(|tp| new.contains(tp));
        self.assignment = new.into_iter().collect();
        Ok(())
    }

    fn check_assigned(&self, tp: &TopicPartition) -> KResult<()> {
        if self.parts.contains_key(tp) {
            Ok(())
        } else {
            Err(KafkaError::new(ErrorCode::INVALID_REQUEST, format!("No current assignment for partition {}", tp_string(tp))))
        }
    }

    /// `seek(tp, offset)`: the next poll returns records from `offset`.
    pub(crate) fn seek(&mut self, tp: &TopicPartition, offset: i64) -> KResult<()> {
        self.check_assigned(tp)?;
        if let Some(p) = self.parts.get_mut(tp) {
            p.position = Some(offset);
            p.buffer = None;
            p.pending_reset = None;
        }
        self.ready.retain(|t| t != tp);
        Ok(())
    }

    /// `seekToBeginning` / `seekToEnd` (resolved lazily, like Kafka).
    pub(crate) fn seek_to(&mut self, tps: &[TopicPartition], reset: OffsetReset) -> KResult<()> {
        for tp in tps {
            self.check_assigned(tp)?;
        }
        for tp in tps {
            if let Some(p) = self.parts.get_mut(tp) {
                p.position = None;
                p.buffer = None;
                p.pending_reset = Some(reset);
            }
            self.ready.retain(|t| t != tp);
        }
        Ok(())
    }

    /// `poll` (consumer `c`): the records fetched so far (at most `max.poll.records`),
    /// positions advanced; the auto-commit when due; then a background step.
    pub(crate) fn poll(&mut self, c: ConsumerId, ctx: &mut Ctx) -> KResult<Vec<ConsumerRecord>> {
        let now = ctx.now_ms;
        self.last_poll_ms = now;
        self.waiting_for_poll = false;
        if let Some(e) = self.pending_error.take() {
            return Err(e);
        }
        if self.config.enable_auto_commit && self.config.group_id.is_some() && now >= self.next_auto_commit_ms {
            self.next_auto_commit_ms = now + self.config.auto_commit_interval_ms;
            let offsets = self.consumed();
            if !offsets.is_empty() {
                self.queue_commit(c, offsets, false, ctx);
            }
        }
        let out = self.take_records();
        self.step(c, ctx);
        Ok(out)
    }

    /// Up to `max.poll.records` buffered records, in the order their partitions became ready;
    /// positions move past what was returned.
    fn take_records(&mut self) -> Vec<ConsumerRecord> {
        let max = self.config.max_poll_records;
        let mut out = Vec::new();
        while out.len() < max {
            let Some(tp) = self.ready.front().cloned() else { break };
            if !self.take_from(&tp, max, &mut out) {
                if let Some(p) = self.parts.get_mut(&tp) {
                    p.buffer = None;
                }
                self.ready.pop_front();
            }
        }
        out
    }

    /// Moves records of `tp`'s buffer into `out` (up to `max` in all); false when the buffer is
    /// exhausted (or stale, or the partition gone).
    fn take_from(&mut self, tp: &TopicPartition, max: usize, out: &mut Vec<ConsumerRecord>) -> bool {
        let Some(p) = self.parts.get_mut(tp) else { return false };
        let (Some((resp, cursor)), Some(pos)) = (&mut p.buffer, p.position) else { return false };
        if *cursor != pos {
            return false;
        }
        let room = max - out.len();
        let mut next = pos;
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
            // Everything left was returned: the position moves past what holds no record for us
            // (transaction markers, aborted batches, compaction gaps).
            next = next.max(resp.end_offset);
        }
        debug_assert!(next <= resp.high_watermark, "positions never pass the high watermark");
        let more = next < resp.end_offset;
        *cursor = next;
        p.position = Some(next);
        if taken > 0 {
            self.returned.entry(tp.clone()).or_default().note(pos, next);
        }
        more
    }

    /// Positions of the assigned partitions (what auto-commit and `commitSync()` commit).
    pub(crate) fn consumed(&self) -> Vec<(TopicPartition, i64)> {
        self.parts.iter().filter_map(|(tp, p)| p.position.map(|o| (tp.clone(), o))).collect()
    }

    /// Queues a commit of `offsets` (retried on retriable errors if `retry`) and steps; its id.
    pub(crate) fn queue_commit(&mut self, c: ConsumerId, offsets: Vec<(TopicPartition, i64)>, retry: bool, ctx: &mut Ctx) -> u64 {
        let id = ctx.next_id();
        let deadline_ms = ctx.now_ms + self.config.default_api_timeout_ms;
        self.commits.push(PendingCommit { id, offsets, inflight: None, deadline_ms, retry });
        self.step(c, ctx);
        id
    }

    /// `close()`'s LeaveGroup (a member that knows its coordinator), then the client stops.
    pub(crate) fn close(&mut self, c: ConsumerId, ctx: &mut Ctx) {
        if let (Some(b), Some(g), false) = (self.coordinator, self.config.group_id.clone(), self.member_id.is_empty()) {
            let member_id = self.member_id.clone();
            let req_id = ctx.next_id();
            ctx.send(None, Dest::Broker(b), Msg::Group(Box::new(GroupMsg::Leave { consumer: c, req_id, group: g, member_id })));
        }
        self.shut();
    }

    /// The client stops: no partitions, commits or membership any more.
    pub(crate) fn shut(&mut self) {
        self.closed = true;
        self.parts.clear();
        self.ready.clear();
        self.assignment.clear();
        self.commits.clear();
        self.state = MemberState::Unjoined;
    }
}

// ----- the background steps -----
impl Consumer {
    /// A wake-up of consumer `c` at `at_ms` (not before now), unless one is already set then.
    fn wake(&mut self, c: ConsumerId, at_ms: i64, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        let at = at_ms.max(now);
        while self.wake_at.first().is_some_and(|t| *t < now) {
            self.wake_at.pop_first();
        }
        if self.wake_at.insert(at) {
            ctx.timer(at - now, Ev::Group(GroupEv::ConsumerWake { consumer: c }));
        }
    }

    /// Consumer `c`'s wake-up timer fired.
    pub(crate) fn on_wake(&mut self, c: ConsumerId, ctx: &mut Ctx) {
        self.wake_at.remove(&ctx.now_ms);
        self.step(c, ctx);
    }

    /// Sends a group-protocol request made by `make` (given its request id) to broker `b`.
    fn send_to(&mut self, b: BrokerId, timeout_ms: i64, ctx: &mut Ctx, make: impl FnOnce(u64) -> GroupMsg) -> Inflight {
        let req_id = ctx.next_id();
        ctx.send(None, Dest::Broker(b), Msg::Group(Box::new(make(req_id))));
        Inflight { req_id, broker: b, deadline_ms: ctx.now_ms + timeout_ms }
    }

    /// One step of consumer `c`'s background work: drop dead requests, leave after a poll
    /// timeout, find the coordinator, keep the membership, positions, commits, fetches, and set
    /// the next wake-up.
    pub(crate) fn step(&mut self, c: ConsumerId, ctx: &mut Ctx) {
        if self.closed {
            return;
        }
        self.debug_check();
        let now = ctx.now_ms;
        // 1. Requests that can no longer be answered.
        self.drop_dead_requests(ctx);
        let group = self.config.group_id.clone();
        let subscribed = matches!(self.mode, Mode::Subscribed(_));
        // 2. max.poll.interval.ms: the member leaves until the application polls again.
        self.check_poll_interval(c, subscribed, &group, ctx);
        let needs_coordinator = group.is_some() && (subscribed || !self.commits.is_empty() || self.parts.values().any(|p| p.position.is_none() && p.pending_reset.is_none()));
        // 3. Coordinator discovery.
        if needs_coordinator && self.coordinator.is_none() && self.find_inflight.is_none() && now >= self.coordinator_retry_at_ms {
            if let Some(g) = group.clone() {
                self.find_coordinator(c, g, ctx);
            }
        }
        // 4. Membership.
        self.keep_membership(c, subscribed, group, ctx);
        // 5. Positions: committed offsets (group) or the reset policy.
        self.resolve_positions(c, ctx);
        // 6. Commits.
        self.send_commits(c, ctx);
        // 7. Fetches.
        self.send_fetches(c, ctx);
        // 8. Next wake-up. A step never wakes itself at its own instant: with 0 ms timeouts or
        // backoffs (which Kafka accepts) that would spin without simulated time passing.
        if let Some(next) = self.next_wake_ms(now, needs_coordinator, subscribed) {
            self.wake(c, next.max(now + 1), ctx);
        }
        self.debug_check();
    }

    /// The consumer's own invariants (debug builds): positions are offsets; a buffered partition
    /// has a position and is queued for poll, its cursor within what was fetched; one fetch in
    /// flight per broker, only to brokers the client reached when it sent it.
    fn debug_check(&self) {
        if !cfg!(debug_assertions) {
            return;
        }
        for (tp, p) in &self.parts {
            debug_assert!(p.position.is_none_or(|o| o >= 0), "{tp:?}: negative position {:?}", p.position);
            if let Some((resp, cursor)) = &p.buffer {
                debug_assert!(p.position.is_some(), "{tp:?}: a buffer without a position");
                debug_assert!(self.ready.contains(tp), "{tp:?}: a buffer poll never returns");
                debug_assert!(resp.first_offset <= *cursor && *cursor <= resp.end_offset, "{tp:?}: cursor {cursor} outside [{}, {}]", resp.first_offset, resp.end_offset);
            }
        }
        debug_assert!(self.fetch_inflight.iter().all(|(b, (f, _))| f.broker == *b), "fetches are keyed by their broker");
        debug_assert!(!self.closed || (self.parts.is_empty() && self.commits.is_empty()), "a closed consumer holds nothing");
    }

    /// Requests whose deadline passed or whose broker is out of reach are dropped (the
    /// coordinator is then unknown); commits past their deadline fail.
    fn drop_dead_requests(&mut self, ctx: &Ctx) {
        let now = ctx.now_ms;
        let dead = |f: &Inflight| now >= f.deadline_ms || !ctx.reaches(f.broker);
        let find_dead = self.find_inflight.as_ref().is_some_and(dead);
        let coord_dead = [&self.join_inflight, &self.sync_inflight, &self.hb_inflight].iter().any(|f| f.as_ref().is_some_and(dead))
            || self.offset_fetch_inflight.as_ref().is_some_and(|(f, _)| dead(f))
            || self.commits.iter().any(|pc| pc.inflight.as_ref().is_some_and(dead))
            || self.coordinator.is_some_and(|b| !ctx.reaches(b));
        if find_dead {
            self.find_inflight = None;
            self.coordinator_retry_at_ms = now + self.config.retry_backoff_ms;
        }
        if coord_dead {
            self.coordinator_unknown();
        }
        self.fetch_inflight.retain(|_, (f, _)| !dead(f));
        // Commits past their deadline fail.
        let mut i = 0;
        while i < self.commits.len() {
            if now >= self.commits[i].deadline_ms {
                self.fail_commit(i, KafkaError::new(ErrorCode::REQUEST_TIMED_OUT, "Timeout expired before successfully committing offsets".to_string()));
            } else {
                i += 1;
            }
        }
    }

    fn fail_commit(&mut self, idx: usize, e: KafkaError) {
        let pc = self.commits.remove(idx);
        self.commit_results.insert(pc.id, Err(e.clone()));
        self.logs.push(ConsumerLog::CommitFailed { error: e });
    }

    /// `max.poll.interval.ms`: a member the application stopped polling leaves the group.
    fn check_poll_interval(&mut self, c: ConsumerId, subscribed: bool, group: &Option<String>, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        if !(subscribed && self.state != MemberState::Unjoined && !self.waiting_for_poll && now - self.last_poll_ms > self.config.max_poll_interval_ms) {
            return;
        }
        self.logs.push(ConsumerLog::PollTimeoutExpired);
        self.waiting_for_poll = true;
        let leave = self.coordinator.zip(group.clone()).filter(|_| !self.member_id.is_empty()).map(|(b, g)| (b, g, self.member_id.clone()));
        self.reset_generation(true);
        self.join_inflight = None;
        self.sync_inflight = None;
        self.hb_inflight = None;
        if let Some((b, g, member_id)) = leave {
            let req_id = ctx.next_id();
            ctx.send(None, Dest::Broker(b), Msg::Group(Box::new(GroupMsg::Leave { consumer: c, req_id, group: g, member_id })));
        }
    }

    /// FindCoordinator to any broker the consumer reaches (or back off).
    fn find_coordinator(&mut self, c: ConsumerId, g: String, ctx: &mut Ctx) {
        match ctx.any_reachable() {
            Some(b) => {
                let timeout_ms = self.config.request_timeout_ms;
                let f = self.send_to(b, timeout_ms, ctx, |req_id| GroupMsg::FindCoordinator { consumer: c, req_id, group: g });
                self.find_inflight = Some(f);
            }
            None => self.coordinator_retry_at_ms = ctx.now_ms + self.config.retry_backoff_ms,
        }
    }

    /// Rejoins after a metadata change or when unjoined, and heartbeats while a member.
    fn keep_membership(&mut self, c: ConsumerId, subscribed: bool, group: Option<String>, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        let (true, Some(b), Some(g)) = (subscribed, self.coordinator, group) else { return };
        // Metadata changes (new partitions) make the member rejoin.
        if self.state == MemberState::Stable && now >= self.next_metadata_check_ms {
            self.next_metadata_check_ms = now + self.config.metadata_max_age_ms;
            if self.metadata_snapshot.iter().any(|(t, n)| ctx.view().partition_count(t) != *n) {
                self.state = MemberState::Unjoined;
            }
        }
        if self.state == MemberState::Unjoined && !self.waiting_for_poll && self.join_inflight.is_none() && now >= self.join_retry_at_ms {
            self.start_join(c, b, g.clone(), ctx);
        }
        if matches!(self.state, MemberState::CompletingRebalance | MemberState::Stable) && self.hb_inflight.is_none() && now >= self.next_heartbeat_ms && self.generation >= 0 {
            let (member_id, generation, timeout_ms) = (self.member_id.clone(), self.generation, self.config.request_timeout_ms);
            self.next_heartbeat_ms = now + self.config.heartbeat_interval_ms;
            let f = self.send_to(b, timeout_ms, ctx, |req_id| GroupMsg::Heartbeat { consumer: c, req_id, group: g, member_id, generation });
            self.hb_inflight = Some(f);
        }
    }

    /// `onJoinPrepare` then JoinGroup.
    fn start_join(&mut self, c: ConsumerId, b: BrokerId, g: String, ctx: &mut Ctx) {
        let Mode::Subscribed(topics) = self.mode.clone() else { return };
        // Auto-commit before giving partitions up (both protocols commit here).
        if self.config.enable_auto_commit && self.generation >= 0 {
            let offsets = self.consumed();
            if !offsets.is_empty() {
                let id = ctx.next_id();
                let deadline_ms = ctx.now_ms + self.config.default_api_timeout_ms;
                self.commits.push(PendingCommit { id, offsets, inflight: None, deadline_ms, retry: false });
                self.send_commits(c, ctx);
            }
        }
        let cooperative = self.protocol.is_some_and(|p| p.is_cooperative()) && self.generation >= 0;
        if !cooperative {
            // Eager: revoke everything before joining.
            self.assignment.clear();
            self.parts.clear();
            self.ready.clear();
        }
        let protocols = self.join_protocols(&topics, cooperative);
        let (member_id, client_id, host) = (self.member_id.clone(), self.config.client_id.clone(), self.config.host.clone());
        let (session_timeout_ms, rebalance_timeout_ms) = (self.config.session_timeout_ms, self.config.max_poll_interval_ms);
        self.state = MemberState::PreparingRebalance;
        let f = self.send_to(b, rebalance_timeout_ms + 5_000, ctx, |req_id| GroupMsg::Join {
            consumer: c,
            req_id,
            group: g,
            member_id,
            client_id,
            host,
            session_timeout_ms,
            rebalance_timeout_ms,
            protocols,
        });
        self.join_inflight = Some(f);
    }

    /// The JoinGroup protocols: one subscription per configured assignor (with the owned
    /// partitions and generation the cooperative and sticky assignors carry).
    fn join_protocols(&self, topics: &BTreeSet<String>, cooperative: bool) -> Vec<(Strategy, Subscription)> {
        let owned: Vec<TopicPartition> = if cooperative { self.assignment.clone() } else { Vec::new() };
        let generation = self.generation;
        self.config
            .partition_assignment_strategy
            .iter()
            .map(|s| {
                let sub = Subscription {
                    topics: topics.clone(),
                    owned_partitions: if s.is_cooperative() || *s == Strategy::Sticky { owned.clone() } else { Vec::new() },
                    generation: if s.is_cooperative() || (*s == Strategy::Sticky && generation >= 0) { Some(generation) } else { None },
                    group_instance_id: None,
                };
                (*s, sub)
            })
            .collect()
    }

    /// Pending seeks to the beginning or end resolve; partitions without a position ask the
    /// coordinator for their committed offsets (a group) or apply the reset policy.
    fn resolve_positions(&mut self, c: ConsumerId, ctx: &mut Ctx) {
        let policy = self.config.auto_offset_reset;
        // seekToBeginning/End first.
        for (tp, p) in self.parts.iter_mut() {
            let Some(r) = p.pending_reset else { continue };
            if let Some(o) = ctx.view().list_offset(&tp.topic, tp.partition, offset_spec(r)) {
                p.position = Some(o);
                p.pending_reset = None;
            }
        }
        let missing: Vec<TopicPartition> = self.parts.iter().filter(|(_, p)| p.position.is_none() && p.pending_reset.is_none()).map(|(tp, _)| tp.clone()).collect();
        if missing.is_empty() {
            return;
        }
        match (self.config.group_id.clone(), self.coordinator) {
            (Some(g), Some(b)) if self.offset_fetch_inflight.is_none() => {
                let timeout_ms = self.config.request_timeout_ms;
                let partitions = missing.clone();
                let f = self.send_to(b, timeout_ms, ctx, |req_id| GroupMsg::OffsetFetch { consumer: c, req_id, group: g, partitions });
                self.offset_fetch_inflight = Some((f, missing));
            }
            (Some(_), _) => {}
            (None, _) => {
                for tp in missing {
                    self.reset_position(&tp, policy, None, ctx);
                }
            }
        }
    }

    /// Applies `auto.offset.reset` to a partition without a valid position.
    fn reset_position(&mut self, tp: &TopicPartition, policy: OffsetReset, out_of_range: Option<i64>, ctx: &Ctx) {
        if policy == OffsetReset::None {
            let e = match out_of_range {
                Some(o) => KafkaError::new(ErrorCode::OFFSET_OUT_OF_RANGE, format!("Fetch position FetchPosition{{offset={o}}} is out of range for partition {}", tp_string(tp))),
                None => KafkaError::new(ErrorCode::OFFSET_OUT_OF_RANGE, format!("Undefined offset with no reset policy for partitions: [{}]", tp_string(tp))),
            };
            self.pending_error.get_or_insert(e);
            return;
        }
        let Some(o) = ctx.view().list_offset(&tp.topic, tp.partition, offset_spec(policy)) else { return };
        if let Some(p) = self.parts.get_mut(tp) {
            p.position = Some(o);
            p.buffer = None;
            self.logs.push(ConsumerLog::ResettingOffset { tp: tp.clone(), offset: o });
        }
    }

    /// OffsetCommit for every queued commit not on the wire (to a known coordinator).
    fn send_commits(&mut self, c: ConsumerId, ctx: &mut Ctx) {
        let (Some(b), Some(g)) = (self.coordinator, self.config.group_id.clone()) else { return };
        let timeout_ms = self.config.request_timeout_ms;
        let (member_id, generation) = if matches!(self.mode, Mode::Subscribed(_)) { (self.member_id.clone(), self.generation) } else { (String::new(), -1) };
        for i in 0..self.commits.len() {
            if self.commits[i].inflight.is_some() {
                continue;
            }
            let offsets = self.commits[i].offsets.clone();
            let (g, member_id) = (g.clone(), member_id.clone());
            let f = self.send_to(b, timeout_ms, ctx, |req_id| GroupMsg::OffsetCommit { consumer: c, req_id, group: g, member_id, generation, offsets });
            self.commits[i].inflight = Some(f);
        }
    }

    /// A long-poll Fetch to each partition leader the client reaches and has no fetch in
    /// flight to, for the partitions with a position and nothing buffered.
    fn send_fetches(&mut self, c: ConsumerId, ctx: &mut Ctx) {
        if ctx.now_ms < self.fetch_retry_at_ms {
            return;
        }
        let mut by_leader: BTreeMap<BrokerId, Vec<(TopicPartition, i64)>> = BTreeMap::new();
        for (tp, p) in &self.parts {
            let (Some(pos), None) = (p.position, &p.buffer) else { continue };
            let Some(l) = ctx.view().leader(&tp.topic, tp.partition) else { continue };
            if !self.fetch_inflight.contains_key(&l) {
                by_leader.entry(l).or_default().push((tp.clone(), pos));
            }
        }
        let (isolation, wait, bytes, timeout_ms) = (self.config.isolation_level, self.config.fetch_max_wait_ms, self.config.max_partition_fetch_bytes, self.config.request_timeout_ms);
        for (l, parts) in by_leader {
            if !ctx.reaches(l) {
                continue;
            }
            let sent = parts.clone();
            let f = self.send_to(l, timeout_ms + wait, ctx, |req_id| GroupMsg::Fetch { consumer: c, req_id, parts, isolation, max_wait_ms: wait, max_partition_bytes: bytes });
            self.fetch_inflight.insert(l, (f, sent));
        }
    }

    /// The coordinator is gone or moved: forget it (requests to it fail).
    fn coordinator_unknown(&mut self) {
        self.coordinator = None;
        self.hb_inflight = None;
        if self.join_inflight.take().is_some() || self.sync_inflight.take().is_some() {
            self.state = MemberState::Unjoined;
        }
        self.offset_fetch_inflight = None;
        for pc in self.commits.iter_mut() {
            pc.inflight = None;
        }
    }

    fn reset_generation(&mut self, reset_member_id: bool) {
        self.generation = -1;
        if reset_member_id {
            self.member_id.clear();
        }
        self.state = MemberState::Unjoined;
        self.is_leader = false;
        // The partitions are lost (no commit: another member may own them now).
        self.assignment.clear();
        self.parts.clear();
        self.ready.clear();
    }
}

// ----- answers -----
impl Consumer {
    /// A group-protocol or fetch answer reached consumer `c`; the consumer then steps (unless
    /// the answer was stale, or a completed join or sync already stepped it).
    pub(crate) fn receive(&mut self, c: ConsumerId, msg: GroupMsg, ctx: &mut Ctx) {
        if self.closed {
            return;
        }
        let now = ctx.now_ms;
        let step = match msg {
            GroupMsg::FindCoordinatorResp { req_id, result } => self.on_find_coordinator_answer(req_id, result, now),
            GroupMsg::JoinResp { req_id, result } => match self.on_join_answer(req_id, result, now) {
                Answer::Stale => false,
                Answer::Handled => true,
                Answer::Joined(ok) => return self.on_join_ok(c, ok, ctx),
            },
            GroupMsg::SyncResp { req_id, result } => match self.on_sync_answer(req_id, result) {
                Answer::Stale => false,
                Answer::Handled => true,
                Answer::Joined(assignment) => return self.on_sync_ok(c, assignment, ctx),
            },
            GroupMsg::HeartbeatResp { req_id, error } => self.on_heartbeat_answer(req_id, error),
            GroupMsg::OffsetCommitResp { req_id, result } => self.on_commit_answer(req_id, result),
            GroupMsg::OffsetFetchResp { req_id, result } => self.on_offset_fetch_answer(req_id, result, ctx),
            GroupMsg::FetchResp { req_id, parts } => self.on_fetch_answer(req_id, parts, ctx),
            _ => true,
        };
        if step {
            self.step(c, ctx);
        }
    }

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

    /// JoinGroup's answer: a failure is handled here, a success goes on in `on_join_ok`.
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
            ErrorCode::UNKNOWN_MEMBER_ID | ErrorCode::ILLEGAL_GENERATION => self.reset_generation(true),
            ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE | ErrorCode::COORDINATOR_LOAD_IN_PROGRESS => self.coordinator_unknown(),
            ErrorCode::INCONSISTENT_GROUP_PROTOCOL | ErrorCode::INVALID_SESSION_TIMEOUT | ErrorCode::INVALID_GROUP_ID => {
                self.pending_error = Some(KafkaError::of(e));
                self.waiting_for_poll = true;
            }
            _ => self.join_retry_at_ms = now + self.config.retry_backoff_ms,
        }
        Answer::Handled
    }

    /// SyncGroup's answer: a failure is handled here, the assignment goes on in `on_sync_ok`.
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
            ErrorCode::UNKNOWN_MEMBER_ID => self.reset_generation(true),
            ErrorCode::ILLEGAL_GENERATION => self.reset_generation(false),
            ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE => self.coordinator_unknown(),
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
            Some(ErrorCode::UNKNOWN_MEMBER_ID) => self.reset_generation(true),
            Some(ErrorCode::ILLEGAL_GENERATION) => self.reset_generation(false),
            Some(ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE | ErrorCode::COORDINATOR_LOAD_IN_PROGRESS) => self.coordinator_unknown(),
            Some(_) => {}
        }
        true
    }

    /// OffsetCommit's answer: the commit completes, is retried, or fails. False when stale.
    fn on_commit_answer(&mut self, req_id: u64, result: Result<(), ErrorCode>) -> bool {
        let Some(i) = self.commits.iter().position(|pc| is_inflight(&pc.inflight, req_id)) else { return false };
        let e = match result {
            Ok(()) => {
                let pc = self.commits.remove(i);
                self.commit_results.insert(pc.id, Ok(()));
                return true;
            }
            Err(e) => e,
        };
        let retriable = matches!(e, ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE | ErrorCode::COORDINATOR_LOAD_IN_PROGRESS | ErrorCode::REQUEST_TIMED_OUT);
        if matches!(e, ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE) {
            self.coordinator_unknown();
        }
        if retriable && self.commits[i].retry {
            self.commits[i].inflight = None;
            return true;
        }
        let err = match e {
            ErrorCode::UNKNOWN_MEMBER_ID | ErrorCode::ILLEGAL_GENERATION => KafkaError::new(e, commit_failed()),
            ErrorCode::REBALANCE_IN_PROGRESS => KafkaError::new(
                e,
                "Offset commit cannot be completed since the consumer is undergoing a rebalance for auto partition assignment. You can try completing the rebalance by calling poll() and then retry the operation.",
            ),
            other => KafkaError::of(other),
        };
        self.fail_commit(i, err);
        true
    }

    /// OffsetFetch's answer: positions start at the committed offsets, or reset. False when stale.
    fn on_offset_fetch_answer(&mut self, req_id: u64, result: Result<Vec<(TopicPartition, i64)>, ErrorCode>, ctx: &Ctx) -> bool {
        if !self.offset_fetch_inflight.as_ref().is_some_and(|(f, _)| f.req_id == req_id) {
            return false;
        }
        self.offset_fetch_inflight = None;
        let list = match result {
            Ok(list) => list,
            Err(e) => {
                if matches!(e, ErrorCode::NOT_COORDINATOR | ErrorCode::COORDINATOR_NOT_AVAILABLE | ErrorCode::COORDINATOR_LOAD_IN_PROGRESS) {
                    self.coordinator_unknown();
                }
                return true;
            }
        };
        let policy = self.config.auto_offset_reset;
        for (tp, off) in list {
            let Some(p) = self.parts.get_mut(&tp) else { continue };
            if p.position.is_some() || p.pending_reset.is_some() {
                continue;
            }
            if off >= 0 {
                p.position = Some(off);
                self.logs.push(ConsumerLog::SettingOffsetToCommitted { tp, offset: off });
            } else {
                self.logs.push(ConsumerLog::FoundNoCommittedOffset { tp: tp.clone() });
                self.reset_position(&tp, policy, None, ctx);
            }
        }
        true
    }

    /// A fetch's answer: records are buffered, out-of-range positions reset. False when stale.
    fn on_fetch_answer(&mut self, req_id: u64, parts: Vec<(TopicPartition, Result<FetchResponse, KafkaError>)>, ctx: &Ctx) -> bool {
        let Some(&b) = self.fetch_inflight.iter().find(|(_, (f, _))| f.req_id == req_id).map(|(b, _)| b) else { return false };
        let Some((_, sent)) = self.fetch_inflight.remove(&b) else { return false };
        let policy = self.config.auto_offset_reset;
        let mut errors = false;
        for (tp, r) in parts {
            let asked = sent.iter().find(|(t, _)| *t == tp).map(|(_, o)| *o);
            let Some(p) = self.parts.get_mut(&tp) else { continue };
            if p.position != asked || p.buffer.is_some() {
                continue; // seeked meanwhile: stale data
            }
            match r {
                Ok(resp) => {
                    if resp.end_offset > resp.first_offset {
                        let first = resp.first_offset;
                        p.buffer = Some((resp, first));
                        self.ready.push_back(tp);
                    }
                }
                Err(e) if e.code == ErrorCode::OFFSET_OUT_OF_RANGE => {
                    let o = asked.unwrap_or(-1);
                    self.logs.push(ConsumerLog::OffsetOutOfRange { tp: tp.clone(), offset: o });
                    p.position = None;
                    self.reset_position(&tp, policy, Some(o), ctx);
                }
                Err(_) => errors = true,
            }
        }
        if errors {
            self.fetch_retry_at_ms = ctx.now_ms + self.config.retry_backoff_ms;
        }
        true
    }

    /// JoinGroup succeeded: the leader assigns (with its metadata for every subscribed topic),
    /// every member sends SyncGroup, then steps.
    fn on_join_ok(&mut self, c: ConsumerId, ok: JoinOk, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        self.member_id = ok.member_id.clone();
        self.generation = ok.generation;
        self.protocol = Some(ok.protocol);
        self.is_leader = ok.leader == ok.member_id;
        self.state = MemberState::CompletingRebalance;
        self.next_heartbeat_ms = now + self.config.heartbeat_interval_ms;
        let Some(b) = self.coordinator else { return };
        let g = self.config.group_id.clone().unwrap_or_default();
        let mut snapshot = BTreeMap::new();
        if let Mode::Subscribed(topics) = &self.mode {
            for t in topics {
                snapshot.insert(t.clone(), 0);
            }
        }
        let mut assignment = None;
        if self.is_leader {
            // The leader assigns with its metadata for every topic any member subscribes to.
            for m in &ok.members {
                for t in &m.subscription.topics {
                    snapshot.insert(t.clone(), 0);
                }
            }
            let ppt: BTreeMap<String, i32> = snapshot.keys().map(|t| (t.clone(), ctx.view().partition_count(t))).collect();
            let members: Vec<Member> = ok.members.clone();
            assignment = Some(assignor::assign(ok.protocol, &members, &ppt).unwrap_or_default());
        }
        for (t, n) in snapshot.iter_mut() {
            *n = ctx.view().partition_count(t);
        }
        self.metadata_snapshot = snapshot;
        self.next_metadata_check_ms = now + self.config.metadata_max_age_ms;
        let (member_id, generation, timeout_ms) = (self.member_id.clone(), self.generation, self.config.request_timeout_ms);
        let f = self.send_to(b, timeout_ms, ctx, |req_id| GroupMsg::Sync { consumer: c, req_id, group: g, member_id, generation, assignment });
        self.sync_inflight = Some(f);
        self.step(c, ctx);
    }

    /// SyncGroup succeeded: the member owns `assignment` (revoked partitions dropped, added ones
    /// without a position yet), then steps.
    fn on_sync_ok(&mut self, c: ConsumerId, assignment: Vec<TopicPartition>, ctx: &mut Ctx) {
        self.state = MemberState::Stable;
        self.next_heartbeat_ms = ctx.now_ms + self.config.heartbeat_interval_ms;
        let old: BTreeSet<TopicPartition> = self.assignment.iter().cloned().collect();
        let new: BTreeSet<TopicPartition> = assignment.into_iter().collect();
        let revoked: Vec<TopicPartition> = old.difference(&new).cloned().collect();
        let added: Vec<TopicPartition> = new.difference(&old).cloned().collect();
        for tp in &revoked {
            self.parts.remove(tp);
        }
        self.ready.retain(|tp| new.contains(tp));
        for tp in &added {
            self.parts.entry(tp.clone()).or_default();
        }
        self.assignment = new.into_iter().collect();
        self.logs.push(ConsumerLog::Assigned { generation: self.generation, member_id: self.member_id.clone(), added, revoked: revoked.clone() });
        if !revoked.is_empty() && self.protocol.is_some_and(|p| p.is_cooperative()) {
            // Cooperative: the revoked partitions go to their new owner in a follow-up rebalance.
            self.state = MemberState::Unjoined;
        }
        self.step(c, ctx);
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

// ----- the first metadata answer for a subscribed topic the cluster does not know
impl Consumer {
    /// The answer to the client's first metadata request for subscribed `topic`, which the
    /// cluster does not know: UNKNOWN_TOPIC_OR_PARTITION (the member simply owns nothing of it)
    /// or INVALID_TOPIC_EXCEPTION, which the next poll throws (`Metadata.maybeThrowAnyException`).
    /// Logged once (the real client repeats the WARN on each metadata refresh). Returns the
    /// request's `allowAutoTopicCreation` (`allow.auto.create.topics`).
    pub(crate) fn on_missing_topic_answer(&mut self, topic: &str, error: ErrorCode) -> bool {
        // Matches the console producer's first metadata request after ApiVersions; the
        // consumer's FindCoordinator goes first, hence 2.
        const CORRELATION_ID: u64 = 2;
        debug_assert!(matches!(error, ErrorCode::UNKNOWN_TOPIC_OR_PARTITION | ErrorCode::INVALID_TOPIC_EXCEPTION), "a missing topic's answer");
        self.logs.push(ConsumerLog::MetadataIssue { correlation_id: CORRELATION_ID, topic: topic.to_string(), error });
        if error == ErrorCode::INVALID_TOPIC_EXCEPTION {
            self.pending_error = Some(KafkaError::new(ErrorCode::INVALID_TOPIC_EXCEPTION, format!("Invalid topics: [{topic}]")));
        }
        self.config.allow_auto_create_topics
    }
}
