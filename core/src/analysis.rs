//! Authoring lints (the `lint` feature): warnings about a ruleset that works but is probably
//! not what was meant. Structural ones from the dependency graph (a fact nothing reads, a
//! named condition nobody references, a question gated on itself, a requirement or table in
//! no checklist), and two decided exactly by enumerating the facts involved: a requirement
//! that can never apply, and a table row that can never be the first hit.
//!
//! The exact lints stay exact where they run and are skipped, never guessed, where they would
//! cost too much, so compiling stays about linear in the size of the ruleset:
//! - at most [`LIMIT`] combinations of the facts involved (integers and dates at the
//!   boundaries of the constants they are compared with);
//! - at most [`WORK`] op evaluations for one check (combinations × ops involved);
//! - at most [`TOTAL`] op evaluations for the whole ruleset, checks taken in document order;
//! - conditions with a test that values at the constants' boundaries cannot decide (date
//!   arithmetic against another date or the as-of date) are skipped.
//!
//! A table's rows are checked in one pass over the combinations of the facts of its rows up
//! to the last row within those bounds: each combination marks the row that hits first.

use crate::bits::BitSet;
use crate::compile::{Graph, Item, ItemSet, Plan, Reads};
use crate::diagnostic::{Code, Diagnostic};
use crate::evaluate::{Patient, Scope, Values};
use crate::program::{Kind, Val};
use crate::ruleset::Ruleset;
use crate::tri::Tri;
use crate::wire::{Origin, RulesetDoc};
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// The most combinations of fact values one exact check enumerates.
pub(crate) const LIMIT: usize = 4096;
/// The most op evaluations one exact check may cost.
pub(crate) const WORK: usize = 1 << 22;
/// The most op evaluations all exact checks of a ruleset may cost together.
pub(crate) const TOTAL: usize = 1 << 25;

/// The structural warnings, each with the origin of the item it is about.
pub(crate) fn structural<'d>(
    doc: &'d RulesetDoc,
    g: &Graph,
    plans: &[Plan],
) -> Vec<(&'d Origin, Diagnostic)> {
    let mut out = Vec::new();
    let mut used_facts = BitSet::default();
    let mut used_items = ItemSet::new(g.derived.len());
    for r in g
        .derived
        .iter()
        .chain(&g.tables)
        .chain(&g.reqs)
        .chain(&g.asked)
    {
        used_facts.insert_all(&r.facts);
        for it in &r.items {
            used_items.insert(*it);
        }
    }
    for (i, f) in doc.facts.iter().enumerate() {
        if !used_facts.contains(i) {
            let msg = format!("fact `{}` is never read by a condition", f.id);
            out.push((
                &f.origin,
                Diagnostic::warning(Code::UnusedFact, f.origin.path.clone(), msg)
                    .with_rule(f.id.clone()),
            ));
        }
    }
    for (i, (name, nc)) in doc.conditions.iter().enumerate() {
        if !used_items.contains(Item::Derived(i)) {
            let msg = format!("named condition `{name}` is never referenced");
            out.push((
                &nc.origin,
                Diagnostic::warning(Code::UnusedCondition, nc.origin.path.clone(), msg)
                    .with_rule(name.clone()),
            ));
        }
    }
    if doc.checklists.is_empty() {
        return out;
    }
    let (mut listed_reqs, mut listed_tables) = (BitSet::default(), ItemSet::new(g.derived.len()));
    for p in plans {
        p.reqs.iter().for_each(|r| {
            listed_reqs.insert(*r);
        });
        p.tables.iter().for_each(|t| {
            listed_tables.insert(Item::Table(*t));
        });
        p.items.iter().for_each(|it| {
            listed_tables.insert(*it);
        });
    }
    for (i, r) in doc
        .requirements
        .iter()
        .enumerate()
        .filter(|(i, _)| !listed_reqs.contains(*i))
    {
        let msg = format!("requirement `{}` is in no checklist", r.id);
        out.push((
            &r.origin,
            Diagnostic::warning(Code::NotInChecklist, r.origin.path.clone(), msg)
                .with_rule(r.id.clone()),
        ));
        let _ = i;
    }
    for (i, t) in doc
        .tables
        .iter()
        .enumerate()
        .filter(|(i, _)| !listed_tables.contains(Item::Table(*i)))
    {
        let msg = format!("table `{}` is in no checklist", t.id);
        out.push((
            &t.origin,
            Diagnostic::warning(Code::NotInChecklist, t.origin.path.clone(), msg)
                .with_rule(t.id.clone()),
        ));
        let _ = i;
    }
    out
}

/// The combinations of values of some facts, with the plan of items they need.
struct Space {
    facts: Vec<usize>,
    domains: Vec<Vec<Val>>,
    total: usize,
    plan: Vec<Item>,
    /// Ops evaluated per combination, at most.
    ops: usize,
}

/// What the exact checks share: the ruleset, its graph, constants per fact, and the budget.
struct Exact<'a> {
    rs: &'a Ruleset,
    g: &'a Graph,
    constants: Vec<Vec<Val>>,
    /// Op evaluations left for the whole ruleset.
    left: usize,
}

impl Exact<'_> {
    /// The number of ops under a root.
    fn size(&self, root: u32) -> usize {
        self.rs
            .prog
            .op(root as usize)
            .map_or(0, |op| (op.end as usize).saturating_sub(root as usize))
    }

    /// Whether every test under `root` can be decided by enumerating values.
    fn enumerable(&self, root: u32) -> bool {
        let end = self
            .rs
            .prog
            .op(root as usize)
            .map_or(0, |op| op.end as usize);
        let ops = self.rs.prog.ops.get(root as usize..end).unwrap_or(&[]);
        ops.iter().all(|op| match &op.kind {
            Kind::Test(t) => t.enumerable(),
            Kind::Const(_) | Kind::Join(_) | Kind::Ref(_) | Kind::Decision { .. } => true,
        })
    }

    /// The ops of an item.
    fn item_roots(&self, it: Item) -> Vec<u32> {
        match it {
            Item::Derived(d) => self
                .rs
                .derived
                .get(d)
                .map(|(_, r)| vec![*r])
                .unwrap_or_default(),
            Item::Table(t) => self
                .rs
                .tables
                .get(t)
                .map(|t| t.rows.iter().map(|r| r.when).collect())
                .unwrap_or_default(),
        }
    }

    /// The space of the facts read (transitively) by `reads`, for roots of `root_ops` ops in
    /// all, or `None` when it is too large, too costly, or not decidable by enumeration.
    ///
    /// The items read are walked depth first and given in dependency order (each after what
    /// it reads: the order evaluation needs). The walk stops as soon as the combinations or
    /// the ops found so far exceed the bounds (both only grow), so one check costs at most
    /// about its budget however long the chain of items behind it: checking every table of a
    /// chain of decisions stays about linear.
    fn space(&self, reads: &Reads, root_ops: usize) -> Option<Space> {
        let budget = WORK.min(self.left);
        let mut space = Space {
            facts: Vec::new(),
            domains: Vec::new(),
            total: 1,
            plan: Vec::new(),
            ops: root_ops,
        };
        let mut seen_facts = BitSet::default();
        // A tree, not bits as wide as the largest index: this runs once per check.
        let mut seen: alloc::collections::BTreeSet<Item> = alloc::collections::BTreeSet::new();
        self.add_facts(&mut space, &mut seen_facts, &reads.facts)?;
        // (item, whether its children were pushed)
        let mut stack: Vec<(Item, bool)> = reads.items.iter().rev().map(|&i| (i, false)).collect();
        while let Some((it, expanded)) = stack.pop() {
            if expanded {
                space.plan.push(it);
                continue;
            }
            if !seen.insert(it) {
                continue;
            }
            for r in self.item_roots(it) {
                if !self.enumerable(r) {
                    return None;
                }
                space.ops = space.ops.saturating_add(self.size(r));
            }
            let r = self.g.reads(it)?;
            self.add_facts(&mut space, &mut seen_facts, &r.facts)?;
            if space.total.saturating_mul(space.ops.max(1)) > budget {
                return None;
            }
            stack.push((it, true));
            stack.extend(
                r.items
                    .iter()
                    .rev()
                    .filter(|i| !seen.contains(*i))
                    .map(|&i| (i, false)),
            );
        }
        self.affordable(&space).then_some(space)
    }

    /// Adds the facts of `list` not yet in the space, with their domains; `None` once the
    /// combinations exceed [`LIMIT`] or a fact has no finite domain.
    fn add_facts(&self, space: &mut Space, seen: &mut BitSet, list: &[usize]) -> Option<()> {
        for &f in list {
            if !seen.insert(f) {
                continue;
            }
            let d = self
                .rs
                .facts
                .get(f)?
                .ty
                .domain(self.constants.get(f).map_or(&[], |c| &c[..]))?;
            space.total = space.total.checked_mul(d.len().max(1))?;
            if space.total > LIMIT {
                return None;
            }
            space.facts.push(f);
            space.domains.push(d);
        }
        Some(())
    }

    /// Whether enumerating a space stays within the bounds.
    fn affordable(&self, space: &Space) -> bool {
        space.total.saturating_mul(space.ops.max(1)) <= WORK.min(self.left)
    }

    /// Runs `visit` on every combination of the space until it returns true; charges the work.
    fn enumerate(
        &mut self,
        space: &Space,
        mut visit: impl FnMut(&Scope<'_, Tri, Patient<'_>>) -> bool,
    ) {
        self.left = self
            .left
            .saturating_sub(space.total.saturating_mul(space.ops.max(1)));
        let mut values = vec![None; self.rs.facts.len()];
        let mut scratch = Values::default();
        for mut k in 0..space.total {
            for (&f, d) in space.facts.iter().zip(&space.domains) {
                let len = d.len().max(1);
                if let Some(slot) = values.get_mut(f) {
                    *slot = d.get(k % len).copied();
                }
                k /= len;
            }
            let patient = Patient {
                values: &values,
                as_of: None,
            };
            self.rs.run(&space.plan, &patient, &mut scratch);
            if visit(&Scope {
                rs: self.rs,
                facts: &patient,
                values: &scratch,
            }) {
                return;
            }
        }
    }
}

/// Integer (and date) constants compared with each fact anywhere in the program.
fn constants(rs: &Ruleset) -> Vec<Vec<Val>> {
    let mut out = vec![Vec::new(); rs.facts.len()];
    for op in &rs.prog.ops {
        if let Kind::Test(t) = &op.kind {
            if let Some(v) = out.get_mut(t.fact() as usize) {
                v.extend_from_slice(t.constants(&rs.prog.lists));
            }
        }
    }
    out
}

/// `NEVER_APPLIES` and `UNREACHABLE_ROW` warnings, decided exactly within the bounds above.
pub(crate) fn exact(rs: &Ruleset, g: &Graph, doc_ids: &[String]) -> Vec<Diagnostic> {
    let mut x = Exact {
        rs,
        g,
        constants: constants(rs),
        left: TOTAL,
    };
    let mut out = Vec::new();
    let doc = &rs.doc;
    for (r, rdoc) in rs.reqs.iter().zip(&doc.requirements) {
        let Some(a) = r.applies else { continue };
        let Some(reads) = root_reads(rs, a) else {
            continue;
        };
        if !x.enumerable(a) {
            continue;
        }
        let Some(space) = x.space(&reads, x.size(a)) else {
            continue;
        };
        let mut applies = false;
        x.enumerate(&space, |s| {
            applies = rs.prog.eval::<Tri, _>(a, s) == Tri::True;
            applies
        });
        if !applies {
            let msg = format!(
                "requirement `{}` can never apply: no answers make `applies_when` true",
                rdoc.id
            );
            let d = Diagnostic::warning(
                Code::NeverApplies,
                format!("{}.applies_when", rdoc.origin.path),
                msg,
            );
            out.push(in_doc(d.with_rule(rdoc.id.clone()), &rdoc.origin, doc_ids));
        }
    }
    for (t, tdoc) in rs.tables.iter().zip(&doc.tables) {
        for i in unreachable_rows(&mut x, t) {
            let Some(rdoc) = tdoc.rows.get(i) else {
                continue;
            };
            let msg = format!("row {i} of table `{}` can never be the first hit", tdoc.id);
            let d = Diagnostic::warning(Code::UnreachableRow, rdoc.origin.path.clone(), msg)
                .with_rule(tdoc.id.clone());
            out.push(in_doc(d, &rdoc.origin, doc_ids));
        }
    }
    out
}

fn in_doc(mut d: Diagnostic, origin: &Origin, doc_ids: &[String]) -> Diagnostic {
    if origin.doc > 0 {
        d.document = doc_ids.get(origin.doc).cloned();
    }
    d
}

/// What the ops under `root` read directly.
fn root_reads(rs: &Ruleset, root: u32) -> Option<Reads> {
    let end = rs.prog.op(root as usize)?.end as usize;
    let mut reads = Reads::default();
    for op in rs.prog.ops.get(root as usize..end)? {
        match op.kind {
            Kind::Test(t) => t.facts().into_iter().flatten().for_each(|f| {
                if !reads.facts.contains(&(f as usize)) {
                    reads.facts.push(f as usize);
                }
            }),
            Kind::Ref(d) => reads.add_item(Item::Derived(d as usize)),
            Kind::Decision { table, .. } => reads.add_item(Item::Table(table as usize)),
            Kind::Join(_) | Kind::Const(_) => {}
        }
    }
    Some(reads)
}

/// The rows of a table that can never be the first hit, among its first rows whose facts
/// stay within the bounds; later rows are not checked.
fn unreachable_rows(x: &mut Exact<'_>, t: &crate::compile::Table) -> Vec<usize> {
    // The longest prefix of rows whose combined space is within the bounds, grown row by
    // row; the space is recomputed only when a row reads something new.
    let mut reads = Reads::default();
    let mut root_ops = 0usize;
    let mut best: Option<(usize, Space)> = None;
    for (k, row) in t.rows.iter().enumerate() {
        let Some(r) = root_reads(x.rs, row.when) else {
            break;
        };
        if !x.enumerable(row.when) {
            break;
        }
        root_ops = root_ops.saturating_add(x.size(row.when));
        let new = r.facts.iter().any(|f| !reads.facts.contains(f))
            || r.items.iter().any(|it| !reads.has_item(*it));
        for f in &r.facts {
            if !reads.facts.contains(f) {
                reads.facts.push(*f);
            }
        }
        r.items.iter().for_each(|it| reads.add_item(*it));
        if !new {
            if let Some((n, space)) = best.as_mut() {
                let ops = space.ops.saturating_add(x.size(row.when));
                let total = space.total;
                if total.saturating_mul(ops.max(1)) > WORK.min(x.left) {
                    break;
                }
                space.ops = ops;
                *n = k + 1;
                continue;
            }
        }
        match x.space(&reads, root_ops) {
            Some(space) => best = Some((k + 1, space)),
            None => break,
        }
    }
    let Some((n, space)) = best else {
        return Vec::new();
    };
    let mut hit = vec![false; n];
    let rs = x.rs;
    x.enumerate(&space, |s| {
        for (i, row) in t.rows.iter().take(n).enumerate() {
            match rs.prog.eval::<Tri, _>(row.when, s) {
                Tri::True => {
                    if let Some(h) = hit.get_mut(i) {
                        *h = true;
                    }
                    break;
                }
                Tri::False => {}
                // Not decidable by enumeration (cannot happen on complete answers).
                Tri::Unknown => {
                    hit.iter_mut().skip(i).for_each(|h| *h = true);
                    break;
                }
            }
        }
        hit.iter().all(|h| *h)
    });
    hit.iter()
        .enumerate()
        .filter(|(_, h)| !**h)
        .map(|(i, _)| i)
        .collect()
}
