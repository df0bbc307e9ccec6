//! The one error type of the crate. Messages say what to change.

use std::path::PathBuf;

/// Everything that can go wrong in `ebm-langevin`.
#[derive(Debug, thiserror::Error)]
pub enum EbmError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A model file that is not valid TOML or has the wrong types.
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    /// A model file whose field `field` has a bad value.
    #[error("{path}: field `{field}`: {problem}")]
    Field {
        path: PathBuf,
        field: String,
        problem: String,
    },
    /// An output file exists and overwriting was not asked for.
    #[error("{0}: exists; pass --force to replace it")]
    WouldOverwrite(PathBuf),
    /// A setting (configuration field or argument) out of its range.
    #[error("{name}: {problem}")]
    Setting { name: String, problem: String },
    /// The data do not fit the model.
    #[error("data have {got} columns but the model has {expected} inputs")]
    Width { got: usize, expected: usize },
}

impl EbmError {
    /// True when the user can fix the problem by changing the input.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, EbmError::Io { .. })
    }

    pub(crate) fn setting(name: &str, problem: impl Into<String>) -> Self {
        EbmError::Setting {
            name: name.to_string(),
            problem: problem.into(),
        }
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, EbmError>;
