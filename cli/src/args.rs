//! Command-line argument parsing (no dependencies; every error names the bad argument).

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Text,
    /// For machines.
    Json,
    /// Comma-separated values (batch aggregate).
    Csv,
    /// JsonLogic export.
    JsonLogic,
    /// FHIR R4 Questionnaire export.
    FhirQuestionnaire,
    /// Markdown (rulebook).
    Markdown,
}

/// Parsed arguments.
#[derive(Debug, Clone)]
pub struct Args {
    /// The command (`check`, `eval`, …).
    pub command: String,
    /// Positional arguments after the command.
    pub positional: Vec<String>,
    /// `--ruleset FILE`.
    pub ruleset: Option<String>,
    /// `--national`.
    pub national: bool,
    /// `--overlay FILE`.
    pub overlays: Vec<String>,
    /// `--bundled-overlay ID`.
    pub bundled_overlays: Vec<String>,
    /// `--facts FILE`.
    pub facts: Option<String>,
    /// `--questionnaire-response FILE`.
    pub questionnaire_response: Option<String>,
    /// `--report FILE` (cds-card).
    pub report: Option<String>,
    /// `--checklist ID`.
    pub checklist: Option<String>,
    /// `--requirement ID` (explain).
    pub requirement: Option<String>,
    /// `--format`; `None` means the command's default.
    pub format: Option<Format>,
    /// `--deny-warnings`.
    pub deny_warnings: bool,
    /// `--out FILE`.
    pub out: Option<String>,
    /// `--aggregate FILE`.
    pub aggregate: Option<String>,
    /// `--as-of YYYY-MM-DD`.
    pub as_of: Option<String>,
    /// `--no-reports` (batch).
    pub no_reports: bool,
    /// `--compact`: one-line JSON, byte-identical to the JSON entry points and WASM.
    pub compact: bool,
}

fn format(s: &str) -> Result<Format, String> {
    Ok(match s {
        "json" => Format::Json,
        "text" => Format::Text,
        "csv" => Format::Csv,
        "jsonlogic" => Format::JsonLogic,
        "fhir-questionnaire" => Format::FhirQuestionnaire,
        "markdown" | "md" => Format::Markdown,
        other => {
            return Err(format!(
            "unknown format `{other}` (text, json, csv, jsonlogic, fhir-questionnaire, markdown)"
        ))
        }
    })
}

impl Args {
    /// Parses `argv` (without the program name).
    ///
    /// # Errors
    /// A message naming the bad argument.
    pub fn parse(argv: &[String]) -> Result<Args, String> {
        let mut it = argv.iter();
        let command = match it.next().map(String::as_str) {
            None | Some("-h" | "--help" | "help") => "help".to_string(),
            Some("-V" | "--version") => "version".to_string(),
            Some(c) => c.to_string(),
        };
        let mut a = Args {
            command,
            positional: Vec::new(),
            ruleset: None,
            national: false,
            overlays: Vec::new(),
            bundled_overlays: Vec::new(),
            facts: None,
            questionnaire_response: None,
            report: None,
            checklist: None,
            requirement: None,
            format: None,
            deny_warnings: false,
            out: None,
            aggregate: None,
            as_of: None,
            no_reports: false,
            compact: false,
        };
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("`{name}` needs a value"))
            };
            match arg.as_str() {
                "--ruleset" | "-r" => a.ruleset = Some(value(arg)?),
                "--national" => a.national = true,
                "--overlay" => a.overlays.push(value(arg)?),
                "--bundled-overlay" => a.bundled_overlays.push(value(arg)?),
                "--facts" | "-f" => a.facts = Some(value(arg)?),
                "--questionnaire-response" => a.questionnaire_response = Some(value(arg)?),
                "--report" => a.report = Some(value(arg)?),
                "--checklist" | "-c" => a.checklist = Some(value(arg)?),
                "--requirement" => a.requirement = Some(value(arg)?),
                "--deny-warnings" => a.deny_warnings = true,
                "--out" | "-o" => a.out = Some(value(arg)?),
                "--aggregate" => a.aggregate = Some(value(arg)?),
                "--as-of" => a.as_of = Some(value(arg)?),
                "--no-reports" => a.no_reports = true,
                "--compact" => a.compact = true,
                "--format" => a.format = Some(format(&value(arg)?)?),
                "-h" | "--help" => a.command = "help".into(),
                s if s.starts_with('-') && s != "-" => return Err(format!("unknown option `{s}`")),
                s => a.positional.push(s.to_string()),
            }
        }
        if a.command == "check" && a.ruleset.is_none() {
            if let Some(first) = a.positional.first().cloned() {
                a.ruleset = Some(first);
                a.positional.remove(0);
            }
        }
        if let Some(extra) = a.positional.first() {
            if a.command != "batch" || a.positional.len() > 1 {
                return Err(format!("unexpected argument `{extra}`"));
            }
        }
        Ok(a)
    }
}
