//! No silent weakening of safety by local rules (issue 13 item 3, review finding H2): an overlay
//! that overrides the action, owner or referral of a safeguarding hold or a primary requirement,
//! puts rows before the base rows of a table that gates blockers, or adds a checklist without
//! every safeguarding hold, is refused unless it declares each change with a reason; every
//! report under such an overlay lists the declarations. The three reproductions are the
//! review's own overlays against the bundled national ruleset.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test"
)]

use homeward::bundled::{NATIONAL_JSON, OVERLAYS};
use homeward::{Code, Diagnostic, Diagnostics, Facts, Ruleset, Verdict};
use serde_json::{json, Value};

fn load(overlay: &Value) -> Result<Ruleset, Vec<Diagnostic>> {
    Ruleset::from_json_with_overlays(NATIONAL_JSON, &[&overlay.to_string()])
        .map_err(|e| e.diagnostics())
}

#[track_caller]
fn refused_with(overlay: &Value, code: Code, path: &str) -> Diagnostic {
    let Err(diags) = load(overlay) else {
        panic!("the overlay must be refused")
    };
    diags
        .iter()
        .find(|d| d.code == code && d.path == path)
        .unwrap_or_else(|| panic!("no {code} at {path} in {diags:#?}"))
        .clone()
}

fn overlay(extra: Value) -> Value {
    let mut o = json!({"format": 1, "id": "local", "version": "1", "title": "Local",
                       "extends": "england-national"});
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    o
}

/// The review's first case: a new checklist without the holds.
fn fast_checklist() -> Value {
    overlay(
        json!({"checklists": [{"id": "ward_discharge_fast", "title": "Ward discharge",
        "requirements": ["tto_ready", "transport", "discharge_summary", "follow_up", "patient_informed"]}]}),
    )
}

/// The review's second case: a row at the start of `pathway` that always gives pathway 0.
fn pathway_row() -> Value {
    overlay(
        json!({"table_rows": [{"table": "pathway", "position": "start",
        "rows": [{"when": true, "output": 0, "citation": {"source": "local"}}]}]}),
    )
}

/// The review's third case: holds' text blanked or owner moved to the family.
fn blanked_holds() -> Value {
    overlay(json!({"overrides": [
        {"requirement": "domestic_abuse", "owner": "patient_family"},
        {"requirement": "safeguarding_destination", "action": "No action needed locally"}]}))
}

#[test]
fn a_new_checklist_without_the_holds_is_refused() {
    let d = refused_with(
        &fast_checklist(),
        Code::UndeclaredSafetyChange,
        "$.checklists[0].requirements",
    );
    assert_eq!(d.document.as_deref(), Some("local"));
    assert!(
        d.message.contains("safeguarding_destination"),
        "{}",
        d.message
    );
    assert!(d.help.contains("checklist_without_hold"), "{}", d.help);
}

#[test]
fn rows_before_the_pathway_rows_are_refused() {
    let d = refused_with(
        &pathway_row(),
        Code::UndeclaredSafetyChange,
        "$.table_rows[0].position",
    );
    assert_eq!(d.rule.as_deref(), Some("pathway"));
    // Rows after the base rows, or before those of a table no blocker reads, need nothing.
    let mut end = pathway_row();
    end["table_rows"][0]["position"] = json!("end");
    assert!(load(&end).is_ok());
}

#[test]
fn a_hold_blanked_or_given_to_the_family_is_refused() {
    let o = blanked_holds();
    refused_with(&o, Code::UndeclaredSafetyChange, "$.overrides[0].owner");
    refused_with(&o, Code::UndeclaredSafetyChange, "$.overrides[1].action");
    // An empty action is never declarable.
    let empty = overlay(json!({"overrides": [{"requirement": "domestic_abuse", "action": " "}]}));
    refused_with(&empty, Code::InvalidValue, "$.overrides[0].action");
    // A primary (clinical) requirement's action too.
    let primary = overlay(
        json!({"overrides": [{"requirement": "no_criteria_to_reside",
        "action": "Discharge when the bed is needed"}]}),
    );
    refused_with(
        &primary,
        Code::UndeclaredSafetyChange,
        "$.overrides[0].action",
    );
    // The text of an ordinary blocker can still be localised without a declaration.
    let plain = overlay(
        json!({"overrides": [{"requirement": "key_safe", "action": "Call the handyperson"}]}),
    );
    assert!(load(&plain).is_ok());
}

fn declare(mut o: Value, changes: Value) -> Value {
    o["safety_changes"] = changes;
    o
}

#[test]
fn declared_changes_load_and_every_report_lists_them() {
    let o = declare(
        blanked_holds(),
        json!([
            {"change": "override_owner", "requirement": "domestic_abuse", "reason": "pilot: the family liaison team owns it"},
            {"change": "override_action", "requirement": "safeguarding_destination", "reason": "local wording agreed with the safeguarding lead"}
        ]),
    );
    let rs = load(&o).unwrap();
    assert_eq!(rs.safety_changes().len(), 2);
    for list in rs.checklist_ids() {
        let report = rs.evaluate(rs.checklist(Some(list)).unwrap(), &Facts::default());
        assert_eq!(report.safety_changes, rs.safety_changes(), "{list}");
        let text = report.to_json();
        // The fast writer and serde agree, and the report reads back.
        assert_eq!(serde_json::to_string(&report).unwrap(), text);
        let back: homeward::Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        assert!(text.contains(r#""safety_changes":[{"overlay":"local","change":"override_owner","requirement":"domestic_abuse","reason":"pilot: the family liaison team owns it"}"#), "{text}");
    }
    // The declarations are part of the content, so of the hash.
    let other = declare(
        blanked_holds(),
        json!([
            {"change": "override_owner", "requirement": "domestic_abuse", "reason": "another reason"},
            {"change": "override_action", "requirement": "safeguarding_destination", "reason": "local wording agreed with the safeguarding lead"}
        ]),
    );
    assert_ne!(load(&other).unwrap().hash(), rs.hash());

    let rows = declare(
        pathway_row(),
        json!([{"change": "rows_at_start", "table": "pathway", "reason": "r"}]),
    );
    assert_eq!(load(&rows).unwrap().safety_changes().len(), 1);
    let list = declare(
        fast_checklist(),
        json!([
            {"change": "checklist_without_hold", "checklist": "ward_discharge_fast", "requirement": "safeguarding_destination", "reason": "r"},
            {"change": "checklist_without_hold", "checklist": "ward_discharge_fast", "requirement": "domestic_abuse", "reason": "r"}
        ]),
    );
    let rs = load(&list).unwrap();
    // The review's patient: still READY on this checklist, but the report says why.
    let facts = Facts::from_json(
        &rs,
        &json!({"safeguarding.concern_open": true,
        "safeguarding.about_destination": true, "safeguarding.protection_plan_in_place": false,
        "logistics.tto_ready": true, "logistics.transport_arranged": true,
        "logistics.discharge_summary_sent": true, "logistics.follow_up_booked": true,
        "logistics.patient_informed": true})
        .to_string(),
    )
    .unwrap();
    let r = rs.evaluate(rs.checklist(Some("ward_discharge_fast")).unwrap(), &facts);
    assert_eq!(r.verdict, Verdict::Ready);
    assert_eq!(r.safety_changes.len(), 2);
    assert_eq!(
        r.safety_changes[0].checklist.as_deref(),
        Some("ward_discharge_fast")
    );
}

#[test]
fn reports_without_declared_changes_are_unchanged() {
    let rs = Ruleset::national().unwrap();
    let r = rs.evaluate(
        rs.checklist(Some("ward_discharge")).unwrap(),
        &Facts::default(),
    );
    assert!(r.safety_changes.is_empty());
    assert!(!r.to_json().contains("safety_changes"));
}

#[test]
fn declarations_must_be_exact() {
    // A declaration of a change the overlay does not make.
    let o = overlay(
        json!({"safety_changes": [{"change": "override_action", "requirement": "domestic_abuse", "reason": "r"}]}),
    );
    refused_with(&o, Code::UnusedSafetyChange, "$.safety_changes[0]");
    // No reason.
    let o = declare(
        pathway_row(),
        json!([{"change": "rows_at_start", "table": "pathway", "reason": ""}]),
    );
    refused_with(&o, Code::InvalidValue, "$.safety_changes[0].reason");
    // The wrong target fields.
    let o = declare(
        pathway_row(),
        json!([{"change": "rows_at_start", "requirement": "pathway", "reason": "r"}]),
    );
    refused_with(&o, Code::MissingField, "$.safety_changes[0]");
    refused_with(&o, Code::UnknownField, "$.safety_changes[0].requirement");
    // Only overlays declare.
    let mut base: Value = serde_json::from_str(NATIONAL_JSON).unwrap();
    base["safety_changes"] =
        json!([{"change": "rows_at_start", "table": "pathway", "reason": "r"}]);
    let e = Ruleset::from_json(&base.to_string())
        .unwrap_err()
        .diagnostics();
    assert!(
        e.iter()
            .any(|d| d.code == Code::NotAnOverlay && d.path == "$.safety_changes"),
        "{e:#?}"
    );
}

#[test]
fn every_shipped_checklist_carries_every_safeguarding_hold() {
    let mut sets: Vec<Vec<&str>> = vec![vec![]];
    sets.extend(OVERLAYS.iter().map(|(id, _, _)| vec![*id]));
    for overlays in sets {
        let rs = Ruleset::national_with(&overlays).unwrap();
        let doc = rs.document();
        let holds: Vec<&str> = doc
            .requirements
            .iter()
            .filter(|r| r.kind == homeward::wire::Kind::SafeguardingHold)
            .map(|r| r.id.as_str())
            .collect();
        assert!(holds.len() >= 2, "{holds:?}");
        for list in &doc.checklists {
            for h in &holds {
                assert!(
                    list.requirements.iter().any(|r| r == h),
                    "{overlays:?}: checklist `{}` lacks hold `{h}`",
                    list.id
                );
            }
        }
        // And the bundled overlays declare nothing: they weaken nothing.
        assert!(rs.safety_changes().is_empty(), "{overlays:?}");
    }
}
