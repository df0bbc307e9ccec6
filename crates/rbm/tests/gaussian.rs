//! The Gaussian-Bernoulli RBM (book chapter "Gaussian-Bernoulli RBMs for
//! real-valued data", eq. 9.1-9.8) against references written here in f64:
//! brute-force sums over h, numerical integration over v, exact Gaussian
//! moments, finite differences, and goodness-of-fit tests of the sampler.
//! Run with `--nocapture` to see the statistics.

use ndarray::{Array1, Array2, Axis, array};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, StandardNormal};
use rbm::{
    Estimator, GaussianRbm, GaussianTrainConfig, RbmError, Standardizer, sample_bernoulli,
    train_gaussian,
};
use statrs::function::erf::erfc;

// ---------------------------------------------------------------------------
// f64 references

/// A model with every parameter random: biases and weights from N(0, scale^2),
/// log-variances from N(0, 0.5^2), so that sigma_j^2 differs from 1.
fn random_model(
    n_visible: usize,
    n_hidden: usize,
    scale: f64,
    rng: &mut ChaCha8Rng,
) -> GaussianRbm {
    let normal = Normal::new(0.0f32, scale as f32).unwrap();
    let log_variance = Normal::new(0.0f32, 0.5).unwrap();
    GaussianRbm {
        visible_bias: Array1::from_shape_simple_fn(n_visible, || normal.sample(rng)),
        hidden_bias: Array1::from_shape_simple_fn(n_hidden, || normal.sample(rng)),
        weights: Array2::from_shape_simple_fn((n_hidden, n_visible), || normal.sample(rng)),
        log_variance: Array1::from_shape_simple_fn(n_visible, || log_variance.sample(rng)),
    }
}

/// The parameters in f64, named as in the book.
struct Reference {
    b: Vec<f64>,
    c: Vec<f64>,
    /// w[i][j]
    w: Vec<Vec<f64>>,
    variance: Vec<f64>,
}

impl Reference {
    fn new(m: &GaussianRbm) -> Self {
        Self {
            b: m.visible_bias.iter().map(|&x| x as f64).collect(),
            c: m.hidden_bias.iter().map(|&x| x as f64).collect(),
            w: m.weights
                .rows()
                .into_iter()
                .map(|r| r.iter().map(|&x| x as f64).collect())
                .collect(),
            variance: m.log_variance.iter().map(|&z| (z as f64).exp()).collect(),
        }
    }

    fn n_hidden(&self) -> usize {
        self.c.len()
    }

    /// Eq. (9.1), term by term.
    fn energy(&self, v: &[f64], h: &[f64]) -> f64 {
        let mut e = 0.0;
        for (j, &v_j) in v.iter().enumerate() {
            e += (v_j - self.b[j]).powi(2) / (2.0 * self.variance[j]);
            for (i, &h_i) in h.iter().enumerate() {
                e -= h_i * self.w[i][j] * v_j / self.variance[j];
            }
        }
        for (c_i, h_i) in self.c.iter().zip(h) {
            e -= c_i * h_i;
        }
        e
    }

    /// -log sum_h exp(-E(v, h)) by brute force over the 2^n hidden states.
    fn free_energy(&self, v: &[f64]) -> f64 {
        -log_sum_exp(
            hidden_states(self.n_hidden())
                .iter()
                .map(|h| -self.energy(v, h)),
        )
    }

    /// The mean b + W^T h of component h.
    fn component_mean(&self, h: &[f64]) -> Vec<f64> {
        (0..self.b.len())
            .map(|j| self.b[j] + (0..h.len()).map(|i| h[i] * self.w[i][j]).sum::<f64>())
            .collect()
    }

    /// p(h) by the closed-form Gaussian integral over v, normalised.
    fn mixture_weights(&self) -> Vec<f64> {
        let log_w: Vec<f64> = hidden_states(self.n_hidden())
            .iter()
            .map(|h| {
                let m = self.component_mean(h);
                let bias: f64 = self.c.iter().zip(h).map(|(c, h)| c * h).sum();
                bias + (0..m.len())
                    .map(|j| (m[j] * m[j] - self.b[j] * self.b[j]) / (2.0 * self.variance[j]))
                    .sum::<f64>()
            })
            .collect();
        let log_z = log_sum_exp(log_w.iter().copied());
        log_w.iter().map(|x| (x - log_z).exp()).collect()
    }
}

/// Hidden state s as 0/1 values, unit k = bit k of s.
fn hidden_states(n: usize) -> Vec<Vec<f64>> {
    (0..1u32 << n)
        .map(|s| (0..n).map(|k| ((s >> k) & 1) as f64).collect())
        .collect()
}

fn log_sum_exp(xs: impl Iterator<Item = f64>) -> f64 {
    let xs: Vec<f64> = xs.collect();
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    max + xs.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Standard normal CDF.
fn phi(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Composite Simpson weights for `n` (odd) equally spaced points, spacing `dx`.
fn simpson_weights(n: usize, dx: f64) -> Vec<f64> {
    assert!(n % 2 == 1);
    (0..n)
        .map(|k| {
            let w = if k == 0 || k == n - 1 {
                1.0
            } else if k % 2 == 1 {
                4.0
            } else {
                2.0
            };
            w * dx / 3.0
        })
        .collect()
}

/// A grid covering every mixture component to 12 standard deviations.
fn grid(reference: &Reference, j: usize, n_points: usize) -> (Vec<f64>, f64) {
    let means: Vec<f64> = hidden_states(reference.n_hidden())
        .iter()
        .map(|h| reference.component_mean(h)[j])
        .collect();
    let sd = reference.variance[j].sqrt();
    let lo = means.iter().copied().fold(f64::INFINITY, f64::min) - 12.0 * sd;
    let hi = means.iter().copied().fold(f64::NEG_INFINITY, f64::max) + 12.0 * sd;
    let dx = (hi - lo) / (n_points - 1) as f64;
    ((0..n_points).map(|k| lo + k as f64 * dx).collect(), dx)
}

fn f32_rows(rows: &[Vec<f64>]) -> Array2<f32> {
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(r, c)| rows[r][c] as f32)
}

// ---------------------------------------------------------------------------
// Energy, free energy, log Z

#[test]
fn free_energy_and_energy_match_a_brute_force_sum_over_h() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (n_visible, n_hidden) in [(1, 2), (1, 3), (2, 2), (2, 3)] {
        let model = random_model(n_visible, n_hidden, 1.0, &mut rng);
        let reference = Reference::new(&model);
        let points: Vec<Vec<f64>> = (0..20)
            .map(|_| {
                (0..n_visible)
                    .map(|_| 2.0 * rng.sample::<f64, _>(StandardNormal))
                    .collect()
            })
            .collect();
        // round the points to f32 first, so both sides see the same v
        let v = f32_rows(&points);
        let free_energy = model.free_energy(v.view());
        for (row, got) in v.axis_iter(Axis(0)).zip(&free_energy) {
            let point: Vec<f64> = row.iter().map(|&x| x as f64).collect();
            let want = reference.free_energy(&point);
            assert!(
                (*got as f64 - want).abs() <= 1e-5 * (1.0 + want.abs()),
                "({n_visible}, {n_hidden}) F({point:?}): f32 {got} vs brute force {want}"
            );
            for h in hidden_states(n_hidden) {
                let h32 = f32_rows(std::slice::from_ref(&h));
                let energy = model.energy(row.insert_axis(Axis(0)), h32.view())[0] as f64;
                let want = reference.energy(&point, &h);
                assert!((energy - want).abs() <= 1e-5 * (1.0 + want.abs()));
            }
        }
    }
}

/// log of the integral of exp(-F(v)) over a 1-D grid (composite Simpson).
fn log_partition_1d(reference: &Reference, n_points: usize) -> f64 {
    let (xs, dx) = grid(reference, 0, n_points);
    let log_terms: Vec<f64> = xs.iter().map(|&x| -reference.free_energy(&[x])).collect();
    let max = log_terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let integral: f64 = simpson_weights(n_points, dx)
        .iter()
        .zip(&log_terms)
        .map(|(w, t)| w * (t - max).exp())
        .sum();
    max + integral.ln()
}

/// The same on a 2-D tensor grid.
fn log_partition_2d(reference: &Reference, n_points: usize) -> f64 {
    let (xs, dx) = grid(reference, 0, n_points);
    let (ys, dy) = grid(reference, 1, n_points);
    let (wx, wy) = (simpson_weights(n_points, dx), simpson_weights(n_points, dy));
    let mut log_terms = Vec::with_capacity(n_points * n_points);
    for &x in &xs {
        for &y in &ys {
            log_terms.push(-reference.free_energy(&[x, y]));
        }
    }
    let max = log_terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut integral = 0.0;
    for a in 0..n_points {
        for b in 0..n_points {
            integral += wx[a] * wy[b] * (log_terms[a * n_points + b] - max).exp();
        }
    }
    max + integral.ln()
}

#[test]
fn closed_form_log_partition_matches_numerical_integration() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for n_hidden in [1, 2, 3] {
        let model = random_model(1, n_hidden, 1.5, &mut rng);
        let reference = Reference::new(&model);
        let exact = model.log_partition_exact().unwrap();
        let quadrature = log_partition_1d(&reference, 4001);
        eprintln!("1-D, n = {n_hidden}: closed form {exact:.12}, Simpson {quadrature:.12}");
        assert!((exact - quadrature).abs() < 1e-9, "{exact} vs {quadrature}");
    }
    for n_hidden in [1, 2] {
        let model = random_model(2, n_hidden, 1.0, &mut rng);
        let reference = Reference::new(&model);
        let exact = model.log_partition_exact().unwrap();
        let quadrature = log_partition_2d(&reference, 601);
        eprintln!("2-D, n = {n_hidden}: closed form {exact:.12}, Simpson {quadrature:.12}");
        assert!((exact - quadrature).abs() < 1e-8, "{exact} vs {quadrature}");
    }
}

#[test]
fn mixture_weights_and_likelihood_agree_with_quadrature() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let model = random_model(1, 2, 1.5, &mut rng);
    let reference = Reference::new(&model);
    // p(h) by integrating exp(-E(v, h)) over v numerically, for each h
    let (xs, dx) = grid(&reference, 0, 4001);
    let weights = simpson_weights(4001, dx);
    let unnormalised: Vec<f64> = hidden_states(2)
        .iter()
        .map(|h| {
            xs.iter()
                .zip(&weights)
                .map(|(&x, w)| w * (-reference.energy(&[x], h)).exp())
                .sum()
        })
        .collect();
    let total: f64 = unnormalised.iter().sum();
    let library = model.hidden_distribution_exact().unwrap();
    let closed_form = reference.mixture_weights();
    for s in 0..4 {
        let numeric = unnormalised[s] / total;
        assert!((library[s] - numeric).abs() < 1e-10, "p(h = {s})");
        assert!((closed_form[s] - numeric).abs() < 1e-10, "p(h = {s})");
    }
    // log p(v) = -F(v) - log Z with the quadrature Z
    let data = array![[0.3f32], [-1.2], [2.5]];
    let log_z = log_partition_1d(&reference, 4001);
    let want: f64 = data
        .iter()
        .map(|&x| -reference.free_energy(&[x as f64]) - log_z)
        .sum::<f64>()
        / 3.0;
    let got = model.exact_mean_log_likelihood(data.view()).unwrap();
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
}

#[test]
fn log_partition_refuses_a_hidden_layer_too_large_to_enumerate() {
    let model = GaussianRbm::zeros(2, rbm::MAX_EXACT_HIDDEN_UNITS + 1);
    let error = model.log_partition_exact().unwrap_err();
    assert!(error.to_string().contains("hidden layer"), "{error}");
    let mut broken = GaussianRbm::zeros(2, 2);
    broken.log_variance[1] = f32::NAN;
    let error = broken.log_partition_exact().unwrap_err();
    assert!(error.to_string().contains("log_variance"), "{error}");
}

// ---------------------------------------------------------------------------
// Conditionals

#[test]
fn hidden_conditionals_match_ratios_of_the_joint() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let model = random_model(2, 3, 1.0, &mut rng);
    let reference = Reference::new(&model);
    let points: Vec<Vec<f64>> = (0..10)
        .map(|_| {
            (0..2)
                .map(|_| 2.0 * rng.sample::<f64, _>(StandardNormal))
                .collect()
        })
        .collect();
    let v = f32_rows(&points);
    let probabilities = model.hidden_probabilities(v.view());
    for (n, row) in v.axis_iter(Axis(0)).enumerate() {
        let point: Vec<f64> = row.iter().map(|&x| x as f64).collect();
        let joint: Vec<(Vec<f64>, f64)> = hidden_states(3)
            .into_iter()
            .map(|h| {
                let e = (-reference.energy(&point, &h)).exp();
                (h, e)
            })
            .collect();
        let total: f64 = joint.iter().map(|(_, e)| e).sum();
        for i in 0..3 {
            let on: f64 = joint
                .iter()
                .filter(|(h, _)| h[i] == 1.0)
                .map(|(_, e)| e)
                .sum();
            let want = on / total;
            let got = probabilities[[n, i]] as f64;
            assert!(
                (got - want).abs() < 1e-6,
                "p(h_{i} = 1 | v_{n}): {got} vs {want}"
            );
        }
    }
}

#[test]
fn sampled_visible_units_have_the_right_mean_and_variance() {
    const N: usize = 20_000;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let model = random_model(2, 2, 1.0, &mut rng);
    let reference = Reference::new(&model);
    let mut worst: f64 = 0.0;
    for h in hidden_states(2) {
        let hidden = Array2::from_shape_fn((N, 2), |(_, i)| h[i] as f32);
        let samples = model
            .sample_visible(hidden.view(), &mut rng)
            .mapv(f64::from);
        let means = model.visible_means(hidden.view());
        let want_mean = reference.component_mean(&h);
        for j in 0..2 {
            assert!((means[[0, j]] as f64 - want_mean[j]).abs() < 1e-5);
            let column = samples.column(j);
            let mean = column.mean().unwrap();
            let variance = column.var(1.0);
            let sigma2 = reference.variance[j];
            // standard errors of the sample mean and the sample variance of a Gaussian
            let z_mean = (mean - want_mean[j]) / (sigma2 / N as f64).sqrt();
            let z_variance = (variance - sigma2) / (sigma2 * (2.0 / (N - 1) as f64).sqrt());
            eprintln!("h = {h:?}, j = {j}: z(mean) = {z_mean:+.2}, z(variance) = {z_variance:+.2}");
            worst = worst.max(z_mean.abs()).max(z_variance.abs());
        }
    }
    // 16 z-scores; |z| > 4.5 has probability 7e-6 each under a correct sampler
    assert!(worst < 4.5, "largest |z| = {worst}");
}

// ---------------------------------------------------------------------------
// The Gibbs sampler against the exact marginal

/// The 1-visible, 2-hidden model of the sampler test: p(v) is a mixture of
/// four Gaussians with means b + W^T h and variance 0.6.
fn sampler_model() -> GaussianRbm {
    GaussianRbm {
        visible_bias: array![0.2],
        hidden_bias: array![-0.5, 0.3],
        weights: array![[1.5], [-1.0]],
        log_variance: array![0.6f32.ln()],
    }
}

/// Samples after `burn_in` steps of `n_chains` chains, then every `thin`
/// steps `n_records` times. `step` is one Gibbs step on all chains.
fn run_chains(
    n_chains: usize,
    burn_in: usize,
    thin: usize,
    n_records: usize,
    rng: &mut ChaCha8Rng,
    step: impl Fn(Array2<f32>, &mut ChaCha8Rng) -> Array2<f32>,
) -> Vec<f64> {
    let mut state = Array2::zeros((n_chains, 1));
    for _ in 0..burn_in {
        state = step(state, rng);
    }
    let mut samples = Vec::with_capacity(n_chains * n_records);
    for _ in 0..n_records {
        for _ in 0..thin {
            state = step(state, rng);
        }
        samples.extend(state.iter().map(|&x| x as f64));
    }
    samples
}

/// Kolmogorov-Smirnov statistic D of the samples against `cdf`, and its
/// asymptotic p-value (with Stephens' small-sample correction).
fn kolmogorov_smirnov(mut samples: Vec<f64>, cdf: impl Fn(f64) -> f64) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let n = samples.len() as f64;
    let d = samples
        .iter()
        .enumerate()
        .map(|(k, &x)| {
            let f = cdf(x);
            (f - k as f64 / n).max((k + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max);
    let root_n = n.sqrt();
    let lambda = (root_n + 0.12 + 0.11 / root_n) * d;
    let p: f64 = (1..=100)
        .map(|k| {
            let sign = if k % 2 == 1 { 2.0 } else { -2.0 };
            sign * (-2.0 * (k * k) as f64 * lambda * lambda).exp()
        })
        .sum();
    (d, p.clamp(0.0, 1.0))
}

fn exact_marginal_cdf(model: &GaussianRbm) -> impl Fn(f64) -> f64 {
    let reference = Reference::new(model);
    let weights = reference.mixture_weights();
    let means: Vec<f64> = hidden_states(2)
        .iter()
        .map(|h| reference.component_mean(h)[0])
        .collect();
    let sd = reference.variance[0].sqrt();
    move |x| {
        weights
            .iter()
            .zip(&means)
            .map(|(w, m)| w * phi((x - m) / sd))
            .sum()
    }
}

fn lag_one_autocorrelation(model: &GaussianRbm, rng: &mut ChaCha8Rng) -> f64 {
    let chain = run_chains(1, 100, 1, 50_000, rng, |v, rng| {
        model.gibbs_step(v.view(), rng)
    });
    let mean = chain.iter().sum::<f64>() / chain.len() as f64;
    let var: f64 = chain.iter().map(|x| (x - mean).powi(2)).sum();
    let cov: f64 = chain
        .windows(2)
        .map(|w| (w[0] - mean) * (w[1] - mean))
        .sum();
    cov / var
}

#[test]
fn gibbs_chains_sample_the_exact_mixture_marginal() {
    let model = sampler_model();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let rho = lag_one_autocorrelation(&model, &mut rng);
    // 1000 chains, recorded every 20 steps after 100 steps of burn-in: with
    // lag-1 autocorrelation rho, records 20 steps apart are correlated by
    // about rho^20, which must be negligible for the KS test to apply.
    assert!(rho.abs().powi(20) < 1e-3, "lag-1 autocorrelation {rho}");
    let samples = run_chains(1000, 100, 20, 20, &mut rng, |v, rng| {
        model.gibbs_step(v.view(), rng)
    });
    let (d, p) = kolmogorov_smirnov(samples, exact_marginal_cdf(&model));
    eprintln!("Gibbs sampler: rho(1) = {rho:.3}, n = 20000, KS D = {d:.5}, p = {p:.4}");
    assert!(
        p > 1e-3,
        "KS test rejects the Gibbs sampler: D = {d}, p = {p}"
    );
}

#[test]
fn a_sampler_with_the_wrong_variance_fails_the_same_test() {
    let model = sampler_model();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    // v | h drawn with standard deviation 1.3 sigma instead of sigma
    let broken_step = |v: Array2<f32>, rng: &mut ChaCha8Rng| {
        let h = sample_bernoulli(model.hidden_probabilities(v.view()).view(), rng);
        let sd = 1.3 * (0.5 * model.log_variance[0]).exp();
        let noise: Array2<f32> =
            Array2::from_shape_simple_fn(v.raw_dim(), || StandardNormal.sample(&mut *rng));
        model.visible_means(h.view()) + noise * sd
    };
    let samples = run_chains(1000, 100, 20, 20, &mut rng, broken_step);
    let (d, p) = kolmogorov_smirnov(samples, exact_marginal_cdf(&model));
    eprintln!("broken sampler (sd x 1.3): KS D = {d:.5}, p = {p:.3e}");
    assert!(
        p < 1e-6,
        "the KS test did not notice the wrong variance: D = {d}, p = {p}"
    );
}

// ---------------------------------------------------------------------------
// Gradients

/// The exact gradient of the mean log-likelihood, eq. (4.2) with the
/// derivatives (9.8): the data term with p(h | v), the model term from p(h)
/// and the Gaussian moments E[v_j | h] = m_j, E[v_j^2 | h] = m_j^2 + sigma_j^2.
/// Returned in the order b, c, W (row-major), z.
fn exact_gradient(model: &GaussianRbm, data: &Array2<f32>) -> Vec<f64> {
    let r = Reference::new(model);
    let (d, n) = (r.b.len(), r.c.len());
    let mut data_term = vec![0.0; d + n + n * d + d];
    for row in data.rows() {
        let v: Vec<f64> = row.iter().map(|&x| x as f64).collect();
        let p: Vec<f64> = (0..n)
            .map(|i| {
                sigmoid(
                    r.c[i]
                        + (0..d)
                            .map(|j| r.w[i][j] * v[j] / r.variance[j])
                            .sum::<f64>(),
                )
            })
            .collect();
        let term = statistics(&r, &v, &p, |j| (v[j] - r.b[j]).powi(2));
        data_term
            .iter_mut()
            .zip(term)
            .for_each(|(a, t)| *a += t / data.nrows() as f64);
    }
    let mut model_term = vec![0.0; data_term.len()];
    for (h, weight) in hidden_states(n).iter().zip(r.mixture_weights()) {
        let m = r.component_mean(h);
        // E[(v_j - b_j)^2 | h] = (m_j - b_j)^2 + sigma_j^2
        let term = statistics(&r, &m, h, |j| (m[j] - r.b[j]).powi(2) + r.variance[j]);
        model_term
            .iter_mut()
            .zip(term)
            .for_each(|(a, t)| *a += weight * t);
    }
    data_term
        .iter()
        .zip(&model_term)
        .map(|(a, b)| a - b)
        .collect()
}

/// -dE/dtheta, eq. (9.8), averaged over v with mean `v_mean` (v enters
/// linearly except in the squared term, passed as `square(j)` = E[(v_j - b_j)^2]).
fn statistics(r: &Reference, v_mean: &[f64], h: &[f64], square: impl Fn(usize) -> f64) -> Vec<f64> {
    let (d, n) = (r.b.len(), r.c.len());
    let mut out = Vec::new();
    out.extend((0..d).map(|j| (v_mean[j] - r.b[j]) / r.variance[j]));
    out.extend(h.iter().copied());
    for &h_i in h.iter().take(n) {
        out.extend((0..d).map(|j| h_i * v_mean[j] / r.variance[j]));
    }
    out.extend((0..d).map(|j| {
        let top_down: f64 = (0..n).map(|i| h[i] * r.w[i][j]).sum();
        (0.5 * square(j) - v_mean[j] * top_down) / r.variance[j]
    }));
    out
}

/// Visit every parameter of `model` in the order b, c, W (row-major), z.
fn parameter_mut(model: &mut GaussianRbm, index: usize) -> &mut f32 {
    let (d, n) = (model.n_visible(), model.n_hidden());
    if index < d {
        &mut model.visible_bias[index]
    } else if index < d + n {
        &mut model.hidden_bias[index - d]
    } else if index < d + n + n * d {
        let k = index - d - n;
        &mut model.weights[[k / d, k % d]]
    } else {
        &mut model.log_variance[index - d - n - n * d]
    }
}

fn flatten(g: &rbm::GaussianGradient) -> Vec<f64> {
    g.visible_bias
        .iter()
        .chain(&g.hidden_bias)
        .chain(&g.weights)
        .chain(&g.log_variance)
        .map(|&x| x as f64)
        .collect()
}

fn gradient_fixture() -> (GaussianRbm, Array2<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let model = random_model(2, 2, 0.7, &mut rng);
    let data = Array2::from_shape_simple_fn((6, 2), || rng.sample::<f32, _>(StandardNormal));
    (model, data)
}

#[test]
fn exact_gradient_matches_finite_differences_of_the_log_likelihood() {
    let (model, data) = gradient_fixture();
    let exact = exact_gradient(&model, &data);
    // a power of two, so theta +- step is exact in f32 for |theta| < 2^15
    let step = 1.0 / 256.0;
    for (index, want) in exact.iter().enumerate() {
        let mut plus = model.clone();
        *parameter_mut(&mut plus, index) += step;
        let mut minus = model.clone();
        *parameter_mut(&mut minus, index) -= step;
        let difference = plus.exact_mean_log_likelihood(data.view()).unwrap()
            - minus.exact_mean_log_likelihood(data.view()).unwrap();
        let numeric = difference / (2.0 * step as f64);
        assert!(
            (numeric - want).abs() < 1e-4 * (1.0 + want.abs()),
            "parameter {index}: finite difference {numeric} vs exact {want}"
        );
    }
}

#[test]
fn cd_k_with_large_k_is_unbiased_for_the_exact_gradient() {
    let (model, data) = gradient_fixture();
    let exact = exact_gradient(&model, &data);
    // The minibatch repeated 500 times: each call averages 3000 chains.
    let batch = data
        .broadcast((500, 6, 2))
        .unwrap()
        .to_shape((3000, 2))
        .unwrap()
        .to_owned();
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let calls: Vec<Vec<f64>> = (0..40)
        .map(|_| flatten(&model.cd_gradient(batch.view(), 50, &mut rng)))
        .collect();
    let m = calls.len() as f64;
    let names = [
        "b0", "b1", "c0", "c1", "W00", "W01", "W10", "W11", "z0", "z1",
    ];
    for (index, want) in exact.iter().enumerate() {
        let mean = calls.iter().map(|g| g[index]).sum::<f64>() / m;
        let var = calls.iter().map(|g| (g[index] - mean).powi(2)).sum::<f64>() / (m - 1.0);
        let standard_error = (var / m).sqrt();
        let z = (mean - want) / standard_error;
        eprintln!(
            "{:>4}: exact {want:+.5}, CD-50 {mean:+.5} +- {standard_error:.5}, z = {z:+.2}, \
             |exact| / se = {:.0}",
            names[index],
            want.abs() / standard_error
        );
        assert!(z.abs() < 4.5, "{}: z = {z}", names[index]);
        if names[index].starts_with('z') {
            // the test can see a sign error in the log-variance gradient
            assert!(want.abs() > 10.0 * standard_error, "{}", names[index]);
        }
    }
}

// ---------------------------------------------------------------------------
// Standardisation, configuration, training

#[test]
fn standardizer_maps_to_mean_zero_unit_variance_and_back() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let raw = Array2::from_shape_fn((200, 3), |(_, j)| {
        let x: f32 = rng.sample(StandardNormal);
        [5.0 + 3.0 * x, -100.0 + 0.01 * x, 7.0][j]
    });
    let standardizer = Standardizer::fit(raw.view()).unwrap();
    let data = standardizer.transform(raw.view()).unwrap();
    // Column 1 varies by 0.01 around -100, where f32 resolves 8e-6: after
    // division by its std that rounding is 1e-3, hence the tolerances.
    for j in 0..2 {
        let column = data.column(j).mapv(f64::from);
        assert!(column.mean().unwrap().abs() < 1e-3, "column {j}");
        assert!((column.std(0.0) - 1.0).abs() < 1e-3, "column {j}");
    }
    // the constant column gets std 1 and maps to 0
    assert_eq!(standardizer.std[2], 1.0);
    assert!(data.column(2).iter().all(|&x| x == 0.0));
    let back = standardizer.inverse_transform(data.view()).unwrap();
    for (a, b) in back.iter().zip(&raw) {
        assert!((a - b).abs() <= 1e-4 * (1.0 + b.abs()), "{a} vs {b}");
    }
    assert!(Standardizer::fit(Array2::<f32>::zeros((0, 3)).view()).is_err());
    let error = Standardizer::fit(array![[1.0, f32::NAN]].view()).unwrap_err();
    assert!(error.to_string().contains("column 2"), "{error}");
    assert!(
        standardizer
            .transform(array![[1.0f32, 2.0]].view())
            .is_err()
    );
}

#[test]
fn bad_configurations_are_refused_with_the_field_named() {
    let good = GaussianTrainConfig::default();
    good.check().unwrap();
    let cases: Vec<(GaussianTrainConfig, &str)> = vec![
        (
            GaussianTrainConfig {
                learning_rate: 0.0,
                ..good.clone()
            },
            "learning_rate",
        ),
        (
            GaussianTrainConfig {
                learning_rate: f32::NAN,
                ..good.clone()
            },
            "learning_rate",
        ),
        (
            GaussianTrainConfig {
                batch_size: 0,
                ..good.clone()
            },
            "batch_size",
        ),
        (
            GaussianTrainConfig {
                estimator: Estimator::Cd { k: 0 },
                ..good.clone()
            },
            "estimator.k",
        ),
        (
            GaussianTrainConfig {
                estimator: Estimator::Pcd { k: 1, n_chains: 0 },
                ..good.clone()
            },
            "estimator.n_chains",
        ),
        (
            GaussianTrainConfig {
                final_momentum: 1.0,
                ..good.clone()
            },
            "final_momentum",
        ),
        (
            GaussianTrainConfig {
                weight_decay: -1.0,
                ..good.clone()
            },
            "weight_decay",
        ),
    ];
    for (config, field) in cases {
        let error = config.check().unwrap_err();
        assert!(matches!(error, RbmError::Config { .. }));
        assert!(error.to_string().contains(field), "{error}");
    }
    let text = toml::to_string(&good).unwrap();
    assert_eq!(GaussianTrainConfig::from_toml_str(&text).unwrap(), good);
    assert!(GaussianTrainConfig::from_toml_str(&format!("{text}\nunknown = 1\n")).is_err());
}

/// 400 points from two Gaussian blobs in 2-D, standardised.
fn two_blobs(rng: &mut ChaCha8Rng) -> Array2<f32> {
    let raw = Array2::from_shape_fn((400, 2), |(n, j)| {
        let centre = if n % 2 == 0 { [-2.0, 1.0] } else { [2.0, -1.5] };
        centre[j] + 0.6 * rng.sample::<f32, _>(StandardNormal)
    });
    let standardizer = Standardizer::fit(raw.view()).unwrap();
    standardizer.transform(raw.view()).unwrap()
}

/// Train a 4-hidden-unit model on the blobs; the exact mean log-likelihood
/// before and after, in nats.
fn train_on_blobs(name: &str, estimator: Estimator, learn_variance: bool) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    let data = two_blobs(&mut rng);
    let mut model = GaussianRbm::initialise(4, data.view(), &mut rng);
    let before = model.exact_mean_log_likelihood(data.view()).unwrap();
    let config = GaussianTrainConfig {
        epochs: 200,
        estimator,
        learn_variance,
        ..GaussianTrainConfig::default()
    };
    let monitors = train_gaussian(&mut model, data.view(), &config, &mut rng).unwrap();
    let after = model.exact_mean_log_likelihood(data.view()).unwrap();
    eprintln!(
        "{name}: log-likelihood {before:.4} -> {after:.4} nats, reconstruction error \
         {:.4} -> {:.4}, variance {}",
        monitors[0].reconstruction_error,
        monitors[monitors.len() - 1].reconstruction_error,
        model.variance()
    );
    if !learn_variance {
        assert!(model.log_variance.iter().all(|&z| z == 0.0));
    }
    (before, after)
}

#[test]
fn training_raises_the_exact_log_likelihood_of_two_gaussian_blobs() {
    let (before, unit_variance) = train_on_blobs("CD-1", Estimator::Cd { k: 1 }, false);
    assert!(
        unit_variance > before + 0.1,
        "CD-1: {before} -> {unit_variance}"
    );
    let pcd = Estimator::Pcd { k: 1, n_chains: 50 };
    let (before, after) = train_on_blobs("PCD-1", pcd, false);
    assert!(after > before + 0.1, "PCD-1: {before} -> {after}");
    // The standardised blobs have variances near 0.1 and 0.2 per cluster, so
    // a model that learns its variances should beat unit variance by far.
    let (before, learned) = train_on_blobs("CD-1, learned variance", Estimator::Cd { k: 1 }, true);
    assert!(
        learned > before + 1.0,
        "learned variance: {before} -> {learned}"
    );
    assert!(
        learned > unit_variance + 0.5,
        "{learned} vs unit variance {unit_variance}"
    );
}

#[test]
fn training_refuses_data_with_the_wrong_shape_or_nan() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut model = GaussianRbm::zeros(2, 3);
    let config = GaussianTrainConfig::default();
    let wrong_columns = array![[1.0f32, 2.0, 3.0]];
    let error = train_gaussian(&mut model, wrong_columns.view(), &config, &mut rng).unwrap_err();
    assert!(error.to_string().contains("visible units"), "{error}");
    let nan = array![[1.0f32, f32::NAN]];
    let error = train_gaussian(&mut model, nan.view(), &config, &mut rng).unwrap_err();
    assert!(error.to_string().contains("row 1, column 2"), "{error}");
    assert!(error.is_bad_input());
}

#[test]
fn a_learning_rate_far_too_large_stops_training_with_an_error() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let data = two_blobs(&mut rng);
    let mut model = GaussianRbm::initialise(4, data.view(), &mut rng);
    let config = GaussianTrainConfig {
        learning_rate: 1e4,
        epochs: 50,
        ..GaussianTrainConfig::default()
    };
    let error = train_gaussian(&mut model, data.view(), &config, &mut rng).unwrap_err();
    eprintln!("{error}");
    assert!(error.to_string().contains("learning_rate"), "{error}");
}

/// A model of standardised data, carried back to the raw units: the same
/// p(h | x), generative means mapped by x = mean + std x', and the exact
/// log density lower by sum_j log std_j (the Jacobian of x -> x').
#[test]
fn a_model_of_standardised_data_carries_over_to_raw_units_exactly() {
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let model = random_model(3, 4, 0.8, &mut rng);
    let raw = Array2::from_shape_fn((6, 3), |(n, j)| {
        10.0 * j as f32 + (n as f32 - 2.5) * (1.0 + j as f32)
    });
    let standardizer = Standardizer::fit(raw.view()).unwrap();
    let standardised = standardizer.transform(raw.view()).unwrap();
    let on_raw = model.for_raw_data(&standardizer);
    let p_raw = on_raw.hidden_probabilities(raw.view());
    let p_std = model.hidden_probabilities(standardised.view());
    assert!((&p_raw - &p_std).iter().all(|d| d.abs() < 1e-5));
    let h = array![[1.0f32, 0.0, 1.0, 1.0]];
    let mean_raw = on_raw.visible_means(h.view());
    let mean_back = standardizer
        .inverse_transform(model.visible_means(h.view()).view())
        .unwrap();
    assert!((&mean_raw - &mean_back).iter().all(|d| d.abs() < 1e-4));
    let log_std: f64 = standardizer.std.iter().map(|&s| f64::from(s).ln()).sum();
    let on_standardised = model
        .exact_mean_log_likelihood(standardised.view())
        .unwrap();
    let on_raw_units = on_raw.exact_mean_log_likelihood(raw.view()).unwrap();
    assert!(
        (on_raw_units - (on_standardised - log_std)).abs() < 1e-4,
        "{on_raw_units} vs {on_standardised} - {log_std}"
    );
}
