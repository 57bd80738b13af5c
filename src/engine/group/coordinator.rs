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

use super::records::{self, GroupValue, OffsetValue, RecordKey, StoredMember};
use super::*;
use crate::engine::assignor::{self, Member};
use crate::engine::cluster::{Ev, Tp};
use crate::engine::log::RecordsData;
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

impl Cluster {
    // ----- coordinator lookup and loading -----

    /// FindCoordinator served by broker `b`: the leader of the group's offsets partition in `b`'s
    /// metadata view. Creates `__consumer_offsets` on first use.
    pub(crate) fn find_coordinator_on(&mut self, b: BrokerId, group: &str) -> Result<BrokerId, ErrorCode> {
        let p = assignor::coordinator_partition(group, OFFSETS_PARTITIONS);
        let br = &self.brokers[&b];
        let idx = br.view_topics.iter().find(|(_, n)| &***n == OFFSETS_TOPIC).map(|(i, _)| *i);
        match idx {
            Some(i) => br.view.get(&Tp { topic: i, partition: p }).and_then(|m| m.leader).ok_or(ErrorCode::COORDINATOR_NOT_AVAILABLE),
            None => {
                if !self.ctl.by_name.contains_key(OFFSETS_TOPIC) && self.ctl.active.is_some_and(|c| self.brokers_connected(b, c)) {
                    let _ = self.create_offsets_topic();
                }
                Err(ErrorCode::COORDINATOR_NOT_AVAILABLE)
            }
        }
    }

    /// Creates `__consumer_offsets` as the broker's auto-creation does (controller side, no wait).
    pub(crate) fn create_offsets_topic(&mut self) -> Result<u32, KafkaError> {
        let rf = self.broker_int("offsets.topic.replication.factor").clamp(1, i16::MAX as i64) as i16;
        let req = crate::engine::controller::NewTopic::new(OFFSETS_TOPIC, OFFSETS_PARTITIONS, rf)
            .config("compression.type", "producer")
            .config("cleanup.policy", "compact")
            .config("segment.bytes", OFFSETS_SEGMENT_BYTES);
        self.create_topic_now(&req)
    }

    /// Makes sure broker `b` coordinates offsets partition `p` and has loaded it; returns the shard id.
    pub(crate) fn coordinator_shard(&mut self, b: BrokerId, p: i32) -> Result<u64, ErrorCode> {
        let Some(&idx) = self.ctl.by_name.get(OFFSETS_TOPIC) else { return Err(ErrorCode::NOT_COORDINATOR) };
        let tp = Tp { topic: idx, partition: p };
        let br = &self.brokers[&b];
        let leading = br.replicas.get(&tp).filter(|r| r.vol.is_leader && br.view.get(&tp).is_some_and(|m| m.leader == Some(b)));
        let Some(r) = leading else {
            self.groups.shards.remove(&(b, p));
            return Err(ErrorCode::NOT_COORDINATOR);
        };
        let (epoch, inc) = (r.vol.leader_epoch, br.incarnation);
        if let Some(s) = self.groups.shards.get(&(b, p)) {
            if s.incarnation == inc && s.leader_epoch == epoch {
                return Ok(s.id);
            }
        }
        // (Re)load: replay the partition's records (later records win, null values delete).
        let now = self.now_ms;
        let mut groups: BTreeMap<String, Group> = BTreeMap::new();
        for bt in r.log.all_batches() {
            // Transactional offset commits count only once their transaction committed.
            let info = &bt.data.producer;
            if info.transactional && r.log.producer_state.txn_committed(info.producer_id, bt.base_offset) != Some(true) {
                continue;
            }
            for rec in bt.records() {
                let Some(key) = rec.key.and_then(records::decode_key) else { continue };
                match (key, rec.value) {
                    (RecordKey::Offset { group, tp }, Some(v)) => {
                        if let Some(ov) = records::decode_offset(v) {
                            let g = groups.entry(group.clone()).or_insert_with(|| Group::new(&group, now));
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
                            let g = groups.entry(group.clone()).or_insert_with(|| Group::new(&group, now));
                            restore_group(g, gv, now);
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
        }
        groups.retain(|_, g| !g.offsets.is_empty() || g.protocol_type.is_some());
        let id = self.next_id();
        let mut expiries = Vec::new();
        for g in groups.values() {
            for m in &g.members {
                expiries.push((g.id.clone(), m.member_id.clone(), m.session_timeout_ms));
            }
        }
        self.groups.shards.insert((b, p), Shard { id, incarnation: inc, leader_epoch: epoch, groups });
        for (group, member_id, session) in expiries {
            self.schedule(session, Ev::Group(GroupEv::SessionExpiry { broker: b, partition: p, shard_id: id, group, member_id, heartbeat_seq: 0 }));
        }
        Ok(id)
    }

    /// The shard holding `group` on broker `b` (loading it), or the error a request gets.
    pub(crate) fn group_shard(&mut self, b: BrokerId, group: &str) -> Result<(i32, u64), ErrorCode> {
        let p = assignor::coordinator_partition(group, OFFSETS_PARTITIONS);
        self.coordinator_shard(b, p).map(|id| (p, id))
    }

    pub(crate) fn shard_mut(&mut self, b: BrokerId, p: i32, shard_id: u64) -> Option<&mut Shard> {
        self.groups.shards.get_mut(&(b, p)).filter(|s| s.id == shard_id)
    }

    fn group_mut(&mut self, b: BrokerId, p: i32, shard_id: u64, group: &str) -> Option<&mut Group> {
        self.shard_mut(b, p, shard_id)?.groups.get_mut(group)
    }

    // ----- writes -----

    /// Appends coordinator records to offsets partition `p` on `b` (acks=all); `kind` says what
    /// happens when the write completes.
    pub(crate) fn coordinator_append(&mut self, b: BrokerId, p: i32, shard_id: u64, recs: Vec<(Vec<u8>, Option<Vec<u8>>)>, kind: AppendKind) -> u64 {
        let req_id = self.next_id();
        let Some(&idx) = self.ctl.by_name.get(OFFSETS_TOPIC) else {
            self.groups.appends.insert(req_id, PendingAppend { broker: b, partition: p, shard_id, kind });
            self.coordinator_append_done(req_id, Err(KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER)));
            return req_id;
        };
        let now = self.now_ms;
        let mut data = RecordsData::new();
        for (k, v) in recs {
            data.push(now, Some(&k), v.as_deref(), Vec::new());
        }
        self.groups.appends.insert(req_id, PendingAppend { broker: b, partition: p, shard_id, kind });
        self.handle_produce(b, COORDINATOR_CLIENT, req_id, Tp { topic: idx, partition: p }, Rc::new(data), -1, OFFSETS_COMMIT_TIMEOUT_MS);
        req_id
    }

    pub(crate) fn coordinator_append_done(&mut self, req_id: u64, result: Result<(i64, i64), KafkaError>) {
        let Some(pa) = self.groups.appends.remove(&req_id) else { return };
        let err = result.err().map(|e| map_append_error(e.code));
        let (b, p, sid) = (pa.broker, pa.partition, pa.shard_id);
        match pa.kind {
            AppendKind::Commit { group, offsets, reply } => {
                if err.is_none() {
                    let now = self.now_ms;
                    if let Some(shard) = self.shard_mut(b, p, sid) {
                        let g = shard.groups.entry(group.clone()).or_insert_with(|| Group::new(&group, now));
                        for (tp, o) in offsets {
                            g.offsets.insert(tp, o);
                        }
                    }
                }
                let result = match err {
                    None => Ok(()),
                    Some(e) => Err(e),
                };
                match reply {
                    Some((consumer, creq)) => self.reply(b, consumer, GroupMsg::OffsetCommitResp { req_id: creq, result }),
                    None => {
                        self.groups.admin_results.insert(req_id, result.map_err(KafkaError::of));
                    }
                }
            }
            AppendKind::SyncDone { group, generation, assignment } => {
                let Some(g) = self.group_mut(b, p, sid, &group) else { return };
                if g.state != GroupState::CompletingRebalance || g.generation != generation {
                    return;
                }
                match err {
                    Some(e) => {
                        // `GroupMetadataManager.storeGroup` (the 3.9 default, Scala coordinator)
                        // answers a timed-out group write with REBALANCE_IN_PROGRESS.
                        let e = if e == ErrorCode::REQUEST_TIMED_OUT { ErrorCode::REBALANCE_IN_PROGRESS } else { e };
                        self.propagate_sync_error(b, p, sid, &group, e);
                        self.prepare_rebalance(b, p, sid, &group);
                    }
                    None => {
                        let now = self.now_ms;
                        let Some(g) = self.group_mut(b, p, sid, &group) else { return };
                        let mut replies = Vec::new();
                        for m in g.members.iter_mut() {
                            m.assignment = assignment.get(&m.member_id).cloned().unwrap_or_default();
                            if let Some((c, r)) = m.awaiting_sync.take() {
                                replies.push((c, r, m.assignment.clone(), m.member_id.clone()));
                            }
                        }
                        g.state = GroupState::Stable;
                        g.state_timestamp_ms = now;
                        for (c, r, a, member_id) in replies {
                            self.reply(b, c, GroupMsg::SyncResp { req_id: r, result: Ok(a) });
                            self.reschedule_heartbeat(b, p, sid, &group, &member_id);
                        }
                    }
                }
            }
            AppendKind::Plain => {}
            AppendKind::Admin => {
                if let Some(e) = err {
                    self.groups.admin_results.insert(req_id, Err(KafkaError::of(e)));
                } else {
                    self.groups.admin_results.insert(req_id, Ok(()));
                }
            }
        }
    }

    /// Writes the group's metadata record (members, generation, assignments).
    pub(crate) fn store_group(&mut self, b: BrokerId, p: i32, shard_id: u64, group: &str, assignment: Option<&BTreeMap<String, Vec<TopicPartition>>>, kind: AppendKind) {
        let Some(g) = self.group_mut(b, p, shard_id, group) else { return };
        let value = GroupValue {
            protocol_type: g.protocol_type.clone().unwrap_or_default(),
            generation: g.generation,
            protocol: g.protocol,
            leader: g.leader.clone(),
            current_state_timestamp_ms: g.state_timestamp_ms,
            members: g
                .members
                .iter()
                .map(|m| StoredMember {
                    member_id: m.member_id.clone(),
                    group_instance_id: None,
                    client_id: m.client_id.clone(),
                    client_host: m.host.clone(),
                    rebalance_timeout_ms: m.rebalance_timeout_ms.clamp(0, i32::MAX as i64) as i32,
                    session_timeout_ms: m.session_timeout_ms.clamp(0, i32::MAX as i64) as i32,
                    topics: m.topics(),
                    assignment: assignment.map_or_else(|| m.assignment.clone(), |a| a.get(&m.member_id).cloned().unwrap_or_default()),
                })
                .collect(),
        };
        let key = records::encode_key(&RecordKey::Group { group: group.to_string() });
        self.coordinator_append(b, p, shard_id, vec![(key, Some(records::encode_group(&value)))], kind);
    }

    // ----- JoinGroup -----

    pub(crate) fn handle_join(&mut self, b: BrokerId, req: JoinRequest) {
        let err = |c: &mut Cluster, e: ErrorCode, member: &str| {
            c.reply(b, req.consumer, GroupMsg::JoinResp { req_id: req.req_id, result: Err((e, member.to_string())) });
        };
        if req.group.is_empty() {
            return err(self, ErrorCode::INVALID_GROUP_ID, &req.member_id);
        }
        let (p, sid) = match self.group_shard(b, &req.group) {
            Ok(x) => x,
            Err(e) => return err(self, e, &req.member_id),
        };
        if req.session_timeout_ms < GROUP_MIN_SESSION_TIMEOUT_MS || req.session_timeout_ms > GROUP_MAX_SESSION_TIMEOUT_MS {
            return err(self, ErrorCode::INVALID_SESSION_TIMEOUT, &req.member_id);
        }
        let now = self.now_ms;
        let unknown = req.member_id.is_empty();
        let shard = self.shard_mut(b, p, sid).expect("just loaded");
        if !shard.groups.contains_key(&req.group) {
            if !unknown {
                return err(self, ErrorCode::UNKNOWN_MEMBER_ID, &req.member_id);
            }
            shard.groups.insert(req.group.clone(), Group::new(&req.group, now));
        }
        let g = shard.groups.get_mut(&req.group).expect("ensured");
        if g.state == GroupState::Dead {
            return err(self, ErrorCode::COORDINATOR_NOT_AVAILABLE, &req.member_id);
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
            return err(self, ErrorCode::INCONSISTENT_GROUP_PROTOCOL, &req.member_id);
        }
        if unknown {
            return self.join_new_member(b, p, sid, &req);
        }
        let g = self.group_mut(b, p, sid, &req.group).expect("exists");
        if let Some(pos) = g.pending_members.iter().position(|m| *m == req.member_id) {
            return self.join_pending_member(b, p, sid, &req, pos);
        }
        self.join_known_member(b, p, sid, &req);
    }

    /// JoinGroup's answer with an error (`member`: the member id to report).
    fn join_error(&mut self, b: BrokerId, req: &JoinRequest, e: ErrorCode, member: &str) {
        self.reply(b, req.consumer, GroupMsg::JoinResp { req_id: req.req_id, result: Err((e, member.to_string())) });
    }

    /// A join without member id: the member gets one (MEMBER_ID_REQUIRED) and must join again
    /// with it within its session timeout.
    fn join_new_member(&mut self, b: BrokerId, p: i32, sid: u64, req: &JoinRequest) {
        let g = self.group_mut(b, p, sid, &req.group).expect("exists");
        if g.members.len() + g.pending_members.len() >= GROUP_MEMBERS_MAX {
            return self.join_error(b, req, ErrorCode::UNKNOWN_SERVER_ERROR, "");
        }
        let member_id = format!("{}-{}", req.client_id, java_uuid(&mut self.rng));
        let g = self.group_mut(b, p, sid, &req.group).expect("exists");
        g.pending_members.push(member_id.clone());
        let session = req.session_timeout_ms;
        self.schedule(session, Ev::Group(GroupEv::SessionExpiry { broker: b, partition: p, shard_id: sid, group: req.group.clone(), member_id: member_id.clone(), heartbeat_seq: u64::MAX }));
        self.join_error(b, req, ErrorCode::MEMBER_ID_REQUIRED, &member_id);
    }

    /// `addMemberAndRebalance`: a pending member (at `pos`) joins with its new id.
    fn join_pending_member(&mut self, b: BrokerId, p: i32, sid: u64, req: &JoinRequest, pos: usize) {
        let now = self.now_ms;
        let g = self.group_mut(b, p, sid, &req.group).expect("exists");
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
        self.maybe_prepare_rebalance(b, p, sid, &req.group);
        self.try_complete_join(b, p, sid, &req.group);
    }

    /// A member of the group joins again: answered with the current generation if nothing
    /// changed, otherwise `updateMemberAndRebalance`.
    fn join_known_member(&mut self, b: BrokerId, p: i32, sid: u64, req: &JoinRequest) {
        let err = |c: &mut Cluster, e: ErrorCode, member: &str| c.join_error(b, req, e, member);
        let g = self.group_mut(b, p, sid, &req.group).expect("exists");
        let Some(m) = g.member(&req.member_id) else { return err(self, ErrorCode::UNKNOWN_MEMBER_ID, &req.member_id) };
        let matches = m.protocols == req.protocols;
        let is_leader = g.leader.as_deref() == Some(req.member_id.as_str());
        match g.state {
            GroupState::Empty | GroupState::Dead => err(self, ErrorCode::UNKNOWN_MEMBER_ID, &req.member_id),
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
                self.reply(b, req.consumer, GroupMsg::JoinResp { req_id: req.req_id, result: Ok(ok) });
            }
            _ => {
                // updateMemberAndRebalance
                let m = g.member_mut(&req.member_id).expect("checked");
                m.protocols = req.protocols.clone();
                m.session_timeout_ms = req.session_timeout_ms;
                m.rebalance_timeout_ms = req.rebalance_timeout_ms;
                if let Some((c, r)) = m.awaiting_join.replace((req.consumer, req.req_id)) {
                    // A duplicate join replaces the earlier one, which is answered with an error.
                    self.reply(b, c, GroupMsg::JoinResp { req_id: r, result: Err((ErrorCode::UNKNOWN_MEMBER_ID, req.member_id.clone())) });
                }
                self.maybe_prepare_rebalance(b, p, sid, &req.group);
                self.try_complete_join(b, p, sid, &req.group);
            }
        }
    }

    fn maybe_prepare_rebalance(&mut self, b: BrokerId, p: i32, sid: u64, group: &str) {
        let Some(g) = self.group_mut(b, p, sid, group) else { return };
        if matches!(g.state, GroupState::Stable | GroupState::CompletingRebalance | GroupState::Empty) {
            self.prepare_rebalance(b, p, sid, group);
        }
    }

    pub(crate) fn prepare_rebalance(&mut self, b: BrokerId, p: i32, sid: u64, group: &str) {
        let now = self.now_ms;
        let Some(g) = self.group_mut(b, p, sid, group) else { return };
        if g.state == GroupState::CompletingRebalance {
            self.propagate_sync_error(b, p, sid, group, ErrorCode::REBALANCE_IN_PROGRESS);
        }
        let Some(g) = self.group_mut(b, p, sid, group) else { return };
        let rebalance_timeout = g.members.iter().map(|m| m.rebalance_timeout_ms).max().unwrap_or(0);
        let delay = if g.state == GroupState::Empty {
            g.initial_delay = Some(((rebalance_timeout - GROUP_INITIAL_REBALANCE_DELAY_MS).max(0), false));
            GROUP_INITIAL_REBALANCE_DELAY_MS
        } else {
            g.initial_delay = None;
            rebalance_timeout
        };
        g.state = GroupState::PreparingRebalance;
        g.state_timestamp_ms = now;
        g.rebalance_seq += 1;
        let seq = g.rebalance_seq;
        self.schedule(delay, Ev::Group(GroupEv::JoinDeadline { broker: b, partition: p, shard_id: sid, group: group.to_string(), rebalance_seq: seq }));
    }

    /// Members waiting in SyncGroup get `e`; every assignment is cleared.
    fn propagate_sync_error(&mut self, b: BrokerId, p: i32, sid: u64, group: &str, e: ErrorCode) {
        let Some(g) = self.group_mut(b, p, sid, group) else { return };
        let mut replies = Vec::new();
        for m in g.members.iter_mut() {
            m.assignment.clear();
            if let Some((c, r)) = m.awaiting_sync.take() {
                replies.push((c, r, m.member_id.clone()));
            }
        }
        for (c, r, member_id) in replies {
            self.reply(b, c, GroupMsg::SyncResp { req_id: r, result: Err(e) });
            self.reschedule_heartbeat(b, p, sid, group, &member_id);
        }
    }

    /// `completeAndScheduleNextHeartbeatExpiration` (GroupCoordinator.scala; the Java classic
    /// coordinator's `rescheduleClassicGroupMemberHeartbeat`): the member's session starts again
    /// now. `propagateAssignment` does it for every member whose SyncGroup it answers, because a
    /// session that expired while the member waited in SyncGroup was ignored and left no timer:
    /// without it a member that crashed while waiting would never expire (it then holds the next
    /// rebalance until the rebalance timeout).
    fn reschedule_heartbeat(&mut self, b: BrokerId, p: i32, sid: u64, group: &str, member_id: &str) {
        let now = self.now_ms;
        let Some(m) = self.group_mut(b, p, sid, group).and_then(|g| g.member_mut(member_id)) else { return };
        m.last_heartbeat_ms = now;
        m.heartbeat_seq += 1;
        let (session_ms, seq) = (m.session_timeout_ms, m.heartbeat_seq);
        self.schedule(session_ms, Ev::Group(GroupEv::SessionExpiry { broker: b, partition: p, shard_id: sid, group: group.to_string(), member_id: member_id.to_string(), heartbeat_seq: seq }));
    }

    fn try_complete_join(&mut self, b: BrokerId, p: i32, sid: u64, group: &str) {
        let Some(g) = self.group_mut(b, p, sid, group) else { return };
        if g.state != GroupState::PreparingRebalance || g.initial_delay.is_some() {
            return;
        }
        let all_joined = g.members.iter().all(|m| m.awaiting_join.is_some()) && g.pending_members.is_empty();
        if all_joined {
            self.complete_join(b, p, sid, group);
        }
    }

    pub(crate) fn on_join_deadline(&mut self, b: BrokerId, p: i32, sid: u64, group: &str, seq: u64) {
        let Some(g) = self.group_mut(b, p, sid, group) else { return };
        if g.rebalance_seq != seq || g.state != GroupState::PreparingRebalance {
            return;
        }
        if let Some((remaining, added)) = g.initial_delay {
            if added && remaining > 0 {
                let delay = GROUP_INITIAL_REBALANCE_DELAY_MS.min(remaining);
                g.initial_delay = Some(((remaining - GROUP_INITIAL_REBALANCE_DELAY_MS).max(0), false));
                self.schedule(delay, Ev::Group(GroupEv::JoinDeadline { broker: b, partition: p, shard_id: sid, group: group.to_string(), rebalance_seq: seq }));
                return;
            }
        }
        g.initial_delay = None;
        self.complete_join(b, p, sid, group);
    }

    /// `onCompleteJoin`: drop members that did not rejoin, start the next generation, answer the
    /// waiting JoinGroups (the leader gets every member's subscription).
    fn complete_join(&mut self, b: BrokerId, p: i32, sid: u64, group: &str) {
        let now = self.now_ms;
        let Some(g) = self.group_mut(b, p, sid, group) else { return };
        g.members.retain(|m| m.awaiting_join.is_some());
        g.pending_members.clear();
        if g.leader.as_ref().is_none_or(|l| g.member(l).is_none()) {
            g.leader = g.members.first().map(|m| m.member_id.clone());
        }
        g.generation += 1;
        g.state_timestamp_ms = now;
        if g.members.is_empty() {
            g.protocol = None;
            g.state = GroupState::Empty;
            self.store_group(b, p, sid, group, None, AppendKind::Plain);
            return;
        }
        let lists: Vec<Vec<Strategy>> = g.members.iter().map(|m| m.protocols.iter().map(|(s, _)| *s).collect()).collect();
        let protocol = match assignor::select_strategy(&lists) {
            Ok(s) => s,
            Err(_) => {
                // Cannot happen: supportsProtocols admitted only compatible members.
                debug_assert!(false, "members with no common strategy");
                Strategy::Range
            }
        };
        g.protocol = Some(protocol);
        g.state = GroupState::CompletingRebalance;
        let leader = g.leader.clone().unwrap_or_default();
        let members = current_members(g);
        let generation = g.generation;
        let mut replies = Vec::new();
        let mut expiries = Vec::new();
        for m in g.members.iter_mut() {
            let Some((c, r)) = m.awaiting_join.take() else { continue };
            m.is_new = false;
            m.last_heartbeat_ms = now;
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
        for (c, r, ok) in replies {
            self.reply(b, c, GroupMsg::JoinResp { req_id: r, result: Ok(ok) });
        }
        for (member_id, session, seq) in expiries {
            self.schedule(session, Ev::Group(GroupEv::SessionExpiry { broker: b, partition: p, shard_id: sid, group: group.to_string(), member_id, heartbeat_seq: seq }));
        }
    }

    // ----- SyncGroup, Heartbeat, LeaveGroup -----

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn handle_sync(&mut self, b: BrokerId, consumer: u32, req_id: u64, group: &str, member_id: &str, generation: i32, assignment: Option<BTreeMap<String, Vec<TopicPartition>>>) {
        let result = self.sync_inner(b, consumer, req_id, group, member_id, generation, assignment);
        match result {
            Ok(Some(a)) => self.reply(b, consumer, GroupMsg::SyncResp { req_id, result: Ok(a) }),
            Ok(None) => {}
            Err(e) => self.reply(b, consumer, GroupMsg::SyncResp { req_id, result: Err(e) }),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn sync_inner(&mut self, b: BrokerId, consumer: u32, req_id: u64, group: &str, member_id: &str, generation: i32, assignment: Option<BTreeMap<String, Vec<TopicPartition>>>) -> Result<Option<Vec<TopicPartition>>, ErrorCode> {
        let (p, sid) = self.group_shard(b, group)?;
        let now = self.now_ms;
        let g = self.group_mut(b, p, sid, group).ok_or(ErrorCode::UNKNOWN_MEMBER_ID)?;
        if g.state == GroupState::Dead {
            return Err(ErrorCode::COORDINATOR_NOT_AVAILABLE);
        }
        if g.member(member_id).is_none() {
            return Err(ErrorCode::UNKNOWN_MEMBER_ID);
        }
        if generation != g.generation {
            return Err(ErrorCode::ILLEGAL_GENERATION);
        }
        match g.state {
            GroupState::Empty | GroupState::Dead => Err(ErrorCode::UNKNOWN_MEMBER_ID),
            GroupState::PreparingRebalance => Err(ErrorCode::REBALANCE_IN_PROGRESS),
            GroupState::Stable => {
                let m = g.member_mut(member_id).expect("checked");
                m.last_heartbeat_ms = now;
                m.heartbeat_seq += 1;
                let (a, session, seq) = (m.assignment.clone(), m.session_timeout_ms, m.heartbeat_seq);
                self.schedule(session, Ev::Group(GroupEv::SessionExpiry { broker: b, partition: p, shard_id: sid, group: group.to_string(), member_id: member_id.to_string(), heartbeat_seq: seq }));
                Ok(Some(a))
            }
            GroupState::CompletingRebalance => {
                let is_leader = g.leader.as_deref() == Some(member_id);
                let m = g.member_mut(member_id).expect("checked");
                m.awaiting_sync = Some((consumer, req_id));
                if is_leader {
                    let mut full: BTreeMap<String, Vec<TopicPartition>> = BTreeMap::new();
                    let given = assignment.unwrap_or_default();
                    for m in &g.members {
                        full.insert(m.member_id.clone(), given.get(&m.member_id).cloned().unwrap_or_default());
                    }
                    let generation = g.generation;
                    self.store_group(b, p, sid, group, Some(&full), AppendKind::SyncDone { group: group.to_string(), generation, assignment: full.clone() });
                }
                Ok(None)
            }
        }
    }

    pub(crate) fn handle_heartbeat(&mut self, b: BrokerId, group: &str, member_id: &str, generation: i32) -> Option<ErrorCode> {
        let (p, sid) = match self.group_shard(b, group) {
            Ok(x) => x,
            Err(e) => return Some(e),
        };
        let now = self.now_ms;
        let Some(g) = self.group_mut(b, p, sid, group) else { return Some(ErrorCode::UNKNOWN_MEMBER_ID) };
        match g.state {
            GroupState::Dead => return Some(ErrorCode::COORDINATOR_NOT_AVAILABLE),
            GroupState::Empty => return Some(ErrorCode::UNKNOWN_MEMBER_ID),
            _ => {}
        }
        if g.member(member_id).is_none() {
            return Some(ErrorCode::UNKNOWN_MEMBER_ID);
        }
        if generation != g.generation {
            return Some(ErrorCode::ILLEGAL_GENERATION);
        }
        let state = g.state;
        let m = g.member_mut(member_id).expect("checked");
        m.last_heartbeat_ms = now;
        m.heartbeat_seq += 1;
        let (session, seq) = (m.session_timeout_ms, m.heartbeat_seq);
        self.schedule(session, Ev::Group(GroupEv::SessionExpiry { broker: b, partition: p, shard_id: sid, group: group.to_string(), member_id: member_id.to_string(), heartbeat_seq: seq }));
        if state == GroupState::PreparingRebalance {
            Some(ErrorCode::REBALANCE_IN_PROGRESS)
        } else {
            None
        }
    }

    pub(crate) fn handle_leave(&mut self, b: BrokerId, group: &str, member_id: &str) {
        let Ok((p, sid)) = self.group_shard(b, group) else { return };
        let Some(g) = self.group_mut(b, p, sid, group) else { return };
        if let Some(pos) = g.pending_members.iter().position(|m| m == member_id) {
            g.pending_members.remove(pos);
            self.try_complete_join(b, p, sid, group);
            return;
        }
        if g.member(member_id).is_some() {
            self.remove_member(b, p, sid, group, member_id);
        }
    }

    pub(crate) fn on_session_expiry(&mut self, b: BrokerId, p: i32, sid: u64, group: &str, member_id: &str, seq: u64) {
        let Some(g) = self.group_mut(b, p, sid, group) else { return };
        if seq == u64::MAX {
            // A pending member (MEMBER_ID_REQUIRED) that never came back.
            if let Some(pos) = g.pending_members.iter().position(|m| m == member_id) {
                g.pending_members.remove(pos);
                self.try_complete_join(b, p, sid, group);
            }
            return;
        }
        let Some(m) = g.member(member_id) else { return };
        if m.heartbeat_seq != seq || m.awaiting_join.is_some() || m.awaiting_sync.is_some() {
            return;
        }
        self.remove_member(b, p, sid, group, member_id);
    }

    /// `removeMemberAndUpdateGroup`.
    fn remove_member(&mut self, b: BrokerId, p: i32, sid: u64, group: &str, member_id: &str) {
        let Some(g) = self.group_mut(b, p, sid, group) else { return };
        let Some(pos) = g.members.iter().position(|m| m.member_id == member_id) else { return };
        let m = g.members.remove(pos);
        if g.leader.as_deref() == Some(member_id) {
            g.leader = g.members.first().map(|m| m.member_id.clone());
        }
        let state = g.state;
        if let Some((c, r)) = m.awaiting_join {
            self.reply(b, c, GroupMsg::JoinResp { req_id: r, result: Err((ErrorCode::UNKNOWN_MEMBER_ID, member_id.to_string())) });
        }
        if let Some((c, r)) = m.awaiting_sync {
            self.reply(b, c, GroupMsg::SyncResp { req_id: r, result: Err(ErrorCode::UNKNOWN_MEMBER_ID) });
        }
        match state {
            GroupState::Stable | GroupState::CompletingRebalance => self.prepare_rebalance(b, p, sid, group),
            GroupState::PreparingRebalance => self.try_complete_join(b, p, sid, group),
            GroupState::Empty | GroupState::Dead => {}
        }
    }

    // ----- offsets -----

    pub(crate) fn handle_offset_commit(&mut self, b: BrokerId, reply: Option<(u32, u64)>, group: &str, member_id: &str, generation: i32, offsets: Vec<(TopicPartition, i64)>) {
        let check = self.validate_commit(b, group, member_id, generation);
        let (p, sid) = match check {
            Ok(x) => x,
            Err(e) => {
                match reply {
                    Some((c, r)) => self.reply(b, c, GroupMsg::OffsetCommitResp { req_id: r, result: Err(e) }),
                    None => {}
                }
                return;
            }
        };
        let now = self.now_ms;
        let mut recs = Vec::with_capacity(offsets.len());
        let mut committed = Vec::with_capacity(offsets.len());
        for (tp, offset) in offsets {
            let key = records::encode_key(&RecordKey::Offset { group: group.to_string(), tp: tp.clone() });
            let v = OffsetValue { offset, leader_epoch: -1, metadata: String::new(), commit_timestamp_ms: now };
            recs.push((key, Some(records::encode_offset(&v))));
            committed.push((tp, CommittedOffset { offset, metadata: String::new(), commit_timestamp_ms: now }));
        }
        if let Some(g) = self.group_mut(b, p, sid, group) {
            // A commit for a group nobody joined creates it (a "simple" group, no protocol).
            let _ = g;
        } else if let Some(shard) = self.shard_mut(b, p, sid) {
            shard.groups.insert(group.to_string(), Group::new(group, now));
        }
        self.coordinator_append(b, p, sid, recs, AppendKind::Commit { group: group.to_string(), offsets: committed, reply });
    }

    fn validate_commit(&mut self, b: BrokerId, group: &str, member_id: &str, generation: i32) -> Result<(i32, u64), ErrorCode> {
        if group.is_empty() {
            return Err(ErrorCode::INVALID_GROUP_ID);
        }
        let (p, sid) = self.group_shard(b, group)?;
        let Some(g) = self.group_mut(b, p, sid, group) else {
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

    pub(crate) fn handle_offset_fetch(&mut self, b: BrokerId, group: &str, partitions: &[TopicPartition]) -> Result<Vec<(TopicPartition, i64)>, ErrorCode> {
        let (p, sid) = self.group_shard(b, group)?;
        let Some(g) = self.group_mut(b, p, sid, group) else {
            return Ok(partitions.iter().map(|tp| (tp.clone(), -1)).collect());
        };
        if partitions.is_empty() {
            return Ok(g.offsets.iter().map(|(tp, o)| (tp.clone(), o.offset)).collect());
        }
        Ok(partitions.iter().map(|tp| (tp.clone(), g.offsets.get(tp).map_or(-1, |o| o.offset))).collect())
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
