//! Transactions: the transaction coordinator, `__transaction_state`, transaction markers, the
//! transactional producer's client side, transactional offset commits, and producer id blocks.
//!
//! **Coordinator.** A `transactional.id` belongs to partition `abs(hash) % 50` of
//! `__transaction_state` (created on the first FindCoordinator with replication factor
//! `transaction.state.log.replication.factor` and `min.insync.replicas` =
//! `transaction.state.log.min.isr`); the partition's leader is its coordinator. As for groups,
//! each broker keeps a *shard* per partition it leads: the transactions' metadata (producer id,
//! epoch, state, partitions, timeout). Every state change is written to the partition first
//! (acks=all) and applied when committed; a new leader reloads the shard from its replica and
//! resumes the markers of transactions it finds in PrepareCommit/PrepareAbort.
//!
//! **Protocol.** InitProducerId bumps the epoch (fencing older instances: their
//! AddPartitionsToTxn/EndTxn get PRODUCER_FENCED; an open transaction of theirs is aborted first,
//! the new instance retrying on CONCURRENT_TRANSACTIONS meanwhile). AddPartitionsToTxn must
//! precede the first batch to a partition; AddOffsetsToTxn adds the group's `__consumer_offsets`
//! partition, then TxnOffsetCommit goes to the group coordinator, which writes the offsets as a
//! transactional batch and applies them only when the COMMIT marker arrives. EndTxn writes
//! PrepareCommit/PrepareAbort, answers, then writes one control batch (one offset, never shown to
//! consumers) to each partition via its leader, and finally CompleteCommit/CompleteAbort.
//! Ongoing transactions older than their timeout are aborted (with an epoch bump) by a check
//! every 10 s (`transaction.abort.timed.out.transaction.cleanup.interval.ms`).
//!
//! **Producer ids.** Brokers hand out ids from blocks of 1000 the active controller allocates
//! (`AllocateProducerIds`, a request and its answer; the controller's counter is its
//! `ProducerIdsRecord`). As in KRaft, a broker has no block until its first InitProducerId,
//! which (like any while no block is left) is answered COORDINATOR_LOAD_IN_PROGRESS while the
//! block is asked for; the next block is asked for once 90% of the current one is handed out.
//! A restarted broker starts without a block.
//!
//! Simplifications: markers are written by the coordinator calling the partition leader's append
//! directly when the two brokers can reach each other (retried every 100 ms otherwise, and after
//! 30 s without an answer); KIP-890 (epoch bump per transaction, partition verification) is not
//! modelled; a transactional offset commit still pending when its group coordinator moves is lost
//! (the loader keeps only offsets of committed transactions); the cleaner keeps markers forever.

pub const TXN_TOPIC: &str = "__transaction_state";
/// `transaction.state.log.num.partitions`.
pub const TXN_PARTITIONS: i32 = 50;
/// `transaction.state.log.segment.bytes`.
pub const TXN_SEGMENT_BYTES: &str = "104857600";
/// `transaction.max.timeout.ms`.
pub const TXN_MAX_TIMEOUT_MS: i64 = 900_000;
/// `transaction.abort.timed.out.transaction.cleanup.interval.ms`.
pub const TXN_ABORT_CHECK_INTERVAL_MS: i64 = 10_000;
/// How long the coordinator waits before resending a marker that failed.
pub const MARKER_RETRY_MS: i64 = 100;
/// How long it waits for a marker's answer before resending it.
pub const MARKER_TIMEOUT_MS: i64 = 30_000;
pub(crate) use super::ids::{TXN_LOG_CLIENT, TXN_MARKER_CLIENT};
pub(crate) use super::msg::{TxnEv, TxnMsg};

mod client;
mod coordinator;
pub(crate) mod state;
pub(crate) use coordinator::TxnShared;
pub use state::{TransactionDescription, TransactionListing, TransactionState, TxnClientState};
pub(crate) use state::*;


#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn txn_metadata_round_trips_through_its_record() {
        let mut partitions = BTreeSet::new();
        partitions.insert(("out".to_string(), 2));
        partitions.insert(("__consumer_offsets".to_string(), 12));
        let m = TxnMeta { producer_id: 1000, epoch: 3, timeout_ms: 60_000, state: TransactionState::PrepareCommit, partitions, start_ms: 5, update_ms: 9 };
        assert_eq!(decode_meta(&encode_meta(&m)), Some(m));
        assert_eq!(decode_meta(b"garbage"), None);
    }
    fn formed_cluster() -> crate::engine::cluster::Cluster {
        use crate::engine::cluster::{Cluster, ClusterConfig};
        let mut c = Cluster::new(ClusterConfig { track_invariants: false, ..ClusterConfig::new(3, 5) }).expect("valid");
        c.advance(3_000);
        c
    }

    fn claim(c: &mut crate::engine::cluster::Cluster, b: i32) -> Result<i64, crate::engine::error::ErrorCode> {
        c.with_txn_coordinator(b, |tc, host, ctx, _| tc.allocate_producer_id(host, ctx)).expect("a broker")
    }

    /// KRaft's RPCProducerIdManager starts with no block: the first InitProducerId a broker
    /// serves asks the active controller (AllocateProducerIds) and is answered
    /// COORDINATOR_LOAD_IN_PROGRESS; once the answer is back, ids come from the block, and each
    /// broker gets its own block of 1000 from the controller's counter.
    #[test]
    fn producer_id_blocks_arrive_from_the_controller_by_message() {
        use crate::engine::cluster::ROUND_TRIP_MS;
        use crate::engine::error::ErrorCode;
        let mut c = formed_cluster();
        assert_eq!(claim(&mut c, 2), Err(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS), "no block yet");
        assert_eq!(claim(&mut c, 2), Err(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS), "the request is in flight");
        assert_eq!(c.ctl.next_producer_id, 0, "the block is asked for, not taken");
        c.advance(ROUND_TRIP_MS);
        assert_eq!(claim(&mut c, 2), Ok(0));
        assert_eq!(claim(&mut c, 2), Ok(1));
        assert_eq!(claim(&mut c, 3), Err(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS));
        c.advance(ROUND_TRIP_MS);
        assert_eq!(claim(&mut c, 3), Ok(1000), "the next block of the controller's counter");
        assert_eq!(c.ctl.next_producer_id, 2000);
    }

    /// The next block is asked for when 90% of the current one is handed out, so a busy broker
    /// never waits; a restarted broker starts without a block.
    #[test]
    fn producer_id_block_is_prefetched_at_90_percent_and_lost_on_restart() {
        use crate::engine::cluster::ROUND_TRIP_MS;
        use crate::engine::error::ErrorCode;
        let mut c = formed_cluster();
        let _ = claim(&mut c, 1);
        c.advance(ROUND_TRIP_MS);
        for want in 0..900 {
            assert_eq!(claim(&mut c, 1), Ok(want));
        }
        assert_eq!(c.ctl.next_producer_id, 1000, "not yet");
        assert_eq!(claim(&mut c, 1), Ok(900));
        c.advance(ROUND_TRIP_MS);
        assert_eq!(c.ctl.next_producer_id, 2000, "the 901st id asked for the next block");
        for want in 901..1000 {
            assert_eq!(claim(&mut c, 1), Ok(want));
        }
        assert_eq!(claim(&mut c, 1), Ok(1000), "straight on with the prefetched block");
        c.crash(1).expect("crash");
        c.start(1).expect("start");
        c.advance(3_000);
        assert_eq!(claim(&mut c, 1), Err(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS), "a new incarnation has no block");
        c.advance(ROUND_TRIP_MS);
        assert_eq!(claim(&mut c, 1), Ok(2000));
    }

    /// While the broker cannot reach the active controller, no block can arrive: InitProducerId
    /// keeps answering COORDINATOR_LOAD_IN_PROGRESS; once it can, the next retry gets an id.
    #[test]
    fn producer_id_waits_while_the_controller_is_unreachable() {
        use crate::engine::cluster::ROUND_TRIP_MS;
        use crate::engine::error::ErrorCode;
        let mut c = formed_cluster();
        let b = (1..=3).find(|b| c.quorum_leader() != Some(*b)).expect("a broker that is not the controller");
        c.isolate(b).expect("isolate");
        assert_eq!(claim(&mut c, b), Err(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS));
        c.advance(ROUND_TRIP_MS);
        assert_eq!(claim(&mut c, b), Err(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS), "nothing was sent");
        c.heal();
        assert_eq!(claim(&mut c, b), Err(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS));
        c.advance(ROUND_TRIP_MS);
        assert_eq!(claim(&mut c, b), Ok(0));
    }

    /// FindCoordinator(TRANSACTION) on a broker whose metadata lacks `__transaction_state`
    /// forwards CreateTopics with the topic's configs to the active controller (KRaft's
    /// AutoTopicCreationManager) and answers COORDINATOR_NOT_AVAILABLE: the broker creates
    /// nothing itself, sends no second forward while one is in flight, and names the
    /// coordinator once the topic's metadata reached it.
    #[test]
    fn txn_state_topic_is_created_by_a_forward_to_the_controller() {
        use crate::engine::assignor::coordinator_partition;
        use crate::engine::cluster::NET_LATENCY_MS;
        use crate::engine::error::ErrorCode;
        let mut c = formed_cluster();
        assert_eq!(c.find_txn_coordinator_on(2, "app"), Err(ErrorCode::COORDINATOR_NOT_AVAILABLE));
        assert!(!c.topic_exists(TXN_TOPIC), "the broker only forwards CreateTopics");
        let forward = c.txns.coordinators[&2].topic_forward;
        assert!(forward.is_some());
        assert_eq!(c.find_txn_coordinator_on(2, "other"), Err(ErrorCode::COORDINATOR_NOT_AVAILABLE));
        assert_eq!(c.txns.coordinators[&2].topic_forward, forward, "in flight: not sent again");
        c.advance(NET_LATENCY_MS);
        let t = c.describe_topic(TXN_TOPIC).expect("created on the forward's arrival");
        assert_eq!(t.partitions.len(), TXN_PARTITIONS as usize);
        assert!(t.partitions.iter().all(|p| p.replicas.len() == 3), "transaction.state.log.replication.factor");
        let configs: Vec<(&str, &str)> = t.configs.iter().map(|e| (e.name.as_str(), e.value.as_str())).collect();
        assert!(configs.contains(&("cleanup.policy", "compact")) && configs.contains(&("min.insync.replicas", "2")), "{configs:?}");
        c.advance(NET_LATENCY_MS);
        assert_eq!(c.txns.coordinators[&2].topic_forward, None, "the controller answered");
        c.advance(3_000);
        let leader = c.partition_meta(TXN_TOPIC, coordinator_partition("app", TXN_PARTITIONS)).and_then(|m| m.leader);
        assert!(leader.is_some());
        assert_eq!(c.find_txn_coordinator_on(2, "app").ok(), leader);
    }
}
