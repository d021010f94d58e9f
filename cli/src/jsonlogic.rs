//! `homeward export --format jsonlogic`: every requirement and table of a ruleset as JsonLogic
//! (<https://jsonlogic.com>), so an independent engine (json-logic-js) can check Homeward's
//! verdicts on complete patients. Named conditions are inlined; fact ids are dotted, so the
//! patient is given to JsonLogic as nested objects (`{"home": {"key_safe_fitted": true}}`).

use homeward::wire::{CmpOp, ConditionDoc, RulesetDoc, TableDoc};
use homeward::Ruleset;
use serde_json::{json, Value};

fn var(id: &str) -> Value {
    json!({ "var": id })
}

fn is_set(doc: &RulesetDoc, id: &str) -> bool {
    doc.facts
        .iter()
        .any(|f| f.id == id && f.kind == homeward::wire::FactKind::Set)
}

fn table_logic(doc: &RulesetDoc, t: &TableDoc, depth: usize) -> Value {
    let mut args = Vec::new();
    for row in &t.rows {
        args.push(condition(doc, &row.when, depth + 1));
        args.push(serde_json::to_value(&row.output).unwrap_or(Value::Null));
    }
    args.push(serde_json::to_value(&t.default).unwrap_or(Value::Null));
    json!({ "if": args })
}

fn compare(subject: Value, op: CmpOp, v: &Value, set: bool) -> Value {
    match (op, set) {
        (CmpOp::Eq, true) | (CmpOp::Ne, true) => {
            let list = v.as_array().cloned().unwrap_or_default();
            let mut parts: Vec<Value> = list
                .iter()
                .map(|o| json!({ "in": [o, subject.clone()] }))
                .collect();
            let len =
                json!({ "reduce": [subject.clone(), { "+": [{ "var": "accumulator" }, 1] }, 0] });
            parts.push(json!({ "===": [len, list.len()] }));
            let eq = json!({ "and": parts });
            if op == CmpOp::Eq {
                eq
            } else {
                json!({ "!": eq })
            }
        }
        (CmpOp::Contains, _) => json!({ "in": [v, subject] }),
        (CmpOp::Eq, false) => json!({ "===": [subject, v] }),
        (CmpOp::Ne, false) => json!({ "!==": [subject, v] }),
        (CmpOp::In, _) => json!({ "in": [subject, v] }),
        (CmpOp::Lt, _) => json!({ "<": [subject, v] }),
        (CmpOp::Lte, _) => json!({ "<=": [subject, v] }),
        (CmpOp::Gt, _) => json!({ ">": [subject, v] }),
        (CmpOp::Gte, _) => json!({ ">=": [subject, v] }),
        // An operator this exporter does not know fails loudly in any JsonLogic engine.
        (other, _) => json!({ "unsupported": other.as_str() }),
    }
}

/// A condition as JsonLogic (classical logic: for complete patients it agrees with Kleene).
#[must_use]
pub fn condition(doc: &RulesetDoc, c: &ConditionDoc, depth: usize) -> Value {
    if depth > 256 {
        return Value::Null;
    }
    let list = |cs: &[ConditionDoc]| -> Vec<Value> {
        cs.iter().map(|c| condition(doc, c, depth + 1)).collect()
    };
    match c {
        ConditionDoc::Const(b) => Value::Bool(*b),
        ConditionDoc::All(cs) if cs.is_empty() => Value::Bool(true),
        ConditionDoc::Any(cs) if cs.is_empty() => Value::Bool(false),
        ConditionDoc::All(cs) => json!({ "and": list(cs) }),
        ConditionDoc::Any(cs) => json!({ "or": list(cs) }),
        ConditionDoc::Not(c) => json!({ "!": condition(doc, c, depth + 1) }),
        ConditionDoc::AtLeast(n, cs) => {
            let counts: Vec<Value> = list(cs)
                .into_iter()
                .map(|c| json!({ "if": [c, 1, 0] }))
                .collect();
            json!({ ">=": [{ "+": counts }, n] })
        }
        ConditionDoc::Fact(id, op, v) => compare(var(id), *op, v, is_set(doc, id)),
        ConditionDoc::Known(id) => json!({ "!==": [var(id), null] }),
        ConditionDoc::Ref(name) => doc
            .conditions
            .get(name)
            .map_or(Value::Null, |n| condition(doc, &n.when, depth + 1)),
        ConditionDoc::Decision(id, op, v) => {
            let t = doc
                .tables
                .iter()
                .find(|t| t.id == *id)
                .map_or(Value::Null, |t| table_logic(doc, t, depth));
            compare(t, *op, v, false)
        }
        other => json!({ "unsupported": other.to_value() }),
    }
}

/// The whole export: requirements (`applies`, `met`), tables, and checklists.
#[must_use]
pub fn export(rs: &Ruleset) -> Value {
    let doc = rs.document();
    let requirements: Vec<Value> = doc
        .requirements
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "kind": r.kind,
                "applies": r.applies_when.as_ref().map_or(Value::Bool(true), |a| condition(doc, a, 0)),
                "met": condition(doc, &r.met_when, 0),
            })
        })
        .collect();
    let tables: Vec<Value> = doc
        .tables
        .iter()
        .map(|t| json!({ "id": t.id, "logic": table_logic(doc, t, 0) }))
        .collect();
    let checklists: Vec<Value> = doc
        .checklists
        .iter()
        .map(|c| json!({ "id": c.id, "requirements": c.requirements, "tables": c.tables }))
        .collect();
    json!({
        "format": "homeward-jsonlogic-1",
        "ruleset": { "id": rs.id(), "version": rs.version(), "hash": rs.hash() },
        "status_rule": "not_applicable if !applies; met if met; else not_met (complete patients only)",
        "requirements": requirements, "tables": tables, "checklists": checklists,
    })
}

fn insert(map: &mut serde_json::Map<String, Value>, path: &[&str], v: &Value) {
    match path {
        [] => {}
        [last] => {
            map.insert((*last).to_string(), v.clone());
        }
        [first, rest @ ..] => {
            let entry = map
                .entry((*first).to_string())
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(serde_json::Map::new());
            }
            if let Value::Object(m) = entry {
                insert(m, rest, v);
            }
        }
    }
}

/// Turns flat facts (`{"a.b": 1}`) into the nested data JsonLogic reads (`{"a": {"b": 1}}`).
#[must_use]
pub fn nest(facts: &Value) -> Value {
    let mut root = serde_json::Map::new();
    if let Some(obj) = facts.as_object() {
        for (k, v) in obj {
            let parts: Vec<&str> = k.split('.').collect();
            insert(&mut root, &parts, v);
        }
    }
    Value::Object(root)
}
