//! The ais-vs-exact experiment: annealed importance sampling against exact
//! log Z, and parallel tempering against plain Gibbs sampling.
//!
//! 1. [`models`] trains RBMs on real digits (20 hidden units, so `bm_exact`
//!    still enumerates log Z) and on bars-and-stripes; [`ais_sweep`] runs
//!    AIS on each with growing numbers of inverse temperatures and of
//!    chains, several seeds each, and records the error against the exact
//!    value and whether the error bar contains it.
//! 2. [`mixing`] compares parallel tempering with block Gibbs on a
//!    multimodal RBM by the total variation distance of their samples from
//!    the exact p(v).

pub mod ais_sweep;
pub mod claims;
pub mod config;
pub mod figures;
pub mod mixing;
pub mod models;
pub mod summary;

use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::output::{Outputs, timed};
use config::AisVsExactConfig;

pub const NAME: &str = "ais-vs-exact";
pub const DESCRIPTION: &str =
    "AIS log Z against exact enumeration (error vs temperatures and chains); tempering vs Gibbs";

// The purposes of the random streams (see `crate::streams`).
/// Hinton's initialisation of each trained model (keyed by its `train.seed`).
const STREAM_INIT: u32 = 1;
/// One AIS run: indexed by model, setting and seed.
const STREAM_AIS: u32 = 2;
/// The block-Gibbs chains of one repeat of the mixing comparison.
const STREAM_GIBBS: u32 = 3;
/// The tempering chains of one repeat of the mixing comparison.
const STREAM_TEMPERING: u32 = 4;

/// Everything the experiment measured: the contents of `ais-vs-exact.json`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AisVsExactResults {
    pub experiment: String,
    pub config: AisVsExactConfig,
    pub models: Vec<models::ModelSummary>,
    pub sweeps: Vec<ais_sweep::ModelSweeps>,
    /// Forward runs whose error bar contains the exact log Z, of all runs.
    pub runs_containing_exact: usize,
    pub runs_total: usize,
    pub mixing: mixing::MixingResults,
}

/// Run both parts; deterministic for a given configuration.
pub fn compute(config: &AisVsExactConfig) -> Result<AisVsExactResults> {
    let trained = timed("training the models and exact log Z", || {
        models::train_all(config)
    })?;
    let mut sweeps = Vec::new();
    for (i, model) in trained.iter().enumerate() {
        let what = format!("AIS sweeps on {}", model.summary.name);
        sweeps.push(timed(&what, || {
            ais_sweep::run(model, &config.ais, config.seed, (i, trained.len()))
        })?);
    }
    let (runs_containing_exact, runs_total) = ais_sweep::forward_coverage(&sweeps);
    let mixing = timed("tempering vs Gibbs", || {
        mixing::run(&config.mixing, config.seed)
    })?;
    Ok(AisVsExactResults {
        experiment: NAME.into(),
        config: config.clone(),
        models: trained.into_iter().map(|m| m.summary).collect(),
        sweeps,
        runs_containing_exact,
        runs_total,
        mixing,
    })
}

/// Load and check the configuration (nothing else happens if it is wrong),
/// compute, and collect the figures, the JSON and the summary tables.
pub fn run(config_path: &Path) -> Result<Outputs> {
    let config: AisVsExactConfig = crate::config::load(config_path)?;
    let results = compute(&config)?;
    let mut outputs = Outputs::new();
    outputs.add_figure(format!("{NAME}-betas.svg"), figures::betas(&results)?);
    outputs.add_figure(format!("{NAME}-chains.svg"), figures::chains(&results)?);
    outputs.add_figure(format!("{NAME}-mixing.svg"), figures::mixing(&results)?);
    outputs.add_figure(format!("{NAME}.json"), crate::output::to_json(&results)?);
    outputs.add_generated(format!("{NAME}-ais.md"), summary::ais_markdown(&results));
    outputs.add_generated(
        format!("{NAME}-mixing.md"),
        summary::mixing_markdown(&results),
    );
    Ok(outputs)
}
