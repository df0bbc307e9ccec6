//! Two claims of the chapter "Estimating the partition function", checked
//! against exact enumeration:
//!
//! - the base-rate model's log Z_A includes n log 2 for the disconnected
//!   hidden units;
//! - the tail bound P(log Z_hat > log Z + t) <= e^{-t} of a single forward
//!   AIS run (Markov's inequality on the unbiased weight), which makes one
//!   forward run conservative: it rarely over-estimates log Z by much.
//!
//! Each check has a control, a deliberately broken variant that must fail it.

mod common;

use common::random_exact_rbm;
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rbm::{AisSchedule, Rbm, ais, base_log_partition};

/// log Z_A = n log 2 + sum_j softplus(b_A_j): the exact log Z of the RBM
/// with the base-rate bias, no hidden bias and zero weights.
#[test]
fn base_log_partition_counts_the_hidden_units() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let model = random_exact_rbm(7, 4, 1.0, &mut rng);
    let bias = model.visible_bias().mapv(|b| b as f32);
    let base = bm_exact::Rbm::new(
        bias.mapv(f64::from),
        ndarray::Array1::zeros(4),
        Array2::zeros((4, 7)),
    )
    .unwrap();
    let exact = base.log_partition().unwrap();
    let ours = base_log_partition(bias.view(), 4);
    assert!((ours - exact).abs() < 1e-6, "{ours} vs {exact}");
    // Control: leaving out the 2^n of the hidden units is off by n log 2.
    let without_hidden = ours - 4.0 * std::f64::consts::LN_2;
    assert!((without_hidden - exact).abs() > 2.7);
}

/// The fraction of single-chain estimates above log Z + t, for several t.
fn tail_fractions(estimates: &[f64], log_z: f64, ts: &[f64]) -> Vec<f64> {
    ts.iter()
        .map(|t| {
            estimates.iter().filter(|&&e| e > log_z + t).count() as f64 / estimates.len() as f64
        })
        .collect()
}

/// Whether every fraction respects e^{-t}, with three binomial standard
/// errors of slack for the finite number of runs.
fn respects_bound(fractions: &[f64], ts: &[f64], n: usize) -> bool {
    fractions.iter().zip(ts).all(|(f, t)| {
        let bound = (-t).exp();
        *f <= bound + 3.0 * (bound * (1.0 - bound) / n as f64).sqrt()
    })
}

#[test]
fn a_single_forward_run_rarely_overestimates_log_z() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    // Large weights and a short schedule: heavy-tailed weights, the hard case.
    let exact_model = random_exact_rbm(10, 6, 1.5, &mut rng);
    let model = Rbm::from_exact(&exact_model);
    let log_z = exact_model.log_partition().unwrap();
    let base = ndarray::Array1::<f32>::zeros(10);
    let log_base = base_log_partition(base.view(), model.n_hidden());
    let ts = [0.25, 0.5, 1.0, 2.0];
    for n_betas in [10, 100] {
        let schedule = AisSchedule::scaled(n_betas).unwrap();
        let run = ais(&model, base.view(), &schedule, 4000, &mut rng).unwrap();
        // Each chain alone is one AIS run with M = 1.
        let single: Vec<f64> = run.log_weights.iter().map(|w| log_base + w).collect();
        let fractions = tail_fractions(&single, log_z, &ts);
        eprintln!("{n_betas} betas: P(error > t) for t = {ts:?}: {fractions:?}");
        assert!(
            respects_bound(&fractions, &ts, single.len()),
            "{fractions:?}"
        );
        // Control: counting the hidden units' n log 2 twice breaks the bound.
        let doubled: Vec<f64> = single
            .iter()
            .map(|e| e + model.n_hidden() as f64 * std::f64::consts::LN_2)
            .collect();
        let broken = tail_fractions(&doubled, log_z, &ts);
        assert!(!respects_bound(&broken, &ts, doubled.len()), "{broken:?}");
    }
}
