//! Re-assessment after an answer, for the resident session: only the named conditions,
//! tables, requirements and `asked_when` gates that read a changed fact (directly, or through
//! the named conditions and tables they reference) are evaluated again; everything else keeps
//! its value from the last assessment of the same ruleset, checklist and as-of date.
//!
//! The facts each of them reads are found once at load from the compiled ops themselves: the
//! facts of every leaf test, and the sets of the named conditions and tables it references. So
//! they are exactly what the evaluator reads. A changed as-of date, checklist or ruleset
//! (by content hash) assesses everything again. The open questions are found afresh after
//! every answer.

use super::open::HeldGates;
use super::{verdict_of, Assessment, Patient, Scope, Scratch};
use crate::bits::BitSet;
use crate::compile::{Item, Plan};
use crate::date::Date;
use crate::facts::Facts;
use crate::program::{Kind, Val};
use crate::report::Verdict;
use crate::ruleset::{Checklist, Ruleset};
use crate::tri::Tri;
use alloc::string::String;
use alloc::vec::Vec;

/// The facts each named condition, table, requirement and `asked_when` reads, transitively
/// (indexed as the ruleset's `derived`, `tables`, `reqs` and `facts`).
#[derive(Debug, Clone, Default)]
pub(crate) struct FactReads {
    derived: Vec<BitSet>,
    tables: Vec<BitSet>,
    reqs: Vec<BitSet>,
    /// Per fact, what its `asked_when` reads (empty without one).
    gates: Vec<BitSet>,
}

impl FactReads {
    /// The sets of a compiled ruleset; `order` is every named condition and table in
    /// dependency order (each after those it references).
    ///
    /// Loading stays linear in the ruleset (review finding L7): transitive sets can grow
    /// quadratically (a chain of named conditions each reading a fact of its own; a question
    /// near the end of 100,000 whose set is as wide as its index). Past a budget of words,
    /// linear in the ruleset's ops and facts, there are no sets, and every answer re-evaluates
    /// everything, as before this module.
    pub(crate) fn of(rs: &Ruleset, order: &[Item]) -> FactReads {
        let budget = 16 * (rs.prog.ops.len() + rs.facts.len()) + 4096;
        let mut spent = 0;
        let reads = Self::within(rs, order, budget, &mut spent);
        if spent > budget {
            return FactReads::default();
        }
        reads
    }

    /// [`FactReads::of`], counting into `spent` the words of every set made and every union;
    /// stops early once past `budget`.
    fn within(rs: &Ruleset, order: &[Item], budget: usize, spent: &mut usize) -> FactReads {
        let mut reads = FactReads::default();
        reads.derived.resize_with(rs.derived.len(), BitSet::default);
        reads.tables.resize_with(rs.tables.len(), BitSet::default);
        for &item in order {
            if *spent > budget {
                return reads;
            }
            let mut set = BitSet::default();
            match item {
                Item::Derived(d) => {
                    if let Some((_, root)) = rs.derived.get(d) {
                        reads.add(rs, *root, &mut set, spent);
                    }
                    if let Some(slot) = reads.derived.get_mut(d) {
                        *slot = set;
                    }
                }
                Item::Table(t) => {
                    for row in rs.tables.get(t).map_or(&[][..], |t| &t.rows) {
                        reads.add(rs, row.when, &mut set, spent);
                    }
                    if let Some(slot) = reads.tables.get_mut(t) {
                        *slot = set;
                    }
                }
            }
        }
        for r in &rs.reqs {
            let mut set = BitSet::default();
            if let Some(a) = r.applies {
                reads.add(rs, a, &mut set, spent);
            }
            reads.add(rs, r.met, &mut set, spent);
            reads.reqs.push(set);
        }
        for f in &rs.facts {
            let mut set = BitSet::default();
            if let Some(g) = f.asked_when {
                reads.add(rs, g, &mut set, spent);
            }
            reads.gates.push(set);
            if *spent > budget {
                return reads;
            }
        }
        reads
    }

    /// Adds the facts the condition rooted at `root` reads (its ops are `root` up to its end),
    /// counting the words of each union and of `out` into `spent`.
    fn add(&self, rs: &Ruleset, root: u32, out: &mut BitSet, spent: &mut usize) {
        let p = root as usize;
        let end = rs.prog.op(p).map_or(p, |op| (op.end as usize).max(p + 1));
        for q in p..end {
            let Some(op) = rs.prog.op(q) else {
                continue;
            };
            let from = match op.kind {
                Kind::Test(t) => {
                    let [first, second] = t.facts();
                    if let Some(f) = first {
                        out.insert(f as usize);
                    }
                    if let Some(f) = second {
                        out.insert(f as usize);
                    }
                    None
                }
                Kind::Ref(d) => self.derived.get(d as usize),
                Kind::Decision { table, .. } => self.tables.get(table as usize),
                Kind::Join(_) | Kind::Const(_) => None,
            };
            if let Some(set) = from {
                *spent += set.words().len();
                out.union_with(set);
            }
        }
        *spent += out.words().len();
    }

    /// Whether `item` reads a fact in `changed` (true where it is not known).
    fn item_reads(&self, item: Item, changed: &BitSet) -> bool {
        let set = match item {
            Item::Derived(d) => self.derived.get(d),
            Item::Table(t) => self.tables.get(t),
        };
        set.is_none_or(|s| s.intersects(changed))
    }

    /// Whether requirement `i` reads a fact in `changed` (true where it is not known).
    fn req_reads(&self, i: usize, changed: &BitSet) -> bool {
        self.reqs.get(i).is_none_or(|s| s.intersects(changed))
    }

    /// Whether the `asked_when` of fact `f` reads a fact in `changed` (true where it is not
    /// known).
    pub(crate) fn gate_reads(&self, f: usize, changed: &BitSet) -> bool {
        self.gates.get(f).is_none_or(|s| s.intersects(changed))
    }
}

impl Ruleset {
    /// As [`Ruleset::assess_into`] for facts that differ only in `changed` from those `s` holds
    /// the assessment of (on the same plan and as-of date): what reads no changed fact keeps
    /// its value, in dependency order, so everything read again is up to date when it is read.
    fn reassess_into(
        &self,
        plan: &Plan,
        facts: &Facts,
        changed: &BitSet,
        s: &mut Scratch,
    ) -> Verdict {
        let patient = Patient::of(facts);
        for &item in &plan.items {
            if self.reads.item_reads(item, changed) {
                self.run_item(item, &patient, &mut s.values);
            }
        }
        let scope = Scope {
            rs: self,
            facts: &patient,
            values: &s.values,
        };
        let (mut not_met, mut unknown) = (false, false);
        for (&i, j) in plan.reqs.iter().zip(s.judged.iter_mut()) {
            let Some(r) = self.reqs.get(i) else {
                continue;
            };
            if self.reads.req_reads(i, changed) {
                *j = self.judge(r, &scope);
            }
            if r.kind.counts_toward_verdict() {
                not_met |= j.not_met();
                unknown |= j.unknown();
            }
        }
        verdict_of(not_met, unknown)
    }
}

/// A session's assessment, kept between answers so that the next one evaluates again only
/// what reads the facts that changed. It remembers what it assessed (the ruleset's content
/// hash, the checklist, the as-of date and every answer), so a call with anything else but
/// changed answers assesses everything, whatever the caller passes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reassessor {
    scratch: Scratch,
    /// The ruleset's hash and the checklist of the assessment held (none before the first).
    held: Option<(String, String)>,
    as_of: Option<Date>,
    values: Vec<Option<Val>>,
    changed: BitSet,
    /// Each fact's `asked_when` value in the assessment held (see [`Ruleset::hidden_into`]).
    gates: Vec<Tri>,
}

impl Reassessor {
    /// The assessment of `facts` on `checklist`, with the open and hidden questions (the
    /// same as [`crate::Evaluator::assess`] with `open_questions`).
    pub(crate) fn assess<'a>(
        &'a mut self,
        rs: &'a Ruleset,
        checklist: Checklist<'a>,
        facts: &'a Facts,
    ) -> Assessment<'a> {
        let plan = checklist.plan;
        let same = self.refresh(rs, plan, facts);
        let verdict = if same {
            rs.reassess_into(plan, facts, &self.changed, &mut self.scratch)
        } else {
            rs.assess_into(plan, facts, &mut self.scratch)
        };
        let held = HeldGates {
            values: &mut self.gates,
            changed: same.then_some(&self.changed),
        };
        rs.open_questions_into(plan, facts, &mut self.scratch, held);
        Assessment::of(rs, plan, &self.scratch, verdict, true)
    }

    /// Takes in the answers of `facts` (into `changed`: those that differ from the ones
    /// held) and remembers `rs`, `plan` and the as-of date; returns whether the assessment
    /// held was of the same ruleset, plan and as-of date, so only what reads `changed` needs
    /// evaluating again (when not, everything does).
    fn refresh(&mut self, rs: &Ruleset, plan: &Plan, facts: &Facts) -> bool {
        let n = facts.values.len();
        let same = self
            .held
            .as_ref()
            .is_some_and(|(hash, id)| *hash == rs.hash && *id == plan.id)
            && self.as_of == facts.as_of
            && self.values.len() == n
            && self.scratch.judged.len() == plan.reqs.len();
        if self.values.len() != n {
            self.values.clear();
            self.values.resize(n, None);
            self.gates.clear();
            self.gates.resize(n, Tri::Unknown);
        }
        // The answers that changed since the assessment held (all of them, read afresh,
        // when it is not the same ruleset, checklist and date).
        self.changed.reset(n);
        for (i, (old, new)) in self.values.iter_mut().zip(&facts.values).enumerate() {
            if *old != *new {
                *old = *new;
                self.changed.insert(i);
            }
        }
        if !same {
            self.held = Some((rs.hash.clone(), plan.id.clone()));
            self.as_of = facts.as_of;
        }
        same
    }
}

crate::compiled::bin_struct! {
    FactReads { derived, tables, reqs, gates }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test")]
    use super::Reassessor;
    use crate::{Evaluator, Facts, Ruleset, Status};
    use alloc::format;
    use alloc::vec::Vec;

    const EXAMPLE: &str = include_str!("../../../tests/fixtures/example-ruleset.json");

    /// `n` yes/no questions, question `i` asked only when question `i + 1` is answered yes
    /// (as `asked_chain` in `core/benches/support/large.rs`), the head read by a requirement.
    fn asked_chain(n: usize) -> alloc::string::String {
        let facts: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                let mut f = serde_json::json!({ "id": format!("f.b{i}"), "type": "bool",
                    "section": "s", "question": format!("b{i}?") });
                if i + 1 < n {
                    f["asked_when"] =
                        serde_json::json!({ "fact": format!("f.b{}", i + 1), "eq": true });
                }
                f
            })
            .collect();
        let doc = serde_json::json!({
            "id": "chain", "version": "1", "title": "Chain",
            "sections": [{ "id": "s", "title": "S" }], "facts": facts,
            "requirements": [{ "id": "r", "title": "R", "kind": "blocker", "owner": "nhs",
                "met_when": { "fact": "f.b0", "eq": true }, "action": "a",
                "citation": { "source": "generated" } }],
            "checklists": [{ "id": "all", "title": "All", "requirements": ["r"] }]
        });
        serde_json::to_string(&doc).unwrap_or_default()
    }

    /// Past the budget (10,000 questions, each asked when the next is answered yes: each
    /// gate's set would be as wide as its index, quadratic in all) there are no sets, and a
    /// held assessment still answers as a fresh one.
    #[test]
    fn past_the_budget_there_are_no_sets_and_answers_still_agree() {
        let rs = Ruleset::from_json(&asked_chain(10_000)).unwrap();
        assert!(rs.reads.gates.is_empty() && rs.reads.reqs.is_empty());
        let small = Ruleset::from_json(&asked_chain(100)).unwrap();
        assert_eq!(small.reads.gates.len(), 100, "a small chain keeps its sets");
        let cl = rs.checklist(None).unwrap();
        let mut held = Reassessor::default();
        for answers in [
            r#"{"f.b5000": true}"#,
            r#"{"f.b5000": true, "f.b5001": false}"#,
        ] {
            let facts = Facts::from_json(&rs, answers).unwrap();
            let hidden: Vec<&str> = held.assess(&rs, cl, &facts).hidden_facts().collect();
            let mut fresh = Evaluator::new();
            let expected: Vec<&str> = fresh.assess(&rs, cl, &facts, true).hidden_facts().collect();
            assert_eq!(hidden, expected);
        }
    }

    /// A held assessment is not taken for another ruleset's, even one with the same
    /// checklist, requirements and answers: here the second ruleset differs only in what one
    /// named condition tests.
    #[test]
    fn another_ruleset_is_assessed_afresh() {
        let eq = r#""medically_optimised": { "fact": "clinical.criteria_to_reside", "eq": [] }"#;
        let ne = r#""medically_optimised": { "fact": "clinical.criteria_to_reside", "ne": [] }"#;
        assert!(EXAMPLE.contains(eq));
        let a = Ruleset::from_json(EXAMPLE).unwrap();
        let b = Ruleset::from_json(&EXAMPLE.replace(eq, ne)).unwrap();
        let answers = r#"{"clinical.criteria_to_reside": []}"#;
        let (fa, fb) = (
            Facts::from_json(&a, answers).unwrap(),
            Facts::from_json(&b, answers).unwrap(),
        );
        let statuses = |rs: &Ruleset, facts: &Facts, held: Option<&mut Reassessor>| {
            let cl = rs.checklist(Some("ward")).unwrap();
            let mut fresh = Evaluator::new();
            let list: Vec<(alloc::string::String, Status)> = match held {
                Some(h) => h
                    .assess(rs, cl, facts)
                    .statuses()
                    .map(|(i, s)| (i.into(), s))
                    .collect(),
                None => fresh
                    .assess(rs, cl, facts, true)
                    .statuses()
                    .map(|(i, s)| (i.into(), s))
                    .collect(),
            };
            list
        };
        let mut held = Reassessor::default();
        let first = statuses(&a, &fa, Some(&mut held));
        let second = statuses(&b, &fb, Some(&mut held));
        assert_eq!(first, statuses(&a, &fa, None));
        assert_eq!(second, statuses(&b, &fb, None));
        assert_ne!(
            first, second,
            "the two rulesets must disagree for this test to mean anything"
        );
    }
}
