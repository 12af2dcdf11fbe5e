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

    /// The Hugging Face class name of this encoder with a token-classification head.
    pub fn token_classification_class(&self) -> &'static str {
        match self {
            Architecture::Bert(_) => "BertForTokenClassification",
            Architecture::DistilBert(_) => "DistilBertForTokenClassification",
            Architecture::Roberta(_) => "RobertaForTokenClassification",
        }
    }

    /// Rows of the word embedding: every token id must be below it.
    pub fn vocab_size(&self) -> i64 {
        match self {
            Architecture::Bert(config) | Architecture::Roberta(config) => config.vocab_size,
            Architecture::DistilBert(config) => config.vocab_size,
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
    /// `claimtag_role_labels` in `config.json`: the labels of a claim-role head
    /// (`role_classifier.*`) beside the entity head; empty when the model has none.
    pub role_labels: Vec<String>,
}

impl ModelFiles {
    pub fn read(dir: &Path) -> Result<Self, NerError> {
        if !dir.is_dir() {
            return Err(NerError::model_file(dir, "not a directory"));
        }
        let config_path = dir.join("config.json");
        let config: Value = read_json(&config_path)?;
        let labels = parse_labels(&config_path, &config)?;
        let architecture = parse_architecture(&config_path, &config)?;
        check_dimensions(&config_path, &architecture)?;
        let tokenizer = SubwordTokenizer::read(dir, &architecture)?;
        if tokenizer.max_id() >= architecture.vocab_size() {
            return Err(NerError::model_file(
                &config_path,
                format!(
                    "vocab_size is {} but the vocabulary has token ids up to {} (ids count lines, repeated \
                     tokens included); the embedding needs a row for each",
                    architecture.vocab_size(),
                    tokenizer.max_id()
                ),
            ));
        }
        let weights = find_weights(dir)?;
        let count = |key: &str| claimtag_count(&config_path, &config, key);
        let casing_classes = count("claimtag_casing_classes")?.map(|n| n as i64);
        let context_tokens = count("claimtag_context_tokens")?;
        let pack_tokens = count("claimtag_pack_tokens")?;
        let decoding = match config.get("claimtag_decoding") {
            None | Some(Value::Null) => None,
            Some(value) => Some(value.as_str().and_then(super::Decoding::parse).ok_or_else(|| {
                NerError::model_file(
                    &config_path,
                    format!("claimtag_decoding is {value}; expected \"greedy\" or \"constrained\""),
                )
            })?),
        };
        let role_labels = match config.get("claimtag_role_labels") {
            None | Some(Value::Null) => Vec::new(),
            Some(value) => value
                .as_array()
                .and_then(|labels| labels.iter().map(|l| l.as_str().map(String::from)).collect::<Option<Vec<_>>>())
                .filter(|labels| !labels.is_empty())
                .ok_or_else(|| {
                    NerError::model_file(&config_path, "claimtag_role_labels must be a non-empty list of label names")
                })?,
        };
        Ok(ModelFiles {
            dir: dir.to_path_buf(),
            role_labels,
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

/// A `claimtag_*` count in `config.json`: absent, or a whole number.
fn claimtag_count(path: &Path, config: &Value, key: &str) -> Result<Option<usize>, NerError> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| NerError::model_file(path, format!("{key} is {value}; expected a whole number"))),
    }
}

/// An encoder's sizes under their `config.json` names, for checking.
struct Sizes {
    hidden: (&'static str, i64),
    heads: (&'static str, i64),
    /// Counts of which the network needs at least one.
    counts: Vec<(&'static str, i64)>,
    positions: i64,
    dropouts: Vec<(&'static str, f64)>,
}

impl Sizes {
    fn of(architecture: &Architecture) -> Self {
        match architecture {
            Architecture::Bert(config) | Architecture::Roberta(config) => Sizes {
                hidden: ("hidden_size", config.hidden_size),
                heads: ("num_attention_heads", config.num_attention_heads),
                counts: vec![
                    ("num_hidden_layers", config.num_hidden_layers),
                    ("intermediate_size", config.intermediate_size),
                    ("vocab_size", config.vocab_size),
                    ("type_vocab_size", config.type_vocab_size),
                ],
                positions: config.max_position_embeddings,
                dropouts: vec![
                    ("hidden_dropout_prob", config.hidden_dropout_prob),
                    ("attention_probs_dropout_prob", config.attention_probs_dropout_prob),
                ],
            },
            Architecture::DistilBert(config) => Sizes {
                hidden: ("dim", config.dim),
                heads: ("n_heads", config.n_heads),
                counts: vec![
                    ("n_layers", config.n_layers),
                    ("hidden_dim", config.hidden_dim),
                    ("vocab_size", config.vocab_size),
                ],
                positions: config.max_position_embeddings,
                dropouts: vec![("dropout", config.dropout), ("attention_dropout", config.attention_dropout)],
            },
        }
    }
}

/// Checks the sizes rust-bert and libtorch take on trust (a head count that does not divide the
/// hidden size, no layers, a single position), naming the field at fault, before they panic.
fn check_dimensions(path: &Path, architecture: &Architecture) -> Result<(), NerError> {
    let sizes = Sizes::of(architecture);
    let too_small = |field: &str, value: i64, minimum: i64| {
        NerError::model_file(path, format!("{field} is {value}; it must be at least {minimum}"))
    };
    for (field, value) in [sizes.hidden, sizes.heads].into_iter().chain(sizes.counts) {
        if value < 1 {
            return Err(too_small(field, value, 1));
        }
    }
    // [CLS], one sub-token and [SEP], and for RoBERTa the two positions it never uses.
    let unused_positions = if matches!(architecture, Architecture::Roberta(_)) { 2 } else { 0 };
    let min_positions = 3 + unused_positions;
    if sizes.positions < min_positions {
        return Err(too_small("max_position_embeddings", sizes.positions, min_positions));
    }
    let ((hidden, hidden_size), (heads, head_count)) = (sizes.hidden, sizes.heads);
    if hidden_size % head_count != 0 {
        return Err(NerError::model_file(
            path,
            format!("{hidden} {hidden_size} is not a multiple of {heads} {head_count}; each attention head takes an equal share"),
        ));
    }
    if let Some((field, p)) = sizes.dropouts.into_iter().find(|(_, p)| !(0.0..1.0).contains(p)) {
        return Err(NerError::model_file(path, format!("{field} is {p}; a dropout probability lies in [0, 1)")));
    }
    Ok(())
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
            // Labels are read by `parse_labels`; rust-bert's own reading of them only adds a
            // second, vaguer error for the same bad key.
            let ours = matches!(key.as_str(), "id2label" | "label2id");
            if !value.is_null() && !ours && base.contains_key(key) {
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
    if id2label.is_empty() {
        return Err(NerError::model_file(
            path,
            "id2label is empty; a token-classification model names its labels there",
        ));
    }
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
