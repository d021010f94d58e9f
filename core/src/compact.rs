//! The compact bulk interface: a patient as one `i32` per fact in schema order, and the result
//! as `u32` codes, so that other systems (and the WASM package, from a typed array) can assess
//! many patients without JSON text or allocation per patient.
//!
//! **Input**, one value per fact in the order of [`Ruleset::fact_ids`]:
//! [`UNKNOWN`] (`i32::MIN`) is unknown; a `bool` is `0` or `1`; an `enum` is the option's index
//! in the declared order; an `int` is its value; a `set` is a bit mask over its options (bit `i`
//! = option `i`; sets of more than 31 options cannot be given this way and are rejected).
//!
//! **Output**, `1 + tables + requirements` codes for a checklist ([`Assessment::write_codes`]):
//! the verdict (`0` ready, `1` not ready, `2` undetermined); then, for each table of the
//! checklist in order, the index of the decided output or [`UNDECIDED`]; then, for each
//! requirement of the checklist in order, its status (`0` met, `1` not met, `2` unknown,
//! `3` not applicable). [`Ruleset::compact_layout`] names every position.

use crate::diagnostic::{Code, Diagnostic};
use crate::error::FactError;
use crate::evaluate::Assessment;
use crate::facts::{FactDef, FactType, Facts, Val};
use crate::report::{Status, Verdict};
use crate::ruleset::{Checklist, Ruleset};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

/// The input code for an unknown fact.
pub const UNKNOWN: i32 = i32::MIN;

/// The output code for a table whose output is not yet decided.
pub const UNDECIDED: u32 = u32::MAX;

/// The number of compact output codes for a checklist: verdict, tables, requirements.
pub(crate) fn codes_len(cl: &crate::compile::ChecklistC) -> usize {
    1 + cl.tables.len() + cl.reqs.len()
}

/// The code of a verdict in compact output.
#[must_use]
pub fn verdict_code(v: Verdict) -> u32 {
    match v {
        Verdict::Ready => 0,
        Verdict::NotReady => 1,
        Verdict::Undetermined => 2,
    }
}

/// The code of a requirement status in compact output.
#[must_use]
pub fn status_code(s: Status) -> u32 {
    match s {
        Status::Met => 0,
        Status::NotMet => 1,
        Status::Unknown => 2,
        Status::NotApplicable => 3,
    }
}

/// One fact of the compact input: its id, type and, for `enum` and `set`, option ids by index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayoutFact {
    /// The fact id.
    pub id: String,
    /// `bool`, `enum`, `int` or `set`.
    #[serde(rename = "type")]
    pub ty: &'static str,
    /// Option ids, by index (empty for `bool` and `int`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// One table of the compact output: its id and its output values by index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayoutTable {
    /// The table id.
    pub id: String,
    /// Output values, by index.
    pub outputs: Vec<crate::wire::OutputValue>,
}

/// What every position of the compact input and output means, for one checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    /// The checklist id.
    pub checklist: String,
    /// The input: one value per fact, in this order.
    pub facts: Vec<LayoutFact>,
    /// Output positions `1..=tables.len()`.
    pub tables: Vec<LayoutTable>,
    /// Output positions after the tables: requirement ids.
    pub requirements: Vec<String>,
}

impl Layout {
    /// The number of output codes: verdict, tables, requirements.
    #[must_use]
    pub fn output_len(&self) -> usize {
        1 + self.tables.len() + self.requirements.len()
    }
}

impl Ruleset {
    /// The meaning of each compact input and output position for `checklist`.
    #[must_use]
    pub fn compact_layout(&self, checklist: Checklist<'_>) -> Layout {
        let cl = checklist.c;
        let facts = self
            .facts
            .iter()
            .map(|f| {
                let (ty, options) = match &f.ty {
                    FactType::Bool => ("bool", Vec::new()),
                    FactType::Enum(o) => ("enum", o.clone()),
                    FactType::Int { .. } => ("int", Vec::new()),
                    FactType::Set(o) => ("set", o.clone()),
                };
                LayoutFact {
                    id: f.id.clone(),
                    ty,
                    options,
                }
            })
            .collect();
        let tables = cl
            .tables
            .iter()
            .filter_map(|&t| self.doc.tables.get(t))
            .map(|t| LayoutTable {
                id: t.id.clone(),
                outputs: t.outputs.iter().map(|o| o.value.clone()).collect(),
            })
            .collect();
        let requirements = cl
            .reqs
            .iter()
            .filter_map(|&r| self.doc.requirements.get(r))
            .map(|r| r.id.clone())
            .collect();
        Layout {
            checklist: cl.id.clone(),
            facts,
            tables,
            requirements,
        }
    }
}

impl FactDef {
    /// The range a known compact value of this fact must lie in: `0..=1` for a bool, the
    /// option indices for an enum, the declared range for an int, the masks of its options for
    /// a set (sets of 31 options or more accept none: `lo > hi`). The one-patient decoder and
    /// the batch loader both check against it.
    pub(crate) fn compact_range(&self) -> (i64, i64) {
        let count = |o: &[String]| i64::try_from(o.len()).unwrap_or(i64::MAX);
        match &self.ty {
            FactType::Bool => (0, 1),
            FactType::Enum(o) => (0, count(o) - 1),
            FactType::Int { min, max } => (*min, *max),
            FactType::Set(o) if o.len() >= 31 => (1, 0),
            FactType::Set(o) => (0, (1i64 << o.len()) - 1),
        }
    }

    /// Decodes one compact value for this fact.
    fn decode_compact(&self, code: i32, index: usize) -> Result<Option<Val>, Diagnostic> {
        if code == UNKNOWN {
            return Ok(None);
        }
        let v = i64::from(code);
        let (lo, hi) = self.compact_range();
        if (lo..=hi).contains(&v) {
            return Ok(Some(match &self.ty {
                FactType::Bool => Val::Bool(v == 1),
                FactType::Enum(_) => Val::Enum(u8::try_from(v).unwrap_or(u8::MAX)),
                FactType::Int { .. } => Val::Int(v),
                FactType::Set(_) => Val::Set(u64::try_from(v).unwrap_or(0)),
            }));
        }
        let id = &self.id;
        let (c, message) = match &self.ty {
            FactType::Bool => (
                Code::WrongType,
                format!("fact `{id}` is true or false, given as 1 or 0, but the value is {code}"),
            ),
            FactType::Enum(options) => (
                Code::UnknownOption,
                format!(
                    "{code} is not an option index of fact `{id}` (0..{})",
                    options.len()
                ),
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
                format!(
                    "bit mask {code} names options fact `{id}` does not have ({} options)",
                    options.len()
                ),
            ),
        };
        Err(Diagnostic::error(c, format!("$[{index}]"), message).with_rule(id.clone()))
    }
}

impl Ruleset {
    /// Decodes one patient's compact values, handing each decoded value to `store` by fact
    /// index; every bad value is reported, located at `$[index]` with the fact id.
    fn decode_compact_row(
        &self,
        values: &[i32],
        mut store: impl FnMut(usize, Option<Val>),
    ) -> Result<(), Vec<Diagnostic>> {
        let n = self.facts.len();
        if values.len() != n {
            return Err(alloc::vec![Diagnostic::error(
                Code::WrongType,
                "$",
                format!(
                    "expected {n} values (one per fact, in schema order), found {}",
                    values.len()
                ),
            )
            .with_help("see the compact layout of the ruleset for the order")]);
        }
        let mut bad = Vec::new();
        for (i, (def, &code)) in self.facts.iter().zip(values).enumerate() {
            match def.decode_compact(code, i) {
                Ok(v) => store(i, v),
                Err(d) => bad.push(d),
            }
        }
        if bad.is_empty() {
            Ok(())
        } else {
            Err(bad)
        }
    }

    /// Checks one patient's compact values without storing them.
    pub(crate) fn check_compact(&self, values: &[i32]) -> Result<(), Vec<Diagnostic>> {
        self.decode_compact_row(values, |_, _| {})
    }
}

impl Facts {
    /// Facts from compact values (see the module documentation).
    ///
    /// # Errors
    /// As [`Facts::set_compact`].
    pub fn from_compact(ruleset: &Ruleset, values: &[i32]) -> Result<Facts, FactError> {
        let mut facts = Facts::unknown(ruleset);
        facts.set_compact(ruleset, values)?;
        Ok(facts)
    }

    /// Replaces every answer with compact values, reusing this buffer (no allocation once
    /// sized). Every bad value is reported, located at `$[index]` with the fact id; on error
    /// every answer is unknown, so a half-read patient is never assessed.
    ///
    /// # Errors
    /// [`FactError::Invalid`]: `WRONG_TYPE` (wrong length, or a bool not 0/1),
    /// `UNKNOWN_OPTION`, `OUT_OF_RANGE`.
    pub fn set_compact(&mut self, ruleset: &Ruleset, values: &[i32]) -> Result<(), FactError> {
        self.values.clear();
        self.values.resize(ruleset.facts.len(), None);
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
            .map(|(i, _)| match self.values.get(i).copied().flatten() {
                None => UNKNOWN,
                Some(Val::Bool(b)) => i32::from(b),
                Some(Val::Enum(o)) => i32::from(o),
                Some(Val::Int(v)) => i32::try_from(v).unwrap_or(UNKNOWN),
                Some(Val::Set(m)) => i32::try_from(m).unwrap_or(UNKNOWN),
            })
            .collect()
    }
}

impl Assessment<'_> {
    /// The number of compact output codes for this checklist.
    #[must_use]
    pub fn codes_len(&self) -> usize {
        codes_len(self.checklist())
    }

    /// Writes the compact output codes into `out` (see the module documentation) and returns
    /// how many it wrote; a short `out` receives a prefix.
    pub fn write_codes(&self, out: &mut [u32]) -> usize {
        let verdict = core::iter::once(verdict_code(self.verdict()));
        let tables = self.checklist().tables.iter().map(|&t| {
            self.table_out(t)
                .and_then(|o| u32::try_from(o).ok())
                .unwrap_or(UNDECIDED)
        });
        let reqs = self.req_statuses().map(status_code);
        let mut n = 0;
        for (slot, code) in out.iter_mut().zip(verdict.chain(tables).chain(reqs)) {
            *slot = code;
            n += 1;
        }
        n
    }
}
