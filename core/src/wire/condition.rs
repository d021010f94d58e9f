//! Conditions as written, and the comparison operators: kept as authored (operands as JSON
//! values, checked against the fact's type at load) and written back canonically.

use crate::words::words;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

words! {
    /// A comparison operator.
    #[non_exhaustive]
    pub enum CmpOp {
        /// Equal.
        Eq = "eq",
        /// Not equal.
        Ne = "ne",
        /// One of a list.
        In = "in",
        /// Less than (for dates: before).
        Lt = "lt",
        /// Less than or equal (for dates: on or before).
        Lte = "lte",
        /// Greater than (for dates: after).
        Gt = "gt",
        /// Greater than or equal (for dates: on or after).
        Gte = "gte",
        /// Set membership.
        Contains = "contains",
    }
}

/// A condition as written.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ConditionDoc {
    /// `true` or `false`.
    Const(bool),
    /// `{"all": [...]}`.
    All(Vec<ConditionDoc>),
    /// `{"any": [...]}`.
    Any(Vec<ConditionDoc>),
    /// `{"not": c}`.
    Not(Box<ConditionDoc>),
    /// `{"at_least": {"n": n, "of": [...]}}`.
    AtLeast(u32, Vec<ConditionDoc>),
    /// `{"fact": id, op: operand}`.
    Fact(String, CmpOp, crate::value::Value),
    /// `{"known": id}`.
    Known(String),
    /// `{"ref": name}`.
    Ref(String),
    /// `{"decision": table, op: operand}`.
    Decision(String, CmpOp, crate::value::Value),
}

impl ConditionDoc {
    /// The condition as its JSON value.
    #[must_use]
    pub fn to_value(&self) -> crate::value::Value {
        use crate::value::{Map, Value};
        let list =
            |cs: &[ConditionDoc]| Value::Array(cs.iter().map(ConditionDoc::to_value).collect());
        let mut m = Map::new();
        match self {
            ConditionDoc::Const(b) => return Value::Bool(*b),
            ConditionDoc::All(cs) => {
                m.insert("all".into(), list(cs));
            }
            ConditionDoc::Any(cs) => {
                m.insert("any".into(), list(cs));
            }
            ConditionDoc::Not(c) => {
                m.insert("not".into(), c.to_value());
            }
            ConditionDoc::AtLeast(n, cs) => {
                let mut inner = Map::new();
                inner.insert("n".into(), Value::from(*n));
                inner.insert("of".into(), list(cs));
                m.insert("at_least".into(), Value::Object(inner));
            }
            ConditionDoc::Fact(id, op, v) => {
                m.insert("fact".into(), Value::String(id.clone()));
                m.insert(op.as_str().into(), v.clone());
            }
            ConditionDoc::Known(id) => {
                m.insert("known".into(), Value::String(id.clone()));
            }
            ConditionDoc::Ref(id) => {
                m.insert("ref".into(), Value::String(id.clone()));
            }
            ConditionDoc::Decision(id, op, v) => {
                m.insert("decision".into(), Value::String(id.clone()));
                m.insert(op.as_str().into(), v.clone());
            }
        }
        Value::Object(m)
    }
}

impl Serialize for ConditionDoc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}
