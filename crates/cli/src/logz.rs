//! `boltzmann logz`: log Z of a model, exactly when the smaller layer can be
//! enumerated (eq. 3.1-3.3 in the book), by annealed importance sampling
//! (AIS, chapter 7) otherwise; the output always says which.
//!
//! `score` computes its log Z through this module too: the choice between
//! exact enumeration and AIS is [`LogzOptions`].

use std::path::{Path, PathBuf};

use anyhow::Context;
use bm_exact::{MAX_ENUMERATED_UNITS, Model};

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::{Rng, SeedableRng};
use rbm::AisSchedule;
use serde::Serialize;

use crate::common::{DEFAULT_SEED, print_report};
use crate::data::{check_width, read_intensities};
use crate::model::{check_size, format_name, to_f32};
use crate::progress::ais_progress;
use crate::report::{BadInput, rbm_error};

/// The number of chains of Salakhutdinov & Murray (2008).
pub const DEFAULT_CHAINS: usize = 100;
/// 14,500 steps, i.e. 14,501 inverse temperatures: with
/// `AisSchedule::scaled` exactly the schedule of Salakhutdinov & Murray.
pub const DEFAULT_BETAS: usize = 14_501;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a TOML file with format = "rbm" or "bm".
    #[arg(value_name = "MODEL.toml")]
    model: PathBuf,

    #[command(flatten)]
    options: LogzOptions,

    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// How log Z is obtained; shared by `logz` and `score`.
#[derive(Debug, Clone, clap::Args)]
pub struct LogzOptions {
    /// Enumerate exactly; an error if the smaller layer (all units of a
    /// "bm" model) has more than 30 units.
    #[arg(long, conflicts_with = "ais")]
    pub exact: bool,

    /// Estimate log Z by annealed importance sampling even if the model is
    /// small enough to enumerate (RBMs only).
    #[arg(long)]
    pub ais: bool,

    /// AIS: the number of independent annealing chains.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CHAINS)]
    pub chains: usize,

    /// AIS: the number of inverse temperatures from 0 to 1, spaced like the
    /// schedule of Salakhutdinov & Murray (finest near 1); the default
    /// 14501 (14,500 steps) is their schedule.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BETAS)]
    pub betas: usize,

    /// AIS: the seed of every random draw.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_SEED)]
    pub seed: u64,

    /// AIS: start from the base-rate model of this data (its pixel means;
    /// a CSV file or an MNIST-style IDX folder, whose "train" split is
    /// used) instead of the uniform distribution. `--data` is accepted too.
    #[arg(long = "base-data", alias = "data", value_name = "DATA")]
    pub base_data: Option<PathBuf>,
}

/// What the options ask for, once the model is known.
pub enum Plan {
    Exact,
    Ais(AisSchedule),
    /// No log Z (score only: too large to enumerate and --ais not given).
    None,
}

/// log Z with how it was found.
#[derive(Clone, Debug, Serialize)]
pub struct LogPartition {
    pub log_partition: f64,
    /// "exact" or "ais".
    pub method: &'static str,
    #[serde(flatten)]
    pub exact: Option<ExactDetails>,
    #[serde(flatten)]
    pub ais: Option<AisDetails>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExactDetails {
    pub n_states_enumerated: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct AisDetails {
    /// log Z_A + log(mean w - 3 se), raised to the hard lower bound: the bar
    /// never excludes it.
    pub log_partition_low: f64,
    /// log Z_A + log(mean w + 3 se), raised to the reverse estimate when
    /// that lies above it.
    pub log_partition_high: f64,
    /// log Z >= log sum e^{-F(v)} over the distinct binary states seen: the
    /// data and the chains' final states.
    pub log_partition_lower_bound: f64,
    pub n_states_in_bound: usize,
    /// Reverse AIS from the data (a stochastic upper estimate); null
    /// without binary data.
    pub log_partition_reverse: Option<f64>,
    /// True when a check failed (see `warnings`): do not trust the bar.
    pub unreliable: bool,
    pub warnings: Vec<String>,
    pub effective_sample_size: f64,
    pub n_chains: usize,
    pub n_betas: usize,
    pub seed: u64,
    /// "uniform" or "base-rate of FILE".
    pub base_model: String,
}

impl LogzOptions {
    /// Check the AIS settings, before any work: fewer than two chains or
    /// two inverse temperatures are refused whether or not AIS will run.
    pub fn check(&self) -> anyhow::Result<AisSchedule> {
        if self.chains < 2 {
            return Err(BadInput(format!(
                "--chains {}: AIS needs at least 2 chains for its error bar \
                 (Salakhutdinov & Murray used 100)",
                self.chains
            ))
            .into());
        }
        crate::common::check_memory("--betas", self.betas as u128, 8)?;
        AisSchedule::scaled(self.betas).map_err(|e| {
            BadInput(format!(
                "--betas {}: {e}; give at least 2 (the default 14501 is the schedule of \
                 Salakhutdinov & Murray)",
                self.betas
            ))
            .into()
        })
    }

    /// Exact when asked or when feasible and AIS was not asked for; AIS
    /// when asked, or when too large and `ais_when_too_large` (logz);
    /// otherwise nothing (score). Errors for `--exact` on a model too large
    /// (with the number of states and the advice to use AIS) and for AIS on
    /// a general Boltzmann machine.
    pub fn plan(
        &self,
        model: &Model,
        model_path: &Path,
        ais_when_too_large: bool,
    ) -> anyhow::Result<Plan> {
        let schedule = self.check()?;
        let n_units = (model.n_visible() + model.n_hidden()) as u128;
        crate::common::check_memory("--chains", self.chains as u128 * n_units, 4 * 4)?;
        let enumerable = check_size(model);
        let is_rbm = matches!(model, Model::Rbm(_));
        if self.ais && !is_rbm {
            return Err(not_for_bm(model, model_path).into());
        }
        if self.exact {
            enumerable.with_context(|| model_path.display().to_string())?;
            return Ok(Plan::Exact);
        }
        match (self.ais, enumerable.is_ok(), is_rbm) {
            (true, _, _) => Ok(Plan::Ais(schedule)),
            (false, true, _) => Ok(Plan::Exact),
            (false, false, true) if ais_when_too_large => Ok(Plan::Ais(schedule)),
            (false, false, true) => Ok(Plan::None),
            (false, false, false) => Err(not_for_bm(model, model_path).into()),
        }
    }

    /// Carry out `plan` (None gives None). The rows of `data` that are binary
    /// enter AIS's hard lower bound and start its reverse run.
    pub fn run(
        &self,
        plan: Plan,
        model: &Model,
        data: Option<ArrayView2<f64>>,
    ) -> anyhow::Result<Option<LogPartition>> {
        match plan {
            Plan::None => Ok(None),
            Plan::Exact => Ok(Some(LogPartition {
                log_partition: model.log_partition()?,
                method: "exact",
                exact: Some(ExactDetails {
                    n_states_enumerated: model.n_states_enumerated(),
                }),
                ais: None,
            })),
            Plan::Ais(schedule) => {
                let Model::Rbm(exact) = model else {
                    unreachable!("plan() allows AIS for RBMs only")
                };
                let rbm = to_f32(exact)?;
                let (base_bias, base_model) = self.base_visible_bias(&rbm)?;
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.seed);
                let binary = binary_rows(&data);
                let n_runs = if binary.is_empty() { 1 } else { 2 };
                let bar = ais_progress(n_runs * self.chains as u64 * (schedule.len() as u64 - 1));
                let advance = |n: u64| bar.inc(n);
                let estimate = rbm::ais_with_progress(
                    &rbm,
                    base_bias.view(),
                    &schedule,
                    self.chains,
                    &mut rng,
                    &advance,
                )
                .map_err(rbm_error)?;
                let final_states = estimate.final_states.mapv(f64::from);
                let seen = binary.iter().copied().chain(final_states.rows());
                let bound = rbm::log_partition_lower_bound(exact, seen);
                let reverse = if binary.is_empty() {
                    None
                } else {
                    let start = reverse_starts(&binary, self.chains, &mut rng);
                    let reverse = rbm::reverse_ais_with_progress(
                        &rbm,
                        base_bias.view(),
                        &schedule,
                        start.view(),
                        &mut rng,
                        &advance,
                    );
                    Some(reverse.map_err(rbm_error)?)
                };
                bar.finish_and_clear();
                let checked = rbm::check_estimate(&estimate, bound, reverse.as_ref());
                Ok(Some(LogPartition {
                    log_partition: checked.log_partition,
                    method: "ais",
                    exact: None,
                    ais: Some(AisDetails {
                        log_partition_low: checked.log_partition_low,
                        log_partition_high: checked.log_partition_high,
                        log_partition_lower_bound: checked.lower_bound.log_partition,
                        n_states_in_bound: checked.lower_bound.n_states,
                        log_partition_reverse: checked.log_partition_reverse,
                        unreliable: !checked.is_reliable(),
                        warnings: checked.warnings.clone(),
                        effective_sample_size: estimate.effective_sample_size,
                        n_chains: estimate.n_chains,
                        n_betas: estimate.n_betas,
                        seed: self.seed,
                        base_model,
                    }),
                }))
            }
        }
    }

    /// The base model's visible bias: fitted to the data's pixel means, or 0.
    fn base_visible_bias(&self, rbm: &rbm::Rbm) -> anyhow::Result<(Array1<f32>, String)> {
        let Some(path) = &self.base_data else {
            return Ok((Array1::zeros(rbm.n_visible()), "uniform".into()));
        };
        let data = read_intensities(path, "train")?;
        check_width(data.ncols(), rbm.n_visible(), path)?;
        Ok((
            rbm::base_rate_visible_bias(data.mapv(|x| x as f32).view()),
            format!("base-rate of {}", path.display()),
        ))
    }
}

/// The rows of `data` whose values are all 0 or 1.
fn binary_rows<'a>(data: &'a Option<ArrayView2<'_, f64>>) -> Vec<ArrayView1<'a, f64>> {
    let Some(data) = data else {
        return Vec::new();
    };
    data.rows()
        .into_iter()
        .filter(|v| v.iter().all(|&x| x == 0.0 || x == 1.0))
        .collect()
}

/// `n` start states for reverse AIS, drawn with replacement from `rows`.
fn reverse_starts(rows: &[ArrayView1<f64>], n: usize, rng: &mut impl Rng) -> Array2<f32> {
    let n_visible = rows[0].len();
    let mut start = Array2::zeros((n, n_visible));
    for mut row in start.rows_mut() {
        let pick = rows[rng.random_range(0..rows.len())];
        row.assign(&pick.mapv(|x| x as f32));
    }
    start
}

fn not_for_bm(model: &Model, path: &Path) -> BadInput {
    let n_units = model.n_visible() + model.n_hidden();
    BadInput(format!(
        "{}: AIS here is for RBMs (format = \"rbm\"), and this is a general Boltzmann machine \
         (format = \"bm\") with {n_units} units; log Z of a \"bm\" model is computed exactly \
         (use --exact), which needs at most {MAX_ENUMERATED_UNITS} units",
        path.display()
    ))
}

#[derive(Serialize)]
struct LogzReport {
    model_file: String,
    model_format: &'static str,
    n_visible: usize,
    n_hidden: usize,
    #[serde(flatten)]
    result: LogPartition,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    args.options.check()?;
    let model = Model::load(&args.model)?;
    let plan = args.options.plan(&model, &args.model, true)?;
    let data = match (&plan, &args.options.base_data) {
        (Plan::Ais(_), Some(path)) => Some(read_intensities(path, "train")?),
        _ => None,
    };
    let result = args
        .options
        .run(plan, &model, data.as_ref().map(|d| d.view()))
        .with_context(|| args.model.display().to_string())?
        .expect("logz always plans exact or AIS");
    let report = LogzReport {
        model_file: args.model.display().to_string(),
        model_format: format_name(&model),
        n_visible: model.n_visible(),
        n_hidden: model.n_hidden(),
        result,
    };
    print_report(&report, human_text, args.json, false)
}

fn human_text(r: &LogzReport) -> String {
    let mut lines = vec![format!(
        "model {}: {} with {} visible and {} hidden units",
        r.model_file, r.model_format, r.n_visible, r.n_hidden
    )];
    lines.push(describe(&r.result));
    lines.join("\n") + "\n"
}

/// The AIS estimate, its bar and its checks; a last line says UNRELIABLE
/// and why when a check failed.
fn describe_ais(log_partition: f64, a: &AisDetails) -> String {
    let reverse = a.log_partition_reverse.map_or(String::new(), |r| {
        format!("; reverse AIS from the data {}", number(r, 6))
    });
    let mut text = format!(
        "log Z = {} (AIS estimate: {} chains, {} inverse temperatures, seed {}, base model {}; \
         bar [{}, {}] (3 standard errors, never below the hard lower bound); hard lower bound \
         {} from {} distinct states{reverse}; effective sample size {:.1} of {})",
        number(log_partition, 6),
        a.n_chains,
        a.n_betas,
        a.seed,
        a.base_model,
        number(a.log_partition_low, 6),
        number(a.log_partition_high, 6),
        number(a.log_partition_lower_bound, 6),
        a.n_states_in_bound,
        a.effective_sample_size,
        a.n_chains
    );
    if a.unreliable {
        text += &format!("\nUNRELIABLE: {}", a.warnings.join("; "));
    }
    text
}

/// `x` with `decimals` decimals, or in scientific notation when it is so
/// large that fixed notation would print hundreds of digits.
pub fn number(x: f64, decimals: usize) -> String {
    if x.abs() >= 1e9 {
        format!("{x:.decimals$e}")
    } else {
        format!("{x:.decimals$}")
    }
}

/// One line: the value and how it was found.
pub fn describe(r: &LogPartition) -> String {
    match (&r.exact, &r.ais) {
        (Some(e), _) => format!(
            "log Z = {} (exact: enumerated 2^{} = {} states)",
            number(r.log_partition, 12),
            e.n_states_enumerated.trailing_zeros(),
            e.n_states_enumerated
        ),
        (_, Some(a)) => describe_ais(r.log_partition, a),
        _ => format!("log Z = {}", r.log_partition),
    }
}
