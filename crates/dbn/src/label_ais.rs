//! AIS for the top RBM with its label units as one softmax group beside
//! h_{K-1}: one annealing run for the whole Z = sum_l e^{d_l} Z_l, eq. (10.12),
//! instead of one run per clamped label.
//!
//! ## Algorithm
//! Write x for h_{K-1}, l for the label and a = c + W x + U_l for the input
//! of the top hidden units. The base model A has no weights, visible bias
//! b_A (the base rates of the up-pass) and label bias d_A; on the path
//!
//! ```text
//! log p*_beta(x, l) = b_A·x + d_A,l + beta ((b - b_A)·x + d_l - d_A,l) + sum_i softplus(beta a_i),
//! ```
//!
//! eq. (10.13), so `p_0 = A` with `log Z_A = n_hidden ln 2 + sum_j
//! softplus(b_A_j) + log sum_l e^{d_A,l}` and `p_1` is the top RBM with the
//! hidden units summed out. A Gibbs step at beta draws h ~ sigmoid(beta a),
//! then x ~ sigmoid(b_A + beta (b - b_A + W^T h)) and, as one softmax group,
//! l ~ softmax(d_A + beta (d - d_A + U^T h)). Everything else is as in
//! `rbm::ais`: the weight increments of eq. (7.3) summed in f64, blocks of
//! chains in parallel, each block with its own generator seeded from the
//! caller's, so the result depends on the seed alone, not on the threads.

use ndarray::{Array1, Array2, ArrayView1, Axis, concatenate, linalg::general_mat_mul, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rbm::{CHAINS_PER_BLOCK, Rbm};

use crate::model::Labels;

/// The annealing path of eq. (10.13), with the labels stored as the last
/// `n_labels` visible units of one joint RBM (one-hot in every state).
pub struct LabelPath {
    /// Weights (n_hidden, n_x + n_labels): W beside U; biases (b, d) and c.
    joint: Rbm,
    /// (b_A, d_A).
    base: Array1<f32>,
    /// (b - b_A, d - d_A).
    difference: Array1<f32>,
    n_labels: usize,
    /// The deliberately broken variant of the tests: labels drawn uniformly,
    /// ignoring h, which leaves p_beta not invariant.
    broken_uniform_labels: bool,
}

impl LabelPath {
    /// The path from the base model with visible bias `base_visible_bias`
    /// and label bias `base_label_bias` to the top RBM `top` with `labels`.
    pub fn new(
        top: &Rbm,
        labels: &Labels,
        base_visible_bias: ArrayView1<f32>,
        base_label_bias: ArrayView1<f32>,
    ) -> Self {
        let joint = Rbm {
            visible_bias: concatenate![Axis(0), top.visible_bias, labels.bias],
            hidden_bias: top.hidden_bias.clone(),
            weights: concatenate![Axis(1), top.weights, labels.weights],
        };
        let base = concatenate![Axis(0), base_visible_bias, base_label_bias];
        let difference = &joint.visible_bias - &base;
        Self {
            joint,
            base,
            difference,
            n_labels: labels.n_labels(),
            broken_uniform_labels: false,
        }
    }

    /// log Z_A = n_hidden ln 2 + sum_j softplus(b_A_j) + log sum_l e^{d_A,l}.
    pub fn base_log_partition(&self) -> f64 {
        let n_x = self.base.len() - self.n_labels;
        let x_part = rbm::base_log_partition(self.base.slice(s![..n_x]), self.joint.n_hidden());
        let d: Vec<f64> = self
            .base
            .slice(s![n_x..])
            .iter()
            .map(|&d| f64::from(d))
            .collect();
        x_part + numerics::log_sum_exp(&d)
    }

    /// The log importance weight of each of `n_chains` chains run through
    /// `betas` (increasing from 0 to 1), eq. (7.3) on the path (10.13).
    pub fn log_weights(&self, betas: &[f64], n_chains: usize, rng: &mut impl Rng) -> Vec<f64> {
        let seeds: Vec<(usize, u64)> = (0..n_chains)
            .step_by(CHAINS_PER_BLOCK)
            .map(|first| (CHAINS_PER_BLOCK.min(n_chains - first), rng.random()))
            .collect();
        let blocks: Vec<Vec<f64>> = seeds
            .into_par_iter()
            .map(|(n, seed)| self.anneal(betas, n, &mut ChaCha8Rng::seed_from_u64(seed)))
            .collect();
        blocks.concat()
    }

    // ANCHOR: label_anneal
    /// One block of `n` chains: start with exact samples of A, then at every
    /// step add log p*_k - log p*_{k-1} at the current state and make one
    /// Gibbs step that leaves p_k invariant.
    fn anneal(&self, betas: &[f64], n: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
        let mut v = Array2::zeros((n, self.joint.n_visible()));
        self.sample_visible(&mut v, 0.0, rng);
        let mut hidden_input = Array2::zeros((n, self.joint.n_hidden()));
        let mut scaled = vec![0.0; self.joint.n_hidden()];
        let mut log_weights = vec![0.0; n];
        for (k, pair) in betas.windows(2).enumerate() {
            let (previous, beta) = (pair[0], pair[1]);
            self.hidden_input(&v, &mut hidden_input);
            let visible_terms = v.dot(&self.difference);
            for ((a, visible), w) in hidden_input
                .rows()
                .into_iter()
                .zip(visible_terms)
                .zip(&mut log_weights)
            {
                let visible_term = (beta - previous) * f64::from(visible);
                *w += numerics::log_weight_step(visible_term, a, previous, beta, &mut scaled);
            }
            if k + 2 < betas.len() {
                let h = bernoulli(hidden_input.mapv(|a| beta as f32 * a), rng);
                general_mat_mul(1.0, &h, &self.joint.weights, 0.0, &mut v);
                self.sample_visible(&mut v, beta as f32, rng);
            }
        }
        log_weights
    }
    // ANCHOR_END: label_anneal

    /// a = c + W x + U_l for each row (x, one-hot l).
    fn hidden_input(&self, v: &Array2<f32>, a: &mut Array2<f32>) {
        let shape = a.raw_dim();
        a.assign(
            &self
                .joint
                .hidden_bias
                .broadcast(shape)
                .expect("one row per chain"),
        );
        general_mat_mul(1.0, v, &self.joint.weights.t(), 1.0, a);
    }

    /// Replace each row of `v`, holding W^T h (and U^T h), by a sample at
    /// inverse temperature beta: x_j ~ sigmoid(b_A_j + beta (b_j - b_A_j +
    /// (W^T h)_j)), and l ~ softmax over the label columns of the same logits.
    fn sample_visible(&self, v: &mut Array2<f32>, beta: f32, rng: &mut impl Rng) {
        let n_x = self.base.len() - self.n_labels;
        for mut row in v.rows_mut() {
            for (j, z) in row.iter_mut().enumerate() {
                *z = self.base[j] + beta * (self.difference[j] + *z);
            }
            for z in row.slice_mut(s![..n_x]).iter_mut() {
                *z = bernoulli_of_logit(*z, rng.random());
            }
            let mut labels = row.slice_mut(s![n_x..]);
            let u = rng.random();
            let chosen = match self.broken_uniform_labels {
                false => sample_softmax(labels.view(), u),
                true => ((u * self.n_labels as f32) as usize).min(self.n_labels - 1),
            };
            labels.fill(0.0);
            labels[chosen] = 1.0;
        }
    }
}

/// A 0/1 sample of each entry with probability sigmoid(logit).
fn bernoulli(logits: Array2<f32>, rng: &mut impl Rng) -> Array2<f32> {
    logits.mapv(|z| bernoulli_of_logit(z, rng.random()))
}

/// 1 if u < sigmoid(z), written as u (1 + e^-z) < 1 so that an overflowing
/// exponential gives 0 and never NaN.
fn bernoulli_of_logit(z: f32, u: f32) -> f32 {
    if u * (1.0 + (-z).exp()) < 1.0 {
        1.0
    } else {
        0.0
    }
}

/// The index l drawn with probability softmax(logits)_l, given one uniform u.
pub(crate) fn sample_softmax(logits: ArrayView1<f32>, u: f32) -> usize {
    let max = logits.fold(f32::NEG_INFINITY, |m, &x| m.max(x));
    let weights: Vec<f32> = logits.iter().map(|&x| (x - max).exp()).collect();
    let mut target = u * weights.iter().sum::<f32>();
    for (l, w) in weights.iter().enumerate() {
        if target < *w {
            return l;
        }
        target -= w;
    }
    weights.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dbn, ExactDbn, ExactLabels};
    use rand_distr::{Distribution, Normal};

    /// A random top RBM with `n_labels` label units: weights and biases N(0, 1).
    fn random_top(n_x: usize, n_hidden: usize, n_labels: usize, seed: u64) -> ExactDbn {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let normal = Normal::new(0.0, 1.0).unwrap();
        let mut draw = |r, c| Array2::from_shape_simple_fn((r, c), || normal.sample(&mut rng));
        let b = draw(1, n_x).row(0).to_owned();
        let c = draw(1, n_hidden).row(0).to_owned();
        let top = bm_exact::Rbm::new(b, c, draw(n_hidden, n_x)).unwrap();
        let labels = ExactLabels {
            bias: draw(1, n_labels).row(0).to_owned(),
            weights: draw(n_hidden, n_labels),
        };
        ExactDbn::new(vec![top], Some(labels)).unwrap()
    }

    /// log Z by the path of eq. (10.13), 200 chains, 1,000 linear betas;
    /// base: visible bias 0.3, label bias 0 (any base gives the same Z).
    fn estimate(exact: &ExactDbn, broken: bool, seed: u64) -> crate::TopLogPartition {
        let net = Dbn::from_exact(exact).unwrap();
        let base = Array1::from_elem(net.top().n_visible(), 0.3);
        let label_base = Array1::zeros(net.n_labels());
        let mut path = LabelPath::new(
            net.top(),
            net.labels().unwrap(),
            base.view(),
            label_base.view(),
        );
        path.broken_uniform_labels = broken;
        let schedule = rbm::AisSchedule::linear(1000).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let weights = path.log_weights(schedule.betas(), 200, &mut rng);
        crate::bound::combine_for_tests(path.base_log_partition(), weights, schedule.len())
    }

    #[test]
    fn one_run_over_the_softmax_labels_brackets_the_exact_log_z() {
        for (n_labels, seed) in [(2, 1), (3, 2), (10, 3)] {
            let exact = random_top(6, 5, n_labels, seed);
            let truth = exact.top_log_marginal().unwrap().1;
            let z = estimate(&exact, false, seed);
            assert!(z.reliable, "{z:?}");
            assert!(
                z.log_partition_low <= truth && truth <= z.log_partition_high,
                "{n_labels} labels: exact {truth} outside [{}, {}]",
                z.log_partition_low,
                z.log_partition_high
            );
            assert!((z.log_partition - truth).abs() < 0.05, "{z:?} vs {truth}");
        }
    }

    /// Labels drawn uniformly instead of from softmax(d_A + beta (d - d_A + U^T h)):
    /// the chains no longer follow p_beta, and the bar misses the exact log Z.
    #[test]
    fn broken_variant_with_uniform_labels_misses_the_exact_log_z() {
        let exact = random_top(6, 5, 3, 2);
        let truth = exact.top_log_marginal().unwrap().1;
        let z = estimate(&exact, true, 2);
        assert!(
            truth < z.log_partition_low || truth > z.log_partition_high,
            "the broken variant's bar [{}, {}] holds {truth}",
            z.log_partition_low,
            z.log_partition_high
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_weights_whatever_the_threads() {
        let exact = random_top(5, 4, 3, 4);
        let net = Dbn::from_exact(&exact).unwrap();
        let base = Array1::zeros(net.top().n_visible());
        let label_base = Array1::zeros(3);
        let path = LabelPath::new(
            net.top(),
            net.labels().unwrap(),
            base.view(),
            label_base.view(),
        );
        let betas: Vec<f64> = (0..50).map(|k| k as f64 / 49.0).collect();
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| path.log_weights(&betas, 60, &mut ChaCha8Rng::seed_from_u64(9)))
        };
        assert_eq!(run(1), run(2));
    }
}
