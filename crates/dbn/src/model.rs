//! The deep belief net: a stack of RBMs, bottom first, with optional label
//! units on the top RBM.

use ndarray::{Array1, Array2};
use rbm::{GaussianRbm, Rbm, Standardizer};

use crate::classifier::Classifier;
use crate::error::{DbnError, field_error};
use crate::exact::{ExactDbn, ExactLabels};

/// The label units of the top RBM (Hinton, Osindero & Teh 2006): a group of
/// `n_labels` units of which exactly one is on (one-hot), with bias d and
/// weights U of shape (n_top_hidden, n_labels) to the top hidden layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Labels {
    /// d, length n_labels.
    pub bias: Array1<f32>,
    /// U, shape (n_top_hidden, n_labels): column l belongs to label l.
    pub weights: Array2<f32>,
}

impl Labels {
    /// Label units with every parameter 0.
    pub fn zeros(n_top_hidden: usize, n_labels: usize) -> Self {
        Self {
            bias: Array1::zeros(n_labels),
            weights: Array2::zeros((n_top_hidden, n_labels)),
        }
    }

    pub fn n_labels(&self) -> usize {
        self.bias.len()
    }
}

/// The kind of the visible units v, that is of layer 1's visible side.
/// Binary units are the DBN of Hinton et al. (2006); Gaussian units make
/// layer 1 a Gaussian-Bernoulli RBM (chapter 9) for real-valued data, with
/// variances sigma_j^2 = e^{z_j}, eq. (9.6). Every layer above stays binary.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum VisibleUnits {
    #[default]
    Binary,
    /// z = log sigma^2, one entry per visible unit; all zeros is unit variance.
    Gaussian { log_variance: Array1<f32> },
}

/// On a net with `n_labels` label units a classifier must give one class
/// per label; refused, naming its last layer's weights, when it does not.
pub(crate) fn check_classes(
    classifier: &Classifier,
    n_labels: Option<usize>,
) -> Result<(), DbnError> {
    match n_labels {
        Some(n_labels) if classifier.n_classes() != n_labels => {
            let problem = format!(
                "the last layer has {} classes but the net has {n_labels} label units",
                classifier.n_classes()
            );
            let last = classifier.layers.len();
            Err(field_error(
                format!("classifier.layers[{last}].weights"),
                problem,
            ))
        }
        _ => Ok(()),
    }
}

// ANCHOR: dbn_type
/// A deep belief net of K layers. Layer k (counted from 1) is an RBM between
/// h_{k-1} and h_k, with h_0 = v. The top two layers, h_{K-1} and h_K, form
/// an undirected RBM (with the label units beside h_{K-1} when there are
/// any); each layer below is directed: generation uses
/// p(h_{k-1} | h_k) = sigmoid(b_k + W_k^T h_k) with layer k's visible bias,
/// recognition uses q(h_k | h_{k-1}) = sigmoid(c_k + W_k h_{k-1}) with its
/// hidden bias, eq. (10.1) in the book.
#[derive(Clone, Debug, PartialEq)]
pub struct Dbn {
    layers: Vec<Rbm>,
    labels: Option<Labels>,
    classifier: Option<Classifier>,
    visible: VisibleUnits,
}
// ANCHOR_END: dbn_type

impl Dbn {
    /// A net from its layers, bottom first. Refused, naming the layer, when
    /// there is no layer, when layer k's visible units are not layer k-1's
    /// hidden units, when a parameter is NaN or infinite, or when the label
    /// weights do not have one row per top hidden unit (the checks of
    /// [`ExactDbn::new`]).
    pub fn new(layers: Vec<Rbm>, labels: Option<Labels>) -> Result<Self, DbnError> {
        let dbn = Self {
            layers,
            labels,
            classifier: None,
            visible: VisibleUnits::Binary,
        };
        dbn.to_exact()?;
        Ok(dbn)
    }

    /// The net with Gaussian visible units of variances e^{log_variance}:
    /// layer 1 becomes a Gaussian-Bernoulli RBM. Refused, naming the field,
    /// when the net has a single layer (that is a Gaussian-Bernoulli RBM:
    /// use `rbm::GaussianRbm`), when there is not one entry per visible
    /// unit, or when an entry is not finite.
    pub fn with_gaussian_visible(mut self, log_variance: Array1<f32>) -> Result<Self, DbnError> {
        let field = "layers[1].log_variance";
        if self.n_layers() < 2 {
            return Err(field_error(
                "layers[1].kind",
                "a Gaussian first layer needs a second layer above it; a single \
                 Gaussian-Bernoulli RBM is rbm::GaussianRbm",
            ));
        }
        if log_variance.len() != self.n_visible() {
            let problem = format!(
                "has {} entries but the net has {} visible units; give one per visible unit",
                log_variance.len(),
                self.n_visible()
            );
            return Err(field_error(field, problem));
        }
        if let Some(k) = log_variance.iter().position(|z| !z.is_finite()) {
            let problem = format!("entry {k} is {}; give a finite f32", log_variance[k]);
            return Err(field_error(field, problem));
        }
        self.visible = VisibleUnits::Gaussian { log_variance };
        Ok(self)
    }

    /// Binary or Gaussian visible units.
    pub fn visible_units(&self) -> &VisibleUnits {
        &self.visible
    }

    /// Layer 1 as the Gaussian-Bernoulli RBM it is, if v is Gaussian.
    pub fn gaussian_first_layer(&self) -> Option<GaussianRbm> {
        let VisibleUnits::Gaussian { log_variance } = &self.visible else {
            return None;
        };
        let layer = &self.layers[0];
        Some(GaussianRbm {
            visible_bias: layer.visible_bias.clone(),
            hidden_bias: layer.hidden_bias.clone(),
            weights: layer.weights.clone(),
            log_variance: log_variance.clone(),
        })
    }

    /// The same net in the units of the raw data, for a net with a Gaussian
    /// first layer trained on x' = (x - mean) / std: layer 1 by
    /// `GaussianRbm::for_raw_data`, and the first layer of a fine-tuned
    /// classifier, which takes x', by V x' + e = (V / std) x + e - (V / std) mean.
    /// The layers above see the same h_1, so they do not change.
    pub fn for_raw_data(mut self, standardizer: &Standardizer) -> Result<Self, DbnError> {
        let gaussian = self.gaussian_first_layer().ok_or_else(|| {
            field_error(
                "layers[1].kind",
                "only a Gaussian first layer models standardised real values",
            )
        })?;
        let raw = gaussian.for_raw_data(standardizer);
        if let Some(classifier) = self.classifier.as_mut() {
            let first = &mut classifier.layers[0];
            first.weights = &first.weights / &standardizer.std;
            first.bias = &first.bias - &first.weights.dot(&standardizer.mean);
        }
        self.layers[0] = Rbm {
            visible_bias: raw.visible_bias,
            hidden_bias: raw.hidden_bias,
            weights: raw.weights,
        };
        let classifier = self.classifier.take();
        let net = self.with_gaussian_visible(raw.log_variance)?;
        net.to_exact()?; // every parameter still finite
        match classifier {
            Some(c) => net.with_classifier(Classifier::new(c.layers)?),
            None => Ok(net),
        }
    }

    /// The exact (f64) net with the same parameters; f32 -> f64 loses nothing.
    /// For Gaussian visible units these are the layers' parameters only: the
    /// variances are in [`Dbn::visible_units`], and the exact results of a
    /// Gaussian net are those of [`ExactDbn::gaussian_log_probability`].
    pub fn to_exact(&self) -> Result<ExactDbn, DbnError> {
        self.to_exact_with(|x| x as f64)
    }

    /// The f64 net with each parameter widened by `widen` (for files: the
    /// shortest decimal that reads back to the same f32).
    pub(crate) fn to_exact_with(&self, widen: impl Fn(f32) -> f64) -> Result<ExactDbn, DbnError> {
        let layers = self
            .layers
            .iter()
            .enumerate()
            .map(|(k, layer)| {
                bm_exact::Rbm::new(
                    layer.visible_bias.mapv(&widen),
                    layer.hidden_bias.mapv(&widen),
                    layer.weights.mapv(&widen),
                )
                .map_err(|e| DbnError::from(e).in_layer(k + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let labels = self.labels.as_ref().map(|l| ExactLabels {
            bias: l.bias.mapv(&widen),
            weights: l.weights.mapv(&widen),
        });
        ExactDbn::new(layers, labels)
    }

    /// The f32 copy of an exact net, each parameter rounded to the nearest
    /// f32; refused, naming the layer and field, if one does not fit in f32.
    pub fn from_exact(exact: &ExactDbn) -> Result<Self, DbnError> {
        let mut layers = Vec::new();
        for (k, layer) in exact.layers().iter().enumerate() {
            rbm::Rbm::check_f32_range(layer).map_err(|e| DbnError::from(e).in_layer(k + 1))?;
            layers.push(rbm::Rbm::from_exact(layer));
        }
        if let Some(l) = exact.labels() {
            rbm::check_fits_f32("labels.bias", &l.bias)?;
            rbm::check_fits_f32("labels.weights", &l.weights)?;
        }
        let labels = exact.labels().map(|l| Labels {
            bias: l.bias.mapv(|x| x as f32),
            weights: l.weights.mapv(|x| x as f32),
        });
        Self::new(layers, labels)
    }

    /// The net with a fine-tuned feed-forward classifier attached (saved as
    /// the `[classifier]` table of the model file); refused, naming the
    /// field, when the classifier does not take the net's visible units or,
    /// on a net with label units, does not give one class per label.
    pub fn with_classifier(mut self, classifier: Classifier) -> Result<Self, DbnError> {
        if classifier.n_features() != self.n_visible() {
            let problem = format!(
                "layer 1 takes {} inputs but the net has {} visible units",
                classifier.n_features(),
                self.n_visible()
            );
            return Err(field_error("classifier.layers[1].weights", problem));
        }
        check_classes(&classifier, self.labels.as_ref().map(Labels::n_labels))?;
        self.classifier = Some(classifier);
        Ok(self)
    }

    /// The fine-tuned classifier, if the net has one.
    pub fn classifier(&self) -> Option<&Classifier> {
        self.classifier.as_ref()
    }

    /// The label units, when `label` is one of them; refused, naming the
    /// field, without label units or for a label that does not exist.
    pub(crate) fn labels_for(&self, label: usize) -> Result<&Labels, DbnError> {
        let units = self.labels().ok_or_else(|| {
            field_error(
                "labels",
                "this net has no label units, so no label can be clamped",
            )
        })?;
        if label >= units.n_labels() {
            let problem = format!(
                "label {label} does not exist; labels run from 0 to {}",
                units.n_labels() - 1
            );
            return Err(field_error("labels", problem));
        }
        Ok(units)
    }

    /// The layers, bottom first.
    pub fn layers(&self) -> &[Rbm] {
        &self.layers
    }

    /// The top RBM, between h_{K-1} and h_K.
    pub fn top(&self) -> &Rbm {
        &self.layers[self.layers.len() - 1]
    }

    pub fn labels(&self) -> Option<&Labels> {
        self.labels.as_ref()
    }

    pub fn n_labels(&self) -> usize {
        self.labels.as_ref().map_or(0, Labels::n_labels)
    }

    pub fn n_layers(&self) -> usize {
        self.layers.len()
    }

    pub fn n_visible(&self) -> usize {
        self.layers[0].n_visible()
    }

    /// The sizes of v, h_1, ..., h_K.
    pub fn layer_sizes(&self) -> Vec<usize> {
        std::iter::once(self.n_visible())
            .chain(self.layers.iter().map(Rbm::n_hidden))
            .collect()
    }
}

// ANCHOR: label_gain
impl Dbn {
    /// The top RBM with label `label` clamped on: its hidden bias becomes
    /// c + U_l (the label's bias d_l is a constant and drops out). Its
    /// visible marginal is p(x | l), proportional to e^{-F(x, l)} with the
    /// free energy F of eq. (10.8), so any RBM sampler, parallel tempering
    /// included, samples p(x | l) on it. Refused, naming the field, without
    /// label units or for a label that does not exist.
    pub fn clamped_top(&self, label: usize) -> Result<Rbm, DbnError> {
        let units = self.labels_for(label)?;
        let mut clamped = self.top().clone();
        clamped.hidden_bias += &units.weights.column(label);
        Ok(clamped)
    }

    /// The net with its label weights U multiplied by `gain` (eq. 10.14): with
    /// label l clamped, its chains sample the tilted
    /// p_g(x | l), proportional to sum_h exp(b^T x + h^T (c + W x + g U_l)),
    /// which at g = 1 is the net's own p(x | l) and for g > 1 favours the
    /// states whose top hidden units agree with the label. A sampling knob,
    /// not the trained model: classification and the bound use the net.
    /// Refused, naming the field, without label units, for a gain that is
    /// not a finite number > 0, or for one that takes an entry of U beyond f32.
    pub fn with_label_gain(&self, gain: f32) -> Result<Dbn, DbnError> {
        if !(gain.is_finite() && gain > 0.0) {
            return Err(field_error(
                "label_gain",
                format!("is {gain}; expected a finite number > 0 (1 samples the net itself)"),
            ));
        }
        let mut net = self.clone();
        let units = net.labels.as_mut().ok_or_else(|| {
            field_error(
                "labels",
                "this net has no label units, so no label gain applies",
            )
        })?;
        let overflow = units
            .weights
            .iter()
            .enumerate()
            .find(|(_, w)| !(**w * gain).is_finite());
        if let Some((index, w)) = overflow {
            let problem = format!(
                "{gain} times entry {index} of labels.weights ({w:e}) does not fit in f32; \
                 use a smaller gain"
            );
            return Err(field_error("label_gain", problem));
        }
        units.weights *= gain;
        Ok(net)
    }
}
// ANCHOR_END: label_gain
