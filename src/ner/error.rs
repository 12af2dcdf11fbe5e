use std::path::PathBuf;

/// Everything that can go wrong loading or running an NER model. Each message names the file
/// or input at fault.
#[derive(Debug, thiserror::Error)]
pub enum NerError {
    #[error("no NER model found (looked in {looked_in}); pass --model DIR with a Hugging Face token-classification model (config.json, vocab.txt, model.safetensors), set CLAIMTAG_MODEL, or train the default one with scripts/train-default-model")]
    NoModel { looked_in: String },

    #[error("{}: {message}", path.display())]
    ModelFile { path: PathBuf, message: String },

    #[error("{}: cannot load weights: {source}", path.display())]
    Weights { path: PathBuf, source: tch::TchError },

    #[error("unknown device {0:?}: expected auto, cpu, cuda or cuda:N")]
    UnknownDevice(String),

    #[error("unknown precision {0:?}: expected fp32, fp16 or bf16")]
    UnknownPrecision(String),

    #[error("device {0} is not available: no CUDA device found")]
    DeviceUnavailable(String),

    #[error("model inference failed: {0}")]
    Inference(#[from] tch::TchError),
}

impl NerError {
    pub(crate) fn model_file(path: impl Into<PathBuf>, message: impl ToString) -> Self {
        NerError::ModelFile { path: path.into(), message: message.to_string() }
    }
}
