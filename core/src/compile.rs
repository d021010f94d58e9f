//! Validation and compilation of a merged ruleset document into an indexed, immutable
//! [`Ruleset`](crate::Ruleset). Every problem is collected, each with its JSON path.

use crate::bits::BitSet;
use crate::condition::{IntOp, Node, NodeId, Program, Test};
use crate::decode::key_path;
use crate::diagnostic::{Code, Diagnostic};
use crate::facts::{FactDef, FactType};
use crate::wire::{CmpOp, ConditionDoc, FactKind, Origin, OutputValue, RulesetDoc};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::Value;

/// A named condition or a table: the things conditions can reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Item {
    Derived(usize),
    Table(usize),
}

/// The facts and items one compiled condition reads directly.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reads {
    pub facts: BitSet,
    /// Named conditions and tables, in first-read order, without repeats.
    pub items: Vec<Item>,
}

impl Reads {
    fn add_item(&mut self, it: Item) {
        if !self.items.contains(&it) {
            self.items.push(it);
        }
    }
}

/// A set of items, as bits: named condition `i` is bit `i`, table `t` is bit `derived + t`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ItemSet {
    derived: usize,
    bits: BitSet,
}

impl ItemSet {
    pub(crate) fn new(derived: usize) -> Self {
        ItemSet {
            derived,
            bits: BitSet::default(),
        }
    }

    fn index(&self, it: Item) -> usize {
        match it {
            Item::Derived(i) => i,
            Item::Table(t) => self.derived + t,
        }
    }

    /// Adds an item; returns whether it was new.
    pub(crate) fn insert(&mut self, it: Item) -> bool {
        let i = self.index(it);
        self.bits.insert(i)
    }

    /// Whether the item is in the set.
    pub(crate) fn contains(&self, it: Item) -> bool {
        self.bits.contains(self.index(it))
    }
}

/// A compiled table row.
#[derive(Debug, Clone)]
pub(crate) struct RowC {
    pub when: NodeId,
    pub out: usize,
}

/// A compiled table.
#[derive(Debug, Clone)]
pub(crate) struct TableC {
    pub rows: Vec<RowC>,
    pub default: usize,
    pub reads: Reads,
}

/// A compiled requirement (index-parallel to the document's requirements).
#[derive(Debug, Clone)]
pub(crate) struct ReqC {
    pub applies: Option<NodeId>,
    pub met: NodeId,
    pub reads: Reads,
    /// Blocker, advisory or hold (copied here so the verdict does not touch the document).
    pub kind: crate::wire::Kind,
}

/// A compiled checklist with its evaluation plan.
#[derive(Debug, Clone)]
pub(crate) struct ChecklistC {
    pub id: String,
    pub reqs: Vec<usize>,
    pub tables: Vec<usize>,
    /// Named conditions and tables to evaluate, in dependency order.
    pub plan: Vec<Item>,
    /// Facts relevant to this checklist (read by it, or gating a question it asks), schema order.
    pub facts: Vec<usize>,
}

/// Everything compiled, before analysis warnings.
pub(crate) struct Compiled {
    pub facts: Vec<FactDef>,
    pub fact_index: BTreeMap<String, usize>,
    pub prog: Program,
    pub derived: Vec<(String, NodeId)>,
    pub derived_reads: Vec<Reads>,
    pub tables: Vec<TableC>,
    pub reqs: Vec<ReqC>,
    pub checklists: Vec<ChecklistC>,
    pub all: ChecklistC,
    pub asked_reads: Vec<Reads>,
}

struct Compiler<'d> {
    doc: &'d RulesetDoc,
    doc_ids: &'d [String],
    diags: Vec<Diagnostic>,
    fact_index: BTreeMap<String, usize>,
    facts: Vec<FactDef>,
    derived_index: BTreeMap<String, usize>,
    table_index: BTreeMap<String, usize>,
    prog: Program,
}

fn bit(i: usize) -> u64 {
    if i < 64 {
        1u64 << i
    } else {
        0
    }
}

fn all_bits(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

impl<'d> Compiler<'d> {
    fn push(&mut self, origin: &Origin, mut d: Diagnostic) {
        if origin.doc > 0 {
            d.document = self.doc_ids.get(origin.doc).cloned();
        }
        self.diags.push(d);
    }

    fn error(&mut self, origin: &Origin, code: Code, path: String, rule: &str, msg: String) {
        self.push(origin, Diagnostic::error(code, path, msg).with_rule(rule));
    }

    fn unique<'a, I: IntoIterator<Item = (&'a str, &'a Origin)>>(
        &mut self,
        items: I,
        what: &str,
    ) -> BTreeMap<String, usize> {
        let mut index = BTreeMap::new();
        for (i, (id, origin)) in items.into_iter().enumerate() {
            if index.contains_key(id) {
                let path = format!("{}.id", origin.path);
                self.error(
                    origin,
                    Code::DuplicateId,
                    path,
                    id,
                    format!("duplicate {what} id `{id}`"),
                );
            } else {
                index.insert(id.to_string(), i);
            }
        }
        index
    }

    fn fact_defs(&mut self, sections: &BTreeMap<String, usize>) {
        let doc = self.doc;
        for f in &doc.facts {
            let o = &f.origin;
            let section = match sections.get(&f.section) {
                Some(s) => *s,
                None => {
                    let p = format!("{}.section", o.path);
                    self.error(
                        o,
                        Code::UnknownSection,
                        p,
                        &f.id,
                        format!("unknown section `{}`", f.section),
                    );
                    0
                }
            };
            let options = self.options(f);
            let ty = match f.kind {
                FactKind::Bool => FactType::Bool,
                FactKind::Enum => FactType::Enum(options),
                FactKind::Set => FactType::Set(options),
                FactKind::Int => match (f.min, f.max) {
                    (Some(min), Some(max)) if min <= max => FactType::Int { min, max },
                    _ => {
                        let p = o.path.clone();
                        self.error(
                            o,
                            Code::InvalidRange,
                            p,
                            &f.id,
                            format!("int fact `{}` needs `min` <= `max`", f.id),
                        );
                        FactType::Int {
                            min: i64::MIN,
                            max: i64::MAX,
                        }
                    }
                },
            };
            if f.kind != FactKind::Int && (f.min.is_some() || f.max.is_some() || f.unit.is_some()) {
                let p = o.path.clone();
                self.error(
                    o,
                    Code::TypeMismatch,
                    p,
                    &f.id,
                    "`min`, `max` and `unit` are only for int facts".into(),
                );
            }
            self.facts.push(FactDef {
                id: f.id.clone(),
                ty,
                section,
                asked_when: None,
            });
        }
    }

    fn options(&mut self, f: &crate::wire::FactDoc) -> Vec<String> {
        let o = &f.origin;
        let wants = matches!(f.kind, FactKind::Enum | FactKind::Set);
        let Some(options) = &f.options else {
            if wants {
                let p = o.path.clone();
                self.error(
                    o,
                    Code::EmptyOptions,
                    p,
                    &f.id,
                    format!("{} fact `{}` has no options", f.kind.as_str(), f.id),
                );
            }
            return Vec::new();
        };
        let p = format!("{}.options", o.path);
        if !wants {
            self.error(
                o,
                Code::TypeMismatch,
                p,
                &f.id,
                "`options` are only for enum and set facts".into(),
            );
            return Vec::new();
        }
        if options.is_empty() {
            self.error(
                o,
                Code::EmptyOptions,
                p,
                &f.id,
                format!("fact `{}` has no options", f.id),
            );
        } else if options.len() > 64 {
            self.error(
                o,
                Code::TooManyOptions,
                p,
                &f.id,
                format!("fact `{}` has {} options", f.id, options.len()),
            );
        }
        for (i, opt) in options.iter().enumerate() {
            if options.iter().take(i).any(|o| o.id == opt.id) {
                let p = format!("{}.options[{i}].id", o.path);
                self.error(
                    o,
                    Code::DuplicateId,
                    p,
                    &f.id,
                    format!("duplicate option `{}`", opt.id),
                );
            }
        }
        options.iter().map(|o| o.id.clone()).collect()
    }

    fn option_mask(
        &mut self,
        ctx: &Ctx<'_>,
        options: &[String],
        v: &Value,
        path: &str,
        list: bool,
    ) -> Option<u64> {
        let one = |me: &mut Self, v: &Value, p: &str| -> Option<u64> {
            let Value::String(s) = v else {
                me.error(
                    ctx.origin,
                    Code::TypeMismatch,
                    p.to_string(),
                    ctx.rule,
                    format!("expected an option id of `{}`", ctx.fact),
                );
                return None;
            };
            match options.iter().position(|o| o == s) {
                Some(i) => Some(bit(i)),
                None => {
                    let d = Diagnostic::error(
                        Code::UnknownOption,
                        p,
                        format!("`{s}` is not an option of fact `{}`", ctx.fact),
                    )
                    .with_rule(ctx.rule)
                    .with_help(format!("use one of: {}", options.join(", ")));
                    me.push(ctx.origin, d);
                    None
                }
            }
        };
        if !list {
            return one(self, v, path);
        }
        let Value::Array(items) = v else {
            self.error(
                ctx.origin,
                Code::TypeMismatch,
                path.to_string(),
                ctx.rule,
                format!("expected an array of option ids of `{}`", ctx.fact),
            );
            return None;
        };
        let mut mask = 0;
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match one(self, item, &format!("{path}[{i}]")) {
                Some(b) => mask |= b,
                None => ok = false,
            }
        }
        ok.then_some(mask)
    }

    fn int_operand(
        &mut self,
        ctx: &Ctx<'_>,
        v: &Value,
        path: &str,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let Some(n) = v.as_i64() else {
            self.error(
                ctx.origin,
                Code::TypeMismatch,
                path.to_string(),
                ctx.rule,
                format!("int fact `{}` compares with an integer", ctx.fact),
            );
            return None;
        };
        if n < min || n > max {
            self.error(
                ctx.origin,
                Code::OperandOutOfRange,
                path.to_string(),
                ctx.rule,
                format!(
                    "{n} is outside the range {min}..={max} of fact `{}`",
                    ctx.fact
                ),
            );
            return None;
        }
        Some(n)
    }

    fn fact_test(
        &mut self,
        ctx: &Ctx<'_>,
        ty: &FactType,
        op: CmpOp,
        v: &Value,
        path: &str,
    ) -> Option<Test> {
        let mismatch = |me: &mut Self, what: &str| {
            me.error(
                ctx.origin,
                Code::TypeMismatch,
                path.to_string(),
                ctx.rule,
                format!(
                    "`{}` cannot be used on {what} fact `{}`",
                    op.as_str(),
                    ctx.fact
                ),
            );
            None
        };
        match ty {
            FactType::Bool => match (op, v) {
                (CmpOp::Eq, Value::Bool(b)) => Some(Test::Bool(*b)),
                (CmpOp::Ne, Value::Bool(b)) => Some(Test::Bool(!*b)),
                (CmpOp::Eq | CmpOp::Ne, _) => {
                    self.error(
                        ctx.origin,
                        Code::TypeMismatch,
                        path.to_string(),
                        ctx.rule,
                        format!("bool fact `{}` compares with true or false", ctx.fact),
                    );
                    None
                }
                _ => mismatch(self, "bool"),
            },
            FactType::Enum(options) => {
                let n = options.len();
                match op {
                    CmpOp::Eq => self
                        .option_mask(ctx, options, v, path, false)
                        .map(Test::EnumIn),
                    CmpOp::Ne => self
                        .option_mask(ctx, options, v, path, false)
                        .map(|m| Test::EnumIn(all_bits(n) & !m)),
                    CmpOp::In => self
                        .option_mask(ctx, options, v, path, true)
                        .map(Test::EnumIn),
                    _ => mismatch(self, "enum"),
                }
            }
            FactType::Set(options) => match op {
                CmpOp::Eq => self
                    .option_mask(ctx, options, v, path, true)
                    .map(Test::SetEq),
                CmpOp::Ne => self
                    .option_mask(ctx, options, v, path, true)
                    .map(Test::SetNe),
                CmpOp::Contains => self
                    .option_mask(ctx, options, v, path, false)
                    .map(Test::SetHas),
                _ => mismatch(self, "set"),
            },
            FactType::Int { min, max } => {
                let (min, max) = (*min, *max);
                let int_op = match op {
                    CmpOp::Eq => IntOp::Eq,
                    CmpOp::Ne => IntOp::Ne,
                    CmpOp::Lt => IntOp::Lt,
                    CmpOp::Lte => IntOp::Lte,
                    CmpOp::Gt => IntOp::Gt,
                    CmpOp::Gte => IntOp::Gte,
                    CmpOp::In => {
                        let Value::Array(items) = v else {
                            return mismatch(self, "int (`in` needs an array)");
                        };
                        let mut list = Vec::new();
                        for (i, item) in items.iter().enumerate() {
                            list.push(self.int_operand(
                                ctx,
                                item,
                                &format!("{path}[{i}]"),
                                min,
                                max,
                            )?);
                        }
                        return Some(Test::IntIn(list.into_boxed_slice()));
                    }
                    CmpOp::Contains => return mismatch(self, "int"),
                };
                self.int_operand(ctx, v, path, min, max)
                    .map(|n| Test::Int(int_op, n))
            }
        }
    }

    fn output_mask(
        &mut self,
        ctx: &Ctx<'_>,
        table: usize,
        op: CmpOp,
        v: &Value,
        path: &str,
    ) -> Option<u64> {
        let outputs: Vec<OutputValue> = self
            .doc
            .tables
            .get(table)
            .map(|t| t.outputs.iter().map(|o| o.value.clone()).collect())
            .unwrap_or_default();
        let one = |me: &mut Self, v: &Value, p: &str| -> Option<u64> {
            let found =
                OutputValue::from_json(v).and_then(|ov| outputs.iter().position(|o| *o == ov));
            match found {
                Some(i) => Some(bit(i)),
                None => {
                    me.error(
                        ctx.origin,
                        Code::UnknownOutput,
                        p.to_string(),
                        ctx.rule,
                        format!("`{v}` is not an output of table `{}`", ctx.fact),
                    );
                    None
                }
            }
        };
        match op {
            CmpOp::Eq => one(self, v, path),
            CmpOp::Ne => one(self, v, path).map(|m| all_bits(outputs.len()) & !m),
            CmpOp::In => {
                let Value::Array(items) = v else {
                    self.error(
                        ctx.origin,
                        Code::TypeMismatch,
                        path.to_string(),
                        ctx.rule,
                        "`in` needs an array of outputs".into(),
                    );
                    return None;
                };
                let mut mask = 0;
                for (i, item) in items.iter().enumerate() {
                    mask |= one(self, item, &format!("{path}[{i}]"))?;
                }
                Some(mask)
            }
            _ => {
                self.error(
                    ctx.origin,
                    Code::TypeMismatch,
                    path.to_string(),
                    ctx.rule,
                    format!("decisions compare with eq, ne or in, not `{}`", op.as_str()),
                );
                None
            }
        }
    }

    /// Compiles a condition, recording what it reads. Returns `None` after reporting errors.
    fn cond(
        &mut self,
        c: &ConditionDoc,
        path: &str,
        origin: &Origin,
        rule: &str,
        reads: &mut Reads,
    ) -> Option<NodeId> {
        let list = |me: &mut Self,
                    cs: &[ConditionDoc],
                    key: &str,
                    reads: &mut Reads|
         -> Option<Vec<NodeId>> {
            let mut ids = Vec::with_capacity(cs.len());
            let mut ok = true;
            for (i, c) in cs.iter().enumerate() {
                match me.cond(c, &format!("{path}.{key}[{i}]"), origin, rule, reads) {
                    Some(id) => ids.push(id),
                    None => ok = false,
                }
            }
            ok.then_some(ids)
        };
        let node = match c {
            ConditionDoc::Const(b) => Node::Const(*b),
            ConditionDoc::All(cs) => {
                let ids = list(self, cs, "all", reads)?;
                let (start, len) = self.prog.push_kids(&ids);
                Node::All { start, len }
            }
            ConditionDoc::Any(cs) => {
                let ids = list(self, cs, "any", reads)?;
                let (start, len) = self.prog.push_kids(&ids);
                Node::Any { start, len }
            }
            ConditionDoc::Not(inner) => {
                Node::Not(self.cond(inner, &format!("{path}.not"), origin, rule, reads)?)
            }
            ConditionDoc::AtLeast(n, cs) => {
                let ids = {
                    let mut ids = Vec::new();
                    let mut ok = true;
                    for (i, c) in cs.iter().enumerate() {
                        match self.cond(c, &format!("{path}.at_least.of[{i}]"), origin, rule, reads)
                        {
                            Some(id) => ids.push(id),
                            None => ok = false,
                        }
                    }
                    ok.then_some(ids)?
                };
                let (start, len) = self.prog.push_kids(&ids);
                Node::AtLeast { n: *n, start, len }
            }
            ConditionDoc::Fact(id, op, v) => {
                let Some(&f) = self.fact_index.get(id) else {
                    self.error(
                        origin,
                        Code::UnknownFact,
                        format!("{path}.fact"),
                        rule,
                        format!("unknown fact `{id}`"),
                    );
                    return None;
                };
                let ty = self.facts.get(f)?.ty.clone();
                let ctx = Ctx {
                    origin,
                    rule,
                    fact: id,
                };
                let test = self.fact_test(&ctx, &ty, *op, v, &key_path(path, op.as_str()))?;
                reads.facts.insert(f);
                Node::Cmp {
                    fact: u32::try_from(f).ok()?,
                    test,
                }
            }
            ConditionDoc::Known(id) => {
                let Some(&f) = self.fact_index.get(id) else {
                    self.error(
                        origin,
                        Code::UnknownFact,
                        format!("{path}.known"),
                        rule,
                        format!("unknown fact `{id}`"),
                    );
                    return None;
                };
                reads.facts.insert(f);
                Node::Known(u32::try_from(f).ok()?)
            }
            ConditionDoc::Ref(name) => {
                let Some(&d) = self.derived_index.get(name) else {
                    self.error(
                        origin,
                        Code::UnknownCondition,
                        format!("{path}.ref"),
                        rule,
                        format!("unknown named condition `{name}`"),
                    );
                    return None;
                };
                reads.add_item(Item::Derived(d));
                Node::Ref(u32::try_from(d).ok()?)
            }
            ConditionDoc::Decision(id, op, v) => {
                let Some(&t) = self.table_index.get(id) else {
                    self.error(
                        origin,
                        Code::UnknownTable,
                        format!("{path}.decision"),
                        rule,
                        format!("unknown table `{id}`"),
                    );
                    return None;
                };
                let ctx = Ctx {
                    origin,
                    rule,
                    fact: id,
                };
                let mask = self.output_mask(&ctx, t, *op, v, &key_path(path, op.as_str()))?;
                reads.add_item(Item::Table(t));
                Node::Decision {
                    table: u32::try_from(t).ok()?,
                    mask,
                }
            }
        };
        Some(self.prog.push(node))
    }
}

/// Context for operand diagnostics.
struct Ctx<'a> {
    origin: &'a Origin,
    rule: &'a str,
    /// The fact or table compared.
    fact: &'a str,
}

/// Compiles a merged document. Returns the compiled form when there were no errors, and every
/// diagnostic (errors and the structural warnings) found.
pub(crate) fn compile(doc: &RulesetDoc, doc_ids: &[String]) -> (Option<Compiled>, Vec<Diagnostic>) {
    let mut c = Compiler {
        doc,
        doc_ids,
        diags: Vec::new(),
        fact_index: BTreeMap::new(),
        facts: Vec::new(),
        derived_index: BTreeMap::new(),
        table_index: BTreeMap::new(),
        prog: Program::default(),
    };
    let sections = c.unique(
        doc.sections.iter().map(|s| (s.id.as_str(), &s.origin)),
        "section",
    );
    c.fact_index = c.unique(doc.facts.iter().map(|f| (f.id.as_str(), &f.origin)), "fact");
    c.fact_defs(&sections);
    c.derived_index = doc
        .conditions
        .keys()
        .enumerate()
        .map(|(i, k)| (k.clone(), i))
        .collect();
    c.table_index = c.unique(
        doc.tables.iter().map(|t| (t.id.as_str(), &t.origin)),
        "table",
    );
    let req_index = c.unique(
        doc.requirements.iter().map(|r| (r.id.as_str(), &r.origin)),
        "requirement",
    );
    c.unique(
        doc.checklists.iter().map(|l| (l.id.as_str(), &l.origin)),
        "checklist",
    );

    let mut derived = Vec::new();
    let mut derived_reads = Vec::new();
    for (name, nc) in &doc.conditions {
        let mut reads = Reads::default();
        let root = c.cond(&nc.when, &nc.origin.path, &nc.origin, name, &mut reads);
        derived.push((name.clone(), root.unwrap_or(0)));
        derived_reads.push(reads);
    }
    let tables = compile_tables(&mut c);
    let mut reqs = Vec::new();
    for r in &doc.requirements {
        let mut reads = Reads::default();
        let applies = r.applies_when.as_ref().and_then(|a| {
            c.cond(
                a,
                &format!("{}.applies_when", r.origin.path),
                &r.origin,
                &r.id,
                &mut reads,
            )
        });
        let met = c.cond(
            &r.met_when,
            &format!("{}.met_when", r.origin.path),
            &r.origin,
            &r.id,
            &mut reads,
        );
        reqs.push(ReqC {
            applies,
            met: met.unwrap_or(0),
            reads,
            kind: r.kind,
        });
    }
    let mut asked_reads = Vec::new();
    for (i, f) in doc.facts.iter().enumerate() {
        let mut reads = Reads::default();
        if let Some(a) = &f.asked_when {
            let root = c.cond(
                a,
                &format!("{}.asked_when", f.origin.path),
                &f.origin,
                &f.id,
                &mut reads,
            );
            if let Some(def) = c.facts.get_mut(i) {
                def.asked_when = root;
            }
        }
        asked_reads.push(reads);
    }
    let order = topo_order(&mut c, &derived_reads, &tables);
    let checklists = compile_checklists(&mut c, &req_index);
    let g = Graph {
        derived_reads: &derived_reads,
        tables: &tables,
        reqs: &reqs,
        asked: &asked_reads,
        order: &order,
    };
    let checklists: Vec<ChecklistC> = checklists
        .into_iter()
        .map(|(id, r, t)| g.plan(id, r, t))
        .collect();
    let all = g.plan(
        "*".into(),
        (0..reqs.len()).collect(),
        (0..tables.len()).collect(),
    );
    if cfg!(feature = "lint") {
        structural_warnings(&mut c, &g, &checklists);
    }
    if crate::diagnostic::has_errors(&c.diags) {
        return (None, c.diags);
    }
    c.prog.finish();
    let compiled = Compiled {
        facts: c.facts,
        fact_index: c.fact_index,
        prog: c.prog,
        derived,
        derived_reads,
        tables,
        reqs,
        checklists,
        all,
        asked_reads,
    };
    (Some(compiled), c.diags)
}

fn compile_tables(c: &mut Compiler<'_>) -> Vec<TableC> {
    let doc = c.doc;
    let mut out = Vec::new();
    for t in &doc.tables {
        let o = &t.origin;
        if t.outputs.len() > 64 {
            c.error(
                o,
                Code::TooManyOptions,
                format!("{}.outputs", o.path),
                &t.id,
                format!("table `{}` has {} outputs", t.id, t.outputs.len()),
            );
        }
        if t.outputs.is_empty() {
            c.error(
                o,
                Code::EmptyOptions,
                format!("{}.outputs", o.path),
                &t.id,
                format!("table `{}` declares no outputs", t.id),
            );
        }
        for (i, out) in t.outputs.iter().enumerate() {
            if t.outputs.iter().take(i).any(|p| p.value == out.value) {
                c.error(
                    o,
                    Code::DuplicateId,
                    format!("{}.outputs[{i}].value", o.path),
                    &t.id,
                    "duplicate output value".into(),
                );
            }
        }
        let find = |v: &OutputValue| t.outputs.iter().position(|o| o.value == *v);
        let mut reads = Reads::default();
        let mut rows = Vec::new();
        for r in &t.rows {
            let when = c.cond(
                &r.when,
                &format!("{}.when", r.origin.path),
                &r.origin,
                &t.id,
                &mut reads,
            );
            let out = find(&r.output);
            if out.is_none() {
                c.error(
                    &r.origin,
                    Code::UnknownOutput,
                    format!("{}.output", r.origin.path),
                    &t.id,
                    format!("row output is not one of the outputs of table `{}`", t.id),
                );
            }
            if let (Some(when), Some(out)) = (when, out) {
                rows.push(RowC { when, out });
            }
        }
        let default = find(&t.default).unwrap_or_else(|| {
            c.error(
                o,
                Code::UnknownOutput,
                format!("{}.default", o.path),
                &t.id,
                format!("default is not one of the outputs of table `{}`", t.id),
            );
            0
        });
        out.push(TableC {
            rows,
            default,
            reads,
        });
    }
    out
}

fn item_name(doc: &RulesetDoc, derived: &[&String], item: Item) -> String {
    match item {
        Item::Derived(i) => derived.get(i).map(|s| (*s).clone()).unwrap_or_default(),
        Item::Table(i) => doc
            .tables
            .get(i)
            .map(|t| format!("table {}", t.id))
            .unwrap_or_default(),
    }
}

/// Orders named conditions and tables so every item comes after what it reads; reports cycles.
fn topo_order(c: &mut Compiler<'_>, derived_reads: &[Reads], tables: &[TableC]) -> Vec<Item> {
    let reads_of = |it: Item| -> Option<&Reads> {
        match it {
            Item::Derived(i) => derived_reads.get(i),
            Item::Table(i) => tables.get(i).map(|t| &t.reads),
        }
    };
    let items: Vec<Item> = (0..derived_reads.len())
        .map(Item::Derived)
        .chain((0..tables.len()).map(Item::Table))
        .collect();
    let nd = derived_reads.len();
    let slot = |it: Item| match it {
        Item::Derived(i) => i,
        Item::Table(t) => nd + t,
    };
    let mut state: Vec<u8> = alloc::vec![0; nd + tables.len()];
    let mut order = Vec::new();
    let names: Vec<&String> = c.doc.conditions.keys().collect();
    let mut reported: Vec<Vec<Item>> = Vec::new();
    for &start in &items {
        if state.get(slot(start)).copied().unwrap_or(0) != 0 {
            continue;
        }
        // Iterative DFS: stack of (item, next child index).
        let mut stack: Vec<(Item, Vec<Item>, usize)> = Vec::new();
        let kids = |it: Item| reads_of(it).map(|r| r.items.clone()).unwrap_or_default();
        let mark = |state: &mut Vec<u8>, it: Item, v: u8| {
            if let Some(s) = state.get_mut(slot(it)) {
                *s = v;
            }
        };
        mark(&mut state, start, 1);
        stack.push((start, kids(start), 0));
        while let Some((it, ks, next)) = stack.last_mut() {
            if let Some(&k) = ks.get(*next) {
                *next += 1;
                match state.get(slot(k)).copied().unwrap_or(2) {
                    0 => {
                        mark(&mut state, k, 1);
                        let kk = kids(k);
                        stack.push((k, kk, 0));
                    }
                    1 => {
                        let pos = stack.iter().position(|(x, _, _)| *x == k).unwrap_or(0);
                        let mut cycle: Vec<Item> =
                            stack.iter().skip(pos).map(|(x, _, _)| *x).collect();
                        cycle.push(k);
                        let mut key = cycle.clone();
                        key.sort_unstable();
                        key.dedup();
                        if !reported.contains(&key) {
                            reported.push(key);
                            let text: Vec<String> =
                                cycle.iter().map(|x| item_name(c.doc, &names, *x)).collect();
                            let (path, rule) = match k {
                                Item::Derived(i) => (
                                    names
                                        .get(i)
                                        .map(|n| key_path("$.conditions", n))
                                        .unwrap_or_default(),
                                    names.get(i).map(|s| (*s).clone()).unwrap_or_default(),
                                ),
                                Item::Table(i) => (
                                    format!("$.tables[{i}]"),
                                    c.doc
                                        .tables
                                        .get(i)
                                        .map(|t| t.id.clone())
                                        .unwrap_or_default(),
                                ),
                            };
                            let origin = match k {
                                Item::Derived(i) => names
                                    .get(i)
                                    .and_then(|n| c.doc.conditions.get(*n))
                                    .map(|n| n.origin.clone()),
                                Item::Table(i) => c.doc.tables.get(i).map(|t| t.origin.clone()),
                            }
                            .unwrap_or_default();
                            let path = if origin.path.is_empty() {
                                path
                            } else {
                                origin.path.clone()
                            };
                            c.error(
                                &origin,
                                Code::Cycle,
                                path,
                                &rule,
                                format!("cycle: {}", text.join(" → ")),
                            );
                        }
                    }
                    _ => {}
                }
            } else {
                let done = *it;
                mark(&mut state, done, 2);
                order.push(done);
                stack.pop();
            }
        }
    }
    order
}

fn compile_checklists(
    c: &mut Compiler<'_>,
    req_index: &BTreeMap<String, usize>,
) -> Vec<(String, Vec<usize>, Vec<usize>)> {
    let doc = c.doc;
    let mut out = Vec::new();
    for l in &doc.checklists {
        let o = &l.origin;
        let mut reqs = Vec::new();
        for (i, r) in l.requirements.iter().enumerate() {
            match req_index.get(r) {
                Some(&x) if !reqs.contains(&x) => reqs.push(x),
                Some(_) => c.error(
                    o,
                    Code::DuplicateId,
                    format!("{}.requirements[{i}]", o.path),
                    &l.id,
                    format!("requirement `{r}` is listed twice"),
                ),
                None => c.error(
                    o,
                    Code::UnknownRequirement,
                    format!("{}.requirements[{i}]", o.path),
                    &l.id,
                    format!("unknown requirement `{r}`"),
                ),
            }
        }
        let mut tables = Vec::new();
        for (i, t) in l.tables.iter().enumerate() {
            match c.table_index.get(t) {
                Some(&x) if !tables.contains(&x) => tables.push(x),
                Some(_) => c.error(
                    o,
                    Code::DuplicateId,
                    format!("{}.tables[{i}]", o.path),
                    &l.id,
                    format!("table `{t}` is listed twice"),
                ),
                None => c.error(
                    o,
                    Code::UnknownTable,
                    format!("{}.tables[{i}]", o.path),
                    &l.id,
                    format!("unknown table `{t}`"),
                ),
            }
        }
        out.push((l.id.clone(), reqs, tables));
    }
    out
}

/// The dependency graph, for plans and closure queries.
pub(crate) struct Graph<'a> {
    pub derived_reads: &'a [Reads],
    pub tables: &'a [TableC],
    pub reqs: &'a [ReqC],
    pub asked: &'a [Reads],
    pub order: &'a [Item],
}

impl Graph<'_> {
    fn reads(&self, it: Item) -> Option<&Reads> {
        match it {
            Item::Derived(i) => self.derived_reads.get(i),
            Item::Table(i) => self.tables.get(i).map(|t| &t.reads),
        }
    }

    /// Adds everything `start` reads, transitively through items, to `facts` and `items`.
    pub(crate) fn close(&self, start: &Reads, facts: &mut BitSet, items: &mut ItemSet) {
        facts.union_with(&start.facts);
        let mut todo: Vec<Item> = start.items.clone();
        while let Some(it) = todo.pop() {
            if items.insert(it) {
                if let Some(r) = self.reads(it) {
                    facts.union_with(&r.facts);
                    todo.extend(r.items.iter().copied());
                }
            }
        }
    }

    fn plan(&self, id: String, reqs: Vec<usize>, tables: Vec<usize>) -> ChecklistC {
        let mut facts = BitSet::default();
        let mut items = ItemSet::new(self.derived_reads.len());
        for r in &reqs {
            if let Some(rc) = self.reqs.get(*r) {
                self.close(&rc.reads, &mut facts, &mut items);
            }
        }
        for t in &tables {
            let start = Reads {
                facts: BitSet::default(),
                items: alloc::vec![Item::Table(*t)],
            };
            self.close(&start, &mut facts, &mut items);
        }
        // Gates of relevant questions are relevant too, transitively.
        let mut seen = BitSet::default();
        loop {
            let pending: Vec<usize> = facts.iter().filter(|f| !seen.contains(*f)).collect();
            if pending.is_empty() {
                break;
            }
            for f in pending {
                seen.insert(f);
                if let Some(r) = self.asked.get(f) {
                    self.close(r, &mut facts, &mut items);
                }
            }
        }
        let plan = self
            .order
            .iter()
            .copied()
            .filter(|i| items.contains(*i))
            .collect();
        ChecklistC {
            id,
            reqs,
            tables,
            plan,
            facts: facts.iter().collect(),
        }
    }
}

fn structural_warnings(c: &mut Compiler<'_>, g: &Graph<'_>, checklists: &[ChecklistC]) {
    let doc = c.doc;
    let mut used_facts = BitSet::default();
    let mut used_items = ItemSet::new(g.derived_reads.len());
    let all_reads = g
        .derived_reads
        .iter()
        .chain(g.tables.iter().map(|t| &t.reads))
        .chain(g.reqs.iter().map(|r| &r.reads))
        .chain(g.asked.iter());
    for r in all_reads {
        used_facts.union_with(&r.facts);
        for it in &r.items {
            used_items.insert(*it);
        }
    }
    for (i, f) in doc.facts.iter().enumerate() {
        if !used_facts.contains(i) {
            let d = Diagnostic::warning(
                Code::UnusedFact,
                f.origin.path.clone(),
                format!("fact `{}` is never read by a condition", f.id),
            )
            .with_rule(f.id.clone());
            c.push(&f.origin, d);
        }
        let mut facts = BitSet::default();
        let mut items = ItemSet::new(g.derived_reads.len());
        if let Some(r) = g.asked.get(i) {
            g.close(r, &mut facts, &mut items);
        }
        if facts.contains(i) {
            let d = Diagnostic::warning(
                Code::AskedWhenSelf,
                format!("{}.asked_when", f.origin.path),
                format!(
                    "the question `{}` is only asked depending on its own answer",
                    f.id
                ),
            )
            .with_rule(f.id.clone());
            c.push(&f.origin, d);
        }
    }
    for (i, (name, nc)) in doc.conditions.iter().enumerate() {
        if !used_items.contains(Item::Derived(i)) {
            let d = Diagnostic::warning(
                Code::UnusedCondition,
                nc.origin.path.clone(),
                format!("named condition `{name}` is never referenced"),
            )
            .with_rule(name.clone());
            c.push(&nc.origin, d);
        }
    }
    if doc.checklists.is_empty() {
        return;
    }
    for (i, r) in doc.requirements.iter().enumerate() {
        if !checklists.iter().any(|l| l.reqs.contains(&i)) {
            let d = Diagnostic::warning(
                Code::NotInChecklist,
                r.origin.path.clone(),
                format!("requirement `{}` is in no checklist", r.id),
            )
            .with_rule(r.id.clone());
            c.push(&r.origin, d);
        }
    }
    for (i, t) in doc.tables.iter().enumerate() {
        let listed = checklists
            .iter()
            .any(|l| l.tables.contains(&i) || l.plan.contains(&Item::Table(i)));
        if !listed {
            let d = Diagnostic::warning(
                Code::NotInChecklist,
                t.origin.path.clone(),
                format!("table `{}` is in no checklist", t.id),
            )
            .with_rule(t.id.clone());
            c.push(&t.origin, d);
        }
    }
}
