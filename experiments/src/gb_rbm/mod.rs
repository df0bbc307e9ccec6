//! The gb-rbm experiment: the advice of the Gaussian-Bernoulli chapter,
//! measured. Gaussian-Bernoulli RBMs are trained on the 8x8 digits
//! (dequantised, standardised, a random train/test split) over a grid of
//! learning rates, CD-1 against PCD, and unit against learned variances,
//! and each is scored by its log-likelihood per image: by AIS
//! (eq. 9.9-9.11) with an error bar, and by the closed form (9.5) where the
//! hidden layer is small enough, which checks the AIS numbers on the same
//! models.

pub mod config;
pub mod data;
pub mod figures;
pub mod runs;
pub mod summary;

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::output::Outputs;
use config::GbRbmConfig;

pub const NAME: &str = "gb-rbm";
pub const DESCRIPTION: &str = "Gaussian-Bernoulli RBMs on the 8x8 digits: learning rates, CD-1 vs PCD, learned vs unit variances, scored by AIS and exact log Z";

/// Everything the experiment measured: the contents of `gb-rbm.json`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GbRbmResults {
    pub experiment: String,
    pub config: GbRbmConfig,
    /// -sum_j log s_j: the shift from standardised to pixel units.
    pub log_density_offset: f64,
    pub runs: Vec<runs::Run>,
}

/// The workspace root: the folder above the experiments package.
fn workspace_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Train and measure every cell of the grid, in parallel; deterministic for
/// a given configuration (each cell has its own random streams).
pub fn compute(config: &GbRbmConfig) -> Result<GbRbmResults> {
    let data = data::load(&config.data, workspace_root(), config.seed)?;
    let cells: Vec<(runs::Setting, usize)> = runs::settings(config)
        .into_iter()
        .flat_map(|s| (0..config.training.n_repeats).map(move |r| (s, r)))
        .collect();
    let started = std::time::Instant::now();
    let runs = cells
        .par_iter()
        .enumerate()
        .map(|(i, &(setting, repeat))| {
            runs::train_and_measure(config, &data, setting, repeat, i as u32)
        })
        .collect::<Result<Vec<_>>>()?;
    let _ = writeln!(
        std::io::stderr(),
        "  {} models trained and scored: {:.1} s",
        runs.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(GbRbmResults {
        experiment: NAME.into(),
        config: config.clone(),
        log_density_offset: data.log_density_offset,
        runs,
    })
}

/// Load and check the configuration (nothing else happens if it is wrong),
/// compute, and collect the figure, the JSON and the summary.
pub fn run(config_path: &Path) -> Result<Outputs> {
    let config: GbRbmConfig = crate::config::load(config_path)?;
    let results = compute(&config).map_err(|e| match e.downcast::<data::TooFewDigits>() {
        Ok(too_few) => crate::config::ConfigError::Field {
            path: config_path.to_path_buf(),
            field: "data.n_test".into(),
            problem: too_few.0,
        }
        .into(),
        Err(e) => e,
    })?;
    let mut outputs = Outputs::new();
    outputs.add_figure(
        format!("{NAME}-learning-rates.svg"),
        figures::learning_rates(&results)?,
    );
    outputs.add_figure(format!("{NAME}.json"), crate::output::to_json(&results)?);
    outputs.add_generated(format!("{NAME}-summary.md"), summary::markdown(&results));
    Ok(outputs)
}
