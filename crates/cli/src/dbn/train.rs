//! `boltzmann dbn train`: greedy layer-wise training from flags or a TOML
//! configuration, with an atomic checkpoint after every epoch of every layer,
//! then (with labels and `--fine-tune-epochs` or a `[fine_tune]` table)
//! fine-tuning by backpropagation, checkpointed after every epoch too.
//!
//! The checkpoint (`OUT.toml.checkpoint`, JSON) holds the settings, the
//! finished layers, and the layer in progress with its velocity, persistent
//! chains and epochs done; in the fine-tuning phase, the state of
//! [`super::fine_tune`]. Every f32 is written in its shortest round-trip
//! form, so `--resume` continues with the same bits.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use anyhow::Context;
use dbn::{
    Dbn, FineTuneConfig, GreedyConfig, GreedyResume, LayerConfig, LayerKind, LayerTrainer, UpPass,
    train_greedy_from,
};
use ndarray::{Array1, Array2, ArrayView2};
use rbm::{
    Estimator, GaussianGradient, GaussianPersistentChains, GaussianRbm, GaussianTrainer, Gradient,
    PersistentChains, Rbm, TrainConfig, Trainer,
};
use serde::{Deserialize, Serialize};

use super::fine_tune::{self, FineTuneResume, FineTuneState};
use super::{Split, dbn_error, load_examples, resolve_labels};
use crate::common::{all_finite, check_outputs, print_report};
use crate::report::BadInput;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Training examples: a CSV file of values in [0, 1] (any real numbers
    /// with --first-layer gaussian) or an MNIST-style IDX folder (its train
    /// split, whose labels are used unless --no-labels).
    #[arg(long, value_name = "DATA")]
    data: PathBuf,
    /// Labels, one class 0, 1, ... per line: the top RBM learns label units.
    #[arg(long, value_name = "LABELS.txt")]
    labels: Option<PathBuf>,
    /// Ignore the labels of an IDX folder.
    #[arg(long, conflicts_with = "labels")]
    no_labels: bool,
    /// A TOML file with the greedy configuration (seed, up_pass, `[[layers]]`)
    /// and optionally a `[fine_tune]` table (learning_rate, momentum,
    /// weight_decay, batch_size, epochs, seed); replaces --layers, the
    /// per-layer flags and the --fine-tune flags.
    #[arg(long, value_name = "CONFIG.toml", conflicts_with = "layers")]
    config: Option<PathBuf>,
    /// Hidden units of each layer, bottom first, e.g. 500,500,2000.
    #[arg(long, value_delimiter = ',', required_unless_present = "config")]
    layers: Vec<usize>,
    /// Epochs per layer: one number for all, or one per layer.
    #[arg(long, value_delimiter = ',', default_value = "10")]
    epochs: Vec<usize>,
    /// Learning rate per layer: one number for all, or one per layer.
    #[arg(long, value_delimiter = ',', default_value = "0.1")]
    learning_rate: Vec<f32>,
    /// CD-K in every layer.
    #[arg(long, default_value_t = 1)]
    cd: usize,
    #[arg(long, default_value_t = 10)]
    batch_size: usize,
    #[arg(long, default_value_t = 1e-4)]
    weight_decay: f32,
    /// The visible units of layer 1: binary, or Gaussian for real-valued
    /// data (a Gaussian-Bernoulli RBM, chapter 9; standardise each column,
    /// by hand or with --standardize, since unit variances are assumed unless
    /// --learn-variance, and use a smaller learning rate for it). In a configuration file:
    /// `kind = "gaussian"` in the first `[[layers]]` table.
    #[arg(long, value_enum, default_value = "bernoulli")]
    first_layer: FirstLayerArg,
    /// Learn the variances of a Gaussian first layer.
    #[arg(long)]
    learn_variance: bool,
    /// Train a Gaussian first layer on the data standardised column by
    /// column (eq. 9.7), then carry the model back to the data's own units,
    /// so that sample, classify and features take raw values.
    #[arg(long)]
    standardize: bool,
    /// Hand probabilities (mean field) or samples up to the next layer.
    #[arg(long, value_enum, default_value = "probabilities")]
    up_pass: UpPassArg,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// After greedy training, fine-tune the unrolled net by backpropagation
    /// for this many epochs (needs labels); it is saved as the model's
    /// `[classifier]`, which `dbn classify` then uses. 0: no fine-tuning.
    #[arg(long, default_value_t = 0, conflicts_with = "config")]
    fine_tune_epochs: usize,
    /// The learning rate of fine-tuning (momentum 0.9, no weight decay,
    /// minibatches of --batch-size, seeded by --seed).
    #[arg(long, default_value_t = 0.1, conflicts_with = "config")]
    fine_tune_rate: f32,
    /// The trained model (TOML, format = "dbn").
    #[arg(long, value_name = "OUT.toml")]
    out: PathBuf,
    /// Continue from OUT.toml.checkpoint.
    #[arg(long)]
    resume: bool,
    #[arg(long)]
    force: bool,
    #[arg(long)]
    json: bool,
    /// Stop (exit status 130, as after Ctrl-C) once this many epochs have
    /// been checkpointed in this run: for testing --resume.
    #[arg(long, hide = true)]
    stop_after_epochs: Option<usize>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum FirstLayerArg {
    Bernoulli,
    Gaussian,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum UpPassArg {
    Probabilities,
    Samples,
}

/// What must match for `--resume`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Settings {
    /// The digest of the examples and labels as loaded
    /// (`crate::checkpoint::data_digest`): the data are compared by their
    /// contents, not by the name they were given under.
    #[serde(default)]
    data_digest: String,
    n_labels: usize,
    greedy: GreedyConfig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fine_tune: Option<FineTuneConfig>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    standardize: bool,
}

/// The --config file: the greedy configuration and an optional
/// `[fine_tune]` table, each value checked as it is read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    seed: u64,
    #[serde(default)]
    up_pass: UpPass,
    layers: Vec<LayerConfig>,
    #[serde(default)]
    fine_tune: Option<FineTuneConfig>,
}

#[derive(Serialize, Deserialize)]
struct LayerState {
    visible_bias: Vec<f32>,
    hidden_bias: Vec<f32>,
    weights: Vec<Vec<f32>>,
    /// A Gaussian layer's z = log sigma^2 (or the velocity of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    log_variance: Option<Vec<f32>>,
}

#[derive(Serialize, Deserialize)]
struct TrainerState {
    rbm: LayerState,
    velocity: LayerState,
    chains: Option<Vec<Vec<f32>>>,
    /// The example order a Gaussian layer's next epoch shuffles further.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order: Option<Vec<usize>>,
    epochs_done: usize,
}

#[derive(Serialize, Deserialize)]
struct Checkpoint {
    format: String,
    settings: Settings,
    finished: Vec<LayerState>,
    current: Option<TrainerState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fine_tune: Option<FineTuneState>,
}

/// Where `--resume` continues: in greedy training or in fine-tuning.
/// Made once per run, so its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Resume {
    Greedy(GreedyResume),
    FineTune(FineTuneResume),
}

/// Counts the epochs of this run and says when to stop: after Ctrl-C or
/// after `--stop-after-epochs`, always right after a checkpoint.
struct Stopper {
    ctrl_c: std::sync::Arc<std::sync::atomic::AtomicBool>,
    after: Option<usize>,
    epochs: usize,
}

impl Stopper {
    fn epoch_done(&mut self) -> ControlFlow<()> {
        self.epochs += 1;
        let requested = self.after.is_some_and(|n| self.epochs >= n);
        if requested || self.ctrl_c.load(Ordering::SeqCst) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

const CHECKPOINT_FORMAT: &str = "boltzmann-dbn-checkpoint-1";

/// The exit status after Ctrl-C (128 + SIGINT), as `boltzmann train`.
const INTERRUPTED: i32 = 130;

#[derive(Serialize)]
struct TrainReport {
    model_file: String,
    layer_sizes: Vec<usize>,
    n_labels: usize,
    n_examples: usize,
    training_accuracy: Option<f64>,
    /// Epochs of fine-tuning, and the fine-tuned classifier's accuracy on
    /// the training data.
    fine_tune_epochs: usize,
    fine_tuned_accuracy: Option<f64>,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    if !args.resume {
        let mut inputs = vec![args.data.as_path()];
        inputs.extend(args.labels.as_deref());
        inputs.extend(args.config.as_deref());
        check_outputs(&[args.out.as_path()], &inputs, args.force)?;
    }
    let (greedy, fine_tune) = train_config(args)?;
    greedy.check().map_err(|e| match &args.config {
        Some(path) => dbn_error(e.in_file(path)),
        None => BadInput(format!("the flags (--layers, --epochs, ...): {e}")).into(),
    })?;
    if args.standardize && !greedy.gaussian_first_layer() {
        return Err(BadInput(
            "--standardize: only a Gaussian first layer models standardised values; \
             add --first-layer gaussian (or kind = \"gaussian\" in the configuration)"
                .into(),
        )
        .into());
    }
    let (x, own_labels) = load_examples(&args.data, Split::Train, greedy.gaussian_first_layer())?;
    let own_labels = own_labels.filter(|_| !args.no_labels);
    let labels = resolve_labels(args.labels.as_ref(), own_labels, x.nrows())?;
    check_greedy_memory(&greedy, x.dim())?;
    let standardizer = if args.standardize {
        Some(rbm::Standardizer::fit(x.view()).map_err(rbm_error)?)
    } else {
        None
    };
    let (x, raw) = match &standardizer {
        Some(s) => (s.transform(x.view()).map_err(rbm_error)?, Some(x)),
        None => (x, None),
    };
    if fine_tune.is_some() && labels.is_none() {
        return Err(BadInput(format!(
            "{}: fine-tuning needs labels; give --labels FILE (or an IDX folder with labels), \
             or drop --fine-tune-epochs / [fine_tune]",
            args.data.display()
        ))
        .into());
    }
    let n_labels = labels
        .as_ref()
        .map_or(0, |l| l.iter().max().map_or(0, |m| m + 1).max(2));
    let settings = Settings {
        data_digest: crate::checkpoint::data_digest(&[x.view()], labels.as_deref()),
        n_labels,
        greedy,
        fine_tune,
        standardize: standardizer.is_some(),
    };
    let checkpoint_path = crate::checkpoint::path_for(&args.out);
    let resume = if args.resume {
        read_checkpoint(&checkpoint_path, &settings)?
    } else {
        Resume::Greedy(GreedyResume::default())
    };
    let greedy_epochs: usize = settings.greedy.layers.iter().map(|l| l.train.epochs).sum();
    let fine_tune_epochs = settings.fine_tune.as_ref().map_or(0, |f| f.epochs);
    let bar = progress_bar((greedy_epochs + fine_tune_epochs) as u64, args.json);
    let mut stopper = Stopper {
        ctrl_c: crate::progress::ctrl_c_flag(),
        after: args.stop_after_epochs,
        epochs: 0,
    };
    let (net, tuner) = match resume {
        Resume::Greedy(resume) => {
            let phase = GreedyPhase {
                settings: &settings,
                checkpoint: &checkpoint_path,
                bar: &bar,
            };
            let labels = labels.as_deref().map(|l| (l, n_labels));
            (phase.run(x.view(), labels, resume, &mut stopper)?, None)
        }
        Resume::FineTune(r) => {
            bar.inc(greedy_epochs as u64);
            (r.net, Some(r.tuner))
        }
    };
    let net = match (&settings.fine_tune, &labels) {
        (Some(config), Some(l)) => {
            let mut epochs_done = 0;
            let mut after_epoch = |net: &Dbn, tuner: &dbn::FineTuner| {
                bar.inc(1);
                check_fine_tuned_finite(tuner, &checkpoint_path)?;
                write_fine_tune_checkpoint(&checkpoint_path, &settings, net, tuner)?;
                epochs_done = tuner.epochs_done();
                Ok(stopper.epoch_done())
            };
            let examples = (x.view(), l.as_slice());
            let done = fine_tune::fine_tune_phase(
                net,
                tuner,
                config,
                examples,
                n_labels,
                &mut after_epoch,
            )?;
            let Some(net) = done else {
                let state = format!("fine-tuning epoch {epochs_done} of {}", config.epochs);
                interrupted(&checkpoint_path, &state);
            };
            net
        }
        _ => net,
    };
    bar.finish_and_clear();
    let net = match &standardizer {
        Some(s) => net.for_raw_data(s).map_err(dbn_error)?,
        None => net,
    };
    net.save(&args.out, args.force || args.resume)
        .map_err(dbn_error)?;
    let x = raw.unwrap_or(x);
    report(
        args,
        &net,
        &x,
        labels.as_deref(),
        n_labels,
        fine_tune_epochs,
    )
}

/// Each layer's weights with their velocity and statistics, a copy of the
/// layer's input and its up-pass for every example (f32), before any is
/// allocated: a layer of a billion units is refused, not attempted.
fn check_greedy_memory(
    greedy: &GreedyConfig,
    (n_examples, n_visible): (usize, usize),
) -> Result<(), BadInput> {
    let mut n_in = n_visible as u128;
    let mut n_values = 0u128;
    for layer in &greedy.layers {
        let n_out = layer.n_hidden as u128;
        n_values = n_values.saturating_add(4 * n_in * n_out + 2 * n_examples as u128 * n_out);
        n_in = n_out;
    }
    crate::common::check_memory("--layers", n_values, 4)
}

/// RbmErrors that are the user's fault become BadInput (exit code 2).
fn rbm_error(e: rbm::RbmError) -> anyhow::Error {
    dbn_error(dbn::DbnError::from(e))
}

/// The greedy phase's settings, checkpoint file and progress bar.
struct GreedyPhase<'a> {
    settings: &'a Settings,
    checkpoint: &'a Path,
    bar: &'a indicatif::ProgressBar,
}

impl GreedyPhase<'_> {
    /// Greedy training with a checkpoint after every epoch; exits with
    /// status 130 when stopped.
    fn run(
        &self,
        x: ArrayView2<f32>,
        labels: Option<(&[usize], usize)>,
        resume: GreedyResume,
        stopper: &mut Stopper,
    ) -> anyhow::Result<Dbn> {
        let mut failure = None;
        let mut last_saved = (0, 0); // (layer, epochs done in it)
        let mut after_epoch = |done: dbn::EpochDone| {
            self.bar.inc(1);
            let saved = check_finite(&done, self.checkpoint, last_saved).and_then(|()| {
                write_checkpoint(self.checkpoint, self.settings, &done).with_context(|| {
                    format!("writing the checkpoint {}", self.checkpoint.display())
                })
            });
            if let Err(e) = saved {
                failure = Some(e);
                return ControlFlow::Break(());
            }
            last_saved = (done.layer, done.trainer.epochs_done());
            // Ctrl-C takes effect here, right after a checkpoint: the run stops
            // at the end of the epoch in progress and keeps all of its work.
            stopper.epoch_done()
        };
        let greedy = &self.settings.greedy;
        let net =
            train_greedy_from(x, labels, greedy, resume, &mut after_epoch).map_err(dbn_error)?;
        if let Some(e) = failure {
            return Err(e);
        }
        let Some(net) = net else {
            let (layer, epochs_done) = last_saved;
            let epochs = greedy.layers[layer - 1].train.epochs;
            let state = format!("epoch {epochs_done} of {epochs} of layer {layer}");
            interrupted(self.checkpoint, &state);
        };
        Ok(net)
    }
}

/// Say where the checkpoint stands and exit with status 130, as after Ctrl-C.
fn interrupted(checkpoint: &Path, state: &str) -> ! {
    crate::common::eprint_text(&format!(
        "interrupted: {} holds the state after {state}; \
         run the same command with --resume to continue\n",
        checkpoint.display(),
    ));
    std::process::exit(INTERRUPTED);
}

/// Accuracies on the training data (by free energy with label units, and
/// of the fine-tuned classifier), then the report.
fn report(
    args: &Args,
    net: &Dbn,
    x: &Array2<f32>,
    labels: Option<&[usize]>,
    n_labels: usize,
    fine_tune_epochs: usize,
) -> anyhow::Result<()> {
    let training_accuracy = match labels {
        Some(l) => Some(dbn::accuracy(
            &net.classify(x.view()).map_err(dbn_error)?,
            l,
        )),
        None => None,
    };
    let fine_tuned_accuracy = match (net.classifier(), labels) {
        (Some(c), Some(l)) => Some(dbn::accuracy(&c.predict(x.view()), l)),
        _ => None,
    };
    let report = TrainReport {
        model_file: args.out.display().to_string(),
        layer_sizes: net.layer_sizes(),
        n_labels,
        n_examples: x.nrows(),
        training_accuracy,
        fine_tune_epochs,
        fine_tuned_accuracy,
    };
    print_report(&report, report_text, args.json, false)
}

fn report_text(r: &TrainReport) -> String {
    let sizes: Vec<String> = r.layer_sizes.iter().map(|n| n.to_string()).collect();
    let mut text = format!(
        "trained a {} DBN on {} examples; wrote {}\n",
        sizes.join("-"),
        r.n_examples,
        r.model_file
    );
    if let Some(a) = r.training_accuracy {
        text += &format!("{} label units; training accuracy {a:.4}\n", r.n_labels);
    }
    if let Some(a) = r.fine_tuned_accuracy {
        text += &format!(
            "fine-tuned for {} epochs; the classifier's training accuracy {a:.4}\n",
            r.fine_tune_epochs
        );
    }
    text
}

/// The greedy and fine-tuning configurations from --config, or from the
/// flags.
fn train_config(args: &Args) -> anyhow::Result<(GreedyConfig, Option<FineTuneConfig>)> {
    let Some(path) = &args.config else {
        return Ok((greedy_config(args)?, fine_tune_config(args)?));
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
    let file: ConfigFile =
        config::from_toml_str(&text).map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
    let greedy = GreedyConfig {
        seed: file.seed,
        up_pass: file.up_pass,
        layers: file.layers,
    };
    Ok((greedy, file.fine_tune))
}

/// Fine-tuning from --fine-tune-epochs and --fine-tune-rate (None for 0
/// epochs); the rate is checked as the configuration's value type would.
fn fine_tune_config(args: &Args) -> anyhow::Result<Option<FineTuneConfig>> {
    if args.fine_tune_epochs == 0 {
        return Ok(None);
    }
    let rate = config::Positive::new(args.fine_tune_rate)
        .map_err(|e| BadInput(format!("--fine-tune-rate: {e}")))?;
    let batch_size = config::PositiveCount::new(args.batch_size)
        .map_err(|e| BadInput(format!("--batch-size: {e}")))?;
    Ok(Some(FineTuneConfig {
        learning_rate: rate.get(),
        momentum: fine_tune::FLAG_MOMENTUM,
        weight_decay: 0.0,
        batch_size: batch_size.get(),
        epochs: args.fine_tune_epochs,
        seed: trainer_key(args.seed, FINE_TUNE_KEY, 0),
    }))
}

/// The purposes of the streams `dbn train` derives from --seed besides the
/// greedy training's own (purpose `rbm::streams::TRAINER`: layer k's initial
/// weights and up-pass samples, index k).
const LAYER_KEYS: u32 = 1;
const FINE_TUNE_KEY: u32 = 2;

/// The seed of a trainer that `dbn train` runs for --seed: the first number
/// of stream (`purpose`, `index`). Each layer's trainer and the fine-tuning
/// get a key of their own, so none of them draws what another, or the greedy
/// training, draws, and neighbouring seeds share nothing (with seed + k + 1,
/// seed s's layer 2 drew what seed s + 1's layer 1 drew). Two derived keys
/// coincide only by chance, with probability 2^-64 for a pair.
fn trainer_key(seed: u64, purpose: u32, index: usize) -> u64 {
    let index = u32::try_from(index).expect("fewer than 2^32 layers");
    rand::Rng::random(&mut rbm::stream(seed, purpose, index))
}

/// The greedy configuration from the flags (layer k's trainer seeded with
/// its own key, see [`trainer_key`]).
fn greedy_config(args: &Args) -> anyhow::Result<GreedyConfig> {
    let n = args.layers.len();
    let per_layer = |name: &str, count: usize| -> Result<(), BadInput> {
        if count == 1 || count == n {
            return Ok(());
        }
        Err(BadInput(format!(
            "--{name}: {count} values for {n} layers; give one value for all layers or one per layer"
        )))
    };
    per_layer("epochs", args.epochs.len())?;
    per_layer("learning-rate", args.learning_rate.len())?;
    let pick = |values: &[f32], k: usize| values[k.min(values.len() - 1)];
    let mut layers: Vec<LayerConfig> = (0..n)
        .map(|k| LayerConfig {
            n_hidden: args.layers[k],
            train: TrainConfig {
                learning_rate: pick(&args.learning_rate, k),
                weight_decay: args.weight_decay,
                batch_size: args.batch_size,
                epochs: args.epochs[k.min(args.epochs.len() - 1)],
                estimator: Estimator::Cd { k: args.cd },
                seed: trainer_key(args.seed, LAYER_KEYS, k),
                ..TrainConfig::default()
            },
            kind: LayerKind::Bernoulli,
            learn_variance: false,
        })
        .collect();
    if let (FirstLayerArg::Gaussian, Some(first)) = (args.first_layer, layers.first_mut()) {
        first.kind = LayerKind::Gaussian;
        first.learn_variance = args.learn_variance;
    } else if args.learn_variance {
        return Err(BadInput(
            "--learn-variance: only a Gaussian first layer has variances; add --first-layer gaussian"
                .into(),
        )
        .into());
    }
    Ok(GreedyConfig {
        seed: args.seed,
        up_pass: match args.up_pass {
            UpPassArg::Probabilities => UpPass::Probabilities,
            UpPassArg::Samples => UpPass::Samples,
        },
        layers,
    })
}

fn progress_bar(total: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} epochs {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

fn layer_state(
    visible_bias: &Array1<f32>,
    hidden_bias: &Array1<f32>,
    weights: &Array2<f32>,
    log_variance: Option<&Array1<f32>>,
) -> LayerState {
    LayerState {
        visible_bias: visible_bias.to_vec(),
        hidden_bias: hidden_bias.to_vec(),
        weights: weights.rows().into_iter().map(|r| r.to_vec()).collect(),
        log_variance: log_variance.map(|z| z.to_vec()),
    }
}

/// What the trainer of the layer in progress holds, either kind.
fn trainer_state(trainer: &LayerTrainer) -> TrainerState {
    let rows = |m: ArrayView2<f32>| m.rows().into_iter().map(|r| r.to_vec()).collect();
    match trainer {
        LayerTrainer::Bernoulli(t) => {
            let (rbm, velocity) = (t.rbm(), t.velocity());
            TrainerState {
                rbm: layer_state(&rbm.visible_bias, &rbm.hidden_bias, &rbm.weights, None),
                velocity: layer_state(
                    &velocity.visible_bias,
                    &velocity.hidden_bias,
                    &velocity.weights,
                    None,
                ),
                chains: t.chains().map(|c| rows(c.states())),
                order: None,
                epochs_done: t.epochs_done(),
            }
        }
        LayerTrainer::Gaussian(t) => {
            let (rbm, velocity) = (t.rbm(), t.velocity());
            TrainerState {
                rbm: layer_state(
                    &rbm.visible_bias,
                    &rbm.hidden_bias,
                    &rbm.weights,
                    Some(&rbm.log_variance),
                ),
                velocity: layer_state(
                    &velocity.visible_bias,
                    &velocity.hidden_bias,
                    &velocity.weights,
                    Some(&velocity.log_variance),
                ),
                chains: t.chains().map(|c| rows(c.states())),
                order: Some(t.order().to_vec()),
                epochs_done: t.epochs_done(),
            }
        }
    }
}

/// Refuse to go on (and to replace the checkpoint) once the layer in
/// training has a parameter that is not a finite number: its training
/// diverged, and the message names the setting to change.
fn check_finite(
    done: &dbn::EpochDone,
    checkpoint: &Path,
    last_saved: (usize, usize),
) -> anyhow::Result<()> {
    let finite = match done.trainer {
        LayerTrainer::Bernoulli(t) => {
            let r = t.rbm();
            all_finite(
                r.weights
                    .iter()
                    .chain(&r.visible_bias)
                    .chain(&r.hidden_bias),
            )
        }
        LayerTrainer::Gaussian(t) => {
            let r = t.rbm();
            let biases = r.visible_bias.iter().chain(&r.hidden_bias);
            all_finite(r.weights.iter().chain(biases).chain(&r.log_variance))
        }
    };
    if finite {
        return Ok(());
    }
    let kept = match last_saved {
        (0, _) => format!("{} was not replaced", checkpoint.display()),
        (layer, epoch) => format!(
            "{} holds the last finite state (layer {layer}, epoch {epoch})",
            checkpoint.display()
        ),
    };
    Err(BadInput(format!(
        "layer {}, epoch {}: the parameters are no longer finite numbers (training diverged); \
         lower this layer's learning rate (--learning-rate, or learning_rate in its [layers.train]); \
         {kept}",
        done.layer,
        done.trainer.epochs_done()
    ))
    .into())
}

/// [`check_finite`] for fine-tuning: a classifier whose weights or biases
/// stopped being finite ends the run before the checkpoint is replaced.
fn check_fine_tuned_finite(tuner: &dbn::FineTuner, checkpoint: &Path) -> anyhow::Result<()> {
    let layers = &tuner.classifier().layers;
    if all_finite(layers.iter().flat_map(|l| l.weights.iter().chain(&l.bias))) {
        return Ok(());
    }
    Err(BadInput(format!(
        "fine-tuning epoch {}: the classifier's parameters are no longer finite numbers \
         (training diverged); lower --fine-tune-rate (or learning_rate in [fine_tune]); {} was \
         not replaced",
        tuner.epochs_done(),
        checkpoint.display()
    ))
    .into())
}

fn write_checkpoint(path: &Path, settings: &Settings, done: &dbn::EpochDone) -> anyhow::Result<()> {
    let finished = done.finished.iter().enumerate().map(|(k, l)| {
        let log_variance = done.log_variance.filter(|_| k == 0);
        layer_state(&l.visible_bias, &l.hidden_bias, &l.weights, log_variance)
    });
    let checkpoint = Checkpoint {
        format: CHECKPOINT_FORMAT.into(),
        settings: settings.clone(),
        finished: finished.collect(),
        current: Some(trainer_state(done.trainer)),
        fine_tune: None,
    };
    bm_exact::write_file(path, &serde_json::to_string(&checkpoint)?, true)?;
    Ok(())
}

/// The checkpoint after a fine-tuning epoch: the settings and the state of
/// the fine-tuning phase (greedy training is over).
fn write_fine_tune_checkpoint(
    path: &Path,
    settings: &Settings,
    net: &Dbn,
    tuner: &dbn::FineTuner,
) -> anyhow::Result<()> {
    let checkpoint = Checkpoint {
        format: CHECKPOINT_FORMAT.into(),
        settings: settings.clone(),
        finished: Vec::new(),
        current: None,
        fine_tune: Some(fine_tune::state(net, tuner)),
    };
    bm_exact::write_file(path, &serde_json::to_string(&checkpoint)?, true).map_err(|e| {
        anyhow::Error::from(e).context(format!("writing the checkpoint {}", path.display()))
    })?;
    Ok(())
}

fn matrix(rows: &[Vec<f32>]) -> anyhow::Result<Array2<f32>> {
    let n_cols = rows.first().map_or(0, Vec::len);
    let flat: Vec<f32> = rows.iter().flatten().copied().collect();
    Ok(Array2::from_shape_vec((rows.len(), n_cols), flat)?)
}

fn to_rbm(s: &LayerState) -> anyhow::Result<Rbm> {
    Ok(Rbm {
        visible_bias: Array1::from(s.visible_bias.clone()),
        hidden_bias: Array1::from(s.hidden_bias.clone()),
        weights: matrix(&s.weights)?,
    })
}

fn read_checkpoint(path: &Path, settings: &Settings) -> anyhow::Result<Resume> {
    let damaged = |what: String| BadInput(format!("{}: {what}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| {
        damaged(format!(
            "{e}; --resume needs the checkpoint of an earlier run with the same --out"
        ))
    })?;
    let mut checkpoint: Checkpoint = serde_json::from_str(&text)
        .map_err(|e| damaged(format!("not a checkpoint of boltzmann dbn train: {e}")))?;
    if checkpoint.format != CHECKPOINT_FORMAT {
        return Err(damaged(format!("field `format`: expected {CHECKPOINT_FORMAT}")).into());
    }
    // Settings first, then the data by their contents; a checkpoint older
    // than the digest has none and is not compared by it.
    let saved_digest = std::mem::take(&mut checkpoint.settings.data_digest);
    checkpoint
        .settings
        .data_digest
        .clone_from(&settings.data_digest);
    if checkpoint.settings != *settings {
        return Err(damaged(
            "field `settings`: the run was started with other labels or layer settings; \
             give the same flags (or configuration) as the first run, or start afresh without --resume"
                .into(),
        )
        .into());
    }
    if !saved_digest.is_empty() && saved_digest != settings.data_digest {
        return Err(damaged(
            "field `settings.data_digest`: the run was started with other data or labels (the \
             files changed since the first run, or others were given); resume with the data of \
             the first run, or start afresh without --resume"
                .into(),
        )
        .into());
    }
    if let (Some(state), Some(config)) = (checkpoint.fine_tune, &settings.fine_tune) {
        let resume = fine_tune::restore(state, config)
            .map_err(|e| damaged(format!("field `fine_tune`: {e}")))?;
        return Ok(Resume::FineTune(resume));
    }
    let finished = checkpoint
        .finished
        .iter()
        .map(to_rbm)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let log_variance = checkpoint
        .finished
        .first()
        .and_then(|l| l.log_variance.clone())
        .map(Array1::from);
    let layer = finished.len();
    let current = match checkpoint.current {
        Some(state) if layer < settings.greedy.layers.len() => {
            let config = &settings.greedy.layers[layer];
            let trainer = match config.kind {
                LayerKind::Bernoulli => resume_bernoulli(state, config),
                LayerKind::Gaussian => resume_gaussian(state, config),
            };
            Some(trainer.map_err(|e| damaged(e.to_string()))?)
        }
        _ => None,
    };
    Ok(Resume::Greedy(GreedyResume {
        finished,
        log_variance,
        current,
    }))
}

fn resume_bernoulli(state: TrainerState, config: &LayerConfig) -> anyhow::Result<LayerTrainer> {
    let v = &state.velocity;
    let velocity = Gradient {
        visible_bias: Array1::from(v.visible_bias.clone()),
        hidden_bias: Array1::from(v.hidden_bias.clone()),
        weights: matrix(&v.weights)?,
    };
    let chains = match &state.chains {
        Some(rows) => Some(PersistentChains::from_states(matrix(rows)?.view())),
        None => None,
    };
    let trainer = Trainer::resume(
        to_rbm(&state.rbm)?,
        config.train.clone(),
        velocity,
        chains,
        state.epochs_done,
    )?;
    Ok(LayerTrainer::Bernoulli(trainer))
}

fn resume_gaussian(state: TrainerState, config: &LayerConfig) -> anyhow::Result<LayerTrainer> {
    let log_variance = |s: &LayerState| {
        s.log_variance.clone().map(Array1::from).ok_or_else(|| {
            anyhow::anyhow!("field `log_variance` is missing for the Gaussian layer")
        })
    };
    let rbm = to_rbm(&state.rbm)?;
    let v = &state.velocity;
    let velocity = GaussianGradient {
        visible_bias: Array1::from(v.visible_bias.clone()),
        hidden_bias: Array1::from(v.hidden_bias.clone()),
        weights: matrix(&v.weights)?,
        log_variance: log_variance(v)?,
    };
    let gaussian = GaussianRbm {
        visible_bias: rbm.visible_bias,
        hidden_bias: rbm.hidden_bias,
        weights: rbm.weights,
        log_variance: log_variance(&state.rbm)?,
    };
    let chains = match &state.chains {
        Some(rows) => Some(GaussianPersistentChains::from_states(matrix(rows)?.view())),
        None => None,
    };
    let trainer = GaussianTrainer::resume(
        gaussian,
        config.gaussian_config()?,
        velocity,
        chains,
        state.order.unwrap_or_default(),
        state.epochs_done,
    )?;
    Ok(LayerTrainer::Gaussian(trainer))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With seed + k + 1, seed s's layer 2 had the key of seed s + 1's
    /// layer 1, and both met the greedy training's key of seed s + 2.
    #[test]
    fn neighbouring_seeds_give_every_trainer_a_key_of_its_own() {
        let mut keys = std::collections::HashSet::new();
        for seed in 0..100 {
            assert!(keys.insert(seed), "greedy key {seed}");
            for k in 0..5 {
                assert!(keys.insert(trainer_key(seed, LAYER_KEYS, k)));
            }
            assert!(keys.insert(trainer_key(seed, FINE_TUNE_KEY, 0)));
        }
    }
}
