//! Random pairwise models and log Z from the oracle, bm-exact.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use assignment_partition::PairwiseModel;
use bm_exact::{BoltzmannMachine, Parameters};
use ndarray::s;

pub fn random_model(m: usize, scale: f64, seed: u64) -> PairwiseModel {
    let mut rng = classroom_testkit::seeded(seed);
    let couplings = classroom_testkit::random_couplings(m, scale, &mut rng);
    let bias = classroom_testkit::uniform(m, scale, &mut rng);
    PairwiseModel { bias, couplings }
}

/// The oracle's log Z: the first m - 1 units as visible, the last as hidden.
pub fn oracle_log_partition(model: &PairwiseModel) -> f64 {
    let m = model.bias.len();
    let (nv, j) = (m - 1, &model.couplings);
    BoltzmannMachine::from_parameters(Parameters {
        visible_bias: model.bias.slice(s![..nv]).to_owned(),
        hidden_bias: model.bias.slice(s![nv..]).to_owned(),
        weights: j.slice(s![nv.., ..nv]).to_owned(),
        visible_couplings: Some(j.slice(s![..nv, ..nv]).to_owned()),
        hidden_couplings: Some(j.slice(s![nv.., nv..]).to_owned()),
    })
    .expect("a valid machine")
    .log_partition()
    .expect("small enough to enumerate")
}
