//! Shared support for Homeward's cross-crate tests: loading golden scenarios and comparing
//! reports with the first differing JSON path.

#![allow(
    clippy::indexing_slicing,
    reason = "serde_json::Value indexed by a key yields Null when absent; it never panics"
)]

#[path = "../support/random.rs"]
pub mod random;

use homeward::{Facts, Report, Ruleset};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The repository root (the parent of this crate).
#[must_use]
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Every `*.json` file directly in `dir`, sorted.
#[must_use]
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// A golden scenario (see tests/scenarios/README.md).
#[derive(Debug, Clone)]
pub struct Scenario {
    /// File it came from.
    pub file: PathBuf,
    /// The whole document.
    pub doc: Value,
}

impl Scenario {
    /// Reads a scenario file.
    ///
    /// # Errors
    /// A message naming the file when it cannot be read or parsed.
    pub fn load(file: &Path) -> Result<Scenario, String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        // Strict, as every input to the engine: a key written twice (a merge gone wrong) is an
        // error here, not a silent last-one-wins.
        let doc = homeward::parse_json(&text).map_err(|e| {
            format!(
                "{}: {} at {}: {}",
                file.display(),
                e.code.as_str(),
                e.path,
                e.message
            )
        })?;
        Ok(Scenario {
            file: file.to_path_buf(),
            doc: doc.into(),
        })
    }

    /// Overlay ids the scenario applies.
    #[must_use]
    pub fn overlays(&self) -> Vec<String> {
        self.doc["overlays"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The checklist id.
    #[must_use]
    pub fn checklist(&self) -> Option<&str> {
        self.doc["checklist"].as_str()
    }

    /// The as-of date the scenario is assessed on (`YYYY-MM-DD`), if it gives one.
    #[must_use]
    pub fn as_of(&self) -> Option<&str> {
        self.doc["as_of"].as_str()
    }

    /// The scenario's facts for `ruleset`, assessed on its as-of date.
    ///
    /// # Errors
    /// A message when the facts or the date are invalid.
    pub fn facts(&self, ruleset: &Ruleset) -> Result<Facts, String> {
        let as_of = self
            .as_of()
            .map(homeward::Date::parse)
            .transpose()
            .map_err(|e| e.to_string())?;
        let facts = Facts::from_value(ruleset, &self.doc["facts"]).map_err(|e| e.to_string())?;
        Ok(facts.with_as_of(as_of))
    }

    /// Evaluates the scenario's facts with `ruleset`.
    ///
    /// # Errors
    /// A message when the checklist or facts are invalid.
    pub fn evaluate(&self, ruleset: &Ruleset) -> Result<Report, String> {
        let checklist = ruleset
            .checklist(self.checklist())
            .map_err(|e| e.to_string())?;
        Ok(ruleset.evaluate(checklist, &self.facts(ruleset)?))
    }
}

/// Checks a scenario's optional metadata: `note` (why the expectation is what it is, required
/// when a golden was corrected) is a non-empty string, and `findings` is a non-empty array of
/// review finding ids (`RF-01` … `RF-31`) the scenario proves closed.
#[must_use]
pub fn metadata_problem(doc: &Value) -> Option<String> {
    if let Some(note) = doc.get("note") {
        if note.as_str().is_none_or(|n| n.trim().is_empty()) {
            return Some("$.note: must be a non-empty string".into());
        }
    }
    if let Some(f) = doc.get("findings") {
        let ids = f.as_array().filter(|a| !a.is_empty());
        let ok = ids.is_some_and(|a| {
            a.iter().all(|v| {
                v.as_str()
                    .and_then(|s| s.strip_prefix("RF-"))
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|n| (1..=31).contains(&n))
            })
        });
        if !ok {
            return Some("$.findings: must be a non-empty array of ids RF-01 … RF-31".into());
        }
    }
    None
}

/// The review finding ids a scenario names in `findings`.
#[must_use]
pub fn findings(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Compares `actual` with the expectations in `expect`, returning the JSON path (within the
/// scenario's `expect`) and a description of the first difference.
#[must_use]
pub fn first_difference(report: &Report, expect: &Value) -> Option<String> {
    let actual = serde_json::to_value(report).unwrap_or(Value::Null);
    if let Some(v) = expect.get("verdict") {
        if actual["verdict"] != *v {
            return Some(format!(
                "$.expect.verdict: expected {v}, got {}",
                actual["verdict"]
            ));
        }
    }
    if let Some(reqs) = expect.get("requirements").and_then(Value::as_object) {
        for (id, want) in reqs {
            let got = actual["requirements"]
                .as_array()
                .and_then(|a| a.iter().find(|r| r["id"] == id.as_str()))
                .map(|r| r["status"].clone());
            match got {
                Some(g) if g == *want => {}
                Some(g) => {
                    return Some(format!(
                        "$.expect.requirements.{id}: expected {want}, got {g}"
                    ))
                }
                None => {
                    return Some(format!(
                        "$.expect.requirements.{id}: requirement not in the report's checklist"
                    ))
                }
            }
        }
    }
    for key in ["causes"] {
        if let Some(want) = expect.get(key) {
            if actual[key] != *want {
                return Some(format!(
                    "$.expect.{key}: expected {want}, got {}",
                    actual[key]
                ));
            }
        }
    }
    if let Some(want) = expect.get("open_questions") {
        let got: Vec<Value> = actual["open_questions"]
            .as_array()
            .map(|a| a.iter().map(|q| q["fact"].clone()).collect())
            .unwrap_or_default();
        if Value::Array(got.clone()) != *want {
            return Some(format!(
                "$.expect.open_questions: expected {want}, got {}",
                Value::Array(got)
            ));
        }
    }
    if let Some(want) = expect.get("attribution") {
        if actual["attribution"] != *want {
            return Some(format!(
                "$.expect.attribution: expected {want}, got {}",
                actual["attribution"]
            ));
        }
    }
    if let Some(items) = expect.get("items").and_then(Value::as_object) {
        for (id, want) in items {
            let Some(got) = ["blockers", "advisories"]
                .iter()
                .filter_map(|k| actual[*k].as_array())
                .flatten()
                .find(|b| b["id"] == id.as_str())
            else {
                return Some(format!(
                    "$.expect.items.{id}: not an outstanding blocker or advisory in the report"
                ));
            };
            for (k, v) in want.as_object().into_iter().flatten() {
                if got[k] != *v {
                    return Some(format!(
                        "$.expect.items.{id}.{k}: expected {v}, got {}",
                        got[k]
                    ));
                }
            }
        }
    }
    if let Some(decs) = expect.get("decisions").and_then(Value::as_object) {
        for (id, want) in decs {
            let Some(got) = actual["decisions"]
                .as_array()
                .and_then(|a| a.iter().find(|d| d["id"] == id.as_str()))
            else {
                return Some(format!(
                    "$.expect.decisions.{id}: decision not in the report's checklist"
                ));
            };
            if let Some(obj) = want.as_object() {
                for (k, v) in obj {
                    if got[k] != *v {
                        return Some(format!(
                            "$.expect.decisions.{id}.{k}: expected {v}, got {}",
                            got[k]
                        ));
                    }
                }
            }
        }
    }
    None
}

/// The repository README's Rust examples, run as doctests: the crate documentation is the
/// crate's own README (`core/README.md`), so the root README is kept honest here.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct RootReadmeDoctests;
