//! `boltzmann ebm ...`: energy-based models with an MLP energy
//! (`format = "ebm"` model files, chapter 11 of the book): `train`, `sample`
//! and `score`.

use std::path::Path;

use ebm_langevin::{EbmError, Mlp};
use ndarray::Array2;

use crate::report::BadInput;

mod sample;
mod score;
mod train;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Train an MLP energy on real-valued data (CSV or IDX folder) by maximum
    /// likelihood with Langevin negatives or by denoising score matching;
    /// atomic checkpoints, --resume.
    Train(train::Args),
    /// Draw samples with ULA, MALA (exact) or annealed Langevin; CSV out.
    Sample(sample::Args),
    /// Per-example energies, and log p where log Z can be computed (d <= 2).
    Score(score::Args),
}

pub fn run(command: &Command) -> anyhow::Result<()> {
    match command {
        Command::Train(a) => train::run(a),
        Command::Sample(a) => sample::run(a),
        Command::Score(a) => score::run(a),
    }
}

/// The crate's errors, with bad input marked so that the exit status is 2.
fn ebm_error(e: EbmError) -> anyhow::Error {
    crate::report::library_error(e, EbmError::is_bad_input)
}

/// Read through bm-exact's reader, so that a folder, a missing file, binary
/// bytes or an endless stream are refused as bad input like any model file.
fn load_model(path: &Path) -> anyhow::Result<Mlp<f64>> {
    let text = bm_exact::read_model_text(path)?;
    Mlp::from_toml(&text, path).map_err(ebm_error)
}

/// Real-valued examples: a CSV file (one per row) or an IDX folder (intensities in [0, 1]).
fn read_data(path: &Path, split: &str) -> anyhow::Result<Array2<f64>> {
    if path.is_dir() {
        crate::data::read_intensities(path, split)
    } else {
        Ok(datasets::read_real_csv(path)?)
    }
}

fn check_width(data: &Array2<f64>, model: &Mlp<f64>, data_path: &Path) -> Result<(), BadInput> {
    if data.ncols() != model.n_inputs() {
        return Err(BadInput(format!(
            "{}: each example has {} values but the model has {} inputs",
            data_path.display(),
            data.ncols(),
            model.n_inputs()
        )));
    }
    Ok(())
}
