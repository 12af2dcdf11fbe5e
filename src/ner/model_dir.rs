//! Reading a model directory in Hugging Face layout: `config.json`, the tokenizer's vocabulary
//! files, `tokenizer_config.json` and the weights.

use std::fs;
use std::path::{Path, PathBuf};

use rust_bert::bert::BertConfig;
use rust_bert::distilbert::DistilBertConfig;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use super::error::NerError;
use super::tokenize::SubwordTokenizer;

/// The encoder family named by `model_type` in `config.json`, with its parsed configuration.
#[derive(Debug, Clone)]
pub enum Architecture {
    Bert(BertConfig),
    DistilBert(DistilBertConfig),
    Roberta(BertConfig),
}

impl Architecture {
    pub fn name(&self) -> &'static str {
        match self {
            Architecture::Bert(_) => "bert",
            Architecture::DistilBert(_) => "distilbert",
            Architecture::Roberta(_) => "roberta",
        }
    }

    /// The longest sequence, special tokens included, the position embeddings allow.
    pub fn max_sequence_len(&self) -> usize {
        match self {
            Architecture::Bert(config) => config.max_position_embeddings as usize,
            Architecture::DistilBert(config) => config.max_position_embeddings as usize,
            // RoBERTa numbers positions from padding_idx + 1 = 2.
            Architecture::Roberta(config) => (config.max_position_embeddings as usize).saturating_sub(2),
        }
    }
}

/// Everything read from a model directory, ready to build the network and the tokenizer.
pub struct ModelFiles {
    pub dir: PathBuf,
    pub architecture: Architecture,
    /// Label names by class index, from `id2label`.
    pub labels: Vec<String>,
    pub tokenizer: SubwordTokenizer,
    pub weights: PathBuf,
    /// `claimtag_casing_classes` in `config.json`: the model adds a casing embedding.
    pub casing_classes: Option<i64>,
    /// `claimtag_context_tokens` in `config.json`: document context the model was trained with.
    pub context_tokens: Option<usize>,
    /// `claimtag_pack_tokens` in `config.json`: sub-tokens of consecutive sentences the model
    /// was trained to see as one sequence.
    pub pack_tokens: Option<usize>,
    /// `claimtag_decoding` in `config.json` (`greedy` or `constrained`): how the model's labels
    /// are best decoded.
    pub decoding: Option<super::Decoding>,
}

impl ModelFiles {
    pub fn read(dir: &Path) -> Result<Self, NerError> {
        if !dir.is_dir() {
            return Err(NerError::model_file(dir, "not a directory"));
        }
        let config_path = dir.join("config.json");
        let config: Value = read_json(&config_path)?;
        let architecture = parse_architecture(&config_path, &config)?;
        let labels = parse_labels(&config_path, &config)?;
        let tokenizer = SubwordTokenizer::read(dir, &architecture)?;
        let weights = find_weights(dir)?;
        let casing_classes = config.get("claimtag_casing_classes").and_then(Value::as_i64);
        let context_tokens = config.get("claimtag_context_tokens").and_then(Value::as_u64).map(|n| n as usize);
        let pack_tokens = config.get("claimtag_pack_tokens").and_then(Value::as_u64).map(|n| n as usize);
        let decoding = config.get("claimtag_decoding").and_then(Value::as_str).and_then(super::Decoding::parse);
        Ok(ModelFiles {
            dir: dir.to_path_buf(),
            architecture,
            labels,
            tokenizer,
            weights,
            casing_classes,
            context_tokens,
            pack_tokens,
            decoding,
        })
    }
}

/// The weights file of a model directory: `model.safetensors`, else `pytorch_model.bin`.
pub(crate) fn find_weights(dir: &Path) -> Result<PathBuf, NerError> {
    ["model.safetensors", "pytorch_model.bin"].iter().map(|name| dir.join(name)).find(|path| path.is_file()).ok_or_else(
        || NerError::model_file(dir.join("model.safetensors"), "missing (nor is there a pytorch_model.bin)"),
    )
}

pub(crate) fn read_json(path: &Path) -> Result<Value, NerError> {
    let text = fs::read_to_string(path).map_err(|err| {
        let message = if err.kind() == std::io::ErrorKind::NotFound { "missing".to_string() } else { err.to_string() };
        NerError::model_file(path, message)
    })?;
    serde_json::from_str(&text).map_err(|err| NerError::model_file(path, format!("invalid JSON: {err}")))
}

pub(crate) fn parse_architecture(path: &Path, config: &Value) -> Result<Architecture, NerError> {
    let model_type = config
        .get("model_type")
        .and_then(Value::as_str)
        .map(str::to_lowercase)
        .or_else(|| {
            let architecture = config.get("architectures")?.get(0)?.as_str()?.to_lowercase();
            ["distilbert", "roberta", "bert"]
                .into_iter()
                .find(|name| architecture.starts_with(name))
                .map(str::to_string)
        })
        .ok_or_else(|| NerError::model_file(path, "has neither \"model_type\" nor \"architectures\""))?;
    match model_type.as_str() {
        "bert" => Ok(Architecture::Bert(overlay_on_default(path, config)?)),
        "distilbert" => Ok(Architecture::DistilBert(overlay_on_default(path, config)?)),
        "roberta" => Ok(Architecture::Roberta(overlay_on_default(path, config)?)),
        other => Err(NerError::model_file(
            path,
            format!("model_type {other:?} is not supported (bert, distilbert and roberta are)"),
        )),
    }
}

/// Parses `config` as `T`, taking fields it leaves out from `T::default()`: Hugging Face
/// configs omit what their library defaults, rust-bert's structs require every field.
fn overlay_on_default<T: Default + Serialize + DeserializeOwned>(path: &Path, config: &Value) -> Result<T, NerError> {
    let mut merged = serde_json::to_value(T::default()).map_err(|err| NerError::model_file(path, err))?;
    if let (Value::Object(base), Value::Object(given)) = (&mut merged, config) {
        for (key, value) in given {
            if !value.is_null() && base.contains_key(key) {
                base.insert(key.clone(), normalise_field(key, value));
            }
        }
    }
    serde_json::from_value(merged)
        .map_err(|err| NerError::model_file(path, format!("unsupported configuration: {err}")))
}

/// Maps Hugging Face spellings onto rust-bert's where they differ.
fn normalise_field(key: &str, value: &Value) -> Value {
    match (key, value.as_str()) {
        ("hidden_act" | "activation", Some("gelu_pytorch_tanh" | "gelu_fast" | "gelu_python")) => {
            Value::from("gelu_new")
        }
        _ => value.clone(),
    }
}

fn parse_labels(path: &Path, config: &Value) -> Result<Vec<String>, NerError> {
    let id2label: &Map<String, Value> = config
        .get("id2label")
        .and_then(Value::as_object)
        .ok_or_else(|| NerError::model_file(path, "has no \"id2label\": not a token-classification model"))?;
    let mut labels = vec![None; id2label.len()];
    for (id, label) in id2label {
        let index: usize = id.parse().ok().filter(|&index| index < labels.len()).ok_or_else(|| {
            NerError::model_file(path, format!("id2label key {id:?} is not an index below {}", labels.len()))
        })?;
        let label =
            label.as_str().ok_or_else(|| NerError::model_file(path, format!("id2label[{id}] is not a string")))?;
        labels[index] = Some(label.to_string());
    }
    labels.into_iter().collect::<Option<Vec<_>>>().ok_or_else(|| NerError::model_file(path, "id2label skips an index"))
}
