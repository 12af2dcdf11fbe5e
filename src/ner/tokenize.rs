//! Sub-word tokenization with code point offsets, over `rust_tokenizers`.

use std::path::Path;

use rust_tokenizers::tokenizer::{BertTokenizer, RobertaTokenizer, Tokenizer};
use rust_tokenizers::vocab::Vocab;
use rust_tokenizers::Mask;
use serde_json::Value;

use super::casing::{casing_of, CASING_NONE};
use super::error::NerError;
use super::model_dir::{read_json, Architecture};
use crate::offsets::CharIndex;

/// One sub-word token of a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubToken {
    pub id: i64,
    /// Code point offsets relative to the start of the text that was encoded.
    pub start: usize,
    pub end: usize,
    /// False for the continuation pieces of a word ("##ensky" in "Zel ##ensky").
    pub starts_word: bool,
    /// Casing class of the word the token belongs to, from the original text (see `casing`).
    pub casing: i64,
}

/// The ids a model expects around and between sequences.
#[derive(Debug, Clone, Copy)]
pub struct SpecialIds {
    pub cls: i64,
    pub sep: i64,
    pub pad: i64,
}

/// The tokenizer a model directory asks for: WordPiece (BERT, DistilBERT) or byte-level BPE (RoBERTa).
pub enum SubwordTokenizer {
    WordPiece(Box<BertTokenizer>),
    Bpe(Box<RobertaTokenizer>),
}

impl SubwordTokenizer {
    pub fn read(dir: &Path, architecture: &Architecture) -> Result<Self, NerError> {
        let normalisation = Normalisation::read(dir, architecture)?;
        let files =
            vocabulary_files(architecture).iter().map(|name| require_file(dir, name)).collect::<Result<Vec<_>, _>>()?;
        let Normalisation { lower_case, strip_accents } = normalisation;
        match architecture {
            Architecture::Bert(_) | Architecture::DistilBert(_) => {
                let tokenizer = BertTokenizer::from_file(&files[0], lower_case, strip_accents)
                    .map_err(|err| NerError::model_file(&files[0], err))?;
                Ok(SubwordTokenizer::WordPiece(Box::new(tokenizer)))
            }
            Architecture::Roberta(_) => {
                // Words inside a sentence carry a leading space; give the first one the same.
                let tokenizer = RobertaTokenizer::from_file(&files[0], &files[1], lower_case, true)
                    .map_err(|err| NerError::model_file(&files[0], err))?;
                Ok(SubwordTokenizer::Bpe(Box::new(tokenizer)))
            }
        }
    }

    /// The largest token id the tokenizer can produce. A WordPiece token's id is the index of
    /// its line in `vocab.txt`, the last one when a token is repeated (as in Hugging Face), so
    /// repeated lines push ids past the number of distinct tokens.
    pub fn max_id(&self) -> i64 {
        let ids = match self {
            SubwordTokenizer::WordPiece(tokenizer) => tokenizer.vocab().values().values(),
            SubwordTokenizer::Bpe(tokenizer) => tokenizer.vocab().values().values(),
        };
        ids.copied().max().unwrap_or(0)
    }

    pub fn special_ids(&self, dir: &Path) -> Result<SpecialIds, NerError> {
        let (names, vocab_file, values) = match self {
            SubwordTokenizer::WordPiece(tokenizer) => {
                (["[CLS]", "[SEP]", "[PAD]"], "vocab.txt", tokenizer.vocab().values())
            }
            SubwordTokenizer::Bpe(tokenizer) => (["<s>", "</s>", "<pad>"], "vocab.json", tokenizer.vocab().values()),
        };
        let id = |name: &str| {
            values
                .get(name)
                .copied()
                .ok_or_else(|| NerError::model_file(dir.join(vocab_file), format!("has no {name} token")))
        };
        Ok(SpecialIds { cls: id(names[0])?, sep: id(names[1])?, pad: id(names[2])? })
    }

    /// Sub-word tokens of `text` with code point offsets into it. Whitespace produces none.
    pub fn encode(&self, text: &str) -> Vec<SubToken> {
        let (pieces, ids) = match self {
            SubwordTokenizer::WordPiece(tokenizer) => {
                let pieces = tokenizer.tokenize_with_offsets(text);
                let ids = tokenizer.convert_tokens_to_ids(&pieces.tokens);
                (pieces, ids)
            }
            SubwordTokenizer::Bpe(tokenizer) => {
                let pieces = tokenizer.tokenize_with_offsets(text);
                let ids = tokenizer.convert_tokens_to_ids(&pieces.tokens);
                (pieces, ids)
            }
        };
        let mut tokens: Vec<SubToken> = pieces
            .offsets
            .iter()
            .zip(&pieces.masks)
            .zip(ids)
            .filter_map(|((offset, mask), id)| {
                let offset = offset.as_ref()?;
                Some(SubToken {
                    id,
                    start: offset.begin as usize,
                    end: offset.end as usize,
                    starts_word: *mask != Mask::Continuation,
                    casing: CASING_NONE,
                })
            })
            .collect();
        assign_word_casing(&mut tokens, &CharIndex::new(text));
        tokens
    }
}

/// Gives every token the casing class of the whole word it belongs to.
fn assign_word_casing(tokens: &mut [SubToken], index: &CharIndex) {
    let mut word_start = 0;
    for i in 1..=tokens.len() {
        if i == tokens.len() || tokens[i].starts_word {
            let word = &mut tokens[word_start..i];
            let casing = casing_of(index.slice(word[0].start..word[word.len() - 1].end));
            word.iter_mut().for_each(|token| token.casing = casing);
            word_start = i;
        }
    }
}

/// The files of a model directory that hold an architecture's vocabulary: WordPiece's
/// `vocab.txt`, or byte-level BPE's `vocab.json` and `merges.txt`.
pub fn vocabulary_files(architecture: &Architecture) -> &'static [&'static str] {
    match architecture {
        Architecture::Bert(_) | Architecture::DistilBert(_) => &["vocab.txt"],
        Architecture::Roberta(_) => &["vocab.json", "merges.txt"],
    }
}

/// How text is normalised before it is split into sub-words: the settings of
/// `tokenizer_config.json` (an optional file), with the defaults Hugging Face applies where it
/// is silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Normalisation {
    pub lower_case: bool,
    pub strip_accents: bool,
}

impl Normalisation {
    pub fn read(dir: &Path, architecture: &Architecture) -> Result<Self, NerError> {
        let path = dir.join(TOKENIZER_CONFIG);
        let config = if path.exists() { read_json(&path)? } else { Value::Null };
        let setting = |key: &str| config.get(key).and_then(Value::as_bool);
        match architecture {
            Architecture::Bert(_) | Architecture::DistilBert(_) => {
                let lower_case = match setting("do_lower_case") {
                    Some(lower_case) => lower_case,
                    None => vocabulary_is_lowercase(&require_file(dir, "vocab.txt")?)?,
                };
                // BERT strips accents whenever it lowercases, unless told otherwise.
                Ok(Normalisation { lower_case, strip_accents: setting("strip_accents").unwrap_or(lower_case) })
            }
            // Byte-level BPE keeps accents.
            Architecture::Roberta(_) => {
                Ok(Normalisation { lower_case: setting("do_lower_case").unwrap_or(false), strip_accents: false })
            }
        }
    }

    /// The `tokenizer_config.json` that [`Normalisation::read`] reads back as `self`: what
    /// differs from the defaults is spelt out.
    pub fn to_json(self) -> Value {
        let mut config = serde_json::json!({"do_lower_case": self.lower_case});
        if self.strip_accents != self.lower_case {
            config["strip_accents"] = Value::from(self.strip_accents);
        }
        config
    }
}

/// The optional file of tokenizer settings in a model directory.
pub const TOKENIZER_CONFIG: &str = "tokenizer_config.json";

fn require_file(dir: &Path, name: &str) -> Result<std::path::PathBuf, NerError> {
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(NerError::model_file(path, "missing"))
    }
}

/// Without a `tokenizer_config.json`, an uncased model is recognised by a vocabulary with no
/// capital letters outside its `[SPECIAL]` tokens.
fn vocabulary_is_lowercase(vocab: &Path) -> Result<bool, NerError> {
    let text = std::fs::read_to_string(vocab).map_err(|err| NerError::model_file(vocab, err))?;
    Ok(!text
        .lines()
        .filter(|token| !(token.starts_with('[') && token.ends_with(']')))
        .any(|token| token.chars().any(char::is_uppercase)))
}
