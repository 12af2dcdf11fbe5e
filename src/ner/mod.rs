//! Named entity recognition: a Hugging Face token-classification model run through libtorch.
//!
//! [`NerModel::predict`] takes segmented documents and fills their entities:
//! 1. every sentence is tokenized into sub-words, in parallel;
//! 2. neighbouring sentences are packed into one sequence when the model was trained that way
//!    (`claimtag_pack_tokens`), with the model's document context on each side of the sequence;
//!    sentences longer than the model's maximum become overlapping windows, so no text is ever
//!    truncated, and each sub-token keeps the prediction of the window it sits most centrally in;
//! 3. windows are sorted by length and batched under a padded-token budget;
//! 4. each word takes the label of its first sub-token, and consecutive labels become entities.

mod casing;
pub(crate) mod classifier;
pub(crate) mod decode;
mod error;
pub(crate) mod model_dir;
pub(crate) mod tokenize;
pub(crate) mod windows;

use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tch::{nn, Device, Kind, Tensor};

pub use casing::{casing_of, CASING_CLASSES, CASING_NONE};
pub use decode::{Decoding, Tag};
pub use error::{torch_message, NerError};
pub use model_dir::{Architecture, ClaimtagKeys, ModelDir, ModelFiles};

use crate::document::{Document, Entity, Role, RoleSpan};

use classifier::{RoleHead, TokenClassifier};
use decode::{best_labels, trim_entity, words_to_entities, Transitions, WordPrediction};
use tokenize::{SpecialIds, SubToken, SubwordTokenizer};
use windows::{pack_sentences, plan_batches, plan_windows};

/// Where the default model lives, relative to the repository or to the directory of the binary.
pub const DEFAULT_MODEL_DIR: &str = "models/claimtag-ner-en";

/// Environment variable naming a model directory when `--model` is not given.
pub const MODEL_ENV_VAR: &str = "CLAIMTAG_MODEL";

/// How to load and run the model.
#[derive(Debug, Clone)]
pub struct NerConfig {
    pub model_dir: PathBuf,
    pub device: Device,
    /// Padded sub-tokens per batch: batch size times the longest sequence in it.
    pub batch_tokens: usize,
    /// Sub-tokens per window, special tokens excluded; `None` uses the model's maximum.
    pub max_window_tokens: Option<usize>,
    /// Sub-tokens of surrounding document on each side of a sentence; `None` uses what the
    /// model was trained with (`claimtag_context_tokens` in `config.json`, else none).
    pub context_tokens: Option<usize>,
    /// Sub-tokens of consecutive sentences fed to the model as one sequence, sharing one
    /// context (0: every sentence alone); `None` uses what the model was trained with
    /// (`claimtag_pack_tokens` in `config.json`, else 0).
    pub pack_tokens: Option<usize>,
    /// The float type the weights run in.
    pub precision: Precision,
    /// How word labels are chosen from the model's distributions; `None` uses what the model
    /// declares (`claimtag_decoding` in `config.json`), else greedy.
    pub decoding: Option<Decoding>,
}

/// The float type the model runs in. Half precisions are for GPUs: there they roughly double
/// throughput; on most CPUs they are slower than fp32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Precision {
    #[default]
    Fp32,
    Fp16,
    Bf16,
}

impl Precision {
    fn kind(self) -> Kind {
        match self {
            Precision::Fp32 => Kind::Float,
            Precision::Fp16 => Kind::Half,
            Precision::Bf16 => Kind::BFloat16,
        }
    }
}

impl NerConfig {
    pub fn new(model_dir: impl Into<PathBuf>) -> Self {
        NerConfig {
            model_dir: model_dir.into(),
            device: Device::Cpu,
            batch_tokens: default_batch_tokens(Device::Cpu),
            max_window_tokens: None,
            context_tokens: None,
            pack_tokens: None,
            precision: Precision::Fp32,
            decoding: None,
        }
    }
}

/// Padded sub-tokens per batch that suit `device`. On a CPU small batches are fastest: on 2
/// cores, CoNLL-2003 test took 13 s at 1024, 17 s at 2048 and 27 s at 8192, larger batches
/// paying in page faults for big attention tensors (and in memory: 470 vs 850 MB peak). A GPU
/// needs large batches to be kept busy.
pub fn default_batch_tokens(device: Device) -> usize {
    match device {
        Device::Cpu => 1024,
        _ => 32768,
    }
}

/// Finds the model directory: the one given, else `$CLAIMTAG_MODEL`, else the default model next
/// to the binary or in the source tree it was built from.
pub fn resolve_model_dir(explicit: Option<&Path>) -> Result<PathBuf, NerError> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(MODEL_ENV_VAR) {
        return Ok(PathBuf::from(dir));
    }
    let mut candidates = Vec::new();
    if let Some(exe_dir) = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf)) {
        candidates.push(exe_dir.join(DEFAULT_MODEL_DIR));
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MODEL_DIR));
    if let Some(found) = candidates.iter().find(|dir| dir.join("config.json").is_file()) {
        return Ok(found.clone());
    }
    let looked_in = candidates.iter().map(|dir| dir.display().to_string()).collect::<Vec<_>>().join(", ");
    Err(NerError::NoModel { looked_in })
}

/// Parses `auto`, `cpu`, `cuda` or `cuda:N`; `auto` is the first GPU when there is one, else
/// the CPU. Whether a named GPU exists is [`check_device`]'s question, not a matter of spelling.
pub fn parse_device(spec: &str) -> Result<Device, NerError> {
    match spec {
        "auto" => Ok(Device::cuda_if_available()),
        "cpu" => Ok(Device::Cpu),
        "cuda" => Ok(Device::Cuda(0)),
        other => match other.strip_prefix("cuda:").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => Ok(Device::Cuda(n)),
            None => Err(NerError::UnknownDevice(spec.to_string())),
        },
    }
}

/// Fails when `device` is a GPU this machine does not have.
pub fn check_device(device: Device) -> Result<Device, NerError> {
    match device {
        Device::Cuda(n) if n >= tch::Cuda::device_count().max(0) as usize => {
            Err(NerError::DeviceUnavailable(format!("cuda:{n}")))
        }
        _ => Ok(device),
    }
}

/// A loaded token-classification model and its tokenizer.
pub struct NerModel {
    tokenizer: SubwordTokenizer,
    special: SpecialIds,
    network: TokenClassifier,
    // Owns the weights `network` reads; dropped with it.
    _weights: nn::VarStore,
    tags: Vec<Tag>,
    labels: Vec<String>,
    /// The tags of the claim-role head; empty when the model has none.
    role_tags: Vec<Tag>,
    /// The role head's CRF transition scores, when it has them.
    role_transitions: Option<Transitions>,
    device: Device,
    window_len: usize,
    context_tokens: usize,
    pack_tokens: usize,
    batch_tokens: usize,
    decoding: Decoding,
}

impl NerModel {
    pub fn load(config: &NerConfig) -> Result<Self, NerError> {
        let files = ModelFiles::read(&config.model_dir)?;
        let special = files.tokenizer.special_ids(&files.dir)?;
        let mut weights = nn::VarStore::new(config.device);
        let role_head = (!files.keys.role_labels.is_empty())
            .then_some(RoleHead { labels: files.keys.role_labels.len(), crf: files.keys.role_crf });
        let network = TokenClassifier::new(
            &weights.root(),
            &files.architecture,
            files.labels.len(),
            role_head,
            files.keys.casing_classes,
        );
        weights.load(&files.weights).map_err(|error| NerError::weights(&files.weights, &error))?;
        // Loading adopts the file's precision (the default model is stored in fp16); the weights
        // run in the precision asked for, moved to the device once, here.
        weights.set_kind(config.precision.kind());
        weights.freeze();
        let role_transitions = network.role_transitions().map_err(|error| NerError::weights(&files.weights, &error))?;
        let model_max = files.architecture.max_sequence_len().saturating_sub(2).max(1);
        let window_len = config.max_window_tokens.map_or(model_max, |len| len.clamp(1, model_max));
        // Context may take at most half of a window; the sentence keeps the rest.
        let context_tokens = config.context_tokens.or(files.keys.context_tokens).unwrap_or(0).min(window_len / 4);
        Ok(NerModel {
            tags: files.labels.iter().map(|label| Tag::parse(label)).collect(),
            labels: files.labels,
            role_tags: files.keys.role_labels.iter().map(|label| Tag::parse(label)).collect(),
            role_transitions,
            tokenizer: files.tokenizer,
            special,
            network,
            _weights: weights,
            device: config.device,
            window_len,
            context_tokens,
            pack_tokens: config.pack_tokens.or(files.keys.pack_tokens).unwrap_or(0),
            batch_tokens: config.batch_tokens.max(1),
            decoding: config.decoding.or(files.keys.decoding).unwrap_or_default(),
        })
    }

    /// The model's labels by class index, as `id2label` names them.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Sub-tokens per window, special tokens excluded.
    pub fn window_len(&self) -> usize {
        self.window_len
    }

    /// Sub-tokens of document context on each side of every sentence.
    pub fn context_tokens(&self) -> usize {
        self.context_tokens
    }

    /// Sub-tokens of consecutive sentences that go through the model as one sequence.
    pub fn pack_tokens(&self) -> usize {
        self.pack_tokens
    }

    /// Fills `entities` of every document from its `sentences`, replacing what was there.
    /// Returns the number of sub-tokens tagged (special tokens and context not counted).
    pub fn predict(&self, docs: &mut [Document]) -> Result<usize, NerError> {
        let encoded = self.encoder().encode(docs);
        self.predict_encoded(docs, encoded)
    }

    /// The tokenizing half of the model, which may run on another thread while this one runs
    /// the network (libtorch tensors are not `Sync`, the tokenizer is).
    pub fn encoder(&self) -> NerEncoder<'_> {
        NerEncoder { tokenizer: &self.tokenizer }
    }

    /// [`NerModel::predict`] for documents already encoded by [`NerModel::encoder`].
    ///
    /// # Panics
    /// If `encoded` was not made from `docs`.
    pub fn predict_encoded(&self, docs: &mut [Document], encoded: EncodedBatch) -> Result<usize, NerError> {
        let encoded = encoded.documents;
        assert_eq!(encoded.len(), docs.len(), "an encoded batch is predicted with the documents it was made from");

        // Each run of neighbouring sentences (or window of a long one) is predicted with up to
        // `context_tokens` sub-tokens of the surrounding document on each side, as the model
        // was trained.
        let own_len = self.window_len - 2 * self.context_tokens;
        let mut sequences: Vec<Sequence> = Vec::new();
        for (doc, encoded_doc) in encoded.iter().enumerate() {
            for run in pack_sentences(&encoded_doc.sentences, self.pack_tokens.min(own_len)) {
                let run = encoded_doc.sentences[run.start].start..encoded_doc.sentences[run.end - 1].end;
                for window in plan_windows(run.len(), own_len) {
                    if window.tokens.is_empty() {
                        continue;
                    }
                    let input_start = (run.start + window.tokens.start).saturating_sub(self.context_tokens);
                    let input_end = (run.start + window.tokens.end + self.context_tokens).min(encoded_doc.tokens.len());
                    let owns = run.start + window.owns.start..run.start + window.owns.end;
                    sequences.push(Sequence { doc, input: input_start..input_end, owns });
                }
            }
        }

        // Label distributions of every sub-token, `labels` (and `roles`) floats each.
        let (labels, roles) = (self.labels.len(), self.role_tags.len());
        let mut predictions: Vec<Vec<f32>> = encoded.iter().map(|d| vec![0.0; d.tokens.len() * labels]).collect();
        let mut role_predictions: Vec<Vec<f32>> = encoded.iter().map(|d| vec![0.0; d.tokens.len() * roles]).collect();
        let lengths: Vec<usize> = sequences.iter().map(|s| s.input.len()).collect();
        for batch in plan_batches(&lengths, 2, self.batch_tokens) {
            let batch: Vec<&Sequence> = batch.iter().map(|&i| &sequences[i]).collect();
            let inputs: Vec<&[SubToken]> = batch.iter().map(|s| &encoded[s.doc].tokens[s.input.clone()]).collect();
            let (predicted, predicted_roles) = self.run_batch(&inputs)?;
            for (row, sequence) in batch.iter().enumerate() {
                for token in sequence.owns.clone() {
                    // +1: position 0 of every row is the [CLS] token.
                    let column = token - sequence.input.start + 1;
                    predictions[sequence.doc][token * labels..(token + 1) * labels]
                        .copy_from_slice(predicted.at(row, column));
                    if let Some(predicted_roles) = &predicted_roles {
                        role_predictions[sequence.doc][token * roles..(token + 1) * roles]
                            .copy_from_slice(predicted_roles.at(row, column));
                    }
                }
            }
        }

        for (((doc, encoded_doc), predicted), predicted_roles) in
            docs.iter_mut().zip(&encoded).zip(&predictions).zip(&role_predictions)
        {
            doc.entities = self.entities(doc, encoded_doc, predicted);
            doc.roles = (!self.role_tags.is_empty()).then(|| self.roles(encoded_doc, predicted_roles));
        }
        Ok(encoded.iter().map(|doc| doc.tokens.len()).sum())
    }

    /// Runs one batch; returns the label distribution at every position, of the entity head and
    /// of the role head when there is one.
    fn run_batch(&self, windows: &[&[SubToken]]) -> Result<(BatchPredictions, Option<BatchPredictions>), NerError> {
        let width = windows.iter().map(|w| w.len()).max().unwrap_or(0) + 2;
        let mut ids = vec![self.special.pad; windows.len() * width];
        let mut mask = vec![0i64; windows.len() * width];
        for (row, window) in windows.iter().enumerate() {
            let row_ids = &mut ids[row * width..(row + 1) * width];
            row_ids[0] = self.special.cls;
            for (slot, token) in row_ids[1..].iter_mut().zip(window.iter()) {
                *slot = token.id;
            }
            row_ids[window.len() + 1] = self.special.sep;
            mask[row * width..row * width + window.len() + 2].fill(1);
        }
        let shape = [windows.len() as i64, width as i64];
        let ids = Tensor::from_slice(&ids).view(shape).to_device(self.device);
        let mask = Tensor::from_slice(&mask).view(shape).to_device(self.device);
        let casing = self.network.uses_casing().then(|| {
            let mut casing = vec![CASING_NONE; shape[0] as usize * width];
            for (row, window) in windows.iter().enumerate() {
                for (slot, token) in casing[row * width + 1..].iter_mut().zip(window.iter()) {
                    *slot = token.casing;
                }
            }
            Tensor::from_slice(&casing).view(shape).to_device(self.device)
        });
        let logits = tch::no_grad(|| self.network.forward_t(&ids, &mask, casing.as_ref(), false))?;
        let distributions = |logits: Tensor, labels: usize| -> Result<BatchPredictions, NerError> {
            let probabilities = logits.to_kind(Kind::Float).softmax(-1, Kind::Float);
            Ok(BatchPredictions {
                probabilities: Vec::try_from(probabilities.to_device(Device::Cpu).view(-1))?,
                width,
                labels,
            })
        };
        let roles = logits.roles.map(|roles| distributions(roles, self.role_tags.len())).transpose()?;
        Ok((distributions(logits.entities, self.labels.len())?, roles))
    }

    /// Claim-role spans of a document: its words decoded as one sequence (a content may run over
    /// sentences), under the IOB2 constraint.
    fn roles(&self, encoded: &EncodedDocument, predicted: &[f32]) -> Vec<RoleSpan> {
        let tokens = encoded.sentences.first().map_or(0, |first| first.start)
            ..encoded.sentences.last().map_or(0, |last| last.end);
        let roles = self.role_tags.len();
        let distributions = &predicted[tokens.start * roles..tokens.end * roles];
        let words = word_predictions(
            &encoded.tokens[tokens],
            distributions,
            &self.role_tags,
            Decoding::Constrained,
            self.role_transitions.as_ref(),
        );
        words_to_entities(&words, &self.role_tags)
            .into_iter()
            .filter_map(|span| {
                Some(RoleSpan { role: Role::parse(&span.kind)?, start: span.start, end: span.end, score: span.score })
            })
            .collect()
    }

    fn entities(&self, doc: &Document, encoded: &EncodedDocument, predicted: &[f32]) -> Vec<Entity> {
        let index = doc.char_index();
        let mut entities = Vec::new();
        for sentence in &encoded.sentences {
            let labels = self.labels.len();
            let distributions = &predicted[sentence.start * labels..sentence.end * labels];
            let words =
                word_predictions(&encoded.tokens[sentence.clone()], distributions, &self.tags, self.decoding, None);
            for span in words_to_entities(&words, &self.tags) {
                let Some((trimmed, kept)) = trim_entity(index.slice(span.start..span.end)) else {
                    continue;
                };
                let start = span.start + trimmed;
                entities.push(Entity {
                    id: format!("e{}", entities.len()),
                    text: index.slice(start..start + kept).to_string(),
                    label: span.kind,
                    start,
                    end: start + kept,
                    score: span.score,
                });
            }
        }
        entities
    }
}

/// Tokenizes segmented documents for [`NerModel::predict_encoded`].
#[derive(Clone, Copy)]
pub struct NerEncoder<'a> {
    tokenizer: &'a SubwordTokenizer,
}

impl NerEncoder<'_> {
    /// Sub-tokens of every sentence of `docs`, documents in parallel.
    pub fn encode(&self, docs: &[Document]) -> EncodedBatch {
        EncodedBatch { documents: docs.par_iter().map(|doc| encode_document(self.tokenizer, doc)).collect() }
    }
}

/// Documents tokenized by a [`NerEncoder`], in their order.
pub struct EncodedBatch {
    documents: Vec<EncodedDocument>,
}

/// Batches encoded one document at a time (to keep one document's failure its own) join into
/// one, in order.
impl FromIterator<EncodedBatch> for EncodedBatch {
    fn from_iter<I: IntoIterator<Item = EncodedBatch>>(batches: I) -> Self {
        EncodedBatch { documents: batches.into_iter().flat_map(|batch| batch.documents).collect() }
    }
}

fn encode_document(tokenizer: &SubwordTokenizer, doc: &Document) -> EncodedDocument {
    let index = doc.char_index();
    let mut encoded = EncodedDocument { tokens: Vec::new(), sentences: Vec::with_capacity(doc.sentences.len()) };
    for span in &doc.sentences {
        let start = encoded.tokens.len();
        encoded.tokens.extend(tokenizer.encode(index.slice(span.start..span.end)).into_iter().map(|mut token| {
            token.start += span.start;
            token.end += span.start;
            token
        }));
        encoded.sentences.push(start..encoded.tokens.len());
    }
    encoded
}

/// A document's sub-tokens, sentence after sentence, with offsets into the document.
struct EncodedDocument {
    tokens: Vec<SubToken>,
    /// Each sentence's range of `tokens`.
    sentences: Vec<Range<usize>>,
}

/// The label distribution at every position of a batch, row-major.
struct BatchPredictions {
    probabilities: Vec<f32>,
    width: usize,
    labels: usize,
}

impl BatchPredictions {
    fn at(&self, row: usize, column: usize) -> &[f32] {
        let i = (row * self.width + column) * self.labels;
        &self.probabilities[i..i + self.labels]
    }
}

/// One model input: a window of a document's sub-tokens, and the part of it whose predictions it supplies.
struct Sequence {
    doc: usize,
    input: Range<usize>,
    owns: Range<usize>,
}

/// Words with the label of their first sub-token, chosen by `decoding` over the sentence; a
/// word spans all its sub-tokens, so sub-words of one word can never fall into different
/// entities. `distributions` holds one label distribution per token.
fn word_predictions(
    tokens: &[SubToken],
    distributions: &[f32],
    tags: &[Tag],
    decoding: Decoding,
    transitions: Option<&Transitions>,
) -> Vec<WordPrediction> {
    let labels = tags.len();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut firsts: Vec<&[f32]> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match spans.last_mut() {
            Some(span) if !token.starts_word => span.1 = span.1.max(token.end),
            _ => {
                spans.push((token.start, token.end));
                firsts.push(&distributions[i * labels..(i + 1) * labels]);
            }
        }
    }
    best_labels(&firsts, tags, decoding, transitions)
        .into_iter()
        .zip(spans)
        .map(|((label, probability), (start, end))| WordPrediction { start, end, label, probability })
        .collect()
}
