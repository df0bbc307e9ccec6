//! Public tests: run them with `cargo test --offline`. AIS is checked
//! against the exact log Z with a fixed seed, within 4 standard errors.

mod common;

use assignment_estimating_z::log_p_star;
use bm_exact::state_vector;

#[test]
fn log_p_star_at_both_ends() {
    let rbm = common::random_rbm(4, 3, 1.0, 71);
    for s in [0, 5, 15] {
        let v = state_vector(s, 4);
        let (one, zero) = (
            log_p_star(&rbm, 1.0, v.view()),
            log_p_star(&rbm, 0.0, v.view()),
        );
        assert!(
            (one + rbm.free_energy(v.view())).abs() < 1e-10,
            "log p*_1(v) must be -F(v) = {}, got {one}",
            -rbm.free_energy(v.view())
        );
        assert!(
            (zero - 3.0 * std::f64::consts::LN_2).abs() < 1e-12,
            "log p*_0(v) must be 3 ln 2, got {zero}"
        );
    }
}

#[test]
fn ais_estimate_is_close_to_the_exact_log_z() {
    let rbm = common::random_rbm(5, 3, 1.0, 72);
    let (error, se) = common::ais_error(&rbm, 100, 500, 73);
    assert!(
        error.abs() < (4.0 * se).max(0.02),
        "AIS estimate - exact log Z = {error:.4}, standard error {se:.4}"
    );
}
