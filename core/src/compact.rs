//! The compact bulk interface: a patient as one `i32` per fact in schema order, and the result
//! as `u32` codes, so that other systems (and the WASM package, from a typed array) can assess
//! many patients without JSON text or allocation per patient.
//!
//! **Input**, one value per fact in the order of [`Ruleset::fact_ids`]:
//! [`UNKNOWN`] (`i32::MIN`) is unknown; a `bool` is `0` or `1`; an `enum` is the option's index
//! in the declared order; an `int` is its value; a `set` is a bit mask over its options (bit `i`
//! = option `i`; sets of more than 31 options cannot be given this way and are rejected); a
//! `date` is its day number, days since 1970-01-01 ([`Date::days`](crate::Date::days)).
//!
//! **Output**, `1 + tables + requirements` codes for a checklist ([`Assessment::write_codes`]):
//! the verdict (`0` ready, `1` not ready, `2` undetermined); then, for each table of the
//! checklist in order, the index of the decided output or [`UNDECIDED`]; then, for each
//! requirement of the checklist in order, its status (`0` met, `1` not met, `2` unknown,
//! `3` not applicable). [`Ruleset::compact_layout`] names every position.

use crate::compile::Plan;
use crate::diagnostic::{Code, Diagnostic};
use crate::evaluate::Assessment;
use crate::program::Val;
use crate::report::{Status, Verdict};
use crate::ruleset::{Checklist, Ruleset};
use crate::wire::{FactKind, OutputValue};
use crate::write::write_fields;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

pub use crate::facttype::UNKNOWN;

/// The output code for a table whose output is not yet decided.
pub const UNDECIDED: u32 = u32::MAX;

/// The number of compact output codes for a checklist: verdict, tables, requirements.
pub(crate) fn codes_len(plan: &Plan) -> usize {
    1 + plan.tables.len() + plan.reqs.len()
}

/// The code of a verdict in compact output.
#[must_use]
pub fn verdict_code(v: Verdict) -> u32 {
    v.code()
}

/// The code of a requirement status in compact output.
#[must_use]
pub fn status_code(s: Status) -> u32 {
    s.code()
}

/// One fact of the compact input: its id, type and, for `enum` and `set`, option ids by index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayoutFact {
    /// The fact id.
    pub id: String,
    /// `bool`, `enum`, `int`, `set` or `date`.
    #[serde(rename = "type")]
    pub ty: FactKind,
    /// Option ids, by index (empty for types without options).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// One table of the compact output: its id and its output values by index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayoutTable {
    /// The table id.
    pub id: String,
    /// Output values, by index.
    pub outputs: Vec<OutputValue>,
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
        let plan = checklist.plan;
        let facts = self
            .facts
            .iter()
            .map(|f| LayoutFact {
                id: f.id.clone(),
                ty: f.ty.kind(),
                options: f.ty.options().to_vec(),
            })
            .collect();
        let tables = plan
            .tables
            .iter()
            .filter_map(|&t| self.tables.get(t))
            .map(|t| LayoutTable {
                id: t.id.clone(),
                outputs: t.outputs.iter().map(|o| o.value.clone()).collect(),
            })
            .collect();
        let requirements = plan
            .reqs
            .iter()
            .filter_map(|&r| self.reqs.get(r))
            .map(|r| String::from(r.id()))
            .collect();
        Layout {
            checklist: plan.id.clone(),
            facts,
            tables,
            requirements,
        }
    }

    /// Decodes one patient's compact values, handing each decoded value to `store` by fact
    /// index; every bad value is reported, located at `$[index]` with the fact id.
    pub(crate) fn decode_compact_row(
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
            match def.ty.decode_compact(&def.id, def.range, code, i) {
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

impl Assessment<'_> {
    /// The number of compact output codes for this checklist.
    #[must_use]
    pub fn codes_len(&self) -> usize {
        codes_len(self.plan())
    }

    /// Writes the compact output codes into `out` (see the module documentation) and returns
    /// how many it wrote; a short `out` receives a prefix.
    pub fn write_codes(&self, out: &mut [u32]) -> usize {
        // Plain loops over the slots (no chained iterators: the size-optimised WASM build
        // does not fuse them, and this runs once per patient).
        let mut slots = out.iter_mut();
        let mut n = 0;
        if let Some(slot) = slots.next() {
            *slot = self.verdict().code();
            n += 1;
        }
        // Tables first in the zip, so the slot after the last table is not consumed.
        for (&t, slot) in self.plan().tables.iter().zip(&mut slots) {
            *slot = self
                .table_out(t)
                .and_then(|o| u32::try_from(o).ok())
                .unwrap_or(UNDECIDED);
            n += 1;
        }
        n + self.write_req_codes(slots.into_slice())
    }
}

write_fields!(LayoutFact { "id": id, "type": ty, "options": options = skip_none });
write_fields!(LayoutTable { "id": id, "outputs": outputs });
write_fields!(Layout {
    "checklist": checklist,
    "facts": facts,
    "tables": tables,
    "requirements": requirements,
});
