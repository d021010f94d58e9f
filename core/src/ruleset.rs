//! The compiled, immutable [`Ruleset`]: loading (with overlays), the content hash, and lookups.
//! A ruleset that loaded cannot make evaluation fail.

use crate::compile::{self, Plan, Requirement, Table};
use crate::decode::decode_document;
use crate::diagnostic::{self, Diagnostic};
use crate::error::{ChecklistError, RulesetError};
use crate::facts::FactDef;
use crate::hash::sha256_hex;
use crate::index::IdIndex;
use crate::overlay;
use crate::program::Program;
use crate::wire::RulesetDoc;
use alloc::string::String;
use alloc::vec::Vec;

/// A validated, compiled ruleset (a base plus any overlays), ready to evaluate patients.
#[derive(Debug, Clone)]
pub struct Ruleset {
    pub(crate) doc: RulesetDoc,
    pub(crate) hash: String,
    /// The overlays' declared safety changes, as every report lists them.
    pub(crate) safety: Vec<crate::report::SafetyChange>,
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) facts: Vec<FactDef>,
    pub(crate) fact_index: IdIndex,
    /// Every condition, in preorder.
    pub(crate) prog: Program,
    /// Named conditions: name and root.
    pub(crate) derived: Vec<(String, u32)>,
    pub(crate) tables: Vec<Table>,
    /// The number of outputs of all tables (a patient's per-output values).
    pub(crate) outs_len: usize,
    pub(crate) reqs: Vec<Requirement>,
    /// Fact indices in asking order: by section, then schema order.
    pub(crate) asking: Vec<u32>,
    pub(crate) plans: Vec<Plan>,
    pub(crate) all: Plan,
    /// The facts each named condition, table and requirement reads, and each `asked_when` (for a session's
    /// re-assessment after an answer).
    pub(crate) reads: crate::evaluate::FactReads,
}

/// Options for loading a ruleset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Treat warnings as errors (for CI of rule authors).
    pub deny_warnings: bool,
}

/// A checklist of a ruleset, looked up by id; evaluation takes one.
#[derive(Debug, Clone, Copy)]
pub struct Checklist<'r> {
    pub(crate) plan: &'r Plan,
}

impl Checklist<'_> {
    /// The checklist id (`*` for "every requirement and table").
    #[must_use]
    pub fn id(&self) -> &str {
        &self.plan.id
    }
}

/// The error for a ruleset that did not load: its diagnostics, at most
/// [`MAX_DIAGNOSTICS`](diagnostic::MAX_DIAGNOSTICS) and a count of the rest.
fn invalid(mut diagnostics: Vec<Diagnostic>) -> RulesetError {
    diagnostic::cap(&mut diagnostics, 0);
    RulesetError::Invalid { diagnostics }
}

impl Ruleset {
    /// Loads and compiles a ruleset from JSON text.
    ///
    /// # Errors
    /// [`RulesetError::Invalid`] listing every diagnostic (errors first) with code and path.
    pub fn from_json(text: &str) -> Result<Ruleset, RulesetError> {
        Ruleset::from_json_with_overlays(text, &[])
    }

    /// Loads a base ruleset and applies overlays (each a JSON document with `extends`).
    ///
    /// # Errors
    /// [`RulesetError::Invalid`] listing every diagnostic of the base, the overlays and the
    /// merged result.
    pub fn from_json_with_overlays(base: &str, overlays: &[&str]) -> Result<Ruleset, RulesetError> {
        Ruleset::load(base, overlays, &LoadOptions::default())
    }

    /// Loads with options; see [`Ruleset::from_json_with_overlays`].
    ///
    /// # Errors
    /// As [`Ruleset::from_json_with_overlays`]; with `deny_warnings`, warnings are errors too.
    pub fn load(
        base: &str,
        overlays: &[&str],
        options: &LoadOptions,
    ) -> Result<Ruleset, RulesetError> {
        let mut diags = Vec::new();
        let (base_doc, mut d) = decode_document(base, 0);
        diags.append(&mut d);
        let mut docs = Vec::new();
        let mut doc_ids = Vec::from([base_doc.as_ref().map(|b| b.id.clone()).unwrap_or_default()]);
        for (i, text) in overlays.iter().enumerate() {
            let (doc, d) = decode_document(text, i + 1);
            let name = doc
                .as_ref()
                .map_or_else(|| alloc::format!("overlay {}", i + 1), |o| o.id.clone());
            diags.extend(d.into_iter().map(|mut x| {
                x.document = Some(name.clone());
                x
            }));
            doc_ids.push(name);
            if let Some(doc) = doc {
                docs.push(doc);
            }
        }
        let Some(base_doc) = base_doc else {
            return Err(invalid(diags));
        };
        if diagnostic::has_errors(&diags) {
            return Err(invalid(diags));
        }
        overlay::check_base(&base_doc, &mut diags);
        let merged = overlay::merge(base_doc, docs, &mut diags);
        if diagnostic::has_errors(&diags) {
            return Err(invalid(diags));
        }
        Ruleset::compile_doc(merged, &doc_ids, diags, options)
    }

    /// Compiles an already decoded (and merged) document.
    pub(crate) fn compile_doc(
        doc: RulesetDoc,
        doc_ids: &[String],
        mut diags: Vec<Diagnostic>,
        options: &LoadOptions,
    ) -> Result<Ruleset, RulesetError> {
        let (compiled, mut d) = compile::compile(&doc, doc_ids);
        diags.append(&mut d);
        let Some(c) = compiled else {
            diagnostic::sort(&mut diags);
            return Err(invalid(diags));
        };
        let canonical = crate::write::to_json(&doc);
        let hash = sha256_hex(canonical.as_bytes());
        let outs_len = c.tables.iter().map(|t| t.outputs.len()).sum();
        let safety = doc
            .safety_changes
            .iter()
            .map(crate::report::SafetyChange::of)
            .collect();
        let mut rs = Ruleset {
            doc,
            hash,
            safety,
            warnings: Vec::new(),
            facts: c.facts,
            fact_index: c.fact_index,
            prog: c.prog,
            derived: c.derived,
            tables: c.tables,
            outs_len,
            reqs: c.reqs,
            asking: c.asking,
            plans: c.plans,
            all: c.all,
            reads: crate::evaluate::FactReads::default(),
        };
        rs.reads = crate::evaluate::FactReads::of(&rs, &c.graph.order);
        #[cfg(feature = "lint")]
        diags.extend(crate::analysis::exact(&rs, &c.graph, doc_ids));
        #[cfg(not(feature = "lint"))]
        let _ = (c.graph, doc_ids);
        if options.deny_warnings && !diags.is_empty() {
            for d in &mut diags {
                d.severity = diagnostic::Severity::Error;
            }
            return Err(RulesetError::Invalid { diagnostics: diags });
        }
        rs.warnings = diags;
        Ok(rs)
    }

    /// The ruleset id (`base+overlay` when overlays were applied).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.doc.id
    }

    /// The ruleset version.
    #[must_use]
    pub fn version(&self) -> &str {
        &self.doc.version
    }

    /// The ruleset title.
    #[must_use]
    pub fn title(&self) -> &str {
        &self.doc.title
    }

    /// `sha256:` of the canonical JSON of the merged ruleset (independent of key order and
    /// whitespace in the source).
    #[must_use]
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Warnings found while loading (the ruleset works, but may not be what was meant).
    #[must_use]
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The safety changes the overlays declared (empty for a ruleset without any), in the order
    /// the overlays were applied; every report lists them.
    #[must_use]
    pub fn safety_changes(&self) -> &[crate::report::SafetyChange] {
        &self.safety
    }

    /// The merged document, as authored (for rulebooks and exports).
    #[must_use]
    pub fn document(&self) -> &RulesetDoc {
        &self.doc
    }

    /// Looks up a checklist; `None` means every requirement and table.
    ///
    /// # Errors
    /// [`ChecklistError::Unknown`] when the ruleset declares no such checklist.
    pub fn checklist(&self, id: Option<&str>) -> Result<Checklist<'_>, ChecklistError> {
        let Some(id) = id.filter(|i| *i != "*") else {
            return Ok(Checklist { plan: &self.all });
        };
        self.plans
            .iter()
            .find(|c| c.id == id)
            .map(|plan| Checklist { plan })
            .ok_or_else(|| ChecklistError::Unknown {
                id: id.into(),
                available: self.plans.iter().map(|c| c.id.clone()).collect(),
            })
    }

    /// The ids of the declared checklists, in order.
    #[must_use]
    pub fn checklist_ids(&self) -> Vec<&str> {
        self.plans.iter().map(|c| c.id.as_str()).collect()
    }

    /// The fact ids, in schema order.
    #[must_use]
    pub fn fact_ids(&self) -> Vec<&str> {
        self.facts.iter().map(|f| f.id.as_str()).collect()
    }

    /// A fact by id: its index and declaration.
    pub(crate) fn fact(&self, id: &str) -> Option<(usize, &FactDef)> {
        let i = self.fact_index.get(id)?;
        Some((i, self.facts.get(i)?))
    }
}
