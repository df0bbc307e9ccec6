//! Greedy layer-wise training (Hinton, Osindero & Teh 2006): train layer 1
//! as an RBM on the data, then layer 2 as an RBM on layer 1's up-pass, and
//! so on; label units, if any, join the top RBM's visible layer.

use std::ops::ControlFlow;

use ndarray::{Array2, ArrayView2, Axis, CowArray, concatenate};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rbm::{Rbm, TrainConfig, Trainer};
use serde::{Deserialize, Serialize};

use crate::error::{DbnError, field_error};
use crate::model::Dbn;
use crate::passes::{UpPass, one_hot, split_top};

/// One layer of the stack: its number of hidden units and the settings of
/// its own `rbm::Trainer` (CD-k or PCD, epochs, learning rate, momentum,
/// weight decay, seed).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LayerConfig {
    pub n_hidden: usize,
    pub train: TrainConfig,
}

/// The settings of greedy training, layer 1 first. In TOML:
/// ```toml
/// seed = 7                   # initial weights and sampled up-passes
/// up_pass = "probabilities"  # or "samples"
/// [[layers]]
/// n_hidden = 16
/// train = { learning_rate = 0.1, weight_decay = 1e-4, batch_size = 10, epochs = 5, estimator = { kind = "cd", k = 1 }, seed = 1 }
/// ```
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GreedyConfig {
    pub seed: u64,
    #[serde(default)]
    pub up_pass: UpPass,
    pub layers: Vec<LayerConfig>,
}

impl GreedyConfig {
    /// Refuse settings that cannot train, naming the layer and the field.
    pub fn check(&self) -> Result<(), DbnError> {
        if self.layers.is_empty() {
            return Err(field_error("layers", "give at least one layer"));
        }
        for (k, layer) in self.layers.iter().enumerate() {
            if layer.n_hidden == 0 {
                let e = field_error("n_hidden", "a layer needs at least one hidden unit");
                return Err(e.in_layer(k + 1));
            }
            layer
                .train
                .check()
                .map_err(|e| DbnError::from(e).in_layer(k + 1))?;
        }
        Ok(())
    }
}

/// Where training stands after an epoch; passed to the caller's hook (for
/// progress bars and checkpoints). Returning `ControlFlow::Break` stops
/// training after this epoch (for Ctrl-C).
pub struct EpochDone<'a> {
    /// The layer being trained, counted from 1.
    pub layer: usize,
    /// The layers finished before it, bottom first.
    pub finished: &'a [Rbm],
    /// The trainer of this layer, after `trainer.epochs_done()` epochs.
    pub trainer: &'a Trainer,
}

/// Where to continue an interrupted run: the finished layers and, if a
/// layer was in progress, its trainer (restored with `Trainer::resume`).
/// The top layer with labels is kept in its joint form (labels as extra
/// visible units) until training ends.
#[derive(Default)]
pub struct GreedyResume {
    pub finished: Vec<Rbm>,
    pub current: Option<Trainer>,
}

/// The random numbers of layer k (counted from 1): its initial weights and,
/// with `up_pass = "samples"`, the samples of its input. One stream per
/// layer, derived from the seed alone.
fn layer_rng(seed: u64, layer: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(layer as u64);
    rng
}

// ANCHOR: train_greedy
/// Greedy layer-wise training of a DBN on the rows of `data` (values in
/// [0, 1]). With `labels` (one class in 0..n_labels per row), the top RBM
/// is trained on the up-pass joined with the one-hot labels. `after_epoch`
/// is called after every epoch of every layer.
pub fn train_greedy(
    data: ArrayView2<f32>,
    labels: Option<(&[usize], usize)>,
    config: &GreedyConfig,
    after_epoch: &mut dyn FnMut(EpochDone),
) -> Result<Dbn, DbnError> {
    let mut hook = |done: EpochDone| {
        after_epoch(done);
        ControlFlow::Continue(())
    };
    let run = train_greedy_from(data, labels, config, GreedyResume::default(), &mut hook)?;
    Ok(run.expect("a run that is never stopped finishes"))
}

/// [`train_greedy`] that continues from `resume` and stops (returning
/// `None`) when `after_epoch` breaks. Layer k's input and initial weights
/// come from a random stream of (seed, k) alone, so a resumed run ends with
/// the same bits as one that was never interrupted.
pub fn train_greedy_from(
    data: ArrayView2<f32>,
    labels: Option<(&[usize], usize)>,
    config: &GreedyConfig,
    resume: GreedyResume,
    after_epoch: &mut dyn FnMut(EpochDone) -> ControlFlow<()>,
) -> Result<Option<Dbn>, DbnError> {
    config.check()?;
    check_labels(data, labels)?;
    let n_layers = config.layers.len();
    let GreedyResume {
        mut finished,
        mut current,
    } = resume;
    // Layer 1 reads the data itself (no copy); each layer above, the up-pass below it.
    let mut input = CowArray::from(data);
    for (k, layer) in config.layers.iter().enumerate() {
        let mut rng = layer_rng(config.seed, k + 1);
        if k > 0 {
            let up = up_one_layer(&finished[k - 1], input.view(), config.up_pass, &mut rng);
            input = CowArray::from(up);
        }
        if k < finished.len() {
            continue; // trained before the interruption; only its up-pass is needed
        }
        let visible = match labels.filter(|_| k + 1 == n_layers) {
            Some((classes, n_labels)) => {
                CowArray::from(concatenate![Axis(1), input, one_hot(classes, n_labels)])
            }
            None => CowArray::from(input.view()),
        };
        let resumed = current.is_some();
        let mut trainer = match current.take() {
            Some(trainer) => trainer,
            None => {
                let initial = Rbm::initialise(layer.n_hidden, visible.view(), &mut rng);
                Trainer::new(initial, layer.train.clone())
                    .map_err(|e| DbnError::from(e).in_layer(k + 1))?
            }
        };
        // The user's data and a resumed trainer are checked; an up-pass is
        // in [0, 1] and fits the layer by construction, so it is not scanned.
        if k == 0 || resumed {
            rbm::check_data(trainer.rbm(), visible.view())
                .map_err(|e| DbnError::from(e).in_layer(k + 1))?;
        }
        while trainer.epochs_done() < layer.train.epochs {
            trainer.train_epoch(visible.view());
            let done = EpochDone {
                layer: k + 1,
                finished: &finished,
                trainer: &trainer,
            };
            if after_epoch(done).is_break() {
                return Ok(None);
            }
        }
        finished.push(trainer.into_rbm());
    }
    let labels = labels.map(|(_, n_labels)| {
        let (top, units) = split_top(&finished[n_layers - 1], n_labels);
        finished[n_layers - 1] = top;
        units
    });
    Dbn::new(finished, labels).map(Some)
}
// ANCHOR_END: train_greedy

/// h = q(h = 1 | x) of one layer, or a sample of it.
fn up_one_layer(
    layer: &Rbm,
    x: ArrayView2<f32>,
    mode: UpPass,
    rng: &mut ChaCha8Rng,
) -> Array2<f32> {
    let probabilities = layer.hidden_probabilities(x);
    match mode {
        UpPass::Probabilities => probabilities,
        UpPass::Samples => rbm::sample_bernoulli(probabilities.view(), rng),
    }
}

fn check_labels(data: ArrayView2<f32>, labels: Option<(&[usize], usize)>) -> Result<(), DbnError> {
    let Some((classes, n_labels)) = labels else {
        return Ok(());
    };
    if classes.len() != data.nrows() {
        let problem = format!(
            "{} labels for {} examples; give one label per example",
            classes.len(),
            data.nrows()
        );
        return Err(field_error("labels", problem));
    }
    if n_labels < 2 {
        return Err(field_error("labels", "at least 2 classes are needed"));
    }
    if let Some((row, l)) = classes.iter().enumerate().find(|(_, l)| **l >= n_labels) {
        let problem = format!(
            "example {} has label {l}; labels run from 0 to {}",
            row + 1,
            n_labels - 1
        );
        return Err(field_error("labels", problem));
    }
    Ok(())
}
