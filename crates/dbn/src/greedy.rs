//! Greedy layer-wise training (Hinton, Osindero & Teh 2006): train layer 1
//! as an RBM on the data, then layer 2 as an RBM on layer 1's up-pass, and
//! so on; label units, if any, join the top RBM's visible layer.

use std::ops::ControlFlow;

use ndarray::{Array1, Array2, ArrayView2, Axis, CowArray, concatenate};
use rand_chacha::ChaCha8Rng;
use rbm::{GaussianRbm, GaussianTrainConfig, GaussianTrainer, Rbm, TrainConfig, Trainer};
use serde::{Deserialize, Serialize};

use crate::error::{DbnError, field_error};
use crate::model::Dbn;
use crate::passes::{UpPass, one_hot, split_top};

/// The visible units of a layer: binary, or (layer 1 only) Gaussian, which
/// makes it a Gaussian-Bernoulli RBM for real-valued data. In TOML:
/// `kind = "bernoulli"` (the default) or `kind = "gaussian"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerKind {
    #[default]
    Bernoulli,
    Gaussian,
}

/// One layer of the stack: its number of hidden units and the settings of
/// its own `rbm::Trainer` (CD-k or PCD, epochs, learning rate, momentum,
/// weight decay, seed). A Gaussian layer 1 is trained by
/// `rbm::GaussianTrainer` with the same settings (and `learn_variance`);
/// its data should be standardised (`rbm::Standardizer`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LayerConfig {
    pub n_hidden: usize,
    pub train: TrainConfig,
    #[serde(default)]
    pub kind: LayerKind,
    /// Learn the variances of a Gaussian layer (eq. 9.6); off keeps unit variances.
    #[serde(default)]
    pub learn_variance: bool,
}

impl LayerConfig {
    /// The settings of `rbm::GaussianTrainer` for a Gaussian layer; refused,
    /// naming the field, for the options only the binary trainer has.
    pub fn gaussian_config(&self) -> Result<GaussianTrainConfig, DbnError> {
        let t = &self.train;
        let unsupported = [
            t.learning_rate_decay_time
                .is_some()
                .then_some("learning_rate_decay_time"),
            t.fast_weights.is_some().then_some("fast_weights"),
            t.tempering.is_some().then_some("tempering"),
            t.centering.is_some().then_some("centering"),
        ];
        if let Some(field) = unsupported.into_iter().flatten().next() {
            return Err(field_error(
                format!("train.{field}"),
                "is not available for a Gaussian layer; remove it or use kind = \"bernoulli\"",
            ));
        }
        Ok(GaussianTrainConfig {
            learning_rate: t.learning_rate,
            initial_momentum: t.initial_momentum,
            final_momentum: t.final_momentum,
            momentum_switch_epoch: t.momentum_switch_epoch,
            weight_decay: t.weight_decay,
            batch_size: t.batch_size,
            epochs: t.epochs,
            estimator: t.estimator,
            learn_variance: self.learn_variance,
        })
    }
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
            check_kind(k, layer, self.layers.len())?;
        }
        Ok(())
    }

    /// Whether layer 1 is Gaussian-Bernoulli.
    pub fn gaussian_first_layer(&self) -> bool {
        self.layers.first().map(|l| l.kind) == Some(LayerKind::Gaussian)
    }
}

fn check_kind(k: usize, layer: &LayerConfig, n_layers: usize) -> Result<(), DbnError> {
    let problem = match layer.kind {
        LayerKind::Gaussian if k > 0 => {
            "only layer 1 may be Gaussian: the layers above see binary hidden units"
        }
        LayerKind::Gaussian if n_layers < 2 => {
            "a Gaussian first layer needs a layer above it; one Gaussian-Bernoulli RBM \
             is trained by rbm::train_gaussian (boltzmann has no DBN of one Gaussian layer)"
        }
        LayerKind::Bernoulli if layer.learn_variance => {
            return Err(field_error(
                "learn_variance",
                "only a Gaussian layer has variances; set kind = \"gaussian\" or remove it",
            )
            .in_layer(k + 1));
        }
        LayerKind::Gaussian => {
            return layer
                .gaussian_config()
                .map(|_| ())
                .map_err(|e| e.in_layer(1));
        }
        LayerKind::Bernoulli => return Ok(()),
    };
    Err(field_error("kind", problem).in_layer(k + 1))
}

/// Where training stands after an epoch; passed to the caller's hook (for
/// progress bars and checkpoints). Returning `ControlFlow::Break` stops
/// training after this epoch (for Ctrl-C).
pub struct EpochDone<'a> {
    /// The layer being trained, counted from 1.
    pub layer: usize,
    /// The layers finished before it, bottom first.
    pub finished: &'a [Rbm],
    /// The log-variances of a finished Gaussian layer 1.
    pub log_variance: Option<&'a Array1<f32>>,
    /// The trainer of this layer, after `trainer.epochs_done()` epochs.
    pub trainer: &'a LayerTrainer,
}

/// The trainer of one layer: `rbm::Trainer` for binary visible units,
/// `rbm::GaussianTrainer` for a Gaussian layer 1.
// One trainer exists at a time, so its size does not matter; no Box keeps
// the matches plain.
#[allow(clippy::large_enum_variant)]
pub enum LayerTrainer {
    Bernoulli(Trainer),
    Gaussian(GaussianTrainer),
}

impl LayerTrainer {
    pub fn epochs_done(&self) -> usize {
        match self {
            LayerTrainer::Bernoulli(t) => t.epochs_done(),
            LayerTrainer::Gaussian(t) => t.epochs_done(),
        }
    }
}

/// Where to continue an interrupted run: the finished layers (and the
/// log-variances of a finished Gaussian layer 1) and, if a layer was in
/// progress, its trainer (restored with `Trainer::resume` or
/// `GaussianTrainer::resume`). The top layer with labels is kept in its
/// joint form (labels as extra visible units) until training ends.
#[derive(Default)]
pub struct GreedyResume {
    pub finished: Vec<Rbm>,
    pub log_variance: Option<Array1<f32>>,
    pub current: Option<LayerTrainer>,
}

/// The random numbers of layer k (counted from 1): its initial weights and,
/// with `up_pass = "samples"`, the samples of its input. One stream per
/// layer, derived from the seed alone (index k of `rbm::streams::TRAINER`).
fn layer_rng(seed: u64, layer: usize) -> ChaCha8Rng {
    let index = u32::try_from(layer).expect("fewer than 2^32 layers");
    rbm::streams::stream(seed, rbm::streams::TRAINER, index)
}

// ANCHOR: train_greedy
/// Greedy layer-wise training of a DBN on the rows of `data` (values in
/// [0, 1]). With `labels` (one class in 0..n_labels per row), the top RBM
/// is trained on the up-pass joined with the one-hot labels, the labels as
/// one softmax group (`rbm::Trainer::set_softmax_group`): its negative phase
/// draws them one-hot from p(l | h) = softmax(d + U^T h). `after_epoch`
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
        mut log_variance,
        mut current,
    } = resume;
    // Layer 1 reads the data itself (no copy); each layer above, the up-pass below it.
    let mut input = CowArray::from(data);
    for (k, layer) in config.layers.iter().enumerate() {
        let mut rng = layer_rng(config.seed, k + 1);
        if k > 0 {
            let below = bottom_layer(&finished[k - 1], log_variance.as_ref().filter(|_| k == 1));
            let up = up_one_layer(&below, input.view(), config.up_pass, &mut rng);
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
            None => new_trainer(layer, visible.view(), &mut rng).map_err(|e| e.in_layer(k + 1))?,
        };
        if let (Some((_, n_labels)), LayerTrainer::Bernoulli(t)) =
            (labels.filter(|_| k + 1 == n_layers), &mut trainer)
        {
            let n = t.rbm().n_visible();
            t.set_softmax_group(n - n_labels..n)
                .map_err(|e| DbnError::from(e).in_layer(k + 1))?;
        }
        // The user's data and a resumed trainer are checked; an up-pass is
        // in [0, 1] and fits the layer by construction, so it is not scanned.
        if k == 0 || resumed {
            check_layer_data(&trainer, visible.view()).map_err(|e| e.in_layer(k + 1))?;
        }
        while trainer.epochs_done() < layer.train.epochs {
            train_epoch(&mut trainer, layer, visible.view()).map_err(|e| e.in_layer(k + 1))?;
            let done = EpochDone {
                layer: k + 1,
                finished: &finished,
                log_variance: log_variance.as_ref(),
                trainer: &trainer,
            };
            if after_epoch(done).is_break() {
                return Ok(None);
            }
        }
        match trainer {
            LayerTrainer::Bernoulli(t) => finished.push(t.into_rbm()),
            LayerTrainer::Gaussian(t) => {
                let gaussian = t.into_rbm();
                log_variance = Some(gaussian.log_variance.clone());
                finished.push(binary_part(gaussian));
            }
        }
    }
    let labels = labels.map(|(_, n_labels)| {
        let (top, units) = split_top(&finished[n_layers - 1], n_labels);
        finished[n_layers - 1] = top;
        units
    });
    let net = Dbn::new(finished, labels)?;
    match log_variance {
        Some(z) => net.with_gaussian_visible(z).map(Some),
        None => Ok(Some(net)),
    }
}
// ANCHOR_END: train_greedy

/// The trainer of a layer that starts now: initial weights from `rng`,
/// the visible bias at the data's mean (both kinds of layer).
fn new_trainer(
    layer: &LayerConfig,
    visible: ArrayView2<f32>,
    rng: &mut ChaCha8Rng,
) -> Result<LayerTrainer, DbnError> {
    Ok(match layer.kind {
        LayerKind::Bernoulli => {
            let initial = Rbm::initialise(layer.n_hidden, visible, rng);
            LayerTrainer::Bernoulli(Trainer::new(initial, layer.train.clone())?)
        }
        LayerKind::Gaussian => {
            let initial = GaussianRbm::initialise(layer.n_hidden, visible, rng);
            let config = layer.gaussian_config()?;
            LayerTrainer::Gaussian(GaussianTrainer::new(initial, config, rng)?)
        }
    })
}

fn check_layer_data(trainer: &LayerTrainer, visible: ArrayView2<f32>) -> Result<(), DbnError> {
    match trainer {
        LayerTrainer::Bernoulli(t) => rbm::check_data(t.rbm(), visible)?,
        LayerTrainer::Gaussian(t) => t.rbm().check_data(visible)?,
    }
    Ok(())
}

/// One epoch of either trainer; a Gaussian epoch draws from (seed, epoch).
fn train_epoch(
    trainer: &mut LayerTrainer,
    layer: &LayerConfig,
    visible: ArrayView2<f32>,
) -> Result<(), DbnError> {
    match trainer {
        LayerTrainer::Bernoulli(t) => {
            t.train_epoch(visible);
        }
        LayerTrainer::Gaussian(t) => {
            let mut rng = rbm::streams::epoch_rng(layer.train.seed, t.epochs_done());
            t.train_epoch(visible, &mut rng)?;
        }
    }
    Ok(())
}

/// The binary parameters b, c, W of a Gaussian-Bernoulli RBM (its
/// variances are kept beside the stack).
fn binary_part(gaussian: GaussianRbm) -> Rbm {
    Rbm {
        visible_bias: gaussian.visible_bias,
        hidden_bias: gaussian.hidden_bias,
        weights: gaussian.weights,
    }
}

/// A finished layer as the up-pass needs it: binary, or Gaussian with `log_variance`.
enum BottomLayer {
    Bernoulli(Rbm),
    Gaussian(GaussianRbm),
}

fn bottom_layer(layer: &Rbm, log_variance: Option<&Array1<f32>>) -> BottomLayer {
    match log_variance {
        Some(z) => BottomLayer::Gaussian(GaussianRbm {
            visible_bias: layer.visible_bias.clone(),
            hidden_bias: layer.hidden_bias.clone(),
            weights: layer.weights.clone(),
            log_variance: z.clone(),
        }),
        None => BottomLayer::Bernoulli(layer.clone()),
    }
}

/// h = q(h = 1 | x) of one layer, or a sample of it.
fn up_one_layer(
    layer: &BottomLayer,
    x: ArrayView2<f32>,
    mode: UpPass,
    rng: &mut ChaCha8Rng,
) -> Array2<f32> {
    let probabilities = match layer {
        BottomLayer::Bernoulli(l) => l.hidden_probabilities(x),
        BottomLayer::Gaussian(l) => l.hidden_probabilities(x),
    };
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
