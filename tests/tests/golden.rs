//! Runs the golden scenario corpus (`tests/scenarios/*.json`) through the Rust API and the
//! JSON entry point, and walks information monotonicity over every decided scenario.

#![allow(clippy::panic, reason = "test helpers fail the test with context")]

use homeward::{Facts, Ruleset, Status, Verdict};
use homeward_tests::random::{patient, Draw, Rng};
use homeward_tests::{first_difference, json_files, repo_root, Scenario};
use serde_json::Value;
use std::collections::BTreeMap;

fn ruleset_for(cache: &mut BTreeMap<Vec<String>, Ruleset>, overlays: Vec<String>) -> Ruleset {
    cache
        .entry(overlays.clone())
        .or_insert_with(|| {
            let ids: Vec<&str> = overlays.iter().map(String::as_str).collect();
            Ruleset::national_with(&ids)
                .unwrap_or_else(|e| panic!("bundled ruleset with {overlays:?} must load: {e}"))
        })
        .clone()
}

fn scenarios() -> Vec<Scenario> {
    json_files(&repo_root().join("tests/scenarios"))
        .iter()
        .map(|f| Scenario::load(f).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

#[test]
fn every_scenario_matches_its_expectations() {
    let mut cache = BTreeMap::new();
    let mut failures = Vec::new();
    let all = scenarios();
    for s in &all {
        let rs = ruleset_for(&mut cache, s.overlays());
        for key in ["story", "source", "facts", "expect"] {
            if s.doc.get(key).is_none() {
                failures.push(format!("{}: missing `{key}`", s.file.display()));
            }
        }
        if let Some(problem) = homeward_tests::metadata_problem(&s.doc) {
            failures.push(format!("{}: {problem}", s.file.display()));
        }
        match s.evaluate(&rs) {
            Ok(report) => {
                if let Some(diff) = first_difference(&report, &s.doc["expect"]) {
                    failures.push(format!("{}: {diff}", s.file.display()));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", s.file.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    println!("{} golden scenarios passed", all.len());
}

#[test]
fn json_entry_point_gives_the_same_report() {
    let mut cache = BTreeMap::new();
    for s in scenarios() {
        let rs = ruleset_for(&mut cache, s.overlays());
        let native = s.evaluate(&rs).map(|r| r.to_json()).unwrap_or_default();
        let engine = homeward::json::JsonEngine::national(&s.overlays());
        let out = engine.evaluate(
            &s.doc["facts"].to_string(),
            s.checklist().unwrap_or("*"),
            s.as_of(),
        );
        assert_eq!(out, format!("{{\"ok\":{native}}}"), "{}", s.file.display());
    }
}

#[test]
fn removing_answers_never_flips_a_decided_verdict() {
    let mut cache = BTreeMap::new();
    let mut walked = 0;
    for s in scenarios() {
        let rs = ruleset_for(&mut cache, s.overlays());
        let Ok(report) = s.evaluate(&rs) else {
            continue;
        };
        if report.verdict == Verdict::Undetermined {
            continue;
        }
        let Some(obj) = s.doc["facts"].as_object() else {
            continue;
        };
        let checklist = rs
            .checklist(s.checklist())
            .unwrap_or_else(|e| panic!("{e}"));
        // Remove answers one at a time, cumulatively, in file order.
        let mut current = obj.clone();
        for key in obj.keys() {
            current.remove(key);
            let facts = Facts::from_value(&rs, &Value::Object(current.clone()))
                .unwrap_or_else(|e| panic!("{e}"))
                .with_as_of(s.facts(&rs).ok().and_then(|f| f.as_of()));
            let r = rs.evaluate(checklist, &facts);
            let flipped = matches!(
                (report.verdict, r.verdict),
                (Verdict::Ready, Verdict::NotReady) | (Verdict::NotReady, Verdict::Ready)
            );
            assert!(
                !flipped,
                "{}: removing `{key}` flipped {:?} to {:?}",
                s.file.display(),
                report.verdict,
                r.verdict
            );
            // Blockers and holds only: an advisory may read `known`, which is about the state of
            // the record itself and so is deliberately not information-monotone.
            for req in r
                .requirements
                .iter()
                .filter(|q| q.kind != homeward::wire::Kind::Advisory)
            {
                let full = report.status(&req.id);
                if req.status == Status::NotMet {
                    assert_eq!(
                        full,
                        Some(Status::NotMet),
                        "{}: `{}` not_met with fewer answers",
                        s.file.display(),
                        req.id
                    );
                }
                if req.status.is_clear() {
                    assert!(
                        full.is_some_and(Status::is_clear),
                        "{}: `{}` clear with fewer answers",
                        s.file.display(),
                        req.id
                    );
                }
            }
            walked += 1;
        }
    }
    println!("{walked} partial fact sets walked");
}

/// The hand-written report writer gives serde_json's bytes exactly: every golden scenario, a
/// few thousand random patients on every checklist (with and without the Norfolk overlay), and
/// a ruleset whose text needs every kind of escape.
#[test]
fn report_writer_matches_serde_byte_for_byte() {
    let mut compared = 0;
    let mut cache = BTreeMap::new();
    for s in scenarios() {
        let rs = ruleset_for(&mut cache, s.overlays());
        if let Ok(report) = s.evaluate(&rs) {
            let mut fast = String::new();
            report.write_json(&mut fast);
            let serde = serde_json::to_string(&report).unwrap_or_default();
            assert_eq!(fast, serde, "{}", s.file.display());
            compared += 1;
        }
    }
    let mut rng = Rng(0x2545_f491);
    let draw = Draw {
        unknown_one_in: 3,
        option_one_in: 5,
        int_span: Some(19),
    };
    for overlays in [vec![], vec!["norfolk".to_string()]] {
        let rs = ruleset_for(&mut cache, overlays);
        let schema = serde_json::to_value(rs.schema()).unwrap_or_default();
        for cl in rs.checklist_ids().into_iter().chain(["*"]) {
            let checklist = rs.checklist(Some(cl)).unwrap_or_else(|e| panic!("{e}"));
            for _ in 0..700 {
                let m = patient(&schema, &mut rng, &draw);
                let facts = Facts::from_value(&rs, &m).unwrap_or_else(|e| panic!("{e}"));
                // Half assessed on an as-of date, so the report carries one.
                let as_of = homeward::Date::from_days(20_000 + rng.below(500) as i32);
                let facts = facts.with_as_of(as_of.filter(|_| rng.one_in(2)));
                let report = rs.evaluate(checklist, &facts);
                let mut fast = String::new();
                report.write_json(&mut fast);
                assert_eq!(fast, serde_json::to_string(&report).unwrap_or_default());
                compared += 1;
            }
        }
    }
    // Text needing every escape: quotes, backslashes, control characters, non-ASCII.
    let tricky = "Say \"no\" \\ then\ttab\nline\r\u{1}\u{8}\u{c}\u{1f} — café ✓ 𝄞";
    let doc = serde_json::json!({
        "id": "esc", "version": "1", "title": tricky,
        "sections": [{ "id": "s", "title": tricky }],
        "facts": [{ "id": "a.b", "type": "bool", "section": "s", "question": tricky }],
        "requirements": [{ "id": "r", "title": tricky, "kind": "blocker", "owner": "nhs",
            "met_when": { "fact": "a.b", "eq": true }, "action": tricky, "referral": tricky,
            "citation": { "source": tricky, "note": tricky } }],
        "checklists": [{ "id": "c", "title": tricky, "requirements": ["r"] }]
    });
    let rs = Ruleset::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let cl = rs.checklist(Some("c")).unwrap_or_else(|e| panic!("{e}"));
    for facts in [r#"{}"#, r#"{"a.b": false}"#, r#"{"a.b": true}"#] {
        let report = rs.evaluate(
            cl,
            &Facts::from_json(&rs, facts).unwrap_or_else(|e| panic!("{e}")),
        );
        let mut fast = String::new();
        report.write_json(&mut fast);
        assert_eq!(fast, serde_json::to_string(&report).unwrap_or_default());
        compared += 1;
    }
    println!("{compared} reports written identically");
}
