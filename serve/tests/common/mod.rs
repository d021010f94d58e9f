//! Shared test support: signing keys and tokens, a service started on 127.0.0.1, a small FHIR
//! server, QuestionnaireResponses written as a form filler would (codings copied from the
//! exported Questionnaire), and the CDS Hooks response schema.

#![allow(dead_code, reason = "each test file uses part of the support")]

use homeward::Ruleset;
use homeward_serve::{App, Config, Options};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p384::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The issuer the test service trusts.
pub const ISS: &str = "https://epr.test.nhs.uk";

/// A patient id.
pub const PATIENT: &str = "p-123";

/// An ES384 key pair with a `kid`.
pub struct Key {
    pub kid: String,
    pub alg: Algorithm,
    pub encoding: EncodingKey,
    pub jwk: Value,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique string (for `jti`, file names, hook instances).
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh hook instance UUID.
pub fn hook_instance() -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, unique("hook").as_bytes()).to_string()
}

impl Key {
    pub fn generate(kid: &str) -> Key {
        let secret = p384::SecretKey::random(&mut rand_core::OsRng);
        let pem = secret
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap_or_else(|e| panic!("{e}"));
        let encoding = EncodingKey::from_ec_pem(pem.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let mut jwk: Value =
            serde_json::from_str(&secret.public_key().to_jwk_string()).unwrap_or_default();
        jwk["kid"] = json!(kid);
        jwk["alg"] = json!("ES384");
        jwk["use"] = json!("sig");
        Key {
            kid: kid.into(),
            alg: Algorithm::ES384,
            encoding,
            jwk,
        }
    }

    /// An RS384 key pair (2048-bit RSA) with a `kid`.
    pub fn generate_rsa(kid: &str) -> Key {
        use base64::Engine as _;
        use rsa::pkcs8::EncodePrivateKey as _;
        use rsa::traits::PublicKeyParts as _;
        let secret =
            rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap_or_else(|e| panic!("{e}"));
        let pem = secret
            .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap_or_else(|e| panic!("{e}"));
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let b64 = |b: Vec<u8>| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let jwk = json!({ "kty": "RSA", "kid": kid, "alg": "RS384", "use": "sig",
                          "n": b64(secret.n().to_bytes_be()), "e": b64(secret.e().to_bytes_be()) });
        Key {
            kid: kid.into(),
            alg: Algorithm::RS384,
            encoding,
            jwk,
        }
    }

    /// A JWK Set holding these keys.
    pub fn set(keys: &[&Key]) -> Value {
        json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() })
    }

    /// A signed token with these claims.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Good claims for `aud`.
pub fn claims(aud: &str) -> Value {
    let t = now();
    json!({ "iss": ISS, "sub": "epr-client", "aud": aud, "iat": t, "exp": t + 240, "jti": unique("jti"), "tenant": "trust-1" })
}

/// A temporary file with `text`.
pub fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique("homeward-serve-test"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    path
}

/// A running service.
pub struct Running {
    pub base: String,
    pub app: Arc<App>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Starts the service on 127.0.0.1 (an ephemeral port) trusting `ISS` with `jwks` (a file or
/// URL), with further options set by `f`.
pub async fn start(jwks: &str, f: impl FnOnce(&mut Options)) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let mut o = Options::default();
    o.listen = addr;
    o.trust = vec![format!("{ISS}={jwks}")];
    o.checklist_url = Some("https://checklist.test.nhs.uk/".into());
    f(&mut o);
    let config = Config::from_options(o).unwrap_or_else(|e| panic!("{e}"));
    let app = App::new(config).await.unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(homeward_serve::serve(
        listener,
        Arc::clone(&app),
        core::future::pending(),
    ));
    Running {
        base: format!("http://{addr}"),
        app,
    }
}

/// Starts the service trusting one key given as a JWKS file.
pub async fn start_with_key(key: &Key) -> Running {
    let path = temp_file("jwks.json", &Key::set(&[key]).to_string());
    start(&path.to_string_lossy(), |_| {}).await
}

/// Serves `router` on 127.0.0.1; returns its base URL.
pub async fn serve_router(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

/// The national ruleset.
pub fn national() -> Ruleset {
    Ruleset::national().unwrap_or_else(|e| panic!("{e}"))
}

fn answers(item: &Value, v: &Value) -> Option<Vec<Value>> {
    let option = |code: &str| {
        item["answerOption"]
            .as_array()?
            .iter()
            .find(|o| o["valueCoding"]["code"] == code)
            .map(|o| json!({ "valueCoding": o["valueCoding"] }))
    };
    match (item["type"].as_str()?, v) {
        ("boolean", Value::Bool(b)) => Some(vec![json!({ "valueBoolean": b })]),
        ("integer", Value::Number(n)) => Some(vec![json!({ "valueInteger": n })]),
        ("date", Value::String(d)) => Some(vec![json!({ "valueDate": d })]),
        ("choice", Value::String(s)) => Some(vec![option(s)?]),
        ("choice", Value::Array(a)) if !a.is_empty() => {
            a.iter().map(|c| option(c.as_str()?)).collect()
        }
        _ => None,
    }
}

/// A completed QuestionnaireResponse for `facts`, shaped like the exported Questionnaire
/// (groups mirrored, codings copied from `answerOption`); empty sets are left out, as FHIR
/// form fillers leave them out.
pub fn questionnaire_response(rs: &Ruleset, facts: &Value, patient: &str, authored: &str) -> Value {
    let q = homeward_interop::fhir::questionnaire(rs);
    let groups: Vec<Value> = q["item"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| {
            let items: Vec<Value> = g["item"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|it| {
                    let id = it["linkId"].as_str()?;
                    let a = answers(it, facts.get(id)?)?;
                    Some(json!({ "linkId": id, "text": it["text"], "answer": a }))
                })
                .collect();
            (!items.is_empty())
                .then(|| json!({ "linkId": g["linkId"], "text": g["text"], "item": items }))
        })
        .collect();
    json!({
        "resourceType": "QuestionnaireResponse",
        "id": unique("qr"),
        "questionnaire": format!("{}|{}", q["url"].as_str().unwrap_or_default(), q["version"].as_str().unwrap_or_default()),
        "status": "completed",
        "subject": { "reference": format!("Patient/{patient}") },
        "authored": authored,
        "item": groups,
    })
}

/// A searchset Bundle of resources.
pub fn bundle(resources: Vec<Value>) -> Value {
    json!({ "resourceType": "Bundle", "type": "searchset", "total": resources.len(),
            "entry": resources.into_iter().map(|r| json!({ "resource": r, "search": { "mode": "match" } })).collect::<Vec<_>>() })
}

/// A patient who needs a key safe that is not arranged: not ready, owned by housing (the golden
/// scenario `ward_key_safe_missing`, so the patient follows the rules as they change).
pub fn key_safe_missing() -> Value {
    let text = std::fs::read_to_string(repo().join("tests/scenarios/ward_key_safe_missing.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let scenario: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    scenario["facts"].clone()
}

/// An `encounter-discharge` request body.
pub fn hook_request(hook_instance: &str, prefetch: Option<Value>) -> Value {
    let mut r = json!({ "hook": "encounter-discharge", "hookInstance": hook_instance,
        "context": { "userId": "Practitioner/nurse-1", "patientId": PATIENT, "encounterId": "enc-9" } });
    if let Some(p) = prefetch {
        r["prefetch"] = json!({ "homewardQuestionnaireResponse": p });
    }
    r
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The CDS Hooks response schema (docs/schema/cds-hooks-response.schema.json), compiled.
pub fn response_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("docs/schema/cds-hooks-response.schema.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("the schema does not compile: {e}"))
}

/// Fails with every schema error and its path.
#[track_caller]
pub fn assert_valid(schema: &jsonschema::Validator, response: &Value, what: &str) {
    let errors: Vec<String> = schema
        .iter_errors(response)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: {} schema errors:\n{}",
        errors.len(),
        errors.join("\n")
    );
}
