//! String-in/string-out JSON entry points for bindings (WASM) and the CLI. Every function
//! returns a tagged object: `{"ok": …}` or `{"error": {"code", "path", "message", "help",
//! "diagnostics"}}`. Nothing here panics; bad input always gets a located, coded error.

use crate::diagnostic::{Code, Diagnostic};
use crate::error::Diagnostics;
use crate::evaluate::Scratch;
use crate::facts::Facts;
use crate::ruleset::Ruleset;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;
use serde_json::{json, Value};

/// `{"ok": <value>}` as JSON text.
#[must_use]
pub fn ok<T: Serialize + ?Sized>(value: &T) -> String {
    let inner = serde_json::to_string(value).unwrap_or_else(|_| String::from("null"));
    let mut out = String::with_capacity(inner.len() + 7);
    out.push_str("{\"ok\":");
    out.push_str(&inner);
    out.push('}');
    out
}

/// `{"ok": report}` as JSON text, through the report's own writer (same bytes as [`ok`]).
#[must_use]
pub fn ok_report(report: &crate::Report) -> String {
    let mut out = String::with_capacity(48 * 1024);
    out.push_str("{\"ok\":");
    report.write_json(&mut out);
    out.push('}');
    out
}

/// `{"error": …}` for a list of diagnostics (the first error's fields are repeated at the top).
#[must_use]
pub fn error(diagnostics: &[Diagnostic]) -> String {
    let first = diagnostics
        .iter()
        .find(|d| d.is_error())
        .or_else(|| diagnostics.first());
    let body = json!({
        "code": first.map_or("INTERNAL", |d| d.code.as_str()),
        "path": first.map_or("$", |d| d.path.as_str()),
        "message": first.map_or("", |d| d.message.as_str()),
        "help": first.map_or("", |d| d.help.as_str()),
        "diagnostics": diagnostics,
    });
    format!("{{\"error\":{body}}}")
}

fn error_one(code: Code, path: &str, message: String) -> String {
    error(&[Diagnostic::error(code, path, message)])
}

/// A checklist of `rs` by id (`*` or empty for every requirement and table), or the error as
/// JSON text.
fn checklist_of<'r>(rs: &'r Ruleset, id: &str) -> Result<crate::Checklist<'r>, String> {
    rs.checklist(Some(id).filter(|c| !c.is_empty()))
        .map_err(|e| error(&e.diagnostics()))
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

    /// `{"ok": {"id", "version", "hash", "title", "checklists", "warnings"}}` or the load error.
    #[must_use]
    pub fn status(&self) -> String {
        match &self.inner {
            Ok(rs) => ok(&json!({
                "id": rs.id(), "version": rs.version(), "title": rs.title(), "hash": rs.hash(),
                "checklists": rs.checklist_ids(), "warnings": rs.warnings(),
            })),
            Err(d) => error(d),
        }
    }

    /// `{"ok": schema}`: the questions, for rendering a form.
    #[must_use]
    pub fn schema(&self) -> String {
        match &self.inner {
            Ok(rs) => ok(&rs.schema()),
            Err(d) => error(d),
        }
    }

    /// The ruleset and a checklist of it (`*` or empty for all), or the error as JSON text.
    fn resolve(&self, checklist: &str) -> Result<(&Ruleset, crate::Checklist<'_>), String> {
        let rs = self.inner.as_ref().map_err(|d| error(d))?;
        Ok((rs, checklist_of(rs, checklist)?))
    }

    /// Evaluates a facts document against a checklist (`*` or empty for all).
    #[must_use]
    pub fn evaluate(&self, facts_json: &str, checklist: &str) -> String {
        let (rs, cl) = match self.resolve(checklist) {
            Ok(x) => x,
            Err(e) => return e,
        };
        match Facts::from_json(rs, facts_json) {
            Ok(f) => ok_report(&rs.evaluate(cl, &f)),
            Err(e) => error(&e.diagnostics()),
        }
    }

    /// The compact bulk path: `{"ok": {"verdict", "not_met": [ids], "decisions": {table: output}}}`
    /// without building a report (for batch and benchmark use; the report carries more).
    #[must_use]
    pub fn assess(&self, facts_json: &str, checklist: &str) -> String {
        let (rs, cl) = match self.resolve(checklist) {
            Ok(x) => x,
            Err(e) => return e,
        };
        let facts = match Facts::from_json(rs, facts_json) {
            Ok(f) => f,
            Err(e) => return error(&e.diagnostics()),
        };
        let mut ev = crate::Evaluator::new();
        let a = ev.assess(rs, cl, &facts, false);
        let not_met: Vec<&str> = a.not_met().collect();
        let mut decisions = serde_json::Map::new();
        for t in &rs.document().tables {
            if let Some(out) = a.decision(&t.id) {
                decisions.insert(
                    t.id.clone(),
                    serde_json::to_value(out).unwrap_or(Value::Null),
                );
            }
        }
        ok(&json!({ "verdict": a.verdict(), "not_met": not_met, "decisions": decisions }))
    }

    /// `{"ok": layout}`: what each position of the compact input and output means for
    /// `checklist` (see [`crate::compact`]).
    #[must_use]
    pub fn layout(&self, checklist: &str) -> String {
        match self.resolve(checklist) {
            Ok((rs, cl)) => ok(&rs.compact_layout(cl)),
            Err(e) => e,
        }
    }

    /// A resident bulk assessor for `checklist`, taking compact input (see [`crate::compact`]).
    #[must_use]
    pub fn bulk(&self, checklist: &str) -> JsonBulk {
        let facts = self.ruleset().map(Facts::unknown).unwrap_or_default();
        let mut bulk = JsonBulk {
            engine: self.inner.clone(),
            checklist: String::from(checklist),
            facts,
            evaluator: crate::Evaluator::new(),
            error: String::new(),
            output_len: 0,
            block: crate::batch::Block::default(),
        };
        if let Err(e) = &self.inner {
            bulk.error = error(e);
        } else if let Some(rs) = self.ruleset() {
            match checklist_of(rs, checklist) {
                Ok(cl) => bulk.output_len = crate::compact::codes_len(cl.c),
                Err(e) => bulk.error = e,
            }
        }
        bulk
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
        let list: Vec<Value> = crate::bundled::OVERLAYS
            .iter()
            .map(|(id, title, _)| json!({"id": id, "title": title}))
            .collect();
        ok(&list)
    }
}

/// Bulk assessment over compact input with resident buffers: no JSON and no allocation per
/// patient once warm.
#[derive(Debug, Clone)]
pub struct JsonBulk {
    engine: Result<Rc<Ruleset>, Vec<Diagnostic>>,
    checklist: String,
    facts: Facts,
    evaluator: crate::Evaluator,
    error: String,
    output_len: usize,
    block: crate::batch::Block,
}

impl JsonBulk {
    /// Assesses one patient given as compact values, writing the compact output codes into
    /// `out`. Returns the number of codes written, or `0` on error, when [`JsonBulk::error`]
    /// holds the located error and `out` is untouched.
    pub fn assess(&mut self, values: &[i32], out: &mut [u32]) -> usize {
        let rs = match &self.engine {
            Ok(rs) => rs,
            Err(d) => {
                self.error = error(d);
                return 0;
            }
        };
        let cl = match checklist_of(rs, &self.checklist) {
            Ok(c) => c,
            Err(e) => {
                self.error = e;
                return 0;
            }
        };
        if let Err(e) = self.facts.set_compact(rs, values) {
            self.error = error(&e.diagnostics());
            return 0;
        }
        let a = self.evaluator.assess(rs, cl, &self.facts, false);
        let need = a.codes_len();
        if out.len() < need {
            self.error = error_one(
                Code::WrongType,
                "$",
                format!(
                    "the output buffer holds {} codes; {need} are needed",
                    out.len()
                ),
            );
            return 0;
        }
        self.error.clear();
        a.write_codes(out)
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
        let (ni, no) = (self.input_len(), self.output_len);
        if ni == 0 || no == 0 {
            // Not usable: let `assess` report why (ruleset or checklist error).
            let _ = self.assess(values, out);
            if self.error.is_empty() {
                self.error = error_one(Code::WrongType, "$", String::from("no facts to assess"));
            }
            return 0;
        }
        if values.len() % ni != 0 {
            self.error = error_one(
                Code::WrongType,
                "$",
                format!(
                    "{} values is not a whole number of patients of {ni} values each",
                    values.len()
                ),
            );
            return 0;
        }
        let n = values.len() / ni;
        if out.len() < n.saturating_mul(no) {
            self.error = error_one(
                Code::WrongType,
                "$",
                format!(
                    "the output buffer holds {} codes; {n} patients need {}",
                    out.len(),
                    n.saturating_mul(no)
                ),
            );
            return 0;
        }
        let rs = match &self.engine {
            Ok(rs) => Rc::clone(rs),
            Err(_) => return 0,
        };
        let Ok(cl) = checklist_of(&rs, &self.checklist) else {
            return 0;
        };
        let lanes = crate::batch::LANES;
        for (b, (chunk, codes)) in values
            .chunks(ni * lanes)
            .zip(out.chunks_mut(no * lanes))
            .enumerate()
        {
            let count = chunk.len() / ni;
            self.block.prepare(&rs);
            let bad = self.block.load(chunk, ni);
            let mut valid = count;
            if bad != 0 {
                // The first bad patient: its located diagnostics, and only those before it
                // are assessed (lanes are independent, so the loaded block serves them).
                let j = bad.trailing_zeros() as usize;
                let row = chunk.get(j * ni..(j + 1) * ni).unwrap_or(&[]);
                let mut d = rs.check_compact(row).err().unwrap_or_default();
                let k = b * lanes + j;
                // Located within the batch: `$[fact]` becomes `$[patient][fact]`.
                for x in &mut d {
                    x.path = format!("$[{k}]{}", x.path.get(1..).unwrap_or(""));
                }
                self.error = error(&d);
                valid = j;
            }
            self.block.assess(&rs, cl.c, valid, codes, no);
            if valid < count {
                return b * lanes + valid;
            }
        }
        self.error.clear();
        n
    }

    /// The error of the last call as `{"error": …}`, or an empty string after a success.
    #[must_use]
    pub fn error(&self) -> &str {
        &self.error
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
    fn with<F: FnOnce(&Ruleset, &mut Facts, &mut Scratch, &str) -> String>(
        &mut self,
        f: F,
    ) -> String {
        match &self.engine {
            Ok(rs) => f(rs, &mut self.facts, &mut self.scratch, &self.checklist),
            Err(d) => error(d),
        }
    }

    fn report_of(rs: &Ruleset, facts: &Facts, scratch: &mut Scratch, checklist: &str) -> String {
        match checklist_of(rs, checklist) {
            Ok(cl) => ok_report(&rs.evaluate_with(cl, facts, scratch)),
            Err(e) => e,
        }
    }

    /// Sets one answer (`value_json` is JSON: `true`, `"option"`, `3`, `["a"]`, `null`) and
    /// returns the new report. On error the answer is unchanged.
    pub fn set(&mut self, fact: &str, value_json: &str) -> String {
        let value: Value = match crate::decode::parse_json(value_json) {
            Ok(v) => v,
            Err(d) => return error(&[d]),
        };
        self.with(|rs, facts, scratch, cl| match facts.set(rs, fact, &value) {
            Ok(()) => Self::report_of(rs, facts, scratch, cl),
            Err(e) => error(&e.diagnostics()),
        })
    }

    /// Sets one answer like [`JsonSession::set`] but returns the compact update a form needs
    /// after each tap, without building the report: `{"ok": {"verdict", "outstanding",
    /// "unknown", "statuses": {requirement: status}, "open_questions": [fact ids, in asking
    /// order], "hidden_facts": [fact ids]}}`. `outstanding` and `unknown` count blockers and
    /// holds not met and unknown, as in the report's summary. On error the answer is unchanged.
    pub fn update(&mut self, fact: &str, value_json: &str) -> String {
        let value: Value = match crate::decode::parse_json(value_json) {
            Ok(v) => v,
            Err(d) => return error(&[d]),
        };
        let (rs, facts, evaluator, checklist) = match &self.engine {
            Ok(rs) => (
                rs,
                &mut self.facts,
                &mut self.evaluator,
                self.checklist.as_str(),
            ),
            Err(d) => return error(d),
        };
        let cl = match checklist_of(rs, checklist) {
            Ok(c) => c,
            Err(e) => return e,
        };
        if let Err(e) = facts.set(rs, fact, &value) {
            return error(&e.diagnostics());
        }
        let a = evaluator.assess(rs, cl, facts, true);
        let (mut outstanding, mut unknown) = (0u32, 0u32);
        let mut statuses = String::with_capacity(2048);
        for (k, ((id, status), hard)) in a.statuses().zip(a.hard()).enumerate() {
            if hard {
                outstanding += u32::from(status == crate::Status::NotMet);
                unknown += u32::from(status == crate::Status::Unknown);
            }
            if k > 0 {
                statuses.push(',');
            }
            crate::write::string(&mut statuses, id);
            statuses.push(':');
            crate::write::string(&mut statuses, crate::write::status_word(status));
        }
        let mut out = String::with_capacity(4096);
        out.push_str("{\"ok\":{\"verdict\":");
        crate::write::string(&mut out, crate::write::verdict_word(a.verdict()));
        out.push_str(&format!(
            ",\"outstanding\":{outstanding},\"unknown\":{unknown},\"statuses\":{{{statuses}}},\"open_questions\":"
        ));
        crate::write::strings(&mut out, &a.open_questions().collect::<Vec<_>>());
        out.push_str(",\"hidden_facts\":");
        crate::write::strings(&mut out, &a.hidden_facts().collect::<Vec<_>>());
        out.push_str("}}");
        out
    }

    /// Makes one answer unknown and returns the new report.
    pub fn clear(&mut self, fact: &str) -> String {
        self.with(|rs, facts, scratch, cl| match facts.clear(rs, fact) {
            Ok(()) => Self::report_of(rs, facts, scratch, cl),
            Err(e) => error(&e.diagnostics()),
        })
    }

    /// The current report.
    pub fn report(&mut self) -> String {
        self.with(|rs, facts, scratch, cl| Self::report_of(rs, facts, scratch, cl))
    }

    /// `{"ok": {fact: value}}`: every known answer.
    pub fn export(&mut self) -> String {
        self.with(|rs, facts, _, _| ok(&facts.to_value(rs)))
    }

    /// Replaces every answer with a facts document; atomic (on error nothing changes).
    pub fn import(&mut self, facts_json: &str) -> String {
        self.with(
            |rs, facts, scratch, cl| match Facts::from_json(rs, facts_json) {
                Ok(f) => {
                    *facts = f;
                    Self::report_of(rs, facts, scratch, cl)
                }
                Err(e) => error(&e.diagnostics()),
            },
        )
    }

    /// Switches checklist and returns the new report; on error the checklist is unchanged.
    pub fn set_checklist(&mut self, checklist: &str) -> String {
        let out = self.with(|rs, facts, scratch, _| Self::report_of(rs, facts, scratch, checklist));
        if out.starts_with("{\"ok\"") {
            self.checklist = String::from(checklist);
        }
        out
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
) -> String {
    JsonEngine::load(ruleset_json, overlays_json).evaluate(facts_json, checklist)
}

#[doc(hidden)]
pub fn error_for(code: Code, path: &str, message: &str) -> String {
    error_one(code, path, String::from(message))
}
