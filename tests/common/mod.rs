//! Test support: a tiny random token-classification model in Hugging Face layout, generated on
//! the spot so that the tests need neither the network nor the shipped model.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rust_bert::bert::{BertConfig, BertForTokenClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
use serde_json::json;
use tch::{nn, Device, Kind, Tensor};

pub const CONLL_LABELS: [&str; 9] = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];

/// Position embeddings of the tiny models: 62 sub-tokens a window once [CLS] and [SEP] are in.
pub const MAX_POSITIONS: i64 = 64;

/// What the tiny model's classifier does.
#[derive(Clone, Copy)]
pub enum Head {
    /// Random weights: labels depend on the input, as a real model's do.
    Random,
    /// Every sub-token gets this label (an index into CONLL_LABELS), whatever the input.
    Always(usize),
}

#[derive(Clone, Copy)]
pub enum Family {
    Bert,
    DistilBert,
}

pub struct TinyModel {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn tiny_model(head: Head) -> TinyModel {
    tiny_model_of(Family::Bert, head)
}

pub fn tiny_model_of(family: Family, head: Head) -> TinyModel {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_path_buf();
    write_tiny_model(&path, family, head);
    TinyModel { _dir: dir, path }
}

fn vocabulary() -> Vec<String> {
    let mut vocab: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map(String::from).to_vec();
    let words = "the a of and to in on that is was said says reported isw putin ukraine russia west \
                 war kyiv moscow minister president report news he she it they with for from by as at";
    vocab.extend(words.split_whitespace().map(String::from));
    vocab.extend(('a'..='z').map(String::from));
    vocab.extend(('a'..='z').map(|c| format!("##{c}")));
    vocab.extend(('0'..='9').map(String::from));
    vocab.extend(".,;:!?'\"()-“”‘’—–«»".chars().map(String::from));
    vocab.extend(["##ing", "##ed", "##s", "##ly", "##er"].map(String::from));
    vocab
}

fn id2label() -> serde_json::Value {
    CONLL_LABELS
        .iter()
        .enumerate()
        .map(|(i, label)| (i.to_string(), json!(label)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn label_map() -> HashMap<i64, String> {
    CONLL_LABELS.iter().enumerate().map(|(i, label)| (i as i64, label.to_string())).collect()
}

pub fn write_tiny_model(dir: &Path, family: Family, head: Head) {
    tch::manual_seed(7);
    let vocab = vocabulary();
    std::fs::write(dir.join("vocab.txt"), vocab.join("\n") + "\n").unwrap();
    std::fs::write(dir.join("tokenizer_config.json"), json!({"do_lower_case": true}).to_string()).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let config = match family {
        Family::Bert => {
            let config = BertConfig {
                hidden_size: 32,
                intermediate_size: 64,
                num_attention_heads: 2,
                num_hidden_layers: 2,
                max_position_embeddings: MAX_POSITIONS,
                vocab_size: vocab.len() as i64,
                id2label: Some(label_map()),
                ..Default::default()
            };
            BertForTokenClassification::new(vs.root(), &config).unwrap();
            json!({
                "architectures": ["BertForTokenClassification"], "model_type": "bert",
                "hidden_size": 32, "intermediate_size": 64, "num_attention_heads": 2, "num_hidden_layers": 2,
                "max_position_embeddings": MAX_POSITIONS, "vocab_size": vocab.len(), "type_vocab_size": 2,
                "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
                "initializer_range": 0.02, "layer_norm_eps": 1e-12, "id2label": id2label(),
                "label2id": CONLL_LABELS.iter().enumerate().map(|(i, l)| (l.to_string(), json!(i))).collect::<serde_json::Map<_, _>>(),
            })
        }
        Family::DistilBert => {
            let config = DistilBertConfig {
                dim: 32,
                hidden_dim: 64,
                n_heads: 2,
                n_layers: 2,
                max_position_embeddings: MAX_POSITIONS,
                vocab_size: vocab.len() as i64,
                id2label: Some(label_map()),
                ..Default::default()
            };
            DistilBertForTokenClassification::new(vs.root(), &config).unwrap();
            json!({
                "architectures": ["DistilBertForTokenClassification"], "model_type": "distilbert",
                "dim": 32, "hidden_dim": 64, "n_heads": 2, "n_layers": 2, "max_position_embeddings": MAX_POSITIONS,
                "vocab_size": vocab.len(), "activation": "gelu", "dropout": 0.1, "attention_dropout": 0.1,
                "sinusoidal_pos_embds": false, "id2label": id2label(),
            })
        }
    };
    if let Head::Always(label) = head {
        let mut variables = vs.variables();
        tch::no_grad(|| {
            let _ = variables.get_mut("classifier.weight").unwrap().zero_();
            let bias = variables.get_mut("classifier.bias").unwrap();
            let _ = bias.zero_();
            let _ = bias.get(label as i64).fill_(10.0);
        });
    }
    std::fs::write(dir.join("config.json"), serde_json::to_string_pretty(&config).unwrap()).unwrap();
    vs.save(dir.join("model.safetensors")).unwrap();
}

/// Rewrites a model directory's weights in fp16, as the shipped model stores them.
pub fn convert_weights_to_fp16(dir: &Path) {
    let path = dir.join("model.safetensors");
    let tensors = Tensor::read_safetensors(&path).unwrap();
    let halves: Vec<(String, Tensor)> = tensors.into_iter().map(|(name, t)| (name, t.to_kind(Kind::Half))).collect();
    Tensor::write_safetensors(&halves, &path).unwrap();
}

/// `text[start..end]` in code points, as Python slices.
pub fn slice_chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

/// Runs the claimtag binary with `args`, feeding `stdin`, ignoring any `CLAIMTAG_MODEL` of the caller.
pub fn claimtag(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_claimtag"))
        .args(args)
        .env_remove("CLAIMTAG_MODEL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
