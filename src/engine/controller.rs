//! The KRaft controller: broker registrations and sessions, fencing, leader election, ISR
//! changes (AlterPartition), controlled shutdown, the quorum (voters = the first min(3, n)
//! brokers), and the admin operations (topics, partitions, configs, elections).

use std::collections::BTreeMap;
use super::cluster::*;
use super::config::{self, ConfigEntry, ConfigSource, TopicSettings};
use super::error::{ErrorCode, KResult, KafkaError};
use super::event::{ElectionKind, EventKind};
use super::placement;
use super::rng::uuid_base64;
use std::rc::Rc;

/// The request to create a topic (CreateTopics).
#[derive(Clone, Debug, Default)]
pub struct NewTopic {
    pub name: String,
    /// None = `num.partitions`.
    pub partitions: Option<i32>,
    /// None = `default.replication.factor`.
    pub replication_factor: Option<i16>,
    /// Explicit replica lists, one per partition (excludes partitions/replication factor).
    pub assignment: Option<Vec<Vec<i32>>>,
    pub configs: Vec<(String, String)>,
    pub validate_only: bool,
}

impl NewTopic {
    pub fn new(name: &str, partitions: i32, replication_factor: i16) -> NewTopic {
        NewTopic { name: name.to_string(), partitions: Some(partitions), replication_factor: Some(replication_factor), ..Default::default() }
    }
    pub fn config(mut self, k: &str, v: &str) -> NewTopic {
        self.configs.push((k.to_string(), v.to_string()));
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionDescription {
    pub id: i32,
    pub leader: Option<i32>,
    pub leader_epoch: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    /// Eligible leader replicas: None = feature off (printed `N/A`).
    pub elr: Option<Vec<i32>>,
    pub last_known_elr: Option<Vec<i32>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicDescription {
    pub name: String,
    pub id: String,
    pub internal: bool,
    /// Non-default configs (what `--describe` prints after `Configs:`), sorted by name.
    pub configs: Vec<ConfigEntry>,
    pub partitions: Vec<PartitionDescription>,
}

/// Which config resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigResource {
    Topic(String),
    /// A broker by id, or `None` for the cluster-wide default (`--entity-default`).
    Broker(Option<i32>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlterOp {
    Set(String, String),
    Delete(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElectionType {
    Preferred,
    Unclean,
}

pub const INTERNAL_TOPICS: [&str; 3] = ["__consumer_offsets", "__transaction_state", "__share_group_state"];

/// QuorumController's `maxRecordsPerUserOp`: the most metadata records one request may write.
const MAX_RECORDS_PER_USER_OP: usize = 10_000;

/// A topic's TopicRecord with its resolved configs, as brokers receive it.
fn topic_record(t: &TopicMeta) -> TopicRecord {
    TopicRecord { idx: t.idx, name: t.name.clone(), settings: t.settings.clone() }
}

pub(crate) fn topic_name_error(name: &str) -> Option<String> {
    let reason = if name.is_empty() {
        "the empty string is not allowed".to_string()
    } else if name == "." {
        "'.' is not allowed".to_string()
    } else if name == ".." {
        "'..' is not allowed".to_string()
    } else if name.chars().count() > 249 {
        format!("the length of '{name}' is longer than the max allowed length 249")
    } else if !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || c == b'-') {
        format!("'{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'")
    } else {
        return None;
    };
    Some(format!("Topic name is invalid: {reason}"))
}

fn unify_collision(name: &str) -> String {
    name.replace('.', "_")
}

impl Cluster {
    // ----- quorum -----

    fn voters_reachable_from(&self, c: BrokerId) -> usize {
        self.ctl.voters.iter().filter(|&&v| self.brokers_connected(c, v)).count()
    }

    fn majority(&self) -> usize {
        self.ctl.voters.len() / 2 + 1
    }

    pub(crate) fn controller_lost(&mut self) {
        if self.ctl.active.take().is_some() {
            self.events.push(self.now_ms, EventKind::ControllerUnavailable);
        }
        self.maybe_schedule_controller_election();
    }

    pub(crate) fn maybe_schedule_controller_election(&mut self) {
        if self.ctl.active.is_none() && self.ctl.election_due_ms.is_none() {
            self.ctl.election_due_ms = Some(self.now_ms + CONTROLLER_ELECTION_TIMEOUT_MS);
        }
    }

    /// The active controller keeps its role only while it reaches a majority of voters.
    pub(crate) fn check_controller_quorum(&mut self) {
        if let Some(c) = self.ctl.active {
            if !self.broker_up(c) || self.voters_reachable_from(c) < self.majority() {
                self.controller_lost();
            }
        }
    }

    fn try_elect_controller(&mut self) {
        let due = match self.ctl.election_due_ms {
            Some(d) => d,
            None => return,
        };
        if self.now_ms < due {
            return;
        }
        let candidates: Vec<BrokerId> = self
            .ctl
            .voters
            .iter()
            .copied()
            .filter(|&v| self.broker_up(v) && self.brokers[&v].process == ProcessState::Running && self.voters_reachable_from(v) >= self.majority())
            .collect();
        if candidates.is_empty() {
            self.ctl.election_due_ms = Some(self.now_ms + CONTROLLER_ELECTION_TIMEOUT_MS);
            return;
        }
        let pick = candidates[self.rng.below(candidates.len() as u64) as usize];
        self.ctl.active = Some(pick);
        self.ctl.election_due_ms = None;
        // A new controller gives every broker a fresh session.
        for r in self.ctl.regs.values_mut() {
            r.last_heartbeat_ms = self.now_ms;
        }
        self.events.push(self.now_ms, EventKind::ControllerElected { broker: pick });
    }

    pub(crate) fn on_controller_tick(&mut self) {
        self.schedule(CONTROLLER_TICK_MS, Ev::ControllerTick);
        self.check_controller_quorum();
        if self.ctl.active.is_none() {
            self.try_elect_controller();
            if self.ctl.active.is_none() {
                return;
            }
        }
        // Sessions.
        let expired: Vec<BrokerId> = self
            .ctl
            .regs
            .iter()
            .filter(|(_, r)| !r.fenced && self.now_ms - r.last_heartbeat_ms > BROKER_SESSION_TIMEOUT_MS)
            .map(|(id, _)| *id)
            .collect();
        for b in expired {
            self.fence_broker(b);
        }
        if self.now_ms >= self.ctl.next_unclean_check_ms {
            self.ctl.next_unclean_check_ms = self.now_ms + UNCLEAN_ELECTION_INTERVAL_MS;
            let changed = self.elect_leaderless(None);
            self.publish(changed, Vec::new(), Vec::new());
        }
        self.maybe_balance_leaders();
    }

    /// `auto.leader.rebalance.enable`: the KRaft controller moves leadership back to the
    /// preferred replica (the first in the assignment) of EVERY imbalanced partition once that
    /// replica is in the ISR and unfenced, `leader.imbalance.check.interval.seconds` (300) after it
    /// first saw an imbalance. (The ZooKeeper controller's `leader.imbalance.per.broker.percentage`
    /// threshold does not exist in KRaft.)
    fn maybe_balance_leaders(&mut self) {
        if !self.broker_bool("auto.leader.rebalance.enable") {
            self.ctl.balance_leaders_at_ms = None;
            return;
        }
        let imbalanced: Vec<Tp> = self
            .ctl
            .topics
            .iter()
            .flat_map(|(idx, t)| {
                t.partitions.iter().enumerate().filter(|(_, pm)| pm.leader != pm.replicas.first().copied()).map(move |(p, _)| Tp { topic: *idx, partition: p as i32 })
            })
            .collect();
        let Some(at) = self.ctl.balance_leaders_at_ms else {
            if !imbalanced.is_empty() {
                let interval_ms = self.broker_int("leader.imbalance.check.interval.seconds").max(1) * 1000;
                self.ctl.balance_leaders_at_ms = Some(self.now_ms + interval_ms);
            }
            return;
        };
        if self.now_ms < at {
            return;
        }
        self.ctl.balance_leaders_at_ms = None;
        let mut changed = Vec::new();
        for tp in imbalanced {
            let pm = &self.ctl.topics[&tp.topic].partitions[tp.partition as usize];
            let Some(&preferred) = pm.replicas.first() else { continue };
            if pm.isr.contains(&preferred) && self.broker_active(preferred) {
                self.set_leader(tp, Some(preferred), ElectionKind::Preferred);
                changed.push(tp);
            }
        }
        self.publish(changed, Vec::new(), Vec::new());
    }

    /// The brokers a new partition may be placed on, with whether each is fenced: every
    /// registered broker (ClusterControlManager.usableBrokers); one in controlled shutdown counts
    /// as fenced, so it never leads a new partition.
    fn usable_brokers(&self) -> Vec<(BrokerId, bool)> {
        self.ctl.regs.keys().map(|b| (*b, !self.broker_active(*b))).collect()
    }

    pub(crate) fn broker_active(&self, b: BrokerId) -> bool {
        self.ctl.regs.get(&b).is_some_and(|r| !r.fenced && !r.in_controlled_shutdown)
    }

    // ----- partition changes -----

    /// Applies a new leader (and maybe ISR) to one partition, bumping epochs and recording the
    /// election. Returns true if something changed.
    fn set_leader(&mut self, tp: Tp, leader: Option<BrokerId>, kind: ElectionKind) {
        let now = self.now_ms;
        let Some(t) = self.ctl.topics.get_mut(&tp.topic) else { return };
        let Some(pm) = t.partitions.get_mut(tp.partition as usize) else { return };
        pm.leader = leader;
        pm.leader_epoch += 1;
        pm.partition_epoch += 1;
        if kind == ElectionKind::Unclean {
            if let Some(l) = leader {
                pm.isr = vec![l];
                pm.recovering = true;
            }
        }
        let epoch = pm.leader_epoch;
        let name = t.name.clone();
        if let Some(l) = leader {
            self.ctl.epoch_leaders.insert((tp, epoch), l);
        }
        self.events.push(now, EventKind::LeaderElected { topic: name, partition: tp.partition, leader, leader_epoch: epoch, kind });
        if kind == ElectionKind::Unclean {
            for b in self.ctl.topics[&tp.topic].partitions[tp.partition as usize].replicas.clone() {
                if Some(b) != leader {
                    self.unclean_tainted.insert((tp, b));
                }
            }
        }
        if kind == ElectionKind::Unclean && self.track_invariants {
            // Committed data not on the new leader is lost: that is what unclean election means.
            if let (Some(l), Some(ledger)) = (leader, self.ledger.get_mut(&tp)) {
                if let Some(r) = self.brokers.get(&l).and_then(|b| b.replicas.get(&tp)) {
                    let kept = ledger.iter().zip(r.log.all_batches()).take_while(|(a, b)| Rc::ptr_eq(a, b)).count();
                    ledger.truncate(kept);
                }
            }
        }
    }

    fn pick_leader(&self, pm: &PartitionMeta, unclean_ok: bool) -> Option<(BrokerId, bool)> {
        if let Some(b) = pm.replicas.iter().find(|b| pm.isr.contains(b) && self.broker_active(**b)) {
            return Some((*b, false));
        }
        if unclean_ok {
            if let Some(b) = pm.replicas.iter().find(|b| self.broker_active(**b)) {
                return Some((*b, true));
            }
        }
        None
    }

    /// Elects leaders for partitions without a valid one (after fencing, unfencing, or the
    /// periodic check). `only_broker` limits to partitions hosting that broker.
    fn elect_leaderless(&mut self, only_broker: Option<BrokerId>) -> Vec<Tp> {
        let mut changed = Vec::new();
        let mut todo = Vec::new();
        for t in self.ctl.topics.values() {
            for (p, pm) in t.partitions.iter().enumerate() {
                if only_broker.is_some_and(|b| !pm.replicas.contains(&b)) {
                    continue;
                }
                let valid = pm.leader.is_some_and(|l| self.broker_active(l) && pm.isr.contains(&l));
                if !valid {
                    todo.push((Tp { topic: t.idx, partition: p as i32 }, pm.clone(), t.settings.unclean_leader_election_enable));
                }
            }
        }
        for (tp, pm, unclean) in todo {
            match self.pick_leader(&pm, unclean) {
                Some((l, u)) => {
                    self.set_leader(tp, Some(l), if u { ElectionKind::Unclean } else { ElectionKind::Clean });
                    changed.push(tp);
                }
                None => {
                    if pm.leader.is_some() {
                        self.set_leader(tp, None, ElectionKind::Clean);
                        changed.push(tp);
                    }
                }
            }
        }
        changed
    }

    /// Removes a broker from every ISR (never the last member) and moves its leaderships.
    fn remove_from_isrs(&mut self, b: BrokerId, kind: ElectionKind) -> Vec<Tp> {
        let mut changed = Vec::new();
        let now = self.now_ms;
        let idxs: Vec<u32> = self.ctl.topics.keys().copied().collect();
        for ti in idxs {
            let n = self.ctl.topics[&ti].partitions.len();
            for p in 0..n {
                let tp = Tp { topic: ti, partition: p as i32 };
                let t = self.ctl.topics.get_mut(&ti).expect("exists");
                let name = t.name.clone();
                let pm = &mut t.partitions[p];
                let mut touched = false;
                if pm.isr.contains(&b) && pm.isr.len() > 1 {
                    let from = pm.isr.clone();
                    pm.isr.retain(|&x| x != b);
                    pm.partition_epoch += 1;
                    let to = pm.isr.clone();
                    self.events.push(now, EventKind::IsrShrunk { topic: name, partition: p as i32, from, to });
                    touched = true;
                }
                let pm = self.ctl.topics[&ti].partitions[p].clone();
                if pm.leader == Some(b) {
                    let unclean = self.ctl.topics[&ti].settings.unclean_leader_election_enable;
                    match self.pick_leader(&pm, unclean) {
                        Some((l, u)) => self.set_leader(tp, Some(l), if u { ElectionKind::Unclean } else { kind }),
                        None => self.set_leader(tp, None, kind),
                    }
                    touched = true;
                }
                if touched {
                    changed.push(tp);
                }
            }
        }
        changed
    }

    fn fence_broker(&mut self, b: BrokerId) {
        let Some(r) = self.ctl.regs.get_mut(&b) else { return };
        if r.fenced {
            return;
        }
        r.fenced = true;
        self.events.push(self.now_ms, EventKind::BrokerFenced { broker: b });
        let changed = self.remove_from_isrs(b, ElectionKind::Clean);
        self.publish(changed, Vec::new(), Vec::new());
    }

    /// Sends the metadata delta for `parts` and topic records (added, configs changed, deleted)
    /// to every broker.
    pub(crate) fn publish(&mut self, parts: Vec<Tp>, topics_changed: Vec<u32>, topics_deleted: Vec<u32>) {
        if parts.is_empty() && topics_changed.is_empty() && topics_deleted.is_empty() {
            return;
        }
        let from_version = self.ctl.version;
        self.ctl.version += 1;
        let to_version = self.ctl.version;
        let topics: Vec<TopicRecord> = topics_changed.iter().filter_map(|i| self.ctl.topics.get(i).map(topic_record)).collect();
        let part_list: Vec<(Tp, PartitionMeta)> = parts
            .iter()
            .filter_map(|tp| self.ctl.topics.get(&tp.topic).and_then(|t| t.partitions.get(tp.partition as usize)).map(|pm| (*tp, pm.clone())))
            .collect();
        let Some(c) = self.ctl.active else { return };
        let ids: Vec<BrokerId> = self.brokers.keys().copied().collect();
        for b in ids {
            self.net_send(
                Some(c),
                Dest::Broker(b),
                Msg::Metadata { from_version, to_version, full: false, topics: topics.clone(), deleted_topics: topics_deleted.clone(), parts: part_list.clone() },
            );
        }
    }

    fn send_snapshot(&mut self, b: BrokerId) {
        let Some(c) = self.ctl.active else { return };
        let topics: Vec<TopicRecord> = self.ctl.topics.values().map(topic_record).collect();
        let mut parts = Vec::new();
        for t in self.ctl.topics.values() {
            for (p, pm) in t.partitions.iter().enumerate() {
                parts.push((Tp { topic: t.idx, partition: p as i32 }, pm.clone()));
            }
        }
        let v = self.ctl.version;
        self.net_send(Some(c), Dest::Broker(b), Msg::Metadata { from_version: 0, to_version: v, full: true, topics, deleted_topics: Vec::new(), parts });
    }

    pub(crate) fn controller_receive(&mut self, msg: Msg) {
        if self.ctl.active.is_none() {
            return;
        }
        match msg {
            Msg::Heartbeat { broker, incarnation, view_version } => {
                let now = self.now_ms;
                let reg = self.ctl.regs.entry(broker).or_insert(BrokerReg { incarnation, fenced: true, in_controlled_shutdown: false, last_heartbeat_ms: now });
                let restarted = reg.incarnation != incarnation;
                reg.last_heartbeat_ms = now;
                if restarted {
                    // A new incarnation: the old one's session is over (fence, leave ISRs).
                    reg.incarnation = incarnation;
                    reg.in_controlled_shutdown = false;
                    self.fence_broker(broker);
                }
                if view_version != self.ctl.version {
                    self.send_snapshot(broker);
                    return;
                }
                let reg = self.ctl.regs.get_mut(&broker).expect("inserted");
                if reg.fenced && !reg.in_controlled_shutdown {
                    reg.fenced = false;
                    self.events.push(now, EventKind::BrokerUnfenced { broker });
                    let changed = self.elect_leaderless(Some(broker));
                    self.publish(changed, Vec::new(), Vec::new());
                }
            }
            Msg::ControlledShutdown { broker, incarnation } => {
                let Some(reg) = self.ctl.regs.get_mut(&broker) else { return };
                if reg.incarnation != incarnation {
                    return;
                }
                reg.in_controlled_shutdown = true;
                let changed = self.remove_from_isrs(broker, ElectionKind::ControlledShutdown);
                let reg = self.ctl.regs.get_mut(&broker).expect("exists");
                if !reg.fenced {
                    reg.fenced = true;
                    self.events.push(self.now_ms, EventKind::BrokerFenced { broker });
                }
                self.publish(changed, Vec::new(), Vec::new());
                let c = self.ctl.active.expect("checked");
                self.net_send(Some(c), Dest::Broker(broker), Msg::ControlledShutdownDone);
            }
            Msg::AlterPartition { broker, tp, leader_epoch, partition_epoch, new_isr } => {
                let ok = self.apply_alter_partition(broker, tp, leader_epoch, partition_epoch, new_isr);
                if ok {
                    self.publish(vec![tp], Vec::new(), Vec::new());
                }
                let committed_epoch = ok.then_some(partition_epoch + 1);
                let c = self.ctl.active.expect("checked");
                self.net_send(Some(c), Dest::Broker(broker), Msg::AlterPartitionDone { tp, committed_epoch });
            }
            _ => {}
        }
    }

    fn apply_alter_partition(&mut self, broker: BrokerId, tp: Tp, leader_epoch: i32, partition_epoch: i32, new_isr: Vec<BrokerId>) -> bool {
        let active: Vec<bool> = new_isr.iter().map(|b| self.broker_active(*b)).collect();
        let now = self.now_ms;
        let Some(t) = self.ctl.topics.get_mut(&tp.topic) else { return false };
        let name = t.name.clone();
        let Some(pm) = t.partitions.get_mut(tp.partition as usize) else { return false };
        if pm.leader != Some(broker) || pm.leader_epoch != leader_epoch || pm.partition_epoch != partition_epoch {
            return false;
        }
        if new_isr.is_empty() || !new_isr.contains(&broker) || new_isr.iter().any(|b| !pm.replicas.contains(b)) {
            return false;
        }
        // Added members must be active (unfenced, not shutting down).
        for (b, a) in new_isr.iter().zip(active) {
            if !pm.isr.contains(b) && !a {
                return false;
            }
        }
        let from = pm.isr.clone();
        pm.isr = new_isr.clone();
        pm.partition_epoch += 1;
        pm.recovering = false;
        let kind = if new_isr.len() < from.len() {
            EventKind::IsrShrunk { topic: name, partition: tp.partition, from, to: new_isr }
        } else {
            EventKind::IsrExpanded { topic: name, partition: tp.partition, from, to: new_isr }
        };
        self.events.push(now, kind);
        true
    }

    // ----- admin operations -----

    /// Waits (simulated) until a controller is active, or fails like the admin client.
    fn await_controller(&mut self, call: &str) -> KResult<()> {
        if self.ctl.active.is_some() {
            return Ok(());
        }
        if self.run_while(ADMIN_TIMEOUT_MS, |c| c.ctl.active.is_some()) {
            return Ok(());
        }
        Err(KafkaError::new(ErrorCode::REQUEST_TIMED_OUT, format!("Timed out waiting for a node assignment. Call: {call}")))
    }

    /// Lets metadata reach the brokers after a controller change.
    fn settle(&mut self) {
        self.advance(3 * NET_LATENCY_MS);
    }

    pub(crate) fn topic_settings_for(&self, overrides: &BTreeMap<String, String>) -> TopicSettings {
        TopicSettings::resolve(overrides, &self.ctl.dynamic_broker_configs, &self.static_broker_configs)
    }

    /// CreateTopics (one topic). Runs the simulation until the controller answered.
    pub fn create_topic(&mut self, req: NewTopic) -> KResult<()> {
        self.await_controller("createTopics")?;
        self.create_topic_now(&req)?;
        if !req.validate_only {
            self.settle();
        }
        Ok(())
    }

    /// The controller-side creation (also used by auto-creation).
    pub(crate) fn create_topic_now(&mut self, req: &NewTopic) -> KResult<u32> {
        if let Some(e) = topic_name_error(&req.name) {
            return Err(KafkaError::new(ErrorCode::INVALID_TOPIC_EXCEPTION, e));
        }
        if self.ctl.by_name.contains_key(&req.name) {
            return Err(KafkaError::new(ErrorCode::TOPIC_ALREADY_EXISTS, format!("Topic '{}' already exists.", req.name)));
        }
        let unified = unify_collision(&req.name);
        if let Some(other) = self.ctl.by_name.keys().find(|n| unify_collision(n) == unified) {
            return Err(KafkaError::new(ErrorCode::INVALID_TOPIC_EXCEPTION, format!("Topic '{}' collides with existing topic: {}", req.name, other)));
        }
        let configs = config::validate_topic_configs(&req.configs)?;
        let assignment: Vec<Vec<i32>> = if let Some(asg) = &req.assignment {
            if req.replication_factor.is_some_and(|r| r != -1) {
                return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, "A manual partition assignment was specified, but replication factor was not set to -1."));
            }
            if req.partitions.is_some_and(|p| p != -1) {
                return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, "A manual partition assignment was specified, but numPartitions was not set to -1."));
            }
            if asg.is_empty() {
                return Err(KafkaError::new(ErrorCode::INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes an empty replica list."));
            }
            let mut rf = None;
            for (p, replicas) in asg.iter().enumerate() {
                self.validate_manual_assignment(replicas, rf)?;
                rf = Some(replicas.len());
                if !replicas.iter().any(|b| self.broker_active(*b)) {
                    return Err(KafkaError::new(
                        ErrorCode::INVALID_REPLICA_ASSIGNMENT,
                        format!("All brokers specified in the manual partition assignment for partition {p} are fenced or in controlled shutdown."),
                    ));
                }
            }
            asg.clone()
        } else {
            let rf = req.replication_factor.map(|r| r as i32).unwrap_or(-1);
            let np = req.partitions.unwrap_or(-1);
            if rf < -1 || rf == 0 {
                return Err(KafkaError::new(ErrorCode::INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0, or -1 to use the default value."));
            }
            if np < -1 || np == 0 {
                return Err(KafkaError::new(ErrorCode::INVALID_PARTITIONS, "Number of partitions was set to an invalid non-positive value."));
            }
            let rf = if rf == -1 { self.broker_int("default.replication.factor") as i32 } else { rf };
            let np = if np == -1 { self.broker_int("num.partitions") as i32 } else { np };
            if np > 100_000 {
                return Err(KafkaError::new(ErrorCode::POLICY_VIOLATION, format!("The sandbox supports at most 100000 partitions per topic, not {np}.")));
            }
            let usable = self.usable_brokers();
            let Some(a) = placement::place_striped(&usable, np, rf, &mut self.rng) else {
                let why = placement::placement_error(&usable, rf).unwrap_or_default();
                return Err(KafkaError::new(ErrorCode::INVALID_REPLICATION_FACTOR, format!("Unable to replicate the partition {rf} time(s): {why}")));
            };
            // The controller collects a topic's records in a BoundedList of maxRecordsPerUserOp
            // (10000): one TopicRecord, a ConfigRecord per config, a PartitionRecord per partition.
            if 1 + req.configs.len() + a.len() > MAX_RECORDS_PER_USER_OP {
                return Err(KafkaError::new(ErrorCode::POLICY_VIOLATION, "Unable to perform excessively large batch operation."));
            }
            a
        };
        self.check_partition_budget(assignment.len())?;
        if req.validate_only {
            return Ok(u32::MAX);
        }
        let idx = self.ctl.next_topic_idx;
        self.ctl.next_topic_idx += 1;
        let id = uuid_base64(&mut self.rng);
        let settings = self.topic_settings_for(&configs);
        let name: Rc<str> = Rc::from(req.name.as_str());
        let mut partitions = Vec::with_capacity(assignment.len());
        for (p, replicas) in assignment.iter().enumerate() {
            let isr: Vec<i32> = replicas.iter().copied().filter(|b| self.broker_active(*b)).collect();
            let leader = replicas.iter().copied().find(|b| isr.contains(b));
            if let Some(l) = leader {
                self.ctl.epoch_leaders.insert((Tp { topic: idx, partition: p as i32 }, 0), l);
            }
            partitions.push(PartitionMeta { replicas: replicas.clone(), isr, leader, leader_epoch: 0, partition_epoch: 0, recovering: false });
        }
        let rf = assignment.first().map_or(0, |r| r.len() as i32);
        let np = partitions.len() as i32;
        self.ctl.topics.insert(
            idx,
            TopicMeta { name: name.clone(), id, idx, internal: INTERNAL_TOPICS.contains(&req.name.as_str()), configs, settings, partitions },
        );
        self.ctl.by_name.insert(req.name.clone(), idx);
        self.events.push(self.now_ms, EventKind::TopicCreated { topic: name, partitions: np, replication_factor: rf });
        let parts: Vec<Tp> = (0..np).map(|p| Tp { topic: idx, partition: p }).collect();
        self.publish(parts, vec![idx], Vec::new());
        Ok(idx)
    }

    fn validate_manual_assignment(&self, replicas: &[i32], rf: Option<usize>) -> KResult<()> {
        if replicas.is_empty() {
            return Err(KafkaError::new(ErrorCode::INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes an empty replica list."));
        }
        let mut sorted = replicas.to_vec();
        sorted.sort();
        let mut prev = None;
        for b in &sorted {
            if !self.ctl.regs.contains_key(b) {
                return Err(KafkaError::new(
                    ErrorCode::INVALID_REPLICA_ASSIGNMENT,
                    format!("The manual partition assignment includes broker {b}, but no such broker is registered."),
                ));
            }
            if prev == Some(*b) {
                return Err(KafkaError::new(
                    ErrorCode::INVALID_REPLICA_ASSIGNMENT,
                    format!("The manual partition assignment includes the broker {b} more than once."),
                ));
            }
            prev = Some(*b);
        }
        if let Some(rf) = rf {
            if sorted.len() != rf {
                return Err(KafkaError::new(
                    ErrorCode::INVALID_REPLICA_ASSIGNMENT,
                    format!(
                        "The manual partition assignment includes a partition with {} replica(s), but this is not consistent with previous partitions, which have {rf} replica(s).",
                        sorted.len()
                    ),
                ));
            }
        }
        Ok(())
    }

    fn topic_idx(&self, name: &str) -> KResult<u32> {
        self.ctl.by_name.get(name).copied().ok_or_else(|| KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION))
    }

    /// DeleteTopics. The name can be reused at once; a new topic gets a new id.
    pub fn delete_topic(&mut self, name: &str) -> KResult<()> {
        self.await_controller("deleteTopics")?;
        if !self.broker_bool("delete.topic.enable") {
            return Err(KafkaError::new(ErrorCode::TOPIC_DELETION_DISABLED, "Topic deletion is disabled."));
        }
        let idx = self.topic_idx(name)?;
        let t = self.ctl.topics.remove(&idx).expect("indexed");
        self.ctl.by_name.remove(name);
        self.ledger.retain(|tp, _| tp.topic != idx);
        self.groups_on_topic_deleted(name);
        self.events.push(self.now_ms, EventKind::TopicDeleted { topic: t.name.clone() });
        self.publish(Vec::new(), Vec::new(), vec![idx]);
        self.settle();
        Ok(())
    }

    /// CreatePartitions: grow `name` to `total` partitions (optionally with explicit replicas
    /// for the new ones). New partitions continue the classic placement sequence.
    pub fn create_partitions(&mut self, name: &str, total: i32, assignment: Option<Vec<Vec<i32>>>) -> KResult<()> {
        self.await_controller("createPartitions")?;
        let idx = self.topic_idx(name)?;
        let t = &self.ctl.topics[&idx];
        let current = t.partitions.len() as i32;
        if total == current {
            return Err(KafkaError::new(ErrorCode::INVALID_PARTITIONS, format!("Topic already has {current} partition(s).")));
        }
        if total < current {
            return Err(KafkaError::new(
                ErrorCode::INVALID_PARTITIONS,
                format!("The topic {name} currently has {current} partition(s); {total} would not be an increase."),
            ));
        }
        if total > 100_000 {
            return Err(KafkaError::new(ErrorCode::POLICY_VIOLATION, format!("The sandbox supports at most 100000 partitions per topic, not {total}.")));
        }
        let additional = total - current;
        self.check_partition_budget(additional as usize)?;
        let t = &self.ctl.topics[&idx];
        let rf = t.partitions[0].replicas.len();
        let new: Vec<Vec<i32>> = match assignment {
            Some(a) => {
                if a.len() as i32 != additional {
                    return Err(KafkaError::new(
                        ErrorCode::INVALID_REPLICA_ASSIGNMENT,
                        format!("Attempted to add {additional} additional partition(s), but only {} assignment(s) were specified.", a.len()),
                    ));
                }
                for (i, r) in a.iter().enumerate() {
                    self.validate_manual_assignment(r, Some(rf))?;
                    if !r.iter().any(|b| self.broker_active(*b)) {
                        return Err(KafkaError::new(
                            ErrorCode::INVALID_REPLICA_ASSIGNMENT,
                            format!("All brokers specified in the manual partition assignment for partition {} are fenced or in controlled shutdown.", current as usize + i),
                        ));
                    }
                }
                a
            }
            None => {
                // Kafka's createPartitions passes the placer's message on without a prefix.
                let usable = self.usable_brokers();
                match placement::place_striped(&usable, additional, rf as i32, &mut self.rng) {
                    Some(a) => a,
                    None => {
                        let why = placement::placement_error(&usable, rf as i32).unwrap_or_default();
                        return Err(KafkaError::new(ErrorCode::INVALID_REPLICATION_FACTOR, why));
                    }
                }
            }
        };
        let mut parts = Vec::new();
        for (i, replicas) in new.into_iter().enumerate() {
            let isr: Vec<i32> = replicas.iter().copied().filter(|b| self.broker_active(*b)).collect();
            if isr.is_empty() {
                return Err(KafkaError::new(
                    ErrorCode::INVALID_REPLICATION_FACTOR,
                    format!("Unable to replicate the partition {rf} time(s): All brokers are currently fenced or in controlled shutdown."),
                ));
            }
            let leader = replicas.iter().copied().find(|b| isr.contains(b));
            let tp = Tp { topic: idx, partition: current + i as i32 };
            if let Some(l) = leader {
                self.ctl.epoch_leaders.insert((tp, 0), l);
            }
            self.ctl.topics.get_mut(&idx).expect("exists").partitions.push(PartitionMeta {
                replicas,
                isr,
                leader,
                leader_epoch: 0,
                partition_epoch: 0,
                recovering: false,
            });
            parts.push(tp);
        }
        self.events.push(self.now_ms, EventKind::PartitionsCreated { topic: self.topic_name(idx), total });
        self.publish(parts, Vec::new(), Vec::new());
        self.settle();
        Ok(())
    }

    /// Topic names, sorted (internal topics included, as Kafka lists them).
    pub fn topic_names(&self) -> Vec<String> {
        self.ctl.by_name.keys().cloned().collect()
    }

    pub fn topic_exists(&self, name: &str) -> bool {
        self.ctl.by_name.contains_key(name)
    }

    /// The controller's view of a topic (what `kafka-topics --describe` prints).
    pub fn describe_topic(&self, name: &str) -> KResult<TopicDescription> {
        let idx = self.topic_idx(name)?;
        let t = &self.ctl.topics[&idx];
        let configs = self.topic_config_entries(t).into_iter().filter(|e| e.source != ConfigSource::DefaultConfig).collect();
        Ok(TopicDescription {
            name: t.name.to_string(),
            id: t.id.clone(),
            internal: t.internal,
            configs,
            partitions: t
                .partitions
                .iter()
                .enumerate()
                .map(|(p, pm)| PartitionDescription {
                    id: p as i32,
                    leader: pm.leader,
                    leader_epoch: pm.leader_epoch,
                    replicas: pm.replicas.clone(),
                    isr: pm.isr.clone(),
                    elr: None,
                    last_known_elr: None,
                })
                .collect(),
        })
    }

    fn topic_config_entries(&self, t: &TopicMeta) -> Vec<ConfigEntry> {
        config::TOPIC_CONFIGS
            .iter()
            .map(|def| {
                let (value, source) = config::effective_topic_value(def, &t.configs, &self.ctl.dynamic_broker_configs, &self.static_broker_configs);
                ConfigEntry { name: def.name.to_string(), value, source, read_only: false, sensitive: false }
            })
            .collect()
    }

    /// DescribeConfigs: every config of the resource with its value and source.
    pub fn describe_configs(&self, resource: &ConfigResource) -> KResult<Vec<ConfigEntry>> {
        match resource {
            ConfigResource::Topic(name) => {
                let idx = self.topic_idx(name)?;
                Ok(self.topic_config_entries(&self.ctl.topics[&idx]))
            }
            ConfigResource::Broker(id) => {
                if let Some(id) = id {
                    self.check_broker_id(*id)?;
                }
                Ok(config::BROKER_CONFIGS
                    .iter()
                    .map(|(def, dynamic)| {
                        let own = id.and_then(|b| self.ctl.per_broker_configs.get(&b)).and_then(|m| m.get(def.name));
                        let (value, source) = if let Some(v) = own {
                            (v.clone(), ConfigSource::DynamicBrokerConfig)
                        } else if let Some(v) = self.ctl.dynamic_broker_configs.get(def.name) {
                            (v.clone(), ConfigSource::DynamicDefaultBrokerConfig)
                        } else if let Some(v) = self.static_broker_configs.get(def.name) {
                            (v.clone(), ConfigSource::StaticBrokerConfig)
                        } else {
                            (def.default.to_string(), ConfigSource::DefaultConfig)
                        };
                        ConfigEntry { name: def.name.to_string(), value, source, read_only: !dynamic, sensitive: false }
                    })
                    .collect())
            }
        }
    }

    fn check_broker_id(&self, id: i32) -> KResult<()> {
        if self.brokers.contains_key(&id) {
            Ok(())
        } else {
            Err(KafkaError::new(ErrorCode::INVALID_REQUEST, format!("Unexpected broker id, expected one of the registered brokers but received {id}")))
        }
    }

    /// IncrementalAlterConfigs for a topic or (cluster-wide) broker configs.
    pub fn alter_configs(&mut self, resource: &ConfigResource, ops: &[AlterOp]) -> KResult<()> {
        self.await_controller("incrementalAlterConfigs")?;
        match resource {
            ConfigResource::Topic(name) => self.alter_topic_configs(name, ops),
            ConfigResource::Broker(id) => self.alter_broker_configs(*id, ops),
        }
    }

    /// One `ConfigChanged` event per operation, on `resource` (`topic t`, `broker 1`, ...).
    fn config_change_events(&mut self, resource: &str, ops: &[AlterOp]) {
        for op in ops {
            let (n, v) = match op {
                AlterOp::Set(k, v) => (k.clone(), Some(v.clone())),
                AlterOp::Delete(k) => (k.clone(), None),
            };
            self.events.push(self.now_ms, EventKind::ConfigChanged { resource: resource.to_string(), name: n, value: v });
        }
    }

    /// A topic's configs after `ops`, validated; its settings follow.
    fn alter_topic_configs(&mut self, name: &str, ops: &[AlterOp]) -> KResult<()> {
        let idx = self.topic_idx(name)?;
        let mut configs = self.ctl.topics[&idx].configs.clone();
        for op in ops {
            match op {
                AlterOp::Set(k, v) => {
                    configs.insert(k.clone(), v.clone());
                }
                AlterOp::Delete(k) => {
                    if config::topic_config_def(k).is_none() {
                        return Err(KafkaError::new(ErrorCode::INVALID_CONFIG, format!("Unknown topic config name: {k}")));
                    }
                    configs.remove(k);
                }
            }
        }
        let list: Vec<(String, String)> = configs.into_iter().collect();
        let configs = config::validate_topic_configs(&list)?;
        let settings = self.topic_settings_for(&configs);
        let t = self.ctl.topics.get_mut(&idx).expect("exists");
        t.configs = configs;
        t.settings = settings;
        self.config_change_events(&format!("topic {name}"), ops);
        // The ConfigRecord reaches the brokers as metadata.
        self.publish(Vec::new(), vec![idx], Vec::new());
        Ok(())
    }

    /// Dynamic broker configs (cluster-wide default, or one broker's) after `ops`; every topic's
    /// settings are resolved again.
    fn alter_broker_configs(&mut self, id: Option<BrokerId>, ops: &[AlterOp]) -> KResult<()> {
        if let Some(id) = id {
            self.check_broker_id(id)?;
        }
        let mut dynamic = self.ctl.dynamic_broker_configs.clone();
        let mut not_dynamic = Vec::new();
        for op in ops {
            let k = match op {
                AlterOp::Set(k, _) | AlterOp::Delete(k) => k,
            };
            match config::broker_config_def(k) {
                Some((_, true)) => {}
                _ => not_dynamic.push(k.clone()),
            }
        }
        if !not_dynamic.is_empty() {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, format!("Cannot update these configs dynamically: Set({})", not_dynamic.join(", "))));
        }
        for op in ops {
            match op {
                AlterOp::Set(k, v) => {
                    let (def, _) = config::broker_config_def(k).expect("checked");
                    config::parse_and_validate(def, v)?;
                    dynamic.insert(k.clone(), v.clone());
                }
                AlterOp::Delete(k) => {
                    dynamic.remove(k);
                }
            }
        }
        match id {
            Some(b) => {
                // Per-broker values are layered on top: start from that broker's own.
                let mut own = self.ctl.per_broker_configs.get(&b).cloned().unwrap_or_default();
                for op in ops {
                    match op {
                        AlterOp::Set(k, v) => {
                            own.insert(k.clone(), v.clone());
                        }
                        AlterOp::Delete(k) => {
                            own.remove(k);
                        }
                    }
                }
                if own.is_empty() {
                    self.ctl.per_broker_configs.remove(&b);
                } else {
                    self.ctl.per_broker_configs.insert(b, own);
                }
            }
            None => self.ctl.dynamic_broker_configs = dynamic,
        }
        let idxs: Vec<u32> = self.ctl.topics.keys().copied().collect();
        let mut changed = Vec::new();
        for i in idxs {
            let s = self.topic_settings_for(&self.ctl.topics[&i].configs);
            let t = self.ctl.topics.get_mut(&i).expect("exists");
            if t.settings != s {
                t.settings = s;
                changed.push(i);
            }
        }
        // Brokers learn the topics' new effective configs from metadata.
        self.publish(Vec::new(), changed, Vec::new());
        let res = match id {
            Some(b) => format!("broker {b}"),
            None => "broker default".to_string(),
        };
        self.config_change_events(&res, ops);
        Ok(())
    }

    /// ElectLeaders for the given partitions (None = all). Returns per-partition results:
    /// Ok(leader) or the error (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
    /// ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION).
    pub fn elect_leaders(&mut self, kind: ElectionType, partitions: Option<Vec<(String, i32)>>) -> KResult<Vec<((String, i32), Result<i32, KafkaError>)>> {
        self.await_controller("electLeaders")?;
        let list: Vec<(String, i32)> = match partitions {
            Some(l) => l,
            None => self.ctl.topics.values().flat_map(|t| (0..t.partitions.len() as i32).map(move |p| (t.name.to_string(), p))).collect(),
        };
        let mut out = Vec::new();
        let mut changed = Vec::new();
        for (name, p) in list {
            let Some(&idx) = self.ctl.by_name.get(&name) else {
                out.push(((name, p), Err(KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION))));
                continue;
            };
            let Some(pm) = self.ctl.topics[&idx].partitions.get(p.max(0) as usize).filter(|_| p >= 0).cloned() else {
                out.push(((name, p), Err(KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION))));
                continue;
            };
            let tp = Tp { topic: idx, partition: p };
            let res = match kind {
                ElectionType::Preferred => {
                    let preferred = pm.replicas[0];
                    if pm.leader == Some(preferred) {
                        Err(KafkaError::of(ErrorCode::ELECTION_NOT_NEEDED))
                    } else if pm.isr.contains(&preferred) && self.broker_active(preferred) {
                        self.set_leader(tp, Some(preferred), ElectionKind::Preferred);
                        changed.push(tp);
                        Ok(preferred)
                    } else {
                        Err(KafkaError::new(
                            ErrorCode::PREFERRED_LEADER_NOT_AVAILABLE,
                            format!("Failed to elect leader for partition {name}-{p} under strategy PreferredReplicaPartitionLeaderElectionStrategy"),
                        ))
                    }
                }
                ElectionType::Unclean => {
                    if pm.leader.is_some_and(|l| self.broker_active(l)) {
                        Err(KafkaError::of(ErrorCode::ELECTION_NOT_NEEDED))
                    } else {
                        match self.pick_leader(&pm, true) {
                            Some((l, u)) => {
                                self.set_leader(tp, Some(l), if u { ElectionKind::Unclean } else { ElectionKind::Clean });
                                changed.push(tp);
                                Ok(l)
                            }
                            None => Err(KafkaError::of(ErrorCode::ELIGIBLE_LEADERS_NOT_AVAILABLE)),
                        }
                    }
                }
            };
            out.push(((name, p), res));
        }
        self.publish(changed, Vec::new(), Vec::new());
        self.settle();
        Ok(out)
    }

    /// The controller's metadata for one partition.
    pub fn partition_meta(&self, topic: &str, partition: i32) -> Option<&PartitionMeta> {
        let idx = self.ctl.by_name.get(topic)?;
        self.ctl.topics.get(idx)?.partitions.get(usize::try_from(partition).ok()?)
    }

    pub fn topic_meta(&self, topic: &str) -> Option<&TopicMeta> {
        self.ctl.topics.get(self.ctl.by_name.get(topic)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn topic_name_errors_are_kafkas() {
        assert_eq!(topic_name_error("").as_deref(), Some("Topic name is invalid: the empty string is not allowed"));
        assert_eq!(topic_name_error(".").as_deref(), Some("Topic name is invalid: '.' is not allowed"));
        assert_eq!(topic_name_error("..").as_deref(), Some("Topic name is invalid: '..' is not allowed"));
        assert_eq!(
            topic_name_error("a b").as_deref(),
            Some("Topic name is invalid: 'a b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'")
        );
        let long = "x".repeat(250);
        assert_eq!(topic_name_error(&long), Some(format!("Topic name is invalid: the length of '{long}' is longer than the max allowed length 249")));
        assert_eq!(topic_name_error("ok.name_-1"), None);
    }
}
