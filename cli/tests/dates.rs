//! The as-of date on the command line: `eval`, `explain` and `batch` evaluate as of `--as-of`
//! (a line's own `as_of` first in `batch`), else today's date on the local clock; a bad date is
//! a usage error (exit 2); a batch line's `discharge_ready_date` is the fact
//! `clinical.discharge_ready_date`, so the ward and the batch read one answer.

#![allow(clippy::panic, reason = "test")]

mod common;
use common::{code, homeward, output, run, scratch, stderr, stdout, write};
use serde_json::{json, Value};

/// A pathway 1 patient ready to go apart from the package, whose first visit is 2026-12-03.
fn package_patient() -> Value {
    json!({
        "clinical.criteria_to_reside": [], "clinical.news2": 1,
        "pathway.returning_to_existing_care_home": false, "pathway.new_support_at_home": true,
        "pathway.needs_bedded_rehab": false, "pathway.needs_long_term_24h_care": false,
        "home.clutter_blocks_equipment": false, "home.needs_deep_clean": false,
        "home.heating_working": true, "home.bed_and_toilet_reachable": true,
        "home.carers_need_access": false, "home.minor_adaptations_needed": false,
        "home.major_adaptation_needed": false, "home.equipment_needed": false,
        "housing.status": "settled", "care.has_unpaid_carer": false, "care.choice_agreed": true,
        "safeguarding.concern_open": false, "safeguarding.self_neglect": false,
        "safeguarding.domestic_abuse": false, "safeguarding.new_concern_identified": false,
        "capacity.doubt": false, "logistics.tto_ready": true, "logistics.transport_arranged": true,
        "logistics.discharge_summary_sent": true, "logistics.follow_up_booked": true,
        "logistics.patient_informed": true, "logistics.waiting_for": [],
        "care.funding_route": "local_authority", "care.provider_confirmed": true,
        "care.package_covers_needs": true, "care.package_start_date": "2026-12-03"
    })
}

fn eval(facts: &Value, extra: &[&str]) -> Value {
    let dir = scratch("dates-eval");
    let path = write(&dir, "facts.json", &facts.to_string());
    let mut args = vec!["eval", "--facts", path.as_str(), "-c", "ward_discharge"];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"))
}

/// The package starts tomorrow: not ready today, ready on the day; the report names its date.
#[test]
fn eval_uses_the_as_of_date_given() {
    let p = package_patient();
    let before = eval(&p, &["--as-of", "2026-12-02"]);
    assert_eq!(before["as_of"], "2026-12-02");
    assert_eq!(before["verdict"], "not_ready", "{before:#}");
    assert_eq!(before["causes"], json!(["care_package_in_place"]));
    let on_the_day = eval(&p, &["--as-of", "2026-12-03"]);
    assert_eq!(on_the_day["as_of"], "2026-12-03");
    assert_eq!(on_the_day["verdict"], "ready", "{on_the_day:#}");
}

/// Without `--as-of` the date is today's on the local clock (here the time zone is UTC).
#[test]
fn eval_defaults_to_today_on_the_local_clock() {
    let today = || jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    let dir = scratch("dates-today");
    let path = write(&dir, "facts.json", "{}");
    let first = today();
    let o = output(homeward(&["eval", "--facts", &path, "--compact"]).env("TZ", "UTC"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    let got = v["as_of"].as_str().unwrap_or_default().to_string();
    assert!(got == first || got == today(), "as_of {got}, today {first}");
    // Explain reads the same default: the package rule compares with today.
    let facts = write(&dir, "p.json", &package_patient().to_string());
    let e = output(
        homeward(&[
            "explain", "--facts", &facts, "-c", "ward_discharge", "--requirement",
            "care_package_in_place",
        ])
        .env("TZ", "UTC"),
    );
    assert_eq!(code(&e), 0, "{}", stderr(&e));
    let today = today();
    assert!(stdout(&e).contains(&format!("≤ as_of ({today})")), "{}", stdout(&e));
}

/// A bad date is a usage error (exit 2) naming the problem, for every command that takes one.
#[test]
fn bad_as_of_dates_are_usage_errors() {
    let dir = scratch("dates-bad");
    let facts = write(&dir, "facts.json", "{}");
    let input = write(&dir, "in.jsonl", "{\"facts\":{}}\n");
    for (date, words) in [
        ("2026-02-30", "not a real date"),
        ("2026-2-3", "YYYY-MM-DD"),
        ("tomorrow", "YYYY-MM-DD"),
        ("1899-12-31", "outside the dates the engine accepts"),
        ("2200-01-01", "outside the dates the engine accepts"),
    ] {
        for args in [
            vec!["eval", "--facts", facts.as_str(), "--as-of", date],
            vec!["explain", "--facts", facts.as_str(), "--requirement", "tto_ready", "--as-of", date],
            vec!["batch", input.as_str(), "--as-of", date],
        ] {
            let o = run(&args);
            assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
            assert!(stderr(&o).contains(words), "{args:?}: {}", stderr(&o));
        }
    }
}

/// `--help` says what the default is.
#[test]
fn help_states_the_default_as_of_date() {
    for cmd in ["eval", "explain", "batch"] {
        let o = run(&[cmd, "--help"]);
        let text = stdout(&o).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains("today's date on this computer's clock"),
            "{cmd}: {text}"
        );
    }
}

fn batch_lines(lines: &[Value], extra: &[&str]) -> (Vec<Value>, Value, i32) {
    let dir = scratch("dates-batch");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let input = write(&dir, "in.jsonl", &text);
    let out = dir.join("out.jsonl").to_string_lossy().into_owned();
    let mut args = vec![
        "batch", input.as_str(), "-c", "ward_discharge", "--out", out.as_str(),
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    let agg: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    let lines = std::fs::read_to_string(&out)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (lines, agg, code(&o))
}

/// A line's own `as_of` wins over `--as-of`; lines without one take `--as-of`.
#[test]
fn batch_lines_may_carry_their_own_as_of() {
    let p = package_patient();
    let (out, _, status) = batch_lines(
        &[
            json!({ "id": "own", "facts": p, "as_of": "2026-12-03" }),
            json!({ "id": "batch", "facts": p }),
        ],
        &["--as-of", "2026-12-02"],
    );
    assert_eq!(status, 0);
    assert_eq!(out[0]["report"]["as_of"], "2026-12-03");
    assert_eq!(out[0]["report"]["verdict"], "ready");
    assert_eq!(out[1]["report"]["as_of"], "2026-12-02");
    assert_eq!(out[1]["report"]["verdict"], "not_ready");
    let (bad, _, status) = batch_lines(&[json!({ "id": "x", "facts": {}, "as_of": "2026-13-01" })], &[]);
    assert_eq!(status, 4);
    let message = bad[0]["error"].as_str().unwrap_or_default();
    assert!(message.starts_with("INVALID_VALUE") && message.ends_with("at $.as_of"), "{message}");
}

/// The line's `discharge_ready_date` is the ward's fact: the rules read it (ready for more than
/// 24 hours), the fact alone counts delay days, and two different dates are the line's error.
#[test]
fn batch_discharge_ready_date_is_the_ward_fact() {
    let mut delayed = package_patient();
    delayed["logistics.tto_ready"] = json!(false);
    delayed["care.package_start_date"] = json!("2026-11-30");
    let mut by_fact = delayed.clone();
    by_fact["clinical.discharge_ready_date"] = json!("2026-11-28");
    let mut both_differ = by_fact.clone();
    both_differ["clinical.discharge_ready_date"] = json!("2026-11-27");
    let (out, agg, status) = batch_lines(
        &[
            json!({ "id": "field", "facts": delayed, "discharge_ready_date": "2026-11-29" }),
            json!({ "id": "fact", "facts": by_fact }),
            json!({ "id": "same", "facts": by_fact, "discharge_ready_date": "2026-11-28" }),
            json!({ "id": "differ", "facts": both_differ, "discharge_ready_date": "2026-11-28" }),
        ],
        &["--as-of", "2026-12-02"],
    );
    assert_eq!(status, 4, "{agg:#}");
    let status_of = |i: usize, id: &str| {
        out[i]["report"]["advisories"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["id"] == id)
    };
    for i in 0..3 {
        assert!(status_of(i, "ready_over_24_hours"), "{:#}", out[i]);
        assert!(!status_of(i, "discharge_ready_date_recorded"), "{:#}", out[i]);
    }
    let message = out[3]["error"].as_str().unwrap_or_default();
    assert!(
        message.contains("differs from the fact `clinical.discharge_ready_date`")
            && message.ends_with("at $.discharge_ready_date"),
        "{message}"
    );
    // 3 days (field, 29 Nov) + 4 (fact, 28 Nov) + 4 (both, 28 Nov) to 2 December.
    assert_eq!(agg["delayed"], 3, "{agg:#}");
    assert_eq!(agg["delay_days"], 11, "{agg:#}");
}
