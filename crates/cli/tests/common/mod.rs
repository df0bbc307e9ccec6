//! Fixtures and an independent brute force for the CLI tests.
//!
//! The brute force writes the energy of eq. (1.1) out with nested loops and
//! sums e^{-E} over every (v, h) state, subtracting the largest term before
//! exponentiating. It shares no code with bm-exact.

#![allow(dead_code)] // each test file uses part of this module

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A general Boltzmann machine; an RBM has all couplings zero.
#[derive(Clone, Debug)]
pub struct Machine {
    pub visible_bias: Vec<f64>,
    pub hidden_bias: Vec<f64>,
    /// n_hidden rows of n_visible values.
    pub weights: Vec<Vec<f64>>,
    /// None for an RBM.
    pub visible_couplings: Option<Vec<Vec<f64>>>,
    pub hidden_couplings: Option<Vec<Vec<f64>>>,
}

impl Machine {
    pub fn n_visible(&self) -> usize {
        self.visible_bias.len()
    }

    pub fn n_hidden(&self) -> usize {
        self.hidden_bias.len()
    }

    pub fn to_toml(&self) -> String {
        let format = if self.visible_couplings.is_some() {
            "bm"
        } else {
            "rbm"
        };
        let mut text = format!(
            "format = \"{format}\"\nversion = 1\nvisible_bias = {:?}\nhidden_bias = {:?}\nweights = {:?}\n",
            self.visible_bias, self.hidden_bias, self.weights
        );
        if let Some(r) = &self.visible_couplings {
            text += &format!("visible_couplings = {r:?}\n");
        }
        if let Some(t) = &self.hidden_couplings {
            text += &format!("hidden_couplings = {t:?}\n");
        }
        text
    }

    /// E(v, h) of eq. (1.1), every pair i < j once. Index loops on purpose:
    /// they read like the sums of the formula.
    #[allow(clippy::needless_range_loop)]
    pub fn energy(&self, v: &[f64], h: &[f64]) -> f64 {
        let mut minus_energy = 0.0;
        for j in 0..v.len() {
            minus_energy += self.visible_bias[j] * v[j];
        }
        for i in 0..h.len() {
            minus_energy += self.hidden_bias[i] * h[i];
            for j in 0..v.len() {
                minus_energy += h[i] * self.weights[i][j] * v[j];
            }
        }
        if let Some(r) = &self.visible_couplings {
            for i in 0..v.len() {
                for j in i + 1..v.len() {
                    minus_energy += r[i][j] * v[i] * v[j];
                }
            }
        }
        if let Some(t) = &self.hidden_couplings {
            for i in 0..h.len() {
                for j in i + 1..h.len() {
                    minus_energy += t[i][j] * h[i] * h[j];
                }
            }
        }
        -minus_energy
    }

    /// log Z by summing over all 2^(n_visible + n_hidden) states.
    pub fn brute_log_partition(&self) -> f64 {
        let terms: Vec<f64> = (0..1usize << self.n_visible())
            .map(|sv| self.brute_log_unnormalized(&bits(sv, self.n_visible())))
            .collect();
        log_of_sum(&terms)
    }

    /// log sum_h e^{-E(v, h)}.
    pub fn brute_log_unnormalized(&self, v: &[f64]) -> f64 {
        let terms: Vec<f64> = (0..1usize << self.n_hidden())
            .map(|sh| -self.energy(v, &bits(sh, self.n_hidden())))
            .collect();
        log_of_sum(&terms)
    }

    pub fn brute_mean_log_likelihood(&self, data: &[Vec<f64>]) -> f64 {
        let log_z = self.brute_log_partition();
        data.iter()
            .map(|v| self.brute_log_unnormalized(v) - log_z)
            .sum::<f64>()
            / data.len() as f64
    }
}

/// The units of state s: unit k is bit k.
pub fn bits(s: usize, n: usize) -> Vec<f64> {
    (0..n).map(|k| (s >> k & 1) as f64).collect()
}

/// log(sum_k e^{x_k}) with the largest term taken out first.
pub fn log_of_sum(terms: &[f64]) -> f64 {
    let max = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    max + terms.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

pub fn data_csv(data: &[Vec<f64>]) -> String {
    data.iter()
        .map(|row| {
            let fields: Vec<String> = row.iter().map(|x| format!("{x}")).collect();
            fields.join(",") + "\n"
        })
        .collect()
}

/// A small RBM with 3 visible and 2 hidden units.
pub fn small_rbm() -> Machine {
    Machine {
        visible_bias: vec![0.3, -0.5, 0.1],
        hidden_bias: vec![-0.2, 0.4],
        weights: vec![vec![0.8, -1.1, 0.25], vec![-0.6, 0.9, 1.3]],
        visible_couplings: None,
        hidden_couplings: None,
    }
}

/// A small general BM with 3 visible and 2 hidden units.
pub fn small_bm() -> Machine {
    Machine {
        visible_bias: vec![0.2, -0.4, 0.6],
        hidden_bias: vec![0.1, -0.3],
        weights: vec![vec![0.7, -0.2, 0.5], vec![-0.9, 0.4, 0.3]],
        visible_couplings: Some(vec![
            vec![0.0, 0.5, -0.7],
            vec![0.5, 0.0, 0.35],
            vec![-0.7, 0.35, 0.0],
        ]),
        hidden_couplings: Some(vec![vec![0.0, -0.45], vec![-0.45, 0.0]]),
    }
}

pub fn small_data() -> Vec<Vec<f64>> {
    vec![
        vec![1.0, 0.0, 1.0],
        vec![0.0, 1.0, 1.0],
        vec![1.0, 1.0, 0.0],
        vec![1.0, 0.0, 1.0],
        vec![0.0, 0.0, 0.0],
    ]
}

/// A temporary folder with the files of one test.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("writable temporary folder");
        path
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

pub fn boltzmann() -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("boltzmann");
    cmd.env("RUST_BACKTRACE", "1");
    cmd
}

pub fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Run the command, expect success, and parse its one JSON object.
pub fn run_json(args: &[&str]) -> serde_json::Value {
    let output = boltzmann().args(args).arg("--json").output().expect("runs");
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON value");
    assert!(value.is_object(), "{value}");
    value
}

pub fn assert_close(got: f64, want: f64, relative: f64, what: &str) {
    let scale = want.abs().max(1.0);
    assert!(
        (got - want).abs() <= relative * scale,
        "{what}: got {got}, want {want}"
    );
}

/// Run `boltzmann` with `args`; expect exit code 2, nothing on stdout and
/// one line on stderr, `error: ...` without a panic or a backtrace, that
/// contains every string in `wanted`. Returns the line.
pub fn expect_bad_input(args: &[&str], wanted: &[&str]) -> String {
    let output = boltzmann().args(args).output().expect("runs");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 message");
    assert_eq!(
        output.status.code(),
        Some(2),
        "args {args:?}, stderr: {stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing on stdout for {args:?}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    for w in wanted {
        assert!(stderr.contains(w), "{stderr:?} should contain {w:?}");
    }
    let lower = stderr.to_lowercase();
    assert!(
        !lower.contains("panicked") && !lower.contains("backtrace"),
        "{stderr}"
    );
    stderr
}

/// 80 examples of 16 pixels in two classes (left or right half on, 10%
/// noise) as `data.csv`, and their classes, one per line, as `labels.txt`.
pub fn write_two_class_data(fx: &Fixture) -> (PathBuf, PathBuf) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut rows = Vec::new();
    let mut labels = String::new();
    for n in 0..80 {
        let class = n % 2;
        let row: Vec<f64> = (0..16)
            .map(|j| {
                let on = (j % 4 < 2) == (class == 0);
                f64::from(on != (rng.random::<f64>() < 0.1))
            })
            .collect();
        rows.push(row);
        labels += &format!("{class}\n");
    }
    (
        fx.write("data.csv", &data_csv(&rows)),
        fx.write("labels.txt", &labels),
    )
}

/// Run `boltzmann` with `args`, send it SIGINT (as Ctrl-C does) once
/// `ready()` holds (or after 60 s), and return what it printed and its status.
pub fn interrupt_when(args: &[&str], ready: impl Fn() -> bool) -> std::process::Output {
    use std::time::{Duration, Instant};
    let binary = assert_cmd::cargo::cargo_bin("boltzmann");
    let child = std::process::Command::new(&binary)
        .args(args)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("boltzmann starts");
    let start = Instant::now();
    while !ready() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    child.wait_with_output().expect("boltzmann ends")
}
