//! Assignment 3: exact log Z by Gray-code enumeration (chapter 3).
//!
//! A general Boltzmann machine seen as one layer of m units s in {0,1}^m with
//! -E(s) = sum_{i<j} J_ij s_i s_j + a^T s (J symmetric, zero diagonal).

use ndarray::{Array1, Array2};

/// m units with bias a and couplings J (symmetric, zero diagonal).
#[derive(Clone, Debug)]
pub struct PairwiseModel {
    pub bias: Array1<f64>,
    pub couplings: Array2<f64>,
}

/// The k-th Gray code: consecutive codes differ in exactly one bit.
pub fn gray_code(k: u64) -> u64 {
    // HINT: k XOR (k shifted right by one).
    // BEGIN SOLUTION
    k ^ (k >> 1)
    // END SOLUTION
}

/// The unit (bit) in which gray_code(k - 1) and gray_code(k) differ, k >= 1.
pub fn flipped_unit(k: u64) -> usize {
    // HINT: it is the number of trailing zeros of k.
    // BEGIN SOLUTION
    k.trailing_zeros() as usize
    // END SOLUTION
}

/// log Z = log sum_s e^{-E(s)} over all 2^m states, visited in Gray-code
/// order so that each step updates -E(s) and the local fields
/// phi_i = a_i + sum_j J_ij s_j in O(m), eq. (3.3), and summed in log space,
/// eq. (3.2), so that large parameters do not overflow.
pub fn log_partition(model: &PairwiseModel) -> f64 {
    // HINT: start at s = 0 (-E = 0, phi = a); flipping unit k by delta = +-1
    // HINT: adds delta * phi_k to -E and delta * J_ik to every phi_i. Keep a
    // HINT: running maximum m and the sum of e^{x - m}.
    // BEGIN SOLUTION
    let m = model.bias.len();
    let mut state = vec![0.0; m];
    let mut fields = model.bias.to_vec();
    let mut neg_energy = 0.0;
    let (mut max, mut sum) = (0.0f64, 1.0f64);
    for k in 1..1u64 << m {
        let unit = flipped_unit(k);
        let delta = 1.0 - 2.0 * state[unit];
        neg_energy += delta * fields[unit];
        state[unit] += delta;
        for (i, field) in fields.iter_mut().enumerate() {
            *field += delta * model.couplings[[i, unit]];
        }
        if neg_energy > max {
            sum = sum * (max - neg_energy).exp() + 1.0;
            max = neg_energy;
        } else {
            sum += (neg_energy - max).exp();
        }
    }
    max + sum.ln()
    // END SOLUTION
}
