//! The dbn-mnist experiment end to end on its smoke configuration: every
//! file is written, identical bytes with 1 or 2 threads, the test errors are
//! fractions of the test digits, the bound lies inside its error bar and
//! below zero, and bad configurations stop naming the field.

mod common;

use experiments::dbn_mnist::DbnMnistResults;

const FILES: [&str; 5] = [
    "dbn-mnist.json",
    "dbn-mnist-fine-tuning.svg",
    "dbn-mnist-generated.png",
    "dbn-mnist-generated-gain.png",
    "dbn-mnist-summary.md",
];

#[test]
fn smoke_run_writes_everything_and_repeats_exactly() {
    let first = common::smoke_twice("dbn-mnist", &FILES);
    let json = std::fs::read_to_string(first.path().join("dbn-mnist.json")).unwrap();
    let r: DbnMnistResults = serde_json::from_str(&json).unwrap();
    assert_eq!((r.n_train, r.n_test), (300, 100));
    assert_eq!(r.layer_sizes, vec![784, 20, 20, 30]);
    let e = &r.test_error;
    for err in [
        e.raw_pixels,
        e.dbn_features,
        e.generative_dbn,
        e.fine_tuned_dbn,
        e.random_init_net,
    ] {
        let wrong = err * r.n_test as f64;
        assert!(
            (0.0..=1.0).contains(&err) && (wrong - wrong.round()).abs() < 1e-9,
            "{err}"
        );
    }
    assert_eq!(
        1.0 - r.fine_tune_random.last().unwrap().test_accuracy,
        e.random_init_net
    );
    let b = &r.bound;
    assert_eq!((b.n_repeats, b.n_examples, b.n_samples), (2, 20, 3));
    assert_eq!(b.repeats.len(), 2);
    assert!(b.repeat_spread.is_some_and(f64::is_finite));
    // The summary says "unreliable" exactly when the numbers do.
    let g = &r.generated;
    assert_eq!(g.per_label_accuracy.len(), 10);
    for a in &g.per_label_accuracy {
        let correct = a * g.n_per_label as f64;
        assert!((correct - correct.round()).abs() < 1e-9, "{a}");
    }
    assert!(b.low <= b.mean_lower_bound && b.high.is_none_or(|high| b.mean_lower_bound <= high));
    assert!(b.mean_lower_bound < 0.0 && b.mean_lower_bound.is_finite());
    let summary = std::fs::read_to_string(first.path().join("dbn-mnist-summary.md")).unwrap();
    assert!(summary.contains("| classifier | test error |"), "{summary}");
    assert!(summary.contains("1.25%"), "{summary}");
    assert_eq!(summary.contains("**unreliable**"), !b.reliable, "{summary}");
    assert!(summary.contains("| read as that label |"), "{summary}");
    assert!(summary.contains("than guessing (1 in 10)"), "{summary}");
    let s = r
        .label_strength
        .as_ref()
        .expect("the smoke config measures it");
    assert!(
        s.input_sd_from_h2 > 0.0 && s.input_sd_from_label > 0.0,
        "{s:?}"
    );
    let tempered = s.follows_tempered.expect("the smoke config tempers");
    assert!(s.lowest_swap_rate.is_some_and(|r| (0.0..=1.0).contains(&r)));
    assert_eq!(s.with_gain.len(), 2);
    let gains = s.with_gain.iter().map(|g| g.follows);
    for f in [s.follows, s.follows_from_own_class, tempered]
        .into_iter()
        .chain(gains)
    {
        let chains = (10 * s.n_chains_per_label) as f64;
        assert!((f * chains - (f * chains).round()).abs() < 1e-9, "{f}");
    }
    assert!(summary.contains("Why? "), "{summary}");
    let a = r
        .generated_with_gain
        .as_ref()
        .expect("the smoke config sets a gain");
    assert_eq!((a.label_gain, g.label_gain), (3.0, 1.0));
    assert!(summary.contains("| the same, label gain 3 |"), "{summary}");
    assert!(
        summary.contains("Parallel tempering on the clamped top RBM"),
        "{summary}"
    );
}

#[test]
fn bad_configurations_are_refused() {
    common::assert_refused(
        "dbn-mnist",
        |t| t.replace("n_samples = 3", "n_samples = 1"),
        "bound.n_samples",
    );
    common::assert_refused(
        "dbn-mnist",
        |t| t.replace("n_test = 100", "n_test = 5000"),
        "data.n_test",
    );
    common::assert_refused(
        "dbn-mnist",
        |t| t.replace("[bound]\n", "[bound]\ncolour = 1\n"),
        "colour",
    );
    common::assert_refused(
        "dbn-mnist",
        |t| t.replace("label_gain = 3.0", "label_gain = 0.0"),
        "samples.label_gain",
    );
    common::assert_refused(
        "dbn-mnist",
        |t| t.replace("n_temperatures = 3", "n_temperatures = 1"),
        "label_strength.tempering.n_temperatures",
    );
    common::assert_refused(
        "dbn-mnist",
        |t| t.replace("gains = [2.0, 20.0]", "gains = [2.0, -1.0]"),
        "label_strength.gains",
    );
}

#[test]
fn listed_by_the_runner() {
    common::assert_listed("dbn-mnist");
}
