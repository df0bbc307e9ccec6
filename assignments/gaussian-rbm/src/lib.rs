//! Assignment 9: the Gaussian-Bernoulli RBM for real-valued data (chapter 9):
//! Gaussian visible units v in R^d with variances sigma_j^2 = e^{z_j},
//! binary hidden units.

use bm_exact::numerics::{sigmoid, softplus};
use ndarray::{Array1, Array2, ArrayView1};

/// A Gaussian-Bernoulli RBM: visible bias b, hidden bias c, weights W of
/// shape (n_hidden, n_visible), log-variances z (sigma_j^2 = e^{z_j}).
#[derive(Clone, Debug)]
pub struct GaussianRbm {
    pub visible_bias: Array1<f64>,
    pub hidden_bias: Array1<f64>,
    pub weights: Array2<f64>,
    pub log_variance: Array1<f64>,
}

/// The input of each hidden unit, a_i = c_i + sum_j W_ij v_j / sigma_j^2.
pub fn hidden_inputs(rbm: &GaussianRbm, v: ArrayView1<f64>) -> Array1<f64> {
    // HINT: divide v by the variances e^{z_j} (not the standard deviations).
    // BEGIN SOLUTION
    let scaled = &v / &rbm.log_variance.mapv(f64::exp);
    &rbm.hidden_bias + &rbm.weights.dot(&scaled)
    // END SOLUTION
}

/// p(h_i = 1 | v) = sigmoid(a_i), eq. (9.2) in the book.
pub fn hidden_probabilities(rbm: &GaussianRbm, v: ArrayView1<f64>) -> Array1<f64> {
    // HINT: use hidden_inputs and the stable sigmoid.
    // BEGIN SOLUTION
    hidden_inputs(rbm, v).mapv(sigmoid)
    // END SOLUTION
}

/// The mean b + W^T h of the Gaussian p(v | h), eq. (9.3).
pub fn visible_mean(rbm: &GaussianRbm, h: ArrayView1<f64>) -> Array1<f64> {
    // HINT: one entry per visible unit.
    // BEGIN SOLUTION
    &rbm.visible_bias + &rbm.weights.t().dot(&h)
    // END SOLUTION
}

/// F(v) = sum_j (v_j - b_j)^2 / (2 sigma_j^2) - sum_i softplus(a_i), eq. (9.4).
pub fn free_energy(rbm: &GaussianRbm, v: ArrayView1<f64>) -> f64 {
    // HINT: the quadratic term has a 1/2 and the variance, not the standard deviation.
    // BEGIN SOLUTION
    let variance = rbm.log_variance.mapv(f64::exp);
    let quadratic: f64 = (&v - &rbm.visible_bias)
        .iter()
        .zip(&variance)
        .map(|(d, s2)| d * d / (2.0 * s2))
        .sum();
    quadratic
        - hidden_inputs(rbm, v)
            .iter()
            .map(|&a| softplus(a))
            .sum::<f64>()
    // END SOLUTION
}
