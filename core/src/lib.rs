#![doc = include_str!("../README.md")]
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::alloc_instead_of_core
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// The engine, in the order data flows through it (see ARCHITECTURE.md).
#[cfg(feature = "lint")]
mod analysis;
mod batch;
#[cfg(feature = "bundled")]
#[cfg_attr(docsrs, doc(cfg(feature = "bundled")))]
pub mod bundled;
pub mod compact;
mod compile;
mod compiled;
mod decode;
mod evaluate;
pub mod explain;
pub mod facts;
mod facttype;
pub mod json;
mod jump;
mod lanes;
mod overlay;
mod parse;
mod program;
pub mod report;
pub mod ruleset;
pub mod schema;
pub mod wire;

// Shared vocabulary.
mod bits;
mod date;
pub mod diagnostic;
pub mod error;
mod hash;
mod index;
pub mod tri;
pub mod value;
mod words;
mod write;

pub use date::{Date, DateError};
pub use decode::MAX_DEPTH;
pub use diagnostic::{Code, Diagnostic, Severity};
pub use error::{ChecklistError, Diagnostics, FactError, RulesetError};
pub use evaluate::{Assessment, Evaluator};
pub use facts::Facts;
pub use parse::{parse_json, MAX_INPUT_BYTES};
pub use report::{Decision, DecisionStatus, Report, Status, Verdict};
pub use ruleset::{Checklist, LoadOptions, Ruleset};
pub use tri::Tri;
pub use value::Value;
