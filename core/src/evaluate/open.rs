//! Open questions: the minimal, ordered list of unknown facts whose answers could change the
//! verdict, a blocker or a safeguarding hold (docs/report-format.md gives the definition):
//! roots are the blockers and holds whose status is unknown; only their unknown parts are
//! walked; candidates are gated by `asked_when` (the gate is asked first); the questions are
//! ordered by section, then schema order.

use super::walk::{Walker, Work};
use super::{Judged, Patient, Scope, Scratch};
use crate::bits::BitSet;
use crate::compile::Plan;
use crate::facts::Facts;
use crate::ruleset::Ruleset;
use crate::tri::Tri;
use alloc::vec::Vec;

/// The `asked_when` values a session holds for [`Ruleset::hidden_into`]: each fact's gate
/// value from the last call (indexed by fact; empty for none) and, when that call was on the
/// same plan and as-of date, the facts changed since (a gate that reads none of them keeps
/// its value).
pub(crate) struct HeldGates<'a> {
    pub values: &'a mut [Tri],
    pub changed: Option<&'a BitSet>,
}

impl HeldGates<'_> {
    /// Nothing held: every gate is evaluated.
    pub(crate) fn none() -> HeldGates<'static> {
        HeldGates {
            values: &mut [],
            changed: None,
        }
    }
}

impl Ruleset {
    /// The open questions of the patient just assessed into `s`, in asking order, and the
    /// hidden questions (`work.hidden`).
    pub(crate) fn open_questions_into(
        &self,
        plan: &Plan,
        facts: &Facts,
        s: &mut Scratch,
        held: HeldGates<'_>,
    ) {
        let Scratch {
            values,
            judged,
            work,
        } = s;
        work.memo.reset(self.prog.ops.len());
        let patient = Patient::of(facts);
        let w = Walker {
            rs: self,
            scope: Scope {
                rs: self,
                facts: &patient,
                values,
            },
        };
        self.candidates(plan, judged, &w, work);
        self.gate(&w, work, None);
        self.order_open(work);
        self.hidden_into(plan, &w, work, held);
    }

    /// The checklist's facts whose question is hidden (`asked_when` false), in schema order,
    /// into `work.hidden`. Each gate is evaluated on its own, short-circuiting and without the
    /// memo: nothing walks the gates after this last step, and filling each gate's whole
    /// subtree into the memo cost a national session update 4 % more instructions. Strong
    /// Kleene values do not depend on short-circuiting, so each is the value the memo has.
    /// Gates in `held` that read no changed fact keep their values; the others are
    /// evaluated and kept there for the next call.
    pub(crate) fn hidden_into(
        &self,
        plan: &Plan,
        w: &Walker<'_>,
        work: &mut Work,
        held: HeldGates<'_>,
    ) {
        let HeldGates {
            values: held,
            changed,
        } = held;
        work.hidden.clear();
        for &f in &plan.facts {
            let Some(g) = self.facts.get(f).and_then(|d| d.asked_when) else {
                continue;
            };
            let slot = held.get_mut(f);
            let value = match (slot, changed) {
                (Some(v), Some(c)) if !self.reads.gate_reads(f, c) => *v,
                (slot, _) => {
                    let v = self.prog.eval(g, &w.scope);
                    if let Some(s) = slot {
                        *s = v;
                    }
                    v
                }
            };
            if value == Tri::False {
                work.hidden.push(u32::try_from(f).unwrap_or(u32::MAX));
            }
        }
    }

    /// The roots of a requirement that is open: its unknown `applies_when` and `met_when`.
    /// Nothing for a decided requirement or an advisory (it never changes the verdict).
    fn open_roots(&self, i: usize, j: &Judged<Tri>, work: &mut Work) -> bool {
        let Some(r) = self.reqs.get(i) else {
            return false;
        };
        if !r.kind.counts_toward_verdict() || j.status() != crate::Status::Unknown {
            return false;
        }
        if let Some(a) = r.applies.filter(|_| j.applies == Tri::Unknown) {
            work.stack.push(a);
        }
        if j.met == Tri::Unknown {
            work.stack.push(r.met);
        }
        true
    }

    /// Steps 1–2: the candidates, into `work.open`: one walk from every open root, so
    /// sub-conditions and tables shared between requirements are walked once.
    pub(crate) fn candidates(
        &self,
        plan: &Plan,
        judged: &[Judged<Tri>],
        w: &Walker<'_>,
        work: &mut Work,
    ) {
        let n = self.facts.len();
        work.open.reset(n);
        work.start(n);
        for (&i, j) in plan.reqs.iter().zip(judged) {
            self.open_roots(i, j, work);
        }
        w.open_walk(work);
        work.open.union_with(&work.found);
    }

    /// Steps 1–2 for one requirement of a report, right after its walk: an open blocker or
    /// hold was walked from its open roots (the same walk as [`Ruleset::candidates`]'), so its
    /// unknown facts in `work.found` are candidates, each affecting requirement `i`. Call with
    /// `work.open` reset before the first requirement.
    pub(crate) fn note_open(
        &self,
        i: usize,
        j: &Judged<Tri>,
        work: &mut Work,
        affects: &mut [BitSet],
    ) {
        let open = self
            .reqs
            .get(i)
            .is_some_and(|r| r.kind.counts_toward_verdict());
        if !open || j.status() != crate::Status::Unknown {
            return;
        }
        work.open.union_with(&work.found);
        work.found.each(|f| {
            if let Some(v) = affects.get_mut(f) {
                v.insert(i);
            }
        });
    }

    /// Step 3: gates `work.open` by `asked_when` into `work.gated`; with `affects`, moves each
    /// candidate's affects onto the questions that replace it.
    pub(crate) fn gate(
        &self,
        w: &Walker<'_>,
        work: &mut Work,
        mut affects: Option<&mut Vec<BitSet>>,
    ) {
        let n = self.facts.len();
        work.gated.reset(n);
        work.todo.clear();
        let todo = &mut work.todo;
        work.open.each(|f| todo.push(f));
        let mut seen = core::mem::take(&mut work.seen_g);
        seen.reset(n);
        seen.union_with(&work.open);
        while let Some(f) = work.todo.pop() {
            let gate = self.facts.get(f).and_then(|d| d.asked_when);
            let value = gate.map_or(Tri::True, |g| w.eval(g, &mut work.memo));
            match (value, gate) {
                (Tri::True, _) | (_, None) => {
                    work.gated.insert(f);
                }
                (Tri::False, _) => {}
                (Tri::Unknown, Some(g)) => {
                    work.start(n);
                    work.stack.push(g);
                    w.open_walk(work);
                    if let Some(m) = affects.as_deref_mut() {
                        let from = m.get(f).cloned().unwrap_or_default();
                        work.found.each(|gf| {
                            if let Some(v) = m.get_mut(gf) {
                                v.union_with(&from);
                            }
                        });
                    }
                    let todo = &mut work.todo;
                    work.found.each(|gf| {
                        if seen.insert(gf) {
                            todo.push(gf);
                        }
                    });
                }
            }
        }
        work.seen_g = seen;
    }

    /// Step 4: `work.gated` in asking order (by section, then schema order) into `work.order`.
    pub(crate) fn order_open(&self, work: &mut Work) {
        work.order.clear();
        // A plain loop with the bit read in place: the filtered iterator cost two calls per
        // fact in the size-optimised WASM build, and `BitSet::contains` one.
        let words = work.gated.words();
        for &f in &self.asking {
            let i = f as usize;
            if words.get(i / 64).is_some_and(|w| (w >> (i % 64)) & 1 == 1) {
                work.order.push(f);
            }
        }
    }
}
