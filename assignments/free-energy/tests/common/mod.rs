//! Random RBMs with a fixed seed and their twins in the oracle, bm-exact.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use assignment_free_energy::Rbm;
pub use classroom_testkit::close;
use classroom_testkit::{random_parts, seeded};

pub fn random_rbm(n_visible: usize, n_hidden: usize, scale: f64, seed: u64) -> Rbm {
    let (visible_bias, hidden_bias, weights) =
        random_parts(n_visible, n_hidden, scale, &mut seeded(seed));
    Rbm {
        visible_bias,
        hidden_bias,
        weights,
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
