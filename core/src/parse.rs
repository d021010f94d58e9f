//! Strict JSON text parsing for every document the engine reads (rulesets, overlays, facts,
//! single answers): a size limit, syntax errors with line and column, and **duplicate keys
//! rejected** with the JSON path of the repeated key. A repeated key is never "last wins": in a
//! ruleset it could turn a safeguarding hold into advice, in a patient's answers it could drop
//! a concern.

use crate::diagnostic::{Code, Diagnostic};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::fmt;
use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The largest ruleset or facts document accepted, in bytes (16 MiB).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// One step of the path to a repeated key, collected innermost first as the error unwinds.
enum Step {
    Key(String),
    Index(usize),
}

/// Where the repeated key was found: `None` until one is, then the steps from it outwards.
type Found = RefCell<Option<Vec<Step>>>;

/// Builds a [`Value`] like serde_json's own visitor, but fails on a repeated object key.
#[derive(Clone, Copy)]
struct Strict<'a> {
    found: &'a Found,
}

impl Strict<'_> {
    /// Adds the step of the enclosing container to a repeated key's path (no-op otherwise).
    fn step(self, step: Step) {
        if let Some(steps) = self.found.borrow_mut().as_mut() {
            steps.push(step);
        }
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(String::from(v)))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            match seq.next_element_seed(self) {
                Ok(Some(v)) => items.push(v),
                Ok(None) => return Ok(Value::Array(items)),
                Err(e) => {
                    self.step(Step::Index(items.len()));
                    return Err(e);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let message = format!("duplicate key `{}`", shorten(&key));
                *self.found.borrow_mut() = Some(alloc::vec![Step::Key(key)]);
                return Err(A::Error::custom(message));
            }
            match map.next_value_seed(self) {
                Ok(v) => {
                    out.insert(key, v);
                }
                Err(e) => {
                    self.step(Step::Key(key));
                    return Err(e);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// A key as shown in a message: control characters escaped, at most 80 characters (a 10 MB
/// key is never echoed whole).
pub(crate) fn shorten(key: &str) -> String {
    use core::fmt::Write as _;
    let mut out = String::new();
    for c in key.chars().take(80) {
        // Control characters and the bidirectional controls that reorder text on screen, as
        // `\u{…}` (not `char::escape_debug`, whose Unicode tables cost the `.wasm` kilobytes).
        if c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    if key.chars().nth(80).is_some() {
        out.push('…');
    }
    out
}

/// A key as it goes into a JSON path: at most 80 characters (the path quotes and escapes it).
pub(crate) fn clip(key: &str) -> alloc::borrow::Cow<'_, str> {
    match key.char_indices().nth(80) {
        Some((at, _)) => alloc::borrow::Cow::Owned(format!("{}…", key.get(..at).unwrap_or(key))),
        None => alloc::borrow::Cow::Borrowed(key),
    }
}

/// The JSON path of a repeated key from its steps (innermost first).
fn path_of(steps: &[Step]) -> String {
    let mut path = String::from("$");
    for step in steps.iter().rev() {
        match step {
            Step::Key(k) => path = crate::decode::key_path(&path, &shorten(k)),
            Step::Index(i) => path.push_str(&format!("[{i}]")),
        }
    }
    path
}

/// Parses JSON text strictly: at most [`MAX_INPUT_BYTES`], a syntax error located by line and
/// column (`JSON_SYNTAX`; a byte order mark is named as such), and a key repeated within one object refused (`DUPLICATE_KEY`, with
/// the JSON path of the repeated key).
///
/// # Errors
/// `TOO_LARGE`, `JSON_SYNTAX` or `DUPLICATE_KEY`.
pub fn parse_json(text: &str) -> Result<Value, Diagnostic> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(Diagnostic::error(
            Code::TooLarge,
            "$",
            format!(
                "input is {} bytes; the limit is {MAX_INPUT_BYTES}",
                text.len()
            ),
        ));
    }
    if text.starts_with('\u{feff}') {
        return Err(Diagnostic::error(
            Code::JsonSyntax,
            "$",
            "the text starts with a byte order mark (U+FEFF), which JSON does not allow",
        )
        .with_help("save the file as UTF-8 without a byte order mark (BOM)"));
    }
    let found: Found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Strict { found: &found }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| match found.into_inner() {
        Some(steps) => Diagnostic::error(
            Code::DuplicateKey,
            path_of(&steps),
            format!("{e}; a repeated key is never read as \"the last one wins\""),
        ),
        None => Diagnostic::error(
            Code::JsonSyntax,
            "$",
            format!(
                "invalid JSON at line {} column {}: {e}",
                e.line(),
                e.column()
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]
    use super::*;

    #[test]
    fn values_are_those_of_serde_json() {
        for text in [
            r#"{"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": 18446744073709551615}"#,
            "[]",
            "\"\\u00e9\"",
            "1e400",
        ] {
            let ours = parse_json(text);
            let theirs: Result<Value, _> = serde_json::from_str(text);
            match (ours, theirs) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(a), Err(_)) => assert_eq!(a.code, Code::JsonSyntax, "{text}"),
                (a, b) => panic!("{text}: ours {a:?}, serde_json {b:?}"),
            }
        }
    }

    #[test]
    fn a_repeated_key_is_refused_with_its_path() {
        let d =
            parse_json(r#"{"a": 1, "b": [0, {"kind": "safeguarding_hold", "kind": "advisory"}]}"#)
                .unwrap_err();
        assert_eq!(d.code, Code::DuplicateKey);
        assert_eq!(d.path, "$.b[1].kind");
        assert!(d.message.contains("duplicate key `kind`"), "{}", d.message);
        assert!(d.message.contains("line 1"), "{}", d.message);

        let d = parse_json(r#"{"x.y": true, "x.y": false}"#).unwrap_err();
        assert_eq!(
            (d.code, d.path.as_str()),
            (Code::DuplicateKey, r#"$["x.y"]"#)
        );
    }

    #[test]
    fn the_same_key_in_different_objects_is_fine() {
        assert!(parse_json(r#"{"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 3}, {"k": 4}]}"#).is_ok());
    }

    #[test]
    fn syntax_errors_are_located() {
        let d = parse_json("{\"a\": 1,\n \"b\": }").unwrap_err();
        assert_eq!(d.code, Code::JsonSyntax);
        assert!(d.message.contains("line 2"), "{}", d.message);
        assert_eq!(parse_json("{} {}").unwrap_err().code, Code::JsonSyntax);
    }

    #[test]
    fn a_byte_order_mark_is_named() {
        let d = parse_json("\u{feff}{}").unwrap_err();
        assert_eq!(d.code, Code::JsonSyntax);
        assert!(d.message.contains("byte order mark"), "{}", d.message);
    }

    #[test]
    fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        assert_eq!(parse_json(&text).unwrap_err().code, Code::JsonSyntax);
    }
}
