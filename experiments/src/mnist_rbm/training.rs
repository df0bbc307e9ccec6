//! Training one RBM with the fast epoch of `rbm::Trainer`, with the
//! monitors of Hinton's guide (section 6) recorded after every epoch.

use anyhow::{Context, Result};
use rbm::{Estimator, Rbm, Trainer};
use serde::{Deserialize, Serialize};

use super::config::{TrainingConfig, estimator_name};
use super::data::Digits;
use super::{STREAM_INIT, STREAM_TRAIN, stream};
use rand::Rng;

/// The monitors of one training run, one entry per epoch (entry 0 is the
/// initial model).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingRun {
    pub name: String,
    pub n_hidden: usize,
    pub estimator: Estimator,
    /// The seed handed to `rbm::TrainConfig`.
    pub seed: u64,
    /// The momentum from `momentum_switch_epoch` on.
    pub final_momentum: f64,
    pub epochs: Vec<usize>,
    /// mean F(test) - mean F(train subset of the same size), eq. (2.3):
    /// log Z cancels, so it is exact at any size.
    pub free_energy_gap: Vec<f64>,
    /// Squared reconstruction error per digit on the training subset.
    pub reconstruction_error: Vec<f64>,
    /// The Frobenius norm of W.
    pub weight_norm: Vec<f64>,
}

impl TrainingRun {
    fn record(&mut self, epoch: usize, rbm: &Rbm, digits: &Digits) {
        let train = digits.train_subset();
        self.epochs.push(epoch);
        self.free_energy_gap.push(f64::from(rbm::free_energy_gap(
            rbm,
            train,
            digits.test.view(),
        )));
        self.reconstruction_error
            .push(f64::from(rbm::reconstruction_error(rbm, train)));
        let norm = rbm
            .weights
            .iter()
            .map(|w| f64::from(*w).powi(2))
            .sum::<f64>();
        self.weight_norm.push(norm.sqrt());
    }
}

/// Train an RBM with `n_hidden` hidden units on `digits.train` from Hinton's
/// initialisation (eq. 8.1) with the update (8.2); `final_momentum`, if
/// given, replaces `training.final_momentum`; `index` picks the random
/// streams of this model.
#[allow(clippy::too_many_arguments)]
pub fn train(
    n_hidden: usize,
    estimator: Estimator,
    final_momentum: Option<f64>,
    training: &TrainingConfig,
    digits: &Digits,
    seed: u64,
    index: u32,
) -> Result<(Rbm, TrainingRun)> {
    let rbm = Rbm::initialise(
        n_hidden,
        digits.train.view(),
        &mut stream(seed, STREAM_INIT, index),
    );
    let train_seed = stream(seed, STREAM_TRAIN, index).random();
    let config = training.train_config(estimator, final_momentum, train_seed);
    rbm::check_data(&rbm, digits.train.view())?;
    let mut trainer = Trainer::new(rbm, config).context("starting the trainer")?;
    let mut run = TrainingRun {
        name: estimator_name(&estimator),
        n_hidden,
        estimator,
        seed: train_seed,
        final_momentum: final_momentum.unwrap_or(training.final_momentum),
        epochs: Vec::new(),
        free_energy_gap: Vec::new(),
        reconstruction_error: Vec::new(),
        weight_norm: Vec::new(),
    };
    run.record(0, trainer.rbm(), digits);
    for epoch in 1..=training.epochs {
        trainer.train_epoch(digits.train.view());
        run.record(epoch, trainer.rbm(), digits);
    }
    Ok((trainer.into_rbm(), run))
}
