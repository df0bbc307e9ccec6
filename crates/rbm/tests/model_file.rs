//! Saving and loading models in the TOML format of DESIGN.md.

mod common;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rbm::{Rbm, RbmError};

#[test]
fn save_then_load_gives_the_same_bits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.toml");
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let data = common::bars_and_stripes(3);
    let mut model = Rbm::initialise(4, data.view(), &mut rng);
    model.weights[[0, 0]] = 0.1; // written as 0.1, read back as the same f32
    model.save(&path, false).unwrap();
    assert_eq!(Rbm::load(&path).unwrap(), model);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("format = \"rbm\""), "{text}");
    assert!(text.contains("0.1,") || text.contains("[0.1"), "{text}");
}

#[test]
fn save_refuses_to_overwrite_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.toml");
    let model = Rbm::zeros(3, 2);
    model.save(&path, false).unwrap();
    let err = model.save(&path, false).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    model.save(&path, true).unwrap();
}

#[test]
fn save_refuses_nan() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = Rbm::zeros(3, 2);
    model.visible_bias[2] = f32::NAN;
    let err = model.save(&dir.path().join("m.toml"), false).unwrap_err();
    assert!(err.to_string().contains("visible_bias"), "{err}");
}

fn load_text(text: &str) -> Result<Rbm, RbmError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.toml");
    std::fs::write(&path, text).unwrap();
    Rbm::load(&path)
}

#[test]
fn loading_a_general_boltzmann_machine_is_refused() {
    let err = load_text(
        "format = \"bm\"\nversion = 1\nvisible_bias = [0.0, 0.0]\nhidden_bias = [0.0]\n\
         weights = [[0.5, 0.5]]\nvisible_couplings = [[0.0, 1.0], [1.0, 0.0]]\n",
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, RbmError::NotAnRbm(_)), "{message}");
    assert!(
        message.contains("format") && message.contains("model.toml"),
        "{message}"
    );
}

#[test]
fn malformed_files_are_refused_naming_the_field() {
    let cases = [
        // wrong row length in weights
        (
            "format = \"rbm\"\nversion = 1\nvisible_bias = [0.0, 0.0]\nhidden_bias = [0.0]\nweights = [[0.5]]\n",
            "weights",
        ),
        // an unknown field
        (
            "format = \"rbm\"\nversion = 1\nvisible_bias = [0.0]\nhidden_bias = [0.0]\nweights = [[0.5]]\nbias = 1\n",
            "bias",
        ),
        // a missing field
        (
            "format = \"rbm\"\nversion = 1\nvisible_bias = [0.0]\nweights = [[0.5]]\n",
            "hidden_bias",
        ),
        // a number too large for f32
        (
            "format = \"rbm\"\nversion = 1\nvisible_bias = [0.0]\nhidden_bias = [1e300]\nweights = [[0.5]]\n",
            "hidden_bias",
        ),
    ];
    for (text, field) in cases {
        let message = load_text(text).unwrap_err().to_string();
        assert!(message.contains(field), "expected `{field}` in: {message}");
        assert!(
            message.contains("model.toml"),
            "expected the file name in: {message}"
        );
    }
}

/// The model file's numbers (shortest decimals, some in exponent notation)
/// read back to the very same f32, for any finite values including
/// subnormals, -0 and the extremes of each decade.
#[test]
fn every_written_number_reads_back_to_the_same_bits() {
    use proptest::prelude::*;
    let config = ProptestConfig {
        cases: 32,
        rng_seed: proptest::test_runner::RngSeed::Fixed(7),
        ..ProptestConfig::default()
    };
    // Magnitudes up to 1e6: larger ones are refused by the energy bound.
    let value = any::<u32>()
        .prop_map(f32::from_bits)
        .prop_filter("finite, at most 1e6", |x| x.abs() <= 1e6);
    let values = proptest::collection::vec(value, 3 + 100 + 300); // 3 x 100 RBM
    proptest::test_runner::TestRunner::new(config)
        .run(&values, |values| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("model.toml");
            let mut model = Rbm::zeros(3, 100);
            let all = model
                .visible_bias
                .iter_mut()
                .chain(model.hidden_bias.iter_mut())
                .chain(model.weights.iter_mut());
            for (slot, x) in all.zip(&values) {
                *slot = *x;
            }
            model.save(&path, false).unwrap();
            let back = Rbm::load(&path).unwrap();
            let bits = |m: &Rbm| -> Vec<u32> {
                m.visible_bias
                    .iter()
                    .chain(&m.hidden_bias)
                    .chain(&m.weights)
                    .map(|x| x.to_bits())
                    .collect()
            };
            prop_assert_eq!(bits(&back), bits(&model));
            Ok(())
        })
        .unwrap();
}

#[test]
fn tiny_and_exact_values_read_back_to_the_same_bits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.toml");
    let mut model = Rbm::zeros(4, 2);
    let values = [
        f32::from_bits(1), // the smallest subnormal, 1e-45
        f32::MIN_POSITIVE,
        -0.0,
        1e-7,
        0.1,
        16_777_216.0 / 32.0,
        -1e6,
        123_456.79,
    ];
    model
        .weights
        .iter_mut()
        .zip(values)
        .for_each(|(w, x)| *w = x);
    model.save(&path, false).unwrap();
    let back = Rbm::load(&path).unwrap();
    for (a, b) in back.weights.iter().zip(&values) {
        assert_eq!(a.to_bits(), b.to_bits(), "{b:e} read back as {a:e}");
    }
}
