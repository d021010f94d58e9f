//! Large generated rulesets for the compile-time benches: a decision table with many rows over a
//! small pool of facts (so the unreachable-row lint has work to do on every row), and a long
//! chain of named conditions each referencing the next.

#![allow(
    clippy::indexing_slicing,
    reason = "benchmark workload generator: builds JSON it owns"
)]

use serde_json::{json, Value};

fn facts(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({ "id": format!("f.b{i}"), "type": "bool", "section": "s", "question": format!("b{i}?") }))
        .collect()
}

fn doc(
    facts: Vec<Value>,
    conditions: Value,
    requirements: Vec<Value>,
    tables: Vec<Value>,
) -> String {
    let reqs: Vec<Value> = requirements.iter().map(|r| r["id"].clone()).collect();
    let tabs: Vec<Value> = tables.iter().map(|t| t["id"].clone()).collect();
    json!({
        "id": "large", "version": "1", "title": "Large generated ruleset",
        "sections": [{ "id": "s", "title": "S" }],
        "facts": facts, "conditions": conditions, "requirements": requirements, "tables": tables,
        "checklists": [{ "id": "all", "title": "All", "requirements": reqs, "tables": tabs }]
    })
    .to_string()
}

/// A ruleset with one first-hit table of `rows` rows, each an `all` of two comparisons over 12
/// yes/no facts (4,096 combinations: within the exact lint's limit), read by one requirement.
pub fn table(rows: usize) -> String {
    let pool = 12;
    let rows: Vec<Value> = (0..rows)
        .map(|i| {
            json!({
                "when": { "all": [
                    { "fact": format!("f.b{}", i % pool), "eq": (i / pool) % 2 == 0 },
                    { "fact": format!("f.b{}", (i * 7 + 3) % pool), "eq": true }
                ] },
                "output": i % 4, "citation": { "source": "generated" }
            })
        })
        .collect();
    let outputs: Vec<Value> = (0..4)
        .map(|o| json!({ "value": o, "label": format!("{o}") }))
        .collect();
    let table = json!({ "id": "big", "title": "Big", "hit": "first", "outputs": outputs, "rows": rows,
        "default": 0, "citation": { "source": "generated" } });
    let req = json!({ "id": "r", "title": "R", "kind": "blocker", "owner": "nhs",
        "met_when": { "decision": "big", "in": [0, 1] }, "action": "a", "citation": { "source": "generated" } });
    doc(facts(pool), json!({}), vec![req], vec![table])
}

/// A ruleset with a chain of `links` named conditions, `c{i}` = `all(fact, ref c{i+1})`, the
/// head read by a requirement's `applies_when` (the comparisons contradict each other, so the
/// never-applies lint has to look at every combination of the 12 facts).
pub fn chain(links: usize) -> String {
    let pool = 12;
    let mut conditions = serde_json::Map::new();
    for i in 0..links {
        let fact = json!({ "fact": format!("f.b{}", i % pool), "eq": (i / pool) % 2 == 0 });
        let c = if i + 1 < links {
            json!({ "all": [fact, { "ref": format!("c{}", i + 1) }] })
        } else {
            fact
        };
        conditions.insert(format!("c{i}"), c);
    }
    let req = json!({ "id": "r", "title": "R", "kind": "blocker", "owner": "nhs",
        "applies_when": { "ref": "c0" }, "met_when": { "not": { "ref": "c1" } },
        "action": "a", "citation": { "source": "generated" } });
    doc(facts(pool), Value::Object(conditions), vec![req], vec![])
}

/// A ruleset of `n` yes/no questions where question `i` is asked only when question `i + 1`
/// is answered yes (a chain of `asked_when` gates, as in review finding L7), the head read by a
/// requirement.
pub fn asked_chain(n: usize) -> String {
    let facts: Vec<Value> = (0..n)
        .map(|i| {
            let mut f = json!({ "id": format!("f.b{i}"), "type": "bool", "section": "s", "question": format!("b{i}?") });
            if i + 1 < n {
                f["asked_when"] = json!({ "fact": format!("f.b{}", i + 1), "eq": true });
            }
            f
        })
        .collect();
    let req = json!({ "id": "r", "title": "R", "kind": "blocker", "owner": "nhs",
        "met_when": { "fact": "f.b0", "eq": true }, "action": "a", "citation": { "source": "generated" } });
    doc(facts, json!({}), vec![req], vec![])
}

/// A ruleset of `n` decision tables where table `i`'s row reads table `i + 1`'s decision (a
/// chain of decisions, as in review finding L7), the head read by a requirement.
pub fn table_chain(n: usize) -> String {
    let outputs = json!([{ "value": 0, "label": "no" }, { "value": 1, "label": "yes" }]);
    let tables: Vec<Value> = (0..n)
        .map(|i| {
            let when = if i + 1 < n {
                json!({ "all": [ { "fact": format!("f.b{}", i % 12), "eq": true },
                                 { "decision": format!("t{}", i + 1), "eq": 1 } ] })
            } else {
                json!({ "fact": "f.b0", "eq": true })
            };
            json!({ "id": format!("t{i}"), "title": format!("T{i}"), "hit": "first", "outputs": outputs,
                "rows": [{ "when": when, "output": 1, "citation": { "source": "generated" } }],
                "default": 0, "citation": { "source": "generated" } })
        })
        .collect();
    let req = json!({ "id": "r", "title": "R", "kind": "blocker", "owner": "nhs",
        "met_when": { "decision": "t0", "eq": 1 }, "action": "a", "citation": { "source": "generated" } });
    let mut text: Value =
        serde_json::from_str(&doc(facts(12), json!({}), vec![req], vec![])).unwrap();
    text["tables"] = Value::Array(tables);
    text.to_string()
}
