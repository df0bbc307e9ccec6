//! Parallel tempering on a bimodal RBM where plain block Gibbs is stuck,
//! against the exact p(v); and the checks on ladders.

mod common;

use common::{bimodal_rbm, p_value_against_exact};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rbm::{ParallelTempering, TemperatureLadder, gibbs_step};

const N_VISIBLE: usize = common::BIMODAL_VISIBLE;
const N_CHAINS: usize = 5_000;
const N_SWEEPS: usize = 300;

#[test]
fn tempered_chains_at_beta_one_follow_the_exact_distribution() {
    let model = bimodal_rbm();
    for seed in [1, 2] {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let ladder = TemperatureLadder::geometric(8, 0.05).unwrap();
        let mut pt = ParallelTempering::new(&model, ladder, N_CHAINS, &mut rng).unwrap();
        for _ in 0..N_SWEEPS {
            pt.sweep(&model, &mut rng);
        }
        let p = p_value_against_exact(&model, pt.samples());
        let rates = pt.swap_rates();
        eprintln!("seed {seed}: p = {p:.4}, swap rates {rates:.3?}");
        assert!(p > 1e-3, "seed {seed}: p = {p}");
        assert_eq!(rates.len(), 7);
        assert!(rates.iter().all(|r| *r > 0.0 && *r < 1.0), "{rates:?}");
    }
}

#[test]
fn plain_gibbs_from_one_mode_fails_the_same_check() {
    // The same model, the same number of sweeps, chains started where PT's
    // beta = 1 chains start (all off): block Gibbs alone never finds the
    // "all on" mode, and the check sees it.
    let model = bimodal_rbm();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut v = Array2::zeros((N_CHAINS, N_VISIBLE));
    for _ in 0..N_SWEEPS {
        v = gibbs_step(&model, v.view(), &mut rng);
    }
    let on_fraction = v.mean().unwrap();
    let p = p_value_against_exact(&model, v.view());
    eprintln!("plain Gibbs: p = {p:e}, fraction of units on {on_fraction:.3}");
    assert!(p < 1e-6, "p = {p}");
}

#[test]
fn a_ladder_of_one_temperature_is_plain_gibbs_with_no_swaps() {
    let model = bimodal_rbm();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let ladder = TemperatureLadder::geometric(1, 0.5).unwrap();
    assert_eq!(ladder.betas(), &[1.0]);
    let mut pt = ParallelTempering::new(&model, ladder, 10, &mut rng).unwrap();
    pt.sweep(&model, &mut rng);
    assert!(pt.swap_rates().is_empty());
    assert_eq!(pt.samples().dim(), (10, N_VISIBLE));
}

#[test]
fn bad_ladders_and_zero_chains_are_refused_with_clear_messages() {
    let message = |betas: Vec<f64>| TemperatureLadder::new(betas).unwrap_err().to_string();
    let empty = message(vec![]);
    assert!(
        empty.contains("temperature_ladder") && empty.contains("empty"),
        "{empty}"
    );
    let not_one = message(vec![0.9, 0.5]);
    assert!(
        not_one.contains("starts at 0.9") && not_one.contains("must be 1"),
        "{not_one}"
    );
    let increasing = message(vec![1.0, 0.5, 0.7]);
    assert!(increasing.contains("beta[2] = 0.7"), "{increasing}");
    assert!(increasing.contains("decrease strictly"), "{increasing}");
    let repeated = message(vec![1.0, 0.5, 0.5]);
    assert!(repeated.contains("beta[2] = 0.5"), "{repeated}");
    let zero = message(vec![1.0, 0.0]);
    assert!(zero.contains("above 0"), "{zero}");

    let n = TemperatureLadder::geometric(0, 0.1)
        .unwrap_err()
        .to_string();
    assert!(n.contains("n_temperatures"), "{n}");
    for lowest in [0.0, 1.0, 1.5, f64::NAN] {
        let e = TemperatureLadder::geometric(4, lowest)
            .unwrap_err()
            .to_string();
        assert!(e.contains("lowest_beta"), "{e}");
    }
    let geometric = TemperatureLadder::geometric(3, 0.25).unwrap();
    assert_eq!(geometric.betas(), &[1.0, 0.5, 0.25]);

    let ladder = TemperatureLadder::geometric(3, 0.25).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let e = ParallelTempering::new(&bimodal_rbm(), ladder, 0, &mut rng)
        .unwrap_err()
        .to_string();
    assert!(e.contains("n_chains") && e.contains("is 0"), "{e}");
}
