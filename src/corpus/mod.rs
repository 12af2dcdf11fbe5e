//! Labelled data for training and evaluation: entity tags from CoNLL column files, span JSONL
//! files and annotation tools' exports, and claim-role tags from PolNeAR attributions.

pub mod brat;
pub mod conll;
pub mod polnear;
pub mod span_jsonl;
pub mod tags;

use std::path::{Path, PathBuf};

pub use conll::parse_conll;
pub use polnear::{read_polnear, role_sentences, Article, Attribution, PolnearError};
pub use span_jsonl::parse_span_jsonl;

use self::tags::TagScheme;
use crate::document::{Document, Span};
use crate::export::{self, doccano, label_studio, words_of, AnnotatedText, ImportError};
use crate::offsets::char_len;
use crate::segment::Segmenter;

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
            at += char_len(token) + 1;
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
        return Ok(from_annotated(export::brat::read(path)?));
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
        doc.sentences = segmenter.split_indexed(&doc.char_index());
        let words = words_of(&doc);
        let word_spans: Vec<Span> = words.iter().map(|word| word.span).collect();
        let tags = TagScheme::Iob2.tags(&word_spans, &entities);
        let index = doc.char_index();
        let mut at = 0;
        for sentence in words.chunk_by(|a, b| a.sentence == b.sentence) {
            let tokens = sentence.iter().map(|word| index.slice(word.span.start..word.span.end).to_string()).collect();
            let tags = TagScheme::Iob1.convert(&tags[at..at + sentence.len()], TagScheme::Iob2);
            at += sentence.len();
            sentences.push(LabeledSentence { tokens, tags, document });
        }
    }
    sentences
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
