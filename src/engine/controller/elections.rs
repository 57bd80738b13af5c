//! Leader elections and ISR changes in the controller's image: clean and unclean elections, the
//! periodic preferred-leader balance, removing a broker from every ISR (fencing, controlled
//! shutdown), AlterPartition, and the ElectLeaders admin operation.

use super::super::error::{ErrorCode, KafkaError};
use super::super::event::{ElectionKind, EventKind};
use super::super::ids::{BrokerId, Tp};
use super::super::msg::PartitionMeta;
use super::super::node::{Ctx, Observation};
use super::state::Controller;
use super::ElectionType;

/// One partition's ElectLeaders result: the leader, or why there was no election.
pub(crate) type ElectionResult = ((String, i32), Result<i32, KafkaError>);

impl Controller {
    /// Applies a new leader (and, when unclean, the ISR of the new leader alone) to one
    /// partition, bumping its epochs and recording the election.
    pub(super) fn set_leader(&mut self, ctx: &mut Ctx, tp: Tp, leader: Option<BrokerId>, kind: ElectionKind) {
        let Some(t) = self.topics.get_mut(&tp.topic) else { return };
        let Some(pm) = t.partitions.get_mut(tp.partition as usize) else { return };
        let before = pm.leader_epoch;
        pm.leader = leader;
        pm.leader_epoch += 1;
        pm.partition_epoch += 1;
        let unclean = kind == ElectionKind::Unclean;
        if let (true, Some(l)) = (unclean, leader) {
            pm.isr = vec![l];
            pm.recovering = true;
        }
        let epoch = pm.leader_epoch;
        debug_assert!(epoch > before, "leader epochs only grow");
        let replicas = if unclean { pm.replicas.clone() } else { Vec::new() };
        let name = t.name.clone();
        if let Some(l) = leader {
            let earlier = self.epoch_leaders.insert((tp, epoch), l);
            debug_assert!(earlier.is_none_or(|e| e == l), "{tp:?} epoch {epoch}: two leaders");
        }
        ctx.emit(EventKind::LeaderElected { topic: name, partition: tp.partition, leader, leader_epoch: epoch, kind });
        if unclean {
            ctx.observe(Observation::UncleanElection { tp, leader, replicas });
        }
    }

    /// The first active ISR member, else (when `unclean_ok`) the first active replica; the flag
    /// says whether the pick is unclean.
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
    pub(super) fn elect_leaderless(&mut self, ctx: &mut Ctx, only_broker: Option<BrokerId>) -> Vec<Tp> {
        let mut todo = Vec::new();
        for (idx, t) in &self.topics {
            for (p, pm) in t.partitions.iter().enumerate() {
                if only_broker.is_some_and(|b| !pm.replicas.contains(&b)) {
                    continue;
                }
                let valid = pm.leader.is_some_and(|l| self.broker_active(l) && pm.isr.contains(&l));
                if !valid {
                    todo.push((Tp { topic: *idx, partition: p as i32 }, pm.clone(), t.settings.unclean_leader_election_enable));
                }
            }
        }
        let mut changed = Vec::new();
        for (tp, pm, unclean) in todo {
            match self.pick_leader(&pm, unclean) {
                Some((l, u)) => self.set_leader(ctx, tp, Some(l), if u { ElectionKind::Unclean } else { ElectionKind::Clean }),
                None if pm.leader.is_some() => self.set_leader(ctx, tp, None, ElectionKind::Clean),
                None => continue,
            }
            changed.push(tp);
        }
        changed
    }

    /// Removes a broker from every ISR (never the last member) and moves its leaderships.
    pub(super) fn remove_from_isrs(&mut self, ctx: &mut Ctx, b: BrokerId, kind: ElectionKind) -> Vec<Tp> {
        let mut changed = Vec::new();
        for tp in self.all_partitions() {
            let shrunk = self.shrink_isr(ctx, tp, b);
            let moved = self.move_leadership(ctx, tp, b, kind);
            if shrunk || moved {
                changed.push(tp);
            }
        }
        changed
    }

    /// Takes `b` out of the partition's ISR unless it is the last member.
    fn shrink_isr(&mut self, ctx: &mut Ctx, tp: Tp, b: BrokerId) -> bool {
        let Some(t) = self.topics.get_mut(&tp.topic) else { return false };
        let Some(pm) = t.partitions.get_mut(tp.partition as usize) else { return false };
        if !pm.isr.contains(&b) || pm.isr.len() <= 1 {
            return false;
        }
        let from = pm.isr.clone();
        pm.isr.retain(|&x| x != b);
        pm.partition_epoch += 1;
        let to = pm.isr.clone();
        ctx.emit(EventKind::IsrShrunk { topic: t.name.clone(), partition: tp.partition, from, to });
        true
    }

    /// Elects another leader if `b` leads the partition (or none, if nobody can).
    fn move_leadership(&mut self, ctx: &mut Ctx, tp: Tp, b: BrokerId, kind: ElectionKind) -> bool {
        let Some(t) = self.topics.get(&tp.topic) else { return false };
        let unclean = t.settings.unclean_leader_election_enable;
        let Some(pm) = t.partitions.get(tp.partition as usize).filter(|pm| pm.leader == Some(b)) else { return false };
        match self.pick_leader(pm, unclean) {
            Some((l, u)) => self.set_leader(ctx, tp, Some(l), if u { ElectionKind::Unclean } else { kind }),
            None => self.set_leader(ctx, tp, None, kind),
        }
        true
    }

    /// `auto.leader.rebalance.enable`: the KRaft controller moves leadership back to the
    /// preferred replica (the first in the assignment) of EVERY imbalanced partition once that
    /// replica is in the ISR and unfenced, `leader.imbalance.check.interval.seconds` (300) after it
    /// first saw an imbalance. (The ZooKeeper controller's `leader.imbalance.per.broker.percentage`
    /// threshold does not exist in KRaft.)
    pub(super) fn maybe_balance_leaders(&mut self, ctx: &mut Ctx) {
        if !self.broker_bool("auto.leader.rebalance.enable") {
            self.balance_leaders_at_ms = None;
            return;
        }
        let imbalanced: Vec<Tp> = self
            .topics
            .iter()
            .flat_map(|(idx, t)| {
                let led_by_other = t.partitions.iter().enumerate().filter(|(_, pm)| pm.leader != pm.replicas.first().copied());
                led_by_other.map(move |(p, _)| Tp { topic: *idx, partition: p as i32 })
            })
            .collect();
        let Some(at) = self.balance_leaders_at_ms else {
            if !imbalanced.is_empty() {
                let interval_ms = self.broker_int("leader.imbalance.check.interval.seconds").max(1) * 1000;
                self.balance_leaders_at_ms = Some(ctx.now_ms + interval_ms);
            }
            return;
        };
        if ctx.now_ms < at {
            return;
        }
        self.balance_leaders_at_ms = None;
        let mut changed = Vec::new();
        for tp in imbalanced {
            let Some(&preferred) = self.partition(tp).and_then(|pm| pm.replicas.first()) else { continue };
            if self.partition(tp).is_some_and(|pm| pm.isr.contains(&preferred)) && self.broker_active(preferred) {
                self.set_leader(ctx, tp, Some(preferred), ElectionKind::Preferred);
                changed.push(tp);
            }
        }
        self.publish(ctx, changed, Vec::new(), Vec::new());
    }

    /// AlterPartition from the partition's leader: applies the new ISR if the leader and both
    /// epochs match and every added member is active.
    pub(super) fn apply_alter_partition(&mut self, ctx: &mut Ctx, broker: BrokerId, tp: Tp, (leader_epoch, partition_epoch): (i32, i32), new_isr: Vec<BrokerId>) -> bool {
        let active: Vec<bool> = new_isr.iter().map(|b| self.broker_active(*b)).collect();
        let Some(t) = self.topics.get_mut(&tp.topic) else { return false };
        let Some(pm) = t.partitions.get_mut(tp.partition as usize) else { return false };
        if pm.leader != Some(broker) || pm.leader_epoch != leader_epoch || pm.partition_epoch != partition_epoch {
            return false;
        }
        if new_isr.is_empty() || !new_isr.contains(&broker) || new_isr.iter().any(|b| !pm.replicas.contains(b)) {
            return false;
        }
        // Added members must be active (unfenced, not shutting down).
        if new_isr.iter().zip(active).any(|(b, a)| !pm.isr.contains(b) && !a) {
            return false;
        }
        let from = std::mem::replace(&mut pm.isr, new_isr.clone());
        pm.partition_epoch += 1;
        pm.recovering = false;
        let (topic, partition) = (t.name.clone(), tp.partition);
        let kind = if new_isr.len() < from.len() {
            EventKind::IsrShrunk { topic, partition, from, to: new_isr }
        } else {
            EventKind::IsrExpanded { topic, partition, from, to: new_isr }
        };
        ctx.emit(kind);
        true
    }

    /// ElectLeaders for the given partitions (None = all). Returns per-partition results:
    /// Ok(leader) or the error (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
    /// ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION).
    pub(crate) fn elect_leaders(&mut self, ctx: &mut Ctx, kind: ElectionType, partitions: Option<Vec<(String, i32)>>) -> Vec<ElectionResult> {
        let list: Vec<(String, i32)> = match partitions {
            Some(l) => l,
            None => self.topics.values().flat_map(|t| (0..t.partitions.len() as i32).map(move |p| (t.name.to_string(), p))).collect(),
        };
        let mut out = Vec::with_capacity(list.len());
        let mut changed = Vec::new();
        for (name, p) in list {
            let res = self.elect_one(ctx, kind, &name, p).map(|(tp, leader)| {
                changed.push(tp);
                leader
            });
            out.push(((name, p), res));
        }
        self.publish(ctx, changed, Vec::new(), Vec::new());
        out
    }

    /// One partition's election for ElectLeaders: the partition and its new leader.
    fn elect_one(&mut self, ctx: &mut Ctx, kind: ElectionType, name: &str, p: i32) -> Result<(Tp, i32), KafkaError> {
        let unknown = || KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
        let &idx = self.by_name.get(name).ok_or_else(unknown)?;
        let tp = Tp { topic: idx, partition: p };
        let pm = self.partition(tp).cloned().ok_or_else(unknown)?;
        match kind {
            ElectionType::Preferred => {
                let preferred = pm.replicas[0];
                if pm.leader == Some(preferred) {
                    return Err(KafkaError::of(ErrorCode::ELECTION_NOT_NEEDED));
                }
                if !(pm.isr.contains(&preferred) && self.broker_active(preferred)) {
                    let msg = format!("Failed to elect leader for partition {name}-{p} under strategy PreferredReplicaPartitionLeaderElectionStrategy");
                    return Err(KafkaError::new(ErrorCode::PREFERRED_LEADER_NOT_AVAILABLE, msg));
                }
                self.set_leader(ctx, tp, Some(preferred), ElectionKind::Preferred);
                Ok((tp, preferred))
            }
            ElectionType::Unclean => {
                if pm.leader.is_some_and(|l| self.broker_active(l)) {
                    return Err(KafkaError::of(ErrorCode::ELECTION_NOT_NEEDED));
                }
                let (l, u) = self.pick_leader(&pm, true).ok_or_else(|| KafkaError::of(ErrorCode::ELIGIBLE_LEADERS_NOT_AVAILABLE))?;
                self.set_leader(ctx, tp, Some(l), if u { ElectionKind::Unclean } else { ElectionKind::Clean });
                Ok((tp, l))
            }
        }
    }
}
