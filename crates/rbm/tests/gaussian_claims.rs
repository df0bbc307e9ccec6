//! The chapter on Gaussian-Bernoulli RBMs, on what a shrinking variance does
//! to the likelihood, checked with the closed-form log Z (eq. 9.5):
//!
//! - all 2^n mixture components share sigma_j, so as sigma_j -> 0 a data set
//!   with a point away from every component mean in coordinate j gets
//!   likelihood -> 0 (log-likelihood -> -infinity), not +infinity;
//! - the real degeneracy is a coordinate taking at most 2^n distinct values,
//!   each at a component mean (a constant column above all): there the
//!   likelihood grows without bound, which the log-variance limit of the
//!   trainer prevents.

use ndarray::{Array2, array};
use rbm::GaussianRbm;

/// One visible and one hidden unit: component means b (h = 0) and b + w (h = 1).
fn model(b: f32, w: f32, variance: f32) -> GaussianRbm {
    GaussianRbm {
        visible_bias: array![b],
        hidden_bias: array![0.0],
        weights: array![[w]],
        log_variance: array![variance.ln()],
    }
}

fn mean_log_likelihood(m: &GaussianRbm, data: &[f32]) -> f64 {
    let data = Array2::from_shape_vec((data.len(), 1), data.to_vec()).unwrap();
    m.exact_mean_log_likelihood(data.view()).unwrap()
}

const VARIANCES: [f32; 4] = [1.0, 1e-1, 1e-2, 1e-3];

#[test]
fn shared_variance_to_zero_sends_the_likelihood_to_zero() {
    // Means at -0.5 and 0.5; the data -1, 0, 1 sit at neither.
    let data = [-1.0, 0.0, 1.0];
    let lls: Vec<f64> = VARIANCES
        .iter()
        .map(|&s2| mean_log_likelihood(&model(-0.5, 1.0, s2), &data))
        .collect();
    eprintln!("data -1, 0, 1; sigma^2 = {VARIANCES:?}: mean log-likelihood {lls:?}");
    assert!(lls.windows(2).all(|w| w[1] < w[0]), "{lls:?}");
    // Each point is at least 0.5 from a mean: log p <= -0.25 / (2 sigma^2) + const.
    assert!(lls[3] < -100.0, "{lls:?}");
}

#[test]
fn data_on_the_component_means_send_it_to_infinity() {
    // Control: the degenerate case. Two distinct values, each a component mean.
    let lls: Vec<f64> = VARIANCES
        .iter()
        .map(|&s2| mean_log_likelihood(&model(-0.5, 1.0, s2), &[-0.5, 0.5, 0.5]))
        .collect();
    assert!(lls.windows(2).all(|w| w[1] > w[0]), "{lls:?}");
    // A constant column (what the standardiser maps to exactly 0): the same.
    let constant: Vec<f64> = VARIANCES
        .iter()
        .map(|&s2| mean_log_likelihood(&model(0.0, 0.0, s2), &[0.0, 0.0, 0.0]))
        .collect();
    assert!(constant.windows(2).all(|w| w[1] > w[0]), "{constant:?}");
    // Each tenfold smaller variance adds log(10) / 2 per example.
    let step = constant[1] - constant[0];
    assert!((step - 0.5 * 10f64.ln()).abs() < 1e-5, "{step}");
}
