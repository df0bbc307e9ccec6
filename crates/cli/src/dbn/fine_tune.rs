//! The fine-tuning phase of `boltzmann dbn train`: after greedy training,
//! the net unrolled into a feed-forward classifier (eq. 10.9) and trained by
//! backpropagation (eq. 10.10) on the labelled training data, epoch by epoch,
//! with a checkpoint after each; the result is the model file's
//! `[classifier]` table.
//!
//! The checkpoint of this phase holds the pretrained net (its model file
//! text), the classifier, its velocity and the epochs done; every f32 is
//! written in its shortest round-trip form, so `--resume` continues with the
//! same bits.

use std::ops::ControlFlow;

use dbn::{Classifier, Dbn, Dense, FineTuneConfig, FineTuner};
use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::dbn_error;

/// What `--fine-tune-*` flags do not set: momentum 0.9, no weight decay.
pub const FLAG_MOMENTUM: f32 = 0.9;

#[derive(Serialize, Deserialize)]
pub struct DenseState {
    weights: Vec<Vec<f32>>,
    bias: Vec<f32>,
}

/// The fine-tuning part of a checkpoint.
#[derive(Serialize, Deserialize)]
pub struct FineTuneState {
    /// The pretrained net as a `format = "dbn"` file.
    net: String,
    classifier: Vec<DenseState>,
    velocity: Vec<DenseState>,
    epochs_done: usize,
}

/// Where an interrupted fine-tuning phase continues.
pub struct FineTuneResume {
    pub net: Dbn,
    pub tuner: FineTuner,
}

fn dense_states(layers: &[Dense]) -> Vec<DenseState> {
    layers
        .iter()
        .map(|l| DenseState {
            weights: l.weights.rows().into_iter().map(|r| r.to_vec()).collect(),
            bias: l.bias.to_vec(),
        })
        .collect()
}

fn dense_layers(states: &[DenseState]) -> anyhow::Result<Vec<Dense>> {
    states
        .iter()
        .map(|s| {
            let n_cols = s.weights.first().map_or(0, Vec::len);
            let flat: Vec<f32> = s.weights.iter().flatten().copied().collect();
            Ok(Dense {
                weights: ndarray::Array2::from_shape_vec((s.weights.len(), n_cols), flat)?,
                bias: Array1::from(s.bias.clone()),
            })
        })
        .collect()
}

/// The state to checkpoint after a fine-tuning epoch.
pub fn state(net: &Dbn, tuner: &FineTuner) -> FineTuneState {
    FineTuneState {
        net: net.to_toml_string(),
        classifier: dense_states(&tuner.classifier().layers),
        velocity: dense_states(tuner.velocity()),
        epochs_done: tuner.epochs_done(),
    }
}

/// The net and the tuner back from a checkpoint; refused, naming the field,
/// when they do not fit together.
pub fn restore(state: FineTuneState, config: &FineTuneConfig) -> anyhow::Result<FineTuneResume> {
    let net = Dbn::from_toml_str(&state.net).map_err(dbn_error)?;
    let classifier = Classifier::new(dense_layers(&state.classifier)?).map_err(dbn_error)?;
    let velocity = dense_layers(&state.velocity)?;
    let tuner = FineTuner::resume(classifier, config.clone(), velocity, state.epochs_done)
        .map_err(dbn_error)?;
    Ok(FineTuneResume { net, tuner })
}

/// Fine-tune `net` (from `tuner` if resuming, else from the net unrolled
/// with a zero softmax layer) until `config.epochs` epochs are done;
/// `after_epoch` checkpoints and says whether to stop (None is returned
/// then). The net comes back with its `[classifier]`.
pub fn fine_tune_phase(
    net: Dbn,
    tuner: Option<FineTuner>,
    config: &FineTuneConfig,
    examples: (ArrayView2<f32>, &[usize]),
    n_labels: usize,
    after_epoch: &mut dyn FnMut(&Dbn, &FineTuner) -> anyhow::Result<ControlFlow<()>>,
) -> anyhow::Result<Option<Dbn>> {
    let (x, labels) = examples;
    let mut tuner = match tuner {
        Some(tuner) => tuner,
        None => {
            let classifier = Classifier::from_dbn(&net, n_labels);
            FineTuner::new(classifier, config.clone()).map_err(dbn_error)?
        }
    };
    dbn::check_examples(tuner.classifier(), x, labels).map_err(dbn_error)?;
    while tuner.epochs_done() < config.epochs {
        tuner.epoch(x, labels);
        if after_epoch(&net, &tuner)?.is_break() {
            return Ok(None);
        }
    }
    let net = net
        .with_classifier(tuner.into_classifier())
        .map_err(dbn_error)?;
    Ok(Some(net))
}
