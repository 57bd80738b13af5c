//! A small ordered map: a `Vec` of pairs kept sorted by key.
//!
//! Why not `BTreeMap`: std's B-tree is generic code (node splitting, merging and stealing on
//! removal, entry handles) that the compiler copies for every key/value type, about 4 to 9 KB of
//! wasm each; with ~90 map and set types that was the largest area of the browser bundle (`make
//! bench` lists it). This map's code is a binary search plus `Vec::insert`/`Vec::remove`, a few
//! hundred bytes per type.
//!
//! Use it for maps that stay small (brokers, topics, partitions, groups, members, in-flight
//! requests: thousands of entries at most): insertion and removal move the tail of the vector, so
//! they cost O(n). Lookups are a binary search, as fast as the B-tree's. The engine and the shell
//! use no `BTreeMap` at all outside tests: logs and indexes are vectors, and per-record keys (the
//! cleaner's invariant check) are sorted vectors built in one pass.
//!
//! Iteration is in ascending key order, exactly as `BTreeMap`'s, so swapping one for the other
//! changes no output and no simulation: determinism does not depend on which map a field uses.

use std::borrow::Borrow;
use std::fmt;

/// An ordered map with `BTreeMap`'s API (the parts the engine uses) over a sorted `Vec`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VecMap<K, V> {
    /// Invariant: strictly ascending by key (no two equal keys).
    entries: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap { entries: Vec::new() }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries.iter().map(|(k, v)| (k, v))).finish()
    }
}

impl<K, V> VecMap<K, V> {
    pub const fn new() -> Self {
        VecMap { entries: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&K, &mut V)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = K> + ExactSizeIterator {
        self.entries.into_iter().map(|(k, _)| k)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| v)
    }

    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.entries.last().map(|(k, v)| (k, v))
    }

    pub fn pop_first(&mut self) -> Option<(K, V)> {
        if self.entries.is_empty() {
            None
        } else {
            Some(self.entries.remove(0))
        }
    }

    pub fn pop_last(&mut self) -> Option<(K, V)> {
        self.entries.pop()
    }

    /// Keeps the entries for which `keep` is true, in order (like `BTreeMap::retain`).
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord, V> VecMap<K, V> {
    /// `Ok(index)` of `key`, or `Err(index)` where it would be inserted.
    fn find<Q: ?Sized + Ord>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        #[cfg(target_arch = "wasm32")]
        return search(self.entries.len(), &mut |i| self.entries[i].0.borrow().cmp(key));
        #[cfg(not(target_arch = "wasm32"))]
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: ?Sized + Ord>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_key_value<Q: ?Sized + Ord>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| (&self.entries[i].0, &self.entries[i].1))
    }

    pub fn get_mut<Q: ?Sized + Ord>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        match self.find(key) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    pub fn contains_key<Q: ?Sized + Ord>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Like `BTreeMap::insert`: replaces the value (keeping the stored key) and returns the old one.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: ?Sized + Ord>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        match self.find(key) {
            Ok(i) => Some(self.entries.remove(i).1),
            Err(_) => None,
        }
    }

    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        match self.find(&key) {
            Ok(index) => Entry::Occupied(OccupiedEntry { map: self, index }),
            Err(index) => Entry::Vacant(VacantEntry { map: self, index, key }),
        }
    }
}

/// Binary search over `len` strictly ascending positions; `compare(i)` orders position `i` against
/// the key sought. `Ok(i)` where it is equal, else `Err(i)` where the key would be inserted: with
/// distinct keys the same answer as `slice::binary_search_by`. Written once for every map and
/// set type (the comparison behind a `dyn`): `binary_search_by` was copied for each of ~70
/// key/value types in the browser bundle. Natively the maps use `binary_search_by`, which is
/// faster (as `sort` does with std's sort); compiled everywhere so native tests exercise it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[inline(never)]
fn search(len: usize, compare: &mut dyn FnMut(usize) -> std::cmp::Ordering) -> Result<usize, usize> {
    use std::cmp::Ordering;
    // Invariant: positions below `low` order Less, positions at or above `high` order Greater.
    let (mut low, mut high) = (0usize, len);
    while low < high {
        let mid = low + (high - low) / 2;
        match compare(mid) {
            Ordering::Less => low = mid + 1,
            Ordering::Greater => high = mid,
            Ordering::Equal => return Ok(mid),
        }
    }
    debug_assert!(low == high && low <= len);
    Err(low)
}

/// `BTreeMap`'s entry API, for the calls the engine makes.
pub enum Entry<'a, K, V> {
    Occupied(OccupiedEntry<'a, K, V>),
    Vacant(VacantEntry<'a, K, V>),
}

pub struct OccupiedEntry<'a, K, V> {
    map: &'a mut VecMap<K, V>,
    index: usize,
}

pub struct VacantEntry<'a, K, V> {
    map: &'a mut VecMap<K, V>,
    /// Where the key goes to keep the entries sorted.
    index: usize,
    key: K,
}

impl<'a, K, V> Entry<'a, K, V> {
    pub fn or_insert(self, default: V) -> &'a mut V {
        self.or_insert_with(|| default)
    }

    pub fn or_insert_with(self, default: impl FnOnce() -> V) -> &'a mut V {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(default()),
        }
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    pub fn and_modify(self, f: impl FnOnce(&mut V)) -> Self {
        match self {
            Entry::Occupied(mut o) => {
                f(o.get_mut());
                Entry::Occupied(o)
            }
            vacant => vacant,
        }
    }

    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(o) => o.key(),
            Entry::Vacant(v) => &v.key,
        }
    }
}

impl<'a, K, V> OccupiedEntry<'a, K, V> {
    pub fn key(&self) -> &K {
        &self.map.entries[self.index].0
    }
    pub fn get(&self) -> &V {
        &self.map.entries[self.index].1
    }
    pub fn get_mut(&mut self) -> &mut V {
        &mut self.map.entries[self.index].1
    }
    pub fn into_mut(self) -> &'a mut V {
        &mut self.map.entries[self.index].1
    }
    pub fn insert(&mut self, value: V) -> V {
        std::mem::replace(self.get_mut(), value)
    }
    pub fn remove(self) -> V {
        self.map.entries.remove(self.index).1
    }
}

impl<'a, K, V> VacantEntry<'a, K, V> {
    pub fn key(&self) -> &K {
        &self.key
    }
    pub fn insert(self, value: V) -> &'a mut V {
        self.map.entries.insert(self.index, (self.key, value));
        &mut self.map.entries[self.index].1
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for VecMap<K, V> {
    /// Inserts one by one: a later pair with an equal key replaces the earlier value, as in
    /// `BTreeMap`'s `FromIterator`.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut map = VecMap::new();
        map.extend(pairs);
        map
    }
}

impl<K: Ord, V> Extend<(K, V)> for VecMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
        for (k, v) in pairs {
            self.insert(k, v);
        }
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<'a, K, V> IntoIterator for &'a mut VecMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = std::iter::Map<std::slice::IterMut<'a, (K, V)>, fn(&'a mut (K, V)) -> (&'a K, &'a mut V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }
}

impl<K: Ord + Borrow<Q>, Q: ?Sized + Ord, V> std::ops::Index<&Q> for VecMap<K, V> {
    type Output = V;
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

/// An ordered set over a sorted `Vec`: `BTreeSet`'s API (the parts the engine uses) for small sets,
/// for the same reason as [`VecMap`].
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VecSet<T> {
    /// Invariant: strictly ascending.
    items: Vec<T>,
}

impl<T> Default for VecSet<T> {
    fn default() -> Self {
        VecSet { items: Vec::new() }
    }
}

impl<T: fmt::Debug> fmt::Debug for VecSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.items.iter()).finish()
    }
}

impl<T> VecSet<T> {
    pub const fn new() -> Self {
        VecSet { items: Vec::new() }
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn clear(&mut self) {
        self.items.clear();
    }
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }
    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }
    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }
    pub fn pop_first(&mut self) -> Option<T> {
        if self.items.is_empty() {
            None
        } else {
            Some(self.items.remove(0))
        }
    }
    pub fn pop_last(&mut self) -> Option<T> {
        self.items.pop()
    }
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }
}

impl<T: Ord> VecSet<T> {
    fn find<Q: ?Sized + Ord>(&self, item: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
    {
        #[cfg(target_arch = "wasm32")]
        return search(self.items.len(), &mut |i| self.items[i].borrow().cmp(item));
        #[cfg(not(target_arch = "wasm32"))]
        self.items.binary_search_by(|x| x.borrow().cmp(item))
    }
    pub fn contains<Q: ?Sized + Ord>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.find(item).is_ok()
    }
    /// Like `BTreeSet::insert`: false (and the set unchanged) when an equal item is present.
    pub fn insert(&mut self, item: T) -> bool {
        match self.find(&item) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, item);
                true
            }
        }
    }
    pub fn remove<Q: ?Sized + Ord>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        match self.find(item) {
            Ok(i) => {
                self.items.remove(i);
                true
            }
            Err(_) => false,
        }
    }
    /// The items of `self` not in `other`, ascending (like `BTreeSet::difference`).
    pub fn difference<'a>(&'a self, other: &'a VecSet<T>) -> impl Iterator<Item = &'a T> + 'a {
        self.items.iter().filter(move |x| !other.contains(*x))
    }
}

impl<T: Ord> FromIterator<T> for VecSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut set = VecSet::new();
        set.extend(items);
        set
    }
}

impl<T: Ord> Extend<T> for VecSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.insert(item);
        }
    }
}

impl<T> IntoIterator for VecSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a VecSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Rng;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;
    use std::collections::BTreeMap;


    #[test]
    fn behaves_like_btreemap_under_random_operations() {
        let mut rng = Rng::new(7);
        let mut ours: VecMap<u8, u32> = VecMap::new();
        let mut std_map: BTreeMap<u8, u32> = BTreeMap::new();
        for step in 0..20_000u32 {
            let key = (rng.next_u64() % 64) as u8;
            match rng.next_u64() % 6 {
                0 | 1 => assert_eq!(ours.insert(key, step), std_map.insert(key, step)),
                2 => assert_eq!(ours.remove(&key), std_map.remove(&key)),
                3 => {
                    *ours.entry(key).or_insert(step) += 1;
                    *std_map.entry(key).or_insert(step) += 1;
                }
                4 => {
                    ours.retain(|k, v| (*k as u32 + *v) % 7 != 0);
                    std_map.retain(|k, v| (*k as u32 + *v) % 7 != 0);
                }
                _ => assert_eq!(ours.pop_first(), std_map.pop_first()),
            }
            assert!(ours.iter().eq(std_map.iter()), "step {step}: same pairs in the same order");
        }
    }

    #[test]
    fn search_matches_binary_search_by_on_distinct_keys() {
        let mut rng = Rng::new(3);
        for len in 0..40usize {
            let mut keys: Vec<u64> = (0..len).map(|_| rng.next_u64() % 100).collect();
            keys.sort();
            keys.dedup();
            for probe in 0..101u64 {
                let ours = search(keys.len(), &mut |i| keys[i].cmp(&probe));
                assert_eq!(ours, keys.binary_search(&probe), "keys {keys:?} probe {probe}");
            }
        }
    }

    #[test]
    fn debug_and_collect_match_btreemap() {
        let pairs = [(3, 'a'), (1, 'b'), (3, 'c')];
        let ours: VecMap<i32, char> = pairs.iter().copied().collect();
        let std_map: BTreeMap<i32, char> = pairs.iter().copied().collect();
        assert_eq!(format!("{ours:?}"), format!("{std_map:?}"));
        assert_eq!(ours[&3], 'c', "the later pair wins");
        let strings: VecMap<String, i32> = [("b".to_string(), 2), ("a".to_string(), 1)].into_iter().collect();
        assert_eq!(strings.get("a"), Some(&1), "lookup by a borrowed key");
        assert_eq!(strings.keys().cloned().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn set_behaves_like_btreeset_under_random_operations() {
        use std::collections::BTreeSet;
        let mut rng = Rng::new(11);
        let mut ours: VecSet<u8> = VecSet::new();
        let mut std_set: BTreeSet<u8> = BTreeSet::new();
        for step in 0..20_000u32 {
            let item = (rng.next_u64() % 64) as u8;
            match rng.next_u64() % 4 {
                0 | 1 => assert_eq!(ours.insert(item), std_set.insert(item)),
                2 => assert_eq!(ours.remove(&item), std_set.remove(&item)),
                _ => assert_eq!(ours.pop_first(), std_set.pop_first()),
            }
            assert!(ours.iter().eq(std_set.iter()), "step {step}: same items in the same order");
        }
        let other: VecSet<u8> = (0..32).collect();
        let std_other: BTreeSet<u8> = (0..32).collect();
        assert!(ours.difference(&other).eq(std_set.difference(&std_other)));
        assert_eq!(format!("{ours:?}"), format!("{std_set:?}"));
    }
}
