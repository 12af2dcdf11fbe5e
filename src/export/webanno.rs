//! WebAnno TSV 3.3, the format INCEpTION (and WebAnno) import and export: one `.tsv` per
//! document, a `#Text=` line per sentence, then one line per word with its sentence-word
//! address, its UTF-16 offsets (Java's string indexing), the word, and one column per feature:
//! named entities (DKPro's built-in `NamedEntity` layer), claim roles (a custom span layer
//! `webanno.custom.ClaimRole` with a `role` feature) and attributions (a custom relation layer
//! `webanno.custom.Attribution` over claim roles, with a `label` feature).
//!
//! Spans cover whole words; a multi-word span, or one stacked with another on the same word,
//! carries an id (`PER[3]`), and a relation sits on the first word of its target with the
//! address of its source's first word (`1-5[7_3]`). Spans are continuous, so a split quote's
//! `CLAIM` spans both pieces. Reserved characters in values and in `#Text=` are escaped with
//! a backslash.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use super::{document_file_stem, joined_parts, words_of, Annotations, LabeledSpan, Word};
use crate::document::{Document, Span};
use crate::input::RecordError;
use crate::offsets::Utf16Index;
use crate::output::DocumentSink;

const ENTITY_LAYER: &str = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity";
const ROLE_LAYER: &str = "webanno.custom.ClaimRole";
const RELATION_LAYER: &str = "webanno.custom.Attribution";

/// Writes one `.tsv` per document into a directory, named like brat's files.
pub struct WebAnnoSink {
    dir: PathBuf,
    written: usize,
}

impl WebAnnoSink {
    /// Creates `dir` if needed.
    pub fn new(dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(WebAnnoSink { dir: dir.to_path_buf(), written: 0 })
    }
}

impl DocumentSink for WebAnnoSink {
    fn write(&mut self, doc: &Document) -> io::Result<()> {
        self.written += 1;
        let stem = document_file_stem(self.written, &doc.id);
        std::fs::write(self.dir.join(format!("{stem}.tsv")), tsv(doc))
    }

    /// INCEpTION has no place for a document that could not be read; it is left out.
    fn write_error(&mut self, _error: &RecordError) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Escapes a feature value: backslash, and the characters TSV 3.3 reserves.
fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '[' | ']' | '|' | '_' | ';' | '*' => {
                out.push('\\');
                out.push(c);
            }
            '-' if chars.peek() == Some(&'>') => out.push_str("\\-"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Escapes a sentence for its `#Text=` line.
fn escape_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r").replace('\t', "\\t")
}

/// The words a span covers: from the one it starts in to the last one starting before its end.
fn covered(words: &[Word], span: &LabeledSpan) -> Option<(usize, usize)> {
    let first = words.iter().position(|w| w.span.end > span.start)?;
    let last = words.iter().rposition(|w| w.span.start < span.end)?;
    (first <= last).then_some((first, last))
}

/// The TSV of one document.
pub fn tsv(doc: &Document) -> String {
    let index = doc.char_index();
    let utf16 = Utf16Index::new(&doc.text);
    let words = words_of(doc);
    let annotations = joined_parts(Annotations::of(doc));

    // Word range of every span, and whether it needs an id (multi-word or stacked).
    let ranges: Vec<Option<(usize, usize)>> = annotations.spans.iter().map(|s| covered(&words, s)).collect();
    let mut per_word: Vec<[Vec<usize>; 2]> = vec![[Vec::new(), Vec::new()]; words.len()];
    for (i, range) in ranges.iter().enumerate() {
        let layer = usize::from(!annotations.spans[i].is_entity());
        if let Some((first, last)) = range {
            for slots in &mut per_word[*first..=*last] {
                slots[layer].push(i);
            }
        }
    }
    let needs_id: Vec<bool> = ranges
        .iter()
        .enumerate()
        .map(|(i, range)| {
            let layer = usize::from(!annotations.spans[i].is_entity());
            range.is_some_and(|(first, last)| first != last || per_word[first][layer].len() > 1)
        })
        .collect();
    // Ids run from 1 in span order; a span without one is 0 in relation references.
    let ids: Vec<usize> = (0..annotations.spans.len()).map(|i| i + 1).collect();
    let id_of = |i: usize| if needs_id[i] { ids[i] } else { 0 };
    let address = |word: usize| {
        let sentence = words[word].sentence;
        let position = words[..word].iter().filter(|w| w.sentence == sentence).count() + 1;
        format!("{}-{position}", sentence + 1)
    };
    let mut relations_at: BTreeMap<usize, Vec<(String, String)>> = BTreeMap::new();
    for relation in &annotations.relations {
        let (Some((from_word, _)), Some((to_word, _))) = (ranges[relation.from], ranges[relation.to]) else { continue };
        let reference = format!("{}[{}_{}]", address(from_word), id_of(relation.from), id_of(relation.to));
        relations_at.entry(to_word).or_default().push((escape_value(&relation.label), reference));
    }

    let mut out = format!(
        "#FORMAT=WebAnno TSV 3.3\n#T_SP={ENTITY_LAYER}|value\n#T_SP={ROLE_LAYER}|role\n#T_RL={RELATION_LAYER}|label|BT_{ROLE_LAYER}\n\n"
    );
    for (w, word) in words.iter().enumerate() {
        if w == 0 || words[w - 1].sentence != word.sentence {
            let sentence = doc.sentences[word.sentence];
            let _ = write!(out, "\n#Text={}\n", escape_text(index.slice(sentence.start..sentence.end)));
        }
        let column = |layer: usize| {
            let values: Vec<String> = per_word[w][layer]
                .iter()
                .map(|&i| {
                    let label = escape_value(&annotations.spans[i].label);
                    if needs_id[i] {
                        format!("{label}[{}]", ids[i])
                    } else {
                        label
                    }
                })
                .collect();
            if values.is_empty() {
                "_".to_string()
            } else {
                values.join("|")
            }
        };
        let (labels, references) = match relations_at.get(&w) {
            Some(relations) => (
                relations.iter().map(|(label, _)| label.as_str()).collect::<Vec<_>>().join("|"),
                relations.iter().map(|(_, reference)| reference.as_str()).collect::<Vec<_>>().join("|"),
            ),
            None => ("_".to_string(), "_".to_string()),
        };
        let _ = writeln!(
            out,
            "{}\t{}-{}\t{}\t{}\t{}\t{labels}\t{references}\t",
            address(w),
            utf16.utf16_of(word.span.start),
            utf16.utf16_of(word.span.end),
            index.slice(word.span.start..word.span.end),
            column(0),
            column(1),
        );
    }
    out
}

/// Reads a TSV written by [`tsv`] (the same three layers) back into code point spans and
/// relations over `text`.
pub fn read_tsv(content: &str, text: &str) -> Result<Annotations, String> {
    let utf16 = Utf16Index::new(text);
    let mut annotations = Annotations::default();
    // Spans being assembled: by (layer, label, id) for spans with ids, else one per word.
    let mut by_id: HashMap<(usize, String, usize), Span> = HashMap::new();
    let mut single: Vec<(usize, String, Span, String)> = Vec::new();
    let mut word_spans: HashMap<String, Span> = HashMap::new();
    let mut relation_cells: Vec<(String, String, String)> = Vec::new();
    for (number, line) in content.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |problem: &str| format!("line {}: {problem}", number + 1);
        let columns: Vec<&str> = line.split('\t').collect();
        if columns.len() < 7 {
            return Err(bad("expected 7 columns"));
        }
        let (begin, end) = columns[1].split_once('-').ok_or_else(|| bad("bad offsets"))?;
        let to_char = |offset: &str| offset.parse().ok().and_then(|o| utf16.char_of_utf16(o));
        let (Some(begin), Some(end)) = (to_char(begin), to_char(end)) else {
            return Err(bad("offsets not on a character"));
        };
        let word = Span::new(begin, end);
        word_spans.insert(columns[0].to_string(), word);
        for layer in 0..2 {
            if columns[3 + layer] == "_" {
                continue;
            }
            for value in split_unescaped(columns[3 + layer]) {
                let (label, id) = match value.strip_suffix(']').and_then(|v| v.rsplit_once('[')) {
                    Some((label, id)) => (unescape(label), id.parse::<usize>().map_err(|_| bad("bad span id"))?),
                    None => (unescape(&value), 0),
                };
                if id == 0 {
                    single.push((layer, label, word, columns[0].to_string()));
                } else {
                    by_id.entry((layer, label, id)).and_modify(|s| s.end = end).or_insert(word);
                }
            }
        }
        if columns[5] != "_" {
            for (label, reference) in split_unescaped(columns[5]).into_iter().zip(split_unescaped(columns[6])) {
                relation_cells.push((unescape(&label), reference, columns[0].to_string()));
            }
        }
    }
    let mut span_ids: HashMap<(usize, usize), usize> = HashMap::new();
    let mut by_id: Vec<_> = by_id.into_iter().collect();
    by_id.sort_by_key(|((_, _, id), _)| *id);
    for ((_, label, id), span) in by_id {
        let index = annotations.add_span(LabeledSpan::new(&label, span.start, span.end));
        span_ids.insert((id, span.start), index);
    }
    let mut single_at: HashMap<String, Vec<usize>> = HashMap::new();
    for (layer, label, span, address) in single {
        let index = annotations.add_span(LabeledSpan::new(&label, span.start, span.end));
        if layer == 1 {
            single_at.entry(address).or_default().push(index);
        }
    }
    for (label, reference, target_address) in relation_cells {
        let (source_address, ids) =
            reference.split_once('[').ok_or("a relation reference needs [source_target] ids")?;
        let (source_id, target_id) = ids.trim_end_matches(']').split_once('_').ok_or("bad relation ids")?;
        let resolve = |id: &str, address: &str| -> Option<usize> {
            let id: usize = id.parse().ok()?;
            let word = word_spans.get(address)?;
            if id == 0 {
                single_at.get(address)?.first().copied()
            } else {
                span_ids.get(&(id, word.start)).copied()
            }
        };
        let (Some(from), Some(to)) = (resolve(source_id, source_address), resolve(target_id, &target_address)) else {
            return Err(format!("relation {label} {reference} names no span"));
        };
        annotations.add_relation(&label, from, to);
    }
    Ok(annotations)
}

/// Splits a stacked cell at `|` not escaped by a backslash.
fn split_unescaped(cell: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in cell.chars() {
        if escaped {
            parts.last_mut().expect("one part").push(c);
            escaped = false;
        } else if c == '\\' {
            parts.last_mut().expect("one part").push(c);
            escaped = true;
        } else if c == '|' {
            parts.push(String::new());
        } else {
            parts.last_mut().expect("one part").push(c);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixtures::tagged_document;

    #[test]
    fn a_document_reads_back_to_the_same_spans_and_relations_from_utf16_offsets() {
        let doc = tagged_document();
        let tsv = tsv(&doc);
        assert!(tsv.starts_with("#FORMAT=WebAnno TSV 3.3\n"));
        // The emoji is two UTF-16 units, so Путін (code points 3-8) sits at 4-9.
        // Relations sit on their target's first word; CUE and SOURCE are stacked under the
        // joined CLAIM, so they carry ids too.
        assert!(tsv.contains("\n1-3\t4-9\tПутін\tPER\tCLAIM[5]\tCUE\\_OF|SOURCE\\_OF\t1-8[6_5]|1-9[7_5]\t\n"), "{tsv}");
        assert!(tsv.contains("\n1-8\t19-23\tsaid\t_\tCLAIM[5]|CUE[6]\t_\t_\t\n"), "{tsv}");
        let read = read_tsv(&tsv, &doc.text).unwrap();
        assert_eq!(read.canonical(), joined_parts(Annotations::of(&doc)).canonical());
    }

    #[test]
    fn reserved_characters_are_escaped_and_unescaped() {
        for value in ["A|B", "x_y", "[1]", "a->b", "back\\slash", "semi;colon", "star*", "tab\tline\n"] {
            let escaped = escape_value(value);
            assert!(!escaped.contains('|') || escaped.contains("\\|"), "{escaped}");
            assert_eq!(unescape(&escaped), value);
        }
        assert_eq!(split_unescaped("A\\|B|C"), ["A\\|B", "C"]);
        assert_eq!(escape_text("a\\b\nc"), "a\\\\b\\nc");
    }
}
