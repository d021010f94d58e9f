//! `homeward-serve`: a CDS Hooks 2.0 service that an electronic patient record (EPR) calls at
//! discharge (`encounter-discharge`) or when a record is opened (`patient-view`). It reads the
//! patient's newest completed Homeward discharge checklist — a FHIR QuestionnaireResponse, sent
//! as prefetch or fetched from the EPR's FHIR server — evaluates it with the Homeward engine
//! and answers with cards: what is still in the way of going home, who owns it, what to do.
//!
//! The CDS client's JWT is verified against the trusted clients' JWK Sets; CORS is open to
//! browser-based EPRs; bodies and request times are limited; every refusal is JSON
//! (`{"error": {"code", "message"}}`).
//!
//! ```no_run
//! # async fn start() -> Result<(), homeward_serve::ServeError> {
//! let mut options = homeward_serve::Options::default();
//! options.trust = vec!["https://epr.example.nhs.uk=https://epr.example.nhs.uk/jwks.json".into()];
//! options.public_url = Some("https://cds.example.nhs.uk".into());
//! homeward_serve::run(options).await
//! # }
//! ```

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod feedback;
pub mod fhir;
pub mod hooks;
pub mod jwks;
pub mod rulebook;

pub use app::{router, run, serve, App};
pub use config::{Config, Options};
pub use error::{ApiError, ServeError};

/// Logs to standard error at `level` (`error`, `warn`, `info` or `debug`).
pub fn init_logging(level: &str) {
    let level = match level {
        "error" => tracing::Level::ERROR,
        "warn" => tracing::Level::WARN,
        "debug" => tracing::Level::DEBUG,
        _ => tracing::Level::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
