//! Criterion benchmarks of the engine: compile, evaluate a complete patient, evaluate a mostly
//! unknown patient (with open-question minimisation), one answer in a resident session, and
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

    let engine = JsonEngine::national(&["norfolk".to_string()]);
    // One tap in a resident, warm session: the answer flips between yes and not known, so
    // every iteration changes the patient.
    let fact = "home.heating_working";
    let mut session = engine.session("ward_discharge");
    let mut flip = false;
    c.bench_function("session/one answer (set + report JSON)", |b| {
        b.iter(|| {
            flip = !flip;
            session.set(black_box(fact), if flip { "true" } else { "null" })
        })
    });
    c.bench_function("session/one answer (compact update)", |b| {
        b.iter(|| {
            flip = !flip;
            session.update(black_box(fact), if flip { "true" } else { "null" })
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
