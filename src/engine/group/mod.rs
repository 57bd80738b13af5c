//! Consumer groups: the group coordinator of Kafka 3.9's classic protocol and the committed
//! offsets it keeps in `__consumer_offsets`.
//!
//! Which broker coordinates a group is decided as Kafka decides it: the leader of partition
//! `abs(groupId.hashCode()) % 50` of `__consumer_offsets` (see [`super::assignor::coordinator_partition`]).
//! That topic (50 partitions, replication factor `offsets.topic.replication.factor`, compacted)
//! is created on the first FindCoordinator, exactly like a real cluster does, so it shows up in
//! `kafka-topics --list`.
//!
//! Each broker keeps, per offsets partition it leads, an in-memory *shard*: the groups of that
//! partition with their members, generation and committed offsets. Every change that must survive
//! a coordinator failover is first written as a record into the partition (an offset commit, the
//! group's metadata after a rebalance, tombstones for deletions) with `acks=all`; the cache changes
//! when the write is committed. When leadership of the partition moves (the coordinator's broker
//! crashed or shut down), the new leader rebuilds its shard by reading its replica of the
//! partition on the first request, and clients that still talk to the old one get
//! `NOT_COORDINATOR` and look the coordinator up again. Timers of a shard that was unloaded are
//! ignored (each carries the shard's id).
//!
//! Module map: [`records`] (the record layout), [`coordinator`] (JoinGroup/SyncGroup/Heartbeat/
//! LeaveGroup/OffsetCommit/OffsetFetch and the group state machine), [`admin`] (list, describe,
//! alter and delete offsets, delete groups: the Admin client's calls, answered synchronously).
//!
//! Not modelled: static membership (`group.instance.id`), `offsets.retention.minutes` expiry of
//! empty groups' offsets, the KIP-848 `consumer` protocol, transactional offset commits.

pub mod admin;
pub mod coordinator;
pub mod records;
#[cfg(test)]
mod liveness_tests;

use std::collections::BTreeMap;
use super::assignor::{Strategy, Subscription, TopicPartition};
use super::msg::FetchResponse;
use super::cluster::{BrokerId, Cluster, Tp};
use super::error::{ErrorCode, KafkaError};

/// `offsets.topic.num.partitions`.
pub const OFFSETS_PARTITIONS: i32 = 50;
/// The internal topic's name.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";
/// `offsets.topic.segment.bytes`.
pub const OFFSETS_SEGMENT_BYTES: &str = "104857600";
/// `group.initial.rebalance.delay.ms`.
pub const GROUP_INITIAL_REBALANCE_DELAY_MS: i64 = 3_000;
/// `group.min.session.timeout.ms` / `group.max.session.timeout.ms`.
pub const GROUP_MIN_SESSION_TIMEOUT_MS: i64 = 6_000;
pub const GROUP_MAX_SESSION_TIMEOUT_MS: i64 = 1_800_000;
/// `offsets.commit.timeout.ms`: how long a commit waits for the replicas.
pub const OFFSETS_COMMIT_TIMEOUT_MS: i64 = 5_000;
/// `group.max.size` is unbounded in Kafka; the simulator caps members per group.
pub const GROUP_MEMBERS_MAX: usize = 10_000;
#[allow(unused_imports)] // the old path, kept for code written against it (tests)
pub(crate) use crate::engine::ids::{CONSUMER_ID_BASE, COORDINATOR_CLIENT};
pub(crate) use crate::engine::msg::{GroupEv, GroupMsg, JoinOk};

pub(crate) mod state;
pub(crate) use coordinator::{coordinator_in_view, topic_in_view};
pub use state::{CommittedOffset, GroupDescription, GroupListing, GroupState, MemberDescription};
pub(crate) use state::*;


// ----- router glue and views (issue 21: moves to cluster/ at consolidation)

impl Cluster {
    pub(crate) fn group_timer(&mut self, ev: GroupEv) {
        match ev {
            GroupEv::JoinDeadline { broker, partition, shard_id, group, rebalance_seq } => {
                self.with_group_coordinator(broker, |gc, _, ctx| gc.on_join_deadline(ctx, partition, shard_id, &group, rebalance_seq));
            }
            GroupEv::SessionExpiry { broker, partition, shard_id, group, member_id, heartbeat_seq } => {
                self.with_group_coordinator(broker, |gc, _, ctx| gc.on_session_expiry(ctx, partition, shard_id, &group, &member_id, heartbeat_seq));
            }
            GroupEv::FetchExpire { broker, req_id } => self.on_consumer_fetch_expire(broker, req_id),
            GroupEv::ConsumerWake { consumer } => self.consumer_wake(consumer),
        }
    }

    /// A group message arrived at broker `b`: its coordinator handles it (a consumer fetch goes
    /// to the broker's partition leaders).
    pub(crate) fn group_broker_receive(&mut self, b: BrokerId, msg: GroupMsg) {
        match msg {
            GroupMsg::FindCoordinator { consumer, req_id, group } => {
                let result = self.find_coordinator_on(b, &group);
                self.reply(b, consumer, GroupMsg::FindCoordinatorResp { req_id, result });
            }
            GroupMsg::Join { consumer, req_id, group, member_id, client_id, host, session_timeout_ms, rebalance_timeout_ms, protocols } => {
                let req = coordinator::JoinRequest { consumer, req_id, group, member_id, client_id, host, session_timeout_ms, rebalance_timeout_ms, protocols };
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_join(host, ctx, req));
            }
            GroupMsg::Sync { consumer, req_id, group, member_id, generation, assignment } => {
                let req = coordinator::SyncRequest { consumer, req_id, group, member_id, generation, assignment };
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_sync(host, ctx, req));
            }
            GroupMsg::Heartbeat { consumer, req_id, group, member_id, generation } => {
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_heartbeat(host, ctx, consumer, req_id, &group, &member_id, generation));
            }
            GroupMsg::Leave { consumer, req_id, group, member_id } => {
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_leave(host, ctx, consumer, req_id, &group, &member_id));
            }
            GroupMsg::OffsetCommit { consumer, req_id, group, member_id, generation, offsets } => {
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_offset_commit(host, ctx, Some((consumer, req_id)), &group, &member_id, generation, offsets));
            }
            GroupMsg::OffsetFetch { consumer, req_id, group, partitions } => {
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_offset_fetch(host, ctx, consumer, req_id, &group, &partitions));
            }
            GroupMsg::Fetch { consumer, req_id, parts, isolation, max_wait_ms, max_partition_bytes } => {
                self.handle_consumer_fetch(b, ParkedConsumerFetch { consumer, req_id, parts, isolation, max_partition_bytes }, max_wait_ms)
            }
            _ => {}
        }
    }

    pub(crate) fn reply(&mut self, b: BrokerId, consumer: u32, msg: GroupMsg) {
        self.net_send(Some(b), super::cluster::Dest::Client(consumer), super::cluster::Msg::Group(Box::new(msg)));
    }

    /// A message for a client id in the group range: a consumer, or a coordinator's own append.
    pub(crate) fn group_client_receive(&mut self, client: u32, msg: super::cluster::Msg) {
        match msg {
            super::cluster::Msg::ProduceResp { req_id, result } if client == COORDINATOR_CLIENT => self.coordinator_append_done(req_id, result),
            super::cluster::Msg::ProduceResp { req_id, result } if client == super::ids::TXN_LOG_CLIENT => self.txn_append_done(req_id, result),
            super::cluster::Msg::ProduceResp { req_id, result } if client == super::ids::TXN_MARKER_CLIENT => self.txn_marker_done(req_id, result),
            super::cluster::Msg::Group(m) => self.consumer_receive(client, *m),
            _ => {}
        }
    }

    // ----- consumer fetch (leader side) -----

    pub(crate) fn fetch_parts(&self, b: BrokerId, f: &ParkedConsumerFetch) -> (Vec<(TopicPartition, Result<FetchResponse, KafkaError>)>, bool) {
        let mut out = Vec::with_capacity(f.parts.len());
        let mut any = false;
        for (tp, offset) in &f.parts {
            let req = super::msg::FetchRequest {
                topic: tp.topic.clone(),
                partition: tp.partition,
                offset: *offset,
                max_records: usize::MAX,
                max_bytes: f.max_partition_bytes,
                isolation: f.isolation,
            };
            let r = match self.fetch(&req) {
                Ok(resp) if resp.leader != b => Err(KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER)),
                other => other,
            };
            match &r {
                Ok(resp) if resp.end_offset > resp.first_offset => any = true,
                Ok(_) => {}
                Err(_) => any = true,
            }
            out.push((tp.clone(), r));
        }
        (out, any)
    }

    pub(crate) fn handle_consumer_fetch(&mut self, b: BrokerId, f: ParkedConsumerFetch, max_wait_ms: i64) {
        let (parts, any) = self.fetch_parts(b, &f);
        if any || max_wait_ms <= 0 {
            self.reply(b, f.consumer, GroupMsg::FetchResp { req_id: f.req_id, parts });
            return;
        }
        let req_id = f.req_id;
        self.groups.parked.entry(b).or_default().push(f);
        self.schedule(max_wait_ms, super::cluster::Ev::Group(GroupEv::FetchExpire { broker: b, req_id }));
    }

    pub(crate) fn on_consumer_fetch_expire(&mut self, b: BrokerId, req_id: u64) {
        let Some(list) = self.groups.parked.get_mut(&b) else { return };
        let Some(pos) = list.iter().position(|p| p.req_id == req_id) else { return };
        let f = list.remove(pos);
        if !self.broker_up(b) {
            return;
        }
        let (parts, _) = self.fetch_parts(b, &f);
        self.reply(b, f.consumer, GroupMsg::FetchResp { req_id, parts });
    }

    /// The high watermark of `tp` advanced on leader `l`: answer the consumer fetches parked on it.
    pub(crate) fn consumer_fetch_wake(&mut self, l: BrokerId, tp: Tp) {
        let Some(list) = self.groups.parked.get(&l) else { return };
        if list.is_empty() {
            return;
        }
        let name = self.topic_name(tp.topic);
        let Some(list) = self.groups.parked.get_mut(&l) else { return };
        let mut woken = Vec::new();
        list.retain(|p| {
            if p.parts.iter().any(|(t, _)| t.partition == tp.partition && *t.topic == *name) {
                woken.push(p.clone());
                false
            } else {
                true
            }
        });
        for f in woken {
            let (parts, _) = self.fetch_parts(l, &f);
            self.reply(l, f.consumer, GroupMsg::FetchResp { req_id: f.req_id, parts });
        }
    }
}

impl Cluster {
    /// Group safety properties, checked by tests after every event:
    /// - `OneOwnerPerGeneration`: among live consumers of a group that hold an assignment from
    ///   the same generation, no partition has two owners;
    /// - `CommittedWithinHw`: every committed offset a coordinator holds is at most the highest
    ///   high watermark the partition reached.
    pub fn check_group_invariants(&self) -> Result<(), super::violation::Violation> {
        let v = |property: &'static str, detail: String| Err(super::violation::Violation { property, detail });
        let mut owners: BTreeMap<(String, i32, TopicPartition), u32> = BTreeMap::new();
        for id in self.consumer_ids() {
            let Some(info) = self.consumer_info(id) else { continue };
            let Some(g) = info.group_id else { continue };
            if info.generation < 0 {
                continue;
            }
            for tp in info.assignment {
                if let Some(other) = owners.insert((g.clone(), info.generation, tp.clone()), id) {
                    return v("OneOwnerPerGeneration", format!("group {g} generation {}: {}-{} owned by consumers {other} and {id}", info.generation, tp.topic, tp.partition));
                }
            }
        }
        for (b, shard) in self.groups.coordinators.iter().flat_map(|(b, gc)| gc.shards.values().map(move |s| (b, s))) {
            if !self.broker_up(*b) {
                continue;
            }
            for g in shard.groups.values() {
                for (tp, o) in &g.offsets {
                    let Some(&idx) = self.ctl.by_name.get(&tp.topic) else { continue };
                    let tpi = Tp { topic: idx, partition: tp.partition };
                    // The highest high watermark the partition ever reached (a new leader's own HW
                    // may lag behind it for a moment after an election).
                    let hw_max = self.ledger.get(&tpi).and_then(|l| l.last()).map_or(0, |b| b.next_offset());
                    if !self.track_invariants || self.unclean_tainted.iter().any(|(t, _)| *t == tpi) {
                        continue;
                    }
                    if o.offset > hw_max {
                        return v("CommittedWithinHw", format!("group {} {}-{}: committed {} > high watermark {}", g.id, tp.topic, tp.partition, o.offset, hw_max));
                    }
                }
            }
        }
        Ok(())
    }
}

impl Cluster {
    /// The committed offsets the group's current coordinator holds in memory, without running
    /// the simulation (None if the coordinator is unknown or has not loaded the group's partition).
    pub fn coordinator_offsets(&self, group: &str) -> Option<BTreeMap<TopicPartition, i64>> {
        let p = super::assignor::coordinator_partition(group, OFFSETS_PARTITIONS);
        let idx = self.ctl.by_name.get(OFFSETS_TOPIC)?;
        let l = self.ctl.topics.get(idx)?.partitions.get(p as usize)?.leader?;
        let shard = self.groups.coordinators.get(&l)?.shards.get(&p)?;
        let br = self.brokers.get(&l)?;
        let r = br.replicas.get(&Tp { topic: *idx, partition: p })?;
        if br.incarnation != shard.incarnation || !r.vol.is_leader || r.vol.leader_epoch != shard.leader_epoch {
            return None;
        }
        Some(shard.groups.get(group).map(|g| g.offsets.iter().map(|(tp, o)| (tp.clone(), o.offset)).collect()).unwrap_or_default())
    }

    /// Every live group the current coordinators hold in memory, as DescribeGroups shows it, with
    /// its committed offsets; READ-ONLY: no FindCoordinator, no shard loading, no simulated time
    /// passes (observers such as lesson goals and the UI must not change the run). A coordinator
    /// that has not (re)loaded its `__consumer_offsets` partition yet contributes nothing.
    pub fn peek_groups(&self) -> Vec<(GroupDescription, BTreeMap<TopicPartition, i64>)> {
        let Some(idx) = self.ctl.by_name.get(OFFSETS_TOPIC) else { return Vec::new() };
        let Some(topic) = self.ctl.topics.get(idx) else { return Vec::new() };
        let mut out = Vec::new();
        for (b, p, shard) in self.groups.coordinators.iter().flat_map(|(b, gc)| gc.shards.iter().map(move |(p, s)| (b, p, s))) {
            if topic.partitions.get(*p as usize).and_then(|m| m.leader) != Some(*b) || !self.broker_up(*b) {
                continue;
            }
            let Some(br) = self.brokers.get(b) else { continue };
            let Some(r) = br.replicas.get(&Tp { topic: *idx, partition: *p }) else { continue };
            if br.incarnation != shard.incarnation || !r.vol.is_leader || r.vol.leader_epoch != shard.leader_epoch {
                continue;
            }
            for g in shard.groups.values().filter(|g| g.state != GroupState::Dead) {
                let description = g.description(*b);
                out.push((description, BTreeMap::from_iter(g.offsets.iter().map(|(tp, o)| (tp.clone(), o.offset)))));
            }
        }
        out.sort_by(|a, b| a.0.group_id.cmp(&b.0.group_id));
        out
    }
}

#[cfg(test)]
mod member_order_tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn member(id: &str) -> GroupMember {
        GroupMember {
            member_id: id.to_string(),
            client_id: "c".into(),
            host: "/127.0.0.1".into(),
            session_timeout_ms: 45_000,
            rebalance_timeout_ms: 300_000,
            protocols: Vec::new(),
            assignment: Vec::new(),
            awaiting_join: None,
            awaiting_sync: None,
            last_heartbeat_ms: 0,
            heartbeat_seq: 0,
            is_new: true,
        }
    }

    /// A literal model of Scala 2.13's `mutable.HashMap` (array of hash-sorted bucket lists,
    /// doubling by splitting each list into its low and high halves) to check `add_member`.
    fn scala_model_order(ids: &[String]) -> Vec<String> {
        let mut table: Vec<Vec<(i32, String)>> = vec![Vec::new(); 16];
        let mut size = 0usize;
        for id in ids {
            if size + 1 >= table.len() * 3 / 4 {
                let old_len = table.len();
                let mut grown: Vec<Vec<(i32, String)>> = vec![Vec::new(); old_len * 2];
                for (i, bucket) in table.into_iter().enumerate() {
                    for (h, k) in bucket {
                        let hi = (h as u32 as usize) & old_len != 0;
                        grown[if hi { i + old_len } else { i }].push((h, k));
                    }
                }
                table = grown;
            }
            let (idx, h) = scala_hash_map_slot(id, table.len());
            let bucket = &mut table[idx];
            let pos = bucket.iter().position(|(bh, _)| *bh > h).unwrap_or(bucket.len());
            bucket.insert(pos, (h, id.clone()));
            size += 1;
        }
        table.into_iter().flatten().map(|(_, k)| k).collect()
    }

    #[test]
    fn members_iterate_in_scala_hash_map_order_across_table_growth() {
        let ids: Vec<String> = (0..40).map(|i| format!("consumer-{i:02x}-{}", i * 7919)).collect();
        let mut g = Group::new("g", 0);
        for (n, id) in ids.iter().enumerate() {
            g.add_member(member(id));
            let got: Vec<String> = g.members.iter().map(|m| m.member_id.clone()).collect();
            assert_eq!(got, scala_model_order(&ids[..=n]), "after {} members", n + 1);
        }
        assert_eq!(g.members_table_len, 64, "grows at 12 (to 32) and 24 (to 64) members");
        // Not join order.
        assert_ne!(g.members.iter().map(|m| m.member_id.clone()).collect::<Vec<_>>(), ids);
    }

    #[test]
    fn the_table_never_shrinks_while_members_leave() {
        let mut g = Group::new("g", 0);
        for i in 0..12 {
            g.add_member(member(&format!("m-{i}")));
        }
        assert_eq!(g.members_table_len, 32);
        g.members.truncate(2);
        g.add_member(member("m-x"));
        assert_eq!(g.members_table_len, 32);
        let slots: Vec<(usize, i32)> = g.members.iter().map(|m| scala_hash_map_slot(&m.member_id, 32)).collect();
        assert!(slots.windows(2).all(|w| w[0] <= w[1]), "{slots:?}");
    }
}
