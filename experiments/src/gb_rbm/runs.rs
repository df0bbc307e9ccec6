//! One cell of the grid: train a Gaussian-Bernoulli RBM with one setting and
//! one seed, then measure its log-likelihood on the training and test digits
//! by AIS and, for small hidden layers, by the closed form (9.5).

use anyhow::Result;
use ndarray::ArrayView2;
use rbm::{AisEstimate, AisSchedule, Estimator, GaussianRbm, gaussian_ais, train_gaussian};
use serde::{Deserialize, Serialize};

use super::config::{GbRbmConfig, exact_feasible};
use super::data::RealDigits;
use crate::streams::stream;

const STREAM_INIT: u32 = 3;
const STREAM_TRAIN: u32 = 4;
const STREAM_AIS: u32 = 5;

/// One setting of the grid.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    pub n_hidden: usize,
    pub learning_rate: f32,
    pub estimator: Estimator,
    pub learn_variance: bool,
}

impl Setting {
    /// "CD-1" or "PCD-1", and the variances: for tables and legends.
    pub fn method(&self) -> String {
        let estimator = match self.estimator {
            Estimator::Cd { k } => format!("CD-{k}"),
            Estimator::Pcd { k, .. } => format!("PCD-{k}"),
        };
        let variance = if self.learn_variance {
            "learned variances"
        } else {
            "unit variances"
        };
        format!("{estimator}, {variance}")
    }
}

/// Every setting of the grid, in the order of the configuration's lists.
pub fn settings(config: &GbRbmConfig) -> Vec<Setting> {
    let t = &config.training;
    let mut out = Vec::new();
    for &n_hidden in &t.n_hidden {
        for &estimator in &t.estimators {
            for &learn_variance in &t.learn_variance {
                for &learning_rate in &t.learning_rates {
                    out.push(Setting {
                        n_hidden,
                        learning_rate,
                        estimator,
                        learn_variance,
                    });
                }
            }
        }
    }
    out
}

/// A mean log-likelihood in nats per image on the dequantised pixel scale:
/// by AIS with its error bar, and exactly where the hidden layer is small.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogLikelihood {
    pub ais: f64,
    /// The ends of the AIS bar; None where the bar is unbounded.
    pub ais_low: Option<f64>,
    pub ais_high: Option<f64>,
    pub exact: Option<f64>,
}

/// What one trained model measured.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Run {
    pub setting: Setting,
    pub repeat: usize,
    /// The trainer's message if the parameters stopped being finite.
    pub diverged: Option<String>,
    pub log_partition_ais: Option<f64>,
    pub log_partition_low: Option<f64>,
    pub log_partition_high: Option<f64>,
    pub log_partition_exact: Option<f64>,
    pub effective_sample_size: Option<f64>,
    pub ais_reliable: Option<bool>,
    pub train: Option<LogLikelihood>,
    pub test: Option<LogLikelihood>,
    /// The mean of sigma_j^2 over the visible units at the end.
    pub mean_variance: Option<f64>,
}

impl Run {
    /// A run of `setting` with nothing measured yet.
    pub fn unmeasured(setting: Setting, repeat: usize) -> Self {
        Run {
            setting,
            repeat,
            diverged: None,
            log_partition_ais: None,
            log_partition_low: None,
            log_partition_high: None,
            log_partition_exact: None,
            effective_sample_size: None,
            ais_reliable: None,
            train: None,
            test: None,
            mean_variance: None,
        }
    }

    /// Whether the AIS bar of log Z contains the exact value (None when
    /// there is no exact value or no estimate).
    pub fn ais_contains_exact(&self) -> Option<bool> {
        let exact = self.log_partition_exact?;
        Some(self.log_partition_low? <= exact && exact <= self.log_partition_high?)
    }
}

/// Train the model of `setting`, repeat `repeat` (stream index `index`),
/// and measure it.
pub fn train_and_measure(
    config: &GbRbmConfig,
    data: &RealDigits,
    setting: Setting,
    repeat: usize,
    index: u32,
) -> Result<Run> {
    let seed = config.seed;
    let mut rbm = GaussianRbm::initialise(
        setting.n_hidden,
        data.train.view(),
        &mut stream(seed, STREAM_INIT, index),
    );
    let train_config = config.training.train_config(
        setting.learning_rate,
        setting.estimator,
        setting.learn_variance,
    );
    let mut run = Run::unmeasured(setting, repeat);
    let trained = train_gaussian(
        &mut rbm,
        data.train.view(),
        &train_config,
        &mut stream(seed, STREAM_TRAIN, index),
    );
    if let Err(e) = trained {
        run.diverged = Some(e.to_string());
        return Ok(run);
    }
    let schedule = AisSchedule::scaled(config.ais.n_betas)?;
    let estimate = gaussian_ais(
        &rbm,
        &schedule,
        config.ais.n_chains,
        &mut stream(seed, STREAM_AIS, index),
    )?;
    let exact = if exact_feasible(setting.n_hidden) {
        Some(rbm.log_partition_exact()?)
    } else {
        None
    };
    let measure = |v: ArrayView2<f32>| log_likelihood(&rbm, v, &estimate, exact, data);
    run.train = Some(measure(data.train.view())?);
    run.test = Some(measure(data.test.view())?);
    run.log_partition_ais = finite(estimate.log_partition);
    run.log_partition_low = finite(estimate.log_partition_low);
    run.log_partition_high = finite(estimate.log_partition_high);
    run.log_partition_exact = exact;
    run.effective_sample_size = Some(estimate.effective_sample_size);
    run.ais_reliable = Some(estimate.is_reliable());
    run.mean_variance = rbm.variance().mapv(f64::from).mean();
    Ok(run)
}

/// -mean F(v) - log Z on the pixel scale, by AIS and (if given) exactly.
fn log_likelihood(
    rbm: &GaussianRbm,
    v: ArrayView2<f32>,
    estimate: &AisEstimate,
    exact_log_partition: Option<f64>,
    data: &RealDigits,
) -> Result<LogLikelihood> {
    let offset = data.log_density_offset;
    let (ais, low, high) = rbm::gaussian_mean_log_probability(rbm, v, estimate)?;
    let mean_free_energy = rbm.mean_free_energy_exact(v)?;
    Ok(LogLikelihood {
        ais: ais + offset,
        ais_low: finite(low + offset),
        ais_high: finite(high + offset),
        exact: exact_log_partition.map(|z| -mean_free_energy - z + offset),
    })
}

/// JSON has no infinities: an unbounded end of a bar is left out.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
