//! claimtag's span JSONL: `{"text": ..., "entities": [{"start", "end", "label"}]}` a line.

use std::path::Path;

use serde::Deserialize;

use super::tags::TagScheme;
use super::{DataError, LabeledSentence};
use crate::offsets::CharIndex;
use crate::segment::words;

#[derive(Deserialize)]
struct SpanRecord {
    text: String,
    #[serde(default)]
    entities: Vec<SpanEntity>,
}

#[derive(Deserialize)]
struct SpanEntity {
    start: usize,
    end: usize,
    label: String,
}

/// `{"text": ..., "entities": [{"start", "end", "label"}]}` a line, code point offsets. The text
/// is split into tokens at whitespace and punctuation; a token takes the label of the span that
/// overlaps it. Each record is one sentence and one document.
pub fn parse_span_jsonl(path: &Path, text: &str) -> Result<Vec<LabeledSentence>, DataError> {
    let mut sentences = Vec::new();
    for (index, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let bad = |problem: String| DataError::Bad { path: path.into(), line: index + 1, problem };
        let record: SpanRecord = serde_json::from_str(line).map_err(|err| bad(format!("invalid record: {err}")))?;
        let chars = CharIndex::new(&record.text);
        for entity in &record.entities {
            if entity.start >= entity.end || entity.end > chars.len_chars() {
                return Err(bad(format!("entity [{}, {}) is outside the text", entity.start, entity.end)));
            }
        }
        let entities: Vec<(usize, usize, &str)> =
            record.entities.iter().map(|e| (e.start, e.end, e.label.as_str())).collect();
        sentences.push(tag_words(&record.text, &entities, sentences.len()));
    }
    Ok(sentences)
}

/// The words of `text` tagged IOB2 from entity spans `(start, end, label)` (see
/// [`TagScheme::tags`]).
fn tag_words(text: &str, entities: &[(usize, usize, &str)], document: usize) -> LabeledSentence {
    let chars = CharIndex::new(text);
    let spans = words(text);
    LabeledSentence {
        tokens: spans.iter().map(|span| chars.slice(span.start..span.end).to_string()).collect(),
        tags: TagScheme::Iob2.tags(&spans, entities),
        document,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_files_become_tagged_tokens_with_code_point_offsets() {
        let line = r#"{"text": "“Зеленський” met Joe Biden 🙂.", "entities": [{"start": 1, "end": 11, "label": "PER"}, {"start": 17, "end": 26, "label": "PER"}]}"#;
        let sentences = parse_span_jsonl(Path::new("x.jsonl"), line).unwrap();
        assert_eq!(sentences[0].tokens, ["“", "Зеленський", "”", "met", "Joe", "Biden", "🙂", "."]);
        assert_eq!(sentences[0].tags, ["O", "B-PER", "O", "O", "B-PER", "I-PER", "O", "O"]);
    }

    #[test]
    fn a_span_outside_the_text_is_named() {
        let err = parse_span_jsonl(
            Path::new("x.jsonl"),
            r#"{"text": "abc", "entities": [{"start": 1, "end": 9, "label": "PER"}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "x.jsonl, line 1: entity [1, 9) is outside the text");
    }
}
