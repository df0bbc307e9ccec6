//! The one error type of `bm-exact`. Each message says what to change.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ExactError {
    /// An array has the wrong length or shape.
    #[error("field `{field}`: expected {expected}, found {found}")]
    Shape {
        field: String,
        expected: String,
        found: String,
    },

    /// A value is not allowed (NaN, asymmetric coupling, non-zero diagonal, ...).
    #[error("field `{field}`: {problem}")]
    InvalidValue { field: String, problem: String },

    /// Enumeration would take too many states. Only log Z of an RBM has a
    /// stochastic estimate to suggest (AIS); other requests get none.
    #[error(
        "{what} would enumerate 2^{n_units}{} states, more than the limit of 2^{max_units}{}",
        // n_states saturates at u128::MAX: print it only when it is exact.
        if *n_units < 128 { format!(" = {n_states}") } else { String::new() },
        if what.starts_with("log Z of this RBM") {
            "; use AIS (`boltzmann logz --ais`) to estimate log Z of a model this large"
        } else {
            "; this needs a smaller model"
        }
    )]
    TooLarge {
        what: &'static str,
        n_units: usize,
        n_states: u128,
        max_units: usize,
    },

    /// Data that does not fit the model.
    #[error("data: {0}")]
    Data(String),

    /// A model file that could not be read, parsed or validated.
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: Box<ExactError>,
    },

    /// Malformed TOML or a field of the wrong type.
    #[error("{0}")]
    Toml(String),

    /// The output file exists and overwriting was not asked for.
    #[error("{}: already exists (pass --force to overwrite it)", .0.display())]
    WouldOverwrite(PathBuf),

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ExactError {
    /// Attach the file a problem was found in.
    pub fn in_file(self, path: impl Into<PathBuf>) -> Self {
        ExactError::File {
            path: path.into(),
            source: Box::new(self),
        }
    }

    /// Whether the problem lies in the user's input (exit code 2 in the CLI)
    /// rather than in the machine (disk full, permissions: exit code 1).
    pub fn is_bad_input(&self) -> bool {
        match self {
            ExactError::File { source, .. } => source.is_bad_input(),
            ExactError::Io { source, .. } => source.kind() == std::io::ErrorKind::NotFound,
            _ => true,
        }
    }
}

pub type Result<T> = std::result::Result<T, ExactError>;

pub(crate) fn shape_error(field: &str, expected: String, found: String) -> ExactError {
    ExactError::Shape {
        field: field.to_string(),
        expected,
        found,
    }
}

pub(crate) fn invalid(field: &str, problem: impl Into<String>) -> ExactError {
    ExactError::InvalidValue {
        field: field.to_string(),
        problem: problem.into(),
    }
}
