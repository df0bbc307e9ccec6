//! Training: the checked configuration and the trainer with momentum and
//! weight decay (Hinton's practical guide, sections 9 and 10).

use std::ops::ControlFlow;

use ndarray::{Array, Array2, ArrayView2, Dimension};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::centering::{CenteringConfig, Offsets};
use crate::streams::{TRAINER, epoch_rng, stream};
use config::{FieldError, Positive, PositiveCount};

use crate::error::{RbmError, config_error};
use crate::gradient::{Gradient, PersistentChains, cd_gradient};
use crate::kernels::{Update, Workspace};
use crate::model::{Rbm, check_data};
use crate::monitor::{EpochMonitors, reconstruction_error};
use crate::negative_phase::{
    FastWeights, FastWeightsConfig, TemperingConfig, fast_pcd_gradient, learning_rate_at,
    tempered_gradient,
};
use crate::softmax_group::{SoftmaxGroup, softmax_cd_gradient, softmax_pcd_gradient};
use crate::tempering::ParallelTempering;

/// Where the negative statistics come from. In TOML:
/// `estimator = { kind = "cd", k = 1 }` or
/// `estimator = { kind = "pcd", k = 1, n_chains = 100 }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "EstimatorTable", into = "EstimatorTable")]
pub enum Estimator {
    /// CD-k, eq. (5.2): chains restarted at the minibatch, k Gibbs steps.
    Cd { k: usize },
    /// PCD, eq. (5.5): `n_chains` persistent chains, advanced k steps per update.
    Pcd { k: usize, n_chains: usize },
}

impl Estimator {
    /// k: the Gibbs steps per update.
    pub fn n_gibbs_steps(&self) -> usize {
        match *self {
            Estimator::Cd { k } | Estimator::Pcd { k, .. } => k,
        }
    }

    /// k >= 1 and, for PCD, at least one chain, for an estimator built in
    /// code (one read from TOML was checked as it was read). The fields are
    /// named `k` and `n_chains`, inside the caller's table.
    pub fn check(&self) -> Result<(), FieldError> {
        PositiveCount::new(self.n_gibbs_steps()).map_err(|e| {
            FieldError::new(
                "k",
                format!("{e}: CD-k and PCD need at least one Gibbs step per update"),
            )
        })?;
        if let Estimator::Pcd { n_chains, .. } = *self {
            PositiveCount::new(n_chains).map_err(|e| {
                FieldError::new(
                    "n_chains",
                    format!("{e}: PCD needs at least one persistent chain; try the batch size"),
                )
            })?;
        }
        Ok(())
    }
}

/// The TOML form of [`Estimator`]: a plain table rather than a tagged enum,
/// which serde reads through a buffer that forgets where each value stood.
/// So `k` and `n_chains` are checked by their value types as they are read,
/// and a refused value is named `table.estimator.k`.
#[derive(Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct EstimatorTable {
    kind: EstimatorKind,
    #[serde(deserialize_with = "config::de::positive_count")]
    k: usize,
    #[serde(
        default,
        deserialize_with = "config::de::optional_positive_count",
        skip_serializing_if = "Option::is_none"
    )]
    n_chains: Option<usize>,
}

#[derive(Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
enum EstimatorKind {
    Cd,
    Pcd,
}

impl TryFrom<EstimatorTable> for Estimator {
    type Error = &'static str;

    fn try_from(table: EstimatorTable) -> Result<Self, Self::Error> {
        let k = table.k;
        match (table.kind, table.n_chains) {
            (EstimatorKind::Cd, None) => Ok(Estimator::Cd { k }),
            (EstimatorKind::Pcd, Some(n_chains)) => Ok(Estimator::Pcd { k, n_chains }),
            (EstimatorKind::Cd, Some(_)) => {
                Err("`n_chains` is only for kind = \"pcd\" (CD restarts its chains at the data)")
            }
            (EstimatorKind::Pcd, None) => {
                Err("kind = \"pcd\" needs `n_chains`, the number of persistent chains")
            }
        }
    }
}

impl From<Estimator> for EstimatorTable {
    fn from(estimator: Estimator) -> Self {
        let (kind, k, n_chains) = match estimator {
            Estimator::Cd { k } => (EstimatorKind::Cd, k, None),
            Estimator::Pcd { k, n_chains } => (EstimatorKind::Pcd, k, Some(n_chains)),
        };
        Self { kind, k, n_chains }
    }
}

/// Declares a trainer's settings: the optimiser section that the Bernoulli
/// ([`TrainConfig`]) and the Gaussian ([`GaussianTrainConfig`](crate::GaussianTrainConfig))
/// trainers share, written once here, followed by the trainer's own fields.
/// The fields stay flat (no `#[serde(flatten)]`, which would read them
/// through a buffer that forgets where each value stood), so a refused value
/// is named `table.key` as it is read, and struct literals keep working.
/// Also declares the shared `check_optimiser` and `momentum_at`.
macro_rules! optimiser_settings {
    (
        $(#[$attr:meta])*
        pub struct $name:ident { $($(#[$field_attr:meta])* pub $field:ident: $ty:ty,)* }
    ) => {
        $(#[$attr])*
        pub struct $name {
            /// The step size epsilon; Hinton's guide suggests about 0.1 for
            /// binary data (or 1e-3 times the typical weight size over the
            /// typical update size); see each trainer's default.
            #[serde(deserialize_with = "config::de::positive")]
            pub learning_rate: f32,
            /// Momentum during the first `momentum_switch_epoch` epochs (default 0.5).
            #[serde(
                default = "crate::train::default_initial_momentum",
                deserialize_with = "config::de::momentum"
            )]
            pub initial_momentum: f32,
            /// Momentum afterwards (default 0.9).
            #[serde(
                default = "crate::train::default_final_momentum",
                deserialize_with = "config::de::momentum"
            )]
            pub final_momentum: f32,
            /// The epoch (counted from 0) from which `final_momentum` is used (default 5).
            #[serde(default = "crate::train::default_momentum_switch_epoch")]
            pub momentum_switch_epoch: usize,
            /// L2 penalty on the weights only (not the biases); 1e-4 is typical, 0 turns it off.
            #[serde(deserialize_with = "config::de::non_negative")]
            pub weight_decay: f32,
            /// Examples per minibatch; the last minibatch of an epoch may be smaller.
            #[serde(deserialize_with = "config::de::positive_count")]
            pub batch_size: usize,
            /// Epochs that the trainer runs.
            pub epochs: usize,
            pub estimator: $crate::train::Estimator,
            $($(#[$field_attr])* pub $field: $ty,)*
        }

        impl $name {
            /// The checks of the optimiser section, each through its value
            /// type (for values built in code or changed by flags after
            /// reading); every error names the field.
            fn check_optimiser(&self) -> Result<(), config::FieldError> {
                use config::{Momentum, NonNegative, Positive, PositiveCount};
                Positive::new(self.learning_rate).map_err(|e| e.at("learning_rate"))?;
                Momentum::new(self.initial_momentum).map_err(|e| e.at("initial_momentum"))?;
                Momentum::new(self.final_momentum).map_err(|e| e.at("final_momentum"))?;
                NonNegative::new(self.weight_decay).map_err(|e| e.at("weight_decay"))?;
                PositiveCount::new(self.batch_size).map_err(|e| e.at("batch_size"))?;
                self.estimator.check().map_err(|e| e.within("estimator"))
            }

            /// The momentum of the given epoch (counted from 0): `initial_momentum`
            /// before `momentum_switch_epoch`, `final_momentum` from then on.
            pub fn momentum_at(&self, epoch: usize) -> f32 {
                if epoch < self.momentum_switch_epoch {
                    self.initial_momentum
                } else {
                    self.final_momentum
                }
            }
        }
    };
}
pub(crate) use optimiser_settings;

optimiser_settings! {
    /// The settings of a training run. Every field has the name used in the
    /// TOML file; unknown fields are refused.
    #[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct TrainConfig {
        /// Seeds every random choice of training: shuffling, Gibbs sampling, PCD chains.
        pub seed: u64,
        /// tau of eq. (5.6): update t uses learning_rate / (1 + t / tau) (Younes'
        /// stochastic approximation). Absent (the default): a constant rate.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub learning_rate_decay_time: Option<f32>,
        /// Fast PCD, eq. (5.7) (Tieleman and Hinton 2009); needs the PCD estimator.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub fast_weights: Option<FastWeightsConfig>,
        /// Parallel tempering as the negative phase, eq. (5.8); needs the PCD
        /// estimator, whose `n_chains` are per temperature and whose k counts sweeps.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tempering: Option<TemperingConfig>,
        /// The centred gradient, eq. (5.9)-(5.11).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub centering: Option<CenteringConfig>,
    }
}

pub(crate) fn default_initial_momentum() -> f32 {
    0.5
}
pub(crate) fn default_final_momentum() -> f32 {
    0.9
}
pub(crate) fn default_momentum_switch_epoch() -> usize {
    5
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            learning_rate: 0.1,
            initial_momentum: default_initial_momentum(),
            final_momentum: default_final_momentum(),
            momentum_switch_epoch: default_momentum_switch_epoch(),
            weight_decay: 1e-4,
            batch_size: 10,
            epochs: 10,
            estimator: Estimator::Cd { k: 1 },
            seed: 42,
            learning_rate_decay_time: None,
            fast_weights: None,
            tempering: None,
            centering: None,
        }
    }
}

impl TrainConfig {
    /// Parse a configuration from TOML and [`check`](TrainConfig::check) it.
    /// A value out of range is refused as it is read, naming its key.
    pub fn from_toml_str(text: &str) -> Result<Self, RbmError> {
        let config: TrainConfig = config::from_toml_str(text)?;
        config.check()?;
        Ok(config)
    }

    /// Refuse settings that cannot train (also those built in code or
    /// changed by flags after reading); each error names the field.
    pub fn check(&self) -> Result<(), RbmError> {
        self.check_optimiser()?;
        // Zero epochs would write the random initial weights as a trained model.
        PositiveCount::new(self.epochs).map_err(|e| e.at("epochs"))?;
        self.check_negative_phase()?;
        Ok(())
    }

    /// The options of eq. (5.6)-(5.11): values in range, and fast weights
    /// and tempering only on top of PCD (and not both at once).
    fn check_negative_phase(&self) -> Result<(), RbmError> {
        if let Some(tau) = self.learning_rate_decay_time {
            Positive::new(tau).map_err(|e| e.at("learning_rate_decay_time"))?;
        }
        let is_pcd = matches!(self.estimator, Estimator::Pcd { .. });
        if let Some(fast) = &self.fast_weights {
            fast.check()?;
            if !is_pcd {
                return Err(config_error(
                    "fast_weights",
                    "needs persistent chains: set estimator = { kind = \"pcd\", ... }",
                ));
            }
        }
        if let Some(tempering) = &self.tempering {
            tempering.ladder()?;
            if !is_pcd {
                return Err(config_error(
                    "tempering",
                    "needs persistent chains: set estimator = { kind = \"pcd\", ... }",
                ));
            }
            if self.fast_weights.is_some() {
                return Err(config_error(
                    "tempering",
                    "cannot be combined with fast_weights; choose one negative phase",
                ));
            }
        }
        if let Some(centering) = &self.centering {
            centering.check()?;
        }
        Ok(())
    }
}

/// Copy the rows `rows` of `data` into `batch`, reusing its memory when the
/// shape allows.
fn gather_rows(data: ArrayView2<f32>, rows: &[usize], batch: &mut Array2<f32>) {
    if batch.nrows() != rows.len() {
        *batch = Array2::zeros((rows.len(), data.ncols()));
    }
    for (mut target, &r) in batch.rows_mut().into_iter().zip(rows) {
        target.assign(&data.row(r));
    }
}

/// Trains one RBM: owns the model, the velocity (momentum buffers), the
/// persistent chains for PCD, and a ChaCha8 generator seeded from
/// `config.seed`, so the same model, configuration and data give the same
/// bits every time.
#[derive(Clone, Debug)]
pub struct Trainer {
    rbm: Rbm,
    config: TrainConfig,
    velocity: Gradient,
    chains: Option<PersistentChains>,
    rng: ChaCha8Rng,
    epochs_done: usize,
    /// Parameter updates made so far: the t of eq. (5.6).
    updates_done: u64,
    fast_weights: Option<FastWeights>,
    /// Replaces `chains` when the negative phase is tempered.
    tempering: Option<ParallelTempering>,
    offsets: Option<Offsets>,
    /// Visible units drawn one-hot in the negative phase (label units).
    softmax_group: Option<SoftmaxGroup>,
}

impl Trainer {
    /// Check the configuration and the model (shapes, finite parameters);
    /// for PCD, start the chains (see [`PersistentChains::new`]).
    pub fn new(rbm: Rbm, config: TrainConfig) -> Result<Self, RbmError> {
        config.check()?;
        rbm.to_exact()?;
        // Index 0 of the trainer's streams starts the chains (`streams`).
        let mut rng = stream(config.seed, TRAINER, 0);
        let (chains, tempering) = match (config.estimator, config.tempering) {
            (Estimator::Pcd { n_chains, .. }, Some(t)) => (
                None,
                Some(ParallelTempering::new(
                    &rbm,
                    t.ladder()?,
                    n_chains,
                    &mut rng,
                )?),
            ),
            (Estimator::Pcd { n_chains, .. }, None) => {
                (Some(PersistentChains::new(n_chains, &rbm, &mut rng)), None)
            }
            (Estimator::Cd { .. }, _) => (None, None),
        };
        Ok(Self {
            velocity: Gradient::zeros_like(&rbm),
            fast_weights: config.fast_weights.map(|f| FastWeights::new(f, &rbm)),
            offsets: config.centering.map(|_| Offsets::initial(&rbm)),
            rbm,
            config,
            chains,
            rng,
            epochs_done: 0,
            updates_done: 0,
            tempering,
            softmax_group: None,
        })
    }

    pub fn rbm(&self) -> &Rbm {
        &self.rbm
    }

    pub fn into_rbm(self) -> Rbm {
        self.rbm
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The persistent chains (PCD only).
    pub fn chains(&self) -> Option<&PersistentChains> {
        self.chains.as_ref()
    }

    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }

    /// The velocity (momentum buffers), shaped like the parameters.
    pub fn velocity(&self) -> &Gradient {
        &self.velocity
    }

    /// Parameter updates made so far (the t of eq. (5.6)). Epochs count
    /// epochs_done x minibatches per epoch, so a resumed run continues the
    /// schedule exactly.
    pub fn updates_done(&self) -> u64 {
        self.updates_done
    }

    /// The learning rate of the next update, eq. (5.6).
    pub fn learning_rate(&self) -> f32 {
        learning_rate_at(
            self.config.learning_rate,
            self.config.learning_rate_decay_time,
            self.updates_done,
        )
    }

    /// The fast weights (fast PCD only).
    pub fn fast_weights(&self) -> Option<&FastWeights> {
        self.fast_weights.as_ref()
    }

    /// The tempered chains (tempering only), with their swap rates.
    pub fn tempering(&self) -> Option<&ParallelTempering> {
        self.tempering.as_ref()
    }

    /// The offsets mu and lambda (centering only).
    pub fn offsets(&self) -> Option<&Offsets> {
        self.offsets.as_ref()
    }

    /// A trainer that continues where another stopped: its model, velocity,
    /// persistent chains (PCD only) and number of finished epochs, as saved
    /// in a checkpoint. Since every epoch draws its random numbers from
    /// (seed, epoch) alone, training on from here gives the same bits as a
    /// run that was never interrupted.
    pub fn resume(
        rbm: Rbm,
        config: TrainConfig,
        velocity: Gradient,
        chains: Option<PersistentChains>,
        epochs_done: usize,
    ) -> Result<Self, RbmError> {
        if let Some(field) = [
            config.fast_weights.is_some().then_some("fast_weights"),
            config.tempering.is_some().then_some("tempering"),
            config.centering.is_some().then_some("centering"),
        ]
        .into_iter()
        .flatten()
        .next()
        {
            return Err(config_error(
                field,
                "cannot be resumed: a checkpoint does not store its state; train from the start",
            ));
        }
        let mut trainer = Self::new(rbm, config)?;
        if velocity.weights.dim() != trainer.rbm.weights.dim()
            || velocity.visible_bias.len() != trainer.rbm.n_visible()
            || velocity.hidden_bias.len() != trainer.rbm.n_hidden()
        {
            return Err(config_error(
                "velocity",
                "its shape does not match the model; the checkpoint is damaged",
            ));
        }
        match (&trainer.config.estimator, &chains) {
            (Estimator::Pcd { n_chains, .. }, Some(c))
                if c.n_chains() == *n_chains && c.states().ncols() == trainer.rbm.n_visible() => {}
            (Estimator::Cd { .. }, None) => {}
            _ => {
                return Err(config_error(
                    "chains",
                    "the persistent chains do not match the estimator and the model",
                ));
            }
        }
        trainer.velocity = velocity;
        trainer.chains = chains;
        trainer.epochs_done = epochs_done;
        Ok(trainer)
    }
}

// ANCHOR: trainer_apply
impl Trainer {
    /// One parameter update from a gradient estimate, with momentum and
    /// weight decay, eq. (8.2) (Hinton's guide, sections 9 and 10):
    /// velocity <- momentum * velocity + learning_rate * (gradient - weight_decay * W),
    /// parameters <- parameters + velocity.
    /// The decay term is the gradient of -weight_decay/2 * |W|^2, so it acts
    /// on the weights only, never on the biases. The learning rate is that of
    /// update t, eq. (5.6): constant unless `learning_rate_decay_time` is set.
    pub fn apply(&mut self, gradient: &Gradient, momentum: f32) {
        let lr = self.learning_rate();
        self.updates_done += 1;
        let weight_update = &gradient.weights - &(self.config.weight_decay * &self.rbm.weights);
        let velocity = &mut self.velocity;
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
        self.rbm.weights += &velocity.weights;
        self.rbm.visible_bias += &velocity.visible_bias;
        self.rbm.hidden_bias += &velocity.hidden_bias;
    }
}

/// velocity <- momentum * velocity + learning_rate * update (the Gaussian
/// trainer's update uses it too)
pub(crate) fn add_momentum<D: Dimension>(
    velocity: &mut Array<f32, D>,
    momentum: f32,
    learning_rate: f32,
    update: &Array<f32, D>,
) {
    *velocity *= momentum;
    velocity.scaled_add(learning_rate, update);
}
// ANCHOR_END: trainer_apply

impl Trainer {
    /// One minibatch update with the configured estimator (CD-k or PCD) and
    /// options (fast weights, tempering, centering, decaying rate), by the
    /// readable functions the book shows.
    /// Panics if `batch` does not have `n_visible` columns; see [`check_data`].
    pub fn step(&mut self, batch: ArrayView2<f32>, momentum: f32) {
        let mut rng = self.rng.clone();
        match self.softmax_group.clone() {
            Some(group) => self.softmax_update(&group, batch, momentum, &mut rng),
            None => self.update(batch, momentum, &mut rng),
        }
        self.rng = rng;
    }
}

// ANCHOR: trainer_update
impl Trainer {
    /// One update: the plain estimate (CD-k, PCD, fast PCD or tempered
    /// PCD), centred if asked (eq. 5.10-5.11), applied with momentum at the
    /// rate of eq. (5.6); the fast weights (eq. 5.7) learn from the same step.
    fn update(&mut self, batch: ArrayView2<f32>, momentum: f32, rng: &mut ChaCha8Rng) {
        let (rbm, k) = (&self.rbm, self.config.estimator.n_gibbs_steps());
        // Trainer::new made chains (or tempering) exactly when the estimator is PCD.
        let plain = match (
            self.tempering.as_mut(),
            self.chains.as_mut(),
            &self.fast_weights,
        ) {
            (Some(tempering), _, _) => tempered_gradient(tempering, rbm, batch, k, rng),
            (None, Some(chains), Some(fast)) => fast_pcd_gradient(chains, fast, rbm, batch, k, rng),
            (None, Some(chains), None) => chains.gradient(rbm, batch, k, rng),
            (None, None, _) => cd_gradient(rbm, batch, k, rng),
        };
        let step = match (self.offsets.as_mut(), self.config.centering) {
            (Some(offsets), Some(centering)) => {
                let step = offsets.plain_step(&offsets.centred_gradient(&plain));
                offsets.track(rbm, batch, centering.offset_rate);
                step
            }
            _ => plain,
        };
        self.apply(&step, momentum);
        if let Some(fast) = self.fast_weights.as_mut() {
            fast.learn(&step);
        }
    }
}
// ANCHOR_END: trainer_update

impl Trainer {
    /// Fast weights, tempering and centering run through [`Trainer::update`]
    /// (the readable path); plain CD-k and PCD through the fast kernels.
    fn uses_readable_path(&self) -> bool {
        self.fast_weights.is_some() || self.tempering.is_some() || self.offsets.is_some()
    }

    /// One pass over the data: the examples are shuffled (seeded), cut into
    /// minibatches of `batch_size` (the last may be smaller), and each
    /// minibatch makes one update with the momentum of this epoch
    /// ([`Trainer::train_epoch`]).
    /// The monitors are measured on all of `data` after the epoch.
    /// Panics if `data` does not have `n_visible` columns; see [`check_data`].
    pub fn epoch(&mut self, data: ArrayView2<f32>) -> EpochMonitors {
        let momentum = self.train_epoch(data);
        EpochMonitors {
            epoch: self.epochs_done,
            momentum,
            reconstruction_error: reconstruction_error(&self.rbm, data),
        }
    }

    /// The training pass of [`Trainer::epoch`] without the monitors (which
    /// cost two products over the whole data set): shuffle, then one update
    /// per minibatch, the same update as [`Trainer::step`] computed by the
    /// fast kernels (sparse products, two threads, no allocation per
    /// minibatch). The random numbers of epoch e come from a generator
    /// seeded by (seed, e) alone, so an interrupted run can be resumed
    /// exactly from the state after any epoch. Returns the momentum used.
    /// Panics if `data` does not have `n_visible` columns; see [`check_data`].
    pub fn train_epoch(&mut self, data: ArrayView2<f32>) -> f32 {
        let momentum = self.config.momentum_at(self.epochs_done);
        self.run_epoch(data, &mut |_| ControlFlow::Continue(()))
            .expect("an epoch that is never stopped finishes");
        momentum
    }

    /// [`Trainer::train_epoch`] that calls `after_minibatch` with the number
    /// of minibatches done after each one (for a progress bar) and stops
    /// when it returns `ControlFlow::Break` (for Ctrl-C). A stopped epoch
    /// returns `None` and leaves the trainer exactly as it was before the
    /// epoch; a finished one returns the momentum used.
    pub fn train_epoch_with(
        &mut self,
        data: ArrayView2<f32>,
        after_minibatch: &mut dyn FnMut(usize) -> ControlFlow<()>,
    ) -> Option<f32> {
        let before = self.clone();
        let momentum = self.run_epoch(data, after_minibatch);
        if momentum.is_none() {
            *self = before;
        }
        momentum
    }

    fn run_epoch(
        &mut self,
        data: ArrayView2<f32>,
        after_minibatch: &mut dyn FnMut(usize) -> ControlFlow<()>,
    ) -> Option<f32> {
        let momentum = self.config.momentum_at(self.epochs_done);
        let mut rng = epoch_rng(self.config.seed, self.epochs_done);
        let mut order: Vec<usize> = (0..data.nrows()).collect();
        order.shuffle(&mut rng);
        let k = self.config.estimator.n_gibbs_steps();
        self.updates_done =
            (self.epochs_done * data.nrows().div_ceil(self.config.batch_size)) as u64;
        if self.uses_readable_path() {
            let mut batch = Array2::zeros((0, data.ncols()));
            for (done, rows) in order.chunks(self.config.batch_size).enumerate() {
                gather_rows(data, rows, &mut batch);
                self.update(batch.view(), momentum, &mut rng);
                if after_minibatch(done + 1).is_break() {
                    return None;
                }
            }
            self.epochs_done += 1;
            return Some(momentum);
        }
        let mut workspace = Workspace::new(self.rbm.weights.view(), self.velocity.weights.view())
            .with_softmax_group(self.softmax_group.clone());
        let mut batch = Array2::zeros((0, data.ncols()));
        for (done, rows) in order.chunks(self.config.batch_size).enumerate() {
            gather_rows(data, rows, &mut batch);
            let learning_rate = self.learning_rate();
            let update = Update {
                visible_bias: &mut self.rbm.visible_bias,
                hidden_bias: &mut self.rbm.hidden_bias,
                velocity_visible: &mut self.velocity.visible_bias,
                velocity_hidden: &mut self.velocity.hidden_bias,
                learning_rate,
                momentum,
                weight_decay: self.config.weight_decay,
            };
            let chains = self.chains.as_mut().map(PersistentChains::states_mut);
            workspace.step(batch.view(), chains, k, update, &mut rng);
            self.updates_done += 1;
            if after_minibatch(done + 1).is_break() {
                return None;
            }
        }
        workspace.store(
            self.rbm.weights.view_mut(),
            self.velocity.weights.view_mut(),
        );
        self.epochs_done += 1;
        Some(momentum)
    }

    /// Check the data, then run `config.epochs` epochs; one set of monitors per epoch.
    pub fn train(&mut self, data: ArrayView2<f32>) -> Result<Vec<EpochMonitors>, RbmError> {
        check_data(&self.rbm, data)?;
        Ok((0..self.config.epochs).map(|_| self.epoch(data)).collect())
    }
}

impl Trainer {
    /// Train the visible units `units` as one softmax group (label units,
    /// chapter 10): the negative phase draws them one-hot from
    /// softmax(b_G + (W^T h)_G) instead of as independent Bernoulli units,
    /// in both the fast kernels and [`Trainer::step`]. The data should be
    /// one-hot on the group. PCD chains start as [`PersistentChains::new`]
    /// makes them and are one-hot on the group after their first step.
    /// Refused for a group that does not fit the model, and with fast
    /// weights, tempering or centering, which do not support it.
    pub fn set_softmax_group(&mut self, units: std::ops::Range<usize>) -> Result<(), RbmError> {
        let group = SoftmaxGroup::new(units, self.rbm.n_visible())?;
        if let Some(field) = [
            self.fast_weights.is_some().then_some("fast_weights"),
            self.tempering.is_some().then_some("tempering"),
            self.offsets.is_some().then_some("centering"),
        ]
        .into_iter()
        .flatten()
        .next()
        {
            return Err(config_error(
                field,
                "cannot be combined with a softmax group of visible units (label units); remove it",
            ));
        }
        self.softmax_group = Some(group);
        Ok(())
    }

    /// The update of [`Trainer::step`] with the softmax group drawn one-hot
    /// (plain CD-k or PCD: the other options are refused with a group).
    fn softmax_update(
        &mut self,
        group: &SoftmaxGroup,
        batch: ArrayView2<f32>,
        momentum: f32,
        rng: &mut ChaCha8Rng,
    ) {
        let (rbm, k) = (&self.rbm, self.config.estimator.n_gibbs_steps());
        let gradient = match self.chains.as_mut() {
            Some(chains) => softmax_pcd_gradient(chains, rbm, batch, k, group, rng),
            None => softmax_cd_gradient(rbm, batch, k, group, rng),
        };
        self.apply(&gradient, momentum);
    }

    /// The softmax group of visible units, if one was set.
    pub fn softmax_group(&self) -> Option<&SoftmaxGroup> {
        self.softmax_group.as_ref()
    }
}
