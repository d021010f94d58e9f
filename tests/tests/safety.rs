//! Clinical safety invariants, checked as properties on every bundled checklist, with and
//! without each bundled overlay, over at least 100,000 generated patients each.
//!
//! The invariants are a tiny **independent model** over the facts, written from the sources
//! (criteria to reside and NEWS2, the red flags and the attending clinician's decision, the
//! Mental Capacity Act, the Care Act s42 duty, domestic abuse, care-home acceptance, and
//! somewhere safe to go tonight). The model never reads the ruleset's conditions: it looks only
//! at the answers. Whenever the model finds a safety-critical matter present or not yet known,
//! the engine must not say READY.
//!
//! Patients come from the fast compact batch path (`JsonBulk::assess_many`), so the test stays
//! quick in a debug build. The generator starts from the golden scenarios (many of them READY)
//! and changes a few answers at random — to other values or to unknown — so that READY patients
//! occur often and sit right next to the unsafe ones; a share of patients is wholly random.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    reason = "test"
)]

use homeward::compact::{Layout, UNKNOWN};
use homeward::json::JsonEngine;
use homeward::{Facts, Ruleset};
use homeward_tests::{json_files, repo_root, Scenario};
use std::collections::BTreeMap;

/// Patients per checklist and overlay set.
const PATIENTS: usize = 100_000;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// One fact of the compact layout with its valid range.
struct Col {
    id: String,
    kind: &'static str,
    options: Vec<String>,
    min: i64,
    max: i64,
}

fn columns(rs: &Ruleset, layout: &Layout) -> Vec<Col> {
    let schema = rs.schema();
    layout
        .facts
        .iter()
        .map(|f| {
            let s = schema.facts.iter().find(|s| s.id == f.id).unwrap();
            Col {
                id: f.id.clone(),
                kind: f.ty.as_str(),
                options: f.options.clone(),
                min: s.min.unwrap_or(0),
                max: s.max.unwrap_or(0),
            }
        })
        .collect()
}

fn random_value(c: &Col, rng: &mut Rng) -> i32 {
    match c.kind {
        "bool" => rng.below(2) as i32,
        "enum" => rng.below(c.options.len() as u64) as i32,
        "int" => (c.min + rng.below((c.max - c.min + 1) as u64) as i64) as i32,
        // A day within a year either side of 2026-12-02 (day numbers since 1970-01-01).
        "date" => 20_789 - 365 + rng.below(731) as i32,
        _ => {
            // Mostly empty or single-option sets, sometimes more.
            let mut mask = 0i32;
            let n = c.options.len() as u64;
            match rng.below(4) {
                0 => {}
                1 | 2 => mask |= 1 << rng.below(n),
                _ => {
                    for _ in 0..=rng.below(3) {
                        mask |= 1 << rng.below(n);
                    }
                }
            }
            mask
        }
    }
}

/// One patient's answers, read by fact id and option id: the model's only window on a patient.
struct Patient<'a> {
    cols: &'a [Col],
    index: &'a BTreeMap<String, usize>,
    values: &'a [i32],
}

impl Patient<'_> {
    fn raw(&self, id: &str) -> Option<(usize, i32)> {
        let i = *self.index.get(id).unwrap_or_else(|| {
            panic!("the model reads `{id}`, which the ruleset does not declare")
        });
        let v = self.values[i];
        (v != UNKNOWN).then_some((i, v))
    }
    fn known(&self, id: &str) -> bool {
        self.raw(id).is_some()
    }
    fn yes(&self, id: &str) -> bool {
        self.raw(id).is_some_and(|(_, v)| v == 1)
    }
    fn no(&self, id: &str) -> bool {
        self.raw(id).is_some_and(|(_, v)| v == 0)
    }
    fn option(&self, i: usize, option: &str) -> u32 {
        self.cols[i]
            .options
            .iter()
            .position(|o| o == option)
            .unwrap_or_else(|| panic!("`{}` has no option `{option}`", self.cols[i].id))
            as u32
    }
    /// The enum is known and is one of `options`.
    fn is(&self, id: &str, options: &[&str]) -> bool {
        self.raw(id)
            .is_some_and(|(i, v)| options.iter().any(|o| self.option(i, o) as i32 == v))
    }
    /// The set is known and holds `option`.
    fn has(&self, id: &str, option: &str) -> bool {
        self.raw(id)
            .is_some_and(|(i, v)| v & (1 << self.option(i, option)) != 0)
    }
    /// The set is known and empty, or holds nothing but `except`.
    fn empty_but(&self, id: &str, except: &[&str]) -> bool {
        self.raw(id).is_some_and(|(i, v)| {
            let allowed = except
                .iter()
                .fold(0i32, |m, o| m | (1 << self.option(i, o)));
            v & !allowed == 0
        })
    }
    fn int(&self, id: &str) -> Option<i32> {
        self.raw(id).map(|(_, v)| v)
    }
}

/// A safety invariant: `unsafe_if` says whether READY would be unsafe for this patient (the
/// matter is present, or not yet known); `engaged` whether the matter arises at all (so the
/// report can say on how many READY patients the safe branch was exercised).
struct Invariant {
    name: &'static str,
    unsafe_if: fn(&Patient, &str) -> bool,
    engaged: fn(&Patient, &str) -> bool,
}

fn invariants() -> Vec<Invariant> {
    vec![
        Invariant {
            name: "red flag or uncleared clinical need",
            unsafe_if: |p, mode| {
                if mode == "ward_discharge" {
                    // Criteria to reside (Data Dictionary 01-12, 04 = NEWS2 > 3): clinically
                    // fit only with no criterion and a NEWS2 of 3 or less, or a senior
                    // clinician's recorded exception.
                    let exception = p.has("clinical.criteria_to_reside", "exception_recorded");
                    let none = p.empty_but("clinical.criteria_to_reside", &[]);
                    let news2_ok = p.int("clinical.news2").is_some_and(|n| n <= 3);
                    !(exception || (none && news2_ok))
                } else {
                    // At home and in A&E: no red flag, and either a purely social reason or
                    // the attending clinician's recorded decision that hospital is not needed.
                    let flags = !p.empty_but("clinical.red_flags", &[]);
                    let cleared = p.is("front_door.reason", &["social"])
                        || (p.known("front_door.reason")
                            && p.yes("front_door.clinician_decided_no_hospital"));
                    flags || !cleared
                }
            },
            engaged: |p, mode| {
                if mode == "ward_discharge" {
                    p.has("clinical.criteria_to_reside", "exception_recorded")
                        || p.int("clinical.news2").is_some_and(|n| n > 3)
                } else {
                    p.is("front_door.reason", &["clinical", "mixed"])
                }
            },
        },
        Invariant {
            name: "capacity doubt without an assessment and a best-interests decision",
            unsafe_if: |p, _| {
                // MCA 2005: capacity is assumed unless there is reason to doubt it; a person
                // who lacks capacity is only acted for in their best interests.
                let resolved = p.no("capacity.doubt")
                    || p.is("capacity.assessment_outcome", &["has_capacity"])
                    || (p.is("capacity.assessment_outcome", &["lacks_capacity"])
                        && p.yes("capacity.best_interests_recorded"));
                !resolved
            },
            engaged: |p, _| p.yes("capacity.doubt"),
        },
        Invariant {
            name: "safeguarding concern at the destination without a plan",
            unsafe_if: |p, _| {
                // Care Act s42: an open or new concern about the place the person is going
                // needs a protection plan; domestic abuse where the abuser can reach them needs
                // a safety plan; a new concern meeting the three-part test must be raised.
                let concern = !(p.no("safeguarding.concern_open")
                    && p.no("safeguarding.new_concern_identified"));
                let destination = concern
                    && !p.no("safeguarding.about_destination")
                    && !p.yes("safeguarding.protection_plan_in_place");
                let abuse = !p.no("safeguarding.domestic_abuse")
                    && !p.no("safeguarding.domestic_abuse_at_destination")
                    && !p.yes("safeguarding.domestic_abuse_plan");
                let unraised = !p.no("safeguarding.new_concern_identified")
                    && !p.no("safeguarding.s42_care_needs")
                    && !p.no("safeguarding.s42_unable_to_protect")
                    && !p.yes("safeguarding.concern_raised");
                destination || abuse || unraised
            },
            engaged: |p, _| {
                p.yes("safeguarding.concern_open")
                    || p.yes("safeguarding.new_concern_identified")
                    || p.yes("safeguarding.domestic_abuse")
            },
        },
        Invariant {
            name: "care home has not agreed to have the person back",
            unsafe_if: |p, mode| {
                if mode == "ward_discharge" {
                    !p.no("pathway.returning_to_existing_care_home")
                        && !p.yes("care.care_home_accepts_return")
                } else {
                    p.is("housing.status", &["care_home"])
                        && !p.yes("care.care_home_takes_back_tonight")
                }
            },
            engaged: |p, mode| {
                if mode == "ward_discharge" {
                    p.yes("pathway.returning_to_existing_care_home")
                } else {
                    p.is("housing.status", &["care_home"])
                }
            },
        },
        Invariant {
            name: "nowhere safe to go tonight",
            unsafe_if: |p, _| {
                let secure = p.is("housing.status", &["settled", "care_home"]);
                !secure && !p.yes("housing.somewhere_tonight")
            },
            engaged: |p, _| {
                p.is(
                    "housing.status",
                    &[
                        "temporary",
                        "no_fixed_abode",
                        "sofa_surfing",
                        "threatened_56_days",
                    ],
                )
            },
        },
    ]
}

/// Golden scenarios usable as seeds for `checklist` in a ruleset with `overlays`.
fn seeds(rs: &Ruleset, checklist: &str, overlays: &[&str]) -> Vec<Vec<i32>> {
    json_files(&repo_root().join("tests/scenarios"))
        .iter()
        .map(|f| Scenario::load(f).unwrap())
        .filter(|s| s.checklist() == Some(checklist))
        .filter(|s| s.overlays().iter().all(|o| overlays.contains(&o.as_str())))
        .map(|s| {
            Facts::from_value(rs, &s.doc["facts"])
                .unwrap_or_else(|e| panic!("{}: {e}", s.file.display()))
                .to_compact(rs)
        })
        .collect()
}

struct Tally {
    patients: usize,
    ready: usize,
    engaged_ready: Vec<usize>,
}

fn run(checklist: &str, overlays: &[&str], seed: u64) -> Tally {
    let ids: Vec<String> = overlays.iter().map(|s| (*s).to_string()).collect();
    let engine = JsonEngine::national(&ids);
    let rs = engine.ruleset().unwrap();
    let layout = rs.compact_layout(rs.checklist(Some(checklist)).unwrap());
    let cols = columns(rs, &layout);
    let index: BTreeMap<String, usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    let seeds = seeds(rs, checklist, overlays);
    assert!(
        !seeds.is_empty(),
        "{checklist}: no golden scenario to seed from"
    );
    let invariants = invariants();
    let mut rng = Rng(seed);
    let mut bulk = engine.bulk(checklist);
    let (ni, no) = (bulk.input_len(), bulk.output_len());
    let mut tally = Tally {
        patients: 0,
        ready: 0,
        engaged_ready: vec![0; invariants.len()],
    };
    let chunk = 4096;
    let mut values = vec![0i32; chunk * ni];
    let mut out = vec![0u32; chunk * no];
    while tally.patients < PATIENTS {
        let n = chunk.min(PATIENTS - tally.patients);
        for row in values.chunks_mut(ni).take(n) {
            if rng.chance(10) {
                for (v, c) in row.iter_mut().zip(&cols) {
                    *v = if rng.chance(25) {
                        UNKNOWN
                    } else {
                        random_value(c, &mut rng)
                    };
                }
            } else {
                row.copy_from_slice(&seeds[rng.below(seeds.len() as u64) as usize]);
                let changes = [0, 1, 1, 1, 2, 2, 3, 4][rng.below(8) as usize];
                for _ in 0..changes {
                    let i = rng.below(ni as u64) as usize;
                    row[i] = if rng.chance(30) {
                        UNKNOWN
                    } else {
                        random_value(&cols[i], &mut rng)
                    };
                }
            }
        }
        let done = bulk.assess_many(&values[..n * ni], &mut out[..n * no]);
        assert_eq!(done, n, "{checklist}: {}", bulk.error());
        for (row, codes) in values.chunks(ni).zip(out.chunks(no)).take(n) {
            if codes[0] != 0 {
                continue; // not READY: nothing to check
            }
            tally.ready += 1;
            let p = Patient {
                cols: &cols,
                index: &index,
                values: row,
            };
            for (k, inv) in invariants.iter().enumerate() {
                if (inv.unsafe_if)(&p, checklist) {
                    let answers: BTreeMap<&str, i32> = cols
                        .iter()
                        .zip(row)
                        .filter(|(_, v)| **v != UNKNOWN)
                        .map(|(c, v)| (c.id.as_str(), *v))
                        .collect();
                    panic!(
                        "{checklist} {overlays:?}: READY although {}; compact answers {answers:?}",
                        inv.name
                    );
                }
                if (inv.engaged)(&p, checklist) {
                    tally.engaged_ready[k] += 1;
                }
            }
        }
        tally.patients += n;
    }
    tally
}

#[test]
fn ready_never_holds_while_a_safety_matter_is_present_or_unknown() {
    let names: Vec<&str> = invariants().iter().map(|i| i.name).collect();
    let overlay_sets: Vec<Vec<&str>> = std::iter::once(vec![])
        .chain(
            homeward::bundled::OVERLAYS
                .iter()
                .map(|(id, _, _)| vec![*id]),
        )
        .collect();
    let mut seed = 0x5afe_7e57_0000_0001u64;
    for overlays in &overlay_sets {
        let rs = Ruleset::national_with(overlays).unwrap();
        for checklist in rs.checklist_ids() {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let t = run(checklist, overlays, seed);
            println!(
                "{checklist} {overlays:?}: {} patients, {} READY; READY patients on which each invariant's matter arose:",
                t.patients, t.ready
            );
            for (name, n) in names.iter().zip(&t.engaged_ready) {
                println!("    {n:>6}  {name}");
            }
            assert!(t.patients >= PATIENTS);
            assert!(
                t.ready * 20 >= t.patients,
                "{checklist}: only {} READY patients of {}: the generator no longer reaches READY",
                t.ready,
                t.patients
            );
            for (name, n) in names.iter().zip(&t.engaged_ready) {
                assert!(
                    *n > 0,
                    "{checklist}: no READY patient exercised `{name}` safely"
                );
            }
        }
    }
}

/// Hazard H7 as an invariant: on every bundled checklist, with and without each bundled
/// overlay, a verdict that is not yet known always comes with at least one question to ask
/// (never a dead end), over generated patients near the golden scenarios and wholly random
/// ones. The load-time check behind it: `asked_when` cycles are refused
/// (`tests/malformed/rulesets/asked_when_cycle_*.json`).
#[test]
fn an_undetermined_verdict_always_has_an_open_question() {
    let overlay_sets: Vec<Vec<&str>> = std::iter::once(vec![])
        .chain(
            homeward::bundled::OVERLAYS
                .iter()
                .map(|(id, _, _)| vec![*id]),
        )
        .collect();
    let mut rng = Rng(0x0de4_d0e5_0000_0007);
    let mut eval = homeward::Evaluator::new();
    for overlays in &overlay_sets {
        let rs = Ruleset::national_with(overlays).unwrap();
        let all = rs.compact_layout(rs.checklist(None).unwrap());
        let cols = columns(&rs, &all);
        for checklist in rs.checklist_ids() {
            let seeds = seeds(&rs, checklist, overlays);
            let list = rs.checklist(Some(checklist)).unwrap();
            let mut undetermined = 0;
            for _ in 0..20_000 {
                let mut row: Vec<i32> = if seeds.is_empty() || rng.chance(20) {
                    cols.iter()
                        .map(|c| {
                            if rng.chance(40) {
                                UNKNOWN
                            } else {
                                random_value(c, &mut rng)
                            }
                        })
                        .collect()
                } else {
                    seeds[rng.below(seeds.len() as u64) as usize].clone()
                };
                for _ in 0..rng.below(6) {
                    let i = rng.below(row.len() as u64) as usize;
                    row[i] = if rng.chance(50) {
                        UNKNOWN
                    } else {
                        random_value(&cols[i], &mut rng)
                    };
                }
                // Assessed on a day: every caller gives one (the checklist the device's date,
                // the CLI today's by default). Without one a comparison with today is unknown
                // and no question can settle it (hazard H31; `as_of: null` on the report).
                let as_of = homeward::Date::from_days(20_789 - 60 + rng.below(121) as i32);
                let facts = Facts::from_compact(&rs, &row).unwrap().with_as_of(as_of);
                let a = eval.assess(&rs, list, &facts, true);
                if a.verdict() == homeward::Verdict::Undetermined {
                    undetermined += 1;
                    assert!(
                        a.open_questions().next().is_some(),
                        "{checklist} {overlays:?}: undetermined with nothing to ask: {}",
                        facts.to_value(&rs)
                    );
                }
            }
            assert!(
                undetermined > 1_000,
                "{checklist} {overlays:?}: only {undetermined} undetermined patients"
            );
        }
    }
}
