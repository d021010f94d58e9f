//! Every fact type in one place — `bool`, `enum`, `int`, `set` and `date` — with all it means
//! to the engine: what a declaration must say, how a patient's JSON value is read and written
//! back, its compact code and valid range, how its values lie in the batch path's lanes, the
//! candidate values the lints enumerate, and which comparisons and operands a condition may
//! use on it (checked at load, each problem located). Adding a fact type means adding it here
//! (and its name in `wire.rs` and the docs); operand checking is in `operand.rs`.

mod operand;

use crate::date::{Date, DateError};
use crate::decode::json_type;
use crate::diagnostic::{Code, Diagnostic};
use crate::program::Val;
use crate::value::Value;
use crate::wire::{FactDoc, FactKind};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

/// The compact input code for an unknown fact.
pub const UNKNOWN: i32 = i32::MIN;

/// The compiled type of a fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FactType {
    Bool,
    Enum(Vec<String>),
    Int { min: Val, max: Val },
    Set(Vec<String>),
    Date,
}

/// How a fact's values lie in the batch path's lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// One bit plane: the value is true.
    Flag,
    /// One plane per option: the value is that option.
    OneOf(usize),
    /// One plane per option: the value has that option.
    SomeOf(usize),
    /// No planes: compared lane by lane from a column of numbers.
    Number,
}

/// Where a comparison's operand is, for [`FactType::test`].
pub(crate) struct Operand<'a> {
    /// The fact compared.
    pub fact: u32,
    /// Its id, for messages.
    pub id: &'a str,
    /// The JSON path of the operand.
    pub path: &'a str,
    /// Looks up another fact by id (for date operands naming one).
    pub lookup: &'a dyn Fn(&str) -> Option<(u32, &'a FactType)>,
}

fn bit(i: usize) -> u64 {
    if i < 64 {
        1u64 << i
    } else {
        0
    }
}

fn all_bits(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

fn as_val(mask: u64) -> Val {
    Val::from_ne_bytes(mask.to_ne_bytes())
}

fn as_mask(v: Val) -> u64 {
    u64::from_ne_bytes(v.to_ne_bytes())
}

fn mismatch(path: &str, message: String) -> Vec<Diagnostic> {
    vec![Diagnostic::error(Code::TypeMismatch, path, message)]
}

impl FactType {
    /// The type a declaration asks for, and every problem with the declaration.
    pub(crate) fn declare(f: &FactDoc) -> (FactType, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let options = declared_options(f, &mut diags);
        let ty = match f.kind {
            FactKind::Bool => FactType::Bool,
            FactKind::Enum => FactType::Enum(options),
            FactKind::Set => FactType::Set(options),
            FactKind::Date => FactType::Date,
            FactKind::Int => match (f.min, f.max) {
                (Some(min), Some(max)) if min <= max => FactType::Int { min, max },
                _ => {
                    diags.push(Diagnostic::error(
                        Code::InvalidRange,
                        f.origin.path.clone(),
                        format!("int fact `{}` needs `min` <= `max`", f.id),
                    ));
                    FactType::Int {
                        min: Val::MIN,
                        max: Val::MAX,
                    }
                }
            },
        };
        if f.kind != FactKind::Int && (f.min.is_some() || f.max.is_some() || f.unit.is_some()) {
            diags.push(Diagnostic::error(
                Code::TypeMismatch,
                f.origin.path.clone(),
                "`min`, `max` and `unit` are only for int facts",
            ));
        }
        (ty, diags)
    }

    /// The type's wire name.
    pub(crate) fn kind(&self) -> FactKind {
        match self {
            FactType::Bool => FactKind::Bool,
            FactType::Enum(_) => FactKind::Enum,
            FactType::Int { .. } => FactKind::Int,
            FactType::Set(_) => FactKind::Set,
            FactType::Date => FactKind::Date,
        }
    }

    /// Option ids, by index (empty for types without options).
    pub(crate) fn options(&self) -> &[String] {
        match self {
            FactType::Enum(o) | FactType::Set(o) => o,
            FactType::Bool | FactType::Int { .. } | FactType::Date => &[],
        }
    }

    /// Validates a patient's JSON value for fact `id` at `path`. `Ok(None)` is unknown (`null`).
    pub(crate) fn parse(&self, id: &str, v: &Value, path: &str) -> Result<Option<Val>, Diagnostic> {
        let wrong = |expected: &str| {
            Diagnostic::error(
                Code::WrongType,
                path,
                format!(
                    "fact `{id}` is {expected} but the value is {}",
                    json_type(v)
                ),
            )
            .with_rule(id)
            .with_help(format!("give {expected}, or null if not known"))
        };
        match (self, v) {
            (_, Value::Null) => Ok(None),
            (FactType::Bool, Value::Bool(b)) => Ok(Some(Val::from(*b))),
            (FactType::Bool, _) => Err(wrong("true or false")),
            (FactType::Enum(options), Value::String(s)) => option_index(options, s)
                .map(|i| Some(as_val(i as u64)))
                .ok_or_else(|| unknown_option(id, s, options, path)),
            (FactType::Enum(_), _) => Err(wrong("an option id string")),
            (FactType::Int { min, max }, Value::Number(n)) => {
                let Some(i) = n.as_i64() else {
                    return Err(not_an_int(id, n, (*min, *max), path));
                };
                if i < *min || i > *max {
                    return Err(Diagnostic::error(
                        Code::OutOfRange,
                        path,
                        format!("{i} is outside the range {min}..={max} of fact `{id}`"),
                    )
                    .with_rule(id));
                }
                Ok(Some(i))
            }
            (FactType::Int { .. }, _) => Err(wrong("an integer")),
            (FactType::Set(options), Value::Array(items)) => {
                parse_set(id, options, items, path).map(|m| Some(as_val(m)))
            }
            (FactType::Set(_), _) => Err(wrong("an array of option ids")),
            (FactType::Date, Value::String(s)) => Date::parse(s)
                .map(|d| Some(Val::from(d.days())))
                .map_err(|e| date_error(&e, path, false).with_rule(id)),
            (FactType::Date, _) => Err(wrong("a date string YYYY-MM-DD")),
        }
    }

    /// The JSON form of a known value.
    pub(crate) fn to_json(&self, v: Val) -> Value {
        let opt = |options: &[String], i: usize| {
            options
                .get(i)
                .map_or(Value::Null, |s| Value::String(s.clone()))
        };
        match self {
            FactType::Bool => Value::Bool(v != 0),
            FactType::Int { .. } => Value::from(v),
            FactType::Enum(options) => opt(options, usize::try_from(v).unwrap_or(usize::MAX)),
            FactType::Set(options) => Value::Array(
                (0..options.len().min(64))
                    .filter(|b| as_mask(v) & bit(*b) != 0)
                    .map(|b| opt(options, b))
                    .collect(),
            ),
            FactType::Date => date_value(v).map_or(Value::Null, |d| Value::String(d.to_string())),
        }
    }

    /// A constant of this type in words, for explanations (`2026-03-01`, `[a, b]`, `7`).
    pub(crate) fn show(&self, v: Val) -> String {
        match self {
            FactType::Date => date_value(v).map_or_else(|| v.to_string(), |d| d.to_string()),
            FactType::Enum(options) | FactType::Set(options) => {
                let mask = match self {
                    FactType::Enum(_) => bit(usize::try_from(v).unwrap_or(64)),
                    _ => as_mask(v),
                };
                show_options(options, mask)
            }
            FactType::Bool => (v != 0).to_string(),
            FactType::Int { .. } => v.to_string(),
        }
    }

    /// The range a known compact value must lie in: `0..=1` for a bool, the option indices for
    /// an enum, the declared range for an int, the masks of its options for a set (sets of 31
    /// options or more accept none: `lo > hi`), day numbers of [`Date::MIN`]..=[`Date::MAX`]
    /// for a date. The one-patient decoder and the batch loader both check against it.
    #[inline]
    pub(crate) fn compact_range(&self) -> (Val, Val) {
        let count = |o: &[String]| Val::try_from(o.len()).unwrap_or(Val::MAX);
        match self {
            FactType::Bool => (0, 1),
            FactType::Enum(o) => (0, count(o) - 1),
            FactType::Int { min, max } => (*min, *max),
            FactType::Set(o) if o.len() >= 31 => (1, 0),
            FactType::Set(o) => (0, (1 << o.len()) - 1),
            FactType::Date => (Val::from(Date::MIN.days()), Val::from(Date::MAX.days())),
        }
    }

    /// [`FactType::compact_range`] as `i32` bounds, which a compact value is compared with
    /// directly: the same values accepted (`(1, 0)`, none, where no `i32` is in range).
    pub(crate) fn compact_bounds(&self) -> (i32, i32) {
        let (lo, hi) = self.compact_range();
        match (
            i32::try_from(lo.max(i32::MIN.into())),
            i32::try_from(hi.min(i32::MAX.into())),
        ) {
            (Ok(lo), Ok(hi)) => (lo, hi),
            _ => (1, 0),
        }
    }

    /// Decodes fact `id`'s compact value, found at position `index` of a patient's values;
    /// `(lo, hi)` are the fact's [`FactType::compact_bounds`], computed once at load.
    pub(crate) fn decode_compact(
        &self,
        id: &str,
        (lo, hi): (i32, i32),
        code: i32,
        index: usize,
    ) -> Result<Option<Val>, Diagnostic> {
        if code == UNKNOWN {
            return Ok(None);
        }
        let v = Val::from(code);
        if (lo..=hi).contains(&code) {
            return Ok(Some(v));
        }
        // `v` is `code` as an i64: the same number, formatted with the one signed Display
        // the WASM build keeps.
        let (c, message) = match self {
            FactType::Bool => (
                Code::WrongType,
                format!("fact `{id}` is true or false, given as 1 or 0, but the value is {v}"),
            ),
            FactType::Enum(options) => (
                Code::UnknownOption,
                format!("{v} is not an option index of fact `{id}` (0..{})", options.len()),
            ),
            FactType::Int { min, max } => (
                Code::OutOfRange,
                format!("{v} is outside the range {min}..={max} of fact `{id}`"),
            ),
            FactType::Set(options) if options.len() >= 31 => (
                Code::WrongType,
                format!(
                    "fact `{id}` has {} options, too many for a compact bit mask (31 at most); give it as JSON",
                    options.len()
                ),
            ),
            FactType::Set(options) => (
                Code::UnknownOption,
                format!("bit mask {v} names options fact `{id}` does not have ({} options)", options.len()),
            ),
            FactType::Date => (
                Code::OutOfRange,
                format!(
                    "day number {v} of fact `{id}` is outside {}..={} ({}..={})",
                    Val::from(lo),
                    Val::from(hi),
                    Date::MIN,
                    Date::MAX
                ),
            ),
        };
        Err(Diagnostic::error(c, format!("$[{index}]"), message).with_rule(id))
    }

    /// The compact code of a known value (the inverse of [`FactType::decode_compact`]).
    pub(crate) fn to_compact(&self, v: Val) -> i32 {
        i32::try_from(v).unwrap_or(UNKNOWN)
    }

    /// How the values lie in the batch path's lanes.
    pub(crate) fn shape(&self) -> Shape {
        match self {
            FactType::Bool => Shape::Flag,
            FactType::Enum(o) => Shape::OneOf(o.len()),
            // Sets too wide for a compact mask accept no known value (see `compact_range`).
            FactType::Set(o) if o.len() >= 31 => Shape::SomeOf(0),
            FactType::Set(o) => Shape::SomeOf(o.len()),
            FactType::Int { .. } | FactType::Date => Shape::Number,
        }
    }

    /// The candidate values of a fact for the exact lints: every value that can change a
    /// comparison's outcome, given the constants compared with it anywhere (`None` when too
    /// many to enumerate).
    #[cfg(feature = "lint")]
    pub(crate) fn domain(&self, constants: &[Val]) -> Option<Vec<Val>> {
        Some(match self {
            FactType::Bool => vec![0, 1],
            FactType::Enum(o) => (0..o.len()).filter_map(|i| Val::try_from(i).ok()).collect(),
            FactType::Set(o) if o.len() > 12 => return None,
            FactType::Set(o) => (0..1u64 << o.len()).map(as_val).collect(),
            FactType::Int { .. } | FactType::Date => {
                let (min, max) = self.compact_range();
                let mut pts = vec![min, max];
                for &c in constants {
                    for p in [c.saturating_sub(1), c, c.saturating_add(1)] {
                        if (min..=max).contains(&p) {
                            pts.push(p);
                        }
                    }
                }
                pts.sort_unstable();
                pts.dedup();
                pts
            }
        })
    }
}

/// A date that is not accepted, as a located diagnostic: `INVALID_DATE` for text that is no
/// calendar day, `OPERAND_OUT_OF_RANGE` (in a rule) or `OUT_OF_RANGE` (in a patient's facts)
/// for a day outside the accepted range.
pub(crate) fn date_error(e: &DateError, path: &str, operand: bool) -> Diagnostic {
    match e {
        DateError::OutOfRange(_) if operand => {
            Diagnostic::error(Code::OperandOutOfRange, path, e.to_string())
        }
        DateError::OutOfRange(_) => Diagnostic::error(Code::OutOfRange, path, e.to_string()),
        _ => Diagnostic::error(Code::InvalidDate, path, e.to_string()),
    }
}

fn date_value(v: Val) -> Option<Date> {
    i32::try_from(v).ok().and_then(Date::from_days)
}

fn option_index(options: &[String], id: &str) -> Option<usize> {
    options.iter().position(|o| o == id).filter(|i| *i < 64)
}

fn unknown_option(id: &str, o: &str, options: &[String], path: &str) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownOption,
        path,
        format!("`{o}` is not an option of fact `{id}`"),
    )
    .with_rule(id)
    .with_help(format!("use one of: {}", crate::words::join(options, ", ")))
}

/// A patient's set value: distinct option ids.
fn parse_set(id: &str, options: &[String], items: &[Value], path: &str) -> Result<u64, Diagnostic> {
    let mut mask = 0u64;
    for (i, item) in items.iter().enumerate() {
        let ipath = format!("{path}[{i}]");
        let Value::String(s) = item else {
            return Err(Diagnostic::error(
                Code::WrongType,
                ipath,
                format!(
                    "set items of fact `{id}` are option id strings, found {}",
                    json_type(item)
                ),
            )
            .with_rule(id));
        };
        let flag =
            bit(option_index(options, s).ok_or_else(|| unknown_option(id, s, options, &ipath))?);
        if mask & flag != 0 {
            return Err(Diagnostic::error(
                Code::DuplicateOption,
                ipath,
                format!("option `{s}` is listed twice"),
            )
            .with_rule(id));
        }
        mask |= flag;
    }
    Ok(mask)
}

/// Option ids of a mask, in words: `[a, b]`.
pub(crate) fn show_options(options: &[String], mask: u64) -> String {
    let names: Vec<&str> = options
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & bit(*i) != 0)
        .map(|(_, s)| s.as_str())
        .collect();
    format!("[{}]", crate::words::join(&names, ", "))
}

/// A declaration's options, checked: present exactly for `enum` and `set`, 1 to 64 of them,
/// no id twice.
fn declared_options(f: &FactDoc, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let wants = matches!(f.kind, FactKind::Enum | FactKind::Set);
    let path = format!("{}.options", f.origin.path);
    let Some(options) = &f.options else {
        if wants {
            let msg = format!("{} fact `{}` has no options", f.kind.as_str(), f.id);
            diags.push(Diagnostic::error(
                Code::EmptyOptions,
                f.origin.path.clone(),
                msg,
            ));
        }
        return Vec::new();
    };
    if !wants {
        diags.push(Diagnostic::error(
            Code::TypeMismatch,
            path,
            "`options` are only for enum and set facts",
        ));
        return Vec::new();
    }
    if options.is_empty() {
        diags.push(Diagnostic::error(
            Code::EmptyOptions,
            path,
            format!("fact `{}` has no options", f.id),
        ));
    } else if options.len() > 64 {
        let msg = format!("fact `{}` has {} options", f.id, options.len());
        diags.push(Diagnostic::error(Code::TooManyOptions, path, msg));
    }
    for (i, opt) in options.iter().enumerate() {
        if options.iter().take(i).any(|o| o.id == opt.id) {
            let p = format!("{}.options[{i}].id", f.origin.path);
            diags.push(Diagnostic::error(
                Code::DuplicateId,
                p,
                format!("duplicate option `{}`", opt.id),
            ));
        }
    }
    options.iter().map(|o| o.id.clone()).collect()
}

/// Why a JSON number is not a value of an `int` fact: a whole number beyond the 64-bit range
/// (`18446744073709551615`) is out of range; a number written with a fraction or an exponent,
/// or a negative zero (`-0`, which JSON reads as a floating-point number), is not an integer.
fn not_an_int(
    id: &str,
    n: &crate::value::Number,
    (min, max): (i64, i64),
    path: &str,
) -> Diagnostic {
    let text = number_text(n);
    if n.is_u64() {
        return Diagnostic::error(
            Code::OutOfRange,
            path,
            format!("{text} is too large: outside the range {min}..={max} of fact `{id}`"),
        )
        .with_rule(id);
    }
    let zero = n.is_negative_zero();
    let what = if zero {
        String::from("`-0` (a negative zero)")
    } else {
        format!("`{text}`, a number with a fraction or an exponent")
    };
    Diagnostic::error(
        Code::WrongType,
        path,
        format!("fact `{id}` is an integer but the value is {what}"),
    )
    .with_rule(id)
    .with_help(if zero {
        "write 0 without the minus sign, or null if not known"
    } else {
        "give a whole number written without a fraction or exponent, or null if not known"
    })
}

/// A JSON number as written back: an integer in digits, any other number as it was written.
pub(crate) fn number_text(n: &crate::value::Number) -> String {
    let mut out = String::new();
    crate::write::WriteJson::write_json(n, &mut out);
    out
}
