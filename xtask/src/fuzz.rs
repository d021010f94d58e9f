//! `cargo xtask fuzz --minutes N`: runs each cargo-fuzz target (ruleset JSON, facts JSON, the
//! session API, batch lines, the FHIR importer) for N minutes on nightly, installing the nightly toolchain and
//! cargo-fuzz from the registries if missing. Seeds are `fuzz/seeds/<target>` plus the
//! malformed-input corpus and goldens the tests use (read only: libFuzzer writes new inputs
//! only to the first folder); the growing corpus in `fuzz/corpus/<target>` is not committed.

use crate::{root, run};
use std::process::Command;

const TARGETS: [&str; 5] = [
    "ruleset_json",
    "facts_json",
    "session_api",
    "batch_line",
    "fhir_import",
];

/// Test corpora that seed a target besides `fuzz/seeds/<target>`.
fn extra_seeds(target: &str) -> &'static [&'static str] {
    match target {
        "ruleset_json" => &["tests/malformed/rulesets"],
        "facts_json" => &["tests/malformed/facts"],
        "batch_line" => &["tests/malformed/batch", "tests/golden/cli"],
        "fhir_import" => &["tests/golden/fhir/lhc-forms"],
        _ => &[],
    }
}

fn ensure_tools() -> Result<(), String> {
    let has_nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_nightly {
        run(Command::new("rustup").args([
            "toolchain",
            "install",
            "nightly",
            "--profile",
            "minimal",
        ]))?;
    }
    let has_fuzz = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_fuzz {
        run(Command::new("cargo").args(["install", "--locked", "cargo-fuzz"]))?;
    }
    Ok(())
}

/// Runs every target for `seconds` each.
///
/// # Errors
/// When a tool cannot be installed or a target finds a crash (the artifact path is printed by
/// libFuzzer).
pub fn fuzz(seconds: u64) -> Result<(), String> {
    ensure_tools()?;
    for t in TARGETS {
        let corpus = root().join("fuzz/corpus").join(t);
        std::fs::create_dir_all(&corpus)
            .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        let seeds = root().join("fuzz/seeds").join(t);
        let max = format!("-max_total_time={seconds}");
        let extra = extra_seeds(t).iter().map(|d| root().join(d));
        run(Command::new("cargo")
            .args(["+nightly", "fuzz", "run", "--fuzz-dir", "fuzz", t])
            .arg(&corpus)
            .arg(&seeds)
            .args(extra)
            .args(["--", &max, "-max_len=65536", "-rss_limit_mb=2048"])
            .env_remove("RUSTUP_TOOLCHAIN"))?;
    }
    Ok(())
}
