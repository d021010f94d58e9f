//! What a report says that does not depend on the patient (titles, actions, citations,
//! questions, labels), for a caller that builds reports from codes: the WASM package's
//! JavaScript reads it once per checklist and names the codes of each report with it.

use crate::report::{Item, RulesetRef, SafetyChange};
use crate::ruleset::{Checklist, Ruleset};
use crate::wire::OutputDoc;
use crate::write::{key, WriteJson};
use alloc::string::String;
use alloc::vec::Vec;

/// The patient-independent text of a checklist's reports (written by the report writer, so
/// the browser build needs no serde serialiser for it).
pub(super) struct ReportTemplate<'a> {
    /// The checklist id, as reports name it.
    checklist: &'a str,
    /// The ruleset, as reports name it.
    ruleset: RulesetRef,
    /// The safety changes the overlays declared (every report lists them; left out when none).
    safety_changes: &'a [SafetyChange],
    /// Every fact by index: `[id, question, section]`.
    facts: Vec<(&'a str, &'a str, &'a str)>,
    /// Every requirement by index: its report item (status and `decided_by` to be filled).
    requirements: Vec<&'a Item>,
    /// Every table by index.
    tables: Vec<TableTemplate<'a>>,
}

/// A table's id, title and outputs.
struct TableTemplate<'a> {
    id: &'a str,
    title: &'a str,
    outputs: &'a [OutputDoc],
}

impl<'a> ReportTemplate<'a> {
    /// The template of `checklist`'s reports.
    pub(super) fn of(rs: &'a Ruleset, checklist: Checklist<'a>) -> Self {
        ReportTemplate {
            checklist: &checklist.plan.id,
            ruleset: rs.report_ref(),
            safety_changes: &rs.safety,
            facts: rs
                .facts
                .iter()
                .map(|f| (f.id.as_str(), f.question.as_str(), f.section_id.as_str()))
                .collect(),
            requirements: rs.reqs.iter().map(|r| &r.item).collect(),
            tables: rs
                .tables
                .iter()
                .map(|t| TableTemplate {
                    id: &t.id,
                    title: &t.title,
                    outputs: &t.outputs,
                })
                .collect(),
        }
    }
}

impl WriteJson for TableTemplate<'_> {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        let mut first = true;
        key(out, &mut first, "id");
        self.id.write_json(out);
        key(out, &mut first, "title");
        self.title.write_json(out);
        key(out, &mut first, "outputs");
        out.push('[');
        for (i, o) in self.outputs.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let mut first = true;
            out.push('{');
            key(out, &mut first, "value");
            o.value.write_json(out);
            key(out, &mut first, "label");
            o.label.write_json(out);
            out.push('}');
        }
        out.push_str("]}");
    }
}

impl WriteJson for ReportTemplate<'_> {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        let mut first = true;
        key(out, &mut first, "checklist");
        self.checklist.write_json(out);
        key(out, &mut first, "ruleset");
        self.ruleset.write_json(out);
        if !self.safety_changes.is_empty() {
            key(out, &mut first, "safety_changes");
            self.safety_changes.write_json(out);
        }
        key(out, &mut first, "facts");
        out.push('[');
        for (i, (id, question, section)) in self.facts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('[');
            id.write_json(out);
            out.push(',');
            question.write_json(out);
            out.push(',');
            section.write_json(out);
            out.push(']');
        }
        out.push(']');
        key(out, &mut first, "requirements");
        self.requirements.write_json(out);
        key(out, &mut first, "tables");
        self.tables.write_json(out);
        out.push('}');
    }
}
