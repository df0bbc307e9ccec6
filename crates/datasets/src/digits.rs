//! The 1,797 UCI 8x8 handwritten digits as shipped in scikit-learn
//! (`data/digits-8x8/digits.csv.gz`): one digit per line, 64 pixels 0..16
//! row by row, then the label 0..9.

use std::path::Path;

use ndarray::{Array2, ArrayView2, Axis, concatenate};

use crate::error::DataError;
use crate::idx::read_maybe_gzip;

/// The side of a digit image in pixels.
pub const DIGITS_SIDE: usize = 8;
/// The largest pixel value: each pixel counts the ink in a 4x4 block.
pub const DIGITS_MAX_PIXEL: f32 = 16.0;

/// Digit images and their labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Digits {
    /// One image per row, 64 intensities pixel / 16 in [0, 1], row by row.
    pub images: Array2<f32>,
    /// The class 0..9 of each image.
    pub labels: Vec<usize>,
}

/// Read the digits file (gzip or plain text). Errors name the file, the
/// line and the column.
pub fn read_digits_8x8(path: impl AsRef<Path>) -> Result<Digits, DataError> {
    let path = path.as_ref();
    let bytes = read_maybe_gzip(path)?;
    let text = String::from_utf8(bytes).map_err(|_| DataError::Malformed {
        path: path.to_path_buf(),
        problem: "the text is not UTF-8".into(),
    })?;
    let n_pixels = DIGITS_SIDE * DIGITS_SIDE;
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let values: Vec<&str> = line.split(',').map(str::trim).collect();
        let bad = |column: usize, expected: &str| DataError::Value {
            path: path.to_path_buf(),
            line: n as u64 + 1,
            column: column + 1,
            text: values.get(column).unwrap_or(&"").to_string(),
            expected: expected.to_string(),
        };
        if values.len() != n_pixels + 1 {
            return Err(bad(
                values.len().min(n_pixels),
                "one of 64 pixels and a label (65 values)",
            ));
        }
        for (k, text) in values[..n_pixels].iter().enumerate() {
            match text.parse::<f32>() {
                Ok(x) if (0.0..=DIGITS_MAX_PIXEL).contains(&x) => pixels.push(x / DIGITS_MAX_PIXEL),
                _ => return Err(bad(k, "a pixel value from 0 to 16")),
            }
        }
        match values[n_pixels].parse::<f32>() {
            Ok(l) if l.fract() == 0.0 && (0.0..=9.0).contains(&l) => labels.push(l as usize),
            _ => return Err(bad(n_pixels, "a label from 0 to 9")),
        }
    }
    if labels.is_empty() {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
        });
    }
    let images =
        Array2::from_shape_vec((labels.len(), n_pixels), pixels).expect("every line has 64 pixels");
    Ok(Digits { images, labels })
}

/// Square images of side `side` moved by (`rows`, `cols`) pixels: pixel
/// (i, j) of the result is pixel (i + rows, j + cols) of the input, or 0
/// where that falls outside.
pub fn shift_images(images: ArrayView2<f32>, side: usize, rows: isize, cols: isize) -> Array2<f32> {
    let mut shifted = Array2::zeros(images.dim());
    for (mut out, image) in shifted.rows_mut().into_iter().zip(images.rows()) {
        for i in 0..side {
            for j in 0..side {
                let (r, c) = (i as isize + rows, j as isize + cols);
                if (0..side as isize).contains(&r) && (0..side as isize).contains(&c) {
                    out[i * side + j] = image[r as usize * side + c as usize];
                }
            }
        }
    }
    shifted
}

/// The images followed by four copies moved by one pixel: up, left, right,
/// down, in the order of scikit-learn's example "Restricted Boltzmann
/// Machine features for digit classification" (5 times as many images).
pub fn nudge_images(images: ArrayView2<f32>, side: usize) -> Array2<f32> {
    let moves = [(1, 0), (0, 1), (0, -1), (-1, 0)];
    let mut parts = vec![images.to_owned()];
    parts.extend(moves.iter().map(|&(r, c)| shift_images(images, side, r, c)));
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    concatenate(Axis(0), &views).expect("equal widths")
}
