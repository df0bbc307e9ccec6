//! `boltzmann ebm`: MALA samples of model files against quadrature, bad
//! input, overwriting, scores, and train/resume.

mod common;

use std::path::Path;

use common::boltzmann;
use ebm_langevin::oracle::{Grid2d, cell_counts, chi_square, integrated_cell_probabilities};
use ebm_langevin::{Activation, Layer, Mlp};
use ndarray::{Array2, array};

/// A confining softplus energy 2-6-1.
fn softplus_model() -> Mlp<f64> {
    Mlp {
        activation: Activation::Softplus,
        layers: vec![
            Layer {
                weights: array![
                    [3.0, 0.0],
                    [-3.0, 0.0],
                    [0.0, 3.0],
                    [0.0, -3.0],
                    [2.0, 2.0],
                    [-1.0, 2.0]
                ],
                bias: array![-1.0, 0.0, 1.0, -2.0, 0.0, 0.5],
            },
            Layer {
                weights: array![[1.0, 1.0, 1.0, 1.0, 0.5, 0.8]],
                bias: array![0.0],
            },
        ],
    }
}

/// A confining swish energy 2-8-3-1 with two modes.
fn swish_model() -> Mlp<f64> {
    Mlp {
        activation: Activation::Swish,
        layers: vec![
            Layer {
                weights: array![
                    [2.0, 0.0],
                    [-2.0, 0.0],
                    [0.0, 2.0],
                    [0.0, -2.0],
                    [1.5, 1.5],
                    [-1.5, 1.5],
                    [1.0, -1.0],
                    [-1.0, -1.0]
                ],
                bias: array![-2.0, -2.0, -1.0, -1.0, 0.3, -0.2, 0.1, 0.0],
            },
            Layer {
                weights: array![
                    [1.0, 1.0, 0.2, 0.2, 0.0, 0.0, 0.0, 0.0],
                    [0.0, 0.0, 1.0, 1.0, 0.3, 0.3, 0.0, 0.0],
                    [0.1, 0.0, 0.0, 0.1, 0.0, 0.0, 0.5, 0.5]
                ],
                bias: array![-0.5, 0.0, 0.2],
            },
            Layer {
                weights: array![[1.0, 1.2, 0.8]],
                bias: array![0.3],
            },
        ],
    }
}

fn write_model(dir: &Path, name: &str, model: &Mlp<f64>) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, model.to_toml()).unwrap();
    path
}

fn read_samples(path: &Path) -> Array2<f64> {
    datasets::read_real_csv(path).unwrap()
}

/// The chi-square p-value of samples on an 8 x 8 grid against quadrature.
fn p_value(model: &Mlp<f64>, samples: &Array2<f64>) -> f64 {
    let grid = Grid2d {
        half_width: 4.0,
        n: 8,
    };
    let p = integrated_cell_probabilities(model, grid, 32);
    let (counts, outside) = cell_counts(samples.view(), grid);
    chi_square(&counts, outside, p.as_slice().unwrap()).1
}

#[test]
fn mala_samples_of_model_files_pass_against_quadrature() {
    let dir = tempfile::tempdir().unwrap();
    for (name, model) in [
        ("softplus.toml", softplus_model()),
        ("swish.toml", swish_model()),
    ] {
        let path = write_model(dir.path(), name, &model);
        let out = dir.path().join(format!("{name}.csv"));
        let output = boltzmann()
            .args(["ebm", "sample"])
            .arg(&path)
            .args([
                "--sampler",
                "mala",
                "-n",
                "3000",
                "--steps",
                "600",
                "--json",
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let rate = report["acceptance_rate"].as_f64().unwrap();
        assert!((0.3..0.9).contains(&rate), "{name}: acceptance {rate}");
        let samples = read_samples(&out);
        assert_eq!(samples.dim(), (3000, 2));
        let p = p_value(&model, &samples);
        assert!(p > 1e-3, "{name}: p = {p}");
        // The same test rejects samples of the wrong model (the two files swapped).
        let other = if name == "swish.toml" {
            softplus_model()
        } else {
            swish_model()
        };
        assert!(
            p_value(&other, &samples) < 1e-10,
            "{name}: the test cannot fail"
        );
    }
}

#[test]
fn same_seed_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_model(dir.path(), "m.toml", &softplus_model());
    let run = |out: &str| {
        boltzmann()
            .args(["ebm", "sample"])
            .arg(&path)
            .args(["-n", "50", "--steps", "40", "--seed", "7", "--out"])
            .arg(dir.path().join(out))
            .assert()
            .success();
        std::fs::read(dir.path().join(out)).unwrap()
    };
    assert_eq!(run("a.csv"), run("b.csv"));
}

/// ula at a small step and annealed (cooling from T = 10, then ULA at
/// T = 1) pass the same test; ula at --temperature 0.5 (noise sqrt(eps)
/// instead of sqrt(2 eps)) fails it.
#[test]
fn ula_and_annealed_samples_pass_and_a_cold_ula_fails() {
    let dir = tempfile::tempdir().unwrap();
    let model = swish_model();
    let path = write_model(dir.path(), "swish.toml", &model);
    for (sampler, temperature, passes) in [
        ("ula", "1", true),
        ("annealed", "1", true),
        ("ula", "0.5", false),
    ] {
        let out = dir.path().join(format!("{sampler}-{temperature}.csv"));
        boltzmann()
            .args(["ebm", "sample"])
            .arg(&path)
            .args(["--sampler", sampler, "--temperature", temperature])
            .args(["-n", "3000", "--steps", "1500", "--step-size", "0.003"])
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let p = p_value(&model, &read_samples(&out));
        if passes {
            assert!(p > 1e-3, "{sampler}: p = {p}");
        } else {
            assert!(p < 1e-10, "{sampler} at T = 1/2 passed: p = {p}");
        }
    }
}

/// Every sampler gives the same bytes on one thread and on two (150
/// chains: three chunks of the fast path).
#[test]
fn same_bytes_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_model(dir.path(), "m.toml", &swish_model());
    for sampler in ["ula", "mala", "annealed"] {
        let run = |threads: &str| {
            let out = dir.path().join(format!("{sampler}-{threads}.csv"));
            boltzmann()
                .env("RAYON_NUM_THREADS", threads)
                .args(["ebm", "sample"])
                .arg(&path)
                .args(["--sampler", sampler, "-n", "150", "--steps", "40"])
                .arg("--out")
                .arg(&out)
                .assert()
                .success();
            std::fs::read(&out).unwrap()
        };
        assert_eq!(run("1"), run("2"), "{sampler}");
    }
}

#[test]
fn bad_input_exits_2_naming_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let text = softplus_model().to_toml().replace("softplus", "relu");
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, text).unwrap();
    let output = boltzmann()
        .args(["ebm", "sample"])
        .arg(&path)
        .args(["-n", "5", "--out"])
        .arg(dir.path().join("s.csv"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("field `activation`"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn outputs_are_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_model(dir.path(), "m.toml", &softplus_model());
    let out = dir.path().join("s.csv");
    std::fs::write(&out, "keep\n").unwrap();
    let output = boltzmann()
        .args(["ebm", "sample"])
        .arg(&path)
        .args(["-n", "5", "--steps", "4", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep\n");
    boltzmann()
        .args(["ebm", "sample"])
        .arg(&path)
        .args(["-n", "5", "--steps", "4", "--force", "--out"])
        .arg(&out)
        .assert()
        .success();
}

#[test]
fn score_reports_log_probabilities_in_two_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    let model = softplus_model();
    let path = write_model(dir.path(), "m.toml", &model);
    let data = dir.path().join("x.csv");
    std::fs::write(&data, "0.5,-0.25\n-1,2\n").unwrap();
    let out = dir.path().join("scores.csv");
    let output = boltzmann()
        .args(["ebm", "score"])
        .arg(&path)
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let log_z = report["log_partition"]["value"].as_f64().unwrap();
    let exact = ebm_langevin::oracle::log_partition(
        &model,
        Grid2d {
            half_width: 6.0,
            n: 256,
        },
    )
    .value;
    assert_eq!(log_z, exact);
    let table = std::fs::read_to_string(&out).unwrap();
    let second: Vec<f64> = table
        .lines()
        .nth(2)
        .unwrap()
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    let e = model.energies(array![[-1.0, 2.0]].view())[0];
    assert_eq!(second[1], e);
    assert!((second[2] - (-e - log_z)).abs() < 1e-12);
    // A width mismatch is bad input.
    std::fs::write(&data, "1,2,3\n").unwrap();
    let output = boltzmann()
        .args(["ebm", "score"])
        .arg(&path)
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn train_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    let rows: Vec<String> = (0..200)
        .map(|i| format!("{},{}", (i as f64 * 0.37).sin(), (i as f64 * 0.11).cos()))
        .collect();
    std::fs::write(&data, rows.join("\n") + "\n").unwrap();
    let train = |out: &str, iterations: &str, extra: &[&str]| {
        boltzmann()
            .args(["ebm", "train", "--data"])
            .arg(&data)
            .args([
                "--hidden",
                "8",
                "--learning-rate",
                "0.01",
                "--checkpoint-every",
                "5",
                "--iterations",
                iterations,
                "--out",
            ])
            .arg(dir.path().join(out))
            .args(extra)
            .assert()
            .success();
    };
    train("whole.toml", "20", &[]);
    train("part.toml", "10", &[]);
    train("part.toml", "20", &["--resume", "--force"]);
    let whole = std::fs::read(dir.path().join("whole.toml")).unwrap();
    assert_eq!(whole, std::fs::read(dir.path().join("part.toml")).unwrap());
    // A configuration with an unknown field is refused, naming it.
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "learning_rat = 0.1\n").unwrap();
    let output = boltzmann()
        .args(["ebm", "train", "--data"])
        .arg(&data)
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("x.toml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("c.toml") && err.contains("learning_rat"),
        "{err}"
    );
}

/// A divergence after a resume: checkpoints every 30 iterations, snapshots
/// every 25, and a learning rate and energy limit that make iteration 32
/// diverge. Resumed from the checkpoint at 30, the run rolls back to 25 as
/// the uninterrupted one does (the snapshot is in the checkpoint) and ends
/// in the same bytes. (Before the snapshot was saved, the resumed run
/// rolled back to 30 and ended elsewhere.)
#[test]
fn train_resumed_before_a_divergence_ends_in_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    let rows: Vec<String> = (0..200)
        .map(|i| format!("{},{}", (i as f64 * 0.37).sin(), (i as f64 * 0.11).cos()))
        .collect();
    std::fs::write(&data, rows.join("\n") + "\n").unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "max_abs_energy = 10\n").unwrap();
    let train = |out: &str, iterations: &str, extra: &[&str]| {
        let output = boltzmann()
            .args(["ebm", "train", "--data"])
            .arg(&data)
            .arg("--config")
            .arg(&config)
            .args(["--hidden", "8", "--learning-rate", "0.2"])
            .args(["--checkpoint-every", "30", "--iterations", iterations])
            .args(["--json", "--out"])
            .arg(dir.path().join(out))
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success());
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        report["divergences"].as_array().unwrap().clone()
    };
    let events = train("whole.toml", "90", &[]);
    assert!(
        events
            .iter()
            .any(|e| e["iteration"].as_u64() > Some(30) && e["rolled_back_to"] == 25),
        "no divergence after iteration 30: {events:?}"
    );
    train("part.toml", "30", &[]);
    let resumed = train("part.toml", "90", &["--resume", "--force"]);
    assert_eq!(resumed, events);
    let whole = std::fs::read(dir.path().join("whole.toml")).unwrap();
    assert_eq!(whole, std::fs::read(dir.path().join("part.toml")).unwrap());
}

/// d = 1 and d = 3: the same command; in 1-D the samples' left-of-zero
/// fraction agrees with quadrature, in 3-D the samples are finite and the
/// model's symmetry shows in their mean.
#[test]
fn sample_and_score_in_one_and_three_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    // E(x) = softplus(2x - 1) + softplus(-2x - 1) + 0.5 softplus(x): confining.
    let one = Mlp {
        activation: Activation::Softplus,
        layers: vec![
            Layer {
                weights: array![[2.0], [-2.0], [1.0]],
                bias: array![-1.0, -1.0, 0.0],
            },
            Layer {
                weights: array![[1.0, 1.0, 0.5]],
                bias: array![0.0],
            },
        ],
    };
    let path = write_model(dir.path(), "one.toml", &one);
    let out = dir.path().join("one.csv");
    boltzmann()
        .args(["ebm", "sample"])
        .arg(&path)
        .args(["-n", "4000", "--steps", "400", "--out"])
        .arg(&out)
        .assert()
        .success();
    let x = read_samples(&out);
    let left = x.column(0).iter().filter(|&&v| v < 0.0).count() as f64 / 4000.0;
    let h = 0.001;
    let grid = Array2::from_shape_fn((20_000, 1), |(i, _)| -10.0 + (i as f64 + 0.5) * h);
    let weights = one.energies(grid.view()).mapv(|e| (-e).exp());
    let exact = weights.iter().take(10_000).sum::<f64>() / weights.sum();
    // Binomial standard error sqrt(p (1 - p) / 4000) < 0.008: four of them.
    assert!((left - exact).abs() < 0.032, "{left} vs {exact}");
    let scores = dir.path().join("scores.csv");
    boltzmann()
        .args(["ebm", "score"])
        .arg(&path)
        .arg(&out)
        .arg("--out")
        .arg(&scores)
        .assert()
        .success();

    let three = Mlp {
        activation: Activation::Swish,
        layers: vec![
            Layer {
                weights: array![
                    [2.0, 0.0, 0.0],
                    [-2.0, 0.0, 0.0],
                    [0.0, 2.0, 0.0],
                    [0.0, -2.0, 0.0],
                    [0.0, 0.0, 2.0],
                    [0.0, 0.0, -2.0]
                ],
                bias: array![0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            },
            Layer {
                weights: array![[1.0, 1.0, 1.0, 1.0, 1.0, 1.0]],
                bias: array![0.0],
            },
        ],
    };
    let path = write_model(dir.path(), "three.toml", &three);
    let out = dir.path().join("three.csv");
    boltzmann()
        .args(["ebm", "sample"])
        .arg(&path)
        .args(["-n", "2000", "--steps", "400", "--out"])
        .arg(&out)
        .assert()
        .success();
    let x = read_samples(&out);
    assert_eq!(x.ncols(), 3);
    for mean in x.mean_axis(ndarray::Axis(0)).unwrap() {
        assert!(mean.abs() < 0.1, "{mean}");
    }
    // No log Z in 3-D: the score table leaves the column empty.
    let output = boltzmann()
        .args(["ebm", "score"])
        .arg(&path)
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .ends_with(',')
    );
}

/// Ctrl-C (SIGINT) stops `ebm train` at its next checkpoint with status 130
/// and a one-line message, writes no model, and `--resume` from that
/// checkpoint ends with the bytes of an uninterrupted run.
#[test]
fn ctrl_c_stops_at_a_checkpoint_and_resume_equals_an_uninterrupted_run() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    let rows: Vec<String> = (0..100)
        .map(|i| format!("{},{}", (i as f64 * 0.37).sin(), (i as f64 * 0.11).cos()))
        .collect();
    std::fs::write(&data, rows.join("\n") + "\n").unwrap();
    let args = |out: &str, iterations: &str| -> Vec<String> {
        let mut a: Vec<String> = ["ebm", "train", "--data"].map(String::from).to_vec();
        a.push(data.display().to_string());
        for x in [
            "--hidden",
            "8",
            "--learning-rate",
            "0.01",
            "--checkpoint-every",
            "25",
        ] {
            a.push(x.into());
        }
        a.extend(["--iterations".into(), iterations.into(), "--out".into()]);
        a.push(dir.path().join(out).display().to_string());
        a
    };
    let checkpoint = dir.path().join("part.toml.checkpoint");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("boltzmann"))
        .args(args("part.toml", "100000000"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !checkpoint.exists() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // A run that ignored the flag would go on for hours: give it a minute.
    let mut child = child;
    let signalled = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if signalled.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("still running a minute after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("interrupted") && stderr.contains("--resume"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("part.toml").exists(),
        "a model before the end"
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&checkpoint).unwrap()).unwrap();
    let stopped_at = saved["state"]["iteration"].as_u64().unwrap();
    assert!(
        stopped_at > 0 && stopped_at.is_multiple_of(25),
        "{stopped_at}"
    );
    // Resume to 25 iterations past the stop, and run the same uninterrupted.
    let total = (stopped_at + 25).to_string();
    let mut resume = args("part.toml", &total);
    resume.push("--resume".into());
    boltzmann().args(&resume).assert().success();
    boltzmann()
        .args(args("whole.toml", &total))
        .assert()
        .success();
    assert_eq!(
        std::fs::read(dir.path().join("whole.toml")).unwrap(),
        std::fs::read(dir.path().join("part.toml")).unwrap()
    );
}

/// The exit status and the one line of stderr of a command that must fail
/// as bad input.
fn refused(args: &[&std::ffi::OsStr]) -> String {
    let output = boltzmann().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// The checkpoint is an output like the model: never an input, never
/// replaced unasked; a resumed checkpoint is checked before it is used
/// (too few iterations asked, a short or negative optimiser state), and
/// requests too large for memory or time are refused naming the flag.
#[test]
fn train_protects_and_checks_its_checkpoint_and_large_requests_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    let rows: Vec<String> = (0..50)
        .map(|i| format!("{},{}", (i as f64 * 0.37).sin(), (i as f64 * 0.11).cos()))
        .collect();
    let text = rows.join("\n") + "\n";
    std::fs::write(p("d.csv.checkpoint"), &text).unwrap();
    let os = |s: &str| std::ffi::OsString::from(s);
    let train = |data: &str, out: &str, extra: &[&str]| -> Vec<std::ffi::OsString> {
        let mut args = vec![os("ebm"), os("train"), os("--data"), p(data).into()];
        args.extend(["--hidden", "8", "--checkpoint-every", "5", "--out"].map(os));
        args.push(p(out).into());
        args.extend(extra.iter().map(|s| os(s)));
        args
    };
    let refuse = |args: Vec<std::ffi::OsString>| {
        refused(&args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>())
    };
    let err = refuse(train("d.csv.checkpoint", "d.csv", &["--iterations", "5"]));
    assert!(err.contains("also an input"), "{err}");
    assert_eq!(
        std::fs::read_to_string(p("d.csv.checkpoint")).unwrap(),
        text
    );
    std::fs::write(p("z.toml.checkpoint"), "keep").unwrap();
    let err = refuse(train("d.csv.checkpoint", "z.toml", &["--iterations", "5"]));
    assert!(err.contains("z.toml.checkpoint"), "{err}");
    assert_eq!(
        std::fs::read_to_string(p("z.toml.checkpoint")).unwrap(),
        "keep"
    );

    let args = train("d.csv.checkpoint", "m.toml", &["--iterations", "10"]);
    boltzmann().args(&args).assert().success();
    let err = refuse(train(
        "d.csv.checkpoint",
        "m.toml",
        &["--iterations", "10", "--resume"],
    ));
    assert!(err.contains("holds 10 iterations"), "{err}");
    std::fs::write(p("other.csv"), text.replacen('1', "2", 1)).unwrap();
    let err = refuse(train(
        "other.csv",
        "m.toml",
        &["--iterations", "20", "--resume"],
    ));
    assert!(err.contains("other data"), "{err}");
    std::fs::copy(p("d.csv.checkpoint"), p("same.csv")).unwrap();
    let args = train("same.csv", "m.toml", &["--iterations", "15", "--resume"]);
    boltzmann().args(&args).assert().success();
    let checkpoint = std::fs::read_to_string(p("m.toml.checkpoint")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&checkpoint).unwrap();
    json["state"]["adam"]["m"].as_array_mut().unwrap().pop();
    std::fs::write(p("m.toml.checkpoint"), json.to_string()).unwrap();
    let err = refuse(train(
        "d.csv.checkpoint",
        "m.toml",
        &["--iterations", "20", "--resume"],
    ));
    assert!(
        err.contains("m.toml.checkpoint") && err.contains("state.adam.m"),
        "{err}"
    );

    let model = write_model(dir.path(), "e.toml", &softplus_model());
    let (model, data) = (model.as_os_str(), p("d.csv.checkpoint"));
    let score = |cells: &str| {
        let out = p("scores.csv");
        let args = [
            os("ebm"),
            os("score"),
            model.into(),
            data.clone().into(),
            os("--cells"),
            os(cells),
            os("--out"),
            out.into(),
        ];
        refuse(args.to_vec())
    };
    for cells in ["5793", "9223372036854775807", "18446744073709551615"] {
        let err = score(cells);
        assert!(err.contains("--cells") && err.contains("at most"), "{err}");
    }
    let args = [
        os("ebm"),
        os("sample"),
        model.into(),
        os("-n"),
        os("100000000000"),
        os("--out"),
        p("s.csv").into(),
    ];
    let err = refuse(args.to_vec());
    assert!(err.contains("-n") && err.contains("GiB"), "{err}");
    let err = refuse(train(
        "d.csv.checkpoint",
        "big.toml",
        &["--hidden", "100000,100000"],
    ));
    assert!(err.contains("hidden") && err.contains("GiB"), "{err}");
    // A step size that MALA cannot tune down in time: written, but flagged.
    let sample = |step: &str| {
        let out = p(&format!("s{step}.csv"));
        let args = [
            os("ebm"),
            os("sample"),
            model.into(),
            os("-n"),
            os("20"),
            os("--step-size"),
            os(step),
            os("--out"),
            out.into(),
        ];
        let output = boltzmann().args(args).output().unwrap();
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stderr).to_string()
    };
    let err = sample("1e300");
    assert!(err.contains("warning: MALA accepted 0.0%"), "{err}");
    let err = sample("0.1");
    assert!(!err.contains("warning"), "{err}");
}
