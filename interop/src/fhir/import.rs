//! A FHIR R4 `QuestionnaireResponse` (or a searchset `Bundle` of them) read as facts, strictly:
//! every answer maps exactly to a fact value, or the import fails with a diagnostic located by
//! a JSON path into the resource. Nothing is dropped, defaulted or guessed.

use super::{instant, option_system, questionnaire_url, NONE_CODE};
use homeward::wire::{FactDoc, FactKind, RulesetDoc};
use homeward::{Code, Diagnostic, Diagnostics, Facts, Ruleset};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A response read as facts.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The facts, validated against the ruleset.
    pub facts: Facts,
    /// The same facts as a JSON object (fact id to value, in id order), as `eval --facts` reads.
    pub object: Map<String, Value>,
    /// The JSON path of the response that was read: `$`, or `$.entry[N].resource` in a Bundle.
    pub response: String,
}

/// Response statuses whose answers are read. `in-progress` (answers still expected to change),
/// `stopped` (abandoned) and `entered-in-error` (never valid) are refused.
const READABLE_STATUS: [&str; 2] = ["completed", "amended"];

const RESPONSE_KEYS: [&str; 20] = [
    "resourceType",
    "id",
    "meta",
    "implicitRules",
    "language",
    "text",
    "contained",
    "extension",
    "modifierExtension",
    "identifier",
    "basedOn",
    "partOf",
    "questionnaire",
    "status",
    "subject",
    "encounter",
    "authored",
    "author",
    "source",
    "item",
];
const ITEM_KEYS: [&str; 8] = [
    "id",
    "extension",
    "modifierExtension",
    "linkId",
    "definition",
    "text",
    "answer",
    "item",
];
const ANSWER_KEYS: [&str; 4] = ["id", "extension", "modifierExtension", "item"];
const VALUE_KEYS: [&str; 12] = [
    "valueBoolean",
    "valueDecimal",
    "valueInteger",
    "valueDate",
    "valueDateTime",
    "valueTime",
    "valueString",
    "valueUri",
    "valueAttachment",
    "valueCoding",
    "valueQuantity",
    "valueReference",
];
const CODING_KEYS: [&str; 7] = [
    "id",
    "extension",
    "system",
    "version",
    "code",
    "display",
    "userSelected",
];
const BUNDLE_KEYS: [&str; 12] = [
    "resourceType",
    "id",
    "meta",
    "implicitRules",
    "language",
    "identifier",
    "type",
    "timestamp",
    "total",
    "link",
    "entry",
    "signature",
];
const ENTRY_KEYS: [&str; 8] = [
    "id",
    "extension",
    "modifierExtension",
    "link",
    "fullUrl",
    "resource",
    "search",
    "request",
];

/// Parses `text` (through the engine's JSON reader, with its size limit) and reads it with
/// [`facts_from_resource`].
///
/// # Errors
/// `JSON_SYNTAX` or `TOO_LARGE` at `$`, or any error of [`facts_from_resource`].
pub fn facts_from_text(rs: &Ruleset, text: &str) -> Result<Imported, Vec<Diagnostic>> {
    let value = homeward::parse_json(text).map_err(|d| vec![d])?;
    facts_from_resource(rs, &value.into())
}

/// Reads a FHIR R4 `QuestionnaireResponse` for the ruleset's exported Questionnaire, or a
/// searchset `Bundle` holding such responses (then the newest `completed` or `amended` response
/// for this Questionnaire, by `authored`), as facts.
///
/// Accepted: `status` `completed` or `amended`; `questionnaire` absent or this ruleset's
/// Questionnaire URL (with `|version`, this ruleset's version); each answered item's value of
/// the item's type (`valueBoolean`, `valueInteger`, `valueCoding` with a `code` from the item's
/// options and, when given, the item's `system`); one answer on a single-answer item; for a
/// `set` item, the options chosen, or the exclusive "None of these" option alone for `[]`. An
/// item without `answer` is unknown.
///
/// # Errors
/// Every problem found, each located by a JSON path into the resource: `INVALID_RESOURCE` (not
/// a QuestionnaireResponse or Bundle, a refused status, another Questionnaire or version, an
/// empty `answer` array, several answers on a single-answer item, "None of these" with other
/// options, a foreign code system, a question nested under an answer, a modifier extension,
/// no response to read in a Bundle), `WRONG_TYPE` (a value type that does not fit the item),
/// `MISSING_FIELD` (no `linkId`, a coding without `code`), `UNKNOWN_FIELD`, `DUPLICATE_ID` (a
/// repeated `linkId`), `UNKNOWN_FACT` (an item the Questionnaire does not have),
/// `UNKNOWN_OPTION`, `DUPLICATE_OPTION`, `OUT_OF_RANGE`.
pub fn facts_from_resource(rs: &Ruleset, resource: &Value) -> Result<Imported, Vec<Diagnostic>> {
    let Some(obj) = resource.as_object() else {
        return Err(vec![invalid(
            "$",
            format!(
                "expected a FHIR QuestionnaireResponse or Bundle object, found {}",
                kind_of(resource)
            ),
        )]);
    };
    match obj.get("resourceType").and_then(Value::as_str) {
        Some("QuestionnaireResponse") => read_response(rs, obj, "$"),
        Some("Bundle") => read_bundle(rs, obj),
        Some(other) => Err(vec![invalid(
            "$.resourceType",
            format!("`{other}` is not a QuestionnaireResponse or a searchset Bundle"),
        )]),
        None => Err(vec![invalid(
            "$.resourceType",
            "no `resourceType`: expected a FHIR QuestionnaireResponse or Bundle",
        )]),
    }
}

fn invalid(path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidResource, path, message)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(path: &str, what: &str, found: &Value) -> Diagnostic {
    Diagnostic::error(
        Code::WrongType,
        path,
        format!("`{}` must be {what}, found {}", last(path), kind_of(found)),
    )
}

/// The last segment of a path, for messages.
fn last(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Unknown keys (`UNKNOWN_FIELD`) and modifier extensions (`INVALID_RESOURCE`: their meaning
/// cannot be ignored) in one element. A `_name` key (a primitive's extensions) is accepted
/// when `name` is.
fn check_keys(obj: &Map<String, Value>, path: &str, known: &[&str], diags: &mut Vec<Diagnostic>) {
    for key in obj.keys() {
        let base = key.strip_prefix('_').unwrap_or(key);
        if key == "modifierExtension" {
            diags.push(
                invalid(
                    format!("{path}.modifierExtension"),
                    "a modifier extension changes the meaning of the element; the importer cannot read it",
                )
                .with_help("remove the modifier extension or record the answer without it"),
            );
        } else if key == "implicitRules" {
            diags.push(invalid(
                format!("{path}.implicitRules"),
                "`implicitRules` may change the meaning of the resource; the importer cannot read it",
            ));
        } else if !known.contains(&base) {
            diags.push(
                Diagnostic::error(
                    Code::UnknownField,
                    homeward_path(path, key),
                    format!("`{key}` is not an element here in FHIR R4"),
                )
                .with_help(
                    "remove the element or correct its spelling; unknown elements are rejected",
                ),
            );
        }
    }
}

fn homeward_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", serde_json::to_string(key).unwrap_or_default())
    }
}

/// Checks `status` and `questionnaire` of a response.
fn check_header(
    doc: &RulesetDoc,
    obj: &Map<String, Value>,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) {
    match obj.get("status") {
        None => diags.push(
            Diagnostic::error(
                Code::MissingField,
                format!("{path}.status"),
                "a QuestionnaireResponse needs `status`",
            )
            .with_help("set `status` to `completed` (or `amended`)"),
        ),
        Some(Value::String(s)) if READABLE_STATUS.contains(&s.as_str()) => {}
        Some(Value::String(s)) => diags.push(
            invalid(format!("{path}.status"), status_message(s))
                .with_help("evaluate a `completed` or `amended` response"),
        ),
        Some(v) => diags.push(wrong_type(&format!("{path}.status"), "a string", v)),
    }
    match obj.get("questionnaire") {
        None => {}
        Some(Value::String(canonical)) => {
            if let Some(d) = check_canonical(doc, canonical, &format!("{path}.questionnaire")) {
                diags.push(d);
            }
        }
        Some(v) => diags.push(wrong_type(&format!("{path}.questionnaire"), "a string", v)),
    }
}

fn status_message(status: &str) -> String {
    match status {
        "in-progress" => "the response is `in-progress`: its answers are still expected to change, so no verdict is given from them".into(),
        "entered-in-error" => "the response was `entered-in-error`: its answers are not valid".into(),
        "stopped" => "the response was `stopped` before it was completed".into(),
        other => format!("`{other}` is not a QuestionnaireResponse status (completed, amended, in-progress, entered-in-error, stopped)"),
    }
}

/// `url` or `url|version` must name this ruleset's Questionnaire (and version).
fn check_canonical(doc: &RulesetDoc, canonical: &str, path: &str) -> Option<Diagnostic> {
    let ours = questionnaire_url(doc);
    let (url, version) = match canonical.split_once('|') {
        Some((u, v)) => (u, Some(v)),
        None => (canonical, None),
    };
    if url != ours {
        return Some(
            invalid(
                path,
                format!("the response answers `{url}`, not this ruleset's Questionnaire `{ours}`"),
            )
            .with_help("evaluate it with the ruleset whose Questionnaire it answers"),
        );
    }
    match version {
        Some(v) if v != doc.version => Some(
            invalid(
                path,
                format!(
                    "the response answers version `{v}` of the Questionnaire; this ruleset is version `{}`",
                    doc.version
                ),
            )
            .with_help("ask the questions again with the current Questionnaire, or evaluate with the ruleset of that version"),
        ),
        _ => None,
    }
}

/// What a `linkId` names in the exported Questionnaire.
enum Link<'a> {
    Fact(&'a FactDoc),
    Group,
    Display,
}

fn link<'a>(doc: &'a RulesetDoc, id: &str) -> Option<Link<'a>> {
    if let Some(f) = doc.facts.iter().find(|f| f.id == id) {
        return Some(Link::Fact(f));
    }
    if let Some(section) = id.strip_prefix("section.") {
        if doc.sections.iter().any(|s| s.id == section) {
            return Some(Link::Group);
        }
    }
    let help = id
        .strip_suffix(".help")
        .and_then(|f| doc.facts.iter().find(|d| d.id == f))
        .is_some_and(|f| f.help.is_some());
    help.then_some(Link::Display)
}

/// The state of one response being read.
struct Reader<'a> {
    doc: &'a RulesetDoc,
    /// Every `linkId` seen, with where.
    seen: BTreeMap<String, String>,
    /// Facts read, with the path of their answer (for locating the engine's own checks).
    values: BTreeMap<String, (Value, String)>,
    diags: Vec<Diagnostic>,
}

fn read_response(
    rs: &Ruleset,
    obj: &Map<String, Value>,
    path: &str,
) -> Result<Imported, Vec<Diagnostic>> {
    let doc = rs.document();
    let mut r = Reader {
        doc,
        seen: BTreeMap::new(),
        values: BTreeMap::new(),
        diags: Vec::new(),
    };
    check_keys(obj, path, &RESPONSE_KEYS, &mut r.diags);
    check_header(doc, obj, path, &mut r.diags);
    if let Some(items) = obj.get("item") {
        r.items(items, &format!("{path}.item"), None);
    }
    let mut facts = Facts::unknown(rs);
    let mut object = Map::new();
    for (id, (value, at)) in &r.values {
        match facts.set(rs, id, value) {
            Ok(()) => {
                object.insert(id.clone(), value.clone());
            }
            Err(e) => r.diags.extend(e.diagnostics().into_iter().map(|mut d| {
                d.path.clone_from(at);
                d
            })),
        }
    }
    if r.diags.is_empty() {
        Ok(Imported {
            facts,
            object,
            response: path.to_string(),
        })
    } else {
        Err(r.diags)
    }
}

impl Reader<'_> {
    /// Reads an `item` array. `under` names the question an item is nested under, if any.
    fn items(&mut self, items: &Value, path: &str, under: Option<&str>) {
        let Some(list) = items.as_array() else {
            self.diags.push(wrong_type(path, "an array", items));
            return;
        };
        for (i, it) in list.iter().enumerate() {
            self.item(it, &format!("{path}[{i}]"), under);
        }
    }

    fn item(&mut self, it: &Value, path: &str, under: Option<&str>) {
        let Some(obj) = it.as_object() else {
            self.diags.push(wrong_type(path, "an object", it));
            return;
        };
        check_keys(obj, path, &ITEM_KEYS, &mut self.diags);
        let id = match obj.get("linkId") {
            Some(Value::String(s)) => s.as_str(),
            Some(v) => {
                self.diags
                    .push(wrong_type(&format!("{path}.linkId"), "a string", v));
                return;
            }
            None => {
                self.diags.push(Diagnostic::error(
                    Code::MissingField,
                    format!("{path}.linkId"),
                    "an item needs `linkId`",
                ));
                return;
            }
        };
        if let Some(first) = self.seen.get(id) {
            self.diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    format!("{path}.linkId"),
                    format!("item `{id}` appears twice (first at {first})"),
                )
                .with_help("give each question's answers in one item; the Homeward Questionnaire repeats no item"),
            );
            return;
        }
        self.seen.insert(id.to_string(), path.to_string());
        let answer = obj.get("answer");
        match link(self.doc, id) {
            None => self.diags.push(
                Diagnostic::error(
                    Code::UnknownFact,
                    format!("{path}.linkId"),
                    format!("the Questionnaire of `{}` has no item `{id}`", self.doc.id),
                )
                .with_help("answer the Questionnaire exported for this ruleset (`homeward export --format fhir-questionnaire`)"),
            ),
            Some(Link::Fact(fact)) => {
                if let Some(q) = under {
                    self.diags.push(invalid(
                        format!("{path}.linkId"),
                        format!("question `{id}` is nested under question `{q}`; the Questionnaire nests no question under another"),
                    ));
                } else if let Some(a) = answer {
                    self.answers(fact, a, &format!("{path}.answer"));
                }
                if let Some(children) = obj.get("item") {
                    self.items(children, &format!("{path}.item"), Some(id));
                }
            }
            Some(Link::Group | Link::Display) => {
                if answer.is_some() {
                    self.diags.push(invalid(
                        format!("{path}.answer"),
                        format!("item `{id}` is a group or display item and takes no answer"),
                    ));
                }
                if let Some(children) = obj.get("item") {
                    self.items(children, &format!("{path}.item"), under);
                }
            }
        }
    }

    /// Reads the `answer` array of a fact's item.
    fn answers(&mut self, fact: &FactDoc, answer: &Value, path: &str) {
        let Some(list) = answer.as_array() else {
            self.diags.push(wrong_type(path, "an array", answer));
            return;
        };
        if list.is_empty() {
            let help = if fact.kind == FactKind::Set {
                "leave `answer` out when the question is not answered; for \"none of these\" choose the \"None of these\" option"
            } else {
                "leave `answer` out when the question is not answered"
            };
            self.diags.push(
                invalid(path, format!("`answer` for `{}` is an empty array; FHIR JSON never has empty arrays, so it cannot be read as unknown or as none", fact.id))
                    .with_help(help),
            );
            return;
        }
        if fact.kind != FactKind::Set {
            if let Some(extra) = list.get(1..).filter(|r| !r.is_empty()) {
                self.diags.push(
                    invalid(
                        format!("{path}[1]"),
                        format!(
                            "`{}` takes one answer; the response gives {}",
                            fact.id,
                            extra.len() + 1
                        ),
                    )
                    .with_help("send exactly one answer for a single-answer question"),
                );
                return;
            }
        }
        let mut values = Vec::new();
        let mut none_at = None;
        for (i, a) in list.iter().enumerate() {
            let at = format!("{path}[{i}]");
            match self.answer(fact, a, &at) {
                Some(Answer::Value(v)) => values.push((v, at)),
                Some(Answer::None) => none_at = Some(at),
                None => {}
            }
        }
        let value = match (fact.kind, none_at) {
            (FactKind::Set, Some(at)) => {
                if list.len() > 1 {
                    self.diags.push(
                        invalid(
                            at,
                            format!(
                                "\"None of these\" is chosen for `{}` together with other options",
                                fact.id
                            ),
                        )
                        .with_help(
                            "choose either \"None of these\" alone or the options that apply",
                        ),
                    );
                    return;
                }
                Value::Array(Vec::new())
            }
            (FactKind::Set, None) => {
                let mut codes: Vec<Value> = Vec::new();
                for (v, at) in values {
                    if codes.contains(&v) {
                        self.diags.push(Diagnostic::error(
                            Code::DuplicateOption,
                            at,
                            format!("option {v} is chosen twice for `{}`", fact.id),
                        ));
                        return;
                    }
                    codes.push(v);
                }
                Value::Array(codes)
            }
            (_, Some(at)) => {
                self.diags.push(invalid(
                    at,
                    format!("\"None of these\" is not an option of `{}`", fact.id),
                ));
                return;
            }
            (_, None) => match values.into_iter().next() {
                Some((v, _)) => v,
                None => return,
            },
        };
        let at = if fact.kind == FactKind::Set {
            path.to_string()
        } else {
            format!("{path}[0]")
        };
        self.values.insert(fact.id.clone(), (value, at));
    }

    /// Reads one answer's value; `None` after recording why it cannot be read.
    fn answer(&mut self, fact: &FactDoc, a: &Value, path: &str) -> Option<Answer> {
        let Some(obj) = a.as_object() else {
            self.diags.push(wrong_type(path, "an object", a));
            return None;
        };
        let value_keys: Vec<&String> = obj
            .keys()
            .filter(|k| VALUE_KEYS.contains(&k.as_str()))
            .collect();
        let known: Vec<&str> = ANSWER_KEYS
            .iter()
            .chain(VALUE_KEYS.iter())
            .copied()
            .collect();
        check_keys(obj, path, &known, &mut self.diags);
        if let Some(children) = obj.get("item") {
            self.items(children, &format!("{path}.item"), Some(&fact.id));
        }
        let (key, v) = match value_keys.as_slice() {
            [key] => (key.as_str(), obj.get(key.as_str())?),
            [] => {
                self.diags.push(invalid(path, "the answer has no value[x]"));
                return None;
            }
            _ => {
                self.diags
                    .push(invalid(path, "the answer has more than one value[x]"));
                return None;
            }
        };
        let vpath = format!("{path}.{key}");
        let expected = match fact.kind {
            FactKind::Bool => "valueBoolean",
            FactKind::Int => "valueInteger",
            FactKind::Enum | FactKind::Set => "valueCoding",
            FactKind::Date => "valueDate",
            _ => {
                self.diags.push(invalid(
                    path,
                    format!("`{}` has a fact type this importer does not know", fact.id),
                ));
                return None;
            }
        };
        if key != expected {
            self.diags.push(
                Diagnostic::error(
                    Code::WrongType,
                    vpath,
                    format!(
                        "`{key}` cannot answer `{}`, {} question",
                        fact.id,
                        kind_name(fact.kind)
                    ),
                )
                .with_help(format!("answer it with `{expected}`")),
            );
            return None;
        }
        match (fact.kind, v) {
            (FactKind::Bool, Value::Bool(_)) => Some(Answer::Value(v.clone())),
            (FactKind::Int, Value::Number(n)) if n.is_i64() || n.is_u64() => {
                Some(Answer::Value(v.clone()))
            }
            (FactKind::Int, _) => {
                self.diags.push(wrong_type(&vpath, "an integer", v));
                None
            }
            (FactKind::Bool, _) => {
                self.diags.push(wrong_type(&vpath, "true or false", v));
                None
            }
            (FactKind::Date, Value::String(s)) if homeward::Date::parse(s).is_ok() => {
                Some(Answer::Value(v.clone()))
            }
            (FactKind::Date, _) => {
                // FHIR allows a year or a year and month; a rule needs the day.
                self.diags.push(wrong_type(
                    &vpath,
                    "a full date, YYYY-MM-DD (1900-01-01 to 2199-12-31)",
                    v,
                ));
                None
            }
            (FactKind::Enum | FactKind::Set, _) => self.coding(fact, v, &vpath),
            _ => None,
        }
    }

    fn coding(&mut self, fact: &FactDoc, v: &Value, path: &str) -> Option<Answer> {
        let Some(obj) = v.as_object() else {
            self.diags.push(wrong_type(path, "a Coding object", v));
            return None;
        };
        let before = self.diags.len();
        check_keys(obj, path, &CODING_KEYS, &mut self.diags);
        let system = option_system(&fact.id);
        match obj.get("system") {
            None => {}
            Some(Value::String(s)) if *s == system => {}
            Some(Value::String(s)) => self.diags.push(
                invalid(
                    format!("{path}.system"),
                    format!(
                        "code system `{s}` is not the one of `{}` (`{system}`)",
                        fact.id
                    ),
                )
                .with_help(
                    "answer with one of the item's answer options, as the Questionnaire gives them",
                ),
            ),
            Some(other) => {
                self.diags
                    .push(wrong_type(&format!("{path}.system"), "a string", other))
            }
        }
        let code = match obj.get("code") {
            Some(Value::String(c)) => c.as_str(),
            Some(other) => {
                self.diags
                    .push(wrong_type(&format!("{path}.code"), "a string", other));
                return None;
            }
            None => {
                let shown = obj
                    .get("display")
                    .and_then(Value::as_str)
                    .map(|d| format!(" (display `{d}`)"))
                    .unwrap_or_default();
                self.diags.push(
                    Diagnostic::error(
                        Code::MissingField,
                        format!("{path}.code"),
                        format!("the coding for `{}` has no `code`{shown}; a display alone is never read as an answer", fact.id),
                    )
                    .with_help("send the option's code, as the Questionnaire's answer options give it"),
                );
                return None;
            }
        };
        if self.diags.len() > before {
            return None;
        }
        if code == NONE_CODE {
            return Some(Answer::None);
        }
        let options = fact.options.as_deref().unwrap_or_default();
        if options.iter().any(|o| o.id == code) {
            return Some(Answer::Value(Value::String(code.to_string())));
        }
        let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
        self.diags.push(
            Diagnostic::error(
                Code::UnknownOption,
                format!("{path}.code"),
                format!("`{code}` is not an option of `{}`", fact.id),
            )
            .with_help(format!("use one of: {}", ids.join(", "))),
        );
        None
    }
}

/// One answer read.
enum Answer {
    /// The value (a bool, an integer, or an option id).
    Value(Value),
    /// The "None of these" option.
    None,
}

fn kind_name(kind: FactKind) -> &'static str {
    match kind {
        FactKind::Bool => "a boolean",
        FactKind::Int => "an integer",
        FactKind::Enum => "a single-choice",
        FactKind::Set => "a multiple-choice",
        FactKind::Date => "a date",
        _ => "an unknown type of",
    }
}

/// A searchset Bundle: the newest `completed` or `amended` response for this ruleset's
/// Questionnaire, by `authored`.
fn read_bundle(rs: &Ruleset, obj: &Map<String, Value>) -> Result<Imported, Vec<Diagnostic>> {
    let doc = rs.document();
    let mut diags = Vec::new();
    check_keys(obj, "$", &BUNDLE_KEYS, &mut diags);
    match obj.get("type") {
        Some(Value::String(t)) if t == "searchset" => {}
        Some(Value::String(t)) => diags.push(
            invalid("$.type", format!("a `{t}` Bundle is not a search result"))
                .with_help("send a searchset Bundle (the result of a QuestionnaireResponse search) or one QuestionnaireResponse"),
        ),
        Some(v) => diags.push(wrong_type("$.type", "a string", v)),
        None => diags.push(Diagnostic::error(Code::MissingField, "$.type", "a Bundle needs `type`")),
    }
    let entries = match obj.get("entry") {
        None => &[][..],
        Some(Value::Array(e)) => e.as_slice(),
        Some(v) => {
            diags.push(wrong_type("$.entry", "an array", v));
            &[][..]
        }
    };
    let ours = questionnaire_url(doc);
    let mut candidates: Vec<(usize, &Map<String, Value>)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let path = format!("$.entry[{i}]");
        let Some(entry) = e.as_object() else {
            diags.push(wrong_type(&path, "an object", e));
            continue;
        };
        check_keys(entry, &path, &ENTRY_KEYS, &mut diags);
        let Some(res) = entry.get("resource").and_then(Value::as_object) else {
            diags.push(invalid(
                format!("{path}.resource"),
                "a search result entry needs a `resource` object",
            ));
            continue;
        };
        match res.get("resourceType").and_then(Value::as_str) {
            Some("QuestionnaireResponse") => {
                let answers_ours = res
                    .get("questionnaire")
                    .and_then(Value::as_str)
                    .is_some_and(|q| q.split('|').next() == Some(ours.as_str()));
                let readable = res
                    .get("status")
                    .and_then(Value::as_str)
                    .is_some_and(|s| READABLE_STATUS.contains(&s));
                if answers_ours && readable {
                    candidates.push((i, res));
                }
            }
            Some("OperationOutcome") => {
                if let Some(d) = outcome_error(res, &format!("{path}.resource")) {
                    diags.push(d);
                }
            }
            _ => {}
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let (index, chosen) = newest(&candidates, &ours)?;
    read_response(rs, chosen, &format!("$.entry[{index}].resource"))
}

/// An OperationOutcome in a search result with an `error` or `fatal` issue.
fn outcome_error(res: &Map<String, Value>, path: &str) -> Option<Diagnostic> {
    let issues = res.get("issue")?.as_array()?;
    let (i, issue) = issues.iter().enumerate().find(|(_, is)| {
        matches!(
            is.get("severity").and_then(Value::as_str),
            Some("error" | "fatal")
        )
    })?;
    let text = issue
        .get("diagnostics")
        .and_then(Value::as_str)
        .or_else(|| issue.pointer("/details/text").and_then(Value::as_str))
        .unwrap_or("no details");
    Some(invalid(
        format!("{path}.issue[{i}]"),
        format!("the FHIR server reported an error with the search: {text}"),
    ))
}

/// Seconds and nanoseconds since the Unix epoch.
type Instant = (i64, u32);

/// The newest candidate by `authored`; an error when there is none, or when they cannot be
/// ordered (a missing or partial `authored`, or two different responses authored at once).
fn newest<'a>(
    candidates: &[(usize, &'a Map<String, Value>)],
    ours: &str,
) -> Result<(usize, &'a Map<String, Value>), Vec<Diagnostic>> {
    match candidates {
        [] => {
            return Err(vec![invalid(
                "$.entry",
                format!("the Bundle holds no `completed` or `amended` QuestionnaireResponse for `{ours}`"),
            )
            .with_help("search with `questionnaire=` this Questionnaire and `status=completed,amended`, or answer the Questionnaire first")])
        }
        [(i, only)] => return Ok((*i, only)),
        _ => {}
    }
    let mut diags = Vec::new();
    let mut best: Option<(Instant, usize, &Map<String, Value>)> = None;
    let mut tie: Option<usize> = None;
    for &(i, res) in candidates {
        let path = format!("$.entry[{i}].resource.authored");
        let Some(at) = res
            .get("authored")
            .and_then(Value::as_str)
            .and_then(instant::parse)
        else {
            diags.push(
                invalid(path, "several responses match and this one has no `authored` date-time with a time zone, so the newest cannot be told")
                    .with_help("give every response `authored` (e.g. `2026-11-24T09:30:00+00:00`)"),
            );
            continue;
        };
        match &best {
            Some((b, _, r)) if at == *b => {
                if *r != res {
                    tie = Some(i);
                }
            }
            Some((b, _, _)) if at < *b => {}
            _ => {
                best = Some((at, i, res));
                tie = None;
            }
        }
    }
    if let Some(i) = tie {
        diags.push(invalid(
            format!("$.entry[{i}].resource.authored"),
            "two different responses were authored at the same instant, so the newest cannot be told",
        ));
    }
    match best {
        Some((_, i, res)) if diags.is_empty() => Ok((i, res)),
        _ => Err(diags),
    }
}
