//! The network: a pretrained encoder with a linear token-classification head.
//!
//! Variable paths follow Hugging Face's (`bert.*`, `distilbert.*`, `roberta.*`, `classifier.*`),
//! so a `model.safetensors` written by `transformers` loads unchanged.

use rust_bert::bert::{BertEmbeddings, BertModel};
use rust_bert::distilbert::DistilBertModel;
use rust_bert::roberta::RobertaEmbeddings;
use tch::nn::{self, Module};
use tch::Tensor;

use super::model_dir::Architecture;

enum Encoder {
    Bert(BertModel<BertEmbeddings>),
    DistilBert(DistilBertModel),
    Roberta(BertModel<RobertaEmbeddings>),
}

pub struct TokenClassifier {
    encoder: Encoder,
    dropout_prob: f64,
    classifier: nn::Linear,
}

impl TokenClassifier {
    pub fn new(root: &nn::Path, architecture: &Architecture, num_labels: usize) -> Self {
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
        TokenClassifier { encoder, dropout_prob, classifier }
    }

    /// Logits `[batch, sequence, labels]` for `input_ids` `[batch, sequence]` whose padding is
    /// 0 in `attention_mask`.
    pub fn forward_t(&self, input_ids: &Tensor, attention_mask: &Tensor, train: bool) -> Result<Tensor, tch::TchError> {
        let hidden = match &self.encoder {
            Encoder::Bert(bert) => bert
                .forward_t(Some(input_ids), Some(attention_mask), None, None, None, None, None, train)
                .map(|output| output.hidden_state),
            Encoder::Roberta(roberta) => roberta
                .forward_t(Some(input_ids), Some(attention_mask), None, None, None, None, None, train)
                .map(|output| output.hidden_state),
            Encoder::DistilBert(distilbert) => distilbert
                .forward_t(Some(input_ids), Some(attention_mask), None, train)
                .map(|output| output.hidden_state),
        }
        .map_err(|err| tch::TchError::Kind(err.to_string()))?;
        Ok(self.classifier.forward(&hidden.dropout(self.dropout_prob, train)))
    }
}
