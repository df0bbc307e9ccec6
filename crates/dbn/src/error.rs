//! The one error type of `dbn`. Each message names the layer, the field or
//! the file, and says what to change.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DbnError {
    /// A problem found by the oracle crate (shapes, NaN, enumeration limits).
    #[error(transparent)]
    Exact(#[from] bm_exact::ExactError),

    /// A problem found by the `rbm` crate (training settings, data).
    #[error(transparent)]
    Rbm(#[from] rbm::RbmError),

    /// A problem in one layer of the stack; layers are counted from 1, bottom first.
    #[error("layer {layer}: {source}")]
    Layer {
        layer: usize,
        #[source]
        source: Box<DbnError>,
    },

    /// A field of the model file or of the net that does not fit.
    #[error("field `{field}`: {problem}")]
    Field { field: String, problem: String },

    /// Malformed TOML or an unknown field.
    #[error("{0}")]
    Toml(String),

    /// A problem found in a file.
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: Box<DbnError>,
    },

    /// Data that does not fit the net.
    #[error("data: {0}")]
    Data(String),
}

impl DbnError {
    /// Whether the user's input is at fault (exit code 2 in the CLI) rather
    /// than the machine (disk full, permissions: exit code 1).
    pub fn is_bad_input(&self) -> bool {
        match self {
            DbnError::Exact(e) => e.is_bad_input(),
            DbnError::Rbm(e) => e.is_bad_input(),
            DbnError::Layer { source, .. } | DbnError::File { source, .. } => source.is_bad_input(),
            _ => true,
        }
    }

    /// Attach the layer (counted from 1) the problem was found in.
    pub fn in_layer(self, layer: usize) -> Self {
        DbnError::Layer {
            layer,
            source: Box::new(self),
        }
    }

    /// Attach the file the problem was found in.
    pub fn in_file(self, path: impl Into<PathBuf>) -> Self {
        DbnError::File {
            path: path.into(),
            source: Box::new(self),
        }
    }
}

pub(crate) fn field_error(field: impl Into<String>, problem: impl Into<String>) -> DbnError {
    DbnError::Field {
        field: field.into(),
        problem: problem.into(),
    }
}
