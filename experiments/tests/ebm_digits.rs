//! The ebm-digits experiment end to end on its smoke configuration: every
//! file is written, byte for byte the same twice (with 1 and 2 threads),
//! the AUROC table in the JSON is what a brute-force pair count gives on the
//! energies recomputed here, the book's table follows the committed JSON,
//! and bad configurations stop with a message naming the file and field.

mod common;

use std::path::Path;

use ebm_langevin::anomaly::auroc_by_pairs;
use experiments::ebm_digits::{self, EbmDigitsConfig, EbmDigitsResults, Sources};

const FILES: [&str; 7] = [
    "ebm-digits-buffer.png",
    "ebm-digits-fresh.png",
    "ebm-digits-cooled.png",
    "ebm-digits-energies.svg",
    "ebm-digits.json",
    "ebm-digits-setup.md",
    "ebm-digits-auroc.md",
];

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn smoke_run_repeats_exactly_and_its_table_matches_a_pair_count() {
    let first = common::smoke_twice("ebm-digits", &FILES);
    let json = std::fs::read_to_string(first.path().join("ebm-digits.json")).unwrap();
    let results: EbmDigitsResults = serde_json::from_str(&json).unwrap();
    let md = std::fs::read_to_string(first.path().join("ebm-digits-auroc.md")).unwrap();
    assert_eq!(md, ebm_digits::summary::markdown(&results));

    let config_path = common::smoke_config("ebm-digits");
    let config: EbmDigitsConfig = experiments::config::load(&config_path).unwrap();
    let at = Sources {
        root: &root(),
        config_path: &config_path,
    };
    let data = ebm_digits::load_data(&config, &at).unwrap();
    let (trainer, _) = ebm_digits::train_ebm(&config, data.train.view()).unwrap();
    let baseline = ebm_digits::train_rbm(&config, data.train.view()).unwrap();
    let sets = ebm_digits::outlier_sets(&config, &data);
    assert_eq!(sets.len(), results.detection.len());
    let e_test = trainer.model.energies(data.test.view()).to_vec();
    let f_test: Vec<f64> = baseline
        .free_energy(data.test.mapv(|v| v as f32).view())
        .iter()
        .map(|&f| f64::from(f))
        .collect();
    for ((name, images), row) in sets.iter().zip(&results.detection) {
        assert_eq!(name, &row.outlier);
        let e = trainer.model.energies(images.view()).to_vec();
        let f: Vec<f64> = baseline
            .free_energy(images.mapv(|v| v as f32).view())
            .iter()
            .map(|&f| f64::from(f))
            .collect();
        let by_pairs = (
            auroc_by_pairs(&e_test, &e).unwrap(),
            auroc_by_pairs(&f_test, &f).unwrap(),
        );
        assert!(
            (row.ebm_auroc - by_pairs.0).abs() < 1e-12,
            "{name}: {row:?}"
        );
        assert!(
            (row.rbm_auroc - by_pairs.1).abs() < 1e-12,
            "{name}: {row:?}"
        );
    }
    // Even the smoke run's tiny EBM tells uniform noise from digits.
    assert!(
        results.detection[0].ebm_auroc > 0.99,
        "{:?}",
        results.detection[0]
    );
}

#[test]
fn the_books_table_follows_the_committed_json() {
    let book = root().join("book/src");
    let json = std::fs::read_to_string(book.join("figures/ebm-digits.json")).unwrap();
    let results: EbmDigitsResults = serde_json::from_str(&json).unwrap_or_else(|e| {
        panic!("figures/ebm-digits.json does not match the code: {e}; rerun it")
    });
    // After a change of wording only, re-render from the committed JSON:
    // UPDATE_GENERATED=1 cargo test -p experiments --test ebm_digits
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        let md = ebm_digits::summary::markdown(&results);
        std::fs::write(book.join("generated/ebm-digits-auroc.md"), md).unwrap();
    }
    let committed = std::fs::read_to_string(book.join("generated/ebm-digits-auroc.md")).unwrap();
    assert_eq!(
        committed,
        ebm_digits::summary::markdown(&results),
        "generated/ebm-digits-auroc.md differs from what its JSON gives; rerun the experiment"
    );
    let setup = std::fs::read_to_string(book.join("generated/ebm-digits-setup.md")).unwrap();
    assert_eq!(setup, ebm_digits::summary::setup_markdown(&results));
    // The chapter's claim: with the regulariser, the data's and the
    // negatives' energies settle near -1/(2 alpha) and +1/(2 alpha), the
    // minimisers of (11.10) in E(x+) and E(x-).
    let half = 1.0 / (2.0 * results.config.ebm.alpha);
    assert!((results.test_ebm_mean_energy + half).abs() < 0.1 * half);
    assert!((results.samples.buffer_mean_energy - half).abs() < 0.1 * half);
    // The targets of the issue, on the full run.
    let uniform = &results.detection[0];
    assert_eq!(uniform.outlier, "uniform noise");
    assert!(uniform.ebm_auroc >= ebm_digits::summary::UNIFORM_NOISE_TARGET);
}

#[test]
fn bad_configurations_are_refused_naming_the_field() {
    common::assert_listed("ebm-digits");
    common::assert_refused(
        "ebm-digits",
        |t| t.replace("shrink_factor = 0.5", "shrink_factor = 1.5"),
        "outliers.shrink_factor",
    );
    common::assert_refused(
        "ebm-digits",
        |t| t.replace("n_fashion = 100", "n_fashion = 1001"),
        "data.n_fashion",
    );
    common::assert_refused(
        "ebm-digits",
        |t| t.replace("fresh_steps = [5, 10]", "fresh_steps = [10, 5]"),
        "samples.fresh_steps",
    );
    common::assert_refused(
        "ebm-digits",
        |t| t.replace("langevin_step_size = 1e-3", "langevin_step_size = -1.0"),
        "langevin_step_size",
    );
}
