//! `experiment`: regenerate the figures of the book.
//!
//! ```text
//! experiment --list
//! experiment NAME [--config PATH] [--smoke] [--out DIR]
//! ```
//! Exit codes: 0 on success, 2 on bad input (unknown experiment, bad
//! configuration), 1 on any other failure.

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
        print!("{}", registry::list());
        return Ok(());
    }
    let Some(name) = args.name else {
        return Err(BadInput(format!(
            "name an experiment to run; the experiments are:\n{}",
            registry::list().trim_end()
        ))
        .into());
    };
    let experiment = registry::find(&name).ok_or_else(|| {
        BadInput(format!(
            "no experiment named `{name}`; the experiments are:\n{}",
            registry::list().trim_end()
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
    let started = Instant::now();
    eprintln!("running {name} with {}", config.display());
    let outputs = (experiment.run)(&config)?;
    let written = outputs
        .write_all(&destinations)
        .with_context(|| format!("writing the outputs of {name}"))?;
    for path in &written {
        println!("wrote {}", path.display());
    }
    println!(
        "{name}: {} files in {:.1} s",
        written.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let bad_input =
                e.downcast_ref::<ConfigError>().is_some() || e.downcast_ref::<BadInput>().is_some();
            eprintln!("error: {e:#}");
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}
