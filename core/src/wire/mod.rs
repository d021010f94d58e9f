//! The ruleset wire model: the JSON document exactly as authored, before validation. Decoded
//! by the decoder (which collects located diagnostics) and serialised canonically for the
//! content hash. Conditions as written are in `condition.rs`.

mod canonical;
mod condition;

pub use crate::index::IdMap;
pub use condition::{CmpOp, ConditionDoc};

use crate::words::words;
use crate::write::json_struct;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// Where an item came from: the document (0 = base, n = overlay n) and its JSON path there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Origin {
    /// Index of the document: 0 for the base ruleset, 1.. for overlays in order.
    pub doc: usize,
    /// JSON path of the item within its document.
    pub path: String,
}

/// A whole ruleset or overlay document.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RulesetDoc {
    /// Format version (1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<u32>,
    /// Ruleset id.
    pub id: String,
    /// Ruleset version.
    pub version: String,
    /// Human title.
    pub title: String,
    /// Longer description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Date the rules take effect (informational).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_date: Option<String>,
    /// Base ruleset id, for overlays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Question groups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<SectionDoc>,
    /// The fact schema.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<FactDoc>,
    /// Named conditions.
    #[serde(skip_serializing_if = "IdMap::is_empty")]
    pub conditions: IdMap<NamedCondition>,
    /// Requirements.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<RequirementDoc>,
    /// Decision tables.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<TableDoc>,
    /// Checklists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checklists: Vec<ChecklistDoc>,
    /// Overlay: requirement overrides.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<OverrideDoc>,
    /// Overlay: rows inserted into base tables.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub table_rows: Vec<RowInsertDoc>,
    /// Overlay: items appended to base checklists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checklist_items: Vec<ChecklistAddDoc>,
    /// Overlay: the changes that weaken a safeguarding hold, a primary requirement or a table
    /// that gates blockers, each declared with a reason (an undeclared one is an error). In the
    /// merged document: every overlay's declarations, in the order the overlays were applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub safety_changes: Vec<SafetyChangeDoc>,
}

/// A named condition with its origin.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct NamedCondition {
    /// The condition.
    pub when: ConditionDoc,
    /// Where it was declared.
    #[serde(skip)]
    pub(crate) origin: Origin,
}

/// A question group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionDoc {
    /// Section id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Origin.
    #[serde(skip)]
    pub(crate) origin: Origin,
}

words! {
    /// The type of a fact.
    #[non_exhaustive]
    pub enum FactKind {
        /// `true` / `false`.
        Bool = "bool",
        /// One of a list of options.
        Enum = "enum",
        /// An integer in a range.
        Int = "int",
        /// Any subset of a list of options.
        Set = "set",
        /// A calendar date, `YYYY-MM-DD`.
        Date = "date",
    }
}

/// An option of an `enum` or `set` fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionDoc {
    /// Option id.
    pub id: String,
    /// Label shown to staff.
    pub label: String,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// A fact declaration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactDoc {
    /// Fact id.
    pub id: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: FactKind,
    /// Question text.
    pub question: String,
    /// Help text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Section id.
    pub section: String,
    /// Options (`enum`, `set`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<OptionDoc>>,
    /// Minimum (`int`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Maximum (`int`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Unit label (`int`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// When the question is relevant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asked_when: Option<ConditionDoc>,
    /// Origin.
    #[serde(skip)]
    pub(crate) origin: Origin,
}

words! {
    /// Kind of requirement.
    #[non_exhaustive]
    pub enum Kind {
        /// Stops discharge while not met.
        Blocker = "blocker",
        /// Shown, never blocks.
        Advisory = "advisory",
        /// A blocker only its own `met_when` clears; listed first.
        SafeguardingHold = "safeguarding_hold",
    }
}

impl Kind {
    /// Whether a requirement of this kind decides the verdict (blockers and holds), rather
    /// than being shown as advice.
    #[must_use]
    pub const fn counts_toward_verdict(self) -> bool {
        match self {
            Kind::Blocker | Kind::SafeguardingHold => true,
            Kind::Advisory => false,
        }
    }
}

words! {
    /// Who must act.
    #[non_exhaustive]
    pub enum Owner {
        /// The NHS (hospital, community health, GP).
        Nhs = "nhs",
        /// Adult social care.
        SocialCare = "social_care",
        /// Jointly health and social care.
        Joint = "joint",
        /// Housing (district council, housing authority).
        Housing = "housing",
        /// The patient, their family or carers.
        PatientFamily = "patient_family",
    }
}

words! {
    /// DTOC-style attribution of a delay.
    #[non_exhaustive]
    pub enum Attribution {
        /// Attributable to the NHS.
        Nhs = "nhs",
        /// Attributable to social care.
        SocialCare = "social_care",
        /// Attributable to both.
        Joint = "joint",
    }
}

impl Owner {
    /// The attribution used when a requirement does not state one.
    #[must_use]
    pub const fn default_attribution(self) -> Attribution {
        match self {
            Owner::Nhs => Attribution::Nhs,
            Owner::SocialCare | Owner::Housing => Attribution::SocialCare,
            Owner::Joint | Owner::PatientFamily => Attribution::Joint,
        }
    }
}

words! {
    /// Delay reason categories (groupings of the NHS England discharge delay reasons).
    #[non_exhaustive]
    pub enum DelayCategory {
        /// Awaiting an assessment (Care Act, therapy, CHC, capacity).
        AwaitingAssessment = "awaiting_assessment",
        /// Awaiting a package of care at home (pathway 1).
        AwaitingCarePackageHome = "awaiting_care_package_home",
        /// Awaiting a community bed (pathway 2).
        AwaitingCommunityBed = "awaiting_community_bed",
        /// Awaiting a care home placement (pathway 3).
        AwaitingCareHome = "awaiting_care_home",
        /// Awaiting equipment or adaptations.
        AwaitingEquipmentAdaptations = "awaiting_equipment_adaptations",
        /// Housing or homelessness.
        HousingHomelessness = "housing_homelessness",
        /// Patient or family choice.
        PatientFamilyChoice = "patient_family_choice",
        /// Safeguarding or legal process.
        SafeguardingLegal = "safeguarding_legal",
        /// Dispute about funding.
        FundingDispute = "funding_dispute",
        /// Awaiting transport.
        AwaitingTransport = "awaiting_transport",
        /// Awaiting medicines to take out.
        AwaitingMedicinesTto = "awaiting_medicines_tto",
        /// Awaiting a medical decision or discharge summary.
        AwaitingMedicalDecisionOrSummary = "awaiting_medical_decision_or_summary",
        /// Still meets a criterion to reside: a clinical reason, not a delay.
        Clinical = "clinical",
    }
}

json_struct! {
    /// A source citation.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
    pub struct Citation {
        /// A source file name or public URL.
        pub source: String,
        /// Which part of the source.
        pub note: Option<String> = skip_none,
    }
}

/// A requirement as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementDoc {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kind.
    pub kind: Kind,
    /// Owner.
    pub owner: Owner,
    /// Attribution (derived from the owner when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Attribution>,
    /// Delay category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_category: Option<DelayCategory>,
    /// Whether a `not_met` status is reported as the primary cause.
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    pub primary: bool,
    /// When it applies (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applies_when: Option<ConditionDoc>,
    /// When it is met.
    pub met_when: ConditionDoc,
    /// What to do next.
    pub action: String,
    /// Who to refer to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<String>,
    /// Source.
    pub citation: Citation,
    /// Origin.
    #[serde(skip)]
    pub(crate) origin: Origin,
}

/// A declared table output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputDoc {
    /// The value.
    pub value: OutputValue,
    /// Label.
    pub label: String,
}

/// A decision table output value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum OutputValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
}

impl OutputValue {
    /// The output for a JSON scalar (integer, string or boolean).
    #[must_use]
    pub fn from_json(v: &crate::value::Value) -> Option<OutputValue> {
        match v {
            crate::value::Value::Bool(b) => Some(OutputValue::Bool(*b)),
            crate::value::Value::String(s) => Some(OutputValue::Str(s.clone())),
            crate::value::Value::Number(n) => n.as_i64().map(OutputValue::Int),
            _ => None,
        }
    }
}

/// A table row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowDoc {
    /// When the row hits.
    pub when: ConditionDoc,
    /// Its output.
    pub output: OutputValue,
    /// Note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Source.
    pub citation: Citation,
    /// Origin.
    #[serde(skip)]
    pub(crate) origin: Origin,
}

/// A decision table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableDoc {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Hit policy (`first`).
    pub hit: String,
    /// Declared outputs.
    pub outputs: Vec<OutputDoc>,
    /// Rows.
    pub rows: Vec<RowDoc>,
    /// Output when no row hits.
    pub default: OutputValue,
    /// Source for the table and its default.
    pub citation: Citation,
    /// Origin.
    #[serde(skip)]
    pub(crate) origin: Origin,
}

/// How a checklist words its three verdicts for its users (a paramedic's "can stay at home
/// tonight" is a ward's "ready for discharge").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerdictWords {
    /// The verdict `ready`, in the checklist's words.
    pub ready: String,
    /// The verdict `not_ready`, in the checklist's words.
    pub not_ready: String,
    /// The verdict `undetermined`, in the checklist's words.
    pub undetermined: String,
}

/// A checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistDoc {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The question this checklist answers for its user, e.g. "Can this person stay at home
    /// safely tonight?".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The verdicts in the user's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdicts: Option<VerdictWords>,
    /// Requirement ids.
    pub requirements: Vec<String>,
    /// Table ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<String>,
    /// Origin.
    #[serde(skip)]
    pub(crate) origin: Origin,
}

/// An overlay override of a base requirement's text or owner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverrideDoc {
    /// Requirement id.
    pub requirement: String,
    /// New action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// New owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// New referral.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<String>,
    /// New attribution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Attribution>,
    /// New citation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<Citation>,
    /// Origin.
    #[serde(skip)]
    pub(crate) origin: Origin,
}

words! {
    /// Where overlay rows go in a base table.
    #[non_exhaustive]
    pub enum Position {
        /// Before the base rows (they win under first hit).
        Start = "start",
        /// After the base rows.
        End = "end",
    }
}

/// Overlay rows for a base table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowInsertDoc {
    /// Table id.
    pub table: String,
    /// Where.
    pub position: Position,
    /// Rows.
    pub rows: Vec<RowDoc>,
    /// Origin.
    #[serde(skip)]
    pub(crate) origin: Origin,
}

/// Overlay items for a base checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistAddDoc {
    /// Checklist id.
    pub checklist: String,
    /// Requirement ids to append.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
    /// Table ids to append.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<String>,
    /// Origin.
    #[serde(skip)]
    pub(crate) origin: Origin,
}

words! {
    /// A change an overlay makes that can weaken safety, which it must declare with a reason.
    #[non_exhaustive]
    pub enum SafetyChangeKind {
        /// `overrides` replaces the `action` of a safeguarding hold or a primary requirement.
        OverrideAction = "override_action",
        /// `overrides` replaces the `owner` of a safeguarding hold or a primary requirement.
        OverrideOwner = "override_owner",
        /// `overrides` replaces the `referral` of a safeguarding hold or a primary requirement.
        OverrideReferral = "override_referral",
        /// `table_rows` puts rows before the base rows of a table that a blocker or a
        /// safeguarding hold reads (under first hit they win over the base rows).
        RowsAtStart = "rows_at_start",
        /// A checklist the overlay adds leaves out a safeguarding hold.
        ChecklistWithoutHold = "checklist_without_hold",
        /// A checklist the overlay adds carries the primary (clinical) requirements of no base
        /// checklist: it leaves out a primary requirement of the base checklist closest to it.
        ChecklistWithoutPrimary = "checklist_without_primary",
    }
}

/// A declared safety change of an overlay: what it changes, where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SafetyChangeDoc {
    /// The overlay that makes the change (its id; set from the overlay's `id`).
    pub overlay: String,
    /// What kind of change.
    pub change: SafetyChangeKind,
    /// The requirement changed (overrides) or left out (`checklist_without_hold`,
    /// `checklist_without_primary`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    /// The table whose rows come first (`rows_at_start`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The checklist that leaves the hold or primary requirement out
    /// (`checklist_without_hold`, `checklist_without_primary`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checklist: Option<String>,
    /// Why the change is safe locally (required, not empty).
    pub reason: String,
    /// Origin.
    #[serde(skip)]
    pub(crate) origin: Origin,
}

impl SafetyChangeDoc {
    /// Whether this declaration covers `change` of `target` (`(requirement, table,
    /// checklist)`).
    pub(crate) fn covers(
        &self,
        change: SafetyChangeKind,
        target: (Option<&str>, Option<&str>, Option<&str>),
    ) -> bool {
        self.change == change
            && self.requirement.as_deref() == target.0
            && self.table.as_deref() == target.1
            && self.checklist.as_deref() == target.2
    }
}

impl crate::write::WriteJson for OutputValue {
    fn write_json(&self, out: &mut String) {
        match self {
            OutputValue::Bool(b) => b.write_json(out),
            OutputValue::Int(i) => i.write_json(out),
            OutputValue::Str(s) => s.write_json(out),
        }
    }
}
