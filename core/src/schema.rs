//! The fact schema as handed to user interfaces: questions, options, help, sections, when each
//! is asked, and which facts each checklist needs. A UI renders the form from this alone.

use crate::ruleset::Ruleset;
use crate::wire::{ConditionDoc, FactKind, Kind, OptionDoc, OutputDoc, Owner, VerdictWords};
use crate::write::write_fields;
use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

/// A section of questions.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaSection {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
}

/// One question.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaFact {
    /// Fact id.
    pub id: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: FactKind,
    /// Question text.
    pub question: String,
    /// Help text.
    pub help: Option<String>,
    /// Section id.
    pub section: String,
    /// Options (`enum`, `set`).
    pub options: Option<Vec<OptionDoc>>,
    /// Minimum (`int`).
    pub min: Option<i64>,
    /// Maximum (`int`).
    pub max: Option<i64>,
    /// Unit (`int`).
    pub unit: Option<String>,
    /// When the question is relevant (the report's `hidden_facts` applies it).
    pub asked_when: Option<ConditionDoc>,
}

/// A checklist and the facts it needs.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaChecklist {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// The question the checklist answers for its user.
    pub question: Option<String>,
    /// The verdicts in the user's words.
    pub verdicts: Option<VerdictWords>,
    /// Requirement ids.
    pub requirements: Vec<String>,
    /// Table ids.
    pub tables: Vec<String>,
    /// Facts relevant to this checklist, schema order.
    pub facts: Vec<String>,
}

/// A requirement, briefly.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaRequirement {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: Kind,
    /// Owner.
    pub owner: Owner,
}

/// A table, briefly.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaTable {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Declared outputs.
    pub outputs: Vec<OutputDoc>,
}

/// Everything a UI needs to render the checklist form.
#[derive(Debug, Clone, Serialize)]
pub struct Schema {
    /// Ruleset id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Title.
    pub title: String,
    /// Content hash.
    pub hash: String,
    /// Sections in order.
    pub sections: Vec<SchemaSection>,
    /// Facts in schema order.
    pub facts: Vec<SchemaFact>,
    /// Checklists.
    pub checklists: Vec<SchemaChecklist>,
    /// Requirements.
    pub requirements: Vec<SchemaRequirement>,
    /// Tables.
    pub tables: Vec<SchemaTable>,
}

impl Ruleset {
    /// The fact schema for user interfaces.
    #[must_use]
    pub fn schema(&self) -> Schema {
        let d = &self.doc;
        let ids = |v: &[usize], f: &dyn Fn(usize) -> Option<String>| {
            v.iter().filter_map(|&i| f(i)).collect()
        };
        Schema {
            id: d.id.clone(),
            version: d.version.clone(),
            title: d.title.clone(),
            hash: self.hash.clone(),
            sections: d
                .sections
                .iter()
                .map(|s| SchemaSection {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    description: s.description.clone(),
                })
                .collect(),
            facts: d
                .facts
                .iter()
                .map(|f| SchemaFact {
                    id: f.id.clone(),
                    kind: f.kind,
                    question: f.question.clone(),
                    help: f.help.clone(),
                    section: f.section.clone(),
                    options: f.options.clone(),
                    min: f.min,
                    max: f.max,
                    unit: f.unit.clone(),
                    asked_when: f.asked_when.clone(),
                })
                .collect(),
            checklists: d
                .checklists
                .iter()
                .zip(&self.plans)
                .map(|(doc, c)| SchemaChecklist {
                    id: doc.id.clone(),
                    title: doc.title.clone(),
                    description: doc.description.clone(),
                    question: doc.question.clone(),
                    verdicts: doc.verdicts.clone(),
                    requirements: ids(&c.reqs, &|i| d.requirements.get(i).map(|r| r.id.clone())),
                    tables: ids(&c.tables, &|i| d.tables.get(i).map(|t| t.id.clone())),
                    facts: ids(&c.facts, &|i| d.facts.get(i).map(|f| f.id.clone())),
                })
                .collect(),
            requirements: d
                .requirements
                .iter()
                .map(|r| SchemaRequirement {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    kind: r.kind,
                    owner: r.owner,
                })
                .collect(),
            tables: d
                .tables
                .iter()
                .map(|t| SchemaTable {
                    id: t.id.clone(),
                    title: t.title.clone(),
                    outputs: t.outputs.clone(),
                })
                .collect(),
        }
    }
}

write_fields!(SchemaSection { "id": id, "title": title, "description": description });
write_fields!(SchemaFact {
    "id": id,
    "type": kind,
    "question": question,
    "help": help,
    "section": section,
    "options": options,
    "min": min,
    "max": max,
    "unit": unit,
    "asked_when": asked_when,
});
write_fields!(SchemaChecklist {
    "id": id,
    "title": title,
    "description": description,
    "question": question,
    "verdicts": verdicts,
    "requirements": requirements,
    "tables": tables,
    "facts": facts,
});
write_fields!(SchemaRequirement { "id": id, "title": title, "kind": kind, "owner": owner });
write_fields!(SchemaTable { "id": id, "title": title, "outputs": outputs });
write_fields!(Schema {
    "id": id,
    "version": version,
    "title": title,
    "hash": hash,
    "sections": sections,
    "facts": facts,
    "checklists": checklists,
    "requirements": requirements,
    "tables": tables,
});
