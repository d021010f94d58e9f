//! The report: plain data describing one patient's discharge readiness for one checklist.
//! Each type is declared once (with the crate's `json_struct!`): its serde form and the fast
//! writer both come from the declaration, fields in a fixed order, so the same input gives the
//! same bytes everywhere.

use crate::date::Date;
use crate::wire::{
    Attribution, Citation, DelayCategory, Kind, OutputValue, Owner, SafetyChangeKind,
};
use crate::words::{words, Word};
use crate::write::{json_struct, WriteJson};
use alloc::string::String;
use alloc::vec::Vec;
use core::marker::PhantomData;

words! {
    /// The overall answer.
    #[non_exhaustive]
    pub enum Verdict {
        /// Every blocker and safeguarding hold is met or not applicable.
        Ready = "ready",
        /// At least one blocker or safeguarding hold is not met.
        NotReady = "not_ready",
        /// Not yet known: some are unknown and none is not met.
        Undetermined = "undetermined",
    }
}

words! {
    /// A requirement's status for this patient.
    #[non_exhaustive]
    pub enum Status {
        /// Met (and cannot block whatever is answered next).
        Met = "met",
        /// Applies and is not met.
        NotMet = "not_met",
        /// Not yet known.
        Unknown = "unknown",
        /// Does not apply.
        NotApplicable = "not_applicable",
    }
}

impl Status {
    /// Met or not applicable.
    #[must_use]
    pub fn is_clear(self) -> bool {
        matches!(self, Status::Met | Status::NotApplicable)
    }
}

words! {
    /// Whether a decision is decided.
    #[non_exhaustive]
    pub enum DecisionStatus {
        /// One output whatever the unknown facts turn out to be.
        Decided = "decided",
        /// More than one output still possible.
        Undetermined = "undetermined",
    }
}

json_struct! {
    /// The ruleset a report came from.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
    pub struct RulesetRef {
        /// Ruleset id.
        pub id: String,
        /// Ruleset version.
        pub version: String,
        /// Content hash.
        pub hash: String,
    }
}

json_struct! {
    /// Counts for a summary line.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
    pub struct Summary {
        /// Blockers and holds not met.
        pub outstanding: u32,
        /// Blockers and holds unknown.
        pub unknown: u32,
        /// Questions to ask next.
        pub open_questions: u32,
    }
}

json_struct! {
    /// A blocker, hold or advisory with everything needed to act on it.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
    pub struct Item {
        /// Requirement id.
        pub id: String,
        /// Title.
        pub title: String,
        /// Kind.
        pub kind: Kind,
        /// Status (`not_met` or `unknown`).
        pub status: Status,
        /// Who must act.
        pub owner: Owner,
        /// DTOC-style attribution.
        pub attribution: Attribution,
        /// Delay reason category.
        pub delay_category: Option<DelayCategory>,
        /// Whether this is a primary (clinical) requirement.
        pub primary: bool,
        /// What to do next.
        pub action: String,
        /// Who to refer to.
        pub referral: Option<String>,
        /// Source.
        pub citation: Citation,
        /// The facts that decided the status (for `unknown`: those that keep it open).
        pub decided_by: Vec<String>,
    }
}

json_struct! {
    /// One requirement's status.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
    pub struct RequirementResult {
        /// Requirement id.
        pub id: String,
        /// Kind.
        pub kind: Kind,
        /// Status.
        pub status: Status,
        /// The facts that decided it.
        pub decided_by: Vec<String>,
    }
}

json_struct! {
    /// One decision table's outcome.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
    #[non_exhaustive]
    pub struct Decision {
        /// Table id.
        pub id: String,
        /// Title.
        pub title: String,
        /// Decided or undetermined.
        pub status: DecisionStatus,
        /// The output, when decided.
        pub output: Option<OutputValue>,
        /// The output's label, when decided.
        pub label: Option<String>,
        /// The row that hit (`None` for the default, when undetermined, or when decided by
        /// agreement of every still-possible row).
        pub row: Option<u32>,
        /// The facts read by the deciding rows.
        pub decided_by: Vec<String>,
        /// The facts that would decide it.
        pub open_questions: Vec<String>,
    }
}

/// Counts keyed by a closed set of words (owners, attributions): a read-only map from each
/// word to its count, holding only the words counted at least once and iterating them in
/// declaration order (the order of a `BTreeMap` over the enum). Written as a JSON object
/// (`{"nhs":2,"joint":1}`), exactly as the `BTreeMap` it replaces. An array indexed by the
/// word: no map code in the WASM build.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Tally<K> {
    counts: [u32; TALLY_WORDS],
    words: PhantomData<K>,
}

/// The most words a [`Tally`] counts (checked below for each enum it is used with).
const TALLY_WORDS: usize = 8;
const _: () = assert!(Owner::WORDS.len() <= TALLY_WORDS);
const _: () = assert!(Attribution::WORDS.len() <= TALLY_WORDS);

impl<K> Default for Tally<K> {
    fn default() -> Self {
        Tally {
            counts: [0; TALLY_WORDS],
            words: PhantomData,
        }
    }
}

impl<K: Word> Tally<K> {
    /// The count for `k`, if it was counted at least once.
    #[must_use]
    pub fn get(&self, k: &K) -> Option<&u32> {
        self.iter().find(|(w, _)| *w == k).map(|(_, n)| n)
    }

    /// How many words were counted at least once.
    #[must_use]
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether nothing was counted.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each word counted at least once, with its count, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static K, &u32)> + '_ {
        K::WORDS
            .iter()
            .zip(self.counts.iter())
            .filter(|(_, n)| **n > 0)
            .map(|((_, k), n)| (k, n))
    }

    /// Counts `k` once more.
    pub(crate) fn add(&mut self, k: K) {
        let at = K::WORDS.iter().position(|(_, w)| *w == k);
        if let Some(n) = at.and_then(|i| self.counts.get_mut(i)) {
            *n = n.saturating_add(1);
        }
    }
}

impl<K: Word + core::fmt::Debug> core::fmt::Debug for Tally<K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Word> WriteJson for Tally<K> {
    fn write_json(&self, out: &mut String) {
        crate::write::counts(out, &mut K::WORDS.iter().map(|(w, _)| *w), &self.counts);
    }
}

impl<K: Word> serde::Serialize for Tally<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter().map(|(k, n)| (k.word(), n)))
    }
}

impl<'de, K: Word + Ord + serde::Deserialize<'de>> serde::Deserialize<'de> for Tally<K> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = alloc::collections::BTreeMap::<K, u32>::deserialize(d)?;
        let mut tally = Tally::default();
        for (k, n) in map {
            if let Some(at) = K::WORDS.iter().position(|(_, w)| *w == k) {
                if let Some(c) = tally.counts.get_mut(at) {
                    *c = n;
                }
            }
        }
        Ok(tally)
    }
}

impl<'a, K: Word> IntoIterator for &'a Tally<K> {
    type Item = (&'static K, &'a u32);
    type IntoIter = alloc::boxed::Box<dyn Iterator<Item = (&'static K, &'a u32)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        alloc::boxed::Box::new(self.iter())
    }
}

json_struct! {
    /// Outstanding causes counted by owner and by attribution.
    #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
    pub struct AttributionCounts {
        /// Count by owner.
        pub by_owner: Tally<Owner>,
        /// Count by DTOC-style attribution.
        pub by_attribution: Tally<Attribution>,
    }
}

json_struct! {
    /// A question to ask next.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
    pub struct OpenQuestion {
        /// Fact id.
        pub fact: String,
        /// The question.
        pub question: String,
        /// Its section.
        pub section: String,
        /// The blockers and safeguarding holds whose status it could change.
        pub affects: Vec<String>,
    }
}

json_struct! {
    /// A change to safety that an overlay of the ruleset made and declared with a reason
    /// (docs/ruleset-format.md, "Safety changes"): listed on every report under that overlay.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
    pub struct SafetyChange {
        /// The overlay that made it.
        pub overlay: String,
        /// What kind of change.
        pub change: SafetyChangeKind,
        /// The requirement changed, or the hold or primary requirement a checklist leaves out.
        pub requirement: Option<String> = skip_none,
        /// The table whose new rows come before its base rows.
        pub table: Option<String> = skip_none,
        /// The checklist that leaves a hold or a primary requirement out.
        pub checklist: Option<String> = skip_none,
        /// Why, in the overlay's words.
        pub reason: String,
    }
}

impl core::fmt::Display for SafetyChange {
    /// The change in words, with its reason, e.g. "overlay `local` replaces the owner of
    /// `domestic_abuse` (reason: …)": one wording for the text report, the CDS cards and logs.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = |o: &Option<String>| o.clone().unwrap_or_default();
        let (req, table, list) = (
            name(&self.requirement),
            name(&self.table),
            name(&self.checklist),
        );
        let what = match self.change {
            SafetyChangeKind::OverrideAction => alloc::format!("replaces the action of `{req}`"),
            SafetyChangeKind::OverrideOwner => alloc::format!("replaces the owner of `{req}`"),
            SafetyChangeKind::OverrideReferral => {
                alloc::format!("replaces the referral of `{req}`")
            }
            SafetyChangeKind::RowsAtStart => {
                alloc::format!("puts rows before the base rows of table `{table}`")
            }
            SafetyChangeKind::ChecklistWithoutHold => {
                alloc::format!("leaves the safeguarding hold `{req}` out of checklist `{list}`")
            }
            SafetyChangeKind::ChecklistWithoutPrimary => alloc::format!(
                "leaves the primary (clinical) requirement `{req}` out of checklist `{list}`"
            ),
        };
        write!(
            f,
            "overlay `{}` {what} (reason: {})",
            self.overlay, self.reason
        )
    }
}

impl SafetyChange {
    /// The declaration as reported.
    pub(crate) fn of(d: &crate::wire::SafetyChangeDoc) -> Self {
        SafetyChange {
            overlay: d.overlay.clone(),
            change: d.change,
            requirement: d.requirement.clone(),
            table: d.table.clone(),
            checklist: d.checklist.clone(),
            reason: d.reason.clone(),
        }
    }
}

json_struct! {
    /// One patient's discharge-readiness report.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
    #[non_exhaustive]
    pub struct Report {
        /// Report format version (1).
        pub format: u32,
        /// Ruleset id, version and hash.
        pub ruleset: RulesetRef,
        /// Changes to safeguarding holds, primary requirements or blocker-gating tables that
        /// the ruleset's overlays declared (left out when there are none).
        pub safety_changes: Vec<SafetyChange> = skip_none,
        /// The checklist evaluated (`*` = all).
        pub checklist: String,
        /// The date the answers were assessed on (`null`: none given; comparisons with it
        /// were unknown).
        pub as_of: Option<Date>,
        /// Ready, not ready or undetermined.
        pub verdict: Verdict,
        /// Counts.
        pub summary: Summary,
        /// The requirements that cause a `not_ready` verdict.
        pub causes: Vec<String>,
        /// Blockers and holds not met or unknown; holds first.
        pub blockers: Vec<Item>,
        /// Advisories that apply or may apply.
        pub advisories: Vec<Item>,
        /// Every requirement of the checklist.
        pub requirements: Vec<RequirementResult>,
        /// Every table of the checklist.
        pub decisions: Vec<Decision>,
        /// Causes by owner and attribution.
        pub attribution: AttributionCounts,
        /// Questions to ask next, minimal and ordered: only those that could change the
        /// verdict, a blocker or a hold.
        pub open_questions: Vec<OpenQuestion>,
        /// Facts whose question is not relevant now (`asked_when` is false).
        pub hidden_facts: Vec<String>,
    }
}

impl Report {
    /// The report as compact JSON (deterministic byte for byte).
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(4096);
        self.write_json(&mut out);
        out
    }

    /// Appends the report as compact JSON (the same bytes as serde_json's `to_string`).
    pub fn write_json(&self, out: &mut String) {
        WriteJson::write_json(self, out);
    }

    /// The status of a requirement, if the checklist has it.
    #[must_use]
    pub fn status(&self, requirement: &str) -> Option<Status> {
        self.requirements
            .iter()
            .find(|r| r.id == requirement)
            .map(|r| r.status)
    }

    /// The decision for a table, if the checklist has it.
    #[must_use]
    pub fn decision(&self, table: &str) -> Option<&Decision> {
        self.decisions.iter().find(|d| d.id == table)
    }
}
