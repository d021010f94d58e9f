//! Another Rust system linking Homeward: load the bundled national ruleset with the Norfolk
//! overlay, evaluate one patient on the ward discharge checklist, and act on the report.
//!
//! Run with `cargo run -p homeward-engine --example link`.

use homeward::{Diagnostics, Facts, Ruleset, Verdict};

fn main() -> Result<(), String> {
    let ruleset = Ruleset::national_with(&["norfolk"]).map_err(|e| e.to_string())?;
    for w in ruleset.warnings() {
        eprintln!("{w}");
    }
    let checklist = ruleset
        .checklist(Some("ward_discharge"))
        .map_err(|e| e.to_string())?;
    // A patient record from the EPR, mapped to Homeward fact ids; anything not yet recorded is
    // simply left out (unknown), never defaulted to false.
    let facts = match Facts::from_json(&ruleset, r#"{ "clinical.criteria_to_reside": [] }"#) {
        Ok(f) => f,
        Err(e) => {
            for d in e.diagnostics() {
                eprintln!("{d}");
            }
            return Err("invalid patient facts".into());
        }
    };
    let report = ruleset.evaluate(checklist, &facts);
    println!(
        "{} {} ({})",
        report.ruleset.id, report.ruleset.version, report.ruleset.hash
    );
    match report.verdict {
        Verdict::Ready => println!("ready to go home"),
        Verdict::NotReady => {
            for b in report
                .blockers
                .iter()
                .filter(|b| report.causes.contains(&b.id))
            {
                println!("not ready: {} — {} ({:?})", b.title, b.action, b.owner);
            }
        }
        Verdict::Undetermined => {
            println!("not yet known; ask next:");
            for q in report.open_questions.iter().take(5) {
                println!("  - {}", q.question);
            }
        }
        other => println!("verdict {}", other.as_str()),
    }
    Ok(())
}
