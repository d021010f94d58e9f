//! The fact schema as a FHIR R4 (SDC) Questionnaire: one group per section, one item per fact,
//! each with a stable `code`; "None of these" as an exclusive option on every multiple-choice
//! item; UCUM units; and every `asked_when` gate, as R4 `enableWhen` where R4 can say it and as
//! an SDC `enableWhenExpression` (FHIRPath) where it cannot. A question is shown unless its gate
//! is known to be false, as in the checklist: an unanswered gate never hides a question.

use super::fhirpath::Compiler;
use super::{item_system, option_system, questionnaire_url, NONE_CODE};
use homeward::wire::{CmpOp, ConditionDoc, FactDoc, FactKind, RulesetDoc};
use homeward::Ruleset;
use serde_json::{json, Map, Value};

const EXCLUSIVE: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive";
const ENABLE_WHEN_EXPRESSION: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression";
const VARIABLE: &str = "http://hl7.org/fhir/StructureDefinition/variable";

/// How one `asked_when` gate was exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateForm {
    /// As R4 `enableWhen` (any FHIR R4 form filler applies it).
    EnableWhen,
    /// As an SDC `enableWhenExpression` only: R4 `enableWhen` cannot express it, so a filler
    /// without SDC expressions shows the question always.
    Expression,
    /// Not exported (the reason): the filler shows the question always.
    NotExpressed(String),
}

/// One fact's `asked_when` gate and how it was exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// The fact whose question is gated.
    pub fact: String,
    /// The gate as written in the ruleset.
    pub condition: Value,
    /// How it was exported.
    pub form: GateForm,
}

/// An exported Questionnaire and how each gate was exported.
#[derive(Debug, Clone)]
pub struct Export {
    /// The FHIR R4 Questionnaire.
    pub questionnaire: Value,
    /// Every gated fact, in schema order.
    pub gates: Vec<Gate>,
}

impl Export {
    /// The gates as data, for a JSON message mode: `[{"fact", "asked_when", "exported_as":
    /// "enableWhen" | "enableWhenExpression" | "not_exported", "reason"?}]`, in schema order.
    #[must_use]
    pub fn gates_json(&self) -> Value {
        let list: Vec<Value> = self
            .gates
            .iter()
            .map(|g| {
                let mut m = Map::new();
                m.insert("fact".into(), json!(g.fact));
                m.insert("asked_when".into(), g.condition.clone());
                let (how, reason) = match &g.form {
                    GateForm::EnableWhen => ("enableWhen", None),
                    GateForm::Expression => ("enableWhenExpression", None),
                    GateForm::NotExpressed(why) => ("not_exported", Some(why)),
                };
                m.insert("exported_as".into(), json!(how));
                if let Some(why) = reason {
                    m.insert("reason".into(), json!(why));
                }
                Value::Object(m)
            })
            .collect();
        Value::Array(list)
    }

    /// Lines for people about gates a plain R4 form filler will not apply: those exported only
    /// as SDC expressions, and any not exported at all. Empty when every gate is R4 `enableWhen`.
    #[must_use]
    pub fn notes(&self) -> Vec<String> {
        let total = self.gates.len();
        let sdc: Vec<&str> = self
            .gates
            .iter()
            .filter(|g| g.form == GateForm::Expression)
            .map(|g| g.fact.as_str())
            .collect();
        let mut out = Vec::new();
        if !sdc.is_empty() {
            out.push(format!(
                "note: {} of {total} asked_when gates are exported as SDC enableWhenExpression (FHIRPath) because R4 enableWhen cannot express them; a form filler without SDC expressions shows these questions always: {}",
                sdc.len(),
                sdc.join(", ")
            ));
        }
        for g in &self.gates {
            if let GateForm::NotExpressed(why) = &g.form {
                out.push(format!(
                    "warning: the asked_when gate of `{}` ({}) is not exported ({why}); form fillers show this question always",
                    g.fact, g.condition
                ));
            }
        }
        out
    }
}

/// The fact schema as a FHIR R4 Questionnaire; see [`export`] for how gates were exported.
#[must_use]
pub fn questionnaire(rs: &Ruleset) -> Value {
    export(rs).questionnaire
}

/// The fact schema as a FHIR R4 (SDC) Questionnaire, with a list of how every `asked_when` gate
/// was exported. Deterministic: the same ruleset always gives the same bytes.
#[must_use]
pub fn export(rs: &Ruleset) -> Export {
    let doc = rs.document();
    let mut compiler = Compiler::new(doc);
    let mut gates = Vec::new();
    let groups: Vec<Value> = doc
        .sections
        .iter()
        .filter_map(|s| {
            let items: Vec<Value> = doc
                .facts
                .iter()
                .filter(|f| f.section == s.id)
                .map(|f| item(doc, f, &mut compiler, &mut gates))
                .collect();
            let link = format!("section.{}", s.id);
            (!items.is_empty()).then(|| {
                json!({ "linkId": link, "code": [code(&link, &s.title)], "text": s.title, "type": "group", "item": items })
            })
        })
        .collect();
    let mut q = json!({
        "resourceType": "Questionnaire",
        "id": fhir_id(&doc.id),
        "meta": { "profile": ["http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire"] },
        "url": questionnaire_url(doc),
        "version": doc.version,
        "name": name(&doc.id),
        "title": doc.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": format!("Generated by Homeward from ruleset `{}` ({}); unanswered items are unknown, never false. A question is shown unless its gate is known to be false.", doc.id, rs.hash()),
        "item": groups,
    });
    let vars: Vec<Value> = compiler
        .vars
        .iter()
        .map(|(name, e)| json!({ "url": VARIABLE, "valueExpression": { "name": name, "language": "text/fhirpath", "expression": e } }))
        .collect();
    if let (false, Some(obj)) = (vars.is_empty(), q.as_object_mut()) {
        obj.insert("extension".into(), Value::Array(vars));
    }
    Export {
        questionnaire: q,
        gates,
    }
}

/// A FHIR resource id from a ruleset id (`england-national+norfolk` → `england-national-norfolk`).
pub(crate) fn fhir_id(id: &str) -> String {
    id.replace(['+', '.', '_'], "-")
}

/// A computer-friendly name matching `[A-Z][A-Za-z0-9_]*` (`england-national` → `EnglandNational`).
fn name(id: &str) -> String {
    let camel: String = id
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect();
    if camel.starts_with(|c: char| c.is_ascii_uppercase()) {
        camel
    } else {
        format!("Q{camel}")
    }
}

/// An SDC item control: `help` for help text, and every option on screen (`radio-button`,
/// `check-box`, where "None of these" is one tap) for choices.
fn item_control(code: &str) -> Value {
    json!({ "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl",
            "valueCodeableConcept": { "coding": [{ "system": "http://hl7.org/fhir/questionnaire-item-control", "code": code }] } })
}

fn code(link: &str, display: &str) -> Value {
    json!({ "system": item_system(), "code": link, "display": display })
}

fn coding(fact: &str, code: &str, display: &str) -> Value {
    json!({ "system": option_system(fact), "code": code, "display": display })
}

/// A unit as UCUM: the code and a display for people. Free-text units become UCUM annotations.
fn ucum(unit: &str) -> (String, String) {
    let code = match unit {
        "points" | "point" | "score" => "{score}".to_string(),
        "day" | "days" => "d".into(),
        "week" | "weeks" => "wk".into(),
        "hour" | "hours" => "h".into(),
        "minute" | "minutes" => "min".into(),
        "month" | "months" => "mo".into(),
        "year" | "years" => "a".into(),
        "kg" | "cm" | "m" | "mm[Hg]" | "%" | "/min" => unit.into(),
        other => {
            let clean: String = other
                .chars()
                .filter(|c| c.is_ascii_graphic() && !matches!(c, '{' | '}'))
                .collect();
            format!("{{{clean}}}")
        }
    };
    (code, unit.to_string())
}

fn item(
    doc: &RulesetDoc,
    f: &FactDoc,
    compiler: &mut Compiler<'_>,
    gates: &mut Vec<Gate>,
) -> Value {
    let mut m = Map::new();
    m.insert("linkId".into(), json!(f.id));
    m.insert("code".into(), json!([code(&f.id, &f.question)]));
    m.insert("text".into(), json!(f.question));
    let kind = match f.kind {
        FactKind::Bool => "boolean",
        FactKind::Int => "integer",
        FactKind::Enum | FactKind::Set => "choice",
        FactKind::Date => "date",
        _ => "string",
    };
    m.insert("type".into(), json!(kind));
    if f.kind == FactKind::Set {
        m.insert("repeats".into(), json!(true));
    }
    if let Some(opts) = &f.options {
        let mut options: Vec<Value> = opts
            .iter()
            .map(|o| json!({ "valueCoding": coding(&f.id, &o.id, &o.label) }))
            .collect();
        if f.kind == FactKind::Set {
            options.push(json!({
                "valueCoding": coding(&f.id, NONE_CODE, "None of these"),
                "extension": [{ "url": EXCLUSIVE, "valueBoolean": true }]
            }));
        }
        m.insert("answerOption".into(), json!(options));
    }
    let mut ext = Vec::new();
    let control = match f.kind {
        FactKind::Enum => Some("radio-button"),
        FactKind::Set => Some("check-box"),
        _ => None,
    };
    if let Some(control) = control {
        ext.push(item_control(control));
    }
    if let Some(min) = f.min {
        ext.push(json!({ "url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": min }));
    }
    if let Some(max) = f.max {
        ext.push(json!({ "url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": max }));
    }
    if let Some(unit) = &f.unit {
        let (code, display) = ucum(unit);
        ext.push(json!({ "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit",
                         "valueCoding": { "system": "http://unitsofmeasure.org", "code": code, "display": display } }));
    }
    if let Some(gate) = &f.asked_when {
        let form = if let Some(ew) = enable_when(doc, gate) {
            if ew.len() > 1 {
                m.insert("enableBehavior".into(), json!("any"));
            }
            m.insert("enableWhen".into(), json!(ew));
            GateForm::EnableWhen
        } else {
            match compiler.cond(gate) {
                Ok(e) => {
                    // Shown unless the gate is known to be false.
                    let shown = format!("iif(({e}).not(), false, true)");
                    ext.push(json!({ "url": ENABLE_WHEN_EXPRESSION,
                                     "valueExpression": { "language": "text/fhirpath", "expression": shown } }));
                    GateForm::Expression
                }
                Err(why) => GateForm::NotExpressed(why),
            }
        };
        gates.push(Gate {
            fact: f.id.clone(),
            condition: gate.to_value().into(),
            form,
        });
    }
    if !ext.is_empty() {
        m.insert("extension".into(), json!(ext));
    }
    if let Some(help) = &f.help {
        let link = format!("{}.help", f.id);
        m.insert(
            "item".into(),
            json!([{ "linkId": link, "code": [code(&link, help)], "text": help, "type": "display",
                     "extension": [item_control("help")] }]),
        );
    }
    Value::Object(m)
}

/// The gate as R4 `enableWhen` entries, all joined by `enableBehavior: any`, when R4 can say
/// "the gate is true or not known" with them: one comparison, or an `any` of comparisons. Each
/// comparison is followed by `exists: false` on its question, so an unanswered gate shows the
/// question.
fn enable_when(doc: &RulesetDoc, c: &ConditionDoc) -> Option<Vec<Value>> {
    let mut out: Vec<Value> = Vec::new();
    let parts: Vec<&ConditionDoc> = match c {
        ConditionDoc::Any(cs) if !cs.is_empty() => cs.iter().collect(),
        ConditionDoc::All(cs) if cs.len() == 1 => cs.iter().collect(),
        ConditionDoc::Fact(..) | ConditionDoc::Known(_) => vec![c],
        _ => return None,
    };
    for part in parts {
        for e in disjuncts(doc, part)? {
            if !out.contains(&e) {
                out.push(e);
            }
        }
    }
    Some(out)
}

fn entry(question: &str, operator: &str, key: &str, answer: Value) -> Value {
    let mut m = Map::new();
    m.insert("question".into(), json!(question));
    m.insert("operator".into(), json!(operator));
    m.insert(key.into(), answer);
    Value::Object(m)
}

/// `enableWhen` entries whose `any` is "the comparison is true, or its fact is not known".
fn disjuncts(doc: &RulesetDoc, c: &ConditionDoc) -> Option<Vec<Value>> {
    if let ConditionDoc::Known(id) = c {
        return Some(vec![entry(id, "exists", "answerBoolean", json!(true))]);
    }
    let ConditionDoc::Fact(id, op, v) = c else {
        return None;
    };
    let fact = doc.facts.iter().find(|f| f.id == *id)?;
    let unknown = entry(id, "exists", "answerBoolean", json!(false));
    let code = |o: &str| -> Option<Value> {
        let opt = fact.options.as_ref()?.iter().find(|x| x.id == o)?;
        Some(coding(id, &opt.id, &opt.label))
    };
    let v = &Value::from(v);
    let mut out = match (fact.kind, op, v) {
        (FactKind::Bool, CmpOp::Eq | CmpOp::Ne, Value::Bool(b)) => {
            vec![entry(
                id,
                "=",
                "answerBoolean",
                json!(*b == (*op == CmpOp::Eq)),
            )]
        }
        (FactKind::Enum, CmpOp::Eq, Value::String(o)) => {
            vec![entry(id, "=", "answerCoding", code(o)?)]
        }
        (FactKind::Enum, CmpOp::Ne, Value::String(o)) => {
            vec![entry(id, "!=", "answerCoding", code(o)?)]
        }
        (FactKind::Enum, CmpOp::In, Value::Array(list)) if !list.is_empty() => list
            .iter()
            .map(|o| Some(entry(id, "=", "answerCoding", code(o.as_str()?)?)))
            .collect::<Option<Vec<_>>>()?,
        (FactKind::Set, CmpOp::Contains, Value::String(o)) => {
            vec![entry(id, "=", "answerCoding", code(o)?)]
        }
        (FactKind::Set, CmpOp::Eq, Value::Array(list)) if list.is_empty() => {
            vec![entry(
                id,
                "=",
                "answerCoding",
                coding(id, NONE_CODE, "None of these"),
            )]
        }
        (FactKind::Int, CmpOp::In, Value::Array(list)) if !list.is_empty() => list
            .iter()
            .map(|n| Some(entry(id, "=", "answerInteger", json!(n.as_i64()?))))
            .collect::<Option<Vec<_>>>()?,
        (FactKind::Int, _, Value::Number(n)) => {
            let sym = match op {
                CmpOp::Eq => "=",
                CmpOp::Ne => "!=",
                CmpOp::Lt => "<",
                CmpOp::Lte => "<=",
                CmpOp::Gt => ">",
                CmpOp::Gte => ">=",
                _ => return None,
            };
            vec![entry(id, sym, "answerInteger", json!(n.as_i64()?))]
        }
        // Date gates are never R4 `enableWhen` (`answerDate`): LHC-Forms 40.1.3 hid questions
        // the engine asks with `answerDate` comparisons (`tests/fhir/lhc-forms.mjs`, gate
        // forms), so every date gate is an SDC expression (`@2026-12-01`, `today()`), which it
        // evaluates as the engine does. A filler without SDC expressions shows the question.
        _ => return None,
    };
    out.push(unknown);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_national_gate_is_exported_and_listed_as_data() {
        let rs = Ruleset::from_json(homeward::bundled::NATIONAL_JSON).unwrap();
        let e = export(&rs);
        let gates = e.gates_json();
        let list = gates.as_array().unwrap();
        let gated: Vec<&str> = rs
            .document()
            .facts
            .iter()
            .filter(|f| f.asked_when.is_some())
            .map(|f| f.id.as_str())
            .collect();
        assert!(gated.len() >= 37, "{} gated questions", gated.len());
        assert_eq!(list.len(), gated.len());
        let by = |how: &str| list.iter().filter(|g| g["exported_as"] == how).count();
        assert_eq!(by("not_exported"), 0);
        assert_eq!(by("enableWhen") + by("enableWhenExpression"), gated.len());
        assert!(by("enableWhen") >= 32 && by("enableWhenExpression") >= 5);
        for (g, id) in list.iter().zip(&gated) {
            assert_eq!(g["fact"], *id);
        }
        // One note lists the gates written as SDC expressions rather than plain enableWhen.
        assert_eq!(e.notes().len(), 1);
    }

    #[test]
    fn names_and_units_follow_fhir_rules() {
        assert_eq!(name("england-national+norfolk"), "EnglandNationalNorfolk");
        assert_eq!(name("9lives"), "Q9lives");
        assert_eq!(
            ucum("points"),
            ("{score}".to_string(), "points".to_string())
        );
        assert_eq!(ucum("steps").0, "{steps}");
        assert_eq!(ucum("days").0, "d");
        assert_eq!(ucum("{odd} unit").0, "{oddunit}");
    }
}
