//! The figures: image grids of samples (PNG) and the training curves (SVG).

use anyhow::Result;
use ndarray::Array2;

use super::EbmDigitsResults;
use crate::plot::{LinePanel, Mark, Series, color, line_panel, padded_range, render_svg};

/// Images (values clipped to [0, 1] for display) tiled `per_row` to a line.
pub fn grid(images: &Array2<f64>, side: usize, per_row: usize) -> Result<Vec<u8>> {
    let clipped = images.mapv(|v| v.clamp(0.0, 1.0) as f32);
    crate::mnist_rbm::figures::png_grid(&clipped, (side, side), per_row.min(images.nrows().max(1)))
}

/// Mean energy of the data batch and of the negatives over training.
pub fn energies(results: &EbmDigitsResults) -> Result<String> {
    let log = &results.training;
    let points = |ys: &[f64]| -> Vec<(f64, f64)> {
        log.iterations
            .iter()
            .zip(ys)
            .map(|(&t, &y)| (t as f64, y))
            .collect()
    };
    let series = vec![
        Series::new(
            "digits (x+)",
            points(&log.mean_positive_energy),
            color(0),
            Mark::Line,
        ),
        Series::new(
            "negatives (x-)",
            points(&log.mean_negative_energy),
            color(1),
            Mark::Dashed,
        ),
    ];
    let xs: Vec<f64> = log.iterations.iter().map(|&t| t as f64).collect();
    let ys: Vec<f64> = log
        .mean_positive_energy
        .iter()
        .chain(&log.mean_negative_energy)
        .copied()
        .collect();
    let panel = LinePanel {
        title: "Mean energy during training".into(),
        x_label: "iteration".into(),
        y_label: "mean energy".into(),
        series,
        legend: Some(plotters::prelude::SeriesLabelPosition::UpperRight),
        log_axes: (false, false),
    };
    render_svg((720, 420), |area| {
        line_panel(area, &panel, padded_range(xs, 0.02), padded_range(ys, 0.05))
    })
}
