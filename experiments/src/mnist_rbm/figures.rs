//! The figures of mnist-rbm, drawn from the results alone (and, for the
//! PNGs, from the images that `compute` returns).

use anyhow::{Context, Result};
use ndarray::Array2;
use plotters::prelude::*;

use super::MnistRbmResults;
use crate::plot::{
    LinePanel, Mark, Series, color, draw_legend, line_panel, padded_range, plot_error, render_svg,
};

/// The free-energy gap and the reconstruction error against the epoch,
/// one line per model (the small model dashed).
pub fn gap(results: &MnistRbmResults) -> Result<String> {
    let gaps = monitor_series(results, |r| &r.free_energy_gap);
    let errors = monitor_series(results, |r| &r.reconstruction_error);
    let epochs = results.config.training.epochs as f64;
    let title = format!(
        "{} training digits, {} test digits: monitors after each epoch",
        results.n_train, results.n_test
    );
    render_svg((1200, 480), |root| {
        let root = root
            .titled(&title, ("sans-serif", 20))
            .map_err(plot_error)?;
        let areas = root.split_evenly((1, 2));
        let gap_range = padded_range(
            gaps.iter()
                .flat_map(|s| s.points.iter().map(|p| p.1))
                .chain([0.0]),
            0.05,
        );
        let gap_panel = LinePanel {
            title: "free-energy gap: mean F(test) - mean F(train)".into(),
            x_label: "epoch".into(),
            y_label: "nats".into(),
            series: gaps,
            legend: Some(SeriesLabelPosition::UpperLeft),
            log_axes: (false, false),
        };
        line_panel(&areas[0], &gap_panel, 0.0..epochs, gap_range)?;
        let error_range = padded_range(
            errors.iter().flat_map(|s| s.points.iter().map(|p| p.1)),
            0.05,
        );
        let error_panel = LinePanel {
            title: "reconstruction error (squared, per digit)".into(),
            x_label: "epoch".into(),
            y_label: "pixels^2".into(),
            series: errors,
            legend: Some(SeriesLabelPosition::UpperRight),
            log_axes: (false, false),
        };
        line_panel(&areas[1], &error_panel, 0.0..epochs, error_range)
    })
}

/// One series per model against the epoch, of the monitor `values` picks;
/// the large models solid, the small one dashed.
fn monitor_series(
    results: &MnistRbmResults,
    values: impl Fn(&super::TrainingRun) -> &Vec<f64>,
) -> Vec<Series> {
    let runs = results
        .models
        .iter()
        .map(|m| (&m.training, Mark::Line))
        .chain(std::iter::once((&results.small.training, Mark::Dashed)));
    runs.enumerate()
        .map(|(i, (run, mark))| {
            Series::new(
                format!("{} ({} hidden)", run.name, run.n_hidden),
                run.epochs
                    .iter()
                    .map(|&e| e as f64)
                    .zip(values(run).iter().copied())
                    .collect(),
                color(i),
                mark,
            )
        })
        .collect()
}

/// One column of the log-probability figure.
struct Column {
    label: String,
    test: super::evaluation::Bracket,
    train: f64,
    /// Salakhutdinov & Murray's number, or the exact value for the small model.
    reference: Option<f64>,
}

fn columns(results: &MnistRbmResults) -> Vec<Column> {
    let reference = |name: &str| {
        results
            .reference
            .iter()
            .find(|r| r.model == name)
            .map(|r| r.test_log_probability)
    };
    let mut columns: Vec<Column> = results
        .models
        .iter()
        .map(|m| Column {
            label: m.training.name.clone(),
            test: m.evaluation.test_log_probability,
            train: m.evaluation.train_log_probability.estimate,
            reference: reference(&m.training.name),
        })
        .collect();
    let small = &results.small;
    columns.push(Column {
        label: format!(
            "{} ({} hidden)",
            small.training.name, small.training.n_hidden
        ),
        test: small.evaluation.test_log_probability,
        train: small.evaluation.train_log_probability.estimate,
        reference: Some(small.exact.test_log_probability),
    });
    columns
}

/// Test log-probability with AIS error bars per model, the training-set
/// value beside it, and Salakhutdinov & Murray's full-MNIST numbers (for the
/// small model: the exact value) as grey bars.
pub fn log_probability(results: &MnistRbmResults) -> Result<String> {
    let columns = columns(results);
    let values = columns.iter().flat_map(|c| {
        [
            Some(c.test.estimate),
            c.test.low,
            c.test.high,
            Some(c.train),
            c.reference,
        ]
        .into_iter()
        .flatten()
    });
    let y = padded_range(values, 0.08);
    let n = columns.len();
    let labels: Vec<String> = columns.iter().map(|c| c.label.clone()).collect();
    render_svg((900, 520), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Mean log-probability (nats per digit), AIS with 3-standard-error bars (dashed: open)",
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(62)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), y.clone())
            .map_err(plot_error)?;
        draw_column_axes(&mut chart, &labels)?;
        let test_color = color(0);
        let train_color = color(1);
        let grey = color(7);
        let mut reference_labelled = false;
        for (i, c) in columns.iter().enumerate() {
            let x = i as f64;
            // The reference first, so that the points are drawn over it.
            if let Some(r) = c.reference {
                let line = chart
                    .draw_series([PathElement::new(
                        vec![(x - 0.35, r), (x + 0.35, r)],
                        grey.stroke_width(3),
                    )])
                    .map_err(plot_error)?;
                if !reference_labelled {
                    reference_labelled = true;
                    line.label("S&M 2008, full MNIST (small model: exact)")
                        .legend(move |(px, py)| {
                            PathElement::new(vec![(px, py), (px + 20, py)], grey.stroke_width(3))
                        });
                }
            }
            let bar_x = x - 0.12;
            let ends = [(c.test.low, y.start), (c.test.high, y.end)];
            draw_error_bar(&mut chart, bar_x, c.test.estimate, ends, test_color)?;
            let test = chart
                .draw_series([Circle::new(
                    (bar_x, c.test.estimate),
                    5,
                    test_color.filled(),
                )])
                .map_err(plot_error)?;
            if i == 0 {
                test.label("test digits (AIS)")
                    .legend(move |(px, py)| Circle::new((px + 10, py), 5, test_color.filled()));
            }
            let train = chart
                .draw_series([TriangleMarker::new(
                    (x + 0.12, c.train),
                    6,
                    train_color.filled(),
                )])
                .map_err(plot_error)?;
            if i == 0 {
                train
                    .label("training digits (AIS)")
                    .legend(move |(px, py)| {
                        TriangleMarker::new((px + 10, py), 6, train_color.filled())
                    });
            }
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    })
}

/// A chart with f64 coordinates on both axes, drawn into SVG.
type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Axes of a column chart: one named tick per column, no vertical grid lines.
fn draw_column_axes(chart: &mut Chart<'_, '_>, labels: &[String]) -> Result<()> {
    let x_format = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
            labels[i as usize].clone()
        } else {
            String::new()
        }
    };
    crate::plot::book_mesh_style(&mut chart.configure_mesh())
        .x_labels(4 * labels.len() + 1)
        .x_label_formatter(&x_format)
        .y_label_formatter(&|v| crate::plot::tick_label(*v, false))
        .y_desc("mean log p(v), nats")
        .disable_x_mesh()
        .draw()
        .map_err(plot_error)
}

/// An error bar at `x` from `estimate` to each end; an open end (`None`) is
/// dashed up to its edge of the plot.
fn draw_error_bar(
    chart: &mut Chart<'_, '_>,
    x: f64,
    estimate: f64,
    ends: [(Option<f64>, f64); 2],
    bar_color: RGBColor,
) -> Result<()> {
    let style = bar_color.stroke_width(2);
    for (end, edge) in ends {
        match end {
            Some(e) => {
                chart
                    .draw_series([
                        PathElement::new(vec![(x, estimate), (x, e)], style),
                        PathElement::new(vec![(x - 0.05, e), (x + 0.05, e)], style),
                    ])
                    .map_err(plot_error)?;
            }
            None => {
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(x, estimate), (x, edge)],
                        5,
                        4,
                        style,
                    ))
                    .map_err(plot_error)?;
            }
        }
    }
    Ok(())
}

/// `images` tiled `per_row` to a line as the bytes of a greyscale PNG
/// (through `datasets::write_png_grid`, in a temporary folder).
pub fn png_grid(
    images: &Array2<f32>,
    image_shape: (usize, usize),
    per_row: usize,
) -> Result<Vec<u8>> {
    let dir = tempfile::tempdir().context("a temporary folder for a PNG")?;
    let path = dir.path().join("grid.png");
    datasets::write_png_grid(
        &path,
        images.view(),
        image_shape.0,
        image_shape.1,
        per_row,
        false,
    )?;
    Ok(std::fs::read(&path)?)
}
