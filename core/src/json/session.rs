//! One patient's answers kept resident, so that one tap sends only the changed fact and gets
//! the new report (or the compact update a form needs) back.

use super::{answer, as_of, checklist_of, error, ok_report, Answer};
use crate::diagnostic::Diagnostic;
use crate::error::Diagnostics;
use crate::evaluate::Scratch;
use crate::facts::Facts;
use crate::report::{Report, Status, Verdict};
use crate::ruleset::{Checklist, Ruleset};
use crate::write::{json_struct, Pairs};
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

json_struct! {
    /// What a form needs after each answer, without the report.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Update<'a> {
        verdict: Verdict,
        outstanding: u32,
        unknown: u32,
        statuses: Pairs<&'a str, Status>,
        open_questions: Vec<&'a str>,
        hidden_facts: Vec<&'a str>,
    }
}

/// One patient's answers, kept resident so that one tap sends only the changed fact.
#[derive(Debug, Clone)]
pub struct JsonSession {
    engine: Result<Rc<Ruleset>, Vec<Diagnostic>>,
    facts: Facts,
    checklist: String,
    scratch: Scratch,
    /// The assessment of the last update, which the next one re-evaluates only in part.
    assessor: crate::evaluate::Reassessor,
    /// The resident result of [`JsonSession::update_codes`].
    codes: Vec<u32>,
    /// The error of the last [`JsonSession::update_codes`], or empty.
    error: String,
}

impl JsonSession {
    /// A session over `engine` on `checklist`, every answer unknown.
    pub(super) fn new(
        engine: Result<Rc<Ruleset>, Vec<Diagnostic>>,
        checklist: &str,
    ) -> JsonSession {
        let facts = engine.as_deref().map(Facts::unknown).unwrap_or_default();
        JsonSession {
            engine,
            facts,
            checklist: String::from(checklist),
            scratch: Scratch::default(),
            assessor: crate::evaluate::Reassessor::default(),
            codes: Vec::new(),
            error: String::new(),
        }
    }

    /// The report of the current answers on `checklist`.
    fn report_on(&mut self, checklist: &str) -> Answer<Report> {
        let rs = self.engine.as_deref().map_err(Clone::clone)?;
        let cl = checklist_of(rs, checklist)?;
        Ok(rs.evaluate_with(cl, &self.facts, &mut self.scratch))
    }

    /// Applies `change` to the answers (atomically: on error they are unchanged) and answers
    /// with the new report.
    fn change(&mut self, change: &dyn Fn(&Ruleset, &mut Facts) -> Answer<()>) -> String {
        let changed = match self.engine.as_deref() {
            Ok(rs) => change(rs, &mut self.facts),
            Err(d) => Err(d.clone()),
        };
        let checklist = core::mem::take(&mut self.checklist);
        let report = changed.and_then(|()| self.report_on(&checklist));
        self.checklist = checklist;
        match report {
            Ok(r) => ok_report(&r),
            Err(d) => error(&d),
        }
    }

    /// Sets one answer (`value_json` is JSON: `true`, `"option"`, `3`, `["a"]`, `"2026-03-01"`,
    /// `null`) and returns the new report. On error the answer is unchanged.
    pub fn set(&mut self, fact: &str, value_json: &str) -> String {
        self.change(&|rs, facts| {
            let value = crate::parse::parse_json(value_json).map_err(|d| alloc::vec![d])?;
            facts.set(rs, fact, &value).map_err(|e| e.diagnostics())
        })
    }

    /// Sets one answer like [`JsonSession::set`] but returns the compact update a form needs
    /// after each tap, without building the report: `{"ok": {"verdict", "outstanding",
    /// "unknown", "statuses": {requirement: status}, "open_questions": [fact ids, in asking
    /// order], "hidden_facts": [fact ids]}}`. `outstanding` and `unknown` count blockers and
    /// holds not met and unknown, as in the report's summary. On error the answer is unchanged.
    pub fn update(&mut self, fact: &str, value_json: &str) -> String {
        let Self {
            engine,
            facts,
            checklist,
            assessor,
            ..
        } = self;
        let changed = (|| -> Answer<(&Ruleset, Checklist<'_>)> {
            let value = crate::parse::parse_json(value_json).map_err(|d| alloc::vec![d])?;
            let rs = engine.as_deref().map_err(Clone::clone)?;
            let cl = checklist_of(rs, checklist)?;
            facts.set(rs, fact, &value).map_err(|e| e.diagnostics())?;
            Ok((rs, cl))
        })();
        match changed {
            Ok((rs, cl)) => answer(Ok(Self::update_of(&mut *assessor, rs, cl, facts))),
            Err(d) => error(&d),
        }
    }

    /// As [`JsonSession::update`], with the update as codes in a resident buffer
    /// ([`JsonSession::codes`]) instead of JSON text: `[verdict, outstanding, unknown, n, n
    /// status codes (checklist order), m, m open-question fact indices, h, h hidden fact
    /// indices]` (codes as in [`crate::compact`]; fact indices in schema order). Returns the
    /// number of codes, or `0` on error ([`JsonSession::error`] holds it; nothing changed).
    pub fn update_codes(&mut self, fact: &str, value_json: &str) -> usize {
        let Self {
            engine,
            facts,
            checklist,
            assessor,
            codes,
            error: last,
            ..
        } = self;
        codes.clear();
        last.clear();
        let changed = (|| -> Answer<(&Ruleset, Checklist<'_>)> {
            let value = crate::parse::parse_json(value_json).map_err(|d| alloc::vec![d])?;
            let rs = engine.as_deref().map_err(Clone::clone)?;
            let cl = checklist_of(rs, checklist)?;
            facts.set(rs, fact, &value).map_err(|e| e.diagnostics())?;
            Ok((rs, cl))
        })();
        let (rs, cl) = match changed {
            Ok(v) => v,
            Err(d) => {
                *last = error(&d);
                return 0;
            }
        };
        let a = assessor.assess(rs, cl, facts);
        let (mut outstanding, mut unknown) = (0u32, 0u32);
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        for (j, &i) in a.judged().iter().zip(&cl.plan.reqs) {
            if rs
                .reqs
                .get(i)
                .is_some_and(|r| r.kind.counts_toward_verdict())
            {
                outstanding += u32::from(j.not_met());
                unknown += u32::from(j.unknown());
            }
        }
        codes.extend([
            a.verdict().code(),
            outstanding,
            unknown,
            count(cl.plan.reqs.len()),
        ]);
        let at = codes.len();
        codes.resize(at + cl.plan.reqs.len(), 0);
        if let Some(out) = codes.get_mut(at..) {
            a.write_req_codes(out);
        }
        let open = a.open_question_indices();
        codes.push(count(open.len()));
        codes.extend_from_slice(open);
        let at = codes.len();
        codes.push(0);
        codes.extend_from_slice(a.hidden_fact_indices());
        let hidden = count(codes.len() - at - 1);
        if let Some(slot) = codes.get_mut(at) {
            *slot = hidden;
        }
        codes.len()
    }

    /// As [`JsonSession::set`], with the new report as codes in the resident buffer
    /// ([`JsonSession::codes`]; see `Ruleset::report_codes_with`, named with
    /// [`JsonEngine::report_template`](super::JsonEngine::report_template)). Returns the number
    /// of codes, or `0` on error ([`JsonSession::error`]; nothing changed).
    pub fn set_report_codes(&mut self, fact: &str, value_json: &str) -> usize {
        let Self {
            engine,
            facts,
            checklist,
            scratch,
            codes,
            error: last,
            ..
        } = self;
        codes.clear();
        last.clear();
        let changed = (|| -> Answer<(&Ruleset, Checklist<'_>)> {
            let value = crate::parse::parse_json(value_json).map_err(|d| alloc::vec![d])?;
            let rs = engine.as_deref().map_err(Clone::clone)?;
            let cl = checklist_of(rs, checklist)?;
            facts.set(rs, fact, &value).map_err(|e| e.diagnostics())?;
            Ok((rs, cl))
        })();
        match changed {
            Ok((rs, cl)) => {
                rs.report_codes_with(cl, facts, scratch, codes);
                codes.len()
            }
            Err(d) => {
                *last = error(&d);
                0
            }
        }
    }

    /// The codes of the last [`JsonSession::update_codes`].
    #[must_use]
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// The error of the last [`JsonSession::update_codes`] as `{"error": …}`, or empty.
    #[must_use]
    pub fn error(&self) -> &str {
        &self.error
    }

    fn update_of<'a>(
        assessor: &'a mut crate::evaluate::Reassessor,
        rs: &'a Ruleset,
        cl: Checklist<'a>,
        facts: &'a Facts,
    ) -> Update<'a> {
        let a = assessor.assess(rs, cl, facts);
        let (mut outstanding, mut unknown) = (0u32, 0u32);
        let mut statuses = Vec::with_capacity(cl.plan.reqs.len());
        for ((id, status), hard) in a.statuses().zip(a.hard()) {
            if hard {
                outstanding += u32::from(status == Status::NotMet);
                unknown += u32::from(status == Status::Unknown);
            }
            statuses.push((id, status));
        }
        Update {
            verdict: a.verdict(),
            outstanding,
            unknown,
            statuses: Pairs(statuses),
            open_questions: a.open_questions().collect(),
            hidden_facts: a.hidden_facts().collect(),
        }
    }

    /// Makes one answer unknown and returns the new report.
    pub fn clear(&mut self, fact: &str) -> String {
        self.change(&|rs, facts| facts.clear(rs, fact).map_err(|e| e.diagnostics()))
    }

    /// Sets the as-of date (`YYYY-MM-DD`, "today" for the caller; `None` to forget it) and
    /// returns the new report. On error (`$.as_of`) the date is unchanged.
    pub fn set_as_of(&mut self, date: Option<&str>) -> String {
        self.change(&|_, facts| {
            facts.set_as_of(as_of(date)?);
            Ok(())
        })
    }

    /// The current report.
    pub fn report(&mut self) -> String {
        self.change(&|_, _| Ok(()))
    }

    /// `{"ok": {fact: value}}`: every known answer.
    pub fn export(&mut self) -> String {
        match self.engine.as_deref() {
            Ok(rs) => super::respond(Ok(&self.facts.to_value(rs))),
            Err(d) => error(d),
        }
    }

    /// Replaces every answer with a facts document (the as-of date is kept); atomic (on error
    /// nothing changes).
    pub fn import(&mut self, facts_json: &str) -> String {
        self.change(&|rs, facts| {
            let new = Facts::from_json(rs, facts_json).map_err(|e| e.diagnostics())?;
            *facts = new.with_as_of(facts.as_of());
            Ok(())
        })
    }

    /// Switches checklist and returns the new report; on error the checklist is unchanged.
    pub fn set_checklist(&mut self, checklist: &str) -> String {
        let report = self.report_on(checklist);
        if report.is_ok() {
            self.checklist = String::from(checklist);
        }
        match report {
            Ok(r) => ok_report(&r),
            Err(d) => error(&d),
        }
    }
}
