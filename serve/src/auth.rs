//! Trusting CDS clients (CDS Hooks 2.0): every request carries `Authorization: Bearer <JWT>`,
//! signed with an asymmetric key from the issuer's JWK Set. Checked here: the signature (never
//! `alg: none`, never HMAC), `kid` known for that issuer, `iss` in the trusted list, `aud`
//! equal to the endpoint's own URL, `exp` (and `nbf`) with 60 seconds' leeway, `iat` and `jti`
//! present, a lifetime of at most five minutes, and no `jti` seen before from that issuer.

use crate::error::ApiError;
use crate::jwks::KeyStore;
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Mutex;

/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECONDS: u64 = 60;

/// The longest token lifetime accepted (`exp - iat`), in seconds.
pub const MAX_LIFETIME_SECONDS: u64 = 300;

/// The most unexpired `jti`s remembered; beyond this, new tokens are refused until some expire.
pub const REPLAY_CAPACITY: usize = 200_000;

/// Signing algorithms accepted: asymmetric only (CDS Hooks recommends ES384 and RS384).
pub const ACCEPTED: [Algorithm; 9] = [
    Algorithm::ES384,
    Algorithm::RS384,
    Algorithm::ES256,
    Algorithm::RS256,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::EdDSA,
];

/// What a verified token says about the caller.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Claims {
    /// The issuer (a trusted CDS client).
    pub iss: String,
    /// The client id, when given.
    #[serde(default)]
    pub sub: Option<String>,
    /// The token's unique id.
    #[serde(default)]
    pub jti: Option<String>,
    /// The healthcare organisation, when given.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Issue time, seconds since the epoch.
    #[serde(default)]
    pub iat: Option<u64>,
}

#[derive(Deserialize)]
struct Header {
    alg: Option<String>,
    kid: Option<String>,
}

#[derive(Deserialize)]
struct Unverified {
    iss: Option<String>,
}

/// Seen `(issuer, jti)` pairs until they expire.
#[derive(Debug, Default)]
struct ReplayCache {
    seen: BTreeMap<(String, String), u64>,
}

impl ReplayCache {
    fn admit(&mut self, iss: &str, jti: &str, exp: u64, now: u64) -> Result<(), ApiError> {
        if self.seen.len() >= REPLAY_CAPACITY {
            self.seen.retain(|_, e| *e + LEEWAY_SECONDS >= now);
        }
        let key = (iss.to_string(), jti.to_string());
        if self
            .seen
            .get(&key)
            .is_some_and(|e| *e + LEEWAY_SECONDS >= now)
        {
            return Err(ApiError::unauthorized(
                "TOKEN_REPLAYED",
                format!("the token `jti` `{jti}` has been used before; sign a new token for every request"),
            ));
        }
        if self.seen.len() >= REPLAY_CAPACITY {
            return Err(ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "TOO_MANY_TOKENS",
                "too many unexpired tokens to remember; try again shortly",
            ));
        }
        self.seen.insert(key, exp);
        Ok(())
    }
}

/// Verifies CDS clients' tokens against the trusted key sets.
#[derive(Debug)]
pub struct Verifier {
    keys: KeyStore,
    replay: Mutex<ReplayCache>,
}

fn segment<T: serde::de::DeserializeOwned>(part: &str, what: &str) -> Result<T, ApiError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| {
            ApiError::unauthorized(
                "MALFORMED_TOKEN",
                format!("the token {what} is not base64url"),
            )
        })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::unauthorized(
            "MALFORMED_TOKEN",
            format!("the token {what} is not a JSON object: {e}"),
        )
    })
}

/// The token from an `Authorization: Bearer …` header.
///
/// # Errors
/// `MISSING_TOKEN` when the header is absent or not a bearer token.
pub fn bearer(header: Option<&str>) -> Result<&str, ApiError> {
    let h = header.ok_or_else(|| {
        ApiError::unauthorized(
            "MISSING_TOKEN",
            "no Authorization header: CDS clients send `Authorization: Bearer <JWT>`",
        )
    })?;
    match h.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(ApiError::unauthorized(
            "MISSING_TOKEN",
            "the Authorization header is not `Bearer <JWT>`",
        )),
    }
}

fn algorithm(name: Option<&str>) -> Result<Algorithm, ApiError> {
    let Some(name) = name else {
        return Err(ApiError::unauthorized(
            "MALFORMED_TOKEN",
            "the token header has no `alg`",
        ));
    };
    if name.eq_ignore_ascii_case("none") {
        return Err(ApiError::unauthorized(
            "UNSIGNED_TOKEN",
            "unsigned tokens (`alg: none`) are refused",
        ));
    }
    if name.to_ascii_uppercase().starts_with("HS") {
        return Err(ApiError::unauthorized(
            "SYMMETRIC_ALGORITHM",
            format!("`{name}` is symmetric; CDS Hooks requires an asymmetric signature (ES384 or RS384)"),
        ));
    }
    Algorithm::from_str(name)
        .ok()
        .filter(|a| ACCEPTED.contains(a))
        .ok_or_else(|| {
            ApiError::unauthorized(
                "UNSUPPORTED_ALGORITHM",
                format!("signing algorithm `{name}` is not accepted"),
            )
        })
}

fn decode_error(kind: &ErrorKind, audience: &str) -> ApiError {
    match kind {
        ErrorKind::ExpiredSignature => {
            ApiError::unauthorized("TOKEN_EXPIRED", "the token has expired (`exp`)")
        }
        ErrorKind::ImmatureSignature => {
            ApiError::unauthorized("TOKEN_NOT_YET_VALID", "the token is not valid yet (`nbf`)")
        }
        ErrorKind::InvalidAudience => ApiError::unauthorized(
            "WRONG_AUDIENCE",
            format!("the token's `aud` must be this endpoint's URL, `{audience}`"),
        ),
        ErrorKind::InvalidIssuer => {
            ApiError::unauthorized("UNTRUSTED_ISSUER", "the token's `iss` is not trusted")
        }
        ErrorKind::InvalidSignature => ApiError::unauthorized(
            "BAD_SIGNATURE",
            "the token's signature does not verify with the issuer's key",
        ),
        ErrorKind::MissingRequiredClaim(c) => {
            ApiError::unauthorized("MISSING_CLAIM", format!("the token has no `{c}` claim"))
        }
        ErrorKind::InvalidAlgorithm => ApiError::unauthorized(
            "ALGORITHM_MISMATCH",
            "the token's `alg` does not match the key's type",
        ),
        other => {
            ApiError::unauthorized("INVALID_TOKEN", format!("the token is invalid: {other:?}"))
        }
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Verifier {
    /// A verifier over the trusted clients' keys.
    #[must_use]
    pub fn new(keys: KeyStore) -> Verifier {
        Verifier {
            keys,
            replay: Mutex::new(ReplayCache::default()),
        }
    }

    /// The key store (for the periodic reload).
    #[must_use]
    pub fn keys(&self) -> &KeyStore {
        &self.keys
    }

    /// Verifies the `Authorization` header of a request to `audience` (the full URL of the
    /// endpoint called).
    ///
    /// # Errors
    /// A 401 [`ApiError`] saying which check failed (`MISSING_TOKEN`, `UNSIGNED_TOKEN`,
    /// `UNTRUSTED_ISSUER`, `UNKNOWN_KEY`, `BAD_SIGNATURE`, `TOKEN_EXPIRED`, `WRONG_AUDIENCE`,
    /// `MISSING_CLAIM`, `TOKEN_LIFETIME`, `TOKEN_REPLAYED`, …).
    pub async fn verify(
        &self,
        http: &reqwest::Client,
        authorization: Option<&str>,
        audience: &str,
    ) -> Result<Claims, ApiError> {
        let token = bearer(authorization)?;
        let parts: Vec<&str> = token.split('.').collect();
        let [h, p, _s] = parts.as_slice() else {
            return Err(ApiError::unauthorized(
                "MALFORMED_TOKEN",
                "a JWT has three dot-separated parts",
            ));
        };
        let header: Header = segment(h, "header")?;
        let alg = algorithm(header.alg.as_deref())?;
        let kid = header.kid.ok_or_else(|| {
            ApiError::unauthorized("MISSING_KID", "the token header has no `kid`")
        })?;
        let issuer = segment::<Unverified>(p, "payload")?.iss.ok_or_else(|| {
            ApiError::unauthorized("MISSING_CLAIM", "the token has no `iss` claim")
        })?;
        if !self.keys.trusts(&issuer) {
            return Err(ApiError::unauthorized(
                "UNTRUSTED_ISSUER",
                format!("issuer `{issuer}` is not a trusted CDS client"),
            ));
        }
        let key = self.keys.key(http, &issuer, &kid).await.ok_or_else(|| {
            ApiError::unauthorized(
                "UNKNOWN_KEY",
                format!("no key `{kid}` in the key set of `{issuer}`"),
            )
        })?;
        if key.alg.is_some_and(|a| a != alg) {
            return Err(ApiError::unauthorized(
                "ALGORITHM_MISMATCH",
                format!("key `{kid}` is not for `{alg:?}`"),
            ));
        }
        let mut v = Validation::new(alg);
        v.set_audience(&[audience]);
        v.set_issuer(&[issuer.as_str()]);
        v.set_required_spec_claims(&["exp", "aud", "iss"]);
        v.leeway = LEEWAY_SECONDS;
        v.validate_nbf = true;
        let claims = jsonwebtoken::decode::<Claims>(token, &key.key, &v)
            .map_err(|e| decode_error(e.kind(), audience))?
            .claims;
        self.check_claims(&claims)?;
        Ok(claims)
    }

    fn check_claims(&self, c: &Claims) -> Result<(), ApiError> {
        let jti = c.jti.as_deref().filter(|j| !j.is_empty()).ok_or_else(|| {
            ApiError::unauthorized(
                "MISSING_CLAIM",
                "the token has no `jti` claim (a unique id per token)",
            )
        })?;
        let iat = c.iat.ok_or_else(|| {
            ApiError::unauthorized("MISSING_CLAIM", "the token has no `iat` claim")
        })?;
        let now = now();
        if iat > now + LEEWAY_SECONDS {
            return Err(ApiError::unauthorized(
                "TOKEN_NOT_YET_VALID",
                "the token's `iat` is in the future",
            ));
        }
        if c.exp.saturating_sub(iat) > MAX_LIFETIME_SECONDS {
            return Err(ApiError::unauthorized(
                "TOKEN_LIFETIME",
                format!("the token lives {} s; at most {MAX_LIFETIME_SECONDS} s (`exp` - `iat`) is accepted", c.exp.saturating_sub(iat)),
            ));
        }
        let mut replay = self.replay.lock().map_err(|_| {
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "replay cache unavailable",
            )
        })?;
        replay.admit(&c.iss, jti, c.exp, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_from_the_header() {
        assert_eq!(bearer(Some("Bearer abc")).ok(), Some("abc"));
        assert_eq!(bearer(Some("bearer  abc ")).ok(), Some("abc"));
        assert!(bearer(Some("Basic abc")).is_err());
        assert!(bearer(None).is_err_and(|e| e.code == "MISSING_TOKEN"));
    }

    #[test]
    fn none_and_hmac_are_refused_before_any_key_lookup() {
        assert!(algorithm(Some("none")).is_err_and(|e| e.code == "UNSIGNED_TOKEN"));
        assert!(algorithm(Some("NONE")).is_err_and(|e| e.code == "UNSIGNED_TOKEN"));
        assert!(algorithm(Some("HS256")).is_err_and(|e| e.code == "SYMMETRIC_ALGORITHM"));
        assert!(algorithm(Some("XS1")).is_err_and(|e| e.code == "UNSUPPORTED_ALGORITHM"));
        assert_eq!(algorithm(Some("ES384")).ok(), Some(Algorithm::ES384));
    }

    #[test]
    fn a_jti_is_admitted_once_until_it_expires() {
        let mut c = ReplayCache::default();
        assert!(c.admit("iss", "a", 1000, 900).is_ok());
        assert!(c
            .admit("iss", "a", 1000, 950)
            .is_err_and(|e| e.code == "TOKEN_REPLAYED"));
        assert!(c.admit("other", "a", 1000, 950).is_ok());
        assert!(c.admit("iss", "a", 1000, 1000 + LEEWAY_SECONDS + 1).is_ok());
    }
}
