//! Typed errors, one enum per stage. Each carries located, coded [`Diagnostic`]s so that the
//! CLI, the WASM binding and a linking system all report the same thing.

use crate::diagnostic::{Code, Diagnostic};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

fn first(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .find(|d| d.is_error())
        .map(|d| alloc::format!("{} at {}: {}", d.code, d.path, d.message))
        .unwrap_or_default()
}

fn errors(diags: &[Diagnostic]) -> usize {
    diags.iter().filter(|d| d.is_error()).count()
}

/// A ruleset (with its overlays) could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RulesetError {
    /// The document is not valid; every problem found is listed, errors first.
    #[error("invalid ruleset: {} error(s); first: {}", errors(.diagnostics), first(.diagnostics))]
    Invalid {
        /// Every diagnostic found (errors and warnings).
        diagnostics: Vec<Diagnostic>,
    },
    /// A compiled ruleset's binary form could not be read ([`Ruleset::from_compiled`]).
    ///
    /// [`Ruleset::from_compiled`]: crate::Ruleset::from_compiled
    #[error("unreadable compiled ruleset at byte {at}: {problem}")]
    Compiled {
        /// The byte offset where reading stopped.
        at: usize,
        /// What was wrong.
        problem: &'static str,
    },
    /// No bundled ruleset or overlay has this id.
    #[error("no bundled ruleset or overlay `{id}`")]
    UnknownBundled {
        /// The id asked for.
        id: String,
    },
}

/// A patient's facts do not fit the ruleset's fact schema.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FactError {
    /// Every problem found in the facts, each located.
    #[error("invalid facts: {} error(s); first: {}", errors(.diagnostics), first(.diagnostics))]
    Invalid {
        /// The diagnostics.
        diagnostics: Vec<Diagnostic>,
    },
}

/// A checklist id that the ruleset does not declare.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ChecklistError {
    /// No such checklist.
    #[error("unknown checklist `{id}`")]
    Unknown {
        /// The id asked for.
        id: String,
        /// The declared checklist ids.
        available: Vec<String>,
    },
}

/// Uniform access to the located diagnostics of any error.
pub trait Diagnostics {
    /// The diagnostics, errors first.
    fn diagnostics(&self) -> Vec<Diagnostic>;
}

impl Diagnostics for RulesetError {
    fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            RulesetError::Invalid { diagnostics } => diagnostics.clone(),
            RulesetError::Compiled { at, problem } => vec![Diagnostic::error(
                Code::BadCompiled,
                "$",
                alloc::format!("unreadable compiled ruleset at byte {at}: {problem}"),
            )],
            RulesetError::UnknownBundled { id } => vec![Diagnostic::error(
                Code::UnknownBundled,
                "$",
                alloc::format!("no bundled ruleset or overlay `{id}`"),
            )],
        }
    }
}

impl Diagnostics for FactError {
    fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            FactError::Invalid { diagnostics } => diagnostics.clone(),
        }
    }
}

impl Diagnostics for ChecklistError {
    fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            ChecklistError::Unknown { id, available } => vec![Diagnostic::error(
                Code::UnknownChecklist,
                "$.checklist",
                alloc::format!("unknown checklist `{id}`"),
            )
            .with_help(alloc::format!(
                "use one of: {}",
                crate::words::join(available, ", ")
            ))],
        }
    }
}
