//! Lowering: every condition of the document (named conditions, table rows, `applies_when`,
//! `met_when`, `asked_when`) into the preorder ops of the one [`Program`], with facts, named
//! conditions and tables resolved to indices and what each condition reads recorded for the
//! dependency graph. Operands of fact comparisons are checked by the fact's type
//! (`facttype.rs`); decision operands here.

use super::{item, Compiler, Graph, Item, Reads, Requirement, Row, Site, Table};
use crate::decode::key_path;
use crate::diagnostic::Code;
use crate::facttype::{FactType, Operand};
use crate::program::{Join, Kind, Test};
use crate::value::Value;
use crate::wire::{CmpOp, ConditionDoc, OutputValue, TableDoc};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

fn bit(i: usize) -> u64 {
    if i < 64 {
        1u64 << i
    } else {
        0
    }
}

impl Compiler<'_> {
    /// Named conditions, in name order, each with its root.
    pub(super) fn named_conditions(&mut self, graph: &mut Graph) -> Vec<(String, u32)> {
        let doc = self.doc;
        let mut out = Vec::with_capacity(doc.conditions.len());
        for (name, nc) in &doc.conditions {
            let mut reads = Reads::default();
            let site = Site {
                origin: &nc.origin,
                rule: name,
            };
            let root = self.cond(&nc.when, site, &nc.origin.path, &mut reads);
            self.end_reads(&reads);
            out.push((name.clone(), root.unwrap_or(0)));
            graph.derived.push(reads);
        }
        out
    }

    /// Tables, in document order.
    pub(super) fn tables(&mut self, graph: &mut Graph) -> Vec<Table> {
        let doc = self.doc;
        let mut at = 0;
        let mut out = Vec::with_capacity(doc.tables.len());
        for t in &doc.tables {
            let mut reads = Reads::default();
            let table = self.table(t, at, &mut reads);
            self.end_reads(&reads);
            at += table.outputs.len();
            out.push(table);
            graph.tables.push(reads);
        }
        out
    }

    fn table(&mut self, t: &TableDoc, at: usize, reads: &mut Reads) -> Table {
        let site = Site {
            origin: &t.origin,
            rule: &t.id,
        };
        let outputs_path = format!("{}.outputs", t.origin.path);
        if t.outputs.len() > 64 {
            let msg = format!("table `{}` has {} outputs", t.id, t.outputs.len());
            self.error(site, Code::TooManyOptions, outputs_path.clone(), msg);
        }
        if t.outputs.is_empty() {
            let msg = format!("table `{}` declares no outputs", t.id);
            self.error(site, Code::EmptyOptions, outputs_path, msg);
        }
        for (i, out) in t.outputs.iter().enumerate() {
            if t.outputs.iter().take(i).any(|p| p.value == out.value) {
                let p = format!("{}.outputs[{i}].value", t.origin.path);
                self.error(site, Code::DuplicateId, p, "duplicate output value".into());
            }
        }
        let find = |v: &OutputValue| t.outputs.iter().position(|o| o.value == *v);
        let mut rows = Vec::with_capacity(t.rows.len());
        for r in &t.rows {
            let row_site = Site {
                origin: &r.origin,
                rule: &t.id,
            };
            let when = self.cond(&r.when, row_site, &format!("{}.when", r.origin.path), reads);
            let out = find(&r.output);
            if out.is_none() {
                let msg = format!("row output is not one of the outputs of table `{}`", t.id);
                self.error(
                    row_site,
                    Code::UnknownOutput,
                    format!("{}.output", r.origin.path),
                    msg,
                );
            }
            if let (Some(when), Some(out)) = (when, out) {
                rows.push(Row { when, out });
            }
        }
        let default = find(&t.default).unwrap_or_else(|| {
            let msg = format!("default is not one of the outputs of table `{}`", t.id);
            self.error(
                site,
                Code::UnknownOutput,
                format!("{}.default", t.origin.path),
                msg,
            );
            0
        });
        Table {
            id: t.id.clone(),
            title: t.title.clone(),
            rows,
            default,
            outputs: t.outputs.clone(),
            at,
        }
    }

    /// Requirements, in document order.
    pub(super) fn requirements(&mut self, graph: &mut Graph) -> Vec<Requirement> {
        let doc = self.doc;
        let mut out = Vec::with_capacity(doc.requirements.len());
        for r in &doc.requirements {
            let mut reads = Reads::default();
            let site = Site {
                origin: &r.origin,
                rule: &r.id,
            };
            let applies = r.applies_when.as_ref().and_then(|a| {
                let path = format!("{}.applies_when", r.origin.path);
                self.cond(a, site, &path, &mut reads)
            });
            let path = format!("{}.met_when", r.origin.path);
            let met = self.cond(&r.met_when, site, &path, &mut reads);
            self.end_reads(&reads);
            out.push(Requirement {
                applies,
                met: met.unwrap_or(0),
                kind: r.kind,
                item: item(r),
            });
            graph.reqs.push(reads);
        }
        out
    }

    /// Each fact's `asked_when`.
    pub(super) fn asked_when(&mut self, graph: &mut Graph) {
        let doc = self.doc;
        for (i, f) in doc.facts.iter().enumerate() {
            let mut reads = Reads::default();
            if let Some(a) = &f.asked_when {
                let site = Site {
                    origin: &f.origin,
                    rule: &f.id,
                };
                let path = format!("{}.asked_when", f.origin.path);
                let root = self.cond(a, site, &path, &mut reads);
                self.end_reads(&reads);
                if let Some(def) = self.facts.get_mut(i) {
                    def.asked_when = root;
                }
            }
            graph.asked.push(reads);
        }
    }

    /// Records that `reads` reads fact `f` (once: `self.reading` marks the facts of the
    /// reads being built).
    fn read_fact(&mut self, reads: &mut Reads, f: usize) {
        if self.reading.insert(f) {
            reads.facts.push(f);
        }
    }

    /// The reads are complete: clears their marks (in time proportional to what they read).
    fn end_reads(&mut self, reads: &Reads) {
        for &f in &reads.facts {
            self.reading.remove(f);
        }
    }

    /// Lowers a condition at the end of the program, recording what it reads. Returns its
    /// root, or `None` after reporting errors.
    fn cond(
        &mut self,
        c: &ConditionDoc,
        site: Site<'_>,
        path: &str,
        reads: &mut Reads,
    ) -> Option<u32> {
        match c {
            ConditionDoc::Const(b) => Some(self.prog.leaf(Kind::Const(*b))),
            ConditionDoc::All(cs) => self.join(Join::All, cs, site, &format!("{path}.all"), reads),
            ConditionDoc::Any(cs) => self.join(Join::Any, cs, site, &format!("{path}.any"), reads),
            ConditionDoc::AtLeast(n, cs) => self.join(
                Join::AtLeast(*n),
                cs,
                site,
                &format!("{path}.at_least.of"),
                reads,
            ),
            ConditionDoc::Not(inner) => {
                let at = self.prog.open(Kind::Join(Join::Not));
                let ok = self
                    .cond(inner, site, &format!("{path}.not"), reads)
                    .is_some();
                let at = self.prog.close(at);
                ok.then_some(at)
            }
            ConditionDoc::Fact(id, op, v) => self.comparison(id, *op, v, site, path, reads),
            ConditionDoc::Known(id) => {
                let f = self.fact_ref(id, site, &format!("{path}.known"))?;
                self.read_fact(reads, f as usize);
                Some(self.prog.leaf(Kind::Test(Test::Known(f))))
            }
            ConditionDoc::Ref(name) => {
                let Some(d) = self.derived_index.get(name) else {
                    let msg = format!("unknown named condition `{name}`");
                    self.error(site, Code::UnknownCondition, format!("{path}.ref"), msg);
                    return None;
                };
                reads.add_item(Item::Derived(d));
                Some(self.prog.leaf(Kind::Ref(u32::try_from(d).ok()?)))
            }
            ConditionDoc::Decision(id, op, v) => self.decision(id, *op, v, site, path, reads),
        }
    }

    /// A composite over `cs`, each part at `{path}[i]`.
    fn join(
        &mut self,
        j: Join,
        cs: &[ConditionDoc],
        site: Site<'_>,
        path: &str,
        reads: &mut Reads,
    ) -> Option<u32> {
        let at = self.prog.open(Kind::Join(j));
        let mut ok = true;
        for (i, c) in cs.iter().enumerate() {
            ok &= self.cond(c, site, &format!("{path}[{i}]"), reads).is_some();
        }
        let at = self.prog.close(at);
        ok.then_some(at)
    }

    /// A declared fact's index, or an `UNKNOWN_FACT` error at `path`.
    fn fact_ref(&mut self, id: &str, site: Site<'_>, path: &str) -> Option<u32> {
        match self.fact_index.get(id) {
            Some(f) => u32::try_from(f).ok(),
            None => {
                self.error(
                    site,
                    Code::UnknownFact,
                    path.to_string(),
                    format!("unknown fact `{id}`"),
                );
                None
            }
        }
    }

    /// `{"fact": id, op: operand}`, checked by the fact's type.
    fn comparison(
        &mut self,
        id: &str,
        op: CmpOp,
        v: &Value,
        site: Site<'_>,
        path: &str,
        reads: &mut Reads,
    ) -> Option<u32> {
        let f = self.fact_ref(id, site, &format!("{path}.fact"))?;
        let ty = self.facts.get(f as usize)?.ty.clone();
        let operand_path = key_path(path, op.as_str());
        let (facts, index) = (&self.facts, &self.fact_index);
        let lookup = |other: &str| -> Option<(u32, &FactType)> {
            let g = index.get(other)?;
            Some((u32::try_from(g).ok()?, &facts.get(g)?.ty))
        };
        let operand = Operand {
            fact: f,
            id,
            path: &operand_path,
            lookup: &lookup,
        };
        let mut prog = core::mem::take(&mut self.prog);
        let test = ty.test(op, v, &operand, &mut prog);
        self.prog = prog;
        match test {
            Ok(t) => {
                for g in t.facts().into_iter().flatten() {
                    self.read_fact(reads, g as usize);
                }
                Some(self.prog.leaf(Kind::Test(t)))
            }
            Err(diags) => {
                for d in diags {
                    self.push(site.origin, d.with_rule(site.rule));
                }
                None
            }
        }
    }

    /// `{"decision": table, op: outputs}`.
    fn decision(
        &mut self,
        id: &str,
        op: CmpOp,
        v: &Value,
        site: Site<'_>,
        path: &str,
        reads: &mut Reads,
    ) -> Option<u32> {
        let Some(t) = self.table_index.get(id) else {
            let msg = format!("unknown table `{id}`");
            self.error(site, Code::UnknownTable, format!("{path}.decision"), msg);
            return None;
        };
        let mask = self.output_mask(id, t, op, v, site, &key_path(path, op.as_str()))?;
        reads.add_item(Item::Table(t));
        let table = u32::try_from(t).ok()?;
        Some(self.prog.leaf(Kind::Decision { table, mask }))
    }

    /// The outputs a decision operand names, as a bit mask.
    fn output_mask(
        &mut self,
        id: &str,
        table: usize,
        op: CmpOp,
        v: &Value,
        site: Site<'_>,
        path: &str,
    ) -> Option<u64> {
        let doc = self.doc;
        let outputs = doc.tables.get(table).map_or(&[][..], |t| &t.outputs[..]);
        let one = |me: &mut Self, v: &Value, p: &str| -> Option<u64> {
            let found =
                OutputValue::from_json(v).and_then(|ov| outputs.iter().position(|o| o.value == ov));
            if found.is_none() {
                // The value as compact JSON.
                let text = v.to_json();
                let msg = format!("`{text}` is not an output of table `{id}`");
                me.error(site, Code::UnknownOutput, p.to_string(), msg);
            }
            found.map(bit)
        };
        match op {
            CmpOp::Eq => one(self, v, path),
            CmpOp::Ne => one(self, v, path).map(|m| all_bits(outputs.len()) & !m),
            CmpOp::In => {
                let Value::Array(items) = v else {
                    let msg = "`in` needs an array of outputs".to_string();
                    self.error(site, Code::TypeMismatch, path.to_string(), msg);
                    return None;
                };
                let mut mask = Some(0);
                for (i, item) in items.iter().enumerate() {
                    let b = one(self, item, &format!("{path}[{i}]"));
                    mask = mask.zip(b).map(|(m, b)| m | b);
                }
                mask
            }
            CmpOp::Lt | CmpOp::Lte | CmpOp::Gt | CmpOp::Gte | CmpOp::Contains => {
                let msg = format!("decisions compare with eq, ne or in, not `{}`", op.as_str());
                self.error(site, Code::TypeMismatch, path.to_string(), msg);
                None
            }
        }
    }
}

fn all_bits(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}
