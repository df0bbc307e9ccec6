//! `boltzmann exact` against an independent brute force and the library.

mod common;

use bm_exact::{Model, Parameters, parameters_from_toml};
use common::*;
use ndarray::Array2;

fn data_array(data: &[Vec<f64>]) -> Array2<f64> {
    Array2::from_shape_fn((data.len(), data[0].len()), |(i, j)| data[i][j])
}

/// The number after `prefix` on the line that starts with it.
fn number_after(stdout: &str, prefix: &str) -> f64 {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in {stdout}"));
    line[prefix.len()..]
        .split_whitespace()
        .next()
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("no number in {line:?}"))
}

fn check_against_brute_force(machine: &Machine, format: &str, expected_states: u64) {
    let fx = Fixture::new();
    let model = fx.write("model.toml", &machine.to_toml());
    let data = fx.write("data.csv", &data_csv(&small_data()));
    let want_log_z = machine.brute_log_partition();
    let want_ll = machine.brute_mean_log_likelihood(&small_data());

    let json = run_json(&["exact", arg(&model), "--data", arg(&data)]);
    assert_close(
        json["log_partition"].as_f64().unwrap(),
        want_log_z,
        1e-9,
        "log Z",
    );
    assert_close(
        json["mean_log_likelihood"].as_f64().unwrap(),
        want_ll,
        1e-9,
        "mean log-likelihood",
    );
    assert_eq!(json["n_states_enumerated"], expected_states);
    assert_eq!(json["model_format"], format);
    assert_eq!(json["n_visible"], machine.n_visible());
    assert_eq!(json["n_hidden"], machine.n_hidden());
    assert_eq!(json["n_examples"], small_data().len());
    assert!(json.get("gradient_file").is_none(), "{json}");

    let output = boltzmann()
        .args(["exact", arg(&model), "--data", arg(&data)])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_close(
        number_after(&stdout, "log Z = "),
        want_log_z,
        1e-9,
        "printed log Z",
    );
    assert_close(
        number_after(&stdout, "mean log-likelihood = "),
        want_ll,
        1e-6, // printed with 6 decimals
        "printed mean log-likelihood",
    );
    let k = expected_states.trailing_zeros();
    assert!(
        stdout.contains(&format!("(enumerated 2^{k} = {expected_states} states)")),
        "{stdout}"
    );
    assert!(stdout.contains("(5 examples; optimum"), "{stdout}");
}

#[test]
fn rbm_log_z_and_likelihood_match_brute_force() {
    // The RBM enumerates its smaller layer: 2^min(3, 2) states.
    check_against_brute_force(&small_rbm(), "rbm", 4);
}

#[test]
fn bm_log_z_and_likelihood_match_brute_force() {
    // A general machine enumerates every unit: 2^(3 + 2) states.
    check_against_brute_force(&small_bm(), "bm", 32);
}

#[test]
fn without_data_only_log_z_is_reported() {
    let fx = Fixture::new();
    let model = fx.write("model.toml", &small_rbm().to_toml());
    let json = run_json(&["exact", arg(&model)]);
    assert_close(
        json["log_partition"].as_f64().unwrap(),
        small_rbm().brute_log_partition(),
        1e-9,
        "log Z",
    );
    assert!(json.get("mean_log_likelihood").is_none(), "{json}");
}

/// Run with `--gradient` (and `extra`), check the JSON, and read the file back.
fn gradient_from_cli(fx: &Fixture, machine: &Machine, extra: &[&str], name: &str) -> Parameters {
    let model = fx.write("model.toml", &machine.to_toml());
    let data = fx.write("data.csv", &data_csv(&small_data()));
    let out = fx.path(name);
    let mut args = vec![
        "exact",
        arg(&model),
        "--data",
        arg(&data),
        "--gradient",
        arg(&out),
    ];
    args.extend_from_slice(extra);
    let json = run_json(&args);
    assert_eq!(json["gradient_file"], arg(&out));
    let text = std::fs::read_to_string(&out).unwrap();
    let (format, params) = parameters_from_toml(&text).expect("the gradient file reads back");
    assert_eq!(format, "gradient");
    params
}

fn library_gradient(machine: &Machine) -> Parameters {
    let model = Model::from_toml_str(&machine.to_toml()).unwrap();
    model
        .log_likelihood_gradient(data_array(&small_data()).view())
        .unwrap()
}

fn max_abs_difference(a: &Parameters, b: &Parameters) -> f64 {
    let mut pairs = vec![
        (
            a.visible_bias.view().into_dyn(),
            b.visible_bias.view().into_dyn(),
        ),
        (
            a.hidden_bias.view().into_dyn(),
            b.hidden_bias.view().into_dyn(),
        ),
        (a.weights.view().into_dyn(), b.weights.view().into_dyn()),
    ];
    for (x, y) in [
        (&a.visible_couplings, &b.visible_couplings),
        (&a.hidden_couplings, &b.hidden_couplings),
    ] {
        assert_eq!(x.is_some(), y.is_some());
        if let (Some(x), Some(y)) = (x, y) {
            pairs.push((x.view().into_dyn(), y.view().into_dyn()));
        }
    }
    pairs
        .iter()
        .flat_map(|(x, y)| x.iter().zip(y.iter()).map(|(p, q)| (p - q).abs()))
        .fold(0.0, f64::max)
}

#[test]
fn rbm_gradient_file_round_trips_and_matches_the_library() {
    let fx = Fixture::new();
    let got = gradient_from_cli(&fx, &small_rbm(), &[], "grad.toml");
    assert!(got.visible_couplings.is_none());
    assert!(max_abs_difference(&got, &library_gradient(&small_rbm())) < 1e-14);
}

#[test]
fn bm_gradient_includes_couplings_and_matches_finite_differences() {
    let fx = Fixture::new();
    let machine = small_bm();
    let got = gradient_from_cli(&fx, &machine, &[], "grad.toml");
    assert!(max_abs_difference(&got, &library_gradient(&machine)) < 1e-14);

    // Independent check of every entry, couplings as one parameter per pair.
    let eps = 1e-5;
    let ll = |m: &Machine| m.brute_mean_log_likelihood(&small_data());
    let central = |nudge: &dyn Fn(&mut Machine, f64)| {
        let (mut up, mut down) = (machine.clone(), machine.clone());
        nudge(&mut up, eps);
        nudge(&mut down, -eps);
        (ll(&up) - ll(&down)) / (2.0 * eps)
    };
    for j in 0..machine.n_visible() {
        let fd = central(&|m, d| m.visible_bias[j] += d);
        assert_close(got.visible_bias[j], fd, 1e-7, "visible_bias");
    }
    for i in 0..machine.n_hidden() {
        let fd = central(&|m, d| m.hidden_bias[i] += d);
        assert_close(got.hidden_bias[i], fd, 1e-7, "hidden_bias");
        for j in 0..machine.n_visible() {
            let fd = central(&|m, d| m.weights[i][j] += d);
            assert_close(got.weights[[i, j]], fd, 1e-7, "weights");
        }
    }
    let r = got.visible_couplings.as_ref().expect("visible_couplings");
    for i in 0..machine.n_visible() {
        for j in i + 1..machine.n_visible() {
            let fd = central(&|m, d| {
                let r = m.visible_couplings.as_mut().unwrap();
                r[i][j] += d;
                r[j][i] += d;
            });
            assert_close(r[[i, j]], fd, 1e-7, "visible_couplings");
            assert_eq!(r[[i, j]], r[[j, i]]);
        }
    }
    let t = got.hidden_couplings.as_ref().expect("hidden_couplings");
    let fd = central(&|m, d| {
        let t = m.hidden_couplings.as_mut().unwrap();
        t[0][1] += d;
        t[1][0] += d;
    });
    assert_close(t[[0, 1]], fd, 1e-7, "hidden_couplings");
}

#[test]
fn json_names_the_gradient_kind() {
    let fx = Fixture::new();
    let model = fx.write("model.toml", &small_rbm().to_toml());
    let data = fx.write("data.csv", &data_csv(&small_data()));
    let out = fx.path("g.toml");
    let json = run_json(&[
        "exact",
        arg(&model),
        "--data",
        arg(&data),
        "--gradient",
        arg(&out),
    ]);
    assert_eq!(json["gradient_kind"], "log_likelihood");
    assert!(json["cd_steps"].is_null(), "{json}");
    let out = fx.path("cd.toml");
    let json = run_json(&[
        "exact",
        arg(&model),
        "--data",
        arg(&data),
        "--gradient",
        arg(&out),
        "--cd",
        "3",
    ]);
    assert_eq!(json["gradient_kind"], "expected_cd");
    assert_eq!(json["cd_steps"], 3);
}

/// An RBM with couplings so weak that the Gibbs chain mixes in a few steps.
fn weak_rbm() -> Machine {
    Machine {
        visible_bias: vec![0.5, -0.4, 0.2],
        hidden_bias: vec![0.3, -0.1],
        weights: vec![vec![0.3, -0.25, 0.2], vec![-0.2, 0.35, 0.3]],
        visible_couplings: None,
        hidden_couplings: None,
    }
}

/// The gaps max|CD-k - gradient| for k = 1 and k = 200, written by the CLI.
fn cd_gaps(fx: &Fixture, machine: &Machine) -> (f64, f64) {
    let gradient = gradient_from_cli(fx, machine, &[], "grad.toml");
    let cd1 = gradient_from_cli(fx, machine, &["--cd", "1"], "cd1.toml");
    let cd200 = gradient_from_cli(fx, machine, &["--cd", "200"], "cd200.toml");
    let rbm = match Model::from_toml_str(&machine.to_toml()).unwrap() {
        Model::Rbm(rbm) => rbm,
        Model::Bm(_) => panic!("an RBM fixture"),
    };
    let library_cd1 = rbm
        .expected_cd_update(data_array(&small_data()).view(), 1)
        .unwrap();
    assert!(max_abs_difference(&cd1, &library_cd1) < 1e-14);
    (
        max_abs_difference(&cd1, &gradient),
        max_abs_difference(&cd200, &gradient),
    )
}

#[test]
fn expected_cd_1_is_biased_on_a_strongly_coupled_rbm() {
    let (gap1, gap200) = cd_gaps(&Fixture::new(), &small_rbm());
    assert!(gap1 > 5e-3, "CD-1 should be biased: gap {gap1}");
    assert!(gap200 < gap1, "more steps should help: {gap200} vs {gap1}");
}

#[test]
fn expected_cd_approaches_the_gradient_for_large_k_on_a_weak_rbm() {
    let (gap1, gap200) = cd_gaps(&Fixture::new(), &weak_rbm());
    assert!(gap1 > 1e-5, "CD-1 differs from the gradient: gap {gap1}");
    assert!(
        gap200 < 1e-10,
        "CD-200 should match the gradient: gap {gap200}"
    );
}

#[test]
fn force_replaces_an_existing_gradient_file() {
    let fx = Fixture::new();
    let model = fx.write("model.toml", &small_rbm().to_toml());
    let data = fx.write("data.csv", &data_csv(&small_data()));
    let out = fx.write("grad.toml", "keep me\n");
    let args = [
        "exact",
        arg(&model),
        "--data",
        arg(&data),
        "--gradient",
        arg(&out),
    ];

    let output = boltzmann().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(arg(&out)) && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");

    boltzmann().args(args).arg("--force").assert().success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(parameters_from_toml(&text).is_ok(), "{text}");
}

#[test]
fn shipped_example_command_works() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = boltzmann()
        .current_dir(&root)
        .args([
            "exact",
            "data/models/rbm-9x4.toml",
            "--data",
            "data/bars-and-stripes-3x3.csv",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("rbm with 9 visible and 4 hidden units"),
        "{stdout}"
    );
    assert!(stdout.contains("(enumerated 2^4 = 16 states)"), "{stdout}");
    assert!(stdout.contains("(14 examples; optimum"), "{stdout}");
    // 14 equally likely distinct patterns: the optimum is -log 14.
    assert!(
        stdout.contains(&format!("optimum {:.6}", -(14f64).ln())),
        "{stdout}"
    );
    assert!(number_after(&stdout, "mean log-likelihood = ") < -(14f64).ln());
}
