//! `boltzmann dbn train|sample|classify|features`, and the DBN case of
//! `boltzmann exact`.

pub mod exact;
mod fine_tune;
mod train;
mod use_model;

use std::path::{Path, PathBuf};

use dbn::DbnError;
use ndarray::Array2;

use crate::report::BadInput;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Greedy layer-wise training, then optional fine-tuning; a checkpoint
    /// after every epoch, --resume continues to the same model.
    Train(train::Args),
    /// Generate digits: Gibbs in the top RBM (a label clamped with --label), then a down-pass.
    Sample(use_model::SampleArgs),
    /// Classify by the free energy of each label (needs label units).
    Classify(use_model::ClassifyArgs),
    /// Write the top layer's probabilities given each example (features for a classifier).
    Features(use_model::FeaturesArgs),
}

pub fn run(command: &Command) -> anyhow::Result<()> {
    match command {
        Command::Train(a) => train::run(a),
        Command::Sample(a) => use_model::sample(a),
        Command::Classify(a) => use_model::classify(a),
        Command::Features(a) => use_model::features(a),
    }
}

/// Whether `path` holds a model file with `format = "dbn"`. A file that
/// cannot be read or parsed is left to the ordinary loader, which reports it.
pub fn is_dbn_file(path: &Path) -> bool {
    bm_exact::read_model_text(path)
        .ok()
        .and_then(|text| dbn::format_of(&text))
        .is_some_and(|format| format == "dbn")
}

/// DbnErrors that are the user's fault become BadInput (exit code 2).
pub fn dbn_error(e: DbnError) -> anyhow::Error {
    crate::report::library_error(e, DbnError::is_bad_input)
}

/// Examples as rows of values in [0, 1] (any finite numbers when `real`,
/// for a Gaussian first layer), and their labels if the source has them:
/// an MNIST-style IDX folder (its `split`, "train" or "t10k") or a CSV file.
fn load_examples(
    path: &Path,
    split: Split,
    real: bool,
) -> anyhow::Result<(Array2<f32>, Option<Vec<usize>>)> {
    if path.is_dir() {
        let (images, labels, _) = datasets::load_idx_folder(path, split.name())?;
        return Ok((images, Some(labels.into_iter().map(usize::from).collect())));
    }
    if let Split::T10k = split {
        let problem = "--split t10k: a split belongs to an IDX folder, and this is a file";
        return Err(BadInput(format!("{}: {problem}", path.display())).into());
    }
    let values = if real {
        datasets::read_real_csv_f32(path)?
    } else {
        datasets::read_csv_f32(path)?
    };
    Ok((values, None))
}

/// Which split of an IDX folder a command reads (`--split`).
#[derive(Clone, Copy, Debug, Default, clap::ValueEnum)]
pub enum Split {
    /// The training images (`train-images-idx3-ubyte`).
    #[default]
    Train,
    /// The test images (`t10k-images-idx3-ubyte`).
    T10k,
}

impl Split {
    fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::T10k => "t10k",
        }
    }
}

/// Labels from `--labels FILE` (one class 0, 1, ... per line) or the data's own.
fn resolve_labels(
    labels_file: Option<&PathBuf>,
    from_data: Option<Vec<usize>>,
    n_examples: usize,
) -> anyhow::Result<Option<Vec<usize>>> {
    let Some(path) = labels_file else {
        return Ok(from_data);
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
    let mut labels = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let label = line.trim().parse::<usize>().map_err(|_| {
            BadInput(format!(
                "{}: line {}: {:?} is not a class number 0, 1, 2, ...",
                path.display(),
                n + 1,
                line.trim()
            ))
        })?;
        labels.push(label);
    }
    if labels.len() != n_examples {
        return Err(BadInput(format!(
            "{}: {} labels for {n_examples} examples; give one label per line, one per example",
            path.display(),
            labels.len()
        ))
        .into());
    }
    Ok(Some(labels))
}
