//! Training a Gaussian-Bernoulli RBM: a checked configuration and a loop with
//! minibatches, momentum and weight decay, as for the binary RBM.

use ndarray::{ArrayView2, Axis};
use rand::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::{GaussianGradient, GaussianPersistentChains, GaussianRbm};
use crate::error::{RbmError, config_error};
use crate::monitor::EpochMonitors;
use crate::train::{Estimator, add_momentum, optimiser_settings};

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

/// Trains one Gaussian-Bernoulli RBM epoch by epoch: owns the model, the
/// velocity (momentum buffers), the persistent chains for PCD and the number
/// of epochs done, everything a checkpoint needs. The random numbers come
/// from the caller, epoch by epoch, so that a caller who derives them from
/// (seed, epoch) can resume exactly (as `dbn`'s greedy training does).
#[derive(Clone, Debug)]
pub struct GaussianTrainer {
    rbm: GaussianRbm,
    config: GaussianTrainConfig,
    velocity: GaussianGradient,
    chains: Option<GaussianPersistentChains>,
    /// The order of the examples in the last epoch; each epoch shuffles it
    /// further (empty before the first).
    order: Vec<usize>,
    epochs_done: usize,
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
    let mut trainer = GaussianTrainer::new(rbm.clone(), config.clone(), rng)?;
    rbm.check_data(data)?;
    let mut monitors = Vec::with_capacity(config.epochs);
    for _ in 0..config.epochs {
        monitors.push(trainer.train_epoch(data, rng)?);
    }
    *rbm = trainer.into_rbm();
    Ok(monitors)
}

impl GaussianTrainer {
    /// One pass over `data` in shuffled minibatches with the momentum of
    /// this epoch; the monitors are measured on all of `data` afterwards.
    /// Fails, naming the field, if the parameters stop being finite.
    /// Panics if `data` does not have `n_visible` columns (see
    /// [`GaussianRbm::check_data`]).
    pub fn train_epoch(
        &mut self,
        data: ArrayView2<f32>,
        rng: &mut impl Rng,
    ) -> Result<EpochMonitors, RbmError> {
        let epoch = self.epochs_done;
        let momentum = self.config.momentum_at(epoch);
        let k = self.config.estimator.n_gibbs_steps();
        if self.order.len() != data.nrows() {
            self.order = (0..data.nrows()).collect();
        }
        self.order.shuffle(rng);
        for rows in self.order.chunks(self.config.batch_size) {
            let batch = data.select(Axis(0), rows);
            let gradient = match self.chains.as_mut() {
                Some(chains) => chains.gradient(&self.rbm, batch.view(), k, rng),
                None => self.rbm.cd_gradient(batch.view(), k, rng),
            };
            apply(
                &mut self.rbm,
                &mut self.velocity,
                &gradient,
                momentum,
                &self.config,
            );
        }
        self.rbm.check().map_err(|e| diverged(epoch, e))?;
        self.epochs_done += 1;
        Ok(EpochMonitors {
            epoch: epoch + 1,
            momentum,
            reconstruction_error: reconstruction_error(&self.rbm, data),
        })
    }
}
// ANCHOR_END: train_gaussian

impl GaussianTrainer {
    /// Check the configuration and the model; for PCD, start the chains
    /// from `rng` (see [`GaussianPersistentChains::new`]).
    pub fn new(
        rbm: GaussianRbm,
        config: GaussianTrainConfig,
        rng: &mut impl Rng,
    ) -> Result<Self, RbmError> {
        config.check()?;
        rbm.check()?;
        let chains = match config.estimator {
            Estimator::Pcd { n_chains, .. } => {
                Some(GaussianPersistentChains::new(n_chains, &rbm, rng))
            }
            Estimator::Cd { .. } => None,
        };
        Ok(Self {
            velocity: GaussianGradient::zeros_like(&rbm),
            rbm,
            config,
            chains,
            order: Vec::new(),
            epochs_done: 0,
        })
    }

    /// A trainer that continues where another stopped, from the state a
    /// checkpoint holds (`order` from [`GaussianTrainer::order`]); refused,
    /// naming the field, when the velocity or the chains do not fit the
    /// model and the estimator, or `order` is not a permutation.
    pub fn resume(
        rbm: GaussianRbm,
        config: GaussianTrainConfig,
        velocity: GaussianGradient,
        chains: Option<GaussianPersistentChains>,
        order: Vec<usize>,
        epochs_done: usize,
    ) -> Result<Self, RbmError> {
        config.check()?;
        rbm.check()?;
        let mut seen = vec![false; order.len()];
        for &r in &order {
            if r >= order.len() || std::mem::replace(&mut seen[r], true) {
                return Err(config_error(
                    "order",
                    "is not a permutation of the examples; the checkpoint is damaged",
                ));
            }
        }
        let zeros = GaussianGradient::zeros_like(&rbm);
        if velocity.weights.dim() != zeros.weights.dim()
            || velocity.visible_bias.len() != zeros.visible_bias.len()
            || velocity.hidden_bias.len() != zeros.hidden_bias.len()
            || velocity.log_variance.len() != zeros.log_variance.len()
        {
            return Err(config_error(
                "velocity",
                "its shape does not match the model; the checkpoint is damaged",
            ));
        }
        match (&config.estimator, &chains) {
            (Estimator::Pcd { n_chains, .. }, Some(c))
                if c.states().nrows() == *n_chains && c.states().ncols() == rbm.n_visible() => {}
            (Estimator::Cd { .. }, None) => {}
            _ => {
                return Err(config_error(
                    "chains",
                    "the persistent chains do not match the estimator and the model",
                ));
            }
        }
        Ok(Self {
            rbm,
            config,
            velocity,
            chains,
            order,
            epochs_done,
        })
    }

    pub fn rbm(&self) -> &GaussianRbm {
        &self.rbm
    }

    pub fn into_rbm(self) -> GaussianRbm {
        self.rbm
    }

    pub fn config(&self) -> &GaussianTrainConfig {
        &self.config
    }

    pub fn velocity(&self) -> &GaussianGradient {
        &self.velocity
    }

    pub fn chains(&self) -> Option<&GaussianPersistentChains> {
        self.chains.as_ref()
    }

    /// The order of the examples in the last epoch, which the next one
    /// shuffles (part of the state a checkpoint keeps).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }
}

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
