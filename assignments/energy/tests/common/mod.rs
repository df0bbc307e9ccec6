//! Random machines with a fixed seed and their twins in the oracle, bm-exact.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use assignment_energy::Machine;
use bm_exact::{BoltzmannMachine, Parameters};
use classroom_testkit::{random_couplings, random_parts, seeded};

pub fn random_machine(n_visible: usize, n_hidden: usize, seed: u64) -> Machine {
    let mut rng = seeded(seed);
    let (visible_bias, hidden_bias, weights) = random_parts(n_visible, n_hidden, 1.0, &mut rng);
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
