//! The block Gibbs sampler against the exact p(v) of the oracle: a
//! chi-square goodness-of-fit test, and proof that the test catches a bug.

mod common;

use common::{p_value_against_exact, tiny_rbm};
use ndarray::{Array2, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rbm::{Rbm, gibbs_step, numerics::sigmoid, sample_bernoulli};

const N_CHAINS: usize = 20_000;
/// Steps before a chain's last state is taken. With weights of size ~1 on 4
/// visible units the chain forgets its start within a few steps.
const BURN_IN: usize = 100;

/// The last states of N_CHAINS independent chains (so the samples are
/// independent, as the chi-square test assumes), started uniformly at random.
fn final_states(
    step: impl Fn(&Rbm, ArrayView2<f32>, &mut ChaCha8Rng) -> Array2<f32>,
    seed: u64,
) -> Array2<f32> {
    let model = tiny_rbm();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut v = Array2::from_shape_simple_fn((N_CHAINS, model.n_visible()), || {
        rng.random_range(0..2) as f32
    });
    for _ in 0..BURN_IN {
        v = step(&model, v.view(), &mut rng);
    }
    v
}

#[test]
fn gibbs_samples_follow_the_exact_distribution() {
    for seed in [11, 12, 13] {
        let samples = final_states(|m, v, rng| gibbs_step(m, v, rng), seed);
        let p = p_value_against_exact(&tiny_rbm(), samples.view());
        eprintln!("seed {seed}: chi-square p-value {p:.4}");
        assert!(p > 1e-3, "seed {seed}: chi-square p-value {p}");
    }
}

/// The down pass with the sign of the visible bias flipped: sigmoid(-b + W^T h).
fn broken_gibbs_step(model: &Rbm, v: ArrayView2<f32>, rng: &mut ChaCha8Rng) -> Array2<f32> {
    let h = sample_bernoulli(model.hidden_probabilities(v).view(), rng);
    let p = (h.dot(&model.weights) - &model.visible_bias).mapv(sigmoid);
    sample_bernoulli(p.view(), rng)
}

#[test]
fn the_chi_square_check_catches_a_broken_sampler() {
    let samples = final_states(broken_gibbs_step, 11);
    let p = p_value_against_exact(&tiny_rbm(), samples.view());
    eprintln!("broken sampler: chi-square p-value {p:e}");
    assert!(p < 1e-6, "the broken sampler passed with p-value {p}");
}

#[test]
fn bernoulli_samples_have_the_given_means() {
    let probabilities = Array2::from_shape_fn((50_000, 4), |(_, j)| [0.0, 0.1, 0.7, 1.0][j]);
    let samples = sample_bernoulli(probabilities.view(), &mut ChaCha8Rng::seed_from_u64(9));
    let means = samples.mean_axis(ndarray::Axis(0)).unwrap();
    assert_eq!((means[0], means[3]), (0.0, 1.0));
    // Standard errors sqrt(p(1-p)/n): 1.3e-3 and 2.0e-3; allow 5 of them.
    assert!((means[1] - 0.1).abs() < 5.0 * 1.3e-3, "{means}");
    assert!((means[2] - 0.7).abs() < 5.0 * 2.0e-3, "{means}");
}

/// The tempered step of parallel tempering at inverse temperature 1 is the
/// block Gibbs step the book shows: fed the same seed, the same draws.
#[test]
fn tempered_gibbs_step_at_beta_one_is_gibbs_step() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let mut rbm = rbm::Rbm::zeros(12, 7);
    rbm.weights
        .mapv_inplace(|_| 2.0 * rng.random::<f32>() - 1.0);
    rbm.visible_bias.mapv_inplace(|_| rng.random::<f32>() - 0.5);
    rbm.hidden_bias.mapv_inplace(|_| rng.random::<f32>() - 0.5);
    let v = ndarray::Array2::from_shape_simple_fn((50, 12), || f32::from(rng.random::<bool>()));
    let tempered = rbm::tempered_gibbs_step(&rbm, 1.0, v.view(), &mut ChaCha8Rng::seed_from_u64(4));
    let plain = rbm::gibbs_step(&rbm, v.view(), &mut ChaCha8Rng::seed_from_u64(4));
    assert_eq!(tempered, plain);
    // A different temperature changes the draws: the test can fail.
    let hot = rbm::tempered_gibbs_step(&rbm, 0.2, v.view(), &mut ChaCha8Rng::seed_from_u64(4));
    assert_ne!(hot, plain);
}
