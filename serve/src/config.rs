//! The service's options (a clap `Args` struct, so `homeward serve` can flatten it into the
//! CLI) and their validation into a [`Config`]: the public URL that tokens must name as their
//! audience, the trusted CDS clients (issuer → JWKS), limits, and the ruleset.

use crate::error::ServeError;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Command-line options of `homeward-serve` (and `homeward serve`).
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct Options {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,

    /// The base URL CDS clients call, e.g. `https://cds.trust.nhs.uk/homeward` (default
    /// `http://<listen>`). A token's `aud` must be this URL plus the endpoint path.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,

    /// A trusted CDS client: its JWT issuer (`iss`) and its JWK Set, a file or an https URL
    /// (repeatable), e.g. `--trust https://epr.trust.nhs.uk=https://epr.trust.nhs.uk/jwks.json`.
    #[arg(long = "trust", value_name = "ISSUER=JWKS")]
    pub trust: Vec<String>,

    /// How often key sets given by URL (and files) are reloaded, in seconds. An unknown `kid`
    /// also triggers a reload, at most once a minute per issuer.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub jwks_refresh: u64,

    /// Development only: accept requests without a token. Refused unless `--listen` is a
    /// loopback address.
    #[arg(long)]
    pub insecure_dev_no_auth: bool,

    /// A ruleset JSON file instead of the bundled national ruleset for England.
    #[arg(long, value_name = "FILE")]
    pub ruleset: Option<PathBuf>,

    /// An overlay JSON file (repeatable).
    #[arg(long, value_name = "FILE")]
    pub overlay: Vec<PathBuf>,

    /// A bundled overlay by id, e.g. `norfolk` (repeatable).
    #[arg(long, value_name = "ID")]
    pub bundled_overlay: Vec<String>,

    /// The checklist evaluated for `encounter-discharge`.
    #[arg(long, value_name = "ID", default_value = "ward_discharge")]
    pub discharge_checklist: String,

    /// The checklist evaluated for `patient-view`.
    #[arg(long, value_name = "ID", default_value = "ward_discharge")]
    pub patient_view_checklist: String,

    /// Absolute URL of the bedside checklist, linked from cards with open questions.
    #[arg(long, value_name = "URL")]
    pub checklist_url: Option<String>,

    /// Absolute URL of the rulebook (default: the service's own `/rulebook` page).
    #[arg(long, value_name = "URL")]
    pub rulebook_url: Option<String>,

    /// Allowed browser origins for CORS (repeatable; default any origin, without credentials).
    #[arg(long, value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,

    /// Largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Time limit for a whole request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub request_timeout_ms: u64,

    /// Time limit for fetching from the EPR's FHIR server (or a key set), in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5_000)]
    pub fhir_timeout_ms: u64,

    /// The time zone whose calendar gives "today" (the as-of date of every evaluation): `UTC`,
    /// or an IANA name such as `Europe/London` read from the system's time-zone database
    /// (/usr/share/zoneinfo). The engine reads no clock; the service reads it once per request.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub time_zone: String,

    /// Log level on standard error: `error`, `warn`, `info` (one line per request) or `debug`.
    #[arg(long, value_name = "LEVEL", default_value = "info", value_parser = ["error", "warn", "info", "debug"])]
    pub log_level: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            listen: SocketAddr::from(([127, 0, 0, 1], 8090)),
            public_url: None,
            trust: Vec::new(),
            jwks_refresh: 3600,
            insecure_dev_no_auth: false,
            ruleset: None,
            overlay: Vec::new(),
            bundled_overlay: Vec::new(),
            discharge_checklist: "ward_discharge".into(),
            patient_view_checklist: "ward_discharge".into(),
            checklist_url: None,
            rulebook_url: None,
            allow_origin: Vec::new(),
            max_body_bytes: 1024 * 1024,
            request_timeout_ms: 10_000,
            fhir_timeout_ms: 5_000,
            time_zone: "UTC".into(),
            log_level: "info".into(),
        }
    }
}

/// Where a trusted client's JWK Set comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A JSON file on disk.
    File(PathBuf),
    /// An http(s) URL (plain http only on a loopback host).
    Url(String),
}

impl core::fmt::Display for KeySource {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            KeySource::File(p) => write!(f, "{}", p.display()),
            KeySource::Url(u) => f.write_str(u),
        }
    }
}

/// A trusted CDS client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedClient {
    /// The `iss` its tokens carry.
    pub issuer: String,
    /// Its public keys.
    pub jwks: KeySource,
}

/// Validated settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The options as given.
    pub options: Options,
    /// The public base URL, without a trailing slash.
    pub public_url: String,
    /// Trusted clients; empty only in development mode.
    pub trusted: Vec<TrustedClient>,
    /// Whether tokens are checked.
    pub auth: bool,
    /// Key-set reload interval.
    pub jwks_refresh: Duration,
    /// Whole-request time limit.
    pub request_timeout: Duration,
    /// FHIR and key-set fetch time limit.
    pub fhir_timeout: Duration,
    /// The time zone whose calendar gives today's date (`--time-zone`).
    pub time_zone: jiff::tz::TimeZone,
}

impl Config {
    /// Today's date in the configured time zone: the as-of date of an evaluation now.
    #[must_use]
    pub fn today(&self) -> jiff::civil::Date {
        self.time_zone.to_datetime(jiff::Timestamp::now()).date()
    }
}

/// `UTC`, or an IANA time zone from the system's database.
fn time_zone(name: &str) -> Result<jiff::tz::TimeZone, ServeError> {
    if name.eq_ignore_ascii_case("utc") {
        return Ok(jiff::tz::TimeZone::UTC);
    }
    jiff::tz::TimeZone::get(name).map_err(|e| {
        option(
            "--time-zone",
            format!("`{name}` is not a time zone this system knows (UTC, or an IANA name such as Europe/London from /usr/share/zoneinfo): {e}"),
        )
    })
}

fn option(option: &'static str, message: impl Into<String>) -> ServeError {
    ServeError::Option {
        option,
        message: message.into(),
    }
}

/// Whether `url` is an absolute http(s) URL; plain http is accepted only for a loopback host.
#[must_use]
pub fn acceptable_url(url: &str) -> bool {
    match reqwest::Url::parse(url) {
        Ok(u) if u.scheme() == "https" => u.host().is_some(),
        Ok(u) if u.scheme() == "http" => is_loopback_host(&u),
        _ => false,
    }
}

/// Whether the URL's host is `localhost` or a loopback address.
#[must_use]
pub fn is_loopback_host(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn parse_trust(spec: &str) -> Result<TrustedClient, ServeError> {
    let Some((issuer, jwks)) = spec.split_once('=') else {
        return Err(option(
            "--trust",
            format!("`{spec}` is not ISSUER=JWKS (an issuer, `=`, then a key-set file or URL)"),
        ));
    };
    if issuer.is_empty() || jwks.is_empty() {
        return Err(option(
            "--trust",
            format!("`{spec}` has an empty issuer or key set"),
        ));
    }
    let jwks = if jwks.starts_with("http://") || jwks.starts_with("https://") {
        if !acceptable_url(jwks) {
            return Err(option(
                "--trust",
                format!("key set URL `{jwks}` must be https (plain http only on a loopback host)"),
            ));
        }
        KeySource::Url(jwks.to_string())
    } else {
        KeySource::File(PathBuf::from(jwks))
    };
    Ok(TrustedClient {
        issuer: issuer.to_string(),
        jwks,
    })
}

impl Config {
    /// Checks the options.
    ///
    /// # Errors
    /// [`ServeError::Option`] for a malformed `--trust`, a bad URL, no trusted client without
    /// development mode, or development mode on an address other than loopback.
    pub fn from_options(options: Options) -> Result<Config, ServeError> {
        let public_url = options
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", options.listen))
            .trim_end_matches('/')
            .to_string();
        if reqwest::Url::parse(&public_url)
            .map_or(true, |u| !matches!(u.scheme(), "http" | "https"))
        {
            return Err(option(
                "--public-url",
                format!("`{public_url}` is not an absolute http(s) URL"),
            ));
        }
        for (name, url) in [
            ("--checklist-url", &options.checklist_url),
            ("--rulebook-url", &options.rulebook_url),
        ] {
            if let Some(u) = url {
                if reqwest::Url::parse(u).map_or(true, |p| !matches!(p.scheme(), "http" | "https"))
                {
                    return Err(option(
                        name,
                        format!("`{u}` is not an absolute http(s) URL"),
                    ));
                }
            }
        }
        let trusted = options
            .trust
            .iter()
            .map(|t| parse_trust(t))
            .collect::<Result<Vec<_>, _>>()?;
        if options.insecure_dev_no_auth && !options.listen.ip().is_loopback() {
            return Err(option(
                "--insecure-dev-no-auth",
                format!(
                    "refusing to accept unauthenticated requests on {}: development mode listens on loopback only (e.g. --listen 127.0.0.1:8090)",
                    options.listen
                ),
            ));
        }
        if trusted.is_empty() && !options.insecure_dev_no_auth {
            return Err(option(
                "--trust",
                "no trusted CDS client: give --trust ISSUER=JWKS (or --insecure-dev-no-auth on loopback for development)",
            ));
        }
        if options.max_body_bytes < 1024 {
            return Err(option("--max-body-bytes", "must be at least 1024"));
        }
        let time_zone = time_zone(&options.time_zone)?;
        Ok(Config {
            time_zone,
            public_url,
            trusted,
            auth: !options.insecure_dev_no_auth,
            jwks_refresh: Duration::from_secs(options.jwks_refresh.max(60)),
            request_timeout: Duration::from_millis(options.request_timeout_ms.max(1)),
            fhir_timeout: Duration::from_millis(options.fhir_timeout_ms.max(1)),
            options,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut Options)) -> Result<Config, ServeError> {
        let mut o = Options::default();
        f(&mut o);
        Config::from_options(o)
    }

    #[test]
    fn dev_mode_is_refused_off_loopback() {
        let e = with(|o| {
            o.insecure_dev_no_auth = true;
            o.listen = "0.0.0.0:8090".parse().unwrap_or(o.listen);
        });
        assert!(matches!(
            e,
            Err(ServeError::Option {
                option: "--insecure-dev-no-auth",
                ..
            })
        ));
        assert!(with(|o| o.insecure_dev_no_auth = true).is_ok());
    }

    #[test]
    fn a_trusted_client_is_required_without_dev_mode() {
        assert!(matches!(
            with(|_| {}),
            Err(ServeError::Option {
                option: "--trust",
                ..
            })
        ));
    }

    #[test]
    fn trust_is_issuer_equals_key_set() {
        let c = with(|o| {
            o.trust = vec![
                "https://epr.example=https://epr.example/jwks".into(),
                "iss=keys.json".into(),
            ]
        });
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.trusted[0].issuer, "https://epr.example");
        assert_eq!(
            c.trusted[0].jwks,
            KeySource::Url("https://epr.example/jwks".into())
        );
        assert_eq!(c.trusted[1].jwks, KeySource::File("keys.json".into()));
        assert!(with(|o| o.trust = vec!["no-equals".into()]).is_err());
        assert!(with(|o| o.trust = vec!["iss=http://evil.example/jwks".into()]).is_err());
        assert!(with(|o| o.trust = vec!["iss=http://127.0.0.1:9/jwks".into()]).is_ok());
    }

    #[test]
    fn public_url_defaults_to_the_listen_address() {
        let c = with(|o| o.insecure_dev_no_auth = true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.public_url, "http://127.0.0.1:8090");
        let c = with(|o| {
            o.insecure_dev_no_auth = true;
            o.public_url = Some("https://cds.example/homeward/".into());
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.public_url, "https://cds.example/homeward");
    }
}
