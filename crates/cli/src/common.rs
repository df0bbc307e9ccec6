//! Small pieces several subcommands share: refusing to overwrite an output
//! file, printing the summary, and the side of square images.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use bm_exact::Model;
use serde::Serialize;

/// Fail before any work if `out` exists and `--force` was not given.
pub fn refuse_overwrite(out: &Path, force: bool) -> Result<(), datasets::DataError> {
    if out.exists() && !force {
        return Err(datasets::DataError::WouldOverwrite(out.to_path_buf()));
    }
    Ok(())
}

/// The model file's `format`: "rbm" or "bm".
pub fn format_name(model: &Model) -> &'static str {
    match model {
        Model::Rbm(_) => "rbm",
        Model::Bm(_) => "bm",
    }
}

/// Print the summary as JSON or as text. It goes to standard error when
/// standard output already carries the data (CSV without `--out`).
pub fn print_report<R: Serialize>(
    report: &R,
    human_text: fn(&R) -> String,
    json: bool,
    to_stderr: bool,
) -> anyhow::Result<()> {
    let text = if json {
        serde_json::to_string_pretty(report)? + "\n"
    } else {
        human_text(report)
    };
    if to_stderr {
        eprint!("{text}");
        return Ok(());
    }
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("writing to standard output")
}

/// s with s * s = n, if n is a perfect square.
pub fn square_side(n: usize) -> Option<usize> {
    let side = square_side_ceil(n);
    (side * side == n).then_some(side)
}

/// The smallest s with s * s >= n.
pub fn square_side_ceil(n: usize) -> usize {
    let mut side = (n as f64).sqrt() as usize;
    while side * side < n {
        side += 1;
    }
    while side > 0 && (side - 1) * (side - 1) >= n {
        side -= 1;
    }
    side
}

/// A progress bar of `len` steps of `unit` on standard error when that is a
/// terminal; None when it is piped or redirected, so logs stay clean.
pub fn terminal_progress(len: u64, unit: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len);
    let template = format!("{{bar:30}} {{pos}}/{{len}} {unit}, {{elapsed}} (eta {{eta}})");
    let style = indicatif::ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}
