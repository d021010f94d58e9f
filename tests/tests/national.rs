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
