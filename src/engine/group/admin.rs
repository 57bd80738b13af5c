//! The Admin client's group calls (`listConsumerGroups`, `describeConsumerGroups`,
//! `listConsumerGroupOffsets`, `alterConsumerGroupOffsets`, `deleteConsumerGroups`,
//! `deleteConsumerGroupOffsets`), answered by the group's coordinator. Like the other admin calls
//! of the engine they are synchronous: they find the coordinator (creating `__consumer_offsets`
//! if needed), run the simulation while they wait for it, and write through the coordinator's log.

use super::records::{self, RecordKey};
use super::*;
use crate::engine::cluster::ADMIN_TIMEOUT_MS;
use crate::engine::error::KResult;

// ----- router glue and views (issue 21: moves to cluster/ at consolidation)
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
            if self.ctl.active.is_none() {
                return Err(KafkaError::of(ErrorCode::COORDINATOR_NOT_AVAILABLE));
            }
            if let Err(e) = self.create_offsets_topic() {
                return Err(KafkaError::new(ErrorCode::COORDINATOR_NOT_AVAILABLE, e.message));
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
        if !self.ctl.by_name.contains_key(OFFSETS_TOPIC) || topic == OFFSETS_TOPIC {
            if topic == OFFSETS_TOPIC {
                for gc in self.groups.coordinators.values_mut() {
                    gc.shards.clear();
                }
            }
            return;
        }
        for p in 0..OFFSETS_PARTITIONS {
            let Some(l) = self.offsets_partition_leader(p) else { continue };
            if self.broker_up(l) {
                self.with_group_coordinator(l, |gc, host, ctx| gc.on_topic_deleted(host, ctx, p, topic));
            }
        }
    }
}
