//! The trusted CDS clients' public keys: each issuer's JWK Set, read from a file or fetched
//! from a URL at start, reloaded on an interval and when a token names a `kid` not yet known
//! (at most once a minute per issuer). Only asymmetric signing keys with a `kid` are kept;
//! symmetric (`oct`) and encryption keys are skipped.

use crate::config::{KeySource, TrustedClient};
use crate::error::ServeError;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The largest key set accepted, in bytes.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;

/// How soon an unknown `kid` may trigger another reload of the same issuer's keys.
pub const RELOAD_BACKOFF: Duration = Duration::from_secs(60);

/// One usable public key.
#[derive(Clone)]
pub struct Key {
    /// The verification key.
    pub key: DecodingKey,
    /// The algorithm the JWK declares (`alg`), if any; a token must then use exactly it.
    pub alg: Option<Algorithm>,
}

impl core::fmt::Debug for Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Key")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// One issuer's keys by `kid`, and when they may next be reloaded on demand.
#[derive(Debug)]
struct Issuer {
    client: TrustedClient,
    keys: RwLock<Arc<BTreeMap<String, Key>>>,
    reload: Mutex<Option<Instant>>,
}

/// Every trusted issuer's keys.
#[derive(Debug, Default)]
pub struct KeyStore {
    issuers: BTreeMap<String, Issuer>,
}

/// Reads a JWK Set document into usable keys by `kid`.
///
/// # Errors
/// A message when the document is not a JWK Set or holds no usable key.
pub fn parse_jwks(text: &str) -> Result<BTreeMap<String, Key>, String> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Some(entries) = doc.get("keys").and_then(|k| k.as_array()) else {
        return Err("not a JWK Set (no `keys` array)".into());
    };
    let mut keys = BTreeMap::new();
    let mut skipped = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match usable(entry) {
            Ok((kid, key)) => {
                keys.insert(kid, key);
            }
            Err(why) => skipped.push(format!("$.keys[{i}]: {why}")),
        }
    }
    for s in &skipped {
        tracing::warn!("key skipped: {s}");
    }
    if keys.is_empty() {
        return Err(format!("no usable signing key ({})", skipped.join("; ")));
    }
    Ok(keys)
}

fn usable(entry: &serde_json::Value) -> Result<(String, Key), String> {
    let jwk: Jwk = serde_json::from_value(entry.clone()).map_err(|e| e.to_string())?;
    if matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
        return Err("symmetric (`oct`) keys are not accepted".into());
    }
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return Err("an encryption key (`use: enc`)".into());
    }
    let Some(kid) = jwk.common.key_id.clone() else {
        return Err("no `kid`".into());
    };
    let alg = match &jwk.common.key_algorithm {
        Some(a) => {
            let name = serde_json::to_value(a)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            Some(
                Algorithm::from_str(&name)
                    .map_err(|_| format!("algorithm `{name}` is not a signing algorithm"))?,
            )
        }
        None => None,
    };
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| e.to_string())?;
    Ok((kid, Key { key, alg }))
}

async fn fetch_text(http: &reqwest::Client, source: &KeySource) -> Result<String, String> {
    match source {
        KeySource::File(path) => tokio::fs::read_to_string(path)
            .await
            .map_err(|e| e.to_string()),
        KeySource::Url(url) => {
            let response = http
                .get(url)
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if !response.status().is_success() {
                return Err(format!("HTTP {}", response.status()));
            }
            let bytes = crate::fhir::read_capped(response, MAX_JWKS_BYTES).await?;
            String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())
        }
    }
}

async fn load(
    http: &reqwest::Client,
    client: &TrustedClient,
) -> Result<BTreeMap<String, Key>, ServeError> {
    let text = fetch_text(http, &client.jwks).await;
    text.and_then(|t| parse_jwks(&t))
        .map_err(|message| ServeError::Jwks {
            issuer: client.issuer.clone(),
            source_name: client.jwks.to_string(),
            message,
        })
}

impl KeyStore {
    /// Loads every trusted client's key set.
    ///
    /// # Errors
    /// [`ServeError::Jwks`] for the first key set that cannot be read or holds no usable key.
    pub async fn load(
        http: &reqwest::Client,
        clients: &[TrustedClient],
    ) -> Result<KeyStore, ServeError> {
        let mut issuers = BTreeMap::new();
        for client in clients {
            let keys = load(http, client).await?;
            tracing::info!(issuer = %client.issuer, keys = keys.len(), source = %client.jwks, "trusted CDS client");
            issuers.insert(
                client.issuer.clone(),
                Issuer {
                    client: client.clone(),
                    keys: RwLock::new(Arc::new(keys)),
                    reload: Mutex::new(None),
                },
            );
        }
        Ok(KeyStore { issuers })
    }

    /// Whether tokens from `issuer` are accepted at all.
    #[must_use]
    pub fn trusts(&self, issuer: &str) -> bool {
        self.issuers.contains_key(issuer)
    }

    fn current(&self, issuer: &str, kid: &str) -> Option<Key> {
        let i = self.issuers.get(issuer)?;
        let keys = i.keys.read().ok()?.clone();
        keys.get(kid).cloned()
    }

    /// The key `kid` of `issuer`, reloading that issuer's key set once if the `kid` is unknown
    /// and the last reload was more than [`RELOAD_BACKOFF`] ago.
    pub async fn key(&self, http: &reqwest::Client, issuer: &str, kid: &str) -> Option<Key> {
        if let Some(k) = self.current(issuer, kid) {
            return Some(k);
        }
        let i = self.issuers.get(issuer)?;
        let mut last = i.reload.lock().await;
        if last.is_some_and(|t| t.elapsed() < RELOAD_BACKOFF) {
            return self.current(issuer, kid);
        }
        *last = Some(Instant::now());
        self.replace(http, i).await;
        self.current(issuer, kid)
    }

    async fn replace(&self, http: &reqwest::Client, i: &Issuer) {
        match load(http, &i.client).await {
            Ok(keys) => {
                if let Ok(mut slot) = i.keys.write() {
                    *slot = Arc::new(keys);
                }
            }
            Err(e) => tracing::warn!("keeping the previous keys: {e}"),
        }
    }

    /// Reloads every issuer's key set (keeping the old keys where a reload fails).
    pub async fn refresh_all(&self, http: &reqwest::Client) {
        for i in self.issuers.values() {
            *i.reload.lock().await = Some(Instant::now());
            self.replace(http, i).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetric_and_kid_less_keys_are_skipped() {
        let set = r#"{"keys": [
            {"kty": "oct", "kid": "h", "k": "c2VjcmV0"},
            {"kty": "EC", "crv": "P-384", "x": "46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk",
             "y": "XMcRuuoGW7CXjQdy-F5i3FeBE0x9hPLdeFdSoDd3ELmx404tLX0VRRcqzAsPhXcI"},
            {"kty": "EC", "crv": "P-384", "kid": "example-kid", "alg": "ES384", "use": "sig",
             "x": "46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk",
             "y": "XMcRuuoGW7CXjQdy-F5i3FeBE0x9hPLdeFdSoDd3ELmx404tLX0VRRcqzAsPhXcI"}]}"#;
        let keys = parse_jwks(set).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys.keys().collect::<Vec<_>>(), ["example-kid"]);
        assert_eq!(keys["example-kid"].alg, Some(Algorithm::ES384));
    }

    #[test]
    fn a_set_without_usable_keys_is_an_error() {
        assert!(
            parse_jwks(r#"{"keys": [{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}]}"#)
                .is_err_and(|e| e.contains("symmetric"))
        );
        assert!(parse_jwks("[]").is_err_and(|e| e.contains("no `keys`")));
        assert!(parse_jwks("{").is_err_and(|e| e.contains("not JSON")));
    }
}
