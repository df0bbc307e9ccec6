//! The `format = "ebm"` file: round trip, and one error per bad field.

use std::path::Path;

use ebm_langevin::{Activation, Mlp};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const GOOD: &str = r#"
format = "ebm"
version = 1
activation = "softplus"
[[layers]]
weights = [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]
bias = [0.0, 0.5, -0.5]
[[layers]]
weights = [[1.0, 2.0, 0.5]]
bias = [0.1]
"#;

fn error_of(text: &str) -> String {
    Mlp::from_toml(text, Path::new("m.toml"))
        .unwrap_err()
        .to_string()
}

#[test]
fn reads_the_documented_layout() {
    let net = Mlp::from_toml(GOOD, Path::new("m.toml")).unwrap();
    assert_eq!(net.sizes(), vec![2, 3, 1]);
    assert_eq!(net.activation, Activation::Softplus);
    assert_eq!(net.layers[1].bias[0], 0.1);
}

#[test]
fn round_trips_exactly() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let net = Mlp::<f64>::new(&[3, 7, 5, 1], Activation::Swish, &mut rng).unwrap();
    let back = Mlp::from_toml(&net.to_toml(), Path::new("m.toml")).unwrap();
    assert_eq!(net, back);
}

#[test]
fn save_refuses_to_overwrite_without_permission() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.toml");
    let net = Mlp::from_toml(GOOD, Path::new("m.toml")).unwrap();
    net.save(&path, false).unwrap();
    assert!(
        net.save(&path, false)
            .unwrap_err()
            .to_string()
            .contains("--force")
    );
    net.save(&path, true).unwrap();
    assert_eq!(Mlp::load(&path).unwrap(), net);
}

#[test]
fn each_bad_field_is_named() {
    let cases = [
        (GOOD.replace("\"ebm\"", "\"rbm\""), "field `format`"),
        (
            GOOD.replace("version = 1", "version = 2"),
            "field `version`",
        ),
        (
            GOOD.replace("\"softplus\"", "\"relu\""),
            "field `activation`",
        ),
        (
            GOOD.replace("bias = [0.1]", "bias = [0.1, 0.2]"),
            "field `layers[1].bias`",
        ),
        (
            GOOD.replace("[[1.0, 2.0, 0.5]]", "[[1.0, 2.0]]"),
            "field `layers[1].weights`: 2 columns, expected 3",
        ),
        (
            GOOD.replace("[[1.0, 2.0, 0.5]]", "[[1.0, 2.0, 0.5], [1.0, 2.0, 0.5]]")
                .replace("bias = [0.1]", "bias = [0.1, 0.1]"),
            "last layer must have one output",
        ),
        (
            GOOD.replace("[0.0, 1.0], [-1.0", "[0.0], [-1.0"),
            "field `layers[0].weights`: row 1 has 1 values",
        ),
        (
            GOOD.replace("bias = [0.0, 0.5, -0.5]", "bias = [0.0, nan, -0.5]"),
            "field `layers[0].bias`: value 1 is not finite",
        ),
        (
            GOOD.replace("version = 1", "version = 1\ntemperature = 2"),
            "unknown field `temperature`",
        ),
        (
            GOOD.replace("activation = \"softplus\"", ""),
            "missing field `activation`",
        ),
    ];
    for (text, needle) in cases {
        let message = error_of(&text);
        assert!(message.contains(needle), "{message} lacks {needle}");
        assert!(message.starts_with("m.toml"), "{message}");
    }
}

/// The example on the book's notation page is a valid model file.
#[test]
fn the_notation_page_example_loads() {
    let page = include_str!("../../../book/src/notation.md");
    let start = page
        .find("```toml\nformat = \"ebm\"")
        .expect("the ebm example")
        + "```toml\n".len();
    let text = &page[start..start + page[start..].find("```").unwrap()];
    let net = Mlp::from_toml(text, Path::new("notation.md")).unwrap();
    assert_eq!(net.sizes(), vec![2, 3, 1]);
    assert_eq!(net.activation, Activation::Swish);
}
