//! Training: gradients against finite differences, the divergence detector
//! provoked, and resume against an uninterrupted run.

use ebm_langevin::mlp::flatten;
use ebm_langevin::oracle::{Grid2d, Toy, kl_data_model};
use ebm_langevin::train::{TrainState, dsm_gradient, dsm_loss, ml_gradient, ml_loss};
use ebm_langevin::{Activation, Mlp, Objective, TrainConfig, Trainer};
use ndarray::{Array2, array};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn net(act: Activation, seed: u64) -> Mlp<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut net = Mlp::new(&[2, 5, 4, 1], act, &mut rng).unwrap();
    for l in &mut net.layers {
        l.bias.mapv_inplace(|_| rng.random_range(-0.5..0.5));
    }
    net
}

fn batch(n: usize, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array2::from_shape_simple_fn((n, 2), || rng.random_range(-2.0..2.0))
}

/// Central differences of `loss` in every parameter.
fn finite_differences(model: &Mlp<f64>, loss: impl Fn(&Mlp<f64>) -> f64) -> Vec<f64> {
    let theta = model.flat_params();
    let mut m = model.clone();
    let h = 1e-5;
    (0..theta.len())
        .map(|k| {
            let mut t = theta.clone();
            t[k] += h;
            m.set_flat_params(&t);
            let plus = loss(&m);
            t[k] -= 2.0 * h;
            m.set_flat_params(&t);
            (plus - loss(&m)) / (2.0 * h)
        })
        .collect()
}

fn assert_close(a: &[f64], b: &[f64], tol: f64) {
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() < tol * (1.0 + y.abs()),
            "parameter {k}: {x} vs {y}"
        );
    }
}

#[test]
fn ml_gradient_matches_finite_differences() {
    let model = net(Activation::Swish, 1);
    let (pos, neg) = (batch(7, 2), batch(5, 3));
    let (grad, _, _) = ml_gradient(&model, pos.view(), neg.view(), 0.3);
    let fd = finite_differences(&model, |m| ml_loss(m, pos.view(), neg.view(), 0.3));
    assert_close(&grad, &fd, 1e-7);
}

/// The mixed derivative of score matching, by the directional difference,
/// against finite differences of the loss itself.
#[test]
fn dsm_gradient_matches_finite_differences() {
    for act in [Activation::Swish, Activation::Softplus] {
        let model = net(act, 4);
        let clean = batch(6, 5);
        let noisy = &clean + &(0.3 * &batch(6, 6));
        let grad = dsm_gradient(&model, clean.view(), noisy.view(), 0.5);
        let fd = finite_differences(&model, |m| dsm_loss(m, clean.view(), noisy.view(), 0.5));
        assert_close(&grad, &fd, 1e-6);
    }
}

#[test]
fn a_broken_dsm_gradient_would_fail_that_check() {
    // Dropping the noise term of the target changes the gradient: the check
    // above can fail.
    let model = net(Activation::Swish, 4);
    let clean = batch(6, 5);
    let noisy = &clean + &(0.3 * &batch(6, 6));
    let wrong = dsm_gradient(&model, noisy.view(), noisy.view(), 0.5);
    let fd = finite_differences(&model, |m| dsm_loss(m, clean.view(), noisy.view(), 0.5));
    let worst = wrong
        .iter()
        .zip(&fd)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst > 1e-2, "{worst}");
}

fn gaussian_data(n: usize) -> Array2<f64> {
    let toy = Toy::Mixture {
        weights: vec![1.0],
        means: array![[0.5, -0.5]],
        std: 0.5,
    };
    toy.sample(n, &mut ChaCha8Rng::seed_from_u64(9))
}

fn small_config() -> TrainConfig {
    TrainConfig {
        hidden: vec![16],
        n_iterations: 200,
        batch_size: 64,
        learning_rate: 1e-2,
        langevin_steps: 10,
        langevin_step_size: 0.01,
        buffer_size: 256,
        ..TrainConfig::default()
    }
}

#[test]
fn maximum_likelihood_lowers_the_kl_divergence() {
    ml_lowers_the_kl_divergence(small_config());
}

/// The same with the negatives' chains on the fast batched step.
#[test]
fn maximum_likelihood_with_the_fast_sampler_lowers_the_kl_divergence() {
    ml_lowers_the_kl_divergence(TrainConfig {
        fast_sampler: true,
        ..small_config()
    });
}

fn ml_lowers_the_kl_divergence(config: TrainConfig) {
    let data = gaussian_data(2000);
    let toy = Toy::Mixture {
        weights: vec![1.0],
        means: array![[0.5, -0.5]],
        std: 0.5,
    };
    let grid = Grid2d {
        half_width: 4.0,
        n: 64,
    };
    let mut trainer = Trainer::new(config, data.view()).unwrap();
    let before = kl_data_model(&toy, &trainer.model, grid);
    for _ in 0..200 {
        trainer.step(data.view()).unwrap();
    }
    let after = kl_data_model(&toy, &trainer.model, grid);
    assert!(
        after < 0.2 * before && after < 0.3,
        "KL {before} -> {after}"
    );
    assert!(trainer.events.is_empty());
}

/// A learning rate of 1e3 blows the energies up; the detector rolls back to
/// the last good state, halves the learning rate until training is stable,
/// and the model never holds NaN.
#[test]
fn the_divergence_detector_rolls_back_and_lowers_the_learning_rate() {
    let data = gaussian_data(2000);
    let config = TrainConfig {
        learning_rate: 1e3,
        max_abs_energy: 1e3,
        alpha: 0.0,
        ..small_config()
    };
    let mut trainer = Trainer::new(config, data.view()).unwrap();
    for _ in 0..100 {
        trainer.step(data.view()).unwrap();
        assert!(trainer.model.flat_params().iter().all(|p| p.is_finite()));
    }
    assert!(!trainer.events.is_empty(), "no divergence provoked");
    let first = &trainer.events[0];
    assert!(
        first.new_learning_rate == 500.0 && first.rolled_back_to == 0,
        "{first:?}"
    );
    assert!(trainer.learning_rate < 1e3);
    // Without the detector's check (a limit it can never reach) the same run
    // writes energies beyond 1e3.
    let config = TrainConfig {
        learning_rate: 1e3,
        max_abs_energy: f64::MAX,
        alpha: 0.0,
        ..small_config()
    };
    let mut unguarded = Trainer::new(config, data.view()).unwrap();
    for _ in 0..20 {
        unguarded.step(data.view()).unwrap();
    }
    let e = unguarded.model.energies(data.view());
    assert!(e.iter().any(|v| !v.is_finite() || v.abs() > 1e3));
}

#[test]
fn resuming_gives_the_same_bytes() {
    let data = gaussian_data(500);
    let mut whole = Trainer::new(small_config(), data.view()).unwrap();
    for _ in 0..40 {
        whole.step(data.view()).unwrap();
    }
    let mut first = Trainer::new(small_config(), data.view()).unwrap();
    for _ in 0..15 {
        first.step(data.view()).unwrap();
    }
    let json = serde_json::to_string(&first.state()).unwrap();
    let mut second = Trainer::resume(
        small_config(),
        data.view(),
        serde_json::from_str(&json).unwrap(),
        Some(first.snapshot().clone()),
    )
    .unwrap();
    for _ in 15..40 {
        second.step(data.view()).unwrap();
    }
    assert_eq!(flatten(&whole.model.layers), flatten(&second.model.layers));
    assert_eq!(whole.state(), second.state());
}

/// A divergence after a resume at iteration 30 (not a multiple of the
/// snapshot interval, 25): with the snapshot saved beside the state, the
/// resumed run rolls back to iteration 25 as the uninterrupted one does, and
/// ends in the same bytes; resumed without it, it rolls back to 30 and
/// differs (the test can fail). The divergence is forced by a learning rate
/// of 1e3 set at iteration 30 in every run.
#[test]
fn a_divergence_after_a_resume_rolls_back_as_without_the_resume() {
    let data = gaussian_data(500);
    let config = TrainConfig {
        max_abs_energy: 1e3,
        alpha: 0.0,
        ..small_config()
    };
    let run = |trainer: &mut Trainer, from: usize, to: usize| {
        for _ in from..to {
            if trainer.iteration == 30 && trainer.events.is_empty() {
                trainer.learning_rate = 1e3;
            }
            trainer.step(data.view()).unwrap();
        }
    };
    let mut whole = Trainer::new(config.clone(), data.view()).unwrap();
    run(&mut whole, 0, 60);
    assert!(!whole.events.is_empty(), "no divergence provoked");
    assert_eq!(whole.events[0].rolled_back_to, 25, "{:?}", whole.events);

    let mut first = Trainer::new(config.clone(), data.view()).unwrap();
    run(&mut first, 0, 30);
    let json = serde_json::to_string(&(first.state(), first.snapshot())).unwrap();
    let (state, snapshot): (TrainState, TrainState) = serde_json::from_str(&json).unwrap();
    let mut resumed =
        Trainer::resume(config.clone(), data.view(), state.clone(), Some(snapshot)).unwrap();
    run(&mut resumed, 30, 60);
    assert_eq!(resumed.events, whole.events);
    assert_eq!(resumed.state(), whole.state());

    let mut without = Trainer::resume(config, data.view(), state, None).unwrap();
    run(&mut without, 30, 60);
    assert_eq!(without.events[0].rolled_back_to, 30);
    assert_ne!(without.state(), whole.state());
}

#[test]
fn bad_settings_are_refused_by_name() {
    let data = gaussian_data(10);
    let bad = TrainConfig {
        learning_rate: f64::NAN,
        ..small_config()
    };
    let message = Trainer::new(bad, data.view()).err().unwrap().to_string();
    assert!(message.starts_with("learning_rate"), "{message}");
    let bad = TrainConfig {
        reinit_probability: 2.0,
        ..small_config()
    };
    assert!(
        Trainer::new(bad, data.view())
            .err()
            .unwrap()
            .to_string()
            .starts_with("reinit_probability")
    );
    let _ = Objective::DenoisingScoreMatching;
}
