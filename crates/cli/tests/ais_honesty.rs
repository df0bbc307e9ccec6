//! `logz --ais` and `score --ais` on a sharp model where plain AIS fails:
//! the output says UNRELIABLE (text and JSON), the bar never excludes the
//! hard lower bound, and no binary example gets log p(v) > 0.

mod common;

use common::*;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};

/// 16 visible and 10 hidden units, weights of standard deviation 6.
fn sharp_rbm() -> bm_exact::Rbm {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let normal = Normal::new(0.0, 6.0).unwrap();
    let mut draw = || normal.sample(&mut rng);
    bm_exact::Rbm::new(
        ndarray::Array1::from_shape_simple_fn(16, &mut draw),
        ndarray::Array1::from_shape_simple_fn(10, &mut draw),
        ndarray::Array2::from_shape_simple_fn((10, 16), &mut draw),
    )
    .unwrap()
}

#[test]
fn sharp_model_is_marked_unreliable_and_keeps_log_p_below_zero() {
    let fx = Fixture::new();
    let exact = sharp_rbm();
    let log_z = exact.log_partition().unwrap();
    let model = fx.path("sharp.toml");
    bm_exact::Model::Rbm(exact.clone())
        .save(&model, false)
        .unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let samples = exact.sample_visible(200, &mut rng).unwrap();
    let rows: Vec<Vec<f64>> = samples.rows().into_iter().map(|r| r.to_vec()).collect();
    let data = fx.write("samples.csv", &data_csv(&rows));
    let scores = fx.path("scores.csv");
    let ais = ["--ais", "--betas", "200", "--chains", "100"];
    let mut args = vec!["score", arg(&model), arg(&data), "--out", arg(&scores)];
    args.extend(ais);
    let report = run_json(&args);
    let z = &report["log_partition"];
    assert_eq!(z["unreliable"], true, "{z}");
    let low = z["log_partition_low"].as_f64().unwrap();
    let high = z["log_partition_high"].as_f64().unwrap();
    let bound = z["log_partition_lower_bound"].as_f64().unwrap();
    assert!(bound <= log_z && low >= bound, "{z}");
    assert!(low <= log_z && log_z <= high, "exact {log_z} outside {z}");
    let table = std::fs::read_to_string(&scores).unwrap();
    for line in table.lines().skip(1) {
        let log_p: f64 = line.rsplit(',').next().unwrap().parse().unwrap();
        assert!(log_p <= 0.0, "{line}");
    }
    // The text says so too, and so does logz without data.
    let mut args = vec!["logz", arg(&model)];
    args.extend(ais);
    let output = boltzmann().args(&args).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && text.contains("UNRELIABLE"),
        "{text}"
    );
}
