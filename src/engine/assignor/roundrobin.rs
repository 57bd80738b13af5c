//! `RoundRobinAssignor`: all partitions of all subscribed topics (topics in name order, partitions
//! in number order) are dealt one by one to the members in `MemberInfo` order, cycling; a member
//! not subscribed to the partition's topic is skipped (and the cycle moves past it).

use super::{member_info_cmp, Input, TopicPartition};

pub(super) fn assign(input: &Input<'_>) -> Vec<Vec<TopicPartition>> {
    let members = input.members;
    let mut result = vec![Vec::new(); members.len()];
    if members.is_empty() {
        return result;
    }
    let mut sorted: Vec<usize> = (0..members.len()).collect();
    sorted.sort_by(|&a, &b| member_info_cmp(&members[a], &members[b]));

    // Topic order: Kafka collects subscribed topics in a `TreeSet<String>`; `input.topics` is in
    // that order.
    let mut cursor = 0usize;
    for &(topic, partitions) in &input.topics {
        for p in 0..partitions {
            // `Input` only keeps subscribed topics, so some member takes it within one cycle.
            let mut skipped = 0usize;
            while !members[sorted[cursor]].subscription.topics.contains(topic) {
                cursor = (cursor + 1) % sorted.len();
                skipped += 1;
                debug_assert!(skipped <= sorted.len(), "a subscribed topic has a subscriber");
            }
            result[sorted[cursor]].push(TopicPartition::new(topic, p));
            cursor = (cursor + 1) % sorted.len();
        }
    }
    result
}
