//! The malformed-input corpus (`tests/malformed/`): every bad ruleset, overlay and facts file
//! gets its expected stable code at its exact JSON path (and every error is collected, not just
//! the first); warnings are reported without refusing the ruleset; nothing panics. Also: inputs
//! of 10 MB and above the size limit.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test"
)]

use homeward::{Diagnostic, Diagnostics, Facts, LoadOptions, Ruleset, Severity};
use homeward_tests::{json_files, repo_root};
use serde_json::Value;
use std::path::Path;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn is_fixture(p: &Path) -> bool {
    let name = p.file_name().unwrap().to_string_lossy();
    !name.ends_with(".expect.json") && !name.ends_with(".overlay.json")
}

fn describe(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            format!(
                "  {:?} {} {} {:?}: {}",
                d.severity, d.code, d.path, d.document, d.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn malformed_rulesets_get_the_expected_code_and_path() {
    let dir = repo_root().join("tests/malformed/rulesets");
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in json_files(&dir).into_iter().filter(|p| is_fixture(p)) {
        let expect: Value =
            serde_json::from_str(&read(&file.with_extension("expect.json"))).unwrap();
        let overlay_path = file.with_extension("overlay.json");
        let overlay = overlay_path.exists().then(|| read(&overlay_path));
        let overlays: Vec<&str> = overlay.iter().map(String::as_str).collect();
        let result = Ruleset::load(&read(&file), &overlays, &LoadOptions::default());
        let severity = if expect["severity"] == "warning" {
            Severity::Warning
        } else {
            Severity::Error
        };
        let diags = match (&result, severity) {
            (Err(e), Severity::Error) => e.diagnostics(),
            (Ok(rs), Severity::Warning) => rs.warnings().to_vec(),
            (Ok(_), Severity::Error) => {
                failures.push(format!("{}: loaded, expected an error", file.display()));
                continue;
            }
            (Err(e), Severity::Warning) => {
                failures.push(format!(
                    "{}: refused, expected only a warning:\n{}",
                    file.display(),
                    describe(&e.diagnostics())
                ));
                continue;
            }
            (_, other) => panic!("no expectation for severity {other:?}"),
        };
        let found = diags.iter().any(|d| {
            d.severity == severity
                && d.code.as_str() == expect["code"]
                && d.path == expect["path"].as_str().unwrap_or_default()
                && expect
                    .get("document")
                    .is_none_or(|doc| d.document.as_deref() == doc.as_str())
                && expect
                    .get("message_contains")
                    .is_none_or(|m| d.message.contains(m.as_str().unwrap_or_default()))
                && !d.help.is_empty()
        });
        if !found {
            failures.push(format!(
                "{}: expected {} at {}, got:\n{}",
                file.display(),
                expect["code"],
                expect["path"],
                describe(&diags)
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 25, "only {checked} ruleset fixtures");
    println!("{checked} malformed ruleset fixtures checked");
}

#[test]
fn malformed_facts_get_every_error_located() {
    let rs = Ruleset::from_json(&read(
        &repo_root().join("tests/fixtures/example-ruleset.json"),
    ))
    .unwrap();
    let dir = repo_root().join("tests/malformed/facts");
    let mut checked = 0;
    for file in json_files(&dir).into_iter().filter(|p| is_fixture(p)) {
        let expect: Value =
            serde_json::from_str(&read(&file.with_extension("expect.json"))).unwrap();
        let err = Facts::from_json(&rs, &read(&file))
            .err()
            .unwrap_or_else(|| panic!("{}: accepted", file.display()));
        let diags = err.diagnostics();
        let want = expect["errors"].as_array().unwrap();
        assert_eq!(
            diags.len(),
            want.len(),
            "{}: every error is reported once:\n{}",
            file.display(),
            describe(&diags)
        );
        for w in want {
            assert!(
                diags
                    .iter()
                    .any(|d| d.code.as_str() == w["code"] && d.path == w["path"].as_str().unwrap()),
                "{}: expected {} at {}, got:\n{}",
                file.display(),
                w["code"],
                w["path"],
                describe(&diags)
            );
        }
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} facts fixtures");
    println!("{checked} malformed facts fixtures checked");
}

#[test]
fn large_inputs_are_handled_without_crashing() {
    let example = read(&repo_root().join("tests/fixtures/example-ruleset.json"));
    // 10 MB: a long description is accepted.
    let mut doc: Value = serde_json::from_str(&example).unwrap();
    doc["description"] = Value::String("x".repeat(10 * 1024 * 1024));
    let big = doc.to_string();
    assert!(Ruleset::from_json(&big).is_ok());
    // Over the 16 MiB limit: refused with TOO_LARGE before parsing.
    doc["description"] = Value::String("x".repeat(17 * 1024 * 1024));
    let err = Ruleset::from_json(&doc.to_string()).unwrap_err();
    assert_eq!(err.diagnostics()[0].code.as_str(), "TOO_LARGE");
    // A 10 MB facts file of one long set is located, not crashed on.
    let rs = Ruleset::from_json(&example).unwrap();
    let facts = format!(
        "{{\"care.needs\":[{}\"washing\"]}}",
        "\"washing\",".repeat(1_000_000)
    );
    let err = Facts::from_json(&rs, &facts).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(
        (d.code.as_str(), d.path.as_str()),
        ("DUPLICATE_OPTION", "$[\"care.needs\"][1]")
    );
}

fn example() -> Ruleset {
    Ruleset::from_json(&read(
        &repo_root().join("tests/fixtures/example-ruleset.json"),
    ))
    .unwrap()
}

fn fact_errors(text: &str) -> Vec<Diagnostic> {
    Facts::from_json(&example(), text)
        .err()
        .unwrap()
        .diagnostics()
}

#[test]
fn integer_messages_say_what_is_wrong() {
    let d = &fact_errors(r#"{"clinical.news2": 18446744073709551615}"#)[0];
    assert_eq!(d.code, homeward::Code::OutOfRange);
    assert!(d.message.contains("too large"), "{}", d.message);
    let d = &fact_errors(r#"{"clinical.news2": -0}"#)[0];
    assert_eq!(d.code, homeward::Code::WrongType);
    assert!(d.message.contains("negative zero"), "{}", d.message);
    assert!(d.help.contains("write 0"), "{}", d.help);
    let d = &fact_errors(r#"{"clinical.news2": 3.5}"#)[0];
    assert!(d.message.contains("`3.5`"), "{}", d.message);
}

#[test]
fn keys_in_messages_are_escaped_and_cut_short() {
    let d = &fact_errors("{\"clinical.news2\\u0000x\": 1}")[0];
    assert_eq!(d.code, homeward::Code::UnknownFact);
    assert!(d.message.contains(r"clinical.news2\u{0}x"), "{}", d.message);
    // A bidirectional control that would reorder the message on screen is escaped too.
    let d = &fact_errors("{\"\\u202ehome\": 1}")[0];
    assert!(d.message.contains(r"\u{202e}home"), "{}", d.message);
    assert!(!d.message.contains('\u{202e}'), "{}", d.message);
    assert!(!d.message.contains('\0') && !d.path.contains('\0'), "{d:?}");
    let long = "k".repeat(10 * 1024 * 1024);
    let d = &fact_errors(&format!("{{\"{long}\": 1}}"))[0];
    assert!(
        d.message.len() < 200 && d.path.len() < 200,
        "{} / {}",
        d.message.len(),
        d.path.len()
    );
    assert!(d.message.contains('…'));
    // The same in a ruleset's unknown field.
    let e = Ruleset::from_json(&format!(
        r#"{{"id": "m", "version": "1", "title": "M", "{long}": 1}}"#
    ))
    .unwrap_err()
    .diagnostics();
    assert!(
        e[0].message.len() < 200 && e[0].path.len() < 200,
        "{:?}",
        e[0].code
    );
}

#[test]
fn diagnostics_per_document_are_capped() {
    let keys: Vec<String> = (0..100_000).map(|i| format!("\"u{i}\": 1")).collect();
    let diags = fact_errors(&format!("{{{}}}", keys.join(",")));
    assert_eq!(diags.len(), homeward::diagnostic::MAX_DIAGNOSTICS + 1);
    let last = diags.last().unwrap();
    assert_eq!(last.code, homeward::Code::TooManyDiagnostics);
    assert!(last.message.starts_with("99900 more"), "{}", last.message);
    // A ruleset too.
    let facts: Vec<String> = (0..500).map(|i| format!(r#"{{"id": "F{i}"}}"#)).collect();
    let e = Ruleset::from_json(&format!(
        r#"{{"id": "m", "version": "1", "title": "M", "facts": [{}]}}"#,
        facts.join(",")
    ))
    .unwrap_err()
    .diagnostics();
    assert_eq!(e.len(), homeward::diagnostic::MAX_DIAGNOSTICS + 1);
    assert_eq!(e.last().unwrap().code, homeward::Code::TooManyDiagnostics);
}

/// A one-fact ruleset whose int fact accepts `min..=max`.
fn one_int(min: i64, max: i64) -> Ruleset {
    let doc = serde_json::json!({
        "id": "wide", "version": "1", "title": "Wide int",
        "sections": [{ "id": "s", "title": "S" }],
        "facts": [{ "id": "n", "type": "int", "section": "s", "question": "n?", "min": min, "max": max }],
        "requirements": [{ "id": "r", "title": "r", "kind": "blocker", "owner": "nhs",
            "met_when": { "known": "n" }, "action": "act", "citation": { "source": "test" } }],
        "checklists": [{ "id": "c", "title": "C", "requirements": ["r"] }]
    });
    Ruleset::from_json(&doc.to_string()).unwrap()
}

#[test]
fn compact_values_are_checked_against_int_ranges_wider_than_i32() {
    let mut facts = Facts::default();
    // A range wholly above i32: no compact value is in it, not even i32::MAX.
    let rs = one_int(3_000_000_000, 4_000_000_000);
    for v in [i32::MAX, 0, i32::MIN + 1] {
        let err = facts.set_compact(&rs, &[v]).unwrap_err();
        let d = &err.diagnostics()[0];
        assert_eq!(
            (d.code, d.path.as_str()),
            (homeward::Code::OutOfRange, "$[0]"),
            "{v}"
        );
    }
    // A range wholly below i32, likewise.
    let rs = one_int(-4_000_000_000, -3_000_000_000);
    assert!(facts.set_compact(&rs, &[i32::MIN + 1]).is_err());
    // A range wider than i32 on both sides: every compact value but UNKNOWN is in it.
    let rs = one_int(-5_000_000_000, 5_000_000_000);
    for v in [i32::MAX, 0, i32::MIN + 1] {
        facts.set_compact(&rs, &[v]).unwrap();
        assert_eq!(facts.to_compact(&rs), vec![v]);
    }
    // Bounds that are themselves i32: inclusive at both ends.
    let rs = one_int(-7, 7);
    facts.set_compact(&rs, &[-7]).unwrap();
    facts.set_compact(&rs, &[7]).unwrap();
    assert!(facts.set_compact(&rs, &[8]).is_err());
    assert!(facts.set_compact(&rs, &[-8]).is_err());
}
