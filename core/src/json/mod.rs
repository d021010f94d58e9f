//! String-in/string-out JSON entry points for bindings (WASM) and the CLI. Every function
//! returns a tagged object: `{"ok": …}` or `{"error": {"code", "diagnostics", "help",
//! "message", "path"}}`. Inside, every step is a typed [`Result`] (Cedar's answer type); it
//! becomes JSON once, at the edge, through the same writer as the report. Nothing here
//! panics; bad input always gets a located, coded error. The resident engine is here; the
//! compact bulk assessor in `bulk.rs`, the one-patient session in `session.rs`.

mod bulk;
mod session;
mod template;

pub use bulk::JsonBulk;
pub use session::JsonSession;

use crate::date::Date;
use crate::diagnostic::{Code, Diagnostic};
use crate::error::Diagnostics;
use crate::facts::Facts;
use crate::report::{Report, Verdict};
use crate::ruleset::{Checklist, Ruleset};
use crate::wire::OutputValue;
use crate::write::{json_struct, Pairs, WriteJson};
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

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
fn respond(answer: Result<&dyn WriteJson, &[Diagnostic]>) -> String {
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
        Err(d) => respond(Err(d)),
    }
}

/// `{"ok": <value>}` as JSON text (any serde value; feature `serde_json`).
#[cfg(feature = "serde_json")]
#[must_use]
pub fn ok<T: serde::Serialize + ?Sized>(value: &T) -> String {
    respond(Ok(&crate::write::Serde(value)))
}

/// `{"ok": report}` as JSON text, through the report's own writer.
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
    respond(Err(diagnostics))
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
        /// By table id, in id order (as the `BTreeMap` it replaces gave): a sorted list, so
        /// the WASM build has no map code for these values.
        decisions: Pairs<String, OutputValue>,
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

    /// A compiled ruleset's binary form ([`Ruleset::from_compiled`]).
    #[must_use]
    pub fn compiled(bytes: &[u8]) -> JsonEngine {
        JsonEngine {
            inner: Ruleset::from_compiled(bytes)
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
            Ok(rs) => respond(Ok(&rs.schema())),
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
                    let mut decisions: Vec<(String, OutputValue)> = Vec::new();
                    for t in &rs.document().tables {
                        if let Some(v) = a.decision(&t.id) {
                            let at = decisions.partition_point(|(k, _)| *k < t.id);
                            match decisions.get_mut(at) {
                                Some((k, old)) if *k == t.id => *old = v.clone(),
                                _ => decisions.insert(at, (t.id.clone(), v.clone())),
                            }
                        }
                    }
                    Assessed {
                        decisions: Pairs(decisions),
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
            Ok(l) => respond(Ok(&l)),
            Err(d) => error(&d),
        }
    }

    /// `{"ok": template}`: what `checklist`'s reports say that does not depend on the patient
    /// (the ruleset, each fact's id, question and section, each requirement's report item,
    /// each table's id, title and outputs, all by index), to name the codes of
    /// [`JsonBulk::report_resident`] and [`JsonSession::set_report_codes`] with.
    #[must_use]
    pub fn report_template(&self, checklist: &str) -> String {
        let template = self.rs().and_then(|rs| {
            Ok(template::ReportTemplate::of(
                rs,
                checklist_of(rs, checklist)?,
            ))
        });
        answer(template)
    }

    /// A resident bulk assessor for `checklist`, taking compact input (see [`crate::compact`]).
    #[must_use]
    pub fn bulk(&self, checklist: &str) -> JsonBulk {
        JsonBulk::new(self.inner.clone(), checklist)
    }

    /// A session for one patient on `checklist`.
    #[must_use]
    pub fn session(&self, checklist: &str) -> JsonSession {
        JsonSession::new(self.inner.clone(), checklist)
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
