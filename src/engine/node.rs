//! The narrow context a node's handler works through (issue 21): the time now, fresh request ids,
//! which brokers the node can reach, and its outputs (messages and timers), which the Cluster then
//! routes in the order they were made. A handler that takes a `Ctx` reads and writes only its own
//! node's state: it cannot see another node.

use super::ids::{BrokerId, Tp};
use super::msg::{Dest, Ev, Msg, OffsetSpec};
use super::budget::Budget;
use super::error::KResult;
use super::event::EventKind;
use super::log::ProducerBatchInfo;
use super::rng::Rng;

/// Epoch milliseconds of simulated time 0 on the session's wall clock (2024-11-06 09:00 UTC):
/// record timestamps and log times are on it.
pub const WALL_CLOCK_EPOCH_MS: i64 = 1_730_883_600_000;

/// One output of a handler, applied by the Cluster in order.
#[derive(Debug)]
pub(crate) enum Out {
    /// A message over the network (`from`: the sending broker, None for a client).
    Send { from: Option<BrokerId>, to: Dest, msg: Msg },
    /// A timer `delay_ms` from now.
    Timer { delay_ms: i64, ev: Ev },
    /// A request handed to a broker's process with no network between (a coordinator's write
    /// to its own log partition; the transaction coordinator's marker to a partition's leader,
    /// a simplification of the marker channel): the broker handles it when the output is routed.
    Direct { broker: BrokerId, msg: Msg },
    /// Something that happened, for the event log the UI and lessons read (stamped with the
    /// time the handler ran).
    Event(EventKind),
    /// What the invariants' observer must learn of the step (no node sees it).
    Observe(Observation),
    /// Something a broker's replica manager tells another part of the same broker process (its
    /// group coordinator): no network, handled when routed.
    Local { broker: BrokerId, what: Local },
}

/// What a broker's replica manager tells the rest of its process (see [`Out::Local`]).
#[derive(Debug)]
pub(crate) enum Local {
    /// The leader appended a transaction marker (a control batch) at `offset`: the event, and on
    /// `__consumer_offsets` the group coordinator's pending transactional offsets.
    MarkerAppended { tp: Tp, info: ProducerBatchInfo, offset: i64 },
}

/// A step the invariants' observer (the committed-batch ledger, the replicas allowed to diverge)
/// must know of: not a message, no node receives it.
#[derive(Debug)]
pub(crate) enum Observation {
    /// An unclean election made `leader` lead `tp`: committed batches it lacks are lost (that is
    /// what unclean election means), and the other `replicas` may diverge below their HW until
    /// they reconcile with a leader.
    UncleanElection { tp: Tp, leader: Option<BrokerId>, replicas: Vec<BrokerId> },
    /// Leader `broker` advanced the high watermark of `tp` to `hw`: the batches below it are
    /// committed (the ledger takes them from that leader's log).
    HighWatermarkAdvanced { broker: BrokerId, tp: Tp, hw: i64 },
    /// Follower `broker` took data from a leader for `tp`: it reconciled with it after an
    /// unclean election (its divergence below the HW is over).
    Reconciled { broker: BrokerId, tp: Tp },
}

/// The network's view of the KRaft quorum from one voter: whether its process runs (not shutting
/// down or stopped) and how many voters, itself included, it reaches now (0 when it is down). A
/// real voter learns this from its fetches and votes succeeding or timing out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct VoterReach {
    pub voter: BrokerId,
    pub running: bool,
    pub voters_reached: usize,
}

/// What a client's metadata and ListOffsets requests would answer now. The consumer asks it
/// through its [`Ctx`] (a documented simplification of the consumer: answered at once, from the
/// cluster's current image, without a client metadata cache).
pub(crate) trait ClientView {
    /// Partitions of `topic` (0 when the topic is unknown).
    fn partition_count(&self, topic: &str) -> i32;
    /// The partition's leader, if it has one.
    fn leader(&self, topic: &str, partition: i32) -> Option<BrokerId>;
    /// ListOffsets on the partition's leader: the offset, or None on an error.
    fn list_offset(&self, topic: &str, partition: i32, spec: OffsetSpec) -> Option<i64>;
}

/// The view of a handler that was given none: nothing is known.
struct NoView;

impl ClientView for NoView {
    fn partition_count(&self, _topic: &str) -> i32 {
        0
    }
    fn leader(&self, _topic: &str, _partition: i32) -> Option<BrokerId> {
        None
    }
    fn list_offset(&self, _topic: &str, _partition: i32, _spec: OffsetSpec) -> Option<i64> {
        None
    }
}

/// What a handler may use and do.
pub(crate) struct Ctx<'a> {
    pub now_ms: i64,
    /// The cluster's one seeded RNG (draws in the order the handlers make them).
    pub rng: &'a mut Rng,
    /// The cluster's request-id counter (ids are unique across every node).
    next_id: &'a mut u64,
    /// The brokers this node can reach now, in id order (a client's view of the network: in Kafka
    /// it learns this by failing to connect).
    reachable: &'a [BrokerId],
    /// For the controller: what each voter reaches (empty for other nodes).
    quorum: &'a [VoterReach],
    /// For a broker: the active controller as the Raft quorum tells it (KRaft's leader), where its
    /// heartbeats and controller requests go.
    quorum_leader: Option<BrokerId>,
    /// What a client's metadata and ListOffsets requests answer (see [`ClientView`]).
    view: Option<&'a dyn ClientView>,
    /// For a broker: the sandbox's bound on bytes held in logs (its "disk"), and the bytes the
    /// logs hold now when the router measured them for this handler (see [`Ctx::reserve_log_bytes`]).
    disk: Option<&'a mut Budget>,
    held_bytes: Option<u64>,
    out: Vec<Out>,
}

impl<'a> Ctx<'a> {
    /// A context for a handler that reaches no broker (see [`Ctx::with_reachable`]).
    pub(crate) fn new(now_ms: i64, rng: &'a mut Rng, next_id: &'a mut u64) -> Ctx<'a> {
        Ctx { now_ms, rng, next_id, reachable: &[], quorum: &[], quorum_leader: None, view: None, disk: None, held_bytes: None, out: Vec::new() }
    }

    /// The sandbox's bound on bytes held in logs, and the bytes held now if the router measured
    /// them (it does when an append of the request's size would need the exact count).
    pub(crate) fn with_disk(mut self, disk: &'a mut Budget, held_bytes: Option<u64>) -> Ctx<'a> {
        self.disk = Some(disk);
        self.held_bytes = held_bytes;
        self
    }

    /// Room for an append of `bytes` within the sandbox's bound on bytes held in logs (a
    /// POLICY_VIOLATION when full). Without a disk (not a broker) there is always room.
    pub(crate) fn reserve_log_bytes(&mut self, bytes: u64) -> KResult<()> {
        let Some(disk) = self.disk.as_deref_mut() else { return Ok(()) };
        let (held, estimate) = (self.held_bytes, disk.log_bytes);
        disk.check_log(bytes, self.now_ms, || {
            debug_assert!(held.is_some(), "the router measures the logs when an append needs it");
            held.unwrap_or(estimate)
        })
    }

    /// The brokers the node reaches now, in id order.
    pub(crate) fn with_reachable(mut self, reachable: &'a [BrokerId]) -> Ctx<'a> {
        self.reachable = reachable;
        self
    }

    /// The active controller the quorum names (see [`Ctx::quorum_leader`]).
    pub(crate) fn with_quorum_leader(mut self, leader: Option<BrokerId>) -> Ctx<'a> {
        self.quorum_leader = leader;
        self
    }

    /// The active controller as the Raft quorum names it (None while there is none).
    pub(crate) fn quorum_leader(&self) -> Option<BrokerId> {
        self.quorum_leader
    }

    /// The quorum's reach, voter by voter (see [`VoterReach`]).
    pub(crate) fn with_quorum(mut self, quorum: &'a [VoterReach]) -> Ctx<'a> {
        self.quorum = quorum;
        self
    }

    /// What voter `v` reaches now (None: not a voter, or no quorum view given).
    pub(crate) fn voter_reach(&self, v: BrokerId) -> Option<VoterReach> {
        self.quorum.iter().find(|r| r.voter == v).copied()
    }

    /// What the client's metadata and ListOffsets requests answer now.
    pub(crate) fn with_view(mut self, view: &'a dyn ClientView) -> Ctx<'a> {
        self.view = Some(view);
        self
    }

    /// The client's view of topics, leaders and offsets (nothing known without one).
    pub(crate) fn view(&self) -> &'a dyn ClientView {
        debug_assert!(self.view.is_some(), "a client handler that asks for metadata is given a view");
        self.view.unwrap_or(&NoView)
    }

    /// Now on the session's wall clock.
    pub(crate) fn wall_clock_ms(&self) -> i64 {
        WALL_CLOCK_EPOCH_MS + self.now_ms
    }

    /// A fresh request id.
    pub(crate) fn next_id(&mut self) -> u64 {
        let id = *self.next_id;
        *self.next_id += 1;
        id
    }

    /// The first broker (by id) this node can reach.
    pub(crate) fn any_reachable(&self) -> Option<BrokerId> {
        self.reachable.first().copied()
    }

    pub(crate) fn reaches(&self, b: BrokerId) -> bool {
        self.reachable.contains(&b)
    }

    pub(crate) fn send(&mut self, from: Option<BrokerId>, to: Dest, msg: Msg) {
        self.out.push(Out::Send { from, to, msg });
    }

    pub(crate) fn timer(&mut self, delay_ms: i64, ev: Ev) {
        debug_assert!(delay_ms >= 0, "timers are never in the past");
        self.out.push(Out::Timer { delay_ms, ev });
    }

    /// Hands `msg` to broker `broker`'s process directly (see [`Out::Direct`]).
    pub(crate) fn direct(&mut self, broker: BrokerId, msg: Msg) {
        self.out.push(Out::Direct { broker, msg });
    }

    /// Records what happened in the event log (applied in order with the other outputs).
    pub(crate) fn emit(&mut self, kind: EventKind) {
        self.out.push(Out::Event(kind));
    }

    /// Tells the invariants' observer of a step (applied in order with the other outputs).
    pub(crate) fn observe(&mut self, o: Observation) {
        self.out.push(Out::Observe(o));
    }

    /// Tells another part of broker `broker`'s process (applied in order with the other outputs).
    pub(crate) fn local(&mut self, broker: BrokerId, what: Local) {
        self.out.push(Out::Local { broker, what });
    }

    /// The outputs, in the order the handler made them.
    pub(crate) fn into_outputs(self) -> Vec<Out> {
        self.out
    }
}
