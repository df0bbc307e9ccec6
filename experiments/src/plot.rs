//! SVG figures through plotters, rendered into a `String` so that nothing is
//! written until the whole figure exists. Text is laid out with the DejaVu
//! Sans font shipped in `experiments/assets/` (see PROVENANCE.md there).

use std::sync::OnceLock;

use anyhow::{Result, anyhow};
use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use plotters::style::FontStyle;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Colour-blind friendly colours (Okabe and Ito), in the order series use them.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(120, 120, 120),
];

pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Register the shipped font as "sans-serif", plotters' default family. Once.
pub fn register_font() -> Result<()> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
                .map_err(|_| "the shipped font assets/DejaVuSans.ttf is not a valid TTF".into())
        })
        .clone()
        .map_err(|e| anyhow!(e))
}

/// plotters' errors carry the backend's error type; keep their message.
pub fn plot_error(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("drawing a figure failed: {e}")
}

pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Draw a figure of `size` pixels into SVG text; `present()` is checked.
pub fn render_svg(size: (u32, u32), draw: impl FnOnce(&Area<'_>) -> Result<()>) -> Result<String> {
    register_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        draw(&root)?;
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mark {
    Line,
    Dashed,
    Points,
}

#[derive(Clone, Debug)]
pub struct Series {
    pub label: Option<String>,
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub mark: Mark,
}

impl Series {
    pub fn new(
        label: impl Into<String>,
        points: Vec<(f64, f64)>,
        color: RGBColor,
        mark: Mark,
    ) -> Self {
        Self {
            label: Some(label.into()),
            points,
            color,
            mark,
        }
    }

    /// A series that does not appear in the legend (a second seed, say).
    pub fn unlabelled(points: Vec<(f64, f64)>, color: RGBColor, mark: Mark) -> Self {
        Self {
            label: None,
            points,
            color,
            mark,
        }
    }
}

/// One chart: axes, titles and its series.
#[derive(Clone, Debug)]
pub struct LinePanel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    pub legend: Option<SeriesLabelPosition>,
    /// Whether the (x, y) axes are logarithmic: only 1, 2 and 5 times a power
    /// of ten are labelled there.
    pub log_axes: (bool, bool),
}

/// A number in a legend: three significant digits.
pub fn tick_label_exact(v: f64) -> String {
    if v != 0.0 && !(1e-3..1e5).contains(&v.abs()) {
        format!("{v:.1e}")
    } else {
        format!("{v:.3}")
    }
}

/// A short tick label: "500" rather than "500.0", "1e-7" rather than
/// "1.0000000001e-7". On a log axis, only 1, 2 and 5 times a power of ten.
pub fn tick_label(v: f64, log: bool) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let exponent = v.abs().log10().floor();
    let mantissa = v.abs() / 10f64.powf(exponent);
    if log
        && ![1.0, 2.0, 5.0, 10.0]
            .iter()
            .any(|m| (mantissa - m).abs() < 1e-6)
    {
        return String::new();
    }
    if !(1e-3..1e5).contains(&v.abs()) {
        return format!("{:.0}e{}", v / 10f64.powf(exponent), exponent);
    }
    let text = format!("{v:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Draw a panel on `area` with the coordinate ranges `x` and `y`, linear
/// (`a..b`) or logarithmic (`(a..b).log_scale()`).
pub fn line_panel<X, Y>(area: &Area<'_>, panel: &LinePanel, x: X, y: Y) -> Result<()>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(42)
        .y_label_area_size(62)
        .build_cartesian_2d(x, y)
        .map_err(plot_error)?;
    let (x_log, y_log) = panel.log_axes;
    let x_format = move |v: &f64| tick_label(*v, x_log);
    let y_format = move |v: &f64| tick_label(*v, y_log);
    book_mesh_style(&mut chart.configure_mesh())
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .x_desc(&panel.x_label)
        .y_desc(&panel.y_label)
        .draw()
        .map_err(plot_error)?;
    for s in &panel.series {
        draw_line_series(&mut chart, s)?;
    }
    if let Some(position) = &panel.legend {
        draw_legend(&mut chart, position.clone())?;
    }
    Ok(())
}

/// The book's axis style, shared by every chart: 13-point tick labels,
/// 14-point axis titles and no light grid lines.
pub fn book_mesh_style<'m, 'a, 'b, X, Y, XT, YT, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
    DB: DrawingBackend,
{
    mesh.label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .light_line_style(WHITE.mix(0.0))
}

/// One series of a [`LinePanel`] as its mark says, with its legend entry.
fn draw_line_series<X, Y>(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>,
    s: &Series,
) -> Result<()>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let color = s.color;
    let style = color.stroke_width(2);
    let drawn = match s.mark {
        Mark::Line => chart
            .draw_series(LineSeries::new(s.points.iter().copied(), style))
            .map_err(plot_error)?,
        Mark::Dashed => chart
            .draw_series(DashedLineSeries::new(s.points.iter().copied(), 6, 4, style))
            .map_err(plot_error)?,
        Mark::Points => chart
            .draw_series(
                s.points
                    .iter()
                    .map(move |&p| Circle::new(p, 2, color.mix(0.45).filled())),
            )
            .map_err(plot_error)?,
    };
    let Some(label) = &s.label else {
        return Ok(());
    };
    let anno = drawn.label(label);
    match s.mark {
        Mark::Points => {
            anno.legend(move |(x, y)| Circle::new((x + 10, y), 3, color.filled()));
        }
        Mark::Line => {
            anno.legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        }
        // A shorter, thinner stroke stands for a dashed line.
        Mark::Dashed => {
            anno.legend(move |(x, y)| {
                PathElement::new(vec![(x + 4, y), (x + 16, y)], color.stroke_width(1))
            });
        }
    }
    Ok(())
}

/// The legend of every figure: 13-point labels on a light box at `position`.
pub fn draw_legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .label_font(("sans-serif", 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()
        .map_err(plot_error)
}

/// The smallest and largest value of an iterator, padded by `pad` of the span
/// (and widened when all values are equal).
pub fn padded_range(values: impl IntoIterator<Item = f64>, pad: f64) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    lo - pad * span..hi + pad * span
}

/// A positive range for a log axis: from below the smallest positive value
/// to above the largest.
pub fn log_range(values: impl IntoIterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return 1e-3..1.0;
    }
    lo / 1.5..hi * 1.5
}
