//! Small pieces several subcommands share: checking the outputs and the
//! memory a request needs before any work, printing the summary, and the side of square images.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::report::BadInput;

/// The seed of a random command when none is given.
pub const DEFAULT_SEED: u64 = 42;

/// Check every output of a command before any work, so that an error never
/// leaves a new partial output behind: an output must not be a folder, its
/// folder must exist, it must not exist unless `force`, and it must never be
/// one of the command's `inputs`, not even with `force`; two outputs must
/// be two files.
pub fn check_outputs(outputs: &[&Path], inputs: &[&Path], force: bool) -> anyhow::Result<()> {
    for (k, out) in outputs.iter().enumerate() {
        if outputs[..k].iter().any(|earlier| same_path(earlier, out)) {
            return Err(BadInput(format!(
                "{}: given as two of this command's outputs; give each output a file of its own",
                out.display()
            ))
            .into());
        }
    }
    for out in outputs {
        let folder = out.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(folder) = folder.filter(|f| !f.is_dir()) {
            return Err(BadInput(format!(
                "{}: the folder {} does not exist; create it first or write elsewhere",
                out.display(),
                folder.display()
            ))
            .into());
        }
        if out.is_dir() {
            return Err(BadInput(format!(
                "{}: is a folder; expected the name of a file to write",
                out.display()
            ))
            .into());
        }
        // Outputs are replaced by renaming a new file over them, which would
        // put a regular file in place of a device such as /dev/null.
        if out.exists() && !out.is_file() {
            return Err(BadInput(format!(
                "{}: is not a regular file (a device or a pipe?); expected the name of a file \
                 to write (--force never replaces one)",
                out.display()
            ))
            .into());
        }
        if let Some(input) = inputs
            .iter()
            .find(|input| same_file::is_same_file(out, input).unwrap_or(false))
        {
            return Err(BadInput(format!(
                "{}: is also an input of this command ({}); write the output elsewhere \
                 (--force never replaces an input)",
                out.display(),
                input.display()
            ))
            .into());
        }
        if out.exists() && !force {
            return Err(datasets::DataError::WouldOverwrite(out.to_path_buf()).into());
        }
    }
    Ok(())
}

/// Whether two output paths name the same file: the same name in the same
/// folder (the folder's links and `..` resolved). A link at the name itself
/// does not count: an output is written by renaming a new file over its
/// name, which replaces the link, not the file it points to.
fn same_path(a: &Path, b: &Path) -> bool {
    let resolved = |p: &Path| {
        let folder = p.parent().filter(|f| !f.as_os_str().is_empty());
        let folder = folder.unwrap_or(Path::new(".")).canonicalize().ok()?;
        Some(folder.join(p.file_name()?))
    };
    resolved(a).is_some_and(|x| Some(x) == resolved(b))
}

/// Whether every value is a finite number: a training run checks its
/// parameters with it before a checkpoint replaces the last good one.
pub fn all_finite<'a>(values: impl IntoIterator<Item = &'a f32>) -> bool {
    values.into_iter().all(|x| x.is_finite())
}

/// The most memory one request may ask for: 8 GiB, a third of this
/// workbench's reference machine. Larger requests are refused up front.
pub const MAX_REQUEST_BYTES: u128 = 8 << 30;

/// Refuse, before allocating, a request whose arrays would need more than
/// [`MAX_REQUEST_BYTES`]: `flag` names the option to change, `n_values`
/// is the number of values of `bytes_per_value` bytes the request needs.
pub fn check_memory(flag: &str, n_values: u128, bytes_per_value: u128) -> Result<(), BadInput> {
    let bytes = n_values.saturating_mul(bytes_per_value);
    if bytes > MAX_REQUEST_BYTES {
        return Err(BadInput(format!(
            "{flag}: this request needs about {:.1} GiB of memory, more than the {} GiB \
             allowed; use a smaller {flag}",
            bytes as f64 / f64::from(1u32 << 30),
            MAX_REQUEST_BYTES >> 30
        )));
    }
    Ok(())
}

/// Print a line on standard error; a closed or broken stderr is ignored
/// (`eprintln!` would panic).
pub fn eprint_text(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
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
        eprint_text(&text);
        return Ok(());
    }
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("writing to standard output")
}

/// The per-example scores as CSV, `index,{name},log_probability`, index 0
/// the first example; log_probability is left empty when log Z is unknown.
/// f64 values are written in their shortest form that reads back exactly.
pub fn scores_csv(
    name: &str,
    scores: &ndarray::Array1<f64>,
    log_probabilities: Option<&ndarray::Array1<f64>>,
) -> String {
    let mut text = format!("index,{name},log_probability\n");
    for (i, score) in scores.iter().enumerate() {
        let log_p = log_probabilities.map_or(String::new(), |l| l[i].to_string());
        text.push_str(&format!("{i},{score},{log_p}\n"));
    }
    text
}

/// Write a command's CSV output to `out` (atomically; an existing file only
/// with `force`) or, without `--out`, to standard output.
pub fn write_output(out: Option<&Path>, text: &str, force: bool) -> anyhow::Result<()> {
    match out {
        Some(out) => Ok(bm_exact::write_file(out, text, force)?),
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .context("writing to standard output"),
    }
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
