//! The langevin-2d experiment: samplers measured against quadrature.
//!
//! 1. On a fixed 2-D energy (`data/models/ebm-2d-fixed.toml`), ULA's bias
//!    against the step size and MALA's (absence of) bias and acceptance rate,
//!    as the total variation distance between the chains' cell frequencies
//!    and the cell probabilities by quadrature (eq. 11.8).
//! 2. The practitioner's cooled sampler (eq. 11.7) with the UvA tutorial's
//!    settings on the same energy: its temperature and its distance from
//!    exp(-E) / Z.
//! 3. On 0.8 N(-5, 1) + 0.2 N(5, 1): the weight of the left mode found by
//!    plain Langevin and by annealed Langevin over noise levels (eq. 12.5).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ebm_langevin::oracle::{Grid2d, Toy, cell_counts, integrated_cell_probabilities};
use ebm_langevin::samplers::{CooledSampler, annealed_langevin, mala, ula};
use ebm_langevin::{Energy, Mlp};
use ndarray::{Array2, array};
use plotters::prelude::IntoLogRange;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::config::{Check, FieldError, rules};
use crate::output::Outputs;
use crate::plot::{LinePanel, Mark, Series, color, line_panel, log_range, render_svg};
use crate::streams::stream;

pub const NAME: &str = "langevin-2d";
pub const DESCRIPTION: &str = "ULA bias vs step size, MALA, the cooled practitioner's sampler and annealing, against quadrature";

// The purposes of the random streams (see `crate::streams`).
/// i.i.d. draws from the grid: the noise floor of the distances.
const STREAM_EXACT_SAMPLES: u32 = 1;
/// The ULA and MALA chains of one step size (indexed by its position).
const STREAM_STEP_SIZE: u32 = 2;
/// The cooled practitioner's sampler.
const STREAM_COOLED: u32 = 3;
/// Plain ULA on the 1-D mixture.
const STREAM_MIXTURE_PLAIN: u32 = 4;
/// Annealed ULA on the 1-D mixture.
const STREAM_MIXTURE_ANNEALED: u32 = 5;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Langevin2dConfig {
    pub seed: u64,
    /// The fixed energy (a format = "ebm" file, relative to the workspace).
    pub model: PathBuf,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_chains: usize,
    /// ULA and MALA run total_time / step_size steps.
    #[serde(deserialize_with = "config::de::positives")]
    pub step_sizes: Vec<f64>,
    #[serde(deserialize_with = "config::de::positive")]
    pub total_time: f64,
    #[serde(deserialize_with = "config::de::positive")]
    pub grid_half_width: f64,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub grid_cells: usize,
    #[serde(deserialize_with = "config::de::positive")]
    pub cooled_step_size: f64,
    #[serde(deserialize_with = "config::de::positive")]
    pub cooled_noise_std: f64,
    pub cooled_grad_clip: f64,
    pub cooled_steps: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub mixture_chains: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub mixture_levels: usize,
    pub mixture_steps_per_level: usize,
}

impl Check for Langevin2dConfig {
    fn check(&self) -> Result<(), FieldError> {
        rules::not_empty("step_sizes", &self.step_sizes)
    }
}

/// One step size: ULA's and MALA's distance from the exact cell probabilities.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct StepSizeRow {
    pub step_size: f64,
    pub n_steps: usize,
    pub ula_total_variation: f64,
    pub mala_total_variation: f64,
    pub mala_acceptance_rate: f64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Langevin2dResults {
    pub experiment: String,
    pub config: Langevin2dConfig,
    pub log_partition: ebm_langevin::oracle::LogPartition,
    /// The total variation distance that i.i.d. exact samples would show
    /// (the sampling noise floor), measured with exact samples from the grid.
    pub exact_sampling_total_variation: f64,
    pub step_sizes: Vec<StepSizeRow>,
    pub cooled_temperature: f64,
    pub cooled_total_variation: f64,
    pub cooled_mean_energy: f64,
    pub exact_mean_energy: f64,
    pub min_energy_on_grid: f64,
    pub plain_left_weight: f64,
    pub annealed_left_weight: f64,
}

/// Total variation between cell frequencies of the samples (outside the
/// grid counted as one more cell) and the exact cell probabilities.
fn total_variation(samples: &Array2<f64>, grid: Grid2d, exact: &[f64]) -> f64 {
    let (counts, outside) = cell_counts(samples.view(), grid);
    let n = samples.nrows() as f64;
    let inside: f64 = counts
        .iter()
        .zip(exact)
        .map(|(&c, &p)| (c as f64 / n - p).abs())
        .sum();
    0.5 * (inside + outside as f64 / n)
}

fn normal_start(n: usize, d: usize, rng: &mut ChaCha8Rng) -> Array2<f64> {
    Array2::from_shape_simple_fn((n, d), || rng.sample(StandardNormal))
}

pub fn compute(config: &Langevin2dConfig, root: &Path) -> Result<Langevin2dResults> {
    let path = root.join(&config.model);
    let model = Mlp::load(&path).with_context(|| path.display().to_string())?;
    let grid = Grid2d {
        half_width: config.grid_half_width,
        n: config.grid_cells,
    };
    let exact = integrated_cell_probabilities(&model, grid, 32);
    let exact = exact.as_slice().expect("contiguous");
    let log_partition = ebm_langevin::oracle::log_partition(&model, Grid2d { n: 256, ..grid });
    let mut rng = stream(config.seed, STREAM_EXACT_SAMPLES, 0);
    let floor = exact_samples(&model, grid, config.n_chains, &mut rng);
    let exact_sampling_total_variation = total_variation(&floor, grid, exact);

    let mut step_sizes = Vec::new();
    for (k, &eps) in config.step_sizes.iter().enumerate() {
        let n_steps = (config.total_time / eps).ceil() as usize;
        let mut rng = stream(config.seed, STREAM_STEP_SIZE, u32::try_from(k)?);
        let mut x = normal_start(config.n_chains, 2, &mut rng);
        ula(&model, &mut x, n_steps, eps, &mut rng);
        let ula_total_variation = total_variation(&x, grid, exact);
        let mut x = normal_start(config.n_chains, 2, &mut rng);
        let mala_acceptance_rate = mala(&model, &mut x, n_steps, eps, &mut rng);
        step_sizes.push(StepSizeRow {
            step_size: eps,
            n_steps,
            ula_total_variation,
            mala_total_variation: total_variation(&x, grid, exact),
            mala_acceptance_rate,
        });
    }

    let cooled = CooledSampler {
        step_size: config.cooled_step_size,
        noise_std: config.cooled_noise_std,
        grad_clip: Some(config.cooled_grad_clip),
        clamp: Some((-config.grid_half_width, config.grid_half_width)),
    };
    let mut rng = stream(config.seed, STREAM_COOLED, 0);
    let mut x = normal_start(config.n_chains, 2, &mut rng);
    for _ in 0..config.cooled_steps {
        cooled.step(&model, &mut x, &mut rng);
    }
    let centres = Grid2d { n: 256, ..grid }.centres();
    let energies = model.energies(centres.view());
    let weights = ebm_langevin::oracle::cell_probabilities(&model, Grid2d { n: 256, ..grid });
    let (plain_left_weight, annealed_left_weight) = mixture_weights(config);
    Ok(Langevin2dResults {
        experiment: NAME.into(),
        config: config.clone(),
        log_partition,
        exact_sampling_total_variation,
        step_sizes,
        cooled_temperature: cooled.temperature(),
        cooled_total_variation: total_variation(&x, grid, exact),
        cooled_mean_energy: model.energies(x.view()).mean().unwrap_or(f64::NAN),
        exact_mean_energy: energies.dot(&weights),
        min_energy_on_grid: energies.fold(f64::INFINITY, |a, &b| a.min(b)),
        plain_left_weight,
        annealed_left_weight,
    })
}

/// i.i.d. samples from the grid's cell probabilities (uniform within a fine
/// cell): what a perfect sampler would give, for the noise floor.
fn exact_samples(model: &Mlp<f64>, grid: Grid2d, n: usize, rng: &mut ChaCha8Rng) -> Array2<f64> {
    let fine = Grid2d {
        n: grid.n * 32,
        ..grid
    };
    let p = ebm_langevin::oracle::cell_probabilities(model, fine);
    let centres = fine.centres();
    let mut cumulative = Vec::with_capacity(p.len());
    let mut total = 0.0;
    for &q in &p {
        total += q;
        cumulative.push(total);
    }
    let h = fine.cell_side();
    let mut out = Array2::zeros((n, 2));
    for mut row in out.outer_iter_mut() {
        let u: f64 = rng.random::<f64>() * total;
        let k = cumulative.partition_point(|&c| c < u).min(p.len() - 1);
        row[0] = centres[[k, 0]] + h * (rng.random::<f64>() - 0.5);
        row[1] = centres[[k, 1]] + h * (rng.random::<f64>() - 0.5);
    }
    out
}

/// The left mode's weight on 0.8 N(-5, 1) + 0.2 N(5, 1), chains started
/// uniformly in [-10, 10]: plain ULA, and annealed ULA over noise levels
/// from 20 down to 0.1 (step 0.1 times each level's variance).
fn mixture_weights(config: &Langevin2dConfig) -> (f64, f64) {
    let mixture = Toy::Mixture {
        weights: vec![0.8, 0.2],
        means: array![[-5.0], [5.0]],
        std: 1.0,
    };
    let left = |x: &Array2<f64>| {
        x.column(0).iter().filter(|&&v| v < 0.0).count() as f64 / x.nrows() as f64
    };
    let start = |purpose: u32| {
        let mut rng = stream(config.seed, purpose, 0);
        let x = Array2::from_shape_simple_fn((config.mixture_chains, 1), || {
            rng.random_range(-10.0..10.0)
        });
        (x, rng)
    };
    let total_steps = config.mixture_levels * config.mixture_steps_per_level;
    let (mut x, mut rng) = start(STREAM_MIXTURE_PLAIN);
    ula(&mixture, &mut x, total_steps, 0.1, &mut rng);
    let plain = left(&x);
    let ratio = (0.1f64 / 20.0).powf(1.0 / (config.mixture_levels.max(2) - 1) as f64);
    let sigmas: Vec<f64> = (0..config.mixture_levels)
        .map(|k| 20.0 * ratio.powi(k as i32))
        .collect();
    let levels: Vec<Toy> = sigmas.iter().filter_map(|&s| mixture.noised(s)).collect();
    let refs: Vec<&dyn Energy> = levels.iter().map(|l| l as &dyn Energy).collect();
    let steps: Vec<f64> = sigmas.iter().map(|s| 0.1 * (1.0 + s * s)).collect();
    let (mut x, mut rng) = start(STREAM_MIXTURE_ANNEALED);
    annealed_langevin(
        &refs,
        &steps,
        config.mixture_steps_per_level,
        &mut x,
        &mut rng,
    );
    (plain, left(&x))
}

fn figure(results: &Langevin2dResults) -> Result<String> {
    let rows = &results.step_sizes;
    let pts = |f: fn(&StepSizeRow) -> f64| {
        rows.iter()
            .map(|r| (r.step_size, f(r).max(1e-4)))
            .collect::<Vec<_>>()
    };
    let floor: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (r.step_size, results.exact_sampling_total_variation))
        .collect();
    let panel = LinePanel {
        title: "Distance from exp(-E)/Z by quadrature".into(),
        x_label: "step size eps".into(),
        y_label: "total variation on 8 x 8 cells".into(),
        series: vec![
            Series::new("ULA", pts(|r| r.ula_total_variation), color(0), Mark::Line),
            Series::new(
                "MALA",
                pts(|r| r.mala_total_variation),
                color(1),
                Mark::Line,
            ),
            Series::new("exact samples (noise floor)", floor, color(7), Mark::Dashed),
        ],
        legend: Some(plotters::prelude::SeriesLabelPosition::UpperLeft),
        log_axes: (true, true),
    };
    let xs = rows.iter().map(|r| r.step_size);
    let ys = rows
        .iter()
        .flat_map(|r| [r.ula_total_variation, r.mala_total_variation])
        .chain([results.exact_sampling_total_variation])
        .map(|v| v.max(1e-4));
    render_svg((640, 420), |area| {
        line_panel(
            area,
            &panel,
            log_range(xs).log_scale(),
            log_range(ys).log_scale(),
        )
    })
}

fn summary_markdown(r: &Langevin2dResults) -> String {
    let mut md = String::from(
        "| step size | steps | ULA total variation | MALA total variation | MALA acceptance |\n|---:|---:|---:|---:|---:|\n",
    );
    for row in &r.step_sizes {
        md.push_str(&format!(
            "| {} | {} | {:.4} | {:.4} | {:.3} |\n",
            row.step_size,
            row.n_steps,
            row.ula_total_variation,
            row.mala_total_variation,
            row.mala_acceptance_rate
        ));
    }
    md.push_str(&format!(
        "\nExact i.i.d. samples of the same number ({}) are at a total variation of {:.4} (the noise floor). \
         log Z = {:.6} by quadrature ({} cells per side, discretisation error {:.1e}, edge mass {:.1e}).\n\n\
         The cooled sampler (step size {}, noise {}, gradient clipped to {}): temperature {:.2e}, total variation {:.3} from exp(-E)/Z; \
         mean energy {:.4} against {:.4} under exp(-E)/Z and a minimum of {:.4} on the grid.\n\n\
         On 0.8 N(-5, 1) + 0.2 N(5, 1) with {} chains started uniformly in [-10, 10]: plain Langevin puts {:.3} of the chains in the left mode, \
         annealed Langevin over {} noise levels {:.3} (exact: 0.8).\n",
        r.config.n_chains,
        r.exact_sampling_total_variation,
        r.log_partition.value,
        r.log_partition.cells_per_side,
        r.log_partition.discretisation_error,
        r.log_partition.edge_mass,
        r.config.cooled_step_size,
        r.config.cooled_noise_std,
        r.config.cooled_grad_clip,
        r.cooled_temperature,
        r.cooled_total_variation,
        r.cooled_mean_energy,
        r.exact_mean_energy,
        r.min_energy_on_grid,
        r.config.mixture_chains,
        r.plain_left_weight,
        r.config.mixture_levels,
        r.annealed_left_weight,
    ));
    md
}

pub fn run(config_path: &Path) -> Result<Outputs> {
    let config: Langevin2dConfig = crate::config::load(config_path)?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let results = compute(&config, &root)?;
    let mut outputs = Outputs::new();
    outputs.add_figure(format!("{NAME}-bias.svg"), figure(&results)?);
    outputs.add_figure(format!("{NAME}.json"), crate::output::to_json(&results)?);
    outputs.add_generated(format!("{NAME}-summary.md"), summary_markdown(&results));
    Ok(outputs)
}
