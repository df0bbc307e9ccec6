//! # datasets: data for the boltzmann workbench
//!
//! - [`read_csv`], [`read_binary_csv`] and [`write_csv`]: the CSV format of
//!   the book, one example per line, values separated by commas, no header;
//!   [`read_csv_f32`] and [`read_binary_csv_f32`] read the same files
//!   straight into the f32 matrix the trainers use.
//! - [`bars_and_stripes`]: the classic toy data set of every bars-and-stripes
//!   image, small enough that a model of it can be solved exactly.
//! - [`binarize_threshold`] and [`binarize_sample`]: turn intensities in
//!   [0, 1] into the binary values a Bernoulli RBM models.
//! - [`load_idx_folder`], [`read_idx_images`] and [`read_idx_labels`]: the
//!   IDX files of MNIST and Fashion-MNIST, gzip-compressed or raw.
//! - [`write_png_grid`]: many small images tiled into one PNG.
//! - [`read_digits_8x8`]: the 1,797 UCI 8x8 digits shipped in `data/digits-8x8`,
//!   and [`nudge_images`], which adds copies moved by one pixel.
//!
//! Every error is a [`DataError`] that names the file, the line and the
//! column, and says what was expected there.
//!
//! ## Example
//! ```
//! let data = datasets::bars_and_stripes(2, 2);
//! assert_eq!(data.dim(), (6, 4));
//! ```

mod bars_and_stripes;
mod binarize;
mod csv_file;
mod digits;
mod error;
mod idx;
pub mod image_grid;
mod input;

pub use bars_and_stripes::{MAX_SIDE, bars_and_stripes};
pub use binarize::{
    binarize_sample, binarize_sample_in_place, binarize_threshold, binarize_threshold_in_place,
};
pub use csv_file::{
    CsvValue, read_binary_csv, read_binary_csv_f32, read_csv, read_csv_f32, read_real_csv,
    read_real_csv_f32, write_csv, write_real_csv,
};
pub use digits::{
    DIGITS_MAX_PIXEL, DIGITS_SIDE, Digits, nudge_images, read_digits_8x8, shift_images,
};
pub use error::DataError;
pub use idx::{
    IdxImages, IdxSplit, has_idx_split, load_idx_folder, read_idx_images, read_idx_labels,
};
pub use image_grid::write_png_grid;
pub use input::{MAX_TEXT_BYTES, excerpt, open_input, read_bounded};
