//! `boltzmann filters`: draw each hidden unit's weights W_i (a row of W,
//! one value per visible unit) as a square grey image, all in one PNG grid.

use std::path::PathBuf;

use anyhow::Context;
use ndarray::{Array2, ArrayView1};
use rbm::Rbm;

use crate::common::{check_outputs, square_side, square_side_ceil};
use crate::report::BadInput;
use crate::report::rbm_error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a TOML file with format = "rbm" whose number of visible
    /// units is a perfect square (28 x 28 = 784 for MNIST).
    #[arg(value_name = "MODEL.toml")]
    model: PathBuf,

    /// The PNG file to write.
    #[arg(long, value_name = "FILTERS.png")]
    out: PathBuf,

    /// Lines of the grid (default: about the square root of the number of
    /// hidden units).
    #[arg(long, value_name = "R", value_parser = clap::value_parser!(u64).range(1..))]
    rows: Option<u64>,

    /// Replace FILTERS.png if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    check_outputs(&[args.out.as_path()], &[args.model.as_path()], args.force)?;
    let rbm = Rbm::load(&args.model).map_err(rbm_error)?;
    let side = square_side(rbm.n_visible()).ok_or_else(|| {
        BadInput(format!(
            "{}: the model has {} visible units, not a perfect square, so its filters \
             cannot be drawn as square images",
            args.model.display(),
            rbm.n_visible()
        ))
    })?;
    let n_hidden = rbm.n_hidden();
    let grid_rows = args
        .rows
        .map_or_else(|| square_side_ceil(n_hidden), |r| r as usize)
        .min(n_hidden);
    let grid_cols = n_hidden.div_ceil(grid_rows);
    let images = normalised_filters(&rbm);
    datasets::write_png_grid(&args.out, images.view(), side, side, grid_cols, args.force)
        .with_context(|| format!("drawing the filters of {}", args.model.display()))?;
    let text = format!(
        "wrote the {n_hidden} filters of {} ({side} x {side} pixels each, {grid_rows} x {grid_cols} grid) to {}\n",
        args.model.display(),
        args.out.display()
    );
    std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes())
        .context("writing to standard output")
}

/// Each row of W mapped to [0, 1] on its own: its smallest weight black,
/// its largest white (a constant row is mid grey).
fn normalised_filters(rbm: &Rbm) -> Array2<f32> {
    let mut images = rbm.weights.clone();
    for mut row in images.rows_mut() {
        let (low, high) = range(row.view());
        let span = high - low;
        row.mapv_inplace(|w| if span > 0.0 { (w - low) / span } else { 0.5 });
    }
    images
}

fn range(values: ArrayView1<f32>) -> (f32, f32) {
    values
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &w| {
            (lo.min(w), hi.max(w))
        })
}
