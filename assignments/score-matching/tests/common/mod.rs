//! Gaussian data and Gaussian models (`ebm_langevin::Toy`, E = -log p, so
//! grad E(y) = y / v for N(0, v I)), and a random MLP energy.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use ebm_langevin::{Activation, Mlp, Toy};
use ndarray::{Array2, array};
use rand::Rng;
use rand_distr::StandardNormal;

pub use classroom_testkit::seeded;

/// N(0, variance I) in 2-D, as an energy.
pub fn gaussian_model(variance: f64) -> Toy {
    Toy::Mixture {
        weights: vec![1.0],
        means: array![[0.0, 0.0]],
        std: variance.sqrt(),
    }
}

/// `n` points of N(0, variance I) in 2-D.
pub fn gaussian_data(n: usize, variance: f64, seed: u64) -> Array2<f64> {
    let mut rng = seeded(seed);
    Array2::from_shape_simple_fn((n, 2), || {
        variance.sqrt() * rng.sample::<f64, _>(StandardNormal)
    })
}

/// A 2-16-16-1 MLP energy with random weights.
pub fn random_mlp(seed: u64) -> Mlp<f64> {
    Mlp::new(&[2, 16, 16, 1], Activation::Swish, &mut seeded(seed)).expect("valid sizes")
}

/// The largest |a - b| over two arrays of equal shape.
pub fn max_abs_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim(), "shapes differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}
