//! Overlay merge: a local ruleset `extends` a base by id, adding items and overriding text,
//! owners and referrals. Overlays are applied in order of their id, so the merged content (and
//! its hash) never depends on the order they were given in.

use crate::diagnostic::{Code, Diagnostic};
use crate::wire::{Position, RulesetDoc};
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
    for ov in order {
        apply(&mut base, ov, diags);
    }
    base
}

fn apply(base: &mut RulesetDoc, ov: RulesetDoc, diags: &mut Vec<Diagnostic>) {
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
    base.id = format!("{}+{}", base.id, ov.id);
    base.version = format!("{}+{}", base.version, ov.version);
    base.title = format!("{} · {}", base.title, ov.title);
    base.sections.extend(ov.sections);
    base.facts.extend(ov.facts);
    for (name, c) in ov.conditions {
        match base.conditions.entry(name) {
            alloc::collections::btree_map::Entry::Occupied(e) => {
                let msg = format!(
                    "named condition `{}` is already declared by the base",
                    e.key()
                );
                diags.push(
                    in_doc(me, Code::DuplicateId, &c.origin.path, msg).with_rule(e.key().clone()),
                );
            }
            alloc::collections::btree_map::Entry::Vacant(e) => {
                e.insert(c);
            }
        }
    }
    base.requirements.extend(ov.requirements);
    base.tables.extend(ov.tables);
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
    for ins in ov.table_rows {
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
}
