//! Loading a block: up to 64 patients' compact rows laid out as each fact's known mask, bit
//! planes (flags, options, sets) and columns (numbers, dates), with the lanes whose value is
//! not valid for its fact.
//!
//! Two loaders give the same layout, one per target, because the same loop is fast on one and
//! slow on the other (measured on the benchmark workload, BENCHMARKS.md):
//! - **Row by row** (native): each patient's row is read in order, and one branch-free pass
//!   over parallel per-fact arrays sets the known, out-of-range and equal-to-1 lanes of every
//!   fact; LLVM vectorises it (native compact batch 211–219 → about 171 ns per patient).
//! - **Fact by fact** (WASM): a fact's value is read from every row in turn. The size-optimised
//!   `.wasm` (opt-level `z`, no SIMD) neither vectorises nor inlines the row loader's zipped
//!   loop, which took the WASM batch from 290 to 404 ns per patient and the `.wasm` 269 B over
//!   its size guard.
//!
//! Both are compiled for native tests, and `loaders_agree` checks they lay out every block the
//! same (known masks, planes, columns and refused lanes) on random rows of every shape of fact,
//! with unknown, valid and invalid values; the golden scenarios run the row loader natively and
//! the column loader in WASM (`web-demo/tests/wasm-api.mjs`).

use super::Block;
use crate::facttype::{Shape, UNKNOWN};
use crate::lanes::LANES;
#[cfg(not(target_arch = "wasm32"))]
use alloc::vec::Vec;

/// The bits of a compact value.
#[inline(always)]
fn bits(x: i32) -> u32 {
    u32::from_ne_bytes(x.to_ne_bytes())
}

/// Sets lane `j` in the planes (from `at`, `n` options) of the options chosen in set mask `x`:
/// one step per chosen option. Both loaders set a set's planes through this.
#[inline(always)]
fn set_options(planes: &mut [u64], at: usize, n: usize, mut x: u32, j: usize) {
    while x != 0 {
        let o = x.trailing_zeros() as usize;
        if let Some(p) = planes.get_mut(at + o).filter(|_| o < n) {
            *p |= 1u64 << j;
        }
        x &= x - 1;
    }
}

/// The row loader's buffers, sized once per ruleset.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone, Default)]
pub(super) struct Rows {
    /// Per fact, while loading: the lanes whose value is out of its range, and those whose
    /// value is 1 (a flag's plane).
    invalid: Vec<u64>,
    ones: Vec<u64>,
    /// The facts of each shape that need more than the known mask: flags (fact, plane),
    /// options (fact, first plane), sets (fact, first plane, options) and numbers (fact).
    flags: Vec<(usize, usize)>,
    one_of: Vec<(usize, usize)>,
    some_of: Vec<(usize, usize, usize)>,
    numbers: Vec<usize>,
}

#[cfg(not(target_arch = "wasm32"))]
impl Rows {
    /// Lists the facts of each shape, from the block's shapes and plane positions.
    pub(super) fn prepare(&mut self, shapes: &[Shape], plane_at: &[(usize, usize)]) {
        self.flags.clear();
        self.one_of.clear();
        self.some_of.clear();
        self.numbers.clear();
        for (i, (&shape, &(at, n))) in shapes.iter().zip(plane_at).enumerate() {
            match shape {
                Shape::Flag => self.flags.push((i, at)),
                Shape::OneOf(_) => self.one_of.push((i, at)),
                Shape::SomeOf(_) => self.some_of.push((i, at, n)),
                Shape::Number => self.numbers.push(i),
            }
        }
    }
}

impl Block {
    /// Lays out patients `values` (row-major, `nf` values each, at most [`LANES`] patients):
    /// each fact's known mask and bit planes, and the columns of number facts. Missing lanes
    /// are unknown. Returns the lanes holding a value that is not valid for its fact (the
    /// caller reports them; they are never assessed).
    pub(crate) fn load(&mut self, values: &[i32], nf: usize) -> u64 {
        let count = (values.len() / nf.max(1)).min(LANES);
        let rows = values.get(..count * nf).unwrap_or(&[]);
        self.clear(nf);
        #[cfg(not(target_arch = "wasm32"))]
        return self.load_rows(rows, nf, count);
        #[cfg(target_arch = "wasm32")]
        return self.load_columns(rows, nf, count);
    }

    /// Clears the known masks and planes for a block of `nf` facts per patient.
    fn clear(&mut self, nf: usize) {
        // Only number columns are read, and each is rewritten in full by either loader.
        if self.cols.len() != nf * LANES {
            self.cols.clear();
            self.cols.resize(nf * LANES, UNKNOWN);
        }
        self.known.clear();
        self.known.resize(nf, 0);
        self.planes.iter_mut().for_each(|p| *p = 0);
    }

    /// The row loader (native): see the module header.
    #[cfg(not(target_arch = "wasm32"))]
    fn load_rows(&mut self, rows: &[i32], nf: usize, count: usize) -> u64 {
        let Block {
            rows: r,
            known,
            valid,
            planes,
            cols,
            ..
        } = self;
        for v in [&mut r.invalid, &mut r.ones] {
            v.clear();
            v.resize(nf, 0);
        }
        for (j, row) in rows.chunks_exact(nf.max(1)).take(count).enumerate() {
            let facts = row
                .iter()
                .zip(known.iter_mut())
                .zip(&mut r.invalid)
                .zip(&mut r.ones)
                .zip(valid.iter());
            for ((((&v, known), invalid), one), &(lo, hi)) in facts {
                let k = v != UNKNOWN;
                let fits = (v >= lo) & (v <= hi);
                *known |= u64::from(k & fits) << j;
                *invalid |= u64::from(k & !fits) << j;
                *one |= u64::from(v == 1) << j;
            }
            // Only known, valid values reach a plane: any other is read as no option.
            let on = |i: usize| known.get(i).is_some_and(|k| k >> j & 1 == 1);
            let value = |i: usize| row.get(i).copied().unwrap_or(UNKNOWN);
            for &(i, at) in &r.one_of {
                let on = on(i);
                let x = if on { bits(value(i)) as usize } else { 0 };
                if let Some(p) = planes.get_mut(at + x) {
                    *p |= u64::from(on) << j;
                }
            }
            for &(i, at, n) in &r.some_of {
                let x = if on(i) { bits(value(i)) } else { 0 };
                set_options(planes, at, n, x, j);
            }
            for &i in &r.numbers {
                if let Some(slot) = cols.get_mut(i * LANES + j) {
                    *slot = value(i);
                }
            }
        }
        for &i in &r.numbers {
            if let Some(rest) = cols.get_mut(i * LANES + count..(i + 1) * LANES) {
                rest.fill(UNKNOWN);
            }
        }
        for &(i, at) in &r.flags {
            if let (Some(p), Some(&one)) = (planes.get_mut(at), r.ones.get(i)) {
                *p = one;
            }
        }
        r.invalid.iter().fold(0, |bad, &lanes| bad | lanes)
    }

    /// The column loader (WASM): see the module header.
    #[cfg(any(test, target_arch = "wasm32"))]
    fn load_columns(&mut self, rows: &[i32], nf: usize, count: usize) -> u64 {
        let mut bad = 0u64;
        for i in 0..self.shape.len() {
            let (known, invalid) = self.load_fact(rows, nf, count, i);
            if let Some(k) = self.known.get_mut(i) {
                *k = known & !invalid;
            }
            bad |= invalid;
        }
        bad
    }

    /// Loads fact `i` of every patient: its known and invalid lanes.
    #[cfg(any(test, target_arch = "wasm32"))]
    fn load_fact(&mut self, rows: &[i32], nf: usize, count: usize, i: usize) -> (u64, u64) {
        let (Some(&(at, n)), Some(&shape), Some(&(lo, hi))) =
            (self.plane_at.get(i), self.shape.get(i), self.valid.get(i))
        else {
            return (0, 0);
        };
        let (mut known, mut invalid) = (0u64, 0u64);
        let value = |j: usize| rows.get(j * nf + i).copied().unwrap_or(UNKNOWN);
        match shape {
            Shape::Flag => {
                let mut ones = 0u64;
                for j in 0..count {
                    let v = value(j);
                    let k = v != UNKNOWN;
                    known |= u64::from(k) << j;
                    ones |= u64::from(v == 1) << j;
                    invalid |= u64::from(k & (v != 0) & (v != 1)) << j;
                }
                if let Some(p) = self.planes.get_mut(at) {
                    *p = ones;
                }
            }
            // Without branches on the values (whether a lane is unknown is as good as random):
            // an unknown or invalid value is read as option 0 (or no option) with its bit clear.
            Shape::OneOf(_) | Shape::SomeOf(_) => {
                for j in 0..count {
                    let v = value(j);
                    let k = v != UNKNOWN;
                    let fits = (lo..=hi).contains(&v);
                    let on = k & fits;
                    known |= u64::from(on) << j;
                    invalid |= u64::from(k & !fits) << j;
                    let x = if on { bits(v) } else { 0 };
                    if let Shape::OneOf(_) = shape {
                        if let Some(p) = self.planes.get_mut(at + x as usize) {
                            *p |= u64::from(on) << j;
                        }
                        continue;
                    }
                    set_options(&mut self.planes, at, n, x, j);
                }
            }
            Shape::Number => {
                let col = self
                    .cols
                    .get_mut(i * LANES..(i + 1) * LANES)
                    .unwrap_or(&mut []);
                for (j, slot) in col.iter_mut().enumerate() {
                    let v = if j < count { value(j) } else { UNKNOWN };
                    let k = v != UNKNOWN;
                    known |= u64::from(k) << j;
                    invalid |= u64::from(k & ((v < lo) | (v > hi))) << j;
                    *slot = v;
                }
            }
        }
        (known, invalid)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

    use super::{Block, LANES, UNKNOWN};
    use crate::Ruleset;

    /// 64 well-mixed bits of `x` (SplitMix64's finaliser): the same blocks on every run. The
    /// tests' generator (`tests/support/random.rs`) needs `std` and the crate by name, which
    /// this `no_std` crate's own tests do not have.
    fn mix(x: u64) -> u64 {
        let x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }

    /// A fact's value in draw `seed`: unknown, valid (either end of its range or inside it)
    /// or, when `invalid`, also not valid (one past either end, or anywhere in `i32`).
    fn value(seed: u64, (lo, hi): (i32, i32), invalid: bool) -> i32 {
        let (kind, bits) = (mix(seed) % 8, mix(!seed));
        let span = u64::try_from(i64::from(hi) - i64::from(lo) + 1).unwrap_or(1);
        match kind {
            0 => UNKNOWN,
            1 => lo,
            2 => hi,
            3 if invalid => lo.saturating_sub(1),
            4 if invalid => hi.saturating_add(1),
            5 if invalid => bits as i32,
            _ => i32::try_from(i64::from(lo) + (bits % span.max(1)) as i64).unwrap(),
        }
    }

    #[test]
    fn loaders_agree() {
        let dates = Ruleset::from_json(include_str!("../../../tests/fixtures/dates-ruleset.json"));
        for rs in [
            Ruleset::national_with(&["norfolk"]).unwrap(),
            dates.unwrap(),
        ] {
            let ranges: alloc::vec::Vec<_> = rs.facts.iter().map(|f| f.range).collect();
            let nf = ranges.len();
            let (mut rows, mut columns) = (Block::default(), Block::default());
            rows.prepare(&rs, None);
            columns.prepare(&rs, None);
            // Blocks of every size, each over the last (stale planes and columns).
            for round in 0..1_000 {
                let count = if round % 4 == 0 {
                    LANES
                } else {
                    (mix(round) % (LANES as u64 + 1)) as usize
                };
                // Every other block holds only unknown and valid values.
                let values: alloc::vec::Vec<i32> = (0..count * nf)
                    .map(|k| value(round << 20 ^ k as u64, ranges[k % nf], round % 2 == 1))
                    .collect();
                let bad = rows.load(&values, nf);
                columns.clear(nf);
                let bad_columns = columns.load_columns(&values, nf, count);
                assert_eq!(bad, bad_columns, "refused lanes, round {round}");
                assert_eq!(rows.known, columns.known, "known masks, round {round}");
                assert_eq!(rows.planes, columns.planes, "planes, round {round}");
                assert_eq!(rows.cols, columns.cols, "columns, round {round}");
            }
        }
    }
}
