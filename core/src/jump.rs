//! Short-circuit jump code: how one patient's conditions are evaluated.
//!
//! Every top-level condition of the [`Program`] (and every part of an `at_least`) is also laid
//! out, at load, as jump code over its leaves: each step reads one leaf (a test, a named
//! condition, a table decision, or an `at_least`, whose parts have code of their own) and says
//! where to go when the leaf is true and where when it is false. `all`, `any` and `not`
//! disappear into the targets (a `not` swaps them), and constants into the entries; one
//! patient's value of a condition is then one loop over the leaves it needs, without
//! recursion or a visit to any composite (73 leaf steps per patient on the benchmark
//! workload, where the recursive walk made 139 op visits).
//!
//! Kleene values come from at most two boolean passes over the same code. A formula built from
//! `all`, `any` and `not` over leaves is, once its negations are pushed to the leaves,
//! monotone; its strong Kleene value is therefore true exactly when it is true with every
//! unknown leaf read as false (in negation normal form), and false exactly when it is false
//! with every unknown leaf read as true. A leaf under an odd number of `not`s is negated in
//! that form, so "read as false" means following its true target. The first pass decides true;
//! when it ends false having read no unknown leaf, a second pass would retrace it, so the value
//! is false; otherwise the second pass decides false or unknown.
//!
//! The leaves' meaning stays [`Test::eval`](crate::program::Test::eval) and the Kleene
//! `at_least` of [`Lanes`]; what is laid out here is only the order of evaluation. The batch
//! path and the explaining walks keep the recursive and memoised evaluators of
//! [`Program`]; `tests/tests/laws.rs` (law f) checks that all three agree on random rulesets
//! (with `not`, `at_least`, named conditions, tables and dates) and random partial patients.

use crate::lanes::Lanes;
use crate::program::{Join, Kind, Program, Source};
use crate::tri::Tri;
use alloc::vec::Vec;

/// Where the code ends true.
const YES: u32 = u32::MAX;
/// Where the code ends false.
const NO: u32 = u32::MAX - 1;
/// An op with no jump code of its own (inside a condition).
const NONE: u32 = u32::MAX - 2;

/// One step: the leaf read, and where to go next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    /// The leaf: a test, `Ref`, `Decision` or `at_least` (whose parts have code of their own).
    kind: Kind,
    /// The leaf's op.
    op: u32,
    /// The next step when the leaf is true (or [`YES`] / [`NO`]).
    t: u32,
    /// The next step when the leaf is false.
    f: u32,
    /// Whether the leaf is under an odd number of `not`s.
    odd: bool,
}

/// The jump code of a program's conditions.
#[derive(Debug, Clone, Default)]
pub(crate) struct Code {
    steps: Vec<Step>,
    /// Per op: the entry step of its jump code ([`YES`] or [`NO`] for a constant), for every
    /// top-level condition and every part of an `at_least`; [`NONE`] for the other ops.
    entry: Vec<u32>,
}

impl Code {
    /// Lays out the jump code of every top-level condition of `prog`.
    pub(crate) fn of(prog: &Program) -> Code {
        let mut code = Code {
            steps: Vec::new(),
            entry: alloc::vec![NONE; prog.ops.len()],
        };
        // Children waiting to be laid out, last on top (shared by every level: each takes its
        // own off before returning).
        let mut stack = Vec::new();
        let mut p = 0;
        while let Some(op) = prog.ops.get(p) {
            code.root(prog, p, &mut stack);
            p = (op.end as usize).max(p + 1);
        }
        code
    }

    /// Lays out the condition rooted at `p` on its own, and records its entry.
    fn root(&mut self, prog: &Program, p: usize, stack: &mut Vec<usize>) {
        let at = self.lay(prog, p, YES, NO, false, stack);
        if let Some(e) = self.entry.get_mut(p) {
            *e = at;
        }
    }

    /// Lays out the op at `p` to go to `t` when true and `f` when false, and returns its
    /// entry. Children are laid out last first, so each knows where its next sibling starts.
    /// Recursion depth is bounded by the nesting limit enforced at load (and, for a ruleset
    /// read back from its binary form, by `compiled::MAX_OP_DEPTH`).
    fn lay(
        &mut self,
        prog: &Program,
        p: usize,
        t: u32,
        f: u32,
        odd: bool,
        stack: &mut Vec<usize>,
    ) -> u32 {
        let Some(op) = prog.ops.get(p) else {
            return f;
        };
        match op.kind {
            Kind::Const(b) => {
                if b {
                    t
                } else {
                    f
                }
            }
            Kind::Join(Join::Not) => self.lay(prog, p + 1, f, t, !odd, stack),
            Kind::Join(j @ (Join::All | Join::Any)) => {
                // Pushed in order and popped last first, down to this level's mark.
                let mark = stack.len();
                for c in prog.children(p) {
                    stack.push(c);
                }
                let all = j == Join::All;
                let mut next = if all { t } else { f };
                while stack.len() > mark {
                    let Some(c) = stack.pop() else { break };
                    let (ct, cf) = if all { (next, f) } else { (t, next) };
                    next = self.lay(prog, c, ct, cf, odd, stack);
                }
                next
            }
            kind => {
                if let Kind::Join(Join::AtLeast(_)) = kind {
                    for c in prog.children(p) {
                        self.root(prog, c, stack);
                    }
                }
                let at = u32::try_from(self.steps.len()).unwrap_or(NONE);
                self.steps.push(Step {
                    kind,
                    op: u32::try_from(p).unwrap_or(u32::MAX),
                    t,
                    f,
                    odd,
                });
                at
            }
        }
    }

    /// The strong Kleene value for one patient of the condition rooted at `root` (a top-level
    /// condition; see the module header): a first pass with unknown leaves read as false (in
    /// negation normal form), then, only when it ends false having read an unknown leaf, a
    /// second with them read as true, which starts where the first read its first unknown
    /// leaf (up to there the two passes are the same). An op with no code is unknown (every
    /// root has code: see [`Code::of`]).
    pub(crate) fn eval<S: Source<Tri>>(&self, prog: &Program, root: u32, s: &S) -> Tri {
        let entry = self.entry.get(root as usize).copied().unwrap_or(NONE);
        if entry == NONE {
            return Tri::Unknown;
        }
        let (mut at, mut second, mut first_unknown) = (entry, false, NONE);
        loop {
            while let Some(step) = self.steps.get(at as usize) {
                let v = match &step.kind {
                    Kind::Test(t) => s.test(t, &prog.lists),
                    Kind::Ref(d) => s.derived(*d),
                    Kind::Decision { table, mask } => s.decision(*table, *mask),
                    Kind::Join(Join::AtLeast(n)) => {
                        let mut tally = <Tri as Lanes>::Tally::default();
                        for c in prog.children(step.op as usize) {
                            let part =
                                u32::try_from(c).map_or(Tri::Unknown, |c| self.eval(prog, c, s));
                            <Tri as Lanes>::tally(&mut tally, part);
                        }
                        <Tri as Lanes>::at_least(*n, &tally)
                    }
                    Kind::Join(_) | Kind::Const(_) => Tri::Unknown,
                };
                let b = match v {
                    Tri::True => true,
                    Tri::False => false,
                    Tri::Unknown => {
                        if first_unknown == NONE {
                            first_unknown = at;
                        }
                        second ^ step.odd
                    }
                };
                at = if b { step.t } else { step.f };
            }
            if at == YES {
                return if second { Tri::Unknown } else { Tri::True };
            }
            if second || first_unknown == NONE {
                return Tri::False;
            }
            // The second pass would retrace the first up to its first unknown leaf: it goes on
            // from there, with that leaf read as true (in negation normal form).
            second = true;
            at = match self.steps.get(first_unknown as usize) {
                Some(step) if step.odd => step.f,
                Some(step) => step.t,
                None => return Tri::Unknown,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    //! A ruleset read back from its binary form runs the jump code `load` lays out: the code
    //! is not in the binary form, and is laid out again on reading.
    #![allow(clippy::unwrap_used, reason = "test: a failure is the test failing")]

    use crate::Ruleset;

    #[test]
    fn read_back_code_is_laid_out_as_load_lays_it_out() {
        for rs in [
            Ruleset::national().unwrap(),
            Ruleset::national_with(&["norfolk"]).unwrap(),
        ] {
            let back = Ruleset::from_compiled(&rs.to_compiled()).unwrap();
            assert!(!rs.prog.code.steps.is_empty());
            assert_eq!(back.prog.code.steps, rs.prog.code.steps);
            assert_eq!(back.prog.code.entry, rs.prog.code.entry);
        }
    }
}
