//! Diagnostics as the CLI prints them: for people on standard error (control characters
//! escaped, huge values shortened, at most [`MAX_PRINTED`] listed with a count of the rest), as
//! `{"error": …}` JSON for machines, and as the one-line `CODE: message at $.path` of a batch
//! error line.

use homeward::{Code, Diagnostic};
use std::fmt::Write;

/// How many diagnostics are printed for people; the rest are counted (`--format json` lists
/// every one).
pub const MAX_PRINTED: usize = 50;

/// The longest message, path or help printed, in characters; longer ones are cut with a note.
pub const MAX_FIELD_CHARS: usize = 300;

/// `text` safe for a terminal or a log: control characters and bidirectional-text controls
/// escaped as `\u{…}` (a NUL in a fact id cannot hide part of the message, nor a U+202E reverse
/// it), cut after `max` characters with a count of what was left out.
#[must_use]
pub fn clean(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    for c in chars.by_ref().take(max) {
        if c.is_control() || is_bidi_control(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    let rest = chars.count();
    if rest > 0 {
        let _ = write!(out, "… ({rest} more characters)");
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The diagnostic with every field cleaned for printing.
#[must_use]
pub fn cleaned(d: &Diagnostic) -> Diagnostic {
    let mut d = d.clone();
    d.message = clean(&d.message, MAX_FIELD_CHARS);
    d.path = clean(&d.path, MAX_FIELD_CHARS);
    d.help = clean(&d.help, MAX_FIELD_CHARS);
    d.rule = d.rule.map(|r| clean(&r, MAX_FIELD_CHARS));
    d.document = d.document.map(|r| clean(&r, MAX_FIELD_CHARS));
    d
}

/// Diagnostics for people: each prefixed with the file, at most [`MAX_PRINTED`], then a count
/// of errors and warnings.
#[must_use]
pub fn text(diags: &[Diagnostic], file: Option<&str>) -> String {
    let mut out = String::new();
    let prefix = file
        .map(|f| format!("{}: ", clean(f, MAX_FIELD_CHARS)))
        .unwrap_or_default();
    // The engine's own cap (`TOO_MANY_DIAGNOSTICS`, counting what it did not list) is always
    // printed, after the problems shown.
    let (capped, listed): (Vec<&Diagnostic>, Vec<&Diagnostic>) = diags
        .iter()
        .partition(|d| d.code == Code::TooManyDiagnostics);
    for d in listed.iter().take(MAX_PRINTED) {
        let _ = writeln!(out, "{prefix}{}", cleaned(d));
    }
    if listed.len() > MAX_PRINTED {
        let _ = writeln!(
            out,
            "… and {} more diagnostic(s) not shown (--format json lists them)",
            listed.len() - MAX_PRINTED
        );
    }
    for d in &capped {
        let _ = writeln!(out, "{prefix}{}", cleaned(d));
    }
    let errors = listed.iter().filter(|d| d.is_error()).count();
    if !diags.is_empty() {
        let _ = write!(
            out,
            "{errors} error(s), {} warning(s)",
            listed.len() - errors
        );
        let _ = writeln!(
            out,
            "{}",
            if capped.is_empty() {
                ""
            } else {
                ", and more not listed"
            }
        );
    }
    out
}

/// Diagnostics for machines: `{"error": {"code", "path", "message", "help", "diagnostics"}}`,
/// every one, as the JSON entry points and WASM give them.
#[must_use]
pub fn json(diags: &[Diagnostic]) -> String {
    homeward::json::error(diags) + "\n"
}

/// `CODE: message at $.path` for a batch error line, with the diagnostic's path (which starts
/// at `$`) placed under `base` (e.g. `$.facts`), and a count of any further problems.
#[must_use]
pub fn one_line(d: &Diagnostic, base: &str, more: usize) -> String {
    let path = format!("{base}{}", d.path.strip_prefix('$').unwrap_or(&d.path));
    let mut s = format!(
        "{}: {} at {}",
        d.code,
        clean(&d.message, MAX_FIELD_CHARS),
        clean(&path, MAX_FIELD_CHARS)
    );
    if more > 0 {
        let _ = write!(s, " (and {more} more problem(s) on this line)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::{clean, text, MAX_PRINTED};
    use homeward::{Code, Diagnostic};

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        assert_eq!(
            clean("a\0b\nc\u{202e}d\u{7f}", 100),
            "a\\u{0}b\\u{a}c\\u{202e}d\\u{7f}"
        );
        assert_eq!(clean("é✓", 100), "é✓");
    }

    #[test]
    fn long_text_is_cut_with_a_count() {
        assert_eq!(clean(&"x".repeat(10), 4), "xxxx… (6 more characters)");
    }

    #[test]
    fn at_most_max_printed_with_a_count_of_the_rest() {
        let diags: Vec<Diagnostic> = (0..MAX_PRINTED + 7)
            .map(|i| Diagnostic::error(Code::UnknownFact, format!("$.f{i}"), "unknown fact"))
            .collect();
        let t = text(&diags, Some("f.json"));
        assert_eq!(t.matches("error[UNKNOWN_FACT]").count(), MAX_PRINTED);
        assert!(t.contains("… and 7 more diagnostic(s) not shown"), "{t}");
        assert!(t.ends_with(&format!("{} error(s), 0 warning(s)\n", MAX_PRINTED + 7)));
    }
}
