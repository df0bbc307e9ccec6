//! Hidden tests: the grader runs them; students see only how many passed.

mod common;

use assignment_contrastive_divergence::cd_update;
use rand::SeedableRng;

#[test]
fn cd3_averages_to_the_expected_cd3_update() {
    // A model where CD-1 and CD-3 differ by about 0.26 in some entries, many
    // standard errors: a chain that does not run k steps is caught.
    let rbm = common::random_rbm(4, 3, 3.0, 6);
    let data = common::data(&[0b0001, 0b0111, 0b1110], 4);
    assert!(common::largest_z(&rbm, &data, 3, 3000, 45) < 5.0);
}

#[test]
fn cd_update_has_the_data_minus_chain_sign() {
    // Visible bias +4: the chain's v_k is mostly on, the data are all off, so
    // the visible-bias update must be clearly negative.
    let rbm = bm_exact::Rbm::new(
        ndarray::array![4.0, 4.0],
        ndarray::array![0.0],
        ndarray::array![[0.0, 0.0]],
    )
    .unwrap();
    let data = common::data(&[0, 0, 0, 0], 2);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(46);
    let update = cd_update(&rbm, data.view(), 1, &mut rng);
    assert!(update.visible_bias.iter().all(|&x| x < -0.5));
}

#[test]
fn cd1_on_a_wide_rbm() {
    let rbm = common::random_rbm(3, 5, 1.5, 47);
    let data = common::data(&[0b011, 0b110], 3);
    assert!(common::largest_z(&rbm, &data, 1, 3000, 48) < 5.0);
}
