//! Every requirement, table and table row of the bundled rulesets cites a source that resolves
//! to one of the domain documents or a public guidance URL listed in the rules reference
//! (`tests/fixtures/allowed-sources.txt`).

#![allow(clippy::panic, reason = "test")]

use homeward::Ruleset;
use homeward_tests::repo_root;

fn allowed() -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/allowed-sources.txt"))
        .unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

#[test]
fn every_rule_cites_a_known_source() {
    let allowed = allowed();
    assert!(allowed.len() > 20, "allowed source list is missing");
    let mut checked = 0;
    let mut bad = Vec::new();
    for overlays in [&[][..], &["norfolk"][..]] {
        let rs = Ruleset::national_with(overlays).unwrap_or_else(|e| panic!("{e}"));
        let doc = rs.document();
        let mut check = |what: String, source: &str| {
            checked += 1;
            if !allowed.iter().any(|a| a == source) {
                bad.push(format!("{what}: `{source}`"));
            }
        };
        for r in &doc.requirements {
            check(format!("requirement {}", r.id), &r.citation.source);
        }
        for t in &doc.tables {
            check(format!("table {}", t.id), &t.citation.source);
            for (i, row) in t.rows.iter().enumerate() {
                check(format!("table {} row {i}", t.id), &row.citation.source);
            }
        }
    }
    assert!(
        bad.is_empty(),
        "citations that resolve to no listed source:\n{}",
        bad.join("\n")
    );
    println!("{checked} citations resolve");
}
