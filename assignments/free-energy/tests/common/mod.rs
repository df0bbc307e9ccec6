//! Random RBMs with a fixed seed and their twins in the oracle, bm-exact.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use assignment_free_energy::Rbm;
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn random_rbm(n_visible: usize, n_hidden: usize, scale: f64, seed: u64) -> Rbm {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Rbm {
        visible_bias: Array1::from_shape_fn(n_visible, |_| rng.random_range(-scale..scale)),
        hidden_bias: Array1::from_shape_fn(n_hidden, |_| rng.random_range(-scale..scale)),
        weights: Array2::from_shape_fn((n_hidden, n_visible), |_| rng.random_range(-scale..scale)),
    }
}

pub fn oracle(rbm: &Rbm) -> bm_exact::Rbm {
    bm_exact::Rbm::new(
        rbm.visible_bias.clone(),
        rbm.hidden_bias.clone(),
        rbm.weights.clone(),
    )
    .expect("a valid RBM")
}

/// |got - want| within `tol` relative to max(1, |want|).
pub fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol * want.abs().max(1.0)
}
