//! Each value type accepts its boundary values and refuses the first value
//! outside, with a message that names the field when read from TOML.

use config::{
    Fraction, Momentum, NonNegative, Positive, PositiveCount, ProperFraction, TomlError,
    from_toml_str,
};
use serde::Deserialize;

/// The next f64 above / below `x` (x finite, not 0).
fn next_up(x: f64) -> f64 {
    f64::from_bits(x.to_bits() + 1)
}
fn next_down(x: f64) -> f64 {
    f64::from_bits(x.to_bits() - 1)
}

#[test]
fn positive_count_starts_at_one() {
    assert_eq!(PositiveCount::new(1).unwrap().get(), 1);
    assert_eq!(PositiveCount::new(usize::MAX).unwrap().get(), usize::MAX);
    let err = PositiveCount::new(0).unwrap_err();
    assert_eq!(err.to_string(), "is 0; expected a whole number >= 1");
}

#[test]
fn positive_excludes_zero_and_infinity() {
    let smallest = f64::from_bits(1); // the smallest positive f64
    assert!(Positive::new(smallest).is_ok());
    assert!(Positive::new(f64::MAX).is_ok());
    assert!(Positive::new(f32::MIN_POSITIVE).is_ok());
    for bad in [0.0, -0.0, -smallest, f64::INFINITY, f64::NAN] {
        let err = Positive::new(bad).unwrap_err();
        assert!(
            err.to_string().ends_with("expected a finite number > 0"),
            "{err}"
        );
    }
    assert!(Positive::new(f32::INFINITY).is_err());
}

#[test]
fn non_negative_includes_zero() {
    assert!(NonNegative::new(0.0).is_ok());
    assert!(NonNegative::new(-0.0f32).is_ok());
    assert!(NonNegative::new(f64::MAX).is_ok());
    for bad in [-f64::from_bits(1), f64::INFINITY, f64::NAN] {
        let err = NonNegative::new(bad).unwrap_err();
        assert_eq!(err.expected, "a finite number >= 0");
    }
}

#[test]
fn fraction_includes_both_ends() {
    for good in [0.0, 1.0, 0.5] {
        assert_eq!(Fraction::new(good).unwrap().get(), good);
    }
    for bad in [next_up(1.0), -f64::from_bits(1), f64::NAN] {
        let err = Fraction::new(bad).unwrap_err();
        assert_eq!(err.expected, "a number in [0, 1]", "{bad}");
    }
    assert!(Fraction::new(1.0f32).is_ok());
}

#[test]
fn proper_fraction_and_momentum_exclude_one() {
    for good in [0.0, next_down(1.0)] {
        assert!(ProperFraction::new(good).is_ok());
        assert!(Momentum::new(good).is_ok());
    }
    assert!(Momentum::new(0.999_999_94f32).is_ok()); // the largest f32 below 1
    for bad in [1.0, -f64::from_bits(1), f64::NAN] {
        assert_eq!(
            ProperFraction::new(bad).unwrap_err().to_string(),
            format!("is {bad}; expected a number in [0, 1)")
        );
        let err = Momentum::new(bad).unwrap_err().to_string();
        assert!(err.contains("never decays"), "{err}");
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // the fields are read by the parser only
struct Example {
    seed: u64,
    train: Train,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Train {
    n_hidden: PositiveCount,
    #[serde(deserialize_with = "config::de::positive")]
    learning_rate: f32,
    momentum: Momentum<f32>,
    #[serde(deserialize_with = "config::de::positive_counts")]
    ks: Vec<usize>,
}

fn read(text: &str) -> Result<Example, TomlError> {
    from_toml_str(text)
}

#[test]
fn toml_errors_name_table_and_key() {
    let good =
        "seed = 1\n[train]\nn_hidden = 2\nlearning_rate = 0.1\nmomentum = 0.5\nks = [1, 2]\n";
    let parsed = read(good).unwrap();
    assert_eq!(parsed.train.ks, vec![1, 2]);
    for (bad, key, needle) in [
        ("n_hidden = 2", "n_hidden = 0", "train.n_hidden"),
        (
            "learning_rate = 0.1",
            "learning_rate = -0.1",
            "train.learning_rate",
        ),
        (
            "learning_rate = 0.1",
            "learning_rate = inf",
            "train.learning_rate",
        ),
        ("momentum = 0.5", "momentum = 1.0", "train.momentum"),
        ("ks = [1, 2]", "ks = [1, 0]", "train.ks"),
        ("seed = 1", "seed = -1", "seed"),
        ("n_hidden = 2", "n_hiden = 2", "train.n_hiden"),
    ] {
        let text = good.replace(bad, key);
        let err = read(&text).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with(&format!("field `{needle}`: ")),
            "{key}: {message}"
        );
        assert!(!message.contains('\n'), "one line: {message}");
    }
    // A missing field names no wrong key.
    let err = read(&good.replace("momentum = 0.5\n", "")).unwrap_err();
    assert!(
        matches!(&err, TomlError::Syntax(m) if m.contains("momentum")),
        "{err}"
    );
}
