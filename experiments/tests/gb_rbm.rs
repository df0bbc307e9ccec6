//! The gb-rbm experiment end to end: the smoke configuration writes every
//! file, byte for byte the same with 1 or 2 threads; the exact log Z in the
//! JSON agrees with the closed form on a model rebuilt here; every AIS bar
//! of the smoke run contains the exact value; the computed sentences agree
//! with the table; bad configurations stop before any work with a message
//! naming the file and the field.

mod common;

use common::assert_close;
use experiments::gb_rbm::GbRbmResults;
use experiments::gb_rbm::summary::{cells, divergence_sentence};

const FILES: [&str; 3] = [
    "gb-rbm-learning-rates.svg",
    "gb-rbm.json",
    "gb-rbm-summary.md",
];

fn check_against_oracle(results: &GbRbmResults) {
    let config = &results.config;
    // Rebuild the data and the first run's model (training is seeded) and
    // recompute its exact log Z and test log-likelihood with the closed form.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let data = experiments::gb_rbm::data::load(&config.data, &root, config.seed).unwrap();
    assert_close(
        results.log_density_offset,
        data.log_density_offset,
        "offset",
    );
    let first = &results.runs[0];
    let rebuilt =
        experiments::gb_rbm::runs::train_and_measure(config, &data, first.setting, first.repeat, 0)
            .unwrap();
    assert_eq!(
        serde_json::to_string(&rebuilt).unwrap(),
        serde_json::to_string(first).unwrap()
    );
    let n_settings = experiments::gb_rbm::runs::settings(config).len();
    assert_eq!(results.runs.len(), n_settings * config.training.n_repeats);
    for r in &results.runs {
        if r.diverged.is_some() {
            assert!(r.test.is_none() && r.log_partition_ais.is_none());
            continue;
        }
        let exact = r.log_partition_exact.expect("the smoke models are small");
        assert_eq!(
            r.ais_contains_exact(),
            Some(true),
            "{:?} repeat {}: AIS {:?} [{:?}, {:?}] vs exact {exact}",
            r.setting,
            r.repeat,
            r.log_partition_ais,
            r.log_partition_low,
            r.log_partition_high
        );
        let test = r.test.as_ref().unwrap();
        let (low, high) = (test.ais_low.unwrap(), test.ais_high.unwrap());
        let exact_ll = test.exact.unwrap();
        assert!(
            low <= exact_ll && exact_ll <= high,
            "{low} {exact_ll} {high}"
        );
    }
}

#[test]
fn smoke_run_writes_everything_matches_the_oracle_and_repeats_exactly() {
    let first = common::smoke_twice("gb-rbm", &FILES);
    let json = std::fs::read_to_string(first.path().join("gb-rbm.json")).unwrap();
    let results: GbRbmResults = serde_json::from_str(&json).unwrap();
    assert_eq!(results.experiment, "gb-rbm");
    check_against_oracle(&results);
    let summary = std::fs::read_to_string(first.path().join("gb-rbm-summary.md")).unwrap();
    assert_eq!(summary, experiments::gb_rbm::summary::markdown(&results));
    common::assert_listed("gb-rbm");
}

#[test]
fn the_divergence_sentence_says_what_the_runs_did() {
    // Built from runs, not from the smoke output: one setting that
    // diverged in one of two runs must be named, and a grid where nothing
    // diverged must say so; the sentence never claims a divergence that
    // did not happen.
    use experiments::gb_rbm::runs::{Run, Setting};
    let setting = |lr| Setting {
        n_hidden: 4,
        learning_rate: lr,
        estimator: rbm::Estimator::Cd { k: 1 },
        learn_variance: false,
    };
    let run = |lr, diverged: bool| Run {
        diverged: diverged.then(|| "diverged".to_string()),
        ..Run::unmeasured(setting(lr), 0)
    };
    let some = divergence_sentence(&cells(&[
        run(1e-3, false),
        run(1e-1, true),
        run(1e-1, false),
    ]));
    assert!(
        some.contains("a learning rate of 1e-1 diverges in 1 of 2 runs"),
        "{some}"
    );
    assert!(some.contains("no run diverges at 1e-3"), "{some}");
    let none = divergence_sentence(&cells(&[run(1e-3, false), run(1e-1, false)]));
    assert!(none.starts_with("No run diverged"), "{none}");
    assert!(!none.contains("diverges in"), "{none}");
}

/// [`common::assert_refused`], and the refusal comes before any work.
fn assert_refused(edit: impl Fn(&str) -> String, field: &str) {
    let stderr = common::assert_refused("gb-rbm", edit, field);
    assert!(!stderr.contains("models trained"), "work started: {stderr}");
}

#[test]
fn bad_configurations_are_refused() {
    assert_refused(
        |t| t.replace("n_chains = 50", "n_chains = 0"),
        "ais.n_chains",
    );
    assert_refused(|t| t.replace("n_betas = 300", "n_betas = 1"), "ais.n_betas");
    assert_refused(
        |t| {
            t.replace(
                "learning_rates = [1e-3, 1e-1]",
                "learning_rates = [1e-3, -1.0]",
            )
        },
        "training.learning_rates",
    );
    assert_refused(
        |t| t.replace("learning_rates = [1e-3, 1e-1]", "learning_rates = []"),
        "training.learning_rates",
    );
    assert_refused(
        |t| t.replace("n_hidden = [6]", "n_hidden = [0]"),
        "training.n_hidden",
    );
    assert_refused(|t| t.replace("[ais]\n", "[ais]\nchains = 3\n"), "chains");
    assert_refused(
        |t| t.replace("n_test = 100", "n_test = 1700"),
        "data.n_test",
    );
}
