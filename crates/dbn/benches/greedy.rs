//! One greedy-pretraining epoch and one fine-tuning epoch at MNIST shape,
//! each against its reference, timed in the same run.
//!
//! ```console
//! $ cargo bench -p dbn --bench greedy                 # 8,000 digits, 784 x 500, batch 100
//! $ cargo bench -p dbn --bench greedy -- --rows 60000
//! ```
//!
//! - greedy: `train_greedy` with one 784 x 500 layer for one epoch, against
//!   `rbm::Trainer::train_epoch` on the same data from the same start (the
//!   ratio should be about 1: the same kernels, plus the initialisation);
//! - fine-tuning: one epoch of `fine_tune` on a 784-500-500-10 net, against
//!   the dense matrix products that backpropagation needs per minibatch
//!   (forward, weight gradients, deltas), into reused buffers, nothing else.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use dbn::{Classifier, FineTuneConfig, GreedyConfig, LayerConfig, UpPass, fine_tune, train_greedy};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rbm::{Estimator, Rbm, TrainConfig, Trainer};

const N_HIDDEN: usize = 500;
const BATCH_SIZE: usize = 100;
const SIZES: [usize; 4] = [784, 500, 500, 10];

fn rows_option() -> usize {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--rows" {
            return args
                .next()
                .and_then(|s| s.parse().ok())
                .expect("--rows needs a number");
        }
    }
    8000
}

fn digits(rows: usize) -> (Array2<f32>, Vec<usize>) {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist-10k");
    let (images, labels, _) = datasets::load_idx_folder(folder, "train").expect("data/mnist-10k");
    let binary = images.mapv(|x| if x > 0.5 { 1.0f32 } else { 0.0 });
    let order: Vec<usize> = (0..rows).map(|r| r % binary.nrows()).collect();
    let labels = order.iter().map(|&r| usize::from(labels[r])).collect();
    (binary.select(Axis(0), &order), labels)
}

fn train_config() -> TrainConfig {
    TrainConfig {
        learning_rate: 0.05,
        batch_size: BATCH_SIZE,
        epochs: 1,
        estimator: Estimator::Cd { k: 1 },
        seed: 42,
        ..TrainConfig::default()
    }
}

fn greedy_epoch(data: ArrayView2<f32>) -> Duration {
    let config = GreedyConfig {
        seed: 1,
        up_pass: UpPass::Probabilities,
        layers: vec![LayerConfig {
            n_hidden: N_HIDDEN,
            train: train_config(),
        }],
    };
    let start = Instant::now();
    let net = train_greedy(data, None, &config, &mut |_| ()).unwrap();
    std::hint::black_box(net);
    start.elapsed()
}

fn trainer_epoch(data: ArrayView2<f32>) -> Duration {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    rng.set_stream(1);
    let start_rbm = Rbm::initialise(N_HIDDEN, data, &mut rng);
    let mut trainer = Trainer::new(start_rbm, train_config()).unwrap();
    let start = Instant::now();
    trainer.train_epoch(data);
    std::hint::black_box(trainer.rbm());
    start.elapsed()
}

fn fine_tune_epoch(data: ArrayView2<f32>, labels: &[usize]) -> Duration {
    let mut net = Classifier::random(&SIZES[..3], SIZES[3], &mut ChaCha8Rng::seed_from_u64(2));
    let config = FineTuneConfig {
        learning_rate: 0.1,
        momentum: 0.9,
        weight_decay: 0.0,
        batch_size: BATCH_SIZE,
        epochs: 1,
        seed: 3,
    };
    let start = Instant::now();
    fine_tune(&mut net, data, labels, &config, &mut |_, _| ()).unwrap();
    std::hint::black_box(&net);
    start.elapsed()
}

/// Per minibatch: a_k = a_{k-1} W_k^T for each layer, the weight gradients
/// delta_k^T a_{k-1}, and the deltas delta_{k+1} W_{k+1} below the top.
fn dense_products(data: ArrayView2<f32>) -> Duration {
    let weights: Vec<Array2<f32>> = SIZES
        .windows(2)
        .map(|w| Array2::from_elem((w[1], w[0]), 0.01))
        .collect();
    let mut activities: Vec<Array2<f32>> = SIZES[1..]
        .iter()
        .map(|&n| Array2::zeros((BATCH_SIZE, n)))
        .collect();
    let mut deltas = activities.clone();
    let mut gradients: Vec<Array2<f32>> = weights.iter().map(|w| Array2::zeros(w.dim())).collect();
    let start = Instant::now();
    for batch in data.axis_chunks_iter(Axis(0), BATCH_SIZE) {
        if batch.nrows() != BATCH_SIZE {
            continue;
        }
        for k in 0..weights.len() {
            let (done, rest) = activities.split_at_mut(k);
            let below = if k == 0 { batch } else { done[k - 1].view() };
            general_mat_mul(1.0, &below, &weights[k].t(), 0.0, &mut rest[0]);
        }
        for k in (0..weights.len()).rev() {
            let below = if k == 0 {
                batch
            } else {
                activities[k - 1].view()
            };
            general_mat_mul(1.0, &deltas[k].t(), &below, 0.0, &mut gradients[k]);
            if k > 0 {
                let (lower, upper) = deltas.split_at_mut(k);
                general_mat_mul(1.0, &upper[0], &weights[k], 0.0, &mut lower[k - 1]);
            }
        }
    }
    std::hint::black_box(&gradients);
    start.elapsed()
}

/// Time `a` and `b` alternately (A B A B ...), `rounds` times each, so that
/// both see the same load; return their medians.
fn interleaved(
    rounds: usize,
    mut a: impl FnMut() -> Duration,
    mut b: impl FnMut() -> Duration,
) -> (Duration, Duration) {
    let (mut times_a, mut times_b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        times_a.push(a());
        times_b.push(b());
    }
    (median(times_a), median(times_b))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

const ROUNDS: usize = 5;

fn main() {
    let rows = rows_option();
    let (data, labels) = digits(rows);
    println!(
        "{rows} binarised digits, batch {BATCH_SIZE}; medians of {ROUNDS} interleaved runs (A B A B)"
    );
    let (greedy, trainer) = interleaved(
        ROUNDS,
        || greedy_epoch(data.view()),
        || trainer_epoch(data.view()),
    );
    println!(
        "greedy epoch, 784 x {N_HIDDEN}:        {:8.3} s   Trainer::train_epoch: {:8.3} s   ratio {:.2}",
        greedy.as_secs_f64(),
        trainer.as_secs_f64(),
        greedy.as_secs_f64() / trainer.as_secs_f64()
    );
    let (tuned, dense) = interleaved(
        ROUNDS,
        || fine_tune_epoch(data.view(), &labels),
        || dense_products(data.view()),
    );
    println!(
        "fine-tuning epoch, 784-500-500-10: {:8.3} s   dense products:       {:8.3} s   ratio {:.2}",
        tuned.as_secs_f64(),
        dense.as_secs_f64(),
        tuned.as_secs_f64() / dense.as_secs_f64()
    );
}
