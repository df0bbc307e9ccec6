//! Gibbs samplers for the general Boltzmann machine (eq. 1.1), in f64 on
//! `bm_exact::BoltzmannMachine`, whose exact tables test them.
//!
//! The state is one vector s = (v, h) of length n_visible + n_hidden, in the
//! order of `bm_exact`'s joint table (v first). The couplings follow the
//! book's pair convention: R and T are symmetric with a zero diagonal and
//! each pair i < j appears once in the energy. Flipping unit k from 0 to 1
//! then changes -E by exactly its local field
//!
//! visible unit i: b_i + sum_j R_ij v_j + sum_l W_li h_l,
//! hidden unit l:  c_l + sum_i W_li v_i + sum_m T_lm h_m,
//!
//! so p(s_k = 1 | all other units) = sigmoid(field_k). A text that writes
//! the energy as -v^T R v counts every pair twice and would have 2 R here.

use ndarray::{Array1, Array2, ArrayView1, s};
use rand::Rng;

use crate::error::{RbmError, config_error};

// ANCHOR: sequential_gibbs
/// The local field of unit k of s = (v, h), eq. (6.2): the change in
/// -E(v, h) when s_k goes from 0 to 1 with every other unit fixed (see the
/// module docs).
pub fn local_field(bm: &bm_exact::BoltzmannMachine, state: ArrayView1<f64>, k: usize) -> f64 {
    let p = bm.parameters();
    let nv = bm.n_visible();
    let (v, h) = (state.slice(s![..nv]), state.slice(s![nv..]));
    if k < nv {
        p.visible_bias[k] + bm.visible_couplings().row(k).dot(&v) + p.weights.column(k).dot(&h)
    } else {
        let l = k - nv;
        p.hidden_bias[l] + p.weights.row(l).dot(&v) + bm.hidden_couplings().row(l).dot(&h)
    }
}

/// One sequential Gibbs sweep: every unit of s = (v, h) in order 0, 1, ...,
/// each drawn from p(s_k = 1 | rest) = sigmoid(field_k), eq. (6.2), with the field
/// computed from the *current* state, so later units see the new values of
/// earlier ones. Valid for any couplings R, T. Panics if `state` does not
/// have n_visible + n_hidden entries.
pub fn sequential_gibbs_sweep(
    bm: &bm_exact::BoltzmannMachine,
    state: &mut Array1<f64>,
    rng: &mut impl Rng,
) {
    assert_eq!(
        state.len(),
        bm.n_visible() + bm.n_hidden(),
        "the state holds (v, h)"
    );
    for k in 0..state.len() {
        let p_on = bm_exact::numerics::sigmoid(local_field(bm, state.view(), k));
        state[k] = if rng.random::<f64>() < p_on { 1.0 } else { 0.0 };
    }
}
// ANCHOR_END: sequential_gibbs

/// One layerwise (block) Gibbs sweep: all visible units at once given h,
/// then all hidden units at once given the new v (eq. 5.1). Units of one
/// layer are conditionally independent only when no two of them are
/// coupled, so this is refused, before any work, unless R = 0 and T = 0
/// (the machine is bipartite, an RBM). Panics on a wrong state length.
pub fn layerwise_gibbs_sweep(
    bm: &bm_exact::BoltzmannMachine,
    state: &mut Array1<f64>,
    rng: &mut impl Rng,
) -> Result<(), RbmError> {
    for (field, couplings, layer) in [
        ("visible_couplings", bm.visible_couplings(), "visible"),
        ("hidden_couplings", bm.hidden_couplings(), "hidden"),
    ] {
        if let Some(((i, j), r)) = couplings.indexed_iter().find(|(_, r)| **r != 0.0) {
            return Err(config_error(
                field,
                format!(
                    "entry [{i}][{j}] is {r}: {layer} units {i} and {j} are coupled, so they are not \
                     independent given the other layer and a parallel update would sample the wrong \
                     distribution; use sequential_gibbs_sweep"
                ),
            ));
        }
    }
    assert_eq!(
        state.len(),
        bm.n_visible() + bm.n_hidden(),
        "the state holds (v, h)"
    );
    let nv = bm.n_visible();
    for layer in [0..nv, nv..state.len()] {
        // All fields of the layer from the same state, then all units drawn.
        let fields: Vec<f64> = layer
            .clone()
            .map(|k| local_field(bm, state.view(), k))
            .collect();
        for (k, field) in layer.zip(fields) {
            let p_on = bm_exact::numerics::sigmoid(field);
            state[k] = if rng.random::<f64>() < p_on { 1.0 } else { 0.0 };
        }
    }
    Ok(())
}

/// `n_samples` states s = (v, h) of one chain of sequential sweeps, one per
/// row: the chain starts uniformly at random, makes `burn_in` sweeps, then
/// keeps one state every `every` sweeps (0 is taken as 1). Consecutive rows
/// are correlated; thin more for slowly mixing machines.
pub fn sample_bm(
    bm: &bm_exact::BoltzmannMachine,
    n_samples: usize,
    burn_in: usize,
    every: usize,
    rng: &mut impl Rng,
) -> Array2<f64> {
    let n_units = bm.n_visible() + bm.n_hidden();
    let mut state = Array1::from_shape_simple_fn(n_units, || f64::from(rng.random_range(0..2u8)));
    for _ in 0..burn_in {
        sequential_gibbs_sweep(bm, &mut state, rng);
    }
    let mut samples = Array2::zeros((n_samples, n_units));
    for mut row in samples.rows_mut() {
        for _ in 0..every.max(1) {
            sequential_gibbs_sweep(bm, &mut state, rng);
        }
        row.assign(&state);
    }
    samples
}
