//! A JSON value as the engine reads it (rulesets, overlays, facts, answers): the engine's own
//! type, so the WASM build needs no serde_json. Objects are ordered maps (keys sorted, as
//! serde_json's default `Map`), so every walk over a document is deterministic. Numbers keep
//! what the engine accepts exactly (every 64-bit integer); any other number (a fraction, an
//! exponent, `-0`, an integer beyond 64 bits) keeps the text it was written as, for messages
//! (no float parsing or printing in the engine). Written back as compact JSON
//! ([`Value::to_json`], `Display`) by the engine's writer, byte for byte as serde_json writes
//! the same value (numbers that are not integers excepted: written as they were read). With
//! the `serde_json` feature, values convert to and from `serde_json::Value`.

use crate::write::WriteJson;
use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// A JSON object: keys in sorted order, in a vector sorted by key (a repeated key is refused
/// by the parser). A sorted vector where a `BTreeMap` was: the engine builds an object once
/// and then reads it, and in the WASM build the B-tree's node code was its last instantiation
/// (about 5.5 KB before gzip).
pub type Map = crate::index::IdMap<Value>;

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

/// A JSON number: a 64-bit integer, or the text of any other number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number(N);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum N {
    /// A non-negative integer.
    Pos(u64),
    /// A negative integer.
    Neg(i64),
    /// Any other number, as written (valid JSON number text, finite).
    Other(Box<str>),
}

impl Number {
    /// A number from its valid JSON text that is not a 64-bit integer (the parser's).
    pub(crate) fn other(text: &str) -> Number {
        Number(N::Other(Box::from(text)))
    }

    /// The number as an `i64`, if it is an integer in that range.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self.0 {
            N::Pos(u) => i64::try_from(u).ok(),
            N::Neg(i) => Some(i),
            N::Other(_) => None,
        }
    }

    /// The number as a `u64`, if it is a non-negative integer in that range.
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        match self.0 {
            N::Pos(u) => Some(u),
            _ => None,
        }
    }

    /// Whether the number is a non-negative integer in the `u64` range.
    #[must_use]
    pub fn is_u64(&self) -> bool {
        matches!(self.0, N::Pos(_))
    }

    /// Whether the number is an integer in the `i64` range.
    #[must_use]
    pub fn is_i64(&self) -> bool {
        self.as_i64().is_some()
    }

    /// Whether the number is a zero written with a minus sign (`-0`, `-0.0`, `-0e5`).
    #[must_use]
    pub fn is_negative_zero(&self) -> bool {
        match &self.0 {
            N::Other(t) => {
                t.starts_with('-')
                    && t.bytes()
                        .take_while(|b| !matches!(b, b'e' | b'E'))
                        .all(|b| matches!(b, b'-' | b'0' | b'.'))
            }
            _ => false,
        }
    }

    /// The text of a number that is not a 64-bit integer, as written.
    #[must_use]
    pub fn as_text(&self) -> Option<&str> {
        match &self.0 {
            N::Other(t) => Some(t),
            _ => None,
        }
    }
}

impl From<u64> for Number {
    fn from(u: u64) -> Number {
        Number(N::Pos(u))
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        match u64::try_from(i) {
            Ok(u) => Number(N::Pos(u)),
            Err(_) => Number(N::Neg(i)),
        }
    }
}

impl WriteJson for Number {
    fn write_json(&self, out: &mut String) {
        match &self.0 {
            N::Pos(u) => u.write_json(out),
            N::Neg(i) => i.write_json(out),
            N::Other(t) => out.push_str(t),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_json(&mut s);
        f.write_str(&s)
    }
}

impl Value {
    /// The string, if this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as an `i64`, if this is an integer in that range.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The number as a `u64`, if this is a non-negative integer in that range.
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The items, if this is an array.
    #[must_use]
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The members, if this is an object.
    #[must_use]
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Whether this is `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether this is an array.
    #[must_use]
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }

    /// Whether this is an object.
    #[must_use]
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// Whether this is a string.
    #[must_use]
    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    /// The member `key`, if this is an object that has it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|m| m.get(key))
    }
}

/// A JSON value an engine entry point accepts: the engine's [`Value`], or with the
/// `serde_json` feature a `serde_json::Value` (converted).
pub trait AsValue {
    /// The value as the engine's own.
    fn as_value(&self) -> Cow<'_, Value>;
}

impl AsValue for Value {
    fn as_value(&self) -> Cow<'_, Value> {
        Cow::Borrowed(self)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::Number(Number::from(u64::from(n)))
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Number(Number::from(n))
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(Number::from(n))
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(String::from(s))
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::Array(items)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Object(m)
    }
}

impl WriteJson for Value {
    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => b.write_json(out),
            Value::Number(n) => n.write_json(out),
            Value::String(s) => crate::write::string(out, s),
            Value::Array(items) => items.write_json(out),
            Value::Object(m) => m.write_json(out),
        }
    }
}

/// Compact JSON, as serde_json's `Display` for its `Value` writes it.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl Value {
    /// The value as compact JSON text.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut s = String::new();
        self.write_json(&mut s);
        s
    }
}

/// The serde form: the JSON value itself (a number that is not a 64-bit integer as an `f64`).
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap as _, SerializeSeq as _};
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => match &n.0 {
                N::Pos(u) => s.serialize_u64(*u),
                N::Neg(i) => s.serialize_i64(*i),
                N::Other(t) => s.serialize_f64(t.parse().unwrap_or(0.0)),
            },
            Value::String(t) => s.serialize_str(t),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Object(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(feature = "serde_json")]
mod interop {
    //! Conversions to and from `serde_json::Value` (feature `serde_json`).
    use super::{Number, Value, N};
    use alloc::string::String;

    impl From<serde_json::Value> for Value {
        fn from(v: serde_json::Value) -> Value {
            match v {
                serde_json::Value::Null => Value::Null,
                serde_json::Value::Bool(b) => Value::Bool(b),
                serde_json::Value::Number(n) => Value::Number(Number::from(&n)),
                serde_json::Value::String(s) => Value::String(s),
                serde_json::Value::Array(a) => {
                    Value::Array(a.into_iter().map(Value::from).collect())
                }
                serde_json::Value::Object(m) => {
                    Value::Object(m.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
                }
            }
        }
    }

    impl From<&serde_json::Value> for Value {
        fn from(v: &serde_json::Value) -> Value {
            Value::from(v.clone())
        }
    }

    impl super::AsValue for serde_json::Value {
        fn as_value(&self) -> alloc::borrow::Cow<'_, Value> {
            alloc::borrow::Cow::Owned(Value::from(self))
        }
    }

    impl From<&serde_json::Number> for Number {
        fn from(n: &serde_json::Number) -> Number {
            if let Some(u) = n.as_u64() {
                Number(N::Pos(u))
            } else if let Some(i) = n.as_i64() {
                Number(N::Neg(i))
            } else {
                // serde_json writes a float as its shortest round-trip text.
                Number::other(&serde_json::to_string(n).unwrap_or_default())
            }
        }
    }

    impl From<Value> for serde_json::Value {
        fn from(v: Value) -> serde_json::Value {
            match v {
                Value::Null => serde_json::Value::Null,
                Value::Bool(b) => serde_json::Value::Bool(b),
                Value::Number(n) => serde_json::Value::Number(serde_json::Number::from(&n)),
                Value::String(s) => serde_json::Value::String(s),
                Value::Array(a) => {
                    serde_json::Value::Array(a.into_iter().map(serde_json::Value::from).collect())
                }
                Value::Object(m) => serde_json::Value::Object(
                    m.into_iter()
                        .map(|(k, v)| (k, serde_json::Value::from(v)))
                        .collect::<serde_json::Map<String, serde_json::Value>>(),
                ),
            }
        }
    }

    impl From<&Value> for serde_json::Value {
        fn from(v: &Value) -> serde_json::Value {
            serde_json::Value::from(v.clone())
        }
    }

    impl From<&Number> for serde_json::Number {
        fn from(n: &Number) -> serde_json::Number {
            match &n.0 {
                N::Pos(u) => serde_json::Number::from(*u),
                N::Neg(i) => serde_json::Number::from(*i),
                // Valid JSON number text: serde_json reads it as it would have read the input
                // (the parser refused any number outside the f64 range).
                N::Other(t) => {
                    serde_json::from_str(t).unwrap_or_else(|_| serde_json::Number::from(0u8))
                }
            }
        }
    }

    impl<'de> serde::Deserialize<'de> for Value {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
            serde_json::Value::deserialize(d).map(Value::from)
        }
    }
}

crate::compiled::bin_enum! {
    N { 0 => Pos(u), 1 => Neg(i), 2 => Other(s) }
}

impl crate::compiled::Bin for Number {
    fn put(&self, w: &mut crate::compiled::Writer) {
        self.0.put(w);
    }
    fn get(r: &mut crate::compiled::Reader<'_>) -> Self {
        Number(N::get(r))
    }
}
