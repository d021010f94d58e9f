//! Tests of every `homeward` command through the real binary, against golden output files in
//! `tests/golden/cli/`. Set `HOMEWARD_BLESS=1` to rewrite the goldens after a reviewed change.

#![allow(clippy::panic, reason = "test helpers fail the test with context")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_homeward"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run homeward: {e}"))
}

const RULESET: &str = "tests/fixtures/example-ruleset.json";
const FACTS: &str = "tests/fixtures/example-facts.json";

#[track_caller]
fn golden(name: &str, actual: &str) {
    let path = root().join("tests/golden/cli").join(name);
    if std::env::var_os("HOMEWARD_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with HOMEWARD_BLESS=1)", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or(0, |i| i + 1);
        panic!(
            "{} differs from the output (first difference at line {line}):\n{actual}",
            path.display()
        );
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_valid_ruleset_exits_zero() {
    let o = run(&["check", RULESET]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("ok: `example` version 1.0.0"));
}

#[test]
fn check_reports_every_error_with_code_and_path() {
    let dir = std::env::temp_dir().join(format!("homeward-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"id":"bad","version":"1","title":"t","sections":[{"id":"s","title":"S"}],
            "facts":[{"id":"a","type":"bool","section":"nowhere","question":"q"}],
            "requirements":[{"id":"r","title":"R","kind":"blocker","owner":"nhs","met_when":{"fact":"b","eq":true},
                             "action":"x","citation":{"source":"y"}}]}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let path = bad.to_string_lossy().into_owned();
    let o = run(&["check", &path, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let codes: Vec<(&str, &str)> = v["error"]["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["code"].as_str().unwrap_or(""),
                        d["path"].as_str().unwrap_or(""),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        codes.contains(&("UNKNOWN_SECTION", "$.facts[0].section")),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("UNKNOWN_FACT", "$.requirements[0].met_when.fact")),
        "{codes:?}"
    );
    let text = run(&["check", &path]);
    assert_eq!(text.status.code(), Some(1));
    assert!(
        stderr(&text).contains("error[UNKNOWN_FACT]"),
        "{}",
        stderr(&text)
    );
}

#[test]
fn eval_json_and_text() {
    let o = run(&[
        "eval",
        "--ruleset",
        RULESET,
        "--facts",
        FACTS,
        "--as-of",
        "2026-12-02",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    golden("eval-example.json", &stdout(&o));
    let t = run(&[
        "eval",
        "--ruleset",
        RULESET,
        "--facts",
        FACTS,
        "--as-of",
        "2026-12-02",
        "--format",
        "text",
    ]);
    golden("eval-example.txt", &stdout(&t));
}

#[test]
fn eval_bad_facts_is_located() {
    let o = run(&[
        "eval",
        "--ruleset",
        RULESET,
        "--facts",
        "tests/golden/cli/batch-input.jsonl",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("JSON_SYNTAX"), "{}", stderr(&o));
}

#[test]
fn eval_questionnaire_response() {
    let o = run(&[
        "eval",
        "--ruleset",
        RULESET,
        "--questionnaire-response",
        "tests/golden/cli/questionnaire-response.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["verdict"], "not_ready");
    assert_eq!(v["causes"], serde_json::json!(["care_package"]));
}

#[test]
fn explain_text_and_json() {
    let o = run(&[
        "explain",
        "--ruleset",
        RULESET,
        "--facts",
        FACTS,
        "--requirement",
        "care_package",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    golden("explain-care-package.txt", &stdout(&o));
    let j = run(&[
        "explain",
        "--ruleset",
        RULESET,
        "--facts",
        FACTS,
        "--requirement",
        "care_package",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&j)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["status"], "not_met");
    assert_eq!(v["met_when"]["value"], "false");
}

#[test]
fn batch_reports_aggregate_and_bad_lines() {
    let dir = std::env::temp_dir().join(format!("homeward-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let agg_json = dir.join("agg.json").to_string_lossy().into_owned();
    let agg_csv = dir.join("agg.csv").to_string_lossy().into_owned();
    let input = "tests/golden/cli/batch-input.jsonl";
    let o = run(&[
        "batch",
        "--ruleset",
        RULESET,
        input,
        "--as-of",
        "2026-11-24",
        "--aggregate",
        &agg_json,
    ]);
    assert_eq!(
        o.status.code(),
        Some(4),
        "4 lines fail: exit 4 after every line and the aggregate are written\n{}",
        stderr(&o)
    );
    let out = stdout(&o);
    assert_eq!(
        out.lines().count(),
        10,
        "one line per input line (blank lines skipped)"
    );
    assert!(out
        .lines()
        .nth(6)
        .is_some_and(|l| l.contains("\"line\":7") && l.contains("JSON_SYNTAX")));
    assert!(out
        .lines()
        .nth(7)
        .is_some_and(|l| l.contains("UNKNOWN_OPTION") && l.contains("bed-8")));
    golden(
        "batch-aggregate.json",
        &std::fs::read_to_string(&agg_json).unwrap_or_default(),
    );
    let c = run(&[
        "batch",
        "--ruleset",
        RULESET,
        input,
        "--as-of",
        "2026-11-24",
        "--aggregate",
        &agg_csv,
        "--format",
        "csv",
        "--no-reports",
    ]);
    assert_eq!(c.status.code(), Some(4), "{}", stderr(&c));
    golden(
        "batch-aggregate.csv",
        &std::fs::read_to_string(&agg_csv).unwrap_or_default(),
    );
}

#[test]
fn export_jsonlogic_and_fhir() {
    let o = run(&["export", "--ruleset", RULESET, "--format", "jsonlogic"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    golden("export-example.jsonlogic.json", &stdout(&o));
    let f = run(&[
        "export",
        "--ruleset",
        RULESET,
        "--format",
        "fhir-questionnaire",
    ]);
    assert_eq!(f.status.code(), Some(0), "{}", stderr(&f));
    golden("export-example.questionnaire.json", &stdout(&f));
}

/// The export has the FHIR R4 Questionnaire structure: required elements, item types from the
/// R4 value set, and enableWhen entries of the published shape.
#[test]
fn fhir_questionnaire_structure() {
    let f = run(&[
        "export",
        "--ruleset",
        RULESET,
        "--format",
        "fhir-questionnaire",
    ]);
    let q: serde_json::Value = serde_json::from_str(&stdout(&f)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q["resourceType"], "Questionnaire");
    assert!(["draft", "active", "retired", "unknown"].contains(&q["status"].as_str().unwrap_or("")));
    let types = [
        "group",
        "display",
        "boolean",
        "decimal",
        "integer",
        "date",
        "dateTime",
        "time",
        "string",
        "text",
        "url",
        "choice",
        "open-choice",
        "attachment",
        "reference",
        "quantity",
    ];
    fn walk(items: &serde_json::Value, types: &[&str], seen: &mut Vec<String>) {
        for it in items.as_array().into_iter().flatten() {
            let link = it["linkId"]
                .as_str()
                .unwrap_or_else(|| panic!("item without linkId: {it}"));
            assert!(!seen.contains(&link.to_string()), "duplicate linkId {link}");
            seen.push(link.to_string());
            assert!(
                types.contains(&it["type"].as_str().unwrap_or("")),
                "bad type in {it}"
            );
            for ew in it["enableWhen"].as_array().into_iter().flatten() {
                assert!(
                    ew["question"].is_string() && ew["operator"].is_string(),
                    "{ew}"
                );
                let answers = ew
                    .as_object()
                    .map(|o| o.keys().filter(|k| k.starts_with("answer")).count())
                    .unwrap_or(0);
                assert_eq!(answers, 1, "exactly one answer[x] in {ew}");
            }
            walk(&it["item"], types, seen);
        }
    }
    let mut seen = Vec::new();
    walk(&q["item"], &types, &mut seen);
    assert!(seen.contains(&"home.key_safe_fitted".to_string()));
    let key_safe = q["item"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["item"].as_array().into_iter().flatten())
        .find(|i| i["linkId"] == "home.key_safe_fitted")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        key_safe["enableWhen"][0]["question"],
        "care.carers_need_access"
    );
    assert_eq!(key_safe["enableWhen"][0]["answerBoolean"], true);
}

#[test]
fn cds_cards_from_report() {
    let o = run(&[
        "eval",
        "--ruleset",
        RULESET,
        "--facts",
        FACTS,
        "--as-of",
        "2026-12-02",
    ]);
    let dir = std::env::temp_dir().join(format!("homeward-cds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let report = dir.join("report.json");
    std::fs::write(&report, o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let c = run(&["cds-card", "--report", &report.to_string_lossy()]);
    assert_eq!(c.status.code(), Some(0), "{}", stderr(&c));
    golden("cds-cards.json", &stdout(&c));
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(run(&["eval", "--bogus"]).status.code(), Some(2));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
    assert_eq!(
        run(&["eval", "--ruleset", "does/not/exist.json", "--facts", FACTS])
            .status
            .code(),
        Some(3)
    );
}

#[test]
fn invalid_utf8_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("homeward-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let bad = dir.join("latin1.json");
    std::fs::write(&bad, b"{\"id\":\"caf\xe9\"}").unwrap_or_else(|e| panic!("{e}"));
    let o = run(&["check", &bad.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("not valid UTF-8"), "{}", stderr(&o));
    let o = run(&[
        "eval",
        "--ruleset",
        RULESET,
        "--facts",
        &bad.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(3));
}

/// `compile` writes the ruleset's compiled form, byte for byte what the engine writes, which
/// reads back to the same ruleset; `-` and an invalid ruleset are refused and write nothing.
#[test]
fn compile_writes_the_compiled_form() {
    let dir = std::env::temp_dir().join(format!("homeward-compile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.join("england-national+norfolk.hwrc");
    let o = run(&[
        "compile",
        "--bundled-overlay",
        "norfolk",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let bytes = std::fs::read(&out).unwrap_or_else(|e| panic!("{e}"));
    let rs = homeward::Ruleset::national_with(&["norfolk"]).unwrap_or_else(|e| panic!("{e}"));
    assert!(bytes == rs.to_compiled(), "not the engine's compiled form");
    let back = homeward::Ruleset::from_compiled(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.hash(), rs.hash());

    let o = run(&["compile", "--out", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("binary"), "{}", stderr(&o));

    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"id\": 1}").unwrap_or_else(|e| panic!("{e}"));
    let never = dir.join("never.hwrc");
    let o = run(&[
        "compile",
        "--ruleset",
        &bad.to_string_lossy(),
        "--out",
        &never.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!never.exists(), "an invalid ruleset wrote a file");
    let _ = std::fs::remove_dir_all(&dir);
}
