//! The full report of one patient: every requirement with the facts that decided it, the
//! blockers and advisories to act on, each decision, the causes and their attribution, the
//! open questions and the hidden ones.

use super::open::HeldGates;
use super::walk::{Walker, Work};
use super::{Judged, Patient, Scope, Scratch};
use crate::bits::BitSet;
use crate::compile::Plan;
use crate::facts::Facts;
use crate::report::{
    AttributionCounts, Decision, DecisionStatus, Item, OpenQuestion, Report, RequirementResult,
    RulesetRef, Status, Summary,
};
use crate::ruleset::{Checklist, Ruleset};
use crate::tri::Tri;
use crate::wire::Kind;
use alloc::string::String;
use alloc::vec::Vec;

impl Ruleset {
    /// Evaluates a patient against a checklist. Never fails: a ruleset that loaded is complete.
    #[must_use]
    pub fn evaluate(&self, checklist: Checklist<'_>, facts: &Facts) -> Report {
        self.evaluate_with(checklist, facts, &mut Scratch::default())
    }

    /// As [`Ruleset::evaluate`], reusing `scratch` buffers across calls.
    pub(crate) fn evaluate_with(
        &self,
        checklist: Checklist<'_>,
        facts: &Facts,
        s: &mut Scratch,
    ) -> Report {
        let plan = checklist.plan;
        let verdict = self.assess_memo(plan, facts, s);
        let Scratch {
            values,
            judged,
            work,
        } = s;
        let patient = Patient::of(facts);
        let w = Walker {
            rs: self,
            scope: Scope {
                rs: self,
                facts: &patient,
                values,
            },
        };
        let mut affects = work.take_affects(self.facts.len(), self.reqs.len());
        let (requirements, mut blockers, advisories) =
            self.requirements(plan, judged, &w, work, &mut affects);
        // Holds first, each group in checklist order (a stable partition).
        let (holds, others): (Vec<Item>, Vec<Item>) = blockers
            .drain(..)
            .partition(|b| b.kind == Kind::SafeguardingHold);
        blockers.extend(holds);
        blockers.extend(others);
        let decisions = self.decisions(&plan.tables, &w, work);
        self.gate(&w, work, Some(&mut affects));
        self.order_open(work);
        let open_questions = self.open_question_list(work, &affects);
        work.give_affects(affects);
        self.hidden_into(plan, &w, work, HeldGates::none());
        let hidden_facts = work
            .hidden
            .iter()
            .filter_map(|&f| self.facts.get(f as usize).map(|d| d.id.clone()))
            .collect();
        let (causes, attribution) = causes(&blockers);
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let summary = Summary {
            outstanding: count(
                blockers
                    .iter()
                    .filter(|b| b.status == Status::NotMet)
                    .count(),
            ),
            unknown: count(
                blockers
                    .iter()
                    .filter(|b| b.status == Status::Unknown)
                    .count(),
            ),
            open_questions: count(open_questions.len()),
        };
        Report {
            format: 1,
            ruleset: self.report_ref(),
            safety_changes: self.safety.clone(),
            checklist: plan.id.clone(),
            as_of: facts.as_of,
            verdict,
            summary,
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

    /// The ruleset as reports name it.
    pub(crate) fn report_ref(&self) -> RulesetRef {
        RulesetRef {
            id: self.doc.id.clone(),
            version: self.doc.version.clone(),
            hash: self.hash.clone(),
        }
    }

    /// The report of [`Ruleset::evaluate_with`] as `u32` codes, for a caller that holds the
    /// ruleset's text (titles, actions, citations, questions) and names the rest itself
    /// (the WASM package's JavaScript). Written into `out`, replacing its contents:
    ///
    /// `verdict`; `1` and the as-of date's day number (as an `i32`'s bits), or `0 0`; `n`
    /// requirements of the checklist in order, each `index` (in the ruleset),
    /// `status`, then a fact set; `m` tables, each `index`, `output` index or [`u32::MAX`],
    /// `row` or [`u32::MAX`], then a fact set (deciding facts when decided, else the open
    /// ones); `q` open questions in order, each `fact` then a set of requirement indices it
    /// affects; then a fact set of hidden facts. A set is its length, then its members in
    /// order. Everything else in the report (blockers, advisories, causes, summary,
    /// attribution) follows from these and the ruleset.
    pub(crate) fn report_codes_with(
        &self,
        checklist: Checklist<'_>,
        facts: &Facts,
        s: &mut Scratch,
        out: &mut Vec<u32>,
    ) {
        let plan = checklist.plan;
        let verdict = self.assess_memo(plan, facts, s);
        let Scratch {
            values,
            judged,
            work,
        } = s;
        let patient = Patient::of(facts);
        let w = Walker {
            rs: self,
            scope: Scope {
                rs: self,
                facts: &patient,
                values,
            },
        };
        let mut out = Codes::over(out);
        out.put(verdict.code());
        let days = facts
            .as_of
            .map(|d| u32::from_ne_bytes(d.days().to_ne_bytes()));
        out.put(u32::from(days.is_some()));
        out.put(days.unwrap_or(0));
        let at = out.n;
        out.put(0);
        let mut n = 0;
        let mut affects = work.take_affects(self.facts.len(), self.reqs.len());
        work.open.reset(self.facts.len());
        for (&i, j) in plan.reqs.iter().zip(judged.iter()) {
            let Some(r) = self.reqs.get(i) else { continue };
            let status = self.walk_requirement(r, j, &w, work);
            out.put(code(i));
            out.put(status.code());
            out.bits(&work.found);
            self.note_open(i, j, work, &mut affects);
            n += 1;
        }
        out.set(at, n);
        out.put(code(plan.tables.len()));
        for &t in &plan.tables {
            let (decided, row) = self.walk_table(t, &w, work);
            out.put(code(t));
            out.put(decided.map_or(u32::MAX, code));
            out.put(row.unwrap_or(u32::MAX));
            out.bits(&work.found);
        }
        self.gate(&w, work, Some(&mut affects));
        self.order_open(work);
        out.put(code(work.order().len()));
        for &f in work.order() {
            out.put(f);
            match affects.get(f as usize) {
                Some(set) => out.bits(set),
                None => out.put(0),
            }
        }
        work.give_affects(affects);
        self.hidden_into(plan, &w, work, HeldGates::none());
        out.put(code(work.hidden.len()));
        for &f in &work.hidden {
            out.put(f);
        }
        out.finish();
    }

    /// Every requirement's result, and the blockers and advisories not met or unknown; the
    /// open-question candidates into `work.open`, with the requirements each affects.
    fn requirements(
        &self,
        plan: &Plan,
        judged: &[Judged<Tri>],
        w: &Walker<'_>,
        work: &mut Work,
        affects: &mut [BitSet],
    ) -> (Vec<RequirementResult>, Vec<Item>, Vec<Item>) {
        let mut requirements = Vec::with_capacity(judged.len());
        let (mut blockers, mut advisories) = (Vec::new(), Vec::new());
        work.open.reset(self.facts.len());
        for (&i, j) in plan.reqs.iter().zip(judged) {
            let Some(r) = self.reqs.get(i) else { continue };
            let status = self.walk_requirement(r, j, w, work);
            self.note_open(i, j, work, affects);
            let decided_by = self.names(&work.found);
            if matches!(status, Status::NotMet | Status::Unknown) {
                let mut item = r.item.clone();
                item.status = status;
                item.decided_by = decided_by.clone();
                if r.kind.counts_toward_verdict() {
                    blockers.push(item);
                } else {
                    advisories.push(item);
                }
            }
            requirements.push(RequirementResult {
                id: r.item.id.clone(),
                kind: r.kind,
                status,
                decided_by,
            });
        }
        (requirements, blockers, advisories)
    }

    /// Walks requirement `r` judged `j`: the facts that decided it (or, unknown, would) are
    /// left in `work.found`. Returns its status.
    fn walk_requirement(
        &self,
        r: &crate::compile::Requirement,
        j: &Judged<Tri>,
        w: &Walker<'_>,
        work: &mut Work,
    ) -> Status {
        let status = j.status();
        work.start(self.facts.len());
        if status == Status::Unknown {
            if let Some(a) = r.applies.filter(|_| j.applies == Tri::Unknown) {
                work.stack.push(a);
            }
            if j.met == Tri::Unknown {
                work.stack.push(r.met);
            }
            w.open_walk(work);
        } else {
            if let Some(a) = r.applies.filter(|_| j.applies != Tri::Unknown) {
                work.stack.push(a);
            }
            if status != Status::NotApplicable {
                work.stack.push(r.met);
            }
            w.deciding_walk(work);
        }
        status
    }

    fn names(&self, ids: &BitSet) -> Vec<String> {
        ids.iter()
            .filter_map(|f| self.facts.get(f).map(|d| d.id.clone()))
            .collect()
    }

    /// Each table of the checklist: its output when decided (with the facts read by the
    /// deciding rows, and the row that hit), else the facts that would decide it.
    fn decisions(&self, tables: &[usize], w: &Walker<'_>, work: &mut Work) -> Vec<Decision> {
        let mut out = Vec::with_capacity(tables.len());
        for &t in tables {
            let Some(table) = self.tables.get(t) else {
                continue;
            };
            let (decided, row) = self.walk_table(t, w, work);
            let names = self.names(&work.found);
            let output = decided.and_then(|o| table.outputs.get(o));
            let (decided_by, open_questions) = if decided.is_some() {
                (names, Vec::new())
            } else {
                (Vec::new(), names)
            };
            out.push(Decision {
                id: table.id.clone(),
                title: table.title.clone(),
                status: if decided.is_some() {
                    DecisionStatus::Decided
                } else {
                    DecisionStatus::Undetermined
                },
                output: output.map(|o| o.value.clone()),
                label: output.map(|o| o.label.clone()),
                row,
                decided_by,
                open_questions,
            });
        }
        out
    }

    /// Walks table `t`: its decided output index and the row that hit, with the facts that
    /// decided it (or, undecided, would) left in `work.found`.
    fn walk_table(
        &self,
        t: usize,
        w: &Walker<'_>,
        work: &mut Work,
    ) -> (Option<usize>, Option<u32>) {
        work.start(self.facts.len());
        let decided = self.decided(t, w.scope.values);
        if decided.is_some() {
            w.push_decided_rows(t, work);
            w.deciding_walk(work);
        } else {
            w.push_open_rows(t, work);
            w.open_walk(work);
        }
        // The row that hit: the first row not false, when it is true.
        let row = decided.and_then(|_| {
            let rows = &self.tables.get(t)?.rows;
            let first = rows
                .iter()
                .position(|r| w.eval(r.when, &mut work.memo) != Tri::False)?;
            let hit = rows.get(first).map(|r| w.eval(r.when, &mut work.memo)) == Some(Tri::True);
            hit.then(|| u32::try_from(first).unwrap_or(u32::MAX))
        });
        (decided, row)
    }

    /// The ordered open questions, each with the blockers and holds it affects.
    fn open_question_list(&self, work: &Work, affects: &[BitSet]) -> Vec<OpenQuestion> {
        work.order()
            .iter()
            .filter_map(|&f| {
                let def = self.facts.get(f as usize)?;
                let affects = affects.get(f as usize);
                Some(OpenQuestion {
                    fact: def.id.clone(),
                    question: def.question.clone(),
                    section: def.section_id.clone(),
                    affects: affects
                        .into_iter()
                        .flat_map(BitSet::iter)
                        .filter_map(|r| self.reqs.get(r).map(|r| String::from(r.id())))
                        .collect(),
                })
            })
            .collect()
    }
}

/// An index or count as a code.
fn code(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The report's codes, written in place into a buffer kept between reports: its old
/// contents are overwritten code by code and the buffer grows only past its capacity. In the
/// size-optimised WASM build `Vec::push` was a call per code (a tenth of a report's time).
struct Codes<'a> {
    v: &'a mut Vec<u32>,
    /// How many codes are written.
    n: usize,
}

impl<'a> Codes<'a> {
    /// Writes over `v` from its start, using all of its capacity.
    fn over(v: &'a mut Vec<u32>) -> Self {
        v.resize(v.capacity(), 0);
        Codes { v, n: 0 }
    }

    /// Writes `c` next.
    #[inline(always)]
    fn put(&mut self, c: u32) {
        match self.v.get_mut(self.n) {
            Some(slot) => *slot = c,
            None => self.v.push(c),
        }
        self.n += 1;
    }

    /// Overwrites the code at `at` with count `n` (a count written once it is known).
    fn set(&mut self, at: usize, n: usize) {
        if let Some(slot) = self.v.get_mut(at) {
            *slot = code(n);
        }
    }

    /// A bit set: its length, then its members in order, word by word (the report's hot
    /// loop: an iterator adapter here was several calls per member in the WASM build).
    fn bits(&mut self, set: &BitSet) {
        let at = self.n;
        self.put(0);
        set.each(|m| self.put(code(m)));
        self.set(at, self.n - at - 1);
    }

    /// Ends the codes: the buffer holds exactly those written.
    fn finish(self) {
        self.v.truncate(self.n);
    }
}

/// The causes of a `not_ready` verdict (the primary blockers not met, if any, else all not
/// met) and their counts by owner and attribution.
fn causes(blockers: &[Item]) -> (Vec<String>, AttributionCounts) {
    let not_met: Vec<&Item> = blockers
        .iter()
        .filter(|b| b.status == Status::NotMet)
        .collect();
    let any_primary = not_met.iter().any(|b| b.primary);
    let mut attribution = AttributionCounts::default();
    let mut causes = Vec::new();
    for b in not_met.iter().filter(|b| b.primary || !any_primary) {
        attribution.by_owner.add(b.owner);
        attribution.by_attribution.add(b.attribution);
        causes.push(b.id.clone());
    }
    (causes, attribution)
}
