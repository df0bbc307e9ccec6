//! The `format = "ebm"` model file (TOML, documented on the book's notation
//! page): the activation and the layers from the input to the output, each
//! with `weights` (n_out rows, n_in columns) and `bias` (n_out values). The
//! last layer has one output, the energy. Every problem is reported with the
//! field it concerns.

use std::path::Path;

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::error::{EbmError, Result};
use crate::mlp::{Activation, Layer, Mlp};

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    format: String,
    version: i64,
    activation: String,
    layers: Vec<LayerFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerFile {
    weights: Vec<Vec<f64>>,
    bias: Vec<f64>,
}

impl Mlp<f64> {
    /// Read and check a `format = "ebm"` file.
    pub fn load(path: &Path) -> Result<Mlp<f64>> {
        let text = std::fs::read_to_string(path).map_err(|source| EbmError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Mlp::from_toml(&text, path)
    }

    /// Parse and check the text of a model file; `path` names it in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<Mlp<f64>> {
        let file: ModelFile = toml::from_str(text).map_err(|e| EbmError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let field = |field: &str, problem: String| EbmError::Field {
            path: path.to_path_buf(),
            field: field.to_string(),
            problem,
        };
        if file.format != "ebm" {
            return Err(field(
                "format",
                format!("\"{}\": expected \"ebm\"", file.format),
            ));
        }
        if file.version != 1 {
            return Err(field("version", format!("{}: expected 1", file.version)));
        }
        let activation = Activation::from_name(&file.activation).ok_or_else(|| {
            field(
                "activation",
                format!(
                    "\"{}\": expected \"swish\" or \"softplus\"",
                    file.activation
                ),
            )
        })?;
        if file.layers.is_empty() {
            return Err(field("layers", "no layers: expected at least one".into()));
        }
        let mut layers = Vec::new();
        let mut n_in: Option<usize> = None;
        for (l, layer) in file.layers.iter().enumerate() {
            let name = |f: &str| format!("layers[{l}].{f}");
            let weights = matrix(&layer.weights).map_err(|p| field(&name("weights"), p))?;
            if let Some(n) = n_in
                && weights.ncols() != n
            {
                return Err(field(
                    &name("weights"),
                    format!(
                        "{} columns, expected {n} (the outputs of layers[{}])",
                        weights.ncols(),
                        l - 1
                    ),
                ));
            }
            if layer.bias.len() != weights.nrows() {
                return Err(field(
                    &name("bias"),
                    format!(
                        "{} values, expected {} (one per row of weights)",
                        layer.bias.len(),
                        weights.nrows()
                    ),
                ));
            }
            if let Some(k) = layer.bias.iter().position(|b| !b.is_finite()) {
                return Err(field(&name("bias"), format!("value {k} is not finite")));
            }
            n_in = Some(weights.nrows());
            layers.push(Layer {
                weights,
                bias: Array1::from(layer.bias.clone()),
            });
        }
        if n_in != Some(1) {
            let last = file.layers.len() - 1;
            return Err(field(
                &format!("layers[{last}].weights"),
                format!(
                    "{} rows: the last layer must have one output (the energy)",
                    n_in.unwrap_or(0)
                ),
            ));
        }
        Ok(Mlp { activation, layers })
    }

    /// The model file's text.
    pub fn to_toml(&self) -> String {
        let file = ModelFile {
            format: "ebm".into(),
            version: 1,
            activation: self.activation.name().into(),
            layers: self
                .layers
                .iter()
                .map(|l| LayerFile {
                    weights: l.weights.outer_iter().map(|r| r.to_vec()).collect(),
                    bias: l.bias.to_vec(),
                })
                .collect(),
        };
        toml::to_string(&file).expect("a model always serialises")
    }

    /// Write the model file atomically (a temporary file renamed into place);
    /// an existing file is replaced only with `overwrite`.
    pub fn save(&self, path: &Path, overwrite: bool) -> Result<()> {
        write_atomically(path, self.to_toml().as_bytes(), overwrite)
    }
}

/// Rows of equal, non-zero length with finite values, as a matrix.
fn matrix(rows: &[Vec<f64>]) -> std::result::Result<Array2<f64>, String> {
    let n_cols = rows.first().map_or(0, Vec::len);
    if rows.is_empty() || n_cols == 0 {
        return Err("empty: expected n_out rows of n_in values".into());
    }
    if let Some(r) = rows.iter().position(|r| r.len() != n_cols) {
        return Err(format!(
            "row {r} has {} values, row 0 has {n_cols}",
            rows[r].len()
        ));
    }
    let flat: Vec<f64> = rows.concat();
    if let Some(k) = flat.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "row {}, column {} is not finite",
            k / n_cols,
            k % n_cols
        ));
    }
    Ok(Array2::from_shape_vec((rows.len(), n_cols), flat).expect("shape checked"))
}

/// Write `bytes` to `path` atomically and durably through the workspace's
/// one writer, [`fsio::write_atomic`]: a crash never leaves a half-written
/// file, and an existing file is replaced only with `overwrite`.
pub fn write_atomically(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    fsio::write_atomic(path, bytes, overwrite).map_err(|source| {
        if fsio::is_refused_overwrite(&source) {
            EbmError::WouldOverwrite(path.to_path_buf())
        } else {
            EbmError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })
}
