//! Issue 13 item 3 (review H2) and L6 at the command line: an overlay that weakens a hold
//! without declaring it is refused (exit 1, located, coded); a declared change is listed on the
//! JSON report, the text report and the CDS cards; `cds-card` reads only report format 1.

#![allow(clippy::panic, reason = "test")]

mod common;
use common::{code, run, scratch, stderr, stdout, write};

const OVERLAY: &str = r#"{"format": 1, "id": "local", "version": "1", "title": "Local",
  "extends": "england-national",
  "overrides": [{"requirement": "domestic_abuse", "owner": "patient_family"}]}"#;

const FACTS: &str = r#"{"safeguarding.concern_open": true, "safeguarding.about_destination": true,
  "safeguarding.protection_plan_in_place": false}"#;

#[test]
fn an_undeclared_change_to_a_hold_is_refused() {
    let dir = scratch("safety-undeclared");
    let ov = write(&dir, "ov.json", OVERLAY);
    let facts = write(&dir, "facts.json", FACTS);
    let o = run(&[
        "eval",
        "--overlay",
        &ov,
        "--facts",
        &facts,
        "--checklist",
        "ward_discharge",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[UNDECLARED_SAFETY_CHANGE]"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("$.overrides[0].owner"),
        "{}",
        stderr(&o)
    );
    let o = run(&["check", "--overlay", &ov]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

#[test]
fn a_declared_change_is_on_every_report_and_card() {
    let dir = scratch("safety-declared");
    let declared = OVERLAY.replace(
        r#""overrides""#,
        r#""safety_changes": [{"change": "override_owner", "requirement": "domestic_abuse",
            "reason": "IDVA pilot"}], "overrides""#,
    );
    let ov = write(&dir, "ov.json", &declared);
    let facts = write(&dir, "facts.json", FACTS);
    let args = [
        "eval",
        "--overlay",
        &ov,
        "--facts",
        &facts,
        "--checklist",
        "ward_discharge",
    ];
    let o = run(&args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let json = stdout(&o);
    assert!(
        json.contains(r#""reason": "IDVA pilot""#) || json.contains(r#""reason":"IDVA pilot""#),
        "{json}"
    );
    let report = write(&dir, "report.json", &json);
    let mut text_args = args.to_vec();
    text_args.extend(["--format", "text"]);
    let t = run(&text_args);
    assert!(
        stdout(&t).contains(
            "overlay `local` replaces the owner of `domestic_abuse` (reason: IDVA pilot)"
        ),
        "{}",
        stdout(&t)
    );
    let c = run(&["cds-card", "--report", &report]);
    assert_eq!(code(&c), 0, "{}", stderr(&c));
    assert!(
        stdout(&c).contains("Local changes to safety rules"),
        "{}",
        stdout(&c)
    );
    assert!(stdout(&c).contains("Changed locally"), "{}", stdout(&c));
}

#[test]
fn l6_cds_card_reads_only_report_format_1() {
    let dir = scratch("cds-format");
    let facts = write(&dir, "facts.json", FACTS);
    let o = run(&["eval", "--facts", &facts, "--checklist", "ward_discharge"]);
    let report = stdout(&o).replacen(r#""format": 1"#, r#""format": 99"#, 1);
    assert!(report.contains(r#""format": 99"#), "{report}");
    let path = write(&dir, "report.json", &report);
    let c = run(&["cds-card", "--report", &path]);
    assert_eq!(code(&c), 1, "{}", stderr(&c));
    assert!(
        stderr(&c).contains("error[UNSUPPORTED_FORMAT]"),
        "{}",
        stderr(&c)
    );
    assert!(stderr(&c).contains("at $.format"), "{}", stderr(&c));
    let wrapped = write(&dir, "wrapped.json", &format!(r#"{{"ok": {report}}}"#));
    let c = run(&["cds-card", "--report", &wrapped]);
    assert_eq!(code(&c), 1, "{}", stderr(&c));
    assert!(stderr(&c).contains("at $.ok.format"), "{}", stderr(&c));
}
