//! Homeward conditions as FHIRPath over the QuestionnaireResponse being filled in, for SDC
//! `enableWhenExpression` and root `variable`s. FHIRPath's `and`, `or` and `not()` treat the
//! empty collection as unknown exactly as Homeward's Kleene logic does, so every condition keeps
//! its three values: true, false, or empty (unknown, e.g. a question not answered yet).
//! Named conditions and decision tables become root variables (`%cName`, `%tTable`), written
//! once and in dependency order, so nothing is inlined twice.

use super::NONE_CODE;
use homeward::wire::{CmpOp, ConditionDoc, FactDoc, FactKind, OutputValue, RulesetDoc, TableDoc};
use std::collections::{BTreeMap, BTreeSet};

/// A FHIRPath string literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The variable name of a named condition (`c`) or table (`t`): a FHIR `id` (no `_`, at most
/// 64 characters) that is also a FHIRPath identifier, e.g. `tPathway`, `cNoCriteriaToReside`.
fn var(prefix: char, id: &str) -> String {
    let camel: String = id
        .split(['_', '.'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect();
    let name = format!("{prefix}{camel}");
    if name.len() <= 64 {
        name
    } else {
        // Long ids keep a readable start and a hash of the whole id, so names stay distinct.
        let hash = crate::sha256_hex(id.as_bytes());
        format!(
            "{}{}",
            name.get(..48).unwrap_or(&name),
            hash.get(..15).unwrap_or("")
        )
    }
}

fn answers(fact: &str) -> String {
    format!(
        "%resource.repeat(item).where(linkId = {}).answer",
        lit(fact)
    )
}

/// A fact's value: a boolean, an integer, an option code, or (for a set) the codes chosen.
fn value(fact: &FactDoc) -> String {
    match fact.kind {
        FactKind::Bool | FactKind::Int | FactKind::Date => {
            format!("{}.value", answers(&fact.id))
        }
        FactKind::Enum | FactKind::Set => format!("{}.value.code", answers(&fact.id)),
        // A fact type added after this exporter: its expressions are refused where used.
        _ => "{}".into(),
    }
}

fn output(v: &OutputValue) -> String {
    match v {
        OutputValue::Bool(b) => b.to_string(),
        OutputValue::Int(i) => i.to_string(),
        OutputValue::Str(s) => lit(s),
        _ => "{}".into(),
    }
}

/// `(a | b | c)`, a collection literal; `{}` when empty.
fn union(items: &[String]) -> String {
    if items.is_empty() {
        "{}".into()
    } else {
        format!("({})", items.join(" | "))
    }
}

/// The option ids an operand names (one id or an array of ids).
fn ids(v: &homeward::Value) -> Vec<String> {
    match v {
        homeward::Value::String(s) => vec![s.clone()],
        homeward::Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Compiles conditions of one ruleset, collecting the named conditions and tables they use.
pub(crate) struct Compiler<'a> {
    doc: &'a RulesetDoc,
    /// Variables in dependency order: (name, expression).
    pub vars: Vec<(String, String)>,
    /// The variable name given to each (kind, id), distinct even when two ids read alike.
    names: BTreeMap<(char, String), String>,
    done: BTreeSet<String>,
    visiting: BTreeSet<String>,
}

impl<'a> Compiler<'a> {
    pub(crate) fn new(doc: &'a RulesetDoc) -> Self {
        Compiler {
            doc,
            vars: Vec::new(),
            names: BTreeMap::new(),
            done: BTreeSet::new(),
            visiting: BTreeSet::new(),
        }
    }

    /// The variable name for a named condition (`c`) or table (`t`).
    fn name(&mut self, kind: char, id: &str) -> String {
        if let Some(n) = self.names.get(&(kind, id.to_string())) {
            return n.clone();
        }
        let base = var(kind, id);
        let mut name = base.clone();
        let mut i = 2;
        while self.names.values().any(|n| *n == name) {
            name = format!("{}{i}", base.get(..60).unwrap_or(&base));
            i += 1;
        }
        self.names.insert((kind, id.to_string()), name.clone());
        name
    }

    /// The condition as a FHIRPath expression giving true, false or empty (unknown); an error
    /// names what cannot be expressed.
    pub(crate) fn cond(&mut self, c: &ConditionDoc) -> Result<String, String> {
        Ok(match c {
            ConditionDoc::Const(b) => b.to_string(),
            ConditionDoc::All(cs) | ConditionDoc::Any(cs) if cs.is_empty() => {
                matches!(c, ConditionDoc::All(_)).to_string()
            }
            ConditionDoc::All(cs) => self.join(cs, " and ")?,
            ConditionDoc::Any(cs) => self.join(cs, " or ")?,
            ConditionDoc::Not(inner) => format!("({}).not()", self.cond(inner)?),
            ConditionDoc::AtLeast(n, cs) => {
                let mut trues = Vec::new();
                let mut possible = Vec::new();
                for part in cs {
                    let e = self.cond(part)?;
                    trues.push(format!("iif({e}, 1, 0)"));
                    possible.push(format!("iif(({e}).not(), 0, 1)"));
                }
                format!(
                    "iif(({}) >= {n}, true, iif(({}) < {n}, false, {{}}))",
                    trues.join(" + "),
                    possible.join(" + ")
                )
            }
            ConditionDoc::Fact(id, op, v) => self.fact(id, *op, v)?,
            ConditionDoc::Known(id) => format!("{}.exists()", answers(id)),
            ConditionDoc::Ref(name) => {
                let key = self.named(name)?;
                format!("%{key}")
            }
            ConditionDoc::Decision(table, op, v) => self.decision(table, *op, v)?,
            other => {
                return Err(format!(
                    "`{}` has no FHIRPath form in this exporter",
                    other.to_value()
                ))
            }
        })
    }

    fn join(&mut self, cs: &[ConditionDoc], op: &str) -> Result<String, String> {
        let parts: Result<Vec<String>, String> = cs
            .iter()
            .map(|c| self.cond(c).map(|e| format!("({e})")))
            .collect();
        Ok(format!("({})", parts?.join(op)))
    }

    fn fact(&mut self, id: &str, op: CmpOp, v: &homeward::Value) -> Result<String, String> {
        let fact = self
            .doc
            .facts
            .iter()
            .find(|f| f.id == id)
            .ok_or_else(|| format!("unknown fact `{id}`"))?;
        let val = value(fact);
        let unsupported = || format!("`{}` on the {:?} fact `{id}`", op.as_str(), fact.kind);
        let known = |test: String| format!("iif({val}.exists(), {test}, {{}})");
        Ok(match (fact.kind, op) {
            (FactKind::Bool, CmpOp::Eq | CmpOp::Ne) => {
                let b = v.as_bool().ok_or_else(unsupported)?;
                format!("({val} = {})", b == (op == CmpOp::Eq))
            }
            (FactKind::Enum, CmpOp::Eq | CmpOp::Ne | CmpOp::In) => {
                let named = ids(v);
                let options = fact.options.as_deref().unwrap_or_default();
                let allowed: Vec<String> = options
                    .iter()
                    .filter(|o| named.contains(&o.id) != (op == CmpOp::Ne))
                    .map(|o| lit(&o.id))
                    .collect();
                if allowed.is_empty() {
                    known("false".into())
                } else {
                    known(format!("{val} in {}", union(&allowed)))
                }
            }
            (FactKind::Int, CmpOp::In) => {
                let list: Vec<String> = v
                    .as_array()
                    .ok_or_else(unsupported)?
                    .iter()
                    .filter_map(homeward::Value::as_i64)
                    .map(|n| n.to_string())
                    .collect();
                if list.is_empty() {
                    known("false".into())
                } else {
                    known(format!("{val} in {}", union(&list)))
                }
            }
            (FactKind::Int, _) => {
                let n = v.as_i64().ok_or_else(unsupported)?;
                let sym = match op {
                    CmpOp::Eq => "=",
                    CmpOp::Ne => "!=",
                    CmpOp::Lt => "<",
                    CmpOp::Lte => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Gte => ">=",
                    _ => return Err(unsupported()),
                };
                format!("({val} {sym} {n})")
            }
            (FactKind::Date, CmpOp::In) => {
                let list: Vec<String> = v
                    .as_array()
                    .ok_or_else(unsupported)?
                    .iter()
                    .map(|d| d.as_str().map(|d| format!("@{d}")).ok_or_else(unsupported))
                    .collect::<Result<_, _>>()?;
                if list.is_empty() {
                    known("false".into())
                } else {
                    known(format!("{val} in {}", union(&list)))
                }
            }
            (FactKind::Date, _) => {
                let sym = match op {
                    CmpOp::Eq => "=",
                    CmpOp::Ne => "!=",
                    CmpOp::Lt => "<",
                    CmpOp::Lte => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Gte => ">=",
                    _ => return Err(unsupported()),
                };
                format!(
                    "({val} {sym} {})",
                    self.date_operand(v).ok_or_else(unsupported)?
                )
            }
            (FactKind::Set, CmpOp::Contains) => {
                let o = ids(v).into_iter().next().ok_or_else(unsupported)?;
                known(format!("{} in {val}", lit(&o)))
            }
            (FactKind::Set, CmpOp::Eq | CmpOp::Ne) => {
                let want = ids(v);
                let members = format!("{val}.where($this != {})", lit(NONE_CODE));
                let eq = if want.is_empty() {
                    format!("{members}.empty()")
                } else {
                    let list: Vec<String> = want.iter().map(|o| lit(o)).collect();
                    format!(
                        "({members}.count() = {} and {}.subsetOf({val}))",
                        want.len(),
                        union(&list)
                    )
                };
                if op == CmpOp::Eq {
                    known(eq)
                } else {
                    known(format!("({eq}).not()"))
                }
            }
            _ => return Err(unsupported()),
        })
    }

    /// A date operand in FHIRPath: a literal day (`@2026-12-02`), the as-of date as the form
    /// filler's `today()`, or another date question's answer, each moved by `plus_days` as a
    /// calendar duration (`today() - 7 days`). An unanswered date question is empty, so the
    /// comparison stays unknown, as in the engine.
    fn date_operand(&self, v: &homeward::Value) -> Option<String> {
        if let Some(d) = v.as_str() {
            return Some(format!("@{d}"));
        }
        let o = v.as_object()?;
        let base = match (o.get("as_of"), o.get("fact").and_then(|f| f.as_str())) {
            (Some(homeward::Value::Bool(true)), None) => "today()".to_string(),
            (None, Some(id)) => value(self.doc.facts.iter().find(|f| f.id == id)?),
            _ => return None,
        };
        Some(match o.get("plus_days").map(homeward::Value::as_i64) {
            None | Some(Some(0)) => base,
            Some(Some(n)) if n > 0 => format!("({base} + {n} days)"),
            Some(Some(n)) => format!("({base} - {} days)", n.unsigned_abs()),
            Some(None) => return None,
        })
    }

    fn table(&self, id: &str) -> Result<&'a TableDoc, String> {
        self.doc
            .tables
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| format!("unknown table `{id}`"))
    }

    /// `decision op v`: true when every output the table can still give satisfies it, false
    /// when none does, unknown otherwise (as the engine decides it).
    fn decision(&mut self, id: &str, op: CmpOp, v: &homeward::Value) -> Result<String, String> {
        let table = self.table(id)?;
        let named: Vec<OutputValue> = match (op, v) {
            (CmpOp::In, homeward::Value::Array(a)) => {
                a.iter().filter_map(OutputValue::from_json).collect()
            }
            (CmpOp::Eq | CmpOp::Ne, one) => OutputValue::from_json(one).into_iter().collect(),
            _ => return Err(format!("`{}` on decision `{id}`", op.as_str())),
        };
        let allowed: Vec<String> = table
            .outputs
            .iter()
            .filter(|o| named.contains(&o.value) != (op == CmpOp::Ne))
            .map(|o| output(&o.value))
            .collect();
        let key = self.tabled(id)?;
        if allowed.is_empty() {
            return Ok("false".into());
        }
        if allowed.len() == table.outputs.len() {
            return Ok("true".into());
        }
        let t = format!("%{key}");
        let set = union(&allowed);
        Ok(format!(
            "iif({t}.all($this in {set}), true, iif({t}.where($this in {set}).exists(), {{}}, false))"
        ))
    }

    /// Defines the variable of a named condition (after those it depends on).
    fn named(&mut self, name: &str) -> Result<String, String> {
        let key = self.name('c', name);
        if self.done.contains(&key) {
            return Ok(key);
        }
        if !self.visiting.insert(key.clone()) {
            return Err(format!("named condition `{name}` depends on itself"));
        }
        let c = self
            .doc
            .conditions
            .get(name)
            .ok_or_else(|| format!("unknown named condition `{name}`"))?;
        let e = self.cond(&c.when)?;
        self.visiting.remove(&key);
        self.done.insert(key.clone());
        self.vars.push((key.clone(), e));
        Ok(key)
    }

    /// Defines the variable of a table: the collection of outputs it can still give. First hit:
    /// a true row gives its output (with those of the unknown rows before it); an unknown row
    /// adds its output and the search goes on; the default ends the list.
    fn tabled(&mut self, id: &str) -> Result<String, String> {
        let key = self.name('t', id);
        if self.done.contains(&key) {
            return Ok(key);
        }
        if !self.visiting.insert(key.clone()) {
            return Err(format!("table `{id}` depends on itself"));
        }
        let table = self.table(id)?;
        let mut e = output(&table.default);
        for row in table.rows.iter().rev() {
            let c = self.cond(&row.when)?;
            let o = output(&row.output);
            e = format!("iif({c}, {o}, (iif(({c}).not(), {{}}, {o}) | ({e})))");
        }
        self.visiting.remove(&key);
        self.done.insert(key.clone());
        self.vars.push((key.clone(), e));
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::Compiler;
    use homeward::wire::{CmpOp, ConditionDoc};
    use homeward::Ruleset;
    use serde_json::json;

    /// Date comparisons as FHIRPath: literal days as `@YYYY-MM-DD`, the as-of date as the form
    /// filler's `today()`, offsets as calendar durations; another date question by its answer.
    #[test]
    fn date_comparisons_become_fhirpath() {
        let rs = Ruleset::from_json(
            r#"{"id":"d","version":"1","title":"d","sections":[{"id":"a","title":"A"}],
                "facts":[{"id":"a.when","type":"date","section":"a","question":"When?"},
                         {"id":"a.until","type":"date","section":"a","question":"Until?"}]}"#,
        )
        .unwrap();
        let doc = rs.document();
        let mut c = Compiler::new(doc);
        let mut fp = |op: CmpOp, v: serde_json::Value| {
            c.cond(&ConditionDoc::Fact("a.when".into(), op, v.into()))
                .unwrap()
        };
        let when = "%resource.repeat(item).where(linkId = 'a.when').answer.value";
        let until = "%resource.repeat(item).where(linkId = 'a.until').answer.value";
        assert_eq!(
            fp(CmpOp::Lte, json!({"as_of": true, "plus_days": -7})),
            format!("({when} <= (today() - 7 days))")
        );
        assert_eq!(
            fp(CmpOp::Gt, json!({"as_of": true})),
            format!("({when} > today())")
        );
        assert_eq!(
            fp(CmpOp::Lt, json!("2026-12-01")),
            format!("({when} < @2026-12-01)")
        );
        assert_eq!(
            fp(CmpOp::Gte, json!({"fact": "a.until", "plus_days": 2})),
            format!("({when} >= ({until} + 2 days))")
        );
        assert_eq!(
            fp(CmpOp::In, json!(["2026-11-01", "2026-12-01"])),
            format!("iif({when}.exists(), {when} in (@2026-11-01 | @2026-12-01), {{}})")
        );
    }
}
