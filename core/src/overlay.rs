//! Overlay merge: a local ruleset `extends` a base by id, adding items and overriding text,
//! owners and referrals. Overlays are applied in order of their id, so the merged content (and
//! its hash) never depends on the order they were given in.
//!
//! No silent weakening: a change that can weaken a safeguarding hold, a primary requirement or
//! a table that gates blockers (an override of their action, owner or referral; rows before
//! the base rows; a new checklist without a hold, or without the primary requirements of every
//! base checklist) is an error unless the overlay declares it
//! under `safety_changes` with a reason, and a declaration of a change it does not make is an
//! error too. The declarations go into the merged document, and every report lists them.

use crate::diagnostic::{Code, Diagnostic};
use crate::index::IdIndex;
use crate::wire::{
    ChecklistDoc, ConditionDoc, Kind, Position, RequirementDoc, RulesetDoc, SafetyChangeDoc,
    SafetyChangeKind,
};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

fn err(doc: &RulesetDoc, code: Code, path: &str, msg: String) -> Diagnostic {
    in_doc(
        doc.extends.as_ref().map(|_| doc.id.as_str()),
        code,
        path,
        msg,
    )
}

fn in_doc(doc: Option<&str>, code: Code, path: &str, msg: String) -> Diagnostic {
    let mut d = Diagnostic::error(code, path, msg);
    d.document = doc.map(String::from);
    d
}

/// Checks a base ruleset carries no overlay-only fields.
pub(crate) fn check_base(base: &RulesetDoc, diags: &mut Vec<Diagnostic>) {
    if base.extends.is_some() {
        diags.push(
            err(
                base,
                Code::NotAnOverlay,
                "$.extends",
                format!(
                    "`{}` extends another ruleset; load it as an overlay",
                    base.id
                ),
            )
            .with_help("give the base ruleset first and this document as an overlay"),
        );
    }
    let only = [
        (!base.overrides.is_empty(), "$.overrides"),
        (!base.table_rows.is_empty(), "$.table_rows"),
        (!base.checklist_items.is_empty(), "$.checklist_items"),
        (!base.safety_changes.is_empty(), "$.safety_changes"),
    ];
    for (present, path) in only {
        if present {
            diags.push(Diagnostic::error(
                Code::NotAnOverlay,
                path,
                "overlay-only field in a ruleset without `extends`",
            ));
        }
    }
}

/// Merges `overlays` into `base`, reporting dangling targets. The documents' `origin.doc`
/// indices must already distinguish them.
pub(crate) fn merge(
    mut base: RulesetDoc,
    mut overlays: Vec<RulesetDoc>,
    diags: &mut Vec<Diagnostic>,
) -> RulesetDoc {
    // By id; overlays with the same id keep the order given (an insertion after every
    // overlay whose id sorts the same or earlier: stable, and there are only a few).
    let mut order: Vec<RulesetDoc> = Vec::with_capacity(overlays.len());
    for ov in overlays.drain(..) {
        let at = order.iter().take_while(|o| o.id <= ov.id).count();
        order.insert(at, ov);
    }
    let modes = Mode::of(&base);
    for ov in order {
        apply(&mut base, ov, &modes, diags);
    }
    base
}

fn apply(base: &mut RulesetDoc, ov: RulesetDoc, modes: &[Mode], diags: &mut Vec<Diagnostic>) {
    match &ov.extends {
        Some(e) if *e == base.id || base.id.split('+').next() == Some(e.as_str()) => {}
        Some(e) => {
            diags.push(err(
                &ov,
                Code::ExtendsMismatch,
                "$.extends",
                format!("overlay extends `{e}` but the base is `{}`", base.id),
            ));
            return;
        }
        None => {
            // Given as an overlay, so its diagnostics name it even without `extends`.
            diags.push(in_doc(
                Some(ov.id.as_str()),
                Code::NotAnOverlay,
                "$",
                format!("`{}` has no `extends`; it is not an overlay", ov.id),
            ));
            return;
        }
    }
    let name = ov.id.clone();
    let me = Some(name.as_str());
    if base.id.split('+').any(|part| part == ov.id) {
        diags.push(
            in_doc(
                me,
                Code::DuplicateId,
                "$.id",
                format!(
                    "overlay id `{}` is already an id of the ruleset `{}`",
                    ov.id, base.id
                ),
            )
            .with_help("give the overlay its own id: the merged id is `base+overlay`"),
        );
        return;
    }
    let mut declared = Declared::new(&ov.safety_changes, me);
    base.id = format!("{}+{}", base.id, ov.id);
    base.version = format!("{}+{}", base.version, ov.version);
    base.title = format!("{} · {}", base.title, ov.title);
    base.sections.extend(ov.sections);
    base.facts.extend(ov.facts);
    // One insert per overlay condition: a shift of the base's later conditions each, which
    // is quadratic only for an overlay of thousands of conditions interleaved with as many in
    // the base (a merging pass cost 346 B of the `.wasm`).
    for (name, c) in ov.conditions {
        if base.conditions.contains_key(&name) {
            let msg = format!("named condition `{name}` is already declared by the base");
            diags.push(in_doc(me, Code::DuplicateId, &c.origin.path, msg).with_rule(name));
        } else {
            base.conditions.insert(name, c);
        }
    }
    base.requirements.extend(ov.requirements);
    base.tables.extend(ov.tables);
    let first_new = base.checklists.len();
    base.checklists.extend(ov.checklists);
    for o in ov.overrides {
        let Some(r) = base.requirements.iter_mut().find(|r| r.id == o.requirement) else {
            let path = format!("{}.requirement", o.origin.path);
            diags.push(in_doc(
                me,
                Code::UnknownRequirement,
                &path,
                format!("override of unknown requirement `{}`", o.requirement),
            ));
            continue;
        };
        if guarded(r) {
            let changes = [
                (
                    SafetyChangeKind::OverrideAction,
                    "action",
                    o.action.as_ref().is_some_and(|a| *a != r.action),
                ),
                (
                    SafetyChangeKind::OverrideOwner,
                    "owner",
                    o.owner.is_some_and(|w| w != r.owner),
                ),
                (
                    SafetyChangeKind::OverrideReferral,
                    "referral",
                    o.referral.is_some() && o.referral != r.referral,
                ),
            ];
            for (change, field, made) in changes {
                if made {
                    let at = format!("{}.{field}", o.origin.path);
                    let what = format!(
                        "the override replaces the {field} of {} `{}`",
                        guarded_kind(r),
                        r.id
                    );
                    declared.need(change, (Some(&r.id), None, None), &at, &what, diags);
                }
            }
        }
        if let Some(a) = o.action {
            r.action = a;
        }
        if let Some(a) = o.owner {
            r.owner = a;
        }
        if let Some(a) = o.referral {
            r.referral = Some(a);
        }
        if let Some(a) = o.attribution {
            r.attribution = Some(a);
        }
        if let Some(a) = o.citation {
            r.citation = a;
        }
    }
    let gating = if ov
        .table_rows
        .iter()
        .any(|i| i.position == Position::Start && !i.rows.is_empty())
    {
        tables_read_by_blockers(base)
    } else {
        IdIndex::default()
    };
    for ins in ov.table_rows {
        if ins.position == Position::Start && !ins.rows.is_empty() && gating.contains(&ins.table) {
            let what = format!(
                "rows are put before the base rows of table `{}`, which a blocker or a \
                 safeguarding hold reads: under first hit they can switch its blockers off",
                ins.table
            );
            let at = format!("{}.position", ins.origin.path);
            let target = (None, Some(ins.table.as_str()), None);
            declared.need(SafetyChangeKind::RowsAtStart, target, &at, &what, diags);
        }
        let Some(t) = base.tables.iter_mut().find(|t| t.id == ins.table) else {
            let path = format!("{}.table", ins.origin.path);
            diags.push(in_doc(
                me,
                Code::UnknownTable,
                &path,
                format!("rows for unknown table `{}`", ins.table),
            ));
            continue;
        };
        match ins.position {
            Position::Start => {
                let mut rows = ins.rows;
                rows.append(&mut t.rows);
                t.rows = rows;
            }
            Position::End => t.rows.extend(ins.rows),
        }
    }
    for add in ov.checklist_items {
        let Some(c) = base.checklists.iter_mut().find(|c| c.id == add.checklist) else {
            let path = format!("{}.checklist", add.origin.path);
            diags.push(in_doc(
                me,
                Code::UnknownChecklist,
                &path,
                format!("items for unknown checklist `{}`", add.checklist),
            ));
            continue;
        };
        for r in add.requirements {
            if !c.requirements.contains(&r) {
                c.requirements.push(r);
            }
        }
        for t in add.tables {
            if !c.tables.contains(&t) {
                c.tables.push(t);
            }
        }
    }
    // The overlay's own checklists as merged, items added by `checklist_items` included.
    let (old_lists, new_lists) = base
        .checklists
        .split_at_checked(first_new)
        .unwrap_or_default();
    for list in new_lists {
        // A checklist that redefines one already there is a `DUPLICATE_ID` (at compile), not
        // a safety change to declare.
        if !old_lists.iter().any(|c| c.id == list.id) {
            guard_new_checklist(base, list, modes, &mut declared, diags);
        }
    }
    declared.finish(diags);
    base.safety_changes.extend(ov.safety_changes);
}

/// A checklist of the base ruleset (before any overlay), with the primary (clinical)
/// requirements it carries: the clinical guard of one mode of use.
struct Mode {
    id: String,
    requirements: Vec<String>,
    primaries: Vec<String>,
}

impl Mode {
    fn of(base: &RulesetDoc) -> Vec<Mode> {
        let primary = |id: &String| base.requirements.iter().any(|r| r.id == *id && r.primary);
        base.checklists
            .iter()
            .map(|c| Mode {
                id: c.id.clone(),
                requirements: c.requirements.clone(),
                primaries: c
                    .requirements
                    .iter()
                    .filter(|r| primary(r))
                    .cloned()
                    .collect(),
            })
            .collect()
    }
}

/// The checks on a checklist an overlay adds (`list`, as merged):
/// - it carries every safeguarding hold (of the base or the overlays), else
///   `checklist_without_hold` for each hold left out;
/// - it carries every primary requirement of at least one base checklist (it is at least as
///   clinically guarded as some mode of the base), else `checklist_without_primary` for each
///   primary it leaves out of the base checklist closest to it: the one sharing the most
///   requirements with it (on a tie, the one with the fewest primaries left out, then the
///   first in the base).
fn guard_new_checklist(
    base: &RulesetDoc,
    list: &ChecklistDoc,
    modes: &[Mode],
    declared: &mut Declared<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    let holds: Vec<&str> = base
        .requirements
        .iter()
        .filter(|r| r.kind == Kind::SafeguardingHold)
        .map(|r| r.id.as_str())
        .collect();
    let at = format!("{}.requirements", list.origin.path);
    let has = |id: &String| list.requirements.contains(id);
    for hold in holds
        .iter()
        .filter(|h| !list.requirements.iter().any(|r| r == *h))
    {
        let what = format!(
            "checklist `{}` leaves out the safeguarding hold `{hold}`",
            list.id
        );
        let target = (Some(*hold), None, Some(list.id.as_str()));
        declared.need(
            SafetyChangeKind::ChecklistWithoutHold,
            target,
            &at,
            &what,
            diags,
        );
    }
    if modes.iter().any(|m| m.primaries.iter().all(has)) {
        return;
    }
    // No mode is covered, so there is at least one mode; the closest one names what is
    // missing. `max_by_key` keeps the last of equals, so iterate in reverse for the first.
    let closest = modes.iter().rev().max_by_key(|m| {
        let shared = m.requirements.iter().filter(|r| has(r)).count();
        let missing = m.primaries.iter().filter(|r| !has(r)).count();
        (shared, core::cmp::Reverse(missing))
    });
    let Some(mode) = closest else { return };
    for primary in mode.primaries.iter().filter(|r| !has(r)) {
        let what = format!(
            "checklist `{}` leaves out the primary (clinical) requirement `{primary}` of \
             `{}`, the base checklist closest to it: a new checklist carries every primary \
             requirement of at least one base checklist",
            list.id, mode.id
        );
        let target = (Some(primary.as_str()), None, Some(list.id.as_str()));
        declared.need(
            SafetyChangeKind::ChecklistWithoutPrimary,
            target,
            &at,
            &what,
            diags,
        );
    }
}

/// Whether changing a requirement's text or owner can weaken safety: a safeguarding hold or a
/// primary (clinical) requirement.
fn guarded(r: &RequirementDoc) -> bool {
    r.kind == Kind::SafeguardingHold || r.primary
}

fn guarded_kind(r: &RequirementDoc) -> &'static str {
    if r.kind == Kind::SafeguardingHold {
        "the safeguarding hold"
    } else {
        "the primary requirement"
    }
}

/// An overlay's declared safety changes, and which of them a change was found for.
struct Declared<'a> {
    list: &'a [SafetyChangeDoc],
    used: Vec<bool>,
    doc: Option<&'a str>,
}

impl<'a> Declared<'a> {
    fn new(list: &'a [SafetyChangeDoc], doc: Option<&'a str>) -> Self {
        Declared {
            list,
            used: alloc::vec![false; list.len()],
            doc,
        }
    }

    /// A change was made: it must be declared, else `UNDECLARED_SAFETY_CHANGE` at `at`.
    fn need(
        &mut self,
        change: SafetyChangeKind,
        target: (Option<&str>, Option<&str>, Option<&str>),
        at: &str,
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) {
        let found = self.list.iter().position(|d| d.covers(change, target));
        if let Some(slot) = found.and_then(|i| self.used.get_mut(i)) {
            *slot = true;
            return;
        }
        let (req, table, list) = target;
        let mut example = format!("{{\"change\": \"{}\"", change.as_str());
        for (key, v) in [("requirement", req), ("table", table), ("checklist", list)] {
            if let Some(v) = v {
                example.push_str(&format!(", \"{key}\": \"{v}\""));
            }
        }
        example.push_str(", \"reason\": \"…\"}");
        let rule = req.or(table).unwrap_or_default();
        diags.push(
            in_doc(
                self.doc,
                Code::UndeclaredSafetyChange,
                at,
                format!("{what}; the overlay does not declare this change"),
            )
            .with_rule(rule)
            .with_help(format!(
                "undo the change, or declare it with the reason it is safe locally under \
                 `safety_changes`: {example}"
            )),
        );
    }

    /// Every declaration must match a change the overlay makes: `UNUSED_SAFETY_CHANGE`.
    fn finish(self, diags: &mut Vec<Diagnostic>) {
        for (d, used) in self.list.iter().zip(self.used) {
            if !used {
                let target = d
                    .requirement
                    .as_deref()
                    .or(d.table.as_deref())
                    .unwrap_or_default();
                diags.push(
                    in_doc(
                        self.doc,
                        Code::UnusedSafetyChange,
                        &d.origin.path,
                        format!(
                            "`{}` of `{target}` is declared but the overlay makes no such change",
                            d.change.as_str()
                        ),
                    )
                    .with_rule(target),
                );
            }
        }
    }
}

/// The ids of the tables that a blocker or a safeguarding hold reads, directly or through
/// named conditions and other tables.
fn tables_read_by_blockers(doc: &RulesetDoc) -> IdIndex {
    // Sets as id indices (positions unused): the type the ruleset's indices already use, so
    // the check adds no B-tree code to the `.wasm`.
    let mut tables = IdIndex::default();
    let mut refs = IdIndex::default();
    let mut todo: Vec<&ConditionDoc> = Vec::new();
    for r in doc
        .requirements
        .iter()
        .filter(|r| r.kind.counts_toward_verdict())
    {
        todo.extend(r.applies_when.as_ref());
        todo.push(&r.met_when);
    }
    while let Some(c) = todo.pop() {
        match c {
            ConditionDoc::All(cs) | ConditionDoc::Any(cs) | ConditionDoc::AtLeast(_, cs) => {
                todo.extend(cs);
            }
            ConditionDoc::Not(inner) => todo.push(inner),
            ConditionDoc::Ref(name) => {
                if refs.insert(name, 0) {
                    todo.extend(doc.conditions.get(name).map(|n| &n.when));
                }
            }
            ConditionDoc::Decision(t, _, _) => {
                if tables.insert(t, 0) {
                    for table in doc.tables.iter().filter(|x| x.id == *t) {
                        todo.extend(table.rows.iter().map(|r| &r.when));
                    }
                }
            }
            ConditionDoc::Const(_) | ConditionDoc::Fact(..) | ConditionDoc::Known(_) => {}
        }
    }
    tables
}
