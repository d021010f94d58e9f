//! The rulebook: every requirement and table of a ruleset in plain English with owner, delay
//! category and citation, for clinicians and social workers to review (`docs/rules.md`,
//! `homeward rulebook`, and the CDS service's rulebook page).

use homeward::wire::{ConditionDoc, OutputValue, RulesetDoc};
use homeward::Ruleset;
use std::fmt::Write;

fn words<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

fn output(v: &OutputValue) -> String {
    match v {
        OutputValue::Bool(b) => b.to_string(),
        OutputValue::Int(i) => i.to_string(),
        OutputValue::Str(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// "1 day", "7 days".
fn days(n: u64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// A date comparison in words: "is on or before today", "is at least 7 days before today",
/// "is after 2026-12-01", "is on or before 2 days after “…”".
fn date_english(
    op: homeward::wire::CmpOp,
    v: &homeward::Value,
    fact: &dyn Fn(&str) -> String,
) -> String {
    use homeward::wire::CmpOp;
    let plain = |op: CmpOp| match op {
        CmpOp::Eq => "is",
        CmpOp::Ne => "is not",
        CmpOp::Lt => "is before",
        CmpOp::Lte => "is on or before",
        CmpOp::Gt => "is after",
        CmpOp::Gte => "is on or after",
        other => other.as_str(),
    };
    let (base, plus) = match v {
        homeward::Value::String(d) => return format!("{} {d}", plain(op)),
        homeward::Value::Array(list) => {
            let ds: Vec<&str> = list.iter().filter_map(homeward::Value::as_str).collect();
            return format!("is one of {}", ds.join(" / "));
        }
        homeward::Value::Object(o) => {
            let base = match o.get("fact").and_then(homeward::Value::as_str) {
                Some(id) => fact(id),
                None => "today".to_string(),
            };
            let plus = o
                .get("plus_days")
                .and_then(homeward::Value::as_i64)
                .unwrap_or(0);
            (base, plus)
        }
        other => return format!("{} {other}", plain(op)),
    };
    if plus == 0 {
        return format!("{} {base}", plain(op));
    }
    let n = days(plus.unsigned_abs());
    if plus < 0 {
        // d ≤ base − n: at least n days before base; d < base − n: more than n days before.
        match op {
            CmpOp::Lte => format!("is at least {n} before {base}"),
            CmpOp::Lt => format!("is more than {n} before {base}"),
            CmpOp::Gte => format!("is no more than {n} before {base}"),
            CmpOp::Gt => format!("is less than {n} before {base}"),
            CmpOp::Eq => format!("is exactly {n} before {base}"),
            other => format!("{} {n} before {base}", plain(other)),
        }
    } else {
        match op {
            CmpOp::Lte => format!("is no more than {n} after {base}"),
            CmpOp::Lt => format!("is less than {n} after {base}"),
            CmpOp::Gte => format!("is at least {n} after {base}"),
            CmpOp::Gt => format!("is more than {n} after {base}"),
            CmpOp::Eq => format!("is exactly {n} after {base}"),
            other => format!("{} {n} after {base}", plain(other)),
        }
    }
}

/// When every part is `contains` on one set fact: that fact and the options.
fn same_set_fact(cs: &[ConditionDoc]) -> Option<(&str, Vec<String>)> {
    let mut id = None;
    let mut opts = Vec::new();
    for c in cs {
        let ConditionDoc::Fact(f, homeward::wire::CmpOp::Contains, homeward::Value::String(o)) = c
        else {
            return None;
        };
        if *id.get_or_insert(f.as_str()) != f.as_str() {
            return None;
        }
        opts.push(o.clone());
    }
    id.map(|i| (i, opts))
}

/// A condition in plain English, using each fact's question where that reads well.
fn english(doc: &RulesetDoc, c: &ConditionDoc) -> String {
    let fact = |id: &str| {
        doc.facts
            .iter()
            .find(|f| f.id == id)
            .map_or_else(|| format!("`{id}`"), |f| format!("“{}”", f.question))
    };
    let label = |id: &str, v: &homeward::Value| -> String {
        let opts = doc
            .facts
            .iter()
            .find(|f| f.id == id)
            .and_then(|f| f.options.clone())
            .unwrap_or_default();
        let one = |x: &homeward::Value| match x.as_str() {
            Some(s) => opts
                .iter()
                .find(|o| o.id == s)
                .map_or_else(|| s.to_string(), |o| o.label.clone()),
            None => x.to_string(),
        };
        match v {
            homeward::Value::Array(a) if a.is_empty() => "none".into(),
            homeward::Value::Array(a) => a.iter().map(one).collect::<Vec<_>>().join(" / "),
            homeward::Value::Bool(true) => "yes".into(),
            homeward::Value::Bool(false) => "no".into(),
            other => one(other),
        }
    };
    let join = |cs: &[ConditionDoc], sep: &str| {
        cs.iter()
            .map(|c| english(doc, c))
            .collect::<Vec<_>>()
            .join(sep)
    };
    match c {
        ConditionDoc::Const(true) => "always".into(),
        ConditionDoc::Const(false) => "never".into(),
        ConditionDoc::All(cs) => format!("({})", join(cs, " AND ")),
        ConditionDoc::Any(cs) => format!("({})", join(cs, " OR ")),
        ConditionDoc::Not(c) => format!("NOT {}", english(doc, c)),
        ConditionDoc::AtLeast(n, cs) => match same_set_fact(cs) {
            Some((id, opts)) => {
                let labels: Vec<String> = opts
                    .iter()
                    .map(|o| label(id, &homeward::Value::String(o.clone())))
                    .collect();
                format!(
                    "{} includes at least {n} of: {}",
                    fact(id),
                    labels.join("; ")
                )
            }
            None => format!("at least {n} of ({})", join(cs, "; ")),
        },
        ConditionDoc::Fact(id, op, v)
            if doc
                .facts
                .iter()
                .any(|f| f.id == *id && f.kind == homeward::wire::FactKind::Date) =>
        {
            format!("{} {}", fact(id), date_english(*op, v, &fact))
        }
        ConditionDoc::Fact(id, op, v) => {
            let op = match op {
                homeward::wire::CmpOp::Eq => "is",
                homeward::wire::CmpOp::Ne => "is not",
                homeward::wire::CmpOp::In => "is one of",
                homeward::wire::CmpOp::Lt => "is less than",
                homeward::wire::CmpOp::Lte => "is at most",
                homeward::wire::CmpOp::Gt => "is more than",
                homeward::wire::CmpOp::Gte => "is at least",
                homeward::wire::CmpOp::Contains => "includes",
                other => other.as_str(),
            };
            format!("{} {op} {}", fact(id), label(id, v))
        }
        ConditionDoc::Known(id) => format!("{} has been answered", fact(id)),
        ConditionDoc::Ref(name) => format!("*{}*", name.replace('_', " ")),
        ConditionDoc::Decision(id, op, v) => {
            let title = doc
                .tables
                .iter()
                .find(|t| t.id == *id)
                .map_or(id.as_str(), |t| t.title.as_str());
            format!("decision “{title}” {} {v}", words(op))
        }
        other => other.to_value().to_string(),
    }
}

fn cite(c: &homeward::wire::Citation) -> String {
    match &c.note {
        Some(n) => format!("{} — {n}", c.source),
        None => c.source.clone(),
    }
}

/// Renders one ruleset's rulebook section.
fn render(out: &mut String, rs: &Ruleset, overlay_of: Option<&Ruleset>) {
    let doc = rs.document();
    let _ = writeln!(out, "## {} (`{}` {})\n", doc.title, doc.id, doc.version);
    let _ = writeln!(out, "Content hash `{}`.\n", rs.hash());
    let base_reqs: Vec<_> = overlay_of
        .map(|b| b.document().requirements.clone())
        .unwrap_or_default();
    if overlay_of.is_none() {
        let _ = writeln!(out, "### Named conditions\n");
        for (name, c) in &doc.conditions {
            let _ = writeln!(
                out,
                "- *{}*: {}",
                name.replace('_', " "),
                english(doc, &c.when)
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "### Requirements\n");
    for r in &doc.requirements {
        if overlay_of.is_some() && base_reqs.iter().any(|b| b == r) {
            continue;
        }
        let _ = writeln!(out, "#### {} (`{}`)\n", r.title, r.id);
        if let Some(d) = &r.description {
            let _ = writeln!(out, "{d}\n");
        }
        let attribution = r
            .attribution
            .unwrap_or_else(|| r.owner.default_attribution());
        let _ = writeln!(
            out,
            "- **Kind:** {}{}",
            words(&r.kind),
            if r.primary {
                " (primary: reported as the cause)"
            } else {
                ""
            }
        );
        let _ = writeln!(
            out,
            "- **Owner:** {} · **attribution:** {} · **delay category:** {}",
            words(&r.owner),
            words(&attribution),
            r.delay_category.map_or_else(|| "—".into(), |d| words(&d))
        );
        let _ = writeln!(
            out,
            "- **Applies when:** {}",
            r.applies_when
                .as_ref()
                .map_or_else(|| "always".into(), |c| english(doc, c))
        );
        let _ = writeln!(out, "- **Met when:** {}", english(doc, &r.met_when));
        let _ = writeln!(out, "- **Action:** {}", r.action);
        if let Some(x) = &r.referral {
            let _ = writeln!(out, "- **Referral:** {x}");
        }
        let _ = writeln!(out, "- **Source:** {}\n", cite(&r.citation));
    }
    let _ = writeln!(out, "### Decision tables\n");
    for t in &doc.tables {
        if let Some(b) = overlay_of {
            if b.document().tables.iter().any(|x| x == t) {
                continue;
            }
        }
        let _ = writeln!(out, "#### {} (`{}`)\n", t.title, t.id);
        if let Some(d) = &t.description {
            let _ = writeln!(out, "{d}\n");
        }
        let _ = writeln!(out, "First matching row wins; an unanswered row before the first match leaves the decision undetermined.\n");
        let _ = writeln!(out, "| # | when | outcome | source |\n|---|---|---|---|");
        let label = |v: &OutputValue| {
            t.outputs
                .iter()
                .find(|o| o.value == *v)
                .map_or_else(|| output(v), |o| o.label.clone())
        };
        for (i, row) in t.rows.iter().enumerate() {
            let note = row
                .note
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {}{note} | {} | {} |",
                i + 1,
                english(doc, &row.when).replace('|', "/"),
                label(&row.output),
                cite(&row.citation).replace('|', "/")
            );
        }
        let _ = writeln!(
            out,
            "| — | otherwise | {} | {} |\n",
            label(&t.default),
            cite(&t.citation).replace('|', "/")
        );
    }
    let _ = writeln!(out, "### Checklists\n");
    for c in &doc.checklists {
        let _ = writeln!(
            out,
            "- **{}** (`{}`): {} requirements, tables: {}",
            c.title,
            c.id,
            c.requirements.len(),
            if c.tables.is_empty() {
                "none".into()
            } else {
                c.tables.join(", ")
            }
        );
        if let Some(q) = &c.question {
            let _ = writeln!(out, "  - answers: *{q}*");
        }
        if let Some(v) = &c.verdicts {
            let _ = writeln!(
                out,
                "  - verdicts: ready \"{}\"; not ready \"{}\"; not yet known \"{}\"",
                v.ready, v.not_ready, v.undetermined
            );
        }
    }
    let _ = writeln!(out);
}

/// The full rulebook text.
///
/// # Errors
/// When a bundled ruleset does not load.
pub fn generate() -> Result<String, String> {
    let national = Ruleset::national().map_err(|e| e.to_string())?;
    let mut out = String::from("# Homeward rulebook\n\nGenerated by `cargo xtask rulebook` from the bundled rulesets; do not edit by hand. \
Every requirement and decision table is listed with who owns it, the delay category it is reported under and the source it cites. \
Sources are files in the project's domain sources (e.g. `001_21fc488cac143edb.txt`) or public guidance URLs.\n\n");
    render(&mut out, &national, None);
    for (id, _, _) in homeward::bundled::OVERLAYS {
        let rs = Ruleset::national_with(&[id]).map_err(|e| e.to_string())?;
        render(&mut out, &rs, Some(&national));
    }
    Ok(out)
}

/// The rulebook of one (possibly overlaid) ruleset.
#[must_use]
pub fn single(rs: &Ruleset) -> String {
    let mut out = String::from("# Homeward rulebook\n\n");
    render(&mut out, rs, None);
    out
}

#[cfg(test)]
mod tests {
    use super::date_english;
    use homeward::wire::CmpOp;
    use serde_json::json;

    #[test]
    fn date_comparisons_read_as_english() {
        let fact = |id: &str| format!("“{id}”");
        let say = |op, v: serde_json::Value| date_english(op, &v.into(), &fact);
        assert_eq!(
            say(CmpOp::Lte, json!({"as_of": true})),
            "is on or before today"
        );
        assert_eq!(say(CmpOp::Gt, json!({"as_of": true})), "is after today");
        assert_eq!(
            say(CmpOp::Lte, json!({"as_of": true, "plus_days": -7})),
            "is at least 7 days before today"
        );
        assert_eq!(
            say(CmpOp::Lte, json!({"as_of": true, "plus_days": -1})),
            "is at least 1 day before today"
        );
        assert_eq!(
            say(CmpOp::Gt, json!({"as_of": true, "plus_days": -21})),
            "is less than 21 days before today"
        );
        assert_eq!(
            say(CmpOp::Gte, json!({"as_of": true, "plus_days": -42})),
            "is no more than 42 days before today"
        );
        assert_eq!(
            say(CmpOp::Lte, json!({"fact": "b", "plus_days": 2})),
            "is no more than 2 days after “b”"
        );
        assert_eq!(say(CmpOp::Gte, json!({"fact": "b"})), "is on or after “b”");
        assert_eq!(say(CmpOp::Lt, json!("2026-12-01")), "is before 2026-12-01");
        assert_eq!(
            say(CmpOp::In, json!(["2026-11-01", "2026-12-01"])),
            "is one of 2026-11-01 / 2026-12-01"
        );
    }
}
