//! Command-line argument parsing (no dependencies; every error names the bad argument).

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Text,
    /// For machines.
    Json,
}

/// Parsed arguments.
#[derive(Debug, Clone)]
pub struct Args {
    pub command: String,
    pub ruleset: Option<String>,
    pub national: bool,
    pub overlays: Vec<String>,
    pub bundled_overlays: Vec<String>,
    pub facts: Option<String>,
    pub checklist: Option<String>,
    pub format: Format,
    pub deny_warnings: bool,
}

impl Args {
    /// Parses `argv` (without the program name).
    pub fn parse(argv: &[String]) -> Result<Args, String> {
        let mut it = argv.iter();
        let command = match it.next().map(String::as_str) {
            None | Some("-h" | "--help" | "help") => "help".to_string(),
            Some("-V" | "--version") => "version".to_string(),
            Some(c) => c.to_string(),
        };
        let default_format = if command == "eval" || command == "schema" {
            Format::Json
        } else {
            Format::Text
        };
        let mut a = Args {
            command,
            ruleset: None,
            national: false,
            overlays: Vec::new(),
            bundled_overlays: Vec::new(),
            facts: None,
            checklist: None,
            format: default_format,
            deny_warnings: false,
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
                "--checklist" | "-c" => a.checklist = Some(value(arg)?),
                "--deny-warnings" => a.deny_warnings = true,
                "--format" => {
                    a.format = match value(arg)?.as_str() {
                        "json" => Format::Json,
                        "text" => Format::Text,
                        other => return Err(format!("unknown format `{other}` (text, json)")),
                    }
                }
                "-h" | "--help" => a.command = "help".into(),
                s if s.starts_with('-') && s != "-" => return Err(format!("unknown option `{s}`")),
                s if a.ruleset.is_none() && a.command == "check" => a.ruleset = Some(s.to_string()),
                s => return Err(format!("unexpected argument `{s}`")),
            }
        }
        Ok(a)
    }
}
