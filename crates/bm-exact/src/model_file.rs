//! The TOML model format of DESIGN.md: reading, validating and writing models
//! and gradients.

use std::path::Path;

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::bm::BoltzmannMachine;
use crate::error::{ExactError, Result, invalid};
use crate::params::Parameters;
use crate::rbm::Rbm;

/// The version of the model format that this code reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The file as it is written: plain vectors, every field named as in the book.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ModelToml {
    format: String,
    version: u32,
    visible_bias: Vec<f64>,
    hidden_bias: Vec<f64>,
    weights: Vec<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visible_couplings: Option<Vec<Vec<f64>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hidden_couplings: Option<Vec<Vec<f64>>>,
}

/// A model read from a file: an RBM or a general Boltzmann machine.
#[derive(Clone, Debug, PartialEq)]
pub enum Model {
    Rbm(Rbm),
    Bm(BoltzmannMachine),
}

/// Read parameters from TOML text, with the value of its `format` field.
/// Shapes and values are checked; every error names the field.
pub fn parameters_from_toml(text: &str) -> Result<(String, Parameters)> {
    let file: ModelToml = toml::from_str(text).map_err(|e| ExactError::Toml(e.to_string()))?;
    if file.version != FORMAT_VERSION {
        return Err(invalid(
            "version",
            format!(
                "version {} is not supported; this program reads version {FORMAT_VERSION}",
                file.version
            ),
        ));
    }
    let n_visible = file.visible_bias.len();
    let n_hidden = file.hidden_bias.len();
    if n_visible == 0 {
        return Err(invalid(
            "visible_bias",
            "is empty; a model needs at least one visible unit (one entry per unit)",
        ));
    }
    let params = Parameters {
        visible_bias: Array1::from(file.visible_bias),
        hidden_bias: Array1::from(file.hidden_bias),
        weights: matrix("weights", file.weights, n_visible)?,
        visible_couplings: file
            .visible_couplings
            .map(|r| matrix("visible_couplings", r, n_visible))
            .transpose()?,
        hidden_couplings: file
            .hidden_couplings
            .map(|t| matrix("hidden_couplings", t, n_hidden))
            .transpose()?,
    };
    params.check()?;
    Ok((file.format, params))
}

/// Rows of equal length `n_columns` as a matrix, for other model files
/// (`format = "dbn"`) that hold matrices in the same layout; a row of the
/// wrong length is refused naming `field`.
pub fn matrix_from_rows(field: &str, rows: Vec<Vec<f64>>, n_columns: usize) -> Result<Array2<f64>> {
    matrix(field, rows, n_columns)
}

/// The most bytes a model file may have: 1 GiB, far above a 784 x 10,000
/// RBM in TOML (about 160 MB); more, or an endless stream, is refused.
pub const MAX_MODEL_BYTES: u64 = 1 << 30;

/// The text of a model file: a regular file (or stream) of at most
/// `MAX_MODEL_BYTES` (1 GiB) of UTF-8. Every failure names the file; a folder, a
/// missing file, binary bytes or an endless stream (`/dev/zero`) are bad input.
pub fn read_model_text(path: &Path) -> Result<String> {
    use std::io::Read;
    let io = |source| ExactError::Io {
        path: path.to_path_buf(),
        source,
    };
    let bad = |problem: String| ExactError::Toml(problem).in_file(path);
    if std::fs::metadata(path).map_err(io)?.is_dir() {
        return Err(bad("is a folder; expected a model file (TOML)".into()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_MODEL_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_MODEL_BYTES {
        return Err(bad(format!(
            "more than {MAX_MODEL_BYTES} bytes (or an endless stream); expected a model file (TOML)"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        bad(format!(
            "byte {} is not UTF-8 text; expected a model file (TOML)",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Rows of equal length `n_columns` as a matrix.
fn matrix(field: &str, rows: Vec<Vec<f64>>, n_columns: usize) -> Result<Array2<f64>> {
    if let Some((i, row)) = rows.iter().enumerate().find(|(_, r)| r.len() != n_columns) {
        return Err(crate::error::shape_error(
            field,
            format!("every row to have {n_columns} values (one per column)"),
            format!("row {i} with {} values", row.len()),
        ));
    }
    let n_rows = rows.len();
    let flat: Vec<f64> = rows.into_iter().flatten().collect();
    Ok(Array2::from_shape_vec((n_rows, n_columns), flat).expect("rows checked above"))
}

/// TOML text for parameters in the model-file layout, with the given `format`.
pub fn parameters_to_toml(format: &str, p: &Parameters) -> String {
    let rows = |a: ArrayView2<f64>| a.rows().into_iter().map(|r| r.to_vec()).collect();
    let file = ModelToml {
        format: format.to_string(),
        version: FORMAT_VERSION,
        visible_bias: p.visible_bias.to_vec(),
        hidden_bias: p.hidden_bias.to_vec(),
        weights: rows(p.weights.view()),
        visible_couplings: p.visible_couplings.as_ref().map(|r| rows(r.view())),
        hidden_couplings: p.hidden_couplings.as_ref().map(|t| rows(t.view())),
    };
    toml::to_string(&file).expect("plain numbers always serialise")
}

/// Write `contents` to `path` atomically and durably, through
/// [`fsio::write_atomic`]. An existing file is replaced only when `overwrite`
/// is set.
pub fn write_file(path: &Path, contents: &str, overwrite: bool) -> Result<()> {
    fsio::write_atomic(path, contents.as_bytes(), overwrite).map_err(|source| {
        if fsio::is_refused_overwrite(&source) {
            ExactError::WouldOverwrite(path.to_path_buf())
        } else {
            ExactError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })
}

/// The `format` of a TOML text, if it parses and has one.
fn format_field(text: &str) -> Option<String> {
    let table = text.parse::<toml::Table>().ok()?;
    Some(table.get("format")?.as_str()?.to_string())
}

fn not_a_format(other: &str) -> String {
    format!("\"{other}\" is not a model format this reads; expected \"rbm\" or \"bm\"")
}

impl Model {
    /// A model from TOML text: `format = "rbm"` or `format = "bm"`.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        let (format, params) = parameters_from_toml(text).map_err(|e| {
            // A file of another format (say "dbn") fails on its own tables:
            // name its format instead (read again only when the file failed).
            match format_field(text).filter(|f| !matches!(f.as_str(), "rbm" | "bm")) {
                Some(other) => invalid("format", not_a_format(&other)),
                None => e,
            }
        })?;
        match format.as_str() {
            "rbm" => Ok(Model::Rbm(Rbm::from_parameters(params)?)),
            "bm" => Ok(Model::Bm(BoltzmannMachine::from_parameters(params)?)),
            other => Err(invalid("format", not_a_format(other))),
        }
    }

    /// Read and validate a model file; errors start with the file name.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = read_model_text(path)?;
        Self::from_toml_str(&text).map_err(|e| e.in_file(path))
    }

    pub fn to_toml_string(&self) -> String {
        match self {
            Model::Rbm(rbm) => parameters_to_toml("rbm", &rbm.to_parameters()),
            Model::Bm(bm) => parameters_to_toml("bm", bm.parameters()),
        }
    }

    /// Save as TOML; an existing file is replaced only when `overwrite` is set.
    pub fn save(&self, path: impl AsRef<Path>, overwrite: bool) -> Result<()> {
        write_file(path.as_ref(), &self.to_toml_string(), overwrite)
    }

    pub fn n_visible(&self) -> usize {
        match self {
            Model::Rbm(m) => m.n_visible(),
            Model::Bm(m) => m.n_visible(),
        }
    }

    pub fn n_hidden(&self) -> usize {
        match self {
            Model::Rbm(m) => m.n_hidden(),
            Model::Bm(m) => m.n_hidden(),
        }
    }

    pub fn n_states_enumerated(&self) -> u64 {
        match self {
            Model::Rbm(m) => m.n_states_enumerated(),
            Model::Bm(m) => m.n_states_enumerated(),
        }
    }

    pub fn log_partition(&self) -> Result<f64> {
        match self {
            Model::Rbm(m) => m.log_partition(),
            Model::Bm(m) => m.log_partition(),
        }
    }

    pub fn mean_log_likelihood(&self, data: ArrayView2<f64>) -> Result<f64> {
        match self {
            Model::Rbm(m) => m.mean_log_likelihood(data),
            Model::Bm(m) => m.mean_log_likelihood(data),
        }
    }

    pub fn log_likelihood_gradient(&self, data: ArrayView2<f64>) -> Result<Parameters> {
        match self {
            Model::Rbm(m) => m.log_likelihood_gradient(data),
            Model::Bm(m) => m.log_likelihood_gradient(data),
        }
    }
}
