//! Property tests: the model-file parser never panics, on arbitrary text or
//! on valid files with one value replaced, cut short or spliced; and the
//! plain numerics and free energies stay finite for activations up to 1e30.

use bm_exact::Model;
use bm_exact::numerics::{LogSumExp, log_sum_exp, sigmoid, softplus};
use proptest::prelude::*;

const VALID: &str = "format = \"rbm\"\nversion = 1\nvisible_bias = [0.1, -0.2, 0.0]\n\
                     hidden_bias = [0.0, 0.5]\nweights = [[0.1, 0.2, 0.3], [0.0, -0.1, 0.4]]\n";

const VALID_BM: &str = "format = \"bm\"\nversion = 1\nvisible_bias = [0.1, -0.2]\n\
                        hidden_bias = [0.5]\nweights = [[0.1, 0.2]]\n\
                        visible_couplings = [[0.0, 0.3], [0.3, 0.0]]\nhidden_couplings = [[0.0]]\n";

/// Values that have broken parsers before: huge, tiny, not numbers, empty.
fn nasty_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("1e309".to_string()),
        Just("-1e308".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("18446744073709551616".to_string()),
        Just("[]".to_string()),
        Just("[[]]".to_string()),
        Just("\"x\"".to_string()),
        Just("".to_string()),
        any::<f64>().prop_map(|x| format!("{x:e}")),
        "[-0-9.e\\[\\], ]{0,20}",
    ]
}

/// A valid file with the `k`-th number-like token replaced.
fn replace_token(text: &str, k: usize, value: &str) -> String {
    let spans: Vec<(usize, usize)> = regex_lite_spans(text);
    if spans.is_empty() {
        return text.to_string();
    }
    let (start, end) = spans[k % spans.len()];
    format!("{}{value}{}", &text[..start], &text[end..])
}

/// The byte ranges of the numbers in `text`.
fn regex_lite_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let is_num = |b: u8| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'e';
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() || bytes[i] == b'-' {
            let start = i;
            while i < bytes.len() && is_num(bytes[i]) {
                i += 1;
            }
            spans.push((start, i));
        } else {
            i += 1;
        }
    }
    spans
}

fn parse_does_not_panic(text: &str) {
    if let Ok(model) = Model::from_toml_str(text) {
        // Whatever loads has finite energies: log Z is finite or refused.
        if let Ok(log_z) = model.log_partition() {
            assert!(log_z.is_finite(), "{text}: log Z = {log_z}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(42),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        parse_does_not_panic(&text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        parse_does_not_panic(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn one_value_replaced_never_panics(k in 0usize..40, value in nasty_value(), bm in any::<bool>()) {
        let valid = if bm { VALID_BM } else { VALID };
        parse_does_not_panic(&replace_token(valid, k, &value));
    }

    #[test]
    fn cut_or_spliced_never_panics(cut in 0usize..300, at in 0usize..300, junk in "\\PC{0,20}") {
        let cut = cut.min(VALID.len());
        parse_does_not_panic(&VALID[..cut]);
        let at = at.min(VALID.len());
        if VALID.is_char_boundary(at) {
            parse_does_not_panic(&format!("{}{junk}{}", &VALID[..at], &VALID[at..]));
        }
    }

    #[test]
    fn numerics_are_finite_up_to_1e30(x in -1e30f64..1e30, y in -1e30f64..1e30) {
        prop_assert!(softplus(x).is_finite() && softplus(x) >= 0.0);
        prop_assert!((0.0..=1.0).contains(&sigmoid(x)));
        let l = log_sum_exp([x, y, x]);
        prop_assert!(l.is_finite() && l >= x.max(y));
        let mut acc = LogSumExp::new();
        acc.add(x);
        prop_assert!(acc.merge(LogSumExp::new()).value() == x);
    }

    #[test]
    fn free_energy_and_log_z_are_finite_up_to_1e30(
        params in proptest::collection::vec(-1e30f64..1e30, 4 + 2 + 8),
        v in proptest::collection::vec(0u8..2, 4),
    ) {
        let rbm = bm_exact::Rbm::new(
            ndarray::Array1::from(params[..4].to_vec()),
            ndarray::Array1::from(params[4..6].to_vec()),
            ndarray::Array2::from_shape_vec((2, 4), params[6..].to_vec()).unwrap(),
        )
        .unwrap();
        let v = ndarray::Array1::from_iter(v.iter().map(|&b| f64::from(b)));
        let f = rbm.free_energy(v.view());
        let log_z = rbm.log_partition().unwrap();
        prop_assert!(f.is_finite() && log_z.is_finite());
        prop_assert!(-f <= log_z * (1.0 + 1e-12_f64.copysign(log_z)) + 1e-9);
    }
}
