//! `boltzmann logz`: exact values against bm-exact and the brute force of
//! tests/common, AIS brackets around the exact value, and bad input.

mod common;

use common::*;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};

/// An RBM with random parameters, N(0, sd^2), from `seed`.
fn random_rbm(n_visible: usize, n_hidden: usize, sd: f64, seed: u64) -> Machine {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0, sd).unwrap();
    let mut draw = |n: usize| -> Vec<f64> { (0..n).map(|_| normal.sample(&mut rng)).collect() };
    Machine {
        visible_bias: draw(n_visible),
        hidden_bias: draw(n_hidden),
        weights: (0..n_hidden).map(|_| draw(n_visible)).collect(),
        visible_couplings: None,
        hidden_couplings: None,
    }
}

/// An RBM too large to enumerate: 784 visible and 40 hidden units, every
/// parameter 0.
fn large_rbm_toml() -> String {
    let row = vec![0.0; 784];
    format!(
        "format = \"rbm\"\nversion = 1\nvisible_bias = {:?}\nhidden_bias = {:?}\nweights = {:?}\n",
        vec![0.0; 784],
        vec![0.0; 40],
        vec![row; 40]
    )
}

#[test]
fn exact_log_partition_matches_bm_exact_and_brute_force() {
    let fx = Fixture::new();
    for (name, machine) in [
        ("rbm.toml", small_rbm()),
        ("bm.toml", small_bm()),
        ("random.toml", random_rbm(7, 5, 1.0, 3)),
    ] {
        let path = fx.write(name, &machine.to_toml());
        let json = run_json(&["logz", arg(&path)]);
        let oracle = bm_exact::Model::load(&path)
            .unwrap()
            .log_partition()
            .unwrap();
        let got = json["log_partition"].as_f64().unwrap();
        assert!((got - oracle).abs() <= 1e-12, "{name}: {got} vs {oracle}");
        assert_close(got, machine.brute_log_partition(), 1e-12, name);
        assert_eq!(json["method"], "exact", "{name}");
        assert!(json["n_states_enumerated"].as_u64().unwrap() >= 2);
        assert!(json.get("log_partition_low").is_none());
        // --exact gives the same number, and the text says "exact".
        let text = boltzmann()
            .args(["logz", arg(&path), "--exact"])
            .output()
            .unwrap();
        let text = String::from_utf8(text.stdout).unwrap();
        assert!(text.contains("exact"), "{text}");
        assert!(text.contains(&format!("{oracle:.12}")), "{text}");
    }
}

#[test]
fn ais_error_bar_contains_the_exact_value() {
    let fx = Fixture::new();
    let machine = random_rbm(12, 6, 0.8, 11);
    let model = fx.write("m.toml", &machine.to_toml());
    let exact = bm_exact::Model::load(&model)
        .unwrap()
        .log_partition()
        .unwrap();
    // A base-rate model from data whose pixel means are far from 1/2.
    let data: Vec<Vec<f64>> = (0..40)
        .map(|i| {
            (0..12)
                .map(|j| f64::from((i * 7 + j * 3) % 5 == 0))
                .collect()
        })
        .collect();
    let data_path = fx.write("d.csv", &data_csv(&data));
    for extra in [vec![], vec!["--data", arg(&data_path)]] {
        let mut args = vec!["logz", arg(&model), "--ais", "--betas", "3000"];
        args.extend(&extra);
        let json = run_json(&args);
        assert_eq!(json["method"], "ais");
        assert_eq!(json["n_chains"], 100);
        assert_eq!(json["n_betas"], 3000);
        let (low, estimate, high) = (
            json["log_partition_low"].as_f64().unwrap(),
            json["log_partition"].as_f64().unwrap(),
            json["log_partition_high"].as_f64().unwrap(),
        );
        assert!(
            low <= exact && exact <= high,
            "{extra:?}: exact {exact} outside [{low}, {high}] (estimate {estimate})"
        );
        assert!(low <= estimate && estimate <= high);
        let ess = json["effective_sample_size"].as_f64().unwrap();
        assert!((1.0..=100.0 + 1e-9).contains(&ess), "ESS {ess}");
        assert!(
            json["base_model"]
                .as_str()
                .unwrap()
                .starts_with(if extra.is_empty() {
                    "uniform"
                } else {
                    "base-rate"
                })
        );
    }
    // Same seed, same bits; another seed, another estimate.
    let once = run_json(&["logz", arg(&model), "--ais", "--betas", "200"]);
    let again = run_json(&["logz", arg(&model), "--ais", "--betas", "200"]);
    let other = run_json(&[
        "logz",
        arg(&model),
        "--ais",
        "--betas",
        "200",
        "--seed",
        "7",
    ]);
    assert_eq!(once["log_partition"], again["log_partition"]);
    assert_ne!(once["log_partition"], other["log_partition"]);
}

#[test]
fn a_model_too_large_to_enumerate_uses_ais_and_refuses_exact() {
    let fx = Fixture::new();
    let model = fx.write("large.toml", &large_rbm_toml());
    let stderr = expect_bad_input(
        &["logz", arg(&model), "--exact"],
        &["2^40", "AIS", "large.toml"],
    );
    assert!(
        stderr.contains("1099511627776"),
        "the number of states: {stderr}"
    );
    // Without --exact it estimates. With zero parameters the model is the
    // uniform base model itself, so every AIS weight is exactly 1 and the
    // estimate is log Z = (784 + 40) ln 2 with a zero-width error bar.
    let json = run_json(&["logz", arg(&model), "--betas", "20", "--chains", "10"]);
    assert_eq!(json["method"], "ais");
    let closed_form = 824.0 * std::f64::consts::LN_2;
    for key in ["log_partition", "log_partition_low", "log_partition_high"] {
        assert_close(json[key].as_f64().unwrap(), closed_form, 1e-12, key);
    }
}

#[test]
fn bad_ais_settings_exit_2_before_any_work() {
    let fx = Fixture::new();
    let small = fx.write("m.toml", &small_rbm().to_toml());
    let large = fx.write("large.toml", &large_rbm_toml());
    for model in [&small, &large] {
        for chains in ["0", "1"] {
            expect_bad_input(
                &["logz", arg(model), "--chains", chains],
                &["--chains", "at least 2 chains"],
            );
        }
        expect_bad_input(
            &["logz", arg(model), "--betas", "1"],
            &["--betas", "at least 2"],
        );
        expect_bad_input(&["logz", arg(model), "--betas", "0"], &["--betas"]);
    }
    expect_bad_input(&["logz", arg(&small), "--exact", "--ais"], &["--exact"]);
    let bm = fx.write("bm.toml", &small_bm().to_toml());
    expect_bad_input(
        &["logz", arg(&bm), "--ais"],
        &["bm.toml", "RBMs", "--exact"],
    );
    expect_bad_input(&["logz", arg(&fx.path("missing.toml"))], &["missing.toml"]);
}
