//! Goals: predicates over a sandbox (engine state, files, commands run) and its [`History`],
//! composable with [`Goal::All`], [`Goal::Any`], [`Goal::Never`] and [`Goal::Say`].
//!
//! Commands count only once they succeeded (exit status 0, no error printed) and only in the
//! current step (see [`super::commands`]).
//!
//! [`Goal::check`] answers `Ok(())` when the goal is met, or `Err(why)` with the first missing
//! condition in plain words ("Topic `test` does not exist yet"). [`Goal::describe`] says what the
//! goal asks for (the UI lists it; `Not` uses it to explain itself).
//!
//! Reads are what a client would see: records come from partition leaders up to the high
//! watermark (a partition without a leader is "offline" and counts nothing), groups from their
//! coordinator. Nothing here changes the sandbox.

use std::collections::BTreeMap;

use super::history::History;
use crate::engine::{BrokerStatus, Cluster, FetchRequest, ProcessState};
use crate::shell::{Sandbox, TermId};

/// What a goal looks at.
#[derive(Clone, Copy)]
pub struct Observed<'a> {
    pub sandbox: &'a Sandbox,
    pub history: &'a History,
}

/// A goal. Group names ending in `*` match any group with that prefix (the console consumer's
/// `console-consumer-<n>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    All(&'static [Goal]),
    /// Alternatives (several ways to the same result); unmet, it says why the first is unmet.
    Any(&'static [Goal]),
    /// Met while `goal` is not. Once `goal` holds the step is blocked (what was printed or run
    /// stays so): `why` says what happened, and the learner needs "Reset step".
    Never { goal: &'static Goal, why: &'static str },
    /// `goal`, explained in the lesson's own words when unmet (no spoilers, no internals).
    Say { goal: &'static Goal, why: &'static str },
    /// A command of this step matching `pattern` printed `text` (whatever its exit status: a
    /// consumer stopped with Ctrl-C counts, so does one still running).
    Showed { pattern: &'static str, text: &'static str },
    /// A producer command of this step wrote to `topic` and succeeded.
    WroteOk { topic: &'static str },
    /// As [`Goal::WroteOk`], with acks=all (the default): not `acks=0` or `acks=1`.
    WroteAcksAll { topic: &'static str },
    /// The topic's min.insync.replicas (its own or the broker default) is at least `min`.
    MinIsrAtLeast { topic: &'static str, min: i32 },
    /// Writes that need min.insync.replicas (at least 2) still succeed after any `failures`
    /// brokers fail: replication factor >= min.insync.replicas + failures.
    SurvivesFailures { topic: &'static str, failures: usize },
    /// A record's value is a JSON object with this top-level field.
    JsonField { topic: &'static str, field: &'static str },
    /// Exactly one readable record of the topic has this value.
    ValueOnce { topic: &'static str, value: &'static str },
    /// A file of the sandbox does not contain this text (or does not exist).
    FileLacks { path: &'static str, text: &'static str },
    /// The KRaft controller quorum has an active controller.
    ControllerActive,
    TopicExists { topic: &'static str },
    TopicAbsent { topic: &'static str },
    Partitions { topic: &'static str, count: i32 },
    ReplicationFactor { topic: &'static str, factor: usize },
    /// A topic config set on the topic (not a default) with this value.
    TopicConfig { topic: &'static str, key: &'static str, value: &'static str },
    /// Records readable from the topic's leaders (up to their high watermarks).
    Records { topic: &'static str, at_least: u64 },
    /// Partitions of the topic holding at least one readable record.
    PartitionsWithRecords { topic: &'static str, at_least: usize },
    /// At least `at_least` records with this key, all in one partition.
    KeyInOnePartition { topic: &'static str, key: &'static str, at_least: u64 },
    /// Records with this key sit in at least `at_least` different partitions.
    KeyInPartitions { topic: &'static str, key: &'static str, at_least: usize },
    /// At most `at_most` records with this key remain (and at least one).
    KeyCopiesAtMost { topic: &'static str, key: &'static str, at_most: u64 },
    /// The key's latest record is a tombstone, or the key is gone.
    KeyDeleted { topic: &'static str, key: &'static str },
    /// A record with this value is readable.
    ValueExists { topic: &'static str, value: &'static str },
    GroupExists { group: &'static str },
    GroupAbsent { group: &'static str },
    GroupMembers { group: &'static str, count: usize },
    /// A member of the group owns no partition.
    GroupIdleMember { group: &'static str },
    /// At least `members` members each own at least one partition of `topic`.
    GroupMembersOwn { group: &'static str, topic: &'static str, members: usize },
    /// The group has no committed offset at all.
    GroupNoCommits { group: &'static str },
    /// Committed offsets of the group on `topic`, summed over partitions.
    CommittedAtLeast { group: &'static str, topic: &'static str, sum: i64 },
    CommittedAtMost { group: &'static str, topic: &'static str, sum: i64 },
    /// Partitions of `topic` with a committed offset of the group.
    CommittedPartitions { group: &'static str, topic: &'static str, at_least: usize },
    /// Total lag (high watermark minus committed, partitions without a commit count from the log
    /// start) of the group on `topic`.
    LagAtMost { group: &'static str, topic: &'static str, lag: i64 },
    LagAtLeast { group: &'static str, topic: &'static str, lag: i64 },
    BrokerDown { broker: u32 },
    BrokerUp { broker: u32 },
    BrokersDown { at_least: usize },
    /// No partition of `topic` is led by `broker`.
    NotLeader { topic: &'static str, broker: u32 },
    /// Every partition of the topic is led by its preferred (first) replica.
    PreferredLeaders { topic: &'static str },
    /// Every partition of the topic has all its replicas in sync.
    FullIsr { topic: &'static str },
    /// Some partition of the topic has at most `size` replicas in sync.
    IsrAtMost { topic: &'static str, size: usize },
    /// A leader of the topic moved (an election after the first) — from the history.
    LeaderMoved { topic: &'static str },
    /// A write to the topic was refused with this error (e.g. `NOT_ENOUGH_REPLICAS`): from the
    /// brokers' events or the tools' output.
    WriteRefused { topic: &'static str, error: &'static str },
    /// A replica of the topic threw records away (leader-epoch truncation): writes a leader had
    /// accepted are gone.
    WritesLost { topic: &'static str },
    /// The topic committed a write while at least `down` brokers were down.
    CommittedWithBrokersDown { topic: &'static str, down: u32 },
    /// A command line matching the pattern was run (`*` matches anything; the pattern may match
    /// anywhere in the line; quotes and repeated spaces are ignored).
    Ran { pattern: &'static str },
    RanTimes { pattern: &'static str, times: usize },
    /// A terminal (or any, with `term: 0`) printed this text since the step started.
    Output { term: TermId, text: &'static str },
    /// A file of the sandbox contains this text.
    FileContains { path: &'static str, text: &'static str },
}

type Check = Result<(), String>;

fn fail(msg: String) -> Check {
    Err(msg)
}

/// Every readable record of a partition: (key, value).
type Rows = Vec<(Option<Vec<u8>>, Option<Vec<u8>>)>;

fn partition_rows(cluster: &Cluster, topic: &str, partition: i32) -> Option<Rows> {
    let start = cluster.list_offsets(topic, partition, crate::engine::OffsetSpec::Earliest).ok()?.0;
    let mut req = FetchRequest::new(topic, partition, start);
    req.max_records = usize::MAX;
    req.max_bytes = u64::MAX;
    let resp = cluster.fetch(&req).ok()?;
    let mut rows = Vec::new();
    for batch in &resp.batches {
        for r in batch.records() {
            if r.offset >= resp.first_offset && r.offset < resp.high_watermark {
                rows.push((r.key.map(<[u8]>::to_vec), r.value.map(<[u8]>::to_vec)));
            }
        }
    }
    Some(rows)
}

/// Rows per partition (None for offline partitions); Err if the topic does not exist.
fn topic_rows(cluster: &Cluster, topic: &str) -> Result<Vec<Option<Rows>>, String> {
    let meta = cluster.topic_meta(topic).ok_or_else(|| format!("Topic `{topic}` does not exist yet"))?;
    Ok((0..meta.partitions.len() as i32).map(|p| partition_rows(cluster, topic, p)).collect())
}

/// `*` globbing, unanchored at both ends.
pub fn glob_contains(pattern: &str, text: &str) -> bool {
    let mut rest = text;
    for part in pattern.split('*').filter(|p| !p.is_empty()) {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// A command line as patterns see it: quotes dropped, whitespace collapsed.
pub fn normalize_line(line: &str) -> String {
    line.replace(['"', '\''], "").split_whitespace().collect::<Vec<_>>().join(" ")
}

fn status(cluster: &Cluster, broker: u32) -> Option<BrokerStatus> {
    cluster.broker_status().into_iter().find(|b| b.id as i64 == broker as i64)
}

fn is_down(s: &BrokerStatus) -> bool {
    !matches!(s.process, ProcessState::Running)
}

/// A consumer group as a goal sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupView {
    pub id: String,
    pub state: String,
    /// Each member's assigned partitions.
    pub members: Vec<Vec<(String, i32)>>,
    pub committed: BTreeMap<(String, i32), i64>,
}

/// Groups matching `pattern`, as their coordinators know them.
pub fn groups(cluster: &Cluster, pattern: &str) -> Result<Vec<GroupView>, String> {
    super::observe_groups::groups(cluster, pattern)
}

fn one_group(o: &Observed<'_>, pattern: &str) -> Result<GroupView, String> {
    let found = groups(o.sandbox.cluster(), pattern)?;
    // With a prefix, prefer the group with most members (the live console consumer's).
    found
        .into_iter()
        .max_by_key(|g| g.members.len())
        .ok_or_else(|| if pattern.ends_with('*') { format!("No group named `{pattern}` exists yet") } else { format!("Group `{pattern}` does not exist yet") })
}

fn lag(cluster: &Cluster, g: &GroupView, topic: &str) -> Result<i64, String> {
    let meta = cluster.topic_meta(topic).ok_or_else(|| format!("Topic `{topic}` does not exist"))?;
    let mut total = 0;
    for p in 0..meta.partitions.len() as i32 {
        let Ok((end, _)) = cluster.list_offsets(topic, p, crate::engine::OffsetSpec::Latest) else { continue };
        let start = cluster.list_offsets(topic, p, crate::engine::OffsetSpec::Earliest).map(|x| x.0).unwrap_or(0);
        let committed = g.committed.get(&(topic.to_string(), p)).copied().unwrap_or(start);
        total += (end - committed).max(0);
    }
    Ok(total)
}

impl Goal {
    /// Met, or the first missing condition in words.
    pub fn check(&self, o: &Observed<'_>) -> Check {
        let cluster = o.sandbox.cluster();
        match *self {
            Goal::All(goals) => {
                // What can no longer be met matters more than what is still to do.
                if let Some(Err(why)) = goals.iter().find(|g| g.blocked(o)).map(|g| g.check(o)) {
                    return fail(why);
                }
                let mut done = Vec::new();
                for g in goals {
                    if let Err(why) = g.check(o) {
                        let done = if done.is_empty() { String::new() } else { format!(" (Already done: {}.)", done.join("; ")) };
                        return fail(format!("{why}{done}"));
                    }
                    let text = g.describe();
                    if !text.is_empty() {
                        done.push(text);
                    }
                }
                Ok(())
            }
            Goal::Any(goals) => {
                let mut first = None;
                for g in goals {
                    match g.check(o) {
                        Ok(()) => return Ok(()),
                        Err(why) => {
                            first.get_or_insert(why);
                        }
                    }
                }
                Err(first.unwrap_or_default())
            }
            Goal::Never { goal, why } => match goal.check(o) {
                Ok(()) => fail(format!("{why} This step can no longer be met: press Reset step to try again.")),
                Err(_) => Ok(()),
            },
            Goal::Say { goal, why } => goal.check(o).map_err(|_| why.to_string()),
            Goal::Showed { .. } | Goal::WroteOk { .. } | Goal::WroteAcksAll { .. } | Goal::Ran { .. } | Goal::RanTimes { .. } => self.check_commands(o),
            Goal::MinIsrAtLeast { .. } | Goal::SurvivesFailures { .. } | Goal::ControllerActive => self.check_design(cluster),
            Goal::JsonField { topic, field } => {
                let rows = topic_rows(cluster, topic)?;
                let values = || rows.iter().flatten().flatten().filter_map(|(_, v)| v.as_deref()).map(String::from_utf8_lossy);
                if values().any(|v| super::commands::json_has_top_level_field(&v, field)) {
                    Ok(())
                } else if values().any(|v| v.contains(field)) {
                    fail(format!("No record of `{topic}` is a JSON object with a top-level `{field}` field yet (one mentions `{field}`, but not as a top-level field of a JSON object)"))
                } else {
                    fail(format!("No record of `{topic}` is a JSON object with a top-level `{field}` field yet"))
                }
            }
            Goal::ValueOnce { topic, value } => {
                let rows = topic_rows(cluster, topic)?;
                match rows.iter().flatten().flatten().filter(|(_, v)| v.as_deref() == Some(value.as_bytes())).count() {
                    0 => fail(format!("No record of `{topic}` has the value `{value}` yet")),
                    1 => Ok(()),
                    n => fail(format!("`{topic}` holds `{value}` {n} times: it was written more than once")),
                }
            }
            Goal::FileLacks { path, text } => match o.sandbox.world().files.get(path) {
                Some(content) if content.contains(text) => fail(format!("File `{path}` still contains `{text}`")),
                _ => Ok(()),
            },
            Goal::TopicExists { topic } => {
                if cluster.topic_meta(topic).is_some() {
                    Ok(())
                } else {
                    fail(format!("Topic `{topic}` does not exist yet"))
                }
            }
            Goal::TopicAbsent { topic } => {
                if cluster.topic_meta(topic).is_none() {
                    Ok(())
                } else {
                    fail(format!("Topic `{topic}` still exists"))
                }
            }
            Goal::Partitions { topic, count } => {
                let meta = cluster.topic_meta(topic).ok_or_else(|| format!("Topic `{topic}` does not exist yet"))?;
                let n = meta.partitions.len() as i32;
                if n == count {
                    Ok(())
                } else {
                    fail(format!("Topic `{topic}` has {n} partition(s), not {count}"))
                }
            }
            Goal::ReplicationFactor { topic, factor } => {
                let meta = cluster.topic_meta(topic).ok_or_else(|| format!("Topic `{topic}` does not exist yet"))?;
                let rf = meta.partitions.first().map_or(0, |p| p.replicas.len());
                if rf == factor {
                    Ok(())
                } else {
                    fail(format!("Topic `{topic}` has replication factor {rf}, not {factor}"))
                }
            }
            Goal::TopicConfig { topic, key, value } => {
                let meta = cluster.topic_meta(topic).ok_or_else(|| format!("Topic `{topic}` does not exist yet"))?;
                match meta.configs.get(key) {
                    Some(v) if v == value => Ok(()),
                    Some(v) => fail(format!("Topic `{topic}` has {key}={v}, not {value}")),
                    None => fail(format!("Topic `{topic}` does not set {key} (it should be {value})")),
                }
            }
            Goal::Records { topic, at_least } => {
                let rows = topic_rows(cluster, topic)?;
                let n: u64 = rows.iter().flatten().map(|r| r.len() as u64).sum();
                if n >= at_least {
                    Ok(())
                } else {
                    let offline = rows.iter().filter(|r| r.is_none()).count();
                    let note = if offline > 0 { format!(" ({offline} partition(s) offline)") } else { String::new() };
                    fail(format!("Topic `{topic}` holds {n} readable record(s){note}; at least {at_least} needed"))
                }
            }
            Goal::PartitionsWithRecords { topic, at_least } => {
                let rows = topic_rows(cluster, topic)?;
                let n = rows.iter().flatten().filter(|r| !r.is_empty()).count();
                if n >= at_least {
                    Ok(())
                } else {
                    fail(format!("Records of `{topic}` sit in {n} partition(s); at least {at_least} needed"))
                }
            }
            Goal::KeyInOnePartition { topic, key, at_least } => {
                let rows = topic_rows(cluster, topic)?;
                let per: Vec<(usize, u64)> = rows
                    .iter()
                    .enumerate()
                    .filter_map(|(p, r)| r.as_ref().map(|r| (p, r.iter().filter(|(k, _)| k.as_deref() == Some(key.as_bytes())).count() as u64)))
                    .filter(|(_, n)| *n > 0)
                    .collect();
                let total: u64 = per.iter().map(|(_, n)| n).sum();
                if per.len() > 1 {
                    let ps: Vec<String> = per.iter().map(|(p, _)| p.to_string()).collect();
                    fail(format!("Key `{key}` sits in partitions {} of `{topic}`, not just one", ps.join(", ")))
                } else if total < at_least {
                    fail(format!("Topic `{topic}` holds {total} record(s) with key `{key}`; at least {at_least} needed"))
                } else {
                    Ok(())
                }
            }
            Goal::KeyInPartitions { topic, key, at_least } => {
                let rows = topic_rows(cluster, topic)?;
                let n = rows.iter().flatten().filter(|r| r.iter().any(|(k, _)| k.as_deref() == Some(key.as_bytes()))).count();
                if n >= at_least {
                    Ok(())
                } else {
                    fail(format!("Key `{key}` sits in {n} partition(s) of `{topic}`; at least {at_least} needed"))
                }
            }
            Goal::KeyCopiesAtMost { topic, key, at_most } => {
                let rows = topic_rows(cluster, topic)?;
                let n = rows.iter().flatten().flatten().filter(|(k, _)| k.as_deref() == Some(key.as_bytes())).count() as u64;
                if n == 0 {
                    fail(format!("Topic `{topic}` holds no record with key `{key}`"))
                } else if n <= at_most {
                    Ok(())
                } else {
                    fail(format!("Topic `{topic}` still holds {n} records with key `{key}` (at most {at_most} wanted)"))
                }
            }
            Goal::KeyDeleted { topic, key } => {
                let rows = topic_rows(cluster, topic)?;
                let last = rows.iter().flatten().flatten().filter(|(k, _)| k.as_deref() == Some(key.as_bytes())).last();
                match last {
                    None | Some((_, None)) => Ok(()),
                    Some(_) => fail(format!("Key `{key}` of `{topic}` still has a value (its latest record is not a tombstone)")),
                }
            }
            Goal::ValueExists { topic, value } => {
                let rows = topic_rows(cluster, topic)?;
                if rows.iter().flatten().flatten().any(|(_, v)| v.as_deref() == Some(value.as_bytes())) {
                    Ok(())
                } else {
                    fail(format!("No record of `{topic}` has the value `{value}` yet"))
                }
            }
            Goal::GroupExists { group } => one_group(o, group).map(|_| ()),
            Goal::GroupAbsent { group } => match groups(cluster, group) {
                Ok(found) if found.is_empty() => Ok(()),
                Ok(found) => fail(format!("Group `{}` still exists", found[0].id)),
                Err(why) => Err(why),
            },
            Goal::GroupMembers { group, count } => {
                let g = one_group(o, group)?;
                if g.members.len() == count {
                    Ok(())
                } else {
                    fail(format!("Group `{}` has {} member(s), not {count}", g.id, g.members.len()))
                }
            }
            Goal::GroupIdleMember { group } => {
                let g = one_group(o, group)?;
                if g.state != "Stable" {
                    fail(format!("Group `{}` is {}, not Stable yet", g.id, g.state))
                } else if g.members.iter().any(|m| m.is_empty()) {
                    Ok(())
                } else {
                    fail(format!("Every member of group `{}` owns a partition: no idle consumer yet", g.id))
                }
            }
            Goal::GroupMembersOwn { group, topic, members } => {
                let g = one_group(o, group)?;
                let n = g.members.iter().filter(|m| m.iter().any(|(t, _)| t == topic)).count();
                if g.state == "Stable" && n >= members {
                    Ok(())
                } else if n == 0 {
                    fail(format!("No consumer in group `{}` owns a partition of `{topic}` yet", g.id))
                } else {
                    fail(format!("{n} consumer(s) of group `{}` own partitions of `{topic}`; {members} wanted", g.id))
                }
            }
            Goal::GroupNoCommits { group } => {
                let g = one_group(o, group)?;
                if g.committed.is_empty() {
                    Ok(())
                } else {
                    fail(format!("Group `{}` has committed offsets", g.id))
                }
            }
            Goal::CommittedAtLeast { group, topic, sum } | Goal::CommittedAtMost { group, topic, sum } => {
                let g = one_group(o, group)?;
                let parts: Vec<i64> = g.committed.iter().filter(|((t, _), _)| t == topic).map(|(_, o)| *o).collect();
                let total: i64 = parts.iter().sum();
                let at_least = matches!(self, Goal::CommittedAtLeast { .. });
                if parts.is_empty() {
                    fail(format!("Group `{}` has committed no offset on `{topic}` yet", g.id))
                } else if at_least && total < sum {
                    fail(format!("Group `{}` has committed offsets summing to {total} on `{topic}`; at least {sum} needed", g.id))
                } else if !at_least && total > sum {
                    fail(format!("Group `{}` has committed offsets summing to {total} on `{topic}`; at most {sum} wanted", g.id))
                } else {
                    Ok(())
                }
            }
            Goal::CommittedPartitions { group, topic, at_least } => {
                let g = one_group(o, group)?;
                let n = g.committed.keys().filter(|(t, _)| t == topic).count();
                if n >= at_least {
                    Ok(())
                } else {
                    fail(format!("Group `{}` has committed offsets for {n} partition(s) of `{topic}`; at least {at_least} needed", g.id))
                }
            }
            Goal::LagAtMost { group, topic, lag: max } => {
                let g = one_group(o, group)?;
                let l = lag(cluster, &g, topic)?;
                if l <= max {
                    Ok(())
                } else {
                    fail(format!("Group `{}` lags {l} record(s) behind on `{topic}` (at most {max} wanted)", g.id))
                }
            }
            Goal::LagAtLeast { group, topic, lag: min } => {
                let g = one_group(o, group)?;
                let l = lag(cluster, &g, topic)?;
                if l >= min {
                    Ok(())
                } else {
                    fail(format!("Group `{}` lags {l} record(s) behind on `{topic}`; at least {min} wanted", g.id))
                }
            }
            Goal::BrokerDown { broker } => match status(cluster, broker) {
                Some(s) if is_down(&s) => Ok(()),
                Some(_) => fail(format!("Broker {broker} is still running")),
                None => fail(format!("There is no broker {broker}")),
            },
            Goal::BrokerUp { broker } => match status(cluster, broker) {
                Some(s) if !is_down(&s) && !s.fenced => Ok(()),
                Some(s) if !is_down(&s) => fail(format!("Broker {broker} is starting (not yet unfenced)")),
                Some(_) => fail(format!("Broker {broker} is down")),
                None => fail(format!("There is no broker {broker}")),
            },
            Goal::BrokersDown { at_least } => {
                let n = cluster.broker_status().iter().filter(|s| is_down(s)).count();
                if n >= at_least {
                    Ok(())
                } else {
                    fail(format!("{n} broker(s) down; {at_least} wanted"))
                }
            }
            Goal::NotLeader { topic, broker } => {
                let meta = cluster.topic_meta(topic).ok_or_else(|| format!("Topic `{topic}` does not exist yet"))?;
                let led: Vec<String> =
                    meta.partitions.iter().enumerate().filter(|(_, p)| p.leader.map(|l| l as i64) == Some(broker as i64)).map(|(i, _)| i.to_string()).collect();
                if led.is_empty() {
                    Ok(())
                } else {
                    fail(format!("Broker {broker} still leads {} partition(s) of `{topic}`", led.len()))
                }
            }
            Goal::PreferredLeaders { topic } => {
                let meta = cluster.topic_meta(topic).ok_or_else(|| format!("Topic `{topic}` does not exist yet"))?;
                let off = meta.partitions.iter().filter(|p| p.leader.is_none() || p.leader != p.replicas.first().copied()).count();
                if off == 0 {
                    Ok(())
                } else {
                    fail(format!("{off} partition(s) of `{topic}` are not led by their preferred replica"))
                }
            }
            Goal::FullIsr { topic } => {
                let meta = cluster.topic_meta(topic).ok_or_else(|| format!("Topic `{topic}` does not exist yet"))?;
                let short = meta.partitions.iter().filter(|p| p.isr.len() < p.replicas.len()).count();
                if short == 0 {
                    Ok(())
                } else {
                    fail(format!("{short} partition(s) of `{topic}` have replicas out of sync"))
                }
            }
            Goal::IsrAtMost { topic, size } => {
                let meta = cluster.topic_meta(topic).ok_or_else(|| format!("Topic `{topic}` does not exist yet"))?;
                let min = meta.partitions.iter().map(|p| p.isr.len()).min().unwrap_or(0);
                if min <= size {
                    Ok(())
                } else {
                    fail(format!("Every partition of `{topic}` still has {min} or more replicas in sync"))
                }
            }
            Goal::LeaderMoved { topic } => {
                if o.history.leader_moved(topic) {
                    Ok(())
                } else {
                    fail(format!("No leader of `{topic}` has moved yet"))
                }
            }
            Goal::WriteRefused { topic, error } => {
                let in_output = o.sandbox.terminals().into_iter().chain(o.history.terminals()).any(|t| o.history.output_since_step(t).contains(error));
                if o.history.write_refused(topic, error) || in_output {
                    Ok(())
                } else {
                    fail(format!("No write to `{topic}` has been refused with {error} yet"))
                }
            }
            Goal::WritesLost { topic } => {
                if o.history.truncated(topic) {
                    Ok(())
                } else {
                    fail(format!("No replica of `{topic}` has thrown records away yet"))
                }
            }
            Goal::CommittedWithBrokersDown { topic, down } => match o.history.committed_with_brokers_down(topic) {
                Some(n) if n >= down => Ok(()),
                _ => fail(format!("`{topic}` has not committed a write while {down} broker(s) were down")),
            },
            Goal::Output { term, text } => {
                let terms: Vec<TermId> = if term == 0 { o.history.terminals() } else { vec![term] };
                if terms.iter().any(|t| o.history.output_since_step(*t).contains(text)) {
                    Ok(())
                } else if term == 0 {
                    fail(format!("No terminal has shown `{text}` yet"))
                } else {
                    fail(format!("Terminal {term} has not shown `{text}` yet"))
                }
            }
            Goal::FileContains { path, text } => match o.sandbox.world().files.get(path) {
                Some(content) if content.contains(text) => Ok(()),
                Some(_) => fail(format!("File `{path}` does not contain `{text}`")),
                None => fail(format!("There is no file `{path}` yet")),
            },
        }
    }

    /// The step can no longer be met without "Reset step": something it forbids happened.
    pub fn blocked(&self, o: &Observed<'_>) -> bool {
        match *self {
            Goal::All(goals) | Goal::Any(goals) => goals.iter().any(|g| g.blocked(o)) && (matches!(self, Goal::All(_)) || goals.iter().all(|g| g.blocked(o))),
            Goal::Never { goal, .. } => goal.check(o).is_ok(),
            Goal::Say { goal, .. } => goal.blocked(o),
            _ => false,
        }
    }

    /// Goals about the commands of the current step.
    fn check_commands(&self, o: &Observed<'_>) -> Check {
        use super::commands::{explain_write_failure, failure, step_matching, succeeded, writes_to};
        let h = o.history;
        match *self {
            Goal::Ran { pattern } => Goal::RanTimes { pattern, times: 1 }.check_commands(o),
            Goal::RanTimes { pattern, times } => {
                let ok = step_matching(h, pattern).filter(|c| succeeded(h, c)).count();
                if ok >= times {
                    return Ok(());
                }
                let last_failed = step_matching(h, pattern).filter_map(|c| failure(h, c).map(|why| (c, why))).last();
                let done = match ok {
                    0 => String::new(),
                    n => format!("You have run it successfully {n} time(s) so far; {times} wanted. "),
                };
                match last_failed {
                    Some((c, why)) => fail(format!("{done}Your command `{}` did not succeed: {why}", c.line)),
                    None if ok == 0 => fail(format!("You have not run `{}` yet in this step", shown_pattern(pattern))),
                    None => fail(format!("{done}Run `{}` again", shown_pattern(pattern))),
                }
            }
            Goal::Showed { pattern, text } => {
                if step_matching(h, pattern).any(|c| h.command_output(c).contains(text)) {
                    Ok(())
                } else {
                    fail(format!("No `{}` command has shown `{text}` yet in this step", shown_pattern(pattern)))
                }
            }
            Goal::WroteOk { topic } | Goal::WroteAcksAll { topic } => {
                let acks_all_only = matches!(self, Goal::WroteAcksAll { .. });
                let weak = |c: &&super::history::CommandRun| acks_all_only && (c.line.contains("acks=1") || c.line.contains("acks=0"));
                let all: Vec<_> = h.step_commands().filter(|c| writes_to(c, topic)).collect();
                let writes: Vec<_> = all.iter().copied().filter(|c| !weak(c)).collect();
                if writes.is_empty() && !all.is_empty() {
                    return fail(format!("Your writes to `{topic}` used acks=0 or acks=1: the producer was told a record was written before it was safe. Write with acks=all (the default)"));
                }
                if writes.iter().any(|c| succeeded(h, c)) {
                    return Ok(());
                }
                match writes.iter().rev().find_map(|c| failure(h, c)) {
                    Some(error) => fail(format!("Your last write to `{topic}` failed with {}", explain_write_failure(&error))),
                    None if writes.iter().any(|c| !c.ended) => fail(format!("Your producer for `{topic}` is still running: type the records, then press Ctrl-D")),
                    None => fail(format!("You have not written to `{topic}` yet in this step")),
                }
            }
            _ => Ok(()),
        }
    }

    /// Goals about a topic's design and the controller quorum.
    fn check_design(&self, cluster: &Cluster) -> Check {
        let min_isr = |topic: &str| -> Result<(i32, usize), String> {
            let meta = cluster.topic_meta(topic).ok_or_else(|| format!("Topic `{topic}` does not exist yet"))?;
            Ok((meta.settings.min_insync_replicas, meta.partitions.iter().map(|p| p.replicas.len()).min().unwrap_or(0)))
        };
        match *self {
            Goal::MinIsrAtLeast { topic, min } => {
                let (isr, _) = min_isr(topic)?;
                if isr >= min {
                    Ok(())
                } else {
                    fail(format!("Topic `{topic}` has min.insync.replicas={isr}; at least {min} wanted"))
                }
            }
            Goal::SurvivesFailures { topic, failures } => {
                let (isr, rf) = min_isr(topic)?;
                if isr < 2 {
                    fail(format!("Topic `{topic}` has min.insync.replicas={isr}: an acknowledged write could sit on a single broker. Ask for at least 2"))
                } else if rf < isr as usize + failures {
                    fail(format!(
                        "Topic `{topic}` has {rf} replicas and min.insync.replicas={isr}: if {failures} of the brokers holding them fail, only {} replica(s) are left and writes stop. Any {failures} failures need at least min.insync.replicas + {failures} = {} replicas",
                        rf.saturating_sub(failures),
                        isr as usize + failures
                    ))
                } else {
                    Ok(())
                }
            }
            Goal::ControllerActive => match cluster.active_controller() {
                Some(_) => Ok(()),
                None => fail("There is no active controller: a majority of the controller voters is down, so metadata is frozen (no broker is fenced, no leader moves). Start one of the crashed voters again".to_string()),
            },
            _ => Ok(()),
        }
    }

    /// What the goal asks for, in plain words (empty for conditions that only forbid).
    pub fn describe(&self) -> String {
        match *self {
            Goal::All(goals) => goals.iter().map(Goal::describe).filter(|d| !d.is_empty()).collect::<Vec<_>>().join("; "),
            Goal::Any(goals) => goals.first().map(Goal::describe).unwrap_or_default(),
            Goal::Never { .. } => String::new(),
            Goal::Say { goal, .. } => goal.describe(),
            Goal::TopicExists { topic } => format!("topic `{topic}` exists"),
            Goal::TopicAbsent { topic } => format!("topic `{topic}` is gone"),
            Goal::Partitions { topic, count } => format!("`{topic}` has {count} partition(s)"),
            Goal::ReplicationFactor { topic, factor } => format!("`{topic}` has {factor} replica(s) per partition"),
            Goal::TopicConfig { topic, key, value } => format!("`{topic}` has {key}={value}"),
            Goal::Records { topic, at_least } => format!("`{topic}` holds at least {at_least} record(s)"),
            Goal::PartitionsWithRecords { topic, at_least } => format!("records of `{topic}` sit in at least {at_least} partitions"),
            Goal::KeyInOnePartition { topic, key, at_least } => format!("at least {at_least} records with key `{key}` sit in one partition of `{topic}`"),
            Goal::KeyInPartitions { topic, key, at_least } => format!("key `{key}` sits in at least {at_least} partitions of `{topic}`"),
            Goal::KeyCopiesAtMost { topic, key, at_most } => format!("at most {at_most} record(s) with key `{key}` remain in `{topic}`"),
            Goal::KeyDeleted { topic, key } => format!("key `{key}` is deleted from `{topic}`"),
            Goal::ValueExists { topic, value } => format!("`{topic}` holds a record `{value}`"),
            Goal::ValueOnce { topic, value } => format!("`{topic}` holds `{value}` exactly once"),
            Goal::JsonField { topic, field } => format!("`{topic}` holds a JSON record with a top-level `{field}`"),
            Goal::GroupExists { group } => format!("group `{group}` exists"),
            Goal::GroupAbsent { group } => format!("group `{group}` is gone"),
            Goal::GroupMembers { group, count } => format!("group `{group}` has {count} member(s)"),
            Goal::GroupIdleMember { group } => format!("a member of group `{group}` owns no partition"),
            Goal::GroupMembersOwn { group, topic, members } => format!("{members} member(s) of group `{group}` own partitions of `{topic}`"),
            Goal::GroupNoCommits { group } => format!("group `{group}` has committed nothing"),
            Goal::CommittedAtLeast { group, topic, sum } => format!("group `{group}` has committed at least {sum} on `{topic}`"),
            Goal::CommittedAtMost { group, topic, sum } => format!("group `{group}` has committed at most {sum} on `{topic}`"),
            Goal::CommittedPartitions { group, topic, at_least } => format!("group `{group}` has offsets for {at_least} partitions of `{topic}`"),
            Goal::LagAtMost { group, topic, lag } => format!("group `{group}` lags at most {lag} on `{topic}`"),
            Goal::LagAtLeast { group, topic, lag } => format!("group `{group}` lags at least {lag} on `{topic}`"),
            Goal::BrokerDown { broker } => format!("broker {broker} is down"),
            Goal::BrokerUp { broker } => format!("broker {broker} is up"),
            Goal::BrokersDown { at_least } => format!("at least {at_least} brokers are down"),
            Goal::NotLeader { topic, broker } => format!("broker {broker} leads no partition of `{topic}`"),
            Goal::PreferredLeaders { topic } => format!("every partition of `{topic}` is led by its preferred replica"),
            Goal::FullIsr { topic } => format!("every replica of `{topic}` is in sync"),
            Goal::IsrAtMost { topic, size } => format!("a partition of `{topic}` has at most {size} replicas in sync"),
            Goal::LeaderMoved { topic } => format!("a leader of `{topic}` moved"),
            Goal::WriteRefused { topic, error } => format!("a write to `{topic}` was refused with {error}"),
            Goal::WritesLost { topic } => format!("a replica of `{topic}` threw acknowledged records away"),
            Goal::CommittedWithBrokersDown { topic, down } => format!("`{topic}` committed a write with {down} broker(s) down"),
            Goal::Ran { pattern } => format!("you ran `{}` successfully", shown_pattern(pattern)),
            Goal::RanTimes { pattern, times } => format!("you ran `{}` successfully {times} times", shown_pattern(pattern)),
            Goal::Showed { pattern, text } => format!("a `{}` command showed `{text}`", shown_pattern(pattern)),
            Goal::WroteOk { topic } => format!("a write to `{topic}` succeeded"),
            Goal::WroteAcksAll { topic } => format!("an acks=all write to `{topic}` succeeded"),
            Goal::MinIsrAtLeast { topic, min } => format!("`{topic}` has min.insync.replicas of at least {min}"),
            Goal::SurvivesFailures { topic, failures } => format!("`{topic}` keeps accepting safe writes with any {failures} brokers down"),
            Goal::ControllerActive => "the cluster has an active controller".to_string(),
            Goal::Output { text, .. } => format!("the terminal shows `{text}`"),
            Goal::FileContains { path, text } => format!("file `{path}` contains `{text}`"),
            Goal::FileLacks { path, text } => format!("file `{path}` no longer contains `{text}`"),
        }
    }
}

/// A command pattern as the learner reads it: the `*` between its parts becomes " ... ".
fn shown_pattern(pattern: &str) -> String {
    pattern.split('*').map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ... ")
}
