//! Random machines with a fixed seed and their twins in the oracle, bm-exact.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use assignment_energy::Machine;
use bm_exact::{BoltzmannMachine, Parameters};
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A symmetric matrix with a zero diagonal and entries in (-scale, scale).
pub fn random_couplings(n: usize, scale: f64, rng: &mut ChaCha8Rng) -> Array2<f64> {
    let mut m = Array2::zeros((n, n));
    for i in 0..n {
        for j in i + 1..n {
            let x = rng.random_range(-scale..scale);
            m[[i, j]] = x;
            m[[j, i]] = x;
        }
    }
    m
}

pub fn random_machine(n_visible: usize, n_hidden: usize, seed: u64) -> Machine {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut uniform = |n: usize| Array1::from_shape_fn(n, |_| rng.random_range(-1.0..1.0));
    let visible_bias = uniform(n_visible);
    let hidden_bias = uniform(n_hidden);
    let weights = Array2::from_shape_fn((n_hidden, n_visible), |_| rng.random_range(-1.0..1.0));
    Machine {
        visible_bias,
        hidden_bias,
        weights,
        visible_couplings: random_couplings(n_visible, 1.0, &mut rng),
        hidden_couplings: random_couplings(n_hidden, 1.0, &mut rng),
    }
}

pub fn oracle(m: &Machine) -> BoltzmannMachine {
    BoltzmannMachine::from_parameters(Parameters {
        visible_bias: m.visible_bias.clone(),
        hidden_bias: m.hidden_bias.clone(),
        weights: m.weights.clone(),
        visible_couplings: Some(m.visible_couplings.clone()),
        hidden_couplings: Some(m.hidden_couplings.clone()),
    })
    .expect("a valid machine")
}
