//! One Langevin step of a 784-256-256-1 swish MLP on a batch of 128 in f32,
//! against the dense matrix products the step needs, on one thread and on
//! two, timed in the same run.
//!
//! ```console
//! $ cargo bench -p ebm-langevin --bench langevin_step
//! $ cargo bench -p ebm-langevin --bench langevin_step -- --fast-only
//! ```
//!
//! - the products: the six products of the forward and backward pass
//!   (X W1^T, H1 W2^T, H2 w3^T, delta3 W3, delta2 W2, delta1 W1) into reused
//!   buffers, nothing else, by the fast step's kernel (the `gemm` crate);
//!   on one thread over the whole batch, on two threads over the fast
//!   step's chunks of `CHUNK_ROWS` rows in parallel; and on one thread by
//!   ndarray's `general_mat_mul` (`matrixmultiply`), the kernel before;
//! - the fast step: `samplers::ula_step_batched` (the network's batched pass
//!   per chunk, the noise and the update x <- x - eps grad E + sqrt(2 eps) xi),
//!   on a rayon pool of one thread and of two;
//! - MALA on the fast path (`samplers::mala_step_batched`, two passes of the
//!   network per step), on two threads;
//! - the readable step: `Mlp::energies_and_input_grads` (the code the book
//!   shows) plus the noise and the update, on one thread, for comparison.
//!
//! The variants are timed in turns (A B A B ...), `ROUNDS` rounds of
//! `REPEATS / ROUNDS` calls each after a warm-up, and the median call is
//! reported, with the ratios. The goals: the two-thread step within 1.3x of
//! the two-thread products, and twice as fast as the one-thread step as
//! nearly as the products allow. `--fast-only` times only the fast step on
//! the default pool (`RAYON_NUM_THREADS`, else one thread per core), in five
//! runs of `REPEATS` steps, and prints the minimum and median of the runs'
//! mean times per step, as `bench/langevin_torch.py` does.

use std::time::{Duration, Instant};

use ebm_langevin::numerics::Real;
use ebm_langevin::samplers::{CHUNK_ROWS, LangevinWorkspace, mala_step_batched, ula_step_batched};
use ebm_langevin::{Activation, Mlp};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, Axis, Zip};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

const BATCH: usize = 128;
const SIZES: [usize; 4] = [784, 256, 256, 1];
const REPEATS: usize = 200;
const ROUNDS: usize = 40;
const STEP_SIZE: f64 = 1e-3;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
}

/// Five runs of REPEATS fast steps: min and median of the mean per step.
fn fast_only(net: &Mlp<f32>, x: &mut Array2<f32>, rng: &mut ChaCha8Rng) {
    let mut ws = LangevinWorkspace::default();
    for _ in 0..10 {
        ula_step_batched(net, x, STEP_SIZE, 1.0, &mut ws, rng);
    }
    let mut per_step: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..REPEATS {
                ula_step_batched(net, x, STEP_SIZE, 1.0, &mut ws, rng);
            }
            ms(start.elapsed()) / REPEATS as f64
        })
        .collect();
    per_step.sort_by(f64::total_cmp);
    println!(
        "ours (Rust, f32, 784-256-256-1 swish, batch {BATCH}, {} threads): min {:.3} ms, median {:.3} ms per step (5 runs of {REPEATS})",
        rayon::current_num_threads(),
        per_step[0],
        per_step[2]
    );
}

/// Buffers for the six products of one block of `rows` rows.
struct Products {
    a1: Array2<f32>,
    a2: Array2<f32>,
    a3: Array2<f32>,
    d2: Array2<f32>,
    d1: Array2<f32>,
    gx: Array2<f32>,
}

impl Products {
    fn new(rows: usize) -> Self {
        let z = |cols| Array2::zeros((rows, cols));
        Products {
            a1: z(SIZES[1]),
            a2: z(SIZES[2]),
            a3: z(1),
            d2: z(SIZES[2]),
            d1: z(SIZES[1]),
            gx: z(SIZES[0]),
        }
    }

    /// The six products of the step for the rows `x`, by the kernel the
    /// fast step uses (`Real::mat_mul_into`: the `gemm` crate for f32).
    fn run(&mut self, net: &Mlp<f32>, x: ArrayView2<f32>) {
        let w = |l: usize| net.layers[l].weights.view();
        f32::mat_mul_into(x, w(0).t(), self.a1.view_mut());
        f32::mat_mul_into(self.a1.view(), w(1).t(), self.a2.view_mut());
        f32::mat_mul_into(self.a2.view(), w(2).t(), self.a3.view_mut());
        f32::mat_mul_into(self.a3.view(), w(2), self.d2.view_mut());
        f32::mat_mul_into(self.d2.view(), w(1), self.d1.view_mut());
        f32::mat_mul_into(self.d1.view(), w(0), self.gx.view_mut());
    }

    /// The same six products by ndarray's `general_mat_mul` (the
    /// `matrixmultiply` crate), the fast step's kernel before `gemm`.
    fn run_matrixmultiply(&mut self, net: &Mlp<f32>, x: ArrayView2<f32>) {
        let w = |l: usize| &net.layers[l].weights;
        general_mat_mul(1.0, &x, &w(0).t(), 0.0, &mut self.a1);
        general_mat_mul(1.0, &self.a1, &w(1).t(), 0.0, &mut self.a2);
        general_mat_mul(1.0, &self.a2, &w(2).t(), 0.0, &mut self.a3);
        general_mat_mul(1.0, &self.a3, w(2), 0.0, &mut self.d2);
        general_mat_mul(1.0, &self.d2, w(1), 0.0, &mut self.d1);
        general_mat_mul(1.0, &self.d1, w(0), 0.0, &mut self.gx);
    }
}

/// A function timed call by call, in turns with the others.
type Timed<'a> = (&'a str, Box<dyn FnMut() + 'a>);

/// Time each variant in `ROUNDS` turns of `REPEATS / ROUNDS` calls after a
/// warm-up of 10 calls; the median call of each.
fn time_in_turns(variants: &mut [Timed]) -> Vec<Duration> {
    let mut times = vec![Vec::new(); variants.len()];
    for (_, f) in variants.iter_mut() {
        (0..10).for_each(|_| f());
    }
    for _ in 0..ROUNDS {
        for ((_, f), t) in variants.iter_mut().zip(&mut times) {
            for _ in 0..REPEATS / ROUNDS {
                let start = Instant::now();
                f();
                t.push(start.elapsed());
            }
        }
    }
    times.into_iter().map(median).collect()
}

fn main() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let net: Mlp<f32> = Mlp::<f64>::new(&SIZES, Activation::Swish, &mut rng)
        .expect("valid sizes")
        .cast();
    let x0 = Array2::from_shape_simple_fn((BATCH, SIZES[0]), || rng.random::<f32>());
    if std::env::args().any(|a| a == "--fast-only") {
        return fast_only(&net, &mut x0.clone(), &mut rng);
    }
    let (one, two) = (pool(1), pool(2));
    let (net, x0) = (&net, &x0);

    let mut whole = Products::new(BATCH);
    let mut whole_mm = Products::new(BATCH);
    let mut chunks: Vec<Products> = x0
        .axis_chunks_iter(Axis(0), CHUNK_ROWS)
        .map(|rows| Products::new(rows.nrows()))
        .collect();
    let (mut x1, mut x2, mut xm) = (x0.clone(), x0.clone(), x0.clone());
    let (mut ws1, mut ws2, mut wsm) = (
        LangevinWorkspace::default(),
        LangevinWorkspace::default(),
        LangevinWorkspace::default(),
    );
    let (mut r1, mut r2, mut rm) = (rng.clone(), rng.clone(), rng.clone());
    let mut accepted = 0;
    let mut variants: Vec<Timed> = vec![
        (
            "products, 1 thread",
            Box::new(|| one.install(|| whole.run(net, x0.view()))),
        ),
        (
            "products by matrixmultiply, 1 thread",
            Box::new(|| one.install(|| whole_mm.run_matrixmultiply(net, x0.view()))),
        ),
        (
            "products, 2 threads",
            Box::new(|| {
                two.install(|| {
                    chunks
                        .par_iter_mut()
                        .zip(x0.axis_chunks_iter(Axis(0), CHUNK_ROWS).collect::<Vec<_>>())
                        .for_each(|(p, rows)| p.run(net, rows))
                })
            }),
        ),
        (
            "fast step, 1 thread",
            Box::new(|| {
                one.install(|| ula_step_batched(net, &mut x1, STEP_SIZE, 1.0, &mut ws1, &mut r1))
            }),
        ),
        (
            "fast step, 2 threads",
            Box::new(|| {
                two.install(|| ula_step_batched(net, &mut x2, STEP_SIZE, 1.0, &mut ws2, &mut r2))
            }),
        ),
        (
            "MALA step, 2 threads",
            Box::new(|| {
                accepted += two
                    .install(|| mala_step_batched(net, &mut xm, STEP_SIZE, 1.0, &mut wsm, &mut rm))
            }),
        ),
    ];
    let t = time_in_turns(&mut variants);
    drop(variants);
    let names = [
        "products (6 matrix products, gemm), 1 thread",
        "the same products by matrixmultiply (the kernel before gemm), 1 thread",
        "products, 2 threads (chunks of CHUNK_ROWS rows in parallel)",
        "fast step (ula_step_batched), 1 thread",
        "fast step, 2 threads",
        "MALA step (mala_step_batched), 2 threads",
    ];

    let mut x = x0.clone();
    let eps = STEP_SIZE as f32;
    let noise_scale = (2.0 * eps).sqrt();
    let readable = median(
        (0..20)
            .map(|_| {
                let start = Instant::now();
                let (_, grad) = net.energies_and_input_grads(x.view());
                Zip::from(&mut x).and(&grad).for_each(|x, &g| {
                    let z: f32 = rng.sample(StandardNormal);
                    *x += -eps * g + noise_scale * z;
                });
                start.elapsed()
            })
            .collect(),
    );

    println!(
        "784-256-256-1 swish MLP, batch {BATCH}, f32, chunks of {CHUNK_ROWS} rows, median call, {ROUNDS} rounds in turns:"
    );
    for (name, d) in names.iter().zip(&t) {
        println!("  {name}: {:.3} ms", ms(*d));
    }
    println!(
        "  readable step (energies_and_input_grads, ziggurat noise, update), 1 thread: {:.3} ms",
        ms(readable)
    );
    let acceptance = accepted as f64 / ((REPEATS + 10) * BATCH) as f64;
    println!(
        "  MALA throughput: {:.0} chain steps per second (acceptance {acceptance:.2} at eps = {STEP_SIZE})",
        BATCH as f64 / t[5].as_secs_f64()
    );
    println!("ratios (goal: 2-thread step / 2-thread products <= 1.3):");
    println!(
        "  2-thread step / 2-thread products: {:.2}",
        ms(t[4]) / ms(t[2])
    );
    println!(
        "  1-thread step / 1-thread products: {:.2}",
        ms(t[3]) / ms(t[0])
    );
    println!(
        "  1-thread step / 2-thread step (speed-up): {:.2}",
        ms(t[3]) / ms(t[4])
    );
    println!(
        "  1-thread products / 2-thread products (speed-up): {:.2}",
        ms(t[0]) / ms(t[2])
    );
    println!(
        "  matrixmultiply products / gemm products, 1 thread: {:.2}",
        ms(t[1]) / ms(t[0])
    );
    println!(
        "  MALA step / 2-thread ULA step: {:.2}",
        ms(t[5]) / ms(t[4])
    );
    println!(
        "  readable step / 1-thread fast step: {:.2}",
        ms(readable) / ms(t[3])
    );
}
