//! One Langevin step of a 784-256-256-1 swish MLP on a batch of 128 in f32,
//! against the dense matrix products the step needs, timed in the same run.
//!
//! ```console
//! $ cargo bench -p ebm-langevin --bench langevin_step
//! ```
//!
//! - the dense floor: the six products of the forward and backward pass
//!   (X W1^T, H1 W2^T, H2 w3^T, delta3 W3, delta2 W2, delta1 W1) into reused
//!   buffers, nothing else;
//! - the step: `Mlp::energies_and_input_grads` plus the noise and the update
//!   x <- x - eps grad E + sqrt(2 eps) xi, the code the book shows.
//!
//! The median of the repetitions is reported, and the ratio step / floor.

use std::time::{Duration, Instant};

use ebm_langevin::{Activation, Mlp};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, Zip};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

const BATCH: usize = 128;
const SIZES: [usize; 4] = [784, 256, 256, 1];
const REPEATS: usize = 200;

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

fn main() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let net: Mlp<f32> = Mlp::<f64>::new(&SIZES, Activation::Swish, &mut rng)
        .expect("valid sizes")
        .cast();
    let mut x = Array2::from_shape_simple_fn((BATCH, SIZES[0]), || rng.random::<f32>());
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

    // The step.
    let eps = 1e-3f32;
    let noise_scale = (2.0 * eps).sqrt();
    let step = time(|| {
        let (_, grad) = net.energies_and_input_grads(x.view());
        Zip::from(&mut x).and(&grad).for_each(|x, &g| {
            let z: f32 = rng.sample(StandardNormal);
            *x += -eps * g + noise_scale * z;
        });
    });
    let forward = time(|| {
        std::hint::black_box(net.energies(x.view()));
    });
    let grads = time(|| {
        std::hint::black_box(net.energies_and_input_grads(x.view()));
    });
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("784-256-256-1 swish MLP, batch {BATCH}, f32, median of {REPEATS}:");
    println!("  dense floor (6 matrix products): {:.3} ms", ms(floor));
    println!(
        "  Langevin step (energies, input gradients, noise, update): {:.3} ms",
        ms(step)
    );
    println!(
        "  of which the forward pass: {:.3} ms, forward and backward: {:.3} ms",
        ms(forward),
        ms(grads)
    );
    println!("  ratio step / floor: {:.2}", ms(step) / ms(floor));
}
