//! The cluster: brokers, the KRaft controller, producer clients, the network and the
//! discrete-event loop, all owned by one [`Cluster`].
//!
//! Time is simulated in milliseconds. Events sit in a priority queue ordered by (time, sequence
//! number), so two runs with the same seed and the same calls are identical. Nodes are state
//! machines: they react to messages and timers. The network delivers a message after
//! [`NET_LATENCY_MS`] and drops it if sender and receiver cannot reach each other at send or at
//! delivery time (crash, stop, isolation), or if the receiver restarted meanwhile.

mod views;
use std::collections::{BTreeMap, BTreeSet};
use super::error::{ErrorCode, KResult, KafkaError};
use super::event::{Event, EventKind, EventLog};
use super::log::PartitionLog;
use super::producer::state::Producer;
use super::rng::Rng;
use super::budget::{log_bytes_held, Budget};
use super::node::Out;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::rc::Rc;

pub use super::node::WALL_CLOCK_EPOCH_MS;

pub const NET_LATENCY_MS: i64 = 1;
/// A request and its answer, delivered: what a client that waits for an answer (a consumer's
/// close awaiting LeaveGroup) lets pass before it returns.
pub const ROUND_TRIP_MS: i64 = 2 * NET_LATENCY_MS + 1;
/// A broker stops anyway if its controlled shutdown gets no answer within this.
pub const CONTROLLED_SHUTDOWN_TIMEOUT_MS: i64 = 30_000;
/// Admin calls give up after this (`default.api.timeout.ms` is 60 s; tools use 30 s).
pub const ADMIN_TIMEOUT_MS: i64 = 30_000;
/// Events one simulated instant may run before zero-delay work is pushed 1 ms later. No
/// legitimate instant comes near it (messages take [`NET_LATENCY_MS`]); a client that wakes
/// itself at the same instant without progress reaches it in well under a second, and the guard
/// turns the spin into at most this many events per simulated millisecond.
pub const INSTANT_EVENTS_MAX: u64 = 1_000_000;

/// The delay `schedule` really uses: a zero delay once the instant ran [`INSTANT_EVENTS_MAX`]
/// events becomes 1 ms (and a debug build stops: something spins).
fn instant_guard_delay(delay_ms: i64, instant_events: u64) -> i64 {
    let delay_ms = delay_ms.max(0);
    if delay_ms == 0 && instant_events >= INSTANT_EVENTS_MAX {
        debug_assert!(cfg!(test), "{instant_events} events at one simulated instant: something reschedules itself without progress");
        return 1;
    }
    delay_ms
}

/// Brokers a cluster may have: the one limit the engine, the shell (`--brokers`, `sim reset`) and
/// the page (saved sessions, the broker columns) all use.
pub const BROKERS_MAX: u32 = 9;

pub use super::ids::{BrokerId, Tp};
pub use super::broker::state::{ProcessState, Replica, ALTER_PARTITION_RETRY_MS, BROKER_HEARTBEAT_INTERVAL_MS, REPLICA_FETCH_BACKOFF_MS, REPLICA_FETCH_MAX_BYTES, REPLICA_FETCH_RESPONSE_MAX_BYTES, REPLICA_FETCH_TIMEOUT_MS, REPLICA_FETCH_WAIT_MAX_MS, REPLICA_LAG_TIME_MAX_MS};
pub(crate) use super::broker::state::{Broker, ReplicaVolatile};
pub use super::msg::PartitionMeta;
pub use super::controller::state::TopicMeta;
pub(crate) use super::controller::state::Controller;
pub use super::controller::state::{BROKER_SESSION_TIMEOUT_MS, CONTROLLER_ELECTION_TIMEOUT_MS, CONTROLLER_TICK_MS, UNCLEAN_ELECTION_INTERVAL_MS};
pub(crate) use super::msg::{Dest, Ev, Msg, TopicRecord};

/// Cluster construction parameters.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// Number of brokers, 1..=12, ids 1..=n.
    pub brokers: u32,
    pub seed: u64,
    /// Static broker config overrides (server.properties), e.g. `auto.create.topics.enable`.
    pub broker_overrides: Vec<(String, String)>,
    /// Keep the committed-batch ledger the invariants use (a pointer per committed batch).
    pub track_invariants: bool,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig { brokers: 3, seed: 1, broker_overrides: Vec::new(), track_invariants: true }
    }
}

impl ClusterConfig {
    pub fn new(brokers: u32, seed: u64) -> ClusterConfig {
        ClusterConfig { brokers, seed, ..Default::default() }
    }
}


/// What the UI shows for a broker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerStatus {
    pub id: BrokerId,
    pub process: ProcessState,
    pub isolated: bool,
    /// Fenced by the controller (no heartbeat within the session timeout, or not registered).
    pub fenced: bool,
    pub is_controller: bool,
    pub is_voter: bool,
}


pub(crate) struct Scheduled {
    pub(crate) time_ms: i64,
    pub(crate) seq: u64,
    pub(crate) ev: Ev,
}

impl PartialEq for Scheduled {
    fn eq(&self, o: &Self) -> bool {
        (self.time_ms, self.seq) == (o.time_ms, o.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.time_ms, self.seq).cmp(&(o.time_ms, o.seq))
    }
}

/// A fresh cluster's static broker configs (server.properties): the internal topics' replication
/// sized to the cluster, then the validated overrides.
fn static_broker_configs(n: i32, overrides: &[(String, String)]) -> KResult<BTreeMap<String, String>> {
    let mut configs = BTreeMap::new();
    let rf = n.min(3).to_string();
    configs.insert("offsets.topic.replication.factor".to_string(), rf.clone());
    configs.insert("transaction.state.log.replication.factor".to_string(), rf);
    configs.insert("transaction.state.log.min.isr".to_string(), n.min(2).to_string());
    for (k, v) in overrides {
        let Some((def, _)) = super::config::broker_config_def(k) else {
            return Err(KafkaError::new(ErrorCode::INVALID_CONFIG, format!("Unknown broker config name: {k}")));
        };
        super::config::parse_and_validate(def, v)?;
        configs.insert(k.clone(), v.clone());
    }
    Ok(configs)
}


/// The whole simulated cluster.
pub struct Cluster {
    pub(crate) now_ms: i64,
    pub(crate) seq: u64,
    pub(crate) queue: BinaryHeap<Reverse<Scheduled>>,
    pub(crate) rng: Rng,
    pub(crate) seed: u64,
    pub(crate) brokers: BTreeMap<BrokerId, Broker>,
    pub(crate) ctl: Controller,
    pub(crate) static_broker_configs: BTreeMap<String, String>,
    pub(crate) producers: BTreeMap<u32, Producer>,
    pub(crate) next_producer_id: u32,
    pub(crate) next_id: u64,
    pub(crate) events: EventLog,
    pub(crate) track_invariants: bool,
    /// Committed batches per partition (the invariants' ledger).
    pub(crate) ledger: BTreeMap<Tp, Vec<Rc<super::log::Batch>>>,
    pub(crate) violations: Vec<super::violation::Violation>,
    /// Replicas whose logs may legitimately diverge below their HW after an unclean election,
    /// until they reconcile with a leader (first successful data fetch).
    pub(crate) unclean_tainted: BTreeSet<(Tp, BrokerId)>,
    pub(crate) steps: u64,
    /// Events run at the current simulated instant, and how often the same-instant guard fired.
    pub(crate) instant_events: u64,
    instant_overflows: u64,
    /// The idle skip's switch and retry time (see [`super::idle`]).
    pub(crate) idle: super::idle::state::IdleSkip,
    /// The work and memory budget's counters (see [`super::budget`]).
    pub(crate) budget: Budget,
    /// The log cleaners' reports and compaction watermarks.
    pub(crate) cleaner: super::cleaner::state::CleanerState,
    /// Group coordinators' state (see [`super::group`]).
    pub(crate) groups: super::group::state::Groups,
    pub(crate) consumers: BTreeMap<u32, super::consumer::state::Consumer>,
    pub(crate) next_consumer_id: u32,
    /// Transaction coordinators' state and producer id blocks (see [`super::txn`]).
    pub(crate) txns: super::txn::state::Txns,
    /// Sandbox apps by name (see [`super::app`]).
    pub(crate) apps: BTreeMap<String, super::app::state::App>,
}

impl Cluster {
    /// A fresh cluster with `brokers` brokers (ids 1..=n) all running, and an active controller.
    pub fn new(config: ClusterConfig) -> KResult<Cluster> {
        if config.brokers == 0 || config.brokers > BROKERS_MAX {
            return Err(KafkaError::new(
                ErrorCode::INVALID_REQUEST,
                format!("The number of brokers must be between 1 and {BROKERS_MAX}, not {}.", config.brokers),
            ));
        }
        let n = config.brokers as i32;
        let static_broker_configs = static_broker_configs(n, &config.broker_overrides)?;
        let brokers: BTreeMap<BrokerId, Broker> = (1..=n).map(|id| (id, Broker::fresh(id))).collect();
        // The cluster starts formed: every broker registered and unfenced, the first voter active.
        let ids: Vec<BrokerId> = brokers.keys().copied().collect();
        let ctl = Controller::new(&ids, static_broker_configs.clone(), UNCLEAN_ELECTION_INTERVAL_MS);
        let mut c = Cluster {
            now_ms: 0,
            seq: 0,
            queue: BinaryHeap::new(),
            rng: Rng::new(config.seed),
            seed: config.seed,
            brokers,
            ctl,
            static_broker_configs,
            producers: BTreeMap::new(),
            next_producer_id: 1,
            next_id: 1,
            events: EventLog::new(),
            track_invariants: config.track_invariants,
            ledger: BTreeMap::new(),
            violations: Vec::new(),
            unclean_tainted: BTreeSet::new(),
            steps: 0,
            instant_events: 0,
            instant_overflows: 0,
            idle: Default::default(),
            budget: Default::default(),
            cleaner: Default::default(),
            groups: Default::default(),
            consumers: BTreeMap::new(),
            next_consumer_id: 1,
            txns: Default::default(),
            apps: BTreeMap::new(),
        };
        c.start_timers(n);
        Ok(c)
    }

    /// The first timers of a fresh cluster: each broker's heartbeat (staggered deterministically
    /// so brokers do not all tick together), ISR check and log tasks, the controller's tick; and
    /// the first voter's election as an event.
    fn start_timers(&mut self, n: i32) {
        for id in 1..=n {
            let offset = (id as i64 * 97) % BROKER_HEARTBEAT_INTERVAL_MS;
            self.schedule(offset, Ev::BrokerHeartbeat { broker: id, incarnation: 1 });
            self.schedule(REPLICA_LAG_TIME_MAX_MS / 2 + id as i64, Ev::BrokerIsrCheck { broker: id, incarnation: 1 });
            self.schedule_log_tasks(id, 1);
        }
        self.schedule(CONTROLLER_TICK_MS, Ev::ControllerTick);
        let active = self.ctl.active.expect("a fresh controller has the first voter active");
        self.events.push(0, EventKind::ControllerElected { broker: active });
    }

    // ----- time -----

    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// The session's wall clock (epoch milliseconds): simulated time from
    /// [`WALL_CLOCK_EPOCH_MS`]. Record timestamps, log append times and everything compared with
    /// them (retention, compaction lags, ListOffsets by time) use it, as Kafka's `time.milliseconds()`.
    pub fn wall_clock_ms(&self) -> i64 {
        WALL_CLOCK_EPOCH_MS + self.now_ms
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub(crate) fn schedule(&mut self, delay_ms: i64, ev: Ev) {
        debug_assert!(delay_ms >= 0);
        let delay_ms = instant_guard_delay(delay_ms, self.instant_events);
        if delay_ms > 0 && self.instant_events >= INSTANT_EVENTS_MAX {
            self.instant_overflows += 1;
        }
        let seq = self.seq;
        self.seq += 1;
        self.queue.push(Reverse(Scheduled { time_ms: self.now_ms.saturating_add(delay_ms), seq, ev }));
    }

    /// How many times the same-instant guard deferred work (0 unless something spins: tests and
    /// swarms assert it stays 0).
    pub fn instant_overflows(&self) -> u64 {
        self.instant_overflows
    }

    /// Time of the next pending event, if any.
    pub fn next_event_time_ms(&self) -> Option<i64> {
        self.queue.peek().map(|Reverse(s)| s.time_ms)
    }

    /// Runs exactly one event (advancing time to it). False if the queue is empty.
    pub fn step(&mut self) -> bool {
        let Some(Reverse(s)) = self.queue.pop() else { return false };
        debug_assert!(s.time_ms >= self.now_ms, "time never goes backwards");
        if s.time_ms != self.now_ms || self.steps == 0 {
            self.instant_events = 0;
        }
        self.now_ms = s.time_ms;
        self.instant_events += 1;
        self.steps += 1;
        self.dispatch(s.ev);
        true
    }

    /// Runs every event due up to `now + ms`, then sets the clock to `now + ms`.
    pub fn advance(&mut self, ms: i64) {
        let until = self.now_ms.saturating_add(ms.max(0));
        self.run_until(until, |_| {});
    }

    /// Runs every event due up to `until_ms`, calling `after_step` after each one (tests use it
    /// to check invariants after every event). Stretches where only periodic no-op traffic would
    /// run are jumped over (see [`super::idle`]); `after_step` is not called for what they skip.
    /// When the action's event budget runs out, simulated time stops where it is.
    pub fn run_until(&mut self, until_ms: i64, mut after_step: impl FnMut(&mut Cluster)) {
        loop {
            if self.idle_skip_due(until_ms) && !self.idle_skip(until_ms, &mut after_step) {
                return;
            }
            match self.next_event_time_ms() {
                Some(t) if t <= until_ms => {
                    if !self.charge_event() {
                        return;
                    }
                    self.step();
                    after_step(self);
                }
                _ => break,
            }
        }
        if until_ms > self.now_ms {
            self.now_ms = until_ms;
        }
    }

    /// Steps until `done` holds or `limit_ms` of simulated time passed. Returns whether `done`.
    pub fn run_while(&mut self, limit_ms: i64, mut done: impl FnMut(&Cluster) -> bool) -> bool {
        let until = self.now_ms.saturating_add(limit_ms.max(0));
        loop {
            if done(self) {
                return true;
            }
            match self.next_event_time_ms() {
                Some(t) if t <= until => {
                    if !self.charge_event() {
                        return done(self);
                    }
                    self.step();
                }
                _ => {
                    self.now_ms = self.now_ms.max(until);
                    return done(self);
                }
            }
        }
    }

    fn dispatch(&mut self, ev: Ev) {
        match ev {
            Ev::Deliver { from, from_incarnation, to, incarnation, msg } => self.deliver(from, from_incarnation, to, incarnation, msg),
            Ev::BrokerHeartbeat { broker, incarnation } => self.on_heartbeat_timer(broker, incarnation),
            Ev::BrokerIsrCheck { broker, incarnation } => self.on_isr_check(broker, incarnation),
            Ev::ControllerTick => self.on_controller_tick(),
            Ev::FetchExpire { leader, incarnation, fetch_id } => self.on_fetch_expire(leader, incarnation, fetch_id),
            Ev::FollowerFetchTimeout { broker, incarnation, leader, fetch_id } => self.on_follower_fetch_timeout(broker, incarnation, leader, fetch_id),
            Ev::FetcherBackoff { broker, incarnation, leader } => self.on_fetcher_backoff(broker, incarnation, leader),
            Ev::SlowFetchDue { broker, incarnation, leader } => self.on_slow_fetch_due(broker, incarnation, leader),
            Ev::ProduceExpire { leader, incarnation, tp, req_id } => self.on_produce_expire(leader, incarnation, tp, req_id),
            Ev::ShutdownTimeout { broker, incarnation } => self.on_shutdown_timeout(broker, incarnation),
            Ev::ProducerWake { producer } => self.producer_poll(producer),
            Ev::LogCleanerWake { broker, incarnation } => self.on_log_cleaner_wake(broker, incarnation),
            Ev::LogRetentionCheck { broker, incarnation } => self.on_retention_check(broker, incarnation),
            Ev::Group(ev) => self.group_timer(ev),
            Ev::Txn(ev) => self.txn_timer(ev),
            Ev::AppTick { name, instance } => self.app_tick(&name, instance),
        }
    }

    // ----- network -----

    /// Whether the broker process is up (running or shutting down).
    pub(crate) fn broker_up(&self, id: BrokerId) -> bool {
        self.brokers.get(&id).is_some_and(|b| matches!(b.process, ProcessState::Running | ProcessState::ShuttingDown))
    }

    /// Whether two brokers can talk.
    pub(crate) fn brokers_connected(&self, a: BrokerId, b: BrokerId) -> bool {
        if !self.broker_up(a) || !self.broker_up(b) {
            return false;
        }
        if a == b {
            return true;
        }
        !self.brokers[&a].isolated && !self.brokers[&b].isolated
    }

    /// Whether a client can reach a broker.
    pub(crate) fn client_reaches(&self, b: BrokerId) -> bool {
        self.broker_up(b) && !self.brokers[&b].isolated
    }

    /// The brokers a client reaches now, in id order (a handler's view of the network).
    pub(crate) fn client_reachable_brokers(&self) -> Vec<BrokerId> {
        self.brokers.keys().copied().filter(|b| self.client_reaches(*b)).collect()
    }

    /// Sends and schedules a handler's outputs, in the order it made them.
    pub(crate) fn route(&mut self, outputs: Vec<Out>) {
        for o in outputs {
            match o {
                Out::Send { from, to, msg } => self.net_send(from, to, msg),
                Out::Timer { delay_ms, ev } => self.schedule(delay_ms, ev),
                Out::Direct { broker, msg } => self.broker_receive(broker, msg),
                Out::Event(kind) => self.events.push(self.now_ms, kind),
                Out::Observe(o) => self.observe(o),
                Out::Local { broker, what } => self.broker_local(broker, what),
            }
        }
    }

    pub(crate) fn endpoint_ok(&self, from: Option<BrokerId>, to: Dest) -> bool {
        match (from, to) {
            // A group or transaction coordinator's write to its own `__consumer_offsets` or
            // `__transaction_state` partition completes in its broker's process (Kafka's append
            // callback), not over the network: isolating the broker must not lose it, or the
            // rebalance or transaction waiting for it never ends.
            (Some(a), Dest::Client(super::ids::COORDINATOR_CLIENT | super::ids::TXN_LOG_CLIENT)) => self.broker_up(a),
            (Some(a), Dest::Broker(b)) => self.brokers_connected(a, b),
            (Some(a), Dest::Controller(c)) => self.ctl.active == Some(c) && self.brokers_connected(a, c),
            (Some(a), Dest::Client(_)) => self.client_reaches(a),
            (None, Dest::Broker(b)) => self.client_reaches(b),
            (None, Dest::Controller(c)) => self.ctl.active == Some(c) && self.client_reaches(c),
            (None, Dest::Client(_)) => true,
        }
    }

    /// Sends a message from a broker (`Some(id)`) or a client (`None`).
    pub(crate) fn net_send(&mut self, from: Option<BrokerId>, to: Dest, msg: Msg) {
        if !self.endpoint_ok(from, to) {
            return;
        }
        let incarnation = match to {
            Dest::Broker(b) | Dest::Controller(b) => self.brokers[&b].incarnation,
            Dest::Client(_) => 0,
        };
        let from_incarnation = from.map_or(0, |b| self.brokers[&b].incarnation);
        self.schedule(NET_LATENCY_MS, Ev::Deliver { from, from_incarnation, to, incarnation, msg });
    }

    fn deliver(&mut self, from: Option<BrokerId>, from_incarnation: u64, to: Dest, incarnation: u64, msg: Msg) {
        // The path must still be open at delivery time, and neither end may have restarted.
        if !self.endpoint_ok(from, to) {
            return;
        }
        if let Some(a) = from {
            if self.brokers[&a].incarnation != from_incarnation {
                return;
            }
        }
        match to {
            Dest::Broker(b) | Dest::Controller(b) => {
                if self.brokers[&b].incarnation != incarnation {
                    return;
                }
                match to {
                    Dest::Controller(_) => self.controller_receive(msg),
                    _ => self.broker_receive(b, msg),
                }
            }
            Dest::Client(p) if p >= super::ids::CONSUMER_ID_BASE => self.group_client_receive(p, msg),
            Dest::Client(p) => self.producer_receive(p, msg),
        }
    }

    // ----- faults -----

    fn check_broker(&self, id: BrokerId) -> KResult<()> {
        if self.brokers.contains_key(&id) {
            Ok(())
        } else {
            Err(KafkaError::new(ErrorCode::BROKER_ID_NOT_REGISTERED, format!("Broker {id} does not exist.")))
        }
    }

    /// kill -9: the process dies at once; its disk (logs) survives.
    pub fn crash(&mut self, id: BrokerId) -> KResult<()> {
        self.check_broker(id)?;
        if !self.broker_up(id) {
            return Ok(());
        }
        self.stop_process(id, ProcessState::Crashed);
        self.events.push(self.now_ms, EventKind::BrokerCrashed { broker: id });
        Ok(())
    }

    fn stop_process(&mut self, id: BrokerId, state: ProcessState) {
        let b = self.brokers.get_mut(&id).expect("checked");
        b.process = state;
        b.incarnation += 1;
        b.view.clear();
        b.view_topics.clear();
        b.view_settings.clear();
        b.view_version = 0;
        b.parked_fetches.clear();
        b.parked_consumer_fetches.clear();
        b.fetchers.clear();
        b.purgatory.clear();
        b.shutdown_deadline_ms = None;
        for r in b.replicas.values_mut() {
            r.vol = ReplicaVolatile::default();
        }
        if self.ctl.active == Some(id) {
            self.controller_lost();
        }
    }

    /// Controlled shutdown: the controller moves leadership away, then the broker stops.
    pub fn shutdown(&mut self, id: BrokerId) -> KResult<()> {
        self.check_broker(id)?;
        let b = &self.brokers[&id];
        if b.process != ProcessState::Running {
            return Ok(());
        }
        let incarnation = b.incarnation;
        self.brokers.get_mut(&id).expect("checked").process = ProcessState::ShuttingDown;
        self.events.push(self.now_ms, EventKind::BrokerShutdownRequested { broker: id });
        if let Some(c) = self.ctl.active {
            self.net_send(Some(id), Dest::Controller(c), Msg::ControlledShutdown { broker: id, incarnation });
        }
        self.schedule(CONTROLLED_SHUTDOWN_TIMEOUT_MS, Ev::ShutdownTimeout { broker: id, incarnation });
        Ok(())
    }

    /// Controlled shutdown, then runs the simulation until the broker has stopped.
    pub fn shutdown_and_wait(&mut self, id: BrokerId) -> KResult<()> {
        self.shutdown(id)?;
        self.run_while(CONTROLLED_SHUTDOWN_TIMEOUT_MS + 10, |c| c.brokers[&id].process != ProcessState::ShuttingDown);
        Ok(())
    }

    pub(crate) fn finish_shutdown(&mut self, id: BrokerId) {
        if self.brokers[&id].process != ProcessState::ShuttingDown {
            return;
        }
        self.stop_process(id, ProcessState::Stopped);
        self.events.push(self.now_ms, EventKind::BrokerStopped { broker: id });
    }

    fn on_shutdown_timeout(&mut self, id: BrokerId, incarnation: u64) {
        if self.brokers[&id].incarnation == incarnation {
            self.finish_shutdown(id);
        }
    }

    /// Starts a crashed or stopped broker: it recovers its logs from disk, registers with the
    /// controller (fenced until it caught up with metadata) and rejoins as a follower.
    pub fn start(&mut self, id: BrokerId) -> KResult<()> {
        self.check_broker(id)?;
        if self.broker_up(id) {
            return Ok(());
        }
        let b = self.brokers.get_mut(&id).expect("checked");
        b.process = ProcessState::Running;
        b.incarnation += 1;
        let inc = b.incarnation;
        // Log recovery: the checkpointed HW may be stale; it is never above the LEO.
        for r in b.replicas.values_mut() {
            r.log.high_watermark = r.log.high_watermark.min(r.log.log_end_offset);
        }
        self.events.push(self.now_ms, EventKind::BrokerStarted { broker: id });
        self.schedule(0, Ev::BrokerHeartbeat { broker: id, incarnation: inc });
        self.schedule(REPLICA_LAG_TIME_MAX_MS / 2, Ev::BrokerIsrCheck { broker: id, incarnation: inc });
        self.schedule_log_tasks(id, inc);
        self.maybe_schedule_controller_election();
        Ok(())
    }

    /// Cuts a broker off from every other broker, the controller and all clients.
    pub fn isolate(&mut self, id: BrokerId) -> KResult<()> {
        self.check_broker(id)?;
        if self.brokers[&id].isolated {
            return Ok(());
        }
        self.brokers.get_mut(&id).expect("checked").isolated = true;
        self.events.push(self.now_ms, EventKind::BrokerIsolated { broker: id });
        self.check_controller_quorum();
        Ok(())
    }

    /// Makes a broker slow (a slow disk or link): each replica fetch it sends waits `delay_ms`
    /// first, so as a follower it falls behind; more than `replica.lag.time.max.ms` behind, its
    /// leaders drop it from the ISR (AlterPartition) and it rejoins once it has caught up.
    /// Heartbeats are not slowed: the broker stays registered and unfenced. 0 = normal speed.
    pub fn slow(&mut self, id: BrokerId, delay_ms: i64) -> KResult<()> {
        self.check_broker(id)?;
        let delay_ms = delay_ms.max(0);
        let b = self.brokers.get_mut(&id).expect("checked");
        if b.slow_ms == delay_ms {
            return Ok(());
        }
        b.slow_ms = delay_ms;
        self.events.push(self.now_ms, EventKind::BrokerSlowed { broker: id, delay_ms });
        if delay_ms == 0 {
            self.release_slow_fetches(id);
        }
        Ok(())
    }

    /// How long each replica fetch of this broker waits (`sim slow`); 0 = normal.
    pub fn broker_slow_ms(&self, id: BrokerId) -> i64 {
        self.brokers.get(&id).map_or(0, |b| b.slow_ms)
    }

    /// A broker back to normal speed sends its held fetches at once.
    fn release_slow_fetches(&mut self, id: BrokerId) {
        let Some(b) = self.brokers.get_mut(&id) else { return };
        let leaders: Vec<BrokerId> = b.fetchers.keys().copied().collect();
        for f in b.fetchers.values_mut() {
            f.slow_until_ms = None;
        }
        for leader in leaders {
            self.maybe_send_fetch(id, leader);
        }
    }

    /// Mends every network cut and makes slow brokers normal again.
    pub fn heal(&mut self) {
        let mut any = false;
        let mut slowed = Vec::new();
        for b in self.brokers.values_mut() {
            any |= b.isolated || b.slow_ms > 0;
            b.isolated = false;
            if b.slow_ms > 0 {
                b.slow_ms = 0;
                slowed.push(b.id);
            }
        }
        for id in slowed {
            self.release_slow_fetches(id);
        }
        if any {
            self.events.push(self.now_ms, EventKind::NetworkHealed);
        }
        self.maybe_schedule_controller_election();
    }

    /// Starts a broker's log cleaner thread (first iteration at once) and retention task (first
    /// check after `log.initial.task.delay.ms`).
    fn schedule_log_tasks(&mut self, id: BrokerId, incarnation: u64) {
        self.schedule(0, Ev::LogCleanerWake { broker: id, incarnation });
        self.schedule(super::config::LOG_INITIAL_TASK_DELAY_MS, Ev::LogRetentionCheck { broker: id, incarnation });
    }

    // ----- read-only state -----

    pub fn broker_ids(&self) -> Vec<BrokerId> {
        self.brokers.keys().copied().collect()
    }

    pub fn broker_status(&self) -> Vec<BrokerStatus> {
        self.brokers
            .values()
            .map(|b| BrokerStatus {
                id: b.id,
                process: b.process,
                isolated: b.isolated,
                fenced: self.ctl.regs.get(&b.id).is_none_or(|r| r.fenced),
                is_controller: self.ctl.active == Some(b.id),
                is_voter: self.ctl.voters.contains(&b.id),
            })
            .collect()
    }

    pub fn active_controller(&self) -> Option<BrokerId> {
        self.ctl.active
    }

    /// A replica's log on a broker's disk (whatever the broker's state).
    pub fn replica_log(&self, broker: BrokerId, topic: &str, partition: i32) -> Option<&PartitionLog> {
        let idx = *self.ctl.by_name.get(topic)?;
        self.brokers.get(&broker)?.replicas.get(&Tp { topic: idx, partition }).map(|r| &r.log)
    }

    /// A fresh request id (tests that hand-craft requests).
    #[cfg(test)]
    pub(crate) fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Events since the last drain (bounded; see [`super::event::EVENT_BUFFER_MAX`]).
    pub fn drain_events(&mut self) -> Vec<Event> {
        self.events.drain()
    }

    /// Starts a new action's event budget of `max_events` (the shell calls it for every input,
    /// with `budget::EVENTS_PER_ACTION_MAX` unless its limits say less).
    pub fn begin_action(&mut self, max_events: u64) {
        self.budget.begin_action(max_events);
    }

    /// A smaller bound on bytes held in logs (tests reach it without holding 512 MiB).
    pub fn set_log_bytes_max(&mut self, bytes: u64) {
        self.budget.log_bytes_max = bytes;
    }

    /// Whether the current action ran out of events (simulated time stopped early).
    pub fn action_budget_spent(&self) -> bool {
        self.budget.action_spent
    }

    /// Counts one event against the action; false once the budget is spent.
    pub(crate) fn charge_event(&mut self) -> bool {
        self.budget.charge_event()
    }

    /// Number of events dropped because nobody drained them.
    pub fn events_dropped(&self) -> u64 {
        self.events.dropped
    }

    /// Turns event recording on or off (benchmarks switch it off).
    pub fn set_events_enabled(&mut self, on: bool) {
        self.events.enabled = on;
    }

    /// Number of events processed so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The active controller as the Raft quorum knows it: what a broker learns of where to send
    /// its heartbeats and requests (KRaft's `RaftManager` leader), not the controller's memory.
    pub(crate) fn quorum_leader(&self) -> Option<BrokerId> {
        self.ctl.active
    }

    /// A partition of the metadata image by topic name: what a client's fresh metadata request
    /// would tell it (the shell's synchronous reads use it to find the leader).
    pub(crate) fn image_partition(&self, topic: &str, partition: i32) -> Option<(Tp, &PartitionMeta)> {
        let idx = *self.ctl.by_name.get(topic)?;
        let pm = usize::try_from(partition).ok().and_then(|p| self.ctl.topics[&idx].partitions.get(p))?;
        Some((Tp { topic: idx, partition }, pm))
    }

    pub(crate) fn topic_name(&self, idx: u32) -> Rc<str> {
        self.ctl.topics.get(&idx).map_or_else(|| Rc::from("?"), |t| t.name.clone())
    }

    /// Static broker configs (server.properties) plus defaults, for describe.
    pub fn static_broker_config(&self, name: &str) -> Option<String> {
        self.static_broker_configs
            .get(name)
            .cloned()
            .or_else(|| super::config::broker_config_def(name).map(|(d, _)| d.default.to_string()))
    }

    /// Every layer that sets broker config `name`, highest priority first, as DescribeConfigs'
    /// synonyms list them: the broker's own dynamic value (when `broker` is given), the dynamic
    /// cluster-wide default, the static config (server.properties), the built-in default.
    pub fn broker_config_synonyms(&self, broker: Option<BrokerId>, name: &str) -> Vec<(super::config::ConfigSource, String)> {
        use super::config::ConfigSource;
        let mut layers = Vec::new();
        if let Some(v) = broker.and_then(|b| self.ctl.per_broker_configs.get(&b)).and_then(|m| m.get(name)) {
            layers.push((ConfigSource::DynamicBrokerConfig, v.clone()));
        }
        if let Some(v) = self.ctl.dynamic_broker_configs.get(name) {
            layers.push((ConfigSource::DynamicDefaultBrokerConfig, v.clone()));
        }
        if let Some(v) = self.static_broker_configs.get(name) {
            layers.push((ConfigSource::StaticBrokerConfig, v.clone()));
        }
        if let Some((def, _)) = super::config::broker_config_def(name) {
            layers.push((ConfigSource::DefaultConfig, def.default.to_string()));
        }
        layers
    }

    pub(crate) fn broker_bool(&self, name: &str) -> bool {
        let v = self.ctl.dynamic_broker_configs.get(name).cloned().or_else(|| self.static_broker_config(name));
        v.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    pub(crate) fn broker_int(&self, name: &str) -> i64 {
        let v = self.ctl.dynamic_broker_configs.get(name).cloned().or_else(|| self.static_broker_config(name));
        v.and_then(|v| v.trim().parse().ok()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;
    use super::*;

    #[test]
    fn same_instant_guard_defers_zero_delays_only_past_the_limit() {
        assert_eq!(instant_guard_delay(0, 0), 0);
        assert_eq!(instant_guard_delay(-5, 10), 0);
        assert_eq!(instant_guard_delay(0, INSTANT_EVENTS_MAX - 1), 0);
        assert_eq!(instant_guard_delay(0, INSTANT_EVENTS_MAX), 1);
        assert_eq!(instant_guard_delay(7, INSTANT_EVENTS_MAX * 2), 7);
    }
}
