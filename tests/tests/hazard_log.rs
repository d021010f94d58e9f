//! The hazard log (`docs/clinical-safety.md`) tells the truth: every test or scenario a control
//! names exists, every rule id it names is in the bundled rules, and every review finding
//! RF-01 … RF-31 is closed by evidence that exists.

#![allow(clippy::panic, clippy::indexing_slicing, reason = "test")]

use homeward::Ruleset;
use homeward_tests::{findings, json_files, repo_root, Scenario};
use std::collections::BTreeSet;
use std::path::Path;

fn doc() -> String {
    std::fs::read_to_string(repo_root().join("docs/clinical-safety.md")).unwrap_or_default()
}

/// Cells of the Markdown table rows whose first cell starts with `prefix`.
fn rows(text: &str, prefix: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.starts_with(&format!("| {prefix}")))
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// Text between pairs of `delim`.
fn quoted(cell: &str, delim: char) -> Vec<String> {
    cell.split(delim)
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect()
}

/// Every `fn name` in the Rust sources of the workspace's crates.
fn rust_fns() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut BTreeSet<String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() && !p.ends_with("target") && !p.ends_with("node_modules") {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                for part in text.split("fn ").skip(1) {
                    let name: String = part
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.insert(name);
                    }
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    for d in ["tests", "core", "cli", "serve", "wasm", "xtask"] {
        walk(&repo_root().join(d), &mut out);
    }
    out
}

fn browser_tests() -> String {
    let mut all = String::new();
    for f in std::fs::read_dir(repo_root().join("web-demo/tests"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
    {
        all.push_str(&std::fs::read_to_string(f.path()).unwrap_or_default());
    }
    all
}

fn scenario_exists(name: &str) -> bool {
    repo_root()
        .join("tests/scenarios")
        .join(format!("{name}.json"))
        .is_file()
}

/// Ids a control may name: requirements, facts, conditions, tables, checklists and options of
/// the bundled rules, and the ruleset format's own words.
fn rule_ids() -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = [
        "safeguarding_hold",
        "blocker",
        "advisory",
        "met_when",
        "applies_when",
        "asked_when",
        "primary",
        "known",
        "joint",
        "housing",
        "nhs",
        "social_care",
        "patient_family",
        "null",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    for overlays in [&[][..], &["norfolk"][..]] {
        let rs = Ruleset::national_with(overlays).unwrap_or_else(|e| panic!("{e}"));
        let d = rs.document();
        ids.extend(d.requirements.iter().map(|r| r.id.clone()));
        ids.extend(d.conditions.keys().cloned());
        ids.extend(d.tables.iter().map(|t| t.id.clone()));
        ids.extend(d.checklists.iter().map(|c| c.id.clone()));
        for f in rs.schema().facts {
            ids.insert(f.id.clone());
            for o in f.options.unwrap_or_default() {
                ids.insert(o.id);
            }
        }
    }
    ids
}

fn is_identifier(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
}

/// Problems with the evidence named in one cell: backticked names must be a scenario or a Rust
/// test function, quoted titles a browser test.
fn evidence_problems(cell: &str, fns: &BTreeSet<String>, browser: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let named = quoted(cell, '`');
    let titles = quoted(cell, '"');
    if named.is_empty() && titles.is_empty() {
        bad.push("names no test or scenario".to_string());
    }
    for n in named {
        if !(scenario_exists(&n) || fns.contains(&n)) {
            bad.push(format!("`{n}` is neither a scenario nor a test"));
        }
    }
    for t in titles {
        if !browser.contains(&t) {
            bad.push(format!("\"{t}\" is not a browser test"));
        }
    }
    bad
}

#[test]
fn every_hazard_control_names_tests_that_exist() {
    let text = doc();
    let hazards = rows(&text, "H");
    assert!(
        hazards.len() >= 23,
        "hazard table not found: {}",
        hazards.len()
    );
    let (fns, browser, ids) = (rust_fns(), browser_tests(), rule_ids());
    let mut bad = Vec::new();
    let mut named = 0;
    for row in &hazards {
        assert_eq!(row.len(), 9, "{}: expected 9 columns", row[0]);
        for n in quoted(&row[6], '`').iter().filter(|n| is_identifier(n)) {
            if !ids.contains(n.as_str()) {
                bad.push(format!(
                    "{}: control names `{n}`, not in the bundled rules",
                    row[0]
                ));
            }
        }
        for p in evidence_problems(&row[8], &fns, &browser) {
            bad.push(format!("{}: {p}", row[0]));
        }
        named += quoted(&row[8], '`').len() + quoted(&row[8], '"').len();
    }
    assert!(bad.is_empty(), "hazard log:\n{}", bad.join("\n"));
    println!(
        "{} hazards name {named} tests and scenarios, all found",
        hazards.len()
    );
}

#[test]
fn every_review_finding_is_closed() {
    let text = doc();
    let table = rows(&text, "RF-");
    let (fns, browser) = (rust_fns(), browser_tests());
    let scenarios: Vec<Scenario> = json_files(&repo_root().join("tests/scenarios"))
        .iter()
        .map(|f| Scenario::load(f).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let mut bad = Vec::new();
    for n in 1..=31 {
        let id = format!("RF-{n:02}");
        let Some(row) = table.iter().find(|r| r[0] == id) else {
            bad.push(format!("{id}: missing from the findings table"));
            continue;
        };
        let status = &row[2];
        if !["fixed", "argued", "deferred"]
            .iter()
            .any(|s| status.starts_with(s))
        {
            bad.push(format!("{id}: status `{status}`"));
        }
        for p in evidence_problems(&row[3], &fns, &browser) {
            bad.push(format!("{id}: {p}"));
        }
        if status.starts_with("fixed") {
            // A fix is proved by a scenario that names the finding, or by a named test.
            let by_scenario = scenarios.iter().any(|s| findings(&s.doc).contains(&id));
            let by_test = quoted(&row[3], '`').iter().any(|n| fns.contains(n));
            if !(by_scenario || by_test) {
                bad.push(format!(
                    "{id}: fixed, but no scenario names it in `findings`"
                ));
            }
        }
    }
    // And every finding a scenario claims is in the table.
    for s in &scenarios {
        for f in findings(&s.doc) {
            if !table.iter().any(|r| r[0] == f) {
                bad.push(format!("{}: names {f}, not in the table", s.file.display()));
            }
        }
    }
    assert!(bad.is_empty(), "review findings:\n{}", bad.join("\n"));
    println!("31 review findings closed; {} rows", table.len());
}
