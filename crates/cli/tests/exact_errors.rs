//! Bad input: exit code 2 and one line on stderr that names the file.

mod common;

use std::time::{Duration, Instant};

use common::*;

const RBM_HEAD: &str = "format = \"rbm\"\nversion = 1\n";

#[test]
fn bad_model_files_name_the_file_and_the_field() {
    let fx = Fixture::new();
    let cases: [(&str, String, &[&str]); 9] = [
        (
            "syntax.toml",
            format!("{RBM_HEAD}visible_bias = [0.1\n"),
            &["TOML parse error at line 3"],
        ),
        (
            "unknown.toml",
            format!("{RBM_HEAD}visible_bias = [0.1]\nhidden_bias = [0.0]\nweights = [[0.1]]\nbias = 1\n"),
            &["unknown field `bias`"],
        ),
        (
            "missing.toml",
            format!("{RBM_HEAD}visible_bias = [0.1]\nhidden_bias = [0.0]\n"),
            &["missing field `weights`"],
        ),
        (
            "shape.toml",
            format!("{RBM_HEAD}visible_bias = [0.1, 0.2]\nhidden_bias = [0.0]\nweights = [[0.1]]\n"),
            &["weights"],
        ),
        (
            "rows.toml",
            format!("{RBM_HEAD}visible_bias = [0.1]\nhidden_bias = [0.0, 0.0]\nweights = [[0.1]]\n"),
            &["weights", "2 rows"],
        ),
        (
            "nan.toml",
            format!("{RBM_HEAD}visible_bias = [0.1, nan]\nhidden_bias = [0.0]\nweights = [[0.1, 0.2]]\n"),
            &["visible_bias", "NaN"],
        ),
        (
            "asymmetric.toml",
            "format = \"bm\"\nversion = 1\nvisible_bias = [0.1, 0.2]\nhidden_bias = [0.0]\n\
             weights = [[0.1, 0.2]]\nvisible_couplings = [[0.0, 0.5], [0.4, 0.0]]\n"
                .to_string(),
            &["visible_couplings", "not symmetric"],
        ),
        (
            "diagonal.toml",
            "format = \"bm\"\nversion = 1\nvisible_bias = [0.1]\nhidden_bias = [0.0, 0.0]\n\
             weights = [[0.1], [0.2]]\nhidden_couplings = [[0.3, 0.0], [0.0, 0.0]]\n"
                .to_string(),
            &["hidden_couplings", "diagonal"],
        ),
        (
            "format.toml",
            "format = \"dbn\"\nversion = 1\nvisible_bias = [0.1]\nhidden_bias = [0.0]\nweights = [[0.1]]\n"
                .to_string(),
            &["format", "dbn"],
        ),
    ];
    for (name, text, wanted) in cases {
        let path = fx.write(name, &text);
        let message = expect_bad_input(&["exact", arg(&path)], wanted);
        assert!(
            message.starts_with(&format!("error: {}: ", arg(&path))),
            "{message}"
        );
    }
}

#[test]
fn missing_files_are_bad_input() {
    let fx = Fixture::new();
    let model = fx.path("no-model.toml");
    expect_bad_input(&["exact", arg(&model)], &[arg(&model)]);
    let model = fx.write("model.toml", &small_rbm().to_toml());
    let data = fx.path("no-data.csv");
    expect_bad_input(&["exact", arg(&model), "--data", arg(&data)], &[arg(&data)]);
}

#[test]
fn bad_data_files_name_the_file_line_and_column() {
    let fx = Fixture::new();
    let model = fx.write("model.toml", &small_rbm().to_toml());
    let cases: [(&str, &str, &[&str]); 6] = [
        (
            "half.csv",
            "1,0,1\n0,0.5,1\n",
            &["line 2, column 2: value 0.5 is not 0 or 1"],
        ),
        (
            "word.csv",
            "1,0,1\n0,x,1\n",
            &["line 2, column 2: value x is not 0 or 1"],
        ),
        (
            "ragged.csv",
            "1,0,1\n0,1\n",
            &["line 2 has 2 values but line 1 has 3"],
        ),
        ("empty.csv", "", &["no examples"]),
        (
            "header.csv",
            "a,b,c\n1,0,1\n",
            &["line 1, column 1", "no header"],
        ),
        (
            "wide.csv",
            "1,0,1,1\n0,1,0,0\n",
            &["4 values", "3 visible units", arg(&model)],
        ),
    ];
    for (name, text, wanted) in cases {
        let data = fx.write(name, text);
        let message = expect_bad_input(&["exact", arg(&model), "--data", arg(&data)], wanted);
        assert!(
            message.starts_with(&format!("error: {}: ", arg(&data))),
            "{message}"
        );
    }
}

#[test]
fn cd_on_a_general_machine_is_refused() {
    let fx = Fixture::new();
    let model = fx.write("bm.toml", &small_bm().to_toml());
    let data = fx.write("data.csv", &data_csv(&small_data()));
    let out = fx.path("cd.toml");
    expect_bad_input(
        &[
            "exact",
            arg(&model),
            "--data",
            arg(&data),
            "--gradient",
            arg(&out),
            "--cd",
            "1",
        ],
        &[arg(&model), "--cd", "RBM"],
    );
    assert!(!out.exists());
}

#[test]
fn usage_errors_exit_2_on_one_line() {
    let fx = Fixture::new();
    let model = fx.write("model.toml", &small_rbm().to_toml());
    let data = fx.write("data.csv", &data_csv(&small_data()));
    let out = fx.path("g.toml");
    let m = arg(&model);
    expect_bad_input(&["exact", m, "--gradient", arg(&out)], &["--data"]);
    expect_bad_input(
        &["exact", m, "--data", arg(&data), "--cd", "2"],
        &["--gradient"],
    );
    expect_bad_input(
        &[
            "exact",
            m,
            "--data",
            arg(&data),
            "--gradient",
            arg(&out),
            "--cd",
            "0",
        ],
        &["--cd"],
    );
    expect_bad_input(&["exact"], &["MODEL.toml"]);
    expect_bad_input(&["exact", m, "--no-such-flag"], &["--no-such-flag"]);
    assert!(!out.exists());
}

#[test]
fn existing_output_is_refused_before_any_work() {
    let fx = Fixture::new();
    // Too large to enumerate: refusing the output first shows it is checked first.
    let model = fx.write("big.toml", &zero_rbm(31, 31));
    let data = fx.write("data.csv", &data_csv(&[vec![0.0; 31]]));
    let out = fx.write("grad.toml", "keep me\n");
    expect_bad_input(
        &[
            "exact",
            arg(&model),
            "--data",
            arg(&data),
            "--gradient",
            arg(&out),
        ],
        &[arg(&out), "already exists", "--force"],
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");
    let nowhere = fx.path("no/such/folder/grad.toml");
    expect_bad_input(
        &[
            "exact",
            arg(&model),
            "--data",
            arg(&data),
            "--gradient",
            arg(&nowhere),
        ],
        &[arg(&nowhere), "does not exist"],
    );
}

/// An RBM with every parameter zero.
fn zero_rbm(n_visible: usize, n_hidden: usize) -> String {
    Machine {
        visible_bias: vec![0.0; n_visible],
        hidden_bias: vec![0.0; n_hidden],
        weights: vec![vec![0.0; n_visible]; n_hidden],
        visible_couplings: None,
        hidden_couplings: None,
    }
    .to_toml()
}

/// A general machine with every parameter zero.
fn zero_bm(n_visible: usize, n_hidden: usize) -> String {
    Machine {
        visible_bias: vec![0.0; n_visible],
        hidden_bias: vec![0.0; n_hidden],
        weights: vec![vec![0.0; n_visible]; n_hidden],
        visible_couplings: Some(vec![vec![0.0; n_visible]; n_visible]),
        hidden_couplings: Some(vec![vec![0.0; n_hidden]; n_hidden]),
    }
    .to_toml()
}

#[test]
fn too_large_models_are_refused_quickly_with_advice_for_the_model() {
    let fx = Fixture::new();
    let rbm = fx.write("rbm-31x31.toml", &zero_rbm(31, 31));
    let bm = fx.write("bm-31.toml", &zero_bm(20, 11));
    let data = fx.write("data.csv", &data_csv(&[vec![0.0; 31]]));
    // AIS is suggested for RBMs only: `logz --ais` refuses general machines.
    for (model, states, advice) in [(&rbm, "2^31", "AIS"), (&bm, "2^31", "smaller model")] {
        let start = Instant::now();
        let message = expect_bad_input(&["exact", arg(model)], &[arg(model), states, advice]);
        assert_eq!(message.contains("AIS"), advice == "AIS", "{message}");
        expect_bad_input(
            &["exact", arg(model), "--data", arg(&data)],
            &[arg(model), advice],
        );
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }
}

#[test]
fn gradients_too_large_for_a_table_are_refused_before_log_z() {
    let fx = Fixture::new();
    // log Z of 25 units is allowed, but the gradient of a general machine
    // and the expected CD-k update need tables of at most 2^22 entries.
    let bm = fx.write("bm.toml", &zero_bm(15, 10));
    let rbm = fx.write("rbm.toml", &zero_rbm(15, 10));
    let data = fx.write("data.csv", &data_csv(&[vec![1.0; 15]]));
    let out = fx.path("g.toml");
    let start = Instant::now();
    let g = arg(&out);
    expect_bad_input(
        &["exact", arg(&bm), "--data", arg(&data), "--gradient", g],
        &[arg(&bm), "2^25"],
    );
    expect_bad_input(
        &[
            "exact",
            arg(&rbm),
            "--data",
            arg(&data),
            "--gradient",
            g,
            "--cd",
            "1",
        ],
        &[arg(&rbm), "CD-k", "2^25"],
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert!(!out.exists());
}
