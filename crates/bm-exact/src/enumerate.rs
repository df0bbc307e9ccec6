//! Enumeration of binary states in Gray-code order, in parallel blocks.
//!
//! Two walks share the same plan. [`LayerSum`] enumerates one layer of an RBM
//! and sums the other out analytically (eq. 3.1); [`PairwiseModel`] enumerates
//! every unit of a general Boltzmann machine (eq. 3.3). In both, consecutive
//! Gray codes differ in one unit, so moving to the next state costs one row
//! update instead of a full recomputation.
//!
//! State `s` of `n` units is the integer whose bit `k` is unit `k`.

use std::ops::Range;

use ndarray::{Array1, Array2, ArrayView1, CowArray, Ix2};
use rayon::prelude::*;

use crate::error::{ExactError, Result};
use crate::numerics::{LogSumExp, sigmoid, sum_softplus};

/// Which code evaluates the softplus sums and sigmoids of the summed layer:
/// the plain scalar reference of [`crate::numerics`] (every result of this
/// crate, unless asked otherwise), or the fast kernels of the `numerics`
/// crate, several times faster and tested against the plain ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernels {
    Plain,
    Fast,
}

impl Kernels {
    /// sum_j softplus(a_j).
    fn sum_softplus(self, a: &[f64]) -> f64 {
        match self {
            Kernels::Plain => sum_softplus(a),
            Kernels::Fast => numerics::sum_softplus(a),
        }
    }

    /// out_j = scale * sigmoid(x_j).
    fn scaled_sigmoid_into(self, x: &[f64], scale: f64, out: &mut [f64]) {
        match self {
            Kernels::Plain => out
                .iter_mut()
                .zip(x)
                .for_each(|(o, &x)| *o = scale * sigmoid(x)),
            Kernels::Fast => numerics::scaled_sigmoid_into(x, scale, out),
        }
    }
}

/// Largest number of enumerated units for log Z: 2^30 states.
pub const MAX_ENUMERATED_UNITS: usize = 30;
/// Largest number of units for a full probability table or the exact CD-k
/// update: 2^22 entries, 32 MiB of f64.
pub const MAX_TABLE_UNITS: usize = 22;

/// Refuse to enumerate more than 2^max_units states.
pub fn check_enumerable(what: &'static str, n_units: usize, max_units: usize) -> Result<()> {
    if n_units > max_units {
        return Err(ExactError::TooLarge {
            what,
            n_units,
            n_states: 1u128.checked_shl(n_units as u32).unwrap_or(u128::MAX),
            max_units,
        });
    }
    Ok(())
}

/// The units of state `s` as 0.0/1.0 values: unit k is bit k of s.
pub fn state_vector(s: u64, n_units: usize) -> Array1<f64> {
    Array1::from_iter((0..n_units).map(|k| ((s >> k) & 1) as f64))
}

/// The Gray code of index i: consecutive codes differ in one bit.
fn gray(i: u64) -> u64 {
    i ^ (i >> 1)
}

/// The blocks of state indices that are walked in parallel. Their number does
/// not depend on the number of threads, and results are combined in block
/// order, so every run gives the same bits.
fn blocks(n_units: usize) -> Vec<Range<u64>> {
    let n_states = 1u64 << n_units;
    let n_blocks = n_states.min(1024);
    let len = n_states / n_blocks;
    (0..n_blocks).map(|b| b * len..(b + 1) * len).collect()
}

fn map_blocks<T: Send>(n_units: usize, f: impl Fn(Range<u64>) -> T + Sync + Send) -> Vec<T> {
    blocks(n_units).into_par_iter().map(f).collect()
}

/// target += values, element by element.
fn add_into(target: &mut [f64], values: &[f64]) {
    target.iter_mut().zip(values).for_each(|(t, v)| *t += v);
}

/// Add `sign * row` to `field`.
fn add_row(field: &mut [f64], row: ArrayView1<f64>, sign: f64) {
    let row = row.as_slice().expect("rows are contiguous");
    field.iter_mut().zip(row).for_each(|(f, r)| *f += sign * r);
}

// ANCHOR: layer_sum
/// One layer x enumerated, the other layer y summed out (eq. 3.1):
/// log Z = log sum_x exp( theta_x . x + sum_j softplus(theta_y_j + (x^T rows)_j) ).
pub(crate) struct LayerSum<'a> {
    pub enumerated_bias: ArrayView1<'a, f64>,
    pub summed_bias: ArrayView1<'a, f64>,
    /// Row k holds the weights between enumerated unit k and every summed unit.
    pub rows: CowArray<'a, f64, Ix2>,
}

impl LayerSum<'_> {
    /// Visit the states of one block in Gray-code order with
    /// `theta_x . x` and the field `theta_y + rows^T x` of the summed layer.
    fn walk(&self, block: Range<u64>, mut visit: impl FnMut(u64, f64, &[f64])) {
        let mut state = gray(block.start);
        let mut linear = 0.0;
        let mut field = self.summed_bias.to_vec();
        for k in (0..self.enumerated_bias.len()).filter(|k| state >> k & 1 == 1) {
            linear += self.enumerated_bias[k];
            add_row(&mut field, self.rows.row(k), 1.0);
        }
        visit(state, linear, &field);
        for i in block.start + 1..block.end {
            let k = i.trailing_zeros() as usize; // the one unit that flips
            state ^= 1 << k;
            let sign = if state >> k & 1 == 1 { 1.0 } else { -1.0 };
            linear += sign * self.enumerated_bias[k];
            add_row(&mut field, self.rows.row(k), sign);
            visit(state, linear, &field);
        }
    }

    pub fn log_partition(&self, kernels: Kernels) -> f64 {
        let per_block = map_blocks(self.enumerated_bias.len(), |block| {
            let mut acc = LogSumExp::new();
            self.walk(block, |_, linear, field| {
                acc.add(linear + kernels.sum_softplus(field))
            });
            acc
        });
        per_block
            .into_iter()
            .fold(LogSumExp::new(), LogSumExp::merge)
            .value()
    }
}
// ANCHOR_END: layer_sum

/// Expectations under the model: E[x], E[y] and E[x y^T] for the enumerated
/// layer x and the summed layer y, where E[y | x] = sigmoid(field).
pub(crate) struct LayerMoments {
    pub enumerated_mean: Array1<f64>,
    pub summed_mean: Array1<f64>,
    pub cross: Array2<f64>,
}

impl LayerSum<'_> {
    pub fn moments(&self, log_partition: f64, kernels: Kernels) -> LayerMoments {
        let (nx, ny) = self.rows.dim();
        let zero = || LayerMoments {
            enumerated_mean: Array1::zeros(nx),
            summed_mean: Array1::zeros(ny),
            cross: Array2::zeros((nx, ny)),
        };
        let per_block = map_blocks(nx, |block| {
            let mut m = zero();
            // p(x) E[y | x] = p(x) sigmoid(field), for the current state x.
            let mut weighted = vec![0.0; ny];
            self.walk(block, |state, linear, field| {
                let p = (linear + kernels.sum_softplus(field) - log_partition).exp();
                kernels.scaled_sigmoid_into(field, p, &mut weighted);
                add_into(m.summed_mean.as_slice_mut().expect("contiguous"), &weighted);
                for k in (0..nx).filter(|k| state >> k & 1 == 1) {
                    m.enumerated_mean[k] += p;
                    let row = m.cross.row_mut(k).into_slice().expect("contiguous");
                    add_into(row, &weighted);
                }
            });
            m
        });
        per_block.into_iter().fold(zero(), |mut a, b| {
            a.enumerated_mean += &b.enumerated_mean;
            a.summed_mean += &b.summed_mean;
            a.cross += &b.cross;
            a
        })
    }
}

// ANCHOR: pairwise_model
/// A general pairwise binary model, -E(s) = theta . s + sum_{i<j} J_ij s_i s_j,
/// with J symmetric and zero on the diagonal. A Boltzmann machine is one, with
/// s = (v, h) and J built from R, W and T.
pub(crate) struct PairwiseModel {
    pub bias: Array1<f64>,
    pub couplings: Array2<f64>,
}

impl PairwiseModel {
    /// Visit the states of one block in Gray-code order with their -E(s).
    /// Flipping unit k changes -E by +-(theta_k + sum_j J_kj s_j), its local
    /// field (eq. 3.3), and then every field by +-J_ik.
    fn walk(&self, block: Range<u64>, mut visit: impl FnMut(u64, f64)) {
        let n = self.bias.len();
        let mut state = gray(block.start);
        let s = state_vector(state, n);
        let mut field = &self.bias + &self.couplings.dot(&s);
        let mut neg_energy = self.bias.dot(&s) + 0.5 * s.dot(&self.couplings.dot(&s));
        visit(state, neg_energy);
        for i in block.start + 1..block.end {
            let k = i.trailing_zeros() as usize;
            state ^= 1 << k;
            let sign = if state >> k & 1 == 1 { 1.0 } else { -1.0 };
            neg_energy += sign * field[k];
            field.scaled_add(sign, &self.couplings.row(k));
            visit(state, neg_energy);
        }
    }

    pub fn log_partition(&self) -> f64 {
        let per_block = map_blocks(self.bias.len(), |block| {
            let mut acc = LogSumExp::new();
            self.walk(block, |_, neg_energy| acc.add(neg_energy));
            acc
        });
        per_block
            .into_iter()
            .fold(LogSumExp::new(), LogSumExp::merge)
            .value()
    }
}
// ANCHOR_END: pairwise_model

impl PairwiseModel {
    /// E[s] and E[s s^T] under p(s) = exp(-E(s) - log Z).
    pub fn moments(&self, log_partition: f64) -> (Array1<f64>, Array2<f64>) {
        let n = self.bias.len();
        let zero = || (Array1::zeros(n), Array2::zeros((n, n)));
        let per_block = map_blocks(n, |block| {
            let (mut mean, mut second) = zero();
            self.walk(block, |state, neg_energy| {
                let p = (neg_energy - log_partition).exp();
                let on: Vec<usize> = (0..n).filter(|k| state >> k & 1 == 1).collect();
                for &i in &on {
                    mean[i] += p;
                    for &j in &on {
                        second[[i, j]] += p;
                    }
                }
            });
            (mean, second)
        });
        per_block
            .into_iter()
            .fold(zero(), |(m, s), (bm, bs)| (m + bm, s + bs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gray_codes_differ_in_the_trailing_zero_bit() {
        for i in 1..1000u64 {
            assert_eq!(gray(i) ^ gray(i - 1), 1 << i.trailing_zeros());
        }
    }

    #[test]
    fn blocks_cover_every_state_once() {
        for n in [0, 1, 5, 10, 12] {
            let b = blocks(n);
            assert_eq!(b.first().unwrap().start, 0);
            assert_eq!(b.last().unwrap().end, 1 << n);
            assert!(b.windows(2).all(|w| w[0].end == w[1].start));
        }
    }

    #[test]
    fn too_large_names_the_states_and_ais() {
        let e = check_enumerable("log Z of this RBM", 40, 30)
            .unwrap_err()
            .to_string();
        assert!(e.contains("2^40 = 1099511627776"), "{e}");
        assert!(e.contains("AIS"), "{e}");
        let cd = check_enumerable("the exact expected CD-k update", 40, 22).unwrap_err();
        assert!(!cd.to_string().contains("AIS"), "{cd}");
        assert!(check_enumerable("log Z", 30, 30).is_ok());
    }
}
