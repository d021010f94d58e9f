//! Every requirement, table and table row of the bundled rulesets (national, and with each
//! bundled overlay) cites a source that is
//! 1. registered in `tests/fixtures/allowed-sources.txt` (the register of every source a rule
//!    may cite: the five domain documents, the public URLs of the rules reference, and the
//!    primary sources confirmed since), and
//! 2. a seed document or a **primary** source: gov.uk (GOV.UK, legislation.gov.uk and the
//!    councils' own `*.gov.uk` pages), england.nhs.uk, the NHS Data Dictionary, NICE or SCIE —
//!    never a third-party copy, unless it is in [`THIRD_PARTY_ALLOWED`] with the reason no
//!    primary source exists.

#![allow(clippy::panic, reason = "test")]

use homeward::Ruleset;
use homeward_tests::repo_root;

/// The five domain documents in `shared/domain/sources/`.
const SEEDS: [&str; 5] = [
    "000_0f849d2f7961ea83.txt",
    "001_21fc488cac143edb.txt",
    "002_15ec0fb73f5c6d0a.txt",
    "003_d45cd426c2ffcb19.txt",
    "004_36aa5f56658904e5.txt",
];

/// Hosts of primary sources: a host equal to one of these or ending in `.` + one of these.
const PRIMARY_HOSTS: [&str; 5] = [
    // GOV.UK, legislation.gov.uk and every council's own pages (`*.gov.uk`).
    "gov.uk",
    "england.nhs.uk",
    // The NHS Data Dictionary and its archive of releases.
    "datadictionary.nhs.uk",
    "nice.org.uk",
    "scie.org.uk",
];

/// Third-party pages a rule may still cite, each with the reason no primary source exists.
/// Empty: every bundled rule cites a seed document or a primary source. Adding an entry needs
/// a reason a reviewer can check.
const THIRD_PARTY_ALLOWED: [(&str, &str); 0] = [];

fn registered() -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/allowed-sources.txt"))
        .unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// The host of an `http(s)` URL, lower-cased.
fn host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(host.to_ascii_lowercase())
}

/// Why `source` is acceptable, or `None` when it is a third-party page nobody justified.
fn kind_of(source: &str) -> Option<&'static str> {
    if SEEDS.contains(&source) {
        return Some("seed");
    }
    if let Some(h) = host(source) {
        if PRIMARY_HOSTS
            .iter()
            .any(|p| h == *p || h.ends_with(&format!(".{p}")))
        {
            return Some("primary");
        }
    }
    THIRD_PARTY_ALLOWED
        .iter()
        .find(|(u, _)| *u == source)
        .map(|_| "justified third party")
}

fn every_citation(mut check: impl FnMut(String, &str)) {
    let overlays: Vec<Vec<&str>> = std::iter::once(vec![])
        .chain(
            homeward::bundled::OVERLAYS
                .iter()
                .map(|(id, _, _)| vec![*id]),
        )
        .collect();
    for ids in overlays {
        let rs = Ruleset::national_with(&ids).unwrap_or_else(|e| panic!("{e}"));
        let doc = rs.document();
        for r in &doc.requirements {
            check(format!("{ids:?} requirement {}", r.id), &r.citation.source);
        }
        for t in &doc.tables {
            check(format!("{ids:?} table {}", t.id), &t.citation.source);
            for (i, row) in t.rows.iter().enumerate() {
                check(
                    format!("{ids:?} table {} row {i}", t.id),
                    &row.citation.source,
                );
            }
        }
    }
}

#[test]
fn every_rule_cites_a_registered_source() {
    let register = registered();
    assert!(register.len() > 20, "the source register is missing");
    let mut checked = 0;
    let mut bad = Vec::new();
    every_citation(|what, source| {
        checked += 1;
        if !register.iter().any(|a| a == source) {
            bad.push(format!("{what}: `{source}`"));
        }
    });
    assert!(
        bad.is_empty(),
        "citations not in tests/fixtures/allowed-sources.txt:\n{}",
        bad.join("\n")
    );
    println!("{checked} citations are registered");
}

#[test]
fn every_rule_cites_a_seed_or_a_primary_source() {
    let mut counts = std::collections::BTreeMap::new();
    let mut bad = Vec::new();
    every_citation(|what, source| match kind_of(source) {
        Some(k) => *counts.entry(k).or_insert(0) += 1,
        None => bad.push(format!("{what}: `{source}`")),
    });
    assert!(
        bad.is_empty(),
        "citations of third-party pages (cite the primary source, or justify it in \
         THIRD_PARTY_ALLOWED):\n{}",
        bad.join("\n")
    );
    println!("citations by kind: {counts:?}");
}

#[test]
fn the_classifier_rejects_third_party_copies() {
    // The mirror of the duty-to-refer guidance and a copy of Annex B, both once cited.
    for copy in [
        "https://fly1.wordsworth.site/government/publications/homelessness-duty-to-refer-for-nhs-staff/guidance",
        "https://carenavigators.co.uk/hospital-discharge-pathways/",
        "https://england.shelter.org.uk/legal/housing_conditions/grants_for_improvements_and_repairs/disabled_facilities_grants",
        "https://gov.uk.example.com/page",
        "https://notgov.uk/page",
        "001_21fc488cac143edb.txt.evil",
    ] {
        assert_eq!(kind_of(copy), None, "{copy} must not count as primary");
    }
    for primary in [
        "https://www.gov.uk/government/publications/hospital-discharge-and-community-support-guidance/hospital-discharge-and-community-support-guidance",
        "https://www.legislation.gov.uk/ukpga/2005/9/section/38",
        "https://www.wiltshire.gov.uk/duty-to-refer",
        "https://archive.datadictionary.nhs.uk/DD%20Release%20November%202024/attributes/criteria_to_reside_code_for_hospital_provider_spell.html",
        "https://www.nice.org.uk/guidance/ng27/chapter/Recommendations",
        "004_36aa5f56658904e5.txt",
    ] {
        assert!(kind_of(primary).is_some(), "{primary} is primary");
    }
}

#[test]
fn every_registered_source_is_a_seed_or_primary_or_marked_third_party() {
    // The register keeps the rules reference's third-party URLs for the record, marked in a
    // `# third party` block; anything above that block must be a seed or primary.
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/allowed-sources.txt"))
        .unwrap_or_default();
    let primary_part = text.split("# third party").next().unwrap_or_default();
    let bad: Vec<&str> = primary_part
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| kind_of(l).is_none())
        .collect();
    assert!(
        bad.is_empty(),
        "third-party sources above the marker: {bad:?}"
    );
}
