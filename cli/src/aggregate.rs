//! The `batch` aggregate, like the councils publish: counts by verdict, blocker, owner, delay
//! category and pathway; and the delays of patients **ready for transfer** counted as WM-ADASS
//! and the DTOC collection counted them — one attribution (NHS, social care or both) per delayed
//! patient and per delayed bed-day, never per checklist item. The rule is written out in
//! `docs/clinical-safety.md` ("The batch delay attribution rule").

use homeward::report::Report;
use homeward::wire::{Attribution, Kind};
use homeward::Verdict;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Running totals for the aggregate.
#[derive(Debug, Default, Serialize)]
pub struct Aggregate {
    /// Lines read (excluding blank lines).
    pub patients: u64,
    /// Lines that could not be evaluated.
    pub errors: u64,
    /// Patients by verdict.
    pub by_verdict: BTreeMap<String, u64>,
    /// Patients for whom each requirement is an outstanding cause.
    pub by_blocker: BTreeMap<String, u64>,
    /// Patients with at least one outstanding cause of each owner.
    pub by_owner: BTreeMap<String, u64>,
    /// Patients with at least one outstanding cause in each delay category.
    pub by_delay_category: BTreeMap<String, u64>,
    /// Patients by pathway decision (`undetermined` when not yet decided).
    pub by_pathway: BTreeMap<String, u64>,
    /// Patients ready for transfer: every primary (clinical) requirement is clear — no
    /// criterion to reside (or a recorded exception), NEWS2 consistent.
    pub no_criteria_to_reside: u64,
    /// Of those, patients not ready: **delayed**, still in hospital for a non-clinical reason.
    pub delayed: u64,
    /// Of those, patients whose verdict is not yet known: counted apart, never attributed.
    pub ready_for_transfer_not_yet_known: u64,
    /// Delayed patients by their one attribution: all causes NHS, all social care, or `joint`
    /// when the causes' attributions differ (or are joint).
    pub attribution: BTreeMap<String, u64>,
    /// Delayed patients with at least one cause of each owner (may add up to more than
    /// `delayed`; not a share).
    pub delayed_by_owner: BTreeMap<String, u64>,
    /// Delay days (as-of date minus discharge-ready date, same day 0) summed over delayed
    /// patients with a date.
    pub delay_days: i64,
    /// Delayed patients whose delay could be counted (a discharge-ready date and `--as-of`).
    pub delayed_patients_with_date: u64,
    /// Delay days by the patient's one attribution.
    pub attributed_delay_days: BTreeMap<String, i64>,
}

fn key<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The one attribution of a delayed patient: the causes' attribution when they all agree,
/// else `joint` (delays owned by more than one body are "attributable to both").
fn patient_attribution(causes: &[&homeward::report::Item]) -> Attribution {
    let mut all = causes.iter().map(|b| b.attribution);
    match all.next() {
        Some(first) if all.all(|a| a == first) => first,
        _ => Attribution::Joint,
    }
}

/// Shares of `counts` in percent, one decimal, for NHS, social care and both.
fn percent(counts: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    let total: f64 = counts.values().sum();
    [
        Attribution::Nhs,
        Attribution::SocialCare,
        Attribution::Joint,
    ]
    .iter()
    .map(|a| {
        let n = counts.get(&key(a)).copied().unwrap_or(0.0);
        let pct = if total > 0.0 {
            (n * 1000.0 / total).round() / 10.0
        } else {
            0.0
        };
        (key(a), pct)
    })
    .collect()
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
        let owners: BTreeSet<String> = causes.iter().map(|b| key(&b.owner)).collect();
        let categories: BTreeSet<String> = causes
            .iter()
            .map(|b| {
                b.delay_category
                    .map_or_else(|| "uncategorised".into(), |d| key(&d))
            })
            .collect();
        for b in &causes {
            *self.by_blocker.entry(b.id.clone()).or_default() += 1;
        }
        for o in &owners {
            *self.by_owner.entry(o.clone()).or_default() += 1;
        }
        for c in categories {
            *self.by_delay_category.entry(c).or_default() += 1;
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
        let ready_for_transfer = primary.peek().is_some() && primary.all(|r| r.status.is_clear());
        if !ready_for_transfer {
            return;
        }
        self.no_criteria_to_reside += 1;
        match report.verdict {
            Verdict::NotReady => {}
            Verdict::Undetermined => {
                self.ready_for_transfer_not_yet_known += 1;
                return;
            }
            _ => return,
        }
        self.delayed += 1;
        let attribution = key(&patient_attribution(&causes));
        *self.attribution.entry(attribution.clone()).or_default() += 1;
        for o in owners {
            *self.delayed_by_owner.entry(o).or_default() += 1;
        }
        if let (Some(r), Some(a)) = (ready_date, as_of) {
            let d = crate::dates::days_between(r, a).max(0);
            self.delay_days += d;
            self.delayed_patients_with_date += 1;
            *self.attributed_delay_days.entry(attribution).or_default() += d;
        }
    }

    /// Shares of delayed patients attributable to the NHS, social care and both (add up to
    /// 100 % when any patient is delayed).
    #[must_use]
    pub fn attribution_percent(&self) -> BTreeMap<String, f64> {
        let patients = self
            .attribution
            .iter()
            .map(|(k, v)| (k.clone(), *v as f64))
            .collect();
        percent(&patients)
    }

    /// Shares of delayed bed-days attributable to the NHS, social care and both.
    #[must_use]
    pub fn attributed_delay_days_percent(&self) -> BTreeMap<String, f64> {
        let days: BTreeMap<String, f64> = self
            .attributed_delay_days
            .iter()
            .map(|(k, v)| (k.clone(), *v as f64))
            .collect();
        percent(&days)
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
            o.insert(
                "attributed_delay_days_percent".into(),
                json!(self.attributed_delay_days_percent()),
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
        ] {
            for (k, v) in map {
                row(m, k, v.to_string());
            }
        }
        row(
            "no_criteria_to_reside",
            "",
            self.no_criteria_to_reside.to_string(),
        );
        row("delayed", "", self.delayed.to_string());
        row(
            "ready_for_transfer_not_yet_known",
            "",
            self.ready_for_transfer_not_yet_known.to_string(),
        );
        for (k, v) in &self.attribution {
            row("attribution", k, v.to_string());
        }
        for (k, v) in self.attribution_percent() {
            row("attribution_percent", &k, format!("{v:.1}"));
        }
        for (k, v) in &self.delayed_by_owner {
            row("delayed_by_owner", k, v.to_string());
        }
        row("delay_days", "", self.delay_days.to_string());
        row(
            "delayed_patients_with_date",
            "",
            self.delayed_patients_with_date.to_string(),
        );
        for (k, v) in &self.attributed_delay_days {
            row("attributed_delay_days", k, v.to_string());
        }
        for (k, v) in self.attributed_delay_days_percent() {
            row("attributed_delay_days_percent", &k, format!("{v:.1}"));
        }
        s
    }
}
