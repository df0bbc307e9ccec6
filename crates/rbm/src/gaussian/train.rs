//! Training a Gaussian-Bernoulli RBM: a checked configuration and a loop with
//! minibatches, momentum and weight decay, as for the binary RBM.

use ndarray::{Array, ArrayView2, Axis, Dimension};
use rand::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::{GaussianGradient, GaussianPersistentChains, GaussianRbm};
use crate::error::{RbmError, config_error};
use crate::monitor::EpochMonitors;
use crate::train::Estimator;

/// Learned log-variances are kept in [-LOG_VARIANCE_LIMIT, LOG_VARIANCE_LIMIT]:
/// sigma^2 between 3e-4 and 3e3 on standardised data. All 2^n components
/// share sigma_j, so a shrinking sigma_j sends the likelihood to 0 for data
/// away from the component means; it grows without bound only for a
/// coordinate with at most 2^n distinct values (a constant column above all),
/// which is what this limit guards against (tests/gaussian_claims.rs).
pub const LOG_VARIANCE_LIMIT: f32 = 8.0;

/// The settings of [`train_gaussian`]; unknown TOML fields are refused.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GaussianTrainConfig {
    /// The step size. Default 1e-3, a hundred times smaller than for binary
    /// RBMs: real-valued visible units are unbounded, so the gradients are
    /// larger and noisier, and too large a step makes training diverge.
    pub learning_rate: f32,
    /// Momentum during the first `momentum_switch_epoch` epochs.
    pub initial_momentum: f32,
    /// Momentum afterwards.
    pub final_momentum: f32,
    /// The epoch (counted from 0) from which `final_momentum` is used.
    pub momentum_switch_epoch: usize,
    /// L2 penalty on the weights only; 0 turns it off.
    pub weight_decay: f32,
    /// Examples per minibatch; the last of an epoch may be smaller.
    pub batch_size: usize,
    pub epochs: usize,
    pub estimator: Estimator,
    /// Learn z = log sigma^2 (eq. 9.6) as well; off by default, which keeps
    /// unit variances, the right choice for standardised data.
    pub learn_variance: bool,
}

impl Default for GaussianTrainConfig {
    fn default() -> Self {
        Self {
            learning_rate: 1e-3,
            initial_momentum: 0.5,
            final_momentum: 0.9,
            momentum_switch_epoch: 5,
            weight_decay: 1e-4,
            batch_size: 10,
            epochs: 10,
            estimator: Estimator::Cd { k: 1 },
            learn_variance: false,
        }
    }
}

impl GaussianTrainConfig {
    /// Parse a configuration from TOML (every field required) and check it.
    pub fn from_toml_str(text: &str) -> Result<Self, RbmError> {
        let config: Self = toml::from_str(text).map_err(|e| RbmError::ConfigToml(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// Refuse settings that cannot train; each error names the field.
    pub fn check(&self) -> Result<(), RbmError> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(config_error(
                "learning_rate",
                format!(
                    "{} is not a positive number; try 1e-3 for a Gaussian-Bernoulli RBM",
                    self.learning_rate
                ),
            ));
        }
        for (field, momentum) in [
            ("initial_momentum", self.initial_momentum),
            ("final_momentum", self.final_momentum),
        ] {
            if !(0.0..1.0).contains(&momentum) {
                return Err(config_error(
                    field,
                    format!("{momentum} is outside [0, 1); use e.g. 0.5 or 0.9"),
                ));
            }
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(config_error(
                "weight_decay",
                format!("{} is not a number >= 0; try 1e-4", self.weight_decay),
            ));
        }
        if self.batch_size == 0 {
            return Err(config_error("batch_size", "must be at least 1; try 10"));
        }
        if self.estimator.n_gibbs_steps() == 0 {
            return Err(config_error(
                "estimator.k",
                "must be at least 1: CD-k and PCD need at least one Gibbs step per update",
            ));
        }
        if let Estimator::Pcd { n_chains: 0, .. } = self.estimator {
            return Err(config_error(
                "estimator.n_chains",
                "PCD needs at least one persistent chain; try the batch size",
            ));
        }
        Ok(())
    }

    fn momentum_at(&self, epoch: usize) -> f32 {
        if epoch < self.momentum_switch_epoch {
            self.initial_momentum
        } else {
            self.final_momentum
        }
    }
}

// ANCHOR: train_gaussian
/// Train `rbm` on `data` (one example per row, best standardised first, see
/// [`super::Standardizer`]) for `config.epochs` epochs of shuffled
/// minibatches. Returns the monitors of each epoch; the reconstruction error
/// is the mean squared distance between v and the mean of p(v | h = p(h | v)).
/// Fails, naming the field, if the parameters stop being finite.
pub fn train_gaussian(
    rbm: &mut GaussianRbm,
    data: ArrayView2<f32>,
    config: &GaussianTrainConfig,
    rng: &mut impl Rng,
) -> Result<Vec<EpochMonitors>, RbmError> {
    config.check()?;
    rbm.check()?;
    rbm.check_data(data)?;
    let k = config.estimator.n_gibbs_steps();
    let mut chains = match config.estimator {
        Estimator::Pcd { n_chains, .. } => Some(GaussianPersistentChains::new(n_chains, rbm, rng)),
        Estimator::Cd { .. } => None,
    };
    let mut velocity = GaussianGradient::zeros_like(rbm);
    let mut order: Vec<usize> = (0..data.nrows()).collect();
    let mut monitors = Vec::with_capacity(config.epochs);
    for epoch in 0..config.epochs {
        let momentum = config.momentum_at(epoch);
        order.shuffle(rng);
        for rows in order.chunks(config.batch_size) {
            let batch = data.select(Axis(0), rows);
            let gradient = match chains.as_mut() {
                Some(chains) => chains.gradient(rbm, batch.view(), k, rng),
                None => rbm.cd_gradient(batch.view(), k, rng),
            };
            apply(rbm, &mut velocity, &gradient, momentum, config);
        }
        rbm.check().map_err(|e| diverged(epoch, e))?;
        monitors.push(EpochMonitors {
            epoch: epoch + 1,
            momentum,
            reconstruction_error: reconstruction_error(rbm, data),
        });
    }
    Ok(monitors)
}
// ANCHOR_END: train_gaussian

/// velocity <- momentum * velocity + learning_rate * (gradient - decay * W),
/// parameters <- parameters + velocity; z only with `learn_variance`, then
/// clamped to +-[`LOG_VARIANCE_LIMIT`].
fn apply(
    rbm: &mut GaussianRbm,
    velocity: &mut GaussianGradient,
    gradient: &GaussianGradient,
    momentum: f32,
    config: &GaussianTrainConfig,
) {
    let lr = config.learning_rate;
    let weight_update = &gradient.weights - &(config.weight_decay * &rbm.weights);
    add_momentum(&mut velocity.weights, momentum, lr, &weight_update);
    add_momentum(
        &mut velocity.visible_bias,
        momentum,
        lr,
        &gradient.visible_bias,
    );
    add_momentum(
        &mut velocity.hidden_bias,
        momentum,
        lr,
        &gradient.hidden_bias,
    );
    rbm.weights += &velocity.weights;
    rbm.visible_bias += &velocity.visible_bias;
    rbm.hidden_bias += &velocity.hidden_bias;
    if config.learn_variance {
        add_momentum(
            &mut velocity.log_variance,
            momentum,
            lr,
            &gradient.log_variance,
        );
        rbm.log_variance += &velocity.log_variance;
        rbm.log_variance
            .mapv_inplace(|z| z.clamp(-LOG_VARIANCE_LIMIT, LOG_VARIANCE_LIMIT));
    }
}

fn add_momentum<D: Dimension>(
    velocity: &mut Array<f32, D>,
    momentum: f32,
    learning_rate: f32,
    update: &Array<f32, D>,
) {
    *velocity *= momentum;
    velocity.scaled_add(learning_rate, update);
}

fn diverged(epoch: usize, problem: RbmError) -> RbmError {
    config_error(
        "learning_rate",
        format!(
            "training diverged in epoch {} ({problem}); lower the learning rate \
             (1e-3 or less) and standardise the data",
            epoch + 1
        ),
    )
}

/// Mean over examples of sum_j (v_j - mean of p(v_j | h = p(h | v)))^2.
fn reconstruction_error(rbm: &GaussianRbm, data: ArrayView2<f32>) -> f32 {
    let hidden = rbm.hidden_probabilities(data);
    let reconstruction = rbm.visible_means(hidden.view());
    (&data - &reconstruction).mapv(|d| d * d).sum() / data.nrows() as f32
}
