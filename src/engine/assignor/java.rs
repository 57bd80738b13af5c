//! The few Java library behaviours Kafka's results depend on: `String.hashCode`, `String.compareTo`,
//! `Utils.abs`, and the iteration order of `java.util` hash maps and hash sets.
//!
//! A Java hash map iterates its table bucket by bucket, bucket index = `(h ^ (h >>> 16)) &
//! (capacity - 1)`; inside one bucket, entries keep their insertion order, also across resizes (a
//! resize splits each bucket into two lists without reordering). The capacity starts at 16 and
//! doubles whenever the size exceeds 3/4 of it; it never shrinks on removal. We do not emulate
//! tree bins (8+ colliding entries in one bucket of a table of at least 64), which need crafted
//! hash collisions.

use std::cmp::Ordering;

/// Java `String.hashCode()`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, wrapping.
pub fn java_string_hash_code(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(i32::from(unit)))
}

/// Java `String.compareTo`: lexicographic over UTF-16 code units. This differs from Rust's `str`
/// order only for characters above U+FFFF against U+E000..=U+FFFF.
pub fn java_string_cmp(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Kafka's `Utils.abs`: `i32::MIN` maps to 0 rather than overflowing.
pub fn kafka_abs(n: i32) -> i32 {
    if n == i32::MIN {
        0
    } else {
        n.abs()
    }
}

/// The `__consumer_offsets` partition whose leader coordinates `group_id`:
/// `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions` (default 50). A non-positive
/// partition count (which Kafka's config validation rejects) is treated as 1.
pub fn coordinator_partition(group_id: &str, offsets_partitions: i32) -> i32 {
    let n = offsets_partitions.max(1);
    kafka_abs(java_string_hash_code(group_id)) % n
}

/// `java.util` hash spreading: the key's hash code with its high half folded into the low half.
pub fn spread(hash: i32) -> u32 {
    let h = hash as u32;
    h ^ (h >> 16)
}

/// The capacity of a Java hash map created with the default constructor after `len` insertions.
pub fn default_capacity_for(len: usize) -> usize {
    let mut capacity = 16usize;
    while len > capacity / 4 * 3 {
        capacity *= 2;
    }
    capacity
}

/// Iteration order of a Java hash map created with the default constructor and filled with `hashes` in
/// order: returns the insertion indexes in iteration order.
pub fn hash_map_order(hashes: &[i32]) -> Vec<usize> {
    let mask = default_capacity_for(hashes.len()) - 1;
    let mut order: Vec<usize> = (0..hashes.len()).collect();
    // Stable: same-bucket entries keep their insertion order.
    order.sort_by_key(|&i| spread(hashes[i]) as usize & mask);
    order
}

/// A Java hash set reduced to what the sticky assignor needs from it: membership, size, and which
/// element `iterator().next()` returns.
#[derive(Clone, Debug)]
pub struct JavaBucketSet<T> {
    /// (element, its hash, insertion sequence number)
    entries: Vec<(T, i32, u64)>,
    capacity: usize,
    sequence_next: u64,
}

impl<T: PartialEq + Clone> JavaBucketSet<T> {
    pub fn new() -> Self {
        JavaBucketSet { entries: Vec::new(), capacity: 16, sequence_next: 0 }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn insert(&mut self, value: T, hash: i32) -> bool {
        if self.entries.iter().any(|(v, _, _)| *v == value) {
            return false;
        }
        self.entries.push((value, hash, self.sequence_next));
        self.sequence_next += 1;
        if self.entries.len() > self.capacity / 4 * 3 {
            self.capacity *= 2;
        }
        true
    }

    pub fn remove(&mut self, value: &T) -> bool {
        match self.entries.iter().position(|(v, _, _)| v == value) {
            Some(i) => {
                self.entries.remove(i);
                true
            }
            None => false,
        }
    }

    /// The element a fresh iterator returns first.
    pub fn first(&self) -> Option<&T> {
        let mask = self.capacity - 1;
        self.entries
            .iter()
            .min_by_key(|(_, h, seq)| (spread(*h) as usize & mask, *seq))
            .map(|(v, _, _)| v)
    }
}

impl<T: PartialEq + Clone> Default for JavaBucketSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// `TopicPartition.hashCode()`: `31 * (31 + partition) + topic.hashCode()`, wrapping.
pub fn topic_partition_hash(topic_hash: i32, partition: i32) -> i32 {
    31i32.wrapping_mul(31i32.wrapping_add(partition)).wrapping_add(topic_hash)
}
