//! The objectives of maximum likelihood, pseudo-likelihood, ratio matching
//! and noise-contrastive estimation, checked against sums over the exact
//! table p(v); and their consistency: when the target is itself an RBM of
//! the same size, its parameters are a stationary point of every one of
//! them (the gradient, by central differences, vanishes), which it is not
//! for a different target (the control).

use bm_exact::objectives::{
    self, expected_log_likelihood, expected_pseudo_log_likelihood, flatten, nce_objective,
    ratio_matching_loss,
};
use bm_exact::{Rbm, state_vector};
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const D: usize = 4;
const N: usize = 2;

fn random_rbm(rng: &mut impl Rng) -> Rbm {
    let mut draw = || rng.random_range(-1.0..1.0);
    Rbm::new(
        Array1::from_shape_simple_fn(D, &mut draw),
        Array1::from_shape_simple_fn(N, &mut draw),
        Array2::from_shape_simple_fn((N, D), &mut draw),
    )
    .unwrap()
}

fn unflatten(x: &[f64]) -> Rbm {
    objectives::unflatten(x, D, N).unwrap()
}

/// The largest |d objective / d x_i| by central differences.
fn max_gradient(x: &[f64], objective: &dyn Fn(&[f64]) -> f64) -> f64 {
    let eps = 1e-5;
    (0..x.len())
        .map(|i| {
            let (mut up, mut down) = (x.to_vec(), x.to_vec());
            up[i] += eps;
            down[i] -= eps;
            ((objective(&up) - objective(&down)) / (2.0 * eps)).abs()
        })
        .fold(0.0, f64::max)
}

#[test]
fn objectives_match_sums_over_the_exact_table() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let rbm = random_rbm(&mut rng);
    let q = random_rbm(&mut rng).visible_distribution().unwrap();
    let p = rbm.visible_distribution().unwrap();
    let flip = |s: usize, j: usize| s ^ (1 << j);
    let (mut ll, mut pl, mut rm) = (0.0, 0.0, 0.0);
    for s in 0..1usize << D {
        ll += q[s] * p[s].ln();
        for j in 0..D {
            pl += q[s] * (p[s] / (p[s] + p[flip(s, j)])).ln();
            rm += q[s] * (1.0 / (1.0 + p[s] / p[flip(s, j)])).powi(2);
        }
    }
    let log_z = rbm.log_partition().unwrap();
    let noise = 1.0 / 16.0;
    let h = |s: usize| p[s] / (p[s] + noise);
    let nce: f64 = (0..16)
        .map(|s| q[s] * h(s).ln() + noise * (1.0 - h(s)).ln())
        .sum();
    for (name, ours, brute) in [
        (
            "log-likelihood",
            expected_log_likelihood(&rbm, q.view()),
            ll,
        ),
        (
            "pseudo-likelihood",
            expected_pseudo_log_likelihood(&rbm, q.view()),
            pl,
        ),
        ("ratio matching", ratio_matching_loss(&rbm, q.view()), rm),
        ("NCE", nce_objective(&rbm, log_z, q.view()), nce),
    ] {
        assert!((ours - brute).abs() < 1e-12, "{name}: {ours} vs {brute}");
    }
    // The table and state_vector agree on the order of states.
    assert_eq!(state_vector(6, D).to_vec(), vec![0.0, 1.0, 1.0, 0.0]);
}

/// Every objective's gradient at `rbm`, for the target q.
fn gradients(rbm: &Rbm, q: &Array1<f64>) -> [(&'static str, f64); 4] {
    let x = flatten(rbm);
    let log_z = rbm.log_partition().unwrap();
    let q = q.view();
    let mut with_z = x.clone();
    with_z.push(log_z);
    [
        (
            "log-likelihood",
            max_gradient(&x, &|y| expected_log_likelihood(&unflatten(y), q)),
        ),
        (
            "pseudo-likelihood",
            max_gradient(&x, &|y| expected_pseudo_log_likelihood(&unflatten(y), q)),
        ),
        (
            "ratio matching",
            max_gradient(&x, &|y| ratio_matching_loss(&unflatten(y), q)),
        ),
        (
            "NCE",
            max_gradient(&with_z, &|y| {
                nce_objective(&unflatten(&y[..y.len() - 1]), y[y.len() - 1], q)
            }),
        ),
    ]
}

#[test]
fn the_true_parameters_are_a_stationary_point_of_every_objective() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for _ in 0..3 {
        let truth = random_rbm(&mut rng);
        let q = truth.visible_distribution().unwrap();
        for (name, g) in gradients(&truth, &q) {
            assert!(g < 1e-8, "{name}: gradient {g} at the true parameters");
        }
        // Control: the same check at a different model must fail.
        let other = random_rbm(&mut rng);
        for (name, g) in gradients(&other, &q) {
            assert!(g > 1e-3, "{name}: gradient {g} at a wrong model");
        }
    }
}
