//! Claims of the chapter "Sampling: Gibbs, persistent chains and
//! tempering", checked by exact enumeration:
//!
//! - exercise 3: with x at beta_k and y at beta_{k+1}, the log of the swap
//!   ratio of (6.4) is (beta_k - beta_{k+1}) (E(x) - E(y)) for joint states
//!   of a general Boltzmann machine (the opposite sign is wrong);
//! - the two-unit example (R_01 = 8, biases -4): p(00) and p(11) are
//!   exactly equal, and 01 and 10 hold under 1% each.

use bm_exact::{BoltzmannMachine, Parameters};
use ndarray::{Array1, Array2, array};

/// A general machine with visible and hidden couplings and fixed,
/// irregular parameters (3 visible and 2 hidden units).
fn machine(beta: f64) -> BoltzmannMachine {
    let r = array![[0.0, 1.3, -0.7], [1.3, 0.0, 0.4], [-0.7, 0.4, 0.0]];
    let t = array![[0.0, -1.1], [-1.1, 0.0]];
    BoltzmannMachine::from_parameters(Parameters {
        visible_bias: array![0.3, -0.9, 0.5] * beta,
        hidden_bias: array![-0.2, 0.8] * beta,
        weights: array![[1.5, -0.4, 0.9], [-1.2, 0.6, 0.3]] * beta,
        visible_couplings: Some(r * beta),
        hidden_couplings: Some(t * beta),
    })
    .unwrap()
}

/// log p_beta(v, h) = -beta E(v, h) - log Z_beta, by enumeration.
fn log_p(beta: f64, v: &Array1<f64>, h: &Array1<f64>) -> f64 {
    let m = machine(beta);
    -m.energy(v.view(), h.view()) - m.log_partition().unwrap()
}

#[test]
fn swap_log_ratio_is_beta_difference_times_energy_difference() {
    let energy = |v: &Array1<f64>, h: &Array1<f64>| machine(1.0).energy(v.view(), h.view());
    let (bk, bk1) = (0.9, 0.55);
    let (xv, xh) = (array![1.0, 0.0, 1.0], array![1.0, 0.0]);
    let (yv, yh) = (array![0.0, 1.0, 1.0], array![0.0, 1.0]);
    // x sits at beta_k, y at beta_{k+1}; the swap puts y at beta_k.
    let log_ratio =
        log_p(bk, &yv, &yh) + log_p(bk1, &xv, &xh) - log_p(bk, &xv, &xh) - log_p(bk1, &yv, &yh);
    let (ex, ey) = (energy(&xv, &xh), energy(&yv, &yh));
    let claimed = (bk - bk1) * (ex - ey);
    assert!(
        (log_ratio - claimed).abs() < 1e-12,
        "{log_ratio} vs {claimed}"
    );
    // Control: the sign the exercise used to print is wrong here.
    let reversed = (bk - bk1) * (ey - ex);
    assert!(
        (ex - ey).abs() > 0.2,
        "the test needs different energies: {ex} {ey}"
    );
    assert!(
        (log_ratio - reversed).abs() > 0.1,
        "{log_ratio} vs {reversed}"
    );
}

#[test]
fn two_coupled_units_put_equal_mass_on_00_and_11() {
    let m = BoltzmannMachine::from_parameters(Parameters {
        visible_bias: array![-4.0, -4.0],
        hidden_bias: Array1::zeros(0),
        weights: Array2::zeros((0, 2)),
        visible_couplings: Some(array![[0.0, 8.0], [8.0, 0.0]]),
        hidden_couplings: None,
    })
    .unwrap();
    // States are numbered with unit k as bit k: 0 = 00, 1 = 10, 2 = 01, 3 = 11.
    let p = m.visible_distribution().unwrap();
    // E(00) = 0 and E(11) = -(8 - 4 - 4) = 0: exactly equal, not "almost".
    assert_eq!(p[0], p[3]);
    // 01 and 10 have energy 4 each: e^-4 / (2 + 2 e^-4) each, under 1%.
    let tiny = (-4.0f64).exp() / (2.0 + 2.0 * (-4.0f64).exp());
    assert!((p[1] - tiny).abs() < 1e-15 && p[1] < 0.01, "{p}");
    assert_eq!(p[1], p[2]);
}
