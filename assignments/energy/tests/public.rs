//! Public tests: run them with `cargo test --offline`.

mod common;

use assignment_energy::{energy, pair_sum, rbm_energy};
use bm_exact::{Rbm, state_vector};
use ndarray::array;

#[test]
fn pair_sum_counts_each_pair_once() {
    let couplings = array![[0.0, 0.3, -0.5], [0.3, 0.0, 2.0], [-0.5, 2.0, 0.0]];
    let x = array![1.0, 1.0, 1.0];
    let got = pair_sum(&couplings, x.view());
    assert!(
        (got - 1.8).abs() < 1e-12,
        "pair_sum of all-on units = 0.3 - 0.5 + 2.0 = 1.8, got {got} (3.6 means each pair was counted twice)"
    );
}

#[test]
fn energy_matches_the_oracle_on_a_random_machine() {
    let machine = common::random_machine(3, 2, 1);
    let oracle = common::oracle(&machine);
    for s in [0u64, 5, 19, 31] {
        let x = state_vector(s, 5);
        let (v, h) = (x.slice(ndarray::s![..3]), x.slice(ndarray::s![3..]));
        let (got, want) = (energy(&machine, v, h), oracle.energy(v, h));
        assert!(
            (got - want).abs() < 1e-10,
            "state {s}: energy {got}, expected {want} (eq. 1.1: check the signs and count each pair once)"
        );
    }
}

#[test]
fn rbm_energy_matches_the_oracle() {
    let rbm = Rbm::new(array![0.1, -0.2], array![0.3], array![[0.5, -0.4]]).unwrap();
    let (v, h) = (array![1.0, 1.0], array![1.0]);
    let got = rbm_energy(
        rbm.visible_bias(),
        rbm.hidden_bias(),
        &rbm.weights().to_owned(),
        v.view(),
        h.view(),
    );
    let want = rbm.energy(v.view(), h.view());
    assert!(
        (got - want).abs() < 1e-12,
        "E(v=(1,1), h=(1)) = {want}, got {got} (eq. 1.4)"
    );
}
