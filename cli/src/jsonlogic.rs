//! `homeward export --format jsonlogic`: every requirement and table of a ruleset as JsonLogic
//! (<https://jsonlogic.com>), so an independent engine (json-logic-js) can check Homeward's
//! verdicts on complete patients. Named conditions are inlined; fact ids are dotted, so the
//! patient is given to JsonLogic as nested objects (`{"home": {"key_safe_fitted": true}}`).
//! JsonLogic has no dates, so a date is its **day number** (days since 1970-01-01, as in the
//! compact form: `2026-03-01` is 20513), in the data and in the rules, and the as-of date is
//! the day number `as_of` at the top of the data: "7 days before today" is
//! `{"-": [{"var": "as_of"}, 7]}`.

use homeward::wire::{CmpOp, ConditionDoc, OutputValue, RequirementDoc, RulesetDoc, TableDoc};
use homeward::{Code, Diagnostic, Ruleset};
use serde_json::{json, Value};

/// The deepest nesting the export follows: condition nesting plus named conditions and tables
/// inlined within one another. Deeper is an error, never a silent `null`.
pub const MAX_DEPTH: usize = 256;

/// The most condition nodes one export may write (the bundled national ruleset needs 336).
/// JsonLogic has no references, so every named condition and table is copied wherever it is
/// used, and a chain of conditions each using the previous one twice doubles at every step. The size is measured first, on the ruleset's own graph (each named condition and
/// table once), so an export past this budget is refused before anything is built.
pub const MAX_NODES: u64 = 200_000;

fn var(id: &str) -> Value {
    json!({ "var": id })
}

fn output(v: &OutputValue) -> Value {
    match v {
        OutputValue::Bool(b) => Value::Bool(*b),
        OutputValue::Int(i) => Value::from(*i),
        OutputValue::Str(s) => Value::String(s.clone()),
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    }
}

/// The inlined size of a condition: JsonLogic condition nodes, and how many levels it adds
/// below the node where it is used.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    nodes: u64,
    height: usize,
}

impl Size {
    fn leaf() -> Size {
        Size {
            nodes: 1,
            height: 0,
        }
    }

    /// A node over `children`, each one level below it.
    fn over(children: impl IntoIterator<Item = Size>) -> Size {
        children.into_iter().fold(Size::leaf(), |acc, c| Size {
            nodes: acc.nodes.saturating_add(c.nodes),
            height: acc.height.max(c.height + 1),
        })
    }
}

/// One export in progress: the ruleset, the measured size of each named condition and table,
/// and what is being inlined (for the error's location).
struct Exporter<'a> {
    doc: &'a RulesetDoc,
    /// Inlined size of each named condition's `when` and each table's rows, once measured.
    sizes: std::collections::BTreeMap<(bool, &'a str), Size>,
    /// Where the current root is in the ruleset (`$.requirements[3].met_when`) and its rule id.
    root: (String, String),
    /// The named conditions and tables being inlined, outermost first.
    trail: Vec<String>,
}

impl<'a> Exporter<'a> {
    fn new(doc: &'a RulesetDoc) -> Self {
        Exporter {
            doc,
            sizes: std::collections::BTreeMap::new(),
            root: ("$".into(), String::new()),
            trail: Vec::new(),
        }
    }

    fn is_set(&self, id: &str) -> bool {
        self.doc
            .facts
            .iter()
            .any(|f| f.id == id && f.kind == homeward::wire::FactKind::Set)
    }

    fn is_date(&self, id: &str) -> bool {
        self.doc
            .facts
            .iter()
            .any(|f| f.id == id && f.kind == homeward::wire::FactKind::Date)
    }

    fn fail(&self, code: Code, message: String) -> Diagnostic {
        let trail = if self.trail.len() > 8 {
            let first = self.trail.iter().take(3).cloned().collect::<Vec<_>>();
            let last = self
                .trail
                .iter()
                .skip(self.trail.len() - 3)
                .cloned()
                .collect::<Vec<_>>();
            format!(
                "{} → … {} more … → {}",
                first.join(" → "),
                self.trail.len() - 6,
                last.join(" → ")
            )
        } else {
            self.trail.join(" → ")
        };
        let message = if trail.is_empty() {
            message
        } else {
            format!("{message}, inlining {trail}")
        };
        Diagnostic::error(code, self.root.0.clone(), message)
            .with_rule(self.root.1.clone())
            .with_help(
                "JsonLogic has no references: every named condition and table is copied where \
                 it is used; shorten the chain of named conditions and tables",
            )
    }

    fn table(&mut self, t: &TableDoc, depth: usize) -> Result<Value, Diagnostic> {
        let mut args = Vec::new();
        for row in &t.rows {
            args.push(self.condition(&row.when, depth + 1)?);
            args.push(output(&row.output));
        }
        args.push(output(&t.default));
        Ok(json!({ "if": args }))
    }

    fn inline<T>(
        &mut self,
        what: String,
        f: impl FnOnce(&mut Self) -> Result<T, Diagnostic>,
    ) -> Result<T, Diagnostic> {
        self.trail.push(what);
        let result = f(self);
        self.trail.pop();
        result
    }

    /// A condition as JsonLogic (classical logic: for complete patients it agrees with Kleene).
    fn condition(&mut self, c: &ConditionDoc, depth: usize) -> Result<Value, Diagnostic> {
        if depth > MAX_DEPTH {
            return Err(self.fail(
                Code::NestingTooDeep,
                format!("the JsonLogic export nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        let doc = self.doc;
        Ok(match c {
            ConditionDoc::Const(b) => Value::Bool(*b),
            ConditionDoc::All(cs) if cs.is_empty() => Value::Bool(true),
            ConditionDoc::Any(cs) if cs.is_empty() => Value::Bool(false),
            ConditionDoc::All(cs) => json!({ "and": self.list(cs, depth)? }),
            ConditionDoc::Any(cs) => json!({ "or": self.list(cs, depth)? }),
            ConditionDoc::Not(c) => json!({ "!": self.condition(c, depth + 1)? }),
            ConditionDoc::AtLeast(n, cs) => {
                let counts: Vec<Value> = self
                    .list(cs, depth)?
                    .into_iter()
                    .map(|c| json!({ "if": [c, 1, 0] }))
                    .collect();
                json!({ ">=": [{ "+": counts }, n] })
            }
            ConditionDoc::Fact(id, op, v) if self.is_date(id) => {
                let operand = date_operand(&v.into()).ok_or_else(|| {
                    self.fail(
                        Code::InvalidDate,
                        format!("`{id}` is compared with `{v}`, which is not a date operand"),
                    )
                })?;
                compare(var(id), *op, &operand, false)
            }
            ConditionDoc::Fact(id, op, v) => compare(var(id), *op, &v.into(), self.is_set(id)),
            ConditionDoc::Known(id) => json!({ "!==": [var(id), null] }),
            ConditionDoc::Ref(name) => {
                let Some(named) = doc.conditions.get(name) else {
                    return Err(self.fail(
                        Code::UnknownCondition,
                        format!("unknown condition `{name}`"),
                    ));
                };
                self.inline(format!("condition `{name}`"), |e| {
                    e.condition(&named.when, depth + 1)
                })?
            }
            ConditionDoc::Decision(id, op, v) => {
                let Some(t) = doc.tables.iter().find(|t| t.id == *id) else {
                    return Err(self.fail(Code::UnknownTable, format!("unknown table `{id}`")));
                };
                let logic = self.inline(format!("table `{id}`"), |e| e.table(t, depth + 1))?;
                compare(logic, *op, &v.into(), false)
            }
            other => {
                return Err(self.fail(
                    Code::TypeMismatch,
                    format!(
                        "`{}` has no JsonLogic form in this exporter",
                        other.to_value()
                    ),
                ))
            }
        })
    }

    /// The inlined size of `c` used at `depth`, measured on the ruleset's graph: each named
    /// condition and table is measured once, so this is quick however large the export would
    /// be. Fails past [`MAX_DEPTH`] exactly where building would.
    fn measure(&mut self, c: &'a ConditionDoc, depth: usize) -> Result<Size, Diagnostic> {
        if depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        Ok(match c {
            ConditionDoc::All(cs) | ConditionDoc::Any(cs) | ConditionDoc::AtLeast(_, cs) => {
                let mut sizes = Vec::with_capacity(cs.len());
                for c in cs {
                    sizes.push(self.measure(c, depth + 1)?);
                }
                Size::over(sizes)
            }
            ConditionDoc::Not(c) => Size::over([self.measure(c, depth + 1)?]),
            ConditionDoc::Ref(name) => Size::over([self.measure_named(false, name, depth + 1)?]),
            ConditionDoc::Decision(id, _, _) => {
                Size::over([self.measure_named(true, id, depth + 1)?])
            }
            _ => Size::leaf(),
        })
    }

    /// The size of a named condition's `when` (`table` false) or of a table's `if`, used at
    /// `depth`.
    fn measure_named(
        &mut self,
        table: bool,
        id: &'a str,
        depth: usize,
    ) -> Result<Size, Diagnostic> {
        if let Some(size) = self.sizes.get(&(table, id)).copied() {
            if depth + size.height > MAX_DEPTH {
                self.trail.push(named(table, id));
                return Err(self.too_deep());
            }
            return Ok(size);
        }
        let doc = self.doc;
        let size = self.inline(named(table, id), |e| {
            if table {
                let t = doc
                    .tables
                    .iter()
                    .find(|t| t.id == id)
                    .ok_or_else(|| e.unknown(true, id))?;
                e.measure_table(t, depth)
            } else {
                let n = doc.conditions.get(id).ok_or_else(|| e.unknown(false, id))?;
                e.measure(&n.when, depth)
            }
        })?;
        self.sizes.insert((table, id), size);
        Ok(size)
    }

    fn measure_table(&mut self, t: &'a TableDoc, depth: usize) -> Result<Size, Diagnostic> {
        let mut rows = Vec::with_capacity(t.rows.len());
        for row in &t.rows {
            rows.push(self.measure(&row.when, depth + 1)?);
        }
        Ok(Size::over(rows))
    }

    fn too_deep(&self) -> Diagnostic {
        self.fail(
            Code::NestingTooDeep,
            format!("the JsonLogic export nests deeper than {MAX_DEPTH} levels"),
        )
    }

    fn unknown(&self, table: bool, id: &str) -> Diagnostic {
        if table {
            self.fail(Code::UnknownTable, format!("unknown table `{id}`"))
        } else {
            self.fail(Code::UnknownCondition, format!("unknown condition `{id}`"))
        }
    }

    /// Measures every root of the export and refuses it past [`MAX_NODES`], located at the
    /// requirement or table whose inlining crosses the budget.
    fn measure_all(&mut self) -> Result<u64, Diagnostic> {
        let doc = self.doc;
        let mut total: u64 = 0;
        let mut roots: Vec<(String, String, &'a ConditionDoc)> = Vec::new();
        for (i, r) in doc.requirements.iter().enumerate() {
            if let Some(a) = &r.applies_when {
                roots.push((format!("$.requirements[{i}].applies_when"), r.id.clone(), a));
            }
            roots.push((
                format!("$.requirements[{i}].met_when"),
                r.id.clone(),
                &r.met_when,
            ));
        }
        for (path, rule, c) in roots {
            self.root = (path, rule);
            total = total.saturating_add(self.measure(c, 0)?.nodes);
            self.over_budget(total)?;
        }
        for (i, t) in doc.tables.iter().enumerate() {
            self.root = (format!("$.tables[{i}]"), t.id.clone());
            total = total.saturating_add(self.measure_table(t, 0)?.nodes);
            self.over_budget(total)?;
        }
        Ok(total)
    }

    fn over_budget(&self, total: u64) -> Result<(), Diagnostic> {
        if total <= MAX_NODES {
            return Ok(());
        }
        let count = if total == u64::MAX {
            "more than 18446744073709551615".to_string()
        } else {
            total.to_string()
        };
        Err(self.fail(
            Code::TooLarge,
            format!(
                "the JsonLogic export would have {count} condition nodes by this point; the \
                 limit is {MAX_NODES}"
            ),
        ))
    }

    fn list(&mut self, cs: &[ConditionDoc], depth: usize) -> Result<Vec<Value>, Diagnostic> {
        cs.iter().map(|c| self.condition(c, depth + 1)).collect()
    }

    fn requirement(&mut self, i: usize, r: &RequirementDoc) -> Result<Value, Diagnostic> {
        let applies = match &r.applies_when {
            Some(a) => {
                self.root = (format!("$.requirements[{i}].applies_when"), r.id.clone());
                self.condition(a, 0)?
            }
            None => Value::Bool(true),
        };
        self.root = (format!("$.requirements[{i}].met_when"), r.id.clone());
        let met = self.condition(&r.met_when, 0)?;
        Ok(json!({ "id": r.id, "kind": r.kind, "applies": applies, "met": met }))
    }
}

fn named(table: bool, id: &str) -> String {
    if table {
        format!("table `{id}`")
    } else {
        format!("condition `{id}`")
    }
}

/// A date operand as JsonLogic over day numbers: a literal day (`2026-03-01` → 20513), a list
/// of them, the as-of date (`{"var": "as_of"}`) or another date fact, moved by `plus_days`.
fn date_operand(v: &Value) -> Option<Value> {
    let day = |text: &str| homeward::Date::parse(text).ok().map(|d| json!(d.days()));
    match v {
        Value::String(text) => day(text),
        Value::Array(list) => list
            .iter()
            .map(|d| d.as_str().and_then(day))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        Value::Object(o) => {
            let base = match (o.get("as_of"), o.get("fact").and_then(Value::as_str)) {
                (Some(Value::Bool(true)), None) => var("as_of"),
                (None, Some(id)) => var(id),
                _ => return None,
            };
            Some(match o.get("plus_days").map(Value::as_i64) {
                None | Some(Some(0)) => base,
                Some(Some(n)) if n > 0 => json!({ "+": [base, n] }),
                Some(Some(n)) => json!({ "-": [base, n.unsigned_abs()] }),
                Some(None) => return None,
            })
        }
        _ => None,
    }
}

fn compare(subject: Value, op: CmpOp, v: &Value, set: bool) -> Value {
    match (op, set) {
        (CmpOp::Eq, true) | (CmpOp::Ne, true) => {
            let list = v.as_array().cloned().unwrap_or_default();
            let mut parts: Vec<Value> = list
                .iter()
                .map(|o| json!({ "in": [o, subject.clone()] }))
                .collect();
            let len =
                json!({ "reduce": [subject.clone(), { "+": [{ "var": "accumulator" }, 1] }, 0] });
            parts.push(json!({ "===": [len, list.len()] }));
            let eq = json!({ "and": parts });
            if op == CmpOp::Eq {
                eq
            } else {
                json!({ "!": eq })
            }
        }
        (CmpOp::Contains, _) => json!({ "in": [v, subject] }),
        (CmpOp::Eq, false) => json!({ "===": [subject, v] }),
        (CmpOp::Ne, false) => json!({ "!==": [subject, v] }),
        (CmpOp::In, _) => json!({ "in": [subject, v] }),
        (CmpOp::Lt, _) => json!({ "<": [subject, v] }),
        (CmpOp::Lte, _) => json!({ "<=": [subject, v] }),
        (CmpOp::Gt, _) => json!({ ">": [subject, v] }),
        (CmpOp::Gte, _) => json!({ ">=": [subject, v] }),
        // An operator this exporter does not know fails loudly in any JsonLogic engine.
        (other, _) => json!({ "unsupported": other.as_str() }),
    }
}

/// A condition of `doc` as JsonLogic, with named conditions and tables inlined.
///
/// # Errors
/// `NESTING_TOO_DEEP` past [`MAX_DEPTH`], `TOO_LARGE` past [`MAX_NODES`], located at `$`.
pub fn condition(doc: &RulesetDoc, c: &ConditionDoc) -> Result<Value, Diagnostic> {
    let mut e = Exporter::new(doc);
    if e.measure(c, 0)?.nodes > MAX_NODES {
        return Err(e.fail(
            Code::TooLarge,
            format!("the condition would have more than {MAX_NODES} JsonLogic nodes"),
        ));
    }
    e.condition(c, 0)
}

/// How many condition nodes the export of `rs` has, measured without building it.
///
/// # Errors
/// As [`export`].
pub fn size(rs: &Ruleset) -> Result<u64, Diagnostic> {
    Exporter::new(rs.document()).measure_all()
}

/// The whole export: requirements (`applies`, `met`), tables, and checklists.
///
/// # Errors
/// `NESTING_TOO_DEEP` when inlining goes deeper than [`MAX_DEPTH`], `TOO_LARGE` when the
/// export would pass [`MAX_NODES`]: located at the requirement or table where it happens, with
/// the chain of named conditions and tables being inlined.
pub fn export(rs: &Ruleset) -> Result<Value, Diagnostic> {
    let doc = rs.document();
    let mut e = Exporter::new(doc);
    e.measure_all()?;
    let mut requirements = Vec::new();
    for (i, r) in doc.requirements.iter().enumerate() {
        requirements.push(e.requirement(i, r)?);
    }
    let mut tables = Vec::new();
    for (i, t) in doc.tables.iter().enumerate() {
        e.root = (format!("$.tables[{i}]"), t.id.clone());
        tables.push(json!({ "id": t.id, "logic": e.table(t, 0)? }));
    }
    let checklists: Vec<Value> = doc
        .checklists
        .iter()
        .map(|c| json!({ "id": c.id, "requirements": c.requirements, "tables": c.tables }))
        .collect();
    Ok(json!({
        "format": "homeward-jsonlogic-1",
        "ruleset": { "id": rs.id(), "version": rs.version(), "hash": rs.hash() },
        "status_rule": "not_applicable if !applies; met if met; else not_met (complete patients only)",
        "requirements": requirements, "tables": tables, "checklists": checklists,
    }))
}

fn insert(map: &mut serde_json::Map<String, Value>, path: &[&str], v: &Value) {
    match path {
        [] => {}
        [last] => {
            map.insert((*last).to_string(), v.clone());
        }
        [first, rest @ ..] => {
            let entry = map
                .entry((*first).to_string())
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(serde_json::Map::new());
            }
            if let Value::Object(m) = entry {
                insert(m, rest, v);
            }
        }
    }
}

/// Turns flat facts (`{"a.b": 1}`) into the nested data JsonLogic reads (`{"a": {"b": 1}}`).
#[must_use]
pub fn nest(facts: &Value) -> Value {
    let mut root = serde_json::Map::new();
    if let Some(obj) = facts.as_object() {
        for (k, v) in obj {
            let parts: Vec<&str> = k.split('.').collect();
            insert(&mut root, &parts, v);
        }
    }
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::{size, MAX_NODES};

    #[test]
    fn bundled_rulesets_are_far_under_the_budget() {
        let national = homeward::Ruleset::from_json(homeward::bundled::NATIONAL_JSON).unwrap();
        let n = size(&national).unwrap();
        assert!((200..2_000).contains(&n), "{n} nodes");
        assert!(n * 100 < MAX_NODES);
    }

    /// Dates become day numbers; the as-of date is the top-level `as_of`; offsets add days.
    #[test]
    fn dates_compare_as_day_numbers() {
        use super::date_operand;
        use serde_json::json;
        assert_eq!(date_operand(&json!("2026-03-01")), Some(json!(20513)));
        assert_eq!(
            date_operand(&json!(["1970-01-01", "1970-01-03"])),
            Some(json!([0, 2]))
        );
        assert_eq!(
            date_operand(&json!({ "as_of": true })),
            Some(json!({ "var": "as_of" }))
        );
        assert_eq!(
            date_operand(&json!({ "as_of": true, "plus_days": -7 })),
            Some(json!({ "-": [{ "var": "as_of" }, 7] }))
        );
        assert_eq!(
            date_operand(&json!({ "fact": "a.b", "plus_days": 2 })),
            Some(json!({ "+": [{ "var": "a.b" }, 2] }))
        );
        assert_eq!(date_operand(&json!("2026-02-31")), None);
        // The national rules, with their dates, export.
        let national = homeward::Ruleset::from_json(homeward::bundled::NATIONAL_JSON).unwrap();
        let v = super::export(&national).unwrap();
        let long = v["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "long_stay_21_days")
            .unwrap();
        assert_eq!(
            long["applies"],
            json!({ "<=": [{ "var": "clinical.admission_date" }, { "-": [{ "var": "as_of" }, 21] }] })
        );
    }
}
