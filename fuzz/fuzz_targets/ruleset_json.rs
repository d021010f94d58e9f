//! Any bytes as a ruleset (and as an overlay of the example): load, and when it loads,
//! evaluate the empty patient on every checklist. Must never panic.
#![no_main]

use homeward::{Facts, Ruleset};
use libfuzzer_sys::fuzz_target;

const EXAMPLE: &str = include_str!("../../tests/fixtures/example-ruleset.json");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else { return };
    for rs in [Ruleset::from_json(text), Ruleset::from_json_with_overlays(EXAMPLE, &[text])].into_iter().flatten() {
        for id in rs.checklist_ids() {
            if let Ok(cl) = rs.checklist(Some(id)) {
                let _ = rs.evaluate(cl, &Facts::unknown(&rs)).to_json();
            }
        }
        let _ = rs.schema();
    }
});
