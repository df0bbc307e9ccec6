//! Random RBMs and data with a fixed seed; comparisons of gradients.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use bm_exact::{Parameters, Rbm, state_vector};
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};

pub fn random_rbm(n_visible: usize, n_hidden: usize, seed: u64) -> Rbm {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut uniform = |n| Array1::from_shape_fn(n, |_| rng.random_range(-1.0..1.0));
    let (b, c, w) = (
        uniform(n_visible),
        uniform(n_hidden),
        uniform(n_hidden * n_visible),
    );
    Rbm::new(
        b,
        c,
        w.into_shape_with_order((n_hidden, n_visible)).unwrap(),
    )
    .unwrap()
}

/// Rows: the visible states listed in `states`.
pub fn data(states: &[u64], n_visible: usize) -> Array2<f64> {
    let rows: Vec<_> = states.iter().map(|&s| state_vector(s, n_visible)).collect();
    let views: Vec<_> = rows.iter().map(|r| r.view()).collect();
    ndarray::stack(ndarray::Axis(0), &views).unwrap()
}

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
