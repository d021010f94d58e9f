//! Any bytes as a `homeward batch` input file against the bundled national ruleset: the
//! byte-level line reader, the strict line envelope, homeward's facts parser and evaluation,
//! and the output writer. Must never panic, and the output must keep its contract: one valid
//! JSON line `{"line", "id", "report" | "error"}` per non-blank input line, counted in the
//! aggregate. The line cap is small here so oversized lines are reached.
#![no_main]

use homeward::Ruleset;
use homeward_cli::batch::{run, BatchOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const CAP: usize = 4096;

fn ruleset() -> Option<&'static Ruleset> {
    static RS: OnceLock<Option<Ruleset>> = OnceLock::new();
    RS.get_or_init(|| Ruleset::from_json(homeward::bundled::NATIONAL_JSON).ok())
        .as_ref()
}

/// Lines as an editor counts them (`\n`, `\r\n` or a lone `\r` end one), without the reader
/// under test: the number of non-blank ones.
fn expected_lines(data: &[u8]) -> usize {
    let mut count = 0;
    let mut line: Vec<u8> = Vec::new();
    let mut i = 0;
    let mut end = |line: &mut Vec<u8>| {
        if line.len() > CAP || !line.iter().all(u8::is_ascii_whitespace) {
            count += 1;
        }
        line.clear();
    };
    while i < data.len() {
        match data[i] {
            b'\n' => end(&mut line),
            b'\r' => {
                end(&mut line);
                if data.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b => line.push(b),
        }
        i += 1;
    }
    if !line.is_empty() {
        end(&mut line);
    }
    count
}

fuzz_target!(|data: &[u8]| {
    let Some(rs) = ruleset() else { return };
    let opts = BatchOptions {
        checklist: Some("ward_discharge".into()),
        as_of: "2026-11-24".parse().ok(),
        reports: true,
        progress: false,
        max_line_bytes: Some(CAP),
    };
    let mut out = Vec::new();
    let agg = run(rs, data, &mut out, &opts).expect("reading a slice and writing a Vec cannot fail");
    let lines: Vec<&[u8]> = out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), expected_lines(data), "one output line per non-blank input line");
    assert_eq!(agg.patients + agg.errors, lines.len() as u64, "the aggregate counts every line");
    let mut previous = 0;
    for l in lines {
        let v: serde_json::Value = serde_json::from_slice(l).expect("each output line is JSON");
        let o = v.as_object().expect("an object");
        let n = o["line"].as_u64().expect("a line number");
        assert!(n > previous, "line numbers increase");
        previous = n;
        assert!(o["id"].is_null() || o["id"].is_string() || o["id"].is_number(), "id {}", o["id"]);
        assert!(o.contains_key("report") ^ o.contains_key("error"), "report or error: {v}");
        if let Some(e) = o.get("error") {
            let e = e.as_str().expect("error text");
            let code = e.split(':').next().unwrap_or_default();
            assert!(
                !code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
                "a coded error: {e}"
            );
        }
    }
});
