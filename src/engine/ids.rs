//! Identifiers every node and message shares: brokers, partitions, clients. A leaf module: it
//! depends on nothing else in the engine, so anything may name these without an import cycle.

/// A broker's `node.id` (1..=n).
pub type BrokerId = i32;

/// A topic-partition inside the engine: `topic` is the internal topic index (never reused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tp {
    pub topic: u32,
    pub partition: i32,
}

/// A producer client (numbered from 1).
pub type ProducerId = u32;
/// One `send` of a producer, for its result.
pub type SendId = u64;
/// A consumer client (numbered from [`CONSUMER_ID_BASE`]).
pub type ConsumerId = u32;

/// Consumer client ids start here (producers count up from 1), so replies route by id.
pub(crate) const CONSUMER_ID_BASE: u32 = 0x8000_0000;
/// The client id under which group coordinators append to their own log (never a real client).
pub(crate) const COORDINATOR_CLIENT: u32 = u32::MAX;
/// Client ids of the transaction coordinator's own writes (routed like the group coordinator's).
pub(crate) const TXN_LOG_CLIENT: u32 = u32::MAX - 1;
pub(crate) const TXN_MARKER_CLIENT: u32 = u32::MAX - 2;
