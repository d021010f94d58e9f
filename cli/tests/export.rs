//! `homeward export --format jsonlogic` on rulesets that push its inlining: never a silent
//! `null` past its depth, never unbounded growth (finding M4 of the reliability review).

#![allow(clippy::panic, clippy::indexing_slicing, reason = "test")]

mod common;
use common::{code, run, scratch, stderr, stdout, RULESET};
use serde_json::{json, Value};

fn example() -> Value {
    let text = std::fs::read_to_string(common::root().join(RULESET)).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

/// The example ruleset with extra named conditions, and its first requirement met when `top`.
fn with_conditions(name: &str, conditions: &[(String, Value)], top: &str) -> String {
    let mut rs = example();
    for (k, v) in conditions {
        rs["conditions"][k] = v.clone();
    }
    rs["requirements"][0]["met_when"] = json!({ "ref": top });
    let dir = scratch(name);
    let path = dir.join("ruleset.json");
    std::fs::write(&path, rs.to_string()).unwrap_or_else(|e| panic!("{e}"));
    path.to_string_lossy().into_owned()
}

/// M4: a chain of 300 named conditions loads, but JsonLogic (no references) would nest past
/// the export's depth: the export is refused with a located error, never written with `null`.
#[test]
fn m4_export_past_its_depth_is_an_error_not_null() {
    let mut conditions = vec![(
        "c0".to_string(),
        json!({ "fact": "home.key_safe_fitted", "eq": true }),
    )];
    for i in 1..300 {
        conditions.push((format!("c{i}"), json!({ "ref": format!("c{}", i - 1) })));
    }
    let path = with_conditions("m4-deep", &conditions, "c299");
    let check = run(&["check", &path]);
    assert_eq!(
        code(&check),
        0,
        "the chain is a valid ruleset: {}",
        stderr(&check)
    );
    let o = run(&["export", "--ruleset", &path, "--format", "jsonlogic"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "nothing is written");
    let err = stderr(&o);
    assert!(err.contains("error[NESTING_TOO_DEEP]"), "{err}");
    assert!(err.contains("at $.requirements[0].met_when"), "{err}");
    assert!(err.contains("condition `c299` → condition `c298`"), "{err}");
    let fine = with_conditions("m4-shallow", &conditions[..100], "c99");
    let o = run(&["export", "--ruleset", &fine, "--format", "jsonlogic"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let met = &v["requirements"][0]["met"];
    assert!(met.is_object(), "{met}");
    assert!(met.to_string().contains("home.key_safe_fitted"), "{met}");
}

/// M4: named conditions that each use the previous one twice double the inlined JsonLogic at
/// every step (2^60 nodes here); the export stops at its node budget with a located error.
#[test]
fn m4_export_growth_is_bounded() {
    let mut conditions = vec![(
        "d0".to_string(),
        json!({ "fact": "home.key_safe_fitted", "eq": true }),
    )];
    for i in 1..60 {
        let prev = format!("d{}", i - 1);
        conditions.push((
            format!("d{i}"),
            json!({ "any": [{ "ref": prev }, { "all": [{ "ref": prev }, { "fact": "care.carers_need_access", "eq": true }] }] }),
        ));
    }
    let path = with_conditions("m4-wide", &conditions, "d59");
    let o = run(&["export", "--ruleset", &path, "--format", "jsonlogic"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("error[TOO_LARGE]"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("at $.requirements[0].met_when"),
        "{}",
        stderr(&o)
    );
}
