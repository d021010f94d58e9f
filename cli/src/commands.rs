//! What each `homeward` command does, given its parsed arguments ([`crate::cli`]). Every
//! command returns `Ok` or a [`CliError`] whose exit code is documented; output goes through
//! [`crate::io`], so no write failure is ever silent and none panics.

use crate::cli::{
    AggregateFormat, AsOfArgs, BatchArgs, CdsCardArgs, CheckArgs, Cli, CompileArgs,
    CompletionsArgs, EvalArgs, ExplainArgs, ExportArgs, ExportFormat, ManArgs, PatientArgs,
    RulebookArgs, RulesetArgs, SchemaArgs, TextOrJson,
};
use crate::error::CliError;
use crate::io::{self, Endpoint, Target};
use crate::{batch, cds, diagnostics, fhir, input, jsonlogic, rulebook, text};
use homeward::MAX_INPUT_BYTES;
use homeward::{Code, Diagnostic, Diagnostics, Facts, LoadOptions, Ruleset};
use std::io::{IsTerminal, Write};
use std::path::Path;

fn is_stdin(p: &Path) -> bool {
    p == Path::new("-")
}

fn label(p: &Path) -> String {
    if is_stdin(p) {
        "<stdin>".into()
    } else {
        p.display().to_string()
    }
}

fn invalid(file: &Path, diagnostics: Vec<Diagnostic>) -> CliError {
    CliError::Invalid {
        file: Some(label(file)),
        diagnostics,
    }
}

/// Refuses two inputs both read from standard input (the second would read nothing).
fn one_stdin<'a>(inputs: impl IntoIterator<Item = &'a Path>) -> Result<(), CliError> {
    if inputs.into_iter().filter(|p| is_stdin(p)).count() > 1 {
        return Err(CliError::Usage(
            "only one input can be read from standard input (`-`)".into(),
        ));
    }
    Ok(())
}

fn pretty(value: &impl serde::Serialize) -> Result<String, CliError> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| CliError::Io(format!("cannot serialise the output: {e}")))
}

fn write_out(out: Option<&Path>, text: &str) -> Result<(), CliError> {
    let target = out.map_or(Target::Stdout, Target::from_arg);
    io::write(&target, text.as_bytes())
}

/// Loads the ruleset the options name (`file` is `check`'s positional ruleset).
fn load(args: &RulesetArgs, file: Option<&Path>) -> Result<Ruleset, CliError> {
    let path = file.or(args.ruleset.as_deref());
    one_stdin(
        path.into_iter()
            .chain(args.overlays.iter().map(|p| p.as_path())),
    )?;
    let base = match path {
        Some(p) => io::read_text(p, MAX_INPUT_BYTES)?,
        None => homeward::bundled::NATIONAL_JSON.to_string(),
    };
    let mut overlays = Vec::new();
    for p in &args.overlays {
        overlays.push(io::read_text(p, MAX_INPUT_BYTES)?);
    }
    for id in &args.bundled_overlays {
        let json = homeward::bundled::overlay_json(id)
            .ok_or_else(|| CliError::Usage(format!("no bundled overlay `{id}`")))?;
        overlays.push(json.to_string());
    }
    let refs: Vec<&str> = overlays.iter().map(String::as_str).collect();
    let mut opts = LoadOptions::default();
    opts.deny_warnings = args.deny_warnings;
    Ruleset::load(&base, &refs, &opts).map_err(|e| CliError::Invalid {
        file: path.map(label),
        diagnostics: e.diagnostics(),
    })
}

/// `homeward check`.
///
/// # Errors
/// Invalid ruleset (1), unreadable file (3), failed write (3).
pub fn check(args: &CheckArgs) -> Result<(), CliError> {
    let file = args.file.as_deref();
    let rs = load(&args.ruleset, file)?;
    if args.format == TextOrJson::Json {
        return io::stdout(&(homeward::json::JsonEngine::from_ruleset(rs).status() + "\n"));
    }
    let file = file.or(args.ruleset.ruleset.as_deref()).map(label);
    io::stderr(&diagnostics::text(rs.warnings(), file.as_deref()));
    let doc = rs.document();
    io::stdout(&format!(
        "ok: `{}` version {} ({} facts, {} requirements, {} tables, {} checklists) {}\n",
        rs.id(),
        rs.version(),
        doc.facts.len(),
        doc.requirements.len(),
        doc.tables.len(),
        doc.checklists.len(),
        rs.hash()
    ))
}

/// The patient's facts from `--facts` or `--questionnaire-response`.
fn patient(rs: &Ruleset, p: &PatientArgs) -> Result<Facts, CliError> {
    if let Some(qr) = &p.questionnaire_response {
        let text = io::read_text(qr, MAX_INPUT_BYTES)?;
        let value = input::parse_json(&text).map_err(|d| invalid(qr, vec![d]))?;
        return fhir::facts_from_resource(rs, &value)
            .map(|imported| imported.facts)
            .map_err(|diagnostics| invalid(qr, diagnostics));
    }
    let Some(path) = &p.facts else {
        return Err(CliError::Usage(
            "give the patient with --facts FILE or --questionnaire-response FILE".into(),
        ));
    };
    let text = io::read_text(path, MAX_INPUT_BYTES)?;
    Facts::from_json(rs, &text).map_err(|e| invalid(path, e.diagnostics()))
}

/// The engine's as-of date: `--as-of`, or today's date on the local clock.
fn as_of(args: &AsOfArgs) -> Result<homeward::Date, CliError> {
    crate::dates::engine(args.date()).map_err(CliError::Usage)
}

fn patient_inputs<'a>(r: &'a RulesetArgs, p: &'a PatientArgs) -> impl Iterator<Item = &'a Path> {
    r.ruleset
        .iter()
        .chain(&r.overlays)
        .chain(&p.facts)
        .chain(&p.questionnaire_response)
        .map(|p| p.as_path())
}

fn checklist<'r>(rs: &'r Ruleset, id: Option<&str>) -> Result<homeward::Checklist<'r>, CliError> {
    rs.checklist(id).map_err(|e| CliError::Invalid {
        file: None,
        diagnostics: e.diagnostics(),
    })
}

/// `homeward eval`.
///
/// # Errors
/// Invalid ruleset, checklist or facts (1), usage (2), file or write errors (3).
pub fn eval(args: &EvalArgs) -> Result<(), CliError> {
    if args.compact && args.format == Some(TextOrJson::Text) {
        return Err(CliError::Usage(
            "--compact is for JSON output; it cannot be used with --format text".into(),
        ));
    }
    one_stdin(patient_inputs(&args.ruleset, &args.patient))?;
    let rs = load(&args.ruleset, None)?;
    let cl = checklist(&rs, args.checklist.as_deref())?;
    let facts = patient(&rs, &args.patient)?.with_as_of(Some(as_of(&args.as_of)?));
    let report = rs.evaluate(cl, &facts);
    match args.format {
        Some(TextOrJson::Text) => {
            io::stdout(&text::report(&report, text::verdict_words(&rs, &report)))
        }
        _ if args.compact => io::stdout(&(report.to_json() + "\n")),
        _ => io::stdout(&pretty(&report)?),
    }
}

/// `homeward explain`.
///
/// # Errors
/// Invalid ruleset, checklist, facts or requirement (1), usage (2), file or write errors (3).
pub fn explain(args: &ExplainArgs) -> Result<(), CliError> {
    one_stdin(patient_inputs(&args.ruleset, &args.patient))?;
    let rs = load(&args.ruleset, None)?;
    let cl = checklist(&rs, args.checklist.as_deref())?;
    let facts = patient(&rs, &args.patient)?.with_as_of(Some(as_of(&args.as_of)?));
    let Some(ex) = rs.explain(cl, &facts, &args.requirement) else {
        return Err(unknown_requirement(&rs, cl.id(), &args.requirement));
    };
    match args.format {
        TextOrJson::Json => io::stdout(&pretty(&ex)?),
        TextOrJson::Text => io::stdout(&text::explanation(&ex)),
    }
}

fn unknown_requirement(rs: &Ruleset, checklist: &str, id: &str) -> CliError {
    let doc = rs.document();
    let ids: Vec<&str> = match doc.checklists.iter().find(|c| c.id == checklist) {
        Some(c) => c.requirements.iter().map(String::as_str).collect(),
        None => doc.requirements.iter().map(|r| r.id.as_str()).collect(),
    };
    let d = Diagnostic::error(
        Code::UnknownRequirement,
        "$.requirement",
        format!("requirement `{id}` is not in checklist `{checklist}`"),
    )
    .with_help(format!("use one of: {}", ids.join(", ")));
    CliError::Invalid {
        file: None,
        diagnostics: vec![d],
    }
}

/// Where `batch` writes: the per-line output and the aggregate (see docs/cli.md).
fn batch_targets(args: &BatchArgs) -> Result<(Target, Target), CliError> {
    let out = match &args.out {
        Some(p) => Target::from_arg(p),
        None if args.no_reports => Target::Stderr,
        None => Target::Stdout,
    };
    let aggregate = match &args.aggregate {
        Some(p) => Target::from_arg(p),
        None if out == Target::Stdout => Target::Stderr,
        None => Target::Stdout,
    };
    if out == Target::Stdout && aggregate == Target::Stdout {
        return Err(CliError::Usage(
            "the per-line output and the aggregate cannot both go to standard output; name a \
             file with --out or --aggregate"
                .into(),
        ));
    }
    Ok((out, aggregate))
}

/// `homeward batch`.
///
/// # Errors
/// Invalid ruleset or `--checklist` (1), usage (2), file or write errors (3), and
/// [`CliError::LinesFailed`] (4) when any line failed (after the aggregate is written).
pub fn batch(args: &BatchArgs) -> Result<(), CliError> {
    let (out, agg_target) = batch_targets(args)?;
    one_stdin(
        std::iter::once(args.input.as_path())
            .chain(args.ruleset.ruleset.as_deref())
            .chain(args.ruleset.overlays.iter().map(|p| p.as_path())),
    )?;
    io::refuse_same_file(
        &Endpoint::of_input(&args.input),
        &[
            Endpoint::of_target("--out", &out),
            Endpoint::of_target("--aggregate", &agg_target),
        ],
    )?;
    let rs = load(&args.ruleset, None)?;
    checklist(&rs, args.checklist.as_deref())?;
    let agg = run_batch(&rs, args, &out)?;
    let text = match args.format {
        AggregateFormat::Csv => agg.to_csv(),
        AggregateFormat::Json => pretty(&agg.to_json())?,
    };
    io::write(&agg_target, text.as_bytes())?;
    if agg.errors > 0 {
        return Err(CliError::LinesFailed(agg.errors));
    }
    Ok(())
}

fn run_batch(
    rs: &Ruleset,
    args: &BatchArgs,
    target: &Target,
) -> Result<crate::aggregate::Aggregate, CliError> {
    let opts = batch::BatchOptions {
        checklist: args.checklist.clone(),
        as_of: Some(args.as_of.unwrap_or_else(crate::dates::today)),
        reports: !args.no_reports,
        progress: *target != Target::Stderr && std::io::stderr().is_terminal(),
        max_line_bytes: None,
    };
    let source = io::source_label(&args.input);
    let input: Box<dyn std::io::BufRead> = if is_stdin(&args.input) {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(&args.input)
            .map_err(|e| CliError::Io(format!("cannot read {source}: {e}")))?;
        Box::new(std::io::BufReader::new(f))
    };
    let mut out: Box<dyn Write> = match target {
        Target::File(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| io::write_failure(target, &e))?,
        )),
        Target::Stdout => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
        Target::Stderr => Box::new(io::Lossy(std::io::stderr().lock())),
    };
    let agg = batch::run(rs, input, &mut out, &opts).map_err(|e| match e {
        batch::BatchError::Write(e) => io::write_failure(target, &e),
        other => CliError::Io(format!("{source}: {other}")),
    })?;
    out.flush().map_err(|e| io::write_failure(target, &e))?;
    Ok(agg)
}

/// `homeward export`.
///
/// # Errors
/// Invalid ruleset or an export that cannot be written in the format (1), file or write
/// errors (3).
pub fn export(args: &ExportArgs) -> Result<(), CliError> {
    let rs = load(&args.ruleset, None)?;
    let value = match args.format {
        ExportFormat::JsonLogic => jsonlogic::export(&rs).map_err(|d| CliError::Invalid {
            file: args.ruleset.ruleset.as_deref().map(label),
            diagnostics: vec![d],
        })?,
        ExportFormat::FhirQuestionnaire => {
            let exported = fhir::export(&rs);
            for note in exported.notes() {
                io::stderr(&(note + "\n"));
            }
            exported.questionnaire
        }
        ExportFormat::Json => serde_json::to_value(rs.document())
            .map_err(|e| CliError::Io(format!("cannot serialise the ruleset: {e}")))?,
    };
    write_out(args.out.as_deref(), &pretty(&value)?)
}

/// `homeward cds-card`.
///
/// # Errors
/// A report that is not JSON or not a Homeward report (1), file or write errors (3).
pub fn cds_card(args: &CdsCardArgs) -> Result<(), CliError> {
    let text = io::read_text(&args.report, MAX_INPUT_BYTES)?;
    let value = input::parse_json(&text).map_err(|d| invalid(&args.report, vec![d]))?;
    if value.get("error").is_some() {
        return Err(invalid(
            &args.report,
            vec![Diagnostic::error(
                Code::WrongType,
                "$.error",
                "this is an error from homeward, not a report",
            )
            .with_help("fix the error that `eval` reported, then make the cards from its report")],
        ));
    }
    let at = if value.get("ok").is_some() {
        "$.ok"
    } else {
        "$"
    };
    let value = value.get("ok").cloned().unwrap_or(value);
    cds::check_report_format(&value, at).map_err(|d| invalid(&args.report, vec![d]))?;
    let report: homeward::Report = serde_json::from_value(value).map_err(|e| {
        let d = Diagnostic::error(
            Code::WrongType,
            "$",
            format!("not a Homeward report: {}", input::message(&e)),
        )
        .with_help("give the JSON report that `homeward eval` writes (see docs/report-format.md)");
        invalid(&args.report, vec![d])
    })?;
    write_out(args.out.as_deref(), &pretty(&cds::cards(&report))?)
}

/// `homeward rulebook`.
///
/// # Errors
/// Invalid ruleset (1), file or write errors (3).
pub fn rulebook(args: &RulebookArgs) -> Result<(), CliError> {
    let text = if args.ruleset.is_default() {
        rulebook::generate().map_err(CliError::Io)?
    } else {
        rulebook::single(&load(&args.ruleset, None)?)
    };
    write_out(args.out.as_deref(), &text)
}

/// `homeward schema`.
///
/// # Errors
/// Invalid ruleset (1), file or write errors (3).
pub fn schema(args: &SchemaArgs) -> Result<(), CliError> {
    let rs = load(&args.ruleset, None)?;
    io::stdout(&pretty(&rs.schema())?)
}

/// `homeward compile --out FILE`: the ruleset compiled (`Ruleset::to_compiled`), for the
/// runtime WebAssembly build (`homeward-wasm/runtime`), which reads only compiled rulesets.
///
/// # Errors
/// Invalid ruleset (1), `-` or a file that cannot be written (3).
pub fn compile(args: &CompileArgs) -> Result<(), CliError> {
    if is_stdin(&args.out) {
        return Err(CliError::Usage(
            "a compiled ruleset is binary: give a file with --out, not `-`".into(),
        ));
    }
    let rs = load(&args.ruleset, None)?;
    io::write(&Target::File(args.out.clone()), &rs.to_compiled())
}

/// `homeward completions SHELL`.
///
/// # Errors
/// A failed write (3).
pub fn completions(args: &CompletionsArgs) -> Result<(), CliError> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "homeward", &mut buf);
    io::write(&Target::Stdout, &buf)
}

/// `homeward man`.
///
/// # Errors
/// A failed write (3), naming the folder.
pub fn man(args: &ManArgs) -> Result<(), CliError> {
    let cmd = <Cli as clap::CommandFactory>::command();
    match &args.dir {
        Some(dir) => clap_mangen::generate_to(cmd, dir).map_err(|e| {
            CliError::Io(format!(
                "cannot write the manual pages into `{}`: {e}",
                dir.display()
            ))
        }),
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .map_err(|e| CliError::Io(format!("cannot render the manual page: {e}")))?;
            io::write(&Target::Stdout, &buf)
        }
    }
}

#[cfg(feature = "serve")]
/// `homeward serve`: the CDS Hooks service, on a multi-threaded tokio runtime, until Ctrl-C or
/// SIGTERM.
///
/// # Errors
/// Options (2), a ruleset, overlay or key set that does not load (1), the address or the
/// server (3).
pub fn serve(options: &homeward_serve::Options) -> Result<(), CliError> {
    use homeward_serve::ServeError;
    homeward_serve::init_logging(&options.log_level);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Io(format!("cannot start the service's runtime: {e}")))?;
    runtime
        .block_on(homeward_serve::run(options.clone()))
        .map_err(|e| match e {
            ServeError::Option { .. } => CliError::Usage(e.to_string()),
            ServeError::Ruleset(_) | ServeError::Jwks { .. } => CliError::Invalid {
                file: None,
                diagnostics: vec![Diagnostic::error(Code::InvalidValue, "$", e.to_string())],
            },
            _ => CliError::Io(e.to_string()),
        })
}
