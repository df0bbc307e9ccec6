//! Reading the user's data: CSV files and MNIST-style IDX folders, checked
//! against the model, binarised as asked.

use std::path::Path;

use ndarray::{Array2, s};

use crate::report::BadInput;
use crate::settings::{Binarize, Settings};

/// Values in [0, 1], one example per row: a CSV file, or the `split` of an
/// MNIST-style IDX folder.
pub fn read_intensities(path: &Path, split: &str) -> anyhow::Result<Array2<f64>> {
    if path.is_dir() {
        let (images, _, _) = datasets::load_idx_folder(path, split)?;
        Ok(images.mapv(f64::from))
    } else {
        Ok(datasets::read_csv(path)?)
    }
}

pub fn check_width(n_values: usize, n_visible: usize, data_path: &Path) -> Result<(), BadInput> {
    if n_values != n_visible {
        return Err(BadInput(format!(
            "{}: each example has {n_values} values but the model has {n_visible} visible units; \
             the data and the model must have the same width",
            data_path.display()
        )));
    }
    Ok(())
}

/// The training and held-out examples of `boltzmann train`, binarised as
/// asked, in f32: an IDX folder's train and t10k splits, or a CSV file whose
/// last rows (`held_out_fraction` of them) are held out.
pub fn training_data(settings: &Settings) -> anyhow::Result<(Array2<f32>, Array2<f32>)> {
    let path = &settings.data;
    let (mut train, mut held_out) = if path.is_dir() {
        idx_splits(path)?
    } else {
        csv_split(path, settings.held_out_fraction)?
    };
    binarize(&mut train, &settings.binarize, 0);
    binarize(&mut held_out, &settings.binarize, 1);
    Ok((train, held_out))
}

/// The train split and the t10k split (empty when there is none).
fn idx_splits(path: &Path) -> anyhow::Result<(Array2<f32>, Array2<f32>)> {
    let (train, _, train_shape) = datasets::load_idx_folder(path, "train")?;
    if !datasets::has_idx_split(path, "t10k") {
        return Ok((train, Array2::zeros((0, train_shape.0 * train_shape.1))));
    }
    let (held_out, _, held_out_shape) = datasets::load_idx_folder(path, "t10k")?;
    if held_out_shape != train_shape {
        let side = |(rows, cols): (usize, usize)| format!("{rows} x {cols}");
        return Err(BadInput(format!(
            "{}: the t10k images are {} pixels but the train images are {}; \
             both splits must have images of the same size",
            path.display(),
            side(held_out_shape),
            side(train_shape)
        ))
        .into());
    }
    Ok((train, held_out))
}

/// The first rows to train on and the last `held_out_fraction` held out.
fn csv_split(path: &Path, held_out_fraction: f64) -> anyhow::Result<(Array2<f32>, Array2<f32>)> {
    let mut all = datasets::read_csv_f32(path)?;
    let n_held_out = (all.nrows() as f64 * held_out_fraction).floor() as usize;
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
    Ok((all, held_out))
}

/// The purpose of the streams of `Binarize::Sample`: not the trainer's own
/// (`rbm::streams::TRAINER`), so that a binarisation seed equal to the
/// training seed does not redraw the numbers that start the PCD chains.
const BINARIZE_STREAMS: u32 = 1;

/// In place, with datasets' binarisation; `index` keeps the training (0)
/// and held-out (1) draws of `Sample` independent.
fn binarize(data: &mut Array2<f32>, how: &Binarize, index: u32) {
    match *how {
        Binarize::Threshold { threshold } => {
            datasets::binarize_threshold_in_place(data.view_mut(), threshold)
        }
        Binarize::Sample { .. } => {
            // `settings::check` refuses a missing seed: the 0 is never used.
            let mut rng = rbm::stream(how.seed_or(0), BINARIZE_STREAMS, index);
            datasets::binarize_sample_in_place(data.view_mut(), &mut rng);
        }
        Binarize::None => {}
    }
}
