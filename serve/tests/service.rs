//! The service driven over HTTP on 127.0.0.1 with a real client (reqwest): discovery, the
//! hook with prefetch and with a fetch from a FHIR server the test starts, the CDS client's JWT
//! (good, unsigned, expired, wrong audience, wrong or unknown key, untrusted issuer, replayed,
//! key rotation), CORS preflight, the body limit, malformed input, feedback and the rulebook.

#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test support fails the test with context; serde_json::Value indexing yields Null"
)]

mod common;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn post(
    run: &Running,
    key: &Key,
    path: &str,
    body: &Value,
) -> (StatusCode, Value, HeaderMap) {
    let token = key.sign(&claims(&run.url(path)));
    send(client().post(run.url(path)).bearer_auth(token).json(body)).await
}

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value, HeaderMap) {
    let r = req.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::IM_A_TEAPOT);
    let headers = r.headers().clone();
    let text = r.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "non_json_body": text }));
    let mut h = HeaderMap::new();
    for (k, v) in &headers {
        if let (Ok(k), Ok(v)) = (
            axum::http::HeaderName::from_bytes(k.as_str().as_bytes()),
            axum::http::HeaderValue::from_bytes(v.as_bytes()),
        ) {
            h.insert(k, v);
        }
    }
    (status, body, h)
}

#[track_caller]
fn assert_error(got: &(StatusCode, Value, HeaderMap), status: StatusCode, code: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["error"]["code"], code, "{}", got.1);
    assert!(
        got.1["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        got.1
    );
}

fn card<'a>(response: &'a Value, summary_prefix: &str) -> &'a Value {
    response["cards"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| {
            c["summary"]
                .as_str()
                .is_some_and(|s| s.starts_with(summary_prefix))
        })
        .unwrap_or_else(|| panic!("no card `{summary_prefix}…` in {response:#}"))
}

const DISCHARGE: &str = "/cds-services/homeward-discharge";

#[tokio::test]
async fn discovery_offers_both_hooks_with_a_fhir_search_prefetch() {
    let key = Key::generate("k1");
    let run = start_with_key(&key).await;
    let token = key.sign(&claims(&run.url("/cds-services")));
    let (status, body, _) = send(client().get(run.url("/cds-services")).bearer_auth(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let services = body["services"].as_array().cloned().unwrap_or_default();
    let hooks: Vec<&str> = services.iter().filter_map(|s| s["hook"].as_str()).collect();
    assert_eq!(hooks, ["encounter-discharge", "patient-view"]);
    for s in &services {
        assert!(s["description"].as_str().is_some_and(|d| !d.is_empty()));
        let q = s["prefetch"]["homewardQuestionnaireResponse"]
            .as_str()
            .unwrap_or_default();
        assert!(
            q.starts_with(
                "QuestionnaireResponse?subject=Patient/{{context.patientId}}&questionnaire="
            ),
            "{q}"
        );
        assert!(
            q.ends_with("&status=completed&_sort=-authored&_count=1"),
            "{q}"
        );
        assert!(
            q.contains("https%3A%2F%2Fhomeward.invalid%2Ffhir%2FQuestionnaire%2Fengland-national"),
            "{q}"
        );
    }
    // Discovery needs a token too, for its own URL.
    let (s, _, h) = send(client().get(run.url("/cds-services"))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(h.get("www-authenticate").is_some());
}

#[tokio::test]
async fn a_prefetched_bundle_gives_cards_for_that_patient() {
    let key = Key::generate("k1");
    let run = start_with_key(&key).await;
    let rs = national();
    let older = questionnaire_response(
        &rs,
        &json!({ "home.carers_need_access": false }),
        PATIENT,
        "2026-11-20T09:00:00Z",
    );
    let newer = questionnaire_response(
        &rs,
        &key_safe_missing(),
        PATIENT,
        "2026-11-24T09:30:00+00:00",
    );
    let hook = hook_instance();
    let (status, body, headers) = post(
        &run,
        &key,
        DISCHARGE,
        &hook_request(&hook, Some(bundle(vec![older, newer]))),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    assert_valid(&response_schema(), &body, "service response");
    let verdict = card(&body, "Not ready for discharge");
    assert_eq!(verdict["indicator"], "warning");
    let key_safe = card(
        &body,
        "Outstanding: Key safe or key arranged for carers (housing)",
    );
    assert_eq!(key_safe["indicator"], "warning");
    let action = &key_safe["suggestions"][0]["actions"][0];
    assert_eq!(action["type"], "create");
    let sr = &action["resource"];
    assert_eq!(sr["resourceType"], "ServiceRequest");
    assert_eq!(sr["status"], "draft");
    assert_eq!(sr["subject"]["reference"], format!("Patient/{PATIENT}"));
    assert_eq!(sr["encounter"]["reference"], "Encounter/enc-9");
    assert_eq!(sr["performerType"]["coding"][0]["code"], "housing");
    assert_eq!(
        sr["code"]["text"],
        "Handyperson or key-safe fitting service"
    );
    assert_eq!(sr["reasonCode"][0]["coding"][0]["code"], "key_safe");
    let links: Vec<&str> = key_safe["links"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["url"].as_str())
        .collect();
    assert!(
        links.contains(&run.url("/rulebook#key_safe").as_str()),
        "{links:?}"
    );
    // The same answers under another hook instance: other UUIDs, same content.
    let (_, again, _) = post(
        &run,
        &key,
        DISCHARGE,
        &hook_request(&hook_instance(), Some(body_prefetch(&rs))),
    )
    .await;
    let uuid_again = card(&again, "Outstanding: Key safe").get("uuid").cloned();
    assert_ne!(key_safe.get("uuid").cloned(), uuid_again);
}

fn body_prefetch(rs: &homeward::Ruleset) -> Value {
    bundle(vec![questionnaire_response(
        rs,
        &key_safe_missing(),
        PATIENT,
        "2026-11-24T09:30:00Z",
    )])
}

#[tokio::test]
async fn patient_view_uses_the_same_answers() {
    let key = Key::generate("k1");
    let run = start_with_key(&key).await;
    let mut req = hook_request(&hook_instance(), Some(body_prefetch(&national())));
    req["hook"] = json!("patient-view");
    let (status, body, _) = post(&run, &key, "/cds-services/homeward-patient-view", &req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    card(&body, "Outstanding: Key safe");
    req["hook"] = json!("encounter-discharge");
    let got = post(&run, &key, "/cds-services/homeward-patient-view", &req).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "WRONG_HOOK");
}

#[tokio::test]
async fn a_null_prefetch_says_no_checklist_yet() {
    let key = Key::generate("k1");
    let run = start_with_key(&key).await;
    let (status, body, _) = post(
        &run,
        &key,
        DISCHARGE,
        &hook_request(&hook_instance(), Some(Value::Null)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_valid(&response_schema(), &body, "no checklist");
    let c = card(&body, "No completed Homeward discharge checklist");
    assert_eq!(c["links"][0]["url"], "https://checklist.test.nhs.uk/");
    // An empty search result is the same.
    let (_, body, _) = post(
        &run,
        &key,
        DISCHARGE,
        &hook_request(&hook_instance(), Some(bundle(vec![]))),
    )
    .await;
    card(&body, "No completed Homeward discharge checklist");
}

#[tokio::test]
async fn an_unreadable_response_gives_a_warning_card_not_a_verdict() {
    let key = Key::generate("k1");
    let run = start_with_key(&key).await;
    let mut qr = questionnaire_response(
        &national(),
        &key_safe_missing(),
        PATIENT,
        "2026-11-24T09:30:00Z",
    );
    qr["item"][0]["item"][0]["linkId"] = json!("home.no_such_question");
    let (status, body, _) = post(
        &run,
        &key,
        DISCHARGE,
        &hook_request(&hook_instance(), Some(bundle(vec![qr]))),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_valid(&response_schema(), &body, "unreadable");
    let c = card(&body, "Homeward could not read");
    assert_eq!(c["indicator"], "warning");
    assert!(
        c["detail"]
            .as_str()
            .is_some_and(|d| d.contains("home.no_such_question")),
        "{c}"
    );
    assert_eq!(body["cards"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn another_patients_answers_are_refused() {
    let key = Key::generate("k1");
    let run = start_with_key(&key).await;
    let qr = questionnaire_response(
        &national(),
        &key_safe_missing(),
        "someone-else",
        "2026-11-24T09:30:00Z",
    );
    let got = post(
        &run,
        &key,
        DISCHARGE,
        &hook_request(&hook_instance(), Some(bundle(vec![qr]))),
    )
    .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "PATIENT_MISMATCH");
}

/// One FHIR search the test server saw: its Authorization header and query.
type Call = (Option<String>, BTreeMap<String, String>);

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Call>>>);

async fn fhir_search(
    State((seen, bundle)): State<(Seen, Value)>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Ok(mut s) = seen.0.lock() {
        s.push((auth.clone(), q));
    }
    if auth.as_deref() != Some("Bearer fhir-token") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "resourceType": "OperationOutcome" })),
        );
    }
    (StatusCode::OK, Json(bundle))
}

#[tokio::test]
async fn without_prefetch_the_service_searches_the_fhir_server_with_the_token() {
    let key = Key::generate("k1");
    let run = start_with_key(&key).await;
    let rs = national();
    let seen = Seen::default();
    let results = bundle(vec![
        questionnaire_response(
            &rs,
            &json!({ "home.carers_need_access": false }),
            PATIENT,
            "2026-11-20T09:00:00Z",
        ),
        questionnaire_response(&rs, &key_safe_missing(), PATIENT, "2026-11-24T09:30:00Z"),
    ]);
    let fhir = serve_router(
        Router::new()
            .route("/fhir/QuestionnaireResponse", get(fhir_search))
            .with_state((seen.clone(), results)),
    )
    .await;
    let mut req = hook_request(&hook_instance(), None);
    req["fhirServer"] = json!(format!("{fhir}/fhir"));
    req["fhirAuthorization"] = json!({ "access_token": "fhir-token", "token_type": "Bearer", "expires_in": 300,
                                       "scope": "patient/QuestionnaireResponse.read", "subject": "homeward" });
    let (status, body, _) = post(&run, &key, DISCHARGE, &req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    card(&body, "Outstanding: Key safe");
    let calls = seen.0.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(calls.len(), 1);
    let (auth, q) = &calls[0];
    assert_eq!(auth.as_deref(), Some("Bearer fhir-token"));
    assert_eq!(q.get("subject").map(String::as_str), Some("Patient/p-123"));
    assert_eq!(
        q.get("questionnaire").map(String::as_str),
        Some(run.app.questionnaire_url())
    );
    assert_eq!(q.get("status").map(String::as_str), Some("completed"));
    assert_eq!(q.get("_sort").map(String::as_str), Some("-authored"));

    // A refused FHIR token is a 412, as CDS Hooks asks.
    req["fhirAuthorization"]["access_token"] = json!("expired-token");
    let got = post(&run, &key, DISCHARGE, &req).await;
    assert_error(&got, StatusCode::PRECONDITION_FAILED, "FHIR_FETCH_FAILED");
    assert!(
        got.1["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("401")),
        "{}",
        got.1
    );
}

/// A FHIR server that answers every search after five seconds (longer than any limit tested).
async fn slow_fhir_server() -> String {
    serve_router(Router::new().route(
        "/fhir/QuestionnaireResponse",
        get(|| async {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            Json(json!({}))
        }),
    ))
    .await
}

#[tokio::test]
async fn a_slow_or_missing_fhir_server_is_a_412() {
    let key = Key::generate("k1");
    let path = temp_file("jwks.json", &Key::set(&[&key]).to_string());
    let run = start(&path.to_string_lossy(), |o| o.fhir_timeout_ms = 200).await;
    let slow = slow_fhir_server().await;
    let mut req = hook_request(&hook_instance(), None);
    req["fhirServer"] = json!(format!("{slow}/fhir"));
    let got = post(&run, &key, DISCHARGE, &req).await;
    assert_error(&got, StatusCode::PRECONDITION_FAILED, "FHIR_FETCH_FAILED");
    assert!(
        got.1["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("did not answer")),
        "{}",
        got.1
    );
    let got = post(&run, &key, DISCHARGE, &hook_request(&hook_instance(), None)).await;
    assert_error(&got, StatusCode::PRECONDITION_FAILED, "NO_DATA");
}

#[tokio::test]
async fn the_request_time_limit_answers_503_in_json() {
    let key = Key::generate("k1");
    let path = temp_file("jwks.json", &Key::set(&[&key]).to_string());
    let run = start(&path.to_string_lossy(), |o| {
        o.request_timeout_ms = 200;
        o.fhir_timeout_ms = 10_000;
    })
    .await;
    let slow = slow_fhir_server().await;
    let mut req = hook_request(&hook_instance(), None);
    req["fhirServer"] = json!(format!("{slow}/fhir"));
    let got = post(&run, &key, DISCHARGE, &req).await;
    assert_error(&got, StatusCode::SERVICE_UNAVAILABLE, "TIMEOUT");
}

#[tokio::test]
async fn tokens_are_checked() {
    let key = Key::generate("k1");
    let other = Key::generate("k1");
    let stranger = Key::generate("k-unknown");
    let run = start_with_key(&key).await;
    let body = hook_request(&hook_instance(), Some(Value::Null));
    let aud = run.url(DISCHARGE);
    let call = |token: Option<String>| {
        let mut r = client().post(run.url(DISCHARGE)).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        send(r)
    };
    assert_eq!(call(Some(key.sign(&claims(&aud)))).await.0, StatusCode::OK);

    let b64 = |v: &Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT", "kid": "k1" })),
        b64(&claims(&aud))
    );
    let got = call(Some(unsigned)).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "UNSIGNED_TOKEN");
    assert!(got
        .2
        .get("www-authenticate")
        .is_some_and(|v| v.to_str().is_ok_and(|s| s.starts_with("Bearer"))));

    let mut expired = claims(&aud);
    expired["iat"] = json!(now() - 1000);
    expired["exp"] = json!(now() - 900);
    assert_error(
        &call(Some(key.sign(&expired))).await,
        StatusCode::UNAUTHORIZED,
        "TOKEN_EXPIRED",
    );

    let wrong_aud = claims(&run.url("/cds-services/homeward-patient-view"));
    assert_error(
        &call(Some(key.sign(&wrong_aud))).await,
        StatusCode::UNAUTHORIZED,
        "WRONG_AUDIENCE",
    );
    let mut aud_list = claims(&aud);
    aud_list["aud"] = json!(["https://elsewhere.example/cds-services/x", aud]);
    assert_eq!(
        call(Some(key.sign(&aud_list))).await.0,
        StatusCode::OK,
        "aud may be an array holding the URL"
    );

    assert_error(
        &call(Some(other.sign(&claims(&aud)))).await,
        StatusCode::UNAUTHORIZED,
        "BAD_SIGNATURE",
    );
    assert_error(
        &call(Some(stranger.sign(&claims(&aud)))).await,
        StatusCode::UNAUTHORIZED,
        "UNKNOWN_KEY",
    );

    let mut untrusted = claims(&aud);
    untrusted["iss"] = json!("https://someone-else.example");
    assert_error(
        &call(Some(key.sign(&untrusted))).await,
        StatusCode::UNAUTHORIZED,
        "UNTRUSTED_ISSUER",
    );

    let once = key.sign(&claims(&aud));
    assert_eq!(call(Some(once.clone())).await.0, StatusCode::OK);
    assert_error(
        &call(Some(once)).await,
        StatusCode::UNAUTHORIZED,
        "TOKEN_REPLAYED",
    );

    let mut no_jti = claims(&aud);
    no_jti.as_object_mut().map(|o| o.remove("jti"));
    assert_error(
        &call(Some(key.sign(&no_jti))).await,
        StatusCode::UNAUTHORIZED,
        "MISSING_CLAIM",
    );

    let mut long = claims(&aud);
    long["exp"] = json!(now() + 3600);
    assert_error(
        &call(Some(key.sign(&long))).await,
        StatusCode::UNAUTHORIZED,
        "TOKEN_LIFETIME",
    );

    let hmac = jsonwebtoken::encode(
        &jsonwebtoken::Header {
            kid: Some("k1".into()),
            ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
        },
        &claims(&aud),
        &jsonwebtoken::EncodingKey::from_secret(key.jwk.to_string().as_bytes()),
    )
    .unwrap_or_default();
    assert_error(
        &call(Some(hmac)).await,
        StatusCode::UNAUTHORIZED,
        "SYMMETRIC_ALGORITHM",
    );

    assert_error(&call(None).await, StatusCode::UNAUTHORIZED, "MISSING_TOKEN");
    assert_error(
        &call(Some("not.a-token".into())).await,
        StatusCode::UNAUTHORIZED,
        "MALFORMED_TOKEN",
    );
}

#[tokio::test]
async fn rs384_tokens_are_accepted_as_well_as_es384() {
    let ec = Key::generate("ec-1");
    let rsa = Key::generate_rsa("rsa-1");
    let path = temp_file("jwks.json", &Key::set(&[&ec, &rsa]).to_string());
    let run = start(&path.to_string_lossy(), |_| {}).await;
    let body = hook_request(&hook_instance(), Some(Value::Null));
    assert_eq!(post(&run, &rsa, DISCHARGE, &body).await.0, StatusCode::OK);
    assert_eq!(post(&run, &ec, DISCHARGE, &body).await.0, StatusCode::OK);
    // A token claiming ES384 for the RSA key's kid is refused before any signature check.
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES384);
    header.kid = Some("rsa-1".into());
    let forged = jsonwebtoken::encode(&header, &claims(&run.url(DISCHARGE)), &ec.encoding)
        .unwrap_or_default();
    let got = send(
        client()
            .post(run.url(DISCHARGE))
            .bearer_auth(forged)
            .json(&body),
    )
    .await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "ALGORITHM_MISMATCH");
}

#[tokio::test]
async fn a_rotated_key_is_fetched_from_the_jwks_url_once() {
    let old = Key::generate("2026-01");
    let new = Key::generate("2026-02");
    let stranger = Key::generate("never-published");
    let set = Arc::new(Mutex::new(Key::set(&[&old])));
    let fetches = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (served, count) = (Arc::clone(&set), Arc::clone(&fetches));
    let jwks = serve_router(Router::new().route(
        "/jwks.json",
        get(move || {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let s = served.lock().map(|s| s.clone()).unwrap_or_default();
            async move { Json(s) }
        }),
    ))
    .await;
    let run = start(&format!("{jwks}/jwks.json"), |_| {}).await;
    let fetched = || fetches.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(fetched(), 1, "the key set is fetched at start");
    let body = hook_request(&hook_instance(), Some(Value::Null));
    assert_eq!(post(&run, &old, DISCHARGE, &body).await.0, StatusCode::OK);
    assert_eq!(fetched(), 1, "a known kid needs no fetch");
    // The EPR publishes its next key and starts signing with it: the unknown kid reloads the set.
    if let Ok(mut s) = set.lock() {
        *s = Key::set(&[&old, &new]);
    }
    assert_eq!(post(&run, &new, DISCHARGE, &body).await.0, StatusCode::OK);
    assert_eq!(fetched(), 2);
    // Another unknown kid within a minute does not make the service fetch again.
    assert_error(
        &post(&run, &stranger, DISCHARGE, &body).await,
        StatusCode::UNAUTHORIZED,
        "UNKNOWN_KEY",
    );
    assert_eq!(fetched(), 2, "reloads are rate-limited");
}

#[tokio::test]
async fn cors_preflight_allows_browser_epr_clients() {
    let key = Key::generate("k1");
    let run = start_with_key(&key).await;
    let r = client()
        .request(reqwest::Method::OPTIONS, run.url(DISCHARGE))
        .header("Origin", "https://epr.test.nhs.uk")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(r.status().is_success(), "{}", r.status());
    let h = |n: &str| {
        r.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    assert_eq!(h("access-control-allow-origin"), "*");
    assert!(h("access-control-allow-headers").contains("authorization"));
    assert!(h("access-control-allow-headers").contains("content-type"));
    assert!(h("access-control-allow-methods").contains("post"));
    // The actual request carries the header too, and so does a refusal.
    let (_, _, headers) = send(
        client()
            .post(run.url(DISCHARGE))
            .header("Origin", "https://epr.test.nhs.uk")
            .json(&json!({})),
    )
    .await;
    assert_eq!(
        headers
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("*")
    );
}

#[tokio::test]
async fn bad_requests_get_json_errors() {
    let key = Key::generate("k1");
    let path = temp_file("jwks.json", &Key::set(&[&key]).to_string());
    let run = start(&path.to_string_lossy(), |o| o.max_body_bytes = 64 * 1024).await;
    let token = || key.sign(&claims(&run.url(DISCHARGE)));

    let big = json!({ "padding": "x".repeat(100 * 1024) });
    assert_error(
        &send(
            client()
                .post(run.url(DISCHARGE))
                .bearer_auth(token())
                .json(&big),
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "BODY_TOO_LARGE",
    );

    let got = send(
        client()
            .post(run.url(DISCHARGE))
            .bearer_auth(token())
            .header("content-type", "application/json")
            .body("{\"hook\": "),
    )
    .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "INVALID_JSON");
    assert!(got.1["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("column")));

    let got = send(
        client()
            .post(run.url(DISCHARGE))
            .bearer_auth(token())
            .header("content-type", "text/plain")
            .body("{}"),
    )
    .await;
    assert_error(
        &got,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UNSUPPORTED_MEDIA_TYPE",
    );

    let mut no_patient = hook_request(&hook_instance(), Some(Value::Null));
    no_patient["context"]
        .as_object_mut()
        .map(|c| c.remove("patientId"));
    let got = send(
        client()
            .post(run.url(DISCHARGE))
            .bearer_auth(token())
            .json(&no_patient),
    )
    .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "INVALID_REQUEST");
    assert!(got.1["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("$.context.patientId")));

    let got = send(
        client()
            .post(run.url(DISCHARGE))
            .bearer_auth(token())
            .json(&json!([1, 2])),
    )
    .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "INVALID_REQUEST");

    let url = run.url("/cds-services/nope");
    let got = send(
        client()
            .post(&url)
            .bearer_auth(key.sign(&claims(&url)))
            .json(&json!({})),
    )
    .await;
    assert_error(&got, StatusCode::NOT_FOUND, "UNKNOWN_SERVICE");
    assert_error(
        &send(client().get(run.url("/no/such/path"))).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    assert_error(
        &send(client().put(run.url("/healthz"))).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
    );
}

#[tokio::test]
async fn feedback_is_checked_and_counted_by_requirement() {
    let key = Key::generate("k1");
    let run = start_with_key(&key).await;
    let (_, cards, _) = post(
        &run,
        &key,
        DISCHARGE,
        &hook_request(&hook_instance(), Some(body_prefetch(&national()))),
    )
    .await;
    let c = card(&cards, "Outstanding: Key safe");
    let fb = json!({ "feedback": [
        { "card": c["uuid"], "outcome": "accepted", "acceptedSuggestions": [{ "id": c["suggestions"][0]["uuid"] }],
          "outcomeTimestamp": "2026-11-24T10:00:00Z" },
        { "card": card(&cards, "Not ready")["uuid"], "outcome": "overridden",
          "overrideReason": { "reason": { "code": "answers-out-of-date", "system": "urn:homeward:cds:override-reason" },
                              "userComment": "free text never logged" },
          "outcomeTimestamp": "2026-11-24T10:01:00Z" } ] });
    let path = format!("{DISCHARGE}/feedback");
    let (status, body, _) = post(&run, &key, &path, &fb).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["received"], 2);
    let (_, health, _) = send(client().get(run.url("/healthz"))).await;
    assert_eq!(
        health["feedback"]["by_requirement"]["key_safe"]["accepted"], 1,
        "{health}"
    );
    assert_eq!(
        health["feedback"]["by_requirement"]["verdict"]["reasons"]["answers-out-of-date"], 1,
        "{health}"
    );

    let bad = json!({ "feedback": [{ "card": c["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-11-24T10:00:00Z" }] });
    let got = post(&run, &key, &path, &bad).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "INVALID_FEEDBACK");
    assert!(got.1["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("$.feedback[0].acceptedSuggestions")));
    // Feedback needs a token for the feedback URL.
    let wrong = key.sign(&claims(&run.url(DISCHARGE)));
    assert_error(
        &send(client().post(run.url(&path)).bearer_auth(wrong).json(&fb)).await,
        StatusCode::UNAUTHORIZED,
        "WRONG_AUDIENCE",
    );
}

#[tokio::test]
async fn development_mode_needs_no_token_on_loopback() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let mut o = homeward_serve::Options::default();
    o.listen = addr;
    o.insecure_dev_no_auth = true;
    let app = homeward_serve::App::new(
        homeward_serve::Config::from_options(o).unwrap_or_else(|e| panic!("{e}")),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(homeward_serve::serve(
        listener,
        app,
        core::future::pending(),
    ));
    let url = format!("http://{addr}{DISCHARGE}");
    let (status, body, _) = send(client().post(url).json(&hook_request(
        &hook_instance(),
        Some(body_prefetch(&national())),
    )))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    card(&body, "Outstanding: Key safe");
}

#[tokio::test]
async fn the_rulebook_page_anchors_every_requirement() {
    let key = Key::generate("k1");
    let run = start_with_key(&key).await;
    let r = client()
        .get(run.url("/rulebook"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 200);
    let csp = r
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = r.text().await.unwrap_or_default();
    for id in [
        "key_safe",
        "safeguarding_destination",
        "care_package_in_place",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "no anchor for {id}");
    }
}

/// A pathway 1 patient ready apart from the package, whose first visit is on `start` ("None of
/// these" ticked for the criteria to reside and what the patient waits for).
fn package_starting(start: &str) -> Value {
    json!({
        "clinical.criteria_to_reside": "none-of-these", "clinical.news2": 1,
        "pathway.returning_to_existing_care_home": false, "pathway.new_support_at_home": true,
        "pathway.needs_bedded_rehab": false, "pathway.needs_long_term_24h_care": false,
        "home.clutter_blocks_equipment": false, "home.needs_deep_clean": false,
        "home.heating_working": true, "home.bed_and_toilet_reachable": true,
        "home.carers_need_access": false, "home.minor_adaptations_needed": false,
        "home.major_adaptation_needed": false, "home.equipment_needed": false,
        "housing.status": "settled", "care.has_unpaid_carer": false, "care.choice_agreed": true,
        "safeguarding.concern_open": false, "safeguarding.self_neglect": false,
        "safeguarding.domestic_abuse": false, "safeguarding.new_concern_identified": false,
        "capacity.doubt": false, "logistics.tto_ready": true, "logistics.transport_arranged": true,
        "logistics.discharge_summary_sent": true, "logistics.follow_up_booked": true,
        "logistics.patient_informed": true, "logistics.waiting_for": "none-of-these",
        "care.funding_route": "local_authority", "care.provider_confirmed": true,
        "care.package_covers_needs": true, "care.package_start_date": start
    })
}

/// The service evaluates as of today's date in its time zone (UTC by default): a package
/// starting today lets the patient go; one starting tomorrow is outstanding.
#[tokio::test]
async fn the_service_evaluates_as_of_today() {
    let key = Key::generate("k1");
    let run = start_with_key(&key).await;
    let rs = national();
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date();
    let tomorrow = today.tomorrow().unwrap_or_else(|e| panic!("{e}"));
    let ask = |start: String| {
        let qr = questionnaire_response(
            &rs,
            &package_starting(&start),
            PATIENT,
            "2026-11-24T09:30:00Z",
        );
        hook_request(&hook_instance(), Some(bundle(vec![qr])))
    };
    let (status, body, _) = post(&run, &key, DISCHARGE, &ask(today.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    card(&body, "Ready for discharge");
    let (status, body, _) = post(&run, &key, DISCHARGE, &ask(tomorrow.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    card(&body, "Not ready for discharge");
    card(
        &body,
        "Outstanding: Care package or reablement confirmed to start",
    );
}

/// `--time-zone`: UTC (any case) and the system's IANA names; anything else is refused.
#[test]
fn the_time_zone_is_checked() {
    let with = |zone: &str| {
        let mut o = homeward_serve::Options::default();
        o.insecure_dev_no_auth = true;
        o.time_zone = zone.into();
        homeward_serve::Config::from_options(o)
    };
    assert!(with("UTC").is_ok());
    assert!(with("utc").is_ok());
    let err = with("Mars/Olympus_Mons")
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--time-zone") && err.contains("Mars/Olympus_Mons"),
        "{err}"
    );
    if std::path::Path::new("/usr/share/zoneinfo/Europe/London").exists() {
        let c = with("Europe/London").unwrap_or_else(|e| panic!("{e}"));
        let utc = jiff::tz::TimeZone::UTC
            .to_datetime(jiff::Timestamp::now())
            .date();
        // London is UTC or one hour ahead: its date is today's UTC date or the next day.
        let london = c.today();
        assert!(
            london == utc || Some(london) == utc.tomorrow().ok(),
            "{london} {utc}"
        );
    }
}
