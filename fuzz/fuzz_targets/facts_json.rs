//! Any bytes as a patient's facts against the example ruleset: validate, and when valid,
//! evaluate and explain. Must never panic.
#![no_main]

use homeward::{Facts, Ruleset};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const EXAMPLE: &str = include_str!("../../tests/fixtures/example-ruleset.json");

fn ruleset() -> Option<&'static Ruleset> {
    static RS: OnceLock<Option<Ruleset>> = OnceLock::new();
    RS.get_or_init(|| Ruleset::from_json(EXAMPLE).ok()).as_ref()
}

fuzz_target!(|data: &[u8]| {
    let (Ok(text), Some(rs)) = (core::str::from_utf8(data), ruleset()) else { return };
    let Ok(cl) = rs.checklist(Some("ward")) else { return };
    if let Ok(facts) = Facts::from_json(rs, text) {
        let report = rs.evaluate(cl, &facts);
        for r in &report.requirements {
            let _ = rs.explain(cl, &facts, &r.id);
        }
    }
});
