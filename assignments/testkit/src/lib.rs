//! Helpers shared by the tests of the assignments (not an assignment: it has
//! no `assignment.toml`). Everything random comes from an explicit seed.

use bm_exact::{Rbm, state_vector};
use ndarray::{Array1, Array2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random generator of every test, from its seed.
pub fn seeded(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// `n` draws, uniform in (-scale, scale).
pub fn uniform(n: usize, scale: f64, rng: &mut ChaCha8Rng) -> Array1<f64> {
    Array1::from_shape_fn(n, |_| rng.random_range(-scale..scale))
}

/// Biases b, c and weights W (n_hidden, n_visible), uniform in (-scale, scale).
pub fn random_parts(
    n_visible: usize,
    n_hidden: usize,
    scale: f64,
    rng: &mut ChaCha8Rng,
) -> (Array1<f64>, Array1<f64>, Array2<f64>) {
    let b = uniform(n_visible, scale, rng);
    let c = uniform(n_hidden, scale, rng);
    let w = uniform(n_hidden * n_visible, scale, rng)
        .into_shape_with_order((n_hidden, n_visible))
        .expect("n_hidden * n_visible entries");
    (b, c, w)
}

/// An oracle RBM with parameters uniform in (-scale, scale).
pub fn random_rbm(n_visible: usize, n_hidden: usize, scale: f64, seed: u64) -> Rbm {
    let (b, c, w) = random_parts(n_visible, n_hidden, scale, &mut seeded(seed));
    Rbm::new(b, c, w).expect("finite parameters")
}

/// A symmetric matrix with a zero diagonal, entries uniform in (-scale, scale).
pub fn random_couplings(n: usize, scale: f64, rng: &mut ChaCha8Rng) -> Array2<f64> {
    let mut m = Array2::zeros((n, n));
    for i in 0..n {
        for j in i + 1..n {
            let x = rng.random_range(-scale..scale);
            m[[i, j]] = x;
            m[[j, i]] = x;
        }
    }
    m
}

/// A data set whose rows are the visible states `states` (bit k = unit k).
pub fn rows(states: &[u64], n_visible: usize) -> Array2<f64> {
    let rows: Vec<_> = states.iter().map(|&s| state_vector(s, n_visible)).collect();
    let views: Vec<_> = rows.iter().map(|r| r.view()).collect();
    ndarray::stack(Axis(0), &views).expect("rows of equal length")
}

/// |got - want| within `tol` relative to max(1, |want|).
pub fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol * want.abs().max(1.0)
}

/// The Kolmogorov-Smirnov distance sup_x |F_n(x) - F(x)| between the
/// empirical distribution of `values` and the distribution function `cdf`.
/// At level 0.001 a sample of n draws from F exceeds 1.95 / sqrt(n) with
/// probability 0.001 (for large n).
pub fn ks_distance(values: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max((i as f64 + 1.0) / n - f)
        })
        .fold(0.0, f64::max)
}
