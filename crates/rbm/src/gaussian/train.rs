//! Training a Gaussian-Bernoulli RBM: a checked configuration and a loop with
//! minibatches, momentum and weight decay, as for the binary RBM.

use ndarray::{Array, ArrayView2, Axis, Dimension};
use rand::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::{GaussianGradient, GaussianPersistentChains, GaussianRbm};
use crate::error::{RbmError, config_error};
use crate::monitor::EpochMonitors;
use crate::train::{Estimator, optimiser_settings};

/// Learned log-variances are kept in [-LOG_VARIANCE_LIMIT, LOG_VARIANCE_LIMIT]:
/// sigma^2 between 3e-4 and 3e3 on standardised data. All 2^n components
/// share sigma_j, so a shrinking sigma_j sends the likelihood to 0 for data
/// away from the component means; it grows without bound only for a
/// coordinate with at most 2^n distinct values (a constant column above all),
/// which is what this limit guards against (tests/gaussian_claims.rs).
pub const LOG_VARIANCE_LIMIT: f32 = 8.0;

optimiser_settings! {
    /// The settings of [`train_gaussian`]; unknown TOML fields are refused.
    /// The learning rate's default is 1e-3, a hundred times smaller than for
    /// binary RBMs: real-valued visible units are unbounded, so the
    /// gradients are larger and noisier, and too large a step makes
    /// training diverge.
    #[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct GaussianTrainConfig {
        /// Learn z = log sigma^2 (eq. 9.6) as well; off by default, which keeps
        /// unit variances, the right choice for standardised data.
        pub learn_variance: bool,
    }
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
    /// Parse a configuration from TOML and check it; the momentum fields may
    /// be left out (0.5, then 0.9 from epoch 5, as for the binary RBM).
    /// A value out of range is refused as it is read, naming its key.
    pub fn from_toml_str(text: &str) -> Result<Self, RbmError> {
        let config: Self = config::from_toml_str(text)?;
        config.check()?;
        Ok(config)
    }

    /// Refuse settings that cannot train, with the same rules as
    /// [`TrainConfig::check`](crate::TrainConfig::check); each error names the field.
    pub fn check(&self) -> Result<(), RbmError> {
        self.check_optimiser()?;
        Ok(())
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
