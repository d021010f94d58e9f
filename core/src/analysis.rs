//! Static analysis warnings decided exactly by enumeration: a requirement that can never apply
//! and a table row that can never be the first hit. Small cases only (at most 4,096
//! combinations of the facts involved); larger ones are skipped rather than guessed.

use crate::bits::BitSet;
use crate::compile::Item;
use crate::compile::ItemSet;
use crate::condition::{Env, Node, NodeId, Test};
use crate::diagnostic::{Code, Diagnostic};
use crate::evaluate::Values;
use crate::facts::{FactType, Val};
use crate::ruleset::Ruleset;
use crate::tri::Tri;
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

const LIMIT: usize = 4096;

/// Facts and items (transitively) read by `roots`.
fn reads_of(rs: &Ruleset, roots: &[NodeId]) -> (BitSet, ItemSet) {
    let mut facts = BitSet::default();
    let mut seen = ItemSet::new(rs.derived.len());
    let mut stack: Vec<NodeId> = roots.to_vec();
    while let Some(n) = stack.pop() {
        match rs.prog.node(n) {
            Some(Node::Cmp { fact, .. } | Node::Known(fact)) => {
                facts.insert(*fact as usize);
            }
            Some(Node::Ref(d)) if seen.insert(Item::Derived(*d as usize)) => {
                if let Some((_, r)) = rs.derived.get(*d as usize) {
                    stack.push(*r);
                }
            }
            Some(Node::Decision { table, .. }) if seen.insert(Item::Table(*table as usize)) => {
                if let Some(t) = rs.tables.get(*table as usize) {
                    stack.extend(t.rows.iter().map(|r| r.when));
                }
            }
            Some(_) => stack.extend_from_slice(rs.prog.kids_of(n)),
            None => {}
        }
    }
    (facts, seen)
}

/// Integer constants compared against each int fact anywhere in the program.
fn int_constants(rs: &Ruleset, fact: usize) -> Vec<i64> {
    let mut out = Vec::new();
    for n in &rs.prog.nodes {
        if let Node::Cmp { fact: f, test } = n {
            if *f as usize == fact {
                match test {
                    Test::Int(_, c) => out.push(*c),
                    Test::IntIn(list) => out.extend(list.iter().copied()),
                    _ => {}
                }
            }
        }
    }
    out
}

/// The candidate values of one fact: every value that can change a comparison's outcome.
fn domain(rs: &Ruleset, fact: usize) -> Option<Vec<Val>> {
    let def = rs.facts.get(fact)?;
    Some(match &def.ty {
        FactType::Bool => vec![Val::Bool(false), Val::Bool(true)],
        FactType::Enum(o) => (0..o.len())
            .filter_map(|i| u8::try_from(i).ok())
            .map(Val::Enum)
            .collect(),
        FactType::Set(o) => {
            if o.len() > 12 {
                return None;
            }
            (0..(1u64 << o.len())).map(Val::Set).collect()
        }
        FactType::Int { min, max } => {
            let mut pts = alloc::vec![*min, *max];
            for c in int_constants(rs, fact) {
                for p in [c.saturating_sub(1), c, c.saturating_add(1)] {
                    if p >= *min && p <= *max {
                        pts.push(p);
                    }
                }
            }
            pts.sort_unstable();
            pts.dedup();
            pts.into_iter().map(Val::Int).collect()
        }
    })
}

/// Whether some complete assignment of the involved facts makes `pred` hold; `None` when the
/// search space is too large to decide.
fn exists(rs: &Ruleset, roots: &[NodeId], pred: impl Fn(&Env<'_>) -> bool) -> Option<bool> {
    let (facts, items) = reads_of(rs, roots);
    let facts: Vec<usize> = facts.iter().collect();
    let plan: Vec<Item> = rs
        .plan_all()
        .iter()
        .copied()
        .filter(|i| items.contains(*i))
        .collect();
    let mut domains = Vec::new();
    let mut total = 1usize;
    for &f in &facts {
        let d = domain(rs, f)?;
        total = total.checked_mul(d.len().max(1))?;
        if total > LIMIT {
            return None;
        }
        domains.push(d);
    }
    let mut values = vec![None; rs.facts.len()];
    let mut scratch = Values::default();
    for mut k in 0..total {
        for (&f, d) in facts.iter().zip(&domains) {
            let len = d.len().max(1);
            if let Some(slot) = values.get_mut(f) {
                *slot = d.get(k % len).copied();
            }
            k /= len;
        }
        rs.run(&plan, &values, &mut scratch);
        let env = Env {
            facts: &values,
            derived: &scratch.derived,
            tables: &scratch.tables,
        };
        if pred(&env) {
            return Some(true);
        }
    }
    Some(false)
}

/// `NEVER_APPLIES` and `UNREACHABLE_ROW` warnings.
pub(crate) fn warnings(rs: &Ruleset) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (r, doc) in rs.reqs.iter().zip(&rs.doc.requirements) {
        let Some(a) = r.applies else { continue };
        if exists(rs, &[a], |env| rs.prog.eval(a, env) == Tri::True) == Some(false) {
            out.push(
                Diagnostic::warning(
                    Code::NeverApplies,
                    format!("{}.applies_when", doc.origin.path),
                    format!(
                        "requirement `{}` can never apply: no answers make `applies_when` true",
                        doc.id
                    ),
                )
                .with_rule(doc.id.clone()),
            );
        }
    }
    for (t, doc) in rs.tables.iter().zip(&rs.doc.tables) {
        for (i, (row, rdoc)) in t.rows.iter().zip(&doc.rows).enumerate() {
            let roots: Vec<NodeId> = t.rows.iter().take(i + 1).map(|r| r.when).collect();
            let reachable = exists(rs, &roots, |env| {
                t.rows
                    .iter()
                    .take(i)
                    .all(|p| rs.prog.eval(p.when, env) == Tri::False)
                    && rs.prog.eval(row.when, env) == Tri::True
            });
            if reachable == Some(false) {
                out.push(
                    Diagnostic::warning(
                        Code::UnreachableRow,
                        rdoc.origin.path.clone(),
                        format!("row {i} of table `{}` can never be the first hit", doc.id),
                    )
                    .with_rule(doc.id.clone()),
                );
            }
        }
    }
    out
}
