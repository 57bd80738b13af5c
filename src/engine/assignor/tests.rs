//! Expected results ported from Kafka 3.9's assignor tests (RangeAssignorTest,
//! RoundRobinAssignorTest, AbstractStickyAssignorTest, StickyAssignorTest,
//! CooperativeStickyAssignorTest; rack-free cases), property tests over seeded random groups, and
//! the tutorial's cases. Members are listed in the order the Kafka test inserts them in its
//! hash map, which is our "JoinGroup order".

use super::*;
#[cfg(target_arch = "wasm32")]
use crate::browser_test as test;

fn tp(topic: &str, partition: i32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

fn sorted(mut v: Vec<TopicPartition>) -> Vec<TopicPartition> {
    v.sort();
    v
}

fn tps(list: &[(&str, i32)]) -> Vec<TopicPartition> {
    sorted(list.iter().map(|(t, p)| tp(t, *p)).collect())
}

fn topics(list: &[(&str, i32)]) -> BTreeMap<String, i32> {
    list.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

fn run(strategy: Strategy, members: &[Member], partitions: &[(&str, i32)]) -> Assignment {
    assign(strategy, members, &topics(partitions)).expect("assignment succeeds")
}

/// A member that owns `owned` at `generation` (`buildSubscriptionV2Above`).
fn owning(id: &str, subscribed: &[&str], owned: &[(&str, i32)], generation: i32) -> Member {
    Member::new(id, subscribed).owning(owned, generation)
}

/// `subscription(topics, i)` of AbstractStickyAssignorTest: no owned partitions, generation -1.
fn fresh(id: &str, subscribed: &[&str]) -> Member {
    let mut m = Member::new(id, subscribed);
    m.subscription.generation = Some(-1);
    m
}

/// The members with their current assignment as owned partitions at `generation`.
fn rejoin(members: &[Member], result: &Assignment, generation: i32) -> Vec<Member> {
    members
        .iter()
        .map(|m| {
            let owned: Vec<(String, i32)> = result[&m.member_id].iter().map(|t| (t.topic.clone(), t.partition)).collect();
            let mut next = m.clone();
            next.subscription.owned_partitions = owned.iter().map(|(t, p)| tp(t, *p)).collect();
            next.subscription.generation = Some(generation);
            next
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Hashing and strategy selection

#[test]
fn coordinator_partition_matches_reference_examples() {
    assert_eq!(coordinator_partition("my-group", 50), 12);
    assert_eq!(coordinator_partition("test-group", 50), 12);
    assert_eq!(coordinator_partition("group1", 50), 40);
}

#[test]
fn java_string_hash_code_matches_java() {
    assert_eq!(java_string_hash_code(""), 0);
    assert_eq!(java_string_hash_code("a"), 97);
    assert_eq!(java_string_hash_code("hello"), 99_162_322);
    // Overflow wraps as in Java.
    assert_eq!(java_string_hash_code("polygenelubricants"), i32::MIN);
    // Surrogate pairs hash as two UTF-16 units: U+1F600 = D83D DE00.
    assert_eq!(java_string_hash_code("\u{1F600}"), 0xD83D * 31 + 0xDE00);
}

#[test]
fn coordinator_partition_of_min_value_hash_is_zero() {
    // "polygenelubricants".hashCode() == Integer.MIN_VALUE; Utils.abs maps it to 0.
    assert_eq!(coordinator_partition("polygenelubricants", 50), 0);
    assert_eq!(coordinator_partition("anything", 0), 0);
}

#[test]
fn java_string_order_is_utf16_order() {
    use std::cmp::Ordering;
    assert_eq!(java_string_cmp("a", "b"), Ordering::Less);
    assert_eq!(java_string_cmp("consumer-10", "consumer-2"), Ordering::Less);
    // U+FF61 (one unit FF61) sorts after U+1F600 (units D83D DE00) in Java, before it in Rust.
    assert_eq!(java_string_cmp("\u{FF61}", "\u{1F600}"), Ordering::Greater);
    assert_eq!("\u{FF61}".cmp("\u{1F600}"), Ordering::Less);
}

#[test]
fn strategy_from_name_accepts_short_and_class_names() {
    for s in Strategy::ALL {
        assert_eq!(Strategy::from_name(s.name()), Ok(s));
        assert_eq!(Strategy::from_name(s.class_name()), Ok(s));
    }
    assert_eq!(Strategy::from_name("org.apache.kafka.clients.consumer.RangeAssignor"), Ok(Strategy::Range));
    assert_eq!(Strategy::from_name("cooperative-sticky"), Ok(Strategy::CooperativeSticky));
    assert_eq!(Strategy::from_name("uniform"), Err(AssignError::UnknownStrategy("uniform".into())));
    assert_eq!(DEFAULT_STRATEGIES, [Strategy::Range, Strategy::CooperativeSticky]);
}

#[test]
fn strategy_vote_tie_order_follows_java_hash_buckets() {
    let bucket = |s: Strategy| java::spread(java_string_hash_code(s.name())) & 15;
    assert_eq!(bucket(Strategy::Sticky), 8);
    assert_eq!(bucket(Strategy::Range), 9);
    assert_eq!(bucket(Strategy::RoundRobin), 10);
    assert_eq!(bucket(Strategy::CooperativeSticky), 15);
}

#[test]
fn default_members_select_range() {
    let all = vec![DEFAULT_STRATEGIES.to_vec(); 3];
    assert_eq!(select_strategy(&all), Ok(Strategy::Range));
}

#[test]
fn select_strategy_counts_votes_and_breaks_ties_by_hash_order() {
    use Strategy::*;
    // Rolling upgrade: two members put cooperative-sticky first, one still range first.
    let votes = vec![vec![CooperativeSticky, Range], vec![CooperativeSticky, Range], vec![Range, CooperativeSticky]];
    assert_eq!(select_strategy(&votes), Ok(CooperativeSticky));
    // One vote each: range iterates before cooperative-sticky.
    let tie = vec![vec![CooperativeSticky, Range], vec![Range, CooperativeSticky]];
    assert_eq!(select_strategy(&tie), Ok(Range));
    // Only what everyone supports is a candidate.
    let narrowed = vec![vec![RoundRobin, Range], vec![Range]];
    assert_eq!(select_strategy(&narrowed), Ok(Range));
    assert_eq!(select_strategy(&[vec![RoundRobin], vec![Range]]), Err(AssignError::InconsistentGroupProtocol));
    assert_eq!(select_strategy(&[]), Err(AssignError::NoMembers));
}

// ---------------------------------------------------------------------------------------------
// RangeAssignorTest

#[test]
fn range_one_consumer_no_topic_or_nonexistent_topic_gets_nothing() {
    let r = run(Strategy::Range, &[Member::new("consumer1", &[])], &[]);
    assert_eq!(r["consumer1"], vec![]);
    let r = run(Strategy::Range, &[Member::new("consumer1", &["topic1"])], &[]);
    assert_eq!(r["consumer1"], vec![]);
}

#[test]
fn range_only_assigns_subscribed_topics() {
    let r = run(Strategy::Range, &[Member::new("consumer1", &["topic1"])], &[("topic1", 3), ("other", 3)]);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0), ("topic1", 1), ("topic1", 2)]));
}

#[test]
fn range_one_consumer_multiple_topics() {
    let r = run(Strategy::Range, &[Member::new("consumer1", &["topic1", "topic2"])], &[("topic1", 1), ("topic2", 2)]);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0), ("topic2", 0), ("topic2", 1)]));
}

#[test]
fn range_two_consumers_one_partition() {
    let m = [Member::new("consumer1", &["topic1"]), Member::new("consumer2", &["topic1"])];
    let r = run(Strategy::Range, &m, &[("topic1", 1)]);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0)]));
    assert_eq!(r["consumer2"], vec![]);
    let r = run(Strategy::Range, &m, &[("topic1", 2)]);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0)]));
    assert_eq!(r["consumer2"], tps(&[("topic1", 1)]));
}

#[test]
fn range_multiple_consumers_mixed_topics() {
    let m = [
        Member::new("consumer1", &["topic1"]),
        Member::new("consumer2", &["topic1", "topic2"]),
        Member::new("consumer3", &["topic1"]),
    ];
    let r = run(Strategy::Range, &m, &[("topic1", 3), ("topic2", 2)]);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0)]));
    assert_eq!(r["consumer2"], tps(&[("topic1", 1), ("topic2", 0), ("topic2", 1)]));
    assert_eq!(r["consumer3"], tps(&[("topic1", 2)]));
}

#[test]
fn range_two_consumers_two_topics_six_partitions_co_partitions() {
    let m = [Member::new("consumer1", &["topic1", "topic2"]), Member::new("consumer2", &["topic1", "topic2"])];
    let r = run(Strategy::Range, &m, &[("topic1", 3), ("topic2", 3)]);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)]));
    assert_eq!(r["consumer2"], tps(&[("topic1", 2), ("topic2", 2)]));
}

#[test]
fn range_orders_static_members_by_instance_id_before_member_id() {
    let t = &["topic1", "topic2"];
    // Both static: instance1 < instance2 although consumer-a < consumer-b.
    let m = [Member::new("consumer-b", t).static_id("instance1"), Member::new("consumer-a", t).static_id("instance2")];
    let r = run(Strategy::Range, &m, &[("topic1", 3), ("topic2", 3)]);
    assert_eq!(r["consumer-b"], tps(&[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)]));
    assert_eq!(r["consumer-a"], tps(&[("topic1", 2), ("topic2", 2)]));
    // Static before dynamic.
    let m = [Member::new("consumer-b", t).static_id("instance1"), Member::new("consumer-a", t)];
    let r = run(Strategy::Range, &m, &[("topic1", 3), ("topic2", 3)]);
    assert_eq!(r["consumer-b"], tps(&[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)]));
    assert_eq!(r["consumer-a"], tps(&[("topic1", 2), ("topic2", 2)]));
}

#[test]
fn range_static_member_assignment_persists() {
    let t = &["topic1", "topic2"];
    let mut m = vec![
        Member::new("consumer1", t).static_id("instance1"),
        Member::new("consumer2", t).static_id("instance2"),
        Member::new("consumer3", t).static_id("instance3"),
        Member::new("consumer4", t),
    ];
    let r = run(Strategy::Range, &m, &[("topic1", 5), ("topic2", 4)]);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0), ("topic1", 1), ("topic2", 0)]));
    assert_eq!(r["consumer2"], tps(&[("topic1", 2), ("topic2", 1)]));
    assert_eq!(r["consumer3"], tps(&[("topic1", 3), ("topic2", 2)]));
    assert_eq!(r["consumer4"], tps(&[("topic1", 4), ("topic2", 3)]));
    m[3] = Member::new("consumer5", t);
    let r = run(Strategy::Range, &m, &[("topic1", 5), ("topic2", 4)]);
    assert_eq!(r["consumer5"], tps(&[("topic1", 4), ("topic2", 3)]));
    assert_eq!(r["consumer1"], tps(&[("topic1", 0), ("topic1", 1), ("topic2", 0)]));
}

#[test]
fn range_tutorial_two_members_hundred_partitions_first_id_gets_0_to_49() {
    let m = [Member::new("consumer-2-b", &["t"]), Member::new("consumer-1-a", &["t"])];
    let r = run(Strategy::Range, &m, &[("t", 100)]);
    assert_eq!(r["consumer-1-a"], (0..50).map(|p| tp("t", p)).collect::<Vec<_>>());
    assert_eq!(r["consumer-2-b"], (50..100).map(|p| tp("t", p)).collect::<Vec<_>>());
}

#[test]
fn every_strategy_leaves_the_second_of_two_members_idle_on_one_partition() {
    for s in Strategy::ALL {
        let m = [fresh("consumer-a", &["t"]), fresh("consumer-b", &["t"])];
        let r = run(s, &m, &[("t", 1)]);
        assert_eq!(r.len(), 2, "{s:?}");
        assert_eq!(r.values().map(Vec::len).sum::<usize>(), 1, "{s:?}");
        assert_eq!(r["consumer-a"], tps(&[("t", 0)]), "{s:?}");
        assert_eq!(r["consumer-b"], vec![], "{s:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// RoundRobinAssignorTest

#[test]
fn roundrobin_two_consumers_two_topics_six_partitions() {
    let m = [Member::new("consumer1", &["topic1", "topic2"]), Member::new("consumer2", &["topic1", "topic2"])];
    let r = run(Strategy::RoundRobin, &m, &[("topic1", 3), ("topic2", 3)]);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0), ("topic1", 2), ("topic2", 1)]));
    assert_eq!(r["consumer2"], tps(&[("topic1", 1), ("topic2", 0), ("topic2", 2)]));
}

#[test]
fn roundrobin_multiple_consumers_mixed_topics() {
    let m = [
        Member::new("consumer1", &["topic1"]),
        Member::new("consumer2", &["topic1", "topic2"]),
        Member::new("consumer3", &["topic1"]),
    ];
    let r = run(Strategy::RoundRobin, &m, &[("topic1", 3), ("topic2", 2)]);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0)]));
    assert_eq!(r["consumer2"], tps(&[("topic1", 1), ("topic2", 0), ("topic2", 1)]));
    assert_eq!(r["consumer3"], tps(&[("topic1", 2)]));
}

#[test]
fn roundrobin_static_members_sorted_by_instance_id() {
    // testTwoStaticConsumersTwoTopicsSixPartitions: consumer-b (instance1) comes first.
    let t = &["topic1", "topic2"];
    let m = [Member::new("consumer-b", t).static_id("instance1"), Member::new("consumer-a", t).static_id("instance2")];
    let r = run(Strategy::RoundRobin, &m, &[("topic1", 3), ("topic2", 3)]);
    assert_eq!(r["consumer-b"], tps(&[("topic1", 0), ("topic1", 2), ("topic2", 1)]));
    assert_eq!(r["consumer-a"], tps(&[("topic1", 1), ("topic2", 0), ("topic2", 2)]));
}

#[test]
fn roundrobin_javadoc_example() {
    let m = [Member::new("C0", &["t0", "t1"]), Member::new("C1", &["t0", "t1"])];
    let r = run(Strategy::RoundRobin, &m, &[("t0", 3), ("t1", 3)]);
    assert_eq!(r["C0"], tps(&[("t0", 0), ("t0", 2), ("t1", 1)]));
    assert_eq!(r["C1"], tps(&[("t0", 1), ("t1", 0), ("t1", 2)]));
}

#[test]
fn roundrobin_skips_unsubscribed_members_and_keeps_cycling() {
    // C0: t0, t1, t2; C1: t1, t2; C2: t2 (javadoc of RoundRobinAssignor, unequal subscriptions).
    let m = [Member::new("C0", &["t0"]), Member::new("C1", &["t0", "t1"]), Member::new("C2", &["t0", "t1", "t2"])];
    let r = run(Strategy::RoundRobin, &m, &[("t0", 1), ("t1", 2), ("t2", 3)]);
    assert_eq!(r["C0"], tps(&[("t0", 0)]));
    assert_eq!(r["C1"], tps(&[("t1", 0)]));
    assert_eq!(r["C2"], tps(&[("t1", 1), ("t2", 0), ("t2", 1), ("t2", 2)]));
}

// ---------------------------------------------------------------------------------------------
// AbstractStickyAssignorTest (both sticky strategies unless noted)

const STICKY: [Strategy; 2] = [Strategy::Sticky, Strategy::CooperativeSticky];

#[test]
fn sticky_mixed_topic_subscriptions_use_general_builder() {
    for s in STICKY {
        let m = [fresh("consumer1", &["topic1"]), fresh("consumer2", &["topic1", "topic2"]), fresh("consumer3", &["topic1"])];
        let r = run(s, &m, &[("topic1", 3), ("topic2", 2)]);
        assert_eq!(r["consumer1"], tps(&[("topic1", 0), ("topic1", 2)]));
        assert_eq!(r["consumer2"], tps(&[("topic2", 0), ("topic2", 1)]));
        assert_eq!(r["consumer3"], tps(&[("topic1", 1)]));
    }
}

#[test]
fn sticky_two_consumers_two_topics_six_partitions() {
    for s in STICKY {
        let m = [fresh("consumer1", &["topic1", "topic2"]), fresh("consumer2", &["topic1", "topic2"])];
        let r = run(s, &m, &[("topic1", 3), ("topic2", 3)]);
        assert_eq!(r["consumer1"], tps(&[("topic1", 0), ("topic1", 2), ("topic2", 1)]));
        assert_eq!(r["consumer2"], tps(&[("topic1", 1), ("topic2", 0), ("topic2", 2)]));
    }
}

#[test]
fn sticky_consumer_owning_min_quota_expected_max_quota() {
    for s in STICKY {
        let t = &["topic1", "topic2"];
        let m = [
            owning("consumer1", t, &[("topic1", 0), ("topic2", 1)], 1),
            owning("consumer2", t, &[("topic1", 1), ("topic2", 2)], 1),
        ];
        let r = run(s, &m, &[("topic1", 2), ("topic2", 3)]);
        assert_eq!(r["consumer1"], tps(&[("topic1", 0), ("topic2", 1), ("topic2", 0)]));
        assert_eq!(r["consumer2"], tps(&[("topic1", 1), ("topic2", 2)]));
    }
}

#[test]
fn sticky_max_quota_owners_beyond_expected_count_keep_min_quota() {
    let t = &["topic1", "topic2"];
    let m = [
        owning("consumer1", t, &[("topic1", 0), ("topic2", 0)], 1),
        owning("consumer2", t, &[("topic1", 1), ("topic2", 1)], 1),
        owning("consumer3", t, &[], 1),
    ];
    let parts = [("topic1", 2), ("topic2", 2)];
    let r = run(Strategy::Sticky, &m, &parts);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0)]));
    assert_eq!(r["consumer2"], tps(&[("topic1", 1), ("topic2", 1)]));
    assert_eq!(r["consumer3"], tps(&[("topic2", 0)]));
    // Cooperative: topic2-0 moves from consumer1 to consumer3, so it is only revoked this round.
    let r = run(Strategy::CooperativeSticky, &m, &parts);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0)]));
    assert_eq!(r["consumer3"], vec![]);
    let rounds = assign_cooperative_until_stable(&m, &topics(&parts), 1, 4).unwrap();
    let last = rounds.last().unwrap();
    assert_eq!(last["consumer3"], tps(&[("topic2", 0)]));
    assert_eq!(last["consumer2"], tps(&[("topic1", 1), ("topic2", 1)]));
}

#[test]
fn sticky_all_consumers_under_min_quota() {
    for s in STICKY {
        let t = &["topic1", "topic2"];
        let m = [
            owning("consumer1", t, &[("topic1", 0)], 1),
            owning("consumer2", t, &[("topic1", 1)], 1),
            owning("consumer3", t, &[], 1),
        ];
        let r = run(s, &m, &[("topic1", 2), ("topic2", 3)]);
        assert_eq!(r["consumer1"], tps(&[("topic1", 0), ("topic2", 1)]));
        assert_eq!(r["consumer2"], tps(&[("topic1", 1), ("topic2", 2)]));
        assert_eq!(r["consumer3"], tps(&[("topic2", 0)]));
    }
}

#[test]
fn sticky_add_remove_consumer_one_topic() {
    let parts = [("topic", 3)];
    let r = run(Strategy::Sticky, &[fresh("consumer1", &["topic"])], &parts);
    assert_eq!(r["consumer1"], tps(&[("topic", 0), ("topic", 1), ("topic", 2)]));
    let m = [owning("consumer1", &["topic"], &[("topic", 0), ("topic", 1), ("topic", 2)], 1), owning("consumer2", &["topic"], &[], 1)];
    let r = run(Strategy::Sticky, &m, &parts);
    assert_eq!(r["consumer1"], tps(&[("topic", 0), ("topic", 1)]));
    assert_eq!(r["consumer2"], tps(&[("topic", 2)]));
    let r2 = run(Strategy::Sticky, &[owning("consumer2", &["topic"], &[("topic", 2)], 1)], &parts);
    assert_eq!(r2["consumer2"], tps(&[("topic", 0), ("topic", 1), ("topic", 2)]));
}

#[test]
fn sticky_add_remove_two_consumers_two_topics() {
    let t = &["topic1", "topic2"];
    let parts = [("topic1", 3), ("topic2", 4)];
    let r = run(Strategy::Sticky, &[fresh("consumer1", t), fresh("consumer2", t)], &parts);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0), ("topic1", 2), ("topic2", 1), ("topic2", 3)]));
    assert_eq!(r["consumer2"], tps(&[("topic1", 1), ("topic2", 0), ("topic2", 2)]));

    let m = [
        owning("consumer1", t, &[("topic1", 0), ("topic1", 2), ("topic2", 1), ("topic2", 3)], 1),
        owning("consumer2", t, &[("topic1", 1), ("topic2", 0), ("topic2", 2)], 1),
        owning("consumer3", t, &[], 1),
        owning("consumer4", t, &[], 1),
    ];
    let r = run(Strategy::Sticky, &m, &parts);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0), ("topic2", 1)]));
    assert_eq!(r["consumer2"], tps(&[("topic2", 0), ("topic1", 1)]));
    assert_eq!(r["consumer3"], tps(&[("topic1", 2), ("topic2", 3)]));
    assert_eq!(r["consumer4"], tps(&[("topic2", 2)]));
    // Cooperative: the three moved partitions are withheld in the first round, assigned in the next.
    let c = run(Strategy::CooperativeSticky, &m, &parts);
    assert_eq!(c["consumer3"], vec![]);
    assert_eq!(c["consumer4"], vec![]);
    let rounds = assign_cooperative_until_stable(&m, &topics(&parts), 1, 4).unwrap();
    assert_eq!(rounds.len(), 3, "revoke round, assign round, stable round");
    assert_eq!(rounds[1], r);

    let m = [
        owning("consumer3", t, &[("topic1", 2), ("topic2", 3)], 1),
        owning("consumer4", t, &[("topic2", 2)], 1),
    ];
    for s in STICKY {
        let r = run(s, &m, &parts);
        assert_eq!(r["consumer3"], tps(&[("topic1", 2), ("topic2", 3), ("topic1", 0), ("topic2", 1)]));
        assert_eq!(r["consumer4"], tps(&[("topic2", 2), ("topic1", 1), ("topic2", 0)]));
    }
}

#[test]
fn sticky_all_consumers_reach_expected_quota_and_are_considered_filled() {
    for s in STICKY {
        let m = [
            owning("consumer1", &["topic"], &[("topic", 0), ("topic", 1)], 1),
            owning("consumer2", &["topic"], &[("topic", 2)], 1),
            owning("consumer3", &["topic"], &[], 1),
        ];
        let r = run(s, &m, &[("topic", 4)]);
        assert_eq!(r["consumer1"], tps(&[("topic", 0), ("topic", 1)]));
        assert_eq!(r["consumer2"], tps(&[("topic", 2)]));
        assert_eq!(r["consumer3"], tps(&[("topic", 3)]));
    }
}

#[test]
fn sticky_owned_partitions_of_stale_or_missing_generation_are_invalidated() {
    for stale in [9, -1] {
        for s in STICKY {
            let t = &["topic", "topic2"];
            let claim = [("topic", 0), ("topic", 2), ("topic2", 1)];
            let m = [owning("consumer1", t, &claim, 10), owning("consumer2", t, &claim, stale)];
            let r = run(s, &m, &[("topic", 3), ("topic2", 3)]);
            assert_eq!(r["consumer1"], tps(&claim));
            assert_eq!(r["consumer2"], tps(&[("topic", 1), ("topic2", 0), ("topic2", 2)]));
        }
    }
}

#[test]
fn sticky_partition_claimed_twice_in_one_generation_is_transferred() {
    let m = [
        owning("consumer1", &["topic"], &[("topic", 0), ("topic", 1)], 1),
        owning("consumer2", &["topic"], &[("topic", 0), ("topic", 2)], 1),
        owning("consumer3", &["topic"], &[], 1),
    ];
    let r = run(Strategy::Sticky, &m, &[("topic", 3)]);
    assert_eq!(r["consumer1"], tps(&[("topic", 1)]));
    assert_eq!(r["consumer2"], tps(&[("topic", 2)]));
    assert_eq!(r["consumer3"], tps(&[("topic", 0)]));
    // CooperativeStickyAssignorTest: topic-0 is withheld until both claimants revoked it.
    let r = run(Strategy::CooperativeSticky, &m, &[("topic", 3)]);
    assert_eq!(r["consumer1"], tps(&[("topic", 1)]));
    assert_eq!(r["consumer2"], tps(&[("topic", 2)]));
    assert_eq!(r["consumer3"], vec![]);
    let r = run(Strategy::CooperativeSticky, &m, &[("topic", 4)]);
    assert_eq!(r["consumer1"], tps(&[("topic", 1), ("topic", 3)]));
    assert_eq!(r["consumer2"], tps(&[("topic", 2)]));
    assert_eq!(r["consumer3"], vec![]);
}

#[test]
fn sticky_partitions_go_to_the_highest_generation() {
    for s in STICKY {
        let t = &["topic", "topic2", "topic3"];
        let m = [
            owning("consumer1", t, &[("topic", 0), ("topic2", 0), ("topic3", 0)], 10),
            owning("consumer2", t, &[("topic", 1), ("topic2", 1), ("topic3", 1)], 9),
            owning("consumer3", t, &[("topic2", 1), ("topic3", 0), ("topic3", 2)], 8),
        ];
        let r = run(s, &m, &[("topic", 3), ("topic2", 3), ("topic3", 3)]);
        assert_eq!(r["consumer1"], tps(&[("topic", 0), ("topic2", 0), ("topic3", 0)]));
        assert_eq!(r["consumer2"], tps(&[("topic", 1), ("topic2", 1), ("topic3", 1)]));
        assert_eq!(r["consumer3"], tps(&[("topic", 2), ("topic2", 2), ("topic3", 2)]));
    }
}

#[test]
fn sticky_no_reassignment_on_current_members() {
    for s in STICKY {
        let t = &["topic", "topic2", "topic3", "topic1"];
        let m = [
            owning("consumer1", t, &[], -1),
            owning("consumer2", t, &[("topic", 0), ("topic2", 0), ("topic1", 0)], 9),
            owning("consumer3", t, &[("topic3", 2), ("topic2", 2), ("topic1", 1)], 8),
            owning("consumer4", t, &[("topic3", 1), ("topic", 1), ("topic", 2)], 7),
        ];
        let r = run(s, &m, &[("topic", 3), ("topic1", 3), ("topic2", 3), ("topic3", 3)]);
        assert_eq!(r["consumer1"], tps(&[("topic1", 2), ("topic2", 1), ("topic3", 0)]));
        assert_eq!(r["consumer2"], tps(&[("topic", 0), ("topic2", 0), ("topic1", 0)]));
    }
}

#[test]
fn sticky_owned_partitions_invalidated_for_multiple_generations() {
    for s in STICKY {
        let t = &["topic", "topic2"];
        let m = [
            owning("consumer1", t, &[("topic", 0), ("topic2", 1), ("topic", 1)], 10),
            owning("consumer2", t, &[("topic", 0), ("topic2", 1), ("topic2", 2)], 8),
        ];
        let r = run(s, &m, &[("topic", 3), ("topic2", 3)]);
        assert_eq!(r["consumer1"], tps(&[("topic", 0), ("topic2", 1), ("topic", 1)]));
        assert_eq!(r["consumer2"], tps(&[("topic", 2), ("topic2", 2), ("topic2", 0)]));
    }
}

#[test]
fn cooperative_old_version_subscriptions() {
    // V1 subscriptions carry owned partitions but generation -1 in the subscription field.
    let m = [
        owning("consumer1", &["topic1"], &[("topic1", 0)], -1),
        owning("consumer2", &["topic1"], &[("topic1", 1)], -1),
        owning("consumer3", &["topic1"], &[], 1),
    ];
    let r = run(Strategy::CooperativeSticky, &m, &[("topic1", 3)]);
    assert_eq!(r["consumer1"], tps(&[("topic1", 0)]));
    assert_eq!(r["consumer2"], tps(&[("topic1", 1)]));
    assert_eq!(r["consumer3"], tps(&[("topic1", 2)]));
}

#[test]
fn sticky_topic_balance_after_reassignment_keeps_topics_spread() {
    let t = &["topic1", "topic2"];
    let parts = [("topic1", 12), ("topic2", 12)];
    let mut members = vec![fresh("consumer1", t)];
    let mut r = run(Strategy::Sticky, &members, &parts);
    for (count, extra) in [(6usize, vec!["consumer2"]), (3, vec!["consumer3", "consumer4"])] {
        members = rejoin(&members, &r, 1);
        members.extend(extra.iter().map(|id| owning(id, t, &[], 1)));
        r = run(Strategy::Sticky, &members, &parts);
        for list in r.values() {
            assert_eq!(list.iter().filter(|p| p.topic == "topic1").count(), count);
            assert_eq!(list.iter().filter(|p| p.topic == "topic2").count(), count);
        }
    }
}

#[test]
fn sticky_deleted_topic_is_dropped_from_assignment() {
    for s in STICKY {
        let m = [owning("consumer", &["topic", "topic2"], &[("topic", 0), ("topic2", 0)], 1)];
        let r = run(s, &m, &[("topic", 3)]);
        assert_eq!(r["consumer"], tps(&[("topic", 0), ("topic", 1), ("topic", 2)]));
        let r = run(s, &[owning("consumer", &["topic"], &[("topic", 0)], 1)], &[]);
        assert_eq!(r["consumer"], vec![]);
    }
}

#[test]
fn sticky_constrained_tie_follows_java_hash_map_order() {
    // 7 partitions, a new third member: min 2, max 3, only one member may keep 3. Both old members
    // own at least 3; the one the leader's hash map visits first keeps 3. "c1".hashCode() = 3118
    // (bucket 14), "c2" = 3119 (bucket 15), "c3" = 3120 (bucket 0): iteration order c3, c1, c2.
    let hashes: Vec<i32> = ["c1", "c2", "c3"].iter().map(|s| java_string_hash_code(s)).collect();
    assert_eq!(java::hash_map_order(&hashes), vec![2, 0, 1]);
    let m = [
        owning("c1", &["t"], &[("t", 0), ("t", 1), ("t", 2), ("t", 3)], 1),
        owning("c2", &["t"], &[("t", 4), ("t", 5), ("t", 6)], 1),
        owning("c3", &["t"], &[], 1),
    ];
    let r = run(Strategy::Sticky, &m, &[("t", 7)]);
    assert_eq!(r["c1"], tps(&[("t", 0), ("t", 1), ("t", 2)]));
    assert_eq!(r["c2"], tps(&[("t", 4), ("t", 5)]));
    assert_eq!(r["c3"], tps(&[("t", 3), ("t", 6)]));
    // Swap who owns more: c1 is still visited first and keeps 3 of its 3; c2 drops to 2.
    let m = [
        owning("c1", &["t"], &[("t", 4), ("t", 5), ("t", 6)], 1),
        owning("c2", &["t"], &[("t", 0), ("t", 1), ("t", 2), ("t", 3)], 1),
        owning("c3", &["t"], &[], 1),
    ];
    let r = run(Strategy::Sticky, &m, &[("t", 7)]);
    assert_eq!(r["c1"], tps(&[("t", 4), ("t", 5), ("t", 6)]));
    assert_eq!(r["c2"], tps(&[("t", 0), ("t", 1)]));
    assert_eq!(r["c3"], tps(&[("t", 2), ("t", 3)]));
}

#[test]
fn java_hash_map_order_matches_java_for_known_keys() {
    // A default-constructed Java hash map of consumer1..consumer4 iterates in bucket order of their hashes.
    let keys = ["consumer1", "consumer2", "consumer3", "consumer4"];
    let hashes: Vec<i32> = keys.iter().map(|k| java_string_hash_code(k)).collect();
    let order = java::hash_map_order(&hashes);
    let buckets: Vec<u32> = order.iter().map(|&i| java::spread(hashes[i]) & 15).collect();
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(java::default_capacity_for(12), 16);
    assert_eq!(java::default_capacity_for(13), 32);
    assert_eq!(java::default_capacity_for(100), 256);
}

// ---------------------------------------------------------------------------------------------
// Property tests over seeded random groups

use crate::engine::rng::Rng;

fn check_valid(s: Strategy, members: &[Member], parts: &BTreeMap<String, i32>, r: &Assignment, complete: bool) {
    assert_eq!(r.len(), members.len());
    let mut seen = BTreeSet::new();
    for m in members {
        for p in &r[&m.member_id] {
            assert!(m.subscription.topics.contains(&p.topic), "{s:?}: {} got unsubscribed {p:?}", m.member_id);
            assert!(p.partition >= 0 && p.partition < parts[&p.topic]);
            assert!(seen.insert(p.clone()), "{s:?}: {p:?} assigned twice");
        }
    }
    if complete {
        for (t, &n) in parts {
            if members.iter().any(|m| m.subscription.topics.contains(t)) {
                for p in 0..n {
                    assert!(seen.contains(&tp(t, p)), "{s:?}: {t}-{p} unassigned");
                }
            }
        }
    }
}

fn random_group(rng: &mut Rng, equal: bool) -> (Vec<Member>, BTreeMap<String, i32>) {
    let topic_count = 1 + rng.below(4) as usize;
    let parts: BTreeMap<String, i32> = (0..topic_count).map(|t| (format!("t{t}"), 1 + rng.below(12) as i32)).collect();
    let names: Vec<String> = parts.keys().cloned().collect();
    let member_count = 1 + rng.below(9) as usize;
    let members = (0..member_count)
        .map(|i| {
            let id = format!("consumer-{}-{:x}", i, rng.next_u64() & 0xffff);
            let subscribed: Vec<&str> = if equal {
                names.iter().map(String::as_str).collect()
            } else {
                let picked: Vec<&str> = names.iter().filter(|_| rng.below(2) == 0).map(String::as_str).collect();
                if picked.is_empty() { vec![names[0].as_str()] } else { picked }
            };
            fresh(&id, &subscribed)
        })
        .collect();
    (members, parts)
}

#[test]
fn property_every_strategy_assigns_each_partition_once_and_balances_equal_subscriptions() {
    let mut rng = Rng::new(42);
    for round in 0..300 {
        let equal = round % 2 == 0;
        let (members, parts) = random_group(&mut rng, equal);
        for s in Strategy::ALL {
            let r = assign(s, &members, &parts).unwrap();
            check_valid(s, &members, &parts, &r, true);
            if equal && s != Strategy::Range {
                let sizes: Vec<usize> = r.values().map(Vec::len).collect();
                let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                assert!(max - min <= 1, "{s:?} unbalanced: {sizes:?}");
            }
            if equal && s == Strategy::Range {
                // Range balances each topic separately.
                for (t, &n) in &parts {
                    let counts: Vec<usize> = r.values().map(|l| l.iter().filter(|p| &p.topic == t).count()).collect();
                    assert_eq!(counts.iter().sum::<usize>(), n as usize);
                    assert!(counts.iter().max().unwrap() - counts.iter().min().unwrap() <= 1);
                }
            }
        }
    }
}

#[test]
fn property_sticky_members_that_stay_keep_what_they_can() {
    let mut rng = Rng::new(7);
    for _ in 0..300 {
        let (members, parts) = random_group(&mut rng, true);
        let first = assign(Strategy::Sticky, &members, &parts).unwrap();
        // One member leaves and one joins (or just one joins).
        let mut next = rejoin(&members, &first, 1);
        if next.len() > 1 && rng.below(2) == 0 {
            let gone = rng.below(next.len() as u64) as usize;
            next.remove(gone);
        }
        let topic_names: Vec<&str> = parts.keys().map(String::as_str).collect();
        next.push(owning("new-member", &topic_names, &[], 1));
        let total: usize = parts.values().map(|&n| n as usize).sum();
        let quota_min = total / next.len();
        let quota_max = total.div_ceil(next.len());
        for s in STICKY {
            let r = assign(s, &next, &parts).unwrap();
            check_valid(s, &next, &parts, &r, s == Strategy::Sticky);
            for m in &next {
                let owned: BTreeSet<&TopicPartition> = m.subscription.owned_partitions.iter().collect();
                let kept = r[&m.member_id].iter().filter(|p| owned.contains(p)).count();
                // A stayer keeps min(owned, quota_min) at least; it never keeps more than quota_max.
                assert!(kept >= owned.len().min(quota_min), "{s:?} {} kept {kept} of {}", m.member_id, owned.len());
                assert!(r[&m.member_id].len() <= quota_max);
            }
        }
        let rounds = assign_cooperative_until_stable(&next, &parts, 2, 5).unwrap();
        let last = rounds.last().unwrap();
        check_valid(Strategy::CooperativeSticky, &next, &parts, last, true);
        assert!(rounds.len() <= 3, "cooperative settles after one revocation round");
    }
}

#[test]
fn property_unequal_subscriptions_sticky_rebalance_is_valid() {
    let mut rng = Rng::new(99);
    for _ in 0..200 {
        let (members, parts) = random_group(&mut rng, false);
        let first = assign(Strategy::Sticky, &members, &parts).unwrap();
        let mut next = rejoin(&members, &first, 3);
        if next.len() > 1 {
            next.remove(0);
        }
        for s in STICKY {
            let r = assign(s, &next, &parts).unwrap();
            check_valid(s, &next, &parts, &r, s == Strategy::Sticky);
        }
        let rounds = assign_cooperative_until_stable(&next, &parts, 4, 6).unwrap();
        check_valid(Strategy::CooperativeSticky, &next, &parts, rounds.last().unwrap(), true);
    }
}

#[test]
fn assign_rejects_bad_input_without_panicking() {
    let m = [Member::new("a", &["t"]), Member::new("a", &["t"])];
    assert_eq!(assign(Strategy::Range, &m, &topics(&[("t", 1)])), Err(AssignError::DuplicateMember("a".into())));
    let m = [Member::new("a", &["t"])];
    assert!(matches!(
        assign(Strategy::Sticky, &m, &topics(&[("t", -1)])),
        Err(AssignError::InvalidPartitionCount { .. })
    ));
    for s in Strategy::ALL {
        assert_eq!(assign(s, &[], &topics(&[("t", 3)])), Ok(Assignment::new()));
        // Claims on partitions that do not exist are ignored.
        let m = [owning("a", &["t"], &[("t", 7), ("x", 0), ("t", -3)], 1)];
        assert_eq!(assign(s, &m, &topics(&[("t", 2)])).unwrap()["a"], tps(&[("t", 0), ("t", 1)]));
    }
}

/// RangeAssignor and RoundRobinAssignor written out plainly from Kafka 3.9's descriptions
/// (members in member-id order; range: per topic, `n / m` each and the first `n % m` members one
/// more; roundrobin: every partition in topic then partition order, dealt round the members,
/// skipping those not subscribed), compared with `assign` over 1,000 random groups with unequal
/// subscriptions.
#[test]
fn property_range_and_roundrobin_match_kafkas_algorithms_written_out() {
    let mut rng = Rng::new(7);
    for round in 0..1_000 {
        let (members, parts) = random_group(&mut rng, round % 3 == 0);
        let mut ids: Vec<&str> = members.iter().map(|m| m.member_id.as_str()).collect();
        ids.sort();
        let subscribed = |id: &str, topic: &str| members.iter().any(|m| m.member_id == id && m.subscription.topics.contains(topic));
        let mut range: Assignment = ids.iter().map(|id| (id.to_string(), Vec::new())).collect();
        for (topic, &n) in &parts {
            let consumers: Vec<&str> = ids.iter().copied().filter(|id| subscribed(id, topic)).collect();
            if consumers.is_empty() {
                continue;
            }
            let (per, extra) = (n as usize / consumers.len(), n as usize % consumers.len());
            for (i, id) in consumers.iter().enumerate() {
                let start = i * per + i.min(extra);
                let len = per + usize::from(i < extra);
                range.get_mut(*id).expect("member").extend((start..start + len).map(|p| tp(topic, p as i32)));
            }
        }
        let mut roundrobin: Assignment = ids.iter().map(|id| (id.to_string(), Vec::new())).collect();
        let mut next = 0usize;
        for (topic, &n) in &parts {
            if !ids.iter().any(|id| subscribed(id, topic)) {
                continue;
            }
            for p in 0..n {
                while !subscribed(ids[next % ids.len()], topic) {
                    next += 1;
                }
                roundrobin.get_mut(ids[next % ids.len()]).expect("member").push(tp(topic, p));
                next += 1;
            }
        }
        for (strategy, model) in [(Strategy::Range, &range), (Strategy::RoundRobin, &roundrobin)] {
            let got = assign(strategy, &members, &parts).expect("assignment succeeds");
            let got: Assignment = got.into_iter().map(|(id, v)| (id, sorted(v))).collect();
            let want: Assignment = model.iter().map(|(id, v)| (id.clone(), sorted(v.clone()))).collect();
            assert_eq!(got, want, "round {round} {strategy:?}: members {ids:?} partitions {parts:?}");
        }
    }
}
