//! Public tests: run them with `cargo test --offline`. They are statistical,
//! with fixed seeds: a correct solution passes them with any seed but rarely.

mod common;

use assignment_contrastive_divergence::sample_bernoulli;
use ndarray::array;
use rand::SeedableRng;

#[test]
fn sample_bernoulli_is_binary_with_the_right_mean() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(41);
    let p = array![0.0, 0.2, 0.9, 1.0];
    let mut mean = array![0.0, 0.0, 0.0, 0.0];
    for _ in 0..20_000 {
        let x = sample_bernoulli(&p, &mut rng);
        assert!(
            x.iter().all(|&xi| xi == 0.0 || xi == 1.0),
            "samples are 0 or 1, got {x}"
        );
        mean += &(x / 20_000.0);
    }
    // Standard error of a frequency at most 0.5 / sqrt(20000) = 0.0035.
    assert!(
        (&mean - &p).iter().all(|d| d.abs() < 0.02),
        "mean of the samples {mean}, expected {p}"
    );
}

#[test]
fn cd1_averages_to_the_expected_update() {
    let rbm = common::random_rbm(4, 3, 1.5, 42);
    let data = common::data(&[0b0011, 0b1100, 0b1010], 4);
    let z = common::largest_z(&rbm, &data, 1, 3000, 43);
    assert!(
        z < 5.0,
        "the mean of 3000 CD-1 estimates is {z:.1} standard errors from the exact expected update (eq. 5.3)"
    );
}
