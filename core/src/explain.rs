//! Explanations: why a requirement has its status, as the condition tree with each node's
//! three-valued result and the facts it read. For the CLI's `explain` and for audit.

use crate::compile::Item;
use crate::condition::{Env, IntOp, Node, NodeId, Test};
use crate::evaluate::Values;
use crate::facts::{FactType, Facts};
use crate::report::Status;
use crate::ruleset::{Checklist, Ruleset};
use crate::tri::Tri;
use crate::wire::OutputValue;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;
use serde_json::Value;

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
    env: Env<'a>,
}

impl Explainer<'_> {
    fn options(&self, fact: u32, mask: u64) -> String {
        let opts = match self.rs.facts.get(fact as usize).map(|f| &f.ty) {
            Some(FactType::Enum(o) | FactType::Set(o)) => o.clone(),
            _ => Vec::new(),
        };
        let names: Vec<&str> = opts
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 64 && mask & (1u64 << i) != 0)
            .map(|(_, s)| s.as_str())
            .collect();
        format!("[{}]", names.join(", "))
    }

    fn describe_test(&self, fact: u32, test: &Test) -> String {
        match test {
            Test::Bool(b) => format!("= {b}"),
            Test::EnumIn(m) => format!("in {}", self.options(fact, *m)),
            Test::SetEq(m) => format!("= {}", self.options(fact, *m)),
            Test::SetNe(m) => format!("≠ {}", self.options(fact, *m)),
            Test::SetHas(m) => format!("contains {}", self.options(fact, *m)),
            Test::Int(op, c) => {
                let op = match op {
                    IntOp::Eq => "=",
                    IntOp::Ne => "≠",
                    IntOp::Lt => "<",
                    IntOp::Lte => "≤",
                    IntOp::Gt => ">",
                    IntOp::Gte => "≥",
                };
                format!("{op} {c}")
            }
            Test::IntIn(list) => format!("in {list:?}"),
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
            .map_or(Value::Null, |v| def.to_json(v));
        Some(FactRead {
            id: def.id.clone(),
            answer,
        })
    }

    fn outputs(&self, table: u32, mask: u64) -> String {
        let outs: Vec<String> = self
            .rs
            .doc
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
        format!("[{}]", outs.join(", "))
    }

    fn node(&self, id: NodeId, depth: usize) -> ExplainNode {
        let value = self.rs.prog.eval(id, &self.env);
        let kids = |me: &Self| -> Vec<ExplainNode> {
            me.rs
                .prog
                .kids_of(id)
                .iter()
                .map(|k| me.node(*k, depth + 1))
                .collect()
        };
        let (test, fact, children) = match self.rs.prog.node(id) {
            Some(Node::Const(b)) => (format!("{b}"), None, Vec::new()),
            Some(Node::All { .. }) => ("all".into(), None, kids(self)),
            Some(Node::Any { .. }) => ("any".into(), None, kids(self)),
            Some(Node::Not(_)) => ("not".into(), None, kids(self)),
            Some(Node::AtLeast { n, .. }) => (format!("at least {n} of"), None, kids(self)),
            Some(Node::Cmp { fact, test }) => {
                let read = self.fact_read(*fact);
                let name = read.as_ref().map(|r| r.id.clone()).unwrap_or_default();
                (
                    format!("fact {name} {}", self.describe_test(*fact, test)),
                    read,
                    Vec::new(),
                )
            }
            Some(Node::Known(fact)) => {
                let read = self.fact_read(*fact);
                let name = read.as_ref().map(|r| r.id.clone()).unwrap_or_default();
                (format!("fact {name} is answered"), read, Vec::new())
            }
            Some(Node::Ref(d)) => {
                let (name, root) = self
                    .rs
                    .derived
                    .get(*d as usize)
                    .cloned()
                    .unwrap_or_default();
                let children = if depth < MAX_EXPLAIN_DEPTH {
                    alloc::vec![self.node(root, depth + 1)]
                } else {
                    Vec::new()
                };
                (format!("ref {name}"), None, children)
            }
            Some(Node::Decision { table, mask }) => {
                let name = self
                    .rs
                    .doc
                    .tables
                    .get(*table as usize)
                    .map(|t| t.id.clone())
                    .unwrap_or_default();
                let rows = match self.rs.tables.get(*table as usize) {
                    Some(t) if depth < MAX_EXPLAIN_DEPTH => t
                        .rows
                        .iter()
                        .map(|r| self.node(r.when, depth + 1))
                        .collect(),
                    _ => Vec::new(),
                };
                (
                    format!("decision {name} in {}", self.outputs(*table, *mask)),
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
        let index = self
            .doc
            .requirements
            .iter()
            .position(|r| r.id == requirement)?;
        if !checklist.c.reqs.contains(&index) {
            return None;
        }
        let report = self.evaluate(checklist, facts);
        let status = report.status(requirement)?;
        let mut values = facts.values.clone();
        values.resize(self.facts.len(), None);
        let mut scratch = Values::default();
        let plan: Vec<Item> = checklist.c.plan.clone();
        self.run(&plan, &values, &mut scratch);
        let env = Env {
            facts: &values,
            derived: &scratch.derived,
            tables: &scratch.tables,
        };
        let ex = Explainer {
            rs: self,
            facts,
            env,
        };
        let rc = self.reqs.get(index)?;
        Some(Explanation {
            requirement: String::from(requirement),
            status,
            applies_when: rc.applies.map(|a| ex.node(a, 0)),
            met_when: ex.node(rc.met, 0),
        })
    }
}
