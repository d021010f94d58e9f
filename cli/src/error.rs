//! How a `homeward` command ends when it does not succeed, and the documented exit code of each
//! way (docs/cli.md, "Exit codes").

use homeward::Diagnostic;

/// Why a command stopped. Every variant has one exit code; see [`CliError::exit_code`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The input (ruleset, overlay, facts, checklist id, report) is invalid: exit 1. The
    /// diagnostics travel here and are printed once, by `main`, in the command's format.
    #[error("{} diagnostic(s)", diagnostics.len())]
    Invalid {
        /// The file the diagnostics are about, when there is one.
        file: Option<String>,
        /// Every problem found.
        diagnostics: Vec<Diagnostic>,
    },
    /// The command line is wrong (an unknown or repeated option, a bad value, a conflict):
    /// exit 2.
    #[error("{0}")]
    Usage(String),
    /// A file or stream could not be read or written: exit 3. The message names the path.
    #[error("{0}")]
    Io(String),
    /// The reader of an output stream went away (`homeward … | head`): the program ends
    /// quietly with exit 0, as Unix tools do.
    #[error("the output pipe was closed")]
    ClosedPipe,
    /// `batch` finished, with every report and the aggregate written, but some lines could not
    /// be evaluated (each has its error line): exit 4.
    #[error("{0} line(s) could not be evaluated; see their error lines")]
    LinesFailed(u64),
}

impl CliError {
    /// The process exit code: 1 invalid input, 2 usage, 3 file or stream I/O, 4 batch lines
    /// failed, 0 for a closed output pipe.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Invalid { .. } => 1,
            CliError::Usage(_) => 2,
            CliError::Io(_) => 3,
            CliError::LinesFailed(_) => 4,
            CliError::ClosedPipe => 0,
        }
    }

    /// One invalid-input diagnostic about `file`.
    #[must_use]
    pub fn invalid(file: Option<&str>, diagnostic: Diagnostic) -> CliError {
        CliError::Invalid {
            file: file.map(String::from),
            diagnostics: vec![diagnostic],
        }
    }
}
