//! Properties of the bundled national ruleset (with and without the Norfolk overlay) on
//! generated patients: a bedside user answering only the questions Homeward asks always
//! reaches a decided verdict, "not yet known" always comes with a question to ask, and the
//! verdict never flips between ready and not ready as answers are added.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test"
)]

use homeward::{Facts, Ruleset, Verdict};
use homeward_tests::random::{answer, Draw, Rng};

/// Mostly empty sets, so that clinical criteria do not end every walk at once.
const DRAW: Draw = Draw {
    unknown_one_in: 0,
    option_one_in: 12,
    int_span: None,
};

#[test]
fn answering_the_open_questions_always_reaches_a_decision() {
    let mut rng = Rng(0x0dd5_eed5_1234_5678);
    let mut walks = 0;
    for overlays in [&[][..], &["norfolk"][..]] {
        let rs = Ruleset::national_with(overlays).unwrap();
        let schema = rs.schema();
        for checklist in rs.checklist_ids() {
            let cl = rs.checklist(Some(checklist)).unwrap();
            for _ in 0..300 {
                let mut facts = Facts::unknown(&rs);
                let mut previous: Option<Verdict> = None;
                for step in 0..=schema.facts.len() {
                    let report = rs.evaluate(cl, &facts);
                    if let Some(p) = previous {
                        let flipped = matches!(
                            (p, report.verdict),
                            (Verdict::Ready, Verdict::NotReady)
                                | (Verdict::NotReady, Verdict::Ready)
                        );
                        assert!(
                            !flipped,
                            "{checklist}: verdict flipped {p:?} -> {:?} at step {step}",
                            report.verdict
                        );
                    }
                    previous = Some(report.verdict).filter(|v| *v != Verdict::Undetermined);
                    if report.verdict != Verdict::Undetermined {
                        break;
                    }
                    assert!(
                        !report.open_questions.is_empty(),
                        "{checklist}: undetermined with no question to ask; answers {}",
                        facts.to_value(&rs)
                    );
                    // Answer one of the questions asked (not always the first).
                    let q = &report.open_questions[rng.below(report.open_questions.len().min(3))];
                    assert!(
                        !report.hidden_facts.contains(&q.fact),
                        "{checklist}: asked hidden question {}",
                        q.fact
                    );
                    let f = schema.facts.iter().find(|f| f.id == q.fact).unwrap();
                    let f = serde_json::to_value(f).unwrap();
                    facts
                        .set(&rs, &q.fact, &answer(&f, &mut rng, &DRAW))
                        .unwrap();
                    assert!(
                        step < schema.facts.len(),
                        "{checklist}: no decision after answering every question"
                    );
                }
                walks += 1;
            }
        }
    }
    println!("{walks} question-answer walks reached a decision");
}

#[test]
fn every_bundled_checklist_words_its_question_and_verdicts_for_its_user() {
    for overlays in [&[][..], &["norfolk"][..]] {
        let rs = Ruleset::national_with(overlays).unwrap();
        let schema = rs.schema();
        let mut seen = Vec::new();
        for c in &schema.checklists {
            let question = c.question.as_deref().unwrap_or_default();
            assert!(question.ends_with('?'), "{}: question {question:?}", c.id);
            let v = c
                .verdicts
                .as_ref()
                .unwrap_or_else(|| panic!("{}: no verdicts", c.id));
            for w in [&v.ready, &v.not_ready, &v.undetermined] {
                assert!(!w.trim().is_empty(), "{}: empty verdict wording", c.id);
            }
            seen.push((c.id.clone(), question.to_string(), v.ready.clone()));
        }
        // Each mode asks its own user's question: no two checklists share question or words.
        for (i, a) in seen.iter().enumerate() {
            for b in seen.iter().skip(i + 1) {
                assert_ne!(a.1, b.1, "{} and {} ask the same question", a.0, b.0);
                assert_ne!(a.2, b.2, "{} and {} say ready the same way", a.0, b.0);
            }
        }
        let home = schema
            .checklists
            .iter()
            .find(|c| c.id == "home_circumstances")
            .unwrap();
        assert!(home.question.as_deref().unwrap().contains("tonight"));
    }
}

/// Issue 12 item 7: the national rules carry no local wording; District Direct and Norfolk live
/// in the Norfolk overlay, which routes the housing, homelessness and same-day items to it.
#[test]
fn national_rules_carry_no_local_wording_and_norfolk_routes_to_district_direct() {
    let local = ["district direct", "norfolk", "scce", "south norfolk"];
    let national = Ruleset::national().unwrap();
    let text = serde_json::to_string(national.document())
        .unwrap()
        .to_lowercase();
    for word in local {
        assert!(!text.contains(word), "national rules mention `{word}`");
    }
    let norfolk = Ruleset::national_with(&["norfolk"]).unwrap();
    let routed = [
        "home_clutter",
        "home_hygiene",
        "home_heating",
        "key_safe",
        "minor_adaptations",
        "same_day_barrier_fund",
        "somewhere_tonight",
        "duty_to_refer",
        "duty_to_refer_threatened",
        "same_day_home_plan",
        "avoid_social_admission",
        "avoid_social_conveyance",
        "tonight_clutter",
        "tonight_hygiene",
        "tonight_heating",
        "tonight_key_safe",
        "tonight_barrier_fund",
    ];
    for id in routed {
        let r = norfolk
            .document()
            .requirements
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("{id} missing"));
        let referral = r.referral.as_deref().unwrap_or_default();
        assert!(
            referral.contains("District Direct") && r.action.contains("District Direct"),
            "{id} is not routed to District Direct in Norfolk: {referral:?} / {:?}",
            r.action
        );
        // The service reaches every acute hospital in Norfolk, not only South Norfolk's.
        assert!(!referral.contains("South Norfolk"), "{id}: {referral}");
    }
}

/// Issue 12: every bundled checklist holds every safeguarding hold, the new-concern (s42) rule,
/// and capacity with best interests; the home and A&E checklists put a clinical gate first.
#[test]
fn every_mode_carries_safeguarding_capacity_and_its_clinical_gate() {
    for overlays in [&[][..], &["norfolk"][..]] {
        let rs = Ruleset::national_with(overlays).unwrap();
        let doc = rs.document();
        let holds: Vec<&str> = doc
            .requirements
            .iter()
            .filter(|r| r.kind == homeward::wire::Kind::SafeguardingHold)
            .map(|r| r.id.as_str())
            .collect();
        assert!(holds.len() >= 2, "{holds:?}");
        for c in &doc.checklists {
            let has = |id: &str| c.requirements.iter().any(|r| r == id);
            for id in holds.iter().copied().chain([
                "raise_safeguarding_concern",
                "capacity_assessment",
                "best_interests",
            ]) {
                assert!(has(id), "{}: lacks `{id}`", c.id);
            }
            let gate: &[&str] = match c.id.as_str() {
                "ward_discharge" => &["no_criteria_to_reside", "news2_consistent"],
                "home_circumstances" => &["red_flags_convey", "clinical_need_convey"],
                "front_door" => &["red_flags_clear", "clinical_need_front_door"],
                other => panic!("unexpected checklist {other}"),
            };
            for id in gate {
                assert!(has(id), "{}: lacks its clinical gate `{id}`", c.id);
                let r = doc.requirements.iter().find(|r| r.id == *id).unwrap();
                assert!(r.primary, "{id} must be primary");
                if c.id == "home_circumstances" {
                    assert!(r.action.starts_with("Convey"), "{id}: {}", r.action);
                }
            }
        }
    }
}

/// RF-28: the Care Act outcomes are judged without regard to a carer currently meeting them.
#[test]
fn care_act_outcomes_help_says_carers_are_disregarded() {
    let rs = Ruleset::national().unwrap();
    let f = rs
        .schema()
        .facts
        .into_iter()
        .find(|f| f.id == "eligibility.outcomes_unable")
        .unwrap();
    assert!(
        f.help
            .unwrap_or_default()
            .contains("without regard to whether a carer is currently meeting the needs"),
        "RF-28"
    );
}
