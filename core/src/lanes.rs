//! What the one evaluator computes with: a strong Kleene value for one patient ([`Tri`]) or
//! for 64 patients at once ([`Mask`], a pair of bit masks), behind one trait, [`Lanes`]. The
//! meaning of `all`, `any`, `not`, `at_least`, first-hit tables, requirement status and the
//! verdict is written once over this trait (`program.rs`, `evaluate/`), so the one-patient
//! path and the batch path cannot drift apart. One patient's conditions run as jump code
//! (`jump.rs`, chosen by [`Lanes::eval`]), with the same leaves and the same `at_least`;
//! law (f) of `tests/tests/laws.rs` checks it against the batch's walk.

use crate::program::{Program, Source};
use crate::tri::Tri;
use alloc::vec::Vec;
use core::ops::{BitAnd, BitOr, Not};

/// A Kleene value per lane: one patient, or a block of 64.
pub(crate) trait Lanes: Copy + PartialEq + core::fmt::Debug {
    /// A set of lanes: `bool` for one patient, a `u64` bit mask for 64.
    type Set: Copy
        + PartialEq
        + core::fmt::Debug
        + BitAnd<Output = Self::Set>
        + BitOr<Output = Self::Set>
        + Not<Output = Self::Set>;
    /// Per-lane counts of true and unknown parts, for `at_least`.
    type Tally: Default;

    /// No lane.
    const NONE: Self::Set;
    /// Every lane.
    const EVERY: Self::Set;
    /// True in every lane.
    const TRUE: Self;
    /// False in every lane.
    const FALSE: Self;
    /// Unknown in every lane.
    const UNKNOWN: Self;

    /// True in the lanes of `t`, false in those of `f` (disjoint), unknown elsewhere.
    fn from_sets(t: Self::Set, f: Self::Set) -> Self;
    /// Every lane when `b`, no lane otherwise.
    fn every_if(b: bool) -> Self::Set;
    /// The lanes where the value is true.
    fn t(self) -> Self::Set;
    /// The lanes where the value is false.
    fn f(self) -> Self::Set;
    /// Kleene conjunction, lane by lane.
    fn and(self, other: Self) -> Self;
    /// Kleene disjunction, lane by lane.
    fn or(self, other: Self) -> Self;
    /// Kleene negation, lane by lane.
    fn not(self) -> Self;
    /// Counts one part of an `at_least`.
    fn tally(tally: &mut Self::Tally, part: Self);
    /// `n` parts must be true: true once `n` are, false once fewer can still become true.
    fn at_least(n: u32, tally: &Self::Tally) -> Self;
    /// The value of the condition rooted at `root` (see [`Program::eval`]): one patient's by
    /// its jump code, 64 lanes' by the recursive walk.
    fn eval<S: Source<Self>>(prog: &Program, root: u32, s: &S) -> Self;
}

impl Lanes for Tri {
    type Set = bool;
    type Tally = (u32, u32);

    const NONE: bool = false;
    const EVERY: bool = true;
    const TRUE: Tri = Tri::True;
    const FALSE: Tri = Tri::False;
    const UNKNOWN: Tri = Tri::Unknown;

    #[inline(always)]
    fn from_sets(t: bool, f: bool) -> Tri {
        if t {
            Tri::True
        } else if f {
            Tri::False
        } else {
            Tri::Unknown
        }
    }

    #[inline(always)]
    fn every_if(b: bool) -> bool {
        b
    }

    #[inline(always)]
    fn t(self) -> bool {
        self == Tri::True
    }

    #[inline(always)]
    fn f(self) -> bool {
        self == Tri::False
    }

    #[inline(always)]
    fn and(self, other: Tri) -> Tri {
        Tri::and(self, other)
    }

    #[inline(always)]
    fn or(self, other: Tri) -> Tri {
        Tri::or(self, other)
    }

    #[inline(always)]
    fn not(self) -> Tri {
        Tri::not(self)
    }

    #[inline(always)]
    fn tally(tally: &mut (u32, u32), part: Tri) {
        // False 0b00, Unknown 0b01, True 0b10 (`Tri` is `repr(u8)` in that order).
        let x = part as u32;
        tally.0 += x >> 1;
        tally.1 += x & 1;
    }

    #[inline(always)]
    fn at_least(n: u32, tally: &(u32, u32)) -> Tri {
        Tri::at_least(n as usize, tally.0 as usize, tally.1 as usize)
    }

    #[inline(always)]
    fn eval<S: Source<Tri>>(prog: &Program, root: u32, s: &S) -> Tri {
        prog.code.eval(prog, root, s)
    }
}

/// Lanes per block of the batch path.
pub(crate) const LANES: usize = 64;

/// A Kleene value for 64 patients: bit `j` of `t` set = true for patient `j`; of `f` = false;
/// in neither = unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Mask {
    pub t: u64,
    pub f: u64,
}

impl Lanes for Mask {
    type Set = u64;
    type Tally = Counts;

    const NONE: u64 = 0;
    const EVERY: u64 = !0;
    const TRUE: Mask = Mask { t: !0, f: 0 };
    const FALSE: Mask = Mask { t: 0, f: !0 };
    const UNKNOWN: Mask = Mask { t: 0, f: 0 };

    #[inline(always)]
    fn from_sets(t: u64, f: u64) -> Mask {
        Mask { t, f: f & !t }
    }

    #[inline(always)]
    fn every_if(b: bool) -> u64 {
        0u64.wrapping_sub(u64::from(b))
    }

    #[inline(always)]
    fn t(self) -> u64 {
        self.t
    }

    #[inline(always)]
    fn f(self) -> u64 {
        self.f
    }

    #[inline(always)]
    fn and(self, o: Mask) -> Mask {
        Mask {
            t: self.t & o.t,
            f: self.f | o.f,
        }
    }

    #[inline(always)]
    fn or(self, o: Mask) -> Mask {
        Mask {
            t: self.t | o.t,
            f: self.f & o.f,
        }
    }

    #[inline(always)]
    fn not(self) -> Mask {
        Mask {
            t: self.f,
            f: self.t,
        }
    }

    fn tally(tally: &mut Counts, part: Mask) {
        let unknown = !(part.t | part.f);
        for (j, (t, u)) in tally
            .trues
            .iter_mut()
            .zip(tally.unknowns.iter_mut())
            .enumerate()
        {
            *t += u32::from(part.t >> j & 1 == 1);
            *u += u32::from(unknown >> j & 1 == 1);
        }
    }

    fn at_least(n: u32, tally: &Counts) -> Mask {
        let mut out = Mask::UNKNOWN;
        for (j, (&t, &u)) in tally.trues.iter().zip(tally.unknowns.iter()).enumerate() {
            let v = <Tri as Lanes>::at_least(n, &(t, u));
            out.t |= u64::from(v == Tri::True) << j;
            out.f |= u64::from(v == Tri::False) << j;
        }
        out
    }

    #[inline(always)]
    fn eval<S: Source<Mask>>(prog: &Program, root: u32, s: &S) -> Mask {
        prog.walk(root, s)
    }
}

/// Per-lane counts of true and unknown parts of one `at_least`, for 64 lanes.
#[derive(Debug, Clone)]
pub(crate) struct Counts {
    trues: [u32; LANES],
    unknowns: [u32; LANES],
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            trues: [0; LANES],
            unknowns: [0; LANES],
        }
    }
}

/// A cache of op values while the walks that explain a result visit the same ops many times.
pub(crate) trait Memo<L> {
    /// The remembered value of the op at `p`.
    fn get(&self, p: usize) -> Option<L>;
    /// Remembers the value of the op at `p`.
    fn set(&mut self, p: usize, v: L);
}

/// No cache: the hot path, one pass over each condition.
pub(crate) struct NoMemo;

impl<L> Memo<L> for NoMemo {
    #[inline(always)]
    fn get(&self, _: usize) -> Option<L> {
        None
    }

    #[inline(always)]
    fn set(&mut self, _: usize, _: L) {}
}

/// One patient's op values, one byte per op (0 = not yet evaluated).
#[derive(Debug, Clone, Default)]
pub(crate) struct OpMemo {
    values: Vec<u8>,
}

impl OpMemo {
    /// The remembered value of the op at `p`, unknown if it has none (a child's value in the
    /// memo fill, where every child is filled before its parent).
    #[inline(always)]
    pub(crate) fn tri(&self, p: usize) -> Tri {
        match self.values.get(p) {
            Some(1) => Tri::False,
            Some(3) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    /// Forgets every value and sizes the cache for `ops` ops.
    pub(crate) fn reset(&mut self, ops: usize) {
        // One fill once sized (every call after the first on a ruleset).
        if self.values.len() == ops {
            self.values.fill(0);
        } else {
            self.values.clear();
            self.values.resize(ops, 0);
        }
    }
}

// The walks read and write the memo once per op visited: inlined even in the size-optimised
// WASM build, where a call per read was a fifth of a report's time.
impl Memo<Tri> for OpMemo {
    #[inline(always)]
    fn get(&self, p: usize) -> Option<Tri> {
        match self.values.get(p) {
            Some(1) => Some(Tri::False),
            Some(2) => Some(Tri::Unknown),
            Some(3) => Some(Tri::True),
            _ => None,
        }
    }

    #[inline(always)]
    fn set(&mut self, p: usize, v: Tri) {
        if let Some(slot) = self.values.get_mut(p) {
            *slot = match v {
                Tri::False => 1,
                Tri::Unknown => 2,
                Tri::True => 3,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, reason = "test")]
    use super::*;

    const ALL: [Tri; 3] = [Tri::False, Tri::Unknown, Tri::True];

    /// Lane `j` of a mask as a Kleene value.
    fn lane(m: Mask, j: usize) -> Tri {
        <Tri as Lanes>::from_sets(m.t >> j & 1 == 1, m.f >> j & 1 == 1)
    }

    /// Nine lanes holding every pair of Kleene values.
    fn pairs() -> (Mask, Mask) {
        let (mut a, mut b) = (Mask::UNKNOWN, Mask::UNKNOWN);
        for (j, (x, y)) in ALL
            .iter()
            .flat_map(|x| ALL.iter().map(move |y| (*x, *y)))
            .enumerate()
        {
            a.t |= u64::from(x == Tri::True) << j;
            a.f |= u64::from(x == Tri::False) << j;
            b.t |= u64::from(y == Tri::True) << j;
            b.f |= u64::from(y == Tri::False) << j;
        }
        (a, b)
    }

    #[test]
    fn mask_lanes_agree_with_tri() {
        let (a, b) = pairs();
        for j in 0..9 {
            let (x, y) = (lane(a, j), lane(b, j));
            assert_eq!(lane(a.and(b), j), x.and(y));
            assert_eq!(lane(a.or(b), j), x.or(y));
            assert_eq!(lane(a.not(), j), x.not());
        }
        for n in 1..=2 {
            let mut tm = Counts::default();
            Mask::tally(&mut tm, a);
            Mask::tally(&mut tm, b);
            let m = Mask::at_least(n, &tm);
            for j in 0..9 {
                let mut tt = (0, 0);
                Tri::tally(&mut tt, lane(a, j));
                Tri::tally(&mut tt, lane(b, j));
                assert_eq!(lane(m, j), <Tri as Lanes>::at_least(n, &tt));
            }
        }
    }
}
