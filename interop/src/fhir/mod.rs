//! FHIR R4 (SDC) interchange: the fact schema as a `Questionnaire` ([`export()`]), and a
//! `QuestionnaireResponse` (alone or in a searchset `Bundle`) read back as facts
//! ([`facts_from_resource`]), exactly or not at all.
//!
//! The importer maps every answer exactly or returns a located, coded error (a JSON path into
//! the resource, e.g. `$.item[3].item[0].answer[0]`); nothing is silently dropped or defaulted.
//! The identifiers below are the contract between the two: a response is read only for the
//! Questionnaire URL and version, and the option code systems, that the export wrote.
//!
//! ```
//! use homeward::{bundled, Ruleset};
//! use homeward_interop::fhir;
//! use serde_json::json;
//!
//! let rs = Ruleset::from_json(bundled::NATIONAL_JSON).unwrap();
//! let q = fhir::questionnaire(&rs);
//! let mut qr = json!({
//!     "resourceType": "QuestionnaireResponse", "status": "completed", "questionnaire": q["url"],
//!     "item": [{ "linkId": "clinical.criteria_to_reside",
//!                "answer": [{ "valueCoding": { "code": "none-of-these" } }] }]
//! });
//! let imported = fhir::facts_from_resource(&rs, &qr).unwrap();
//! assert_eq!(imported.object["clinical.criteria_to_reside"], json!([]));
//!
//! // A display alone is never read as an answer: the import fails, located.
//! qr["item"][0]["answer"][0]["valueCoding"] = json!({ "display": "Oxygen therapy" });
//! let errors = fhir::facts_from_resource(&rs, &qr).unwrap_err();
//! assert_eq!(errors[0].path, "$.item[0].answer[0].valueCoding.code");
//! ```

mod export;
mod fhirpath;
mod import;
mod instant;

pub use export::{export, questionnaire, Export, Gate, GateForm};
pub use import::{facts_from_resource, facts_from_text, Imported};

use homeward::wire::RulesetDoc;

/// The base of every canonical URL Homeward mints for FHIR (the project's reserved `.invalid`
/// domain, as for its JSON schemas: these are identifiers, not addresses to fetch).
pub const CANONICAL_BASE: &str = "https://homeward.invalid/fhir";

/// The code of the exclusive "None of these" answer option of every `set` item; it maps to the
/// empty set `[]`. It cannot clash with an option id (ids have no hyphen).
pub const NONE_CODE: &str = "none-of-these";

/// The canonical URL of the Questionnaire exported for a ruleset, e.g.
/// `https://homeward.invalid/fhir/Questionnaire/england-national`.
#[must_use]
pub fn questionnaire_url(doc: &RulesetDoc) -> String {
    format!(
        "{CANONICAL_BASE}/Questionnaire/{}",
        export::fhir_id(&doc.id)
    )
}

/// The code system of a fact's answer options, e.g.
/// `https://homeward.invalid/fhir/CodeSystem/clinical.criteria_to_reside`. It depends on the
/// fact only, so an option code means the same under every overlay.
#[must_use]
pub fn option_system(fact: &str) -> String {
    format!("{CANONICAL_BASE}/CodeSystem/{fact}")
}

/// The code system of the items' `code`s: the code is the item's `linkId` (a fact id, a
/// `section.` id or a `.help` id), stable across versions and overlays.
#[must_use]
pub fn item_system() -> String {
    format!("{CANONICAL_BASE}/CodeSystem/item")
}
