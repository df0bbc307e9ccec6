//! `boltzmann sample`: the CSV it writes, seeded reproducibility, the
//! distribution of its samples against bm-exact's exact p(v) (chi-square),
//! PNG grids, tempering swap rates and bad input.

mod common;

use common::*;
use statrs::distribution::{ChiSquared, ContinuousCDF};

fn read_samples(path: &std::path::Path) -> Vec<Vec<f64>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect()
}

/// Pearson's chi-square p-value of state counts against a probability table
/// (every expected count here is well above 5, which the test checks).
fn chi_square_p_value(samples: &[Vec<f64>], table: &[f64]) -> f64 {
    let mut counts = vec![0.0; table.len()];
    for row in samples {
        let state = row
            .iter()
            .enumerate()
            .fold(0, |s, (k, &x)| s | ((x as usize) << k));
        counts[state] += 1.0;
    }
    let n = samples.len() as f64;
    let statistic: f64 = counts
        .iter()
        .zip(table)
        .map(|(o, p)| {
            assert!(n * p >= 5.0, "expected count {} too small", n * p);
            (o - n * p).powi(2) / (n * p)
        })
        .sum();
    1.0 - ChiSquared::new((table.len() - 1) as f64)
        .unwrap()
        .cdf(statistic)
}

fn sample_to(fx: &Fixture, model: &str, out: &str, extra: &[&str]) -> Vec<Vec<f64>> {
    let path = fx.path(out);
    let mut args = vec!["sample", model, "--out", arg(&path), "--force"];
    args.extend(extra);
    let output = boltzmann().args(&args).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    read_samples(&path)
}

#[test]
fn csv_has_n_rows_of_binary_values_and_the_seed_fixes_it() {
    let fx = Fixture::new();
    let model = fx.write("m.toml", &small_rbm().to_toml());
    let a = sample_to(
        &fx,
        arg(&model),
        "a.csv",
        &["-n", "57", "--burn-in", "20", "--chains", "10"],
    );
    assert_eq!(a.len(), 57);
    assert!(a.iter().all(|r| r.len() == 3));
    assert!(a.iter().flatten().all(|&x| x == 0.0 || x == 1.0));
    let b = sample_to(
        &fx,
        arg(&model),
        "b.csv",
        &["-n", "57", "--burn-in", "20", "--chains", "10"],
    );
    assert_eq!(a, b, "same seed, same samples");
    let c = sample_to(
        &fx,
        arg(&model),
        "c.csv",
        &[
            "-n",
            "57",
            "--burn-in",
            "20",
            "--chains",
            "10",
            "--seed",
            "5",
        ],
    );
    assert_ne!(a, c, "another seed, other samples");
    // Without --out the CSV goes to stdout.
    let output = boltzmann()
        .args([
            "sample",
            arg(&model),
            "-n",
            "57",
            "--burn-in",
            "20",
            "--chains",
            "10",
        ])
        .output()
        .unwrap();
    let expected = std::fs::read_to_string(fx.path("a.csv")).unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

#[test]
fn gibbs_samples_follow_the_exact_distribution() {
    let fx = Fixture::new();
    let model = fx.write("m.toml", &small_rbm().to_toml());
    let table = bm_exact::Model::load(&model).unwrap();
    let bm_exact::Model::Rbm(exact) = table else {
        panic!("an RBM")
    };
    let p = exact.visible_distribution().unwrap().to_vec();
    let samples = sample_to(
        &fx,
        arg(&model),
        "s.csv",
        &["-n", "20000", "--burn-in", "50", "--every", "5"],
    );
    let p_value = chi_square_p_value(&samples, &p);
    assert!(p_value > 1e-3, "block Gibbs: chi-square p-value {p_value}");
    // Parallel tempering targets the same distribution at beta = 1.
    let tempered = sample_to(
        &fx,
        arg(&model),
        "t.csv",
        &[
            "-n",
            "20000",
            "--burn-in",
            "50",
            "--every",
            "5",
            "--tempering",
            "3:0.3",
        ],
    );
    let p_value = chi_square_p_value(&tempered, &p);
    assert!(p_value > 1e-3, "tempering: chi-square p-value {p_value}");
    // The control: the same test rejects samples of another model.
    let mut other = small_rbm();
    other.visible_bias[0] += 0.5;
    let other_path = fx.write("other.toml", &other.to_toml());
    let wrong = sample_to(
        &fx,
        arg(&other_path),
        "w.csv",
        &["-n", "20000", "--burn-in", "50", "--every", "5"],
    );
    let p_value = chi_square_p_value(&wrong, &p);
    assert!(
        p_value < 1e-6,
        "a shifted bias must be detected: p = {p_value}"
    );
}

#[test]
fn sequential_sweeps_of_a_general_machine_follow_its_exact_distribution() {
    let fx = Fixture::new();
    let model = fx.write("bm.toml", &small_bm().to_toml());
    let bm_exact::Model::Bm(bm) = bm_exact::Model::load(&model).unwrap() else {
        panic!("a general machine")
    };
    let p = bm.visible_distribution().unwrap().to_vec();
    let samples = sample_to(
        &fx,
        arg(&model),
        "s.csv",
        &["-n", "20000", "--burn-in", "50", "--every", "3"],
    );
    let p_value = chi_square_p_value(&samples, &p);
    assert!(
        p_value > 1e-3,
        "sequential Gibbs: chi-square p-value {p_value}"
    );
    let output = boltzmann()
        .args(["sample", arg(&model), "-n", "5", "--tempering", "3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("RBMs"));
}

#[test]
fn png_grid_for_a_square_model_and_an_error_otherwise() {
    let fx = Fixture::new();
    let nine = Machine {
        visible_bias: vec![0.2, -0.1, 0.0, 0.3, -0.4, 0.1, 0.0, 0.2, -0.3],
        hidden_bias: vec![0.1, -0.2],
        weights: vec![
            vec![1.0, 0.5, -0.5, 0.0, 0.2, 0.1, -0.3, 0.4, 0.0],
            vec![-0.2, 0.3, 0.6, -0.1, 0.0, 0.5, 0.2, -0.4, 0.1],
        ],
        visible_couplings: None,
        hidden_couplings: None,
    };
    let model = fx.write("nine.toml", &nine.to_toml());
    let png = fx.path("grid.png");
    let csv = fx.path("s.csv");
    boltzmann()
        .args(["sample", arg(&model), "-n", "10", "--burn-in", "5"])
        .args(["--out", arg(&csv), "--png", arg(&png)])
        .assert()
        .success();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    // 10 images of 3x3 in a grid of 4 columns and 3 rows, 1-pixel borders.
    let pad = datasets::image_grid::GRID_PADDING as u32;
    assert_eq!(info.width, 4 * (3 + pad) + pad);
    assert_eq!(info.height, 3 * (3 + pad) + pad);
    // Existing files are not replaced without --force.
    let output = boltzmann()
        .args(["sample", arg(&model), "-n", "10", "--png", arg(&png)])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));
    // Three visible units are not a square image.
    let three = fx.write("three.toml", &small_rbm().to_toml());
    let output = boltzmann()
        .args([
            "sample",
            arg(&three),
            "-n",
            "4",
            "--png",
            arg(&fx.path("x.png")),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("perfect") && stderr.contains("3 visible"),
        "{stderr}"
    );
    assert!(!fx.path("x.png").exists());
}

#[test]
fn tempering_reports_swap_rates() {
    let fx = Fixture::new();
    let model = fx.write("m.toml", &small_rbm().to_toml());
    let out = fx.path("s.csv");
    let json = run_json(&[
        "sample",
        arg(&model),
        "-n",
        "20",
        "--burn-in",
        "100",
        "--tempering",
        "4:0.25",
        "--out",
        arg(&out),
    ]);
    assert_eq!(json["sampler"], "parallel tempering");
    let ladder: Vec<f64> = serde_json::from_value(json["ladder"].clone()).unwrap();
    assert_eq!(ladder.len(), 4);
    assert_eq!(ladder[0], 1.0);
    assert!((ladder[3] - 0.25).abs() < 1e-12);
    let rates: Vec<f64> = serde_json::from_value(json["swap_rates"].clone()).unwrap();
    assert_eq!(rates.len(), 3);
    assert!(
        rates.iter().all(|r| (0.0..=1.0).contains(r) && *r > 0.0),
        "{rates:?}"
    );
    // The text output names the rates too (on stderr when samples go to stdout).
    let output = boltzmann()
        .args(["sample", arg(&model), "-n", "5", "--tempering", "1,0.5"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("swap acceptance rates"));
}

#[test]
fn bad_sampler_settings_exit_2() {
    let fx = Fixture::new();
    let model = fx.write("m.toml", &small_rbm().to_toml());
    let m = arg(&model);
    for (extra, wanted) in [
        (vec!["--chains", "0"], "--chains"),
        (vec!["--every", "0"], "--every"),
        (vec!["--tempering", "0.5,0.3"], "must be 1"),
        (vec!["--tempering", "1"], "at least 2"),
        (vec!["--tempering", "1."], "at least 2"),
        (vec!["--tempering", "1,0.5,0.7"], "decrease"),
        (vec!["--tempering", "0"], "n_temperatures"),
        (vec!["--tempering", "4:1.5"], "lowest_beta"),
        (vec!["--tempering", "fast"], "--tempering"),
    ] {
        let mut args = vec!["sample", m, "-n", "5"];
        args.extend(&extra);
        let output = boltzmann().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(wanted), "{extra:?}: {stderr}");
        assert!(output.stdout.is_empty(), "no samples for {extra:?}");
    }
    let output = boltzmann().args(["sample", m, "-n", "0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}
