//! Label Studio: a JSON array of tasks, `{"data": {"text", "id"}, "predictions": [{"result": [...]}]}`,
//! with `labels` regions for spans and `relation` results linking them, plus the labeling
//! config that declares those labels ([`labeling_config`]), written beside the tasks.
//!
//! Offsets are code points: Label Studio stores code point offsets since its frontend fix for
//! astral characters (HumanSignal/label-studio#1559). Regions are continuous, so a split quote's
//! `CLAIM` spans both pieces and the cue between them.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::{
    check_span, escape_xml, joined_parts, label_colour, AnnotatedText, Annotations, ImportError, Imported, LabeledSpan,
    SpanIds, CLAIM, CUE, CUE_OF, ENTITY_LABELS, SOURCE, SOURCE_OF,
};
use crate::document::Document;
use crate::offsets::CharIndex;

/// The task of one document, claimtag's spans as its predictions.
pub fn task(doc: &Document, _position: usize) -> Value {
    let index = doc.char_index();
    let annotations = joined_parts(Annotations::of(doc));
    let mut result: Vec<Value> = annotations
        .spans
        .iter()
        .enumerate()
        .map(|(i, span)| {
            json!({
                "id": format!("s{i}"), "from_name": "label", "to_name": "text", "type": "labels",
                "value": {"start": span.start, "end": span.end, "text": index.slice(span.start..span.end), "labels": [span.label]},
            })
        })
        .collect();
    result.extend(annotations.relations.iter().map(|relation| {
        json!({"type": "relation", "from_id": format!("s{}", relation.from), "to_id": format!("s{}", relation.to),
               "direction": "right", "labels": [relation.label]})
    }));
    json!({
        "data": {"text": doc.text, "id": doc.id},
        "predictions": [{"model_version": concat!("claimtag ", env!("CARGO_PKG_VERSION")), "result": result}],
    })
}

/// The labeling config (XML) for the tasks: entity and claim-role labels on the text, and the
/// two relation labels.
pub fn labeling_config() -> String {
    let labels: Vec<String> = ENTITY_LABELS
        .iter()
        .chain(&[SOURCE, CUE, CLAIM])
        .map(|label| format!("    <Label value=\"{}\" background=\"{}\"/>", escape_xml(label), label_colour(label)))
        .collect();
    format!(
        "<View>\n  <Relations>\n    <Relation value=\"{SOURCE_OF}\"/>\n    <Relation value=\"{CUE_OF}\"/>\n  </Relations>\n  \
         <Labels name=\"label\" toName=\"text\">\n{}\n  </Labels>\n  <Text name=\"text\" value=\"$text\"/>\n</View>\n",
        labels.join("\n")
    )
}

/// The labeling config's path for the tasks file `tasks`: beside it, `NAME.label-config.xml`.
pub fn labeling_config_path(tasks: &Path) -> PathBuf {
    tasks.with_extension("label-config.xml")
}

/// Writes [`labeling_config`] beside the tasks file `tasks` (Label Studio imports tasks and
/// config separately), at [`labeling_config_path`].
pub fn write_labeling_config(tasks: &Path) -> Result<(), LabelingConfigError> {
    let path = labeling_config_path(tasks);
    std::fs::write(&path, labeling_config()).map_err(|source| LabelingConfigError { path, source })
}

/// The labeling config could not be written beside the tasks.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}", path.display())]
pub struct LabelingConfigError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Reads a Label Studio JSON export (or our own tasks): each task's first annotation that was
/// not cancelled, else its first prediction that holds its regions. Label Studio's own export
/// lists a task's predictions by id only (`"predictions": [7]`), so a task nobody annotated has
/// nothing to read: it is skipped and counted, never read as a text without entities (that
/// would train on `O` alone). A file where no task has anything to read is an error.
pub fn read(path: &Path) -> Result<Imported, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|error| ImportError::read(path, error))?;
    let tasks: Value =
        serde_json::from_str(&text).map_err(|err| ImportError::bad(path, format!("invalid JSON: {err}")))?;
    let Value::Array(tasks) = tasks else {
        return Err(ImportError::bad(path, "expected a JSON array of tasks (Label Studio's JSON export)"));
    };
    let mut imported = Imported::default();
    for (number, task) in tasks.iter().enumerate() {
        let bad = |problem: String| ImportError::bad(path, format!("task {}: {problem}", number + 1));
        let text = task["data"]["text"].as_str().ok_or_else(|| bad("no data.text".to_string()))?;
        let id = task["data"]["id"].as_str().map(String::from).or_else(|| task["id"].as_u64().map(|id| id.to_string()));
        let has_result = |record: &&Value| record["result"].is_array();
        let annotation = task["annotations"]
            .as_array()
            .and_then(|all| all.iter().filter(has_result).find(|a| !a["was_cancelled"].as_bool().unwrap_or(false)))
            .or_else(|| task["predictions"].as_array().and_then(|all| all.iter().find(has_result)));
        let Some(annotation) = annotation else {
            imported.skipped += 1;
            continue;
        };
        let annotations = read_result(&annotation["result"], CharIndex::new(text).len_chars()).map_err(bad)?;
        imported.texts.push(AnnotatedText { id, text: text.to_string(), annotations });
    }
    if imported.texts.is_empty() {
        return Err(ImportError::bad(
            path,
            format!(
                "none of its {} tasks has an annotation, or a prediction with its regions (Label Studio's export \
                 names predictions by id only): annotate the tasks, or give the file `claimtag tag --format \
                 label-studio` wrote",
                tasks.len()
            ),
        ));
    }
    Ok(imported)
}

fn read_result(result: &Value, len: usize) -> Result<Annotations, String> {
    let mut annotations = Annotations::default();
    let mut ids = SpanIds::new();
    let results = result.as_array().map(Vec::as_slice).unwrap_or_default();
    for region in results.iter().filter(|r| r["type"] == "labels") {
        let value = &region["value"];
        let (Some(start), Some(end)) = (value["start"].as_u64(), value["end"].as_u64()) else {
            return Err(format!("region {} has no start and end", region["id"]));
        };
        let (start, end) = (start as usize, end as usize);
        check_span(start, end, len)?;
        for label in value["labels"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            let index = annotations.add_span(LabeledSpan::new(label, start, end));
            if let Some(id) = region["id"].as_str() {
                ids.insert(id.to_string(), index);
            }
        }
    }
    for relation in results.iter().filter(|r| r["type"] == "relation") {
        let endpoint = |key: &str| relation[key].as_str().and_then(|id| ids.get(id).copied());
        let (Some(from), Some(to)) = (endpoint("from_id"), endpoint("to_id")) else {
            return Err(format!("relation {} -> {} names an unknown region", relation["from_id"], relation["to_id"]));
        };
        for label in relation["labels"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            annotations.add_relation(label, from, to);
        }
    }
    Ok(annotations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixtures::tagged_document;
    use crate::export::{JsonLayout, ToolJsonSink};
    use crate::output::DocumentSink;

    #[test]
    fn the_labeling_config_goes_beside_the_tasks_file() {
        let dir = tempfile::tempdir().unwrap();
        let tasks = dir.path().join("run.json");
        assert_eq!(labeling_config_path(&tasks), dir.path().join("run.label-config.xml"));
        write_labeling_config(&tasks).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("run.label-config.xml")).unwrap(), labeling_config());
        let err = write_labeling_config(&dir.path().join("missing/run.json")).unwrap_err();
        assert!(err.to_string().starts_with("cannot write "), "{err}");
        assert!(err.to_string().ends_with("run.label-config.xml"), "{err}");
    }

    #[test]
    fn tasks_read_back_to_the_same_spans_and_relations() {
        let doc = tagged_document();
        let mut out = Vec::new();
        let mut sink = ToolJsonSink::new(&mut out, JsonLayout::Array, task);
        sink.write(&doc).unwrap();
        sink.write(&doc).unwrap();
        sink.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tasks.json");
        std::fs::write(&path, &out).unwrap();
        let texts = read(&path).unwrap().texts;
        assert_eq!(texts.len(), 2);
        assert_eq!(texts[0].text, doc.text);
        assert_eq!(texts[0].id.as_deref(), Some("doc-1"));
        assert_eq!(texts[0].annotations.canonical(), joined_parts(Annotations::of(&doc)).canonical());
        let tasks: Value = serde_json::from_slice(&out).unwrap();
        let first = &tasks[0]["predictions"][0]["result"][0]["value"];
        assert_eq!((first["start"].as_u64(), first["text"].as_str()), (Some(3), Some("Путін")), "code points");
    }

    #[test]
    fn human_annotations_win_over_predictions_and_cancelled_ones_are_skipped() {
        let tasks = json!([{
            "id": 7, "data": {"text": "Putin 🙂 spoke in Kyiv"},
            "annotations": [
                {"was_cancelled": true, "result": []},
                {"result": [{"id": "a", "type": "labels", "value": {"start": 17, "end": 21, "labels": ["LOC"]}}]}
            ],
            "predictions": [{"result": [{"id": "p", "type": "labels", "value": {"start": 0, "end": 5, "labels": ["PER"]}}]}]
        }]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.json");
        std::fs::write(&path, tasks.to_string()).unwrap();
        let texts = read(&path).unwrap().texts;
        assert_eq!(texts[0].id.as_deref(), Some("7"));
        assert_eq!(texts[0].annotations.spans, [LabeledSpan::new("LOC", 17, 21)]);
    }

    #[test]
    fn tasks_whose_predictions_are_only_ids_are_skipped_and_counted() {
        // Label Studio's JSON export: predictions by id; one task annotated, one cancelled, two not touched.
        let tasks = json!([
            {"id": 1, "data": {"text": "Putin spoke"}, "annotations": [], "predictions": [7]},
            {"id": 2, "data": {"text": "Kyiv held"}, "annotations": [
                {"result": [{"id": "a", "type": "labels", "value": {"start": 0, "end": 4, "labels": ["LOC"]}}]}
            ], "predictions": [8]},
            {"id": 3, "data": {"text": "Nobody"}, "annotations": [{"was_cancelled": true, "result": []}], "predictions": [9]},
            {"id": 4, "data": {"text": "Nothing at all"}}
        ]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.json");
        std::fs::write(&path, tasks.to_string()).unwrap();
        let imported = read(&path).unwrap();
        assert_eq!(imported.skipped, 3);
        assert_eq!(imported.texts.len(), 1);
        assert_eq!(imported.texts[0].annotations.spans, [LabeledSpan::new("LOC", 0, 4)]);
    }

    #[test]
    fn a_file_where_no_task_has_anything_to_read_is_an_error() {
        let tasks = json!([{"id": 1, "data": {"text": "Putin spoke"}, "annotations": [], "predictions": [7]}]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.json");
        std::fs::write(&path, tasks.to_string()).unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}: none of its 1 tasks", path.display())), "{err}");
        std::fs::write(&path, "[]").unwrap();
        assert!(read(&path).unwrap_err().to_string().contains("none of its 0 tasks"));
    }

    #[test]
    fn an_empty_annotation_is_a_text_without_entities() {
        let tasks = json!([{"data": {"text": "Nothing here"}, "annotations": [{"result": []}]}]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.json");
        std::fs::write(&path, tasks.to_string()).unwrap();
        let imported = read(&path).unwrap();
        assert_eq!((imported.texts.len(), imported.skipped), (1, 0));
        assert!(imported.texts[0].annotations.spans.is_empty());
    }

    #[test]
    fn a_region_outside_the_text_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.json");
        let task = json!([{"data": {"text": "abc"}, "annotations": [{"result": [{"id": "x", "type": "labels", "value": {"start": 1, "end": 9, "labels": ["PER"]}}]}]}]);
        std::fs::write(&path, task.to_string()).unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.ends_with("task 1: span [1, 9) is not inside the text (3 characters)"), "{err}");
    }

    #[test]
    fn the_config_declares_every_label_and_relation() {
        let config = labeling_config();
        for label in ["PER", "ORG", "LOC", "MISC", "SOURCE", "CUE", "CLAIM", "SOURCE_OF", "CUE_OF"] {
            assert!(config.contains(&format!("value=\"{label}\"")), "{label}");
        }
    }
}
