//! `homeward batch` under hostile conditions: its own input named as an output, bad bytes,
//! oversized and oddly ended lines, wrong field types, and exit codes. Findings C4, H1, M2, M5,
//! L1, L5 and L8 of the reliability review.

#![allow(clippy::panic, reason = "test")]

mod common;
use common::{code, homeward, output, run, scratch, stderr, write};
use std::path::Path;

const THREE: &str =
    "{\"id\":\"p1\",\"facts\":{}}\n{\"id\":\"p2\",\"facts\":{}}\n{\"id\":\"p3\",\"facts\":{}}\n";

fn batch(args: &[&str]) -> std::process::Output {
    let mut all = vec!["batch", "--checklist", "ward_discharge"];
    all.extend_from_slice(args);
    run(&all)
}

#[track_caller]
fn unchanged(path: &str) {
    assert_eq!(
        std::fs::read_to_string(path).unwrap_or_default(),
        THREE,
        "{path} was changed"
    );
}

/// C4: `batch IN --out IN` is a usage error (exit 2) and the input is untouched; the same for
/// `--aggregate IN`, for a hard link and a symbolic link to the input, and for `--out` and
/// `--aggregate` naming one file.
#[test]
fn c4_output_that_is_the_input_is_refused_before_writing() {
    let dir = scratch("c4");
    let input = write(&dir, "in.jsonl", THREE);
    let agg = dir.join("agg.json").to_string_lossy().into_owned();
    let hard = dir.join("hard.jsonl");
    std::fs::hard_link(&input, &hard).unwrap_or_else(|e| panic!("{e}"));
    let soft = dir.join("soft.jsonl");
    std::os::unix::fs::symlink(&input, &soft).unwrap_or_else(|e| panic!("{e}"));
    let relative = format!(
        "{}/../{}/in.jsonl",
        dir.display(),
        dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    let hard = hard.to_string_lossy().into_owned();
    let soft = soft.to_string_lossy().into_owned();
    for args in [
        vec![input.as_str(), "--out", &input, "--aggregate", &agg],
        vec![input.as_str(), "--out", &relative, "--aggregate", &agg],
        vec![input.as_str(), "--out", &hard, "--aggregate", &agg],
        vec![input.as_str(), "--out", &soft, "--aggregate", &agg],
        vec![input.as_str(), "--aggregate", &input],
        vec![input.as_str(), "--aggregate", &hard, "--no-reports"],
    ] {
        let o = batch(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("same file"), "{}", stderr(&o));
        unchanged(&input);
        assert!(
            !Path::new(&agg).exists(),
            "{args:?}: the aggregate was written"
        );
    }
    let out = dir.join("both.json").to_string_lossy().into_owned();
    let o = batch(&[&input, "--out", &out, "--aggregate", &out]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!Path::new(&out).exists());
}

/// C4: the input given on standard input, and standard output appended to the input file
/// (`batch IN >> IN`, which would read back its own reports), are caught too.
#[test]
fn c4_redirected_streams_that_are_the_input_are_refused() {
    let dir = scratch("c4-streams");
    let input = write(&dir, "in.jsonl", THREE);
    let open = |append: bool| {
        std::fs::OpenOptions::new()
            .read(!append)
            .append(append)
            .open(&input)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let o = output(
        homeward(&["batch", "-", "--out", &input, "--aggregate", "/dev/null"]).stdin(open(false)),
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    unchanged(&input);
    let o = output(homeward(&["batch", &input, "--aggregate", "/dev/null"]).stdout(open(true)));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    unchanged(&input);
}

/// C4: standard output and standard error sent to one log by the shell (`> log 2>&1`) are not
/// the same-file mistake: both append to the log.
#[test]
fn c4_streams_sharing_one_log_are_allowed() {
    let dir = scratch("c4-log");
    let input = write(&dir, "in.jsonl", THREE);
    let log = std::fs::File::create(dir.join("log")).unwrap_or_else(|e| panic!("{e}"));
    let log2 = log.try_clone().unwrap_or_else(|e| panic!("{e}"));
    let o = output(
        homeward(&["batch", &input, "--checklist", "ward_discharge"])
            .stdout(log)
            .stderr(log2),
    );
    assert_eq!(code(&o), 0);
    let text = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
    assert_eq!(text.matches("\"report\"").count(), 3, "{text}");
    assert!(text.contains("\"patients\": 3"), "{text}");
}
