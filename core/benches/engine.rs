//! Criterion benchmarks of the engine: compile, evaluate a complete patient, evaluate a mostly
//! unknown patient (with open-question minimisation), one answer in a resident session half
//! answered (as JSON, as the report's codes the checklist renders, and as the compact update), and
//! batch throughput over generated patients. Figures go to BENCHMARKS.md (`cargo xtask bench`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    reason = "benchmark harness: fails loudly on a broken workload"
)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use homeward::json::JsonEngine;
use homeward::{Evaluator, Facts, Ruleset};
use serde_json::Value;
use std::hint::black_box;

const EXAMPLE: &str = include_str!("../../tests/fixtures/example-ruleset.json");
const EXAMPLE_FACTS: &str = include_str!("../../tests/fixtures/example-facts.json");

#[path = "../../tests/support/random.rs"]
mod random;
use random::{Draw, Rng};

/// A random complete patient for `rs` (every fact answered), from its schema.
fn complete_patient(rs: &Ruleset, rng: &mut Rng) -> Value {
    random::patient(
        &serde_json::to_value(rs.schema()).unwrap(),
        rng,
        &Draw::COMPLETE,
    )
}

fn national_with_norfolk() -> (&'static str, Vec<&'static str>) {
    (
        homeward::bundled::NATIONAL_JSON,
        vec![homeward::bundled::overlay_json("norfolk").unwrap()],
    )
}

fn benches(c: &mut Criterion) {
    let (base, overlays) = national_with_norfolk();
    c.bench_function("compile/national+norfolk", |b| {
        b.iter(|| Ruleset::from_json_with_overlays(black_box(base), black_box(&overlays)).unwrap())
    });
    c.bench_function("compile/example", |b| {
        b.iter(|| Ruleset::from_json(black_box(EXAMPLE)).unwrap())
    });

    let ex = Ruleset::from_json(EXAMPLE).unwrap();
    let ex_cl = ex.checklist(Some("ward")).unwrap();
    let ex_facts = Facts::from_json(&ex, EXAMPLE_FACTS).unwrap();
    let mut ev = Evaluator::new();
    c.bench_function("example/assess complete", |b| {
        b.iter(|| ev.assess(&ex, ex_cl, black_box(&ex_facts), false).verdict())
    });
    c.bench_function("example/report complete", |b| {
        b.iter(|| ex.evaluate(ex_cl, black_box(&ex_facts)))
    });
    let ex_unknown = Facts::unknown(&ex);
    c.bench_function("example/assess unknown + open questions", |b| {
        b.iter(|| {
            ev.assess(&ex, ex_cl, black_box(&ex_unknown), true)
                .open_questions()
                .count()
        })
    });

    let rs = Ruleset::national_with(&["norfolk"]).unwrap();
    let cl = rs.checklist(Some("ward_discharge")).unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let complete = Facts::from_value(&rs, &complete_patient(&rs, &mut rng)).unwrap();
    c.bench_function("national/assess complete", |b| {
        b.iter(|| ev.assess(&rs, cl, black_box(&complete), false).verdict())
    });
    c.bench_function("national/report complete", |b| {
        b.iter(|| rs.evaluate(cl, black_box(&complete)))
    });
    let mut sparse = complete_patient(&rs, &mut rng);
    if let Value::Object(m) = &mut sparse {
        let keys: Vec<String> = m.keys().cloned().collect();
        for (i, k) in keys.iter().enumerate() {
            if i % 5 != 0 {
                m.remove(k);
            }
        }
    }
    let mostly_unknown = Facts::from_value(&rs, &sparse).unwrap();
    c.bench_function("national/assess mostly unknown + open questions", |b| {
        b.iter(|| {
            ev.assess(&rs, cl, black_box(&mostly_unknown), true)
                .open_questions()
                .count()
        })
    });
    c.bench_function("national/report mostly unknown", |b| {
        b.iter(|| rs.evaluate(cl, black_box(&mostly_unknown)))
    });

    // One tap in a resident, warm session half answered (about half the facts of a random
    // patient, as the Node harness's WASM session): each iteration flips one answered yes/no
    // fact and the next flips it back, cycling through every such fact, so the session stays
    // half answered and every iteration changes the patient.
    let engine = JsonEngine::national(&["norfolk".to_string()]);
    let half = random::patient(
        &serde_json::to_value(rs.schema()).unwrap(),
        &mut Rng(0xbed),
        &Draw {
            unknown_one_in: 2,
            ..Draw::COMPLETE
        },
    );
    // Every tap of the cycle, made before timing (no allocation per iteration): each answered
    // yes/no fact to its other answer, then back.
    let taps: Vec<(String, &str)> = half
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(k, v)| v.as_bool().map(|was| (k, was)))
        .flat_map(|(k, was)| {
            let (to, back) = if was {
                ("false", "true")
            } else {
                ("true", "false")
            };
            [(k.clone(), to), (k.clone(), back)]
        })
        .collect();
    assert!(!taps.is_empty(), "no answered yes/no fact to flip");
    let mut session = engine.session("ward_discharge");
    let imported = session.import(&half.to_string());
    assert!(imported.starts_with("{\"ok\""), "{imported}");
    // One count across the three benches, so each goes on where the last stopped.
    let mut tap = 0usize;
    let mut next = || {
        let (fact, value) = &taps[tap % taps.len()];
        tap += 1;
        (fact.as_str(), *value)
    };
    c.bench_function("session/one answer (set + report JSON)", |b| {
        b.iter(|| {
            let (fact, value) = next();
            session.set(black_box(fact), value)
        })
    });
    c.bench_function("session/one answer (set + report codes)", |b| {
        b.iter(|| {
            let (fact, value) = next();
            session.set_report_codes(black_box(fact), value)
        })
    });
    c.bench_function("session/one answer (compact update)", |b| {
        b.iter(|| {
            let (fact, value) = next();
            session.update(black_box(fact), value)
        })
    });

    let patients: Vec<Facts> = (0..100_000)
        .map(|_| Facts::from_value(&rs, &complete_patient(&rs, &mut rng)).unwrap())
        .collect();
    let mut g = c.benchmark_group("batch");
    g.throughput(Throughput::Elements(patients.len() as u64));
    g.sample_size(10);
    g.bench_function("100k complete patients (assess)", |b| {
        b.iter(|| {
            patients
                .iter()
                .filter(|p| ev.assess(&rs, cl, p, false).verdict() == homeward::Verdict::Ready)
                .count()
        })
    });
    g.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
