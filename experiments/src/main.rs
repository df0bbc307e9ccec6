//! `experiment`: regenerate the figures of the book.
//!
//! ```text
//! experiment --list
//! experiment NAME [--config PATH] [--smoke] [--out DIR]
//! ```
//! Exit codes: 0 on success, 2 on bad input (unknown experiment, bad
//! configuration, missing or bad data), 1 on any other failure.
//!
//! The runner regenerates its outputs by design: every run replaces the
//! figures and numbers it wrote before, without `--force`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use experiments::config::ConfigError;
use experiments::output::Destinations;
use experiments::registry;

/// Run an experiment of boltzmann-workbench and write its figures (SVG) and
/// numbers (JSON) into book/src/figures/.
///
/// The runner regenerates its outputs by design: each run replaces the files
/// it wrote before (no --force needed); use --out DIR to write elsewhere.
#[derive(Debug, Parser)]
#[command(name = "experiment", version)]
struct Args {
    /// The experiment to run (see --list).
    name: Option<String>,
    /// List the experiments, one per line.
    #[arg(long)]
    list: bool,
    /// Read this configuration instead of experiments/configs/NAME.toml.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Use the small configuration experiments/configs/NAME.smoke.toml.
    #[arg(long)]
    smoke: bool,
    /// Write every file into this folder instead of the book's folders.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// The workspace root: the folder above this package, wherever we run from.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the experiments package sits inside the workspace")
        .to_path_buf()
}

/// A bad-input error: exit code 2, one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BadInput(String);

fn run(args: Args) -> Result<()> {
    if args.list {
        return std::io::stdout()
            .write_all(registry::list().as_bytes())
            .context("writing to standard output");
    }
    let Some(name) = args.name else {
        return Err(BadInput(format!(
            "name an experiment to run: {} (see --list)",
            names()
        ))
        .into());
    };
    let experiment = registry::find(&name).ok_or_else(|| {
        BadInput(format!(
            "no experiment named `{}`; the experiments are {} (see --list)",
            datasets::excerpt(&name),
            names()
        ))
    })?;
    let root = workspace_root();
    let config = args.config.unwrap_or_else(|| {
        let file = if args.smoke {
            format!("{name}.smoke.toml")
        } else {
            format!("{name}.toml")
        };
        root.join("experiments/configs").join(file)
    });
    let destinations = match &args.out {
        Some(dir) => Destinations::single(dir),
        None => Destinations::book(&root),
    };
    if let Some(dir) = &args.out
        && dir.exists()
        && !dir.is_dir()
    {
        return Err(BadInput(format!(
            "--out {}: is not a folder; expected a folder for the outputs",
            dir.display()
        ))
        .into());
    }
    let started = Instant::now();
    say_err(&format!("running {name} with {}", config.display()));
    let outputs = (experiment.run)(&config)?;
    let written = outputs
        .write_all(&destinations)
        .with_context(|| format!("writing the outputs of {name}"))?;
    let mut text = String::new();
    for path in &written {
        text += &format!("wrote {}\n", path.display());
    }
    text += &format!(
        "{name}: {} files in {:.1} s\n",
        written.len(),
        started.elapsed().as_secs_f64()
    );
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("writing to standard output")
}

/// The experiments' names, comma separated.
fn names() -> String {
    registry::list()
        .lines()
        .filter_map(|line| line.split(':').next())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A line on standard error; a closed stderr is no reason to fail or panic.
fn say_err(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Whether the input is at fault (exit 2): a configuration, the name, or
/// data that a configuration points to.
fn is_bad_input(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.downcast_ref::<ConfigError>().is_some()
            || cause.downcast_ref::<BadInput>().is_some()
            || cause
                .downcast_ref::<datasets::DataError>()
                .is_some_and(datasets::DataError::is_bad_input)
            || cause
                .downcast_ref::<bm_exact::ExactError>()
                .is_some_and(bm_exact::ExactError::is_bad_input)
            || cause
                .downcast_ref::<rbm::RbmError>()
                .is_some_and(rbm::RbmError::is_bad_input)
    })
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let message = format!("{e:#}").replace('\n', " ");
            say_err(&format!("error: {message}"));
            ExitCode::from(if is_bad_input(&e) { 2 } else { 1 })
        }
    }
}
