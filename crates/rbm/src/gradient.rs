//! Gradient estimates: sampled CD-k (eq. 5.2) and persistent CD (eq. 5.5).
//!
//! Both estimate the log-likelihood gradient of eq. (4.3)-(4.4), data
//! statistics minus model statistics; they differ in where the "model"
//! samples come from.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng;

use crate::model::Rbm;
use crate::sampling::{gibbs_chain, sample_bernoulli};

/// A parameter-shaped update in f32: one entry per parameter of the RBM, in
/// the same layout (weights are (n_hidden, n_visible)). Gradient estimates
/// and the averages of sufficient statistics both use it.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradient {
    pub visible_bias: Array1<f32>,
    pub hidden_bias: Array1<f32>,
    pub weights: Array2<f32>,
}

impl Gradient {
    /// The f32 copy of an exact gradient (couplings, which an RBM lacks, are ignored).
    pub fn from_exact(p: &bm_exact::Parameters) -> Self {
        Self {
            visible_bias: p.visible_bias.mapv(|x| x as f32),
            hidden_bias: p.hidden_bias.mapv(|x| x as f32),
            weights: p.weights.mapv(|x| x as f32),
        }
    }

    /// The f64 copy, to compare with `bm_exact` results.
    pub fn to_exact(&self) -> bm_exact::Parameters {
        bm_exact::Parameters {
            visible_bias: self.visible_bias.mapv(f64::from),
            hidden_bias: self.hidden_bias.mapv(f64::from),
            weights: self.weights.mapv(f64::from),
            visible_couplings: None,
            hidden_couplings: None,
        }
    }

    /// All zeros, shaped like the parameters of `rbm`.
    pub fn zeros_like(rbm: &Rbm) -> Self {
        Self {
            visible_bias: Array1::zeros(rbm.n_visible()),
            hidden_bias: Array1::zeros(rbm.n_hidden()),
            weights: Array2::zeros(rbm.weights.raw_dim()),
        }
    }

    /// `self - other`, entry by entry.
    pub fn minus(&self, other: &Gradient) -> Gradient {
        Gradient {
            visible_bias: &self.visible_bias - &other.visible_bias,
            hidden_bias: &self.hidden_bias - &other.hidden_bias,
            weights: &self.weights - &other.weights,
        }
    }

    /// `self += alpha * other`, entry by entry (for running averages).
    pub fn scaled_add(&mut self, alpha: f32, other: &Gradient) {
        self.visible_bias.scaled_add(alpha, &other.visible_bias);
        self.hidden_bias.scaled_add(alpha, &other.hidden_bias);
        self.weights.scaled_add(alpha, &other.weights);
    }

    /// The largest absolute entry.
    pub fn max_abs(&self) -> f32 {
        self.visible_bias
            .iter()
            .chain(&self.hidden_bias)
            .chain(&self.weights)
            .fold(0.0, |m, x| m.max(x.abs()))
    }
}

/// The averages over the rows v of a batch of v, p(h | v) and p(h | v) v^T:
/// one term of eq. (4.3)-(4.4), with h replaced by its probabilities (Hinton's
/// guide, section 3.3: less sampling noise, same expectation).
pub fn mean_statistics(rbm: &Rbm, v: ArrayView2<f32>) -> Gradient {
    let n = v.nrows() as f32;
    let hidden = rbm.hidden_probabilities(v);
    Gradient {
        visible_bias: v.sum_axis(Axis(0)) / n,
        hidden_bias: hidden.sum_axis(Axis(0)) / n,
        weights: hidden.t().dot(&v) / n,
    }
}

// ANCHOR: cd_gradient
/// The sampled CD-k update on a minibatch, eq. (5.2) in the book: statistics
/// at the data v_0 minus statistics at v_k, the visible states after k block
/// Gibbs steps started at the data. The chain samples its hidden states;
/// the statistics use p(h | v) (see [`mean_statistics`]). Averaged over the batch.
pub fn cd_gradient(rbm: &Rbm, batch: ArrayView2<f32>, k: usize, rng: &mut impl Rng) -> Gradient {
    let v_k = gibbs_chain(rbm, batch, k, rng);
    mean_statistics(rbm, batch).minus(&mean_statistics(rbm, v_k.view()))
}
// ANCHOR_END: cd_gradient

/// Fantasy particles for persistent contrastive divergence (PCD, eq. 5.5):
/// Gibbs chains that are never restarted at the data. Each update advances
/// them a few steps under the current model and takes the negative
/// statistics from where they are.
#[derive(Clone, Debug, PartialEq)]
pub struct PersistentChains {
    states: Array2<f32>,
}

// ANCHOR: persistent_chains
impl PersistentChains {
    /// `n_chains` chains started at samples of p(v | h = 0) = sigmoid(b): for
    /// a model from [`Rbm::initialise`], the data's unit means.
    pub fn new(n_chains: usize, rbm: &Rbm, rng: &mut impl Rng) -> Self {
        let start = rbm.visible_probabilities(Array2::zeros((n_chains, rbm.n_hidden())).view());
        Self {
            states: sample_bernoulli(start.view(), rng),
        }
    }

    /// The PCD update, eq. (5.5) in the book: statistics of the minibatch
    /// minus statistics of the chains after they have been advanced `k`
    /// block Gibbs steps from where the previous call left them.
    pub fn gradient(
        &mut self,
        rbm: &Rbm,
        batch: ArrayView2<f32>,
        k: usize,
        rng: &mut impl Rng,
    ) -> Gradient {
        self.states = gibbs_chain(rbm, self.states.view(), k, rng);
        mean_statistics(rbm, batch).minus(&mean_statistics(rbm, self.states.view()))
    }
}
// ANCHOR_END: persistent_chains

impl PersistentChains {
    /// Chains started at the given visible states, one per row (for example a
    /// minibatch of data).
    pub fn from_states(states: ArrayView2<f32>) -> Self {
        Self {
            states: states.to_owned(),
        }
    }

    /// Advance every chain `k` block Gibbs steps under `rbm` (for fast PCD,
    /// a model other than the one whose statistics are taken).
    pub fn advance(&mut self, rbm: &Rbm, k: usize, rng: &mut impl Rng) {
        self.states = gibbs_chain(rbm, self.states.view(), k, rng);
    }

    /// The current visible states of the chains, one per row.
    pub fn states(&self) -> ArrayView2<'_, f32> {
        self.states.view()
    }

    pub fn n_chains(&self) -> usize {
        self.states.nrows()
    }

    /// The states, for the fast kernels that advance them in place.
    pub(crate) fn states_mut(&mut self) -> &mut Array2<f32> {
        &mut self.states
    }
}
