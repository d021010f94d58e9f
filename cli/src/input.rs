//! JSON text in. Facts and rulesets go through homeward's own parsers (`Facts::from_json`,
//! `Ruleset::load`); every other JSON document the CLI reads (a batch line's envelope, a FHIR
//! QuestionnaireResponse, a report for `cds-card`) goes through [`parse_json`] here, under the
//! same rules: the size limit, a located syntax error, no byte order mark, and no duplicate
//! keys (with serde_json alone the last would silently win).

use homeward::decode::MAX_INPUT_BYTES;
use homeward::{Code, Diagnostic};
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Parses one JSON document strictly.
///
/// # Errors
/// `TOO_LARGE` past [`MAX_INPUT_BYTES`]; `JSON_SYNTAX` for invalid JSON (with line and column),
/// a byte order mark, or a key repeated in one object (at that key's path).
pub fn parse_json(text: &str) -> Result<Value, Diagnostic> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(Diagnostic::error(
            Code::TooLarge,
            "$",
            format!(
                "the input is {} bytes; the limit is {MAX_INPUT_BYTES}",
                text.len()
            ),
        ));
    }
    if text.starts_with('\u{feff}') {
        return Err(crate::io::byte_order_mark("$"));
    }
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = Strict {
        path: "$",
        duplicate: &duplicate,
    };
    let result = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    result.map_err(|e| match duplicate.into_inner() {
        Some((path, key)) => duplicate_key(&path, &key),
        None => syntax(&e),
    })
}

/// The diagnostic for a key given twice in one object. JSON readers disagree on which one
/// counts, so neither is used.
#[must_use]
pub fn duplicate_key(path: &str, key: &str) -> Diagnostic {
    Diagnostic::error(
        Code::JsonSyntax,
        path,
        format!("duplicate key `{key}`: each key may appear once in an object"),
    )
    .with_help("remove one of the two; which one a reader keeps is not defined")
}

/// The diagnostic for a serde_json syntax error, with line and column.
#[must_use]
pub fn syntax(e: &serde_json::Error) -> Diagnostic {
    Diagnostic::error(
        Code::JsonSyntax,
        "$",
        format!(
            "invalid JSON at line {} column {}: {}",
            e.line(),
            e.column(),
            message(e)
        ),
    )
}

/// serde_json's message without its trailing ` at line L column C`.
#[must_use]
pub fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

/// `path.key`, or `path["key"]` when the key is not a plain identifier.
#[must_use]
pub fn key_path(path: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_string()))
    }
}

/// Builds a `serde_json::Value` like serde_json does, but refuses a repeated key, recording
/// where (serde's error type carries only text).
struct Strict<'a> {
    path: &'a str,
    duplicate: &'a RefCell<Option<(String, String)>>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::from(i))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::from(u))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let path = format!("{}[{}]", self.path, items.len());
            let seed = Strict {
                path: &path,
                duplicate: self.duplicate,
            };
            match seq.next_element_seed(seed)? {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = key_path(self.path, &key);
            if object.contains_key(&key) {
                *self.duplicate.borrow_mut() = Some((path, key));
                return Err(A::Error::custom("duplicate key"));
            }
            let seed = Strict {
                path: &path,
                duplicate: self.duplicate,
            };
            let value = map.next_value_seed(seed)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_json;
    use serde_json::json;

    #[test]
    fn same_values_as_serde_json() {
        let text = r#"{"a": [1, -2, 3.5, 18446744073709551615, "x\u0000", null, true, {}], "b": {"c": []}}"#;
        let ours = parse_json(text).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn duplicate_keys_are_located() {
        let e =
            parse_json(r#"{"item": [{"linkId": "a", "answer": [], "linkId": "b"}]}"#).unwrap_err();
        assert_eq!(e.code.as_str(), "JSON_SYNTAX");
        assert_eq!(e.path, "$.item[0].linkId");
        assert!(
            e.message.contains("duplicate key `linkId`"),
            "{}",
            e.message
        );
        let e = parse_json(r#"{"a b": 1, "a b": 2}"#).unwrap_err();
        assert_eq!(e.path, r#"$["a b"]"#);
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let e = parse_json("{\n  \"a\": }").unwrap_err();
        assert!(
            e.message.starts_with("invalid JSON at line 2 column 8: "),
            "{}",
            e.message
        );
        assert!(parse_json("{} {}").is_err());
        assert!(parse_json("\u{feff}{}")
            .unwrap_err()
            .message
            .contains("byte order mark"));
        assert_eq!(parse_json("[[[]]]").unwrap(), json!([[[]]]));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(parse_json(&deep)
            .unwrap_err()
            .message
            .contains("recursion limit"));
    }
}
