//! The one compiled form of every condition, and the one evaluator over it.
//!
//! Conditions compile straight into a preorder array of [`Op`]s: each op says what it computes
//! and where its subtree ends, so the children of the op at `p` are `p + 1`, then each child's
//! `end` in turn. Facts, named conditions and tables are resolved to indices at load. Named
//! conditions, table rows, `applies_when`, `met_when` and `asked_when` are roots: positions in
//! the array.
//!
//! [`Program::eval`] is generic over the lane ([`Lanes`]: one patient's [`Tri`], or 64
//! patients' bit masks) and over what it reads ([`Source`]). For 64 lanes it is the recursive
//! walk written here ([`Program::walk`]), where `all`, `any`, `not` and `at_least` are
//! written once; for one patient it runs the same conditions laid out as jump code at load
//! (`jump.rs`), which keeps each leaf's meaning and only changes the order of evaluation. A
//! leaf's meaning for one patient is [`Test::eval`], written once; the batch path reuses it
//! lane by lane for any test it has no bit-plane form for.

use crate::lanes::{Lanes, Memo, NoMemo, OpMemo};
use crate::tri::Tri;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// A known fact value as the evaluator sees it: a bool is 0 or 1, an enum its option index, a
/// set the bit mask of its options, an int its value, a date its day number.
pub(crate) type Val = i64;

/// An integer comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntOp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

impl IntOp {
    /// Whether `x op c` holds.
    #[inline(always)]
    pub(crate) fn holds(self, x: Val, c: Val) -> bool {
        match self {
            IntOp::Eq => x == c,
            IntOp::Ne => x != c,
            IntOp::Lt => x < c,
            IntOp::Lte => x <= c,
            IntOp::Gt => x > c,
            IntOp::Gte => x >= c,
        }
    }

    /// The operator in symbols, for explanations.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            IntOp::Eq => "=",
            IntOp::Ne => "≠",
            IntOp::Lt => "<",
            IntOp::Lte => "≤",
            IntOp::Gt => ">",
            IntOp::Gte => "≥",
        }
    }
}

/// The other side of a date comparison that is not a constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Term {
    /// Another date fact.
    Fact(u32),
    /// The as-of date of the evaluation (unknown when the caller gave none).
    AsOf,
}

impl Term {
    /// The term's day number for one patient.
    #[inline(always)]
    fn value(self, read: &impl Fn(u32) -> Option<Val>, as_of: Option<Val>) -> Option<Val> {
        match self {
            Term::Fact(f) => read(f),
            Term::AsOf => as_of,
        }
    }
}

/// A leaf: a test of one patient's facts. Every variant starts with the fact it reads, at the
/// same place (`repr(u8)`), so reading it is one load whatever the test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Test {
    /// A bool fact equals `want`.
    Bool { fact: u32, want: bool },
    /// An enum fact's option is in the mask (`eq`, `ne` and `in` all compile to this).
    EnumIn { fact: u32, mask: u64 },
    /// A set fact equals exactly this mask.
    SetEq { fact: u32, mask: u64 },
    /// A set fact differs from this mask.
    SetNe { fact: u32, mask: u64 },
    /// A set fact contains every option of the mask.
    SetHas { fact: u32, mask: u64 },
    /// An int or date fact compared with a constant (a date as its day number).
    Int { fact: u32, op: IntOp, c: Val },
    /// An int fact is one of `Program::lists[list]`.
    IntIn { fact: u32, list: u32 },
    /// The fact is answered (never unknown).
    Known(u32),
    /// Date arithmetic: `fact − other op days`, in days (`other` another date fact or the
    /// as-of date). Unknown when either side is.
    Days {
        fact: u32,
        other: Term,
        op: IntOp,
        days: i32,
    },
}

impl Test {
    /// The test's value for one patient: `read(f)` is fact `f`'s value (`None` = unknown) and
    /// `as_of` the evaluation date's day number, if given.
    #[inline(always)]
    pub(crate) fn eval(
        &self,
        read: impl Fn(u32) -> Option<Val>,
        as_of: Option<Val>,
        lists: &[Box<[Val]>],
    ) -> Tri {
        let Some(x) = read(self.fact()) else {
            // An unknown fact: unknown, except that "is it answered?" is false.
            return if matches!(self, Test::Known(_)) {
                Tri::False
            } else {
                Tri::Unknown
            };
        };
        let bits = |x: Val| u64::from_ne_bytes(x.to_ne_bytes());
        Tri::from(match *self {
            Test::Bool { want, .. } => (x != 0) == want,
            Test::EnumIn { mask, .. } => x < 64 && mask >> x.max(0) & 1 == 1,
            Test::SetEq { mask, .. } => bits(x) == mask,
            Test::SetNe { mask, .. } => bits(x) != mask,
            Test::SetHas { mask, .. } => bits(x) & mask == mask,
            Test::Int { op, c, .. } => op.holds(x, c),
            Test::IntIn { list, .. } => lists.get(list as usize).is_some_and(|l| l.contains(&x)),
            Test::Known(_) => true,
            Test::Days {
                other, op, days, ..
            } => match other.value(&read, as_of) {
                Some(y) => op.holds(x.saturating_sub(y), Val::from(days)),
                None => return Tri::Unknown,
            },
        })
    }

    /// The fact the test reads first (every test reads one).
    #[inline(always)]
    pub(crate) fn fact(&self) -> u32 {
        match *self {
            Test::Bool { fact, .. }
            | Test::EnumIn { fact, .. }
            | Test::SetEq { fact, .. }
            | Test::SetNe { fact, .. }
            | Test::SetHas { fact, .. }
            | Test::Int { fact, .. }
            | Test::IntIn { fact, .. }
            | Test::Known(fact)
            | Test::Days { fact, .. } => fact,
        }
    }

    /// Whether the test is decided by its facts' values alone, compared with constants, so the
    /// lints can decide it by enumerating values at the constants' boundaries. Date arithmetic
    /// (against another date or the as-of date) is not.
    #[cfg(feature = "lint")]
    pub(crate) fn enumerable(&self) -> bool {
        match self {
            Test::Bool { .. }
            | Test::EnumIn { .. }
            | Test::SetEq { .. }
            | Test::SetNe { .. }
            | Test::SetHas { .. }
            | Test::Int { .. }
            | Test::IntIn { .. }
            | Test::Known(_) => true,
            Test::Days { .. } => false,
        }
    }

    /// The constants the test compares its fact's value with (for the lints' boundary values).
    #[cfg(feature = "lint")]
    pub(crate) fn constants<'a>(&'a self, lists: &'a [Box<[Val]>]) -> &'a [Val] {
        match self {
            Test::Int { c, .. } => core::slice::from_ref(c),
            Test::IntIn { list, .. } => lists.get(*list as usize).map_or(&[], |l| &l[..]),
            Test::Bool { .. }
            | Test::EnumIn { .. }
            | Test::SetEq { .. }
            | Test::SetNe { .. }
            | Test::SetHas { .. }
            | Test::Known(_)
            | Test::Days { .. } => &[],
        }
    }

    /// The facts the test reads: its fact, and a second date fact for [`Test::Days`].
    #[inline(always)]
    pub(crate) fn facts(&self) -> [Option<u32>; 2] {
        match *self {
            Test::Bool { fact, .. }
            | Test::EnumIn { fact, .. }
            | Test::SetEq { fact, .. }
            | Test::SetNe { fact, .. }
            | Test::SetHas { fact, .. }
            | Test::Int { fact, .. }
            | Test::IntIn { fact, .. }
            | Test::Known(fact) => [Some(fact), None],
            Test::Days { fact, other, .. } => match other {
                Term::Fact(g) => [Some(fact), Some(g)],
                Term::AsOf => [Some(fact), None],
            },
        }
    }
}

/// How a composite op combines its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Join {
    All,
    Any,
    Not,
    AtLeast(u32),
}

/// What one op computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `true` or `false`.
    Const(bool),
    /// A composite over the children.
    Join(Join),
    /// A leaf test of facts.
    Test(Test),
    /// The value of named condition `d`.
    Ref(u32),
    /// Table `table`'s output is one of the outputs in `mask`.
    Decision { table: u32, mask: u64 },
}

/// One op: what it computes and the index just past its subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Op {
    pub kind: Kind,
    pub end: u32,
}

/// What the evaluator reads besides the program: fact tests, named conditions and tables
/// already evaluated.
pub(crate) trait Source<L: Lanes> {
    /// A leaf test.
    fn test(&self, test: &Test, lists: &[Box<[Val]>]) -> L;
    /// Named condition `d`.
    fn derived(&self, d: u32) -> L;
    /// Whether table `table`'s output is one of the outputs in `mask`.
    fn decision(&self, table: u32, mask: u64) -> L;
}

/// Every compiled condition of a ruleset, in preorder.
#[derive(Debug, Clone, Default)]
pub(crate) struct Program {
    pub ops: Vec<Op>,
    /// Integer lists of `in` tests.
    pub lists: Vec<Box<[Val]>>,
    /// The top-level conditions as jump code, for one patient ([`Program::finish`]).
    pub code: crate::jump::Code,
}

/// The children of an op: positions `p + 1`, then each child's `end`.
pub(crate) struct Children<'a> {
    ops: &'a [Op],
    next: usize,
    end: usize,
}

impl Iterator for Children<'_> {
    type Item = usize;
    // Inlined for the walks and the memo fill (see `OpMemo`).
    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        if self.next >= self.end {
            return None;
        }
        let at = self.next;
        self.next = self.ops.get(at).map_or(usize::MAX, |op| op.end as usize);
        Some(at)
    }
}

impl Program {
    /// Starts an op at the end of the array and returns its position; [`Program::close`] it
    /// once its children are pushed.
    pub(crate) fn open(&mut self, kind: Kind) -> u32 {
        let at = u32::try_from(self.ops.len()).unwrap_or(u32::MAX);
        self.ops.push(Op { kind, end: at });
        at
    }

    /// Ends the subtree of the op at `at` after everything pushed since.
    pub(crate) fn close(&mut self, at: u32) -> u32 {
        let end = u32::try_from(self.ops.len()).unwrap_or(u32::MAX);
        if let Some(op) = self.ops.get_mut(at as usize) {
            op.end = end;
        }
        at
    }

    /// A leaf op.
    pub(crate) fn leaf(&mut self, kind: Kind) -> u32 {
        let at = self.open(kind);
        self.close(at)
    }

    /// Stores an integer list for an `in` test and returns its index.
    pub(crate) fn list(&mut self, values: Vec<Val>) -> u32 {
        self.lists.push(values.into_boxed_slice());
        u32::try_from(self.lists.len() - 1).unwrap_or(u32::MAX)
    }

    /// The op at `p`.
    pub(crate) fn op(&self, p: usize) -> Option<&Op> {
        self.ops.get(p)
    }

    /// The children of the op at `p` (none for a leaf).
    pub(crate) fn children(&self, p: usize) -> Children<'_> {
        let end = self.ops.get(p).map_or(0, |op| op.end as usize);
        Children {
            ops: &self.ops,
            next: p + 1,
            end,
        }
    }

    /// Lays out the jump code of the top-level conditions, once every op is pushed.
    pub(crate) fn finish(&mut self) {
        self.code = crate::jump::Code::of(self);
    }

    /// Strong Kleene value of the condition rooted at `root` (a top-level condition), for
    /// every lane: one patient through the jump code, 64 by the recursive walk.
    #[inline(always)]
    pub(crate) fn eval<L: Lanes, S: Source<L>>(&self, root: u32, s: &S) -> L {
        L::eval(self, root, s)
    }

    /// Strong Kleene value of the condition rooted at `root` by the recursive walk, for every
    /// lane. Recursion depth is bounded by the nesting limit enforced at load.
    #[inline]
    pub(crate) fn walk<L: Lanes, S: Source<L>>(&self, root: u32, s: &S) -> L {
        self.value(root as usize, s, &mut NoMemo).0
    }

    /// As [`Program::eval`] for one patient, remembering op values in `memo` (for the walks
    /// that visit the same ops many times while explaining a result). A miss fills the op's
    /// whole subtree in one pass from its last op back to the op itself: children sit after
    /// their parent, so each composite reads its children's values from `memo` and nothing
    /// recurses. Strong Kleene values do not depend on short-circuiting, so every value is
    /// the one [`Program::eval`] gives.
    pub(crate) fn eval_memo<S: Source<Tri>>(&self, p: usize, s: &S, memo: &mut OpMemo) -> Tri {
        if let Some(v) = memo.get(p) {
            return v;
        }
        let end = self.ops.get(p).map_or(p, |op| (op.end as usize).max(p + 1));
        for q in (p..end).rev() {
            let Some(op) = self.ops.get(q) else {
                continue;
            };
            let v = match &op.kind {
                Kind::Test(t) => s.test(t, &self.lists),
                Kind::Join(Join::All) => {
                    let mut all = Tri::TRUE;
                    for c in self.children(q) {
                        all = all.and(memo.tri(c));
                    }
                    all
                }
                Kind::Join(Join::Any) => {
                    let mut any = Tri::FALSE;
                    for c in self.children(q) {
                        any = any.or(memo.tri(c));
                    }
                    any
                }
                Kind::Join(Join::Not) => memo.tri(q + 1).not(),
                Kind::Join(Join::AtLeast(n)) => {
                    let mut tally = <Tri as Lanes>::Tally::default();
                    for c in self.children(q) {
                        <Tri as Lanes>::tally(&mut tally, memo.tri(c));
                    }
                    <Tri as Lanes>::at_least(*n, &tally)
                }
                Kind::Const(true) => Tri::TRUE,
                Kind::Const(false) => Tri::FALSE,
                Kind::Ref(d) => s.derived(*d),
                Kind::Decision { table, mask } => s.decision(*table, *mask),
            };
            memo.set(q, v);
        }
        memo.tri(p)
    }

    /// The value of the op at `p` and the position just past its subtree. Leaves are
    /// evaluated in place: the recursion only follows composites.
    #[inline(always)]
    fn value<L: Lanes, S: Source<L>, M: Memo<L>>(
        &self,
        p: usize,
        s: &S,
        memo: &mut M,
    ) -> (L, usize) {
        let Some(op) = self.ops.get(p) else {
            return (L::UNKNOWN, usize::MAX);
        };
        let end = op.end as usize;
        if let Some(v) = memo.get(p) {
            return (v, end);
        }
        let v = match &op.kind {
            Kind::Test(t) => s.test(t, &self.lists),
            Kind::Join(Join::All) => self.all(p, end, s, memo),
            Kind::Join(Join::Any) => self.any(p, end, s, memo),
            Kind::Join(Join::Not) => self.child(p + 1, s, memo).not(),
            Kind::Join(Join::AtLeast(n)) => self.at_least(*n, p, end, s, memo),
            Kind::Const(true) => L::TRUE,
            Kind::Const(false) => L::FALSE,
            Kind::Ref(d) => s.derived(*d),
            Kind::Decision { table, mask } => s.decision(*table, *mask),
        };
        memo.set(p, v);
        (v, end)
    }

    /// `all` over the children of the op at `p`: stops once every lane is false.
    fn all<L: Lanes, S: Source<L>, M: Memo<L>>(
        &self,
        p: usize,
        end: usize,
        s: &S,
        memo: &mut M,
    ) -> L {
        let mut acc = L::TRUE;
        let mut c = p + 1;
        while c < end {
            let (v, next) = self.value(c, s, memo);
            acc = acc.and(v);
            if acc.f() == L::EVERY {
                break;
            }
            c = next;
        }
        acc
    }

    /// `any` over the children of the op at `p`: stops once every lane is true.
    fn any<L: Lanes, S: Source<L>, M: Memo<L>>(
        &self,
        p: usize,
        end: usize,
        s: &S,
        memo: &mut M,
    ) -> L {
        let mut acc = L::FALSE;
        let mut c = p + 1;
        while c < end {
            let (v, next) = self.value(c, s, memo);
            acc = acc.or(v);
            if acc.t() == L::EVERY {
                break;
            }
            c = next;
        }
        acc
    }

    /// `at_least n` over the children of the op at `p`.
    fn at_least<L: Lanes, S: Source<L>, M: Memo<L>>(
        &self,
        n: u32,
        p: usize,
        end: usize,
        s: &S,
        memo: &mut M,
    ) -> L {
        let mut tally = L::Tally::default();
        let mut c = p + 1;
        while c < end {
            let (v, next) = self.value(c, s, memo);
            L::tally(&mut tally, v);
            c = next;
        }
        L::at_least(n, &tally)
    }

    /// The value of the op at `p`: the one entry to the evaluator (not inlined, so there is
    /// one copy per kind of lane and memo).
    #[inline(never)]
    fn child<L: Lanes, S: Source<L>, M: Memo<L>>(&self, p: usize, s: &S, memo: &mut M) -> L {
        self.value(p, s, memo).0
    }
}
