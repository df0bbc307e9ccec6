//! Property tests: the f32 numerics and free energies stay finite for
//! activations up to 1e30.

use proptest::prelude::*;
use rbm::numerics::{sigmoid, softplus};

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(42),
        ..ProptestConfig::default()
    })]

    #[test]
    fn scalar_numerics_are_finite_up_to_1e30(x in -1e30f32..1e30) {
        prop_assert!(softplus(x).is_finite() && softplus(x) >= 0.0);
        prop_assert!((0.0..=1.0).contains(&sigmoid(x)));
    }

    #[test]
    fn free_energies_are_finite_up_to_1e30(
        params in proptest::collection::vec(-1e30f32..1e30, 6 + 3 + 18),
        v in proptest::collection::vec(0u8..2, 6),
    ) {
        let model = rbm::Rbm {
            visible_bias: ndarray::Array1::from(params[..6].to_vec()),
            hidden_bias: ndarray::Array1::from(params[6..9].to_vec()),
            weights: ndarray::Array2::from_shape_vec((3, 6), params[9..].to_vec()).unwrap(),
        };
        let v = ndarray::Array2::from_shape_fn((1, 6), |(_, j)| f32::from(v[j]));
        let f = model.free_energy(v.view());
        prop_assert!(f[0].is_finite(), "F = {}", f[0]);
        let p = model.hidden_probabilities(v.view());
        prop_assert!(p.iter().all(|p| (0.0..=1.0).contains(p)));
    }
}
