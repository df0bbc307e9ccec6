//! The ebm-2d experiment: MLP energies trained on toy densities with closed
//! forms, KL(data || model) by quadrature (eq. 11.9) along the way.
//!
//! Each run trains one objective on one density: maximum likelihood with
//! Langevin negatives (eq. 11.10), with or without the replay buffer and the
//! regulariser, or denoising score matching (eq. 12.3). Divergences caught
//! by the trainer's detector are counted.

use std::path::Path;

use anyhow::Result;
use ebm_langevin::oracle::{Grid2d, Toy, cell_probabilities, kl_data_model};
use ebm_langevin::{TrainConfig, Trainer};
use plotters::prelude::IntoLogRange;
use serde::{Deserialize, Serialize};

use crate::config::{Check, FieldError};
use crate::output::Outputs;
use crate::plot::{
    LinePanel, Mark, Series, color, line_panel, log_range, padded_range, render_svg,
};
use crate::streams::stream;

pub const NAME: &str = "ebm-2d";
pub const DESCRIPTION: &str =
    "MLP energies on 8 Gaussians and a ring: KL(data || model) by quadrature over training";

/// The purpose of the training data's random stream (see `crate::streams`):
/// not stream 0 of the seed, where a trainer given the same number as its
/// own seed starts.
const STREAM_DATA: u32 = 1;

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub enum Density {
    EightGaussians,
    Ring,
}

impl Density {
    /// Radius 2; standard deviation (Gaussians) or width (ring) 0.25.
    pub fn toy(self) -> Toy {
        match self {
            Density::EightGaussians => Toy::eight_gaussians(2.0, 0.25),
            Density::Ring => Toy::Ring {
                radius: 2.0,
                width: 0.25,
            },
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Run {
    pub name: String,
    pub density: Density,
    pub train: TrainConfig,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ebm2dConfig {
    pub seed: u64,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_data: usize,
    /// KL is measured every this many iterations.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub eval_every: usize,
    #[serde(deserialize_with = "config::de::positive")]
    pub grid_half_width: f64,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub grid_cells: usize,
    pub runs: Vec<Run>,
}

impl Check for Ebm2dConfig {
    fn check(&self) -> Result<(), FieldError> {
        for (i, r) in self.runs.iter().enumerate() {
            r.train
                .check()
                .map_err(|e| FieldError::new(format!("runs[{i}].train"), e.to_string()))?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct RunResult {
    pub name: String,
    pub density: Density,
    /// (iteration, KL(data || model)) pairs.
    pub kl_curve: Vec<(usize, f64)>,
    pub final_kl: f64,
    pub divergences: usize,
    /// For a mixture: where the final model's mass is, against the data.
    pub modes: Option<ModeMasses>,
}

/// Where a model on a mixture of Gaussians puts its mass, by quadrature:
/// each grid cell belongs to its nearest mean.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ModeMasses {
    /// The model's mass nearest each mean (the data's are the mixture weights).
    pub model_weights: Vec<f64>,
    /// Mass within two standard deviations of a mean: model, data.
    pub model_within_2sd: f64,
    pub data_within_2sd: f64,
}

/// [`ModeMasses`] of `model` for a mixture `toy` (None for other densities).
fn mode_masses(toy: &Toy, model: &ebm_langevin::Mlp<f64>, grid: Grid2d) -> Option<ModeMasses> {
    let Toy::Mixture { means, std, .. } = toy else {
        return None;
    };
    let centres = grid.centres();
    let p_model = cell_probabilities(model, grid);
    let cell_area = grid.cell_side().powi(2);
    let p_data = toy
        .log_densities(centres.view())
        .mapv(|l| l.exp() * cell_area);
    let mut masses = ModeMasses {
        model_weights: vec![0.0; means.nrows()],
        model_within_2sd: 0.0,
        data_within_2sd: 0.0,
    };
    for (k, c) in centres.outer_iter().enumerate() {
        let distances = means
            .outer_iter()
            .map(|m| (&m - &c).mapv(|v| v * v).sum().sqrt());
        let (nearest, distance) =
            distances.enumerate().fold(
                (0, f64::INFINITY),
                |best, (j, d)| if d < best.1 { (j, d) } else { best },
            );
        masses.model_weights[nearest] += p_model[k];
        if distance < 2.0 * std {
            masses.model_within_2sd += p_model[k];
            masses.data_within_2sd += p_data[k];
        }
    }
    Some(masses)
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Ebm2dResults {
    pub experiment: String,
    pub config: Ebm2dConfig,
    pub runs: Vec<RunResult>,
}

fn train_one(config: &Ebm2dConfig, run: &Run) -> Result<RunResult> {
    let toy = run.density.toy();
    // One data set per density, the same for every run of it.
    let data = toy.sample(config.n_data, &mut stream(config.seed, STREAM_DATA, 0));
    let grid = Grid2d {
        half_width: config.grid_half_width,
        n: config.grid_cells,
    };
    let mut trainer = Trainer::new(run.train.clone(), data.view())?;
    let mut kl_curve = vec![(0, kl_data_model(&toy, &trainer.model, grid))];
    while trainer.iteration < run.train.n_iterations {
        trainer.step(data.view())?;
        if trainer.iteration.is_multiple_of(config.eval_every) {
            kl_curve.push((trainer.iteration, kl_data_model(&toy, &trainer.model, grid)));
        }
    }
    let final_kl = kl_data_model(&toy, &trainer.model, grid);
    eprintln!("  {}: KL {final_kl:.4}", run.name);
    Ok(RunResult {
        name: run.name.clone(),
        density: run.density,
        kl_curve,
        final_kl,
        divergences: trainer.events.len(),
        modes: mode_masses(&toy, &trainer.model, grid),
    })
}

pub fn compute(config: &Ebm2dConfig) -> Result<Ebm2dResults> {
    let runs = config
        .runs
        .iter()
        .map(|r| train_one(config, r))
        .collect::<Result<_>>()?;
    Ok(Ebm2dResults {
        experiment: NAME.into(),
        config: config.clone(),
        runs,
    })
}

fn figure(results: &Ebm2dResults) -> Result<String> {
    let series: Vec<Series> = results
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let pts = r
                .kl_curve
                .iter()
                .map(|&(t, kl)| (t.max(1) as f64, kl.max(1e-3)))
                .collect();
            let mark = if r.density == Density::Ring {
                Mark::Dashed
            } else {
                Mark::Line
            };
            Series::new(r.name.clone(), pts, color(i), mark)
        })
        .collect();
    let xs: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    let ys: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .collect();
    let panel = LinePanel {
        title: "KL(data || model) by quadrature".into(),
        x_label: "iteration".into(),
        y_label: "KL (nats)".into(),
        series,
        legend: Some(plotters::prelude::SeriesLabelPosition::UpperRight),
        log_axes: (false, true),
    };
    render_svg((720, 460), |area| {
        line_panel(
            area,
            &panel,
            padded_range(xs, 0.02),
            log_range(ys).log_scale(),
        )
    })
}

fn summary_markdown(results: &Ebm2dResults) -> String {
    let mut md = String::from(
        "| run | density | iterations | final KL(data \\|\\| model) (nats) | divergences caught | model's mode weights, min - max | mass within 2 sd of a mode, model / data |\n|---|---|---:|---:|---:|---|---|\n",
    );
    for (r, run) in results.runs.iter().zip(&results.config.runs) {
        let (weights, within) = match &r.modes {
            Some(m) => {
                let min = m
                    .model_weights
                    .iter()
                    .copied()
                    .fold(f64::INFINITY, f64::min);
                let max = m.model_weights.iter().copied().fold(0.0, f64::max);
                (
                    format!("{min:.3} - {max:.3}"),
                    format!("{:.3} / {:.3}", m.model_within_2sd, m.data_within_2sd),
                )
            }
            None => ("-".into(), "-".into()),
        };
        md.push_str(&format!(
            "| {} | {:?} | {} | {:.4} | {} | {weights} | {within} |\n",
            r.name, r.density, run.train.n_iterations, r.final_kl, r.divergences
        ));
    }
    md
}

pub fn run(config_path: &Path) -> Result<Outputs> {
    let config: Ebm2dConfig = crate::config::load(config_path)?;
    let results = compute(&config)?;
    let mut outputs = Outputs::new();
    outputs.add_figure(format!("{NAME}-kl.svg"), figure(&results)?);
    outputs.add_figure(format!("{NAME}.json"), crate::output::to_json(&results)?);
    outputs.add_generated(format!("{NAME}-summary.md"), summary_markdown(&results));
    Ok(outputs)
}
