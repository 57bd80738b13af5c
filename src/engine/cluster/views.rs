//! `Cluster`'s second file: the public and read-only API the shell, lessons and UI call, and the
//! router glue that hands one message or timer to a node's handler and routes its outputs.
//! Each section names the node it serves; the handlers themselves are methods on the node types.

use crate::engine::app::*;
use crate::engine::cleaner::*;
use crate::engine::cluster::*;
use crate::engine::controller::*;
use crate::engine::digest::*;
use crate::engine::group::*;
use crate::engine::group::coordinator::*;
use crate::engine::invariants::*;
use std::collections::BTreeMap;
use std::rc::Rc;
use crate::engine::node::*;
use crate::engine::consumer::{consumer_closed, Consumer, ConsumerConfig, ConsumerId, ConsumerInfo, ConsumerLog, ConsumerRecord, OffsetReset, Returned};
use crate::engine::ids::CONSUMER_ID_BASE;
use crate::engine::producer::{unknown_producer, AfterSend, Producer, ProducerConfig, ProducerId, ProducerRecord, ProducerWarning, SendId, SendResult};
use crate::engine::msg::{FetchRequest, FetchResponse, GroupMsg, Isolation, OffsetSpec};
use crate::engine::config::ConfigEntry;
use crate::engine::assignor::{self, TopicPartition};
use crate::engine::group::records::{self, RecordKey};
use crate::engine::txn::*;
use crate::engine::idle::{self, IDLE_WINDOW_MS};


// ===== Sandbox apps (the node: app.rs)
impl Cluster {
    /// `sim app start`: starts the app, or a new instance of a crashed one (same arguments).
    pub fn app_start(&mut self, spec: AppSpec) -> KResult<()> {
        let bad = |m: String| KafkaError::new(ErrorCode::INVALID_REQUEST, m);
        check_spec(&spec).map_err(bad)?;
        for t in [&spec.from, &spec.to] {
            if !self.ctl.by_name.contains_key(t.as_str()) {
                return Err(KafkaError::new(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, format!("Topic '{t}' does not exist.")));
            }
        }
        let instance = match self.apps.get(&spec.name) {
            Some(a) => a.next_instance(&spec).map_err(bad)?,
            None if self.apps.len() >= APPS_MAX => return Err(bad(format!("at most {APPS_MAX} apps"))),
            None => 1,
        };
        let (consumer, producer, phase) = self.app_clients(&spec, instance)?;
        let name = spec.name.clone();
        let app = App::start(spec, instance, (consumer, producer), phase, self.apps.get(&name));
        self.apps.insert(name.clone(), app);
        self.schedule(0, Ev::AppTick { name, instance });
        Ok(())
    }

    /// An instance's consumer (subscribed) and producer (transactional for exactly-once, its
    /// initTransactions started), and the phase it starts in.
    pub(crate) fn app_clients(&mut self, spec: &AppSpec, instance: u32) -> KResult<(ConsumerId, ProducerId, Phase)> {
        let consumer = self.create_consumer(ConsumerConfig {
            group_id: Some(spec.group.clone()),
            client_id: format!("{}-{instance}", spec.name),
            auto_offset_reset: OffsetReset::Earliest,
            enable_auto_commit: false,
            isolation_level: Isolation::ReadCommitted,
            max_poll_records: 50,
            ..Default::default()
        })?;
        self.subscribe(consumer, &[spec.from.as_str()])?;
        let mut pc = ProducerConfig { client_id: format!("{}-{instance}", spec.name), ..Default::default() };
        if spec.guarantee == Guarantee::ExactlyOnce {
            pc.transactional_id = Some(spec.name.clone());
        }
        let producer = self.create_producer(pc)?;
        if spec.guarantee != Guarantee::ExactlyOnce {
            return Ok((consumer, producer, Phase::Idle));
        }
        self.start_init_transactions(producer)?;
        Ok((consumer, producer, Phase::Init))
    }

    /// `sim app crash`: the app's process dies at once.
    pub fn app_crash(&mut self, name: &str) -> KResult<()> {
        let Some(a) = self.apps.get_mut(name) else {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, format!("no app named {name}")));
        };
        let (c, p) = a.crash();
        if let Some(c) = c {
            let _ = self.crash_consumer(c);
        }
        if let Some(p) = p {
            self.crash_producer(p);
        }
        Ok(())
    }

    /// `sim app list`, by name.
    pub fn app_list(&self) -> Vec<AppStatus> {
        self.apps.values().map(App::status).collect()
    }

    /// Delivers app `name`'s tick of `instance`: the app is taken out of the map while it drives
    /// its clients through the Cluster, then put back and its next tick armed.
    pub(crate) fn app_tick(&mut self, name: &str, instance: u32) {
        if !self.apps.get(name).is_some_and(|a| a.ticks(instance)) {
            return;
        }
        let Some(mut app) = self.apps.remove(name) else { return };
        let next_ms = app.on_tick(self);
        self.apps.insert(name.to_string(), app);
        if let Some(delay_ms) = next_ms {
            self.schedule(delay_ms, Ev::AppTick { name: name.to_string(), instance });
        }
    }
}

// ===== Log cleaner threads (the node: cleaner.rs)
impl Cluster {
    /// `log.cleaner.backoff.ms` as currently configured (dynamic cluster-wide or static).
    pub(crate) fn cleaner_backoff_ms(&self) -> i64 {
        let v = self.ctl.dynamic_broker_configs.get("log.cleaner.backoff.ms").cloned().or_else(|| self.static_broker_config("log.cleaner.backoff.ms"));
        v.and_then(|v| v.trim().parse().ok()).filter(|v: &i64| *v >= 0).unwrap_or(CLEANER_BACKOFF_MS_DEFAULT)
    }

    /// Wakes broker `b`'s cleaner thread of incarnation `incarnation` (gone with a restart): its
    /// pass, the observer's bookkeeping and check, then retention of the compacted logs.
    pub(crate) fn on_log_cleaner_wake(&mut self, b: BrokerId, incarnation: u64) {
        if self.brokers.get(&b).is_none_or(|br| br.incarnation != incarnation) || !self.broker_up(b) {
            return;
        }
        let (enabled, backoff_ms) = (self.broker_bool("log.cleaner.enable"), self.cleaner_backoff_ms());
        let thread = LogCleaner { broker: b, incarnation };
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id);
        let Some(br) = self.brokers.get_mut(&b) else { return };
        // The thread knows topics as its broker does: from the metadata records it applied.
        let (settings, names) = (&br.view_settings, &br.view_topics);
        let topics = |idx: u32| settings.get(&idx).zip(names.get(&idx));
        let pass = thread.on_wake(&mut ctx, &mut br.replicas, &topics, enabled, backoff_ms);
        let compacted = if enabled { LogCleaner::compacted_logs(&br.replicas, &topics) } else { Vec::new() };
        let outputs = ctx.into_outputs();
        self.route(outputs);
        if let Some((tp, pass)) = pass {
            self.record_clean_pass(tp, pass);
        }
        for tp in compacted {
            self.apply_retention(b, tp);
        }
    }

    /// The observer's side of a pass: the partition's compaction point, the invariant
    /// `CleanerKeepsLatestPerKey`, and the recent passes for the UI.
    pub(crate) fn record_clean_pass(&mut self, tp: Tp, pass: CleanerPass) {
        let upto = self.cleaner.compacted_upto.entry(tp).or_insert(0);
        *upto = (*upto).max(pass.report.cleaner_point);
        if self.track_invariants {
            if let Some(v) = crate::engine::invariants::cleaner_keeps_latest_per_key(self, pass.broker, tp, pass.report.cleaner_point) {
                self.violations.push(v);
            }
        }
        if self.cleaner.passes.len() >= CLEAN_REPORTS_MAX {
            self.cleaner.passes.pop_front();
        }
        self.cleaner.passes.push_back(pass);
    }

    /// The recent cleaning passes of every broker, oldest first (at most [`CLEAN_REPORTS_MAX`]).
    pub fn cleaner_passes(&self) -> impl Iterator<Item = &CleanerPass> {
        self.cleaner.passes.iter()
    }

    /// The last cleaning pass of one replica, if it is among the recent ones.
    pub fn last_clean_report(&self, broker: BrokerId, topic: &str, partition: i32) -> Option<&CleanReport> {
        self.cleaner.passes.iter().rev().find(|p| p.broker == broker && p.partition == partition && &*p.topic == topic).map(|p| &p.report)
    }

    /// The dirty section of one replica's log as the cleaner would see it now (for the UI: the
    /// cleaner point, first uncleanable offset and dirty ratio).
    pub fn log_cleaner_view(&self, broker: BrokerId, topic: &str, partition: i32) -> Option<LogToClean> {
        let idx = *self.ctl.by_name.get(topic)?;
        let br = self.brokers.get(&broker)?;
        let r = br.replicas.get(&Tp { topic: idx, partition })?;
        Some(log_to_clean(&r.log, br.topic_settings(idx)?, self.wall_clock_ms()))
    }
}

// ===== KRaft controller: admin API and routing (the node: controller/)
impl Cluster {
    /// Runs a controller handler through a `Ctx` (with the quorum's reach, for the handlers that
    /// act on it) and routes its outputs in order.
    pub(crate) fn with_controller<R>(&mut self, quorum: &[VoterReach], f: impl FnOnce(&mut Controller, &mut Ctx) -> R) -> R {
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id).with_quorum(quorum);
        let r = f(&mut self.ctl, &mut ctx);
        let outputs = ctx.into_outputs();
        self.route(outputs);
        r
    }

    /// The network's view of the quorum: for each voter, whether it runs and how many voters it
    /// reaches now.
    pub(crate) fn quorum_reach(&self) -> Vec<VoterReach> {
        let reach = |v: BrokerId| VoterReach {
            voter: v,
            running: self.brokers.get(&v).is_some_and(|b| b.process == ProcessState::Running),
            voters_reached: self.ctl.voters.iter().filter(|&&w| self.brokers_connected(v, w)).count(),
        };
        self.ctl.voters.iter().map(|&v| reach(v)).collect()
    }

    pub(crate) fn controller_lost(&mut self) {
        self.with_controller(&[], |c, ctx| c.lose_active(ctx));
    }

    pub(crate) fn maybe_schedule_controller_election(&mut self) {
        self.with_controller(&[], |c, ctx| c.maybe_schedule_election(ctx));
    }

    /// The active controller keeps its role only while it reaches a majority of voters.
    pub(crate) fn check_controller_quorum(&mut self) {
        let quorum = self.quorum_reach();
        self.with_controller(&quorum, |c, ctx| c.check_quorum(ctx));
    }

    pub(crate) fn on_controller_tick(&mut self) {
        let quorum = self.quorum_reach();
        self.with_controller(&quorum, |c, ctx| c.on_tick(ctx));
    }

    pub(crate) fn controller_receive(&mut self, msg: Msg) {
        self.with_controller(&[], |c, ctx| c.on_message(ctx, msg));
    }

    /// The invariants' observer learns of a step a handler reported.
    pub(crate) fn observe(&mut self, o: Observation) {
        match o {
            Observation::UncleanElection { tp, leader, replicas } => {
                for b in replicas.into_iter().filter(|b| Some(*b) != leader) {
                    self.unclean_tainted.insert((tp, b));
                }
                if !self.track_invariants {
                    return;
                }
                // Committed data not on the new leader is lost: that is what unclean election means.
                let (Some(l), Some(ledger)) = (leader, self.ledger.get_mut(&tp)) else { return };
                if let Some(r) = self.brokers.get(&l).and_then(|b| b.replicas.get(&tp)) {
                    let kept = ledger.iter().zip(r.log.all_batches()).take_while(|(a, b)| Rc::ptr_eq(a, b)).count();
                    ledger.truncate(kept);
                }
            }
            Observation::HighWatermarkAdvanced { broker, tp, hw } => self.ledger_commit(broker, tp, hw),
            Observation::Reconciled { broker, tp } => {
                self.unclean_tainted.remove(&(tp, broker));
            }
        }
    }

    /// The ledger takes the batches below leader `l`'s new HW of `tp` it does not have yet.
    fn ledger_commit(&mut self, l: BrokerId, tp: Tp, hw: i64) {
        if !self.track_invariants {
            return;
        }
        let Some(r) = self.brokers.get(&l).and_then(|b| b.replicas.get(&tp)) else { return };
        let ledger = self.ledger.entry(tp).or_default();
        let have = ledger.last().map_or(0, |b| b.next_offset());
        if hw > have {
            for bt in r.log.batches_from(have, hw) {
                if bt.next_offset() <= hw && bt.base_offset >= have {
                    ledger.push(bt.clone());
                }
            }
        }
    }

    pub(crate) fn broker_active(&self, b: BrokerId) -> bool {
        self.ctl.broker_active(b)
    }

    /// Waits (simulated) until a controller is active, or fails like the admin client.
    pub(crate) fn await_controller(&mut self, call: &str) -> KResult<()> {
        if self.ctl.active.is_some() || self.run_while(ADMIN_TIMEOUT_MS, |c| c.ctl.active.is_some()) {
            return Ok(());
        }
        Err(KafkaError::new(ErrorCode::REQUEST_TIMED_OUT, format!("Timed out waiting for a node assignment. Call: {call}")))
    }

    /// Lets metadata reach the brokers after a controller change.
    pub(crate) fn settle(&mut self) {
        self.advance(3 * NET_LATENCY_MS);
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
        self.with_controller(&[], |c, ctx| c.create_topic(ctx, req))
    }

    /// DeleteTopics. The name can be reused at once; a new topic gets a new id.
    pub fn delete_topic(&mut self, name: &str) -> KResult<()> {
        self.await_controller("deleteTopics")?;
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id);
        let deleted = self.ctl.delete_topic(&mut ctx, name);
        let outputs = ctx.into_outputs();
        let idx = deleted?;
        // Before the deletion's event and metadata go out, the invariants' ledger forgets the
        // topic and the group coordinators drop its committed offsets (Kafka's
        // GroupCoordinator.onPartitionsDeleted).
        self.ledger.retain(|tp, _| tp.topic != idx);
        self.groups_on_topic_deleted(name);
        self.route(outputs);
        self.settle();
        Ok(())
    }

    /// CreatePartitions: grow `name` to `total` partitions (optionally with explicit replicas
    /// for the new ones).
    pub fn create_partitions(&mut self, name: &str, total: i32, assignment: Option<Vec<Vec<i32>>>) -> KResult<()> {
        self.await_controller("createPartitions")?;
        self.with_controller(&[], |c, ctx| c.create_partitions(ctx, name, total, assignment))?;
        self.settle();
        Ok(())
    }

    /// IncrementalAlterConfigs for a topic or broker configs.
    pub fn alter_configs(&mut self, resource: &ConfigResource, ops: &[AlterOp]) -> KResult<()> {
        self.await_controller("incrementalAlterConfigs")?;
        self.with_controller(&[], |c, ctx| c.alter_configs(ctx, resource, ops))
    }

    /// ElectLeaders for the given partitions (None = all): per partition, the new leader or why
    /// there was no election.
    pub fn elect_leaders(&mut self, kind: ElectionType, partitions: Option<Vec<(String, i32)>>) -> KResult<Vec<((String, i32), Result<i32, KafkaError>)>> {
        self.await_controller("electLeaders")?;
        let out = self.with_controller(&[], |c, ctx| c.elect_leaders(ctx, kind, partitions));
        self.settle();
        Ok(out)
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
        self.ctl.describe_topic(name)
    }

    /// DescribeConfigs: every config of the resource with its value and source.
    pub fn describe_configs(&self, resource: &ConfigResource) -> KResult<Vec<ConfigEntry>> {
        self.ctl.describe_configs(resource)
    }

    /// The controller's metadata for one partition.
    pub fn partition_meta(&self, topic: &str, partition: i32) -> Option<&PartitionMeta> {
        self.ctl.partition(Tp { topic: *self.ctl.by_name.get(topic)?, partition })
    }

    pub fn topic_meta(&self, topic: &str) -> Option<&TopicMeta> {
        self.ctl.topic_meta(topic)
    }
}

// ===== State digest (digest.rs)
impl Cluster {
    /// A hash of the whole state (see [`digest_of`]).
    pub fn digest(&self) -> u64 {
        digest_of(self)
    }
}

// ===== Properties (invariants.rs)
impl Cluster {
    /// Checks every named property; the first violation found is returned.
    pub fn check_invariants(&self) -> Result<(), Violation> {
        check_all(self)
    }

    /// Number of committed (ledger) records of a partition, for tests.
    ///
    /// (The end offset of the committed ledger; compaction and retention do not change it.)
    pub fn committed_end_offset(&self, topic: &str, partition: i32) -> Option<i64> {
        let idx = *self.ctl.by_name.get(topic)?;
        Some(self.ledger.get(&Tp { topic: idx, partition }).and_then(|l| l.last()).map_or(0, |b| b.next_offset()))
    }
}

// ===== Group admin (the coordinator: group/coordinator.rs)
//
// The Admin client's group calls (`listConsumerGroups`, `describeConsumerGroups`,
// `listConsumerGroupOffsets`, `alterConsumerGroupOffsets`, `deleteConsumerGroups`,
// `deleteConsumerGroupOffsets`), answered by the group's coordinator. Like the other admin calls
// of the engine they are synchronous: they find the coordinator (creating `__consumer_offsets`
// if needed), run the simulation while they wait for it, and write through the coordinator's log.
//
// The Admin client's side: it learns the coordinator from the cluster's metadata (the
// controller's image, as a client's metadata request would), then works through the
// coordinator's handlers; the reads below are read-only views of the coordinator's shards.
impl Cluster {
    pub(crate) fn offsets_partition_leader(&self, p: i32) -> Option<BrokerId> {
        let idx = self.ctl.by_name.get(OFFSETS_TOPIC)?;
        self.ctl.topics.get(idx)?.partitions.get(p as usize)?.leader
    }

    /// FindCoordinator as the Admin client does it (retrying until `ADMIN_TIMEOUT_MS`), then the
    /// coordinator's loaded shard: (broker, partition, shard id).
    pub(crate) fn admin_group_coordinator(&mut self, group: &str) -> KResult<(BrokerId, i32, u64)> {
        if group.is_empty() {
            return Err(KafkaError::of(ErrorCode::INVALID_GROUP_ID));
        }
        let p = crate::engine::assignor::coordinator_partition(group, OFFSETS_PARTITIONS);
        if !self.ctl.by_name.contains_key(OFFSETS_TOPIC) {
            let Some(c) = self.ctl.active else {
                return Err(KafkaError::of(ErrorCode::COORDINATOR_NOT_AVAILABLE));
            };
            // FindCoordinator to a broker the Admin client reaches: it forwards the creation.
            let via = self.brokers.keys().copied().find(|&b| self.client_reaches(b) && self.brokers_connected(b, c));
            if let Some(b) = via {
                let _ = self.find_coordinator_on(b, group);
            }
        }
        let mut found = None;
        self.run_while(ADMIN_TIMEOUT_MS, |c| {
            c.offsets_partition_leader(p).is_some_and(|l| c.client_reaches(l) && c.brokers[&l].replicas.values().next().is_some() && {
                let idx = c.ctl.by_name[OFFSETS_TOPIC];
                let tp = Tp { topic: idx, partition: p };
                c.brokers[&l].replicas.get(&tp).is_some_and(|r| r.vol.is_leader) && c.brokers[&l].view.get(&tp).is_some_and(|m| m.leader == Some(l))
            })
        });
        if let Some(l) = self.offsets_partition_leader(p) {
            if self.client_reaches(l) {
                found = self.coordinator_shard(l, p).ok().map(|sid| (l, p, sid));
            }
        }
        found.ok_or_else(|| KafkaError::of(ErrorCode::COORDINATOR_NOT_AVAILABLE))
    }

    /// The coordinator of `group` (FindCoordinator), creating `__consumer_offsets` on first use.
    pub fn group_coordinator(&mut self, group: &str) -> KResult<BrokerId> {
        self.admin_group_coordinator(group).map(|(b, _, _)| b)
    }

    pub(crate) fn admin_group(&self, b: BrokerId, p: i32, sid: u64, group: &str) -> Option<&Group> {
        self.groups.coordinators.get(&b)?.shard(p, sid)?.groups.get(group)
    }

    /// ListGroups over every coordinator. Groups whose coordinator is unreachable are missing.
    pub fn list_groups(&mut self) -> KResult<Vec<GroupListing>> {
        let mut out = Vec::new();
        if !self.ctl.by_name.contains_key(OFFSETS_TOPIC) {
            return Ok(out);
        }
        for p in 0..OFFSETS_PARTITIONS {
            let Some(l) = self.offsets_partition_leader(p) else { continue };
            if !self.client_reaches(l) {
                continue;
            }
            let Ok(sid) = self.coordinator_shard(l, p) else { continue };
            let Some(shard) = self.groups.coordinators.get(&l).and_then(|gc| gc.shard(p, sid)) else { continue };
            for g in shard.groups.values() {
                out.push(GroupListing { group_id: g.id.clone(), state: g.state, protocol_type: g.protocol_type.clone().unwrap_or_default(), group_type: "classic" });
            }
        }
        out.sort_by(|a, b| a.group_id.cmp(&b.group_id));
        Ok(out)
    }

    /// DescribeGroups for one group (`Dead` with no members when the coordinator does not know it).
    pub fn describe_group(&mut self, group: &str) -> KResult<GroupDescription> {
        let (b, p, sid) = self.admin_group_coordinator(group)?;
        let Some(g) = self.admin_group(b, p, sid, group) else {
            return Ok(GroupDescription {
                group_id: group.to_string(),
                state: GroupState::Dead,
                protocol_type: String::new(),
                assignment_strategy: String::new(),
                coordinator: b,
                generation: -1,
                members: Vec::new(),
            });
        };
        Ok(g.description(b))
    }

    /// OffsetFetch of every committed offset of the group.
    pub fn list_group_offsets(&mut self, group: &str) -> KResult<BTreeMap<TopicPartition, CommittedOffset>> {
        let (b, p, sid) = self.admin_group_coordinator(group)?;
        Ok(self.admin_group(b, p, sid, group).map(|g| g.offsets.clone()).unwrap_or_default())
    }

    /// Runs the simulation until broker `b`'s admin write `req_id` completed (bounded).
    pub(crate) fn await_admin_write(&mut self, b: BrokerId, req_id: u64) -> KResult<()> {
        self.run_while(OFFSETS_COMMIT_TIMEOUT_MS + 1_000, |c| c.groups.coordinators.get(&b).is_some_and(|gc| gc.admin_results.contains_key(&req_id)));
        let gc = self.groups.coordinators.entry(b).or_insert_with(|| GroupCoordinator::new(b));
        gc.admin_results.remove(&req_id).unwrap_or_else(|| {
            gc.appends.remove(&req_id);
            Err(KafkaError::of(ErrorCode::REQUEST_TIMED_OUT))
        })
    }

    /// AlterConsumerGroupOffsets (what `--reset-offsets --execute` does). Allowed only while the
    /// group is Empty or unknown (Dead); the error then carries the tool's text.
    pub fn alter_group_offsets(&mut self, group: &str, offsets: &BTreeMap<TopicPartition, i64>) -> KResult<()> {
        let (b, p, sid) = self.admin_group_coordinator(group)?;
        if let Some(g) = self.admin_group(b, p, sid, group) {
            if !matches!(g.state, GroupState::Empty | GroupState::Dead) {
                return Err(KafkaError::new(
                    ErrorCode::UNKNOWN_MEMBER_ID,
                    format!("Assignments can only be reset if the group '{group}' is inactive, but the current state is {}.", g.state.name()),
                ));
            }
        }
        if let Some(bad) = offsets.iter().find(|(_, o)| **o < 0) {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, format!("Invalid negative offset {} for partition {}-{}", bad.1, bad.0.topic, bad.0.partition)));
        }
        let offsets: Vec<(TopicPartition, i64)> = offsets.iter().map(|(tp, o)| (tp.clone(), *o)).collect();
        let req = self.with_group_coordinator(b, |gc, _, ctx| {
            if offsets.is_empty() {
                // Kafka creates the (simple) group even when there is nothing to write.
                if let Some(shard) = gc.shard_mut(p, sid) {
                    shard.groups.entry(group.to_string()).or_insert_with(|| Group::new(group, ctx.now_ms));
                }
                return None;
            }
            Some(gc.write_offsets(ctx, p, sid, group, offsets, None))
        });
        match req.flatten() {
            Some(req) => self.await_admin_write(b, req),
            None => Ok(()),
        }
    }

    /// DeleteGroups: each group must exist and be Empty (`GROUP_ID_NOT_FOUND`, `NON_EMPTY_GROUP`).
    pub fn delete_groups(&mut self, groups: &[String]) -> Vec<(String, KResult<()>)> {
        let mut out = Vec::new();
        for group in groups {
            let r = self.delete_group(group);
            out.push((group.clone(), r));
        }
        out
    }

    fn delete_group(&mut self, group: &str) -> KResult<()> {
        let (b, p, sid) = self.admin_group_coordinator(group)?;
        let Some(g) = self.admin_group(b, p, sid, group) else { return Err(KafkaError::of(ErrorCode::GROUP_ID_NOT_FOUND)) };
        match g.state {
            GroupState::Dead => return Err(KafkaError::of(ErrorCode::GROUP_ID_NOT_FOUND)),
            GroupState::Empty => {}
            _ => return Err(KafkaError::of(ErrorCode::NON_EMPTY_GROUP)),
        }
        let mut recs: Vec<(Vec<u8>, Option<Vec<u8>>)> =
            g.offsets.keys().map(|tp| (records::encode_key(&RecordKey::Offset { group: group.to_string(), tp: tp.clone() }), None)).collect();
        recs.push((records::encode_key(&RecordKey::Group { group: group.to_string() }), None));
        let req = self.with_group_coordinator(b, |gc, _, ctx| {
            if let Some(shard) = gc.shard_mut(p, sid) {
                shard.groups.remove(group);
            }
            gc.append(ctx, p, sid, recs, AppendKind::Admin)
        });
        match req {
            Some(req) => self.await_admin_write(b, req),
            None => Err(KafkaError::of(ErrorCode::COORDINATOR_NOT_AVAILABLE)),
        }
    }

    /// OffsetDelete for some partitions of a group. The outer error is the group's
    /// (`GROUP_ID_NOT_FOUND`, `NON_EMPTY_GROUP`); partitions of topics an active member subscribes
    /// to fail with `GROUP_SUBSCRIBED_TO_TOPIC`.
    pub fn delete_group_offsets(&mut self, group: &str, partitions: &[TopicPartition]) -> KResult<Vec<(TopicPartition, KResult<()>)>> {
        let (b, p, sid) = self.admin_group_coordinator(group)?;
        let Some(g) = self.admin_group(b, p, sid, group) else { return Err(KafkaError::of(ErrorCode::GROUP_ID_NOT_FOUND)) };
        if g.state == GroupState::Dead {
            return Err(KafkaError::of(ErrorCode::GROUP_ID_NOT_FOUND));
        }
        if g.state != GroupState::Empty && g.protocol_type.as_deref() != Some("consumer") {
            return Err(KafkaError::of(ErrorCode::NON_EMPTY_GROUP));
        }
        let mut results = Vec::new();
        let mut recs = Vec::new();
        let mut deleted = Vec::new();
        for tp in partitions {
            if g.state != GroupState::Empty && g.subscribed(&tp.topic) {
                results.push((tp.clone(), Err(KafkaError::of(ErrorCode::GROUP_SUBSCRIBED_TO_TOPIC))));
                continue;
            }
            if g.offsets.contains_key(tp) {
                recs.push((records::encode_key(&RecordKey::Offset { group: group.to_string(), tp: tp.clone() }), None));
                deleted.push(tp.clone());
            }
            results.push((tp.clone(), Ok(())));
        }
        let req = self.with_group_coordinator(b, |gc, _, ctx| {
            if let Some(g) = gc.group_mut(p, sid, group) {
                for tp in &deleted {
                    g.offsets.remove(tp);
                }
            }
            (!recs.is_empty()).then(|| gc.append(ctx, p, sid, recs, AppendKind::Admin))
        });
        if let Some(req) = req.flatten() {
            self.await_admin_write(b, req)?;
        }
        Ok(results)
    }

    /// A topic was deleted: every coordinator drops the committed offsets of its partitions
    /// (`onPartitionsDeleted`), writing tombstones.
    pub(crate) fn groups_on_topic_deleted(&mut self, topic: &str) {
        if topic == OFFSETS_TOPIC {
            for gc in self.groups.coordinators.values_mut() {
                gc.shards.clear();
            }
            return;
        }
        // Each partition's coordinator: the broker that leads it in its own metadata view.
        let up: Vec<BrokerId> = self.brokers.keys().copied().filter(|&b| self.broker_up(b)).collect();
        for p in 0..OFFSETS_PARTITIONS {
            for &l in &up {
                if coordinator_in_view(&self.brokers[&l], OFFSETS_TOPIC, p) == Some(Ok(l)) {
                    self.with_group_coordinator(l, |gc, host, ctx| gc.on_topic_deleted(host, ctx, p, topic));
                }
            }
        }
    }
}

// ===== Group coordinators: routing (group/coordinator.rs)
impl Cluster {
    /// Runs `f` on broker `b`'s group coordinator with its host's read-only state and a `Ctx`,
    /// then routes the outputs in order. None if there is no such broker.
    pub(crate) fn with_group_coordinator<R>(&mut self, b: BrokerId, f: impl FnOnce(&mut GroupCoordinator, &Broker, &mut Ctx) -> R) -> Option<R> {
        self.with_group_coordinator_to(b, None, f)
    }

    /// As [`Cluster::with_group_coordinator`], the `Ctx` naming `controller` as the active
    /// controller (for a request the host forwards to it).
    fn with_group_coordinator_to<R>(&mut self, b: BrokerId, controller: Option<BrokerId>, f: impl FnOnce(&mut GroupCoordinator, &Broker, &mut Ctx) -> R) -> Option<R> {
        let host = self.brokers.get(&b)?;
        let gc = self.groups.coordinators.entry(b).or_insert_with(|| GroupCoordinator::new(b));
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id).with_quorum_leader(controller);
        let r = f(gc, host, &mut ctx);
        let outputs = ctx.into_outputs();
        self.route(outputs);
        Some(r)
    }

    /// FindCoordinator served by broker `b`: the leader of the group's offsets partition in `b`'s
    /// metadata view. On first use `b` forwards the creation of `__consumer_offsets` to the
    /// active controller, if it reaches it (Kafka's channel would hold the request until then;
    /// here the next FindCoordinator asks again).
    pub(crate) fn find_coordinator_on(&mut self, b: BrokerId, group: &str) -> Result<BrokerId, ErrorCode> {
        let rf = self.offsets_replication_factor();
        let controller = self.quorum_leader().filter(|&c| self.brokers_connected(b, c));
        let found = self.with_group_coordinator_to(b, controller, |gc, host, ctx| gc.on_find_coordinator(host, ctx, group, rf));
        found.unwrap_or(Err(ErrorCode::COORDINATOR_NOT_AVAILABLE))
    }

    /// `offsets.topic.replication.factor`, as a CreateTopics carries it.
    fn offsets_replication_factor(&self) -> i16 {
        self.broker_int("offsets.topic.replication.factor").clamp(1, i16::MAX as i64) as i16
    }

    /// The controller answered a CreateTopics a coordinator forwarded.
    pub(crate) fn coordinator_create_topics_answered(&mut self, req_id: u64) {
        for gc in self.groups.coordinators.values_mut() {
            if gc.on_create_topics_answer(req_id) {
                break;
            }
        }
    }

    /// Makes sure broker `b` coordinates offsets partition `p` and has loaded it; the shard id.
    pub(crate) fn coordinator_shard(&mut self, b: BrokerId, p: i32) -> Result<u64, ErrorCode> {
        self.with_group_coordinator(b, |gc, host, ctx| gc.load(host, ctx, p)).unwrap_or(Err(ErrorCode::NOT_COORDINATOR))
    }

    /// A write of broker `b`'s coordinator (request `req_id`) finished.
    pub(crate) fn coordinator_append_done(&mut self, req_id: u64, result: Result<(i64, i64), KafkaError>) {
        let owner = self.groups.coordinators.iter().find(|(_, gc)| gc.appends.contains_key(&req_id)).map(|(b, _)| *b);
        if let Some(b) = owner {
            self.with_group_coordinator(b, |gc, _, ctx| gc.on_append_done(ctx, req_id, result));
        }
    }
}

// ===== Groups: consumer fetch routing, timers, views (group/mod.rs)
impl Cluster {
    pub(crate) fn group_timer(&mut self, ev: GroupEv) {
        match ev {
            GroupEv::JoinDeadline { broker, partition, shard_id, group, rebalance_seq } => {
                self.with_group_coordinator(broker, |gc, _, ctx| gc.on_join_deadline(ctx, partition, shard_id, &group, rebalance_seq));
            }
            GroupEv::SessionExpiry { broker, partition, shard_id, group, member_id, heartbeat_seq } => {
                self.with_group_coordinator(broker, |gc, _, ctx| gc.on_session_expiry(ctx, partition, shard_id, &group, &member_id, heartbeat_seq));
            }
            GroupEv::FetchExpire { broker, req_id } => {
                self.with_broker(broker, |br, ctx| br.on_consumer_fetch_expire(ctx, req_id));
            }
            GroupEv::ConsumerWake { consumer } => self.consumer_wake(consumer),
        }
    }

    /// A group message arrived at broker `b`: its coordinator handles it (a consumer fetch goes
    /// to the broker's partition leaders).
    pub(crate) fn group_broker_receive(&mut self, b: BrokerId, msg: GroupMsg) {
        match msg {
            GroupMsg::FindCoordinator { consumer, req_id, group } => {
                let result = self.find_coordinator_on(b, &group);
                self.reply(b, consumer, GroupMsg::FindCoordinatorResp { req_id, result });
            }
            GroupMsg::Join { consumer, req_id, group, member_id, client_id, host, session_timeout_ms, rebalance_timeout_ms, protocols } => {
                let req = coordinator::JoinRequest { consumer, req_id, group, member_id, client_id, host, session_timeout_ms, rebalance_timeout_ms, protocols };
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_join(host, ctx, req));
            }
            GroupMsg::Sync { consumer, req_id, group, member_id, generation, assignment } => {
                let req = coordinator::SyncRequest { consumer, req_id, group, member_id, generation, assignment };
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_sync(host, ctx, req));
            }
            GroupMsg::Heartbeat { consumer, req_id, group, member_id, generation } => {
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_heartbeat(host, ctx, consumer, req_id, &group, &member_id, generation));
            }
            GroupMsg::Leave { consumer, req_id, group, member_id } => {
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_leave(host, ctx, consumer, req_id, &group, &member_id));
            }
            GroupMsg::OffsetCommit { consumer, req_id, group, member_id, generation, offsets } => {
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_offset_commit(host, ctx, Some((consumer, req_id)), &group, &member_id, generation, offsets));
            }
            GroupMsg::OffsetFetch { consumer, req_id, group, partitions } => {
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_offset_fetch(host, ctx, consumer, req_id, &group, &partitions));
            }
            GroupMsg::Fetch { consumer, req_id, parts, isolation, max_wait_ms, max_partition_bytes } => {
                let f = crate::engine::broker::state::ParkedConsumerFetch { consumer, req_id, parts, isolation, max_partition_bytes };
                self.with_broker(b, |br, ctx| br.on_consumer_fetch(ctx, f, max_wait_ms));
            }
            _ => {}
        }
    }

    pub(crate) fn reply(&mut self, b: BrokerId, consumer: u32, msg: GroupMsg) {
        self.net_send(Some(b), crate::engine::cluster::Dest::Client(consumer), crate::engine::cluster::Msg::Group(Box::new(msg)));
    }

    /// A message for a client id in the group range: a consumer, or a coordinator's own append.
    pub(crate) fn group_client_receive(&mut self, client: u32, msg: crate::engine::cluster::Msg) {
        match msg {
            crate::engine::cluster::Msg::ProduceResp { req_id, result } if client == COORDINATOR_CLIENT => self.coordinator_append_done(req_id, result),
            crate::engine::cluster::Msg::CreateTopicsResp { req_id } if client == COORDINATOR_CLIENT => self.coordinator_create_topics_answered(req_id),
            crate::engine::cluster::Msg::ProduceResp { req_id, result } if client == crate::engine::ids::TXN_LOG_CLIENT => self.txn_append_done(req_id, result),
            crate::engine::cluster::Msg::CreateTopicsResp { req_id } if client == crate::engine::ids::TXN_LOG_CLIENT => self.txn_create_topics_answered(req_id),
            crate::engine::cluster::Msg::ProduceResp { req_id, result } if client == crate::engine::ids::TXN_MARKER_CLIENT => self.txn_marker_done(req_id, result),
            crate::engine::cluster::Msg::Group(m) => self.consumer_receive(client, *m),
            _ => {}
        }
    }

    /// Group safety properties, checked by tests after every event:
    /// - `OneOwnerPerGeneration`: among live consumers of a group that hold an assignment from
    ///   the same generation, no partition has two owners;
    /// - `CommittedWithinHw`: every committed offset a coordinator holds is at most the highest
    ///   high watermark the partition reached.
    pub fn check_group_invariants(&self) -> Result<(), crate::engine::violation::Violation> {
        let v = |property: &'static str, detail: String| Err(crate::engine::violation::Violation { property, detail });
        let mut owners: BTreeMap<(String, i32, TopicPartition), u32> = BTreeMap::new();
        for id in self.consumer_ids() {
            let Some(info) = self.consumer_info(id) else { continue };
            let Some(g) = info.group_id else { continue };
            if info.generation < 0 {
                continue;
            }
            for tp in info.assignment {
                if let Some(other) = owners.insert((g.clone(), info.generation, tp.clone()), id) {
                    return v("OneOwnerPerGeneration", format!("group {g} generation {}: {}-{} owned by consumers {other} and {id}", info.generation, tp.topic, tp.partition));
                }
            }
        }
        for (b, shard) in self.groups.coordinators.iter().flat_map(|(b, gc)| gc.shards.values().map(move |s| (b, s))) {
            if !self.broker_up(*b) {
                continue;
            }
            for g in shard.groups.values() {
                for (tp, o) in &g.offsets {
                    let Some(&idx) = self.ctl.by_name.get(&tp.topic) else { continue };
                    let tpi = Tp { topic: idx, partition: tp.partition };
                    // The highest high watermark the partition ever reached (a new leader's own HW
                    // may lag behind it for a moment after an election).
                    let hw_max = self.ledger.get(&tpi).and_then(|l| l.last()).map_or(0, |b| b.next_offset());
                    if !self.track_invariants || self.unclean_tainted.iter().any(|(t, _)| *t == tpi) {
                        continue;
                    }
                    if o.offset > hw_max {
                        return v("CommittedWithinHw", format!("group {} {}-{}: committed {} > high watermark {}", g.id, tp.topic, tp.partition, o.offset, hw_max));
                    }
                }
            }
        }
        Ok(())
    }

    /// The committed offsets the group's current coordinator holds in memory, without running
    /// the simulation (None if the coordinator is unknown or has not loaded the group's partition).
    pub fn coordinator_offsets(&self, group: &str) -> Option<BTreeMap<TopicPartition, i64>> {
        let p = crate::engine::assignor::coordinator_partition(group, OFFSETS_PARTITIONS);
        let idx = self.ctl.by_name.get(OFFSETS_TOPIC)?;
        let l = self.ctl.topics.get(idx)?.partitions.get(p as usize)?.leader?;
        let shard = self.groups.coordinators.get(&l)?.shards.get(&p)?;
        let br = self.brokers.get(&l)?;
        let r = br.replicas.get(&Tp { topic: *idx, partition: p })?;
        if br.incarnation != shard.incarnation || !r.vol.is_leader || r.vol.leader_epoch != shard.leader_epoch {
            return None;
        }
        Some(shard.groups.get(group).map(|g| g.offsets.iter().map(|(tp, o)| (tp.clone(), o.offset)).collect()).unwrap_or_default())
    }

    /// Every live group the current coordinators hold in memory, as DescribeGroups shows it, with
    /// its committed offsets; READ-ONLY: no FindCoordinator, no shard loading, no simulated time
    /// passes (observers such as lesson goals and the UI must not change the run). A coordinator
    /// that has not (re)loaded its `__consumer_offsets` partition yet contributes nothing.
    pub fn peek_groups(&self) -> Vec<(GroupDescription, BTreeMap<TopicPartition, i64>)> {
        let Some(idx) = self.ctl.by_name.get(OFFSETS_TOPIC) else { return Vec::new() };
        let Some(topic) = self.ctl.topics.get(idx) else { return Vec::new() };
        let mut out = Vec::new();
        for (b, p, shard) in self.groups.coordinators.iter().flat_map(|(b, gc)| gc.shards.iter().map(move |(p, s)| (b, p, s))) {
            if topic.partitions.get(*p as usize).and_then(|m| m.leader) != Some(*b) || !self.broker_up(*b) {
                continue;
            }
            let Some(br) = self.brokers.get(b) else { continue };
            let Some(r) = br.replicas.get(&Tp { topic: *idx, partition: *p }) else { continue };
            if br.incarnation != shard.incarnation || !r.vol.is_leader || r.vol.leader_epoch != shard.leader_epoch {
                continue;
            }
            for g in shard.groups.values().filter(|g| g.state != GroupState::Dead) {
                let description = g.description(*b);
                out.push((description, BTreeMap::from_iter(g.offsets.iter().map(|(tp, o)| (tp.clone(), o.offset)))));
            }
        }
        out.sort_by(|a, b| a.0.group_id.cmp(&b.0.group_id));
        out
    }
}


// ===== Producer and consumer clients: API and router glue (the nodes: producer/, consumer/)
impl Cluster {
    /// Runs `f` on producer `id` with a [`Ctx`] (the brokers a client reaches now), then routes
    /// its outputs in order. None when the producer is gone.
    pub(crate) fn with_producer<R>(&mut self, id: ProducerId, f: impl FnOnce(&mut Producer, &mut Ctx) -> R) -> Option<R> {
        let reachable = self.client_reachable_brokers();
        let p = self.producers.get_mut(&id)?;
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id).with_reachable(&reachable);
        let r = f(p, &mut ctx);
        let outputs = ctx.into_outputs();
        self.route(outputs);
        Some(r)
    }

    /// The producer's Sender runs a pass: metadata, expiry, sending ready batches.
    pub(crate) fn producer_poll(&mut self, producer: ProducerId) {
        self.with_producer(producer, |p, ctx| p.poll(producer, ctx));
    }

    /// A message reached producer `producer`.
    pub(crate) fn producer_receive(&mut self, producer: ProducerId, msg: Msg) {
        match msg {
            Msg::MetadataResp { req_id, topics } => {
                self.with_producer(producer, |p, ctx| {
                    if p.on_metadata_answer(producer, req_id, topics, ctx) {
                        p.poll(producer, ctx);
                    }
                });
            }
            Msg::ProduceResp { req_id, result } => {
                self.with_producer(producer, |p, ctx| p.on_produce_answer(producer, req_id, result, ctx));
            }
            Msg::Txn(m) => self.txn_client_receive(producer, *m),
            _ => {}
        }
    }

    pub fn create_producer(&mut self, config: ProducerConfig) -> KResult<ProducerId> {
        let p = Producer::new(config)?;
        let id = self.next_producer_id;
        self.next_producer_id += 1;
        self.producers.insert(id, p);
        Ok(id)
    }

    pub(crate) fn producer_mut(&mut self, id: ProducerId) -> KResult<&mut Producer> {
        self.producers
            .get_mut(&id)
            .filter(|p| !p.closed_flag())
            .ok_or_else(|| unknown_producer(id))
    }

    /// Queues a record. Its result arrives later through [`Cluster::take_send_results`].
    pub fn send(&mut self, producer: ProducerId, record: ProducerRecord) -> KResult<SendId> {
        record.check_fields()?;
        let p = self.producers.get_mut(&producer).filter(|p| !p.closed_flag()).ok_or_else(|| unknown_producer(producer))?;
        record.check_size()?;
        // Adding a record reaches no broker: the Ctx of the common path lists none (no
        // allocation per record); a full batch or a metadata request then runs with one.
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id);
        let (send_id, next) = p.send(producer, record, &mut ctx);
        let outputs = ctx.into_outputs();
        self.route(outputs);
        match next {
            AfterSend::Nothing => {}
            AfterSend::Drain(key) => {
                self.with_producer(producer, |p, ctx| p.service_queue(producer, &key, ctx));
            }
            AfterSend::Poll => self.producer_poll(producer),
        }
        Ok(send_id)
    }

    /// Results that arrived since the last call, in completion order.
    pub fn take_send_results(&mut self, producer: ProducerId) -> Vec<(SendId, SendResult)> {
        self.producers.get_mut(&producer).map_or_else(Vec::new, Producer::take_results)
    }

    /// Client log lines (metadata warnings, retries) since the last call.
    pub fn take_producer_warnings(&mut self, producer: ProducerId) -> Vec<ProducerWarning> {
        self.producers.get_mut(&producer).map_or_else(Vec::new, Producer::take_warnings)
    }

    /// Sends not yet answered.
    pub fn pending_sends(&self, producer: ProducerId) -> u64 {
        self.producers.get(&producer).map_or(0, Producer::pending_sends_count)
    }

    /// Sends every batch now (ignoring linger) and runs simulated time until every pending send
    /// has a result (bounded by the delivery timeout plus a margin).
    pub fn flush(&mut self, producer: ProducerId) -> KResult<()> {
        let limit = self.producer_mut(producer)?.begin_flush();
        self.producer_poll(producer);
        self.run_while(limit, |c| c.producers.get(&producer).is_none_or(|p| p.pending_sends_count() == 0));
        if let Some(p) = self.producers.get_mut(&producer) {
            p.end_flush();
        }
        Ok(())
    }

    /// Closes the producer (after a flush); later calls with this id fail.
    pub fn close_producer(&mut self, producer: ProducerId) -> KResult<()> {
        self.flush(producer)?;
        if let Some(p) = self.producers.get_mut(&producer) {
            p.mark_closed();
        }
        Ok(())
    }

    /// `close(Duration.ZERO)`, or the JVM exiting under a tool on Ctrl-C: the producer is gone
    /// at once; records not yet sent are dropped (their sends never complete), requests already
    /// on the wire still reach the brokers. Unlike [`Cluster::close_producer`] it runs no
    /// simulated time.
    pub fn close_producer_now(&mut self, producer: ProducerId) -> KResult<()> {
        self.producer_mut(producer)?;
        self.producers.remove(&producer);
        Ok(())
    }

    /// The process running the producer died: nothing more is sent or retried (an open
    /// transaction stays open until the coordinator aborts it).
    pub fn crash_producer(&mut self, producer: ProducerId) {
        self.producers.remove(&producer);
    }

    /// Runs `f` on consumer `c` with a [`Ctx`] (the brokers a client reaches now, and what its
    /// metadata and ListOffsets requests answer: the cluster's [`ClientImage`]), then routes its
    /// outputs in order. None when there is no such consumer.
    ///
    /// The image borrows only the controller's image and the brokers, so the Ctx can hold the
    /// cluster's RNG and request-id counter at the same time.
    pub(crate) fn with_consumer<R>(&mut self, c: ConsumerId, f: impl FnOnce(&mut Consumer, &mut Ctx) -> R) -> Option<R> {
        let reachable = self.client_reachable_brokers();
        debug_assert!(reachable.windows(2).all(|w| w[0] < w[1]), "reachable brokers in id order");
        let x = self.consumers.get_mut(&c)?;
        let image = ClientImage { brokers: &self.brokers, reachable: &reachable };
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id).with_reachable(&reachable).with_view(&image);
        let r = f(x, &mut ctx);
        let outputs = ctx.into_outputs();
        self.route(outputs);
        Some(r)
    }

    /// Consumer `c`'s wake-up timer fired.
    pub(crate) fn consumer_wake(&mut self, c: ConsumerId) {
        self.with_consumer(c, |x, ctx| x.on_wake(c, ctx));
    }

    /// A group-protocol or fetch answer reached consumer `c`.
    pub(crate) fn consumer_receive(&mut self, c: ConsumerId, msg: GroupMsg) {
        self.with_consumer(c, |x, ctx| x.receive(c, msg, ctx));
    }

    pub(crate) fn consumer_step(&mut self, c: ConsumerId) {
        self.with_consumer(c, |x, ctx| x.step(c, ctx));
    }

    /// A number in `0..n` from the cluster's seeded RNG (tools use it, e.g. the console
    /// consumer's `console-consumer-<n>` group id).
    pub fn random_below(&mut self, n: u64) -> u64 {
        self.rng.below(n.max(1))
    }

    pub fn create_consumer(&mut self, config: ConsumerConfig) -> KResult<ConsumerId> {
        let x = Consumer::new(config, self.now_ms)?;
        let id = CONSUMER_ID_BASE + self.next_consumer_id;
        self.next_consumer_id += 1;
        self.consumers.insert(id, x);
        Ok(id)
    }

    pub(crate) fn consumer_ref(&self, c: ConsumerId) -> KResult<&Consumer> {
        self.consumers.get(&c).filter(|x| !x.is_closed()).ok_or_else(consumer_closed)
    }

    pub(crate) fn consumer_mut(&mut self, c: ConsumerId) -> KResult<&mut Consumer> {
        self.consumers.get_mut(&c).filter(|x| !x.is_closed()).ok_or_else(consumer_closed)
    }

    /// `subscribe(topics)`: group management (needs a `group.id`).
    pub fn subscribe(&mut self, c: ConsumerId, topics: &[&str]) -> KResult<()> {
        let set = self.consumer_mut(c)?.subscribe(topics)?;
        // A partition count asks no broker: the image needs none in reach.
        let reachable = self.client_reachable_brokers();
        let image = ClientImage { brokers: &self.brokers, reachable: &reachable };
        let missing: Vec<String> = set.into_iter().filter(|t| image.partition_count(t) == 0).collect();
        for topic in &missing {
            self.consumer_metadata_for_missing_topic(c, topic);
        }
        self.consumer_step(c);
        Ok(())
    }

    /// `assign(partitions)`: manual assignment, no group membership.
    pub fn assign(&mut self, c: ConsumerId, partitions: &[TopicPartition]) -> KResult<()> {
        self.consumer_mut(c)?.assign(partitions)?;
        self.consumer_step(c);
        Ok(())
    }

    /// `seek(tp, offset)`: the next poll returns records from `offset`.
    pub fn seek(&mut self, c: ConsumerId, tp: &TopicPartition, offset: i64) -> KResult<()> {
        if offset < 0 {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, "seek offset must not be a negative number"));
        }
        self.consumer_mut(c)?.seek(tp, offset)
    }

    /// `seekToBeginning` / `seekToEnd` (resolved lazily, like Kafka).
    pub fn seek_to(&mut self, c: ConsumerId, tps: &[TopicPartition], reset: OffsetReset) -> KResult<()> {
        self.consumer_mut(c)?.seek_to(tps, reset)?;
        self.consumer_step(c);
        Ok(())
    }

    /// The position (next offset to return) of an assigned partition, if known.
    pub fn position(&self, c: ConsumerId, tp: &TopicPartition) -> Option<i64> {
        self.consumers.get(&c)?.position(tp)
    }

    pub fn consumer_info(&self, c: ConsumerId) -> Option<ConsumerInfo> {
        self.consumers.get(&c).map(Consumer::info)
    }

    /// Every consumer created, closed ones included (their `returned` stays readable).
    pub fn all_consumer_ids(&self) -> Vec<ConsumerId> {
        self.consumers.keys().copied().collect()
    }

    /// The offsets `poll` returned to the application, per partition (see [`Returned`]); a
    /// closed consumer keeps what it returned.
    pub fn returned(&self, c: ConsumerId) -> Vec<(TopicPartition, Returned)> {
        self.consumers.get(&c).map_or_else(Vec::new, Consumer::returned)
    }

    pub fn consumer_ids(&self) -> Vec<ConsumerId> {
        self.consumers.iter().filter(|(_, x)| !x.is_closed()).map(|(id, _)| *id).collect()
    }

    /// Client log lines since the last call.
    pub fn take_consumer_logs(&mut self, c: ConsumerId) -> Vec<ConsumerLog> {
        self.consumers.get_mut(&c).map_or_else(Vec::new, Consumer::take_logs)
    }

    /// `poll`: the records fetched so far (at most `max.poll.records`), positions advanced.
    pub fn poll(&mut self, c: ConsumerId) -> KResult<Vec<ConsumerRecord>> {
        self.consumer_mut(c)?;
        self.with_consumer(c, |x, ctx| x.poll(c, ctx)).unwrap_or_else(|| Err(consumer_closed()))
    }

    pub(crate) fn queue_commit(&mut self, c: ConsumerId, offsets: Vec<(TopicPartition, i64)>, retry: bool) -> u64 {
        self.with_consumer(c, |x, ctx| x.queue_commit(c, offsets, retry, ctx)).unwrap_or(0)
    }

    /// `commitAsync`: commits `offsets` (or the current positions). Failures show up as
    /// [`ConsumerLog::CommitFailed`].
    pub fn commit_async(&mut self, c: ConsumerId, offsets: Option<BTreeMap<TopicPartition, i64>>) -> KResult<()> {
        let offsets = self.consumer_ref(c)?.offsets_to_commit(offsets)?;
        if !offsets.is_empty() {
            self.queue_commit(c, offsets, false);
        }
        Ok(())
    }

    /// `commitSync`: commits `offsets` (or the current positions) and runs the simulation until
    /// the coordinator answered (retrying retriable errors up to `default.api.timeout.ms`).
    pub fn commit_sync(&mut self, c: ConsumerId, offsets: Option<BTreeMap<TopicPartition, i64>>) -> KResult<()> {
        let x = self.consumer_ref(c)?;
        let offsets = x.offsets_to_commit(offsets)?;
        let timeout_ms = x.default_api_timeout_ms();
        if offsets.is_empty() {
            return Ok(());
        }
        let id = self.queue_commit(c, offsets, true);
        self.run_while(timeout_ms + 1_000, |cl| cl.consumers.get(&c).is_none_or(|x| x.has_commit_result(id)));
        let x = self.consumers.get_mut(&c).ok_or_else(|| KafkaError::of(ErrorCode::INVALID_REQUEST))?;
        // This call reported the outcome; the log keeps only asynchronous failures.
        x.forget_commit_failures();
        x.take_commit_result(id).unwrap_or_else(|| Err(KafkaError::new(ErrorCode::REQUEST_TIMED_OUT, format!("Timeout of {timeout_ms}ms expired before successfully committing offsets"))))
    }

    /// `committed(partitions)` from the coordinator (admin path, synchronous).
    pub fn committed(&mut self, c: ConsumerId) -> KResult<BTreeMap<TopicPartition, i64>> {
        let group = self.consumer_ref(c)?.group_id().map(str::to_string).ok_or_else(|| KafkaError::of(ErrorCode::INVALID_GROUP_ID))?;
        Ok(self.list_group_offsets(&group)?.into_iter().map(|(tp, o)| (tp, o.offset)).collect())
    }

    /// `close()`: commits the positions (auto-commit), leaves the group, and stops.
    pub fn close_consumer(&mut self, c: ConsumerId) -> KResult<()> {
        if self.consumer_ref(c)?.commits_on_close() {
            let _ = self.commit_sync(c, None);
        }
        self.with_consumer(c, |x, ctx| x.close(c, ctx));
        Ok(())
    }

    /// The client process dies: no LeaveGroup, no commit. The coordinator notices after the
    /// session timeout.
    pub fn crash_consumer(&mut self, c: ConsumerId) -> KResult<()> {
        self.consumer_mut(c)?.shut();
        Ok(())
    }

    /// `commitAsync` whose outcome the caller collects with [`Cluster::take_commit_result`]
    /// (retriable errors are retried up to `default.api.timeout.ms`).
    pub fn commit_tracked(&mut self, c: ConsumerId, offsets: BTreeMap<TopicPartition, i64>) -> KResult<u64> {
        let offsets = self.consumer_ref(c)?.offsets_to_commit(Some(offsets))?;
        Ok(self.queue_commit(c, offsets, true))
    }

    /// The outcome of a [`Cluster::commit_tracked`] commit, once known.
    pub fn take_commit_result(&mut self, c: ConsumerId, id: u64) -> Option<KResult<()>> {
        self.consumers.get_mut(&c)?.take_commit_result(id)
    }
}

/// What a client's metadata and ListOffsets requests answer now (the consumer's simplification,
/// see the consumer module's docs): a metadata request goes to the first broker the client reaches
/// that has caught up with the metadata log (a KRaft broker serves clients only after its initial
/// catch-up) and is answered from that broker's view; ListOffsets goes to the leader that view
/// names, which answers only while its own view says it leads. It borrows only the brokers.
pub(crate) struct ClientImage<'a> {
    brokers: &'a BTreeMap<BrokerId, Broker>,
    /// The brokers the client reaches now, in id order.
    reachable: &'a [BrokerId],
}

impl ClientImage<'_> {
    /// The broker a metadata request goes to.
    fn metadata_broker(&self) -> Option<&Broker> {
        self.reachable.iter().filter_map(|b| self.brokers.get(b)).find(|b| b.view_version > 0)
    }
}

impl ClientView for ClientImage<'_> {
    fn partition_count(&self, topic: &str) -> i32 {
        self.metadata_broker().map_or(0, |b| b.partition_count(topic))
    }

    fn leader(&self, topic: &str, partition: i32) -> Option<BrokerId> {
        self.metadata_broker()?.leader_of(topic, partition)
    }

    fn list_offset(&self, topic: &str, partition: i32, spec: OffsetSpec) -> Option<i64> {
        let l = self.leader(topic, partition)?;
        if self.reachable.binary_search(&l).is_err() {
            return None;
        }
        self.brokers.get(&l)?.list_offset_here(topic, partition, spec)
    }
}

// ===== Transactions: API and router glue (the nodes: txn/client.rs, txn/coordinator.rs)
impl Cluster {
    // ----- public API: transactional producer (the node: txn/client.rs) -----

    /// A producer the application still holds (not closed).
    fn txn_client(&mut self, p: ProducerId) -> KResult<&mut crate::engine::producer::Producer> {
        self.producers.get_mut(&p).filter(|x| !x.closed_flag()).ok_or_else(|| KafkaError::new(ErrorCode::INVALID_REQUEST, format!("Unknown producer {p}.")))
    }

    /// `initTransactions`, started: the result arrives through [`Cluster::take_transaction_result`].
    pub fn start_init_transactions(&mut self, p: ProducerId) -> KResult<()> {
        self.txn_client(p)?.start_init_transactions()?;
        self.producer_poll(p);
        Ok(())
    }

    /// `beginTransaction` (local: nothing is sent until the first record or offsets).
    pub fn begin_transaction(&mut self, p: ProducerId) -> KResult<()> {
        self.txn_client(p)?.begin_transaction()
    }

    /// `sendOffsetsToTransaction`, started.
    pub fn start_send_offsets_to_transaction(&mut self, p: ProducerId, offsets: Vec<(TopicPartition, i64)>, group: &str) -> KResult<()> {
        self.txn_client(p)?.start_send_offsets_to_transaction(offsets, group)?;
        self.producer_poll(p);
        Ok(())
    }

    /// `commitTransaction` / `abortTransaction`, started (flushes pending records first).
    pub fn start_end_transaction(&mut self, p: ProducerId, commit: bool) -> KResult<()> {
        self.txn_client(p)?.start_end_transaction(commit)?;
        self.producer_poll(p);
        Ok(())
    }

    /// The outcome of the last started transactional call, once known.
    pub fn take_transaction_result(&mut self, p: ProducerId) -> Option<KResult<()>> {
        self.producers.get_mut(&p).and_then(|x| x.txn.as_mut()).and_then(|t| t.take_result())
    }

    /// The transactional client state (`TransactionManager` state), if the producer is transactional.
    pub fn transaction_client_state(&self, p: ProducerId) -> Option<TxnClientState> {
        self.producers.get(&p).and_then(|x| x.txn.as_ref()).map(|t| t.state)
    }

    /// The producer id and epoch the producer uses (-1, -1 before it has one).
    pub fn producer_identity(&self, p: ProducerId) -> Option<(i64, i16)> {
        self.producers.get(&p).and_then(|x| x.idem.as_ref()).map(|i| (i.producer_id, i.epoch))
    }

    fn wait_transaction(&mut self, p: ProducerId, what: &str) -> KResult<()> {
        let limit = self.producers.get(&p).map_or(60_000, |x| x.config.max_block_ms);
        let done = self.run_while(limit, |c| c.producers.get(&p).and_then(|x| x.txn.as_ref()).is_none_or(|t| t.has_result()));
        match self.take_transaction_result(p) {
            Some(r) => r,
            None if done => Err(KafkaError::new(ErrorCode::INVALID_REQUEST, format!("Unknown producer {p}."))),
            None => Err(KafkaError::new(ErrorCode::REQUEST_TIMED_OUT, format!("Timeout expired after {limit}ms while awaiting {what}"))),
        }
    }

    /// `initTransactions` (blocks in simulated time up to `max.block.ms`).
    pub fn init_transactions(&mut self, p: ProducerId) -> KResult<()> {
        self.start_init_transactions(p)?;
        self.wait_transaction(p, "InitProducerId")
    }

    /// `sendOffsetsToTransaction` (blocking).
    pub fn send_offsets_to_transaction(&mut self, p: ProducerId, offsets: Vec<(TopicPartition, i64)>, group: &str) -> KResult<()> {
        self.start_send_offsets_to_transaction(p, offsets, group)?;
        self.wait_transaction(p, "AddOffsetsToTxn")
    }

    /// `commitTransaction` (blocking).
    pub fn commit_transaction(&mut self, p: ProducerId) -> KResult<()> {
        self.start_end_transaction(p, true)?;
        self.wait_transaction(p, "EndTxn(true)")
    }

    /// `abortTransaction` (blocking).
    pub fn abort_transaction(&mut self, p: ProducerId) -> KResult<()> {
        self.start_end_transaction(p, false)?;
        self.wait_transaction(p, "EndTxn(false)")
    }

    /// A transaction-protocol answer reached producer `producer`.
    pub(crate) fn txn_client_receive(&mut self, producer: ProducerId, msg: TxnMsg) {
        let Some(p) = self.producers.get_mut(&producer) else { return };
        if p.on_txn_answer(msg, self.now_ms) {
            self.producer_poll(producer);
        }
    }

    // ----- broker side: the transaction coordinator (the node: txn/coordinator.rs) -----

    /// Runs `f` on broker `b`'s transaction coordinator with its host's read-only state, a `Ctx`
    /// that reaches the brokers `b` reaches, and what the coordinators share; then routes the
    /// outputs in order. None if there is no such broker.
    pub(crate) fn with_txn_coordinator<R>(&mut self, b: BrokerId, f: impl FnOnce(&mut TxnCoordinator, &Broker, &mut Ctx, &mut TxnShared) -> R) -> Option<R> {
        let reachable: Vec<BrokerId> = self.brokers.keys().copied().filter(|l| self.brokers_connected(b, *l)).collect();
        let leader = self.quorum_leader();
        let host = self.brokers.get(&b)?;
        let (tc, mut shared) = self.txns.coordinator(b);
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id).with_reachable(&reachable).with_quorum_leader(leader);
        let r = f(tc, host, &mut ctx, &mut shared);
        let outputs = ctx.into_outputs();
        self.route(outputs);
        Some(r)
    }

    /// A transaction-protocol request arrived at broker `b`.
    pub(crate) fn txn_broker_receive(&mut self, b: BrokerId, msg: TxnMsg) {
        match msg {
            TxnMsg::FindCoordinator { producer, req_id, key, group } => {
                let result = if group { self.find_coordinator_on(b, &key) } else { self.find_txn_coordinator_on(b, &key) };
                self.txn_reply(b, producer, TxnMsg::FindCoordinatorResp { req_id, result });
            }
            TxnMsg::InitProducerId { producer, req_id, txn_id: None, .. } => {
                self.with_txn_coordinator(b, |tc, host, ctx, _| tc.on_init_idempotent(host, ctx, producer, req_id));
            }
            TxnMsg::InitProducerId { producer, req_id, txn_id: Some(id), timeout_ms } => {
                self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.on_init_producer_id(host, ctx, sh, producer, req_id, &id, timeout_ms));
            }
            TxnMsg::AddPartitions { producer, req_id, txn_id, pid, epoch, parts } => {
                self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.on_add_partitions(host, ctx, sh, producer, req_id, &txn_id, pid, epoch, parts));
            }
            TxnMsg::AddOffsets { producer, req_id, txn_id, pid, epoch, group } => self.txn_add_offsets(b, producer, req_id, txn_id, pid, epoch, &group),
            TxnMsg::EndTxn { producer, req_id, txn_id, pid, epoch, commit } => {
                self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.on_end_txn(host, ctx, sh, producer, req_id, &txn_id, pid, epoch, commit));
            }
            TxnMsg::TxnOffsetCommit { producer, req_id, pid, epoch, group, offsets, .. } => {
                let req = crate::engine::group::txn_offsets::TxnOffsetCommit { client: producer, req_id, producer_id: pid, epoch, group, offsets };
                self.with_group_coordinator(b, |gc, host, ctx| gc.on_txn_offset_commit(host, ctx, req));
            }
            TxnMsg::AllocateProducerIdsResp { result } => {
                self.with_txn_coordinator(b, |tc, host, ctx, _| tc.on_producer_ids(host, ctx, result));
            }
            _ => {}
        }
    }

    /// AddOffsetsToTxn: the transaction coordinator adds the group's `__consumer_offsets`
    /// partition (the topic is created first, if missing).
    #[allow(clippy::too_many_arguments)]
    fn txn_add_offsets(&mut self, b: BrokerId, producer: u32, req_id: u64, txn_id: String, pid: i64, epoch: i16, group: &str) {
        if self.brokers.get(&b).is_some_and(|host| topic_in_view(host, OFFSETS_TOPIC).is_none()) {
            // The host's metadata lacks `__consumer_offsets`: its group coordinator forwards the
            // creation to the controller, as a FindCoordinator for a group would.
            let rf = self.offsets_replication_factor();
            let controller = self.quorum_leader().filter(|&c| self.brokers_connected(b, c));
            self.with_group_coordinator_to(b, controller, |gc, host, ctx| gc.forward_offsets_topic(host, ctx, rf));
            self.txn_reply(b, producer, TxnMsg::Resp { req_id, result: Err(KafkaError::of(ErrorCode::COORDINATOR_NOT_AVAILABLE)) });
            return;
        }
        let parts = vec![(OFFSETS_TOPIC.to_string(), assignor::coordinator_partition(group, OFFSETS_PARTITIONS))];
        self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.on_add_partitions(host, ctx, sh, producer, req_id, &txn_id, pid, epoch, parts));
    }

    pub(crate) fn txn_reply(&mut self, b: BrokerId, client: u32, msg: TxnMsg) {
        self.net_send(Some(b), Dest::Client(client), Msg::Txn(Box::new(msg)));
    }

    /// FindCoordinator for a transactional id served by broker `b` (its metadata view). On
    /// first use `b` forwards the creation of `__transaction_state` to the active controller,
    /// with the configs its `transaction.state.log.*` settings give the topic.
    pub(crate) fn find_txn_coordinator_on(&mut self, b: BrokerId, txn_id: &str) -> Result<BrokerId, ErrorCode> {
        let rf = self.broker_int("transaction.state.log.replication.factor").clamp(1, i16::MAX as i64) as i16;
        let min_isr = self.broker_int("transaction.state.log.min.isr").max(1).to_string();
        let topic = move || {
            let configs = [
                ("compression.type", "uncompressed"),
                ("cleanup.policy", "compact"),
                ("min.insync.replicas", min_isr.as_str()),
                ("segment.bytes", TXN_SEGMENT_BYTES),
                ("unclean.leader.election.enable", "false"),
            ];
            let configs = configs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            crate::engine::msg::CreatableTopic { name: TXN_TOPIC.to_string(), partitions: Some(TXN_PARTITIONS), replication_factor: Some(rf), configs }
        };
        let found = self.with_txn_coordinator(b, |tc, host, ctx, _| tc.on_find_coordinator(host, ctx, txn_id, topic));
        found.unwrap_or(Err(ErrorCode::COORDINATOR_NOT_AVAILABLE))
    }

    /// The controller answered a CreateTopics a transaction coordinator forwarded.
    pub(crate) fn txn_create_topics_answered(&mut self, req_id: u64) {
        for tc in self.txns.coordinators.values_mut() {
            if tc.on_create_topics_answer(req_id) {
                break;
            }
        }
    }

    /// Makes sure `b` coordinates transaction partition `p` and has loaded it; the shard id.
    pub(crate) fn txn_shard(&mut self, b: BrokerId, p: i32) -> Result<u64, ErrorCode> {
        self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.load(host, ctx, sh, p)).unwrap_or(Err(ErrorCode::NOT_COORDINATOR))
    }

    /// A write to `__transaction_state` (or a transactional offset commit) finished.
    pub(crate) fn txn_append_done(&mut self, req_id: u64, result: Result<(i64, i64), KafkaError>) {
        if let Some(b) = self.groups.coordinators.iter().find(|(_, gc)| gc.owns_txn_append(req_id)).map(|(b, _)| *b) {
            self.with_group_coordinator(b, |gc, _, ctx| gc.on_txn_offsets_written(ctx, req_id, result));
            return;
        }
        if let Some(b) = self.txns.coordinators.iter().find(|(_, tc)| tc.owns_append(req_id)).map(|(b, _)| *b) {
            self.with_txn_coordinator(b, |tc, host, ctx, _| tc.on_append_done(host, ctx, req_id, result));
        }
    }

    /// A marker's append finished on its partition's leader.
    pub(crate) fn txn_marker_done(&mut self, req_id: u64, result: Result<(i64, i64), KafkaError>) {
        if let Some(b) = self.txns.coordinators.iter().find(|(_, tc)| tc.owns_marker(req_id)).map(|(b, _)| *b) {
            self.with_txn_coordinator(b, |tc, host, ctx, _| tc.on_marker_done(host, ctx, req_id, result));
        }
    }

    pub(crate) fn txn_timer(&mut self, ev: TxnEv) {
        match ev {
            TxnEv::Tick => {
                self.schedule(TXN_ABORT_CHECK_INTERVAL_MS, Ev::Txn(TxnEv::Tick));
                let hosts: Vec<BrokerId> = self.txns.coordinators.keys().copied().filter(|b| self.broker_up(*b)).collect();
                for b in hosts {
                    self.with_txn_coordinator(b, |tc, host, ctx, sh| tc.on_abort_check(host, ctx, sh));
                }
            }
            TxnEv::MarkerRetry { broker, partition, shard_id, txn_id } => {
                self.with_txn_coordinator(broker, |tc, host, ctx, sh| tc.on_marker_retry(host, ctx, sh, partition, shard_id, &txn_id));
            }
        }
    }

    /// A marker was appended to `__consumer_offsets` partition `p` on leader `l`: its group
    /// coordinator commits (or drops) the producer's pending transactional offsets.
    pub(crate) fn on_offsets_marker(&mut self, l: BrokerId, p: i32, pid: i64, commit: bool) {
        if self.groups.coordinators.contains_key(&l) {
            self.with_group_coordinator(l, |gc, _, ctx| gc.on_offsets_marker(ctx, p, pid, commit));
        }
    }

    // ----- admin -----

    /// ListTransactions on every broker (the coordinators' loaded transactions), sorted by
    /// coordinator then transactional id.
    pub fn list_transactions(&mut self) -> KResult<Vec<TransactionListing>> {
        let mut out = Vec::new();
        let Some(&idx) = self.ctl.by_name.get(TXN_TOPIC) else { return Ok(out) };
        let parts = self.ctl.topics.get(&idx).map_or(0, |t| t.partitions.len()) as i32;
        for p in 0..parts {
            let Some(l) = self.ctl.topics.get(&idx).and_then(|t| t.partitions.get(p as usize)).and_then(|m| m.leader) else { continue };
            if !self.client_reaches(l) {
                continue;
            }
            let Ok(sid) = self.txn_shard(l, p) else { continue };
            let Some(s) = self.txns.coordinators.get_mut(&l).and_then(|tc| tc.shard(p, sid)) else { continue };
            for (id, m) in &s.txns {
                out.push(TransactionListing { transactional_id: id.clone(), coordinator: l, producer_id: m.producer_id, state: m.state });
            }
        }
        out.sort_by(|a, b| (a.coordinator, &a.transactional_id).cmp(&(b.coordinator, &b.transactional_id)));
        Ok(out)
    }

    /// DescribeTransactions for one transactional id.
    pub fn describe_transaction(&mut self, txn_id: &str) -> KResult<TransactionDescription> {
        let not_found = || KafkaError::of(ErrorCode::TRANSACTIONAL_ID_NOT_FOUND);
        let Some(&idx) = self.ctl.by_name.get(TXN_TOPIC) else { return Err(not_found()) };
        let p = assignor::coordinator_partition(txn_id, TXN_PARTITIONS);
        let Some(l) = self.ctl.topics.get(&idx).and_then(|t| t.partitions.get(p as usize)).and_then(|m| m.leader) else {
            return Err(KafkaError::of(ErrorCode::COORDINATOR_NOT_AVAILABLE));
        };
        if !self.client_reaches(l) {
            return Err(KafkaError::of(ErrorCode::COORDINATOR_NOT_AVAILABLE));
        }
        let sid = self.txn_shard(l, p).map_err(KafkaError::of)?;
        let s = self.txns.coordinators.get_mut(&l).and_then(|tc| tc.shard(p, sid)).ok_or_else(not_found)?;
        let m = s.txns.get(txn_id).ok_or_else(not_found)?;
        Ok(TransactionDescription {
            coordinator: l,
            transactional_id: txn_id.to_string(),
            producer_id: m.producer_id,
            producer_epoch: m.epoch,
            state: m.state,
            timeout_ms: m.timeout_ms,
            start_time_ms: if m.start_ms >= 0 && m.state != TransactionState::Empty { Some(m.start_ms) } else { None },
            partitions: m.partitions.iter().map(|(t, p)| TopicPartition { topic: t.clone(), partition: *p }).collect(),
        })
    }

    /// The last stable offset of a partition on its leader.
    pub fn last_stable_offset(&self, topic: &str, partition: i32) -> KResult<i64> {
        let idx = *self.ctl.by_name.get(topic).ok_or_else(|| KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION))?;
        let leader = self.ctl.topics.get(&idx).and_then(|t| t.partitions.get(partition as usize)).and_then(|m| m.leader);
        let l = leader.ok_or_else(|| KafkaError::of(ErrorCode::LEADER_NOT_AVAILABLE))?;
        let r = self.brokers.get(&l).and_then(|br| br.replicas.get(&Tp { topic: idx, partition })).ok_or_else(|| KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER))?;
        Ok(r.log.last_stable_offset())
    }

    /// Marker bookkeeping after a leader appended a control batch (events, group offsets).
    pub(crate) fn on_marker_appended(&mut self, l: BrokerId, tp: Tp, info: &crate::engine::log::ProducerBatchInfo, offset: i64) {
        let name = self.topic_name(tp.topic);
        let commit = info.control == Some(crate::engine::log::ControlType::Commit);
        self.events.push(self.now_ms, EventKind::TxnMarkerWritten { topic: name.clone(), partition: tp.partition, broker: l, producer_id: info.producer_id, offset, commit });
        if &*name == OFFSETS_TOPIC {
            self.on_offsets_marker(l, tp.partition, info.producer_id, commit);
        }
    }
}

// ===== Coordinators' internal topics, consumer auto-creation, idle skipping (idle.rs)
impl Cluster {
    /// The client's first metadata request for a subscribed topic the cluster does not know,
    /// with `allowAutoTopicCreation` = `allow.auto.create.topics`. KRaft 3.9's broker answers
    /// UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an invalid name, with nothing
    /// forwarded) and, with `auto.create.topics.enable`, forwards CreateTopics with the defaults
    /// to the active controller (`AutoTopicCreationManager.sendCreateTopicRequest`): the topic
    /// exists once the forward arrived, and the client's next metadata refresh finds its leaders.
    pub(crate) fn consumer_metadata_for_missing_topic(&mut self, c: ConsumerId, topic: &str) {
        let invalid = crate::engine::controller::topic_name_error(topic).is_some();
        let error = if invalid { ErrorCode::INVALID_TOPIC_EXCEPTION } else { ErrorCode::UNKNOWN_TOPIC_OR_PARTITION };
        let Some(allow) = self.consumers.get_mut(&c).map(|x| x.on_missing_topic_answer(topic, error)) else { return };
        if allow && !invalid && self.broker_bool("auto.create.topics.enable") {
            self.forward_auto_creation(topic);
        }
    }

    /// A broker the client reaches, and that reaches the active controller, forwards CreateTopics
    /// for `topic` with the defaults (none answers when no broker does).
    fn forward_auto_creation(&mut self, topic: &str) {
        let Some(c) = self.quorum_leader() else { return };
        let via = self.brokers.keys().copied().find(|&b| self.client_reaches(b) && self.brokers_connected(b, c));
        if let Some(b) = via {
            let topics = vec![crate::engine::msg::CreatableTopic::named(topic.to_string())];
            self.net_send(Some(b), Dest::Controller(c), Msg::CreateTopicsForward { topics, reply: None });
        }
    }

    /// Turns the idle skip on (the default) or off: off, every event is simulated one by one.
    pub fn set_idle_skip(&mut self, on: bool) {
        self.idle.enabled = on;
    }

    /// Simulated time the idle skip jumped over so far.
    pub fn idle_skipped_ms(&self) -> i64 {
        self.idle.skipped_ms
    }

    /// Windows the idle skip stepped to compare, and jumps it made.
    pub fn idle_windows_and_jumps(&self) -> (u64, u64) {
        (self.idle.windows, self.idle.jumps)
    }

    /// Whether the run loop should try the skip now.
    pub(crate) fn idle_skip_due(&self, until_ms: i64) -> bool {
        self.idle.enabled
            && self.now_ms >= self.idle.retry_at_ms
            && until_ms.saturating_sub(self.now_ms) >= 2 * IDLE_WINDOW_MS
            && self.next_event_time_ms().is_some_and(|t| t > self.now_ms)
    }

    /// One attempt of the idle skip (see `idle.rs`); false if the action's event budget ran
    /// out in the window it stepped.
    pub(crate) fn idle_skip(&mut self, until_ms: i64, after_step: &mut impl FnMut(&mut Cluster)) -> bool {
        idle::attempt(self, until_ms, after_step)
    }
}

// ===== Broker: API, views and router glue (the node: broker.rs, broker/)
impl Cluster {
    /// Runs a handler of broker `b` through a `Ctx` (the quorum's leader and the sandbox's log
    /// bound in it) and routes its outputs in order. None when there is no such broker.
    pub(crate) fn with_broker<R>(&mut self, b: BrokerId, f: impl FnOnce(&mut Broker, &mut Ctx) -> R) -> Option<R> {
        self.with_broker_measured(b, None, f)
    }

    /// [`Cluster::with_broker`], with the bytes the logs hold now when the handler's append
    /// needs them (see [`Ctx::reserve_log_bytes`]).
    fn with_broker_measured<R>(&mut self, b: BrokerId, held_bytes: Option<u64>, f: impl FnOnce(&mut Broker, &mut Ctx) -> R) -> Option<R> {
        let leader = self.quorum_leader();
        let br = self.brokers.get_mut(&b)?;
        let mut ctx = Ctx::new(self.now_ms, &mut self.rng, &mut self.next_id).with_quorum_leader(leader).with_disk(&mut self.budget, held_bytes);
        let r = f(br, &mut ctx);
        let outputs = ctx.into_outputs();
        self.route(outputs);
        Some(r)
    }

    /// Delivers a message to broker `b`'s process: its own handlers, its group and transaction
    /// coordinators, or the controlled shutdown's end.
    pub(crate) fn broker_receive(&mut self, b: BrokerId, msg: Msg) {
        match msg {
            Msg::Metadata { from_version, to_version, full, topics, deleted_topics, parts } => {
                let d = crate::engine::broker::MetadataDelta { from_version, to_version, full, topics, deleted: deleted_topics, parts };
                self.with_broker(b, |br, ctx| br.on_metadata(ctx, d));
            }
            Msg::ControlledShutdownDone => self.finish_shutdown(b),
            Msg::AlterPartitionDone { tp, committed_epoch } => {
                if let Some(br) = self.brokers.get_mut(&b) {
                    br.on_alter_partition_done(tp, committed_epoch);
                }
            }
            Msg::Fetch { follower, fetch_id, parts } => {
                self.with_broker(b, |br, ctx| br.on_replica_fetch(ctx, follower, fetch_id, parts));
            }
            Msg::FetchResp { leader, fetch_id, parts } => {
                self.with_broker(b, |br, ctx| br.on_fetch_response(ctx, leader, fetch_id, parts));
            }
            Msg::Produce { producer, req_id, tp, data, acks, timeout_ms } => self.handle_produce(b, producer, req_id, tp, data, acks, timeout_ms),
            Msg::MetadataReq { producer, req_id, topics } => self.broker_metadata_request(b, producer, req_id, topics),
            Msg::Group(m) => self.group_broker_receive(b, *m),
            Msg::Txn(m) => self.txn_broker_receive(b, *m),
            _ => {}
        }
    }

    /// A ProduceRequest on leader `l` (also a coordinator's write to its own log). The logs are
    /// measured first when the sandbox's bound needs the exact count (no broker sees the others).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn handle_produce(&mut self, l: BrokerId, producer: u32, req_id: u64, tp: Tp, data: Rc<crate::engine::log::RecordsData>, acks: i16, timeout_ms: i64) {
        let size_bytes = u64::from(data.size_bytes);
        let brokers = &self.brokers;
        let held = self.budget.recount_due(size_bytes, self.now_ms).then(|| log_bytes_held(brokers.values().flat_map(|b| b.replicas.values().map(|r| &r.log))));
        let req = crate::engine::broker::leader::Produce { producer, req_id, tp, data, acks, timeout_ms };
        self.with_broker_measured(l, held, |br, ctx| br.on_produce(ctx, req));
    }

    /// What a broker's replica manager told the rest of its process.
    pub(crate) fn broker_local(&mut self, b: BrokerId, what: Local) {
        match what {
            Local::MarkerAppended { tp, info, offset } => self.on_marker_appended(b, tp, &info, offset),
        }
    }

    pub(crate) fn on_fetch_expire(&mut self, l: BrokerId, incarnation: u64, fetch_id: u64) {
        self.with_broker(l, |br, ctx| br.on_fetch_expire(ctx, incarnation, fetch_id));
    }

    pub(crate) fn on_produce_expire(&mut self, l: BrokerId, incarnation: u64, tp: Tp, req_id: u64) {
        self.with_broker(l, |br, ctx| br.on_produce_expire(ctx, incarnation, tp, req_id));
    }

    pub(crate) fn on_isr_check(&mut self, l: BrokerId, incarnation: u64) {
        self.with_broker(l, |br, ctx| br.on_isr_check(ctx, incarnation));
    }

    /// `log.retention.check.interval.ms` as configured.
    pub(crate) fn retention_check_interval_ms(&self) -> i64 {
        let v = self.broker_int("log.retention.check.interval.ms");
        if v >= 1 {
            v
        } else {
            crate::engine::retention::RETENTION_CHECK_INTERVAL_MS_DEFAULT
        }
    }

    pub(crate) fn on_retention_check(&mut self, b: BrokerId, incarnation: u64) {
        let interval_ms = self.retention_check_interval_ms();
        self.with_broker(b, |br, ctx| br.on_retention_check(ctx, incarnation, interval_ms));
    }

    pub(crate) fn apply_retention(&mut self, b: BrokerId, tp: Tp) {
        self.with_broker(b, |br, ctx| br.apply_retention(ctx, tp));
    }

    /// Runs the retention rules on every replica of every running broker now (tests and the UI's
    /// "run retention now" use it; the schedule does the same on its own).
    pub fn run_retention_now(&mut self) {
        let targets: Vec<(BrokerId, Tp)> =
            self.brokers.iter().filter(|(id, _)| self.broker_up(**id)).flat_map(|(id, br)| br.replicas.keys().map(move |tp| (*id, *tp))).collect();
        for (b, tp) in targets {
            self.apply_retention(b, tp);
        }
    }

    pub(crate) fn on_heartbeat_timer(&mut self, b: BrokerId, incarnation: u64) {
        self.with_broker(b, |br, ctx| br.on_heartbeat_timer(ctx, incarnation));
    }

    pub(crate) fn maybe_send_fetch(&mut self, b: BrokerId, leader: BrokerId) {
        self.with_broker(b, |br, ctx| br.maybe_send_fetch(ctx, leader));
    }

    pub(crate) fn on_slow_fetch_due(&mut self, b: BrokerId, incarnation: u64, leader: BrokerId) {
        self.with_broker(b, |br, ctx| br.on_slow_fetch_due(ctx, incarnation, leader));
    }

    pub(crate) fn on_fetcher_backoff(&mut self, b: BrokerId, incarnation: u64, leader: BrokerId) {
        self.with_broker(b, |br, ctx| br.on_fetcher_backoff(ctx, incarnation, leader));
    }

    pub(crate) fn on_follower_fetch_timeout(&mut self, b: BrokerId, incarnation: u64, leader: BrokerId, fetch_id: u64) {
        self.with_broker(b, |br, ctx| br.on_follower_fetch_timeout(ctx, incarnation, leader, fetch_id));
    }

    pub(crate) fn broker_metadata_request(&mut self, b: BrokerId, producer: u32, req_id: u64, topics: Vec<String>) {
        let auto_create = self.broker_bool("auto.create.topics.enable");
        self.with_broker(b, |br, ctx| br.on_metadata_request(ctx, auto_create, producer, req_id, topics));
    }

    /// A synchronous Metadata request naming a missing topic with AllowAutoTopicCreation (what
    /// librdkafka's producer handle sends, e.g. `kcat -L -t`): with `auto.create.topics.enable`,
    /// a broker the client reaches forwards CreateTopics to the active controller and answers
    /// UNKNOWN_TOPIC_OR_PARTITION (the topic exists once the controller got the request, within
    /// the round trip the client waits for); an invalid name is INVALID_TOPIC_EXCEPTION.
    pub fn metadata_auto_create(&mut self, topic: &str) -> ErrorCode {
        if crate::engine::controller::topic_name_error(topic).is_some() {
            return ErrorCode::INVALID_TOPIC_EXCEPTION;
        }
        if !self.broker_bool("auto.create.topics.enable") {
            return ErrorCode::UNKNOWN_TOPIC_OR_PARTITION;
        }
        let Some(c) = self.quorum_leader() else { return ErrorCode::UNKNOWN_TOPIC_OR_PARTITION };
        let via = self.brokers.keys().copied().find(|&b| self.client_reaches(b) && self.brokers_connected(b, c));
        if let Some(b) = via {
            self.net_send(Some(b), Dest::Controller(c), Msg::CreateTopicsForward { topics: vec![crate::engine::msg::CreatableTopic::named(topic.to_string())], reply: None });
        }
        // The client waits for its answer: a round trip, while the forward reaches the controller.
        self.advance(ROUND_TRIP_MS);
        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION
    }

    // ----- consumer-facing reads (synchronous) -----

    fn leader_replica(&self, topic: &str, partition: i32) -> KResult<(BrokerId, Tp)> {
        let (tp, pm) = self.image_partition(topic, partition).ok_or_else(|| KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION))?;
        let l = pm.leader.ok_or_else(|| KafkaError::of(ErrorCode::LEADER_NOT_AVAILABLE))?;
        if !self.client_reaches(l) {
            return Err(KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER));
        }
        let ok = self.brokers[&l].replicas.get(&tp).is_some_and(|r| r.vol.is_leader && r.vol.leader_epoch == pm.leader_epoch);
        if !ok {
            return Err(KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER));
        }
        Ok((l, tp))
    }

    /// A consumer fetch, served by the partition leader up to its high watermark.
    pub fn fetch(&self, req: &FetchRequest) -> KResult<FetchResponse> {
        let (l, tp) = self.leader_replica(&req.topic, req.partition)?;
        let r = self.brokers.get(&l).and_then(|b| b.replicas.get(&tp)).ok_or_else(|| KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER))?;
        crate::engine::broker::fetch::read_replica(r, l, req)
    }

    /// ListOffsets: earliest (log start), latest (HW) or by timestamp. Returns (offset, timestamp).
    pub fn list_offsets(&self, topic: &str, partition: i32, spec: OffsetSpec) -> KResult<(i64, i64)> {
        let (l, tp) = self.leader_replica(topic, partition)?;
        let r = self.brokers.get(&l).and_then(|b| b.replicas.get(&tp)).ok_or_else(|| KafkaError::of(ErrorCode::NOT_LEADER_OR_FOLLOWER))?;
        crate::engine::broker::fetch::list_offset(r, spec)
    }
}
