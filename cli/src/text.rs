//! Plain-text rendering of a report for people (and for pasting into notes). What is not yet
//! known is never stated as fact: advice whose conditions are not yet answered is listed as
//! "may apply", and an undetermined decision as "not yet known".

use core::fmt::Write;
use homeward::report::{DecisionStatus, Item, Report, Status};
use homeward::wire::VerdictWords;
use homeward::{Ruleset, Verdict};

fn words(s: &str) -> String {
    s.replace('_', " ")
}

fn to_words<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(words))
        .unwrap_or_default()
}

/// The verdict words of the checklist a report was made for, when the ruleset gives them.
#[must_use]
pub fn verdict_words<'r>(ruleset: &'r Ruleset, report: &Report) -> Option<&'r VerdictWords> {
    ruleset
        .document()
        .checklists
        .iter()
        .find(|c| c.id == report.checklist)
        .and_then(|c| c.verdicts.as_ref())
}

/// The verdict line: the checklist's own words for its user when given (a paramedic reads
/// "Can stay at home tonight"), else READY / NOT READY / NOT YET KNOWN.
fn verdict_line(r: &Report, verdicts: Option<&VerdictWords>) -> String {
    let (ready, not_ready, undetermined) = match verdicts {
        Some(w) => (w.ready.clone(), w.not_ready.clone(), w.undetermined.clone()),
        None => (
            "READY".to_string(),
            "NOT READY".to_string(),
            "NOT YET KNOWN".to_string(),
        ),
    };
    match r.verdict {
        Verdict::Ready => ready,
        Verdict::NotReady => format!("{not_ready} — {} outstanding", r.summary.outstanding),
        Verdict::Undetermined => format!(
            "{undetermined} — {} question(s) left",
            r.summary.open_questions
        ),
        other => other.as_str().to_uppercase(),
    }
}

fn blocker(s: &mut String, r: &Report, b: &Item) {
    let state = match b.status {
        Status::NotMet => "not met",
        _ => "not yet known",
    };
    let cause = if r.causes.contains(&b.id) {
        " [cause]"
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "  - [{state}] {} ({}, {}){cause}",
        b.title,
        to_words(&b.kind),
        to_words(&b.owner)
    );
    let lead = if b.status == Status::NotMet {
        "action"
    } else {
        "if so"
    };
    let _ = writeln!(s, "      {lead}: {}", b.action);
    if let Some(r) = &b.referral {
        let _ = writeln!(s, "      referral: {r}");
    }
    if let Some(d) = &b.delay_category {
        let _ = writeln!(s, "      delay category: {}", to_words(d));
    }
}

fn advice(s: &mut String, r: &Report) {
    let applies: Vec<&Item> = r
        .advisories
        .iter()
        .filter(|a| a.status == Status::NotMet)
        .collect();
    let may: Vec<&Item> = r
        .advisories
        .iter()
        .filter(|a| a.status == Status::Unknown)
        .collect();
    if !applies.is_empty() {
        let _ = writeln!(s, "\nAdvice:");
        for a in applies {
            let _ = writeln!(s, "  - {} ({}): {}", a.title, to_words(&a.owner), a.action);
        }
    }
    if !may.is_empty() {
        let _ = writeln!(
            s,
            "\nMay apply (not yet known; answer the questions that decide it first):"
        );
        for a in may {
            let _ = writeln!(
                s,
                "  - may apply: {} ({}) — if it applies: {}",
                a.title,
                to_words(&a.owner),
                a.action
            );
        }
    }
}

/// The report as text: the verdict in the checklist's words (`verdicts`, from
/// [`verdict_words`]), outstanding items with owner and action, advice (what applies, and
/// separately what only may apply), decisions, and the questions still to ask.
#[must_use]
pub fn report(r: &Report, verdicts: Option<&VerdictWords>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}  ({} {} / {})",
        verdict_line(r, verdicts),
        r.ruleset.id,
        r.ruleset.version,
        r.checklist
    );
    if !r.safety_changes.is_empty() {
        let _ = writeln!(
            s,
            "\nLocal changes to safety rules (declared by the ruleset's overlays):"
        );
        for c in &r.safety_changes {
            let _ = writeln!(s, "  - {c}");
        }
    }
    if !r.blockers.is_empty() {
        let _ = writeln!(s, "\nOutstanding:");
        for b in &r.blockers {
            blocker(&mut s, r, b);
        }
    }
    advice(&mut s, r);
    if !r.decisions.is_empty() {
        let _ = writeln!(s, "\nDecisions:");
        for d in &r.decisions {
            match d.status {
                DecisionStatus::Decided => {
                    let _ = writeln!(
                        s,
                        "  - {}: {}",
                        d.title,
                        d.label.clone().unwrap_or_default()
                    );
                }
                DecisionStatus::Undetermined => {
                    let _ = writeln!(s, "  - {}: not yet known", d.title);
                }
                other => {
                    let _ = writeln!(s, "  - {}: {}", d.title, other.as_str());
                }
            }
        }
    }
    if !r.open_questions.is_empty() {
        let _ = writeln!(s, "\nStill to ask:");
        for q in &r.open_questions {
            let _ = writeln!(s, "  - {} [{}]", q.question, q.fact);
        }
    }
    s
}

/// An explanation as an indented tree: value, test, and the answer each comparison read.
#[must_use]
pub fn explanation(ex: &homeward::explain::Explanation) -> String {
    fn node(s: &mut String, n: &homeward::explain::ExplainNode, depth: usize) {
        let v = match n.value {
            homeward::Tri::True => "TRUE   ",
            homeward::Tri::False => "FALSE  ",
            homeward::Tri::Unknown => "UNKNOWN",
        };
        let read = n
            .fact
            .as_ref()
            .map(|f| format!("   (answer: {})", f.answer))
            .unwrap_or_default();
        let _ = writeln!(s, "{v} {}{}{read}", "  ".repeat(depth), n.test);
        for c in &n.children {
            node(s, c, depth + 1);
        }
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "requirement `{}`: {}",
        ex.requirement,
        to_words(&ex.status)
    );
    match &ex.applies_when {
        Some(a) => {
            let _ = writeln!(s, "\napplies when:");
            node(&mut s, a, 1);
        }
        None => {
            let _ = writeln!(s, "\napplies when: always");
        }
    }
    let _ = writeln!(s, "\nmet when:");
    node(&mut s, &ex.met_when, 1);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeward::Facts;

    fn text(checklist: &str, facts: &str) -> String {
        let rs = Ruleset::national().unwrap_or_else(|e| panic!("{e}"));
        let cl = rs
            .checklist(Some(checklist))
            .unwrap_or_else(|e| panic!("{e}"));
        let facts = Facts::from_json(&rs, facts).unwrap_or_else(|e| panic!("{e}"));
        let r = rs.evaluate(cl, &facts);
        report(&r, verdict_words(&rs, &r))
    }

    #[test]
    fn the_verdict_line_uses_the_checklists_words() {
        let home = text(
            "home_circumstances",
            r#"{"clinical.red_flags": ["sepsis_signs"]}"#,
        );
        assert!(
            home.starts_with("Cannot stay at home safely tonight as things stand — "),
            "{home}"
        );
        let ward = text("ward_discharge", "{}");
        assert!(
            ward.starts_with("Not yet known whether the patient can leave today — "),
            "{ward}"
        );
    }

    #[test]
    fn undetermined_advice_is_never_stated_as_fact() {
        // Nobody has asked about NHS Continuing Healthcare: the fast-track advice may apply,
        // and must not read "eligible ... now" as a statement about this patient.
        let t = text("ward_discharge", r#"{"clinical.criteria_to_reside": []}"#);
        let fast = t
            .lines()
            .find(|l| l.contains("CHC fast track"))
            .unwrap_or_else(|| panic!("fast track not listed:\n{t}"));
        assert!(fast.contains("may apply: "), "{fast}");
        assert!(!t.contains("\nAdvice:\n  - CHC fast track"), "{t}");
        assert!(
            t.contains("NHS Continuing Healthcare fast track: not yet known"),
            "{t}"
        );
        // Once it is known, it is advice.
        let known = text(
            "ward_discharge",
            r#"{"clinical.criteria_to_reside": [], "eligibility.rapidly_deteriorating": true}"#,
        );
        assert!(
            known.contains("\nAdvice:\n") && known.contains("  - CHC fast track (nhs): "),
            "{known}"
        );
        assert!(!known.contains("may apply: CHC fast track"), "{known}");
    }

    #[test]
    fn without_verdict_words_the_plain_verdict_is_used() {
        let rs = Ruleset::national().unwrap_or_else(|e| panic!("{e}"));
        let cl = rs.checklist(None).unwrap_or_else(|e| panic!("{e}"));
        let r = rs.evaluate(cl, &Facts::unknown(&rs));
        assert!(verdict_words(&rs, &r).is_none());
        assert!(report(&r, None).starts_with("NOT YET KNOWN — "));
    }
}
