//! Mean-field and TAP estimates of log Z against exact enumeration:
//! naive mean field is a lower bound for every model; TAP is exact to
//! second order in the weights, so its error falls faster than mean field's
//! as the weights shrink; a TAP with the wrong sign of its correction fails
//! the same test.

mod common;

use common::random_exact_rbm;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rbm::{MeanFieldOrder, Rbm, mean_field_log_partition, mean_field_statistics};

/// A random model whose weights are scaled by `scale` (biases kept).
fn scaled_model(seed: u64, scale: f32) -> (Rbm, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut model = Rbm::from_exact(&random_exact_rbm(10, 6, 1.0, &mut rng));
    model.weights.mapv_inplace(|w| w * scale);
    let log_z = model.to_exact().unwrap().log_partition().unwrap();
    (model, log_z)
}

fn error(model: &Rbm, log_z: f64, order: MeanFieldOrder) -> f64 {
    let e = mean_field_log_partition(model, order, 5_000);
    assert!(e.converged, "{order:?} did not converge");
    e.log_partition - log_z
}

#[test]
fn naive_mean_field_is_a_lower_bound() {
    for seed in 0..20 {
        for scale in [0.1, 0.5, 1.0, 2.0] {
            let (model, log_z) = scaled_model(seed, scale);
            let e = mean_field_log_partition(&model, MeanFieldOrder::Naive, 5_000);
            assert!(
                e.log_partition <= log_z + 1e-9,
                "seed {seed} scale {scale}: {e:?} > {log_z}"
            );
        }
    }
}

#[test]
fn tap_error_falls_faster_than_mean_field_error() {
    for seed in 0..5 {
        let errors = |scale| {
            let (model, log_z) = scaled_model(seed, scale);
            (
                error(&model, log_z, MeanFieldOrder::Naive).abs(),
                error(&model, log_z, MeanFieldOrder::Tap).abs(),
            )
        };
        let (mf_big, tap_big) = errors(0.1);
        let (mf_small, tap_small) = errors(0.025);
        eprintln!(
            "seed {seed}: mean field {mf_big:.2e} -> {mf_small:.2e}, TAP {tap_big:.2e} -> {tap_small:.2e}"
        );
        // Dividing W by 4 divides a second-order error by about 16, a
        // third-order one by about 64. Naive mean field is TAP without its
        // correction term: the broken variant, which must fail the TAP
        // criterion (a ratio above 30).
        let (mf_ratio, tap_ratio) = (mf_big / mf_small, tap_big / tap_small);
        assert!(
            (12.0..20.0).contains(&mf_ratio),
            "mean field ratio {mf_ratio}"
        );
        assert!(tap_ratio > 30.0, "TAP ratio {tap_ratio}");
        assert!(tap_small < 0.2 * mf_small, "{tap_small} vs {mf_small}");
    }
}

#[test]
fn zero_weights_make_both_exact() {
    let (model, log_z) = scaled_model(3, 0.0);
    for order in [MeanFieldOrder::Naive, MeanFieldOrder::Tap] {
        assert!(error(&model, log_z, order).abs() < 1e-10);
    }
}

/// The largest difference between the mean-field statistics of `order` and
/// the exact model statistics, over E[v], E[h] and E[h v^T].
fn statistics_error(model: &Rbm, order: MeanFieldOrder) -> f64 {
    let exact = model.to_exact().unwrap().model_statistics().unwrap();
    let estimate = mean_field_log_partition(model, order, 5_000);
    assert!(estimate.converged, "{order:?} did not converge");
    let approx = mean_field_statistics(model, &estimate, order);
    let difference = approx.minus(&exact);
    difference
        .visible_bias
        .iter()
        .chain(&difference.hidden_bias)
        .chain(&difference.weights)
        .fold(0.0f64, |m, x| m.max(x.abs()))
}

#[test]
fn statistics_error_is_first_order_for_mean_field_and_second_order_for_tap() {
    for seed in 0..5 {
        let errors = |scale| {
            let (model, _) = scaled_model(seed, scale);
            (
                statistics_error(&model, MeanFieldOrder::Naive),
                statistics_error(&model, MeanFieldOrder::Tap),
            )
        };
        let (mf_big, tap_big) = errors(0.1);
        let (mf_small, tap_small) = errors(0.025);
        let (mf_ratio, tap_ratio) = (mf_big / mf_small, tap_big / tap_small);
        eprintln!(
            "seed {seed}: mean field {mf_big:.2e} -> {mf_small:.2e} ({mf_ratio:.1}), TAP {tap_big:.2e} -> {tap_small:.2e} ({tap_ratio:.1})"
        );
        // Naive mean field misses the connected correlation W_ij var var,
        // first order in W: dividing W by 4 divides its error by about 4.
        // TAP keeps it, so its error is second order (about 16; 9.5 to 18 on
        // these seeds, as the next order still shows at scale 0.1). Naive
        // mean field is the broken variant of TAP that must fail the TAP
        // criterion (a ratio above 7).
        assert!(
            (3.0..5.5).contains(&mf_ratio),
            "mean field ratio {mf_ratio}"
        );
        assert!(tap_ratio > 7.0, "TAP ratio {tap_ratio}");
        assert!(tap_small < 0.05 * mf_small, "{tap_small} vs {mf_small}");
    }
}

#[test]
fn statistics_are_the_derivatives_of_the_estimated_log_partition() {
    let (model, _) = scaled_model(7, 0.5);
    for order in [MeanFieldOrder::Naive, MeanFieldOrder::Tap] {
        let estimate = mean_field_log_partition(&model, order, 5_000);
        let stats = mean_field_statistics(&model, &estimate, order);
        for (i, j) in [(0, 0), (2, 5), (5, 9)] {
            let at = |step: f32| {
                let mut shifted = model.clone();
                shifted.weights[[i, j]] += step;
                let w = f64::from(shifted.weights[[i, j]]);
                (
                    mean_field_log_partition(&shifted, order, 5_000).log_partition,
                    w,
                )
            };
            let ((up, w_up), (down, w_down)) = (at(1e-2), at(-1e-2));
            let derivative = (up - down) / (w_up - w_down);
            let statistic = stats.hidden_visible[[i, j]];
            assert!(
                (derivative - statistic).abs() < 1e-4,
                "{order:?} W[{i},{j}]: derivative {derivative} vs statistic {statistic}"
            );
            // The broken variant: TAP's estimate with naive statistics.
            if order == MeanFieldOrder::Tap {
                let naive = stats.hidden[i] * stats.visible[j];
                assert!(
                    (derivative - naive).abs() > 1e-3,
                    "the reaction term is too small to test"
                );
            }
        }
        let shifted_bias = |step: f32| {
            let mut shifted = model.clone();
            shifted.visible_bias[3] += step;
            (
                mean_field_log_partition(&shifted, order, 5_000).log_partition,
                f64::from(shifted.visible_bias[3]),
            )
        };
        let ((up, b_up), (down, b_down)) = (shifted_bias(1e-2), shifted_bias(-1e-2));
        let derivative = (up - down) / (b_up - b_down);
        assert!(
            (derivative - stats.visible[3]).abs() < 1e-4,
            "{order:?} b[3]"
        );
    }
}
