//! `boltzmann sample`: draw samples of v from a model with Markov chains.
//!
//! - RBM: block Gibbs sampling, eq. (5.1) in the book, or with
//!   `--tempering` parallel tempering (chapter 6): block Gibbs at every
//!   inverse temperature of a ladder plus swaps between neighbours.
//! - General Boltzmann machine ("bm"): sequential Gibbs sweeps, one unit at a
//!   time, which stay correct with lateral couplings (chapter 6).
//!
//! `--chains C` chains start at random states, make `--burn-in B` sweeps,
//! and then every `--every K` sweeps each chain contributes its state, until
//! `-n N` samples are collected (row r comes from chain r mod C, from the
//! (r / C + 1)-th round). Samples go to `--out FILE.csv` (binary CSV), or to
//! standard output as CSV when there is no `--out`; the summary then goes to
//! standard error. `--png` draws the samples as a grid of square images.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use bm_exact::Model;
use ndarray::{Array1, Array2, ArrayView2, Axis, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rbm::{ParallelTempering, TemperatureLadder};
use serde::Serialize;

use crate::common::{check_memory, check_outputs, print_report, square_side, square_side_ceil};
use crate::model::to_f32;
use crate::progress::terminal_progress;
use crate::report::BadInput;
use crate::report::rbm_error;

/// The lowest inverse temperature of `--tempering N` without `:LOWEST_BETA`.
pub const DEFAULT_LOWEST_BETA: f64 = 0.1;
const MAX_DEFAULT_CHAINS: usize = 100;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a TOML file with format = "rbm" or "bm".
    #[arg(value_name = "MODEL.toml")]
    model: PathBuf,

    /// The number of samples to draw.
    #[arg(short = 'n', long = "samples", value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    n_samples: u64,

    /// Sweeps before the first sample is kept.
    #[arg(long, value_name = "B", default_value_t = 1000)]
    burn_in: usize,

    /// Sweeps between two kept samples of the same chain (at least 1).
    #[arg(long, value_name = "K", default_value_t = 10)]
    every: usize,

    /// Chains run side by side (default: N, at most 100).
    #[arg(long, value_name = "C")]
    chains: Option<usize>,

    /// The seed of every random draw.
    #[arg(long, value_name = "S", default_value_t = crate::common::DEFAULT_SEED)]
    seed: u64,

    /// Parallel tempering (RBMs only): `N` or `N:LOWEST_BETA` for N inverse
    /// temperatures in geometric progression from 1 down to LOWEST_BETA
    /// (default 0.1), or an explicit ladder `1,0.7,0.5` that starts at 1 and
    /// decreases. Swap acceptance rates are reported.
    #[arg(long, value_name = "SPEC")]
    tempering: Option<String>,

    /// Write the samples here as CSV (0/1, one per line, no header) instead
    /// of to standard output.
    #[arg(long, value_name = "SAMPLES.csv")]
    out: Option<PathBuf>,

    /// Also draw the samples as a PNG grid (n_visible must be a perfect
    /// square). For an RBM each image shows p(v = 1 | h) with h drawn from
    /// p(h | v) of the sample, a smoother picture of the same sample; for a
    /// "bm" model the binary sample itself.
    #[arg(long, value_name = "GRID.png")]
    png: Option<PathBuf>,

    /// Replace existing output files.
    #[arg(long)]
    force: bool,

    /// Print a JSON summary on standard output (needs --out).
    #[arg(long, requires = "out")]
    json: bool,
}

/// The chains of one of the three samplers.
enum Chains {
    Gibbs {
        rbm: rbm::Rbm,
        v: Array2<f32>,
    },
    Tempering {
        rbm: rbm::Rbm,
        pt: ParallelTempering,
    },
    Sequential {
        bm: bm_exact::BoltzmannMachine,
        states: Vec<Array1<f64>>,
    },
}

impl Chains {
    fn name(&self) -> &'static str {
        match self {
            Chains::Gibbs { .. } => "block Gibbs",
            Chains::Tempering { .. } => "parallel tempering",
            Chains::Sequential { .. } => "sequential Gibbs",
        }
    }

    /// One sweep of every chain.
    fn sweep(&mut self, rng: &mut impl Rng) {
        match self {
            Chains::Gibbs { rbm, v } => *v = rbm::gibbs_step(rbm, v.view(), rng),
            Chains::Tempering { rbm, pt } => pt.sweep(rbm, rng),
            Chains::Sequential { bm, states } => {
                for state in states {
                    rbm::sequential_gibbs_sweep(bm, state, rng);
                }
            }
        }
    }

    /// The visible states at temperature 1, one chain per row.
    fn visible(&self) -> Array2<f64> {
        match self {
            Chains::Gibbs { v, .. } => v.mapv(f64::from),
            Chains::Tempering { pt, .. } => pt.samples().mapv(f64::from),
            Chains::Sequential { bm, states } => {
                let rows: Vec<_> = states
                    .iter()
                    .map(|s| s.slice(s![..bm.n_visible()]))
                    .collect();
                ndarray::stack(Axis(0), &rows).expect("equal lengths")
            }
        }
    }
}

#[derive(Serialize)]
struct SampleReport {
    model_file: String,
    sampler: &'static str,
    n_samples: usize,
    n_visible: usize,
    n_chains: usize,
    burn_in: usize,
    every: usize,
    seed: u64,
    /// The fraction of visible units that are on, over all samples.
    mean_activity: f64,
    samples_file: Option<String>,
    png_file: Option<String>,
    /// Parallel tempering: the inverse temperatures, from 1 down.
    ladder: Option<Vec<f64>>,
    /// Parallel tempering: the accepted fraction of swaps between each pair
    /// of neighbouring temperatures.
    swap_rates: Option<Vec<f64>>,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let n_samples = args.n_samples as usize;
    let n_chains = args
        .chains
        .unwrap_or_else(|| n_samples.min(MAX_DEFAULT_CHAINS));
    check_counts(n_chains, args.every)?;
    let outputs: Vec<&Path> = args
        .out
        .iter()
        .chain(&args.png)
        .map(|p| p.as_path())
        .collect();
    check_outputs(&outputs, &[args.model.as_path()], args.force)?;
    let model = Model::load(&args.model)?;
    check_sample_memory(args, n_chains, model.n_visible() + model.n_hidden())?;
    if args.png.is_some() && square_side(model.n_visible()).is_none() {
        return Err(BadInput(format!(
            "{}: --png needs square images, but the model has {} visible units, not a perfect \
             square; drop --png",
            args.model.display(),
            model.n_visible()
        ))
        .into());
    }
    let ladder = match &args.tempering {
        Some(spec) => Some(parse_ladder(spec)?),
        None => None,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut chains = start_chains(&model, &args.model, ladder, n_chains, &mut rng)?;
    let samples = draw(&mut chains, n_samples, args.burn_in, args.every, &mut rng);

    if let Some(out) = &args.out {
        datasets::write_csv(out, samples.view(), args.force)?;
    } else {
        write_stdout(samples.view())?;
    }
    if let Some(png) = &args.png {
        let images = images(&chains, samples.view(), &mut rng);
        let side = square_side(model.n_visible()).expect("checked above");
        let grid_cols = square_side_ceil(n_samples);
        datasets::write_png_grid(png, images.view(), side, side, grid_cols, args.force)
            .with_context(|| format!("drawing the samples of {}", args.model.display()))?;
    }
    let (ladder, swap_rates) = match &chains {
        Chains::Tempering { pt, .. } => (Some(pt.ladder().betas().to_vec()), Some(pt.swap_rates())),
        _ => (None, None),
    };
    let report = SampleReport {
        model_file: args.model.display().to_string(),
        sampler: chains.name(),
        n_samples,
        n_visible: model.n_visible(),
        n_chains,
        burn_in: args.burn_in,
        every: args.every,
        seed: args.seed,
        mean_activity: samples.mean().unwrap_or(f64::NAN),
        samples_file: args.out.as_ref().map(|p| p.display().to_string()),
        png_file: args.png.as_ref().map(|p| p.display().to_string()),
        ladder,
        swap_rates,
    };
    print_report(&report, human_text, args.json, args.out.is_none())
}

/// The samples (f64, and the CSV text of about 2 bytes a value), the chains
/// (f32 or f64, one per temperature of a ladder) and a PNG grid, before any
/// of them is allocated.
fn check_sample_memory(args: &Args, n_chains: usize, n_units: usize) -> Result<(), BadInput> {
    let n_units = n_units as u128;
    check_memory("-n", u128::from(args.n_samples) * n_units, 8 + 2 + 4)?;
    // `N`, `N:LOWEST_BETA`, or an explicit ladder of as many entries as temperatures.
    let n_temperatures = match &args.tempering {
        Some(spec) if spec.contains(',') => Some(spec.split(',').count() as u128),
        Some(spec) => spec
            .split(':')
            .next()
            .and_then(|n| n.trim().parse::<u128>().ok()),
        None => None,
    }
    .unwrap_or(1)
    .max(1);
    check_memory(
        "--chains",
        n_chains as u128 * n_temperatures * n_units,
        3 * 8,
    )
}

fn check_counts(n_chains: usize, every: usize) -> Result<(), BadInput> {
    if n_chains == 0 {
        return Err(BadInput(
            "--chains is 0; sampling needs at least one chain".into(),
        ));
    }
    if every == 0 {
        return Err(BadInput(
            "--every is 0; keep a sample every K >= 1 sweeps (consecutive sweeps are correlated)"
                .into(),
        ));
    }
    Ok(())
}

/// `N`, `N:LOWEST_BETA` or `B0,B1,...` (see the `--tempering` help).
pub fn parse_ladder(spec: &str) -> anyhow::Result<TemperatureLadder> {
    let bad = |what: String| BadInput(format!("--tempering {spec}: {what}"));
    let number = |text: &str| -> Result<f64, BadInput> {
        text.trim()
            .parse::<f64>()
            .map_err(|_| bad(format!("`{text}` is not a number")))
    };
    let ladder = if let Some((n, lowest)) = spec.split_once(':') {
        let n: usize = n
            .trim()
            .parse()
            .map_err(|_| bad(format!("`{n}` is not a number of temperatures")))?;
        TemperatureLadder::geometric(n, number(lowest)?)
    } else if spec.contains(',') || spec.contains('.') {
        let betas = spec.split(',').map(number).collect::<Result<Vec<_>, _>>()?;
        TemperatureLadder::new(betas)
    } else {
        let n: usize = spec
            .trim()
            .parse()
            .map_err(|_| bad("expected N, N:LOWEST_BETA or a list like 1,0.7,0.5".into()))?;
        TemperatureLadder::geometric(n, DEFAULT_LOWEST_BETA)
    };
    let ladder = ladder.map_err(|e| bad(e.to_string()))?;
    if ladder.len() < 2 {
        let problem = "one temperature is plain block Gibbs sampling; give at least 2 \
                       (or leave out --tempering)";
        return Err(bad(problem.into()).into());
    }
    Ok(ladder)
}

fn start_chains(
    model: &Model,
    model_path: &Path,
    ladder: Option<TemperatureLadder>,
    n_chains: usize,
    rng: &mut impl Rng,
) -> anyhow::Result<Chains> {
    match (model, ladder) {
        (Model::Rbm(exact), None) => {
            let rbm = to_f32(exact).with_context(|| model_path.display().to_string())?;
            let v = Array2::from_shape_simple_fn((n_chains, rbm.n_visible()), || {
                f32::from(rng.random_range(0..2u8))
            });
            Ok(Chains::Gibbs { rbm, v })
        }
        (Model::Rbm(exact), Some(ladder)) => {
            let rbm = to_f32(exact).with_context(|| model_path.display().to_string())?;
            let pt = ParallelTempering::new(&rbm, ladder, n_chains, rng).map_err(rbm_error)?;
            Ok(Chains::Tempering { rbm, pt })
        }
        (Model::Bm(bm), None) => {
            let n_units = bm.n_visible() + bm.n_hidden();
            let states = (0..n_chains)
                .map(|_| {
                    Array1::from_shape_simple_fn(n_units, || f64::from(rng.random_range(0..2u8)))
                })
                .collect();
            Ok(Chains::Sequential {
                bm: bm.clone(),
                states,
            })
        }
        (Model::Bm(_), Some(_)) => Err(BadInput(format!(
            "{}: --tempering is implemented for RBMs (format = \"rbm\"); this is a general \
             Boltzmann machine: drop --tempering to use sequential Gibbs sweeps",
            model_path.display()
        ))
        .into()),
    }
}

/// Burn in, then collect one state of every chain each `every` sweeps.
fn draw(
    chains: &mut Chains,
    n_samples: usize,
    burn_in: usize,
    every: usize,
    rng: &mut impl Rng,
) -> Array2<f64> {
    let n_rounds = n_samples.div_ceil(chains.visible().nrows().max(1));
    let progress = terminal_progress((burn_in + n_rounds * every) as u64, "sweeps");
    let sweep = |chains: &mut Chains, rng: &mut _| {
        chains.sweep(rng);
        if let Some(bar) = &progress {
            bar.inc(1);
        }
    };
    for _ in 0..burn_in {
        sweep(chains, rng);
    }
    let mut rounds = Vec::new();
    let mut collected = 0;
    while collected < n_samples {
        for _ in 0..every {
            sweep(chains, rng);
        }
        let states = chains.visible();
        collected += states.nrows();
        rounds.push(states);
    }
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let views: Vec<_> = rounds.iter().map(|r| r.view()).collect();
    let all = ndarray::concatenate(Axis(0), &views).expect("equal widths");
    all.slice(s![..n_samples, ..]).to_owned()
}

/// What the PNG shows (see the `--png` help).
fn images(chains: &Chains, samples: ArrayView2<f64>, rng: &mut impl Rng) -> Array2<f32> {
    match chains {
        Chains::Gibbs { rbm, .. } | Chains::Tempering { rbm, .. } => {
            let v = samples.mapv(|x| x as f32);
            let h = rbm::sample_bernoulli(rbm.hidden_probabilities(v.view()).view(), rng);
            rbm.visible_probabilities(h.view())
        }
        Chains::Sequential { .. } => samples.mapv(|x| x as f32),
    }
}

fn write_stdout(samples: ArrayView2<f64>) -> anyhow::Result<()> {
    let mut text = String::with_capacity(samples.len() * 2);
    for row in samples.rows() {
        let fields: Vec<&str> = row
            .iter()
            .map(|&x| if x == 1.0 { "1" } else { "0" })
            .collect();
        text.push_str(&fields.join(","));
        text.push('\n');
    }
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("writing to standard output")
}

fn human_text(r: &SampleReport) -> String {
    let mut lines = vec![format!(
        "drew {} samples of {} visible units from {} by {} ({} chains, burn-in {} sweeps, \
         one sample every {} sweeps per chain, seed {}); mean activity {:.4}",
        r.n_samples,
        r.n_visible,
        r.model_file,
        r.sampler,
        r.n_chains,
        r.burn_in,
        r.every,
        r.seed,
        r.mean_activity
    )];
    if let (Some(ladder), Some(rates)) = (&r.ladder, &r.swap_rates) {
        let pairs: Vec<String> = ladder
            .windows(2)
            .zip(rates)
            .map(|(b, rate)| format!("{:.3}<->{:.3}: {:.3}", b[0], b[1], rate))
            .collect();
        lines.push(format!("swap acceptance rates: {}", pairs.join(", ")));
    }
    if let Some(f) = &r.samples_file {
        lines.push(format!("wrote the samples to {f}"));
    }
    if let Some(f) = &r.png_file {
        lines.push(format!("wrote the image grid to {f}"));
    }
    lines.join("\n") + "\n"
}
