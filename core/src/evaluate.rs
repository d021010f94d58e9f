//! Evaluation: named conditions and tables in dependency order, requirement statuses, the
//! verdict, and the walks that explain a value (`decided_by`) or find what is still open
//! (`open_questions`). See docs/report-format.md for the exact definitions.

use crate::compile::Item;
use crate::condition::{Env, Node, NodeId, TableOut};
use crate::facts::{Facts, Val};
use crate::report::{
    AttributionCounts, Decision, DecisionStatus, Item as ReportItem, OpenQuestion, Report,
    RequirementResult, RulesetRef, Status, Summary, Verdict,
};
use crate::ruleset::{Checklist, Ruleset};
use crate::tri::Tri;
use crate::wire::Kind;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// Values of named conditions and tables for one patient.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    pub derived: Vec<Tri>,
    pub tables: Vec<TableOut>,
}

/// A requirement's Kleene values: applies, met, blocks.
#[derive(Debug, Clone, Copy)]
struct ReqEval {
    applies: Tri,
    met: Tri,
    status: Status,
}

impl Ruleset {
    /// Evaluates named conditions and tables of `plan`, in order.
    pub(crate) fn run(&self, plan: &[Item], facts: &[Option<Val>], s: &mut Scratch) {
        let (nd, nt) = self.item_count();
        s.derived.clear();
        s.derived.resize(nd, Tri::Unknown);
        s.tables.clear();
        s.tables.resize(nt, TableOut::default());
        for item in plan {
            match *item {
                Item::Derived(i) => {
                    let root = self.derived.get(i).map(|d| d.1);
                    let v = {
                        let env = Env {
                            facts,
                            derived: &s.derived,
                            tables: &s.tables,
                        };
                        root.map_or(Tri::Unknown, |r| self.prog.eval(r, &env))
                    };
                    if let Some(slot) = s.derived.get_mut(i) {
                        *slot = v;
                    }
                }
                Item::Table(t) => {
                    let v = {
                        let env = Env {
                            facts,
                            derived: &s.derived,
                            tables: &s.tables,
                        };
                        self.eval_table(t, &env)
                    };
                    if let Some(slot) = s.tables.get_mut(t) {
                        *slot = v;
                    }
                }
            }
        }
    }

    /// First-hit, Kleene-aware table evaluation.
    pub(crate) fn eval_table(&self, t: usize, env: &Env<'_>) -> TableOut {
        let Some(table) = self.tables.get(t) else {
            return TableOut::default();
        };
        let bit = |i: usize| if i < 64 { 1u64 << i } else { 0 };
        let mut possible = 0u64;
        let mut unknown = false;
        for (i, row) in table.rows.iter().enumerate() {
            match self.prog.eval(row.when, env) {
                Tri::True => {
                    possible |= bit(row.out);
                    let row = (!unknown).then(|| u32::try_from(i).unwrap_or(u32::MAX));
                    return TableOut { possible, row };
                }
                Tri::Unknown => {
                    unknown = true;
                    possible |= bit(row.out);
                }
                Tri::False => {}
            }
        }
        TableOut {
            possible: possible | bit(table.default),
            row: None,
        }
    }

    fn req_eval(&self, i: usize, env: &Env<'_>) -> ReqEval {
        let Some(r) = self.reqs.get(i) else {
            return ReqEval {
                applies: Tri::Unknown,
                met: Tri::Unknown,
                status: Status::Unknown,
            };
        };
        let applies = r.applies.map_or(Tri::True, |a| self.prog.eval(a, env));
        let met = self.prog.eval(r.met, env);
        let status = match (applies, met) {
            (Tri::False, _) => Status::NotApplicable,
            (_, Tri::True) => Status::Met,
            (Tri::True, Tri::False) => Status::NotMet,
            _ => Status::Unknown,
        };
        ReqEval {
            applies,
            met,
            status,
        }
    }

    /// Evaluates a patient against a checklist. Never fails: a ruleset that loaded is complete.
    #[must_use]
    pub fn evaluate(&self, checklist: Checklist<'_>, facts: &Facts) -> Report {
        let mut scratch = Scratch::default();
        self.evaluate_with(checklist, facts, &mut scratch)
    }

    /// As [`Ruleset::evaluate`], reusing `scratch` buffers across calls.
    pub(crate) fn evaluate_with(
        &self,
        checklist: Checklist<'_>,
        facts: &Facts,
        scratch: &mut Scratch,
    ) -> Report {
        let cl = checklist.c;
        let values = self.padded(facts);
        self.run(&cl.plan, &values, scratch);
        let env = Env {
            facts: &values,
            derived: &scratch.derived,
            tables: &scratch.tables,
        };
        let w = Walker {
            rs: self,
            env: &env,
        };
        let evals: Vec<(usize, ReqEval)> = cl
            .reqs
            .iter()
            .map(|&i| (i, self.req_eval(i, &env)))
            .collect();

        let mut open: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
        let mut requirements = Vec::with_capacity(evals.len());
        let mut blockers = Vec::new();
        let mut advisories = Vec::new();
        for &(i, e) in &evals {
            let Some(doc) = self.doc.requirements.get(i) else {
                continue;
            };
            let Some(rc) = self.reqs.get(i) else { continue };
            let mut ids = BTreeSet::new();
            if e.status == Status::Unknown {
                let roots: Vec<NodeId> = [(rc.applies, e.applies), (Some(rc.met), e.met)]
                    .into_iter()
                    .filter_map(|(n, v)| n.filter(|_| v == Tri::Unknown))
                    .collect();
                w.open_facts(&roots, &mut ids);
                if doc.kind != Kind::Advisory {
                    for f in &ids {
                        open.entry(*f).or_default().insert(doc.id.clone());
                    }
                }
            } else {
                if e.status != Status::NotApplicable || rc.applies.is_some() {
                    if let Some(a) = rc.applies.filter(|_| e.applies != Tri::Unknown) {
                        w.deciding_facts(a, &mut ids);
                    }
                }
                if e.status != Status::NotApplicable {
                    w.deciding_facts(rc.met, &mut ids);
                }
            }
            let decided_by = self.names(&ids);
            if matches!(e.status, Status::NotMet | Status::Unknown) {
                let item = self.item(i, e.status, decided_by.clone());
                match (doc.kind, item) {
                    (Kind::Advisory, Some(it)) => advisories.push(it),
                    (_, Some(it)) => blockers.push(it),
                    _ => {}
                }
            }
            requirements.push(RequirementResult {
                id: doc.id.clone(),
                kind: doc.kind,
                status: e.status,
                decided_by,
            });
        }
        blockers.sort_by_key(|b| b.kind != Kind::SafeguardingHold);

        let decisions = self.decisions(cl.tables.as_slice(), &w, &mut open);
        let open_questions = self.open_questions(&w, open);
        let hidden_facts = cl
            .facts
            .iter()
            .filter(|&&f| {
                self.facts
                    .get(f)
                    .and_then(|d| d.asked_when)
                    .is_some_and(|a| self.prog.eval(a, &env) == Tri::False)
            })
            .filter_map(|&f| self.facts.get(f).map(|d| d.id.clone()))
            .collect();

        let hard = |k: Kind| k != Kind::Advisory;
        let not_met: Vec<&ReportItem> = blockers
            .iter()
            .filter(|b| b.status == Status::NotMet && hard(b.kind))
            .collect();
        let unknown = blockers
            .iter()
            .filter(|b| b.status == Status::Unknown)
            .count();
        let verdict = if !not_met.is_empty() {
            Verdict::NotReady
        } else if unknown > 0 {
            Verdict::Undetermined
        } else {
            Verdict::Ready
        };
        let any_primary = not_met.iter().any(|b| b.primary);
        let cause_items: Vec<&&ReportItem> = not_met
            .iter()
            .filter(|b| b.primary || !any_primary)
            .collect();
        let mut attribution = AttributionCounts::default();
        for b in &cause_items {
            *attribution.by_owner.entry(b.owner).or_insert(0) += 1;
            *attribution.by_attribution.entry(b.attribution).or_insert(0) += 1;
        }
        let causes = cause_items.iter().map(|b| b.id.clone()).collect();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Report {
            format: 1,
            ruleset: RulesetRef {
                id: self.doc.id.clone(),
                version: self.doc.version.clone(),
                hash: self.hash.clone(),
            },
            checklist: cl.id.clone(),
            verdict,
            summary: Summary {
                outstanding: count(not_met.len()),
                unknown: count(unknown),
                open_questions: count(open_questions.len()),
            },
            causes,
            blockers,
            advisories,
            requirements,
            decisions,
            attribution,
            open_questions,
            hidden_facts,
        }
    }

    /// The facts' values, padded to the schema length.
    fn padded(&self, facts: &Facts) -> Vec<Option<Val>> {
        let mut v = facts.values.clone();
        v.resize(self.facts.len(), None);
        v
    }

    fn names(&self, ids: &BTreeSet<usize>) -> Vec<String> {
        ids.iter()
            .filter_map(|&f| self.facts.get(f).map(|d| d.id.clone()))
            .collect()
    }

    fn item(&self, i: usize, status: Status, decided_by: Vec<String>) -> Option<ReportItem> {
        let r = self.doc.requirements.get(i)?;
        Some(ReportItem {
            id: r.id.clone(),
            title: r.title.clone(),
            kind: r.kind,
            status,
            owner: r.owner,
            attribution: r
                .attribution
                .unwrap_or_else(|| r.owner.default_attribution()),
            delay_category: r.delay_category,
            primary: r.primary,
            action: r.action.clone(),
            referral: r.referral.clone(),
            citation: r.citation.clone(),
            decided_by,
        })
    }

    fn decisions(
        &self,
        tables: &[usize],
        w: &Walker<'_, '_>,
        open: &mut BTreeMap<usize, BTreeSet<String>>,
    ) -> Vec<Decision> {
        let mut out = Vec::with_capacity(tables.len());
        for &t in tables {
            let (Some(doc), Some(res)) = (self.doc.tables.get(t), w.env.tables.get(t).copied())
            else {
                continue;
            };
            let mut deciding = BTreeSet::new();
            let mut opens = BTreeSet::new();
            let decided = res.decided();
            if decided.is_some() {
                w.table_deciding(t, &mut deciding);
            } else {
                w.open_facts(&w.table_open_roots(t), &mut opens);
                for f in &opens {
                    open.entry(*f).or_default().insert(doc.id.clone());
                }
            }
            let output = decided.and_then(|o| doc.outputs.get(o));
            out.push(Decision {
                id: doc.id.clone(),
                title: doc.title.clone(),
                status: if decided.is_some() {
                    DecisionStatus::Decided
                } else {
                    DecisionStatus::Undetermined
                },
                output: output.map(|o| o.value.clone()),
                label: output.map(|o| o.label.clone()),
                row: if decided.is_some() { res.row } else { None },
                decided_by: self.names(&deciding),
                open_questions: self.names(&opens),
            });
        }
        out
    }

    /// Gates candidates by `asked_when`, then orders by section and schema order.
    fn open_questions(
        &self,
        w: &Walker<'_, '_>,
        candidates: BTreeMap<usize, BTreeSet<String>>,
    ) -> Vec<OpenQuestion> {
        let mut result: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
        let mut seen = BTreeSet::new();
        let mut todo: Vec<(usize, BTreeSet<String>)> = candidates.into_iter().collect();
        while let Some((f, affects)) = todo.pop() {
            let gate = self.facts.get(f).and_then(|d| d.asked_when);
            let Some(g) = gate else {
                result.entry(f).or_default().extend(affects);
                continue;
            };
            match self.prog.eval(g, w.env) {
                Tri::True => result.entry(f).or_default().extend(affects),
                Tri::False => {}
                Tri::Unknown => {
                    let mut gates = BTreeSet::new();
                    w.open_facts(&[g], &mut gates);
                    for g in gates {
                        if seen.insert((f, g)) {
                            todo.push((g, affects.clone()));
                        }
                    }
                }
            }
        }
        let mut list: Vec<(usize, usize, BTreeSet<String>)> = result
            .into_iter()
            .map(|(f, a)| {
                (
                    self.section_order.get(f).copied().unwrap_or(usize::MAX),
                    f,
                    a,
                )
            })
            .collect();
        list.sort_by_key(|(s, f, _)| (*s, *f));
        list.into_iter()
            .filter_map(|(_, f, affects)| {
                let def = self.facts.get(f)?;
                let doc = self.doc.facts.get(f)?;
                let mut affects: Vec<String> = affects.into_iter().collect();
                affects.sort_by_key(|a| self.position_of(a));
                Some(OpenQuestion {
                    fact: def.id.clone(),
                    question: doc.question.clone(),
                    section: doc.section.clone(),
                    affects,
                })
            })
            .collect()
    }

    /// Document position of a requirement or table id, for stable `affects` order.
    fn position_of(&self, id: &str) -> (usize, usize) {
        if let Some(i) = self.doc.requirements.iter().position(|r| r.id == id) {
            return (0, i);
        }
        (
            1,
            self.doc
                .tables
                .iter()
                .position(|t| t.id == id)
                .unwrap_or(usize::MAX),
        )
    }
}

/// Walks the evaluated condition graph of one patient.
pub(crate) struct Walker<'r, 'e> {
    pub rs: &'r Ruleset,
    pub env: &'e Env<'e>,
}

impl Walker<'_, '_> {
    fn eval(&self, n: NodeId) -> Tri {
        self.rs.prog.eval(n, self.env)
    }

    /// The unknown rows of an undetermined table, up to its first true row.
    pub(crate) fn table_open_roots(&self, t: usize) -> Vec<NodeId> {
        let mut roots = Vec::new();
        if let Some(table) = self.rs.tables.get(t) {
            for row in &table.rows {
                match self.eval(row.when) {
                    Tri::Unknown => roots.push(row.when),
                    Tri::True => break,
                    Tri::False => {}
                }
            }
        }
        roots
    }

    /// Unknown facts reachable through unknown parts of `roots` (step 2 of the definition).
    pub(crate) fn open_facts(&self, roots: &[NodeId], out: &mut BTreeSet<usize>) {
        let mut stack: Vec<NodeId> = roots.to_vec();
        let mut seen_items: BTreeSet<Item> = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if self.eval(n) != Tri::Unknown {
                continue;
            }
            match self.rs.prog.node(n) {
                Some(Node::Cmp { fact, .. }) => {
                    out.insert(*fact as usize);
                }
                Some(Node::Ref(d)) => {
                    let d = *d as usize;
                    if seen_items.insert(Item::Derived(d)) {
                        if let Some((_, root)) = self.rs.derived.get(d) {
                            stack.push(*root);
                        }
                    }
                }
                Some(Node::Decision { table, .. }) => {
                    let t = *table as usize;
                    if seen_items.insert(Item::Table(t)) {
                        stack.extend(self.table_open_roots(t));
                    }
                }
                Some(_) => stack.extend_from_slice(self.rs.prog.kids_of(n)),
                None => {}
            }
        }
    }

    /// Facts read by the parts of a decided condition that decide its value.
    pub(crate) fn deciding_facts(&self, root: NodeId, out: &mut BTreeSet<usize>) {
        self.deciding_from(vec![root], out);
    }

    fn deciding_from(&self, mut stack: Vec<NodeId>, out: &mut BTreeSet<usize>) {
        let mut seen_items: BTreeSet<Item> = BTreeSet::new();
        while let Some(n) = stack.pop() {
            let v = self.eval(n);
            if v == Tri::Unknown {
                continue;
            }
            match self.rs.prog.node(n) {
                Some(Node::Cmp { fact, .. } | Node::Known(fact)) => {
                    out.insert(*fact as usize);
                }
                Some(Node::All { .. } | Node::Any { .. } | Node::AtLeast { .. }) => {
                    let all_same = matches!(
                        (self.rs.prog.node(n), v),
                        (Some(Node::All { .. }), Tri::True) | (Some(Node::Any { .. }), Tri::False)
                    );
                    for &k in self.rs.prog.kids_of(n) {
                        if all_same || self.eval(k) == v {
                            stack.push(k);
                        }
                    }
                }
                Some(Node::Not(k)) => stack.push(*k),
                Some(Node::Ref(d)) => {
                    let d = *d as usize;
                    if seen_items.insert(Item::Derived(d)) {
                        if let Some((_, root)) = self.rs.derived.get(d) {
                            stack.push(*root);
                        }
                    }
                }
                Some(Node::Decision { table, .. }) => {
                    let t = *table as usize;
                    if seen_items.insert(Item::Table(t)) {
                        stack.extend(self.table_decided_rows(t));
                    }
                }
                Some(Node::Const(_)) | None => {}
            }
        }
    }

    /// Facts read by the decided rows of a table, up to its first true row.
    pub(crate) fn table_deciding(&self, t: usize, out: &mut BTreeSet<usize>) {
        self.deciding_from(self.table_decided_rows(t), out);
    }

    /// The decided rows of a table up to (and including) its first true row.
    fn table_decided_rows(&self, t: usize) -> Vec<NodeId> {
        let mut rows = Vec::new();
        if let Some(table) = self.rs.tables.get(t) {
            for row in &table.rows {
                let v = self.eval(row.when);
                if v != Tri::Unknown {
                    rows.push(row.when);
                }
                if v == Tri::True {
                    break;
                }
            }
        }
        rows
    }
}
