//! The network: a pretrained encoder with a linear token-classification head, and optionally a
//! claim-role head beside it (a linear layer, with CRF transition scores when it is a CRF).
//!
//! Variable paths follow Hugging Face's (`bert.*`, `distilbert.*`, `roberta.*`, `classifier.*`),
//! so a `model.safetensors` written by `transformers` loads unchanged.

use rust_bert::bert::{BertEmbeddings, BertModel};
use rust_bert::distilbert::DistilBertModel;
use rust_bert::roberta::RobertaEmbeddings;
use tch::nn::{self, Module};
use tch::{Device, Kind, Tensor};

use super::decode::Transitions;
use super::model_dir::Architecture;

enum Encoder {
    Bert(BertModel<BertEmbeddings>),
    DistilBert(DistilBertModel),
    Roberta(BertModel<RobertaEmbeddings>),
}

/// Label scores `[batch, sequence, labels]` of each head from one pass of the encoder.
pub struct Logits {
    pub entities: Tensor,
    /// Claim roles (source, cue, content), when the model has a role head.
    pub roles: Option<Tensor>,
}

/// A claim-role head: how many labels it has, and whether it is a linear-chain CRF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleHead {
    pub labels: usize,
    pub crf: bool,
}

pub struct TokenClassifier {
    encoder: Encoder,
    /// Casing classes embedded and added to the word embeddings (`claimtag_casing_classes`),
    /// with the word embedding matrix they are added to. BERT only.
    casing: Option<(nn::Embedding, Tensor)>,
    dropout_prob: f64,
    classifier: nn::Linear,
    /// The claim-role head beside the entity head (`role_classifier.*`).
    role_classifier: Option<nn::Linear>,
    /// Label transition and start scores of the role head's linear-chain CRF
    /// (`role_classifier.transitions`, `role_classifier.start_transitions`).
    role_transitions: Option<(Tensor, Tensor)>,
}

impl TokenClassifier {
    /// Declares the variables under `root`. `role_head` adds a claim-role head, `casing_classes`
    /// a casing embedding (BERT only).
    pub fn new(
        root: &nn::Path,
        architecture: &Architecture,
        num_labels: usize,
        role_head: Option<RoleHead>,
        casing_classes: Option<i64>,
    ) -> Self {
        let (encoder, hidden_size, dropout_prob) = match architecture {
            Architecture::Bert(config) => (
                Encoder::Bert(BertModel::new_with_optional_pooler(root / "bert", config, false)),
                config.hidden_size,
                config.hidden_dropout_prob,
            ),
            Architecture::DistilBert(config) => {
                (Encoder::DistilBert(DistilBertModel::new(root, config)), config.dim, config.dropout)
            }
            Architecture::Roberta(config) => (
                Encoder::Roberta(BertModel::new_with_optional_pooler(root / "roberta", config, false)),
                config.hidden_size,
                config.hidden_dropout_prob,
            ),
        };
        let classifier = nn::linear(root / "classifier", hidden_size, num_labels as i64, Default::default());
        let role_classifier = role_head
            .map(|head| nn::linear(root / "role_classifier", hidden_size, head.labels as i64, Default::default()));
        // Zero transitions make the CRF's loss the per-word cross-entropy it starts from.
        let role_transitions = role_head.filter(|head| head.crf).map(|head| {
            let (path, labels) = (root / "role_classifier", head.labels as i64);
            (path.zeros("transitions", &[labels, labels]), path.zeros("start_transitions", &[labels]))
        });
        let casing = match (casing_classes, &encoder) {
            (Some(classes), Encoder::Bert(_)) => {
                // Starts at zero so that a fresh casing embedding leaves the pretrained encoder unchanged.
                let config = nn::EmbeddingConfig { ws_init: nn::Init::Const(0.0), ..Default::default() };
                let embedding = nn::embedding(root / "casing_embeddings", classes, hidden_size, config);
                (root / "bert" / "embeddings" / "word_embeddings").get("weight").map(|words| (embedding, words))
            }
            _ => None,
        };
        TokenClassifier { encoder, casing, dropout_prob, classifier, role_classifier, role_transitions }
    }

    /// The role head's CRF transition and start scores, when it is a CRF (for training).
    pub fn role_transition_scores(&self) -> Option<(&Tensor, &Tensor)> {
        self.role_transitions.as_ref().map(|(transitions, start)| (transitions, start))
    }

    /// The role head's CRF transition and start scores copied out for decoding.
    pub fn role_transitions(&self) -> Result<Option<Transitions>, tch::TchError> {
        let values =
            |scores: &Tensor| Vec::<f32>::try_from(scores.to_kind(Kind::Float).to_device(Device::Cpu).view(-1));
        self.role_transition_scores()
            .map(|(transitions, start)| Ok(Transitions { transitions: values(transitions)?, start: values(start)? }))
            .transpose()
    }

    pub fn uses_casing(&self) -> bool {
        self.casing.is_some()
    }

    /// Logits of each head for `input_ids` `[batch, sequence]` whose padding is 0 in
    /// `attention_mask`; `casing_ids` (same shape) are read when the model uses casing.
    pub fn forward_t(
        &self,
        input_ids: &Tensor,
        attention_mask: &Tensor,
        casing_ids: Option<&Tensor>,
        train: bool,
    ) -> Result<Logits, tch::TchError> {
        let hidden = match &self.encoder {
            Encoder::Bert(bert) => {
                let embeds = match (&self.casing, casing_ids) {
                    (Some((casing, words)), Some(casing_ids)) => {
                        Some(Tensor::embedding(words, input_ids, 0, false, false) + casing.forward(casing_ids))
                    }
                    _ => None,
                };
                let ids = if embeds.is_some() { None } else { Some(input_ids) };
                bert.forward_t(ids, Some(attention_mask), None, None, embeds.as_ref(), None, None, train)
                    .map(|output| output.hidden_state)
            }
            Encoder::Roberta(roberta) => roberta
                .forward_t(Some(input_ids), Some(attention_mask), None, None, None, None, None, train)
                .map(|output| output.hidden_state),
            Encoder::DistilBert(distilbert) => distilbert
                .forward_t(Some(input_ids), Some(attention_mask), None, train)
                .map(|output| output.hidden_state),
        }
        .map_err(|err| tch::TchError::Kind(err.to_string()))?;
        let hidden = hidden.dropout(self.dropout_prob, train);
        Ok(Logits {
            entities: self.classifier.forward(&hidden),
            roles: self.role_classifier.as_ref().map(|head| head.forward(&hidden)),
        })
    }
}
