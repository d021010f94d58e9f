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

#[cfg(feature = "lint")]
mod analysis;
mod batch;
mod bits;
#[cfg(feature = "bundled")]
#[cfg_attr(docsrs, doc(cfg(feature = "bundled")))]
pub mod bundled;
pub mod compact;
mod compile;
mod condition;
pub mod decode;
pub mod diagnostic;
pub mod error;
pub mod evaluate;
pub mod explain;
pub mod facts;
mod flat;
pub mod hash;
pub mod json;
mod overlay;
mod parse;
pub mod report;
pub mod ruleset;
pub mod schema;
pub mod tri;
pub mod wire;
mod write;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use error::{ChecklistError, Diagnostics, FactError, RulesetError};
pub use evaluate::{Assessment, Evaluator};
pub use facts::Facts;
pub use parse::{parse_json, MAX_INPUT_BYTES};
pub use report::{Decision, DecisionStatus, Report, Status, Verdict};
pub use ruleset::{Checklist, LoadOptions, Ruleset};
pub use tri::Tri;
