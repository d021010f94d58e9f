//! A hand-written JSON writer for the report. Its output is byte for byte what serde_json's
//! compact serialiser writes for [`Report`] (a test compares the two on every golden scenario
//! and thousands of random patients), but it runs several times faster on a report that is
//! mostly long text (most text needs no escaping and is copied whole), and it keeps serde's
//! serialiser for the report types out of the WASM build.

use crate::report::{
    AttributionCounts, Decision, DecisionStatus, Item, OpenQuestion, Report, RequirementResult,
    Status, Verdict,
};
use crate::wire::{Citation, OutputValue, Word};
use alloc::string::String;
use core::fmt::Write as _;

/// Appends `s` as a JSON string, escaping as serde_json does: `"` and `\`, the short escapes
/// `\b \f \n \r \t`, other control characters as `\u00xx`; everything else as is.
pub(crate) fn string(out: &mut String, s: &str) {
    out.push('"');
    // No early exit, so the scan compiles to wide compares over the whole text.
    let plain = !s.bytes().fold(false, |acc, b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.push_str(s);
    } else {
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if u32::from(c) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

fn key(out: &mut String, first: bool, k: &str) {
    if !first {
        out.push(',');
    }
    out.push('"');
    out.push_str(k);
    out.push_str("\":");
}

fn number(out: &mut String, n: impl core::fmt::Display) {
    let _ = write!(out, "{n}");
}

pub(crate) fn strings<S: AsRef<str>>(out: &mut String, list: &[S]) {
    out.push('[');
    for (i, s) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, s.as_ref());
    }
    out.push(']');
}

fn opt_string(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.push_str("null"),
    }
}

fn word<W: Word + PartialEq>(out: &mut String, w: W) {
    name(out, w.word());
}

fn list<T>(out: &mut String, items: &[T], each: impl Fn(&mut String, &T)) {
    out.push('[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, x);
    }
    out.push(']');
}

/// A verdict's wire name.
pub(crate) fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Ready => "ready",
        Verdict::NotReady => "not_ready",
        Verdict::Undetermined => "undetermined",
    }
}

/// A status's wire name.
pub(crate) fn status_word(s: Status) -> &'static str {
    match s {
        Status::Met => "met",
        Status::NotMet => "not_met",
        Status::Unknown => "unknown",
        Status::NotApplicable => "not_applicable",
    }
}

/// Appends a wire name as a JSON string (names need no escaping).
fn name(out: &mut String, w: &str) {
    out.push('"');
    out.push_str(w);
    out.push('"');
}

fn citation(out: &mut String, c: &Citation) {
    out.push_str("{\"source\":");
    string(out, &c.source);
    if let Some(note) = &c.note {
        out.push_str(",\"note\":");
        string(out, note);
    }
    out.push('}');
}

fn item(out: &mut String, b: &Item) {
    out.push('{');
    key(out, true, "id");
    string(out, &b.id);
    key(out, false, "title");
    string(out, &b.title);
    key(out, false, "kind");
    word(out, b.kind);
    key(out, false, "status");
    name(out, status_word(b.status));
    key(out, false, "owner");
    word(out, b.owner);
    key(out, false, "attribution");
    word(out, b.attribution);
    key(out, false, "delay_category");
    match b.delay_category {
        Some(d) => word(out, d),
        None => out.push_str("null"),
    }
    key(out, false, "primary");
    out.push_str(if b.primary { "true" } else { "false" });
    key(out, false, "action");
    string(out, &b.action);
    key(out, false, "referral");
    opt_string(out, b.referral.as_deref());
    key(out, false, "citation");
    citation(out, &b.citation);
    key(out, false, "decided_by");
    strings(out, &b.decided_by);
    out.push('}');
}

fn requirement(out: &mut String, r: &RequirementResult) {
    out.push('{');
    key(out, true, "id");
    string(out, &r.id);
    key(out, false, "kind");
    word(out, r.kind);
    key(out, false, "status");
    name(out, status_word(r.status));
    key(out, false, "decided_by");
    strings(out, &r.decided_by);
    out.push('}');
}

fn output(out: &mut String, v: Option<&OutputValue>) {
    match v {
        None => out.push_str("null"),
        Some(OutputValue::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        Some(OutputValue::Int(i)) => number(out, i),
        Some(OutputValue::Str(s)) => string(out, s),
    }
}

fn decision(out: &mut String, d: &Decision) {
    out.push('{');
    key(out, true, "id");
    string(out, &d.id);
    key(out, false, "title");
    string(out, &d.title);
    key(out, false, "status");
    name(
        out,
        match d.status {
            DecisionStatus::Decided => "decided",
            DecisionStatus::Undetermined => "undetermined",
        },
    );
    key(out, false, "output");
    output(out, d.output.as_ref());
    key(out, false, "label");
    opt_string(out, d.label.as_deref());
    key(out, false, "row");
    match d.row {
        Some(r) => number(out, r),
        None => out.push_str("null"),
    }
    key(out, false, "decided_by");
    strings(out, &d.decided_by);
    key(out, false, "open_questions");
    strings(out, &d.open_questions);
    out.push('}');
}

fn counts<W: Word + PartialEq>(out: &mut String, map: &alloc::collections::BTreeMap<W, u32>) {
    out.push('{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        word(out, *k);
        out.push(':');
        number(out, v);
    }
    out.push('}');
}

fn attribution(out: &mut String, a: &AttributionCounts) {
    out.push_str("{\"by_owner\":");
    counts(out, &a.by_owner);
    out.push_str(",\"by_attribution\":");
    counts(out, &a.by_attribution);
    out.push('}');
}

fn question(out: &mut String, q: &OpenQuestion) {
    out.push('{');
    key(out, true, "fact");
    string(out, &q.fact);
    key(out, false, "question");
    string(out, &q.question);
    key(out, false, "section");
    string(out, &q.section);
    key(out, false, "affects");
    strings(out, &q.affects);
    out.push('}');
}

impl Report {
    /// Appends the report as compact JSON (the same bytes as serde_json's `to_string`).
    pub fn write_json(&self, out: &mut String) {
        out.reserve(4096);
        out.push('{');
        key(out, true, "format");
        number(out, self.format);
        key(out, false, "ruleset");
        out.push_str("{\"id\":");
        string(out, &self.ruleset.id);
        out.push_str(",\"version\":");
        string(out, &self.ruleset.version);
        out.push_str(",\"hash\":");
        string(out, &self.ruleset.hash);
        out.push('}');
        key(out, false, "checklist");
        string(out, &self.checklist);
        key(out, false, "verdict");
        name(out, verdict_word(self.verdict));
        key(out, false, "summary");
        let _ = write!(
            out,
            "{{\"outstanding\":{},\"unknown\":{},\"open_questions\":{}}}",
            self.summary.outstanding, self.summary.unknown, self.summary.open_questions
        );
        key(out, false, "causes");
        strings(out, &self.causes);
        key(out, false, "blockers");
        list(out, &self.blockers, item);
        key(out, false, "advisories");
        list(out, &self.advisories, item);
        key(out, false, "requirements");
        list(out, &self.requirements, requirement);
        key(out, false, "decisions");
        list(out, &self.decisions, decision);
        key(out, false, "attribution");
        attribution(out, &self.attribution);
        key(out, false, "open_questions");
        list(out, &self.open_questions, question);
        key(out, false, "hidden_facts");
        strings(out, &self.hidden_facts);
        out.push('}');
    }
}
