//! Seeded random patients, shared by every test and bench that needs them (included by path
//! from `tests/src/lib.rs`, `core/tests/` and `core/benches/`, so there is one generator): a
//! small xorshift generator, and answers drawn from a ruleset's schema (the JSON of
//! `Ruleset::schema`), for every fact type.

#![allow(dead_code, reason = "shared by several crates, each using part of it")]

use serde_json::{json, Map, Value};

/// A small deterministic generator (xorshift64), so runs are comparable and failures replay.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn bits(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
        usize::try_from(self.bits() % n).unwrap_or(0)
    }

    /// True once in `n` draws on average (never when `n` is 0).
    pub fn one_in(&mut self, n: u64) -> bool {
        n > 0 && self.bits() % n == 0
    }
}

/// How answers are drawn.
#[derive(Debug, Clone, Copy)]
pub struct Draw {
    /// Each fact is left unknown once in this many (0: every fact answered).
    pub unknown_one_in: u64,
    /// Each option of a set is chosen once in this many.
    pub option_one_in: u64,
    /// Integers are drawn from `min ..= min + span` (clamped to the fact's range).
    pub int_span: Option<i64>,
}

impl Draw {
    /// Every fact answered; sets hold about a quarter of their options.
    pub const COMPLETE: Draw = Draw {
        unknown_one_in: 0,
        option_one_in: 4,
        int_span: None,
    };
}

/// The ids of a schema fact's options.
fn options(f: &Value) -> Vec<Value> {
    f.get("options")
        .and_then(Value::as_array)
        .map(|o| o.iter().filter_map(|o| o.get("id").cloned()).collect())
        .unwrap_or_default()
}

/// A random answer to one fact of the schema.
#[allow(
    clippy::panic,
    reason = "a fact type without a generator must fail the test that draws it"
)]
pub fn answer(f: &Value, rng: &mut Rng, draw: &Draw) -> Value {
    let opts = options(f);
    match f.get("type").and_then(Value::as_str).unwrap_or_default() {
        "bool" => json!(rng.one_in(2)),
        "enum" => opts
            .get(rng.below(opts.len()))
            .cloned()
            .unwrap_or(Value::Null),
        "int" => {
            let lo = f.get("min").and_then(Value::as_i64).unwrap_or(0);
            let hi = f.get("max").and_then(Value::as_i64).unwrap_or(lo);
            let hi = draw.int_span.map_or(hi, |s| hi.min(lo.saturating_add(s)));
            let span = usize::try_from(hi.saturating_sub(lo).saturating_add(1)).unwrap_or(1);
            json!(lo.saturating_add(i64::try_from(rng.below(span)).unwrap_or(0)))
        }
        "set" => Value::Array(
            opts.into_iter()
                .filter(|_| rng.one_in(draw.option_one_in))
                .collect(),
        ),
        // Around the years 2022 to 2030.
        "date" => {
            let days = 19_000 + i32::try_from(rng.below(3_000)).unwrap_or(0);
            homeward::Date::from_days(days).map_or(Value::Null, |d| json!(d.to_string()))
        }
        other => panic!("no random answers for fact type `{other}`"),
    }
}

/// A random patient: each fact of the schema answered, or unknown as `draw` says.
pub fn patient(schema: &Value, rng: &mut Rng, draw: &Draw) -> Value {
    let mut m = Map::new();
    for f in schema
        .get("facts")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        if rng.one_in(draw.unknown_one_in) {
            continue;
        }
        let id = f.get("id").and_then(Value::as_str).unwrap_or_default();
        m.insert(id.to_string(), answer(f, rng, draw));
    }
    Value::Object(m)
}
