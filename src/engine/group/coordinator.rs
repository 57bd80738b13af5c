//! The classic group coordinator (Kafka 3.9's `GroupCoordinator.scala` semantics).
//!
//! States: `Empty` -> (JoinGroup) -> `PreparingRebalance` -> (every known member rejoined, or the
//! rebalance timeout) -> `CompletingRebalance` -> (the leader's SyncGroup is written) -> `Stable`.
//! A new group first waits `group.initial.rebalance.delay.ms`, extended by another delay each time
//! a member joins meanwhile, up to the rebalance timeout. Members that did not rejoin by the end of
//! the join phase are removed. Heartbeats answer `REBALANCE_IN_PROGRESS` while a rebalance is
//! preparing; a member whose session expires (no heartbeat within `session.timeout.ms`, except
//! while it is waiting in JoinGroup or SyncGroup) is removed and the group rebalances.
//! Member ids are `<client.id>-<uuid>`, handed out with `MEMBER_ID_REQUIRED` on the first join.

//!
//! The coordinator is a node ([`GroupCoordinator`], one per broker): its handlers read and write
//! only its own shards, read their host broker's replicas and metadata view (never the
//! controller's state), and act through a [`Ctx`]: replies and timers, and its writes to
//! `__consumer_offsets`, handed to the host's log in-process.

use super::records::{self, GroupValue, OffsetValue, RecordKey, StoredMember};
use super::*;
use crate::engine::assignor::{self, Member};
use crate::engine::cluster::{Broker, Dest, Ev, Msg, Tp};
use crate::engine::log::{PartitionLog, RecordsData};
use crate::engine::msg::CreatableTopic;
use crate::engine::node::Ctx;
use std::rc::Rc;

pub(crate) struct JoinRequest {
    pub consumer: u32,
    pub req_id: u64,
    pub group: String,
    pub member_id: String,
    pub client_id: String,
    pub host: String,
    pub session_timeout_ms: i64,
    pub rebalance_timeout_ms: i64,
    pub protocols: Vec<(Strategy, Subscription)>,
}

pub(crate) struct SyncRequest {
    pub consumer: u32,
    pub req_id: u64,
    pub group: String,
    pub member_id: String,
    pub generation: i32,
    /// The leader's assignment (None from the other members).
    pub assignment: Option<BTreeMap<String, Vec<TopicPartition>>>,
}

/// Java's `UUID.randomUUID().toString()` shape (version 4, IETF variant), from the seeded RNG.
pub(crate) fn java_uuid(rng: &mut crate::engine::rng::Rng) -> String {
    let hi = (rng.next_u64() & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let lo = (rng.next_u64() & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

fn map_append_error(e: ErrorCode) -> ErrorCode {
    match e {
        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION | ErrorCode::NOT_ENOUGH_REPLICAS | ErrorCode::NOT_ENOUGH_REPLICAS_AFTER_APPEND => {
            ErrorCode::COORDINATOR_NOT_AVAILABLE
        }
        ErrorCode::NOT_LEADER_OR_FOLLOWER => ErrorCode::NOT_COORDINATOR,
        other => other,
    }
}

/// The leader of partition `p` of `topic` in `host`'s metadata view: the coordinator a
/// FindCoordinator served by `host` names. None when the host does not know the topic.
pub(crate) fn coordinator_in_view(host: &Broker, topic: &str, p: i32) -> Option<Result<BrokerId, ErrorCode>> {
    let idx = topic_in_view(host, topic)?;
    Some(host.view.get(&Tp { topic: idx, partition: p }).and_then(|m| m.leader).ok_or(ErrorCode::COORDINATOR_NOT_AVAILABLE))
}

/// `topic`'s index in `host`'s metadata view.
pub(crate) fn topic_in_view(host: &Broker, topic: &str) -> Option<u32> {
    host.view_topics.iter().find(|(_, n)| &***n == topic).map(|(i, _)| *i)
}

/// Replays an offsets partition's log (later records win, null values delete) into its groups.
fn replay_offsets_log(log: &PartitionLog, now_ms: i64) -> BTreeMap<String, Group> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for bt in log.all_batches() {
        // Transactional offset commits count only once their transaction committed.
        let info = &bt.data.producer;
        if info.transactional && log.producer_state.txn_committed(info.producer_id, bt.base_offset) != Some(true) {
            continue;
        }
        for rec in bt.records() {
            let Some(key) = rec.key.and_then(records::decode_key) else { continue };
            replay_record(&mut groups, key, rec.value, now_ms);
        }
    }
    groups.retain(|_, g| !g.offsets.is_empty() || g.protocol_type.is_some());
    groups
}

fn replay_record(groups: &mut BTreeMap<String, Group>, key: RecordKey, value: Option<&[u8]>, now_ms: i64) {
    match (key, value) {
        (RecordKey::Offset { group, tp }, Some(v)) => {
            if let Some(ov) = records::decode_offset(v) {
                let g = groups.entry(group.clone()).or_insert_with(|| Group::new(&group, now_ms));
                g.offsets.insert(tp, CommittedOffset { offset: ov.offset, metadata: ov.metadata, commit_timestamp_ms: ov.commit_timestamp_ms });
            }
        }
        (RecordKey::Offset { group, tp }, None) => {
            if let Some(g) = groups.get_mut(&group) {
                g.offsets.remove(&tp);
            }
        }
        (RecordKey::Group { group }, Some(v)) => {
            if let Some(gv) = records::decode_group(v) {
                let g = groups.entry(group.clone()).or_insert_with(|| Group::new(&group, now_ms));
                restore_group(g, gv, now_ms);
            }
        }
        (RecordKey::Group { group }, None) => {
            if let Some(g) = groups.get_mut(&group) {
                g.members.clear();
                g.protocol_type = None;
                g.protocol = None;
                g.leader = None;
                g.state = GroupState::Empty;
            }
        }
    }
}

/// What the handlers check on the way in and out (debug builds): the group's own invariants and
/// a generation that never goes back within one load of its shard.
struct GroupCheck(Option<(u64, i32)>);

impl TopicForward {
    /// A host's coordinator forwards `topic`'s CreateTopics to the active controller `c`, the
    /// answer to go to `reply_to`, unless `slot` holds one still in flight (Kafka's
    /// `AutoTopicCreationManager.inflightTopics`); `slot` then holds the new one.
    pub(crate) fn send_unless_in_flight(slot: &mut Option<TopicForward>, host: &Broker, ctx: &mut Ctx, c: BrokerId, reply_to: u32, topic: impl FnOnce() -> CreatableTopic) {
        if slot.is_some_and(|f| f.in_flight(host.incarnation, c, ctx.now_ms)) {
            return;
        }
        let req_id = ctx.next_id();
        ctx.send(Some(host.id), Dest::Controller(c), Msg::CreateTopicsForward { topics: vec![topic()], reply: Some((reply_to, req_id)) });
        let lapse_at_ms = ctx.now_ms + CONTROLLER_REQUEST_RETRY_TIMEOUT_MS;
        *slot = Some(TopicForward { req_id, controller: c, incarnation: host.incarnation, lapse_at_ms });
    }

    /// Clears `slot` when `req_id` is its answer; whether it was.
    pub(crate) fn take_answered(slot: &mut Option<TopicForward>, req_id: u64) -> bool {
        slot.take_if(|f| f.req_id == req_id).is_some()
    }
}

impl GroupCoordinator {
    // ----- outputs -----

    fn reply(&self, ctx: &mut Ctx, consumer: u32, msg: GroupMsg) {
        ctx.send(Some(self.broker), Dest::Client(consumer), Msg::Group(Box::new(msg)));
    }

    #[allow(clippy::too_many_arguments)]
    fn session_timer(&self, ctx: &mut Ctx, delay_ms: i64, p: i32, sid: u64, group: &str, member_id: &str, heartbeat_seq: u64) {
        let ev = GroupEv::SessionExpiry { broker: self.broker, partition: p, shard_id: sid, group: group.to_string(), member_id: member_id.to_string(), heartbeat_seq };
        ctx.timer(delay_ms, Ev::Group(ev));
    }

    fn join_timer(&self, ctx: &mut Ctx, delay_ms: i64, p: i32, sid: u64, group: &str, rebalance_seq: u64) {
        ctx.timer(delay_ms, Ev::Group(GroupEv::JoinDeadline { broker: self.broker, partition: p, shard_id: sid, group: group.to_string(), rebalance_seq }));
    }

    // ----- invariants -----

    fn check_in(&self, group: &str) -> GroupCheck {
        if !cfg!(debug_assertions) {
            return GroupCheck(None);
        }
        let p = assignor::coordinator_partition(group, OFFSETS_PARTITIONS);
        let Some(s) = self.shards.get(&p) else { return GroupCheck(None) };
        let Some(g) = s.groups.get(group) else { return GroupCheck(None) };
        g.debug_check();
        GroupCheck(Some((s.id, g.generation)))
    }

    fn check_out(&self, group: &str, before: GroupCheck) {
        let after = self.check_in(group);
        if let (Some((s0, g0)), Some((s1, g1))) = (before.0, after.0) {
            debug_assert!(s0 != s1 || g1 >= g0, "group {group}: generation went back from {g0} to {g1}");
        }
    }

    // ----- loading -----

    /// Makes sure the host coordinates offsets partition `p` and has loaded it; the shard id.
    /// Leadership is what the host knows: its replica leads and its metadata view names it.
    pub(crate) fn load(&mut self, host: &Broker, ctx: &mut Ctx, p: i32) -> Result<u64, ErrorCode> {
        debug_assert_eq!(host.id, self.broker, "a coordinator reads only its own host");
        let leading = topic_in_view(host, OFFSETS_TOPIC).and_then(|idx| {
            let tp = Tp { topic: idx, partition: p };
            host.replicas.get(&tp).filter(|r| r.vol.is_leader && host.view.get(&tp).is_some_and(|m| m.leader == Some(self.broker))).map(|r| (idx, r))
        });
        let Some((idx, r)) = leading else {
            self.shards.remove(&p);
            return Err(ErrorCode::NOT_COORDINATOR);
        };
        let (epoch, inc) = (r.vol.leader_epoch, host.incarnation);
        if let Some(s) = self.shards.get(&p).filter(|s| s.incarnation == inc && s.leader_epoch == epoch) {
            return Ok(s.id);
        }
        let groups = replay_offsets_log(&r.log, ctx.now_ms);
        let id = ctx.next_id();
        let expiries: Vec<(String, String, i64)> =
            groups.values().flat_map(|g| g.members.iter().map(|m| (g.id.clone(), m.member_id.clone(), m.session_timeout_ms))).collect();
        self.shards.insert(p, Shard { id, topic: idx, incarnation: inc, leader_epoch: epoch, groups });
        for (group, member_id, session) in expiries {
            self.session_timer(ctx, session, p, id, &group, &member_id, 0);
        }
        Ok(id)
    }

    // ----- FindCoordinator and the offsets topic -----

    /// FindCoordinator served by the host: the leader of the group's offsets partition in the
    /// host's metadata view. A host that does not know `__consumer_offsets` asks the controller
    /// to create it (KafkaApis' `getOrCreateInternalTopic`) and answers COORDINATOR_NOT_AVAILABLE.
    pub(crate) fn on_find_coordinator(&mut self, host: &Broker, ctx: &mut Ctx, group: &str, replication_factor: i16) -> Result<BrokerId, ErrorCode> {
        debug_assert_eq!(host.id, self.broker, "a coordinator reads only its own host");
        let p = assignor::coordinator_partition(group, OFFSETS_PARTITIONS);
        if let Some(found) = coordinator_in_view(host, OFFSETS_TOPIC, p) {
            return found;
        }
        self.forward_offsets_topic(host, ctx, replication_factor);
        Err(ErrorCode::COORDINATOR_NOT_AVAILABLE)
    }

    /// Forwards CreateTopics for `__consumer_offsets` as `AutoTopicCreationManager.creatableTopic`
    /// makes it (`offsets.topic.num.partitions`, `offsets.topic.replication.factor`, the group
    /// coordinator's topic configs) to the active controller the `Ctx` names (the glue names it
    /// only when the host reaches it), unless one is in flight (`inflightTopics`).
    pub(crate) fn forward_offsets_topic(&mut self, host: &Broker, ctx: &mut Ctx, replication_factor: i16) {
        let Some(c) = ctx.quorum_leader() else { return };
        let topic = || {
            let configs = [("compression.type", "producer"), ("cleanup.policy", "compact"), ("segment.bytes", OFFSETS_SEGMENT_BYTES)];
            CreatableTopic {
                name: OFFSETS_TOPIC.to_string(),
                partitions: Some(OFFSETS_PARTITIONS),
                replication_factor: Some(replication_factor),
                configs: configs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            }
        };
        TopicForward::send_unless_in_flight(&mut self.offsets_topic_forward, host, ctx, c, COORDINATOR_CLIENT, topic);
    }

    /// The controller answered CreateTopics `req_id`: if it was this host's, it is no longer in
    /// flight (whatever the outcome: a creation that failed is asked again by the next
    /// FindCoordinator). Whether it was.
    pub(crate) fn on_create_topics_answer(&mut self, req_id: u64) -> bool {
        TopicForward::take_answered(&mut self.offsets_topic_forward, req_id)
    }

    /// The shard holding `group` (loading it), or the error a request gets.
    pub(crate) fn group_shard(&mut self, host: &Broker, ctx: &mut Ctx, group: &str) -> Result<(i32, u64), ErrorCode> {
        let p = assignor::coordinator_partition(group, OFFSETS_PARTITIONS);
        self.load(host, ctx, p).map(|id| (p, id))
    }

    pub(crate) fn shard(&self, p: i32, shard_id: u64) -> Option<&Shard> {
        self.shards.get(&p).filter(|s| s.id == shard_id)
    }

    pub(crate) fn shard_mut(&mut self, p: i32, shard_id: u64) -> Option<&mut Shard> {
        self.shards.get_mut(&p).filter(|s| s.id == shard_id)
    }

    pub(crate) fn group_mut(&mut self, p: i32, shard_id: u64, group: &str) -> Option<&mut Group> {
        self.shard_mut(p, shard_id)?.groups.get_mut(group)
    }

    // ----- writes -----

    /// Appends coordinator records to offsets partition `p` (acks=all) through the host's log;
    /// `kind` says what happens when the write completes. The request id.
    pub(crate) fn append(&mut self, ctx: &mut Ctx, p: i32, shard_id: u64, recs: Vec<(Vec<u8>, Option<Vec<u8>>)>, kind: AppendKind) -> u64 {
        let req_id = ctx.next_id();
        let topic = self.shard(p, shard_id).map(|s| s.topic);
        self.appends.insert(req_id, PendingAppend { partition: p, shard_id, kind });
        let Some(topic) = topic else {
            self.on_append_done(ctx, req_id, Err(KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER)));
            return req_id;
        };
        let mut data = RecordsData::new();
        for (k, v) in recs {
            data.push(ctx.now_ms, Some(&k), v.as_deref(), Vec::new());
        }
        let tp = Tp { topic, partition: p };
        ctx.direct(self.broker, Msg::Produce { producer: COORDINATOR_CLIENT, req_id, tp, data: Rc::new(data), acks: -1, timeout_ms: OFFSETS_COMMIT_TIMEOUT_MS });
        req_id
    }

    /// A write of this coordinator completed (or failed).
    pub(crate) fn on_append_done(&mut self, ctx: &mut Ctx, req_id: u64, result: Result<(i64, i64), KafkaError>) {
        let Some(pa) = self.appends.remove(&req_id) else { return };
        let err = result.err().map(|e| map_append_error(e.code));
        let (p, sid) = (pa.partition, pa.shard_id);
        match pa.kind {
            AppendKind::Commit { group, offsets, reply } => {
                if err.is_none() {
                    if let Some(shard) = self.shard_mut(p, sid) {
                        let g = shard.groups.entry(group.clone()).or_insert_with(|| Group::new(&group, ctx.now_ms));
                        g.offsets.extend(offsets);
                    }
                }
                let result = err.map_or(Ok(()), Err);
                match reply {
                    Some((consumer, creq)) => self.reply(ctx, consumer, GroupMsg::OffsetCommitResp { req_id: creq, result }),
                    None => {
                        self.admin_results.insert(req_id, result.map_err(KafkaError::of));
                    }
                }
            }
            AppendKind::SyncDone { group, generation, assignment } => {
                let before = self.check_in(&group);
                self.on_sync_written(ctx, p, sid, &group, generation, assignment, err);
                self.check_out(&group, before);
            }
            AppendKind::Plain => {}
            AppendKind::Admin => {
                self.admin_results.insert(req_id, err.map_or(Ok(()), |e| Err(KafkaError::of(e))));
            }
        }
    }

    /// The group's metadata after the leader's SyncGroup was written: the assignments go out, or
    /// (failed) the group rebalances again.
    #[allow(clippy::too_many_arguments)]
    fn on_sync_written(&mut self, ctx: &mut Ctx, p: i32, sid: u64, group: &str, generation: i32, assignment: BTreeMap<String, Vec<TopicPartition>>, err: Option<ErrorCode>) {
        let Some(g) = self.group_mut(p, sid, group) else { return };
        if g.state != GroupState::CompletingRebalance || g.generation != generation {
            return;
        }
        if let Some(e) = err {
            // `GroupMetadataManager.storeGroup` (the 3.9 default, Scala coordinator) answers a
            // timed-out group write with REBALANCE_IN_PROGRESS.
            let e = if e == ErrorCode::REQUEST_TIMED_OUT { ErrorCode::REBALANCE_IN_PROGRESS } else { e };
            self.propagate_sync_error(ctx, p, sid, group, e);
            self.prepare_rebalance(ctx, p, sid, group);
            return;
        }
        let mut replies = Vec::new();
        for m in g.members.iter_mut() {
            m.assignment = assignment.get(&m.member_id).cloned().unwrap_or_default();
            if let Some((c, r)) = m.awaiting_sync.take() {
                replies.push((c, r, m.assignment.clone(), m.member_id.clone()));
            }
        }
        g.state = GroupState::Stable;
        g.state_timestamp_ms = ctx.now_ms;
        for (c, r, a, member_id) in replies {
            self.reply(ctx, c, GroupMsg::SyncResp { req_id: r, result: Ok(a) });
            self.reschedule_heartbeat(ctx, p, sid, group, &member_id);
        }
    }

    /// Writes the group's metadata record (members, generation, assignments).
    #[allow(clippy::too_many_arguments)]
    fn store_group(&mut self, ctx: &mut Ctx, p: i32, shard_id: u64, group: &str, assignment: Option<&BTreeMap<String, Vec<TopicPartition>>>, kind: AppendKind) {
        let Some(g) = self.group_mut(p, shard_id, group) else { return };
        let stored = |m: &GroupMember| StoredMember {
            member_id: m.member_id.clone(),
            group_instance_id: None,
            client_id: m.client_id.clone(),
            client_host: m.host.clone(),
            rebalance_timeout_ms: m.rebalance_timeout_ms.clamp(0, i32::MAX as i64) as i32,
            session_timeout_ms: m.session_timeout_ms.clamp(0, i32::MAX as i64) as i32,
            topics: m.topics(),
            assignment: assignment.map_or_else(|| m.assignment.clone(), |a| a.get(&m.member_id).cloned().unwrap_or_default()),
        };
        let value = GroupValue {
            protocol_type: g.protocol_type.clone().unwrap_or_default(),
            generation: g.generation,
            protocol: g.protocol,
            leader: g.leader.clone(),
            current_state_timestamp_ms: g.state_timestamp_ms,
            members: g.members.iter().map(stored).collect(),
        };
        let key = records::encode_key(&RecordKey::Group { group: group.to_string() });
        self.append(ctx, p, shard_id, vec![(key, Some(records::encode_group(&value)))], kind);
    }

    // ----- JoinGroup -----

    /// JoinGroup.
    pub(crate) fn on_join(&mut self, host: &Broker, ctx: &mut Ctx, req: JoinRequest) {
        let before = self.check_in(&req.group);
        match self.admit_join(host, ctx, &req) {
            Err(e) => self.join_error(ctx, &req, e, &req.member_id),
            Ok((p, sid)) if req.member_id.is_empty() => self.join_new_member(ctx, p, sid, &req),
            Ok((p, sid)) => {
                let pending = self.group_mut(p, sid, &req.group).and_then(|g| g.pending_members.iter().position(|m| *m == req.member_id));
                match pending {
                    Some(pos) => self.join_pending_member(ctx, p, sid, &req, pos),
                    None => self.join_known_member(ctx, p, sid, &req),
                }
            }
        }
        self.check_out(&req.group, before);
    }

    /// JoinGroup's checks, in Kafka's order; a first join without member id creates the group.
    fn admit_join(&mut self, host: &Broker, ctx: &mut Ctx, req: &JoinRequest) -> Result<(i32, u64), ErrorCode> {
        if req.group.is_empty() {
            return Err(ErrorCode::INVALID_GROUP_ID);
        }
        let (p, sid) = self.group_shard(host, ctx, &req.group)?;
        if req.session_timeout_ms < GROUP_MIN_SESSION_TIMEOUT_MS || req.session_timeout_ms > GROUP_MAX_SESSION_TIMEOUT_MS {
            return Err(ErrorCode::INVALID_SESSION_TIMEOUT);
        }
        let shard = self.shard_mut(p, sid).ok_or(ErrorCode::NOT_COORDINATOR)?;
        if !shard.groups.contains_key(&req.group) && !req.member_id.is_empty() {
            return Err(ErrorCode::UNKNOWN_MEMBER_ID);
        }
        let g = shard.groups.entry(req.group.clone()).or_insert_with(|| Group::new(&req.group, ctx.now_ms));
        if g.state == GroupState::Dead {
            return Err(ErrorCode::COORDINATOR_NOT_AVAILABLE);
        }
        // supportsProtocols: an Empty group takes any protocol list; otherwise one strategy must be
        // supported by every member.
        let supported = if g.state == GroupState::Empty {
            !req.protocols.is_empty()
        } else {
            g.protocol_type.as_deref() == Some("consumer")
                && req.protocols.iter().any(|(s, _)| g.members.iter().all(|m| m.protocols.iter().any(|(ms, _)| ms == s)))
        };
        if !supported {
            return Err(ErrorCode::INCONSISTENT_GROUP_PROTOCOL);
        }
        Ok((p, sid))
    }

    /// JoinGroup's answer with an error (`member`: the member id to report).
    fn join_error(&self, ctx: &mut Ctx, req: &JoinRequest, e: ErrorCode, member: &str) {
        self.reply(ctx, req.consumer, GroupMsg::JoinResp { req_id: req.req_id, result: Err((e, member.to_string())) });
    }

    /// A join without member id: the member gets one (MEMBER_ID_REQUIRED) and must join again
    /// with it within its session timeout.
    fn join_new_member(&mut self, ctx: &mut Ctx, p: i32, sid: u64, req: &JoinRequest) {
        let Some(g) = self.group_mut(p, sid, &req.group) else { return };
        if g.members.len() + g.pending_members.len() >= GROUP_MEMBERS_MAX {
            return self.join_error(ctx, req, ErrorCode::UNKNOWN_SERVER_ERROR, "");
        }
        let member_id = format!("{}-{}", req.client_id, java_uuid(ctx.rng));
        g.pending_members.push(member_id.clone());
        self.session_timer(ctx, req.session_timeout_ms, p, sid, &req.group, &member_id, u64::MAX);
        self.join_error(ctx, req, ErrorCode::MEMBER_ID_REQUIRED, &member_id);
    }

    /// `addMemberAndRebalance`: a pending member (at `pos`) joins with its new id.
    fn join_pending_member(&mut self, ctx: &mut Ctx, p: i32, sid: u64, req: &JoinRequest, pos: usize) {
        let now = ctx.now_ms;
        let Some(g) = self.group_mut(p, sid, &req.group) else { return };
        g.pending_members.remove(pos);
        if g.state == GroupState::PreparingRebalance && g.generation == 0 {
            if let Some((_, added)) = g.initial_delay.as_mut() {
                *added = true;
            }
        }
        if g.members.is_empty() {
            g.protocol_type = Some("consumer".to_string());
        }
        g.add_member(GroupMember {
            member_id: req.member_id.clone(),
            client_id: req.client_id.clone(),
            host: req.host.clone(),
            session_timeout_ms: req.session_timeout_ms,
            rebalance_timeout_ms: req.rebalance_timeout_ms,
            protocols: req.protocols.clone(),
            assignment: Vec::new(),
            awaiting_join: Some((req.consumer, req.req_id)),
            awaiting_sync: None,
            last_heartbeat_ms: now,
            heartbeat_seq: 0,
            is_new: true,
        });
        if g.leader.is_none() {
            g.leader = Some(req.member_id.clone());
        }
        self.maybe_prepare_rebalance(ctx, p, sid, &req.group);
        self.try_complete_join(ctx, p, sid, &req.group);
    }

    /// A member of the group joins again: answered with the current generation if nothing
    /// changed, otherwise `updateMemberAndRebalance`.
    fn join_known_member(&mut self, ctx: &mut Ctx, p: i32, sid: u64, req: &JoinRequest) {
        let Some(g) = self.group_mut(p, sid, &req.group) else { return };
        let Some(m) = g.member(&req.member_id) else { return self.join_error(ctx, req, ErrorCode::UNKNOWN_MEMBER_ID, &req.member_id) };
        let matches = m.protocols == req.protocols;
        let is_leader = g.leader.as_deref() == Some(req.member_id.as_str());
        match g.state {
            GroupState::Empty | GroupState::Dead => self.join_error(ctx, req, ErrorCode::UNKNOWN_MEMBER_ID, &req.member_id),
            GroupState::CompletingRebalance | GroupState::Stable if matches && !(g.state == GroupState::Stable && is_leader) => {
                // Nothing changed: answer with the current generation (the leader of a
                // CompletingRebalance group gets the member list again).
                let ok = JoinOk {
                    generation: g.generation,
                    protocol: g.protocol.unwrap_or(Strategy::Range),
                    leader: g.leader.clone().unwrap_or_default(),
                    member_id: req.member_id.clone(),
                    members: if is_leader { current_members(g) } else { Vec::new() },
                };
                self.reply(ctx, req.consumer, GroupMsg::JoinResp { req_id: req.req_id, result: Ok(ok) });
            }
            _ => {
                // updateMemberAndRebalance
                let Some(m) = g.member_mut(&req.member_id) else { return };
                m.protocols = req.protocols.clone();
                m.session_timeout_ms = req.session_timeout_ms;
                m.rebalance_timeout_ms = req.rebalance_timeout_ms;
                if let Some((c, r)) = m.awaiting_join.replace((req.consumer, req.req_id)) {
                    // A duplicate join replaces the earlier one, which is answered with an error.
                    self.reply(ctx, c, GroupMsg::JoinResp { req_id: r, result: Err((ErrorCode::UNKNOWN_MEMBER_ID, req.member_id.clone())) });
                }
                self.maybe_prepare_rebalance(ctx, p, sid, &req.group);
                self.try_complete_join(ctx, p, sid, &req.group);
            }
        }
    }

    fn maybe_prepare_rebalance(&mut self, ctx: &mut Ctx, p: i32, sid: u64, group: &str) {
        let Some(g) = self.group_mut(p, sid, group) else { return };
        if matches!(g.state, GroupState::Stable | GroupState::CompletingRebalance | GroupState::Empty) {
            self.prepare_rebalance(ctx, p, sid, group);
        }
    }

    fn prepare_rebalance(&mut self, ctx: &mut Ctx, p: i32, sid: u64, group: &str) {
        let Some(g) = self.group_mut(p, sid, group) else { return };
        if g.state == GroupState::CompletingRebalance {
            self.propagate_sync_error(ctx, p, sid, group, ErrorCode::REBALANCE_IN_PROGRESS);
        }
        let Some(g) = self.group_mut(p, sid, group) else { return };
        let rebalance_timeout = g.members.iter().map(|m| m.rebalance_timeout_ms).max().unwrap_or(0);
        let delay = if g.state == GroupState::Empty {
            g.initial_delay = Some(((rebalance_timeout - GROUP_INITIAL_REBALANCE_DELAY_MS).max(0), false));
            GROUP_INITIAL_REBALANCE_DELAY_MS
        } else {
            g.initial_delay = None;
            rebalance_timeout
        };
        g.state = GroupState::PreparingRebalance;
        g.state_timestamp_ms = ctx.now_ms;
        g.rebalance_seq += 1;
        let seq = g.rebalance_seq;
        self.join_timer(ctx, delay, p, sid, group, seq);
    }

    /// Members waiting in SyncGroup get `e`; every assignment is cleared.
    fn propagate_sync_error(&mut self, ctx: &mut Ctx, p: i32, sid: u64, group: &str, e: ErrorCode) {
        let Some(g) = self.group_mut(p, sid, group) else { return };
        let mut replies = Vec::new();
        for m in g.members.iter_mut() {
            m.assignment.clear();
            if let Some((c, r)) = m.awaiting_sync.take() {
                replies.push((c, r, m.member_id.clone()));
            }
        }
        for (c, r, member_id) in replies {
            self.reply(ctx, c, GroupMsg::SyncResp { req_id: r, result: Err(e) });
            self.reschedule_heartbeat(ctx, p, sid, group, &member_id);
        }
    }

    /// `completeAndScheduleNextHeartbeatExpiration` (GroupCoordinator.scala; the Java classic
    /// coordinator's `rescheduleClassicGroupMemberHeartbeat`): the member's session starts again
    /// now. `propagateAssignment` does it for every member whose SyncGroup it answers, because a
    /// session that expired while the member waited in SyncGroup was ignored and left no timer:
    /// without it a member that crashed while waiting would never expire (it then holds the next
    /// rebalance until the rebalance timeout).
    fn reschedule_heartbeat(&mut self, ctx: &mut Ctx, p: i32, sid: u64, group: &str, member_id: &str) {
        let now = ctx.now_ms;
        let Some(m) = self.group_mut(p, sid, group).and_then(|g| g.member_mut(member_id)) else { return };
        m.last_heartbeat_ms = now;
        m.heartbeat_seq += 1;
        let (session_ms, seq) = (m.session_timeout_ms, m.heartbeat_seq);
        self.session_timer(ctx, session_ms, p, sid, group, member_id, seq);
    }

    fn try_complete_join(&mut self, ctx: &mut Ctx, p: i32, sid: u64, group: &str) {
        let Some(g) = self.group_mut(p, sid, group) else { return };
        if g.state != GroupState::PreparingRebalance || g.initial_delay.is_some() {
            return;
        }
        let all_joined = g.members.iter().all(|m| m.awaiting_join.is_some()) && g.pending_members.is_empty();
        if all_joined {
            self.complete_join(ctx, p, sid, group);
        }
    }

    /// The join phase's deadline (the rebalance timeout, or a step of the initial delay).
    pub(crate) fn on_join_deadline(&mut self, ctx: &mut Ctx, p: i32, sid: u64, group: &str, seq: u64) {
        let before = self.check_in(group);
        let Some(g) = self.group_mut(p, sid, group) else { return };
        if g.rebalance_seq != seq || g.state != GroupState::PreparingRebalance {
            return;
        }
        if let Some((remaining, added)) = g.initial_delay {
            if added && remaining > 0 {
                let delay = GROUP_INITIAL_REBALANCE_DELAY_MS.min(remaining);
                g.initial_delay = Some(((remaining - GROUP_INITIAL_REBALANCE_DELAY_MS).max(0), false));
                return self.join_timer(ctx, delay, p, sid, group, seq);
            }
        }
        g.initial_delay = None;
        self.complete_join(ctx, p, sid, group);
        self.check_out(group, before);
    }

    /// `onCompleteJoin`: drop members that did not rejoin, start the next generation, answer the
    /// waiting JoinGroups (the leader gets every member's subscription).
    fn complete_join(&mut self, ctx: &mut Ctx, p: i32, sid: u64, group: &str) {
        let Some(g) = self.group_mut(p, sid, group) else { return };
        let generation_before = g.generation;
        g.members.retain(|m| m.awaiting_join.is_some());
        g.pending_members.clear();
        if g.leader.as_ref().is_none_or(|l| g.member(l).is_none()) {
            g.leader = g.members.first().map(|m| m.member_id.clone());
        }
        g.generation += 1;
        g.state_timestamp_ms = ctx.now_ms;
        debug_assert!(g.generation > generation_before, "generations only grow");
        if g.members.is_empty() {
            g.protocol = None;
            g.state = GroupState::Empty;
            self.store_group(ctx, p, sid, group, None, AppendKind::Plain);
            return;
        }
        let lists: Vec<Vec<Strategy>> = g.members.iter().map(|m| m.protocols.iter().map(|(s, _)| *s).collect()).collect();
        // supportsProtocols admitted only members with a strategy in common.
        debug_assert!(assignor::select_strategy(&lists).is_ok(), "members with no common strategy");
        g.protocol = Some(assignor::select_strategy(&lists).unwrap_or(Strategy::Range));
        g.state = GroupState::CompletingRebalance;
        debug_assert!(g.leader.as_ref().is_some_and(|l| g.member(l).is_some()), "the leader is a member");
        let (replies, expiries) = answer_joins(g, ctx.now_ms);
        for (c, r, ok) in replies {
            self.reply(ctx, c, GroupMsg::JoinResp { req_id: r, result: Ok(ok) });
        }
        for (member_id, session, seq) in expiries {
            self.session_timer(ctx, session, p, sid, group, &member_id, seq);
        }
    }

    // ----- SyncGroup, Heartbeat, LeaveGroup -----

    /// SyncGroup (`assignment`: the leader's, None from the other members).
    pub(crate) fn on_sync(&mut self, host: &Broker, ctx: &mut Ctx, req: SyncRequest) {
        let before = self.check_in(&req.group);
        match self.sync_inner(host, ctx, &req) {
            Ok(Some(a)) => self.reply(ctx, req.consumer, GroupMsg::SyncResp { req_id: req.req_id, result: Ok(a) }),
            Ok(None) => {}
            Err(e) => self.reply(ctx, req.consumer, GroupMsg::SyncResp { req_id: req.req_id, result: Err(e) }),
        }
        self.check_out(&req.group, before);
    }

    fn sync_inner(&mut self, host: &Broker, ctx: &mut Ctx, req: &SyncRequest) -> Result<Option<Vec<TopicPartition>>, ErrorCode> {
        let (group, member_id) = (req.group.as_str(), req.member_id.as_str());
        let (p, sid) = self.group_shard(host, ctx, group)?;
        let g = self.group_mut(p, sid, group).ok_or(ErrorCode::UNKNOWN_MEMBER_ID)?;
        if g.state == GroupState::Dead {
            return Err(ErrorCode::COORDINATOR_NOT_AVAILABLE);
        }
        if g.member(member_id).is_none() {
            return Err(ErrorCode::UNKNOWN_MEMBER_ID);
        }
        if req.generation != g.generation {
            return Err(ErrorCode::ILLEGAL_GENERATION);
        }
        match g.state {
            GroupState::Empty | GroupState::Dead => Err(ErrorCode::UNKNOWN_MEMBER_ID),
            GroupState::PreparingRebalance => Err(ErrorCode::REBALANCE_IN_PROGRESS),
            GroupState::Stable => {
                let m = g.member_mut(member_id).ok_or(ErrorCode::UNKNOWN_MEMBER_ID)?;
                m.last_heartbeat_ms = ctx.now_ms;
                m.heartbeat_seq += 1;
                let (a, session, seq) = (m.assignment.clone(), m.session_timeout_ms, m.heartbeat_seq);
                self.session_timer(ctx, session, p, sid, group, member_id, seq);
                Ok(Some(a))
            }
            GroupState::CompletingRebalance => {
                let is_leader = g.leader.as_deref() == Some(member_id);
                let m = g.member_mut(member_id).ok_or(ErrorCode::UNKNOWN_MEMBER_ID)?;
                m.awaiting_sync = Some((req.consumer, req.req_id));
                if is_leader {
                    let given = req.assignment.clone().unwrap_or_default();
                    let full: BTreeMap<String, Vec<TopicPartition>> =
                        g.members.iter().map(|m| (m.member_id.clone(), given.get(&m.member_id).cloned().unwrap_or_default())).collect();
                    let generation = g.generation;
                    self.store_group(ctx, p, sid, group, Some(&full), AppendKind::SyncDone { group: group.to_string(), generation, assignment: full.clone() });
                }
                Ok(None)
            }
        }
    }

    /// Heartbeat: the member's session starts again (answered `REBALANCE_IN_PROGRESS` while the
    /// group prepares a rebalance).
    pub(crate) fn on_heartbeat(&mut self, host: &Broker, ctx: &mut Ctx, consumer: u32, req_id: u64, group: &str, member_id: &str, generation: i32) {
        let before = self.check_in(group);
        let error = self.heartbeat_inner(host, ctx, group, member_id, generation);
        self.reply(ctx, consumer, GroupMsg::HeartbeatResp { req_id, error });
        self.check_out(group, before);
    }

    fn heartbeat_inner(&mut self, host: &Broker, ctx: &mut Ctx, group: &str, member_id: &str, generation: i32) -> Option<ErrorCode> {
        let (p, sid) = match self.group_shard(host, ctx, group) {
            Ok(x) => x,
            Err(e) => return Some(e),
        };
        let Some(g) = self.group_mut(p, sid, group) else { return Some(ErrorCode::UNKNOWN_MEMBER_ID) };
        match g.state {
            GroupState::Dead => return Some(ErrorCode::COORDINATOR_NOT_AVAILABLE),
            GroupState::Empty => return Some(ErrorCode::UNKNOWN_MEMBER_ID),
            _ => {}
        }
        let state = g.state;
        let current = g.generation;
        let Some(m) = g.member_mut(member_id) else { return Some(ErrorCode::UNKNOWN_MEMBER_ID) };
        if generation != current {
            return Some(ErrorCode::ILLEGAL_GENERATION);
        }
        m.last_heartbeat_ms = ctx.now_ms;
        m.heartbeat_seq += 1;
        let (session, seq) = (m.session_timeout_ms, m.heartbeat_seq);
        self.session_timer(ctx, session, p, sid, group, member_id, seq);
        (state == GroupState::PreparingRebalance).then_some(ErrorCode::REBALANCE_IN_PROGRESS)
    }

    /// LeaveGroup (always answered).
    pub(crate) fn on_leave(&mut self, host: &Broker, ctx: &mut Ctx, consumer: u32, req_id: u64, group: &str, member_id: &str) {
        let before = self.check_in(group);
        self.leave_inner(host, ctx, group, member_id);
        self.reply(ctx, consumer, GroupMsg::LeaveResp { req_id });
        self.check_out(group, before);
    }

    fn leave_inner(&mut self, host: &Broker, ctx: &mut Ctx, group: &str, member_id: &str) {
        let Ok((p, sid)) = self.group_shard(host, ctx, group) else { return };
        let Some(g) = self.group_mut(p, sid, group) else { return };
        if let Some(pos) = g.pending_members.iter().position(|m| m == member_id) {
            g.pending_members.remove(pos);
            return self.try_complete_join(ctx, p, sid, group);
        }
        if g.member(member_id).is_some() {
            self.remove_member(ctx, p, sid, group, member_id);
        }
    }

    /// A member's session timer (`seq` u64::MAX: a pending member's).
    pub(crate) fn on_session_expiry(&mut self, ctx: &mut Ctx, p: i32, sid: u64, group: &str, member_id: &str, seq: u64) {
        let before = self.check_in(group);
        let Some(g) = self.group_mut(p, sid, group) else { return };
        if seq == u64::MAX {
            // A pending member (MEMBER_ID_REQUIRED) that never came back.
            if let Some(pos) = g.pending_members.iter().position(|m| m == member_id) {
                g.pending_members.remove(pos);
                self.try_complete_join(ctx, p, sid, group);
            }
        } else if g.member(member_id).is_some_and(|m| m.heartbeat_seq == seq && m.awaiting_join.is_none() && m.awaiting_sync.is_none()) {
            self.remove_member(ctx, p, sid, group, member_id);
        }
        self.check_out(group, before);
    }

    /// `removeMemberAndUpdateGroup`.
    fn remove_member(&mut self, ctx: &mut Ctx, p: i32, sid: u64, group: &str, member_id: &str) {
        let Some(g) = self.group_mut(p, sid, group) else { return };
        let Some(pos) = g.members.iter().position(|m| m.member_id == member_id) else { return };
        let m = g.members.remove(pos);
        if g.leader.as_deref() == Some(member_id) {
            g.leader = g.members.first().map(|m| m.member_id.clone());
        }
        let state = g.state;
        if let Some((c, r)) = m.awaiting_join {
            self.reply(ctx, c, GroupMsg::JoinResp { req_id: r, result: Err((ErrorCode::UNKNOWN_MEMBER_ID, member_id.to_string())) });
        }
        if let Some((c, r)) = m.awaiting_sync {
            self.reply(ctx, c, GroupMsg::SyncResp { req_id: r, result: Err(ErrorCode::UNKNOWN_MEMBER_ID) });
        }
        match state {
            GroupState::Stable | GroupState::CompletingRebalance => self.prepare_rebalance(ctx, p, sid, group),
            GroupState::PreparingRebalance => self.try_complete_join(ctx, p, sid, group),
            GroupState::Empty | GroupState::Dead => {}
        }
    }

    // ----- offsets -----

    /// OffsetCommit (`reply`: the consumer and its request id; None for the Admin client's
    /// write, whose outcome goes to `admin_results`).
    pub(crate) fn on_offset_commit(&mut self, host: &Broker, ctx: &mut Ctx, reply: Option<(u32, u64)>, group: &str, member_id: &str, generation: i32, offsets: Vec<(TopicPartition, i64)>) {
        let before = self.check_in(group);
        match self.validate_commit(host, ctx, group, member_id, generation) {
            Ok((p, sid)) => {
                self.write_offsets(ctx, p, sid, group, offsets, reply);
            }
            Err(e) => {
                if let Some((c, r)) = reply {
                    self.reply(ctx, c, GroupMsg::OffsetCommitResp { req_id: r, result: Err(e) });
                }
            }
        }
        self.check_out(group, before);
    }

    /// Writes committed offsets (a commit for a group nobody joined creates it: a "simple"
    /// group, no protocol); the cache takes them once written. The write's request id.
    pub(crate) fn write_offsets(&mut self, ctx: &mut Ctx, p: i32, sid: u64, group: &str, offsets: Vec<(TopicPartition, i64)>, reply: Option<(u32, u64)>) -> u64 {
        let now = ctx.now_ms;
        let mut recs = Vec::with_capacity(offsets.len());
        let mut committed = Vec::with_capacity(offsets.len());
        for (tp, offset) in offsets {
            let key = records::encode_key(&RecordKey::Offset { group: group.to_string(), tp: tp.clone() });
            let v = OffsetValue { offset, leader_epoch: -1, metadata: String::new(), commit_timestamp_ms: now };
            recs.push((key, Some(records::encode_offset(&v))));
            committed.push((tp, CommittedOffset { offset, metadata: String::new(), commit_timestamp_ms: now }));
        }
        if let Some(shard) = self.shard_mut(p, sid) {
            shard.groups.entry(group.to_string()).or_insert_with(|| Group::new(group, now));
        }
        self.append(ctx, p, sid, recs, AppendKind::Commit { group: group.to_string(), offsets: committed, reply })
    }

    fn validate_commit(&mut self, host: &Broker, ctx: &mut Ctx, group: &str, member_id: &str, generation: i32) -> Result<(i32, u64), ErrorCode> {
        if group.is_empty() {
            return Err(ErrorCode::INVALID_GROUP_ID);
        }
        let (p, sid) = self.group_shard(host, ctx, group)?;
        let Some(g) = self.group_mut(p, sid, group) else {
            return if generation < 0 { Ok((p, sid)) } else { Err(ErrorCode::ILLEGAL_GENERATION) };
        };
        if g.state == GroupState::Dead {
            return Err(ErrorCode::COORDINATOR_NOT_AVAILABLE);
        }
        if generation >= 0 || !member_id.is_empty() {
            if g.member(member_id).is_none() {
                return Err(ErrorCode::UNKNOWN_MEMBER_ID);
            }
            if generation != g.generation {
                return Err(ErrorCode::ILLEGAL_GENERATION);
            }
        } else if g.state != GroupState::Empty {
            // Only members may commit while the group has members.
            return Err(ErrorCode::UNKNOWN_MEMBER_ID);
        }
        if g.state == GroupState::CompletingRebalance {
            return Err(ErrorCode::REBALANCE_IN_PROGRESS);
        }
        Ok((p, sid))
    }

    /// OffsetFetch (every committed offset of the group when `partitions` is empty).
    pub(crate) fn on_offset_fetch(&mut self, host: &Broker, ctx: &mut Ctx, consumer: u32, req_id: u64, group: &str, partitions: &[TopicPartition]) {
        let result = self.group_shard(host, ctx, group).map(|(p, sid)| {
            let g = self.shard(p, sid).and_then(|s| s.groups.get(group));
            match g {
                None => partitions.iter().map(|tp| (tp.clone(), -1)).collect(),
                Some(g) if partitions.is_empty() => g.offsets.iter().map(|(tp, o)| (tp.clone(), o.offset)).collect(),
                Some(g) => partitions.iter().map(|tp| (tp.clone(), g.offsets.get(tp).map_or(-1, |o| o.offset))).collect(),
            }
        });
        self.reply(ctx, consumer, GroupMsg::OffsetFetchResp { req_id, result });
    }

    /// A topic was deleted: drop the committed offsets of its partitions held in partition `p`
    /// (`onPartitionsDeleted`), writing tombstones.
    pub(crate) fn on_topic_deleted(&mut self, host: &Broker, ctx: &mut Ctx, p: i32, topic: &str) {
        let Ok(sid) = self.load(host, ctx, p) else { return };
        let mut recs = Vec::new();
        if let Some(shard) = self.shard_mut(p, sid) {
            for g in shard.groups.values_mut() {
                let gone: Vec<TopicPartition> = g.offsets.keys().filter(|tp| tp.topic == topic).cloned().collect();
                for tp in gone {
                    g.offsets.remove(&tp);
                    recs.push((records::encode_key(&RecordKey::Offset { group: g.id.clone(), tp }), None));
                }
            }
            shard.groups.retain(|_, g| !g.offsets.is_empty() || g.protocol_type.is_some());
        }
        if !recs.is_empty() {
            self.append(ctx, p, sid, recs, AppendKind::Plain);
        }
    }
}

/// The leader's view of the members in JoinGroup: each member's subscription for the group's
/// selected protocol, in the group's member order.
fn current_members(g: &Group) -> Vec<Member> {
    let protocol = g.protocol.unwrap_or(Strategy::Range);
    g.members
        .iter()
        .map(|m| Member {
            member_id: m.member_id.clone(),
            subscription: m.protocols.iter().find(|(s, _)| *s == protocol).map(|(_, s)| s.clone()).unwrap_or_default(),
        })
        .collect()
}

fn restore_group(g: &mut Group, v: GroupValue, now_ms: i64) {
    g.protocol_type = if v.protocol_type.is_empty() { None } else { Some(v.protocol_type) };
    g.generation = v.generation;
    g.protocol = v.protocol;
    g.leader = v.leader;
    g.state_timestamp_ms = v.current_state_timestamp_ms;
    // `GroupMetadata.loadGroup` adds the stored members, in their stored order, to a new map.
    g.members = Vec::new();
    g.members_table_len = super::SCALA_HASH_MAP_INITIAL_LEN;
    let members: Vec<GroupMember> = v
        .members
        .into_iter()
        .map(|m| {
            let sub = Subscription { topics: m.topics.into_iter().collect(), owned_partitions: m.assignment.clone(), generation: Some(v.generation), group_instance_id: None };
            GroupMember {
                member_id: m.member_id,
                client_id: m.client_id,
                host: m.client_host,
                session_timeout_ms: m.session_timeout_ms as i64,
                rebalance_timeout_ms: m.rebalance_timeout_ms as i64,
                protocols: v.protocol.map(|s| vec![(s, sub)]).unwrap_or_default(),
                assignment: m.assignment,
                awaiting_join: None,
                awaiting_sync: None,
                last_heartbeat_ms: now_ms,
                heartbeat_seq: 0,
                is_new: false,
            }
        })
        .collect();
    for m in members {
        g.add_member(m);
    }
    g.state = if g.members.is_empty() { GroupState::Empty } else { GroupState::Stable };
    g.pending_members.clear();
    g.initial_delay = None;
}

/// `onCompleteJoin`'s answers: every member waiting in JoinGroup gets the new generation (the
/// leader with every member's subscription) and a session that starts now. (replies, session
/// timers: member, session ms, heartbeat seq)
#[allow(clippy::type_complexity)]
fn answer_joins(g: &mut Group, now_ms: i64) -> (Vec<(u32, u64, JoinOk)>, Vec<(String, i64, u64)>) {
    let leader = g.leader.clone().unwrap_or_default();
    let members = current_members(g);
    let (generation, protocol) = (g.generation, g.protocol.unwrap_or(Strategy::Range));
    let mut replies = Vec::new();
    let mut expiries = Vec::new();
    for m in g.members.iter_mut() {
        let Some((c, r)) = m.awaiting_join.take() else { continue };
        m.is_new = false;
        m.last_heartbeat_ms = now_ms;
        m.heartbeat_seq += 1;
        expiries.push((m.member_id.clone(), m.session_timeout_ms, m.heartbeat_seq));
        let ok = JoinOk {
            generation,
            protocol,
            leader: leader.clone(),
            member_id: m.member_id.clone(),
            members: if m.member_id == leader { members.clone() } else { Vec::new() },
        };
        replies.push((c, r, ok));
    }
    (replies, expiries)
}

