//! The feedback endpoint (CDS Hooks 2.0 `POST /cds-services/{id}/feedback`): each item is
//! checked (card UUID, `accepted` with its suggestions or `overridden` with an optional coded
//! reason, a UTC timestamp), then counted in memory by requirement and override reason, and
//! logged without the user's comment. Nothing is written to disk.

use crate::error::ApiError;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::str::FromStr;
use std::sync::Mutex;

/// How many issued cards are remembered to tie feedback to a requirement.
pub const ISSUED_CAPACITY: usize = 100_000;

/// The most feedback items accepted in one request.
pub const MAX_ITEMS: usize = 1_000;

/// What the user did with a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// One or more suggestions were accepted.
    Accepted,
    /// The card was dismissed.
    Overridden,
}

/// One checked feedback item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// The card's UUID.
    pub card: String,
    /// The outcome.
    pub outcome: Outcome,
    /// Accepted suggestion UUIDs.
    pub accepted: Vec<String>,
    /// The override reason's code, when given.
    pub reason: Option<String>,
    /// When the user acted.
    pub at: jiff::Timestamp,
}

/// Counts for one requirement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Cards whose suggestion was accepted.
    pub accepted: u64,
    /// Cards dismissed.
    pub overridden: u64,
    /// Dismissals by override reason code (`none` without one).
    pub reasons: BTreeMap<String, u64>,
}

#[derive(Debug, Default)]
struct Inner {
    issued: HashMap<String, String>,
    order: VecDeque<String>,
    by_requirement: BTreeMap<String, Counts>,
    received: u64,
    unknown_cards: u64,
}

/// Issued cards and feedback counts, in memory only.
#[derive(Debug, Default)]
pub struct FeedbackLog {
    inner: Mutex<Inner>,
}

fn invalid(path: String, message: &str) -> ApiError {
    ApiError::bad_request("INVALID_FEEDBACK", format!("`{path}`: {message}"))
}

fn uuid_at(v: Option<&Value>, path: String) -> Result<String, ApiError> {
    match v.and_then(Value::as_str) {
        Some(s) if uuid::Uuid::parse_str(s).is_ok() => Ok(s.to_string()),
        Some(_) => Err(invalid(path, "must be a UUID")),
        None => Err(invalid(path, "is required (a string UUID)")),
    }
}

fn item(v: &Value, i: usize) -> Result<Feedback, ApiError> {
    let at = |field: &str| format!("$.feedback[{i}].{field}");
    let Value::Object(o) = v else {
        return Err(invalid(format!("$.feedback[{i}]"), "must be an object"));
    };
    let card = uuid_at(o.get("card"), at("card"))?;
    let outcome = match o.get("outcome").and_then(Value::as_str) {
        Some("accepted") => Outcome::Accepted,
        Some("overridden") => Outcome::Overridden,
        _ => return Err(invalid(at("outcome"), "must be `accepted` or `overridden`")),
    };
    let accepted = accepted_suggestions(o, outcome, &at("acceptedSuggestions"))?;
    let reason = match o.get("overrideReason") {
        None => None,
        Some(Value::Object(r)) => match r.get("reason") {
            None => None,
            Some(c) => Some(
                c.get("code")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        invalid(
                            at("overrideReason.reason.code"),
                            "is required (a Coding's code)",
                        )
                    })?
                    .to_string(),
            ),
        },
        Some(_) => return Err(invalid(at("overrideReason"), "must be an object")),
    };
    let when = o
        .get("outcomeTimestamp")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            invalid(
                at("outcomeTimestamp"),
                "is required (an ISO 8601 UTC timestamp)",
            )
        })?;
    let at_time = jiff::Timestamp::from_str(when).map_err(|_| {
        invalid(
            at("outcomeTimestamp"),
            "is not an ISO 8601 timestamp with a time zone",
        )
    })?;
    Ok(Feedback {
        card,
        outcome,
        accepted,
        reason,
        at: at_time,
    })
}

fn accepted_suggestions(
    o: &Map<String, Value>,
    outcome: Outcome,
    path: &str,
) -> Result<Vec<String>, ApiError> {
    match (o.get("acceptedSuggestions"), outcome) {
        (None, Outcome::Overridden) => Ok(Vec::new()),
        (None, Outcome::Accepted) => Err(invalid(
            path.to_string(),
            "is required when the outcome is `accepted`",
        )),
        (Some(Value::Array(a)), _) if !a.is_empty() => a
            .iter()
            .enumerate()
            .map(|(k, s)| uuid_at(s.get("id"), format!("{path}[{k}].id")))
            .collect(),
        (Some(_), _) => Err(invalid(
            path.to_string(),
            "must be a non-empty array of `{\"id\": uuid}`",
        )),
    }
}

/// Reads and checks a feedback request body.
///
/// # Errors
/// `INVALID_JSON` or `INVALID_FEEDBACK` with the JSON path of the first problem.
pub fn parse(body: &[u8]) -> Result<Vec<Feedback>, ApiError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request("INVALID_JSON", format!("the request body is not JSON: {e}"))
    })?;
    let Some(list) = v.get("feedback").and_then(Value::as_array) else {
        return Err(invalid(
            "$.feedback".into(),
            "is required (an array of feedback)",
        ));
    };
    if list.is_empty() || list.len() > MAX_ITEMS {
        return Err(invalid(
            "$.feedback".into(),
            &format!("must hold 1 to {MAX_ITEMS} items"),
        ));
    }
    list.iter().enumerate().map(|(i, f)| item(f, i)).collect()
}

impl FeedbackLog {
    /// Remembers which requirement each issued card is about (the oldest are forgotten first).
    pub fn issue(&self, cards: Vec<(String, String)>) {
        let Ok(mut g) = self.inner.lock() else { return };
        for (uuid, about) in cards {
            if g.issued.insert(uuid.clone(), about).is_none() {
                g.order.push_back(uuid);
            }
            while g.order.len() > ISSUED_CAPACITY {
                if let Some(old) = g.order.pop_front() {
                    g.issued.remove(&old);
                }
            }
        }
    }

    /// Counts and logs checked feedback for service `service`.
    pub fn record(&self, service: &str, items: &[Feedback]) {
        let Ok(mut g) = self.inner.lock() else { return };
        for f in items {
            g.received += 1;
            let about = g.issued.get(&f.card).cloned();
            let key = about.clone().unwrap_or_else(|| "(unknown card)".into());
            if about.is_none() {
                g.unknown_cards += 1;
            }
            let counts = g.by_requirement.entry(key.clone()).or_default();
            match f.outcome {
                Outcome::Accepted => counts.accepted += 1,
                Outcome::Overridden => {
                    counts.overridden += 1;
                    *counts
                        .reasons
                        .entry(f.reason.clone().unwrap_or_else(|| "none".into()))
                        .or_default() += 1;
                }
            }
            tracing::info!(service, card = %f.card, about = %key, outcome = ?f.outcome,
                reason = f.reason.as_deref().unwrap_or("-"), at = %f.at, "feedback");
        }
    }

    /// The counts so far.
    #[must_use]
    pub fn snapshot(&self) -> Value {
        let Ok(g) = self.inner.lock() else {
            return json!({});
        };
        json!({ "received": g.received, "unknown_cards": g.unknown_cards,
                "by_requirement": g.by_requirement, "cards_remembered": g.issued.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = "4e0a3a1e-3283-4575-ab82-028d55fe2719";
    const SUGGESTION: &str = "e56e1945-20b3-4393-8503-a1a20fd73152";

    #[test]
    fn the_specification_examples_are_accepted() {
        let accepted = json!({ "feedback": [{ "card": CARD, "outcome": "accepted",
            "acceptedSuggestions": [{ "id": SUGGESTION }], "outcomeTimestamp": "2020-12-11T00:00:00Z" }] });
        let overridden = json!({ "feedback": [{ "card": CARD, "outcome": "overridden",
            "overrideReason": { "reason": { "code": "d7ecf885", "system": "https://example.com/x" },
                                "userComment": "A comment" },
            "outcomeTimestamp": "2020-12-11T00:00:00Z" }] });
        assert!(parse(accepted.to_string().as_bytes()).is_ok());
        let o = parse(overridden.to_string().as_bytes()).unwrap_or_default();
        assert_eq!(o[0].reason.as_deref(), Some("d7ecf885"));
    }

    #[test]
    fn bad_items_are_located() {
        let cases = [
            (json!({}), "$.feedback"),
            (json!({ "feedback": [] }), "$.feedback"),
            (
                json!({ "feedback": [{ "card": "x", "outcome": "accepted" }] }),
                "$.feedback[0].card",
            ),
            (
                json!({ "feedback": [{ "card": CARD, "outcome": "ignored" }] }),
                "$.feedback[0].outcome",
            ),
            (
                json!({ "feedback": [{ "card": CARD, "outcome": "accepted", "outcomeTimestamp": "2020-12-11T00:00:00Z" }] }),
                "$.feedback[0].acceptedSuggestions",
            ),
            (
                json!({ "feedback": [{ "card": CARD, "outcome": "overridden", "outcomeTimestamp": "yesterday" }] }),
                "$.feedback[0].outcomeTimestamp",
            ),
        ];
        for (body, path) in cases {
            let e = parse(body.to_string().as_bytes());
            assert!(
                e.as_ref().is_err_and(|e| e.message.contains(path)),
                "{body}: {e:?}"
            );
        }
    }

    #[test]
    fn feedback_is_counted_by_requirement() {
        let log = FeedbackLog::default();
        log.issue(vec![(CARD.into(), "key_safe".into())]);
        let f = parse(json!({ "feedback": [
            { "card": CARD, "outcome": "overridden", "overrideReason": { "reason": { "code": "already-done" } },
              "outcomeTimestamp": "2026-11-24T10:00:00Z" },
            { "card": SUGGESTION, "outcome": "overridden", "outcomeTimestamp": "2026-11-24T10:00:00Z" }] })
            .to_string().as_bytes()).unwrap_or_default();
        log.record("homeward-discharge", &f);
        let s = log.snapshot();
        assert_eq!(s["received"], 2);
        assert_eq!(s["unknown_cards"], 1);
        assert_eq!(
            s["by_requirement"]["key_safe"]["reasons"]["already-done"],
            1
        );
    }
}
