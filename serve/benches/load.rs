//! A bounded load test of `homeward-serve` on loopback: starts the release binary with a
//! trusted test key, sends a fixed number of `encounter-discharge` calls (each with its own
//! signed ES384 token and a prefetched searchset Bundle from the golden scenarios) from a fixed
//! number of concurrent connections, and prints requests, throughput, p50/p90/p99/max latency,
//! errors and the server's peak resident memory (VmHWM) as a Markdown table.
//!
//! `cargo bench -p homeward-serve --bench load -- --requests 20000 --concurrency 16
//! [--rs384 | --no-auth]` (tokens are ES384 unless `--rs384`).

#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark program: it stops with the reason on any setup failure"
)]

#[path = "../tests/common/mod.rs"]
mod common;

use common::{bundle, questionnaire_response, Key, ISS};
use homeward_tests::Scenario;
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Request bodies for the national ward-discharge scenarios (a rotating mix of patients).
fn bodies() -> Vec<Value> {
    let rs = common::national();
    let mut out = Vec::new();
    for file in homeward_tests::json_files(&common::repo().join("tests/scenarios")) {
        let s = Scenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
        if !s.overlays().is_empty() || s.checklist() != Some("ward_discharge") {
            continue;
        }
        let qr = questionnaire_response(
            &rs,
            &s.doc["facts"],
            common::PATIENT,
            "2026-11-24T09:30:00Z",
        );
        out.push(common::hook_request(
            "00000000-0000-0000-0000-000000000000",
            Some(bundle(vec![qr])),
        ));
    }
    assert!(!out.is_empty(), "no ward scenarios found");
    out
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn main() {
    let requests = arg("--requests", 20_000);
    let concurrency = arg("--concurrency", 16).max(1);
    let auth = !std::env::args().any(|a| a == "--no-auth");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let rsa = std::env::args().any(|a| a == "--rs384");
    let key = if rsa {
        Key::generate_rsa("load")
    } else {
        Key::generate("load")
    };
    let jwks = common::temp_file("jwks.json", &Key::set(&[&key]).to_string());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_homeward-serve"));
    cmd.args([
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--log-level",
        "warn",
    ]);
    if auth {
        cmd.args(["--trust", &format!("{ISS}={}", jwks.display())]);
    } else {
        cmd.arg("--insecure-dev-no-auth");
    }
    let mut server = cmd
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the service: {e}"));
    let pid = server.id();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!("{base}/cds-services/homeward-discharge");
    let templates = bodies();
    let signing = Instant::now();
    let prepared: Vec<(String, Option<String>)> = (0..requests)
        .map(|i| {
            let mut body = templates[i % templates.len()].clone();
            body["hookInstance"] = json!(uuid::Uuid::new_v5(
                &uuid::Uuid::NAMESPACE_OID,
                format!("load-{i}").as_bytes()
            )
            .to_string());
            let token = auth.then(|| key.sign(&common::claims(&url)));
            (body.to_string(), token)
        })
        .collect();
    eprintln!(
        "prepared {requests} requests ({} scenario patients) in {:.1} s",
        templates.len(),
        signing.elapsed().as_secs_f64()
    );

    let report = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let ready = Instant::now();
        while client.get(format!("{base}/healthz")).send().await.is_err() {
            assert!(
                ready.elapsed() < Duration::from_secs(30),
                "the service did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let idle_kb = status_kb(pid, "VmRSS:");
        let prepared = Arc::new(prepared);
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (client, prepared, next, url) = (
                client.clone(),
                Arc::clone(&prepared),
                Arc::clone(&next),
                url.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let (mut lat, mut errors) = (Vec::new(), 0usize);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((body, token)) = prepared.get(i) else {
                        break;
                    };
                    let mut req = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body.clone());
                    if let Some(t) = token {
                        req = req.bearer_auth(t);
                    }
                    let t0 = Instant::now();
                    let ok = match req.send().await {
                        Ok(r) => {
                            r.status().is_success()
                                && r.bytes().await.is_ok_and(|b| b.starts_with(b"{\"cards\""))
                        }
                        Err(_) => false,
                    };
                    lat.push(t0.elapsed());
                    if !ok {
                        errors += 1;
                    }
                }
                (lat, errors)
            }));
        }
        let (mut all, mut errors) = (Vec::with_capacity(requests), 0);
        for t in tasks {
            let (lat, e) = t.await.unwrap_or_default();
            all.extend(lat);
            errors += e;
        }
        let wall = started.elapsed();
        all.sort();
        (all, errors, wall, idle_kb, status_kb(pid, "VmHWM:"))
    });
    let _ = server.kill();
    let _ = server.wait();
    let (lat, errors, wall, idle_kb, peak_kb) = report;
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or_else(|| "unknown CPU".to_string(), |s| s.trim().to_string());
    println!("| measure | value |\n|---|---|");
    println!(
        "| machine | {cpu}, {} cores (shared) |",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!(
        "| load average before the run (1 / 5 / 15 min) | {} |",
        load.join(" / ")
    );
    println!(
        "| authentication | {} |",
        if auth {
            if rsa {
                "RS384 (RSA 2048) JWT verified per request (unique `jti`)"
            } else {
                "ES384 (P-384) JWT verified per request (unique `jti`)"
            }
        } else {
            "off (`--insecure-dev-no-auth`)"
        }
    );
    println!("| requests × concurrency | {} × {concurrency} |", lat.len());
    println!("| wall time | {:.2} s |", wall.as_secs_f64());
    println!(
        "| throughput | {:.0} requests/s |",
        lat.len() as f64 / wall.as_secs_f64()
    );
    println!(
        "| latency p50 / p90 / p99 / max | {:.2} / {:.2} / {:.2} / {:.2} ms |",
        percentile(&lat, 0.50),
        percentile(&lat, 0.90),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0)
    );
    println!("| errors | {errors} |");
    println!(
        "| server memory: idle RSS / peak RSS (VmHWM) | {:.1} / {:.1} MiB |",
        idle_kb as f64 / 1024.0,
        peak_kb as f64 / 1024.0
    );
    if errors > 0 {
        std::process::exit(1);
    }
}
