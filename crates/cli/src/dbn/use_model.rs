//! `boltzmann dbn sample`, `classify` and `features`.

use std::path::PathBuf;

use dbn::Dbn;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::{Split, dbn_error, load_examples, resolve_labels};
use crate::common::{check_outputs, print_report, square_side};
use crate::report::BadInput;

#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// The model: a TOML file with format = "dbn".
    #[arg(value_name = "MODEL.toml")]
    model: PathBuf,
    /// Clamp this label on (the net needs label units).
    #[arg(long)]
    label: Option<usize>,
    /// Multiply the label weights U by this gain for sampling (eq. 10.14):
    /// with --label the chains sample the tilted p_g(x | l), which follows
    /// the label more strongly than the net's own p(x | l) (gain 1); without
    /// it the free labels are also resampled under the gain. Needs label units.
    #[arg(long, value_name = "GAIN")]
    label_gain: Option<f64>,
    /// Number of samples.
    #[arg(short = 'n', long, default_value_t = 100)]
    n_samples: usize,
    /// Gibbs steps in the top RBM before the down-pass.
    #[arg(long, default_value_t = 1000)]
    gibbs_steps: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The samples as CSV: p(v = 1 | h1) for each unit (the Gaussian mean
    /// for a net whose first layer is Gaussian).
    #[arg(long, value_name = "OUT.csv")]
    out: PathBuf,
    /// Also draw them as a PNG grid (square images only; Gaussian means are
    /// scaled linearly from their smallest to their largest value).
    #[arg(long, value_name = "OUT.png")]
    png: Option<PathBuf>,
    #[arg(long)]
    force: bool,
}

pub fn sample(args: &SampleArgs) -> anyhow::Result<()> {
    if args.n_samples == 0 {
        return Err(BadInput("-n 0: expected at least 1 sample".into()).into());
    }
    if args.gibbs_steps == 0 {
        // The top RBM's chain would stay at its random start: not a sample of the net.
        return Err(BadInput("--gibbs-steps 0: expected at least 1 Gibbs step".into()).into());
    }
    // Read as f64 so that a gain beyond f32 is echoed as given, not as inf.
    if let Some(g) = args
        .label_gain
        .filter(|&g| !(g > 0.0 && (g as f32).is_finite()))
    {
        let problem = format!(
            "--label-gain {g}: expected a finite number > 0 within f32 (1 samples the net)"
        );
        return Err(BadInput(problem).into());
    }
    let mut outputs = vec![args.out.as_path()];
    outputs.extend(args.png.as_deref());
    check_outputs(&outputs, &[args.model.as_path()], args.force)?;
    let net = Dbn::load(&args.model).map_err(dbn_error)?;
    check_sample_memory(&net, args.n_samples)?;
    let sampler = match args.label_gain {
        Some(gain) => net
            .with_label_gain(gain as f32)
            .map_err(|e| dbn_error(e.in_file(&args.model)))?,
        None => net.clone(),
    };
    // The grid's side is checked before sampling, which can take minutes.
    let png = match &args.png {
        Some(png) => Some((
            png,
            square_side(net.n_visible()).ok_or_else(|| {
                BadInput(format!(
                    "{}: --png needs square images, but the model has {} visible units",
                    png.display(),
                    net.n_visible()
                ))
            })?,
        )),
        None => None,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let samples = sampler
        .generate(args.n_samples, args.gibbs_steps, args.label, &mut rng)
        .map_err(|e| dbn_error(e.in_file(&args.model)))?;
    if let Some((png, side)) = png {
        let per_row = (args.n_samples as f64).sqrt().ceil().max(1.0) as usize;
        let grey = grey_levels(&net, &samples);
        datasets::write_png_grid(png, grey.view(), side, side, per_row, args.force)?;
    }
    if net.gaussian_first_layer().is_some() {
        datasets::write_real_csv(&args.out, samples.mapv(f64::from).view(), args.force)?;
    } else {
        datasets::write_csv(&args.out, samples.mapv(f64::from).view(), args.force)?;
    }
    eprintln!("wrote {} samples to {}", args.n_samples, args.out.display());
    Ok(())
}

/// The chains' states in every layer (f32) and the samples with their CSV
/// text (about 14 bytes a value), before any is allocated.
fn check_sample_memory(net: &Dbn, n_samples: usize) -> Result<(), BadInput> {
    let states: usize = net.layers().iter().map(|l| l.n_hidden()).sum::<usize>()
        + net.labels().map_or(0, |l| l.n_labels());
    let per_sample = 4 * states as u128 + 14 * net.n_visible() as u128;
    crate::common::check_memory("-n", n_samples as u128 * per_sample, 1)
}

/// Grey levels in [0, 1] for a PNG: probabilities as they are, Gaussian
/// means scaled from their minimum (black) to their maximum (white).
fn grey_levels(net: &Dbn, samples: &ndarray::Array2<f32>) -> ndarray::Array2<f32> {
    if net.gaussian_first_layer().is_none() {
        return samples.clone();
    }
    let min = samples.fold(f32::INFINITY, |m, &x| m.min(x));
    let max = samples.fold(f32::NEG_INFINITY, |m, &x| m.max(x));
    let range = (max - min).max(f32::MIN_POSITIVE);
    samples.mapv(|x| (x - min) / range)
}

#[derive(Debug, clap::Args)]
pub struct ClassifyArgs {
    #[arg(value_name = "MODEL.toml")]
    model: PathBuf,
    /// Examples: a CSV file of values in [0, 1] (any real numbers for a
    /// Gaussian first layer) or an MNIST-style IDX folder (see --split).
    #[arg(long, value_name = "DATA")]
    data: PathBuf,
    /// Which images of an IDX folder: its training or its test split.
    #[arg(long, value_enum, default_value_t = Split::Train)]
    split: Split,
    /// True labels, one per line, to report the accuracy.
    #[arg(long, value_name = "LABELS.txt")]
    labels: Option<PathBuf>,
    /// Write the predicted label of each example, one per line.
    #[arg(long, value_name = "OUT.csv")]
    out: Option<PathBuf>,
    /// Classify by the free energy of each label even when the model has a
    /// fine-tuned `[classifier]` (which is used by default).
    #[arg(long)]
    free_energy: bool,
    #[arg(long)]
    force: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct ClassifyReport {
    model_file: String,
    /// "classifier" (the fine-tuned net) or "free_energy" (eq. 10.8).
    method: &'static str,
    n_examples: usize,
    accuracy: Option<f64>,
    predictions_file: Option<String>,
}

pub fn classify(args: &ClassifyArgs) -> anyhow::Result<()> {
    if let Some(out) = &args.out {
        let mut inputs = vec![args.model.as_path(), args.data.as_path()];
        inputs.extend(args.labels.as_deref());
        check_outputs(&[out.as_path()], &inputs, args.force)?;
    }
    let net = Dbn::load(&args.model).map_err(dbn_error)?;
    let (x, own_labels) =
        load_examples(&args.data, args.split, net.gaussian_first_layer().is_some())?;
    check_width(&net, x.ncols(), &args.data)?;
    let labels = resolve_labels(args.labels.as_ref(), own_labels, x.nrows())?;
    if let Some(labels) = &labels {
        check_classes(&net, labels, args.labels.as_deref().unwrap_or(&args.data))?;
    }
    let (predicted, method) = match net.classifier().filter(|_| !args.free_energy) {
        Some(classifier) => (classifier.predict(x.view()), "classifier"),
        None => {
            let by_free_energy = net.classify(x.view());
            let predicted = by_free_energy.map_err(|e| dbn_error(e.in_file(&args.model)))?;
            (predicted, "free_energy")
        }
    };
    if let Some(out) = &args.out {
        // Class numbers, one per line (written as integers: 3, not 3.0).
        let column =
            ndarray::Array2::from_shape_fn((predicted.len(), 1), |(n, _)| predicted[n] as f64);
        datasets::write_real_csv(out, column.view(), args.force)?;
    }
    let report = ClassifyReport {
        model_file: args.model.display().to_string(),
        method,
        n_examples: x.nrows(),
        accuracy: labels.map(|l| dbn::accuracy(&predicted, &l)),
        predictions_file: args.out.as_ref().map(|p| p.display().to_string()),
    };
    print_report(&report, classify_text, args.json, false)
}

fn classify_text(r: &ClassifyReport) -> String {
    let how = match r.method {
        "classifier" => "its fine-tuned classifier",
        _ => "the free energy of each label",
    };
    let mut text = format!(
        "classified {} examples with {} ({how})\n",
        r.n_examples, r.model_file
    );
    if let Some(a) = r.accuracy {
        text += &format!("accuracy = {a:.4} (error {:.2}%)\n", 100.0 * (1.0 - a));
    }
    if let Some(p) = &r.predictions_file {
        text += &format!("wrote the predictions to {p}\n");
    }
    text
}

#[derive(Debug, clap::Args)]
pub struct FeaturesArgs {
    #[arg(value_name = "MODEL.toml")]
    model: PathBuf,
    /// Examples: a CSV file of values in [0, 1] (any real numbers for a
    /// Gaussian first layer) or an MNIST-style IDX folder (see --split).
    #[arg(long, value_name = "DATA")]
    data: PathBuf,
    /// Which images of an IDX folder: its training or its test split.
    #[arg(long, value_enum, default_value_t = Split::Train)]
    split: Split,
    /// The top layer's probabilities, one example per line.
    #[arg(long, value_name = "OUT.csv")]
    out: PathBuf,
    #[arg(long)]
    force: bool,
}

pub fn features(args: &FeaturesArgs) -> anyhow::Result<()> {
    check_outputs(
        &[args.out.as_path()],
        &[args.model.as_path(), args.data.as_path()],
        args.force,
    )?;
    let net = Dbn::load(&args.model).map_err(dbn_error)?;
    let (x, _) = load_examples(&args.data, args.split, net.gaussian_first_layer().is_some())?;
    check_width(&net, x.ncols(), &args.data)?;
    let features = net.features(x.view());
    datasets::write_csv(&args.out, features.mapv(f64::from).view(), args.force)?;
    eprintln!(
        "wrote {} x {} features to {}",
        features.nrows(),
        features.ncols(),
        args.out.display()
    );
    Ok(())
}

/// The true labels must be classes the model can predict: 0 to one less
/// than its label units (or its classifier's classes).
fn check_classes(net: &Dbn, labels: &[usize], source: &std::path::Path) -> Result<(), BadInput> {
    let n_classes = net
        .classifier()
        .map(|c| c.n_classes())
        .or(net.labels().map(|l| l.n_labels()));
    let Some(n_classes) = n_classes else {
        return Ok(()); // classify refuses a net with neither, naming the model
    };
    match labels.iter().position(|&l| l >= n_classes) {
        Some(n) => Err(BadInput(format!(
            "{}: label {} (example {}) is not a class of the model, which has classes 0 to {}",
            source.display(),
            labels[n],
            n + 1,
            n_classes - 1
        ))),
        None => Ok(()),
    }
}

fn check_width(net: &Dbn, n_values: usize, data: &std::path::Path) -> Result<(), BadInput> {
    if n_values != net.n_visible() {
        return Err(BadInput(format!(
            "{}: each example has {n_values} values but the model has {} visible units",
            data.display(),
            net.n_visible()
        )));
    }
    Ok(())
}
