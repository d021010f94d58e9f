//! Laws of the engine, checked with proptest on generated rulesets and partial facts against a
//! brute-force model: (a) soundness — a decided value agrees with every completion of the
//! unknown facts; (b) information monotonicity — adding an answer never changes a decided
//! value; (c) reports and the ruleset wire model round-trip through JSON; (d) no generated
//! input makes parse, compile or evaluate panic; (e) the exact lints agree with brute force;
//! (f) the one-patient jump code, the batch path's walk and the report's memoised walk give
//! the same answers.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test"
)]

use homeward::json::JsonEngine;
use homeward::report::DecisionStatus;
use homeward::{Evaluator, Facts, Report, Ruleset, Status, Verdict};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Facts of the generated rulesets and their complete domains; the last input is the as-of
/// date of the evaluation (an input like a fact: unknown until given).
const FACTS: [(&str, &str); 7] = [
    ("b0", "bool"),
    ("b1", "bool"),
    ("e", "enum"),
    ("n", "int"),
    ("d0", "date"),
    ("d1", "date"),
    ("as_of", "as_of"),
];

/// The dates facts and the as-of date take: close enough that offsets of a few days matter.
const DATES: [&str; 3] = ["2024-02-27", "2024-03-01", "2024-03-04"];

fn domain(fact: &str) -> Vec<Value> {
    match fact {
        "b0" | "b1" => vec![json!(false), json!(true)],
        "e" => vec![json!("p"), json!("q"), json!("r")],
        "d0" | "d1" | "as_of" => DATES.iter().map(|d| json!(d)).collect(),
        _ => (0..4).map(|i| json!(i)).collect(),
    }
}

/// A date comparison: with a literal, the as-of date or the other date, moved by a few days.
fn date_leaf() -> impl Strategy<Value = Value> {
    let op = prop::sample::select(vec!["lt", "lte", "gt", "gte", "eq", "ne"]);
    let fact = prop::sample::select(vec!["d0", "d1"]);
    prop_oneof![
        (
            fact.clone(),
            op.clone(),
            prop::sample::select(DATES.to_vec())
        )
            .prop_map(|(f, op, d)| json!({ "fact": f, op: d })),
        (fact.clone(), op.clone(), -4..=4i64)
            .prop_map(|(f, op, k)| json!({ "fact": f, op: { "as_of": true, "plus_days": k } })),
        (op, -4..=4i64)
            .prop_map(|(op, k)| json!({ "fact": "d0", op: { "fact": "d1", "plus_days": k } })),
        (
            fact,
            prop::collection::vec(prop::sample::select(DATES.to_vec()), 1..3)
        )
            .prop_map(|(f, ds)| json!({ "fact": f, "in": ds })),
    ]
}

/// A comparison leaf (no `known`: it is deliberately not information-monotone).
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0..2usize, any::<bool>()).prop_map(|(i, v)| json!({ "fact": format!("b{i}"), "eq": v })),
        (0..2usize, any::<bool>()).prop_map(|(i, v)| json!({ "fact": format!("b{i}"), "ne": v })),
        prop::sample::select(vec!["p", "q", "r"]).prop_map(|o| json!({ "fact": "e", "eq": o })),
        prop::sample::subsequence(vec!["p", "q", "r"], 1..3)
            .prop_map(|o| json!({ "fact": "e", "in": o })),
        (
            prop::sample::select(vec!["lt", "lte", "gt", "gte", "eq", "ne"]),
            0..4i64
        )
            .prop_map(|(op, c)| json!({ "fact": "n", op: c })),
        any::<bool>().prop_map(Value::Bool),
        date_leaf(),
    ]
}

fn condition(named: usize) -> impl Strategy<Value = Value> {
    let base = if named > 0 {
        prop_oneof![4 => leaf(), 1 => (0..named).prop_map(|i| json!({ "ref": format!("c{i}") }))]
            .boxed()
    } else {
        leaf().boxed()
    };
    base.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({ "all": v })),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({ "any": v })),
            inner.clone().prop_map(|c| json!({ "not": c })),
            prop::collection::vec(inner, 1..4).prop_flat_map(|v| {
                let len = v.len();
                (Just(v), 1..=len).prop_map(|(v, n)| json!({ "at_least": { "n": n, "of": v } }))
            }),
        ]
    })
}

fn ruleset_doc() -> impl Strategy<Value = Value> {
    (condition(0), condition(0)).prop_flat_map(|(c0, c1)| {
        let reqs = prop::collection::vec(
            (prop::option::of(condition(2)), condition(2), prop::sample::select(vec!["blocker", "advisory", "safeguarding_hold"]), any::<bool>()),
            1..5,
        );
        let rows = prop::collection::vec((condition(2), 0..3i64), 0..4);
        (Just((c0, c1)), reqs, rows, 0..3i64)
    })
    .prop_map(|((c0, c1), reqs, rows, default)| {
        let facts: Vec<Value> = FACTS
            .iter()
            .filter(|(_, ty)| *ty != "as_of")
            .map(|(id, ty)| match *ty {
                "date" => json!({ "id": id, "type": "date", "section": "s", "question": id }),
                "bool" => json!({ "id": id, "type": "bool", "section": "s", "question": id }),
                "enum" => json!({ "id": id, "type": "enum", "section": "s", "question": id,
                                  "options": [{ "id": "p", "label": "P" }, { "id": "q", "label": "Q" }, { "id": "r", "label": "R" }] }),
                _ => json!({ "id": id, "type": "int", "section": "s", "question": id, "min": 0, "max": 3 }),
            })
            .collect();
        let requirements: Vec<Value> = reqs
            .iter()
            .enumerate()
            .map(|(i, (applies, met, kind, primary))| {
                let mut r = json!({ "id": format!("r{i}"), "title": "R", "kind": kind, "owner": "nhs", "primary": primary,
                                    "met_when": met, "action": "a", "citation": { "source": "s" } });
                if let Some(a) = applies {
                    r["applies_when"] = a.clone();
                }
                r
            })
            .collect();
        let mut requirements = requirements;
        // One requirement reads the table, so decisions take part in the laws.
        requirements.push(json!({ "id": "rt", "title": "T", "kind": "blocker", "owner": "joint",
            "applies_when": { "decision": "t", "in": [1, 2] }, "met_when": { "decision": "t", "eq": 2 },
            "action": "a", "citation": { "source": "s" } }));
        let ids: Vec<String> = requirements.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
        json!({
            "id": "gen", "version": "1", "title": "generated",
            "sections": [{ "id": "s", "title": "S" }],
            "facts": facts,
            "conditions": { "c0": c0, "c1": c1 },
            "requirements": requirements,
            "tables": [{ "id": "t", "title": "T", "hit": "first",
                "outputs": [{ "value": 0, "label": "zero" }, { "value": 1, "label": "one" }, { "value": 2, "label": "two" }],
                "rows": rows.iter().map(|(w, o)| json!({ "when": w, "output": o, "citation": { "source": "s" } })).collect::<Vec<_>>(),
                "default": default, "citation": { "source": "s" } }],
            "checklists": [{ "id": "all", "title": "All", "requirements": ids, "tables": ["t"] }]
        })
    })
}

/// Partial answers: each fact unknown or one value of its domain.
fn partial() -> impl Strategy<Value = Vec<Option<usize>>> {
    prop::collection::vec(prop::option::of(0..4usize), FACTS.len())
}

fn facts_json(answers: &[Option<usize>]) -> Value {
    let mut m = serde_json::Map::new();
    for ((id, ty), a) in FACTS.iter().zip(answers) {
        if let (Some(i), false) = (a, *ty == "as_of") {
            let d = domain(id);
            m.insert((*id).to_string(), d[i % d.len()].clone());
        }
    }
    Value::Object(m)
}

/// The as-of date of the answers (the last input), if given.
fn as_of(answers: &[Option<usize>]) -> Option<homeward::Date> {
    let i = answers.last().copied().flatten()?;
    homeward::Date::parse(DATES[i % DATES.len()]).ok()
}

fn evaluate(rs: &Ruleset, answers: &[Option<usize>]) -> Report {
    let facts = Facts::from_value(rs, &facts_json(answers))
        .unwrap()
        .with_as_of(as_of(answers));
    rs.evaluate(rs.checklist(Some("all")).unwrap(), &facts)
}

/// Every completion of the unknown answers.
fn completions(answers: &[Option<usize>]) -> Vec<Vec<Option<usize>>> {
    let mut out = vec![answers.to_vec()];
    for (i, (id, _)) in FACTS.iter().enumerate() {
        if answers[i].is_none() {
            out = out
                .into_iter()
                .flat_map(|c| {
                    (0..domain(id).len()).map(move |v| {
                        let mut c = c.clone();
                        c[i] = Some(v);
                        c
                    })
                })
                .collect();
        }
    }
    out
}

/// `later` has at least the information of `earlier`: nothing decided may change.
fn refines(earlier: &Report, later: &Report) -> Result<(), String> {
    let flip = matches!(
        (earlier.verdict, later.verdict),
        (Verdict::Ready, Verdict::NotReady) | (Verdict::NotReady, Verdict::Ready)
    );
    if flip || (earlier.verdict != Verdict::Undetermined && earlier.verdict != later.verdict) {
        return Err(format!(
            "verdict {:?} became {:?}",
            earlier.verdict, later.verdict
        ));
    }
    for (a, b) in earlier.requirements.iter().zip(&later.requirements) {
        let ok = match a.status {
            Status::NotMet => b.status == Status::NotMet,
            Status::NotApplicable => b.status == Status::NotApplicable,
            Status::Met => b.status.is_clear(),
            Status::Unknown => true,
            other => {
                return Err(format!(
                    "{} has a status the laws do not know: {other:?}",
                    a.id
                ))
            }
        };
        if !ok {
            return Err(format!(
                "{} was {:?} and became {:?}",
                a.id, a.status, b.status
            ));
        }
    }
    for (a, b) in earlier.decisions.iter().zip(&later.decisions) {
        if a.status == DecisionStatus::Decided
            && (b.status != DecisionStatus::Decided || a.output != b.output)
        {
            return Err(format!(
                "decision {} {:?} became {:?}",
                a.id, a.output, b.output
            ));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, max_global_rejects: 1 << 16, failure_persistence: None, ..ProptestConfig::default() })]

    /// (a) Soundness: whatever Kleene decides, every completion of the unknown facts agrees.
    #[test]
    fn kleene_is_sound_against_brute_force(doc in ruleset_doc(), answers in partial()) {
        let rs = Ruleset::from_json(&doc.to_string()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let partial_report = evaluate(&rs, &answers);
        for complete in completions(&answers) {
            let full = evaluate(&rs, &complete);
            prop_assert!(full.verdict != Verdict::Undetermined, "a complete patient is always decided");
            if let Err(e) = refines(&partial_report, &full) {
                prop_assert!(false, "{e}\nruleset {doc}\npartial {:?} complete {:?}", answers, complete);
            }
        }
        // And undetermined means there is a question to ask — unless what is missing is the
        // as-of date, which is the caller's to give, not a question.
        if partial_report.verdict == Verdict::Undetermined && as_of(&answers).is_some() {
            prop_assert!(!partial_report.open_questions.is_empty(), "undetermined with nothing to ask");
        }
    }

    /// (b) Information monotonicity: answering one more fact never changes a decided value.
    #[test]
    fn answering_more_never_changes_a_decided_value(doc in ruleset_doc(), answers in partial(), which in 0..FACTS.len(), value in 0..4usize) {
        let rs = Ruleset::from_json(&doc.to_string()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut answers = answers;
        answers[which] = None;
        let mut more = answers.clone();
        more[which] = Some(value);
        if let Err(e) = refines(&evaluate(&rs, &answers), &evaluate(&rs, &more)) {
            prop_assert!(false, "{e}\nruleset {doc}\nbefore {:?} after {:?}", answers, more);
        }
    }

    /// (c) Reports and the wire model round-trip; the hash depends only on content.
    #[test]
    fn reports_and_rulesets_round_trip(doc in ruleset_doc(), answers in partial()) {
        let rs = Ruleset::from_json(&doc.to_string()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let report = evaluate(&rs, &answers);
        let back: Report = serde_json::from_str(&report.to_json()).unwrap();
        prop_assert_eq!(&back, &report);
        prop_assert_eq!(back.to_json(), report.to_json());
        let wire = serde_json::to_string(rs.document()).unwrap();
        let again = Ruleset::from_json(&wire).unwrap();
        prop_assert_eq!(again.hash(), rs.hash());
        let pretty = serde_json::to_string_pretty(&doc).unwrap();
        let reformatted = Ruleset::from_json(&pretty).unwrap();
        prop_assert_eq!(reformatted.hash(), rs.hash());
        prop_assert_eq!(evaluate(&again, &answers).to_json().replace(again.hash(), ""), report.to_json().replace(rs.hash(), ""));
    }

    /// (e) The exact lints are exact: a table row gets `UNREACHABLE_ROW` exactly when no
    /// complete patient makes it the first hit, and a requirement gets `NEVER_APPLIES` exactly
    /// when no complete patient makes it apply (checked where every fact's whole domain is
    /// enumerable here: no dates, whose domain is too large to enumerate by brute force).
    #[test]
    fn the_exact_lints_agree_with_brute_force(doc in ruleset_doc()) {
        let text = doc.to_string();
        let rules = format!("{}{}{}", doc["requirements"], doc["tables"], doc["conditions"]);
        prop_assume!(!rules.contains("\"d0\"") && !rules.contains("\"d1\""));
        let rs = Ruleset::from_json(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // Every combination of the facts the rules read (the dates they do not read stay fixed).
        let mut open = [None; FACTS.len()];
        for (slot, (_, ty)) in open.iter_mut().zip(FACTS) {
            if matches!(ty, "date" | "as_of") {
                *slot = Some(0);
            }
        }
        let reports: Vec<Report> = completions(&open).iter().map(|c| evaluate(&rs, c)).collect();
        let warned = |code: &str| -> Vec<String> {
            rs.warnings().iter().filter(|d| d.code.as_str() == code).map(|d| d.path.clone()).collect()
        };
        let rows = doc["tables"][0]["rows"].as_array().map_or(0, Vec::len);
        let unreachable: Vec<String> = (0..rows)
            .filter(|i| !reports.iter().any(|r| r.decision("t").and_then(|d| d.row) == Some(*i as u32)))
            .map(|i| format!("$.tables[0].rows[{i}]"))
            .collect();
        prop_assert_eq!(warned("UNREACHABLE_ROW"), unreachable, "ruleset {}", text);
        let never: Vec<String> = doc["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .filter(|(_, r)| r.get("applies_when").is_some())
            .filter(|(i, _)| reports.iter().all(|rep| rep.requirements[*i].status == Status::NotApplicable))
            .map(|(i, _)| format!("$.requirements[{i}].applies_when"))
            .collect();
        prop_assert_eq!(warned("NEVER_APPLIES"), never, "ruleset {}", text);
    }

    /// (f) Three ways to run the one evaluator agree: the one-patient assessment (jump code),
    /// the report (a memoised walk) and the batch path (a walk over 64 lanes at once, here
    /// with up to 69 other patients on the same as-of date) give the same verdict, statuses,
    /// decision and open questions, and the same codes.
    #[test]
    fn the_ways_to_evaluate_agree(doc in ruleset_doc(), answers in partial(), others in prop::collection::vec(partial(), 0..70)) {
        let rs = Ruleset::from_json(&doc.to_string()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let checklist = rs.checklist(Some("all")).unwrap();
        let report = evaluate(&rs, &answers);
        let facts = Facts::from_value(&rs, &facts_json(&answers)).unwrap().with_as_of(as_of(&answers));
        let mut evaluator = Evaluator::new();
        let a = evaluator.assess(&rs, checklist, &facts, true);
        prop_assert_eq!(a.verdict(), report.verdict, "ruleset {} answers {:?}", doc, answers);
        let statuses: Vec<(String, Status)> = a.statuses().map(|(id, s)| (id.to_string(), s)).collect();
        let expected: Vec<(String, Status)> = report.requirements.iter().map(|r| (r.id.clone(), r.status)).collect();
        prop_assert_eq!(statuses, expected, "ruleset {} answers {:?}", doc, answers);
        prop_assert_eq!(a.decision("t"), report.decision("t").and_then(|d| d.output.as_ref()));
        let open: Vec<&str> = a.open_questions().collect();
        let asked: Vec<&str> = report.open_questions.iter().map(|q| q.fact.as_str()).collect();
        prop_assert_eq!(open, asked, "ruleset {} answers {:?}", doc, answers);

        let date = answers.last().copied().flatten().map(|i| DATES[i % DATES.len()]);
        let mut patients = vec![answers.clone()];
        for mut other in others {
            *other.last_mut().unwrap() = *answers.last().unwrap();
            patients.push(other);
        }
        let mut rows = Vec::new();
        for p in &patients {
            rows.extend(Facts::from_value(&rs, &facts_json(p)).unwrap().to_compact(&rs));
        }
        let engine = JsonEngine::from_ruleset(rs.clone());
        let (mut one, mut many) = (engine.bulk("all"), engine.bulk("all"));
        for bulk in [&mut one, &mut many] {
            let set = bulk.set_as_of(date);
            prop_assert!(set.starts_with(r#"{"ok""#), "{}", set);
        }
        let (ni, no) = (one.input_len(), one.output_len());
        let mut out = vec![u32::MAX; patients.len() * no];
        prop_assert_eq!(many.assess_many(&rows, &mut out), patients.len());
        let mut codes = vec![0u32; no];
        for (k, p) in patients.iter().enumerate() {
            prop_assert_eq!(one.assess(&rows[k * ni..(k + 1) * ni], &mut codes), no);
            prop_assert_eq!(&out[k * no..(k + 1) * no], &codes[..], "ruleset {} patient {:?}", doc, p);
        }
    }

    /// (d) No input panics: arbitrary JSON as a ruleset, as an overlay and as facts.
    #[test]
    fn no_input_panics(value in arb_json(), doc in ruleset_doc(), mutation in arb_json(), path in prop::collection::vec(0..8usize, 1..4)) {
        let text = value.to_string();
        let _ = Ruleset::from_json(&text);
        let base = doc.to_string();
        let _ = Ruleset::from_json_with_overlays(&base, &[&text]);
        if let Ok(rs) = Ruleset::from_json(&base) {
            if let Ok(f) = Facts::from_json(&rs, &text) {
                let _ = rs.evaluate(rs.checklist(None).unwrap(), &f).to_json();
            }
        }
        // Near-valid: the generated ruleset with one value replaced somewhere.
        let mut near = doc;
        replace_at(&mut near, &path, mutation);
        let near_text = near.to_string();
        if let Ok(rs) = Ruleset::from_json(&near_text) {
            for id in rs.checklist_ids() {
                let _ = rs.evaluate(rs.checklist(Some(id)).unwrap(), &Facts::unknown(&rs)).to_json();
            }
        }
    }
}

/// Replaces the value found by following `path` (indices into keys or items) with `new`.
fn replace_at(v: &mut Value, path: &[usize], new: Value) {
    let Some((step, rest)) = path.split_first() else {
        *v = new;
        return;
    };
    let child = match v {
        Value::Object(m) if !m.is_empty() => {
            let k = m.keys().nth(step % m.len()).cloned().unwrap();
            m.get_mut(&k)
        }
        Value::Array(a) if !a.is_empty() => {
            let l = a.len();
            a.get_mut(step % l)
        }
        _ => None,
    };
    match child {
        Some(c) => replace_at(c, rest, new),
        None => *v = new,
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "", "a", "b0", "e", "p", "all", "any", "fact", "eq", "ref", "c0", "t", "bool", "set",
            "\u{0}", "r0"
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "id",
                    "version",
                    "title",
                    "facts",
                    "requirements",
                    "all",
                    "any",
                    "not",
                    "fact",
                    "eq",
                    "in",
                    "ref",
                    "at_least",
                    "n",
                    "of",
                    "type",
                    "section",
                    "question",
                    "met_when",
                    "extends",
                    "b0",
                    "e"
                ])
                .prop_map(String::from),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
