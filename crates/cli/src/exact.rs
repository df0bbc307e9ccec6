//! `boltzmann exact`: solve a small model exactly by enumeration.
//!
//! Prints log Z (eq. 3.1-3.3 in the book) and, with data, the mean
//! log-likelihood (eq. 4.1); writes the exact gradient (eq. 4.3-4.5) or the
//! exact expected CD-k update (eq. 5.3) on request.

use std::path::{Path, PathBuf};

use anyhow::Context;
use bm_exact::{ExactError, MAX_TABLE_UNITS, Model, Parameters, Rbm, check_enumerable};
use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use crate::common::{check_outputs, print_report};
use crate::model::format_name;
use crate::report::BadInput;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a TOML file with format = "rbm", "bm" or "dbn".
    #[arg(value_name = "MODEL.toml")]
    model: PathBuf,

    /// Binary data, one example per line, values 0 or 1 separated by commas,
    /// no header: report the mean log-likelihood in nats per example.
    #[arg(long, value_name = "DATA.csv")]
    data: Option<PathBuf>,

    /// Write the exact gradient of the mean log-likelihood on the data to
    /// this file (TOML, format = "gradient").
    #[arg(long, value_name = "OUT.toml", requires = "data")]
    gradient: Option<PathBuf>,

    /// Write the exact expected CD-K update instead of the gradient (RBMs
    /// only; K Gibbs steps, 1 to 1000000).
    #[arg(long, value_name = "K", requires = "gradient",
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    cd: Option<u64>,

    /// Replace OUT.toml if it exists.
    #[arg(long)]
    force: bool,

    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// What `--gradient` writes, checked against the model before any work.
enum GradientPlan<'a> {
    LogLikelihood(&'a Model),
    ExpectedCd(&'a Rbm, usize),
}

/// Everything the command found; printed as text or as JSON.
#[derive(Serialize)]
struct ExactReport {
    model_file: String,
    model_format: &'static str,
    n_visible: usize,
    n_hidden: usize,
    log_partition: f64,
    n_states_enumerated: u64,
    #[serde(flatten)]
    data: Option<DataReport>,
    #[serde(flatten)]
    gradient: Option<GradientReport>,
}

#[derive(Serialize)]
struct DataReport {
    data_file: String,
    n_examples: usize,
    mean_log_likelihood: f64,
    /// Entropy of the empirical distribution; minus it is the best possible
    /// mean log-likelihood.
    data_entropy: f64,
}

#[derive(Serialize)]
struct GradientReport {
    gradient_file: String,
    /// "log_likelihood" or "expected_cd".
    gradient_kind: &'static str,
    cd_steps: Option<usize>,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    check_format(&args.model)?;
    if crate::dbn::is_dbn_file(&args.model) {
        let gradient = args.gradient.is_some();
        return crate::dbn::exact::run(&args.model, args.data.as_ref(), gradient, args.json);
    }
    if let Some(out) = &args.gradient {
        let inputs: Vec<&Path> = std::iter::once(args.model.as_path())
            .chain(args.data.as_deref())
            .collect();
        check_outputs(&[out], &inputs, args.force)?;
    }
    let model = Model::load(&args.model)?;
    let plan = args
        .gradient
        .as_ref()
        .map(|_| gradient_plan(&model, args.cd, &args.model))
        .transpose()?;
    check_size(&model, plan.as_ref()).with_context(|| args.model.display().to_string())?;
    let data = match &args.data {
        Some(path) => Some(read_data(path, model.n_visible(), &args.model)?),
        None => None,
    };

    let log_partition = model
        .log_partition()
        .with_context(|| args.model.display().to_string())?;
    let data_report = match (&args.data, &data) {
        (Some(path), Some(data)) => Some(DataReport {
            data_file: path.display().to_string(),
            n_examples: data.nrows(),
            mean_log_likelihood: mean_log_likelihood(&model, data.view(), log_partition)?,
            data_entropy: bm_exact::empirical_entropy(data.view()),
        }),
        _ => None,
    };
    let gradient_report = match (&args.gradient, plan, &data) {
        (Some(out), Some(plan), Some(data)) => {
            Some(write_gradient(out, &plan, data.view(), args.force)?)
        }
        _ => None,
    };

    let report = ExactReport {
        model_file: args.model.display().to_string(),
        model_format: format_name(&model),
        n_visible: model.n_visible(),
        n_hidden: model.n_hidden(),
        log_partition,
        n_states_enumerated: model.n_states_enumerated(),
        data: data_report,
        gradient: gradient_report,
    };
    print_report(&report, human_text, args.json, false)
}

/// A file whose `format` no reader here knows (say "gaussian-rbm") is named
/// as such, rather than by the first field the "rbm" reader does not know.
fn check_format(path: &Path) -> Result<(), BadInput> {
    let format = bm_exact::read_model_text(path)
        .ok()
        .and_then(|text| dbn::format_of(&text));
    match format {
        Some(f) if !["rbm", "bm", "dbn"].contains(&f.as_str()) => Err(BadInput(format!(
            "{}: field `format`: {f:?} is not a format that exact solves; \
             expected \"rbm\", \"bm\" or \"dbn\"",
            path.display()
        ))),
        _ => Ok(()),
    }
}

fn gradient_plan<'a>(
    model: &'a Model,
    cd_steps: Option<u64>,
    model_path: &Path,
) -> Result<GradientPlan<'a>, BadInput> {
    match (cd_steps, model) {
        (None, model) => Ok(GradientPlan::LogLikelihood(model)),
        (Some(k), Model::Rbm(rbm)) => Ok(GradientPlan::ExpectedCd(rbm, k as usize)),
        (Some(_), Model::Bm(_)) => Err(BadInput(format!(
            "{}: --cd needs an RBM (format = \"rbm\"), but this model has format = \"bm\"; \
             CD-k is defined here for RBMs: drop --cd to write the exact log-likelihood gradient",
            model_path.display()
        ))),
    }
}

/// Refuse a model too large to enumerate with the same limits as bm-exact,
/// but before the data is read and before any state is visited.
fn check_size(model: &Model, plan: Option<&GradientPlan>) -> Result<(), ExactError> {
    crate::model::check_size(model)?;
    let n_units = model.n_visible() + model.n_hidden();
    match plan {
        Some(GradientPlan::ExpectedCd(..)) => {
            check_enumerable("the exact expected CD-k update", n_units, MAX_TABLE_UNITS)
        }
        Some(GradientPlan::LogLikelihood(Model::Bm(_))) => check_enumerable(
            "the gradient of this Boltzmann machine",
            n_units,
            MAX_TABLE_UNITS,
        ),
        _ => Ok(()),
    }
}

/// Binary data with one value per visible unit of the model.
pub fn read_data(path: &Path, n_visible: usize, model_path: &Path) -> anyhow::Result<Array2<f64>> {
    let data = datasets::read_binary_csv(path)?;
    if data.ncols() != n_visible {
        return Err(BadInput(format!(
            "{}: each example has {} values but the model {} has {} visible units; \
             the data and the model must have the same width",
            path.display(),
            data.ncols(),
            model_path.display(),
            n_visible
        ))
        .into());
    }
    Ok(data)
}

/// The mean log-likelihood -mean F(v) - log Z, eq. (4.1), reusing log Z
/// (the most expensive number here) rather than computing it again.
fn mean_log_likelihood(
    model: &Model,
    data: ArrayView2<f64>,
    log_partition: f64,
) -> Result<f64, ExactError> {
    let mut total_free_energy = 0.0;
    for v in data.rows() {
        total_free_energy += match model {
            Model::Rbm(rbm) => rbm.free_energy(v),
            Model::Bm(bm) => bm.free_energy(v)?,
        };
    }
    Ok(-total_free_energy / data.nrows() as f64 - log_partition)
}

fn write_gradient(
    out: &Path,
    plan: &GradientPlan,
    data: ArrayView2<f64>,
    force: bool,
) -> anyhow::Result<GradientReport> {
    let (params, kind, cd_steps): (Parameters, _, _) = match plan {
        GradientPlan::LogLikelihood(model) => {
            (model.log_likelihood_gradient(data)?, "log_likelihood", None)
        }
        GradientPlan::ExpectedCd(rbm, k) => {
            (rbm.expected_cd_update(data, *k)?, "expected_cd", Some(*k))
        }
    };
    bm_exact::write_file(
        out,
        &bm_exact::parameters_to_toml("gradient", &params),
        force,
    )?;
    Ok(GradientReport {
        gradient_file: out.display().to_string(),
        gradient_kind: kind,
        cd_steps,
    })
}

fn human_text(r: &ExactReport) -> String {
    let mut lines = vec![
        format!(
            "model {}: {} with {} visible and {} hidden units",
            r.model_file, r.model_format, r.n_visible, r.n_hidden
        ),
        format!(
            "log Z = {:.12} (enumerated 2^{} = {} states)",
            r.log_partition,
            r.n_states_enumerated.trailing_zeros(),
            r.n_states_enumerated
        ),
    ];
    if let Some(d) = &r.data {
        lines.push(format!(
            "mean log-likelihood = {:.6} nats per example ({} examples; optimum {:.6} = minus the data entropy)",
            d.mean_log_likelihood, d.n_examples, -d.data_entropy
        ));
    }
    if let Some(g) = &r.gradient {
        let what = match g.cd_steps {
            Some(k) => format!("the exact expected CD-{k} update"),
            None => "the exact gradient of the mean log-likelihood".to_string(),
        };
        lines.push(format!("wrote {what} to {}", g.gradient_file));
    }
    lines.join("\n") + "\n"
}
