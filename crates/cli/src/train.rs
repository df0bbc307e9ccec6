//! `boltzmann train`: train a Bernoulli RBM on your data with CD-k or PCD
//! (eq. 5.2 and 5.5 in the book), from a TOML configuration or flags.
//!
//! After every epoch the whole training state (model, velocity, persistent
//! chains, epochs done) is written atomically to `OUT.checkpoint`; `--resume`
//! continues from it and ends with the same bits as an uninterrupted run.
//! Ctrl-C abandons the current epoch, leaves the last checkpoint in place and
//! exits with code 130.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

use anyhow::Context;
use ndarray::{ArrayView2, s};
use rbm::{Rbm, Trainer};
use serde::Serialize;

use crate::checkpoint::{self, Checkpoint};
use crate::data;
use crate::progress::{self, EpochProgress};
use crate::report::{BadInput, rbm_error};
use crate::settings::{self, SettingFlags, Settings};

/// Examples used for the monitors after each epoch (from the training data
/// and from the held-out data): enough for a stable mean, cheap to compute.
const MONITOR_EXAMPLES: usize = 1000;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A TOML configuration (see the book's chapter on training); flags
    /// given as well override its values.
    #[arg(value_name = "CONFIG.toml")]
    config: Option<PathBuf>,

    #[command(flatten)]
    settings: SettingFlags,

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
    /// The monitors above use at most this many training (and held-out)
    /// examples: the first ones.
    monitor_examples: usize,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let (settings, out) = settings::resolve(args.config.as_deref(), &args.settings)?;
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
    let (train, held_out) = data::training_data(&settings)?;
    check_train_memory(&settings, train.ncols())?;
    let data_digest = checkpoint::data_digest(&[train.view(), held_out.view()], None);
    let (mut trainer, resumed_from) = start(
        &settings,
        &checkpoint_path,
        args.resume,
        train.view(),
        &data_digest,
    )?;
    let stop = progress::ctrl_c_flag();
    let started = Instant::now();
    let progress = EpochProgress::new(
        train.nrows().div_ceil(settings.train.batch_size),
        trainer.epochs_done(),
        settings.train.epochs,
        args.quiet,
    );
    // The state before the first epoch is saved only if that epoch is
    // interrupted (after it, its checkpoint replaces this one): a run that
    // is not interrupted writes the checkpoint once per epoch, not once more.
    let mut unsaved_start = (!args.resume).then(|| trainer.clone());
    let mut monitors = None;
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
            if let Some(start) = &unsaved_start {
                save_checkpoint(&checkpoint_path, &settings, &data_digest, start)?;
            }
            crate::common::eprint_text(&format!(
                "interrupted: {} holds the state after epoch {} of {}; \
                 run the same command with --resume to continue\n",
                checkpoint_path.display(),
                trainer.epochs_done(),
                settings.train.epochs
            ));
            std::process::exit(progress::INTERRUPTED);
        }
        check_still_finite(
            &trainer,
            &settings,
            &checkpoint_path,
            unsaved_start.is_some(),
        )?;
        save_checkpoint(&checkpoint_path, &settings, &data_digest, &trainer)?;
        unsaved_start = None;
        let measured = measure(trainer.rbm(), train.view(), held_out.view());
        progress.epoch(trainer.epochs_done(), measured);
        monitors = Some(measured);
        epoch_seconds.push(epoch_started.elapsed().as_secs_f64());
    }
    progress.finish();
    let monitors =
        monitors.unwrap_or_else(|| measure(trainer.rbm(), train.view(), held_out.view()));
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
        monitor_examples: MONITOR_EXAMPLES,
    };
    print_report(&report, args.json)
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

/// A new trainer (initialised from the data, Hinton's guide section 8) or
/// the one saved in the checkpoint. Also returns the epochs already done.
fn start(
    settings: &Settings,
    checkpoint_path: &Path,
    resume: bool,
    train: ArrayView2<f32>,
    data_digest: &str,
) -> anyhow::Result<(Trainer, usize)> {
    if resume {
        let saved = checkpoint::read(checkpoint_path)?;
        let mut saved_settings = saved.settings.clone();
        saved_settings.train.epochs = settings.train.epochs;
        // The data are compared by their contents, not by the name given;
        // a checkpoint older than the digest has none, and keeps the name.
        let compare_contents = !saved.data_digest.is_empty();
        if compare_contents {
            saved_settings.data.clone_from(&settings.data);
        }
        if saved_settings != *settings {
            return Err(BadInput(format!(
                "{}: saved with other settings than these ({}); resume with the same \
                 configuration and flags (only the number of epochs may change)",
                checkpoint_path.display(),
                first_difference(&saved_settings, settings)
            ))
            .into());
        }
        if compare_contents && saved.data_digest != data_digest {
            return Err(BadInput(format!(
                "{}: saved from other training data than {} (their digest differs: the file \
                 changed since the first run, or another file was given); resume with the data \
                 of the first run, or train again without --resume",
                checkpoint_path.display(),
                settings.data.display()
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
    // Not stream 0 of the seed: the trainer starts its PCD chains there.
    let mut rng = rbm::initial_weights_rng(settings.train.seed);
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

/// A step too large makes the parameters overflow: such a model is refused
/// before it can replace the last good checkpoint, naming the setting to
/// change.
fn check_still_finite(
    trainer: &Trainer,
    settings: &Settings,
    checkpoint_path: &Path,
    first_epoch: bool,
) -> Result<(), BadInput> {
    let rbm = trainer.rbm();
    let parameters = rbm.weights.iter().chain(&rbm.visible_bias);
    if crate::common::all_finite(parameters.chain(&rbm.hidden_bias)) {
        return Ok(());
    }
    let kept = if first_epoch {
        "nothing was saved".to_string()
    } else {
        format!(
            "{} still holds the last finite epoch",
            checkpoint_path.display()
        )
    };
    Err(BadInput(format!(
        "training diverged in epoch {}: the weights are no longer finite numbers \
         (train.learning_rate = {} is too large; try a smaller --lr); {kept}",
        trainer.epochs_done(),
        settings.train.learning_rate
    )))
}

fn save_checkpoint(
    path: &Path,
    settings: &Settings,
    data_digest: &str,
    trainer: &Trainer,
) -> anyhow::Result<()> {
    let saved = Checkpoint {
        settings: settings.clone(),
        data_digest: data_digest.to_string(),
        epochs_done: trainer.epochs_done(),
        rbm: trainer.rbm().clone(),
        velocity: trainer.velocity().clone(),
        chains: trainer.chains().cloned(),
    };
    checkpoint::write(path, &saved).with_context(|| format!("writing {}", path.display()))
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

fn print_report(r: &TrainReport, json: bool) -> anyhow::Result<()> {
    let text = if json {
        serde_json::to_string_pretty(r)? + "\n"
    } else {
        let first = |n: usize| r.monitor_examples.min(n);
        let gap = r.free_energy_gap.map_or(String::new(), |g| {
            format!(
                ", free-energy gap {g:.4} (first {} of {} held-out examples)",
                first(r.n_held_out),
                r.n_held_out
            )
        });
        format!(
            "trained an RBM with {} visible and {} hidden units on {} examples for {} epochs in {:.1} s\n\
             reconstruction error {:.4} (first {} training examples){gap}\nwrote {} (checkpoint {})\n",
            r.n_visible,
            r.n_hidden,
            r.n_examples,
            r.epochs_done,
            r.seconds,
            r.reconstruction_error,
            first(r.n_examples),
            r.model_file,
            r.checkpoint_file
        )
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("writing to standard output")
}
