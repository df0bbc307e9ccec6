//! Assignment 2: free energy and conditionals of the RBM (chapter 2).

use ndarray::{Array1, Array2, ArrayView1};

/// An RBM in the book's notation: visible bias b, hidden bias c, weights W of
/// shape (n_hidden, n_visible).
#[derive(Clone, Debug)]
pub struct Rbm {
    pub visible_bias: Array1<f64>,
    pub hidden_bias: Array1<f64>,
    pub weights: Array2<f64>,
}

/// softplus(x) = log(1 + e^x), eq. (2.4) in the book, without overflow: it
/// must return a finite, accurate value for x = 1000 and x = -1000.
pub fn softplus(x: f64) -> f64 {
    // HINT: for large x, log(1 + e^x) = x + log(1 + e^-x); use ln_1p.
    // BEGIN SOLUTION
    x.max(0.0) + (-x.abs()).exp().ln_1p()
    // END SOLUTION
}

/// The logistic sigmoid 1 / (1 + e^-x), without overflow.
pub fn sigmoid(x: f64) -> f64 {
    // HINT: for negative x write it as e^x / (1 + e^x).
    // BEGIN SOLUTION
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
    // END SOLUTION
}

/// F(v) = -b^T v - sum_i softplus(c_i + W_i v), eq. (2.3) in the book.
pub fn free_energy(rbm: &Rbm, v: ArrayView1<f64>) -> f64 {
    // HINT: W_i v is row i of W times v: rbm.weights.dot(&v) gives all of them.
    // BEGIN SOLUTION
    let activations = &rbm.hidden_bias + &rbm.weights.dot(&v);
    -rbm.visible_bias.dot(&v) - activations.iter().map(|&a| softplus(a)).sum::<f64>()
    // END SOLUTION
}

/// p(h_i = 1 | v) = sigmoid(c_i + W_i v) for every hidden unit i, eq. (2.7).
pub fn hidden_probabilities(rbm: &Rbm, v: ArrayView1<f64>) -> Array1<f64> {
    // HINT: one entry per hidden unit.
    // BEGIN SOLUTION
    (&rbm.hidden_bias + &rbm.weights.dot(&v)).mapv(sigmoid)
    // END SOLUTION
}

/// p(v_j = 1 | h) = sigmoid(b_j + (W^T h)_j) for every visible unit j, eq. (2.8).
pub fn visible_probabilities(rbm: &Rbm, h: ArrayView1<f64>) -> Array1<f64> {
    // HINT: one entry per visible unit: W^T h is rbm.weights.t().dot(&h).
    // BEGIN SOLUTION
    (&rbm.visible_bias + &rbm.weights.t().dot(&h)).mapv(sigmoid)
    // END SOLUTION
}
