//! CD-k and PCD gradient estimates for the Gaussian-Bernoulli RBM: data
//! statistics minus model statistics (eq. 4.2), with the derivatives of the
//! energy (9.1) listed in eq. (9.8).

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng;

use super::GaussianRbm;

/// One entry per parameter of a [`GaussianRbm`], in the same layout.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianGradient {
    pub visible_bias: Array1<f32>,
    pub hidden_bias: Array1<f32>,
    pub weights: Array2<f32>,
    pub log_variance: Array1<f32>,
}

impl GaussianGradient {
    /// All zeros, shaped like the parameters of `rbm`.
    pub fn zeros_like(rbm: &GaussianRbm) -> Self {
        Self {
            visible_bias: Array1::zeros(rbm.n_visible()),
            hidden_bias: Array1::zeros(rbm.n_hidden()),
            weights: Array2::zeros(rbm.weights.raw_dim()),
            log_variance: Array1::zeros(rbm.n_visible()),
        }
    }

    /// `self - other`, entry by entry.
    pub fn minus(&self, other: &GaussianGradient) -> GaussianGradient {
        GaussianGradient {
            visible_bias: &self.visible_bias - &other.visible_bias,
            hidden_bias: &self.hidden_bias - &other.hidden_bias,
            weights: &self.weights - &other.weights,
            log_variance: &self.log_variance - &other.log_variance,
        }
    }

    /// `self += alpha * other`, entry by entry (for running averages).
    pub fn scaled_add(&mut self, alpha: f32, other: &GaussianGradient) {
        self.visible_bias.scaled_add(alpha, &other.visible_bias);
        self.hidden_bias.scaled_add(alpha, &other.hidden_bias);
        self.weights.scaled_add(alpha, &other.weights);
        self.log_variance.scaled_add(alpha, &other.log_variance);
    }

    /// The largest absolute entry.
    pub fn max_abs(&self) -> f32 {
        self.visible_bias
            .iter()
            .chain(&self.hidden_bias)
            .chain(&self.weights)
            .chain(&self.log_variance)
            .fold(0.0, |m, x| m.max(x.abs()))
    }
}

// ANCHOR: gaussian_statistics
/// The average over the rows v of a batch of -dE/dtheta, eq. (9.8), with h
/// replaced by p(h | v): every derivative is linear in h, so this is the
/// exact expectation over p(h | v), with less noise than sampled h.
///   b_j: (v_j - b_j) / sigma_j^2          c_i: h_i
///   W_ij: h_i v_j / sigma_j^2             z_j: ((v_j - b_j)^2 / 2 - v_j (W^T h)_j) / sigma_j^2
pub fn gaussian_statistics(rbm: &GaussianRbm, v: ArrayView2<f32>) -> GaussianGradient {
    let n = v.nrows() as f32;
    let variance = rbm.variance();
    let hidden = rbm.hidden_probabilities(v);
    let centred = &v - &rbm.visible_bias;
    let top_down = hidden.dot(&rbm.weights);
    let log_variance_term = (centred.mapv(|x| 0.5 * x * x) - &v * &top_down) / &variance;
    GaussianGradient {
        visible_bias: (&centred / &variance).sum_axis(Axis(0)) / n,
        hidden_bias: hidden.sum_axis(Axis(0)) / n,
        weights: hidden.t().dot(&(&v / &variance)) / n,
        log_variance: log_variance_term.sum_axis(Axis(0)) / n,
    }
}
// ANCHOR_END: gaussian_statistics

// ANCHOR: gaussian_cd_gradient
impl GaussianRbm {
    /// The CD-k estimate of the gradient of the mean log-likelihood, eq. (5.2)
    /// with the statistics of eq. (9.8): statistics at the minibatch minus
    /// statistics at v_k, k block Gibbs steps away from it. Averaged over the
    /// batch; the log-variance entry is there even when training keeps z fixed.
    pub fn cd_gradient(
        &self,
        batch: ArrayView2<f32>,
        k: usize,
        rng: &mut impl Rng,
    ) -> GaussianGradient {
        let v_k = self.gibbs_chain(batch, k, rng);
        gaussian_statistics(self, batch).minus(&gaussian_statistics(self, v_k.view()))
    }
}
// ANCHOR_END: gaussian_cd_gradient

/// Persistent chains for PCD (eq. 5.5) on a Gaussian-Bernoulli RBM: Gibbs
/// chains that are never restarted at the data.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianPersistentChains {
    states: Array2<f32>,
}

impl GaussianPersistentChains {
    /// `n_chains` chains started at samples of p(v | h = 0) = N(b, diag sigma^2).
    pub fn new(n_chains: usize, rbm: &GaussianRbm, rng: &mut impl Rng) -> Self {
        let no_hidden = Array2::zeros((n_chains, rbm.n_hidden()));
        Self {
            states: rbm.sample_visible(no_hidden.view(), rng),
        }
    }

    /// Chains that continue from saved visible states, one per row (for a
    /// checkpoint).
    pub fn from_states(states: ArrayView2<f32>) -> Self {
        Self {
            states: states.to_owned(),
        }
    }

    /// The PCD update: statistics of the minibatch minus statistics of the
    /// chains after `k` more block Gibbs steps under the current model.
    pub fn gradient(
        &mut self,
        rbm: &GaussianRbm,
        batch: ArrayView2<f32>,
        k: usize,
        rng: &mut impl Rng,
    ) -> GaussianGradient {
        self.states = rbm.gibbs_chain(self.states.view(), k, rng);
        gaussian_statistics(rbm, batch).minus(&gaussian_statistics(rbm, self.states.view()))
    }

    /// The current visible states of the chains, one per row.
    pub fn states(&self) -> ArrayView2<'_, f32> {
        self.states.view()
    }
}
