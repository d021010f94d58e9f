//! The `batch` aggregate, like the councils publish: counts by verdict, blocker, owner, delay
//! category and pathway; patients with no criteria to reside still in hospital and their delay
//! days; attribution of outstanding causes to NHS / social care / both in the WM-ADASS style.

use homeward::report::Report;
use homeward::wire::{Attribution, Kind};
use homeward::Verdict;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Running totals for the aggregate.
#[derive(Debug, Default, Serialize)]
pub struct Aggregate {
    /// Lines read (excluding blank lines).
    pub patients: u64,
    /// Lines that could not be evaluated.
    pub errors: u64,
    /// Count by verdict.
    pub by_verdict: BTreeMap<String, u64>,
    /// Count of patients for whom each requirement is an outstanding cause.
    pub by_blocker: BTreeMap<String, u64>,
    /// Outstanding causes by owner.
    pub by_owner: BTreeMap<String, u64>,
    /// Outstanding causes by delay category.
    pub by_delay_category: BTreeMap<String, u64>,
    /// Patients by pathway decision (`undetermined` when not yet decided).
    pub by_pathway: BTreeMap<String, u64>,
    /// Patients who meet no criterion to reside (every primary requirement clear).
    pub no_criteria_to_reside: u64,
    /// Of those, patients not ready (still in hospital for a non-clinical reason).
    pub no_criteria_to_reside_not_ready: u64,
    /// Delay days (as-of date minus discharge-ready date) summed over those with a date.
    pub delay_days: i64,
    /// Patients whose delay could be computed.
    pub delayed_patients_with_date: u64,
    /// Outstanding causes by DTOC-style attribution.
    pub attribution: BTreeMap<String, u64>,
    /// Delay days attributed (split equally among each patient's causes).
    pub attributed_delay_days: BTreeMap<String, f64>,
}

fn key<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

impl Aggregate {
    /// Counts one evaluated patient. `primaries` are the ids of the primary (clinical)
    /// requirements; delay days are counted from `ready_date` to `as_of` when both are known.
    pub fn add(
        &mut self,
        report: &Report,
        primaries: &[String],
        ready_date: Option<Date>,
        as_of: Option<Date>,
    ) {
        self.patients += 1;
        *self.by_verdict.entry(key(&report.verdict)).or_default() += 1;
        let causes: Vec<_> = report
            .blockers
            .iter()
            .filter(|b| report.causes.contains(&b.id))
            .collect();
        for b in &causes {
            *self.by_blocker.entry(b.id.clone()).or_default() += 1;
            *self.by_owner.entry(key(&b.owner)).or_default() += 1;
            let cat = b
                .delay_category
                .map_or_else(|| "uncategorised".into(), |d| key(&d));
            *self.by_delay_category.entry(cat).or_default() += 1;
            *self.attribution.entry(key(&b.attribution)).or_default() += 1;
        }
        let pathway = report.decision("pathway").map_or_else(
            || "none".to_string(),
            |d| {
                d.output.as_ref().map_or_else(
                    || "undetermined".into(),
                    |o| serde_json::to_string(o).unwrap_or_default(),
                )
            },
        );
        *self.by_pathway.entry(pathway).or_default() += 1;
        let mut primary = report
            .requirements
            .iter()
            .filter(|r| primaries.contains(&r.id) && r.kind != Kind::Advisory)
            .peekable();
        let nctr = primary.peek().is_some() && primary.all(|r| r.status.is_clear());
        if nctr {
            self.no_criteria_to_reside += 1;
            if report.verdict != Verdict::Ready {
                self.no_criteria_to_reside_not_ready += 1;
                if let (Some(r), Some(a)) = (ready_date, as_of) {
                    let d = crate::dates::days_between(r, a).max(0);
                    self.delay_days += d;
                    self.delayed_patients_with_date += 1;
                    let n = causes.len().max(1) as f64;
                    for b in &causes {
                        *self
                            .attributed_delay_days
                            .entry(key(&b.attribution))
                            .or_default() += d as f64 / n;
                    }
                }
            }
        }
    }

    /// Percentages of outstanding causes attributable to NHS, social care and both.
    #[must_use]
    pub fn attribution_percent(&self) -> BTreeMap<String, f64> {
        let total: u64 = self.attribution.values().sum();
        [
            Attribution::Nhs,
            Attribution::SocialCare,
            Attribution::Joint,
        ]
        .iter()
        .map(|a| {
            let n = self.attribution.get(&key(a)).copied().unwrap_or(0);
            let pct = if total == 0 {
                0.0
            } else {
                (n as f64) * 1000.0 / (total as f64)
            };
            (key(a), pct.round() / 10.0)
        })
        .collect()
    }

    /// The aggregate as JSON.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "attribution_percent".into(),
                json!(self.attribution_percent()),
            );
        }
        v
    }

    /// The aggregate as CSV rows: `measure,key,value`.
    #[must_use]
    pub fn to_csv(&self) -> String {
        let mut s = String::from("measure,key,value\n");
        let mut row = |m: &str, k: &str, v: String| s.push_str(&format!("{m},{k},{v}\n"));
        row("patients", "", self.patients.to_string());
        row("errors", "", self.errors.to_string());
        for (m, map) in [
            ("verdict", &self.by_verdict),
            ("blocker", &self.by_blocker),
            ("owner", &self.by_owner),
            ("delay_category", &self.by_delay_category),
            ("pathway", &self.by_pathway),
            ("attribution", &self.attribution),
        ] {
            for (k, v) in map {
                row(m, k, v.to_string());
            }
        }
        for (k, v) in self.attribution_percent() {
            row("attribution_percent", &k, format!("{v:.1}"));
        }
        row(
            "no_criteria_to_reside",
            "",
            self.no_criteria_to_reside.to_string(),
        );
        row(
            "no_criteria_to_reside_not_ready",
            "",
            self.no_criteria_to_reside_not_ready.to_string(),
        );
        row("delay_days", "", self.delay_days.to_string());
        for (k, v) in &self.attributed_delay_days {
            row("attributed_delay_days", k, format!("{v:.1}"));
        }
        s
    }
}
