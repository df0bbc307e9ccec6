//! The mnist-rbm experiment: RBMs with 500 hidden units trained on the
//! shipped digits with CD-1, CD-3, CD-25 and PCD, scored by annealed
//! importance sampling, after Salakhutdinov & Murray (2008).
//!
//! 1. [`data`]: the digits of `data/mnist-10k`, binarised once;
//! 2. [`training`]: one model per estimator, all with the same settings and
//!    epochs, with the free-energy gap and reconstruction error per epoch;
//! 3. [`evaluation`]: log Z by AIS, and the mean log-probability of the test
//!    and training digits with error bars; for a small model also exactly;
//! 4. [`samples`]: long Gibbs chains and the filters;
//! 5. [`figures`] and [`summary`]: the figures, the JSON and the table.

pub mod claims;
pub mod config;
pub mod data;
pub mod evaluation;
pub mod figures;
pub mod samples;
pub mod summary;
pub mod training;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ndarray::Array2;
use rbm::{AisSchedule, Rbm};
use serde::{Deserialize, Serialize};

use crate::output::{Outputs, timed};
use config::MnistRbmConfig;
use data::Digits;
use evaluation::{Evaluation, ExactCheck};
use samples::ChainSummary;
use training::TrainingRun;

pub const NAME: &str = "mnist-rbm";
pub const DESCRIPTION: &str =
    "RBMs on the shipped MNIST digits: CD-1, CD-3, CD-25 and PCD scored by AIS, filters, samples";

/// Salakhutdinov & Murray (2008), table 2: mean test log-probability of
/// RBMs with 500 hidden units on the full (binarised) MNIST, in nats.
pub const SALAKHUTDINOV_MURRAY: [(&str, f64); 3] =
    [("CD-1", -125.5), ("CD-3", -105.5), ("CD-25", -86.3)];

/// Each purpose and model (index) has its own stream.
pub use crate::streams::stream;

pub const STREAM_BINARIZE: u32 = 1;
pub const STREAM_INIT: u32 = 2;
pub const STREAM_TRAIN: u32 = 3;
pub const STREAM_AIS: u32 = 4;
pub const STREAM_SAMPLES: u32 = 5;

/// The index of the small model's streams (the large ones use 0, 1, ...,
/// and the configuration check keeps them below this: at most
/// `SMALL_MODEL` entries in `models.estimators`).
pub const SMALL_MODEL: u32 = 1000;

/// One large model: its training curves and what AIS says about it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelResult {
    pub training: TrainingRun,
    pub evaluation: Evaluation,
    /// Mean free energy of the test digits, eq. (2.3).
    pub test_mean_free_energy: f64,
}

/// The small model: AIS against the exact answer.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmallResult {
    pub training: TrainingRun,
    pub evaluation: Evaluation,
    pub exact: ExactCheck,
}

/// A published number for comparison.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub model: String,
    pub test_log_probability: f64,
    pub source: String,
}

/// Everything the experiment measured: the contents of `mnist-rbm.json`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MnistRbmResults {
    pub experiment: String,
    pub config: MnistRbmConfig,
    pub n_train: usize,
    pub n_test: usize,
    /// Mean number of pixels on per binarised training digit.
    pub train_mean_pixels_on: f64,
    pub models: Vec<ModelResult>,
    pub small: SmallResult,
    pub samples: Vec<ChainSummary>,
    pub reference: Vec<Reference>,
}

/// The images of the PNG figures, one per row, 0 black and 1 white.
pub struct Images {
    pub image_shape: (usize, usize),
    /// Blocks of `n_chains` rows of `n_snapshots` images, one block per
    /// sampled model, separated by a row of grey images.
    pub samples: Array2<f32>,
    pub samples_per_row: usize,
    pub filters: Array2<f32>,
}

/// The workspace root: the folder above this package.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the experiments package sits inside the workspace")
        .to_path_buf()
}

/// Train, evaluate and sample one large model.
fn large_model(
    config: &MnistRbmConfig,
    digits: &Digits,
    schedule: &AisSchedule,
    base: &ndarray::Array1<f32>,
    index: usize,
) -> Result<(Rbm, ModelResult)> {
    let estimator = config.models.estimators[index];
    let name = config::estimator_name(&estimator);
    let index = index as u32;
    let (rbm, training) = timed(&format!("training {name}"), || {
        training::train(
            config.models.n_hidden,
            estimator,
            config.models.final_momentum_for(&estimator),
            &config.training,
            digits,
            config.seed,
            index,
        )
    })?;
    let evaluation = timed(&format!("AIS for {name}"), || {
        evaluation::evaluate(
            &rbm,
            digits,
            base.view(),
            schedule,
            config.ais.n_chains,
            &mut stream(config.seed, STREAM_AIS, index),
        )
    })?;
    let test_mean_free_energy = rbm
        .free_energy(digits.test.view())
        .iter()
        .map(|&f| f64::from(f))
        .sum::<f64>()
        / digits.test.nrows() as f64;
    Ok((
        rbm,
        ModelResult {
            training,
            evaluation,
            test_mean_free_energy,
        },
    ))
}

/// Train the small model, and compare AIS with exact enumeration.
pub fn small_model(
    config: &MnistRbmConfig,
    digits: &Digits,
    schedule: &AisSchedule,
    base: &ndarray::Array1<f32>,
) -> Result<(Rbm, SmallResult)> {
    let (rbm, training) = train_small(config, digits)?;
    let evaluation = evaluation::evaluate(
        &rbm,
        digits,
        base.view(),
        schedule,
        config.ais.n_chains,
        &mut stream(config.seed, STREAM_AIS, SMALL_MODEL),
    )?;
    let exact = timed("exact log Z of the small model", || {
        evaluation::exact_check(&rbm, digits, &evaluation)
    })?;
    Ok((
        rbm,
        SmallResult {
            training,
            evaluation,
            exact,
        },
    ))
}

/// The small model alone, as the experiment trains it (for tests that
/// recompute its exact log Z).
pub fn train_small(config: &MnistRbmConfig, digits: &Digits) -> Result<(Rbm, TrainingRun)> {
    training::train(
        config.small.n_hidden,
        config.small.estimator,
        config.models.final_momentum_for(&config.small.estimator),
        &config.training,
        digits,
        config.seed,
        SMALL_MODEL,
    )
}

/// Load the digits of a configuration (relative to the workspace root).
pub fn load_digits(config: &MnistRbmConfig) -> Result<Digits> {
    data::load(&config.data, &workspace_root(), config.seed)
}

/// Run the whole experiment; deterministic for a given configuration.
pub fn compute(config: &MnistRbmConfig) -> Result<(MnistRbmResults, Images)> {
    let digits = timed("loading the digits", || load_digits(config))?;
    let base = rbm::base_rate_visible_bias(digits.train.view());
    let schedule = AisSchedule::scaled(config.ais.n_betas).context("the AIS schedule")?;
    let mut models = Vec::new();
    let mut rbms = Vec::new();
    for index in 0..config.models.estimators.len() {
        let (rbm, result) = large_model(config, &digits, &schedule, &base, index)?;
        let _ = writeln!(
            std::io::stderr(),
            "    {}: test log p = {:.2} nats, log Z = {:.2}, ESS = {:.1}",
            result.training.name,
            result.evaluation.test_log_probability.estimate,
            result.evaluation.log_partition.estimate,
            result.evaluation.effective_sample_size
        );
        rbms.push(rbm);
        models.push(result);
    }
    let (_, small) = timed("the small model", || {
        small_model(config, &digits, &schedule, &base)
    })?;
    let by_name = |name: &str| {
        models
            .iter()
            .position(|m| m.training.name == name)
            .map(|i| &rbms[i])
            .with_context(|| format!("no model named {name}"))
    };
    let (samples, sample_images) = timed("long Gibbs chains", || {
        chains(config, &by_name, digits.train.ncols())
    })?;
    let filters = samples::filter_images(by_name(&config.filters.model)?, config.filters.n_filters);
    let results = MnistRbmResults {
        experiment: NAME.into(),
        config: config.clone(),
        n_train: digits.train.nrows(),
        n_test: digits.test.nrows(),
        train_mean_pixels_on: digits.train.sum() as f64 / digits.train.nrows() as f64,
        models,
        small,
        samples,
        reference: SALAKHUTDINOV_MURRAY
            .iter()
            .map(|&(model, value)| Reference {
                model: model.into(),
                test_log_probability: value,
                source: "Salakhutdinov & Murray (2008), full MNIST, 500 hidden units".into(),
            })
            .collect(),
    };
    let images = Images {
        image_shape: digits.image_shape,
        samples: sample_images,
        samples_per_row: config.samples.n_snapshots,
        filters,
    };
    Ok((results, images))
}

/// The chains of every model named in `samples.models`, their images
/// stacked with a row of grey images between two models.
fn chains<'a>(
    config: &MnistRbmConfig,
    by_name: &dyn Fn(&str) -> Result<&'a Rbm>,
    n_visible: usize,
) -> Result<(Vec<ChainSummary>, Array2<f32>)> {
    let s = &config.samples;
    let mut summaries = Vec::new();
    let mut rows: Vec<Array2<f32>> = Vec::new();
    for (i, name) in s.models.iter().enumerate() {
        if i > 0 {
            rows.push(Array2::from_elem((s.n_snapshots, n_visible), 0.5));
        }
        let (summary, images) = samples::run(
            name,
            by_name(name)?,
            s.n_chains,
            s.n_snapshots,
            s.snapshot_every,
            &mut stream(config.seed, STREAM_SAMPLES, i as u32),
        );
        summaries.push(summary);
        rows.push(images);
    }
    let views: Vec<_> = rows.iter().map(|r| r.view()).collect();
    let stacked = ndarray::concatenate(ndarray::Axis(0), &views).context("stacking the samples")?;
    Ok((summaries, stacked))
}

/// A configuration path as the table shows it: relative to the workspace.
fn shown_path(path: &Path) -> String {
    let root = workspace_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Load and check the configuration (nothing else happens if it is wrong),
/// compute, and collect the figures, the JSON and the summary table.
pub fn run(config_path: &Path) -> Result<Outputs> {
    let config: MnistRbmConfig = crate::config::load(config_path)?;
    let (results, images) = compute(&config)?;
    let mut outputs = Outputs::new();
    outputs.add_figure(format!("{NAME}-gap.svg"), figures::gap(&results)?);
    outputs.add_figure(
        format!("{NAME}-logprob.svg"),
        figures::log_probability(&results)?,
    );
    outputs.add_binary_figure(
        format!("{NAME}-filters.png"),
        figures::png_grid(&images.filters, images.image_shape, 10)?,
    );
    outputs.add_binary_figure(
        format!("{NAME}-samples.png"),
        figures::png_grid(&images.samples, images.image_shape, images.samples_per_row)?,
    );
    outputs.add_figure(format!("{NAME}.json"), crate::output::to_json(&results)?);
    outputs.add_generated(
        format!("{NAME}-summary.md"),
        summary::markdown(&results, &shown_path(config_path)),
    );
    Ok(outputs)
}
