//! Random Gaussian-Bernoulli RBMs with a fixed seed and their twins in the
//! rbm crate (f32), whose exact log Z (closed form over h) is in f64.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use assignment_gaussian_rbm::GaussianRbm;
use ndarray::Array1;
use rand::{Rng, SeedableRng};

pub fn random_rbm(
    n_visible: usize,
    n_hidden: usize,
    scale: f64,
    log_variance: f64,
    seed: u64,
) -> GaussianRbm {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut uniform = |n| Array1::from_shape_fn(n, |_| rng.random_range(-scale..scale));
    let (b, c, w) = (
        uniform(n_visible),
        uniform(n_hidden),
        uniform(n_hidden * n_visible),
    );
    GaussianRbm {
        visible_bias: b,
        hidden_bias: c,
        weights: w.into_shape_with_order((n_hidden, n_visible)).unwrap(),
        log_variance: Array1::from_shape_fn(n_visible, |j| {
            log_variance * (j as f64 + 1.0) / n_visible as f64
        }),
    }
}

pub fn twin(g: &GaussianRbm) -> rbm::GaussianRbm {
    let mut twin = rbm::GaussianRbm::zeros(g.visible_bias.len(), g.hidden_bias.len());
    twin.visible_bias = g.visible_bias.mapv(|x| x as f32);
    twin.hidden_bias = g.hidden_bias.mapv(|x| x as f32);
    twin.weights = g.weights.mapv(|x| x as f32);
    twin.log_variance = g.log_variance.mapv(|x| x as f32);
    twin
}

/// Relative closeness for f32 oracles.
pub fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol * want.abs().max(1.0)
}
