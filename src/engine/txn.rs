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
//! **Producer ids.** Brokers hand out ids from blocks of 1000 the controller allocates
//! (`AllocateProducerIds`); a restarted broker asks for a new block.
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
/// Producer ids per block the controller hands a broker.
pub const PRODUCER_ID_BLOCK_SIZE: i64 = 1000;
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
}
