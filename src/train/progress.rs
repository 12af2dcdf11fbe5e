//! What a training run tells the person watching it, on standard error: a bar per epoch with
//! loss, tokens/s and ETA on a terminal, a plain line a minute otherwise, and a line per
//! finished epoch with its dev scores.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::{EpochReport, TrainProgress, Trainer, TrainingData};

/// How often a log (standard error that is not a terminal) gets a progress line.
const PLAIN_LINE_EVERY: Duration = Duration::from_secs(60);

/// [`TrainProgress`] on standard error.
#[derive(Default)]
pub struct StderrProgress {
    bar: Option<ProgressBar>,
    started: Option<Instant>,
    last_line: Option<Instant>,
    epoch: usize,
    steps: usize,
    done: usize,
    tokens: usize,
    /// The loss smoothed over recent steps.
    loss: f64,
}

impl StderrProgress {
    /// Says what the run trains on and the labels it learns, before the first epoch.
    pub fn announce(&self, data: &TrainingData, trainer: &Trainer) {
        for corpus in &data.train {
            eprintln!(
                "claimtag: training on {} ({} sentences, weight {})",
                corpus.name,
                corpus.sentences.len(),
                corpus.weight
            );
        }
        eprintln!("claimtag: labels {:?}, role labels {:?}", trainer.labels(), trainer.role_labels());
    }
}

impl TrainProgress for StderrProgress {
    fn epoch_started(&mut self, epoch: usize, steps: usize) {
        let bar = ProgressBar::new(steps as u64);
        bar.set_style(
            ProgressStyle::with_template("epoch {prefix} {bar:30} {pos}/{len} {msg} ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(epoch.to_string());
        self.bar = std::io::stderr().is_terminal().then_some(bar);
        self.started = Some(Instant::now());
        self.last_line = self.started;
        (self.epoch, self.steps, self.done, self.tokens) = (epoch, steps, 0, 0);
    }

    fn step(&mut self, loss: f64, tokens: usize) {
        self.tokens += tokens;
        self.done += 1;
        self.loss = smoothed_loss(self.loss, loss);
        let Some(started) = self.started else { return };
        let elapsed = started.elapsed().as_secs_f64().max(1e-9);
        let rate = self.tokens as f64 / elapsed;
        if let Some(bar) = &self.bar {
            bar.set_message(format!("loss {:.4} {rate:.0} tok/s", self.loss));
            bar.inc(1);
        } else if self.last_line.is_some_and(|last| last.elapsed() >= PLAIN_LINE_EVERY) {
            let eta = elapsed / self.done as f64 * (self.steps - self.done) as f64;
            eprintln!(
                "epoch {}: step {}/{}, loss {:.4}, {rate:.0} tokens/s, ETA {:.0} s",
                self.epoch, self.done, self.steps, self.loss, eta
            );
            self.last_line = Some(Instant::now());
        }
    }

    fn epoch_finished(&mut self, report: &EpochReport) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        eprintln!("{}", epoch_line(report));
    }
}

/// The running loss after a step's `loss`: an exponential average that starts at the first step's.
fn smoothed_loss(running: f64, loss: f64) -> f64 {
    if running == 0.0 {
        loss
    } else {
        0.98 * running + 0.02 * loss
    }
}

/// The line that ends an epoch: loss, each dev corpus's F1 overall and per type, speed, and
/// whether the epoch was kept as the best.
fn epoch_line(report: &EpochReport) -> String {
    let dev = match report.selection {
        None => "no dev data".to_string(),
        Some(selection) => {
            let corpora: Vec<String> = report
                .dev
                .iter()
                .map(|dev| {
                    let per_type: Vec<String> =
                        dev.scores.per_type.iter().map(|(kind, c)| format!("{kind} {:.4}", c.f1())).collect();
                    format!("{} {:.4} ({})", dev.name, dev.scores.overall.f1(), per_type.join(", "))
                })
                .collect();
            format!("mean dev F1 {selection:.4}: {}", corpora.join("; "))
        }
    };
    format!(
        "epoch {}: loss {:.4}, {dev}, {:.0} s, {:.0} tokens/s{}",
        report.epoch,
        report.mean_loss,
        report.seconds,
        report.tokens_per_second,
        if report.kept { ", kept" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::score::{Counts, Scores};
    use crate::train::DevScore;

    fn report(dev: Vec<DevScore>, selection: Option<f64>, kept: bool) -> EpochReport {
        EpochReport { epoch: 2, mean_loss: 0.12345, dev, selection, seconds: 61.4, tokens_per_second: 1234.56, kept }
    }

    #[test]
    fn an_epoch_without_dev_data_says_so() {
        assert_eq!(
            epoch_line(&report(Vec::new(), None, true)),
            "epoch 2: loss 0.1235, no dev data, 61 s, 1235 tokens/s, kept"
        );
    }

    #[test]
    fn an_epoch_line_gives_each_dev_corpus_overall_and_per_type() {
        let mut scores = Scores { overall: Counts { gold: 2, predicted: 2, correct: 1 }, ..Scores::default() };
        scores.per_type.insert("LOC".into(), Counts { gold: 1, predicted: 1, correct: 1 });
        scores.per_type.insert("PER".into(), Counts { gold: 1, predicted: 1, correct: 0 });
        let dev = vec![DevScore { name: "dev.txt".into(), scores }];
        assert_eq!(
            epoch_line(&report(dev, Some(0.5), false)),
            "epoch 2: loss 0.1235, mean dev F1 0.5000: dev.txt 0.5000 (LOC 1.0000, PER 0.0000), 61 s, 1235 tokens/s"
        );
    }

    #[test]
    fn the_loss_shown_starts_at_the_first_step_and_then_moves_slowly() {
        let first = smoothed_loss(0.0, 2.0);
        assert_eq!(first, 2.0);
        assert!((smoothed_loss(first, 1.0) - 1.98).abs() < 1e-12);
    }
}
