//! AdamW with decoupled weight decay (Loshchilov & Hutter), the update `torch.optim.AdamW`
//! makes, written out because its moment estimates must go into the checkpoint: with
//! `--resume`, training continues exactly as if it had never stopped.

use std::collections::HashMap;
use std::path::Path;

use tch::{nn, Tensor};

/// The optimizer over a variable store's trainable variables, in name order.
pub struct AdamW {
    variables: Vec<(String, Tensor)>,
    /// First and second moment estimates, one pair per variable.
    moments: Vec<(Tensor, Tensor)>,
    steps: i64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
}

impl AdamW {
    /// betas (0.9, 0.999) and eps 1e-8, PyTorch's defaults.
    pub fn new(vs: &nn::VarStore, weight_decay: f64) -> Self {
        let mut variables: Vec<(String, Tensor)> =
            vs.variables().into_iter().filter(|(_, tensor)| tensor.requires_grad()).collect();
        variables.sort_by(|a, b| a.0.cmp(&b.0));
        let moments = variables.iter().map(|(_, t)| (t.zeros_like(), t.zeros_like())).collect();
        AdamW { variables, moments, steps: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay }
    }

    pub fn zero_grad(&mut self) {
        for (_, variable) in &mut self.variables {
            variable.zero_grad();
        }
    }

    /// Scales the gradients of the variables `idle` does not name so that their joint L2 norm is
    /// at most `max`.
    pub fn clip_grad_norm(&self, max: f64, idle: impl Fn(&str) -> bool) {
        let grads: Vec<Tensor> = self
            .variables
            .iter()
            .filter(|(name, _)| !idle(name))
            .map(|(_, v)| v.grad())
            .filter(|g| g.defined())
            .collect();
        let total: f64 = grads.iter().map(|g| g.norm().double_value(&[]).powi(2)).sum::<f64>().sqrt();
        if total > max {
            let scale = max / (total + 1e-6);
            tch::no_grad(|| {
                for mut grad in grads {
                    let _ = grad.g_mul_scalar_(scale);
                }
            });
        }
    }

    /// One update of every variable with the learning rate `lr_of` gives its name; one it gives
    /// none is idle: a head the batch did not use keeps its weights and moments, as PyTorch
    /// leaves a parameter whose gradient is None (zeroed gradients would still decay it and move
    /// it by its momentum).
    pub fn step(&mut self, lr_of: impl Fn(&str) -> Option<f64>) {
        self.steps += 1;
        let correction1 = 1.0 - self.beta1.powi(self.steps as i32);
        let correction2 = (1.0 - self.beta2.powi(self.steps as i32)).sqrt();
        tch::no_grad(|| {
            for ((name, variable), (first, second)) in self.variables.iter_mut().zip(&mut self.moments) {
                let grad = variable.grad();
                let Some(lr) = lr_of(name).filter(|_| grad.defined()) else {
                    continue;
                };
                let _ = variable.g_mul_scalar_(1.0 - lr * self.weight_decay);
                let _ = first.g_mul_scalar_(self.beta1).g_add_(&(&grad * (1.0 - self.beta1)));
                let _ = second.g_mul_scalar_(self.beta2).g_add_(&(&grad * &grad * (1.0 - self.beta2)));
                let denominator = second.sqrt() / correction2 + self.eps;
                let _ = variable.g_sub_(&(&*first / denominator * (lr / correction1)));
            }
        });
    }

    /// Writes the moment estimates and the step count.
    pub fn save(&self, path: &Path) -> Result<(), tch::TchError> {
        let mut named: Vec<(String, Tensor)> = Vec::with_capacity(2 * self.variables.len() + 1);
        for ((name, _), (first, second)) in self.variables.iter().zip(&self.moments) {
            named.push((format!("exp_avg.{name}"), first.shallow_clone()));
            named.push((format!("exp_avg_sq.{name}"), second.shallow_clone()));
        }
        named.push(("steps".to_string(), Tensor::from_slice(&[self.steps])));
        Tensor::write_safetensors(&named, path)
    }

    /// Reads what [`AdamW::save`] wrote; a variable it does not name keeps fresh moments.
    pub fn load(&mut self, path: &Path) -> Result<(), tch::TchError> {
        let saved: HashMap<String, Tensor> = Tensor::read_safetensors(path)?.into_iter().collect();
        for ((name, variable), (first, second)) in self.variables.iter().zip(&mut self.moments) {
            let device = variable.device();
            if let (Some(a), Some(b)) =
                (saved.get(&format!("exp_avg.{name}")), saved.get(&format!("exp_avg_sq.{name}")))
            {
                *first = a.to_device(device);
                *second = b.to_device(device);
            }
        }
        if let Some(steps) = saved.get("steps") {
            self.steps = steps.int64_value(&[0]);
        }
        Ok(())
    }
}
