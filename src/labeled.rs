//! Labelled data for training and evaluation: entity tags from CoNLL column files, JSONL span
//! files and annotation tools' exports, and claim-role tags from PolNeAR attributions.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::claims_eval::Article;
use crate::document::{Document, Span};
use crate::export::{brat, doccano, iob2_tags, label_studio, words_of, AnnotatedText, ImportError};
use crate::offsets::CharIndex;
use crate::segment::{words, Segmenter};

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
    #[error(transparent)]
    Import(#[from] ImportError),
}

/// Reads labelled data, by what `path` is: a directory is a brat collection, `.json` a Label
/// Studio export, `.jsonl` Doccano JSONL or claimtag's span JSONL (told apart by their fields),
/// anything else CoNLL columns. Only entity labels are kept; claim roles are not NER labels.
/// Label Studio tasks with nothing to read are left out with a count on stderr.
pub fn read_labeled(path: &Path) -> Result<Vec<LabeledSentence>, DataError> {
    if path.is_dir() {
        return Ok(from_annotated(brat::read(path)?));
    }
    if path.extension().is_some_and(|ext| ext == "json") {
        let imported = label_studio::read(path)?;
        if imported.skipped > 0 {
            // Said where training and eval both see it: the scores and the model cover fewer
            // documents than the file holds.
            eprintln!(
                "claimtag: {}: skipped {} of {} tasks with no annotation and no prediction regions",
                path.display(),
                imported.skipped,
                imported.skipped + imported.texts.len()
            );
        }
        return Ok(from_annotated(imported.texts));
    }
    let text = std::fs::read_to_string(path).map_err(|error| DataError::Read { path: path.into(), error })?;
    if path.extension().is_some_and(|ext| ext == "jsonl") {
        let first = text.lines().find(|line| !line.trim().is_empty()).unwrap_or_default();
        if serde_json::from_str(first).is_ok_and(|record| doccano::looks_like_doccano(&record)) {
            return Ok(from_annotated(doccano::read(path)?));
        }
        parse_span_jsonl(path, &text)
    } else {
        parse_conll(path, &text)
    }
}

/// Texts read back from an annotation tool, split into the sentences `claimtag tag` finds in
/// them (the sentences the CoNLL export writes). One sentence per document would be cut at the
/// model's length in training, losing every entity past it, and scored differently by `eval`.
/// A sentence that starts inside an entity starts it anew (`B-`), as the CoNLL reader does.
fn from_annotated(texts: Vec<AnnotatedText>) -> Vec<LabeledSentence> {
    let segmenter = Segmenter::default();
    let mut sentences = Vec::new();
    for (document, annotated) in texts.into_iter().enumerate() {
        let entities: Vec<(usize, usize, &str)> = annotated
            .annotations
            .spans
            .iter()
            .filter(|span| span.is_entity())
            .map(|span| (span.start, span.end, span.label.as_str()))
            .collect();
        let mut doc = Document::new(String::new(), annotated.text.as_str());
        doc.sentences = segmenter.split(&doc.text);
        let words = words_of(&doc);
        let tags = iob2_tags(words.iter().map(|word| word.span.start), &entities);
        let index = CharIndex::new(&doc.text);
        let mut at = 0;
        for sentence in words.chunk_by(|a, b| a.sentence == b.sentence) {
            let tokens = sentence.iter().map(|word| index.slice(word.span.start..word.span.end).to_string()).collect();
            let tags = to_iob2(&tags[at..at + sentence.len()]);
            at += sentence.len();
            sentences.push(LabeledSentence { tokens, tags, document });
        }
    }
    sentences
}

/// The words of `text` tagged IOB2 from entity spans `(start, end, label)`: a word takes the
/// label of the span it starts in.
fn tag_words(text: &str, entities: &[(usize, usize, &str)], document: usize) -> LabeledSentence {
    let chars = CharIndex::new(text);
    let spans = words(text);
    LabeledSentence {
        tokens: spans.iter().map(|span| chars.slice(span.start..span.end).to_string()).collect(),
        tags: iob2_tags(spans.iter().map(|span| span.start), entities),
        document,
    }
}

/// Tag kinds of an attribution's source, cue and content, in that order.
pub const ROLE_KINDS: [&str; 3] = ["SOURCE", "CUE", "CONTENT"];

/// PolNeAR articles as sentences of words tagged IOB2 with their claim roles (`B-SOURCE`,
/// `I-CUE`, `B-CONTENT`, ...), segmented as `tag` segments an article, one document each. A
/// content running over sentences continues (`I-CONTENT`) into the next one; each fragment of
/// a discontinuous span is a span of its own.
pub fn role_sentences(articles: &[Article], segmenter: &Segmenter) -> Vec<LabeledSentence> {
    let mut sentences = Vec::new();
    for (document, article) in articles.iter().enumerate() {
        let index = CharIndex::new(&article.text);
        let mut spans: Vec<(usize, usize, &str)> = Vec::new();
        for attribution in &article.gold {
            for (fragments, label) in
                [&attribution.source, &attribution.cue, &attribution.content].into_iter().zip(ROLE_KINDS)
            {
                spans.extend(fragments.iter().map(|&(start, end)| (start, end, label)));
            }
        }
        // Tagged as one sequence, so a span that runs on into the next sentence continues there.
        let sentence_words: Vec<Vec<Span>> = segmenter
            .split(&article.text)
            .into_iter()
            .map(|sentence| {
                words(index.slice(sentence.start..sentence.end))
                    .into_iter()
                    .map(|word| Span::new(sentence.start + word.start, sentence.start + word.end))
                    .collect::<Vec<Span>>()
            })
            .filter(|words| !words.is_empty())
            .collect();
        let mut tags = iob2_tags(sentence_words.iter().flatten().map(|word| word.start), &spans).into_iter();
        for words in sentence_words {
            sentences.push(LabeledSentence {
                tokens: words.iter().map(|word| index.slice(word.start..word.end).to_string()).collect(),
                tags: tags.by_ref().take(words.len()).collect(),
                document,
            });
        }
    }
    sentences
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
        let entities: Vec<(usize, usize, &str)> =
            record.entities.iter().map(|e| (e.start, e.end, e.label.as_str())).collect();
        sentences.push(tag_words(&record.text, &entities, sentences.len()));
    }
    Ok(sentences)
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

    /// Writes `doc` as CoNLL, Label Studio tasks, Doccano JSONL and a brat collection in `dir`.
    fn exports_of(doc: &crate::document::Document, dir: &Path) -> [PathBuf; 4] {
        use crate::export::{brat::BratSink, conll::ConllSink, doccano, label_studio, JsonLayout, ToolJsonSink};
        use crate::output::DocumentSink;
        let conll = dir.join("out.conll");
        let mut out = Vec::new();
        ConllSink::new(&mut out).write(doc).unwrap();
        std::fs::write(&conll, out).unwrap();
        let ls = dir.join("tasks.json");
        let mut out = Vec::new();
        let mut sink = ToolJsonSink::new(&mut out, JsonLayout::Array, label_studio::task);
        sink.write(doc).unwrap();
        sink.finish().unwrap();
        std::fs::write(&ls, out).unwrap();
        let doccano = dir.join("doccano.jsonl");
        let mut out = Vec::new();
        ToolJsonSink::new(&mut out, JsonLayout::Lines, doccano::record).write(doc).unwrap();
        std::fs::write(&doccano, out).unwrap();
        let brat_dir = dir.join("brat");
        let mut sink = BratSink::new(&brat_dir).unwrap();
        sink.write(doc).unwrap();
        sink.finish().unwrap();
        [conll, ls, doccano, brat_dir]
    }

    /// Tokens and tags of each sentence, without the document numbers (CoNLL counts from 1).
    fn sentences_of(path: &Path) -> Vec<(Vec<String>, Vec<String>)> {
        read_labeled(path).unwrap().into_iter().map(|s| (s.tokens, s.tags)).collect()
    }

    #[test]
    fn corrections_from_label_studio_doccano_and_brat_become_the_same_training_sentences() {
        let doc = crate::export::fixtures::tagged_document();
        let dir = tempfile::tempdir().unwrap();
        let [conll, tools @ ..] = exports_of(&doc, dir.path());
        let expected = [
            vec!["O", "O", "B-PER", "O", "O", "O", "O", "O", "B-PER", "O", "O", "O", "B-LOC", "O", "O", "O"],
            vec!["B-ORG", "O", "O"],
        ];
        assert_eq!(sentences_of(&conll).iter().map(|s| s.1.clone()).collect::<Vec<_>>(), expected);
        for path in tools {
            let sentences = read_labeled(&path).unwrap();
            assert_eq!(sentences.len(), 2, "{}: the sentences `tag` finds", path.display());
            assert_eq!(sentences[0].tags, expected[0], "{}: claim roles are not NER labels", path.display());
            assert_eq!(sentences[1].tags, expected[1], "{}", path.display());
            assert_eq!(sentences[0].tokens[2], "Путін");
            assert_eq!(sentences[0].document, sentences[1].document);
        }
    }

    #[test]
    fn a_long_imported_document_keeps_every_sentence_and_entity_as_the_conll_export_does() {
        // 300 sentences: far past the 510 sub-tokens one "sentence" per document was cut at.
        let mut text = String::new();
        let mut entities = Vec::new();
        for i in 0..300 {
            let start = crate::offsets::char_len(&text) + crate::offsets::char_len(&format!("In item {i}, "));
            text += &format!("In item {i}, Kyiv answered Moscow.\n");
            entities.push(crate::document::Entity {
                id: format!("e{i}"),
                text: "Kyiv".into(),
                label: "LOC".into(),
                start,
                end: start + 4,
                score: 1.0,
            });
        }
        let mut doc = crate::document::Document::new("long", text);
        doc.sentences = Segmenter::default().split(&doc.text);
        doc.entities = entities;
        let dir = tempfile::tempdir().unwrap();
        let [conll, tools @ ..] = exports_of(&doc, dir.path());
        let expected = sentences_of(&conll);
        assert_eq!(expected.len(), 300);
        for path in tools {
            let sentences = sentences_of(&path);
            assert_eq!(sentences, expected, "{}", path.display());
            let entities = sentences.iter().flat_map(|s| &s.1).filter(|tag| *tag == "B-LOC").count();
            assert_eq!(entities, 300, "{}", path.display());
        }
    }

    #[test]
    fn a_sentence_that_starts_inside_an_entity_starts_it_anew() {
        let texts = vec![AnnotatedText {
            id: None,
            text: "He met Mr. Smith. Jones left.".into(),
            annotations: crate::export::Annotations {
                spans: vec![crate::export::LabeledSpan::new("PER", 11, 23)],
                relations: Vec::new(),
            },
        }];
        let sentences = from_annotated(texts);
        assert_eq!(sentences.len(), 2, "{sentences:?}");
        assert_eq!(sentences[1].tags[0], "B-PER");
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
