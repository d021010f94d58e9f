//! The `homeward` command line as clap (derive) definitions: every command with its own
//! options and help, the documented exit codes, shell completions and man pages generated from
//! the same definitions (docs/cli.md is the contract).

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};
use std::path::PathBuf;

/// Exit codes, shown under every command's help (docs/cli.md, "Exit codes").
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success (for eval, whatever the verdict: the verdict is data); also when the reader of
     standard output goes away (homeward … | head)
  1  invalid input: the ruleset, an overlay, the facts, the checklist id or the report has errors
  2  usage error: unknown command or option, a repeated or missing value, a bad date
  3  a file or stream could not be read or written (or is not UTF-8); the message names it
  4  batch: some lines could not be evaluated (each has its error line; the aggregate is written)";

/// Exit codes of `serve`, which runs until stopped (Ctrl-C or SIGTERM).
pub const SERVE_EXIT_CODES: &str = "\
Exit codes:
  0  stopped cleanly (Ctrl-C or SIGTERM)
  1  the ruleset, an overlay or a trusted client's key set could not be loaded
  2  usage error: an unknown, missing or contradictory option
  3  the address could not be listened on, or the server failed";

/// Discharge readiness rules engine: check rulesets, evaluate patients, explain, export and
/// batch-report.
#[derive(Debug, Parser)]
#[command(
    name = "homeward",
    version,
    about = "Discharge readiness rules engine: check rulesets, evaluate patients, explain, export and batch-report",
    long_about = None,
    after_help = EXIT_CODES,
    arg_required_else_help = true,
    max_term_width = 100
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands (matched exhaustively by the binary, so not `#[non_exhaustive]`).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a ruleset and overlays; print every diagnostic with code and JSON path
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Evaluate one patient; print the report (JSON by default, --format text for people)
    #[command(after_help = EXIT_CODES)]
    Eval(EvalArgs),
    /// Why a requirement has its status: the condition tree with each value and answer read
    #[command(after_help = EXIT_CODES)]
    Explain(ExplainArgs),
    /// JSON Lines of patients to one report per line and an aggregate
    #[command(after_help = EXIT_CODES)]
    Batch(BatchArgs),
    /// The ruleset as JsonLogic, a FHIR R4 Questionnaire, or canonical JSON
    #[command(after_help = EXIT_CODES)]
    Export(ExportArgs),
    /// CDS Hooks cards (encounter-discharge) for a report
    #[command(name = "cds-card", after_help = EXIT_CODES)]
    CdsCard(CdsCardArgs),
    /// Every requirement and table in plain English with owner and citation (Markdown)
    #[command(after_help = EXIT_CODES)]
    Rulebook(RulebookArgs),
    /// The fact schema (questions, options, sections) as JSON
    #[command(after_help = EXIT_CODES)]
    Schema(SchemaArgs),
    /// Compile a ruleset and overlays to the binary form the runtime WebAssembly build reads
    #[command(after_help = EXIT_CODES)]
    Compile(CompileArgs),
    /// Run the CDS Hooks 2.0 service (encounter-discharge, patient-view) for an EPR; see
    /// docs/epr-integration.md
    #[cfg(feature = "serve")]
    #[command(after_help = SERVE_EXIT_CODES)]
    Serve(homeward_serve::Options),
    /// A shell completion script (bash, zsh, fish, elvish, powershell) on standard output
    Completions(CompletionsArgs),
    /// The manual page homeward(1) on standard output, or one page per command in a folder
    Man(ManArgs),
}

fn bundled_overlays() -> PossibleValuesParser {
    PossibleValuesParser::new(homeward::bundled::OVERLAYS.iter().map(|o| o.0))
}

/// Which ruleset: the bundled national ruleset for England unless `--ruleset` names a file;
/// overlays on top.
#[derive(Debug, Clone, Default, Args)]
pub struct RulesetArgs {
    /// A ruleset JSON file (default: the bundled national ruleset for England)
    #[arg(short = 'r', long, value_name = "FILE", value_hint = ValueHint::FilePath, conflicts_with = "national")]
    pub ruleset: Option<PathBuf>,
    /// The bundled national ruleset for England (the default)
    #[arg(long)]
    pub national: bool,
    /// An overlay JSON file (repeatable, applied in order)
    #[arg(long = "overlay", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub overlays: Vec<PathBuf>,
    /// A bundled overlay (repeatable)
    #[arg(long = "bundled-overlay", value_name = "ID", value_parser = bundled_overlays())]
    pub bundled_overlays: Vec<String>,
    /// Treat ruleset warnings as errors (for rule authors' CI)
    #[arg(long)]
    pub deny_warnings: bool,
}

impl RulesetArgs {
    /// Whether no ruleset option was given (the bundled rulesets as they ship).
    #[must_use]
    pub fn is_default(&self) -> bool {
        self.ruleset.is_none()
            && !self.national
            && self.overlays.is_empty()
            && self.bundled_overlays.is_empty()
    }
}

/// Output for people or for machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    /// For people
    Text,
    /// For machines (diagnostics as `{"error": …}` on standard output)
    Json,
}

/// `homeward check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The ruleset to check (or --ruleset FILE; default: the bundled national ruleset)
    #[arg(value_name = "RULESET", value_hint = ValueHint::FilePath, conflicts_with_all = ["ruleset", "national"])]
    pub file: Option<PathBuf>,
    /// Ruleset options.
    #[command(flatten)]
    pub ruleset: RulesetArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
}

/// Where the patient's answers come from.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct PatientArgs {
    /// The patient's facts: a JSON object of fact id to value (`-` for standard input)
    #[arg(short = 'f', long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub facts: Option<PathBuf>,
    /// A FHIR R4 QuestionnaireResponse to the exported Questionnaire (`-` for standard input)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub questionnaire_response: Option<PathBuf>,
}

/// The date the patient is assessed on ("today" for the rules that compare dates).
#[derive(Debug, Clone, Default, Args)]
pub struct AsOfArgs {
    /// The date the patient is assessed on, YYYY-MM-DD: "today" for the rules that compare
    /// dates [default: today's date on this computer's clock, in the local time zone (TZ, else
    /// /etc/localtime; UTC when neither is set)]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::dates::parse_engine)]
    pub as_of: Option<jiff::civil::Date>,
}

impl AsOfArgs {
    /// The as-of date: the one given, or today's date on the local clock.
    #[must_use]
    pub fn date(&self) -> jiff::civil::Date {
        self.as_of.unwrap_or_else(crate::dates::today)
    }
}

/// `homeward eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Ruleset options.
    #[command(flatten)]
    pub ruleset: RulesetArgs,
    /// The patient.
    #[command(flatten)]
    pub patient: PatientArgs,
    /// The as-of date.
    #[command(flatten)]
    pub as_of: AsOfArgs,
    /// The checklist (default: every requirement and table)
    #[arg(short = 'c', long, value_name = "ID")]
    pub checklist: Option<String>,
    /// Output format [default: json; diagnostics as JSON only when given]
    #[arg(long, value_enum)]
    pub format: Option<TextOrJson>,
    /// One-line JSON, byte-identical to the JSON entry points and WASM
    #[arg(long)]
    pub compact: bool,
}

/// `homeward explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Ruleset options.
    #[command(flatten)]
    pub ruleset: RulesetArgs,
    /// The patient.
    #[command(flatten)]
    pub patient: PatientArgs,
    /// The as-of date.
    #[command(flatten)]
    pub as_of: AsOfArgs,
    /// The requirement to explain
    #[arg(long, value_name = "ID")]
    pub requirement: String,
    /// The checklist (default: every requirement and table)
    #[arg(short = 'c', long, value_name = "ID")]
    pub checklist: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
}

/// The batch aggregate's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AggregateFormat {
    /// A JSON object
    Json,
    /// `measure,key,value` rows
    Csv,
}

/// `homeward batch`.
#[derive(Debug, Args)]
#[command(
    long_about = "JSON Lines of patients ({\"id\", \"checklist\", \"facts\", \"as_of\", \
\"discharge_ready_date\"}) to one line per input line (the report, or the line's error) and an aggregate (counts by \
verdict, blocker, owner, delay category and pathway; delay days; attribution).\n\n\
Each line is evaluated as of its own `as_of` when it has one, else --as-of, else today's date \
on this computer's clock (local time zone). A line's `discharge_ready_date` is the fact \
`clinical.discharge_ready_date` when the ruleset has it (giving both with different dates is \
that line's error); delay days count from it to the line's as-of date.\n\n\
The per-line output goes to --out (default standard output). The aggregate goes to \
--aggregate; by default to standard output when the per-line output is elsewhere (--out FILE, \
or --no-reports, whose error lines then go to standard error), else to standard error. \
A line is at most 1 MiB; a bad line is that line's error and never stops the rest."
)]
pub struct BatchArgs {
    /// JSON Lines input (`-` or nothing for standard input)
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath, default_value = "-")]
    pub input: PathBuf,
    /// Ruleset options.
    #[command(flatten)]
    pub ruleset: RulesetArgs,
    /// The checklist for lines that name none (default: every requirement and table)
    #[arg(short = 'c', long, value_name = "ID")]
    pub checklist: Option<String>,
    /// The date the patients are assessed on and delay days are counted to, for lines without
    /// their own `as_of` [default: today's date on this computer's clock, in the local time
    /// zone]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::dates::parse_engine)]
    pub as_of: Option<jiff::civil::Date>,
    /// Where the per-line output goes (`-` for standard output)
    #[arg(short = 'o', long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: Option<PathBuf>,
    /// Where the aggregate goes (`-` for standard output)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub aggregate: Option<PathBuf>,
    /// The aggregate's format
    #[arg(long, value_enum, default_value = "json")]
    pub format: AggregateFormat,
    /// Write no reports: only the error lines and the aggregate
    #[arg(long)]
    pub no_reports: bool,
}

/// What `export` produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Requirements (applies, met) and tables as JsonLogic
    #[value(name = "jsonlogic")]
    JsonLogic,
    /// A FHIR R4 (SDC) Questionnaire of the fact schema
    FhirQuestionnaire,
    /// The merged ruleset as canonical JSON (what the hash covers)
    Json,
}

/// `homeward export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Ruleset options.
    #[command(flatten)]
    pub ruleset: RulesetArgs,
    /// What to export
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write to a file instead of standard output (`-` for standard output)
    #[arg(short = 'o', long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: Option<PathBuf>,
}

/// `homeward cds-card`.
#[derive(Debug, Args)]
pub struct CdsCardArgs {
    /// A report from `eval` (or `{"ok": report}`); `-` or nothing for standard input
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, default_value = "-")]
    pub report: PathBuf,
    /// Write to a file instead of standard output (`-` for standard output)
    #[arg(short = 'o', long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: Option<PathBuf>,
}

/// The rulebook's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulebookFormat {
    /// Markdown
    #[value(alias = "md")]
    Markdown,
}

/// `homeward rulebook`.
#[derive(Debug, Args)]
pub struct RulebookArgs {
    /// Ruleset options (none: every bundled ruleset and overlay, as in docs/rules.md).
    #[command(flatten)]
    pub ruleset: RulesetArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: RulebookFormat,
    /// Write to a file instead of standard output (`-` for standard output)
    #[arg(short = 'o', long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: Option<PathBuf>,
}

/// `homeward schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Ruleset options.
    #[command(flatten)]
    pub ruleset: RulesetArgs,
}

/// `homeward compile`.
#[derive(Debug, Args)]
pub struct CompileArgs {
    /// Ruleset options.
    #[command(flatten)]
    pub ruleset: RulesetArgs,
    /// Where to write it, e.g. `rulesets/england-national+local.hwrc` (binary, so never
    /// standard output)
    #[arg(short, long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: PathBuf,
}

/// `homeward completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `homeward man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write homeward.1 and one page per command (homeward-eval.1, …) into this folder
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}
