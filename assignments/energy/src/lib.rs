//! Assignment 1: the energy of a Boltzmann machine (chapter 1 of the book).
//!
//! Write the three functions below. `cargo test --offline` runs the public
//! tests; the grader also runs hidden ones.

use ndarray::{Array1, Array2, ArrayView1};

/// A general Boltzmann machine in the book's notation: visible bias b, hidden
/// bias c, weights W of shape (n_hidden, n_visible), visible couplings R and
/// hidden couplings T, both symmetric with a zero diagonal.
#[derive(Clone, Debug)]
pub struct Machine {
    pub visible_bias: Array1<f64>,
    pub hidden_bias: Array1<f64>,
    pub weights: Array2<f64>,
    pub visible_couplings: Array2<f64>,
    pub hidden_couplings: Array2<f64>,
}

/// sum_{i<j} R_ij x_i x_j: each pair of units counted once (chapter 1).
/// `couplings` is symmetric with a zero diagonal.
pub fn pair_sum(couplings: &Array2<f64>, x: ArrayView1<f64>) -> f64 {
    // HINT: loop over i < j only; x^T R x would count every pair twice.
    // BEGIN SOLUTION
    let n = x.len();
    let mut sum = 0.0;
    for i in 0..n {
        for j in i + 1..n {
            sum += couplings[[i, j]] * x[i] * x[j];
        }
    }
    sum
    // END SOLUTION
}

/// E(v, h) = -( sum_{i<j} R_ij v_i v_j + h^T W v + sum_{i<j} T_ij h_i h_j
/// + b^T v + c^T h ), eq. (1.1) in the book.
pub fn energy(machine: &Machine, v: ArrayView1<f64>, h: ArrayView1<f64>) -> f64 {
    // HINT: five terms, one minus sign in front of them all; use pair_sum.
    // BEGIN SOLUTION
    -(pair_sum(&machine.visible_couplings, v)
        + h.dot(&machine.weights.dot(&v))
        + pair_sum(&machine.hidden_couplings, h)
        + machine.visible_bias.dot(&v)
        + machine.hidden_bias.dot(&h))
    // END SOLUTION
}

/// The energy of an RBM, E(v, h) = -b^T v - c^T h - h^T W v, eq. (1.4) in
/// the book; `weights` has shape (n_hidden, n_visible).
pub fn rbm_energy(
    visible_bias: ArrayView1<f64>,
    hidden_bias: ArrayView1<f64>,
    weights: &Array2<f64>,
    v: ArrayView1<f64>,
    h: ArrayView1<f64>,
) -> f64 {
    // HINT: W v has one entry per hidden unit.
    // BEGIN SOLUTION
    -(visible_bias.dot(&v) + hidden_bias.dot(&h) + h.dot(&weights.dot(&v)))
    // END SOLUTION
}
