//! Replica placement as a KRaft controller does it: Kafka 3.9's `StripedReplicaPlacer`
//! (`metadata/.../placement/StripedReplicaPlacer.java`), for a cluster without racks.
//!
//! Unfenced and fenced brokers are kept in two sorted lists, each with a random starting offset.
//! Every partition starts a new iteration epoch, which moves a list's offset on by one the first
//! time the list is read in that epoch; replicas are then taken in order from that offset. So on
//! a healthy 3-broker cluster partitions get `1,2,3 / 2,3,1 / 3,1,2` (from a random start), and
//! after as many partitions as there are unfenced brokers both lists are shuffled and the epoch
//! restarts. The leader (first replica) is always unfenced; fenced brokers get replicas only when
//! the unfenced ones run out. Kafka's `Random` is unseeded; here the cluster's seeded RNG draws.

use super::rng::Rng;

/// One broker list of the placer: sorted ids, a rotating offset and the epoch it was last read in.
struct BrokerList {
    brokers: Vec<i32>,
    index: usize,
    offset: usize,
    epoch: usize,
}

impl BrokerList {
    fn new(mut brokers: Vec<i32>, rng: &mut Rng) -> BrokerList {
        brokers.sort_unstable();
        let offset = if brokers.is_empty() { 0 } else { rng.below(brokers.len() as u64) as usize };
        BrokerList { brokers, index: 0, offset, epoch: 0 }
    }

    /// The next broker of `epoch`, or None when this list has given all of its brokers.
    fn next(&mut self, epoch: usize) -> Option<i32> {
        let n = self.brokers.len();
        if n == 0 {
            return None;
        }
        if self.epoch != epoch {
            self.epoch = epoch;
            self.index = 0;
            self.offset = (self.offset + 1) % n;
        }
        if self.index >= n {
            return None;
        }
        let broker = self.brokers[(self.index + self.offset) % n];
        self.index += 1;
        Some(broker)
    }

    /// `Collections.shuffle`: Fisher-Yates from the end.
    fn shuffle(&mut self, rng: &mut Rng) {
        for i in (1..self.brokers.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            self.brokers.swap(i, j);
        }
    }
}

/// Why a placement is impossible, in Kafka's words (the caller adds "Unable to replicate ...").
pub fn placement_error(usable: &[(i32, bool)], replication_factor: i32) -> Option<String> {
    if replication_factor <= 0 {
        return Some(format!("Invalid replication factor {replication_factor}: the replication factor must be positive."));
    }
    if usable.iter().all(|(_, fenced)| *fenced) {
        return Some("All brokers are currently fenced.".to_string());
    }
    if replication_factor as usize > usable.len() {
        return Some(format!(
            "The target replication factor of {replication_factor} cannot be reached because only {} broker(s) are registered.",
            usable.len()
        ));
    }
    None
}

/// Places `n_partitions` partitions of `replication_factor` replicas over `usable` brokers
/// (id, fenced). None when [`placement_error`] has a reason.
pub fn place_striped(usable: &[(i32, bool)], n_partitions: i32, replication_factor: i32, rng: &mut Rng) -> Option<Vec<Vec<i32>>> {
    if placement_error(usable, replication_factor).is_some() {
        return None;
    }
    let pick = |fenced: bool| usable.iter().filter(|(_, f)| *f == fenced).map(|(b, _)| *b).collect::<Vec<i32>>();
    // Kafka initializes the fenced list before the unfenced one.
    let mut fenced = BrokerList::new(pick(true), rng);
    let mut unfenced = BrokerList::new(pick(false), rng);
    let n_unfenced = unfenced.brokers.len();
    let mut epoch = 0;
    let mut out = Vec::with_capacity(n_partitions.max(0) as usize);
    for _ in 0..n_partitions {
        // A new cyclic order after every block; never for one unfenced broker (it would loop).
        if epoch == n_unfenced && n_unfenced > 1 {
            fenced.shuffle(rng);
            unfenced.shuffle(rng);
            epoch = 0;
        }
        let mut replicas = Vec::with_capacity(replication_factor as usize);
        replicas.extend(unfenced.next(epoch));
        while replicas.len() < replication_factor as usize {
            match unfenced.next(epoch).or_else(|| fenced.next(epoch)) {
                Some(b) => replicas.push(b),
                None => return None,
            }
        }
        out.push(replicas);
        epoch += 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn healthy(ids: &[i32]) -> Vec<(i32, bool)> {
        ids.iter().map(|b| (*b, false)).collect()
    }

    /// Rotations of one cyclic order of `n` brokers, block by block.
    fn assert_striped_blocks(a: &[Vec<i32>], n: usize) {
        for block in a.chunks(n) {
            let order = &block[0];
            for (k, replicas) in block.iter().enumerate() {
                let rotated: Vec<i32> = (0..replicas.len()).map(|j| order[(j + k) % n]).collect();
                assert_eq!(replicas, &rotated, "block {block:?}");
            }
        }
    }

    #[test]
    fn striped_placement_on_a_healthy_three_broker_cluster_rotates_one_order_per_block() {
        for seed in 0..50 {
            let mut rng = Rng::new(seed);
            let a = place_striped(&healthy(&[1, 2, 3]), 12, 3, &mut rng).expect("placed");
            assert_eq!(a.len(), 12);
            assert_striped_blocks(&a, 3);
            for replicas in &a {
                let mut sorted = replicas.clone();
                sorted.sort();
                assert_eq!(sorted, vec![1, 2, 3], "seed {seed}");
            }
        }
    }

    #[test]
    fn striped_placement_first_block_is_consecutive_from_the_random_start() {
        // The unfenced list starts at a random offset o; partition p of the first block begins
        // at broker o+p (epoch 0 does not move the offset).
        let mut rng = Rng::new(7);
        let a = place_striped(&healthy(&[1, 2, 3]), 3, 2, &mut rng).expect("placed");
        let start = a[0][0];
        let next = |b: i32| b % 3 + 1;
        assert_eq!(a[0], vec![start, next(start)]);
        assert_eq!(a[1], vec![next(start), next(next(start))]);
        assert_eq!(a[2][0], next(next(start)));
    }

    #[test]
    fn fenced_brokers_four_and_five_never_lead_and_get_replicas_only_when_needed() {
        let usable = [(1, false), (2, false), (3, false), (4, true), (5, true)];
        for seed in 0..50 {
            let mut rng = Rng::new(seed);
            let a = place_striped(&usable, 6, 3, &mut rng).expect("placed");
            for replicas in &a {
                assert!(replicas.iter().all(|b| *b <= 3), "seed {seed}: {replicas:?}");
            }
            let a = place_striped(&usable, 50, 4, &mut rng).expect("placed");
            for replicas in &a {
                assert!(replicas[0] <= 3 && replicas[..3].iter().all(|b| *b <= 3), "seed {seed}: {replicas:?}");
                assert!(replicas[3] >= 4, "seed {seed}: {replicas:?}");
            }
        }
    }

    #[test]
    fn placement_errors_use_kafkas_words() {
        assert_eq!(placement_error(&[(1, true), (2, true)], 1).as_deref(), Some("All brokers are currently fenced."));
        assert_eq!(
            placement_error(&healthy(&[1, 2]), 3).as_deref(),
            Some("The target replication factor of 3 cannot be reached because only 2 broker(s) are registered.")
        );
        assert_eq!(placement_error(&healthy(&[1]), 1), None);
        let mut rng = Rng::new(1);
        assert_eq!(place_striped(&healthy(&[1]), 3, 1, &mut rng), Some(vec![vec![1], vec![1], vec![1]]));
    }
}
