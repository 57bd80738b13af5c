//! The KRaft controller: broker registrations and sessions, fencing, leader election, ISR
//! changes (AlterPartition), controlled shutdown, the quorum (voters = the first min(3, n)
//! brokers), and the admin operations (topics, partitions, configs, elections).
//!
//! The controller is a node: [`state::Controller`] owns the image and reacts to one message,
//! tick or admin request at a time through a `Ctx` (`quorum.rs`: quorum, sessions, heartbeats,
//! controlled shutdown; `elections.rs`: elections, ISR changes, ElectLeaders; `admin.rs`: topics,
//! partitions, configs, descriptions). It reads no other node: which voters reach each other comes
//! in the `Ctx` as the network's view, and what the invariants' observer must learn of an unclean
//! election goes out as an observation. The `impl Cluster` block at the end is the router glue.

use super::cluster::*;
use super::config::ConfigEntry;
use super::error::{ErrorCode, KResult, KafkaError};
use super::node::{Ctx, Observation, VoterReach};
use std::rc::Rc;

mod admin;
mod elections;
mod quorum;
pub mod state;

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

/// A topic's TopicRecord with its resolved configs (its ConfigRecords), as brokers receive it.
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

impl Controller {
    /// Sends the metadata delta for `parts` and topic records (added, configs changed, deleted)
    /// to every registered broker.
    pub(crate) fn publish(&mut self, ctx: &mut Ctx, parts: Vec<Tp>, topics_changed: Vec<u32>, topics_deleted: Vec<u32>) {
        if parts.is_empty() && topics_changed.is_empty() && topics_deleted.is_empty() {
            return;
        }
        for tp in &parts {
            self.debug_check_partition(*tp);
        }
        let from_version = self.version;
        self.version += 1;
        let to_version = self.version;
        let topics: Vec<TopicRecord> = topics_changed.iter().filter_map(|i| self.topics.get(i).map(topic_record)).collect();
        let part_list: Vec<(Tp, PartitionMeta)> = parts.iter().filter_map(|tp| self.partition(*tp).map(|pm| (*tp, pm.clone()))).collect();
        let Some(c) = self.active else { return };
        for &b in self.regs.keys() {
            ctx.send(
                Some(c),
                Dest::Broker(b),
                Msg::Metadata { from_version, to_version, full: false, topics: topics.clone(), deleted_topics: topics_deleted.clone(), parts: part_list.clone() },
            );
        }
    }

    /// Sends broker `b` the whole image (it was behind, or new).
    pub(crate) fn send_snapshot(&mut self, ctx: &mut Ctx, b: BrokerId) {
        let Some(c) = self.active else { return };
        let topics: Vec<TopicRecord> = self.topics.values().map(topic_record).collect();
        let mut parts = Vec::new();
        for t in self.topics.values() {
            for (p, pm) in t.partitions.iter().enumerate() {
                parts.push((Tp { topic: t.idx, partition: p as i32 }, pm.clone()));
            }
        }
        let v = self.version;
        ctx.send(Some(c), Dest::Broker(b), Msg::Metadata { from_version: 0, to_version: v, full: true, topics, deleted_topics: Vec::new(), parts });
    }
}

// ----- router glue and views (issue 21: moves to cluster/ at consolidation)

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
