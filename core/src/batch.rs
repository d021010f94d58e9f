//! Bit-parallel batch evaluation: 64 patients per pass. Each condition node is evaluated once
//! per block of 64 patients into two bit masks, "definitely true" and "definitely false" (a
//! lane in neither is unknown), so strong Kleene logic becomes word operations: `all` is
//! `(AND of trues, OR of falses)`, `any` the dual, `not` swaps the masks. Only leaves look at
//! individual patients, in tight loops over one fact's 64 values laid out together.
//!
//! This is the engine behind [`crate::json::JsonBulk::assess_many`] and gives exactly the
//! codes of the one-patient path ([`crate::compact`]); `core/tests/batch.rs` checks the two
//! agree on random patients with unknowns.

use crate::compact::{verdict_code, UNDECIDED, UNKNOWN};
use crate::compile::{ChecklistC, Item};
use crate::flat::{Flat, Kind};
use crate::report::Verdict;
use crate::ruleset::Ruleset;
use crate::wire::Kind as ReqKind;
use alloc::vec::Vec;

/// Lanes per block.
pub(crate) const LANES: usize = 64;

/// A Kleene value for 64 patients: bit `j` of `t` set = true for patient `j`; of `f` = false.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Mask {
    pub t: u64,
    pub f: u64,
}

impl Mask {
    const TRUE: Mask = Mask { t: !0, f: 0 };
}

/// How a fact's compact value maps to its bit planes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One plane: the value is 1 (true).
    Bool,
    /// One plane per option: the value is that option's index.
    Enum,
    /// One plane per option: the value's bit for that option is set.
    Set,
    /// No planes: compared lane by lane from the columns.
    Int,
}

/// Reusable buffers for one block.
#[derive(Debug, Clone, Default)]
pub(crate) struct Block {
    /// Fact-major values: fact `i`, patient `j` at `i * LANES + j`.
    cols: Vec<i32>,
    /// Per fact: which lanes are known.
    known: Vec<u64>,
    /// Per fact: where its bit planes start in `planes` (a bool has one plane, "true"; an enum
    /// or set one per option, "has this option"; an int none), and how many.
    plane_at: Vec<(usize, usize)>,
    /// Bit planes: bit `j` of a plane is set when patient `j`'s value has that property.
    planes: Vec<u64>,
    /// Per fact: how its value maps to planes.
    shape: Vec<Shape>,
    /// Per fact: the valid range of a known value (`lo > hi` accepts none).
    valid: Vec<(i64, i64)>,
    derived: Vec<Mask>,
    /// Per table, per output: lanes where that output is still possible.
    possible: Vec<Vec<u64>>,
    /// Per requirement of the checklist: not applicable, met and not met lanes.
    status: Vec<(u64, u64, u64)>,
}

/// Sets bit `j` of `t` where `test` holds for patient `j`'s known value and of `f` where it
/// fails; unknown lanes are in neither. Written without branches so it compiles to a tight loop.
#[inline(always)]
fn lanes(col: &[i32; LANES], test: impl Fn(i32) -> bool) -> Mask {
    let mut known = 0u64;
    let mut hit = 0u64;
    for (j, &x) in col.iter().enumerate() {
        known |= u64::from(x != UNKNOWN) << j;
        hit |= u64::from(test(x)) << j;
    }
    Mask {
        t: hit & known,
        f: known & !hit,
    }
}

/// The bits of a compact value.
#[inline(always)]
fn bits(x: i32) -> u32 {
    u32::from_ne_bytes(x.to_ne_bytes())
}

impl Block {
    /// Sizes the planes for `rs`'s facts (once per ruleset; cheap to repeat).
    pub(crate) fn prepare(&mut self, rs: &Ruleset) {
        if self.plane_at.len() == rs.facts.len() {
            return;
        }
        self.plane_at.clear();
        self.shape.clear();
        self.valid.clear();
        let mut at = 0;
        for f in &rs.facts {
            let (n, shape) = match &f.ty {
                crate::facts::FactType::Bool => (1, Shape::Bool),
                crate::facts::FactType::Enum(o) => (o.len(), Shape::Enum),
                // Sets too wide for a compact mask accept no known value (see `compact_range`).
                crate::facts::FactType::Set(o) if o.len() >= 31 => (0, Shape::Set),
                crate::facts::FactType::Set(o) => (o.len(), Shape::Set),
                crate::facts::FactType::Int { .. } => (0, Shape::Int),
            };
            self.plane_at.push((at, n));
            self.shape.push(shape);
            self.valid.push(f.compact_range());
            at += n;
        }
        self.planes.clear();
        self.planes.resize(at, 0);
    }

    /// Lays out patients `values` (row-major, `nf` values each, at most [`LANES`] patients)
    /// fact by fact: each fact's known mask and bit planes, and the columns of integer facts.
    /// Missing lanes are unknown. Returns the lanes holding a value that is not valid for its
    /// fact (the caller reports them; they are never assessed).
    pub(crate) fn load(&mut self, values: &[i32], nf: usize) -> u64 {
        let count = (values.len() / nf.max(1)).min(LANES);
        // Only integer columns are read, and each is rewritten in full below.
        if self.cols.len() != nf * LANES {
            self.cols.clear();
            self.cols.resize(nf * LANES, UNKNOWN);
        }
        self.known.clear();
        self.known.resize(nf, 0);
        self.planes.iter_mut().for_each(|p| *p = 0);
        let mut bad = 0u64;
        let rows = values.get(..count * nf).unwrap_or(&[]);
        for (i, ((&(at, n), &shape), &(lo, hi))) in self
            .plane_at
            .iter()
            .zip(self.shape.iter())
            .zip(self.valid.iter())
            .enumerate()
        {
            let mut known = 0u64;
            let mut invalid = 0u64;
            match shape {
                Shape::Bool => {
                    let mut ones = 0u64;
                    for j in 0..count {
                        let v = rows.get(j * nf + i).copied().unwrap_or(UNKNOWN);
                        let k = v != UNKNOWN;
                        known |= u64::from(k) << j;
                        ones |= u64::from(v == 1) << j;
                        invalid |= u64::from(k & (v != 0) & (v != 1)) << j;
                    }
                    if let Some(p) = self.planes.get_mut(at) {
                        *p = ones;
                    }
                }
                Shape::Enum | Shape::Set => {
                    for j in 0..count {
                        let v = rows.get(j * nf + i).copied().unwrap_or(UNKNOWN);
                        if v == UNKNOWN {
                            continue;
                        }
                        let x = i64::from(v);
                        if x < lo || x > hi {
                            invalid |= 1u64 << j;
                            continue;
                        }
                        known |= 1u64 << j;
                        let x = bits(v) as usize;
                        if shape == Shape::Enum {
                            if let Some(p) = self.planes.get_mut(at + x) {
                                *p |= 1u64 << j;
                            }
                        } else {
                            for (o, p) in self.planes.iter_mut().skip(at).take(n).enumerate() {
                                *p |= u64::from(x >> o & 1 == 1) << j;
                            }
                        }
                    }
                }
                Shape::Int => {
                    let col = self
                        .cols
                        .get_mut(i * LANES..(i + 1) * LANES)
                        .unwrap_or(&mut []);
                    for (j, slot) in col.iter_mut().enumerate() {
                        let v = if j < count {
                            rows.get(j * nf + i).copied().unwrap_or(UNKNOWN)
                        } else {
                            UNKNOWN
                        };
                        let k = v != UNKNOWN;
                        let x = i64::from(v);
                        known |= u64::from(k) << j;
                        invalid |= u64::from(k & ((x < lo) | (x > hi))) << j;
                        *slot = v;
                    }
                }
            }
            if let Some(k) = self.known.get_mut(i) {
                *k = known & !invalid;
            }
            bad |= invalid;
        }
        bad
    }

    /// The known mask and bit planes of a fact.
    fn planes_of(&self, fact: u32) -> (u64, &[u64]) {
        let f = fact as usize;
        let known = self.known.get(f).copied().unwrap_or(0);
        let planes = self
            .plane_at
            .get(f)
            .and_then(|&(at, n)| self.planes.get(at..at + n))
            .unwrap_or(&[]);
        (known, planes)
    }

    fn col(&self, fact: u32) -> &[i32; LANES] {
        const EMPTY: [i32; LANES] = [UNKNOWN; LANES];
        let s = fact as usize * LANES;
        self.cols
            .get(s..s + LANES)
            .and_then(|c| <&[i32; LANES]>::try_from(c).ok())
            .unwrap_or(&EMPTY)
    }

    /// The masks of the op at `p` and the index just past it.
    fn eval(&self, flat: &Flat, p: usize) -> (Mask, usize) {
        let Some(op) = flat.ops.get(p) else {
            return (Mask::default(), usize::MAX);
        };
        let end = op.end as usize;
        let m = match op.kind {
            Kind::Const(true) => Mask::TRUE,
            Kind::Const(false) => Mask { t: 0, f: !0 },
            Kind::Bool { fact, want } => {
                let (known, planes) = self.planes_of(fact);
                let ones = planes.first().copied().unwrap_or(0);
                let t = if want { ones } else { known & !ones };
                Mask { t, f: known & !t }
            }
            Kind::EnumIn { fact, mask } => {
                let (known, planes) = self.planes_of(fact);
                let hit = planes
                    .iter()
                    .enumerate()
                    .filter(|(o, _)| mask >> o & 1 == 1)
                    .fold(0u64, |acc, (_, p)| acc | p);
                Mask {
                    t: hit,
                    f: known & !hit,
                }
            }
            Kind::SetEq { fact, mask } | Kind::SetNe { fact, mask } => {
                let (known, planes) = self.planes_of(fact);
                let eq = planes.iter().enumerate().fold(known, |acc, (o, p)| {
                    acc & if mask >> o & 1 == 1 { *p } else { !*p }
                });
                // A mask naming options the fact does not have can never be equal.
                let eq = if mask >> planes.len() == 0 { eq } else { 0 };
                let t = if matches!(op.kind, Kind::SetEq { .. }) {
                    eq
                } else {
                    known & !eq
                };
                Mask { t, f: known & !t }
            }
            Kind::SetHas { fact, mask } => {
                let (known, planes) = self.planes_of(fact);
                let has = planes
                    .iter()
                    .enumerate()
                    .filter(|(o, _)| mask >> o & 1 == 1)
                    .fold(known, |acc, (_, p)| acc & p);
                let has = if mask >> planes.len() == 0 { has } else { 0 };
                Mask {
                    t: has,
                    f: known & !has,
                }
            }
            Kind::Int { fact, op, c } => {
                use crate::condition::IntOp;
                let col = self.col(fact);
                // The comparison is chosen once, outside the lane loop (`IntOp::holds` inside
                // it would branch per lane in the size-optimised WASM build).
                match op {
                    IntOp::Eq => lanes(col, |x| i64::from(x) == c),
                    IntOp::Ne => lanes(col, |x| i64::from(x) != c),
                    IntOp::Lt => lanes(col, |x| i64::from(x) < c),
                    IntOp::Lte => lanes(col, |x| i64::from(x) <= c),
                    IntOp::Gt => lanes(col, |x| i64::from(x) > c),
                    IntOp::Gte => lanes(col, |x| i64::from(x) >= c),
                }
            }
            Kind::IntIn { fact, list } => {
                let list = flat.lists.get(list as usize).map_or(&[][..], |l| &l[..]);
                lanes(self.col(fact), |x| list.contains(&i64::from(x)))
            }
            Kind::Known(fact) => {
                let (known, _) = self.planes_of(fact);
                Mask {
                    t: known,
                    f: !known,
                }
            }
            Kind::Ref(d) => self.derived.get(d as usize).copied().unwrap_or_default(),
            Kind::Decision { table, mask } => {
                let possible = self
                    .possible
                    .get(table as usize)
                    .map_or(&[][..], |v| &v[..]);
                // True where no output outside the mask is possible; false where none inside
                // is (the set of possible outputs is never empty).
                let (mut outside, mut inside) = (0u64, 0u64);
                for (o, &lanes) in possible.iter().enumerate() {
                    if o < 64 && mask & (1u64 << o) != 0 {
                        inside |= lanes;
                    } else {
                        outside |= lanes;
                    }
                }
                Mask {
                    t: !outside,
                    f: !inside,
                }
            }
            Kind::All => {
                let mut acc = Mask::TRUE;
                let mut c = p + 1;
                while c < end {
                    let (m, next) = self.eval(flat, c);
                    acc = Mask {
                        t: acc.t & m.t,
                        f: acc.f | m.f,
                    };
                    c = next;
                }
                acc
            }
            Kind::Any => {
                let mut acc = Mask { t: 0, f: !0 };
                let mut c = p + 1;
                while c < end {
                    let (m, next) = self.eval(flat, c);
                    acc = Mask {
                        t: acc.t | m.t,
                        f: acc.f & m.f,
                    };
                    c = next;
                }
                acc
            }
            Kind::Not => {
                let m = self.eval(flat, p + 1).0;
                Mask { t: m.f, f: m.t }
            }
            Kind::AtLeast(n) => {
                // Per lane: true when n children are true, false when n can no longer be
                // reached; counts kept per lane, no allocation.
                let mut trues = [0u32; LANES];
                let mut unknowns = [0u32; LANES];
                let mut c = p + 1;
                while c < end {
                    let (m, next) = self.eval(flat, c);
                    let u = !(m.t | m.f);
                    for (j, (t, q)) in trues.iter_mut().zip(unknowns.iter_mut()).enumerate() {
                        *t += u32::from(m.t >> j & 1 == 1);
                        *q += u32::from(u >> j & 1 == 1);
                    }
                    c = next;
                }
                let mut out = Mask::default();
                for (j, (&t, &u)) in trues.iter().zip(unknowns.iter()).enumerate() {
                    match crate::tri::Tri::at_least(n as usize, t as usize, u as usize) {
                        crate::tri::Tri::True => out.t |= 1u64 << j,
                        crate::tri::Tri::False => out.f |= 1u64 << j,
                        crate::tri::Tri::Unknown => {}
                    }
                }
                out
            }
        };
        (m, end)
    }

    fn node(&self, rs: &Ruleset, id: crate::condition::NodeId) -> Mask {
        let flat = rs.prog.flat();
        match flat.pos.get(id as usize) {
            Some(&p) if p != u32::MAX => self.eval(flat, p as usize).0,
            _ => Mask::default(),
        }
    }

    /// Evaluates the named conditions and tables of `plan` for the loaded block.
    fn run(&mut self, rs: &Ruleset, plan: &[Item]) {
        let (nd, nt) = rs.item_count();
        self.derived.clear();
        self.derived.resize(nd, Mask::default());
        self.possible.resize(nt, Vec::new());
        for item in plan {
            match *item {
                Item::Derived(i) => {
                    let m = rs
                        .derived
                        .get(i)
                        .map_or(Mask::default(), |d| self.node(rs, d.1));
                    if let Some(slot) = self.derived.get_mut(i) {
                        *slot = m;
                    }
                }
                Item::Table(t) => {
                    let outputs = rs.doc.tables.get(t).map_or(0, |d| d.outputs.len());
                    let mut possible = self
                        .possible
                        .get_mut(t)
                        .map(core::mem::take)
                        .unwrap_or_default();
                    possible.clear();
                    possible.resize(outputs, 0);
                    let mut stopped = 0u64;
                    if let Some(table) = rs.tables.get(t) {
                        for row in &table.rows {
                            let m = self.node(rs, row.when);
                            if let Some(slot) = possible.get_mut(row.out) {
                                *slot |= !stopped & !m.f;
                            }
                            stopped |= m.t;
                        }
                        if let Some(slot) = possible.get_mut(table.default) {
                            *slot |= !stopped;
                        }
                    }
                    if let Some(slot) = self.possible.get_mut(t) {
                        *slot = possible;
                    }
                }
            }
        }
    }

    /// Evaluates the loaded block for `cl` and writes `count` patients' codes into `out`
    /// (`per` codes each: verdict, tables, requirements).
    pub(crate) fn assess(
        &mut self,
        rs: &Ruleset,
        cl: &ChecklistC,
        count: usize,
        out: &mut [u32],
        per: usize,
    ) {
        self.run(rs, &cl.plan);
        let nt = cl.tables.len();
        let mut not_met_hard = 0u64;
        let mut unknown_hard = 0u64;
        // Per requirement: (not applicable, met, not met) lanes; exclusive, unknown is none.
        let mut masks = core::mem::take(&mut self.status);
        masks.clear();
        for &r in &cl.reqs {
            let Some(rc) = rs.reqs.get(r) else {
                masks.push((0, 0, 0));
                continue;
            };
            let a = rc.applies.map_or(Mask::TRUE, |n| self.node(rs, n));
            let m = self.node(rs, rc.met);
            let na = a.f;
            let met = !na & m.t;
            let not_met = a.t & m.f;
            if rc.kind != ReqKind::Advisory {
                not_met_hard |= not_met;
                unknown_hard |= !(na | met | not_met);
            }
            masks.push((na, met, not_met));
        }
        // Status codes lane by lane, without branches: met 0, not met 1, unknown 2, n/a 3.
        for (j, codes) in out.chunks_mut(per).take(count).enumerate() {
            let reqs = codes.get_mut(1 + nt..).unwrap_or(&mut []);
            for (slot, &(na, met, nm)) in reqs.iter_mut().zip(masks.iter()) {
                let bit = |m: u64| u32::from(m >> j & 1 == 1);
                *slot = 2 + bit(na) - 2 * bit(met) - bit(nm);
            }
        }
        self.status = masks;
        for (j, codes) in out.chunks_mut(per).take(count).enumerate() {
            let bit = 1u64 << j;
            let verdict = if not_met_hard & bit != 0 {
                Verdict::NotReady
            } else if unknown_hard & bit != 0 {
                Verdict::Undetermined
            } else {
                Verdict::Ready
            };
            if let Some(slot) = codes.first_mut() {
                *slot = verdict_code(verdict);
            }
            for (i, &t) in cl.tables.iter().enumerate() {
                let possible = self.possible.get(t).map_or(&[][..], |v| &v[..]);
                let mut decided = UNDECIDED;
                let mut seen = 0;
                for (o, &lanes) in possible.iter().enumerate() {
                    if lanes & bit != 0 {
                        seen += 1;
                        decided = u32::try_from(o).unwrap_or(UNDECIDED);
                    }
                }
                if let Some(slot) = codes.get_mut(1 + i) {
                    *slot = if seen == 1 { decided } else { UNDECIDED };
                }
            }
        }
    }
}
