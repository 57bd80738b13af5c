//! The controller's admin operations on its image: CreateTopics (also auto-creation),
//! DeleteTopics, CreatePartitions, IncrementalAlterConfigs, and the read-only descriptions
//! (DescribeTopics, DescribeConfigs). Each answers at once; the Cluster's glue waits for a
//! controller before and lets the metadata reach the brokers after.

use super::super::budget::Budget;
use super::super::config::{self, ConfigEntry, ConfigSource};
use super::super::error::{ErrorCode, KResult, KafkaError};
use super::super::event::EventKind;
use super::super::ids::{BrokerId, Tp};
use super::super::msg::{CreatableTopic, Dest, Msg, PartitionMeta};
use super::super::node::Ctx;
use super::super::placement;
use super::super::rng::uuid_base64;
use super::state::{Controller, TopicMeta};
use super::{topic_name_error, AlterOp, ConfigResource, NewTopic, PartitionDescription, TopicDescription, INTERNAL_TOPICS};
use std::collections::BTreeMap;
use std::rc::Rc;

/// QuorumController's `maxRecordsPerUserOp`: the most metadata records one request may write.
const MAX_RECORDS_PER_USER_OP: usize = 10_000;

/// The most partitions the sandbox gives one topic.
const TOPIC_PARTITIONS_MAX: i32 = 100_000;

fn unify_collision(name: &str) -> String {
    name.replace('.', "_")
}

fn invalid_assignment(msg: String) -> KafkaError {
    KafkaError::new(ErrorCode::INVALID_REPLICA_ASSIGNMENT, msg)
}

fn too_many_partitions(n: i32) -> KafkaError {
    KafkaError::new(ErrorCode::POLICY_VIOLATION, format!("The sandbox supports at most {TOPIC_PARTITIONS_MAX} partitions per topic, not {n}."))
}

impl Controller {
    pub(crate) fn topic_idx(&self, name: &str) -> KResult<u32> {
        self.by_name.get(name).copied().ok_or_else(|| KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION))
    }

    /// Refuses a change that would take the cluster past `budget::PARTITIONS_MAX` partitions.
    fn check_partition_budget(&self, adding: usize) -> KResult<()> {
        let held: usize = self.topics.values().map(|t| t.partitions.len()).sum();
        Budget::check_partitions(held, adding)
    }

    /// The brokers a new partition may be placed on, with whether each is fenced: every
    /// registered broker (ClusterControlManager.usableBrokers); one in controlled shutdown counts
    /// as fenced, so it never leads a new partition.
    fn usable_brokers(&self) -> Vec<(BrokerId, bool)> {
        self.regs.keys().map(|b| (*b, !self.broker_active(*b))).collect()
    }

    /// CreateTopics for one topic (also auto-creation): its index, or `u32::MAX` when
    /// `validate_only`.
    pub(crate) fn create_topic(&mut self, ctx: &mut Ctx, req: &NewTopic) -> KResult<u32> {
        self.check_new_topic_name(&req.name)?;
        let configs = config::validate_topic_configs(&req.configs)?;
        let assignment = match &req.assignment {
            Some(asg) => self.manual_topic_assignment(req, asg)?,
            None => self.placed_topic_assignment(ctx, req)?,
        };
        self.check_partition_budget(assignment.len())?;
        if req.validate_only {
            return Ok(u32::MAX);
        }
        Ok(self.add_topic(ctx, &req.name, configs, assignment))
    }

    /// CreateTopics a broker forwarded (KRaft's `AutoTopicCreationManager`): topics a Metadata
    /// request named, with the defaults, or a coordinator's internal topic with its partitions,
    /// replication factor and configs. One that exists meanwhile (TOPIC_ALREADY_EXISTS) or is
    /// refused changes nothing (the broker only logs the answer); the answer goes from the active
    /// controller `active` to the forwarder's `reply` address when it waits for one.
    pub(crate) fn on_create_topics_forward(&mut self, ctx: &mut Ctx, active: BrokerId, topics: Vec<CreatableTopic>, reply: Option<(u32, u64)>) {
        for t in topics {
            let req = NewTopic { name: t.name, partitions: t.partitions, replication_factor: t.replication_factor, configs: t.configs, ..Default::default() };
            let _ = self.create_topic(ctx, &req);
        }
        if let Some((client, req_id)) = reply {
            ctx.send(Some(active), Dest::Client(client), Msg::CreateTopicsResp { req_id });
        }
    }

    fn check_new_topic_name(&self, name: &str) -> KResult<()> {
        if let Some(e) = topic_name_error(name) {
            return Err(KafkaError::new(ErrorCode::INVALID_TOPIC_EXCEPTION, e));
        }
        if self.by_name.contains_key(name) {
            return Err(KafkaError::new(ErrorCode::TOPIC_ALREADY_EXISTS, format!("Topic '{name}' already exists.")));
        }
        let unified = unify_collision(name);
        if let Some(other) = self.by_name.keys().find(|n| unify_collision(n) == unified) {
            return Err(KafkaError::new(ErrorCode::INVALID_TOPIC_EXCEPTION, format!("Topic '{name}' collides with existing topic: {other}")));
        }
        Ok(())
    }

    /// A new topic's explicit replica lists, checked as the controller does.
    fn manual_topic_assignment(&self, req: &NewTopic, asg: &[Vec<i32>]) -> KResult<Vec<Vec<i32>>> {
        if req.replication_factor.is_some_and(|r| r != -1) {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, "A manual partition assignment was specified, but replication factor was not set to -1."));
        }
        if req.partitions.is_some_and(|p| p != -1) {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, "A manual partition assignment was specified, but numPartitions was not set to -1."));
        }
        if asg.is_empty() {
            return Err(invalid_assignment("The manual partition assignment includes an empty replica list.".to_string()));
        }
        let mut rf = None;
        for (p, replicas) in asg.iter().enumerate() {
            self.validate_manual_assignment(replicas, rf)?;
            rf = Some(replicas.len());
            self.check_some_active(replicas, p)?;
        }
        Ok(asg.to_vec())
    }

    fn check_some_active(&self, replicas: &[i32], partition: usize) -> KResult<()> {
        if replicas.iter().any(|b| self.broker_active(*b)) {
            return Ok(());
        }
        Err(invalid_assignment(format!("All brokers specified in the manual partition assignment for partition {partition} are fenced or in controlled shutdown.")))
    }

    /// A new topic's replicas from the striped placer (defaults from the broker configs).
    fn placed_topic_assignment(&self, ctx: &mut Ctx, req: &NewTopic) -> KResult<Vec<Vec<i32>>> {
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
        if np > TOPIC_PARTITIONS_MAX {
            return Err(too_many_partitions(np));
        }
        let usable = self.usable_brokers();
        let Some(a) = placement::place_striped(&usable, np, rf, ctx.rng) else {
            let why = placement::placement_error(&usable, rf).unwrap_or_default();
            return Err(KafkaError::new(ErrorCode::INVALID_REPLICATION_FACTOR, format!("Unable to replicate the partition {rf} time(s): {why}")));
        };
        // The controller collects a topic's records in a BoundedList of maxRecordsPerUserOp
        // (10000): one TopicRecord, a ConfigRecord per config, a PartitionRecord per partition.
        if 1 + req.configs.len() + a.len() > MAX_RECORDS_PER_USER_OP {
            return Err(KafkaError::new(ErrorCode::POLICY_VIOLATION, "Unable to perform excessively large batch operation."));
        }
        Ok(a)
    }

    /// A new partition on `replicas`: its ISR the active replicas, led by the first of them.
    fn new_partition(&mut self, tp: Tp, replicas: Vec<i32>) -> PartitionMeta {
        let isr: Vec<i32> = replicas.iter().copied().filter(|b| self.broker_active(*b)).collect();
        let leader = replicas.iter().copied().find(|b| isr.contains(b));
        if let Some(l) = leader {
            self.epoch_leaders.insert((tp, 0), l);
        }
        PartitionMeta { replicas, isr, leader, leader_epoch: 0, partition_epoch: 0, recovering: false }
    }

    /// Writes a validated topic into the image and publishes it.
    fn add_topic(&mut self, ctx: &mut Ctx, name: &str, configs: BTreeMap<String, String>, assignment: Vec<Vec<i32>>) -> u32 {
        let idx = self.next_topic_idx;
        self.next_topic_idx += 1;
        let id = uuid_base64(ctx.rng);
        let settings = self.topic_settings_for(&configs);
        let rf = assignment.first().map_or(0, |r| r.len() as i32);
        let partitions: Vec<PartitionMeta> = assignment.into_iter().enumerate().map(|(p, replicas)| self.new_partition(Tp { topic: idx, partition: p as i32 }, replicas)).collect();
        let np = partitions.len() as i32;
        let topic: Rc<str> = Rc::from(name);
        let internal = INTERNAL_TOPICS.contains(&name);
        self.topics.insert(idx, TopicMeta { name: topic.clone(), id, idx, internal, configs, settings, partitions });
        self.by_name.insert(name.to_string(), idx);
        ctx.emit(EventKind::TopicCreated { topic, partitions: np, replication_factor: rf });
        let parts: Vec<Tp> = (0..np).map(|p| Tp { topic: idx, partition: p }).collect();
        self.publish(ctx, parts, vec![idx], Vec::new());
        idx
    }

    fn validate_manual_assignment(&self, replicas: &[i32], rf: Option<usize>) -> KResult<()> {
        if replicas.is_empty() {
            return Err(invalid_assignment("The manual partition assignment includes an empty replica list.".to_string()));
        }
        let mut sorted = replicas.to_vec();
        sorted.sort();
        let mut prev = None;
        for b in &sorted {
            if !self.regs.contains_key(b) {
                return Err(invalid_assignment(format!("The manual partition assignment includes broker {b}, but no such broker is registered.")));
            }
            if prev == Some(*b) {
                return Err(invalid_assignment(format!("The manual partition assignment includes the broker {b} more than once.")));
            }
            prev = Some(*b);
        }
        match rf {
            Some(rf) if sorted.len() != rf => Err(invalid_assignment(format!(
                "The manual partition assignment includes a partition with {} replica(s), but this is not consistent with previous partitions, which have {rf} replica(s).",
                sorted.len()
            ))),
            _ => Ok(()),
        }
    }

    /// DeleteTopics: the topic leaves the image (its name can be reused at once; a new topic gets
    /// a new id). Returns its index.
    pub(crate) fn delete_topic(&mut self, ctx: &mut Ctx, name: &str) -> KResult<u32> {
        if !self.broker_bool("delete.topic.enable") {
            return Err(KafkaError::new(ErrorCode::TOPIC_DELETION_DISABLED, "Topic deletion is disabled."));
        }
        let idx = self.topic_idx(name)?;
        let Some(t) = self.topics.remove(&idx) else { return Err(KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION)) };
        self.by_name.remove(name);
        ctx.emit(EventKind::TopicDeleted { topic: t.name });
        self.publish(ctx, Vec::new(), Vec::new(), vec![idx]);
        Ok(idx)
    }

    /// CreatePartitions: grow `name` to `total` partitions (optionally with explicit replicas
    /// for the new ones). New partitions continue the classic placement sequence.
    pub(crate) fn create_partitions(&mut self, ctx: &mut Ctx, name: &str, total: i32, assignment: Option<Vec<Vec<i32>>>) -> KResult<()> {
        let idx = self.topic_idx(name)?;
        let Some(t) = self.topics.get(&idx) else { return Err(KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION)) };
        let current = t.partitions.len() as i32;
        let rf = t.partitions.first().map_or(0, |pm| pm.replicas.len());
        Self::check_new_total(name, current, total)?;
        let additional = total - current;
        self.check_partition_budget(additional as usize)?;
        let new = match assignment {
            Some(a) => self.manual_partitions_assignment(a, current, additional, rf)?,
            None => {
                // Kafka's createPartitions passes the placer's message on without a prefix.
                let usable = self.usable_brokers();
                let placed = placement::place_striped(&usable, additional, rf as i32, ctx.rng);
                placed.ok_or_else(|| KafkaError::new(ErrorCode::INVALID_REPLICATION_FACTOR, placement::placement_error(&usable, rf as i32).unwrap_or_default()))?
            }
        };
        if new.iter().any(|replicas| !replicas.iter().any(|b| self.broker_active(*b))) {
            return Err(KafkaError::new(
                ErrorCode::INVALID_REPLICATION_FACTOR,
                format!("Unable to replicate the partition {rf} time(s): All brokers are currently fenced or in controlled shutdown."),
            ));
        }
        self.add_partitions(ctx, idx, new);
        Ok(())
    }

    fn check_new_total(name: &str, current: i32, total: i32) -> KResult<()> {
        if total == current {
            return Err(KafkaError::new(ErrorCode::INVALID_PARTITIONS, format!("Topic already has {current} partition(s).")));
        }
        if total < current {
            let msg = format!("The topic {name} currently has {current} partition(s); {total} would not be an increase.");
            return Err(KafkaError::new(ErrorCode::INVALID_PARTITIONS, msg));
        }
        if total > TOPIC_PARTITIONS_MAX {
            return Err(too_many_partitions(total));
        }
        Ok(())
    }

    /// Explicit replica lists for the partitions CreatePartitions adds, checked.
    fn manual_partitions_assignment(&self, a: Vec<Vec<i32>>, current: i32, additional: i32, rf: usize) -> KResult<Vec<Vec<i32>>> {
        if a.len() as i32 != additional {
            let msg = format!("Attempted to add {additional} additional partition(s), but only {} assignment(s) were specified.", a.len());
            return Err(invalid_assignment(msg));
        }
        for (i, r) in a.iter().enumerate() {
            self.validate_manual_assignment(r, Some(rf))?;
            self.check_some_active(r, current as usize + i)?;
        }
        Ok(a)
    }

    /// Appends the new partitions to the topic and publishes them.
    fn add_partitions(&mut self, ctx: &mut Ctx, idx: u32, new: Vec<Vec<i32>>) {
        let current = self.topics.get(&idx).map_or(0, |t| t.partitions.len() as i32);
        let mut parts = Vec::with_capacity(new.len());
        for (i, replicas) in new.into_iter().enumerate() {
            let tp = Tp { topic: idx, partition: current + i as i32 };
            let pm = self.new_partition(tp, replicas);
            let Some(t) = self.topics.get_mut(&idx) else { return };
            t.partitions.push(pm);
            parts.push(tp);
        }
        let Some(t) = self.topics.get(&idx) else { return };
        ctx.emit(EventKind::PartitionsCreated { topic: t.name.clone(), total: t.partitions.len() as i32 });
        self.publish(ctx, parts, Vec::new(), Vec::new());
    }
}

/// `ops` applied to a config map.
fn apply_ops(map: &mut BTreeMap<String, String>, ops: &[AlterOp]) {
    for op in ops {
        match op {
            AlterOp::Set(k, v) => {
                map.insert(k.clone(), v.clone());
            }
            AlterOp::Delete(k) => {
                map.remove(k);
            }
        }
    }
}

impl Controller {
    /// IncrementalAlterConfigs for a topic or (cluster-wide or one broker's) broker configs.
    pub(crate) fn alter_configs(&mut self, ctx: &mut Ctx, resource: &ConfigResource, ops: &[AlterOp]) -> KResult<()> {
        match resource {
            ConfigResource::Topic(name) => self.alter_topic_configs(ctx, name, ops),
            ConfigResource::Broker(id) => self.alter_broker_configs(ctx, *id, ops),
        }
    }

    /// One `ConfigChanged` event per operation, on `resource` (`topic t`, `broker 1`, ...).
    fn config_change_events(ctx: &mut Ctx, resource: &str, ops: &[AlterOp]) {
        for op in ops {
            let (n, v) = match op {
                AlterOp::Set(k, v) => (k.clone(), Some(v.clone())),
                AlterOp::Delete(k) => (k.clone(), None),
            };
            ctx.emit(EventKind::ConfigChanged { resource: resource.to_string(), name: n, value: v });
        }
    }

    /// A topic's configs after `ops`, validated; its settings follow.
    fn alter_topic_configs(&mut self, ctx: &mut Ctx, name: &str, ops: &[AlterOp]) -> KResult<()> {
        let idx = self.topic_idx(name)?;
        let Some(t) = self.topics.get(&idx) else { return Err(KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION)) };
        if let Some(k) = ops.iter().find_map(|op| match op {
            AlterOp::Delete(k) if config::topic_config_def(k).is_none() => Some(k),
            _ => None,
        }) {
            return Err(KafkaError::new(ErrorCode::INVALID_CONFIG, format!("Unknown topic config name: {k}")));
        }
        let mut configs = t.configs.clone();
        apply_ops(&mut configs, ops);
        let list: Vec<(String, String)> = configs.into_iter().collect();
        let configs = config::validate_topic_configs(&list)?;
        let settings = self.topic_settings_for(&configs);
        if let Some(t) = self.topics.get_mut(&idx) {
            t.configs = configs;
            t.settings = settings;
        }
        Self::config_change_events(ctx, &format!("topic {name}"), ops);
        // The ConfigRecord reaches the brokers as metadata.
        self.publish(ctx, Vec::new(), vec![idx], Vec::new());
        Ok(())
    }

    fn check_broker_id(&self, id: BrokerId) -> KResult<()> {
        if self.regs.contains_key(&id) {
            return Ok(());
        }
        Err(KafkaError::new(ErrorCode::INVALID_REQUEST, format!("Unexpected broker id, expected one of the registered brokers but received {id}")))
    }

    /// Dynamic broker configs (cluster-wide default, or one broker's) after `ops`; every topic's
    /// settings are resolved again.
    fn alter_broker_configs(&mut self, ctx: &mut Ctx, id: Option<BrokerId>, ops: &[AlterOp]) -> KResult<()> {
        if let Some(id) = id {
            self.check_broker_id(id)?;
        }
        let dynamic = self.dynamic_configs_after(ops)?;
        match id {
            Some(b) => {
                // Per-broker values are layered on top: start from that broker's own.
                let mut own = self.per_broker_configs.get(&b).cloned().unwrap_or_default();
                apply_ops(&mut own, ops);
                if own.is_empty() {
                    self.per_broker_configs.remove(&b);
                } else {
                    self.per_broker_configs.insert(b, own);
                }
            }
            None => self.dynamic_broker_configs = dynamic,
        }
        let settings: Vec<(u32, config::TopicSettings)> = self.topics.iter().map(|(i, t)| (*i, self.topic_settings_for(&t.configs))).collect();
        let mut changed = Vec::new();
        for (i, s) in settings {
            if let Some(t) = self.topics.get_mut(&i) {
                if t.settings != s {
                    t.settings = s;
                    changed.push(i);
                }
            }
        }
        let res = id.map_or_else(|| "broker default".to_string(), |b| format!("broker {b}"));
        Self::config_change_events(ctx, &res, ops);
        // Brokers learn the topics' new effective configs from metadata.
        self.publish(ctx, Vec::new(), changed, Vec::new());
        Ok(())
    }

    /// The cluster-wide dynamic broker configs after `ops`, every name dynamic and every value
    /// valid.
    fn dynamic_configs_after(&self, ops: &[AlterOp]) -> KResult<BTreeMap<String, String>> {
        let name = |op: &AlterOp| match op {
            AlterOp::Set(k, _) | AlterOp::Delete(k) => k.clone(),
        };
        let not_dynamic: Vec<String> = ops.iter().map(name).filter(|k| !matches!(config::broker_config_def(k), Some((_, true)))).collect();
        if !not_dynamic.is_empty() {
            return Err(KafkaError::new(ErrorCode::INVALID_REQUEST, format!("Cannot update these configs dynamically: Set({})", not_dynamic.join(", "))));
        }
        for op in ops {
            if let AlterOp::Set(k, v) = op {
                if let Some((def, _)) = config::broker_config_def(k) {
                    config::parse_and_validate(def, v)?;
                }
            }
        }
        let mut dynamic = self.dynamic_broker_configs.clone();
        apply_ops(&mut dynamic, ops);
        Ok(dynamic)
    }

    // ----- read-only views -----

    /// The controller's view of a topic (what `kafka-topics --describe` prints).
    pub(crate) fn describe_topic(&self, name: &str) -> KResult<TopicDescription> {
        let t = self.topic_meta(name).ok_or_else(|| KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION))?;
        let configs = self.topic_config_entries(t).into_iter().filter(|e| e.source != ConfigSource::DefaultConfig).collect();
        let describe = |(p, pm): (usize, &PartitionMeta)| PartitionDescription {
            id: p as i32,
            leader: pm.leader,
            leader_epoch: pm.leader_epoch,
            replicas: pm.replicas.clone(),
            isr: pm.isr.clone(),
            elr: None,
            last_known_elr: None,
        };
        let partitions = t.partitions.iter().enumerate().map(describe).collect();
        Ok(TopicDescription { name: t.name.to_string(), id: t.id.clone(), internal: t.internal, configs, partitions })
    }

    fn topic_config_entries(&self, t: &TopicMeta) -> Vec<ConfigEntry> {
        let entry = |def: &config::ConfigDef| {
            let (value, source) = config::effective_topic_value(def, &t.configs, &self.dynamic_broker_configs, &self.static_configs);
            ConfigEntry { name: def.name.to_string(), value, source, read_only: false, sensitive: false }
        };
        config::TOPIC_CONFIGS.iter().map(entry).collect()
    }

    /// DescribeConfigs: every config of the resource with its value and source.
    pub(crate) fn describe_configs(&self, resource: &ConfigResource) -> KResult<Vec<ConfigEntry>> {
        let id = match resource {
            ConfigResource::Topic(name) => {
                let t = self.topic_meta(name).ok_or_else(|| KafkaError::of(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION))?;
                return Ok(self.topic_config_entries(t));
            }
            ConfigResource::Broker(id) => *id,
        };
        if let Some(id) = id {
            self.check_broker_id(id)?;
        }
        let own = id.and_then(|b| self.per_broker_configs.get(&b));
        let entry = |(def, dynamic): &(config::ConfigDef, bool)| {
            let (value, source) = if let Some(v) = own.and_then(|m| m.get(def.name)) {
                (v.clone(), ConfigSource::DynamicBrokerConfig)
            } else if let Some(v) = self.dynamic_broker_configs.get(def.name) {
                (v.clone(), ConfigSource::DynamicDefaultBrokerConfig)
            } else if let Some(v) = self.static_configs.get(def.name) {
                (v.clone(), ConfigSource::StaticBrokerConfig)
            } else {
                (def.default.to_string(), ConfigSource::DefaultConfig)
            };
            ConfigEntry { name: def.name.to_string(), value, source, read_only: !dynamic, sensitive: false }
        };
        Ok(config::BROKER_CONFIGS.iter().map(entry).collect())
    }

    pub(crate) fn topic_meta(&self, name: &str) -> Option<&TopicMeta> {
        self.topics.get(self.by_name.get(name)?)
    }
}
