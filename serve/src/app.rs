//! The HTTP service: routes, the CDS client's token check on every `/cds-services` request,
//! CORS for browser-based EPRs, a request body limit and a time limit, JSON errors for every
//! refusal (including unknown routes and panics), and the hook handler that turns the
//! patient's newest completed checklist into cards.

use crate::auth::{Claims, Verifier};
use crate::config::{Config, Options};
use crate::error::{json_response, ApiError, ServeError};
use crate::feedback::FeedbackLog;
use crate::fhir::{self, Search};
use crate::hooks::{self, HookRequest, Prefetch, Service};
use crate::jwks::KeyStore;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use homeward::{Diagnostic, Diagnostics, Ruleset};
use homeward_interop::cds::{self, CardOptions};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

/// Everything a request needs, shared by all requests.
#[derive(Debug)]
pub struct App {
    config: Config,
    ruleset: Ruleset,
    services: Vec<Service>,
    canonical: String,
    verifier: Option<Verifier>,
    http: reqwest::Client,
    feedback: FeedbackLog,
    rulebook: String,
    rulebook_url: String,
}

fn load_ruleset(o: &Options) -> Result<Ruleset, ServeError> {
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).map_err(|source| ServeError::Io {
            context: format!("cannot read `{}`", p.display()),
            source,
        })
    };
    let base = match &o.ruleset {
        Some(p) => read(p)?,
        None => homeward::bundled::NATIONAL_JSON.to_string(),
    };
    let mut overlays = Vec::new();
    for p in &o.overlay {
        overlays.push(read(p)?);
    }
    for id in &o.bundled_overlay {
        let json = homeward::bundled::overlay_json(id).ok_or_else(|| ServeError::Option {
            option: "--bundled-overlay",
            message: format!("no bundled overlay `{id}`"),
        })?;
        overlays.push(json.to_string());
    }
    let refs: Vec<&str> = overlays.iter().map(String::as_str).collect();
    Ruleset::from_json_with_overlays(&base, &refs).map_err(|e| {
        ServeError::Ruleset(
            e.diagnostics()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })
}

fn http_client(config: &Config) -> Result<reqwest::Client, ServeError> {
    reqwest::Client::builder()
        .timeout(config.fhir_timeout)
        .connect_timeout(config.fhir_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("homeward-serve/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ServeError::Io {
            context: "cannot build the HTTP client".into(),
            source: std::io::Error::other(e),
        })
}

impl App {
    /// Loads the ruleset and the trusted clients' keys.
    ///
    /// # Errors
    /// A [`ServeError`] when the ruleset, a checklist, an overlay or a key set cannot be loaded.
    pub async fn new(config: Config) -> Result<Arc<App>, ServeError> {
        let o = &config.options;
        let ruleset = load_ruleset(o)?;
        let services = hooks::services(&o.discharge_checklist, &o.patient_view_checklist);
        for s in &services {
            ruleset
                .checklist(Some(&s.checklist))
                .map_err(|_| ServeError::Option {
                    option: if s.id == hooks::DISCHARGE {
                        "--discharge-checklist"
                    } else {
                        "--patient-view-checklist"
                    },
                    message: format!(
                        "no checklist `{}` (the ruleset has: {})",
                        s.checklist,
                        ruleset.checklist_ids().join(", ")
                    ),
                })?;
        }
        let http = http_client(&config)?;
        let verifier = if config.auth {
            Some(Verifier::new(KeyStore::load(&http, &config.trusted).await?))
        } else {
            tracing::warn!("development mode: requests are NOT authenticated (loopback only)");
            None
        };
        let rulebook_url = o
            .rulebook_url
            .clone()
            .unwrap_or_else(|| format!("{}/rulebook", config.public_url));
        Ok(Arc::new(App {
            canonical: fhir::questionnaire_url(&ruleset),
            rulebook: crate::rulebook::page(&ruleset),
            rulebook_url,
            feedback: FeedbackLog::default(),
            verifier,
            http,
            services,
            ruleset,
            config,
        }))
    }

    /// The service with this id.
    fn service(&self, id: &str) -> Result<&Service, ApiError> {
        self.services.iter().find(|s| s.id == id).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "UNKNOWN_SERVICE",
                format!("no CDS service `{id}`; see GET /cds-services"),
            )
        })
    }

    /// The Questionnaire canonical URL the prefetch searches for.
    #[must_use]
    pub fn questionnaire_url(&self) -> &str {
        &self.canonical
    }

    /// Feedback counts so far.
    #[must_use]
    pub fn feedback(&self) -> &FeedbackLog {
        &self.feedback
    }

    fn card_options(&self, req: &HookRequest) -> CardOptions {
        CardOptions {
            hook_instance: Some(req.hook_instance.clone()),
            patient_id: Some(req.patient_id.clone()),
            encounter_id: req.encounter_id.clone(),
            rulebook_url: Some(self.rulebook_url.clone()),
            checklist_url: self.config.options.checklist_url.clone(),
            source_label: Some("Homeward".into()),
        }
    }

    fn source(&self) -> Value {
        json!({ "label": format!("Homeward · {} {}", self.ruleset.id(), self.ruleset.version()), "url": self.rulebook_url })
    }

    fn checklist_links(&self) -> Option<Value> {
        self.config.options.checklist_url.as_ref().map(|u| {
            json!([{ "label": "Open the Homeward discharge checklist", "url": u, "type": "absolute" }])
        })
    }

    fn notice(
        &self,
        req: &HookRequest,
        key: &str,
        summary: &str,
        indicator: &str,
        detail: String,
    ) -> Value {
        let mut card = json!({
            "uuid": cds::uuid_for(&format!("hook:{}/#{key}/card", req.hook_instance)),
            "summary": cds::summary(summary), "indicator": indicator, "detail": detail,
            "source": self.source() });
        if let (Some(links), Some(o)) = (self.checklist_links(), card.as_object_mut()) {
            o.insert("links".into(), links);
        }
        json!({ "cards": [card] })
    }

    fn no_checklist(&self, req: &HookRequest) -> Value {
        self.notice(req, "no-checklist", "No completed Homeward discharge checklist for this patient yet", "info",
            format!("Homeward looked for a completed QuestionnaireResponse to `{}` about this patient and found none. \
Complete the discharge checklist to see what is outstanding before the patient can go home.", self.canonical))
    }

    fn unreadable(&self, req: &HookRequest, diagnostics: &[Diagnostic]) -> Value {
        let list: Vec<String> = diagnostics
            .iter()
            .take(10)
            .map(|d| format!("- {d}"))
            .collect();
        self.notice(req, "unreadable", "Homeward could not read this patient's discharge checklist answers", "warning",
            format!("The newest completed checklist could not be evaluated, so nothing is shown about discharge readiness. \
Correct the answers in the checklist.\n\n{}", list.join("\n")))
    }

    /// The cards for one checked hook request.
    async fn cards(&self, service: &Service, req: &HookRequest) -> Result<Value, ApiError> {
        let qr = match &req.prefetch {
            Prefetch::Value(v) => fhir::select(v, &self.canonical, &req.patient_id)?,
            Prefetch::Null => None,
            Prefetch::Absent => {
                let Some(server) = &req.fhir_server else {
                    return Err(ApiError::precondition(
                        "NO_DATA",
                        format!("neither prefetch `{}` nor fhirServer was given, so the checklist cannot be read", fhir::PREFETCH_KEY),
                    ));
                };
                let search = Search {
                    server,
                    token: req.access_token.as_deref(),
                    canonical: &self.canonical,
                    patient: &req.patient_id,
                    timeout: self.config.fhir_timeout,
                };
                let bundle = fhir::fetch(&self.http, search).await?;
                fhir::select(&bundle, &self.canonical, &req.patient_id)?
            }
        };
        let Some(qr) = qr else {
            return Ok(self.no_checklist(req));
        };
        let facts = match fhir::import(&self.ruleset, &qr) {
            // Evaluated as of today in the configured time zone (the engine reads no clock).
            Ok(f) => f.with_as_of(homeward::Date::parse(&self.config.today().to_string()).ok()),
            Err(d) => return Ok(self.unreadable(req, &d)),
        };
        let checklist = self
            .ruleset
            .checklist(Some(&service.checklist))
            .map_err(|_| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "the service's checklist is missing",
                )
            })?;
        let report = self.ruleset.evaluate(checklist, &facts);
        let opts = self.card_options(req);
        self.feedback.issue(cds::card_ids(&report, &opts));
        Ok(cds::response(&report, &opts))
    }
}

fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = ct.split(';').next().unwrap_or("").trim();
    if media.eq_ignore_ascii_case("application/json")
        || media.eq_ignore_ascii_case("application/fhir+json")
    {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            format!("send the request as `Content-Type: application/json` (got `{ct}`)"),
        ))
    }
}

fn body(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BODY_TOO_LARGE",
                format!("the request body is larger than {limit} bytes"),
            )
        } else {
            ApiError::bad_request(
                "UNREADABLE_BODY",
                format!("the request body could not be read: {e}"),
            )
        }
    })
}

async fn discovery(State(app): State<Arc<App>>) -> Response {
    json_response(
        StatusCode::OK,
        &hooks::discovery(&app.services, &app.canonical),
    )
}

async fn call(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let service = app.service(&id)?;
    require_json(&headers)?;
    let bytes = body(raw, app.config.options.max_body_bytes)?;
    let req = HookRequest::parse(&bytes, service)?;
    let cards = app.cards(service, &req).await?;
    Ok(json_response(StatusCode::OK, &cards))
}

async fn feedback(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let service = app.service(&id)?;
    require_json(&headers)?;
    let bytes = body(raw, app.config.options.max_body_bytes)?;
    let items = crate::feedback::parse(&bytes)?;
    app.feedback.record(service.id, &items);
    Ok(json_response(
        StatusCode::OK,
        &json!({ "received": items.len() }),
    ))
}

async fn rulebook(State(app): State<Arc<App>>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            ),
        ],
        app.rulebook.clone(),
    )
        .into_response()
}

async fn health(State(app): State<Arc<App>>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({
            "status": "ok",
            "ruleset": { "id": app.ruleset.id(), "version": app.ruleset.version(), "hash": app.ruleset.hash() },
            "services": app.services.iter().map(|s| json!({ "id": s.id, "hook": s.hook, "checklist": s.checklist })).collect::<Vec<_>>(),
            "authentication": if app.config.auth { "jwt" } else { "disabled (development mode)" },
            "feedback": app.feedback.snapshot(),
        }),
    )
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "no such endpoint; the CDS services are listed at GET /cds-services",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "this endpoint does not take that method (discovery is GET, services and feedback are POST)")
}

/// Checks the CDS client's token; the audience is the public URL plus the path called.
async fn authenticate(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    let Some(verifier) = &app.verifier else {
        return next.run(req).await;
    };
    let audience = format!("{}{}", app.config.public_url, req.uri().path());
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match verifier.verify(&app.http, header, &audience).await {
        Ok(claims) => {
            tracing::debug!(iss = %claims.iss, tenant = claims.tenant.as_deref().unwrap_or("-"), "client verified");
            req.extensions_mut().insert::<Claims>(claims);
            next.run(req).await
        }
        Err(e) => {
            tracing::warn!(code = e.code, path = %req.uri().path(), "token refused");
            e.into_response()
        }
    }
}

/// The time limit, and one log line per request (method, path, status, milliseconds; never a
/// body, a token or a patient id).
async fn limit_time(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let started = Instant::now();
    let limit = app.config.request_timeout;
    let response = match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "TIMEOUT",
            format!(
                "the request took longer than {} ms and was stopped",
                limit.as_millis()
            ),
        )
        .into_response(),
    };
    tracing::info!(%method, path, status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    response
}

fn panic_response(_: Box<dyn core::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked; answered 500");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "the service failed on this request",
    )
    .into_response()
}

fn cors(config: &Config) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .max_age(std::time::Duration::from_secs(600));
    let origins: Vec<HeaderValue> = config
        .options
        .allow_origin
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        layer.allow_origin(Any)
    } else {
        layer.allow_origin(AllowOrigin::list(origins))
    }
}

/// The router for an app.
pub fn router(app: Arc<App>) -> Router {
    let cds = Router::new()
        .route("/cds-services", get(discovery))
        .route("/cds-services/{id}", post(call))
        .route("/cds-services/{id}/feedback", post(feedback))
        .route_layer(middleware::from_fn_with_state(app.clone(), authenticate));
    Router::new()
        .merge(cds)
        .route("/rulebook", get(rulebook))
        .route("/healthz", get(health))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(app.config.options.max_body_bytes))
        .layer(middleware::from_fn_with_state(app.clone(), limit_time))
        .layer(cors(&app.config))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(app)
}

/// Reloads the trusted key sets on the configured interval.
fn spawn_key_refresh(app: &Arc<App>) {
    if app.verifier.is_none() {
        return;
    }
    let app = Arc::clone(app);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(app.config.jwks_refresh);
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Some(v) = &app.verifier {
                v.keys().refresh_all(&app.http).await;
            }
        }
    });
}

/// Serves `app` on an open listener until `shutdown` completes.
///
/// # Errors
/// [`ServeError::Io`] when the server fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl core::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    spawn_key_refresh(&app);
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| ServeError::Io {
            context: "the server failed".into(),
            source,
        })
}

async fn interrupted() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let term = async {
            if let Ok(mut s) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                s.recv().await;
            } else {
                core::future::pending::<()>().await;
            }
        };
        tokio::select! { _ = ctrl_c => {}, () = term => {} }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    tracing::info!("shutting down");
}

/// Checks the options, loads everything, listens and serves until Ctrl-C or SIGTERM.
///
/// # Errors
/// A [`ServeError`] when the options are invalid, something cannot be loaded, or the address
/// cannot be bound.
pub async fn run(options: Options) -> Result<(), ServeError> {
    let config = Config::from_options(options)?;
    let addr = config.options.listen;
    let app = App::new(config).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Io {
            context: format!("cannot listen on {addr}"),
            source,
        })?;
    tracing::info!(
        "Homeward CDS Hooks service on http://{addr}/cds-services (public URL {})",
        app.config.public_url
    );
    serve(listener, app, interrupted()).await
}
