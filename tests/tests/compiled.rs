//! The binary form of a compiled ruleset (`Ruleset::to_compiled` / `Ruleset::from_compiled`):
//! the bundled rulesets read back give the same bytes, the same schema, status and reports on
//! every golden scenario and on random patients; any damaged byte is refused with its offset;
//! and no payload, even one whose CRC-32 was recomputed after damaging it, makes reading or
//! evaluating panic, loop or overflow the stack.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers fail the test with context"
)]

use homeward::json::JsonEngine;
use homeward::{Code, Evaluator, Facts, Ruleset, RulesetError};
use homeward_tests::random::{patient, Draw, Rng};
use homeward_tests::{json_files, repo_root, Scenario};

/// Answers with about half the facts unknown.
const SPARSE: Draw = Draw {
    unknown_one_in: 2,
    ..Draw::COMPLETE
};

/// The bundled combinations the page offers.
const BUNDLED: [&[&str]; 2] = [&[], &["norfolk"]];

fn bundled(overlays: &[&str]) -> Ruleset {
    Ruleset::national_with(overlays).unwrap_or_else(|e| panic!("{overlays:?}: {e}"))
}

fn read(bytes: &[u8]) -> Ruleset {
    Ruleset::from_compiled(bytes).unwrap_or_else(|e| panic!("compiled form must read: {e}"))
}

#[test]
fn bundled_rulesets_read_back_to_the_same_bytes_schema_and_status() {
    for overlays in BUNDLED {
        let rs = bundled(overlays);
        let bytes = rs.to_compiled();
        assert_eq!(
            bytes,
            bundled(overlays).to_compiled(),
            "{overlays:?}: not deterministic"
        );
        let back = read(&bytes);
        assert_eq!(back.to_compiled(), bytes, "{overlays:?}");
        assert_eq!(back.hash(), rs.hash());
        assert_eq!(back.document(), rs.document());
        assert_eq!(
            serde_json::to_string(&back.schema()).unwrap(),
            serde_json::to_string(&rs.schema()).unwrap()
        );
        let ids: Vec<String> = overlays.iter().map(|s| (*s).to_string()).collect();
        let engine = JsonEngine::from_ruleset(back);
        assert_eq!(
            engine.status(),
            JsonEngine::national(&ids).status(),
            "{overlays:?}"
        );
        println!("{overlays:?}: {} bytes compiled", bytes.len());
    }
}

#[test]
fn every_golden_scenario_reports_the_same_from_the_compiled_form() {
    let mut n = 0;
    for file in json_files(&repo_root().join("tests/scenarios")) {
        let s = Scenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
        let ids = s.overlays();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let rs = bundled(&refs);
        let back = read(&rs.to_compiled());
        let expected = s.evaluate(&rs).map(|r| r.to_json());
        let got = s.evaluate(&back).map(|r| r.to_json());
        assert_eq!(got.ok(), expected.ok(), "{}", file.display());
        n += 1;
    }
    assert!(n > 0, "no golden scenarios found");
}

#[test]
fn random_patients_assess_and_report_the_same_from_the_compiled_form() {
    let mut rng = Rng(0xc0de_5eed_0123_4567);
    for overlays in BUNDLED {
        let rs = bundled(overlays);
        let back = read(&rs.to_compiled());
        let schema = serde_json::to_value(rs.schema()).unwrap();
        let (mut a, mut b) = (Evaluator::new(), Evaluator::new());
        for checklist in ["ward_discharge", "home_circumstances", "front_door"] {
            let (ca, cb) = (
                rs.checklist(Some(checklist)).unwrap(),
                back.checklist(Some(checklist)).unwrap(),
            );
            for draw in [Draw::COMPLETE, SPARSE] {
                for _ in 0..100 {
                    let facts = patient(&schema, &mut rng, &draw);
                    let (fa, fb) = (
                        Facts::from_value(&rs, &facts).unwrap(),
                        Facts::from_value(&back, &facts).unwrap(),
                    );
                    assert_eq!(
                        rs.evaluate(ca, &fa).to_json(),
                        back.evaluate(cb, &fb).to_json(),
                        "{overlays:?} {checklist} {facts}"
                    );
                    let (x, y) = (a.assess(&rs, ca, &fa, true), b.assess(&back, cb, &fb, true));
                    assert_eq!(x.verdict(), y.verdict());
                    assert!(x.open_questions().eq(y.open_questions()));
                    assert!(x.hidden_facts().eq(y.hidden_facts()));
                }
            }
        }
    }
}

/// The error for `bytes`, which must be refused with `BAD_COMPILED`.
fn refused(bytes: &[u8]) -> (usize, String) {
    match Ruleset::from_compiled(bytes) {
        Err(e @ RulesetError::Compiled { at, .. }) => {
            let d = homeward::Diagnostics::diagnostics(&e);
            assert_eq!(d.len(), 1);
            assert_eq!(d[0].code, Code::BadCompiled);
            assert_eq!(d[0].path, "$");
            (at, d[0].message.clone())
        }
        Err(e) => panic!("refused with the wrong error: {e}"),
        Ok(_) => panic!("damaged bytes were read as a ruleset"),
    }
}

#[test]
fn damage_anywhere_is_refused_with_its_offset() {
    let bytes = bundled(&[]).to_compiled();
    let (at, message) = refused(b"{\"id\":\"england-national\"}");
    assert_eq!(at, 0);
    assert!(message.contains("not a compiled ruleset"), "{message}");
    // Every cut, and a flipped bit at every 97th byte (the whole header included).
    for cut in (0..bytes.len()).step_by(89) {
        refused(&bytes[..cut]);
    }
    let mut longer = bytes.clone();
    longer.push(0);
    refused(&longer);
    for i in (0..bytes.len()).step_by(97).chain(0..48) {
        let mut damaged = bytes.clone();
        damaged[i] ^= 0x10;
        refused(&damaged);
    }
    // Another engine version's form names the remedy.
    let mut other = bytes.clone();
    let v = env!("CARGO_PKG_VERSION").as_bytes();
    let at = other.windows(v.len()).position(|w| w == v).unwrap();
    other[at] = b'9';
    let (_, message) = refused(&other);
    assert!(message.contains("compile the ruleset again"), "{message}");
    // So does a form of another format (format 1 shipped the jump code and a SHA-256), at
    // the format's byte.
    for format in [1u8, 3, 0x7f] {
        let mut old = bytes.clone();
        assert_eq!(old[4], 2, "the format follows the magic");
        old[4] = format;
        let (at, message) = refused(&old);
        assert_eq!(at, 4);
        assert!(
            message.contains("format") && message.contains("compile the ruleset again"),
            "{message}"
        );
    }
}

/// The CRC-32 (IEEE) of `data`, table-driven: written apart from the engine's bit-by-bit one,
/// so the two check each other (and `core/src/hash.rs` checks the standard vectors).
fn crc32(data: &[u8]) -> u32 {
    let table: Vec<u32> = (0..256u32)
        .map(|n| {
            (0..8).fold(n, |c, _| {
                if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                }
            })
        })
        .collect();
    !data.iter().fold(u32::MAX, |c, &b| {
        table[usize::from(u8::try_from((c ^ u32::from(b)) & 0xff).unwrap())] ^ (c >> 8)
    })
}

/// The payload of `bytes` replaced by `payload`, with the CRC-32 and length recomputed: the
/// form an attacker (or a bug) could hand the reader, which no unkeyed digest catches.
fn with_payload(bytes: &[u8], payload: &[u8]) -> Vec<u8> {
    let v = env!("CARGO_PKG_VERSION").as_bytes();
    // Header: magic, format (one byte), version (a new string: 0, length byte, text), payload
    // length, CRC-32 (4 bytes, little-endian).
    let head = 4 + 1 + 2 + v.len();
    let mut at = head;
    while bytes[at] & 0x80 != 0 {
        at += 1;
    }
    at += 1;
    let mut out = bytes[..head].to_vec();
    let mut n = payload.len();
    while n >= 0x80 {
        out.push(u8::try_from(n & 0x7f).unwrap() | 0x80);
        n >>= 7;
    }
    out.push(u8::try_from(n).unwrap());
    out.extend_from_slice(&crc32(payload).to_le_bytes());
    out.extend_from_slice(payload);
    assert_eq!(
        &bytes[at + 4..],
        payload_of(bytes),
        "header layout as documented"
    );
    out
}

fn payload_of(bytes: &[u8]) -> &[u8] {
    let v = env!("CARGO_PKG_VERSION").as_bytes();
    let mut at = 4 + 1 + 2 + v.len();
    while bytes[at] & 0x80 != 0 {
        at += 1;
    }
    &bytes[at + 1 + 4..]
}

#[test]
fn crafted_payloads_never_panic_loop_or_overflow() {
    let rs = bundled(&["norfolk"]);
    let bytes = rs.to_compiled();
    let payload = payload_of(&bytes).to_vec();
    assert_eq!(read(&with_payload(&bytes, &payload)).to_compiled(), bytes);
    let schema = serde_json::to_value(rs.schema()).unwrap();
    let mut rng = Rng(0xbad_c0de);
    let (mut read_back, mut refused_n) = (0, 0);
    for round in 0..3000 {
        let mut p = payload.clone();
        // One to four changed bytes anywhere, or a cut.
        if round % 10 == 9 {
            p.truncate(rng.below(p.len()));
        } else {
            for _ in 0..=rng.below(4) {
                let i = rng.below(p.len());
                p[i] = u8::try_from(rng.below(256)).unwrap();
            }
        }
        match Ruleset::from_compiled(&with_payload(&bytes, &p)) {
            Err(RulesetError::Compiled { .. }) => refused_n += 1,
            Err(e) => panic!("wrong error: {e}"),
            Ok(crafted) => {
                read_back += 1;
                // Whatever it holds, evaluating it ends without a panic.
                let facts = patient(&schema, &mut rng, &SPARSE);
                let engine = JsonEngine::from_ruleset(crafted);
                let _ = engine.evaluate(&facts.to_string(), "ward_discharge", Some("2026-12-04"));
                let _ = engine.status();
                let _ = engine.schema();
                let mut session = engine.session("ward_discharge");
                let _ = session.update_codes("home.key_safe_needed", "true");
                let mut bulk = engine.bulk("ward_discharge");
                let input = vec![0i32; bulk.input_len()];
                let mut out = vec![0u32; bulk.output_len().max(1)];
                let _ = bulk.assess(&input, &mut out);
            }
        }
    }
    println!("crafted payloads: {read_back} read (and evaluated), {refused_n} refused");
    assert!(refused_n > 0);
}
