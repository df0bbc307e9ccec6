//! `boltzmann ebm train`: fit an MLP energy to real-valued data, from a TOML
//! configuration (the fields of `ebm_langevin::TrainConfig`, missing ones
//! at their defaults) and/or flags, which override it. A checkpoint
//! (`MODEL.toml.checkpoint`, JSON, written atomically) is saved every
//! `--checkpoint-every` iterations; `--resume` continues from it to the same
//! bytes as an uninterrupted run. Divergences caught by the trainer's
//! detector are reported (rolled back, learning rate halved). Ctrl-C stops
//! the run at the next checkpoint, which is then written whole, and exits
//! with status 130; `--resume` continues from there.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use ebm_langevin::train::{DivergenceEvent, TrainState};
use ebm_langevin::{Activation, Objective, TrainConfig, Trainer};
use serde::{Deserialize, Serialize};

use crate::common::{check_memory, check_outputs, print_report};
use crate::report::BadInput;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Training data: a real-valued CSV file (one example per row) or an IDX folder.
    #[arg(long, value_name = "DATA")]
    data: PathBuf,
    /// Which split of an IDX folder to use.
    #[arg(long, value_name = "SPLIT", default_value = "train", value_parser = ["train", "t10k"])]
    split: String,
    /// A TOML file with training settings (see `TrainConfig`).
    #[arg(long, value_name = "CONFIG.toml")]
    config: Option<PathBuf>,
    /// Hidden layer widths, e.g. 64,64.
    #[arg(long, value_name = "H1,H2,...", value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    #[arg(long, value_name = "swish|softplus")]
    activation: Option<String>,
    /// "ml" (maximum likelihood) or "dsm" (denoising score matching).
    #[arg(long, value_name = "ml|dsm")]
    objective: Option<String>,
    #[arg(long, value_name = "N")]
    iterations: Option<usize>,
    #[arg(long, value_name = "LR")]
    learning_rate: Option<f64>,
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Where to write the model (format = "ebm").
    #[arg(long, value_name = "MODEL.toml")]
    out: PathBuf,
    #[arg(long)]
    force: bool,
    /// Continue from MODEL.toml.checkpoint.
    #[arg(long)]
    resume: bool,
    #[arg(long, value_name = "K", default_value_t = 100)]
    checkpoint_every: usize,
    #[arg(long)]
    json: bool,
}

/// The exit status of a run stopped by Ctrl-C (128 + SIGINT), as for
/// `boltzmann train`.
const INTERRUPTED: i32 = 130;

#[derive(Serialize, Deserialize)]
struct Checkpoint {
    format: String,
    config: TrainConfig,
    state: TrainState,
    /// The state a divergence rolls back to (`Trainer::snapshot`), so that a
    /// resumed run rolls back where an uninterrupted one would; absent in
    /// checkpoints written before it was saved.
    #[serde(default)]
    snapshot: Option<TrainState>,
    events: Vec<DivergenceEvent>,
    /// `checkpoint::data_digest` of the training data, so that `--resume`
    /// refuses other data; absent in checkpoints written before it was saved.
    #[serde(default)]
    data_digest: Option<String>,
}

#[derive(Serialize)]
struct TrainReport {
    model_file: String,
    iterations: usize,
    final_loss: f64,
    final_learning_rate: f64,
    divergences: Vec<DivergenceEvent>,
}

fn config_from(args: &Args) -> anyhow::Result<TrainConfig> {
    let mut config = match &args.config {
        Some(path) => {
            let text = bm_exact::read_model_text(path)?;
            toml::from_str(&text).map_err(|e| BadInput(format!("{}: {e}", path.display())))?
        }
        None => TrainConfig::default(),
    };
    if let Some(h) = &args.hidden {
        config.hidden = h.clone();
    }
    if let Some(a) = &args.activation {
        config.activation = Activation::from_name(a)
            .ok_or_else(|| BadInput(format!("--activation {a}: expected swish or softplus")))?;
    }
    if let Some(o) = &args.objective {
        config.objective = match o.as_str() {
            "ml" => Objective::MaximumLikelihood,
            "dsm" => Objective::DenoisingScoreMatching,
            _ => return Err(BadInput(format!("--objective {o}: expected ml or dsm")).into()),
        };
    }
    config.n_iterations = args.iterations.unwrap_or(config.n_iterations);
    config.learning_rate = args.learning_rate.unwrap_or(config.learning_rate);
    config.seed = args.seed.unwrap_or(config.seed);
    config
        .check()
        .map_err(|e| BadInput(format!("{}: {e}", settings_origin(args))))?;
    Ok(config)
}

/// Where the settings came from, for messages: the --config file, or the flags.
fn settings_origin(args: &Args) -> String {
    args.config
        .as_ref()
        .map_or("flags".to_string(), |p| p.display().to_string())
}

/// Refuse, before allocating, a configuration whose arrays would need more
/// than 8 GiB: the parameters with their Adam moments and gradient, a
/// minibatch's activations and their derivatives (data and negatives), and
/// the replay buffer, all in f64.
fn check_train_memory(config: &TrainConfig, n_inputs: usize) -> Result<(), BadInput> {
    let widths: Vec<u128> = std::iter::once(n_inputs)
        .chain(config.hidden.iter().copied())
        .chain([1])
        .map(|w| w as u128)
        .collect();
    let n_params: u128 = widths.windows(2).map(|w| w[0] * w[1] + w[1]).sum();
    check_memory("hidden", n_params, 4 * 8)?;
    let per_example: u128 = widths.iter().sum();
    check_memory("batch_size", config.batch_size as u128 * per_example, 4 * 8)?;
    check_memory(
        "buffer_size",
        config.buffer_size as u128 * n_inputs as u128,
        8,
    )
}

fn checkpoint_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".checkpoint");
    PathBuf::from(name)
}

fn read_checkpoint(path: &Path, config: &TrainConfig) -> anyhow::Result<Checkpoint> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        BadInput(format!(
            "{}: {e}; --resume needs the checkpoint of an earlier run with the same --out",
            path.display()
        ))
    })?;
    let c: Checkpoint = serde_json::from_str(&text).map_err(|e| {
        BadInput(format!(
            "{}: not a checkpoint of boltzmann ebm train: {e}",
            path.display()
        ))
    })?;
    let same = TrainConfig {
        n_iterations: config.n_iterations,
        ..c.config.clone()
    };
    if c.format != "ebm-checkpoint-1" || &same != config {
        return Err(BadInput(format!(
            "{}: field `config`: the checkpoint was written with other settings; resume with the same settings (only the number of iterations may grow)",
            path.display()
        ))
        .into());
    }
    Ok(c)
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let config = config_from(args)?;
    let mut inputs = vec![args.data.as_path()];
    inputs.extend(args.config.as_deref());
    let checkpoint = checkpoint_path(&args.out);
    // The checkpoint is an output too: never an input, never replaced
    // unasked (a resumed run replaces its own).
    check_outputs(
        &[args.out.as_path(), checkpoint.as_path()],
        &inputs,
        args.force || args.resume,
    )?;
    if args.checkpoint_every == 0 {
        return Err(BadInput("--checkpoint-every 0: expected at least 1".into()).into());
    }
    let data = super::read_data(&args.data, &args.split)?;
    check_train_memory(&config, data.ncols())
        .map_err(|e| BadInput(format!("{}: {}", settings_origin(args), e.0)))?;
    let data_digest = crate::checkpoint::data_digest(&[data.view()], None);
    let mut trainer = if args.resume {
        let c = read_checkpoint(&checkpoint, &config)?;
        if c.data_digest
            .as_ref()
            .is_some_and(|saved| *saved != data_digest)
        {
            return Err(BadInput(format!(
                "{}: was written by a run on other data than {}; resume with the same data",
                checkpoint.display(),
                args.data.display()
            ))
            .into());
        }
        if c.state.iteration >= config.n_iterations {
            return Err(BadInput(format!(
                "{}: holds {} iterations, and --iterations asks for {}; ask for more to continue",
                checkpoint.display(),
                c.state.iteration,
                config.n_iterations
            ))
            .into());
        }
        let mut t = Trainer::resume(config.clone(), data.view(), c.state, c.snapshot)
            .map_err(|e| BadInput(format!("{}: {e}", checkpoint.display())))?;
        t.events = c.events;
        t
    } else {
        Trainer::new(config.clone(), data.view()).map_err(super::ebm_error)?
    };
    let remaining = config.n_iterations.saturating_sub(trainer.iteration) as u64;
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(remaining)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut final_loss = f64::NAN;
    let stop = crate::progress::ctrl_c_flag();
    while trainer.iteration < config.n_iterations {
        let n_events = trainer.events.len();
        if let Some(report) = trainer.step(data.view()).map_err(super::ebm_error)? {
            final_loss = report.loss;
            bar.inc(1);
            bar.set_message(format!("loss {:.4}", report.loss));
        }
        for e in &trainer.events[n_events..] {
            bar.suspend(|| {
                eprintln!(
                    "divergence at iteration {}: {}; rolled back to {}, learning rate now {:.3e}",
                    e.iteration, e.reason, e.rolled_back_to, e.new_learning_rate
                )
            });
        }
        if trainer.iteration.is_multiple_of(args.checkpoint_every)
            || trainer.iteration == config.n_iterations
        {
            save_checkpoint(&checkpoint, &config, &trainer, &data_digest)?;
            if stop.load(Ordering::SeqCst) && trainer.iteration < config.n_iterations {
                bar.finish_and_clear();
                eprintln!(
                    "interrupted: {} holds the state after iteration {} of {}; run the same command with --resume to continue",
                    checkpoint.display(),
                    trainer.iteration,
                    config.n_iterations
                );
                std::process::exit(INTERRUPTED);
            }
        }
    }
    bar.finish_and_clear();
    trainer
        .model
        .save(&args.out, args.force || args.resume) // a resumed run replaces its own model
        .map_err(super::ebm_error)?;
    let report = TrainReport {
        model_file: args.out.display().to_string(),
        iterations: trainer.iteration,
        final_loss,
        final_learning_rate: trainer.learning_rate,
        divergences: trainer.events.clone(),
    };
    print_report(&report, human_text, args.json, false)
}

/// Write the state after the current iteration atomically: a checkpoint is
/// whole or absent, whenever the process stops.
fn save_checkpoint(
    path: &Path,
    config: &TrainConfig,
    trainer: &Trainer,
    data_digest: &str,
) -> anyhow::Result<()> {
    let c = Checkpoint {
        format: "ebm-checkpoint-1".into(),
        config: config.clone(),
        state: trainer.state(),
        snapshot: Some(trainer.snapshot().clone()),
        events: trainer.events.clone(),
        data_digest: Some(data_digest.to_string()),
    };
    ebm_langevin::model_file::write_atomically(path, serde_json::to_string(&c)?.as_bytes(), true)
        .map_err(super::ebm_error)?;
    Ok(())
}

fn human_text(r: &TrainReport) -> String {
    format!(
        "trained {} iterations, final loss {:.6}, learning rate {:.3e}, {} divergence(s) caught; model written to {}\n",
        r.iterations,
        r.final_loss,
        r.final_learning_rate,
        r.divergences.len(),
        r.model_file
    )
}
