//! The configuration of the gb-rbm experiment (experiments/configs/gb-rbm.toml).

use rbm::{Estimator, GaussianTrainConfig, MAX_EXACT_HIDDEN_UNITS};
use serde::{Deserialize, Serialize};

use crate::config::{Check, FieldError};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GbRbmConfig {
    /// Every random draw of the experiment derives from this seed.
    pub seed: u64,
    pub data: DataConfig,
    pub training: TrainingGrid,
    pub ais: AisConfig,
}

/// The 8x8 digits, split at random into a training and a test set.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// The digits file (`datasets::read_digits_8x8`), relative to the
    /// workspace root.
    pub file: String,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_train: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_test: usize,
}

/// Every combination of the lists is trained `n_repeats` times (with
/// different initial weights and minibatch orders).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingGrid {
    #[serde(deserialize_with = "config::de::positive_counts")]
    pub n_hidden: Vec<usize>,
    #[serde(deserialize_with = "config::de::positives")]
    pub learning_rates: Vec<f32>,
    pub estimators: Vec<Estimator>,
    /// false: unit variances (z = 0); true: z learned, eq. (9.6).
    pub learn_variance: Vec<bool>,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_repeats: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub epochs: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub batch_size: usize,
    #[serde(deserialize_with = "config::de::non_negative")]
    pub weight_decay: f32,
}

/// AIS for every trained model, eq. (9.9)-(9.11).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AisConfig {
    /// Inverse temperatures of the schedule (`AisSchedule::scaled`).
    pub n_betas: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_chains: usize,
}

impl TrainingGrid {
    /// The trainer's settings for one cell of the grid; momentum follows
    /// the trainer's defaults (0.5, then 0.9 from epoch 5).
    pub fn train_config(
        &self,
        learning_rate: f32,
        estimator: Estimator,
        learn_variance: bool,
    ) -> GaussianTrainConfig {
        GaussianTrainConfig {
            learning_rate,
            weight_decay: self.weight_decay,
            batch_size: self.batch_size,
            epochs: self.epochs,
            estimator,
            learn_variance,
            ..GaussianTrainConfig::default()
        }
    }
}

fn non_empty<T>(field: &str, list: &[T]) -> Result<(), FieldError> {
    if list.is_empty() {
        return Err(FieldError::new(field, "is empty; give at least one value"));
    }
    Ok(())
}

impl Check for GbRbmConfig {
    /// The checks across fields and of the lists' lengths; each value on
    /// its own was checked as the TOML was read.
    fn check(&self) -> Result<(), FieldError> {
        let t = &self.training;
        non_empty("training.n_hidden", &t.n_hidden)?;
        if let Some(&n) = t.n_hidden.iter().find(|&&n| n > 4096) {
            return Err(FieldError::new(
                "training.n_hidden",
                format!("is {n}; more than 4096 hidden units is not a teaching-sized model"),
            ));
        }
        non_empty("training.learning_rates", &t.learning_rates)?;
        non_empty("training.estimators", &t.estimators)?;
        for e in &t.estimators {
            if e.n_gibbs_steps() == 0 {
                return Err(FieldError::new(
                    "training.estimators.k",
                    "k = 0 Gibbs steps; CD-k and PCD-k need k >= 1",
                ));
            }
            if let Estimator::Pcd { n_chains: 0, .. } = e {
                return Err(FieldError::new(
                    "training.estimators.n_chains",
                    "PCD needs at least one persistent chain",
                ));
            }
        }
        non_empty("training.learn_variance", &t.learn_variance)?;
        if self.ais.n_betas < 2 {
            return Err(FieldError::new(
                "ais.n_betas",
                format!(
                    "is {}; AIS needs at least 2 inverse temperatures",
                    self.ais.n_betas
                ),
            ));
        }
        Ok(())
    }
}

/// Whether the closed form (9.5) is computed for a hidden layer this size.
pub fn exact_feasible(n_hidden: usize) -> bool {
    n_hidden <= MAX_EXACT_HIDDEN_UNITS.min(20)
}
