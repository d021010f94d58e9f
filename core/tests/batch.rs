//! The bit-parallel batch path (`JsonBulk::assess_many`, 64 patients per pass) gives exactly
//! the codes of the one-patient path for every patient, with unknowns anywhere, on the national
//! ruleset (with and without the Norfolk overlay) and the example ruleset; and a bad patient in
//! a batch is located and stops the batch without touching the codes before it; and a
//! session's update, which re-evaluates only what reads the answers that changed, says what
//! the full report says along random walks.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

use homeward::compact::UNKNOWN;
use homeward::json::JsonEngine;
use homeward::Facts;
use proptest::prelude::*;
use serde_json::Value;

const NATIONAL: &str = include_str!("../rulesets/england-national.json");
const NORFOLK: &str = include_str!("../rulesets/overlays/norfolk.json");
const EXAMPLE: &str = include_str!("../../tests/fixtures/example-ruleset.json");
const DATES: &str = include_str!("../../tests/fixtures/dates-ruleset.json");

#[path = "../../tests/support/random.rs"]
mod random;
use random::{Draw, Rng};

/// Random patients (`unknown_one_in`: how often a fact is unknown) in compact form, assessed
/// one at a time and as one batch, on `as_of`: the codes must be the same.
fn check(
    engine: &JsonEngine,
    checklist: &str,
    seed: u64,
    count: usize,
    unknown_one_in: u64,
    as_of: Option<&str>,
) {
    let rs = engine.ruleset().unwrap();
    let schema = serde_json::to_value(rs.schema()).unwrap();
    let mut rng = Rng(seed | 1);
    let draw = Draw {
        unknown_one_in,
        option_one_in: 3,
        int_span: Some(40),
    };
    let mut all = Vec::new();
    for _ in 0..count {
        let p = random::patient(&schema, &mut rng, &draw);
        all.extend(Facts::from_value(rs, &p).unwrap().to_compact(rs));
    }
    let mut single = engine.bulk(checklist);
    let mut batch = engine.bulk(checklist);
    for bulk in [&mut single, &mut batch] {
        assert!(bulk.set_as_of(as_of).starts_with("{\"ok\""));
    }
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
        seed in any::<u64>(),
        count in 1usize..150,
        unknown_one_in in prop_oneof![Just(0u64), 2u64..9],
        as_of in prop_oneof![Just(None), Just(Some("2026-03-01")), Just(Some("2027-12-31"))],
    ) {
        let national = JsonEngine::load(NATIONAL, &[]);
        for cl in ["ward_discharge", "home_circumstances", "front_door", "*"] {
            if national.ruleset().unwrap().checklist(Some(cl)).is_ok() {
                check(&national, cl, seed, count, unknown_one_in, as_of);
            }
        }
        let norfolk = JsonEngine::load(NATIONAL, &[NORFOLK.to_string()]);
        check(&norfolk, "*", seed, count, unknown_one_in, as_of);
        let example = JsonEngine::load(EXAMPLE, &[]);
        check(&example, "*", seed, count, unknown_one_in, as_of);
        let dates = JsonEngine::load(DATES, &[]);
        check(&dates, "*", seed, count, unknown_one_in, as_of);
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

/// At each end of every fact's range (and one past it), the batch accepts exactly the values
/// the one-patient path accepts, and gives its codes; a value it refuses stops the batch at
/// that patient, located at that fact.
#[test]
fn the_batch_accepts_exactly_what_one_patient_accepts_at_every_boundary() {
    for (ruleset, overlays) in [
        (NATIONAL, vec![NORFOLK.to_string()]),
        (EXAMPLE, vec![]),
        (DATES, vec![]),
    ] {
        let engine = JsonEngine::load(ruleset, &overlays);
        let mut merged: Value = serde_json::from_str(ruleset).unwrap();
        for o in &overlays {
            let o: Value = serde_json::from_str(o).unwrap();
            if let Some(extra) = o["facts"].as_array() {
                merged["facts"]
                    .as_array_mut()
                    .unwrap()
                    .extend(extra.iter().cloned());
            }
        }
        let mut bulk = engine.bulk("*");
        let (ni, no) = (bulk.input_len(), bulk.output_len());
        let layout: Value = serde_json::from_str(&engine.layout("*")).unwrap();
        let facts = layout["ok"]["facts"].as_array().unwrap();
        assert_eq!(facts.len(), ni);
        let mut probed = 0;
        for (i, f) in facts.iter().enumerate() {
            let def = merged["facts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["id"] == f["id"])
                .unwrap();
            let n = i64::try_from(def["options"].as_array().map_or(0, Vec::len)).unwrap();
            let int = |k: &str, or: i64| def[k].as_i64().unwrap_or(or);
            let ends: Vec<i64> = match def["type"].as_str().unwrap() {
                "bool" => vec![0, 1],
                "enum" => vec![0, n - 1],
                "set" => vec![0, (1 << n) - 1],
                "int" => vec![
                    int("min", i64::from(i32::MIN) + 1),
                    int("max", i64::from(i32::MAX)),
                ],
                // Day numbers: far outside any date, and dates either side of 1970.
                _ => vec![-(1 << 30), (1 << 30)],
            };
            for v in ends.iter().flat_map(|&e| [e - 1, e, e + 1]) {
                let Ok(v) = i32::try_from(v) else { continue };
                if v == UNKNOWN {
                    continue;
                }
                let mut values = vec![UNKNOWN; ni * 2];
                values[ni + i] = v;
                let mut one = vec![u32::MAX; no];
                let accepted = bulk.assess(&values[ni..], &mut one) > 0;
                let mut many = vec![u32::MAX; no * 2];
                let done = bulk.assess_many(&values, &mut many);
                let id = f["id"].as_str().unwrap();
                if accepted {
                    assert_eq!(
                        done,
                        2,
                        "{id} = {v}: one patient accepts it, the batch does not: {}",
                        bulk.error()
                    );
                    assert_eq!(&many[no..], &one[..], "{id} = {v}: codes differ");
                } else {
                    assert_eq!(
                        done, 1,
                        "{id} = {v}: one patient refuses it, the batch does not"
                    );
                    assert!(
                        bulk.error().contains(&format!("\"$[1][{i}]\"")),
                        "{id} = {v}: {}",
                        bulk.error()
                    );
                }
                probed += 1;
            }
        }
        assert!(
            probed >= 6 * ni / 2,
            "{probed} values probed for {ni} facts"
        );
    }
}

/// The compact per-tap update says what the full report says: verdict, blocker counts,
/// statuses, open questions in order and hidden questions, after every answer of a long walk
/// through random answers (and a bad answer changes nothing); the update as codes
/// (`update_codes`) says the same as the JSON update.
#[test]
fn session_update_matches_the_report() {
    let engine = JsonEngine::load(NATIONAL, &[NORFOLK.to_string()]);
    let schema: Value = serde_json::from_str(&engine.schema()).unwrap();
    let facts = schema["ok"]["facts"].as_array().unwrap();
    for cl in ["ward_discharge", "home_circumstances", "front_door"] {
        let mut quick = engine.session(cl);
        let mut full = engine.session(cl);
        let mut coded = engine.session(cl);
        let layout: Value = serde_json::from_str(&engine.layout(cl)).unwrap();
        let (reqs, ids) = (&layout["ok"]["requirements"], &layout["ok"]["facts"]);
        let mut rng = Rng(0x9e37_79b9);
        let draw = Draw {
            unknown_one_in: 0,
            option_one_in: 3,
            int_span: Some(30),
        };
        for step in 0..400 {
            let (id, value) = random_answer(facts, &mut rng, &draw);
            let id = id.as_str();
            let u: Value = serde_json::from_str(&quick.update(id, &value)).unwrap();
            let r: Value = serde_json::from_str(&full.set(id, &value)).unwrap();
            let n = coded.update_codes(id, &value);
            assert_eq!(n, coded.codes().len(), "{cl} step {step}");
            assert_eq!(
                decode_update(coded.codes(), reqs, ids),
                u["ok"],
                "{cl} step {step}"
            );
            same_as_report(&u["ok"], &r["ok"], &format!("{cl} step {step}"));
        }
        let bad: Value = serde_json::from_str(&quick.update("no.such_fact", "true")).unwrap();
        assert_eq!(bad["error"]["code"], "UNKNOWN_FACT");
        assert_eq!(coded.update_codes("no.such_fact", "true"), 0);
        let bad: Value = serde_json::from_str(coded.error()).unwrap();
        assert_eq!(bad["error"]["code"], "UNKNOWN_FACT");
        assert_eq!(coded.export(), full.export());
        assert_eq!(quick.export(), full.export());
    }
}

/// The JSON update named from `update_codes`' codes (as the WASM package's JavaScript does).
fn decode_update(c: &[u32], reqs: &Value, facts: &Value) -> Value {
    let words = |w: &[&str], i: u32| Value::from(w[i as usize]);
    let status = ["met", "not_met", "unknown", "not_applicable"];
    let n = c[3] as usize;
    let statuses: serde_json::Map<String, Value> = (0..n)
        .map(|k| {
            (
                reqs[k].as_str().unwrap().to_string(),
                words(&status, c[4 + k]),
            )
        })
        .collect();
    let mut at = 4 + n;
    let mut list = || {
        let m = c[at] as usize;
        let out: Vec<Value> = c[at + 1..at + 1 + m]
            .iter()
            .map(|&f| facts[f as usize]["id"].clone())
            .collect();
        at += 1 + m;
        Value::from(out)
    };
    let open = list();
    let hidden = list();
    serde_json::json!({
        "verdict": words(&["ready", "not_ready", "undetermined"], c[0]),
        "outstanding": c[1], "unknown": c[2], "statuses": statuses,
        "open_questions": open, "hidden_facts": hidden,
    })
}

/// The session's update re-evaluates only what reads the answers that changed
/// (`evaluate/incremental.rs`): along random walks that also change the as-of date, the
/// checklist and every answer at once (import), each update (`update_codes`) says what the
/// full report of a session given the same steps says.
fn walk_matches_the_report(engine: &JsonEngine, checklists: &[&str], seed: u64, steps: usize) {
    let schema: Value = serde_json::from_str(&engine.schema()).unwrap();
    let schema = &schema["ok"];
    let facts = schema["facts"].as_array().unwrap();
    let mut rng = Rng(seed | 1);
    let draw = Draw {
        unknown_one_in: 4,
        option_one_in: 3,
        int_span: Some(30),
    };
    let mut cl = checklists[0];
    let mut as_of = None;
    let mut coded = engine.session(cl);
    let mut full = engine.session(cl);
    for step in 0..steps {
        match rng.below(12) {
            0 => {
                let dates = [
                    None,
                    Some("2026-02-28"),
                    Some("2026-03-01"),
                    Some("2027-12-31"),
                ];
                as_of = dates[rng.below(dates.len())];
                assert!(coded.set_as_of(as_of).starts_with("{\"ok\""));
                assert!(full.set_as_of(as_of).starts_with("{\"ok\""));
            }
            1 => {
                cl = checklists[rng.below(checklists.len())];
                assert!(coded.set_checklist(cl).starts_with("{\"ok\""));
                assert!(full.set_checklist(cl).starts_with("{\"ok\""));
            }
            2 => {
                let p = random::patient(schema, &mut rng, &draw).to_string();
                assert!(coded.import(&p).starts_with("{\"ok\""));
                assert!(full.import(&p).starts_with("{\"ok\""));
            }
            _ => {}
        }
        let (id, value) = random_answer(facts, &mut rng, &draw);
        let id = id.as_str();
        let r: Value = serde_json::from_str(&full.set(id, &value)).unwrap();
        let at = format!("{cl} step {step}");
        // The same session answers with the compact update or with the report as codes (both
        // re-evaluate only what reads the answers that changed since either last ran).
        if rng.one_in(2) {
            let n = coded.update_codes(id, &value);
            assert_eq!(n, coded.codes().len(), "{at}: {}", coded.error());
            let layout: Value = serde_json::from_str(&engine.layout(cl)).unwrap();
            let (reqs, ids) = (&layout["ok"]["requirements"], &layout["ok"]["facts"]);
            let u = decode_update(coded.codes(), reqs, ids);
            same_as_report(&u, &r["ok"], &at);
        } else {
            let n = coded.set_report_codes(id, &value);
            assert_eq!(n, coded.codes().len(), "{at}: {}", coded.error());
            // The report codes of a new session given the same answers, date and checklist.
            let answers: Value = serde_json::from_str(&coded.export()).unwrap();
            let mut fresh = engine.session(cl);
            assert!(fresh
                .import(&answers["ok"].to_string())
                .starts_with("{\"ok\""));
            assert!(fresh.set_as_of(as_of).starts_with("{\"ok\""));
            assert_eq!(fresh.set_report_codes(id, &value), n, "{at}");
            assert_eq!(coded.codes(), fresh.codes(), "{at}");
        }
    }
}

/// A random fact of the schema's and a random answer to it as JSON (`null` one time in five).
fn random_answer(facts: &[Value], rng: &mut Rng, draw: &Draw) -> (String, String) {
    let f = &facts[rng.below(facts.len())];
    let value = if rng.one_in(5) {
        "null".to_string()
    } else {
        random::answer(f, rng, draw).to_string()
    };
    (f["id"].as_str().unwrap().to_string(), value)
}

/// What a compact update says agrees with the full report.
fn same_as_report(u: &Value, r: &Value, at: &str) {
    assert_eq!(u["verdict"], r["verdict"], "{at}");
    assert_eq!(u["outstanding"], r["summary"]["outstanding"], "{at}");
    assert_eq!(u["unknown"], r["summary"]["unknown"], "{at}");
    for q in r["requirements"].as_array().unwrap() {
        assert_eq!(
            u["statuses"][q["id"].as_str().unwrap()],
            q["status"],
            "{at}"
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
        "{at}"
    );
    assert_eq!(u["hidden_facts"], r["hidden_facts"], "{at}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn the_resident_update_is_the_full_report(seed in any::<u64>()) {
        let norfolk = JsonEngine::load(NATIONAL, &[NORFOLK.to_string()]);
        walk_matches_the_report(
            &norfolk,
            &["ward_discharge", "home_circumstances", "front_door", "*"],
            seed,
            150,
        );
        let dates = JsonEngine::load(DATES, &[]);
        walk_matches_the_report(&dates, &["ward", "*"], seed, 150);
        let example = JsonEngine::load(EXAMPLE, &[]);
        walk_matches_the_report(&example, &["ward", "*"], seed, 150);
        // Two checklists of the same length (the second in reverse order): a held
        // assessment of one must not be taken for the other.
        let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
        let mut reversed = doc["checklists"][0].clone();
        reversed["id"] = "ward_reversed".into();
        reversed["requirements"].as_array_mut().unwrap().reverse();
        doc["checklists"].as_array_mut().unwrap().push(reversed);
        let twins = JsonEngine::load(&doc.to_string(), &[]);
        walk_matches_the_report(&twins, &["ward", "ward_reversed"], seed, 150);
    }
}

/// Resident buffers larger than `JsonBulk::MAX_RESIDENT_BYTES` are refused with a located
/// error (the WASM build would trap growing its memory past what the browser grants), the
/// buffers keep their size and the bulk keeps working.
#[test]
fn reserving_too_many_patients_is_refused_not_a_trap() {
    use homeward::json::JsonBulk;
    let engine = JsonEngine::load(EXAMPLE, &[]);
    let mut bulk = engine.bulk("");
    let (ni, no) = (bulk.input_len(), bulk.output_len());
    assert!(ni > 0 && no > 0);
    assert_eq!(bulk.reserve(3), 3 * ni);
    let most = JsonBulk::MAX_RESIDENT_BYTES / 4 / (ni + no);
    assert_eq!(bulk.reserve(most), most * ni, "{}", bulk.error());
    assert!(bulk.error().is_empty());
    for asked in [most + 1, usize::MAX / ni, usize::MAX] {
        assert_eq!(bulk.reserve(asked), 0, "{asked}");
        let e: Value = serde_json::from_str(bulk.error()).unwrap();
        assert_eq!(e["error"]["code"], "WRONG_TYPE", "{e}");
        assert_eq!(e["error"]["path"], "$", "{e}");
        assert_eq!(bulk.input().len(), most * ni);
    }
    assert_eq!(bulk.reserve(1), ni);
    assert!(bulk.error().is_empty());
    bulk.input_mut().fill(UNKNOWN);
    assert_eq!(bulk.assess_resident(1), 1, "{}", bulk.error());
}
