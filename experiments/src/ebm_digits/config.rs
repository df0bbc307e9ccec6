//! The configuration of ebm-digits: TOML with unknown fields refused, checked
//! before any work starts.

use serde::{Deserialize, Serialize};

use crate::config::{Check, FieldError};

/// Where the digits and the Fashion-MNIST images come from.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// An MNIST-style IDX folder (relative to the workspace root unless absolute).
    pub folder: String,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_train: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_test: usize,
    /// An IDX folder whose `t10k` split holds the Fashion-MNIST images.
    pub fashion_folder: String,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_fashion: usize,
}

/// The baseline: a Bernoulli RBM trained with `rbm::Trainer` on the same
/// digits, binarised by a draw with each pixel's intensity as probability.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RbmConfig {
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_hidden: usize,
    pub train: rbm::TrainConfig,
}

/// How the outliers are made from the test digits.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OutlierConfig {
    /// Standard deviation of the Gaussian noise added to each pixel (the
    /// result is clipped to [0, 1]).
    #[serde(deserialize_with = "config::de::non_negative")]
    pub noise_std: f64,
    /// Shrunken digits are scaled by this factor about the image centre.
    #[serde(deserialize_with = "config::de::positive")]
    pub shrink_factor: f64,
}

/// The sample figures.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SamplesConfig {
    /// Images in each grid (from the buffer, and fresh chains).
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_images: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub images_per_row: usize,
    /// ULA steps of the fresh chains from uniform noise, with the training's
    /// step size, recorded at each entry (increasing).
    #[serde(deserialize_with = "config::de::positive_counts")]
    pub fresh_steps: Vec<usize>,
    /// The practitioner's cooled sampler (eq. 11.7) from the same noise:
    /// step size, noise, and steps; samples clamped to [0, 1].
    #[serde(deserialize_with = "config::de::positive")]
    pub cooled_step_size: f64,
    #[serde(deserialize_with = "config::de::positive")]
    pub cooled_noise_std: f64,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub cooled_steps: usize,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EbmDigitsConfig {
    pub seed: u64,
    /// The training curves are recorded every this many iterations.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub log_every: usize,
    pub data: DataConfig,
    pub ebm: ebm_langevin::TrainConfig,
    pub rbm: RbmConfig,
    pub outliers: OutlierConfig,
    pub samples: SamplesConfig,
}

impl Check for EbmDigitsConfig {
    /// What the value types cannot say: the trainers' own checks, a shrink
    /// factor of at most 1, and increasing step counts.
    fn check(&self) -> Result<(), FieldError> {
        self.ebm
            .check()
            .map_err(|e| FieldError::new("ebm", e.to_string()))?;
        self.rbm
            .train
            .check()
            .map_err(|e| FieldError::new("rbm.train", e.to_string()))?;
        let s = self.outliers.shrink_factor;
        if s > 1.0 {
            return Err(FieldError::new(
                "outliers.shrink_factor",
                format!("is {s}; expected a factor in (0, 1]"),
            ));
        }
        let steps = &self.samples.fresh_steps;
        if steps.is_empty() || steps.windows(2).any(|w| w[0] >= w[1]) {
            return Err(FieldError::new(
                "samples.fresh_steps",
                format!("is {steps:?}; expected at least one step count, increasing"),
            ));
        }
        Ok(())
    }
}
