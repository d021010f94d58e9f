//! FHIR R4 (SDC) interchange: the fact schema as a `Questionnaire` ([`questionnaire`]), and a
//! `QuestionnaireResponse` (alone or in a searchset `Bundle`) read back as facts
//! ([`facts_from_resource`]), exactly or not at all.
//!
//! The importer maps every answer exactly or returns a located, coded error (a JSON path into
//! the resource, e.g. `$.item[3].item[0].answer[0]`); nothing is silently dropped or defaulted.

mod import;
mod instant;

pub use crate::fhir_old::questionnaire;
pub use import::{facts_from_resource, facts_from_text, Imported};

use homeward::wire::RulesetDoc;

/// The code of the exclusive "None of these" answer option of every `set` item; it maps to the
/// empty set `[]`. It cannot clash with an option id (ids have no hyphen).
pub const NONE_CODE: &str = "none-of-these";

/// The canonical URL of the Questionnaire exported for a ruleset.
#[must_use]
pub fn questionnaire_url(doc: &RulesetDoc) -> String {
    format!("urn:homeward:questionnaire:{}", doc.id)
}

/// The code system of a fact's answer options.
#[must_use]
pub fn option_system(doc: &RulesetDoc, fact: &str) -> String {
    format!("urn:homeward:{}:{fact}", doc.id)
}
