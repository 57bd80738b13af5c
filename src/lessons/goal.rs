//! Goals: predicates over a sandbox (engine state, files, commands run) and its [`History`],
//! composable with [`Goal::All`], [`Goal::Any`] and [`Goal::Not`].
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
    Any(&'static [Goal]),
    Not(&'static Goal),
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
                for g in goals {
                    g.check(o)?;
                }
                Ok(())
            }
            Goal::Any(goals) => {
                let mut whys = Vec::new();
                for g in goals {
                    match g.check(o) {
                        Ok(()) => return Ok(()),
                        Err(why) => whys.push(why),
                    }
                }
                fail(format!("None of these holds yet: {}", whys.join("; ")))
            }
            Goal::Not(goal) => match goal.check(o) {
                Ok(()) => fail(format!("This should not be so: {}", goal.describe())),
                Err(_) => Ok(()),
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
            Goal::Ran { pattern } => Goal::RanTimes { pattern, times: 1 }.check(o),
            Goal::RanTimes { pattern, times } => {
                let pat = normalize_line(pattern);
                let n = o
                    .sandbox
                    .terminals()
                    .into_iter()
                    .flat_map(|t| o.sandbox.history(t).iter())
                    .filter(|line| glob_contains(&pat, &normalize_line(line)))
                    .count();
                if n >= times {
                    Ok(())
                } else if times == 1 {
                    fail(format!("You have not run `{pattern}` yet"))
                } else {
                    fail(format!("You have run `{pattern}` {n} time(s); {times} wanted"))
                }
            }
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

    /// What the goal asks for, in words.
    pub fn describe(&self) -> String {
        match *self {
            Goal::All(goals) => goals.iter().map(Goal::describe).collect::<Vec<_>>().join("; "),
            Goal::Any(goals) => format!("one of: {}", goals.iter().map(Goal::describe).collect::<Vec<_>>().join(" / ")),
            Goal::Not(goal) => format!("not ({})", goal.describe()),
            Goal::TopicExists { topic } => format!("topic `{topic}` exists"),
            Goal::TopicAbsent { topic } => format!("topic `{topic}` does not exist"),
            Goal::Partitions { topic, count } => format!("topic `{topic}` has {count} partition(s)"),
            Goal::ReplicationFactor { topic, factor } => format!("topic `{topic}` has replication factor {factor}"),
            Goal::TopicConfig { topic, key, value } => format!("topic `{topic}` has {key}={value}"),
            Goal::Records { topic, at_least } => format!("topic `{topic}` holds at least {at_least} record(s)"),
            Goal::PartitionsWithRecords { topic, at_least } => format!("records of `{topic}` sit in at least {at_least} partitions"),
            Goal::KeyInOnePartition { topic, key, at_least } => format!("at least {at_least} records with key `{key}` in one partition of `{topic}`"),
            Goal::KeyInPartitions { topic, key, at_least } => format!("key `{key}` sits in at least {at_least} partitions of `{topic}`"),
            Goal::KeyCopiesAtMost { topic, key, at_most } => format!("at most {at_most} record(s) with key `{key}` remain in `{topic}`"),
            Goal::KeyDeleted { topic, key } => format!("key `{key}` is deleted from `{topic}`"),
            Goal::ValueExists { topic, value } => format!("a record of `{topic}` has the value `{value}`"),
            Goal::GroupExists { group } => format!("group `{group}` exists"),
            Goal::GroupAbsent { group } => format!("group `{group}` does not exist"),
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
            Goal::WritesLost { topic } => format!("a replica of `{topic}` threw accepted records away"),
            Goal::CommittedWithBrokersDown { topic, down } => format!("`{topic}` committed a write with {down} brokers down"),
            Goal::Ran { pattern } => format!("you ran `{pattern}`"),
            Goal::RanTimes { pattern, times } => format!("you ran `{pattern}` {times} times"),
            Goal::Output { text, .. } => format!("the terminal shows `{text}`"),
            Goal::FileContains { path, text } => format!("file `{path}` contains `{text}`"),
        }
    }
}
