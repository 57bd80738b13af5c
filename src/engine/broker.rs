//! Brokers: metadata views, leader and follower roles, replication by follower fetch (long poll),
//! high watermark, ISR shrink/expand via AlterPartition, produce handling with acks and
//! `min.insync.replicas`, and the consumer-facing fetch and list-offsets.

pub(crate) mod state;

use super::cluster::*;
use super::config::TopicSettings;
use super::error::{ErrorCode, KResult, KafkaError};
use super::event::EventKind;
use super::log::{Batch, PartitionLog, RollPolicy};
use super::node::Ctx;
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

    fn topic_idx(&self, name: &str) -> Option<u32> {
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

    fn is_up(&self) -> bool {
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

impl Cluster {
    pub(crate) fn broker_receive(&mut self, b: BrokerId, msg: Msg) {
        match msg {
            Msg::Metadata { from_version, to_version, full, topics, deleted_topics, parts } => {
                self.apply_metadata(b, from_version, to_version, full, topics, deleted_topics, parts)
            }
            Msg::ControlledShutdownDone => self.finish_shutdown(b),
            Msg::AlterPartitionDone { tp, committed_epoch } => {
                // A rejected change clears the pending state. An accepted one arrives as metadata:
                // until the view holds the committed epoch, the leader keeps its maximal ISR
                // (Kafka's leader moves to the committed state the response carries; here the
                // view is that state, so dropping the pending ISR before it would compute the HW
                // over the old, smaller ISR while the controller committed the larger one).
                let view_epoch = self.brokers[&b].view.get(&tp).map_or(-1, |m| m.partition_epoch);
                if committed_epoch.is_none_or(|e| view_epoch >= e) {
                    if let Some(r) = self.brokers.get_mut(&b).and_then(|br| br.replicas.get_mut(&tp)) {
                        r.vol.pending_isr = None;
                    }
                }
            }
            Msg::Fetch { follower, fetch_id, parts } => self.handle_replica_fetch(b, follower, fetch_id, parts),
            Msg::FetchResp { leader, fetch_id, parts } => self.handle_fetch_response(b, leader, fetch_id, parts),
            Msg::Produce { producer, req_id, tp, data, acks, timeout_ms } => self.handle_produce(b, producer, req_id, tp, data, acks, timeout_ms),
            Msg::MetadataReq { producer, req_id, topics } => self.broker_metadata_request(b, producer, req_id, topics),
            Msg::Group(m) => self.group_broker_receive(b, *m),
            Msg::Txn(m) => self.txn_broker_receive(b, *m),
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_metadata(
        &mut self,
        b: BrokerId,
        from_version: u64,
        to_version: u64,
        full: bool,
        topics: Vec<TopicRecord>,
        deleted: Vec<u32>,
        parts: Vec<(Tp, PartitionMeta)>,
    ) {
        let br = self.brokers.get_mut(&b).expect("exists");
        // A snapshot replaces the view; like the metadata loader's delta between the old image
        // and the new one, only partitions whose state differs count as changed. (Treating every
        // partition as changed made a leader drop its pending ISR expansion on a snapshot of the
        // same partition epoch, and advance its HW over the smaller committed ISR while the
        // controller committed the larger one: HwWithinIsrLeo, swarm seed 54419.)
        let mut old_view = std::collections::BTreeMap::new();
        if full {
            if to_version < br.view_version {
                return;
            }
            old_view = std::mem::take(&mut br.view);
            br.view_topics.clear();
        } else if from_version != br.view_version {
            // A gap (a delta was lost): wait for the snapshot the next heartbeat brings.
            return;
        }
        br.view_version = to_version;
        if full {
            br.view_settings.clear();
        }
        for t in topics {
            br.view_topics.insert(t.idx, t.name);
            br.view_settings.insert(t.idx, t.settings);
        }
        for i in &deleted {
            br.view_topics.remove(i);
            br.view_settings.remove(i);
            br.view.retain(|tp, _| tp.topic != *i);
        }
        let mut changed = Vec::new();
        for (tp, pm) in parts {
            let old = if full { old_view.remove(&tp) } else { br.view.insert(tp, pm.clone()) };
            if full {
                br.view.insert(tp, pm.clone());
            }
            if old.as_ref() != Some(&pm) {
                changed.push(tp);
            }
        }
        // Partitions the snapshot no longer holds.
        changed.extend(old_view.into_keys());
        // Replicas of topics this broker no longer knows are deleted from disk.
        let gone: Vec<Tp> = br.replicas.keys().filter(|tp| !br.view_topics.contains_key(&tp.topic)).copied().collect();
        if full || !deleted.is_empty() {
            for tp in gone {
                let br = self.brokers.get_mut(&b).expect("exists");
                br.replicas.remove(&tp);
                br.purgatory.remove(&tp);
                // StopReplica completes delayed fetches for it, and its fetcher lets it go.
                self.wake_parked_fetches(b, tp);
                self.broker_fetcher_remove(b, tp);
            }
        }
        if full {
            let br = self.brokers.get_mut(&b).expect("exists");
            changed.sort_unstable();
            changed.dedup();
            // A first snapshot after (re)start: tell the controller we caught up.
            let inc = br.incarnation;
            self.schedule(0, Ev::BrokerHeartbeat { broker: b, incarnation: inc });
            // The timer above is an extra heartbeat; the regular one keeps running.
        }
        for tp in changed {
            self.on_partition_change(b, tp);
        }
        self.kick_fetchers(b);
    }

    /// Reacts to a new partition state in the broker's view: become leader or follower.
    fn on_partition_change(&mut self, b: BrokerId, tp: Tp) {
        let now = self.now_ms;
        let Some(pm) = self.brokers[&b].view.get(&tp).cloned() else { return self.broker_fetcher_remove(b, tp) };
        if !pm.replicas.contains(&b) {
            return self.broker_fetcher_remove(b, tp);
        }
        let br = self.brokers.get_mut(&b).expect("exists");
        let r = br.replicas.entry(tp).or_insert_with(|| Replica { log: PartitionLog::new(WALL_CLOCK_EPOCH_MS + now), vol: ReplicaVolatile::default() });
        if pm.leader == Some(b) {
            if !r.vol.is_leader || r.vol.leader_epoch != pm.leader_epoch {
                // Become leader: new epoch starts at our LEO.
                r.vol.is_leader = true;
                r.vol.leader_epoch = pm.leader_epoch;
                r.vol.epoch_start_offset = r.log.log_end_offset;
                let leo = r.log.log_end_offset;
                r.log.assign_epoch(pm.leader_epoch, leo);
                r.vol.followers.clear();
                for f in &pm.replicas {
                    if *f != b {
                        r.vol.followers.insert(*f, FollowerProgress { leo: -1, last_caught_up_ms: now, last_fetch_ms: now, last_fetch_leader_leo: -1 });
                    }
                }
                r.vol.pending_isr = None;
                // `makeLeaders` removes the partition from the replica fetchers.
                self.broker_fetcher_remove(b, tp);
                // Requests parked under the old role are answered by timeout.
            }
            let r = self.brokers.get_mut(&b).expect("exists").replicas.get_mut(&tp).expect("exists");
            r.vol.pending_isr = None;
            self.maybe_advance_hw(b, tp);
        } else {
            let was_leader = r.vol.is_leader;
            r.vol.is_leader = false;
            let epoch_changed = r.vol.leader_epoch != pm.leader_epoch;
            r.vol.leader_epoch = pm.leader_epoch;
            if was_leader || epoch_changed {
                r.vol.followers.clear();
                r.vol.truncated_for_epoch = None;
                // Parked produce requests can no longer complete here.
                if let Some(list) = br.purgatory.remove(&tp) {
                    for p in list {
                        self.net_send(Some(b), Dest::Client(p.producer), Msg::ProduceResp { req_id: p.req_id, result: Err(KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER)) });
                    }
                }
                // Follower fetches parked here complete now (DelayedFetch case A: not leader).
                self.wake_parked_fetches(b, tp);
            }
            match pm.leader {
                // `makeFollowers`: (re)added to the fetcher for the new leader, ready at once.
                Some(leader) => self.broker_fetcher_add(b, leader, tp, was_leader || epoch_changed),
                None => self.broker_fetcher_remove(b, tp),
            }
        }
    }

    /// Leader: a follower's FetchRequest. Each partition is validated and moves the follower's
    /// progress (ISR, HW); the answer goes at once if any partition has data or an error
    /// (`fetch.min.bytes=1`), else the request waits up to `replica.fetch.wait.max.ms`.
    fn handle_replica_fetch(&mut self, l: BrokerId, follower: BrokerId, fetch_id: u64, parts: Vec<FetchPart>) {
        let mut immediate: Vec<Option<FetchResult>> = Vec::with_capacity(parts.len());
        let mut respond_now = false;
        for p in &parts {
            let checked = self.check_replica_fetch(l, follower, p);
            respond_now |= checked.is_some();
            if checked.is_none() {
                let leo = self.brokers[&l].replicas.get(&p.tp).map_or(p.offset, |r| r.log.log_end_offset);
                respond_now |= p.offset < leo;
            }
            immediate.push(checked);
        }
        if respond_now {
            self.answer_fetch(l, follower, fetch_id, &parts, Some(immediate));
        } else {
            // Long poll: park until one of the partitions gets data or the wait expires.
            let inc = self.brokers[&l].incarnation;
            debug_assert!(parts.windows(2).all(|w| w[0].tp < w[1].tp), "fetch partitions are sorted");
            self.brokers.get_mut(&l).expect("exists").parked_fetches.push(ParkedFetch { follower, fetch_id, parts });
            self.schedule(REPLICA_FETCH_WAIT_MAX_MS, Ev::FetchExpire { leader: l, incarnation: inc, fetch_id });
        }
    }

    /// One partition of a follower fetch as it arrives: an immediate answer (error, diverging
    /// epoch, out of range), or None after recording the follower's position (its fetch offset
    /// is its LEO) and updating ISR and HW.
    fn check_replica_fetch(&mut self, l: BrokerId, follower: BrokerId, p: &FetchPart) -> Option<FetchResult> {
        let now = self.now_ms;
        let tp = p.tp;
        let offset = p.offset;
        let br = &self.brokers[&l];
        let Some(r) = br.replicas.get(&tp) else { return Some(FetchResult::Error(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION)) };
        if !r.vol.is_leader {
            return Some(FetchResult::Error(ErrorCode::NOT_LEADER_OR_FOLLOWER));
        }
        if p.leader_epoch < r.vol.leader_epoch {
            return Some(FetchResult::Error(ErrorCode::FENCED_LEADER_EPOCH));
        }
        if p.leader_epoch > r.vol.leader_epoch {
            return Some(FetchResult::Error(ErrorCode::UNKNOWN_LEADER_EPOCH));
        }
        // Divergence check (KIP-320 diverging epoch in fetch).
        if let Some(e) = p.last_epoch {
            match r.log.end_offset_for_epoch(e) {
                Some((found, end)) if found == e && end >= offset => {}
                Some((found, end)) => return Some(FetchResult::Diverging { epoch: found, end_offset: end.min(offset) }),
                None => return Some(FetchResult::Diverging { epoch: -1, end_offset: r.log.log_start_offset.min(offset) }),
            }
        }
        if offset > r.log.log_end_offset || offset < r.log.log_start_offset {
            return Some(FetchResult::OutOfRange { log_start_offset: r.log.log_start_offset, log_end_offset: r.log.log_end_offset });
        }
        // The fetch offset tells the leader the follower's LEO.
        let leader_leo = r.log.log_end_offset;
        let r = self.brokers.get_mut(&l).expect("exists").replicas.get_mut(&tp).expect("exists");
        if let Some(fp) = r.vol.followers.get_mut(&follower) {
            if offset >= leader_leo {
                fp.last_caught_up_ms = now;
            } else if offset >= fp.last_fetch_leader_leo {
                fp.last_caught_up_ms = fp.last_caught_up_ms.max(fp.last_fetch_ms);
            }
            fp.leo = offset;
            fp.last_fetch_ms = now;
            fp.last_fetch_leader_leo = leader_leo;
        }
        self.maybe_expand_isr(l, tp, follower);
        self.maybe_advance_hw(l, tp);
        None
    }

    /// Leader: the FetchResponse, every partition of the request in order. `immediate` holds the
    /// answers decided on arrival; the others (and all of a parked request) read the log now.
    /// Each partition returns at most `replica.fetch.max.bytes`, the response at most
    /// `replica.fetch.response.max.bytes`; a partition's first batch is returned even when larger
    /// while nothing else filled the response, so a big batch never blocks replication.
    fn answer_fetch(&mut self, l: BrokerId, follower: BrokerId, fetch_id: u64, parts: &[FetchPart], immediate: Option<Vec<Option<FetchResult>>>) {
        let br = &self.brokers[&l];
        let mut budget = REPLICA_FETCH_RESPONSE_MAX_BYTES;
        let mut out = Vec::with_capacity(parts.len());
        for (i, p) in parts.iter().enumerate() {
            if let Some(result) = immediate.as_ref().and_then(|v| v[i].clone()) {
                out.push((p.tp, result));
                continue;
            }
            let result = match br.replicas.get(&p.tp) {
                None => FetchResult::Error(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION),
                Some(r) if !r.vol.is_leader => FetchResult::Error(ErrorCode::NOT_LEADER_OR_FOLLOWER),
                Some(r) if r.vol.leader_epoch != p.leader_epoch => FetchResult::Error(ErrorCode::FENCED_LEADER_EPOCH),
                Some(r) if p.offset > r.log.log_end_offset || p.offset < r.log.log_start_offset => {
                    FetchResult::OutOfRange { log_start_offset: r.log.log_start_offset, log_end_offset: r.log.log_end_offset }
                }
                Some(r) => {
                    let mut bytes = 0u64;
                    let mut batches = Vec::new();
                    let response_empty = budget == REPLICA_FETCH_RESPONSE_MAX_BYTES;
                    for bt in r.log.batches_from(p.offset, r.log.log_end_offset) {
                        let size = bt.size_bytes() as u64;
                        let fits = bytes + size <= REPLICA_FETCH_MAX_BYTES.min(budget);
                        if !fits && !(batches.is_empty() && (response_empty || size <= budget)) {
                            break;
                        }
                        bytes += size;
                        batches.push(bt.clone());
                    }
                    budget = budget.saturating_sub(bytes);
                    FetchResult::Data { batches, high_watermark: r.log.high_watermark, log_start_offset: r.log.log_start_offset }
                }
            };
            out.push((p.tp, result));
        }
        self.net_send(Some(l), Dest::Broker(follower), Msg::FetchResp { leader: l, fetch_id, parts: out });
    }

    pub(crate) fn on_fetch_expire(&mut self, l: BrokerId, incarnation: u64, fetch_id: u64) {
        let Some(br) = self.brokers.get_mut(&l) else { return };
        if br.incarnation != incarnation {
            return;
        }
        let Some(pos) = br.parked_fetches.iter().position(|p| p.fetch_id == fetch_id) else { return };
        let p = br.parked_fetches.remove(pos);
        self.answer_fetch(l, p.follower, p.fetch_id, &p.parts, None);
    }

    /// New data on the leader (or a change of role): answer every parked follower fetch that
    /// asks for `tp` (`DelayedFetch.tryComplete`).
    fn wake_parked_fetches(&mut self, l: BrokerId, tp: Tp) {
        let br = self.brokers.get_mut(&l).expect("exists");
        if br.parked_fetches.is_empty() {
            return;
        }
        let mut woken = Vec::new();
        br.parked_fetches.retain(|p| {
            if p.parts.binary_search_by(|x| x.tp.cmp(&tp)).is_ok() {
                woken.push(p.clone());
                false
            } else {
                true
            }
        });
        for p in woken {
            self.answer_fetch(l, p.follower, p.fetch_id, &p.parts, None);
        }
    }

    /// Follower: a FetchResponse from `leader`. A partition's answer is used only if the fetcher
    /// still fetches it at the offset and epoch it asked with (`AbstractFetcherThread`); errors
    /// make the partition back off. Then the fetcher sends its next request at once.
    fn handle_fetch_response(&mut self, b: BrokerId, leader: BrokerId, fetch_id: u64, answers: Vec<(Tp, FetchResult)>) {
        let now = self.now_ms;
        let br = self.brokers.get_mut(&b).expect("exists");
        let Some(f) = br.fetchers.get_mut(&leader) else { return };
        if !f.in_flight.as_ref().is_some_and(|(id, _)| *id == fetch_id) {
            return;
        }
        let (_, asked) = f.in_flight.take().expect("checked");
        debug_assert_eq!(asked.len(), answers.len(), "one answer per partition asked");
        for (p, (tp, result)) in asked.iter().zip(answers) {
            debug_assert_eq!(p.tp, tp);
            let br = &self.brokers[&b];
            let current = br.fetchers.get(&leader).is_some_and(|f| f.parts.contains_key(&tp))
                && br.replicas.get(&tp).is_some_and(|r| r.log.log_end_offset == p.offset && r.vol.leader_epoch == p.leader_epoch && !r.vol.is_leader);
            if !current {
                continue;
            }
            if let FetchResult::Error(_) = result {
                // Metadata will tell us who leads; the partition sits out the backoff.
                let f = self.brokers.get_mut(&b).expect("exists").fetchers.get_mut(&leader).expect("exists");
                if let Some(ready) = f.parts.get_mut(&tp) {
                    *ready = now + REPLICA_FETCH_BACKOFF_MS;
                }
                continue;
            }
            self.apply_fetched(b, tp, result);
        }
        self.maybe_send_fetch(b, leader);
    }

    /// Follower: one partition's answer (not an error): truncate, or append and follow the HW.
    fn apply_fetched(&mut self, b: BrokerId, tp: Tp, result: FetchResult) {
        let now = self.now_ms;
        let br = self.brokers.get_mut(&b).expect("exists");
        let roll = br.roll_policy(tp);
        let name = br.topic_name(tp.topic);
        let Some(r) = br.replicas.get_mut(&tp) else { return };
        match result {
            FetchResult::OutOfRange { log_start_offset, log_end_offset } => {
                // `ReplicaFetcherThread` out-of-range handling: behind the leader's log start
                // (retention deleted what we need) -> start over, empty, at it; ahead of the
                // leader's end -> truncate to it. Then fetch again at once.
                let from = r.log.log_end_offset;
                if from < log_start_offset {
                    r.log.truncate_fully_and_start_at(log_start_offset, WALL_CLOCK_EPOCH_MS + now);
                    self.events.push(now, EventKind::LogStartOffsetAdvanced { topic: name.clone(), partition: tp.partition, broker: b, log_start_offset });
                } else if from > log_end_offset {
                    let to = r.log.truncate_to(log_end_offset, WALL_CLOCK_EPOCH_MS + now);
                    if to < from {
                        self.events.push(now, EventKind::Truncated { topic: name, partition: tp.partition, broker: b, from, to });
                    }
                }
            }
            FetchResult::Error(_) => {}
            FetchResult::Diverging { epoch, end_offset } => {
                // `AbstractFetcherThread.getOffsetTruncationState`: if we know the leader's epoch,
                // truncate to min(leader's end, our end) for it; if not, to the end of our
                // largest epoch below it, and ask again.
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
                let to = r.log.truncate_to(target, WALL_CLOCK_EPOCH_MS + now);
                if to < from {
                    self.events.push(now, EventKind::Truncated { topic: name, partition: tp.partition, broker: b, from, to });
                }
            }
            FetchResult::Data { batches, high_watermark, log_start_offset } => {
                self.unclean_tainted.remove(&(tp, b));
                let br = self.brokers.get_mut(&b).expect("exists");
                let r = br.replicas.get_mut(&tp).expect("exists");
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
                    if r.log.append(bt, roll, WALL_CLOCK_EPOCH_MS + now) {
                        rolled_at.push(base);
                    }
                }
                let new_hw = high_watermark.min(r.log.log_end_offset);
                r.log.high_watermark = new_hw.max(r.log.log_start_offset.min(r.log.log_end_offset));
                // The leader's log start offset moves ours (never past our HW).
                let start_moved = r.log.increment_log_start_offset(log_start_offset.min(r.log.high_watermark));
                let lso = r.log.log_start_offset;
                let leo = r.log.log_end_offset;
                for base_offset in rolled_at {
                    self.events.push(now, EventKind::SegmentRolled { topic: name.clone(), partition: tp.partition, broker: b, base_offset });
                }
                if start_moved {
                    self.events.push(now, EventKind::LogStartOffsetAdvanced { topic: name.clone(), partition: tp.partition, broker: b, log_start_offset: lso });
                }
                if leo > before {
                    self.events.push(now, EventKind::Replicated { topic: name, partition: tp.partition, broker: b, leo });
                }
            }
        }
    }

    /// Leader: HW = min LEO over the (maximal) ISR, only while |ISR| >= min(min.insync, RF).
    pub(crate) fn maybe_advance_hw(&mut self, l: BrokerId, tp: Tp) {
        let br = &self.brokers[&l];
        let Some(settings) = br.topic_settings(tp.topic) else { return };
        let min_isr_cfg = settings.min_insync_replicas;
        let Some(pm) = br.view.get(&tp) else { return };
        let Some(r) = br.replicas.get(&tp) else { return };
        if !r.vol.is_leader {
            return;
        }
        let effective_min_isr = (min_isr_cfg as usize).min(pm.replicas.len());
        if pm.isr.len() < effective_min_isr {
            return;
        }
        let mut hw = r.log.log_end_offset;
        let pending: &[BrokerId] = r.vol.pending_isr.as_ref().map_or(&[], |p| &p.0);
        for (f, fp) in &r.vol.followers {
            if pm.isr.contains(f) || pending.contains(f) {
                hw = hw.min(fp.leo);
            }
        }
        if hw <= r.log.high_watermark {
            return;
        }
        let now = self.now_ms;
        let name = br.topic_name(tp.topic);
        let r = self.brokers.get_mut(&l).expect("exists").replicas.get_mut(&tp).expect("exists");
        r.log.high_watermark = hw;
        if self.track_invariants {
            let ledger = self.ledger.entry(tp).or_default();
            let have = ledger.last().map_or(0, |b| b.next_offset());
            if hw > have {
                for bt in r.log.batches_from(have, hw) {
                    if bt.next_offset() <= hw && bt.base_offset >= have {
                        ledger.push(bt.clone());
                    }
                }
            }
        }
        self.events.push(now, EventKind::HighWatermarkAdvanced { topic: name, partition: tp.partition, broker: l, high_watermark: hw });
        self.complete_produces(l, tp);
        self.consumer_fetch_wake(l, tp);
    }

    fn complete_produces(&mut self, l: BrokerId, tp: Tp) {
        let hw = self.brokers[&l].replicas[&tp].log.high_watermark;
        let min_isr = self.brokers[&l].topic_settings(tp.topic).map_or(1, |t| t.min_insync_replicas as usize);
        let (isr_len, rf) = self.brokers[&l].view.get(&tp).map_or((0, 1), |pm| (pm.isr.len(), pm.replicas.len()));
        let Some(list) = self.brokers.get_mut(&l).expect("exists").purgatory.get_mut(&tp) else { return };
        let mut done = Vec::new();
        list.retain(|p| {
            if p.required_offset <= hw {
                done.push(p.clone());
                false
            } else {
                true
            }
        });
        for p in done {
            let result = if isr_len >= min_isr.min(rf) {
                Ok((p.base_offset, p.append_time))
            } else {
                Err(KafkaError::of(ErrorCode::NOT_ENOUGH_REPLICAS_AFTER_APPEND))
            };
            self.net_send(Some(l), Dest::Client(p.producer), Msg::ProduceResp { req_id: p.req_id, result });
        }
    }

    pub(crate) fn on_produce_expire(&mut self, l: BrokerId, incarnation: u64, tp: Tp, req_id: u64) {
        let Some(br) = self.brokers.get_mut(&l) else { return };
        if br.incarnation != incarnation {
            return;
        }
        let Some(list) = br.purgatory.get_mut(&tp) else { return };
        let Some(pos) = list.iter().position(|p| p.req_id == req_id) else { return };
        let p = list.remove(pos);
        self.net_send(Some(l), Dest::Client(p.producer), Msg::ProduceResp { req_id, result: Err(KafkaError::of(ErrorCode::REQUEST_TIMED_OUT)) });
    }

    fn maybe_expand_isr(&mut self, l: BrokerId, tp: Tp, follower: BrokerId) {
        let now = self.now_ms;
        let br = &self.brokers[&l];
        let Some(pm) = br.view.get(&tp) else { return };
        if pm.isr.contains(&follower) {
            return;
        }
        let Some(r) = br.replicas.get(&tp) else { return };
        let Some(fp) = r.vol.followers.get(&follower) else { return };
        if fp.leo < r.log.high_watermark || fp.leo < r.vol.epoch_start_offset {
            return;
        }
        if let Some((p, sent)) = &r.vol.pending_isr {
            if p.contains(&follower) && now - sent < ALTER_PARTITION_RETRY_MS {
                return;
            }
        }
        // Eligibility as the leader sees it: not fenced in its view is approximated by the
        // controller's check on AlterPartition.
        let mut new_isr = pm.isr.clone();
        if let Some((p, _)) = &r.vol.pending_isr {
            for x in p {
                if !new_isr.contains(x) {
                    new_isr.push(*x);
                }
            }
        }
        if !new_isr.contains(&follower) {
            new_isr.push(follower);
        }
        let (le, pe) = (pm.leader_epoch, pm.partition_epoch);
        self.brokers.get_mut(&l).expect("exists").replicas.get_mut(&tp).expect("exists").vol.pending_isr = Some((new_isr.clone(), now));
        if let Some(c) = self.quorum_leader() {
            self.net_send(Some(l), Dest::Controller(c), Msg::AlterPartition { broker: l, tp, leader_epoch: le, partition_epoch: pe, new_isr });
        }
    }

    /// Periodic `isr-expiration`: followers not caught up within `replica.lag.time.max.ms` leave.
    pub(crate) fn on_isr_check(&mut self, l: BrokerId, incarnation: u64) {
        if self.brokers[&l].incarnation != incarnation || !self.broker_up(l) {
            return;
        }
        self.schedule(REPLICA_LAG_TIME_MAX_MS / 2, Ev::BrokerIsrCheck { broker: l, incarnation });
        let now = self.now_ms;
        let mut requests = Vec::new();
        let br = &self.brokers[&l];
        for (tp, r) in &br.replicas {
            if !r.vol.is_leader {
                continue;
            }
            let Some(pm) = br.view.get(tp) else { continue };
            if pm.leader != Some(l) || r.vol.pending_isr.as_ref().is_some_and(|(_, s)| now - s < ALTER_PARTITION_RETRY_MS) {
                continue;
            }
            let leo = r.log.log_end_offset;
            let out: Vec<BrokerId> = pm
                .isr
                .iter()
                .copied()
                .filter(|f| *f != l)
                .filter(|f| r.vol.followers.get(f).is_none_or(|fp| fp.leo != leo && now - fp.last_caught_up_ms > REPLICA_LAG_TIME_MAX_MS))
                .collect();
            if !out.is_empty() {
                let new_isr: Vec<BrokerId> = pm.isr.iter().copied().filter(|b| !out.contains(b)).collect();
                requests.push((*tp, pm.leader_epoch, pm.partition_epoch, new_isr));
            }
        }
        for (tp, le, pe, new_isr) in requests {
            self.brokers.get_mut(&l).expect("exists").replicas.get_mut(&tp).expect("exists").vol.pending_isr = Some((new_isr.clone(), now));
            if let Some(c) = self.quorum_leader() {
                self.net_send(Some(l), Dest::Controller(c), Msg::AlterPartition { broker: l, tp, leader_epoch: le, partition_epoch: pe, new_isr });
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn handle_produce(&mut self, l: BrokerId, producer: u32, req_id: u64, tp: Tp, data: Rc<super::log::RecordsData>, acks: i16, timeout_ms: i64) {
        let now = self.now_ms;
        let name = self.brokers[&l].topic_name(tp.topic);
        let refuse = |c: &mut Cluster, e: KafkaError| {
            c.events.push(now, EventKind::WriteRefused { topic: name.clone(), partition: tp.partition, broker: l, error: e.code, reason: e.message.clone() });
            if acks != 0 {
                c.net_send(Some(l), Dest::Client(producer), Msg::ProduceResp { req_id, result: Err(e) });
            }
        };
        let br = &self.brokers[&l];
        let Some(settings) = br.topic_settings(tp.topic).cloned() else { return refuse(self, KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION)) };
        let (Some(pm), Some(r)) = (br.view.get(&tp), br.replicas.get(&tp)) else {
            return refuse(self, KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER));
        };
        if !r.vol.is_leader || pm.leader != Some(l) {
            return refuse(self, KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER));
        }
        if data.size_bytes as i64 > settings.max_message_bytes {
            return refuse(
                self,
                KafkaError::new(
                    ErrorCode::MESSAGE_TOO_LARGE,
                    format!("The request included a message larger than the max message size the server will accept."),
                ),
            );
        }
        if settings.cleanup_compact {
            if data.index.iter().any(|ri| ri.key_len < 0) {
                return refuse(
                    self,
                    KafkaError::new(ErrorCode::INVALID_RECORD, format!("Compacted topic cannot accept message without key in topic partition {}-{}", name, tp.partition)),
                );
            }
        }
        let effective_min_isr = (settings.min_insync_replicas as usize).min(pm.replicas.len());
        if acks == -1 && pm.isr.len() < effective_min_isr {
            // The broker logs its own "size of the current ISR" text, but the response carries no
            // custom message (ReplicaManager), so the client shows the error code's default.
            return refuse(self, KafkaError::of(ErrorCode::NOT_ENOUGH_REPLICAS));
        }
        let epoch = r.vol.leader_epoch;
        let base = r.log.log_end_offset;
        // Idempotence: a retried batch the log already has answers with its original offsets.
        let tp_text = format!("{}-{}", name, tp.partition);
        match r.log.producer_state.validate_client_batch(&data.producer, data.len(), base, &tp_text) {
            Ok(None) => {}
            Ok(Some((first, last))) => {
                let hw = r.log.high_watermark;
                let inc = self.brokers[&l].incarnation;
                self.events.push(now, EventKind::DuplicateBatch { topic: name.clone(), partition: tp.partition, broker: l, producer_id: data.producer.producer_id, base_offset: first });
                if acks == 1 || (acks == -1 && last < hw) {
                    self.net_send(Some(l), Dest::Client(producer), Msg::ProduceResp { req_id, result: Ok((first, -1)) });
                } else if acks == -1 {
                    self.brokers.get_mut(&l).expect("exists").purgatory.entry(tp).or_default().push(PendingProduce { producer, req_id, required_offset: last + 1, base_offset: first, append_time: -1 });
                    self.schedule(timeout_ms.max(0), Ev::ProduceExpire { leader: l, incarnation: inc, tp, req_id });
                }
                return;
            }
            Err(e) => return refuse(self, e),
        }
        if let Err(e) = self.check_log_budget(u64::from(data.size_bytes)) {
            return refuse(self, e);
        }
        let append_time = if settings.log_append_time { Some(WALL_CLOCK_EPOCH_MS + now) } else { None };
        let count = data.len() as i64;
        let batch = Rc::new(if data.producer.control.is_some() { Batch::control(base, epoch, data) } else { Batch::new(base, epoch, append_time, data) });
        let count = if batch.is_control() { 1 } else { count };
        let (batch_is_control, batch_info) = (batch.is_control(), batch.data.producer);
        let roll = self.brokers[&l].roll_policy(tp);
        let inc = self.brokers[&l].incarnation;
        let r = self.brokers.get_mut(&l).expect("exists").replicas.get_mut(&tp).expect("exists");
        if r.log.append(batch, roll, WALL_CLOCK_EPOCH_MS + now) {
            self.events.push(now, EventKind::SegmentRolled { topic: name.clone(), partition: tp.partition, broker: l, base_offset: base });
        }
        let control = if batch_is_control { Some(batch_info) } else { None };
        self.events.push(now, EventKind::RecordAppended { topic: name, partition: tp.partition, broker: l, base_offset: base, count, leader_epoch: epoch });
        if let Some(info) = control {
            self.on_marker_appended(l, tp, &info, base);
        }
        let append_ts = append_time.unwrap_or(-1);
        match acks {
            0 => {}
            1 => self.net_send(Some(l), Dest::Client(producer), Msg::ProduceResp { req_id, result: Ok((base, append_ts)) }),
            _ => {
                self.brokers.get_mut(&l).expect("exists").purgatory.entry(tp).or_default().push(PendingProduce {
                    producer,
                    req_id,
                    required_offset: base + count,
                    base_offset: base,
                    append_time: append_ts,
                });
                self.schedule(timeout_ms.max(0), Ev::ProduceExpire { leader: l, incarnation: inc, tp, req_id });
            }
        }
        self.wake_parked_fetches(l, tp);
        self.maybe_advance_hw(l, tp);
    }

    // ----- consumer-facing reads (synchronous) -----

    fn leader_replica(&self, topic: &str, partition: i32) -> KResult<(BrokerId, Tp)> {
        let (tp, pm) = self.image_partition(topic, partition).ok_or_else(|| KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION))?;
        let l = pm.leader.ok_or_else(|| KafkaError::of(ErrorCode::LEADER_NOT_AVAILABLE))?;
        if !self.client_reaches(l) {
            return Err(KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER));
        }
        let ok = self.brokers[&l].replicas.get(&tp).is_some_and(|r| r.vol.is_leader && r.vol.leader_epoch == pm.leader_epoch);
        if !ok {
            return Err(KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER));
        }
        Ok((l, tp))
    }

    /// A consumer fetch, served by the partition leader up to its high watermark.
    pub fn fetch(&self, req: &FetchRequest) -> KResult<FetchResponse> {
        let (l, tp) = self.leader_replica(&req.topic, req.partition)?;
        let r = &self.brokers[&l].replicas[&tp];
        let log = &r.log;
        let hw = log.high_watermark;
        // Out of range is judged against the log end (`UnifiedLog.read`): an offset between the
        // high watermark and the log end (a new leader's HW catching up) reads as empty.
        if req.offset < log.log_start_offset || req.offset > log.log_end_offset {
            return Err(KafkaError::new(
                ErrorCode::OFFSET_OUT_OF_RANGE,
                format!("Fetch position FetchPosition{{offset={}}} is out of range for partition {}-{}", req.offset, req.topic, req.partition),
            ));
        }
        let mut batches = Vec::new();
        let mut records = 0usize;
        let mut bytes = 0u64;
        let mut end = req.offset;
        // read_committed reads up to the last stable offset only.
        let lso = log.last_stable_offset();
        let read_committed = req.isolation == Isolation::ReadCommitted;
        let hw_all = hw;
        let hw = if read_committed { lso } else { hw };
        for bt in log.batches_from(req.offset, hw).filter(|_| req.offset < hw) {
            if records >= req.max_records || (!batches.is_empty() && bytes + bt.size_bytes() as u64 > req.max_bytes) {
                break;
            }
            let lo = bt.base_offset.max(req.offset);
            let hi = bt.next_offset().min(hw);
            let room = req.max_records - records;
            if bt.is_dense() {
                let take = ((hi - lo).max(0) as usize).min(room);
                records += take;
                end = lo + take as i64;
            } else {
                // A compacted batch: count the records it still holds in the window; a batch
                // that is wholly inside the window moves the end past its last offset (gaps
                // included), so the next fetch continues after it.
                let mut take = 0usize;
                end = hi;
                for r in bt.records().filter(|r| r.offset >= lo && r.offset < hi) {
                    if take == room {
                        end = r.offset;
                        break;
                    }
                    take += 1;
                }
                records += take;
            }
            bytes += bt.size_bytes() as u64;
            batches.push(bt.clone());
        }
        Ok(FetchResponse {
            batches,
            first_offset: req.offset,
            end_offset: end.max(req.offset),
            high_watermark: hw_all,
            log_start_offset: log.log_start_offset,
            last_stable_offset: lso,
            leader: l,
            leader_epoch: r.vol.leader_epoch,
            aborted: if read_committed { log.aborted_txns(req.offset, end.max(req.offset)) } else { Vec::new() },
        })
    }

    /// ListOffsets: earliest (log start), latest (HW) or by timestamp. Returns (offset, timestamp).
    pub fn list_offsets(&self, topic: &str, partition: i32, spec: OffsetSpec) -> KResult<(i64, i64)> {
        let (l, tp) = self.leader_replica(topic, partition)?;
        let r = &self.brokers[&l].replicas[&tp];
        let log = &r.log;
        if log.high_watermark < r.vol.epoch_start_offset && spec != OffsetSpec::Earliest {
            return Err(KafkaError::of(ErrorCode::OFFSET_NOT_AVAILABLE));
        }
        Ok(match spec {
            OffsetSpec::Earliest => (log.log_start_offset, -1),
            OffsetSpec::Latest => (log.high_watermark, -1),
            OffsetSpec::Timestamp(ts) => log.offset_for_timestamp(ts, log.high_watermark).unwrap_or((-1, -1)),
        })
    }
}

// ----- router glue and views (issue 21: moves to cluster/ at consolidation)

impl Cluster {
    /// Runs a handler of broker `b` through a `Ctx` (the quorum's leader in it) and routes its
    /// outputs in order. None when there is no such broker.
    pub(crate) fn with_broker<R>(&mut self, b: BrokerId, f: impl FnOnce(&mut Broker, &mut Ctx) -> R) -> Option<R> {
        let leader = self.quorum_leader();
        let br = self.brokers.get_mut(&b)?;
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id).with_quorum_leader(leader);
        let r = f(br, &mut ctx);
        let outputs = ctx.into_outputs();
        self.route(outputs);
        Some(r)
    }

    pub(crate) fn on_heartbeat_timer(&mut self, b: BrokerId, incarnation: u64) {
        self.with_broker(b, |br, ctx| br.on_heartbeat_timer(ctx, incarnation));
    }

    pub(crate) fn maybe_send_fetch(&mut self, b: BrokerId, leader: BrokerId) {
        self.with_broker(b, |br, ctx| br.maybe_send_fetch(ctx, leader));
    }

    pub(crate) fn kick_fetchers(&mut self, b: BrokerId) {
        self.with_broker(b, |br, ctx| br.kick_fetchers(ctx));
    }

    pub(crate) fn broker_fetcher_add(&mut self, b: BrokerId, leader: BrokerId, tp: Tp, reset: bool) {
        let now_ms = self.now_ms;
        if let Some(br) = self.brokers.get_mut(&b) {
            br.fetcher_add(now_ms, leader, tp, reset);
        }
    }

    pub(crate) fn broker_fetcher_remove(&mut self, b: BrokerId, tp: Tp) {
        if let Some(br) = self.brokers.get_mut(&b) {
            br.fetcher_remove(tp);
        }
    }

    pub(crate) fn on_slow_fetch_due(&mut self, b: BrokerId, incarnation: u64, leader: BrokerId) {
        self.with_broker(b, |br, ctx| br.on_slow_fetch_due(ctx, incarnation, leader));
    }

    pub(crate) fn on_fetcher_backoff(&mut self, b: BrokerId, incarnation: u64, leader: BrokerId) {
        self.with_broker(b, |br, ctx| br.on_fetcher_backoff(ctx, incarnation, leader));
    }

    pub(crate) fn on_follower_fetch_timeout(&mut self, b: BrokerId, incarnation: u64, leader: BrokerId, fetch_id: u64) {
        self.with_broker(b, |br, ctx| br.on_follower_fetch_timeout(ctx, incarnation, leader, fetch_id));
    }

    pub(crate) fn broker_metadata_request(&mut self, b: BrokerId, producer: u32, req_id: u64, topics: Vec<String>) {
        let auto_create = self.broker_bool("auto.create.topics.enable");
        self.with_broker(b, |br, ctx| br.on_metadata_request(ctx, auto_create, producer, req_id, topics));
    }

    /// A synchronous Metadata request naming a missing topic with AllowAutoTopicCreation (what
    /// librdkafka's producer handle sends, e.g. `kcat -L -t`): with `auto.create.topics.enable`,
    /// a broker the client reaches forwards CreateTopics to the active controller and answers
    /// UNKNOWN_TOPIC_OR_PARTITION (the topic exists once the controller got the request, within
    /// the round trip the client waits for); an invalid name is INVALID_TOPIC_EXCEPTION.
    pub fn metadata_auto_create(&mut self, topic: &str) -> ErrorCode {
        if super::controller::topic_name_error(topic).is_some() {
            return ErrorCode::INVALID_TOPIC_EXCEPTION;
        }
        if !self.broker_bool("auto.create.topics.enable") {
            return ErrorCode::UNKNOWN_TOPIC_OR_PARTITION;
        }
        let Some(c) = self.quorum_leader() else { return ErrorCode::UNKNOWN_TOPIC_OR_PARTITION };
        let via = self.brokers.keys().copied().find(|&b| self.client_reaches(b) && self.brokers_connected(b, c));
        if let Some(b) = via {
            self.net_send(Some(b), Dest::Controller(c), Msg::CreateTopicsForward { topics: vec![super::msg::CreatableTopic::named(topic.to_string())], reply: None });
        }
        // The client waits for its answer: a round trip, while the forward reaches the controller.
        self.advance(ROUND_TRIP_MS);
        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION
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
}
