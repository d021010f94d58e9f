//! Operand checking: which comparisons and operands a condition may use on a fact of each
//! type, compiled to a leaf test, every problem located at the operand's path. Dates compare
//! with a literal `YYYY-MM-DD`, another date fact or the as-of date, moved by `plus_days`.

use super::{
    all_bits, as_mask, as_val, bit, date_error, mismatch, option_index, FactType, Operand,
};
use crate::date::Date;
use crate::decode::{json_type, key_path};
use crate::diagnostic::{Code, Diagnostic};
use crate::program::{IntOp, Program, Term, Test, Val};
use crate::value::{Map, Value};
use crate::wire::CmpOp;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

impl FactType {
    /// Checks the operator and operand of a comparison on a fact of this type and compiles
    /// it to a test; every problem is located at the operand's path.
    pub(crate) fn test(
        &self,
        op: CmpOp,
        v: &Value,
        at: &Operand<'_>,
        prog: &mut Program,
    ) -> Result<Test, Vec<Diagnostic>> {
        let fact = at.fact;
        let cannot = |what: &str| {
            mismatch(
                at.path,
                format!(
                    "`{}` cannot be used on {what} fact `{}`",
                    op.as_str(),
                    at.id
                ),
            )
        };
        match self {
            FactType::Bool => match (op, v) {
                (CmpOp::Eq, Value::Bool(b)) => Ok(Test::Bool { fact, want: *b }),
                (CmpOp::Ne, Value::Bool(b)) => Ok(Test::Bool { fact, want: !*b }),
                (CmpOp::Eq | CmpOp::Ne, _) => Err(mismatch(
                    at.path,
                    format!("bool fact `{}` compares with true or false", at.id),
                )),
                _ => Err(cannot("bool")),
            },
            FactType::Enum(options) => {
                let mask = |list| option_mask(options, v, at, list);
                match op {
                    CmpOp::Eq => mask(false).map(|mask| Test::EnumIn { fact, mask }),
                    CmpOp::Ne => mask(false).map(|m| Test::EnumIn {
                        fact,
                        mask: all_bits(options.len()) & !m,
                    }),
                    CmpOp::In => mask(true).map(|mask| Test::EnumIn { fact, mask }),
                    _ => Err(cannot("enum")),
                }
            }
            FactType::Set(options) => {
                let mask = |list| option_mask(options, v, at, list);
                match op {
                    CmpOp::Eq => mask(true).map(|mask| Test::SetEq { fact, mask }),
                    CmpOp::Ne => mask(true).map(|mask| Test::SetNe { fact, mask }),
                    CmpOp::Contains => mask(false).map(|mask| Test::SetHas { fact, mask }),
                    _ => Err(cannot("set")),
                }
            }
            FactType::Int { min, max } => {
                let number = |v: &Value, path: &str| int_operand(v, path, at.id, *min, *max);
                match (op, int_op(op)) {
                    (CmpOp::In, _) => {
                        let list = each(v, at, "int (`in` needs an array)", number)?;
                        Ok(Test::IntIn {
                            fact,
                            list: prog.list(list),
                        })
                    }
                    (_, Some(op)) => number(v, at.path).map(|c| Test::Int { fact, op, c }),
                    (_, None) => Err(cannot("int")),
                }
            }
            FactType::Date => match (op, int_op(op)) {
                (CmpOp::In, _) => {
                    let list = each(v, at, "date (`in` needs an array of dates)", |v, p| {
                        date_operand(v, p, at.id)
                    })?;
                    Ok(Test::IntIn {
                        fact,
                        list: prog.list(list),
                    })
                }
                (_, Some(op)) => date_comparison(fact, op, v, at),
                (_, None) => Err(cannot("date")),
            },
        }
    }
}

/// The integer comparison of an operator, if it is one.
fn int_op(op: CmpOp) -> Option<IntOp> {
    match op {
        CmpOp::Eq => Some(IntOp::Eq),
        CmpOp::Ne => Some(IntOp::Ne),
        CmpOp::Lt => Some(IntOp::Lt),
        CmpOp::Lte => Some(IntOp::Lte),
        CmpOp::Gt => Some(IntOp::Gt),
        CmpOp::Gte => Some(IntOp::Gte),
        CmpOp::In | CmpOp::Contains => None,
    }
}

/// Each item of an array operand through `one`, every problem reported.
fn each(
    v: &Value,
    at: &Operand<'_>,
    what: &str,
    one: impl Fn(&Value, &str) -> Result<Val, Vec<Diagnostic>>,
) -> Result<Vec<Val>, Vec<Diagnostic>> {
    let Value::Array(items) = v else {
        return Err(mismatch(
            at.path,
            format!("`in` cannot be used on {what} fact `{}`", at.id),
        ));
    };
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match one(item, &format!("{}[{i}]", at.path)) {
            Ok(x) => out.push(x),
            Err(mut d) => diags.append(&mut d),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

fn int_operand(
    v: &Value,
    path: &str,
    id: &str,
    min: Val,
    max: Val,
) -> Result<Val, Vec<Diagnostic>> {
    let Some(n) = v.as_i64() else {
        return Err(mismatch(
            path,
            format!("int fact `{id}` compares with an integer"),
        ));
    };
    if n < min || n > max {
        return Err(vec![Diagnostic::error(
            Code::OperandOutOfRange,
            path,
            format!("{n} is outside the range {min}..={max} of fact `{id}`"),
        )]);
    }
    Ok(n)
}

/// A date literal operand: its day number.
fn date_operand(v: &Value, path: &str, id: &str) -> Result<Val, Vec<Diagnostic>> {
    match v {
        Value::String(s) => Date::parse(s)
            .map(|d| Val::from(d.days()))
            .map_err(|e| vec![date_error(&e, path, true)]),
        _ => Err(mismatch(
            path,
            format!("date fact `{id}` compares with a date `YYYY-MM-DD`, `{{\"as_of\": true}}` or `{{\"fact\": \"other.date\"}}`"),
        )),
    }
}

/// The most days a date offset may move: the span of accepted dates.
const MAX_OFFSET: Val = (Date::MAX.days() - Date::MIN.days()) as Val;

/// A date fact compared with a literal (an integer test on day numbers) or with a date term,
/// `{"as_of": true}` or `{"fact": "other.date"}`, moved by an optional `plus_days`.
fn date_comparison(
    fact: u32,
    op: IntOp,
    v: &Value,
    at: &Operand<'_>,
) -> Result<Test, Vec<Diagnostic>> {
    let Value::Object(map) = v else {
        return date_operand(v, at.path, at.id).map(|c| Test::Int { fact, op, c });
    };
    let mut diags = Vec::new();
    for k in map
        .keys()
        .filter(|k| !matches!(k.as_str(), "as_of" | "fact" | "plus_days"))
    {
        diags.push(
            Diagnostic::error(Code::UnknownField, key_path(at.path, k), format!("unknown field `{k}` in a date operand"))
                .with_help("a date operand is `{\"as_of\": true}` or `{\"fact\": \"id\"}`, with an optional `\"plus_days\": n`"),
        );
    }
    let other = date_term(map, at, &mut diags);
    let days = match map.get("plus_days") {
        None => 0,
        Some(n) => match n.as_i64() {
            Some(n) if n.abs() <= MAX_OFFSET => n,
            Some(n) => {
                let p = key_path(at.path, "plus_days");
                diags.push(Diagnostic::error(Code::OperandOutOfRange, p, format!("{n} days is more than the {MAX_OFFSET} days between the first and last dates accepted")));
                0
            }
            None => {
                let p = key_path(at.path, "plus_days");
                diags.push(Diagnostic::error(
                    Code::WrongType,
                    p,
                    format!(
                        "`plus_days` is a whole number of days, found {}",
                        json_type(n)
                    ),
                ));
                0
            }
        },
    };
    match other {
        Some(other) if diags.is_empty() => Ok(Test::Days {
            fact,
            other,
            op,
            // Within ±MAX_OFFSET, checked above.
            days: i32::try_from(days).unwrap_or(0),
        }),
        _ => Err(diags),
    }
}

/// The `as_of` or `fact` of a date operand object.
fn date_term(map: &Map, at: &Operand<'_>, diags: &mut Vec<Diagnostic>) -> Option<Term> {
    match (map.get("as_of"), map.get("fact")) {
        (Some(Value::Bool(true)), None) => Some(Term::AsOf),
        (Some(_), None) => {
            let p = key_path(at.path, "as_of");
            diags.push(Diagnostic::error(
                Code::InvalidValue,
                p,
                "`as_of` in a date operand is always `true`",
            ));
            None
        }
        (None, Some(Value::String(id))) => match (at.lookup)(id) {
            Some((g, FactType::Date)) => Some(Term::Fact(g)),
            Some(_) => {
                let p = key_path(at.path, "fact");
                diags.push(Diagnostic::error(
                    Code::TypeMismatch,
                    p,
                    format!(
                        "fact `{id}` is not a date: date fact `{}` compares only with dates",
                        at.id
                    ),
                ));
                None
            }
            None => {
                let p = key_path(at.path, "fact");
                diags.push(Diagnostic::error(
                    Code::UnknownFact,
                    p,
                    format!("unknown fact `{id}`"),
                ));
                None
            }
        },
        (None, Some(other)) => {
            let p = key_path(at.path, "fact");
            diags.push(Diagnostic::error(
                Code::WrongType,
                p,
                format!("expected a fact id, found {}", json_type(other)),
            ));
            None
        }
        (Some(_), Some(_)) | (None, None) => {
            diags.push(Diagnostic::error(
                Code::BadCondition,
                at.path,
                "a date operand names exactly one of `as_of` and `fact`",
            ));
            None
        }
    }
}

/// An option operand (`list`: an array of them) as a bit mask over the options.
fn option_mask(
    options: &[String],
    v: &Value,
    at: &Operand<'_>,
    list: bool,
) -> Result<u64, Vec<Diagnostic>> {
    let one = |v: &Value, p: &str| -> Result<Val, Vec<Diagnostic>> {
        let Value::String(s) = v else {
            return Err(mismatch(p, format!("expected an option id of `{}`", at.id)));
        };
        match option_index(options, s) {
            Some(i) => Ok(as_val(bit(i))),
            None => Err(vec![Diagnostic::error(
                Code::UnknownOption,
                p,
                format!("`{s}` is not an option of fact `{}`", at.id),
            )
            .with_help(format!(
                "use one of: {}",
                crate::words::join(options, ", ")
            ))]),
        }
    };
    if !list {
        return one(v, at.path).map(as_mask);
    }
    if !v.is_array() {
        return Err(mismatch(
            at.path,
            format!("expected an array of option ids of `{}`", at.id),
        ));
    }
    each(v, at, "", one).map(|bits| bits.into_iter().fold(0, |m, b| m | as_mask(b)))
}
