//! Panel 3: where CD-1 and maximum likelihood converge. For random targets
//! over a few bits, the exact expected CD-1 update (eq. 5.3) and the exact
//! gradient (eq. 4.3-4.4) are followed from the same start until they stop
//! moving, and the KL divergences they reach are compared (Carreira-Perpinan
//! and Hinton, 2005).

use anyhow::Result;
use ndarray::Array2;
use rand::Rng;
use rand_distr::{Distribution, Gamma};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use bm_exact::Parameters;

use super::common::{PANEL_FIXED_POINTS, RbmJson, ascend, random_start, stream};
use super::config::FixedPointConfig;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixedPointResults {
    pub n_visible: usize,
    pub n_hidden: usize,
    pub targets: Vec<Target>,
    pub median_kl_exact: f64,
    pub median_kl_cd1: f64,
    /// Median of KL(CD-1) - KL(exact) over the targets.
    pub median_excess: f64,
    pub max_excess: f64,
    /// Targets where CD-1 ends with a larger KL than maximum likelihood.
    pub n_cd1_worse: usize,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// How many examples of each visible state (state s: unit k is bit k of s).
    pub counts: Vec<usize>,
    /// The entropy of the target in nats.
    pub entropy: f64,
    pub exact: Fit,
    pub cd1: Fit,
}

/// Where one method stopped: KL(target || model) in nats, the model, and how
/// many steps it took.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fit {
    pub kl: f64,
    pub iterations: usize,
    pub converged: bool,
    pub model: RbmJson,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Rule {
    ExactGradient,
    ExpectedCd1,
}

/// A random target as data: `n_examples` draws from a distribution whose
/// probabilities come from a Dirichlet(concentration) (normalised gammas),
/// plus one example of every state. The extra examples give the target full
/// support, so that maximum likelihood has a finite optimum: a state of
/// probability 0 would drive some weights to infinity.
fn random_target(config: &FixedPointConfig, rng: &mut impl Rng) -> Array2<f64> {
    let n_states = 1usize << config.n_visible;
    let gamma = Gamma::new(config.concentration, 1.0).expect("concentration is checked > 0");
    let weights: Vec<f64> = (0..n_states)
        .map(|_| gamma.sample(rng).max(1e-300))
        .collect();
    let total: f64 = weights.iter().sum();
    let table = ndarray::Array1::from_iter(weights.iter().map(|w| w / total));
    let drawn = bm_exact::sample_states(table.view(), config.n_visible, config.n_examples, rng);
    let every_state =
        Array2::from_shape_fn((n_states, config.n_visible), |(s, k)| ((s >> k) & 1) as f64);
    ndarray::concatenate(ndarray::Axis(0), &[drawn.view(), every_state.view()])
        .expect("both have n_visible columns")
}

/// Follow one update rule with heavy-ball momentum until every entry of the
/// update is below `tolerance` in size (a fixed point: momentum changes the
/// path, not where the update vanishes), or `max_iterations` steps.
fn follow(
    rule: Rule,
    start: &bm_exact::Rbm,
    data: &Array2<f64>,
    entropy: f64,
    config: &FixedPointConfig,
) -> Result<Fit> {
    let mut rbm = start.clone();
    let mut velocity: Option<Parameters> = None;
    let mut converged = false;
    let mut iterations = 0;
    while iterations < config.max_iterations && !converged {
        let mut update = match rule {
            Rule::ExactGradient => rbm.log_likelihood_gradient(data.view())?,
            Rule::ExpectedCd1 => rbm.expected_cd_update(data.view(), 1)?,
        };
        update
            .weights
            .scaled_add(-config.weight_decay, &rbm.weights());
        converged = Parameters::flatten(&update)
            .iter()
            .all(|u| u.abs() < config.tolerance);
        let step = match velocity {
            None => scaled(&update, config.learning_rate),
            Some(v) => combine(&v, config.momentum, &update, config.learning_rate),
        };
        rbm = ascend(&rbm, &step, 1.0)?;
        velocity = Some(step);
        iterations += 1;
    }
    Ok(Fit {
        kl: -entropy - rbm.mean_log_likelihood(data.view())?,
        iterations,
        converged,
        model: RbmJson::from_exact(&rbm),
    })
}

fn scaled(p: &Parameters, a: f64) -> Parameters {
    combine(p, a, p, 0.0)
}

/// a p + b q, entry by entry.
fn combine(p: &Parameters, a: f64, q: &Parameters, b: f64) -> Parameters {
    Parameters {
        visible_bias: a * &p.visible_bias + b * &q.visible_bias,
        hidden_bias: a * &p.hidden_bias + b * &q.hidden_bias,
        weights: a * &p.weights + b * &q.weights,
        visible_couplings: None,
        hidden_couplings: None,
    }
}

fn counts(data: &Array2<f64>) -> Vec<usize> {
    let mut counts = vec![0; 1 << data.ncols()];
    for row in data.rows() {
        counts[bm_exact::state_index(row) as usize] += 1;
    }
    counts
}

fn one_target(config: &FixedPointConfig, seed: u64, index: usize) -> Result<Target> {
    let mut rng = stream(seed, PANEL_FIXED_POINTS, index as u32);
    let data = random_target(config, &mut rng);
    let start = random_start(config.n_visible, config.n_hidden, config.init_std, &mut rng);
    let entropy = bm_exact::empirical_entropy(data.view());
    Ok(Target {
        counts: counts(&data),
        entropy,
        exact: follow(Rule::ExactGradient, &start, &data, entropy, config)?,
        cd1: follow(Rule::ExpectedCd1, &start, &data, entropy, config)?,
    })
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

pub fn run(config: &FixedPointConfig, seed: u64) -> Result<FixedPointResults> {
    let targets = (0..config.n_targets)
        .into_par_iter()
        .map(|i| one_target(config, seed, i))
        .collect::<Result<Vec<_>>>()?;
    let excess: Vec<f64> = targets.iter().map(|t| t.cd1.kl - t.exact.kl).collect();
    Ok(FixedPointResults {
        n_visible: config.n_visible,
        n_hidden: config.n_hidden,
        median_kl_exact: median(targets.iter().map(|t| t.exact.kl).collect()),
        median_kl_cd1: median(targets.iter().map(|t| t.cd1.kl).collect()),
        median_excess: median(excess.clone()),
        max_excess: excess.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        n_cd1_worse: excess.iter().filter(|e| **e > 0.0).count(),
        targets,
    })
}
