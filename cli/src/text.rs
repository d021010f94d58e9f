//! Plain-text rendering of a report for people (and for pasting into notes).

use core::fmt::Write;
use homeward::report::{DecisionStatus, Report};
use homeward::Verdict;

fn words(s: &str) -> String {
    s.replace('_', " ")
}

fn to_words<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(words))
        .unwrap_or_default()
}

/// The report as text: verdict, outstanding items with owner and action, decisions, questions.
pub fn report(r: &Report) -> String {
    let mut s = String::new();
    let verdict = match r.verdict {
        Verdict::Ready => "READY".to_string(),
        Verdict::NotReady => format!("NOT READY — {} outstanding", r.summary.outstanding),
        Verdict::Undetermined => format!(
            "NOT YET KNOWN — {} question(s) left",
            r.summary.open_questions
        ),
        other => other.as_str().to_uppercase(),
    };
    let _ = writeln!(
        s,
        "{verdict}  ({} {} / {})",
        r.ruleset.id, r.ruleset.version, r.checklist
    );
    if !r.blockers.is_empty() {
        let _ = writeln!(s, "\nOutstanding:");
        for b in &r.blockers {
            let cause = if r.causes.contains(&b.id) {
                " [cause]"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "  - [{}] {} ({}, {}){cause}",
                to_words(&b.status),
                b.title,
                to_words(&b.kind),
                to_words(&b.owner)
            );
            let _ = writeln!(s, "      action: {}", b.action);
            if let Some(r) = &b.referral {
                let _ = writeln!(s, "      referral: {r}");
            }
            if let Some(d) = &b.delay_category {
                let _ = writeln!(s, "      delay category: {}", to_words(d));
            }
        }
    }
    if !r.advisories.is_empty() {
        let _ = writeln!(s, "\nAdvice:");
        for a in &r.advisories {
            let _ = writeln!(s, "  - {} ({}): {}", a.title, to_words(&a.owner), a.action);
        }
    }
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
