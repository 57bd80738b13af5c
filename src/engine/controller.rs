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
use super::node::Ctx;

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
