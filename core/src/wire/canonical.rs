//! The canonical JSON of a document, the input of its content hash: compact, fields in
//! declaration order, absent optional fields left out, condition objects with sorted keys.
//! Byte for byte what serde_json wrote for the serde form of the same types (a test compares
//! them on every ruleset in the repository), so every hash stays what it was.

use super::{
    ChecklistAddDoc, ChecklistDoc, ConditionDoc, FactDoc, NamedCondition, OptionDoc, OutputDoc,
    OverrideDoc, RequirementDoc, RowDoc, RowInsertDoc, RulesetDoc, SafetyChangeDoc, SectionDoc,
    TableDoc, VerdictWords,
};
use crate::write::{key, write_fields, WriteJson};
use alloc::string::String;

write_fields!(RulesetDoc {
    "format": format = skip_none,
    "id": id,
    "version": version,
    "title": title,
    "description": description = skip_none,
    "effective_date": effective_date = skip_none,
    "extends": extends = skip_none,
    "sections": sections = skip_none,
    "facts": facts = skip_none,
    "conditions": conditions = skip_none,
    "requirements": requirements = skip_none,
    "tables": tables = skip_none,
    "checklists": checklists = skip_none,
    "overrides": overrides = skip_none,
    "table_rows": table_rows = skip_none,
    "checklist_items": checklist_items = skip_none,
    "safety_changes": safety_changes = skip_none,
});

/// Written as its condition alone (serde's `transparent`).
impl WriteJson for NamedCondition {
    fn write_json(&self, out: &mut String) {
        self.when.write_json(out);
    }
}

write_fields!(SectionDoc { "id": id, "title": title, "description": description = skip_none });
write_fields!(OptionDoc { "id": id, "label": label, "help": help = skip_none });
write_fields!(FactDoc {
    "id": id,
    "type": kind,
    "question": question,
    "help": help = skip_none,
    "section": section,
    "options": options = skip_none,
    "min": min = skip_none,
    "max": max = skip_none,
    "unit": unit = skip_none,
    "asked_when": asked_when = skip_none,
});
write_fields!(RequirementDoc {
    "id": id,
    "title": title,
    "description": description = skip_none,
    "kind": kind,
    "owner": owner,
    "attribution": attribution = skip_none,
    "delay_category": delay_category = skip_none,
    "primary": primary = skip_none,
    "applies_when": applies_when = skip_none,
    "met_when": met_when,
    "action": action,
    "referral": referral = skip_none,
    "citation": citation,
});
write_fields!(OutputDoc { "value": value, "label": label });
write_fields!(RowDoc {
    "when": when,
    "output": output,
    "note": note = skip_none,
    "citation": citation,
});
write_fields!(TableDoc {
    "id": id,
    "title": title,
    "description": description = skip_none,
    "hit": hit,
    "outputs": outputs,
    "rows": rows,
    "default": default,
    "citation": citation,
});
write_fields!(VerdictWords { "ready": ready, "not_ready": not_ready, "undetermined": undetermined });
write_fields!(ChecklistDoc {
    "id": id,
    "title": title,
    "description": description = skip_none,
    "question": question = skip_none,
    "verdicts": verdicts = skip_none,
    "requirements": requirements,
    "tables": tables = skip_none,
});
write_fields!(OverrideDoc {
    "requirement": requirement,
    "action": action = skip_none,
    "owner": owner = skip_none,
    "referral": referral = skip_none,
    "attribution": attribution = skip_none,
    "citation": citation = skip_none,
});
write_fields!(RowInsertDoc { "table": table, "position": position, "rows": rows });
write_fields!(ChecklistAddDoc {
    "checklist": checklist,
    "requirements": requirements = skip_none,
    "tables": tables = skip_none,
});
write_fields!(SafetyChangeDoc {
    "overlay": overlay,
    "change": change,
    "requirement": requirement = skip_none,
    "table": table = skip_none,
    "checklist": checklist = skip_none,
    "reason": reason,
});

/// A condition as its JSON object (keys in sorted order, as the object map sorts them),
/// written directly rather than through [`ConditionDoc::to_value`].
impl WriteJson for ConditionDoc {
    fn write_json(&self, out: &mut String) {
        let list = |out: &mut String, name: &str, cs: &[ConditionDoc]| {
            out.push('{');
            key(out, &mut true, name);
            cs.write_json(out);
            out.push('}');
        };
        match self {
            ConditionDoc::Const(b) => b.write_json(out),
            ConditionDoc::All(cs) => list(out, "all", cs),
            ConditionDoc::Any(cs) => list(out, "any", cs),
            ConditionDoc::Not(c) => {
                out.push_str("{\"not\":");
                c.write_json(out);
                out.push('}');
            }
            ConditionDoc::AtLeast(n, cs) => {
                out.push_str("{\"at_least\":{\"n\":");
                n.write_json(out);
                out.push_str(",\"of\":");
                cs.write_json(out);
                out.push_str("}}");
            }
            ConditionDoc::Fact(id, op, v) => pair(out, ("fact", id), op.as_str(), v),
            ConditionDoc::Decision(id, op, v) => pair(out, ("decision", id), op.as_str(), v),
            ConditionDoc::Known(id) => list_one(out, "known", id),
            ConditionDoc::Ref(id) => list_one(out, "ref", id),
        }
    }
}

/// `{"name":"id"}`.
fn list_one(out: &mut String, name: &str, id: &str) {
    out.push('{');
    key(out, &mut true, name);
    id.write_json(out);
    out.push('}');
}

/// `{"fact":"id","op":operand}` with the two keys in sorted order.
fn pair(out: &mut String, (name, id): (&str, &str), op: &str, v: &crate::value::Value) {
    let mut first = true;
    out.push('{');
    if op < name {
        key(out, &mut first, op);
        v.write_json(out);
    }
    key(out, &mut first, name);
    id.write_json(out);
    if op >= name {
        key(out, &mut first, op);
        v.write_json(out);
    }
    out.push('}');
}

#[cfg(all(test, feature = "serde_json", feature = "bundled"))]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test")]
    use crate::ruleset::Ruleset;
    use crate::write::to_json;

    /// Every bundled ruleset and the repository's fixture rulesets, as merged documents.
    fn rulesets() -> alloc::vec::Vec<Ruleset> {
        let mut out = alloc::vec![Ruleset::national().unwrap()];
        for (id, _, _) in crate::bundled::OVERLAYS {
            out.push(Ruleset::national_with(&[id]).unwrap());
        }
        for text in [
            include_str!("../../../tests/fixtures/example-ruleset.json"),
            include_str!("../../../tests/fixtures/dates-ruleset.json"),
            include_str!("../../../tests/fixtures/fhir-gates-ruleset.json"),
        ] {
            out.push(Ruleset::from_json(text).unwrap());
        }
        out
    }

    #[test]
    fn the_canonical_json_is_serde_json_s_byte_for_byte() {
        for rs in rulesets() {
            let doc = rs.document();
            assert_eq!(
                to_json(doc),
                serde_json::to_string(doc).unwrap(),
                "{}",
                doc.id
            );
        }
    }

    #[test]
    fn the_bundled_hashes_are_pinned() {
        // As published in docs/rules.md: a change here changes every report's ruleset hash.
        assert_eq!(
            Ruleset::national().unwrap().hash(),
            "sha256:ab0622f66a599903cca41b8fd84e384f4234d3ca4b042d2f76ce0bfee2d546a7"
        );
        assert_eq!(
            Ruleset::national_with(&["norfolk"]).unwrap().hash(),
            "sha256:cb86ea447849584a1c4cf73232d2158d79e2ffc02d63f1ad65e34318ebc462a3"
        );
    }
}
