//! The walks over one patient's evaluated conditions that explain a result: which unknown
//! facts keep a value open (`open_walk`, step 2 of the open-question definition) and which
//! facts decided it (`deciding_walk`, a report's `decided_by`). Both read the same ops as the
//! evaluator, with a memo indexed by op position so shared parts are evaluated once.

use super::{Patient, Scope};
use crate::bits::BitSet;
use crate::lanes::OpMemo;
use crate::program::Kind;
use crate::ruleset::Ruleset;
use crate::tri::Tri;
use alloc::vec::Vec;

/// The ops a walk still has to visit. The walks push and pop once per op visited, and in the
/// size-optimised WASM build `Vec::pop` was a call: here the pop is inlined and the push is
/// one small function (inlining it too made the `.wasm` 185 B larger for 1–3 % fewer
/// instructions). Its slots are kept between walks, so a push only grows the vector the
/// first time a walk goes that deep.
#[derive(Debug, Clone, Default)]
pub(crate) struct OpStack {
    slots: Vec<u32>,
    len: usize,
}

impl OpStack {
    /// Adds `p` on top (not inlined: see above).
    #[inline(never)]
    pub(crate) fn push(&mut self, p: u32) {
        if let Some(slot) = self.slots.get_mut(self.len) {
            *slot = p;
        } else {
            self.slots.push(p);
        }
        self.len += 1;
    }

    /// Takes the op on top.
    #[inline(always)]
    pub(crate) fn pop(&mut self) -> Option<u32> {
        let top = self.len.checked_sub(1)?;
        self.len = top;
        self.slots.get(top).copied()
    }

    /// Empties the stack (its slots are kept).
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }
}

/// The named conditions (or tables) a walk has pushed, each marked with the number of the
/// last walk that pushed it: starting a walk is one increment, where clearing a bit set was a
/// call per walk, two walks per requirement of a report.
#[derive(Debug, Clone, Default)]
pub(crate) struct Seen {
    walk: Vec<u32>,
    now: u32,
}

impl Seen {
    /// Starts a walk over `n` items: none pushed yet (inlined: two per walk).
    #[inline(always)]
    fn start(&mut self, n: usize) {
        if self.walk.len() != n || self.now == u32::MAX {
            self.walk.clear();
            self.walk.resize(n, 0);
            self.now = 0;
        }
        self.now += 1;
    }

    /// Marks item `i` pushed in this walk; whether it was not yet (false out of range, where
    /// there is nothing to push).
    fn insert(&mut self, i: usize) -> bool {
        match self.walk.get_mut(i) {
            Some(mark) if *mark != self.now => {
                *mark = self.now;
                true
            }
            _ => false,
        }
    }
}

/// Reusable buffers for the walks and the open questions.
#[derive(Debug, Clone, Default)]
pub(crate) struct Work {
    /// Ops still to visit.
    pub stack: OpStack,
    seen_d: Seen,
    seen_t: Seen,
    /// Facts found by the last walk.
    pub found: BitSet,
    /// Open-question candidates.
    pub open: BitSet,
    /// Candidates after `asked_when` gating.
    pub gated: BitSet,
    pub todo: Vec<usize>,
    /// Facts already queued by the gating pass.
    pub seen_g: BitSet,
    /// The open questions, in asking order.
    pub order: Vec<u32>,
    /// Op values of the current patient, filled lazily by the walks.
    pub memo: OpMemo,
    /// The checklist's facts whose question is hidden (`asked_when` false), in schema order.
    pub hidden: Vec<u32>,
    /// Per fact, the requirements its open question affects (kept between reports so their
    /// sets are allocated once).
    affects: Vec<BitSet>,
    /// The facts whose `affects` set the last report may have filled (every other set is
    /// empty), so the next report empties only those.
    affected: BitSet,
}

impl Work {
    /// The open questions of the last assessment, in asking order.
    pub(crate) fn order(&self) -> &[u32] {
        &self.order
    }

    /// Takes the per-fact affects sets, each empty, for `facts` facts; [`Work::give_affects`]
    /// takes them back when the report is written. Only the sets the last report may have
    /// filled are emptied (sized for `reqs` requirements), where emptying every set was a
    /// call per fact: a national report has 112 facts and a handful of open questions.
    pub(crate) fn take_affects(&mut self, facts: usize, reqs: usize) -> Vec<BitSet> {
        let mut affects = core::mem::take(&mut self.affects);
        if affects.len() == facts {
            self.affected.each(|f| {
                if let Some(set) = affects.get_mut(f) {
                    set.reset(reqs);
                }
            });
        } else {
            affects.clear();
            affects.resize_with(facts, BitSet::default);
        }
        affects
    }

    /// Takes back the affects sets once the gating pass has run: the requirements' walks fill
    /// the sets of open candidates and the gating pass those of the facts its gates read, and
    /// it has seen every one of them (`seen_g`).
    pub(crate) fn give_affects(&mut self, affects: Vec<BitSet>) {
        self.affects = affects;
        self.affected.reset(self.affects.len());
        self.affected.union_with(&self.seen_g);
    }

    /// Starts a walk: no facts found, nothing to visit (inlined: one per walk).
    #[inline(always)]
    pub(crate) fn start(&mut self, facts: usize) {
        self.found.reset(facts);
        self.stack.clear();
    }
}

/// Walks one patient's evaluated conditions.
pub(crate) struct Walker<'a> {
    pub rs: &'a Ruleset,
    pub scope: Scope<'a, Tri, Patient<'a>>,
}

impl Walker<'_> {
    /// The value of the op at `p`, remembered.
    #[inline(always)]
    pub(crate) fn eval(&self, p: u32, memo: &mut OpMemo) -> Tri {
        self.rs.prog.eval_memo(p as usize, &self.scope, memo)
    }

    /// As [`Walker::eval`], with the remembered value read in place (inlined, for the walks'
    /// loops, which mostly ask for values they have); only a miss calls the evaluator.
    #[inline(always)]
    fn known(&self, p: u32, memo: &mut OpMemo) -> Tri {
        match crate::lanes::Memo::get(memo, p as usize) {
            Some(v) => v,
            None => self.eval(p, memo),
        }
    }

    /// Pushes a named condition's root once per walk.
    fn push_derived(&self, d: usize, work: &mut Work) {
        if work.seen_d.insert(d) {
            if let Some((_, root)) = self.rs.derived.get(d) {
                work.stack.push(*root);
            }
        }
    }

    /// Pushes the unknown rows of a table, up to its first true row.
    pub(crate) fn push_open_rows(&self, t: usize, work: &mut Work) {
        let Some(table) = self.rs.tables.get(t) else {
            return;
        };
        for row in &table.rows {
            match self.eval(row.when, &mut work.memo) {
                Tri::Unknown => work.stack.push(row.when),
                Tri::True => break,
                Tri::False => {}
            }
        }
    }

    /// Pushes the decided rows of a table up to (and including) its first true row.
    pub(crate) fn push_decided_rows(&self, t: usize, work: &mut Work) {
        let Some(table) = self.rs.tables.get(t) else {
            return;
        };
        for row in &table.rows {
            let v = self.eval(row.when, &mut work.memo);
            if v != Tri::Unknown {
                work.stack.push(row.when);
            }
            if v == Tri::True {
                break;
            }
        }
    }

    fn reset_seen(&self, work: &mut Work) {
        work.seen_d.start(self.rs.derived.len());
        work.seen_t.start(self.rs.tables.len());
    }

    /// Adds to `work.found` the facts test `t` reads that are unknown. Written out for the (at
    /// most two) facts: an iterator here was a call per fact in the size-optimised WASM build.
    fn unknown_facts(&self, t: &crate::program::Test, work: &mut Work) {
        let values = self.scope.facts.values;
        let unknown = |f: &u32| values.get(*f as usize).is_none_or(Option::is_none);
        let [first, second] = t.facts();
        if let Some(f) = first.filter(unknown) {
            work.found.insert(f as usize);
        }
        if let Some(f) = second.filter(unknown) {
            work.found.insert(f as usize);
        }
    }

    /// Adds to `work.found` the unknown facts reachable through unknown parts of the ops on
    /// `work.stack`.
    pub(crate) fn open_walk(&self, work: &mut Work) {
        self.reset_seen(work);
        while let Some(p) = work.stack.pop() {
            if self.known(p, &mut work.memo) != Tri::Unknown {
                continue;
            }
            let Some(op) = self.rs.prog.op(p as usize) else {
                continue;
            };
            match op.kind {
                Kind::Test(t) => self.unknown_facts(&t, work),
                Kind::Ref(d) => self.push_derived(d as usize, work),
                Kind::Decision { table, .. } => {
                    if work.seen_t.insert(table as usize) {
                        self.push_open_rows(table as usize, work);
                    }
                }
                Kind::Join(_) => {
                    for c in self.rs.prog.children(p as usize) {
                        // A leaf is read here, where pushing it cost a push, a pop and a
                        // memo read: its unknown facts when it is unknown.
                        match self.rs.prog.op(c).map(|op| &op.kind) {
                            Some(Kind::Test(t)) => {
                                if self.known(c as u32, &mut work.memo) == Tri::Unknown {
                                    self.unknown_facts(t, work);
                                }
                            }
                            _ => work.stack.push(u32::try_from(c).unwrap_or(u32::MAX)),
                        }
                    }
                }
                Kind::Const(_) => {}
            }
        }
    }

    /// Adds to `work.found` the facts read by the parts of the (decided) ops on `work.stack`
    /// that decide their values.
    pub(crate) fn deciding_walk(&self, work: &mut Work) {
        self.reset_seen(work);
        while let Some(p) = work.stack.pop() {
            let v = self.known(p, &mut work.memo);
            if v == Tri::Unknown {
                continue;
            }
            let Some(op) = self.rs.prog.op(p as usize) else {
                continue;
            };
            match op.kind {
                Kind::Test(t) => work.found.insert_test(&t),
                Kind::Join(j) => {
                    use crate::program::Join;
                    // Every part decides a true `all` and a false `any`; otherwise only the
                    // parts with the composite's own value (for `not`: its one part).
                    let every = matches!(
                        (j, v),
                        (Join::All, Tri::True) | (Join::Any, Tri::False) | (Join::Not, _)
                    );
                    // `p` has a value, so every op below it has one too (a memo fill
                    // covers an op's whole subtree): the children are read, not evaluated.
                    for c in self.rs.prog.children(p as usize) {
                        let value = work.memo.tri(c);
                        if every || value == v {
                            // A leaf's facts are found here, where pushing it cost a push, a
                            // pop and a memo read (a chosen child is decided, as its parent).
                            match self.rs.prog.op(c).map(|op| &op.kind) {
                                Some(Kind::Test(t)) => work.found.insert_test(t),
                                _ => work.stack.push(u32::try_from(c).unwrap_or(u32::MAX)),
                            }
                        }
                    }
                }
                Kind::Ref(d) => self.push_derived(d as usize, work),
                Kind::Decision { table, .. } => {
                    if work.seen_t.insert(table as usize) {
                        self.push_decided_rows(table as usize, work);
                    }
                }
                Kind::Const(_) => {}
            }
        }
    }
}
