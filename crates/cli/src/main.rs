//! `boltzmann`: the command line of boltzmann-workbench.
//!
//! Each subcommand lives in its own module with an `Args` struct and a
//! `run` function. Errors travel as `anyhow::Error` and are reported by
//! [`report`] as one line, `error: <file>: <problem>`, with exit code 2 for
//! bad input and 1 for any other failure.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod exact;
mod report;

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
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return report::clap_error(e),
    };
    let result = match &cli.command {
        Command::Exact(args) => exact::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report::failure(&e),
    }
}
