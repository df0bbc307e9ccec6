//! What a long command shows while it works and how it stops: progress bars
//! on a terminal (quiet when piped) and the Ctrl-C flag.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The exit code after Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED: i32 = 130;

/// A flag set by Ctrl-C, for long commands to check after every step
/// (a minibatch, an iteration) and stop at the next checkpoint.
pub fn ctrl_c_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let handler_flag = Arc::clone(&flag);
    // Without a handler (one is already set) Ctrl-C just ends the process;
    // the last checkpoint is then still whole, since every write is atomic.
    let _ = ctrlc::set_handler(move || handler_flag.store(true, Ordering::SeqCst));
    flag
}

/// A progress bar of `len` steps of `unit` on standard error when that is a
/// terminal; None when it is piped or redirected, so logs stay clean.
pub fn terminal_progress(len: u64, unit: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len);
    let template = format!("{{bar:30}} {{pos}}/{{len}} {unit}, {{elapsed}} (eta {{eta}}) {{msg}}");
    let style = indicatif::ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// The bar of an AIS run on a terminal; hidden when standard error is piped.
pub fn ais_progress(total: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template("AIS {bar:40} {percent}% (eta {eta})")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// The progress of `boltzmann train`: a bar of minibatches on a terminal;
/// one line per epoch otherwise; nothing with --quiet.
pub struct EpochProgress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    batches_per_epoch: u64,
    first_epoch: u64,
    epochs: usize,
}

impl EpochProgress {
    /// `epochs` in all, `epochs_done` of them before this run.
    pub fn new(batches_per_epoch: usize, epochs_done: usize, epochs: usize, quiet: bool) -> Self {
        let batches_per_epoch = batches_per_epoch as u64;
        let remaining = epochs.saturating_sub(epochs_done) as u64;
        let bar = (!quiet)
            .then(|| terminal_progress(remaining * batches_per_epoch, "minibatches"))
            .flatten();
        if let Some(bar) = &bar {
            bar.set_message(format!("epoch {}/{epochs}", epochs_done + 1));
        }
        Self {
            plain: bar.is_none() && !quiet,
            bar,
            batches_per_epoch,
            first_epoch: epochs_done as u64,
            epochs,
        }
    }

    pub fn minibatch(&self, epochs_done: usize, done_in_epoch: usize) {
        if let Some(bar) = &self.bar {
            let epochs_before = epochs_done as u64 - self.first_epoch;
            bar.set_position(epochs_before * self.batches_per_epoch + done_in_epoch as u64);
        }
    }

    pub fn epoch(&self, epochs_done: usize, (error, gap): (f32, Option<f32>)) {
        let gap = gap.map_or(String::new(), |g| format!(", free-energy gap {g:.3}"));
        let text = format!(
            "epoch {epochs_done}/{}: reconstruction error {error:.4}{gap}",
            self.epochs
        );
        if let Some(bar) = &self.bar {
            let done = (epochs_done as u64 - self.first_epoch) * self.batches_per_epoch;
            bar.set_position(done);
            bar.set_message(text);
        } else if self.plain {
            crate::common::eprint_text(&format!("{text}\n"));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}
