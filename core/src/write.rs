//! The JSON writer for everything the engine answers (reports, session updates, errors): a
//! [`WriteJson`] trait and the [`json_struct!`] macro that declares a struct once and derives
//! both its serde form and its writer from that declaration. The writer gives byte for byte
//! what serde_json's compact serialiser gives (a test compares them on every golden scenario
//! and thousands of random reports), but runs several times faster on reports that are mostly
//! long text (most text needs no escaping and is copied whole), and keeps serde's serialiser
//! for these types out of the WASM build.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

/// A value that writes itself as compact JSON, exactly as serde_json would.
pub(crate) trait WriteJson {
    /// Appends the value as compact JSON.
    fn write_json(&self, out: &mut String);
}

/// Appends `s` as a JSON string, escaping as serde_json does: `"` and `\`, the short escapes
/// `\b \f \n \r \t`, other control characters as `\u00xx`; everything else as is.
pub(crate) fn string(out: &mut String, s: &str) {
    out.push('"');
    // No early exit, so the scan compiles to wide compares over the whole text.
    let plain = !s.bytes().fold(false, |acc, b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.push_str(s);
    } else {
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if u32::from(c) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

/// Appends `,"key":` (or `"key":` for the first field of an object). Not inlined: one call
/// per field is smaller than the pushes in every writer (WASM size).
#[inline(never)]
pub(crate) fn key(out: &mut String, first: &mut bool, k: &str) {
    out.push_str(if core::mem::take(first) { "\"" } else { ",\"" });
    out.push_str(k);
    out.push_str("\":");
}

/// Appends an object of word counts, `{"word":n,…}`, leaving out the words counted zero
/// times (a [`crate::report::Tally`]); `words` and `counts` pair up in order.
pub(crate) fn counts(out: &mut String, words: &mut dyn Iterator<Item = &str>, counts: &[u32]) {
    out.push('{');
    let mut first = true;
    for (w, n) in words.zip(counts) {
        if *n > 0 {
            key(out, &mut first, w);
            let _ = write!(out, "{n}");
        }
    }
    out.push('}');
}

/// A field that can be absent: `None`, or an empty list. Fields declared `= skip_none` are
/// left out when absent.
pub(crate) trait Absent {
    /// Whether the value is absent.
    fn absent(&self) -> bool;
}

impl<T> Absent for Option<T> {
    #[inline]
    fn absent(&self) -> bool {
        self.is_none()
    }
}

impl<T> Absent for Vec<T> {
    #[inline]
    fn absent(&self) -> bool {
        self.is_empty()
    }
}

impl<K, V> Absent for BTreeMap<K, V> {
    #[inline]
    fn absent(&self) -> bool {
        self.is_empty()
    }
}

/// `false` is absent (a flag written only when set).
impl Absent for bool {
    #[inline]
    fn absent(&self) -> bool {
        !*self
    }
}

/// A value as compact JSON text.
pub(crate) fn to_json<T: WriteJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

impl WriteJson for str {
    fn write_json(&self, out: &mut String) {
        string(out, self);
    }
}

impl WriteJson for String {
    fn write_json(&self, out: &mut String) {
        string(out, self);
    }
}

impl<T: WriteJson + ?Sized> WriteJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl WriteJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

/// Appends `n` in decimal (the digits `Display` gives), without going through `core::fmt`.
fn decimal(out: &mut String, negative: bool, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            // `n % 10` is below 10: the cast keeps every bit.
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    if negative {
        out.push('-');
    }
    for &d in digits.get(at..).unwrap_or(&[]) {
        out.push(char::from(d));
    }
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl WriteJson for $t {
            fn write_json(&self, out: &mut String) {
                decimal(out, false, u64::try_from(*self).unwrap_or(u64::MAX));
            }
        }
    )*};
}
unsigned!(u32, u64, usize);

impl WriteJson for i64 {
    fn write_json(&self, out: &mut String) {
        decimal(out, *self < 0, self.unsigned_abs());
    }
}

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: WriteJson> WriteJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, x) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            x.write_json(out);
        }
        out.push(']');
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

/// Map keys: written as JSON strings.
pub(crate) trait Key {
    /// The key's text.
    fn key(&self) -> &str;
}

impl Key for String {
    fn key(&self) -> &str {
        self
    }
}

impl<W: crate::words::Word> Key for W {
    fn key(&self) -> &str {
        self.word()
    }
}

impl<K: Key, V: WriteJson> WriteJson for BTreeMap<K, V> {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        for (i, (k, v)) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(out, k.key());
            out.push(':');
            v.write_json(out);
        }
        out.push('}');
    }
}

/// An object whose keys keep the order given (serialised as a JSON object, like a map).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Pairs<K, V>(pub Vec<(K, V)>);

impl<K: AsRef<str>, V: serde::Serialize> serde::Serialize for Pairs<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k.as_ref(), v)))
    }
}

impl<K: AsRef<str>, V: WriteJson> WriteJson for Pairs<K, V> {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(out, k.as_ref());
            out.push(':');
            v.write_json(out);
        }
        out.push('}');
    }
}

/// Any serde value, written through serde_json (for [`crate::json::ok`]).
#[cfg(feature = "serde_json")]
pub(crate) struct Serde<'a, T: ?Sized>(pub &'a T);

#[cfg(feature = "serde_json")]
impl<T: serde::Serialize + ?Sized> WriteJson for Serde<'_, T> {
    fn write_json(&self, out: &mut String) {
        match serde_json::to_string(self.0) {
            Ok(text) => out.push_str(&text),
            Err(_) => out.push_str("null"),
        }
    }
}

/// Declares a struct once: the struct (with its attributes), serde `Serialize` in field order,
/// and a [`WriteJson`] impl writing the same fields in the same order (add
/// `#[derive(serde::Deserialize)]` among the attributes to read it back). A field followed by
/// `= skip_none` is an `Option` (or a `Vec`) left out when absent or empty (serde's
/// `skip_serializing_if`, with `default`). One lifetime parameter is allowed.
macro_rules! json_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident $(<$lt:lifetime>)? {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty $(= $skip:ident)? ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Serialize)]
        $vis struct $name $(<$lt>)? {
            $(
                $(#[$fmeta])*
                $(
                    #[serde(default, skip_serializing_if = "crate::write::Absent::absent")]
                    #[cfg_attr(any(), doc = stringify!($skip))]
                )?
                $fvis $field: $ty,
            )+
        }

        impl $(<$lt>)? $crate::write::WriteJson for $name $(<$lt>)? {
            fn write_json(&self, out: &mut alloc::string::String) {
                out.push('{');
                let mut first = true;
                $( $crate::write::json_struct!(@field out, first, self, $field $(, $skip)?); )+
                out.push('}');
            }
        }
    };
    (@field $out:ident, $first:ident, $self:ident, $field:ident) => {
        $crate::write::key($out, &mut $first, stringify!($field));
        $crate::write::WriteJson::write_json(&$self.$field, $out);
    };
    (@field $out:ident, $first:ident, $self:ident, $field:ident, skip_none) => {
        if !$crate::write::Absent::absent(&$self.$field) {
            $crate::write::key($out, &mut $first, stringify!($field));
            $crate::write::WriteJson::write_json(&$self.$field, $out);
        }
    };
}

pub(crate) use json_struct;

/// A [`WriteJson`] impl for a struct declared elsewhere (with serde attributes of its own):
/// `Type { "name": field, "other": field = skip_none, … }`, fields written in the order given
/// under the names given, a field marked `= skip_none` left out when [`Absent`]. Each use is
/// checked against serde_json's output for the same value by a test.
macro_rules! write_fields {
    ($ty:ty { $( $name:literal : $field:ident $(= $skip:ident)? ),+ $(,)? }) => {
        impl $crate::write::WriteJson for $ty {
            fn write_json(&self, out: &mut alloc::string::String) {
                out.push('{');
                let mut first = true;
                $( $crate::write::write_fields!(@field out, first, self, $name, $field $(, $skip)?); )+
                out.push('}');
            }
        }
    };
    (@field $out:ident, $first:ident, $self:ident, $name:literal, $field:ident) => {
        $crate::write::key($out, &mut $first, $name);
        $crate::write::WriteJson::write_json(&$self.$field, $out);
    };
    (@field $out:ident, $first:ident, $self:ident, $name:literal, $field:ident, skip_none) => {
        if !$crate::write::Absent::absent(&$self.$field) {
            $crate::write::key($out, &mut $first, $name);
            $crate::write::WriteJson::write_json(&$self.$field, $out);
        }
    };
}

pub(crate) use write_fields;

#[cfg(test)]
mod tests {
    use super::WriteJson;
    use alloc::format;
    use alloc::string::String;

    /// Numbers are written exactly as `Display` writes them, at every width and both ends.
    #[test]
    fn numbers_match_display() {
        let json = |v: &dyn WriteJson| {
            let mut s = String::new();
            v.write_json(&mut s);
            s
        };
        for v in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            99,
            100,
            12_345,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            assert_eq!(json(&v), format!("{v}"));
        }
        for v in [0, 7, 10, 4_294_967_295u64, u64::MAX] {
            assert_eq!(json(&v), format!("{v}"));
        }
        for v in [0, 5, 1_000_000, u32::MAX] {
            assert_eq!(json(&v), format!("{v}"));
        }
        assert_eq!(json(&usize::MAX), format!("{}", usize::MAX));
        let mut p = 1u64;
        while let Some(next) = p.checked_mul(10) {
            assert_eq!(json(&p), format!("{p}"));
            assert_eq!(json(&(p - 1)), format!("{}", p - 1));
            p = next;
        }
    }
}
