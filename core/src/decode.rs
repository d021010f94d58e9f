//! Decodes a ruleset or overlay JSON document into the wire model, collecting every shape
//! problem (wrong type, missing or unknown field, invalid value) with its JSON path.

use crate::diagnostic::{Code, Diagnostic};
use crate::wire::{
    Attribution, ChecklistAddDoc, ChecklistDoc, Citation, CmpOp, ConditionDoc, DelayCategory,
    FactDoc, FactKind, Kind, NamedCondition, OptionDoc, Origin, OutputDoc, OutputValue,
    OverrideDoc, Owner, Position, RequirementDoc, RowDoc, RowInsertDoc, RulesetDoc, SectionDoc,
    TableDoc, VerdictWords, Word,
};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{Map, Value};

/// The deepest condition nesting accepted; deeper input is rejected, so evaluation can never
/// exhaust the stack.
pub const MAX_DEPTH: usize = 32;

pub use crate::parse::MAX_INPUT_BYTES;

/// Collects diagnostics while decoding one document.
pub(crate) struct Decoder {
    pub diags: Vec<Diagnostic>,
    doc: usize,
}

/// A JSON object being decoded, with its path.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

pub use crate::parse::parse_json;

/// `path.key`, or `path["key"]` when the key is not a plain identifier.
pub(crate) fn key_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        format!("{path}.{key}")
    } else {
        let quoted = serde_json::to_string(key).unwrap_or_default();
        format!("{path}[{quoted}]")
    }
}

/// Whether `id` matches `^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`.
#[must_use]
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('.').all(|part| {
            let mut chars = part.chars();
            matches!(chars.next(), Some('a'..='z'))
                && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        })
}

/// Whether a ruleset id is valid: ids, or kebab-case ids such as `england-national`.
fn is_valid_ruleset_id(id: &str) -> bool {
    !id.is_empty()
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-' | '.' | '+'))
}

/// The JSON type of a value, for messages (`a string`, `an array`, …).
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Decoder {
    pub(crate) fn new(doc: usize) -> Self {
        Decoder {
            diags: Vec::new(),
            doc,
        }
    }

    fn err(&mut self, code: Code, path: &str, msg: String) {
        self.diags.push(Diagnostic::error(code, path, msg));
    }

    fn origin(&self, path: &str) -> Origin {
        Origin {
            doc: self.doc,
            path: path.to_string(),
        }
    }

    fn object<'a>(&mut self, v: &'a Value, path: &str, allowed: &[&str]) -> Option<Obj<'a>> {
        let Value::Object(map) = v else {
            self.err(
                Code::WrongType,
                path,
                format!("expected an object, found {}", json_type(v)),
            );
            return None;
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownField,
                        key_path(path, key),
                        format!("unknown field `{key}`"),
                    )
                    .with_help(format!("expected one of: {}", allowed.join(", "))),
                );
            }
        }
        Some(Obj {
            map,
            path: path.to_string(),
        })
    }

    fn field<'a>(&mut self, o: &Obj<'a>, key: &str, required: bool) -> Option<&'a Value> {
        match o.map.get(key) {
            Some(v) => Some(v),
            None => {
                if required {
                    self.err(
                        Code::MissingField,
                        &o.path,
                        format!("missing field `{key}`"),
                    );
                }
                None
            }
        }
    }

    fn string(&mut self, v: &Value, path: &str) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            other => {
                self.err(
                    Code::WrongType,
                    path,
                    format!("expected a string, found {}", json_type(other)),
                );
                None
            }
        }
    }

    fn str_field(&mut self, o: &Obj<'_>, key: &str, required: bool) -> Option<String> {
        let v = self.field(o, key, required)?;
        self.string(v, &key_path(&o.path, key))
    }

    fn id_field(&mut self, o: &Obj<'_>, key: &str) -> Option<String> {
        let id = self.str_field(o, key, true)?;
        if !is_valid_id(&id) {
            self.err(
                Code::InvalidId,
                &key_path(&o.path, key),
                format!("invalid id `{id}`"),
            );
        }
        Some(id)
    }

    fn int(&mut self, v: &Value, path: &str) -> Option<i64> {
        match v.as_i64() {
            Some(n) => Some(n),
            None => {
                self.err(
                    Code::WrongType,
                    path,
                    format!("expected an integer, found {}", json_type(v)),
                );
                None
            }
        }
    }

    fn bool_field(&mut self, o: &Obj<'_>, key: &str) -> Option<bool> {
        let v = self.field(o, key, false)?;
        match v {
            Value::Bool(b) => Some(*b),
            other => {
                let p = key_path(&o.path, key);
                self.err(
                    Code::WrongType,
                    &p,
                    format!("expected a boolean, found {}", json_type(other)),
                );
                None
            }
        }
    }

    fn array<'a>(&mut self, v: &'a Value, path: &str) -> Option<&'a [Value]> {
        match v {
            Value::Array(a) => Some(a),
            other => {
                self.err(
                    Code::WrongType,
                    path,
                    format!("expected an array, found {}", json_type(other)),
                );
                None
            }
        }
    }

    fn list<T>(
        &mut self,
        o: &Obj<'_>,
        key: &str,
        mut item: impl FnMut(&mut Self, &Value, &str) -> Option<T>,
    ) -> Vec<T> {
        let Some(v) = self.field(o, key, false) else {
            return Vec::new();
        };
        let path = key_path(&o.path, key);
        let Some(items) = self.array(v, &path) else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| item(self, v, &format!("{path}[{i}]")))
            .collect()
    }

    fn id_list(&mut self, o: &Obj<'_>, key: &str) -> Vec<String> {
        self.list(o, key, |d, v, p| d.string(v, p))
    }

    /// Decodes a closed set of snake_case words (kind, owner, …) through serde.
    fn word<T: Word>(&mut self, o: &Obj<'_>, key: &str, required: bool) -> Option<T> {
        let v = self.field(o, key, required)?;
        let path = key_path(&o.path, key);
        let s = self.string(v, &path)?;
        let found = T::from_word(&s);
        if found.is_none() {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    path,
                    format!("invalid value `{s}` for `{key}`"),
                )
                .with_help(format!("expected one of: {}", T::allowed())),
            );
        }
        found
    }

    fn citation(&mut self, v: &Value, path: &str) -> Option<Citation> {
        let o = self.object(v, path, &["source", "note"])?;
        let source = self.str_field(&o, "source", true)?;
        if source.trim().is_empty() {
            self.err(
                Code::InvalidValue,
                &key_path(path, "source"),
                "citation source is empty".into(),
            );
        }
        let note = self.str_field(&o, "note", false);
        Some(Citation { source, note })
    }

    fn citation_field(&mut self, o: &Obj<'_>, required: bool) -> Option<Citation> {
        let v = self.field(o, "citation", required)?;
        self.citation(v, &key_path(&o.path, "citation"))
    }

    /// Decodes a condition; `depth` counts nesting from 1.
    pub(crate) fn condition(
        &mut self,
        v: &Value,
        path: &str,
        depth: usize,
    ) -> Option<ConditionDoc> {
        if depth > MAX_DEPTH {
            self.err(
                Code::NestingTooDeep,
                path,
                format!("condition nested deeper than {MAX_DEPTH} levels"),
            );
            return None;
        }
        let map = match v {
            Value::Bool(b) => return Some(ConditionDoc::Const(*b)),
            Value::Object(map) => map,
            other => {
                self.err(
                    Code::BadCondition,
                    path,
                    format!(
                        "expected a condition object or true/false, found {}",
                        json_type(other)
                    ),
                );
                return None;
            }
        };
        let has = |k: &str| map.contains_key(k);
        if has("fact") || has("decision") {
            return self.comparison(map, path);
        }
        let ops = ["all", "any", "not", "at_least", "known", "ref"];
        let present: Vec<&str> = ops.iter().copied().filter(|k| has(k)).collect();
        let [op] = present.as_slice() else {
            let msg = if present.is_empty() {
                let keys: Vec<&str> = map.keys().map(String::as_str).collect();
                format!("no operator in condition (keys: {})", keys.join(", "))
            } else {
                format!("several operators in one condition: {}", present.join(", "))
            };
            self.err(Code::BadCondition, path, msg);
            return None;
        };
        let op = *op;
        if map.len() > 1 {
            for k in map.keys().filter(|k| k.as_str() != op) {
                self.err(
                    Code::UnknownField,
                    &key_path(path, k),
                    format!("unknown field `{k}` beside `{op}`"),
                );
            }
        }
        let inner = map.get(op)?;
        let ipath = key_path(path, op);
        match op {
            "all" | "any" => {
                let items = self.array(inner, &ipath)?;
                let parts = self.conditions(items, &ipath, depth)?;
                Some(if op == "all" {
                    ConditionDoc::All(parts)
                } else {
                    ConditionDoc::Any(parts)
                })
            }
            "not" => Some(ConditionDoc::Not(Box::new(self.condition(
                inner,
                &ipath,
                depth + 1,
            )?))),
            "at_least" => {
                let o = self.object(inner, &ipath, &["n", "of"])?;
                let n = self
                    .field(&o, "n", true)
                    .and_then(|v| self.int(v, &key_path(&ipath, "n")));
                let of_path = key_path(&ipath, "of");
                let of = self
                    .field(&o, "of", true)
                    .and_then(|v| self.array(v, &of_path));
                let (n, of) = (n?, of?);
                let parts = self.conditions(of, &of_path, depth)?;
                match u32::try_from(n) {
                    Ok(n) if n >= 1 && (n as usize) <= parts.len() => {
                        Some(ConditionDoc::AtLeast(n, parts))
                    }
                    _ => {
                        self.err(
                            Code::AtLeastRange,
                            &key_path(&ipath, "n"),
                            format!("`n` is {n} but there are {} parts", parts.len()),
                        );
                        None
                    }
                }
            }
            "known" => Some(ConditionDoc::Known(self.string(inner, &ipath)?)),
            _ => Some(ConditionDoc::Ref(self.string(inner, &ipath)?)),
        }
    }

    fn conditions(
        &mut self,
        items: &[Value],
        path: &str,
        depth: usize,
    ) -> Option<Vec<ConditionDoc>> {
        let before = self.diags.len();
        let parts: Vec<ConditionDoc> = items
            .iter()
            .enumerate()
            .filter_map(|(i, c)| self.condition(c, &format!("{path}[{i}]"), depth + 1))
            .collect();
        (self.diags.len() == before).then_some(parts)
    }

    fn comparison(&mut self, map: &Map<String, Value>, path: &str) -> Option<ConditionDoc> {
        let subject = if map.contains_key("fact") {
            "fact"
        } else {
            "decision"
        };
        if map.contains_key("fact") && map.contains_key("decision") {
            self.err(
                Code::BadCondition,
                path,
                "a condition has both `fact` and `decision`".into(),
            );
            return None;
        }
        let mut op = None;
        for key in map.keys().filter(|k| k.as_str() != subject) {
            match CmpOp::ALL.iter().find(|o| o.as_str() == key) {
                Some(o) if op.is_none() => op = Some(*o),
                Some(_) => {
                    self.err(
                        Code::BadCondition,
                        path,
                        "several comparison operators in one condition".into(),
                    );
                    return None;
                }
                None => self.err(
                    Code::UnknownField,
                    &key_path(path, key),
                    format!("unknown field `{key}`"),
                ),
            }
        }
        let Some(op) = op else {
            self.diags.push(
                Diagnostic::error(
                    Code::BadCondition,
                    path,
                    format!("`{subject}` without a comparison operator"),
                )
                .with_help("add one of eq, ne, in, lt, lte, gt, gte, contains"),
            );
            return None;
        };
        let id = self.string(map.get(subject)?, &key_path(path, subject))?;
        let operand = map.get(op.as_str())?.clone();
        Some(if subject == "fact" {
            ConditionDoc::Fact(id, op, operand)
        } else {
            ConditionDoc::Decision(id, op, operand)
        })
    }

    fn cond_field(&mut self, o: &Obj<'_>, key: &str, required: bool) -> Option<ConditionDoc> {
        let v = self.field(o, key, required)?;
        self.condition(v, &key_path(&o.path, key), 1)
    }

    fn section(&mut self, v: &Value, path: &str) -> Option<SectionDoc> {
        let o = self.object(v, path, &["id", "title", "description"])?;
        Some(SectionDoc {
            id: self.id_field(&o, "id")?,
            title: self.str_field(&o, "title", true)?,
            description: self.str_field(&o, "description", false),
            origin: self.origin(path),
        })
    }

    fn option(&mut self, v: &Value, path: &str) -> Option<OptionDoc> {
        let o = self.object(v, path, &["id", "label", "help"])?;
        Some(OptionDoc {
            id: self.id_field(&o, "id")?,
            label: self.str_field(&o, "label", true)?,
            help: self.str_field(&o, "help", false),
        })
    }

    fn fact(&mut self, v: &Value, path: &str) -> Option<FactDoc> {
        let allowed = [
            "id",
            "type",
            "question",
            "help",
            "section",
            "options",
            "min",
            "max",
            "unit",
            "asked_when",
        ];
        let o = self.object(v, path, &allowed)?;
        let id = self.id_field(&o, "id");
        let kind: Option<FactKind> = self.word(&o, "type", true);
        let question = self.str_field(&o, "question", true);
        let section = self.str_field(&o, "section", true);
        let help = self.str_field(&o, "help", false);
        let options = self
            .field(&o, "options", false)
            .map(|_| self.list(&o, "options", Self::option));
        let min = self
            .field(&o, "min", false)
            .and_then(|v| self.int(v, &key_path(path, "min")));
        let max = self
            .field(&o, "max", false)
            .and_then(|v| self.int(v, &key_path(path, "max")));
        let unit = self.str_field(&o, "unit", false);
        let asked_when = self.cond_field(&o, "asked_when", false);
        Some(FactDoc {
            id: id?,
            kind: kind?,
            question: question?,
            help,
            section: section?,
            options,
            min,
            max,
            unit,
            asked_when,
            origin: self.origin(path),
        })
    }

    fn requirement(&mut self, v: &Value, path: &str) -> Option<RequirementDoc> {
        let allowed = [
            "id",
            "title",
            "description",
            "kind",
            "owner",
            "attribution",
            "delay_category",
            "primary",
            "applies_when",
            "met_when",
            "action",
            "referral",
            "citation",
        ];
        let o = self.object(v, path, &allowed)?;
        let id = self.id_field(&o, "id");
        let title = self.str_field(&o, "title", true);
        let description = self.str_field(&o, "description", false);
        let kind: Option<Kind> = self.word(&o, "kind", true);
        let owner: Option<Owner> = self.word(&o, "owner", true);
        let attribution: Option<Attribution> = self.word(&o, "attribution", false);
        let delay_category: Option<DelayCategory> = self.word(&o, "delay_category", false);
        let primary = self.bool_field(&o, "primary").unwrap_or(false);
        let applies_when = self.cond_field(&o, "applies_when", false);
        let met_when = self.cond_field(&o, "met_when", true);
        let action = self.str_field(&o, "action", true);
        let referral = self.str_field(&o, "referral", false);
        let citation = self.citation_field(&o, true);
        Some(RequirementDoc {
            id: id?,
            title: title?,
            description,
            kind: kind?,
            owner: owner?,
            attribution,
            delay_category,
            primary,
            applies_when,
            met_when: met_when?,
            action: action?,
            referral,
            citation: citation?,
            origin: self.origin(path),
        })
    }

    fn output_value(&mut self, v: &Value, path: &str) -> Option<OutputValue> {
        match v {
            Value::Bool(b) => Some(OutputValue::Bool(*b)),
            Value::String(s) => Some(OutputValue::Str(s.clone())),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Some(OutputValue::Int(i)),
                None => {
                    self.err(
                        Code::WrongType,
                        path,
                        format!("output `{n}` is not an integer"),
                    );
                    None
                }
            },
            other => {
                self.err(
                    Code::WrongType,
                    path,
                    format!(
                        "expected an integer, string or boolean output, found {}",
                        json_type(other)
                    ),
                );
                None
            }
        }
    }

    fn output(&mut self, v: &Value, path: &str) -> Option<OutputDoc> {
        let o = self.object(v, path, &["value", "label"])?;
        let value = self
            .field(&o, "value", true)
            .and_then(|v| self.output_value(v, &key_path(path, "value")));
        let label = self.str_field(&o, "label", true);
        Some(OutputDoc {
            value: value?,
            label: label?,
        })
    }

    fn row(&mut self, v: &Value, path: &str) -> Option<RowDoc> {
        let o = self.object(v, path, &["when", "output", "note", "citation"])?;
        let when = self.cond_field(&o, "when", true);
        let output = self
            .field(&o, "output", true)
            .and_then(|v| self.output_value(v, &key_path(path, "output")));
        let note = self.str_field(&o, "note", false);
        let citation = self.citation_field(&o, true);
        Some(RowDoc {
            when: when?,
            output: output?,
            note,
            citation: citation?,
            origin: self.origin(path),
        })
    }

    fn table(&mut self, v: &Value, path: &str) -> Option<TableDoc> {
        let allowed = [
            "id",
            "title",
            "description",
            "hit",
            "outputs",
            "rows",
            "default",
            "citation",
        ];
        let o = self.object(v, path, &allowed)?;
        let id = self.id_field(&o, "id");
        let title = self.str_field(&o, "title", true);
        let description = self.str_field(&o, "description", false);
        let hit = self
            .str_field(&o, "hit", false)
            .unwrap_or_else(|| "first".into());
        if hit != "first" {
            self.err(
                Code::InvalidValue,
                &key_path(path, "hit"),
                format!("unsupported hit policy `{hit}`; only `first`"),
            );
        }
        if self.field(&o, "outputs", true).is_none() || self.field(&o, "rows", true).is_none() {
            return None;
        }
        let outputs = self.list(&o, "outputs", Self::output);
        let rows = self.list(&o, "rows", Self::row);
        let default = self
            .field(&o, "default", true)
            .and_then(|v| self.output_value(v, &key_path(path, "default")));
        let citation = self.citation_field(&o, true);
        Some(TableDoc {
            id: id?,
            title: title?,
            description,
            hit,
            outputs,
            rows,
            default: default?,
            citation: citation?,
            origin: self.origin(path),
        })
    }

    fn checklist(&mut self, v: &Value, path: &str) -> Option<ChecklistDoc> {
        let o = self.object(
            v,
            path,
            &[
                "id",
                "title",
                "description",
                "question",
                "verdicts",
                "requirements",
                "tables",
            ],
        )?;
        let id = self.id_field(&o, "id");
        let title = self.str_field(&o, "title", true);
        let description = self.str_field(&o, "description", false);
        let question = self.str_field(&o, "question", false);
        let verdicts = match self.field(&o, "verdicts", false) {
            Some(v) => Some(self.verdict_words(v, &key_path(path, "verdicts"))?),
            None => None,
        };
        self.field(&o, "requirements", true)?;
        let requirements = self.id_list(&o, "requirements");
        let tables = self.id_list(&o, "tables");
        Some(ChecklistDoc {
            id: id?,
            title: title?,
            description,
            question,
            verdicts,
            requirements,
            tables,
            origin: self.origin(path),
        })
    }

    fn verdict_words(&mut self, v: &Value, path: &str) -> Option<VerdictWords> {
        let o = self.object(v, path, &["ready", "not_ready", "undetermined"])?;
        let ready = self.str_field(&o, "ready", true);
        let not_ready = self.str_field(&o, "not_ready", true);
        let undetermined = self.str_field(&o, "undetermined", true);
        Some(VerdictWords {
            ready: ready?,
            not_ready: not_ready?,
            undetermined: undetermined?,
        })
    }

    fn override_doc(&mut self, v: &Value, path: &str) -> Option<OverrideDoc> {
        let allowed = [
            "requirement",
            "action",
            "owner",
            "referral",
            "attribution",
            "citation",
        ];
        let o = self.object(v, path, &allowed)?;
        let requirement = self.str_field(&o, "requirement", true);
        let action = self.str_field(&o, "action", false);
        let owner: Option<Owner> = self.word(&o, "owner", false);
        let referral = self.str_field(&o, "referral", false);
        let attribution: Option<Attribution> = self.word(&o, "attribution", false);
        let citation = self.citation_field(&o, false);
        Some(OverrideDoc {
            requirement: requirement?,
            action,
            owner,
            referral,
            attribution,
            citation,
            origin: self.origin(path),
        })
    }

    fn row_insert(&mut self, v: &Value, path: &str) -> Option<RowInsertDoc> {
        let o = self.object(v, path, &["table", "position", "rows"])?;
        let table = self.str_field(&o, "table", true);
        let position: Option<Position> = self.word(&o, "position", true);
        self.field(&o, "rows", true)?;
        let rows = self.list(&o, "rows", Self::row);
        Some(RowInsertDoc {
            table: table?,
            position: position?,
            rows,
            origin: self.origin(path),
        })
    }

    fn checklist_add(&mut self, v: &Value, path: &str) -> Option<ChecklistAddDoc> {
        let o = self.object(v, path, &["checklist", "requirements", "tables"])?;
        let checklist = self.str_field(&o, "checklist", true);
        let requirements = self.id_list(&o, "requirements");
        let tables = self.id_list(&o, "tables");
        Some(ChecklistAddDoc {
            checklist: checklist?,
            requirements,
            tables,
            origin: self.origin(path),
        })
    }

    fn named_conditions(
        &mut self,
        o: &Obj<'_>,
    ) -> alloc::collections::BTreeMap<String, NamedCondition> {
        let mut out = alloc::collections::BTreeMap::new();
        let Some(v) = self.field(o, "conditions", false) else {
            return out;
        };
        let Some(c) = self.object(v, "$.conditions", &[]).map(|c| c.map) else {
            return out;
        };
        // `object` flagged every key as unknown; drop those, named conditions are free-form.
        self.diags
            .retain(|d| !(d.code == Code::UnknownField && d.path.starts_with("$.conditions")));
        for (name, cv) in c {
            let path = key_path("$.conditions", name);
            if !is_valid_id(name) {
                self.err(
                    Code::InvalidId,
                    &path,
                    format!("invalid condition name `{name}`"),
                );
            }
            if let Some(when) = self.condition(cv, &path, 1) {
                out.insert(
                    name.clone(),
                    NamedCondition {
                        when,
                        origin: self.origin(&path),
                    },
                );
            }
        }
        out
    }

    /// Decodes a whole document. Returns the document (possibly partial) and whether it is
    /// complete; diagnostics are in `self.diags`.
    pub(crate) fn document(&mut self, v: &Value) -> Option<RulesetDoc> {
        let allowed = [
            "format",
            "id",
            "version",
            "title",
            "description",
            "effective_date",
            "extends",
            "sections",
            "facts",
            "conditions",
            "requirements",
            "tables",
            "checklists",
            "overrides",
            "table_rows",
            "checklist_items",
        ];
        let o = self.object(v, "$", &allowed)?;
        let format = self
            .field(&o, "format", false)
            .and_then(|v| self.int(v, "$.format"));
        if let Some(f) = format {
            if f != 1 {
                self.err(
                    Code::UnsupportedFormat,
                    "$.format",
                    format!("format {f} is not supported; this engine reads format 1"),
                );
            }
        }
        let id = self.str_field(&o, "id", true);
        if let Some(id) = &id {
            if !is_valid_ruleset_id(id) {
                self.err(
                    Code::InvalidId,
                    "$.id",
                    format!("invalid ruleset id `{id}`"),
                );
            }
        }
        let version = self.str_field(&o, "version", true);
        let title = self.str_field(&o, "title", true);
        let doc = RulesetDoc {
            format: format.and_then(|f| u32::try_from(f).ok()),
            id: id.unwrap_or_default(),
            version: version.unwrap_or_default(),
            title: title.unwrap_or_default(),
            description: self.str_field(&o, "description", false),
            effective_date: self.str_field(&o, "effective_date", false),
            extends: self.str_field(&o, "extends", false),
            sections: self.list(&o, "sections", Self::section),
            facts: self.list(&o, "facts", Self::fact),
            conditions: self.named_conditions(&o),
            requirements: self.list(&o, "requirements", Self::requirement),
            tables: self.list(&o, "tables", Self::table),
            checklists: self.list(&o, "checklists", Self::checklist),
            overrides: self.list(&o, "overrides", Self::override_doc),
            table_rows: self.list(&o, "table_rows", Self::row_insert),
            checklist_items: self.list(&o, "checklist_items", Self::checklist_add),
        };
        if let Some(date) = &doc.effective_date {
            if !is_date(date) {
                self.err(
                    Code::InvalidValue,
                    "$.effective_date",
                    format!("`{date}` is not a YYYY-MM-DD date"),
                );
            }
        }
        Some(doc)
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// Decodes a document's JSON text. `doc` is its position (0 = base, 1.. = overlays).
pub(crate) fn decode_document(text: &str, doc: usize) -> (Option<RulesetDoc>, Vec<Diagnostic>) {
    let value = match parse_json(text) {
        Ok(v) => v,
        Err(d) => return (None, alloc::vec![d]),
    };
    let mut dec = Decoder::new(doc);
    let out = dec.document(&value);
    (out, dec.diags)
}
