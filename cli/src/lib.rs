//! The `homeward` command line as a library: argument parsing, text rendering, the rulebook,
//! exports (JsonLogic, FHIR), CDS Hooks cards and batch reports. The binary is `src/main.rs`.

// Output goes through `io`, which reports write failures and never panics (C5).
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod args;
pub mod batch;
pub mod cds;
pub mod error;
pub mod fhir;
pub mod io;
pub mod jsonlogic;
pub mod rulebook;
pub mod text;
