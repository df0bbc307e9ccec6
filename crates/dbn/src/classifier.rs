//! Discriminative fine-tuning: the DBN's recognition weights unrolled into a
//! feed-forward net of sigmoid layers with a softmax output, trained by
//! backpropagation; with no hidden layer it is multinomial logistic
//! (softmax) regression.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, Uniform};
use serde::{Deserialize, Serialize};

use crate::error::{DbnError, field_error};
use crate::model::Dbn;
use crate::passes::one_hot;

/// One fully connected layer: weights of shape (n_out, n_in), row i belonging
/// to output unit i (as W in an RBM), and a bias of length n_out.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    pub weights: Array2<f32>,
    pub bias: Array1<f32>,
}

impl Dense {
    fn zeros(n_in: usize, n_out: usize) -> Self {
        Self {
            weights: Array2::zeros((n_out, n_in)),
            bias: Array1::zeros(n_out),
        }
    }

    /// x W^T + bias for each row x.
    fn input(&self, x: ArrayView2<f32>) -> Array2<f32> {
        x.dot(&self.weights.t()) + &self.bias
    }
}

/// A feed-forward classifier: sigmoid hidden layers, then a softmax layer.
/// `layers` holds them bottom first; the last is the softmax layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Classifier {
    pub layers: Vec<Dense>,
}

impl Classifier {
    /// A classifier from its layers, bottom first, the last one the softmax
    /// layer. Refused, naming `classifier.layers[k]` (k from 1) and the
    /// field, when there is no layer, when a layer's weights do not have one
    /// row per bias entry or one column per output of the layer below, when
    /// there are fewer than 2 classes, or when a parameter is not finite.
    pub fn new(layers: Vec<Dense>) -> Result<Self, DbnError> {
        if layers.is_empty() {
            return Err(field_error(
                "classifier.layers",
                "give at least the softmax layer",
            ));
        }
        for (k, layer) in layers.iter().enumerate() {
            let field = |name: &str| format!("classifier.layers[{}].{name}", k + 1);
            let (n_out, n_in) = layer.weights.dim();
            if layer.bias.len() != n_out {
                let problem = format!(
                    "has {} entries but weights has {n_out} rows; give one bias per row (output unit)",
                    layer.bias.len()
                );
                return Err(field_error(field("bias"), problem));
            }
            if k > 0 && n_in != layers[k - 1].bias.len() {
                let problem = format!(
                    "has {n_in} columns but the layer below has {} outputs; \
                     each layer takes the outputs of the layer below",
                    layers[k - 1].bias.len()
                );
                return Err(field_error(field("weights"), problem));
            }
            let values = layer.weights.iter().map(|x| ("weights", x));
            let values = values.chain(layer.bias.iter().map(|x| ("bias", x)));
            if let Some((name, x)) = values.into_iter().find(|(_, x)| !x.is_finite()) {
                let problem = format!("holds {x}; every parameter must be a finite f32");
                return Err(field_error(field(name), problem));
            }
        }
        let n_classes = layers[layers.len() - 1].bias.len();
        if n_classes < 2 {
            let problem = format!("{n_classes} classes; a classifier needs at least 2");
            return Err(field_error(
                format!("classifier.layers[{}].bias", layers.len()),
                problem,
            ));
        }
        Ok(Self { layers })
    }

    /// Multinomial logistic regression: one softmax layer, all zeros.
    pub fn softmax_regression(n_features: usize, n_classes: usize) -> Self {
        Self {
            layers: vec![Dense::zeros(n_features, n_classes)],
        }
    }

    /// The DBN unrolled (Hinton & Salakhutdinov 2006): hidden layer k takes
    /// layer k's recognition weights W_k and hidden bias c_k; the softmax
    /// layer on top starts at zero. A Gaussian layer 1 takes W_1 / sigma^2
    /// (column j divided by sigma_j^2), so that the first hidden layer
    /// computes its recognition probabilities, eq. (9.2).
    pub fn from_dbn(dbn: &Dbn, n_classes: usize) -> Self {
        let mut layers: Vec<Dense> = dbn
            .layers()
            .iter()
            .map(|l| Dense {
                weights: l.weights.clone(),
                bias: l.hidden_bias.clone(),
            })
            .collect();
        if let Some(gaussian) = dbn.gaussian_first_layer() {
            layers[0].weights = &gaussian.weights / &gaussian.variance();
        }
        layers.push(Dense::zeros(dbn.top().n_hidden(), n_classes));
        Self { layers }
    }

    /// The same shapes from random initialisation, for comparison: weights
    /// uniform in +-4 sqrt(6 / (n_in + n_out)), the range Glorot & Bengio
    /// (2010) recommend for sigmoid units; biases 0; softmax layer 0.
    /// `sizes` are the unit counts v, h_1, ..., h_K.
    pub fn random(sizes: &[usize], n_classes: usize, rng: &mut impl Rng) -> Self {
        let mut layers: Vec<Dense> = sizes
            .windows(2)
            .map(|w| {
                let limit = 4.0 * (6.0 / (w[0] + w[1]) as f32).sqrt();
                let uniform = Uniform::new_inclusive(-limit, limit).expect("a finite range");
                Dense {
                    weights: Array2::from_shape_simple_fn((w[1], w[0]), || uniform.sample(rng)),
                    bias: Array1::zeros(w[1]),
                }
            })
            .collect();
        layers.push(Dense::zeros(sizes[sizes.len() - 1], n_classes));
        Self { layers }
    }

    pub fn n_classes(&self) -> usize {
        self.layers[self.layers.len() - 1].bias.len()
    }

    pub fn n_features(&self) -> usize {
        self.layers[0].weights.ncols()
    }
}

// ANCHOR: forward
impl Classifier {
    /// The activities of every layer for each row of x: x itself, then each
    /// sigmoid layer, then log softmax of the output (eq. 10.9).
    pub fn forward(&self, x: ArrayView2<f32>) -> Vec<Array2<f32>> {
        let (hidden, output) = self.layers.split_at(self.layers.len() - 1);
        let mut activities = vec![x.to_owned()];
        for layer in hidden {
            let a = layer.input(activities[activities.len() - 1].view());
            activities.push(a.mapv(rbm::numerics::sigmoid));
        }
        let logits = output[0].input(activities[activities.len() - 1].view());
        activities.push(log_softmax(logits));
        activities
    }

    /// log p(y | x) for every class, one row per example.
    pub fn log_probabilities(&self, x: ArrayView2<f32>) -> Array2<f32> {
        self.forward(x).pop().expect("at least the output")
    }

    /// The mean cross-entropy -(1/N) sum_n log p(y_n | x_n), eq. (10.9).
    pub fn loss(&self, x: ArrayView2<f32>, labels: &[usize]) -> f32 {
        let log_p = self.log_probabilities(x);
        let total: f32 = labels.iter().enumerate().map(|(n, &y)| log_p[[n, y]]).sum();
        -total / labels.len() as f32
    }

    /// The most probable class of each row.
    pub fn predict(&self, x: ArrayView2<f32>) -> Vec<usize> {
        let log_p = self.log_probabilities(x);
        log_p
            .rows()
            .into_iter()
            .map(|row| {
                let mut best = 0;
                row.iter().enumerate().for_each(|(k, &p)| {
                    if p > row[best] {
                        best = k;
                    }
                });
                best
            })
            .collect()
    }
}

/// log softmax of each row, with the row maximum subtracted first so that
/// no exponential overflows.
fn log_softmax(mut logits: Array2<f32>) -> Array2<f32> {
    for mut row in logits.rows_mut() {
        let max = row.fold(f32::NEG_INFINITY, |m, &x| m.max(x));
        let log_sum = max + row.iter().map(|&x| (x - max).exp()).sum::<f32>().ln();
        row.mapv_inplace(|x| x - log_sum);
    }
    logits
}
// ANCHOR_END: forward

// ANCHOR: backprop
impl Classifier {
    /// The gradient of the mean cross-entropy with respect to every weight
    /// and bias, by backpropagation (eq. 10.10): at the output
    /// delta = (softmax - one_hot(y)) / N; below, delta_k is
    /// (delta_{k+1} W_{k+1}) times a_k (1 - a_k) entry by entry; each
    /// layer's gradient is delta^T a_below and the column sums of delta.
    pub fn gradient(&self, x: ArrayView2<f32>, labels: &[usize]) -> Vec<Dense> {
        let activities = self.forward(x);
        let n = x.nrows() as f32;
        let probabilities = activities[activities.len() - 1].mapv(f32::exp);
        let mut delta = (probabilities - one_hot(labels, self.n_classes())) / n;
        let mut gradient = Vec::with_capacity(self.layers.len());
        for k in (0..self.layers.len()).rev() {
            let below = &activities[k];
            gradient.push(Dense {
                weights: delta.t().dot(below),
                bias: delta.sum_axis(Axis(0)),
            });
            if k > 0 {
                let sigmoid_slope = below.mapv(|a| a * (1.0 - a));
                delta = delta.dot(&self.layers[k].weights) * sigmoid_slope;
            }
        }
        gradient.reverse();
        gradient
    }
}
// ANCHOR_END: backprop

/// The settings of fine-tuning (and of softmax regression): minibatch
/// gradient descent with momentum and L2 weight decay on the weights. Read
/// from TOML through the `config` crate's value types, so a bad value is
/// refused as it is read, naming `table.key`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FineTuneConfig {
    #[serde(deserialize_with = "config::de::positive")]
    pub learning_rate: f32,
    #[serde(deserialize_with = "config::de::momentum")]
    pub momentum: f32,
    #[serde(deserialize_with = "config::de::non_negative")]
    pub weight_decay: f32,
    #[serde(deserialize_with = "config::de::positive_count")]
    pub batch_size: usize,
    pub epochs: usize,
    pub seed: u64,
}

impl FineTuneConfig {
    /// Refuse settings that cannot train, naming the field.
    pub fn check(&self) -> Result<(), DbnError> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(field_error("learning_rate", "must be a positive number"));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return Err(field_error("momentum", "must be in [0, 1)"));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(field_error(
                "weight_decay",
                "must be 0 or a positive number",
            ));
        }
        if self.batch_size == 0 {
            return Err(field_error("batch_size", "must be at least 1"));
        }
        Ok(())
    }
}

/// Train `classifier` on (x, labels) for `config.epochs` epochs; each epoch
/// shuffles with a generator seeded by (seed, epoch) and calls `after_epoch`
/// with the number of epochs done.
pub fn fine_tune(
    classifier: &mut Classifier,
    x: ArrayView2<f32>,
    labels: &[usize],
    config: &FineTuneConfig,
    after_epoch: &mut dyn FnMut(usize, &Classifier),
) -> Result<(), DbnError> {
    let mut tuner = FineTuner::new(classifier.clone(), config.clone())?;
    check_examples(classifier, x, labels)?;
    while tuner.epochs_done() < config.epochs {
        tuner.epoch(x, labels);
        after_epoch(tuner.epochs_done(), tuner.classifier());
    }
    *classifier = tuner.classifier;
    Ok(())
}

/// Fine-tuning epoch by epoch: the classifier, its velocity (momentum
/// buffers) and the epochs done, everything a checkpoint needs. Epoch e
/// draws its random numbers from (seed, e) alone, so a run resumed from a
/// checkpoint ends with the same bits as one that was never interrupted.
#[derive(Clone, Debug, PartialEq)]
pub struct FineTuner {
    classifier: Classifier,
    velocity: Vec<Dense>,
    config: FineTuneConfig,
    epochs_done: usize,
}

impl FineTuner {
    /// Start with zero velocity; refused, naming the field, for bad settings.
    pub fn new(classifier: Classifier, config: FineTuneConfig) -> Result<Self, DbnError> {
        let velocity = classifier
            .layers
            .iter()
            .map(|l| Dense::zeros(l.weights.ncols(), l.weights.nrows()))
            .collect();
        Self::resume(classifier, config, velocity, 0)
    }

    /// Continue from a checkpoint's classifier, velocity and epochs done;
    /// refused, naming the field, when the velocity does not fit.
    pub fn resume(
        classifier: Classifier,
        config: FineTuneConfig,
        velocity: Vec<Dense>,
        epochs_done: usize,
    ) -> Result<Self, DbnError> {
        config.check()?;
        let fits = velocity.len() == classifier.layers.len()
            && velocity
                .iter()
                .zip(&classifier.layers)
                .all(|(v, l)| v.weights.dim() == l.weights.dim() && v.bias.len() == l.bias.len());
        if !fits {
            return Err(field_error(
                "velocity",
                "its shape does not match the classifier; the checkpoint is damaged",
            ));
        }
        Ok(Self {
            classifier,
            velocity,
            config,
            epochs_done,
        })
    }

    /// One pass over (x, labels) in shuffled minibatches, eq. (10.10).
    /// Panics if x does not fit the classifier (see [`fine_tune`]'s checks).
    pub fn epoch(&mut self, x: ArrayView2<f32>, labels: &[usize]) {
        let config = &self.config;
        let epoch = u32::try_from(self.epochs_done).expect("fewer than 2^32 epochs");
        let mut rng = rbm::streams::stream(config.seed, rbm::streams::TRAINER, epoch);
        let mut order: Vec<usize> = (0..x.nrows()).collect();
        order.shuffle(&mut rng);
        for rows in order.chunks(config.batch_size) {
            let batch = x.select(Axis(0), rows);
            let batch_labels: Vec<usize> = rows.iter().map(|&r| labels[r]).collect();
            let gradient = self.classifier.gradient(batch.view(), &batch_labels);
            for ((layer, v), g) in self
                .classifier
                .layers
                .iter_mut()
                .zip(&mut self.velocity)
                .zip(gradient)
            {
                // v <- momentum v - rate (g + decay W), in place.
                v.weights *= config.momentum;
                v.weights.scaled_add(-config.learning_rate, &g.weights);
                if config.weight_decay > 0.0 {
                    let decay = -config.learning_rate * config.weight_decay;
                    v.weights.scaled_add(decay, &layer.weights);
                }
                v.bias *= config.momentum;
                v.bias.scaled_add(-config.learning_rate, &g.bias);
                layer.weights += &v.weights;
                layer.bias += &v.bias;
            }
        }
        self.epochs_done += 1;
    }

    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    pub fn into_classifier(self) -> Classifier {
        self.classifier
    }

    pub fn velocity(&self) -> &[Dense] {
        &self.velocity
    }

    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }
}

/// Refuse examples that do not fit `classifier`: the wrong width, not one
/// label per example, or a label out of range.
pub fn check_examples(
    classifier: &Classifier,
    x: ArrayView2<f32>,
    labels: &[usize],
) -> Result<(), DbnError> {
    if x.ncols() != classifier.n_features() {
        let problem = format!(
            "each example has {} values but the classifier takes {}",
            x.ncols(),
            classifier.n_features()
        );
        return Err(DbnError::Data(problem));
    }
    if labels.len() != x.nrows() || labels.is_empty() {
        let problem = format!(
            "{} labels for {} examples; give one per example",
            labels.len(),
            x.nrows()
        );
        return Err(field_error("labels", problem));
    }
    if let Some(l) = labels.iter().find(|&&l| l >= classifier.n_classes()) {
        let problem = format!(
            "label {l} but the classifier has {} classes",
            classifier.n_classes()
        );
        return Err(field_error("labels", problem));
    }
    Ok(())
}

/// The fraction of `predicted` equal to `labels`.
pub fn accuracy(predicted: &[usize], labels: &[usize]) -> f64 {
    let correct = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
    correct as f64 / labels.len().max(1) as f64
}
