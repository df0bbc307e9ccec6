//! `boltzmann ebm sample`: C independent chains (one per sample), each run
//! for `--steps` steps; the final states are the samples.
//!
//! - `ula`: x <- x - eps grad E + sqrt(2 eps T) xi (eq. 11.5); biased by O(eps).
//! - `mala` (default): the first half of the steps is burn-in, during which
//!   the step size is tuned towards an acceptance rate of 0.57 (and, with
//!   `--temper T0`, the chains are cooled from temperature T0 to 1); the
//!   second half runs MALA (eq. 11.6) with that step size frozen, whose
//!   stationary law is exactly exp(-E) / Z. Its acceptance rate is reported.
//! - `annealed`: ULA down a ladder of temperatures from `--temper` (default
//!   10) to 1 (eq. 12.5 with tempered energies), then ULA at T = 1.
//!
//! Chains start from N(0, init_std^2 I). All three run on the fast path of
//! `ebm_langevin::samplers` in f64: chunks of 64 chains in parallel, with
//! the same bytes for a seed on any number of threads.

use std::path::PathBuf;

use ebm_langevin::Mlp;
use ebm_langevin::samplers::{LangevinWorkspace, mala_step_batched, ula_step_batched};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::Serialize;

use crate::common::{check_outputs, print_report};
use crate::report::BadInput;

#[derive(Clone, Copy, Debug, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
enum Sampler {
    Ula,
    Mala,
    Annealed,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a TOML file with format = "ebm".
    #[arg(value_name = "MODEL.toml")]
    model: PathBuf,
    #[arg(long, value_enum, default_value_t = Sampler::Mala)]
    sampler: Sampler,
    /// The number of samples (one independent chain each).
    #[arg(short = 'n', long = "samples", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    n_samples: u64,
    /// Steps per chain (for mala: half burn-in with step-size tuning, half sampling).
    #[arg(long, value_name = "S", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(2..))]
    steps: u64,
    /// Step size eps (for mala: the starting value of the tuning).
    #[arg(long, value_name = "EPS", default_value_t = 0.01)]
    step_size: f64,
    /// Temperature of ula.
    #[arg(long, value_name = "T", default_value_t = 1.0)]
    temperature: f64,
    /// Starting temperature of the cooling (annealed: default 10; mala: default 1, no cooling).
    #[arg(long, value_name = "T0")]
    temper: Option<f64>,
    /// Standard deviation of the chains' starting points.
    #[arg(long, value_name = "STD", default_value_t = 1.0)]
    init_std: f64,
    #[arg(long, value_name = "S", default_value_t = crate::common::DEFAULT_SEED)]
    seed: u64,
    /// Where to write the samples: CSV, one sample per row, no header.
    #[arg(long, value_name = "SAMPLES.csv")]
    out: PathBuf,
    /// Replace SAMPLES.csv if it exists.
    #[arg(long)]
    force: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct SampleReport {
    model_file: String,
    samples_file: String,
    sampler: Sampler,
    n_samples: u64,
    steps: u64,
    /// The step size used (for mala: after tuning).
    step_size: f64,
    /// MALA's acceptance rate over the sampling half; null for the others.
    acceptance_rate: Option<f64>,
    mean_energy: f64,
    /// Why the samples may not be samples of the model (also on stderr).
    warning: Option<String>,
}

/// MALA's own evidence that its chains did not sample the model: an
/// acceptance rate near 0 (the chains stayed near their random starts) or a
/// step size tuned up past 1e6 (an energy too flat to confine them).
fn mala_warning(acceptance_rate: f64, step_size: f64) -> Option<String> {
    if acceptance_rate < 0.05 {
        Some(format!(
            "MALA accepted {:.1}% of its proposals: the chains barely left their random \
             starts, so these are not samples of the model; lower --step-size or give more --steps",
            100.0 * acceptance_rate
        ))
    } else if step_size > 1e6 {
        Some(format!(
            "MALA tuned its step size up to {step_size:.1e}: the energy hardly confines the \
             chains (flat or unbounded?), so the samples' spread comes from the step, not the model"
        ))
    } else {
        None
    }
}

fn positive(name: &str, v: f64) -> Result<(), BadInput> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(BadInput(format!(
            "{name} {v}: expected a finite number > 0"
        )))
    }
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    positive("--step-size", args.step_size)?;
    positive("--temperature", args.temperature)?;
    positive("--init-std", args.init_std)?;
    if let Some(t) = args.temper {
        positive("--temper", t)?;
    }
    check_sampler_flags(args)?;
    check_outputs(&[args.out.as_path()], &[args.model.as_path()], args.force)?;
    let model = super::load_model(&args.model)?;
    // Per chain: its state, a proposal, gradients and noise (4 d numbers),
    // and the network's activations and their derivatives.
    let per_chain: usize = 4 * model.n_inputs() + 2 * model.sizes().iter().sum::<usize>();
    crate::common::check_memory("-n", u128::from(args.n_samples) * per_chain as u128, 8)?;
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut x = Array2::from_shape_simple_fn((args.n_samples as usize, model.n_inputs()), || {
        args.init_std * rng.sample::<f64, _>(StandardNormal)
    });
    let bar = progress(args.steps);
    let mut ws = LangevinWorkspace::default();
    let (step_size, acceptance_rate) = match args.sampler {
        Sampler::Ula => {
            for _ in 0..args.steps {
                let (eps, t) = (args.step_size, args.temperature);
                ula_step_batched(&model, &mut x, eps, t, &mut ws, &mut rng);
                bar.inc(1);
            }
            (args.step_size, None)
        }
        Sampler::Mala => {
            let (eps, rate) = tuned_mala(&model, &mut x, args, &bar, &mut ws, &mut rng);
            (eps, Some(rate))
        }
        Sampler::Annealed => {
            annealed(&model, &mut x, args, &bar, &mut ws, &mut rng);
            (args.step_size, None)
        }
    };
    bar.finish_and_clear();
    if let Some(row) = x
        .outer_iter()
        .position(|r| r.iter().any(|v| !v.is_finite()))
    {
        return Err(BadInput(format!(
            "{}: chain {row} left the finite numbers (the energy does not confine it); \
             try a smaller --step-size or the mala sampler",
            args.model.display()
        ))
        .into());
    }
    let mean_energy = model.energies(x.view()).mean().unwrap_or(f64::NAN);
    if !mean_energy.is_finite() {
        return Err(BadInput(format!(
            "{}: the energy at the samples is {mean_energy}; expected finite energies \
             (parameters this large overflow f64)",
            args.model.display()
        ))
        .into());
    }
    datasets::write_real_csv(&args.out, x.view(), args.force)?;
    let warning = acceptance_rate.and_then(|a| mala_warning(a, step_size));
    if let Some(w) = &warning {
        crate::common::eprint_text(&format!("warning: {w}\n"));
    }
    let report = SampleReport {
        model_file: args.model.display().to_string(),
        samples_file: args.out.display().to_string(),
        sampler: args.sampler,
        n_samples: args.n_samples,
        steps: args.steps,
        step_size,
        acceptance_rate,
        mean_energy,
        warning,
    };
    print_report(&report, human_text, args.json, false)
}

/// `--temperature` is ULA's and `--temper` the cooling of mala and annealed:
/// refuse either where it would be silently ignored.
fn check_sampler_flags(args: &Args) -> Result<(), BadInput> {
    let refuse = |flag: &str, applies: &str| {
        Err(BadInput(format!(
            "{flag} does not apply to --sampler {}; it is used by {applies} only",
            format!("{:?}", args.sampler).to_lowercase()
        )))
    };
    match args.sampler {
        Sampler::Ula if args.temper.is_some() => refuse("--temper", "mala and annealed"),
        Sampler::Mala | Sampler::Annealed if args.temperature != 1.0 => {
            refuse("--temperature", "ula")
        }
        _ => Ok(()),
    }
}

fn progress(steps: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(steps)
    } else {
        indicatif::ProgressBar::hidden()
    }
}

// ANCHOR: tuned_mala
/// Burn-in with the step size tuned (and optional cooling), then MALA with
/// the step size frozen, so that the sampling half is exact MALA. All
/// steps run on the fast path (`mala_step_batched`, eq. 11.6), in f64.
fn tuned_mala(
    model: &Mlp<f64>,
    x: &mut Array2<f64>,
    args: &Args,
    bar: &indicatif::ProgressBar,
    ws: &mut LangevinWorkspace<f64>,
    rng: &mut ChaCha8Rng,
) -> (f64, f64) {
    let burn_in = args.steps / 2;
    let t0 = args.temper.unwrap_or(1.0);
    let mut eps = args.step_size;
    let n = x.nrows() as f64;
    for k in 0..burn_in {
        // Geometric cooling from T0 to 1 over the first half of the burn-in.
        let frac = (2.0 * k as f64 / burn_in as f64).min(1.0);
        let temperature = t0.powf(1.0 - frac);
        let rate = mala_step_batched(model, x, eps, temperature, ws, rng) as f64 / n;
        // Robbins-Monro on log eps towards the acceptance rate 0.57.
        eps *= (2.0 * (rate - 0.574) / (1.0 + k as f64).sqrt()).exp();
        bar.inc(1);
    }
    let mut accepted = 0;
    for _ in burn_in..args.steps {
        accepted += mala_step_batched(model, x, eps, 1.0, ws, rng);
        bar.inc(1);
    }
    (eps, accepted as f64 / (n * (args.steps - burn_in) as f64))
}
// ANCHOR_END: tuned_mala

/// ULA over a geometric ladder of temperatures from T0 down to 1 with step
/// size eps T (noise sqrt(2 eps T)), half of the steps; then ULA at T = 1.
/// On the fast path: ULA on E / T with step eps T is
/// x - eps grad E + sqrt(2 eps T) xi, `ula_step_batched` at temperature T.
fn annealed(
    model: &Mlp<f64>,
    x: &mut Array2<f64>,
    args: &Args,
    bar: &indicatif::ProgressBar,
    ws: &mut LangevinWorkspace<f64>,
    rng: &mut ChaCha8Rng,
) {
    let t0 = args.temper.unwrap_or(10.0);
    let cooling = args.steps / 2;
    for k in 0..args.steps {
        let frac = (k as f64 / cooling.max(1) as f64).min(1.0);
        let temperature = t0.powf(1.0 - frac);
        ula_step_batched(model, x, args.step_size, temperature, ws, rng);
        bar.inc(1);
    }
}

fn human_text(r: &SampleReport) -> String {
    let mut text = format!(
        "{} samples of {} by {:?} ({} steps, step size {:.4e}) written to {}\nmean energy {:.6}\n",
        r.n_samples, r.model_file, r.sampler, r.steps, r.step_size, r.samples_file, r.mean_energy
    );
    if let Some(a) = r.acceptance_rate {
        text.push_str(&format!("MALA acceptance rate {a:.3}\n"));
    }
    text
}
