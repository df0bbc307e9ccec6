//! `boltzmann score`: free energies and log-probabilities against bm-exact,
//! the anomaly ordering, scores without log Z, and bad input.

mod common;

use common::*;

/// (free energy, log-probability or None) per line of a scores file.
fn read_scores(path: &std::path::Path) -> Vec<(f64, Option<f64>)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("index,free_energy,log_probability"));
    lines
        .enumerate()
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 3, "{line}");
            assert_eq!(fields[0], i.to_string());
            (fields[1].parse().unwrap(), fields[2].parse().ok())
        })
        .collect()
}

fn all_states(n: usize) -> Vec<Vec<f64>> {
    (0..1usize << n).map(|s| bits(s, n)).collect()
}

#[test]
fn log_probabilities_match_the_oracle() {
    let fx = Fixture::new();
    for (name, machine) in [("rbm.toml", small_rbm()), ("bm.toml", small_bm())] {
        let model = fx.write(name, &machine.to_toml());
        let data = fx.write("all.csv", &data_csv(&all_states(3)));
        let out = fx.path("scores.csv");
        let json = run_json(&[
            "score",
            arg(&model),
            arg(&data),
            "--out",
            arg(&out),
            "--force",
        ]);
        let oracle = bm_exact::Model::load(&model).unwrap();
        let log_z = oracle.log_partition().unwrap();
        let scores = read_scores(&out);
        let mut total = 0.0;
        for (v, (f, log_p)) in all_states(3).iter().zip(&scores) {
            let v = ndarray::Array1::from(v.clone());
            let free_energy = match &oracle {
                bm_exact::Model::Rbm(m) => m.free_energy(v.view()),
                bm_exact::Model::Bm(m) => m.free_energy(v.view()).unwrap(),
            };
            assert!(
                (f - free_energy).abs() <= 1e-9,
                "{name}: F {f} vs {free_energy}"
            );
            let log_p = log_p.expect("log Z is known for a tiny model");
            assert!((log_p - (-free_energy - log_z)).abs() <= 1e-9, "{name}");
            total += log_p.exp();
        }
        assert!((total - 1.0).abs() < 1e-9, "{name}: p(v) sums to {total}");
        assert_eq!(json["n_examples"], 8);
        assert_eq!(json["log_partition"]["method"], "exact");
        let mean = scores.iter().map(|s| s.1.unwrap()).sum::<f64>() / 8.0;
        assert_close(
            json["mean_log_probability"].as_f64().unwrap(),
            mean,
            1e-12,
            name,
        );
    }
}

#[test]
fn the_state_the_model_likes_has_the_lowest_free_energy() {
    let fx = Fixture::new();
    let machine = small_rbm();
    let model = fx.write("m.toml", &machine.to_toml());
    let bm_exact::Model::Rbm(rbm) = bm_exact::Model::load(&model).unwrap() else {
        panic!("an RBM")
    };
    let p = rbm.visible_distribution().unwrap();
    let likes = (0..8).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
    let flipped = likes ^ 0b111;
    let data = fx.write("pair.csv", &data_csv(&[bits(likes, 3), bits(flipped, 3)]));
    let out = fx.path("scores.csv");
    boltzmann()
        .args(["score", arg(&model), arg(&data), "--out", arg(&out)])
        .assert()
        .success();
    let scores = read_scores(&out);
    let (f_likes, f_flipped) = (scores[0].0, scores[1].0);
    // The computed values, not only their order: F from the brute force.
    assert_close(
        f_likes,
        -machine.brute_log_unnormalized(&bits(likes, 3)),
        1e-9,
        "F",
    );
    assert_close(
        f_flipped,
        -machine.brute_log_unnormalized(&bits(flipped, 3)),
        1e-9,
        "F",
    );
    assert!(
        f_likes < f_flipped,
        "the most probable state {likes:03b} (p = {:.4}) must score lower than its flip \
         {flipped:03b} (p = {:.4}): {f_likes} vs {f_flipped}",
        p[likes],
        p[flipped]
    );
    // log p(v) - log p(v') = F(v') - F(v): the order of F is the order of p.
    let ratio = (p[likes] / p[flipped]).ln();
    assert_close(f_flipped - f_likes, ratio, 1e-9, "free-energy difference");
}

#[test]
fn without_log_z_only_free_energies_are_written() {
    let fx = Fixture::new();
    // 784 x 40, zero weights and hidden bias, visible bias -1: F(v) =
    // sum_j v_j - 40 ln 2, and 2^40 states are too many to enumerate.
    let text = format!(
        "format = \"rbm\"\nversion = 1\nvisible_bias = {:?}\nhidden_bias = {:?}\nweights = {:?}\n",
        vec![-1.0; 784],
        vec![0.0; 40],
        vec![vec![0.0; 784]; 40]
    );
    let model = fx.write("large.toml", &text);
    let rows: Vec<Vec<f64>> = (0..3)
        .map(|k| (0..784).map(|j| f64::from(j < k * 10)).collect())
        .collect();
    let data = fx.write("d.csv", &data_csv(&rows));
    let out = fx.path("scores.csv");
    let json = run_json(&["score", arg(&model), arg(&data), "--out", arg(&out)]);
    assert!(json["mean_log_probability"].is_null());
    assert!(json["log_partition"].is_null());
    for (k, (f, log_p)) in read_scores(&out).into_iter().enumerate() {
        let want = (k * 10) as f64 - 40.0 * std::f64::consts::LN_2;
        assert!((f - want).abs() < 1e-9, "F {f} vs {want}");
        assert_eq!(log_p, None);
    }
    // --exact is refused with the number of states; --ais gives log p.
    let output = boltzmann()
        .args(["score", arg(&model), arg(&data), "--exact"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("2^40"));
    let json = run_json(&[
        "score",
        arg(&model),
        arg(&data),
        "--ais",
        "--betas",
        "1000",
        "--chains",
        "20",
        "--out",
        arg(&out),
        "--force",
    ]);
    let z = &json["log_partition"];
    assert_eq!(z["method"], "ais");
    let log_z = z["log_partition"].as_f64().unwrap();
    let closed_form = 40.0 * std::f64::consts::LN_2 + 784.0 * (1.0 + (-1f64).exp()).ln();
    let (low, high) = (
        z["log_partition_low"].as_f64().unwrap(),
        z["log_partition_high"].as_f64().unwrap(),
    );
    assert!(
        low <= closed_form && closed_form <= high,
        "log Z = {closed_form} outside the AIS bar [{low}, {high}] (estimate {log_z})"
    );
    for (f, log_p) in read_scores(&out) {
        assert_close(log_p.unwrap(), -f - log_z, 1e-12, "log p = -F - log Z");
    }
}

#[test]
fn bad_score_input_exits_2() {
    let fx = Fixture::new();
    let model = fx.write("m.toml", &small_rbm().to_toml());
    let grey = fx.write("grey.csv", "0.5,1,0\n");
    let wide = fx.write("wide.csv", "1,0,1,0\n");
    let out = fx.write("taken.csv", "keep me\n");
    for (args, wanted) in [
        (vec!["score", arg(&model), arg(&grey)], "--threshold"),
        (vec!["score", arg(&model), arg(&wide)], "visible units"),
        (
            vec![
                "score",
                arg(&model),
                arg(&grey),
                "--threshold",
                "0.5",
                "--out",
                arg(&out),
            ],
            "already exists",
        ),
        (
            vec!["score", arg(&model), arg(&grey), "--threshold", "2"],
            "--threshold",
        ),
        (
            vec!["score", arg(&model), arg(&grey), "--ais", "--chains", "0"],
            "--chains",
        ),
    ] {
        let output = boltzmann().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(wanted), "{args:?}: {stderr}");
    }
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");
    // Binarised intensities score like the binary row.
    let json = run_json(&[
        "score",
        arg(&model),
        arg(&grey),
        "--threshold",
        "0.5",
        "--out",
        arg(&fx.path("s.csv")),
    ]);
    assert_eq!(json["n_examples"], 1);
}
