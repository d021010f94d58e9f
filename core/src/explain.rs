//! Explanations: why a requirement has its status, as the condition tree with each op's
//! three-valued result and the facts it read. For the CLI's `explain` and for audit. Reads the
//! same ops as the evaluator.

use crate::evaluate::{Patient, Scope, Values};
use crate::facts::Facts;
use crate::facttype::{show_options, FactType};
use crate::lanes::OpMemo;
use crate::program::{Join, Kind, Term, Test};
use crate::report::Status;
use crate::ruleset::{Checklist, Ruleset};
use crate::tri::Tri;
use crate::value::Value;
use crate::wire::OutputValue;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;
use serde::Serialize;

/// Named conditions and tables deeper than this are summarised, not expanded.
const MAX_EXPLAIN_DEPTH: usize = 64;

/// One node of an explained condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainNode {
    /// What the node tests, in words (`all`, `fact home.key_safe_fitted = true`, …).
    pub test: String,
    /// Its value for this patient.
    pub value: Tri,
    /// The fact it reads and that fact's answer (`null` = unknown), for comparisons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fact: Option<FactRead>,
    /// Sub-conditions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ExplainNode>,
}

/// A fact read by a comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactRead {
    /// Fact id.
    pub id: String,
    /// The answer, or `null` when unknown.
    pub answer: Value,
}

/// Why a requirement has its status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Requirement id.
    pub requirement: String,
    /// Its status.
    pub status: Status,
    /// `applies_when` explained (absent: always applies).
    pub applies_when: Option<ExplainNode>,
    /// `met_when` explained.
    pub met_when: ExplainNode,
}

struct Explainer<'a> {
    rs: &'a Ruleset,
    facts: &'a Facts,
    scope: Scope<'a, Tri, Patient<'a>>,
    memo: RefCell<OpMemo>,
}

impl Explainer<'_> {
    fn ty(&self, fact: u32) -> Option<&FactType> {
        self.rs.facts.get(fact as usize).map(|f| &f.ty)
    }

    fn name(&self, fact: u32) -> String {
        self.rs
            .facts
            .get(fact as usize)
            .map(|f| f.id.clone())
            .unwrap_or_default()
    }

    fn describe_test(&self, test: &Test) -> String {
        let show = |fact: u32, v: i64| self.ty(fact).map_or_else(|| v.to_string(), |t| t.show(v));
        let options =
            |fact: u32, mask: u64| show_options(self.ty(fact).map_or(&[], FactType::options), mask);
        match *test {
            Test::Bool { want, .. } => format!("= {want}"),
            Test::EnumIn { fact, mask } => format!("in {}", options(fact, mask)),
            Test::SetEq { fact, mask } => format!("= {}", options(fact, mask)),
            Test::SetNe { fact, mask } => format!("≠ {}", options(fact, mask)),
            Test::SetHas { fact, mask } => format!("contains {}", options(fact, mask)),
            Test::Int { fact, op, c } => format!("{} {}", op.symbol(), show(fact, c)),
            Test::IntIn { fact, list } => {
                let items: Vec<String> = self
                    .rs
                    .prog
                    .lists
                    .get(list as usize)
                    .map(|l| l.iter().map(|v| show(fact, *v)).collect())
                    .unwrap_or_default();
                format!("in [{}]", crate::words::join(&items, ", "))
            }
            Test::Known(_) => String::from("is answered"),
            Test::Days {
                other, op, days, ..
            } => {
                let term = match other {
                    Term::Fact(g) => format!("fact {}", self.name(g)),
                    // The as-of date the evaluation used, so a reader can check the arithmetic.
                    Term::AsOf => match self.facts.as_of {
                        Some(d) => format!("as_of ({d})"),
                        None => String::from("as_of (not given)"),
                    },
                };
                match days {
                    0 => format!("{} {term}", op.symbol()),
                    d if d > 0 => format!("{} {term} + {d} days", op.symbol()),
                    d => format!("{} {term} − {} days", op.symbol(), d.unsigned_abs()),
                }
            }
        }
    }

    fn fact_read(&self, fact: u32) -> Option<FactRead> {
        let def = self.rs.facts.get(fact as usize)?;
        let answer = self
            .facts
            .values
            .get(fact as usize)
            .copied()
            .flatten()
            .map_or(Value::Null, |v| def.ty.to_json(v));
        Some(FactRead {
            id: def.id.clone(),
            answer,
        })
    }

    fn outputs(&self, table: u32, mask: u64) -> String {
        let outs: Vec<String> = self
            .rs
            .tables
            .get(table as usize)
            .map(|t| {
                t.outputs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i < 64 && mask & (1u64 << i) != 0)
                    .map(|(_, o)| match &o.value {
                        OutputValue::Bool(b) => format!("{b}"),
                        OutputValue::Int(i) => format!("{i}"),
                        OutputValue::Str(s) => s.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        format!("[{}]", crate::words::join(&outs, ", "))
    }

    fn node(&self, p: u32, depth: usize) -> ExplainNode {
        let value = self
            .rs
            .prog
            .eval_memo(p as usize, &self.scope, &mut self.memo.borrow_mut());
        let kids = |me: &Self| -> Vec<ExplainNode> {
            me.rs
                .prog
                .children(p as usize)
                .map(|c| me.node(u32::try_from(c).unwrap_or(u32::MAX), depth + 1))
                .collect()
        };
        let kind = self.rs.prog.op(p as usize).map(|op| op.kind);
        let (test, fact, children) = match kind {
            Some(Kind::Const(b)) => (format!("{b}"), None, Vec::new()),
            Some(Kind::Join(Join::All)) => ("all".into(), None, kids(self)),
            Some(Kind::Join(Join::Any)) => ("any".into(), None, kids(self)),
            Some(Kind::Join(Join::Not)) => ("not".into(), None, kids(self)),
            Some(Kind::Join(Join::AtLeast(n))) => (format!("at least {n} of"), None, kids(self)),
            Some(Kind::Test(t)) => {
                let [fact, _] = t.facts();
                let fact = fact.unwrap_or(u32::MAX);
                let read = self.fact_read(fact);
                let text = format!("fact {} {}", self.name(fact), self.describe_test(&t));
                (text, read, Vec::new())
            }
            Some(Kind::Ref(d)) => {
                let (name, root) = self.rs.derived.get(d as usize).cloned().unwrap_or_default();
                let children = if depth < MAX_EXPLAIN_DEPTH {
                    alloc::vec![self.node(root, depth + 1)]
                } else {
                    Vec::new()
                };
                (format!("ref {name}"), None, children)
            }
            Some(Kind::Decision { table, mask }) => {
                let name = self
                    .rs
                    .tables
                    .get(table as usize)
                    .map(|t| t.id.clone())
                    .unwrap_or_default();
                let rows = match self.rs.tables.get(table as usize) {
                    Some(t) if depth < MAX_EXPLAIN_DEPTH => t
                        .rows
                        .iter()
                        .map(|r| self.node(r.when, depth + 1))
                        .collect(),
                    _ => Vec::new(),
                };
                (
                    format!("decision {name} in {}", self.outputs(table, mask)),
                    None,
                    rows,
                )
            }
            None => (String::from("?"), None, Vec::new()),
        };
        ExplainNode {
            test,
            value,
            fact,
            children,
        }
    }
}

impl Ruleset {
    /// Explains one requirement's status for a patient; `None` if the checklist does not
    /// contain it.
    #[must_use]
    pub fn explain(
        &self,
        checklist: Checklist<'_>,
        facts: &Facts,
        requirement: &str,
    ) -> Option<Explanation> {
        let index = self.reqs.iter().position(|r| r.id() == requirement)?;
        if !checklist.plan.reqs.contains(&index) {
            return None;
        }
        let report = self.evaluate(checklist, facts);
        let status = report.status(requirement)?;
        let mut values = Values::default();
        let patient = Patient::of(facts);
        self.run(&checklist.plan.items, &patient, &mut values);
        let mut memo = OpMemo::default();
        memo.reset(self.prog.ops.len());
        let ex = Explainer {
            rs: self,
            facts,
            scope: Scope {
                rs: self,
                facts: &patient,
                values: &values,
            },
            memo: RefCell::new(memo),
        };
        let r = self.reqs.get(index)?;
        Some(Explanation {
            requirement: String::from(requirement),
            status,
            applies_when: r.applies.map(|a| ex.node(a, 0)),
            met_when: ex.node(r.met, 0),
        })
    }
}
