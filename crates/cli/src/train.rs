//! `boltzmann train`: train a Bernoulli RBM on your data with CD-k or PCD
//! (eq. 5.2 and 5.5 in the book), from a TOML configuration or flags.
//!
//! After every epoch the whole training state (model, velocity, persistent
//! chains, epochs done) is written atomically to `OUT.checkpoint`; `--resume`
//! continues from it and ends with the same bits as an uninterrupted run.
//! Ctrl-C abandons the current epoch, leaves the last checkpoint in place and
//! exits with code 130.

use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

use anyhow::Context;
use config::{FieldError, PositiveCount, ProperFraction};
use ndarray::{Array2, ArrayView2, s};
use rand::SeedableRng;
use rbm::{Estimator, Rbm, RbmError, TrainConfig, Trainer};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{self, Checkpoint};
use crate::report::BadInput;

/// The exit code after Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED: i32 = 130;

/// Examples used for the monitors after each epoch (from the training data
/// and from the held-out data): enough for a stable mean, cheap to compute.
const MONITOR_EXAMPLES: usize = 1000;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A TOML configuration (see the book's chapter on training); flags
    /// given as well override its values.
    #[arg(value_name = "CONFIG.toml")]
    config: Option<PathBuf>,

    /// The data: a CSV file (one example per line, values in [0, 1]) or an
    /// MNIST-style folder of IDX files (its train split; t10k is held out).
    #[arg(long, value_name = "PATH")]
    data: Option<PathBuf>,

    /// Hidden units.
    #[arg(long, value_name = "N")]
    hidden: Option<usize>,

    /// CD-K: K Gibbs steps from the data per update.
    #[arg(long, value_name = "K", conflicts_with = "pcd")]
    cd: Option<usize>,

    /// Persistent CD with one Gibbs step and one chain per example of a minibatch.
    #[arg(long)]
    pcd: bool,

    #[arg(long, value_name = "N")]
    epochs: Option<usize>,

    #[arg(long, value_name = "N")]
    batch_size: Option<usize>,

    /// The learning rate.
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    lr: Option<f32>,

    /// Momentum for every epoch (sets both initial and final momentum).
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    momentum: Option<f32>,

    /// L2 weight decay on the weights.
    #[arg(long, value_name = "DECAY", allow_negative_numbers = true)]
    weight_decay: Option<f32>,

    /// Seeds the initial weights, the shuffling and every Gibbs sample.
    #[arg(long)]
    seed: Option<u64>,

    /// Where to write the trained model (TOML, format = "rbm").
    #[arg(long, value_name = "MODEL.toml")]
    out: Option<PathBuf>,

    /// Replace MODEL.toml (and its checkpoint) if they exist.
    #[arg(long)]
    force: bool,

    /// Continue from MODEL.toml.checkpoint, written by an earlier run with
    /// the same settings (the number of epochs may differ, so a finished run
    /// can be trained further); MODEL.toml is then replaced.
    #[arg(long, conflicts_with = "force")]
    resume: bool,

    /// No progress bar and no per-epoch lines.
    #[arg(long)]
    quiet: bool,

    /// Print one JSON object at the end instead of text.
    #[arg(long)]
    json: bool,
}

/// How intensities become binary values (in TOML:
/// `binarize = { kind = "threshold", threshold = 0.5 }`,
/// `{ kind = "sample", seed = 1 }` or `{ kind = "none" }`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Binarize {
    /// 1 where the intensity is above the threshold.
    Threshold { threshold: f32 },
    /// Each value 1 with probability equal to its intensity, seeded.
    Sample { seed: u64 },
    /// Keep intensities as they are (used as probabilities).
    None,
}

/// The configuration file. Every field has a default except `data`,
/// `n_hidden` and `out`, which may also come from flags.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    data: Option<PathBuf>,
    n_hidden: Option<PositiveCount>,
    out: Option<PathBuf>,
    binarize: Option<Binarize>,
    /// Fraction of a CSV file's examples (its last rows) held out for the
    /// free-energy gap; an IDX folder holds out its t10k split instead.
    held_out_fraction: Option<ProperFraction>,
    train: Option<TrainConfig>,
}

/// Everything that decides the trained model; stored in the checkpoint and
/// compared on `--resume`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Settings {
    pub data: PathBuf,
    pub n_hidden: usize,
    pub binarize: Binarize,
    pub held_out_fraction: f64,
    pub train: TrainConfig,
}

#[derive(Serialize)]
struct TrainReport {
    model_file: String,
    checkpoint_file: String,
    n_examples: usize,
    n_held_out: usize,
    n_visible: usize,
    n_hidden: usize,
    epochs_done: usize,
    resumed_from_epoch: usize,
    seconds: f64,
    /// The wall-clock time of each epoch of this run, its monitors and
    /// checkpoint included.
    epoch_seconds: Vec<f64>,
    reconstruction_error: f32,
    free_energy_gap: Option<f32>,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let (settings, out) = resolve(args)?;
    let checkpoint_path = checkpoint::path_for(&out);
    let inputs: Vec<&Path> = std::iter::once(settings.data.as_path())
        .chain(args.config.as_deref())
        .collect();
    crate::common::check_outputs(&[&out, &checkpoint_path], &inputs, true)?;
    if !args.force && !args.resume {
        for path in [&out, &checkpoint_path] {
            if path.exists() {
                return Err(BadInput(format!(
                    "{}: already exists (pass --force to overwrite it, or --resume to continue)",
                    path.display()
                ))
                .into());
            }
        }
    }
    let (train, held_out) = load_data(&settings)?;
    check_train_memory(&settings, train.ncols())?;
    let (mut trainer, resumed_from) =
        start(&settings, &checkpoint_path, args.resume, train.view())?;
    let stop = crate::common::ctrl_c_flag();
    let started = Instant::now();
    let progress = Progress::new(&settings, train.nrows(), trainer.epochs_done(), args.quiet);
    let mut monitors = measure(trainer.rbm(), train.view(), held_out.view());
    if !args.resume {
        save_checkpoint(&checkpoint_path, &settings, &trainer)?;
    }
    let mut epoch_seconds = Vec::new();
    while trainer.epochs_done() < settings.train.epochs {
        let epoch_started = Instant::now();
        let epoch = trainer.epochs_done();
        let mut tick = |done: usize| {
            progress.minibatch(epoch, done);
            if stop.load(Ordering::SeqCst) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        if trainer.train_epoch_with(train.view(), &mut tick).is_none() {
            progress.finish();
            crate::common::eprint_text(&format!(
                "interrupted: {} holds the state after epoch {} of {}; \
                 run the same command with --resume to continue\n",
                checkpoint_path.display(),
                trainer.epochs_done(),
                settings.train.epochs
            ));
            std::process::exit(INTERRUPTED);
        }
        save_checkpoint(&checkpoint_path, &settings, &trainer)?;
        monitors = measure(trainer.rbm(), train.view(), held_out.view());
        progress.epoch(trainer.epochs_done(), monitors);
        epoch_seconds.push(epoch_started.elapsed().as_secs_f64());
    }
    progress.finish();
    trainer
        .rbm()
        .save(&out, args.force || args.resume) // a resumed run replaces its own model
        .map_err(rbm_error)
        .with_context(|| format!("writing the model to {}", out.display()))?;
    let report = TrainReport {
        model_file: out.display().to_string(),
        checkpoint_file: checkpoint_path.display().to_string(),
        n_examples: train.nrows(),
        n_held_out: held_out.nrows(),
        n_visible: train.ncols(),
        n_hidden: settings.n_hidden,
        epochs_done: trainer.epochs_done(),
        resumed_from_epoch: resumed_from,
        seconds: started.elapsed().as_secs_f64(),
        epoch_seconds,
        reconstruction_error: monitors.0,
        free_energy_gap: monitors.1,
    };
    print_report(&report, args.json)
}

/// Merge the configuration file and the flags (flags win), then check.
fn resolve(args: &Args) -> anyhow::Result<(Settings, PathBuf)> {
    let file = match &args.config {
        Some(path) => read_config(path)?,
        None => ConfigFile {
            data: None,
            n_hidden: None,
            out: None,
            binarize: None,
            held_out_fraction: None,
            train: None,
        },
    };
    let origin = args
        .config
        .as_ref()
        .map_or("the command line".to_string(), |p| p.display().to_string());
    let missing = |flag: &str, field: &str| {
        BadInput(format!(
            "{origin}: no {field}; give --{flag} or set `{field}` in a configuration file"
        ))
    };
    let data = args
        .data
        .clone()
        .or(file.data)
        .ok_or_else(|| missing("data", "data"))?;
    let n_hidden = args
        .hidden
        .or(file.n_hidden.map(PositiveCount::get))
        .ok_or_else(|| missing("hidden", "n_hidden"))?;
    let out = args
        .out
        .clone()
        .or(file.out)
        .ok_or_else(|| missing("out", "out"))?;
    let mut train = file.train.unwrap_or_default();
    apply_flags(args, &mut train);
    let settings = Settings {
        data,
        n_hidden,
        binarize: file
            .binarize
            .unwrap_or(Binarize::Threshold { threshold: 0.5 }),
        held_out_fraction: file.held_out_fraction.map_or(0.0, ProperFraction::get),
        train,
    };
    check(&settings).map_err(|problem| BadInput(format!("{origin}: {problem}")))?;
    Ok((settings, out))
}

fn read_config(path: &Path) -> anyhow::Result<ConfigFile> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let problem = format!("{}: {e}", path.display());
        match e.kind() {
            std::io::ErrorKind::NotFound => anyhow::Error::from(BadInput(problem)),
            _ => anyhow::anyhow!(problem),
        }
    })?;
    config::from_toml_str(&text).map_err(|e| BadInput(format!("{}: {e}", path.display())).into())
}

fn apply_flags(args: &Args, train: &mut TrainConfig) {
    if let Some(k) = args.cd {
        train.estimator = Estimator::Cd { k };
    }
    if let Some(epochs) = args.epochs {
        train.epochs = epochs;
    }
    if let Some(batch_size) = args.batch_size {
        train.batch_size = batch_size;
    }
    if args.pcd {
        train.estimator = Estimator::Pcd {
            k: 1,
            n_chains: train.batch_size,
        };
    }
    if let Some(lr) = args.lr {
        train.learning_rate = lr;
    }
    if let Some(m) = args.momentum {
        (train.initial_momentum, train.final_momentum) = (m, m);
    }
    if let Some(decay) = args.weight_decay {
        train.weight_decay = decay;
    }
    if let Some(seed) = args.seed {
        train.seed = seed;
    }
}

/// Each problem names the field (as in the configuration file). The file's
/// values were checked as it was read; these checks cover the flags too.
fn check(settings: &Settings) -> Result<(), String> {
    settings.train.check().map_err(|e| match e {
        RbmError::Config { field, problem } => {
            FieldError::new(field, problem).within("train").to_string()
        }
        other => other.to_string(),
    })?;
    PositiveCount::new(settings.n_hidden).map_err(|e| format!("{}; try 100", e.at("n_hidden")))?;
    ProperFraction::new(settings.held_out_fraction)
        .map_err(|e| format!("{}; try 0.1", e.at("held_out_fraction")))?;
    if let Binarize::Threshold { threshold } = settings.binarize {
        ProperFraction::new(threshold)
            .map_err(|e| format!("{}; try 0.5", e.at("binarize.threshold")))?;
    }
    Ok(())
}

/// Training and held-out examples, binarised as asked, in f32.
fn load_data(settings: &Settings) -> anyhow::Result<(Array2<f32>, Array2<f32>)> {
    let path = &settings.data;
    let (train, held_out) = if path.is_dir() {
        let (train, _, _) = datasets::load_idx_folder(path, "train")?;
        let held_out = if datasets::has_idx_split(path, "t10k") {
            datasets::load_idx_folder(path, "t10k")?.0
        } else {
            Array2::zeros((0, train.ncols()))
        };
        if held_out.ncols() != train.ncols() {
            return Err(BadInput(format!(
                "{}: the t10k images have {} pixels but the train images have {}; \
                 both splits must have images of the same size",
                path.display(),
                held_out.ncols(),
                train.ncols()
            ))
            .into());
        }
        (train, held_out)
    } else {
        let mut all = datasets::read_csv_f32(path)?;
        let n_held_out = (all.nrows() as f64 * settings.held_out_fraction).floor() as usize;
        let n_train = all.nrows() - n_held_out;
        if n_train == 0 {
            return Err(BadInput(format!(
                "{}: no training examples are left after holding out {n_held_out}",
                path.display()
            ))
            .into());
        }
        // Copy the (few) held-out rows out; the training rows stay in place.
        let held_out = all.slice(s![n_train.., ..]).to_owned();
        all.slice_collapse(s![..n_train, ..]);
        (all, held_out)
    };
    Ok((
        binarize(train, &settings.binarize, 0),
        binarize(held_out, &settings.binarize, 1),
    ))
}

/// The trainer's arrays, before any is allocated: the weights with their
/// velocity and gradient statistics, the monitors' hidden activations and a
/// minibatch of visible and hidden states (f32).
fn check_train_memory(settings: &Settings, n_visible: usize) -> Result<(), BadInput> {
    let (n_visible, n_hidden) = (n_visible as u128, settings.n_hidden as u128);
    let batch = settings.train.batch_size as u128;
    let monitors = 2 * MONITOR_EXAMPLES as u128;
    crate::common::check_memory("--batch-size", batch * 6 * n_visible, 4)?;
    crate::common::check_memory(
        "--hidden",
        n_hidden * (4 * n_visible + monitors + 4 * batch + 4),
        4,
    )
}

/// `stream` keeps the training and held-out draws of `Sample` independent.
fn binarize(mut data: Array2<f32>, how: &Binarize, stream: u64) -> Array2<f32> {
    match *how {
        Binarize::Threshold { threshold } => {
            data.mapv_inplace(|x| if x > threshold { 1.0 } else { 0.0 })
        }
        Binarize::Sample { seed } => {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(stream);
            data.mapv_inplace(|x| {
                if rand::Rng::random::<f32>(&mut rng) < x {
                    1.0
                } else {
                    0.0
                }
            })
        }
        Binarize::None => {}
    }
    data
}

/// A new trainer (initialised from the data, Hinton's guide section 8) or
/// the one saved in the checkpoint. Also returns the epochs already done.
fn start(
    settings: &Settings,
    checkpoint_path: &Path,
    resume: bool,
    train: ArrayView2<f32>,
) -> anyhow::Result<(Trainer, usize)> {
    if resume {
        let saved = checkpoint::read(checkpoint_path)?;
        let mut saved_settings = saved.settings.clone();
        saved_settings.train.epochs = settings.train.epochs;
        if saved_settings != *settings {
            return Err(BadInput(format!(
                "{}: saved with other settings than these ({}); resume with the same \
                 configuration and flags (only the number of epochs may change)",
                checkpoint_path.display(),
                first_difference(&saved_settings, settings)
            ))
            .into());
        }
        if saved.rbm.n_visible() != train.ncols() {
            return Err(BadInput(format!(
                "{}: the model has {} visible units but the data have {} values per example",
                checkpoint_path.display(),
                saved.rbm.n_visible(),
                train.ncols()
            ))
            .into());
        }
        let epochs_done = saved.epochs_done;
        let trainer = Trainer::resume(
            saved.rbm,
            settings.train.clone(),
            saved.velocity,
            saved.chains,
            epochs_done,
        )
        .map_err(rbm_error)?;
        return Ok((trainer, epochs_done));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(settings.train.seed);
    let rbm = Rbm::initialise(settings.n_hidden, train, &mut rng);
    rbm::check_data(&rbm, train)
        .map_err(|e| BadInput(format!("{}: {e}", settings.data.display())))?;
    let trainer = Trainer::new(rbm, settings.train.clone()).map_err(rbm_error)?;
    Ok((trainer, 0))
}

fn first_difference(saved: &Settings, now: &Settings) -> String {
    let (a, b) = (
        serde_json::to_value(saved).unwrap_or_default(),
        serde_json::to_value(now).unwrap_or_default(),
    );
    let flatten = |v: &serde_json::Value| -> Vec<(String, String)> {
        let mut out = Vec::new();
        flatten_json("", v, &mut out);
        out
    };
    let (a, b) = (flatten(&a), flatten(&b));
    a.iter()
        .zip(&b)
        .find(|(x, y)| x != y)
        .map_or("they differ".to_string(), |((field, old), (_, new))| {
            format!("`{field}` was {old}, now {new}")
        })
}

fn flatten_json(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten_json(&name, value, out);
            }
        }
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

fn save_checkpoint(path: &Path, settings: &Settings, trainer: &Trainer) -> anyhow::Result<()> {
    let saved = Checkpoint {
        settings: settings.clone(),
        epochs_done: trainer.epochs_done(),
        rbm: trainer.rbm().clone(),
        velocity: trainer.velocity().clone(),
        chains: trainer.chains().cloned(),
    };
    checkpoint::write(path, &saved).with_context(|| format!("writing {}", path.display()))
}

/// RbmErrors that are the user's fault become BadInput (exit code 2).
fn rbm_error(e: RbmError) -> anyhow::Error {
    if e.is_bad_input() {
        BadInput(e.to_string()).into()
    } else {
        e.into()
    }
}

/// (reconstruction error on the first training examples, free-energy gap
/// against the first held-out examples when there are any).
fn measure(rbm: &Rbm, train: ArrayView2<f32>, held_out: ArrayView2<f32>) -> (f32, Option<f32>) {
    let train = train.slice(s![..train.nrows().min(MONITOR_EXAMPLES), ..]);
    let held_out = held_out.slice(s![..held_out.nrows().min(MONITOR_EXAMPLES), ..]);
    // Two products each: one core computes each (the products themselves
    // run on one thread).
    let (error, gap) = rayon::join(
        || rbm::reconstruction_error(rbm, train),
        || (held_out.nrows() > 0).then(|| rbm::free_energy_gap(rbm, train, held_out)),
    );
    (error, gap)
}

/// A progress bar on a terminal; one line per epoch otherwise; nothing with --quiet.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    batches_per_epoch: u64,
    first_epoch: u64,
    epochs: usize,
}

impl Progress {
    fn new(settings: &Settings, n_examples: usize, epochs_done: usize, quiet: bool) -> Self {
        let batches_per_epoch = n_examples.div_ceil(settings.train.batch_size) as u64;
        let terminal = std::io::stderr().is_terminal() && !quiet;
        let bar = terminal.then(|| {
            let remaining = settings.train.epochs.saturating_sub(epochs_done) as u64;
            let bar = indicatif::ProgressBar::new(remaining * batches_per_epoch);
            let style = indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} minibatches, {elapsed} (eta {eta}) {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_message(format!(
                "epoch {}/{}",
                epochs_done + 1,
                settings.train.epochs
            ));
            bar
        });
        Self {
            bar,
            plain: !terminal && !quiet,
            batches_per_epoch,
            first_epoch: epochs_done as u64,
            epochs: settings.train.epochs,
        }
    }

    fn minibatch(&self, epochs_done: usize, done_in_epoch: usize) {
        if let Some(bar) = &self.bar {
            let epochs_before = epochs_done as u64 - self.first_epoch;
            bar.set_position(epochs_before * self.batches_per_epoch + done_in_epoch as u64);
        }
    }

    fn epoch(&self, epochs_done: usize, (error, gap): (f32, Option<f32>)) {
        let gap = gap.map_or(String::new(), |g| format!(", free-energy gap {g:.3}"));
        let text = format!(
            "epoch {epochs_done}/{}: reconstruction error {error:.4}{gap}",
            self.epochs
        );
        if let Some(bar) = &self.bar {
            let done = (epochs_done as u64 - self.first_epoch) * self.batches_per_epoch;
            bar.set_position(done);
            bar.set_message(text);
        } else if self.plain {
            crate::common::eprint_text(&format!("{text}\n"));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

fn print_report(r: &TrainReport, json: bool) -> anyhow::Result<()> {
    let text = if json {
        serde_json::to_string_pretty(r)? + "\n"
    } else {
        let gap = r.free_energy_gap.map_or(String::new(), |g| {
            format!(
                ", free-energy gap {g:.4} (held-out {} examples)",
                r.n_held_out
            )
        });
        format!(
            "trained an RBM with {} visible and {} hidden units on {} examples for {} epochs in {:.1} s\n\
             reconstruction error {:.4}{gap}\nwrote {} (checkpoint {})\n",
            r.n_visible,
            r.n_hidden,
            r.n_examples,
            r.epochs_done,
            r.seconds,
            r.reconstruction_error,
            r.model_file,
            r.checkpoint_file
        )
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("writing to standard output")
}
