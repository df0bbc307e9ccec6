//! An RBM whose last visible units form a softmax group (label units,
//! chapter 10) against exact enumeration over the states where the group is
//! one-hot: the Gibbs step samples that joint distribution (chi-square), and
//! the CD-k gradient with long chains is the exact log-likelihood gradient
//! (z-scores); plain Bernoulli Gibbs steps fail both tests.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rbm::{Gradient, Rbm, SoftmaxGroup, gibbs_step, mean_statistics, softmax_gibbs_step};
use statrs::distribution::{ChiSquared, ContinuousCDF};

const N_X: usize = 3;
const N_LABELS: usize = 3;
const N_VISIBLE: usize = N_X + N_LABELS;
const N_HIDDEN: usize = 2;

/// A tiny RBM over (x, l) with weights of size ~1.5.
fn model() -> (Rbm, SoftmaxGroup) {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut rbm = Rbm::zeros(N_VISIBLE, N_HIDDEN);
    rbm.weights
        .mapv_inplace(|_| 3.0 * (rng.random::<f32>() - 0.5));
    rbm.visible_bias.mapv_inplace(|_| rng.random::<f32>() - 0.5);
    rbm.hidden_bias.mapv_inplace(|_| rng.random::<f32>() - 0.5);
    (rbm, SoftmaxGroup::new(N_X..N_VISIBLE, N_VISIBLE).unwrap())
}

/// Every state (x, l) with l one-hot, in the order of [`state_index`].
fn states() -> Vec<Array1<f32>> {
    let mut all = Vec::new();
    for l in 0..N_LABELS {
        for sx in 0..1u64 << N_X {
            let mut v = Array1::zeros(N_VISIBLE);
            for j in 0..N_X {
                v[j] = ((sx >> j) & 1) as f32;
            }
            v[N_X + l] = 1.0;
            all.push(v);
        }
    }
    all
}

/// The index of a state in [`states`], or None when l is not one-hot.
fn state_index(v: ArrayView1<f32>) -> Option<usize> {
    let labels = v.slice(s![N_X..]);
    if labels.sum() != 1.0 {
        return None;
    }
    let l = labels.iter().position(|&x| x == 1.0)?;
    let sx: usize = (0..N_X).map(|j| (v[j] as usize) << j).sum();
    Some(l * (1 << N_X) + sx)
}

/// p(v) over [`states`] in f64: proportional to e^{-F(v)}, eq. (2.3).
fn exact_probabilities(rbm: &Rbm) -> Vec<f64> {
    let log_weights: Vec<f64> = states()
        .iter()
        .map(|v| {
            let mut value: f64 = (0..N_VISIBLE)
                .map(|j| f64::from(rbm.visible_bias[j]) * f64::from(v[j]))
                .sum();
            for i in 0..N_HIDDEN {
                let input: f64 = f64::from(rbm.hidden_bias[i])
                    + (0..N_VISIBLE)
                        .map(|j| f64::from(rbm.weights[[i, j]]) * f64::from(v[j]))
                        .sum::<f64>();
                value += input.exp().ln_1p();
            }
            value
        })
        .collect();
    let max = log_weights
        .iter()
        .cloned()
        .fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = log_weights.iter().map(|w| (w - max).exp()).collect();
    let total: f64 = weights.iter().sum();
    weights.iter().map(|w| w / total).collect()
}

/// The last states of 20,000 chains after 50 steps of `step`, started at
/// one state with label 0.
fn final_states(
    step: impl Fn(&Rbm, ArrayView2<f32>, &mut ChaCha8Rng) -> Array2<f32>,
    seed: u64,
) -> Array2<f32> {
    let (rbm, _) = model();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut v = Array2::zeros((20_000, N_VISIBLE));
    v.column_mut(N_X).fill(1.0);
    for _ in 0..50 {
        v = step(&rbm, v.view(), &mut rng);
    }
    v
}

/// Chi-square p-value of the states' histogram against the exact p(v); a
/// state whose group is not one-hot counts as an impossible outcome.
fn p_value(samples: ArrayView2<f32>) -> f64 {
    let (rbm, _) = model();
    let p = exact_probabilities(&rbm);
    let mut counts = vec![0.0; p.len()];
    for row in samples.rows() {
        match state_index(row) {
            Some(i) => counts[i] += 1.0,
            None => return 0.0,
        }
    }
    let n = samples.nrows() as f64;
    let statistic: f64 = counts
        .iter()
        .zip(&p)
        .map(|(c, p)| (c - n * p).powi(2) / (n * p))
        .sum();
    1.0 - ChiSquared::new((p.len() - 1) as f64)
        .unwrap()
        .cdf(statistic)
}

#[test]
fn the_softmax_gibbs_step_samples_the_exact_joint_of_x_and_the_label() {
    let (_, group) = model();
    for seed in [1, 2] {
        let samples = final_states(|m, v, rng| softmax_gibbs_step(m, v, &group, rng), seed);
        let p = p_value(samples.view());
        eprintln!("seed {seed}: chi-square p-value {p:.4}");
        assert!(p > 1e-3, "seed {seed}: chi-square p-value {p}");
    }
    // The broken variant: labels as independent Bernoulli units.
    let samples = final_states(|m, v, rng| gibbs_step(m, v, rng), 1);
    let p = p_value(samples.view());
    assert!(p < 1e-6, "Bernoulli labels: p-value {p}");
}

/// The exact gradient of the mean log-likelihood of `data` (rows with l
/// one-hot), eq. (4.3)-(4.4), with the model expectation over the one-hot
/// states only.
fn exact_gradient(rbm: &Rbm, data: ArrayView2<f32>) -> Gradient {
    let p = exact_probabilities(rbm);
    let mut model = Gradient::zeros_like(rbm);
    for (v, p) in states().iter().zip(&p) {
        let one = v.clone().insert_axis(Axis(0));
        model.scaled_add(*p as f32, &mean_statistics(rbm, one.view()));
    }
    mean_statistics(rbm, data).minus(&model)
}

/// The flattened statistics of each row (v, p(h | v), p(h | v) v^T): their
/// standard errors scale the comparison.
fn row_statistics(rbm: &Rbm, v: ArrayView2<f32>) -> Array2<f64> {
    let h = rbm.hidden_probabilities(v);
    let width = N_VISIBLE + N_HIDDEN + N_HIDDEN * N_VISIBLE;
    let mut rows = Array2::zeros((v.nrows(), width));
    for n in 0..v.nrows() {
        let (vn, hn) = (v.row(n), h.row(n));
        let outer = hn.insert_axis(Axis(1)).dot(&vn.insert_axis(Axis(0)));
        let values = vn.iter().chain(hn.iter()).copied().chain(outer);
        for (target, x) in rows.row_mut(n).iter_mut().zip(values) {
            *target = f64::from(x);
        }
    }
    rows
}

fn flatten(g: &Gradient) -> Vec<f64> {
    g.visible_bias
        .iter()
        .chain(g.hidden_bias.iter())
        .chain(g.weights.iter())
        .map(|&x| f64::from(x))
        .collect()
}

/// The largest |z| of a long-chain CD gradient against the exact gradient,
/// chains of `step` started at the data (4,000 copies of 4 examples).
fn largest_z(step: impl Fn(&Rbm, ArrayView2<f32>, &mut ChaCha8Rng) -> Array2<f32>) -> f64 {
    let (rbm, _) = model();
    let examples = [
        [1., 0., 1., 1., 0., 0.],
        [0., 1., 1., 0., 1., 0.],
        [1., 1., 0., 0., 0., 1.],
        [0., 0., 0., 0., 1., 0.],
    ];
    let data = Array2::from_shape_fn((16_000, N_VISIBLE), |(n, j)| examples[n % 4][j] as f32);
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let mut chain = data.clone();
    for _ in 0..30 {
        chain = step(&rbm, chain.view(), &mut rng);
    }
    let estimate = mean_statistics(&rbm, data.view()).minus(&mean_statistics(&rbm, chain.view()));
    let exact = exact_gradient(&rbm, data.view());
    let stats = row_statistics(&rbm, chain.view());
    let n = stats.nrows() as f64;
    let sd = stats.std_axis(Axis(0), 1.0);
    flatten(&estimate)
        .iter()
        .zip(flatten(&exact))
        .zip(sd.iter())
        .map(|((e, x), sd)| (e - x).abs() / (sd / n.sqrt()).max(1e-6))
        .fold(0.0, f64::max)
}

#[test]
fn the_softmax_cd_gradient_with_long_chains_is_the_exact_gradient() {
    let (rbm, group) = model();
    // softmax_cd_gradient is this very estimate: same draws, same numbers.
    let data = Array2::from_shape_fn((8, N_VISIBLE), |(n, j)| {
        f32::from(j == N_X + n % N_LABELS || (j < N_X && (n + j) % 2 == 0))
    });
    let mut a = ChaCha8Rng::seed_from_u64(3);
    let mut b = a.clone();
    let gradient = rbm::softmax_cd_gradient(&rbm, data.view(), 4, &group, &mut a);
    let chain = rbm::softmax_gibbs_chain(&rbm, data.view(), 4, &group, &mut b);
    let by_hand = mean_statistics(&rbm, data.view()).minus(&mean_statistics(&rbm, chain.view()));
    assert_eq!(gradient, by_hand);

    let z = largest_z(|m, v, rng| softmax_gibbs_step(m, v, &group, rng));
    eprintln!("softmax labels: largest |z| {z:.2}");
    assert!(z < 4.5, "softmax labels: largest |z| {z}");
    // The broken variant: labels reconstructed as independent Bernoulli units.
    let z = largest_z(|m, v, rng| gibbs_step(m, v, rng));
    eprintln!("Bernoulli labels: largest |z| {z:.2}");
    assert!(z > 10.0, "Bernoulli labels: largest |z| {z}");
}
