//! Conditions as written: `all`, `any`, `not`, `at_least`, comparisons on a fact or a
//! decision, `known` and `ref`, each problem located; nesting is bounded.

use super::{json_type, key_path, Decoder, Obj, MAX_DEPTH};
use crate::diagnostic::{Code, Diagnostic};
use crate::value::{Map, Value};
use crate::wire::{CmpOp, ConditionDoc};
use crate::words::Word;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

impl Decoder {
    /// Decodes a condition; `depth` counts nesting from 1.
    pub(crate) fn condition(
        &mut self,
        v: &Value,
        path: &str,
        depth: usize,
    ) -> Option<ConditionDoc> {
        if depth > MAX_DEPTH {
            self.err(
                Code::NestingTooDeep,
                path,
                format!("condition nested deeper than {MAX_DEPTH} levels"),
            );
            return None;
        }
        let map = match v {
            Value::Bool(b) => return Some(ConditionDoc::Const(*b)),
            Value::Object(map) => map,
            other => {
                self.err(
                    Code::BadCondition,
                    path,
                    format!(
                        "expected a condition object or true/false, found {}",
                        json_type(other)
                    ),
                );
                return None;
            }
        };
        let has = |k: &str| map.contains_key(k);
        if has("fact") || has("decision") {
            return self.comparison(map, path);
        }
        let ops = ["all", "any", "not", "at_least", "known", "ref"];
        let present: Vec<&str> = ops.iter().copied().filter(|k| has(k)).collect();
        let [op] = present.as_slice() else {
            let msg = if present.is_empty() {
                let keys: Vec<&str> = map.keys().map(String::as_str).collect();
                format!(
                    "no operator in condition (keys: {})",
                    crate::words::join(&keys, ", ")
                )
            } else {
                format!(
                    "several operators in one condition: {}",
                    crate::words::join(&present, ", ")
                )
            };
            self.err(Code::BadCondition, path, msg);
            return None;
        };
        let op = *op;
        if map.len() > 1 {
            for k in map.keys().filter(|k| k.as_str() != op) {
                self.err(
                    Code::UnknownField,
                    &key_path(path, k),
                    format!("unknown field `{k}` beside `{op}`"),
                );
            }
        }
        let inner = map.get(op)?;
        let ipath = key_path(path, op);
        match op {
            "all" | "any" => {
                let items = self.array(inner, &ipath)?;
                let parts = self.conditions(items, &ipath, depth)?;
                Some(if op == "all" {
                    ConditionDoc::All(parts)
                } else {
                    ConditionDoc::Any(parts)
                })
            }
            "not" => Some(ConditionDoc::Not(Box::new(self.condition(
                inner,
                &ipath,
                depth + 1,
            )?))),
            "at_least" => {
                let o = self.object(inner, &ipath, &["n", "of"])?;
                let n = self
                    .field(&o, "n", true)
                    .and_then(|v| self.int(v, &key_path(&ipath, "n")));
                let of_path = key_path(&ipath, "of");
                let of = self
                    .field(&o, "of", true)
                    .and_then(|v| self.array(v, &of_path));
                let (n, of) = (n?, of?);
                let parts = self.conditions(of, &of_path, depth)?;
                match u32::try_from(n) {
                    Ok(n) if n >= 1 && (n as usize) <= parts.len() => {
                        Some(ConditionDoc::AtLeast(n, parts))
                    }
                    _ => {
                        self.err(
                            Code::AtLeastRange,
                            &key_path(&ipath, "n"),
                            format!("`n` is {n} but there are {} parts", parts.len()),
                        );
                        None
                    }
                }
            }
            "known" => Some(ConditionDoc::Known(self.string(inner, &ipath)?)),
            _ => Some(ConditionDoc::Ref(self.string(inner, &ipath)?)),
        }
    }

    pub(super) fn conditions(
        &mut self,
        items: &[Value],
        path: &str,
        depth: usize,
    ) -> Option<Vec<ConditionDoc>> {
        let before = self.diags.len();
        let parts = self.each_item(items, path, |d, c, p| d.condition(c, p, depth + 1));
        (self.diags.len() == before).then_some(parts)
    }

    pub(super) fn comparison(&mut self, map: &Map, path: &str) -> Option<ConditionDoc> {
        let subject = if map.contains_key("fact") {
            "fact"
        } else {
            "decision"
        };
        if map.contains_key("fact") && map.contains_key("decision") {
            self.err(
                Code::BadCondition,
                path,
                "a condition has both `fact` and `decision`".into(),
            );
            return None;
        }
        let mut op = None;
        for key in map.keys().filter(|k| k.as_str() != subject) {
            match CmpOp::from_word(key) {
                Some(o) if op.is_none() => op = Some(o),
                Some(_) => {
                    self.err(
                        Code::BadCondition,
                        path,
                        "several comparison operators in one condition".into(),
                    );
                    return None;
                }
                None => self.err(
                    Code::UnknownField,
                    &key_path(path, key),
                    format!("unknown field `{key}`"),
                ),
            }
        }
        let Some(op) = op else {
            self.diags.push(
                Diagnostic::error(
                    Code::BadCondition,
                    path,
                    format!("`{subject}` without a comparison operator"),
                )
                .with_help("add one of eq, ne, in, lt, lte, gt, gte, contains"),
            );
            return None;
        };
        let id = self.string(map.get(subject)?, &key_path(path, subject))?;
        let operand = map.get(op.as_str())?.clone();
        Some(if subject == "fact" {
            ConditionDoc::Fact(id, op, operand)
        } else {
            ConditionDoc::Decision(id, op, operand)
        })
    }

    pub(super) fn cond_field(
        &mut self,
        o: &Obj<'_>,
        key: &str,
        required: bool,
    ) -> Option<ConditionDoc> {
        let v = self.field(o, key, required)?;
        self.condition(v, &key_path(&o.path, key), 1)
    }
}
