//! The CLI's standard streams in the field: a full disk on standard output (`> /dev/full`),
//! standard error that cannot be written (`2>/dev/full`), and a reader that goes away
//! (`| head -1`). Findings C3, C5 and L4 of the reliability review.

#![allow(clippy::panic, reason = "test")]

mod common;
use common::{code, dev_full, homeward, output, run, scratch, stderr, write, FACTS, RULESET};
use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};

/// C3: every command that writes to standard output exits 3 with a message naming standard
/// output when the write fails for any reason other than a closed pipe.
#[test]
fn c3_full_disk_on_standard_output_exits_3_for_every_command() {
    let dir = scratch("c3");
    let report = dir.join("report.json");
    std::fs::write(
        &report,
        run(&["eval", "--ruleset", RULESET, "--facts", FACTS]).stdout,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let report = report.to_string_lossy().into_owned();
    let commands: Vec<Vec<&str>> = vec![
        vec!["eval", "--ruleset", RULESET, "--facts", FACTS],
        vec!["eval", "--ruleset", RULESET, "--facts", FACTS, "--compact"],
        vec![
            "eval",
            "--ruleset",
            RULESET,
            "--facts",
            FACTS,
            "--format",
            "text",
        ],
        vec!["export", "--format", "json"],
        vec!["export", "--format", "jsonlogic"],
        vec!["export", "--format", "fhir-questionnaire"],
        vec!["check", RULESET],
        vec!["check", RULESET, "--format", "json"],
        vec![
            "explain",
            "--ruleset",
            RULESET,
            "--facts",
            FACTS,
            "--requirement",
            "care_package",
        ],
        vec!["schema"],
        vec!["rulebook"],
        vec!["cds-card", "--report", &report],
        vec!["--help"],
        vec!["--version"],
    ];
    for args in commands {
        let o = output(homeward(&args).stdout(dev_full()));
        assert_eq!(code(&o), 3, "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("standard output") && err.contains("No space left on device"),
            "{args:?}: {err}"
        );
    }
}

/// C3: the failure is reported for a file named with `--out` too, naming the path.
#[test]
fn c3_full_disk_on_out_file_names_the_path() {
    let o = run(&["export", "--format", "json", "--out", "/dev/full"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("`/dev/full`"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("No space left on device"),
        "{}",
        stderr(&o)
    );
}

/// Runs `homeward args`, reads the first line of its standard output and then closes the pipe
/// (as `| head -1` does): that line and the finished process.
fn first_line_then_close(args: &[&str]) -> (String, Output) {
    let mut child = homeward(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut first = String::new();
    if let Some(out) = child.stdout.take() {
        BufReader::new(out)
            .read_line(&mut first)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    (first, o)
}

/// C3: a closed pipe is the one write failure that ends quietly with exit 0. The export is far
/// larger than a pipe buffer, so the write after the reader has gone fails with EPIPE.
#[test]
fn c3_closed_pipe_ends_quietly() {
    let (first, o) = first_line_then_close(&["export", "--format", "json"]);
    assert_eq!(first.trim(), "{");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

const THREE: &str =
    "{\"id\":\"p1\",\"facts\":{}}\n{\"id\":\"p2\",\"facts\":{}}\n{\"id\":\"p3\",\"facts\":{}}\n";

/// C5: when standard error cannot be written, messages are dropped and the exit code still
/// tells: never a panic (exit 101).
#[test]
fn c5_unwritable_standard_error_never_panics() {
    let dir = scratch("c5");
    let bad = write(&dir, "bad.json", "{\"x\": 1");
    for (args, expected) in [
        (vec!["check", "nope.json"], 3),
        (vec!["check", bad.as_str()], 1),
        (vec!["eval", "--facts", bad.as_str()], 1),
        (vec!["frobnicate"], 2),
        (vec!["eval", "--bogus"], 2),
        (
            vec![
                "explain",
                "--ruleset",
                RULESET,
                "--facts",
                FACTS,
                "--requirement",
                "nope",
            ],
            1,
        ),
    ] {
        let o = output(homeward(&args).stderr(dev_full()));
        assert_eq!(code(&o), expected, "{args:?}");
    }
}

/// C5: the aggregate is data, so it goes to standard output whenever the per-line output is
/// elsewhere (`--no-reports`, `--out FILE`), and a full standard error loses nothing.
#[test]
fn c5_batch_aggregate_survives_unwritable_standard_error() {
    let dir = scratch("c5-batch");
    let input = write(&dir, "in.jsonl", THREE);
    let reports = dir.join("reports.jsonl").to_string_lossy().into_owned();
    for args in [
        vec![
            "batch",
            input.as_str(),
            "--checklist",
            "ward_discharge",
            "--no-reports",
        ],
        vec![
            "batch",
            input.as_str(),
            "--checklist",
            "ward_discharge",
            "--out",
            &reports,
        ],
    ] {
        let o = output(homeward(&args).stderr(dev_full()));
        assert_eq!(code(&o), 0, "{args:?}");
        let agg: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert_eq!(agg["patients"], 3, "{agg}");
    }
}

/// C5: with the reports on standard output the aggregate still defaults to standard error;
/// when that cannot be written the batch exits 3 (a write failed), never 0 or 101.
#[test]
fn c5_batch_aggregate_on_unwritable_standard_error_exits_3() {
    let dir = scratch("c5-batch-stderr");
    let input = write(&dir, "in.jsonl", THREE);
    let o =
        output(homeward(&["batch", &input, "--checklist", "ward_discharge"]).stderr(dev_full()));
    assert_eq!(code(&o), 3);
    assert_eq!(o.stdout.iter().filter(|&&b| b == b'\n').count(), 3);
}

/// L4: `batch … | head -1`: when the reader goes away the batch stops quietly with exit 0 and
/// writes no partial aggregate (thousands of reports are far more than a pipe buffer holds).
#[test]
fn l4_batch_into_a_closed_pipe_ends_quietly() {
    let dir = scratch("l4");
    let lines: String = (0..3000)
        .map(|i| format!("{{\"id\":\"p{i}\",\"facts\":{{}}}}\n"))
        .collect();
    let input = write(&dir, "in.jsonl", &lines);
    let agg = dir.join("agg.json");
    let agg_s = agg.to_string_lossy().into_owned();
    for args in [
        vec!["batch", input.as_str(), "--checklist", "ward_discharge"],
        vec![
            "batch",
            input.as_str(),
            "--checklist",
            "ward_discharge",
            "--aggregate",
            &agg_s,
        ],
    ] {
        let (first, o) = first_line_then_close(&args);
        assert!(
            first.starts_with("{\"line\":1,\"id\":\"p0\",\"report\":"),
            "{first}"
        );
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?}");
        assert!(!agg.exists(), "no partial aggregate");
    }
}
