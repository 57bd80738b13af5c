//! Client-side partition assignors of the classic consumer group protocol, and the hashing that
//! picks a group's coordinator.
//!
//! In the classic protocol the broker does not assign partitions: the group leader (a consumer)
//! runs the assignor named by the group's protocol over every member's subscription and sends the
//! result back in SyncGroup. This module reproduces Kafka 3.9's four built-in assignors
//! (`range`, `roundrobin`, `sticky`, `cooperative-sticky`) so that the simulated leader computes
//! exactly the assignment a real 3.9 client would, including its tie-breaking:
//!
//! - Member ids compare as Java `String.compareTo` does (UTF-16 code units), not as Rust `str`.
//! - `range` and `roundrobin` order members by `group.instance.id` first (static members first),
//!   then member id, as Kafka's `MemberInfo` does.
//! - The sticky assignors visit members in the iteration order of the leader's Java hash map of
//!   subscriptions, which decides ties (who keeps its partitions when too many members own more
//!   than the quota). We emulate that order exactly (see [`java`]), so the caller passes members in
//!   the order the JoinGroup response listed them.
//!
//! Racks are ignored (every member behaves as if `client.rack` were unset). The module is pure: no
//! hashing containers, no clock, no I/O; every failure is a typed [`AssignError`].

pub mod java;
mod range;
mod roundrobin;
mod sticky;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

pub use java::{coordinator_partition, java_string_cmp, java_string_hash_code};

/// Upper bounds that keep one assignment bounded in time and memory. Real groups are far smaller.
pub const MEMBERS_MAX: usize = 10_000;
pub const PARTITIONS_TOTAL_MAX: usize = 1_000_000;

/// One partition of one topic. Ordered by topic, then partition.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        TopicPartition { topic: topic.into(), partition }
    }
}

/// What one member sends in JoinGroup, as far as the assignors look at it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subscription {
    /// Topics the member subscribes to (names of topics that do not exist are ignored).
    pub topics: BTreeSet<String>,
    /// Partitions the member owned before this rebalance. For `sticky` this is its previous
    /// assignment as encoded in its user data; for `cooperative-sticky` the `ownedPartitions`
    /// field. Empty for a member that never got an assignment. Order matters only in corner cases
    /// (duplicates), as in Kafka.
    pub owned_partitions: Vec<TopicPartition>,
    /// The generation of `owned_partitions`: `None` when the member sends none (a `sticky` member
    /// that was never assigned), `Some(-1)` for a fresh `cooperative-sticky` member.
    pub generation: Option<i32>,
    /// `group.instance.id` of a static member; orders members in `range` and `roundrobin`.
    pub group_instance_id: Option<String>,
}

/// A member id and its subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub member_id: String,
    pub subscription: Subscription,
}

impl Member {
    /// A member subscribing to `topics`, owning nothing, with no generation.
    pub fn new(member_id: impl Into<String>, topics: &[&str]) -> Self {
        Member {
            member_id: member_id.into(),
            subscription: Subscription {
                topics: topics.iter().map(|t| t.to_string()).collect(),
                ..Subscription::default()
            },
        }
    }

    pub fn owning(mut self, owned: &[(&str, i32)], generation: i32) -> Self {
        self.subscription.owned_partitions =
            owned.iter().map(|(t, p)| TopicPartition::new(*t, *p)).collect();
        self.subscription.generation = Some(generation);
        self
    }

    pub fn static_id(mut self, group_instance_id: impl Into<String>) -> Self {
        self.subscription.group_instance_id = Some(group_instance_id.into());
        self
    }
}

/// Member id -> its partitions, sorted by (topic, partition). Every input member has an entry.
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// The built-in `partition.assignment.strategy` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Strategy {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
}

/// The consumer's default `partition.assignment.strategy`: `[RangeAssignor, CooperativeStickyAssignor]`.
pub const DEFAULT_STRATEGIES: [Strategy; 2] = [Strategy::Range, Strategy::CooperativeSticky];

impl Strategy {
    pub const ALL: [Strategy; 4] =
        [Strategy::Range, Strategy::RoundRobin, Strategy::Sticky, Strategy::CooperativeSticky];

    /// The protocol name sent in JoinGroup (`ConsumerPartitionAssignor.name()`).
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Range => "range",
            Strategy::RoundRobin => "roundrobin",
            Strategy::Sticky => "sticky",
            Strategy::CooperativeSticky => "cooperative-sticky",
        }
    }

    pub fn class_name(self) -> &'static str {
        match self {
            Strategy::Range => "org.apache.kafka.clients.consumer.RangeAssignor",
            Strategy::RoundRobin => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
            Strategy::Sticky => "org.apache.kafka.clients.consumer.StickyAssignor",
            Strategy::CooperativeSticky => "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        }
    }

    /// Accepts the protocol names and the full class names (the latter is what
    /// `partition.assignment.strategy` holds; surrounding whitespace is trimmed as Kafka's list
    /// parsing does).
    pub fn from_name(name: &str) -> Result<Strategy, AssignError> {
        let name = name.trim();
        Strategy::ALL
            .into_iter()
            .find(|s| s.name() == name || s.class_name() == name)
            .ok_or_else(|| AssignError::UnknownStrategy(name.to_string()))
    }

    /// Whether the member keeps its partitions across a rebalance and only revokes the moved ones.
    pub fn is_cooperative(self) -> bool {
        self == Strategy::CooperativeSticky
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignError {
    UnknownStrategy(String),
    /// Two members with the same id.
    DuplicateMember(String),
    /// A member lists no strategy, or no strategy is supported by every member (the broker answers
    /// JoinGroup with `INCONSISTENT_GROUP_PROTOCOL`).
    InconsistentGroupProtocol,
    NoMembers,
    /// Negative partition count for a topic.
    InvalidPartitionCount { topic: String, partitions: i32 },
    TooLarge,
    /// The situations where Kafka's own assignor throws (an `IllegalStateException` or a null
    /// dereference); the text says which.
    AssignorFailed(&'static str),
}

impl std::fmt::Display for AssignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AssignError::UnknownStrategy(n) => write!(f, "Unknown partition assignment strategy: {n}"),
            AssignError::DuplicateMember(m) => write!(f, "duplicate member id {m}"),
            AssignError::InconsistentGroupProtocol => write!(
                f,
                "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list."
            ),
            AssignError::NoMembers => write!(f, "Cannot select protocol for empty group"),
            AssignError::InvalidPartitionCount { topic, partitions } => {
                write!(f, "invalid partition count {partitions} for topic {topic}")
            }
            AssignError::TooLarge => write!(f, "group or topic set too large for the assignor"),
            AssignError::AssignorFailed(why) => write!(f, "assignor failed: {why}"),
        }
    }
}

/// Which strategy the broker picks for a classic group, given each member's strategies in
/// preference order (the `partition.assignment.strategy` list), in member join order.
///
/// The candidates are the strategies every member supports. Each member votes for the first
/// candidate in its own list and the candidate with the most votes wins (`selectProtocol` in
/// `GroupMetadata.scala`/`ClassicGroup.java`). A tie goes to whichever tied name a Java/Scala hash
/// map of the four names iterates first, which is `sticky`, `range`, `roundrobin`,
/// `cooperative-sticky` (their buckets 8, 9, 10, 15 of 16; see the test
/// `strategy_vote_tie_order_follows_java_hash_buckets`).
pub fn select_strategy(member_strategies: &[Vec<Strategy>]) -> Result<Strategy, AssignError> {
    if member_strategies.is_empty() {
        return Err(AssignError::NoMembers);
    }
    let candidates: Vec<Strategy> = Strategy::ALL
        .into_iter()
        .filter(|s| member_strategies.iter().all(|list| list.contains(s)))
        .collect();
    if candidates.is_empty() {
        return Err(AssignError::InconsistentGroupProtocol);
    }
    let mut votes: BTreeMap<Strategy, usize> = BTreeMap::new();
    for list in member_strategies {
        let vote = list
            .iter()
            .find(|s| candidates.contains(s))
            .ok_or(AssignError::InconsistentGroupProtocol)?;
        *votes.entry(*vote).or_insert(0) += 1;
    }
    // Iterate in the hash map's order and keep the first maximum, as `max`/`maxBy` do.
    const TIE_ORDER: [Strategy; 4] =
        [Strategy::Sticky, Strategy::Range, Strategy::RoundRobin, Strategy::CooperativeSticky];
    let mut best: Option<(Strategy, usize)> = None;
    for s in TIE_ORDER {
        if let Some(&n) = votes.get(&s) {
            if best.is_none_or(|(_, b)| n > b) {
                best = Some((s, n));
            }
        }
    }
    best.map(|(s, _)| s).ok_or(AssignError::InconsistentGroupProtocol)
}

/// Runs `strategy` as the group leader would.
///
/// `members` must be in the order the JoinGroup response listed them (the leader inserts them in
/// that order into a Java hash map, whose iteration order the sticky assignors depend on).
/// `partitions_per_topic` is the leader's metadata: topics absent from it (or with 0 partitions)
/// are skipped, as `AbstractPartitionAssignor` does; topics nobody subscribes to are ignored.
///
/// For `cooperative-sticky` the result is the first rebalance's: partitions that move from one
/// member to another are left out (their owner must revoke them first; a follow-up rebalance
/// assigns them). Use [`assign_cooperative_until_stable`] to run the follow-up rounds.
pub fn assign(
    strategy: Strategy,
    members: &[Member],
    partitions_per_topic: &BTreeMap<String, i32>,
) -> Result<Assignment, AssignError> {
    let input = Input::new(members, partitions_per_topic)?;
    let lists = match strategy {
        Strategy::Range => range::assign(&input),
        Strategy::RoundRobin => roundrobin::assign(&input),
        Strategy::Sticky => sticky::assign(&input, false)?,
        Strategy::CooperativeSticky => sticky::assign(&input, true)?,
    };
    debug_assert_eq!(lists.len(), members.len());
    let mut out = Assignment::new();
    for (member, mut list) in members.iter().zip(lists) {
        list.sort();
        out.insert(member.member_id.clone(), list);
    }
    Ok(out)
}

/// Runs cooperative rebalances until the assignment stops changing (at most `rounds_max`),
/// feeding each round's result back as the members' owned partitions with the next generation.
/// Returns every round's assignment; the last one is stable.
pub fn assign_cooperative_until_stable(
    members: &[Member],
    partitions_per_topic: &BTreeMap<String, i32>,
    generation: i32,
    rounds_max: usize,
) -> Result<Vec<Assignment>, AssignError> {
    let mut members = members.to_vec();
    let mut rounds = Vec::new();
    let mut generation = generation;
    for _ in 0..rounds_max {
        let result = assign(Strategy::CooperativeSticky, &members, partitions_per_topic)?;
        let stable = members.iter().all(|m| {
            let mut owned = m.subscription.owned_partitions.clone();
            owned.sort();
            result.get(&m.member_id) == Some(&owned)
        });
        rounds.push(result.clone());
        if stable {
            break;
        }
        for m in members.iter_mut() {
            m.subscription.owned_partitions = result.get(&m.member_id).cloned().unwrap_or_default();
            m.subscription.generation = Some(generation);
        }
        generation = generation.saturating_add(1);
    }
    Ok(rounds)
}

/// The validated input shared by all assignors: members in join order, and the topics that can be
/// assigned (subscribed by someone, present in metadata with at least one partition).
pub(crate) struct Input<'a> {
    pub members: &'a [Member],
    /// (topic, partition count) for the topics someone subscribes to that have partitions, in Java
    /// string order of their names (the order of Kafka's sorted topic lists).
    pub topics: Vec<(&'a str, i32)>,
}

impl<'a> Input<'a> {
    fn new(
        members: &'a [Member],
        partitions_per_topic: &'a BTreeMap<String, i32>,
    ) -> Result<Input<'a>, AssignError> {
        if members.len() > MEMBERS_MAX {
            return Err(AssignError::TooLarge);
        }
        let mut ids = BTreeSet::new();
        for m in members {
            if !ids.insert(m.member_id.as_str()) {
                return Err(AssignError::DuplicateMember(m.member_id.clone()));
            }
        }
        let mut subscribed = BTreeSet::new();
        for m in members {
            subscribed.extend(m.subscription.topics.iter().map(String::as_str));
        }
        let mut total: usize = 0;
        let mut topics = Vec::new();
        for (topic, &n) in partitions_per_topic {
            if n < 0 {
                return Err(AssignError::InvalidPartitionCount { topic: topic.clone(), partitions: n });
            }
            if n > 0 && subscribed.contains(topic.as_str()) {
                total = total.saturating_add(n as usize);
                topics.push((topic.as_str(), n));
            }
        }
        if total > PARTITIONS_TOTAL_MAX {
            return Err(AssignError::TooLarge);
        }
        topics.sort_by(|a, b| java_string_cmp(a.0, b.0));
        Ok(Input { members, topics })
    }
}

/// `MemberInfo.compareTo`: members with a `group.instance.id` first, ordered by it; then the
/// others by member id. Both compare as Java strings.
pub(crate) fn member_info_cmp(a: &Member, b: &Member) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (&a.subscription.group_instance_id, &b.subscription.group_instance_id) {
        (Some(x), Some(y)) => java_string_cmp(x, y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => java_string_cmp(&a.member_id, &b.member_id),
    }
}
