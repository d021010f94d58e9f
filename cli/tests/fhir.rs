//! The FHIR QuestionnaireResponse importer through the real binary: a complete response built
//! from a golden scenario gives the same report as `eval --facts`, and every unreadable or
//! non-conformant variation of it is refused with a located, coded error (exit 1), never read
//! as a value (review finding C1: a patient on oxygen coded only by display came out READY).

#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail the test with context and read JSON by index (missing is null)"
)]

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_homeward"))
        .args(args)
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run homeward: {e}"));
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin.unwrap_or_default().as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The national Questionnaire as exported.
fn questionnaire() -> Value {
    let o = run(&["export", "--format", "fhir-questionnaire"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"))
}

fn scenario(name: &str) -> Value {
    let p = root().join("tests/scenarios").join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A response as a form filler writes it: the Questionnaire's groups mirrored, codings copied
/// from the answer options, unknown facts left out, `[]` as the "None of these" option.
fn response(q: &Value, facts: &Value) -> Value {
    fn items(q_items: &Value, facts: &Value) -> Vec<Value> {
        let mut out = Vec::new();
        for it in q_items.as_array().into_iter().flatten() {
            let link = it["linkId"].as_str().unwrap_or_default();
            if it["type"] == "group" {
                let kids = items(&it["item"], facts);
                if !kids.is_empty() {
                    out.push(json!({ "linkId": link, "text": it["text"], "item": kids }));
                }
                continue;
            }
            let Some(v) = facts.get(link).filter(|v| !v.is_null()) else {
                continue;
            };
            let coding = |code: &str| -> Value {
                it["answerOption"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|o| o["valueCoding"]["code"] == code)
                    .map(|o| json!({ "valueCoding": o["valueCoding"] }))
                    .unwrap_or_else(|| panic!("no option {code} on {link}"))
            };
            let answer: Vec<Value> = match (it["type"].as_str(), v) {
                (Some("boolean"), _) => vec![json!({ "valueBoolean": v })],
                (Some("integer"), _) => vec![json!({ "valueInteger": v })],
                (Some("date"), _) => vec![json!({ "valueDate": v })],
                (_, Value::String(s)) => vec![coding(s)],
                (_, Value::Array(a)) if a.is_empty() => vec![coding("none-of-these")],
                (_, Value::Array(a)) => a
                    .iter()
                    .map(|c| coding(c.as_str().unwrap_or_default()))
                    .collect(),
                _ => panic!("cannot write {link} = {v}"),
            };
            out.push(json!({ "linkId": link, "text": it["text"], "answer": answer }));
        }
        out
    }
    json!({
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": format!("{}|{}", q["url"].as_str().unwrap_or_default(), q["version"].as_str().unwrap_or_default()),
        "authored": "2026-11-24T09:30:00+00:00",
        "item": items(&q["item"], facts),
    })
}

/// The JSON path of the item with `link` in a response, e.g. `$.item[0].item[2]`.
fn path_of(qr: &Value, link: &str) -> String {
    fn find(items: &Value, at: &str, link: &str) -> Option<String> {
        for (i, it) in items.as_array().into_iter().flatten().enumerate() {
            let p = format!("{at}[{i}]");
            if it["linkId"] == link {
                return Some(p);
            }
            if let Some(found) = find(&it["item"], &format!("{p}.item"), link) {
                return Some(found);
            }
        }
        None
    }
    find(&qr["item"], "$.item", link).unwrap_or_else(|| panic!("no item {link}"))
}

/// The item with `link`, to change.
fn item<'a>(qr: &'a mut Value, link: &str) -> &'a mut Value {
    let path = path_of(qr, link);
    let pointer = path
        .trim_start_matches('$')
        .replace(['.', '['], "/")
        .replace(']', "");
    qr.pointer_mut(&pointer)
        .unwrap_or_else(|| panic!("no item at {path}"))
}

fn eval_qr(qr: &Value, checklist: &str) -> Output {
    run(
        &[
            "eval",
            "--questionnaire-response",
            "-",
            "--checklist",
            checklist,
            "--compact",
            "--format",
            "json",
        ],
        Some(&qr.to_string()),
    )
}

/// A ready patient's response, and its Questionnaire.
fn ready() -> (Value, Value) {
    let q = questionnaire();
    let s = scenario("ward_ready_pathway0.json");
    let qr = response(&q, &s["facts"]);
    (q, qr)
}

/// The import fails with exit 1 and exactly one diagnostic with `code` at `path`.
#[track_caller]
fn refused(qr: &Value, code: &str, path: &str) {
    let o = eval_qr(qr, "ward_discharge");
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let errors = v["error"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|d| d["code"] == code && d["path"] == path),
        "expected {code} at {path}, got {out}"
    );
    assert!(!out.contains("\"verdict\""), "{out}");
}

#[test]
fn a_complete_response_gives_the_same_report_as_the_facts() {
    let (_, qr) = ready();
    let o = eval_qr(&qr, "ward_discharge");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let facts = scenario("ward_ready_pathway0.json")["facts"].to_string();
    let f = run(
        &[
            "eval",
            "--facts",
            "-",
            "--checklist",
            "ward_discharge",
            "--compact",
        ],
        Some(&facts),
    );
    assert_eq!(text(&o.stdout), text(&f.stdout));
    assert!(text(&o.stdout).contains("\"verdict\":\"ready\""));
}

#[test]
fn none_of_these_is_the_empty_set_and_oxygen_is_not_ready() {
    let (_, mut qr) = ready();
    let none = item(&mut qr, "clinical.criteria_to_reside")["answer"].clone();
    assert_eq!(none[0]["valueCoding"]["code"], "none-of-these");
    item(&mut qr, "clinical.criteria_to_reside")["answer"][0]["valueCoding"]["code"] =
        json!("oxygen_or_niv");
    let o = eval_qr(&qr, "ward_discharge");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("\"verdict\":\"not_ready\""));
}

/// C1: a criterion to reside coded only by display (a valid FHIR Coding has no required
/// `code`) was dropped and the patient came out READY.
#[test]
fn a_coding_without_code_is_refused() {
    let (q, mut qr) = ready();
    let system = q["item"][0]["item"][0]["answerOption"][0]["valueCoding"]["system"].clone();
    item(&mut qr, "clinical.criteria_to_reside")["answer"] =
        json!([{ "valueCoding": { "system": system, "display": "Oxygen therapy" } }]);
    // The clinical section is the first group and the criteria its first item.
    refused(
        &qr,
        "MISSING_FIELD",
        "$.item[0].item[0].answer[0].valueCoding.code",
    );
}

#[test]
fn a_coding_from_a_foreign_system_is_refused() {
    let (_, mut qr) = ready();
    let p = path_of(&qr, "clinical.criteria_to_reside");
    item(&mut qr, "clinical.criteria_to_reside")["answer"] = json!([{ "valueCoding": {
        "system": "http://snomed.info/sct", "code": "oxygen_or_niv", "display": "Oxygen therapy" } }]);
    refused(
        &qr,
        "INVALID_RESOURCE",
        &format!("{p}.answer[0].valueCoding.system"),
    );
}

#[test]
fn a_value_reference_is_refused() {
    let (_, mut qr) = ready();
    let p = path_of(&qr, "clinical.criteria_to_reside");
    item(&mut qr, "clinical.criteria_to_reside")["answer"] =
        json!([{ "valueReference": { "reference": "Procedure/oxygen" } }]);
    refused(&qr, "WRONG_TYPE", &format!("{p}.answer[0].valueReference"));
}

#[test]
fn an_empty_answer_array_is_refused() {
    let (_, mut qr) = ready();
    let p = path_of(&qr, "clinical.criteria_to_reside");
    item(&mut qr, "clinical.criteria_to_reside")["answer"] = json!([]);
    refused(&qr, "INVALID_RESOURCE", &format!("{p}.answer"));
}

#[test]
fn none_of_these_with_another_option_is_refused() {
    let (q, mut qr) = ready();
    let system = q["item"][0]["item"][0]["answerOption"][0]["valueCoding"]["system"].clone();
    let p = path_of(&qr, "clinical.criteria_to_reside");
    item(&mut qr, "clinical.criteria_to_reside")["answer"] = json!([
        { "valueCoding": { "system": system, "code": "oxygen_or_niv" } },
        { "valueCoding": { "system": system, "code": "none-of-these" } }
    ]);
    refused(&qr, "INVALID_RESOURCE", &format!("{p}.answer[1]"));
}

#[test]
fn an_unknown_or_repeated_option_is_refused() {
    let (_, mut qr) = ready();
    let p = path_of(&qr, "clinical.criteria_to_reside");
    item(&mut qr, "clinical.criteria_to_reside")["answer"] =
        json!([{ "valueCoding": { "code": "oxygen" } }]);
    refused(
        &qr,
        "UNKNOWN_OPTION",
        &format!("{p}.answer[0].valueCoding.code"),
    );
    item(&mut qr, "clinical.criteria_to_reside")["answer"] = json!([
        { "valueCoding": { "code": "iv_fluids" } }, { "valueCoding": { "code": "iv_fluids" } }
    ]);
    refused(&qr, "DUPLICATE_OPTION", &format!("{p}.answer[1]"));
}

#[test]
fn a_decimal_or_fractional_integer_is_refused() {
    let (_, mut qr) = ready();
    let group = path_of(&qr, "section.clinical");
    // The ready patient has a NEWS2 recorded (the ward needs one); answer it wrongly typed.
    item(&mut qr, "clinical.news2")["answer"] = json!([{ "valueDecimal": 2.0 }]);
    let p = path_of(&qr, "clinical.news2");
    assert!(p.starts_with(&group), "{p}");
    refused(&qr, "WRONG_TYPE", &format!("{p}.answer[0].valueDecimal"));
    item(&mut qr, "clinical.news2")["answer"] = json!([{ "valueInteger": 2.5 }]);
    refused(&qr, "WRONG_TYPE", &format!("{p}.answer[0].valueInteger"));
    item(&mut qr, "clinical.news2")["answer"] = json!([{ "valueInteger": 50 }]);
    refused(&qr, "OUT_OF_RANGE", &format!("{p}.answer[0]"));
}

#[test]
fn a_date_or_string_for_another_type_is_refused() {
    let (_, mut qr) = ready();
    let p = path_of(&qr, "safeguarding.concern_open");
    item(&mut qr, "safeguarding.concern_open")["answer"] = json!([{ "valueDate": "2026-11-24" }]);
    refused(&qr, "WRONG_TYPE", &format!("{p}.answer[0].valueDate"));
    let h = path_of(&qr, "housing.status");
    item(&mut qr, "housing.status")["answer"] = json!([{ "valueString": "settled" }]);
    refused(&qr, "WRONG_TYPE", &format!("{h}.answer[0].valueString"));
    item(&mut qr, "housing.status")["answer"] =
        json!([{ "valueCoding": { "code": "settled" }, "valueBoolean": true }]);
    refused(&qr, "INVALID_RESOURCE", &format!("{h}.answer[0]"));
}

/// C1: with `[false, true]` the first answer won and the safeguarding hold did not apply.
#[test]
fn several_answers_on_a_single_answer_item_are_refused() {
    let (_, mut qr) = ready();
    let p = path_of(&qr, "safeguarding.concern_open");
    item(&mut qr, "safeguarding.concern_open")["answer"] =
        json!([{ "valueBoolean": false }, { "valueBoolean": true }]);
    refused(&qr, "INVALID_RESOURCE", &format!("{p}.answer[1]"));
}

/// C1: when a linkId repeated, the last one won.
#[test]
fn a_repeated_link_id_is_refused() {
    let (_, mut qr) = ready();
    let group = path_of(&qr, "section.safeguarding");
    let items = item(&mut qr, "section.safeguarding")["item"]
        .as_array_mut()
        .unwrap_or_else(|| panic!("group"));
    items.push(
        json!({ "linkId": "safeguarding.concern_open", "answer": [{ "valueBoolean": true }] }),
    );
    let n = items.len() - 1;
    refused(&qr, "DUPLICATE_ID", &format!("{group}.item[{n}].linkId"));
}

/// C2 in a response file: a key repeated in one object (here a second `answer` that opens a
/// safeguarding concern) is refused with `DUPLICATE_KEY` at the repeated key, never read as
/// "the last one wins".
#[test]
fn a_response_file_with_a_duplicate_key_is_refused() {
    let (_, mut qr) = ready();
    let link = "safeguarding.concern_open";
    let p = path_of(&qr, link);
    let one = item(&mut qr, link).to_string();
    let two = format!(
        r#"{},"answer":[{{"valueBoolean":true}}]}}"#,
        one.strip_suffix('}').unwrap_or_else(|| panic!("{one}"))
    );
    let whole = qr.to_string();
    assert_eq!(whole.matches(&one).count(), 1, "{one}");
    let dir = std::env::temp_dir().join(format!("homeward-fhir-dup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("qr.json");
    std::fs::write(&file, whole.replace(&one, &two)).unwrap_or_else(|e| panic!("{e}"));
    let file = file.to_string_lossy().into_owned();
    let args = [
        "eval",
        "--questionnaire-response",
        &file,
        "--checklist",
        "ward_discharge",
    ];
    let path = format!("{p}.answer");
    // Text: the file, the code and the path on standard error; no report.
    let o = run(&args, None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!("{file}: error[DUPLICATE_KEY]")),
        "{err}"
    );
    assert!(err.contains(&format!("at {path}\n")), "{err}");
    assert!(!text(&o.stdout).contains("verdict"), "{}", text(&o.stdout));
    // JSON: the same code and path.
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json", "--compact"]);
    let o = run(&json_args, None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["error"]["code"], "DUPLICATE_KEY", "{v}");
    assert_eq!(v["error"]["path"], path.as_str(), "{v}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// C1: answers nested under `answer.item` were ignored.
#[test]
fn a_question_nested_under_an_answer_is_refused() {
    let (_, mut qr) = ready();
    let p = path_of(&qr, "safeguarding.concern_open");
    item(&mut qr, "safeguarding.concern_open")["answer"][0]["item"] = json!([
        { "linkId": "safeguarding.about_destination", "answer": [{ "valueBoolean": true }] }
    ]);
    refused(
        &qr,
        "INVALID_RESOURCE",
        &format!("{p}.answer[0].item[0].linkId"),
    );
}

/// C1: `entered-in-error` was evaluated like any other response. `in-progress` is refused too:
/// its answers are still expected to change, and a verdict is a record someone may sign.
#[test]
fn statuses_other_than_completed_or_amended_are_refused() {
    let (_, mut qr) = ready();
    for status in ["entered-in-error", "in-progress", "stopped", "final"] {
        qr["status"] = json!(status);
        refused(&qr, "INVALID_RESOURCE", "$.status");
    }
    qr["status"] = json!("amended");
    assert_eq!(eval_qr(&qr, "ward_discharge").status.code(), Some(0));
    qr.as_object_mut().map(|o| o.remove("status"));
    refused(&qr, "MISSING_FIELD", "$.status");
}

#[test]
fn a_response_to_another_questionnaire_or_version_is_refused() {
    let (q, mut qr) = ready();
    let url = q["url"].as_str().unwrap_or_default().to_string();
    qr["questionnaire"] = json!("http://example.org/Questionnaire/other");
    refused(&qr, "INVALID_RESOURCE", "$.questionnaire");
    qr["questionnaire"] = json!(format!("{url}|2020.1.0"));
    refused(&qr, "INVALID_RESOURCE", "$.questionnaire");
    qr["questionnaire"] = json!(url);
    assert_eq!(eval_qr(&qr, "ward_discharge").status.code(), Some(0));
}

/// C1: a non-QR resource was reported as UNKNOWN_FACT at `$.item`.
#[test]
fn a_resource_that_is_not_a_response_is_refused() {
    refused(
        &json!({ "resourceType": "Patient", "id": "p1" }),
        "INVALID_RESOURCE",
        "$.resourceType",
    );
    refused(
        &json!({ "status": "completed" }),
        "INVALID_RESOURCE",
        "$.resourceType",
    );
    refused(&json!([1, 2]), "INVALID_RESOURCE", "$");
}

#[test]
fn unknown_items_elements_and_modifier_extensions_are_refused() {
    let (_, mut qr) = ready();
    let p = path_of(&qr, "safeguarding.concern_open");
    let it = item(&mut qr, "safeguarding.concern_open");
    let answer = it["answer"].clone();
    it.as_object_mut().map(|o| o.remove("answer"));
    it["answers"] = answer;
    refused(&qr, "UNKNOWN_FIELD", &format!("{p}.answers"));
    let (_, mut qr) = ready();
    item(&mut qr, "safeguarding.concern_open")["linkId"] = json!("safeguarding.concern");
    refused(&qr, "UNKNOWN_FACT", &format!("{p}.linkId"));
    let (_, mut qr) = ready();
    item(&mut qr, "safeguarding.concern_open")["answer"][0]["modifierExtension"] =
        json!([{ "url": "http://example.org/not-really", "valueBoolean": true }]);
    refused(
        &qr,
        "INVALID_RESOURCE",
        &format!("{p}.answer[0].modifierExtension"),
    );
    let (_, mut qr) = ready();
    let g = path_of(&qr, "section.safeguarding");
    item(&mut qr, "section.safeguarding")["answer"] = json!([{ "valueBoolean": true }]);
    refused(&qr, "INVALID_RESOURCE", &format!("{g}.answer"));
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let (_, mut qr) = ready();
    qr["status"] = json!("entered-in-error");
    item(&mut qr, "clinical.criteria_to_reside")["answer"] = json!([]);
    item(&mut qr, "safeguarding.concern_open")["answer"] =
        json!([{ "valueBoolean": false }, { "valueBoolean": true }]);
    let o = eval_qr(&qr, "ward_discharge");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        v["error"]["diagnostics"].as_array().map(Vec::len),
        Some(3),
        "{v}"
    );
}

#[test]
fn text_diagnostics_name_the_file_path_and_code() {
    let (_, mut qr) = ready();
    item(&mut qr, "clinical.criteria_to_reside")["answer"] =
        json!([{ "valueCoding": { "display": "Oxygen therapy" } }]);
    let dir = std::env::temp_dir().join(format!("homeward-fhir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("qr.json");
    std::fs::write(&file, qr.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let o = run(
        &["eval", "--questionnaire-response", &file.to_string_lossy()],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("error[MISSING_FIELD]"), "{err}");
    assert!(
        err.contains("at $.item[0].item[0].answer[0].valueCoding.code"),
        "{err}"
    );
    assert!(err.contains("Oxygen therapy"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Responses written by LHC-Forms (a real SDC form filler) after clicks on the exported
/// Questionnaire give the same report as the scenario's facts (`tests/golden/fhir/lhc-forms`).
#[test]
fn responses_written_by_lhc_forms_give_the_scenarios_reports() {
    let dir = root().join("tests/golden/fhir/lhc-forms");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if !name.ends_with(".json") || name == "none-and-oxygen.json" {
            continue;
        }
        let s = scenario(&name);
        let mut args: Vec<String> = Vec::new();
        if let Some(c) = s["checklist"].as_str() {
            args.extend(["--checklist".into(), c.into()]);
        }
        for o in s["overlays"].as_array().into_iter().flatten() {
            args.extend([
                "--bundled-overlay".into(),
                o.as_str().unwrap_or_default().into(),
            ]);
        }
        // The same as-of date on both paths (the scenario's, else today's by default).
        if let Some(d) = s["as_of"].as_str() {
            args.extend(["--as-of".into(), d.into()]);
        }
        args.push("--compact".into());
        let with = |first: &[&str]| -> Vec<String> {
            first
                .iter()
                .map(|s| s.to_string())
                .chain(args.iter().cloned())
                .collect()
        };
        let qr_args = with(&["eval", "--questionnaire-response", &path.to_string_lossy()]);
        let via_form = run(
            &qr_args.iter().map(String::as_str).collect::<Vec<_>>(),
            None,
        );
        let facts_args = with(&["eval", "--facts", "-"]);
        let via_facts = run(
            &facts_args.iter().map(String::as_str).collect::<Vec<_>>(),
            Some(&s["facts"].to_string()),
        );
        assert_eq!(
            via_form.status.code(),
            Some(0),
            "{name}: {}",
            text(&via_form.stderr)
        );
        assert_eq!(text(&via_form.stdout), text(&via_facts.stdout), "{name}");
        n += 1;
    }
    assert!(n >= 5, "only {n} responses in {}", dir.display());
}

/// LHC-Forms lets a person tick "None of these" beside another check box; that response is
/// refused, never read as either.
#[test]
fn an_lhc_forms_response_with_none_beside_an_option_is_refused() {
    let text_qr =
        std::fs::read_to_string(root().join("tests/golden/fhir/lhc-forms/none-and-oxygen.json"))
            .unwrap_or_else(|e| panic!("{e}"));
    let qr: Value = serde_json::from_str(&text_qr).unwrap_or_else(|e| panic!("{e}"));
    refused(&qr, "INVALID_RESOURCE", "$.item[0].item[0].answer[1]");
}

fn bundle(entries: Vec<Value>) -> Value {
    json!({ "resourceType": "Bundle", "type": "searchset", "total": entries.len(), "entry": entries })
}

fn entry(resource: Value) -> Value {
    json!({ "fullUrl": "http://example.org/fhir/QuestionnaireResponse/x", "resource": resource, "search": { "mode": "match" } })
}

/// A searchset Bundle (what a CDS prefetch or a FHIR search returns) gives the newest
/// completed or amended response for this Questionnaire, by `authored`.
#[test]
fn a_searchset_bundle_gives_the_newest_completed_response() {
    let (q, ready_qr) = ready();
    let mut oxygen = ready_qr.clone();
    item(&mut oxygen, "clinical.criteria_to_reside")["answer"][0]["valueCoding"]["code"] =
        json!("oxygen_or_niv");
    let at = |qr: &Value, when: &str, status: &str| -> Value {
        let mut r = qr.clone();
        r["authored"] = json!(when);
        r["status"] = json!(status);
        r
    };
    let mut other = at(&oxygen, "2026-11-25T00:00:00Z", "completed");
    other["questionnaire"] = json!("http://example.org/Questionnaire/other");
    let b = bundle(vec![
        entry(at(&oxygen, "2026-11-24T08:00:00Z", "completed")),
        entry(at(&ready_qr, "2026-11-24T10:00:00+01:00", "amended")),
        entry(at(&oxygen, "2026-11-24T12:00:00Z", "in-progress")),
        entry(other),
        entry(json!({ "resourceType": "Patient", "id": "p1" })),
    ]);
    // 10:00+01:00 is 09:00Z, newer than 08:00Z; the in-progress and the other form are skipped.
    let o = eval_qr(&b, "ward_discharge");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(text(&o.stdout).contains("\"verdict\":\"ready\""));
    let b = bundle(vec![
        entry(at(&oxygen, "2026-11-24T09:00:01Z", "completed")),
        entry(at(&ready_qr, "2026-11-24T10:00:00+01:00", "amended")),
    ]);
    let o = eval_qr(&b, "ward_discharge");
    assert!(
        text(&o.stdout).contains("\"verdict\":\"not_ready\""),
        "{}",
        text(&o.stdout)
    );
    let _ = q;
}

#[test]
fn a_bundle_that_cannot_be_read_exactly_is_refused() {
    let (_, qr) = ready();
    refused(&bundle(vec![]), "INVALID_RESOURCE", "$.entry");
    let mut b = bundle(vec![entry(qr.clone())]);
    b["type"] = json!("collection");
    refused(&b, "INVALID_RESOURCE", "$.type");
    let mut undated = qr.clone();
    undated.as_object_mut().map(|o| o.remove("authored"));
    refused(
        &bundle(vec![entry(qr.clone()), entry(undated)]),
        "INVALID_RESOURCE",
        "$.entry[1].resource.authored",
    );
    let mut twin = qr.clone();
    twin["status"] = json!("amended");
    refused(
        &bundle(vec![entry(qr.clone()), entry(twin)]),
        "INVALID_RESOURCE",
        "$.entry[1].resource.authored",
    );
    let mut old = qr.clone();
    old["questionnaire"] = json!(format!(
        "{}|2020.1.0",
        qr["questionnaire"]
            .as_str()
            .unwrap_or_default()
            .split('|')
            .next()
            .unwrap_or_default()
    ));
    refused(
        &bundle(vec![entry(old)]),
        "INVALID_RESOURCE",
        "$.entry[0].resource.questionnaire",
    );
    let mut bad = qr.clone();
    item(&mut bad, "clinical.criteria_to_reside")["answer"] = json!([]);
    let p = path_of(&bad, "clinical.criteria_to_reside");
    let inner = format!("$.entry[0].resource{}.answer", p.trim_start_matches('$'));
    refused(&bundle(vec![entry(bad)]), "INVALID_RESOURCE", &inner);
    let outcome = json!({ "resourceType": "OperationOutcome", "issue": [{ "severity": "error", "code": "too-costly", "diagnostics": "too many results" }] });
    refused(
        &bundle(vec![
            entry(qr),
            json!({ "resource": outcome, "search": { "mode": "outcome" } }),
        ]),
        "INVALID_RESOURCE",
        "$.entry[1].resource.issue[0]",
    );
}

/// The exported Questionnaire carries everything the round trip needs, without a browser: an
/// item code on every item, "None of these" (exclusive) on every multiple-choice item, UCUM
/// units, a conformant name, every asked_when gate, and the same bytes every time.
#[test]
fn the_questionnaire_exports_every_gate_code_and_none_option() {
    let o = run(&["export", "--format", "fhir-questionnaire"], None);
    assert_eq!(o.status.code(), Some(0));
    let again = run(&["export", "--format", "fhir-questionnaire"], None);
    assert_eq!(o.stdout, again.stdout, "export is deterministic");
    let q: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q["name"], "EnglandNational");
    assert_eq!(
        q["url"],
        "https://homeward.invalid/fhir/Questionnaire/england-national"
    );
    let schema = run(&["export", "--format", "json"], None);
    let doc: Value = serde_json::from_slice(&schema.stdout).unwrap_or_else(|e| panic!("{e}"));
    let mut items = Vec::new();
    fn walk(v: &Value, out: &mut Vec<Value>) {
        for it in v.as_array().into_iter().flatten() {
            out.push(it.clone());
            walk(&it["item"], out);
        }
    }
    walk(&q["item"], &mut items);
    for it in &items {
        assert_eq!(
            it["code"][0]["system"], "https://homeward.invalid/fhir/CodeSystem/item",
            "{}",
            it["linkId"]
        );
        assert_eq!(it["code"][0]["code"], it["linkId"]);
    }
    let mut gates = 0;
    for f in doc["facts"].as_array().into_iter().flatten() {
        let it = items
            .iter()
            .find(|i| i["linkId"] == f["id"])
            .unwrap_or_else(|| panic!("no item {}", f["id"]));
        if f["type"] == "set" {
            let none = it["answerOption"]
                .as_array()
                .and_then(|a| a.last())
                .cloned()
                .unwrap_or_default();
            assert_eq!(none["valueCoding"]["code"], "none-of-these", "{}", f["id"]);
            assert_eq!(
                none["extension"][0]["url"],
                "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
            );
            assert_eq!(none["extension"][0]["valueBoolean"], true);
        }
        if f.get("asked_when").is_some() {
            gates += 1;
            let expression = it["extension"].as_array().into_iter().flatten().any(|e| {
                e["url"] == "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
            });
            assert!(
                it["enableWhen"].is_array() || expression,
                "gate of {} not exported",
                f["id"]
            );
        }
        if f["id"] == "clinical.news2" {
            let unit = it["extension"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|e| e["url"] == "http://hl7.org/fhir/StructureDefinition/questionnaire-unit")
                .cloned()
                .unwrap_or_default();
            assert_eq!(unit["valueCoding"]["code"], "{score}");
            assert_eq!(unit["valueCoding"]["display"], "points");
        }
    }
    assert!(gates >= 37, "{gates} gates");
    // Gates R4 enableWhen cannot express (those on the pathway decision among them) are SDC
    // expressions, and export names each one.
    let note = text(&o.stderr);
    let expressions = items
        .iter()
        .filter(|it| {
            it["extension"].as_array().into_iter().flatten().any(|e| {
                e["url"] == "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
            })
        })
        .count();
    assert!(expressions >= 5, "{expressions} expression gates");
    assert!(
        note.contains(&format!("{expressions} of {gates} asked_when gates")),
        "{note}"
    );
    for f in [
        "care.provider_confirmed",
        "care.interim_offered",
        "capacity.continuous_supervision_not_free_to_leave",
    ] {
        assert!(note.contains(f), "{note}");
    }
    // `in` on an enum is several enableWhen with enableBehavior any, plus "not answered".
    let gated = items
        .iter()
        .find(|i| i["linkId"] == "front_door.home_assessment_possible")
        .cloned()
        .unwrap_or_default();
    assert_eq!(gated["enableBehavior"], "any");
    assert_eq!(
        gated["enableWhen"].as_array().map(Vec::len),
        Some(3),
        "two options and not answered"
    );
}

/// Random patients (every fact known or unknown at random, every option and `[]`) written as a
/// response by the helper a filler would use come back as exactly the same facts, in process
/// through the library the CDS service calls.
#[test]
fn random_patients_come_back_exactly() {
    use homeward::{bundled, Ruleset};
    let rs = Ruleset::from_json(bundled::NATIONAL_JSON).unwrap_or_else(|e| panic!("{e}"));
    let q = homeward_cli::fhir::questionnaire(&rs);
    let doc: Value = serde_json::to_value(rs.document()).unwrap_or_else(|e| panic!("{e}"));
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for _ in 0..300 {
        let mut facts = serde_json::Map::new();
        for f in doc["facts"].as_array().into_iter().flatten() {
            if next(3) == 0 {
                continue;
            }
            let options: Vec<Value> = f["options"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|o| o["id"].clone())
                .collect();
            let v = match f["type"].as_str() {
                Some("bool") => json!(next(2) == 0),
                Some("int") => {
                    let (lo, hi) = (
                        f["min"].as_i64().unwrap_or(0),
                        f["max"].as_i64().unwrap_or(0),
                    );
                    json!(lo + next((hi - lo + 1) as u64) as i64)
                }
                Some("enum") => options[next(options.len() as u64) as usize].clone(),
                // A day in 2026 or 2027 (day 20,454 is 2026-01-01).
                Some("date") => json!(homeward::Date::from_days(20_454 + next(730) as i32)
                    .map(|d| d.to_string())
                    .unwrap_or_default()),
                _ => Value::Array(options.iter().filter(|_| next(3) == 0).cloned().collect()),
            };
            facts.insert(f["id"].as_str().unwrap_or_default().to_string(), v);
        }
        let facts = Value::Object(facts);
        let qr = response(&q, &facts);
        let imported = homeward_cli::fhir::facts_from_resource(&rs, &qr)
            .unwrap_or_else(|d| panic!("{d:?} for {facts}"));
        assert_eq!(Value::Object(imported.object), facts);
        let expected = homeward::Facts::from_value(&rs, &facts).unwrap_or_else(|e| panic!("{e}"));
        let cl = rs
            .checklist(Some("ward_discharge"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            rs.evaluate(cl, &imported.facts).to_json(),
            rs.evaluate(cl, &expected).to_json()
        );
    }
}
