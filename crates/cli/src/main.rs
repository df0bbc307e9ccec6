//! `boltzmann`: the command line of boltzmann-workbench.
//!
//! Each subcommand lives in its own module with an `Args` struct and a
//! `run` function. Errors travel as `anyhow::Error` and are reported by
//! [`report`] as one line, `error: <file>: <problem>`, with exit code 2 for
//! bad input and 1 for any other failure.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod checkpoint;
mod exact;
mod filters;
mod report;
mod train;

/// Boltzmann machines and RBMs on your own models and data.
#[derive(Debug, Parser)]
#[command(name = "boltzmann", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Solve a small model exactly: log Z, the mean log-likelihood of data,
    /// and the exact gradient or expected CD-k update.
    Exact(exact::Args),
    /// Train a Bernoulli RBM with CD-k or PCD from a TOML configuration or
    /// flags; checkpoints every epoch, --resume continues, Ctrl-C exits 130.
    Train(train::Args),
    /// Draw the weights of each hidden unit as an image, in one PNG grid.
    Filters(filters::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return report::clap_error(e),
    };
    let result = match &cli.command {
        Command::Exact(args) => exact::run(args),
        Command::Train(args) => train::run(args),
        Command::Filters(args) => filters::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report::failure(&e),
    }
}
