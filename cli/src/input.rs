//! JSON text in. Facts and rulesets go through homeward's own parsers (`Facts::from_json`,
//! `Ruleset::load`); every other JSON document the CLI reads (a batch line's envelope, a FHIR
//! QuestionnaireResponse, a report for `cds-card`) goes through [`parse_json`] here, under the
//! same rules: the size limit, a located syntax error, no byte order mark, and no duplicate
//! keys (with serde_json alone the last would silently win).

use homeward::{Code, Diagnostic};
use serde_json::Value;

/// Parses one JSON document strictly, with homeward's own parser (the one facts and rulesets
/// go through).
///
/// # Errors
/// `TOO_LARGE` past [`homeward::MAX_INPUT_BYTES`]; `JSON_SYNTAX` for invalid JSON (with line and
/// column) or a byte order mark; `DUPLICATE_KEY` for a key repeated in one object (at that
/// key's path).
pub fn parse_json(text: &str) -> Result<Value, Diagnostic> {
    homeward::parse_json(text).map(Value::from)
}

/// The diagnostic for a key given twice in one object. JSON readers disagree on which one
/// counts, so neither is used.
#[must_use]
pub fn duplicate_key(path: &str, key: &str) -> Diagnostic {
    Diagnostic::error(
        Code::DuplicateKey,
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
        assert_eq!(e.code.as_str(), "DUPLICATE_KEY");
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
