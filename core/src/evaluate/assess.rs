//! The one-patient assessment without a report, with buffers reused across patients: the
//! verdict, statuses, decisions and (on request) the open and hidden questions — what bulk
//! use and the per-answer session update need.

use super::open::HeldGates;
use super::Scratch;
use crate::compile::Plan;
use crate::facts::Facts;
use crate::report::{Status, Verdict};
use crate::ruleset::{Checklist, Ruleset};
use crate::wire::OutputValue;

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
    plan: &'a Plan,
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
        let plan = checklist.plan;
        // The short-circuiting assessment, then walks over the unknown parts only (through a
        // fresh memo): fewer instructions here than judging everything through the memo, as
        // a report does (measured on a session update: 118,400 against 125,300 in WASM).
        let verdict = rs.assess_into(plan, facts, &mut self.scratch);
        if open_questions {
            rs.open_questions_into(plan, facts, &mut self.scratch, HeldGates::none());
        }
        Assessment::of(rs, plan, &self.scratch, verdict, open_questions)
    }

    /// The full report as codes (see `Ruleset::report_codes_with`), reusing these buffers.
    pub(crate) fn report_codes(
        &mut self,
        rs: &Ruleset,
        checklist: Checklist<'_>,
        facts: &Facts,
        out: &mut alloc::vec::Vec<u32>,
    ) {
        rs.report_codes_with(checklist, facts, &mut self.scratch, out);
    }

    /// Full report, reusing these buffers.
    #[must_use]
    pub fn evaluate(
        &mut self,
        rs: &Ruleset,
        checklist: Checklist<'_>,
        facts: &Facts,
    ) -> crate::Report {
        rs.evaluate_with(checklist, facts, &mut self.scratch)
    }
}

impl<'a> Assessment<'a> {
    /// An assessment held in `scratch`, with its open and hidden questions if `open`.
    pub(super) fn of(
        rs: &'a Ruleset,
        plan: &'a Plan,
        scratch: &'a Scratch,
        verdict: Verdict,
        open: bool,
    ) -> Self {
        Assessment {
            rs,
            plan,
            scratch,
            verdict,
            open,
        }
    }

    /// The verdict.
    #[must_use]
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Each requirement of the checklist with its status, in checklist order.
    pub fn statuses(&self) -> impl Iterator<Item = (&'a str, Status)> + '_ {
        let rs: &'a Ruleset = self.rs;
        self.plan
            .reqs
            .iter()
            .zip(&self.scratch.judged)
            .filter_map(move |(&i, j)| rs.reqs.get(i).map(|r| (r.id(), j.status())))
    }

    /// For each requirement of the checklist, in order: whether it is a blocker or hold
    /// (counts toward the verdict) rather than an advisory.
    pub fn hard(&self) -> impl Iterator<Item = bool> + '_ {
        self.plan.reqs.iter().map(|&i| {
            self.rs
                .reqs
                .get(i)
                .is_some_and(|r| r.kind.counts_toward_verdict())
        })
    }

    /// Ids of requirements that are `not_met` (blockers, holds and advisories).
    pub fn not_met(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.statuses()
            .filter(|(_, s)| *s == Status::NotMet)
            .map(|(id, _)| id)
    }

    /// A table's output, when decided (`None` when undetermined or not evaluated).
    #[must_use]
    pub fn decision(&self, table: &str) -> Option<&OutputValue> {
        let t = self.rs.tables.iter().position(|x| x.id == table)?;
        let out = self.table_out(t)?;
        self.rs.tables.get(t)?.outputs.get(out).map(|o| &o.value)
    }

    /// The plan of the checklist assessed.
    pub(crate) fn plan(&self) -> &Plan {
        self.plan
    }

    /// The decided output index of table `t`.
    pub(crate) fn table_out(&self, t: usize) -> Option<usize> {
        self.rs.decided(t, &self.scratch.values)
    }

    /// Each requirement's values, in checklist order.
    pub(crate) fn judged(&self) -> &'a [super::Judged<crate::tri::Tri>] {
        &self.scratch.judged
    }

    /// Writes each requirement's status code (`Status::code`, computed without branches) in
    /// checklist order into `out`, and returns how many it wrote. A plain loop over two
    /// slices: a mapped iterator cost a call per requirement in the size-optimised WASM build.
    pub(crate) fn write_req_codes(&self, out: &mut [u32]) -> usize {
        let mut n = 0;
        for (slot, j) in out.iter_mut().zip(&self.scratch.judged) {
            *slot = super::status_code(j.not_applicable(), j.met(), j.not_met());
            n += 1;
        }
        n
    }

    /// Ids of the checklist's facts whose question is hidden (`asked_when` false), in schema
    /// order (empty unless open questions were requested).
    pub fn hidden_facts(&self) -> impl Iterator<Item = &'a str> + '_ {
        let rs: &'a Ruleset = self.rs;
        self.hidden_fact_indices()
            .iter()
            .filter_map(move |&f| rs.facts.get(f as usize).map(|d| d.id.as_str()))
    }

    /// Fact indices of [`Assessment::hidden_facts`], in the same order.
    pub(crate) fn hidden_fact_indices(&self) -> &[u32] {
        if self.open {
            &self.scratch.work.hidden
        } else {
            &[]
        }
    }

    /// Fact indices of [`Assessment::open_questions`], in the same order.
    pub(crate) fn open_question_indices(&self) -> &[u32] {
        if self.open {
            self.scratch.work.order()
        } else {
            &[]
        }
    }

    /// Open question fact ids, ordered (empty unless requested).
    pub fn open_questions(&self) -> impl Iterator<Item = &'a str> + '_ {
        let rs: &'a Ruleset = self.rs;
        let order: &[u32] = if self.open {
            self.scratch.work.order()
        } else {
            &[]
        };
        order
            .iter()
            .filter_map(move |&f| rs.facts.get(f as usize).map(|d| d.id.as_str()))
    }
}
