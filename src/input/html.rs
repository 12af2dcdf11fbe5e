//! Main-content extraction from scraped article pages.
//!
//! Pages carry navigation, cookie notices, share buttons and donation appeals around the
//! article; tagging those would bury the claims in noise. `dom_smoothie` is a maintained Rust
//! port of Mozilla's Readability (the algorithm behind Firefox's reader view), so it picks the
//! article the way readers already trust. The document is the extracted text: the headline, a
//! blank line, then the paragraphs separated by blank lines; every offset in the output refers
//! to that text.

use dom_smoothie::{Config, Readability, TextMode};

/// Class and id fragments of page parts that are never the article; see the file's header.
const PAGE_FURNITURE: &str = include_str!("page_furniture.txt");

/// Elements that are the page or the article itself, whatever their classes say
/// (`<body class="has-cookie-banner">` is common).
const NEVER_FURNITURE: &[&str] = &["html", "head", "body", "main", "article"];

/// The headline and body text of the article in `html`, or `None` when the page has no
/// readable content.
pub fn extract_article(html: &str) -> Option<String> {
    let page = dom_query::Document::from(html);
    remove_furniture(&page);
    let config = Config { text_mode: TextMode::Formatted, ..Config::default() };
    let article = Readability::with_document(page, None, Some(config)).ok()?.parse().ok()?;
    let body = tidy(&article.text_content);
    if body.is_empty() {
        return None;
    }
    let title = article.title.trim();
    // Readability often repeats the headline as the body's first line.
    if title.is_empty() || body.starts_with(title) {
        Some(body)
    } else {
        Some(format!("{title}\n\n{body}"))
    }
}

fn remove_furniture(page: &dom_query::Document) {
    let fragments = PAGE_FURNITURE.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#'));
    let selector = fragments
        .map(|fragment| format!("[class*=\"{fragment}\"], [id*=\"{fragment}\"]"))
        .collect::<Vec<_>>()
        .join(", ");
    let page_text = page.text().len();
    for node in page.select(&selector).nodes() {
        let name = node.node_name().map(|name| name.to_lowercase()).unwrap_or_default();
        // A wrapper holding most of the text is the article's container, however it is named.
        if !NEVER_FURNITURE.contains(&name.as_str()) && node.text().len() * 2 < page_text {
            node.remove_from_parent();
        }
    }
}

/// Trims every line and keeps at most one blank line between paragraphs.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank_run = !out.is_empty();
            continue;
        }
        if blank_run {
            out.push_str("\n\n");
        } else if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
        blank_run = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html><head><title>ISW: Putin aims to stall talks</title></head><body class="single has-cookie-banner">
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/donate">Support us</a></nav>
<div id="cookie-notice">We use cookies to improve your experience. Accept all cookies?</div>
<article><h1>ISW: Putin aims to stall talks</h1>
<p>The Institute for the Study of War (ISW) said on 12 March that Vladimir Putin is trying to stall negotiations with Ukraine while his forces advance in Donetsk Oblast.</p>
<p>“Russia is not interested in a ceasefire,” Volodymyr Zelensky said in his nightly address, adding that Moscow had rejected every proposal made so far by Kyiv and its partners.</p>
<p>According to The New York Times, European officials expect the talks to resume next month in Istanbul, though no date has been set and the Kremlin has not confirmed.</p>
</article>
<div class="donation-appeal">Dear reader, independent journalism needs your help. Donate now!</div>
<footer>© 2024 Example Press. All rights reserved.</footer></body></html>"#;

    #[test]
    fn the_article_is_kept_and_the_page_furniture_dropped() {
        let text = extract_article(PAGE).expect("the page has an article");
        assert!(text.starts_with("ISW: Putin aims to stall talks\n\n"), "{text}");
        assert!(text.contains("“Russia is not interested in a ceasefire,” Volodymyr Zelensky said"), "{text}");
        assert!(text.contains("\n\nAccording to The New York Times"), "paragraphs stay apart: {text}");
        for furniture in ["cookies", "Donate now", "All rights reserved", "Support us"] {
            assert!(!text.contains(furniture), "{furniture:?} should be dropped: {text}");
        }
    }

    #[test]
    fn a_furniture_class_on_the_article_container_does_not_drop_the_article() {
        let page = PAGE.replace("<article>", "<article class=\"share-buttons-below\">");
        assert!(extract_article(&page).unwrap().contains("Volodymyr Zelensky said"));
    }

    #[test]
    fn a_page_without_text_has_no_article() {
        assert_eq!(extract_article("<html><body><img src=x></body></html>"), None);
        assert_eq!(extract_article(""), None);
    }
}
