//! The book's generated text agrees with its numbers: each summary in
//! `book/src/generated/` is exactly what the experiment's summary code
//! writes from the JSON beside the figures. The pattern sentences in those
//! summaries ("every model", "bracket", "positive") are computed from the
//! numbers, so a sentence and its numbers cannot disagree unless someone
//! edits one of the two files by hand, which this test catches.
//!
//! After a change to a summary's wording only, re-render the summaries from
//! the committed JSON without rerunning the experiments:
//! `UPDATE_GENERATED=1 cargo test -p experiments --test generated_text`.

use std::path::Path;

use experiments::{ais_vs_exact, cd_bias, dbn_digits, dbn_mnist, gb_rbm, mnist_rbm};

fn book_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../book/src")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn results<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&book_file(&format!("figures/{name}.json")))
        .unwrap_or_else(|e| panic!("figures/{name}.json does not match the code: {e}; rerun it"))
}

fn assert_same(generated: &str, committed_file: &str) {
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../book/src")
            .join(committed_file);
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = book_file(committed_file);
    assert!(
        generated == committed,
        "{committed_file} differs from what its JSON gives; rerun the experiment \
         instead of editing it by hand.\n--- from the JSON ---\n{generated}"
    );
}

#[test]
fn cd_bias_summary_follows_its_json() {
    let r: cd_bias::CdBiasResults = results("cd-bias");
    assert_same(
        &cd_bias::summary::markdown(&r),
        "generated/cd-bias-summary.md",
    );
    assert_same(
        &cd_bias::summary::comparisons_markdown(&r),
        "generated/cd-bias-comparisons.md",
    );
}

#[test]
fn ais_vs_exact_summaries_follow_their_json() {
    let r: ais_vs_exact::AisVsExactResults = results("ais-vs-exact");
    assert_same(
        &ais_vs_exact::summary::ais_markdown(&r),
        "generated/ais-vs-exact-ais.md",
    );
    assert_same(
        &ais_vs_exact::summary::mixing_markdown(&r),
        "generated/ais-vs-exact-mixing.md",
    );
}

#[test]
fn mnist_rbm_summary_follows_its_json() {
    let r: mnist_rbm::MnistRbmResults = results("mnist-rbm");
    assert_same(
        &mnist_rbm::summary::markdown(&r, "experiments/configs/mnist-rbm.toml"),
        "generated/mnist-rbm-summary.md",
    );
}

#[test]
fn dbn_mnist_summary_follows_its_json() {
    let r: dbn_mnist::DbnMnistResults = results("dbn-mnist");
    assert_same(&dbn_mnist::summary(&r), "generated/dbn-mnist-summary.md");
}

#[test]
fn dbn_digits_summary_follows_its_json() {
    let r: dbn_digits::DbnDigitsResults = results("dbn-digits");
    assert_same(
        &dbn_digits::summary_table(&r),
        "generated/dbn-digits-summary.md",
    );
}

/// The control: a hand edit of a generated sentence is caught.
#[test]
fn a_hand_edited_sentence_is_caught() {
    let r: cd_bias::CdBiasResults = results("cd-bias");
    let generated = cd_bias::summary::markdown(&r);
    let edited = generated.replacen("rose and then fell in", "rose and then fell in all but", 1);
    assert_ne!(edited, generated);
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        return;
    }
    let caught = std::panic::catch_unwind(|| assert_same(&edited, "generated/cd-bias-summary.md"));
    assert!(caught.is_err(), "an edited summary passed the check");
}

#[test]
fn gb_rbm_summary_follows_its_json() {
    let r: gb_rbm::GbRbmResults = results("gb-rbm");
    assert_same(
        &gb_rbm::summary::markdown(&r),
        "generated/gb-rbm-summary.md",
    );
}
