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
/// As [`write()`].
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

/// What makes two names the same file: device and inode for an existing regular file (so hard
/// and symbolic links are caught), else the canonical path a file would be created at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileId {
    /// An existing regular file.
    Inode(u64, u64),
    /// A file not yet created: its canonical folder joined with its name.
    Path(PathBuf),
}

/// One end of a command: the input or an output, named for messages.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// How messages name it (the option and the path).
    pub label: String,
    /// Its identity, when it is (or will be) a regular file.
    pub id: Option<FileId>,
    /// Whether the command opens it by name (and truncates it, for an output); standard
    /// streams redirected to one file by the shell (`> log 2>&1`) share it safely.
    pub named: bool,
}

impl Endpoint {
    /// The endpoint for a target (`Stdout`/`Stderr` are identified by their open file).
    #[must_use]
    pub fn of_target(option: &str, target: &Target) -> Endpoint {
        let id = match target {
            Target::File(p) => path_identity(p),
            Target::Stdout => stream_identity(&std::io::stdout()),
            Target::Stderr => stream_identity(&std::io::stderr()),
        };
        Endpoint {
            label: format!("{option} ({})", target.label()),
            id,
            named: matches!(target, Target::File(_)),
        }
    }

    /// The endpoint for an input path (`-` is standard input).
    #[must_use]
    pub fn of_input(path: &Path) -> Endpoint {
        let id = if path == Path::new("-") {
            stream_identity(&std::io::stdin())
        } else {
            path_identity(path)
        };
        Endpoint {
            label: format!("the input ({})", source_label(path)),
            id,
            named: path != Path::new("-"),
        }
    }
}

/// Refuses, before anything is opened for writing, when an output is the input (writing it
/// would truncate the input before it is read, or read back what is written), or when two
/// outputs named on the command line are one file (the second would overwrite the first).
///
/// # Errors
/// [`CliError::Usage`] naming both endpoints.
pub fn refuse_same_file(input: &Endpoint, outputs: &[Endpoint]) -> Result<(), CliError> {
    let pairs = outputs
        .iter()
        .map(|o| (input, o))
        .chain(outputs.iter().enumerate().flat_map(|(i, a)| {
            outputs
                .iter()
                .skip(i + 1)
                .filter(move |b| a.named && b.named)
                .map(move |b| (a, b))
        }));
    for (a, b) in pairs {
        if a.id.is_some() && a.id == b.id {
            return Err(CliError::Usage(format!(
                "{} and {} are the same file; writing it would destroy what is read or \
                 written first (nothing was written)",
                a.label, b.label
            )));
        }
    }
    Ok(())
}

/// The identity of the file at `path`: device and inode when it exists and is a regular file
/// (symbolic links followed), the canonical path it would be created at when it does not exist.
#[must_use]
pub fn path_identity(path: &Path) -> Option<FileId> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Some(inode(&m).unwrap_or_else(|| {
            FileId::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
        })),
        Ok(_) => None,
        Err(_) => {
            let name = path.file_name()?;
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let dir = std::fs::canonicalize(parent).ok()?;
            Some(FileId::Path(dir.join(name)))
        }
    }
}

#[cfg(unix)]
fn inode(m: &std::fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some(FileId::Inode(m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> Option<FileId> {
    None
}

/// The identity of the regular file a standard stream is redirected to (`> file`,
/// `>> file`, `< file`), if it is one.
#[cfg(unix)]
#[must_use]
pub fn stream_identity(stream: &impl std::os::fd::AsFd) -> Option<FileId> {
    let fd = stream.as_fd().try_clone_to_owned().ok()?;
    let m = std::fs::File::from(fd).metadata().ok()?;
    if m.is_file() {
        inode(&m)
    } else {
        None
    }
}

/// Without Unix file descriptors a redirected stream cannot be identified.
#[cfg(not(unix))]
#[must_use]
pub fn stream_identity<T>(_: &T) -> Option<FileId> {
    None
}

/// A writer whose failures are dropped: for messages on standard error, which are not data.
#[derive(Debug)]
pub struct Lossy<W>(pub W);

impl<W: Write> Write for Lossy<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self.0.write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = self.0.flush();
        Ok(())
    }
}
