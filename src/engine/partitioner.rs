//! Partitioners: Kafka's murmur2 (Java producer), librdkafka's crc32 `consistent_random` (kcat),
//! an xxHash partitioner (to show allocation is pluggable), and the built-in uniform sticky
//! partitioner for null keys (KIP-794, Kafka 3.3+).

use super::rng::Rng;

/// Which partitioner a producer uses. `Default` is the Java producer's built-in behaviour:
/// murmur2 for keyed records, uniform sticky for null keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PartitionerKind {
    /// Java 3.3+ default: murmur2 for keys, built-in uniform sticky for null keys.
    Default,
    /// `UniformStickyPartitioner`: sticky for every record, keys ignored.
    UniformSticky,
    /// `RoundRobinPartitioner`: next available partition per record, keys ignored.
    RoundRobin,
    /// murmur2 for keys (same as Default for keyed records); null keys sticky.
    Murmur2,
    /// librdkafka's default `consistent_random`: crc32(key) % partitions, random for null keys.
    ConsistentRandom,
    /// xxh64(key, seed 0) % partitions; null keys sticky.
    Xxhash,
}

/// Kafka's `Utils.murmur2` (seed 0x9747b28c), bit-exact with Java's signed 32-bit arithmetic.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let length = data.len() as u32;
    let mut h: u32 = SEED ^ length;
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    match tail.len() {
        3 => {
            h ^= (tail[2] as u32) << 16;
            h ^= (tail[1] as u32) << 8;
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        2 => {
            h ^= (tail[1] as u32) << 8;
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        1 => {
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        _ => {}
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// `Utils.toPositive`: masks the sign bit (NOT `abs`).
pub fn to_positive(n: i32) -> i32 {
    n & 0x7fff_ffff
}

/// The Java producer's partition for a keyed record: `toPositive(murmur2(key)) % numPartitions`.
pub fn murmur2_partition(key: &[u8], num_partitions: i32) -> i32 {
    debug_assert!(num_partitions > 0);
    if num_partitions <= 0 {
        return 0;
    }
    to_positive(murmur2(key)) % num_partitions
}

/// CRC-32 (IEEE 802.3, as zlib and librdkafka's `rd_crc32`).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc: u32 = 0xffff_ffff;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

/// librdkafka `consistent_random` for a non-null key: `crc32(key) % partition_cnt`.
pub fn crc32_partition(key: &[u8], num_partitions: i32) -> i32 {
    if num_partitions <= 0 {
        return 0;
    }
    (crc32(key) % num_partitions as u32) as i32
}

/// xxh64(key, seed 0) modulo the partition count.
pub fn xxhash_partition(key: &[u8], num_partitions: i32) -> i32 {
    if num_partitions <= 0 {
        return 0;
    }
    (twox_hash::XxHash64::oneshot(0, key) % num_partitions as u64) as i32
}

/// State of the built-in uniform sticky partitioner for one topic (`BuiltInPartitioner`).
#[derive(Clone, Debug, Default)]
pub struct StickyState {
    /// The partition keyless records currently stick to (None until first use).
    pub current: Option<i32>,
    /// Bytes produced to `current` since it was chosen.
    pub produced_bytes: u64,
    /// Round-robin counter for `RoundRobin`.
    pub round_robin: u64,
}

impl StickyState {
    /// The sticky partition, choosing a new one if none yet: uniformly random among `available`
    /// (partitions with a leader), or among all partitions when none is available.
    pub fn peek(&mut self, rng: &mut Rng, available: &[i32], num_partitions: i32) -> i32 {
        if let Some(p) = self.current {
            if p < num_partitions {
                return p;
            }
        }
        let p = Self::random_partition(rng, available, num_partitions);
        self.current = Some(p);
        self.produced_bytes = 0;
        p
    }

    fn random_partition(rng: &mut Rng, available: &[i32], num_partitions: i32) -> i32 {
        // Java: Utils.toPositive(random.nextInt()) % size.
        let r = to_positive(rng.next_u32() as i32) as u64;
        if available.is_empty() {
            (r % num_partitions.max(1) as u64) as i32
        } else {
            available[(r % available.len() as u64) as usize]
        }
    }

    /// After appending `bytes` to the sticky partition: switch once `batch_size` bytes were
    /// produced and the batch is ready (`switch_enabled`), and always at 2x `batch_size`.
    pub fn update(
        &mut self,
        rng: &mut Rng,
        bytes: u64,
        batch_size: u64,
        switch_enabled: bool,
        available: &[i32],
        num_partitions: i32,
    ) {
        self.produced_bytes += bytes;
        if (self.produced_bytes >= batch_size && switch_enabled) || self.produced_bytes >= batch_size * 2 {
            let p = Self::random_partition(rng, available, num_partitions);
            self.current = Some(p);
            self.produced_bytes = 0;
        }
    }

    /// `RoundRobinPartitioner`: next partition among the available ones (all if none).
    pub fn round_robin(&mut self, available: &[i32], num_partitions: i32) -> i32 {
        let n = self.round_robin;
        self.round_robin = self.round_robin.wrapping_add(1);
        if available.is_empty() {
            (n % num_partitions.max(1) as u64) as i32
        } else {
            available[(n % available.len() as u64) as usize]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn murmur2_matches_kafka_utils_test_vectors() {
        assert_eq!(murmur2(b"21"), -973932308);
        assert_eq!(murmur2(b"foobar"), -790332482);
        assert_eq!(murmur2(b"a-little-bit-long-string"), -985981536);
        assert_eq!(murmur2(b"a-little-bit-longer-string"), -1486304829);
        assert_eq!(murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
        assert_eq!(murmur2(&[b'a', b'b', b'c']), 479470107);
    }

    #[test]
    fn murmur2_partitions_match_reference_table() {
        let table: [(&str, i32, i32, i32); 10] = [
            ("key", -1079937367, 1, 1),
            ("key1", 28543940, 2, 2),
            ("key2", 1674751211, 2, 5),
            ("key3", -1745673403, 1, 1),
            ("a", -1563381124, 1, 4),
            ("b", -1853091852, 2, 2),
            ("c", -1877468854, 1, 4),
            ("user1", 1619149554, 0, 0),
            ("alice", 1951417749, 0, 3),
            ("bob", -2048144690, 0, 0),
        ];
        for (key, hash, p3, p6) in table {
            assert_eq!(murmur2(key.as_bytes()), hash, "{key}");
            assert_eq!(murmur2_partition(key.as_bytes(), 3), p3, "{key}");
            assert_eq!(murmur2_partition(key.as_bytes(), 6), p6, "{key}");
        }
    }

    #[test]
    fn crc32_is_the_ieee_checksum() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32_partition(b"123456789", 7), (0xcbf4_3926u32 % 7) as i32);
    }

    #[test]
    fn sticky_partitioner_keeps_a_few_small_records_on_one_partition() {
        let mut rng = Rng::new(3);
        let mut st = StickyState::default();
        let avail = [0, 1, 2, 3, 4, 5];
        let first = st.peek(&mut rng, &avail, 6);
        for _ in 0..20 {
            let p = st.peek(&mut rng, &avail, 6);
            assert_eq!(p, first);
            st.update(&mut rng, 80, 16384, true, &avail, 6);
        }
        // After >= 2x batch.size bytes it must have switched at least once.
        let mut switched = false;
        for _ in 0..1000 {
            st.update(&mut rng, 100, 16384, false, &avail, 6);
            if st.current != Some(first) {
                switched = true;
            }
        }
        assert!(switched);
    }
}
