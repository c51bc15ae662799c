//! Product documentation: Markdown rendered into HTML that is safe to show. Raw HTML in
//! the source is escaped (shown as text, never run), and only http(s), mailto, relative
//! and fragment links survive; anything else (`javascript:`, `data:` …) becomes `#`.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// Renders Markdown to safe HTML.
pub fn render(source: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(source, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: safe_url(dest_url), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url: safe_url(dest_url), title, id })
        }
        other => other,
    });
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let first_special = lower.find(['/', '?', '#']);
    let relative = match (scheme_end, first_special) {
        (None, _) => true,
        (Some(colon), Some(special)) => special < colon,
        (Some(_), None) => false,
    };
    let allowed = relative
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:");
    if allowed { url } else { CowStr::Borrowed("#") }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_renders_headings_code_and_tables() {
        let html = render("# Payments\n\nUse `POST /pay`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(html.contains("<h1>Payments</h1>"), "{html}");
        assert!(html.contains("<code>POST /pay</code>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
    }

    #[test]
    fn scripts_and_dangerous_links_do_not_survive() {
        let html = render(
            "<script>alert(1)</script>\n\nHi <img src=x onerror=alert(2)>\n\n\
             [click](javascript:alert(3)) [ok](https://example.com) [rel](/docs#a) \
             ![p](data:text/html;base64,xx) [m](mailto:a@b.c) [x](JaVaScRiPt:alert(4))",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(!html.contains("data:text"), "{html}");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(html.contains("href=\"/docs#a\""), "{html}");
        assert!(html.contains("href=\"mailto:a@b.c\""), "{html}");
    }
}
