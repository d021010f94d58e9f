//! `homeward`: check rulesets, evaluate patients, explain, export and batch-report from the
//! command line, for other systems and for people. Arguments are parsed by clap
//! (`homeward_cli::cli`); each command is in `homeward_cli::commands`; exit codes are
//! documented in docs/cli.md.

// Output goes through `io`, which reports write failures and never panics (C5).
#![deny(clippy::print_stdout, clippy::print_stderr)]

use clap::Parser;
use homeward_cli::cli::{Cli, Command, TextOrJson};
use homeward_cli::error::CliError;
use homeward_cli::{commands, diagnostics, io};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    let json_errors = json_errors(&cli.command);
    match run(&cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(report(e, json_errors)),
    }
}

fn run(command: &Command) -> Result<(), CliError> {
    match command {
        Command::Check(a) => commands::check(a),
        Command::Eval(a) => commands::eval(a),
        Command::Explain(a) => commands::explain(a),
        Command::Batch(a) => commands::batch(a),
        Command::Export(a) => commands::export(a),
        Command::CdsCard(a) => commands::cds_card(a),
        Command::Rulebook(a) => commands::rulebook(a),
        Command::Schema(a) => commands::schema(a),
        Command::Compile(a) => commands::compile(a),
        #[cfg(feature = "serve")]
        Command::Serve(a) => commands::serve(a),
        Command::Completions(a) => commands::completions(a),
        Command::Man(a) => commands::man(a),
    }
}

/// Whether diagnostics are printed as `{"error": …}` on standard output: only where the user
/// asked for JSON with `--format json`.
fn json_errors(command: &Command) -> bool {
    match command {
        Command::Check(a) => a.format == TextOrJson::Json,
        Command::Eval(a) => a.format == Some(TextOrJson::Json),
        Command::Explain(a) => a.format == TextOrJson::Json,
        _ => false,
    }
}

/// Help and version go to standard output with exit 0; clap's usage errors (unknown command or
/// option, a repeated or missing value, a bad value, no arguments) to standard error with exit 2.
fn clap_exit(e: &clap::Error) -> ExitCode {
    let text = e.render().to_string();
    if e.use_stderr() {
        io::stderr(&text);
        return ExitCode::from(2);
    }
    match io::stdout(&text) {
        Ok(()) | Err(CliError::ClosedPipe) => ExitCode::SUCCESS,
        Err(w) => ExitCode::from(report(w, false)),
    }
}

/// Prints what went wrong (nothing for a closed pipe, or failed batch lines, whose error lines
/// and aggregate say it) and returns the exit code.
fn report(e: CliError, json_errors: bool) -> u8 {
    match &e {
        CliError::Invalid { diagnostics, .. } if json_errors => {
            if let Err(w) = io::stdout(&diagnostics::json(diagnostics)) {
                return report(w, false);
            }
        }
        CliError::Invalid { file, diagnostics } => {
            io::stderr(&diagnostics::text(diagnostics, file.as_deref()));
        }
        CliError::Usage(m) => io::stderr(&format!(
            "error: {}\n\nFor more information, try '--help'.\n",
            diagnostics::clean(m, 2000)
        )),
        CliError::Io(m) => io::stderr(&format!("error: {}\n", diagnostics::clean(m, 2000))),
        CliError::ClosedPipe | CliError::LinesFailed(_) => {}
        other => io::stderr(&format!("error: {other}\n")),
    }
    e.exit_code()
}
