//! Panel 1b: bias against variance. At one checkpoint of panel 1, many
//! sampled CD-k estimates (eq. 5.2) on random minibatches are compared with
//! the exact gradient. Their average is the exact expected CD-k update on
//! the whole data set (eq. 5.3), so the error of one estimate splits into
//! the bias |E\[update\] - gradient| and the noise around E\[update\].

use anyhow::{Context, Result};
use bm_exact::Parameters;
use ndarray::{Array2, Axis};
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::common::{PANEL_SPREAD, cosine, norm, relative_error, stream};
use super::config::SpreadConfig;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpreadResults {
    /// The iteration of panel 1's run whose model is used.
    pub checkpoint: usize,
    pub batch_size: usize,
    pub points: Vec<SpreadPoint>,
}

/// All errors are relative to |gradient|.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpreadPoint {
    pub k: usize,
    /// |expected CD-k update - gradient| / |gradient|: the bias, exact.
    pub bias: f64,
    /// cos(expected CD-k update, gradient), exact.
    pub expected_cosine: f64,
    /// sqrt(mean |estimate - expected update|^2) / |gradient|: the noise.
    pub noise: f64,
    /// |mean of the estimates - expected update| / |gradient|: shrinks like
    /// 1/sqrt(n_estimates) if the estimates average to eq. (5.3).
    pub mean_error: f64,
    /// |estimate - gradient| / |gradient| for the first `n_shown` estimates.
    pub relative_errors: Vec<f64>,
    /// cos(estimate, gradient) for the same estimates.
    pub cosines: Vec<f64>,
    /// n = 1, 2, 4, ...: how many estimates are averaged ...
    pub averaged_counts: Vec<usize>,
    /// ... and |average of the first n estimates - gradient| / |gradient|.
    /// Averaging removes the noise but not the bias: this levels off at `bias`.
    pub averaged_errors: Vec<f64>,
}

/// How many single estimates the JSON keeps per k (all are used).
const N_SHOWN: usize = 200;

fn minibatch(data: &Array2<f64>, size: usize, rng: &mut impl Rng) -> Array2<f32> {
    let rows: Vec<usize> = (0..size)
        .map(|_| rng.random_range(0..data.nrows()))
        .collect();
    data.select(Axis(0), &rows).mapv(|x| x as f32)
}

fn one_k(
    config: &SpreadConfig,
    model: &bm_exact::Rbm,
    data: &Array2<f64>,
    seed: u64,
    (index, k): (usize, usize),
) -> Result<SpreadPoint> {
    let gradient = Parameters::flatten(&model.log_likelihood_gradient(data.view())?);
    let expected = Parameters::flatten(&model.expected_cd_update(data.view(), k)?);
    let sampler = rbm::Rbm::from_exact(model);
    let mut rng = stream(seed, PANEL_SPREAD, index as u32);
    let estimates: Vec<Vec<f64>> = (0..config.n_estimates)
        .map(|_| {
            let batch = minibatch(data, config.batch_size, &mut rng);
            Parameters::flatten(&rbm::cd_gradient(&sampler, batch.view(), k, &mut rng).to_exact())
        })
        .collect();
    let distance =
        |a: &[f64], b: &[f64]| norm(&a.iter().zip(b).map(|(x, y)| x - y).collect::<Vec<_>>());
    let n = estimates.len() as f64;
    let noise = (estimates
        .iter()
        .map(|e| distance(e, &expected).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    let (mut averaged_counts, mut averaged_errors) = (vec![], vec![]);
    let mut sum = vec![0.0; gradient.len()];
    for (i, e) in estimates.iter().enumerate() {
        sum.iter_mut().zip(e).for_each(|(s, x)| *s += x);
        let count = i + 1;
        if count.is_power_of_two() || count == estimates.len() {
            let mean: Vec<f64> = sum.iter().map(|s| s / count as f64).collect();
            averaged_counts.push(count);
            averaged_errors.push(relative_error(&mean, &gradient));
        }
    }
    let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
    let shown = &estimates[..estimates.len().min(N_SHOWN)];
    Ok(SpreadPoint {
        k,
        bias: relative_error(&expected, &gradient),
        expected_cosine: cosine(&expected, &gradient),
        noise: noise / norm(&gradient),
        mean_error: distance(&mean, &expected) / norm(&gradient),
        relative_errors: shown.iter().map(|e| relative_error(e, &gradient)).collect(),
        cosines: shown.iter().map(|e| cosine(e, &gradient)).collect(),
        averaged_counts,
        averaged_errors,
    })
}

pub fn run(
    config: &SpreadConfig,
    model: &bm_exact::Rbm,
    data: &Array2<f64>,
    seed: u64,
) -> Result<SpreadResults> {
    rbm::Rbm::check_f32_range(model).context("the spread checkpoint does not fit in f32")?;
    let points = config
        .ks
        .par_iter()
        .enumerate()
        .map(|(i, &k)| one_k(config, model, data, seed, (i, k)))
        .collect::<Result<Vec<_>>>()?;
    Ok(SpreadResults {
        checkpoint: config.checkpoint,
        batch_size: config.batch_size,
        points,
    })
}
