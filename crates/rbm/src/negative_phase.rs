//! Better negative phases for [`crate::Trainer`]: PCD as stochastic
//! approximation with a decaying learning rate (Younes 1989), fast PCD
//! (Tieleman and Hinton 2009), and parallel tempering as the training
//! negative phase (Desjardins et al. 2010; Cho et al. 2010).
//!
//! ## Algorithm
//! - Decaying rate, eq. (5.6): update t (counted from 0) uses
//!   epsilon_t = epsilon_0 / (1 + t / tau). The sum of the epsilon_t
//!   diverges and the sum of their squares converges (Robbins and Monro),
//!   the conditions under which the persistent chains' noise averages out.
//! - Fast PCD, eq. (5.7): the chains run under theta + theta_fast, where
//!   theta_fast <- fast_decay * theta_fast + fast_learning_rate * update,
//!   with the same update estimate as the regular parameters. The fast
//!   parameters push the chains out of the modes they have just visited.
//! - Tempering, eq. (5.8): the persistent chains are the beta = 1 chains of
//!   [`crate::ParallelTempering`]; each update makes k sweeps (Gibbs at every
//!   temperature, then swaps, eq. (6.4)) and reads the negative statistics
//!   at beta = 1.

use config::{Momentum, NonNegative};
use ndarray::ArrayView2;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{RbmError, config_error};
use crate::gradient::{Gradient, PersistentChains, mean_statistics};
use crate::model::Rbm;
use crate::tempering::{ParallelTempering, TemperatureLadder};

// ANCHOR: decaying_rate
/// The learning rate of update t (counted from 0), eq. (5.6) in the book:
/// epsilon_t = epsilon_0 / (1 + t / tau), or epsilon_0 for every t when
/// there is no `decay_time` tau. The rate halves at t = tau; its sum over t
/// diverges and the sum of its squares converges (Robbins-Monro).
pub fn learning_rate_at(initial: f32, decay_time: Option<f32>, update: u64) -> f32 {
    match decay_time {
        None => initial,
        Some(tau) => (f64::from(initial) / (1.0 + update as f64 / f64::from(tau))) as f32,
    }
}
// ANCHOR_END: decaying_rate

/// The fast weights of fast PCD. In TOML:
/// `fast_weights = { learning_rate = 0.1, decay = 0.95 }`.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FastWeightsConfig {
    /// epsilon_fast of eq. (5.7); Tieleman and Hinton use the regular
    /// initial rate. 0 makes fast PCD exactly PCD.
    pub learning_rate: f32,
    /// eta of eq. (5.7), in [0, 1): the fast parameters shrink by this factor
    /// at every update (Tieleman and Hinton: 19/20 = 0.95).
    pub decay: f32,
}

/// Parallel tempering as the negative phase. In TOML:
/// `tempering = { n_temperatures = 5, lowest_beta = 0.3 }`, with the
/// `n_chains` and k of the PCD estimator (chains per temperature, sweeps per
/// update).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TemperingConfig {
    /// Inverse temperatures in the geometric ladder from 1 down to `lowest_beta`.
    pub n_temperatures: usize,
    pub lowest_beta: f64,
}

impl TemperingConfig {
    /// The geometric ladder, or an error naming the field.
    pub fn ladder(&self) -> Result<TemperatureLadder, RbmError> {
        TemperatureLadder::geometric(self.n_temperatures, self.lowest_beta).map_err(|e| match e {
            RbmError::Config { field, problem } => {
                config_error(&format!("tempering.{field}"), problem)
            }
            other => other,
        })
    }
}

impl FastWeightsConfig {
    /// A fast rate >= 0 and a decay in [0, 1), through their value types.
    pub(crate) fn check(&self) -> Result<(), RbmError> {
        NonNegative::new(self.learning_rate).map_err(|e| e.at("fast_weights.learning_rate"))?;
        Momentum::new(self.decay).map_err(|e| e.at("fast_weights.decay"))?;
        Ok(())
    }
}

/// The fast parameters theta_fast of eq. (5.7), shaped like the model's.
#[derive(Clone, Debug, PartialEq)]
pub struct FastWeights {
    config: FastWeightsConfig,
    parameters: Gradient,
}

// ANCHOR: fast_weights
impl FastWeights {
    /// theta_fast = 0: at the start the chains see the model itself.
    pub fn new(config: FastWeightsConfig, rbm: &Rbm) -> Self {
        Self {
            config,
            parameters: Gradient::zeros_like(rbm),
        }
    }

    /// The model the negative chains run under: theta + theta_fast, eq. (5.7).
    pub fn chain_model(&self, rbm: &Rbm) -> Rbm {
        Rbm {
            visible_bias: &rbm.visible_bias + &self.parameters.visible_bias,
            hidden_bias: &rbm.hidden_bias + &self.parameters.hidden_bias,
            weights: &rbm.weights + &self.parameters.weights,
        }
    }

    /// theta_fast <- decay * theta_fast + learning_rate * update, eq. (5.7),
    /// with the same update estimate that the regular parameters follow.
    pub fn learn(&mut self, update: &Gradient) {
        let p = &mut self.parameters;
        p.visible_bias *= self.config.decay;
        p.hidden_bias *= self.config.decay;
        p.weights *= self.config.decay;
        p.scaled_add(self.config.learning_rate, update);
    }
}
// ANCHOR_END: fast_weights

impl FastWeights {
    /// theta_fast itself.
    pub fn parameters(&self) -> &Gradient {
        &self.parameters
    }
}

// ANCHOR: fast_pcd_gradient
/// The fast-PCD update, eq. (5.7) in the book: the chains advance k block
/// Gibbs steps under theta + theta_fast; the statistics of both phases use
/// p(h | v) under the model theta itself. With theta_fast = 0 this is
/// exactly [`PersistentChains::gradient`].
pub fn fast_pcd_gradient(
    chains: &mut PersistentChains,
    fast: &FastWeights,
    rbm: &Rbm,
    batch: ArrayView2<f32>,
    k: usize,
    rng: &mut impl Rng,
) -> Gradient {
    chains.advance(&fast.chain_model(rbm), k, rng);
    mean_statistics(rbm, batch).minus(&mean_statistics(rbm, chains.states()))
}
// ANCHOR_END: fast_pcd_gradient

// ANCHOR: tempered_gradient
/// The tempered PCD update, eq. (5.8) in the book: k sweeps of parallel
/// tempering (a Gibbs step at every temperature, then swaps, eq. (6.4)),
/// and the negative statistics from the chains at beta = 1.
pub fn tempered_gradient(
    tempering: &mut ParallelTempering,
    rbm: &Rbm,
    batch: ArrayView2<f32>,
    k: usize,
    rng: &mut impl Rng,
) -> Gradient {
    for _ in 0..k {
        tempering.sweep(rbm, rng);
    }
    mean_statistics(rbm, batch).minus(&mean_statistics(rbm, tempering.samples()))
}
// ANCHOR_END: tempered_gradient
