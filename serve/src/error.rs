//! Errors: every failed request is answered with an HTTP status and a JSON body
//! `{"error": {"code", "message"}}` (a stable `SCREAMING_SNAKE` code and a sentence for people);
//! a refused token also gets a `WWW-Authenticate` header. Start-up failures are [`ServeError`].

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A request the service refuses or could not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code, e.g. `TOKEN_EXPIRED`.
    pub code: &'static str,
    /// What went wrong and what to do, for the person reading the EPR's log.
    pub message: String,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400: the request is not a valid CDS Hooks request.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401: the CDS client's token is missing or refused.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// 412: the data needed could not be obtained (CDS Hooks: "Precondition Failed").
    pub fn precondition(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PRECONDITION_FAILED, code, message)
    }

    /// The JSON body.
    #[must_use]
    pub fn body(&self) -> serde_json::Value {
        json!({ "error": { "code": self.code, "message": self.message } })
    }
}

impl core::fmt::Display for ApiError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

/// A JSON response with the CDS Hooks content type.
pub fn json_response(status: StatusCode, value: &serde_json::Value) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.status, &self.body());
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\"",
                self.code
            );
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
        }
        response
    }
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// An option is invalid or options contradict each other.
    #[error("option `{option}`: {message}")]
    Option {
        /// The option, e.g. `--trust`.
        option: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The ruleset or an overlay did not load.
    #[error("the ruleset did not load:\n{0}")]
    Ruleset(String),
    /// A trusted client's key set could not be read.
    #[error("the key set `{source_name}` for issuer `{issuer}` could not be loaded: {message}")]
    Jwks {
        /// The issuer it belongs to.
        issuer: String,
        /// The file or URL.
        source_name: String,
        /// Why.
        message: String,
    },
    /// The listening socket could not be opened, or the server failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The operating system's error.
        source: std::io::Error,
    },
}
