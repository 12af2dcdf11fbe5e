//! Model inputs for training: labelled sentences tokenized once, then laid out each epoch the
//! way `tag` will feed them (alone, or packed into runs with document context on each side).

use std::collections::HashMap;
use std::ops::Range;

use rand::rngs::StdRng;
use rand::Rng;
use rayon::prelude::*;

use crate::corpus::LabeledSentence;
use crate::ner::tokenize::{SpecialIds, SubwordTokenizer};
use crate::ner::windows::pack_sentences;
use crate::ner::CASING_NONE;

/// Label value the loss ignores: continuation sub-tokens, context and special tokens.
pub const IGNORE: i64 = -100;

/// How a document's sentences go into model sequences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Consecutive sentences of up to this many sub-tokens share a sequence (0: each alone).
    pub pack_tokens: usize,
    /// Sub-tokens of the surrounding document on each side of a sequence.
    pub context_tokens: usize,
}

impl Layout {
    /// Every sentence alone, as one sentence sent on its own is tagged.
    pub const ALONE: Layout = Layout { pack_tokens: 0, context_tokens: 0 };

    /// The layouts a document is drawn from each epoch when training for every amount of
    /// context: alone, half the context, and `self` (what the model declares for tagging).
    pub fn varied(self) -> [Layout; 3] {
        [Layout::ALONE, Layout { context_tokens: self.context_tokens / 2, ..self }, self]
    }
}

/// One sentence's sub-tokens with the label of each (or [`IGNORE`]).
struct EncodedSentence {
    ids: Vec<i64>,
    casing: Vec<i64>,
    labels: Vec<i64>,
    /// For each corpus token, the index of its first sub-token (None when it has none).
    heads: Vec<Option<usize>>,
}

/// A labelled corpus tokenized once, sentence by sentence (as `tag` tokenizes each sentence of a
/// document), ready to be laid out in any [`Layout`].
pub struct EncodedCorpus {
    sentences: Vec<EncodedSentence>,
    /// Each document's range of `sentences`.
    pub documents: Vec<Range<usize>>,
}

/// One model sequence ready for the model: ids with [CLS] and [SEP], casing classes, labels.
pub struct Features {
    pub ids: Vec<i64>,
    pub casing: Vec<i64>,
    pub labels: Vec<i64>,
    /// For each sentence of the sequence (in corpus order) and each of its corpus tokens, the
    /// position of the token's first sub-token (None when truncated away).
    pub token_heads: Vec<Vec<Option<usize>>>,
}

impl EncodedCorpus {
    /// Tokenizes `sentences` and labels the first sub-token of each word with its tag's index in
    /// `labels`. A word that starts inside a corpus token (CoNLL's "U.S." is four BERT words)
    /// continues that token's entity.
    pub fn new(tokenizer: &SubwordTokenizer, sentences: &[LabeledSentence], labels: &HashMap<&str, i64>) -> Self {
        let encoded = sentences.par_iter().map(|sentence| encode(tokenizer, sentence, labels)).collect();
        let documents = sentences
            .chunk_by(|a, b| a.document == b.document)
            .scan(0, |at, group| {
                *at += group.len();
                Some(*at - group.len()..*at)
            })
            .collect();
        EncodedCorpus { sentences: encoded, documents }
    }

    /// The sequences of the documents `documents` (indices into [`EncodedCorpus::documents`],
    /// a document possibly repeated), each document laid out by `layout_of` it; sequences hold at
    /// most `max_len` sub-tokens with the special tokens.
    pub fn features(
        &self,
        documents: &[usize],
        mut layout_of: impl FnMut(usize) -> Layout,
        special: SpecialIds,
        max_len: usize,
    ) -> Vec<Features> {
        let mut all = Vec::new();
        for &document in documents {
            let layout = layout_of(document);
            self.document_features(self.documents[document].clone(), layout, special, max_len, &mut all);
        }
        all
    }

    /// Every document once, in order, in `layout`: for evaluation, where sequences must come
    /// out in corpus order.
    pub fn all_features(&self, layout: Layout, special: SpecialIds, max_len: usize) -> Vec<Features> {
        let documents: Vec<usize> = (0..self.documents.len()).collect();
        self.features(&documents, |_| layout, special, max_len)
    }

    fn document_features(
        &self,
        sentences: Range<usize>,
        layout: Layout,
        special: SpecialIds,
        max_len: usize,
        out: &mut Vec<Features>,
    ) {
        let context = layout.context_tokens;
        let own_max = max_len.saturating_sub(2 + 2 * context).max(1);
        let document = &self.sentences[sentences];
        // The sentences laid end to end, as `tag` sees a document's.
        let mut at = 0;
        let spans: Vec<Range<usize>> = document
            .iter()
            .map(|sentence| {
                at += sentence.ids.len();
                at - sentence.ids.len()..at
            })
            .collect();
        for run in pack_sentences(&spans, layout.pack_tokens.min(own_max)) {
            let mut features = Features {
                ids: vec![special.cls],
                casing: vec![CASING_NONE],
                labels: vec![IGNORE],
                token_heads: Vec::with_capacity(run.len()),
            };
            let mut left: Vec<(i64, i64)> = Vec::new();
            for sentence in document[..run.start].iter().rev() {
                let wanted = context - left.len();
                if wanted == 0 {
                    break;
                }
                let taken = sentence.ids.len().saturating_sub(wanted);
                left.splice(0..0, sentence.ids[taken..].iter().copied().zip(sentence.casing[taken..].iter().copied()));
            }
            for (id, casing) in left {
                features.push(id, casing, IGNORE);
            }
            for sentence in &document[run.clone()] {
                let own = sentence.ids.len().min(own_max);
                let offset = features.ids.len();
                for i in 0..own {
                    features.push(sentence.ids[i], sentence.casing[i], sentence.labels[i]);
                }
                features
                    .token_heads
                    .push(sentence.heads.iter().map(|head| head.filter(|&h| h < own).map(|h| offset + h)).collect());
            }
            let mut right = 0;
            for sentence in &document[run.end..] {
                for i in 0..sentence.ids.len().min(context - right) {
                    features.push(sentence.ids[i], sentence.casing[i], IGNORE);
                }
                right += sentence.ids.len().min(context - right);
                if right >= context {
                    break;
                }
            }
            features.push(special.sep, CASING_NONE, IGNORE);
            out.push(features);
        }
    }
}

impl Features {
    fn push(&mut self, id: i64, casing: i64, label: i64) {
        self.ids.push(id);
        self.casing.push(casing);
        self.labels.push(label);
    }
}

fn encode(tokenizer: &SubwordTokenizer, sentence: &LabeledSentence, labels: &HashMap<&str, i64>) -> EncodedSentence {
    let sub_tokens = tokenizer.encode(&sentence.text());
    let token_starts = sentence.token_starts();
    let mut encoded = EncodedSentence {
        ids: Vec::with_capacity(sub_tokens.len()),
        casing: Vec::with_capacity(sub_tokens.len()),
        labels: Vec::with_capacity(sub_tokens.len()),
        heads: vec![None; sentence.tokens.len()],
    };
    for sub_token in &sub_tokens {
        let label = if sub_token.starts_word {
            // The corpus token this word piece starts in.
            let token = token_starts.partition_point(|&start| start <= sub_token.start).saturating_sub(1);
            let tag = &sentence.tags[token];
            let tag = if token_starts[token] == sub_token.start {
                encoded.heads[token] = Some(encoded.ids.len());
                tag.clone()
            } else {
                tag.replacen("B-", "I-", 1)
            };
            labels.get(tag.as_str()).copied().unwrap_or(0)
        } else {
            IGNORE
        };
        encoded.ids.push(sub_token.id);
        encoded.casing.push(sub_token.casing);
        encoded.labels.push(label);
    }
    encoded
}

/// Which documents an epoch trains on: each `weight` times on average (a fractional part is
/// drawn per document), so a small corpus can count as much as a large one.
pub fn sample_documents(documents: usize, weight: f64, rng: &mut StdRng) -> Vec<usize> {
    let whole = weight.floor() as usize;
    let fraction = weight - weight.floor();
    (0..documents)
        .flat_map(|document| {
            let extra = usize::from(fraction > 0.0 && rng.gen::<f64>() < fraction);
            std::iter::repeat_n(document, whole + extra)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn weights_repeat_documents_and_draw_fractions() {
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(sample_documents(3, 2.0, &mut rng), [0, 0, 1, 1, 2, 2]);
        let drawn = sample_documents(10_000, 0.25, &mut rng).len();
        assert!((2_200..2_800).contains(&drawn), "{drawn}");
        assert!(sample_documents(5, 0.0, &mut rng).is_empty());
    }

    #[test]
    fn varied_layouts_run_from_alone_to_the_declared_one() {
        let declared = Layout { pack_tokens: 128, context_tokens: 32 };
        assert_eq!(declared.varied(), [Layout::ALONE, Layout { pack_tokens: 128, context_tokens: 16 }, declared]);
    }
}
