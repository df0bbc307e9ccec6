//! The matrix products of one Langevin step of a 784-256-256-1 MLP, one by
//! one, by ndarray's `general_mat_mul` (the `matrixmultiply` crate) and by
//! the `gemm` crate (`numerics::products::gemm_into`), on one
//! thread, for blocks of 32, 64 and 128 rows, timed in turns (A B A B ...).
//!
//! ```console
//! $ cargo bench -p ebm-langevin --bench products
//! ```
//!
//! For a block of r rows the step computes (W_l is (n_out, n_in), row-major):
//! forward X W1^T (r x 784 by 784 x 256), H1 W2^T (r x 256 by 256 x 256),
//! H2 w3^T (r x 256 by 256 x 1); backward d3 w3 (r x 1 by 1 x 256),
//! D2 W2 (r x 256 by 256 x 256), D1 W1 (r x 256 by 256 x 784).
//! Each line prints the median call of each kernel and their ratio.

use std::time::{Duration, Instant};

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2};
use numerics::products::gemm_into;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const ROUNDS: usize = 30;
const CALLS: usize = 20;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn random(shape: (usize, usize), rng: &mut impl Rng) -> Array2<f32> {
    Array2::from_shape_simple_fn(shape, || rng.random_range(-1.0..1.0))
}

/// The median call of each kernel on a times b, in turns.
fn time_pair(a: ArrayView2<f32>, b: ArrayView2<f32>) -> (Duration, Duration, f32) {
    let mut c1 = Array2::zeros((a.nrows(), b.ncols()));
    let mut c2 = c1.clone();
    let (mut t1, mut t2) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS + 1 {
        for _ in 0..CALLS {
            let start = Instant::now();
            general_mat_mul(1.0, &a, &b, 0.0, &mut c1);
            let elapsed = start.elapsed();
            if round > 0 {
                t1.push(elapsed);
            }
        }
        for _ in 0..CALLS {
            let start = Instant::now();
            gemm_into(a, b, c2.view_mut());
            let elapsed = start.elapsed();
            if round > 0 {
                t2.push(elapsed);
            }
        }
    }
    let diff = c1
        .iter()
        .zip(&c2)
        .map(|(x, y)| (x - y).abs() / (1.0 + x.abs()))
        .fold(0.0, f32::max);
    (median(t1), median(t2), diff)
}

fn main() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let w1 = random((256, 784), &mut rng);
    let w2 = random((256, 256), &mut rng);
    let w3 = random((1, 256), &mut rng);
    println!("f32 products on one thread: median call (us), ndarray/matrixmultiply vs gemm");
    let mut totals = [[0.0; 2]; 3];
    for (i, rows) in [32, 64, 128].into_iter().enumerate() {
        let x = random((rows, 784), &mut rng);
        let h = random((rows, 256), &mut rng);
        let d3 = random((rows, 1), &mut rng);
        let shapes: [(&str, ArrayView2<f32>, ArrayView2<f32>); 6] = [
            ("X W1^T   ", x.view(), w1.t()),
            ("H1 W2^T  ", h.view(), w2.t()),
            ("H2 w3^T  ", h.view(), w3.t()),
            ("d3 w3    ", d3.view(), w3.view()),
            ("D2 W2    ", h.view(), w2.view()),
            ("D1 W1    ", h.view(), w1.view()),
        ];
        for (name, a, b) in shapes {
            let (t1, t2, diff) = time_pair(a, b);
            let flops = 2.0 * (a.nrows() * a.ncols() * b.ncols()) as f64;
            let us = |d: Duration| d.as_secs_f64() * 1e6;
            println!(
                "  {rows:>3} rows  {name} ({}x{} by {}x{}): matrixmultiply {:8.1}  gemm {:8.1}  ratio {:.2}  ({:.0} vs {:.0} GFLOP/s, max rel diff {diff:.1e})",
                a.nrows(),
                a.ncols(),
                b.nrows(),
                b.ncols(),
                us(t1),
                us(t2),
                us(t1) / us(t2),
                flops / t1.as_secs_f64() * 1e-9,
                flops / t2.as_secs_f64() * 1e-9,
            );
            totals[i][0] += us(t1) * (128 / rows) as f64;
            totals[i][1] += us(t2) * (128 / rows) as f64;
        }
    }
    println!("the six products for a batch of 128 rows in blocks, one thread (us):");
    for (rows, [t1, t2]) in [32, 64, 128].iter().zip(totals) {
        println!(
            "  blocks of {rows:>3} rows: matrixmultiply {t1:8.1}  gemm {t2:8.1}  ratio {:.2}",
            t1 / t2
        );
    }
}
