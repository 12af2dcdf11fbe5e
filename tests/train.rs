//! `claimtag train` and `claimtag eval` on tiny generated models and data.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use claimtag::corpus::read_labeled;
use claimtag::document::Role;
use claimtag::eval::ner::{evaluate, Records};
use claimtag::eval::score::Scores;
use claimtag::ner::{NerConfig, NerModel};
use claimtag::train::{read_training_data, CorpusSpec, EpochReport, TrainConfig, TrainProgress, Trainer};
use common::{slice_chars, tiny_model, tiny_model_of, Family, Head};

/// libtorch's random generator is global to the process: training tests take turns so that a
/// seed fixes a run.
static TRAINING: Mutex<()> = Mutex::new(());

struct Quiet;

impl TrainProgress for Quiet {
    fn epoch_started(&mut self, _: usize, _: usize) {}
    fn step(&mut self, _: f64, _: usize) {}
    fn epoch_finished(&mut self, _: &EpochReport) {}
}

/// A learnable toy corpus in CoNLL columns: fixed words are always the same entity type.
fn write_corpus(path: &Path, sentences: usize, seed: usize) {
    let words = [
        ("Putin", "PER"),
        ("Kyiv", "LOC"),
        ("Ukraine", "LOC"),
        ("ISW", "ORG"),
        ("said", "O"),
        ("the", "O"),
        ("war", "O"),
        ("in", "O"),
        ("reported", "O"),
        ("minister", "O"),
    ];
    let mut text = String::new();
    for s in 0..sentences {
        if s % 4 == 0 {
            text.push_str("-DOCSTART- -X- -X- O\n\n");
        }
        for w in 0..6 {
            let (word, kind) = words[(s * 7 + w * 3 + seed) % words.len()];
            let tag = if kind == "O" { "O".to_string() } else { format!("B-{kind}") };
            text.push_str(&format!("{word} NNP O {tag}\n"));
        }
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn config(base: &Path, data: &Path, out: &Path) -> TrainConfig {
    TrainConfig {
        dev: vec![data.join("dev.txt")],
        epochs: 3,
        lr: 3e-3,
        batch_tokens: 128,
        context_tokens: 4,
        fp16_weights: false,
        ..TrainConfig::new(base, data.join("train.txt"), out)
    }
}

fn corpus() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    write_corpus(&data.path().join("train.txt"), 600, 0);
    write_corpus(&data.path().join("dev.txt"), 24, 5);
    data
}

fn take_turn() -> std::sync::MutexGuard<'static, ()> {
    TRAINING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn train(config: &TrainConfig) -> Vec<EpochReport> {
    let data = read_training_data(config).unwrap();
    Trainer::new(config.clone(), &data).unwrap().run(&data, &mut Quiet).unwrap()
}

/// The dev scores of the first dev corpus.
fn first_dev(report: &EpochReport) -> &Scores {
    &report.dev[0].scores
}

#[test]
fn training_lowers_the_loss_and_learns_the_toy_corpus() {
    let _turn = take_turn();
    let base = tiny_model(Head::Random);
    let data = corpus();
    let out = tempfile::tempdir().unwrap();
    let reports = train(&config(&base.path, data.path(), out.path()));
    assert_eq!(reports.len(), 3);
    assert!(reports[2].mean_loss < reports[0].mean_loss * 0.7, "{reports:?}");
    let best = reports.iter().map(|r| first_dev(r).overall.f1()).fold(0.0, f64::max);
    assert!(best > 0.8, "dev F1 {best}: {reports:?}");
}

/// Trains with `pack_tokens`, then scores dev through `tag`'s path with the saved model: the
/// same context and packing must give the very scores training reported.
fn assert_saved_model_scores_as_during_training(pack_tokens: usize) {
    let _turn = take_turn();
    let base = tiny_model(Head::Random);
    let data = corpus();
    let out = tempfile::tempdir().unwrap();
    let config = TrainConfig { pack_tokens, ..config(&base.path, data.path(), out.path()) };
    let reports = train(&config);
    let kept = first_dev(reports.iter().rev().find(|r| r.kept).unwrap()).clone();

    let model = NerModel::load(&NerConfig::new(out.path())).unwrap();
    assert_eq!(model.context_tokens(), 4, "the context the model was trained with is used when tagging");
    assert_eq!(model.pack_tokens(), pack_tokens, "the packing the model was trained with is used when tagging");
    let overridden =
        NerModel::load(&NerConfig { context_tokens: Some(0), pack_tokens: Some(7), ..NerConfig::new(out.path()) })
            .unwrap();
    assert_eq!(overridden.context_tokens(), 0, "--context-tokens overrides the model's");
    assert_eq!(overridden.pack_tokens(), 7, "--pack-tokens overrides the model's");
    let dev = read_labeled(&data.path().join("dev.txt")).unwrap();
    let through_tag = evaluate(&model, &dev, Records::Documents).unwrap();
    assert_eq!(through_tag.overall, kept.overall);
    assert_eq!(through_tag.per_type, kept.per_type);
}

#[test]
fn the_saved_model_scores_through_tag_exactly_as_during_training() {
    assert_saved_model_scores_as_during_training(0);
}

#[test]
fn a_model_trained_on_packed_sentences_scores_through_tag_exactly_as_during_training() {
    // Toy sentences are six words: 20 sub-tokens packs two or three of them into a sequence.
    assert_saved_model_scores_as_during_training(20);
}

#[test]
fn resume_continues_after_the_last_finished_epoch() {
    let _turn = take_turn();
    let base = tiny_model(Head::Random);
    let data = corpus();
    let out = tempfile::tempdir().unwrap();
    let first = train(&TrainConfig { epochs: 1, ..config(&base.path, data.path(), out.path()) });
    assert_eq!(first.iter().map(|r| r.epoch).collect::<Vec<_>>(), [1]);
    assert!(out.path().join("checkpoint/state.json").is_file());
    let resumed = train(&TrainConfig { epochs: 3, resume: true, ..config(&base.path, data.path(), out.path()) });
    assert_eq!(resumed.iter().map(|r| r.epoch).collect::<Vec<_>>(), [2, 3]);
}

/// Copies `OUT/checkpoint/` aside as it stands after one epoch, as if the run had stopped there.
struct StopAfter {
    epoch: usize,
    out: PathBuf,
    copy_to: PathBuf,
}

impl TrainProgress for StopAfter {
    fn epoch_started(&mut self, _: usize, _: usize) {}
    fn step(&mut self, _: f64, _: usize) {}
    fn epoch_finished(&mut self, report: &EpochReport) {
        if report.epoch == self.epoch {
            let to = self.copy_to.join("checkpoint");
            std::fs::create_dir_all(&to).unwrap();
            for entry in std::fs::read_dir(self.out.join("checkpoint")).unwrap() {
                let path = entry.unwrap().path();
                std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
            }
        }
    }
}

#[test]
fn a_resumed_run_trains_exactly_as_an_uninterrupted_one() {
    let _turn = take_turn();
    let base = tiny_model(Head::Random);
    let data = corpus();
    let (whole, resumed) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config = config(&base.path, data.path(), whole.path());
    let data = read_training_data(&config).unwrap();
    let mut stop = StopAfter { epoch: 1, out: whole.path().into(), copy_to: resumed.path().into() };
    let uninterrupted = Trainer::new(config.clone(), &data).unwrap().run(&data, &mut stop).unwrap();
    let continued = train(&TrainConfig { resume: true, out: resumed.path().into(), ..config });
    let losses = |reports: &[EpochReport]| reports.iter().map(|r| (r.epoch, r.mean_loss)).collect::<Vec<_>>();
    assert_eq!(losses(&continued), losses(&uninterrupted[1..]), "moments and dropout draws carry over");
    let weights = |dir: &Path| std::fs::read(dir.join("checkpoint/weights.safetensors")).unwrap();
    assert!(weights(whole.path()) == weights(resumed.path()), "the final weights differ");
}

#[test]
fn the_same_seed_gives_the_same_training() {
    let _turn = take_turn();
    let base = tiny_model(Head::Random);
    let data = corpus();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let losses = |out: &Path| -> Vec<f64> {
        train(&TrainConfig { epochs: 2, ..config(&base.path, data.path(), out) }).iter().map(|r| r.mean_loss).collect()
    };
    assert_eq!(losses(a.path()), losses(b.path()));
}

#[test]
fn a_base_without_a_classifier_gets_a_fresh_head_and_extra_tensors_are_ignored() {
    let _turn = take_turn();
    // A sentence-transformers style base: no "bert." prefix, a pooler, no classifier.
    let base = tiny_model(Head::Random);
    let path = base.path.join("model.safetensors");
    let tensors = tch::Tensor::read_safetensors(&path).unwrap();
    let mut renamed: Vec<(String, tch::Tensor)> = tensors
        .into_iter()
        .filter(|(name, _)| !name.starts_with("classifier."))
        .map(|(name, t)| (name.trim_start_matches("bert.").to_string(), t))
        .collect();
    renamed.push(("pooler.dense.weight".into(), tch::Tensor::zeros([32, 32], (tch::Kind::Float, tch::Device::Cpu))));
    tch::Tensor::write_safetensors(&renamed, &path).unwrap();
    let data = corpus();
    let out = tempfile::tempdir().unwrap();
    let reports = train(&TrainConfig { epochs: 1, ..config(&base.path, data.path(), out.path()) });
    assert_eq!(reports.len(), 1);
    assert!(out.path().join("model.safetensors").is_file());
}

#[test]
fn a_distilbert_base_trains_without_casing_and_its_model_loads_through_tag() {
    let _turn = take_turn();
    let base = tiny_model_of(Family::DistilBert, Head::Random);
    let data = corpus();
    let out = tempfile::tempdir().unwrap();
    let reports = train(&TrainConfig { epochs: 1, casing: false, ..config(&base.path, data.path(), out.path()) });
    let model = NerModel::load(&NerConfig::new(out.path())).unwrap();
    assert_eq!(model.labels(), ["O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-PER", "I-PER"]);
    let dev = read_labeled(&data.path().join("dev.txt")).unwrap();
    let through_tag = evaluate(&model, &dev, Records::Documents).unwrap();
    assert_eq!(through_tag.overall, first_dev(&reports[0]).overall, "the written model is the one trained");
}

#[test]
fn a_model_that_cannot_be_written_is_refused_before_training_starts() {
    // Casing embeddings are added to BERT's word embeddings only.
    let base = tiny_model_of(Family::DistilBert, Head::Random);
    let data = corpus();
    let out = tempfile::tempdir().unwrap();
    let config = config(&base.path, data.path(), out.path());
    let data = read_training_data(&config).unwrap();
    let err = Trainer::new(config, &data).err().expect("refused").to_string();
    assert_eq!(err, format!("{}: casing embeddings need a BERT base", base.path.join("config.json").display()));
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "nothing was written");
}

/// A toy PolNeAR split in brat standoff: "SOURCE said that CONTENT ." sentences, with the
/// source, cue and content of each attribution marked.
fn write_attributions(dir: &Path, articles: usize, seed: usize) {
    let sources = ["ISW", "Putin", "The minister", "Kyiv"];
    let contents = ["the war goes on", "talks failed", "Russia advanced", "the West will help"];
    std::fs::create_dir_all(dir.join("text")).unwrap();
    std::fs::create_dir_all(dir.join("attributions")).unwrap();
    for article in 0..articles {
        let (mut text, mut ann, mut n) = (String::new(), String::new(), 0);
        for sentence in 0..4 {
            let pick = article * 5 + sentence * 3 + seed;
            let (source, content) = (sources[pick % 4], contents[(pick / 4) % 4]);
            let mut mark = |kind: &str, words: &str, text: &mut String| {
                let start = text.chars().count();
                text.push_str(words);
                n += 1;
                ann.push_str(&format!("T{n}\t{kind} {start} {}\t{words}\n", start + words.chars().count()));
            };
            mark("Source", source, &mut text);
            text.push(' ');
            mark("Cue", "said", &mut text);
            text.push(' ');
            mark("Content", &format!("that {content}"), &mut text);
            text.push_str(". Nothing else happened today. ");
            ann.push_str(&format!(
                "E{sentence}\tAttribution:T{} Source:T{} Cue:T{} Content:T{}\n",
                n - 1,
                n - 2,
                n - 1,
                n
            ));
        }
        std::fs::write(dir.join(format!("text/a{article}.txt")), text).unwrap();
        std::fs::write(dir.join(format!("attributions/a{article}_ann1.ann")), ann).unwrap();
    }
}

fn multi_task_config(base: &Path, data: &Path, out: &Path) -> TrainConfig {
    write_attributions(&data.join("roles-train"), 40, 0);
    write_attributions(&data.join("roles-dev"), 4, 1);
    write_corpus(&data.join("second.txt"), 40, 3);
    TrainConfig {
        train: vec![
            CorpusSpec::new(data.join("train.txt")),
            CorpusSpec::parse(&format!("{}@1.5", data.join("second.txt").display())),
        ],
        roles_train: Some(CorpusSpec::new(data.join("roles-train"))),
        roles_dev: Some(data.join("roles-dev")),
        vary_context: true,
        pack_tokens: 20,
        ..config(base, data, out)
    }
}

#[test]
fn a_role_head_learns_claim_roles_beside_the_entity_head_and_tags_them() {
    let _turn = take_turn();
    let base = tiny_model(Head::Random);
    let data = corpus();
    let out = tempfile::tempdir().unwrap();
    let reports = train(&TrainConfig { epochs: 4, ..multi_task_config(&base.path, data.path(), out.path()) });
    let names: Vec<&str> = reports[0].dev.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names.len(), 3, "dev as tagged, dev sentences alone, roles dev: {names:?}");
    assert!(names[1].ends_with("sentences alone"), "{names:?}");
    let best = reports.iter().rfind(|r| r.kept).unwrap();
    let roles = &best.dev[2].scores;
    assert!(roles.overall.f1() > 0.8, "role F1 {}: {:?}", roles.overall.f1(), roles.per_type);
    assert!(first_dev(best).overall.f1() > 0.8, "entities are still learnt: {:?}", best.dev);
    let mean = best.dev.iter().map(|d| d.scores.overall.f1()).sum::<f64>() / 3.0;
    assert!((best.selection.unwrap() - mean).abs() < 1e-12, "the epoch is chosen on the mean dev F1");

    let model = NerModel::load(&NerConfig::new(out.path())).unwrap();
    let dev = read_labeled(&data.path().join("dev.txt")).unwrap();
    let alone = evaluate(&model, &dev, Records::Sentences).unwrap();
    assert_eq!(alone.overall, best.dev[1].scores.overall, "eval --per-sentence scores as training did");
    let roles: Vec<(Role, String)> = roles_tagged(&model).into_iter().map(|(role, text, _)| (role, text)).collect();
    assert_eq!(
        roles,
        [(Role::Source, "Putin".into()), (Role::Cue, "said".into()), (Role::Content, "that talks failed".into())]
    );
}

/// The role spans `model` tags in a two-sentence text: role, text and score.
fn roles_tagged(model: &NerModel) -> Vec<(Role, String, f32)> {
    let mut docs = [claimtag::Document::new("d", "Putin said that talks failed. Nothing else happened today.")];
    docs[0].sentences = claimtag::segment::Segmenter::default().split(&docs[0].text);
    model.predict(&mut docs).unwrap();
    let spans = docs[0].roles.as_ref().expect("a model with a role head tags roles");
    spans.iter().map(|span| (span.role, slice_chars(&docs[0].text, span.start, span.end), span.score)).collect()
}

#[test]
fn a_crf_role_head_learns_transitions_that_the_written_model_decodes_with() {
    let _turn = take_turn();
    let base = tiny_model(Head::Random);
    let data = corpus();
    let out = tempfile::tempdir().unwrap();
    let config = TrainConfig { epochs: 4, role_crf: true, ..multi_task_config(&base.path, data.path(), out.path()) };
    let reports = train(&config);
    let best = reports.iter().rfind(|r| r.kept).unwrap();
    let roles = &best.dev[2].scores;
    assert!(roles.overall.f1() > 0.8, "role F1 {}: {:?}", roles.overall.f1(), roles.per_type);

    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("config.json")).unwrap()).unwrap();
    assert_eq!(written["claimtag_role_crf"], serde_json::json!(true));
    let weights = tch::Tensor::read_safetensors(out.path().join("model.safetensors")).unwrap();
    let transitions = &weights.iter().find(|(name, _)| name == "role_classifier.transitions").unwrap().1;
    // Seven labels (O and B-/I- of three roles); O -> I-X never occurs in the data, so its score
    // falls below that of O -> O.
    assert_eq!(transitions.size(), [7, 7]);
    let score = |from: i64, to: i64| transitions.double_value(&[from, to]);
    assert!((2..7).step_by(2).all(|inside| score(0, inside) < score(0, 0)), "{transitions}");

    let model = NerModel::load(&NerConfig::new(out.path())).unwrap();
    let roles = roles_tagged(&model);
    let texts: Vec<&str> = roles.iter().map(|(_, text, _)| text.as_str()).collect();
    assert_eq!(texts, ["Putin", "said", "that talks failed"]);
    assert!(roles.iter().all(|(_, _, score)| *score > 0.0 && *score <= 1.0), "{roles:?}");
}

#[test]
fn a_resumed_multi_task_run_with_varied_context_trains_exactly_as_an_uninterrupted_one() {
    let _turn = take_turn();
    let base = tiny_model(Head::Random);
    let data = corpus();
    let (whole, resumed) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config = TrainConfig { epochs: 2, ..multi_task_config(&base.path, data.path(), whole.path()) };
    let data_set = read_training_data(&config).unwrap();
    let mut stop = StopAfter { epoch: 1, out: whole.path().into(), copy_to: resumed.path().into() };
    let uninterrupted = Trainer::new(config.clone(), &data_set).unwrap().run(&data_set, &mut stop).unwrap();
    let continued = train(&TrainConfig { resume: true, out: resumed.path().into(), ..config });
    let losses = |reports: &[EpochReport]| reports.iter().map(|r| (r.epoch, r.mean_loss)).collect::<Vec<_>>();
    assert_eq!(losses(&continued), losses(&uninterrupted[1..]));
}
