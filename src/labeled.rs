//! Labelled NER data for training and evaluation: CoNLL column files and JSONL span files.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::offsets::CharIndex;

/// A sentence as tokens with one IOB2 tag each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledSentence {
    pub tokens: Vec<String>,
    /// IOB2 tags (`O`, `B-PER`, `I-PER`, ...), one per token.
    pub tags: Vec<String>,
    /// Index of the document the sentence belongs to (`-DOCSTART-` starts a new one).
    pub document: usize,
}

impl LabeledSentence {
    /// The tokens joined by single spaces: the text `train` and `eval` feed the model.
    pub fn text(&self) -> String {
        self.tokens.join(" ")
    }

    /// Code point offset of each token in [`LabeledSentence::text`].
    pub fn token_starts(&self) -> Vec<usize> {
        let mut starts = Vec::with_capacity(self.tokens.len());
        let mut at = 0;
        for token in &self.tokens {
            starts.push(at);
            at += token.chars().count() + 1;
        }
        starts
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{}: cannot read: {error}", path.display())]
    Read { path: PathBuf, error: std::io::Error },
    #[error("{}, line {line}: {problem}", path.display())]
    Bad { path: PathBuf, line: usize, problem: String },
}

/// Reads a CoNLL column file (`.txt`, `.conll`...) or a JSONL span file (`.jsonl`).
pub fn read_labeled(path: &Path) -> Result<Vec<LabeledSentence>, DataError> {
    let text = std::fs::read_to_string(path).map_err(|error| DataError::Read { path: path.into(), error })?;
    if path.extension().is_some_and(|ext| ext == "jsonl") {
        parse_span_jsonl(path, &text)
    } else {
        parse_conll(path, &text)
    }
}

/// Token in the first column, tag in the last; blank lines end sentences, `-DOCSTART-` lines
/// end documents. IOB1 tags are converted to IOB2.
pub fn parse_conll(path: &Path, text: &str) -> Result<Vec<LabeledSentence>, DataError> {
    let mut sentences = Vec::new();
    let mut document = 0;
    let mut current = LabeledSentence { tokens: Vec::new(), tags: Vec::new(), document };
    let flush = |current: &mut LabeledSentence, sentences: &mut Vec<LabeledSentence>, document: usize| {
        if !current.tokens.is_empty() {
            current.tags = to_iob2(&current.tags);
            sentences
                .push(std::mem::replace(current, LabeledSentence { tokens: Vec::new(), tags: Vec::new(), document }));
        }
        current.document = document;
    };
    for (index, line) in text.lines().enumerate() {
        let columns: Vec<&str> = line.split_whitespace().collect();
        match columns.as_slice() {
            [] => flush(&mut current, &mut sentences, document),
            [first, ..] if *first == "-DOCSTART-" => {
                document += 1;
                flush(&mut current, &mut sentences, document);
            }
            [_] => {
                return Err(DataError::Bad {
                    path: path.into(),
                    line: index + 1,
                    problem: format!("expected a token and a tag, found {line:?}"),
                })
            }
            [token, .., tag] => {
                current.tokens.push(token.to_string());
                current.tags.push(tag.to_string());
            }
        }
    }
    flush(&mut current, &mut sentences, document);
    Ok(sentences)
}

/// Converts IOB1 (where `I-X` may begin an entity and `B-X` only separates two adjacent ones) to
/// IOB2 (every entity begins with `B-X`). IOB2 input comes back unchanged.
pub fn to_iob2(tags: &[String]) -> Vec<String> {
    let mut previous = "O".to_string();
    tags.iter()
        .map(|tag| {
            let converted = match tag.split_once('-') {
                Some(("I", kind)) if previous == "O" || previous.split_once('-').map(|(_, k)| k) != Some(kind) => {
                    format!("B-{kind}")
                }
                _ => tag.clone(),
            };
            previous = converted.clone();
            converted
        })
        .collect()
}

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
/// is split into tokens at whitespace and punctuation; a token takes the label of the span it
/// starts in. Each record is one sentence and one document.
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
        let mut tokens = Vec::new();
        let mut tags = Vec::new();
        let mut previous_entity = None;
        for (start, end) in token_spans(&record.text) {
            let entity = record.entities.iter().position(|e| e.start <= start && start < e.end);
            let tag = match entity {
                None => "O".to_string(),
                Some(i) if previous_entity == Some(i) => format!("I-{}", record.entities[i].label),
                Some(i) => format!("B-{}", record.entities[i].label),
            };
            previous_entity = entity;
            tokens.push(chars.slice(start..end).to_string());
            tags.push(tag);
        }
        sentences.push(LabeledSentence { tokens, tags, document: sentences.len() });
    }
    Ok(sentences)
}

/// Code point spans of the tokens of `text`: runs of letters and digits, and single other
/// non-space characters.
fn token_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut run_start: Option<usize> = None;
    for (i, c) in text.chars().enumerate() {
        if c.is_alphanumeric() {
            run_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = run_start.take() {
            spans.push((start, i));
        }
        if !c.is_whitespace() {
            spans.push((i, i + 1));
        }
    }
    if let Some(start) = run_start {
        spans.push((start, text.chars().count()));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn conll_files_split_into_sentences_and_documents() {
        let text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n\n-DOCSTART- -X- O O\n\nKyiv NNP I-NP B-LOC\n";
        let sentences = parse_conll(Path::new("x"), text).unwrap();
        assert_eq!(sentences.len(), 3);
        assert_eq!(sentences[0].tokens, ["EU", "rejects"]);
        assert_eq!(sentences[0].tags, ["B-ORG", "O"]);
        assert_eq!(sentences[0].document, sentences[1].document);
        assert_ne!(sentences[1].document, sentences[2].document);
    }

    #[test]
    fn iob1_becomes_iob2() {
        assert_eq!(
            to_iob2(&tags(&["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG"])),
            ["B-PER", "I-PER", "B-PER", "O", "B-LOC", "B-ORG"]
        );
        let iob2 = tags(&["B-PER", "I-PER", "O", "B-LOC"]);
        assert_eq!(to_iob2(&iob2), iob2);
    }

    #[test]
    fn a_conll_line_without_a_tag_is_named() {
        let err = parse_conll(Path::new("train.txt"), "EU B-ORG\nrejects\n").unwrap_err();
        assert_eq!(err.to_string(), "train.txt, line 2: expected a token and a tag, found \"rejects\"");
    }

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
