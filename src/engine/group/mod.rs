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
//! LeaveGroup/OffsetCommit/OffsetFetch and the group state machine), [`txn_offsets`] (TxnOffsetCommit and
//! the offsets waiting for their transaction's marker); the Admin client's group calls (list,
//! describe, alter and delete offsets, delete groups, answered synchronously) and the routing are
//! in `cluster/views.rs`, the consumer fetch in `broker/fetch.rs`.
//!
//! Not modelled: static membership (`group.instance.id`), `offsets.retention.minutes` expiry of
//! empty groups' offsets, the KIP-848 `consumer` protocol.

pub mod coordinator;
pub mod records;
pub(crate) mod txn_offsets;
#[cfg(test)]
mod liveness_tests;
#[cfg(test)]
mod forward_tests;

use std::collections::BTreeMap;
use super::assignor::{Strategy, Subscription, TopicPartition};
use super::cluster::BrokerId;
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
pub(crate) use txn_offsets::txn_log_append_error;
pub use state::{CommittedOffset, GroupDescription, GroupListing, GroupState, MemberDescription};
pub(crate) use state::*;


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
