//! The population objectives of maximum likelihood and of three of its
//! relatives, exactly, for an RBM small enough to enumerate its visible
//! states and a target distribution `q` over them (entry s of `q` is the
//! probability of the visible state whose bit k is unit k).
//!
//! - log-likelihood: sum_v q(v) log p(v);
//! - pseudo-likelihood (Besag 1975): sum_v q(v) sum_j log p(v_j | v_-j);
//! - ratio matching (Hyvarinen 2007), to be *minimised*:
//!   sum_v q(v) sum_j sigma(F(v) - F(v^(j)))^2, where v^(j) is v with bit j
//!   flipped; it is score matching carried over to binary data;
//! - noise-contrastive estimation (Gutmann & Hyvarinen 2010) with uniform
//!   noise, one noise sample per data sample, and log Z as one more
//!   parameter `log_z`: E_q[log h(v)] + E_noise[log(1 - h(v))] with
//!   h(v) = sigma(-F(v) - log_z - log noise(v)).
//!
//! None of the last three needs Z, which is their point; all four are
//! consistent: if q is itself an RBM, its parameters are a stationary point
//! of each. When q is not an RBM of this size, their maximisers differ.

use ndarray::{Array1, ArrayView1};

use crate::numerics::{log_sum_exp, sigmoid, softplus};
use crate::{Rbm, Result, state_vector};

/// The parameters as one vector (b, then c, then W row by row), the form
/// in which an optimiser or a finite-difference check moves them.
pub fn flatten(rbm: &Rbm) -> Vec<f64> {
    rbm.visible_bias()
        .iter()
        .chain(rbm.hidden_bias().iter())
        .chain(rbm.weights().iter())
        .copied()
        .collect()
}

/// The inverse of [`flatten`]; entries after the RBM's are ignored.
pub fn unflatten(x: &[f64], n_visible: usize, n_hidden: usize) -> Result<Rbm> {
    let (d, n) = (n_visible, n_hidden);
    Rbm::new(
        Array1::from_vec(x[..d].to_vec()),
        Array1::from_vec(x[d..d + n].to_vec()),
        ndarray::Array2::from_shape_vec((n, d), x[d + n..d + n + n * d].to_vec())
            .expect("n_hidden * n_visible weights"),
    )
}

/// F(v) for every visible state s = 0 .. 2^d - 1.
fn free_energies(rbm: &Rbm) -> Array1<f64> {
    let d = rbm.n_visible();
    Array1::from_iter((0..1u64 << d).map(|s| rbm.free_energy(state_vector(s, d).view())))
}

/// sum_v q(v) f(v, s), skipping states with q(v) = 0.
fn expect(q: ArrayView1<f64>, f: impl Fn(usize) -> f64) -> f64 {
    q.iter()
        .enumerate()
        .filter(|(_, p)| **p > 0.0)
        .map(|(s, p)| p * f(s))
        .sum()
}

/// sum_v q(v) log p(v), eq. (4.1) averaged over q.
pub fn expected_log_likelihood(rbm: &Rbm, q: ArrayView1<f64>) -> f64 {
    let f = free_energies(rbm);
    let log_z = log_sum_exp(f.iter().map(|x| -x));
    expect(q, |s| -f[s] - log_z)
}

/// sum_v q(v) sum_j log p(v_j | v_-j) = sum_j log sigma(F(v^(j)) - F(v)), eq. (7.8).
pub fn expected_pseudo_log_likelihood(rbm: &Rbm, q: ArrayView1<f64>) -> f64 {
    let f = free_energies(rbm);
    expect(q, |s| {
        (0..rbm.n_visible())
            .map(|j| -softplus(f[s] - f[s ^ (1 << j)]))
            .sum()
    })
}

/// Hyvarinen's ratio-matching loss: sum_v q(v) sum_j sigma(F(v) - F(v^(j)))^2.
/// Smaller is better; 0 only if every flip of a data state is infinitely
/// more probable, so it is minimised, not driven to 0.
pub fn ratio_matching_loss(rbm: &Rbm, q: ArrayView1<f64>) -> f64 {
    let f = free_energies(rbm);
    expect(q, |s| {
        (0..rbm.n_visible())
            .map(|j| sigmoid(f[s] - f[s ^ (1 << j)]).powi(2))
            .sum()
    })
}

/// The NCE objective with uniform noise (probability 2^-d per state), one
/// noise sample per data sample, and `log_z` standing in for log Z.
pub fn nce_objective(rbm: &Rbm, log_z: f64, q: ArrayView1<f64>) -> f64 {
    let f = free_energies(rbm);
    let d = rbm.n_visible();
    let log_noise = -(d as f64) * std::f64::consts::LN_2;
    // log h = -softplus(-a), log(1 - h) = -softplus(a), a = log p_model - log noise.
    let a = |s: usize| -f[s] - log_z - log_noise;
    let noise = 1.0 / (1u64 << d) as f64;
    let data_term = expect(q, |s| -softplus(-a(s)));
    let noise_term: f64 = (0..1usize << d).map(|s| noise * -softplus(a(s))).sum();
    data_term + noise_term
}
