//! An index of ids to positions (facts, sections, named conditions, tables, requirements):
//! a vector sorted by id, searched by binary search. The indices are built once at load and
//! then only read, where a sorted vector reads as fast as a B-tree; and in the size-optimised
//! WASM build it adds no `BTreeMap<String, usize>` instantiation, whose node code (insert,
//! split, search, drop) was about 5 KB of the `.wasm` before gzip.

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// Ids to positions, each id once, in id order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IdIndex {
    entries: Vec<(String, usize)>,
}

impl IdIndex {
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

    /// The position of `id`.
    pub(crate) fn get(&self, id: &str) -> Option<usize> {
        let at = self.find(id).ok()?;
        self.entries.get(at).map(|(_, v)| *v)
    }

    /// Whether `id` is indexed.
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.find(id).is_ok()
    }

    /// Indexes `id` at position `value` unless it is indexed already (the first position
    /// stays); returns whether it was new.
    pub(crate) fn insert(&mut self, id: &str, value: usize) -> bool {
        match self.find(id) {
            Ok(_) => false,
            Err(at) => {
                self.entries.insert(at, (String::from(id), value));
                true
            }
        }
    }

    /// How many ids are indexed.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::IdIndex;
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
            let order: Vec<&str> = index.entries.iter().map(|(k, _)| k.as_str()).collect();
            let expected: Vec<&str> = model.keys().map(String::as_str).collect();
            prop_assert_eq!(order, expected);
        }
    }
}
