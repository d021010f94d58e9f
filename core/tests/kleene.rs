//! Truth tables of the strong Kleene connectives, exercised through real rulesets: three bool
//! facts `a`, `b`, `c` each true, false or unknown, and a requirement whose `met_when` is the
//! connective under test (met ⇔ true, not_met ⇔ false, unknown ⇔ unknown).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test"
)]

use homeward::{Evaluator, Facts, Ruleset, Status, Tri};
use serde_json::{json, Value};

const T: Tri = Tri::True;
const F: Tri = Tri::False;
const U: Tri = Tri::Unknown;
const ALL3: [Tri; 3] = [F, U, T];

fn ruleset(met_when: &Value) -> Ruleset {
    let fact = |id: &str| json!({ "id": id, "type": "bool", "section": "s", "question": id });
    let doc = json!({
        "id": "truth", "version": "1", "title": "truth tables",
        "sections": [{ "id": "s", "title": "S" }],
        "facts": [fact("a"), fact("b"), fact("c")],
        "requirements": [{ "id": "r", "title": "R", "kind": "blocker", "owner": "nhs", "met_when": met_when,
                           "action": "act", "citation": { "source": "test" } }],
    });
    Ruleset::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn answer(t: Tri) -> Value {
    match t {
        Tri::True => json!(true),
        Tri::False => json!(false),
        Tri::Unknown => Value::Null,
    }
}

#[track_caller]
fn value_of(rs: &Ruleset, a: Tri, b: Tri, c: Tri) -> Tri {
    let facts = Facts::from_value(
        rs,
        &json!({ "a": answer(a), "b": answer(b), "c": answer(c) }),
    )
    .unwrap();
    let checklist = rs.checklist(None).unwrap();
    let report = rs.evaluate(checklist, &facts);
    let status = report.status("r").unwrap();
    // The two evaluators agree: the report's (conditions filled into a memo bottom-up, every
    // part evaluated) and the assessment's (short-circuiting, no memo), with and without
    // its open-question walks (which read the memo).
    let mut ev = Evaluator::new();
    for open in [false, true] {
        let assessed = ev.assess(rs, checklist, &facts, open).statuses().next();
        assert_eq!(
            assessed,
            Some(("r", status)),
            "assess (open questions: {open})"
        );
    }
    match status {
        Status::Met => T,
        Status::NotMet => F,
        Status::Unknown => U,
        Status::NotApplicable => panic!("met_when-only requirement is always applicable"),
        other => panic!("unexpected status {other:?}"),
    }
}

fn var(x: &str) -> Value {
    json!({ "fact": x, "eq": true })
}

#[test]
fn all_is_kleene_and() {
    let rs = ruleset(&json!({ "all": [var("a"), var("b")] }));
    let expected = |a: Tri, b: Tri| match (a, b) {
        (F, _) | (_, F) => F,
        (T, T) => T,
        _ => U,
    };
    for a in ALL3 {
        for b in ALL3 {
            assert_eq!(value_of(&rs, a, b, U), expected(a, b), "all({a:?}, {b:?})");
            assert_eq!(a.and(b), expected(a, b));
        }
    }
    assert_eq!(
        value_of(&ruleset(&json!({ "all": [] })), U, U, U),
        T,
        "empty all is true"
    );
}

#[test]
fn any_is_kleene_or() {
    let rs = ruleset(&json!({ "any": [var("a"), var("b")] }));
    let expected = |a: Tri, b: Tri| match (a, b) {
        (T, _) | (_, T) => T,
        (F, F) => F,
        _ => U,
    };
    for a in ALL3 {
        for b in ALL3 {
            assert_eq!(value_of(&rs, a, b, U), expected(a, b), "any({a:?}, {b:?})");
            assert_eq!(a.or(b), expected(a, b));
        }
    }
    assert_eq!(
        value_of(&ruleset(&json!({ "any": [] })), U, U, U),
        F,
        "empty any is false"
    );
}

#[test]
fn not_is_kleene_negation() {
    let rs = ruleset(&json!({ "not": var("a") }));
    for (a, want) in [(T, F), (F, T), (U, U)] {
        assert_eq!(value_of(&rs, a, U, U), want, "not({a:?})");
    }
}

#[test]
fn at_least_over_every_combination() {
    for n in 1..=3usize {
        let rs = ruleset(&json!({ "at_least": { "n": n, "of": [var("a"), var("b"), var("c")] } }));
        for a in ALL3 {
            for b in ALL3 {
                for c in ALL3 {
                    let trues = [a, b, c].iter().filter(|t| **t == T).count();
                    let unknowns = [a, b, c].iter().filter(|t| **t == U).count();
                    let want = if trues >= n {
                        T
                    } else if trues + unknowns < n {
                        F
                    } else {
                        U
                    };
                    assert_eq!(
                        value_of(&rs, a, b, c),
                        want,
                        "at_least {n} of ({a:?}, {b:?}, {c:?})"
                    );
                }
            }
        }
    }
}

#[test]
fn known_is_never_unknown() {
    let rs = ruleset(&json!({ "known": "a" }));
    assert_eq!(value_of(&rs, U, U, U), F);
    assert_eq!(value_of(&rs, F, U, U), T);
    assert_eq!(value_of(&rs, T, U, U), T);
}

#[test]
fn comparisons_on_unknown_facts_are_unknown() {
    let rs = ruleset(&json!({ "fact": "a", "ne": true }));
    assert_eq!(value_of(&rs, U, U, U), U);
    assert_eq!(value_of(&rs, F, U, U), T);
    assert_eq!(value_of(&rs, T, U, U), F);
}
