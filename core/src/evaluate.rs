//! Evaluation: named conditions and tables in dependency order, requirement statuses, the
//! verdict, and the walks that explain a value (`decided_by`) or find what is still open
//! (`open_questions`). See docs/report-format.md for the exact definitions.
//!
//! Two levels: [`Evaluator::assess`] computes the verdict, statuses, decisions and open
//! questions into reusable buffers with no per-call allocation once warm (for bulk use);
//! [`Ruleset::evaluate`] builds the full [`Report`] on top of it.

use crate::bits::BitSet;
use crate::compile::{ChecklistC, Item};
use crate::condition::{Env, Node, NodeId, NodeMemo, TableOut};
use crate::facts::{Facts, Val};
use crate::report::{
    AttributionCounts, Decision, DecisionStatus, Item as ReportItem, OpenQuestion, Report,
    RequirementResult, RulesetRef, Status, Summary, Verdict,
};
use crate::ruleset::{Checklist, Ruleset};
use crate::tri::Tri;
use crate::wire::{Kind, OutputValue};
use alloc::string::String;
use alloc::vec::Vec;

/// Values of named conditions and tables for one patient.
#[derive(Debug, Clone, Default)]
pub(crate) struct Values {
    pub derived: Vec<Tri>,
    pub tables: Vec<TableOut>,
}

/// Buffers for the walks.
#[derive(Debug, Clone, Default)]
pub(crate) struct Work {
    stack: Vec<NodeId>,
    seen_d: BitSet,
    seen_t: BitSet,
    /// Facts found by the last walk.
    tmp: BitSet,
    /// Open-question candidates.
    open: BitSet,
    /// Candidates after `asked_when` gating.
    gated: BitSet,
    todo: Vec<usize>,
    /// Facts already queued by the gating pass.
    seen_g: BitSet,
    order: Vec<u32>,
    /// Node values of the current patient, filled lazily by the walks.
    memo: NodeMemo,
}

/// A requirement's Kleene values and status.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReqEval {
    applies: Tri,
    met: Tri,
    status: Status,
}

/// Reusable evaluation buffers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    pub values: Values,
    work: Work,
    reqs: Vec<ReqEval>,
}

impl Ruleset {
    /// Evaluates named conditions and tables of `plan`, in order.
    pub(crate) fn run(&self, plan: &[Item], facts: &[Option<Val>], s: &mut Values) {
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
        // A requirement that does not apply is not applicable whatever `met_when` says; its
        // value is never read (no walk visits `met_when` of a not-applicable requirement).
        let met = if applies == Tri::False {
            Tri::Unknown
        } else {
            self.prog.eval(r.met, env)
        };
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

    fn kind(&self, i: usize) -> Kind {
        self.reqs.get(i).map_or(Kind::Advisory, |r| r.kind)
    }

    /// Verdict from the statuses of a checklist's blockers and holds.
    fn verdict(&self, cl: &ChecklistC, reqs: &[ReqEval]) -> Verdict {
        let hard = cl
            .reqs
            .iter()
            .zip(reqs)
            .filter(|(i, _)| self.kind(**i) != Kind::Advisory);
        let mut unknown = false;
        for (_, e) in hard {
            match e.status {
                Status::NotMet => return Verdict::NotReady,
                Status::Unknown => unknown = true,
                Status::Met | Status::NotApplicable => {}
            }
        }
        if unknown {
            Verdict::Undetermined
        } else {
            Verdict::Ready
        }
    }

    /// The core of every evaluation: values, statuses and the verdict, into `s`.
    fn assess_into(&self, cl: &ChecklistC, facts: &Facts, s: &mut Scratch) -> Verdict {
        self.run(&cl.plan, &facts.values, &mut s.values);
        let env = Env {
            facts: &facts.values,
            derived: &s.values.derived,
            tables: &s.values.tables,
        };
        s.reqs.clear();
        s.reqs
            .extend(cl.reqs.iter().map(|&i| self.req_eval(i, &env)));
        self.verdict(cl, &s.reqs)
    }

    /// Collects open-question candidates for a checklist into `work.open` (step 1–2 of the
    /// definition) and, when `per_root` is given, records which facts each root reached.
    fn open_candidates(
        &self,
        cl: &ChecklistC,
        env: &Env<'_>,
        reqs: &[ReqEval],
        work: &mut Work,
        mut per_root: Option<&mut Vec<Vec<u32>>>,
    ) {
        let w = Walker { rs: self, env };
        work.open.reset(self.facts.len());
        if per_root.is_none() {
            // Only the union is wanted: one walk from every open root, so sub-conditions and
            // tables shared between requirements are walked once.
            work.tmp.reset(self.facts.len());
            work.stack.clear();
            for (&i, e) in cl.reqs.iter().zip(reqs) {
                if e.status != Status::Unknown || self.kind(i) == Kind::Advisory {
                    continue;
                }
                let Some(rc) = self.reqs.get(i) else { continue };
                if e.applies == Tri::Unknown {
                    work.stack.extend(rc.applies);
                }
                if e.met == Tri::Unknown {
                    work.stack.push(rc.met);
                }
            }
            for &t in &cl.tables {
                if env.tables.get(t).is_none_or(|r| r.decided().is_none()) {
                    w.push_open_rows(t, &mut work.stack, &mut work.memo);
                }
            }
            w.open_walk(work);
            work.open.union_with(&work.tmp);
            return;
        }
        for (&i, e) in cl.reqs.iter().zip(reqs) {
            if e.status != Status::Unknown || self.kind(i) == Kind::Advisory {
                continue;
            }
            let Some(rc) = self.reqs.get(i) else { continue };
            work.tmp.reset(self.facts.len());
            work.stack.clear();
            if e.applies == Tri::Unknown {
                work.stack.extend(rc.applies);
            }
            if e.met == Tri::Unknown {
                work.stack.push(rc.met);
            }
            w.open_walk(work);
            let tmp = core::mem::take(&mut work.tmp);
            work.open.union_with(&tmp);
            if let Some(map) = per_root.as_deref_mut() {
                let code = u32::try_from(i).unwrap_or(u32::MAX);
                for f in tmp.iter() {
                    if let Some(v) = map.get_mut(f) {
                        v.push(code);
                    }
                }
            }
            work.tmp = tmp;
        }
        for &t in &cl.tables {
            if env.tables.get(t).is_some_and(|r| r.decided().is_some()) {
                continue;
            }
            work.tmp.reset(self.facts.len());
            work.stack.clear();
            w.push_open_rows(t, &mut work.stack, &mut work.memo);
            w.open_walk(work);
            let tmp = core::mem::take(&mut work.tmp);
            work.open.union_with(&tmp);
            if let Some(map) = per_root.as_deref_mut() {
                let code = u32::try_from(self.doc.requirements.len() + t).unwrap_or(u32::MAX);
                for f in tmp.iter() {
                    if let Some(v) = map.get_mut(f) {
                        v.push(code);
                    }
                }
            }
            work.tmp = tmp;
        }
    }

    /// Gates `work.open` by `asked_when` into `work.gated` (step 3); with `affects`, moves each
    /// candidate's affects onto the questions that replace it.
    fn gate(&self, env: &Env<'_>, work: &mut Work, mut affects: Option<&mut Vec<Vec<u32>>>) {
        let w = Walker { rs: self, env };
        work.gated.reset(self.facts.len());
        work.todo.clear();
        work.todo.extend(work.open.iter());
        let mut seen = core::mem::take(&mut work.seen_g);
        seen.reset(self.facts.len());
        for f in work.open.iter() {
            seen.insert(f);
        }
        while let Some(f) = work.todo.pop() {
            let gate = self.facts.get(f).and_then(|d| d.asked_when);
            let value = gate.map_or(Tri::True, |g| self.prog.eval(g, env));
            match (value, gate) {
                (Tri::True, _) | (_, None) => {
                    work.gated.insert(f);
                }
                (Tri::False, _) => {}
                (Tri::Unknown, Some(g)) => {
                    work.tmp.reset(self.facts.len());
                    work.stack.clear();
                    work.stack.push(g);
                    w.open_walk(work);
                    if let Some(m) = affects.as_deref_mut() {
                        let from: Vec<u32> = m.get(f).cloned().unwrap_or_default();
                        for gf in work.tmp.iter() {
                            if let Some(v) = m.get_mut(gf) {
                                v.extend(from.iter().cloned());
                            }
                        }
                    }
                    for gf in work.tmp.iter() {
                        if seen.insert(gf) {
                            work.todo.push(gf);
                        }
                    }
                }
            }
        }
        work.seen_g = seen;
    }

    /// Orders `work.gated` by section then schema order into `work.order` (step 4).
    fn order_open(&self, work: &mut Work) {
        work.order.clear();
        work.order
            .extend(work.gated.iter().filter_map(|f| u32::try_from(f).ok()));
        // Keys are unique (the fact index is part of them), so an unstable sort is exact.
        work.order.sort_unstable_by_key(|&f| {
            (
                self.section_order
                    .get(f as usize)
                    .copied()
                    .unwrap_or(usize::MAX),
                f,
            )
        });
    }

    /// Whether fact `f`'s question is hidden: its `asked_when` is false.
    fn is_hidden(&self, f: usize, env: &Env<'_>) -> bool {
        self.facts
            .get(f)
            .and_then(|d| d.asked_when)
            .is_some_and(|a| self.prog.eval(a, env) == Tri::False)
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
        s: &mut Scratch,
    ) -> Report {
        let cl = checklist.c;
        let verdict = self.assess_into(cl, facts, s);
        let Scratch { values, work, reqs } = s;
        work.memo.reset(self.prog.nodes.len());
        let env = Env {
            facts: &facts.values,
            derived: &values.derived,
            tables: &values.tables,
        };
        let w = Walker {
            rs: self,
            env: &env,
        };

        let mut requirements = Vec::with_capacity(reqs.len());
        let mut blockers = Vec::new();
        let mut advisories = Vec::new();
        for (&i, e) in cl.reqs.iter().zip(reqs.iter()) {
            let (Some(doc), Some(rc)) = (self.doc.requirements.get(i), self.reqs.get(i)) else {
                continue;
            };
            work.tmp.reset(self.facts.len());
            work.stack.clear();
            if e.status == Status::Unknown {
                let roots = [(rc.applies, e.applies), (Some(rc.met), e.met)];
                work.stack.extend(
                    roots
                        .iter()
                        .filter_map(|(n, v)| n.filter(|_| *v == Tri::Unknown)),
                );
                w.open_walk(work);
            } else {
                if let Some(a) = rc.applies.filter(|_| e.applies != Tri::Unknown) {
                    work.stack.push(a);
                }
                if e.status != Status::NotApplicable {
                    work.stack.push(rc.met);
                }
                w.deciding_walk(work);
            }
            let decided_by = self.names(&work.tmp);
            if matches!(e.status, Status::NotMet | Status::Unknown) {
                if let Some(item) = self.item(i, e.status, decided_by.clone()) {
                    if doc.kind == Kind::Advisory {
                        advisories.push(item);
                    } else {
                        blockers.push(item);
                    }
                }
            }
            requirements.push(RequirementResult {
                id: doc.id.clone(),
                kind: doc.kind,
                status: e.status,
                decided_by,
            });
        }
        // Holds first, each group in checklist order (a stable partition).
        let (holds, others): (Vec<ReportItem>, Vec<ReportItem>) = blockers
            .into_iter()
            .partition(|b| b.kind == Kind::SafeguardingHold);
        let mut blockers = holds;
        blockers.extend(others);

        let mut affects: Vec<Vec<u32>> = alloc::vec![Vec::new(); self.facts.len()];
        self.open_candidates(cl, &env, reqs, work, Some(&mut affects));
        let decisions = self.decisions(&cl.tables, &w, work);
        self.gate(&env, work, Some(&mut affects));
        self.order_open(work);
        let open_questions = self.open_questions(work, &affects);
        let hidden_facts = cl
            .facts
            .iter()
            .filter(|&&f| self.is_hidden(f, &env))
            .filter_map(|&f| self.facts.get(f).map(|d| d.id.clone()))
            .collect();

        let not_met: Vec<&ReportItem> = blockers
            .iter()
            .filter(|b| b.status == Status::NotMet)
            .collect();
        let unknown = blockers
            .iter()
            .filter(|b| b.status == Status::Unknown)
            .count();
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

    fn names(&self, ids: &BitSet) -> Vec<String> {
        ids.iter()
            .filter_map(|f| self.facts.get(f).map(|d| d.id.clone()))
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

    fn decisions(&self, tables: &[usize], w: &Walker<'_, '_>, work: &mut Work) -> Vec<Decision> {
        let mut out = Vec::with_capacity(tables.len());
        for &t in tables {
            let (Some(doc), Some(res)) = (self.doc.tables.get(t), w.env.tables.get(t).copied())
            else {
                continue;
            };
            work.tmp.reset(self.facts.len());
            work.stack.clear();
            let decided = res.decided();
            if decided.is_some() {
                w.push_decided_rows(t, &mut work.stack, &mut work.memo);
                w.deciding_walk(work);
            } else {
                w.push_open_rows(t, &mut work.stack, &mut work.memo);
                w.open_walk(work);
            }
            let names = self.names(&work.tmp);
            let output = decided.and_then(|o| doc.outputs.get(o));
            let (decided_by, open_questions) = if decided.is_some() {
                (names, Vec::new())
            } else {
                (Vec::new(), names)
            };
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
                decided_by,
                open_questions,
            });
        }
        out
    }

    fn open_questions(&self, work: &Work, affects: &[Vec<u32>]) -> Vec<OpenQuestion> {
        work.order
            .iter()
            .filter_map(|&f| {
                let doc = self.doc.facts.get(f as usize)?;
                let mut codes: Vec<u32> = affects.get(f as usize).cloned().unwrap_or_default();
                codes.sort_unstable();
                codes.dedup();
                let a: Vec<String> = codes
                    .iter()
                    .filter_map(|&c| self.root_id(c as usize))
                    .collect();
                Some(OpenQuestion {
                    fact: doc.id.clone(),
                    question: doc.question.clone(),
                    section: doc.section.clone(),
                    affects: a,
                })
            })
            .collect()
    }

    /// The id of a root: requirement `c`, or table `c - requirements`.
    fn root_id(&self, c: usize) -> Option<String> {
        let n = self.doc.requirements.len();
        if c < n {
            self.doc.requirements.get(c).map(|r| r.id.clone())
        } else {
            self.doc.tables.get(c - n).map(|t| t.id.clone())
        }
    }
}

/// Reusable buffers for evaluating many patients quickly (bulk use, benchmarks, sessions).
#[derive(Debug, Clone, Default)]
pub struct Evaluator {
    scratch: Scratch,
}

/// The result of [`Evaluator::assess`]: verdict, statuses, decisions and open questions,
/// without building a report.
#[derive(Debug)]
pub struct Assessment<'a> {
    rs: &'a Ruleset,
    facts: &'a Facts,
    cl: &'a ChecklistC,
    scratch: &'a Scratch,
    verdict: Verdict,
    open: bool,
}

impl Evaluator {
    /// New, empty buffers.
    #[must_use]
    pub fn new() -> Self {
        Evaluator::default()
    }

    /// Assesses a patient. With `open_questions`, also computes the minimal ordered open
    /// questions (the same list a report would carry).
    pub fn assess<'a>(
        &'a mut self,
        rs: &'a Ruleset,
        checklist: Checklist<'a>,
        facts: &'a Facts,
        open_questions: bool,
    ) -> Assessment<'a> {
        let cl = checklist.c;
        let verdict = rs.assess_into(cl, facts, &mut self.scratch);
        if open_questions {
            let Scratch { values, work, reqs } = &mut self.scratch;
            work.memo.reset(rs.prog.nodes.len());
            let env = Env {
                facts: &facts.values,
                derived: &values.derived,
                tables: &values.tables,
            };
            rs.open_candidates(cl, &env, reqs, work, None);
            rs.gate(&env, work, None);
            rs.order_open(work);
        }
        Assessment {
            rs,
            facts,
            cl,
            scratch: &self.scratch,
            verdict,
            open: open_questions,
        }
    }

    /// Full report, reusing these buffers.
    #[must_use]
    pub fn evaluate(&mut self, rs: &Ruleset, checklist: Checklist<'_>, facts: &Facts) -> Report {
        rs.evaluate_with(checklist, facts, &mut self.scratch)
    }
}

impl Assessment<'_> {
    /// The verdict.
    #[must_use]
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Each requirement of the checklist with its status, in checklist order.
    pub fn statuses(&self) -> impl Iterator<Item = (&str, Status)> + '_ {
        self.cl
            .reqs
            .iter()
            .zip(&self.scratch.reqs)
            .filter_map(|(&i, e)| {
                self.rs
                    .doc
                    .requirements
                    .get(i)
                    .map(|r| (r.id.as_str(), e.status))
            })
    }

    /// For each requirement of the checklist, in order: whether it is a blocker or hold (counts
    /// toward the verdict) rather than an advisory.
    pub fn hard(&self) -> impl Iterator<Item = bool> + '_ {
        self.cl
            .reqs
            .iter()
            .map(|&i| self.rs.kind(i) != Kind::Advisory)
    }

    /// Ids of requirements that are `not_met` (blockers, holds and advisories).
    pub fn not_met(&self) -> impl Iterator<Item = &str> + '_ {
        self.statuses()
            .filter(|(_, s)| *s == Status::NotMet)
            .map(|(id, _)| id)
    }

    /// A table's output, when decided (`None` when undetermined or not evaluated).
    #[must_use]
    pub fn decision(&self, table: &str) -> Option<&OutputValue> {
        let t = self.rs.doc.tables.iter().position(|x| x.id == table)?;
        let out = self.scratch.values.tables.get(t)?.decided()?;
        self.rs
            .doc
            .tables
            .get(t)?
            .outputs
            .get(out)
            .map(|o| &o.value)
    }

    /// The compiled checklist assessed.
    pub(crate) fn checklist(&self) -> &ChecklistC {
        self.cl
    }

    /// The decided output index of table `t`.
    pub(crate) fn table_out(&self, t: usize) -> Option<usize> {
        self.scratch.values.tables.get(t)?.decided()
    }

    /// Statuses in checklist order.
    pub(crate) fn req_statuses(&self) -> impl Iterator<Item = Status> + '_ {
        self.scratch.reqs.iter().map(|e| e.status)
    }

    /// Ids of the checklist's facts whose question is hidden (`asked_when` false), in schema
    /// order (empty unless open questions were requested).
    pub fn hidden_facts(&self) -> impl Iterator<Item = &str> + '_ {
        let env = Env {
            facts: &self.facts.values,
            derived: &self.scratch.values.derived,
            tables: &self.scratch.values.tables,
        };
        let facts: &[usize] = if self.open { &self.cl.facts } else { &[] };
        facts
            .iter()
            .filter(move |&&f| self.rs.is_hidden(f, &env))
            .filter_map(|&f| self.rs.facts.get(f).map(|d| d.id.as_str()))
    }

    /// Open question fact ids, ordered (empty unless requested).
    pub fn open_questions(&self) -> impl Iterator<Item = &str> + '_ {
        let order: &[u32] = if self.open {
            &self.scratch.work.order
        } else {
            &[]
        };
        order
            .iter()
            .filter_map(|&f| self.rs.facts.get(f as usize).map(|d| d.id.as_str()))
    }
}

/// Walks the evaluated condition graph of one patient.
pub(crate) struct Walker<'r, 'e> {
    pub rs: &'r Ruleset,
    pub env: &'e Env<'e>,
}

impl Walker<'_, '_> {
    fn eval(&self, n: NodeId, memo: &mut NodeMemo) -> Tri {
        self.rs.prog.eval_memo(n, self.env, memo)
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
    pub(crate) fn push_open_rows(&self, t: usize, stack: &mut Vec<NodeId>, memo: &mut NodeMemo) {
        if let Some(table) = self.rs.tables.get(t) {
            for row in &table.rows {
                match self.eval(row.when, memo) {
                    Tri::Unknown => stack.push(row.when),
                    Tri::True => break,
                    Tri::False => {}
                }
            }
        }
    }

    /// Pushes the decided rows of a table up to (and including) its first true row.
    fn push_decided_rows(&self, t: usize, stack: &mut Vec<NodeId>, memo: &mut NodeMemo) {
        if let Some(table) = self.rs.tables.get(t) {
            for row in &table.rows {
                let v = self.eval(row.when, memo);
                if v != Tri::Unknown {
                    stack.push(row.when);
                }
                if v == Tri::True {
                    break;
                }
            }
        }
    }

    /// Adds to `work.tmp` the unknown facts reachable through unknown parts of the nodes on
    /// `work.stack` (step 2 of the definition).
    pub(crate) fn open_walk(&self, work: &mut Work) {
        work.seen_d.reset(self.rs.derived.len());
        work.seen_t.reset(self.rs.tables.len());
        while let Some(n) = work.stack.pop() {
            if self.eval(n, &mut work.memo) != Tri::Unknown {
                continue;
            }
            match self.rs.prog.node(n) {
                Some(Node::Cmp { fact, .. }) => {
                    work.tmp.insert(*fact as usize);
                }
                Some(Node::Ref(d)) => self.push_derived(*d as usize, work),
                Some(Node::Decision { table, .. }) => {
                    let t = *table as usize;
                    if work.seen_t.insert(t) {
                        self.push_open_rows(t, &mut work.stack, &mut work.memo);
                    }
                }
                Some(_) => work.stack.extend_from_slice(self.rs.prog.kids_of(n)),
                None => {}
            }
        }
    }

    /// Adds to `work.tmp` the facts read by the parts of the (decided) nodes on `work.stack`
    /// that decide their values.
    pub(crate) fn deciding_walk(&self, work: &mut Work) {
        work.seen_d.reset(self.rs.derived.len());
        work.seen_t.reset(self.rs.tables.len());
        while let Some(n) = work.stack.pop() {
            let v = self.eval(n, &mut work.memo);
            if v == Tri::Unknown {
                continue;
            }
            match self.rs.prog.node(n) {
                Some(Node::Cmp { fact, .. } | Node::Known(fact)) => {
                    work.tmp.insert(*fact as usize);
                }
                Some(node @ (Node::All { .. } | Node::Any { .. } | Node::AtLeast { .. })) => {
                    let every = matches!(
                        (node, v),
                        (Node::All { .. }, Tri::True) | (Node::Any { .. }, Tri::False)
                    );
                    for &k in self.rs.prog.kids_of(n) {
                        if every || self.eval(k, &mut work.memo) == v {
                            work.stack.push(k);
                        }
                    }
                }
                Some(Node::Not(k)) => work.stack.push(*k),
                Some(Node::Ref(d)) => self.push_derived(*d as usize, work),
                Some(Node::Decision { table, .. }) => {
                    let t = *table as usize;
                    if work.seen_t.insert(t) {
                        self.push_decided_rows(t, &mut work.stack, &mut work.memo);
                    }
                }
                Some(Node::Const(_)) | None => {}
            }
        }
    }
}
