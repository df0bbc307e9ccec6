//! The three figures of ais-vs-exact, drawn from the results alone.

use anyhow::Result;
use plotters::prelude::*;

use super::AisVsExactResults;
use super::ais_sweep::{ModelSweeps, Setting};
use crate::plot::{
    Area, LinePanel, Mark, Series, color, draw_legend, line_panel, log_range, padded_range,
    plot_error, render_svg, tick_label,
};

fn titled<'a>(root: &Area<'a>, title: &str) -> Result<Area<'a>> {
    root.titled(title, ("sans-serif", 22)).map_err(plot_error)
}

/// AIS error (estimate - exact) against the number of inverse temperatures.
pub fn betas(results: &AisVsExactResults) -> Result<String> {
    let title = format!(
        "AIS error in log Z against the number of inverse temperatures ({} chains; {} seeds; bars: 3 standard errors)",
        results.config.ais.chains_for_betas, results.config.ais.n_seeds
    );
    sweep_figure(&title, "inverse temperatures (log scale)", results, |m| {
        (&m.betas, Some(&m.reverse), |s: &Setting| s.n_betas as f64)
    })
}

/// AIS error against the number of chains.
pub fn chains(results: &AisVsExactResults) -> Result<String> {
    let title = format!(
        "AIS error in log Z against the number of chains ({} inverse temperatures; {} seeds; bars: 3 standard errors)",
        results.config.ais.betas_for_chains, results.config.ais.n_seeds
    );
    sweep_figure(&title, "chains (log scale)", results, |m| {
        (&m.chains, None, |s: &Setting| s.n_chains as f64)
    })
}

type Pick<'a> = (
    &'a Vec<Setting>,
    Option<&'a Vec<Setting>>,
    fn(&Setting) -> f64,
);

/// One panel per model: every run as a point with its error bar, the mean
/// error as a line, reverse AIS (if any) in a second colour.
fn sweep_figure(
    title: &str,
    x_label: &str,
    results: &AisVsExactResults,
    pick: impl for<'a> Fn(&'a ModelSweeps) -> Pick<'a>,
) -> Result<String> {
    let n = results.sweeps.len();
    render_svg((520 * n as u32, 520), |root| {
        let root = titled(root, title)?;
        let areas = root.split_evenly((1, n));
        for (area, m) in areas.iter().zip(&results.sweeps) {
            let (forward, reverse, x_of) = pick(m);
            let mut groups = vec![("forward AIS", forward, color(0))];
            if let Some(r) = reverse.filter(|r| !r.is_empty()) {
                groups.push(("reverse AIS (exact start)", r, color(1)));
            }
            error_panel(area, &m.model, x_label, &groups, x_of)?;
        }
        Ok(())
    })
}

/// A group of settings drawn in one colour: its label, settings and colour.
type Group<'a> = (&'a str, &'a Vec<Setting>, RGBColor);

/// The error panel's chart: x log-scaled, y linear.
type ErrorChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<LogCoord<f64>, plotters::coord::types::RangedCoordf64>,
>;

/// The errors of every run of every setting, with their error bars and a
/// line through the mean error of each group.
fn error_panel(
    area: &Area<'_>,
    title: &str,
    x_label: &str,
    groups: &[Group],
    x_of: fn(&Setting) -> f64,
) -> Result<()> {
    let (x, y) = error_ranges(groups, x_of);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(42)
        .y_label_area_size(70)
        .build_cartesian_2d(x.clone().log_scale(), y.clone())
        .map_err(plot_error)?;
    crate::plot::book_mesh_style(&mut chart.configure_mesh())
        .x_label_formatter(&|v| tick_label(*v, true))
        .y_label_formatter(&|v| tick_label(*v, false))
        .x_desc(x_label)
        .y_desc("estimate - exact log Z (nats)")
        .draw()
        .map_err(plot_error)?;
    chart
        .draw_series(DashedLineSeries::new(
            [(x.start, 0.0), (x.end, 0.0)],
            6,
            4,
            BLACK.mix(0.6).stroke_width(1),
        ))
        .map_err(plot_error)?;
    for (g, group) in groups.iter().enumerate() {
        draw_error_group(&mut chart, g, group, x_of, &y)?;
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// The x range (the settings) and the y range: the errors and 0, and the
/// bars clipped to a window around them, since bars may be far wider.
fn error_ranges(
    groups: &[Group],
    x_of: fn(&Setting) -> f64,
) -> (std::ops::Range<f64>, std::ops::Range<f64>) {
    let settings = || groups.iter().flat_map(|g| g.1.iter());
    let errors = || settings().flat_map(|s| s.runs.iter().map(|r| r.error));
    let core = padded_range(errors().chain([0.0]), 0.1);
    let span = core.end - core.start;
    let clip = (core.start - span, core.end + span);
    let bar_ends = settings().flat_map(|s| {
        s.runs.iter().flat_map(|r| {
            [
                r.low.unwrap_or(f64::NEG_INFINITY),
                r.high.unwrap_or(f64::INFINITY),
            ]
        })
    });
    let y = padded_range(
        errors()
            .chain(bar_ends.map(|b| b.clamp(clip.0, clip.1)))
            .chain([0.0]),
        0.05,
    );
    (log_range(settings().map(x_of)), y)
}

/// Group `g`: each run's error with its bar (seeds spread a little
/// sideways so that bars do not overlap), then the line of mean errors.
fn draw_error_group(
    chart: &mut ErrorChart<'_, '_>,
    g: usize,
    (label, group, c): &Group,
    x_of: fn(&Setting) -> f64,
    y: &std::ops::Range<f64>,
) -> Result<()> {
    let c = *c;
    let n_seeds = group.first().map_or(1, |s| s.runs.len());
    let bars = group.iter().flat_map(|s| {
        s.runs.iter().enumerate().map(move |(i, r)| {
            let offset = (i as f64 - (n_seeds as f64 - 1.0) / 2.0) * 0.025 + g as f64 * 0.012;
            let xr = x_of(s) * 10f64.powf(offset);
            let low = r.low.unwrap_or(f64::NEG_INFINITY).max(y.start);
            let high = r.high.unwrap_or(f64::INFINITY).min(y.end);
            (xr, low, r.error, high)
        })
    });
    for (xr, low, error, high) in bars {
        let style = c.mix(0.55).stroke_width(1);
        chart
            .draw_series([
                PathElement::new(vec![(xr, low), (xr, high)], style),
                PathElement::new(vec![(xr / 1.02, low), (xr * 1.02, low)], style),
                PathElement::new(vec![(xr / 1.02, high), (xr * 1.02, high)], style),
            ])
            .map_err(plot_error)?;
        chart
            .draw_series([Circle::new((xr, error), 2, c.mix(0.7).filled())])
            .map_err(plot_error)?;
    }
    chart
        .draw_series(LineSeries::new(
            group.iter().map(|s| (x_of(s), s.mean_error)),
            c.stroke_width(2),
        ))
        .map_err(plot_error)?
        .label(format!("{label}: mean error"))
        .legend(move |(px, py)| PathElement::new(vec![(px, py), (px + 20, py)], c.stroke_width(2)));
    Ok(())
}

/// One total-variation trace per chain set and sampler, against sweeps or,
/// when `by_cost`, against block Gibbs steps (tempering pays one per
/// temperature in each sweep).
fn mixing_traces(m: &super::mixing::MixingResults, by_cost: bool) -> Vec<Series> {
    let sweeps: Vec<f64> = m.sweeps.iter().map(|&s| s as f64).collect();
    let cost = m.ladder.len() as f64;
    let mut series = Vec::new();
    for (name, traces, c, per_sweep) in [
        ("block Gibbs", &m.gibbs, color(0), 1.0),
        ("parallel tempering", &m.tempering, color(1), cost),
    ] {
        for (i, t) in traces.iter().enumerate() {
            let points = sweeps
                .iter()
                .zip(&t.total_variation)
                .map(|(&s, &tv)| (s * if by_cost { per_sweep } else { 1.0 }, tv))
                .collect();
            series.push(if i == 0 {
                Series::new(name, points, c, Mark::Line)
            } else {
                Series::unlabelled(points, c, Mark::Line)
            });
        }
    }
    series
}

/// Total variation from the exact p(v) against sweeps and against block
/// Gibbs steps (PT pays one per temperature), and the swap rates.
pub fn mixing(results: &AisVsExactResults) -> Result<String> {
    let m = &results.mixing;
    let by_sweep = mixing_traces(m, false);
    let by_cost = mixing_traces(m, true);
    let rates: Vec<(f64, f64)> = m
        .swap_rates
        .iter()
        .enumerate()
        .map(|(k, &r)| (k as f64 + 0.5, r))
        .collect();
    let title = format!(
        "Mixing on an RBM trained on {}x{} bars-and-stripes ({} hidden units; {} chains; {} temperatures)",
        results.config.mixing.side,
        results.config.mixing.side,
        m.model.n_hidden,
        results.config.mixing.n_chains,
        m.ladder.len()
    );
    let all_tv = || {
        by_sweep
            .iter()
            .chain(&by_cost)
            .flat_map(|s| s.points.iter().map(|p| p.1))
    };
    render_svg((1560, 520), |root| {
        let root = titled(root, &title)?;
        let areas = root.split_evenly((1, 3));
        let y = log_range(all_tv());
        line_panel(
            &areas[0],
            &LinePanel {
                title: "distance from p(v) by sweep".into(),
                x_label: "sweeps (log scale)".into(),
                y_label: "total variation distance".into(),
                series: by_sweep.clone(),
                legend: Some(SeriesLabelPosition::LowerLeft),
                log_axes: (true, true),
            },
            log_range(by_sweep.iter().flat_map(|s| s.points.iter().map(|p| p.0))).log_scale(),
            y.clone().log_scale(),
        )?;
        line_panel(
            &areas[1],
            &LinePanel {
                title: "... by cost (block Gibbs steps per chain)".into(),
                x_label: "Gibbs steps at all temperatures (log scale)".into(),
                y_label: "total variation distance".into(),
                series: by_cost.clone(),
                legend: Some(SeriesLabelPosition::LowerLeft),
                log_axes: (true, true),
            },
            log_range(by_cost.iter().flat_map(|s| s.points.iter().map(|p| p.0))).log_scale(),
            y.log_scale(),
        )?;
        line_panel(
            &areas[2],
            &LinePanel {
                title: "swap acceptance between neighbours".into(),
                x_label: "pair k <-> k+1 (k = 0 is beta = 1)".into(),
                y_label: "accepted fraction".into(),
                series: vec![
                    Series::new("swap rate", rates.clone(), color(1), Mark::Line),
                    Series::unlabelled(rates, color(1), Mark::Points),
                ],
                legend: Some(SeriesLabelPosition::LowerLeft),
                log_axes: (false, false),
            },
            0.0..(m.swap_rates.len() as f64),
            0.0..1.05,
        )
    })
}
