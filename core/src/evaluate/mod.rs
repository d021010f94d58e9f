//! Evaluation, written once for every path: named conditions and tables in dependency order
//! (first hit, Kleene-aware), requirement status and the verdict, generic over the lane (one
//! patient's [`Tri`], or 64 patients' [`Mask`](crate::lanes::Mask) in the batch path). See
//! docs/report-format.md for the exact definitions.
//!
//! Two levels for one patient: [`Evaluator::assess`] computes the verdict, statuses, decisions
//! and open questions into reusable buffers with no per-call allocation once warm (for bulk
//! use and sessions); [`Ruleset::evaluate`] builds the full [`Report`](crate::Report) on top
//! (`build.rs`), with the walks of `walk.rs` and the open questions of `open.rs`.

mod assess;
mod build;
mod incremental;
mod open;
mod walk;

pub use assess::{Assessment, Evaluator};

pub(crate) use incremental::{FactReads, Reassessor};
pub(crate) use walk::Work;

use crate::compile::{Item, Plan, Requirement, Table};
use crate::facts::Facts;
use crate::lanes::Lanes;
use crate::program::{Source, Test, Val};
use crate::report::{Status, Verdict};
use crate::ruleset::Ruleset;
use crate::tri::Tri;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Values of named conditions and tables, per lane: for each table, per output, the lanes
/// where that output is still possible.
#[derive(Debug, Clone)]
pub(crate) struct Values<L: Lanes> {
    pub derived: Vec<L>,
    pub outs: Vec<L::Set>,
    /// The outputs of the table being run, apart from `outs` while its rows (which may read
    /// earlier tables' outputs) are evaluated.
    spare: Vec<L::Set>,
}

impl<L: Lanes> Default for Values<L> {
    fn default() -> Self {
        Values {
            derived: Vec::new(),
            outs: Vec::new(),
            spare: Vec::new(),
        }
    }
}

/// Reads a patient's facts, per lane: the leaf tests.
pub(crate) trait FactSource<L: Lanes> {
    /// A leaf test's value.
    fn test(&self, test: &Test, lists: &[Box<[Val]>]) -> L;
}

/// One patient's answers and as-of date, as the evaluator reads them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Patient<'a> {
    pub values: &'a [Option<Val>],
    pub as_of: Option<Val>,
}

impl<'a> Patient<'a> {
    pub(crate) fn of(facts: &'a Facts) -> Self {
        Patient {
            values: &facts.values,
            as_of: facts.as_of.map(|d| Val::from(d.days())),
        }
    }
}

impl FactSource<Tri> for Patient<'_> {
    #[inline(always)]
    fn test(&self, test: &Test, lists: &[Box<[Val]>]) -> Tri {
        test.eval(
            |f| self.values.get(f as usize).copied().flatten(),
            self.as_of,
            lists,
        )
    }
}

/// What conditions read while a plan runs: the facts, and the named conditions and tables
/// already evaluated.
pub(crate) struct Scope<'a, L: Lanes, F> {
    pub rs: &'a Ruleset,
    pub facts: &'a F,
    pub values: &'a Values<L>,
}

impl<L: Lanes, F: FactSource<L>> Source<L> for Scope<'_, L, F> {
    #[inline(always)]
    fn test(&self, test: &Test, lists: &[Box<[Val]>]) -> L {
        self.facts.test(test, lists)
    }

    #[inline]
    fn derived(&self, d: u32) -> L {
        self.values
            .derived
            .get(d as usize)
            .copied()
            .unwrap_or(L::UNKNOWN)
    }

    #[inline]
    fn decision(&self, table: u32, mask: u64) -> L {
        let outs = self
            .rs
            .tables
            .get(table as usize)
            .map_or(&[][..], |t| self.values.outs_of(t));
        decision(outs, mask)
    }
}

impl<L: Lanes> Values<L> {
    /// Table `t`'s per-output lanes.
    pub(crate) fn outs_of(&self, t: &Table) -> &[L::Set] {
        self.outs.get(t.at..t.at + t.outputs.len()).unwrap_or(&[])
    }
}

/// Whether a table's output is one of the outputs in `mask`, per lane: true where every
/// output still possible is in it, false where none is, unknown otherwise (and where the
/// table was not evaluated).
pub(crate) fn decision<L: Lanes>(outs: &[L::Set], mask: u64) -> L {
    let (mut inside, mut outside) = (L::NONE, L::NONE);
    let mut rest = mask;
    for &lanes in outs {
        let picked = L::every_if(rest & 1 == 1);
        inside = inside | (lanes & picked);
        outside = outside | (lanes & !picked);
        rest >>= 1;
    }
    let evaluated = inside | outside;
    L::from_sets(evaluated & !outside, evaluated & !inside)
}

/// Sets `v` to `n` copies of `x`: one fill once sized (every call after the first).
fn reset<T: Copy + PartialEq>(v: &mut Vec<T>, n: usize, x: T) {
    if v.len() == n {
        fill_short(v, x);
    } else {
        v.clear();
        v.resize(n, x);
    }
}

/// Sets every element of a short slice to `x`, storing only where it differs. The slices
/// here (named conditions, table outputs) are a few elements, reset once per patient, where a
/// `fill` or `copy_from_slice` compiles to a `memset`/`memcpy` call (`memory.fill`/`memory.copy`
/// in WASM) that costs more than the stores. (The same change to the walks' bit sets took a
/// native report on the shared workload from 12.7 to 7.6 µs on the 2-core CI machine, whose
/// glibc picks AVX-512 `memset`.)
pub(crate) fn fill_short<T: Copy + PartialEq>(s: &mut [T], x: T) {
    for v in s.iter_mut().filter(|v| **v != x) {
        *v = x;
    }
}

/// Copies `from` into `to` (the shorter length) without a `memcpy` call (see [`fill_short`]).
fn copy_short<T: Copy + PartialEq>(to: &mut [T], from: &[T]) {
    for (t, f) in to.iter_mut().zip(from) {
        if *t != *f {
            *t = *f;
        }
    }
}

/// A requirement's Kleene values for each lane: `applies_when` and `met_when` (the latter
/// unknown, and never read, where the requirement does not apply).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Judged<L: Lanes> {
    pub applies: L,
    pub met: L,
}

impl<L: Lanes> Judged<L> {
    /// Lanes where it is not applicable: `applies_when` is false.
    pub(crate) fn not_applicable(&self) -> L::Set {
        self.applies.f()
    }

    /// Lanes where it is met: `met_when` is true and `applies_when` is not false.
    pub(crate) fn met(&self) -> L::Set {
        !self.applies.f() & self.met.t()
    }

    /// Lanes where it is not met: it applies and `met_when` is false (it blocks).
    pub(crate) fn not_met(&self) -> L::Set {
        self.applies.t() & self.met.f()
    }

    /// Lanes where its status is unknown.
    pub(crate) fn unknown(&self) -> L::Set {
        !(self.not_applicable() | self.met() | self.not_met())
    }
}

/// A status from the lanes a requirement is in (at most one of them).
pub(crate) fn status_of(not_applicable: bool, met: bool, not_met: bool) -> Status {
    match (not_applicable, met, not_met) {
        (true, _, _) => Status::NotApplicable,
        (_, true, _) => Status::Met,
        (_, _, true) => Status::NotMet,
        _ => Status::Unknown,
    }
}

/// `status_of(…).code()` without branches, for writing the codes of 64 patients at a time
/// (met 0, not met 1, unknown 2, not applicable 3; the sets are disjoint). Tested equal to
/// [`status_of`] on every combination.
#[inline(always)]
pub(crate) fn status_code(not_applicable: bool, met: bool, not_met: bool) -> u32 {
    2 + u32::from(not_applicable) - 2 * u32::from(met) - u32::from(not_met)
}

#[cfg(test)]
mod tests {
    use super::{status_code, status_of};

    #[test]
    fn the_branchless_status_code_is_the_status() {
        for (na, met, nm) in [
            (false, false, false),
            (true, false, false),
            (false, true, false),
            (false, false, true),
        ] {
            assert_eq!(status_code(na, met, nm), status_of(na, met, nm).code());
        }
    }
}

impl Judged<Tri> {
    /// The status for the one patient.
    pub(crate) fn status(&self) -> Status {
        status_of(self.not_applicable(), self.met(), self.not_met())
    }
}

/// A requirement's values, with `eval` giving the value of a condition's root op (the
/// explaining walks'; [`Ruleset::judge`] spells the same rule out with the evaluation called
/// in place, and law (f) of `tests/tests/laws.rs` checks the two agree).
pub(crate) fn judge_by<L: Lanes>(r: &Requirement, mut eval: impl FnMut(u32) -> L) -> Judged<L> {
    let applies = r.applies.map_or(L::TRUE, &mut eval);
    // Where it does not apply, it is not applicable whatever `met_when` says.
    let met = if applies.f() == L::EVERY {
        L::UNKNOWN
    } else {
        eval(r.met)
    };
    Judged { applies, met }
}

/// The verdict from whether a blocker or hold is not met, and whether one is unknown.
pub(crate) fn verdict_of(not_met: bool, unknown: bool) -> Verdict {
    if not_met {
        Verdict::NotReady
    } else if unknown {
        Verdict::Undetermined
    } else {
        Verdict::Ready
    }
}

impl Ruleset {
    /// Evaluates the named conditions and tables of a plan, in order, for every lane.
    pub(crate) fn run<L: Lanes, F: FactSource<L>>(
        &self,
        items: &[Item],
        facts: &F,
        v: &mut Values<L>,
    ) {
        reset(&mut v.derived, self.derived.len(), L::UNKNOWN);
        reset(&mut v.outs, self.outs_len, L::NONE);
        for &item in items {
            self.run_item(item, facts, v);
        }
    }

    /// Evaluates one named condition or table into `v`, for every lane (those it reads are
    /// already in `v`).
    fn run_item<L: Lanes, F: FactSource<L>>(&self, item: Item, facts: &F, v: &mut Values<L>) {
        match item {
            Item::Derived(i) => {
                let x = match self.derived.get(i) {
                    Some((_, root)) => self.prog.eval(
                        *root,
                        &Scope {
                            rs: self,
                            facts,
                            values: v,
                        },
                    ),
                    None => L::UNKNOWN,
                };
                if let Some(slot) = v.derived.get_mut(i) {
                    *slot = x;
                }
            }
            Item::Table(t) => {
                let Some(table) = self.tables.get(t) else {
                    return;
                };
                let n = table.outputs.len().min(64);
                let mut spare = core::mem::take(&mut v.spare);
                if spare.len() < n {
                    spare.resize(n, L::NONE);
                }
                if let Some(outs) = spare.get_mut(..n) {
                    fill_short(outs, L::NONE);
                    self.first_hit(
                        table,
                        &Scope {
                            rs: self,
                            facts,
                            values: v,
                        },
                        outs,
                    );
                    if let Some(slot) = v.outs.get_mut(table.at..table.at + n) {
                        copy_short(slot, outs);
                    }
                }
                v.spare = spare;
            }
        }
    }

    /// First hit, Kleene-aware, per lane: a row adds its output where no earlier row was true
    /// and it is not false; the default where no row was true. A lane stops at its first
    /// true row; the table stops once every lane has.
    fn first_hit<L: Lanes, S: Source<L>>(&self, table: &Table, s: &S, outs: &mut [L::Set]) {
        let mut stopped = L::NONE;
        for row in &table.rows {
            let m: L = self.prog.eval(row.when, s);
            if let Some(slot) = outs.get_mut(row.out) {
                *slot = *slot | (!stopped & !m.f());
            }
            stopped = stopped | m.t();
            if stopped == L::EVERY {
                return;
            }
        }
        if let Some(slot) = outs.get_mut(table.default) {
            *slot = *slot | !stopped;
        }
    }

    /// A requirement's values in every lane.
    #[inline(always)]
    pub(crate) fn judge<L: Lanes, S: Source<L>>(&self, r: &Requirement, s: &S) -> Judged<L> {
        // As `judge_by`, with the evaluation called in place: through the closure, each root
        // cost one more call in the size-optimised WASM build.
        let applies = match r.applies {
            Some(a) => self.prog.eval(a, s),
            None => L::TRUE,
        };
        let met = if applies.f() == L::EVERY {
            L::UNKNOWN
        } else {
            self.prog.eval(r.met, s)
        };
        Judged { applies, met }
    }

    /// Judges every requirement of a plan into `judged`, and returns the lanes where a blocker
    /// or hold is not met (not ready) and where one is unknown: the verdict, for every lane.
    pub(crate) fn judge_plan<L: Lanes, S: Source<L>>(
        &self,
        plan: &Plan,
        s: &S,
        judged: &mut Vec<Judged<L>>,
    ) -> (L::Set, L::Set) {
        judged.clear();
        let (mut not_met, mut unknown) = (L::NONE, L::NONE);
        for &i in &plan.reqs {
            let Some(r) = self.reqs.get(i) else {
                judged.push(Judged {
                    applies: L::UNKNOWN,
                    met: L::UNKNOWN,
                });
                continue;
            };
            let j = self.judge(r, s);
            if r.kind.counts_toward_verdict() {
                not_met = not_met | j.not_met();
                unknown = unknown | j.unknown();
            }
            judged.push(j);
        }
        (not_met, unknown)
    }

    /// The core of every one-patient evaluation: values, requirement values and the verdict.
    pub(crate) fn assess_into(&self, plan: &Plan, facts: &Facts, s: &mut Scratch) -> Verdict {
        let patient = Patient::of(facts);
        self.run(&plan.items, &patient, &mut s.values);
        let scope = Scope {
            rs: self,
            facts: &patient,
            values: &s.values,
        };
        let (not_met, unknown) = self.judge_plan(plan, &scope, &mut s.judged);
        verdict_of(not_met, unknown)
    }

    /// As [`Ruleset::assess_into`], with the requirements judged through the walks' memo
    /// (reset here), for reports, which walk every requirement next: each condition is
    /// evaluated once for the verdict and the explanations together.
    pub(crate) fn assess_memo(&self, plan: &Plan, facts: &Facts, s: &mut Scratch) -> Verdict {
        let Scratch {
            values,
            judged,
            work,
        } = s;
        let patient = Patient::of(facts);
        self.run(&plan.items, &patient, values);
        work.memo.reset(self.prog.ops.len());
        let w = walk::Walker {
            rs: self,
            scope: Scope {
                rs: self,
                facts: &patient,
                values,
            },
        };
        // The loop of `judge_plan` with the memo's evaluator. Sharing one generic loop through
        // an `eval` closure was tried: the same results, 479 B more gzipped `.wasm`.
        judged.clear();
        let (mut not_met, mut unknown) = (false, false);
        for &i in &plan.reqs {
            let j = match self.reqs.get(i) {
                Some(r) => {
                    let j = judge_by(r, |root| w.eval(root, &mut work.memo));
                    if r.kind.counts_toward_verdict() {
                        not_met |= j.not_met();
                        unknown |= j.unknown();
                    }
                    j
                }
                None => Judged {
                    applies: Tri::Unknown,
                    met: Tri::Unknown,
                },
            };
            judged.push(j);
        }
        verdict_of(not_met, unknown)
    }

    /// The decided output index of a table, for one patient.
    fn decided(&self, t: usize, values: &Values<Tri>) -> Option<usize> {
        let outs = values.outs_of(self.tables.get(t)?);
        let mut possible = outs.iter().enumerate().filter(|(_, p)| **p);
        match (possible.next(), possible.next()) {
            (Some((o, _)), None) => Some(o),
            _ => None,
        }
    }
}

/// Reusable evaluation buffers of one patient.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    values: Values<Tri>,
    judged: Vec<Judged<Tri>>,
    work: Work,
}
