//! The cd-bias experiment: contrastive divergence against the exact gradient.
//!
//! Three panels of evidence, every one measured against exact quantities
//! from `bm_exact`:
//! 1. [`bias`]: the exact expected CD-k update (eq. 5.3) against the exact
//!    gradient along a training run, and [`spread`]: sampled CD-k estimates
//!    on minibatches, bias against variance;
//! 2. [`training`]: exact log-likelihood curves under the exact gradient,
//!    CD-k and PCD, with reconstruction error beside them; the better
//!    negative phases (decaying rate, fast PCD, tempering) and centering
//!    against the methods they improve on;
//! 3. [`fixed_points`]: the KL divergences at which CD-1 and maximum
//!    likelihood come to rest on random targets.

pub mod bias;
pub mod common;
pub mod config;
pub mod figures;
pub mod fixed_points;
pub mod spread;
pub mod summary;
pub mod training;

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::output::{Outputs, timed};
use config::CdBiasConfig;

pub const NAME: &str = "cd-bias";
pub const DESCRIPTION: &str =
    "contrastive divergence against the exact gradient: bias, training curves, fixed points";

/// Everything the experiment measured: the contents of `cd-bias.json`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CdBiasResults {
    pub experiment: String,
    pub config: CdBiasConfig,
    pub bias: bias::BiasResults,
    pub spread: spread::SpreadResults,
    pub training: training::TrainingResults,
    pub fixed_points: fixed_points::FixedPointResults,
}

/// Run every panel; deterministic for a given configuration.
pub fn compute(config: &CdBiasConfig) -> Result<CdBiasResults> {
    let small = datasets::bars_and_stripes(config.bias.side, config.bias.side);
    let bias = timed("panel 1 (bias)", || {
        bias::run(&config.bias, &small, config.seed)
    })?;
    let checkpoint = bias
        .checkpoints
        .iter()
        .find(|c| c.iteration == config.spread.checkpoint)
        .context("the spread checkpoint is one of bias.checkpoints")?
        .model
        .to_exact()?;
    let spread = timed("panel 1 (spread of sampled CD-k)", || {
        spread::run(&config.spread, &checkpoint, &small, config.seed)
    })?;
    let large = datasets::bars_and_stripes(config.training.side, config.training.side);
    let training = timed("panel 2 (training curves)", || {
        training::run(&config.training, &large, config.seed)
    })?;
    let fixed_points = timed("panel 3 (fixed points)", || {
        fixed_points::run(&config.fixed_points, config.seed)
    })?;
    Ok(CdBiasResults {
        experiment: NAME.into(),
        config: config.clone(),
        bias,
        spread,
        training,
        fixed_points,
    })
}

/// Load and check the configuration (nothing else happens if it is wrong),
/// compute, and collect the figures, the JSON and the summary table.
pub fn run(config_path: &Path) -> Result<Outputs> {
    let config: CdBiasConfig = crate::config::load(config_path)?;
    let results = compute(&config)?;
    let mut outputs = Outputs::new();
    outputs.add_figure(format!("{NAME}-bias.svg"), figures::bias(&results)?);
    outputs.add_figure(format!("{NAME}-spread.svg"), figures::spread(&results)?);
    outputs.add_figure(
        format!("{NAME}-training.svg"),
        figures::training(&results, config::Group::Basic)?,
    );
    outputs.add_figure(
        format!("{NAME}-negative-phases.svg"),
        figures::training(&results, config::Group::NegativePhase)?,
    );
    outputs.add_figure(
        format!("{NAME}-centering.svg"),
        figures::training(&results, config::Group::Centering)?,
    );
    outputs.add_figure(
        format!("{NAME}-fixed-points.svg"),
        figures::fixed_points(&results)?,
    );
    outputs.add_figure(format!("{NAME}.json"), crate::output::to_json(&results)?);
    outputs.add_generated(format!("{NAME}-summary.md"), summary::markdown(&results));
    outputs.add_generated(
        format!("{NAME}-comparisons.md"),
        summary::comparisons_markdown(&results),
    );
    Ok(outputs)
}
