//! The configuration of the cd-bias experiment (experiments/configs/cd-bias.toml).

use bm_exact::{MAX_ENUMERATED_UNITS, MAX_TABLE_UNITS};
use serde::{Deserialize, Serialize};

use crate::config::rules::{at_most, not_empty};
use crate::config::{Check, FieldError};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CdBiasConfig {
    /// Every random draw of the experiment derives from this seed.
    pub seed: u64,
    pub bias: BiasConfig,
    pub spread: SpreadConfig,
    pub training: TrainingConfig,
    pub fixed_points: FixedPointConfig,
}

/// Panel 1: the exact expected CD-k update against the exact gradient along
/// an exact-gradient training run on bars-and-stripes.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BiasConfig {
    /// Bars-and-stripes of `side` x `side` pixels: side^2 visible units.
    pub side: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_hidden: usize,
    /// Standard deviation of the initial weights (biases start at 0).
    #[serde(deserialize_with = "config::de::positive")]
    pub init_std: f64,
    #[serde(deserialize_with = "config::de::positive")]
    pub learning_rate: f64,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub iterations: usize,
    /// Iterations at which the bias is measured for every k in `ks`.
    pub checkpoints: Vec<usize>,
    #[serde(deserialize_with = "config::de::positive_counts")]
    pub ks: Vec<usize>,
    /// Every `trace_every` iterations the bias for `trace_ks` is recorded
    /// against the size of the weights.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub trace_every: usize,
    #[serde(deserialize_with = "config::de::positive_counts")]
    pub trace_ks: Vec<usize>,
}

/// Panel 1b: sampled CD-k estimates on minibatches at one checkpoint.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpreadConfig {
    /// One of `bias.checkpoints`.
    pub checkpoint: usize,
    #[serde(deserialize_with = "config::de::positive_counts")]
    pub ks: Vec<usize>,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub batch_size: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_estimates: usize,
}

/// Panel 2: training curves with the exact log-likelihood.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    pub side: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_hidden: usize,
    #[serde(deserialize_with = "config::de::positives")]
    pub learning_rates: Vec<f64>,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub iterations: usize,
    /// The exact log-likelihood is computed every `eval_every` iterations.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub eval_every: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_seeds: usize,
    /// The exact gradient costs 2^n_hidden states per step: run it for the
    /// first `exact_seeds` seeds only, and for `exact_iterations` iterations.
    pub exact_seeds: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub exact_iterations: usize,
    /// A fall of the log-likelihood from its peak by more than this many nats
    /// counts as "rose, then fell".
    #[serde(deserialize_with = "config::de::positive")]
    pub fall_threshold: f64,
    pub methods: Vec<Method>,
}

/// How a training run estimates the gradient. `centering` (an offset rate,
/// eq. 5.9-5.11) and `decay_time` (tau of eq. 5.6) are optional.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "method", rename_all = "lowercase", deny_unknown_fields)]
pub enum Method {
    /// The exact log-likelihood gradient from bm-exact.
    Exact,
    /// CD-k, chains restarted at the data.
    Cd {
        k: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        centering: Option<f64>,
    },
    /// Persistent CD with `n_chains` fantasy particles.
    Pcd {
        k: usize,
        n_chains: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decay_time: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        centering: Option<f64>,
    },
    /// Fast PCD, eq. (5.7).
    Fpcd {
        k: usize,
        n_chains: usize,
        fast_learning_rate: f64,
        fast_decay: f64,
    },
    /// PCD whose chains are tempered, eq. (5.8): k sweeps per update,
    /// `n_chains` per temperature.
    Pt {
        k: usize,
        n_chains: usize,
        n_temperatures: usize,
        lowest_beta: f64,
    },
}

/// Which figure of the training panel shows a method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// The exact gradient, CD-k and plain PCD.
    Basic,
    /// The better negative phases: decaying rate, fast PCD, tempering.
    NegativePhase,
    /// Centred CD-k and PCD.
    Centering,
}

impl Method {
    pub fn name(&self) -> String {
        match *self {
            Method::Exact => "exact gradient".into(),
            Method::Cd { k, centering } => {
                format!(
                    "{}CD-{k}",
                    if centering.is_some() { "centred " } else { "" }
                )
            }
            Method::Pcd {
                k,
                decay_time,
                centering,
                ..
            } => format!(
                "{}PCD-{k}{}",
                if centering.is_some() { "centred " } else { "" },
                if decay_time.is_some() {
                    ", decaying rate"
                } else {
                    ""
                }
            ),
            Method::Fpcd { k, .. } => format!("FPCD-{k}"),
            Method::Pt {
                k, n_temperatures, ..
            } => format!("PT-{k}, {n_temperatures} temperatures"),
        }
    }

    pub fn group(&self) -> Group {
        match *self {
            Method::Cd {
                centering: Some(_), ..
            }
            | Method::Pcd {
                centering: Some(_), ..
            } => Group::Centering,
            Method::Pcd {
                decay_time: Some(_),
                ..
            }
            | Method::Fpcd { .. }
            | Method::Pt { .. } => Group::NegativePhase,
            _ => Group::Basic,
        }
    }

    /// The method this one improves on, to compare with: the same without
    /// centering, or plain PCD with the same k and chains.
    pub fn baseline(&self) -> Option<Method> {
        match *self {
            Method::Cd {
                k,
                centering: Some(_),
            } => Some(Method::Cd { k, centering: None }),
            Method::Pcd {
                k,
                n_chains,
                decay_time,
                centering: Some(_),
            } => Some(Method::Pcd {
                k,
                n_chains,
                decay_time,
                centering: None,
            }),
            Method::Pcd {
                k,
                n_chains,
                decay_time: Some(_),
                centering: None,
            }
            | Method::Fpcd { k, n_chains, .. }
            | Method::Pt { k, n_chains, .. } => Some(Method::Pcd {
                k,
                n_chains,
                decay_time: None,
                centering: None,
            }),
            _ => None,
        }
    }
}

/// Panel 3: fixed points of CD-1 and of maximum likelihood on random targets.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixedPointConfig {
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_targets: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_visible: usize,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_hidden: usize,
    /// Each target is the empirical distribution of this many examples drawn
    /// from a Dirichlet(`concentration`) distribution over the visible states.
    #[serde(deserialize_with = "config::de::positive_count")]
    pub n_examples: usize,
    #[serde(deserialize_with = "config::de::positive")]
    pub concentration: f64,
    #[serde(deserialize_with = "config::de::positive")]
    pub init_std: f64,
    #[serde(deserialize_with = "config::de::positive")]
    pub learning_rate: f64,
    /// L2 penalty on the weights, the same for both rules. Without it the
    /// weights of the best model often grow without bound, and neither rule
    /// reaches a fixed point.
    #[serde(deserialize_with = "config::de::positive")]
    pub weight_decay: f64,
    /// Heavy-ball momentum in [0, 1): a faster path to the same fixed point.
    #[serde(deserialize_with = "config::de::momentum")]
    pub momentum: f64,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub max_iterations: usize,
    /// Converged when every entry of the update is smaller than this.
    #[serde(deserialize_with = "config::de::positive")]
    pub tolerance: f64,
}

impl Check for CdBiasConfig {
    fn check(&self) -> Result<(), FieldError> {
        self.bias.check()?;
        self.spread.check(&self.bias)?;
        self.training.check()?;
        self.fixed_points.check()
    }
}

fn check_side(field: &str, side: usize) -> Result<(), FieldError> {
    if side < 2 {
        return Err(FieldError::new(
            field,
            format!("is {side}; bars-and-stripes needs side >= 2"),
        ));
    }
    Ok(())
}

const TABLE_LIMIT: &str = "the exact CD-k update enumerates 2^(n_visible + n_hidden) states";

impl BiasConfig {
    fn check(&self) -> Result<(), FieldError> {
        check_side("bias.side", self.side)?;
        at_most(
            "bias.n_hidden",
            self.side
                .saturating_mul(self.side)
                .saturating_add(self.n_hidden),
            MAX_TABLE_UNITS,
            &format!("{TABLE_LIMIT} (side^2 + n_hidden units)"),
        )?;
        not_empty("bias.checkpoints", &self.checkpoints)?;
        if let Some(&c) = self.checkpoints.iter().find(|&&c| c > self.iterations) {
            return Err(FieldError::new(
                "bias.checkpoints",
                format!("{c} is after the last iteration ({})", self.iterations),
            ));
        }
        if !self.checkpoints.windows(2).all(|w| w[0] < w[1]) {
            return Err(FieldError::new(
                "bias.checkpoints",
                "must be strictly increasing",
            ));
        }
        not_empty("bias.ks", &self.ks)?;
        not_empty("bias.trace_ks", &self.trace_ks)
    }
}

impl SpreadConfig {
    fn check(&self, bias: &BiasConfig) -> Result<(), FieldError> {
        if !bias.checkpoints.contains(&self.checkpoint) {
            return Err(FieldError::new(
                "spread.checkpoint",
                format!(
                    "{} is not one of bias.checkpoints {:?}",
                    self.checkpoint, bias.checkpoints
                ),
            ));
        }
        not_empty("spread.ks", &self.ks)
    }
}

impl TrainingConfig {
    /// The bounds that keep the starting models' and the runs' streams
    /// apart (see [`RUN_STREAMS`](super::training::RUN_STREAMS)).
    fn check_stream_counts(&self) -> Result<(), FieldError> {
        use super::training::{MAX_RUNS, RUN_STREAMS};
        at_most(
            "training.n_seeds",
            self.n_seeds,
            RUN_STREAMS as usize,
            "the seeds' random streams would meet the runs'",
        )?;
        let n_runs = self
            .n_seeds
            .saturating_mul(self.methods.len())
            .saturating_mul(self.learning_rates.len());
        if n_runs > MAX_RUNS {
            return Err(FieldError::new(
                "training.n_seeds",
                format!(
                    "{} methods x {} learning rates x {} seeds is more than {MAX_RUNS} runs, \
                     the random streams of one purpose; use fewer",
                    self.methods.len(),
                    self.learning_rates.len(),
                    self.n_seeds
                ),
            ));
        }
        Ok(())
    }

    fn check(&self) -> Result<(), FieldError> {
        check_side("training.side", self.side)?;
        at_most(
            "training.n_hidden",
            self.n_hidden.min(self.side.saturating_mul(self.side)),
            MAX_ENUMERATED_UNITS,
            "exact log Z enumerates the smaller layer",
        )?;
        not_empty("training.learning_rates", &self.learning_rates)?;
        at_most(
            "training.exact_seeds",
            self.exact_seeds,
            self.n_seeds,
            "there are only n_seeds seeds",
        )?;
        at_most(
            "training.exact_iterations",
            self.exact_iterations,
            self.iterations,
            "the exact-gradient run cannot be longer than the others",
        )?;
        not_empty("training.methods", &self.methods)?;
        self.check_stream_counts()?;
        // A tagged enum is read through a buffer that forgets where a value
        // stood, so its counts are checked here, by the same value type.
        for m in &self.methods {
            // The trainer's own check names the field (k, n_chains, tempering, ...).
            super::training::train_config(*m, 0.1, 0)
                .check()
                .map_err(|e| match e {
                    rbm::RbmError::Config { field, problem } => FieldError::new(
                        format!(
                            "training.methods.{}",
                            field.trim_start_matches("estimator.")
                        ),
                        format!("{}: {problem}", m.name()),
                    ),
                    other => FieldError::new("training.methods", other.to_string()),
                })?;
        }
        Ok(())
    }
}

impl FixedPointConfig {
    fn check(&self) -> Result<(), FieldError> {
        at_most(
            "fixed_points.n_hidden",
            self.n_visible.saturating_add(self.n_hidden),
            MAX_TABLE_UNITS,
            &format!("{TABLE_LIMIT} (n_visible + n_hidden units)"),
        )
    }
}
