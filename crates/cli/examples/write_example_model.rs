//! Write the shipped example model data/models/rbm-9x4.toml: an RBM with 9
//! visible and 4 hidden units whose parameters are drawn from N(0, 0.1^2)
//! with seed 42.
//!
//! ```console
//! cargo run -p boltzmann-cli --example write_example_model -- data/models/rbm-9x4.toml [--force]
//! ```

use std::process::ExitCode;

use bm_exact::{Model, Rbm};
use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

const N_VISIBLE: usize = 9;
const N_HIDDEN: usize = 4;
const SEED: u64 = 42;
const STD_DEV: f64 = 0.1;

/// The example RBM: weights, then visible bias, then hidden bias, drawn in
/// that order from N(0, STD_DEV^2) with a ChaCha8 generator seeded with SEED.
pub fn example_rbm() -> Rbm {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let normal = Normal::new(0.0, STD_DEV).expect("a positive standard deviation");
    let mut draw = |n: usize| -> Vec<f64> { (0..n).map(|_| normal.sample(&mut rng)).collect() };
    let weights = Array2::from_shape_vec((N_HIDDEN, N_VISIBLE), draw(N_HIDDEN * N_VISIBLE))
        .expect("n_hidden * n_visible values");
    let visible_bias = Array1::from(draw(N_VISIBLE));
    let hidden_bias = Array1::from(draw(N_HIDDEN));
    Rbm::new(visible_bias, hidden_bias, weights).expect("finite parameters")
}

#[allow(dead_code)] // the shipped-model test includes this file for `example_rbm`
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let force = args.iter().any(|a| a == "--force");
    let Some(path) = args.iter().find(|a| *a != "--force") else {
        eprintln!("usage: write_example_model OUT.toml [--force]");
        return ExitCode::from(2);
    };
    let rbm = example_rbm();
    match Model::Rbm(rbm).save(path, force) {
        Ok(()) => {
            println!("wrote an RBM with {N_VISIBLE} visible and {N_HIDDEN} hidden units to {path}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(if e.is_bad_input() { 2 } else { 1 })
        }
    }
}
