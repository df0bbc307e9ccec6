//! MNIST digits from the checkout's data/mnist-10k, small RBMs and their
//! exact log-likelihood from bm-exact.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use std::path::PathBuf;

use assignment_mnist::Rbm;
use ndarray::{Array2, s};

/// The boltzmann-workbench checkout: set by the release's .cargo/config.toml,
/// or two folders up in the checkout itself.
fn checkout() -> PathBuf {
    match option_env!("BOLTZMANN_WORKBENCH") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."),
    }
}

/// `n` digits of `split` ("train" or "t10k"), binarised at intensity 0.5.
pub fn digits(split: &str, n: usize) -> Array2<f64> {
    let (images, _, _) = datasets::load_idx_folder(checkout().join("data/mnist-10k"), split)
        .expect("data/mnist-10k");
    images
        .slice(s![..n, ..])
        .mapv(|x| if x > 0.5 { 1.0 } else { 0.0 })
}

pub fn small_random_rbm(n_visible: usize, n_hidden: usize, seed: u64) -> Rbm {
    let (visible_bias, hidden_bias, weights) = classroom_testkit::random_parts(
        n_visible,
        n_hidden,
        1.0,
        &mut classroom_testkit::seeded(seed),
    );
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
    .expect("finite parameters")
}

/// Mean exact log-likelihood (nats per digit).
pub fn log_likelihood(rbm: &Rbm, data: &Array2<f64>) -> f64 {
    oracle(rbm)
        .mean_log_likelihood(data.view())
        .expect("small enough to enumerate")
}
