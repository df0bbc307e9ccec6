//! The configuration of the dbn-digits experiment.

use dbn::{FineTuneConfig, GreedyConfig, LayerConfig};
use serde::{Deserialize, Serialize};

use crate::config::{Check, FieldError};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DbnDigitsConfig {
    /// Seeds the split, the random initialisation and the samples.
    pub seed: u64,
    pub data: DataConfig,
    /// The single RBM of scikit-learn's example, for its features.
    pub rbm: LayerConfig,
    /// The stack: features, fine-tuning and (with labels) the generative classifier.
    pub dbn: GreedyConfig,
    /// Softmax regression on pixels and on features.
    pub logistic: FineTuneConfig,
    /// Backpropagation through the unrolled net and through the random one.
    pub fine_tune: FineTuneConfig,
    pub samples: SamplesConfig,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// The digits file, relative to the workspace root.
    pub file: String,
    /// Use only the first this many of the 1,797 digits (before nudging).
    pub max_digits: Option<usize>,
    /// The fraction of the nudged images held out for testing (0.2 in the example).
    pub test_fraction: f64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SamplesConfig {
    /// Generated digits per clamped label.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_per_label: usize,
    /// Gibbs steps in the top RBM before the down-pass.
    pub n_gibbs_steps: usize,
    /// Also generate with the label weights multiplied by this gain
    /// (eq. 10.14): a second grid, `NAME-generated-gain.png`.
    #[serde(default)]
    pub label_gain: Option<f32>,
}

impl SamplesConfig {
    /// Refuse a label gain that is not a finite number > 0.
    pub fn check(&self) -> Result<(), FieldError> {
        match self.label_gain.filter(|g| !(g.is_finite() && *g > 0.0)) {
            Some(g) => Err(FieldError::new(
                "samples.label_gain",
                format!("is {g}; expected a finite number > 0 (1 is the net itself)"),
            )),
            None => Ok(()),
        }
    }
}

fn field(prefix: &str, e: dbn::DbnError) -> FieldError {
    FieldError::new(prefix, e.to_string())
}

impl Check for DbnDigitsConfig {
    fn check(&self) -> Result<(), FieldError> {
        if !(self.data.test_fraction > 0.0 && self.data.test_fraction < 1.0) {
            return Err(FieldError::new(
                "data.test_fraction",
                "must lie strictly between 0 and 1",
            ));
        }
        if self.data.max_digits == Some(0) {
            return Err(FieldError::new("data.max_digits", "must be at least 1"));
        }
        let single = GreedyConfig {
            seed: self.seed,
            up_pass: dbn::UpPass::Probabilities,
            layers: vec![self.rbm.clone()],
        };
        single.check().map_err(|e| field("rbm", e))?;
        self.dbn.check().map_err(|e| field("dbn.layers", e))?;
        self.logistic.check().map_err(|e| field("logistic", e))?;
        self.fine_tune.check().map_err(|e| field("fine_tune", e))?;
        self.samples.check()
    }
}
