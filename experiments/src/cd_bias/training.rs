//! Panel 2: training curves. RBMs on bars-and-stripes trained full-batch
//! with the exact gradient, CD-k and PCD, with the exact log-likelihood and
//! the reconstruction error tracked along the way (Fischer and Igel, 2010).

use anyhow::{Context, Result};
use ndarray::{Array2, ArrayView2};
use rand::RngCore;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::common::{PANEL_TRAINING, RbmJson, stream};
use super::config::{Method, TrainingConfig};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingResults {
    pub n_visible: usize,
    pub n_hidden: usize,
    pub n_examples: usize,
    /// -H(data): no model has a higher mean log-likelihood.
    pub optimum_log_likelihood: f64,
    pub runs: Vec<Run>,
}

/// One training run and its curves, measured every `eval_every` iterations.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Run {
    pub method: String,
    pub learning_rate: f64,
    /// Which seed of the configuration (0, 1, ...): the same start for every method.
    pub seed_index: usize,
    pub iterations: Vec<usize>,
    /// Exact mean log-likelihood in nats, eq. (4.1).
    pub log_likelihood: Vec<f64>,
    pub reconstruction_error: Vec<f64>,
    pub peak_log_likelihood: f64,
    pub peak_iteration: usize,
    pub final_log_likelihood: f64,
    /// The log-likelihood rose to a peak and then fell by more than
    /// `fall_threshold` by the end.
    pub rose_then_fell: bool,
    pub final_model: RbmJson,
}

/// Within the purpose `PANEL_TRAINING`, index `seed_index` (below
/// `RUN_STREAMS`) draws the starting model of a seed, and index
/// `RUN_STREAMS + run_index` the key of run `run_index`'s trainer. The
/// configuration check keeps `n_seeds <= RUN_STREAMS` and the number of runs
/// at most `u32::MAX - RUN_STREAMS` ([`MAX_RUNS`]), so the two ranges never meet.
pub const RUN_STREAMS: u32 = 1_000_000;

/// The most runs (methods x learning rates x seeds) one configuration may ask for.
pub const MAX_RUNS: usize = (u32::MAX - RUN_STREAMS) as usize;

/// The same starting model for every method and learning rate of a seed:
/// Hinton's initialisation (small weights, visible biases from the data).
fn start(data: ArrayView2<f32>, n_hidden: usize, seed: u64, seed_index: usize) -> rbm::Rbm {
    let mut rng = stream(seed, PANEL_TRAINING, seed_index as u32);
    rbm::Rbm::initialise(n_hidden, data, &mut rng)
}

/// Plain full-batch gradient ascent: no momentum, no weight decay, so that
/// the methods differ only in their gradient estimate (and, for the
/// decaying rate, its step size).
pub fn train_config(method: Method, learning_rate: f64, rng_seed: u64) -> rbm::TrainConfig {
    let mut config = rbm::TrainConfig {
        learning_rate: learning_rate as f32,
        initial_momentum: 0.0,
        final_momentum: 0.0,
        momentum_switch_epoch: 0,
        weight_decay: 0.0,
        batch_size: usize::MAX,
        epochs: 1,
        // Exact updates go through `Trainer::apply` and never use it.
        estimator: rbm::Estimator::Cd { k: 1 },
        seed: rng_seed,
        ..rbm::TrainConfig::default()
    };
    let centred = |rate: Option<f64>| {
        rate.map(|r| rbm::CenteringConfig {
            offset_rate: r as f32,
        })
    };
    match method {
        Method::Exact => {}
        Method::Cd { k, centering } => {
            config.estimator = rbm::Estimator::Cd { k };
            config.centering = centred(centering);
        }
        Method::Pcd {
            k,
            n_chains,
            decay_time,
            centering,
        } => {
            config.estimator = rbm::Estimator::Pcd { k, n_chains };
            config.learning_rate_decay_time = decay_time.map(|t| t as f32);
            config.centering = centred(centering);
        }
        Method::Fpcd {
            k,
            n_chains,
            fast_learning_rate,
            fast_decay,
        } => {
            config.estimator = rbm::Estimator::Pcd { k, n_chains };
            config.fast_weights = Some(rbm::FastWeightsConfig {
                learning_rate: fast_learning_rate as f32,
                decay: fast_decay as f32,
            });
        }
        Method::Pt {
            k,
            n_chains,
            n_temperatures,
            lowest_beta,
        } => {
            config.estimator = rbm::Estimator::Pcd { k, n_chains };
            config.tempering = Some(rbm::TemperingConfig {
                n_temperatures,
                lowest_beta,
            });
        }
    }
    config
}

fn trainer(
    rbm: rbm::Rbm,
    method: Method,
    learning_rate: f64,
    rng_seed: u64,
) -> Result<rbm::Trainer> {
    Ok(rbm::Trainer::new(
        rbm,
        train_config(method, learning_rate, rng_seed),
    )?)
}

/// One full-batch update of `trainer` by `method`.
fn update(
    trainer: &mut rbm::Trainer,
    method: Method,
    data32: ArrayView2<f32>,
    data: ArrayView2<f64>,
) -> Result<()> {
    match method {
        Method::Exact => {
            let gradient = trainer.rbm().to_exact()?.log_likelihood_gradient(data)?;
            trainer.apply(&rbm::Gradient::from_exact(&gradient), 0.0);
        }
        _ => trainer.step(data32, 0.0),
    }
    Ok(())
}

struct RunSpec {
    method: Method,
    learning_rate: f64,
    seed_index: usize,
    run_index: usize,
}

fn one_run(config: &TrainingConfig, data: &Array2<f64>, seed: u64, spec: &RunSpec) -> Result<Run> {
    let data32 = data.mapv(|x| x as f32);
    let rng_seed = stream(seed, PANEL_TRAINING, RUN_STREAMS + spec.run_index as u32).next_u64();
    let mut trainer = trainer(
        start(data32.view(), config.n_hidden, seed, spec.seed_index),
        spec.method,
        spec.learning_rate,
        rng_seed,
    )?;
    let n_iterations = match spec.method {
        Method::Exact => config.exact_iterations,
        _ => config.iterations,
    };
    let (mut iterations, mut log_likelihood, mut reconstruction_error) = (vec![], vec![], vec![]);
    for iteration in 0..=n_iterations {
        if iteration % config.eval_every == 0 || iteration == n_iterations {
            let exact = trainer.rbm().to_exact().with_context(|| {
                format!(
                    "{} at learning rate {} diverged by iteration {iteration}",
                    spec.method.name(),
                    spec.learning_rate
                )
            })?;
            iterations.push(iteration);
            log_likelihood.push(exact.mean_log_likelihood(data.view())?);
            reconstruction_error.push(f64::from(rbm::reconstruction_error(
                trainer.rbm(),
                data32.view(),
            )));
        }
        if iteration < n_iterations {
            update(&mut trainer, spec.method, data32.view(), data.view())?;
        }
    }
    let (peak_at, &peak) = log_likelihood
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .expect("at least the first iteration is measured");
    let last = *log_likelihood.last().expect("measured at the end");
    Ok(Run {
        method: spec.method.name(),
        learning_rate: spec.learning_rate,
        seed_index: spec.seed_index,
        peak_log_likelihood: peak,
        peak_iteration: iterations[peak_at],
        final_log_likelihood: last,
        rose_then_fell: peak_at > 0 && peak - last > config.fall_threshold,
        final_model: RbmJson::from_exact(&trainer.rbm().to_exact()?),
        iterations,
        log_likelihood,
        reconstruction_error,
    })
}

/// Every (method, learning rate, seed) run; the exact gradient only for the
/// first `exact_seeds` seeds.
fn run_specs(config: &TrainingConfig) -> Vec<RunSpec> {
    let mut specs = Vec::new();
    for &learning_rate in &config.learning_rates {
        for &method in &config.methods {
            let n_seeds = match method {
                Method::Exact => config.exact_seeds,
                _ => config.n_seeds,
            };
            for seed_index in 0..n_seeds {
                let run_index = specs.len();
                specs.push(RunSpec {
                    method,
                    learning_rate,
                    seed_index,
                    run_index,
                });
            }
        }
    }
    specs
}

pub fn run(config: &TrainingConfig, data: &Array2<f64>, seed: u64) -> Result<TrainingResults> {
    let specs = run_specs(config);
    // The exact-gradient runs are the slow ones: start them first.
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by_key(|&i| specs[i].method != Method::Exact);
    let mut finished = order
        .par_iter()
        .map(|&i| one_run(config, data, seed, &specs[i]).map(|r| (i, r)))
        .collect::<Result<Vec<_>>>()?;
    finished.sort_by_key(|(i, _)| *i);
    Ok(TrainingResults {
        n_visible: data.ncols(),
        n_hidden: config.n_hidden,
        n_examples: data.nrows(),
        optimum_log_likelihood: -bm_exact::empirical_entropy(data.view()),
        runs: finished.into_iter().map(|(_, r)| r).collect(),
    })
}
