//! `homeward batch`: JSON Lines of patients in, one report per line out, and an aggregate like
//! the councils publish (counts by verdict, blocker, owner, delay category and pathway; patients
//! with no criteria to reside still in hospital and their delay days; attribution to NHS /
//! social care / both in the WM-ADASS style). Streams: memory stays flat however long the file.
//! A bad line is reported with its number and never stops the rest.

use homeward::report::Report;
use homeward::wire::{Attribution, Kind};
use homeward::{Facts, Ruleset, Verdict};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

/// Days since 1970-01-01 for a `YYYY-MM-DD` date (proleptic Gregorian), or `None`.
#[must_use]
pub fn days(date: &str) -> Option<i64> {
    let mut it = date.split('-');
    let (y, m, d) = (
        it.next()?.parse::<i64>().ok()?,
        it.next()?.parse::<i64>().ok()?,
        it.next()?.parse::<i64>().ok()?,
    );
    if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) || date.len() != 10 {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

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
    fn add(
        &mut self,
        report: &Report,
        primaries: &[String],
        ready_date: Option<i64>,
        as_of: Option<i64>,
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
                    let d = (a - r).max(0);
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

/// Batch options.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Checklist when a line names none.
    pub checklist: Option<String>,
    /// The date delay days are counted to (`YYYY-MM-DD`); the engine reads no clock.
    pub as_of: Option<String>,
    /// Write per-patient reports (else only errors and the aggregate).
    pub reports: bool,
    /// Show progress on stderr.
    pub progress: bool,
}

fn evaluate_line(
    rs: &Ruleset,
    line: &str,
    opts: &BatchOptions,
) -> Result<(Value, Report, Option<i64>), (Value, String)> {
    let v: Value = serde_json::from_str(line).map_err(|e| {
        (
            Value::Null,
            format!("JSON_SYNTAX: invalid JSON at column {}: {e}", e.column()),
        )
    })?;
    let id = v.get("id").cloned().unwrap_or(Value::Null);
    let fail = |m: String| (id.clone(), m);
    let checklist = v
        .get("checklist")
        .and_then(Value::as_str)
        .map(String::from)
        .or_else(|| opts.checklist.clone());
    let cl = rs
        .checklist(checklist.as_deref())
        .map_err(|e| fail(format!("UNKNOWN_CHECKLIST: {e}")))?;
    let facts = Facts::from_value(rs, v.get("facts").unwrap_or(&Value::Null)).map_err(|e| {
        let first = homeward::Diagnostics::diagnostics(&e).into_iter().next();
        fail(first.map_or_else(
            || e.to_string(),
            |d| {
                format!(
                    "{}: {} at $.facts{}",
                    d.code,
                    d.message,
                    d.path.trim_start_matches('$')
                )
            },
        ))
    })?;
    let ready = match v.get("discharge_ready_date") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(days(s).ok_or_else(|| {
            fail(format!(
                "INVALID_VALUE: `{s}` is not a YYYY-MM-DD date at $.discharge_ready_date"
            ))
        })?),
        Some(_) => {
            return Err(fail(
                "WRONG_TYPE: discharge_ready_date must be a YYYY-MM-DD string".into(),
            ))
        }
    };
    Ok((id, rs.evaluate(cl, &facts), ready))
}

/// Runs a batch: reads JSON Lines from `input`, writes report lines to `out`, returns the
/// aggregate.
///
/// # Errors
/// Only I/O errors on reading or writing; bad lines are reported in the output.
pub fn run(
    rs: &Ruleset,
    input: impl BufRead,
    out: &mut impl Write,
    opts: &BatchOptions,
) -> Result<Aggregate, String> {
    let as_of = match &opts.as_of {
        Some(d) => Some(days(d).ok_or_else(|| format!("--as-of `{d}` is not a YYYY-MM-DD date"))?),
        None => None,
    };
    let mut agg = Aggregate::default();
    let primaries: Vec<String> = rs
        .document()
        .requirements
        .iter()
        .filter(|r| r.primary)
        .map(|r| r.id.clone())
        .collect();
    let started = std::time::Instant::now();
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read line {}: {e}", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        match evaluate_line(rs, &line, opts) {
            Ok((id, report, ready)) => {
                agg.add(&report, &primaries, ready, as_of);
                if opts.reports {
                    // The report's own serialisation, byte for byte as the JSON API and WASM give it.
                    let id = serde_json::to_string(&id).map_err(|e| e.to_string())?;
                    let report = report.to_json();
                    writeln!(
                        out,
                        "{{\"line\":{},\"id\":{id},\"report\":{report}}}",
                        n + 1
                    )
                    .map_err(|e| e.to_string())?;
                }
            }
            Err((id, message)) => {
                agg.errors += 1;
                let text = json!({ "line": n + 1, "id": id, "error": message });
                writeln!(out, "{text}").map_err(|e| e.to_string())?;
            }
        }
        if opts.progress && (n + 1) % 10_000 == 0 {
            let rate = (n + 1) as f64 / started.elapsed().as_secs_f64().max(1e-9);
            crate::io::stderr(&format!("\r{:>10} lines  {:>9.0} lines/s", n + 1, rate));
        }
    }
    if opts.progress {
        crate::io::stderr("\n");
    }
    Ok(agg)
}

#[cfg(test)]
mod tests {
    use super::days;

    #[test]
    fn civil_days() {
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(
            days("2024-03-01")
                .zip(days("2024-02-28"))
                .map(|(a, b)| a - b),
            Some(2)
        );
        assert_eq!(
            days("2026-11-24")
                .zip(days("2026-11-01"))
                .map(|(a, b)| a - b),
            Some(23)
        );
        assert_eq!(days("2026-13-01"), None);
        assert_eq!(days("26-1-1"), None);
    }
}
