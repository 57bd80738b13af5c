//! Producer clients: metadata, partitioning, the record accumulator (per-partition batches by
//! `batch.size` and `linger.ms`), one in-flight request per partition, acks 0/1/all, retries
//! with `retry.backoff.ms`, `request.timeout.ms` and `delivery.timeout.ms`, and one result per
//! record.
//!
//! **Idempotence** (on by default, as in Kafka 3.x): the producer gets a producer id and epoch
//! (InitProducerId, answered by any broker from its block of ids) before its first batch, and
//! stamps every batch with them and with its partition's next sequence number when the batch is
//! first sent; a retry resends the very same batch. The leader keeps each producer's last five
//! batches per partition and answers a retried one with its original offsets instead of
//! appending it again (see [`super::log::ProducerState`]).
//!
//! **Up to `max.in.flight.requests.per.connection` (5) requests in flight per broker**, as the
//! Java Sender drains: each partition's batches go out in order, several at once, and responses
//! complete whichever batch they answer. With idempotence the sequence numbers keep the order:
//! the broker refuses a batch that skips ahead (OUT_OF_ORDER_SEQUENCE_NUMBER, retried while an
//! earlier batch is unresolved) and answers a retried one it already has with its original
//! offsets; a retried batch goes out again only as the first of its partition in flight.
//! Without idempotence a batch whose acknowledgement is lost (request timeout, leader crash
//! after replicating, NOT_ENOUGH_REPLICAS_AFTER_APPEND) is appended again by its retry: a
//! DUPLICATE; and with more than one request in flight a failed batch retried after a later one
//! succeeded lands behind it: a REORDERING. Both as in Kafka.
//!
//! When a batch that went out fails for good, the idempotent producer bumps its epoch itself
//! (KIP-360, as the 3.x client does: same producer id, epoch + 1, sequences from 0; a new id
//! only after the last epoch). Batches already stamped with the old epoch are resent as they
//! are until they succeed (the broker may hold them) or expire; no batch is stamped with the new
//! epoch before they are resolved. (A leader that has never seen a producer id accepts any
//! sequence, so after a failover a later batch can be written while an earlier one, sent to
//! the old leader, is then refused as out of order until it expires: it fails, nothing is
//! written out of order.)
//!
//! Transactions (`transactional_id`) are driven by [`super::txn`].

use super::error::{ErrorCode, KafkaError};

pub use super::ids::{ProducerId, SendId};

mod accumulator;
pub(crate) use accumulator::AfterSend;
mod metadata;
mod sender;
pub(crate) mod state;
#[cfg(test)]
use sender::exponential_backoff_ms;
pub use state::{ProducerConfig, ProducerRecord, ProducerWarning, SendResult};
pub(crate) use state::*;

/// The error of a call naming a producer that is closed or gone.
pub(crate) fn unknown_producer(id: ProducerId) -> KafkaError {
    KafkaError::new(ErrorCode::INVALID_REQUEST, format!("Unknown producer {id}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn producer_retry_backoff_doubles_from_100_ms_with_jitter_up_to_1000_ms() {
        let mut rng = crate::engine::rng::Rng::new(3);
        for _ in 0..200 {
            let b: Vec<i64> = (0..6).map(|a| exponential_backoff_ms(100, 1000, a, &mut rng)).collect();
            assert!((80..120).contains(&b[0]), "{b:?}");
            assert!((160..240).contains(&b[1]), "{b:?}");
            assert!((320..480).contains(&b[2]), "{b:?}");
            assert!((640..960).contains(&b[3]), "{b:?}");
            assert!((800..=1000).contains(&b[4]) && (800..=1000).contains(&b[5]), "{b:?}");
        }
        // The jitter really varies (seeded: the same on every run).
        let mut rng = crate::engine::rng::Rng::new(3);
        let firsts: std::collections::BTreeSet<i64> = (0..50).map(|_| exponential_backoff_ms(100, 1000, 0, &mut rng)).collect();
        assert!(firsts.len() > 10, "{firsts:?}");
    }

    #[test]
    fn producer_retry_backoff_without_room_to_grow_is_constant() {
        let mut rng = crate::engine::rng::Rng::new(3);
        assert_eq!(exponential_backoff_ms(100, 100, 5, &mut rng), 100);
        assert_eq!(exponential_backoff_ms(500, 200, 0, &mut rng), 200);
        assert_eq!(exponential_backoff_ms(0, 1000, 3, &mut rng), 0);
    }
}
