//! Scoring a model on labelled data through the same path `claimtag tag` takes.
//!
//! Each corpus document becomes one `Document` (or, scoring sentences alone, each sentence
//! does, as `--pipe` users and headline taggers send them): its sentences' tokens joined by
//! spaces, one sentence a line, with those sentences as the segmentation. The NER stage tags it
//! exactly as it tags an article, and each corpus token then takes the label of the entity it
//! overlaps.

use super::score::{score, Scores};
use crate::corpus::tags::TagScheme;
use crate::corpus::LabeledSentence;
use crate::document::{Document, Entity, Span};
use crate::ner::{NerError, NerModel};
use crate::offsets::char_len;

/// Documents tagged per call: enough to fill batches.
const DOCUMENTS_PER_CALL: usize = 32;

/// What one record of the scored corpus holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Records {
    /// A corpus document, its sentences tagged with each other's context.
    #[default]
    Documents,
    /// One sentence, with nothing around it.
    Sentences,
}

pub fn evaluate(model: &NerModel, sentences: &[LabeledSentence], records: Records) -> Result<Scores, NerError> {
    let mut predicted = Vec::with_capacity(sentences.len());
    let documents = match records {
        Records::Documents => group_by_document(sentences),
        Records::Sentences => sentences.chunks(1).collect(),
    };
    for group in documents.chunks(DOCUMENTS_PER_CALL) {
        let mut docs: Vec<Document> = group.iter().map(|sentences| as_document(sentences)).collect();
        model.predict(&mut docs)?;
        for (doc, sentences) in docs.iter().zip(group) {
            for (sentence, span) in sentences.iter().zip(&doc.sentences) {
                predicted.push(tags_from_entities(sentence, span.start, &doc.entities));
            }
        }
    }
    let gold: Vec<Vec<String>> = sentences.iter().map(|s| s.tags.clone()).collect();
    Ok(score(&gold, &predicted))
}

fn group_by_document(sentences: &[LabeledSentence]) -> Vec<&[LabeledSentence]> {
    sentences.chunk_by(|a, b| a.document == b.document).collect()
}

fn as_document(sentences: &[LabeledSentence]) -> Document {
    let mut text = String::new();
    let mut spans = Vec::with_capacity(sentences.len());
    let mut at = 0;
    for sentence in sentences {
        if !text.is_empty() {
            text.push('\n');
            at += 1;
        }
        let line = sentence.text();
        let len = char_len(&line);
        spans.push(Span::new(at, at + len));
        text.push_str(&line);
        at += len;
    }
    let mut doc = Document::new("eval", text);
    doc.sentences = spans;
    doc
}

/// IOB2 tags for a sentence's tokens from entities: a token takes the entity that overlaps it,
/// which it begins unless the token before overlaps it too (see [`TagScheme::tags`]).
fn tags_from_entities(sentence: &LabeledSentence, offset: usize, entities: &[Entity]) -> Vec<String> {
    let tokens: Vec<Span> = sentence
        .tokens
        .iter()
        .zip(sentence.token_starts())
        .map(|(token, start)| Span::new(offset + start, offset + start + char_len(token)))
        .collect();
    let entities: Vec<(usize, usize, &str)> = entities.iter().map(|e| (e.start, e.end, e.label.as_str())).collect();
    TagScheme::Iob2.tags(&tokens, &entities)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(start: usize, end: usize, label: &str) -> Entity {
        Entity { id: String::new(), text: String::new(), label: label.into(), start, end, score: 1.0 }
    }

    #[test]
    fn entities_map_back_to_corpus_tokens() {
        let sentence = LabeledSentence {
            tokens: ["The", "U.S.", "envoy", "Joe", "Smith", "left"].map(String::from).to_vec(),
            tags: vec!["O".into(); 6],
            document: 0,
        };
        // "The U.S. envoy Joe Smith left" with the entity found as "U" only, and "Joe Smith".
        let tags = tags_from_entities(&sentence, 10, &[entity(14, 15, "LOC"), entity(25, 34, "PER")]);
        assert_eq!(tags, ["O", "B-LOC", "O", "B-PER", "I-PER", "O"]);
    }

    #[test]
    fn corpus_documents_become_one_line_per_sentence() {
        let sentence = |tokens: &[&str], document| LabeledSentence {
            tokens: tokens.iter().map(|t| t.to_string()).collect(),
            tags: vec!["O".into(); tokens.len()],
            document,
        };
        let sentences = [sentence(&["EU", "rejects"], 1), sentence(&["Kyiv", "agrees"], 1), sentence(&["Other"], 2)];
        let groups = group_by_document(&sentences);
        assert_eq!(groups.len(), 2);
        let doc = as_document(groups[0]);
        assert_eq!(doc.text, "EU rejects\nKyiv agrees");
        assert_eq!(doc.sentences, [Span::new(0, 10), Span::new(11, 22)]);
    }
}
