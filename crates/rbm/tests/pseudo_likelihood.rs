//! Pseudo-likelihood against a brute force from `bm_exact` free energies,
//! the one-bit estimate against the exact value, and the free-energy gap
//! against exact log-likelihoods.

mod common;

use common::random_exact_rbm;
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rbm::{Rbm, free_energy_gap, pseudo_log_likelihood, stochastic_pseudo_log_likelihood};

fn random_binary(n: usize, n_visible: usize, rng: &mut impl Rng) -> Array2<f32> {
    Array2::from_shape_simple_fn((n, n_visible), || f32::from(rng.random_range(0..2u8)))
}

/// mean_n sum_i log sigmoid(F(v~) - F(v)) with F from the f64 oracle.
fn brute_force_pseudo_log_likelihood(exact: &bm_exact::Rbm, data: &Array2<f32>) -> f64 {
    let data = data.mapv(f64::from);
    let mut total = 0.0;
    for v in data.rows() {
        let free_energy = exact.free_energy(v);
        for i in 0..v.len() {
            let mut flipped = v.to_owned();
            flipped[i] = 1.0 - flipped[i];
            let x = exact.free_energy(flipped.view()) - free_energy;
            total += (bm_exact::numerics::sigmoid(x)).ln();
        }
    }
    total / data.nrows() as f64
}

#[test]
fn exact_pseudo_likelihood_matches_a_brute_force_from_the_oracle() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (n_visible, n_hidden, sd) in [(1, 1, 1.0), (6, 4, 0.5), (10, 7, 2.0), (16, 30, 1.0)] {
        let model = Rbm::from_exact(&random_exact_rbm(n_visible, n_hidden, sd, &mut rng));
        // The oracle with the same (f32-rounded) parameters.
        let exact = model.to_exact().unwrap();
        let data = random_binary(25, n_visible, &mut rng);
        let got = pseudo_log_likelihood(&model, data.view());
        let want = brute_force_pseudo_log_likelihood(&exact, &data);
        eprintln!("{n_visible} x {n_hidden}, sd {sd}: PL {got:.6} vs brute force {want:.6}");
        assert!(
            (got - want).abs() <= 1e-9 * (1.0 + want.abs()),
            "{got} vs {want}"
        );
    }
}

#[test]
fn one_bit_estimate_averages_to_the_exact_pseudo_likelihood() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let exact = random_exact_rbm(12, 8, 1.0, &mut rng);
    let model = Rbm::from_exact(&exact);
    let data = random_binary(20, 12, &mut rng);
    let want = pseudo_log_likelihood(&model, data.view());
    // E over the random bit of n_visible * log p(v_i | v_-i) is the sum over
    // all bits, so the mean over draws and examples is the exact PL.
    let draws: Vec<f64> = (0..2_000)
        .flat_map(|_| stochastic_pseudo_log_likelihood(&model, data.view(), &mut rng))
        .collect();
    assert_eq!(draws.len(), 40_000);
    let n = draws.len() as f64;
    let mean = draws.iter().sum::<f64>() / n;
    let se = (draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt();
    eprintln!("one-bit estimate {mean:.4} +- {se:.4}, exact {want:.4}");
    assert!((mean - want).abs() < 4.0 * se, "{mean} +- {se} vs {want}");
    // A single call is noisy: its spread over examples is far above the
    // standard error of the average.
    let one_call = stochastic_pseudo_log_likelihood(&model, data.view(), &mut rng);
    assert_eq!(one_call.len(), 20);
}

#[test]
fn free_energy_gap_is_the_difference_of_exact_log_likelihoods() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let exact = random_exact_rbm(8, 5, 1.0, &mut rng);
    let model = Rbm::from_exact(&exact);
    let train = random_binary(30, 8, &mut rng);
    let held_out = random_binary(20, 8, &mut rng);
    let ll = |d: &Array2<f32>| exact.mean_log_likelihood(d.mapv(f64::from).view()).unwrap();
    let want = ll(&train) - ll(&held_out);
    let got = f64::from(free_energy_gap(&model, train.view(), held_out.view()));
    assert!((got - want).abs() < 1e-4, "{got} vs {want}");
}
