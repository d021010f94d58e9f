//! `cargo xtask`: build, demo, CI and documentation tasks for Homeward, in Rust rather than
//! shell. Run `cargo xtask help` for the list.

use homeward_cli::rulebook;
mod bedside;
mod bench;
mod fuzz;
mod setup;
mod wasm_order;
mod web;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const HELP: &str = "cargo xtask <task>

  ci                 everything CI runs: fmt, clippy, tests, doctests, docs, no_std build,
                     rulebook check, WASM build with size budget, node and browser tests
  demo [--port N]    build the WASM package and the checklist and serve it on 127.0.0.1 (8080)
  wasm               build the WASM npm package into target/wasm-pkg
  npm-check          build it, then publint, are-the-types-wrong, npm pack, install into an
                     empty project, run wasm/npm/example.mjs and type-check wasm/npm/consumer.ts
  e2e                browser end-to-end tests (headless Chromium)
  fhir               FHIR round trip through LHC-Forms (headless Chromium) and the R4 schema
  screenshots        the browser tests, writing docs/screenshots/*.png and the bedside
                     figures (tap time, first verdict, taps to a verdict) into BENCHMARKS.md
  rulebook [--check] write (or verify) docs/rules.md
  bench [--quick]    criterion benches and the side-by-side Node harness; rewrites BENCHMARKS.md
  setup              install the tools the build and tests need (idempotent)
  fuzz [--minutes N] run each cargo-fuzz target for N minutes (default 1)";

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Runs a command in the repository root, failing with its name when it fails.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}").replace('"', "");
    println!("\n==> {shown}");
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("failed: {shown} ({status})"))
    }
}

/// Test counts gathered across every runner of a CI run.
static COUNTS: std::sync::Mutex<(u64, u64)> = std::sync::Mutex::new((0, 0));

/// Runs a test command, echoing its output and adding the counts from its summary lines
/// (`test result: ok. N passed; M failed` and `N passed, M failed`) to the CI totals.
pub fn run_counted(cmd: &mut Command) -> Result<String, String> {
    let shown = format!("{cmd:?}").replace('"', "");
    println!("\n==> {shown}");
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let (mut p, mut f) = (0u64, 0u64);
    for line in stdout.lines() {
        let text = line
            .trim_start_matches("test result: ok. ")
            .trim_start_matches("test result: FAILED. ");
        let mut words = text.split([' ', ';', ',']).filter(|w| !w.is_empty());
        if let (Some(n), Some("passed"), Some(m), Some("failed")) =
            (words.next(), words.next(), words.next(), words.next())
        {
            if let (Ok(n), Ok(m)) = (n.parse::<u64>(), m.parse::<u64>()) {
                p += n;
                f += m;
            }
        }
    }
    if let Ok(mut c) = COUNTS.lock() {
        c.0 += p;
        c.1 += f;
    }
    if out.status.success() {
        Ok(stdout.into_owned())
    } else {
        Err(format!("failed: {shown} ({})", out.status))
    }
}

fn cargo(args: &[&str]) -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.args(args);
    c
}

/// Validates the shipped rulesets and freshly produced reports against docs/schema.
fn schema_check() -> Result<(), String> {
    let dir = root().join("target/schema-check");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let bin = root().join("target/debug/homeward");
    let mut reports = Vec::new();
    let out = Command::new(&bin)
        .args([
            "eval",
            "--ruleset",
            "tests/fixtures/example-ruleset.json",
            "--facts",
            "tests/fixtures/example-facts.json",
            "--compact",
        ])
        .current_dir(root())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    reports.extend_from_slice(&out.stdout);
    let out = Command::new(&bin)
        .args([
            "batch",
            "--ruleset",
            "tests/fixtures/example-ruleset.json",
            "tests/golden/cli/batch-input.jsonl",
            "--aggregate",
            "/dev/null",
        ])
        .current_dir(root())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    for line in String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("\"report\""))
    {
        reports.extend_from_slice(line.as_bytes());
        reports.push(b'\n');
    }
    let file = dir.join("reports.jsonl");
    std::fs::write(&file, reports).map_err(|e| e.to_string())?;
    run_counted(
        Command::new("node")
            .arg("tests/schema/validate.mjs")
            .arg(&file),
    )
    .map(|_| ())
}

/// `cargo package` for the published crate, verifying (it builds the packaged sources alone, so
/// a path outside `core/` fails here rather than on crates.io). A clean clone packages as is;
/// a working copy with uncommitted changes under `core/` needs `--allow-dirty`.
fn package_core() -> Result<(), String> {
    let dirty = Command::new("git")
        .args([
            "status",
            "--porcelain",
            "--",
            "core",
            "LICENSE-MIT",
            "LICENSE-APACHE",
        ])
        .current_dir(root())
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    let mut cmd = cargo(&["package", "-p", "homeward-engine"]);
    if dirty {
        println!("core/ has uncommitted changes: packaging with --allow-dirty");
        cmd.arg("--allow-dirty");
    }
    run(&mut cmd)
}

fn ci() -> Result<(), String> {
    let started = std::time::Instant::now();
    setup::all()?;
    run(&mut cargo(&["fmt", "--all", "--check"]))?;
    run(&mut cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    // The runtime build the page loads is a feature of the WebAssembly crate: linted as built.
    run(&mut cargo(&[
        "clippy",
        "-p",
        "homeward-wasm",
        "--features",
        "runtime",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;
    run_counted(&mut cargo(&["test", "--workspace"]))?;
    run(cargo(&["doc", "--workspace", "--no-deps"]).env("RUSTDOCFLAGS", "-D warnings"))?;
    run(&mut cargo(&[
        "build",
        "-p",
        "homeward-engine",
        "--no-default-features",
        "--target",
        "thumbv7em-none-eabihf",
    ]))?;
    package_core()?;
    rulebook::run(&root(), true)?;
    run(&mut cargo(&["build", "-p", "homeward-cli"]))?;
    schema_check()?;
    web::fhir_round_trip()?;
    web::typecheck()?;
    web::e2e(&web::Record::default())?;
    bench::harness(true)?;
    web::npm_check()?;
    bench::smoke()?;
    let fuzz_seconds = std::env::var("HOMEWARD_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    fuzz::fuzz(fuzz_seconds)?;
    let (passed, failed) = COUNTS.lock().map(|c| *c).unwrap_or_default();
    println!(
        "\nci: all checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    println!("ci: {passed} passed, {failed} failed");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map_or("help", String::as_str);
    let result = match task {
        "ci" => ci(),
        "setup" => setup::all(),
        "bench" => bench::bench(args.iter().any(|a| a == "--quick")),
        "fuzz" => {
            let minutes: f64 = args
                .iter()
                .position(|a| a == "--minutes")
                .and_then(|i| args.get(i + 1))
                .and_then(|m| m.parse().ok())
                .unwrap_or(1.0);
            fuzz::fuzz((minutes * 60.0).round().max(1.0) as u64)
        }
        "rulebook" => rulebook::run(&root(), args.iter().any(|a| a == "--check")),
        "wasm" => web::build_wasm(&root().join("target/wasm-pkg")),
        "npm-check" => web::npm_check(),
        "fhir" => web::fhir_round_trip(),
        "e2e" => web::e2e(&web::Record::default()),
        "screenshots" => bedside::screenshots(),
        "demo" => {
            let port = args
                .iter()
                .position(|a| a == "--port")
                .and_then(|i| args.get(i + 1))
                .and_then(|p| p.parse().ok())
                .unwrap_or(8080);
            web::demo(port)
        }
        "help" | "--help" | "-h" => {
            println!("{HELP}");
            Ok(())
        }
        other => Err(format!("unknown task `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
