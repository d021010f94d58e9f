//! Three-valued (strong Kleene) truth values: the engine's answer to "is this true?" when some
//! facts are not yet known.

crate::words::words! {
    /// A strong Kleene truth value. `Unknown` means "not yet known", never "false".
    ///
    /// The declaration order (false < unknown < true) is the information-free truth order:
    /// conjunction is the minimum and disjunction the maximum.
    #[repr(u8)]
    pub enum Tri {
        /// Definitely false whatever the unknown facts turn out to be.
        False = "false",
        /// Depends on facts not yet answered.
        Unknown = "unknown",
        /// Definitely true whatever the unknown facts turn out to be.
        True = "true",
    }
}

impl Tri {
    /// Kleene conjunction: false dominates, then unknown (the minimum).
    #[must_use]
    #[inline(always)]
    pub const fn and(self, other: Tri) -> Tri {
        if (self as u8) <= (other as u8) {
            self
        } else {
            other
        }
    }

    /// Kleene disjunction: true dominates, then unknown (the maximum).
    #[must_use]
    #[inline(always)]
    pub const fn or(self, other: Tri) -> Tri {
        if (self as u8) >= (other as u8) {
            self
        } else {
            other
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

#[cfg(test)]
mod tests {
    use super::Tri;

    const ALL: [Tri; 3] = [Tri::False, Tri::Unknown, Tri::True];

    /// The minimum/maximum forms are the strong Kleene tables.
    #[test]
    fn and_or_are_the_kleene_tables() {
        for a in ALL {
            for b in ALL {
                let and = match (a, b) {
                    (Tri::False, _) | (_, Tri::False) => Tri::False,
                    (Tri::True, Tri::True) => Tri::True,
                    _ => Tri::Unknown,
                };
                let or = match (a, b) {
                    (Tri::True, _) | (_, Tri::True) => Tri::True,
                    (Tri::False, Tri::False) => Tri::False,
                    _ => Tri::Unknown,
                };
                assert_eq!(a.and(b), and, "{a:?} and {b:?}");
                assert_eq!(a.or(b), or, "{a:?} or {b:?}");
            }
        }
    }
}
