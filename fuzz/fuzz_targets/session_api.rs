//! A sequence of session calls (set, clear, import, export, switch checklist, as-of date) driven by the
//! input against the JSON API the WASM binding wraps. Every call must return a tagged
//! `{"ok"…}` or `{"error"…}` object; nothing may panic.
#![no_main]

use homeward::json::JsonEngine;
use libfuzzer_sys::fuzz_target;

const EXAMPLE: &str = include_str!("../../tests/fixtures/example-ruleset.json");
const FACTS: [&str; 9] = [
    "clinical.criteria_to_reside", "clinical.news2", "home.stairs_to_bed", "home.housing_status",
    "care.carers_need_access", "home.key_safe_fitted", "care.mobility", "care.needs", "no.such.fact",
];

fuzz_target!(|data: &[u8]| {
    let engine = JsonEngine::load(EXAMPLE, &[]);
    let mut s = engine.session("ward");
    for chunk in data.split(|b| *b == 0xff) {
        let Some((&op, rest)) = chunk.split_first() else { continue };
        let fact = FACTS[usize::from(op >> 4) % FACTS.len()];
        let text = String::from_utf8_lossy(rest);
        let out = match op % 7 {
            0 => s.set(fact, &text),
            1 => s.clear(fact),
            2 => s.import(&text),
            3 => s.export(),
            4 => s.set_checklist(if rest.is_empty() { "ward" } else { &text }),
            5 => s.set_as_of(if rest.is_empty() { None } else { Some(&text) }),
            _ => s.report(),
        };
        assert!(out.starts_with("{\"ok\":") || out.starts_with("{\"error\":"), "untagged: {out}");
    }
});
