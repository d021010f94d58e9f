//! Installs the tools the build and tests need, idempotently and only from the package
//! registries: Rust targets, wasm-bindgen-cli matching `Cargo.lock`, Debian's Chromium and
//! ChromeDriver, and the web demo's npm packages.

use crate::{root, run};
use std::process::Command;

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn has(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The wasm-bindgen version locked in `Cargo.lock`.
pub fn locked_wasm_bindgen() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|v| v.strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
            {
                return Ok(v.to_string());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

/// Rust targets for WASM and the no_std check.
pub fn targets() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    for t in ["wasm32-unknown-unknown", "thumbv7em-none-eabihf"] {
        if !installed.lines().any(|l| l.trim() == t) {
            run(Command::new("rustup").args(["target", "add", t]))?;
        }
    }
    Ok(())
}

/// wasm-bindgen-cli at exactly the locked version (built from crates.io source).
pub fn wasm_bindgen() -> Result<(), String> {
    let want = locked_wasm_bindgen()?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str()) {
        return Ok(());
    }
    if run(Command::new("cargo").args([
        "install",
        "--locked",
        "wasm-bindgen-cli",
        "--version",
        &want,
    ]))
    .is_ok()
    {
        return Ok(());
    }
    // The crate's own lockfile pins a webpki-roots release the registry no longer serves:
    // rebuild from the unpacked source with that one dependency moved back.
    let script = format!(
        "set -e; src=$(ls -d \"${{CARGO_HOME:-$HOME/.cargo}}\"/registry/src/*/wasm-bindgen-cli-{want} | head -1); \
         d=$(mktemp -d); cp -r \"$src\"/. \"$d\"; (cd \"$d\" && cargo update -p webpki-roots --precise 1.0.10); \
         cargo install --locked --force --path \"$d\"; rm -rf \"$d\""
    );
    run(Command::new("sh").args(["-c", &script]))
}

/// Debian's Chromium and ChromeDriver for the browser tests.
pub fn chromium() -> Result<(), String> {
    if has("chromium") && has("chromedriver") {
        return Ok(());
    }
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args([
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Folders with their own npm packages (the web demo, node tests, schema checks, the FHIR
/// form-filler round trip, benches, the npm package checks).
pub const NPM_DIRS: [&str; 6] = [
    "web-demo",
    "tests/schema",
    "tests/node",
    "tests/fhir",
    "bench/node",
    "wasm/npm/check",
];

/// `npm ci` in every folder whose lockfile is newer than its installed packages.
pub fn npm() -> Result<(), String> {
    for d in NPM_DIRS {
        npm_in(d)?;
    }
    Ok(())
}

/// `npm ci` in one folder, when needed.
pub fn npm_in(folder: &str) -> Result<(), String> {
    let dir = root().join(folder);
    if !dir.join("package-lock.json").exists() {
        return Ok(());
    }
    let stamp = dir.join("node_modules/.package-lock.json");
    let fresh = std::fs::metadata(&stamp).and_then(|m| m.modified()).ok()
        >= std::fs::metadata(dir.join("package-lock.json"))
            .and_then(|m| m.modified())
            .ok();
    if stamp.exists() && fresh {
        return Ok(());
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir))
}

/// Everything.
pub fn all() -> Result<(), String> {
    targets()?;
    wasm_bindgen()?;
    chromium()?;
    npm()
}
