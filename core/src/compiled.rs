//! The binary form of a compiled ruleset: what `Ruleset::load` builds from JSON (the merged
//! document, the program, tables, requirements, checklist plans and the indexes), written so
//! that it can be read back without decoding, checking, merging or compiling again. A build
//! that only evaluates rulesets compiled ahead of time needs none of that code.
//!
//! Layout: the magic `HWRC`, the format version ([`FORMAT`]), the engine version that wrote it
//! (another version's form is refused: the form follows the engine's internal types), the
//! payload's length and CRC-32 (four bytes, little-endian), then the payload. Integers are
//! LEB128 (signed ones zigzag), lists a length then their items, options and enums a tag
//! byte; a string is 0, its length and bytes the first time, and its number (from 1) each time
//! again (the compiled parts repeat the document's titles, questions and actions: 164,442
//! bytes for the national ruleset without this, 47,502 gzipped).
//!
//! What can be derived cheaply from the rest is not written but rebuilt on reading, as `load`
//! builds it: the count of table outputs a patient's values are allocated by, and the jump
//! code one patient's conditions run as (format 2; format 1 shipped it, 9,521 of the national
//! ruleset's 89,006 bytes, and had to check that crafted code could not loop).
//!
//! The CRC-32 is there for damage (a download cut short, a flipped bit on a disk), as in zip,
//! gzip and PNG; like any unkeyed digest it is no defence against a deliberate change (anyone
//! can recompute it), which is why reading checks everything evaluation relies on. Format 1
//! carried a SHA-256, which cost the runtime `.wasm` RustCrypto's `sha2` for nothing more.
//!
//! Reading is checked, so no input can make the engine loop, overflow its stack or panic (and no
//! index in it is ever used unchecked: the engine reads every array with `get`): the CRC-32
//! catches damage and truncation, a reader that runs out of bytes or meets an unknown tag stops
//! with the byte offset, a list cannot claim more items than bytes are left, lists and boxes
//! nest at most [`MAX_READ_DEPTH`] deep, the strings copied for references total at most 16
//! times the payload, maps must be in id order, and [`Ruleset::from_compiled`] then checks
//! that ops nest properly and no deeper than [`MAX_OP_DEPTH`] (which the recursion laying out
//! the jump code, and every evaluator, relies on). Walks over named conditions and tables keep
//! a set of those visited, and explanations a depth bound, so references need no check of
//! their own.

use crate::error::RulesetError;
use crate::ruleset::Ruleset;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// The leading bytes of the binary form.
pub const MAGIC: &[u8; 4] = b"HWRC";
/// The version of the binary form's layout.
pub const FORMAT: u32 = 2;
/// The engine version that writes and reads this form.
const ENGINE: &str = env!("CARGO_PKG_VERSION");

/// A value with a binary form.
pub(crate) trait Bin: Sized {
    /// Appends the value.
    fn put(&self, w: &mut Writer);
    /// Reads a value. When the bytes end or do not hold one, the reader is marked failed
    /// ([`Reader::fail`]) and a placeholder comes back: reading never stops half-way through a
    /// value, so there is no code for dropping a value half read (a third of the reader's size
    /// in the WebAssembly build, measured), and the caller checks the reader once at the end.
    fn get(r: &mut Reader<'_>) -> Self;
}

/// A cursor over the payload. Once failed, it reads zeros and empty lists, so every value
/// comes back short and reading ends quickly.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Where reading first failed, if it has.
    failed: Option<usize>,
    /// The strings read so far, in order (see [`Writer`]).
    strings: Vec<String>,
    /// Bytes of strings that references may still copy: [`STRING_COPIES`] times the payload
    /// at the start, so that a few bytes of references cannot ask for gigabytes.
    copies_left: usize,
    /// Lists and boxes open (the only ways a value can nest): at most [`MAX_READ_DEPTH`],
    /// so that a condition nested a million times fails instead of overflowing the stack.
    depth: usize,
}

/// How deeply lists and boxes may nest while reading: ten times what a ruleset can hold
/// (conditions nest at most 32 deep as written).
pub const MAX_READ_DEPTH: usize = 320;

/// How many times the payload's length the strings copied for references may total (the
/// national ruleset copies less than twice its payload).
const STRING_COPIES: usize = 16;

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            at: 0,
            failed: None,
            strings: Vec::new(),
            copies_left: bytes.len().saturating_mul(STRING_COPIES),
            depth: 0,
        }
    }

    /// Marks reading failed here (the first failure's offset is kept).
    pub(crate) fn fail(&mut self) {
        if self.failed.is_none() {
            self.failed = Some(self.at);
        }
    }

    /// The next byte (0, and failed, past the end).
    pub(crate) fn byte(&mut self) -> u8 {
        if self.failed.is_some() {
            return 0;
        }
        match self.bytes.get(self.at) {
            Some(&b) => {
                self.at += 1;
                b
            }
            None => {
                self.fail();
                0
            }
        }
    }

    /// An unsigned LEB128 integer of at most 64 bits.
    fn uleb(&mut self) -> u64 {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            if shift == 63 && b > 1 {
                self.fail();
                return 0;
            }
            value |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return value;
            }
            shift += 7;
        }
    }

    /// The next `n` bytes (empty, and failed, past the end).
    fn take(&mut self, n: usize) -> &'a [u8] {
        let bytes: &'a [u8] = self.bytes;
        match self
            .at
            .checked_add(n)
            .and_then(|end| Some((end, bytes.get(self.at..end)?)))
        {
            Some((end, s)) if self.failed.is_none() => {
                self.at = end;
                s
            }
            _ => {
                self.fail();
                &[]
            }
        }
    }

    /// Opens a list or box; fails past [`MAX_READ_DEPTH`] (then everything reads as empty or
    /// as the first variant, so reading unwinds at once). Not inlined: it is called from
    /// every list type's reader (inlined, 156 B more of `.wasm` gzipped).
    #[inline(never)]
    fn enter(&mut self) {
        self.depth += 1;
        if self.depth > MAX_READ_DEPTH {
            self.fail();
        }
    }

    /// Closes a list or box opened by [`Reader::enter`].
    #[inline(never)]
    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Opens a list ([`Reader::enter`]) and reads its length ([`Reader::len`]).
    #[inline(never)]
    fn open_list(&mut self) -> usize {
        self.enter();
        self.len()
    }

    /// A list's length: at most the bytes left, as every item takes at least one.
    pub(crate) fn len(&mut self) -> usize {
        let n = usize::try_from(self.uleb()).unwrap_or(usize::MAX);
        if n > self.bytes.len().saturating_sub(self.at) {
            self.fail();
            return 0;
        }
        n
    }
}

/// The payload being written, and each string written so far with its number: a string
/// written again is written as a reference (the compiled parts repeat the document's titles,
/// questions and actions; gzip's 32 KB window cannot reach back that far).
pub(crate) struct Writer {
    out: Vec<u8>,
    strings: alloc::collections::BTreeMap<String, usize>,
}

impl Writer {
    /// An empty payload.
    fn new() -> Self {
        Writer {
            out: Vec::new(),
            strings: alloc::collections::BTreeMap::new(),
        }
    }

    fn push(&mut self, b: u8) {
        self.out.push(b);
    }
}

/// Appends an unsigned LEB128 integer.
fn put_uleb(mut v: u64, w: &mut Writer) {
    while v >= 0x80 {
        w.push(u8::try_from(v & 0x7f).unwrap_or(0) | 0x80);
        v >>= 7;
    }
    w.push(u8::try_from(v).unwrap_or(0));
}

/// Appends a tag byte (an enum variant's or an option's).
pub(crate) fn put_tag(tag: u8, w: &mut Writer) {
    w.push(tag);
}

impl Bin for u64 {
    fn put(&self, w: &mut Writer) {
        put_uleb(*self, w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        r.uleb()
    }
}

impl Bin for i64 {
    fn put(&self, w: &mut Writer) {
        // Zigzag: small magnitudes of either sign stay short.
        put_uleb(
            u64::from_ne_bytes(((*self << 1) ^ (*self >> 63)).to_ne_bytes()),
            w,
        );
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let u = r.uleb();
        i64::from_ne_bytes((u >> 1).to_ne_bytes()) ^ -i64::from(u8::from(u & 1 == 1))
    }
}

/// Integers narrower than 64 bits, through the 64-bit forms (a value out of range fails).
macro_rules! narrow {
    ($($ty:ty => $wide:ty),+) => {$(
        impl Bin for $ty {
            fn put(&self, w: &mut Writer) {
                <$wide>::try_from(*self).unwrap_or_default().put(w);
            }
            fn get(r: &mut Reader<'_>) -> Self {
                <$ty>::try_from(<$wide>::get(r)).unwrap_or_else(|_| {
                    r.fail();
                    0
                })
            }
        }
    )+};
}

narrow!(u32 => u64, usize => u64, i32 => i64);

impl Bin for bool {
    fn put(&self, w: &mut Writer) {
        put_tag(u8::from(*self), w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        match r.byte() {
            0 => false,
            1 => true,
            _ => {
                r.fail();
                false
            }
        }
    }
}

/// Appends a string: 0, its length and UTF-8 bytes the first time; `n` (from 1) for the `n`th
/// string written, when it is written again.
fn put_str(s: &str, w: &mut Writer) {
    if let Some(&n) = w.strings.get(s) {
        (n + 1).put(w);
        return;
    }
    put_tag(0, w);
    s.len().put(w);
    w.out.extend_from_slice(s.as_bytes());
    let n = w.strings.len();
    w.strings.insert(String::from(s), n);
}

/// Appends a list: its length, then its items.
fn put_slice<T: Bin>(items: &[T], w: &mut Writer) {
    items.len().put(w);
    for v in items {
        v.put(w);
    }
}

/// A string (see [`put_str`]).
impl Bin for String {
    fn put(&self, w: &mut Writer) {
        put_str(self, w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let n = usize::get(r);
        if n > 0 {
            return match r.strings.get(n - 1) {
                Some(s) if s.len() <= r.copies_left => {
                    r.copies_left -= s.len();
                    s.clone()
                }
                _ => {
                    r.fail();
                    String::new()
                }
            };
        }
        let len = r.len();
        let bytes = r.take(len);
        match core::str::from_utf8(bytes) {
            Ok(s) => {
                r.strings.push(String::from(s));
                String::from(s)
            }
            Err(_) => {
                r.fail();
                String::new()
            }
        }
    }
}

impl Bin for Box<str> {
    fn put(&self, w: &mut Writer) {
        put_str(self, w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        String::get(r).into_boxed_str()
    }
}

impl<T: Bin> Bin for Option<T> {
    fn put(&self, w: &mut Writer) {
        match self {
            None => put_tag(0, w),
            Some(v) => {
                put_tag(1, w);
                v.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        match r.byte() {
            0 => None,
            1 => Some(T::get(r)),
            _ => {
                r.fail();
                None
            }
        }
    }
}

impl<T: Bin> Bin for Vec<T> {
    fn put(&self, w: &mut Writer) {
        put_slice(self, w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let n = r.open_list();
        // Grown as items arrive: a claimed length is only an upper bound, never reserved.
        let mut v = Vec::new();
        for _ in 0..n {
            v.push(T::get(r));
        }
        r.leave();
        v
    }
}

impl<T: Bin> Bin for Box<[T]> {
    fn put(&self, w: &mut Writer) {
        put_slice(self, w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        Vec::get(r).into_boxed_slice()
    }
}

impl<T: Bin> Bin for Box<T> {
    fn put(&self, w: &mut Writer) {
        (**self).put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        r.enter();
        let v = Box::new(T::get(r));
        r.leave();
        v
    }
}

impl<A: Bin, B: Bin> Bin for (A, B) {
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
        self.1.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let a = A::get(r);
        (a, B::get(r))
    }
}

/// The binary form of a struct, field by field in the order given. Every field must be named
/// (the impl destructures and builds the struct whole), so a field added to the struct and not
/// here does not compile.
macro_rules! bin_struct {
    ($($ty:ident { $($f:ident),+ $(,)? $(; $($d:ident),+ $(,)?)? })+) => {$(
        impl $crate::compiled::Bin for $ty {
            fn put(&self, w: &mut $crate::compiled::Writer) {
                let $ty { $($f,)+ $($($d: _,)+)? } = self;
                $( $crate::compiled::Bin::put($f, w); )+
            }
            fn get(r: &mut $crate::compiled::Reader<'_>) -> Self {
                $ty { $($f: $crate::compiled::Bin::get(r),)+ $($($d: Default::default(),)+)? }
            }
        }
    )+};
}

pub(crate) use bin_struct;

/// How deeply ops may nest in a compiled ruleset read back: twice the nesting `load` allows
/// in a condition as written (lowering may add a level or two), far below what the recursive
/// evaluators' stack could hold.
pub const MAX_OP_DEPTH: usize = 2 * crate::decode::MAX_DEPTH + 2;

impl Ruleset {
    /// The binary form of this compiled ruleset, for [`Ruleset::from_compiled`]: a build that
    /// only evaluates (such as the bedside page's WebAssembly) can then skip decoding, checking
    /// and compiling the JSON. Deterministic: the same ruleset gives the same bytes.
    #[must_use]
    pub fn to_compiled(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.put(&mut w);
        let payload = w.out;
        let mut head = Writer::new();
        head.out.extend_from_slice(MAGIC);
        put_uleb(u64::from(FORMAT), &mut head);
        put_str(ENGINE, &mut head);
        payload.len().put(&mut head);
        let mut out = head.out;
        out.extend_from_slice(&crate::hash::crc32(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// A compiled ruleset read back from [`Ruleset::to_compiled`]'s bytes.
    ///
    /// # Errors
    /// [`RulesetError::Compiled`], with the byte offset, when the bytes are not this engine
    /// version's form, are damaged or cut short, or do not hold a ruleset the engine can
    /// evaluate (see the module header). Never panics.
    pub fn from_compiled(bytes: &[u8]) -> Result<Ruleset, RulesetError> {
        let fail = |at: usize, problem: &'static str| RulesetError::Compiled { at, problem };
        let mut r = Reader::new(bytes);
        if r.take(MAGIC.len()) != MAGIC.as_slice() {
            return Err(fail(0, "not a compiled ruleset (no `HWRC` at the start)"));
        }
        if r.uleb() != u64::from(FORMAT) {
            return Err(fail(
                4,
                "a format of compiled ruleset this engine does not read: compile the ruleset again",
            ));
        }
        let at = r.at;
        if String::get(&mut r) != ENGINE {
            return Err(fail(
                at,
                "compiled by another version of the engine: compile the ruleset again",
            ));
        }
        let at = r.at;
        let n = usize::get(&mut r);
        let crc = r.take(4);
        let payload = r.take(n);
        if r.failed.is_some()
            || r.at != bytes.len()
            || crate::hash::crc32(payload).to_le_bytes() != crc
        {
            return Err(fail(
                at,
                "damaged or cut short (its length or CRC-32 does not match)",
            ));
        }
        let start = r.at;
        let mut p = Reader::new(payload);
        let mut rs = Ruleset::get(&mut p);
        if p.at != payload.len() {
            p.fail();
        }
        if let Some(at) = p.failed {
            return Err(fail(start + at, "unreadable at this byte"));
        }
        rs.check_compiled()
            .map_err(|problem| fail(start, problem))?;
        // Rebuilt, as `load` builds them, never read: the count of table outputs a patient's
        // values are allocated by, and the jump code one patient's conditions run as (laid
        // out once the ops are known to nest, which its recursion relies on).
        for t in &rs.tables {
            rs.outs_len += t.outputs.len();
        }
        rs.prog.code = crate::jump::Code::of(&rs.prog);
        Ok(rs)
    }

    /// What evaluation needs to terminate (see the module header), for a ruleset read back.
    fn check_compiled(&self) -> Result<(), &'static str> {
        // Nesting: each op's subtree ends after it and within its parent's.
        let ops = &self.prog.ops;
        let mut open: Vec<usize> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            let end = op.end as usize;
            while open.last().is_some_and(|&e| e <= i) {
                open.pop();
            }
            if end <= i || end > ops.len() || open.last().is_some_and(|&e| end > e) {
                return Err("its conditions do not nest");
            }
            open.push(end);
            if open.len() > MAX_OP_DEPTH {
                return Err("its conditions nest too deeply");
            }
        }
        Ok(())
    }
}

/// Enums: a tag byte, then the variant's fields in order. Tags must start at 0 (an unknown
/// tag fails the reader, which then reads the variant tagged 0 from zeros).
macro_rules! bin_enum {
    ($ty:ident { $($tag:literal => $v:ident $( ( $($a:ident),+ ) )? $( { $($f:ident),+ } )?),+ $(,)? }) => {
        impl $crate::compiled::Bin for $ty {
            fn put(&self, w: &mut $crate::compiled::Writer) {
                match self {$(
                    $ty::$v $( ( $($a),+ ) )? $( { $($f),+ } )? => {
                        $crate::compiled::put_tag($tag, w);
                        $( $( $crate::compiled::Bin::put($a, w); )+ )?
                        $( $( $crate::compiled::Bin::put($f, w); )+ )?
                    }
                )+}
            }
            fn get(r: &mut $crate::compiled::Reader<'_>) -> Self {
                match r.byte() {
                    $( $tag => $ty::$v
                        $( ( $($crate::compiled::bin_enum!(@get r, $a)),+ ) )?
                        $( { $($f: $crate::compiled::Bin::get(r)),+ } )?, )+
                    // Failed: the reader now reads zeros, so this reads the first variant.
                    _ => {
                        r.fail();
                        <Self as $crate::compiled::Bin>::get(r)
                    }
                }
            }
        }
    };
    (@get $r:ident, $a:ident) => { $crate::compiled::Bin::get($r) };
}

pub(crate) use bin_enum;

mod impls {
    //! The binary form of every type a compiled ruleset holds whose fields this module sees;
    //! the others are next to their types.
    use super::{Bin, Reader, Writer};
    use crate::compile::{Item, Plan, Requirement, Row, Table};
    use crate::diagnostic::{Code, Diagnostic};
    use crate::facts::FactDef;
    use crate::facttype::FactType;
    use crate::program::{IntOp, Join, Kind, Op, Program, Term, Test};
    use crate::report::{Item as ReportItem, SafetyChange};
    use crate::ruleset::Ruleset;
    use crate::value::Value;
    use crate::wire::{
        ChecklistAddDoc, ChecklistDoc, Citation, ConditionDoc, FactDoc, NamedCondition, OptionDoc,
        Origin, OutputDoc, OutputValue, OverrideDoc, RequirementDoc, RowDoc, RowInsertDoc,
        RulesetDoc, SafetyChangeDoc, SectionDoc, TableDoc, VerdictWords,
    };

    bin_struct! {
        // After `;`: not written, and rebuilt by `from_compiled` (derived from what is written).
        Ruleset { doc, hash, safety, warnings, facts, fact_index, prog, derived, tables, reqs, asking,
            plans, all, reads; outs_len }
        RulesetDoc { format, id, version, title, description, effective_date, extends, sections,
            facts, conditions, requirements, tables, checklists, overrides, table_rows,
            checklist_items, safety_changes }
        Origin { doc, path }
        NamedCondition { when, origin }
        SectionDoc { id, title, description, origin }
        OptionDoc { id, label, help }
        FactDoc { id, kind, question, help, section, options, min, max, unit, asked_when, origin }
        Citation { source, note }
        RequirementDoc { id, title, description, kind, owner, attribution, delay_category,
            primary, applies_when, met_when, action, referral, citation, origin }
        OutputDoc { value, label }
        RowDoc { when, output, note, citation, origin }
        TableDoc { id, title, description, hit, outputs, rows, default, citation, origin }
        VerdictWords { ready, not_ready, undetermined }
        ChecklistDoc { id, title, description, question, verdicts, requirements, tables, origin }
        OverrideDoc { requirement, action, owner, referral, attribution, citation, origin }
        RowInsertDoc { table, position, rows, origin }
        ChecklistAddDoc { checklist, requirements, tables, origin }
        SafetyChangeDoc { overlay, change, requirement, table, checklist, reason, origin }
        SafetyChange { overlay, change, requirement, table, checklist, reason }
        Diagnostic { severity, code, path, document, rule, message, help }
        ReportItem { id, title, kind, status, owner, attribution, delay_category, primary, action,
            referral, citation, decided_by }
        FactDef { id, ty, range, section, section_id, question, asked_when }
        Program { ops, lists; code }
        Op { kind, end }
        Requirement { applies, met, kind, item }
        Row { when, out }
        Table { id, title, rows, default, outputs, at }
        Plan { id, reqs, tables, items, facts }
    }

    bin_enum! {
        OutputValue { 0 => Bool(b), 1 => Int(i), 2 => Str(s) }
    }
    bin_enum! {
        ConditionDoc {
            0 => Const(b), 1 => All(cs), 2 => Any(cs), 3 => Not(c), 4 => AtLeast(n, cs),
            5 => Fact(id, op, v), 6 => Known(id), 7 => Ref(id), 8 => Decision(id, op, v),
        }
    }
    bin_enum! {
        Value {
            0 => Null, 1 => Bool(b), 2 => Number(n), 3 => String(s), 4 => Array(a), 5 => Object(m),
        }
    }
    bin_enum! {
        FactType { 0 => Bool, 1 => Enum(o), 2 => Int { min, max }, 3 => Set(o), 4 => Date }
    }
    bin_enum! {
        IntOp { 0 => Eq, 1 => Ne, 2 => Lt, 3 => Lte, 4 => Gt, 5 => Gte }
    }
    bin_enum! {
        Term { 0 => Fact(f), 1 => AsOf }
    }
    bin_enum! {
        Test {
            0 => Bool { fact, want }, 1 => EnumIn { fact, mask }, 2 => SetEq { fact, mask },
            3 => SetNe { fact, mask }, 4 => SetHas { fact, mask }, 5 => Int { fact, op, c },
            6 => IntIn { fact, list }, 7 => Known(f), 8 => Days { fact, other, op, days },
        }
    }
    bin_enum! {
        Join { 0 => All, 1 => Any, 2 => Not, 3 => AtLeast(n) }
    }
    bin_enum! {
        Kind { 0 => Const(b), 1 => Join(j), 2 => Test(t), 3 => Ref(d), 4 => Decision { table, mask } }
    }
    bin_enum! {
        Item { 0 => Derived(i), 1 => Table(t) }
    }

    impl Bin for Code {
        fn put(&self, w: &mut Writer) {
            Code::ALL
                .iter()
                .position(|c| c == self)
                .unwrap_or(usize::MAX)
                .put(w);
        }
        fn get(r: &mut Reader<'_>) -> Self {
            match Code::ALL.get(usize::get(r)) {
                Some(c) => *c,
                None => {
                    r.fail();
                    Code::JsonSyntax
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Rulesets whose ops do not nest, or nest too deeply, are refused when read back.
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        reason = "test: a failure is the test failing"
    )]

    use super::{Bin, Reader, Writer, MAX_OP_DEPTH};
    use crate::program::{Join, Kind, Op};
    use crate::{Ruleset, RulesetError};
    use alloc::string::String;
    use alloc::vec::Vec;

    /// Whether the ruleset, written and read back, is refused.
    fn refused(rs: &Ruleset) -> bool {
        matches!(
            Ruleset::from_compiled(&rs.to_compiled()),
            Err(RulesetError::Compiled { .. })
        )
    }

    /// A value written and read back, and whether reading failed.
    fn round<T: Bin>(v: &T) -> (T, bool) {
        let mut w = Writer::new();
        v.put(&mut w);
        v.put(&mut w);
        let mut r = Reader::new(&w.out);
        let back = T::get(&mut r);
        let again = T::get(&mut r);
        let ok = r.failed.is_none() && r.at == w.out.len() && bin(&back) == bin(&again);
        (back, !ok)
    }

    /// The bytes of `v` alone.
    fn bin<T: Bin>(v: &T) -> Vec<u8> {
        let mut w = Writer::new();
        v.put(&mut w);
        w.out
    }

    #[test]
    fn integers_and_strings_round_trip_at_their_extremes() {
        for v in [i64::MIN, i64::MIN + 1, -65, -64, -1, 0, 1, 63, 64, i64::MAX] {
            assert_eq!(round(&v), (v, false));
        }
        for v in [0u64, 127, 128, 16_383, 16_384, u64::MAX] {
            assert_eq!(round(&v), (v, false));
        }
        for v in [i32::MIN, -1, 0, i32::MAX] {
            assert_eq!(round(&v), (v, false));
        }
        for v in ["", "é → ✓", "a\u{0}b"] {
            assert_eq!(round(&String::from(v)), (String::from(v), false));
        }
        assert_eq!(
            round(&Some(Vec::from([1u32, 2]))),
            (Some(Vec::from([1, 2])), false)
        );
    }

    #[test]
    fn malformed_primitives_fail_the_reader() {
        let read = |bytes: &[u8]| {
            let mut r = Reader::new(bytes);
            let v = u64::get(&mut r);
            (v, r.failed)
        };
        // Eleven bytes of continuation: more than 64 bits (failed just after the tenth).
        assert_eq!(read(&[0xff; 11]).1, Some(10));
        // Cut short.
        assert_eq!(read(&[0x80]), (0, Some(1)));
        // A u32 out of range, a bad bool, a list longer than the bytes left, bad UTF-8.
        let fails = |bytes: &[u8], get: fn(&mut Reader<'_>)| {
            let mut r = Reader::new(bytes);
            get(&mut r);
            r.failed.is_some()
        };
        assert!(fails(&[0xff, 0xff, 0xff, 0xff, 0x10], |r| {
            u32::get(r);
        }));
        assert!(fails(&[2], |r| {
            bool::get(r);
        }));
        assert!(fails(&[5, 1, 2], |r| {
            Vec::<u32>::get(r);
        }));
        assert!(fails(&[0, 2, 0xc3, 0x28], |r| {
            String::get(r);
        }));
        // A reference to a string not yet read.
        assert!(fails(&[1], |r| {
            String::get(r);
        }));
    }

    /// A condition nested a hundred thousand times (one byte a level) fails at
    /// `MAX_READ_DEPTH` instead of overflowing the stack.
    #[test]
    fn deep_nesting_fails_instead_of_overflowing() {
        let mut bytes = alloc::vec![3u8; 100_000]; // `not`, boxed, again and again
        bytes.extend([0, 0]); // `false`
        let mut r = Reader::new(&bytes);
        let _ = crate::wire::ConditionDoc::get(&mut r);
        assert!(r.failed.is_some());
        assert!(
            r.at <= super::MAX_READ_DEPTH + 1,
            "read on past the limit: {}",
            r.at
        );
    }

    /// A thousand-byte string referred to a hundred thousand times (a megabyte of payload
    /// asking for a hundred) fails once the copies pass 16 times the payload.
    #[test]
    fn string_references_cannot_ask_for_gigabytes() {
        let n = 100_000u32;
        let mut w = Writer::new();
        n.put(&mut w);
        String::from("x").repeat(1000).put(&mut w);
        for _ in 1..n {
            w.out.push(1);
        }
        let mut r = Reader::new(&w.out);
        let v = Vec::<String>::get(&mut r);
        assert!(r.failed.is_some());
        let total: usize = v.iter().map(String::len).sum();
        assert!(total <= 16 * w.out.len() + 1000, "{total} bytes copied");
    }

    #[test]
    fn ops_that_do_not_nest_are_refused() {
        let rs = Ruleset::national().unwrap();
        assert!(!refused(&rs));
        let composite = (0..rs.prog.ops.len())
            .find(|&i| rs.prog.ops[i].end as usize > i + 1)
            .unwrap();
        for end in [0, composite, rs.prog.ops.len() + 1] {
            let mut bad = rs.clone();
            bad.prog.ops[composite].end = u32::try_from(end).unwrap();
            assert!(refused(&bad), "an op ending at {end} was read back");
        }
        // A child that ends after its parent.
        let mut bad = rs.clone();
        let child = composite + 1;
        bad.prog.ops[child].end = rs.prog.ops[composite].end + 1;
        assert!(
            refused(&bad),
            "a child ending after its parent was read back"
        );
    }

    /// A count the engine allocates by (the tables' outputs) cannot be claimed: a ruleset
    /// asking for 2^40 per-output values would abort on allocation; it is counted again.
    #[test]
    fn the_output_count_is_counted_not_read() {
        let mut rs = Ruleset::national().unwrap();
        let outputs = rs.outs_len;
        assert!(outputs > 0);
        rs.outs_len = 1 << 40;
        let back = Ruleset::from_compiled(&rs.to_compiled()).unwrap();
        assert_eq!(back.outs_len, outputs);
    }

    #[test]
    fn ops_nested_too_deeply_are_refused() {
        let mut rs = Ruleset::national().unwrap();
        let base = u32::try_from(rs.prog.ops.len()).unwrap();
        let depth = u32::try_from(MAX_OP_DEPTH).unwrap() + 1;
        for _ in 0..depth {
            rs.prog.ops.push(Op {
                kind: Kind::Join(Join::Not),
                end: base + depth + 1,
            });
        }
        rs.prog.ops.push(Op {
            kind: Kind::Const(true),
            end: base + depth + 1,
        });
        assert!(refused(&rs));
    }
}
