//! Strict JSON text parsing for every document the engine reads (rulesets, overlays, facts,
//! single answers): a size limit, syntax errors with line and column, and **duplicate keys
//! rejected** with the JSON path of the repeated key. A repeated key is never "last wins": in a
//! ruleset it could turn a safeguarding hold into advice, in a patient's answers it could drop
//! a concern.

use crate::diagnostic::{Code, Diagnostic};
use crate::value::{Map, Number, Value};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The largest ruleset or facts document accepted, in bytes (16 MiB).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// The deepest nesting of arrays and objects accepted: the 128th level is refused (as
/// serde_json refuses it). The parser keeps its own stack, so depth never costs call stack.
const MAX_NESTING: usize = 127;

/// A syntax error: what (serde_json's wording) and the byte offset its position is taken at
/// (serde_json's convention: one past the offending byte, at most the text's length).
struct Syntax(&'static str, usize);

/// Why the text was refused.
enum Refusal {
    Syntax(Syntax),
    /// A repeated key: the path steps to it (outermost first, ending with the key) and the
    /// offset just after the key.
    Duplicate(Vec<Step>, usize),
}

impl From<Syntax> for Refusal {
    fn from(s: Syntax) -> Refusal {
        Refusal::Syntax(s)
    }
}

/// One step of the path to a repeated key.
enum Step {
    Key(String),
    Index(usize),
}

/// An array or object being read: its items so far, and for an object the key whose value
/// is being read and the offset just after that key.
enum Frame {
    Array(Vec<Value>),
    /// The members read so far, where each member's key ended, the key being read and where
    /// it ended.
    Object(Vec<(String, Value)>, Vec<usize>, String, usize),
}

const EOF_VALUE: &str = "EOF while parsing a value";
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";

/// The strict reader over the text's bytes (the text is UTF-8, so every slice between ASCII
/// delimiters is too).
struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// An error at the next byte (serde_json's `peek_error`).
    fn peek_error(&self, what: &'static str) -> Syntax {
        Syntax(what, (self.at + 1).min(self.text.len()))
    }

    /// An error after the bytes read so far (serde_json's `error`).
    fn error(&self, what: &'static str) -> Syntax {
        Syntax(what, self.at.min(self.text.len()))
    }

    /// Skips whitespace and returns the next byte.
    fn skip(&mut self) -> Option<u8> {
        while let Some(b) = self.peek() {
            if matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                self.at += 1;
            } else {
                return Some(b);
            }
        }
        None
    }

    /// Reads the whole document.
    fn document(&mut self) -> Result<Value, Refusal> {
        let mut stack: Vec<Frame> = Vec::new();
        'value: loop {
            // A value starts here.
            let mut value = match self.skip() {
                None => return Err(self.peek_error(EOF_VALUE).into()),
                Some(open @ (b'[' | b'{')) => {
                    if stack.len() >= MAX_NESTING {
                        return Err(self.peek_error("recursion limit exceeded").into());
                    }
                    self.at += 1;
                    if open == b'[' {
                        match self.skip() {
                            Some(b']') => {
                                self.at += 1;
                                Value::Array(Vec::new())
                            }
                            Some(_) => {
                                stack.push(Frame::Array(Vec::new()));
                                continue 'value;
                            }
                            None => return Err(self.peek_error(EOF_LIST).into()),
                        }
                    } else {
                        match self.skip() {
                            Some(b'}') => {
                                self.at += 1;
                                Value::Object(Map::new())
                            }
                            Some(b'"') => {
                                let key = self.key()?;
                                let at = self.at;
                                self.colon()?;
                                stack.push(Frame::Object(Vec::new(), Vec::new(), key, at));
                                continue 'value;
                            }
                            Some(_) => return Err(self.peek_error("key must be a string").into()),
                            None => return Err(self.peek_error(EOF_OBJECT).into()),
                        }
                    }
                }
                Some(b) => self.scalar(b)?,
            };
            // A value ended: it goes into the container it is in, which may end too.
            loop {
                match stack.last_mut() {
                    None => {
                        return match self.skip() {
                            None => Ok(value),
                            Some(_) => Err(self.peek_error("trailing characters").into()),
                        };
                    }
                    Some(Frame::Array(items)) => {
                        items.push(value);
                        match self.skip() {
                            Some(b',') => {
                                self.at += 1;
                                match self.skip() {
                                    Some(b']') => {
                                        return Err(self.peek_error("trailing comma").into())
                                    }
                                    Some(_) => continue 'value,
                                    None => return Err(self.peek_error(EOF_VALUE).into()),
                                }
                            }
                            Some(b']') => {
                                self.at += 1;
                                let items = core::mem::take(items);
                                stack.pop();
                                value = Value::Array(items);
                            }
                            Some(_) => {
                                return Err(self.peek_error("expected `,` or `]`").into());
                            }
                            None => return Err(self.peek_error(EOF_LIST).into()),
                        }
                    }
                    Some(Frame::Object(members, ends, key, key_end)) => {
                        members.push((core::mem::take(key), value));
                        ends.push(*key_end);
                        match self.skip() {
                            Some(b',') => {
                                self.at += 1;
                                match self.skip() {
                                    Some(b'"') => {
                                        *key = self.key()?;
                                        *key_end = self.at;
                                        self.colon()?;
                                        continue 'value;
                                    }
                                    Some(b'}') => {
                                        return Err(self.peek_error("trailing comma").into())
                                    }
                                    Some(_) => {
                                        return Err(self.peek_error("key must be a string").into())
                                    }
                                    None => return Err(self.peek_error(EOF_VALUE).into()),
                                }
                            }
                            Some(b'}') => {
                                self.at += 1;
                                // The members are sorted once here, where a repeated key is
                                // found: the first in the text is refused, at its key's end.
                                let ends = core::mem::take(ends);
                                match Map::of_members(core::mem::take(members)) {
                                    Ok(map) => value = Value::Object(map),
                                    Err((i, repeated)) => {
                                        let at = ends.get(i).copied().unwrap_or(self.at);
                                        return Err(Refusal::Duplicate(
                                            path_to(&stack, repeated),
                                            at,
                                        ));
                                    }
                                }
                                stack.pop();
                            }
                            Some(_) => {
                                return Err(self.peek_error("expected `,` or `}`").into());
                            }
                            None => return Err(self.peek_error(EOF_OBJECT).into()),
                        }
                    }
                }
            }
        }
    }

    /// An object key (at its opening quote).
    fn key(&mut self) -> Result<String, Syntax> {
        self.at += 1;
        self.string()
    }

    /// The `:` after a key.
    fn colon(&mut self) -> Result<(), Syntax> {
        match self.skip() {
            Some(b':') => {
                self.at += 1;
                Ok(())
            }
            Some(_) => Err(self.peek_error("expected `:`")),
            None => Err(self.peek_error(EOF_OBJECT)),
        }
    }

    /// A literal, number or string starting with `b` (not an array or object).
    fn scalar(&mut self, b: u8) -> Result<Value, Syntax> {
        match b {
            b'n' => self.ident("null", Value::Null),
            b't' => self.ident("true", Value::Bool(true)),
            b'f' => self.ident("false", Value::Bool(false)),
            b'-' | b'0'..=b'9' => self.number().map(Value::Number),
            b'"' => {
                self.at += 1;
                self.string().map(Value::String)
            }
            _ => Err(self.peek_error("expected value")),
        }
    }

    /// `null`, `true` or `false` (at its first letter).
    fn ident(&mut self, word: &str, value: Value) -> Result<Value, Syntax> {
        for expected in word.bytes().skip(1) {
            self.at += 1;
            match self.peek() {
                None => return Err(self.error(EOF_VALUE)),
                Some(b) if b == expected => {}
                Some(_) => {
                    self.at += 1;
                    return Err(self.error("expected ident"));
                }
            }
        }
        self.at += 1;
        Ok(value)
    }

    /// The digits from here, how many.
    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    /// A number (at its `-` or first digit), checked as serde_json checks it: an integer
    /// within 64 bits exactly, anything else kept as its text if within the f64 range.
    fn number(&mut self) -> Result<Number, Syntax> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        match self.peek() {
            None => return Err(self.error(EOF_VALUE)),
            Some(b'0') => {
                self.at += 1;
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return Err(self.peek_error("invalid number"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            Some(_) => {
                self.at += 1;
                return Err(self.error("invalid number"));
            }
        }
        let int_end = self.at;
        let mut exact = true;
        if self.peek() == Some(b'.') {
            exact = false;
            self.at += 1;
            if self.digits() == 0 {
                return Err(match self.peek() {
                    Some(_) => self.peek_error("invalid number"),
                    None => self.peek_error(EOF_VALUE),
                });
            }
        }
        let mut exp_start = None;
        if matches!(self.peek(), Some(b'e' | b'E')) {
            exact = false;
            let e_at = self.at;
            self.at += 1;
            exp_start = Some(self.at);
            let positive = self.peek() != Some(b'-');
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            match self.peek() {
                None => return Err(self.error(EOF_VALUE)),
                Some(b'0'..=b'9') => {
                    // serde_json stops at the digit that takes the exponent past `i32::MAX`:
                    // out of range there if positive and the digits before `e` are not all 0.
                    let mut exp: i32 = 0;
                    while let Some(d @ b'0'..=b'9') = self.peek() {
                        self.at += 1;
                        match exp
                            .checked_mul(10)
                            .and_then(|e| e.checked_add(i32::from(d - b'0')))
                        {
                            Some(e) => exp = e,
                            None => {
                                let mantissa = self.text.get(start..e_at).unwrap_or("");
                                let zero = !mantissa.bytes().any(|b| matches!(b, b'1'..=b'9'));
                                if positive && !zero {
                                    return Err(self.error("number out of range"));
                                }
                                self.digits();
                                break;
                            }
                        }
                    }
                }
                Some(_) => {
                    self.at += 1;
                    return Err(self.error("invalid number"));
                }
            }
        }
        let text = self.text.get(start..self.at).unwrap_or("");
        if exact {
            let digits = self
                .text
                .get(start + usize::from(negative)..int_end)
                .unwrap_or("");
            let magnitude = decimal(digits.as_bytes());
            match (negative, magnitude) {
                (false, Some(u)) => return Ok(Number::from(u)),
                (true, Some(u)) if u != 0 => {
                    if let Some(i) = 0i64.checked_sub_unsigned(u) {
                        return Ok(Number::from(i));
                    }
                }
                _ => {}
            }
        }
        let exponent = exp_start.and_then(|e| self.text.get(e..self.at));
        if too_large(
            self.text
                .get(start..exp_start.map_or(self.at, |e| e - 1))
                .unwrap_or(""),
            exponent,
        ) {
            return Err(self.error("number out of range"));
        }
        Ok(Number::other(text))
    }

    /// A string's contents (after its opening quote), through its closing quote.
    fn string(&mut self) -> Result<String, Syntax> {
        let bytes = self.text.as_bytes();
        let mut out = String::new();
        let mut run = self.at;
        loop {
            self.at += plain_len(bytes.get(self.at..).unwrap_or_default());
            let Some(&b) = bytes.get(self.at) else {
                return Err(self.error(EOF_STRING));
            };
            match b {
                b'"' => {
                    out.push_str(self.text.get(run..self.at).unwrap_or(""));
                    self.at += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(self.text.get(run..self.at).unwrap_or(""));
                    self.at += 1;
                    self.escape(&mut out)?;
                    run = self.at;
                }
                0..=0x1f => {
                    self.at += 1;
                    return Err(self.error(
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ));
                }
                _ => self.at += 1,
            }
        }
    }

    /// One escape (after its backslash).
    fn escape(&mut self, out: &mut String) -> Result<(), Syntax> {
        let Some(b) = self.peek() else {
            return Err(self.error(EOF_STRING));
        };
        self.at += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode(out),
            _ => return Err(self.error("invalid escape")),
        };
        out.push(c);
        Ok(())
    }

    /// Four hex digits.
    fn hex4(&mut self) -> Result<u32, Syntax> {
        let Some(digits) = self.text.as_bytes().get(self.at..self.at + 4) else {
            self.at = self.text.len();
            return Err(self.error(EOF_STRING));
        };
        self.at += 4;
        let mut n = 0;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.error("invalid escape")),
            };
            n = n * 16 + u32::from(v);
        }
        Ok(n)
    }

    /// A `\u` escape (after the `u`), with its trailing surrogate if it needs one.
    fn unicode(&mut self, out: &mut String) -> Result<(), Syntax> {
        const LONE: &str = "lone leading surrogate in hex escape";
        const END: &str = "unexpected end of hex escape";
        let n = self.hex4()?;
        if (0xDC00..=0xDFFF).contains(&n) {
            return Err(self.error(LONE));
        }
        let c = if (0xD800..=0xDBFF).contains(&n) {
            for expected in [b'\\', b'u'] {
                match self.peek() {
                    None => return Err(self.error(EOF_STRING)),
                    Some(b) => {
                        self.at += 1;
                        if b != expected {
                            return Err(self.error(END));
                        }
                    }
                }
            }
            let n2 = self.hex4()?;
            if !(0xDC00..=0xDFFF).contains(&n2) {
                return Err(self.error(LONE));
            }
            char::from_u32((((n - 0xD800) << 10) | (n2 - 0xDC00)) + 0x1_0000)
        } else {
            char::from_u32(n)
        };
        match c {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => Err(self.error("invalid unicode code point")),
        }
    }
}

/// How many bytes from the start of `s` a string copies as they are: up to the first `"`, `\\`
/// or control character.
fn plain_len(s: &[u8]) -> usize {
    s.iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(s.len())
}

/// Whether a number beyond 64-bit integers is too large for an f64 (serde_json refuses it):
/// `mantissa` is its sign, digits and fraction, `exponent` the digits after `e` (with a sign).
/// Decided on the decimal digits alone: no float parsing.
fn too_large(mantissa: &str, exponent: Option<&str>) -> bool {
    // Every digit in order, how many come before the point, and the first significant one.
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let int_len = mantissa
        .bytes()
        .take_while(|&b| b != b'.')
        .filter(u8::is_ascii_digit)
        .count();
    let Some(first) = digits.iter().position(|&b| b != b'0') else {
        return false;
    };
    let sig = digits.get(first..).unwrap_or_default();
    // The power of ten of the first significant digit.
    let mut power = wide(int_len) - 1 - wide(first);
    if let Some(e) = exponent {
        let (neg, e) = match e.as_bytes().split_first() {
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            _ => (false, e.as_bytes()),
        };
        let lead = e.iter().take_while(|&&b| b == b'0').count();
        // An exponent beyond 19 digits is beyond any f64 either way.
        let e = decimal(e.get(lead..).unwrap_or_default()).map_or(i64::MAX / 2, wide_u64);
        power = if neg { power - e } else { power + e };
    }
    // f64::MAX is 1.7976931348623157e308; anything from halfway to the next power of two
    // rounds to infinity. (Digits compared as text: trailing zeros only make it longer.)
    power > 308 || (power == 308 && sig >= b"17976931348623158079372897140530341507993".as_slice())
}

/// A length as an `i64` (lengths are far below `i64::MAX`).
fn wide(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX / 2)
}

/// A `u64` as an `i64`, saturating.
fn wide_u64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX / 2).min(i64::MAX / 2)
}

/// The value of ASCII digits (at most 19 of them; none is 0), or `None` past `u64`.
fn decimal(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |n, &b| {
        n.checked_mul(10)?
            .checked_add(u64::from(b.wrapping_sub(b'0')))
    })
}

/// The path steps to a repeated `key` inside the open containers.
fn path_to(stack: &[Frame], key: String) -> Vec<Step> {
    let mut steps: Vec<Step> = stack
        .iter()
        .take(stack.len().saturating_sub(1))
        .map(|f| match f {
            Frame::Array(items) => Step::Index(items.len()),
            Frame::Object(_, _, k, _) => Step::Key(k.clone()),
        })
        .collect();
    steps.push(Step::Key(key));
    steps
}

/// serde_json's line and column of an offset: the line counted from 1, the column in bytes
/// from the start of the line.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = text.as_bytes().get(..at).unwrap_or(text.as_bytes());
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let line = 1 + before.iter().take(start).filter(|&&b| b == b'\n').count();
    (line, before.len() - start)
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

/// The JSON path of a repeated key from its steps (outermost first).
fn path_of(steps: &[Step]) -> String {
    let mut path = String::from("$");
    for step in steps {
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
    let mut reader = Reader { text, at: 0 };
    reader.document().map_err(|refusal| match refusal {
        Refusal::Duplicate(steps, at) => {
            let (line, column) = line_column(text, at);
            let key = steps.last().map_or(String::new(), |s| match s {
                Step::Key(k) => shorten(k),
                Step::Index(_) => String::new(),
            });
            Diagnostic::error(
                Code::DuplicateKey,
                path_of(&steps),
                format!(
                    "duplicate key `{key}` at line {line} column {column}; a repeated key is never read as \"the last one wins\""
                ),
            )
        }
        Refusal::Syntax(Syntax(what, at)) => {
            let (line, column) = line_column(text, at);
            Diagnostic::error(
                Code::JsonSyntax,
                "$",
                format!(
                    "invalid JSON at line {line} column {column}: {what} at line {line} column {column}"
                ),
            )
        }
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
            let theirs: Result<serde_json::Value, _> = serde_json::from_str(text);
            match (ours, theirs) {
                (Ok(a), Ok(b)) => assert_eq!(serde_json::Value::from(a), b, "{text}"),
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

    /// serde_json's verdict on `text` against ours: the same value, or both refused with the
    /// same message, line and column (a repeated key, which serde_json reads as the last one
    /// wins, is refused by ours alone).
    fn agrees_with_serde_json(text: &str) -> Result<(), String> {
        let ours = parse_json(text);
        let theirs: Result<serde_json::Value, _> = serde_json::from_str(text);
        match (ours, theirs) {
            (Ok(a), Ok(b)) if serde_json::Value::from(a.clone()) == b => Ok(()),
            (Err(d), _) if d.code == Code::DuplicateKey => Ok(()),
            (Err(d), Err(e)) => {
                let want = format!(
                    "invalid JSON at line {} column {}: {e}",
                    e.line(),
                    e.column()
                );
                if d.code == Code::JsonSyntax && d.path == "$" && d.message == want {
                    Ok(())
                } else {
                    Err(format!("{text:?}: ours {d:?}, serde_json {want}"))
                }
            }
            (a, b) => Err(format!("{text:?}: ours {a:?}, serde_json {b:?}")),
        }
    }

    /// JSON texts, mostly valid, some numbers beyond 64 bits, escapes including surrogates.
    fn json_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(String::from("null")),
            Just(String::from("true")),
            Just(String::from("false")),
            any::<i64>().prop_map(|i| format!("{i}")),
            any::<u64>().prop_map(|u| format!("{u}")),
            "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,4})?([eE][+-]?[0-9]{1,3})?",
            "\"([a-z ]|\\\\[\"\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4}|\\\\u[dD][89abAB][0-9a-f]{2}\\\\u[dD][c-fC-F][0-9a-f]{2}|é|😀)*\"",
        ];
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5)
                    .prop_map(|v| format!("[{}]", v.join(" , "))),
                prop::collection::vec(("[a-c]{1,2}", inner), 0..5).prop_map(|kv| {
                    let members: Vec<String> =
                        kv.iter().map(|(k, v)| format!("\"{k}\" :{v}")).collect();
                    format!("{{\n{}}}", members.join(",\t"))
                }),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn the_parser_reads_as_serde_json_does(text in json_text()) {
            proptest::prop_assert_eq!(agrees_with_serde_json(&text), Ok(()));
        }

        #[test]
        fn a_clone_is_the_same_value(text in json_text()) {
            // `Value`'s `Clone` is written out (objects rebuilt key by key): equal, and
            // written back byte for byte the same.
            if let Ok(v) = parse_json(&text) {
                let c = v.clone();
                proptest::prop_assert_eq!(&c, &v);
                proptest::prop_assert_eq!(c.to_json(), v.to_json());
            }
        }

        #[test]
        fn and_refuses_as_serde_json_does(
            text in json_text(),
            at in 0usize..400,
            edit in 0usize..24,
        ) {
            // One character deleted, or one inserted, somewhere.
            const INSERTS: &[char] =
                &[' ', '\n', ',', ':', '[', ']', '{', '}', '"', '\\', '0', '1', '-', '.', 'e', 'x', 'n', '\u{1}', 'é'];
            let mut chars: Vec<char> = text.chars().collect();
            let at = at % (chars.len() + 1);
            match INSERTS.get(edit) {
                Some(&c) => chars.insert(at, c),
                None if at < chars.len() => {
                    chars.remove(at);
                }
                None => {}
            }
            let text: String = chars.into_iter().collect();
            proptest::prop_assert_eq!(agrees_with_serde_json(&text), Ok(()));
        }
    }

    #[test]
    fn edge_cases_agree_with_serde_json() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let deep_objects = |n: usize| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
        for text in [
            String::new(),
            String::from("   "),
            String::from("\n\n  x"),
            deep(127),
            deep(128),
            deep(129),
            deep_objects(127),
            deep_objects(128),
            String::from("1e308"),
            String::from("1.7976931348623157e308"),
            String::from("1.8e308"),
            String::from("-1e309"),
            String::from("0e999999999999999999999"),
            String::from("1e-999999999999999999999"),
            String::from("123456789012345678901234567890"),
            String::from("-9223372036854775808"),
            String::from("-9223372036854775809"),
            String::from("18446744073709551615"),
            String::from("18446744073709551616"),
            String::from("-0"),
            String::from("-0.0e5"),
            String::from("01"),
            String::from("-"),
            String::from("1."),
            String::from("1.e5"),
            String::from("1e"),
            String::from("1e+"),
            String::from("[1,]"),
            String::from("{\"a\":1,}"),
            String::from("{\"a\" 1}"),
            String::from("{1:1}"),
            String::from("{\"a\":1 \"b\":2}"),
            String::from("[1 2]"),
            String::from("nul"),
            String::from("nulx"),
            String::from("tru"),
            String::from("\"\\ud800\""),
            String::from("\"\\ud800\\u0041\""),
            String::from("\"\\ud800x\""),
            String::from("\"\\udc00\""),
            String::from("\"\\u12\""),
            String::from("\"\\u12g4\""),
            String::from("\"\\q\""),
            String::from("\"a\tb\""),
            String::from("\"abc"),
            String::from("\"\\"),
            String::from("[\"a\",\n  \"b\",\n  }"),
        ] {
            assert_eq!(agrees_with_serde_json(&text), Ok(()));
        }
    }
}
