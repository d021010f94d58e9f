//! The command line as a contract (docs/cli.md): exit codes (finding L1), each command taking
//! only its own options (L3), `-` meaning standard output, clap's help, suggestions,
//! completions and man pages (issue 15 item 4), and real dates (L2).

#![allow(clippy::panic, reason = "test")]

mod common;
use common::{code, homeward, output, run, scratch, stderr, stdout, write, FACTS, RULESET};
use std::path::Path;

#[track_caller]
fn exits(args: &[&str], expected: i32) -> std::process::Output {
    let o = run(args);
    assert_eq!(
        code(&o),
        expected,
        "{args:?}\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    o
}

/// L1: usage errors exit 2: a bad `--as-of`, an impossible date, `export` without `--format`,
/// an unknown format, a missing value, an unknown command or option.
#[test]
fn l1_usage_errors_exit_2() {
    for args in [
        vec!["batch", "--as-of", "yesterday"],
        vec!["batch", "--as-of", "24/11/2026"],
        vec!["batch", "--as-of", "2026-02-30"],
        vec!["export"],
        vec!["export", "--format", "yaml"],
        vec!["eval", "--facts"],
        vec!["eval"],
        vec!["frobnicate"],
        vec!["eval", "--bogus", "--facts", FACTS],
        vec!["explain", "--facts", FACTS],
        vec!["completions", "tcsh"],
    ] {
        let o = exits(&args, 2);
        assert!(
            stderr(&o).starts_with("error: "),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(
            stderr(&o).len() < 1500,
            "no whole help dumped on a usage error: {}",
            stderr(&o)
        );
        assert_eq!(stdout(&o), "");
    }
    let o = exits(&["batch", "--as-of", "2026-02-30"], 2);
    assert!(stderr(&o).contains("not a real date"), "{}", stderr(&o));
    let o = exits(&["export", "--format", "yaml"], 2);
    assert!(
        stderr(&o).contains("jsonlogic, fhir-questionnaire, json"),
        "{}",
        stderr(&o)
    );
    assert!(
        !stderr(&o).contains("csv"),
        "only export's formats are listed: {}",
        stderr(&o)
    );
}

/// L1: a report that is not JSON is invalid input (exit 1), like every other invalid input.
#[test]
fn l1_cds_card_on_non_json_exits_1() {
    let dir = scratch("l1-cds");
    let bad = write(&dir, "report.json", "not json");
    let o = exits(&["cds-card", "--report", &bad], 1);
    assert!(stderr(&o).contains("error[JSON_SYNTAX]"), "{}", stderr(&o));
    let wrong = write(&dir, "wrong.json", "{\"verdict\": 3}");
    let o = exits(&["cds-card", "--report", &wrong], 1);
    assert!(
        stderr(&o).contains("not a Homeward report"),
        "{}",
        stderr(&o)
    );
}

/// L1: file errors exit 3 with a message naming the path.
#[test]
fn l1_file_errors_exit_3_naming_the_path() {
    let o = exits(&["eval", "--facts", "does/not/exist.json"], 3);
    assert!(
        stderr(&o).contains("`does/not/exist.json`"),
        "{}",
        stderr(&o)
    );
    let o = exits(
        &[
            "export",
            "--format",
            "json",
            "--out",
            "/nonexistent-dir/x.json",
        ],
        3,
    );
    assert!(
        stderr(&o).contains("`/nonexistent-dir/x.json`"),
        "{}",
        stderr(&o)
    );
    let o = exits(
        &[
            "batch",
            FACTS,
            "--out",
            "/dev/full",
            "--aggregate",
            "/dev/null",
        ],
        3,
    );
    assert!(stderr(&o).contains("`/dev/full`"), "L5: {}", stderr(&o));
    let o = exits(
        &["batch", "does/not/exist.jsonl", "--aggregate", "/dev/null"],
        3,
    );
    assert!(
        stderr(&o).contains("`does/not/exist.jsonl`"),
        "{}",
        stderr(&o)
    );
}

/// L1: an `--out` file that exists but cannot be written (`/proc/version`: refused at open
/// for a user, a failed write for root) is a file error, exit 3, naming the path, for every
/// command that takes `--out`. Skipped only where there is no `/proc/version`.
#[test]
fn l1_an_unwritable_out_file_exits_3_naming_the_path() {
    let target = "/proc/version";
    if !Path::new(target).exists() {
        eprintln!("skipped: no {target} on this system");
        return;
    }
    let before = std::fs::read_to_string(target).unwrap_or_default();
    let dir = scratch("l1-unwritable-out");
    let report = run(&["eval", "--ruleset", RULESET, "--facts", FACTS]);
    assert_eq!(code(&report), 0, "{}", stderr(&report));
    let report = write(&dir, "report.json", &stdout(&report));
    for args in [
        vec!["export", "--format", "json", "--out", target],
        vec!["rulebook", "--out", target],
        vec!["cds-card", "--report", &report, "--out", target],
        vec!["batch", FACTS, "--out", target, "--aggregate", "/dev/null"],
    ] {
        let o = exits(&args, 3);
        assert!(
            stderr(&o).contains(&format!("cannot write `{target}`")),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty(), "{args:?}: {}", stdout(&o));
    }
    assert_eq!(std::fs::read_to_string(target).unwrap_or_default(), before);
    let _ = std::fs::remove_dir_all(&dir);
}

/// L1: `batch` exits 4 when any line failed, after every line and the aggregate are written;
/// a JSON array file (every line fails) is not a success.
#[test]
fn l1_batch_with_failed_lines_exits_4_and_writes_the_aggregate() {
    let dir = scratch("l1-batch");
    let array = write(
        &dir,
        "array.json",
        "[\n  {\n    \"id\": \"a\",\n    \"facts\": {}\n  }\n]\n",
    );
    let agg = dir.join("agg.json");
    let agg_s = agg.to_string_lossy().into_owned();
    let o = exits(
        &[
            "batch",
            &array,
            "--checklist",
            "ward_discharge",
            "--aggregate",
            &agg_s,
        ],
        4,
    );
    assert_eq!(stdout(&o).lines().count(), 6, "{}", stdout(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&agg).unwrap_or_default())
            .unwrap_or_default();
    assert_eq!(
        (v["patients"].as_u64(), v["errors"].as_u64()),
        (Some(0), Some(6)),
        "{v}"
    );
}

/// L3: a command refuses options it does not take (nothing is written), and a repeated
/// single-value option.
#[test]
fn l3_each_command_takes_only_its_own_options() {
    let dir = scratch("l3");
    let out = dir.join("x.json").to_string_lossy().into_owned();
    for args in [
        vec!["eval", "--facts", FACTS, "--out", out.as_str()],
        vec!["check", RULESET, "--as-of", "2026-01-01"],
        vec!["schema", "--facts", FACTS],
        vec!["cds-card", "--ruleset", RULESET],
        vec![
            "export",
            "--format",
            "json",
            "--checklist",
            "ward_discharge",
        ],
        vec!["eval", "--facts", FACTS, "--facts", FACTS],
        vec![
            "eval",
            "--facts",
            FACTS,
            "--checklist",
            "a",
            "--checklist",
            "b",
        ],
        vec!["batch", "--out", out.as_str(), "--out", out.as_str()],
        vec!["eval", "--facts", FACTS, "--questionnaire-response", FACTS],
        vec!["check", RULESET, "--ruleset", RULESET],
        vec!["eval", "--facts", FACTS, "--format", "text", "--compact"],
        vec!["eval", "--facts", "-", "--ruleset", "-"],
    ] {
        let o = exits(&args, 2);
        assert!(
            stderr(&o).starts_with("error: "),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    assert!(!Path::new(&out).exists(), "no option was silently accepted");
}

/// L3: `--out -` and `--aggregate -` mean standard output, never a file named `-`; both on
/// standard output at once is refused.
#[test]
fn l3_dash_means_standard_output() {
    let dir = scratch("l3-dash");
    let input = write(&dir, "in.jsonl", "{\"id\":\"a\",\"facts\":{}}\n");
    let ruleset = common::root().join(RULESET).to_string_lossy().into_owned();
    let run_in = |args: &[&str]| output(homeward(args).current_dir(&dir));
    let o = run_in(&[
        "export",
        "--ruleset",
        &ruleset,
        "--format",
        "json",
        "--out",
        "-",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with('{'));
    let o = run_in(&["batch", &input, "--out", "-", "--aggregate", "agg.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("{\"line\":1,\"id\":\"a\",\"report\":"));
    let o = run_in(&[
        "batch",
        &input,
        "--out",
        "reports.jsonl",
        "--aggregate",
        "-",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("\"patients\": 1"), "{}", stdout(&o));
    let o = run_in(&["batch", &input, "--aggregate", "-"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!dir.join("-").exists(), "no file named `-`");
}

/// Issue 15: `--opt=value`, per-command help, version, help on no arguments (exit 2),
/// "did you mean" suggestions, bundled overlays checked by name.
#[test]
fn clap_conventions() {
    let o = exits(
        &[
            "eval",
            "--ruleset",
            RULESET,
            "--facts=tests/fixtures/example-facts.json",
            "--format=text",
        ],
        0,
    );
    assert!(stdout(&o).contains("NOT READY"), "{}", stdout(&o));
    let o = exits(&["eval", "--help"], 0);
    assert!(
        stdout(&o).contains("--questionnaire-response"),
        "{}",
        stdout(&o)
    );
    assert!(
        !stdout(&o).contains("--aggregate"),
        "eval's help shows eval's options only"
    );
    assert!(stdout(&o).contains("Exit codes:"), "{}", stdout(&o));
    exits(&["help", "batch"], 0);
    let o = exits(&["--version"], 0);
    assert_eq!(
        stdout(&o),
        format!("homeward {}\n", env!("CARGO_PKG_VERSION"))
    );
    let o = exits(&[], 2);
    assert!(
        stderr(&o).contains("Usage: homeward <COMMAND>"),
        "{}",
        stderr(&o)
    );
    let o = exits(&["evl"], 2);
    assert!(stderr(&o).contains("'eval'"), "{}", stderr(&o));
    let o = exits(&["eval", "--fact", FACTS], 2);
    assert!(stderr(&o).contains("--facts"), "{}", stderr(&o));
    let o = exits(
        &["eval", "--facts", FACTS, "--bundled-overlay", "norfolkk"],
        2,
    );
    assert!(stderr(&o).contains("norfolk"), "{}", stderr(&o));
}

/// Issue 15: shell completions and man pages come from the same definitions.
#[test]
fn completions_and_man_pages() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = exits(&["completions", shell], 0);
        assert!(stdout(&o).contains("questionnaire-response"), "{shell}");
    }
    let o = exits(&["man"], 0);
    assert!(
        stdout(&o).starts_with(".ie") || stdout(&o).contains(".TH homeward 1"),
        "{}",
        stdout(&o)
    );
    let dir = scratch("man");
    let d = dir.to_string_lossy().into_owned();
    exits(&["man", "--dir", &d], 0);
    for page in [
        "homeward.1",
        "homeward-batch.1",
        "homeward-eval.1",
        "homeward-cds-card.1",
    ] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap_or_default();
        assert!(text.contains(".TH"), "{page}");
    }
    let o = exits(&["man", "--dir", "/nonexistent-dir"], 3);
    assert!(stderr(&o).contains("`/nonexistent-dir`"), "{}", stderr(&o));
}

/// L2: delay days counted by the calendar: across February in a leap year and not, to an
/// `--as-of` date.
#[test]
fn l2_delay_days_follow_the_calendar() {
    let dir = scratch("l2");
    let line = |id: &str, date: &str| {
        // No criterion to reside, a NEWS2 that agrees, and medicines not ready: a delayed
        // patient.
        format!("{{\"id\":\"{id}\",\"facts\":{{\"clinical.criteria_to_reside\":[],\"clinical.news2\":2,\"logistics.tto_ready\":false}},\"discharge_ready_date\":\"{date}\"}}\n")
    };
    for (date, as_of, days) in [
        ("2024-02-28", "2024-03-01", 2),
        ("2026-02-28", "2026-03-01", 1),
        ("2025-12-31", "2026-01-01", 1),
    ] {
        let input = write(&dir, "in.jsonl", &line("a", date));
        let o = exits(
            &[
                "batch",
                &input,
                "--checklist",
                "ward_discharge",
                "--as-of",
                as_of,
                "--no-reports",
            ],
            0,
        );
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
        assert_eq!(v["delay_days"], days, "{date} to {as_of}: {v}");
    }
}
