//! Deterministic workloads shared by the benchmarks (native `examples/bench_engine.rs` and the
//! browser `tests/wasm_bench.rs`), so that both measure exactly the same work. The engine does not
//! time anything (no clocks here): callers time each phase.
//!
//! The workload: 3 brokers, a topic with 3 partitions, RF 3, `min.insync.replicas=2`, one producer
//! with acks=all, linger.ms=5, batch.size=16384, N records (8-byte key, 100-byte value), then every
//! record fetched back from the leaders.

use super::msg::FetchRequest;
use super::cluster::{Cluster, ClusterConfig};
use super::controller::NewTopic;
use super::error::KafkaError;
use super::producer::{ProducerConfig, ProducerId, ProducerRecord, SendResult};

pub const TOPIC: &str = "bench";
pub const PARTITIONS: i32 = 3;
pub const VALUE_BYTES: usize = 100;
/// Records sent between two 10 ms advances of simulated time.
const SEND_CHUNK_RECORDS: usize = 20_000;

pub struct ProduceFetch {
    pub cluster: Cluster,
    producer: ProducerId,
    pub records: usize,
}

impl ProduceFetch {
    /// The cluster and topic, ready to produce `records`.
    pub fn setup(records: usize) -> Result<ProduceFetch, KafkaError> {
        let mut cluster = Cluster::new(ClusterConfig { brokers: 3, seed: 1, broker_overrides: Vec::new(), track_invariants: false })?;
        cluster.set_events_enabled(false);
        cluster.create_topic(NewTopic::new(TOPIC, PARTITIONS, 3).config("min.insync.replicas", "2"))?;
        let producer = cluster.create_producer(ProducerConfig { acks: -1, linger_ms: 5, batch_size: 16_384, ..Default::default() })?;
        Ok(ProduceFetch { cluster, producer, records })
    }

    /// Produces every record with acks=all and waits for the acknowledgements; returns how many
    /// were acknowledged.
    pub fn produce(&mut self) -> Result<usize, KafkaError> {
        let c = &mut self.cluster;
        let value = [b'x'; VALUE_BYTES];
        let mut acked = 0usize;
        let mut sent = 0;
        while sent < self.records {
            let m = SEND_CHUNK_RECORDS.min(self.records - sent);
            for i in sent..sent + m {
                let key = (i as u64).to_le_bytes().to_vec();
                let rec = ProducerRecord { topic: TOPIC.into(), key: Some(key), value: Some(value.to_vec()), ..Default::default() };
                c.send(self.producer, rec)?;
            }
            sent += m;
            c.advance(10);
            acked += c.take_send_results(self.producer).iter().filter(|(_, r)| matches!(r, SendResult::Delivered { .. })).count();
        }
        c.flush(self.producer)?;
        acked += c.take_send_results(self.producer).iter().filter(|(_, r)| matches!(r, SendResult::Delivered { .. })).count();
        c.advance(1_000);
        Ok(acked)
    }

    /// Fetches every record back from the partition leaders; returns (records, value bytes).
    pub fn fetch(&self) -> Result<(usize, u64), KafkaError> {
        let mut fetched = 0usize;
        let mut value_bytes = 0u64;
        for part in 0..PARTITIONS {
            let mut offset = 0;
            loop {
                let f = self.cluster.fetch(&FetchRequest { max_bytes: 1 << 20, ..FetchRequest::new(TOPIC, part, offset) })?;
                let k = f.record_count();
                if k == 0 {
                    break;
                }
                for r in f.records() {
                    value_bytes += r.value.map_or(0, |v| v.len() as u64);
                }
                fetched += k;
                offset = f.end_offset;
            }
        }
        Ok((fetched, value_bytes))
    }
}
