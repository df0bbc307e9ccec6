//! AIS against exact log Z from `bm_exact` on random and trained RBMs small
//! enough to enumerate; reverse AIS on the other side; schedule checks.

mod common;

use common::{bars_and_stripes, random_exact_rbm};
use ndarray::{Array1, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rbm::{
    AisSchedule, Estimator, Rbm, TrainConfig, Trainer, ais, base_log_partition,
    base_rate_visible_bias, mean_log_probability, reverse_ais,
};

/// Exact samples of the model, as f32 rows.
fn exact_samples(exact: &bm_exact::Rbm, n: usize, seed: u64) -> ndarray::Array2<f32> {
    exact
        .sample_visible(n, &mut ChaCha8Rng::seed_from_u64(seed))
        .unwrap()
        .mapv(|x| x as f32)
}

/// Random RBMs with 20 visible units (enumeration sums the smaller layer out,
/// so up to 25 hidden units stay cheap), and their base rates from exact
/// samples, as they would come from data.
fn random_models() -> Vec<(String, Rbm, Array1<f32>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(2008);
    [(10, 0.5), (15, 0.5), (25, 0.3), (25, 0.5)]
        .into_iter()
        .enumerate()
        .map(|(k, (n_hidden, sd))| {
            let exact = random_exact_rbm(20, n_hidden, sd, &mut rng);
            let base = base_rate_visible_bias(exact_samples(&exact, 1000, k as u64).view());
            (
                format!("random 20 x {n_hidden}, sd {sd}"),
                Rbm::from_exact(&exact),
                base,
            )
        })
        .collect()
}

/// Bars and stripes (3 x 3 and 4 x 4) learnt briefly with CD-1 and PCD.
fn trained_models() -> Vec<(String, Rbm, Array1<f32>)> {
    [
        (3, 12, Estimator::Cd { k: 1 }),
        (4, 16, Estimator::Pcd { k: 1, n_chains: 30 }),
    ]
    .into_iter()
    .map(|(side, n_hidden, estimator)| {
        let data = bars_and_stripes(side);
        let start = Rbm::initialise(n_hidden, data.view(), &mut ChaCha8Rng::seed_from_u64(1));
        let config = TrainConfig {
            learning_rate: 0.1,
            batch_size: 10,
            epochs: 300,
            estimator,
            seed: 3,
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::new(start, config).unwrap();
        trainer.train(data.view()).unwrap();
        (
            format!("bars and stripes {side} x {side}, {n_hidden} hidden, {estimator:?}"),
            trainer.into_rbm(),
            base_rate_visible_bias(data.view()),
        )
    })
    .collect()
}

fn exact_log_partition(model: &Rbm) -> f64 {
    model.to_exact().unwrap().log_partition().unwrap()
}

#[test]
fn exact_log_z_lies_within_the_error_bar() {
    let schedule = AisSchedule::scaled(3_000).unwrap();
    for (name, model, base) in random_models().into_iter().chain(trained_models()) {
        let exact = exact_log_partition(&model);
        for seed in [1, 2, 3] {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let e = ais(&model, base.view(), &schedule, 100, &mut rng).unwrap();
            eprintln!(
                "{name}, seed {seed}: exact {exact:.4}, AIS {:.4} [{:.4}, {:.4}], ESS {:.1}",
                e.log_partition, e.log_partition_low, e.log_partition_high, e.effective_sample_size
            );
            assert!(
                e.log_partition_low <= exact && exact <= e.log_partition_high,
                "{name}, seed {seed}: exact {exact} outside [{}, {}]",
                e.log_partition_low,
                e.log_partition_high
            );
            assert!((e.log_partition - exact).abs() < 0.1, "{name}: {e:?}");
            assert_eq!(
                (e.n_chains, e.n_betas, e.log_weights.len()),
                (100, 3_000, 100)
            );
            assert!(e.effective_sample_size >= 1.0 && e.effective_sample_size <= 100.0);
        }
    }
}

/// The mean |AIS - exact| over seeds.
fn mean_abs_error(model: &Rbm, base: &Array1<f32>, n_betas: usize, n_chains: usize) -> f64 {
    let exact = exact_log_partition(model);
    let schedule = AisSchedule::scaled(n_betas).unwrap();
    let seeds = 10;
    (0..seeds)
        .map(|seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(100 + seed);
            let e = ais(model, base.view(), &schedule, n_chains, &mut rng).unwrap();
            (e.log_partition - exact).abs()
        })
        .sum::<f64>()
        / seeds as f64
}

#[test]
fn the_error_shrinks_as_betas_and_chains_grow() {
    let (name, model, base) = random_models().remove(3);
    let (few, many) = (
        mean_abs_error(&model, &base, 100, 100),
        mean_abs_error(&model, &base, 3_000, 100),
    );
    eprintln!("{name}: mean |error| {few:.4} with 100 betas, {many:.4} with 3,000");
    assert!(many < few / 2.0, "{few} -> {many}");
    let (few, many) = (
        mean_abs_error(&model, &base, 300, 5),
        mean_abs_error(&model, &base, 300, 500),
    );
    eprintln!("{name}: mean |error| {few:.4} with 5 chains, {many:.4} with 500");
    assert!(many < few / 2.0, "{few} -> {many}");
}

/// The mean and standard error of log Z_A + sign * log w over chains: the
/// average of single-chain estimates.
fn single_chain_mean(log_base: f64, log_weights: &[f64], sign: f64) -> (f64, f64) {
    let n = log_weights.len() as f64;
    let estimates: Vec<f64> = log_weights.iter().map(|lw| log_base + sign * lw).collect();
    let mean = estimates.iter().sum::<f64>() / n;
    let variance = estimates.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (variance / n).sqrt())
}

/// By Jensen's inequality, eq. (7.5), a single forward chain estimates log Z
/// low on average, and a single reverse chain started at exact samples estimates it
/// high. A short schedule on a model with large weights makes both gaps
/// many standard errors wide.
#[test]
fn forward_and_reverse_ais_bracket_log_z() {
    let mut rng = ChaCha8Rng::seed_from_u64(77);
    let exact_model = random_exact_rbm(20, 15, 1.0, &mut rng);
    let model = Rbm::from_exact(&exact_model);
    let exact = exact_log_partition(&model);
    let base = base_rate_visible_bias(exact_samples(&exact_model, 1000, 1).view());
    let log_base = base_log_partition(base.view(), model.n_hidden());
    let schedule = AisSchedule::scaled(20).unwrap();
    let forward = ais(&model, base.view(), &schedule, 1000, &mut rng).unwrap();
    let (forward_mean, forward_se) = single_chain_mean(log_base, &forward.log_weights, 1.0);
    let start = exact_samples(&exact_model, 1000, 2);
    let reverse = reverse_ais(&model, base.view(), &schedule, start.view(), &mut rng).unwrap();
    let (reverse_mean, reverse_se) = single_chain_mean(log_base, &reverse.log_weights, -1.0);
    eprintln!(
        "single chains, 20 betas: forward {forward_mean:.3} +- {forward_se:.3} < exact {exact:.3} \
         < reverse {reverse_mean:.3} +- {reverse_se:.3}; all chains: forward {:.3}, reverse {:.3}",
        forward.log_partition, reverse.log_partition
    );
    assert!(
        forward_mean + 3.0 * forward_se < exact,
        "forward is not low"
    );
    assert!(
        exact < reverse_mean - 3.0 * reverse_se,
        "reverse is not high"
    );

    // With a long schedule reverse AIS is accurate and its bar holds log Z.
    let long = AisSchedule::scaled(3_000).unwrap();
    let (_, model, base) = random_models().remove(3);
    let exact_model = model.to_exact().unwrap();
    let exact = exact_log_partition(&model);
    let start = exact_samples(&exact_model, 100, 7);
    let e = reverse_ais(
        &model,
        base.view(),
        &long,
        start.view(),
        &mut ChaCha8Rng::seed_from_u64(7),
    )
    .unwrap();
    eprintln!(
        "reverse, 3,000 betas: {:.4} [{:.4}, {:.4}]",
        e.log_partition, e.log_partition_low, e.log_partition_high
    );
    assert!(
        e.log_partition_low <= exact && exact <= e.log_partition_high,
        "{e:?}"
    );
}

#[test]
fn mean_log_probability_brackets_the_exact_log_likelihood() {
    let (name, model, base) = trained_models().remove(0);
    let data = bars_and_stripes(3);
    let exact = rbm::exact_mean_log_likelihood(&model, data.view()).unwrap();
    let schedule = AisSchedule::scaled(3_000).unwrap();
    let e = ais(
        &model,
        base.view(),
        &schedule,
        100,
        &mut ChaCha8Rng::seed_from_u64(5),
    )
    .unwrap();
    let (estimate, low, high) = mean_log_probability(&model, data.view(), &e);
    eprintln!("{name}: exact {exact:.4}, AIS {estimate:.4} [{low:.4}, {high:.4}]");
    assert!(low <= exact && exact <= high);
    assert!((estimate - exact).abs() < 0.05);
}

#[test]
fn base_rate_model_matches_the_data_marginals_and_its_log_z() {
    let data = ndarray::array![
        [1.0f32, 0.0, 0.0],
        [1.0, 1.0, 0.0],
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0]
    ];
    let b = base_rate_visible_bias(data.view());
    // Means 0.75, 0.5 and 0 (clamped to 0.001).
    assert!((b[0] - 3f32.ln()).abs() < 1e-6 && b[1].abs() < 1e-6);
    assert!((b[2] - (0.001f32 / 0.999).ln()).abs() < 1e-4);
    let base_rbm = Rbm {
        visible_bias: b.clone(),
        hidden_bias: Array1::zeros(4),
        weights: ndarray::Array2::zeros((4, 3)),
    };
    let want = exact_log_partition(&base_rbm);
    assert!((base_log_partition(b.view(), 4) - want).abs() < 1e-9);
    // Zero-step AIS: the schedule [0, 1] is exact for the base model itself.
    let e = ais(
        &base_rbm,
        b.view(),
        &AisSchedule::linear(2).unwrap(),
        3,
        &mut ChaCha8Rng::seed_from_u64(0),
    )
    .unwrap();
    assert!((e.log_partition - want).abs() < 1e-6, "{e:?}");
    let empty: ArrayView2<f32> = data.slice(ndarray::s![..0, ..]);
    assert_eq!(base_rate_visible_bias(empty), Array1::<f32>::zeros(3));
}

#[test]
fn bad_schedules_and_zero_chains_are_refused_before_any_work() {
    let message = |betas: Vec<f64>| AisSchedule::new(betas).unwrap_err().to_string();
    let empty = message(vec![]);
    assert!(
        empty.contains("schedule") && empty.contains("at least two"),
        "{empty}"
    );
    assert!(message(vec![0.0]).contains("at least two"));
    let start = message(vec![0.1, 0.5, 1.0]);
    assert!(
        start.contains("starts at 0.1") && start.contains("must be 0"),
        "{start}"
    );
    let end = message(vec![0.0, 0.5, 0.9]);
    assert!(
        end.contains("ends at 0.9") && end.contains("must be 1"),
        "{end}"
    );
    let flat = message(vec![0.0, 0.5, 0.5, 1.0]);
    assert!(
        flat.contains("beta[2] = 0.5") && flat.contains("increase strictly"),
        "{flat}"
    );
    let down = message(vec![0.0, 0.6, 0.4, 1.0]);
    assert!(down.contains("beta[2] = 0.4"), "{down}");
    assert!(message(vec![0.0, f64::NAN, 1.0]).contains("beta[1] = NaN"));
    for n in [0, 1] {
        assert!(
            AisSchedule::linear(n)
                .unwrap_err()
                .to_string()
                .contains("n_betas")
        );
        assert!(
            AisSchedule::scaled(n)
                .unwrap_err()
                .to_string()
                .contains("n_betas")
        );
    }
    assert_eq!(AisSchedule::linear(3).unwrap().betas(), &[0.0, 0.5, 1.0]);
    assert_eq!(AisSchedule::scaled(2).unwrap().betas(), &[0.0, 1.0]);

    let model = Rbm::zeros(3, 2);
    let schedule = AisSchedule::linear(10).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let zero = ais(&model, Array1::zeros(3).view(), &schedule, 0, &mut rng)
        .unwrap_err()
        .to_string();
    assert!(zero.contains("n_chains") && zero.contains("is 0"), "{zero}");
    let wrong_len = ais(&model, Array1::zeros(4).view(), &schedule, 5, &mut rng)
        .unwrap_err()
        .to_string();
    assert!(
        wrong_len.contains("base_visible_bias") && wrong_len.contains("4 entries"),
        "{wrong_len}"
    );
    let no_start = reverse_ais(
        &model,
        Array1::zeros(3).view(),
        &schedule,
        ndarray::Array2::zeros((0, 3)).view(),
        &mut rng,
    )
    .unwrap_err()
    .to_string();
    assert!(no_start.contains("n_chains"), "{no_start}");
}
