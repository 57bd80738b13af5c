//! `RangeAssignor`: topic by topic, the subscribed members in `MemberInfo` order each take a
//! contiguous range of partitions; with `n` partitions and `c` members every member gets `n / c`
//! and the first `n % c` members one more. Topics are independent, so members that subscribe to
//! the same co-partitioned topics get the same partition numbers of each (what makes joins on keys
//! work). The rack-aware pass of Kafka 3.5+ never runs because members have no rack.

use super::{member_info_cmp, Input, TopicPartition};

pub(super) fn assign(input: &Input<'_>) -> Vec<Vec<TopicPartition>> {
    let members = input.members;
    let mut result = vec![Vec::new(); members.len()];
    let mut sorted: Vec<usize> = (0..members.len()).collect();
    sorted.sort_by(|&a, &b| member_info_cmp(&members[a], &members[b]));

    for &(topic, partitions) in &input.topics {
        let consumers: Vec<usize> =
            sorted.iter().copied().filter(|&m| members[m].subscription.topics.contains(topic)).collect();
        if consumers.is_empty() {
            continue;
        }
        let count = consumers.len() as i32;
        let per_consumer = partitions / count;
        let with_extra = partitions % count;
        let mut next = 0i32;
        for (i, &m) in consumers.iter().enumerate() {
            let take = per_consumer + i32::from((i as i32) < with_extra);
            for p in next..next + take {
                result[m].push(TopicPartition::new(topic, p));
            }
            next += take;
        }
        debug_assert_eq!(next, partitions, "range hands out every partition of {topic}");
    }
    result
}
