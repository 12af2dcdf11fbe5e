use std::path::PathBuf;

/// Everything that can go wrong loading or running an NER model. Each message names the file
/// or input at fault.
#[derive(Debug, thiserror::Error)]
pub enum NerError {
    #[error("no NER model found (looked in {looked_in}); pass --model DIR with a Hugging Face token-classification model (config.json, vocab.txt, model.safetensors), set CLAIMTAG_MODEL, or train the default one with scripts/train-default-model")]
    NoModel { looked_in: String },

    #[error("{}: {message}", path.display())]
    ModelFile { path: PathBuf, message: String },

    #[error("{}: cannot load weights: {message}", path.display())]
    Weights { path: PathBuf, message: String },

    #[error("unknown device {0:?}: expected auto, cpu, cuda or cuda:N")]
    UnknownDevice(String),

    #[error("device {0} is not available: no CUDA device found")]
    DeviceUnavailable(String),

    #[error("model inference failed: {0}")]
    Inference(String),
}

impl From<tch::TchError> for NerError {
    fn from(error: tch::TchError) -> Self {
        NerError::Inference(torch_message(&error))
    }
}

impl NerError {
    pub(crate) fn model_file(path: impl Into<PathBuf>, message: impl ToString) -> Self {
        NerError::ModelFile { path: path.into(), message: message.to_string() }
    }

    /// Weights that do not load: most often a `config.json` whose sizes are not those of the
    /// weights (a tensor's shape is named in the message).
    pub(crate) fn weights(path: impl Into<PathBuf>, error: &tch::TchError) -> Self {
        NerError::Weights { path: path.into(), message: torch_message(error) }
    }
}

/// What libtorch says went wrong, without the C++ stack trace it appends (dozens of lines of
/// frame addresses that bury the one line a user needs).
pub fn torch_message(error: &tch::TchError) -> String {
    let text = match error {
        tch::TchError::Torch(text) => text.as_str(),
        _ => return error.to_string(),
    };
    let first = text.split("\nException raised from").next().unwrap_or(text);
    first.lines().next().unwrap_or(first).trim_start_matches("Internal torch error: ").to_string()
}
