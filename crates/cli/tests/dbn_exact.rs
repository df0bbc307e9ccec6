//! `boltzmann exact` on `format = "dbn"` files against an independent brute
//! force that sums the joint p(v, h_1, ..., h_K) over every state with
//! nested loops and shares no code with the dbn crate.

#![allow(clippy::needless_range_loop)] // the brute force reads like the sums

mod common;

use common::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One layer: visible bias b, hidden bias c, weights W (n_hidden rows).
struct Layer {
    b: Vec<f64>,
    c: Vec<f64>,
    w: Vec<Vec<f64>>,
}

struct Net {
    layers: Vec<Layer>,
    /// Label bias d and weights U (n_top_hidden rows of n_labels).
    labels: Option<(Vec<f64>, Vec<Vec<f64>>)>,
}

fn random_vec(n: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    (0..n).map(|_| rng.random_range(-2.0..2.0)).collect()
}

fn random_net(sizes: &[usize], n_labels: usize, seed: u64) -> Net {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let layers = sizes
        .windows(2)
        .map(|s| Layer {
            b: random_vec(s[0], &mut rng),
            c: random_vec(s[1], &mut rng),
            w: (0..s[1]).map(|_| random_vec(s[0], &mut rng)).collect(),
        })
        .collect();
    let n_top = sizes[sizes.len() - 1];
    let labels = (n_labels > 0).then(|| {
        let d = random_vec(n_labels, &mut rng);
        let u = (0..n_top).map(|_| random_vec(n_labels, &mut rng)).collect();
        (d, u)
    });
    Net { layers, labels }
}

fn list(xs: &[f64]) -> String {
    let items: Vec<String> = xs.iter().map(|x| format!("{x:?}")).collect();
    format!("[{}]", items.join(", "))
}

fn matrix(rows: &[Vec<f64>]) -> String {
    let rows: Vec<String> = rows.iter().map(|r| list(r)).collect();
    format!("[{}]", rows.join(", "))
}

impl Net {
    fn to_toml(&self) -> String {
        let mut text = "format = \"dbn\"\nversion = 1\n".to_string();
        for l in &self.layers {
            text += &format!(
                "[[layers]]\nvisible_bias = {}\nhidden_bias = {}\nweights = {}\n",
                list(&l.b),
                list(&l.c),
                matrix(&l.w)
            );
        }
        if let Some((d, u)) = &self.labels {
            text += &format!(
                "[labels]\nn_labels = {}\nbias = {}\nweights = {}\n",
                d.len(),
                list(d),
                matrix(u)
            );
        }
        text
    }

    /// -E of the top RBM at (x, h, label l).
    fn top_minus_energy(&self, x: &[f64], h: &[f64], l: usize) -> f64 {
        let top = &self.layers[self.layers.len() - 1];
        let mut e = 0.0;
        for j in 0..x.len() {
            e += top.b[j] * x[j];
        }
        for i in 0..h.len() {
            e += top.c[i] * h[i];
            for j in 0..x.len() {
                e += h[i] * top.w[i][j] * x[j];
            }
            if let Some((_, u)) = &self.labels {
                e += h[i] * u[i][l];
            }
        }
        if let Some((d, _)) = &self.labels {
            e += d[l];
        }
        e
    }

    fn n_labels(&self) -> usize {
        self.labels.as_ref().map_or(1, |(d, _)| d.len())
    }

    /// log Z of the top RBM, summing every (x, h, l).
    fn log_z_top(&self) -> f64 {
        let top = &self.layers[self.layers.len() - 1];
        let (nx, nh) = (top.b.len(), top.c.len());
        let mut terms = Vec::new();
        for sx in 0..1 << nx {
            for sh in 0..1 << nh {
                for l in 0..self.n_labels() {
                    terms.push(self.top_minus_energy(&bits(sx, nx), &bits(sh, nh), l));
                }
            }
        }
        log_of_sum(&terms)
    }

    /// log p(v, h_1) summing every state of h_2, ..., h_K and the label.
    fn log_joint_v_h1(&self, v: &[f64], h1: &[f64], log_z: f64) -> f64 {
        let sizes: Vec<usize> = self.layers.iter().map(|l| l.c.len()).collect();
        let above: usize = sizes[1..].iter().sum();
        let mut terms = Vec::new();
        for s in 0..1usize << above {
            let mut states = vec![v.to_vec(), h1.to_vec()];
            let mut offset = 0;
            for &n in &sizes[1..] {
                states.push(bits(s >> offset, n));
                offset += n;
            }
            let k = self.layers.len();
            let mut directed = 0.0;
            for (i, layer) in self.layers[..k - 1].iter().enumerate() {
                directed += log_bernoulli_down(layer, &states[i], &states[i + 1]);
            }
            for l in 0..self.n_labels() {
                let top = self.top_minus_energy(&states[k - 1], &states[k], l);
                terms.push(top - log_z + directed);
            }
        }
        log_of_sum(&terms)
    }

    /// (mean log p(v), mean bound) over the rows of `data`.
    fn brute_force(&self, data: &[Vec<f64>]) -> (f64, f64) {
        let log_z = self.log_z_top();
        let bottom = &self.layers[0];
        let n1 = bottom.c.len();
        let (mut total_log_p, mut total_bound) = (0.0, 0.0);
        for v in data {
            let mut joint = Vec::new();
            let mut bound = 0.0;
            for s in 0..1 << n1 {
                let h1 = bits(s, n1);
                let log_joint = self.log_joint_v_h1(v, &h1, log_z);
                let mut q = 1.0;
                for i in 0..n1 {
                    let mut a = bottom.c[i];
                    for j in 0..v.len() {
                        a += bottom.w[i][j] * v[j];
                    }
                    let p = 1.0 / (1.0 + (-a).exp());
                    q *= if h1[i] == 1.0 { p } else { 1.0 - p };
                }
                bound += q * (log_joint - q.ln());
                joint.push(log_joint);
            }
            total_log_p += log_of_sum(&joint);
            total_bound += bound;
        }
        let n = data.len() as f64;
        (total_log_p / n, total_bound / n)
    }
}

/// log p(x | y) = sum_j log p(x_j | y) with p(x_j = 1 | y) = sigmoid(b_j + sum_i W_ij y_i).
fn log_bernoulli_down(layer: &Layer, x: &[f64], y: &[f64]) -> f64 {
    let mut total = 0.0;
    for j in 0..x.len() {
        let mut a = layer.b[j];
        for i in 0..y.len() {
            a += layer.w[i][j] * y[i];
        }
        let p = 1.0 / (1.0 + (-a).exp());
        total += if x[j] == 1.0 { p.ln() } else { (1.0 - p).ln() };
    }
    total
}

fn random_data(n: usize, n_visible: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            (0..n_visible)
                .map(|_| rng.random_range(0..2) as f64)
                .collect()
        })
        .collect()
}

#[test]
fn exact_dbn_agrees_with_a_brute_force() {
    for (sizes, n_labels, seed) in [
        (&[4, 3, 2][..], 0, 1),
        (&[3, 3, 2, 2][..], 0, 2),
        (&[4, 2, 3][..], 3, 3),
    ] {
        let net = random_net(sizes, n_labels, seed);
        let fx = Fixture::new();
        let model = fx.write("net.toml", &net.to_toml());
        let data = random_data(7, sizes[0], seed);
        let csv = fx.write("data.csv", &data_csv(&data));
        let json = run_json(&["exact", arg(&model), "--data", arg(&csv)]);
        let (want_log_p, want_bound) = net.brute_force(&data);
        let got = |key: &str| {
            json[key]
                .as_f64()
                .unwrap_or_else(|| panic!("{key} in {json}"))
        };
        assert_close(got("log_partition"), net.log_z_top(), 1e-9, "log Z");
        assert_close(got("mean_log_likelihood"), want_log_p, 1e-9, "log p(v)");
        assert_close(got("mean_lower_bound"), want_bound, 1e-9, "bound");
        assert!(got("mean_lower_bound") <= got("mean_log_likelihood"));
        assert_eq!(json["model_format"], "dbn");
        assert_eq!(json["n_labels"], n_labels);
    }
}

#[test]
fn text_output_names_both_numbers() {
    let net = random_net(&[3, 2, 2], 0, 5);
    let fx = Fixture::new();
    let model = fx.write("net.toml", &net.to_toml());
    let csv = fx.write("data.csv", &data_csv(&random_data(3, 3, 1)));
    let output = boltzmann()
        .args(["exact", arg(&model), "--data", arg(&csv)])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("mean log-likelihood = ") && stdout.contains("mean lower bound = "));
}

#[test]
fn bad_dbn_files_are_refused_naming_the_file_layer_and_field() {
    let fx = Fixture::new();
    let good = random_net(&[3, 2, 2], 0, 5).to_toml();
    let csv = fx.write("data.csv", &data_csv(&random_data(3, 3, 1)));
    let misfit = good.replacen("hidden_bias = [", "hidden_bias = [0.5, ", 1);
    let path = fx.write("misfit.toml", &misfit);
    expect_bad_input(
        &["exact", arg(&path)],
        &["misfit.toml", "layer 1", "weights"],
    );
    let unknown = good.replacen("[[layers]]\n", "[[layers]]\ntemperature = 1.0\n", 1);
    let path = fx.write("unknown.toml", &unknown);
    expect_bad_input(&["exact", arg(&path)], &["unknown.toml", "temperature"]);
    let big = random_net(&[2, 24, 1], 0, 6).to_toml();
    let path = fx.write("big.toml", &big);
    expect_bad_input(
        &["exact", arg(&path), "--data", arg(&csv)],
        &["big.toml", "2^24"],
    );
    let model = fx.write("net.toml", &good);
    let wide = fx.write("wide.csv", &data_csv(&random_data(3, 4, 1)));
    expect_bad_input(
        &["exact", arg(&model), "--data", arg(&wide)],
        &["wide.csv", "4 values"],
    );
    let grad = fx.path("grad.toml");
    expect_bad_input(
        &[
            "exact",
            arg(&model),
            "--data",
            arg(&csv),
            "--gradient",
            arg(&grad),
        ],
        &["net.toml", "--gradient"],
    );
}
