//! Random RBMs with a fixed seed and Pearson's chi-square test of sampled
//! visible states against the exact distribution p(v) from bm-exact.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use bm_exact::{Rbm, state_index};
use ndarray::Array2;
use statrs::distribution::{ChiSquared, ContinuousCDF};

pub use classroom_testkit::random_rbm;

/// The p-value of Pearson's chi-square test of the rows of `samples`
/// (binary visible states) against the exact p(v).
pub fn chi_square_p_value(rbm: &Rbm, samples: &Array2<f64>) -> f64 {
    assert!(
        samples.iter().all(|&x| x == 0.0 || x == 1.0),
        "samples must be binary states"
    );
    let expected = rbm.visible_distribution().unwrap() * samples.nrows() as f64;
    let mut counts = vec![0.0; expected.len()];
    for row in samples.rows() {
        counts[state_index(row) as usize] += 1.0;
    }
    let statistic: f64 = counts
        .iter()
        .zip(&expected)
        .map(|(o, e)| (o - e) * (o - e) / e)
        .sum();
    let dof = (expected.len() - 1) as f64;
    1.0 - ChiSquared::new(dof).unwrap().cdf(statistic)
}
