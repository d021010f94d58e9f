//! `homeward batch`: JSON Lines of patients in, one line out per input line (the report, or
//! the line's error), and the aggregate. Streams: lines are read as bytes with a size cap, so
//! memory stays flat however long the file or a line is. A bad line (invalid JSON, bytes that
//! are not UTF-8, too long, wrong fields) is that line's error and never stops the rest.

use crate::aggregate::Aggregate;
use crate::batch_line::{self, LineContext, LineError};
use crate::lines::Lines;
use homeward::Ruleset;
use jiff::civil::Date;
use std::io::{BufRead, Write};

/// The most bytes one line may have (1 MiB; a patient's line is typically 2 KB). A longer line
/// is that line's `TOO_LARGE` error; only its first 1 MiB is ever held in memory.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Batch options.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Checklist when a line names none.
    pub checklist: Option<String>,
    /// The as-of date of lines without their own, and the date their delay days are counted
    /// to; the engine reads no clock (the command line passes today by default).
    pub as_of: Option<Date>,
    /// Write per-patient reports (else only error lines and the aggregate).
    pub reports: bool,
    /// Show progress on standard error.
    pub progress: bool,
    /// The most bytes one line may have ([`MAX_LINE_BYTES`] by default).
    pub max_line_bytes: Option<usize>,
}

/// Why a batch stopped before the end of its input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The input could not be read.
    #[error("cannot read line {line}: {source}")]
    Read {
        /// The line being read (1-based).
        line: u64,
        /// The read error.
        source: std::io::Error,
    },
    /// The per-line output could not be written.
    #[error("{0}")]
    Write(std::io::Error),
}

/// Runs a batch: reads JSON Lines from `input`, writes one line per input line to `out`, and
/// returns the aggregate.
///
/// # Errors
/// Only I/O errors on reading or writing; bad lines are reported in the output.
pub fn run(
    rs: &Ruleset,
    input: impl BufRead,
    out: &mut impl Write,
    opts: &BatchOptions,
) -> Result<Aggregate, BatchError> {
    let cx = LineContext {
        ruleset: rs,
        checklist: opts.checklist.as_deref(),
        cap: opts.max_line_bytes.unwrap_or(MAX_LINE_BYTES),
        as_of: opts.as_of,
    };
    let primaries: Vec<String> = rs
        .document()
        .requirements
        .iter()
        .filter(|r| r.primary)
        .map(|r| r.id.clone())
        .collect();
    let mut agg = Aggregate::default();
    let mut lines = Lines::new(input, cx.cap);
    let mut buf = Vec::new();
    let mut n: u64 = 0;
    let started = std::time::Instant::now();
    loop {
        n += 1;
        let line = match lines.next_line(&mut buf) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(source) => return Err(BatchError::Read { line: n, source }),
        };
        if line.len <= cx.cap as u64 && buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match batch_line::evaluate(&cx, &buf, line.len) {
            Ok(e) => {
                agg.add(&e.report, &primaries, e.ready, e.as_of);
                if opts.reports {
                    // The report's own serialisation, byte for byte as the JSON API and WASM give it.
                    let report = e.report.to_json();
                    writeln!(out, "{{\"line\":{n},\"id\":{},\"report\":{report}}}", e.id)
                        .map_err(BatchError::Write)?;
                }
            }
            Err(e) => {
                agg.errors += 1;
                write_error(out, n, &e).map_err(BatchError::Write)?;
            }
        }
        if opts.progress && n % 10_000 == 0 {
            let rate = n as f64 / started.elapsed().as_secs_f64().max(1e-9);
            crate::io::stderr(&format!("\r{n:>10} lines  {rate:>9.0} lines/s"));
        }
    }
    if opts.progress {
        crate::io::stderr("\n");
    }
    Ok(agg)
}

/// `{"line": n, "id": …, "error": "CODE: message at $.path"}`, keys in that documented order.
fn write_error(out: &mut impl Write, n: u64, e: &LineError) -> std::io::Result<()> {
    let message = serde_json::Value::String(e.message.clone());
    writeln!(out, "{{\"line\":{n},\"id\":{},\"error\":{message}}}", e.id)
}
