//! The partition log view, as data: one partition's records as cells, and every replica's log
//! marks (log start, high watermark, log end, segment boundaries).
//!
//! Records come from a reference replica (the leader, or else the replica with the longest log)
//! over a window of at most [`RECORDS_SHOWN_MAX`] offsets. For each record the view says which
//! replicas hold that very record (replicas of a partition share the stored batch, so "holds" is
//! "has the same batch at this offset": a replica that diverged after an unclean election does
//! not count) and whether it is below the leader's high watermark (committed: on every ISR
//! member, and acknowledged to `acks=all` producers).
//!
//! Hooks for colleagues' work: [`LogView::cleaner_point`] (compaction) and
//! [`LogView::group_offsets`] (consumer groups' committed offsets) are filled in by
//! [`with_cleaner_point`] / [`with_group_offsets`] when the engine exposes them; the view
//! already draws them.
//!
//! Pure (no DOM): only `crate::engine` is used.

use std::rc::Rc;

use super::layout::Role;
use super::snapshot::LogMarks;
use crate::engine::log::{Batch, PartitionLog};
use crate::engine::{BrokerId, Cluster};

/// Record cells shown at once.
pub const RECORDS_SHOWN_MAX: i64 = 48;
/// Characters of a key or value shown in a cell (the detail shows up to [`DETAIL_CHARS_MAX`]).
pub const CELL_CHARS_MAX: usize = 24;
pub const DETAIL_CHARS_MAX: usize = 512;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaRow {
    pub broker: BrokerId,
    pub role: Role,
    pub marks: Option<LogMarks>,
    /// Base offsets of the log's segments (the first is the oldest).
    pub segments: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordCell {
    pub offset: i64,
    /// Text of the key (lossy UTF-8, cut at [`DETAIL_CHARS_MAX`]); None for a null key.
    pub key: Option<String>,
    pub value: Option<String>,
    /// A hue (0..360) picked from the key's bytes: records with one key share a colour.
    pub key_hue: Option<u16>,
    pub timestamp_ms: i64,
    pub leader_epoch: i32,
    /// Brokers whose log has this very record, by id.
    pub held_by: Vec<BrokerId>,
    /// Below the leader's high watermark.
    pub committed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogView {
    pub topic: Rc<str>,
    pub partition: i32,
    pub leader: Option<BrokerId>,
    pub leader_epoch: i32,
    pub replicas: Vec<ReplicaRow>,
    /// The broker the record cells were read from.
    pub reference: Option<BrokerId>,
    /// The window shown: offsets `[from, to)`.
    pub from: i64,
    pub to: i64,
    pub records: Vec<RecordCell>,
    /// Lowest log start and highest log end over all replicas (the scale of the marks).
    pub scale_start: i64,
    pub scale_end: i64,
    /// The leader's high watermark (None without a leader).
    pub high_watermark: Option<i64>,
    /// Compaction: offsets below this have been cleaned (hook; None until the engine says).
    pub cleaner_point: Option<i64>,
    /// Consumer groups' committed offsets on this partition (hook; empty until wired).
    pub group_offsets: Vec<(String, i64)>,
}

/// The separator after the key on each output line of `command`, when it is a console consumer
/// printing keys first (`--property print.key=true`, no timestamp, partition, offset or headers
/// before them; `key.separator`, a tab by default) or `kcat -C -K<delimiter>`: the terminal
/// colours those keys as the log view does. A rough reading of the line (words, quotes
/// stripped): a command it misreads only loses its colours.
pub fn keyed_output_separator(command: &str) -> Option<String> {
    let words: Vec<&str> = command.split_whitespace().map(|w| w.trim_matches(|c| c == '\'' || c == '"')).collect();
    let tool = |name: &str| words.iter().any(|w| w.rsplit('/').next().is_some_and(|t| t == name || t == format!("{name}.sh")));
    if tool("kafka-console-consumer") {
        let props: Vec<(&str, &str)> = words.windows(2).filter(|w| w[0] == "--property").filter_map(|w| w[1].split_once('=')).collect();
        let on = |k: &str| props.iter().any(|(name, v)| *name == k && v.trim().eq_ignore_ascii_case("true"));
        let before_key = ["print.timestamp", "print.partition", "print.offset", "print.headers"];
        if !on("print.key") || before_key.iter().any(|k| on(k)) {
            return None;
        }
        let separator = props.iter().rev().find(|(k, _)| *k == "key.separator").map_or("\t", |(_, v)| *v);
        return Some(separator.to_string()).filter(|s| !s.is_empty());
    }
    if tool("kcat") && words.contains(&"-C") {
        let at = words.iter().position(|w| w.starts_with("-K"))?;
        let attached = &words[at][2..];
        let delimiter = if attached.is_empty() { *words.get(at + 1)? } else { attached };
        return Some(delimiter.replace("\\t", "\t").replace("\\n", "\n")).filter(|s| !s.is_empty());
    }
    None
}

/// The key at the start of an output `line` (its length in bytes) and its colour, as the log
/// view colours it; None when the line has no separator. `null` is a null key: no colour, as in
/// the log view.
pub fn key_span(line: &str, separator: &str) -> Option<(usize, Option<u16>)> {
    let (key, _) = line.split_once(separator)?;
    let hue = (key != "null" && !key.is_empty()).then(|| key_hue(key.as_bytes()));
    Some((key.len(), hue))
}

/// FNV-1a over the key's bytes, folded to a hue: stable everywhere (no platform hasher).
pub fn key_hue(key: &[u8]) -> u16 {
    let mut h: u32 = 0x811c_9dc5;
    for b in key {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    u16::try_from(h % 360).expect("below 360")
}

fn text(bytes: Option<&[u8]>) -> Option<String> {
    bytes.map(|b| {
        let s = String::from_utf8_lossy(b);
        if s.chars().count() > DETAIL_CHARS_MAX {
            let mut cut: String = s.chars().take(DETAIL_CHARS_MAX).collect();
            cut.push('…');
            cut
        } else {
            s.into_owned()
        }
    })
}

/// The first `chars_max` characters of `s`, with an ellipsis when cut.
pub fn shorten(s: &str, chars_max: usize) -> String {
    if s.chars().count() <= chars_max {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(chars_max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// The batch holding `offset` in `log`, if any.
fn batch_at(log: &PartitionLog, offset: i64) -> Option<&Rc<Batch>> {
    log.batches_from(offset, offset + 1).next().filter(|b| b.base_offset <= offset && offset < b.next_offset())
}

/// Builds the view of `topic`-`partition`. `window_end`: the window ends there (clamped);
/// None follows the end of the log.
pub fn build(cluster: &Cluster, topic: &str, partition: i32, window_end: Option<i64>) -> Option<LogView> {
    let meta = cluster.topic_meta(topic)?;
    let pm = meta.partitions.get(usize::try_from(partition).ok()?)?;
    let logs: Vec<(BrokerId, Option<&PartitionLog>)> =
        pm.replicas.iter().map(|b| (*b, cluster.replica_log(*b, topic, partition))).collect();
    let replicas: Vec<ReplicaRow> = logs
        .iter()
        .map(|(b, log)| ReplicaRow {
            broker: *b,
            role: match pm.leader {
                None => Role::Offline,
                Some(l) if l == *b => Role::Leader,
                Some(_) if pm.isr.contains(b) => Role::InSync,
                Some(_) => Role::OutOfSync,
            },
            marks: log.map(|l| LogMarks { log_start: l.log_start_offset, high_watermark: l.high_watermark, log_end: l.log_end_offset }),
            segments: log.map(|l| l.segments.iter().map(|s| s.base_offset).collect()).unwrap_or_default(),
        })
        .collect();
    let leader_log = pm.leader.and_then(|l| logs.iter().find(|(b, _)| *b == l)).and_then(|(b, log)| log.map(|log| (*b, log)));
    let reference = leader_log.or_else(|| {
        logs.iter().filter_map(|(b, log)| log.map(|log| (*b, log))).max_by_key(|(b, log)| (log.log_end_offset, std::cmp::Reverse(*b)))
    });
    let high_watermark = leader_log.map(|(_, log)| log.high_watermark);
    let scale_start = replicas.iter().filter_map(|r| r.marks).map(|m| m.log_start).min().unwrap_or(0);
    let scale_end = replicas.iter().filter_map(|r| r.marks).map(|m| m.log_end).max().unwrap_or(0);

    let (mut from, mut to) = (0, 0);
    let mut records = Vec::new();
    if let Some((_, log)) = reference {
        let end = window_end.unwrap_or(log.log_end_offset).clamp(log.log_start_offset, log.log_end_offset);
        to = end;
        from = (end - RECORDS_SHOWN_MAX).max(log.log_start_offset);
        for batch in log.batches_from(from, to) {
            for r in batch.records() {
                if r.offset < from || r.offset >= to {
                    continue;
                }
                let mut held_by: Vec<BrokerId> = logs
                    .iter()
                    .filter(|(_, l)| l.and_then(|l| batch_at(l, r.offset)).is_some_and(|b| Rc::ptr_eq(b, batch)))
                    .map(|(b, _)| *b)
                    .collect();
                held_by.sort();
                records.push(RecordCell {
                    offset: r.offset,
                    key: text(r.key),
                    value: text(r.value),
                    key_hue: r.key.map(key_hue),
                    timestamp_ms: r.timestamp_ms,
                    leader_epoch: r.leader_epoch,
                    held_by,
                    committed: high_watermark.is_some_and(|hw| r.offset < hw),
                });
            }
        }
    }
    debug_assert!(records.len() as i64 <= RECORDS_SHOWN_MAX);
    Some(LogView {
        topic: meta.name.clone(),
        partition,
        leader: pm.leader,
        leader_epoch: pm.leader_epoch,
        replicas,
        reference: reference.map(|(b, _)| b),
        from,
        to,
        records,
        scale_start,
        scale_end,
        high_watermark,
        cleaner_point: None,
        group_offsets: Vec::new(),
    })
}

/// Hook for compaction: marks the cleaner point once the engine exposes it.
pub fn with_cleaner_point(mut view: LogView, cleaner_point: Option<i64>) -> LogView {
    view.cleaner_point = cleaner_point;
    view
}

/// Hook for consumer groups: their committed offsets on this partition.
pub fn with_group_offsets(mut view: LogView, offsets: Vec<(String, i64)>) -> LogView {
    view.group_offsets = offsets;
    view
}
