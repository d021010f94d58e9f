//! `homeward`: check rulesets, evaluate patients, explain, export and batch-report from the
//! command line, for other systems and for people.

// Output goes through `io`, which reports write failures and never panics (C5).
#![deny(clippy::print_stdout, clippy::print_stderr)]

use homeward::{Diagnostic, Diagnostics, Facts, LoadOptions, Ruleset};
use homeward_cli::args::{Args, Format};
use homeward_cli::error::CliError;
use homeward_cli::{batch, cds, fhir, io, jsonlogic, rulebook, text};
use serde_json::Value;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

const USAGE: &str = "homeward — discharge readiness rules engine

Usage:
  homeward check RULESET [--overlay FILE]... [--format text|json] [--deny-warnings]
  homeward eval [RULESET OPTIONS] (--facts FILE | --questionnaire-response FILE)
                [--checklist ID] [--format json|text] [--compact]
  homeward explain [RULESET OPTIONS] --facts FILE --requirement ID [--checklist ID] [--format text|json]
  homeward batch [RULESET OPTIONS] [FILE|-] [--checklist ID] [--as-of YYYY-MM-DD]
                 [--out FILE] [--aggregate FILE] [--format json|csv] [--no-reports]
  homeward export [RULESET OPTIONS] --format jsonlogic|fhir-questionnaire|json
  homeward cds-card --report FILE          (or a report on standard input)
  homeward rulebook [RULESET OPTIONS]      (Markdown; default: the bundled rulesets)
  homeward schema [RULESET OPTIONS]
  homeward --help | --version

Ruleset options (default: the bundled national ruleset for England):
  --ruleset FILE            a ruleset JSON file
  --overlay FILE            an overlay JSON file (repeatable)
  --bundled-overlay ID      a bundled overlay, e.g. norfolk (repeatable)

Commands:
  check     validate a ruleset and overlays; prints every diagnostic with code and JSON path
  eval      evaluate one patient; prints the report (JSON by default, --format text for people)
  explain   why a requirement has its status: the condition tree with each value and fact read
  batch     JSON Lines of patients ({\"id\", \"checklist\", \"facts\", \"discharge_ready_date\"}) to
            one report per line (--out, default standard output) and an aggregate
            (--aggregate FILE, JSON or --format csv; default standard error)
  export    the ruleset as JsonLogic, a FHIR R4 Questionnaire, or canonical JSON
  cds-card  CDS Hooks cards (encounter-discharge) for a report
  rulebook  every requirement and table in plain English with owner and citation
  schema    the fact schema (questions, options, sections) as JSON

Exit codes: 0 ok; 1 invalid ruleset, facts or report (diagnostics printed); 2 usage error;
3 a file could not be read or written.";

/// Writes to standard output: a closed pipe (`homeward … | head`) ends the program quietly
/// with exit 0; any other failure (a full disk, an I/O error) is exit 3 with a message.
macro_rules! println {
    ($($t:tt)*) => { io::stdout(&format!("{}\n", format_args!($($t)*)))? };
}

macro_rules! print {
    ($($t:tt)*) => { io::stdout(&format!($($t)*))? };
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match Args::parse(&argv) {
        Ok(a) => a,
        Err(e) => {
            io::stderr(&format!("error: {e}\n\n{USAGE}\n"));
            return ExitCode::from(2);
        }
    };
    let result = match args.command.as_str() {
        "help" => io::stdout(&format!("{USAGE}\n")).map(|()| 0),
        "version" => io::stdout(&format!("homeward {}\n", env!("CARGO_PKG_VERSION"))).map(|()| 0),
        "check" => check(&args),
        "eval" => eval(&args),
        "explain" => explain(&args),
        "batch" => run_batch(&args),
        "export" => export(&args),
        "cds-card" => cds_card(&args),
        "rulebook" => rulebook_cmd(&args),
        "schema" => schema(&args),
        other => {
            io::stderr(&format!("error: unknown command `{other}`\n\n{USAGE}\n"));
            Ok(2)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(CliError::ClosedPipe) => ExitCode::SUCCESS,
        Err(e) => {
            io::stderr(&format!("error: {e}\n"));
            ExitCode::from(e.exit_code())
        }
    }
}

fn read(path: &str) -> Result<String, CliError> {
    if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(s);
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        CliError::Io(format!(
            "`{path}` is not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

fn write_out(path: Option<&str>, text: &str) -> Result<(), CliError> {
    match path {
        Some(p) => io::write(&io::Target::File(p.into()), text.as_bytes()),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

/// Loads the ruleset the arguments name; on invalid input prints diagnostics and returns the
/// exit code.
fn load(args: &Args) -> Result<Result<Ruleset, u8>, CliError> {
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
                let ids: Vec<&str> = homeward::bundled::OVERLAYS.iter().map(|o| o.0).collect();
                io::stderr(&format!(
                    "error: no bundled overlay `{id}` (bundled: {})\n",
                    ids.join(", ")
                ));
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
            print_diagnostics(
                args.format.unwrap_or(Format::Text),
                &e.diagnostics(),
                args.ruleset.as_deref(),
            )?;
            Ok(Err(1))
        }
    }
}

fn print_diagnostics(
    format: Format,
    diags: &[Diagnostic],
    file: Option<&str>,
) -> Result<(), CliError> {
    if format == Format::Json {
        println!("{}", homeward::json::error(diags));
        return Ok(());
    }
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = writeln!(
            err,
            "{}{d}",
            file.map(|f| format!("{f}: ")).unwrap_or_default()
        );
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if !diags.is_empty() {
        let _ = writeln!(
            err,
            "{errors} error(s), {} warning(s)",
            diags.len() - errors
        );
    }
    Ok(())
}

macro_rules! try_load {
    ($args:expr) => {
        match load($args)? {
            Ok(rs) => rs,
            Err(code) => return Ok(code),
        }
    };
}

fn check(args: &Args) -> Result<u8, CliError> {
    let rs = try_load!(args);
    if args.format == Some(Format::Json) {
        println!("{}", homeward::json::JsonEngine::from_ruleset(rs).status());
        return Ok(0);
    }
    print_diagnostics(Format::Text, rs.warnings(), args.ruleset.as_deref())?;
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
    Ok(0)
}

/// The patient's facts from `--facts` or `--questionnaire-response`.
fn patient(args: &Args, rs: &Ruleset) -> Result<Result<Facts, u8>, CliError> {
    let fail = |diags: Vec<Diagnostic>, file: &str| {
        print_diagnostics(args.format.unwrap_or(Format::Text), &diags, Some(file))?;
        Ok(Err(1))
    };
    if let Some(qr) = &args.questionnaire_response {
        let value: Value = match serde_json::from_str(&read(qr)?) {
            Ok(v) => v,
            Err(e) => {
                return fail(
                    vec![Diagnostic::error(
                        homeward::Code::JsonSyntax,
                        "$",
                        e.to_string(),
                    )],
                    qr,
                )
            }
        };
        let facts = match fhir::facts_from_response(rs, &value) {
            Ok(f) => f,
            Err(m) => {
                return fail(
                    vec![Diagnostic::error(homeward::Code::UnknownFact, "$.item", m)],
                    qr,
                )
            }
        };
        return match Facts::from_value(rs, &facts) {
            Ok(f) => Ok(Ok(f)),
            Err(e) => fail(e.diagnostics(), qr),
        };
    }
    let Some(path) = &args.facts else {
        return Err("needs --facts FILE or --questionnaire-response FILE".into());
    };
    match Facts::from_json(rs, &read(path)?) {
        Ok(f) => Ok(Ok(f)),
        Err(e) => fail(e.diagnostics(), path),
    }
}

fn eval(args: &Args) -> Result<u8, CliError> {
    let rs = try_load!(args);
    let checklist = match rs.checklist(args.checklist.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            print_diagnostics(args.format.unwrap_or(Format::Json), &e.diagnostics(), None)?;
            return Ok(1);
        }
    };
    let facts = match patient(args, &rs)? {
        Ok(f) => f,
        Err(code) => return Ok(code),
    };
    let report = rs.evaluate(checklist, &facts);
    match args.format {
        Some(Format::Text) => print!("{}", text::report(&report)),
        _ if args.compact => println!("{}", report.to_json()),
        _ => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        ),
    }
    Ok(0)
}

fn explain(args: &Args) -> Result<u8, CliError> {
    let rs = try_load!(args);
    let Some(req) = &args.requirement else {
        return Err("explain needs --requirement ID".into());
    };
    let checklist = match rs.checklist(args.checklist.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            print_diagnostics(Format::Text, &e.diagnostics(), None)?;
            return Ok(1);
        }
    };
    let facts = match patient(args, &rs)? {
        Ok(f) => f,
        Err(code) => return Ok(code),
    };
    let Some(ex) = rs.explain(checklist, &facts, req) else {
        io::stderr(&format!(
            "error: requirement `{req}` is not in checklist `{}`\n",
            checklist.id()
        ));
        return Ok(1);
    };
    match args.format {
        Some(Format::Json) => println!(
            "{}",
            serde_json::to_string_pretty(&ex).map_err(|e| e.to_string())?
        ),
        _ => print!("{}", text::explanation(&ex)),
    }
    Ok(0)
}

fn run_batch(args: &Args) -> Result<u8, CliError> {
    let input_path = std::path::Path::new(args.positional.first().map_or("-", String::as_str));
    // Per-line output: reports and error lines; with --no-reports only error lines, which are
    // then messages on standard error unless --out names a file.
    let out_target = match args.out.as_deref() {
        Some(p) => io::Target::from_arg(p.as_ref()),
        None if args.no_reports => io::Target::Stderr,
        None => io::Target::Stdout,
    };
    // The aggregate is data: on standard output whenever the per-line output is elsewhere.
    let agg_target = match args.aggregate.as_deref() {
        Some(p) => io::Target::from_arg(p.as_ref()),
        None if out_target == io::Target::Stdout => io::Target::Stderr,
        None => io::Target::Stdout,
    };
    if out_target == io::Target::Stdout && agg_target == io::Target::Stdout {
        return Err(CliError::Usage(
            "the reports and the aggregate cannot both go to standard output; name a file \
             with --out or --aggregate"
                .into(),
        ));
    }
    io::refuse_same_file(
        &io::Endpoint::of_input(input_path),
        &[
            io::Endpoint::of_target("--out", &out_target),
            io::Endpoint::of_target("--aggregate", &agg_target),
        ],
    )?;
    let rs = try_load!(args);
    let input: Box<dyn BufRead> = if input_path == std::path::Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(input_path)
                .map_err(|e| format!("cannot read `{}`: {e}", input_path.display()))?,
        ))
    };
    let opts = batch::BatchOptions {
        checklist: args.checklist.clone(),
        as_of: args.as_of.clone(),
        reports: !args.no_reports,
        progress: out_target != io::Target::Stderr && std::io::stderr().is_terminal(),
    };
    let mut out: Box<dyn Write> = match &out_target {
        io::Target::File(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| io::write_failure(&out_target, &e))?,
        )),
        io::Target::Stdout => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
        io::Target::Stderr => Box::new(io::Lossy(std::io::stderr().lock())),
    };
    let agg = batch::run(&rs, input, &mut out, &opts)?;
    out.flush()
        .map_err(|e| io::write_failure(&out_target, &e))?;
    drop(out);
    let text = match args.format {
        Some(Format::Csv) => agg.to_csv(),
        _ => serde_json::to_string_pretty(&agg.to_json()).map_err(|e| e.to_string())? + "\n",
    };
    io::write(&agg_target, text.as_bytes())?;
    Ok(0)
}

fn export(args: &Args) -> Result<u8, CliError> {
    let rs = try_load!(args);
    let value = match args.format {
        Some(Format::JsonLogic) => jsonlogic::export(&rs),
        Some(Format::FhirQuestionnaire) => fhir::questionnaire(&rs),
        Some(Format::Json) => serde_json::to_value(rs.document()).map_err(|e| e.to_string())?,
        _ => return Err("export needs --format jsonlogic, fhir-questionnaire or json".into()),
    };
    let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())? + "\n";
    write_out(args.out.as_deref(), &text)?;
    Ok(0)
}

fn cds_card(args: &Args) -> Result<u8, CliError> {
    let text = read(args.report.as_deref().unwrap_or("-"))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("the report is not JSON: {e}"))?;
    let value = value.get("ok").cloned().unwrap_or(value);
    let report: homeward::Report = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(e) => {
            io::stderr(&format!("error: not a Homeward report: {e}\n"));
            return Ok(1);
        }
    };
    let text =
        serde_json::to_string_pretty(&cds::cards(&report)).map_err(|e| e.to_string())? + "\n";
    write_out(args.out.as_deref(), &text)?;
    Ok(0)
}

fn rulebook_cmd(args: &Args) -> Result<u8, CliError> {
    let text =
        if args.ruleset.is_none() && args.overlays.is_empty() && args.bundled_overlays.is_empty() {
            rulebook::generate()?
        } else {
            let rs = try_load!(args);
            rulebook::single(&rs)
        };
    write_out(args.out.as_deref(), &text)?;
    Ok(0)
}

fn schema(args: &Args) -> Result<u8, CliError> {
    let rs = try_load!(args);
    println!(
        "{}",
        serde_json::to_string_pretty(&rs.schema()).map_err(|e| e.to_string())?
    );
    Ok(0)
}
