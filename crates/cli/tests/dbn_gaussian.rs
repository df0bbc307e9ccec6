//! `boltzmann dbn train --first-layer gaussian` on real-valued CSV data:
//! resume equals an uninterrupted run, the model file says `kind =
//! "gaussian"`, and `dbn sample|classify|features` work on it; bad input
//! exits 2 naming the flag or the field.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// 80 examples of 16 real values in two classes: class c has mean +1 on
/// the units j with j % 4 < 2 == (c == 0) and -1 elsewhere, plus N(0, 0.5^2).
fn write_real_data(fx: &Fixture) -> (PathBuf, PathBuf) {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut rows = Vec::new();
    let mut labels = String::new();
    for n in 0..80 {
        let class = n % 2;
        rows.push(
            (0..16)
                .map(|j| {
                    let mean = if (j % 4 < 2) == (class == 0) {
                        1.0
                    } else {
                        -1.0
                    };
                    let noise: f64 = StandardNormal.sample(&mut rng);
                    mean + 0.5 * noise
                })
                .collect::<Vec<f64>>(),
        );
        labels += &format!("{class}\n");
    }
    (
        fx.write("real.csv", &data_csv(&rows)),
        fx.write("labels.txt", &labels),
    )
}

fn gaussian_args<'a>(data: &'a Path, labels: &'a Path, out: &'a Path) -> Vec<&'a str> {
    vec![
        "dbn",
        "train",
        "--data",
        arg(data),
        "--labels",
        arg(labels),
        "--first-layer",
        "gaussian",
        "--layers",
        "6,8",
        "--epochs",
        "20,30",
        "--learning-rate",
        "0.01,0.1",
        "--seed",
        "5",
        "--out",
        arg(out),
    ]
}

#[test]
fn a_gaussian_first_layer_trains_on_real_values_and_resumes_to_the_same_bytes() {
    let fx = Fixture::new();
    let (data, labels) = write_real_data(&fx);
    let straight = fx.path("straight.toml");
    let mut args = gaussian_args(&data, &labels, &straight);
    args.push("--learn-variance");
    let json = run_json(&args);
    assert_eq!(json["layer_sizes"], serde_json::json!([16, 6, 8]));
    assert!(json["training_accuracy"].as_f64().unwrap() > 0.9, "{json}");
    let text = std::fs::read_to_string(&straight).unwrap();
    assert!(text.contains("kind = \"gaussian\""), "{text}");
    assert!(text.contains("log_variance = ["), "{text}");

    // Stopped in layer 1 (the Gaussian one), then in layer 2, then finished.
    let resumed = fx.path("resumed.toml");
    for stop in ["3", "25"] {
        let mut args = gaussian_args(&data, &labels, &resumed);
        args.push("--learn-variance");
        if stop == "25" {
            args.push("--resume");
        }
        args.extend(["--stop-after-epochs", stop]);
        let output = boltzmann().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(130), "{stderr}");
    }
    let mut args = gaussian_args(&data, &labels, &resumed);
    args.extend(["--learn-variance", "--resume"]);
    boltzmann().args(&args).assert().success();
    assert_eq!(text, std::fs::read_to_string(&resumed).unwrap());
}

#[test]
fn sample_classify_and_features_read_a_gaussian_net() {
    let fx = Fixture::new();
    let (data, labels) = write_real_data(&fx);
    let model = fx.path("model.toml");
    run_json(&gaussian_args(&data, &labels, &model));

    let samples = fx.path("samples.csv");
    let png = fx.path("samples.png");
    boltzmann()
        .args(["dbn", "sample", arg(&model), "--label", "0", "-n", "4"])
        .args(["--gibbs-steps", "50", "--out", arg(&samples)])
        .args(["--png", arg(&png)])
        .assert()
        .success();
    let means = datasets::read_real_csv(&samples).unwrap();
    assert_eq!(means.dim(), (4, 16));
    // Clamped to class 0, the means lean towards +1 on class 0's units.
    let class_zero_units: f64 = (0..16)
        .filter(|j| j % 4 < 2)
        .map(|j| means.column(j).sum())
        .sum();
    assert!(class_zero_units > 0.0, "{means}");
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));

    let json = run_json(&[
        "dbn",
        "classify",
        arg(&model),
        "--data",
        arg(&data),
        "--labels",
        arg(&labels),
    ]);
    assert_eq!(json["method"], "free_energy");
    assert!(json["accuracy"].as_f64().unwrap() > 0.9, "{json}");

    let features = fx.path("features.csv");
    boltzmann()
        .args(["dbn", "features", arg(&model), "--data", arg(&data)])
        .args(["--out", arg(&features)])
        .assert()
        .success();
    assert_eq!(datasets::read_csv(&features).unwrap().dim(), (80, 8));

    // The enumeration oracle is for binary v, and says which field.
    expect_bad_input(
        &["exact", arg(&model)],
        &["model.toml", "layer 1: field `kind`"],
    );
}

#[test]
fn bad_gaussian_settings_exit_2_naming_the_flag_or_field() {
    let fx = Fixture::new();
    let (data, labels) = write_real_data(&fx);
    let out = fx.path("out.toml");
    let mut args = gaussian_args(&data, &labels, &out);
    args[7] = "bernoulli";
    args.push("--learn-variance");
    expect_bad_input(&args, &["--learn-variance", "--first-layer gaussian"]);
    // Real values for a binary first layer are refused naming the file.
    let mut args = gaussian_args(&data, &labels, &out);
    args[7] = "bernoulli";
    let output = boltzmann().args(&args).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("real.csv"));
    // A Gaussian layer 2 in a configuration file.
    let config = fx.write(
        "greedy.toml",
        "seed = 1\n\
         [[layers]]\nn_hidden = 4\ntrain = { learning_rate = 0.01, weight_decay = 0.0, batch_size = 10, epochs = 1, estimator = { kind = \"cd\", k = 1 }, seed = 1 }\n\
         [[layers]]\nn_hidden = 4\nkind = \"gaussian\"\ntrain = { learning_rate = 0.01, weight_decay = 0.0, batch_size = 10, epochs = 1, estimator = { kind = \"cd\", k = 1 }, seed = 2 }\n",
    );
    expect_bad_input(
        &[
            "dbn",
            "train",
            "--data",
            arg(&data),
            "--config",
            arg(&config),
            "--out",
            arg(&out),
        ],
        &["layer 2", "field `kind`"],
    );
    assert!(!out.exists());
}

#[test]
fn standardize_trains_on_z_scores_and_saves_a_net_for_raw_values() {
    let fx = Fixture::new();
    let (data, labels) = write_real_data(&fx);
    // The same examples in other units: column j scaled by 1 + j and shifted by 10 j.
    let rows: Vec<Vec<f64>> = datasets::read_real_csv(&data)
        .unwrap()
        .rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(j, &x)| 10.0 * j as f64 + (1.0 + j as f64) * x)
                .collect()
        })
        .collect();
    let raw = fx.write("raw.csv", &data_csv(&rows));
    let straight = fx.path("straight.toml");
    let mut args = gaussian_args(&raw, &labels, &straight);
    args.extend(["--standardize", "--fine-tune-epochs", "10"]);
    let json = run_json(&args);
    assert!(json["training_accuracy"].as_f64().unwrap() > 0.9, "{json}");
    let tuned = json["fine_tuned_accuracy"].as_f64().unwrap();
    assert!(tuned > 0.9, "{json}");
    // dbn classify takes the raw values and agrees with the report.
    let classify = |extra: &[&str]| {
        let mut a = vec!["dbn", "classify", arg(&straight), "--data", arg(&raw)];
        a.extend(["--labels", arg(&labels)]);
        a.extend(extra);
        run_json(&a)
    };
    assert_eq!(classify(&[])["accuracy"].as_f64(), Some(tuned));
    assert_eq!(
        classify(&["--free-energy"])["accuracy"],
        json["training_accuracy"]
    );
    // Stopped and resumed: the same file.
    let resumed = fx.path("resumed.toml");
    let mut args = gaussian_args(&raw, &labels, &resumed);
    args.extend(["--standardize", "--fine-tune-epochs", "10"]);
    let mut stopped = args.clone();
    stopped.extend(["--stop-after-epochs", "55"]);
    assert_eq!(
        boltzmann().args(&stopped).output().unwrap().status.code(),
        Some(130)
    );
    args.push("--resume");
    boltzmann().args(&args).assert().success();
    assert_eq!(
        std::fs::read(&straight).unwrap(),
        std::fs::read(&resumed).unwrap()
    );
    // Only a Gaussian first layer can be standardised.
    let binary = fx.path("b.toml");
    let mut args = gaussian_args(&data, &labels, &binary);
    args[7] = "bernoulli";
    args.push("--standardize");
    expect_bad_input(&args, &["--standardize", "--first-layer gaussian"]);
}
