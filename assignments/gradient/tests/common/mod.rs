//! Random RBMs and data with a fixed seed; comparisons of gradients.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use bm_exact::{Parameters, Rbm};
use ndarray::Array1;

pub fn random_rbm(n_visible: usize, n_hidden: usize, seed: u64) -> Rbm {
    classroom_testkit::random_rbm(n_visible, n_hidden, 1.0, seed)
}

pub use classroom_testkit::rows as data;

/// Largest entry-wise difference of two gradients (biases and weights).
pub fn max_difference(a: &Parameters, b: &Parameters) -> f64 {
    assert_eq!(
        a.weights.dim(),
        b.weights.dim(),
        "weights have shape (n_hidden, n_visible)"
    );
    let diff = |x: &Array1<f64>, y: &Array1<f64>| {
        x.iter()
            .zip(y)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0, f64::max)
    };
    let w = a
        .weights
        .iter()
        .zip(&b.weights)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max);
    diff(&a.visible_bias, &b.visible_bias)
        .max(diff(&a.hidden_bias, &b.hidden_bias))
        .max(w)
}
