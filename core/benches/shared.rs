//! Criterion benchmark of the shared cross-engine workload (`bench/workload/`, written by
//! `node bench/node/workload.mjs`; `cargo xtask bench` writes it first): the same generated
//! ruleset and complete patients the Node harness gives json-rules-engine, json-logic-js and
//! json-logic-engine, evaluated natively. Three paths: facts already validated (the engine
//! alone), compact input one patient at a time (decode + assess + output codes), compact input
//! as one batch (bit-parallel, 64 patients per pass), and JSON text in (parse + validate +
//! assess).

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
use std::hint::black_box;
use std::path::Path;

fn benches(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/workload");
    // A missing workload fails the bench (it never passes by skipping its work).
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| {
            panic!(
                "shared workload file {} unreadable ({e}): run `node bench/node/workload.mjs` (cargo xtask bench does)",
                dir.join(f).display()
            )
        })
    };
    let (ruleset, lines) = (read("homeward.json"), read("patients.jsonl"));
    let rs = Ruleset::from_json(&ruleset).unwrap();
    let cl = rs.checklist(Some("all")).unwrap();
    let texts: Vec<&str> = lines.lines().filter(|l| !l.is_empty()).collect();
    let facts: Vec<Facts> = texts
        .iter()
        .map(|t| Facts::from_json(&rs, t).unwrap())
        .collect();
    let compact: Vec<Vec<i32>> = facts.iter().map(|f| f.to_compact(&rs)).collect();
    let n = facts.len() as u64;

    let mut g = c.benchmark_group("shared");
    g.throughput(Throughput::Elements(n));
    let mut ev = Evaluator::new();
    g.bench_function("assess validated facts", |b| {
        b.iter(|| {
            facts
                .iter()
                .filter(|f| {
                    ev.assess(&rs, cl, black_box(f), false).verdict() == homeward::Verdict::Ready
                })
                .count()
        })
    });
    let engine = JsonEngine::from_ruleset(rs.clone());
    let mut bulk = engine.bulk("all");
    let mut out = vec![0u32; bulk.output_len()];
    g.bench_function("compact in, codes out", |b| {
        b.iter(|| {
            compact
                .iter()
                .map(|v| bulk.assess(black_box(v), &mut out))
                .sum::<usize>()
        })
    });
    let flat: Vec<i32> = compact.iter().flatten().copied().collect();
    let mut many = vec![0u32; bulk.output_len() * compact.len()];
    g.bench_function("compact batch, 64 patients per pass", |b| {
        b.iter(|| bulk.assess_many(black_box(&flat), &mut many))
    });
    g.sample_size(10);
    g.bench_function("JSON text in, compact JSON out", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| engine.assess(black_box(t), "all", None).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(shared, benches);
criterion_main!(shared);
