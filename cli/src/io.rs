//! Standard streams and files for the `homeward` binary: every write reports its failure (a
//! closed pipe ends quietly, a full disk or an I/O error is exit 3 naming the path), standard
//! error never panics, and reads stop at a size limit as the bytes arrive.

use crate::error::CliError;
use homeward::{Code, Diagnostic};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

/// Where output goes: a file, or a standard stream (`-` on the command line is standard output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
    /// A file, created or truncated when written.
    File(PathBuf),
}

impl Target {
    /// `-` is standard output; anything else a file path.
    #[must_use]
    pub fn from_arg(path: &Path) -> Target {
        if path == Path::new("-") {
            Target::Stdout
        } else {
            Target::File(path.to_path_buf())
        }
    }

    /// How messages name it: `standard output`, or the path in backticks.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Target::Stdout => "standard output".into(),
            Target::Stderr => "standard error".into(),
            Target::File(p) => format!("`{}`", p.display()),
        }
    }
}

/// The error for a failed write to `target`: a closed pipe is [`CliError::ClosedPipe`] (the
/// program ends quietly), anything else (a full disk, an I/O error) is [`CliError::Io`].
#[must_use]
pub fn write_failure(target: &Target, e: &std::io::Error) -> CliError {
    if e.kind() == ErrorKind::BrokenPipe {
        CliError::ClosedPipe
    } else {
        CliError::Io(format!("cannot write {}: {e}", target.label()))
    }
}

/// Writes `bytes` to `target` and flushes.
///
/// # Errors
/// [`write_failure`] of the write or the flush; for a file, also failing to create it.
pub fn write(target: &Target, bytes: &[u8]) -> Result<(), CliError> {
    let result = match target {
        Target::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes).and_then(|()| out.flush())
        }
        Target::Stderr => {
            let mut err = std::io::stderr().lock();
            err.write_all(bytes).and_then(|()| err.flush())
        }
        Target::File(p) => std::fs::write(p, bytes),
    };
    result.map_err(|e| write_failure(target, &e))
}

/// Writes text to standard output.
///
/// # Errors
/// As [`write`].
pub fn stdout(text: &str) -> Result<(), CliError> {
    write(&Target::Stdout, text.as_bytes())
}

/// Writes a message to standard error. A message is not data: if standard error cannot be
/// written (`2>/dev/full`, a closed pipe) it is dropped, and the exit code still tells.
pub fn stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// How input is named in messages: `standard input`, or the path in backticks.
#[must_use]
pub fn source_label(path: &Path) -> String {
    if path == Path::new("-") {
        "standard input".into()
    } else {
        format!("`{}`", path.display())
    }
}

/// Reads a whole input (`-` is standard input) as UTF-8 text, refusing it as soon as more than
/// `limit` bytes have arrived (memory stays bounded for `/dev/zero` or an endless pipe).
///
/// # Errors
/// [`CliError::Io`] when the input cannot be read or is not UTF-8; [`CliError::Invalid`] with
/// `TOO_LARGE` past the limit, or `JSON_SYNTAX` for a byte order mark.
pub fn read_text(path: &Path, limit: usize) -> Result<String, CliError> {
    let label = source_label(path);
    let file = path.display().to_string();
    let bytes = if path == Path::new("-") {
        read_limited(std::io::stdin().lock(), limit, &label)?
    } else {
        let f = std::fs::File::open(path)
            .map_err(|e| CliError::Io(format!("cannot read {label}: {e}")))?;
        let len = f
            .metadata()
            .map(|m| if m.is_file() { m.len() } else { 0 })
            .unwrap_or(0);
        if len > limit as u64 {
            return Err(too_large(&file, len, limit));
        }
        read_limited(f, limit, &label)?
    };
    if bytes.len() > limit {
        return Err(too_large(&file, bytes.len() as u64, limit));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        CliError::Io(format!(
            "{label} is not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    if text.starts_with('\u{feff}') {
        return Err(CliError::invalid(Some(&file), byte_order_mark("$")));
    }
    Ok(text)
}

/// Reads at most `limit + 1` bytes: one more than the limit is enough to know it is too large.
fn read_limited(input: impl Read, limit: usize, label: &str) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    input
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Io(format!("cannot read {label}: {e}")))?;
    Ok(bytes)
}

fn too_large(file: &str, len: u64, limit: usize) -> CliError {
    let size = if len > limit as u64 {
        format!("more than {limit} bytes")
    } else {
        format!("{len} bytes")
    };
    CliError::invalid(
        Some(file),
        Diagnostic::error(
            Code::TooLarge,
            "$",
            format!("the input is {size}; the limit is {limit} bytes"),
        )
        .with_help("split the input, or check that the right file was given"),
    )
}

/// The diagnostic for text that starts with a byte order mark, which JSON does not allow.
#[must_use]
pub fn byte_order_mark(path: &str) -> Diagnostic {
    Diagnostic::error(
        Code::JsonSyntax,
        path,
        "the text starts with a byte order mark (U+FEFF), which JSON does not allow",
    )
    .with_help("save the file as UTF-8 without a byte order mark (BOM)")
}
