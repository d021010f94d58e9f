//! Validation and compilation of a merged ruleset document into the indexed, immutable parts
//! of a [`Ruleset`](crate::Ruleset): fact types, conditions lowered into one [`Program`],
//! requirements, tables, and each checklist's evaluation plan. Every problem is collected,
//! each with its JSON path; nothing stops at the first.
//!
//! `lower.rs` turns conditions into ops, `graph.rs` orders named conditions and tables and
//! plans each checklist; operand checking per fact type lives in `facttype.rs`, and the
//! authoring lints in `analysis.rs`.

mod graph;
mod lower;

#[cfg(feature = "lint")]
pub(crate) use graph::ItemSet;
pub(crate) use graph::{Graph, Item, Plan, Reads};

use crate::diagnostic::{Code, Diagnostic};
use crate::facts::FactDef;
use crate::facttype::FactType;
use crate::index::IdIndex;
use crate::program::Program;
use crate::report::Item as ReportItem;
use crate::report::Status;
use crate::wire::{Kind, Origin, OutputDoc, RulesetDoc};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// A compiled requirement: its conditions, its kind, and the report item it fills in.
#[derive(Debug, Clone)]
pub(crate) struct Requirement {
    /// Root of `applies_when` (absent: always applies).
    pub applies: Option<u32>,
    /// Root of `met_when`.
    pub met: u32,
    /// Blocker, advisory or hold.
    pub kind: Kind,
    /// Everything a report says about it, with status `unknown` and nothing decided yet.
    pub item: ReportItem,
}

impl Requirement {
    /// The requirement id.
    pub(crate) fn id(&self) -> &str {
        &self.item.id
    }
}

/// A compiled table row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub when: u32,
    pub out: usize,
}

/// A compiled first-hit table.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub id: String,
    pub title: String,
    pub rows: Vec<Row>,
    pub default: usize,
    pub outputs: Vec<OutputDoc>,
    /// Where this table's outputs start in a patient's per-output values.
    pub at: usize,
}

/// Everything compiled.
pub(crate) struct Compiled {
    pub facts: Vec<FactDef>,
    pub fact_index: IdIndex,
    pub prog: Program,
    pub derived: Vec<(String, u32)>,
    pub tables: Vec<Table>,
    pub reqs: Vec<Requirement>,
    pub asking: Vec<u32>,
    pub plans: Vec<Plan>,
    pub all: Plan,
    pub graph: Graph,
}

/// Where a condition is, for its diagnostics.
#[derive(Clone, Copy)]
struct Site<'a> {
    origin: &'a Origin,
    rule: &'a str,
}

struct Compiler<'d> {
    doc: &'d RulesetDoc,
    doc_ids: &'d [String],
    diags: Vec<Diagnostic>,
    fact_index: IdIndex,
    facts: Vec<FactDef>,
    derived_index: IdIndex,
    table_index: IdIndex,
    prog: Program,
    /// The facts of the reads being built (see `lower.rs`, `read_fact`).
    reading: crate::bits::BitSet,
}

impl Compiler<'_> {
    /// Records a diagnostic about an item of document `origin.doc`.
    fn push(&mut self, origin: &Origin, mut d: Diagnostic) {
        if origin.doc > 0 {
            d.document = self.doc_ids.get(origin.doc).cloned();
        }
        self.diags.push(d);
    }

    fn error(&mut self, site: Site<'_>, code: Code, path: String, msg: String) {
        self.push(
            site.origin,
            Diagnostic::error(code, path, msg).with_rule(site.rule),
        );
    }

    /// An index of ids to positions; a repeated id is reported.
    /// `item(i)` is the id and origin of the `i`th of `n` declarations (one non-generic
    /// function for every kind of declaration).
    fn unique<'a>(
        &mut self,
        n: usize,
        item: &dyn Fn(usize) -> Option<(&'a str, &'a Origin)>,
        what: &str,
    ) -> IdIndex {
        let (index, repeats) = IdIndex::of_ids(n, &|i| item(i).map_or("", |(id, _)| id));
        repeats.each(|i| {
            if let Some((id, origin)) = item(i) {
                let site = Site { origin, rule: id };
                let path = format!("{}.id", origin.path);
                self.error(
                    site,
                    Code::DuplicateId,
                    path,
                    format!("duplicate {what} id `{id}`"),
                );
            }
        });
        index
    }

    /// The fact declarations: type, section.
    fn declare_facts(&mut self, sections: &IdIndex) {
        let doc = self.doc;
        for f in &doc.facts {
            let site = Site {
                origin: &f.origin,
                rule: &f.id,
            };
            let section = sections.get(&f.section).unwrap_or_else(|| {
                let p = format!("{}.section", f.origin.path);
                let msg = format!("unknown section `{}`", f.section);
                self.error(site, Code::UnknownSection, p, msg);
                0
            });
            let (ty, diags) = FactType::declare(f);
            for d in diags {
                self.push(&f.origin, d.with_rule(f.id.clone()));
            }
            self.facts.push(FactDef {
                id: f.id.clone(),
                range: ty.compact_bounds(),
                ty,
                section,
                section_id: f.section.clone(),
                question: f.question.clone(),
                asked_when: None,
            });
        }
    }
}

/// The report item of a requirement as declared.
fn item(r: &crate::wire::RequirementDoc) -> ReportItem {
    ReportItem {
        id: r.id.clone(),
        title: r.title.clone(),
        kind: r.kind,
        status: Status::Unknown,
        owner: r.owner,
        attribution: r
            .attribution
            .unwrap_or_else(|| r.owner.default_attribution()),
        delay_category: r.delay_category,
        primary: r.primary,
        action: r.action.clone(),
        referral: r.referral.clone(),
        citation: r.citation.clone(),
        decided_by: Vec::new(),
    }
}

/// Fact indices in asking order: by section, then schema order (a counting sort: sections are
/// few, and no sorting machinery reaches the `.wasm`).
fn asking_order(facts: &[FactDef], sections: usize) -> Vec<u32> {
    let mut start = alloc::vec![0usize; sections + 1];
    for f in facts {
        if let Some(n) = start.get_mut(f.section + 1) {
            *n += 1;
        }
    }
    for s in 1..start.len() {
        let before = start.get(s - 1).copied().unwrap_or(0);
        if let Some(n) = start.get_mut(s) {
            *n += before;
        }
    }
    let mut order = alloc::vec![0u32; facts.len()];
    for (i, f) in facts.iter().enumerate() {
        if let Some(at) = start.get_mut(f.section) {
            if let Some(slot) = order.get_mut(*at) {
                *slot = u32::try_from(i).unwrap_or(u32::MAX);
            }
            *at += 1;
        }
    }
    order
}

/// Compiles a merged document. Returns the compiled form when there were no errors, and every
/// diagnostic (errors, and the structural warnings when linting) found.
pub(crate) fn compile(doc: &RulesetDoc, doc_ids: &[String]) -> (Option<Compiled>, Vec<Diagnostic>) {
    let mut c = Compiler {
        doc,
        doc_ids,
        diags: Vec::new(),
        fact_index: IdIndex::default(),
        facts: Vec::new(),
        derived_index: IdIndex::default(),
        table_index: IdIndex::default(),
        prog: Program::default(),
        reading: crate::bits::BitSet::default(),
    };
    let sections = c.unique(
        doc.sections.len(),
        &|i| doc.sections.get(i).map(|s| (s.id.as_str(), &s.origin)),
        "section",
    );
    c.fact_index = c.unique(
        doc.facts.len(),
        &|i| doc.facts.get(i).map(|f| (f.id.as_str(), &f.origin)),
        "fact",
    );
    c.declare_facts(&sections);
    for (i, name) in doc.conditions.keys().enumerate() {
        c.derived_index.insert(name, i);
    }
    c.table_index = c.unique(
        doc.tables.len(),
        &|i| doc.tables.get(i).map(|t| (t.id.as_str(), &t.origin)),
        "table",
    );
    let req_index = c.unique(
        doc.requirements.len(),
        &|i| doc.requirements.get(i).map(|r| (r.id.as_str(), &r.origin)),
        "requirement",
    );
    c.unique(
        doc.checklists.len(),
        &|i| doc.checklists.get(i).map(|l| (l.id.as_str(), &l.origin)),
        "checklist",
    );

    let mut graph = Graph::default();
    let derived = c.named_conditions(&mut graph);
    let tables = c.tables(&mut graph);
    let reqs = c.requirements(&mut graph);
    c.asked_when(&mut graph);
    graph.order = c.topo_order(&graph);
    c.gate_cycles(&graph);
    let lists = c.checklists(&req_index);
    let plans: Vec<Plan> = lists
        .into_iter()
        .map(|(id, r, t)| graph.plan(id, r, t))
        .collect();
    let all = graph.plan(
        "*".into(),
        (0..reqs.len()).collect(),
        (0..tables.len()).collect(),
    );
    #[cfg(feature = "lint")]
    for (origin, d) in crate::analysis::structural(doc, &graph, &plans) {
        c.push(origin, d);
    }
    if crate::diagnostic::has_errors(&c.diags) {
        return (None, c.diags);
    }
    let asking = asking_order(&c.facts, sections.len());
    c.prog.finish();
    let compiled = Compiled {
        asking,
        facts: c.facts,
        fact_index: c.fact_index,
        prog: c.prog,
        derived,
        tables,
        reqs,
        plans,
        all,
        graph,
    };
    (Some(compiled), c.diags)
}
