//! The mnist-rbm experiment end to end on its smoke configuration: every
//! file is written, the exact log Z in the JSON is what `bm_exact` computes
//! for the small model retrained here, the AIS bracket contains it, two
//! runs give identical bytes, and bad configurations stop before any work
//! with a message naming the file and the field.

mod common;

use experiments::mnist_rbm::{self, MnistRbmResults, config::MnistRbmConfig};

const FILES: [&str; 6] = [
    "mnist-rbm-gap.svg",
    "mnist-rbm-logprob.svg",
    "mnist-rbm-filters.png",
    "mnist-rbm-samples.png",
    "mnist-rbm.json",
    "mnist-rbm-summary.md",
];

/// Width and height of a PNG, read by the png crate's decoder... without
/// the png crate: the IHDR chunk sits at a fixed offset.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

fn check_exact_against_oracle(results: &MnistRbmResults) {
    let config: MnistRbmConfig =
        experiments::config::load(&common::smoke_config("mnist-rbm")).unwrap();
    let digits = mnist_rbm::load_digits(&config).unwrap();
    assert_eq!(digits.train.nrows(), results.n_train);
    assert_eq!(digits.test.nrows(), results.n_test);
    let (rbm, run) = mnist_rbm::train_small(&config, &digits).unwrap();
    assert_eq!(run.free_energy_gap, results.small.training.free_energy_gap);
    let exact = rbm.to_exact().unwrap();
    let log_z = exact.log_partition().unwrap();
    let small = &results.small;
    assert!(
        (small.exact.log_partition - log_z).abs() <= 1e-9 * log_z.abs().max(1.0),
        "JSON has exact log Z {}, bm_exact gives {log_z}",
        small.exact.log_partition
    );
    let test = digits.test.mapv(f64::from);
    let test_ll = exact.mean_log_likelihood(test.view()).unwrap();
    assert!((small.exact.test_log_probability - test_ll).abs() <= 1e-9 * test_ll.abs());
    assert!(
        small.evaluation.log_partition.contains(log_z),
        "the AIS bracket {:?} misses the exact log Z {log_z}",
        small.evaluation.log_partition
    );
    assert!(small.exact.ais_bracket_contains_exact);
    // log p = -mean F - log Z: the AIS and exact log-probabilities differ by
    // the difference of the two log Z (up to f32 free energies).
    let shift = small.evaluation.log_partition.estimate - log_z;
    let ais_test = small.evaluation.test_log_probability.estimate;
    assert!(
        (ais_test - (test_ll - shift)).abs() < 1e-3,
        "{ais_test} vs {test_ll} - {shift}"
    );
}

#[test]
fn smoke_run_writes_everything_matches_the_oracle_and_repeats_exactly() {
    let first = common::smoke_twice("mnist-rbm", &FILES);
    let json = std::fs::read_to_string(first.path().join("mnist-rbm.json")).unwrap();
    let results: MnistRbmResults = serde_json::from_str(&json).unwrap();
    assert_eq!(results.experiment, "mnist-rbm");
    let c = &results.config;
    assert_eq!(results.models.len(), c.models.estimators.len());
    for m in &results.models {
        assert_eq!(m.training.epochs.len(), c.training.epochs + 1);
        let momentum = match m.training.estimator {
            rbm::Estimator::Pcd { .. } => c.models.pcd_final_momentum.unwrap().get(),
            rbm::Estimator::Cd { .. } => c.training.final_momentum,
        };
        assert_eq!(m.training.final_momentum, momentum, "{}", m.training.name);
        assert_eq!(m.evaluation.n_chains, c.ais.n_chains);
        let t = &m.evaluation.test_log_probability;
        assert!(t.estimate.is_finite() && t.estimate < 0.0, "{t:?}");
        assert!(t.contains(t.estimate));
    }
    check_exact_against_oracle(&results);
    check_claims(&results);
    // 20 filters, 10 to a row, of 28 x 28 pixels with a 1-pixel border.
    let filters = std::fs::read(first.path().join("mnist-rbm-filters.png")).unwrap();
    assert_eq!(png_size(&filters), (10 * 29 + 1, 2 * 29 + 1));
    // Two models of 3 chains and a grey separator row, 4 snapshots each.
    let samples = std::fs::read(first.path().join("mnist-rbm-samples.png")).unwrap();
    assert_eq!(png_size(&samples), (4 * 29 + 1, 7 * 29 + 1));
    let summary = std::fs::read_to_string(first.path().join("mnist-rbm-summary.md")).unwrap();
    assert!(
        summary.contains("| model | final momentum | test log p"),
        "{summary}"
    );
    assert!(
        summary.contains("| CD-1 |") && summary.contains("| PCD-1 |"),
        "{summary}"
    );
}

/// The pattern sentences of the summary follow their numbers: each is
/// checked on the smoke results, and on results broken on purpose so that
/// the pattern no longer holds, where the sentence must change.
fn check_claims(results: &MnistRbmResults) {
    use mnist_rbm::claims;
    // Eq. (9.3): the final free-energy gap is train-subset minus test log p.
    for m in &results.models {
        let (gap, overfit) = (claims::final_gap(m), claims::overfit(m));
        assert!(
            (gap - overfit).abs() < 1e-2,
            "{}: {gap} vs {overfit}",
            m.training.name
        );
    }
    let said = claims::gap_sentence(&results.models);
    assert!(said.starts_with("For every model"), "{said}");
    let mut broken = results.models.clone();
    let shifted = claims::final_gap(&broken[0]) + 0.5;
    broken[0].training.free_energy_gap.push(shifted);
    let said = claims::gap_sentence(&broken);
    assert!(said.contains("differ by up to 0.5"), "{said}");

    let n = results.n_test.min(results.n_train);
    let every = results.models.iter().all(|m| claims::overfit(m) > 0.0);
    let said = claims::overfitting_sentence(&results.models, n);
    assert_eq!(said.contains("every model scores higher"), every, "{said}");
    let mut broken = results.models.clone();
    let e = &mut broken[0].evaluation;
    e.test_log_probability.estimate = e.train_subset_log_probability.unwrap().estimate + 1.0;
    let said = claims::overfitting_sentence(&broken, n);
    assert!(said.starts_with("Not every model"), "{said}");
    assert!(
        said.contains(&format!("{} (-1.00 nats)", broken[0].training.name)),
        "{said}"
    );

    // The order against the published numbers, with a reference made up so
    // that it is the same, then reversed.
    let reference = |values: [f64; 2]| -> Vec<mnist_rbm::Reference> {
        results
            .models
            .iter()
            .zip(values)
            .map(|(m, v)| mnist_rbm::Reference {
                model: m.training.name.clone(),
                test_log_probability: v,
                source: "made up".into(),
            })
            .collect()
    };
    let (a, b) = (
        results.models[0].evaluation.test_log_probability.estimate,
        results.models[1].evaluation.test_log_probability.estimate,
    );
    let same = reference([a - 10.0, b - 10.0]);
    assert!(claims::reference_sentence(&results.models, &same).contains("the same order"));
    let reversed = reference([b - 10.0, a - 10.0]);
    let said = claims::reference_sentence(&results.models, &reversed);
    assert_eq!(said.contains("a different order"), a != b, "{said}");

    // The chains: below the test digits' free energy for every model, or not.
    let every = claims::chains_sentence(results).contains("for every sampled model");
    let mut broken = results.clone();
    for s in &mut broken.samples {
        s.mean_free_energy.push(1e9);
    }
    let said = claims::chains_sentence(&broken);
    assert!(said.contains("below the test digits' for none"), "{said}");
    assert!(every || !said.contains("for every"), "{said}");
}

/// [`common::assert_refused`], and the refusal comes before any work.
fn assert_refused(edit: impl Fn(&str) -> String, field: &str) {
    let stderr = common::assert_refused("mnist-rbm", edit, field);
    // "before any work": no model was trained.
    assert!(
        !stderr.contains("loading the digits"),
        "work started: {stderr}"
    );
}

#[test]
fn unknown_field_is_refused() {
    assert_refused(
        |t| t.replace("[training]\n", "[training]\nlearning_rat = 0.1\n"),
        "learning_rat",
    );
}

#[test]
fn zero_gibbs_steps_are_refused() {
    assert_refused(
        |t| t.replace("{ kind = \"cd\", k = 1 },", "{ kind = \"cd\", k = 0 },"),
        "models.estimators.k",
    );
    assert_refused(
        |t| {
            t.replace(
                "estimator = { kind = \"cd\", k = 1 }",
                "estimator = { kind = \"cd\", k = 0 }",
            )
        },
        "small.estimator.k",
    );
}

#[test]
fn negative_learning_rate_is_refused() {
    assert_refused(
        |t| t.replace("learning_rate = 0.05", "learning_rate = -0.05"),
        "training.learning_rate",
    );
}

#[test]
fn zero_chains_are_refused() {
    assert_refused(
        |t| t.replace("n_chains = 20", "n_chains = 0"),
        "ais.n_chains",
    );
    assert_refused(
        |t| t.replace("n_chains = 100 }", "n_chains = 0 }"),
        "models.estimators.n_chains",
    );
}

#[test]
fn momentum_of_one_is_refused() {
    assert_refused(
        |t| t.replace("pcd_final_momentum = 0.5", "pcd_final_momentum = 1.0"),
        "models.pcd_final_momentum",
    );
}

#[test]
fn unknown_model_names_and_too_large_small_models_are_refused() {
    assert_refused(
        |t| t.replace("model = \"CD-1\"", "model = \"CD-7\""),
        "filters.model",
    );
    assert_refused(
        |t| t.replace("[small]\nn_hidden = 10", "[small]\nn_hidden = 40"),
        "small.n_hidden",
    );
}

/// The large models' streams are indexed 0, 1, ... below `SMALL_MODEL`,
/// the small model's index.
#[test]
fn more_large_models_than_stream_indices_are_refused() {
    let many: String = (1..=experiments::mnist_rbm::SMALL_MODEL + 1)
        .map(|k| format!("{{ kind = \"cd\", k = {k} }}, "))
        .collect();
    assert_refused(
        |t| t.replace("{ kind = \"cd\", k = 1 },", &many),
        "models.estimators",
    );
}

#[test]
fn listed_by_the_runner() {
    common::assert_listed("mnist-rbm");
}
