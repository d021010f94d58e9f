//! The documented semantics, one behaviour per test: requirement statuses, first-hit tables,
//! causes and primary requirements, open-question minimality and gating, overlays and the
//! content hash.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test"
)]

use homeward::report::DecisionStatus;
use homeward::{Facts, Ruleset, Status, Verdict};
use serde_json::{json, Value};

fn base() -> Value {
    let b = |id: &str, s: &str| json!({ "id": id, "type": "bool", "section": s, "question": format!("{id}?") });
    json!({
        "id": "t", "version": "1", "title": "T",
        "sections": [{ "id": "one", "title": "One" }, { "id": "two", "title": "Two" }],
        "facts": [
            b("x.second", "two"), b("x.first", "one"), b("x.gate", "one"),
            { "id": "x.gated", "type": "bool", "section": "one", "question": "gated?", "asked_when": { "fact": "x.gate", "eq": true } },
            { "id": "x.level", "type": "int", "section": "one", "question": "level?", "min": 0, "max": 10 },
            { "id": "x.kind", "type": "enum", "section": "one", "question": "kind?", "options": [{ "id": "p", "label": "P" }, { "id": "q", "label": "Q" }] }
        ],
        "requirements": [
            { "id": "clinical", "title": "C", "kind": "blocker", "owner": "nhs", "primary": true,
              "met_when": { "fact": "x.first", "eq": false }, "action": "a", "citation": { "source": "s" } },
            { "id": "social", "title": "S", "kind": "blocker", "owner": "housing",
              "applies_when": { "fact": "x.second", "eq": true }, "met_when": { "fact": "x.gated", "eq": true },
              "action": "a", "citation": { "source": "s" } },
            { "id": "hold", "title": "H", "kind": "safeguarding_hold", "owner": "social_care",
              "applies_when": { "fact": "x.gate", "eq": true }, "met_when": { "fact": "x.gated", "eq": true },
              "action": "a", "citation": { "source": "s" } }
        ],
        "tables": [{ "id": "level", "title": "Level", "hit": "first",
            "outputs": [{ "value": "low", "label": "Low" }, { "value": "high", "label": "High" }],
            "rows": [
                { "when": { "fact": "x.kind", "eq": "p" }, "output": "high", "citation": { "source": "s" } },
                { "when": { "fact": "x.level", "gte": 5 }, "output": "high", "citation": { "source": "s" } }
            ],
            "default": "low", "citation": { "source": "s" } }],
        "checklists": [{ "id": "all", "title": "All", "requirements": ["clinical", "social", "hold"], "tables": ["level"] }]
    })
}

fn load(doc: &Value) -> Ruleset {
    Ruleset::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn eval(rs: &Ruleset, facts: Value) -> homeward::Report {
    let f = Facts::from_value(rs, &facts).unwrap_or_else(|e| panic!("{e}"));
    rs.evaluate(rs.checklist(Some("all")).unwrap(), &f)
}

#[test]
fn status_rules() {
    let rs = load(&base());
    // applies unknown, met true → met (it cannot block whatever is answered next)
    let r = eval(&rs, json!({ "x.gated": true }));
    assert_eq!(r.status("social"), Some(Status::Met));
    // applies false → not applicable, whatever met is
    let r = eval(&rs, json!({ "x.second": false, "x.gated": false }));
    assert_eq!(r.status("social"), Some(Status::NotApplicable));
    // applies true, met false → not met
    let r = eval(
        &rs,
        json!({ "x.second": true, "x.gate": true, "x.gated": false }),
    );
    assert_eq!(r.status("social"), Some(Status::NotMet));
    // applies true, met unknown → unknown
    let r = eval(&rs, json!({ "x.second": true }));
    assert_eq!(r.status("social"), Some(Status::Unknown));
}

#[test]
fn primary_requirement_is_the_only_cause_and_holds_come_first() {
    let rs = load(&base());
    let r = eval(
        &rs,
        json!({ "x.first": true, "x.second": true, "x.gate": true, "x.gated": false }),
    );
    assert_eq!(r.verdict, Verdict::NotReady);
    assert_eq!(
        r.causes,
        vec!["clinical".to_string()],
        "a social blocker is never blamed for a clinical delay"
    );
    assert_eq!(
        r.blockers[0].id, "hold",
        "safeguarding holds are listed first"
    );
    assert_eq!(r.attribution.by_owner.len(), 1);
    let r = eval(
        &rs,
        json!({ "x.first": false, "x.second": true, "x.gate": true, "x.gated": false }),
    );
    assert_eq!(r.causes, vec!["hold".to_string(), "social".to_string()]);
}

#[test]
fn first_hit_table_is_kleene_aware() {
    let rs = load(&base());
    // An unknown row before the first true row leaves the output undetermined…
    let r = eval(&rs, json!({ "x.level": 9 }));
    let d = r.decision("level").unwrap();
    assert_eq!(
        d.status,
        DecisionStatus::Decided,
        "both possible rows say high, so it is decided"
    );
    assert_eq!(
        d.output,
        Some(homeward::wire::OutputValue::Str("high".into()))
    );
    let r = eval(&rs, json!({ "x.level": 1 }));
    let d = r.decision("level").unwrap();
    assert_eq!(d.status, DecisionStatus::Undetermined);
    assert_eq!(d.open_questions, vec!["x.kind".to_string()]);
    // …and a decided first row decides it, with the row index.
    let r = eval(&rs, json!({ "x.kind": "p" }));
    let d = r.decision("level").unwrap();
    assert_eq!((d.status, d.row), (DecisionStatus::Decided, Some(0)));
    let r = eval(&rs, json!({ "x.kind": "q", "x.level": 2 }));
    assert_eq!(r.decision("level").unwrap().label.as_deref(), Some("Low"));
}

#[test]
fn open_questions_are_minimal_gated_and_ordered() {
    let rs = load(&base());
    let r = eval(&rs, json!({}));
    let asked: Vec<&str> = r.open_questions.iter().map(|q| q.fact.as_str()).collect();
    // x.gated is asked only through its gate; sections order before schema order (x.second is
    // first in the schema but in section two). The table's questions (x.level, x.kind) decide
    // only the table, which no blocker or hold reads: they are listed with that decision.
    assert_eq!(asked, vec!["x.first", "x.gate", "x.second"]);
    assert_eq!(
        r.decision("level").unwrap().open_questions,
        vec!["x.level".to_string(), "x.kind".to_string()]
    );
    assert!(
        r.hidden_facts.is_empty(),
        "gate unknown: not hidden, not asked"
    );
    // A decided branch asks nothing: with social not applicable and the gate closed, x.gated
    // is neither asked nor shown.
    let r = eval(
        &rs,
        json!({ "x.first": false, "x.second": false, "x.gate": false, "x.kind": "p" }),
    );
    assert!(r.open_questions.is_empty(), "{:?}", r.open_questions);
    assert_eq!(r.verdict, Verdict::Ready);
    assert_eq!(r.hidden_facts, vec!["x.gated".to_string()]);
}

/// A table's questions are asked when a blocker or hold reads the table while open, and each
/// question lists the blockers and holds it affects.
#[test]
fn questions_of_a_table_a_blocker_reads_are_asked() {
    let mut doc = base();
    doc["requirements"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": "low_level", "title": "L", "kind": "blocker", "owner": "nhs",
            "met_when": { "decision": "level", "eq": "low" }, "action": "a", "citation": { "source": "s" } }));
    doc["checklists"][0]["requirements"]
        .as_array_mut()
        .unwrap()
        .push(json!("low_level"));
    let rs = load(&doc);
    let r = eval(
        &rs,
        json!({ "x.first": false, "x.second": false, "x.gate": false }),
    );
    let asked: Vec<(&str, Vec<&str>)> = r
        .open_questions
        .iter()
        .map(|q| {
            (
                q.fact.as_str(),
                q.affects.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        asked,
        vec![
            ("x.level", vec!["low_level"]),
            ("x.kind", vec!["low_level"])
        ]
    );
    assert_eq!(r.summary.open_questions, 2);
}

#[test]
fn overlays_merge_in_id_order_and_the_hash_ignores_formatting() {
    let doc = base();
    let a = json!({ "id": "a_local", "version": "1", "title": "A", "extends": "t",
        "overrides": [{ "requirement": "social", "action": "from a" }] });
    let b = json!({ "id": "b_local", "version": "1", "title": "B", "extends": "t",
        "table_rows": [{ "table": "level", "position": "start", "rows": [
            { "when": { "fact": "x.level", "eq": 0 }, "output": "low", "citation": { "source": "s" } }] }],
        "checklist_items": [{ "checklist": "all", "requirements": [] }] });
    let base_text = doc.to_string();
    let (at, bt) = (a.to_string(), b.to_string());
    let ab = Ruleset::from_json_with_overlays(&base_text, &[&at, &bt]).unwrap();
    let ba = Ruleset::from_json_with_overlays(&base_text, &[&bt, &at]).unwrap();
    assert_eq!(ab.hash(), ba.hash());
    assert_eq!(ab.id(), "t+a_local+b_local");
    let r = eval(
        &ab,
        json!({ "x.second": true, "x.gate": true, "x.gated": false, "x.level": 0 }),
    );
    assert_eq!(
        r.blockers.iter().find(|b| b.id == "social").unwrap().action,
        "from a"
    );
    assert_eq!(
        r.decision("level").unwrap().row,
        Some(0),
        "start rows win under first hit"
    );
    let pretty = serde_json::to_string_pretty(&doc).unwrap();
    assert_eq!(
        load(&doc).hash(),
        Ruleset::from_json(&pretty).unwrap().hash()
    );
    let wrong = json!({ "id": "c", "version": "1", "title": "C", "extends": "other" }).to_string();
    let err = Ruleset::from_json_with_overlays(&base_text, &[&wrong]).unwrap_err();
    let d = homeward::Diagnostics::diagnostics(&err);
    assert_eq!(
        (
            d[0].code.as_str(),
            d[0].path.as_str(),
            d[0].document.as_deref()
        ),
        ("EXTENDS_MISMATCH", "$.extends", Some("c"))
    );
}

#[test]
fn reports_round_trip_and_serialise_deterministically() {
    let rs = load(&base());
    let r = eval(&rs, json!({ "x.second": true, "x.level": 3 }));
    let text = r.to_json();
    let back: homeward::Report = serde_json::from_str(&text).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.to_json(), text);
    assert_eq!(
        eval(&rs, json!({ "x.level": 3, "x.second": true })).to_json(),
        text
    );
}

#[test]
fn the_hash_ignores_key_order_and_whitespace() {
    let a = r#"{"id":"k","version":"1","title":"K","sections":[{"id":"s","title":"S"}],
        "facts":[{"id":"f","type":"bool","section":"s","question":"F?"}],
        "requirements":[{"id":"r","title":"R","kind":"blocker","owner":"nhs","met_when":{"fact":"f","eq":true},"action":"a","citation":{"source":"s"}}]}"#;
    let b = r#"{ "requirements": [ { "citation": { "source": "s" }, "action": "a", "met_when": { "eq": true, "fact": "f" },
                   "owner": "nhs", "kind": "blocker", "title": "R", "id": "r" } ],
        "facts": [ { "question": "F?", "section": "s", "type": "bool", "id": "f" } ],
        "sections": [ { "title": "S", "id": "s" } ], "title": "K", "version": "1", "id": "k" }"#;
    assert_eq!(
        Ruleset::from_json(a).unwrap().hash(),
        Ruleset::from_json(b).unwrap().hash()
    );
    let c = a.replace("\"title\":\"K\"", "\"title\":\"K2\"");
    assert_ne!(
        Ruleset::from_json(a).unwrap().hash(),
        Ruleset::from_json(&c).unwrap().hash(),
        "content changes the hash"
    );
}

/// The compact bulk path gives the same verdict and statuses as JSON facts, round-trips, and
/// locates every bad value at `$[index]` with its fact id.
#[test]
fn compact_input_matches_json_and_locates_errors() {
    use homeward::compact::{status_code, verdict_code, UNDECIDED, UNKNOWN};
    use homeward::json::JsonEngine;
    let rs = Ruleset::from_json(&base().to_string()).unwrap();
    let ids = rs.fact_ids();
    let json_facts = json!({ "x.first": false, "x.second": true, "x.gate": true, "x.gated": true, "x.level": 7, "x.kind": "q" });
    let f = Facts::from_value(&rs, &json_facts).unwrap();
    let compact = f.to_compact(&rs);
    assert_eq!(compact.len(), ids.len());
    assert_eq!(Facts::from_compact(&rs, &compact).unwrap(), f);

    let engine = JsonEngine::from_ruleset(rs.clone());
    let mut bulk = engine.bulk("");
    let mut out = vec![0u32; bulk.output_len()];
    assert_eq!(bulk.assess(&compact, &mut out), out.len());
    let cl = rs.checklist(None).unwrap();
    let report = rs.evaluate(cl, &f);
    assert_eq!(out[0], verdict_code(report.verdict));
    let layout = rs.compact_layout(cl);
    for (k, id) in layout.requirements.iter().enumerate() {
        assert_eq!(
            out[1 + layout.tables.len() + k],
            status_code(report.status(id).unwrap()),
            "{id}"
        );
    }

    // Unknown everywhere: undetermined, tables undecided.
    let unknown = vec![UNKNOWN; ids.len()];
    assert_eq!(bulk.assess(&unknown, &mut out), out.len());
    assert_eq!(out[0], verdict_code(Verdict::Undetermined));
    assert!(out[1..=layout.tables.len()].iter().all(|&c| c == UNDECIDED));

    // Bad values: every one reported, located, and the buffer left untouched.
    let mut bad = compact.clone();
    let level = ids.iter().position(|i| *i == "x.level").unwrap();
    let kind = ids.iter().position(|i| *i == "x.kind").unwrap();
    let first = ids.iter().position(|i| *i == "x.first").unwrap();
    bad[level] = 11;
    bad[kind] = 2;
    bad[first] = 5;
    out.fill(9);
    assert_eq!(bulk.assess(&bad, &mut out), 0);
    assert!(out.iter().all(|&c| c == 9));
    let err: Value = serde_json::from_str(bulk.error()).unwrap();
    let diags = err["error"]["diagnostics"].as_array().unwrap();
    let mut got: Vec<(String, String, String)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().into(),
                d["path"].as_str().unwrap().into(),
                d["rule"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        (
            "OUT_OF_RANGE".to_string(),
            format!("$[{level}]"),
            "x.level".to_string(),
        ),
        (
            "UNKNOWN_OPTION".to_string(),
            format!("$[{kind}]"),
            "x.kind".to_string(),
        ),
        (
            "WRONG_TYPE".to_string(),
            format!("$[{first}]"),
            "x.first".to_string(),
        ),
    ];
    want.sort();
    assert_eq!(got, want);

    // Wrong length and a short output buffer are located errors too, never a panic.
    assert_eq!(bulk.assess(&compact[1..], &mut out), 0);
    assert!(bulk.error().contains("expected"));
    let mut short = [0u32; 1];
    assert_eq!(bulk.assess(&compact, &mut short), 0);
    assert!(bulk.error().contains("output buffer"));
    assert_eq!(engine.bulk("nope").assess(&compact, &mut out), 0);
}

/// `decided_by` names only the parts that decide a value: every part of a true `all` or a false
/// `any`, otherwise just the parts holding the composite's own value, at any depth.
#[test]
fn decided_by_names_only_the_deciding_parts() {
    let b = |id: &str| json!({ "id": id, "type": "bool", "section": "s", "question": format!("{id}?") });
    let is = |id: &str| json!({ "fact": id, "eq": true });
    let req = |id: &str, met: Value| {
        json!({ "id": id, "title": id, "kind": "blocker", "owner": "nhs",
        "met_when": met, "action": "a", "citation": { "source": "s" } })
    };
    let doc = json!({
        "id": "d", "version": "1", "title": "D",
        "sections": [{ "id": "s", "title": "S" }],
        "facts": [b("a"), b("b"), b("c")],
        "requirements": [
            req("any_true", json!({ "any": [is("a"), is("b")] })),
            req("any_false", json!({ "any": [is("b"), { "not": is("a") }] })),
            req("all_true", json!({ "all": [is("a"), is("c")] })),
            req("all_false", json!({ "all": [is("a"), is("b"), is("c")] })),
            req("nested", json!({ "any": [{ "all": [is("a"), is("b")] }, is("c")] })),
            req("nested_false", json!({ "all": [{ "any": [is("b"), is("c")] }, { "not": { "all": [is("a"), is("c")] } }] }))
        ],
        "checklists": [{ "id": "all", "title": "All", "requirements":
            ["any_true", "any_false", "all_true", "all_false", "nested", "nested_false"] }]
    });
    let rs = load(&doc);
    let r = eval(&rs, json!({ "a": true, "b": false, "c": true }));
    let by = |id: &str| {
        let q = r.requirements.iter().find(|q| q.id == id).unwrap();
        (q.status, q.decided_by.clone())
    };
    let ids = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(by("any_true"), (Status::Met, ids(&["a"])));
    assert_eq!(by("any_false"), (Status::NotMet, ids(&["a", "b"])));
    assert_eq!(by("all_true"), (Status::Met, ids(&["a", "c"])));
    assert_eq!(by("all_false"), (Status::NotMet, ids(&["b"])));
    assert_eq!(by("nested"), (Status::Met, ids(&["c"])));
    assert_eq!(by("nested_false"), (Status::NotMet, ids(&["a", "c"])));
}
