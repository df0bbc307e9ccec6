//! The dbn-digits experiment, part (a) of issue 11: the 8x8 UCI digits as in
//! scikit-learn's example "Restricted Boltzmann Machine features for digit
//! classification" (each digit also nudged by one pixel in four directions,
//! features scaled to [0, 1], 80/20 split), classified five ways:
//! softmax regression on the pixels, on RBM features and on DBN features;
//! the DBN with label units by free energy; the DBN unrolled and fine-tuned
//! by backpropagation, against the same net from random initialisation.

pub mod config;

use std::path::Path;

use anyhow::{Context, Result};
use dbn::{Classifier, Dbn, FineTuneConfig, GreedyConfig, accuracy, fine_tune, train_greedy};
use ndarray::{Array2, ArrayView2, Axis};
use plotters::prelude::SeriesLabelPosition;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::output::Outputs;
use crate::plot::{LinePanel, Mark, Series, color, line_panel, padded_range, render_svg};
use crate::streams::stream;
use config::DbnDigitsConfig;

pub const NAME: &str = "dbn-digits";
pub const DESCRIPTION: &str = "8x8 digits: softmax regression on pixels, RBM and DBN features; \
     generative DBN; fine-tuned DBN against random initialisation";

// The purposes of the random streams (see `crate::streams`); dbn-mnist
// shares `generate_per_label`, so its own purposes start at 11.
const STREAM_SPLIT: u32 = 1;
const STREAM_RANDOM_INIT: u32 = 2;
const STREAM_SAMPLES: u32 = 3;

/// The nudged, scaled digits, split.
pub struct Split {
    pub train: Array2<f32>,
    pub train_labels: Vec<usize>,
    pub test: Array2<f32>,
    pub test_labels: Vec<usize>,
}

/// Test accuracy of each classifier, a fraction in [0, 1].
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Accuracies {
    pub raw_pixels: f64,
    pub rbm_features: f64,
    pub dbn_features: f64,
    pub generative_dbn: f64,
    pub fine_tuned_dbn: f64,
    pub random_init_net: f64,
}

/// One epoch of backpropagation: the training loss and the test accuracy.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EpochPoint {
    pub epoch: usize,
    pub train_loss: f64,
    pub test_accuracy: f64,
}

/// Everything measured: the contents of `dbn-digits.json`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DbnDigitsResults {
    pub experiment: String,
    pub config: DbnDigitsConfig,
    pub n_train: usize,
    pub n_test: usize,
    pub layer_sizes: Vec<usize>,
    pub accuracy: Accuracies,
    pub fine_tune_pretrained: Vec<EpochPoint>,
    pub fine_tune_random: Vec<EpochPoint>,
}

pub fn run(path: &Path) -> Result<Outputs> {
    let config: DbnDigitsConfig = crate::config::load(path)?;
    let split = load_split(&config)?;
    let (results, generated) = measure(&config, &split)?;
    dbn_outputs(DbnOutputs {
        name: NAME,
        json: serde_json::to_string_pretty(&results)? + "\n",
        layer_sizes: &results.layer_sizes,
        pretrained: &results.fine_tune_pretrained,
        random: &results.fine_tune_random,
        generated: &generated.plain,
        generated_with_gain: generated.with_gain.as_ref(),
        side: datasets::DIGITS_SIDE,
        per_row: config.samples.n_per_label,
        summary: summary_table(&results),
    })
}

/// What both DBN experiments write, under their `name`.
pub(crate) struct DbnOutputs<'a> {
    pub name: &'a str,
    /// The results as pretty JSON: `NAME.json`.
    pub json: String,
    /// The fine-tuning curves: `NAME-fine-tuning.svg`.
    pub layer_sizes: &'a [usize],
    pub pretrained: &'a [EpochPoint],
    pub random: &'a [EpochPoint],
    /// Generated digits of `side` x `side` pixels, `per_row` per label:
    /// `NAME-generated.png`.
    pub generated: &'a Array2<f32>,
    /// The same under a label gain (eq. 10.14), if asked: `NAME-generated-gain.png`.
    pub generated_with_gain: Option<&'a Array2<f32>>,
    pub side: usize,
    pub per_row: usize,
    /// The chapter's table and sentences: `generated/NAME-summary.md`.
    pub summary: String,
}

/// The JSON, the fine-tuning figure, the grid of generated digits (one row
/// per clamped label) and the summary of a DBN experiment.
pub(crate) fn dbn_outputs(o: DbnOutputs) -> Result<Outputs> {
    let mut outputs = Outputs::new();
    outputs.add_figure(format!("{}.json", o.name), o.json);
    outputs.add_figure(
        format!("{}-fine-tuning.svg", o.name),
        fine_tuning_figure(o.layer_sizes, o.pretrained, o.random)?,
    );
    outputs.add_binary_figure(
        format!("{}-generated.png", o.name),
        crate::mnist_rbm::figures::png_grid(o.generated, (o.side, o.side), o.per_row)?,
    );
    if let Some(amplified) = o.generated_with_gain {
        outputs.add_binary_figure(
            format!("{}-generated-gain.png", o.name),
            crate::mnist_rbm::figures::png_grid(amplified, (o.side, o.side), o.per_row)?,
        );
    }
    outputs.add_generated(format!("{}-summary.md", o.name), o.summary);
    Ok(outputs)
}

/// Read, nudge, scale each pixel to [0, 1] by its minimum and maximum over
/// all images (as scikit-learn's example does), and split with a seeded shuffle.
pub fn load_split(config: &DbnDigitsConfig) -> Result<Split> {
    let file = crate::mnist_rbm::workspace_root().join(&config.data.file);
    let digits = datasets::read_digits_8x8(&file)
        .with_context(|| format!("loading the digits (data.file = {:?})", config.data.file))?;
    let n = config
        .data
        .max_digits
        .unwrap_or(usize::MAX)
        .min(digits.labels.len());
    let images = digits.images.slice(ndarray::s![..n, ..]);
    let x = min_max_scale(datasets::nudge_images(images, datasets::DIGITS_SIDE).view());
    let labels: Vec<usize> = (0..5)
        .flat_map(|_| digits.labels[..n].iter().copied())
        .collect();
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.shuffle(&mut stream(config.seed, STREAM_SPLIT, 0));
    let n_test = (config.data.test_fraction * labels.len() as f64).ceil() as usize;
    let (test_rows, train_rows) = order.split_at(n_test);
    Ok(Split {
        train: x.select(Axis(0), train_rows),
        train_labels: train_rows.iter().map(|&r| labels[r]).collect(),
        test: x.select(Axis(0), test_rows),
        test_labels: test_rows.iter().map(|&r| labels[r]).collect(),
    })
}

/// (x - min) / (max + 1e-4) per column, scikit-learn's `minmax_scale` line of the example.
fn min_max_scale(x: ArrayView2<f32>) -> Array2<f32> {
    let mut scaled = x.to_owned();
    for mut column in scaled.columns_mut() {
        let min = column.fold(f32::INFINITY, |m, &v| m.min(v));
        let max = column.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        column.mapv_inplace(|v| (v - min) / (max + 1e-4));
    }
    scaled
}

/// Softmax regression on `train`, test accuracy on `test`.
pub(crate) fn logistic_accuracy(
    train: ArrayView2<f32>,
    test: ArrayView2<f32>,
    split: &Split,
    config: &FineTuneConfig,
) -> Result<f64> {
    let mut model = Classifier::softmax_regression(train.ncols(), 10);
    fine_tune(
        &mut model,
        train,
        &split.train_labels,
        config,
        &mut |_, _| (),
    )?;
    Ok(accuracy(&model.predict(test), &split.test_labels))
}

/// Backpropagation from `start`, with the loss and test accuracy after every epoch.
pub(crate) fn fine_tune_curve(
    mut start: Classifier,
    split: &Split,
    config: &FineTuneConfig,
) -> Result<(f64, Vec<EpochPoint>)> {
    fine_tune_in_place(&mut start, split, config)
}

/// [`fine_tune_curve`] that leaves the fine-tuned net in `net`.
pub(crate) fn fine_tune_in_place(
    net: &mut Classifier,
    split: &Split,
    config: &FineTuneConfig,
) -> Result<(f64, Vec<EpochPoint>)> {
    let mut curve = Vec::new();
    fine_tune(
        net,
        split.train.view(),
        &split.train_labels,
        config,
        &mut |epoch, net| {
            curve.push(EpochPoint {
                epoch,
                train_loss: f64::from(net.loss(split.train.view(), &split.train_labels)),
                test_accuracy: accuracy(&net.predict(split.test.view()), &split.test_labels),
            });
        },
    )?;
    let last = curve.last().map_or(0.0, |p| p.test_accuracy);
    Ok((last, curve))
}

fn measure(config: &DbnDigitsConfig, split: &Split) -> Result<(DbnDigitsResults, GeneratedDigits)> {
    let raw_pixels = logistic_accuracy(
        split.train.view(),
        split.test.view(),
        split,
        &config.logistic,
    )?;
    let single = GreedyConfig {
        seed: config.seed,
        up_pass: config.dbn.up_pass,
        layers: vec![config.rbm.clone()],
    };
    let rbm = train_greedy(split.train.view(), None, &single, &mut |_| ())?;
    let rbm_features = logistic_accuracy(
        rbm.features(split.train.view()).view(),
        rbm.features(split.test.view()).view(),
        split,
        &config.logistic,
    )?;
    let stack = train_greedy(split.train.view(), None, &config.dbn, &mut |_| ())?;
    let dbn_features = logistic_accuracy(
        stack.features(split.train.view()).view(),
        stack.features(split.test.view()).view(),
        split,
        &config.logistic,
    )?;
    let labelled = train_greedy(
        split.train.view(),
        Some((&split.train_labels, 10)),
        &config.dbn,
        &mut |_| (),
    )?;
    let generative_dbn = accuracy(&labelled.classify(split.test.view())?, &split.test_labels);
    let (fine_tuned_dbn, fine_tune_pretrained) =
        fine_tune_curve(Classifier::from_dbn(&stack, 10), split, &config.fine_tune)?;
    let sizes = stack.layer_sizes();
    let random = Classifier::random(&sizes, 10, &mut stream(config.seed, STREAM_RANDOM_INIT, 0));
    let (random_init_net, fine_tune_random) = fine_tune_curve(random, split, &config.fine_tune)?;
    let generated = generate_per_label(&labelled, &config.samples, config.seed)?;
    let results = DbnDigitsResults {
        experiment: NAME.into(),
        config: config.clone(),
        n_train: split.train.nrows(),
        n_test: split.test.nrows(),
        layer_sizes: sizes,
        accuracy: Accuracies {
            raw_pixels,
            rbm_features,
            dbn_features,
            generative_dbn,
            fine_tuned_dbn,
            random_init_net,
        },
        fine_tune_pretrained,
        fine_tune_random,
    };
    Ok((results, generated))
}

/// Digits generated with each label clamped, `n_per_label` per label, label
/// 0 first: by the net, and with `samples.label_gain` also by the net under
/// that gain (eq. 10.14), from the same random numbers.
pub(crate) struct GeneratedDigits {
    pub plain: Array2<f32>,
    pub with_gain: Option<Array2<f32>>,
}

/// [`GeneratedDigits`] of `net`, as `samples` asks.
pub(crate) fn generate_per_label(
    net: &Dbn,
    samples: &config::SamplesConfig,
    seed: u64,
) -> Result<GeneratedDigits> {
    let with_gain = match samples.label_gain {
        Some(gain) => Some(generate_rows(&net.with_label_gain(gain)?, samples, seed)?),
        None => None,
    };
    Ok(GeneratedDigits {
        plain: generate_rows(net, samples, seed)?,
        with_gain,
    })
}

fn generate_rows(net: &Dbn, samples: &config::SamplesConfig, seed: u64) -> Result<Array2<f32>> {
    let mut rng = stream(seed, STREAM_SAMPLES, 0);
    let blocks = (0..10)
        .map(|label| {
            net.generate(
                samples.n_per_label,
                samples.n_gibbs_steps,
                Some(label),
                &mut rng,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
    Ok(ndarray::concatenate(Axis(0), &views)?)
}

/// Test accuracy per epoch of fine-tuning, pretrained against random initialisation.
pub(crate) fn fine_tuning_figure(
    layer_sizes: &[usize],
    pretrained: &[EpochPoint],
    random: &[EpochPoint],
) -> Result<String> {
    let points = |curve: &[EpochPoint]| {
        curve
            .iter()
            .map(|p| (p.epoch as f64, p.test_accuracy))
            .collect::<Vec<_>>()
    };
    let series = vec![
        Series::new("pretrained (DBN)", points(pretrained), color(0), Mark::Line),
        Series::new(
            "random initialisation",
            points(random),
            color(1),
            Mark::Dashed,
        ),
    ];
    let all = series.iter().flat_map(|s| s.points.iter().copied());
    let x = padded_range(all.clone().map(|p| p.0), 0.02);
    let y = padded_range(all.map(|p| p.1), 0.05);
    let panel = LinePanel {
        title: format!(
            "Fine-tuning a {} net by backpropagation",
            sizes_text(layer_sizes)
        ),
        x_label: "epoch".into(),
        y_label: "test accuracy".into(),
        series,
        legend: Some(SeriesLabelPosition::LowerRight),
        log_axes: (false, false),
    };
    render_svg((720, 420), |area| line_panel(area, &panel, x, y))
}

pub(crate) fn sizes_text(sizes: &[usize]) -> String {
    sizes
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join("-")
}

/// The classifiers that follow the feature rows in both DBN experiments'
/// tables (here and `dbn-mnist`): by free energy, fine-tuned, and the same
/// net from random weights, for a DBN of layer sizes `sizes`.
pub(crate) fn dbn_rows(
    sizes: &str,
    generative: f64,
    fine_tuned: f64,
    random_init: f64,
) -> [(String, f64); 3] {
    [
        (
            format!("DBN {sizes} with 10 label units, by free energy (eq. 10.8)"),
            generative,
        ),
        (
            format!("DBN {sizes} unrolled and fine-tuned by backpropagation"),
            fine_tuned,
        ),
        (
            "the same net from random initialisation".to_string(),
            random_init,
        ),
    ]
}

/// A Markdown table of classifiers and one number each, written by `cell`.
pub(crate) fn classifier_table<'a>(
    column: &str,
    rows: impl IntoIterator<Item = &'a (String, f64)>,
    cell: impl Fn(f64) -> String,
) -> String {
    let mut text = format!("| classifier | {column} |\n|---|---|\n");
    for (name, x) in rows {
        text += &format!("| {name} | {} |\n", cell(*x));
    }
    text
}

/// The table of the chapter, every number from `r`.
pub fn summary_table(r: &DbnDigitsResults) -> String {
    let a = &r.accuracy;
    let sizes = sizes_text(&r.layer_sizes);
    let rows = [
        ("softmax regression on the pixels".to_string(), a.raw_pixels),
        (
            format!(
                "softmax regression on RBM features ({} hidden)",
                r.config.rbm.n_hidden
            ),
            a.rbm_features,
        ),
        (
            format!("softmax regression on DBN features ({sizes})"),
            a.dbn_features,
        ),
    ];
    let dbn_rows = dbn_rows(
        &sizes,
        a.generative_dbn,
        a.fine_tuned_dbn,
        a.random_init_net,
    );
    let mut text = classifier_table("test accuracy", rows.iter().chain(&dbn_rows), |acc| {
        format!("{acc:.3}")
    });
    text += &format!(
        "\n{} training and {} test images (the 8x8 digits and their one-pixel nudges).\n",
        r.n_train, r.n_test
    );
    text
}
