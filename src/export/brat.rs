//! brat standoff: per document a `.txt` with the text and a `.ann` with `T` lines (spans, a
//! split quote's `CLAIM` as `start end;start end` fragments), `R` lines (`SOURCE_OF` from a
//! source to its claim) and `E` lines (an attribution event triggered by the cue, with the
//! claim as its `Content`), plus the `annotation.conf` declaring them. Offsets are code points
//! (brat is Python).
//!
//! Documents are named `00001-<id>.txt`: the position keeps names unique and in input order,
//! the id (with characters outside `[A-Za-z0-9._-]` as `_`) keeps them recognisable.

use std::fmt::Write as _;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::{
    check_span, document_file_stem, label_colour, AnnotatedText, Annotations, ImportError, LabeledSpan, SpanIds, CLAIM,
    CUE, CUE_OF, ENTITY_LABELS, SOURCE, SOURCE_OF,
};
use crate::corpus::brat::{parse_standoff, LinkKind, StandoffError};
use crate::document::{Document, Span};
use crate::input::RecordError;
use crate::offsets::CharIndex;
use crate::output::DocumentSink;

/// The brat event type of a claim, triggered by its cue.
const EVENT: &str = CUE;
/// The event's argument naming the content.
const CONTENT_ROLE: &str = "Content";

/// Writes a brat collection into a directory.
pub struct BratSink {
    dir: PathBuf,
    written: usize,
}

impl BratSink {
    /// Creates `dir` if needed.
    pub fn new(dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(BratSink { dir: dir.to_path_buf(), written: 0 })
    }
}

/// The `.ann` content of one document.
pub fn ann(doc: &Document) -> String {
    let index = doc.char_index();
    let annotations = Annotations::of(doc);
    let mut out = String::new();
    for (i, span) in annotations.spans.iter().enumerate() {
        let pieces = line_pieces(&index, &span.parts);
        let fragments: Vec<String> = pieces.iter().map(|p| format!("{} {}", p.start, p.end)).collect();
        let texts: Vec<&str> = pieces.iter().map(|p| index.slice(p.clone())).collect();
        let _ = writeln!(out, "T{}\t{} {}\t{}", i + 1, span.label, fragments.join(";"), texts.join(" "));
    }
    let (mut relations, mut events) = (0, 0);
    for relation in &annotations.relations {
        let (from, to) = (relation.from + 1, relation.to + 1);
        if relation.label == CUE_OF {
            events += 1;
            let _ = writeln!(out, "E{events}\t{EVENT}:T{from} {CONTENT_ROLE}:T{to}");
        } else {
            relations += 1;
            let _ = writeln!(out, "R{relations}\t{} Arg1:T{from} Arg2:T{to}", relation.label);
        }
    }
    out
}

/// The fragments brat gets for a span in `parts`: each part cut at its line breaks, as brat's
/// own editor cuts a span drawn across lines. A `T` line's text must equal its fragments' text
/// joined by spaces, and brat splits the `.ann` at every line break Python knows, so a span
/// whose text held one would come out as a line brat cannot parse (the annotation is lost).
fn line_pieces(index: &CharIndex, parts: &[Span]) -> Vec<Range<usize>> {
    let pieces: Vec<Range<usize>> =
        parts.iter().flat_map(|part| index.split_matches(part.start..part.end, breaks_a_line)).collect();
    if pieces.is_empty() {
        // Only line breaks: nothing brat could show; kept whole rather than dropped.
        return parts.iter().map(|part| part.start..part.end).collect();
    }
    pieces
}

/// The characters Python's `str.splitlines` (which brat reads `.ann` files with) ends a line at.
fn breaks_a_line(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// The `annotation.conf` for claimtag's collections. Claim roles nest in and cross entities
/// (a claim holds entities, a source is one), which brat forbids unless an `<OVERLAP>` rule
/// allows it, so one rule allows every overlap between every span type.
pub fn annotation_conf() -> String {
    let types = span_types().join("|");
    format!(
        "[entities]\n{}\n{SOURCE}\n{CLAIM}\n\n[relations]\n{SOURCE_OF} Arg1:{SOURCE}, Arg2:{CLAIM}\n\
         <OVERLAP>\tArg1:{types}, Arg2:{types}, <OVL-TYPE>:<ANY>\n\n[events]\n{EVENT} {CONTENT_ROLE}:{CLAIM}\n\n\
         [attributes]\n",
        ENTITY_LABELS.join("\n")
    )
}

/// Every span type of the collection: entities, claim roles, and the cue (the event trigger).
fn span_types() -> Vec<&'static str> {
    ENTITY_LABELS.iter().copied().chain([SOURCE, CLAIM, EVENT]).collect()
}

/// The `visual.conf`: each span type in its own colour (the ones Label Studio gets), and the
/// two arcs in the colours of the spans they come from.
pub fn visual_conf() -> String {
    let mut out =
        String::from("[labels]\n\n[drawing]\nSPAN_DEFAULT\tfgColor:black, bgColor:#e0e0e0, borderColor:darken\n");
    out += "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5\n";
    for label in span_types() {
        let _ = writeln!(out, "{label}\tbgColor:{}", label_colour(label));
    }
    let _ = writeln!(out, "{SOURCE_OF}\tcolor:#d0501c");
    let _ = writeln!(out, "{CONTENT_ROLE}\tcolor:#a08000");
    out
}

impl DocumentSink for BratSink {
    fn write(&mut self, doc: &Document) -> io::Result<()> {
        // Annotations first: a panic building them must not leave a .txt without its .ann.
        let ann = ann(doc);
        self.written += 1;
        let stem = self.dir.join(document_file_stem(self.written, &doc.id));
        std::fs::write(stem.with_extension("txt"), &doc.text)?;
        std::fs::write(stem.with_extension("ann"), ann)
    }

    /// brat has no place for a document that could not be read; it is left out.
    fn write_error(&mut self, _error: &RecordError) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        std::fs::write(self.dir.join("annotation.conf"), annotation_conf())?;
        std::fs::write(self.dir.join("visual.conf"), visual_conf())
    }
}

/// Reads a brat collection: every `.ann` under `dir` (in path order) with its `.txt`. `T`
/// lines become spans; `R` lines and `E` lines with a `Content` argument become relations.
pub fn read(dir: &Path) -> Result<Vec<AnnotatedText>, ImportError> {
    let mut anns: Vec<PathBuf> = Vec::new();
    collect_anns(dir, &mut anns)?;
    anns.sort();
    if anns.is_empty() {
        return Err(ImportError::bad(dir, "no .ann files: not a brat collection"));
    }
    let mut texts = Vec::new();
    for ann_path in anns {
        let txt_path = ann_path.with_extension("txt");
        let text = std::fs::read_to_string(&txt_path).map_err(|error| ImportError::read(&txt_path, error))?;
        let content = std::fs::read_to_string(&ann_path).map_err(|error| ImportError::read(&ann_path, error))?;
        let annotations = parse_ann(&content, &text).map_err(|problem| ImportError::bad(&ann_path, problem))?;
        let id = txt_path.file_stem().map(|stem| stem.to_string_lossy().into_owned());
        texts.push(AnnotatedText { id, text, annotations });
    }
    Ok(texts)
}

fn collect_anns(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), ImportError> {
    let entries = std::fs::read_dir(dir).map_err(|error| ImportError::read(dir, error))?;
    for entry in entries {
        let path = entry.map_err(|error| ImportError::read(dir, error))?.path();
        if path.is_dir() {
            collect_anns(&path, found)?;
        } else if path.extension().is_some_and(|ext| ext == "ann") {
            found.push(path);
        }
    }
    Ok(())
}

/// Parses `.ann` content annotating `text`. Fragments of a span that only line breaks and
/// whitespace keep apart (a span brat cut at its lines) are one piece again.
pub fn parse_ann(content: &str, text: &str) -> Result<Annotations, String> {
    let standoff = parse_standoff(content).map_err(|error| error.to_string())?;
    let index = CharIndex::new(text);
    let mut annotations = Annotations::default();
    let mut ids = SpanIds::new();
    for bound in &standoff.text_bounds {
        for part in &bound.fragments {
            check_span(part.start, part.end, index.len_chars()).map_err(|problem| {
                let text = content.lines().nth(bound.line - 1).unwrap_or_default().to_string();
                StandoffError { line: bound.line, problem, text }.to_string()
            })?;
        }
        let parts = rejoin_lines(&index, &bound.fragments);
        let mut span = LabeledSpan::new(bound.label, parts[0].start, parts[parts.len() - 1].end);
        span.parts = parts;
        ids.insert(bound.id.to_string(), annotations.add_span(span));
    }
    // Relations and events may name spans defined after them, so they come second.
    for link in &standoff.links {
        let target = |(_, id): &(&str, &str)| ids.get(*id).copied();
        let argument = |role: &str| link.arguments.iter().find(|(r, _)| *r == role).and_then(target);
        match link.kind {
            LinkKind::Relation => {
                if let (Some(from), Some(to)) = (argument("Arg1"), argument("Arg2")) {
                    annotations.add_relation(link.label, from, to);
                }
            }
            LinkKind::Event => {
                if let (Some(trigger), Some(content)) =
                    (link.arguments.first().and_then(target), argument(CONTENT_ROLE))
                {
                    annotations.add_relation(CUE_OF, trigger, content);
                }
            }
        }
    }
    Ok(annotations)
}

/// `fragments` with each one that follows the previous across a line break and nothing but
/// whitespace merged into it.
fn rejoin_lines(index: &CharIndex, fragments: &[Span]) -> Vec<Span> {
    let mut parts: Vec<Span> = Vec::with_capacity(fragments.len());
    for fragment in fragments {
        if let Some(last) = parts.last_mut() {
            let gap = index.slice(last.end..fragment.start.max(last.end));
            if last.end <= fragment.start && gap.contains(breaks_a_line) && gap.chars().all(char::is_whitespace) {
                last.end = fragment.end;
                continue;
            }
        }
        parts.push(*fragment);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixtures::tagged_document;

    #[test]
    fn a_collection_reads_back_to_the_same_spans_fragments_and_relations() {
        let doc = tagged_document();
        let dir = tempfile::tempdir().unwrap();
        let mut sink = BratSink::new(dir.path()).unwrap();
        sink.write(&doc).unwrap();
        sink.finish().unwrap();
        let ann = std::fs::read_to_string(dir.path().join("00001-doc-1.ann")).unwrap();
        assert!(ann.starts_with("T1\tPER 3 8\tПутін\n"), "{ann}");
        assert!(ann.contains("\tCLAIM 3 15;34 49\t"), "the split quote keeps its fragments: {ann}");
        assert!(ann.contains("E1\tCUE:T6 Content:T5"), "{ann}");
        assert!(ann.contains("R1\tSOURCE_OF Arg1:T7 Arg2:T5"), "{ann}");
        let texts = read(dir.path()).unwrap();
        assert_eq!(texts[0].text, doc.text);
        assert_eq!(texts[0].annotations.canonical(), Annotations::of(&doc).canonical());
        assert!(std::fs::read_to_string(dir.path().join("annotation.conf"))
            .unwrap()
            .contains("[events]\nCUE Content:CLAIM"));
    }

    #[test]
    fn the_conf_lets_every_span_type_overlap_every_other() {
        let conf = annotation_conf();
        let rule = conf.lines().find(|line| line.starts_with("<OVERLAP>\t")).expect("an overlap rule");
        for label in ["PER", "ORG", "LOC", "MISC", "SOURCE", "CLAIM", "CUE"] {
            assert_eq!(rule.matches(label).count(), 2, "{label} in both arguments: {rule}");
        }
        assert!(rule.ends_with(", <OVL-TYPE>:<ANY>"), "{rule}");
        let relations = conf.split("[relations]\n").nth(1).and_then(|rest| rest.split("\n\n").next());
        assert!(relations.is_some_and(|section| section.contains(rule)), "in [relations]: {conf}");
    }

    #[test]
    fn every_span_type_is_drawn_in_its_own_colour() {
        let dir = tempfile::tempdir().unwrap();
        let mut sink = BratSink::new(dir.path()).unwrap();
        sink.finish().unwrap();
        let visual = std::fs::read_to_string(dir.path().join("visual.conf")).unwrap();
        let mut colours = std::collections::BTreeSet::new();
        for label in ["PER", "ORG", "LOC", "MISC", "SOURCE", "CLAIM", "CUE"] {
            let line = visual.lines().find(|line| line.starts_with(&format!("{label}\t"))).expect(label);
            colours.insert(line.split("bgColor:").nth(1).expect("a colour").to_string());
        }
        assert_eq!(colours.len(), 7, "{visual}");
    }

    #[test]
    fn a_span_across_line_breaks_is_cut_into_fragments_brat_can_parse() {
        // brat requires a T line's text to equal its fragments' text joined by spaces, and reads
        // the .ann with Python's splitlines, which also ends lines at U+2028.
        let text = "🙂 New\r\nYork and Київ\u{2028}Мир.";
        let mut doc = Document::new("d", text);
        for (id, label, start, end) in [("e0", "LOC", 2, 11), ("e1", "MISC", 16, 24)] {
            let surface = CharIndex::new(text).slice(start..end).to_string();
            doc.entities.push(crate::document::Entity {
                id: id.into(),
                text: surface,
                label: label.into(),
                start,
                end,
                score: 0.9,
            });
        }
        let ann = ann(&doc);
        assert_eq!(ann, "T1\tLOC 2 5;7 11\tNew York\nT2\tMISC 16 20;21 24\tКиїв Мир\n");
        let read = parse_ann(&ann, text).unwrap();
        assert_eq!(read.canonical(), Annotations::of(&doc).canonical(), "the fragments read back as one span");
    }

    #[test]
    fn fragments_apart_by_more_than_line_breaks_stay_apart() {
        let read = parse_ann("T1\tCLAIM 0 1;4 5;6 7\ta b c\n", "a\n\t b c").unwrap();
        assert_eq!(read.spans[0].parts, [Span::new(0, 5), Span::new(6, 7)], "a break, then only a space");
        let read = parse_ann("T1\tCLAIM 0 1;4 5\ta c\n", "a\nb\nc").unwrap();
        assert_eq!(read.spans[0].parts.len(), 2, "a word between: a split quote");
    }

    #[test]
    fn bad_offsets_are_named_with_their_line() {
        let err = parse_ann("T1\tPER 0 5\tPutin\nT2\tLOC 9 99\tKyiv\n", "Putin was in Kyiv...").unwrap_err();
        assert!(err.starts_with("line 2: span [9, 99) is not inside the text"), "{err}");
    }
}
