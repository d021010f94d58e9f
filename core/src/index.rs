//! [`Index`]: ids to positions, as a vector sorted by id and searched by bisection. It stands
//! in for `BTreeMap<String, usize>` in the compiler and the ruleset: one small non-generic
//! type instead of a B-tree's insert, search, clone and drop code in the `.wasm` (size).
//! Lookups give the same answers; nothing iterates it, so order is never observable.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Ids to positions, sorted by id (each id once).
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Index(Vec<(String, usize)>);

impl Index {
    /// An empty index.
    pub(crate) const fn new() -> Index {
        Index(Vec::new())
    }

    /// Where `id` is (`Ok`), or where it would go to keep the order (`Err`).
    #[inline(never)]
    fn find(&self, id: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(id))
    }

    /// The position of `id`, if it is indexed.
    pub(crate) fn get(&self, id: &str) -> Option<&usize> {
        self.find(id)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|(_, v)| v)
    }

    /// Whether `id` is indexed.
    pub(crate) fn contains_key(&self, id: &str) -> bool {
        self.find(id).is_ok()
    }

    /// Indexes `id` at `at`; returns the position it had, if any (then replaced).
    pub(crate) fn insert(&mut self, id: String, at: usize) -> Option<usize> {
        match self.find(&id) {
            Ok(i) => self.0.get_mut(i).map(|(_, v)| core::mem::replace(v, at)),
            Err(i) => {
                self.0.insert(i, (id, at));
                None
            }
        }
    }

    /// How many ids are indexed.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

/// As a map, like the `BTreeMap` it replaces.
impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}
