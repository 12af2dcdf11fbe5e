//! Exports to the annotation tools analysts correct pre-annotations in, and readers for what
//! those tools export back (`claimtag train` takes Label Studio, Doccano and brat data).
//!
//! Every tool sees the same view of a document ([`Annotations`]): entity spans, the three claim
//! roles as spans (`SOURCE`, `CUE`, `CLAIM` for the content), and relations from a claim's source
//! and cue to its content. Each module writes that view in its tool's schema and offset
//! convention and reads it back; round-trip tests prove the two agree.

pub mod brat;
pub mod conll;
pub mod doccano;
pub mod html;
pub mod label_studio;
pub mod prodigy;
pub mod spacy;
pub mod webanno;

use std::collections::HashMap;

use serde::Serialize;

use crate::corpus::tags::TagScheme;
use crate::document::{Document, Span};
use crate::input::RecordError;
use crate::output::DocumentSink;
use crate::segment::words;

/// Span labels of the claim roles.
pub const SOURCE: &str = "SOURCE";
pub const CUE: &str = "CUE";
pub const CLAIM: &str = "CLAIM";

/// Relation labels: from a claim's source, and from its cue, to its content.
pub const SOURCE_OF: &str = "SOURCE_OF";
pub const CUE_OF: &str = "CUE_OF";

/// Entity labels every export declares, whether or not a document uses them (tools want the
/// label set up front).
pub const ENTITY_LABELS: &[&str] = &["PER", "ORG", "LOC", "MISC"];

/// The colour each span label is drawn in by tools that take colours (Label Studio's labeling
/// config, brat's `visual.conf`): one per label, far enough apart to tell nested spans apart.
pub const LABEL_COLOURS: &[(&str, &str)] = &[
    ("PER", "#8fd18f"),
    ("ORG", "#8fb8f0"),
    ("LOC", "#f0d08f"),
    ("MISC", "#d0a0e0"),
    (SOURCE, "#ff9f80"),
    (CUE, "#ffd24d"),
    (CLAIM, "#c8c8c8"),
];

/// The colour of span label `label` in [`LABEL_COLOURS`] (grey for a label not there).
pub fn label_colour(label: &str) -> &'static str {
    LABEL_COLOURS.iter().find(|(known, _)| *known == label).map_or("#e0e0e0", |(_, colour)| colour)
}

/// A labelled span; `parts` are its pieces when it is discontinuous (a claim content split by
/// its cue), otherwise the one piece `start..end`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LabeledSpan {
    pub label: String,
    pub start: usize,
    pub end: usize,
    pub parts: Vec<Span>,
}

impl LabeledSpan {
    pub fn new(label: &str, start: usize, end: usize) -> Self {
        LabeledSpan { label: label.to_string(), start, end, parts: vec![Span::new(start, end)] }
    }

    pub fn is_entity(&self) -> bool {
        ![SOURCE, CUE, CLAIM].contains(&self.label.as_str())
    }
}

/// A relation between two spans, by their index in [`Annotations::spans`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Relation {
    pub label: String,
    pub from: usize,
    pub to: usize,
}

/// What annotation tools see of a document: labelled spans (entities first, then claim roles,
/// each span once) and relations between them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations {
    pub spans: Vec<LabeledSpan>,
    pub relations: Vec<Relation>,
}

impl Annotations {
    pub fn of(doc: &Document) -> Self {
        let mut annotations = Annotations::default();
        for entity in &doc.entities {
            annotations.add_span(LabeledSpan::new(&entity.label, entity.start, entity.end));
        }
        for claim in &doc.claims {
            let mut content = LabeledSpan::new(CLAIM, claim.content.start, claim.content.end);
            if let Some(parts) = &claim.content.parts {
                content.parts = parts.iter().map(|[start, end]| Span::new(*start, *end)).collect();
            }
            let content = annotations.add_span(content);
            let cue = annotations.add_span(LabeledSpan::new(CUE, claim.cue.start, claim.cue.end));
            annotations.add_relation(CUE_OF, cue, content);
            if let Some(source) = &claim.source {
                let source = annotations.add_span(LabeledSpan::new(SOURCE, source.start, source.end));
                annotations.add_relation(SOURCE_OF, source, content);
            }
        }
        annotations
    }

    /// Adds `span` unless an identical one is there; returns its index.
    pub fn add_span(&mut self, span: LabeledSpan) -> usize {
        match self.spans.iter().position(|known| *known == span) {
            Some(index) => index,
            None => {
                self.spans.push(span);
                self.spans.len() - 1
            }
        }
    }

    pub fn add_relation(&mut self, label: &str, from: usize, to: usize) {
        let relation = Relation { label: label.to_string(), from, to };
        if !self.relations.contains(&relation) {
            self.relations.push(relation);
        }
    }

    /// The spans and relations in a canonical order, relations naming spans by content rather
    /// than index: equal for two annotations that say the same thing.
    pub fn canonical(&self) -> (Vec<LabeledSpan>, Vec<(String, LabeledSpan, LabeledSpan)>) {
        let mut spans = self.spans.clone();
        spans.sort();
        let mut relations: Vec<_> = self
            .relations
            .iter()
            .map(|r| (r.label.clone(), self.spans[r.from].clone(), self.spans[r.to].clone()))
            .collect();
        relations.sort();
        (spans, relations)
    }
}

/// A word of a document with its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    pub span: Span,
    pub sentence: usize,
}

/// The words of `doc`, sentence by sentence; text outside every sentence (only whitespace,
/// by construction) has none.
pub fn words_of(doc: &Document) -> Vec<Word> {
    let index = doc.char_index();
    let mut all = Vec::new();
    for (sentence, span) in doc.sentences.iter().enumerate() {
        for word in words(index.slice(span.start..span.end)) {
            all.push(Word { span: Span::new(span.start + word.start, span.start + word.end), sentence });
        }
    }
    all
}

/// IOB2 tag of every word from the entities of `doc` (see [`TagScheme::tags`]).
pub fn word_tags(doc: &Document, words: &[Word]) -> Vec<String> {
    let entities: Vec<(usize, usize, &str)> = doc.entities.iter().map(|e| (e.start, e.end, e.label.as_str())).collect();
    let spans: Vec<Span> = words.iter().map(|word| word.span).collect();
    TagScheme::Iob2.tags(&spans, &entities)
}

/// Entity spans back from per-word tags in `scheme` (`words[i]` tagged `tags[i]`).
pub fn spans_from_tags(scheme: TagScheme, words: &[Span], tags: &[String]) -> Vec<LabeledSpan> {
    scheme.spans(words, tags).into_iter().map(|(span, label)| LabeledSpan::new(&label, span.start, span.end)).collect()
}

/// The file name (without extension) of the document at `position` (from 1) in formats that
/// write a file per document: the position keeps names unique and in input order, the id (at
/// most 80 characters, those outside `[A-Za-z0-9._-]` as `_`) keeps them recognisable.
pub(crate) fn document_file_stem(position: usize, id: &str) -> String {
    let safe: String =
        id.chars().take(80).map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    format!("{position:05}-{safe}")
}

/// Escapes text for HTML and XML.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Indices of spans by the id a tool gave them, for readers that resolve relations by id.
pub(crate) type SpanIds = HashMap<String, usize>;

/// A text and its annotations as read back from a tool's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotatedText {
    pub id: Option<String>,
    pub text: String,
    pub annotations: Annotations,
}

/// What a tool's export held: the texts with annotations to read, and how many records were
/// left out because they had none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    pub texts: Vec<AnnotatedText>,
    pub skipped: usize,
}

/// Why a tool's export could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: cannot read: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("{path}: {problem}")]
    Bad { path: String, problem: String },
}

impl ImportError {
    pub(crate) fn bad(path: &std::path::Path, problem: impl std::fmt::Display) -> Self {
        ImportError::Bad { path: path.display().to_string(), problem: problem.to_string() }
    }

    pub(crate) fn read(path: &std::path::Path, error: std::io::Error) -> Self {
        ImportError::Read { path: path.display().to_string(), error }
    }
}

/// Checks that `start..end` is a non-empty span inside a text of `len` code points.
pub(crate) fn check_span(start: usize, end: usize, len: usize) -> Result<(), String> {
    if start < end && end <= len {
        Ok(())
    } else {
        Err(format!("span [{start}, {end}) is not inside the text ({len} characters)"))
    }
}

/// Makes a tool's JSON record of a document; the number is the document's position in the run.
pub type RecordMaker = fn(&Document, usize) -> serde_json::Value;

/// The shape of a tool's JSON file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonLayout {
    /// One record a line (Prodigy, Doccano).
    Lines,
    /// One JSON array of records (Label Studio, spaCy), written a record at a time so the sink
    /// never holds more than one document.
    Array,
}

/// Writes each document as the JSON record `make` builds for a tool. Documents that could not be
/// read are left out: the tools have no place for them.
pub struct ToolJsonSink<W: std::io::Write> {
    out: W,
    make: RecordMaker,
    layout: JsonLayout,
    ascii_only: bool,
    written: usize,
}

impl<W: std::io::Write> ToolJsonSink<W> {
    pub fn new(out: W, layout: JsonLayout, make: RecordMaker) -> Self {
        ToolJsonSink { out, make, layout, ascii_only: false, written: 0 }
    }

    /// Writes every character outside ASCII as a `\uXXXX` escape: the same JSON, for a tool
    /// that guesses a file's encoding. doccano's import does (chardet), and on a short file with
    /// a few Cyrillic letters and an emoji it guessed Windows-1254 and failed to import it.
    pub fn ascii_only(mut self) -> Self {
        self.ascii_only = true;
        self
    }
}

/// serde_json's compact output with non-ASCII characters escaped (UTF-16 surrogate pairs beyond
/// the Basic Multilingual Plane, as JSON spells them).
struct AsciiFormatter;

impl serde_json::ser::Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut units = [0u16; 2];
        // Each run is ASCII text ended by at most one other character.
        for run in fragment.split_inclusive(|c: char| !c.is_ascii()) {
            let ascii = run.trim_end_matches(|c: char| !c.is_ascii());
            writer.write_all(ascii.as_bytes())?;
            for c in run[ascii.len()..].chars() {
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

impl<W: std::io::Write> DocumentSink for ToolJsonSink<W> {
    fn write(&mut self, doc: &Document) -> std::io::Result<()> {
        let mut bytes = match (self.layout, self.written) {
            (JsonLayout::Lines, _) => Vec::new(),
            (JsonLayout::Array, 0) => b"[\n".to_vec(),
            (JsonLayout::Array, _) => b",\n".to_vec(),
        };
        let record = (self.make)(doc, self.written);
        if self.ascii_only {
            record.serialize(&mut serde_json::Serializer::with_formatter(&mut bytes, AsciiFormatter))?;
        } else {
            serde_json::to_writer(&mut bytes, &record)?;
        }
        if self.layout == JsonLayout::Lines {
            bytes.push(b'\n');
        }
        self.written += 1;
        self.out.write_all(&bytes)
    }

    fn write_error(&mut self, _error: &RecordError) -> std::io::Result<()> {
        Ok(())
    }

    fn end_batch(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> std::io::Result<()> {
        if self.layout == JsonLayout::Array {
            self.out.write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()
    }
}

/// Tools without discontinuous spans get a split claim content as one span from its first
/// piece to its last (the cue between them included). Two contents that differ only in their
/// pieces become one span, so a tool that merges identical spans reads back what was written.
pub fn joined_parts(annotations: Annotations) -> Annotations {
    let mut joined = Annotations::default();
    let index: Vec<usize> = annotations
        .spans
        .into_iter()
        .map(|mut span| {
            span.parts = vec![Span::new(span.start, span.end)];
            joined.add_span(span)
        })
        .collect();
    for relation in &annotations.relations {
        joined.add_relation(&relation.label, index[relation.from], index[relation.to]);
    }
    joined
}

#[cfg(test)]
pub(crate) mod fixtures {
    use crate::document::*;
    use crate::segment::Segmenter;

    /// A tagged document with emoji, curly quotes, a dash and Cyrillic before and inside spans,
    /// and a claim whose content is split by its cue.
    pub fn tagged_document() -> Document {
        let text = "🙂 “Путін — liar,” said Zelensky, “and Russia lies.” ISW agreed.";
        let mut doc = Document::new("doc-1", text);
        doc.sentences = Segmenter::default().split(text);
        let chars: Vec<char> = text.chars().collect();
        let find = |needle: &str| {
            let needle: Vec<char> = needle.chars().collect();
            (0..chars.len()).find(|&i| chars[i..].starts_with(&needle)).expect("in the text")
        };
        let entity = |id: &str, label: &str, surface: &str| {
            let start = find(surface);
            Entity {
                id: id.into(),
                text: surface.into(),
                label: label.into(),
                start,
                end: start + crate::offsets::char_len(surface),
                score: 0.9,
            }
        };
        doc.entities = vec![
            entity("e0", "PER", "Путін"),
            entity("e1", "PER", "Zelensky"),
            entity("e2", "LOC", "Russia"),
            entity("e3", "ORG", "ISW"),
        ];
        let (said, zelensky) = (find("said"), find("Zelensky"));
        let first = (find("Путін"), find(",”"));
        let second = (find("and Russia"), find(".”"));
        doc.claims = vec![Claim {
            id: "c0".into(),
            kind: ClaimKind::Direct,
            source: Some(ClaimSource {
                text: "Zelensky".into(),
                start: zelensky,
                end: zelensky + 8,
                entity: Some("e1".into()),
                resolved: None,
            }),
            cue: ClaimCue { text: "said".into(), start: said, end: said + 4, lemma: "say".into() },
            content: ClaimContent {
                text: chars[first.0..second.1].iter().collect(),
                start: first.0,
                end: second.1,
                parts: Some(vec![[first.0, first.1], [second.0, second.1]]),
            },
            entities: vec!["e0".into(), "e2".into()],
            parent: None,
            confidence: 0.8,
            rule: "quote-attribution".into(),
        }];
        doc
    }
}

#[cfg(test)]
mod round_trip_properties;

#[cfg(test)]
mod tests {
    use super::fixtures::tagged_document;
    use super::*;

    #[test]
    fn an_ascii_only_sink_writes_the_same_json_in_ascii() {
        let doc = tagged_document();
        let write = |sink: ToolJsonSink<Vec<u8>>| {
            let mut sink = sink;
            sink.write(&doc).unwrap();
            sink.finish().unwrap();
            String::from_utf8(sink.out).unwrap()
        };
        let plain = write(ToolJsonSink::new(Vec::new(), JsonLayout::Lines, doccano::record));
        let ascii = write(ToolJsonSink::new(Vec::new(), JsonLayout::Lines, doccano::record).ascii_only());
        assert!(!plain.is_ascii(), "the fixture holds an emoji and Cyrillic");
        assert!(ascii.is_ascii(), "{ascii}");
        assert!(ascii.contains(r"\ud83d\ude42 \u201c\u041f"), "the emoji as a surrogate pair: {ascii}");
        let value = |json: &str| serde_json::from_str::<serde_json::Value>(json.trim_end()).unwrap();
        assert_eq!(value(&ascii), value(&plain));
        assert_eq!(value(&ascii)["text"], doc.text.as_str());
    }

    #[test]
    fn a_claim_gives_three_role_spans_and_two_relations() {
        let annotations = Annotations::of(&tagged_document());
        let labels: Vec<&str> = annotations.spans.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["PER", "PER", "LOC", "ORG", "CLAIM", "CUE", "SOURCE"]);
        assert_eq!(annotations.spans[4].parts.len(), 2);
        let relations: Vec<(&str, &str, &str)> = annotations
            .relations
            .iter()
            .map(|r| {
                (r.label.as_str(), annotations.spans[r.from].label.as_str(), annotations.spans[r.to].label.as_str())
            })
            .collect();
        assert_eq!(relations, [(CUE_OF, CUE, CLAIM), (SOURCE_OF, SOURCE, CLAIM)]);
    }

    #[test]
    fn word_tags_and_spans_from_tags_invert_each_other() {
        let doc = tagged_document();
        let words = words_of(&doc);
        let tags = word_tags(&doc, &words);
        let spans: Vec<Span> = words.iter().map(|w| w.span).collect();
        let entities: Vec<LabeledSpan> =
            doc.entities.iter().map(|e| LabeledSpan::new(&e.label, e.start, e.end)).collect();
        assert_eq!(spans_from_tags(TagScheme::Iob2, &spans, &tags), entities);
    }
}
