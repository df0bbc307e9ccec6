//! The configuration of the mnist-rbm experiment
//! (experiments/configs/mnist-rbm.toml).

use bm_exact::MAX_ENUMERATED_UNITS;
use rbm::Estimator;
use serde::{Deserialize, Serialize};

use config::{Momentum, ProperFraction};

use crate::config::rules::{at_most, not_empty};
use crate::config::{Check, FieldError};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MnistRbmConfig {
    /// Every random draw of the experiment derives from this seed.
    pub seed: u64,
    pub data: DataConfig,
    pub training: TrainingConfig,
    /// The large models: one per estimator, all with `n_hidden` hidden units.
    pub models: ModelsConfig,
    /// The small model whose log Z is computed exactly as well.
    pub small: SmallConfig,
    pub ais: AisConfig,
    pub samples: SamplesConfig,
    pub filters: FiltersConfig,
}

/// The digits and how they are made binary.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// An MNIST-style folder of IDX files, relative to the workspace root.
    pub folder: String,
    /// Use the first `n_train` digits of the `train` split (at most 8,000 shipped).
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_train: usize,
    /// Use the first `n_test` digits of the `t10k` split (at most 2,000 shipped).
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_test: usize,
    pub binarize: Binarize,
}

/// How intensities in [0, 1] become binary pixels, once, before training:
/// the `config` crate's, with an f64 threshold. `kind = "sample"` draws
/// each pixel on with probability its intensity (what Salakhutdinov &
/// Murray did), from its `seed` if given, else from the experiment's seed;
/// `kind = "none"` keeps the intensities as probabilities.
pub type Binarize = config::Binarize<f64>;

/// The training settings shared by every model (Hinton's practical guide).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    #[serde(deserialize_with = "config::de::positive")]
    pub learning_rate: f64,
    #[serde(deserialize_with = "config::de::momentum")]
    pub initial_momentum: f64,
    #[serde(deserialize_with = "config::de::momentum")]
    pub final_momentum: f64,
    /// The epoch (counted from 0) from which `final_momentum` is used.
    pub momentum_switch_epoch: usize,
    /// L2 penalty on the weights only.
    #[serde(deserialize_with = "config::de::non_negative")]
    pub weight_decay: f64,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub batch_size: usize,
    /// The same number of epochs for every model.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub epochs: usize,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsConfig {
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_hidden: usize,
    /// One model per entry, e.g. `{ kind = "cd", k = 1 }` or
    /// `{ kind = "pcd", k = 1, n_chains = 100 }`.
    pub estimators: Vec<Estimator>,
    /// The final momentum of PCD models, if not `training.final_momentum`:
    /// persistent chains cannot follow parameters that move fast, and with
    /// momentum 0.9 the step is effectively ten times the learning rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcd_final_momentum: Option<Momentum>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmallConfig {
    /// Few enough for exact enumeration of the hidden layer (2^n_hidden states).
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_hidden: usize,
    pub estimator: Estimator,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AisConfig {
    /// Inverse temperatures, spaced like Salakhutdinov & Murray's schedule
    /// (14,501 is theirs).
    pub n_betas: usize,
    pub n_chains: usize,
}

/// Long Gibbs chains from random states, shown every `snapshot_every` steps.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SamplesConfig {
    /// The models to sample, by name (`CD-1`, `PCD-1`, ...).
    pub models: Vec<String>,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_chains: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_snapshots: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub snapshot_every: usize,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FiltersConfig {
    /// The model whose filters (rows of W) are drawn, by name.
    pub model: String,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_filters: usize,
}

/// The name of a model trained with `estimator`: `CD-3` or `PCD-1`.
pub fn estimator_name(estimator: &Estimator) -> String {
    match *estimator {
        Estimator::Cd { k } => format!("CD-{k}"),
        Estimator::Pcd { k, .. } => format!("PCD-{k}"),
    }
}

impl Check for MnistRbmConfig {
    fn check(&self) -> Result<(), FieldError> {
        self.data.check()?;
        self.models.check()?;
        self.small.check()?;
        self.ais.check()?;
        let names: Vec<String> = self.models.estimators.iter().map(estimator_name).collect();
        self.samples.check(&names)?;
        self.filters.check(&names, self.models.n_hidden)
    }
}

impl DataConfig {
    /// The checks of the data table that its value types cannot make.
    pub(crate) fn check(&self) -> Result<(), FieldError> {
        if self.folder.trim().is_empty() {
            return Err(FieldError::new(
                "data.folder",
                "is empty; try \"data/mnist-10k\"",
            ));
        }
        // Checked as it was read (`BinarizeTable`); again for values set in code.
        if let Binarize::Threshold { threshold } = self.binarize {
            ProperFraction::new(threshold).map_err(|e| e.at("data.binarize.threshold"))?;
        }
        Ok(())
    }
}

impl TrainingConfig {
    /// The trainer's configuration for one model; `final_momentum` replaces
    /// `self.final_momentum` when given.
    pub fn train_config(
        &self,
        estimator: Estimator,
        final_momentum: Option<f64>,
        seed: u64,
    ) -> rbm::TrainConfig {
        rbm::TrainConfig {
            learning_rate: self.learning_rate as f32,
            initial_momentum: self.initial_momentum as f32,
            final_momentum: final_momentum.unwrap_or(self.final_momentum) as f32,
            momentum_switch_epoch: self.momentum_switch_epoch,
            weight_decay: self.weight_decay as f32,
            batch_size: self.batch_size,
            epochs: self.epochs,
            estimator,
            seed,
            ..rbm::TrainConfig::default()
        }
    }
}

impl ModelsConfig {
    /// `pcd_final_momentum` for a PCD estimator, else `None` (the shared one).
    pub fn final_momentum_for(&self, estimator: &Estimator) -> Option<f64> {
        match estimator {
            Estimator::Pcd { .. } => self.pcd_final_momentum.map(Momentum::get),
            Estimator::Cd { .. } => None,
        }
    }

    fn check(&self) -> Result<(), FieldError> {
        not_empty("models.estimators", &self.estimators)?;
        at_most(
            "models.estimators",
            self.estimators.len(),
            super::SMALL_MODEL as usize,
            "the large models' random streams would meet the small model's",
        )?;
        for e in &self.estimators {
            e.check().map_err(|e| e.within("models.estimators"))?;
        }
        let names: Vec<String> = self.estimators.iter().map(estimator_name).collect();
        if let Some(twice) = names
            .iter()
            .find(|n| names.iter().filter(|m| m == n).count() > 1)
        {
            return Err(FieldError::new(
                "models.estimators",
                format!("{twice} appears twice; each model needs its own name"),
            ));
        }
        Ok(())
    }
}

impl SmallConfig {
    fn check(&self) -> Result<(), FieldError> {
        at_most(
            "small.n_hidden",
            self.n_hidden,
            MAX_ENUMERATED_UNITS.min(24),
            "exact log Z enumerates the 2^n_hidden hidden states",
        )?;
        self.estimator
            .check()
            .map_err(|e| e.within("small.estimator"))
    }
}

impl AisConfig {
    fn check(&self) -> Result<(), FieldError> {
        if self.n_betas < 2 {
            return Err(FieldError::new(
                "ais.n_betas",
                format!(
                    "is {}; AIS needs at least 2 inverse temperatures (0 and 1), usually thousands",
                    self.n_betas
                ),
            ));
        }
        if self.n_chains < 2 {
            return Err(FieldError::new(
                "ais.n_chains",
                format!(
                    "is {}; the error bar needs at least 2 chains (Salakhutdinov & Murray used 100)",
                    self.n_chains
                ),
            ));
        }
        Ok(())
    }
}

fn check_model_name(field: &str, name: &str, names: &[String]) -> Result<(), FieldError> {
    if !names.iter().any(|n| n == name) {
        return Err(FieldError::new(
            field,
            format!("`{name}` is not one of the models {names:?}"),
        ));
    }
    Ok(())
}

impl SamplesConfig {
    fn check(&self, names: &[String]) -> Result<(), FieldError> {
        not_empty("samples.models", &self.models)?;
        self.models
            .iter()
            .try_for_each(|m| check_model_name("samples.models", m, names))
    }
}

impl FiltersConfig {
    fn check(&self, names: &[String], n_hidden: usize) -> Result<(), FieldError> {
        check_model_name("filters.model", &self.model, names)?;
        at_most(
            "filters.n_filters",
            self.n_filters,
            n_hidden,
            "a model has only models.n_hidden filters",
        )
    }
}
