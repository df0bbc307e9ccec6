//! Random Gaussian-Bernoulli RBMs with a fixed seed and their twins in the
//! rbm crate (f32), whose exact log Z (closed form over h) is in f64.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use assignment_gaussian_rbm::GaussianRbm;
use classroom_testkit::{random_parts, seeded};
use ndarray::Array1;

pub fn random_rbm(
    n_visible: usize,
    n_hidden: usize,
    scale: f64,
    log_variance: f64,
    seed: u64,
) -> GaussianRbm {
    let (visible_bias, hidden_bias, weights) =
        random_parts(n_visible, n_hidden, scale, &mut seeded(seed));
    GaussianRbm {
        visible_bias,
        hidden_bias,
        weights,
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

pub use classroom_testkit::close;
