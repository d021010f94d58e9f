//! Messages people read (finding L5 of the reliability review): a byte order mark named,
//! control characters escaped, huge values shortened, a cap on how many diagnostics are
//! printed, a code for every error, and batch error lines in the documented key order.

#![allow(clippy::panic, reason = "test")]

mod common;
use common::{code, run, scratch, stderr, stdout, write, FACTS, RULESET};

/// L5: a file that starts with a byte order mark gets a message that says so.
#[test]
fn l5_byte_order_mark_is_named() {
    let dir = scratch("l5-bom");
    let facts = write(&dir, "facts.json", "\u{feff}{}");
    let o = run(&["eval", "--facts", &facts]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("byte order mark (U+FEFF)"),
        "{}",
        stderr(&o)
    );
    let o = run(&["check", &facts]);
    assert!(stderr(&o).contains("byte order mark"), "{}", stderr(&o));
}

/// L5: a NUL or a bidirectional control in a fact id is escaped in the message, never
/// printed raw; a 10 MB fact id is shortened, not echoed twice.
#[test]
fn l5_keys_are_escaped_and_shortened() {
    let dir = scratch("l5-keys");
    let facts = write(
        &dir,
        "nul.json",
        "{\"clinical.news2\\u0000x\": 1, \"\\u202eevil\": 1}",
    );
    let o = run(&["eval", "--facts", &facts]);
    assert_eq!(code(&o), 1);
    assert!(!o.stderr.contains(&0), "no raw NUL");
    assert!(
        stderr(&o).contains("unknown fact `clinical.news2\\u{0}x`"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("\\u{202e}evil"), "{}", stderr(&o));
    assert!(!stderr(&o).contains('\u{202e}'));
    let huge = write(
        &dir,
        "huge.json",
        &format!("{{\"{}\": 1}}", "k".repeat(10 << 20)),
    );
    let o = run(&["eval", "--facts", &huge]);
    assert_eq!(code(&o), 1);
    assert!(
        o.stderr.len() < 4000,
        "{} bytes of messages",
        o.stderr.len()
    );
    // The engine cuts a key to 80 characters in messages and paths.
    assert!(
        stderr(&o).contains(&format!("`{}…`", "k".repeat(80))),
        "{}",
        stderr(&o)
    );
}

/// L5: the engine lists at most 100 problems and one `TOO_MANY_DIAGNOSTICS` counting the rest
/// (flat memory for a million unknown keys); at most 50 are printed for people, then the count.
#[test]
fn l5_diagnostics_are_capped_with_a_count() {
    let dir = scratch("l5-many");
    let keys: Vec<String> = (0..10_000)
        .map(|i| format!("\"unknown.f{i}\": 1"))
        .collect();
    let facts = write(&dir, "many.json", &format!("{{{}}}", keys.join(",")));
    let o = run(&["eval", "--facts", &facts]);
    assert_eq!(code(&o), 1);
    assert_eq!(stderr(&o).matches("error[UNKNOWN_FACT]").count(), 50);
    assert!(
        stderr(&o).contains("… and 50 more diagnostic(s) not shown (--format json lists them)"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("error[TOO_MANY_DIAGNOSTICS]: 9900 more problems are not listed"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).ends_with("100 error(s), 0 warning(s), and more not listed\n"));
    let o = run(&["eval", "--facts", &facts, "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
    let listed = v["error"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(listed.len(), 101);
    assert_eq!(listed[100]["code"], "TOO_MANY_DIAGNOSTICS");
}

/// L5: `explain` of a requirement the checklist does not have gets a code and the valid ids.
#[test]
fn l5_explain_unknown_requirement_has_a_code() {
    let o = run(&[
        "explain",
        "--ruleset",
        RULESET,
        "--facts",
        FACTS,
        "--requirement",
        "nope",
    ]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o)
            .contains("error[UNKNOWN_REQUIREMENT]: requirement `nope` is not in checklist `*`"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("help: use one of: criteria_to_reside"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "explain",
        "--ruleset",
        RULESET,
        "--facts",
        FACTS,
        "--requirement",
        "nope",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
    assert_eq!(v["error"]["code"], "UNKNOWN_REQUIREMENT");
}

/// L5: batch error lines are keyed `line`, `id`, `error`, in that (documented) order.
#[test]
fn l5_batch_error_lines_in_documented_key_order() {
    let dir = scratch("l5-order");
    let input = write(&dir, "in.jsonl", "{\"id\":\"x\",\"facts\":5}\n");
    let o = run(&["batch", &input, "--aggregate", "/dev/null"]);
    assert_eq!(code(&o), 4);
    assert!(
        stdout(&o).starts_with("{\"line\":1,\"id\":\"x\",\"error\":\"WRONG_TYPE: "),
        "{}",
        stdout(&o)
    );
}
