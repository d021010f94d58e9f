//! The patient's answers as FHIR: the prefetch template (the newest completed
//! QuestionnaireResponse for the Homeward Questionnaire, by FHIR search), choosing that
//! response from a searchset Bundle, fetching it from the EPR's FHIR server when the client
//! did not prefetch it, and turning it into facts.

use crate::error::ApiError;
use homeward::{Diagnostic, Facts, Ruleset};
use serde_json::Value;
use std::str::FromStr;
use std::time::Duration;

/// The prefetch key under which the CDS client sends the search result.
pub const PREFETCH_KEY: &str = "homewardQuestionnaireResponse";

/// The largest FHIR response read, in bytes.
pub const MAX_FHIR_BYTES: usize = 4 * 1024 * 1024;

/// The one place a QuestionnaireResponse becomes facts: the CLI's strict importer, which maps
/// every answer exactly or refuses the response with located, coded diagnostics (nothing is
/// dropped or defaulted).
///
/// # Errors
/// The importer's diagnostics, with paths into the response.
pub fn import(rs: &Ruleset, qr: &Value) -> Result<Facts, Vec<Diagnostic>> {
    homeward_interop::fhir::facts_from_resource(rs, qr).map(|imported| imported.facts)
}

/// The canonical URL of the Questionnaire the ruleset exports (what responses must name).
#[must_use]
pub fn questionnaire_url(rs: &Ruleset) -> String {
    homeward_interop::fhir::questionnaire(rs)
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The prefetch template: a FHIR search a CDS client runs against its own server.
#[must_use]
pub fn prefetch_template(canonical: &str) -> String {
    format!(
        "QuestionnaireResponse?subject=Patient/{{{{context.patientId}}}}&questionnaire={}&status=completed&_sort=-authored&_count=1",
        encode(canonical)
    )
}

fn authored(qr: &Value) -> Option<jiff::Timestamp> {
    let s = qr.get("authored")?.as_str()?;
    jiff::Timestamp::from_str(s).ok().or_else(|| {
        // A date without a time (FHIR allows it): the start of that day, UTC.
        let date = jiff::civil::Date::from_str(s).ok()?;
        jiff::Timestamp::from_str(&format!("{date}T00:00:00Z")).ok()
    })
}

fn names_questionnaire(qr: &Value, canonical: &str) -> bool {
    qr.get("questionnaire")
        .and_then(Value::as_str)
        .is_some_and(|q| q.split('|').next() == Some(canonical))
}

fn subject_is(qr: &Value, patient: &str) -> bool {
    match qr.pointer("/subject/reference").and_then(Value::as_str) {
        None => true,
        Some(r) => {
            let want = format!("Patient/{patient}");
            r == want || r.ends_with(&format!("/{want}"))
        }
    }
}

/// Chooses the newest completed (or amended) response to the Homeward Questionnaire for the
/// patient from a prefetch or search result: a searchset Bundle or one QuestionnaireResponse.
/// `Ok(None)` when there is none.
///
/// # Errors
/// `INVALID_PREFETCH` (400) for another kind of resource; `PATIENT_MISMATCH` (400) when a
/// response is about another patient.
pub fn select(value: &Value, canonical: &str, patient: &str) -> Result<Option<Value>, ApiError> {
    let candidates: Vec<&Value> = match value.get("resourceType").and_then(Value::as_str) {
        Some("QuestionnaireResponse") => vec![value],
        Some("Bundle") => value
            .get("entry")
            .and_then(Value::as_array)
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e.pointer("/search/mode").and_then(Value::as_str) != Some("include"))
                    .filter_map(|e| e.get("resource"))
                    .collect()
            })
            .unwrap_or_default(),
        other => {
            return Err(ApiError::bad_request(
                "INVALID_PREFETCH",
                format!(
                    "prefetch `{PREFETCH_KEY}` must be a searchset Bundle or a QuestionnaireResponse, not {}",
                    other.map_or_else(|| "a value without resourceType".to_string(), |o| format!("`{o}`"))
                ),
            ))
        }
    };
    let mut best: Option<(&Value, Option<jiff::Timestamp>)> = None;
    for qr in candidates {
        if qr.get("resourceType").and_then(Value::as_str) != Some("QuestionnaireResponse") {
            continue;
        }
        if !subject_is(qr, patient) {
            return Err(ApiError::bad_request(
                "PATIENT_MISMATCH",
                "a QuestionnaireResponse in the request is about another patient than `context.patientId`; nothing was evaluated",
            ));
        }
        let status = qr.get("status").and_then(Value::as_str);
        if !matches!(status, Some("completed" | "amended")) || !names_questionnaire(qr, canonical) {
            continue;
        }
        let when = authored(qr);
        if best.as_ref().is_none_or(|(_, b)| when > *b) {
            best = Some((qr, when));
        }
    }
    Ok(best.map(|(qr, _)| qr.clone()))
}

/// Reads a response body, refusing one larger than `max` bytes.
///
/// # Errors
/// A message when the body is too large or the connection fails.
pub async fn read_capped(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(format!("the response is larger than {max} bytes"));
    }
    let mut out = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| e.without_url().to_string())?
    {
        if out.len() + chunk.len() > max {
            return Err(format!("the response is larger than {max} bytes"));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// What the service needs to search the EPR's FHIR server.
#[derive(Debug, Clone, Copy)]
pub struct Search<'a> {
    /// `fhirServer`: the base URL.
    pub server: &'a str,
    /// `fhirAuthorization.access_token`, sent as a bearer token.
    pub token: Option<&'a str>,
    /// The Questionnaire's canonical URL.
    pub canonical: &'a str,
    /// `context.patientId`.
    pub patient: &'a str,
    /// The time limit.
    pub timeout: Duration,
}

fn failed(message: impl Into<String>) -> ApiError {
    ApiError::precondition("FHIR_FETCH_FAILED", message)
}

/// Runs the prefetch search against the EPR's FHIR server and returns the result (a Bundle).
///
/// # Errors
/// `FHIR_FETCH_FAILED` (412, as CDS Hooks asks when the data cannot be obtained): the server
/// could not be reached in time, refused the token, answered an error or not JSON.
pub async fn fetch(http: &reqwest::Client, s: Search<'_>) -> Result<Value, ApiError> {
    let url = format!("{}/QuestionnaireResponse", s.server.trim_end_matches('/'));
    let mut request = http
        .get(url)
        .query(&[
            ("subject", format!("Patient/{}", s.patient).as_str()),
            ("questionnaire", s.canonical),
            ("status", "completed"),
            ("_sort", "-authored"),
            ("_count", "1"),
        ])
        .header(reqwest::header::ACCEPT, "application/fhir+json")
        .timeout(s.timeout);
    if let Some(t) = s.token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.map_err(|e| {
        if e.is_timeout() {
            failed(format!(
                "the FHIR server did not answer within {} ms",
                s.timeout.as_millis()
            ))
        } else {
            failed(format!(
                "the FHIR server could not be reached: {}",
                e.without_url()
            ))
        }
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(failed(format!(
            "the FHIR server answered HTTP {status} to the QuestionnaireResponse search"
        )));
    }
    let bytes = read_capped(response, MAX_FHIR_BYTES)
        .await
        .map_err(failed)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| failed(format!("the FHIR server's answer is not JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const Q: &str = "https://homeward.invalid/fhir/Questionnaire/england-national";

    fn qr(id: &str, status: &str, authored: &str) -> Value {
        json!({ "resourceType": "QuestionnaireResponse", "id": id, "status": status,
                "questionnaire": format!("{Q}|2026.11.0"), "authored": authored,
                "subject": { "reference": "Patient/p1" } })
    }

    fn bundle(entries: Vec<Value>) -> Value {
        json!({ "resourceType": "Bundle", "type": "searchset",
                "entry": entries.into_iter().map(|r| json!({ "resource": r, "search": { "mode": "match" } })).collect::<Vec<_>>() })
    }

    fn id(v: Result<Option<Value>, ApiError>) -> Option<String> {
        v.ok()
            .flatten()
            .and_then(|q| q["id"].as_str().map(str::to_string))
    }

    #[test]
    fn the_newest_completed_response_is_chosen() {
        let b = bundle(vec![
            qr("old", "completed", "2026-11-20T09:00:00Z"),
            qr("draft", "in-progress", "2026-11-24T09:00:00Z"),
            qr("new", "amended", "2026-11-23T10:00:00+01:00"),
            qr("mid", "completed", "2026-11-23"),
        ]);
        assert_eq!(id(select(&b, Q, "p1")).as_deref(), Some("new"));
    }

    #[test]
    fn other_questionnaires_and_empty_bundles_give_none() {
        let mut other = qr("x", "completed", "2026-11-20T09:00:00Z");
        other["questionnaire"] = json!("http://example.org/Questionnaire/phq9");
        assert_eq!(id(select(&bundle(vec![other]), Q, "p1")), None);
        assert!(select(
            &json!({"resourceType": "Bundle", "type": "searchset"}),
            Q,
            "p1"
        )
        .is_ok_and(|v| v.is_none()));
    }

    #[test]
    fn another_patients_response_is_refused() {
        let b = bundle(vec![qr("a", "completed", "2026-11-20T09:00:00Z")]);
        assert!(select(&b, Q, "p2").is_err_and(|e| e.code == "PATIENT_MISMATCH"));
    }

    #[test]
    fn other_resources_are_refused() {
        assert!(select(&json!({"resourceType": "Patient"}), Q, "p1")
            .is_err_and(|e| e.code == "INVALID_PREFETCH"));
    }

    #[test]
    fn the_template_is_a_fhir_search_with_the_canonical_encoded() {
        let t = prefetch_template(
            "https://homeward.invalid/fhir/Questionnaire/england-national-norfolk",
        );
        assert_eq!(
            t,
            "QuestionnaireResponse?subject=Patient/{{context.patientId}}&questionnaire=https%3A%2F%2Fhomeward.invalid%2Ffhir%2FQuestionnaire%2Fengland-national-norfolk&status=completed&_sort=-authored&_count=1"
        );
    }
}
