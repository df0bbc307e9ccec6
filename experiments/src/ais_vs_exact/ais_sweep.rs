//! Part (a): AIS estimates of log Z against the exact value, as the number
//! of inverse temperatures and the number of chains grow.

use anyhow::Result;
use rand_chacha::ChaCha8Rng;
use rbm::{AisEstimate, AisSchedule};
use serde::{Deserialize, Serialize};

use super::STREAM_AIS;
use super::config::AisSweep;
use super::models::TrainedModel;
use crate::streams::{grid_index, stream};

/// One AIS run.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Run {
    pub n_betas: usize,
    pub n_chains: usize,
    /// The stream of the generator (0, 1, ... within one sweep).
    pub seed: u64,
    /// The estimate minus the exact log Z.
    pub error: f64,
    /// The ends of the 3-standard-error bar minus the exact log Z; an end
    /// is null when the bar is unbounded on that side (the low end of
    /// forward AIS, the high end of reverse AIS, when the weights are too
    /// uneven to bound the mean).
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub effective_sample_size: f64,
}

impl Run {
    pub fn contains_exact(&self) -> bool {
        self.low.is_none_or(|low| low <= 0.0) && self.high.is_none_or(|high| high >= 0.0)
    }
}

/// Summary of the runs at one setting.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    pub n_betas: usize,
    pub n_chains: usize,
    pub mean_error: f64,
    /// The spread of the error over seeds (sample standard deviation; 0 for one seed).
    pub sd_error: f64,
    pub mean_abs_error: f64,
    /// The spread of the absolute error over seeds (sample standard
    /// deviation); absent (0) in results written before it was recorded, so
    /// the summary uses [`Setting::abs_error_spread`], computed from `runs`.
    #[serde(default)]
    pub sd_abs_error: f64,
    /// The fraction of runs whose error bar contains the exact value.
    pub coverage: f64,
    pub mean_effective_sample_size: f64,
    pub runs: Vec<Run>,
}

impl Setting {
    /// The sample standard deviation of |error| over the runs (0 for one run).
    pub fn abs_error_spread(&self) -> f64 {
        sample_sd(self.runs.iter().map(|r| r.error.abs()).collect())
    }
}

fn sample_sd(xs: Vec<f64>) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// The sweeps of one model.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSweeps {
    pub model: String,
    /// Error against the number of inverse temperatures.
    pub betas: Vec<Setting>,
    /// Error against the number of chains.
    pub chains: Vec<Setting>,
    /// Reverse AIS from exact samples, one setting per entry of `betas`
    /// (empty unless configured): biased upwards, so it brackets log Z
    /// from above.
    pub reverse: Vec<Setting>,
}

/// Every sweep of model `model_index` (of `n_models`): run `s` of the
/// `k`-th setting draws from stream (model, k, s) of purpose `STREAM_AIS`.
pub fn run(
    model: &TrainedModel,
    sweep: &AisSweep,
    seed: u64,
    (model_index, n_models): (usize, usize),
) -> Result<ModelSweeps> {
    let exact = model.summary.exact_log_partition;
    let forward = |n_betas: usize, n_chains: usize, rng: &mut ChaCha8Rng| {
        let schedule = AisSchedule::scaled(n_betas)?;
        Ok(rbm::ais(
            &model.rbm,
            model.base_visible_bias.view(),
            &schedule,
            n_chains,
            rng,
        )?)
    };
    // Forward over the temperatures, over the chains, reverse: at most
    // this many settings.
    let n_parts = 2 * sweep.n_betas.len() + sweep.n_chains.len();
    let mut part = 0;
    let mut setting = |n_betas: usize,
                       n_chains: usize,
                       estimate: &dyn Fn(&mut ChaCha8Rng) -> Result<AisEstimate>|
     -> Result<Setting> {
        part += 1;
        let runs = (0..sweep.n_seeds)
            .map(|s| {
                let index = grid_index(&[
                    (model_index, n_models),
                    (part - 1, n_parts),
                    (s, sweep.n_seeds),
                ])?;
                let e = estimate(&mut stream(seed, STREAM_AIS, index))?;
                Ok(Run {
                    n_betas,
                    n_chains,
                    seed: s as u64,
                    error: e.log_partition - exact,
                    low: Some(e.log_partition_low - exact).filter(|x| x.is_finite()),
                    high: Some(e.log_partition_high - exact).filter(|x| x.is_finite()),
                    effective_sample_size: e.effective_sample_size,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(summarise(n_betas, n_chains, runs))
    };
    let betas = sweep
        .n_betas
        .iter()
        .map(|&k| {
            setting(k, sweep.chains_for_betas, &|rng| {
                forward(k, sweep.chains_for_betas, rng)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // A setting that is in both sweeps is run once and shown in both tables.
    let chains = sweep
        .n_chains
        .iter()
        .map(|&c| {
            match betas
                .iter()
                .find(|s| s.n_betas == sweep.betas_for_chains && s.n_chains == c)
            {
                Some(shared) => Ok(shared.clone()),
                None => setting(sweep.betas_for_chains, c, &|rng| {
                    forward(sweep.betas_for_chains, c, rng)
                }),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let reverse = if sweep.reverse {
        let exact_rbm = model.rbm.to_exact()?;
        let hidden_table = exact_rbm.hidden_distribution()?;
        let reverse_run = |n_betas: usize, rng: &mut ChaCha8Rng| -> Result<AisEstimate> {
            let start = exact_samples(model, hidden_table.view(), sweep.chains_for_betas, rng);
            let schedule = AisSchedule::scaled(n_betas)?;
            Ok(rbm::reverse_ais(
                &model.rbm,
                model.base_visible_bias.view(),
                &schedule,
                start.view(),
                rng,
            )?)
        };
        sweep
            .n_betas
            .iter()
            .map(|&k| setting(k, sweep.chains_for_betas, &|rng| reverse_run(k, rng)))
            .collect::<Result<Vec<_>>>()?
    } else {
        Vec::new()
    };
    Ok(ModelSweeps {
        model: model.summary.name.clone(),
        betas,
        chains,
        reverse,
    })
}

// ANCHOR: exact_samples
/// Exact samples of v: h from the exact table of p(h), then v ~ p(v | h)
/// (eq. 2.8), which is exact because p(v, h) = p(h) p(v | h).
fn exact_samples(
    model: &TrainedModel,
    hidden_table: ndarray::ArrayView1<f64>,
    n: usize,
    rng: &mut ChaCha8Rng,
) -> ndarray::Array2<f32> {
    let h = bm_exact::sample_states(hidden_table, model.rbm.n_hidden(), n, rng).mapv(|x| x as f32);
    rbm::sample_bernoulli(model.rbm.visible_probabilities(h.view()).view(), rng)
}
// ANCHOR_END: exact_samples

fn summarise(n_betas: usize, n_chains: usize, runs: Vec<Run>) -> Setting {
    let n = runs.len() as f64;
    let mean = |f: &dyn Fn(&Run) -> f64| runs.iter().map(f).sum::<f64>() / n;
    let mean_error = mean(&|r| r.error);
    Setting {
        n_betas,
        n_chains,
        mean_error,
        sd_error: sample_sd(runs.iter().map(|r| r.error).collect()),
        mean_abs_error: mean(&|r| r.error.abs()),
        sd_abs_error: sample_sd(runs.iter().map(|r| r.error.abs()).collect()),
        coverage: mean(&|r| f64::from(u8::from(r.contains_exact()))),
        mean_effective_sample_size: mean(&|r| r.effective_sample_size),
        runs,
    }
}

/// Every forward run of one model, a setting shared by both sweeps once.
pub fn forward_runs(m: &ModelSweeps) -> Vec<&Run> {
    let shared = |c: &Setting| {
        m.betas
            .iter()
            .any(|b| (b.n_betas, b.n_chains) == (c.n_betas, c.n_chains))
    };
    m.betas
        .iter()
        .chain(m.chains.iter().filter(|c| !shared(c)))
        .flat_map(|s| &s.runs)
        .collect()
}

/// How many forward runs (all models) have a bar containing the exact value, of all.
pub fn forward_coverage(sweeps: &[ModelSweeps]) -> (usize, usize) {
    let runs: Vec<&Run> = sweeps.iter().flat_map(forward_runs).collect();
    (
        runs.iter().filter(|r| r.contains_exact()).count(),
        runs.len(),
    )
}
