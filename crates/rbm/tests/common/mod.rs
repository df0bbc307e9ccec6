//! Helpers shared by the integration tests: test models, bars and stripes,
//! a chi-square goodness-of-fit test and z-scores.
#![allow(dead_code)] // each test file uses a different part

use ndarray::{Array1, Array2, ArrayView2, Axis, array};
use rand::Rng;
use rand_distr::{Distribution, Normal};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// An exact RBM with every parameter drawn from N(0, sd^2).
pub fn random_exact_rbm(
    n_visible: usize,
    n_hidden: usize,
    sd: f64,
    rng: &mut impl Rng,
) -> bm_exact::Rbm {
    let normal = Normal::new(0.0, sd).unwrap();
    let mut draw = || normal.sample(rng);
    bm_exact::Rbm::new(
        Array1::from_shape_simple_fn(n_visible, &mut draw),
        Array1::from_shape_simple_fn(n_hidden, &mut draw),
        Array2::from_shape_simple_fn((n_hidden, n_visible), &mut draw),
    )
    .unwrap()
}

/// The 14 bars-and-stripes patterns on a side x side grid (2^side horizontal
/// patterns plus 2^side vertical ones, the all-off and all-on grids counted once).
pub fn bars_and_stripes(side: usize) -> Array2<f32> {
    let mut patterns: Vec<Vec<f32>> = Vec::new();
    for lines in 0..1u32 << side {
        let on = |k: usize| ((lines >> k) & 1) as f32;
        let rows: Vec<f32> = (0..side * side).map(|u| on(u / side)).collect();
        let columns: Vec<f32> = (0..side * side).map(|u| on(u % side)).collect();
        for p in [rows, columns] {
            if !patterns.contains(&p) {
                patterns.push(p);
            }
        }
    }
    let n = patterns.len();
    Array2::from_shape_vec((n, side * side), patterns.concat()).unwrap()
}

/// Every visible state as a row, in the state order of `bm_exact` (unit k is bit k).
pub fn all_states(n_units: usize) -> Array2<f64> {
    let rows: Vec<_> = (0..1u64 << n_units)
        .map(|s| bm_exact::state_vector(s, n_units))
        .collect();
    let views: Vec<_> = rows.iter().map(|r| r.view()).collect();
    ndarray::stack(Axis(0), &views).unwrap()
}

/// Counts of each state among the rows of binary `samples`.
pub fn state_counts(samples: ArrayView2<f32>) -> Vec<f64> {
    let mut counts = vec![0.0; 1 << samples.ncols()];
    for row in samples.rows() {
        counts[bm_exact::state_index(row.mapv(f64::from).view()) as usize] += 1.0;
    }
    counts
}

/// 4 visible, 3 hidden units, moderate weights and visible biases large
/// enough that their sign matters.
pub fn tiny_rbm() -> rbm::Rbm {
    rbm::Rbm {
        visible_bias: array![1.0, -1.5, 0.5, 2.0],
        hidden_bias: array![0.5, -0.5, 0.0],
        weights: array![
            [1.0, -0.8, 0.6, 0.3],
            [-0.5, 1.2, 0.9, -1.1],
            [0.7, 0.4, -1.3, 0.8]
        ],
    }
}

/// The chi-square p-value of binary visible `samples` against the exact p(v)
/// of `model` (enumerated by `bm_exact`).
pub fn p_value_against_exact(model: &rbm::Rbm, samples: ArrayView2<f32>) -> f64 {
    let exact = model.to_exact().unwrap().visible_distribution().unwrap();
    chi_square_p_value(&state_counts(samples), exact.as_slice().unwrap())
}

/// Pearson's chi-square goodness-of-fit p-value of `counts` against the
/// probabilities `expected`, with the statistic of eq. (6.5). Bins with an expected count below 5 are pooled
/// into one bin; if the pool is still below 5 it joins the smallest other bin.
pub fn chi_square_p_value(counts: &[f64], expected: &[f64]) -> f64 {
    let n: f64 = counts.iter().sum();
    let mut bins: Vec<(f64, f64)> = Vec::new(); // (observed, expected count)
    let mut pool = (0.0, 0.0);
    for (&o, &p) in counts.iter().zip(expected) {
        if n * p < 5.0 {
            pool = (pool.0 + o, pool.1 + n * p);
        } else {
            bins.push((o, n * p));
        }
    }
    if pool.1 >= 5.0 {
        bins.push(pool);
    } else if pool.1 > 0.0 || pool.0 > 0.0 {
        bins.sort_by(|a, b| a.1.total_cmp(&b.1));
        bins[0] = (bins[0].0 + pool.0, bins[0].1 + pool.1);
    }
    assert!(bins.len() >= 2, "too few bins for a chi-square test");
    let statistic: f64 = bins.iter().map(|(o, e)| (o - e).powi(2) / e).sum();
    let degrees_of_freedom = (bins.len() - 1) as f64;
    1.0 - ChiSquared::new(degrees_of_freedom).unwrap().cdf(statistic)
}

/// Running mean and variance of flattened gradient samples (Welford).
pub struct MeanAndVariance {
    n: f64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl MeanAndVariance {
    pub fn new(len: usize) -> Self {
        Self {
            n: 0.0,
            mean: vec![0.0; len],
            m2: vec![0.0; len],
        }
    }

    pub fn add(&mut self, x: &[f64]) {
        self.n += 1.0;
        for ((m, m2), &x) in self.mean.iter_mut().zip(&mut self.m2).zip(x) {
            let delta = x - *m;
            *m += delta / self.n;
            *m2 += delta * (x - *m);
        }
    }

    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Standard error of each mean: sample sd / sqrt(n).
    pub fn standard_errors(&self) -> Vec<f64> {
        self.m2
            .iter()
            .map(|m2| (m2 / (self.n - 1.0) / self.n).sqrt())
            .collect()
    }
}

/// The largest |estimate - exact| / standard error over all entries. An entry
/// whose standard error is (almost) zero must match to 1e-5 and contributes 0.
pub fn max_abs_z(estimate: &[f64], standard_errors: &[f64], exact: &[f64]) -> f64 {
    estimate
        .iter()
        .zip(standard_errors)
        .zip(exact)
        .map(|((m, se), x)| {
            if *se < 1e-9 {
                assert!((m - x).abs() < 1e-5, "deterministic entry {m} != {x}");
                0.0
            } else {
                ((m - x) / se).abs()
            }
        })
        .fold(0.0, f64::max)
}

/// Visible units of [`bimodal_rbm`].
pub const BIMODAL_VISIBLE: usize = 8;

/// One hidden unit with weight 7 to 8 visible units, biases set so that the
/// two modes "all off" (h = 0) and "all on" (h = 1) are equally likely. To
/// change mode a block Gibbs chain must turn about half the visible units
/// against a conditional probability of sigmoid(-3.5) = 0.03 each: about
/// once in 10^4 or more steps.
pub fn bimodal_rbm() -> rbm::Rbm {
    let w = 7.0f32;
    rbm::Rbm {
        visible_bias: Array1::from_elem(BIMODAL_VISIBLE, -w / 2.0),
        hidden_bias: Array1::from_elem(1, -w * BIMODAL_VISIBLE as f32 / 2.0),
        weights: Array2::from_elem((1, BIMODAL_VISIBLE), w),
    }
}
