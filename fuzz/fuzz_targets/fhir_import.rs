//! Any bytes as a FHIR QuestionnaireResponse or searchset Bundle for the national ruleset's
//! Questionnaire. Must never panic; an import either fails with located error diagnostics, or
//! gives facts whose JSON object re-validates to the same facts (the same report).
#![no_main]

use homeward::{Facts, Ruleset};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn ruleset() -> Option<&'static Ruleset> {
    static RS: OnceLock<Option<Ruleset>> = OnceLock::new();
    RS.get_or_init(|| Ruleset::from_json(homeward::bundled::NATIONAL_JSON).ok())
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let (Ok(text), Some(rs)) = (core::str::from_utf8(data), ruleset()) else { return };
    let Ok(cl) = rs.checklist(Some("ward_discharge")) else { return };
    match homeward_cli::fhir::facts_from_text(rs, text) {
        Ok(imported) => {
            let object = serde_json::Value::Object(imported.object.clone());
            let again = Facts::from_value(rs, &object);
            assert!(again.is_ok(), "imported facts do not re-validate: {object}");
            if let Ok(again) = again {
                assert_eq!(
                    rs.evaluate(cl, &imported.facts).to_json(),
                    rs.evaluate(cl, &again).to_json()
                );
            }
            assert!(imported.response.starts_with('$'));
        }
        Err(diags) => {
            assert!(!diags.is_empty());
            for d in &diags {
                assert!(d.is_error() && d.path.starts_with('$'), "{d}");
            }
        }
    }
});
