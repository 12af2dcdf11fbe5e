//! What a batch run tells the person watching it, on standard error: a bar on a terminal,
//! a plain line every half minute in a log, and a summary at the end.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often a log gets a progress line.
const PLAIN_LINE_EVERY: Duration = Duration::from_secs(30);

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A live bar (for a terminal).
    Bar,
    /// A line every half minute and a summary (for logs).
    Plain,
    /// Nothing at all.
    Silent,
}

/// Counts of a run so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Documents tagged and written.
    pub documents: usize,
    /// Error records written in place of documents that could not be read or processed.
    pub errors: usize,
    /// Those of `errors` that a bug in claimtag caused (kind `internal`).
    pub internal_errors: usize,
    /// Error records the output already held before this run (`--resume`).
    pub errors_before: usize,
    pub entities: usize,
    pub claims: usize,
    /// Model sub-tokens tagged.
    pub tokens: usize,
    /// Inputs skipped because the output already held them (`--resume`).
    pub already_done: usize,
    /// Inputs skipped because another shard owns them.
    pub other_shards: usize,
}

impl Totals {
    /// Whether the output holds a record for every input without an error record among them,
    /// counting those written before a resume.
    pub fn all_tagged(&self) -> bool {
        self.errors == 0 && self.errors_before == 0
    }
}

/// Reports a run's progress; see [`ProgressMode`].
pub struct Progress {
    mode: ProgressMode,
    bar: Option<ProgressBar>,
    started: Instant,
    last_line: Instant,
    /// Input bytes in all, when every input is a file.
    total_bytes: Option<u64>,
    bytes_read: Arc<AtomicU64>,
}

impl Progress {
    /// `bytes_read` is the reader's counter; `total_bytes` what it will reach, when known.
    pub fn new(mode: ProgressMode, total_bytes: Option<u64>, bytes_read: Arc<AtomicU64>) -> Self {
        let bar = (mode == ProgressMode::Bar).then(|| {
            let (bar, template) = match total_bytes {
                Some(total) => (ProgressBar::new(total), "{elapsed_precise} {bar:30} {percent:>3}% {msg} ETA {eta}"),
                None => (ProgressBar::new_spinner(), "{elapsed_precise} {spinner} {msg}"),
            };
            bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(4));
            bar
        });
        let now = Instant::now();
        Progress { mode, bar, started: now, last_line: now, total_bytes, bytes_read }
    }

    /// Called after each batch is written.
    pub fn update(&mut self, totals: &Totals) {
        let read = self.bytes_read.load(Ordering::Relaxed);
        let rates = self.rates(totals);
        match self.mode {
            ProgressMode::Silent => {}
            ProgressMode::Bar => {
                if let Some(bar) = &self.bar {
                    bar.set_position(read);
                    bar.set_message(rates);
                }
            }
            ProgressMode::Plain => {
                if self.last_line.elapsed() >= PLAIN_LINE_EVERY {
                    let share = match self.total_bytes {
                        Some(total) if total > 0 => {
                            let fraction = read as f64 / total as f64;
                            let elapsed = self.started.elapsed().as_secs_f64();
                            let eta = if fraction > 0.0 { elapsed / fraction - elapsed } else { f64::NAN };
                            format!(", {:.1}% of input, ETA {:.0} s", 100.0 * fraction, eta)
                        }
                        _ => String::new(),
                    };
                    eprintln!("claimtag: {rates}{share}");
                    self.last_line = Instant::now();
                }
            }
        }
    }

    /// Prints one line (an internal error) above the bar, in every mode: a bug is never silent.
    pub fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("claimtag: {line}")),
            None => eprintln!("claimtag: {line}"),
        }
    }

    /// Clears the bar and prints the summary.
    pub fn finish(&mut self, totals: &Totals) {
        self.summarise("done:", totals);
    }

    /// Clears the bar and prints what was written before a run stopped on an error.
    pub fn stop(&mut self, totals: &Totals) {
        self.summarise("stopped after", totals);
    }

    fn summarise(&mut self, how: &str, totals: &Totals) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if self.mode == ProgressMode::Silent {
            return;
        }
        let mut skipped = String::new();
        if totals.already_done > 0 {
            skipped += &format!(", {} already in the output", totals.already_done);
            if totals.errors_before > 0 {
                skipped += &format!(" ({} of them error records)", totals.errors_before);
            }
        }
        if totals.other_shards > 0 {
            skipped += &format!(", {} left to other shards", totals.other_shards);
        }
        eprintln!(
            "claimtag: {how} {}, {} entities, {} claims{skipped}, {:.1} s",
            self.rates(totals),
            totals.entities,
            totals.claims,
            self.started.elapsed().as_secs_f64()
        );
    }

    fn rates(&self, totals: &Totals) -> String {
        let seconds = self.started.elapsed().as_secs_f64().max(1e-9);
        let internal = match totals.internal_errors {
            0 => String::new(),
            n => format!(", {n} internal"),
        };
        format!(
            "{} documents ({} errors{internal}), {:.1} documents/s, {:.0} tokens/s",
            totals.documents,
            totals.errors,
            totals.documents as f64 / seconds,
            totals.tokens as f64 / seconds
        )
    }
}
