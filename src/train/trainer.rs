//! The training loop: epochs of shuffled single-task batches, dev scores after each, the best
//! epoch written as a model directory and every epoch checkpointed.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use tch::{nn, Device, Kind, Tensor};

use super::adamw::AdamW;
use super::checkpoint::{load_base_weights, Checkpoint, CheckpointState, HEADS};
use super::crf::crf_nll;
use super::features::{sample_documents, EncodedCorpus, Features, Layout, IGNORE};
use super::schedule::Schedule;
use super::{file_error, Corpus, DevScore, EpochReport, Task, TrainConfig, TrainError, TrainProgress, TrainingData};
use crate::eval::score::{score, Scores};
use crate::ner::classifier::{RoleHead, TokenClassifier};
use crate::ner::decode::{best_labels, Decoding, Tag};
use crate::ner::model_dir::{parse_architecture, read_json, Architecture, ClaimtagKeys, ModelDir};
use crate::ner::tokenize::{SpecialIds, SubwordTokenizer};
use crate::ner::windows::cut_into_batches;
use crate::ner::{CASING_CLASSES, CASING_NONE};

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

/// A training run set up from a [`TrainConfig`] and the data it reads.
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

/// How much faster than the encoder a CRF's transition scores learn: they start at zero and
/// must reach scores of several units within an epoch, where encoder weights move by 1e-5s.
const TRANSITION_LR_SCALE: f64 = 1000.0;

/// The learning rate of the variable `name` when the encoder's is `lr`.
fn learning_rate(name: &str, lr: f64) -> f64 {
    if name.ends_with("transitions") {
        lr * TRANSITION_LR_SCALE
    } else {
        lr
    }
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
        let base_keys = ClaimtagKeys::read(&config_path, &base_config)?;
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
        let role_head = (!self.role_labels.is_empty())
            .then_some(RoleHead { labels: self.role_labels.len(), crf: self.config.role_crf });
        let network = TokenClassifier::new(&vs.root(), &self.architecture, self.labels.len(), role_head, casing);
        std::fs::create_dir_all(&config.out).map_err(|err| file_error(&config.out, err))?;
        let checkpoint = Checkpoint::at(&config.out);
        let (first_epoch, mut best_score, mut step) = if config.resume && checkpoint.exists() {
            let state = checkpoint.load(&mut vs)?;
            (state.epoch + 1, state.best_score, state.step)
        } else {
            load_base_weights(&mut vs, &config.base, &self.reusable_heads())?;
            (1, f64::NEG_INFINITY, 0)
        };

        let schedule = Schedule::new(self.batches(&train, 0).len() * config.epochs, config.warmup);
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
                let rows: Vec<&Features> = batch.rows.iter().collect();
                let (ids, mask, casing_ids, labels) = self.tensors(&rows);
                let logits = network.forward_t(&ids, &mask, Some(&casing_ids), true)?;
                let logits = match batch.task {
                    Task::Entities => logits.entities,
                    Task::Roles => logits.roles.ok_or_else(|| TrainError::Invalid("no role head".into()))?,
                };
                let loss = match (batch.task, network.role_transition_scores()) {
                    (Task::Roles, Some((transitions, start))) => {
                        let width = logits.size()[1] as usize;
                        let flat: Vec<i64> = Vec::try_from(labels.to_device(Device::Cpu).view(-1))?;
                        crf_nll(&logits, &flat, width, transitions, start)
                    }
                    _ => logits.view([-1, self.labels_of(batch.task).len() as i64]).cross_entropy_loss::<Tensor>(
                        &labels.view(-1),
                        None,
                        tch::Reduction::Mean,
                        IGNORE,
                        0.0,
                    ),
                };
                optimizer.zero_grad();
                loss.backward();
                let idle_head = batch.task.other_head();
                optimizer.clip_grad_norm(config.clip_norm, |name| name.starts_with(idle_head));
                let lr = config.lr * schedule.factor(step);
                optimizer.step(|name| (!name.starts_with(idle_head)).then(|| learning_rate(name, lr)));
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
    /// its first sub-token (for a CRF head, the label of the best sequence of each sentence's).
    fn evaluate(&self, network: &TokenClassifier, prepared: &Prepared, layout: Layout) -> Result<Scores, TrainError> {
        let features = prepared.encoded.all_features(layout, self.special, self.max_len);
        let task = prepared.corpus.task;
        let labels = self.labels_of(task);
        let transitions = match task {
            Task::Roles => network.role_transitions()?,
            Task::Entities => None,
        };
        let tags: Vec<Tag> = labels.iter().map(|label| Tag::parse(label)).collect();
        // Features hold the sentences in order, so their predictions come out in order.
        let mut predicted_tags = Vec::with_capacity(prepared.corpus.sentences.len());
        for rows in features.iter().collect::<Vec<_>>().chunks(64) {
            let (ids, mask, casing_ids, _) = self.tensors(rows);
            let logits = tch::no_grad(|| network.forward_t(&ids, &mask, Some(&casing_ids), false))?;
            let logits = match task {
                Task::Entities => logits.entities,
                Task::Roles => logits.roles.ok_or_else(|| TrainError::Invalid("no role head".into()))?,
            };
            let width = logits.size()[1] as usize;
            let classes = labels.len();
            let probabilities: Vec<f32> =
                Vec::try_from(logits.to_kind(Kind::Float).softmax(-1, Kind::Float).to_device(Device::Cpu).view(-1))?;
            for (row, features) in rows.iter().enumerate() {
                let at = |position: usize| {
                    let from = (row * width + position) * classes;
                    &probabilities[from..from + classes]
                };
                for heads in &features.token_heads {
                    let distributions: Vec<&[f32]> = heads.iter().flatten().map(|&position| at(position)).collect();
                    let decoding = if transitions.is_some() { Decoding::Constrained } else { Decoding::Greedy };
                    let mut best = best_labels(&distributions, &tags, decoding, transitions.as_ref()).into_iter();
                    let tags = heads.iter().map(|head| match head {
                        Some(_) => best.next().map_or("O".to_string(), |(label, _)| labels[label].clone()),
                        None => "O".to_string(),
                    });
                    predicted_tags.push(tags.collect::<Vec<_>>());
                }
            }
        }
        let gold: Vec<Vec<String>> = prepared.corpus.sentences.iter().map(|s| s.tags.clone()).collect();
        Ok(score(&gold, &predicted_tags))
    }
}
