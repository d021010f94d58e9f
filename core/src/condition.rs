//! Compiled conditions and their strong Kleene evaluation. Conditions are compiled into a flat
//! arena with fact, named-condition and table references resolved to indices, so evaluation
//! does no string lookups and no allocation.

use crate::facts::Val;
use crate::tri::Tri;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Index of a node in the [`Program`] arena.
pub(crate) type NodeId = u32;

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
    pub(crate) fn holds(self, x: i64, c: i64) -> bool {
        match self {
            IntOp::Eq => x == c,
            IntOp::Ne => x != c,
            IntOp::Lt => x < c,
            IntOp::Lte => x <= c,
            IntOp::Gt => x > c,
            IntOp::Gte => x >= c,
        }
    }
}

/// What a comparison tests against a fact's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Test {
    /// Bool equals.
    Bool(bool),
    /// Enum value is one of the options in the mask (`eq`, `ne`, `in` all compile to this).
    EnumIn(u64),
    /// Set equals exactly this mask.
    SetEq(u64),
    /// Set differs from this mask.
    SetNe(u64),
    /// Set contains all options in the mask.
    SetHas(u64),
    /// Integer comparison with a constant.
    Int(IntOp, i64),
    /// Integer is one of these (or, when negated, none of these).
    IntIn(Box<[i64]>),
}

/// A compiled condition node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Const(bool),
    All {
        start: u32,
        len: u32,
    },
    Any {
        start: u32,
        len: u32,
    },
    Not(NodeId),
    AtLeast {
        n: u32,
        start: u32,
        len: u32,
    },
    Cmp {
        fact: u32,
        test: Test,
    },
    Known(u32),
    Ref(u32),
    /// The table's output is one of the outputs in the mask.
    Decision {
        table: u32,
        mask: u64,
    },
}

/// The outcome of one decision table for one patient: the set of outputs still possible, and
/// the row that hit when decided by a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct TableOut {
    /// Bit mask over the table's outputs that are still possible (one bit = decided).
    pub possible: u64,
    /// The row that hit, when the output is decided by a true row with no unknown row before it.
    pub row: Option<u32>,
}

impl TableOut {
    /// The decided output index, if exactly one output is possible.
    pub(crate) fn decided(self) -> Option<usize> {
        (self.possible.count_ones() == 1).then(|| self.possible.trailing_zeros() as usize)
    }
}

/// Values the evaluation of a node reads: facts, named conditions and tables already evaluated.
pub(crate) struct Env<'a> {
    pub facts: &'a [Option<Val>],
    pub derived: &'a [Tri],
    pub tables: &'a [TableOut],
}

impl Env<'_> {
    /// Whether table `table`'s output is one of the outputs in `mask`: true when every
    /// possible output is in it, false when none is, unknown otherwise (or not evaluated).
    #[inline]
    pub(crate) fn decision(&self, table: u32, mask: u64) -> Tri {
        let possible = self.tables.get(table as usize).map_or(0, |t| t.possible);
        if possible == 0 {
            Tri::Unknown
        } else if possible & mask == possible {
            Tri::True
        } else if possible & mask == 0 {
            Tri::False
        } else {
            Tri::Unknown
        }
    }
}

/// The arena of compiled nodes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Program {
    pub nodes: Vec<Node>,
    pub kids: Vec<NodeId>,
    /// The preorder copy used by [`Program::eval`], built by [`Program::finish`].
    flat: crate::flat::Flat,
}

impl Program {
    pub(crate) fn push(&mut self, node: Node) -> NodeId {
        let id = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.nodes.push(node);
        id
    }

    /// Appends a list of child ids and returns `(start, len)`.
    pub(crate) fn push_kids(&mut self, ids: &[NodeId]) -> (u32, u32) {
        let start = u32::try_from(self.kids.len()).unwrap_or(u32::MAX);
        self.kids.extend_from_slice(ids);
        (start, u32::try_from(ids.len()).unwrap_or(u32::MAX))
    }

    pub(crate) fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    pub(crate) fn children(&self, start: u32, len: u32) -> &[NodeId] {
        let s = start as usize;
        self.kids
            .get(s..s.saturating_add(len as usize))
            .unwrap_or(&[])
    }

    /// The direct children of a node (empty for leaves).
    pub(crate) fn kids_of(&self, id: NodeId) -> &[NodeId] {
        match self.node(id) {
            Some(
                Node::All { start, len }
                | Node::Any { start, len }
                | Node::AtLeast { start, len, .. },
            ) => self.children(*start, *len),
            Some(Node::Not(c)) => core::slice::from_ref(c),
            _ => &[],
        }
    }

    /// The preorder copy (empty before [`Program::finish`]).
    pub(crate) fn flat(&self) -> &crate::flat::Flat {
        &self.flat
    }

    /// Lays the finished arena out for fast evaluation; call once every node is pushed.
    pub(crate) fn finish(&mut self) {
        self.flat = crate::flat::Flat::build(self);
    }

    /// Strong Kleene evaluation of a node (the fast preorder copy once [`Program::finish`] has
    /// run, the arena before). Recursion depth is bounded by the nesting limit enforced at load.
    pub(crate) fn eval(&self, id: NodeId, env: &Env<'_>) -> Tri {
        self.flat
            .eval(id, env)
            .unwrap_or_else(|| self.eval_in(id, env, &mut NoMemo))
    }

    /// Arena-only evaluation (no fast copy), for checking the two agree.
    #[cfg(test)]
    pub(crate) fn eval_arena(&self, id: NodeId, env: &Env<'_>) -> Tri {
        self.eval_in(id, env, &mut NoMemo)
    }

    /// As [`Program::eval`], remembering every node's value in `memo` (for the walks that
    /// visit the same nodes many times while building a report).
    pub(crate) fn eval_memo(&self, id: NodeId, env: &Env<'_>, memo: &mut NodeMemo) -> Tri {
        self.eval_in(id, env, memo)
    }

    fn eval_in<M: Memo>(&self, id: NodeId, env: &Env<'_>, memo: &mut M) -> Tri {
        if let Some(v) = memo.get(id) {
            return v;
        }
        let v = self.eval_node(id, env, memo);
        memo.set(id, v);
        v
    }

    fn eval_node<M: Memo>(&self, id: NodeId, env: &Env<'_>, memo: &mut M) -> Tri {
        let Some(node) = self.node(id) else {
            return Tri::Unknown;
        };
        match node {
            Node::Const(b) => Tri::from(*b),
            Node::All { start, len } => {
                let mut acc = Tri::True;
                for &k in self.children(*start, *len) {
                    acc = acc.and(self.eval_in(k, env, memo));
                    if acc == Tri::False {
                        break;
                    }
                }
                acc
            }
            Node::Any { start, len } => {
                let mut acc = Tri::False;
                for &k in self.children(*start, *len) {
                    acc = acc.or(self.eval_in(k, env, memo));
                    if acc == Tri::True {
                        break;
                    }
                }
                acc
            }
            Node::Not(k) => self.eval_in(*k, env, memo).not(),
            Node::AtLeast { n, start, len } => {
                let (mut t, mut u) = (0usize, 0usize);
                for &k in self.children(*start, *len) {
                    match self.eval_in(k, env, memo) {
                        Tri::True => t += 1,
                        Tri::Unknown => u += 1,
                        Tri::False => {}
                    }
                }
                Tri::at_least(*n as usize, t, u)
            }
            Node::Cmp { fact, test } => match env.facts.get(*fact as usize).copied().flatten() {
                Some(v) => Tri::from(test.holds(v)),
                None => Tri::Unknown,
            },
            Node::Known(fact) => {
                Tri::from(env.facts.get(*fact as usize).copied().flatten().is_some())
            }
            Node::Ref(d) => env
                .derived
                .get(*d as usize)
                .copied()
                .unwrap_or(Tri::Unknown),
            Node::Decision { table, mask } => env.decision(*table, *mask),
        }
    }
}

/// A cache of node values during one evaluation.
pub(crate) trait Memo {
    fn get(&self, id: NodeId) -> Option<Tri>;
    fn set(&mut self, id: NodeId, v: Tri);
}

/// No caching: the fast path for one pass over the conditions.
struct NoMemo;

impl Memo for NoMemo {
    #[inline(always)]
    fn get(&self, _: NodeId) -> Option<Tri> {
        None
    }
    #[inline(always)]
    fn set(&mut self, _: NodeId, _: Tri) {}
}

/// Node values of one patient, one byte per node (0 = not yet evaluated).
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeMemo {
    values: Vec<u8>,
}

impl NodeMemo {
    /// Forgets every value and sizes the cache for `nodes` nodes.
    pub(crate) fn reset(&mut self, nodes: usize) {
        self.values.clear();
        self.values.resize(nodes, 0);
    }
}

impl Memo for NodeMemo {
    fn get(&self, id: NodeId) -> Option<Tri> {
        match self.values.get(id as usize) {
            Some(1) => Some(Tri::False),
            Some(2) => Some(Tri::Unknown),
            Some(3) => Some(Tri::True),
            _ => None,
        }
    }

    fn set(&mut self, id: NodeId, v: Tri) {
        if let Some(slot) = self.values.get_mut(id as usize) {
            *slot = match v {
                Tri::False => 1,
                Tri::Unknown => 2,
                Tri::True => 3,
            };
        }
    }
}

impl Test {
    /// Whether a known value satisfies the test. A value of the wrong shape (which validation
    /// prevents) does not satisfy it.
    pub(crate) fn holds(&self, v: Val) -> bool {
        match (self, v) {
            (Test::Bool(b), Val::Bool(x)) => *b == x,
            (Test::EnumIn(mask), Val::Enum(i)) => mask & (1u64 << u32::from(i).min(63)) != 0,
            (Test::SetEq(m), Val::Set(x)) => *m == x,
            (Test::SetNe(m), Val::Set(x)) => *m != x,
            (Test::SetHas(m), Val::Set(x)) => x & m == *m,
            (Test::Int(op, c), Val::Int(x)) => op.holds(x, *c),
            (Test::IntIn(list), Val::Int(x)) => list.contains(&x),
            _ => false,
        }
    }
}
