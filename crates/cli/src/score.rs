//! `boltzmann score`: per-example free energies F(v) (eq. 2.1, 2.3 in the
//! book) and, where log Z is known, log-probabilities log p(v) = -F(v) - log Z,
//! for anomaly scoring.
//!
//! A higher free energy means a less typical example under the model. The
//! free energies of two examples compare without log Z, because
//! log p(v) - log p(v') = F(v') - F(v): ranking examples needs no partition
//! function. log Z only turns the scores into probabilities; it comes from
//! enumeration when the smaller layer has at most 30 units, from AIS with
//! `--ais`, and is left out otherwise.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use bm_exact::Model;
use ndarray::{Array1, Array2, ArrayView2};
use serde::Serialize;

use crate::common::{check_outputs, print_report};
use crate::data::{check_width, read_intensities};
use crate::logz::{LogPartition, LogzOptions, number};
use crate::report::BadInput;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a TOML file with format = "rbm" or "bm".
    #[arg(value_name = "MODEL.toml")]
    model: PathBuf,

    /// The examples: a CSV file (values 0 or 1, one example per line, no
    /// header) or an MNIST-style IDX folder (see --split and --threshold).
    #[arg(value_name = "DATA")]
    data: PathBuf,

    /// Which split of an IDX folder to score: "t10k" or "train".
    #[arg(long, value_name = "SPLIT", default_value = "t10k", value_parser = ["t10k", "train"])]
    split: String,

    /// Binarise intensities: values above T become 1, the others 0. Needed
    /// for IDX folders and for CSV files with values other than 0 and 1.
    #[arg(long, value_name = "T")]
    threshold: Option<f64>,

    /// Write the scores here (CSV with the header line
    /// `index,free_energy,log_probability`; index 0 is the first example)
    /// instead of to standard output.
    #[arg(long, value_name = "SCORES.csv")]
    out: Option<PathBuf>,

    /// Replace SCORES.csv if it exists.
    #[arg(long)]
    force: bool,

    #[command(flatten)]
    options: LogzOptions,

    /// Print a JSON summary on standard output (needs --out).
    #[arg(long, requires = "out")]
    json: bool,
}

#[derive(Serialize)]
struct ScoreReport {
    model_file: String,
    data_file: String,
    n_examples: usize,
    mean_free_energy: f64,
    min_free_energy: f64,
    max_free_energy: f64,
    /// null when log Z is unknown.
    mean_log_probability: Option<f64>,
    scores_file: Option<String>,
    /// How log Z was found; absent when it is unknown.
    log_partition: Option<LogPartition>,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    args.options.check()?;
    if let Some(out) = &args.out {
        let inputs = [args.model.as_path(), args.data.as_path()];
        check_outputs(&[out], &inputs, args.force)?;
    }
    if let Some(t) = args.threshold
        && !(0.0..1.0).contains(&t)
    {
        return Err(BadInput(format!("--threshold {t}: must lie in [0, 1), e.g. 0.5")).into());
    }
    let model = Model::load(&args.model)?;
    let data = read_binary(args)?;
    check_width(data.ncols(), model.n_visible(), &args.data)?;
    let plan = args.options.plan(&model, &args.model, false)?;
    let free_energies =
        free_energies(&model, data.view()).with_context(|| args.model.display().to_string())?;
    let log_partition = args
        .options
        .run(plan, &model, Some(data.view()))
        .with_context(|| args.model.display().to_string())?;
    // p(v) <= 1; in a sharp model rounding can put -F(v) an ulp above an
    // enumerated log Z, so the logarithm is capped at 0. (An AIS log Z is
    // never below the hard bound from these data, so it needs no cap.)
    let log_probabilities = log_partition
        .as_ref()
        .map(|z| free_energies.mapv(|f| (-f - z.log_partition).min(0.0)));

    let table = scores_csv(&free_energies, log_probabilities.as_ref());
    match &args.out {
        Some(out) => bm_exact::write_file(out, &table, args.force)?,
        None => std::io::stdout()
            .write_all(table.as_bytes())
            .context("writing to standard output")?,
    }
    let report = ScoreReport {
        model_file: args.model.display().to_string(),
        data_file: args.data.display().to_string(),
        n_examples: data.nrows(),
        mean_free_energy: free_energies.mean().unwrap_or(f64::NAN),
        min_free_energy: free_energies.fold(f64::INFINITY, |a, &b| a.min(b)),
        max_free_energy: free_energies.fold(f64::NEG_INFINITY, |a, &b| a.max(b)),
        mean_log_probability: log_probabilities.as_ref().and_then(|l| l.mean()),
        scores_file: args.out.as_ref().map(|p| p.display().to_string()),
        log_partition,
    };
    print_report(&report, human_text, args.json, args.out.is_none())
}

/// The data as 0/1 values: read, then binarised with --threshold or checked.
fn read_binary(args: &Args) -> anyhow::Result<Array2<f64>> {
    let data = read_intensities(&args.data, &args.split)?;
    if let Some(t) = args.threshold {
        return Ok(data.mapv(|x| if x > t { 1.0 } else { 0.0 }));
    }
    if let Some(((row, col), x)) = data.indexed_iter().find(|(_, x)| **x != 0.0 && **x != 1.0) {
        return Err(BadInput(format!(
            "{}: example {}, value {}: {x} is not 0 or 1; binarise intensities with \
             --threshold 0.5",
            args.data.display(),
            row + 1,
            col + 1
        ))
        .into());
    }
    Ok(data)
}

/// F(v) in f64 for every row: eq. (2.3) for an RBM (any size); for a general
/// machine eq. (2.1), which enumerates the hidden layer.
fn free_energies(model: &Model, data: ArrayView2<f64>) -> anyhow::Result<Array1<f64>> {
    let mut out = Array1::zeros(data.nrows());
    for (f, v) in out.iter_mut().zip(data.rows()) {
        *f = match model {
            Model::Rbm(rbm) => rbm.free_energy(v),
            Model::Bm(bm) => bm.free_energy(v)?,
        };
    }
    Ok(out)
}

/// f64 values are written in their shortest form that reads back exactly.
fn scores_csv(free_energies: &Array1<f64>, log_probabilities: Option<&Array1<f64>>) -> String {
    let mut text = String::from("index,free_energy,log_probability\n");
    for (i, f) in free_energies.iter().enumerate() {
        let log_p = log_probabilities.map_or(String::new(), |l| l[i].to_string());
        text.push_str(&format!("{i},{f},{log_p}\n"));
    }
    text
}

fn human_text(r: &ScoreReport) -> String {
    let mut lines = vec![format!(
        "scored {} examples of {} with {}: free energy mean {}, min {}, max {} \
         (higher = less typical)",
        r.n_examples,
        r.data_file,
        r.model_file,
        number(r.mean_free_energy, 6),
        number(r.min_free_energy, 6),
        number(r.max_free_energy, 6)
    )];
    match (&r.log_partition, r.mean_log_probability) {
        (Some(z), Some(mean)) => {
            lines.push(crate::logz::describe(z));
            lines.push(format!(
                "mean log-probability {} nats per example",
                number(mean, 6)
            ));
        }
        _ => lines.push(
            "log Z unknown (too many states to enumerate): log_probability is left empty; \
             pass --ais to estimate it"
                .into(),
        ),
    }
    if let Some(f) = &r.scores_file {
        lines.push(format!("wrote the scores to {f}"));
    }
    lines.join("\n") + "\n"
}
