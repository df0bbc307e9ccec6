//! Property tests: every experiment configuration parser never panics, on
//! arbitrary text or on the smoke configurations with one value replaced.

use std::path::Path;

use experiments::ais_vs_exact::config::AisVsExactConfig;
use experiments::cd_bias::config::CdBiasConfig;
use experiments::config::load;
use experiments::mnist_rbm::config::MnistRbmConfig;
use proptest::prelude::*;

fn smoke(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(format!("configs/{name}.smoke.toml"))).unwrap()
}

/// Load `text` as each configuration type; errors are fine, panics are not.
fn load_all(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, text).unwrap();
    let _ = load::<CdBiasConfig>(&path);
    let _ = load::<AisVsExactConfig>(&path);
    let _ = load::<MnistRbmConfig>(&path);
}

/// The `k`-th value after an `=` replaced by `value`.
fn replace_value(text: &str, k: usize, value: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let with_values: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains('='))
        .collect();
    let Some(&i) = with_values.get(k % with_values.len().max(1)) else {
        return text.to_string();
    };
    let key = lines[i].split('=').next().unwrap();
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[i] = format!("{key}= {value}");
    out.join("\n")
}

fn nasty_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("1e308".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("18446744073709551615".to_string()),
        Just("9223372036854775807".to_string()),
        Just("[]".to_string()),
        Just("\"\"".to_string()),
        Just("[0]".to_string()),
        any::<i64>().prop_map(|x| x.to_string()),
        any::<f64>().prop_map(|x| format!("{x:e}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        rng_seed: proptest::test_runner::RngSeed::Fixed(42),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        load_all(&text);
    }

    #[test]
    fn one_value_replaced_never_panics(
        which in 0usize..3,
        k in 0usize..60,
        value in nasty_value(),
    ) {
        let name = ["cd-bias", "ais-vs-exact", "mnist-rbm"][which];
        load_all(&replace_value(&smoke(name), k, &value));
    }
}
