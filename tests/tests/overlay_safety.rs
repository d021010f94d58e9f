//! No silent weakening of safety by local rules (issue 13 item 3, review finding H2): an overlay
//! that overrides the action, owner or referral of a safeguarding hold or a primary requirement,
//! puts rows before the base rows of a table that gates blockers, or adds a checklist without
//! every safeguarding hold or without the primary (clinical) requirements of every base
//! checklist, is refused unless it declares each change with a reason; every
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

/// The safeguarding holds and the discharge logistics of `ward_discharge`, but none of the
/// primary (clinical) requirements of any base checklist.
const NO_PRIMARIES: [&str; 7] = [
    "safeguarding_destination",
    "domestic_abuse",
    "tto_ready",
    "transport",
    "discharge_summary",
    "follow_up",
    "patient_informed",
];

/// A new checklist `ward_discharge_logistics` of `requirements`.
fn logistics_checklist(requirements: &[&str]) -> Value {
    overlay(
        json!({"checklists": [{"id": "ward_discharge_logistics", "title": "Ward discharge",
        "requirements": requirements}]}),
    )
}

#[test]
fn a_new_checklist_without_the_primaries_is_refused() {
    let o = logistics_checklist(&NO_PRIMARIES);
    let Err(diags) = load(&o) else {
        panic!("the overlay must be refused")
    };
    // One change per primary requirement of `ward_discharge`, the base checklist sharing the
    // most requirements with it, located at the new checklist's requirements in the overlay.
    let found: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == Code::UndeclaredSafetyChange)
        .map(|d| d.rule.as_deref().unwrap())
        .collect();
    assert_eq!(
        found,
        ["no_criteria_to_reside", "news2_consistent"],
        "{diags:#?}"
    );
    let d = refused_with(
        &o,
        Code::UndeclaredSafetyChange,
        "$.checklists[0].requirements",
    );
    assert_eq!(d.document.as_deref(), Some("local"));
    assert!(d.message.contains("no_criteria_to_reside"), "{}", d.message);
    assert!(d.message.contains("`ward_discharge`"), "{}", d.message);
    assert!(d.help.contains("checklist_without_primary"), "{}", d.help);
    assert!(
        d.help
            .contains(r#""checklist": "ward_discharge_logistics""#),
        "{}",
        d.help
    );

    // One primary of the two is not enough: only the one left out is named.
    let mut one = NO_PRIMARIES.to_vec();
    one.push("no_criteria_to_reside");
    let Err(diags) = load(&logistics_checklist(&one)) else {
        panic!("one primary of two must be refused")
    };
    let found: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == Code::UndeclaredSafetyChange)
        .map(|d| d.rule.as_deref().unwrap())
        .collect();
    assert_eq!(found, ["news2_consistent"], "{diags:#?}");

    // The primaries of one base checklist, whichever, are enough: each mode has its own.
    for primaries in [
        ["no_criteria_to_reside", "news2_consistent"],
        ["red_flags_convey", "clinical_need_convey"],
        ["red_flags_clear", "clinical_need_front_door"],
    ] {
        let mut list = NO_PRIMARIES.to_vec();
        list.extend(primaries);
        let r = load(&logistics_checklist(&list));
        assert!(r.is_ok(), "{primaries:?}: {:#?}", r.err());
    }

    // The checklist is checked as merged: primaries added by the overlay's own
    // `checklist_items` count.
    let mut o = logistics_checklist(&NO_PRIMARIES);
    o["checklist_items"] = json!([{"checklist": "ward_discharge_logistics",
        "requirements": ["no_criteria_to_reside", "news2_consistent"]}]);
    let r = load(&o);
    assert!(r.is_ok(), "{:#?}", r.err());
}

#[test]
fn a_declared_checklist_without_the_primaries_loads_and_every_report_lists_it() {
    let o = declare(
        logistics_checklist(&NO_PRIMARIES),
        json!([
            {"change": "checklist_without_primary", "checklist": "ward_discharge_logistics",
             "requirement": "no_criteria_to_reside", "reason": "the ward round decides fitness first"},
            {"change": "checklist_without_primary", "checklist": "ward_discharge_logistics",
             "requirement": "news2_consistent", "reason": "the ward round decides fitness first"}
        ]),
    );
    let rs = load(&o).unwrap();
    assert_eq!(rs.safety_changes().len(), 2);
    assert_eq!(
        rs.safety_changes()[0].to_string(),
        "overlay `local` leaves the primary (clinical) requirement `no_criteria_to_reside` out \
         of checklist `ward_discharge_logistics` (reason: the ward round decides fitness first)"
    );
    for list in rs.checklist_ids() {
        let report = rs.evaluate(rs.checklist(Some(list)).unwrap(), &Facts::default());
        assert_eq!(report.safety_changes, rs.safety_changes(), "{list}");
        let text = report.to_json();
        assert_eq!(serde_json::to_string(&report).unwrap(), text);
        let back: homeward::Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        assert!(
            text.contains(r#"{"overlay":"local","change":"checklist_without_primary","requirement":"news2_consistent","checklist":"ward_discharge_logistics","reason":"the ward round decides fitness first"}"#),
            "{text}"
        );
    }
}

#[test]
fn a_checklist_without_primary_declared_but_not_made_is_refused() {
    // The checklist carries the primaries of `ward_discharge`: nothing to declare.
    let mut list = NO_PRIMARIES.to_vec();
    list.extend(["no_criteria_to_reside", "news2_consistent"]);
    let o = declare(
        logistics_checklist(&list),
        json!([{"change": "checklist_without_primary", "checklist": "ward_discharge_logistics",
                "requirement": "no_criteria_to_reside", "reason": "r"}]),
    );
    let d = refused_with(&o, Code::UnusedSafetyChange, "$.safety_changes[0]");
    assert_eq!(d.document.as_deref(), Some("local"));
    // A primary of another base checklist than the closest one is not the change made.
    let o = declare(
        logistics_checklist(&NO_PRIMARIES),
        json!([
            {"change": "checklist_without_primary", "checklist": "ward_discharge_logistics", "requirement": "no_criteria_to_reside", "reason": "r"},
            {"change": "checklist_without_primary", "checklist": "ward_discharge_logistics", "requirement": "news2_consistent", "reason": "r"},
            {"change": "checklist_without_primary", "checklist": "ward_discharge_logistics", "requirement": "red_flags_clear", "reason": "r"}
        ]),
    );
    refused_with(&o, Code::UnusedSafetyChange, "$.safety_changes[2]");
    // The declaration needs its checklist.
    let o = declare(
        logistics_checklist(&NO_PRIMARIES),
        json!([{"change": "checklist_without_primary", "requirement": "news2_consistent", "reason": "r"}]),
    );
    refused_with(&o, Code::MissingField, "$.safety_changes[0]");
}

#[test]
fn an_overlay_cannot_take_a_hold_or_a_primary_out_of_a_base_checklist() {
    // Redefining a base checklist without its holds and primaries: a duplicate id, declared
    // or not (there is no way to remove an item from a base checklist).
    let o = overlay(
        json!({"checklists": [{"id": "ward_discharge", "title": "Ward discharge",
        "requirements": ["tto_ready"]}]}),
    );
    let d = refused_with(&o, Code::DuplicateId, "$.checklists[0].id");
    assert_eq!(d.document.as_deref(), Some("local"));
    // `checklist_items` only adds: it takes no field that removes.
    let o = overlay(
        json!({"checklist_items": [{"checklist": "ward_discharge", "remove": ["news2_consistent"]}]}),
    );
    refused_with(&o, Code::UnknownField, "$.checklist_items[0].remove");
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
            {"change": "checklist_without_hold", "checklist": "ward_discharge_fast", "requirement": "domestic_abuse", "reason": "r"},
            {"change": "checklist_without_primary", "checklist": "ward_discharge_fast", "requirement": "no_criteria_to_reside", "reason": "r"},
            {"change": "checklist_without_primary", "checklist": "ward_discharge_fast", "requirement": "news2_consistent", "reason": "r"}
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
    assert_eq!(r.safety_changes.len(), 4);
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
fn every_shipped_checklist_carries_the_holds_and_the_primaries_of_a_base_checklist() {
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
        // Every checklist carries the primary requirements of at least one national one.
        let national = Ruleset::national().unwrap();
        let primary = |id: &str| {
            national
                .document()
                .requirements
                .iter()
                .any(|r| r.id == id && r.primary)
        };
        for list in &doc.checklists {
            assert!(
                national.document().checklists.iter().any(|base| base
                    .requirements
                    .iter()
                    .filter(|r| primary(r))
                    .all(|p| list.requirements.contains(p))),
                "{overlays:?}: checklist `{}` lacks the primaries of every national one",
                list.id
            );
        }
        // And the bundled overlays declare nothing: they weaken nothing.
        assert!(rs.safety_changes().is_empty(), "{overlays:?}");
    }
}
