//! Annealed importance sampling for the Gaussian-Bernoulli RBM (chapter 9),
//! on the schedule, the block runner and the error bar of [`crate::ais`].
//!
//! ## Algorithm
//! The base model A keeps the visible Gaussians of the RBM B (means b,
//! variances sigma_j^2 = e^{z_j}) and drops the couplings and the hidden
//! bias, so its hidden units are fair coins and its log Z is closed form,
//! eq. (9.9): `log Z_A = n_hidden ln 2 + sum_j log(2 pi sigma_j^2) / 2`.
//! The path scales the hidden bias and the couplings by beta, eq. (9.10):
//! p_beta is itself a Gaussian-Bernoulli RBM with hidden bias beta c and
//! weights beta W, so
//!
//! ```text
//! log p*_beta(v) = -sum_j (v_j - b_j)^2 / (2 sigma_j^2) + sum_i softplus(beta a_i),
//! a_i = c_i + sum_j W_ij v_j / sigma_j^2,
//! ```
//!
//! the quadratic term cancels from every log-weight increment, and the
//! Gibbs step that leaves p_beta invariant is the block Gibbs step of
//! [`GaussianRbm::gibbs_step`] on that scaled model, eq. (9.11): h ~
//! sigmoid(beta a), then v ~ N(b + beta W^T h, diag sigma^2). Each chain
//! starts with an exact sample of A, v ~ N(b, diag sigma^2); the estimate
//! and its 3-standard-error bar are those of [`crate::ais`].

use ndarray::{Array2, ArrayView2};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::ais::{
    AisEstimate, AisSchedule, Anneal, Direction, PROGRESS_EVERY, Progress, estimate, run_blocks,
};
use crate::error::{RbmError, config_error};
use crate::gaussian::GaussianRbm;

/// log Z_A of the base model of eq. (9.9): the visible Gaussians of `rbm`
/// (means b, variances e^{z_j}) and `n_hidden` unconnected hidden units with
/// bias 0, n_hidden ln 2 + sum_j log(2 pi sigma_j^2) / 2, in f64.
pub fn gaussian_base_log_partition(rbm: &GaussianRbm) -> f64 {
    let gaussians: f64 = rbm
        .log_variance
        .iter()
        .map(|&z| 0.5 * ((2.0 * std::f64::consts::PI).ln() + f64::from(z)))
        .sum();
    rbm.n_hidden() as f64 * std::f64::consts::LN_2 + gaussians
}

/// log Z of a Gaussian-Bernoulli RBM by AIS: `n_chains` chains from the base
/// model of eq. (9.9) through `schedule` along the path of eq. (9.10). The
/// estimate is log Z_A plus the log-mean-exp of the log weights, with the
/// error bar and effective sample size of [`AisEstimate`]; in expectation
/// it lies below log Z. Errors, before any work: zero chains or a model
/// with a non-finite parameter or inconsistent shapes.
pub fn gaussian_ais(
    rbm: &GaussianRbm,
    schedule: &AisSchedule,
    n_chains: usize,
    rng: &mut impl Rng,
) -> Result<AisEstimate, RbmError> {
    gaussian_ais_with_progress(rbm, schedule, n_chains, rng, &|_| {})
}

/// [`gaussian_ais`] that reports its progress to `progress` (chain steps done).
pub fn gaussian_ais_with_progress(
    rbm: &GaussianRbm,
    schedule: &AisSchedule,
    n_chains: usize,
    rng: &mut impl Rng,
    progress: Progress,
) -> Result<AisEstimate, RbmError> {
    if n_chains == 0 {
        return Err(config_error(
            "n_chains",
            "is 0; AIS needs at least one chain (Salakhutdinov & Murray used 100)",
        ));
    }
    rbm.check()?;
    let path = GaussianPath { rbm };
    let start = |n, rng: &mut ChaCha8Rng| path.sample_base(n, rng);
    let run = run_blocks(&path, schedule.betas(), n_chains, rng, start, progress);
    Ok(estimate(
        gaussian_base_log_partition(rbm),
        run,
        schedule.len(),
        Direction::Forward,
    ))
}

/// The mean log-density of the rows of `data`, -mean F(v) - log Z with F of
/// eq. (9.4) in f64 and log Z from `estimate`, as (estimate, low, high).
pub fn gaussian_mean_log_probability(
    rbm: &GaussianRbm,
    data: ArrayView2<f32>,
    estimate: &AisEstimate,
) -> Result<(f64, f64, f64), RbmError> {
    let mean_free_energy = rbm.mean_free_energy_exact(data)?;
    Ok(estimate.mean_log_probability(mean_free_energy))
}

impl GaussianRbm {
    /// p_beta of eq. (9.10) as a model of its own: hidden bias beta c and
    /// weights beta W, the same visible bias and variances.
    pub fn scaled(&self, beta: f64) -> GaussianRbm {
        let beta = beta as f32;
        GaussianRbm {
            visible_bias: self.visible_bias.clone(),
            hidden_bias: beta * &self.hidden_bias,
            weights: beta * &self.weights,
            log_variance: self.log_variance.clone(),
        }
    }
}

/// The path from the base model (beta = 0) to the RBM (beta = 1).
struct GaussianPath<'a> {
    rbm: &'a GaussianRbm,
}

impl GaussianPath<'_> {
    /// Exact samples of the base model: v ~ N(b, diag sigma^2), which is
    /// p(v | h = 0) of any model on the path.
    fn sample_base(&self, n: usize, rng: &mut impl Rng) -> Array2<f32> {
        let no_hidden = Array2::zeros((n, self.rbm.n_hidden()));
        self.rbm.sample_visible(no_hidden.view(), rng)
    }
}

// ANCHOR: gaussian_ais_anneal
impl Anneal for GaussianPath<'_> {
    /// Each step beta_{k-1} -> beta_k adds log p*_k(v) - log p*_{k-1}(v) =
    /// sum_i softplus(beta_k a_i) - softplus(beta_{k-1} a_i) (eq. 9.10; the
    /// quadratic term cancels) to the log weight, in f64, then makes one
    /// Gibbs step of the scaled model, eq. (9.11).
    fn anneal(
        &self,
        betas: &[f64],
        mut v: Array2<f32>,
        rng: &mut ChaCha8Rng,
        progress: Progress,
    ) -> (Vec<f64>, Array2<f32>) {
        let mut log_weights = vec![0.0; v.nrows()];
        let mut scaled = vec![0.0; self.rbm.n_hidden()];
        for (k, pair) in betas.windows(2).enumerate() {
            let (previous, beta) = (pair[0], pair[1]);
            let inputs = self.rbm.hidden_inputs(v.view());
            for (a, log_weight) in inputs.rows().into_iter().zip(&mut log_weights) {
                *log_weight += numerics::log_weight_step(0.0, a, previous, beta, &mut scaled);
            }
            if k + 2 < betas.len() {
                v = self.rbm.scaled(beta).gibbs_step(v.view(), rng);
            }
            if (k + 1) % PROGRESS_EVERY == 0 {
                progress((v.nrows() * PROGRESS_EVERY) as u64);
            }
        }
        progress((v.nrows() * ((betas.len() - 1) % PROGRESS_EVERY)) as u64);
        (log_weights, v)
    }
}
// ANCHOR_END: gaussian_ais_anneal
