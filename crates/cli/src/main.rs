//! `boltzmann`: the command line of boltzmann-workbench.
//!
//! Each subcommand lives in its own module with an `Args` struct and a
//! `run` function. Errors travel as `anyhow::Error` and are reported by
//! [`report`] as one line, `error: <file>: <problem>`, with exit code 2 for
//! bad input and 1 for any other failure.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod checkpoint;
mod common;
mod data;
mod dbn;
mod ebm;
mod exact;
mod filters;
mod logz;
mod model;
mod progress;
mod report;
mod sample;
mod score;
mod settings;
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
    /// log Z of a model: exact when it can be enumerated, otherwise (or with
    /// --ais) annealed importance sampling with an error bar.
    Logz(logz::Args),
    /// Draw samples with block Gibbs, parallel tempering (RBMs) or
    /// sequential Gibbs sweeps ("bm"); CSV and optionally a PNG grid.
    Sample(sample::Args),
    /// Per-example free energies and log-probabilities (anomaly scores).
    Score(score::Args),
    /// Deep belief nets: train, sample, classify, features.
    #[command(subcommand)]
    Dbn(dbn::Command),
    /// Energy-based models with an MLP energy: train, sample (Langevin,
    /// MALA, annealed) and score.
    #[command(subcommand)]
    Ebm(ebm::Command),
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
        Command::Logz(args) => logz::run(args),
        Command::Sample(args) => sample::run(args),
        Command::Score(args) => score::run(args),
        Command::Dbn(args) => dbn::run(args),
        Command::Ebm(args) => ebm::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report::failure(&e),
    }
}
