//! The cd-bias experiment end to end: the smoke configuration writes every
//! file, its numbers agree with the exact oracle recomputed here from the
//! models stored in the JSON, two runs give identical bytes, and bad
//! configurations stop before any work with a message naming file and field.

mod common;

use bm_exact::Parameters;
use common::assert_close;
use experiments::cd_bias::CdBiasResults;
use ndarray::Array2;

const FILES: [&str; 9] = [
    "cd-bias-bias.svg",
    "cd-bias-spread.svg",
    "cd-bias-training.svg",
    "cd-bias-negative-phases.svg",
    "cd-bias-centering.svg",
    "cd-bias-comparisons.md",
    "cd-bias-fixed-points.svg",
    "cd-bias.json",
    "cd-bias-summary.md",
];

fn norm(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// The rows of a data set from the counts of each state.
fn data_from_counts(counts: &[usize], n_visible: usize) -> Array2<f64> {
    let rows: Vec<f64> = counts
        .iter()
        .enumerate()
        .flat_map(|(s, &c)| std::iter::repeat_n(s as u64, c))
        .flat_map(|s| bm_exact::state_vector(s, n_visible).to_vec())
        .collect();
    Array2::from_shape_vec((rows.len() / n_visible, n_visible), rows).unwrap()
}

fn check_against_oracle(results: &CdBiasResults) {
    // Panel 1: relative error and cosine of the expected CD-k update.
    let small = datasets::bars_and_stripes(results.config.bias.side, results.config.bias.side);
    assert!(!results.bias.checkpoints.is_empty());
    for c in &results.bias.checkpoints {
        let rbm = c.model.to_exact().unwrap();
        let gradient = Parameters::flatten(&rbm.log_likelihood_gradient(small.view()).unwrap());
        for (i, &k) in results.bias.ks.iter().enumerate() {
            let update = Parameters::flatten(&rbm.expected_cd_update(small.view(), k).unwrap());
            let diff: Vec<f64> = update.iter().zip(&gradient).map(|(u, g)| u - g).collect();
            let dot: f64 = update.iter().zip(&gradient).map(|(u, g)| u * g).sum();
            let what = format!("checkpoint {} CD-{k}", c.iteration);
            assert_close(c.relative_error[i], norm(&diff) / norm(&gradient), &what);
            assert_close(c.cosine[i], dot / (norm(&update) * norm(&gradient)), &what);
        }
        let log_likelihood = rbm.mean_log_likelihood(small.view()).unwrap();
        assert_close(
            c.log_likelihood,
            log_likelihood,
            "checkpoint log-likelihood",
        );
        assert_close(c.gradient_norm, norm(&gradient), "gradient norm");
    }
    // Panel 1b: the bias of the spread panel is the exact one.
    let spread_model = results
        .bias
        .checkpoints
        .iter()
        .find(|c| c.iteration == results.spread.checkpoint)
        .unwrap()
        .model
        .to_exact()
        .unwrap();
    let gradient =
        Parameters::flatten(&spread_model.log_likelihood_gradient(small.view()).unwrap());
    for p in &results.spread.points {
        let update =
            Parameters::flatten(&spread_model.expected_cd_update(small.view(), p.k).unwrap());
        let diff: Vec<f64> = update.iter().zip(&gradient).map(|(u, g)| u - g).collect();
        assert_close(p.bias, norm(&diff) / norm(&gradient), "spread bias");
        assert_eq!(p.relative_errors.len(), results.config.spread.n_estimates);
    }
    // Panel 2: the last log-likelihood of every run is that of its final model.
    let large =
        datasets::bars_and_stripes(results.config.training.side, results.config.training.side);
    assert_close(
        results.training.optimum_log_likelihood,
        -(large.nrows() as f64).ln(),
        "optimum: bars-and-stripes images are distinct, so -H = -log N",
    );
    for run in &results.training.runs {
        let rbm = run.final_model.to_exact().unwrap();
        let ll = rbm.mean_log_likelihood(large.view()).unwrap();
        assert_close(
            run.final_log_likelihood,
            ll,
            &format!("{} final LL", run.method),
        );
        assert_close(
            *run.log_likelihood.last().unwrap(),
            ll,
            "last LL of the curve",
        );
        assert!(run.peak_log_likelihood <= results.training.optimum_log_likelihood);
    }
    // Panel 3: KL(target || model) = -H(target) - mean log-likelihood.
    for t in &results.fixed_points.targets {
        let data = data_from_counts(&t.counts, results.fixed_points.n_visible);
        let entropy = bm_exact::empirical_entropy(data.view());
        assert_close(t.entropy, entropy, "target entropy");
        for fit in [&t.exact, &t.cd1] {
            let rbm = fit.model.to_exact().unwrap();
            let kl = -entropy - rbm.mean_log_likelihood(data.view()).unwrap();
            assert_close(fit.kl, kl, "KL at a fixed point");
            assert!(fit.kl >= -1e-12, "a KL divergence is never negative");
        }
    }
}

#[test]
fn smoke_run_writes_everything_matches_the_oracle_and_repeats_exactly() {
    let first = common::smoke_twice("cd-bias", &FILES);
    let json = std::fs::read_to_string(first.path().join("cd-bias.json")).unwrap();
    let results: CdBiasResults = serde_json::from_str(&json).unwrap();
    assert_eq!(results.experiment, "cd-bias");
    check_against_oracle(&results);
    let summary = std::fs::read_to_string(first.path().join("cd-bias-summary.md")).unwrap();
    assert!(summary.contains("| iteration | weight norm"), "{summary}");
}

#[test]
fn unknown_field_is_refused() {
    common::assert_refused(
        "cd-bias",
        |t| t.replace("[bias]\n", "[bias]\nn_hiden = 3\n"),
        "n_hiden",
    );
}

#[test]
fn wrong_type_is_refused() {
    common::assert_refused(
        "cd-bias",
        |t| t.replace("learning_rates = [0.1, 0.3]", "learning_rates = \"fast\""),
        "training.learning_rates",
    );
}

#[test]
fn zero_gibbs_steps_are_refused() {
    common::assert_refused(
        "cd-bias",
        |t| t.replace("ks = [1, 2, 5, 10]", "ks = [0, 2]"),
        "bias.ks",
    );
    common::assert_refused(
        "cd-bias",
        |t| t.replace("{ method = \"cd\", k = 1 }", "{ method = \"cd\", k = 0 }"),
        "training.methods.k",
    );
}

#[test]
fn bad_negative_phase_options_are_refused() {
    common::assert_refused(
        "cd-bias",
        |t| t.replace("lowest_beta = 0.5", "lowest_beta = 1.5"),
        "training.methods.tempering.lowest_beta",
    );
    common::assert_refused(
        "cd-bias",
        |t| t.replace("fast_decay = 0.95", "fast_decay = 1.0"),
        "training.methods.fast_weights.decay",
    );
    common::assert_refused(
        "cd-bias",
        |t| t.replace("k = 1, centering = 0.1", "k = 1, centering = 0.0"),
        "training.methods.centering.offset_rate",
    );
}

#[test]
fn negative_learning_rate_is_refused() {
    common::assert_refused(
        "cd-bias",
        |t| {
            t.replace(
                "learning_rate = 0.5\niterations = 300",
                "learning_rate = -0.5\niterations = 300",
            )
        },
        "bias.learning_rate",
    );
}

#[test]
fn too_many_enumerated_units_are_refused() {
    common::assert_refused(
        "cd-bias",
        |t| t.replace("n_hidden = 3\n", "n_hidden = 30\n"),
        "bias.n_hidden",
    );
    common::assert_refused(
        "cd-bias",
        |t| t.replace("side = 3\nn_hidden = 6\n", "side = 6\nn_hidden = 40\n"),
        "training.n_hidden",
    );
}

/// A seed index at RUN_STREAMS would draw from the first run's stream.
#[test]
fn seeds_whose_streams_would_meet_the_runs_are_refused() {
    common::assert_refused(
        "cd-bias",
        |t| t.replace("n_seeds = 2\n", "n_seeds = 1000001\n"),
        "training.n_seeds",
    );
}

#[test]
fn list_and_unknown_names() {
    common::assert_listed("cd-bias");
    common::assert_unknown_name_refused("cd-bias");
}
