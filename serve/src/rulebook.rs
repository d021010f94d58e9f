//! The rulebook as a web page (`GET /rulebook`): every requirement and table of the loaded
//! ruleset in plain English with owner and citation, each requirement heading anchored by its
//! id, so a card can link to `/rulebook#key_safe`. Raw HTML in rule text is shown as text.

use homeward::Ruleset;
use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Gives each heading that carries a code span (`(`key_safe`)`) that code as its `id`.
fn anchor(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut heading: Option<usize> = None;
    for event in events {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                heading = Some(out.len());
                out.push(event);
            }
            Event::End(TagEnd::Heading(_)) => {
                heading = None;
                out.push(event);
            }
            Event::Code(code) => {
                if let Some(Some(Event::Start(Tag::Heading { id, .. }))) =
                    heading.map(|i| out.get_mut(i))
                {
                    if id.is_none() {
                        *id = Some(CowStr::from(code.to_string()));
                    }
                }
                out.push(Event::Code(code));
            }
            Event::Html(raw) | Event::InlineHtml(raw) => out.push(Event::Text(raw)),
            other => out.push(other),
        }
    }
    out
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#212b32}\
h4{margin-top:2rem;border-top:1px solid #d8dde0;padding-top:1rem}:target{background:#fff9c4}\
code{background:#f0f4f5;padding:0 .2em}table{border-collapse:collapse}td,th{border:1px solid #d8dde0;padding:.25rem .5rem}";

/// The rulebook page for a ruleset.
#[must_use]
pub fn page(rs: &Ruleset) -> String {
    let markdown = homeward_interop::rulebook::single(rs);
    let events: Vec<Event<'_>> = Parser::new_ext(&markdown, Options::ENABLE_TABLES).collect();
    let mut body = String::new();
    html::push_html(&mut body, anchor(events).into_iter());
    let mut title = String::new();
    html::push_html(
        &mut title,
        core::iter::once(Event::Text(CowStr::from(format!(
            "Homeward rulebook: {} {}",
            rs.id(),
            rs.version()
        )))),
    );
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><style>{STYLE}</style></head><body><main>\n{body}</main></body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_headings_are_anchored_by_id() {
        let rs = Ruleset::national().unwrap_or_else(|e| panic!("{e}"));
        let html = page(&rs);
        assert!(
            html.contains("id=\"key_safe\""),
            "{}",
            &html[..2000.min(html.len())]
        );
        assert!(html.contains("<title>Homeward rulebook: england-national"));
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let events: Vec<Event<'_>> = Parser::new("a <script>alert(1)</script> b").collect();
        let mut out = String::new();
        html::push_html(&mut out, anchor(events).into_iter());
        assert!(!out.contains("<script>"), "{out}");
    }
}
