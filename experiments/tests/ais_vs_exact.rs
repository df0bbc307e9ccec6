//! The ais-vs-exact experiment end to end: the smoke configuration writes
//! every file, the exact log Z in the JSON agrees with bm-exact on the
//! models rebuilt here, every AIS error bar of the smoke run contains the
//! exact value, two runs give identical bytes, and bad configurations stop
//! before any work with a message naming the file and the field.

mod common;

use common::assert_close;
use experiments::ais_vs_exact::AisVsExactResults;
use experiments::ais_vs_exact::models::train_all;

const FILES: [&str; 6] = [
    "ais-vs-exact-betas.svg",
    "ais-vs-exact-chains.svg",
    "ais-vs-exact-mixing.svg",
    "ais-vs-exact.json",
    "ais-vs-exact-ais.md",
    "ais-vs-exact-mixing.md",
];

fn check_against_oracle(results: &AisVsExactResults) {
    // The models are rebuilt from the configuration (training is seeded);
    // log Z and the log-likelihood are recomputed here with bm-exact.
    let models = train_all(&results.config).unwrap();
    assert_eq!(models.len(), results.models.len());
    assert_eq!(results.sweeps.len(), models.len());
    for (model, summary) in models.iter().zip(&results.models) {
        let exact = model.rbm.to_exact().unwrap();
        let name = &summary.name;
        assert_close(
            summary.exact_log_partition,
            exact.log_partition().unwrap(),
            &format!("{name}: log Z"),
        );
        let bias: Vec<f64> = model
            .base_visible_bias
            .iter()
            .map(|&b| f64::from(b))
            .collect();
        let base = summary.n_hidden as f64 * std::f64::consts::LN_2
            + bias.iter().map(|&b| (1.0 + b.exp()).ln()).sum::<f64>();
        assert!(
            (summary.base_log_partition - base).abs() < 1e-9 * base.abs(),
            "{name}: base-rate log Z_A {} vs {base}",
            summary.base_log_partition
        );
    }
    // Every forward and reverse run of the smoke configuration brackets the
    // exact value, and the coverage count says so.
    for sweep in &results.sweeps {
        let settings = sweep
            .betas
            .iter()
            .chain(&sweep.chains)
            .chain(&sweep.reverse);
        for s in settings {
            assert_eq!(s.runs.len(), results.config.ais.n_seeds);
            for r in &s.runs {
                assert!(
                    r.contains_exact(),
                    "{}: {} betas, {} chains, seed {}: error {} with bar [{:?}, {:?}]",
                    sweep.model,
                    r.n_betas,
                    r.n_chains,
                    r.seed,
                    r.error,
                    r.low,
                    r.high
                );
                assert!(r.effective_sample_size >= 1.0 - 1e-9);
                assert!(r.effective_sample_size <= r.n_chains as f64 + 1e-9);
            }
        }
        assert!(
            !sweep.reverse.is_empty(),
            "the smoke run includes reverse AIS"
        );
    }
    assert_eq!(results.runs_containing_exact, results.runs_total);
    // The mixing model: its exact log-likelihood, and distances in [0, 1].
    let m = &results.mixing;
    let data = datasets::bars_and_stripes(results.config.mixing.side, results.config.mixing.side);
    let trained = experiments::ais_vs_exact::models::train(
        "check",
        String::new(),
        data.mapv(|x| x as f32),
        results.config.mixing.n_hidden,
        &results.config.mixing.train,
    )
    .unwrap();
    let exact = trained.rbm.to_exact().unwrap();
    assert_close(
        m.model.exact_log_likelihood,
        exact.mean_log_likelihood(data.view()).unwrap(),
        "mixing model log-likelihood",
    );
    for t in m.gibbs.iter().chain(&m.tempering) {
        assert_eq!(t.total_variation.len(), m.sweeps.len());
        assert!(t.total_variation.iter().all(|d| (0.0..=1.0).contains(d)));
    }
    assert_eq!(m.swap_rates.len(), m.ladder.len() - 1);
    assert!(m.swap_rates.iter().all(|r| (0.0..=1.0).contains(r)));
}

#[test]
fn smoke_run_writes_everything_matches_the_oracle_and_repeats_exactly() {
    let first = common::smoke_twice("ais-vs-exact", &FILES);
    let json = std::fs::read_to_string(first.path().join("ais-vs-exact.json")).unwrap();
    let results: AisVsExactResults = serde_json::from_str(&json).unwrap();
    assert_eq!(results.experiment, "ais-vs-exact");
    check_against_oracle(&results);
    let summary = std::fs::read_to_string(first.path().join("ais-vs-exact-ais.md")).unwrap();
    assert!(summary.contains("**Coverage**"), "{summary}");
}

/// [`common::assert_refused`], and the refusal comes before any work
/// (no model was trained) and quickly.
fn assert_refused(edit: impl Fn(&str) -> String, field: &str) {
    let started = std::time::Instant::now();
    let stderr = common::assert_refused("ais-vs-exact", edit, field);
    assert!(!stderr.contains("training"), "work started: {stderr}");
    assert!(started.elapsed().as_secs() < 30);
}

#[test]
fn zero_chains_are_refused() {
    assert_refused(
        |t| t.replace("n_chains = [10, 50]", "n_chains = [0, 50]"),
        "ais.n_chains",
    );
    assert_refused(
        |t| t.replace("chains_for_betas = 50", "chains_for_betas = 0"),
        "ais.chains_for_betas",
    );
}

#[test]
fn empty_or_non_increasing_schedules_are_refused() {
    assert_refused(
        |t| t.replace("n_betas = [30, 100, 300]", "n_betas = [30, 300, 100]"),
        "ais.n_betas",
    );
    assert_refused(
        |t| t.replace("n_betas = [30, 100, 300]", "n_betas = []"),
        "ais.n_betas",
    );
    assert_refused(
        |t| t.replace("n_betas = [30, 100, 300]", "n_betas = [1, 100]"),
        "ais.n_betas",
    );
    assert_refused(
        |t| t.replace("betas_for_chains = 300", "betas_for_chains = 1"),
        "ais.betas_for_chains",
    );
}

#[test]
fn a_ladder_that_does_not_start_at_1_is_refused() {
    assert_refused(
        |t| t.replace("ladder = [1.0, 0.6, 0.3]", "ladder = [0.9, 0.6, 0.3]"),
        "mixing.ladder",
    );
    assert_refused(
        |t| t.replace("ladder = [1.0, 0.6, 0.3]", "ladder = [1.0, 0.3, 0.6]"),
        "mixing.ladder",
    );
}

#[test]
fn unknown_fields_and_bad_training_settings_are_refused() {
    assert_refused(|t| t.replace("[ais]\n", "[ais]\nn_chain = 3\n"), "n_chain");
    assert_refused(
        |t| t.replace("n_hidden = 8\n", "n_hidden = 31\n"),
        "mnist.n_hidden",
    );
    assert_refused(
        |t| t.replacen("learning_rate = 0.05", "learning_rate = -0.05", 1),
        "mnist.train.learning_rate",
    );
}
