//! `boltzmann dbn train|sample|classify|features`: resume equals an
//! uninterrupted run, nothing is overwritten without --force, bad input
//! exits 2 naming the file, and the outputs have the documented shapes.

mod common;

use std::path::Path;

use common::*;

fn train_args<'a>(data: &'a Path, labels: &'a Path, out: &'a Path) -> Vec<&'a str> {
    vec![
        "dbn",
        "train",
        "--data",
        arg(data),
        "--labels",
        arg(labels),
        "--layers",
        "6,8",
        "--epochs",
        "30,40",
        "--learning-rate",
        "0.1",
        "--batch-size",
        "10",
        "--seed",
        "3",
        "--out",
        arg(out),
    ]
}

/// `dbn classify MODEL --data DATA --labels LABELS --out OUT`.
fn classify_args<'a>(
    model: &'a Path,
    data: &'a Path,
    labels: &'a Path,
    out: &'a Path,
) -> Vec<&'a str> {
    let mut args = vec!["dbn", "classify", arg(model), "--data", arg(data)];
    args.extend(["--labels", arg(labels), "--out", arg(out)]);
    args
}

#[test]
fn resume_gives_the_same_model_as_an_uninterrupted_run() {
    let fx = Fixture::new();
    let (data, labels) = write_two_class_data(&fx);
    let straight = fx.path("straight.toml");
    let json = run_json(&train_args(&data, &labels, &straight));
    assert_eq!(json["layer_sizes"], serde_json::json!([16, 6, 8]));
    assert_eq!(json["n_labels"], 2);
    assert!(json["training_accuracy"].as_f64().unwrap() > 0.9, "{json}");

    let resumed = fx.path("resumed.toml");
    // Stop after epoch 2 of layer 1, then after epoch 7 of layer 2.
    for stop in ["2", "35"] {
        let mut args = train_args(&data, &labels, &resumed);
        if stop == "35" {
            args.push("--resume");
        }
        args.extend(["--stop-after-epochs", stop]);
        let output = boltzmann().args(&args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(130),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!resumed.exists(), "no model before training ends");
    }
    // Other labels (the data's contents, not their name, are compared).
    let swapped: String = std::fs::read_to_string(&labels)
        .unwrap()
        .lines()
        .map(|l| if l == "0" { "1\n" } else { "0\n" })
        .collect();
    let other = fx.write("other-labels.txt", &swapped);
    let mut args = train_args(&data, &other, &resumed);
    args.push("--resume");
    expect_bad_input(&args, &["resumed.toml.checkpoint", "other data or labels"]);
    // The same data under another name resume.
    std::fs::create_dir(fx.path("sub")).unwrap();
    let renamed = fx.path("sub/../data.csv");
    let mut args = train_args(&renamed, &labels, &resumed);
    args.push("--resume");
    boltzmann().args(&args).assert().success();
    assert_eq!(
        std::fs::read(&straight).unwrap(),
        std::fs::read(&resumed).unwrap()
    );
}

#[test]
fn bad_input_exits_2_and_nothing_is_overwritten() {
    let fx = Fixture::new();
    let (data, labels) = write_two_class_data(&fx);
    let out = fx.write("model.toml", "keep me");
    expect_bad_input(
        &train_args(&data, &labels, &out),
        &["model.toml", "--force"],
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    let fresh = fx.path("fresh.toml");
    let short = fx.write("short.txt", "0\n1\n");
    expect_bad_input(
        &train_args(&data, &short, &fresh),
        &["short.txt", "2 labels for 80 examples"],
    );
    let bad = fx.write("bad.txt", &"x\n".repeat(80));
    expect_bad_input(&train_args(&data, &bad, &fresh), &["bad.txt", "line 1"]);
    let mut args = train_args(&data, &labels, &fresh);
    args[9] = "1,2,3"; // --epochs for two layers
    expect_bad_input(&args, &["--epochs", "3 values for 2 layers"]);
    let mut args = train_args(&data, &labels, &fresh);
    args[11] = "0"; // --learning-rate
    expect_bad_input(&args, &["layer 1", "learning_rate"]);
    let mut args = train_args(&data, &labels, &fresh);
    args.push("--resume");
    expect_bad_input(&args, &["fresh.toml.checkpoint", "--resume"]);
    let config = fx.write("greedy.toml", "seed = 1\nlayers = []\nmomentum = 3\n");
    expect_bad_input(
        &[
            "dbn",
            "train",
            "--data",
            arg(&data),
            "--config",
            arg(&config),
            "--out",
            arg(&fresh),
        ],
        &["greedy.toml", "momentum"],
    );
    assert!(!fresh.exists());
}

#[test]
fn sample_classify_and_features_write_what_they_promise() {
    let fx = Fixture::new();
    let (data, labels) = write_two_class_data(&fx);
    let model = fx.path("model.toml");
    run_json(&train_args(&data, &labels, &model));

    let samples = fx.path("samples.csv");
    let png = fx.path("samples.png");
    boltzmann()
        .args([
            "dbn",
            "sample",
            arg(&model),
            "--label",
            "1",
            "-n",
            "9",
            "--gibbs-steps",
            "20",
        ])
        .args(["--out", arg(&samples), "--png", arg(&png)])
        .assert()
        .success();
    let rows = datasets::read_csv(&samples).unwrap();
    assert_eq!(rows.dim(), (9, 16));
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    expect_bad_input(
        &[
            "dbn",
            "sample",
            arg(&model),
            "--label",
            "7",
            "--out",
            arg(&fx.path("s2.csv")),
        ],
        &["model.toml", "label 7"],
    );
    expect_bad_input(
        &["dbn", "sample", arg(&model), "--out", arg(&samples)],
        &["samples.csv", "--force"],
    );
    // A label gain (eq. 10.14): 1 is the net itself, other gains change the
    // samples, and a gain that is not a finite number > 0 is refused.
    let sample_with = |gain: Option<&str>, out: &Path| {
        let mut args = vec!["dbn", "sample", arg(&model), "--label", "1", "-n", "9"];
        args.extend(["--gibbs-steps", "20", "--out", arg(out)]);
        if let Some(g) = gain {
            args.extend(["--label-gain", g]);
        }
        boltzmann().args(&args).assert().success();
        std::fs::read(out).unwrap()
    };
    let plain = sample_with(None, &fx.path("plain.csv"));
    assert_eq!(sample_with(Some("1"), &fx.path("gain1.csv")), plain);
    assert_ne!(sample_with(Some("8"), &fx.path("gain8.csv")), plain);
    for gain in [
        "--label-gain=0",
        "--label-gain=-2",
        "--label-gain=inf",
        "--label-gain=NaN",
        "--label-gain=1e39",
    ] {
        expect_bad_input(
            &[
                "dbn",
                "sample",
                arg(&model),
                gain,
                "--out",
                arg(&fx.path("bad-gain.csv")),
            ],
            &["--label-gain", "finite number > 0"],
        );
    }
    // A gain beyond f32 is echoed as given, not as inf.
    let bad_gain = fx.path("bad-gain.csv");
    let args = [
        "dbn",
        "sample",
        arg(&model),
        "--label-gain=1e39",
        "--out",
        arg(&bad_gain),
    ];
    expect_bad_input(
        &args,
        &["--label-gain 1000000000000000000000000000000000000000"],
    );

    let predictions = fx.path("predictions.csv");
    let json = run_json(&classify_args(&model, &data, &labels, &predictions));
    let accuracy = json["accuracy"].as_f64().unwrap();
    let predicted = datasets::read_csv(&predictions).unwrap();
    let truth: Vec<f64> = (0..80).map(|n| (n % 2) as f64).collect();
    let correct = predicted
        .column(0)
        .iter()
        .zip(&truth)
        .filter(|(p, t)| p == t)
        .count();
    assert_eq!(accuracy, correct as f64 / 80.0);

    let features = fx.path("features.csv");
    boltzmann()
        .args([
            "dbn",
            "features",
            arg(&model),
            "--data",
            arg(&data),
            "--out",
            arg(&features),
        ])
        .assert()
        .success();
    assert_eq!(datasets::read_csv(&features).unwrap().dim(), (80, 8));
    let wide = fx.write("wide.csv", &data_csv(&[vec![0.0; 5]]));
    expect_bad_input(
        &[
            "dbn",
            "features",
            arg(&model),
            "--data",
            arg(&wide),
            "--out",
            arg(&fx.path("f2.csv")),
        ],
        &["wide.csv", "5 values"],
    );
}

#[test]
fn classify_uses_the_fine_tuned_classifier_table() {
    let fx = Fixture::new();
    let (data, labels) = write_two_class_data(&fx);
    let model = fx.path("model.toml");
    run_json(&train_args(&data, &labels, &model));
    let trained = std::fs::read_to_string(&model).unwrap();
    // A softmax layer that always says class 1: half of the examples.
    let zeros = format!("[{}]", vec!["0.0"; 16].join(", "));
    let always_one =
        format!("\n[[classifier.layers]]\nweights = [{zeros}, {zeros}]\nbias = [0.0, 5.0]\n");
    let tuned = fx.write("tuned.toml", &(trained.clone() + &always_one));
    let classify = |extra: &[&str]| {
        let mut args = vec![
            "dbn",
            "classify",
            arg(&tuned),
            "--data",
            arg(&data),
            "--labels",
            arg(&labels),
        ];
        args.extend(extra);
        run_json(&args)
    };
    let json = classify(&[]);
    assert_eq!(json["method"], "classifier");
    assert_eq!(json["accuracy"].as_f64(), Some(0.5));
    let json = classify(&["--free-energy"]);
    assert_eq!(json["method"], "free_energy");
    assert!(json["accuracy"].as_f64().unwrap() > 0.9, "{json}");

    let narrow = "\n[[classifier.layers]]\nweights = [[0.0, 1.0], [1.0, 0.0]]\nbias = [0.0, 0.0]\n";
    let bad = fx.write("bad.toml", &(trained + narrow));
    expect_bad_input(
        &["dbn", "classify", arg(&bad), "--data", arg(&data)],
        &["bad.toml", "classifier.layers[1].weights"],
    );
}

#[test]
fn ctrl_c_stops_at_the_next_checkpoint_and_resume_finishes_the_same_model() {
    let fx = Fixture::new();
    let (data, labels) = write_two_class_data(&fx);
    let args = |out: &Path| {
        let mut args: Vec<String> = train_args(&data, &labels, out)
            .into_iter()
            .map(String::from)
            .collect();
        args[9] = "300,300".into(); // --epochs: long enough to be interrupted
        args
    };
    let straight = fx.path("straight.toml");
    let interrupted = fx.path("interrupted.toml");
    let checkpoint = fx.path("interrupted.toml.checkpoint");
    let interrupted_args = args(&interrupted);
    let output = interrupt_when(
        &interrupted_args
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        || checkpoint.exists(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.starts_with("interrupted: ")
            && stderr.contains("interrupted.toml.checkpoint holds the state after epoch")
            && stderr.contains("--resume"),
        "{stderr}"
    );
    assert!(!interrupted.exists(), "no model before training ends");
    let mut resume = args(&interrupted);
    resume.push("--resume".into());
    boltzmann().args(&resume).assert().success();
    boltzmann().args(args(&straight)).assert().success();
    assert_eq!(
        std::fs::read(&straight).unwrap(),
        std::fs::read(&interrupted).unwrap()
    );
}

/// A 2-2-1 net without label units whose fine-tuned classifier has three
/// classes and always says class 2 (the bias of class 2 is 5).
const THREE_CLASS_NET: &str = r#"format = "dbn"
version = 1

[[layers]]
visible_bias = [0.0, 0.0]
hidden_bias = [0.0, 0.0]
weights = [[0.0, 0.0], [0.0, 0.0]]

[[layers]]
visible_bias = [0.0, 0.0]
hidden_bias = [0.0]
weights = [[0.0, 0.0]]

[[classifier.layers]]
weights = [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
bias = [0.0, 0.0, 5.0]
"#;

#[test]
fn classify_writes_every_class_and_refuses_labels_the_model_cannot_give() {
    let fx = Fixture::new();
    let model = fx.write("three.toml", THREE_CLASS_NET);
    let data = fx.write("data.csv", "0,1\n1,0\n1,1\n");
    let labels = fx.write("labels.txt", "2\n2\n0\n");
    let predictions = fx.path("predictions.csv");
    let json = run_json(&classify_args(&model, &data, &labels, &predictions));
    assert_eq!(json["accuracy"].as_f64(), Some(2.0 / 3.0), "{json}");
    assert_eq!(std::fs::read_to_string(&predictions).unwrap(), "2\n2\n2\n");

    let beyond = fx.write("beyond.txt", "2\n3\n0\n");
    expect_bad_input(
        &[
            "dbn",
            "classify",
            arg(&model),
            "--data",
            arg(&data),
            "--labels",
            arg(&beyond),
        ],
        &["beyond.txt", "label 3", "example 2", "classes 0 to 2"],
    );
    // With two label units, a classifier of three classes does not fit.
    let labelled = THREE_CLASS_NET.replace(
        "[[classifier.layers]]",
        "[labels]\nn_labels = 2\nbias = [0.0, 0.0]\nweights = [[0.0, 0.0]]\n\n[[classifier.layers]]",
    );
    let mismatched = fx.write("mismatched.toml", &labelled);
    expect_bad_input(
        &["dbn", "classify", arg(&mismatched), "--data", arg(&data)],
        &[
            "mismatched.toml",
            "classifier.layers[1].weights",
            "3 classes",
            "2 label units",
        ],
    );
    expect_bad_input(
        &["exact", arg(&mismatched)],
        &["mismatched.toml", "classifier.layers[1].weights"],
    );
}

#[test]
fn requests_too_large_for_memory_are_refused_before_allocating() {
    let fx = Fixture::new();
    let (data, labels) = write_two_class_data(&fx);
    let out = fx.path("huge.toml");
    let mut huge_layer = train_args(&data, &labels, &out);
    let at = huge_layer.iter().position(|a| *a == "6,8").unwrap();
    huge_layer[at] = "6,1000000000";
    expect_bad_input(&huge_layer, &["--layers", "GiB"]);
    assert!(!out.exists());

    let model = THREE_CLASS_NET;
    let model = fx.write("three.toml", model);
    let samples = fx.path("samples.csv");
    for (n, wanted) in [
        ("1000000000000", "GiB"),
        ("18446744073709551615", "GiB"),
        ("0", "-n 0"),
    ] {
        let args = [
            "dbn",
            "sample",
            arg(&model),
            "-n",
            n,
            "--out",
            arg(&samples),
        ];
        expect_bad_input(&args, &["-n", wanted]);
    }
    assert!(!samples.exists());
}

#[test]
fn one_file_cannot_be_two_outputs() {
    let fx = Fixture::new();
    let model = fx.write("three.toml", THREE_CLASS_NET);
    let both = fx.path("both.png");
    let same = fx.path("sub/../both.png");
    std::fs::create_dir(fx.path("sub")).unwrap();
    for force in [false, true] {
        let mut args = vec!["dbn", "sample", arg(&model), "-n", "4"];
        args.extend(["--out", arg(&both), "--png", arg(&same)]);
        if force {
            args.push("--force");
        }
        expect_bad_input(&args, &["both.png", "two of this command's outputs"]);
        assert!(!both.exists());
    }
}

#[test]
fn diverging_training_stops_naming_the_learning_rate_and_saves_nothing_infinite() {
    let fx = Fixture::new();
    let (data, labels) = write_two_class_data(&fx);
    let out = fx.path("diverged.toml");
    let mut args = train_args(&data, &labels, &out);
    let at = args.iter().position(|a| *a == "0.1").unwrap();
    args[at] = "1e30";
    expect_bad_input(&args, &["layer 1, epoch 1", "diverged", "--learning-rate"]);
    assert!(!out.exists());
    assert!(!fx.path("diverged.toml.checkpoint").exists());
}

#[test]
fn classify_and_features_read_the_split_asked_for() {
    let fx = Fixture::new();
    let zeros = format!("[{}]", vec!["0.0"; 784].join(", "));
    let net = format!(
        "format = \"dbn\"\nversion = 1\n\n[[layers]]\nvisible_bias = {zeros}\n\
         hidden_bias = [0.0, 0.0]\nweights = [{zeros}, {zeros}]\n\n[[layers]]\n\
         visible_bias = [0.0, 0.0]\nhidden_bias = [0.0]\nweights = [[0.0, 0.0]]\n"
    );
    let model = fx.write("flat.toml", &net);
    let mnist = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/mnist-10k");
    for (split, rows) in [("train", 8000), ("t10k", 2000)] {
        let out = fx.path(&format!("{split}.csv"));
        let args = [
            "dbn",
            "features",
            arg(&model),
            "--data",
            mnist,
            "--split",
            split,
        ];
        boltzmann()
            .args(args)
            .args(["--out", arg(&out)])
            .assert()
            .success();
        assert_eq!(datasets::read_csv(&out).unwrap().dim(), (rows, 1));
    }
    let csv = fx.write("one.csv", &data_csv(&[vec![0.0; 784]]));
    expect_bad_input(
        &[
            "dbn",
            "features",
            arg(&model),
            "--data",
            arg(&csv),
            "--split",
            "t10k",
            "--out",
            arg(&fx.path("from-csv.csv")),
        ],
        &["one.csv", "--split t10k", "IDX folder"],
    );
}

#[test]
fn diverging_fine_tuning_stops_naming_its_rate() {
    let fx = Fixture::new();
    let (data, labels) = write_two_class_data(&fx);
    let out = fx.path("tuned.toml");
    let mut args = train_args(&data, &labels, &out);
    args.extend(["--fine-tune-epochs", "3", "--fine-tune-rate", "1e30"]);
    expect_bad_input(
        &args,
        &["fine-tuning epoch", "diverged", "--fine-tune-rate"],
    );
    assert!(!out.exists());
}
