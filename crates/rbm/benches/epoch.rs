//! One CD-1 epoch at MNIST shape, against the dense floor of this machine.
//!
//! ```console
//! $ cargo bench -p rbm --bench epoch            # 60,000 x 784, 500 hidden, batch 100
//! $ cargo bench -p rbm --bench epoch -- --rows 6000 --skip-reference
//! $ cargo bench -p rbm --bench epoch -- --command-shape   # 8,000 x 784, 200 hidden, batch 10, with monitors
//! $ cargo bench -p rbm --bench epoch -- --command-shape --batch-size 100   # any minibatch size
//! $ cargo bench -p rbm --bench epoch -- --trainer-only    # the trainer's epoch alone (5 times), for a profiler
//! ```
//!
//! The data are the 8,000 training digits of data/mnist-10k, binarised at
//! 0.5 (about 13% ones, like MNIST) and tiled to the requested number of rows.
//! Everything is timed in the same run, so the ratios compare like with like:
//! - the dense floor: per minibatch the five matrix products of CD-1 with
//!   dense operands (V0 W^T, H0 W, V1 W^T, H0^T V0, H1^T V1) into reused
//!   buffers, and nothing else (no sigmoid, no random numbers, no update),
//!   each product cut into blocks of output columns shared over rayon's
//!   threads (matrixmultiply itself runs one thread per call);
//! - the same five products by the `gemm` crate (`numerics::products::gemm_into`,
//!   AVX-512 where the processor has it), each cut in two halves, one per
//!   core: the fastest dense floor found on this machine;
//! - the readable epoch: `cd_gradient` + `Trainer::apply` per minibatch, the
//!   code the book shows (skip with `--skip-reference`);
//! - the trainer's epoch: `Trainer::train_epoch`, the optimised kernels;
//!   with `--command-shape` (the shape of `boltzmann train --data
//!   data/mnist-10k --hidden 200`: 8,000 rows, 200 hidden, and the
//!   command's default minibatches of 10, also for the floor) also the epoch
//!   plus the monitors that command computes after each epoch
//!   (reconstruction error on 1,000 training rows, free-energy gap against
//!   1,000 other rows).
//!
//! Then the least work of a CD-1 epoch: the fractions of ones in v0 (the
//! data), in h0 (sampled from p(h | v0)) and in v1 (sampled from
//! p(v | h0)), measured with the model before and after the epoch, give the
//! multiply-adds left when each of the four products with a binary v and
//! the one with the binary h0 sums only the rows its ones pick, and the
//! time these take at gemm's dense rate: a lower bound for the epoch.
//! The peak resident memory of the process (VmHWM) is printed at the end.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ndarray::linalg::general_mat_mul;
use ndarray::s;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rbm::{Estimator, Rbm, TrainConfig, Trainer, cd_gradient};

/// Minibatch size of the benchmark, unless `--command-shape` says otherwise.
const BATCH_SIZE: usize = 100;
/// Rows of each monitor set of `boltzmann train` (its MONITOR_EXAMPLES).
const MONITOR_ROWS: usize = 1000;

struct Options {
    rows: usize,
    n_hidden: usize,
    batch_size: usize,
    skip_reference: bool,
    trainer_only: bool,
    with_monitors: bool,
    estimator: Estimator,
}

fn options() -> Options {
    let mut options = Options {
        rows: 60_000,
        n_hidden: 500,
        batch_size: BATCH_SIZE,
        skip_reference: false,
        trainer_only: false,
        with_monitors: false,
        estimator: Estimator::Cd { k: 1 },
    };
    let mut batch_size = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--batch-size" => {
                batch_size = args.next().and_then(|s| s.parse().ok());
                assert!(batch_size > Some(0), "--batch-size needs a number > 0");
            }
            "--rows" => {
                options.rows = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--rows needs a number")
            }
            "--hidden" => {
                options.n_hidden = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--hidden needs a number")
            }
            "--command-shape" => {
                (options.rows, options.n_hidden) = (8000, 200);
                // The command's own settings: minibatches of 10 by default.
                options.batch_size = TrainConfig::default().batch_size;
                options.with_monitors = true;
            }
            "--skip-reference" => options.skip_reference = true,
            "--trainer-only" => options.trainer_only = true,
            "--pcd" => options.estimator = Estimator::Pcd { k: 1, n_chains: 0 },
            _ => {} // cargo bench passes --bench
        }
    }
    options.batch_size = batch_size.unwrap_or(options.batch_size);
    if let Estimator::Pcd { n_chains, .. } = &mut options.estimator {
        *n_chains = options.batch_size; // one persistent chain per example
    }
    options
}

fn mnist_like(rows: usize) -> Array2<f32> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist-10k");
    let (images, _, _) = datasets::load_idx_folder(folder, "train").expect("data/mnist-10k");
    let binary = images.mapv(|x| if x > 0.5 { 1.0f32 } else { 0.0 });
    let order: Vec<usize> = (0..rows).map(|r| r % binary.nrows()).collect();
    binary.select(Axis(0), &order)
}

/// c = alpha a b + beta c, with the columns of b and c cut in halves until
/// at most 128 wide, the halves shared over rayon's threads.
fn par_mat_mul(
    alpha: f32,
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    beta: f32,
    c: ArrayViewMut2<f32>,
) {
    if c.ncols() <= 128 {
        let mut c = c;
        general_mat_mul(alpha, &a, &b, beta, &mut c);
        return;
    }
    let mid = c.ncols() / 2;
    let (b_left, b_right) = b.split_at(Axis(1), mid);
    let (c_left, c_right) = c.split_at(Axis(1), mid);
    rayon::join(
        || par_mat_mul(alpha, a, b_left, beta, c_left),
        || par_mat_mul(alpha, a, b_right, beta, c_right),
    );
}

/// c = a b, the dense product that a floor times.
type Product = fn(ArrayView2<f32>, ArrayView2<f32>, ArrayViewMut2<f32>);

/// c = a b by [`par_mat_mul`].
fn par_mat_mul_into(a: ArrayView2<f32>, b: ArrayView2<f32>, c: ArrayViewMut2<f32>) {
    par_mat_mul(1.0, a, b, 0.0, c);
}

/// The five products of one CD-1 minibatch, dense, into reused buffers, by
/// `product` (`par_mat_mul_into` or `par_gemm`); the two statistics into
/// buffers of their own.
fn dense_floor(
    data: ArrayView2<f32>,
    weights: ArrayView2<f32>,
    batch_size: usize,
    product: Product,
) -> Duration {
    let (n_hidden, n_visible) = weights.dim();
    let mut h0 = Array2::<f32>::zeros((batch_size, n_hidden));
    let mut v1 = Array2::<f32>::zeros((batch_size, n_visible));
    let mut h1 = Array2::<f32>::zeros((batch_size, n_hidden));
    let mut positive = Array2::<f32>::zeros((n_hidden, n_visible));
    let mut negative = Array2::<f32>::zeros((n_hidden, n_visible));
    let start = Instant::now();
    for batch in data.axis_chunks_iter(Axis(0), batch_size) {
        if batch.nrows() != batch_size {
            continue;
        }
        product(batch, weights.t(), h0.view_mut());
        product(h0.view(), weights, v1.view_mut());
        product(v1.view(), weights.t(), h1.view_mut());
        product(h0.t(), batch, positive.view_mut());
        product(h1.t(), v1.view(), negative.view_mut());
    }
    std::hint::black_box((&positive, &negative));
    start.elapsed()
}

/// c = a b by `numerics::products::gemm_into` (the `gemm` crate, AVX-512
/// where present) on each block, the columns of c cut once, in two halves,
/// one per core.
fn par_gemm(a: ArrayView2<f32>, b: ArrayView2<f32>, c: ArrayViewMut2<f32>) {
    let mid = c.ncols() / 2;
    let (b_left, b_right) = b.split_at(Axis(1), mid);
    let (c_left, c_right) = c.split_at(Axis(1), mid);
    rayon::join(
        || numerics::products::gemm_into(a, b_left, c_left),
        || numerics::products::gemm_into(a, b_right, c_right),
    );
}

/// Fractions of ones in v0 (the data), h0 (sampled from p(h | v0)) and
/// v1 (sampled from p(v | h0)) for `model` on the first 1,000 rows.
fn densities(model: &Rbm, data: ArrayView2<f32>) -> [f64; 3] {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let v0 = data.slice(s![..MONITOR_ROWS.min(data.nrows()), ..]);
    let h0 = rbm::sample_bernoulli(model.hidden_probabilities(v0).view(), &mut rng);
    let v1 = rbm::sample_bernoulli(model.visible_probabilities(h0.view()).view(), &mut rng);
    let mean = |x: ArrayView2<f32>| f64::from(x.mean().unwrap_or(0.0));
    [mean(v0), mean(h0.view()), mean(v1.view())]
}

/// The least arithmetic a CD-1 epoch needs, and the time it takes at the
/// rate `gemm` reaches on dense products. Of the five products, four have
/// a binary operand (W v0 and the positive statistics: v0; W v1 and the
/// negative statistics: v1) and one (h0 W) a binary sampled h0: a product
/// with a binary operand of density rho is a sum of rho of the rows, rho
/// of the dense multiply-adds (as additions). Returns (multiply-adds per
/// epoch, seconds at the dense rate).
fn minimal_work(dense_macs: f64, gemm_seconds: f64, rho: [f64; 3]) -> (f64, f64) {
    let [v0, h0, v1] = rho;
    let per_product = dense_macs / 5.0;
    let minimal = per_product * (2.0 * v0 + h0 + 2.0 * v1);
    (minimal, minimal / (dense_macs / gemm_seconds))
}

fn config(estimator: Estimator, batch_size: usize) -> TrainConfig {
    TrainConfig {
        learning_rate: 0.05,
        batch_size,
        epochs: 1,
        estimator,
        seed: 42,
        ..TrainConfig::default()
    }
}

/// The readable path: what `Trainer::step` did before the kernels.
fn readable_epoch(start: &Rbm, data: ArrayView2<f32>, batch_size: usize) -> Duration {
    let config = config(Estimator::Cd { k: 1 }, batch_size);
    let mut trainer = Trainer::new(start.clone(), config).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let timer = Instant::now();
    let mut order: Vec<usize> = (0..data.nrows()).collect();
    order.shuffle(&mut rng);
    for rows in order.chunks(batch_size) {
        let batch = data.select(Axis(0), rows);
        let gradient = cd_gradient(trainer.rbm(), batch.view(), 1, &mut rng);
        trainer.apply(&gradient, 0.5);
    }
    timer.elapsed()
}

/// `Trainer::train_epoch`, then (with `with_monitors`) the monitors of
/// `boltzmann train`; returns the times of both and the trained model.
fn trainer_epoch(
    start: &Rbm,
    data: ArrayView2<f32>,
    options: &Options,
    with_monitors: bool,
) -> (Duration, Duration, Rbm) {
    let config = config(options.estimator, options.batch_size);
    let mut trainer = Trainer::new(start.clone(), config).unwrap();
    let timer = Instant::now();
    trainer.train_epoch(data);
    let elapsed = timer.elapsed();
    let rows = MONITOR_ROWS.min(data.nrows() / 2);
    let (train, other) = (
        data.slice(s![..rows, ..]),
        data.slice(s![rows..2 * rows, ..]),
    );
    let timer = Instant::now();
    // As `boltzmann train` measures them: the two monitors side by side.
    let (error, gap) = rayon::join(
        || rbm::reconstruction_error(trainer.rbm(), train),
        || with_monitors.then(|| rbm::free_energy_gap(trainer.rbm(), train, other)),
    );
    std::hint::black_box(gap);
    let monitors = timer.elapsed();
    println!("  (reconstruction error after one epoch on {rows} rows: {error:.2})");
    (elapsed, monitors, trainer.rbm().clone())
}

fn peak_resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let options = options();
    let data = mnist_like(options.rows);
    let ones = data.mean().unwrap_or(0.0);
    println!(
        "data: {} x {} binary ({:.1}% ones), {} hidden, batch {}, f32, {:?}, {} threads",
        data.nrows(),
        data.ncols(),
        100.0 * ones,
        options.n_hidden,
        options.batch_size,
        options.estimator,
        rayon::current_num_threads()
    );
    let start = Rbm::initialise(
        options.n_hidden,
        data.view(),
        &mut ChaCha8Rng::seed_from_u64(1),
    );
    if options.trainer_only {
        // For a profiler, or to compare builds on a busy machine: the
        // trainer's epoch alone, five times, the fastest and the median.
        let mut times: Vec<f64> = (0..5)
            .map(|_| trainer_epoch(&start, data.view(), &options, false).0)
            .map(|d| d.as_secs_f64())
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "Trainer::train_epoch: {:.3} s (fastest of 5; median {:.3} s)",
            times[0], times[2]
        );
        return;
    }
    let floor = dense_floor(
        data.view(),
        start.weights.view(),
        options.batch_size,
        par_mat_mul_into,
    );
    println!(
        "dense floor (5 dense products per minibatch): {:.3} s",
        floor.as_secs_f64()
    );
    let gemm_time = dense_floor(
        data.view(),
        start.weights.view(),
        options.batch_size,
        par_gemm,
    );
    let batch_size = options.batch_size;
    let full_batches = (data.nrows() / batch_size) as f64;
    let dense_macs = 5.0 * full_batches * (batch_size * data.ncols() * options.n_hidden) as f64;
    println!(
        "dense floor by gemm (AVX-512 where present): {:.3} s = {:.2} x the matrixmultiply floor; {:.1} GFLOP/s",
        gemm_time.as_secs_f64(),
        gemm_time.as_secs_f64() / floor.as_secs_f64(),
        2.0 * dense_macs / gemm_time.as_secs_f64() / 1e9
    );
    let ratio = |d: Duration| d.as_secs_f64() / floor.as_secs_f64();
    if !options.skip_reference {
        let readable = readable_epoch(&start, data.view(), options.batch_size);
        println!(
            "readable epoch (cd_gradient + apply): {:.3} s = {:.2} x floor",
            readable.as_secs_f64(),
            ratio(readable)
        );
    }
    let (fast, monitors, trained) =
        trainer_epoch(&start, data.view(), &options, options.with_monitors);
    println!(
        "Trainer::train_epoch: {:.3} s = {:.2} x floor",
        fast.as_secs_f64(),
        ratio(fast)
    );
    if options.with_monitors {
        println!(
            "train_epoch + monitors of `boltzmann train`: {:.3} s = {:.2} x floor",
            (fast + monitors).as_secs_f64(),
            ratio(fast + monitors)
        );
    }
    let rho_start = densities(&start, data.view());
    let rho_end = densities(&trained, data.view());
    let rho: [f64; 3] = std::array::from_fn(|i| (rho_start[i] + rho_end[i]) / 2.0);
    let (minimal, seconds) = minimal_work(dense_macs, gemm_time.as_secs_f64(), rho);
    println!(
        "densities (mean of start and end of the epoch): v0 {:.3}, h0 {:.3}, v1 {:.3} \
         (start {:.3}/{:.3}/{:.3}, end {:.3}/{:.3}/{:.3})",
        rho[0],
        rho[1],
        rho[2],
        rho_start[0],
        rho_start[1],
        rho_start[2],
        rho_end[0],
        rho_end[1],
        rho_end[2]
    );
    println!(
        "minimal work: {:.2} G multiply-adds (of {:.2} G dense) = {:.3} s at gemm's dense rate; \
         Trainer::train_epoch = {:.2} x that",
        minimal / 1e9,
        dense_macs / 1e9,
        seconds,
        fast.as_secs_f64() / seconds
    );
    if let Some(mib) = peak_resident_mib() {
        println!("peak resident memory (VmHWM): {mib:.0} MiB");
    }
}
