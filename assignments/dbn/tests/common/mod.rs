//! Random tiny deep belief nets with a fixed seed, and the oracle's exact
//! numbers for them (crate `dbn`, module `exact`, by enumeration in f64).

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use bm_exact::Rbm;
use dbn::ExactDbn;
use ndarray::Array1;

pub use classroom_testkit::{close, random_rbm};

/// A net with layer sizes `sizes` (v first), parameters uniform in
/// (-scale, scale), layer k drawn from seed `seed + k`.
pub fn random_layers(sizes: &[usize], scale: f64, seed: u64) -> Vec<Rbm> {
    sizes
        .windows(2)
        .enumerate()
        .map(|(k, pair)| random_rbm(pair[0], pair[1], scale, seed + k as u64))
        .collect()
}

/// The oracle net and its table of log p(h_1), by enumeration.
pub fn exact(layers: &[Rbm]) -> (ExactDbn, Array1<f64>) {
    let net = ExactDbn::new(layers.to_vec(), None).expect("layers fit together");
    let log_p_h1 = net.log_marginal_h1().expect("a tiny net");
    (net, log_p_h1)
}
