//! Panel 1: the bias of CD-k at fixed parameters. An RBM is trained on
//! bars-and-stripes with the exact gradient; at checkpoints along the way the
//! exact expected CD-k update (eq. 5.3) is compared with the exact gradient
//! (eq. 4.3-4.4). No sampling anywhere: every number is exact.

use anyhow::{Context, Result};
use bm_exact::Parameters;
use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::common::{
    PANEL_BIAS, RbmJson, ascend, cosine, norm, random_start, relative_error, stream, weight_norm,
};
use super::config::BiasConfig;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BiasResults {
    pub n_visible: usize,
    pub n_hidden: usize,
    pub n_examples: usize,
    /// The k of every `relative_error` and `cosine` entry of a checkpoint.
    pub ks: Vec<usize>,
    pub checkpoints: Vec<Checkpoint>,
    /// The k of every entry of a trace point.
    pub trace_ks: Vec<usize>,
    pub trace: Vec<TracePoint>,
}

/// The model after `iteration` exact-gradient steps, and how far the
/// expected CD-k update is from the exact gradient there.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub iteration: usize,
    pub model: RbmJson,
    pub weight_norm: f64,
    pub log_likelihood: f64,
    pub gradient_norm: f64,
    pub relative_error: Vec<f64>,
    pub cosine: Vec<f64>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TracePoint {
    pub iteration: usize,
    pub weight_norm: f64,
    pub relative_error: Vec<f64>,
    pub cosine: Vec<f64>,
}

/// How the expected CD-k updates for `ks` compare with the exact gradient:
/// (|gradient|, relative errors, cosines).
pub fn compare_with_gradient(
    rbm: &bm_exact::Rbm,
    data: &Array2<f64>,
    ks: &[usize],
) -> Result<(f64, Vec<f64>, Vec<f64>)> {
    let gradient = Parameters::flatten(&rbm.log_likelihood_gradient(data.view())?);
    let mut errors = Vec::with_capacity(ks.len());
    let mut cosines = Vec::with_capacity(ks.len());
    for &k in ks {
        let update = Parameters::flatten(&rbm.expected_cd_update(data.view(), k)?);
        errors.push(relative_error(&update, &gradient));
        cosines.push(cosine(&update, &gradient));
    }
    Ok((norm(&gradient), errors, cosines))
}

/// Train with the exact gradient and keep the model at every iteration that
/// a checkpoint or the trace needs.
fn exact_training_run(
    config: &BiasConfig,
    data: &Array2<f64>,
    seed: u64,
) -> Result<Vec<(usize, bm_exact::Rbm)>> {
    let mut rng = stream(seed, PANEL_BIAS, 0);
    let mut rbm = random_start(data.ncols(), config.n_hidden, config.init_std, &mut rng);
    let mut kept = Vec::new();
    for iteration in 0..=config.iterations {
        if config.checkpoints.contains(&iteration) || iteration % config.trace_every == 0 {
            kept.push((iteration, rbm.clone()));
        }
        if iteration < config.iterations {
            let gradient = rbm.log_likelihood_gradient(data.view())?;
            rbm = ascend(&rbm, &gradient, config.learning_rate).with_context(|| {
                format!("exact-gradient training diverged at iteration {iteration}")
            })?;
        }
    }
    Ok(kept)
}

pub fn run(config: &BiasConfig, data: &Array2<f64>, seed: u64) -> Result<BiasResults> {
    let kept = exact_training_run(config, data, seed)?;
    let checkpoints = kept
        .par_iter()
        .filter(|(it, _)| config.checkpoints.contains(it))
        .map(|(iteration, rbm)| {
            let (gradient_norm, relative_error, cosine) =
                compare_with_gradient(rbm, data, &config.ks)?;
            Ok(Checkpoint {
                iteration: *iteration,
                model: RbmJson::from_exact(rbm),
                weight_norm: weight_norm(rbm),
                log_likelihood: rbm.mean_log_likelihood(data.view())?,
                gradient_norm,
                relative_error,
                cosine,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let trace = kept
        .par_iter()
        .filter(|(it, _)| it % config.trace_every == 0)
        .map(|(iteration, rbm)| {
            let (_, relative_error, cosine) = compare_with_gradient(rbm, data, &config.trace_ks)?;
            Ok(TracePoint {
                iteration: *iteration,
                weight_norm: weight_norm(rbm),
                relative_error,
                cosine,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(BiasResults {
        n_visible: data.ncols(),
        n_hidden: config.n_hidden,
        n_examples: data.nrows(),
        ks: config.ks.clone(),
        checkpoints,
        trace_ks: config.trace_ks.clone(),
        trace,
    })
}
