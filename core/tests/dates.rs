//! Dates, one behaviour per test, on `tests/fixtures/dates-ruleset.json`: comparisons with a
//! literal, another date fact and the as-of date (moved by `plus_days`); the as-of date is an
//! input, and without it a comparison that needs it is unknown, never false; date values are
//! located and coded when wrong, in JSON and in compact form; every entry point carries as_of.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test"
)]

use homeward::json::JsonEngine;
use homeward::{Date, Diagnostics, Facts, Report, Ruleset, Status, Verdict};
use serde_json::{json, Value};

const DATES: &str = include_str!("../../tests/fixtures/dates-ruleset.json");

fn rs() -> Ruleset {
    Ruleset::from_json(DATES).unwrap_or_else(|e| panic!("{e}"))
}

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[track_caller]
fn eval(rs: &Ruleset, facts: Value, as_of: Option<&str>) -> Report {
    let f = Facts::from_value(rs, &facts)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_as_of(as_of.map(day));
    rs.evaluate(rs.checklist(Some("ward")).unwrap(), &f)
}

#[test]
fn without_an_as_of_date_a_comparison_with_it_is_unknown_never_false() {
    let rs = rs();
    let facts = json!({ "care.bed_needed": true, "care.bed_available_from": "2030-01-01" });
    let r = eval(&rs, facts.clone(), None);
    assert_eq!(r.status("bed_available"), Some(Status::Unknown));
    assert_eq!(r.as_of, None);
    // The bed's question is answered: nothing to ask about it; the caller gives as_of.
    assert!(r
        .open_questions
        .iter()
        .all(|q| q.fact != "care.bed_available_from"));
    let r = eval(&rs, facts, Some("2029-12-31"));
    assert_eq!(r.status("bed_available"), Some(Status::NotMet));
    assert_eq!(r.as_of, Some(day("2029-12-31")));
    assert!(r.to_json().contains("\"as_of\":\"2029-12-31\""));
}

#[test]
fn on_or_before_the_as_of_date() {
    let rs = rs();
    let facts = json!({ "care.bed_needed": true, "care.bed_available_from": "2026-03-05" });
    assert_eq!(
        eval(&rs, facts.clone(), Some("2026-03-04")).status("bed_available"),
        Some(Status::NotMet)
    );
    assert_eq!(
        eval(&rs, facts.clone(), Some("2026-03-05")).status("bed_available"),
        Some(Status::Met)
    );
    assert_eq!(
        eval(&rs, facts, Some("2026-04-01")).status("bed_available"),
        Some(Status::Met)
    );
}

#[test]
fn plus_days_counts_days_across_months_and_leap_years() {
    let rs = rs();
    let facts = json!({ "care.reablement_started": true, "care.reablement_start": "2024-01-31" });
    // 2024 is a leap year: 2024-01-31 + 42 days = 2024-03-13.
    let status =
        |as_of| eval(&rs, facts.clone(), Some(as_of)).status("reablement_within_six_weeks");
    assert_eq!(status("2024-03-13"), Some(Status::Met));
    assert_eq!(status("2024-03-14"), Some(Status::NotMet));
}

#[test]
fn a_date_compared_with_another_date_fact() {
    let rs = rs();
    let status = |review: &str, ready: Option<&str>| {
        let mut f = json!({ "care.review_date": review });
        if let Some(r) = ready {
            f["discharge.ready_date"] = json!(r);
        }
        eval(&rs, f, None).status("review_after_ready")
    };
    assert_eq!(status("2026-03-01", Some("2026-03-01")), Some(Status::Met));
    assert_eq!(
        status("2026-02-28", Some("2026-03-01")),
        Some(Status::NotMet)
    );
    assert_eq!(status("2026-02-28", None), Some(Status::Unknown));
    // The unknown date is the question to ask.
    let r = eval(&rs, json!({ "care.review_date": "2026-02-28" }), None);
    assert!(r
        .open_questions
        .iter()
        .any(|q| q.fact == "discharge.ready_date"));
}

#[test]
fn literals_and_lists_of_dates() {
    let rs = rs();
    let r = eval(&rs, json!({ "discharge.planned_date": "2026-12-25" }), None);
    assert_eq!(r.status("not_on_a_holiday"), Some(Status::NotMet));
    assert_eq!(r.status("planned_this_year"), Some(Status::Met));
    let r = eval(&rs, json!({ "discharge.planned_date": "2027-01-02" }), None);
    assert_eq!(r.status("not_on_a_holiday"), Some(Status::Met));
    assert_eq!(r.status("planned_this_year"), Some(Status::NotMet));
}

#[test]
fn a_table_on_days_waiting() {
    let rs = rs();
    let band = |as_of| {
        let r = eval(&rs, json!({ "discharge.ready_date": "2026-03-01" }), as_of);
        r.decision("wait_band").unwrap().output.clone()
    };
    let s = |v: &str| Some(homeward::wire::OutputValue::Str(v.into()));
    assert_eq!(band(Some("2026-03-22")), s("long"));
    assert_eq!(band(Some("2026-03-21")), s("medium"));
    assert_eq!(band(Some("2026-03-08")), s("medium"));
    assert_eq!(band(Some("2026-03-07")), s("short"));
    assert_eq!(band(None), None, "undetermined without an as-of date");
}

#[test]
fn wrong_dates_in_facts_are_located_and_coded() {
    let rs = rs();
    for (value, code) in [
        (json!("2026-02-31"), "INVALID_DATE"),
        (json!("2026-2-1"), "INVALID_DATE"),
        (json!("01/03/2026"), "INVALID_DATE"),
        (json!("2200-01-01"), "OUT_OF_RANGE"),
        (json!(20_260_301), "WRONG_TYPE"),
    ] {
        let err = Facts::from_value(&rs, &json!({ "discharge.ready_date": value })).unwrap_err();
        let d = &err.diagnostics()[0];
        assert_eq!(
            (d.code.as_str(), d.path.as_str()),
            (code, "$[\"discharge.ready_date\"]"),
            "{value}"
        );
        assert_eq!(d.rule.as_deref(), Some("discharge.ready_date"));
    }
}

#[test]
fn dates_in_compact_form_are_day_numbers() {
    let rs = rs();
    let facts = Facts::from_value(&rs, &json!({ "discharge.ready_date": "2026-03-01" })).unwrap();
    let compact = facts.to_compact(&rs);
    assert_eq!(compact[0], 20_513);
    assert_eq!(Facts::from_compact(&rs, &compact).unwrap(), facts);
    let mut bad = compact.clone();
    bad[0] = Date::MAX.days() + 1;
    let err = Facts::from_compact(&rs, &bad).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!((d.code.as_str(), d.path.as_str()), ("OUT_OF_RANGE", "$[0]"));
}

#[test]
fn every_entry_point_takes_the_as_of_date() {
    let engine = JsonEngine::load(DATES, &[]);
    let facts = r#"{"care.bed_needed": true, "care.bed_available_from": "2026-03-05"}"#;
    let report: Value =
        serde_json::from_str(&engine.evaluate(facts, "ward", Some("2026-03-05"))).unwrap();
    assert_eq!(report["ok"]["as_of"], "2026-03-05");
    let bad: Value =
        serde_json::from_str(&engine.evaluate(facts, "ward", Some("2026-02-30"))).unwrap();
    assert_eq!(bad["error"]["code"], "INVALID_DATE");
    assert_eq!(bad["error"]["path"], "$.as_of");
    let assessed: Value =
        serde_json::from_str(&engine.assess(facts, "ward", Some("2026-03-04"))).unwrap();
    assert!(assessed["ok"]["not_met"]
        .as_array()
        .unwrap()
        .contains(&json!("bed_available")));

    let mut session = engine.session("ward");
    session.import(facts);
    let r: Value = serde_json::from_str(&session.set_as_of(Some("2026-03-04"))).unwrap();
    assert_eq!(r["ok"]["verdict"], "not_ready");
    let bad: Value = serde_json::from_str(&session.set_as_of(Some("yesterday"))).unwrap();
    assert_eq!(bad["error"]["path"], "$.as_of");
    let r: Value = serde_json::from_str(&session.report()).unwrap();
    assert_eq!(
        r["ok"]["as_of"], "2026-03-04",
        "a bad date leaves the session's date unchanged"
    );
    let r: Value = serde_json::from_str(&session.set_as_of(None)).unwrap();
    assert_eq!(r["ok"]["as_of"], Value::Null);

    let mut bulk = engine.bulk("ward");
    assert_eq!(bulk.set_as_of(Some("2026-03-04")), r#"{"ok":"2026-03-04"}"#);
    assert!(bulk.set_as_of(Some("2026-13-01")).contains("INVALID_DATE"));
    let rs = engine.ruleset().unwrap();
    let values = Facts::from_json(rs, facts).unwrap().to_compact(rs);
    let mut out = vec![0; bulk.output_len()];
    assert_eq!(bulk.assess(&values, &mut out), out.len());
    assert_eq!(out[0], Verdict::NotReady.code());
    let mut many = vec![0; bulk.output_len() * 2];
    assert_eq!(
        bulk.assess_many(&[values.clone(), values].concat(), &mut many),
        2
    );
    assert_eq!(&many[..out.len()], &out[..]);
}

#[test]
fn explanations_show_dates_and_offsets() {
    let rs = rs();
    let facts = Facts::from_value(
        &rs,
        &json!({ "care.reablement_started": true, "care.reablement_start": "2026-01-01" }),
    )
    .unwrap()
    .with_as_of(Some(day("2026-03-01")));
    let cl = rs.checklist(Some("ward")).unwrap();
    let ex = rs
        .explain(cl, &facts, "reablement_within_six_weeks")
        .unwrap();
    assert_eq!(ex.status, Status::NotMet);
    assert_eq!(
        ex.met_when.test,
        "fact care.reablement_start ≥ as_of (2026-03-01) − 42 days"
    );
    let ex = rs.explain(cl, &facts, "planned_this_year").unwrap();
    assert_eq!(
        ex.met_when.children[0].test,
        "fact discharge.planned_date ≥ 2026-01-01"
    );
}
