//! Random RBMs and data with a fixed seed, and the statistical comparison of
//! many CD-k estimates with the exact expected update.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use assignment_contrastive_divergence::cd_update;
use bm_exact::Rbm;
use ndarray::Array2;

pub use classroom_testkit::random_rbm;

pub use classroom_testkit::rows as data;

/// The largest |z| over all entries of the mean of `repeats` CD-k estimates
/// against the exact expected update, z = (mean - exact) / standard error.
/// Under a correct implementation the z values are roughly standard normal.
pub fn largest_z(rbm: &Rbm, data: &Array2<f64>, k: usize, repeats: usize, seed: u64) -> f64 {
    let exact = rbm.expected_cd_update(data.view(), k).unwrap();
    let mut rng = classroom_testkit::seeded(seed);
    let flat = |p: &bm_exact::Parameters| -> Vec<f64> {
        p.visible_bias
            .iter()
            .chain(&p.hidden_bias)
            .chain(&p.weights)
            .copied()
            .collect()
    };
    let want = flat(&exact);
    let (mut sum, mut sum_sq) = (vec![0.0; want.len()], vec![0.0; want.len()]);
    for _ in 0..repeats {
        let got = flat(&cd_update(rbm, data.view(), k, &mut rng));
        assert_eq!(
            got.len(),
            want.len(),
            "the update has the shape of the model"
        );
        for (i, x) in got.iter().enumerate() {
            sum[i] += x;
            sum_sq[i] += x * x;
        }
    }
    let n = repeats as f64;
    (0..want.len())
        .map(|i| {
            let mean = sum[i] / n;
            let se = ((sum_sq[i] / n - mean * mean).max(1e-12) / n).sqrt();
            ((mean - want[i]) / se).abs()
        })
        .fold(0.0, f64::max)
}
