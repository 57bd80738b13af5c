//! The controller's quorum and sessions: which voter is active (it keeps the role while it reaches
//! a majority of voters, as the network's view in the `Ctx` says), the periodic tick (sessions and
//! fencing, the periodic unclean election check, the preferred leader balance), and the brokers'
//! messages: heartbeats (registration, unfencing), controlled shutdown and AlterPartition.

use super::super::error::ErrorCode;
use super::super::event::{ElectionKind, EventKind};
use super::super::ids::{BrokerId, Tp};
use super::super::msg::{Dest, Ev, Msg, TxnMsg};
use super::super::node::Ctx;
use super::state::{BrokerReg, Controller, BROKER_SESSION_TIMEOUT_MS, CONTROLLER_ELECTION_TIMEOUT_MS, CONTROLLER_TICK_MS, PRODUCER_ID_BLOCK_SIZE, UNCLEAN_ELECTION_INTERVAL_MS};

impl Controller {
    /// The active controller lost its role (its process stopped, or it no longer reaches a
    /// majority): a new election is due.
    pub(crate) fn lose_active(&mut self, ctx: &mut Ctx) {
        if self.active.take().is_some() {
            ctx.emit(EventKind::ControllerUnavailable);
        }
        self.maybe_schedule_election(ctx);
    }

    pub(crate) fn maybe_schedule_election(&mut self, ctx: &mut Ctx) {
        if self.active.is_none() && self.election_due_ms.is_none() {
            self.election_due_ms = Some(ctx.now_ms + CONTROLLER_ELECTION_TIMEOUT_MS);
        }
    }

    /// How many voters `v` reaches (0 when it is down), from the network's view in `ctx`.
    fn voters_reached(&self, ctx: &Ctx, v: BrokerId) -> usize {
        ctx.voter_reach(v).map_or(0, |r| r.voters_reached)
    }

    /// The active controller keeps its role only while it reaches a majority of voters.
    pub(crate) fn check_quorum(&mut self, ctx: &mut Ctx) {
        if let Some(c) = self.active {
            if self.voters_reached(ctx, c) < self.majority() {
                self.lose_active(ctx);
            }
        }
    }

    fn try_elect(&mut self, ctx: &mut Ctx) {
        let Some(due) = self.election_due_ms else { return };
        if ctx.now_ms < due {
            return;
        }
        let majority = self.majority();
        let candidates: Vec<BrokerId> = self.voters.iter().copied().filter(|&v| ctx.voter_reach(v).is_some_and(|r| r.running && r.voters_reached >= majority)).collect();
        if candidates.is_empty() {
            self.election_due_ms = Some(ctx.now_ms + CONTROLLER_ELECTION_TIMEOUT_MS);
            return;
        }
        let pick = candidates[ctx.rng.below(candidates.len() as u64) as usize];
        self.active = Some(pick);
        self.election_due_ms = None;
        // A new controller gives every broker a fresh session.
        for r in self.regs.values_mut() {
            r.last_heartbeat_ms = ctx.now_ms;
        }
        ctx.emit(EventKind::ControllerElected { broker: pick });
    }

    /// The controller's periodic tick (every voter runs it; only the active one acts).
    pub(crate) fn on_tick(&mut self, ctx: &mut Ctx) {
        let version = self.version;
        ctx.timer(CONTROLLER_TICK_MS, Ev::ControllerTick);
        self.check_quorum(ctx);
        if self.active.is_none() {
            self.try_elect(ctx);
            if self.active.is_none() {
                return;
            }
        }
        let now = ctx.now_ms;
        let expired: Vec<BrokerId> = self.regs.iter().filter(|(_, r)| !r.fenced && now - r.last_heartbeat_ms > BROKER_SESSION_TIMEOUT_MS).map(|(id, _)| *id).collect();
        for b in expired {
            self.fence_broker(ctx, b);
        }
        if now >= self.next_unclean_check_ms {
            self.next_unclean_check_ms = now + UNCLEAN_ELECTION_INTERVAL_MS;
            let changed = self.elect_leaderless(ctx, None);
            self.publish(ctx, changed, Vec::new(), Vec::new());
        }
        self.maybe_balance_leaders(ctx);
        debug_assert!(self.version >= version, "the metadata version never goes back");
    }

    fn fence_broker(&mut self, ctx: &mut Ctx, b: BrokerId) {
        let Some(r) = self.regs.get_mut(&b) else { return };
        if r.fenced {
            return;
        }
        r.fenced = true;
        ctx.emit(EventKind::BrokerFenced { broker: b });
        let changed = self.remove_from_isrs(ctx, b, ElectionKind::Clean);
        self.publish(ctx, changed, Vec::new(), Vec::new());
    }

    /// A message for the controller; only the active one answers.
    pub(crate) fn on_message(&mut self, ctx: &mut Ctx, msg: Msg) {
        let Some(c) = self.active else { return };
        let version = self.version;
        match msg {
            Msg::Heartbeat { broker, incarnation, view_version } => self.on_heartbeat(ctx, broker, incarnation, view_version),
            Msg::ControlledShutdown { broker, incarnation } => self.on_controlled_shutdown(ctx, c, broker, incarnation),
            Msg::AlterPartition { broker, tp, leader_epoch, partition_epoch, new_isr } => {
                let ok = self.apply_alter_partition(ctx, broker, tp, (leader_epoch, partition_epoch), new_isr);
                if ok {
                    self.publish(ctx, vec![tp], Vec::new(), Vec::new());
                }
                let committed_epoch = ok.then_some(partition_epoch + 1);
                ctx.send(Some(c), Dest::Broker(broker), Msg::AlterPartitionDone { tp, committed_epoch });
            }
            Msg::CreateTopicsForward { topics, reply } => self.on_create_topics_forward(ctx, c, topics, reply),
            Msg::AllocateProducerIds { broker, incarnation } => self.on_allocate_producer_ids(ctx, c, broker, incarnation),
            _ => {}
        }
        debug_assert!(self.version >= version, "the metadata version never goes back");
    }

    /// AllocateProducerIds (`ProducerIdControlManager.generateNextProducerId`): a registered
    /// broker asking with its current incarnation (its broker epoch) gets the next block of
    /// [`PRODUCER_ID_BLOCK_SIZE`] ids, and the counter moves past it (the `ProducerIdsRecord`).
    fn on_allocate_producer_ids(&mut self, ctx: &mut Ctx, c: BrokerId, broker: BrokerId, incarnation: u64) {
        let result = match self.regs.get(&broker) {
            Some(r) if r.incarnation == incarnation => {
                let first = self.next_producer_id;
                self.next_producer_id += PRODUCER_ID_BLOCK_SIZE;
                Ok((first, PRODUCER_ID_BLOCK_SIZE))
            }
            _ => Err(ErrorCode::STALE_BROKER_EPOCH),
        };
        ctx.send(Some(c), Dest::Broker(broker), Msg::Txn(Box::new(TxnMsg::AllocateProducerIdsResp { result })));
    }

    /// BrokerHeartbeat: registers a new incarnation (fenced, its old session over), sends a broker
    /// behind on metadata the whole image, and unfences a broker that caught up.
    fn on_heartbeat(&mut self, ctx: &mut Ctx, broker: BrokerId, incarnation: u64, view_version: u64) {
        let now = ctx.now_ms;
        let reg = self.regs.entry(broker).or_insert(BrokerReg { incarnation, fenced: true, in_controlled_shutdown: false, last_heartbeat_ms: now });
        let restarted = reg.incarnation != incarnation;
        reg.last_heartbeat_ms = now;
        if restarted {
            // A new incarnation: the old one's session is over (fence, leave ISRs).
            reg.incarnation = incarnation;
            reg.in_controlled_shutdown = false;
            self.fence_broker(ctx, broker);
        }
        if view_version != self.version {
            self.send_snapshot(ctx, broker);
            return;
        }
        let Some(reg) = self.regs.get_mut(&broker).filter(|r| r.fenced && !r.in_controlled_shutdown) else { return };
        reg.fenced = false;
        ctx.emit(EventKind::BrokerUnfenced { broker });
        let changed = self.elect_leaderless(ctx, Some(broker));
        self.publish(ctx, changed, Vec::new(), Vec::new());
    }

    /// ControlledShutdown: moves the broker's leaderships and ISR memberships away, fences it,
    /// and answers so it may stop.
    fn on_controlled_shutdown(&mut self, ctx: &mut Ctx, active: BrokerId, broker: BrokerId, incarnation: u64) {
        let Some(reg) = self.regs.get_mut(&broker).filter(|r| r.incarnation == incarnation) else { return };
        reg.in_controlled_shutdown = true;
        let changed = self.remove_from_isrs(ctx, broker, ElectionKind::ControlledShutdown);
        if let Some(reg) = self.regs.get_mut(&broker).filter(|r| !r.fenced) {
            reg.fenced = true;
            ctx.emit(EventKind::BrokerFenced { broker });
        }
        self.publish(ctx, changed, Vec::new(), Vec::new());
        ctx.send(Some(active), Dest::Broker(broker), Msg::ControlledShutdownDone);
    }

    /// The partitions of every topic, in order.
    pub(crate) fn all_partitions(&self) -> Vec<Tp> {
        self.topics.iter().flat_map(|(idx, t)| (0..t.partitions.len() as i32).map(move |p| Tp { topic: *idx, partition: p })).collect()
    }
}

#[cfg(test)]
mod tests {
    //! The controller driven as a node: a `Ctx` in, outputs out, no Cluster.
    use super::super::super::node::{Out, Observation, VoterReach};
    use super::super::super::rng::Rng;
    use super::super::NewTopic;
    use super::*;
    use std::collections::BTreeMap;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn reach(voter: BrokerId, voters_reached: usize) -> VoterReach {
        VoterReach { voter, running: true, voters_reached }
    }

    /// Runs `f` on the controller at `now_ms` with the quorum view `quorum`; its outputs.
    fn run(c: &mut Controller, now_ms: i64, quorum: &[VoterReach], f: impl FnOnce(&mut Controller, &mut Ctx)) -> Vec<Out> {
        let (mut rng, mut next_id) = (Rng::new(7), 1);
        let mut ctx = Ctx::new(now_ms, &mut rng, &mut next_id).with_quorum(quorum);
        f(c, &mut ctx);
        ctx.into_outputs()
    }

    #[test]
    fn active_controller_cut_off_from_the_majority_hands_over_to_a_voter_that_reaches_it() {
        let mut c = Controller::new(&[1, 2, 3], BTreeMap::new(), UNCLEAN_ELECTION_INTERVAL_MS);
        // Voter 1 is isolated: it reaches only itself; 2 and 3 reach each other.
        let cut = [reach(1, 1), reach(2, 2), reach(3, 2)];
        let out = run(&mut c, 500, &cut, |c, ctx| c.on_tick(ctx));
        assert!(matches!(out[0], Out::Timer { delay_ms: CONTROLLER_TICK_MS, ev: Ev::ControllerTick }), "the tick reschedules itself first: {out:?}");
        assert!(out.iter().any(|o| matches!(o, Out::Event(EventKind::ControllerUnavailable))), "{out:?}");
        assert_eq!((c.active, c.election_due_ms), (None, Some(500 + CONTROLLER_ELECTION_TIMEOUT_MS)));
        let out = run(&mut c, 1_500, &cut, |c, ctx| c.on_tick(ctx));
        let elected = c.active.expect("a voter with a majority is elected");
        assert!(elected == 2 || elected == 3, "the isolated voter cannot win: {elected}");
        assert!(out.iter().any(|o| matches!(o, Out::Event(EventKind::ControllerElected { broker }) if *broker == elected)), "{out:?}");
    }

    #[test]
    fn unclean_election_after_the_last_isr_member_is_fenced_is_reported_to_the_observer() {
        let mut c = Controller::new(&[1, 2, 3], BTreeMap::new(), UNCLEAN_ELECTION_INTERVAL_MS);
        let quorum = [reach(1, 3), reach(2, 3), reach(3, 3)];
        let req = NewTopic::new("t", 1, 3).config("unclean.leader.election.enable", "true");
        let mut idx = 0;
        run(&mut c, 0, &quorum, |c, ctx| idx = c.create_topic(ctx, &req).expect("created"));
        let tp = Tp { topic: idx, partition: 0 };
        let old = c.partition(tp).and_then(|pm| pm.leader).expect("led");
        // The leader shrinks the ISR to itself, then only the followers keep heartbeating.
        let shrink = Msg::AlterPartition { broker: old, tp, leader_epoch: 0, partition_epoch: 0, new_isr: vec![old] };
        run(&mut c, 100, &quorum, |c, ctx| c.on_message(ctx, shrink));
        for b in [1, 2, 3].into_iter().filter(|b| *b != old) {
            let beat = Msg::Heartbeat { broker: b, incarnation: 1, view_version: c.version };
            run(&mut c, 9_000, &quorum, |c, ctx| c.on_message(ctx, beat));
        }
        let out = run(&mut c, 9_500, &quorum, |c, ctx| c.on_tick(ctx));
        let pm = c.partition(tp).expect("the test created the partition").clone();
        let new = pm.leader.expect("an unclean leader");
        assert_ne!(new, old);
        assert_eq!((pm.isr, pm.leader_epoch, pm.recovering), (vec![new], 1, true));
        let seen = out.iter().find_map(|o| match o {
            Out::Observe(Observation::UncleanElection { tp: t, leader, replicas }) => Some((*t, *leader, replicas.clone())),
            _ => None,
        });
        assert_eq!(seen, Some((tp, Some(new), pm.replicas.clone())), "{out:?}");
        let published = out.iter().filter(|o| matches!(o, Out::Send { msg: Msg::Metadata { .. }, .. })).count();
        assert_eq!(published, 3, "every registered broker hears of the election: {out:?}");
    }
}
