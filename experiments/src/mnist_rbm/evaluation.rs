//! log Z by annealed importance sampling and the mean log-probabilities
//! that follow from it, eq. (4.1): mean log p(v) = -mean F(v) - log Z.

use anyhow::{Context, Result};
use ndarray::ArrayView1;
use rbm::{AisSchedule, Rbm};
use serde::{Deserialize, Serialize};

use super::data::Digits;

/// A number with an error bar [low, high]. `low` is `None` when the AIS
/// weights are too spread to bound it (the mean weight minus three standard
/// errors is not positive).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bracket {
    pub estimate: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl Bracket {
    fn new(estimate: f64, low: f64, high: f64) -> Self {
        Self {
            estimate,
            low: finite(low),
            high: finite(high),
        }
    }

    /// Whether `x` lies in [low, high] (an open end bounds nothing).
    pub fn contains(&self, x: f64) -> bool {
        self.low.is_none_or(|l| l <= x) && self.high.is_none_or(|h| x <= h)
    }
}

/// What AIS says about one model.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    /// log Z with the 3-standard-error bar of `rbm::AisEstimate`.
    pub log_partition: Bracket,
    /// (sum w)^2 / sum w^2 over the AIS chains.
    pub effective_sample_size: f64,
    pub n_chains: usize,
    pub n_betas: usize,
    /// Mean log-probability of the test digits in nats; a larger log Z gives
    /// a smaller log-probability, so the bracket is turned around.
    pub test_log_probability: Bracket,
    pub train_log_probability: Bracket,
    /// Mean log-probability of the training subset on which the free-energy
    /// gap is measured (the first `n_test` training digits), so that the gap
    /// can be compared with train minus test log-probability like for like.
    /// `None` in results written before it was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_subset_log_probability: Option<Bracket>,
    /// Mean log-probability of the test digits binarised in other ways
    /// (see `Digits::test_binarisations`), with the same log Z; empty in
    /// results written before it was measured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_binarisations: Vec<NamedBracket>,
}

/// A log-probability of one version of the data.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NamedBracket {
    pub name: String,
    pub log_probability: Bracket,
}

/// Run AIS from the base-rate model with visible bias `base_visible_bias`
/// and turn log Z into mean log-probabilities of the test and training digits.
pub fn evaluate(
    rbm: &Rbm,
    digits: &Digits,
    base_visible_bias: ArrayView1<f32>,
    schedule: &AisSchedule,
    n_chains: usize,
    rng: &mut impl rand::Rng,
) -> Result<Evaluation> {
    let estimate = rbm::ais(rbm, base_visible_bias, schedule, n_chains, rng)
        .context("estimating log Z with AIS")?;
    let log_probability = |data| {
        let (e, low, high) = rbm::mean_log_probability(rbm, data, &estimate);
        Bracket::new(e, low, high)
    };
    Ok(Evaluation {
        log_partition: Bracket::new(
            estimate.log_partition,
            estimate.log_partition_low,
            estimate.log_partition_high,
        ),
        effective_sample_size: estimate.effective_sample_size,
        n_chains: estimate.n_chains,
        n_betas: estimate.n_betas,
        test_log_probability: log_probability(digits.test.view()),
        train_log_probability: log_probability(digits.train.view()),
        train_subset_log_probability: Some(log_probability(digits.train_subset())),
        test_binarisations: digits
            .test_binarisations
            .iter()
            .map(|(name, data)| NamedBracket {
                name: name.clone(),
                log_probability: log_probability(data.view()),
            })
            .collect(),
    })
}

/// The exact answers for a model whose hidden layer can be enumerated.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExactCheck {
    /// log Z by enumeration of the 2^n_hidden hidden states (eq. 3.1), f64.
    pub log_partition: f64,
    pub test_log_probability: f64,
    pub train_log_probability: f64,
    /// Whether the AIS bracket of log Z contains the exact value.
    pub ais_bracket_contains_exact: bool,
    /// AIS estimate minus exact log Z.
    pub ais_error: f64,
}

/// Exact log Z and mean log-likelihoods from `bm_exact`, compared with `ais`.
pub fn exact_check(rbm: &Rbm, digits: &Digits, ais: &Evaluation) -> Result<ExactCheck> {
    let exact = rbm.to_exact()?;
    let log_partition = exact.log_partition().context("exact log Z")?;
    let mean_ll = |data: ndarray::ArrayView2<f32>| -> Result<f64> {
        Ok(exact.mean_log_likelihood(data.mapv(f64::from).view())?)
    };
    Ok(ExactCheck {
        log_partition,
        test_log_probability: mean_ll(digits.test.view())?,
        train_log_probability: mean_ll(digits.train.view())?,
        ais_bracket_contains_exact: ais.log_partition.contains(log_partition),
        ais_error: ais.log_partition.estimate - log_partition,
    })
}
