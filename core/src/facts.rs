//! The fact schema as compiled, and a patient's answers validated against it. An absent fact
//! or `null` is unknown; unknown is never false.

use crate::decode::{json_type, key_path, parse_json};
use crate::diagnostic::{Code, Diagnostic};
use crate::error::FactError;
use crate::ruleset::Ruleset;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use serde_json::{Map, Value};

/// The compiled type of a fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FactType {
    Bool,
    Enum(Vec<String>),
    Int { min: i64, max: i64 },
    Set(Vec<String>),
}

/// A compiled fact declaration.
#[derive(Debug, Clone)]
pub(crate) struct FactDef {
    pub id: String,
    pub ty: FactType,
    pub section: usize,
    pub asked_when: Option<crate::condition::NodeId>,
}

/// A typed answer. Options are stored by index; a set as a bit mask over its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Val {
    Bool(bool),
    Enum(u8),
    Int(i64),
    Set(u64),
}

/// One patient's answers, validated against a ruleset's fact schema and stored by fact index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    pub(crate) values: Vec<Option<Val>>,
}

impl FactDef {
    fn option_index(options: &[String], id: &str) -> Option<u8> {
        options
            .iter()
            .position(|o| o == id)
            .and_then(|i| u8::try_from(i).ok())
    }

    /// Validates one JSON value for this fact. `Ok(None)` is unknown (`null`).
    pub(crate) fn parse(&self, v: &Value, path: &str) -> Result<Option<Val>, Diagnostic> {
        let wrong = |expected: &str| {
            Diagnostic::error(
                Code::WrongType,
                path,
                format!(
                    "fact `{}` is {} but the value is {}",
                    self.id,
                    expected,
                    json_type(v)
                ),
            )
            .with_rule(self.id.clone())
            .with_help(format!("give {expected}, or null if not known"))
        };
        let unknown_option = |o: &str, options: &[String]| {
            Diagnostic::error(
                Code::UnknownOption,
                path,
                format!("`{o}` is not an option of fact `{}`", self.id),
            )
            .with_rule(self.id.clone())
            .with_help(format!("use one of: {}", options.join(", ")))
        };
        match (&self.ty, v) {
            (_, Value::Null) => Ok(None),
            (FactType::Bool, Value::Bool(b)) => Ok(Some(Val::Bool(*b))),
            (FactType::Bool, _) => Err(wrong("true or false")),
            (FactType::Enum(options), Value::String(s)) => Self::option_index(options, s)
                .map(|i| Some(Val::Enum(i)))
                .ok_or_else(|| unknown_option(s, options)),
            (FactType::Enum(_), _) => Err(wrong("an option id string")),
            (FactType::Int { min, max }, Value::Number(n)) => {
                let Some(i) = n.as_i64() else {
                    return Err(wrong("an integer"));
                };
                if i < *min || i > *max {
                    return Err(Diagnostic::error(
                        Code::OutOfRange,
                        path,
                        format!(
                            "{i} is outside the range {min}..={max} of fact `{}`",
                            self.id
                        ),
                    )
                    .with_rule(self.id.clone()));
                }
                Ok(Some(Val::Int(i)))
            }
            (FactType::Int { .. }, _) => Err(wrong("an integer")),
            (FactType::Set(options), Value::Array(items)) => {
                let mut mask = 0u64;
                for (i, item) in items.iter().enumerate() {
                    let ipath = format!("{path}[{i}]");
                    let Value::String(s) = item else {
                        return Err(Diagnostic::error(
                            Code::WrongType,
                            ipath,
                            format!(
                                "set items of fact `{}` are option id strings, found {}",
                                self.id,
                                json_type(item)
                            ),
                        )
                        .with_rule(self.id.clone()));
                    };
                    let Some(bit) = Self::option_index(options, s) else {
                        let mut d = unknown_option(s, options);
                        d.path = ipath;
                        return Err(d);
                    };
                    let flag = 1u64 << bit;
                    if mask & flag != 0 {
                        return Err(Diagnostic::error(
                            Code::DuplicateOption,
                            ipath,
                            format!("option `{s}` is listed twice"),
                        )
                        .with_rule(self.id.clone()));
                    }
                    mask |= flag;
                }
                Ok(Some(Val::Set(mask)))
            }
            (FactType::Set(_), _) => Err(wrong("an array of option ids")),
        }
    }

    /// The JSON form of a typed value.
    pub(crate) fn to_json(&self, v: Val) -> Value {
        let opt = |options: &[String], i: u32| {
            options
                .get(i as usize)
                .map_or(Value::Null, |s| Value::String(s.clone()))
        };
        match (&self.ty, v) {
            (_, Val::Bool(b)) => Value::Bool(b),
            (_, Val::Int(i)) => Value::from(i),
            (FactType::Enum(options), Val::Enum(i)) => opt(options, u32::from(i)),
            (FactType::Set(options), Val::Set(mask)) => Value::Array(
                (0..64u32)
                    .filter(|b| mask & (1u64 << b) != 0)
                    .map(|b| opt(options, b))
                    .collect(),
            ),
            _ => Value::Null,
        }
    }
}

impl Facts {
    /// Facts with every answer unknown, for `ruleset`.
    #[must_use]
    pub fn unknown(ruleset: &Ruleset) -> Facts {
        Facts {
            values: vec![None; ruleset.facts.len()],
        }
    }

    /// Parses and validates a JSON object of answers (`{"fact.id": value | null}`), reporting
    /// every problem.
    ///
    /// # Errors
    /// [`FactError::Invalid`] with a located diagnostic for each bad entry: `JSON_SYNTAX`,
    /// `WRONG_TYPE`, `UNKNOWN_FACT`, `UNKNOWN_OPTION`, `OUT_OF_RANGE`, `DUPLICATE_OPTION`, `TOO_LARGE`.
    pub fn from_json(ruleset: &Ruleset, text: &str) -> Result<Facts, FactError> {
        let value = parse_json(text).map_err(|d| FactError::Invalid {
            diagnostics: vec![d],
        })?;
        Facts::from_value(ruleset, &value)
    }

    /// Validates a JSON value of answers; see [`Facts::from_json`].
    ///
    /// # Errors
    /// As [`Facts::from_json`], without `JSON_SYNTAX`.
    pub fn from_value(ruleset: &Ruleset, value: &Value) -> Result<Facts, FactError> {
        let Value::Object(map) = value else {
            let d = Diagnostic::error(
                Code::WrongType,
                "$",
                format!(
                    "facts must be a JSON object of fact id to value, found {}",
                    json_type(value)
                ),
            );
            return Err(FactError::Invalid {
                diagnostics: vec![d],
            });
        };
        let mut facts = Facts::unknown(ruleset);
        let mut diagnostics = Vec::new();
        for (key, v) in map {
            let path = key_path("$", key);
            if let Err(d) = facts.set_at(ruleset, key, v, &path) {
                diagnostics.push(d);
            }
        }
        if diagnostics.is_empty() {
            Ok(facts)
        } else {
            Err(FactError::Invalid { diagnostics })
        }
    }

    fn set_at(
        &mut self,
        ruleset: &Ruleset,
        id: &str,
        v: &Value,
        path: &str,
    ) -> Result<(), Diagnostic> {
        let Some(&index) = ruleset.fact_index.get(id) else {
            return Err(
                Diagnostic::error(Code::UnknownFact, path, format!("unknown fact `{id}`"))
                    .with_help("use a fact id declared in the ruleset; see its schema"),
            );
        };
        let def = ruleset
            .facts
            .get(index)
            .ok_or_else(|| Diagnostic::error(Code::UnknownFact, path, "fact index out of range"))?;
        let val = def.parse(v, path)?;
        if self.values.len() < ruleset.facts.len() {
            self.values.resize(ruleset.facts.len(), None);
        }
        if let Some(slot) = self.values.get_mut(index) {
            *slot = val;
        }
        Ok(())
    }

    /// Sets one answer (`null` makes it unknown). On error the facts are unchanged.
    ///
    /// # Errors
    /// [`FactError::Invalid`] with one diagnostic located at `$["fact.id"]`.
    pub fn set(&mut self, ruleset: &Ruleset, id: &str, value: &Value) -> Result<(), FactError> {
        self.set_at(ruleset, id, value, &key_path("$", id))
            .map_err(|d| FactError::Invalid {
                diagnostics: vec![d],
            })
    }

    /// Makes one answer unknown.
    ///
    /// # Errors
    /// [`FactError::Invalid`] (`UNKNOWN_FACT`) when the ruleset has no such fact.
    pub fn clear(&mut self, ruleset: &Ruleset, id: &str) -> Result<(), FactError> {
        self.set(ruleset, id, &Value::Null)
    }

    /// The known answers as a JSON object (keys sorted).
    #[must_use]
    pub fn to_value(&self, ruleset: &Ruleset) -> Value {
        let mut map = Map::new();
        for (def, v) in ruleset.facts.iter().zip(&self.values) {
            if let Some(v) = v {
                map.insert(def.id.clone(), def.to_json(*v));
            }
        }
        Value::Object(map)
    }

    /// The number of known answers.
    #[must_use]
    pub fn known_count(&self) -> usize {
        self.values.iter().filter(|v| v.is_some()).count()
    }

    /// The ids of known facts, in schema order.
    #[must_use]
    pub fn known_ids<'r>(&self, ruleset: &'r Ruleset) -> Vec<&'r str> {
        ruleset
            .facts
            .iter()
            .zip(&self.values)
            .filter(|(_, v)| v.is_some())
            .map(|(d, _)| d.id.as_str())
            .collect()
    }
}
