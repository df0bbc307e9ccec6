//! The f32 model against the f64 oracle: conditionals and free energy.

mod common;

use common::{all_states, random_exact_rbm};
use ndarray::{Array2, Axis};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rbm::Rbm;

/// Conditionals are probabilities in [0, 1]; f32 carries about 7 digits, and
/// the parameters themselves are rounded to f32, so 1e-5 absolute is a safe bound.
const PROBABILITY_TOLERANCE: f64 = 1e-5;
/// Free energies grow with the weights (|F| up to several hundred at weights of
/// +-50), so their tolerance is relative: 1e-5 * (1 + |F|).
const FREE_ENERGY_RELATIVE_TOLERANCE: f64 = 1e-5;

fn compare_with_oracle(exact: &bm_exact::Rbm) {
    let model = Rbm::from_exact(exact);
    let visible = all_states(exact.n_visible());
    let hidden = all_states(exact.n_hidden());
    let f32_of = |a: &Array2<f64>| a.mapv(|x| x as f32);

    let free_energy = model.free_energy(f32_of(&visible).view());
    let hidden_probabilities = model.hidden_probabilities(f32_of(&visible).view());
    for (n, v) in visible.axis_iter(Axis(0)).enumerate() {
        let want = exact.free_energy(v);
        let got = free_energy[n] as f64;
        assert!(got.is_finite(), "F(v) = {got} for state {n}");
        assert!(
            (got - want).abs() <= FREE_ENERGY_RELATIVE_TOLERANCE * (1.0 + want.abs()),
            "F(v) of state {n}: f32 {got} vs f64 {want}"
        );
        for (got, want) in hidden_probabilities
            .row(n)
            .iter()
            .zip(exact.hidden_probabilities(v))
        {
            assert!((*got as f64 - want).abs() <= PROBABILITY_TOLERANCE);
        }
    }
    let visible_probabilities = model.visible_probabilities(f32_of(&hidden).view());
    for (n, h) in hidden.axis_iter(Axis(0)).enumerate() {
        for (got, want) in visible_probabilities
            .row(n)
            .iter()
            .zip(exact.visible_probabilities(h))
        {
            assert!(got.is_finite());
            assert!((*got as f64 - want).abs() <= PROBABILITY_TOLERANCE);
        }
    }
}

#[test]
fn conditionals_and_free_energy_match_the_oracle() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (n_visible, n_hidden) in [(1, 1), (3, 5), (6, 4), (8, 7)] {
        for sd in [0.1, 1.0, 4.0] {
            compare_with_oracle(&random_exact_rbm(n_visible, n_hidden, sd, &mut rng));
        }
    }
}

#[test]
fn large_activations_give_no_nan_or_infinity() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for _ in 0..5 {
        let mut exact = random_exact_rbm(6, 5, 1.0, &mut rng).to_parameters();
        // Weights of +-50 saturate every sigmoid: hidden inputs reach +-300.
        exact.weights.mapv_inplace(|w| 50.0 * w.signum());
        compare_with_oracle(&bm_exact::Rbm::from_parameters(exact).unwrap());
    }
}

#[test]
fn to_exact_and_from_exact_round_trip() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let model = Rbm::from_exact(&random_exact_rbm(4, 3, 1.0, &mut rng));
    assert_eq!(Rbm::from_exact(&model.to_exact().unwrap()), model);

    let mut broken = model.clone();
    broken.hidden_bias[1] = f32::NAN;
    let message = broken.to_exact().unwrap_err().to_string();
    assert!(message.contains("hidden_bias"), "{message}");
}

#[test]
fn initialise_follows_the_practical_guide() {
    let data = ndarray::array![
        [1.0f32, 0.0, 1.0],
        [1.0, 0.0, 0.0],
        [1.0, 0.0, 1.0],
        [0.0, 0.0, 1.0]
    ];
    let model = Rbm::initialise(500, data.view(), &mut ChaCha8Rng::seed_from_u64(4));
    assert_eq!((model.n_visible(), model.n_hidden()), (3, 500));
    assert!(model.hidden_bias.iter().all(|c| *c == 0.0));
    // Unit 0 is on 3 times in 4: b = log(0.75 / 0.25) = log 3.
    assert!((model.visible_bias[0] - 3f32.ln()).abs() < 1e-6);
    // Unit 1 is never on: clamped to a finite negative bias.
    assert!(model.visible_bias[1].is_finite() && model.visible_bias[1] < -5.0);
    let n = model.weights.len() as f32;
    let mean = model.weights.sum() / n;
    let sd = (model.weights.mapv(|w| (w - mean).powi(2)).sum() / n).sqrt();
    // 1500 draws from N(0, 0.01^2): the sample mean has sd 0.01 / sqrt(1500) = 2.6e-4.
    assert!(mean.abs() < 1.3e-3, "mean {mean}");
    assert!((sd - 0.01).abs() < 1e-3, "sd {sd}");
}
