//! `homeward`: check rulesets and evaluate patients from the command line, for other systems
//! and people. Exit codes: 0 success, 1 the input has errors (or, for `eval --fail-unless-ready`,
//! the patient is not ready), 2 usage error, 3 an input file could not be read.

mod args;
mod text;

use args::{Args, Format};
use homeward::{Diagnostics, Facts, LoadOptions, Ruleset};
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "homeward — discharge readiness rules engine

Usage:
  homeward check RULESET [--overlay FILE]... [--format text|json] [--deny-warnings]
  homeward eval [--ruleset FILE | --national] [--overlay FILE | --bundled-overlay ID]...
                --facts FILE [--checklist ID] [--format json|text]
  homeward schema [--ruleset FILE | --national] [--overlay FILE]...
  homeward --help | --version

Commands:
  check    validate a ruleset (and overlays); prints every diagnostic with its code and JSON path
  eval     evaluate one patient's facts; prints the report (JSON by default)
  schema   print the fact schema (questions, options, sections) as JSON

Exit codes: 0 ok, 1 invalid input, 2 usage error, 3 unreadable file.";

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match Args::parse(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match args.command.as_str() {
        "help" => {
            println!("{USAGE}");
            Ok(0)
        }
        "version" => {
            println!("homeward {}", env!("CARGO_PKG_VERSION"));
            Ok(0)
        }
        "check" => check(&args),
        "eval" => eval(&args),
        "schema" => schema(&args),
        other => {
            eprintln!("error: unknown command `{other}`\n\n{USAGE}");
            Ok(2)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(3)
        }
    }
}

fn read(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(s);
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "`{path}` is not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Loads the ruleset the arguments name, printing diagnostics on failure.
fn load(args: &Args) -> Result<Result<Ruleset, u8>, String> {
    let base = match &args.ruleset {
        Some(p) => read(p)?,
        None => homeward::bundled::NATIONAL_JSON.to_string(),
    };
    let mut overlays = Vec::new();
    for p in &args.overlays {
        overlays.push(read(p)?);
    }
    for id in &args.bundled_overlays {
        match homeward::bundled::overlay_json(id) {
            Some(j) => overlays.push(j.to_string()),
            None => {
                eprintln!("error: no bundled overlay `{id}` (bundled: norfolk)");
                return Ok(Err(2));
            }
        }
    }
    let refs: Vec<&str> = overlays.iter().map(String::as_str).collect();
    let mut opts = LoadOptions::default();
    opts.deny_warnings = args.deny_warnings;
    match Ruleset::load(&base, &refs, &opts) {
        Ok(rs) => Ok(Ok(rs)),
        Err(e) => {
            print_diagnostics(args.format, &e.diagnostics(), args.ruleset.as_deref());
            Ok(Err(1))
        }
    }
}

fn print_diagnostics(format: Format, diags: &[homeward::Diagnostic], file: Option<&str>) {
    match format {
        Format::Json => println!("{}", homeward::json::error(diags)),
        Format::Text => {
            let mut err = std::io::stderr().lock();
            for d in diags {
                let _ = writeln!(
                    err,
                    "{}{d}",
                    file.map(|f| format!("{f}: ")).unwrap_or_default()
                );
            }
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let _ = writeln!(
                err,
                "{errors} error(s), {} warning(s)",
                diags.len() - errors
            );
        }
    }
}

fn check(args: &Args) -> Result<u8, String> {
    if args.ruleset.is_none() && !args.national {
        return Err("check needs a RULESET file (or --national)".into());
    }
    let rs = match load(args)? {
        Ok(rs) => rs,
        Err(code) => return Ok(code),
    };
    match args.format {
        Format::Json => println!("{}", homeward::json::JsonEngine::from_ruleset(rs).status()),
        Format::Text => {
            print_diagnostics(Format::Text, rs.warnings(), args.ruleset.as_deref());
            let doc = rs.document();
            println!(
                "ok: `{}` version {} ({} facts, {} requirements, {} tables, {} checklists) {}",
                rs.id(),
                rs.version(),
                doc.facts.len(),
                doc.requirements.len(),
                doc.tables.len(),
                doc.checklists.len(),
                rs.hash()
            );
        }
    }
    Ok(0)
}

fn eval(args: &Args) -> Result<u8, String> {
    let Some(facts_path) = &args.facts else {
        return Err("eval needs --facts FILE".into());
    };
    let rs = match load(args)? {
        Ok(rs) => rs,
        Err(code) => return Ok(code),
    };
    let checklist = match rs.checklist(args.checklist.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            print_diagnostics(args.format, &e.diagnostics(), None);
            return Ok(1);
        }
    };
    let facts = match Facts::from_json(&rs, &read(facts_path)?) {
        Ok(f) => f,
        Err(e) => {
            print_diagnostics(args.format, &e.diagnostics(), Some(facts_path));
            return Ok(1);
        }
    };
    let report = rs.evaluate(checklist, &facts);
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        ),
        Format::Text => print!("{}", text::report(&report)),
    }
    Ok(0)
}

fn schema(args: &Args) -> Result<u8, String> {
    let rs = match load(args)? {
        Ok(rs) => rs,
        Err(code) => return Ok(code),
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&rs.schema()).map_err(|e| e.to_string())?
    );
    Ok(0)
}
