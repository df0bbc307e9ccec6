//! Random RBMs with a fixed seed and the AIS check against the exact log Z.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use assignment_estimating_z::{ais_log_weights, log_partition_estimate};
use bm_exact::Rbm;

pub use classroom_testkit::random_rbm;

pub fn linear_betas(n: usize) -> Vec<f64> {
    (0..n).map(|k| k as f64 / (n - 1) as f64).collect()
}

/// (estimate - exact, standard error of the estimate), with the standard
/// error of log mean w from the spread of the weights, eq. (7.6).
pub fn ais_error(rbm: &Rbm, n_betas: usize, n_chains: usize, seed: u64) -> (f64, f64) {
    let mut rng = classroom_testkit::seeded(seed);
    let log_w = ais_log_weights(rbm, &linear_betas(n_betas), n_chains, &mut rng);
    assert_eq!(log_w.len(), n_chains, "one log weight per chain");
    let estimate = log_partition_estimate(rbm, &log_w);
    let top = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = log_w.iter().map(|x| (x - top).exp()).collect();
    let m = w.len() as f64;
    let mean = w.iter().sum::<f64>() / m;
    let sd = (w.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (m - 1.0)).sqrt();
    (
        estimate - rbm.log_partition().unwrap(),
        sd / m.sqrt() / mean,
    )
}
