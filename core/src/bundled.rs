//! The rulesets bundled inside the crate, so `Ruleset::national()` needs no files: the
//! national default ruleset for England and the local overlays.

use crate::error::RulesetError;
use crate::ruleset::Ruleset;
use alloc::vec::Vec;

/// The national default ruleset (England), as JSON.
pub const NATIONAL_JSON: &str = include_str!("../rulesets/england-national.json");

/// The id of the national ruleset.
pub const NATIONAL_ID: &str = "england-national";

/// Bundled overlays: `(id, title, JSON)`.
pub const OVERLAYS: &[(&str, &str, &str)] = &[(
    "norfolk",
    "Norfolk: South Norfolk District Direct housing officers",
    include_str!("../rulesets/overlays/norfolk.json"),
)];

/// The JSON of a bundled overlay.
#[must_use]
pub fn overlay_json(id: &str) -> Option<&'static str> {
    OVERLAYS
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, _, j)| *j)
}

impl Ruleset {
    /// The bundled national ruleset for England.
    ///
    /// # Errors
    /// Only if the bundled JSON were invalid, which the test suite rules out; never panics.
    pub fn national() -> Result<Ruleset, RulesetError> {
        Ruleset::from_json(NATIONAL_JSON)
    }

    /// The national ruleset with bundled overlays applied, by id (e.g. `["norfolk"]`).
    ///
    /// # Errors
    /// [`RulesetError::UnknownBundled`] for an id that is not bundled.
    pub fn national_with(overlays: &[&str]) -> Result<Ruleset, RulesetError> {
        let docs: Vec<&str> = overlays
            .iter()
            .map(|id| {
                overlay_json(id).ok_or_else(|| RulesetError::UnknownBundled { id: (*id).into() })
            })
            .collect::<Result<_, _>>()?;
        Ruleset::from_json_with_overlays(NATIONAL_JSON, &docs)
    }
}
