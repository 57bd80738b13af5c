//! Stable sorting with one copy of the sorting code in the browser bundle.
//!
//! Every `slice::sort_by` call site makes its own copy of std's stable sort (driftsort) for its
//! element type and comparator: about 4 KB of wasm each, and with ~30 call sites in the engine,
//! the shell and the UI that was ~140 KB of the bundle before wasm-opt (`make bench` lists the
//! bundle's largest contributors). In wasm32 these helpers instead sort a permutation of indices
//! (`Vec<usize>`, one copy of std's sort for every caller, the comparator behind a `dyn`) and then
//! apply it with swaps; natively they are std's sort, which is faster.
//!
//! Both are STABLE sorts, and a stable sort's output is fully determined by its input and the
//! comparator (equal elements keep their order), so the two give identical results: the engine's
//! determinism across native and wasm32 does not depend on which one ran. The comparator must be a
//! total order, as std requires too. Unstable sorts are not offered: their order of equal elements
//! is an implementation detail.

use std::cmp::Ordering;

/// `v.sort_by(compare)`, stable.
#[inline]
pub fn sort_by<T, F: FnMut(&T, &T) -> Ordering>(v: &mut [T], mut compare: F) {
    #[cfg(target_arch = "wasm32")]
    by_permutation(v, &mut compare);
    #[cfg(not(target_arch = "wasm32"))]
    v.sort_by(&mut compare);
}

/// `v.sort_by_key(key)`, stable (like std, calls `key` on both sides of every comparison).
#[inline]
pub fn sort_by_key<T, K: Ord, F: FnMut(&T) -> K>(v: &mut [T], mut key: F) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `v.sort()`, stable.
#[inline]
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The wasm32 implementation (compiled everywhere so native tests exercise it): sorts the indices
/// `0..n` by the elements they name, then moves every element to its place.
pub fn by_permutation<T>(v: &mut [T], compare: &mut dyn FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let items: &[T] = v;
        sorted_indices(items.len(), &mut |a, b| compare(&items[a], &items[b]))
    };
    permute(order, &mut |a, b| v.swap(a, b));
}

/// Indices `0..n` in the order a stable sort by `compare` would put their elements.
/// Not generic, and not std's sort: a bottom-up merge sort of a few hundred bytes of wasm, where
/// std's driftsort instance was ~4.5 KB. Stable because a merge takes from the left run unless the
/// right element is strictly smaller. O(n log n) comparisons, one extra buffer of n indices.
#[inline(never)]
fn sorted_indices(n: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut merged: Vec<usize> = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut left, mut right) = (lo, mid);
            for slot in &mut merged[lo..hi] {
                let take_left = left < mid && (right >= hi || compare(order[right], order[left]) != Ordering::Less);
                if take_left {
                    *slot = order[left];
                    left += 1;
                } else {
                    *slot = order[right];
                    right += 1;
                }
            }
            lo = hi;
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

/// Rearranges through `swap` so that position `i` receives the element that was at `order[i]`.
/// Follows each cycle of the permutation once: at most n - 1 swaps.
#[inline(never)]
fn permute(mut order: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    const DONE: usize = usize::MAX;
    for start in 0..order.len() {
        if order[start] == DONE {
            continue;
        }
        // Invariant: the element that was at `start` sits at `current`, waiting for its place;
        // every position of the cycle visited before `current` holds its final element.
        let mut current = start;
        loop {
            let next = order[current];
            debug_assert!(next != DONE, "order is a permutation");
            order[current] = DONE;
            if next == start {
                break;
            }
            swap(current, next);
            current = next;
        }
    }
    debug_assert!(order.iter().all(|&i| i == DONE), "every position was placed");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Rng;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;


    #[test]
    fn permutation_sort_matches_std_stable_sort_with_many_equal_keys() {
        let mut rng = Rng::new(7);
        for n in [0usize, 1, 2, 3, 5, 16, 17, 100, 1000] {
            for keys in [1u64, 3, 50, 1 << 40] {
                // (key, original position): equal keys must keep their positions' order.
                let input: Vec<(u64, usize)> = (0..n).map(|i| (rng.next_u64() % keys, i)).collect();
                let mut expected = input.clone();
                expected.sort_by(|a, b| a.0.cmp(&b.0));
                let mut got = input.clone();
                by_permutation(&mut got, &mut |a: &(u64, usize), b: &(u64, usize)| a.0.cmp(&b.0));
                assert_eq!(got, expected, "n={n} keys={keys}");
                // Already sorted and reversed inputs, the merge's other edge cases.
                for mut run in [expected.clone(), expected.iter().rev().copied().collect::<Vec<_>>()] {
                    let mut want = run.clone();
                    want.sort_by(|a, b| a.0.cmp(&b.0));
                    by_permutation(&mut run, &mut |a: &(u64, usize), b: &(u64, usize)| a.0.cmp(&b.0));
                    assert_eq!(run, want, "n={n} keys={keys} (sorted or reversed input)");
                }
            }
        }
    }

    #[test]
    fn helpers_sort_like_std() {
        let mut v = vec!["b", "a", "c", "a"];
        sort(&mut v);
        assert_eq!(v, ["a", "a", "b", "c"]);
        let mut w = vec![(2, 'x'), (1, 'y'), (2, 'a'), (1, 'b')];
        sort_by_key(&mut w, |p| p.0);
        assert_eq!(w, [(1, 'y'), (1, 'b'), (2, 'x'), (2, 'a')]);
        sort_by(&mut w, |a, b| b.1.cmp(&a.1));
        assert_eq!(w, [(1, 'y'), (2, 'x'), (1, 'b'), (2, 'a')]);
    }
}
