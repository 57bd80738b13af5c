//! `StickyAssignor` and `CooperativeStickyAssignor` (Kafka's `AbstractStickyAssignor`).
//!
//! Both aim for a balanced assignment that keeps as many previously owned partitions in place as
//! possible. Previous ownership comes from the members' subscriptions: each claims partitions with
//! a generation; when two members claim one partition, the higher generation keeps it, and equal
//! generations lose it both (the partition is then treated as having moved).
//!
//! Two builders exist, and which one runs changes the result:
//! - The constrained builder, when every member subscribes to the same topics: each member keeps
//!   up to its quota (`floor` or `ceil` of partitions / members) of what it owned, visiting members
//!   in the leader's hash map order; leftovers are dealt round-robin to members under quota in
//!   member-id order, then one more each to members at the lower quota.
//! - The general builder otherwise: keep valid ownership, give each unassigned partition to the
//!   least-loaded eligible member, then move partitions from members with 2+ more partitions than
//!   an eligible peer until balanced, preferring to return a partition to its previous owner and to
//!   undo earlier moves (so no two members swap partitions of one topic).
//!
//! The cooperative variant then removes from the result every partition that changes owner; those
//! are revoked first and assigned in a follow-up rebalance.
//!
//! Internally partitions are numbered `pid` in topic (Java string) order then partition order, and
//! members by their index in the input.

use std::collections::{BTreeMap, BTreeSet};
use std::collections::VecDeque;

use super::java::{hash_map_order, java_string_cmp, java_string_hash_code, topic_partition_hash, JavaBucketSet};
use super::{AssignError, Input, TopicPartition};

const DEFAULT_GENERATION: i32 = -1;

struct Layout<'a> {
    topics: &'a [(&'a str, i32)],
    /// First pid of each topic.
    topic_offset: Vec<usize>,
    /// pid -> (topic index, partition).
    partitions: Vec<(usize, i32)>,
    topic_hash: Vec<i32>,
}

impl<'a> Layout<'a> {
    fn new(topics: &'a [(&'a str, i32)]) -> Self {
        let mut topic_offset = Vec::with_capacity(topics.len());
        let mut partitions = Vec::new();
        for (t, &(_, count)) in topics.iter().enumerate() {
            topic_offset.push(partitions.len());
            partitions.extend((0..count).map(|p| (t, p)));
        }
        let topic_hash = topics.iter().map(|(name, _)| java_string_hash_code(name)).collect();
        Layout { topics, topic_offset, partitions, topic_hash }
    }

    fn topic_index(&self, name: &str) -> Option<usize> {
        self.topics.binary_search_by(|(t, _)| java_string_cmp(t, name)).ok()
    }

    /// The pid of a claimed partition, if the topic exists and the partition number is in range.
    /// (Kafka would keep an out-of-range claim and produce a corrupt assignment; partition counts
    /// never shrink in Kafka, so this only filters garbage input.)
    fn pid(&self, tp: &TopicPartition) -> Option<usize> {
        let t = self.topic_index(&tp.topic)?;
        let count = self.topics[t].1;
        (0..count).contains(&tp.partition).then(|| self.topic_offset[t] + tp.partition as usize)
    }

    fn topic_partition(&self, pid: usize) -> TopicPartition {
        let (t, p) = self.partitions[pid];
        TopicPartition::new(self.topics[t].0, p)
    }

    fn hash(&self, pid: usize) -> i32 {
        let (t, p) = self.partitions[pid];
        topic_partition_hash(self.topic_hash[t], p)
    }
}

/// What `allSubscriptionsEqual` computes while resolving conflicting ownership claims.
struct Claims {
    all_subscriptions_equal: bool,
    /// Member -> owned pids still valid (in claim order).
    owned: Vec<Vec<usize>>,
    /// pids claimed by several members of one generation: owned by none of them now.
    multiple_owners: Vec<bool>,
    generation_max: i32,
}

pub(super) fn assign(input: &Input<'_>, cooperative: bool) -> Result<Vec<Vec<TopicPartition>>, AssignError> {
    let members = input.members;
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let layout = Layout::new(&input.topics);
    let hashes: Vec<i32> = members.iter().map(|m| java_string_hash_code(&m.member_id)).collect();
    // The leader's hash map of member id -> subscription, filled in JoinGroup order.
    let order = hash_map_order(&hashes);
    let mut by_id: Vec<usize> = (0..members.len()).collect();
    by_id.sort_by(|&a, &b| java_string_cmp(&members[a].member_id, &members[b].member_id));
    let mut rank = vec![0usize; members.len()];
    for (r, &m) in by_id.iter().enumerate() {
        rank[m] = r;
    }

    let claims = resolve_claims(input, &layout, &order);
    let (assignment, transferring) = if claims.all_subscriptions_equal {
        let (a, t) = constrained(&layout, &order, &rank, &claims)?;
        (a, Some(t))
    } else {
        (General::new(input, &layout, &order, &by_id, &rank, &claims).build()?, None)
    };
    let mut assignment = assignment;

    if cooperative {
        let transferring = match transferring {
            Some(t) => t,
            None => compute_transferring(input, &layout, &assignment),
        };
        for (&pid, &to) in &transferring {
            if let Some(i) = assignment[to].iter().position(|&q| q == pid) {
                assignment[to].remove(i);
            }
        }
    }

    Ok(assignment.into_iter().map(|pids| pids.into_iter().map(|pid| layout.topic_partition(pid)).collect()).collect())
}

fn generation_of(input: &Input<'_>, m: usize) -> i32 {
    input.members[m].subscription.generation.unwrap_or(DEFAULT_GENERATION)
}

fn resolve_claims(input: &Input<'_>, layout: &Layout<'_>, order: &[usize]) -> Claims {
    let members = input.members;
    let mut all_subscriptions_equal = true;
    let mut subscribed: BTreeSet<&str> = BTreeSet::new();
    let mut owner: Vec<Option<usize>> = vec![None; layout.partitions.len()];
    let mut owned: Vec<Vec<usize>> = vec![Vec::new(); members.len()];
    let mut multiple_owners = vec![false; layout.partitions.len()];
    let mut generation_max = DEFAULT_GENERATION;

    for &m in order {
        let subscription = &members[m].subscription;
        // Kafka seeds the reference set from the first member with a non-empty subscription.
        if subscribed.is_empty() {
            subscribed.extend(subscription.topics.iter().map(String::as_str));
        } else if all_subscriptions_equal
            && !(subscription.topics.len() == subscribed.len()
                && subscription.topics.iter().all(|t| subscribed.contains(t.as_str())))
        {
            all_subscriptions_equal = false;
        }
        let generation = generation_of(input, m);
        generation_max = generation_max.max(generation);
        for tp in &subscription.owned_partitions {
            let Some(pid) = layout.pid(tp) else { continue };
            match owner[pid] {
                None => {
                    owned[m].push(pid);
                    owner[pid] = Some(m);
                }
                Some(other) => {
                    let generation_other = generation_of(input, other);
                    if generation == generation_other {
                        // Same generation, two claims: invalid; nobody keeps it.
                        multiple_owners[pid] = true;
                        remove_first(&mut owned[other], pid);
                        owner[pid] = Some(m);
                    } else if generation > generation_other {
                        owned[m].push(pid);
                        remove_first(&mut owned[other], pid);
                        owner[pid] = Some(m);
                    }
                }
            }
        }
    }
    Claims { all_subscriptions_equal, owned, multiple_owners, generation_max }
}

fn remove_first(list: &mut Vec<usize>, value: usize) -> bool {
    match list.iter().position(|&v| v == value) {
        Some(i) => {
            list.remove(i);
            true
        }
        None => false,
    }
}

type Transferring = BTreeMap<usize, usize>;

/// `ConstrainedAssignmentBuilder`'s working state: quotas, the assignment so far, and the members
/// under and exactly at the minimum quota.
struct Fill {
    quota_min: usize,
    quota_max: usize,
    over_min_expected: usize,
    over_min_count: usize,
    assignment: Vec<Vec<usize>>,
    assigned: Vec<bool>,
    /// Partitions an owner gave up over its quota (who owned them).
    maybe_revoked: Vec<Option<usize>>,
    under_min: Vec<usize>,
    exactly_min: VecDeque<usize>,
}

/// `ConstrainedAssignmentBuilder`: all members subscribe to the same topics.
fn constrained(
    layout: &Layout<'_>,
    order: &[usize],
    rank: &[usize],
    claims: &Claims,
) -> Result<(Vec<Vec<usize>>, Transferring), AssignError> {
    let partitions_count = layout.partitions.len();
    let mut fill = keep_owned(layout, order, claims);
    fill.under_min.sort_by_key(|&m| rank[m]);
    fill.exactly_min.make_contiguous().sort_by_key(|&m| rank[m]);
    let transferring = fill_round_robin(&mut fill, claims)?;
    fill.check_filled()?;
    debug_assert_eq!(fill.assignment.iter().map(Vec::len).sum::<usize>(), partitions_count);
    Ok((fill.assignment, transferring))
}

/// Each member keeps the partitions it owns, up to its quota (the lowest partition numbers first).
fn keep_owned(layout: &Layout<'_>, order: &[usize], claims: &Claims) -> Fill {
    let members_count = claims.owned.len();
    let partitions_count = layout.partitions.len();
    let mut fill = Fill {
        quota_min: partitions_count / members_count,
        quota_max: partitions_count.div_ceil(members_count),
        over_min_expected: partitions_count % members_count,
        over_min_count: 0,
        assignment: vec![Vec::new(); members_count],
        assigned: vec![false; partitions_count],
        maybe_revoked: vec![None; partitions_count],
        under_min: Vec::new(),
        exactly_min: VecDeque::new(),
    };
    for &m in order {
        let mut owned: Vec<usize> =
            claims.owned[m].iter().copied().filter(|&pid| !claims.multiple_owners[pid]).collect();
        // Kafka keeps the lowest partition numbers first, across topics: by partition, then topic.
        owned.sort_by_key(|&pid| (layout.partitions[pid].1, layout.partitions[pid].0));
        let keep = if owned.len() < fill.quota_min {
            fill.under_min.push(m);
            owned.len()
        } else if owned.len() >= fill.quota_max && fill.over_min_count < fill.over_min_expected {
            fill.over_min_count += 1;
            if fill.over_min_count == fill.over_min_expected {
                fill.exactly_min.clear();
            }
            fill.quota_max
        } else {
            if fill.over_min_count < fill.over_min_expected {
                fill.exactly_min.push_back(m);
            }
            fill.quota_min
        };
        for &pid in &owned[..keep] {
            fill.assignment[m].push(pid);
            fill.assigned[pid] = true;
        }
        for &pid in &owned[keep..] {
            fill.maybe_revoked[pid] = Some(m);
        }
    }
    fill
}

/// Round-robin over the members under the minimum quota, then one more each to members at it.
fn fill_round_robin(fill: &mut Fill, claims: &Claims) -> Result<Transferring, AssignError> {
    let mut transferring = Transferring::new();
    let mut cursor = 0usize;
    for pid in (0..fill.assigned.len()).filter(|&pid| !fill.assigned[pid]) {
        let (m, from_under_min) = if cursor < fill.under_min.len() {
            cursor += 1;
            (fill.under_min[cursor - 1], true)
        } else if fill.under_min.is_empty() {
            let Some(m) = fill.exactly_min.pop_front() else {
                return Err(AssignError::AssignorFailed("No more unfilled consumers to be assigned."));
            };
            (m, false)
        } else {
            cursor = 1;
            (fill.under_min[0], true)
        };
        fill.assignment[m].push(pid);
        if fill.maybe_revoked[pid].is_some_and(|previous| previous != m) || claims.multiple_owners[pid] {
            transferring.insert(pid, m);
        }
        let count = fill.assignment[m].len();
        if count == fill.quota_min {
            if !from_under_min {
                // Kafka calls remove() on a spent iterator here and throws.
                return Err(AssignError::AssignorFailed("IllegalStateException in assignRoundRobin"));
            }
            cursor -= 1;
            fill.under_min.remove(cursor);
            fill.exactly_min.push_back(m);
        } else if count == fill.quota_max {
            fill.over_min_count += 1;
        }
    }
    Ok(transferring)
}

impl Fill {
    /// The builder's closing checks: every member reached its minimum quota.
    fn check_filled(&self) -> Result<(), AssignError> {
        if self.under_min.is_empty() {
            return Ok(());
        }
        if self.over_min_count != self.over_min_expected {
            return Err(AssignError::AssignorFailed(
                "We haven't reached the expected number of members with more than the minQuota partitions, but no more partitions to be assigned",
            ));
        }
        if self.under_min.iter().any(|&m| self.assignment[m].len() != self.quota_min) {
            return Err(AssignError::AssignorFailed("Consumer doesn't reach minQuota partitions, and no more partitions to be assigned"));
        }
        Ok(())
    }
}

/// `computePartitionsTransferringOwnership`: partitions that some member gains and some member
/// (per its raw `ownedPartitions`) loses.
fn compute_transferring(input: &Input<'_>, layout: &Layout<'_>, assignment: &[Vec<usize>]) -> Transferring {
    let mut added = Transferring::new();
    let mut revoked = BTreeSet::new();
    for (m, member) in input.members.iter().enumerate() {
        let owned: BTreeSet<usize> = member.subscription.owned_partitions.iter().filter_map(|tp| layout.pid(tp)).collect();
        let now: BTreeSet<usize> = assignment[m].iter().copied().collect();
        for &pid in &assignment[m] {
            if !owned.contains(&pid) {
                added.insert(pid, m);
            }
        }
        revoked.extend(owned.difference(&now).copied());
    }
    added.retain(|pid, _| revoked.contains(pid));
    added
}

/// Partition moves made during one general assignment, so that a move can be undone instead of
/// creating a swap between two members (`PartitionMovements`).
struct Movements {
    /// pid -> (original owner, current owner).
    by_partition: Vec<Option<(usize, usize)>>,
    /// Per topic: (source, destination) -> partitions so moved, as a Java hash set because which
    /// one gets moved back is the set's first element.
    by_topic: Vec<BTreeMap<(usize, usize), JavaBucketSet<usize>>>,
}

impl Movements {
    fn new(layout: &Layout<'_>) -> Self {
        Movements {
            by_partition: vec![None; layout.partitions.len()],
            by_topic: vec![BTreeMap::new(); layout.topics.len()],
        }
    }

    fn remove_record(&mut self, layout: &Layout<'_>, pid: usize) -> Option<(usize, usize)> {
        let pair = self.by_partition[pid].take()?;
        let topic = &mut self.by_topic[layout.partitions[pid].0];
        if let Some(set) = topic.get_mut(&pair) {
            set.remove(&pid);
            if set.is_empty() {
                topic.remove(&pair);
            }
        }
        Some(pair)
    }

    fn add_record(&mut self, layout: &Layout<'_>, pid: usize, pair: (usize, usize)) {
        self.by_partition[pid] = Some(pair);
        self.by_topic[layout.partitions[pid].0].entry(pair).or_default().insert(pid, layout.hash(pid));
    }

    fn record_move(&mut self, layout: &Layout<'_>, pid: usize, old: usize, new: usize) {
        match self.remove_record(layout, pid) {
            Some(existing) => {
                debug_assert_eq!(existing.1, old, "a moved partition sits with its last destination");
                if existing.0 != new {
                    self.add_record(layout, pid, (existing.0, new));
                }
            }
            None => self.add_record(layout, pid, (old, new)),
        }
    }

    /// Moving `pid` from `old` to `new`: if some partition of the same topic already moved the other
    /// way, move that one back instead.
    fn partition_to_move(&self, layout: &Layout<'_>, pid: usize, old: usize, new: usize) -> usize {
        let topic = &self.by_topic[layout.partitions[pid].0];
        if topic.is_empty() {
            return pid;
        }
        let old = self.by_partition[pid].map_or(old, |(source, _)| source);
        topic.get(&(new, old)).and_then(|set| set.first().copied()).unwrap_or(pid)
    }
}

/// `GeneralAssignmentBuilder`: members subscribe to different topics.
struct General<'a> {
    input: &'a Input<'a>,
    layout: &'a Layout<'a>,
    order: &'a [usize],
    by_rank: &'a [usize],
    rank: &'a [usize],
    generation_max: i32,
    /// Topic -> members subscribed to it, in hash map order.
    potential_consumers: Vec<Vec<usize>>,
    /// Member -> topics it subscribes to that exist.
    potential_topics: Vec<Vec<usize>>,
    /// Member -> its partitions; `None` while the member is set aside as fixed.
    current: Vec<Option<Vec<usize>>>,
    owner: Vec<Option<usize>>,
    sorted_all_partitions: Vec<usize>,
    /// Members ordered by (partition count, member id): Kafka's `TreeSet` with `SubscriptionComparator`.
    by_load: BTreeSet<(usize, usize)>,
    revocation_required: bool,
    movements: Movements,
}

impl<'a> General<'a> {
    fn new(
        input: &'a Input<'a>,
        layout: &'a Layout<'a>,
        order: &'a [usize],
        by_rank: &'a [usize],
        rank: &'a [usize],
        claims: &Claims,
    ) -> Self {
        let members = input.members;
        let mut potential_consumers = vec![Vec::new(); layout.topics.len()];
        let mut potential_topics = vec![Vec::new(); members.len()];
        for &m in order {
            for topic in &members[m].subscription.topics {
                if let Some(t) = layout.topic_index(topic) {
                    potential_topics[m].push(t);
                    potential_consumers[t].push(m);
                }
            }
        }
        let current: Vec<Option<Vec<usize>>> = claims.owned.iter().cloned().map(Some).collect();
        let mut owner = vec![None; layout.partitions.len()];
        for (m, pids) in claims.owned.iter().enumerate() {
            for &pid in pids {
                owner[pid] = Some(m);
            }
        }
        // Topics with fewer potential consumers first, then by name.
        let mut sorted_topics: Vec<usize> = (0..layout.topics.len()).collect();
        sorted_topics.sort_by_key(|&t| (potential_consumers[t].len(), t));
        let sorted_all_partitions = sorted_topics
            .iter()
            .flat_map(|&t| layout.topic_offset[t]..layout.topic_offset[t] + layout.topics[t].1 as usize)
            .collect();
        General {
            input,
            layout,
            order,
            by_rank,
            rank,
            generation_max: claims.generation_max,
            potential_consumers,
            potential_topics,
            current,
            owner,
            sorted_all_partitions,
            by_load: BTreeSet::new(),
            revocation_required: false,
            movements: Movements::new(layout),
        }
    }

    fn size(&self, m: usize) -> Result<usize, AssignError> {
        self.current[m]
            .as_ref()
            .map(Vec::len)
            .ok_or(AssignError::AssignorFailed("NullPointerException: member set aside as fixed"))
    }

    fn load_key(&self, m: usize) -> (usize, usize) {
        (self.current[m].as_ref().map_or(0, Vec::len), self.rank[m])
    }

    fn build(mut self) -> Result<Vec<Vec<usize>>, AssignError> {
        let previous = self.previous_assignment();

        // Keep every owned partition the member still subscribes to.
        let members_count = self.input.members.len();
        let mut assigned = vec![false; self.layout.partitions.len()];
        for m in 0..members_count {
            let subscribed = &self.potential_topics[m];
            let list = self.current[m].as_mut().expect("all members are present before balancing");
            let before = list.len();
            list.retain(|&pid| subscribed.contains(&self.layout.partitions[pid].0));
            if list.len() != before {
                self.revocation_required = true;
            }
            for &pid in list.iter() {
                assigned[pid] = true;
            }
        }
        let unassigned: Vec<usize> = self.sorted_all_partitions.iter().copied().filter(|&pid| !assigned[pid]).collect();

        for m in 0..members_count {
            self.by_load.insert(self.load_key(m));
        }
        self.balance(&previous, unassigned)?;
        Ok(self.current.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// `prepopulateCurrentAssignments`: for each partition, the member that owned it in the most
    /// recent generation older than the newest one (members of the newest generation are already
    /// the current owners).
    fn previous_assignment(&self) -> Vec<Option<(usize, i32)>> {
        let mut previous: Vec<Option<(usize, i32)>> = vec![None; self.layout.partitions.len()];
        for &m in self.order {
            let subscription = &self.input.members[m].subscription;
            let generation = match subscription.generation {
                Some(g) if g < self.generation_max => g,
                None if self.generation_max > DEFAULT_GENERATION => DEFAULT_GENERATION,
                _ => continue,
            };
            for tp in &subscription.owned_partitions {
                let Some(pid) = self.layout.pid(tp) else { continue };
                if previous[pid].is_none_or(|(_, g)| generation > g) {
                    previous[pid] = Some((m, generation));
                }
            }
        }
        previous
    }

    fn max_assignment_size(&self, m: usize) -> usize {
        let topics = &self.potential_topics[m];
        if topics.len() == self.layout.topics.len() {
            self.layout.partitions.len()
        } else {
            topics.iter().map(|&t| self.layout.topics[t].1 as usize).sum()
        }
    }

    fn can_participate(&self, m: usize) -> bool {
        let Some(list) = self.current[m].as_ref() else { return false };
        list.len() < self.max_assignment_size(m)
            || list.iter().any(|&pid| self.potential_consumers[self.layout.partitions[pid].0].len() >= 2)
    }

    fn balance(&mut self, previous: &[Option<(usize, i32)>], mut unassigned: Vec<usize>) -> Result<(), AssignError> {
        let last = self.by_load.last().map(|&(_, r)| self.by_rank[r]).ok_or(AssignError::NoMembers)?;
        let initializing = self.size(last)? == 0;

        for &pid in &unassigned {
            let t = self.layout.partitions[pid].0;
            if self.potential_consumers[t].is_empty() {
                continue;
            }
            let chosen = self.by_load.iter().map(|&(_, r)| self.by_rank[r]).find(|&m| self.potential_topics[m].contains(&t));
            if let Some(m) = chosen {
                self.by_load.remove(&self.load_key(m));
                self.current[m].as_mut().expect("members in by_load are present").push(pid);
                self.owner[pid] = Some(m);
                self.by_load.insert(self.load_key(m));
            }
        }

        // Only partitions of topics with 2+ potential consumers, and members that can change, take part.
        let reassignable_topic: Vec<bool> = self.potential_consumers.iter().map(|c| c.len() >= 2).collect();
        let layout = self.layout;
        self.sorted_all_partitions.retain(|&pid| reassignable_topic[layout.partitions[pid].0]);
        unassigned.retain(|&pid| reassignable_topic[layout.partitions[pid].0]);

        let mut fixed: Vec<(usize, Vec<usize>)> = Vec::new();
        for m in 0..self.input.members.len() {
            if !self.can_participate(m) {
                self.by_load.remove(&self.load_key(m));
                let list = self.current[m].take().unwrap_or_default();
                fixed.push((m, list));
            }
        }

        let pre_balance = self.current.clone();
        let pre_balance_owner = self.owner.clone();

        if !self.revocation_required {
            self.perform_reassignments(&unassigned, previous)?;
        }
        let all = std::mem::take(&mut self.sorted_all_partitions);
        let performed = self.perform_reassignments(&all, previous)?;
        self.sorted_all_partitions = all;

        if !initializing && performed && balance_score(&self.current) >= balance_score(&pre_balance) {
            self.current = pre_balance;
            self.owner = pre_balance_owner;
        }

        for (m, list) in fixed {
            self.current[m] = Some(list);
        }
        Ok(())
    }

    fn perform_reassignments(&mut self, partitions: &[usize], previous: &[Option<(usize, i32)>]) -> Result<bool, AssignError> {
        let mut performed = false;
        loop {
            let mut modified = false;
            for &pid in partitions {
                if self.is_balanced()? {
                    break;
                }
                let t = self.layout.partitions[pid].0;
                let consumer = self.owner[pid].ok_or(AssignError::AssignorFailed("partition without a consumer"))?;
                if let Some((previous_owner, _)) = previous[pid] {
                    if self.size(consumer)? > self.size(previous_owner)? + 1 {
                        self.reassign_to(pid, previous_owner);
                        performed = true;
                        modified = true;
                        continue;
                    }
                }
                let size = self.size(consumer)?;
                let mut better_exists = false;
                for &other in &self.potential_consumers[t] {
                    if size > self.size(other)? + 1 {
                        better_exists = true;
                        break;
                    }
                }
                if better_exists {
                    let new = self
                        .by_load
                        .iter()
                        .map(|&(_, r)| self.by_rank[r])
                        .find(|&m| self.potential_topics[m].contains(&t))
                        .ok_or(AssignError::AssignorFailed("no consumer for a reassignable partition"))?;
                    self.reassign_to(pid, new);
                    performed = true;
                    modified = true;
                }
            }
            if !modified {
                return Ok(performed);
            }
        }
    }

    fn reassign_to(&mut self, pid: usize, new: usize) {
        let Some(consumer) = self.owner[pid] else { return };
        let to_move = self.movements.partition_to_move(self.layout, pid, consumer, new);
        let Some(old) = self.owner[to_move] else { return };
        self.by_load.remove(&self.load_key(old));
        self.by_load.remove(&self.load_key(new));
        self.movements.record_move(self.layout, to_move, old, new);
        if let Some(list) = self.current[old].as_mut() {
            remove_first(list, to_move);
        }
        if let Some(list) = self.current[new].as_mut() {
            list.push(to_move);
        }
        self.owner[to_move] = Some(new);
        self.by_load.insert(self.load_key(new));
        self.by_load.insert(self.load_key(old));
    }

    /// Balanced when loads differ by at most one, or when no member could take a partition from a
    /// member with at least two more without breaking that.
    fn is_balanced(&self) -> Result<bool, AssignError> {
        let (Some(&(min, _)), Some(&(max, _))) = (self.by_load.first(), self.by_load.last()) else {
            return Ok(true);
        };
        if min + 1 >= max {
            return Ok(true);
        }
        for &(count, r) in &self.by_load {
            let m = self.by_rank[r];
            if count == self.max_assignment_size(m) {
                continue;
            }
            for &t in &self.potential_topics[m] {
                let first = self.layout.topic_offset[t];
                for pid in first..first + self.layout.topics[t].1 as usize {
                    let Some(other) = self.owner[pid] else {
                        return Err(AssignError::AssignorFailed("NullPointerException in isBalanced"));
                    };
                    if other != m && count + 1 < self.size(other)? {
                        return Ok(false);
                    }
                }
            }
        }
        Ok(true)
    }
}

/// Sum over member pairs of the difference in partition counts (lower is more balanced).
fn balance_score(assignment: &[Option<Vec<usize>>]) -> u64 {
    let mut sizes: Vec<u64> = assignment.iter().flatten().map(|l| l.len() as u64).collect();
    sizes.sort();
    // With sorted sizes, sum_{i<j} (s_j - s_i) = sum_j s_j * (2j - n + 1).
    let n = sizes.len() as i64;
    let mut score: i64 = 0;
    for (j, &s) in sizes.iter().enumerate() {
        score += s as i64 * (2 * j as i64 - n + 1);
    }
    score.max(0) as u64
}
