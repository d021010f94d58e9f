//! `homeward-serve`: runs the Homeward CDS Hooks 2.0 service. See `--help` and
//! `docs/epr-integration.md`.

use clap::Parser;
use homeward_serve::{init_logging, run, Options, ServeError};
use std::process::ExitCode;

/// The Homeward CDS Hooks 2.0 service (encounter-discharge, patient-view).
#[derive(Debug, Parser)]
#[command(name = "homeward-serve", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    options: Options,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.options.log_level);
    match run(cli.options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(match e {
                ServeError::Option { .. } => 2,
                _ => 1,
            })
        }
    }
}
