//! Decodes a ruleset or overlay JSON document into the wire model, collecting every shape
//! problem (wrong type, missing or unknown field, invalid value) with its JSON path. The
//! decoder's primitives and the document are here; conditions in `condition.rs`, the items
//! of a document (facts, requirements, tables, checklists, overlay parts) in `items.rs`.

mod condition;
mod items;

use crate::diagnostic::{Code, Diagnostic};
use crate::value::{Map, Value};
use crate::wire::{Citation, Origin, RulesetDoc};
use crate::words::Word;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The deepest condition nesting accepted; deeper input is rejected, so evaluation can never
/// exhaust the stack.
pub const MAX_DEPTH: usize = 32;

/// Collects diagnostics while decoding one document.
pub(crate) struct Decoder {
    pub diags: Vec<Diagnostic>,
    doc: usize,
}

/// A JSON object being decoded, with its path.
struct Obj<'a> {
    map: &'a Map,
    path: String,
}

pub(crate) use crate::parse::parse_json;

/// `path.key`, or `path["key"]` when the key is not a plain identifier.
pub(crate) fn key_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        format!("{path}.{key}")
    } else {
        let mut out = format!("{path}[");
        crate::write::string(&mut out, key);
        out.push(']');
        out
    }
}

/// Whether `id` matches `^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`.
#[must_use]
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('.').all(|part| {
            let mut chars = part.chars();
            matches!(chars.next(), Some('a'..='z'))
                && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        })
}

/// Whether a ruleset id is valid: `^[a-z][a-z0-9._-]*$`, e.g. `england-national`. Never a
/// `+`: merged ids are `base+overlay`, so an id with a `+` would be ambiguous.
fn is_valid_ruleset_id(id: &str) -> bool {
    !id.is_empty()
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-' | '.'))
}

/// The JSON type of a value, for messages (`a string`, `an array`, …).
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Decoder {
    pub(crate) fn new(doc: usize) -> Self {
        Decoder {
            diags: Vec::new(),
            doc,
        }
    }

    fn err(&mut self, code: Code, path: &str, msg: String) {
        self.diags.push(Diagnostic::error(code, path, msg));
    }

    fn origin(&self, path: &str) -> Origin {
        Origin {
            doc: self.doc,
            path: path.to_string(),
        }
    }

    fn object<'a>(&mut self, v: &'a Value, path: &str, allowed: &[&str]) -> Option<Obj<'a>> {
        let Value::Object(map) = v else {
            self.err(
                Code::WrongType,
                path,
                format!("expected an object, found {}", json_type(v)),
            );
            return None;
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownField,
                        key_path(path, &crate::parse::clip(key)),
                        format!("unknown field `{}`", crate::parse::shorten(key)),
                    )
                    .with_help(format!(
                        "expected one of: {}",
                        crate::words::join(allowed, ", ")
                    )),
                );
            }
        }
        Some(Obj {
            map,
            path: path.to_string(),
        })
    }

    fn field<'a>(&mut self, o: &Obj<'a>, key: &str, required: bool) -> Option<&'a Value> {
        match o.map.get(key) {
            Some(v) => Some(v),
            None => {
                if required {
                    self.err(
                        Code::MissingField,
                        &o.path,
                        format!("missing field `{key}`"),
                    );
                }
                None
            }
        }
    }

    fn string(&mut self, v: &Value, path: &str) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            other => {
                self.err(
                    Code::WrongType,
                    path,
                    format!("expected a string, found {}", json_type(other)),
                );
                None
            }
        }
    }

    fn str_field(&mut self, o: &Obj<'_>, key: &str, required: bool) -> Option<String> {
        let v = self.field(o, key, required)?;
        self.string(v, &key_path(&o.path, key))
    }

    /// A text field that must say something: empty or only white space is `INVALID_VALUE`
    /// (an empty action tells staff nothing to do, an empty title names nothing).
    fn text_field(&mut self, o: &Obj<'_>, key: &str, required: bool) -> Option<String> {
        let s = self.str_field(o, key, required)?;
        if s.trim().is_empty() {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    key_path(&o.path, key),
                    format!("`{key}` is empty"),
                )
                .with_help(format!("write the {key}: it is shown to staff")),
            );
        }
        Some(s)
    }

    fn id_field(&mut self, o: &Obj<'_>, key: &str) -> Option<String> {
        let id = self.str_field(o, key, true)?;
        if !is_valid_id(&id) {
            self.err(
                Code::InvalidId,
                &key_path(&o.path, key),
                format!("invalid id `{id}`"),
            );
        }
        Some(id)
    }

    fn int(&mut self, v: &Value, path: &str) -> Option<i64> {
        match v.as_i64() {
            Some(n) => Some(n),
            None => {
                self.err(
                    Code::WrongType,
                    path,
                    format!("expected an integer, found {}", json_type(v)),
                );
                None
            }
        }
    }

    fn bool_field(&mut self, o: &Obj<'_>, key: &str) -> Option<bool> {
        let v = self.field(o, key, false)?;
        match v {
            Value::Bool(b) => Some(*b),
            other => {
                let p = key_path(&o.path, key);
                self.err(
                    Code::WrongType,
                    &p,
                    format!("expected a boolean, found {}", json_type(other)),
                );
                None
            }
        }
    }

    fn array<'a>(&mut self, v: &'a Value, path: &str) -> Option<&'a [Value]> {
        match v {
            Value::Array(a) => Some(a),
            other => {
                self.err(
                    Code::WrongType,
                    path,
                    format!("expected an array, found {}", json_type(other)),
                );
                None
            }
        }
    }

    fn list<T>(
        &mut self,
        o: &Obj<'_>,
        key: &str,
        item: impl FnMut(&mut Self, &Value, &str) -> Option<T>,
    ) -> Vec<T> {
        let Some((path, items)) = self.list_items(o, key) else {
            return Vec::new();
        };
        self.each_item(items, &path, item)
    }

    /// Decodes each of `items` (at `path[i]`) with `item`, keeping those that decode. A plain
    /// loop: one small body per item type (WASM size). Shared by [`Decoder::list`] and the
    /// parts of a composite condition.
    fn each_item<T>(
        &mut self,
        items: &[Value],
        path: &str,
        mut item: impl FnMut(&mut Self, &Value, &str) -> Option<T>,
    ) -> Vec<T> {
        let mut out = Vec::with_capacity(items.len());
        for (i, v) in items.iter().enumerate() {
            if let Some(x) = item(self, v, &format!("{path}[{i}]")) {
                out.push(x);
            }
        }
        out
    }

    /// The path and items of the optional array `key` of `o` (not generic: WASM size).
    fn list_items<'v>(&mut self, o: &Obj<'v>, key: &str) -> Option<(String, &'v [Value])> {
        let v = self.field(o, key, false)?;
        let path = key_path(&o.path, key);
        let items = self.array(v, &path)?;
        Some((path, items))
    }

    fn id_list(&mut self, o: &Obj<'_>, key: &str) -> Vec<String> {
        self.list(o, key, |d, v, p| d.string(v, p))
    }

    /// Decodes a closed set of snake_case words (kind, owner, …) by its wire names.
    fn word<T: Word>(&mut self, o: &Obj<'_>, key: &str, required: bool) -> Option<T> {
        let at = self.word_at(o, key, required, T::NAMES)?;
        T::WORDS.get(at).map(|(_, v)| *v)
    }

    /// The position of `key`'s value among `names` (one copy for every set of words: WASM
    /// size); an invalid value reported with the names allowed.
    fn word_at(&mut self, o: &Obj<'_>, key: &str, required: bool, names: &[&str]) -> Option<usize> {
        let v = self.field(o, key, required)?;
        let path = key_path(&o.path, key);
        let s = self.string(v, &path)?;
        let found = crate::words::position(names, &s);
        if found.is_none() {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    path,
                    format!("invalid value `{s}` for `{key}`"),
                )
                .with_help(format!(
                    "expected one of: {}",
                    crate::words::join(names, ", ")
                )),
            );
        }
        found
    }

    fn citation(&mut self, v: &Value, path: &str) -> Option<Citation> {
        let o = self.object(v, path, &["source", "note"])?;
        let source = self.str_field(&o, "source", true)?;
        if source.trim().is_empty() {
            self.err(
                Code::InvalidValue,
                &key_path(path, "source"),
                "citation source is empty".into(),
            );
        }
        let note = self.str_field(&o, "note", false);
        Some(Citation { source, note })
    }

    fn citation_field(&mut self, o: &Obj<'_>, required: bool) -> Option<Citation> {
        let v = self.field(o, "citation", required)?;
        self.citation(v, &key_path(&o.path, "citation"))
    }
}

impl Decoder {
    /// Decodes a whole document. Returns the document (possibly partial) and whether it is
    /// complete; diagnostics are in `self.diags`.
    pub(crate) fn document(&mut self, v: &Value) -> Option<RulesetDoc> {
        let allowed = [
            "format",
            "id",
            "version",
            "title",
            "description",
            "effective_date",
            "extends",
            "sections",
            "facts",
            "conditions",
            "requirements",
            "tables",
            "checklists",
            "overrides",
            "table_rows",
            "checklist_items",
            "safety_changes",
        ];
        let o = self.object(v, "$", &allowed)?;
        let format = self
            .field(&o, "format", false)
            .and_then(|v| self.int(v, "$.format"));
        if let Some(f) = format {
            if f != 1 {
                self.err(
                    Code::UnsupportedFormat,
                    "$.format",
                    format!("format {f} is not supported; this engine reads format 1"),
                );
            }
        }
        let id = self.str_field(&o, "id", true);
        if let Some(id) = &id {
            if !is_valid_ruleset_id(id) {
                self.err(
                    Code::InvalidId,
                    "$.id",
                    format!("invalid ruleset id `{id}`"),
                );
            }
        }
        let version = self.str_field(&o, "version", true);
        let title = self.str_field(&o, "title", true);
        let doc = RulesetDoc {
            format: format.and_then(|f| u32::try_from(f).ok()),
            id: id.unwrap_or_default(),
            version: version.unwrap_or_default(),
            title: title.unwrap_or_default(),
            description: self.str_field(&o, "description", false),
            effective_date: self.str_field(&o, "effective_date", false),
            extends: self.str_field(&o, "extends", false),
            sections: self.list(&o, "sections", Self::section),
            facts: self.list(&o, "facts", Self::fact),
            conditions: self.named_conditions(&o),
            requirements: self.list(&o, "requirements", Self::requirement),
            tables: self.list(&o, "tables", Self::table),
            checklists: self.list(&o, "checklists", Self::checklist),
            overrides: self.list(&o, "overrides", Self::override_doc),
            table_rows: self.list(&o, "table_rows", Self::row_insert),
            checklist_items: self.list(&o, "checklist_items", Self::checklist_add),
            safety_changes: self.list(&o, "safety_changes", Self::safety_change),
        };
        let mut doc = doc;
        for c in &mut doc.safety_changes {
            c.overlay.clone_from(&doc.id);
        }
        if let Some(date) = &doc.effective_date {
            if crate::Date::parse(date).is_err() {
                self.err(
                    Code::InvalidValue,
                    "$.effective_date",
                    format!("`{date}` is not a YYYY-MM-DD date"),
                );
            }
        }
        Some(doc)
    }
}

/// Decodes a document's JSON text. `doc` is its position (0 = base, 1.. = overlays).
pub(crate) fn decode_document(text: &str, doc: usize) -> (Option<RulesetDoc>, Vec<Diagnostic>) {
    let value = match parse_json(text) {
        Ok(v) => v,
        Err(d) => return (None, alloc::vec![d]),
    };
    let mut dec = Decoder::new(doc);
    let out = dec.document(&value);
    (out, dec.diags)
}
