//! How the cost of an exact log Z grows with the number of enumerated units.
//!
//! Times `Rbm::log_partition` for RBMs with 784 visible units (the size of an
//! MNIST image) and 8, 10, ..., 22 hidden units, and
//! `BoltzmannMachine::log_partition` for general machines with 8, 10, ..., 28
//! units, then shows the error for a model past the limit. Writes the tables
//! that the book's chapter 3 includes:
//!
//! ```console
//! cargo run --release -p bm-exact --example logz_scaling
//! ```
//!
//! Output: book/src/generated/logz-scaling.md and
//! book/src/generated/logz-too-large.md (both regenerated on every run).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bm_exact::{BoltzmannMachine, Parameters, Rbm, write_file};
use ndarray::{Array1, Array2};
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

const SEED: u64 = 42;
const N_VISIBLE_RBM: usize = 784;
/// Small problems are repeated until this much time has passed, so that the
/// time per call is not lost in the clock's resolution.
const MIN_MEASURED: Duration = Duration::from_millis(200);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut rows = Vec::new();
    for n_hidden in (8..=22).step_by(2) {
        let rbm = random_rbm(N_VISIBLE_RBM, n_hidden, &mut rng)?;
        let (seconds, log_partition) = time_per_call(|| rbm.log_partition())?;
        rows.push(Row {
            model: "RBM",
            n_visible: N_VISIBLE_RBM,
            n_hidden,
            n_states: rbm.n_states_enumerated(),
            seconds,
            log_partition,
        });
        print_row(rows.last().expect("just pushed"));
    }
    for n_units in (8..=28).step_by(2) {
        let (n_visible, n_hidden) = (n_units / 2, n_units - n_units / 2);
        let bm = random_bm(n_visible, n_hidden, &mut rng)?;
        let (seconds, log_partition) = time_per_call(|| bm.log_partition())?;
        rows.push(Row {
            model: "general BM",
            n_visible,
            n_hidden,
            n_states: bm.n_states_enumerated(),
            seconds,
            log_partition,
        });
        print_row(rows.last().expect("just pushed"));
    }

    let too_large = random_rbm(N_VISIBLE_RBM, 31, &mut rng)?
        .log_partition()
        .expect_err("31 enumerated units are over the limit of 30");
    println!("n_hidden = 31: {too_large}");

    let out = generated_dir()?;
    write_file(&out.join("logz-scaling.md"), &scaling_table(&rows), true)?;
    let too_large_text = format!(
        "```text\nRbm::log_partition(), 784 visible and 31 hidden units:\nError: {too_large}\n```\n"
    );
    write_file(&out.join("logz-too-large.md"), &too_large_text, true)?;
    println!("wrote {}", out.join("logz-scaling.md").display());
    println!("wrote {}", out.join("logz-too-large.md").display());
    Ok(())
}

struct Row {
    model: &'static str,
    n_visible: usize,
    n_hidden: usize,
    n_states: u64,
    seconds: f64,
    log_partition: f64,
}

/// Seconds per call of `f` (repeated until [`MIN_MEASURED`] has passed) and its value.
fn time_per_call(
    f: impl Fn() -> bm_exact::Result<f64>,
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let mut calls = 0u32;
    let mut value = f64::NAN;
    while calls == 0 || start.elapsed() < MIN_MEASURED {
        value = f()?;
        calls += 1;
    }
    Ok((start.elapsed().as_secs_f64() / f64::from(calls), value))
}

fn normal_array(len: usize, std_dev: f64, rng: &mut impl Rng) -> Vec<f64> {
    let normal = Normal::new(0.0, std_dev).expect("a positive standard deviation");
    (0..len).map(|_| normal.sample(rng)).collect()
}

fn random_parameters(n_visible: usize, n_hidden: usize, rng: &mut impl Rng) -> Parameters {
    let weights = normal_array(n_hidden * n_visible, 0.1, rng);
    Parameters {
        visible_bias: Array1::from(normal_array(n_visible, 0.1, rng)),
        hidden_bias: Array1::from(normal_array(n_hidden, 0.1, rng)),
        weights: Array2::from_shape_vec((n_hidden, n_visible), weights)
            .expect("n_hidden * n_visible values"),
        visible_couplings: None,
        hidden_couplings: None,
    }
}

fn random_rbm(n_visible: usize, n_hidden: usize, rng: &mut impl Rng) -> bm_exact::Result<Rbm> {
    Rbm::from_parameters(random_parameters(n_visible, n_hidden, rng))
}

/// A symmetric coupling matrix with a zero diagonal (each pair drawn once).
fn random_couplings(n: usize, rng: &mut impl Rng) -> Array2<f64> {
    let mut a = Array2::zeros((n, n));
    for i in 0..n {
        for j in i + 1..n {
            let x = normal_array(1, 0.1, rng)[0];
            a[[i, j]] = x;
            a[[j, i]] = x;
        }
    }
    a
}

fn random_bm(
    n_visible: usize,
    n_hidden: usize,
    rng: &mut impl Rng,
) -> bm_exact::Result<BoltzmannMachine> {
    let mut p = random_parameters(n_visible, n_hidden, rng);
    p.visible_couplings = Some(random_couplings(n_visible, rng));
    p.hidden_couplings = Some(random_couplings(n_hidden, rng));
    BoltzmannMachine::from_parameters(p)
}

fn print_row(r: &Row) {
    println!(
        "{:<10} n_visible = {:>3}  n_hidden = {:>2}  states = {:>8}  {:>10}  log Z = {:.4}",
        r.model,
        r.n_visible,
        r.n_hidden,
        r.n_states,
        human_time(r.seconds),
        r.log_partition
    );
}

fn human_time(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}

fn scaling_table(rows: &[Row]) -> String {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut s = String::from(
        "<!-- Generated by `cargo run --release -p bm-exact --example logz_scaling`; do not edit. -->\n\n\
         | model | $n_\\text{visible}$ | $n_\\text{hidden}$ | enumerated states | time per log Z | ns per state | $\\log Z$ |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        s.push_str(&format!(
            "| {} | {} | {} | $2^{{{}}}$ = {} | {} | {:.1} | {:.4} |\n",
            r.model,
            r.n_visible,
            r.n_hidden,
            r.n_states.trailing_zeros(),
            r.n_states,
            human_time(r.seconds),
            r.seconds * 1e9 / r.n_states as f64,
            r.log_partition
        ));
    }
    s.push_str(&format!(
        "\nMeasured with {threads} threads available to rayon; parameters drawn from N(0, 0.1²) with seed {SEED}.\n"
    ));
    s
}

/// book/src/generated of the workspace, which must exist.
fn generated_dir() -> std::io::Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../book/src/generated")
        .canonicalize()
}
