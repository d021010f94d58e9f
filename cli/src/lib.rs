//! The `homeward` command line as a library: arguments (clap), commands, streams and files,
//! batch lines and the aggregate, text rendering, the rulebook,
//! exports (JsonLogic, FHIR), CDS Hooks cards and batch reports. The binary is `src/main.rs`.

// Output goes through `io`, which reports write failures and never panics (C5).
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub use homeward_interop::{cds, fhir};

pub mod aggregate;
pub mod batch;
pub mod batch_line;
pub mod cli;
pub mod commands;
pub mod dates;
pub mod diagnostics;
pub mod error;
pub mod input;
pub mod io;
pub mod jsonlogic;
pub mod lines;
pub mod rulebook;
pub mod text;
