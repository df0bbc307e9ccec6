//! The dbn-digits experiment end to end on its smoke configuration: every
//! file is written, identical bytes with 1 or 2 threads, the accuracies are
//! fractions computed on the documented split, and bad configurations stop
//! with a message naming the file and the field.

mod common;

use experiments::dbn_digits::{self, DbnDigitsResults, config::DbnDigitsConfig};

const FILES: [&str; 4] = [
    "dbn-digits.json",
    "dbn-digits-fine-tuning.svg",
    "dbn-digits-generated.png",
    "dbn-digits-summary.md",
];

#[test]
fn smoke_run_writes_everything_and_repeats_exactly() {
    let first = common::smoke_twice("dbn-digits", &FILES);
    let json = std::fs::read_to_string(first.path().join("dbn-digits.json")).unwrap();
    let results: DbnDigitsResults = serde_json::from_str(&json).unwrap();
    let config: DbnDigitsConfig =
        experiments::config::load(&common::smoke_config("dbn-digits")).unwrap();
    let split = dbn_digits::load_split(&config).unwrap();
    // 120 digits and their four nudges, 20% held out.
    assert_eq!(results.n_train + results.n_test, 600);
    assert_eq!(
        (results.n_train, results.n_test),
        (split.train.nrows(), split.test.nrows())
    );
    assert_eq!(results.n_test, 120);
    let a = &results.accuracy;
    for acc in [
        a.raw_pixels,
        a.rbm_features,
        a.dbn_features,
        a.generative_dbn,
        a.fine_tuned_dbn,
        a.random_init_net,
    ] {
        // Each is a count of correct test images over n_test.
        let correct = acc * results.n_test as f64;
        assert!(
            (0.0..=1.0).contains(&acc) && (correct - correct.round()).abs() < 1e-9,
            "{acc}"
        );
    }
    assert_eq!(results.fine_tune_pretrained.len(), config.fine_tune.epochs);
    assert_eq!(
        results.fine_tune_random.last().unwrap().test_accuracy,
        a.random_init_net
    );
    assert_eq!(results.layer_sizes, vec![64, 100, 200]);
    let summary = std::fs::read_to_string(first.path().join("dbn-digits-summary.md")).unwrap();
    assert!(
        summary.contains("| classifier | test accuracy |"),
        "{summary}"
    );
}

#[test]
fn bad_configurations_are_refused() {
    common::assert_refused(
        "dbn-digits",
        |t| t.replace("[samples]\n", "[samples]\ncolour = 1\n"),
        "colour",
    );
    common::assert_refused(
        "dbn-digits",
        |t| t.replace("test_fraction = 0.2", "test_fraction = 1.5"),
        "data.test_fraction",
    );
    common::assert_refused(
        "dbn-digits",
        |t| t.replacen("n_hidden = 100", "n_hidden = 0", 1),
        "rbm",
    );
    common::assert_refused(
        "dbn-digits",
        |t| t.replace("learning_rate = 0.05,", "learning_rate = -1.0,"),
        "dbn.layers",
    );
}

#[test]
fn listed_by_the_runner() {
    common::assert_listed("dbn-digits");
}
