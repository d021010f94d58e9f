//! Maps keyed by id, in id order: a vector sorted by id, searched by binary search
//! ([`IdMap`]), and the ruleset's indices of ids to positions built on it ([`IdIndex`]: facts,
//! sections, named conditions, tables, requirements). They are filled once, at load, and then
//! only read, where a sorted vector reads as fast as a B-tree; and in the size-optimised WASM
//! build each `BTreeMap` instantiation carried its own node code (insert, split, search,
//! drop), about 4.4 KB of the `.wasm` before gzip.
//!
//! Loading must stay about linear in the ruleset (review finding L7), and inserting ids one
//! by one into a sorted vector is quadratic when they do not arrive in order (`f.b0`, `f.b1`,
//! …, `f.b10` is not byte order). So an index of many ids is built by sorting them once (a
//! heap sort of their positions: n log n, no allocation beyond the positions), and single
//! inserts are only for ids that arrive in order (named conditions, from a JSON object) or
//! are few (an overlay's).

use crate::bits::BitSet;
use crate::write::{Absent, WriteJson};
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// A map from ids to values, iterated in id order (byte order, as `BTreeMap<String, V>`):
/// the named conditions of a [`RulesetDoc`](crate::wire::RulesetDoc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdMap<V> {
    entries: Vec<(String, V)>,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap {
            entries: Vec::new(),
        }
    }
}

impl<V> IdMap<V> {
    /// An empty map.
    #[must_use]
    pub fn new() -> Self {
        IdMap::default()
    }

    /// Where `id` is (`Ok`), or where it would go to keep the order (`Err`).
    fn find(&self, id: &str) -> Result<usize, usize> {
        // A plain binary search: `binary_search_by` is a generic instantiation per closure.
        let (mut lo, mut hi) = (0, self.entries.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let Some((key, _)) = self.entries.get(mid) else {
                break;
            };
            match key.as_str().cmp(id) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// The value of `id`.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&V> {
        let at = self.find(id).ok()?;
        self.entries.get(at).map(|(_, v)| v)
    }

    /// Whether `id` is in the map.
    #[must_use]
    pub fn contains_key(&self, id: &str) -> bool {
        self.find(id).is_ok()
    }

    /// Sets the value of `id`; returns the value it replaces, if any (as `BTreeMap::insert`).
    pub fn insert(&mut self, id: String, value: V) -> Option<V> {
        match self.find(&id) {
            Ok(at) => self
                .entries
                .get_mut(at)
                .map(|(_, old)| core::mem::replace(old, value)),
            Err(at) => {
                self.entries.insert(at, (id, value));
                None
            }
        }
    }

    /// How many ids are in the map.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The ids and their values, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> + '_ {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The ids, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> + '_ {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values, in id order.
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.entries.iter().map(|(_, v)| v)
    }
}

/// Sorts positions with `less` by heap sort: n log n comparisons, in place, and a few
/// hundred bytes of code where the standard library's sorts are several kilobytes.
fn heap_sort(v: &mut [usize], less: impl Fn(usize, usize) -> bool) {
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift_down(v, root, n, &less);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end, &less);
    }
}

/// Moves `v[root]` down the heap `v[..end]` until its children are not greater.
fn sift_down(v: &mut [usize], mut root: usize, end: usize, less: &impl Fn(usize, usize) -> bool) {
    let at = |v: &[usize], i: usize| v.get(i).copied().unwrap_or(0);
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(at(v, child), at(v, child + 1)) {
            child += 1;
        }
        if !less(at(v, root), at(v, child)) {
            return;
        }
        v.swap(root, child);
        root = child;
    }
}

/// Sorts positions by their ids, then by position (one non-generic function for every
/// kind of declaration and every JSON object).
fn sort_by_id<'a>(order: &mut [usize], id: &dyn Fn(usize) -> &'a str) {
    heap_sort(order, |a, b| match id(a).cmp(id(b)) {
        Ordering::Equal => a < b,
        o => o == Ordering::Less,
    });
}

impl<V: Default> IdMap<V> {
    /// A map of `members` given in any order, as a JSON object's members are read: sorted
    /// once by id (n log n; none when they arrive in order, as most objects' do). A repeated
    /// id is refused: `Err` holds the first member, in the given order, whose id an earlier
    /// member has, and that id.
    pub(crate) fn of_members(mut members: Vec<(String, V)>) -> Result<IdMap<V>, (usize, String)> {
        let in_order = members
            .windows(2)
            .all(|w| matches!(w, [(a, _), (b, _)] if a < b));
        if in_order {
            return Ok(IdMap { entries: members });
        }
        let mut order: Vec<usize> = (0..members.len()).collect();
        sort_by_id(&mut order, &|i| {
            members.get(i).map_or("", |(k, _)| k.as_str())
        });
        // Sorted by id then position: a member with the id of the one before it repeats it.
        let mut first_repeat: Option<usize> = None;
        for w in order.windows(2) {
            if let [a, b] = *w {
                let key = |i: usize| members.get(i).map(|(k, _)| k);
                if key(a) == key(b) && first_repeat.is_none_or(|r| b < r) {
                    first_repeat = Some(b);
                }
            }
        }
        if let Some(r) = first_repeat {
            let id = members.get_mut(r).map(|(k, _)| core::mem::take(k));
            return Err((r, id.unwrap_or_default()));
        }
        let mut entries = Vec::with_capacity(members.len());
        for i in order {
            if let Some(m) = members.get_mut(i) {
                entries.push(core::mem::take(m));
            }
        }
        Ok(IdMap { entries })
    }
}

impl<V> IntoIterator for IdMap<V> {
    type Item = (String, V);
    type IntoIter = alloc::vec::IntoIter<(String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, V> IntoIterator for &'a IdMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = core::iter::Map<
        core::slice::Iter<'a, (String, V)>,
        fn(&'a (String, V)) -> (&'a String, &'a V),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<V> FromIterator<(String, V)> for IdMap<V> {
    /// A map of the pairs; a repeated id keeps its last value (as `BTreeMap`). One insert per
    /// pair: linear for pairs in id order, quadratic for many pairs out of order.
    fn from_iter<I: IntoIterator<Item = (String, V)>>(pairs: I) -> Self {
        let mut map = IdMap::new();
        for (k, v) in pairs {
            map.insert(k, v);
        }
        map
    }
}

impl<V: serde::Serialize> serde::Serialize for IdMap<V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<V> Absent for IdMap<V> {
    #[inline]
    fn absent(&self) -> bool {
        self.is_empty()
    }
}

impl<V: WriteJson> WriteJson for IdMap<V> {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        for (i, (k, v)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::write::string(out, k);
            out.push(':');
            v.write_json(out);
        }
        out.push('}');
    }
}

/// Ids to positions, each id once, in id order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IdIndex(IdMap<usize>);

impl IdIndex {
    /// The index of the `n` ids `id(0)`, `id(1)`, …, each at its first position, and the
    /// positions whose id repeats an earlier one: the ids are sorted once (by id, then
    /// position), n log n. (One non-generic function for every kind of declaration.)
    pub(crate) fn of_ids<'a>(n: usize, id: &dyn Fn(usize) -> &'a str) -> (IdIndex, BitSet) {
        let mut order: Vec<usize> = (0..n).collect();
        sort_by_id(&mut order, id);
        let mut index = IdIndex::default();
        let mut repeats = BitSet::default();
        let mut last = None;
        for i in order {
            if last == Some(id(i)) {
                repeats.insert(i);
            } else {
                last = Some(id(i));
                index.0.entries.push((String::from(id(i)), i));
            }
        }
        (index, repeats)
    }

    /// The position of `id`.
    pub(crate) fn get(&self, id: &str) -> Option<usize> {
        self.0.get(id).copied()
    }

    /// Whether `id` is indexed.
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }

    /// Indexes `id` at position `value` unless it is indexed already (the first position
    /// stays); returns whether it was new.
    pub(crate) fn insert(&mut self, id: &str, value: usize) -> bool {
        match self.0.find(id) {
            Ok(_) => false,
            Err(at) => {
                self.0.entries.insert(at, (String::from(id), value));
                true
            }
        }
    }

    /// How many ids are indexed.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

impl<V: crate::compiled::Bin> crate::compiled::Bin for IdMap<V> {
    fn put(&self, w: &mut crate::compiled::Writer) {
        self.entries.put(w);
    }
    /// Entries must be in strictly increasing id order, as every map keeps them (lookups
    /// are binary searches).
    fn get(r: &mut crate::compiled::Reader<'_>) -> Self {
        let entries: Vec<(String, V)> = crate::compiled::Bin::get(r);
        let sorted = entries
            .windows(2)
            .all(|p| matches!(p, [a, b] if a.0.as_str() < b.0.as_str()));
        if !sorted {
            r.fail();
        }
        IdMap { entries }
    }
}

impl crate::compiled::Bin for IdIndex {
    fn put(&self, w: &mut crate::compiled::Writer) {
        self.0.put(w);
    }
    fn get(r: &mut crate::compiled::Reader<'_>) -> Self {
        IdIndex(crate::compiled::Bin::get(r))
    }
}

#[cfg(test)]
mod tests {
    use super::{IdIndex, IdMap};
    use alloc::collections::BTreeMap;
    use alloc::string::String;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// The index answers as a `BTreeMap` filled with `entry().or_insert` would: the first
        /// position of each id stays, and every id (inserted or not) reads the same.
        #[test]
        fn the_index_reads_as_a_btree_map(
            ids in proptest::collection::vec("[a-c]{0,3}", 0..40),
            probes in proptest::collection::vec("[a-d]{0,4}", 0..20),
        ) {
            let mut index = IdIndex::default();
            let mut model: BTreeMap<String, usize> = BTreeMap::new();
            for (i, id) in ids.iter().enumerate() {
                let new = !model.contains_key(id);
                model.entry(id.clone()).or_insert(i);
                prop_assert_eq!(index.insert(id, i), new);
            }
            prop_assert_eq!(index.len(), model.len());
            for id in ids.iter().chain(&probes) {
                prop_assert_eq!(index.get(id), model.get(id).copied());
                prop_assert_eq!(index.contains(id), model.contains_key(id));
            }
            let order: Vec<&str> = index.0.keys().map(String::as_str).collect();
            let expected: Vec<&str> = model.keys().map(String::as_str).collect();
            prop_assert_eq!(order, expected);
        }

        /// An index built by sorting once keeps each id's first position and reports the
        /// later ones, as inserting one by one does.
        #[test]
        fn sorting_once_and_merging_agree_with_inserting(
            ids in proptest::collection::vec("[a-c]{0,3}", 0..60),
        ) {
            let (sorted, repeats) =
                IdIndex::of_ids(ids.len(), &|i| ids.get(i).map_or("", String::as_str));
            let mut one_by_one = IdIndex::default();
            for (i, id) in ids.iter().enumerate() {
                prop_assert_eq!(one_by_one.insert(id, i), !repeats.contains(i));
            }
            prop_assert_eq!(sorted, one_by_one);
        }

        /// The map answers as a `BTreeMap` given the same inserts: the replaced values, the
        /// lookups, the order, and the JSON it writes.
        #[test]
        fn the_map_reads_as_a_btree_map(
            pairs in proptest::collection::vec(("[a-c\"é]{0,3}", 0u32..100), 0..40),
            probes in proptest::collection::vec("[a-d]{0,4}", 0..20),
        ) {
            let mut map = IdMap::new();
            let mut model = BTreeMap::new();
            for (k, v) in &pairs {
                prop_assert_eq!(map.insert(k.clone(), *v), model.insert(k.clone(), *v));
            }
            prop_assert_eq!(map.len(), model.len());
            prop_assert_eq!(map.is_empty(), model.is_empty());
            for k in pairs.iter().map(|(k, _)| k).chain(&probes) {
                prop_assert_eq!(map.get(k), model.get(k));
                prop_assert_eq!(map.contains_key(k), model.contains_key(k));
            }
            let got: Vec<(&String, &u32)> = map.iter().collect();
            let want: Vec<(&String, &u32)> = model.iter().collect();
            prop_assert_eq!(got, want);
            prop_assert_eq!(
                crate::write::to_json(&map),
                serde_json::to_string(&model).unwrap_or_default()
            );
            let collected: IdMap<u32> = pairs.iter().cloned().collect();
            prop_assert_eq!(collected, map);
        }

        /// A JSON object's members sorted once read as a `BTreeMap` filled one by one when
        /// no id repeats; otherwise the first member (in the given order) whose id an earlier
        /// member has is refused, with that id.
        #[test]
        fn members_sorted_once_read_as_a_btree_map(
            pairs in proptest::collection::vec(("[a-c]{0,2}", 0u32..100), 0..30),
        ) {
            let mut model = BTreeMap::new();
            let mut repeat = None;
            for (i, (k, v)) in pairs.iter().enumerate() {
                if model.insert(k.clone(), *v).is_some() && repeat.is_none() {
                    repeat = Some((i, k.clone()));
                }
            }
            match (IdMap::of_members(pairs.clone()), repeat) {
                (Ok(map), None) => {
                    let got: Vec<(&String, &u32)> = map.iter().collect();
                    let want: Vec<(&String, &u32)> = model.iter().collect();
                    prop_assert_eq!(got, want);
                }
                (Err(found), Some(first)) => prop_assert_eq!(found, first),
                (got, want) => prop_assert!(false, "got {:?}, want the repeat {:?}", got, want),
            }
        }
    }
}
