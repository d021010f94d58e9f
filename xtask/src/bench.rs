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
    cmd.arg("bench/node/harness.mjs").env("HOMEWARD_PKG", &pkg);
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
    let base = ns("Homeward (WASM, compact batch)").unwrap_or(f64::NAN);
    let mut nodetab = String::from(
        "| engine | ns per patient | × slower than Homeward batch | ruleset load | gzipped size | input |\n|---|---|---|---|---|---|\n",
    );
    for (name, r) in &results {
        let f = |k: &str| r.get(k).cloned().unwrap_or(Value::Null);
        let v = f("ns_per_patient").as_f64().unwrap_or(f64::NAN);
        nodetab.push_str(&format!(
            "| {name} | {v:.0} | {:.2} | {:.2} ms | {} B | {} |\n",
            v / base,
            f("load_ms").as_f64().unwrap_or(f64::NAN),
            f("gzip_bytes").as_u64().unwrap_or(0),
            f("input").as_str().unwrap_or("")
        ));
    }

    let ratio = |k: &str| ns(k).map(|v| v / base);
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
        "one session update ≤ 20 µs: compact update (verdict, statuses, open and hidden questions)",
        per_patient("session/one answer (compact update)"),
        &|v| human(v),
        &|v| v <= 20_000.0,
    );
    row(
        "one session update ≤ 20 µs: full report as JSON (what the checklist renders today)",
        per_patient("session/one answer (set + report JSON)"),
        &|v| human(v),
        &|v| v <= 20_000.0,
    );
    row(
        "WASM batch faster than json-logic-engine compiled",
        ratio("json-logic-engine (compiled)"),
        &|v| format!("{v:.2}× faster"),
        &|v| v > 1.0,
    );
    row(
        "WASM batch ≥ 20× json-logic-js",
        ratio("json-logic-js"),
        &|v| format!("{v:.1}×"),
        &|v| v >= 20.0,
    );
    row(
        "WASM batch ≥ 500× json-rules-engine",
        ratio("json-rules-engine"),
        &|v| format!("{v:.0}×"),
        &|v| v >= 500.0,
    );
    row(
        "`.wasm` ≤ 60 KB gzipped",
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
    let section = format!(
        "{START}\n## Latest run (generated by `cargo xtask bench{q}`)\n\n{date}, {cores} cores, {cpu}, Node {}. \
Shared workload: {} facts, {} requirements nested to depth 3, one {}-row first-hit table, {} seeded complete \
patients (`node bench/node/workload.mjs`); every engine agreed on the verdict, failed requirement ids and \
table output of every patient before anything was timed (`node bench/node/harness.mjs{q}`). Node figures are \
the median of {} runs after a warm-up.\n\n### Targets\n\n{targets}\n### Side by side in Node (one process, one run)\n\n{nodetab}\n\
### Native (criterion: `cargo bench -p homeward-engine --bench engine --bench shared`)\n\n{crit}{END}",
        node_version.trim(),
        n("facts"), n("requirements"), n("table_rows"), n("patients"),
        if quick { 2 } else { 5 },
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
