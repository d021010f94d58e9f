//! FHIR R4 (SDC) interchange: the fact schema as a `Questionnaire`, and a
//! `QuestionnaireResponse` read back as facts. `enableWhen` is produced from `asked_when` where
//! FHIR can express it (a comparison, or an `all`/`any` of comparisons, on bool, enum or int
//! facts); other gates are kept only as the engine's `hidden_facts`.

use homeward::wire::{CmpOp, ConditionDoc, FactDoc, FactKind, RulesetDoc};
use homeward::Ruleset;
use serde_json::{json, Map, Value};

/// The code system used for option codes: one per fact.
fn system(doc: &RulesetDoc, fact: &str) -> String {
    super::fhir::option_system(doc, fact)
}

fn answer_for(doc: &RulesetDoc, fact: &FactDoc, v: &Value) -> Option<(&'static str, Value)> {
    match (fact.kind, v) {
        (FactKind::Bool, Value::Bool(b)) => Some(("answerBoolean", json!(b))),
        (FactKind::Int, Value::Number(n)) => Some(("answerInteger", json!(n))),
        (FactKind::Enum, Value::String(s)) => {
            let label = fact
                .options
                .as_ref()?
                .iter()
                .find(|o| o.id == *s)?
                .label
                .clone();
            Some((
                "answerCoding",
                json!({ "system": system(doc, &fact.id), "code": s, "display": label }),
            ))
        }
        _ => None,
    }
}

fn enable_when(doc: &RulesetDoc, c: &ConditionDoc) -> Option<(Vec<Value>, &'static str)> {
    let one = |c: &ConditionDoc| -> Option<Value> {
        let ConditionDoc::Fact(id, op, v) = c else {
            return None;
        };
        let fact = doc.facts.iter().find(|f| f.id == *id)?;
        let operator = match op {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Lte => "<=",
            CmpOp::Gt => ">",
            CmpOp::Gte => ">=",
            CmpOp::In | CmpOp::Contains => return None,
        };
        let (key, answer) = answer_for(doc, fact, v)?;
        let mut m = Map::new();
        m.insert("question".into(), json!(id));
        m.insert("operator".into(), json!(operator));
        m.insert(key.into(), answer);
        Some(Value::Object(m))
    };
    match c {
        ConditionDoc::All(cs) => Some((cs.iter().map(one).collect::<Option<Vec<_>>>()?, "all")),
        ConditionDoc::Any(cs) => Some((cs.iter().map(one).collect::<Option<Vec<_>>>()?, "any")),
        other => Some((vec![one(other)?], "all")),
    }
}

fn item(doc: &RulesetDoc, f: &FactDoc) -> Value {
    let mut m = Map::new();
    m.insert("linkId".into(), json!(f.id));
    m.insert("text".into(), json!(f.question));
    let kind = match f.kind {
        FactKind::Bool => "boolean",
        FactKind::Int => "integer",
        FactKind::Enum | FactKind::Set => "choice",
    };
    m.insert("type".into(), json!(kind));
    if f.kind == FactKind::Set {
        m.insert("repeats".into(), json!(true));
    }
    if let Some(opts) = &f.options {
        let mut options: Vec<Value> = opts
            .iter()
            .map(|o| json!({ "valueCoding": { "system": system(doc, &f.id), "code": o.id, "display": o.label } }))
            .collect();
        if f.kind == FactKind::Set {
            options.push(json!({
                "valueCoding": { "system": system(doc, &f.id), "code": super::fhir::NONE_CODE, "display": "None of these" },
                "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive", "valueBoolean": true }]
            }));
        }
        m.insert("answerOption".into(), json!(options));
    }
    let mut ext = Vec::new();
    if let Some(min) = f.min {
        ext.push(json!({ "url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": min }));
    }
    if let Some(max) = f.max {
        ext.push(json!({ "url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": max }));
    }
    if let Some(unit) = &f.unit {
        ext.push(json!({ "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit",
                         "valueCoding": { "system": "http://unitsofmeasure.org", "code": unit, "display": unit } }));
    }
    if !ext.is_empty() {
        m.insert("extension".into(), json!(ext));
    }
    if let Some((ew, behavior)) = f.asked_when.as_ref().and_then(|c| enable_when(doc, c)) {
        if ew.len() > 1 {
            m.insert("enableBehavior".into(), json!(behavior));
        }
        m.insert("enableWhen".into(), json!(ew));
    }
    if let Some(help) = &f.help {
        m.insert(
            "item".into(),
            json!([{ "linkId": format!("{}.help", f.id), "text": help, "type": "display",
                     "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl",
                                    "valueCodeableConcept": { "coding": [{ "system": "http://hl7.org/fhir/questionnaire-item-control", "code": "help" }] } }] }]),
        );
    }
    Value::Object(m)
}

/// The fact schema as a FHIR R4 Questionnaire: one group per section, one item per fact.
#[must_use]
pub fn questionnaire(rs: &Ruleset) -> Value {
    let doc = rs.document();
    let groups: Vec<Value> = doc
        .sections
        .iter()
        .map(|s| {
            let items: Vec<Value> = doc.facts.iter().filter(|f| f.section == s.id).map(|f| item(doc, f)).collect();
            json!({ "linkId": format!("section.{}", s.id), "text": s.title, "type": "group", "item": items })
        })
        .filter(|g| g["item"].as_array().is_some_and(|a| !a.is_empty()))
        .collect();
    json!({
        "resourceType": "Questionnaire",
        "id": doc.id.replace(['+', '.', '_'], "-"),
        "meta": { "profile": ["http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire"] },
        "url": super::fhir::questionnaire_url(doc),
        "version": doc.version,
        "name": doc.id.replace(['+', '.', '-'], "_"),
        "title": doc.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": format!("Generated by Homeward from ruleset `{}` ({}); unanswered items are unknown, never false.", doc.id, rs.hash()),
        "item": groups,
    })
}
