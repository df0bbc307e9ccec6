//! Part (b): parallel tempering against plain block Gibbs on a multimodal
//! RBM (trained on bars-and-stripes, whose images are far apart in Hamming
//! distance). Both samplers run the same number of chains at beta = 1 from
//! the same kind of start; after every `record_every` sweeps the empirical
//! distribution of all beta = 1 states so far is compared with the exact
//! p(v) by total variation distance.

use anyhow::Result;
use ndarray::{Array1, Array2};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rbm::{ParallelTempering, TemperatureLadder};
use serde::{Deserialize, Serialize};

use super::config::MixingConfig;
use super::models;
use super::{STREAM_GIBBS, STREAM_TEMPERING};
use crate::streams::stream;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MixingResults {
    pub model: models::ModelSummary,
    /// The exact probability of the data images (the modes) under the model.
    pub mass_on_data: f64,
    /// Sweeps at which the distances were measured.
    pub sweeps: Vec<usize>,
    /// The inverse temperatures of PT. A PT sweep costs `ladder.len()` block
    /// Gibbs steps, a plain Gibbs sweep one.
    pub ladder: Vec<f64>,
    pub gibbs: Vec<Trace>,
    pub tempering: Vec<Trace>,
    /// Mean accepted fraction of swaps between neighbouring temperatures,
    /// over the repeats.
    pub swap_rates: Vec<f64>,
}

/// One repeat of one sampler.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    /// Total variation distance from p(v) after each entry of `sweeps`.
    pub total_variation: Vec<f64>,
    /// How many times a beta = 1 chain moved from one data image to another
    /// (passing through other states in between), per chain and sweep.
    pub mode_switches_per_sweep: f64,
}

pub fn run(config: &MixingConfig, seed: u64) -> Result<MixingResults> {
    let data = datasets::bars_and_stripes(config.side, config.side);
    let trained = models::train(
        "bars-and-stripes (mixing)",
        format!(
            "all {}x{} bars-and-stripes images",
            config.side, config.side
        ),
        data.mapv(|x| x as f32),
        config.n_hidden,
        &config.train,
    )?;
    let exact = trained.rbm.to_exact()?;
    let p = exact.visible_distribution()?;
    let modes: Vec<usize> = data
        .rows()
        .into_iter()
        .map(|r| bm_exact::state_index(r) as usize)
        .collect();
    let mass_on_data = modes.iter().map(|&s| p[s]).sum();
    let sweeps: Vec<usize> = (1..=config.n_sweeps / config.record_every)
        .map(|k| k * config.record_every)
        .collect();
    let ladder = TemperatureLadder::new(config.ladder.clone())?;
    let mut gibbs = Vec::new();
    let mut tempering = Vec::new();
    let mut swap_sums = vec![0.0; ladder.len() - 1];
    for repeat in 0..config.n_repeats {
        let repeat = u32::try_from(repeat)?;
        let mut rng = stream(seed, STREAM_GIBBS, repeat);
        let mut chains = random_states(config.n_chains, trained.rbm.n_visible(), &mut rng);
        gibbs.push(trace(config, &p, &modes, &mut rng, |rng| {
            chains = rbm::gibbs_step(&trained.rbm, chains.view(), rng);
            chains.clone()
        }));
        let mut rng = stream(seed, STREAM_TEMPERING, repeat);
        let mut pt =
            ParallelTempering::new(&trained.rbm, ladder.clone(), config.n_chains, &mut rng)?;
        tempering.push(trace(config, &p, &modes, &mut rng, |rng| {
            pt.sweep(&trained.rbm, rng);
            pt.samples().to_owned()
        }));
        for (sum, rate) in swap_sums.iter_mut().zip(pt.swap_rates()) {
            *sum += rate / config.n_repeats as f64;
        }
    }
    Ok(MixingResults {
        model: trained.summary,
        mass_on_data,
        sweeps,
        ladder: ladder.betas().to_vec(),
        gibbs,
        tempering,
        swap_rates: swap_sums,
    })
}

fn random_states(n: usize, n_visible: usize, rng: &mut impl Rng) -> Array2<f32> {
    Array2::from_shape_simple_fn((n, n_visible), || f32::from(rng.random_range(0..2u8)))
}

/// Run `sweep` (which returns the beta = 1 states after one sweep) for
/// `n_sweeps` sweeps, counting states and mode switches.
fn trace(
    config: &MixingConfig,
    p: &Array1<f64>,
    modes: &[usize],
    rng: &mut ChaCha8Rng,
    mut sweep: impl FnMut(&mut ChaCha8Rng) -> Array2<f32>,
) -> Trace {
    let mut counts = vec![0u64; p.len()];
    let mut last_mode: Vec<Option<usize>> = vec![None; config.n_chains];
    let mut switches = 0u64;
    let mut total_variation = Vec::new();
    for t in 1..=config.n_sweeps {
        let states = sweep(rng);
        for (chain, row) in states.rows().into_iter().enumerate() {
            let s = bm_exact::state_index(row.mapv(f64::from).view()) as usize;
            counts[s] += 1;
            if modes.contains(&s) {
                if last_mode[chain].is_some_and(|m| m != s) {
                    switches += 1;
                }
                last_mode[chain] = Some(s);
            }
        }
        if t % config.record_every == 0 {
            total_variation.push(distance(&counts, p));
        }
    }
    Trace {
        total_variation,
        mode_switches_per_sweep: switches as f64 / (config.n_chains * config.n_sweeps) as f64,
    }
}

/// Total variation distance (1/2) sum_v |q(v) - p(v)| of the counts' distribution q.
fn distance(counts: &[u64], p: &Array1<f64>) -> f64 {
    let n: u64 = counts.iter().sum();
    0.5 * counts
        .iter()
        .zip(p)
        .map(|(&c, &p)| (c as f64 / n as f64 - p).abs())
        .sum::<f64>()
}
