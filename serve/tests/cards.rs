//! Every golden scenario's report turned into CDS Hooks cards, with and without a patient in
//! context, validated against the response schema written from the CDS Hooks 2.0 tables
//! (docs/schema/cds-hooks-response.schema.json) by a real validator (the jsonschema crate),
//! plus the rules a schema cannot state: holds first, unique UUIDs that change with the hook
//! instance, and a resource about the patient in every create action.

#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test support fails the test with context; serde_json::Value indexing yields Null"
)]

mod common;

use common::{assert_valid, repo, response_schema};
use homeward::{Report, Ruleset};
use homeward_interop::cds::{self, CardOptions};
use homeward_tests::Scenario;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn reports() -> Vec<(String, Report)> {
    let mut out = Vec::new();
    for file in homeward_tests::json_files(&repo().join("tests/scenarios")) {
        let s = Scenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
        let overlays = s.overlays();
        let ids: Vec<&str> = overlays.iter().map(String::as_str).collect();
        let rs = Ruleset::national_with(&ids).unwrap_or_else(|e| panic!("{e}"));
        let report = s
            .evaluate(&rs)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        out.push((file.display().to_string(), report));
    }
    assert!(out.len() > 50, "the golden corpus was not found");
    out
}

fn hook(instance: &str) -> CardOptions {
    CardOptions {
        hook_instance: Some(instance.into()),
        patient_id: Some("p-123".into()),
        encounter_id: Some("enc-9".into()),
        rulebook_url: Some("https://cds.test.nhs.uk/rulebook".into()),
        checklist_url: Some("https://checklist.test.nhs.uk/".into()),
        source_label: None,
    }
}

fn actions(response: &Value) -> Vec<&Value> {
    response["cards"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["suggestions"].as_array().into_iter().flatten())
        .flat_map(|s| s["actions"].as_array().into_iter().flatten())
        .collect()
}

#[test]
fn every_golden_scenario_gives_a_valid_response() {
    let schema = response_schema();
    let (mut cards, mut creates) = (0, 0);
    for (file, report) in reports() {
        for opts in [
            hook("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"),
            CardOptions::default(),
        ] {
            let r = cds::response(&report, &opts);
            assert_valid(&schema, &r, &file);
            cards += r["cards"].as_array().map_or(0, Vec::len);
            for a in actions(&r) {
                creates += 1;
                let res = &a["resource"];
                let subject = if res["resourceType"] == "Task" {
                    &res["for"]
                } else {
                    &res["subject"]
                };
                assert_eq!(subject, &json!({ "reference": "Patient/p-123" }), "{file}");
                assert_eq!(
                    res["encounter"],
                    json!({ "reference": "Encounter/enc-9" }),
                    "{file}"
                );
                assert_eq!(res["status"], "draft", "{file}");
            }
            if opts.patient_id.is_none() {
                assert!(
                    actions(&r).is_empty(),
                    "{file}: a create action without a patient"
                );
            }
        }
    }
    assert!(
        cards > 200 && creates > 50,
        "{cards} cards, {creates} create actions"
    );
}

#[test]
fn holds_come_first_and_are_critical() {
    let mut seen = 0;
    for (file, report) in reports() {
        let r = cds::response(&report, &hook("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"));
        let indicators: Vec<&str> = r["cards"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["indicator"].as_str())
            .collect();
        let holds = report
            .blockers
            .iter()
            .filter(|b| b.kind == homeward::wire::Kind::SafeguardingHold)
            .count();
        assert!(
            indicators.iter().take(holds).all(|i| *i == "critical"),
            "{file}: {indicators:?}"
        );
        assert!(
            !indicators.iter().skip(holds).any(|i| *i == "critical"),
            "{file}: {indicators:?}"
        );
        seen += holds;
    }
    assert!(seen > 0, "no scenario has a safeguarding hold");
}

#[test]
fn uuids_are_unique_and_seeded_by_the_hook_instance() {
    for (file, report) in reports() {
        let a = cds::response(&report, &hook("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"));
        let b = cds::response(&report, &hook("0b8a7a3e-5f86-4a38-9a2f-2d4b1f5e6c7d"));
        let ids = |r: &Value| -> Vec<String> {
            let cards = r["cards"].as_array().cloned().unwrap_or_default();
            let mut v: Vec<String> = cards
                .iter()
                .filter_map(|c| c["uuid"].as_str().map(str::to_string))
                .collect();
            v.extend(
                cards
                    .iter()
                    .flat_map(|c| c["suggestions"].as_array().cloned().unwrap_or_default())
                    .filter_map(|s| s["uuid"].as_str().map(str::to_string)),
            );
            v
        };
        let (ia, ib) = (ids(&a), ids(&b));
        assert_eq!(
            ia.iter().collect::<BTreeSet<_>>().len(),
            ia.len(),
            "{file}: duplicate UUIDs"
        );
        assert!(
            ia.iter().all(|u| !ib.contains(u)),
            "{file}: a UUID did not change with the hook instance"
        );
        assert!(
            ia.iter()
                .all(|u| uuid::Uuid::parse_str(u).is_ok_and(|u| u.get_version_num() == 5)),
            "{file}"
        );
        let again = cds::response(&report, &hook("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"));
        assert_eq!(ids(&again), ia, "{file}: not deterministic");
        let card_ids: Vec<String> =
            cds::card_ids(&report, &hook("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"))
                .into_iter()
                .map(|(u, _)| u)
                .collect();
        assert!(
            card_ids.iter().all(|u| ia.contains(u)),
            "{file}: card_ids disagrees with the cards"
        );
    }
}

#[test]
fn a_summary_longer_than_the_limit_is_cut_below_140() {
    let (_, mut report) = reports()
        .into_iter()
        .find(|(_, r)| !r.blockers.is_empty())
        .unwrap_or_else(|| panic!("no blockers"));
    if let Some(b) = report.blockers.first_mut() {
        b.title = "A very long requirement title ".repeat(10);
    }
    let r = cds::response(&report, &hook("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"));
    assert_valid(&response_schema(), &r, "long title");
    assert!(r["cards"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|c| c["summary"]
            .as_str()
            .is_some_and(|s| s.chars().count() < 140)));
}

#[test]
fn the_schema_rejects_what_the_specification_forbids() {
    let schema = response_schema();
    let bad = [
        json!({ "cards": [{ "summary": "x".repeat(140), "indicator": "info", "source": { "label": "s" } }] }),
        json!({ "cards": [{ "summary": "s", "indicator": "hard-stop", "source": { "label": "s" } }] }),
        json!({ "cards": [{ "summary": "s", "indicator": "info", "source": { "label": "s" },
                            "suggestions": [{ "label": "l", "actions": [{ "type": "create", "description": "d" }] }],
                            "selectionBehavior": "any" }] }),
        json!({ "cards": [{ "summary": "s", "indicator": "info", "source": { "label": "s" },
                            "suggestions": [{ "label": "l" }] }] }),
        json!({ "cards": [{ "summary": "s", "indicator": "info", "source": { "label": "s" },
                            "links": [{ "label": "l", "url": "/relative", "type": "absolute" }] }] }),
        json!({ "cards": [{ "summary": "s", "indicator": "info", "source": { "label": "s" }, "uuid": "not-a-uuid" }] }),
        json!({ "cards": [{ "summary": "s", "indicator": "info", "source": { "label": "s" },
                            "suggestions": [{ "label": "l", "actions": [{ "type": "create", "description": "d",
                              "resource": { "resourceType": "Task", "status": "draft", "intent": "proposal", "description": "d",
                                            "for": { "reference": "Patient/1" }, "reasonCode": [{ "text": "r" }] } }] }],
                            "selectionBehavior": "any" }] }),
    ];
    for (i, b) in bad.iter().enumerate() {
        assert!(!schema.is_valid(b), "case {i} passed the schema");
    }
}
