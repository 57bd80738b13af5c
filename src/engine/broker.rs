//! A broker node: its metadata view (deltas and snapshots from the controller), becoming leader or
//! follower per partition, metadata requests (auto-creation forwarded to the controller),
//! heartbeats, and the follower's side of replication (one fetcher per leader broker, long polls,
//! epoch-based truncation). The leader's side (produce, follower fetches served, HW, ISR) is in
//! [`leader`], consumer fetches in [`fetch`], the broker's state in [`state`]; every handler reads
//! and writes only its own `Broker` and acts through a `Ctx`.

pub(crate) mod fetch;
pub(crate) mod leader;
pub(crate) mod state;

use self::state::*;
use super::ids::{BrokerId, Tp};
use super::msg::{Dest, Ev, FetchPart, FetchResult, Msg, PartitionMeta, TopicAnswer, TopicRecord};
use super::node::WALL_CLOCK_EPOCH_MS;
use super::config::TopicSettings;
use super::error::{ErrorCode, KafkaError};
use super::event::EventKind;
use super::log::{Batch, PartitionLog, RollPolicy};
use super::node::{Ctx, Observation};
use std::rc::Rc;

pub use super::msg::{FetchRequest, FetchResponse, Isolation, OffsetSpec};

/// Segment settings when a broker has no record of the topic (Kafka's defaults).
const DEFAULT_ROLL: RollPolicy = RollPolicy { segment_bytes: 1 << 30, segment_ms: 604_800_000, segment_jitter_ms: 0 };

impl Broker {
    /// A topic's name as this broker's metadata knows it ("?" once it is gone).
    pub(crate) fn topic_name(&self, idx: u32) -> Rc<str> {
        self.view_topics.get(&idx).map_or_else(|| Rc::from("?"), Rc::clone)
    }

    /// A topic's configs as this broker learned them from its metadata records.
    pub(crate) fn topic_settings(&self, idx: u32) -> Option<&TopicSettings> {
        self.view_settings.get(&idx)
    }

    pub(crate) fn topic_idx(&self, name: &str) -> Option<u32> {
        self.view_topics.iter().find(|(_, n)| n.as_ref() == name).map(|(i, _)| *i)
    }

    /// Each partition's leader, in partition order, as this broker's view holds them.
    fn leaders_of(&self, topic: u32) -> Vec<Option<BrokerId>> {
        let mut leaders = Vec::new();
        while let Some(pm) = self.view.get(&Tp { topic, partition: leaders.len() as i32 }) {
            leaders.push(pm.leader);
        }
        leaders
    }

    /// MetadataRequest with AllowAutoTopicCreation (as producers send it), answered from this
    /// broker's view. A topic it does not know, with `auto.create.topics.enable`, is forwarded to
    /// the active controller as CreateTopics and answered UNKNOWN_TOPIC_OR_PARTITION
    /// (`AutoTopicCreationManager.sendCreateTopicRequest` in KRaft); the client finds it once the
    /// topic's metadata records reached the broker. An invalid name is INVALID_TOPIC_EXCEPTION.
    pub(crate) fn on_metadata_request(&self, ctx: &mut Ctx, auto_create: bool, producer: u32, req_id: u64, topics: Vec<String>) {
        let mut answers = Vec::with_capacity(topics.len());
        let mut create = Vec::new();
        for name in topics {
            let index = self.topic_idx(&name);
            let (error, leaders) = match index {
                Some(i) => (None, self.leaders_of(i)),
                None if super::controller::topic_name_error(&name).is_some() => (Some(ErrorCode::INVALID_TOPIC_EXCEPTION), Vec::new()),
                None => {
                    if auto_create {
                        create.push(name.clone());
                    }
                    (Some(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION), Vec::new())
                }
            };
            answers.push(TopicAnswer { name, index, error, leaders });
        }
        if let (false, Some(c)) = (create.is_empty(), ctx.quorum_leader()) {
            ctx.send(Some(self.id), Dest::Controller(c), Msg::CreateTopicsForward { topics: create.into_iter().map(super::msg::CreatableTopic::named).collect(), reply: None });
        }
        ctx.send(Some(self.id), Dest::Client(producer), Msg::MetadataResp { req_id, topics: answers });
    }

    pub(crate) fn is_up(&self) -> bool {
        matches!(self.process, ProcessState::Running | ProcessState::ShuttingDown)
    }

    /// `broker.heartbeat.interval.ms`: the next heartbeat to the quorum's leader, or, shutting
    /// down, the controlled shutdown request again (retried until a controller answers or the
    /// timeout).
    pub(crate) fn on_heartbeat_timer(&mut self, ctx: &mut Ctx, incarnation: u64) {
        if self.incarnation != incarnation || !self.is_up() {
            return;
        }
        let b = self.id;
        ctx.timer(BROKER_HEARTBEAT_INTERVAL_MS, Ev::BrokerHeartbeat { broker: b, incarnation });
        let Some(c) = ctx.quorum_leader() else { return };
        let msg = if self.process == ProcessState::ShuttingDown {
            Msg::ControlledShutdown { broker: b, incarnation }
        } else {
            Msg::Heartbeat { broker: b, incarnation, view_version: self.view_version }
        };
        ctx.send(Some(b), Dest::Controller(c), msg);
    }

    /// Follower: `tp` is fetched from `leader` (moved from any other fetcher). `reset` (new leader
    /// or epoch) makes it ready to fetch at once, dropping a backoff. The fetch itself goes out
    /// from [`Broker::kick_fetchers`], so that one metadata update adds all its partitions to one
    /// request, as `addFetcherForPartitions` does.
    pub(crate) fn fetcher_add(&mut self, now_ms: i64, leader: BrokerId, tp: Tp, reset: bool) {
        for (l, f) in self.fetchers.iter_mut() {
            if *l != leader {
                f.parts.remove(&tp);
            }
        }
        // A fetcher left without partitions shuts down (`shutdownIdleFetcherThreads`): its
        // request in flight is forgotten.
        self.fetchers.retain(|l, f| *l == leader || !f.parts.is_empty());
        let f = self.fetchers.entry(leader).or_default();
        match f.parts.get_mut(&tp) {
            Some(ready) if reset => *ready = now_ms,
            Some(_) => {}
            None => {
                f.parts.insert(tp, now_ms);
            }
        }
    }

    /// Follower: `tp` is fetched from no leader (we lead it, it has no leader, or it is gone).
    pub(crate) fn fetcher_remove(&mut self, tp: Tp) {
        for f in self.fetchers.values_mut() {
            f.parts.remove(&tp);
        }
        self.fetchers.retain(|_, f| !f.parts.is_empty());
    }

    /// Follower: every fetcher with no request in flight sends one (after partitions were added).
    pub(crate) fn kick_fetchers(&mut self, ctx: &mut Ctx) {
        let leaders: Vec<BrokerId> = self.fetchers.iter().filter(|(_, f)| f.in_flight.is_none()).map(|(l, _)| *l).collect();
        for leader in leaders {
            self.maybe_send_fetch(ctx, leader);
        }
    }

    /// The partitions of the fetcher for `leader` ready to fetch now, and when the first of the
    /// others is ready.
    fn ready_fetch_parts(&self, now_ms: i64, f: &Fetcher, leader: BrokerId) -> (Vec<FetchPart>, Option<i64>) {
        let mut parts = Vec::with_capacity(f.parts.len());
        let mut next_ready_ms: Option<i64> = None;
        for (tp, ready_ms) in &f.parts {
            if *ready_ms > now_ms {
                next_ready_ms = Some(next_ready_ms.map_or(*ready_ms, |t| t.min(*ready_ms)));
                continue;
            }
            let (Some(pm), Some(r)) = (self.view.get(tp), self.replicas.get(tp)) else { continue };
            if pm.leader != Some(leader) {
                // Not expected (fetchers follow the view); never ask the wrong broker.
                continue;
            }
            parts.push(FetchPart { tp: *tp, offset: r.log.log_end_offset, last_epoch: r.log.latest_epoch(), leader_epoch: pm.leader_epoch });
        }
        (parts, next_ready_ms)
    }

    /// Follower: the fetcher for `leader` sends its next FetchRequest, with every partition that
    /// is ready, if it has none in flight. With none ready it waits for the first backoff to end.
    pub(crate) fn maybe_send_fetch(&mut self, ctx: &mut Ctx, leader: BrokerId) {
        let (now, b, inc) = (ctx.now_ms, self.id, self.incarnation);
        let Some(f) = self.fetchers.get(&leader).filter(|_| self.is_up()) else { return };
        if f.in_flight.is_some() {
            return;
        }
        if self.slow_ms > 0 && f.slow_until_ms.is_none_or(|t| t > now) {
            return self.hold_slow_fetch(ctx, leader);
        }
        debug_assert!(leader != b, "a broker never fetches from itself");
        let (parts, next_ready_ms) = self.ready_fetch_parts(now, f, leader);
        let Some(f) = self.fetchers.get_mut(&leader) else { return };
        if parts.is_empty() {
            let Some(at) = next_ready_ms else { return };
            if f.backoff_until_ms != Some(at) {
                f.backoff_until_ms = Some(at);
                ctx.timer(at - now, Ev::FetcherBackoff { broker: b, incarnation: inc, leader });
            }
            return;
        }
        let fetch_id = ctx.next_id();
        f.in_flight = Some((fetch_id, parts.clone()));
        f.backoff_until_ms = None;
        f.slow_until_ms = None;
        ctx.send(Some(b), Dest::Broker(leader), Msg::Fetch { follower: b, fetch_id, parts });
        ctx.timer(REPLICA_FETCH_TIMEOUT_MS, Ev::FollowerFetchTimeout { broker: b, incarnation: inc, leader, fetch_id });
    }

    /// A slow broker's fetcher waits `slow_ms` before each fetch (once per fetch: the wake-up is
    /// scheduled when the wait starts).
    fn hold_slow_fetch(&mut self, ctx: &mut Ctx, leader: BrokerId) {
        let (slow_ms, b, inc) = (self.slow_ms, self.id, self.incarnation);
        let Some(f) = self.fetchers.get_mut(&leader) else { return };
        if f.slow_until_ms.is_none() {
            f.slow_until_ms = Some(ctx.now_ms + slow_ms);
            ctx.timer(slow_ms, Ev::SlowFetchDue { broker: b, incarnation: inc, leader });
        }
    }

    pub(crate) fn on_slow_fetch_due(&mut self, ctx: &mut Ctx, incarnation: u64, leader: BrokerId) {
        let due = self.fetchers.get(&leader).is_some_and(|f| f.slow_until_ms == Some(ctx.now_ms));
        if self.incarnation == incarnation && due {
            self.maybe_send_fetch(ctx, leader);
        }
    }

    pub(crate) fn on_fetcher_backoff(&mut self, ctx: &mut Ctx, incarnation: u64, leader: BrokerId) {
        if self.incarnation != incarnation {
            return;
        }
        let Some(f) = self.fetchers.get_mut(&leader).filter(|f| f.backoff_until_ms == Some(ctx.now_ms)) else { return };
        f.backoff_until_ms = None;
        self.maybe_send_fetch(ctx, leader);
    }

    /// No answer within `replica.socket.timeout.ms`: the request failed, every partition in it
    /// backs off (`AbstractFetcherThread.processFetchRequest`), then the fetcher tries again.
    pub(crate) fn on_follower_fetch_timeout(&mut self, ctx: &mut Ctx, incarnation: u64, leader: BrokerId, fetch_id: u64) {
        if self.incarnation != incarnation {
            return;
        }
        let Some(f) = self.fetchers.get_mut(&leader) else { return };
        let Some((_, asked)) = f.in_flight.take_if(|(id, _)| *id == fetch_id) else { return };
        for p in asked {
            if let Some(ready) = f.parts.get_mut(&p.tp) {
                *ready = (*ready).max(ctx.now_ms + REPLICA_FETCH_BACKOFF_MS);
            }
        }
        self.maybe_send_fetch(ctx, leader);
    }

    pub(crate) fn roll_policy(&self, tp: Tp) -> RollPolicy {
        match self.topic_settings(tp.topic) {
            Some(t) => RollPolicy { segment_bytes: t.segment_bytes, segment_ms: t.segment_ms, segment_jitter_ms: t.segment_jitter_ms },
            None => DEFAULT_ROLL,
        }
    }
}

/// A metadata delta or snapshot from the controller, as the broker receives it.
pub(crate) struct MetadataDelta {
    pub from_version: u64,
    pub to_version: u64,
    pub full: bool,
    pub topics: Vec<TopicRecord>,
    pub deleted: Vec<u32>,
    pub parts: Vec<(Tp, PartitionMeta)>,
}

impl Broker {
    /// A metadata delta or snapshot (`BrokerMetadataPublisher`): the view takes it, replicas of
    /// topics the broker no longer knows are deleted, each changed partition makes this broker
    /// its leader or a follower, and the fetchers send what the update added. A stale update is
    /// ignored; a gap (a delta was lost) waits for the snapshot the next heartbeat brings.
    pub(crate) fn on_metadata(&mut self, ctx: &mut Ctx, d: MetadataDelta) {
        let (full, any_deleted) = (d.full, !d.deleted.is_empty());
        let Some(mut changed) = self.take_metadata(d) else { return };
        if full || any_deleted {
            self.delete_unknown_replicas(ctx);
        }
        if full {
            changed.sort_unstable();
            changed.dedup();
            // A first snapshot after (re)start: tell the controller we caught up (an extra
            // heartbeat; the regular one keeps running).
            ctx.timer(0, Ev::BrokerHeartbeat { broker: self.id, incarnation: self.incarnation });
        }
        for tp in changed {
            self.on_partition_change(ctx, tp);
        }
        self.kick_fetchers(ctx);
    }

    /// The view takes the update; the partitions whose state differs. A snapshot replaces the
    /// view; like the metadata loader's delta between the old image and the new one, only
    /// partitions whose state differs count as changed. (Treating every partition as changed made
    /// a leader drop its pending ISR expansion on a snapshot of the same partition epoch, and
    /// advance its HW over the smaller committed ISR while the controller committed the larger
    /// one: HwWithinIsrLeo, swarm seed 54419.)
    fn take_metadata(&mut self, d: MetadataDelta) -> Option<Vec<Tp>> {
        let mut old_view = std::collections::BTreeMap::new();
        if d.full {
            if d.to_version < self.view_version {
                return None;
            }
            old_view = std::mem::take(&mut self.view);
            self.view_topics.clear();
            self.view_settings.clear();
        } else if d.from_version != self.view_version {
            // A gap (a delta was lost): wait for the snapshot the next heartbeat brings.
            return None;
        }
        self.view_version = d.to_version;
        for t in d.topics {
            self.view_topics.insert(t.idx, t.name);
            self.view_settings.insert(t.idx, t.settings);
        }
        for i in &d.deleted {
            self.view_topics.remove(i);
            self.view_settings.remove(i);
            self.view.retain(|tp, _| tp.topic != *i);
        }
        let mut changed = Vec::new();
        for (tp, pm) in d.parts {
            let old = if d.full { old_view.remove(&tp) } else { self.view.insert(tp, pm.clone()) };
            if old.as_ref() != Some(&pm) {
                changed.push(tp);
            }
            if d.full {
                self.view.insert(tp, pm);
            }
        }
        // Partitions the snapshot no longer holds.
        changed.extend(old_view.into_keys());
        Some(changed)
    }

    /// Replicas of topics this broker no longer knows are deleted from disk; StopReplica
    /// completes delayed fetches for them, and their fetcher lets them go.
    fn delete_unknown_replicas(&mut self, ctx: &mut Ctx) {
        let gone: Vec<Tp> = self.replicas.keys().filter(|tp| !self.view_topics.contains_key(&tp.topic)).copied().collect();
        for tp in gone {
            self.replicas.remove(&tp);
            self.purgatory.remove(&tp);
            self.wake_parked_fetches(ctx, tp);
            self.fetcher_remove(tp);
        }
    }

    /// Reacts to a new partition state in the broker's view: become leader or follower.
    fn on_partition_change(&mut self, ctx: &mut Ctx, tp: Tp) {
        let Some(pm) = self.view.get(&tp).filter(|pm| pm.replicas.contains(&self.id)).cloned() else { return self.fetcher_remove(tp) };
        let now = ctx.now_ms;
        self.replicas.entry(tp).or_insert_with(|| Replica { log: PartitionLog::new(WALL_CLOCK_EPOCH_MS + now), vol: ReplicaVolatile::default() });
        if pm.leader == Some(self.id) {
            self.become_leader(ctx, tp, &pm);
        } else {
            self.become_follower(ctx, tp, &pm);
        }
    }

    /// `makeLeaders`: a new epoch starts at our LEO; the followers' progress starts over and the
    /// partition leaves the replica fetchers. Requests parked under the old role are answered by
    /// timeout.
    fn become_leader(&mut self, ctx: &mut Ctx, tp: Tp, pm: &PartitionMeta) {
        let (b, now) = (self.id, ctx.now_ms);
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        let new_epoch = !r.vol.is_leader || r.vol.leader_epoch != pm.leader_epoch;
        if new_epoch {
            debug_assert!(pm.leader_epoch >= r.vol.leader_epoch, "broker {b} {tp:?}: leader epochs never go back");
            r.vol.is_leader = true;
            r.vol.leader_epoch = pm.leader_epoch;
            r.vol.epoch_start_offset = r.log.log_end_offset;
            let leo = r.log.log_end_offset;
            r.log.assign_epoch(pm.leader_epoch, leo);
            r.vol.followers.clear();
            for f in pm.replicas.iter().filter(|f| **f != b) {
                r.vol.followers.insert(*f, FollowerProgress { leo: -1, last_caught_up_ms: now, last_fetch_ms: now, last_fetch_leader_leo: -1 });
            }
        }
        r.vol.pending_isr = None;
        if new_epoch {
            self.fetcher_remove(tp);
        }
        self.maybe_advance_hw(ctx, tp);
    }

    /// `makeFollowers`: parked produces can no longer complete here, parked follower fetches
    /// complete now (DelayedFetch case A: not leader); the partition is (re)added to the fetcher
    /// for the new leader, ready at once.
    fn become_follower(&mut self, ctx: &mut Ctx, tp: Tp, pm: &PartitionMeta) {
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        let was_leader = r.vol.is_leader;
        r.vol.is_leader = false;
        let epoch_changed = r.vol.leader_epoch != pm.leader_epoch;
        r.vol.leader_epoch = pm.leader_epoch;
        if was_leader || epoch_changed {
            r.vol.followers.clear();
            r.vol.truncated_for_epoch = None;
            for p in self.purgatory.remove(&tp).unwrap_or_default() {
                ctx.send(Some(self.id), Dest::Client(p.producer), Msg::ProduceResp { req_id: p.req_id, result: Err(KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER)) });
            }
            self.wake_parked_fetches(ctx, tp);
        }
        match pm.leader {
            Some(leader) => self.fetcher_add(ctx.now_ms, leader, tp, was_leader || epoch_changed),
            None => self.fetcher_remove(tp),
        }
    }

    /// Follower: a FetchResponse from `leader`. A partition's answer is used only if the fetcher
    /// still fetches it at the offset and epoch it asked with (`AbstractFetcherThread`); errors
    /// make the partition back off. Then the fetcher sends its next request at once.
    pub(crate) fn on_fetch_response(&mut self, ctx: &mut Ctx, leader: BrokerId, fetch_id: u64, answers: Vec<(Tp, FetchResult)>) {
        let Some(f) = self.fetchers.get_mut(&leader) else { return };
        let Some((_, asked)) = f.in_flight.take_if(|(id, _)| *id == fetch_id) else { return };
        debug_assert_eq!(asked.len(), answers.len(), "one answer per partition asked");
        for (p, (tp, result)) in asked.iter().zip(answers) {
            debug_assert_eq!(p.tp, tp);
            let current = self.fetchers.get(&leader).is_some_and(|f| f.parts.contains_key(&tp))
                && self.replicas.get(&tp).is_some_and(|r| r.log.log_end_offset == p.offset && r.vol.leader_epoch == p.leader_epoch && !r.vol.is_leader);
            if !current {
                continue;
            }
            if let FetchResult::Error(_) = result {
                // Metadata will tell us who leads; the partition sits out the backoff.
                if let Some(ready) = self.fetchers.get_mut(&leader).and_then(|f| f.parts.get_mut(&tp)) {
                    *ready = ctx.now_ms + REPLICA_FETCH_BACKOFF_MS;
                }
                continue;
            }
            self.apply_fetched(ctx, tp, result);
            if let Some(r) = self.replicas.get(&tp) {
                debug_assert!(r.log.high_watermark <= r.log.log_end_offset, "broker {} {tp:?}: HW above LEO", self.id);
            }
        }
        self.maybe_send_fetch(ctx, leader);
    }

    /// Follower: one partition's answer (not an error): truncate, or append and follow the HW.
    fn apply_fetched(&mut self, ctx: &mut Ctx, tp: Tp, result: FetchResult) {
        match result {
            FetchResult::OutOfRange { log_start_offset, log_end_offset } => self.fetched_out_of_range(ctx, tp, log_start_offset, log_end_offset),
            FetchResult::Error(_) => {}
            FetchResult::Diverging { epoch, end_offset } => self.fetched_diverging(ctx, tp, epoch, end_offset),
            FetchResult::Data { batches, high_watermark, log_start_offset } => self.fetched_data(ctx, tp, batches, high_watermark, log_start_offset),
        }
    }

    /// `ReplicaFetcherThread` out-of-range handling: behind the leader's log start (retention
    /// deleted what we need) -> start over, empty, at it; ahead of the leader's end -> truncate
    /// to it. Then fetch again at once.
    fn fetched_out_of_range(&mut self, ctx: &mut Ctx, tp: Tp, log_start_offset: i64, log_end_offset: i64) {
        let (b, name, wall_ms) = (self.id, self.topic_name(tp.topic), ctx.wall_clock_ms());
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        let from = r.log.log_end_offset;
        if from < log_start_offset {
            r.log.truncate_fully_and_start_at(log_start_offset, wall_ms);
            ctx.emit(EventKind::LogStartOffsetAdvanced { topic: name, partition: tp.partition, broker: b, log_start_offset });
        } else if from > log_end_offset {
            let to = r.log.truncate_to(log_end_offset, wall_ms);
            if to < from {
                ctx.emit(EventKind::Truncated { topic: name, partition: tp.partition, broker: b, from, to });
            }
        }
    }

    /// `AbstractFetcherThread.getOffsetTruncationState`: if we know the leader's epoch, truncate
    /// to min(leader's end, our end) for it; if not, to the end of our largest epoch below it,
    /// and ask again.
    fn fetched_diverging(&mut self, ctx: &mut Ctx, tp: Tp, epoch: i32, end_offset: i64) {
        let (b, name, wall_ms) = (self.id, self.topic_name(tp.topic), ctx.wall_clock_ms());
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        let from = r.log.log_end_offset;
        let target = if epoch < 0 {
            end_offset
        } else {
            match r.log.end_offset_for_epoch(epoch) {
                Some((e, ours)) if e == epoch => ours.min(end_offset),
                Some((_, ours)) => ours,
                None => r.log.log_start_offset,
            }
        };
        let to = r.log.truncate_to(target, wall_ms);
        if to < from {
            ctx.emit(EventKind::Truncated { topic: name, partition: tp.partition, broker: b, from, to });
        }
    }

    /// Appends whole batches continuing our log, then follows the leader's HW and log start.
    fn fetched_data(&mut self, ctx: &mut Ctx, tp: Tp, batches: Vec<Rc<Batch>>, high_watermark: i64, log_start_offset: i64) {
        let (b, name, wall_ms, roll) = (self.id, self.topic_name(tp.topic), ctx.wall_clock_ms(), self.roll_policy(tp));
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        ctx.observe(Observation::Reconciled { broker: b, tp });
        let before = r.log.log_end_offset;
        let mut rolled_at = Vec::new();
        for bt in batches {
            if bt.next_offset() <= r.log.log_end_offset {
                continue;
            }
            if bt.base_offset < r.log.log_end_offset {
                // Only whole batches continuing our log are appended.
                break;
            }
            // A base offset above our LEO is a gap the leader's cleaner left: copy it.
            let base = bt.base_offset;
            if r.log.append(bt, roll, wall_ms) {
                rolled_at.push(base);
            }
        }
        let new_hw = high_watermark.min(r.log.log_end_offset);
        r.log.high_watermark = new_hw.max(r.log.log_start_offset.min(r.log.log_end_offset));
        // The leader's log start offset moves ours (never past our HW).
        let start_moved = r.log.increment_log_start_offset(log_start_offset.min(r.log.high_watermark));
        let (lso, leo) = (r.log.log_start_offset, r.log.log_end_offset);
        for base_offset in rolled_at {
            ctx.emit(EventKind::SegmentRolled { topic: name.clone(), partition: tp.partition, broker: b, base_offset });
        }
        if start_moved {
            ctx.emit(EventKind::LogStartOffsetAdvanced { topic: name.clone(), partition: tp.partition, broker: b, log_start_offset: lso });
        }
        if leo > before {
            ctx.emit(EventKind::Replicated { topic: name, partition: tp.partition, broker: b, leo });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn idle_cluster(partitions: i32) -> Cluster {
        let mut c = Cluster::new(ClusterConfig { track_invariants: false, ..ClusterConfig::new(3, 5) }).expect("valid");
        c.create_topic(NewTopic::new("t", partitions, 3)).expect("created");
        c.advance(3_000);
        c
    }

    /// `num.replica.fetchers=1`: each follower has one fetcher per leader broker, and its request
    /// in flight names every partition that broker leads and the follower replicates.
    #[test]
    fn followers_send_one_fetch_per_leader_broker_with_all_its_partitions() {
        let c = idle_cluster(12);
        for (b, br) in &c.brokers {
            let mut leaders: Vec<BrokerId> = c.brokers.keys().copied().filter(|l| l != b).collect();
            leaders.retain(|l| br.view.values().any(|pm| pm.leader == Some(*l)));
            assert_eq!(br.fetchers.keys().copied().collect::<Vec<_>>(), leaders, "broker {b}");
            for (l, f) in &br.fetchers {
                let led: Vec<Tp> = br.view.iter().filter(|(_, pm)| pm.leader == Some(*l) && pm.replicas.contains(b)).map(|(tp, _)| *tp).collect();
                assert_eq!(f.parts.keys().copied().collect::<Vec<_>>(), led, "broker {b} from {l}");
                // Idle: the request is parked on the leader (or on the wire), with every partition.
                let (_, asked) = f.in_flight.as_ref().expect("a long poll is always in flight");
                assert_eq!(asked.iter().map(|p| p.tp).collect::<Vec<_>>(), led);
            }
        }
    }

    /// Brokers learn topic configs only from metadata records (KRaft's ConfigRecord): a topic's
    /// own change and a cluster-wide default change both reach every broker's view one network
    /// hop after the controller recorded them, never before.
    #[test]
    fn config_changes_reach_brokers_as_metadata_records() {
        let mut c = idle_cluster(1);
        let idx = c.ctl.by_name["t"];
        let min_isr = |c: &Cluster| c.brokers.values().map(|b| b.topic_settings(idx).map(|s| s.min_insync_replicas)).collect::<Vec<_>>();
        let retention = |c: &Cluster| c.brokers.values().map(|b| b.topic_settings(idx).map(|s| s.retention_ms)).collect::<Vec<_>>();
        assert_eq!(min_isr(&c), vec![Some(1); 3]);
        c.alter_configs(&ConfigResource::Topic("t".into()), &[AlterOp::Set("min.insync.replicas".into(), "2".into())]).expect("altered");
        assert_eq!(min_isr(&c), vec![Some(1); 3], "the record is still on the wire");
        c.advance(NET_LATENCY_MS);
        assert_eq!(min_isr(&c), vec![Some(2); 3]);
        c.alter_configs(&ConfigResource::Broker(None), &[AlterOp::Set("log.retention.ms".into(), "60000".into())]).expect("altered");
        assert_eq!(retention(&c), vec![Some(604_800_000); 3]);
        c.advance(NET_LATENCY_MS);
        assert_eq!(retention(&c), vec![Some(60_000); 3]);
    }

    /// KRaft's AutoTopicCreationManager: a broker that does not know a topic a Metadata request
    /// names forwards CreateTopics to the active controller and answers
    /// UNKNOWN_TOPIC_OR_PARTITION; it creates nothing itself, and the controller creates the
    /// topic when the forward arrives. An invalid name is refused without a forward.
    #[test]
    fn auto_create_is_forwarded_to_the_active_controller() {
        let mut c = idle_cluster(1);
        c.broker_metadata_request(1, 999, 7, vec!["new".into(), "bad name".into()]);
        assert!(!c.topic_exists("new"), "the broker only forwards CreateTopics");
        c.advance(NET_LATENCY_MS);
        assert!(c.topic_exists("new"), "the controller created it on the forward's arrival");
        assert!(!c.topic_exists("bad name"));
        let idx = c.ctl.by_name["new"];
        assert!(c.brokers.values().all(|b| !b.view_topics.contains_key(&idx)), "its records are on the wire");
        c.advance(NET_LATENCY_MS);
        assert!(c.brokers.values().all(|b| b.view_topics.contains_key(&idx)));
    }

    /// Idle replication costs events per broker pair, not per partition: ten times the
    /// partitions (internal topic included) add almost nothing to an idle minute.
    #[test]
    fn idle_replication_events_do_not_grow_with_partitions() {
        let minute = |partitions: i32| {
            let mut c = idle_cluster(partitions);
            let s0 = c.steps();
            c.advance(60_000);
            c.steps() - s0
        };
        let (few, many) = (minute(6), minute(60));
        // 6 fetcher pairs x (request, response, expiry) per 500 ms long poll = 2,160 a minute.
        assert!(many <= few + few / 20, "idle steps: {few} with 6 partitions, {many} with 60");
        assert!(many < 4_000, "idle steps for 60 partitions: {many}");
    }

    /// `fetch.min.bytes=1`: a parked follower fetch answers as soon as any of its partitions gets
    /// data, so an acks=all produce completes in a few network hops, not after the 500 ms wait.
    #[test]
    fn a_parked_fetch_answers_when_any_partition_gets_data() {
        let mut c = idle_cluster(30);
        let p = c.create_producer(ProducerConfig { linger_ms: 0, ..ProducerConfig::default() }).expect("producer");
        c.send(p, ProducerRecord::new("t", Some(b"warm"), Some(b"up"))).expect("send");
        c.flush(p).expect("flush");
        c.take_send_results(p);
        c.advance(2_000);
        let t0 = c.now_ms();
        c.send(p, ProducerRecord::new("t", Some(b"k"), Some(b"v"))).expect("send");
        c.flush(p).expect("flush");
        let results = c.take_send_results(p);
        assert!(matches!(results.as_slice(), [(_, SendResult::Delivered { .. })]), "{results:?}");
        assert!(c.now_ms() - t0 < 20, "acks=all took {} ms", c.now_ms() - t0);
    }

    /// A consumer fetch parked on a leader is process memory: a crash forgets it (it used to sit
    /// in the cluster's group state and could be answered by the restarted broker).
    #[test]
    fn a_crashed_broker_forgets_its_parked_consumer_fetches() {
        let mut c = idle_cluster(1);
        let consumer = c.create_consumer(crate::engine::consumer::ConsumerConfig::default()).expect("consumer");
        c.assign(consumer, &[crate::engine::assignor::TopicPartition { topic: "t".to_string(), partition: 0 }]).expect("assign");
        c.poll(consumer).expect("poll");
        c.advance(50);
        let leader = c.brokers.iter().find(|(_, b)| b.view.values().any(|pm| pm.leader == Some(b.id))).map(|(id, _)| *id).expect("a leader");
        assert_eq!(c.brokers[&leader].parked_consumer_fetches.len(), 1, "the consumer's fetch waits on the leader");
        c.crash(leader).expect("crash");
        assert!(c.brokers[&leader].parked_consumer_fetches.is_empty());
    }
}
