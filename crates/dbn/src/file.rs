//! The model file `format = "dbn"`: `[[layers]]` bottom first, each in the
//! layout of a `format = "rbm"` file, and an optional `[labels]` table.
//!
//! ```toml
//! format = "dbn"
//! version = 1
//! [[layers]]            # layer 1: v -> h1
//! visible_bias = [0.0, 0.0, 0.0]
//! hidden_bias = [0.0, 0.0]
//! weights = [[0.1, 0.2, 0.3], [0.0, -0.1, 0.4]]   # n_hidden rows, n_visible columns
//! [[layers]]            # layer 2: h1 -> h2, the top RBM
//! visible_bias = [0.0, 0.0]
//! hidden_bias = [0.5]
//! weights = [[1.0, -1.0]]
//! [labels]              # optional: one-hot label units beside h1 in the top RBM
//! n_labels = 2
//! bias = [0.0, 0.0]
//! weights = [[0.3, -0.3]]                           # n_top_hidden rows, n_labels columns
//! [[classifier.layers]] # optional: the fine-tuned feed-forward net, bottom first
//! weights = [[0.1, 0.2, 0.3], [0.0, -0.1, 0.4]]   # n_out rows, n_in columns
//! bias = [0.0, 0.0]
//! [[classifier.layers]] # the last layer is the softmax layer: one row per class
//! weights = [[1.0, -1.0], [-1.0, 1.0]]
//! bias = [0.0, 0.0]
//! ```
//!
//! A net for real-valued data has a Gaussian-Bernoulli first layer (chapter
//! 9): its `[[layers]]` table adds `kind = "gaussian"` and `log_variance`
//! (z_j = log sigma_j^2, eq. 9.6, one per visible unit; absent means 0,
//! unit variances). Every other layer is binary: `kind` absent or
//! `"bernoulli"`. A file without `kind` reads as before.
//!
//! Fine-tuning changes the recognition weights, but not the generative
//! model: `[[layers]]` keep the pretrained DBN (for sampling, the bound and
//! classification by free energy), and `[classifier]` holds the whole
//! fine-tuned net, its hidden layers as well as its softmax layer.

use std::path::Path;

use bm_exact::{FORMAT_VERSION, Rbm, matrix_from_rows};
use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::classifier::{Classifier, Dense};
use crate::error::{DbnError, field_error};
use crate::exact::{ExactDbn, ExactLabels};
use crate::model::Dbn;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct DbnToml {
    format: String,
    version: u32,
    layers: Vec<LayerToml>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    labels: Option<LabelsToml>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    classifier: Option<ClassifierToml>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ClassifierToml {
    layers: Vec<DenseToml>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct DenseToml {
    weights: Vec<Vec<f64>>,
    bias: Vec<f64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct LayerToml {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    visible_bias: Vec<f64>,
    hidden_bias: Vec<f64>,
    weights: Vec<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    log_variance: Option<Vec<f64>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct LabelsToml {
    n_labels: usize,
    bias: Vec<f64>,
    weights: Vec<Vec<f64>>,
}

/// The `format` field of a model file's TOML text, if it has one: lets a
/// program tell a `"dbn"` file from an `"rbm"` or `"bm"` file before parsing it.
pub fn format_of(text: &str) -> Option<String> {
    let value: toml::Table = toml::from_str(text).ok()?;
    value.get("format")?.as_str().map(str::to_string)
}

impl ExactDbn {
    /// A net from the TOML text of a `format = "dbn"` file; every error names
    /// the layer and the field. A Gaussian first layer is refused: exact
    /// results by enumeration are for binary v (see
    /// [`ExactDbn::gaussian_log_probability`] for the library's).
    pub fn from_toml_str(text: &str) -> Result<Self, DbnError> {
        let parsed = parse(text)?;
        if parsed.log_variance.is_some() {
            return Err(field_error(
                "kind",
                "\"gaussian\": this needs binary visible units (a Gaussian v is continuous); \
                 use a net whose layer 1 is \"bernoulli\"",
            )
            .in_layer(1));
        }
        Ok(parsed.exact)
    }
}

/// What a model file holds.
struct Parsed {
    exact: ExactDbn,
    classifier: Option<Classifier>,
    /// Some for a Gaussian first layer.
    log_variance: Option<Vec<f64>>,
}

/// The net and its classifier, if any, from the text of a model file.
fn parse(text: &str) -> Result<Parsed, DbnError> {
    refuse_rbm_layout(text)?;
    let file: DbnToml = toml::from_str(text).map_err(|e| DbnError::Toml(e.to_string()))?;
    if file.format != "dbn" {
        let problem = format!("\"{}\" is not \"dbn\"", file.format);
        return Err(field_error("format", problem));
    }
    if file.version != FORMAT_VERSION {
        let problem = format!(
            "version {} is not supported; this program reads version {FORMAT_VERSION}",
            file.version
        );
        return Err(field_error("version", problem));
    }
    let mut log_variance = None;
    let mut layers = Vec::new();
    for (k, mut layer) in file.layers.into_iter().enumerate() {
        let gaussian =
            layer_kind(k, &mut layer, &mut log_variance).map_err(|e| e.in_layer(k + 1))?;
        layers.push(layer_from_toml(layer).map_err(|e| e.in_layer(k + 1))?);
        if gaussian && log_variance.is_none() {
            log_variance = Some(vec![0.0; layers[0].n_visible()]);
        }
    }
    let labels = file.labels.map(labels_from_toml).transpose()?;
    let exact = ExactDbn::new(layers, labels)?;
    let classifier = file
        .classifier
        .map(|c| classifier_from_toml(c, exact.n_visible()))
        .transpose()?;
    if let Some(c) = &classifier {
        crate::model::check_classes(c, exact.labels().map(|l| l.bias.len()))?;
    }
    Ok(Parsed {
        exact,
        classifier,
        log_variance,
    })
}

/// Whether layer `k` (from 0) is Gaussian; takes its `log_variance` out
/// into `log_variance`. Refuses an unknown kind, a Gaussian layer above
/// layer 1, and `log_variance` on a binary layer.
fn layer_kind(
    k: usize,
    layer: &mut LayerToml,
    log_variance: &mut Option<Vec<f64>>,
) -> Result<bool, DbnError> {
    let gaussian = match layer.kind.as_deref() {
        None | Some("bernoulli") => false,
        Some("gaussian") if k == 0 => true,
        Some("gaussian") => {
            return Err(field_error(
                "kind",
                "\"gaussian\" is allowed in layer 1 only; the layers above have binary visible units",
            ));
        }
        Some(other) => {
            let problem = format!("\"{other}\" is not \"bernoulli\" or \"gaussian\"");
            return Err(field_error("kind", problem));
        }
    };
    match layer.log_variance.take() {
        Some(_) if !gaussian => Err(field_error(
            "log_variance",
            "only a layer with kind = \"gaussian\" has variances; add the kind or remove the field",
        )),
        Some(z) => {
            if z.len() != layer.visible_bias.len() {
                let problem = format!(
                    "has {} entries but visible_bias has {}; give one per visible unit",
                    z.len(),
                    layer.visible_bias.len()
                );
                return Err(field_error("log_variance", problem));
            }
            if let Some(j) = z
                .iter()
                .position(|x| !x.is_finite() || x.abs() > f32::MAX as f64)
            {
                let problem = format!("entry {j} is {}; give a finite f32", z[j]);
                return Err(field_error("log_variance", problem));
            }
            *log_variance = Some(z);
            Ok(true)
        }
        None => Ok(gaussian),
    }
}

impl ExactDbn {
    /// Read and validate a model file; errors start with the file name.
    pub fn load(path: &Path) -> Result<Self, DbnError> {
        let text = read(path)?; // its errors name the file already
        Self::from_toml_str(&text).map_err(|e| e.in_file(path))
    }

    /// The TOML text of a `format = "dbn"` file.
    pub fn to_toml_string(&self) -> String {
        file_text(self, None, None)
    }
}

/// The file's text; its errors already name the file.
fn read(path: &Path) -> Result<String, DbnError> {
    Ok(bm_exact::read_model_text(path)?)
}

fn rows(a: ArrayView2<f64>) -> Vec<Vec<f64>> {
    a.rows().into_iter().map(|r| r.to_vec()).collect()
}

/// The TOML text of `net` and, if given, its classifier table and the
/// log-variances of a Gaussian first layer.
fn file_text(
    net: &ExactDbn,
    classifier: Option<ClassifierToml>,
    log_variance: Option<Vec<f64>>,
) -> String {
    let mut layers: Vec<LayerToml> = net
        .layers()
        .iter()
        .map(|layer| LayerToml {
            kind: None,
            visible_bias: layer.visible_bias().to_vec(),
            hidden_bias: layer.hidden_bias().to_vec(),
            weights: rows(layer.weights()),
            log_variance: None,
        })
        .collect();
    if let Some(z) = log_variance {
        layers[0].kind = Some("gaussian".into());
        layers[0].log_variance = Some(z);
    }
    let file = DbnToml {
        format: "dbn".into(),
        version: FORMAT_VERSION,
        layers,
        labels: net.labels().map(|l| LabelsToml {
            n_labels: l.bias.len(),
            bias: l.bias.to_vec(),
            weights: rows(l.weights.view()),
        }),
        classifier,
    };
    toml::to_string(&file).expect("plain numbers always serialise")
}

/// A file with `format = "dbn"` but the fields of an RBM at the top level
/// gets a message that says where they belong.
fn refuse_rbm_layout(text: &str) -> Result<(), DbnError> {
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return Ok(()); // the typed parse below reports the syntax error
    };
    let misplaced = ["visible_bias", "hidden_bias", "weights"]
        .into_iter()
        .find(|field| table.contains_key(*field));
    match misplaced {
        Some(field) => Err(field_error(
            field,
            "a format = \"dbn\" file keeps each layer's fields in a [[layers]] table, \
             bottom layer first; for a single RBM use format = \"rbm\"",
        )),
        None => Ok(()),
    }
}

fn layer_from_toml(layer: LayerToml) -> Result<Rbm, DbnError> {
    let n_visible = layer.visible_bias.len();
    let weights = matrix_from_rows("weights", layer.weights, n_visible)?;
    Ok(Rbm::new(
        Array1::from(layer.visible_bias),
        Array1::from(layer.hidden_bias),
        weights,
    )?)
}

fn labels_from_toml(labels: LabelsToml) -> Result<ExactLabels, DbnError> {
    if labels.bias.len() != labels.n_labels {
        let problem = format!(
            "has {} values but n_labels = {}; give one bias per label",
            labels.bias.len(),
            labels.n_labels
        );
        return Err(field_error("labels.bias", problem));
    }
    let weights = matrix_from_rows("labels.weights", labels.weights, labels.n_labels)?;
    Ok(ExactLabels {
        bias: Array1::from(labels.bias),
        weights,
    })
}

/// The `[classifier]` table: each layer's weights must have as many
/// columns as the layer below has outputs (`n_visible` for the first).
fn classifier_from_toml(table: ClassifierToml, n_visible: usize) -> Result<Classifier, DbnError> {
    let mut layers = Vec::new();
    let mut n_in = n_visible;
    for (k, layer) in table.layers.into_iter().enumerate() {
        let field = format!("classifier.layers[{}].weights", k + 1);
        let weights = matrix_from_rows(&field, layer.weights, n_in)?;
        n_in = weights.nrows();
        layers.push(Dense {
            weights: weights.mapv(|x| x as f32),
            bias: Array1::from(layer.bias).mapv(|x| x as f32),
        });
    }
    Classifier::new(layers)
}

impl Dbn {
    /// Load a `format = "dbn"` file; refused, naming the file, the layer and
    /// the field, when it does not parse, has an unknown field, its layers
    /// do not fit together, or its `[classifier]` does not fit the net.
    pub fn load(path: &Path) -> Result<Self, DbnError> {
        let text = read(path)?; // its errors name the file already
        Self::from_toml_str(&text).map_err(|e| e.in_file(path))
    }

    /// A net from the TOML text of a `format = "dbn"` file, with the checks
    /// of [`Dbn::load`].
    pub fn from_toml_str(text: &str) -> Result<Self, DbnError> {
        let parsed = parse(text)?;
        let mut net = Dbn::from_exact(&parsed.exact)?;
        if let Some(z) = parsed.log_variance {
            let z = Array1::from(z).mapv(|x| x as f32);
            net = net.with_gaussian_visible(z)?;
        }
        match parsed.classifier {
            Some(c) => net.with_classifier(c),
            None => Ok(net),
        }
    }

    /// The TOML text; each f32 is written as its shortest decimal, which
    /// reads back to the same f32.
    pub fn to_toml_string(&self) -> String {
        let shortest_decimal = |x: f32| {
            x.to_string()
                .parse::<f64>()
                .expect("f32 prints as a number")
        };
        let exact = self
            .to_exact_with(shortest_decimal)
            .expect("a Dbn is always valid");
        let classifier = self.classifier().map(|c| ClassifierToml {
            layers: c
                .layers
                .iter()
                .map(|l| DenseToml {
                    weights: rows(l.weights.mapv(shortest_decimal).view()),
                    bias: l.bias.iter().map(|&x| shortest_decimal(x)).collect(),
                })
                .collect(),
        });
        let log_variance = match self.visible_units() {
            crate::VisibleUnits::Gaussian { log_variance } => {
                Some(log_variance.iter().map(|&z| shortest_decimal(z)).collect())
            }
            crate::VisibleUnits::Binary => None,
        };
        file_text(&exact, classifier, log_variance)
    }

    /// Save atomically; an existing file is replaced only when `overwrite` is set.
    pub fn save(&self, path: &Path, overwrite: bool) -> Result<(), DbnError> {
        bm_exact::write_file(path, &self.to_toml_string(), overwrite)?;
        Ok(())
    }
}
