//! The better negative phases of the trainer, eq. (5.6)-(5.8), against the
//! exact model: the decaying rate follows its formula, fast PCD with a zero
//! fast rate is PCD bit for bit, the averaged negative statistics of PCD and
//! tempered PCD converge to the exact ones, and tempered chains pass a
//! chi-square test against the exact p(v) that a deliberately broken
//! variant (statistics read at the wrong temperature) fails.

mod common;

use common::{bimodal_rbm, p_value_against_exact, tiny_rbm};
use ndarray::{Array1, Array2, ArrayView2, array};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rbm::{
    Estimator, FastWeights, FastWeightsConfig, Gradient, ParallelTempering, PersistentChains, Rbm,
    TemperatureLadder, TemperingConfig, TrainConfig, Trainer, fast_pcd_gradient, learning_rate_at,
    mean_statistics, tempered_gradient,
};

fn pcd_config() -> TrainConfig {
    TrainConfig {
        learning_rate: 0.1,
        batch_size: 4,
        estimator: Estimator::Pcd { k: 1, n_chains: 7 },
        seed: 11,
        ..TrainConfig::default()
    }
}

fn data() -> Array2<f32> {
    array![
        [1.0, 0.0, 1.0, 1.0],
        [0.0, 1.0, 0.0, 1.0],
        [1.0, 1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 1.0],
        [0.0, 0.0, 1.0, 1.0]
    ]
}

#[test]
fn the_decaying_rate_follows_eq_5_6() {
    for t in [0u64, 1, 7, 100, 250, 10_000] {
        let expected = 0.2 / (1.0 + t as f64 / 250.0);
        let got = f64::from(learning_rate_at(0.2, Some(250.0), t));
        assert!((got - expected).abs() <= 1e-7 * expected, "t = {t}");
        assert_eq!(learning_rate_at(0.2, None, t), 0.2);
    }
    assert_eq!(
        learning_rate_at(0.2, Some(250.0), 250),
        0.1,
        "halves at t = tau"
    );
    // Robbins-Monro: the partial sums keep growing (like tau log t), while
    // the sums of squares approach a limit below epsilon_0^2 (1 + tau).
    let partial = |n: u64, power: i32| -> f64 {
        (0..n)
            .map(|t| f64::from(learning_rate_at(0.2, Some(250.0), t)).powi(power))
            .sum()
    };
    assert!(partial(1_000_000, 1) > partial(100_000, 1) + 0.2 * 250.0 * 2.0);
    assert!(partial(1_000_000, 2) < 0.04 * 251.0);
}

#[test]
fn the_trainer_applies_the_rate_of_update_t() {
    let config = TrainConfig {
        learning_rate_decay_time: Some(3.0),
        weight_decay: 0.0,
        ..pcd_config()
    };
    let mut trainer = Trainer::new(tiny_rbm(), config).unwrap();
    let ones = Gradient {
        visible_bias: Array1::ones(4),
        hidden_bias: Array1::ones(3),
        weights: Array2::ones((3, 4)),
    };
    for t in 0..5u64 {
        assert_eq!(trainer.updates_done(), t);
        let rate = learning_rate_at(0.1, Some(3.0), t);
        assert_eq!(trainer.learning_rate(), rate);
        trainer.apply(&ones, 0.0);
        assert!(trainer.velocity().weights.iter().all(|&v| v == rate));
    }
    // Epochs count epochs_done x minibatches (5 examples in 2 minibatches).
    trainer.train_epoch(data().view());
    assert_eq!(trainer.updates_done(), 2);
    trainer.train_epoch(data().view());
    assert_eq!(trainer.updates_done(), 4);
}

#[test]
fn fast_pcd_with_a_zero_fast_rate_is_pcd_bit_for_bit() {
    let fast = |learning_rate| TrainConfig {
        fast_weights: Some(FastWeightsConfig {
            learning_rate,
            decay: 0.95,
        }),
        ..pcd_config()
    };
    let mut pcd = Trainer::new(tiny_rbm(), pcd_config()).unwrap();
    let mut frozen = Trainer::new(tiny_rbm(), fast(0.0)).unwrap();
    let mut moving = Trainer::new(tiny_rbm(), fast(0.1)).unwrap();
    for _ in 0..30 {
        for trainer in [&mut pcd, &mut frozen, &mut moving] {
            trainer.step(data().view(), 0.5);
        }
    }
    assert_eq!(pcd.rbm(), frozen.rbm());
    assert_eq!(pcd.chains(), frozen.chains());
    let fast_weights = frozen.fast_weights().unwrap().parameters();
    assert_eq!(fast_weights.max_abs(), 0.0);
    // The same check sees fast weights that move.
    assert!(moving.fast_weights().unwrap().parameters().max_abs() > 0.0);
    assert_ne!(pcd.rbm(), moving.rbm());
}

#[test]
fn fast_weights_decay_and_learn_by_eq_5_7() {
    let model = tiny_rbm();
    let config = FastWeightsConfig {
        learning_rate: 0.5,
        decay: 0.9,
    };
    let mut fast = FastWeights::new(config, &model);
    let update = mean_statistics(&model, data().view());
    fast.learn(&update);
    fast.learn(&update);
    // theta_fast = 0.5 u after one update, 0.9 * 0.5 u + 0.5 u after two.
    let expected = update.weights.mapv(|u| 0.9 * (0.5 * u) + 0.5 * u);
    let got = &fast.parameters().weights;
    assert!(got.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-6));
    let chain_model = fast.chain_model(&model);
    assert_eq!(chain_model.weights, &model.weights + got);
}

/// The mean of `n_updates` estimates at a fixed model, minus the exact
/// gradient of bm_exact: the bias plus noise of a negative phase.
fn mean_error(
    model: &Rbm,
    batch: ArrayView2<f32>,
    n_updates: usize,
    mut estimate: impl FnMut() -> Gradient,
) -> f64 {
    let exact = model
        .to_exact()
        .unwrap()
        .log_likelihood_gradient(batch.mapv(f64::from).view())
        .unwrap();
    let exact = Gradient::from_exact(&exact);
    let mut sum = Gradient::zeros_like(model);
    for _ in 0..n_updates {
        sum.scaled_add(1.0 / n_updates as f32, &estimate());
    }
    f64::from(sum.minus(&exact).max_abs())
}

#[test]
fn averaged_negative_statistics_converge_to_the_exact_ones() {
    let model = tiny_rbm();
    let batch = data();
    let (n_updates, n_chains, tolerance) = (3_000, 20, 0.02);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut chains = PersistentChains::new(n_chains, &model, &mut rng);
    let pcd = mean_error(&model, batch.view(), n_updates, || {
        chains.gradient(&model, batch.view(), 1, &mut rng)
    });
    let fast = FastWeights::new(
        FastWeightsConfig {
            learning_rate: 0.0,
            decay: 0.95,
        },
        &model,
    );
    let mut chains = PersistentChains::new(n_chains, &model, &mut rng);
    let fast_pcd = mean_error(&model, batch.view(), n_updates, || {
        fast_pcd_gradient(&mut chains, &fast, &model, batch.view(), 1, &mut rng)
    });
    let ladder = TemperatureLadder::geometric(4, 0.3).unwrap();
    let mut pt = ParallelTempering::new(&model, ladder.clone(), n_chains, &mut rng).unwrap();
    let tempered = mean_error(&model, batch.view(), n_updates, || {
        tempered_gradient(&mut pt, &model, batch.view(), 1, &mut rng)
    });
    // The broken variant: the statistics of the chains at the second
    // temperature (an off-by-one) instead of beta = 1.
    let mut pt = ParallelTempering::new(&model, ladder, n_chains, &mut rng).unwrap();
    let broken = mean_error(&model, batch.view(), n_updates, || {
        pt.sweep(&model, &mut rng);
        mean_statistics(&model, batch.view()).minus(&mean_statistics(&model, pt.states()[1].view()))
    });
    eprintln!(
        "largest error of the mean: PCD {pcd:.4}, fast PCD {fast_pcd:.4}, \
         tempered {tempered:.4}, broken {broken:.4}"
    );
    for (name, error) in [("PCD", pcd), ("fast PCD", fast_pcd), ("tempered", tempered)] {
        assert!(error < tolerance, "{name}: {error}");
    }
    assert!(broken > 2.0 * tolerance, "broken: {broken}");
}

const N_VISIBLE: usize = common::BIMODAL_VISIBLE;

#[test]
fn tempered_negative_chains_sample_the_exact_distribution_and_a_broken_variant_fails() {
    let model = bimodal_rbm();
    let batch = Array2::<f32>::zeros((1, N_VISIBLE));
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let ladder = TemperatureLadder::geometric(8, 0.05).unwrap();
    let mut pt = ParallelTempering::new(&model, ladder, 3_000, &mut rng).unwrap();
    for _ in 0..100 {
        tempered_gradient(&mut pt, &model, batch.view(), 2, &mut rng);
    }
    let p = p_value_against_exact(&model, pt.samples());
    let p_broken = p_value_against_exact(&model, pt.states()[1].view());
    eprintln!("tempered chains p = {p:.4}; chains at the second temperature p = {p_broken:e}");
    assert!(p > 1e-3, "p = {p}");
    assert!(p_broken < 1e-6, "p = {p_broken}");
}

#[test]
fn the_trainer_with_tempering_uses_the_tempered_chains() {
    let config = TrainConfig {
        tempering: Some(TemperingConfig {
            n_temperatures: 3,
            lowest_beta: 0.5,
        }),
        ..pcd_config()
    };
    let mut trainer = Trainer::new(tiny_rbm(), config.clone()).unwrap();
    assert!(trainer.chains().is_none());
    trainer.train_epoch(data().view());
    let pt = trainer.tempering().unwrap();
    assert_eq!(pt.ladder().len(), 3);
    assert_eq!(pt.n_chains(), 7);
    assert!(pt.swap_rates().iter().all(|r| (0.0..=1.0).contains(r)));
    // Same seed, same bits.
    let mut again = Trainer::new(tiny_rbm(), config).unwrap();
    again.train_epoch(data().view());
    assert_eq!(trainer.rbm(), again.rbm());
}

#[test]
fn the_new_options_are_read_from_toml_and_checked() {
    let base = "learning_rate = 0.1\nweight_decay = 0.0\nbatch_size = 10\nepochs = 1\nseed = 1\n";
    let pcd = "estimator = { kind = \"pcd\", k = 1, n_chains = 10 }\n";
    let cd = "estimator = { kind = \"cd\", k = 1 }\n";
    let parse = |extra: &str| TrainConfig::from_toml_str(&format!("{base}{extra}"));
    // Files without the new fields keep working, and mean what they meant.
    let plain = parse(pcd).unwrap();
    assert_eq!(plain.learning_rate_decay_time, None);
    assert!(plain.fast_weights.is_none() && plain.tempering.is_none());
    assert!(plain.centering.is_none());
    let full = parse(&format!(
        "{pcd}learning_rate_decay_time = 500.0\n\
         fast_weights = {{ learning_rate = 0.1, decay = 0.95 }}\n\
         centering = {{ offset_rate = 0.01 }}\n"
    ))
    .unwrap();
    assert_eq!(full.learning_rate_decay_time, Some(500.0));
    assert_eq!(full.fast_weights.unwrap().decay, 0.95);
    let tempered = parse(&format!(
        "{pcd}tempering = {{ n_temperatures = 4, lowest_beta = 0.2 }}\n"
    ))
    .unwrap();
    assert_eq!(tempered.tempering.unwrap().n_temperatures, 4);
    // The serialised form of a plain configuration has no new keys.
    assert!(!toml::to_string(&plain).unwrap().contains("tempering"));
    for (extra, field) in [
        (
            format!("{pcd}learning_rate_decay_time = -1.0\n"),
            "learning_rate_decay_time",
        ),
        (
            format!("{pcd}fast_weights = {{ learning_rate = 0.1, decay = 1.0 }}\n"),
            "fast_weights.decay",
        ),
        (
            format!("{pcd}fast_weights = {{ learning_rate = -0.1, decay = 0.9 }}\n"),
            "fast_weights.learning_rate",
        ),
        (
            format!("{cd}fast_weights = {{ learning_rate = 0.1, decay = 0.9 }}\n"),
            "fast_weights",
        ),
        (
            format!("{cd}tempering = {{ n_temperatures = 3, lowest_beta = 0.5 }}\n"),
            "tempering",
        ),
        (
            format!("{pcd}tempering = {{ n_temperatures = 3, lowest_beta = 1.5 }}\n"),
            "tempering.lowest_beta",
        ),
        (
            format!("{pcd}tempering = {{ n_temperatures = 0, lowest_beta = 0.5 }}\n"),
            "tempering.n_temperatures",
        ),
        (
            format!("{pcd}centering = {{ offset_rate = 0.0 }}\n"),
            "centering.offset_rate",
        ),
        (
            format!("{pcd}centering = {{ offset_rate = 0.1, typo = 1 }}\n"),
            "typo",
        ),
    ] {
        let message = parse(&extra).unwrap_err().to_string();
        assert!(message.contains(field), "{extra}: {message}");
    }
}

#[test]
fn resuming_a_run_whose_state_a_checkpoint_lacks_is_refused() {
    let config = TrainConfig {
        fast_weights: Some(FastWeightsConfig {
            learning_rate: 0.1,
            decay: 0.95,
        }),
        ..pcd_config()
    };
    let model = tiny_rbm();
    let velocity = Gradient::zeros_like(&model);
    let chains = PersistentChains::from_states(Array2::zeros((7, 4)).view());
    let message = Trainer::resume(model, config, velocity, Some(chains), 1)
        .unwrap_err()
        .to_string();
    assert!(message.contains("fast_weights"), "{message}");
}
