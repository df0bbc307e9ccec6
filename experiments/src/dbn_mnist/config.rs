//! The configuration of the dbn-mnist experiment.

use dbn::{FineTuneConfig, GreedyConfig};
use serde::{Deserialize, Serialize};

use crate::config::{Check, FieldError};
use crate::dbn_digits::config::SamplesConfig;
use crate::mnist_rbm::config::DataConfig;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DbnMnistConfig {
    /// Seeds the binarisation, the random initialisation, the samples and AIS.
    pub seed: u64,
    /// The digits, as in mnist-rbm: folder, n_train, n_test, binarize.
    pub data: DataConfig,
    /// The stack; its top RBM learns 10 label units beside the penultimate layer.
    pub dbn: GreedyConfig,
    /// Softmax regression on the pixels and on the DBN's features.
    pub logistic: FineTuneConfig,
    /// Backpropagation through the unrolled net and through the random one.
    pub fine_tune: FineTuneConfig,
    pub samples: SamplesConfig,
    pub bound: BoundConfig,
    /// How strongly the label drives the top RBM (optional).
    #[serde(default)]
    pub label_strength: Option<super::label_strength::LabelStrengthConfig>,
}

/// The AIS bound of eq. (10.11)-(10.12) on the test digits.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BoundConfig {
    /// Inverse temperatures of each AIS run (Salakhutdinov & Murray's shape,
    /// `rbm::AisSchedule::scaled`); they used 14,501.
    pub n_betas: usize,
    /// AIS chains of each repeat. One run anneals (h_2, label) together,
    /// the labels as a softmax group, eq. (10.13).
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_chains: usize,
    /// Independent repeats of `n_chains` chains: their estimates pooled give
    /// log Z, their spread says whether to trust it.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_repeats: usize,
    /// The first this many test digits enter the bound.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_examples: usize,
    /// Recognition samples per digit (at least 2, for the error bar).
    pub n_samples: usize,
}

impl Check for DbnMnistConfig {
    fn check(&self) -> Result<(), FieldError> {
        self.data.check()?;
        let field = |prefix: &str, e: dbn::DbnError| FieldError::new(prefix, e.to_string());
        self.dbn.check().map_err(|e| field("dbn.layers", e))?;
        if self.dbn.layers.len() < 2 {
            return Err(FieldError::new(
                "dbn.layers",
                "give at least two layers: the bound and the label units need a top RBM above a first layer",
            ));
        }
        self.logistic.check().map_err(|e| field("logistic", e))?;
        self.fine_tune.check().map_err(|e| field("fine_tune", e))?;
        if self.bound.n_betas < 2 {
            return Err(FieldError::new(
                "bound.n_betas",
                "must be at least 2 (0 and 1)",
            ));
        }
        self.samples.check()?;
        if let Some(l) = &self.label_strength {
            l.check()?;
        }
        if self.bound.n_samples < 2 {
            return Err(FieldError::new(
                "bound.n_samples",
                "must be at least 2: the spread of the samples gives the error bar",
            ));
        }
        Ok(())
    }
}
