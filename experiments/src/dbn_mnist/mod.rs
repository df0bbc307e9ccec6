//! The dbn-mnist experiment, part (b) of issue 11: a 784-500-500-2000 DBN
//! with 10 label units (Hinton, Osindero & Teh 2006) on the shipped MNIST
//! digits. Test error of the generative classifier (free energy over the
//! labels, eq. 10.8), of softmax regression on the pixels and on the DBN's
//! features, of the net unrolled and fine-tuned by backpropagation, and of
//! the same net from random initialisation; digits generated with each
//! label clamped; the variational bound with log Z by AIS (eq. 10.11-10.12).

pub mod config;

use std::path::Path;

use anyhow::{Context, Result};
use dbn::{
    Classifier, Dbn, TopLogPartition, estimate_lower_bound, top_log_partition, train_greedy,
};
use ndarray::{Array2, s};
use rbm::AisSchedule;
use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::dbn_digits::{
    EpochPoint, Split, fine_tune_curve, fine_tuning_figure, generate_per_label, logistic_accuracy,
    sizes_text,
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
    pub min_effective_sample_size: f64,
    pub reliable: bool,
    pub n_runs: usize,
    pub n_chains: usize,
    pub n_betas: usize,
    pub n_examples: usize,
    pub n_samples: usize,
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
}

pub fn run(path: &Path) -> Result<Outputs> {
    let config: DbnMnistConfig = crate::config::load(path)?;
    let split = load_split(&config, path)?;
    let (results, generated) = measure(&config, &split)?;
    let mut outputs = Outputs::new();
    outputs.add_figure(
        format!("{NAME}.json"),
        serde_json::to_string_pretty(&results)? + "\n",
    );
    outputs.add_figure(
        format!("{NAME}-fine-tuning.svg"),
        fine_tuning_figure(
            &results.layer_sizes,
            &results.fine_tune_pretrained,
            &results.fine_tune_random,
        )?,
    );
    let side = 28;
    outputs.add_binary_figure(
        format!("{NAME}-generated.png"),
        crate::mnist_rbm::figures::png_grid(&generated, (side, side), config.samples.n_per_label)?,
    );
    outputs.add_generated(format!("{NAME}-summary.md"), summary(&results));
    Ok(outputs)
}

/// The first `n_train` training and `n_test` test digits with their labels,
/// binarised as configured (a stochastic binarisation uses its own stream).
/// Asking for more digits than the folder holds is a configuration error
/// that names `config_path` and the field.
pub fn load_split(config: &DbnMnistConfig, config_path: &Path) -> Result<Split> {
    let folder = crate::mnist_rbm::workspace_root().join(&config.data.folder);
    let mut rng = stream(config.seed, STREAM_BINARIZE, 0);
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
            Binarize::Sample => datasets::binarize_sample(x.view(), &mut rng),
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

fn measure(config: &DbnMnistConfig, split: &Split) -> Result<(DbnMnistResults, Array2<f32>)> {
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
    let (fine_tuned, fine_tune_pretrained) = fine_tune_curve(
        Classifier::from_dbn(&labelled, 10),
        split,
        &config.fine_tune,
    )?;
    let sizes = labelled.layer_sizes();
    let random = Classifier::random(&sizes, 10, &mut stream(config.seed, STREAM_RANDOM_INIT, 0));
    let (random_init, fine_tune_random) = fine_tune_curve(random, split, &config.fine_tune)?;
    let bound = measure_bound(&labelled, split, config)?;
    let generated = generate_per_label(&labelled, &config.samples, config.seed)?;
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
    };
    Ok((results, generated))
}

/// log Z of the top RBM by AIS (one run per label, base rates from the
/// training digits), then the bound on the first test digits.
fn measure_bound(net: &Dbn, split: &Split, config: &DbnMnistConfig) -> Result<BoundResult> {
    let b = &config.bound;
    let schedule = AisSchedule::scaled(b.n_betas)?;
    let mut rng = stream(config.seed, STREAM_AIS, 0);
    let z: TopLogPartition =
        top_log_partition(net, split.train.view(), &schedule, b.n_chains, &mut rng)?;
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
        min_effective_sample_size: z.min_effective_sample_size,
        reliable: z.reliable,
        n_runs: z.n_runs,
        n_chains: z.n_chains,
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
        (
            format!("DBN {sizes} with 10 label units, by free energy (eq. 10.8)"),
            e.generative_dbn,
        ),
        (
            format!("DBN {sizes} unrolled and fine-tuned by backpropagation"),
            e.fine_tuned_dbn,
        ),
        (
            "the same net from random initialisation".to_string(),
            e.random_init_net,
        ),
    ];
    let mut text = "| classifier | test error |\n|---|---|\n".to_string();
    for (name, err) in rows {
        text += &format!("| {name} | {} |\n", pct(err));
    }
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
    let b = &r.bound;
    let reliability = if b.reliable {
        "every AIS run passed the effective-sample-size check".to_string()
    } else {
        format!(
            "at least one AIS run failed the effective-sample-size check (smallest effective \
             sample size {:.1} of {} chains), so the error bar of log Z is itself unreliable",
            b.min_effective_sample_size, b.n_chains
        )
    };
    text += &format!(
        "\nThe bound (10.11) on the first {} test digits, {} recognition samples each: \
         {:.2} nats, error bar from {:.2} to {}; log Z of the top RBM by AIS, {} runs (one per \
         label) of {} chains and {} inverse temperatures: {:.2}, error bar from {} to {:.2}; \
         {reliability}.\n",
        b.n_examples,
        b.n_samples,
        b.mean_lower_bound,
        b.low,
        end(b.high, "no upper end"),
        b.n_runs,
        b.n_chains,
        b.n_betas,
        b.log_partition,
        end(b.log_partition_low, "no lower end"),
        b.log_partition_high,
    );
    text
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
