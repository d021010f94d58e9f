//! The batch path: 64 patients per pass. Facts are loaded once per block into a known mask and
//! bit planes (one per option) or, for numbers and dates, a column of values; the one
//! evaluator then runs over [`Mask`] lanes (true and false bit masks), so `all`, `any` and
//! `not` are word operations and only the leaves look at patients one by one — and only the
//! leaves without a bit-plane form, through the one-patient meaning of the test. How a block
//! is loaded (one loader per target, checked to agree) is in [`load`].
//!
//! This is the engine behind [`crate::json::JsonBulk::assess_many`] and gives exactly the
//! codes of the one-patient path ([`crate::compact`]); `core/tests/batch.rs` checks the two
//! agree on random patients with unknowns, and `tests/tests/paths.rs` on every golden scenario.

use crate::compile::Plan;
use crate::evaluate::{status_code, verdict_of, FactSource, Judged, Scope, Values};
use crate::facttype::{Shape, UNKNOWN};
use crate::lanes::{Lanes, Mask, LANES};
use crate::program::{IntOp, Test, Val};
use crate::ruleset::Ruleset;
use alloc::boxed::Box;
use alloc::vec::Vec;

mod load;

/// Reusable buffers for one block.
#[derive(Debug, Clone, Default)]
pub(crate) struct Block {
    /// Fact-major values of number facts: fact `i`, patient `j` at `i * LANES + j`.
    cols: Vec<i32>,
    /// Per fact: which lanes are known.
    known: Vec<u64>,
    /// Per fact: where its bit planes start in `planes`, and how many.
    plane_at: Vec<(usize, usize)>,
    /// Bit planes: bit `j` of a plane is set when patient `j`'s value has that property.
    planes: Vec<u64>,
    /// Per fact: how its value lies in lanes.
    shape: Vec<Shape>,
    /// Per fact: the valid range of a known value (`lo > hi` accepts none).
    valid: Vec<(i32, i32)>,
    /// The row loader's buffers (see [`load`]).
    #[cfg(not(target_arch = "wasm32"))]
    rows: load::Rows,
    /// The as-of date's day number, for every patient of the batch.
    as_of: Option<Val>,
    values: Values<Mask>,
    judged: Vec<Judged<Mask>>,
}

/// Sets bit `j` of `t` where `test` holds for patient `j`'s known value and of `f` where it
/// fails; unknown lanes are in neither. Written without branches so it compiles to a tight loop.
#[inline(always)]
fn lanes(col: &[i32; LANES], test: impl Fn(i32) -> bool) -> Mask {
    let mut known = 0u64;
    let mut hit = 0u64;
    for (j, &x) in col.iter().enumerate() {
        known |= u64::from(x != UNKNOWN) << j;
        hit |= u64::from(test(x)) << j;
    }
    Mask {
        t: hit & known,
        f: known & !hit,
    }
}

impl Block {
    /// Sizes the planes for `rs`'s facts (once per ruleset; cheap to repeat) and sets the
    /// as-of date.
    pub(crate) fn prepare(&mut self, rs: &Ruleset, as_of: Option<Val>) {
        self.as_of = as_of;
        if self.plane_at.len() == rs.facts.len() {
            return;
        }
        self.plane_at.clear();
        self.shape.clear();
        self.valid.clear();
        let mut at = 0;
        for f in &rs.facts {
            let shape = f.ty.shape();
            let n = match shape {
                Shape::Flag => 1,
                Shape::OneOf(n) | Shape::SomeOf(n) => n,
                Shape::Number => 0,
            };
            self.plane_at.push((at, n));
            self.shape.push(shape);
            self.valid.push(f.range);
            at += n;
        }
        self.planes.clear();
        self.planes.resize(at, 0);
        #[cfg(not(target_arch = "wasm32"))]
        self.rows.prepare(&self.shape, &self.plane_at);
    }

    /// The known mask and bit planes of a fact.
    fn planes_of(&self, fact: u32) -> (u64, &[u64]) {
        let f = fact as usize;
        let known = self.known.get(f).copied().unwrap_or(0);
        let planes = self
            .plane_at
            .get(f)
            .and_then(|&(at, n)| self.planes.get(at..at + n))
            .unwrap_or(&[]);
        (known, planes)
    }

    fn col(&self, fact: u32) -> &[i32; LANES] {
        const EMPTY: [i32; LANES] = [UNKNOWN; LANES];
        let s = fact as usize * LANES;
        self.cols
            .get(s..s + LANES)
            .and_then(|c| <&[i32; LANES]>::try_from(c).ok())
            .unwrap_or(&EMPTY)
    }

    /// Patient `j`'s value of a fact, rebuilt from the planes or the column.
    fn lane_value(&self, fact: u32, j: usize) -> Option<Val> {
        let (known, planes) = self.planes_of(fact);
        if known >> j & 1 == 0 {
            return None;
        }
        let on = |p: &u64| p >> j & 1 == 1;
        Some(match self.shape.get(fact as usize)? {
            Shape::Flag => Val::from(planes.first().is_some_and(on)),
            Shape::OneOf(_) => Val::try_from(planes.iter().position(on)?).ok()?,
            Shape::SomeOf(_) => planes
                .iter()
                .enumerate()
                .filter(|(_, p)| on(p))
                .fold(0, |m, (o, _)| m | 1 << o),
            Shape::Number => Val::from(*self.col(fact).get(j)?),
        })
    }

    /// Any test, lane by lane, through its one-patient meaning.
    fn each_lane(&self, test: &Test, lists: &[Box<[Val]>]) -> Mask {
        let mut out = Mask::UNKNOWN;
        for j in 0..LANES {
            let v = test.eval(|f| self.lane_value(f, j), self.as_of, lists);
            out.t |= u64::from(v == crate::Tri::True) << j;
            out.f |= u64::from(v == crate::Tri::False) << j;
        }
        out
    }

    /// Evaluates the loaded block for `plan` and writes `count` patients' codes into `out`
    /// (`per` codes each: verdict, tables, requirements).
    pub(crate) fn assess(
        &mut self,
        rs: &Ruleset,
        plan: &Plan,
        count: usize,
        out: &mut [u32],
        per: usize,
    ) {
        let mut values = core::mem::take(&mut self.values);
        let mut judged = core::mem::take(&mut self.judged);
        rs.run(&plan.items, &*self, &mut values);
        let scope = Scope {
            rs,
            facts: &*self,
            values: &values,
        };
        let (not_met, unknown) = rs.judge_plan(plan, &scope, &mut judged);
        let nt = plan.tables.len();
        for (j, codes) in out.chunks_mut(per).take(count).enumerate() {
            let on = |m: u64| m >> j & 1 == 1;
            if let Some(slot) = codes.first_mut() {
                *slot = verdict_of(on(not_met), on(unknown)).code();
            }
            for (slot, &t) in codes.iter_mut().skip(1).zip(&plan.tables) {
                // Decided when exactly one output is still possible (counted without branches).
                let outs = rs.tables.get(t).map_or(&[][..], |t| values.outs_of(t));
                let (mut seen, mut last) = (0u32, 0u32);
                for (o, &lanes) in (0u32..).zip(outs) {
                    let hit = on(lanes);
                    seen += u32::from(hit);
                    last = if hit { o } else { last };
                }
                *slot = if seen == 1 {
                    last
                } else {
                    crate::compact::UNDECIDED
                };
            }
            for (slot, jd) in codes.iter_mut().skip(1 + nt).zip(&judged) {
                *slot = status_code(on(jd.not_applicable()), on(jd.met()), on(jd.not_met()));
            }
        }
        self.values = values;
        self.judged = judged;
    }
}

impl FactSource<Mask> for Block {
    /// Leaves on flags, options and sets are word operations on bit planes; comparisons of
    /// numbers loop over a column; any other test runs lane by lane through its one-patient
    /// meaning, so a new kind of test is right in the batch path before it is fast.
    fn test(&self, test: &Test, lists: &[Box<[Val]>]) -> Mask {
        match *test {
            Test::Bool { fact, want } => {
                let (known, planes) = self.planes_of(fact);
                let ones = planes.first().copied().unwrap_or(0);
                let t = if want { ones } else { known & !ones };
                Mask { t, f: known & !t }
            }
            Test::EnumIn { fact, mask } => {
                let (known, planes) = self.planes_of(fact);
                let hit = planes
                    .iter()
                    .enumerate()
                    .filter(|(o, _)| mask >> o & 1 == 1)
                    .fold(0u64, |acc, (_, p)| acc | p);
                Mask {
                    t: hit,
                    f: known & !hit,
                }
            }
            Test::SetEq { fact, mask } | Test::SetNe { fact, mask } => {
                let (known, planes) = self.planes_of(fact);
                let eq = planes.iter().enumerate().fold(known, |acc, (o, p)| {
                    acc & if mask >> o & 1 == 1 { *p } else { !*p }
                });
                // A mask naming options the fact does not have can never be equal.
                let eq = if mask >> planes.len() == 0 { eq } else { 0 };
                let t = if matches!(test, Test::SetEq { .. }) {
                    eq
                } else {
                    known & !eq
                };
                Mask { t, f: known & !t }
            }
            Test::SetHas { fact, mask } => {
                let (known, planes) = self.planes_of(fact);
                let has = planes
                    .iter()
                    .enumerate()
                    .filter(|(o, _)| mask >> o & 1 == 1)
                    .fold(known, |acc, (_, p)| acc & p);
                let has = if mask >> planes.len() == 0 { has } else { 0 };
                Mask {
                    t: has,
                    f: known & !has,
                }
            }
            Test::Int { fact, op, c } => {
                let col = self.col(fact);
                // The comparison is chosen once, outside the lane loop (`IntOp::holds` inside
                // it would branch per lane in the size-optimised WASM build).
                match op {
                    IntOp::Eq => lanes(col, |x| Val::from(x) == c),
                    IntOp::Ne => lanes(col, |x| Val::from(x) != c),
                    IntOp::Lt => lanes(col, |x| Val::from(x) < c),
                    IntOp::Lte => lanes(col, |x| Val::from(x) <= c),
                    IntOp::Gt => lanes(col, |x| Val::from(x) > c),
                    IntOp::Gte => lanes(col, |x| Val::from(x) >= c),
                }
            }
            Test::IntIn { fact, list } => {
                let list = lists.get(list as usize).map_or(&[][..], |l| &l[..]);
                lanes(self.col(fact), |x| list.contains(&Val::from(x)))
            }
            Test::Known(fact) => {
                let (known, _) = self.planes_of(fact);
                Mask {
                    t: known,
                    f: !known,
                }
            }
            // Every other test (date arithmetic, and any test added later) is exact lane by
            // lane through its one-patient meaning.
            _ => self.each_lane(test, lists),
        }
    }
}
