//! Doccano: JSONL, one document a line, `{"text", "entities": [{"id", "label", "start_offset",
//! "end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}]}` as Doccano's sequence
//! labeling with relations exports it. Spans are continuous, so a split quote's `CLAIM` spans
//! both pieces.
//!
//! Offsets are UTF-16 code units both ways: Doccano's server is Python, but its browser UI draws
//! and records spans by JavaScript string index, so code point offsets after an emoji are drawn
//! early and what an analyst marks comes back in UTF-16 units (doccano/doccano#99, #1931).
//!
//! A default Doccano project accepts neither overlapping spans nor relations: it drops a third
//! of the spans and its relation import fails. [`record_without_overlaps`] writes what such a
//! project takes (`--format doccano-flat`): its import dialog's plain JSONL reads spans from a
//! `label` column, `[[start, end, "LABEL"], ...]`, and keeps an `entities` column as metadata.

use std::path::Path;

use serde_json::{json, Value};

use super::{check_span, joined_parts, AnnotatedText, Annotations, ImportError, LabeledSpan, SpanIds};
use crate::document::Document;
use crate::offsets::{CharIndex, Utf16Index};

/// The Doccano record of one document, for a project with "Allow overlapping spans" and "Use
/// relation labeling" ticked.
pub fn record(doc: &Document, _position: usize) -> Value {
    write_record(doc, joined_parts(Annotations::of(doc)))
}

/// The Doccano record of one document for a project with the default settings, as its import
/// dialog's JSONL option reads it with the default column names: `{"text", "label": [[start,
/// end, "LABEL"], ...]}`, no relations, and no two spans overlapping. Entities are kept first
/// (the model's spans never overlap each other), then each claim role that overlaps nothing kept.
pub fn record_without_overlaps(doc: &Document, _position: usize) -> Value {
    let annotations = joined_parts(Annotations::of(doc));
    let mut kept: Vec<LabeledSpan> = Vec::new();
    let (entities, roles): (Vec<LabeledSpan>, Vec<LabeledSpan>) =
        annotations.spans.into_iter().partition(LabeledSpan::is_entity);
    for span in entities.into_iter().chain(roles) {
        if kept.iter().all(|known| known.end <= span.start || span.end <= known.start) {
            kept.push(span);
        }
    }
    let utf16 = Utf16Index::new(&doc.text);
    let label: Vec<Value> =
        kept.iter().map(|s| json!([utf16.utf16_of(s.start), utf16.utf16_of(s.end), s.label])).collect();
    json!({"text": doc.text, "label": label, "document_id": doc.id})
}

fn write_record(doc: &Document, annotations: Annotations) -> Value {
    let utf16 = Utf16Index::new(&doc.text);
    let entities: Vec<Value> = annotations
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (start, end) = (utf16.utf16_of(s.start), utf16.utf16_of(s.end));
            json!({"id": i, "label": s.label, "start_offset": start, "end_offset": end})
        })
        .collect();
    let relations: Vec<Value> = annotations
        .relations
        .iter()
        .enumerate()
        .map(|(i, r)| json!({"id": i, "from_id": r.from, "to_id": r.to, "type": r.label}))
        .collect();
    json!({"text": doc.text, "entities": entities, "relations": relations, "document_id": doc.id})
}

/// Whether a JSONL line is a Doccano record rather than claimtag's own span format.
pub fn looks_like_doccano(record: &Value) -> bool {
    record["entities"].as_array().is_some_and(|all| all.iter().any(|e| e.get("start_offset").is_some()))
        || record.get("label").is_some_and(Value::is_array)
}

/// Reads Doccano JSONL: `entities` with `start_offset`/`end_offset` (with `relations`), or the
/// older `"label": [[start, end, "LABEL"], ...]`, offsets in UTF-16 units. A file without a
/// record is an error: there is nothing to train or score on.
pub fn read(path: &Path) -> Result<Vec<AnnotatedText>, ImportError> {
    let content = std::fs::read_to_string(path).map_err(|error| ImportError::read(path, error))?;
    let mut texts = Vec::new();
    for (number, line) in content.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let bad = |problem: String| ImportError::bad(path, format!("line {}: {problem}", number + 1));
        let record: Value = serde_json::from_str(line).map_err(|err| bad(format!("invalid JSON: {err}")))?;
        let text = record["text"].as_str().ok_or_else(|| bad("no \"text\"".to_string()))?;
        let annotations = read_record(&record, text).map_err(bad)?;
        let id =
            record["document_id"].as_str().map(String::from).or_else(|| record["id"].as_u64().map(|i| i.to_string()));
        texts.push(AnnotatedText { id, text: text.to_string(), annotations });
    }
    if texts.is_empty() {
        return Err(ImportError::bad(path, "no records: expected Doccano's JSONL export, one document a line"));
    }
    Ok(texts)
}

fn read_record(record: &Value, text: &str) -> Result<Annotations, String> {
    let utf16 = Utf16Index::new(text);
    let len = CharIndex::new(text).len_chars();
    // A span as code points from UTF-16 offsets, checked to lie inside the text.
    let span = |start: u64, end: u64, label: &str| -> Result<LabeledSpan, String> {
        let to_char = |offset: u64| {
            usize::try_from(offset).ok().and_then(|offset| utf16.char_of_utf16(offset)).ok_or_else(|| {
                format!(
                    "offset {offset} of {label} [{start}, {end}) is past the text or inside a character (UTF-16 units)"
                )
            })
        };
        let (start, end) = (to_char(start)?, to_char(end)?);
        check_span(start, end, len)?;
        Ok(LabeledSpan::new(label, start, end))
    };
    let mut annotations = Annotations::default();
    let mut ids = SpanIds::new();
    for entity in record["entities"].as_array().into_iter().flatten() {
        let (Some(start), Some(end), Some(label)) =
            (entity["start_offset"].as_u64(), entity["end_offset"].as_u64(), entity["label"].as_str())
        else {
            return Err(format!("entity {entity} needs start_offset, end_offset and label"));
        };
        let index = annotations.add_span(span(start, end, label)?);
        ids.insert(entity["id"].to_string(), index);
    }
    for triple in record["label"].as_array().into_iter().flatten() {
        let (Some(start), Some(end), Some(label)) = (triple[0].as_u64(), triple[1].as_u64(), triple[2].as_str()) else {
            return Err(format!("label {triple} is not [start, end, \"LABEL\"]"));
        };
        annotations.add_span(span(start, end, label)?);
    }
    for relation in record["relations"].as_array().into_iter().flatten() {
        let endpoint = |key: &str| ids.get(&relation[key].to_string()).copied();
        let (Some(from), Some(to), Some(label)) = (endpoint("from_id"), endpoint("to_id"), relation["type"].as_str())
        else {
            return Err(format!("relation {relation} names an unknown entity"));
        };
        annotations.add_relation(label, from, to);
    }
    Ok(annotations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixtures::tagged_document;

    #[test]
    fn records_read_back_to_the_same_spans_and_relations() {
        let doc = tagged_document();
        let mut out = serde_json::to_vec(&record(&doc, 0)).unwrap();
        out.push(b'\n');
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doccano.jsonl");
        std::fs::write(&path, &out).unwrap();
        let texts = read(&path).unwrap();
        assert_eq!(texts[0].annotations.canonical(), joined_parts(Annotations::of(&doc)).canonical());
        assert!(looks_like_doccano(&serde_json::from_slice(&out[..out.len() - 1]).unwrap()));
    }

    #[test]
    fn offsets_are_utf16_units_as_doccano_s_browser_counts_them() {
        // "🙂 “Путін": the emoji is two UTF-16 units, so Путін starts at 4, not 3 (a code point offset).
        let first = &record(&tagged_document(), 0)["entities"][0];
        assert_eq!((first["start_offset"].as_u64(), first["end_offset"].as_u64()), (Some(4), Some(9)));
    }

    #[test]
    fn an_offset_inside_an_emoji_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(&path, "{\"text\": \"🙂 Київ\", \"label\": [[1, 7, \"LOC\"]]}\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.ends_with("line 1: offset 1 of LOC [1, 7) is past the text or inside a character (UTF-16 units)"),
            "{err}"
        );
    }

    #[test]
    fn an_empty_file_is_an_error_not_an_empty_corpus() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.jsonl");
        std::fs::write(&path, "\n").unwrap();
        assert!(read(&path).unwrap_err().to_string().contains("no records"));
    }

    #[test]
    fn a_default_project_gets_no_overlapping_spans_and_no_relations() {
        let doc = tagged_document();
        let flat = record_without_overlaps(&doc, 0);
        assert_eq!(flat.get("relations"), None);
        let mut spans: Vec<(u64, u64, &str)> = flat["label"]
            .as_array()
            .unwrap()
            .iter()
            .map(|triple| (triple[0].as_u64().unwrap(), triple[1].as_u64().unwrap(), triple[2].as_str().unwrap()))
            .collect();
        spans.sort();
        for pair in spans.windows(2) {
            assert!(pair[0].1 <= pair[1].0, "{pair:?} overlap");
        }
        let labels: Vec<&str> = spans.iter().map(|s| s.2).collect();
        assert_eq!(labels, ["PER", "CUE", "PER", "LOC", "ORG"], "every entity, and the cue, which overlaps none");
    }

    #[test]
    fn a_default_project_s_import_finds_the_spans_in_the_label_column_in_utf16_units() {
        // doccano's JSONL import reads spans from the column named "label" unless told otherwise;
        // spans under "entities" became metadata and the import reported the column missing.
        let doc = tagged_document();
        let flat = record_without_overlaps(&doc, 0);
        assert_eq!(flat.get("entities"), None);
        assert_eq!(flat["label"][0], json!([4, 9, "PER"]), "Путін after \"🙂 “\": 4 UTF-16 units in");
        assert_eq!(flat["document_id"], json!(doc.id));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flat.jsonl");
        std::fs::write(&path, format!("{flat}\n")).unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back[0].annotations.spans.len(), flat["label"].as_array().unwrap().len());
        assert!(back[0].annotations.relations.is_empty());
    }

    #[test]
    fn the_older_label_list_format_reads_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.jsonl");
        std::fs::write(&path, "{\"text\": \"🙂 Київ\", \"label\": [[3, 7, \"LOC\"]]}\n").unwrap();
        assert_eq!(
            read(&path).unwrap()[0].annotations.spans,
            [LabeledSpan::new("LOC", 2, 6)],
            "UTF-16 in, code points out"
        );
    }
}
