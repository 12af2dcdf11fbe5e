//! Reading a model directory in Hugging Face layout: `config.json`, the tokenizer's vocabulary
//! files, `tokenizer_config.json` and the weights.

use std::fs;
use std::path::{Path, PathBuf};

use rust_bert::bert::BertConfig;
use rust_bert::distilbert::DistilBertConfig;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use tch::{nn, Device, Kind, Tensor};

use super::decode::Decoding;
use super::error::{torch_message, NerError};
use super::tokenize::{vocabulary_files, Normalisation, SubwordTokenizer, TOKENIZER_CONFIG};

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
    /// How the model was trained, from the `claimtag_*` keys of `config.json`.
    pub keys: ClaimtagKeys,
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
        let keys = ClaimtagKeys::read(&config_path, &config)?;
        Ok(ModelFiles { dir: dir.to_path_buf(), architecture, labels, tokenizer, weights, keys })
    }
}

/// The keys claimtag adds to a Hugging Face `config.json`: how the model was trained, so that
/// `tag` feeds and decodes it the same way. Reading ([`ModelFiles::read`]) and writing
/// ([`ModelDir::write`]) both go through this struct, so each key is spelt in one place; Hugging
/// Face tools ignore the keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimtagKeys {
    /// The model adds a casing embedding of this many classes to its word embeddings (see
    /// `ner::casing`).
    #[serde(
        rename = "claimtag_casing_classes",
        default,
        deserialize_with = "casing_classes",
        skip_serializing_if = "Option::is_none"
    )]
    pub casing_classes: Option<i64>,
    /// Sub-tokens of document context on each side of a sequence the model was trained with.
    #[serde(
        rename = "claimtag_context_tokens",
        default,
        deserialize_with = "context_tokens",
        skip_serializing_if = "Option::is_none"
    )]
    pub context_tokens: Option<usize>,
    /// Sub-tokens of consecutive sentences the model was trained to see as one sequence.
    #[serde(
        rename = "claimtag_pack_tokens",
        default,
        deserialize_with = "pack_tokens",
        skip_serializing_if = "Option::is_none"
    )]
    pub pack_tokens: Option<usize>,
    /// How the model's labels are best decoded.
    #[serde(
        rename = "claimtag_decoding",
        default,
        deserialize_with = "decoding",
        serialize_with = "decoding_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub decoding: Option<Decoding>,
    /// The labels of a claim-role head (`role_classifier.*`) beside the entity head; empty when
    /// the model has none.
    #[serde(
        rename = "claimtag_role_labels",
        default,
        deserialize_with = "role_labels",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub role_labels: Vec<String>,
    /// The role head is a linear-chain CRF: its label transition scores
    /// (`role_classifier.transitions`, `role_classifier.start_transitions`) decode its labels.
    #[serde(
        rename = "claimtag_role_crf",
        default,
        deserialize_with = "role_crf",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub role_crf: bool,
}

/// What every `claimtag_*` key starts with: the keys of a base that describe how the base was
/// trained, and are not carried over to a model trained from it.
const CLAIMTAG_PREFIX: &str = "claimtag_";

impl ClaimtagKeys {
    /// The keys of `config`, read from the file `path`; a bad value is an error naming the
    /// file, the key and what it may hold.
    pub fn read(path: &Path, config: &Value) -> Result<Self, NerError> {
        ClaimtagKeys::deserialize(config).map_err(|err| NerError::model_file(path, err))
    }

    /// Replaces every `claimtag_*` key of `config` with these, keeping all other keys.
    pub fn replace_in(&self, config: &mut Map<String, Value>) {
        config.retain(|key, _| !key.starts_with(CLAIMTAG_PREFIX));
        if let Ok(Value::Object(keys)) = serde_json::to_value(self) {
            config.extend(keys);
        }
    }
}

/// A model directory to write, in the layout [`ModelFiles::read`] reads back: the base's
/// `config.json` (its Hugging Face keys kept) with the new labels and [`ClaimtagKeys`], the
/// base's vocabulary files and normalisation, and the weights. Everything but the weights is
/// settled when it is made, so that a base whose model cannot be written fails before training
/// rather than after it.
#[derive(Debug, Clone)]
pub struct ModelDir {
    config: Value,
    /// The base's vocabulary files, copied as they are.
    vocabulary: Vec<PathBuf>,
    normalisation: Normalisation,
}

impl ModelDir {
    /// A model of `architecture` trained from the model directory `base` (whose `config.json`
    /// is `base_config`), labelling `labels` and trained as `keys` say.
    pub fn new(
        base: &Path,
        base_config: &Value,
        architecture: &Architecture,
        labels: &[String],
        keys: &ClaimtagKeys,
    ) -> Result<Self, NerError> {
        let config_path = base.join("config.json");
        if keys.casing_classes.is_some() && !matches!(architecture, Architecture::Bert(_)) {
            // The network adds a casing embedding to BERT's word embeddings only.
            return Err(NerError::model_file(&config_path, "casing embeddings need a BERT base"));
        }
        let Value::Object(base_config) = base_config else {
            return Err(NerError::model_file(&config_path, "is not a JSON object"));
        };
        let mut config = base_config.clone();
        // Bookkeeping of the tool that wrote the base ("_name_or_path": where it came from) does
        // not describe this model.
        config.retain(|key, _| !key.starts_with('_'));
        config.insert("model_type".into(), Value::from(architecture.name()));
        config.insert("architectures".into(), Value::from(vec![architecture.token_classification_class()]));
        config.insert(
            "id2label".into(),
            labels.iter().enumerate().map(|(i, label)| (i.to_string(), Value::from(label.as_str()))).collect(),
        );
        config.insert(
            "label2id".into(),
            labels.iter().enumerate().map(|(i, label)| (label.clone(), Value::from(i))).collect(),
        );
        keys.replace_in(&mut config);
        let vocabulary = vocabulary_files(architecture)
            .iter()
            .map(|name| base.join(name))
            .map(|path| if path.is_file() { Ok(path) } else { Err(NerError::model_file(path, "missing")) })
            .collect::<Result<_, _>>()?;
        let normalisation = Normalisation::read(base, architecture)?;
        Ok(ModelDir { config: Value::Object(config), vocabulary, normalisation })
    }

    /// The `config.json` that will be written.
    pub fn config(&self) -> &Value {
        &self.config
    }

    /// Writes the directory `out` (which must exist) with `variables` stored as `kind`.
    pub fn write(&self, out: &Path, variables: &nn::VarStore, kind: Kind) -> Result<(), NerError> {
        let config = serde_json::to_string_pretty(&self.config).unwrap_or_default();
        write_file(&out.join("config.json"), config.as_bytes())?;
        for from in &self.vocabulary {
            let to = out.join(from.file_name().unwrap_or_default());
            fs::copy(from, &to).map_err(|err| NerError::model_file(from, err))?;
        }
        write_file(&out.join(TOKENIZER_CONFIG), self.normalisation.to_json().to_string().as_bytes())?;
        let mut named: Vec<(String, Tensor)> = variables
            .variables()
            .into_iter()
            .map(|(name, tensor)| (name, tensor.to_device(Device::Cpu).to_kind(kind)))
            .collect();
        named.sort_by(|a, b| a.0.cmp(&b.0));
        let weights = out.join("model.safetensors");
        Tensor::write_safetensors(&named, &weights).map_err(|err| NerError::model_file(&weights, torch_message(&err)))
    }
}

fn write_file(path: &Path, contents: &[u8]) -> Result<(), NerError> {
    fs::write(path, contents).map_err(|err| NerError::model_file(path, err))
}

// The readers of the keys: each error names the key and what it may hold (the caller adds the file).

fn casing_classes<'de, D: Deserializer<'de>>(input: D) -> Result<Option<i64>, D::Error> {
    Ok(whole_number(input, "claimtag_casing_classes")?.map(|n| n as i64))
}

fn context_tokens<'de, D: Deserializer<'de>>(input: D) -> Result<Option<usize>, D::Error> {
    whole_number(input, "claimtag_context_tokens")
}

fn pack_tokens<'de, D: Deserializer<'de>>(input: D) -> Result<Option<usize>, D::Error> {
    whole_number(input, "claimtag_pack_tokens")
}

/// A count: absent (or null), or a whole number.
fn whole_number<'de, D: Deserializer<'de>>(input: D, key: &str) -> Result<Option<usize>, D::Error> {
    match Option::<Value>::deserialize(input)? {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("{key} is {value}; expected a whole number"))),
    }
}

fn decoding<'de, D: Deserializer<'de>>(input: D) -> Result<Option<Decoding>, D::Error> {
    match Option::<Value>::deserialize(input)? {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value.as_str().and_then(Decoding::parse).map(Some).ok_or_else(|| {
            let allowed: Vec<String> = Decoding::ALL.iter().map(|d| format!("{:?}", d.name())).collect();
            D::Error::custom(format!("claimtag_decoding is {value}; expected {}", allowed.join(" or ")))
        }),
    }
}

fn decoding_name<S: Serializer>(decoding: &Option<Decoding>, output: S) -> Result<S::Ok, S::Error> {
    decoding.map(Decoding::name).serialize(output)
}

fn role_labels<'de, D: Deserializer<'de>>(input: D) -> Result<Vec<String>, D::Error> {
    match Option::<Value>::deserialize(input)? {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(value) => value
            .as_array()
            .and_then(|labels| labels.iter().map(|l| l.as_str().map(String::from)).collect::<Option<Vec<_>>>())
            .filter(|labels| !labels.is_empty())
            .ok_or_else(|| D::Error::custom("claimtag_role_labels must be a non-empty list of label names")),
    }
}

fn role_crf<'de, D: Deserializer<'de>>(input: D) -> Result<bool, D::Error> {
    match Option::<Value>::deserialize(input)? {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(crf)) => Ok(crf),
        Some(value) => Err(D::Error::custom(format!("claimtag_role_crf is {value}; expected true or false"))),
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn keys_of(config: Value) -> Result<ClaimtagKeys, String> {
        ClaimtagKeys::deserialize(&config).map_err(|err| err.to_string())
    }

    fn bert() -> Architecture {
        Architecture::Bert(BertConfig::default())
    }

    #[test]
    fn every_claimtag_key_reads_back_as_written() {
        let keys = ClaimtagKeys {
            casing_classes: Some(6),
            context_tokens: Some(32),
            pack_tokens: Some(128),
            decoding: Some(Decoding::Constrained),
            role_labels: vec!["O".into(), "B-CUE".into(), "I-CUE".into()],
            role_crf: true,
        };
        let mut config = Map::new();
        keys.replace_in(&mut config);
        assert_eq!(config["claimtag_decoding"], json!("constrained"));
        assert_eq!(keys_of(Value::Object(config)).unwrap(), keys);
    }

    #[test]
    fn absent_and_null_keys_are_unset_and_unset_keys_are_not_written() {
        let keys = keys_of(json!({"model_type": "bert", "claimtag_pack_tokens": null})).unwrap();
        assert_eq!(keys, ClaimtagKeys::default());
        let mut config = Map::new();
        keys.replace_in(&mut config);
        assert!(config.is_empty(), "{config:?}");
    }

    #[test]
    fn a_bad_decoding_is_refused_naming_the_key_and_the_allowed_values() {
        let err = keys_of(json!({"claimtag_decoding": "bogus"})).unwrap_err();
        assert_eq!(err, "claimtag_decoding is \"bogus\"; expected \"greedy\" or \"constrained\"");
    }

    #[test]
    fn bad_counts_and_role_keys_are_refused_naming_the_key() {
        let err = keys_of(json!({"claimtag_context_tokens": -1})).unwrap_err();
        assert_eq!(err, "claimtag_context_tokens is -1; expected a whole number");
        let err = keys_of(json!({"claimtag_casing_classes": "6"})).unwrap_err();
        assert_eq!(err, "claimtag_casing_classes is \"6\"; expected a whole number");
        let err = keys_of(json!({"claimtag_role_labels": []})).unwrap_err();
        assert_eq!(err, "claimtag_role_labels must be a non-empty list of label names");
        let err = keys_of(json!({"claimtag_role_crf": "yes"})).unwrap_err();
        assert_eq!(err, "claimtag_role_crf is \"yes\"; expected true or false");
    }

    #[test]
    fn a_bad_key_in_a_model_directory_names_config_json() {
        let dir = tempfile::tempdir().unwrap();
        let config = json!({"model_type": "bert", "id2label": {"0": "O"}, "claimtag_decoding": "bogus"});
        fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
        fs::write(dir.path().join("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nsaid\n").unwrap();
        fs::write(dir.path().join("model.safetensors"), b"").unwrap();
        let err = ModelFiles::read(dir.path()).err().expect("the key is refused").to_string();
        assert_eq!(
            err,
            format!(
                "{}: claimtag_decoding is \"bogus\"; expected \"greedy\" or \"constrained\"",
                dir.path().join("config.json").display()
            )
        );
    }

    #[test]
    fn a_written_config_keeps_the_bases_keys_but_not_its_bookkeeping_nor_its_claimtag_keys() {
        let base = tempfile::tempdir().unwrap();
        fs::write(base.path().join("vocab.txt"), "[PAD]\n").unwrap();
        fs::write(base.path().join("tokenizer_config.json"), r#"{"do_lower_case": false}"#).unwrap();
        let base_config = json!({
            "model_type": "bert", "hidden_size": 384, "_name_or_path": "somewhere", "id2label": {"0": "X"},
            "claimtag_casing_classes": 6, "claimtag_pack_tokens": 128, "claimtag_role_labels": ["O"],
        });
        let labels = ["O".to_string(), "B-PER".to_string(), "I-PER".to_string()];
        let keys = ClaimtagKeys { context_tokens: Some(0), ..ClaimtagKeys::default() };
        let dir = ModelDir::new(base.path(), &base_config, &bert(), &labels, &keys).unwrap();
        assert_eq!(
            dir.config(),
            &json!({
                "model_type": "bert", "hidden_size": 384, "architectures": ["BertForTokenClassification"],
                "id2label": {"0": "O", "1": "B-PER", "2": "I-PER"}, "label2id": {"O": 0, "B-PER": 1, "I-PER": 2},
                "claimtag_context_tokens": 0,
            })
        );
    }

    #[test]
    fn every_architecture_names_its_vocabulary_files_and_a_missing_one_fails_before_training() {
        let base = tempfile::tempdir().unwrap();
        let roberta = Architecture::Roberta(BertConfig::default());
        let err = ModelDir::new(base.path(), &json!({}), &roberta, &[], &ClaimtagKeys::default()).unwrap_err();
        assert_eq!(err.to_string(), format!("{}: missing", base.path().join("vocab.json").display()));
        fs::write(base.path().join("vocab.json"), "{}").unwrap();
        fs::write(base.path().join("merges.txt"), "").unwrap();
        let dir = ModelDir::new(base.path(), &json!({}), &roberta, &[], &ClaimtagKeys::default()).unwrap();
        assert_eq!(dir.config()["architectures"], json!(["RobertaForTokenClassification"]));
        let distilbert = Architecture::DistilBert(DistilBertConfig::default());
        let err = ModelDir::new(base.path(), &json!({}), &distilbert, &[], &ClaimtagKeys::default()).unwrap_err();
        assert_eq!(err.to_string(), format!("{}: missing", base.path().join("vocab.txt").display()));
    }

    #[test]
    fn casing_embeddings_on_a_base_other_than_bert_fail_before_training() {
        let base = tempfile::tempdir().unwrap();
        let keys = ClaimtagKeys { casing_classes: Some(6), ..ClaimtagKeys::default() };
        let roberta = Architecture::Roberta(BertConfig::default());
        let err = ModelDir::new(base.path(), &json!({}), &roberta, &[], &keys).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}: casing embeddings need a BERT base", base.path().join("config.json").display())
        );
    }

    #[test]
    fn written_normalisation_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("vocab.txt"), "[PAD]\nsaid\n").unwrap();
        for (lower_case, strip_accents) in [(true, true), (true, false), (false, false), (false, true)] {
            let normalisation = Normalisation { lower_case, strip_accents };
            fs::write(dir.path().join(TOKENIZER_CONFIG), normalisation.to_json().to_string()).unwrap();
            assert_eq!(Normalisation::read(dir.path(), &bert()).unwrap(), normalisation);
        }
        let plain = Normalisation { lower_case: true, strip_accents: true };
        assert_eq!(plain.to_json().to_string(), r#"{"do_lower_case":true}"#, "defaults are left to the reader");
    }
}
