//! Public tests: run them with `cargo test --offline`.

mod common;

use assignment_mnist::{Rbm, TrainConfig, pcd_gradient, train_pcd};
use ndarray::{Array1, Array2};
use rand::SeedableRng;

#[test]
fn pcd_gradient_advances_its_chains() {
    // No weights, visible bias +30: one Gibbs step turns every chain on.
    let rbm = Rbm {
        visible_bias: Array1::from_elem(3, 30.0),
        hidden_bias: Array1::zeros(2),
        weights: Array2::zeros((2, 3)),
    };
    let batch = Array2::zeros((4, 3));
    let mut chains = Array2::zeros((5, 3));
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(81);
    let gradient = pcd_gradient(&rbm, batch.view(), &mut chains, &mut rng);
    assert_eq!(
        chains,
        Array2::ones((5, 3)),
        "after one Gibbs step every chain must be on"
    );
    assert!(
        gradient
            .visible_bias
            .iter()
            .all(|&g| (g + 1.0).abs() < 1e-12),
        "visible-bias gradient: data mean 0 minus chain mean 1 = -1, got {}",
        gradient.visible_bias
    );
}

#[test]
fn training_raises_the_exact_log_likelihood() {
    let data = common::digits("train", 300);
    let mut rbm = Rbm {
        visible_bias: Array1::zeros(784),
        hidden_bias: Array1::zeros(8),
        weights: Array2::zeros((8, 784)),
    };
    let before = common::log_likelihood(&rbm, &data);
    let config = TrainConfig {
        epochs: 3,
        batch_size: 20,
        learning_rate: 0.05,
        n_chains: 20,
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(82);
    train_pcd(&mut rbm, data.view(), &config, &mut rng);
    let after = common::log_likelihood(&rbm, &data);
    assert!(
        after > before + 100.0,
        "mean log-likelihood {before:.1} -> {after:.1} nats per digit: it should rise by more than 100"
    );
}
