//! The rulebook file: `docs/rules.md`, generated from the bundled rulesets by
//! [`homeward_interop::rulebook`] and written or checked here.

pub use homeward_interop::rulebook::{generate, single};
use std::path::Path;

/// Writes (or with `check`, verifies) `docs/rules.md`.
///
/// # Errors
/// When the file is out of date (with `check`) or cannot be written.
pub fn run(root: &Path, check: bool) -> Result<(), String> {
    let text = generate()?;
    let path = root.join("docs/rules.md");
    if check {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != text {
            return Err(
                "docs/rules.md is out of date: run `cargo xtask rulebook` and commit it".into(),
            );
        }
        return crate::io::stdout("docs/rules.md is current\n").map_err(|e| e.to_string());
    }
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    crate::io::stdout(&format!("wrote {}\n", path.display())).map_err(|e| e.to_string())
}
