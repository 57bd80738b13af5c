//! Replica placement: Kafka's classic rack-unaware algorithm
//! (`AdminUtils.assignReplicasToBrokersRackUnaware`): the first replica of each partition goes
//! round-robin over the broker list from a random start index; the others follow with a shift
//! that grows by one every time the partition id wraps the broker count.

/// Assignment of `n_partitions` partitions starting at `start_partition_id`.
/// `brokers` must be sorted and non-empty, `1 <= replication_factor <= brokers.len()`.
pub fn assign_rack_unaware(
    brokers: &[i32],
    n_partitions: i32,
    replication_factor: i32,
    start_index: usize,
    replica_shift: usize,
    start_partition_id: i32,
) -> Vec<Vec<i32>> {
    let n = brokers.len();
    debug_assert!(n > 0 && replication_factor >= 1 && replication_factor as usize <= n);
    if n == 0 || n_partitions <= 0 || replication_factor <= 0 || replication_factor as usize > n {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(n_partitions as usize);
    let mut current = start_partition_id.max(0) as usize;
    let mut shift = replica_shift;
    for _ in 0..n_partitions {
        if current > 0 && current % n == 0 {
            shift += 1;
        }
        let first = (current + start_index) % n;
        let mut replicas = Vec::with_capacity(replication_factor as usize);
        replicas.push(brokers[first]);
        for j in 0..(replication_factor as usize - 1) {
            replicas.push(brokers[replica_index(first, shift, j, n)]);
        }
        out.push(replicas);
        current += 1;
    }
    out
}

fn replica_index(first: usize, shift: usize, j: usize, n: usize) -> usize {
    if n <= 1 {
        return first;
    }
    let s = 1 + (shift + j) % (n - 1);
    (first + s) % n
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn placement_reproduces_the_tutorial_account_event_table() {
        let a = assign_rack_unaware(&[1, 2, 3], 120, 3, 1, 0, 0);
        assert_eq!(a.len(), 120);
        assert_eq!(a[0], vec![2, 3, 1]);
        assert_eq!(a[1], vec![3, 1, 2]);
        assert_eq!(a[2], vec![1, 2, 3]);
        assert_eq!(a[3], vec![2, 1, 3]);
        assert_eq!(a[4], vec![3, 2, 1]);
        assert_eq!(a[5], vec![1, 3, 2]);
        assert_eq!(a[6], vec![2, 3, 1]);
    }

    #[test]
    fn placement_matches_the_adminutils_javadoc_example() {
        // Five brokers 0..4, start index 0, shift 0 (javadoc table of AdminUtils).
        let a = assign_rack_unaware(&[0, 1, 2, 3, 4], 10, 3, 0, 0, 0);
        assert_eq!(a[0], vec![0, 1, 2]);
        assert_eq!(a[4], vec![4, 0, 1]);
        assert_eq!(a[5], vec![0, 2, 3]);
        assert_eq!(a[9], vec![4, 1, 2]);
    }

    #[test]
    fn added_partitions_continue_the_sequence() {
        let all = assign_rack_unaware(&[1, 2, 3], 6, 3, 1, 1, 0);
        let more = assign_rack_unaware(&[1, 2, 3], 3, 3, 1, 1, 3);
        assert_eq!(&all[3..], &more[..]);
    }
}
