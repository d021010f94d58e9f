//! Criterion benchmarks of loading large generated rulesets (decode, validate, compile and the
//! authoring lints): a first-hit table of 10,000 rows over a small pool of facts, a chain of
//! 10,000 named conditions, a chain of 10,000 decision tables and a chain of 100,000
//! `asked_when` gates (review finding L7). Loading grows about linearly with the ruleset, and each stays well
//! under a second (BENCHMARKS.md).

#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "benchmark harness: fails loudly on a broken workload"
)]

#[path = "support/large.rs"]
mod large;

use criterion::{criterion_group, criterion_main, Criterion};
use homeward::Ruleset;
use std::hint::black_box;

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    g.sample_size(10);
    for (name, text) in [
        ("2,000-row table", large::table(2_000)),
        ("10,000-row table", large::table(10_000)),
        ("10,000-link chain", large::chain(10_000)),
        ("10,000-table decision chain", large::table_chain(10_000)),
        (
            "100,000-question asked_when chain",
            large::asked_chain(100_000),
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| Ruleset::from_json(black_box(&text)).unwrap())
        });
    }
    g.finish();
}

criterion_group!(compile, benches);
criterion_main!(compile);
