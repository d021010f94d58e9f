//! `cargo xtask bench [--quick]`: the shared workload, the side-by-side Node harness (Homeward's
//! WASM against json-rules-engine, json-logic-js and json-logic-engine on that workload, in one
//! process and run), and the criterion benches of the engine; then rewrites the generated
//! section of BENCHMARKS.md with the machine, date, commands, figures, ratios and each target
//! with whether this run met it. CI runs the harness in quick mode and every criterion bench
//! once (`--test`) so neither can rot; it asserts agreement between engines, never timings.

use crate::{root, run_counted, setup, web};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

const START: &str = "<!-- cargo xtask bench: start -->";
/// The harness's rows (bench/node/harness.mjs) that the targets read.
const JLE: &str = "json-logic-engine (compiled)";
const HW1: &str = "Homeward per patient (`Bulk.assessFacts`)";
const HWN: &str = "Homeward batch (`Bulk.assessManyFacts`)";
const HWR: &str = "Homeward full report (`Bulk.reportFacts`)";
const END: &str = "<!-- cargo xtask bench: end -->";

fn capture(cmd: &mut Command) -> Result<String, String> {
    let shown = format!("{cmd:?}").replace('"', "");
    println!("\n==> {shown}");
    let out = cmd
        .current_dir(root())
        .output()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    print!("{text}");
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "failed: {shown}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Writes the shared workload (`bench/workload/`) and runs the Node harness (agreement check,
/// then timings), as CI does.
pub fn harness(quick: bool) -> Result<String, String> {
    setup::npm_in("bench/node")?;
    let pkg = root().join("target/wasm-pkg");
    web::build_wasm(&pkg)?;
    capture(Command::new("node").args([
        "bench/node/workload.mjs",
        if quick { "1000" } else { "10000" },
    ]))?;
    let mut cmd = Command::new("node");
    // `--expose-gc`: the harness collects garbage before each timed run, so one engine's
    // garbage is not collected inside the next engine's run.
    cmd.args(["--expose-gc", "bench/node/harness.mjs"])
        .env("HOMEWARD_PKG", &pkg);
    if quick {
        cmd.arg("--quick");
    }
    run_counted(&mut cmd)
}

/// Every criterion bench run once as a test (CI: they build and run, nothing is timed). The
/// shared bench fails without its workload, so the workload is written first.
pub fn smoke() -> Result<(), String> {
    capture(Command::new("node").args(["bench/node/workload.mjs", "1000"]))?;
    run_counted(Command::new("cargo").args([
        "bench",
        "-p",
        "homeward-engine",
        "--bench",
        "engine",
        "--bench",
        "shared",
        "--bench",
        "compile",
        "--",
        "--test",
    ]))
    .map(|_| ())
}

/// Criterion medians by bench name, with elements per second where the bench declares them.
fn criterion_figures(text: &str) -> Vec<(String, f64, Option<f64>)> {
    let mut out: Vec<(String, f64, Option<f64>)> = Vec::new();
    let mut name = String::new();
    for line in text.lines() {
        let t = line.trim();
        let middle = |t: &str| -> Option<f64> {
            let inner = t.split('[').nth(1)?.split(']').next()?;
            let parts: Vec<&str> = inner.split_whitespace().collect();
            let (v, unit) = (parts.get(2)?.parse::<f64>().ok()?, *parts.get(3)?);
            Some(match unit {
                "ps" => v / 1000.0,
                "ns" => v,
                "µs" | "us" => v * 1e3,
                "ms" => v * 1e6,
                "s" => v * 1e9,
                "elem/s" => v,
                "Kelem/s" => v * 1e3,
                "Melem/s" => v * 1e6,
                "Gelem/s" => v * 1e9,
                _ => return None,
            })
        };
        // A short name shares its line with the time: `name   time:   [a b c]`.
        let (t, named) = match t.split_once("time:") {
            Some((n, rest)) if !line.starts_with(' ') && !n.trim().is_empty() => {
                name = n.trim().to_string();
                (rest, true)
            }
            _ => (t, false),
        };
        if named {
            if let Some(ns) = middle(t) {
                out.push((name.clone(), ns, None));
            }
        } else if let Some(rest) = t.strip_prefix("time:") {
            if let Some(ns) = middle(rest) {
                if !name.is_empty() && !t.contains('%') {
                    out.push((name.clone(), ns, None));
                }
            }
        } else if let Some(rest) = t.strip_prefix("thrpt:") {
            if let (Some(v), Some(last)) = (middle(rest), out.last_mut()) {
                if last.0 == name {
                    last.2 = Some(v);
                }
            }
        } else if !line.starts_with(' ')
            && !t.is_empty()
            && !t.starts_with("Benchmarking")
            && !t.starts_with("Found")
            && !t.contains("Warning")
            && !t.contains("Gnuplot")
            && !t.starts_with("Running")
            && !t.contains("outlier")
        {
            name = t.split_whitespace().next().map_or(String::new(), |_| {
                t.split("  ").next().unwrap_or(t).trim().to_string()
            });
        }
    }
    out
}

/// Every run of a session figure, in µs.
fn runs_of(session: &Value, key: &str) -> String {
    session
        .get(key)
        .and_then(|r| r.get("runs"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_f64)
                .map(|x| format!("{:.2} µs", x / 1e3))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// Everything, and BENCHMARKS.md rewritten.
pub fn bench(quick: bool) -> Result<(), String> {
    harness(quick)?;
    let node: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("bench/node/results/latest.json"))
            .map_err(|e| format!("bench/node/results/latest.json: {e}"))?,
    )
    .map_err(|e| e.to_string())?;
    let (warm, measure) = if quick { ("0.2", "0.5") } else { ("1", "3") };
    let criterion = capture(Command::new("cargo").args([
        "bench",
        "-p",
        "homeward-engine",
        "--bench",
        "engine",
        "--bench",
        "shared",
        "--bench",
        "compile",
        "--",
        "--warm-up-time",
        warm,
        "--measurement-time",
        measure,
    ]))?;
    let figures = criterion_figures(&criterion);
    let by_name: BTreeMap<&str, (f64, Option<f64>)> = figures
        .iter()
        .map(|(n, t, e)| (n.as_str(), (*t, *e)))
        .collect();
    let per_patient = |name: &str| {
        by_name
            .get(name)
            .map(|(t, e)| e.map_or(*t, |eps| 1e9 / eps))
    };

    let mut crit = String::from("| criterion bench | median | per patient |\n|---|---|---|\n");
    for (n, t, e) in &figures {
        let per = e.map_or(String::from("—"), |eps| human(1e9 / eps));
        crit.push_str(&format!("| `{n}` | {} | {per} |\n", human(*t)));
    }

    let results = node
        .get("results")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let ns = |k: &str| {
        results
            .get(k)
            .and_then(|r| r.get("ns_per_patient"))
            .and_then(Value::as_f64)
    };
    let base = ns(JLE).unwrap_or(f64::NAN);
    let mut nodetab = String::from(
        "| engine | endpoint | ns per patient | × json-logic-engine compiled | every run (ns) | ruleset load | min+gz bundle | input and output |\n|---|---|---|---|---|---|---|---|\n",
    );
    for (name, r) in &results {
        let f = |k: &str| r.get(k).cloned().unwrap_or(Value::Null);
        let v = f("ns_per_patient").as_f64().unwrap_or(f64::NAN);
        let runs = f("runs_ns")
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_f64)
                    .map(|x| format!("{x:.0}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        nodetab.push_str(&format!(
            "| {name} | {} | {v:.0} | {:.2} | {runs} | {:.2} ms | {} B | {} |\n",
            f("endpoint").as_str().unwrap_or(""),
            base / v,
            f("load_ms").as_f64().unwrap_or(f64::NAN),
            f("gzip_bytes").as_u64().unwrap_or(0),
            f("input").as_str().unwrap_or("")
        ));
    }
    let session = node.get("session").cloned().unwrap_or(Value::Null);
    let session_ns = |k: &str| {
        session
            .get(k)
            .and_then(|r| r.get("median"))
            .and_then(Value::as_f64)
    };

    // How many times faster than json-logic-engine compiled (same endpoint).
    let ratio = |k: &str| ns(k).map(|v| base / v);
    let mark = |ok: bool| if ok { "met" } else { "**missed**" };
    let mut targets = String::from("| target | this run | |\n|---|---|---|\n");
    let mut row =
        |what: &str, got: Option<f64>, show: &dyn Fn(f64) -> String, ok: &dyn Fn(f64) -> bool| {
            let (text, status) = got.map_or((String::from("not measured"), "not measured"), |g| {
                (show(g), mark(ok(g)))
            });
            targets.push_str(&format!("| {what} | {text} | {status} |\n"));
        };
    row(
        "native, shared workload, one patient (validated facts) ≤ 300 ns",
        per_patient("shared/assess validated facts"),
        &|v| human(v),
        &|v| v <= 300.0,
    );
    row(
        "native, shared workload, compact batch ≤ 200 ns per patient",
        per_patient("shared/compact batch, 64 patients per pass"),
        &|v| human(v),
        &|v| v <= 200.0,
    );
    row(
        "native, national + open questions ≤ 1.5 µs",
        per_patient("national/assess mostly unknown + open questions"),
        &|v| human(v),
        &|v| v <= 1500.0,
    );
    row(
        "load (compile and lint) a 10,000-row table ≤ 1 s",
        per_patient("compile/10,000-row table"),
        &|v| human(v),
        &|v| v <= 1e9,
    );
    row(
        "load (compile and lint) a 10,000-link chain of named conditions ≤ 1 s",
        per_patient("compile/10,000-link chain"),
        &|v| human(v),
        &|v| v <= 1e9,
    );
    row(
        "native session, national with Norfolk half answered, one update ≤ 20 µs: compact update (verdict, statuses, open and hidden questions)",
        per_patient("session/one answer (compact update)"),
        &|v| human(v),
        &|v| v <= 20_000.0,
    );
    row(
        "native session, national with Norfolk half answered, one update ≤ 20 µs: set + full report as codes (what the checklist renders)",
        per_patient("session/one answer (set + report codes)"),
        &|v| human(v),
        &|v| v <= 20_000.0,
    );
    row(
        "native session, national with Norfolk half answered, one update ≤ 20 µs: set + full report as JSON text (the JSON API)",
        per_patient("session/one answer (set + report JSON)"),
        &|v| human(v),
        &|v| v <= 20_000.0,
    );
    row(
        "Node, per patient through the public wrapper (object in, result object out): faster than json-logic-engine compiled",
        ratio(HW1),
        &|v| format!("{v:.2}×"),
        &|v| v > 1.0,
    );
    row(
        "Node, batch from objects to result objects: ≥ 3× json-logic-engine compiled",
        ratio(HWN),
        &|v| format!("{v:.2}×"),
        &|v| v >= 3.0,
    );
    row(
        "Node, full report as a JS object ≤ 10 µs per patient",
        ns(HWR),
        &|v| human(v),
        &|v| v <= 10_000.0,
    );
    row(
        "WASM session, national ruleset half answered: one update ≤ 10 µs",
        session_ns("update"),
        &|v| human(v),
        &|v| v <= 10_000.0,
    );
    row(
        "WASM session, national ruleset half answered: set + report ≤ 30 µs",
        session_ns("set_report"),
        &|v| human(v),
        &|v| v <= 30_000.0,
    );
    row(
        "Node, batch from objects ≥ 20× json-logic-js",
        ns("json-logic-js").zip(ns(HWN)).map(|(a, b)| a / b),
        &|v| format!("{v:.1}×"),
        &|v| v >= 20.0,
    );
    row(
        "Node, batch from objects ≥ 500× json-rules-engine",
        ns("json-rules-engine").zip(ns(HWN)).map(|(a, b)| a / b),
        &|v| format!("{v:.0}×"),
        &|v| v >= 500.0,
    );
    row(
        "`.wasm` the page loads (runtime build) ≤ 60 KB gzipped",
        node.get("runtime_wasm_gzip_bytes").and_then(Value::as_f64),
        &|v| format!("{:.1} KB", v / 1024.0),
        &|v| v <= 60.0 * 1024.0,
    );
    row(
        "`.wasm`, full build (loads JSON rulesets) ≤ 60 KB gzipped",
        node.get("wasm_gzip_bytes").and_then(Value::as_f64),
        &|v| format!("{:.1} KB", v / 1024.0),
        &|v| v <= 60.0 * 1024.0,
    );

    let date = String::from_utf8_lossy(
        &Command::new("date")
            .args(["-u", "+%Y-%m-%d %H:%M UTC"])
            .output()
            .map_err(|e| e.to_string())?
            .stdout,
    )
    .trim()
    .to_string();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let node_version = capture(Command::new("node").arg("--version")).unwrap_or_default();
    let q = if quick { " --quick" } else { "" };
    let n = |k: &str| node.get(k).cloned().unwrap_or(Value::Null);
    let f64_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let load = n("load_average");
    let sizes = format!(
        "`.wasm` {} B raw, {} B gzipped (full build); the page's runtime build {} B raw, {} B gzipped",
        n("wasm_bytes"),
        n("wasm_gzip_bytes"),
        n("runtime_wasm_bytes"),
        n("runtime_wasm_gzip_bytes")
    );
    let session_line = format!(
        "WASM session (public wrapper, national ruleset, checklist `{}`, {} of {} facts answered): \
one `Session.update` {} (runs: {}), one `Session.set` returning the report object {} (runs: {}; \
the same through JSON text, the previous path, {}).",
        session.get("checklist").and_then(Value::as_str).unwrap_or(""),
        session.get("answered").cloned().unwrap_or(Value::Null),
        session.get("facts").cloned().unwrap_or(Value::Null),
        human(session_ns("update").unwrap_or(f64::NAN)),
        runs_of(&session, "update"),
        human(session_ns("set_report").unwrap_or(f64::NAN)),
        runs_of(&session, "set_report"),
        human(session_ns("set_report_json").unwrap_or(f64::NAN)),
    );
    let reps = n("reps");
    let section = format!(
        "{START}\n## Latest run (generated by `cargo xtask bench{q}`)\n\n{date}, {cores} cores, {cpu}, Node {}. \
One-minute load average {:.2} before the Node harness and {:.2} after it (other builds share this machine: \
absolute times are pessimistic; compare ratios within this run). Shared workload: {} facts, {} requirements \
nested to depth 3, one {}-row first-hit table, {} seeded complete patients (`node bench/node/workload.mjs`). {sizes}.\n\n\
**Method.** One Node process (`node --expose-gc bench/node/harness.mjs{q}`) loads every engine, checks that every row gives \
the same verdict, not-met requirement ids and pathway for every patient (it exits non-zero otherwise), then \
warms every row up (1,000 calls, or one batch call) and times {reps} rounds; each round runs every row once, in \
turn, over all {} patients (one call per patient, or one call for the batch), with `process.hrtime` after a full \
garbage collection (so no row pays for another's garbage), so every \
row's runs come from the same minutes of this shared machine (rounds since 2026-12-05; before, each row's runs \
were timed together, and a slow minute could fall on one row alone). The figure is the median run and every run \
is listed, in round order. Rows marked **same** go from the same start to the same end: the patient as a parsed JS object (built \
once before timing) to a JS result object holding the verdict, the not-met ids and the pathway. Homeward is \
called through its public package API (`homeward.node.js`: `Bulk.assessFacts`, `Bulk.assessManyFacts`), \
never through the raw bindings; the JavaScript engines' results are built by the harness from their output. \
Rows marked **raw** are Homeward's typed-array calls on input encoded before timing, returning codes that are \
not decoded (not the same job); **report** returns the whole report (explanations, actions, citations, open \
questions): more than the others. The ratio is json-logic-engine compiled's time divided by the row's, from \
this run. Bundle sizes: esbuild `--bundle --minify --format=esm --platform=browser` of \
`import * as m from '<package>'`, gzipped by Node's zlib at level 9 (`gzipSync`; GNU `gzip -9`, which the `.wasm` size guard uses, gives about 800 B less on the `.wasm`), dependencies included; Homeward's is its minified wrapper and \
wasm-bindgen glue plus the gzipped `.wasm`. {session_line} Each timed session call flips one answered yes/no \
fact and the next call flips it back, so the session stays half answered.\n\n\
### Targets\n\n{targets}\n### Side by side in Node (one process, one run)\n\n{nodetab}\n\
### Native (criterion: `cargo bench -p homeward-engine --bench engine --bench shared --bench compile`)\n\n{crit}{END}",
        node_version.trim(),
        f64_of(&load, "before"),
        f64_of(&load, "after"),
        n("facts"), n("requirements"), n("table_rows"), n("patients"),
        n("patients"),
    );
    let path = root().join("BENCHMARKS.md");
    let current = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let updated = match (current.find(START), current.find(END)) {
        (Some(a), Some(b)) if b > a => format!(
            "{}{section}{}",
            current.get(..a).unwrap_or_default(),
            current.get(b + END.len()..).unwrap_or_default()
        ),
        _ => format!("{}\n\n{section}\n", current.trim_end()),
    };
    std::fs::write(&path, updated).map_err(|e| e.to_string())?;
    println!("BENCHMARKS.md updated");
    Ok(())
}
