//! The hot evaluation path: every condition tree of the [`Program`] arena laid out again in
//! preorder, each op carrying the index just past its subtree and leaf tests specialised by
//! fact type. Children of an op are found by walking `end` offsets, so evaluation reads one
//! contiguous array with no child-list indirection, no memo and no allocation. The arena stays
//! the source of truth for the walks that explain a result; both give the same values (each
//! op is a copy of one arena node, and the proptest at the end of this file compares them on
//! every node of the example and national rulesets).

use crate::condition::{Env, IntOp, Node, NodeId, Program, Test};
use crate::facts::Val;
use crate::tri::Tri;
use alloc::vec;
use alloc::vec::Vec;

/// What one op computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Const(bool),
    All,
    Any,
    Not,
    AtLeast(u32),
    Bool {
        fact: u32,
        want: bool,
    },
    EnumIn {
        fact: u32,
        mask: u64,
    },
    SetEq {
        fact: u32,
        mask: u64,
    },
    SetNe {
        fact: u32,
        mask: u64,
    },
    SetHas {
        fact: u32,
        mask: u64,
    },
    Int {
        fact: u32,
        op: IntOp,
        c: i64,
    },
    /// Integer is one of `lists[list]`.
    IntIn {
        fact: u32,
        list: u32,
    },
    Known(u32),
    Ref(u32),
    Decision {
        table: u32,
        mask: u64,
    },
}

/// One op: what it computes and the index just past its subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Op {
    pub kind: Kind,
    pub end: u32,
}

/// The preorder program and, for each arena node, where its subtree starts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Flat {
    pub ops: Vec<Op>,
    /// Flat position of each arena node (`u32::MAX` when not laid out).
    pub pos: Vec<u32>,
    pub lists: Vec<Vec<i64>>,
}

impl Flat {
    /// Lays out every tree of `prog` (each node that is no other node's child is a root).
    pub(crate) fn build(prog: &Program) -> Flat {
        let n = prog.nodes.len();
        let mut is_child = vec![false; n];
        for &k in &prog.kids {
            if let Some(slot) = is_child.get_mut(k as usize) {
                *slot = true;
            }
        }
        for node in &prog.nodes {
            if let Node::Not(k) = node {
                if let Some(slot) = is_child.get_mut(*k as usize) {
                    *slot = true;
                }
            }
        }
        let mut flat = Flat {
            ops: Vec::with_capacity(n),
            pos: vec![u32::MAX; n],
            lists: Vec::new(),
        };
        for (id, child) in is_child.iter().enumerate() {
            if !child {
                flat.lay_out(prog, u32::try_from(id).unwrap_or(u32::MAX));
            }
        }
        flat
    }

    /// Appends `id`'s subtree in preorder. Depth is bounded by the nesting limit enforced at
    /// load.
    fn lay_out(&mut self, prog: &Program, id: NodeId) {
        let Some(node) = prog.node(id) else { return };
        let at = self.ops.len();
        if let Some(slot) = self.pos.get_mut(id as usize) {
            if *slot == u32::MAX {
                *slot = u32::try_from(at).unwrap_or(u32::MAX);
            }
        }
        let kind = match node {
            Node::Const(b) => Kind::Const(*b),
            Node::All { .. } => Kind::All,
            Node::Any { .. } => Kind::Any,
            Node::Not(_) => Kind::Not,
            Node::AtLeast { n, .. } => Kind::AtLeast(*n),
            Node::Known(f) => Kind::Known(*f),
            Node::Ref(d) => Kind::Ref(*d),
            Node::Decision { table, mask } => Kind::Decision {
                table: *table,
                mask: *mask,
            },
            Node::Cmp { fact, test } => {
                let fact = *fact;
                match test {
                    Test::Bool(want) => Kind::Bool { fact, want: *want },
                    Test::EnumIn(mask) => Kind::EnumIn { fact, mask: *mask },
                    Test::SetEq(mask) => Kind::SetEq { fact, mask: *mask },
                    Test::SetNe(mask) => Kind::SetNe { fact, mask: *mask },
                    Test::SetHas(mask) => Kind::SetHas { fact, mask: *mask },
                    Test::Int(op, c) => Kind::Int {
                        fact,
                        op: *op,
                        c: *c,
                    },
                    Test::IntIn(list) => {
                        self.lists.push(list.to_vec());
                        let list = u32::try_from(self.lists.len() - 1).unwrap_or(u32::MAX);
                        Kind::IntIn { fact, list }
                    }
                }
            }
        };
        self.ops.push(Op { kind, end: 0 });
        for &k in prog.kids_of(id) {
            self.lay_out(prog, k);
        }
        let end = u32::try_from(self.ops.len()).unwrap_or(u32::MAX);
        if let Some(op) = self.ops.get_mut(at) {
            op.end = end;
        }
    }

    /// Strong Kleene value of arena node `id`; `None` when `id` is not laid out (the program
    /// changed after [`Flat::build`]), so the caller falls back to the arena.
    #[inline]
    pub(crate) fn eval(&self, id: NodeId, env: &Env<'_>) -> Option<Tri> {
        match self.pos.get(id as usize) {
            Some(&p) if p != u32::MAX => Some(self.eval_at(p as usize, env)),
            _ => None,
        }
    }

    /// The value of the op at `p`, with leaves evaluated in place (no call): most ops are
    /// leaves, so the recursion only follows `all`, `any`, `not` and `at_least`.
    #[inline(always)]
    fn child(&self, p: usize, env: &Env<'_>) -> (Tri, usize) {
        match self.ops.get(p) {
            Some(op) => {
                let v = match leaf(op.kind, &self.lists, env) {
                    Some(v) => v,
                    None => self.composite(p, op, env),
                };
                (v, op.end as usize)
            }
            None => (Tri::Unknown, usize::MAX),
        }
    }

    fn eval_at(&self, p: usize, env: &Env<'_>) -> Tri {
        self.child(p, env).0
    }

    /// `all`, `any`, `not` and `at_least`, short-circuiting in strong Kleene logic.
    fn composite(&self, p: usize, op: &Op, env: &Env<'_>) -> Tri {
        let end = op.end as usize;
        let mut c = p + 1;
        match op.kind {
            Kind::All => {
                let mut acc = Tri::True;
                while c < end {
                    let (v, next) = self.child(c, env);
                    match v {
                        Tri::False => return Tri::False,
                        Tri::Unknown => acc = Tri::Unknown,
                        Tri::True => {}
                    }
                    c = next;
                }
                acc
            }
            Kind::Any => {
                let mut acc = Tri::False;
                while c < end {
                    let (v, next) = self.child(c, env);
                    match v {
                        Tri::True => return Tri::True,
                        Tri::Unknown => acc = Tri::Unknown,
                        Tri::False => {}
                    }
                    c = next;
                }
                acc
            }
            Kind::Not => self.child(c, env).0.not(),
            Kind::AtLeast(n) => {
                let (mut t, mut u) = (0usize, 0usize);
                while c < end {
                    let (v, next) = self.child(c, env);
                    match v {
                        Tri::True => t += 1,
                        Tri::Unknown => u += 1,
                        Tri::False => {}
                    }
                    c = next;
                }
                Tri::at_least(n as usize, t, u)
            }
            _ => Tri::Unknown,
        }
    }
}

/// The value of a leaf op, or `None` for a composite.
#[inline(always)]
fn leaf(kind: Kind, lists: &[Vec<i64>], env: &Env<'_>) -> Option<Tri> {
    #[inline(always)]
    fn fact(env: &Env<'_>, f: u32) -> Option<Val> {
        env.facts.get(f as usize).copied().flatten()
    }
    Some(match kind {
        Kind::Bool { fact: f, want } => match fact(env, f) {
            Some(Val::Bool(x)) => Tri::from(x == want),
            Some(_) => Tri::False,
            None => Tri::Unknown,
        },
        Kind::EnumIn { fact: f, mask } => match fact(env, f) {
            Some(Val::Enum(i)) => Tri::from(mask & (1u64 << u32::from(i).min(63)) != 0),
            Some(_) => Tri::False,
            None => Tri::Unknown,
        },
        Kind::Int { fact: f, op, c } => match fact(env, f) {
            Some(Val::Int(x)) => Tri::from(op.holds(x, c)),
            Some(_) => Tri::False,
            None => Tri::Unknown,
        },
        Kind::Const(b) => Tri::from(b),
        Kind::SetEq { fact: f, mask } => set(fact(env, f), |x| x == mask),
        Kind::SetNe { fact: f, mask } => set(fact(env, f), |x| x != mask),
        Kind::SetHas { fact: f, mask } => set(fact(env, f), |x| x & mask == mask),
        Kind::IntIn { fact: f, list } => match fact(env, f) {
            Some(Val::Int(x)) => {
                Tri::from(lists.get(list as usize).is_some_and(|l| l.contains(&x)))
            }
            Some(_) => Tri::False,
            None => Tri::Unknown,
        },
        Kind::Known(f) => Tri::from(fact(env, f).is_some()),
        Kind::Ref(d) => env.derived.get(d as usize).copied().unwrap_or(Tri::Unknown),
        Kind::Decision { table, mask } => env.decision(table, mask),
        Kind::All | Kind::Any | Kind::Not | Kind::AtLeast(_) => return None,
    })
}

#[inline(always)]
fn set(v: Option<Val>, test: impl Fn(u64) -> bool) -> Tri {
    match v {
        Some(Val::Set(x)) => Tri::from(test(x)),
        Some(_) => Tri::False,
        None => Tri::Unknown,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::condition::TableOut;
    use crate::facts::FactType;
    use crate::ruleset::Ruleset;
    use proptest::prelude::*;

    const EXAMPLE: &str = include_str!("../../tests/fixtures/example-ruleset.json");
    const NATIONAL: &str = include_str!("../rulesets/england-national.json");

    /// A value of the fact's type, or unknown, from two random numbers.
    fn value(ty: &FactType, pick: u64, r: u64) -> Option<Val> {
        if pick % 4 == 0 {
            return None;
        }
        Some(match ty {
            FactType::Bool => Val::Bool(r % 2 == 0),
            FactType::Enum(o) => Val::Enum(u8::try_from(r % o.len() as u64).unwrap()),
            FactType::Int { min, max } => {
                let span = u64::try_from(max - min).unwrap() + 1;
                Val::Int(min + i64::try_from(r % span).unwrap())
            }
            FactType::Set(o) => Val::Set(r & ((1u64 << o.len()) - 1)),
        })
    }

    fn agree(text: &str, seeds: &[(u64, u64)], derived: &[u8], tables: &[u64]) {
        let rs = Ruleset::from_json(text).unwrap();
        let facts: Vec<Option<Val>> = rs
            .facts
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let (a, b) = seeds[i % seeds.len()];
                value(&f.ty, a.rotate_left(i as u32), b.rotate_right(i as u32))
            })
            .collect();
        let derived: Vec<Tri> = (0..rs.derived.len())
            .map(|i| match derived[i % derived.len()] % 3 {
                0 => Tri::False,
                1 => Tri::Unknown,
                _ => Tri::True,
            })
            .collect();
        let tables: Vec<TableOut> = (0..rs.tables.len())
            .map(|i| TableOut {
                possible: tables[i % tables.len()] & 0xff,
                row: None,
            })
            .collect();
        let env = Env {
            facts: &facts,
            derived: &derived,
            tables: &tables,
        };
        for id in 0..u32::try_from(rs.prog.nodes.len()).unwrap() {
            assert_eq!(
                rs.prog.eval(id, &env),
                rs.prog.eval_arena(id, &env),
                "node {id}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// The preorder copy and the arena give every node the same value, for any mix of
        /// known and unknown facts, named-condition values and table outcomes.
        #[test]
        fn flat_agrees_with_arena(
            seeds in proptest::collection::vec((any::<u64>(), any::<u64>()), 1..80),
            derived in proptest::collection::vec(any::<u8>(), 1..8),
            tables in proptest::collection::vec(any::<u64>(), 1..8),
        ) {
            agree(EXAMPLE, &seeds, &derived, &tables);
            agree(NATIONAL, &seeds, &derived, &tables);
        }
    }
}
