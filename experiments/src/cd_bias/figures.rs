//! The four figures of cd-bias, drawn from the results alone.

use anyhow::Result;
use plotters::prelude::*;

use super::CdBiasResults;
use super::config::{Group, Method};
use crate::plot::{
    LinePanel, Mark, Series, color, line_panel, log_range, padded_range, plot_error, render_svg,
};

fn titled<'a>(root: &crate::plot::Area<'a>, title: &str) -> Result<crate::plot::Area<'a>> {
    root.titled(title, ("sans-serif", 22)).map_err(plot_error)
}

/// A range for k on a log axis.
fn k_range(ks: &[usize]) -> std::ops::Range<f64> {
    let max = ks.iter().copied().max().unwrap_or(1) as f64;
    0.8..max * 1.25
}

/// One series per checkpoint of the bias panel: `values` against k.
fn bias_per_checkpoint(
    b: &super::bias::BiasResults,
    values: &dyn Fn(&super::bias::Checkpoint) -> &Vec<f64>,
    mark: Mark,
) -> Vec<Series> {
    let ks: Vec<f64> = b.ks.iter().map(|&k| k as f64).collect();
    b.checkpoints
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Series::new(
                format!("iteration {} (|W| = {:.1})", c.iteration, c.weight_norm),
                ks.iter().copied().zip(values(c).iter().copied()).collect(),
                color(i),
                mark,
            )
        })
        .collect()
}

/// One series per traced k: the relative error against the weight norm.
fn bias_trace(b: &super::bias::BiasResults) -> Vec<Series> {
    b.trace_ks
        .iter()
        .enumerate()
        .map(|(j, k)| {
            Series::new(
                format!("CD-{k}"),
                b.trace
                    .iter()
                    .map(|p| (p.weight_norm, p.relative_error[j]))
                    .collect(),
                color(j),
                Mark::Line,
            )
        })
        .collect()
}

/// Panel 1: relative error and cosine against k at each checkpoint, and the
/// bias of CD-k against the size of the weights.
pub fn bias(results: &CdBiasResults) -> Result<String> {
    let b = &results.bias;
    let errors = bias_per_checkpoint(b, &|c| &c.relative_error, Mark::Line);
    let cosines = bias_per_checkpoint(b, &|c| &c.cosine, Mark::Line);
    let trace = bias_trace(b);
    let title = format!(
        "Expected CD-k update vs exact gradient, {}x{} bars-and-stripes, {} hidden units",
        results.config.bias.side, results.config.bias.side, b.n_hidden
    );
    render_svg((1560, 520), |root| {
        let root = titled(root, &title)?;
        let areas = root.split_evenly((1, 3));
        let error_range = log_range(errors.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
        line_panel(
            &areas[0],
            &LinePanel {
                title: "relative error |CD-k - grad| / |grad|".into(),
                x_label: "Gibbs steps k".into(),
                y_label: "relative error".into(),
                series: errors,
                legend: Some(SeriesLabelPosition::LowerLeft),
                log_axes: (true, true),
            },
            k_range(&b.ks).log_scale(),
            error_range.log_scale(),
        )?;
        let cos_range = padded_range(
            cosines
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.1))
                .chain([1.0]),
            0.05,
        );
        line_panel(
            &areas[1],
            &LinePanel {
                title: "cosine(CD-k, grad)".into(),
                x_label: "Gibbs steps k".into(),
                y_label: "cosine".into(),
                series: cosines,
                legend: Some(SeriesLabelPosition::LowerRight),
                log_axes: (true, false),
            },
            k_range(&b.ks).log_scale(),
            cos_range,
        )?;
        let trace_y = log_range(trace.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
        let trace_x = padded_range(b.trace.iter().map(|p| p.weight_norm), 0.02);
        line_panel(
            &areas[2],
            &LinePanel {
                title: "bias grows with the weights".into(),
                x_label: "weight norm |W| along the exact-gradient run".into(),
                y_label: "relative error".into(),
                series: trace,
                legend: Some(SeriesLabelPosition::LowerRight),
                log_axes: (false, true),
            },
            trace_x,
            trace_y.log_scale(),
        )
    })
}

/// Panel 1b: sampled CD-k estimates on minibatches. Left: single estimates
/// against the exact bias. Right: averaging n estimates shrinks the noise
/// like 1/sqrt(n) until the bias is all that is left.
pub fn spread(results: &CdBiasResults) -> Result<String> {
    let s = &results.spread;
    let ks: Vec<usize> = s.points.iter().map(|p| p.k).collect();
    let single = spread_single_series(s);
    let (averaged, averaged_y) = spread_averaged_series(s);
    let n_max = s
        .points
        .iter()
        .flat_map(|p| p.averaged_counts.last())
        .max()
        .copied()
        .unwrap_or(1);
    let title = format!(
        "Sampled CD-k at iteration {} of the exact-gradient run (3x3 bars-and-stripes)",
        s.checkpoint
    );
    render_svg((1400, 540), |root| {
        let root = titled(root, &title)?;
        let areas = root.split_evenly((1, 2));
        let y = log_range(single.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
        line_panel(
            &areas[0],
            &LinePanel {
                title: "one estimate: |estimate - grad| / |grad|".into(),
                x_label: "Gibbs steps k".into(),
                y_label: "relative error".into(),
                series: single,
                legend: Some(SeriesLabelPosition::LowerLeft),
                log_axes: (true, true),
            },
            k_range(&ks).log_scale(),
            y.log_scale(),
        )?;
        line_panel(
            &areas[1],
            &LinePanel {
                title: "average of n estimates (dashed: the bias)".into(),
                x_label: "number of estimates averaged n".into(),
                y_label: "relative error of the average".into(),
                series: averaged,
                legend: Some(SeriesLabelPosition::LowerLeft),
                log_axes: (true, true),
            },
            (0.8..n_max as f64 * 1.25).log_scale(),
            averaged_y.log_scale(),
        )
    })
}

/// Left panel of the spread figure: the cloud of single sampled CD-k
/// estimates, with their noise and the exact bias.
fn spread_single_series(s: &super::spread::SpreadResults) -> Vec<Series> {
    // Spread the points of one k sideways a little (deterministically) so
    // that they do not hide each other.
    let jitter = |i: usize, n: usize| 1.0 + 0.12 * ((i as f64 + 0.5) / n as f64 - 0.5);
    let cloud: Vec<(f64, f64)> = s
        .points
        .iter()
        .flat_map(|p| {
            let n = p.relative_errors.len();
            p.relative_errors
                .iter()
                .enumerate()
                .map(move |(i, &y)| (p.k as f64 * jitter(i, n), y))
        })
        .collect();
    let line = |f: &dyn Fn(&super::spread::SpreadPoint) -> f64| {
        s.points
            .iter()
            .map(|p| (p.k as f64, f(p)))
            .collect::<Vec<_>>()
    };
    vec![
        Series::new(
            format!("one sampled CD-k estimate, minibatch of {}", s.batch_size),
            cloud,
            color(0),
            Mark::Points,
        ),
        Series::new(
            "noise: rms around the expectation",
            line(&|p| p.noise),
            color(2),
            Mark::Dashed,
        ),
        Series::new(
            "bias: exact expected CD-k",
            line(&|p| p.bias),
            color(1),
            Mark::Line,
        ),
    ]
}

/// Right panel of the spread figure: the error of an average of n
/// estimates per k (dashed: its bias), and the y range they share.
fn spread_averaged_series(s: &super::spread::SpreadResults) -> (Vec<Series>, std::ops::Range<f64>) {
    let mut averaged = Vec::new();
    for (i, p) in s.points.iter().enumerate() {
        let points: Vec<(f64, f64)> = p
            .averaged_counts
            .iter()
            .map(|&n| n as f64)
            .zip(p.averaged_errors.iter().copied())
            .collect();
        let last = points.last().map_or(1.0, |q| q.0);
        averaged.push(Series::new(
            format!(
                "CD-{} (bias {})",
                p.k,
                crate::plot::tick_label_exact(p.bias)
            ),
            points,
            color(i + 3),
            Mark::Line,
        ));
        averaged.push(Series::unlabelled(
            vec![(1.0, p.bias), (last, p.bias)],
            color(i + 3),
            Mark::Dashed,
        ));
    }
    let averaged_y = log_range(
        averaged
            .iter()
            .step_by(2)
            .flat_map(|s| s.points.iter().map(|p| p.1)),
    );
    // A bias below the axis is left out rather than squashing the curves.
    let averaged: Vec<Series> = averaged
        .into_iter()
        .filter(|s| s.label.is_some() || s.points[0].1 >= averaged_y.start)
        .collect();
    (averaged, averaged_y)
}

/// One series per training run at learning rate `lr`, its `values` against
/// the iteration; one colour per method, labelled once (on the first seed).
/// Whether the figure of `group` shows `method`: the group's methods, the
/// methods they are compared with, and the exact gradient.
fn shown_in(group: Group, method: &Method, methods: &[Method]) -> bool {
    *method == Method::Exact
        || method.group() == group
        || methods
            .iter()
            .any(|m| m.group() == group && m.baseline() == Some(*method))
}

fn training_curves(
    results: &CdBiasResults,
    group: Group,
    lr: f64,
    values: &dyn Fn(&super::training::Run) -> Vec<f64>,
) -> Vec<Series> {
    let t = &results.training;
    let c = &results.config.training;
    let methods: Vec<String> = c.methods.iter().map(|m| m.name()).collect();
    // The exact gradient is the reference: black, and drawn last (on top).
    let method_color = |m: &Method, i: usize| if *m == Method::Exact { BLACK } else { color(i) };
    let mut order: Vec<usize> = (0..c.methods.len())
        .filter(|&i| shown_in(group, &c.methods[i], &c.methods))
        .collect();
    order.sort_by_key(|&i| c.methods[i] == Method::Exact);
    let mut series = Vec::new();
    for &m in &order {
        let name = &methods[m];
        for run in t
            .runs
            .iter()
            .filter(|r| &r.method == name && r.learning_rate == lr)
        {
            let points = run
                .iterations
                .iter()
                .map(|&i| i as f64)
                .zip(values(run))
                .collect();
            let color = method_color(&c.methods[m], m);
            series.push(if run.seed_index == 0 {
                Series::new(name.clone(), points, color, Mark::Line)
            } else {
                Series::unlabelled(points, color, Mark::Line)
            });
        }
    }
    series
}

/// Panel 2: exact log-likelihood and reconstruction error during training,
/// one row per learning rate, one colour per method, one line per seed;
/// the methods of `group` with the ones they are compared with.
pub fn training(results: &CdBiasResults, group: Group) -> Result<String> {
    let t = &results.training;
    let c = &results.config.training;
    let curves = |lr, values: &dyn Fn(&super::training::Run) -> Vec<f64>| {
        training_curves(results, group, lr, values)
    };
    // A run that diverges would squash every other curve: the axis stops a
    // little below the starting log-likelihood and lower values sit on it.
    let floor = t
        .runs
        .iter()
        .filter_map(|r| r.log_likelihood.first())
        .fold(f64::INFINITY, |m, &v| m.min(v))
        - 0.5;
    let cut = |lr: f64| {
        t.runs
            .iter()
            .filter(|r| r.learning_rate == lr)
            .any(|r| r.log_likelihood.iter().any(|&v| v < floor))
    };
    let x = 0.0..c.iterations as f64;
    let what = match group {
        Group::Basic => "",
        Group::NegativePhase => ": better negative phases",
        Group::Centering => ": centering",
    };
    let title = format!(
        "Training on {}x{} bars-and-stripes ({} hidden units, full batch, {} seeds){what}",
        c.side, c.side, t.n_hidden, c.n_seeds
    );
    render_svg((1400, 80 + 440 * c.learning_rates.len() as u32), |root| {
        let root = titled(root, &title)?;
        let rows = root.split_evenly((c.learning_rates.len(), 2));
        for (r, &lr) in c.learning_rates.iter().enumerate() {
            let mut ll = curves(lr, &|run| {
                run.log_likelihood.iter().map(|&v| v.max(floor)).collect()
            });
            ll.push(Series::new(
                format!("optimum -H(data) = {:.3}", t.optimum_log_likelihood),
                vec![
                    (x.start, t.optimum_log_likelihood),
                    (x.end, t.optimum_log_likelihood),
                ],
                BLACK,
                Mark::Dashed,
            ));
            let y = padded_range(ll.iter().flat_map(|s| s.points.iter().map(|p| p.1)), 0.05);
            line_panel(
                &rows[2 * r],
                &LinePanel {
                    title: if cut(lr) {
                        format!("exact log-likelihood, learning rate {lr} (cut at {floor:.1})")
                    } else {
                        format!("exact log-likelihood, learning rate {lr}")
                    },
                    x_label: "iteration".into(),
                    y_label: "mean log-likelihood (nats)".into(),
                    series: ll,
                    legend: Some(SeriesLabelPosition::LowerRight),
                    log_axes: (false, false),
                },
                x.clone(),
                y,
            )?;
            let recon = curves(lr, &|run| run.reconstruction_error.clone());
            let y = log_range(recon.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
            line_panel(
                &rows[2 * r + 1],
                &LinePanel {
                    title: format!("reconstruction error, learning rate {lr}"),
                    x_label: "iteration".into(),
                    y_label: "squared error per example".into(),
                    series: recon,
                    legend: Some(SeriesLabelPosition::UpperRight),
                    log_axes: (false, true),
                },
                x.clone(),
                y.log_scale(),
            )?;
        }
        Ok(())
    })
}

/// Panel 3: KL reached by CD-1 against KL reached by maximum likelihood,
/// and the histogram of the difference.
pub fn fixed_points(results: &CdBiasResults) -> Result<String> {
    let f = &results.fixed_points;
    let pairs: Vec<(f64, f64)> = f.targets.iter().map(|t| (t.exact.kl, t.cd1.kl)).collect();
    let hi = pairs
        .iter()
        .flat_map(|&(a, b)| [a, b])
        .fold(0.0f64, f64::max)
        * 1.05;
    let scatter = vec![
        Series::new("one random target", pairs.clone(), color(0), Mark::Points),
        Series::new("equal KL", vec![(0.0, 0.0), (hi, hi)], BLACK, Mark::Dashed),
    ];
    let title = format!(
        "Fixed points of CD-1 and of maximum likelihood: {} random targets over {} bits, {} hidden units",
        f.targets.len(),
        f.n_visible,
        f.n_hidden
    );
    let excess: Vec<f64> = pairs.iter().map(|(a, b)| 100.0 * (b - a) / a).collect();
    render_svg((1300, 540), |root| {
        let root = titled(root, &title)?;
        let areas = root.split_evenly((1, 2));
        line_panel(
            &areas[0],
            &LinePanel {
                title: "KL(target || model) where each rule stops".into(),
                x_label: "KL at the maximum-likelihood fixed point (nats)".into(),
                y_label: "KL at the CD-1 fixed point (nats)".into(),
                series: scatter,
                legend: Some(SeriesLabelPosition::UpperLeft),
                log_axes: (false, false),
            },
            0.0..hi,
            0.0..hi,
        )?;
        histogram(&areas[1], &excess)
    })
}

/// A histogram of `values` with 20 equal bins between the 5th and the 95th
/// percentile (and 0); values beyond are counted in the edge bins.
fn histogram(area: &crate::plot::Area<'_>, values: &[f64]) -> Result<()> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let range = padded_range([at(0.05).min(0.0), at(0.95).max(0.0)], 0.05);
    let n_bins = 20;
    let width = (range.end - range.start) / n_bins as f64;
    let mut counts = vec![0usize; n_bins];
    for v in values {
        let bin = ((v - range.start) / width)
            .floor()
            .clamp(0.0, (n_bins - 1) as f64) as usize;
        counts[bin] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1) as f64 * 1.1;
    let mut chart = ChartBuilder::on(area)
        .caption(
            "relative excess KL of CD-1 over maximum likelihood",
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(42)
        .y_label_area_size(62)
        .build_cartesian_2d(range.clone(), 0.0..top)
        .map_err(plot_error)?;
    crate::plot::book_mesh_style(&mut chart.configure_mesh())
        .x_label_formatter(&|v| crate::plot::tick_label(*v, false))
        .y_label_formatter(&|v| crate::plot::tick_label(*v, false))
        .x_desc("(KL(CD-1) - KL(ML)) / KL(ML) in %, outer bins hold the tails")
        .y_desc("number of targets")
        .draw()
        .map_err(plot_error)?;
    chart
        .draw_series(counts.iter().enumerate().map(|(i, &n)| {
            let x0 = range.start + i as f64 * width;
            Rectangle::new(
                [(x0, 0.0), (x0 + width, n as f64)],
                color(0).mix(0.7).filled(),
            )
        }))
        .map_err(plot_error)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, top)],
            BLACK.stroke_width(1),
        )))
        .map_err(plot_error)?;
    Ok(())
}
