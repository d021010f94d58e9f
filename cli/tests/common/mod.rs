//! Helpers shared by the CLI test files: run the real `homeward` binary from the repository
//! root with chosen standard streams, and make scratch directories.

#![allow(dead_code, reason = "each test file uses a different subset")]
#![allow(clippy::panic, reason = "test helpers fail the test with context")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root (the tests run from there, so fixture paths are relative to it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The example ruleset and facts used throughout.
pub const RULESET: &str = "tests/fixtures/example-ruleset.json";
pub const FACTS: &str = "tests/fixtures/example-facts.json";

/// The binary under test: this build's, or `HOMEWARD_BIN` (to show a test failing on an
/// older build).
pub fn bin() -> PathBuf {
    std::env::var_os("HOMEWARD_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_homeward")),
        PathBuf::from,
    )
}

/// A `homeward` command from the repository root.
pub fn homeward(args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.args(args).current_dir(root()).stdin(Stdio::null());
    c
}

/// Runs `homeward` with `args` and collects its output.
pub fn run(args: &[&str]) -> Output {
    output(&mut homeward(args))
}

/// Runs a prepared command and collects its output.
pub fn output(c: &mut Command) -> Output {
    c.output()
        .unwrap_or_else(|e| panic!("cannot run homeward: {e}"))
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch directory named after the test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("homeward-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// `/dev/full` opened for writing: every write fails with ENOSPC, as on a full disk.
pub fn dev_full() -> Stdio {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .map(Stdio::from)
        .unwrap_or_else(|e| panic!("/dev/full: {e}"))
}

/// Writes `text` to `dir/name` and returns the path as a string.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    p.to_string_lossy().into_owned()
}

/// The exit code, failing the test with the streams if the process was killed by a signal.
#[track_caller]
pub fn code(o: &Output) -> i32 {
    o.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal\n{}", stderr(o)))
}

/// `homeward args…` run by `sh` under an address-space limit (`ulimit -v`, in KiB), with
/// standard input from `stdin_path` when given: memory that grows with the input fails.
pub fn limited(kib: u64, args: &[&str], stdin_path: Option<&str>) -> Output {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let redirect = stdin_path.map(|p| format!(" < '{p}'")).unwrap_or_default();
    let script = format!(
        "ulimit -v {kib} && exec '{}' {}{redirect}",
        bin().display(),
        quoted.join(" ")
    );
    output(Command::new("sh").args(["-c", &script]).current_dir(root()))
}
