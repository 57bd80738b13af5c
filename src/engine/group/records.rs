//! The records the group coordinator writes into `__consumer_offsets`, in the layout of Kafka's
//! `OffsetCommitKey`/`OffsetCommitValue` and `GroupMetadataKey`/`GroupMetadataValue` (big-endian,
//! a 2-byte schema version first, strings as a 2-byte length and UTF-8, nullable strings with
//! length -1). A null value is a tombstone: the offset (or the group) is deleted, and compaction
//! eventually drops the older records with the same key.
//!
//! The group metadata value keeps what a new coordinator needs to resume a group after failover:
//! generation, protocol, leader and each member's id, client id, host, timeouts, subscribed topics
//! and assignment. (Kafka stores the subscription and assignment as the assignor's opaque bytes; we
//! store them decoded, which is all the simulator ever reads back.)

use super::super::assignor::{Strategy, TopicPartition};

/// Key schema versions, as Kafka numbers them.
pub const OFFSET_KEY_VERSION: i16 = 1;
pub const GROUP_KEY_VERSION: i16 = 2;
pub const OFFSET_VALUE_VERSION: i16 = 3;
pub const GROUP_VALUE_VERSION: i16 = 3;

/// Upper bounds on what a decoder accepts (a corrupt length never allocates unboundedly).
const DECODE_ITEMS_MAX: usize = 1_000_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordKey {
    Offset { group: String, tp: TopicPartition },
    Group { group: String },
}

impl RecordKey {
    pub fn group(&self) -> &str {
        match self {
            RecordKey::Offset { group, .. } | RecordKey::Group { group } => group,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetValue {
    pub offset: i64,
    pub leader_epoch: i32,
    pub metadata: String,
    pub commit_timestamp_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    pub rebalance_timeout_ms: i32,
    pub session_timeout_ms: i32,
    pub topics: Vec<String>,
    pub assignment: Vec<TopicPartition>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupValue {
    pub protocol_type: String,
    pub generation: i32,
    pub protocol: Option<Strategy>,
    pub leader: Option<String>,
    pub current_state_timestamp_ms: i64,
    pub members: Vec<StoredMember>,
}

struct Writer(Vec<u8>);

impl Writer {
    fn i16(&mut self, v: i16) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn str(&mut self, s: &str) {
        let n = s.len().min(i16::MAX as usize);
        self.i16(n as i16);
        self.0.extend_from_slice(&s.as_bytes()[..n]);
    }
    fn nstr(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.i16(-1),
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn i16(&mut self) -> Option<i16> {
        Some(i16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }
    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
    fn nstr(&mut self) -> Option<Option<String>> {
        let n = self.i16()?;
        if n < 0 {
            return Some(None);
        }
        let s = self.take(n as usize)?;
        Some(Some(String::from_utf8_lossy(s).into_owned()))
    }
    fn str(&mut self) -> Option<String> {
        self.nstr()?
    }
    fn count(&mut self) -> Option<usize> {
        let n = self.i32()?;
        if n < 0 || n as usize > DECODE_ITEMS_MAX {
            return None;
        }
        Some(n as usize)
    }
}

pub fn encode_key(key: &RecordKey) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(64));
    match key {
        RecordKey::Offset { group, tp } => {
            w.i16(OFFSET_KEY_VERSION);
            w.str(group);
            w.str(&tp.topic);
            w.i32(tp.partition);
        }
        RecordKey::Group { group } => {
            w.i16(GROUP_KEY_VERSION);
            w.str(group);
        }
    }
    w.0
}

pub fn decode_key(b: &[u8]) -> Option<RecordKey> {
    let mut r = Reader { b, pos: 0 };
    match r.i16()? {
        0 | 1 => {
            let group = r.str()?;
            let topic = r.str()?;
            let partition = r.i32()?;
            Some(RecordKey::Offset { group, tp: TopicPartition { topic, partition } })
        }
        2 => Some(RecordKey::Group { group: r.str()? }),
        _ => None,
    }
}

pub fn encode_offset(v: &OffsetValue) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(32));
    w.i16(OFFSET_VALUE_VERSION);
    w.i64(v.offset);
    w.i32(v.leader_epoch);
    w.str(&v.metadata);
    w.i64(v.commit_timestamp_ms);
    w.0
}

pub fn decode_offset(b: &[u8]) -> Option<OffsetValue> {
    let mut r = Reader { b, pos: 0 };
    if r.i16()? != OFFSET_VALUE_VERSION {
        return None;
    }
    Some(OffsetValue { offset: r.i64()?, leader_epoch: r.i32()?, metadata: r.str()?, commit_timestamp_ms: r.i64()? })
}

pub fn encode_group(v: &GroupValue) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(128));
    w.i16(GROUP_VALUE_VERSION);
    w.str(&v.protocol_type);
    w.i32(v.generation);
    w.nstr(v.protocol.map(|s| s.name()));
    w.nstr(v.leader.as_deref());
    w.i64(v.current_state_timestamp_ms);
    w.i32(v.members.len() as i32);
    for m in &v.members {
        w.str(&m.member_id);
        w.nstr(m.group_instance_id.as_deref());
        w.str(&m.client_id);
        w.str(&m.client_host);
        w.i32(m.rebalance_timeout_ms);
        w.i32(m.session_timeout_ms);
        w.i32(m.topics.len() as i32);
        for t in &m.topics {
            w.str(t);
        }
        w.i32(m.assignment.len() as i32);
        for tp in &m.assignment {
            w.str(&tp.topic);
            w.i32(tp.partition);
        }
    }
    w.0
}

pub fn decode_group(b: &[u8]) -> Option<GroupValue> {
    let mut r = Reader { b, pos: 0 };
    if r.i16()? != GROUP_VALUE_VERSION {
        return None;
    }
    let protocol_type = r.str()?;
    let generation = r.i32()?;
    let protocol = match r.nstr()? {
        Some(n) => Some(Strategy::from_name(&n).ok()?),
        None => None,
    };
    let leader = r.nstr()?;
    let current_state_timestamp_ms = r.i64()?;
    let n = r.count()?;
    let mut members = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        let member_id = r.str()?;
        let group_instance_id = r.nstr()?;
        let client_id = r.str()?;
        let client_host = r.str()?;
        let rebalance_timeout_ms = r.i32()?;
        let session_timeout_ms = r.i32()?;
        let nt = r.count()?;
        let mut topics = Vec::with_capacity(nt.min(1024));
        for _ in 0..nt {
            topics.push(r.str()?);
        }
        let na = r.count()?;
        let mut assignment = Vec::with_capacity(na.min(1024));
        for _ in 0..na {
            let topic = r.str()?;
            let partition = r.i32()?;
            assignment.push(TopicPartition { topic, partition });
        }
        members.push(StoredMember { member_id, group_instance_id, client_id, client_host, rebalance_timeout_ms, session_timeout_ms, topics, assignment });
    }
    Some(GroupValue { protocol_type, generation, protocol, leader, current_state_timestamp_ms, members })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn offset_records_round_trip_in_kafka_layout() {
        let key = RecordKey::Offset { group: "g".into(), tp: TopicPartition::new("t", 7) };
        let kb = encode_key(&key);
        // version 1, "g", "t", partition 7
        assert_eq!(kb, vec![0, 1, 0, 1, b'g', 0, 1, b't', 0, 0, 0, 7]);
        assert_eq!(decode_key(&kb), Some(key));
        let v = OffsetValue { offset: 42, leader_epoch: -1, metadata: String::new(), commit_timestamp_ms: 1000 };
        assert_eq!(decode_offset(&encode_offset(&v)), Some(v));
    }

    #[test]
    fn group_records_round_trip_and_garbage_decodes_to_none() {
        let v = GroupValue {
            protocol_type: "consumer".into(),
            generation: 3,
            protocol: Some(Strategy::Range),
            leader: Some("a-1".into()),
            current_state_timestamp_ms: 5,
            members: vec![StoredMember {
                member_id: "a-1".into(),
                group_instance_id: None,
                client_id: "a".into(),
                client_host: "/127.0.0.1".into(),
                rebalance_timeout_ms: 300_000,
                session_timeout_ms: 45_000,
                topics: vec!["t".into()],
                assignment: vec![TopicPartition::new("t", 0)],
            }],
        };
        assert_eq!(decode_group(&encode_group(&v)), Some(v));
        assert_eq!(decode_group(&[0, 3, 0xff]), None);
        assert_eq!(decode_key(&[0, 9]), None);
        assert_eq!(decode_offset(&[]), None);
    }
}
