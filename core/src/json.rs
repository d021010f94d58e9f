//! String-in/string-out JSON entry points for bindings (WASM) and the CLI. Every function
//! returns a tagged object: `{"ok": …}` or `{"error": {"code", "diagnostics", "help",
//! "message", "path"}}`. Inside, every step is a typed [`Result`] (Cedar's answer type); it
//! becomes JSON once, at the edge, through the same writer as the report. Nothing here
//! panics; bad input always gets a located, coded error.

use crate::date::Date;
use crate::diagnostic::{Code, Diagnostic};
use crate::error::Diagnostics;
use crate::evaluate::Scratch;
use crate::facts::Facts;
use crate::report::{Report, Status, Verdict};
use crate::ruleset::{Checklist, Ruleset};
use crate::wire::OutputValue;
use crate::write::{json_struct, Pairs, Serde, WriteJson};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

/// What every step inside answers: a value, or located diagnostics.
type Answer<T> = Result<T, Vec<Diagnostic>>;

json_struct! {
    /// The body of an `{"error": …}` answer: the first error's fields, then every diagnostic.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct ErrorBody {
        code: String,
        diagnostics: Vec<Diagnostic>,
        help: String,
        message: String,
        path: String,
    }
}

/// The one place an answer becomes JSON text.
fn respond<T: WriteJson + ?Sized>(answer: Result<&T, &[Diagnostic]>) -> String {
    let mut out = String::with_capacity(256);
    match answer {
        Ok(value) => {
            out.push_str("{\"ok\":");
            value.write_json(&mut out);
        }
        Err(diagnostics) => {
            let first = diagnostics
                .iter()
                .find(|d| d.is_error())
                .or_else(|| diagnostics.first());
            let body = ErrorBody {
                code: String::from(first.map_or("INTERNAL", |d| d.code.as_str())),
                diagnostics: diagnostics.to_vec(),
                help: first.map(|d| d.help.clone()).unwrap_or_default(),
                message: first.map(|d| d.message.clone()).unwrap_or_default(),
                path: first.map_or_else(|| String::from("$"), |d| d.path.clone()),
            };
            out.push_str("{\"error\":");
            body.write_json(&mut out);
        }
    }
    out.push('}');
    out
}

/// [`respond`] for an owned answer.
fn answer<T: WriteJson>(a: Answer<T>) -> String {
    match &a {
        Ok(v) => respond(Ok(v)),
        Err(d) => respond::<T>(Err(d)),
    }
}

/// `{"ok": <value>}` as JSON text (any serde value).
#[must_use]
pub fn ok<T: Serialize + ?Sized>(value: &T) -> String {
    respond(Ok(&Serde(value)))
}

/// `{"ok": report}` as JSON text, through the report's own writer (same bytes as [`ok`]).
#[must_use]
pub fn ok_report(report: &Report) -> String {
    let mut out = String::with_capacity(48 * 1024);
    out.push_str("{\"ok\":");
    report.write_json(&mut out);
    out.push('}');
    out
}

/// `{"error": …}` for a list of diagnostics (the first error's fields are repeated at the top).
#[must_use]
pub fn error(diagnostics: &[Diagnostic]) -> String {
    respond::<Report>(Err(diagnostics))
}

fn one(code: Code, path: &str, message: String) -> Vec<Diagnostic> {
    alloc::vec![Diagnostic::error(code, path, message)]
}

/// A checklist of `rs` by id (`*` or empty for every requirement and table).
fn checklist_of<'r>(rs: &'r Ruleset, id: &str) -> Answer<Checklist<'r>> {
    rs.checklist(Some(id).filter(|c| !c.is_empty()))
        .map_err(|e| e.diagnostics())
}

/// An as-of date given as `YYYY-MM-DD` (absent: none), located at `$.as_of`.
fn as_of(text: Option<&str>) -> Answer<Option<Date>> {
    text.map(|t| {
        Date::parse(t).map_err(|e| alloc::vec![crate::facttype::date_error(&e, "$.as_of", false)])
    })
    .transpose()
}

json_struct! {
    /// A loaded engine: what it is and any warnings.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct EngineStatus {
        checklists: Vec<String>,
        hash: String,
        id: String,
        title: String,
        version: String,
        warnings: Vec<Diagnostic>,
    }
}

json_struct! {
    /// The compact result of one patient as JSON.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Assessed {
        decisions: BTreeMap<String, OutputValue>,
        not_met: Vec<String>,
        verdict: Verdict,
    }
}

#[cfg(feature = "bundled")]
json_struct! {
    /// A bundled overlay.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct OverlayInfo {
        id: String,
        title: String,
    }
}

/// A resident engine: a compiled ruleset, or the reason it could not be loaded.
#[derive(Debug, Clone)]
pub struct JsonEngine {
    inner: Result<Rc<Ruleset>, Vec<Diagnostic>>,
}

impl JsonEngine {
    /// The bundled national ruleset with bundled overlays (e.g. `["norfolk"]`).
    #[cfg(feature = "bundled")]
    #[must_use]
    pub fn national(overlay_ids: &[String]) -> JsonEngine {
        let ids: Vec<&str> = overlay_ids.iter().map(String::as_str).collect();
        JsonEngine {
            inner: Ruleset::national_with(&ids)
                .map(Rc::new)
                .map_err(|e| e.diagnostics()),
        }
    }

    /// A ruleset and overlays given as JSON documents.
    #[must_use]
    pub fn load(ruleset_json: &str, overlays_json: &[String]) -> JsonEngine {
        let ov: Vec<&str> = overlays_json.iter().map(String::as_str).collect();
        JsonEngine {
            inner: Ruleset::from_json_with_overlays(ruleset_json, &ov)
                .map(Rc::new)
                .map_err(|e| e.diagnostics()),
        }
    }

    /// Wraps an already compiled ruleset.
    #[must_use]
    pub fn from_ruleset(ruleset: Ruleset) -> JsonEngine {
        JsonEngine {
            inner: Ok(Rc::new(ruleset)),
        }
    }

    /// The compiled ruleset, if it loaded.
    #[must_use]
    pub fn ruleset(&self) -> Option<&Ruleset> {
        self.inner.as_ref().ok().map(|r| &**r)
    }

    fn rs(&self) -> Answer<&Ruleset> {
        self.inner.as_deref().map_err(Clone::clone)
    }

    /// `{"ok": {"checklists", "hash", "id", "title", "version", "warnings"}}` or the load error.
    #[must_use]
    pub fn status(&self) -> String {
        answer(self.rs().map(|rs| EngineStatus {
            checklists: rs.checklist_ids().into_iter().map(String::from).collect(),
            hash: String::from(rs.hash()),
            id: String::from(rs.id()),
            title: String::from(rs.title()),
            version: String::from(rs.version()),
            warnings: rs.warnings().to_vec(),
        }))
    }

    /// `{"ok": schema}`: the questions, for rendering a form.
    #[must_use]
    pub fn schema(&self) -> String {
        match self.rs() {
            Ok(rs) => ok(&rs.schema()),
            Err(d) => error(&d),
        }
    }

    /// The ruleset, a checklist of it (`*` or empty for all) and a patient's facts read from
    /// JSON text, assessed on `as_of`.
    fn patient(
        &self,
        facts_json: &str,
        checklist: &str,
        date: Option<&str>,
    ) -> Answer<(&Ruleset, Checklist<'_>, Facts)> {
        let rs = self.rs()?;
        let cl = checklist_of(rs, checklist)?;
        let date = as_of(date)?;
        let facts = Facts::from_json(rs, facts_json).map_err(|e| e.diagnostics())?;
        Ok((rs, cl, facts.with_as_of(date)))
    }

    /// Evaluates a facts document against a checklist (`*` or empty for all), on the as-of
    /// date `as_of` (`YYYY-MM-DD`; `None`: comparisons with it are unknown).
    #[must_use]
    pub fn evaluate(&self, facts_json: &str, checklist: &str, as_of: Option<&str>) -> String {
        match self.patient(facts_json, checklist, as_of) {
            Ok((rs, cl, facts)) => ok_report(&rs.evaluate(cl, &facts)),
            Err(d) => error(&d),
        }
    }

    /// The compact path from JSON: `{"ok": {"decisions": {table: output}, "not_met": [ids],
    /// "verdict"}}` without building a report (for batch and benchmark use).
    #[must_use]
    pub fn assess(&self, facts_json: &str, checklist: &str, as_of: Option<&str>) -> String {
        answer(
            self.patient(facts_json, checklist, as_of)
                .map(|(rs, cl, facts)| {
                    let mut ev = crate::Evaluator::new();
                    let a = ev.assess(rs, cl, &facts, false);
                    let decisions = rs
                        .document()
                        .tables
                        .iter()
                        .filter_map(|t| Some((t.id.clone(), a.decision(&t.id)?.clone())))
                        .collect();
                    Assessed {
                        decisions,
                        not_met: a.not_met().map(String::from).collect(),
                        verdict: a.verdict(),
                    }
                }),
        )
    }

    /// `{"ok": layout}`: what each position of the compact input and output means for
    /// `checklist` (see [`crate::compact`]).
    #[must_use]
    pub fn layout(&self, checklist: &str) -> String {
        let layout = self
            .rs()
            .and_then(|rs| Ok(rs.compact_layout(checklist_of(rs, checklist)?)));
        match layout {
            Ok(l) => ok(&l),
            Err(d) => error(&d),
        }
    }

    /// A resident bulk assessor for `checklist`, taking compact input (see [`crate::compact`]).
    #[must_use]
    pub fn bulk(&self, checklist: &str) -> JsonBulk {
        let facts = self.ruleset().map(Facts::unknown).unwrap_or_default();
        let usable = self
            .rs()
            .and_then(|rs| Ok(crate::compact::codes_len(checklist_of(rs, checklist)?.plan)));
        JsonBulk {
            engine: self.inner.clone(),
            checklist: String::from(checklist),
            facts,
            evaluator: crate::Evaluator::new(),
            error: usable.as_ref().err().map(|d| error(d)).unwrap_or_default(),
            output_len: usable.unwrap_or(0),
            block: crate::batch::Block::default(),
        }
    }

    /// A session for one patient on `checklist`.
    #[must_use]
    pub fn session(&self, checklist: &str) -> JsonSession {
        let facts = self.ruleset().map(Facts::unknown).unwrap_or_default();
        JsonSession {
            engine: self.inner.clone(),
            facts,
            checklist: String::from(checklist),
            scratch: Scratch::default(),
            evaluator: crate::Evaluator::new(),
        }
    }

    /// `{"ok": [{"id", "title"}]}`: the bundled overlays.
    #[cfg(feature = "bundled")]
    #[must_use]
    pub fn bundled_overlays() -> String {
        let list: Vec<OverlayInfo> = crate::bundled::OVERLAYS
            .iter()
            .map(|(id, title, _)| OverlayInfo {
                id: String::from(*id),
                title: String::from(*title),
            })
            .collect();
        answer(Ok(list))
    }
}

/// Bulk assessment over compact input with resident buffers: no JSON and no allocation per
/// patient once warm.
#[derive(Debug, Clone)]
pub struct JsonBulk {
    engine: Result<Rc<Ruleset>, Vec<Diagnostic>>,
    checklist: String,
    /// The one-patient buffer, which also holds the as-of date of every patient.
    facts: Facts,
    evaluator: crate::Evaluator,
    error: String,
    output_len: usize,
    block: crate::batch::Block,
}

impl JsonBulk {
    /// Records the outcome of a call: its error as `{"error": …}`, or nothing.
    fn settle<T>(&mut self, result: Answer<T>, failed: T) -> T {
        match result {
            Ok(v) => {
                self.error.clear();
                v
            }
            Err(d) => {
                self.error = error(&d);
                failed
            }
        }
    }

    /// Sets the as-of date (`YYYY-MM-DD`; `None` to forget it) for every patient assessed
    /// next. Returns `{"ok": date | null}` or a located error (`$.as_of`), the date unchanged.
    pub fn set_as_of(&mut self, date: Option<&str>) -> String {
        let parsed = as_of(date);
        if let Ok(d) = &parsed {
            self.facts.set_as_of(*d);
        }
        answer(parsed)
    }

    fn assess_one(&mut self, values: &[i32], out: &mut [u32]) -> Answer<usize> {
        let rs = self.engine.as_deref().map_err(Clone::clone)?;
        let cl = checklist_of(rs, &self.checklist)?;
        self.facts
            .set_compact(rs, values)
            .map_err(|e| e.diagnostics())?;
        let a = self.evaluator.assess(rs, cl, &self.facts, false);
        let need = a.codes_len();
        if out.len() < need {
            let msg = format!(
                "the output buffer holds {} codes; {need} are needed",
                out.len()
            );
            return Err(one(Code::WrongType, "$", msg));
        }
        Ok(a.write_codes(out))
    }

    /// Assesses one patient given as compact values, writing the compact output codes into
    /// `out`. Returns the number of codes written, or `0` on error, when [`JsonBulk::error`]
    /// holds the located error and `out` is untouched.
    pub fn assess(&mut self, values: &[i32], out: &mut [u32]) -> usize {
        let result = self.assess_one(values, out);
        self.settle(result, 0)
    }

    /// The number of output codes per patient (verdict, tables, requirements); `0` when the
    /// ruleset or checklist is not usable.
    #[must_use]
    pub fn output_len(&self) -> usize {
        self.output_len
    }

    /// The number of input values per patient (one per fact).
    #[must_use]
    pub fn input_len(&self) -> usize {
        self.engine.as_ref().map_or(0, |rs| rs.facts.len())
    }

    /// Assesses many patients in one call: `values` holds [`JsonBulk::input_len`] values per
    /// patient back to back, `out` receives [`JsonBulk::output_len`] codes per patient. Returns
    /// the number of patients assessed; when it is fewer than given, [`JsonBulk::error`] locates
    /// the first bad patient (`$[patient][fact]`) and the codes of the patients before it stand.
    pub fn assess_many(&mut self, values: &[i32], out: &mut [u32]) -> usize {
        let (done, result) = self.assess_block(values, out);
        self.settle(result, ());
        done
    }

    /// Checks the shape of a batch: the number of patients.
    fn batch_size(&self, values: &[i32], out: &[u32]) -> Answer<usize> {
        let rs = self.engine.as_deref().map_err(Clone::clone)?;
        checklist_of(rs, &self.checklist)?;
        let (ni, no) = (self.input_len(), self.output_len);
        if ni == 0 || no == 0 {
            return Err(one(
                Code::WrongType,
                "$",
                String::from("no facts to assess"),
            ));
        }
        if values.len() % ni != 0 {
            let msg = format!(
                "{} values is not a whole number of patients of {ni} values each",
                values.len()
            );
            return Err(one(Code::WrongType, "$", msg));
        }
        let n = values.len() / ni;
        if out.len() < n.saturating_mul(no) {
            let msg = format!(
                "the output buffer holds {} codes; {n} patients need {}",
                out.len(),
                n.saturating_mul(no)
            );
            return Err(one(Code::WrongType, "$", msg));
        }
        Ok(n)
    }

    /// The patients assessed, and the error that stopped the batch, if any.
    fn assess_block(&mut self, values: &[i32], out: &mut [u32]) -> (usize, Answer<()>) {
        let n = match self.batch_size(values, out) {
            Ok(n) => n,
            Err(d) => return (0, Err(d)),
        };
        let (Ok(rs), ni, no) = (self.engine.clone(), self.input_len(), self.output_len) else {
            return (0, Ok(()));
        };
        let Ok(cl) = checklist_of(&rs, &self.checklist) else {
            return (0, Ok(()));
        };
        let as_of = self.facts.as_of().map(|d| i64::from(d.days()));
        let lanes = crate::lanes::LANES;
        for (b, (chunk, codes)) in values
            .chunks(ni * lanes)
            .zip(out.chunks_mut(no * lanes))
            .enumerate()
        {
            let count = chunk.len() / ni;
            self.block.prepare(&rs, as_of);
            let bad = self.block.load(chunk, ni);
            // The first bad patient stops the batch: the patients before it are assessed
            // (lanes are independent, so the loaded block serves them).
            let valid = if bad == 0 {
                count
            } else {
                bad.trailing_zeros() as usize
            };
            self.block.assess(&rs, cl.plan, valid, codes, no);
            if valid < count {
                let row = chunk.get(valid * ni..(valid + 1) * ni).unwrap_or(&[]);
                let at = format!("$[{}]", b * lanes + valid);
                let d = rs.check_compact(row).err().unwrap_or_default();
                return (
                    b * lanes + valid,
                    Err(d.into_iter().map(|x| x.within(&at)).collect()),
                );
            }
        }
        (n, Ok(()))
    }

    /// The error of the last call as `{"error": …}`, or an empty string after a success.
    #[must_use]
    pub fn error(&self) -> &str {
        &self.error
    }
}

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
    evaluator: crate::Evaluator,
}

impl JsonSession {
    /// The report of the current answers on `checklist`.
    fn report_on(&mut self, checklist: &str) -> Answer<Report> {
        let rs = self.engine.as_deref().map_err(Clone::clone)?;
        let cl = checklist_of(rs, checklist)?;
        Ok(rs.evaluate_with(cl, &self.facts, &mut self.scratch))
    }

    /// Applies `change` to the answers (atomically: on error they are unchanged) and answers
    /// with the new report.
    fn change(&mut self, change: impl FnOnce(&Ruleset, &mut Facts) -> Answer<()>) -> String {
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
        self.change(|rs, facts| {
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
            evaluator,
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
            Ok((rs, cl)) => answer(Ok(Self::update_of(&mut *evaluator, rs, cl, facts))),
            Err(d) => error(&d),
        }
    }

    fn update_of<'a>(
        evaluator: &'a mut crate::Evaluator,
        rs: &'a Ruleset,
        cl: Checklist<'a>,
        facts: &'a Facts,
    ) -> Update<'a> {
        let a = evaluator.assess(rs, cl, facts, true);
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
        self.change(|rs, facts| facts.clear(rs, fact).map_err(|e| e.diagnostics()))
    }

    /// Sets the as-of date (`YYYY-MM-DD`, "today" for the caller; `None` to forget it) and
    /// returns the new report. On error (`$.as_of`) the date is unchanged.
    pub fn set_as_of(&mut self, date: Option<&str>) -> String {
        self.change(|_, facts| {
            facts.set_as_of(as_of(date)?);
            Ok(())
        })
    }

    /// The current report.
    pub fn report(&mut self) -> String {
        self.change(|_, _| Ok(()))
    }

    /// `{"ok": {fact: value}}`: every known answer.
    pub fn export(&mut self) -> String {
        match self.engine.as_deref() {
            Ok(rs) => ok(&self.facts.to_value(rs)),
            Err(d) => error(d),
        }
    }

    /// Replaces every answer with a facts document (the as-of date is kept); atomic (on error
    /// nothing changes).
    pub fn import(&mut self, facts_json: &str) -> String {
        self.change(|rs, facts| {
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

/// One-shot check of a ruleset and overlays: `{"ok": {"warnings": […], …}}` or the errors.
#[must_use]
pub fn check(ruleset_json: &str, overlays_json: &[String]) -> String {
    JsonEngine::load(ruleset_json, overlays_json).status()
}

/// One-shot evaluation: `{"ok": report}` or a located error.
#[must_use]
pub fn evaluate(
    ruleset_json: &str,
    overlays_json: &[String],
    facts_json: &str,
    checklist: &str,
    as_of: Option<&str>,
) -> String {
    JsonEngine::load(ruleset_json, overlays_json).evaluate(facts_json, checklist, as_of)
}

#[doc(hidden)]
#[must_use]
pub fn error_for(code: Code, path: &str, message: &str) -> String {
    error(&one(code, path, String::from(message)))
}
