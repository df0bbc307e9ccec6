//! The 8x8 digits as real-valued data: a random train/test split,
//! uniform dequantisation, and standardisation fitted on the training set.

use std::path::Path;

use anyhow::{Context, Result};
use ndarray::{Array2, Axis};
use rand::Rng;
use rand::seq::SliceRandom;
use rbm::Standardizer;

use super::config::DataConfig;
use crate::streams::stream;

const STREAM_SPLIT: u32 = 1;
const STREAM_DEQUANTIZE: u32 = 2;

/// Standardised digits and the constant that turns a log-density of the
/// standardised data into one of the dequantised pixels.
#[derive(Clone, Debug)]
pub struct RealDigits {
    pub train: Array2<f32>,
    pub test: Array2<f32>,
    /// -sum_j log s_j, with s_j the standard deviation of pixel j on the
    /// 0..17 pixel scale (exercise 3): log p(pixels) = log p(v) + this.
    pub log_density_offset: f64,
}

/// A split that asks for more digits than the file holds: a fault of the
/// configuration's field `data.n_test` (the runner names the file).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TooFewDigits(pub String);

/// Read the digits, shuffle them with the seed, keep `n_test` for testing
/// and the next `n_train` for training. Each pixel (0..16) gets uniform
/// noise in [0, 1): a density of these values lower-bounds the log
/// probability of the integer pixels (Theis, van den Oord & Bethge 2016), and
/// no column is constant any more. Then standardise, eq. (9.7), with the
/// training set's means and standard deviations.
pub fn load(config: &DataConfig, root: &Path, seed: u64) -> Result<RealDigits> {
    let digits = datasets::read_digits_8x8(root.join(&config.file))
        .with_context(|| format!("loading the digits (data.file = {:?})", config.file))?;
    let total = digits.images.nrows();
    if config.n_train + config.n_test > total {
        return Err(TooFewDigits(format!(
            "n_train + n_test is {}, but {} holds only {total} digits",
            config.n_train + config.n_test,
            config.file
        ))
        .into());
    }
    let mut order: Vec<usize> = (0..total).collect();
    order.shuffle(&mut stream(seed, STREAM_SPLIT, 0));
    let mut noise = stream(seed, STREAM_DEQUANTIZE, 0);
    let mut pixels = |rows: &[usize]| -> Array2<f32> {
        let mut x = digits.images.select(Axis(0), rows) * datasets::DIGITS_MAX_PIXEL;
        x.mapv_inplace(|p| p + noise.random::<f32>());
        x
    };
    let test = pixels(&order[..config.n_test]);
    let train = pixels(&order[config.n_test..config.n_test + config.n_train]);
    let standardizer = Standardizer::fit(train.view())?;
    let log_density_offset = -standardizer
        .std
        .iter()
        .map(|&s| f64::from(s).ln())
        .sum::<f64>();
    Ok(RealDigits {
        train: standardizer.transform(train.view())?,
        test: standardizer.transform(test.view())?,
        log_density_offset,
    })
}
