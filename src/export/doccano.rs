//! Doccano: JSONL, one document a line, `{"text", "entities": [{"id", "label", "start_offset",
//! "end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}]}` as Doccano's sequence
//! labeling with relations exports it. Offsets are code points (Doccano is Python). Spans are
//! continuous, so a split quote's `CLAIM` spans both pieces.

use std::path::Path;

use serde_json::{json, Value};

use super::{check_span, joined_parts, AnnotatedText, Annotations, ImportError, LabeledSpan, SpanIds};
use crate::document::Document;
use crate::offsets::CharIndex;

/// The Doccano record of one document.
pub fn record(doc: &Document, _position: usize) -> Value {
    let annotations = joined_parts(Annotations::of(doc));
    let entities: Vec<Value> = annotations
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"id": i, "label": s.label, "start_offset": s.start, "end_offset": s.end}))
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
/// older `"label": [[start, end, "LABEL"], ...]`.
pub fn read(path: &Path) -> Result<Vec<AnnotatedText>, ImportError> {
    let content = std::fs::read_to_string(path).map_err(|error| ImportError::read(path, error))?;
    let mut texts = Vec::new();
    for (number, line) in content.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let bad = |problem: String| ImportError::bad(path, format!("line {}: {problem}", number + 1));
        let record: Value = serde_json::from_str(line).map_err(|err| bad(format!("invalid JSON: {err}")))?;
        let text = record["text"].as_str().ok_or_else(|| bad("no \"text\"".to_string()))?;
        let annotations = read_record(&record, CharIndex::new(text).len_chars()).map_err(bad)?;
        let id =
            record["document_id"].as_str().map(String::from).or_else(|| record["id"].as_u64().map(|i| i.to_string()));
        texts.push(AnnotatedText { id, text: text.to_string(), annotations });
    }
    Ok(texts)
}

fn read_record(record: &Value, len: usize) -> Result<Annotations, String> {
    let mut annotations = Annotations::default();
    let mut ids = SpanIds::new();
    for entity in record["entities"].as_array().into_iter().flatten() {
        let (Some(start), Some(end), Some(label)) =
            (entity["start_offset"].as_u64(), entity["end_offset"].as_u64(), entity["label"].as_str())
        else {
            return Err(format!("entity {entity} needs start_offset, end_offset and label"));
        };
        check_span(start as usize, end as usize, len)?;
        let index = annotations.add_span(LabeledSpan::new(label, start as usize, end as usize));
        ids.insert(entity["id"].to_string(), index);
    }
    for triple in record["label"].as_array().into_iter().flatten() {
        let (Some(start), Some(end), Some(label)) = (triple[0].as_u64(), triple[1].as_u64(), triple[2].as_str()) else {
            return Err(format!("label {triple} is not [start, end, \"LABEL\"]"));
        };
        check_span(start as usize, end as usize, len)?;
        annotations.add_span(LabeledSpan::new(label, start as usize, end as usize));
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
    fn the_older_label_list_format_reads_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.jsonl");
        std::fs::write(&path, "{\"text\": \"🙂 Київ\", \"label\": [[2, 6, \"LOC\"]]}\n").unwrap();
        assert_eq!(read(&path).unwrap()[0].annotations.spans, [LabeledSpan::new("LOC", 2, 6)]);
    }
}
