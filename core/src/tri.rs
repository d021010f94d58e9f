//! Three-valued (strong Kleene) truth values: the engine's answer to "is this true?" when some
//! facts are not yet known.

use serde::{Deserialize, Serialize};

/// A strong Kleene truth value. `Unknown` means "not yet known", never "false".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tri {
    /// Definitely false whatever the unknown facts turn out to be.
    False,
    /// Depends on facts not yet answered.
    Unknown,
    /// Definitely true whatever the unknown facts turn out to be.
    True,
}

impl Tri {
    /// Kleene conjunction: false dominates, then unknown.
    #[must_use]
    pub const fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    /// Kleene disjunction: true dominates, then unknown.
    #[must_use]
    pub const fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }

    /// Kleene negation: unknown stays unknown.
    #[must_use]
    #[inline(always)]
    pub const fn not(self) -> Tri {
        match self {
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
            Tri::True => Tri::False,
        }
    }

    /// Whether the value is decided (true or false).
    #[must_use]
    pub const fn is_known(self) -> bool {
        !matches!(self, Tri::Unknown)
    }

    /// `n` of `parts` must be true: true once `n` are true, false once fewer than `n` can still
    /// become true, unknown otherwise.
    #[must_use]
    pub fn at_least(n: usize, trues: usize, unknowns: usize) -> Tri {
        if trues >= n {
            Tri::True
        } else if trues.saturating_add(unknowns) < n {
            Tri::False
        } else {
            Tri::Unknown
        }
    }
}

impl From<bool> for Tri {
    #[inline(always)]
    fn from(b: bool) -> Self {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
}
