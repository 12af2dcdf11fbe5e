//! Fine-tuning a BERT encoder for token classification (`claimtag train`).
//!
//! The recipe: the label of each word goes on its first sub-token and the rest are ignored;
//! AdamW with weight decay; linear warm-up then linear decay; gradient clipping; shuffled
//! batches of similar-length sequences (sentences, or runs of consecutive sentences packed as
//! `tag` will feed them) under a token budget; dev scores after every epoch, keeping the best
//! epoch; a checkpoint after every epoch (weights, AdamW moments, schedule position, seeded per
//! epoch) from which `--resume` continues exactly. With `casing`, a learned casing embedding per
//! word class is added to the word embeddings (see `ner::casing`).
//!
//! Several entity corpora train one entity head, each seen `weight` times an epoch. A corpus of
//! claim roles (source, cue, content) trains a second head on the same encoder: each batch holds
//! one task and updates that task's head, the encoder learns from both. With `vary_context`,
//! each document of each epoch is laid out alone, with half the context, or as `tag` feeds it,
//! so that one model tags lone sentences and whole articles alike.

mod adamw;
mod checkpoint;
mod crf;
mod features;
mod progress;
mod schedule;
mod trainer;

use std::path::{Path, PathBuf};

use tch::Device;

use crate::corpus::{read_labeled, read_polnear, role_sentences, DataError, LabeledSentence, PolnearError};
use crate::eval::score::Scores;
use crate::ner::model_dir::ClaimtagKeys;
use crate::ner::{Decoding, NerError, CASING_CLASSES};
use crate::segment::Segmenter;

pub use progress::StderrProgress;
pub use trainer::Trainer;

use features::Layout;

/// A training corpus and how many times an epoch sees each of its documents.
#[derive(Debug, Clone, PartialEq)]
pub struct CorpusSpec {
    pub path: PathBuf,
    pub weight: f64,
}

impl CorpusSpec {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        CorpusSpec { path: path.into(), weight: 1.0 }
    }

    /// `PATH` or `PATH@WEIGHT` (a suffix that is not a non-negative number is part of the path).
    pub fn parse(spec: &str) -> Self {
        match spec.rsplit_once('@') {
            Some((path, weight)) => match weight.parse::<f64>() {
                Ok(weight) if weight >= 0.0 && weight.is_finite() => CorpusSpec { path: path.into(), weight },
                _ => CorpusSpec::new(spec),
            },
            None => CorpusSpec::new(spec),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Encoder to start from, in Hugging Face layout; a classifier in it is replaced.
    pub base: PathBuf,
    /// Entity corpora (CoNLL columns, IOB1 or IOB2, or any format `eval` reads).
    pub train: Vec<CorpusSpec>,
    /// Entity dev corpora; each is scored after every epoch.
    pub dev: Vec<PathBuf>,
    /// A PolNeAR split (text/ and attributions/) whose claim roles train a role head.
    pub roles_train: Option<CorpusSpec>,
    pub roles_dev: Option<PathBuf>,
    pub out: PathBuf,
    pub epochs: usize,
    pub lr: f64,
    pub weight_decay: f64,
    /// Fraction of all steps spent warming the learning rate up from zero.
    pub warmup: f64,
    pub clip_norm: f64,
    /// Padded sub-tokens per batch.
    pub batch_tokens: usize,
    pub seed: u64,
    pub casing: bool,
    /// Sub-tokens of neighbouring sentences (same document, unlabelled) on each side.
    pub context_tokens: usize,
    /// Consecutive sentences of one document, up to this many sub-tokens, form one sequence
    /// sharing one context (0: every sentence alone), as `tag` will then feed them.
    pub pack_tokens: usize,
    /// Lay each document out alone, with half the context or with all of it, drawn per epoch.
    pub vary_context: bool,
    pub resume: bool,
    /// Train on at most this many sentences of each corpus (a quick run on a slice).
    pub limit: Option<usize>,
    /// Store the model's weights in fp16 (half the size; `tag` upcasts on load).
    pub fp16_weights: bool,
    /// Train the role head as a linear-chain CRF: a sequence-level loss and learned label
    /// transitions, which decoding then uses.
    pub role_crf: bool,
    pub device: Device,
}

impl TrainConfig {
    pub fn new(base: impl Into<PathBuf>, train: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Self {
        TrainConfig {
            base: base.into(),
            train: vec![CorpusSpec::new(train)],
            dev: Vec::new(),
            roles_train: None,
            roles_dev: None,
            out: out.into(),
            epochs: 5,
            lr: 1e-4,
            weight_decay: 0.01,
            warmup: 0.1,
            clip_norm: 1.0,
            batch_tokens: 1536,
            seed: 13,
            casing: true,
            context_tokens: 0,
            pack_tokens: 0,
            vary_context: false,
            resume: false,
            limit: None,
            fp16_weights: true,
            role_crf: false,
            device: Device::Cpu,
        }
    }

    /// The `claimtag_*` keys of the model this training writes: how `tag` is to feed and decode it.
    fn model_keys(&self, role_labels: &[String]) -> ClaimtagKeys {
        ClaimtagKeys {
            casing_classes: self.casing.then_some(CASING_CLASSES),
            context_tokens: Some(self.context_tokens),
            pack_tokens: (self.pack_tokens > 0).then_some(self.pack_tokens),
            // Training labels are IOB2 (IOB1 input is converted), so every I-X must follow a
            // B-X or I-X, and decoding under that constraint is safe; on CoNLL-2003 dev it
            // added 0.0065 F1 to the default model.
            decoding: Some(Decoding::Constrained),
            role_labels: role_labels.to_vec(),
            role_crf: self.role_crf && !role_labels.is_empty(),
        }
    }

    /// How `tag` will feed the model, and how dev is scored.
    fn layout(&self) -> Layout {
        Layout { pack_tokens: self.pack_tokens, context_tokens: self.context_tokens }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Polnear(#[from] PolnearError),
    #[error(transparent)]
    Model(#[from] NerError),
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    #[error("training failed: {0}")]
    Torch(String),
    #[error("{0}")]
    Invalid(String),
}

impl From<tch::TchError> for TrainError {
    fn from(error: tch::TchError) -> Self {
        TrainError::Torch(crate::ner::torch_message(&error))
    }
}

/// What a corpus teaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Entity labels, for the entity head.
    Entities,
    /// Claim roles (SOURCE, CUE, CONTENT), for the role head.
    Roles,
}

impl Task {
    /// The variable path prefix of the head the other task trains.
    fn other_head(self) -> &'static str {
        match self {
            Task::Entities => "role_classifier.",
            Task::Roles => "classifier.",
        }
    }
}

/// Labelled sentences read from one corpus.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The file or directory it was read from, for reports.
    pub name: String,
    pub task: Task,
    pub sentences: Vec<LabeledSentence>,
    pub weight: f64,
}

/// Everything a training run reads.
#[derive(Debug, Clone, Default)]
pub struct TrainingData {
    pub train: Vec<Corpus>,
    pub dev: Vec<Corpus>,
}

impl TrainingData {
    /// Training sentences of `task`, summed over corpora.
    pub fn train_sentences(&self, task: Task) -> usize {
        self.train.iter().filter(|c| c.task == task).map(|c| c.sentences.len()).sum()
    }
}

/// One dev corpus's scores after an epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct DevScore {
    /// The corpus, and how it was laid out when it is not as `tag` lays out articles.
    pub name: String,
    pub scores: Scores,
}

/// What happened in one epoch.
#[derive(Debug, Clone)]
pub struct EpochReport {
    pub epoch: usize,
    pub mean_loss: f64,
    /// Each dev corpus's scores (several lines for one corpus scored in several layouts).
    pub dev: Vec<DevScore>,
    /// The mean dev F1 the best epoch is chosen on; `None` without dev data.
    pub selection: Option<f64>,
    pub seconds: f64,
    pub tokens_per_second: f64,
    pub kept: bool,
}

/// Receives progress while training runs.
pub trait TrainProgress {
    /// Called before the first step of an epoch with the number of steps it will take.
    fn epoch_started(&mut self, epoch: usize, steps: usize);
    /// Called after every optimiser step.
    fn step(&mut self, loss: f64, tokens: usize);
    /// Called after the dev evaluation that ends an epoch.
    fn epoch_finished(&mut self, report: &EpochReport);
}

fn write_file(path: &Path, contents: &[u8]) -> Result<(), TrainError> {
    std::fs::write(path, contents).map_err(|err| file_error(path, err))
}

fn file_error(path: &Path, err: impl ToString) -> TrainError {
    TrainError::File { path: path.to_path_buf(), message: err.to_string() }
}

/// Reads the corpora `config` names; `limit` cuts each training corpus.
pub fn read_training_data(config: &TrainConfig) -> Result<TrainingData, TrainError> {
    let limited = |mut sentences: Vec<LabeledSentence>| {
        if let Some(limit) = config.limit {
            sentences.truncate(limit);
        }
        sentences
    };
    let name = |path: &Path| path.display().to_string();
    let mut data = TrainingData::default();
    for spec in &config.train {
        let sentences = limited(read_labeled(&spec.path)?);
        if sentences.is_empty() {
            return Err(TrainError::Invalid(format!("{}: no labelled sentences", spec.path.display())));
        }
        data.train.push(Corpus { name: name(&spec.path), task: Task::Entities, sentences, weight: spec.weight });
    }
    for path in &config.dev {
        data.dev.push(Corpus { name: name(path), task: Task::Entities, sentences: read_labeled(path)?, weight: 1.0 });
    }
    let segmenter = Segmenter::default();
    if let Some(spec) = &config.roles_train {
        let sentences = limited(role_sentences(&read_polnear(&spec.path)?, &segmenter));
        if sentences.is_empty() {
            return Err(TrainError::Invalid(format!("{}: no articles with attributions", spec.path.display())));
        }
        data.train.push(Corpus { name: name(&spec.path), task: Task::Roles, sentences, weight: spec.weight });
    }
    if let Some(path) = &config.roles_dev {
        let sentences = role_sentences(&read_polnear(path)?, &segmenter);
        data.dev.push(Corpus { name: name(path), task: Task::Roles, sentences, weight: 1.0 });
    }
    Ok(data)
}
