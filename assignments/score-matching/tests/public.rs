//! Public tests: run them with `cargo test --offline`. The noise is checked
//! by a Kolmogorov-Smirnov test (fixed seed, level 0.001), the target by
//! finite differences, the loss against the `ebm-langevin` crate.

mod common;

use assignment_score_matching::{dsm_loss, dsm_target, gaussian_dsm_expected_loss, perturb};
use ndarray::array;
use statrs::distribution::{ContinuousCDF, Normal};

#[test]
fn perturb_adds_noise_of_standard_deviation_sigma() {
    let sigma = 0.5;
    let clean = common::gaussian_data(1500, 1.0, 301);
    let noisy = perturb(clean.view(), sigma, &mut common::seeded(302));
    assert_eq!(noisy.dim(), clean.dim(), "one noisy point per clean point");
    let noise: Vec<f64> = (&noisy - &clean).iter().copied().collect();
    let normal = Normal::new(0.0, sigma).unwrap();
    let n = noise.len() as f64;
    let d = classroom_testkit::ks_distance(&noise, |z| normal.cdf(z));
    assert!(
        d < 1.95 / n.sqrt(),
        "y - x should be N(0, sigma^2) with sigma = {sigma}: Kolmogorov-Smirnov distance {d:.3} \
         (limit {:.3})",
        1.95 / n.sqrt()
    );
}

#[test]
fn dsm_target_is_minus_the_score_of_the_noise() {
    let sigma = 0.3;
    let clean = array![[0.2, -1.0], [1.5, 0.4]];
    let noisy = array![[0.5, -0.8], [1.1, 0.9]];
    let got = dsm_target(clean.view(), noisy.view(), sigma);
    // -d/dy log q(y | x) by central differences, log q = -|y - x|^2 / (2 sigma^2).
    let log_q = |y: f64, x: f64| -(y - x) * (y - x) / (2.0 * sigma * sigma);
    let h = 1e-5;
    let want = ndarray::Array2::from_shape_fn((2, 2), |(i, j)| {
        let (y, x) = (noisy[[i, j]], clean[[i, j]]);
        -(log_q(y + h, x) - log_q(y - h, x)) / (2.0 * h)
    });
    assert!(
        common::max_abs_diff(&got, &want) < 1e-6,
        "the target should be -grad_y log q(y | x) = {want}, got {got}"
    );
}

#[test]
fn dsm_loss_matches_the_crate_on_an_mlp() {
    let model = common::random_mlp(303);
    let sigma = 0.2;
    let clean = common::gaussian_data(64, 1.0, 304);
    let noisy = &clean + &(common::gaussian_data(64, sigma * sigma, 305));
    let want = ebm_langevin::train::dsm_loss(&model, clean.view(), noisy.view(), sigma);
    let got = dsm_loss(&model, clean.view(), noisy.view(), sigma);
    assert!(
        (got - want).abs() < 1e-9 * want.abs().max(1.0),
        "the loss (12.3) of this batch is {want}, got {got}"
    );
}

#[test]
fn expected_gaussian_loss_is_smallest_at_the_noised_variance() {
    let (s2, sigma) = (0.5, 0.6);
    let best = s2 + sigma * sigma;
    let at = |v: f64| gaussian_dsm_expected_loss(s2, v, sigma, 2);
    assert!(
        at(best) < at(best * 0.95) && at(best) < at(best * 1.05),
        "the expected loss should be smallest at v = s^2 + sigma^2 = {best}: \
         L(0.95 v) = {}, L(v) = {}, L(1.05 v) = {}",
        at(best * 0.95),
        at(best),
        at(best * 1.05)
    );
}
