//! AIS for the Gaussian-Bernoulli RBM (eq. 9.9-9.11) against the closed-form
//! log Z (eq. 9.5), on random models and on a model trained on the 8x8
//! digits, with up to 16 hidden units and several seeds: every error bar
//! must contain the exact value. The same estimator with a deliberately
//! broken base log Z (the 2^n of the hidden units left out, or the
//! variances left out) must fail the same check.

use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rbm::{
    AisEstimate, AisSchedule, GaussianRbm, GaussianTrainConfig, Standardizer, gaussian_ais,
    gaussian_base_log_partition, gaussian_mean_log_probability, train_gaussian,
};

const SEEDS: [u64; 4] = [1, 2, 3, 4];
const N_CHAINS: usize = 100;

/// A random model: weights N(0, sd^2), biases N(0, 0.5^2), and log-variances
/// uniform in [0.2, 1] (so that leaving the variances out of log Z_A moves
/// it by at least 0.1 nats per visible unit).
fn random_model(n_visible: usize, n_hidden: usize, sd: f32, rng: &mut impl Rng) -> GaussianRbm {
    let weight = Normal::new(0.0, sd).unwrap();
    let bias = Normal::new(0.0, 0.5).unwrap();
    GaussianRbm {
        visible_bias: Array1::from_shape_simple_fn(n_visible, || bias.sample(rng)),
        hidden_bias: Array1::from_shape_simple_fn(n_hidden, || bias.sample(rng)),
        weights: Array2::from_shape_simple_fn((n_hidden, n_visible), || weight.sample(rng)),
        log_variance: Array1::from_shape_simple_fn(n_visible, || rng.random_range(0.2..1.0)),
    }
}

/// 16 hidden units trained briefly with CD-1 and learned variances on the
/// first 500 standardised 8x8 digits; the data it was trained on.
fn digits_model() -> (GaussianRbm, Array2<f32>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/digits-8x8/digits.csv.gz"
    );
    let digits = datasets::read_digits_8x8(path).unwrap();
    let raw = digits.images.slice(ndarray::s![..500, ..]).to_owned();
    let data = Standardizer::fit(raw.view())
        .unwrap()
        .transform(raw.view())
        .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut model = GaussianRbm::initialise(16, data.view(), &mut rng);
    let config = GaussianTrainConfig {
        learning_rate: 3e-3,
        epochs: 10,
        learn_variance: true,
        ..Default::default()
    };
    train_gaussian(&mut model, data.view(), &config, &mut rng).unwrap();
    (model, data)
}

fn models() -> Vec<(String, GaussianRbm)> {
    let mut rng = ChaCha8Rng::seed_from_u64(2011);
    let mut out: Vec<(String, GaussianRbm)> = [(8, 0.5), (12, 0.4), (16, 0.3)]
        .into_iter()
        .map(|(n_hidden, sd)| {
            let model = random_model(20, n_hidden, sd, &mut rng);
            (format!("random 20 x {n_hidden}, sd {sd}"), model)
        })
        .collect();
    out.push((
        "digits, 16 hidden, learned variances".into(),
        digits_model().0,
    ));
    out
}

/// The check every estimator must pass: the bar [low, high], shifted by
/// `shift` (0 for the real base log Z), contains the exact log Z, and the
/// weights are even enough for the bar to mean something.
fn contains(e: &AisEstimate, shift: f64, exact: f64) -> bool {
    e.is_reliable() && e.log_partition_low + shift <= exact && exact <= e.log_partition_high + shift
}

/// For every model and seed: the estimate and the exact log Z.
fn runs() -> Vec<(String, AisEstimate, GaussianRbm, f64)> {
    let schedule = AisSchedule::scaled(2_000).unwrap();
    let mut out = Vec::new();
    for (name, model) in models() {
        let exact = model.log_partition_exact().unwrap();
        for seed in SEEDS {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let e = gaussian_ais(&model, &schedule, N_CHAINS, &mut rng).unwrap();
            out.push((format!("{name}, seed {seed}"), e, model.clone(), exact));
        }
    }
    out
}

#[test]
fn exact_log_z_lies_within_the_error_bar_and_broken_base_models_miss_it() {
    let runs = runs();
    for (name, e, model, exact) in &runs {
        eprintln!(
            "{name}: exact {exact:.4}, AIS {:.4} [{:.4}, {:.4}], ESS {:.1}",
            e.log_partition, e.log_partition_low, e.log_partition_high, e.effective_sample_size
        );
        assert!(
            contains(e, 0.0, *exact),
            "{name}: exact log Z {exact} outside [{}, {}] (ESS {})",
            e.log_partition_low,
            e.log_partition_high,
            e.effective_sample_size
        );
        // Broken variant 1: log Z_A without n_hidden ln 2 (the hidden units
        // of the base model forgotten).
        let no_hidden = -(model.n_hidden() as f64) * std::f64::consts::LN_2;
        assert!(!contains(e, no_hidden, *exact), "{name}: 2^n not needed?");
        // Broken variant 2: log Z_A with unit variances, sum_j log(2 pi) / 2.
        let unit = gaussian_base_log_partition(&GaussianRbm {
            log_variance: Array1::zeros(model.n_visible()),
            ..model.clone()
        });
        let no_variance = unit - gaussian_base_log_partition(model);
        assert!(
            !contains(e, no_variance, *exact),
            "{name}: variances not needed?"
        );
    }
}

#[test]
fn base_log_partition_is_the_closed_form_of_the_uncoupled_model() {
    // With W = 0 and c = 0 the RBM is the base model itself: eq. (9.9) must
    // equal eq. (9.5), and AIS has nothing to anneal (every weight is 1).
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut model = random_model(7, 5, 0.0, &mut rng);
    model.hidden_bias.fill(0.0);
    let exact = model.log_partition_exact().unwrap();
    assert!((gaussian_base_log_partition(&model) - exact).abs() < 1e-9);
    let schedule = AisSchedule::linear(10).unwrap();
    let e = gaussian_ais(&model, &schedule, 30, &mut rng).unwrap();
    assert!((e.log_partition - exact).abs() < 1e-9);
}

#[test]
fn mean_log_probability_brackets_the_exact_log_likelihood() {
    let (model, data) = digits_model();
    let exact = model.exact_mean_log_likelihood(data.view()).unwrap();
    let schedule = AisSchedule::scaled(2_000).unwrap();
    let e = gaussian_ais(
        &model,
        &schedule,
        N_CHAINS,
        &mut ChaCha8Rng::seed_from_u64(6),
    )
    .unwrap();
    let (estimate, low, high) = gaussian_mean_log_probability(&model, data.view(), &e).unwrap();
    assert!(low <= exact && exact <= high, "{low} <= {exact} <= {high}");
    assert!((estimate - exact).abs() <= high - low);
}

#[test]
fn the_result_does_not_depend_on_the_number_of_threads() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let model = random_model(10, 6, 0.5, &mut rng);
    let schedule = AisSchedule::linear(200).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| gaussian_ais(&model, &schedule, 60, &mut ChaCha8Rng::seed_from_u64(3)))
            .unwrap()
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn bad_input_is_refused_with_the_field_named() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut model = random_model(3, 2, 0.5, &mut rng);
    let schedule = AisSchedule::linear(10).unwrap();
    let err = gaussian_ais(&model, &schedule, 0, &mut rng).unwrap_err();
    assert!(err.to_string().contains("n_chains"), "{err}");
    model.log_variance[1] = f32::NAN;
    let err = gaussian_ais(&model, &schedule, 10, &mut rng).unwrap_err();
    assert!(err.to_string().contains("log_variance"), "{err}");
}
