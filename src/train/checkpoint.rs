//! Where a run's weights start: the state after the last finished epoch, in `OUT/checkpoint/`,
//! from which `--resume` continues exactly as an uninterrupted run would, or else the base's.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tch::{nn, Tensor};

use super::adamw::AdamW;
use super::{file_error, write_file, TrainError};
use crate::ner::model_dir::{find_weights, read_json};
use crate::ner::NerError;

pub struct CheckpointState {
    pub epoch: usize,
    /// The best dev selection score so far (negative infinity before any).
    pub best_score: f64,
    pub step: usize,
}

pub struct Checkpoint {
    weights: PathBuf,
    /// AdamW's moment estimates.
    optimizer: PathBuf,
    state: PathBuf,
}

impl Checkpoint {
    pub fn at(out: &Path) -> Self {
        let dir = out.join("checkpoint");
        Checkpoint {
            weights: dir.join("weights.safetensors"),
            optimizer: dir.join("optimizer.safetensors"),
            state: dir.join("state.json"),
        }
    }

    pub fn exists(&self) -> bool {
        self.weights.is_file() && self.state.is_file()
    }

    pub fn save(&self, vs: &nn::VarStore, optimizer: &AdamW, state: CheckpointState) -> Result<(), TrainError> {
        if let Some(dir) = self.weights.parent() {
            std::fs::create_dir_all(dir).map_err(|err| file_error(dir, err))?;
        }
        // Written aside and renamed, so an interruption never leaves a half-written file; the
        // state goes last, so it never names an epoch whose weights are missing.
        let partial = self.weights.with_extension("partial.safetensors");
        vs.save(&partial)?;
        std::fs::rename(&partial, &self.weights).map_err(|err| file_error(&self.weights, err))?;
        let partial = self.optimizer.with_extension("partial.safetensors");
        optimizer.save(&partial)?;
        std::fs::rename(&partial, &self.optimizer).map_err(|err| file_error(&self.optimizer, err))?;
        let best = if state.best_score.is_finite() { json!(state.best_score) } else { Value::Null };
        // "best_f1" is the name checkpoints have always used for the selection score.
        let state = json!({"epoch": state.epoch, "best_f1": best, "step": state.step});
        write_file(&self.state, state.to_string().as_bytes())
    }

    /// Restores AdamW's moments. A checkpoint from before they were saved has none: the
    /// moments then start afresh, as they used to.
    pub fn load_optimizer(&self, optimizer: &mut AdamW) -> Result<(), TrainError> {
        if self.optimizer.is_file() {
            optimizer.load(&self.optimizer).map_err(|err| file_error(&self.optimizer, err))?;
        }
        Ok(())
    }

    pub fn load(&self, vs: &mut nn::VarStore) -> Result<CheckpointState, TrainError> {
        vs.load(&self.weights).map_err(|error| NerError::weights(&self.weights, &error))?;
        vs.float();
        let state = read_json(&self.state)?;
        let field = |name: &str| state.get(name).and_then(Value::as_u64).map(|v| v as usize);
        match (field("epoch"), field("step")) {
            (Some(epoch), Some(step)) => {
                let best_score = state.get("best_f1").and_then(Value::as_f64).unwrap_or(f64::NEG_INFINITY);
                Ok(CheckpointState { epoch, best_score, step })
            }
            _ => Err(TrainError::File { path: self.state.clone(), message: "lacks \"epoch\" or \"step\"".into() }),
        }
    }
}

/// Variable path prefixes of the entity and role heads.
pub const HEADS: [&str; 2] = ["classifier.", "role_classifier."];

/// Copies the base encoder's weights into `vs`. Names may carry the `bert.` prefix or not
/// (sentence-transformers checkpoints leave it out); tensors the network lacks (a pooler) are
/// ignored; a head keeps its fresh initialisation unless `reusable_heads` names it (a base
/// trained by claimtag on the same labels, continued).
pub fn load_base_weights(vs: &mut nn::VarStore, base: &Path, reusable_heads: &[&str]) -> Result<(), TrainError> {
    let path = find_weights(base)?;
    let tensors: HashMap<String, Tensor> = if path.extension().is_some_and(|e| e == "safetensors") {
        Tensor::read_safetensors(&path)
    } else {
        Tensor::loadz_multi(&path)
    }
    .map_err(|error| NerError::weights(&path, &error))?
    .into_iter()
    .collect();
    let mut loaded = 0;
    let mut variables = vs.variables();
    for (name, variable) in variables.iter_mut() {
        let source = tensors.get(name).or_else(|| name.split_once('.').and_then(|(_, rest)| tensors.get(rest)));
        let fresh_head = HEADS.iter().any(|head| name.starts_with(head) && !reusable_heads.contains(head));
        if let Some(source) = source.filter(|s| s.size() == variable.size() && !fresh_head) {
            tch::no_grad(|| variable.copy_(source));
            loaded += 1;
        }
    }
    if loaded == 0 {
        return Err(TrainError::File { path, message: "holds none of the encoder's weights".into() });
    }
    Ok(())
}
