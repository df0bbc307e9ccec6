//! Public tests: run them with `cargo test --offline`. The samplers are
//! checked by chi-square tests against exact cell probabilities (fixed
//! seeds; a test fails below p = 0.001); the log-ratio exactly.

mod common;

use assignment_ebm_langevin::{mala_log_ratio, mala_step, ula_step};
use ebm_langevin::Energy;
use ndarray::{Array2, array};

#[test]
fn ula_samples_pass_a_chi_square_test() {
    // On N(0, I) ULA's stationary law is known exactly (see common::ula_stationary).
    let (std, step) = (1.0, 0.1);
    let target = common::gaussian(std);
    let mut rng = common::seeded(201);
    let samples = common::run_from_origin(3000, 150, |x| ula_step(&target, x, step, &mut rng));
    let p = common::chi_square_p_value(&samples, &common::ula_stationary(std, step), 6.0);
    assert!(
        p > 1e-3,
        "chi-square test against ULA's exact stationary law N(0, 1 / (1 - eps / 2)): \
         p-value {p:.2e} (check the sqrt(2 eps) noise and the sign of the gradient)"
    );
}

#[test]
fn mala_log_ratio_matches_eq_11_6() {
    let ring = ebm_langevin::Toy::Ring {
        radius: 1.5,
        width: 0.4,
    };
    let eps = 0.3;
    for (x, y) in [
        (array![1.4, 0.2], array![1.0, 0.9]),
        (array![-0.3, 1.7], array![0.4, 1.2]),
    ] {
        let both = ndarray::stack(ndarray::Axis(0), &[x.view(), y.view()]).unwrap();
        let (e, g) = ring.energies_and_grads(both.view());
        let forward = &y - &x + eps * &g.row(0);
        let back = &x - &y + eps * &g.row(1);
        let want =
            -e[1] + e[0] - back.dot(&back) / (4.0 * eps) + forward.dot(&forward) / (4.0 * eps);
        let got = mala_log_ratio(&ring, x.view(), y.view(), eps);
        assert!(
            (got - want).abs() < 1e-10 * want.abs().max(1.0),
            "log ratio for x = {x} -> y = {y} is {want}, got {got}: \
             -E(y) + E(x) + log q(x | y) - log q(y | x)"
        );
    }
}

#[test]
fn mala_samples_pass_a_chi_square_test() {
    let target = common::two_gaussians();
    let mut rng = common::seeded(202);
    let mut moved = 0;
    let samples: Array2<f64> = common::run_from_origin(3000, 100, |x| {
        moved += mala_step(&target, x, 0.25, &mut rng);
    });
    assert!(
        moved > 3000 * 100 / 4,
        "only {moved} of 300000 proposals accepted: the acceptance rate should be well above 1/4"
    );
    let p = common::chi_square_p_value(&samples, &target, 5.0);
    assert!(
        p > 1e-3,
        "chi-square test of MALA's samples against the exact p(x): p-value {p:.2e}"
    );
}
