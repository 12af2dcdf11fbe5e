//! Main-content extraction from scraped article pages.
//!
//! Pages carry navigation, cookie notices, share buttons and donation appeals around the
//! article; tagging those would bury the claims in noise. `dom_smoothie` is a maintained Rust
//! port of Mozilla's Readability (the algorithm behind Firefox's reader view), so it picks the
//! article the way readers already trust. The document is the extracted text: the headline, a
//! blank line, then the paragraphs separated by blank lines; every offset in the output refers
//! to that text.
//!
//! Parsing goes through [`parse_page`], which bounds how deep elements nest, so that no page,
//! however it is built, costs more than time linear in its size or overflows the stack of
//! whatever extractor reads the tree.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use dom_query::{NodeId, NodeRef};
use dom_smoothie::{Article, Config, Readability, TextMode};
use html5ever::interface::Tracer;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use html5ever::tree_builder::{TreeBuilder, TreeBuilderOpts};
use html5ever::{LocalName, TokenizerResult};
use serde_json::{Map, Value};

use crate::document::Span;
use crate::offsets::char_len;

/// Class and id words of page parts that are never the article; see the file's header.
const PAGE_FURNITURE: &str = include_str!("page_furniture.txt");

/// Elements that are the page or the article itself, whatever their classes say
/// (`<body class="has-cookie-banner">` is common).
const NEVER_FURNITURE: &[&str] = &["html", "head", "body", "main", "article"];

/// Elements whose text a reader never sees on the page: counting them made a page's code, often
/// most of its bytes, pass for its text.
const INVISIBLE: &[&str] = &["script", "style", "noscript", "template", "head", "title"];

/// A body with fewer words than this share of the page's visible words is reported as
/// suspicious (see [`small_body_warning`]).
pub const SMALL_BODY_SHARE: f64 = 0.1;

/// What [`extract_page`] finds in a web page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// The headline, a blank line, then the paragraphs separated by blank lines.
    pub text: String,
    /// Where the headline is in `text` (code points), when the page has one.
    pub headline: Option<Span>,
    /// The page's own description of itself: `canonical_url`, `published`, `author`, `site_name`,
    /// those that it gives.
    pub meta: Map<String, Value>,
    /// Doubts about the extraction a consumer should see (an article body suspiciously small).
    pub warnings: Vec<String>,
}

/// The headline and body text of the article in `html`, or `None` when the page has no
/// readable content.
pub fn extract_article(html: &str) -> Option<String> {
    extract_page(html).map(|page| page.text)
}

/// The article of the web page `html` with its headline's place, the page's metadata and any
/// warning, or `None` when the page has no readable content.
pub fn extract_page(html: &str) -> Option<Page> {
    let page = parse_page(html);
    let visible_words = visible_words(&page.root());
    let canonical_url = canonical_url(&page);
    remove_furniture(&page.root());
    remove_captions(&page);
    remove_scripts(&page);
    let config = Config { text_mode: TextMode::Formatted, ..Config::default() };
    let article = Readability::with_document(page, None, Some(config)).ok()?.parse().ok()?;
    let body = tidy(&article.text_content);
    if body.is_empty() {
        return None;
    }
    let title = article.title.trim();
    // Readability often repeats the headline as the body's first line.
    let (text, headline) = if title.is_empty() {
        (body, None)
    } else if body.strip_prefix(title).is_some_and(|rest| rest.is_empty() || rest.starts_with('\n')) {
        (body, Some(Span::new(0, char_len(title))))
    } else {
        (format!("{title}\n\n{body}"), Some(Span::new(0, char_len(title))))
    };
    let body_start = if headline.is_some() { title.len() } else { 0 };
    let body_words = count_words(&text[body_start..]);
    let warnings = small_body_warning(body_words, visible_words).into_iter().collect();
    Some(Page { text, headline, meta: page_meta(&article, canonical_url), warnings })
}

/// The warning for an article body of `body_words` words on a page showing `visible_words`: a body
/// that small is more often navigation picked in place of an article than a short article.
pub fn small_body_warning(body_words: usize, visible_words: usize) -> Option<String> {
    let share = body_words as f64 / visible_words.max(1) as f64;
    (share < SMALL_BODY_SHARE).then(|| {
        format!(
            "small_body: the extracted body has {body_words} words of the page's {visible_words} visible words \
             ({:.0}%); it may be navigation rather than the article",
            share * 100.0
        )
    })
}

/// The page's canonical address, from `<link rel=canonical>`, which names the article itself.
fn canonical_url(page: &dom_query::Document) -> Option<String> {
    let link = page.select("link[rel~=\"canonical\"][href]");
    let href = link.attr("href")?;
    let href = href.trim();
    (!href.is_empty()).then(|| href.to_string())
}

/// The record's `meta` for a page: what the page says of itself in JSON-LD, Open Graph and
/// `<meta>` tags, as Readability read them, and the canonical link.
fn page_meta(article: &Article, canonical_url: Option<String>) -> Map<String, Value> {
    let fields = [
        ("canonical_url", canonical_url.or_else(|| article.url.clone())),
        ("published", article.published_time.clone()),
        ("author", article.byline.clone()),
        ("site_name", article.site_name.clone()),
    ];
    fields
        .into_iter()
        .filter_map(|(key, value)| {
            let value = value?.trim().to_string();
            (!value.is_empty()).then(|| (key.to_string(), Value::String(value)))
        })
        .collect()
}

/// How deep [`parse_page`] lets elements nest: Chromium's limit (`kMaximumHTMLParserDOMTreeDepth`),
/// far beyond any real page (news pages nest a few dozen deep).
pub const MAX_ELEMENT_DEPTH: usize = 512;

/// Parses `html` as `dom_query::Document::from` does, except that a start tag met where
/// [`MAX_ELEMENT_DEPTH`] elements are already open is left out (its end tag too), so that what
/// follows becomes a sibling rather than a child: its text is kept, its nesting flattened, as
/// browsers do.
///
/// Without a bound, a page of 30,000 nested `<div>`s (200 KB) took 42 s and then overflowed the
/// stack, aborting the whole run: the tree builder scans the stack of open elements for most
/// start tags (quadratic time), and Readability recurses into the tree (the stack). Under the
/// bound both are at most 512 deep, so time grows linearly with the page.
pub fn parse_page(html: &str) -> dom_query::Document {
    // The options dom_query's own `Document::from` parses with, so ordinary pages parse alike.
    let builder_opts = TreeBuilderOpts { scripting_enabled: false, ..TreeBuilderOpts::default() };
    let builder = TreeBuilder::new(dom_query::Document::default(), builder_opts);
    let limit =
        DepthLimit { builder, left_out: RefCell::default(), skipping: RefCell::default(), gap: Cell::new(false) };
    let tokenizer = Tokenizer::new(limit, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    // The tokenizer pauses after a `</script>` (for a browser to run it) and at a `<meta
    // charset>` (to switch encodings); neither applies to text already decoded.
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    tokenizer.sink.builder.sink
}

/// Passes tokens from the tokenizer to the tree builder, leaving out start tags that would
/// nest deeper than [`MAX_ELEMENT_DEPTH`].
struct DepthLimit {
    builder: TreeBuilder<NodeId, dom_query::Document>,
    /// Start tags left out, by name, not yet matched by an end tag: those end tags are left out
    /// too, so that they do not close an element that is still meant to be open.
    left_out: RefCell<HashMap<LocalName, usize>>,
    /// A script or style sheet in SVG or MathML left out whole, up to its end tag: there its
    /// content is markup, not raw text, and left out without it, its code would be page text.
    skipping: RefCell<Option<LocalName>>,
    /// Whether the last token the tree builder got is a line break in place of tags left out.
    gap: Cell<bool>,
}

impl DepthLimit {
    /// The elements the tree builder holds open, plus the few other elements it keeps a hand
    /// on (the document, the head, active formatting elements): an upper bound on the depth of
    /// the next element, counted in time proportional to it.
    fn open_elements(&self) -> usize {
        struct Count(Cell<usize>);
        impl Tracer for Count {
            type Handle = NodeId;
            fn trace_handle(&self, _: &NodeId) {
                self.0.set(self.0.get() + 1);
            }
        }
        let count = Count(Cell::new(0));
        self.builder.trace_handles(&count);
        count.0.get()
    }

    /// Whether the start tag `tag` goes to the tree builder, and if not, what is left out with it.
    fn admit(&self, tag: &Tag) -> bool {
        if self.open_elements() < MAX_ELEMENT_DEPTH {
            return true;
        }
        let foreign = self.builder.adjusted_current_node_present_but_not_in_html_namespace();
        let name = &*tag.name;
        if !foreign && (VOID.contains(&name) || RAW_TEXT.contains(&name)) {
            // Void elements hold nothing. Raw-text elements hold only text, and must reach the
            // tree builder, which switches the tokenizer to raw text for them: left out, a
            // `<script>`'s code would be read as page text.
            return true;
        }
        if foreign && !tag.self_closing && matches!(name, "script" | "style") {
            *self.skipping.borrow_mut() = Some(tag.name.clone());
        } else if !tag.self_closing {
            // `<x/>` has no end tag to leave out (an HTML `<div/>` is a plain `<div>`, whose end
            // tag then closes an outer one: harmless this deep).
            *self.left_out.borrow_mut().entry(tag.name.clone()).or_default() += 1;
        }
        false
    }

    /// Whether the end tag `tag` goes to the tree builder: not when it ends one left out.
    fn admit_end(&self, tag: &Tag) -> bool {
        let mut left_out = self.left_out.borrow_mut();
        match left_out.get_mut(&tag.name) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        }
    }
}

/// Elements that never hold others (in HTML; in SVG and MathML any element may).
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input", "keygen",
    "link", "meta", "param", "source", "track", "wbr",
];

/// Elements that sit inside a line of text, whose tags need no white space in their place when
/// they are left out (HTML's phrasing content; anything else, custom elements too, is taken for
/// a block).
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "label", "mark",
    "nobr", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u",
    "var",
];

/// Elements whose content is raw text, in HTML (`noscript` is not: scripting is off when parsing).
const RAW_TEXT: &[&str] =
    &["iframe", "noembed", "noframes", "plaintext", "script", "style", "textarea", "title", "xmp"];

impl TokenSink for DepthLimit {
    type Handle = NodeId;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<NodeId> {
        let skipping = self.skipping.borrow().clone();
        let admitted = match (&token, skipping) {
            (Token::EOFToken | Token::ParseError(_), _) => true,
            (Token::TagToken(tag), Some(name)) => {
                if tag.kind == TagKind::EndTag && tag.name == name {
                    *self.skipping.borrow_mut() = None;
                }
                false
            }
            (_, Some(_)) => false,
            (Token::TagToken(tag), None) if tag.kind == TagKind::StartTag => self.admit(tag),
            (Token::TagToken(tag), None) => self.admit_end(tag),
            (_, None) => true,
        };
        match token {
            _ if admitted => {
                self.gap.set(false);
                self.builder.process_token(token, line_number)
            }
            // Without the tags of blocks, their words would run together ("resume.The"). One
            // line break stands for a run of them: a million would be a megabyte of text.
            Token::TagToken(tag) if self.skipping.borrow().is_none() && !PHRASING.contains(&&*tag.name) => {
                if self.gap.replace(true) {
                    return TokenSinkResult::Continue;
                }
                self.builder.process_token(Token::CharacterTokens(StrTendril::from("\n")), line_number)
            }
            _ => TokenSinkResult::Continue,
        }
    }

    fn end(&self) {
        self.builder.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder.adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// The furniture fragments of `page_furniture.txt`, each as its words.
fn furniture_words() -> Vec<Vec<String>> {
    let lines = PAGE_FURNITURE.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#'));
    lines.map(words).collect()
}

/// The words of a class name or id, lowercase: runs of letters and digits, split where a lowercase
/// letter meets an uppercase one (`ArticlePage-content` is `article`, `page`, `content`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        let boundary = !c.is_alphanumeric() || (previous_lower && c.is_uppercase());
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether one of `node`'s class names, or its id, holds the words of a furniture entry in a row,
/// each whole: `modal` is in `modal-window` but not in `modality`, `advert` not in `advertisement`.
fn is_furniture(node: &NodeRef, furniture: &[Vec<String>]) -> bool {
    let class = node.class().unwrap_or_default();
    let id = node.id_attr().unwrap_or_default();
    class.split_whitespace().chain(id.split_whitespace()).any(|name| {
        let name = words(name);
        furniture.iter().any(|entry| !entry.is_empty() && name.windows(entry.len()).any(|run| run == entry.as_slice()))
    })
}

/// How much text a reader sees in a subtree, in letters and digits: all of it, and what lies inside
/// paragraphs (the article's own text, as opposed to menus and link lists).
#[derive(Debug, Clone, Copy, Default)]
struct Weight {
    visible: usize,
    paragraphs: usize,
}

fn weight(node: &NodeRef, in_paragraph: bool) -> Weight {
    if node.is_text() {
        let letters = node.text().chars().filter(|c| c.is_alphanumeric()).count();
        return Weight { visible: letters, paragraphs: if in_paragraph { letters } else { 0 } };
    }
    let name = node.node_name().map(|name| name.to_ascii_lowercase()).unwrap_or_default();
    if INVISIBLE.contains(&name.as_str()) {
        return Weight::default();
    }
    let in_paragraph = in_paragraph || name == "p";
    node.children_it(false).fold(Weight::default(), |sum, child| {
        let child = weight(&child, in_paragraph);
        Weight { visible: sum.visible + child.visible, paragraphs: sum.paragraphs + child.paragraphs }
    })
}

/// Words as [`visible_words`] counts them: runs of letters and digits.
fn count_words(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()).count()
}

/// The number of words a reader sees on the page.
fn visible_words(root: &NodeRef) -> usize {
    fn count(node: &NodeRef, words: &mut usize, in_word: &mut bool) {
        if node.is_text() {
            for c in node.text().chars() {
                let letter = c.is_alphanumeric();
                if letter && !*in_word {
                    *words += 1;
                }
                *in_word = letter;
            }
            return;
        }
        let name = node.node_name().map(|name| name.to_ascii_lowercase()).unwrap_or_default();
        if INVISIBLE.contains(&name.as_str()) {
            return;
        }
        for child in node.children_it(false) {
            count(&child, words, in_word);
        }
        *in_word = false;
    }
    let mut words = 0;
    count(root, &mut words, &mut false);
    words
}

/// Whether `node` is, or holds, an element that marks itself as the article.
fn is_article_container(node: &NodeRef) -> bool {
    let marks = |node: &NodeRef| {
        node.has_name("article")
            || node.attr("itemprop").is_some_and(|value| value.to_ascii_lowercase().contains("articlebody"))
            || node.attr("role").is_some_and(|value| matches!(&*value.to_ascii_lowercase(), "article" | "main"))
            || node
                .class()
                .is_some_and(|class| class.split_whitespace().any(|name| name.eq_ignore_ascii_case("article")))
    };
    marks(node) || node.descendants_it().any(|descendant| descendant.is_element() && marks(&descendant))
}

/// Removes the elements under `root` that `page_furniture.txt` names, except those that may be the
/// article: its marked container or anything around it, and anything holding half of the visible
/// text or of the paragraphs' text. A class like `paywall` or `modal-enabled` on the article's own
/// wrapper used to delete the whole article.
fn remove_furniture(root: &NodeRef) {
    let furniture = furniture_words();
    let total = weight(root, false);
    let candidates: Vec<NodeRef> = root
        .descendants_it()
        .filter(|node| node.is_element() && (node.class().is_some() || node.id_attr().is_some()))
        .collect();
    for node in candidates {
        let name = node.node_name().map(|name| name.to_ascii_lowercase()).unwrap_or_default();
        if NEVER_FURNITURE.contains(&name.as_str()) || !is_furniture(&node, &furniture) || is_article_container(&node) {
            continue;
        }
        let held = weight(&node, false);
        if held.visible * 2 >= total.visible || (total.paragraphs > 0 && held.paragraphs * 2 >= total.paragraphs) {
            continue;
        }
        node.remove_from_parent();
    }
}

/// Removes figure captions: they describe a picture the text does not show (`The band on stage in
/// 2019 (Image: Getty)`), and Readability keeps them as paragraphs inside the article.
fn remove_captions(page: &dom_query::Document) {
    page.select("figcaption").remove();
}

/// Removes scripts and style sheets. Readability removes them too, but only after it has read
/// the title and byline, so that a `<script>` inside the `<h1>` became the title. JSON-LD stays:
/// it is data Readability reads the title from, as Mozilla's does.
fn remove_scripts(page: &dom_query::Document) {
    page.select("script:not([type=\"application/ld+json\"]), style").remove();
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

    const PARAGRAPH: &str = "The Institute for the Study of War said on 12 March that Vladimir Putin is trying to stall negotiations with Ukraine while his forces advance in Donetsk Oblast, and that the Kremlin has not confirmed any date.";

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

    /// A page shaped like those whose article the furniture step used to delete: menus and a
    /// footer around the article's wrapper `open` (closed by `close`), and more script and style
    /// text than visible text, as news pages have.
    fn page_around(open: &str, close: &str) -> String {
        let script = format!("<script>window.dataLayer = [{}];</script>", "{\"event\": \"pageview\"},".repeat(600));
        let style = format!("<style>{}</style>", ".nav a { color: #333; } ".repeat(300));
        let menu: String = (0..40).map(|n| format!("<li><a href=\"/s{n}\">Section {n}</a></li>")).collect();
        let paragraphs: String = (0..3).map(|n| format!("<p>{PARAGRAPH} Paragraph {n}.</p>")).collect();
        format!(
            "<html><head><title>Talks stall</title>{script}{style}</head><body><nav><ul>{menu}</ul></nav>\
             {open}<h1>Talks stall</h1>{paragraphs}{close}<footer><ul>{menu}</ul>© Example Press</footer>{script}</body></html>"
        )
    }

    #[track_caller]
    fn assert_article_kept(html: &str) {
        let text = extract_article(html).expect("the page has an article");
        for n in 0..3 {
            assert!(text.contains(&format!("Paragraph {n}.")), "paragraph {n} lost: {text}");
        }
    }

    #[test]
    fn a_paywall_class_on_the_article_wrapper_does_not_drop_the_article() {
        assert_article_kept(&page_around("<div class=\"ArticlePage-content paywall\">", "</div>"));
    }

    #[test]
    fn a_modal_enabled_article_box_is_not_taken_for_a_modal() {
        assert_article_kept(&page_around("<div class=\"box article modal-enabled\">", "</div>"));
    }

    #[test]
    fn an_off_canvas_advertisement_wrapper_does_not_drop_the_article() {
        let open = "<div class=\"m-advertisement-off-canvas--pusher\"><div class=\"story\">";
        assert_article_kept(&page_around(open, "</div></div>"));
    }

    #[test]
    fn an_advertising_category_class_does_not_drop_the_post() {
        let open = "<div class=\"post type-post category-marketing-and-advertising-platform\">";
        assert_article_kept(&page_around(open, "</div>"));
    }

    #[test]
    fn a_furniture_wrapper_holding_the_article_element_is_kept() {
        assert_article_kept(&page_around("<div id=\"paywall\"><article>", "</article></div>"));
    }

    #[test]
    fn furniture_inside_the_article_is_still_removed() {
        let open = "<div class=\"ArticlePage-content paywall\"><div class=\"newsletterSignup\">Get our newsletter in your inbox every morning, free.</div>\
                    <div class=\"post-share-buttons\">Share on Facebook, Share on X, Share by email</div>";
        let text = extract_article(&page_around(open, "</div>")).unwrap();
        assert!(!text.contains("newsletter") && !text.contains("Share on"), "{text}");
        assert!(text.contains("Paragraph 2."), "{text}");
    }

    #[test]
    fn picture_captions_are_not_article_text() {
        let open = "<article><figure><img src=\"a.jpg\"><figcaption>Delegates arrive in Istanbul on Monday.</figcaption></figure>\
                    <div class=\"photo\"><img src=\"b.jpg\"><span class=\"newsCaption\">Protesters outside (Image: Getty)</span></div>";
        let text = extract_article(&page_around(open, "</article>")).unwrap();
        assert!(!text.contains("Delegates arrive") && !text.contains("Image: Getty"), "{text}");
        assert!(text.contains("Paragraph 0."), "{text}");
    }

    #[test]
    fn bylines_datelines_and_credits_are_not_article_text() {
        let open = "<article><div class=\"article-byline\">By Jane Doe</div><div class=\"dateline\">Updated Nov 19, 6:55 AM</div>\
                    <span class=\"timestamp\">11/18/19 11:04 PM EST</span><div class=\"photo-credits\">© Aaron Photographer</div>";
        let close = "<p class=\"copyright\">The contents of this site are © 2019 Example Press Corp.</p></article>";
        let text = extract_article(&page_around(open, close)).unwrap();
        for furniture in ["Jane Doe", "Updated Nov", "11:04 PM", "Aaron Photographer", "contents of this site"] {
            assert!(!text.contains(furniture), "{furniture:?} should be dropped: {text}");
        }
        assert!(text.contains("Paragraph 2."), "{text}");
    }

    #[test]
    fn links_to_related_stories_are_not_article_text() {
        let close = "<div class=\"related-articles\"><a href=\"/a\">Who will make the Hall of Fame in 2020?</a></div>\
                     <p class=\"read-more\"><a href=\"/b\">Hong Kong protests: 800 students under siege</a></p></article>";
        let text = extract_article(&page_around("<article>", close)).unwrap();
        assert!(!text.contains("Hall of Fame") && !text.contains("under siege"), "{text}");
        assert!(text.contains("Paragraph 2."), "{text}");
    }

    #[test]
    fn ad_slots_and_blocks_marked_as_not_content_are_dropped() {
        let open = "<article><div class=\"ad-container mobile\"><p>Continue Reading Below</p></div>\
                    <p class=\"slideshow-noscript robots-nocontent\">This slideshow requires JavaScript.</p>";
        let text = extract_article(&page_around(open, "</article>")).unwrap();
        assert!(!text.contains("Continue Reading") && !text.contains("slideshow"), "{text}");
        assert!(text.contains("Paragraph 2."), "{text}");
    }

    #[test]
    fn furniture_words_match_whole_words_of_a_class_or_id() {
        let furniture = furniture_words();
        let page = dom_query::Document::from(
            "<div id=a class=\"cookieNotice\"></div><div id=b class=\"x post-share-buttons\"></div>\
             <div id=c class=\"modality promotional share\"></div><div id=d class=\"advertisement-slot\"></div><div id=g class=\"head loading\"></div>\
             <div id=e class=\"shareButtons\"></div><div id=f></div><div id=donate-now></div>",
        );
        let matched: Vec<String> = page
            .select("div")
            .nodes()
            .iter()
            .filter(|node| is_furniture(node, &furniture))
            .filter_map(|node| node.id_attr().map(|id| id.to_string()))
            .collect();
        assert_eq!(matched, ["a", "b", "d", "e", "donate-now"]);
    }

    #[test]
    fn the_headline_is_the_first_paragraph_and_its_span_is_given() {
        let page = extract_page(PAGE).unwrap();
        assert_eq!(page.headline, Some(Span::new(0, 30)));
        assert_eq!(crate::offsets::CharIndex::new(&page.text).slice(0..30), "ISW: Putin aims to stall talks");
        let page = extract_page(&format!("<title>Київ «talks» resume 😀</title><p>{PARAGRAPH}</p>")).unwrap();
        assert_eq!(page.text, format!("Київ «talks» resume 😀\n\n{PARAGRAPH}"));
        assert_eq!(page.headline, Some(Span::new(0, 21)), "code points, not bytes");
        let page = extract_page(&format!("<p>{PARAGRAPH}</p>")).unwrap();
        assert_eq!((page.headline, page.text.as_str()), (None, PARAGRAPH), "no title, no headline");
    }

    #[test]
    fn the_pages_own_metadata_goes_into_meta() {
        let head = r#"<link rel="canonical" href="https://example.com/2024/03/12/talks-stall">
            <meta property="og:site_name" content="Example Press">
            <meta property="og:url" content="https://example.com/talks?utm_source=x">
            <script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
              "headline": "ISW: Putin aims to stall talks", "datePublished": "2024-03-12T09:30:00Z",
              "author": {"@type": "Person", "name": "Jane Reporter"}}</script>"#;
        let page = extract_page(&PAGE.replace("</head>", &format!("{head}</head>"))).unwrap();
        let meta = serde_json::Value::Object(page.meta);
        assert_eq!(meta["canonical_url"], "https://example.com/2024/03/12/talks-stall");
        assert_eq!(meta["published"], "2024-03-12T09:30:00Z");
        assert_eq!(meta["author"], "Jane Reporter");
        assert_eq!(meta["site_name"], "Example Press");
        assert!(extract_page(PAGE).unwrap().meta.is_empty(), "a page without metadata has none");
    }

    #[test]
    fn a_body_small_next_to_the_pages_visible_text_gets_a_warning() {
        assert_eq!(extract_page(PAGE).unwrap().warnings, Vec::<String>::new());
        // Readability drops the sidebar and keeps the article, a tenth of what the page shows.
        let sidebar: String = (0..40).map(|n| format!("<p>Reader comment {n}: {PARAGRAPH}</p>")).collect();
        let article: String = (0..3).map(|n| format!("<p>{PARAGRAPH} Paragraph {n}.</p>")).collect();
        let html = format!("<title>Talks</title><div class=\"sidebar\">{sidebar}</div><div>{article}</div>");
        let page = extract_page(&html).unwrap();
        let warnings = page.warnings;
        assert_eq!(warnings.len(), 1, "{}", page.text);
        assert!(warnings[0].starts_with("small_body:") && warnings[0].contains("visible words"), "{}", warnings[0]);
        assert_eq!(small_body_warning(10, 99), None);
        assert!(small_body_warning(9, 100).is_some());
        assert!(small_body_warning(0, 0).is_some(), "nothing at all is suspicious too");
    }

    /// How many elements deep the deepest element of `page` is.
    fn element_depth(page: &dom_query::Document) -> usize {
        let root = page.root();
        let elements = root.descendants_it().filter(|node| node.is_element());
        elements.map(|node| node.ancestors_it(None).filter(|a| a.is_element()).count() + 1).max().unwrap_or(0)
    }

    #[test]
    fn ordinary_pages_parse_exactly_as_dom_query_parses_them() {
        let messy = "<meta charset=utf-8><script>x</script><p>One<p>Two<b>bold<i>both</b>italic</i><table><tr><td>cell<div>in</table>after<svg><path/></svg>";
        for html in [PAGE, messy] {
            assert_eq!(parse_page(html).html(), dom_query::Document::from(html).html());
        }
    }

    #[test]
    fn thirty_thousand_nested_divs_read_quickly_without_overflowing_the_stack() {
        let html = format!("{}<p>{}</p>{}", "<div>".repeat(30_000), PARAGRAPH, "</div>".repeat(30_000));
        let started = std::time::Instant::now();
        let text = extract_article(&html).expect("the paragraph is the article");
        assert_eq!(text, PARAGRAPH);
        assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
    }

    #[test]
    fn fifty_thousand_nested_svgs_do_not_overflow_the_stack() {
        let html = format!("<p>{PARAGRAPH}</p>{}x{}", "<svg>".repeat(50_000), "</svg>".repeat(50_000));
        assert_eq!(extract_article(&html), Some(format!("{PARAGRAPH}\n\nx")));
    }

    #[test]
    fn elements_nested_past_the_limit_become_siblings_and_keep_their_text() {
        let depth = MAX_ELEMENT_DEPTH + 100;
        let html: String =
            (0..depth).map(|n| format!("<div>w{n} ")).collect::<String>() + "end" + &"</div>".repeat(depth);
        let page = parse_page(&html);
        assert!(element_depth(&page) <= MAX_ELEMENT_DEPTH + 1, "{}", element_depth(&page));
        let words: Vec<String> = (0..depth).map(|n| format!("w{n}")).chain(["end".to_string()]).collect();
        assert_eq!(page.text().split_whitespace().collect::<Vec<_>>(), words, "every word, in order");
        let after = parse_page(&format!("{html}<p id=after>after</p>"));
        assert_eq!(after.select("#after").nodes()[0].ancestors_it(None).count(), 3, "closing tags still close");
    }

    #[test]
    fn paragraphs_past_the_limit_keep_their_words_apart() {
        let html =
            format!("{}<p>resume.</p><p>The<b>re</b></p><custom-block>after</custom-block>", "<div>".repeat(600));
        let text = parse_page(&html).text();
        assert_eq!(text.split_whitespace().collect::<Vec<_>>(), ["resume.", "There", "after"], "{text:?}");
        let text = parse_page(&"<div>".repeat(100_000)).text();
        assert!(text.len() < 10, "one line break for a run of tags left out: {} bytes", text.len());
    }

    #[test]
    fn a_script_past_the_limit_is_still_a_script() {
        let html =
            format!("{}<script>var secret = 1;</script><p>{PARAGRAPH}</p>", "<div>".repeat(2 * MAX_ELEMENT_DEPTH));
        let text = extract_article(&html).unwrap();
        assert!(!text.contains("secret"), "{text}");
    }

    #[test]
    fn past_the_limit_svg_elements_named_like_html_void_ones_still_do_not_nest() {
        let html = format!("<svg>{}<script>var secret = 1;</script>", "<input><g>".repeat(MAX_ELEMENT_DEPTH));
        let page = parse_page(&html);
        assert!(element_depth(&page) <= MAX_ELEMENT_DEPTH + 1, "{}", element_depth(&page));
        assert!(!page.text().contains("secret"), "the script is left out whole: {}", page.text());
    }

    #[test]
    fn a_script_inside_the_headline_does_not_become_the_title() {
        let html =
            format!("<h1>Talks stall<script>var secret = 1;</script><style>h1 {{}}</style></h1><p>{PARAGRAPH}</p>");
        assert_eq!(extract_article(&html), Some(format!("Talks stall\n\n{PARAGRAPH}")));
    }

    #[test]
    fn a_page_without_text_has_no_article() {
        assert_eq!(extract_article("<html><body><img src=x></body></html>"), None);
        assert_eq!(extract_article(""), None);
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        /// Script bodies say this; no extracted text may.
        const SECRET: &str = "secret_script_body";

        const NAMES: &[&str] = &[
            "div",
            "p",
            "span",
            "b",
            "i",
            "a",
            "font",
            "nobr",
            "table",
            "tr",
            "td",
            "th",
            "tbody",
            "caption",
            "ul",
            "li",
            "ol",
            "select",
            "option",
            "form",
            "button",
            "svg",
            "math",
            "mi",
            "foreignObject",
            "desc",
            "template",
            "noscript",
            "article",
            "main",
            "section",
            "h1",
            "h2",
            "html",
            "body",
            "head",
            "br",
            "img",
            "hr",
            "input",
            "frameset",
            "frame",
            "object",
            "applet",
            "marquee",
            "dd",
            "dt",
            "pre",
            "listing",
            "ruby",
            "rt",
        ];

        fn name() -> impl Strategy<Value = &'static str> {
            proptest::sample::select(NAMES)
        }

        fn attributes() -> impl Strategy<Value = String> {
            let attribute = prop_oneof![
                Just(" class=\"cookie-banner\"".to_string()),
                Just(" id=\"newsletter\"".to_string()),
                Just(" class=article".to_string()),
                "[a-z]{1,6}=\"[^\"]{0,12}\"".prop_map(|a| format!(" {a}")),
            ];
            proptest::collection::vec(attribute, 0..3).prop_map(|a| a.concat())
        }

        fn text() -> impl Strategy<Value = String> {
            prop_oneof![
                "[^<&]{0,40}",
                Just("The minister said the talks would resume next month in Istanbul. ".repeat(4)),
                Just("&amp; &lt;b&gt; &#x1F600; &#0; &notanentity; &nbsp; &".to_string()),
                Just("Київ — «Zelensky» 😀 a < b".to_string()),
            ]
        }

        fn piece() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => (name(), attributes()).prop_map(|(name, attributes)| format!("<{name}{attributes}>")),
                3 => name().prop_map(|name| format!("</{name}>")),
                1 => (name(), attributes()).prop_map(|(name, attributes)| format!("<{name}{attributes}/>")),
                4 => text(),
                2 => Just(format!("<script>var {SECRET} = 1; if (a<b && c>d) {{ x = '</div>'; }}</script>")),
                1 => Just(format!("<script>{SECRET}</scr</script>")),
                1 => prop_oneof![
                    Just("<title>A headline</title>"),
                    Just("<style>p { color: red } </p></style>"),
                    Just("<textarea><p>typed</textarea>"),
                    Just("<!-- a comment <p> -->"),
                    Just("<![CDATA[ data ]]>"),
                    Just("<!doctype html>"),
                ]
                .prop_map(str::to_string),
                1 => (name(), 1..2_000usize, 0..2_000usize, text()).prop_map(|(name, open, close, text)| {
                    format!("{}{text}{}", format!("<{name}>").repeat(open), format!("</{name}>").repeat(close))
                }),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn any_page_extracts_without_panicking_or_script_bodies(pieces in proptest::collection::vec(piece(), 0..30)) {
                let html = pieces.concat();
                if let Some(page) = extract_page(&html) {
                    prop_assert!(!page.text.contains(SECRET), "{}", page.text);
                    if let Some(headline) = page.headline {
                        let chars = crate::offsets::CharIndex::new(&page.text);
                        prop_assert!(headline.end <= chars.len_chars(), "{:?} past {:?}", headline, page.text);
                        let rest = chars.slice(headline.end..chars.len_chars());
                        prop_assert!(headline.start == 0 && (rest.is_empty() || rest.starts_with('\n')), "{:?} in {:?}", headline, page.text);
                    }
                }
                let depth = element_depth(&parse_page(&html));
                prop_assert!(depth <= 2 * MAX_ELEMENT_DEPTH, "elements {} deep", depth);
            }

            #[test]
            fn any_string_extracts_without_panicking(html in "\\PC{0,300}") {
                let _ = extract_article(&html);
            }
        }
    }
}
