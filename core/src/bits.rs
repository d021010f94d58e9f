//! A small growable bit set over indices (facts, named conditions, tables), so evaluation
//! walks allocate nothing once their buffers have grown.

use alloc::vec::Vec;

/// A set of small indices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    /// Empties the set and sizes it for indices below `n`.
    pub(crate) fn reset(&mut self, n: usize) {
        let words = n.div_ceil(64);
        // Once sized (the common case: the same ruleset again), only the words in use are
        // cleared: the sets are a word or two, reset once per walk, and a `fill` would be a
        // call to `memset` (`memory.fill` in WASM) each time.
        if self.words.len() == words {
            for w in self.words.iter_mut().filter(|w| **w != 0) {
                *w = 0;
            }
        } else {
            self.words.clear();
            self.words.resize(words, 0);
        }
    }

    /// Adds `i`; returns whether it was new. Indices beyond the size grow the set.
    pub(crate) fn insert(&mut self, i: usize) -> bool {
        let (w, b) = (i / 64, i % 64);
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        match self.words.get_mut(w) {
            Some(word) => {
                let new = *word & (1u64 << b) == 0;
                *word |= 1u64 << b;
                new
            }
            None => false,
        }
    }

    /// Removes `i`.
    pub(crate) fn remove(&mut self, i: usize) {
        if let Some(word) = self.words.get_mut(i / 64) {
            *word &= !(1u64 << (i % 64));
        }
    }

    /// Adds the facts test `t` reads (at most two, written out: an iterator here was a call
    /// per fact in the size-optimised WASM build). The set must hold every fact
    /// ([`BitSet::reset`] to the number of facts): the bits are set in place, inlined, where
    /// [`BitSet::insert`] (which grows the set) was a call.
    #[inline(always)]
    pub(crate) fn insert_test(&mut self, t: &crate::program::Test) {
        let [first, second] = t.facts();
        if let Some(f) = first {
            self.set_bit(f);
        }
        if let Some(f) = second {
            self.set_bit(f);
        }
    }

    /// Sets bit `f` if the set holds it (inlined: see [`BitSet::insert_test`]).
    #[inline(always)]
    fn set_bit(&mut self, f: u32) {
        if let Some(w) = self.words.get_mut(f as usize / 64) {
            *w |= 1u64 << (f % 64);
        }
    }

    /// Adds every index of `list`.
    pub(crate) fn insert_all(&mut self, list: &[usize]) {
        for &i in list {
            self.insert(i);
        }
    }

    /// Whether `i` is in the set.
    pub(crate) fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }

    /// The set's words: index `i` is bit `i % 64` of word `i / 64`.
    #[inline(always)]
    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }

    /// The members in increasing order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut bits = w;
            core::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(wi * 64 + b)
            })
        })
    }

    /// Calls `f` with each member in increasing order: [`BitSet::iter`] as a plain loop.
    pub(crate) fn each(&self, mut f: impl FnMut(usize)) {
        for (wi, &w) in self.words.iter().enumerate() {
            let mut bits = w;
            while bits != 0 {
                f(wi * 64 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
    }

    /// Whether a member of `other` is in the set.
    pub(crate) fn intersects(&self, other: &BitSet) -> bool {
        for (a, b) in self.words.iter().zip(&other.words) {
            if a & b != 0 {
                return true;
            }
        }
        false
    }

    /// Adds every member of `other`.
    pub(crate) fn union_with(&mut self, other: &BitSet) {
        if other.words.len() > self.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= *b;
        }
    }
}

crate::compiled::bin_struct! {
    BitSet { words }
}
