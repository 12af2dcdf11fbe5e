//! The state after the last finished epoch, in `OUT/checkpoint/`, from which `--resume`
//! continues exactly as an uninterrupted run would.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tch::nn;

use super::adamw::AdamW;
use super::{file_error, write_file, TrainError};
use crate::ner::model_dir::read_json;
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
