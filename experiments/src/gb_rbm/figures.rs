//! The figure of gb-rbm: test log-likelihood against the learning rate,
//! one panel per hidden-layer size, one colour per method.

use anyhow::Result;
use plotters::prelude::*;

use super::GbRbmResults;
use super::summary::cells;
use crate::plot::{
    LinePanel, Mark, Series, color, line_panel, log_range, padded_range, plot_error, render_svg,
};

/// Mean test log-likelihood (AIS) per setting as lines, every run as a
/// point; diverged runs have no point.
pub fn learning_rates(results: &GbRbmResults) -> Result<String> {
    let cells = cells(&results.runs);
    let mut sizes: Vec<usize> = cells.iter().map(|c| c.setting.n_hidden).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut methods: Vec<String> = cells.iter().map(|c| c.setting.method()).collect();
    methods.sort();
    methods.dedup();
    let n = sizes.len();
    render_svg((560 * n as u32, 500), |root| {
        let root = root
            .titled(
                "Gaussian-Bernoulli RBMs on 8x8 digits: test log-likelihood (AIS) against the learning rate",
                ("sans-serif", 20),
            )
            .map_err(plot_error)?;
        for (area, &size) in root.split_evenly((1, n)).iter().zip(&sizes) {
            let mut series = Vec::new();
            for (m, method) in methods.iter().enumerate() {
                let mine: Vec<_> = cells
                    .iter()
                    .filter(|c| c.setting.n_hidden == size && &c.setting.method() == method)
                    .collect();
                let means = mine
                    .iter()
                    .filter_map(|c| Some((f64::from(c.setting.learning_rate), c.test?.0)))
                    .collect();
                series.push(Series::new(method.clone(), means, color(m), Mark::Line));
                let points = results
                    .runs
                    .iter()
                    .filter(|r| r.setting.n_hidden == size && &r.setting.method() == method)
                    .filter_map(|r| {
                        Some((f64::from(r.setting.learning_rate), r.test.as_ref()?.ais))
                    })
                    .collect();
                series.push(Series::unlabelled(points, color(m), Mark::Points));
            }
            let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
            let ys: Vec<f64> = series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.1))
                .collect();
            let x = log_range(
                xs.chain(
                    results
                        .config
                        .training
                        .learning_rates
                        .iter()
                        .map(|&l| f64::from(l)),
                ),
            );
            let y = padded_range(ys, 0.05);
            let panel = LinePanel {
                title: format!("{size} hidden units"),
                x_label: "learning rate (log scale)".into(),
                y_label: "test log-likelihood (nats per image)".into(),
                series,
                legend: Some(SeriesLabelPosition::LowerLeft),
                log_axes: (true, false),
            };
            line_panel(area, &panel, x.log_scale(), y)?;
        }
        Ok(())
    })
}
