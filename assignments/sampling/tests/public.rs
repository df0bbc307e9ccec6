//! Public tests: run them with `cargo test --offline`. The chi-square test
//! uses independent chains (their final states), a fixed seed, and fails
//! below p = 0.001.

mod common;

use assignment_sampling::{gibbs_step, run_chains};
use rand::SeedableRng;

#[test]
fn gibbs_step_returns_binary_states() {
    let rbm = common::random_rbm(5, 3, 1.0, 61);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(62);
    let v = gibbs_step(&rbm, ndarray::Array1::zeros(5).view(), &mut rng);
    assert!(
        v.len() == 5 && v.iter().all(|&x| x == 0.0 || x == 1.0),
        "v' must be a binary visible state, got {v}"
    );
}

#[test]
fn gibbs_samples_pass_a_chi_square_test() {
    let rbm = common::random_rbm(4, 3, 1.0, 63);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(64);
    let samples = run_chains(&rbm, 4000, 30, &mut rng);
    let p = common::chi_square_p_value(&rbm, &samples);
    assert!(
        p > 1e-3,
        "chi-square test against the exact p(v): p-value {p:.2e}"
    );
}
