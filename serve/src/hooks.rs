//! The CDS services Homeward offers (`encounter-discharge` and `patient-view`), the discovery
//! document with its prefetch template, and the hook request read field by field so that
//! every refusal names the JSON path at fault.

use crate::config::acceptable_url;
use crate::error::ApiError;
use crate::fhir::{prefetch_template, PREFETCH_KEY};
use serde_json::{json, Map, Value};

/// One CDS service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The `{id}` in `/cds-services/{id}`.
    pub id: &'static str,
    /// The hook it answers.
    pub hook: &'static str,
    /// Human-friendly name.
    pub title: &'static str,
    /// What it does.
    pub description: &'static str,
    /// The checklist it evaluates.
    pub checklist: String,
}

/// The id of the `encounter-discharge` service.
pub const DISCHARGE: &str = "homeward-discharge";

/// The id of the `patient-view` service.
pub const PATIENT_VIEW: &str = "homeward-patient-view";

/// The two services, with the checklists they evaluate.
#[must_use]
pub fn services(discharge_checklist: &str, patient_view_checklist: &str) -> Vec<Service> {
    vec![
        Service {
            id: DISCHARGE,
            hook: "encounter-discharge",
            title: "Homeward: is this patient ready to go home?",
            description: "At discharge, reads the patient's newest completed Homeward discharge checklist (a FHIR QuestionnaireResponse) and returns what is still outstanding before they can go home: safeguarding holds, blockers with their owner, NHS delay category, action and referral, and the questions not yet answered.",
            checklist: discharge_checklist.to_string(),
        },
        Service {
            id: PATIENT_VIEW,
            hook: "patient-view",
            title: "Homeward: discharge readiness",
            description: "When the record is opened, shows whether the patient is ready for discharge, not ready, or not yet known from their newest completed Homeward discharge checklist, and what remains outstanding.",
            checklist: patient_view_checklist.to_string(),
        },
    ]
}

/// The discovery document (`GET /cds-services`).
#[must_use]
pub fn discovery(services: &[Service], canonical: &str) -> Value {
    let list: Vec<Value> = services
        .iter()
        .map(|s| json!({
            "hook": s.hook, "id": s.id, "title": s.title, "description": s.description,
            "prefetch": { PREFETCH_KEY: prefetch_template(canonical) },
            "usageRequirements": format!(
                "The Homeward discharge checklist ({canonical}) completed in the EPR as a QuestionnaireResponse about the patient; a signed JWT from a client whose issuer and JWK Set the service trusts."),
        }))
        .collect();
    json!({ "services": list })
}

/// What the prefetch holds under [`PREFETCH_KEY`].
#[derive(Debug, Clone, PartialEq)]
pub enum Prefetch {
    /// The key is absent: the client did not (or could not) prefetch; the service may fetch.
    Absent,
    /// `null`: the client found no data.
    Null,
    /// A search result or resource.
    Value(Value),
}

/// A hook request, checked.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct HookRequest {
    /// `hookInstance`.
    pub hook_instance: String,
    /// `fhirServer`.
    pub fhir_server: Option<String>,
    /// `fhirAuthorization.access_token`.
    pub access_token: Option<String>,
    /// `context.patientId`.
    pub patient_id: String,
    /// `context.encounterId`.
    pub encounter_id: Option<String>,
    /// `context.userId`.
    pub user_id: String,
    /// `prefetch.homewardQuestionnaireResponse`.
    pub prefetch: Prefetch,
}

fn invalid(path: &str, message: impl core::fmt::Display) -> ApiError {
    ApiError::bad_request("INVALID_REQUEST", format!("`{path}`: {message}"))
}

fn string<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, ApiError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
        Some(Value::String(_)) => Err(invalid(&format!("{path}.{key}"), "must not be empty")),
        Some(_) => Err(invalid(&format!("{path}.{key}"), "must be a string")),
    }
}

fn required<'a>(obj: &'a Map<String, Value>, key: &str, path: &str) -> Result<&'a str, ApiError> {
    string(obj, key, path)?.ok_or_else(|| invalid(&format!("{path}.{key}"), "is required"))
}

/// Whether `id` is a FHIR resource id (`[A-Za-z0-9\-\.]{1,64}`), safe inside a reference.
#[must_use]
pub fn is_fhir_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn fhir_id<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    need: bool,
) -> Result<Option<&'a str>, ApiError> {
    let v = if need {
        Some(required(obj, key, "$.context")?)
    } else {
        string(obj, key, "$.context")?
    };
    match v {
        Some(id) if !is_fhir_id(id) => Err(invalid(
            &format!("$.context.{key}"),
            format!("`{id}` is not a FHIR id ([A-Za-z0-9-.], 1 to 64 characters)"),
        )),
        other => Ok(other),
    }
}

fn authorization(
    root: &Map<String, Value>,
    server: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let Some(auth) = root.get("fhirAuthorization") else {
        return Ok(None);
    };
    let Value::Object(auth) = auth else {
        return Err(invalid("$.fhirAuthorization", "must be an object"));
    };
    if server.is_none() {
        return Err(invalid(
            "$.fhirServer",
            "is required when fhirAuthorization is given",
        ));
    }
    if let Some(t) = string(auth, "token_type", "$.fhirAuthorization")? {
        if !t.eq_ignore_ascii_case("bearer") {
            return Err(invalid(
                "$.fhirAuthorization.token_type",
                "must be `Bearer`",
            ));
        }
    }
    Ok(Some(
        required(auth, "access_token", "$.fhirAuthorization")?.to_string(),
    ))
}

impl HookRequest {
    /// Reads and checks a request body for `service`.
    ///
    /// # Errors
    /// `INVALID_JSON` (with line and column) or `INVALID_REQUEST` naming the JSON path: a
    /// missing or mistyped field, another hook than the service's, a `hookInstance` that is not
    /// a UUID, an id that is not a FHIR id, a `fhirServer` that is not https.
    pub fn parse(body: &[u8], service: &Service) -> Result<HookRequest, ApiError> {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request("INVALID_JSON", format!("the request body is not JSON: {e}"))
        })?;
        let Value::Object(root) = value else {
            return Err(invalid("$", "must be a JSON object"));
        };
        let hook = required(&root, "hook", "$")?;
        if hook != service.hook {
            return Err(ApiError::bad_request(
                "WRONG_HOOK",
                format!(
                    "service `{}` answers `{}`, not `{hook}`",
                    service.id, service.hook
                ),
            ));
        }
        let hook_instance = required(&root, "hookInstance", "$")?;
        if uuid::Uuid::parse_str(hook_instance).is_err() {
            return Err(invalid(
                "$.hookInstance",
                format!("`{hook_instance}` is not a UUID"),
            ));
        }
        let fhir_server = string(&root, "fhirServer", "$")?;
        if let Some(s) = fhir_server {
            if !acceptable_url(s) {
                return Err(invalid(
                    "$.fhirServer",
                    "must be an https URL (plain http only on a loopback host)",
                ));
            }
        }
        let access_token = authorization(&root, fhir_server)?;
        let Some(Value::Object(context)) = root.get("context") else {
            return Err(invalid("$.context", "is required and must be an object"));
        };
        let discharge = service.hook == "encounter-discharge";
        let patient_id = fhir_id(context, "patientId", true)?
            .unwrap_or_default()
            .to_string();
        let encounter_id = fhir_id(context, "encounterId", discharge)?.map(str::to_string);
        let user_id = required(context, "userId", "$.context")?.to_string();
        let prefetch = match root.get("prefetch") {
            None => Prefetch::Absent,
            Some(Value::Object(p)) => match p.get(PREFETCH_KEY) {
                None => Prefetch::Absent,
                Some(Value::Null) => Prefetch::Null,
                Some(v) => Prefetch::Value(v.clone()),
            },
            Some(_) => return Err(invalid("$.prefetch", "must be an object")),
        };
        Ok(HookRequest {
            hook_instance: hook_instance.to_string(),
            fhir_server: fhir_server.map(str::to_string),
            access_token,
            patient_id,
            encounter_id,
            user_id,
            prefetch,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discharge() -> Service {
        services("ward_discharge", "ward_discharge").remove(0)
    }

    fn parse(v: Value) -> Result<HookRequest, ApiError> {
        HookRequest::parse(v.to_string().as_bytes(), &discharge())
    }

    fn base() -> Value {
        json!({ "hook": "encounter-discharge", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
                "context": { "userId": "Practitioner/1", "patientId": "p1", "encounterId": "e1" } })
    }

    #[test]
    fn a_minimal_request_reads() {
        let r = parse(base()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.patient_id, "p1");
        assert_eq!(r.encounter_id.as_deref(), Some("e1"));
        assert_eq!(r.prefetch, Prefetch::Absent);
    }

    #[test]
    fn each_refusal_names_the_path() {
        let mut v = base();
        v["context"]["encounterId"] = Value::Null;
        assert!(parse(v).is_err_and(|e| e.message.contains("$.context.encounterId")));
        let mut v = base();
        v["hookInstance"] = json!("not-a-uuid");
        assert!(parse(v).is_err_and(|e| e.message.contains("$.hookInstance")));
        let mut v = base();
        v["context"]["patientId"] = json!("p1&_include=*");
        assert!(parse(v).is_err_and(|e| e.message.contains("not a FHIR id")));
        let mut v = base();
        v["hook"] = json!("patient-view");
        assert!(parse(v).is_err_and(|e| e.code == "WRONG_HOOK"));
        let mut v = base();
        v["fhirAuthorization"] = json!({ "access_token": "t", "token_type": "Bearer" });
        assert!(parse(v).is_err_and(|e| e.message.contains("$.fhirServer")));
        let mut v = base();
        v["fhirServer"] = json!("http://epr.example/fhir");
        assert!(parse(v).is_err_and(|e| e.message.contains("https")));
        assert!(HookRequest::parse(b"{", &discharge())
            .is_err_and(|e| e.code == "INVALID_JSON" && e.message.contains("column")));
    }

    #[test]
    fn a_null_prefetch_means_no_data() {
        let mut v = base();
        v["prefetch"] = json!({ PREFETCH_KEY: null });
        assert_eq!(parse(v).map(|r| r.prefetch).ok(), Some(Prefetch::Null));
    }
}
