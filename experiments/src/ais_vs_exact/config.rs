//! The configuration of the ais-vs-exact experiment
//! (experiments/configs/ais-vs-exact.toml).

use bm_exact::{MAX_ENUMERATED_UNITS, MAX_TABLE_UNITS};
use serde::{Deserialize, Serialize};

use crate::config::rules::{at_most, not_empty};
use crate::config::{Check, FieldError};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AisVsExactConfig {
    /// Every random draw of the experiment derives from this seed.
    pub seed: u64,
    /// RBMs trained on real digits (exact log Z still feasible).
    pub mnist: Vec<MnistModel>,
    /// An RBM trained on bars-and-stripes.
    pub bars: BarsModel,
    pub ais: AisSweep,
    pub mixing: MixingConfig,
}

/// An RBM trained on the first `n_examples` shipped MNIST digits.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MnistModel {
    /// A short name for figures and tables, e.g. "MNIST CD-1".
    pub name: String,
    /// An MNIST-style IDX folder, relative to the workspace root.
    pub folder: String,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_examples: usize,
    /// Pixels above this intensity become 1.
    #[serde(deserialize_with = "config::de::proper_fraction")]
    pub threshold: f64,
    /// Exact log Z enumerates 2^n_hidden states.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_hidden: usize,
    pub train: rbm::TrainConfig,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BarsModel {
    pub name: String,
    pub side: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_hidden: usize,
    pub train: rbm::TrainConfig,
}

/// AIS against exact log Z: the error against the number of inverse
/// temperatures (at `chains_for_betas` chains) and against the number of
/// chains (at `betas_for_chains` inverse temperatures), `n_seeds` runs each.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AisSweep {
    pub n_betas: Vec<usize>,
    /// AIS needs at least one chain.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub chains_for_betas: usize,
    #[serde(deserialize_with = "config::de::positive_counts")]
    pub n_chains: Vec<usize>,
    pub betas_for_chains: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_seeds: usize,
    /// Also run reverse AIS from exact samples (drawn through the exact
    /// hidden table, so n_hidden <= 22) at each entry of `n_betas`.
    pub reverse: bool,
}

/// Parallel tempering against plain block Gibbs on a bimodal (multimodal)
/// model: an RBM trained on `side` x `side` bars-and-stripes.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MixingConfig {
    pub side: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_hidden: usize,
    pub train: rbm::TrainConfig,
    /// Chains of each sampler (PT: at each temperature).
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_chains: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_sweeps: usize,
    /// The total variation distance is measured at these sweeps' ends.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub record_every: usize,
    /// Independent repeats of both samplers.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_repeats: usize,
    /// The inverse temperatures of parallel tempering: 1 first (the model
    /// itself), then strictly decreasing and above 0.
    pub ladder: Vec<f64>,
}

impl Check for AisVsExactConfig {
    fn check(&self) -> Result<(), FieldError> {
        not_empty("mnist", &self.mnist)?;
        for m in &self.mnist {
            m.check()?;
        }
        self.bars.check()?;
        self.ais.check(
            self.mnist
                .iter()
                .map(|m| m.n_hidden)
                .chain([self.bars.n_hidden]),
        )?;
        self.mixing.check()
    }
}

/// rbm's own check of a training configuration, with the field's full name.
fn check_train(table: &str, train: &rbm::TrainConfig) -> Result<(), FieldError> {
    train.check().map_err(|e| match e {
        rbm::RbmError::Config { field, problem } => {
            FieldError::new(field, problem).within(&format!("{table}.train"))
        }
        other => FieldError::new(format!("{table}.train"), other.to_string()),
    })
}

fn check_side(field: &str, side: usize) -> Result<(), FieldError> {
    if !(2..=datasets::MAX_SIDE).contains(&side) {
        return Err(FieldError::new(
            field,
            format!(
                "is {side}; bars-and-stripes needs 2 <= side <= {}",
                datasets::MAX_SIDE
            ),
        ));
    }
    Ok(())
}

const EXACT_LIMIT: &str = "exact log Z enumerates the hidden layer";

impl MnistModel {
    fn check(&self) -> Result<(), FieldError> {
        at_most(
            "mnist.n_hidden",
            self.n_hidden,
            MAX_ENUMERATED_UNITS,
            EXACT_LIMIT,
        )?;
        check_train("mnist", &self.train)
    }
}

impl BarsModel {
    fn check(&self) -> Result<(), FieldError> {
        check_side("bars.side", self.side)?;
        at_most(
            "bars.n_hidden",
            self.n_hidden,
            MAX_ENUMERATED_UNITS,
            EXACT_LIMIT,
        )?;
        check_train("bars", &self.train)
    }
}

/// A list of counts: not empty, every entry >= `min`, strictly increasing
/// (the entries' order is a check across entries, so it stays as code).
fn check_increasing(
    field: &str,
    values: &[usize],
    min: usize,
    why: &str,
) -> Result<(), FieldError> {
    not_empty(field, values)?;
    if let Some(v) = values.iter().find(|&&v| v < min) {
        return Err(FieldError::new(
            field,
            format!("{v} is less than {min}: {why}"),
        ));
    }
    if let Some(w) = values.windows(2).find(|w| w[1] <= w[0]) {
        return Err(FieldError::new(
            field,
            format!(
                "{} after {} is not increasing; list the values in increasing order",
                w[1], w[0]
            ),
        ));
    }
    Ok(())
}

const BETAS_WHY: &str = "an AIS schedule needs at least the inverse temperatures 0 and 1";
const CHAINS_WHY: &str = "AIS needs at least one chain";

impl AisSweep {
    fn check(&self, n_hidden: impl Iterator<Item = usize>) -> Result<(), FieldError> {
        check_increasing("ais.n_betas", &self.n_betas, 2, BETAS_WHY)?;
        check_increasing("ais.n_chains", &self.n_chains, 1, CHAINS_WHY)?;
        if self.betas_for_chains < 2 {
            return Err(FieldError::new(
                "ais.betas_for_chains",
                format!("is {}; {BETAS_WHY}", self.betas_for_chains),
            ));
        }
        if self.reverse
            && let Some(n) = n_hidden.max()
        {
            at_most(
                "ais.reverse",
                n,
                MAX_TABLE_UNITS,
                "exact samples for reverse AIS need a table of p(h) (largest n_hidden of the models)",
            )?;
        }
        Ok(())
    }
}

impl MixingConfig {
    fn check(&self) -> Result<(), FieldError> {
        check_side("mixing.side", self.side)?;
        at_most(
            "mixing.side",
            self.side.saturating_mul(self.side),
            MAX_TABLE_UNITS,
            "the total variation distance needs the table of p(v)",
        )?;
        at_most(
            "mixing.n_hidden",
            self.n_hidden,
            MAX_ENUMERATED_UNITS,
            EXACT_LIMIT,
        )?;
        check_train("mixing", &self.train)?;
        at_most(
            "mixing.record_every",
            self.record_every,
            self.n_sweeps,
            "there would be nothing to record",
        )?;
        if self.ladder.len() < 2 {
            return Err(FieldError::new(
                "mixing.ladder",
                format!(
                    "has {} inverse temperatures; parallel tempering needs 1 and at least one \
                     hotter one, e.g. [1.0, 0.7, 0.5]",
                    self.ladder.len()
                ),
            ));
        }
        rbm::TemperatureLadder::new(self.ladder.clone())
            .map(|_| ())
            .map_err(|e| match e {
                rbm::RbmError::Config { problem, .. } => FieldError::new("mixing.ladder", problem),
                other => FieldError::new("mixing.ladder", other.to_string()),
            })
    }
}
