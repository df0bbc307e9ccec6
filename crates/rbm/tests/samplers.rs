//! Samplers against exact tables of `bm_exact`, by a chi-square
//! goodness-of-fit test on the final states of many independent chains:
//! persistent chains of the RBM, sequential and layerwise Gibbs for the
//! general Boltzmann machine, and broken variants that must fail.

mod common;

use common::{chi_square_p_value, p_value_against_exact, tiny_rbm};
use ndarray::{Array1, Array2, ArrayView1, array};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rbm::{
    PersistentChains, Rbm, layerwise_gibbs_sweep, local_field, sample_bm, sequential_gibbs_sweep,
};

/// Correct samplers must pass with p > 1e-3; broken ones must fail with p < 1e-6.
const PASS: f64 = 1e-3;
const FAIL: f64 = 1e-6;

/// 4 visible, 3 hidden units with visible-visible and hidden-hidden
/// couplings of size ~1, large enough that a wrong coupling convention shows.
fn coupled_machine() -> bm_exact::BoltzmannMachine {
    let r = array![
        [0.0, 1.2, -0.8, 0.5],
        [1.2, 0.0, 0.7, -1.0],
        [-0.8, 0.7, 0.0, 0.9],
        [0.5, -1.0, 0.9, 0.0]
    ];
    let t = array![[0.0, -1.1, 0.8], [-1.1, 0.0, 1.0], [0.8, 1.0, 0.0]];
    bm_exact::BoltzmannMachine::from_parameters(bm_exact::Parameters {
        visible_bias: array![0.5, -1.0, 0.3, -0.2],
        hidden_bias: array![-0.4, 0.6, -0.3],
        weights: array![
            [1.0, -0.7, 0.4, 0.8],
            [-0.6, 0.9, -1.2, 0.3],
            [0.5, 0.4, 0.6, -0.9]
        ],
        visible_couplings: Some(r),
        hidden_couplings: Some(t),
    })
    .unwrap()
}

/// The same sizes without couplings: an RBM as a Boltzmann machine.
fn bipartite_machine() -> bm_exact::BoltzmannMachine {
    let mut p = coupled_machine().parameters().clone();
    p.visible_couplings = None;
    p.hidden_couplings = None;
    bm_exact::BoltzmannMachine::from_parameters(p).unwrap()
}

/// A Gibbs sweep over the state s = (v, h), correct or not.
type Sweep = Box<dyn Fn(&bm_exact::BoltzmannMachine, &mut Array1<f64>, &mut ChaCha8Rng)>;

const N_CHAINS: usize = 20_000;
const BURN_IN: usize = 30;

/// Final states of N_CHAINS independent chains, each started uniformly at
/// random and advanced BURN_IN sweeps by `sweep`.
fn final_states(
    bm: &bm_exact::BoltzmannMachine,
    sweep: impl Fn(&bm_exact::BoltzmannMachine, &mut Array1<f64>, &mut ChaCha8Rng),
    seed: u64,
) -> Array2<f64> {
    let n_units = bm.n_visible() + bm.n_hidden();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut samples = Array2::zeros((N_CHAINS, n_units));
    for mut row in samples.rows_mut() {
        let mut state =
            Array1::from_shape_simple_fn(n_units, || f64::from(rng.random_range(0..2u8)));
        for _ in 0..BURN_IN {
            sweep(bm, &mut state, &mut rng);
        }
        row.assign(&state);
    }
    samples
}

/// The chi-square p-value of full states s = (v, h) against the exact joint table.
fn joint_p_value(bm: &bm_exact::BoltzmannMachine, samples: &Array2<f64>) -> f64 {
    let mut counts = vec![0.0; 1 << samples.ncols()];
    for row in samples.rows() {
        counts[bm_exact::state_index(row) as usize] += 1.0;
    }
    let exact = bm.joint_distribution().unwrap();
    chi_square_p_value(&counts, exact.as_slice().unwrap())
}

#[test]
fn sequential_gibbs_matches_the_exact_joint_distribution() {
    let bm = coupled_machine();
    for seed in [1, 2, 3] {
        let samples = final_states(&bm, sequential_gibbs_sweep, seed);
        let p = joint_p_value(&bm, &samples);
        eprintln!("sequential Gibbs, seed {seed}: p = {p:.4}");
        assert!(p > PASS, "seed {seed}: p = {p}");
    }
}

/// Sequential updates with a field made by `field` instead of the right one.
fn sweep_with_field(
    field: impl Fn(&bm_exact::BoltzmannMachine, ArrayView1<f64>, usize) -> f64,
) -> impl Fn(&bm_exact::BoltzmannMachine, &mut Array1<f64>, &mut ChaCha8Rng) {
    move |bm, state, rng| {
        for k in 0..state.len() {
            let p_on = bm_exact::numerics::sigmoid(field(bm, state.view(), k));
            state[k] = f64::from(rng.random::<f64>() < p_on);
        }
    }
}

/// The coupling part of the field counted twice, as if E had -v^T R v - h^T T h.
fn pairs_counted_twice(bm: &bm_exact::BoltzmannMachine, s: ArrayView1<f64>, k: usize) -> f64 {
    let nv = bm.n_visible();
    let (v, h) = s.split_at(ndarray::Axis(0), nv);
    let coupling = if k < nv {
        bm.visible_couplings().row(k).dot(&v)
    } else {
        bm.hidden_couplings().row(k - nv).dot(&h)
    };
    local_field(bm, s, k) + coupling
}

/// The bias entering with the wrong sign.
fn flipped_bias(bm: &bm_exact::BoltzmannMachine, s: ArrayView1<f64>, k: usize) -> f64 {
    let p = bm.parameters();
    let nv = bm.n_visible();
    let bias = if k < nv {
        p.visible_bias[k]
    } else {
        p.hidden_bias[k - nv]
    };
    local_field(bm, s, k) - 2.0 * bias
}

/// Every unit drawn from a field computed before the sweep (a stale field):
/// all units updated in parallel, which is wrong once units are coupled.
fn stale_field_sweep(
    bm: &bm_exact::BoltzmannMachine,
    state: &mut Array1<f64>,
    rng: &mut ChaCha8Rng,
) {
    let old = state.clone();
    for k in 0..state.len() {
        let p_on = bm_exact::numerics::sigmoid(local_field(bm, old.view(), k));
        state[k] = f64::from(rng.random::<f64>() < p_on);
    }
}

#[test]
fn the_chi_square_check_catches_broken_bm_samplers() {
    let bm = coupled_machine();
    let broken: [(&str, Sweep); 3] = [
        (
            "pairs counted twice",
            Box::new(sweep_with_field(pairs_counted_twice)),
        ),
        (
            "flipped bias sign",
            Box::new(sweep_with_field(flipped_bias)),
        ),
        ("stale field (parallel update)", Box::new(stale_field_sweep)),
    ];
    for (name, sweep) in broken {
        let samples = final_states(&bm, |bm, s, rng| sweep(bm, s, rng), 1);
        let p = joint_p_value(&bm, &samples);
        eprintln!("{name}: p = {p:e}");
        assert!(p < FAIL, "the broken sampler ({name}) passed with p = {p}");
    }
}

#[test]
fn layerwise_gibbs_is_refused_when_units_of_a_layer_are_coupled() {
    let bm = coupled_machine();
    let mut state = Array1::zeros(7);
    let err = layerwise_gibbs_sweep(&bm, &mut state, &mut ChaCha8Rng::seed_from_u64(0))
        .unwrap_err()
        .to_string();
    assert!(err.contains("visible_couplings"), "{err}");
    assert!(err.contains("sequential_gibbs_sweep"), "{err}");
    assert_eq!(state, Array1::<f64>::zeros(7), "no work before the error");

    let mut only_hidden = bm.parameters().clone();
    only_hidden.visible_couplings = None;
    let bm = bm_exact::BoltzmannMachine::from_parameters(only_hidden).unwrap();
    let err = layerwise_gibbs_sweep(&bm, &mut state, &mut ChaCha8Rng::seed_from_u64(0))
        .unwrap_err()
        .to_string();
    assert!(err.contains("hidden_couplings"), "{err}");
}

#[test]
fn layerwise_gibbs_matches_the_exact_joint_distribution_of_a_bipartite_machine() {
    let bm = bipartite_machine();
    for seed in [4, 5] {
        let samples = final_states(
            &bm,
            |bm, s, rng| layerwise_gibbs_sweep(bm, s, rng).unwrap(),
            seed,
        );
        let p = joint_p_value(&bm, &samples);
        eprintln!("layerwise Gibbs, seed {seed}: p = {p:.4}");
        assert!(p > PASS, "seed {seed}: p = {p}");
    }
}

#[test]
fn one_thinned_chain_of_sample_bm_matches_the_joint_distribution() {
    let bm = coupled_machine();
    // Every 5th sweep: the chain of this machine forgets its state within a
    // couple of sweeps, so the kept states are close to independent.
    let samples = sample_bm(&bm, 20_000, 50, 5, &mut ChaCha8Rng::seed_from_u64(6));
    assert_eq!(samples.dim(), (20_000, 7));
    let p = joint_p_value(&bm, &samples);
    eprintln!("sample_bm: p = {p:.4}");
    assert!(p > PASS, "p = {p}");
}

#[test]
fn persistent_chains_follow_the_exact_distribution() {
    let model = tiny_rbm();
    let batch = array![[1.0f32, 0.0, 1.0, 1.0]];
    for seed in [7, 8] {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut chains = PersistentChains::new(20_000, &model, &mut rng);
        // 30 PCD updates of 3 steps with a model that does not change: the
        // chains keep their states between calls, so they end 90 steps in.
        for _ in 0..30 {
            chains.gradient(&model, batch.view(), 3, &mut rng);
        }
        let p = p_value_against_exact(&model, chains.states());
        eprintln!("persistent chains, seed {seed}: p = {p:.4}");
        assert!(p > PASS, "seed {seed}: p = {p}");
    }
}

#[test]
fn persistent_chains_of_a_wrong_model_fail_the_same_check() {
    // The teeth of the test above: the same chains run under the model with
    // its visible bias negated (a sign error) must fail against tiny_rbm.
    let model = tiny_rbm();
    let wrong = Rbm {
        visible_bias: -&model.visible_bias,
        ..model.clone()
    };
    let batch = array![[1.0f32, 0.0, 1.0, 1.0]];
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut chains = PersistentChains::new(20_000, &wrong, &mut rng);
    for _ in 0..30 {
        chains.gradient(&wrong, batch.view(), 3, &mut rng);
    }
    let p = p_value_against_exact(&model, chains.states());
    eprintln!("persistent chains of the wrong model: p = {p:e}");
    assert!(p < FAIL, "p = {p}");
}
