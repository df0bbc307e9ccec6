//! Times log Z by enumeration: an RBM with 784 visible units and 20 or 25
//! hidden units (2^20 and 2^25 hidden states), and a general Boltzmann machine
//! with 24 units (2^24 states).
//!
//! log Z of the RBMs is timed twice: the plain reference path and the fast
//! kernels of the `numerics` crate.
//!
//! Run with `cargo bench -p bm-exact` (or `just bench`). Set
//! `BENCH_QUICK=1` to skip the 25-hidden case. Ratios in the same run compare
//! the cost per state of each case with the cost of one softplus sum.

use std::time::Instant;

use bm_exact::numerics::softplus;
use bm_exact::{BoltzmannMachine, Parameters, Rbm};
use ndarray::{Array1, Array2};
use numerics::sum_softplus;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn random_rbm(n_visible: usize, n_hidden: usize, rng: &mut impl Rng) -> Rbm {
    let mut normal = |scale: f64| scale * (rng.random::<f64>() * 2.0 - 1.0);
    Rbm::new(
        Array1::from_shape_fn(n_visible, |_| normal(1.0)),
        Array1::from_shape_fn(n_hidden, |_| normal(1.0)),
        Array2::from_shape_fn((n_hidden, n_visible), |_| normal(0.1)),
    )
    .expect("valid")
}

fn random_bm(n_visible: usize, n_hidden: usize, rng: &mut impl Rng) -> BoltzmannMachine {
    let rbm = random_rbm(n_visible, n_hidden, rng);
    let mut couplings = |n: usize| {
        let mut a = Array2::from_shape_fn((n, n), |_| 0.3 * (rng.random::<f64>() * 2.0 - 1.0));
        a = &a + &a.t();
        a.diag_mut().fill(0.0);
        a
    };
    let p = Parameters {
        visible_couplings: Some(couplings(n_visible)),
        hidden_couplings: Some(couplings(n_hidden)),
        ..rbm.to_parameters()
    };
    BoltzmannMachine::from_parameters(p).expect("valid")
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64())
}

fn main() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    println!("threads: {}", rayon::current_num_threads());

    // Baseline in the same run: one softplus sum over 784 values, scalar and fast.
    let a: Vec<f64> = (0..784)
        .map(|_| rng.random::<f64>() * 20.0 - 10.0)
        .collect();
    let reps = 20_000;
    let (s1, scalar) = time(|| {
        (0..reps)
            .map(|_| a.iter().map(|&x| softplus(x)).sum::<f64>())
            .sum::<f64>()
    });
    let (s2, fast) = time(|| {
        (0..reps)
            .map(|_| sum_softplus(std::hint::black_box(&a)))
            .sum::<f64>()
    });
    assert!((s1 - s2).abs() <= 1e-9 * s1.abs());
    let per_scalar = scalar / reps as f64;
    let per_fast = fast / reps as f64;
    println!(
        "softplus sum over 784 values: scalar {:.2} us, fast {:.2} us ({:.1}x)",
        per_scalar * 1e6,
        per_fast * 1e6,
        per_scalar / per_fast
    );

    let mut cases = vec![20];
    if std::env::var_os("BENCH_QUICK").is_none() {
        cases.push(25);
    }
    for n_hidden in cases {
        let rbm = random_rbm(784, n_hidden, &mut rng);
        let states = (1u64 << n_hidden) as f64;
        // The plain reference path (what every result of bm-exact uses) and
        // the fast kernels of the `numerics` crate, on the same model.
        let (log_z, secs) = time(|| rbm.log_partition().expect("feasible"));
        let (log_z_fast, secs_fast) = time(|| rbm.log_partition_fast().expect("feasible"));
        assert!((log_z - log_z_fast).abs() <= 1e-12 * log_z.abs());
        println!(
            "RBM 784 x {n_hidden}: log Z = {log_z:.6}; plain {secs:.3} s ({:.1} ns per state), \
             fast {secs_fast:.3} s ({:.1} ns per state, {:.2}x one single-thread fast softplus \
             sum per state; {:.1}x faster than plain)",
            secs / states * 1e9,
            secs_fast / states * 1e9,
            secs_fast / states / per_fast,
            secs / secs_fast
        );
    }
    let bm = random_bm(12, 12, &mut rng);
    let (log_z, secs) = time(|| bm.log_partition().expect("feasible"));
    println!(
        "general BM with 24 units: log Z = {log_z:.6}, {secs:.3} s ({:.1} ns per state)",
        secs / (1u64 << 24) as f64 * 1e9
    );
}
