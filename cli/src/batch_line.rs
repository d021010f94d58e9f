//! One `batch` line: its envelope `{"id", "checklist", "facts", "as_of",
//! "discharge_ready_date"}` read strictly (an unknown or repeated field, a wrong type, bytes that are not UTF-8, a line past
//! the size cap: each is that line's error, located, with a code), its facts validated by
//! homeward's own parser, and its report, as of the line's `as_of` (else the batch's). The
//! `discharge_ready_date` field is the fact `clinical.discharge_ready_date` when the ruleset
//! has that fact, so the ward and the batch read one answer. A bad line never stops the rest.

use crate::diagnostics::{clean, one_line, MAX_FIELD_CHARS};
use crate::input;
use homeward::report::Report;
use homeward::{Diagnostics, Facts, Ruleset};
use jiff::civil::Date;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

/// The fields a line may have.
pub const FIELDS: [&str; 5] = ["id", "checklist", "facts", "as_of", "discharge_ready_date"];

/// The fact a line's `discharge_ready_date` field stands for (when the ruleset declares it).
pub const READY_DATE_FACT: &str = "clinical.discharge_ready_date";

/// A line that was evaluated.
#[derive(Debug)]
pub struct Evaluated {
    /// The line's id as JSON text: a string, an integer exactly as written, or `null`.
    pub id: String,
    /// The patient's report.
    pub report: Report,
    /// The discharge-ready date (the field, or the fact), when given.
    pub ready: Option<Date>,
    /// The date the line was evaluated as of (its own, else the batch's).
    pub as_of: Option<Date>,
}

/// A line that could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The line's id as JSON text when it could be read, else `null`.
    pub id: String,
    /// `CODE: message at $.path`, with a count of any further problems on the line.
    pub message: String,
}

/// What a line is evaluated with.
#[derive(Debug, Clone, Copy)]
pub struct LineContext<'a> {
    /// The ruleset.
    pub ruleset: &'a Ruleset,
    /// The checklist for lines that name none (`--checklist`).
    pub checklist: Option<&'a str>,
    /// The most bytes one line may have.
    pub cap: usize,
    /// The as-of date for lines without their own (`--as-of`, else today).
    pub as_of: Option<Date>,
}

/// Evaluates one line: `bytes` holds at most `cx.cap` bytes of a line `len` bytes long.
///
/// # Errors
/// The line's error, with its id when that could be read.
pub fn evaluate(cx: &LineContext<'_>, bytes: &[u8], len: u64) -> Result<Evaluated, LineError> {
    let fail = |id: &str, message: String| LineError {
        id: id.to_string(),
        message,
    };
    if len > cx.cap as u64 {
        return Err(fail(
            "null",
            format!(
                "TOO_LARGE: the line is {len} bytes; the limit is {} bytes at $",
                cx.cap
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        fail(
            "null",
            format!(
                "JSON_SYNTAX: the line is not valid UTF-8 (invalid byte at column {}); \
                 save the file as UTF-8 at $",
                e.valid_up_to() + 1
            ),
        )
    })?;
    if text.starts_with('\u{feff}') {
        return Err(fail(
            "null",
            one_line(&crate::io::byte_order_mark("$"), "$", 0),
        ));
    }
    let fields = envelope(text).map_err(|m| fail("null", m))?;
    let line = Line::read(&fields);
    let id = line.id.as_deref().unwrap_or("null").to_string();
    let mut problems = line.problems;
    let checklist = line.checklist.as_deref().or(cx.checklist);
    let checklist = match cx.ruleset.checklist(checklist) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.extend(e.diagnostics().iter().map(|d| one_line(d, "$", 0)));
            None
        }
    };
    let as_of = line.as_of.or(cx.as_of);
    let facts = match line.facts {
        None => {
            problems.push(
                "MISSING_FIELD: `facts` is required (an object of fact id to value; `{}` when \
                 nothing is known yet) at $.facts"
                    .into(),
            );
            None
        }
        Some(raw) => match Facts::from_json(cx.ruleset, raw.get()) {
            Ok(f) => Some(f),
            Err(e) => {
                let diags = e.diagnostics();
                if let Some(d) = diags.first() {
                    problems.push(one_line(d, "$.facts", diags.len() - 1));
                }
                None
            }
        },
    };
    let mut ready = line.ready;
    let facts = match facts {
        Some(mut f) => match ready_date(cx.ruleset, &mut f, line.ready) {
            Ok(r) => {
                ready = r;
                f.set_as_of(as_of.and_then(|d| crate::dates::engine(d).ok()));
                Some(f)
            }
            Err(m) => {
                problems.push(m);
                None
            }
        },
        None => None,
    };
    match (checklist, facts, problems.first()) {
        (Some(cl), Some(facts), None) => Ok(Evaluated {
            id,
            report: cx.ruleset.evaluate(cl, &facts),
            ready,
            as_of,
        }),
        (_, _, first) => {
            let mut message = first.cloned().unwrap_or_default();
            if problems.len() > 1 {
                message.push_str(&format!(
                    " (and {} more problem(s) on this line)",
                    problems.len() - 1
                ));
            }
            Err(fail(&id, message))
        }
    }
}

/// The line's discharge-ready date, one answer: the `discharge_ready_date` field becomes the
/// fact [`READY_DATE_FACT`] when the ruleset declares it and the facts leave it unknown; the
/// fact alone gives the date too. Without that fact in the ruleset the field only counts delay
/// days (as before the fact existed).
///
/// # Errors
/// The field and the fact give different dates.
fn ready_date(
    rs: &Ruleset,
    facts: &mut Facts,
    field: Option<Date>,
) -> Result<Option<Date>, String> {
    if !rs.document().facts.iter().any(|f| f.id == READY_DATE_FACT) {
        return Ok(field);
    }
    let values = facts.to_value(rs);
    let fact = values
        .get(READY_DATE_FACT)
        .and_then(homeward::Value::as_str)
        .and_then(|s| crate::dates::parse(s).ok());
    match (field, fact) {
        (Some(d), Some(f)) if d != f => Err(format!(
            "INVALID_VALUE: `discharge_ready_date` {d} differs from the fact \
             `{READY_DATE_FACT}` {f}; give one date at $.discharge_ready_date"
        )),
        (Some(d), None) => {
            let text = homeward::Value::String(d.to_string());
            facts
                .set(rs, READY_DATE_FACT, &text)
                .map_err(|e| match e.diagnostics().first() {
                    Some(diag) => one_line(diag, "$.discharge_ready_date", 0),
                    None => {
                        "INVALID_VALUE: the date is not accepted at $.discharge_ready_date".into()
                    }
                })?;
            Ok(Some(d))
        }
        (field, fact) => Ok(field.or(fact)),
    }
}

/// A line's fields, decoded; what is wrong with them is in `problems`, in field order.
struct Line<'a> {
    id: Option<String>,
    checklist: Option<String>,
    facts: Option<&'a RawValue>,
    as_of: Option<Date>,
    ready: Option<Date>,
    problems: Vec<String>,
}

impl<'a> Line<'a> {
    fn read(fields: &[(String, &'a RawValue)]) -> Line<'a> {
        let mut line = Line {
            id: None,
            checklist: None,
            facts: None,
            as_of: None,
            ready: None,
            problems: Vec::new(),
        };
        let mut seen: Vec<&str> = Vec::new();
        for (key, raw) in fields {
            let path = input::key_path("$", key);
            if seen.contains(&key.as_str()) {
                line.problems
                    .push(one_line(&input::duplicate_key(&path, key), "$", 0));
                continue;
            }
            seen.push(key);
            match key.as_str() {
                "id" => line.id = line.decode(raw, &path, id_json),
                "checklist" => line.checklist = line.decode(raw, &path, checklist),
                "facts" => line.facts = Some(raw),
                "as_of" => line.as_of = line.decode(raw, &path, as_of_date),
                "discharge_ready_date" => line.ready = line.decode(raw, &path, ready_date_field),
                _ => line.problems.push(format!(
                    "UNKNOWN_FIELD: unknown field `{}` (a line has only {}) at {}",
                    clean(key, MAX_FIELD_CHARS),
                    FIELDS.join(", "),
                    clean(&path, MAX_FIELD_CHARS)
                )),
            }
        }
        line
    }

    /// Decodes one field, recording its problem; `null` is absent.
    fn decode<T>(
        &mut self,
        raw: &RawValue,
        path: &str,
        f: fn(&RawValue) -> Result<T, String>,
    ) -> Option<T> {
        if raw.get() == "null" {
            return None;
        }
        f(raw)
            .map_err(|m| self.problems.push(format!("{m} at {path}")))
            .ok()
    }
}

/// The JSON type of a raw value, for messages.
fn json_type(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// A string id (written back in canonical JSON) or an integer id of any size, written back
/// exactly as given (never rounded through a float).
fn id_json(raw: &RawValue) -> Result<String, String> {
    let text = raw.get();
    match json_type(raw) {
        "a string" => serde_json::from_str::<String>(text)
            .and_then(|s| serde_json::to_string(&s))
            .map_err(|e| format!("JSON_SYNTAX: {}", input::message(&e))),
        "a number" if !text.contains(['.', 'e', 'E']) => Ok(text.to_string()),
        other => Err(format!(
            "WRONG_TYPE: `id` must be a string or an integer, found {}",
            if other == "a number" {
                format!("the number {}", clean(text, 40))
            } else {
                other.to_string()
            }
        )),
    }
}

fn checklist(raw: &RawValue) -> Result<String, String> {
    match json_type(raw) {
        "a string" => serde_json::from_str::<String>(raw.get())
            .map_err(|e| format!("JSON_SYNTAX: {}", input::message(&e))),
        other => Err(format!(
            "WRONG_TYPE: `checklist` must be a checklist id string, found {other}"
        )),
    }
}

fn as_of_date(raw: &RawValue) -> Result<Date, String> {
    date(raw, "as_of")
}

fn ready_date_field(raw: &RawValue) -> Result<Date, String> {
    date(raw, "discharge_ready_date")
}

fn date(raw: &RawValue, field: &str) -> Result<Date, String> {
    match json_type(raw) {
        "a string" => serde_json::from_str::<String>(raw.get())
            .map_err(|e| format!("JSON_SYNTAX: {}", input::message(&e)))
            .and_then(|s| {
                crate::dates::parse_engine(&s).map_err(|m| format!("INVALID_VALUE: {m}"))
            }),
        other => Err(format!(
            "WRONG_TYPE: `{field}` must be a YYYY-MM-DD string, found {other}"
        )),
    }
}

/// The line's top-level fields in order, each value still raw JSON text.
fn envelope(text: &str) -> Result<Vec<(String, &RawValue)>, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Envelope::deserialize(&mut de).and_then(|e| de.end().map(|()| e));
    match parsed {
        Ok(Envelope::Object(fields)) => Ok(fields),
        Ok(Envelope::Other(kind)) => Err(format!(
            "WRONG_TYPE: a line must be a JSON object with `facts` (and optionally `id`, \
             `checklist`, `as_of`, `discharge_ready_date`), found {kind} at $"
        )),
        Err(e) => Err(format!(
            "JSON_SYNTAX: invalid JSON at column {}: {} at $",
            e.column(),
            clean(&input::message(&e), MAX_FIELD_CHARS)
        )),
    }
}

/// A line's top level: an object's fields, or the kind of value it is instead.
enum Envelope<'a> {
    Object(Vec<(String, &'a RawValue)>),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Envelope<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EnvelopeVisitor)
    }
}

struct EnvelopeVisitor;

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = Envelope<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'de>, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value: &'de RawValue = map.next_value()?;
            fields.push((key, value));
        }
        Ok(Envelope::Object(fields))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Envelope<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Envelope::Other("an array"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Envelope<'de>, E> {
        Ok(Envelope::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Envelope<'de>, E> {
        Ok(Envelope::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Envelope<'de>, E> {
        Ok(Envelope::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Envelope<'de>, E> {
        Ok(Envelope::Other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Envelope<'de>, E> {
        Ok(Envelope::Other("a string"))
    }

    fn visit_unit<E>(self) -> Result<Envelope<'de>, E> {
        Ok(Envelope::Other("null"))
    }
}
