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
mod features;
mod progress;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::Value;
use tch::{nn, Device, Kind, Tensor};

use crate::claims_eval::{read_polnear, PolnearError};
use crate::labeled::{read_labeled, role_sentences, DataError, LabeledSentence};
use crate::ner::classifier::TokenClassifier;
use crate::ner::model_dir::{find_weights, parse_architecture, read_json, Architecture, ClaimtagKeys, ModelDir};
use crate::ner::tokenize::{SpecialIds, SubwordTokenizer};
use crate::ner::windows::cut_into_batches;
use crate::ner::{Decoding, NerError, CASING_CLASSES, CASING_NONE};
use crate::score::{score, Scores};
use crate::segment::Segmenter;

pub use progress::StderrProgress;

use adamw::AdamW;
use checkpoint::{Checkpoint, CheckpointState};
use features::{sample_documents, EncodedCorpus, Features, Layout, IGNORE};

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

/// A corpus tokenized for training, with its labels.
struct Prepared<'a> {
    corpus: &'a Corpus,
    encoded: EncodedCorpus,
}

/// One optimiser step's sequences, all of one task.
struct Batch {
    task: Task,
    rows: Vec<Features>,
}

pub struct Trainer {
    config: TrainConfig,
    architecture: Architecture,
    base_config: Value,
    /// The `claimtag_*` keys of the base (a claimtag model trained further).
    base_keys: ClaimtagKeys,
    /// What the best epoch is written as.
    model_dir: ModelDir,
    tokenizer: SubwordTokenizer,
    special: SpecialIds,
    /// Entity labels, IOB2.
    labels: Vec<String>,
    /// Claim-role labels, IOB2; empty without role data.
    role_labels: Vec<String>,
    max_len: usize,
}

/// `O`, then `B-` and `I-` of every kind the corpora tag, in name order.
fn iob2_labels<'a>(corpora: impl Iterator<Item = &'a Corpus>) -> Vec<String> {
    let kinds: BTreeSet<&str> = corpora
        .flat_map(|corpus| corpus.sentences.iter().flat_map(|s| &s.tags))
        .filter_map(|tag| tag.split_once('-').map(|(_, kind)| kind))
        .collect();
    let mut labels = vec!["O".to_string()];
    for kind in kinds {
        labels.push(format!("B-{kind}"));
        labels.push(format!("I-{kind}"));
    }
    labels
}

impl Trainer {
    pub fn new(config: TrainConfig, data: &TrainingData) -> Result<Self, TrainError> {
        let config_path = config.base.join("config.json");
        let base_config = read_json(&config_path)?;
        let architecture = parse_architecture(&config_path, &base_config)?;
        let base_keys = ClaimtagKeys::deserialize(&base_config)
            .map_err(|err| NerError::ModelFile { path: config_path.clone(), message: err.to_string() })?;
        let labels = iob2_labels(data.train.iter().filter(|c| c.task == Task::Entities));
        let has_roles = data.train.iter().any(|c| c.task == Task::Roles);
        let role_labels =
            if has_roles { iob2_labels(data.train.iter().filter(|c| c.task == Task::Roles)) } else { Vec::new() };
        // Settled before training, so that a model that cannot be written fails now, not after the last epoch.
        let model_dir =
            ModelDir::new(&config.base, &base_config, &architecture, &labels, &config.model_keys(&role_labels))?;
        let tokenizer = SubwordTokenizer::read(&config.base, &architecture)?;
        let special = tokenizer.special_ids(&config.base)?;
        let max_len = architecture.max_sequence_len();
        Ok(Trainer {
            config,
            architecture,
            base_config,
            base_keys,
            model_dir,
            tokenizer,
            special,
            labels,
            role_labels,
            max_len,
        })
    }

    /// The float type the written model's weights are stored in.
    fn weights_kind(&self) -> Kind {
        if self.config.fp16_weights {
            Kind::Half
        } else {
            Kind::Float
        }
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The heads of the base whose labels are exactly this training's, so that training goes on
    /// from them (a claimtag model trained further) instead of from a fresh head.
    fn reusable_heads(&self) -> Vec<&'static str> {
        let base_labels: Vec<String> = match self.base_config.get("id2label").and_then(Value::as_object) {
            Some(id2label) => (0..id2label.len())
                .map_while(|i| id2label.get(&i.to_string()).and_then(Value::as_str).map(String::from))
                .collect(),
            None => Vec::new(),
        };
        let mut heads = Vec::new();
        if base_labels == self.labels {
            heads.push(HEADS[0]);
        }
        if !self.role_labels.is_empty() && self.base_keys.role_labels == self.role_labels {
            heads.push(HEADS[1]);
        }
        heads
    }

    /// The claim-role labels of the role head; empty when there is none.
    pub fn role_labels(&self) -> &[String] {
        &self.role_labels
    }

    fn labels_of(&self, task: Task) -> &[String] {
        match task {
            Task::Entities => &self.labels,
            Task::Roles => &self.role_labels,
        }
    }

    fn prepare<'a>(&self, corpus: &'a Corpus) -> Prepared<'a> {
        let labels: HashMap<&str, i64> =
            self.labels_of(corpus.task).iter().enumerate().map(|(i, l)| (l.as_str(), i as i64)).collect();
        Prepared { corpus, encoded: EncodedCorpus::new(&self.tokenizer, &corpus.sentences, &labels) }
    }

    /// Runs the whole training and writes the best model to `config.out`.
    pub fn run(&self, data: &TrainingData, progress: &mut dyn TrainProgress) -> Result<Vec<EpochReport>, TrainError> {
        let config = &self.config;
        tch::manual_seed(config.seed as i64);
        let train: Vec<Prepared> = data.train.iter().map(|corpus| self.prepare(corpus)).collect();
        let dev: Vec<Prepared> = data.dev.iter().map(|corpus| self.prepare(corpus)).collect();

        let mut vs = nn::VarStore::new(config.device);
        let casing = config.casing.then_some(CASING_CLASSES);
        let network = TokenClassifier::new(
            &vs.root(),
            &self.architecture,
            self.labels.len(),
            (!self.role_labels.is_empty()).then_some(self.role_labels.len()),
            casing,
        );
        std::fs::create_dir_all(&config.out).map_err(|err| file_error(&config.out, err))?;
        let checkpoint = Checkpoint::at(&config.out);
        let (first_epoch, mut best_score, mut step) = if config.resume && checkpoint.exists() {
            let state = checkpoint.load(&mut vs)?;
            (state.epoch + 1, state.best_score, state.step)
        } else {
            load_base_weights(&mut vs, &config.base, &self.reusable_heads())?;
            (1, f64::NEG_INFINITY, 0)
        };

        let batches_per_epoch = self.batches(&train, 0).len();
        let total_steps = (batches_per_epoch * config.epochs).max(1);
        let warmup_steps = ((total_steps as f64) * config.warmup).ceil().max(1.0);
        let mut optimizer = AdamW::new(&vs, config.weight_decay);
        if first_epoch > 1 {
            checkpoint.load_optimizer(&mut optimizer)?;
        }
        let mut reports = Vec::new();
        for epoch in first_epoch..=config.epochs {
            let batches = self.batches(&train, epoch as u64);
            // Dropout draws from a generator seeded per epoch, so a resumed run draws what an
            // uninterrupted one would.
            tch::manual_seed(config.seed as i64 + epoch as i64);
            progress.epoch_started(epoch, batches.len());
            let started = Instant::now();
            let (mut loss_sum, mut tokens) = (0.0, 0usize);
            for batch in &batches {
                step += 1;
                let schedule = if (step as f64) < warmup_steps {
                    step as f64 / warmup_steps
                } else {
                    ((total_steps as f64 - step as f64) / (total_steps as f64 - warmup_steps).max(1.0)).max(0.0)
                };
                let rows: Vec<&Features> = batch.rows.iter().collect();
                let (ids, mask, casing_ids, labels) = self.tensors(&rows);
                let logits = network.forward_t(&ids, &mask, Some(&casing_ids), true)?;
                let logits = match batch.task {
                    Task::Entities => logits.entities,
                    Task::Roles => logits.roles.ok_or_else(|| TrainError::Invalid("no role head".into()))?,
                };
                let loss = logits.view([-1, self.labels_of(batch.task).len() as i64]).cross_entropy_loss::<Tensor>(
                    &labels.view(-1),
                    None,
                    tch::Reduction::Mean,
                    IGNORE,
                    0.0,
                );
                optimizer.zero_grad();
                loss.backward();
                let idle_head = batch.task.other_head();
                optimizer.clip_grad_norm(config.clip_norm, |name| name.starts_with(idle_head));
                optimizer.step(config.lr * schedule, |name| name.starts_with(idle_head));
                let loss = loss.double_value(&[]);
                let batch_tokens: usize = rows.iter().map(|f| f.ids.len()).sum();
                loss_sum += loss;
                tokens += batch_tokens;
                progress.step(loss, batch_tokens);
            }
            let seconds = started.elapsed().as_secs_f64();
            let dev_scores = self.evaluate_all(&network, &dev)?;
            let selection = (!dev_scores.is_empty())
                .then(|| dev_scores.iter().map(|d| d.scores.overall.f1()).sum::<f64>() / dev_scores.len() as f64);
            // Without dev data the last epoch is the one kept.
            let score = selection.unwrap_or(epoch as f64);
            let kept = score > best_score;
            if kept {
                best_score = score;
                self.model_dir.write(&config.out, &vs, self.weights_kind())?;
            }
            checkpoint.save(&vs, &optimizer, CheckpointState { epoch, best_score, step })?;
            let report = EpochReport {
                epoch,
                mean_loss: loss_sum / batches.len().max(1) as f64,
                dev: dev_scores,
                selection,
                seconds,
                tokens_per_second: tokens as f64 / seconds.max(1e-9),
                kept,
            };
            progress.epoch_finished(&report);
            reports.push(report);
        }
        Ok(reports)
    }

    /// An epoch's batches: each corpus's documents drawn by its weight and laid out (by
    /// `vary_context`, or as `tag` feeds them), cut into batches of one task, all shuffled.
    fn batches(&self, train: &[Prepared], epoch: u64) -> Vec<Batch> {
        let mut rng = StdRng::seed_from_u64(self.config.seed.wrapping_mul(1_000_003).wrapping_add(epoch));
        let layout = self.config.layout();
        let mut batches = Vec::new();
        for prepared in train {
            let documents = sample_documents(prepared.encoded.documents.len(), prepared.corpus.weight, &mut rng);
            let layouts = layout.varied();
            let mut layout_rng = StdRng::seed_from_u64(rng.gen::<u64>());
            let layout_of = |_| {
                if self.config.vary_context {
                    *layouts.choose(&mut layout_rng).unwrap_or(&layout)
                } else {
                    layout
                }
            };
            let features = prepared.encoded.features(&documents, layout_of, self.special, self.max_len);
            let order = self.shuffled_batches(&features, &mut rng);
            let mut features: Vec<Option<Features>> = features.into_iter().map(Some).collect();
            for rows in order {
                let rows = rows.into_iter().filter_map(|i| features[i].take()).collect();
                batches.push(Batch { task: prepared.corpus.task, rows });
            }
        }
        batches.shuffle(&mut rng);
        batches
    }

    /// Batches of similar length: shuffle, sort within pools of 64 batches' worth, cut under the
    /// token budget.
    fn shuffled_batches(&self, features: &[Features], rng: &mut StdRng) -> Vec<Vec<usize>> {
        let mut order: Vec<usize> = (0..features.len()).collect();
        order.shuffle(rng);
        let mean_len = features.iter().map(|f| f.ids.len()).sum::<usize>() / features.len().max(1) + 1;
        let pool = (self.config.batch_tokens / mean_len).max(1) * 64;
        let mut batches = Vec::new();
        for chunk in order.chunks_mut(pool) {
            chunk.sort_by_key(|&i| features[i].ids.len());
            batches.extend(cut_into_batches(chunk, |i| features[i].ids.len(), self.config.batch_tokens));
        }
        batches
    }

    fn tensors(&self, rows: &[&Features]) -> (Tensor, Tensor, Tensor, Tensor) {
        let width = rows.iter().map(|f| f.ids.len()).max().unwrap_or(0);
        let size = rows.len() * width;
        let (mut ids, mut mask, mut casing, mut labels) =
            (vec![self.special.pad; size], vec![0i64; size], vec![CASING_NONE; size], vec![IGNORE; size]);
        for (row, features) in rows.iter().enumerate() {
            let at = row * width;
            let len = features.ids.len();
            ids[at..at + len].copy_from_slice(&features.ids);
            mask[at..at + len].fill(1);
            casing[at..at + len].copy_from_slice(&features.casing);
            labels[at..at + len].copy_from_slice(&features.labels);
        }
        let shape = [rows.len() as i64, width as i64];
        let device = self.config.device;
        let tensor = |values: &[i64]| Tensor::from_slice(values).view(shape).to_device(device);
        (tensor(&ids), tensor(&mask), tensor(&casing), tensor(&labels))
    }

    /// Every dev corpus scored as `tag` feeds articles; with `vary_context`, entity corpora are
    /// scored with every sentence alone too, as lone sentences are tagged.
    fn evaluate_all(&self, network: &TokenClassifier, dev: &[Prepared]) -> Result<Vec<DevScore>, TrainError> {
        let mut scores = Vec::new();
        for prepared in dev {
            let mut layouts = vec![(self.config.layout(), String::new())];
            if self.config.vary_context && prepared.corpus.task == Task::Entities {
                layouts.push((Layout::ALONE, ", sentences alone".to_string()));
            }
            for (layout, suffix) in layouts {
                let scored = self.evaluate(network, prepared, layout)?;
                scores.push(DevScore { name: format!("{}{suffix}", prepared.corpus.name), scores: scored });
            }
        }
        Ok(scores)
    }

    /// Span F1 on a corpus laid out in `layout`: each corpus token takes the label predicted at
    /// its first sub-token.
    fn evaluate(&self, network: &TokenClassifier, prepared: &Prepared, layout: Layout) -> Result<Scores, TrainError> {
        let features = prepared.encoded.all_features(layout, self.special, self.max_len);
        let task = prepared.corpus.task;
        let labels = self.labels_of(task);
        // Features hold the sentences in order, so their predictions come out in order.
        let mut predicted_tags = Vec::with_capacity(prepared.corpus.sentences.len());
        for rows in features.iter().collect::<Vec<_>>().chunks(64) {
            let (ids, mask, casing_ids, _) = self.tensors(rows);
            let logits = tch::no_grad(|| network.forward_t(&ids, &mask, Some(&casing_ids), false))?;
            let logits = match task {
                Task::Entities => logits.entities,
                Task::Roles => logits.roles.ok_or_else(|| TrainError::Invalid("no role head".into()))?,
            };
            let best = logits.argmax(-1, false);
            let width = best.size()[1] as usize;
            let best: Vec<i64> = Vec::try_from(best.to_device(Device::Cpu).view(-1))?;
            for (row, features) in rows.iter().enumerate() {
                for heads in &features.token_heads {
                    let tags = heads.iter().map(|head| {
                        head.map_or("O".to_string(), |position| labels[best[row * width + position] as usize].clone())
                    });
                    predicted_tags.push(tags.collect::<Vec<_>>());
                }
            }
        }
        let gold: Vec<Vec<String>> = prepared.corpus.sentences.iter().map(|s| s.tags.clone()).collect();
        Ok(score(&gold, &predicted_tags))
    }
}

/// Variable path prefixes of the entity and role heads.
const HEADS: [&str; 2] = ["classifier.", "role_classifier."];

/// Copies the base encoder's weights into `vs`. Names may carry the `bert.` prefix or not
/// (sentence-transformers checkpoints leave it out); tensors the network lacks (a pooler) are
/// ignored; a head keeps its fresh initialisation unless `reusable_heads` names it (a base
/// trained by claimtag on the same labels, continued).
fn load_base_weights(vs: &mut nn::VarStore, base: &Path, reusable_heads: &[&str]) -> Result<(), TrainError> {
    let path = find_weights(base)?;
    let tensors: HashMap<String, Tensor> = if path.extension().is_some_and(|e| e == "safetensors") {
        Tensor::read_safetensors(&path)
    } else {
        Tensor::loadz_multi(&path)
    }
    .map_err(|error| NerError::weights(&path, &error))?
    .into_iter()
    .collect();
    let mut loaded = 0;
    let mut variables = vs.variables();
    for (name, variable) in variables.iter_mut() {
        let source = tensors.get(name).or_else(|| name.split_once('.').and_then(|(_, rest)| tensors.get(rest)));
        let fresh_head = HEADS.iter().any(|head| name.starts_with(head) && !reusable_heads.contains(head));
        if let Some(source) = source.filter(|s| s.size() == variable.size() && !fresh_head) {
            tch::no_grad(|| variable.copy_(source));
            loaded += 1;
        }
    }
    if loaded == 0 {
        return Err(TrainError::File { path, message: "holds none of the encoder's weights".into() });
    }
    Ok(())
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
