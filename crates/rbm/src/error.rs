//! The one error type of `rbm`. Each message names the field or file and says
//! what to change.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RbmError {
    /// A problem found by the oracle crate: a model file that does not parse,
    /// a wrong shape, a NaN parameter, a file that already exists, ...
    #[error(transparent)]
    Exact(#[from] bm_exact::ExactError),

    /// A training setting that cannot work.
    #[error("field `{field}`: {problem}")]
    Config { field: String, problem: String },

    /// The training configuration is not valid TOML or has an unknown field.
    #[error("training configuration: {0}")]
    ConfigToml(String),

    /// A model file that holds a general Boltzmann machine, not an RBM.
    #[error(
        "{}: field `format`: the file holds a general Boltzmann machine (\"bm\"); \
         this crate trains RBMs only, so give it a file with format = \"rbm\"",
        .0.display()
    )]
    NotAnRbm(PathBuf),

    /// A parameter that is finite in f64 but too large for f32.
    #[error(
        "field `{field}`: entry {index} is {value:e}, which does not fit in f32 (largest {max:e}); \
         rescale the model (the exact f64 code, `boltzmann exact`, reads it as it is)",
        max = f32::MAX
    )]
    TooLargeForF32 {
        field: &'static str,
        index: usize,
        value: f64,
    },

    /// A problem found in a file.
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: Box<RbmError>,
    },

    /// Data that does not fit the model.
    #[error("data: {0}")]
    Data(String),

    /// Model parameters that cannot be used: inconsistent shapes, NaN or infinity.
    #[error("model: {0}")]
    Model(String),
}

impl RbmError {
    /// Whether the problem lies in the user's input (exit code 2 in the CLI)
    /// rather than in the machine.
    pub fn is_bad_input(&self) -> bool {
        match self {
            RbmError::Exact(e) => e.is_bad_input(),
            RbmError::File { source, .. } => source.is_bad_input(),
            _ => true,
        }
    }
}

impl From<config::FieldError> for RbmError {
    fn from(e: config::FieldError) -> Self {
        RbmError::Config {
            field: e.field,
            problem: e.problem,
        }
    }
}

impl From<config::TomlError> for RbmError {
    fn from(e: config::TomlError) -> Self {
        match e {
            config::TomlError::Field(field) => field.into(),
            config::TomlError::Syntax(problem) => RbmError::ConfigToml(problem),
        }
    }
}

pub(crate) fn config_error(field: &str, problem: impl Into<String>) -> RbmError {
    RbmError::Config {
        field: field.to_string(),
        problem: problem.into(),
    }
}
