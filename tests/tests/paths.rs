//! One corpus, every path (after Cedar's test-implementation trait): every golden scenario
//! (`tests/scenarios/*.json`) runs through each way of calling the engine — the Rust report,
//! the JSON entry point, the compact one-patient path and the bit-parallel batch — and every
//! path must give the same verdict, the same status for every requirement and the same
//! output (or undetermined) for every decision. The WASM build runs the same corpus through
//! the same paths in `web-demo/tests/wasm-api.mjs`.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test"
)]

use homeward::compact::UNDECIDED;
use homeward::json::JsonEngine;
use homeward::{Report, Ruleset};
use homeward_tests::{json_files, repo_root, Scenario};
use serde_json::Value;
use std::collections::BTreeMap;

/// What every path must agree on for one patient.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    verdict: String,
    /// Each requirement of the checklist with its status, in checklist order.
    statuses: Vec<(String, String)>,
    /// Each table of the checklist with its output (`None`: undetermined), in order.
    decisions: Vec<(String, Option<Value>)>,
}

impl Outcome {
    fn of_report(report: &Value) -> Outcome {
        let list = |key: &str| report[key].as_array().cloned().unwrap_or_default();
        Outcome {
            verdict: report["verdict"].as_str().unwrap().to_string(),
            statuses: list("requirements")
                .iter()
                .map(|r| {
                    (
                        r["id"].as_str().unwrap().to_string(),
                        r["status"].as_str().unwrap().to_string(),
                    )
                })
                .collect(),
            decisions: list("decisions")
                .iter()
                .map(|d| {
                    let out = (d["status"] == "decided").then(|| d["output"].clone());
                    (d["id"].as_str().unwrap().to_string(), out)
                })
                .collect(),
        }
    }

    /// The outcome from compact output codes, named by the checklist's layout.
    fn of_codes(codes: &[u32], layout: &Value) -> Outcome {
        const VERDICTS: [&str; 3] = ["ready", "not_ready", "undetermined"];
        const STATUSES: [&str; 4] = ["met", "not_met", "unknown", "not_applicable"];
        let tables = layout["tables"].as_array().unwrap();
        let reqs = layout["requirements"].as_array().unwrap();
        Outcome {
            verdict: VERDICTS[codes[0] as usize].to_string(),
            decisions: tables
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let c = codes[1 + i];
                    let out = (c != UNDECIDED).then(|| t["outputs"][c as usize].clone());
                    (t["id"].as_str().unwrap().to_string(), out)
                })
                .collect(),
            statuses: reqs
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let status = STATUSES[codes[1 + tables.len() + i] as usize];
                    (r.as_str().unwrap().to_string(), status.to_string())
                })
                .collect(),
        }
    }
}

/// What scenarios that run together share: overlays, checklist and as-of date.
type GroupKey = (Vec<String>, String, Option<String>);

/// Scenarios that run together: same overlays, checklist and as-of date.
struct Group<'a> {
    engine: JsonEngine,
    checklist: String,
    as_of: Option<String>,
    scenarios: Vec<&'a Scenario>,
}

/// One way of calling the engine.
trait Path {
    fn name(&self) -> &'static str;
    /// The outcome of every scenario of a group, in order.
    fn run(&self, group: &Group<'_>) -> Vec<Outcome>;
}

/// `Ruleset::evaluate`: the Rust report.
struct ReportPath;
impl Path for ReportPath {
    fn name(&self) -> &'static str {
        "report (Rust)"
    }
    fn run(&self, g: &Group<'_>) -> Vec<Outcome> {
        let rs: &Ruleset = g.engine.ruleset().unwrap();
        g.scenarios
            .iter()
            .map(|s| {
                let report: Report = s
                    .evaluate(rs)
                    .unwrap_or_else(|e| panic!("{}: {e}", s.file.display()));
                Outcome::of_report(&serde_json::to_value(&report).unwrap())
            })
            .collect()
    }
}

/// `JsonEngine::evaluate`: JSON text in, the report as JSON text out.
struct JsonPath;
impl Path for JsonPath {
    fn name(&self) -> &'static str {
        "JSON entry point"
    }
    fn run(&self, g: &Group<'_>) -> Vec<Outcome> {
        g.scenarios
            .iter()
            .map(|s| {
                let out = g.engine.evaluate(
                    &s.doc["facts"].to_string(),
                    &g.checklist,
                    g.as_of.as_deref(),
                );
                let v: Value = serde_json::from_str(&out).unwrap();
                Outcome::of_report(&v["ok"])
            })
            .collect()
    }
}

/// Each scenario's facts in compact form.
fn compact(g: &Group<'_>) -> Vec<Vec<i32>> {
    let rs = g.engine.ruleset().unwrap();
    g.scenarios
        .iter()
        .map(|s| s.facts(rs).unwrap().to_compact(rs))
        .collect()
}

/// `JsonBulk::assess`: compact values in, codes out, one patient per call.
struct CompactPath;
impl Path for CompactPath {
    fn name(&self) -> &'static str {
        "compact, one patient per call"
    }
    fn run(&self, g: &Group<'_>) -> Vec<Outcome> {
        let layout: Value = serde_json::from_str(&g.engine.layout(&g.checklist)).unwrap();
        let mut bulk = g.engine.bulk(&g.checklist);
        assert!(bulk.set_as_of(g.as_of.as_deref()).starts_with("{\"ok\""));
        let mut out = vec![0; bulk.output_len()];
        compact(g)
            .iter()
            .map(|values| {
                assert_eq!(bulk.assess(values, &mut out), out.len(), "{}", bulk.error());
                Outcome::of_codes(&out, &layout["ok"])
            })
            .collect()
    }
}

/// `JsonBulk::assess_many`: the whole group in one call, 64 patients per pass.
struct BatchPath;
impl Path for BatchPath {
    fn name(&self) -> &'static str {
        "compact batch"
    }
    fn run(&self, g: &Group<'_>) -> Vec<Outcome> {
        let layout: Value = serde_json::from_str(&g.engine.layout(&g.checklist)).unwrap();
        let mut bulk = g.engine.bulk(&g.checklist);
        assert!(bulk.set_as_of(g.as_of.as_deref()).starts_with("{\"ok\""));
        let values: Vec<i32> = compact(g).concat();
        let no = bulk.output_len();
        let mut out = vec![0; no * g.scenarios.len()];
        assert_eq!(
            bulk.assess_many(&values, &mut out),
            g.scenarios.len(),
            "{}",
            bulk.error()
        );
        out.chunks(no)
            .map(|codes| Outcome::of_codes(codes, &layout["ok"]))
            .collect()
    }
}

#[test]
fn every_scenario_gives_the_same_answer_on_every_path() {
    let scenarios: Vec<Scenario> = json_files(&repo_root().join("tests/scenarios"))
        .iter()
        .map(|f| Scenario::load(f).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let mut groups: BTreeMap<GroupKey, Vec<&Scenario>> = BTreeMap::new();
    for s in &scenarios {
        let key = (
            s.overlays(),
            s.checklist().unwrap_or("*").to_string(),
            s.as_of().map(String::from),
        );
        groups.entry(key).or_default().push(s);
    }
    let paths: [&dyn Path; 4] = [&ReportPath, &JsonPath, &CompactPath, &BatchPath];
    let mut runs = BTreeMap::new();
    for ((overlays, checklist, as_of), scenarios) in groups {
        let group = Group {
            engine: JsonEngine::national(&overlays),
            checklist,
            as_of,
            scenarios,
        };
        let reference = paths[0].run(&group);
        for path in &paths[1..] {
            let got = path.run(&group);
            for ((s, want), got) in group.scenarios.iter().zip(&reference).zip(&got) {
                assert_eq!(
                    got,
                    want,
                    "{}: {} differs from {}",
                    s.file.display(),
                    path.name(),
                    paths[0].name()
                );
            }
            *runs.entry(path.name()).or_insert(0) += got.len();
        }
        *runs.entry(paths[0].name()).or_insert(0) += reference.len();
    }
    for (path, n) in &runs {
        assert_eq!(
            *n,
            scenarios.len(),
            "{path} ran {n} of {} scenarios",
            scenarios.len()
        );
    }
    println!(
        "{} golden scenarios through each of {:?}",
        scenarios.len(),
        runs.keys().collect::<Vec<_>>()
    );
}
