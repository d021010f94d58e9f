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

/// One output line, with the id kept as its JSON text.
#[derive(serde::Deserialize)]
struct OutLine {
    line: u64,
    id: Box<serde_json::value::RawValue>,
    report: Option<Box<serde_json::value::RawValue>>,
    error: Option<String>,
}

/// Checks one output line against its expectation; returns what is wrong.
fn mismatch(got: &OutLine, want: &serde_json::Value) -> Option<String> {
    let id_ok = match want.get("id_json") {
        Some(text) => Some(got.id.get()) == text.as_str(),
        None => {
            serde_json::from_str::<serde_json::Value>(got.id.get())
                .ok()
                .as_ref()
                == want.get("id")
        }
    };
    let line_ok = Some(got.line) == want["line"].as_u64();
    let body_ok = if want["report"] == true {
        got.report.is_some()
    } else {
        got.error.as_deref().is_some_and(|e| {
            e.starts_with(&format!("{}: ", want["code"].as_str().unwrap_or("?")))
                && e.contains(&format!(" at {}", want["at"].as_str().unwrap_or("?")))
                && want["contains"].as_str().is_none_or(|c| e.contains(c))
        })
    };
    (!(id_ok && line_ok && body_ok)).then(|| {
        format!(
            "line {} id {}: {}",
            got.line,
            got.id.get(),
            got.error.as_deref().unwrap_or("(report)")
        )
    })
}

/// The batch corpus (`tests/malformed/batch/*.jsonl`): every line of every file gets the
/// expected report or located, coded error (H1, L2, L5, L8, M5), the other lines are
/// evaluated, and the exit code is as documented (4 when any line failed).
#[test]
fn malformed_batch_corpus() {
    let dir = common::root().join("tests/malformed/batch");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "the corpus is there");
    let mut failures = Vec::new();
    for file in files {
        let expect_path = file.with_extension("expect.json");
        let expect: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&expect_path).unwrap_or_default())
                .unwrap_or_else(|e| panic!("{}: {e}", expect_path.display()));
        let name = file.display().to_string();
        let o = batch(&[&name, "--aggregate", "/dev/null"]);
        if i64::from(code(&o)) != expect["exit"].as_i64().unwrap_or(-1) {
            failures.push(format!("{name}: exit {} ({})", code(&o), stderr(&o)));
        }
        let got: Vec<OutLine> = o
            .stdout
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap_or_else(|e| panic!("{name}: {e}")))
            .collect();
        let want = expect["out"].as_array().cloned().unwrap_or_default();
        if got.len() != want.len() {
            failures.push(format!(
                "{name}: {} output lines, expected {}",
                got.len(),
                want.len()
            ));
        }
        for (g, w) in got.iter().zip(&want) {
            if let Some(m) = mismatch(g, w) {
                failures.push(format!("{name}: {m}\n    expected {w}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// RF-16 (issue 12 item 6): delays are counted as WM-ADASS counted them — patients ready for
/// transfer, one attribution per delayed patient and per delayed bed-day, never per checklist
/// item. The review's reproduction: a patient on oxygen is not delayed; a patient with three
/// NHS items and a missing key safe (housing, attributed jointly) is one joint delay, not
/// "80 % NHS".
#[test]
fn rf16_one_attribution_per_delayed_patient() {
    let dir = scratch("rf16");
    let text =
        std::fs::read_to_string(common::root().join("tests/scenarios/ward_key_safe_missing.json"))
            .unwrap_or_else(|e| panic!("{e}"));
    let scenario: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let key_safe = scenario["facts"].clone();
    let with = |changes: serde_json::Value| {
        let mut f = key_safe.clone();
        for (k, v) in changes.as_object().into_iter().flatten() {
            f[k] = v.clone();
        }
        f
    };
    let lines = [
        // On oxygen: still meets a criterion to reside, so not delayed at all.
        serde_json::json!({ "id": "A", "facts": { "clinical.criteria_to_reside": ["oxygen_or_niv"] },
                            "discharge_ready_date": "2026-11-20" }),
        // Three NHS items and a missing key safe: one delayed patient, attributed to both.
        serde_json::json!({ "id": "B", "facts": with(serde_json::json!({ "logistics.tto_ready": false,
                            "logistics.discharge_summary_sent": false })), "discharge_ready_date": "2026-11-20" }),
        // Only the medicines: an NHS delay.
        serde_json::json!({ "id": "C", "facts": with(serde_json::json!({ "home.key_safe_or_key_arranged": true,
                            "logistics.tto_ready": false })), "discharge_ready_date": "2026-11-23" }),
        // Clinically ready, everything else unanswered: not yet known, never attributed.
        serde_json::json!({ "id": "D", "facts": { "clinical.criteria_to_reside": [], "clinical.news2": 1 } }),
    ];
    let input = write(
        &dir,
        "in.jsonl",
        &lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    );
    let o = batch(&[&input, "--as-of", "2026-11-24", "--no-reports"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let agg: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    assert_eq!(agg["patients"], 4);
    assert_eq!(agg["no_criteria_to_reside"], 3, "{agg:#}");
    assert_eq!(agg["delayed"], 2, "{agg:#}");
    assert_eq!(agg["ready_for_transfer_not_yet_known"], 1, "{agg:#}");
    assert_eq!(
        agg["attribution"],
        serde_json::json!({ "joint": 1, "nhs": 1 }),
        "{agg:#}"
    );
    assert_eq!(
        agg["attribution_percent"],
        serde_json::json!({ "joint": 50.0, "nhs": 50.0, "social_care": 0.0 })
    );
    // B waited 4 days (jointly attributed), C 1 day (NHS); A's days are not a delay.
    assert_eq!(agg["delay_days"], 5);
    assert_eq!(
        agg["attributed_delay_days"],
        serde_json::json!({ "joint": 4, "nhs": 1 })
    );
    assert_eq!(
        agg["delayed_by_owner"],
        serde_json::json!({ "housing": 1, "nhs": 2 })
    );
}
