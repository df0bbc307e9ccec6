//! Public tests: run them with `cargo test --offline`.

mod common;

use assignment_free_energy::{free_energy, hidden_probabilities, softplus, visible_probabilities};
use bm_exact::state_vector;

#[test]
fn softplus_matches_its_definition() {
    for x in [-5.0, -0.5, 0.0, 0.5, 5.0] {
        let want = (1.0f64 + f64::exp(x)).ln();
        assert!(
            common::close(softplus(x), want, 1e-12),
            "softplus({x}) = {want}, got {}",
            softplus(x)
        );
    }
}

#[test]
fn free_energy_matches_the_oracle() {
    let rbm = common::random_rbm(4, 3, 1.0, 11);
    let oracle = common::oracle(&rbm);
    for s in 0..16 {
        let v = state_vector(s, 4);
        let (got, want) = (free_energy(&rbm, v.view()), oracle.free_energy(v.view()));
        assert!(
            common::close(got, want, 1e-10),
            "F(v) for v = {v}: expected {want}, got {got} (eq. 2.3)"
        );
    }
}

#[test]
fn conditionals_match_the_oracle() {
    let rbm = common::random_rbm(4, 3, 1.0, 12);
    let oracle = common::oracle(&rbm);
    let v = state_vector(0b1011, 4);
    let h = state_vector(0b101, 3);
    let (got, want) = (
        hidden_probabilities(&rbm, v.view()),
        oracle.hidden_probabilities(v.view()),
    );
    assert!(
        got.len() == 3
            && got
                .iter()
                .zip(&want)
                .all(|(g, w)| common::close(*g, *w, 1e-12)),
        "p(h=1|v): expected {want}, got {got}"
    );
    let (got, want) = (
        visible_probabilities(&rbm, h.view()),
        oracle.visible_probabilities(h.view()),
    );
    assert!(
        got.len() == 4
            && got
                .iter()
                .zip(&want)
                .all(|(g, w)| common::close(*g, *w, 1e-12)),
        "p(v=1|h): expected {want}, got {got}"
    );
}
