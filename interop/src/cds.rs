//! CDS Hooks 2.0 cards for a report: safeguarding holds first (`critical`), then the verdict,
//! then one card per outstanding blocker (`warning`, or `info` while not yet known) and advisory
//! (`info`). A not-met item with a patient in context carries one suggestion whose `create`
//! action holds a draft FHIR R4 `ServiceRequest` (a referral) or `Task`; an item not yet known
//! carries links instead, since there is nothing to create until the questions are answered.
//! Card and suggestion UUIDs are RFC 4122 version 5 in the Homeward namespace, seeded by the
//! hook instance and the requirement id, so feedback can tell patients and calls apart.

use homeward::report::{Item, OpenQuestion, Report, Status};
use homeward::wire::Kind;
use homeward::Verdict;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// The longest summary sent: the specification asks for fewer than 140 characters.
pub const SUMMARY_MAX_CHARS: usize = 139;

/// Code system of the override reasons offered on every card.
pub const OVERRIDE_REASON_SYSTEM: &str = "urn:homeward:cds:override-reason";

/// Code system of requirement ids in `Task.code` and `ServiceRequest.reasonCode`.
pub const REQUIREMENT_SYSTEM: &str = "urn:homeward:requirement";

/// Code system of the owners in `performerType`.
pub const OWNER_SYSTEM: &str = "urn:homeward:owner";

/// Code system of the NHS discharge delay categories in `reasonCode`.
pub const DELAY_SYSTEM: &str = "urn:homeward:delay-category";

/// The reasons a user can pick when overriding a card (code, display).
pub const OVERRIDE_REASONS: [(&str, &str); 4] = [
    ("already-done", "Already arranged or done"),
    ("not-applicable", "Does not apply to this patient"),
    (
        "answers-out-of-date",
        "The checklist answers are out of date",
    ),
    (
        "clinical-judgement",
        "Accountable professional has decided otherwise",
    ),
];

/// The Homeward UUID namespace: version 5 of `urn:homeward:cds` in the URL namespace.
#[must_use]
pub fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:homeward:cds")
}

/// A version 5 UUID in the Homeward namespace for `seed`.
#[must_use]
pub fn uuid_for(seed: &str) -> String {
    Uuid::new_v5(&namespace(), seed.as_bytes()).to_string()
}

/// Everything about the hook call that the cards depend on, and where the links point.
#[derive(Debug, Clone, Default)]
pub struct CardOptions {
    /// The call's `hookInstance`: seeds every UUID. Without it the seed is the report's hash,
    /// so the same report still gives the same cards.
    pub hook_instance: Option<String>,
    /// The FHIR id of the patient (`context.patientId`); without it no `create` action is
    /// offered (a resource would have no subject).
    pub patient_id: Option<String>,
    /// The FHIR id of the encounter (`context.encounterId`), referenced by the resources.
    pub encounter_id: Option<String>,
    /// Absolute URL of the rulebook page; each card links to `{rulebook_url}#{requirement}`.
    pub rulebook_url: Option<String>,
    /// Absolute URL of the bedside checklist, linked where questions are still open.
    pub checklist_url: Option<String>,
    /// Label of the card source, e.g. the service's title; default "Homeward".
    pub source_label: Option<String>,
}

impl CardOptions {
    fn seed(&self, report: &Report) -> String {
        match &self.hook_instance {
            Some(h) => format!("hook:{h}"),
            None => format!("report:{}", crate::sha256_hex(report.to_json().as_bytes())),
        }
    }
}

/// Enum values as words (`social_care` → `social care`).
fn words<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

/// The enum's wire code (`social_care`).
fn code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Cuts `text` to fewer than 140 characters, ending in an ellipsis when cut.
#[must_use]
pub fn summary(text: &str) -> String {
    if text.chars().count() <= SUMMARY_MAX_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(SUMMARY_MAX_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

fn item_summary(b: &Item) -> String {
    let state = match (b.kind, b.status) {
        (Kind::SafeguardingHold, Status::Unknown) => "Safeguarding hold, not yet known",
        (Kind::SafeguardingHold, _) => "Safeguarding hold",
        (Kind::Advisory, Status::Unknown) => "Advice, not yet known",
        (Kind::Advisory, _) => "Advice",
        (_, Status::Unknown) => "Not yet known",
        _ => "Outstanding",
    };
    summary(&format!("{state}: {} ({})", b.title, words(&b.owner)))
}

fn indicator(b: &Item) -> &'static str {
    match (b.kind, b.status) {
        (Kind::SafeguardingHold, _) => "critical",
        (Kind::Blocker, Status::NotMet) => "warning",
        _ => "info",
    }
}

fn is_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

fn questions_for<'a>(report: &'a Report, id: &str) -> Vec<&'a OpenQuestion> {
    report
        .open_questions
        .iter()
        .filter(|q| q.affects.iter().any(|a| a == id))
        .collect()
}

fn detail(report: &Report, b: &Item) -> String {
    let mut d = format!("**Action:** {}\n\n**Owner:** {}", b.action, words(&b.owner));
    for c in report
        .safety_changes
        .iter()
        .filter(|c| c.requirement.as_deref() == Some(b.id.as_str()))
    {
        d.push_str(&format!("\n\n**Changed locally:** {c}"));
    }
    if let Some(c) = &b.delay_category {
        d.push_str(&format!(" · **Delay category:** {}", words(c)));
    }
    if let Some(r) = &b.referral {
        d.push_str(&format!("\n\n**Referral:** {r}"));
    }
    let open = questions_for(report, &b.id);
    if !open.is_empty() {
        d.push_str("\n\n**Still to answer:**");
        for q in open {
            d.push_str(&format!("\n- {}", q.question));
        }
    }
    let cite = &b.citation;
    let note = cite
        .note
        .as_deref()
        .map(|n| format!(" — {n}"))
        .unwrap_or_default();
    if is_url(&cite.source) {
        d.push_str(&format!("\n\n**Source:** <{}>{note}", cite.source));
    } else {
        d.push_str(&format!("\n\n**Source:** `{}`{note}", cite.source));
    }
    d
}

fn links(report: &Report, b: &Item, opts: &CardOptions) -> Vec<Value> {
    let mut out = Vec::new();
    if is_url(&b.citation.source) {
        out.push(
            json!({ "label": format!("Guidance ({})", host(&b.citation.source)),
                         "url": b.citation.source, "type": "absolute" }),
        );
    }
    if let Some(url) = &opts.rulebook_url {
        out.push(json!({ "label": format!("Rulebook: {}", b.title),
                         "url": format!("{url}#{}", b.id), "type": "absolute" }));
    }
    if b.status == Status::Unknown || !questions_for(report, &b.id).is_empty() {
        if let Some(url) = &opts.checklist_url {
            out.push(
                json!({ "label": "Answer the open questions in the Homeward checklist",
                             "url": url, "type": "absolute" }),
            );
        }
    }
    out
}

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({ "system": system, "code": code, "display": display })
}

fn reference(kind: &str, id: Option<&String>) -> Option<Value> {
    id.map(|i| json!({ "reference": format!("{kind}/{i}") }))
}

/// The draft FHIR R4 resource a user can create from the card: a `ServiceRequest` when the
/// requirement names a referral, else a `Task`.
fn resource(report: &Report, b: &Item, opts: &CardOptions, patient: &str, id: &str) -> Value {
    let requirement = json!({
        "coding": [coding(&format!("{REQUIREMENT_SYSTEM}:{}", report.ruleset.id), &b.id, &b.title)],
        "text": b.title });
    let performer = json!({
        "coding": [coding(OWNER_SYSTEM, &code(&b.owner), &words(&b.owner))],
        "text": words(&b.owner) });
    let delay = b.delay_category.map(|c| {
        json!({
        "coding": [coding(DELAY_SYSTEM, &code(&c), &words(&c))], "text": words(&c) })
    });
    let mut r = Map::new();
    let priority = if b.kind == Kind::SafeguardingHold {
        "urgent"
    } else {
        "routine"
    };
    r.insert(
        "identifier".into(),
        json!([{ "system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{id}") }]),
    );
    r.insert("status".into(), json!("draft"));
    r.insert("intent".into(), json!("proposal"));
    r.insert("priority".into(), json!(priority));
    let subject = json!({ "reference": format!("Patient/{patient}") });
    let encounter = reference("Encounter", opts.encounter_id.as_ref());
    if let Some(referral) = &b.referral {
        r.insert("resourceType".into(), json!("ServiceRequest"));
        r.insert("category".into(), json!([{ "coding": [coding("http://snomed.info/sct", "3457005", "Patient referral")] }]));
        r.insert("code".into(), json!({ "text": referral }));
        r.insert("subject".into(), subject);
        if let Some(e) = encounter {
            r.insert("encounter".into(), e);
        }
        r.insert("performerType".into(), performer);
        r.insert(
            "reasonCode".into(),
            Value::Array(core::iter::once(requirement).chain(delay).collect()),
        );
        r.insert("note".into(), json!([{ "text": b.action }]));
    } else {
        r.insert("resourceType".into(), json!("Task"));
        r.insert("code".into(), requirement);
        r.insert("description".into(), json!(b.action));
        r.insert("for".into(), subject);
        if let Some(e) = encounter {
            r.insert("encounter".into(), e);
        }
        r.insert("performerType".into(), json!([performer]));
        if let Some(d) = delay {
            r.insert("reasonCode".into(), d);
        }
    }
    Value::Object(r)
}

fn override_reasons() -> Value {
    OVERRIDE_REASONS
        .iter()
        .map(|(c, d)| coding(OVERRIDE_REASON_SYSTEM, c, d))
        .collect()
}

fn source(report: &Report, opts: &CardOptions) -> Value {
    let label = opts.source_label.as_deref().unwrap_or("Homeward");
    let mut s =
        json!({ "label": format!("{label} · {} {}", report.ruleset.id, report.ruleset.version) });
    if let (Some(url), Some(o)) = (&opts.rulebook_url, s.as_object_mut()) {
        o.insert("url".into(), json!(url));
    }
    s
}

fn card(report: &Report, b: &Item, opts: &CardOptions, seed: &str) -> Value {
    let mut c = Map::new();
    c.insert(
        "uuid".into(),
        json!(uuid_for(&format!("{seed}/{}/card", b.id))),
    );
    c.insert("summary".into(), json!(item_summary(b)));
    c.insert("indicator".into(), json!(indicator(b)));
    c.insert("detail".into(), json!(detail(report, b)));
    let mut src = source(report, opts);
    if let Some(o) = src.as_object_mut() {
        o.insert(
            "topic".into(),
            coding("urn:homeward:kind", &code(&b.kind), &words(&b.kind)),
        );
    }
    c.insert("source".into(), src);
    if let (Status::NotMet, Some(patient)) = (b.status, &opts.patient_id) {
        let id = uuid_for(&format!("{seed}/{}/suggestion", b.id));
        let label = b.referral.as_ref().map_or_else(
            || format!("Create a task: {}", b.action),
            |r| format!("Refer: {r}"),
        );
        let kind = if b.referral.is_some() {
            "referral"
        } else {
            "task"
        };
        c.insert(
            "suggestions".into(),
            json!([{
            "label": summary(&label), "uuid": id, "isRecommended": true,
            "actions": [{ "type": "create",
                          "description": format!("Create a draft {kind}: {}", b.action),
                          "resource": resource(report, b, opts, patient, &id) }] }]),
        );
        c.insert("selectionBehavior".into(), json!("any"));
    }
    c.insert("overrideReasons".into(), override_reasons());
    let l = links(report, b, opts);
    if !l.is_empty() {
        c.insert("links".into(), json!(l));
    }
    Value::Object(c)
}

fn verdict_card(report: &Report, opts: &CardOptions, seed: &str) -> Value {
    let s = &report.summary;
    let (text, indicator) = match report.verdict {
        Verdict::Ready => (
            "Ready for discharge: nothing outstanding".to_string(),
            "info",
        ),
        Verdict::NotReady => (
            format!(
                "Not ready for discharge: {} outstanding, {} not yet known",
                s.outstanding, s.unknown
            ),
            "warning",
        ),
        Verdict::Undetermined => (
            format!(
                "Discharge readiness not yet known: {} questions to answer",
                s.open_questions
            ),
            "info",
        ),
        // A verdict added after this crate was written: say so rather than guess.
        other => (
            format!(
                "Discharge readiness: {} (not known to this service's version)",
                other.as_str()
            ),
            "warning",
        ),
    };
    let mut d = format!(
        "Ruleset `{}` {} (`{}`)",
        report.ruleset.id, report.ruleset.version, report.ruleset.hash
    );
    if report.checklist != "*" {
        d.push_str(&format!(", checklist `{}`", report.checklist));
    }
    d.push('.');
    if !report.safety_changes.is_empty() {
        d.push_str("\n\n**Local changes to safety rules** (declared by the ruleset's overlays):");
        for c in &report.safety_changes {
            d.push_str(&format!("\n- {c}"));
        }
    }
    if !report.open_questions.is_empty() {
        d.push_str("\n\n**Still to ask:**");
        for q in report.open_questions.iter().take(10) {
            d.push_str(&format!("\n- {}", q.question));
        }
        if report.open_questions.len() > 10 {
            d.push_str(&format!(
                "\n- … and {} more",
                report.open_questions.len() - 10
            ));
        }
    }
    let mut c = json!({
        "uuid": uuid_for(&format!("{seed}/#verdict/card")),
        "summary": summary(&text), "indicator": indicator, "detail": d,
        "source": source(report, opts) });
    let mut l = Vec::new();
    if let (false, Some(url)) = (report.open_questions.is_empty(), &opts.checklist_url) {
        l.push(json!({ "label": "Answer the open questions in the Homeward checklist", "url": url, "type": "absolute" }));
    }
    if let Some(url) = &opts.rulebook_url {
        l.push(json!({ "label": "Homeward rulebook", "url": url, "type": "absolute" }));
    }
    if let (false, Some(o)) = (l.is_empty(), c.as_object_mut()) {
        o.insert("links".into(), json!(l));
    }
    c
}

/// Checks the `format` of a report read back from JSON before it is used (`at`: the path of
/// the report in its document, `$` or `$.ok`): only format 1 is read; a report of another
/// format could mean something else by the same fields.
///
/// # Errors
/// `UNSUPPORTED_FORMAT` at `{at}.format`.
pub fn check_report_format(value: &Value, at: &str) -> Result<(), homeward::Diagnostic> {
    match value.get("format") {
        Some(f) if f.as_u64() == Some(1) => Ok(()),
        Some(f) => Err(homeward::Diagnostic::error(
            homeward::Code::UnsupportedFormat,
            format!("{at}.format"),
            format!("report format {f} is not supported; this version reads format 1"),
        )
        .with_help(
            "make the report with a homeward of the same format version (docs/report-format.md)",
        )),
        None => Ok(()),
    }
}

/// The CDS Hooks response (`{"cards": [...]}`) for a report and a hook call: holds, the
/// verdict, blockers, then advisories.
#[must_use]
pub fn response(report: &Report, opts: &CardOptions) -> Value {
    let seed = opts.seed(report);
    let (holds, blockers): (Vec<&Item>, Vec<&Item>) = report
        .blockers
        .iter()
        .partition(|b| b.kind == Kind::SafeguardingHold);
    let mut cards: Vec<Value> = holds.iter().map(|b| card(report, b, opts, &seed)).collect();
    cards.push(verdict_card(report, opts, &seed));
    cards.extend(blockers.iter().map(|b| card(report, b, opts, &seed)));
    cards.extend(
        report
            .advisories
            .iter()
            .map(|b| card(report, b, opts, &seed)),
    );
    json!({ "cards": cards })
}

/// The UUID of every card [`response`] gives for this report and call, with what the card is
/// about (a requirement id, or `verdict`): a feedback endpoint ties feedback to a rule with it.
#[must_use]
pub fn card_ids(report: &Report, opts: &CardOptions) -> Vec<(String, String)> {
    let seed = opts.seed(report);
    let verdict = (
        uuid_for(&format!("{seed}/#verdict/card")),
        "verdict".to_string(),
    );
    let items = report.blockers.iter().chain(&report.advisories);
    core::iter::once(verdict)
        .chain(items.map(|b| (uuid_for(&format!("{seed}/{}/card", b.id)), b.id.clone())))
        .collect()
}

/// The cards for a report without a hook call (`homeward cds-card`): UUIDs seeded by the
/// report's hash and, with no patient in context, links but no `create` actions.
#[must_use]
pub fn cards(report: &Report) -> Value {
    response(report, &CardOptions::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_stay_under_140_characters() {
        let long = "x".repeat(300);
        assert_eq!(summary(&long).chars().count(), SUMMARY_MAX_CHARS);
        assert!(summary(&long).ends_with('…'));
        let exact = "y".repeat(SUMMARY_MAX_CHARS);
        assert_eq!(summary(&exact), exact);
        let one_over = "z".repeat(SUMMARY_MAX_CHARS + 1);
        assert_eq!(summary(&one_over).chars().count(), SUMMARY_MAX_CHARS);
    }

    #[test]
    fn uuids_are_version_5_and_differ_by_hook_instance() {
        let a = Uuid::parse_str(&uuid_for("hook:a/key_safe/card")).unwrap_or_default();
        let b = Uuid::parse_str(&uuid_for("hook:b/key_safe/card")).unwrap_or_default();
        assert_eq!(a.get_version_num(), 5);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        assert_ne!(a, b);
        assert_eq!(
            a,
            Uuid::parse_str(&uuid_for("hook:a/key_safe/card")).unwrap_or_default()
        );
    }

    #[test]
    fn hosts_are_read_from_urls() {
        assert_eq!(host("https://www.gov.uk/government/x?y#z"), "www.gov.uk");
        assert_eq!(host("http://a.example"), "a.example");
    }
}
