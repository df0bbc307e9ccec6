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

use std::path::PathBuf;

use anyhow::Context;
use bm_exact::Model;
use ndarray::{Array1, Array2, ArrayView2};
use serde::Serialize;

use crate::common::{check_outputs, print_report, scores_csv, write_output};
use crate::data::{check_width, read_intensities};
use crate::logz::{LogPartition, LogzOptions, number};
use crate::report::BadInput;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    files: ScoreFiles,

    /// Binarise intensities: values above T become 1, the others 0. Needed
    /// for IDX folders and for CSV files with values other than 0 and 1.
    #[arg(long, value_name = "T")]
    threshold: Option<f64>,

    #[command(flatten)]
    options: LogzOptions,
}

/// The files of a scoring command, `score` and `ebm score`: the model, the
/// examples, and where the scores and the summary go.
#[derive(Debug, clap::Args)]
pub struct ScoreFiles {
    /// The model: a TOML file with format = "rbm" or "bm" (`score`) or
    /// format = "ebm" (`ebm score`).
    #[arg(value_name = "MODEL.toml")]
    pub model: PathBuf,

    /// The examples: a CSV file (one example per line, no header; values 0
    /// or 1 for `score`, see --threshold) or an MNIST-style IDX folder.
    #[arg(value_name = "DATA")]
    pub data: PathBuf,

    /// Which split of an IDX folder to score: "t10k" or "train".
    #[arg(long, value_name = "SPLIT", default_value = "t10k", value_parser = ["t10k", "train"])]
    pub split: String,

    /// Write the scores here (CSV with the header line
    /// `index,SCORE,log_probability`, SCORE being free_energy or energy;
    /// index 0 is the first example) instead of to standard output.
    #[arg(long, value_name = "SCORES.csv")]
    pub out: Option<PathBuf>,

    /// Replace SCORES.csv if it exists.
    #[arg(long)]
    pub force: bool,

    /// Print a JSON summary on standard output (needs --out).
    #[arg(long, requires = "out")]
    pub json: bool,
}

impl ScoreFiles {
    /// Refuse, before any work, an output that exists (without --force) or
    /// that is one of the inputs.
    pub fn check_outputs(&self) -> anyhow::Result<()> {
        match &self.out {
            Some(out) => check_outputs(&[out], &[&self.model, &self.data], self.force),
            None => Ok(()),
        }
    }

    /// Write the scores (`name` is the score's column, see [`scores_csv`]),
    /// then the summary: on standard error when the scores went to
    /// standard output.
    pub fn write<R: Serialize>(
        &self,
        name: &str,
        scores: &Array1<f64>,
        log_probabilities: Option<&Array1<f64>>,
        report: &R,
        human_text: fn(&R) -> String,
    ) -> anyhow::Result<()> {
        let table = scores_csv(name, scores, log_probabilities);
        write_output(self.out.as_deref(), &table, self.force)?;
        print_report(report, human_text, self.json, self.out.is_none())
    }
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
    let files = &args.files;
    files.check_outputs()?;
    if let Some(t) = args.threshold
        && !(0.0..1.0).contains(&t)
    {
        return Err(BadInput(format!("--threshold {t}: must lie in [0, 1), e.g. 0.5")).into());
    }
    let model = Model::load(&files.model)?;
    let data = read_binary(args)?;
    check_width(data.ncols(), model.n_visible(), &files.data)?;
    let plan = args.options.plan(&model, &files.model, false)?;
    let free_energies =
        free_energies(&model, data.view()).with_context(|| files.model.display().to_string())?;
    let log_partition = args
        .options
        .run(plan, &model, Some(data.view()))
        .with_context(|| files.model.display().to_string())?;
    // p(v) <= 1; in a sharp model rounding can put -F(v) an ulp above an
    // enumerated log Z, so the logarithm is capped at 0. (An AIS log Z is
    // never below the hard bound from these data, so it needs no cap.)
    let log_probabilities = log_partition
        .as_ref()
        .map(|z| free_energies.mapv(|f| (-f - z.log_partition).min(0.0)));
    let report = ScoreReport {
        model_file: files.model.display().to_string(),
        data_file: files.data.display().to_string(),
        n_examples: data.nrows(),
        mean_free_energy: free_energies.mean().unwrap_or(f64::NAN),
        min_free_energy: free_energies.fold(f64::INFINITY, |a, &b| a.min(b)),
        max_free_energy: free_energies.fold(f64::NEG_INFINITY, |a, &b| a.max(b)),
        mean_log_probability: log_probabilities.as_ref().and_then(|l| l.mean()),
        scores_file: files.out.as_ref().map(|p| p.display().to_string()),
        log_partition,
    };
    files.write(
        "free_energy",
        &free_energies,
        log_probabilities.as_ref(),
        &report,
        human_text,
    )
}

/// The data as 0/1 values: read, then binarised with --threshold or checked.
fn read_binary(args: &Args) -> anyhow::Result<Array2<f64>> {
    let files = &args.files;
    let data = read_intensities(&files.data, &files.split)?;
    if let Some(t) = args.threshold {
        return Ok(data.mapv(|x| if x > t { 1.0 } else { 0.0 }));
    }
    if let Some(((row, col), x)) = data.indexed_iter().find(|(_, x)| **x != 0.0 && **x != 1.0) {
        return Err(BadInput(format!(
            "{}: example {}, value {}: {x} is not 0 or 1; binarise intensities with \
             --threshold 0.5",
            files.data.display(),
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
