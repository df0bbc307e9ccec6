//! Assignment 8: training an RBM on MNIST digits with persistent
//! contrastive divergence, PCD (chapter 8). The model is small (a few hidden
//! units) so that the tests can compute its exact log-likelihood.

use bm_exact::Parameters;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng;

/// An RBM in f64 with the book's notation; weights (n_hidden, n_visible).
#[derive(Clone, Debug)]
pub struct Rbm {
    pub visible_bias: Array1<f64>,
    pub hidden_bias: Array1<f64>,
    pub weights: Array2<f64>,
}

/// Hyper-parameters of [`train_pcd`].
#[derive(Clone, Debug)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub n_chains: usize,
}

fn sigmoid(x: f64) -> f64 {
    bm_exact::numerics::sigmoid(x)
}

/// Independent binary draws with the probabilities in `p`.
pub fn sample_bernoulli(p: &Array2<f64>, rng: &mut impl Rng) -> Array2<f64> {
    p.mapv(|pj| if rng.random::<f64>() < pj { 1.0 } else { 0.0 })
}

/// p(h = 1 | v) for each row v: sigmoid(c + W v), eq. (2.7).
pub fn hidden_probabilities(rbm: &Rbm, v: ArrayView2<f64>) -> Array2<f64> {
    (v.dot(&rbm.weights.t()) + &rbm.hidden_bias).mapv(sigmoid)
}

/// p(v = 1 | h) for each row h: sigmoid(b + W^T h), eq. (2.8).
pub fn visible_probabilities(rbm: &Rbm, h: ArrayView2<f64>) -> Array2<f64> {
    (h.dot(&rbm.weights) + &rbm.visible_bias).mapv(sigmoid)
}

/// The PCD estimate of the gradient: the data statistics of `batch` minus
/// the statistics of the persistent `chains` after one block Gibbs step
/// each (the chains are advanced in place, never restarted), with
/// p(h = 1 | v) in both terms, averaged over rows.
pub fn pcd_gradient(
    rbm: &Rbm,
    batch: ArrayView2<f64>,
    chains: &mut Array2<f64>,
    rng: &mut impl Rng,
) -> Parameters {
    // HINT: move the chains first (h ~ p(h|chains), chains ~ p(v|h)), then
    // HINT: take (mean over batch) - (mean over chains) of v, p(h|v), p(h|v)^T v.
    // BEGIN SOLUTION
    let h = sample_bernoulli(&hidden_probabilities(rbm, chains.view()), rng);
    *chains = sample_bernoulli(&visible_probabilities(rbm, h.view()), rng);
    let (h_data, h_model) = (
        hidden_probabilities(rbm, batch),
        hidden_probabilities(rbm, chains.view()),
    );
    let (n_data, n_model) = (batch.nrows() as f64, chains.nrows() as f64);
    Parameters {
        visible_bias: batch.mean_axis(Axis(0)).expect("a non-empty batch")
            - chains.mean_axis(Axis(0)).expect("at least one chain"),
        hidden_bias: h_data.mean_axis(Axis(0)).expect("a non-empty batch")
            - h_model.mean_axis(Axis(0)).expect("at least one chain"),
        weights: h_data.t().dot(&batch) / n_data - h_model.t().dot(&chains.view()) / n_model,
        visible_couplings: None,
        hidden_couplings: None,
    }
    // END SOLUTION
}

/// Train with PCD: `config.n_chains` chains started at uniform random
/// states, then for each epoch and each batch of `config.batch_size`
/// consecutive rows of `data`, theta <- theta + learning_rate * gradient.
pub fn train_pcd(rbm: &mut Rbm, data: ArrayView2<f64>, config: &TrainConfig, rng: &mut impl Rng) {
    // HINT: the chains live across batches and epochs: create them once.
    // BEGIN SOLUTION
    let mut chains = Array2::from_shape_fn((config.n_chains, data.ncols()), |_| {
        if rng.random::<bool>() { 1.0 } else { 0.0 }
    });
    for _ in 0..config.epochs {
        for batch in data.axis_chunks_iter(Axis(0), config.batch_size) {
            let gradient = pcd_gradient(rbm, batch, &mut chains, rng);
            rbm.visible_bias
                .scaled_add(config.learning_rate, &gradient.visible_bias);
            rbm.hidden_bias
                .scaled_add(config.learning_rate, &gradient.hidden_bias);
            rbm.weights
                .scaled_add(config.learning_rate, &gradient.weights);
        }
    }
    // END SOLUTION
}
