//! CDS Hooks cards for the `encounter-discharge` hook: one card per outstanding blocker or
//! safeguarding hold (and advisories as info cards), indicator by kind, the action and
//! referral as a suggestion. Card UUIDs are derived from the ruleset hash and requirement id,
//! so the same report always gives the same cards.

use homeward::report::{Item, Report, Status};
use homeward::wire::Kind;
use serde_json::{json, Value};

fn uuid(seed: &str) -> String {
    let d = <sha2::Sha256 as sha2::Digest>::digest(seed.as_bytes());
    let hex: String = d.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let part = |a: usize, b: usize| hex.get(a..b).unwrap_or_default();
    format!(
        "{}-{}-5{}-a{}-{}",
        part(0, 8),
        part(8, 12),
        part(13, 16),
        part(17, 20),
        part(20, 32)
    )
}

fn words<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

fn card(report: &Report, b: &Item) -> Value {
    let indicator = match (b.kind, b.status) {
        (Kind::SafeguardingHold, _) => "critical",
        (Kind::Blocker, Status::NotMet) => "warning",
        _ => "info",
    };
    let state = if b.status == Status::Unknown {
        "not yet known: "
    } else {
        ""
    };
    let mut summary = format!("{state}{}", b.title);
    if summary.chars().count() > 140 {
        summary = summary.chars().take(139).collect::<String>() + "…";
    }
    let mut detail = format!("**Action:** {}\n\n**Owner:** {}", b.action, words(&b.owner));
    if let Some(r) = &b.referral {
        detail.push_str(&format!("\n\n**Referral:** {r}"));
    }
    if let Some(d) = &b.delay_category {
        detail.push_str(&format!("\n\n**Delay category:** {}", words(d)));
    }
    let mut source =
        json!({ "label": format!("Homeward {} {}", report.ruleset.id, report.ruleset.version) });
    if b.citation.source.starts_with("http") {
        if let Some(o) = source.as_object_mut() {
            o.insert("url".into(), json!(b.citation.source));
        }
    }
    let suggestion_label = b
        .referral
        .clone()
        .map_or_else(|| b.action.clone(), |r| format!("Refer: {r}"));
    json!({
        "uuid": uuid(&format!("{}:{}", report.ruleset.hash, b.id)),
        "summary": summary,
        "indicator": indicator,
        "detail": detail,
        "source": source,
        "suggestions": [{
            "label": suggestion_label,
            "uuid": uuid(&format!("{}:{}:suggestion", report.ruleset.hash, b.id)),
            "actions": [{ "type": "create", "description": b.action }]
        }],
        "selectionBehavior": "any",
    })
}

/// The CDS Hooks response (`{"cards": [...]}`) for a report: holds first, then blockers, then
/// advisories. A ready patient gets a single info card saying so.
#[must_use]
pub fn cards(report: &Report) -> Value {
    let mut cards: Vec<Value> = report
        .blockers
        .iter()
        .chain(&report.advisories)
        .map(|b| card(report, b))
        .collect();
    if cards.is_empty() {
        cards.push(json!({
            "uuid": uuid(&format!("{}:ready", report.ruleset.hash)),
            "summary": "Ready for discharge: nothing outstanding",
            "indicator": "info",
            "source": { "label": format!("Homeward {} {}", report.ruleset.id, report.ruleset.version) },
        }));
    }
    json!({ "cards": cards })
}
