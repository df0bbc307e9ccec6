//! Sampled CD-k and PCD against the exact expectations of the oracle.

mod common;

use bm_exact::Parameters;
use common::{MeanAndVariance, bars_and_stripes, max_abs_z, random_exact_rbm};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rbm::{Gradient, PersistentChains, Rbm, cd_gradient};

/// Independent draws of the CD-k estimate on the full data set.
const N_DRAWS: usize = 20_000;

fn flat(g: &Gradient) -> Vec<f64> {
    Parameters::flatten(&g.to_exact())
}

fn check_cd_k_is_unbiased_for_the_expected_update(k: usize) {
    let data = bars_and_stripes(3); // 14 patterns of 9 units
    let mut rng = ChaCha8Rng::seed_from_u64(20 + k as u64);
    let exact = random_exact_rbm(9, 4, 0.8, &mut rng);
    let model = Rbm::from_exact(&exact);
    let expected = exact
        .expected_cd_update(data.mapv(f64::from).view(), k)
        .unwrap();

    let mut stats = MeanAndVariance::new(Parameters::flatten(&expected).len());
    for _ in 0..N_DRAWS {
        stats.add(&flat(&cd_gradient(&model, data.view(), k, &mut rng)));
    }
    let z = max_abs_z(
        stats.mean(),
        &stats.standard_errors(),
        &Parameters::flatten(&expected),
    );
    eprintln!("CD-{k} against the expected CD-{k} update: max |z| = {z:.2}");
    assert!(z < 5.0, "CD-{k}: max |z| = {z}");
}

#[test]
fn cd_1_matches_the_exact_expected_update() {
    check_cd_k_is_unbiased_for_the_expected_update(1);
}

#[test]
fn cd_3_matches_the_exact_expected_update() {
    check_cd_k_is_unbiased_for_the_expected_update(3);
}

/// The comparison has teeth: CD-1 draws are far from the expected CD-3
/// update of a model where the two differ.
#[test]
fn cd_1_does_not_match_the_expected_cd_3_update() {
    let data = bars_and_stripes(3);
    let mut rng = ChaCha8Rng::seed_from_u64(30);
    let exact = random_exact_rbm(9, 4, 2.0, &mut rng);
    let model = Rbm::from_exact(&exact);
    let expected_cd_3 = exact
        .expected_cd_update(data.mapv(f64::from).view(), 3)
        .unwrap();
    let mut stats = MeanAndVariance::new(Parameters::flatten(&expected_cd_3).len());
    for _ in 0..N_DRAWS / 4 {
        stats.add(&flat(&cd_gradient(&model, data.view(), 1, &mut rng)));
    }
    let z = max_abs_z(
        stats.mean(),
        &stats.standard_errors(),
        &Parameters::flatten(&expected_cd_3),
    );
    eprintln!("CD-1 against the expected CD-3 update: max |z| = {z:.2}");
    assert!(z > 10.0, "CD-1 looked like CD-3: max |z| = {z}");
}

/// With the model fixed (learning rate 0), the PCD chains sample p(v), so the
/// PCD estimates average to the exact log-likelihood gradient, eq. (4.3).
/// Successive estimates are correlated (the chains persist), so the standard
/// error comes from batch means: the average of each block of
/// `BLOCK` updates counts as one sample.
#[test]
fn pcd_averages_to_the_exact_gradient() {
    const N_UPDATES: usize = 40_000;
    const BLOCK: usize = 500;
    const BURN_IN: usize = 200;
    let data = bars_and_stripes(3);
    let mut rng = ChaCha8Rng::seed_from_u64(40);
    let exact = random_exact_rbm(9, 4, 0.8, &mut rng);
    let model = Rbm::from_exact(&exact);
    let gradient = exact
        .log_likelihood_gradient(data.mapv(f64::from).view())
        .unwrap();

    let mut chains = PersistentChains::new(1, &model, &mut rng);
    for _ in 0..BURN_IN {
        chains.gradient(&model, data.view(), 1, &mut rng);
    }
    let len = Parameters::flatten(&gradient).len();
    let mut block_means = MeanAndVariance::new(len);
    for _ in 0..N_UPDATES / BLOCK {
        let mut block = vec![0.0; len];
        for _ in 0..BLOCK {
            let g = flat(&chains.gradient(&model, data.view(), 1, &mut rng));
            block
                .iter_mut()
                .zip(g)
                .for_each(|(b, x)| *b += x / BLOCK as f64);
        }
        block_means.add(&block);
    }
    assert_eq!(chains.states().dim(), (1, 9));
    let z = max_abs_z(
        block_means.mean(),
        &block_means.standard_errors(),
        &Parameters::flatten(&gradient),
    );
    eprintln!("PCD against the exact gradient: max |z| = {z:.2}");
    assert!(z < 5.0, "PCD: max |z| = {z}");
}
