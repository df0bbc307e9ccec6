//! One Langevin step of a 784-256-256-1 swish MLP on a batch of 128 in f32,
//! against the dense matrix products the step needs, timed in the same run.
//!
//! ```console
//! $ cargo bench -p ebm-langevin --bench langevin_step
//! $ cargo bench -p ebm-langevin --bench langevin_step -- --fast-only
//! ```
//!
//! - the dense floor: the six products of the forward and backward pass
//!   (X W1^T, H1 W2^T, H2 w3^T, delta3 W3, delta2 W2, delta1 W1) into reused
//!   buffers, nothing else;
//! - the fast step: `samplers::ula_step_batched`, the network's batched pass
//!   into reused buffers, the noise and the update
//!   x <- x - eps grad E + sqrt(2 eps) xi;
//! - the readable step: `Mlp::energies_and_input_grads` (the code the book
//!   shows) plus the noise and the update, for comparison.
//!
//! Each is timed `REPEATS` times after a warm-up; the median is reported, and
//! the ratios to the floor. For a comparison with PyTorch
//! (`bench/langevin_torch.py`), `--fast-only` times only the fast step, in
//! five runs of `REPEATS` steps, and prints the minimum and median of the
//! runs' mean times per step, as that script does.

use std::time::{Duration, Instant};

use ebm_langevin::samplers::{LangevinWorkspace, ula_step_batched};
use ebm_langevin::{Activation, Mlp, Workspace};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, Zip};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

const BATCH: usize = 128;
const SIZES: [usize; 4] = [784, 256, 256, 1];
const REPEATS: usize = 200;
const STEP_SIZE: f64 = 1e-3;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time(mut f: impl FnMut()) -> Duration {
    for _ in 0..10 {
        f();
    }
    median(
        (0..REPEATS)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
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
        "ours (Rust, f32, 784-256-256-1 swish, batch {BATCH}): min {:.3} ms, median {:.3} ms per step (5 runs of {REPEATS})",
        per_step[0], per_step[2]
    );
}

fn main() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let net: Mlp<f32> = Mlp::<f64>::new(&SIZES, Activation::Swish, &mut rng)
        .expect("valid sizes")
        .cast();
    let mut x = Array2::from_shape_simple_fn((BATCH, SIZES[0]), || rng.random::<f32>());
    if std::env::args().any(|a| a == "--fast-only") {
        return fast_only(&net, &mut x, &mut rng);
    }
    let w = |l: usize| &net.layers[l].weights;

    // The dense floor.
    let mut a1 = Array2::<f32>::zeros((BATCH, 256));
    let mut a2 = Array2::<f32>::zeros((BATCH, 256));
    let mut a3 = Array2::<f32>::zeros((BATCH, 1));
    let mut d2 = Array2::<f32>::zeros((BATCH, 256));
    let mut d1 = Array2::<f32>::zeros((BATCH, 256));
    let mut gx = Array2::<f32>::zeros((BATCH, 784));
    let floor = time(|| {
        general_mat_mul(1.0, &x, &w(0).t(), 0.0, &mut a1);
        general_mat_mul(1.0, &a1, &w(1).t(), 0.0, &mut a2);
        general_mat_mul(1.0, &a2, &w(2).t(), 0.0, &mut a3);
        general_mat_mul(1.0, &a3, w(2), 0.0, &mut d2);
        general_mat_mul(1.0, &d2, w(1), 0.0, &mut d1);
        general_mat_mul(1.0, &d1, w(0), 0.0, &mut gx);
    });

    // The fast step, and its network pass alone.
    let mut ws = LangevinWorkspace::default();
    let fast = time(|| ula_step_batched(&net, &mut x, STEP_SIZE, 1.0, &mut ws, &mut rng));
    let mut pass = Workspace::default();
    let fast_pass = time(|| net.energies_and_input_grads_into(x.view(), &mut pass));

    // The readable step.
    let eps = STEP_SIZE as f32;
    let noise_scale = (2.0 * eps).sqrt();
    let readable = time(|| {
        let (_, grad) = net.energies_and_input_grads(x.view());
        Zip::from(&mut x).and(&grad).for_each(|x, &g| {
            let z: f32 = rng.sample(StandardNormal);
            *x += -eps * g + noise_scale * z;
        });
    });

    println!("784-256-256-1 swish MLP, batch {BATCH}, f32, median of {REPEATS}:");
    println!("  dense floor (6 matrix products): {:.3} ms", ms(floor));
    println!(
        "  fast step (ula_step_batched: energies, input gradients, noise, update): {:.3} ms",
        ms(fast)
    );
    println!(
        "    of which energies and input gradients (energies_and_input_grads_into): {:.3} ms",
        ms(fast_pass)
    );
    println!(
        "  readable step (energies_and_input_grads, ziggurat noise, update): {:.3} ms",
        ms(readable)
    );
    println!("  ratio fast step / floor: {:.2}", ms(fast) / ms(floor));
    println!(
        "  ratio fast energies and input gradients / floor: {:.2}",
        ms(fast_pass) / ms(floor)
    );
    println!(
        "  ratio readable step / floor: {:.2}",
        ms(readable) / ms(floor)
    );
}
