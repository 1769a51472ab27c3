//! The handoff document as HTML for the board: CommonMark (with tables,
//! strikethrough and task lists) through pulldown-cmark, made safe for a
//! page that shows what teammates commit. Raw HTML in the document is shown
//! as text (an HTML block as code), links go only to web, mail or in-page
//! addresses, and images become their alt text (the board loads nothing
//! from elsewhere).

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

/// `doc` as safe HTML.
pub fn to_html(doc: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION;
    let events = Parser::new_ext(doc, options).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::HtmlBlock) => {
            Some(Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(CowStr::from("")))))
        }
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::CodeBlock)),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let dest_url = if safe_url(&dest_url) { dest_url } else { CowStr::from("#") };
            Some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
        }
        // The alt text, which comes between these, stays as text.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        other => Some(other),
    });
    let mut out = String::with_capacity(doc.len() + doc.len() / 4);
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// Whether a link may point at `url`: http(s), mail, an anchor, or a path
/// without a scheme (which stays on the board). `javascript:`, `data:` and
/// every other scheme may not.
fn safe_url(url: &str) -> bool {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:")
    {
        return true;
    }
    // A scheme is letters, digits, `+`, `-` and `.` before the first `:`;
    // a `:` after a `/`, `?` or `#` is part of a path.
    match url.find([':', '/', '?', '#']) {
        Some(i) => url.as_bytes()[i] != b':',
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_rendered_and_what_could_run_is_not() {
        let html = to_html(
            "# Handoff: Plan\n\n- [x] schema\n- [ ] code\n\n<script>alert(1)</script>\n\n\
             Inline <b onclick=\"x()\">bold</b> and [a link](javascript:alert(2)), \
             [ok](https://example.com), [data](DATA:text/html,x), [rel](notes/a:b) \
             ![tracker](https://evil.example/p.png)\n",
        );
        assert!(html.contains("<h1>Handoff: Plan</h1>"), "{html}");
        assert!(
            html.contains("<li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>"),
            "{html}"
        );
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<b onclick") && html.contains("&lt;b onclick"), "{html}");
        assert!(html.contains("<a href=\"#\">a link</a>"), "{html}");
        assert!(html.contains("<a href=\"https://example.com\">ok</a>"), "{html}");
        assert!(html.contains("<a href=\"#\">data</a>"), "{html}");
        assert!(html.contains("<a href=\"notes/a:b\">rel</a>"), "{html}");
        assert!(!html.contains("<img") && html.contains("tracker"), "{html}");
    }

    #[test]
    fn deep_nesting_and_size_do_not_stall() {
        let deep = ">".repeat(50_000) + " x\n" + &"- ".repeat(20_000) + "y\n";
        let html = to_html(&deep);
        assert!(html.contains('x') && html.contains('y'));
        let wide = "| a | b |\n|---|---|\n".to_string() + &"| 1 | 2 |\n".repeat(20_000);
        assert!(to_html(&wide).matches("<tr>").count() > 20_000);
    }
}
