//! `homeward serve`: the CDS Hooks service started from the main binary answers discovery and a
//! hook over HTTP on 127.0.0.1, and refuses bad options with exit 2 (the service itself is
//! tested in depth in `serve/tests`).

#![allow(clippy::panic, clippy::unwrap_used, reason = "test")]

mod common;

use common::{code, homeward, output, root, stderr};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Stops the service when the test ends, whatever happens.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// One HTTP/1.1 exchange with `Connection: close`: the status line and the body.
fn http(port: u16, request: &str) -> Option<(String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    s.write_all(request.as_bytes()).ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    Some((head.lines().next()?.to_string(), body.to_string()))
}

#[test]
fn serve_answers_discovery_and_a_hook_over_http() {
    let port = free_port();
    let child = homeward(&[
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--insecure-dev-no-auth",
        "--log-level",
        "warn",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap_or_else(|e| panic!("{e}"));
    let _service = Service(child);
    let get = format!(
        "GET /cds-services HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    );
    let started = Instant::now();
    let (status, body) = loop {
        if let Some(answer) = http(port, &get) {
            break answer;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the service never answered on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.contains(" 200 "), "{status}\n{body}");
    let discovery: serde_json::Value = serde_json::from_str(&body).unwrap();
    let hooks: Vec<&str> = discovery["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["hook"].as_str())
        .collect();
    assert_eq!(hooks, ["encounter-discharge", "patient-view"]);

    // A hook call with no prefetch and no FHIR server: the service says it has nothing to read
    // (a 412 as CDS Hooks asks, or a card saying no checklist yet), never a verdict.
    let id = discovery["services"][0]["id"].as_str().unwrap();
    let request = serde_json::json!({
        "hook": "encounter-discharge", "hookInstance": "d1f8a5c0-8c5e-4f3e-9b6e-0d6a4c1e2f3a",
        "context": { "userId": "Practitioner/p1", "patientId": "pat-1", "encounterId": "enc-1" },
        "prefetch": { "homewardQuestionnaireResponse": null }
    })
    .to_string();
    let post = format!(
        "POST /cds-services/{id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{request}",
        request.len()
    );
    let (status, body) = http(port, &post).unwrap();
    assert!(
        status.contains(" 200 ") || status.contains(" 412 "),
        "{status}\n{body}"
    );
    assert!(
        !body.contains("\"Ready"),
        "no verdict without answers: {body}"
    );
}

#[test]
fn serve_refuses_bad_options_with_exit_2() {
    // Development mode without a token is refused off loopback.
    let o = output(&mut homeward(&[
        "serve",
        "--listen",
        "0.0.0.0:0",
        "--insecure-dev-no-auth",
    ]));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = output(&mut homeward(&["serve", "--listen", "not-an-address"]));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    // A time zone the system does not know.
    let o = output(&mut homeward(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--insecure-dev-no-auth",
        "--time-zone",
        "Mars/Olympus_Mons",
    ]));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--time-zone"), "{}", stderr(&o));
    // A ruleset that does not load is invalid input.
    let missing = root().join("tests/malformed/rulesets/cycle.json");
    let o = output(&mut homeward(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--insecure-dev-no-auth",
        "--ruleset",
        &missing.to_string_lossy(),
    ]));
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}
