//! What the group coordinators hold: per loaded `__consumer_offsets` partition (a shard) its
//! groups with their members, generations and committed offsets, plus writes in flight and
//! parked consumer fetches. The handlers are in `group/mod.rs`, `coordinator.rs`, `admin.rs`.

use crate::engine::assignor::{Strategy, Subscription, TopicPartition};
use crate::engine::error::KafkaError;
use crate::engine::ids::BrokerId;
use std::collections::BTreeMap;

/// The classic group states (`ClassicGroupState`), named as the tools print them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupState {
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
    Empty,
}

impl GroupState {
    pub fn name(self) -> &'static str {
        match self {
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
            GroupState::Empty => "Empty",
        }
    }
}

/// One row of ListGroups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupListing {
    pub group_id: String,
    pub state: GroupState,
    /// `consumer` for consumer groups, empty for groups that only hold committed offsets.
    pub protocol_type: String,
    /// Always `classic` (the KIP-848 protocol is not modelled).
    pub group_type: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberDescription {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub host: String,
    pub assignment: Vec<TopicPartition>,
}

/// DescribeGroups. A group the coordinator does not know describes as `Dead` with no members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDescription {
    pub group_id: String,
    pub state: GroupState,
    pub protocol_type: String,
    /// The selected assignor's name (`range`, ...), empty when there is none.
    pub assignment_strategy: String,
    pub coordinator: BrokerId,
    pub generation: i32,
    /// In the coordinator's order (its members HashMap's iteration order).
    pub members: Vec<MemberDescription>,
}

/// A committed offset as OffsetFetch returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedOffset {
    pub offset: i64,
    pub metadata: String,
    pub commit_timestamp_ms: i64,
}

/// `mutable.HashMap`'s initial table length (default capacity 16).
pub(crate) const SCALA_HASH_MAP_INITIAL_LEN: usize = 16;

/// Where Scala 2.13's `mutable.HashMap` keeps a String key: (bucket index, improved hash). Its hash
/// is `improveHash(key.##)` = `h ^ (h >>> 16)` of Java's `String.hashCode`.
pub(crate) fn scala_hash_map_slot(key: &str, table_len: usize) -> (usize, i32) {
    let h = crate::engine::assignor::java_string_hash_code(key);
    let improved = h ^ ((h as u32) >> 16) as i32;
    ((improved as u32 as usize) & (table_len - 1), improved)
}

/// A member of a loaded group (coordinator side).
#[derive(Clone, Debug)]
pub(crate) struct GroupMember {
    pub member_id: String,
    pub client_id: String,
    pub host: String,
    pub session_timeout_ms: i64,
    pub rebalance_timeout_ms: i64,
    /// Strategies in the member's preference order with the subscription sent for each.
    pub protocols: Vec<(Strategy, Subscription)>,
    pub assignment: Vec<TopicPartition>,
    /// JoinGroup waiting for the rebalance to complete: (consumer, request id).
    pub awaiting_join: Option<(u32, u64)>,
    pub awaiting_sync: Option<(u32, u64)>,
    pub last_heartbeat_ms: i64,
    /// Bumped on every heartbeat: an expiration timer only acts if it still matches.
    pub heartbeat_seq: u64,
    pub is_new: bool,
}

impl GroupMember {
    pub fn topics(&self) -> Vec<String> {
        self.protocols.first().map(|(_, s)| s.topics.iter().cloned().collect()).unwrap_or_default()
    }
}

/// A group as its coordinator holds it in memory.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub id: String,
    pub state: GroupState,
    pub generation: i32,
    pub protocol_type: Option<String>,
    pub protocol: Option<Strategy>,
    pub leader: Option<String>,
    /// Members in the iteration order of the 3.9 coordinator's `GroupMetadata.members`, a Scala
    /// 2.13 `mutable.HashMap[String, MemberMetadata]`: JoinGroup and DescribeGroups list them in
    /// this order, and a departed leader's successor is the first of them. Keep it through
    /// [`Group::add_member`]; removals keep the order.
    pub members: Vec<GroupMember>,
    /// The length of that HashMap's table (16, doubling when an insert reaches 3/4 of it; it
    /// never shrinks while the group object lives).
    pub members_table_len: usize,
    /// Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet.
    pub pending_members: Vec<String>,
    pub offsets: BTreeMap<TopicPartition, CommittedOffset>,
    /// Bumped on every new rebalance: a join timer only acts if it still matches.
    pub rebalance_seq: u64,
    /// Initial delayed join: (remaining ms of the rebalance timeout, new members joined meanwhile).
    pub initial_delay: Option<(i64, bool)>,
    pub state_timestamp_ms: i64,
}

impl Group {
    /// DescribeGroups' answer for this group, coordinated by `coordinator`. Kafka describes a
    /// rebalancing group's members with their assignment only once SyncGroup completed (Stable);
    /// before that they show none, and no assignment strategy.
    pub(crate) fn description(&self, coordinator: BrokerId) -> GroupDescription {
        let stable = self.state == GroupState::Stable;
        GroupDescription {
            group_id: self.id.clone(),
            state: self.state,
            protocol_type: self.protocol_type.clone().unwrap_or_default(),
            assignment_strategy: if stable { self.protocol.map(|s| s.name().to_string()).unwrap_or_default() } else { String::new() },
            coordinator,
            generation: self.generation,
            members: self
                .members
                .iter()
                .map(|m| MemberDescription {
                    member_id: m.member_id.clone(),
                    group_instance_id: None,
                    client_id: m.client_id.clone(),
                    host: m.host.clone(),
                    assignment: if stable { m.assignment.clone() } else { Vec::new() },
                })
                .collect(),
        }
    }

    pub fn new(id: &str, now_ms: i64) -> Group {
        Group {
            id: id.to_string(),
            state: GroupState::Empty,
            generation: 0,
            protocol_type: None,
            protocol: None,
            leader: None,
            members: Vec::new(),
            members_table_len: SCALA_HASH_MAP_INITIAL_LEN,
            pending_members: Vec::new(),
            offsets: BTreeMap::new(),
            rebalance_seq: 0,
            initial_delay: None,
            state_timestamp_ms: now_ms,
        }
    }
    /// `members.put(member.memberId, member)` as Scala 2.13's `mutable.HashMap` does it: the table
    /// grows first if the new size reaches the threshold (0.75 of its length), then the member
    /// goes into bucket `hash & (len - 1)`, whose list is kept sorted by hash (signed), after any
    /// equal hash. Iteration walks the buckets in index order.
    pub fn add_member(&mut self, member: GroupMember) {
        debug_assert!(self.member(&member.member_id).is_none(), "member ids are unique within a group");
        debug_assert!(self.members_table_len.is_power_of_two());
        if self.members.len() + 1 >= self.members_table_len / 4 * 3 {
            self.members_table_len *= 2;
            // Splitting buckets keeps each list's hash order: the order is again (bucket, hash).
            let len = self.members_table_len;
            self.members.sort_by_key(|m| scala_hash_map_slot(&m.member_id, len));
        }
        let len = self.members_table_len;
        let slot = scala_hash_map_slot(&member.member_id, len);
        let pos = self.members.iter().position(|m| scala_hash_map_slot(&m.member_id, len) > slot).unwrap_or(self.members.len());
        self.members.insert(pos, member);
    }

    pub fn member(&self, id: &str) -> Option<&GroupMember> {
        self.members.iter().find(|m| m.member_id == id)
    }
    pub fn member_mut(&mut self, id: &str) -> Option<&mut GroupMember> {
        self.members.iter_mut().find(|m| m.member_id == id)
    }
    /// The group's own invariants (checked at the coordinator's handler boundaries in debug
    /// builds): the leader is a member, and a Stable group's assignment gives each partition to
    /// at most one member.
    pub(crate) fn debug_check(&self) {
        if !cfg!(debug_assertions) {
            return;
        }
        debug_assert!(self.leader.as_ref().is_none_or(|l| self.member(l).is_some()), "group {}: leader {:?} is not a member", self.id, self.leader);
        debug_assert!(self.generation >= 0, "group {}: generation {}", self.id, self.generation);
        if self.state == GroupState::Stable {
            let mut seen = std::collections::BTreeSet::new();
            for tp in self.members.iter().flat_map(|m| &m.assignment) {
                debug_assert!(seen.insert(tp), "group {} generation {}: {}-{} assigned twice", self.id, self.generation, tp.topic, tp.partition);
            }
        }
    }

    /// Topics some member subscribes to (for offset deletion checks).
    pub fn subscribed(&self, topic: &str) -> bool {
        self.members.iter().any(|m| m.protocols.iter().any(|(_, s)| s.topics.contains(topic)))
    }
}

/// One broker's groups of one `__consumer_offsets` partition.
#[derive(Clone, Debug)]
pub(crate) struct Shard {
    /// Unique per load, carried by timers.
    pub id: u64,
    /// `__consumer_offsets`' index in the host's metadata view when the shard was loaded (its
    /// writes go to that partition).
    pub topic: u32,
    pub incarnation: u64,
    pub leader_epoch: i32,
    pub groups: BTreeMap<String, Group>,
}

/// What a coordinator write does once it is committed.
#[derive(Clone, Debug)]
pub(crate) enum AppendKind {
    Commit { group: String, offsets: Vec<(TopicPartition, CommittedOffset)>, reply: Option<(u32, u64)> },
    /// Group metadata after a SyncGroup from the leader (assignments then go out).
    SyncDone { group: String, generation: i32, assignment: BTreeMap<String, Vec<TopicPartition>> },
    /// Group metadata or tombstones whose completion needs no reaction.
    Plain,
    /// A write a synchronous admin call waits for (its outcome goes to `admin_results`).
    Admin,
}

#[derive(Clone, Debug)]
pub(crate) struct PendingAppend {
    pub partition: i32,
    pub shard_id: u64,
    pub kind: AppendKind,
}

/// `NodeToControllerChannelManager`'s `retryTimeoutMs` on a broker (BrokerServer: 60000): a
/// forwarded request unanswered this long times out (`onTimeout`), clearing its in-flight mark.
pub(crate) const CONTROLLER_REQUEST_RETRY_TIMEOUT_MS: i64 = 60_000;

/// A CreateTopics a broker forwarded for an internal topic and awaits (the topic's entry in
/// `AutoTopicCreationManager.inflightTopics`): no other is sent while it is in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TopicForward {
    pub req_id: u64,
    /// The controller it went to and the host's incarnation that sent it: a new active
    /// controller (Kafka's channel resends to it) or a restarted host (a fresh manager) asks again.
    pub controller: BrokerId,
    pub incarnation: u64,
    /// When the channel gives up on it.
    pub lapse_at_ms: i64,
}

impl TopicForward {
    /// Whether it still stands for a host in `incarnation` whose active controller is
    /// `controller`, at `now_ms`.
    pub(crate) fn in_flight(&self, incarnation: u64, controller: BrokerId, now_ms: i64) -> bool {
        self.incarnation == incarnation && self.controller == controller && now_ms < self.lapse_at_ms
    }
}

/// One broker's group coordinator (a node: its handlers are in `coordinator.rs`): the
/// `__consumer_offsets` partitions it leads and loaded, and its writes in flight.
#[derive(Clone, Debug)]
pub(crate) struct GroupCoordinator {
    /// The host broker.
    pub broker: BrokerId,
    /// Loaded shards by offsets partition.
    pub shards: BTreeMap<i32, Shard>,
    /// Writes to `__consumer_offsets` in flight, by request id.
    pub appends: BTreeMap<u64, PendingAppend>,
    /// Admin writes whose outcome a synchronous admin call waits for.
    pub admin_results: BTreeMap<u64, Result<(), KafkaError>>,
    /// Transactional offset commits being written, by request id (`txn_offsets.rs`).
    pub(super) txn_appends: BTreeMap<u64, TxnOffsetsAppend>,
    /// Transactional offsets written, waiting for their transaction's marker: per (offsets
    /// partition, shard id) and producer id (Kafka's pendingTransactionalOffsetCommits).
    pub(super) txn_pending: BTreeMap<(i32, u64), BTreeMap<i64, Vec<(String, TopicPartition, CommittedOffset)>>>,
    /// The host's CreateTopics for `__consumer_offsets` on its way to the controller.
    pub(super) offsets_topic_forward: Option<TopicForward>,
}

/// A transactional offset commit written to `__consumer_offsets`, waiting for the write.
#[derive(Clone, Debug)]
pub(super) struct TxnOffsetsAppend {
    pub(super) partition: i32,
    pub(super) shard_id: u64,
    pub(super) producer_id: i64,
    pub(super) group: String,
    pub(super) offsets: Vec<(TopicPartition, CommittedOffset)>,
    pub(super) client: u32,
    pub(super) req_id: u64,
}

impl GroupCoordinator {
    pub(crate) fn new(broker: BrokerId) -> GroupCoordinator {
        GroupCoordinator { broker, shards: BTreeMap::new(), appends: BTreeMap::new(), admin_results: BTreeMap::new(), txn_appends: BTreeMap::new(), txn_pending: BTreeMap::new(), offsets_topic_forward: None }
    }
}

/// All group-related state of the cluster.
#[derive(Clone, Debug, Default)]
pub(crate) struct Groups {
    /// The group coordinator of each broker that has hosted one.
    pub coordinators: BTreeMap<BrokerId, GroupCoordinator>,
}
