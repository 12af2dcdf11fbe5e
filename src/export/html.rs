//! A self-contained HTML page for reading a run: each document's text with entities coloured by
//! type and claim sources, cues and contents marked, a side list of its claims grouped by source,
//! and hover details (label, score, rule). No scripts or assets from the network: the page opens
//! offline and can be mailed around.
//!
//! Overlapping marks (an entity inside a claim's content, a source that is an entity) are
//! rendered as flat segments: the text is cut at every span boundary and each piece carries the
//! classes and details of everything covering it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::escape_xml;
use crate::document::{Claim, Document};
use crate::input::RecordError;
use crate::offsets::CharIndex;
use crate::output::DocumentSink;

const STYLE: &str = "
body { font: 16px/1.6 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
section.doc { border-top: 2px solid #ccc; padding-top: 1em; margin-top: 2em; }
.layout { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); gap: 2em; }
.text { white-space: pre-wrap; }
.ent { border-radius: 3px; padding: 0 2px; }
.ent.PER { background: #c8ecc8; } .ent.ORG { background: #cfe0fa; } .ent.LOC { background: #fae8c0; }
.ent.MISC { background: #ead7f5; } .ent.other { background: #eee; }
.content { box-shadow: inset 0 -2px 0 #999; }
.ent.content { border-bottom-left-radius: 0; border-bottom-right-radius: 0; }
.source { border-bottom: 3px solid #e0603a; font-weight: 600; }
.cue { background: #ffe680; font-style: italic; }
.error { color: #a00; }
aside h3 { margin: 0.2em 0; font-size: 1em; }
aside ul { margin: 0 0 1em 0; padding-left: 1.2em; }
aside li { margin-bottom: 0.5em; }
aside a { color: inherit; text-decoration: none; } aside a:hover { text-decoration: underline; }
.legend span { margin-right: 1em; padding: 0 4px; }
";

/// Writes one page for the whole run: a header, one section per document, a footer.
pub struct HtmlSink<W: Write> {
    out: W,
    started: bool,
    written: usize,
}

impl<W: Write> HtmlSink<W> {
    pub fn new(out: W) -> Self {
        HtmlSink { out, started: false, written: 0 }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            write!(
                self.out,
                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>claimtag</title>\
                 <style>{STYLE}</style></head><body>\n<h1>claimtag</h1>\n<p class=\"legend\">\
                 <span class=\"ent PER\">PER</span><span class=\"ent ORG\">ORG</span><span class=\"ent LOC\">LOC</span>\
                 <span class=\"ent MISC\">MISC</span><span class=\"source\">source</span><span class=\"cue\">cue</span>\
                 <span class=\"content\">claim content</span></p>\n"
            )?;
        }
        Ok(())
    }
}

impl<W: Write> DocumentSink for HtmlSink<W> {
    fn write(&mut self, doc: &Document) -> io::Result<()> {
        self.start()?;
        self.written += 1;
        self.out.write_all(section(doc, self.written).as_bytes())
    }

    fn write_error(&mut self, error: &RecordError) -> io::Result<()> {
        self.start()?;
        writeln!(
            self.out,
            "<section class=\"doc\"><h2>{}</h2><p class=\"error\">{}</p></section>",
            escape_xml(&error.id),
            escape_xml(&error.message)
        )
    }

    fn finish(&mut self) -> io::Result<()> {
        self.start()?;
        writeln!(self.out, "</body></html>")?;
        self.out.flush()
    }
}

/// One mark: which classes and details a span adds to the text it covers.
struct Mark {
    start: usize,
    end: usize,
    classes: String,
    detail: String,
    data: (&'static str, String),
}

fn marks(doc: &Document) -> Vec<Mark> {
    let mut marks = Vec::new();
    for entity in &doc.entities {
        let kind = if ["PER", "ORG", "LOC", "MISC"].contains(&entity.label.as_str()) {
            entity.label.as_str()
        } else {
            "other"
        };
        marks.push(Mark {
            start: entity.start,
            end: entity.end,
            classes: format!("ent {kind}"),
            detail: format!("{} {} (score {:.2})", entity.id, entity.label, entity.score),
            data: ("data-entity", entity.id.clone()),
        });
    }
    for claim in &doc.claims {
        let detail = |role: &str| {
            format!("{} {role}: {:?}, rule {}, confidence {:.2}", claim.id, claim.kind, claim.rule, claim.confidence)
        };
        let parts = claim.content.parts.clone().unwrap_or_else(|| vec![[claim.content.start, claim.content.end]]);
        for [start, end] in parts {
            marks.push(Mark {
                start,
                end,
                classes: "content".into(),
                detail: detail("content"),
                data: ("data-claim", claim.id.clone()),
            });
        }
        marks.push(Mark {
            start: claim.cue.start,
            end: claim.cue.end,
            classes: "cue".into(),
            detail: detail(&format!("cue (lemma {})", claim.cue.lemma)),
            data: ("data-cue", claim.id.clone()),
        });
        if let Some(source) = &claim.source {
            let resolved = source.resolved.as_ref().map_or(String::new(), |r| format!(" = {} ({})", r.text, r.label));
            marks.push(Mark {
                start: source.start,
                end: source.end,
                classes: "source".into(),
                detail: detail(&format!("source{resolved}")),
                data: ("data-source", claim.id.clone()),
            });
        }
    }
    marks
}

/// The anchor of a claim's content in the page: by the document's position in the run (ids
/// need not be valid in a URL fragment) and the claim's id (unique in its document).
fn anchor(position: usize, claim: &Claim) -> String {
    format!("d{position}-{}", claim.id)
}

/// The section of the document at `position` (from 1) in the run.
pub fn section(doc: &Document, position: usize) -> String {
    let index = doc.char_index();
    let marks = marks(doc);
    let mut cuts: Vec<usize> = marks.iter().flat_map(|m| [m.start, m.end]).chain([0, index.len_chars()]).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut html =
        format!("<section class=\"doc\"><h2>{}</h2><div class=\"layout\"><div class=\"text\">", escape_xml(&doc.id));
    for piece in cuts.windows(2) {
        let (start, end) = (piece[0], piece[1]);
        for claim in doc.claims.iter().filter(|claim| claim.content.start == start) {
            let _ = write!(html, "<a id=\"{}\"></a>", escape_xml(&anchor(position, claim)));
        }
        let text = escape_xml(index.slice(start..end));
        let covering: Vec<&Mark> = marks.iter().filter(|m| m.start <= start && end <= m.end).collect();
        if covering.is_empty() {
            html.push_str(&text);
            continue;
        }
        let classes: Vec<&str> = covering.iter().map(|m| m.classes.as_str()).collect();
        let details: Vec<&str> = covering.iter().map(|m| m.detail.as_str()).collect();
        let mut data: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for mark in &covering {
            data.entry(mark.data.0).or_default().push(&mark.data.1);
        }
        let attributes: String =
            data.iter().map(|(name, values)| format!(" {name}=\"{}\"", escape_xml(&values.join(" ")))).collect();
        let _ = write!(
            html,
            "<span class=\"{}\"{attributes} title=\"{}\">{text}</span>",
            classes.join(" "),
            escape_xml(&details.join("\n"))
        );
    }
    html.push_str("</div><aside><h3>Claims by source</h3>");
    html.push_str(&claims_by_source(doc, &index, position));
    html.push_str("</aside></div></section>\n");
    html
}

fn claims_by_source(doc: &Document, index: &CharIndex, position: usize) -> String {
    let mut groups: BTreeMap<String, Vec<&Claim>> = BTreeMap::new();
    for claim in &doc.claims {
        let source = claim.source.as_ref().map_or("(no source)".to_string(), |source| {
            source.resolved.as_ref().map_or_else(|| source.text.clone(), |resolved| resolved.text.clone())
        });
        groups.entry(source).or_default().push(claim);
    }
    if groups.is_empty() {
        return "<p>No claims.</p>".to_string();
    }
    let mut html = String::new();
    for (source, claims) in groups {
        let _ = write!(html, "<h3 class=\"group\">{}</h3><ul>", escape_xml(&source));
        for claim in claims {
            let content = index.slice(claim.content.start..claim.content.end);
            // A headline's cue is its colon: shown as a word it would read "::".
            let cue = if claim.cue.text.chars().any(char::is_alphanumeric) {
                format!("<b>{}</b>: ", escape_xml(&claim.cue.text))
            } else {
                String::new()
            };
            let _ = write!(
                html,
                "<li data-claim=\"{}\">{cue}<a href=\"#{}\">{}</a> <small>({}, {:.2})</small></li>",
                escape_xml(&claim.id),
                escape_xml(&anchor(position, claim)),
                escape_xml(content),
                escape_xml(&claim.rule),
                claim.confidence
            );
        }
        html.push_str("</ul>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixtures::tagged_document;

    #[test]
    fn every_entity_and_claim_role_is_marked_at_its_text() {
        let doc = tagged_document();
        let html = section(&doc, 1);
        let page = dom_query::Document::from(html.as_str());
        for entity in &doc.entities {
            let text: String = page
                .select(&format!("[data-entity~=\"{}\"]", entity.id))
                .iter()
                .map(|s| s.text().to_string())
                .collect();
            assert_eq!(text, entity.text, "{}", entity.id);
        }
        assert_eq!(page.select(".cue").text().to_string(), "said");
        assert_eq!(page.select(".source").text().to_string(), "Zelensky");
        let content: String = page.select(".text .content").iter().map(|s| s.text().to_string()).collect();
        assert_eq!(content, "Путін — liarand Russia lies", "the two pieces of the split quote");
        assert!(page.select("aside h3.group").text().contains("Zelensky"));
        assert!(page.select(".ent.PER").attr("title").unwrap().contains("PER (score 0.90)"));
    }

    #[test]
    fn each_claim_in_the_side_list_links_to_its_content_in_the_text() {
        let html = section(&tagged_document(), 3);
        let page = dom_query::Document::from(html.as_str());
        let link = page.select("aside li a");
        assert_eq!(link.attr("href").as_deref(), Some("#d3-c0"));
        let target = page.select(".text a#d3-c0");
        assert_eq!(target.length(), 1, "{html}");
        assert!(
            html.contains("<a id=\"d3-c0\"></a><span class=\"ent PER content\""),
            "right before the content: {html}"
        );
    }

    #[test]
    fn a_headline_claim_shows_its_content_without_its_colon_cue() {
        let mut doc = tagged_document();
        doc.claims[0].kind = crate::document::ClaimKind::Headline;
        doc.claims[0].cue.text = ":".into();
        let page = dom_query::Document::from(section(&doc, 1).as_str());
        let item = page.select("aside li").text().to_string();
        assert!(item.starts_with("Путін — liar,” said Zelensky, “and Russia lies"), "{item}");
        assert!(!item.contains("::") && page.select("aside li b").length() == 0, "{item}");
    }

    #[test]
    fn text_is_escaped() {
        let doc = Document::new("<id>", "a <b> & \"c\"");
        let html = section(&doc, 1);
        assert!(html.contains("a &lt;b&gt; &amp; &quot;c&quot;"), "{html}");
        assert!(html.contains("<h2>&lt;id&gt;</h2>"));
    }
}
