//! The learning rate over a run: a linear warm-up from zero, then a linear decay to zero at the
//! last step.

/// The factor the peak learning rate is multiplied by at each optimiser step.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    total_steps: f64,
    warmup_steps: f64,
}

impl Schedule {
    /// A run of `total_steps` optimiser steps (at least one), warming up over the fraction
    /// `warmup` of them (at least one step).
    pub fn new(total_steps: usize, warmup: f64) -> Self {
        let total_steps = total_steps.max(1) as f64;
        Schedule { total_steps, warmup_steps: (total_steps * warmup).ceil().max(1.0) }
    }

    /// The factor at `step`, counted from 1.
    pub fn factor(&self, step: usize) -> f64 {
        let step = step as f64;
        if step < self.warmup_steps {
            step / self.warmup_steps
        } else {
            ((self.total_steps - step) / (self.total_steps - self.warmup_steps).max(1.0)).max(0.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_warms_up_linearly_then_decays_to_zero_at_the_last_step() {
        let schedule = Schedule::new(10, 0.2);
        let factors: Vec<f64> = (1..=10).map(|step| schedule.factor(step)).collect();
        assert_eq!(factors, [0.5, 1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, 0.0]);
    }

    #[test]
    fn a_tiny_run_still_warms_up_over_one_step() {
        let schedule = Schedule::new(0, 0.1);
        assert_eq!(schedule.factor(1), 0.0);
        assert_eq!(Schedule::new(3, 0.0).factor(1), 1.0);
    }
}
