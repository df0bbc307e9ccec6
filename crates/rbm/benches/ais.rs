//! Timing of AIS and block Gibbs sampling at MNIST size (784 x 500).
//!
//! `cargo bench -p rbm --bench ais` prints, for a 784 x 500 RBM:
//! - the time of AIS with 100 chains and the 14,500 steps of Salakhutdinov
//!   & Murray's schedule, and the time per step;
//! - the time of the two dense products per step alone (the same shapes,
//!   the same number of times), and their share of the AIS time;
//! - block Gibbs samples per second with a batch of 100 chains (what
//!   `boltzmann sample` runs), and its time over that of its two dense
//!   products alone (same shapes, same number of steps, one thread).
//!
//! A benchmark, not a timed test: nothing here fails on a slow machine.
//! Set AIS_BENCH_BETAS to time a shorter schedule (e.g. 1001).

use std::time::Instant;

use ndarray::{Array1, Array2, linalg::general_mat_mul};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rbm::{AisSchedule, CHAINS_PER_BLOCK, Rbm, ais, base_rate_visible_bias, gibbs_step};

const N_VISIBLE: usize = 784;
const N_HIDDEN: usize = 500;
const N_CHAINS: usize = 100;

/// A 784 x 500 RBM with some structure: each hidden unit likes one of ten
/// random "prototype" images (weights +-0.1 on its pixels) plus N(0, 0.01^2)
/// noise, and visible biases of a sparse image set (most pixels off).
fn structured_rbm(rng: &mut ChaCha8Rng) -> (Rbm, Array2<f32>) {
    let prototypes = Array2::from_shape_simple_fn((10, N_VISIBLE), || {
        if rng.random::<f32>() < 0.2 {
            1.0f32
        } else {
            0.0
        }
    });
    let noise = Normal::new(0.0f32, 0.01).expect("positive sd");
    let weights = Array2::from_shape_fn((N_HIDDEN, N_VISIBLE), |(i, j)| {
        0.2 * prototypes[[i % 10, j]] - 0.1 + noise.sample(rng)
    });
    // "Data": noisy copies of the prototypes, for the base-rate model.
    let data = Array2::from_shape_fn((1000, N_VISIBLE), |(n, j)| {
        let flip = rng.random::<f32>() < 0.05;
        (prototypes[[n % 10, j]] == 1.0) as u8 as f32 * (1.0 - flip as u8 as f32)
            + (1.0 - (prototypes[[n % 10, j]] == 1.0) as u8 as f32) * flip as u8 as f32
    });
    let rbm = Rbm {
        visible_bias: base_rate_visible_bias(data.view()) - 0.5,
        hidden_bias: Array1::from_elem(N_HIDDEN, -1.0),
        weights,
    };
    (rbm, data)
}

fn main() {
    let mut rng = ChaCha8Rng::seed_from_u64(2008);
    let (model, data) = structured_rbm(&mut rng);
    let schedule = match std::env::var("AIS_BENCH_BETAS") {
        Ok(n) => AisSchedule::scaled(n.parse().expect("AIS_BENCH_BETAS is a number"))
            .expect("at least 2"),
        Err(_) => AisSchedule::salakhutdinov_murray(),
    };
    let steps = schedule.len() - 1;
    println!(
        "RBM {N_VISIBLE} x {N_HIDDEN}, {N_CHAINS} chains in blocks of {CHAINS_PER_BLOCK}, \
         {steps} AIS steps, {} rayon threads",
        rayon::current_num_threads()
    );

    let base = base_rate_visible_bias(data.view());
    let (start, cpu_start) = (Instant::now(), cpu_seconds());
    let estimate = ais(&model, base.view(), &schedule, N_CHAINS, &mut rng).expect("valid inputs");
    let ais_seconds = start.elapsed().as_secs_f64();
    let ais_cpu = cpu_seconds() - cpu_start;
    println!(
        "AIS: {ais_seconds:.2} s ({:.3} ms per step); log Z = {:.3} [{:.3}, {:.3}], ESS {:.1}",
        1e3 * ais_seconds / steps as f64,
        estimate.log_partition,
        estimate.log_partition_low,
        estimate.log_partition_high,
        estimate.effective_sample_size
    );
    println!(
        "AIS CPU time (all threads): {ais_cpu:.2} s; load average now {}",
        load_average()
    );

    let product_seconds = time_products(&model, steps, &mut rng);
    println!(
        "dense products alone (2 per step, blocks of {CHAINS_PER_BLOCK}, same threads): \
         {product_seconds:.2} s = {:.0}% of the AIS time",
        100.0 * product_seconds / ais_seconds
    );

    let gibbs_steps = 200;
    let mut v = Array2::from_shape_simple_fn((N_CHAINS, N_VISIBLE), || {
        (rng.random::<f32>() < 0.5) as u8 as f32
    });
    let start = Instant::now();
    for _ in 0..gibbs_steps {
        v = gibbs_step(&model, v.view(), &mut rng);
    }
    let gibbs_seconds = start.elapsed().as_secs_f64();
    println!(
        "block Gibbs (rbm::gibbs_step, batch {N_CHAINS}, one thread): {:.0} samples/s \
         ({:.3} ms per step of the batch)",
        (gibbs_steps * N_CHAINS) as f64 / gibbs_seconds,
        1e3 * gibbs_seconds / gibbs_steps as f64
    );
    let gibbs_products = time_gibbs_products(&model, gibbs_steps, &mut rng);
    println!(
        "  its two dense products alone (v W^T, h W; batch {N_CHAINS}, one thread): {:.3} ms \
         per step; block Gibbs (what `boltzmann sample` runs) takes {:.2}x their time",
        1e3 * gibbs_products / gibbs_steps as f64,
        gibbs_seconds / gibbs_products
    );
    println!(
        "block Gibbs inside AIS (2 threads, incl. log weights): {:.0} samples/s",
        (steps * N_CHAINS) as f64 / ais_seconds
    );
}

/// The two products of every AIS step, a = v W^T and h W, on blocks of
/// chains spread over rayon's threads as AIS spreads them; nothing else.
fn time_products(model: &Rbm, steps: usize, rng: &mut ChaCha8Rng) -> f64 {
    use rayon::prelude::*;
    let n_blocks = N_CHAINS.div_ceil(CHAINS_PER_BLOCK);
    let inputs: Vec<(Array2<f32>, Array2<f32>)> = (0..n_blocks)
        .map(|_| {
            let v = Array2::from_shape_simple_fn((CHAINS_PER_BLOCK, N_VISIBLE), || {
                (rng.random::<f32>() < 0.5) as u8 as f32
            });
            let h = Array2::from_shape_simple_fn((CHAINS_PER_BLOCK, N_HIDDEN), || {
                (rng.random::<f32>() < 0.5) as u8 as f32
            });
            (v, h)
        })
        .collect();
    let (start, cpu_start) = (Instant::now(), cpu_seconds());
    inputs.into_par_iter().for_each(|(v, h)| {
        let mut a = Array2::zeros((CHAINS_PER_BLOCK, N_HIDDEN));
        let mut b = Array2::zeros((CHAINS_PER_BLOCK, N_VISIBLE));
        for _ in 0..steps {
            general_mat_mul(1.0, &v, &model.weights.t(), 0.0, &mut a);
            general_mat_mul(1.0, &h, &model.weights, 0.0, &mut b);
        }
        std::hint::black_box((&a, &b));
    });
    println!(
        "dense products CPU time (all threads): {:.2} s",
        cpu_seconds() - cpu_start
    );
    start.elapsed().as_secs_f64()
}

/// The two products of `steps` block Gibbs steps of `rbm::gibbs_step` on
/// one batch of chains (the shapes `boltzmann sample` uses), nothing else:
/// the floor of that command's sweeps.
fn time_gibbs_products(model: &Rbm, steps: usize, rng: &mut ChaCha8Rng) -> f64 {
    let v = Array2::from_shape_simple_fn((N_CHAINS, N_VISIBLE), || {
        (rng.random::<f32>() < 0.5) as u8 as f32
    });
    let h = Array2::from_shape_simple_fn((N_CHAINS, N_HIDDEN), || {
        (rng.random::<f32>() < 0.5) as u8 as f32
    });
    let mut a = Array2::zeros((N_CHAINS, N_HIDDEN));
    let mut b = Array2::zeros((N_CHAINS, N_VISIBLE));
    let start = Instant::now();
    for _ in 0..steps {
        general_mat_mul(1.0, &v, &model.weights.t(), 0.0, &mut a);
        general_mat_mul(1.0, &h, &model.weights, 0.0, &mut b);
        std::hint::black_box((&a, &b));
    }
    start.elapsed().as_secs_f64()
}

/// User + system CPU time of this process (all threads) from /proc, in
/// seconds: on a machine shared with other work it shows the cost that wall
/// time hides. NaN where /proc is missing.
fn cpu_seconds() -> f64 {
    let ticks_per_second = 100.0; // USER_HZ on Linux
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // Fields after the command name (in parentheses): utime is the 12th, stime the 13th.
            let rest = &stat[stat.rfind(')')? + 2..];
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / ticks_per_second)
        })
        .unwrap_or(f64::NAN)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
