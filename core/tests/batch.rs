//! The bit-parallel batch path (`JsonBulk::assess_many`, 64 patients per pass) gives exactly
//! the codes of the one-patient path for every patient, with unknowns anywhere, on the national
//! ruleset (with and without the Norfolk overlay) and the example ruleset; and a bad patient in
//! a batch is located and stops the batch without touching the codes before it.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

use homeward::compact::UNKNOWN;
use homeward::json::JsonEngine;
use proptest::prelude::*;
use serde_json::Value;

const NATIONAL: &str = include_str!("../rulesets/england-national.json");
const NORFOLK: &str = include_str!("../rulesets/overlays/norfolk.json");
const EXAMPLE: &str = include_str!("../../tests/fixtures/example-ruleset.json");

/// A valid compact value for each fact of the layout (or unknown), from random numbers.
fn patient(layout: &Value, rng: &[u32], unknown_every: u32) -> Vec<i32> {
    layout["facts"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let r = rng[i % rng.len()].rotate_left(i as u32 * 7);
            if unknown_every > 0 && r % unknown_every == 0 {
                return UNKNOWN;
            }
            let n = f["options"].as_array().map_or(0, Vec::len) as u32;
            match f["type"].as_str().unwrap() {
                "bool" => (r >> 3 & 1) as i32,
                "enum" => (r >> 3) as i32 % n as i32,
                "set" => ((r >> 3) & ((1 << n) - 1)) as i32,
                _ => ((r >> 3) % 40) as i32,
            }
        })
        .collect()
}

fn check(engine: &JsonEngine, checklist: &str, rng: &[u32], count: usize, unknown_every: u32) {
    let layout: Value = serde_json::from_str(&engine.layout(checklist)).unwrap();
    let layout = &layout["ok"];
    // Int facts: clamp into each fact's declared range through the schema.
    let schema: Value = serde_json::from_str(&engine.schema()).unwrap();
    let ranges: Vec<(i64, i64)> = schema["ok"]["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["min"].as_i64().unwrap_or(0),
                f["max"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    let ids: Vec<&str> = layout["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    let schema_ids: Vec<&str> = schema["ok"]["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    let mut all = Vec::new();
    for k in 0..count {
        let shifted: Vec<u32> = rng
            .iter()
            .map(|r| {
                r.wrapping_mul(2_654_435_761)
                    .wrapping_add(k as u32 * 40_503)
            })
            .collect();
        let mut p = patient(layout, &shifted, unknown_every);
        for (i, v) in p.iter_mut().enumerate() {
            if layout["facts"][i]["type"] == "int" && *v != UNKNOWN {
                let s = schema_ids.iter().position(|x| *x == ids[i]).unwrap();
                let (lo, hi) = ranges[s];
                *v = (lo + i64::from(*v) % (hi - lo + 1)) as i32;
            }
        }
        all.extend(p);
    }
    let mut single = engine.bulk(checklist);
    let mut batch = engine.bulk(checklist);
    let (ni, no) = (single.input_len(), single.output_len());
    let mut out = vec![7u32; count * no];
    assert_eq!(
        batch.assess_many(&all, &mut out),
        count,
        "{}",
        batch.error()
    );
    let mut one = vec![0u32; no];
    for k in 0..count {
        assert_eq!(
            single.assess(&all[k * ni..(k + 1) * ni], &mut one),
            no,
            "{}",
            single.error()
        );
        assert_eq!(
            &out[k * no..(k + 1) * no],
            &one[..],
            "patient {k} on {checklist}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn batch_matches_one_at_a_time(
        rng in proptest::collection::vec(any::<u32>(), 1..64),
        count in 1usize..150,
        unknown_every in prop_oneof![Just(0u32), 2u32..9],
    ) {
        let national = JsonEngine::load(NATIONAL, &[]);
        for cl in ["ward_discharge", "home_circumstances", "front_door", "*"] {
            if national.ruleset().unwrap().checklist(Some(cl)).is_ok() {
                check(&national, cl, &rng, count, unknown_every);
            }
        }
        let norfolk = JsonEngine::load(NATIONAL, &[NORFOLK.to_string()]);
        check(&norfolk, "*", &rng, count, unknown_every);
        let example = JsonEngine::load(EXAMPLE, &[]);
        check(&example, "*", &rng, count, unknown_every);
    }
}

#[test]
fn a_bad_patient_stops_the_batch_and_is_located() {
    let engine = JsonEngine::load(EXAMPLE, &[]);
    let mut bulk = engine.bulk("*");
    let (ni, no) = (bulk.input_len(), bulk.output_len());
    let mut values = vec![UNKNOWN; ni * 70];
    values[ni * 66] = 99; // patient 66, first fact: not a valid value for any type here
    let mut out = vec![u32::MAX; no * 70];
    let done = bulk.assess_many(&values, &mut out);
    assert_eq!(done, 66);
    assert!(bulk.error().contains("\"$[66][0]\""), "{}", bulk.error());
    // Every patient before the bad one is assessed (all unknown: undetermined) ...
    assert!((0..66).all(|k| out[k * no] == 2));
    // ... and nothing from the bad one on is written.
    assert!(out[66 * no..].iter().all(|&c| c == u32::MAX));
    assert_eq!(bulk.assess_many(&values[1..], &mut out), 0);
    assert!(bulk.error().contains("whole number"));
}

/// The compact per-tap update says what the full report says: verdict, blocker counts,
/// statuses, open questions in order and hidden questions, after every answer of a long walk
/// through random answers (and a bad answer changes nothing).
#[test]
fn session_update_matches_the_report() {
    let engine = JsonEngine::load(NATIONAL, &[NORFOLK.to_string()]);
    let schema: Value = serde_json::from_str(&engine.schema()).unwrap();
    let facts = schema["ok"]["facts"].as_array().unwrap();
    for cl in ["ward_discharge", "home_circumstances", "front_door"] {
        let mut quick = engine.session(cl);
        let mut full = engine.session(cl);
        let mut seed = 0x9e37_79b9_u32;
        for step in 0..400 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let f = &facts[seed as usize % facts.len()];
            let opts: Vec<&str> = f["options"].as_array().map_or(vec![], |o| {
                o.iter().map(|o| o["id"].as_str().unwrap()).collect()
            });
            let value = match (seed >> 8) % 5 {
                0 => "null".to_string(),
                _ => match f["type"].as_str().unwrap() {
                    "bool" => ((seed >> 12) % 2 == 0).to_string(),
                    "enum" => format!("\"{}\"", opts[(seed >> 12) as usize % opts.len()]),
                    "int" => f["min"]
                        .as_i64()
                        .unwrap()
                        .max(((seed >> 12) % 30) as i64)
                        .min(f["max"].as_i64().unwrap())
                        .to_string(),
                    _ => serde_json::to_string(
                        &opts
                            .iter()
                            .filter(|_| (seed >> 14) % 3 == 0)
                            .collect::<Vec<_>>(),
                    )
                    .unwrap(),
                },
            };
            let id = f["id"].as_str().unwrap();
            let u: Value = serde_json::from_str(&quick.update(id, &value)).unwrap();
            let r: Value = serde_json::from_str(&full.set(id, &value)).unwrap();
            let (u, r) = (&u["ok"], &r["ok"]);
            assert_eq!(u["verdict"], r["verdict"], "{cl} step {step}");
            assert_eq!(
                u["outstanding"], r["summary"]["outstanding"],
                "{cl} step {step}"
            );
            assert_eq!(u["unknown"], r["summary"]["unknown"], "{cl} step {step}");
            for q in r["requirements"].as_array().unwrap() {
                assert_eq!(
                    u["statuses"][q["id"].as_str().unwrap()],
                    q["status"],
                    "{cl} step {step}"
                );
            }
            let open: Vec<&Value> = r["open_questions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| &q["fact"])
                .collect();
            assert_eq!(
                u["open_questions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .collect::<Vec<_>>(),
                open,
                "{cl} step {step}"
            );
            assert_eq!(u["hidden_facts"], r["hidden_facts"], "{cl} step {step}");
        }
        let bad: Value = serde_json::from_str(&quick.update("no.such_fact", "true")).unwrap();
        assert_eq!(bad["error"]["code"], "UNKNOWN_FACT");
        assert_eq!(quick.export(), full.export());
    }
}
