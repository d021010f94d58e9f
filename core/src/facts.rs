//! One patient's evaluation input: the answers, validated against the ruleset's fact schema
//! (an absent fact or `null` is unknown; unknown is never false), and the as-of date the
//! caller assesses them on (the engine reads no clock).

use crate::date::Date;
use crate::decode::{json_type, key_path};
use crate::diagnostic::{Code, Diagnostic};
use crate::error::FactError;
use crate::facttype::{FactType, UNKNOWN};
use crate::parse::parse_json;
use crate::program::Val;
use crate::ruleset::Ruleset;
use crate::value::{AsValue, Map, Value};
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// A compiled fact declaration.
#[derive(Debug, Clone)]
pub(crate) struct FactDef {
    pub id: String,
    pub ty: FactType,
    /// The compact values it accepts ([`FactType::compact_range`] within `i32`; `lo > hi`
    /// accepts none), kept beside the type so loading a patient compares each value with two
    /// numbers instead of matching on the type.
    pub range: (i32, i32),
    /// Position of its section in the declared order.
    pub section: usize,
    /// Its section's id.
    pub section_id: String,
    /// The question as staff read it.
    pub question: String,
    /// Root of its `asked_when` condition.
    pub asked_when: Option<u32>,
}

/// One patient's answers, validated against a ruleset's fact schema and stored by fact index,
/// and the date they are assessed on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    pub(crate) values: Vec<Option<Val>>,
    pub(crate) as_of: Option<Date>,
}

impl Facts {
    /// Facts with every answer unknown, for `ruleset`.
    #[must_use]
    pub fn unknown(ruleset: &Ruleset) -> Facts {
        Facts {
            values: vec![None; ruleset.facts.len()],
            as_of: None,
        }
    }

    /// Parses and validates a JSON object of answers (`{"fact.id": value | null}`), reporting
    /// every problem.
    ///
    /// # Errors
    /// [`FactError::Invalid`] with a located diagnostic for each bad entry: `JSON_SYNTAX`,
    /// `WRONG_TYPE`, `UNKNOWN_FACT`, `UNKNOWN_OPTION`, `OUT_OF_RANGE`, `DUPLICATE_OPTION`,
    /// `INVALID_DATE`, `TOO_LARGE`, `DUPLICATE_KEY`.
    pub fn from_json(ruleset: &Ruleset, text: &str) -> Result<Facts, FactError> {
        let value = parse_json(text).map_err(|d| FactError::Invalid {
            diagnostics: vec![d],
        })?;
        Facts::from_map(ruleset, &value)
    }

    /// Validates a JSON value of answers (the engine's [`Value`], or with the `serde_json`
    /// feature a `serde_json::Value`); see [`Facts::from_json`].
    ///
    /// # Errors
    /// As [`Facts::from_json`], without `JSON_SYNTAX`.
    pub fn from_value<V: AsValue + ?Sized>(
        ruleset: &Ruleset,
        value: &V,
    ) -> Result<Facts, FactError> {
        Facts::from_map(ruleset, &value.as_value())
    }

    /// [`Facts::from_value`] for the engine's own value.
    fn from_map(ruleset: &Ruleset, value: &Value) -> Result<Facts, FactError> {
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
        let mut more = 0usize;
        for (key, v) in map {
            if diagnostics.len() >= crate::diagnostic::MAX_DIAGNOSTICS {
                // Past the cap, only count: no path or message is built.
                more += usize::from(facts.set_at(ruleset, key, v, "$").is_err());
                continue;
            }
            // The path is written only for an answer refused (a refused answer changes
            // nothing, so it is read again with its path): building it for every answer was
            // half of this function's instructions.
            if facts.set_at(ruleset, key, v, "$").is_err() {
                let path = key_path("$", &crate::parse::clip(key));
                if let Err(d) = facts.set_at(ruleset, key, v, &path) {
                    diagnostics.push(d);
                }
            }
        }
        crate::diagnostic::cap(&mut diagnostics, more);
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
        let Some((index, def)) = ruleset.fact(id) else {
            return Err(Diagnostic::error(
                Code::UnknownFact,
                path,
                format!("unknown fact `{}`", crate::parse::shorten(id)),
            )
            .with_help("use a fact id declared in the ruleset; see its schema"));
        };
        let val = def.ty.parse(&def.id, v, path)?;
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
    pub fn set<V: AsValue + ?Sized>(
        &mut self,
        ruleset: &Ruleset,
        id: &str,
        value: &V,
    ) -> Result<(), FactError> {
        let value = value.as_value();
        // The located path is formatted only when there is an error to locate (a failed
        // `set_at` changes nothing, so trying again with the path gives the same error).
        self.set_at(ruleset, id, &value, "$")
            .or_else(|_| self.set_at(ruleset, id, &value, &key_path("$", id)))
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

    /// The date the answers are assessed on ("today" for the caller), or `None`: then every
    /// comparison with the as-of date is unknown (never false).
    #[must_use]
    pub fn as_of(&self) -> Option<Date> {
        self.as_of
    }

    /// Sets (or, with `None`, forgets) the as-of date.
    pub fn set_as_of(&mut self, as_of: Option<Date>) {
        self.as_of = as_of;
    }

    /// These facts assessed on `as_of`.
    #[must_use]
    pub fn with_as_of(mut self, as_of: Option<Date>) -> Facts {
        self.as_of = as_of;
        self
    }

    /// The known answers as a JSON object (keys sorted).
    #[must_use]
    pub fn to_value(&self, ruleset: &Ruleset) -> Value {
        let mut map = Map::new();
        for (def, v) in ruleset.facts.iter().zip(&self.values) {
            if let Some(v) = v {
                map.insert(def.id.clone(), def.ty.to_json(*v));
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

    /// Facts from compact values (one `i32` per fact in schema order, see [`crate::compact`]).
    ///
    /// # Errors
    /// As [`Facts::set_compact`].
    pub fn from_compact(ruleset: &Ruleset, values: &[i32]) -> Result<Facts, FactError> {
        let mut facts = Facts::unknown(ruleset);
        facts.set_compact(ruleset, values)?;
        Ok(facts)
    }

    /// Replaces every answer with compact values, reusing this buffer (no allocation once
    /// sized; the as-of date is kept). Every bad value is reported, located at `$[index]` with
    /// the fact id; on error every answer is unknown, so a half-read patient is never assessed.
    ///
    /// # Errors
    /// [`FactError::Invalid`]: `WRONG_TYPE` (wrong length, or a bool not 0/1),
    /// `UNKNOWN_OPTION`, `OUT_OF_RANGE`.
    pub fn set_compact(&mut self, ruleset: &Ruleset, values: &[i32]) -> Result<(), FactError> {
        // Sized once: every slot is written below (no clearing pass per patient).
        self.values.resize(ruleset.facts.len(), None);
        // The common case first: every value within its fact's range, stored in one pass.
        if values.len() == ruleset.facts.len() {
            let mut fits = true;
            for ((slot, def), &code) in self.values.iter_mut().zip(&ruleset.facts).zip(values) {
                if code == UNKNOWN {
                    *slot = None;
                    continue;
                }
                let (lo, hi) = def.range;
                if code < lo || code > hi {
                    fits = false;
                    break;
                }
                *slot = Some(Val::from(code));
            }
            if fits {
                return Ok(());
            }
            self.values.iter_mut().for_each(|v| *v = None);
        }
        // Otherwise every problem, located.
        let slots = &mut self.values;
        let decoded = ruleset.decode_compact_row(values, |i, v| {
            if let Some(slot) = slots.get_mut(i) {
                *slot = v;
            }
        });
        decoded.map_err(|diagnostics| {
            self.values.iter_mut().for_each(|v| *v = None);
            FactError::Invalid { diagnostics }
        })
    }

    /// The answers as compact values (the inverse of [`Facts::set_compact`]).
    #[must_use]
    pub fn to_compact(&self, ruleset: &Ruleset) -> Vec<i32> {
        ruleset
            .facts
            .iter()
            .enumerate()
            .map(|(i, def)| {
                self.values
                    .get(i)
                    .copied()
                    .flatten()
                    .map_or(UNKNOWN, |v| def.ty.to_compact(v))
            })
            .collect()
    }
}
