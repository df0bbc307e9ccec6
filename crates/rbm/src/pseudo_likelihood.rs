//! Pseudo-likelihood (Besag, 1975): a score that needs no partition function.
//!
//! For one example v, PL(v) = sum_i log p(v_i | v_-i). Both v and v with bit
//! i flipped, written v~, share the same other bits, so log Z cancels:
//! log p(v_i | v_-i) = log sigmoid(F(v~) - F(v)), with F of eq. (2.3). Only
//! the hidden inputs a = c + W v change, by (1 - 2 v_i) W_{:,i}, so every
//! bit costs O(n_hidden). Flipping sets v_i to 1 - v_i, which for
//! intensities in [0, 1] follows scikit-learn.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::Rng;
use rayon::prelude::*;

use crate::model::Rbm;

/// The exact pseudo-log-likelihood: the mean over the rows v of `data` of
/// sum_i log sigmoid(F(v with bit i flipped) - F(v)), eq. (7.8), over all n_visible
/// bits, computed and accumulated in f64. Costs n_examples * n_visible *
/// n_hidden softplus evaluations. NaN for empty data; panics if `data` does
/// not have n_visible columns (see [`crate::check_data`]).
pub fn pseudo_log_likelihood(rbm: &Rbm, data: ArrayView2<f32>) -> f64 {
    let flips = BitFlips::new(rbm);
    let total: f64 = data
        .outer_iter()
        .into_par_iter()
        .map(|v| {
            let hidden = flips.hidden_input(v);
            let mut buffer = vec![0.0; rbm.n_hidden()];
            (0..v.len())
                .map(|i| flips.log_conditional(v, &hidden, i, &mut buffer))
                .sum::<f64>()
        })
        .collect::<Vec<f64>>()
        .iter()
        .sum();
    total / data.nrows() as f64
}

/// The one-bit estimate that scikit-learn's `BernoulliRBM.score_samples`
/// returns: for each row v, one bit i drawn uniformly, and
/// n_visible * log sigmoid(F(v~) - F(v)). It is stochastic (every call draws
/// other bits) and scales with n_visible; its expectation over i is the
/// exact per-example sum of [`pseudo_log_likelihood`], but one draw is very
/// noisy, so average many examples (or calls) before comparing models.
/// Panics if `data` does not have n_visible columns.
pub fn stochastic_pseudo_log_likelihood(
    rbm: &Rbm,
    data: ArrayView2<f32>,
    rng: &mut impl Rng,
) -> Vec<f64> {
    let flips = BitFlips::new(rbm);
    let mut buffer = vec![0.0; rbm.n_hidden()];
    let n_visible = rbm.n_visible();
    data.outer_iter()
        .map(|v| {
            let i = rng.random_range(0..n_visible);
            let hidden = flips.hidden_input(v);
            n_visible as f64 * flips.log_conditional(v, &hidden, i, &mut buffer)
        })
        .collect()
}

/// The hidden inputs of one example.
struct HiddenInput {
    input: Array1<f64>,
    softplus_sum: f64,
}

/// The model in f64, with W^T stored by rows so that the column W_{:,i} of
/// one visible unit is contiguous.
struct BitFlips<'a> {
    rbm: &'a Rbm,
    weights_by_visible: Array2<f64>,
}

impl<'a> BitFlips<'a> {
    fn new(rbm: &'a Rbm) -> Self {
        Self {
            rbm,
            weights_by_visible: rbm.weights.t().mapv(f64::from),
        }
    }

    /// a = c + W v in f64, and sum_l softplus(a_l).
    fn hidden_input(&self, v: ArrayView1<f32>) -> HiddenInput {
        let v = v.mapv(f64::from);
        let input = self.rbm.hidden_bias.mapv(f64::from) + self.weights_by_visible.t().dot(&v);
        let softplus_sum = numerics::sum_softplus(input.as_slice().expect("owned"));
        HiddenInput {
            input,
            softplus_sum,
        }
    }

    /// log p(v_i | v_-i) = log sigmoid(F(v~) - F(v)), where flipping bit i
    /// changes b·v by b_i d and a by d W_{:,i}, with d = 1 - 2 v_i:
    /// F(v~) - F(v) = -b_i d - sum_l [softplus(a_l + d W_li) - softplus(a_l)].
    fn log_conditional(
        &self,
        v: ArrayView1<f32>,
        hidden: &HiddenInput,
        i: usize,
        buffer: &mut [f64],
    ) -> f64 {
        let d = 1.0 - 2.0 * f64::from(v[i]);
        let column = self.weights_by_visible.row(i);
        buffer
            .iter_mut()
            .zip(column)
            .zip(&hidden.input)
            .for_each(|((x, w), a)| *x = a + d * w);
        let delta = -f64::from(self.rbm.visible_bias[i]) * d - numerics::sum_softplus(buffer)
            + hidden.softplus_sum;
        // log sigmoid(x) = -softplus(-x)
        -bm_exact::numerics::softplus(-delta)
    }
}
