//! Exact probability tables, exact sampling and the empirical distribution of data.
//!
//! Tables are indexed by state: entry `s` belongs to the configuration whose
//! unit k is bit k of s (see [`crate::state_vector`]).

use std::collections::BTreeMap;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::Rng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;

use crate::enumerate::{MAX_TABLE_UNITS, check_enumerable, state_vector};
use crate::error::Result;
use crate::rbm::Rbm;

/// p(x) = prod_k p_k^{x_k} (1 - p_k)^{1 - x_k} for every state x of a layer of
/// independent units (eq. 2.6), built by doubling the table once per unit.
pub fn factorized_table(on_probabilities: ArrayView1<f64>) -> Array1<f64> {
    let mut table = vec![1.0];
    for &p in on_probabilities {
        let off = table.iter().map(|t| t * (1.0 - p));
        let on = table.iter().map(|t| t * p);
        table = off.chain(on).collect();
    }
    Array1::from(table)
}

/// The state index of a binary row: bit k is value k.
pub fn state_index(row: ArrayView1<f64>) -> u64 {
    row.iter()
        .enumerate()
        .filter(|(_, x)| **x == 1.0)
        .fold(0, |s, (k, _)| s | 1 << k)
}

impl Rbm {
    /// p(v) for every visible state: exp(-F(v) - log Z).
    pub fn visible_distribution(&self) -> Result<Array1<f64>> {
        check_enumerable("a table of p(v)", self.n_visible(), MAX_TABLE_UNITS)?;
        let log_partition = self.log_partition()?;
        Ok(Array1::from_shape_fn(1 << self.n_visible(), |s| {
            let v = state_vector(s as u64, self.n_visible());
            (-self.free_energy(v.view()) - log_partition).exp()
        }))
    }

    /// p(h) for every hidden state: exp(-F(h) - log Z).
    pub fn hidden_distribution(&self) -> Result<Array1<f64>> {
        check_enumerable("a table of p(h)", self.n_hidden(), MAX_TABLE_UNITS)?;
        let log_partition = self.log_partition()?;
        Ok(Array1::from_shape_fn(1 << self.n_hidden(), |s| {
            let h = state_vector(s as u64, self.n_hidden());
            (-self.hidden_free_energy(h.view()) - log_partition).exp()
        }))
    }

    /// p(v, h) = e^{-E(v, h)} / Z, eq. (1.2), with rows indexed by the visible
    /// state and columns by the hidden state.
    pub fn joint_distribution(&self) -> Result<Array2<f64>> {
        let n_units = self.n_visible() + self.n_hidden();
        check_enumerable("a table of p(v, h)", n_units, MAX_TABLE_UNITS)?;
        let log_partition = self.log_partition()?;
        let (nv, nh) = (self.n_visible(), self.n_hidden());
        Ok(Array2::from_shape_fn((1 << nv, 1 << nh), |(sv, sh)| {
            let v = state_vector(sv as u64, nv);
            let h = state_vector(sh as u64, nh);
            (-self.energy(v.view(), h.view()) - log_partition).exp()
        }))
    }

    /// `n` independent exact samples of v from p(v), one per row.
    pub fn sample_visible(&self, n: usize, rng: &mut impl Rng) -> Result<Array2<f64>> {
        Ok(sample_states(
            self.visible_distribution()?.view(),
            self.n_visible(),
            n,
            rng,
        ))
    }
}

/// `n` independent samples of states from a probability table, one per row.
pub fn sample_states(
    table: ArrayView1<f64>,
    n_units: usize,
    n: usize,
    rng: &mut impl Rng,
) -> Array2<f64> {
    let index = WeightedIndex::new(table.iter()).expect("a probability table has positive mass");
    let mut samples = Array2::zeros((n, n_units));
    for mut row in samples.rows_mut() {
        row.assign(&state_vector(index.sample(rng) as u64, n_units));
    }
    samples
}

/// The empirical distribution of binary data as a table over 2^n_visible states.
pub fn empirical_distribution(data: ArrayView2<f64>) -> Result<Array1<f64>> {
    check_enumerable("an empirical table", data.ncols(), MAX_TABLE_UNITS)?;
    let mut table = Array1::zeros(1 << data.ncols());
    for row in data.rows() {
        table[state_index(row) as usize] += 1.0 / data.nrows() as f64;
    }
    Ok(table)
}

/// The entropy, in nats, of the empirical distribution of the rows of `data`.
/// No model can have a mean log-likelihood above minus this entropy. The
/// distinct rows are summed in sorted order, so the result is the same bits
/// on every run.
pub fn empirical_entropy(data: ArrayView2<f64>) -> f64 {
    let mut counts: BTreeMap<Vec<u64>, usize> = BTreeMap::new();
    for row in data.rows() {
        *counts
            .entry(row.iter().map(|x| x.to_bits()).collect())
            .or_default() += 1;
    }
    let n = data.nrows() as f64;
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.ln()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn factorized_table_puts_unit_k_at_bit_k() {
        let t = factorized_table(array![0.2, 0.7].view());
        let want = [0.8 * 0.3, 0.2 * 0.3, 0.8 * 0.7, 0.2 * 0.7];
        for (got, want) in t.iter().zip(want) {
            assert!((got - want).abs() < 1e-15);
        }
        assert_eq!(state_index(array![1.0, 0.0, 1.0].view()), 5);
    }

    #[test]
    fn entropy_of_uniform_patterns_is_log_count() {
        let data = array![[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]];
        assert!((empirical_entropy(data.view()) - 2f64.ln()).abs() < 1e-15);
    }
}
