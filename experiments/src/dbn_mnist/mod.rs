//! The dbn-mnist experiment, part (b) of issue 11: a 784-500-500-2000 DBN
//! with 10 label units (Hinton, Osindero & Teh 2006) on the shipped MNIST
//! digits. Test error of the generative classifier (free energy over the
//! labels, eq. 10.8), of softmax regression on the pixels and on the DBN's
//! features, of the net unrolled and fine-tuned by backpropagation, and of
//! the same net from random initialisation; digits generated with each
//! label clamped; the variational bound with log Z by AIS (eq. 10.11-10.12).

pub mod config;
pub mod label_strength;

use std::path::Path;

use anyhow::{Context, Result};
use dbn::{
    Classifier, Dbn, MAX_REPEAT_SPREAD, TopLogPartition, estimate_lower_bound, top_log_partition,
    train_greedy,
};
use ndarray::{Array2, s};
use rbm::AisSchedule;
use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::dbn_digits::config::SamplesConfig;
use crate::dbn_digits::{
    DbnOutputs, EpochPoint, GeneratedDigits, Split, classifier_table, dbn_outputs, dbn_rows,
    fine_tune_curve, fine_tune_in_place, generate_per_label, logistic_accuracy, sizes_text,
};
use crate::mnist_rbm::config::Binarize;
use crate::output::Outputs;
use crate::streams::stream;
use config::DbnMnistConfig;

pub const NAME: &str = "dbn-mnist";
pub const DESCRIPTION: &str = "MNIST: a 784-500-500-2000 DBN with label units (Hinton 2006): \
     generative, feature, fine-tuned and randomly initialised classifiers; clamped-label digits; AIS bound";

/// Hinton, Osindero & Teh (2006), table 1: test error of the DBN with label
/// units on the full MNIST (60,000 training digits), in percent.
pub const HINTON_2006_TEST_ERROR_PERCENT: f64 = 1.25;
/// The training digits of the full MNIST that result is based on.
pub const FULL_MNIST_TRAIN: usize = 60_000;

const STREAM_BINARIZE: u32 = 11;
const STREAM_RANDOM_INIT: u32 = 12;
const STREAM_AIS: u32 = 13;
const STREAM_RECOGNITION: u32 = 14;

/// Test error of each classifier, a fraction in [0, 1].
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TestErrors {
    pub raw_pixels: f64,
    pub dbn_features: f64,
    pub generative_dbn: f64,
    pub fine_tuned_dbn: f64,
    pub random_init_net: f64,
}

/// The bound of eq. (10.11) on the first `n_examples` test digits.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BoundResult {
    pub mean_lower_bound: f64,
    pub low: f64,
    /// None when the error bar has no upper end (AIS could not bound log Z below).
    pub high: Option<f64>,
    pub sampling_standard_error: f64,
    pub log_partition: f64,
    /// None when the AIS weights are too spread to bound log Z below.
    pub log_partition_low: Option<f64>,
    pub log_partition_high: f64,
    /// (sum w)^2 / sum w^2 over all chains.
    pub effective_sample_size: f64,
    /// log Z of each independent repeat alone.
    pub repeats: Vec<f64>,
    /// Their sample standard deviation (None with one repeat).
    pub repeat_spread: Option<f64>,
    /// See `dbn::TopLogPartition::reliable`.
    pub reliable: bool,
    pub n_chains: usize,
    pub n_repeats: usize,
    pub n_betas: usize,
    pub n_examples: usize,
    pub n_samples: usize,
}

/// Do the generated digits follow the clamped label? The fine-tuned net's
/// accuracy on the digits generated with each label clamped.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedCheck {
    /// Entry l: the fraction of the digits generated with label l that the
    /// fine-tuned net classifies as l.
    pub per_label_accuracy: Vec<f64>,
    pub mean_accuracy: f64,
    pub n_per_label: usize,
    pub n_gibbs_steps: usize,
    /// The factor the label weights were multiplied by (eq. 10.14); 1 is the net.
    #[serde(default = "unit_gain")]
    pub label_gain: f32,
}

fn unit_gain() -> f32 {
    1.0
}

/// Everything measured: the contents of `dbn-mnist.json`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DbnMnistResults {
    pub experiment: String,
    pub config: DbnMnistConfig,
    pub n_train: usize,
    pub n_test: usize,
    pub layer_sizes: Vec<usize>,
    pub test_error: TestErrors,
    pub fine_tune_pretrained: Vec<EpochPoint>,
    pub fine_tune_random: Vec<EpochPoint>,
    pub bound: BoundResult,
    pub generated: GeneratedCheck,
    /// The same for the digits generated under `samples.label_gain`.
    #[serde(default)]
    pub generated_with_gain: Option<GeneratedCheck>,
    /// Why the label steers or not (with `[label_strength]` in the config).
    #[serde(default)]
    pub label_strength: Option<label_strength::LabelStrength>,
}

pub fn run(path: &Path) -> Result<Outputs> {
    let config: DbnMnistConfig = crate::config::load(path)?;
    let split = load_split(&config, path)?;
    let (results, generated) = measure(&config, &split)?;
    dbn_outputs(DbnOutputs {
        name: NAME,
        json: serde_json::to_string_pretty(&results)? + "\n",
        layer_sizes: &results.layer_sizes,
        pretrained: &results.fine_tune_pretrained,
        random: &results.fine_tune_random,
        generated: &generated.plain,
        generated_with_gain: generated.with_gain.as_ref(),
        side: 28,
        per_row: config.samples.n_per_label,
        summary: summary(&results),
    })
}

/// The first `n_train` training and `n_test` test digits with their labels,
/// binarised as configured (a stochastic binarisation uses its own stream).
/// Asking for more digits than the folder holds is a configuration error
/// that names `config_path` and the field.
pub fn load_split(config: &DbnMnistConfig, config_path: &Path) -> Result<Split> {
    let folder = crate::mnist_rbm::workspace_root().join(&config.data.folder);
    let mut rng = stream(
        config.data.binarize.seed_or(config.seed),
        STREAM_BINARIZE,
        0,
    );
    let mut load = |split: &str, n: usize, field: &str| -> Result<(Array2<f32>, Vec<usize>)> {
        let (images, labels, _) = datasets::load_idx_folder(&folder, split).with_context(|| {
            format!(
                "loading the digits (data.folder = {:?})",
                config.data.folder
            )
        })?;
        if n > images.nrows() {
            return Err(ConfigError::Field {
                path: config_path.to_path_buf(),
                field: field.into(),
                problem: format!(
                    "is {n}, but {} holds only {} digits of that split",
                    folder.display(),
                    images.nrows()
                ),
            }
            .into());
        }
        let x = images.slice(s![..n, ..]).mapv(f64::from);
        let binary = match config.data.binarize {
            Binarize::Threshold { threshold } => datasets::binarize_threshold(x.view(), threshold),
            Binarize::Sample { .. } => datasets::binarize_sample(x.view(), &mut rng),
            Binarize::None => x,
        };
        let labels = labels[..n].iter().map(|&l| usize::from(l)).collect();
        Ok((binary.mapv(|v| v as f32), labels))
    };
    let (train, train_labels) = load("train", config.data.n_train, "data.n_train")?;
    let (test, test_labels) = load("t10k", config.data.n_test, "data.n_test")?;
    Ok(Split {
        train,
        train_labels,
        test,
        test_labels,
    })
}

fn measure(config: &DbnMnistConfig, split: &Split) -> Result<(DbnMnistResults, GeneratedDigits)> {
    let error = |accuracy: f64| 1.0 - accuracy;
    let raw_pixels = logistic_accuracy(
        split.train.view(),
        split.test.view(),
        split,
        &config.logistic,
    )?;
    let labelled = train_greedy(
        split.train.view(),
        Some((&split.train_labels, 10)),
        &config.dbn,
        &mut |_| (),
    )?;
    let generative = dbn::accuracy(&labelled.classify(split.test.view())?, &split.test_labels);
    // Features: the penultimate layer, which the labels never reach.
    let below_top = labelled.n_layers() - 1;
    let dbn_features = logistic_accuracy(
        labelled
            .up_probabilities(split.train.view(), below_top)
            .view(),
        labelled
            .up_probabilities(split.test.view(), below_top)
            .view(),
        split,
        &config.logistic,
    )?;
    let mut tuned_net = Classifier::from_dbn(&labelled, 10);
    let (fine_tuned, fine_tune_pretrained) =
        fine_tune_in_place(&mut tuned_net, split, &config.fine_tune)?;
    let sizes = labelled.layer_sizes();
    let random = Classifier::random(&sizes, 10, &mut stream(config.seed, STREAM_RANDOM_INIT, 0));
    let (random_init, fine_tune_random) = fine_tune_curve(random, split, &config.fine_tune)?;
    let bound = measure_bound(&labelled, split, config)?;
    let generated = generate_per_label(&labelled, &config.samples, config.seed)?;
    let generated_check = follows_label(&tuned_net, &generated.plain, &config.samples, 1.0);
    let generated_with_gain = generated
        .with_gain
        .as_ref()
        .zip(config.samples.label_gain)
        .map(|(digits, gain)| follows_label(&tuned_net, digits, &config.samples, gain));
    let label_strength = match &config.label_strength {
        Some(c) => {
            let x = labelled.up_probabilities(split.train.view(), below_top);
            let s =
                label_strength::measure(&labelled, x.view(), &split.train_labels, c, config.seed)?;
            Some(s)
        }
        None => None,
    };
    let results = DbnMnistResults {
        experiment: NAME.into(),
        config: config.clone(),
        n_train: split.train.nrows(),
        n_test: split.test.nrows(),
        layer_sizes: sizes,
        test_error: TestErrors {
            raw_pixels: error(raw_pixels),
            dbn_features: error(dbn_features),
            generative_dbn: error(generative),
            fine_tuned_dbn: error(fine_tuned),
            random_init_net: error(random_init),
        },
        fine_tune_pretrained,
        fine_tune_random,
        bound,
        generated: generated_check,
        generated_with_gain,
        label_strength,
    };
    Ok((results, generated))
}

/// The fine-tuned net's accuracy on the generated digits, per clamped
/// label (rows come `n_per_label` per label, label 0 first).
fn follows_label(
    net: &Classifier,
    generated: &Array2<f32>,
    samples: &SamplesConfig,
    label_gain: f32,
) -> GeneratedCheck {
    let predictions = net.predict(generated.view());
    let per_label_accuracy: Vec<f64> = predictions
        .chunks(samples.n_per_label)
        .enumerate()
        .map(|(label, chunk)| {
            chunk.iter().filter(|&&p| p == label).count() as f64 / chunk.len() as f64
        })
        .collect();
    GeneratedCheck {
        mean_accuracy: per_label_accuracy.iter().sum::<f64>() / per_label_accuracy.len() as f64,
        per_label_accuracy,
        n_per_label: samples.n_per_label,
        n_gibbs_steps: samples.n_gibbs_steps,
        label_gain,
    }
}

/// log Z of the top RBM by AIS (one run over h_2 and the label, in
/// independent repeats; base rates from the training digits), then the
/// bound on the first test digits.
fn measure_bound(net: &Dbn, split: &Split, config: &DbnMnistConfig) -> Result<BoundResult> {
    let b = &config.bound;
    let schedule = AisSchedule::scaled(b.n_betas)?;
    let mut rng = stream(config.seed, STREAM_AIS, 0);
    let z: TopLogPartition = top_log_partition(
        net,
        split.train.view(),
        &schedule,
        b.n_chains,
        b.n_repeats,
        &mut rng,
    )?;
    let n = b.n_examples.min(split.test.nrows());
    let digits = split.test.slice(s![..n, ..]);
    let mut rng = stream(config.seed, STREAM_RECOGNITION, 0);
    let e = estimate_lower_bound(net, digits, &z, b.n_samples, &mut rng)?;
    Ok(BoundResult {
        mean_lower_bound: e.mean_lower_bound,
        low: e.low,
        high: Some(e.high).filter(|x| x.is_finite()),
        sampling_standard_error: e.sampling_standard_error,
        log_partition: z.log_partition,
        log_partition_low: Some(z.log_partition_low).filter(|x| x.is_finite()),
        log_partition_high: z.log_partition_high,
        effective_sample_size: z.min_effective_sample_size,
        repeats: z.repeats,
        repeat_spread: z.repeat_spread,
        reliable: z.reliable,
        n_chains: b.n_chains,
        n_repeats: b.n_repeats,
        n_betas: z.n_betas,
        n_examples: n,
        n_samples: b.n_samples,
    })
}

/// The table and the sentences of the chapter, every number from `r`.
pub fn summary(r: &DbnMnistResults) -> String {
    let e = &r.test_error;
    let sizes = sizes_text(&r.layer_sizes);
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    let rows = [
        ("softmax regression on the pixels".to_string(), e.raw_pixels),
        (
            format!(
                "softmax regression on the DBN's penultimate layer ({} units)",
                r.layer_sizes[r.layer_sizes.len() - 2]
            ),
            e.dbn_features,
        ),
    ];
    let dbn_rows = dbn_rows(
        &sizes,
        e.generative_dbn,
        e.fine_tuned_dbn,
        e.random_init_net,
    );
    let mut text = classifier_table("test error", rows.iter().chain(&dbn_rows), pct);
    let layer_epochs: Vec<String> = r
        .config
        .dbn
        .layers
        .iter()
        .map(|l| l.train.epochs.to_string())
        .collect();
    text += &format!(
        "\n{} training and {} test digits of `data/mnist-10k`; greedy training for {} epochs \
         per layer (bottom first), fine-tuning for {} epochs. Hinton, Osindero & Teh (2006) report \
         {HINTON_2006_TEST_ERROR_PERCENT}% test error for their DBN with label units on the full \
         MNIST ({} training digits, {:.1} times ours); our generative classifier's \
         error is {}, our fine-tuned net's {}.\n",
        thousands(r.n_train),
        thousands(r.n_test),
        layer_epochs.join(", "),
        r.config.fine_tune.epochs,
        thousands(FULL_MNIST_TRAIN),
        FULL_MNIST_TRAIN as f64 / r.n_train as f64,
        pct(e.generative_dbn),
        pct(e.fine_tuned_dbn),
    );
    text += &generated_sentence(&r.generated, r.generated_with_gain.as_ref());
    if let Some(s) = &r.label_strength {
        text += &format!("\n{}", label_strength::sentence(s));
    }
    text += &bound_sentence(&r.bound);
    text
}

/// The table of how often the generated digits are read as their label:
/// one row for the net and one for the net under a label gain, if run.
fn generated_sentence(g: &GeneratedCheck, with_gain: Option<&GeneratedCheck>) -> String {
    let header: Vec<String> = (0..g.per_label_accuracy.len())
        .map(|l| l.to_string())
        .collect();
    let row = |name: String, c: &GeneratedCheck| {
        let cells: Vec<String> = c
            .per_label_accuracy
            .iter()
            .map(|a| format!("{:.0}%", 100.0 * a))
            .collect();
        format!("| {name} | {} |\n", cells.join(" | "))
    };
    let mut rows = row("read as that label".into(), g);
    let mut verdicts = chance_verdict(g);
    if let Some(a) = with_gain {
        rows += &row(format!("the same, label gain {}", a.label_gain), a);
        verdicts += &format!(
            " With the label weights multiplied by {} for sampling (eq. 10.14, second figure), \
             the fine-tuned net reads {:.0}% of the digits as their label. {}",
            a.label_gain,
            100.0 * a.mean_accuracy,
            chance_verdict(a),
        );
    }
    format!(
        "\nDo the generated digits follow the clamped label? The fine-tuned net reads \
         {:.0}% of them as their label ({} digits per label, {} Gibbs steps in the top RBM):\n\n\
         | clamped label | {} |\n|---|{}\n{rows}\n{verdicts}\n",
        100.0 * g.mean_accuracy,
        g.n_per_label,
        thousands(g.n_gibbs_steps),
        header.join(" | "),
        "---|".repeat(header.len()),
    )
}

/// Whether the generated digits follow their labels better than guessing:
/// the mean accuracy above chance, 1 / n_labels, plus two binomial standard
/// errors of that many digits.
fn better_than_chance(g: &GeneratedCheck) -> bool {
    let n_labels = g.per_label_accuracy.len() as f64;
    let chance = 1.0 / n_labels;
    let n = n_labels * g.n_per_label as f64;
    g.mean_accuracy > chance + 2.0 * (chance * (1.0 - chance) / n).sqrt()
}

/// The verdict of [`better_than_chance`] in words.
fn chance_verdict(g: &GeneratedCheck) -> String {
    let n_labels = g.per_label_accuracy.len();
    let steered = if g.label_gain == 1.0 {
        "the clamped label".to_string()
    } else {
        format!("the label under gain {}", g.label_gain)
    };
    if better_than_chance(g) {
        format!(
            "That is better than guessing (1 in {n_labels}): {steered} steers the top RBM's chain."
        )
    } else {
        format!(
            "That is no better than guessing (1 in {n_labels}): after this training {steered} \
             does not steer the top RBM's chain."
        )
    }
}

/// The bound and its AIS diagnosis; "unreliable" whenever the numbers say so.
fn bound_sentence(b: &BoundResult) -> String {
    let spread = match b.repeat_spread {
        Some(s) => format!(
            "the {} independent repeats of {} chains give log Z from {:.2} to {:.2} \
             (standard deviation {:.2} nats)",
            b.n_repeats,
            b.n_chains,
            b.repeats.iter().copied().fold(f64::INFINITY, f64::min),
            b.repeats.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            s
        ),
        None => "a single repeat shows no spread".to_string(),
    };
    let n_chains = b.n_chains * b.n_repeats;
    let verdict = if b.reliable {
        format!(
            "The estimate passes both checks (effective sample size at least a tenth of the \
             chains, repeats within {MAX_REPEAT_SPREAD} nat of each other), so we call it reliable, \
             with the caveat of every AIS estimate: a schedule too short for the model \
             under-estimates log Z in a way no spread can show."
        )
    } else {
        "This estimate is **unreliable**: it fails the effective-sample-size check (at least a \
         tenth of the chains) or the repeats disagree by more than the allowed spread, so its \
         error bar is itself a guess and the bound is a number to improve, not a result."
            .to_string()
    };
    format!(
        "\nThe bound (10.11) on the first {} test digits, {} recognition samples each: \
         {:.2} nats, error bar from {:.2} to {}; log Z of the top RBM by AIS, one run over h_2 \
         and the label (10.13) with {} chains and {} inverse temperatures: {:.2}, error bar \
         from {} to {:.2}, effective sample size {:.1} of {}; {}. {}\n",
        b.n_examples,
        b.n_samples,
        b.mean_lower_bound,
        b.low,
        end(b.high, "no upper end"),
        thousands(n_chains),
        thousands(b.n_betas),
        b.log_partition,
        end(b.log_partition_low, "no lower end"),
        b.log_partition_high,
        b.effective_sample_size,
        thousands(n_chains),
        spread,
        verdict,
    )
}

/// An end of an error bar, or what to say when there is none.
fn end(value: Option<f64>, missing: &str) -> String {
    value.map_or(missing.to_string(), |x| format!("{x:.2}"))
}

/// 60000 as "60,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut text = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            text.push(',');
        }
        text.push(c);
    }
    text
}
