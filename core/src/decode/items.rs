//! The items of a ruleset or overlay document: sections, facts and their options,
//! requirements, tables with rows and outputs, checklists, and the overlay parts (overrides,
//! inserted rows, added checklist items), each field checked and located.

use super::{is_valid_id, json_type, key_path, Decoder, Obj};
use crate::diagnostic::{Code, Diagnostic};
use crate::value::Value;
use crate::wire::IdMap;
use crate::wire::{
    Attribution, ChecklistAddDoc, ChecklistDoc, DelayCategory, FactDoc, FactKind, Kind,
    NamedCondition, OptionDoc, OutputDoc, OutputValue, OverrideDoc, Owner, Position,
    RequirementDoc, RowDoc, RowInsertDoc, SafetyChangeDoc, SafetyChangeKind, SectionDoc, TableDoc,
    VerdictWords,
};
use alloc::format;
use alloc::string::String;

impl Decoder {
    pub(super) fn section(&mut self, v: &Value, path: &str) -> Option<SectionDoc> {
        let o = self.object(v, path, &["id", "title", "description"])?;
        Some(SectionDoc {
            id: self.id_field(&o, "id")?,
            title: self.str_field(&o, "title", true)?,
            description: self.str_field(&o, "description", false),
            origin: self.origin(path),
        })
    }

    pub(super) fn option(&mut self, v: &Value, path: &str) -> Option<OptionDoc> {
        let o = self.object(v, path, &["id", "label", "help"])?;
        Some(OptionDoc {
            id: self.id_field(&o, "id")?,
            label: self.str_field(&o, "label", true)?,
            help: self.str_field(&o, "help", false),
        })
    }

    pub(super) fn fact(&mut self, v: &Value, path: &str) -> Option<FactDoc> {
        let allowed = [
            "id",
            "type",
            "question",
            "help",
            "section",
            "options",
            "min",
            "max",
            "unit",
            "asked_when",
        ];
        let o = self.object(v, path, &allowed)?;
        let id = self.id_field(&o, "id");
        let kind: Option<FactKind> = self.word(&o, "type", true);
        let question = self.str_field(&o, "question", true);
        let section = self.str_field(&o, "section", true);
        let help = self.str_field(&o, "help", false);
        let options = self
            .field(&o, "options", false)
            .map(|_| self.list(&o, "options", Self::option));
        let min = self
            .field(&o, "min", false)
            .and_then(|v| self.int(v, &key_path(path, "min")));
        let max = self
            .field(&o, "max", false)
            .and_then(|v| self.int(v, &key_path(path, "max")));
        let unit = self.str_field(&o, "unit", false);
        let asked_when = self.cond_field(&o, "asked_when", false);
        Some(FactDoc {
            id: id?,
            kind: kind?,
            question: question?,
            help,
            section: section?,
            options,
            min,
            max,
            unit,
            asked_when,
            origin: self.origin(path),
        })
    }

    pub(super) fn requirement(&mut self, v: &Value, path: &str) -> Option<RequirementDoc> {
        let allowed = [
            "id",
            "title",
            "description",
            "kind",
            "owner",
            "attribution",
            "delay_category",
            "primary",
            "applies_when",
            "met_when",
            "action",
            "referral",
            "citation",
        ];
        let o = self.object(v, path, &allowed)?;
        let id = self.id_field(&o, "id");
        let title = self.text_field(&o, "title", true);
        let description = self.str_field(&o, "description", false);
        let kind: Option<Kind> = self.word(&o, "kind", true);
        let owner: Option<Owner> = self.word(&o, "owner", true);
        let attribution: Option<Attribution> = self.word(&o, "attribution", false);
        let delay_category: Option<DelayCategory> = self.word(&o, "delay_category", false);
        let primary = self.bool_field(&o, "primary").unwrap_or(false);
        let applies_when = self.cond_field(&o, "applies_when", false);
        let met_when = self.cond_field(&o, "met_when", true);
        let action = self.text_field(&o, "action", true);
        let referral = self.str_field(&o, "referral", false);
        let citation = self.citation_field(&o, true);
        Some(RequirementDoc {
            id: id?,
            title: title?,
            description,
            kind: kind?,
            owner: owner?,
            attribution,
            delay_category,
            primary,
            applies_when,
            met_when: met_when?,
            action: action?,
            referral,
            citation: citation?,
            origin: self.origin(path),
        })
    }

    pub(super) fn output_value(&mut self, v: &Value, path: &str) -> Option<OutputValue> {
        match v {
            Value::Bool(b) => Some(OutputValue::Bool(*b)),
            Value::String(s) => Some(OutputValue::Str(s.clone())),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Some(OutputValue::Int(i)),
                None => {
                    self.err(
                        Code::WrongType,
                        path,
                        format!(
                            "output `{}` is not an integer",
                            crate::facttype::number_text(n)
                        ),
                    );
                    None
                }
            },
            other => {
                self.err(
                    Code::WrongType,
                    path,
                    format!(
                        "expected an integer, string or boolean output, found {}",
                        json_type(other)
                    ),
                );
                None
            }
        }
    }

    pub(super) fn output(&mut self, v: &Value, path: &str) -> Option<OutputDoc> {
        let o = self.object(v, path, &["value", "label"])?;
        let value = self
            .field(&o, "value", true)
            .and_then(|v| self.output_value(v, &key_path(path, "value")));
        let label = self.str_field(&o, "label", true);
        Some(OutputDoc {
            value: value?,
            label: label?,
        })
    }

    pub(super) fn row(&mut self, v: &Value, path: &str) -> Option<RowDoc> {
        let o = self.object(v, path, &["when", "output", "note", "citation"])?;
        let when = self.cond_field(&o, "when", true);
        let output = self
            .field(&o, "output", true)
            .and_then(|v| self.output_value(v, &key_path(path, "output")));
        let note = self.str_field(&o, "note", false);
        let citation = self.citation_field(&o, true);
        Some(RowDoc {
            when: when?,
            output: output?,
            note,
            citation: citation?,
            origin: self.origin(path),
        })
    }

    pub(super) fn table(&mut self, v: &Value, path: &str) -> Option<TableDoc> {
        let allowed = [
            "id",
            "title",
            "description",
            "hit",
            "outputs",
            "rows",
            "default",
            "citation",
        ];
        let o = self.object(v, path, &allowed)?;
        let id = self.id_field(&o, "id");
        let title = self.text_field(&o, "title", true);
        let description = self.str_field(&o, "description", false);
        let hit = self
            .str_field(&o, "hit", false)
            .unwrap_or_else(|| "first".into());
        if hit != "first" {
            self.err(
                Code::InvalidValue,
                &key_path(path, "hit"),
                format!("unsupported hit policy `{hit}`; only `first`"),
            );
        }
        if self.field(&o, "outputs", true).is_none() || self.field(&o, "rows", true).is_none() {
            return None;
        }
        let outputs = self.list(&o, "outputs", Self::output);
        let rows = self.list(&o, "rows", Self::row);
        let default = self
            .field(&o, "default", true)
            .and_then(|v| self.output_value(v, &key_path(path, "default")));
        let citation = self.citation_field(&o, true);
        Some(TableDoc {
            id: id?,
            title: title?,
            description,
            hit,
            outputs,
            rows,
            default: default?,
            citation: citation?,
            origin: self.origin(path),
        })
    }

    pub(super) fn checklist(&mut self, v: &Value, path: &str) -> Option<ChecklistDoc> {
        let o = self.object(
            v,
            path,
            &[
                "id",
                "title",
                "description",
                "question",
                "verdicts",
                "requirements",
                "tables",
            ],
        )?;
        let id = self.id_field(&o, "id");
        let title = self.text_field(&o, "title", true);
        let description = self.str_field(&o, "description", false);
        let question = self.str_field(&o, "question", false);
        let verdicts = match self.field(&o, "verdicts", false) {
            Some(v) => Some(self.verdict_words(v, &key_path(path, "verdicts"))?),
            None => None,
        };
        self.field(&o, "requirements", true)?;
        let requirements = self.id_list(&o, "requirements");
        let tables = self.id_list(&o, "tables");
        Some(ChecklistDoc {
            id: id?,
            title: title?,
            description,
            question,
            verdicts,
            requirements,
            tables,
            origin: self.origin(path),
        })
    }

    pub(super) fn verdict_words(&mut self, v: &Value, path: &str) -> Option<VerdictWords> {
        let o = self.object(v, path, &["ready", "not_ready", "undetermined"])?;
        let ready = self.str_field(&o, "ready", true);
        let not_ready = self.str_field(&o, "not_ready", true);
        let undetermined = self.str_field(&o, "undetermined", true);
        Some(VerdictWords {
            ready: ready?,
            not_ready: not_ready?,
            undetermined: undetermined?,
        })
    }

    pub(super) fn override_doc(&mut self, v: &Value, path: &str) -> Option<OverrideDoc> {
        let allowed = [
            "requirement",
            "action",
            "owner",
            "referral",
            "attribution",
            "citation",
        ];
        let o = self.object(v, path, &allowed)?;
        let requirement = self.str_field(&o, "requirement", true);
        let action = self.text_field(&o, "action", false);
        let owner: Option<Owner> = self.word(&o, "owner", false);
        let referral = self.str_field(&o, "referral", false);
        let attribution: Option<Attribution> = self.word(&o, "attribution", false);
        let citation = self.citation_field(&o, false);
        Some(OverrideDoc {
            requirement: requirement?,
            action,
            owner,
            referral,
            attribution,
            citation,
            origin: self.origin(path),
        })
    }

    pub(super) fn row_insert(&mut self, v: &Value, path: &str) -> Option<RowInsertDoc> {
        let o = self.object(v, path, &["table", "position", "rows"])?;
        let table = self.str_field(&o, "table", true);
        let position: Option<Position> = self.word(&o, "position", true);
        self.field(&o, "rows", true)?;
        let rows = self.list(&o, "rows", Self::row);
        Some(RowInsertDoc {
            table: table?,
            position: position?,
            rows,
            origin: self.origin(path),
        })
    }

    pub(super) fn checklist_add(&mut self, v: &Value, path: &str) -> Option<ChecklistAddDoc> {
        let o = self.object(v, path, &["checklist", "requirements", "tables"])?;
        let checklist = self.str_field(&o, "checklist", true);
        let requirements = self.id_list(&o, "requirements");
        let tables = self.id_list(&o, "tables");
        Some(ChecklistAddDoc {
            checklist: checklist?,
            requirements,
            tables,
            origin: self.origin(path),
        })
    }

    pub(super) fn safety_change(&mut self, v: &Value, path: &str) -> Option<SafetyChangeDoc> {
        let allowed = ["change", "requirement", "table", "checklist", "reason"];
        let o = self.object(v, path, &allowed)?;
        let change: Option<SafetyChangeKind> = self.word(&o, "change", true);
        let requirement = self.str_field(&o, "requirement", false);
        let table = self.str_field(&o, "table", false);
        let checklist = self.str_field(&o, "checklist", false);
        let reason = self.text_field(&o, "reason", true);
        let change = change?;
        let (need_req, need_table, need_list) = match change {
            SafetyChangeKind::RowsAtStart => (false, true, false),
            SafetyChangeKind::ChecklistWithoutHold | SafetyChangeKind::ChecklistWithoutPrimary => {
                (true, false, true)
            }
            _ => (true, false, false),
        };
        for (key, given, needed) in [
            ("requirement", requirement.is_some(), need_req),
            ("table", table.is_some(), need_table),
            ("checklist", checklist.is_some(), need_list),
        ] {
            if needed && !given {
                self.err(
                    Code::MissingField,
                    path,
                    format!("missing field `{key}` (change `{}`)", change.as_str()),
                );
            } else if given && !needed {
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownField,
                        key_path(path, key),
                        format!("change `{}` takes no `{key}`", change.as_str()),
                    )
                    .with_help(change_help(change)),
                );
            }
        }
        Some(SafetyChangeDoc {
            overlay: String::new(),
            change,
            requirement,
            table,
            checklist,
            reason: reason?,
            origin: self.origin(path),
        })
    }

    pub(super) fn named_conditions(&mut self, o: &Obj<'_>) -> IdMap<NamedCondition> {
        let mut out = IdMap::new();
        let Some(v) = self.field(o, "conditions", false) else {
            return out;
        };
        let Some(c) = self.object(v, "$.conditions", &[]).map(|c| c.map) else {
            return out;
        };
        // `object` flagged every key as unknown; drop those, named conditions are free-form.
        self.diags
            .retain(|d| !(d.code == Code::UnknownField && d.path.starts_with("$.conditions")));
        for (name, cv) in c {
            let path = key_path("$.conditions", name);
            if !is_valid_id(name) {
                self.err(
                    Code::InvalidId,
                    &path,
                    format!("invalid condition name `{name}`"),
                );
            }
            if let Some(when) = self.condition(cv, &path, 1) {
                out.insert(
                    name.clone(),
                    NamedCondition {
                        when,
                        origin: self.origin(&path),
                    },
                );
            }
        }
        out
    }
}

/// The fields a declared safety change of kind `change` takes.
pub(crate) const fn change_help(change: SafetyChangeKind) -> &'static str {
    match change {
        SafetyChangeKind::RowsAtStart => "`rows_at_start` takes `table` and `reason`",
        SafetyChangeKind::ChecklistWithoutHold => {
            "`checklist_without_hold` takes `checklist`, `requirement` (the hold) and `reason`"
        }
        SafetyChangeKind::ChecklistWithoutPrimary => {
            "`checklist_without_primary` takes `checklist`, `requirement` (the primary \
             requirement) and `reason`"
        }
        _ => "an override change takes `requirement` and `reason`",
    }
}
